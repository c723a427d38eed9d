"""The one validation layer: every argument and every data table is checked here.

As scikit-learn's ``utils/validation.py``: public functions check their arguments by
calling these helpers, never by writing their own tests, so that the same mistake gets
the same words and the same exception class everywhere:

- options (:func:`check_choice`, :func:`check_integer`, :func:`check_number`,
  :func:`check_share`, :func:`check_flag`, :func:`check_seed`) raise
  :class:`~alliance_scale.errors.OptionError`;
- item data (:func:`as_item_frame`, :func:`check_codes`) raise
  :class:`~alliance_scale.errors.AnalysisError`, naming the item and the rows (readers pass
  :class:`~alliance_scale.errors.ResponseError` and the file);
- a correlation matrix is recognised once, at the boundary (:func:`analysis_input`).

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
from typing import Any

import numpy as np
import pandas as pd

from .errors import AllianceScaleError, AnalysisError, OptionError

__all__ = [
    "analysis_input",
    "as_item_frame",
    "check_array",
    "check_choice",
    "check_codes",
    "check_flag",
    "check_frame",
    "check_instance",
    "check_integer",
    "check_matrix",
    "check_number",
    "check_seed",
    "check_share",
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
        raise OptionError(
            f"{what} must be a pandas DataFrame or a 2-D numpy array, got {type(data).__name__}"
        )
    if isinstance(data.columns, pd.MultiIndex):
        raise OptionError(f"{what} has MultiIndex columns; give one level of item names")
    check_unique_columns(data, "duplicate item column")
    if data.shape[1] < min_items:
        raise AnalysisError(
            f"{what} has {data.shape[1]} item(s); at least {min_items} are needed"
        )
    if data.shape[0] < min_rows:
        raise AnalysisError(f"{what} has {data.shape[0]} row(s); at least {min_rows} are needed")
    dtypes = data.dtypes.tolist()  # (a Series made on each access)
    if all(_numeric(t) for t in dtypes):  # the usual case: one pass, no per-item Series
        values = data.to_numpy(dtype=float, na_value=np.nan)
        if not values.flags.f_contiguous or all(t == np.float64 for t in dtypes):
            values = _column_major(values)  # a float table may come back as a view of it
        if not _suspect_items(values, allow_constant).any():
            # F order: the same memory layout as a frame built column by column; new column
            # labels without a name (as that frame's), so that naming them changes no input
            return pd.DataFrame(values, index=data.index, columns=data.columns.rename(None),
                                copy=False)
    columns = {}
    for name in data.columns:  # an item to refuse (found by _item_values) or a text column
        columns[name] = _item_values(data[name], data.index, allow_constant)
    return pd.DataFrame(columns, index=data.index)


def _numeric(dtype: Any) -> bool:
    """A numeric, non-boolean column type (pandas' ``is_numeric_dtype`` and not
    ``is_bool_dtype``; numpy's own types answered by their kind, without pandas' lookup)."""
    if isinstance(dtype, np.dtype):
        return dtype.kind in "iufc"
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _column_major(values: np.ndarray) -> np.ndarray:
    """A column-major copy of ``values`` (never a view of the caller's table: other dtypes
    than float64 come back from ``to_numpy(dtype=float)`` already copied). Copying the
    transpose into C order is the fast way: ``np.array(values, order="F")`` on a
    row-major table is about 20 times slower (measured: 100,000 x 5, 3.7 vs 0.14 ms)."""
    transposed = values.T.copy() if values.flags.f_contiguous else np.ascontiguousarray(values.T)
    return transposed.T


def _suspect_items(values: np.ndarray, allow_constant: bool) -> np.ndarray:
    """Items (columns) that :func:`_item_values` may refuse: infinite, all missing or, unless
    ``allow_constant``, of a range or size for which the variance is not safely positive.

    Two passes over the table (column minima and maxima ignoring NaN). Errs on the side of
    suspicion, so that every item the exact test refuses is among them: a range above
    1e-60 and values below 1e150 in size put the variance between range^2 / 2n and 1e300,
    where it is positive and finite in floating point.
    """
    low, high = np.fmin.reduce(values, axis=0), np.fmax.reduce(values, axis=0)
    suspect = np.isnan(low) | np.isinf(low) | np.isinf(high)  # all missing, infinite
    if not allow_constant:
        with np.errstate(invalid="ignore"):
            suspect |= ~((high - low > 1e-60) & (np.maximum(-low, high) < 1e150))
    return suspect


def _item_values(column: pd.Series, index: pd.Index, allow_constant: bool) -> np.ndarray:
    """One item's answers as floats, or AnalysisError naming the item and the rows."""
    name = column.name
    textual = column.dtype == object or pd.api.types.is_string_dtype(column)
    if pd.api.types.is_bool_dtype(column) or not (
        pd.api.types.is_numeric_dtype(column) or textual
    ):
        raise AnalysisError(f"item is of type {column.dtype}, not numeric", column=str(name))
    numeric = pd.to_numeric(column, errors="coerce")
    bad = numeric.isna() & column.notna()
    if textual:
        bad |= column.map(is_boolean).astype(bool)
    if bad.any():
        raise AnalysisError(
            f"non-numeric value(s) such as {column[bad].iloc[0]!r}",
            column=str(name),
            rows=list(index[bad.to_numpy()]),
        )
    values = numeric.to_numpy(dtype=float)
    if np.isinf(values).any():
        raise AnalysisError(
            "infinite value(s)", column=str(name),
            rows=list(index[np.isinf(values)]),
        )
    observed = values[~np.isnan(values)]
    if observed.size == 0:
        raise AnalysisError("item has no observed value (all missing)", column=str(name))
    if not allow_constant and np.all(observed == observed[0]):
        raise AnalysisError(
            f"item is constant (every answer is {observed[0]:g}); its variance is 0",
            column=str(name),
        )
    spread = np.var(observed)
    if not allow_constant and not (np.isfinite(spread) and spread > 0):
        raise AnalysisError(
            "item's variance cannot be computed in floating point (values such as "
            f"{observed[0]:g}: rescale the answers)", column=str(name),
        )
    return values


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


def _is_correlation_like(data: object) -> bool:
    """A safety net, not a guess that changes the analysis: item responses are codes, so a
    square symmetric table with a unit diagonal and non-integer entries given as ``data``
    is a correlation matrix passed in the wrong argument."""
    if not isinstance(data, (pd.DataFrame, np.ndarray)) or correlation_problem(data) is not None:
        return False
    values = np.asarray(data, dtype=float)
    return bool(np.any(values != np.round(values)))


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


# --------------------------------------------------------------------------- options


def check_choice(name: str, value: object, allowed: Sequence[object]) -> None:
    """Raise :class:`OptionError` unless ``value`` is one of ``allowed``.

    Parameters
    ----------
    name : str
        The argument's name, as the user typed it (``"cor"``, ``"language"``...).
    value : object
        What the user passed.
    allowed : sequence
        The accepted values, listed in the message.

    Raises
    ------
    OptionError
        ``value`` is not among ``allowed`` (a boolean never is, nor an unhashable value).

    Examples
    --------
    >>> check_choice("cor", "pearson", ("pearson", "polychoric"))
    >>> check_choice("cor", "spearman", ("pearson", "polychoric"))
    Traceback (most recent call last):
    ...
    alliance_scale.errors.OptionError: cor must be one of 'pearson', 'polychoric'; got 'spearman'
    """
    try:
        known = not isinstance(value, (bool, np.bool_)) and any(
            type(value) is type(a) and value == a for a in allowed
        )
    except (TypeError, ValueError):  # incomparable (an array, a DataFrame...)
        known = False
    if not known:
        listed = ", ".join(repr(a) for a in allowed)
        raise OptionError(f"{name} must be one of {listed}; got {_shown(value)}")


def _shown(value: object) -> str:
    """A short repr of a user's value for a message (never a whole table)."""
    text = repr(value) if not isinstance(value, (pd.DataFrame, pd.Series, np.ndarray)) else (
        f"a {type(value).__name__} of shape {getattr(value, 'shape', '?')}"
    )
    return text if len(text) <= 80 else text[:77] + "..."


def check_integer(
    name: str, value: object, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Return ``value`` as an ``int`` or raise :class:`OptionError`.

    Python and numpy integers are accepted; booleans and every float (even ``3.0``) are
    refused, so a typo such as ``n_factors=3.0`` or ``seed=True`` is caught rather than
    silently converted.

    Parameters
    ----------
    name : str
        The argument's name (``"n_factors"``, ``"n_iter"``...).
    value : object
        What the user passed.
    minimum, maximum : int, optional
        Bounds, inclusive; none when None (default).

    Returns
    -------
    int

    Raises
    ------
    OptionError
        Not an integer, or outside the bounds; the message names ``name``.

    Examples
    --------
    >>> check_integer("n_factors", 3, minimum=1)
    3
    >>> check_integer("n_factors", 3.0)
    Traceback (most recent call last):
    ...
    alliance_scale.errors.OptionError: n_factors must be an integer; got 3.0
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise OptionError(f"{name} must be an integer; got {_shown(value)}")
    if minimum is not None and value < minimum:
        raise OptionError(f"{name} must be an integer >= {minimum}; got {value!r}")
    if maximum is not None and value > maximum:
        raise OptionError(f"{name} must be an integer <= {maximum}; got {value!r}")
    return int(value)


def check_number(
    name: str,
    value: object,
    low: float = -np.inf,
    high: float = np.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a finite ``float`` within ``[low, high]`` or raise OptionError.

    Parameters
    ----------
    name : str
        The argument's name.
    value : object
        A real number (Python or numpy); strings, booleans and None are refused.
    low, high : float, default -inf, inf
        Bounds.
    low_open, high_open : bool, default False
        Exclude the bound itself.

    Returns
    -------
    float

    Raises
    ------
    OptionError
        Not a real number, not finite, or out of bounds.

    Examples
    --------
    >>> check_number("confidence", 0.9, 0, 1, low_open=True, high_open=True)
    0.9
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise OptionError(f"{name} must be a number; got {_shown(value)}")
    number = float(value)
    below = number <= low if low_open else number < low
    above = number >= high if high_open else number > high
    if not np.isfinite(number) or below or above:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise OptionError(f"{name} must be in {left}{low:g}, {high:g}{right}; got {value!r}")
    return number


def check_share(name: str, value: object) -> float:
    """A proportion in [0, 1] (``min_answered``, rates...): :func:`check_number` on [0, 1].

    Examples
    --------
    >>> check_share("min_answered", 0.8)
    0.8
    """
    return check_number(name, value, 0.0, 1.0)


def check_frame(name: str, value: object) -> pd.DataFrame:
    """Return ``value`` if it is a pandas DataFrame with unique, flat column names.

    Raises
    ------
    OptionError
        Not a DataFrame (the type is named), or MultiIndex columns.

    Examples
    --------
    >>> check_frame("data", pd.DataFrame({"a": [1]})).shape
    (1, 1)
    """
    if not isinstance(value, pd.DataFrame):
        raise OptionError(f"{name} must be a pandas DataFrame, got {type(value).__name__}")
    if isinstance(value.columns, pd.MultiIndex):
        raise OptionError(f"{name} has MultiIndex columns; give one level of item names")
    return value


def check_matrix(name: str, value: object, *, square: bool = False) -> np.ndarray:
    """``value`` as a finite 2-D float array (a copy), or OptionError saying what is wrong.

    Parameters
    ----------
    name : str
        The argument's name (``"loadings"``, ``"correlation"``...).
    value : array-like
        A 2-D table of numbers (numpy array or DataFrame).
    square : bool, default False
        Also require as many rows as columns.

    Examples
    --------
    >>> check_matrix("loadings", [[0.7, 0.1], [0.6, 0.2]]).shape
    (2, 2)
    """
    matrix = check_array(name, value)
    if matrix.ndim != 2 or 0 in matrix.shape:
        raise OptionError(f"{name} must be a 2-D table of numbers; got shape {matrix.shape}")
    if square and matrix.shape[0] != matrix.shape[1]:
        raise OptionError(f"{name} must be square; got shape {matrix.shape}")
    if not np.isfinite(matrix).all():
        raise OptionError(f"{name} has missing or infinite values")
    return np.array(matrix, dtype=float)


def check_instance(name: str, value: object, kind: type | tuple[type, ...], hint: str = "") -> Any:
    """Return ``value`` if it is a ``kind`` (a Scale, a SimulationResult...), else OptionError.

    Parameters
    ----------
    name : str
        The argument's name.
    value : object
        What the user passed.
    kind : type
        The class expected.
    hint : str, optional
        Where such an object comes from (``"see draft_scale"``), added to the message.

    Examples
    --------
    >>> check_instance("n", 3, int)
    3
    """
    if not isinstance(value, kind):
        where = f" ({hint})" if hint else ""
        kinds = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise OptionError(f"{name} must be a {kinds}{where}, got {type(value).__name__}")
    return value


def check_array(name: str, value: object) -> np.ndarray:
    """``value`` as a float numpy array, or OptionError if it holds no numbers (text...).

    Examples
    --------
    >>> check_array("weights", [1, 2]).dtype
    dtype('float64')
    """
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise OptionError(f"{name} must hold numbers; got {_shown(value)}") from error


def check_flag(name: str, value: object) -> bool:
    """Return ``value`` if it is a boolean (Python or numpy), else raise OptionError.

    Examples
    --------
    >>> check_flag("sort", True)
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise OptionError(f"{name} must be True or False; got {_shown(value)}")
    return bool(value)


def check_seed(name: str, seed: object) -> np.random.Generator:
    """A numpy Generator from ``seed``: an integer >= 0, a Generator, or None (fresh entropy).

    Every random step of the library takes its seed through here, so ``seed=-1``,
    ``seed="abc"`` or ``seed=1.5`` are refused the same way everywhere, and the same
    integer gives the same stream (``numpy.random.default_rng``).

    Parameters
    ----------
    name : str
        The argument's name (``"seed"``).
    seed : int, numpy.random.Generator or None
        An integer >= 0, a Generator (used as is, so a caller can share one stream), or
        None.

    Returns
    -------
    numpy.random.Generator

    Raises
    ------
    OptionError
        Anything else (negative integers, floats, strings, booleans, legacy RandomState).

    Examples
    --------
    >>> int(check_seed("seed", 1).integers(10)) == int(check_seed("seed", 1).integers(10))
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise OptionError(
            f"{name} must be an integer >= 0, a numpy Generator or None; got {_shown(seed)}"
        )
    return np.random.default_rng(int(seed))


# --------------------------------------------------------------------------- data or matrix


def analysis_input(
    data: pd.DataFrame | np.ndarray | None,
    cor_matrix: pd.DataFrame | np.ndarray | None,
    n_obs: int | None,
    *,
    need_n_obs: bool = False,
) -> tuple[str, pd.DataFrame, int | None]:
    """Decide, once, whether an analysis got item responses or a correlation matrix.

    The rule (the same for :func:`~alliance_scale.efa`, :func:`~alliance_scale.kmo`,
    :func:`~alliance_scale.bartlett`, :func:`~alliance_scale.parallel_analysis`,
    :func:`~alliance_scale.map_test`, :func:`~alliance_scale.omega` and
    :func:`~alliance_scale.cronbach_alpha`):

    - ``cor_matrix=R``: a correlation matrix, checked (square, symmetric, unit diagonal);
    - ``data`` with ``n_obs``: psych's convention (``fa(r, n.obs = 500)``), so ``data`` must
      be a correlation matrix, and the message says why it is not;
    - ``data`` alone: item responses, never guessed to be a matrix.

    Parameters
    ----------
    data : DataFrame, 2-D array or None
        Item responses (respondents x items), or a correlation matrix when ``n_obs`` is
        given (psych's positional use).
    cor_matrix : DataFrame, 2-D array or None
        A correlation matrix given explicitly.
    n_obs : int or None
        Respondents behind the matrix.
    need_n_obs : bool, default False
        Refuse a matrix without ``n_obs`` (analyses whose statistics need it).

    Returns
    -------
    kind : {"items", "matrix"}
    frame : DataFrame
        The item responses as given, or the matrix as a DataFrame with item names
        (``item1``... for an array).
    n_obs : int or None

    Raises
    ------
    OptionError
        Both ``data`` and ``cor_matrix``, neither, ``n_obs`` with item responses, or a
        bad ``n_obs``.
    AnalysisError
        A matrix that is not a correlation matrix (the reason named).

    Examples
    --------
    >>> import numpy as np
    >>> kind, frame, n = analysis_input(None, np.eye(3), 100)
    >>> kind, frame.shape, n
    ('matrix', (3, 3), 100)
    """
    if n_obs is not None:
        n_obs = check_integer("n_obs", n_obs, minimum=2)
    if data is not None and cor_matrix is not None:
        raise OptionError("give either data (item responses) or cor_matrix, not both")
    if cor_matrix is None and n_obs is not None and data is not None:
        cor_matrix, data = data, None  # psych's fa(r, n.obs = 500)
        given = "data with n_obs"
    else:
        given = "cor_matrix"
    if cor_matrix is None:
        if data is None:
            raise OptionError("no data: give item responses (data) or a cor_matrix")
        if _is_correlation_like(data):
            raise OptionError(
                "data looks like a correlation matrix (square, symmetric, unit diagonal, "
                "non-integer values): pass it as cor_matrix=..., with n_obs= where the "
                "analysis needs the number of respondents"
            )
        return "items", data, None
    if not isinstance(cor_matrix, (pd.DataFrame, np.ndarray)):
        raise OptionError(
            f"{given} must be a DataFrame or a 2-D numpy array; got {type(cor_matrix).__name__}"
        )
    problem = correlation_problem(cor_matrix)
    if problem is not None:
        hint = (" (n_obs goes with a correlation matrix; leave it out for item responses)"
                if given == "data with n_obs" else "")
        raise AnalysisError(f"{given} is not a correlation matrix: {problem}{hint}")
    if need_n_obs and n_obs is None:
        raise OptionError("n_obs is needed with a correlation matrix (respondents behind it)")
    if isinstance(cor_matrix, pd.DataFrame):
        frame = cor_matrix.astype(float)
        if list(frame.index) != list(frame.columns):
            raise AnalysisError("cor_matrix's row and column names differ")
    else:
        names = [f"item{j + 1}" for j in range(cor_matrix.shape[0])]
        frame = pd.DataFrame(np.asarray(cor_matrix, dtype=float), index=names, columns=names)
    return "matrix", frame, n_obs
