"""Checks shared by the analyses: turn user data into a float item table or refuse clearly.

One implementation of "is this usable item data?" for reliability, factor analysis and
validity, so that every analysis refuses bad input with the same words: the message names
the item (column) and, for bad values, the rows.

Shared helpers for every module (one definition each):

- :func:`respondent_count`: the ``n`` an analysis reports, the rows with at least one
  answer. A deliberate difference from psych, which counts every row (fully empty rows
  included, e.g. ``nrow(x)`` in ``psych::fa``); a respondent who answered nothing carries
  no information, and this way alpha, omega, efa and the correlation matrix report the
  same ``n`` on the same data.
- :func:`is_boolean`: Python / numpy booleans, refused as answers (pandas would read them
  as 1 and 0).
- :func:`check_unique_columns`: refuse a repeated column name.
- :func:`check_codes`: refuse answers outside ``low..high`` (or not integers).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import AllianceScaleError, AnalysisError

__all__ = [
    "as_item_frame",
    "check_codes",
    "check_unique_columns",
    "code_problems",
    "correlation_problem",
    "is_boolean",
    "looks_like_correlation",
    "respondent_count",
]


def as_item_frame(
    data: pd.DataFrame | np.ndarray,
    *,
    min_items: int = 2,
    min_rows: int = 2,
    allow_constant: bool = False,
    what: str = "data",
) -> pd.DataFrame:
    """Return ``data`` as a float DataFrame of items, or raise :class:`AnalysisError`.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Respondents in rows, items in columns. Arrays get columns ``item1 ... itemK``.
    min_items : int, default 2
        Fewest items accepted.
    min_rows : int, default 2
        Fewest respondents accepted.
    allow_constant : bool, default False
        Accept items with a single observed value (refused by default: their variance is 0).
    what : str
        Name of the argument, used in messages.

    Returns
    -------
    DataFrame
        Same index and columns, dtype float64, missing answers as NaN.

    Raises
    ------
    AnalysisError
        Not a DataFrame or 2-D array, a repeated column, too few items or rows, or an
        item that is not numeric (booleans included), infinite, all missing or (unless
        ``allow_constant``) constant; the message names the item and the rows.
    """
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise AnalysisError(f"{what} must be 2-D (respondents x items), got {data.ndim}-D")
        data = pd.DataFrame(data, columns=[f"item{j + 1}" for j in range(data.shape[1])])
    if not isinstance(data, pd.DataFrame):
        raise AnalysisError(
            f"{what} must be a pandas DataFrame or a 2-D numpy array, got {type(data).__name__}"
        )
    check_unique_columns(data, "duplicate item column")
    if data.shape[1] < min_items:
        raise AnalysisError(
            f"{what} has {data.shape[1]} item(s); at least {min_items} are needed"
        )
    if data.shape[0] < min_rows:
        raise AnalysisError(f"{what} has {data.shape[0]} row(s); at least {min_rows} are needed")
    columns = {}
    for name in data.columns:
        column = data[name]
        if pd.api.types.is_bool_dtype(column) or not (
            pd.api.types.is_numeric_dtype(column) or column.dtype == object
        ):
            raise AnalysisError(f"item is of type {column.dtype}, not numeric", column=str(name))
        numeric = pd.to_numeric(column, errors="coerce")
        bad = numeric.isna() & column.notna()
        if column.dtype == object:
            bad |= column.map(is_boolean).astype(bool)
        if bad.any():
            raise AnalysisError(
                f"non-numeric value(s) such as {column[bad].iloc[0]!r}",
                column=str(name),
                rows=list(data.index[bad.to_numpy()]),
            )
        values = numeric.to_numpy(dtype=float)
        if np.isinf(values).any():
            raise AnalysisError(
                "infinite value(s)", column=str(name),
                rows=list(data.index[np.isinf(values)]),
            )
        observed = values[~np.isnan(values)]
        if observed.size == 0:
            raise AnalysisError("item has no observed value (all missing)", column=str(name))
        if not allow_constant and np.all(observed == observed[0]):
            raise AnalysisError(
                f"item is constant (every answer is {observed[0]:g}); its variance is 0",
                column=str(name),
            )
        columns[name] = values
    return pd.DataFrame(columns, index=data.index)


def is_boolean(value: object) -> bool:
    """True for Python and numpy booleans (pandas would silently read them as 1 and 0)."""
    return isinstance(value, (bool, np.bool_))


def check_unique_columns(
    frame: pd.DataFrame,
    message: str = "duplicate column",
    error: type[AllianceScaleError] = AnalysisError,
    file: str | None = None,
) -> None:
    """Raise ``error`` naming the first repeated column name of ``frame``, if any.

    Parameters
    ----------
    frame : DataFrame
        The table whose column names must be unique.
    message : str, default "duplicate column"
        The refusal's text (the column is named by the error).
    error : AllianceScaleError subclass, default AnalysisError
        The kind of refusal.
    file : str, optional
        The file the table comes from, named in the message.
    """
    repeated = frame.columns.duplicated()
    if repeated.any():
        raise error(message, file=file, column=str(frame.columns[repeated][0]))


def check_codes(
    values: np.ndarray,
    low: float,
    high: float,
    *,
    integer: bool = True,
    items: Sequence[str],
    rows: Sequence[object],
    error: type[AllianceScaleError] = AnalysisError,
    file: str | None = None,
) -> None:
    """Refuse answers outside the response codes ``low..high`` (or not integers).

    Parameters
    ----------
    values : ndarray
        Respondents x items, float, NaN = missing (ignored).
    low, high : float
        Lowest and highest response code.
    integer : bool, default True
        Also refuse non-integer answers (such as 2.5).
    items : sequence of str
        Column names, for the message.
    rows : sequence
        Row labels (index), for the message.
    error : AllianceScaleError subclass, default AnalysisError
        The kind of refusal.
    file : str, optional
        The file the values come from, named in the message.

    Raises
    ------
    error
        Naming the first offending column, one offending value and every row of that
        column with a bad answer.
    """
    # column extremes first: no respondents x items mask on the hot path (scoring)
    suspect = ((np.nanmin(values, axis=0, initial=np.inf) < low)
               | (np.nanmax(values, axis=0, initial=-np.inf) > high))
    if integer:
        suspect |= (np.isfinite(values) & (values != np.round(values))).any(axis=0)
    columns = np.flatnonzero(suspect)
    if columns.size:
        j = int(columns[0])
        not_integer, outside = code_problems(values[:, j], low, high)
        where = outside | not_integer if integer else outside
        kind = " or not an integer" if integer else ""
        raise error(f"answer(s) such as {values[where, j][0]:g} outside the response range "
                    f"{low:g}-{high:g}{kind}", file=file, column=str(items[j]),
                    rows=[rows[i] for i in np.flatnonzero(where)])


def code_problems(values: np.ndarray, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the answers that are not integers, and of those outside ``low..high``.

    Parameters
    ----------
    values : ndarray
        Answers (any shape), NaN = missing (in neither mask).
    low, high : float
        Lowest and highest response code.

    Returns
    -------
    not_integer, outside : ndarray of bool
        Same shape as ``values``.
    """
    with np.errstate(invalid="ignore"):
        not_integer = np.isfinite(values) & (values != np.round(values))
        outside = (values < low) | (values > high)
    return not_integer, outside


def respondent_count(frame: pd.DataFrame | np.ndarray) -> int:
    """Respondents with at least one answer: the ``n`` every analysis reports.

    psych counts every row, fully empty ones included; here a row without any answer is
    not a respondent of the analysis (a deliberate difference, see the module docstring).

    Parameters
    ----------
    frame : DataFrame or 2-D array
        Respondents in rows, items in columns, NaN = missing.

    Returns
    -------
    int
        Number of rows with at least one non-missing value.
    """
    values = frame.to_numpy(dtype=float) if isinstance(frame, pd.DataFrame) else frame
    return int((~np.isnan(np.asarray(values, dtype=float))).any(axis=1).sum())


def correlation_problem(data: pd.DataFrame | np.ndarray, tol: float = 1e-8) -> str | None:
    """Why ``data`` is not a correlation matrix, or None when it is one.

    A correlation matrix is square (at least 2 x 2), numeric, without missing values,
    symmetric, with a unit diagonal.

    Parameters
    ----------
    data : DataFrame or 2-D array
        The candidate matrix.
    tol : float, default 1e-8
        Tolerance of the unit-diagonal and symmetry tests.

    Returns
    -------
    str or None
        The first reason found, in words, or None.
    """
    try:
        matrix = np.asarray(data, dtype=float)
    except (TypeError, ValueError):
        return "it holds non-numeric values"
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] < 2:
        return f"it is {' x '.join(map(str, matrix.shape))}, not square"
    if np.isnan(matrix).any():
        return "it has missing values"
    if not np.allclose(np.diag(matrix), 1.0, atol=tol):
        return "its diagonal is not 1"
    if not np.allclose(matrix, matrix.T, atol=tol):
        i, j = np.unravel_index(np.argmax(np.abs(matrix - matrix.T)), matrix.shape)
        return f"it is not symmetric (entries [{i}, {j}] and [{j}, {i}] differ)"
    return None


def looks_like_correlation(data: pd.DataFrame | np.ndarray, tol: float = 1e-8) -> bool:
    """True when ``data`` is square, symmetric, with a unit diagonal (a correlation matrix).

    Parameters
    ----------
    data : DataFrame or 2-D array
        Item responses or a correlation matrix.
    tol : float, default 1e-8
        Tolerance, as :func:`correlation_problem`.

    Returns
    -------
    bool
    """
    return correlation_problem(data, tol) is None
