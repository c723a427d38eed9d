"""Shared behaviour of result objects: ``to_frame()``, a readable repr, ``_repr_html_``.

Results are small frozen dataclasses (see :func:`result`). Each defines ``to_frame()``
(its main table) and may define ``_summary()`` (a few ``label: value`` lines shown above
the table). The HTML representation escapes every text, as reports must.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["Result", "result"]

#: Decorator for result classes: frozen, compared by identity (they hold DataFrames).
result = dataclass(frozen=True, eq=False, repr=False)


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, tuple) and all(isinstance(v, float) for v in value):
        return "(" + ", ".join(f"{v:.4g}" for v in value) + ")"
    return str(value)


class Result:
    """Mixin giving results a text and an HTML representation built from their table.

    A result whose table holds p-values or other numbers that pandas would print in
    scientific notation sets ``_digits`` (decimals of every float, fixed point).
    """

    _max_rows = 30
    _digits: int | None = None

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - every result overrides it
        raise NotImplementedError

    def _summary(self) -> dict[str, Any]:
        """Headline numbers shown above the table (label -> value)."""
        return {}

    def __repr__(self) -> str:
        lines = [type(self).__name__]
        lines += [f"  {k}: {_format_value(v)}" for k, v in self._summary().items()]
        frame = self.to_frame()
        with pd.option_context(
            "display.max_rows", self._max_rows, "display.width", 120, "display.precision", 3
        ):
            fixed = None if self._digits is None else f"{{:.{self._digits}f}}".format
            lines.append(frame.to_string(max_rows=self._max_rows, float_format=fixed))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        title = f"<strong>{html.escape(type(self).__name__)}</strong>"
        summary = "".join(
            f"<li>{html.escape(str(k))}: {html.escape(_format_value(v))}</li>"
            for k, v in self._summary().items()
        )
        digits = 3 if self._digits is None else self._digits
        table = self.to_frame().to_html(max_rows=self._max_rows,
                                        float_format=f"{{:.{digits}f}}".format, escape=True)
        return f"<div>{title}<ul>{summary}</ul>{table}</div>"
