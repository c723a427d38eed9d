"""The library's one exception family and its warnings.

Every refusal raised by alliance-scale derives from :class:`AllianceScaleError`, so a
notebook can catch them all with one ``except``. Each subclass is also a ``ValueError``
because each is a refusal of a value the user passed. Messages name the file, the column
(item) and the row(s) when they are known; the same facts are kept as attributes so
code can act on them.

Statistical trouble that does not make a result meaningless (a Heywood case, a
correlation matrix that had to be smoothed) is a warning, never silence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "AllianceScaleError",
    "AllianceScaleWarning",
    "AnalysisError",
    "HeywoodWarning",
    "ItemBankError",
    "NotPositiveDefiniteWarning",
    "OptionError",
    "ResponseError",
]


def _format_rows(rows: Sequence[object], limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in list(rows)[:limit])
    more = len(rows) - limit
    return shown + (f" (and {more} more)" if more > 0 else "")


def _locate(
    file: str | None = None,
    column: str | None = None,
    rows: Iterable[object] | None = None,
) -> str:
    """Return a human-readable location such as ``file 'a.csv', column 'A1a_1', rows 3, 7``.

    Parameters
    ----------
    file : str, optional
        Path or name of the file (or ``"<DataFrame>"``).
    column : str, optional
        Column (item) name.
    rows : iterable, optional
        Row labels, as the user sees them (1-based data rows of a file, or the index).

    Returns
    -------
    str
        The parts given, joined by commas ("" when none).
    """
    parts = []
    if file is not None:
        parts.append(f"file {file!r}")
    if column is not None:
        parts.append(f"column {column!r}")
    if rows is not None:
        rows = list(rows)
        if rows:
            parts.append(("row " if len(rows) == 1 else "rows ") + _format_rows(rows))
    return ", ".join(parts)


class AllianceScaleError(ValueError):
    """Base class of every error raised by alliance-scale.

    Parameters
    ----------
    message : str
        What is wrong and, where possible, how to fix it.
    file, column : str, optional
        Where the problem is; prefixed to the message.
    rows : sequence, optional
        Offending rows; prefixed to the message (first ten shown).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        rows: Iterable[object] | None = None,
    ) -> None:
        self.file = file
        self.column = column
        self.rows = list(rows) if rows is not None else []
        where = _locate(file, column, self.rows if rows is not None else None)
        self.reason = message
        super().__init__(f"{where}: {message}" if where else message)


class OptionError(AllianceScaleError):
    """An argument is not one the function accepts (unknown option, wrong type, out of range).

    Raised wherever the argument is checked, whichever module checks it: a bad ``seed``,
    ``method`` or ``confidence`` is an ``OptionError`` in scoring, simulation and factor
    analysis alike.
    """


class ItemBankError(AllianceScaleError):
    """A blueprint, item bank or saved scale file is invalid (names the file and entry)."""


class ResponseError(AllianceScaleError):
    """Response data (a survey export or a DataFrame) cannot be read or scored as given."""


class AnalysisError(AllianceScaleError):
    """Data cannot be analysed as asked (too few items, constant item, singular matrix...)."""


class AllianceScaleWarning(UserWarning):
    """Base class of the statistical warnings of alliance-scale."""


class HeywoodWarning(AllianceScaleWarning):
    """A communality reached or passed 1 (uniqueness <= 0) in a factor solution."""


class NotPositiveDefiniteWarning(AllianceScaleWarning):
    """A correlation matrix was not positive definite and was smoothed."""


class EmptyCellWarning(AllianceScaleWarning):
    """Some pairs of ordinal items have empty cells in their contingency table."""
