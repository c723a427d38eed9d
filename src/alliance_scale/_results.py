"""Shared behaviour of result objects: ``to_frame()``, a printed report, ``_repr_html_``.

Results are small frozen dataclasses (see :func:`result`). Each defines ``to_frame()``
(its main table) and may define ``_summary()`` (a few ``label: value`` lines shown above
the table). The text and HTML representations come from one :class:`Report` (``repr``,
``print`` and notebooks show the same thing); a result with a richer printout, such as
psych's for a factor analysis, overrides the hook ``_report()``.

Numbers are printed as psych and lavaan print them, in fixed point: a column of loadings
never switches to scientific notation because one value is tiny (``6.671e-02`` ...
``-8.848e-04``). Only single values below 1e-4 (p values such as ``4.3e-264``) use an
exponent. The HTML representation escapes every text, as reports must.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Report", "Result", "format_number", "format_table", "result"]

#: Decorator for result classes: frozen, compared by identity (they hold DataFrames).
result = dataclass(frozen=True, eq=False, repr=False)

#: Values printed in fixed point: |x| in [1e-4, 1e15) (and 0).
_SMALLEST_FIXED = 1e-4
_LARGEST_FIXED = 1e15


def format_number(value: Any, digits: int = 3) -> str:
    """One value as psych / lavaan print it: fixed point, ``digits`` decimals.

    Values below 0.01 in size keep ``digits`` significant digits (``0.00120``); values
    below 1e-4 (p values) use two significant digits with an exponent (``4.3e-264``), as
    psych's ``signif(p, 2)``. Integers print as integers, NaN as ``NA``, tuples of
    numbers in parentheses.

    Parameters
    ----------
    value : object
        A number, a tuple of numbers, or anything else (printed with ``str``).
    digits : int, default 3
        Decimals of values of 0.01 or more.

    Returns
    -------
    str

    Examples
    --------
    >>> [format_number(x) for x in (0.8123456, 20163.789, 0.00123456, 4.3e-264, 3)]
    ['0.812', '20163.789', '0.00123', '4.3e-264', '3']
    """
    if isinstance(value, (bool, np.bool_)) or value is None:
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number):
            return "NA"
        if math.isinf(number) or number == 0:
            return f"{number:.{digits}f}" if number == 0 else str(number)
        size = abs(number)
        if size < _SMALLEST_FIXED or size >= _LARGEST_FIXED:
            return f"{number:.2g}" if size < _SMALLEST_FIXED else f"{number:.6g}"
        if size < 0.01:
            return f"{number:.{digits - 1 - math.floor(math.log10(size))}f}"
        return f"{number:.{digits}f}"
    if isinstance(value, tuple) and value and all(
        isinstance(v, (int, float, np.integer, np.floating)) for v in value
    ):
        return "(" + ", ".join(format_number(v, digits) for v in value) + ")"
    return str(value)


def _format_cell(value: Any, digits: int) -> str:
    """A table cell: numbers in fixed point with ``digits`` decimals (never an exponent)."""
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number):
            return "NA"
        if math.isinf(number):
            return str(number)
        text = f"{number:.{digits}f}"
        return text[1:] if text.startswith("-") and float(text) == 0 else text
    if isinstance(value, tuple):
        return format_number(value, digits)
    return str(value)


def format_table(
    frame: pd.DataFrame,
    digits: int | Mapping[str, int] = 3,
    blank: pd.DataFrame | np.ndarray | None = None,
) -> pd.DataFrame:
    """The cells of ``frame`` as text, numbers in fixed point (psych's printed tables).

    Parameters
    ----------
    frame : DataFrame
        Any table.
    digits : int or mapping of column -> int, default 3
        Decimals of floating point cells (per column when a mapping; 3 for columns it
        does not name).
    blank : boolean array or DataFrame of ``frame``'s shape, optional
        Cells printed empty (psych's ``cut``: loadings below the cut).

    Returns
    -------
    DataFrame
        Same index and columns, every cell a string.

    Examples
    --------
    >>> table = pd.DataFrame({"MR1": [0.81234, 6.671e-05], "h2": [0.66, 0.5]}, index=["a", "b"])
    >>> print(format_table(table, {"MR1": 2, "h2": 2}, blank=table.abs() < 0.3))
        MR1    h2
    a  0.81  0.66
    b        0.50
    """
    cells = []
    for j, column in enumerate(frame.columns):  # by position: column names may repeat
        places = digits.get(column, 3) if isinstance(digits, Mapping) else digits
        cells.append([_format_cell(v, places) for v in frame.iloc[:, j].tolist()])
    text = pd.DataFrame(list(zip(*cells, strict=True)) if cells else None, index=frame.index,
                        columns=frame.columns)
    if blank is not None:
        mask = np.asarray(blank, dtype=bool)
        text = text.mask(mask, "")
    return text


@dataclass(frozen=True)
class Report:
    """A printed result: a title, then text lines and tables, as text and as HTML.

    ``str(report)`` / ``repr(report)`` give the text (what ``print`` shows); notebooks use
    ``_repr_html_``. Tables are DataFrames of strings (see :func:`format_table`).

    Attributes
    ----------
    title : str
        First line.
    blocks : tuple of (str or DataFrame)
        Lines of text (a string may hold several lines; ``""`` is an empty line) and tables.
    max_rows : int or None, default 60
        Rows of a table shown before it is truncated (head and tail); None shows every row
        (psych's printouts of a factor analysis list every item).

    Examples
    --------
    >>> table = format_table(pd.DataFrame({"alpha": [0.8123]}, index=["total"]))
    >>> print(Report("Reliability", ("n = 200", table)))
    Reliability
    n = 200
           alpha
    total  0.812
    """

    title: str
    blocks: tuple[str | pd.DataFrame, ...] = ()
    max_rows: int | None = 60

    def __str__(self) -> str:
        lines = [self.title]
        for block in self.blocks:
            if isinstance(block, pd.DataFrame):
                lines.append(block.to_string(max_rows=self.max_rows))
            else:
                lines.append(block)
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        parts = [f"<div><strong>{html.escape(self.title)}</strong>"]
        for block in self.blocks:
            if isinstance(block, pd.DataFrame):
                parts.append(block.to_html(max_rows=self.max_rows, escape=True))
            elif block:
                escaped = html.escape(block).replace("\n", "<br>")
                parts.append(f"<p style='white-space: pre; font-family: monospace'>{escaped}</p>")
        parts.append("</div>")
        return "".join(parts)


def summary_lines(summary: Mapping[str, Any], digits: int = 3) -> str:
    """``label: value`` lines (indented by two spaces) with fixed-point numbers."""
    return "\n".join(f"  {k}: {format_number(v, digits)}" for k, v in summary.items())


class Result:
    """Mixin giving results a text and an HTML representation built from their table.

    A result whose table holds p-values or other numbers that pandas would print in
    scientific notation sets ``_digits`` (decimals of every float, fixed point).
    """

    _max_rows = 30
    #: Decimals of the printed table (an int, or a mapping column -> decimals).
    _digits: int | Mapping[str, int] = 3

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - every result overrides it
        raise NotImplementedError

    def _summary(self) -> dict[str, Any]:
        """Headline numbers shown above the table (label -> value)."""
        return {}

    def _report(self) -> Report:
        """What ``repr`` and ``_repr_html_`` show: the summary lines, then the table.

        Results with a richer printout override this hook (and keep ``to_frame()`` and
        ``_summary()`` as they are).
        """
        blocks: list[str | pd.DataFrame] = []
        summary = self._summary()
        if summary:
            blocks.append(summary_lines(summary))
        blocks.append(format_table(self.to_frame(), self._digits))
        return Report(type(self).__name__, tuple(blocks), max_rows=self._max_rows)

    def __repr__(self) -> str:
        return str(self._report())

    def _repr_html_(self) -> str:
        return self._report()._repr_html_()


def join_blocks(*groups: Sequence[str | pd.DataFrame]) -> tuple[str | pd.DataFrame, ...]:
    """Concatenate block sequences, separating the groups by an empty line."""
    blocks: list[str | pd.DataFrame] = []
    for group in groups:
        if not group:
            continue
        if blocks:
            blocks.append("")
        blocks.extend(group)
    return tuple(blocks)
