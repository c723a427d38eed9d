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

import numpy as np

__all__ = [
    "AllianceScaleError",
    "AllianceScaleWarning",
    "AnalysisError",
    "HeywoodWarning",
    "ItemBankError",
    "NotPositiveDefiniteWarning",
    "ResponseError",
    "check_choice",
    "check_integer",
    "locate",
]


def _format_rows(rows: Sequence[object], limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in list(rows)[:limit])
    more = len(rows) - limit
    return shown + (f" (and {more} more)" if more > 0 else "")


def locate(
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
        where = locate(file, column, self.rows if rows is not None else None)
        self.reason = message
        super().__init__(f"{where}: {message}" if where else message)


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


def check_choice(
    name: str,
    value: object,
    allowed: Sequence[object],
    error: type[AllianceScaleError] = AllianceScaleError,
) -> None:
    """Raise ``error`` unless ``value`` is one of ``allowed`` (an option given by name).

    Parameters
    ----------
    name : str
        The argument's name, as the user typed it (``"cor"``, ``"language"``...).
    value : object
        What the user passed.
    allowed : sequence
        The accepted values, listed in the message.
    error : AllianceScaleError subclass, default AllianceScaleError
        The kind of refusal (``AnalysisError`` for an analysis option...).

    Raises
    ------
    error
        ``value`` is not among ``allowed`` (a boolean never is).
    """
    if isinstance(value, bool) or value not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise error(f"{name} must be one of {listed}; got {value!r}")


def check_integer(
    name: str,
    value: object,
    minimum: int | None = None,
    error: type[AllianceScaleError] = AllianceScaleError,
) -> None:
    """Raise ``error`` unless ``value`` is an integer (at least ``minimum`` when given).

    Python and numpy integers are accepted; booleans and every float (even ``3.0``) are
    refused, so a typo such as ``n_factors=3.0`` or ``seed=True`` is caught rather than
    silently converted.

    Parameters
    ----------
    name : str
        The argument's name, as the user typed it (``"n_factors"``, ``"seed"``...).
    value : object
        What the user passed.
    minimum : int, optional
        The smallest accepted value; no lower bound when None (default).
    error : AllianceScaleError subclass, default AllianceScaleError
        The kind of refusal (``AnalysisError`` for an analysis option...).

    Raises
    ------
    error
        ``value`` is not an integer, or is below ``minimum``; the message names ``name``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise error(f"{name} must be an integer; got {value!r}")
    if minimum is not None and value < minimum:
        raise error(f"{name} must be an integer >= {minimum}; got {value!r}")
