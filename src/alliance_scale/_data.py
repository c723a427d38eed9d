"""Checks shared by the analyses: turn user data into a float item table or refuse clearly.

One implementation of "is this usable item data?" for reliability, factor analysis and
validity, so that every analysis refuses bad input with the same words: the message names
the item (column) and, for bad values, the rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import AnalysisError

__all__ = ["as_item_frame", "correlation_problem", "looks_like_correlation"]


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
    """
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise AnalysisError(f"{what} must be 2-D (respondents x items), got {data.ndim}-D")
        data = pd.DataFrame(data, columns=[f"item{j + 1}" for j in range(data.shape[1])])
    if not isinstance(data, pd.DataFrame):
        raise AnalysisError(
            f"{what} must be a pandas DataFrame or a 2-D numpy array, got {type(data).__name__}"
        )
    if data.columns.duplicated().any():
        dup = data.columns[data.columns.duplicated()][0]
        raise AnalysisError("duplicate item column", column=str(dup))
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
            bad |= column.map(_is_boolean).astype(bool)
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


def _is_boolean(value: object) -> bool:
    """True for Python and numpy booleans (pandas would silently read them as 1 and 0)."""
    return isinstance(value, (bool, np.bool_))


def correlation_problem(data: pd.DataFrame | np.ndarray, tol: float = 1e-8) -> str | None:
    """Why ``data`` is not a correlation matrix, or None when it is one.

    A correlation matrix is square (at least 2 x 2), numeric, without missing values,
    symmetric, with a unit diagonal.
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
    """True when ``data`` is square, symmetric, with a unit diagonal (a correlation matrix)."""
    return correlation_problem(data, tol) is None
