"""Responses for IRT: validated, recoded to 0 .. K-1 per item, and collapsed to patterns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..._checks import as_item_frame
from ..._warn import warn_user
from ...errors import AllianceScaleWarning, AnalysisError

__all__: list[str] = []

#: Below this many respondents estimates are unstable (a warning, as mirt prints none).
SMALL_N = 50
#: A category chosen by fewer respondents gives an unstable intercept (a warning).
SPARSE_CATEGORY = 5


@dataclass(frozen=True)
class Patterns:
    """Distinct response patterns, their counts, and each respondent's pattern."""

    codes: np.ndarray  # patterns x items, -1 missing
    counts: np.ndarray  # float
    inverse: np.ndarray  # respondent -> pattern


@dataclass(frozen=True)
class Coded:
    """Integer codes (respondents x items, -1 for a missing answer) and their categories."""

    codes: np.ndarray
    items: tuple[str, ...]
    categories: tuple[tuple[float, ...], ...]  # observed answer values per item, ascending
    index: pd.Index
    #: The distinct patterns when the quick path found them (None: :func:`collapse` them).
    patterns: Patterns | None = None

    @property
    def n_categories(self) -> np.ndarray:
        return np.array([len(c) for c in self.categories])

    def distinct(self) -> Patterns:
        """The distinct response patterns (found once, by the quick path, or now)."""
        return self.patterns if self.patterns is not None else collapse(
            self.codes, self.n_categories)


def code_responses(data: pd.DataFrame | np.ndarray, what: str = "data") -> Coded:
    """Check answers and code each item's observed values as 0 .. K-1 (mirt's recoding).

    Raises :class:`AnalysisError` naming the item for a non-integer or constant item; warns
    (naming item and value) when a value inside an item's range was never chosen (the
    category is collapsed: codes stay consecutive, as mirt does), and when n < 50.
    """
    frame = as_item_frame(data, min_items=2, min_rows=2, what=what)
    values = frame.to_numpy(dtype=float)
    items = tuple(str(c) for c in frame.columns)
    quick = _consecutive_codes(values)
    if quick is not None:
        codes, categories, patterns = quick
        return _checked(Coded(codes, items, categories, frame.index, patterns), frame,
                        values.shape[0])
    codes = np.full(values.shape, -1, dtype=np.int64)
    categories = []
    gaps = []
    sparse = []
    for j, name in enumerate(items):
        column = values[:, j]
        seen = ~np.isnan(column)
        observed = column[seen]
        fractional = observed != np.round(observed)
        if fractional.any():
            rows = list(frame.index[np.flatnonzero(seen)[fractional]])
            raise AnalysisError(
                f"IRT needs integer answers (ordered categories); got {observed[fractional][0]:g}",
                column=name, rows=rows,
            )
        levels = np.unique(observed)
        if levels.size < 2:  # pragma: no cover - as_item_frame refuses constant items
            raise AnalysisError("item has fewer than 2 categories", column=name)
        missing = sorted(set(range(int(levels[0]), int(levels[-1]) + 1)) - set(levels.astype(int)))
        if missing:
            gaps.append(f"{name!r} (never answered: {', '.join(str(m) for m in missing)})")
        codes[seen, j] = np.searchsorted(levels, observed)
        categories.append(tuple(float(v) for v in levels))
        counts = np.bincount(codes[seen, j], minlength=levels.size)
        for value, count in zip(levels, counts, strict=True):
            if count < SPARSE_CATEGORY:
                sparse.append(f"{name!r} = {value:g} ({count})")
    if gaps:
        warn_user(
            "categories nobody chose were collapsed (the next category takes their code, as "
            "mirt does): " + "; ".join(gaps), AllianceScaleWarning,
        )
    if sparse:
        warn_user(
            f"categories chosen by fewer than {SPARSE_CATEGORY} respondents (their intercepts "
            "rest on few answers and have large SEs; consider merging them with a "
            "neighbour): " + "; ".join(sparse), AllianceScaleWarning,
        )
    return _checked(Coded(codes, items, tuple(categories), frame.index), frame, values.shape[0])


def _consecutive_codes(values: np.ndarray) -> tuple[np.ndarray, tuple, Patterns] | None:
    """Codes, categories and patterns at once when every answer is an integer and each
    item's values are consecutive, each chosen at least ``SPARSE_CATEGORY`` times (the usual
    case: no error, no warning); None otherwise (the item-by-item path then names what is
    wrong).

    A few passes over the table, each along its columns (``values`` is column-major, as
    :func:`~alliance_scale._checks.as_item_frame` returns it); the category counts come from
    the distinct patterns, not from the respondents.
    """
    low = np.fmin.reduce(values, axis=0)
    span = np.fmax.reduce(values, axis=0) - low
    if not np.all(np.isfinite(span)) or span.max() > 100 or np.any(low != np.round(low)):
        return None
    offset = values - low
    missing = np.isnan(offset)
    if missing.any():
        offset[missing] = -1.0
    codes = offset.astype(np.int64)  # the layout of values (column-major)
    n_cat = span.astype(np.int64) + 1
    patterns = collapse(codes, n_cat, float_codes=offset)
    offset -= codes  # fractional parts: offsets are >= 0, so they sum to 0 iff all are 0
    if offset.sum() != 0.0:
        return None
    counts = category_counts(patterns.codes, n_cat, patterns.counts)
    inside = np.arange(counts.shape[1])[None, :] < n_cat[:, None]
    if np.any(inside & (counts < SPARSE_CATEGORY)):
        return None
    categories = tuple(tuple(float(v) for v in np.arange(lo, lo + s + 1))
                       for lo, s in zip(low.tolist(), span.tolist(), strict=True))
    return codes, categories, patterns


def category_counts(codes: np.ndarray, n_cat: np.ndarray,
                    weights: np.ndarray | None = None) -> np.ndarray:
    """Items x max(n_cat) answers per category (0 beyond an item's categories) of ``codes``
    (-1 missing), each row counted ``weights`` times (distinct patterns and their counts)."""
    n_items, width = codes.shape[1], int(n_cat.max())
    seen = codes >= 0
    cells = (codes + np.arange(n_items) * width)[seen]
    rows = None if weights is None else np.broadcast_to(weights[:, None], seen.shape)[seen]
    return np.bincount(cells, weights=rows, minlength=n_items * width).reshape(n_items, width)


def _checked(coded: Coded, frame: pd.DataFrame, n_rows: int) -> Coded:
    """Refuse respondents without any answer; warn below ``SMALL_N`` respondents."""
    if coded.patterns is None:
        answered = (coded.codes >= 0).any(axis=1)
    else:  # a respondent without an answer has the all-missing pattern
        answered = (coded.patterns.codes >= 0).any(axis=1)[coded.patterns.inverse]
    if not answered.all():
        rows = list(frame.index[~answered])
        raise AnalysisError(
            "respondent(s) with no answer at all carry no information; remove them",
            rows=rows,
        )
    if n_rows < SMALL_N:
        warn_user(
            f"only {n_rows} respondents: IRT estimates from fewer than {SMALL_N} are "
            "unstable (standard errors are large and slopes may run away)",
            AllianceScaleWarning,
        )
    return coded


#: Tally patterns in a table of every possible pattern up to this many cells (one pass
#: over the respondents instead of a sort).
_TALLY_CELLS = 1 << 20


def collapse(codes: np.ndarray, n_cat: np.ndarray | None = None,
             float_codes: np.ndarray | None = None) -> Patterns:
    """Distinct rows of ``codes`` in lexicographic order (mirt's order of patterns).

    Each row is numbered in the mixed radix of the items' codes (``code + 1``, the first
    item most significant: the same order; ``n_cat``, the items' numbers of categories,
    gives the radix without a pass over the table). Below 2^53 they are formed by one
    matrix-vector product in floating point (exact there), below 2^62 in integers; when every
    possible pattern fits in a table of ``_TALLY_CELLS`` the patterns are tallied in it
    (one pass), otherwise the numbers are sorted (one 1-D sort, many times faster than
    sorting rows). Beyond 2^62 the rows themselves are sorted. ``float_codes``: the same
    codes as floats, when the caller has them (saves a copy of the table).
    """
    if codes.size and codes.shape[0] > 1:
        top = codes.max(axis=0) if n_cat is None else np.asarray(n_cat) - 1
        base = top.astype(np.int64) + 2  # digits 0 (missing) .. max + 1
        bits = np.sum(np.log2(base.astype(float)))
        if bits < 62:
            weights = np.ones(codes.shape[1], dtype=np.int64)
            weights[:-1] = np.cumprod(base[::-1])[::-1][1:]
            if bits < 53:  # exact in floating point: a BLAS product (int @ float is not)
                as_float = codes.astype(float) if float_codes is None else float_codes
                keys = (as_float @ weights.astype(float)).astype(np.int64) + int(weights.sum())
            else:
                keys = (codes + 1) @ weights
            size = int(np.prod(base.astype(float)))
            if size <= _TALLY_CELLS:
                tally = np.bincount(keys, minlength=size)
                present = np.flatnonzero(tally)
                rank = np.zeros(size, dtype=np.int64)
                rank[present] = np.arange(present.size)
                digits = present[:, None] // weights % base - 1
                return Patterns(digits, tally[present].astype(float), rank[keys])
            _, first, inverse, counts = np.unique(
                keys, return_index=True, return_inverse=True, return_counts=True)
            return Patterns(np.ascontiguousarray(codes[first]), counts.astype(float),
                            inverse.ravel())
    unique, inverse, counts = np.unique(codes, axis=0, return_inverse=True, return_counts=True)
    return Patterns(unique, counts.astype(float), inverse.ravel())


def one_hot(codes: np.ndarray, offsets: np.ndarray, n_columns: int) -> np.ndarray:
    """Patterns x columns indicator of the chosen category of each item (0 when missing)."""
    out = np.zeros((codes.shape[0], n_columns))
    rows, items = np.nonzero(codes >= 0)
    out[rows, offsets[items] + codes[rows, items]] = 1.0
    return out
