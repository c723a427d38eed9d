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
    answered = (codes >= 0).any(axis=1)
    if not answered.all():
        rows = list(frame.index[~answered])
        raise AnalysisError(
            "respondent(s) with no answer at all carry no information; remove them",
            rows=rows,
        )
    if values.shape[0] < SMALL_N:
        warn_user(
            f"only {values.shape[0]} respondents: IRT estimates from fewer than {SMALL_N} are "
            "unstable (standard errors are large and slopes may run away)",
            AllianceScaleWarning,
        )
    return Coded(codes, items, tuple(categories), frame.index)


@dataclass(frozen=True)
class Patterns:
    """Distinct response patterns, their counts, and each respondent's pattern."""

    codes: np.ndarray  # patterns x items, -1 missing
    counts: np.ndarray  # float
    inverse: np.ndarray  # respondent -> pattern


def collapse(codes: np.ndarray) -> Patterns:
    """Distinct rows of ``codes`` in lexicographic order (mirt's order of patterns)."""
    unique, inverse, counts = np.unique(codes, axis=0, return_inverse=True, return_counts=True)
    return Patterns(unique, counts.astype(float), inverse.ravel())


def one_hot(codes: np.ndarray, offsets: np.ndarray, n_columns: int) -> np.ndarray:
    """Patterns x columns indicator of the chosen category of each item (0 when missing)."""
    out = np.zeros((codes.shape[0], n_columns))
    rows, items = np.nonzero(codes >= 0)
    out[rows, offsets[items] + codes[rows, items]] = 1.0
    return out
