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
class Coded:
    """Integer codes (respondents x items, -1 for a missing answer) and their categories."""

    codes: np.ndarray
    items: tuple[str, ...]
    categories: tuple[tuple[float, ...], ...]  # observed answer values per item, ascending
    index: pd.Index

    @property
    def n_categories(self) -> np.ndarray:
        return np.array([len(c) for c in self.categories])


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
        return _checked(Coded(quick[0], items, quick[1], frame.index), frame, values.shape[0])
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


def _consecutive_codes(values: np.ndarray) -> tuple[np.ndarray, tuple] | None:
    """Codes and categories at once when every answer is an integer and each item's values
    are consecutive, each chosen at least ``SPARSE_CATEGORY`` times (the usual case: no
    error, no warning); None otherwise (the item-by-item path then names what is wrong)."""
    low = np.fmin.reduce(values, axis=0)
    span = np.fmax.reduce(values, axis=0) - low
    if not np.all(np.isfinite(span)) or span.max() > 100 or np.any(low != np.round(low)):
        return None
    seen = ~np.isnan(values)
    offset = np.where(seen, values - low, 0.0)
    codes = offset.astype(np.int64)
    if np.any(codes != offset):
        return None
    n_items, width = values.shape[1], int(span.max()) + 1
    counts = np.bincount((codes + np.arange(n_items) * width)[seen],
                         minlength=n_items * width).reshape(n_items, width)
    inside = np.arange(width)[None, :] <= span[:, None]
    if np.any(inside & (counts < SPARSE_CATEGORY)):
        return None
    codes = np.ascontiguousarray(np.where(seen, codes, -1))
    categories = tuple(tuple(float(v) for v in np.arange(lo, lo + s + 1))
                       for lo, s in zip(low.tolist(), span.tolist(), strict=True))
    return codes, categories


def _checked(coded: Coded, frame: pd.DataFrame, n_rows: int) -> Coded:
    """Refuse respondents without any answer; warn below ``SMALL_N`` respondents."""
    answered = (coded.codes >= 0).any(axis=1)
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


@dataclass(frozen=True)
class Patterns:
    """Distinct response patterns, their counts, and each respondent's pattern."""

    codes: np.ndarray  # patterns x items, -1 missing
    counts: np.ndarray  # float
    inverse: np.ndarray  # respondent -> pattern


def collapse(codes: np.ndarray) -> Patterns:
    """Distinct rows of ``codes`` in lexicographic order (mirt's order of patterns).

    When every pattern has a number below 2^62 in the mixed radix of the items' codes
    (``code + 1``, the first item most significant: the same order), the rows are sorted
    as those numbers (one 1-D sort, many times faster than sorting rows); otherwise as rows.
    """
    if codes.size and codes.shape[0] > 1:
        base = codes.max(axis=0).astype(np.int64) + 2  # digits 0 (missing) .. max + 1
        if np.sum(np.log2(base.astype(float))) < 62:
            weights = np.ones(codes.shape[1], dtype=np.int64)
            weights[:-1] = np.cumprod(base[::-1])[::-1][1:]
            keys = (codes + 1) @ weights
            _, first, inverse, counts = np.unique(
                keys, return_index=True, return_inverse=True, return_counts=True)
            return Patterns(codes[first], counts.astype(float), inverse.ravel())
    unique, inverse, counts = np.unique(codes, axis=0, return_inverse=True, return_counts=True)
    return Patterns(unique, counts.astype(float), inverse.ravel())


def one_hot(codes: np.ndarray, offsets: np.ndarray, n_columns: int) -> np.ndarray:
    """Patterns x columns indicator of the chosen category of each item (0 when missing)."""
    out = np.zeros((codes.shape[0], n_columns))
    rows, items = np.nonzero(codes >= 0)
    out[rows, offsets[items] + codes[rows, items]] = 1.0
    return out
