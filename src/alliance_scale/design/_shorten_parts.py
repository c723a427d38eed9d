"""The parts of a short-form objective, computed for many candidates at once.

A candidate is scored from its CFA (composite reliability, RMSEA, SRMR: stuart's default
objective, :func:`stuart_objective`) and, for ``objective="validity"`` or when asked, from
what the short form keeps of the full form:

* ``r full``: the correlation of the short form's sum score with the full pool's (a facet,
  or every facet of a joint model), from the calibration covariances (Smith, McCarthy &
  Anderson 2000: a short form must be shown to measure what the full form measures);
* ``bordin gap``: the largest change, short minus full, of the pre-registered Bordin
  correlations (the blueprint's convergent hypotheses, :func:`~alliance_scale.
  blueprint_hypotheses`, with the WAI goal / task / bond columns), over the subscales the
  candidate belongs to;
* ``information``: the mean IRT test information of the candidate's items over
  theta in [-2, 2] (21 points), from Samejima's graded model of each facet's whole pool
  (:func:`~alliance_scale.irt`, optional: ``irt=True``; the items' parameters are
  calibrated once per facet, so a candidate's information is a sum).

Every part is computed from sums of item weights, so a batch of B candidates is a few
matrix products over a (B, items) weight matrix.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["OBJECTIVES", "stuart_objective"]

#: Objectives :func:`~alliance_scale.shorten` knows by name.
OBJECTIVES = ("stuart", "reliability", "validity", "information")
#: The theta grid of the information part.
THETA_GRID = np.linspace(-2.0, 2.0, 21)
#: Where the validity terms are centred (stuart's pnorm form): r full .90 (scale .05),
#: Bordin gap .03 (the tolerance of issue #22, scale .01).
R_FULL_CENTRE, R_FULL_SCALE = 0.90, 0.05
BORDIN_CENTRE, BORDIN_SCALE = 0.03, 0.01


def _pnorm(x: float, mean: float, sd: float) -> float:
    return 0.5 * math.erfc(-(x - mean) / (sd * math.sqrt(2.0)))


def stuart_objective(crel: float, rmsea: float, srmr: float) -> float:
    """stuart's default objective (``fixedobjective()``): higher is better, at most 3.

    ``pnorm(crel, .80, .075) + pnorm(rmsea, .05, .015, lower = FALSE) + pnorm(srmr, .05,
    .015, lower = FALSE)``, the defaults of stuart's ``fixedobjective(criteria = c("rmsea",
    "srmr", "crel"))`` (Schultze 2017, R package stuart, ``R/fixedobjective.R``).

    Parameters
    ----------
    crel : float
        Composite reliability of the candidate (0-1).
    rmsea, srmr : float
        Its fit (0 for a saturated model).

    Returns
    -------
    float

    Examples
    --------
    >>> round(stuart_objective(0.80, 0.05, 0.05), 3)
    1.5
    """
    return (_pnorm(crel, 0.80, 0.075) + 1.0 - _pnorm(rmsea, 0.05, 0.015)
            + 1.0 - _pnorm(srmr, 0.05, 0.015))


def objective_values(name: str, frame: pd.DataFrame) -> np.ndarray:
    """The objective of every row of a candidates' frame (inadmissible: 0, as stuart)."""
    from scipy.special import ndtr

    crel = frame["crel"].to_numpy(float)
    if name == "reliability":
        value = crel
    elif name == "information":
        value = frame["information"].to_numpy(float)
    else:
        rmsea = np.nan_to_num(frame["rmsea"].to_numpy(float), nan=0.0)
        srmr = np.nan_to_num(frame["srmr"].to_numpy(float), nan=0.0)
        value = (ndtr((crel - 0.80) / 0.075) + ndtr(-(rmsea - 0.05) / 0.015)
                 + ndtr(-(srmr - 0.05) / 0.015))
        if name == "validity":
            r_full = frame["r full"].to_numpy(float)
            gap = frame["bordin gap"].to_numpy(float)
            value = value + np.nan_to_num(ndtr((r_full - R_FULL_CENTRE) / R_FULL_SCALE))
            # no Bordin pair for the candidate: the term is 1 (nothing to lose)
            value = value + np.where(np.isnan(gap), 1.0,
                                     ndtr(-(gap - BORDIN_CENTRE) / BORDIN_SCALE))
    admissible = frame["admissible"].to_numpy(bool)
    return np.where(admissible & np.isfinite(value), value, 0.0)


class Parts:
    """Full-form correlation, Bordin gap and IRT information of candidates.

    ``data``: the calibration part's items (reverse-keyed items recoded) and the criterion
    columns; ``pools``: facet -> its items; ``pairs``: (facets of a subscale, criterion
    column) of the Bordin hypotheses; ``irt``: compute the information part.
    """

    def __init__(self, data: pd.DataFrame, pools: Mapping[str, Sequence[str]],
                 pairs: Sequence[tuple[frozenset[str], str]], irt: bool) -> None:
        self.items = [i for items in pools.values() for i in items]
        self.position = {i: k for k, i in enumerate(self.items)}
        self.facet_of = {i: f for f, items in pools.items() for i in items}
        self.pools = {f: list(items) for f, items in pools.items()}
        criteria = sorted({c for _, c in pairs})
        frame = data[self.items + criteria].astype(float)
        self.cov = frame.cov().to_numpy()  # pairwise complete, as psych's scoring
        self.n_items = len(self.items)
        self.criteria = {c: self.n_items + k for k, c in enumerate(criteria)}
        self.pairs = list(pairs)
        self.info: dict[str, np.ndarray] = {}
        if irt:
            self._irt(data)

    def _irt(self, data: pd.DataFrame) -> None:
        from ..psychometrics import irt

        for facet, items in self.pools.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = irt(data[items], model="graded", se="none")
            self.info[facet] = fit.item_information(THETA_GRID).mean(axis=0).to_numpy()

    def _weights(self, candidates: Sequence[Sequence[str]]) -> np.ndarray:
        w = np.zeros((len(candidates), self.n_items))
        for b, items in enumerate(candidates):
            w[b, [self.position[i] for i in items]] = 1.0
        return w

    def _r(self, w: np.ndarray, full: np.ndarray, column: int | None) -> tuple:
        """r(short, full pool) when column is None, else r(short, criterion) and
        r(full, criterion)."""
        c = self.cov[: self.n_items, : self.n_items]
        var = np.einsum("bi,ij,bj->b", w, c, w)
        var_full = full @ c @ full
        with np.errstate(divide="ignore", invalid="ignore"):
            if column is None:
                return (w @ c @ full) / np.sqrt(var * var_full)
            crit = self.cov[: self.n_items, column]
            sd = np.sqrt(self.cov[column, column])
            return (w @ crit) / np.sqrt(var) / sd, (full @ crit) / np.sqrt(var_full) / sd

    def compute(self, candidates: Sequence[Sequence[str]]) -> dict[str, np.ndarray]:
        """``r full``, ``bordin gap`` and (with irt) ``information`` per candidate; the
        candidates of one call share their facets."""
        w = self._weights(candidates)
        facets = {self.facet_of[i] for i in candidates[0]}
        full = np.zeros(self.n_items)
        for f in facets:
            full[[self.position[i] for i in self.pools[f]]] = 1.0
        out = {"r full": self._r(w, full, None)}
        gaps = np.full(len(candidates), np.nan)
        for members, criterion in self.pairs:
            inside = members & facets
            if not inside:
                continue
            mask = np.zeros(self.n_items)
            for f in inside:
                mask[[self.position[i] for i in self.pools[f]]] = 1.0
            short, whole = self._r(w * mask, full * mask, self.criteria[criterion])
            gap = np.abs(short - whole)
            gaps = np.where(np.isnan(gaps) | (gap > gaps), gap, gaps)
        out["bordin gap"] = gaps
        if self.info:
            total = np.zeros(len(candidates))
            for f in facets:
                cols = [self.position[i] for i in self.pools[f]]
                total += w[:, cols] @ self.info[f]
            out["information"] = total / len(facets)
        return out


def bordin_pairs(scale: Any, responses: pd.DataFrame,
                 pools: Mapping[str, Sequence[str]]) -> list[tuple[frozenset[str], str]]:
    """(facets of a subscale, criterion column) of the blueprint's Bordin hypotheses
    whose criterion is a column of ``responses`` (``wai_goal`` or ``goal``...)."""
    from ..instrument._scale import Scale

    if not isinstance(scale, Scale):
        return []
    from ..validity import blueprint_hypotheses

    dimension = {i.facet: i.dimension for i in scale.items}
    out: set[tuple[frozenset[str], str]] = set()
    for hypothesis in blueprint_hypotheses():
        for subscale, criterion in hypothesis.pairs:
            column = next((c for c in (f"wai_{criterion}", criterion)
                           if c in responses.columns), None)
            if column is None:
                continue
            if subscale == "total":
                members = frozenset(pools)
            else:
                members = frozenset(f for f in pools
                                    if f == subscale or dimension.get(f) == subscale)
            if members:
                out.add((members, column))
    return sorted(out, key=lambda p: (sorted(p[0]), p[1]))
