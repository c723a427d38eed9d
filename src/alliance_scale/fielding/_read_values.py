"""Answers to response codes, checked column by column without a loop over respondents.

Each item column is factorised (``pandas.factorize``): every distinct value is classified
once (blank, number, anchor label in either language, boolean, anything else) and the
classification is spread back to the rows by the factor codes, so a 310,000-row export costs
one factorisation per column, whatever the platform wrote (codes, labels, numbers as text).
Then the codes are checked against the response range. Every invalid answer either raises
a :class:`~alliance_scale.errors.ResponseError` naming the file, the column and every row
with that problem, or (``errors="flag"``) becomes missing and is described in the
``problems`` column, without quoting a respondent's text.

Hand-written because the checks are this library's rules (booleans are not codes,
``"3"`` and ``"D'accord"`` are, free text is never echoed into results); pandas and numpy
provide the vectorised pieces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._checks import code_problems, is_boolean
from ..errors import ResponseError
from ._read_common import normalise_label, text_lookup

if TYPE_CHECKING:
    from ..instrument._scale import Scale

__all__: list[str] = []

_EXAMPLE_LENGTH = 20  # characters of an invalid text value quoted in an exception message

NOT_A_CODE = "not a response code (neither a number nor an anchor label)"
BOOLEAN = "not a response code (True/False)"
FORMULA = "a spreadsheet formula, not a value (paste the values, or save the workbook "\
    "in Excel so that the results are stored)"
NOT_INTEGER = "not an integer code"

_NUMBER = re.compile(r"\A[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
#: Qualtrics' code for a question seen but not answered (export option), read as missing.
SEEN_UNANSWERED = -99.0

#: Item columns checked together (bounded temporaries, whatever the number of columns).
_CHUNK = 256

# kinds of distinct values
_BLANK, _CODE, _BOOL, _TEXT = 0, 1, 2, 3


def plain_value(value: object) -> str:
    """A number as a reader writes it (``9``, ``9.5``, never ``np.float64(9.0)``); a boolean
    as ``True``/``False``; anything else as its quoted text trimmed to 20 characters.

    Used in exception messages only: a result never stores a respondent's free text.

    Parameters
    ----------
    value : object
        An answer as read (number, boolean, text...).

    Returns
    -------
    str

    Examples
    --------
    >>> plain_value(np.float64(9.0)), plain_value(True)
    ('9', 'True')
    >>> plain_value("my therapist said something very private")
    "'my therapist said so'..."
    """
    if is_boolean(value):
        return str(bool(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return f"{float(value):.15g}"
    text = str(value)
    return repr(text[:_EXAMPLE_LENGTH]) + ("..." if len(text) > _EXAMPLE_LENGTH else "")


def label_codes(scale: Scale) -> dict[str, int]:
    """Normalised anchor label (either language) -> response code; a label meaning two codes
    (in the two languages) is left out."""
    found: dict[str, int] = {}
    for language in ("fr", "en"):
        labels = scale.response_format.labels(language)
        for normal, code in text_lookup({str(c): t for c, t in
                                         enumerate(labels, scale.min_value)}).items():
            if found.setdefault(normal, int(code)) != int(code):
                found[normal] = -1
    return {k: v for k, v in found.items() if v >= 0}


def _classify(value: object, labels: Mapping[str, int], value_labels: Mapping[float, int]
              ) -> tuple[int, float]:
    """(kind, code) of one distinct value."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return _BLANK, np.nan
    if is_boolean(value):
        return _BOOL, np.nan
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        return _CODE, float(value_labels.get(number, number))
    text = str(value).strip()
    if not text:
        return _BLANK, np.nan
    if _NUMBER.match(text):
        number = float(text)
        return _CODE, float(value_labels.get(number, number))
    code = labels.get(normalise_label(text))
    return (_CODE, float(code)) if code is not None else (_TEXT, np.nan)


def code_column(
    column: pd.Series, labels: Mapping[str, int], value_labels: Mapping[float, int],
    low: float, high: float, minus_99_missing: bool,
) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
    """Codes of one item column (float, NaN = missing) and its problems (kind, row mask)."""
    if pd.api.types.is_bool_dtype(column):
        values = np.full(len(column), np.nan)
        problems = [(BOOLEAN, column.notna().to_numpy())]
    elif pd.api.types.is_numeric_dtype(column) and not value_labels:
        values = column.to_numpy(dtype=float, na_value=np.nan)
        problems = []
    else:
        boolean = np.zeros(len(column), dtype=bool)
        if column.dtype == object and pd.api.types.infer_dtype(column) not in (
                "string", "empty", "integer", "floating"):
            # True == 1 to a hash table: booleans are set apart before factorising
            boolean = column.map(is_boolean).to_numpy(dtype=bool)
            column = column.where(~boolean, None)
        factor, uniques = pd.factorize(column, use_na_sentinel=True)
        classified = [_classify(u, labels, value_labels) for u in uniques]
        kinds = np.array([k for k, _ in classified] + [_BLANK], dtype=np.int8)
        codes = np.array([c for _, c in classified] + [np.nan], dtype=float)
        factor = np.where(factor < 0, len(uniques), factor)
        values = codes[factor]
        row_kinds = kinds[factor]
        problems = [(BOOLEAN, boolean | (row_kinds == _BOOL)), (NOT_A_CODE, row_kinds == _TEXT)]
    if minus_99_missing:
        values = np.where(values == SEEN_UNANSWERED, np.nan, values)
    not_integer, outside = code_problems(values, low, high)
    problems.append((NOT_INTEGER, not_integer))
    problems.append((f"outside the response range {low:g}-{high:g}", outside))
    return values, [(kind, mask) for kind, mask in problems if mask.any()]


def spss_value_codes(value_labels: Mapping[float, str], labels: Mapping[str, int]
                     ) -> dict[float, int]:
    """SPSS value -> response code through the value's label, where it is an anchor label."""
    found = {}
    for value, text in value_labels.items():
        code = labels.get(normalise_label(text))
        if code is not None:
            found[float(value)] = code
    return found


def _note(item_id: str, kind: str, original: object, code: float, scale: Scale) -> str:
    """One invalid answer for the ``problems`` column, never echoing a respondent's text."""
    if kind == BOOLEAN:
        return f"{item_id}: {bool(original)}, {kind}"
    if kind == NOT_A_CODE:
        what = "text" if isinstance(original, str) else type(original).__name__
        return f"{item_id}: {what}, not a response code"
    if kind == FORMULA:
        return f"{item_id}: formula, not a value"
    if kind == NOT_INTEGER:
        return f"{item_id}: {plain_value(code)} {kind}"
    return f"{item_id}: {plain_value(code)} outside {scale.min_value}-{scale.max_value}"


def code_items(
    data: pd.DataFrame,
    positions: list[int],
    scale: Scale,
    *,
    errors: str,
    file: str,
    rows: pd.Index,
    value_labels: Mapping[int, Mapping[float, str]],
    formulas: Mapping[int, tuple[np.ndarray, list[str]]],
    minus_99_missing: bool = False,
) -> tuple[np.ndarray, dict[int, list[str]]]:
    """The items as a respondents x items float matrix, and the problems of each row.

    ``positions`` are the columns of ``data`` holding the items, in the scale's order;
    ``rows`` are the row labels used in messages; ``value_labels`` (SPSS) and ``formulas``
    (Excel: the mask of an item's formula cells and their formulas) are keyed by column.
    Numeric columns without value labels or formulas are converted and range-checked as
    one block; the others one by one (:func:`code_column`).
    """
    labels = label_codes(scale)
    low, high = float(scale.min_value), float(scale.max_value)
    # Fortran order: each item column is contiguous (filled and checked in place), and the
    # result's float block is this array's transpose, without a copy
    matrix = np.empty((len(rows), len(positions)), dtype=float, order="F")
    dtypes = data.dtypes.to_numpy()
    block = [j for j, p in enumerate(positions)
             if p not in value_labels and p not in formulas
             and pd.api.types.is_numeric_dtype(dtypes[p])
             and not pd.api.types.is_bool_dtype(dtypes[p])]
    for j in block:
        column = data.iloc[:, positions[j]]
        if isinstance(dtypes[positions[j]], np.dtype):  # int or float: copied as is
            matrix[:, j] = column.to_numpy()
        else:  # a nullable extension type (Int64, Float64): pd.NA becomes NaN
            matrix[:, j] = column.to_numpy(dtype=float, na_value=np.nan)
    suspect: set[int] = set()
    contiguous = block == list(range(len(positions)))
    for start in range(0, len(block), _CHUNK):
        chosen = block[start:start + _CHUNK]
        # a view when every item column is numeric (the usual export), else a copy
        values = (matrix[:, start:start + len(chosen)] if contiguous else matrix[:, chosen])
        if minus_99_missing:
            values[values == SEEN_UNANSWERED] = np.nan
            if not contiguous:
                matrix[:, chosen] = values
        # columns with a problem, from their extremes and fractional parts (fmin/fmax skip
        # NaN without copying); code_column then describes those columns exactly
        with np.errstate(invalid="ignore"):
            fraction = np.fmod(values, 1.0)
            odd = ((np.fmin.reduce(values, axis=0) < low)
                   | (np.fmax.reduce(values, axis=0) > high)
                   | (np.fmax.reduce(np.abs(fraction, out=fraction), axis=0) > 0))
        suspect.update(chosen[k] for k in np.flatnonzero(odd))
    fast = set(block) - suspect
    notes: dict[int, list[str]] = {}
    for j, position in enumerate(positions):
        if j in fast:
            continue
        item_id = scale.item_ids[j]
        column = data[position]
        mapping = spss_value_codes(value_labels.get(position, {}), labels)
        codes, problems = code_column(column, labels, mapping, low, high, minus_99_missing)
        values = codes
        if position in formulas:
            mask, _ = formulas[position]
            values = np.where(mask, np.nan, values)
            problems = [(k, m & ~mask) for k, m in problems if (m & ~mask).any()]
            problems.insert(0, (FORMULA, mask))
        for kind, mask in problems:
            where = np.flatnonzero(mask)
            if errors == "raise":
                first = where[0]
                if kind == FORMULA:
                    shown = repr(formulas[position][1][0][:_EXAMPLE_LENGTH])
                elif kind in (BOOLEAN, NOT_A_CODE):
                    shown = plain_value(column.iloc[first])
                else:
                    shown = plain_value(codes[first])
                raise ResponseError(f"{kind}, such as {shown}", file=file, column=item_id,
                                    rows=list(rows[where]))
            for row in where:
                notes.setdefault(int(row), []).append(
                    _note(item_id, kind, column.iloc[row], codes[row], scale))
            values = np.where(mask, np.nan, values)
        matrix[:, j] = values
    return matrix, notes


_LEADING_ZERO = re.compile(r"\A[+-]?0\d")


def metadata_column(column: pd.Series) -> np.ndarray:
    """A column that is not an item: numbers when every value is a plain finite number that
    reads back the same (no leading zero as in ``007`` or a ZIP code ``07501``, at most 15
    significant digits so that long ids do not collide), text otherwise.

    Examples
    --------
    >>> metadata_column(pd.Series(["38", "44"])).tolist()
    [38, 44]
    >>> metadata_column(pd.Series(["07501", "75001"])).tolist()
    ['07501', '75001']
    """
    return metadata_columns(column.to_frame(), [0])[0]


def metadata_columns(frame: pd.DataFrame, positions: list[int]) -> list[np.ndarray]:
    """:func:`metadata_column` of the columns of ``frame`` at ``positions``, vectorised over
    the columns: a fixed number of array operations on all their cells at once, so that a
    header of 100,000 metadata columns costs what a column of as many cells does."""
    width, n = len(positions), len(frame)
    out: list[np.ndarray | None] = [None] * width
    all_dtypes = frame.dtypes.to_numpy()
    dtypes = [all_dtypes[p] for p in positions]
    by_dtype: dict[object, list[int]] = {}
    text: list[int] = []
    for k, dtype in enumerate(dtypes):
        if dtype != np.dtype(object) and (pd.api.types.is_numeric_dtype(dtype)
                                or pd.api.types.is_bool_dtype(dtype)):
            by_dtype.setdefault(dtype, []).append(k)
        else:
            text.append(k)
    for dtype, ks in by_dtype.items():
        if isinstance(dtype, np.dtype):
            block = frame.iloc[:, [positions[k] for k in ks]].to_numpy()
            for j, k in enumerate(ks):
                out[k] = block[:, j]
        else:  # an extension type (Int64, boolean) of a DataFrame: as it is
            for k in ks:
                out[k] = frame.iloc[:, positions[k]].to_numpy()
    if not text:
        return out  # type: ignore[return-value]
    block = frame.iloc[:, [positions[k] for k in text]].to_numpy(dtype=object)
    for j, k in enumerate(text):
        out[k] = block[:, j]
    present = ~pd.isna(block)
    # a column is decided by its first value unless that looks like a number (names, dates)
    first = block[present.argmax(axis=0), np.arange(len(text))]
    candidate = np.flatnonzero(present.any(axis=0) & np.fromiter(
        (isinstance(v, str) and _NUMBER.match(v.strip()) is not None for v in first),
        dtype=bool, count=len(text)))
    if not candidate.size:
        return out  # type: ignore[return-value]
    cells = block[:, candidate].T.ravel()  # column after column
    mask = present[:, candidate].T.ravel()
    where = np.flatnonzero(mask)
    owner = where // n  # candidate column of each present cell
    values = cells[where]
    is_text = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
    stripped = pd.Series(values[is_text], dtype=object).str.strip()
    good = np.zeros(len(values), dtype=bool)
    good[is_text] = stripped.str.match(_NUMBER).to_numpy(dtype=bool)
    checked = stripped[good[is_text]]
    digits = checked.str.replace(r"[eE].*\Z|[^0-9]", "", regex=True).str.lstrip("0")
    plain = ~checked.str.match(_LEADING_ZERO).to_numpy(dtype=bool) & (
        digits.str.len().to_numpy() <= 15)
    numbers = pd.to_numeric(checked, errors="coerce").astype(float).to_numpy()  # overflow: NaN
    plain &= np.isfinite(numbers)  # 1e400 and the like stay text
    good[np.flatnonzero(good)[~plain]] = False
    bad_columns = np.bincount(owner[~good], minlength=candidate.size) > 0
    grid = np.full(candidate.size * n, np.nan)
    grid[where[good]] = numbers[plain]
    grid = grid.reshape(candidate.size, n)
    complete = np.bincount(owner, minlength=candidate.size) == n
    fraction = np.bincount(owner[good], weights=(grid.ravel()[where[good]] % 1 != 0),
                           minlength=candidate.size) > 0
    for j in np.flatnonzero(~bad_columns):
        k = text[candidate[j]]
        out[k] = grid[j].astype(np.int64) if complete[j] and not fraction[j] else grid[j]
    return out  # type: ignore[return-value]
