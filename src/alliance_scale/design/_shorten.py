"""Short forms: the items of the fielded scale chosen from the draft pool (issue #22).

:func:`shorten` keeps ``per_facet`` items of every facet of a :class:`~alliance_scale.Scale`
under the blueprint's constraints (every leaf theme kept, anchors fixed, items excluded,
reverse-keyed items kept or dropped) and scores each candidate set as R's stuart does
(Schultze & Eid 2018): the facet's one-factor model is fitted, a candidate whose estimate is
improper (a negative variance, no convergence, an error) is *inadmissible* and counted with
its reason, and an admissible one is scored by an objective of its composite reliability and
fit (stuart's ``fixedobjective()`` by default, :func:`stuart_objective`).

The search decomposes by facet: the objective is a sum over facets and the constraints are
per facet, so the best scale is the best candidate of every facet, and an exact search
enumerates ``sum_f C(n_f, k)`` candidates instead of their product (a 9-facet pilot: about
1,100 fits instead of 10^17). Facets whose candidates exceed the budget are searched by a
MAX-MIN ant system (Stuetzle & Hoos 2000, as stuart's ``mmas()``), seeded. What the
decomposition does not optimise, the joint model (correlations between facets), is then
checked: the blueprint CFA of the short form is fitted on the calibration part and on the
held-out part, next to the full form's.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_choice, check_frame, check_integer, check_seed
from .._results import Report, Result, format_table, result, summary_lines
from .._warn import warn_user
from ..errors import AllianceScaleWarning, AnalysisError, OptionError
from ..instrument._scale import Scale

__all__ = ["OBJECTIVES", "ShortForm", "shorten", "stuart_objective"]

#: Objectives :func:`shorten` knows by name.
OBJECTIVES = ("stuart", "reliability")
METHODS = ("auto", "exact", "mmas")
ESTIMATORS = ("auto", "ML", "WLSMV")
REVERSED = ("any", "keep", "drop")
#: Fewest respondents in each of the calibration and the held-out part.
MIN_PART = 50
#: Tolerances of "the short form holds out" (issue #22): omega, CFI, Bordin correlations.
HOLDOUT_TOLERANCE = {"omega": 0.02, "cfi": 0.01, "bordin": 0.03}


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


def _objective(name: str, row: Mapping[str, Any]) -> float:
    if not row["admissible"]:
        return 0.0  # stuart: an inadmissible candidate gets pheromone 0
    if name == "reliability":
        return float(row["crel"])
    rmsea = row["rmsea"] if np.isfinite(row["rmsea"]) else 0.0
    srmr = row["srmr"] if np.isfinite(row["srmr"]) else 0.0
    return stuart_objective(row["crel"], rmsea, srmr)


# --- fitting one candidate ---------------------------------------------------------------

def _inadmissible(items: Sequence[str], reason: str) -> dict[str, Any]:
    return {"items": tuple(items), "admissible": False, "reason": reason, "crel": np.nan,
            "chisq": np.nan, "df": np.nan, "rmsea": np.nan, "srmr": np.nan, "cfi": np.nan}


def _fit_candidate(items: Sequence[str], data: pd.DataFrame | None, cov: pd.DataFrame | None,
                   n_obs: int, missing: str) -> dict[str, Any]:
    """One-factor model of ``items`` (marker loading 1), its crel, fit and admissibility.

    Admissible as lavaan's ``post.check`` (what stuart's ``run.lavaan`` asks): converged,
    no negative residual or factor variance.
    """
    from ..psychometrics._cfa import cfa

    model = {"F": list(items)}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if cov is not None:
                fit = cfa(cov_matrix=cov.loc[list(items), list(items)], n_obs=n_obs, model=model)
            else:
                fit = cfa(data[list(items)], model, missing=missing)
    except (AnalysisError, np.linalg.LinAlgError, FloatingPointError) as error:
        return _inadmissible(items, f"the fit failed: {error}")
    est = fit.estimates
    loadings = est.loc[est["op"] == "=~", "est"].to_numpy(float)
    var = est[(est["op"] == "~~") & (est["lhs"] == est["rhs"])]
    theta = var.loc[var["lhs"].isin(items), "est"].to_numpy(float)
    psi = float(var.loc[var["lhs"] == "F", "est"].iloc[0])
    common = loadings.sum() ** 2 * psi
    crel = common / (common + theta.sum())
    reasons = []
    if not fit.converged:
        reasons.append("the estimation did not converge")
    if (theta < 0).any():
        negative = [i for i, t in zip(items, theta, strict=True) if t < 0]
        reasons.append("some estimated ov variances are negative (" + ", ".join(negative) + ")")
    if psi <= 0:
        reasons.append("some estimated lv variances are negative")
    f = fit.fit
    return {"items": tuple(items), "admissible": not reasons, "reason": "; ".join(reasons),
            "crel": float(crel), "chisq": f.get("chisq", np.nan), "df": f.get("df", np.nan),
            "rmsea": f.get("rmsea", np.nan), "srmr": f.get("srmr", np.nan),
            "cfi": f.get("cfi", np.nan)}


def _three_item_fits(candidates: Sequence[tuple[str, ...]], cov: pd.DataFrame,
                     n_obs: int) -> list[dict[str, Any]]:
    """One-factor models of 3-item candidates, all at once (closed form).

    Three indicators identify one factor exactly (df = 0): the estimates reproduce the
    matrix, whatever the discrepancy function (ML, ULS, DWLS), so with the first loading
    fixed at 1, ``psi = s12 s13 / s23``, ``lambda2 = s23 / s13``, ``lambda3 = s23 / s12``
    and ``theta_i = s_ii - lambda_i^2 psi`` (Bollen 1989, ch. 7). Vectorised over the
    candidates: what a per-candidate iterative fit spends milliseconds on is a few array
    operations. Improper solutions (a negative variance) are kept and flagged as lavaan's
    ``post.check`` flags them.
    """
    names = list(cov.index)
    idx = np.array([[names.index(i) for i in c] for c in candidates], dtype=int)
    s = cov.to_numpy(float)
    a, b, c = idx[:, 0], idx[:, 1], idx[:, 2]
    s_ab, s_ac, s_bc = s[a, b], s[a, c], s[b, c]
    with np.errstate(divide="ignore", invalid="ignore"):
        psi = s_ab * s_ac / s_bc
        lam = np.column_stack([np.ones(len(idx)), s_bc / s_ac, s_bc / s_ab])
        theta = s[idx, idx] - lam ** 2 * psi[:, None]
        common = lam.sum(axis=1) ** 2 * psi
        crel = common / (common + theta.sum(axis=1))
    rows = []
    for k, items in enumerate(candidates):
        reasons = []
        if not np.isfinite(psi[k]) or not np.isfinite(lam[k]).all():
            reasons.append("not identified (a zero covariance between its items)")
        else:
            if (theta[k] < 0).any():
                negative = [i for i, t in zip(items, theta[k], strict=True) if t < 0]
                reasons.append("some estimated ov variances are negative ("
                               + ", ".join(negative) + ")")
            if psi[k] <= 0:
                reasons.append("some estimated lv variances are negative")
        rows.append({"items": tuple(items), "admissible": not reasons,
                     "reason": "; ".join(reasons),
                     "crel": float(crel[k]) if np.isfinite(crel[k]) else np.nan,
                     "chisq": 0.0, "df": 0.0, "rmsea": 0.0, "srmr": 0.0, "cfi": 1.0})
    return rows


# --- constraints and search ---------------------------------------------------------------

class _Facet:
    """A facet's pool, quota and constraints, and the cache of its fitted candidates."""

    def __init__(self, name: str, pool: list[str], k: int, anchors: list[str],
                 themes: Mapping[str, str], reversed_items: set[str], cover_themes: bool,
                 reversed_rule: str) -> None:
        self.name, self.pool, self.k, self.anchors = name, pool, k, anchors
        self.themes = themes
        self.reversed_items = reversed_items
        self.cover = cover_themes and bool(themes)
        self.need_reversed = reversed_rule == "keep" and bool(reversed_items & set(pool))
        if k > len(pool):
            raise OptionError(f"per_facet: facet {name} keeps {k} items but has {len(pool)} "
                              f"to choose from ({', '.join(pool) or 'none'})")
        if len(anchors) > k:
            raise OptionError(f"anchors: facet {name} has {len(anchors)} anchors "
                              f"({', '.join(anchors)}) but keeps {k} items")
        n_themes = len({themes[i] for i in pool}) if self.cover else 0
        if n_themes > k:
            raise AnalysisError(f"facet {name} has {n_themes} leaf themes but keeps {k} items: "
                                "no candidate keeps one item per theme (cover_themes=False "
                                "lifts that constraint, or raise per_facet)")
        self.cache: dict[tuple[str, ...], dict[str, Any]] = {}

    def valid(self, subset: Sequence[str]) -> bool:
        chosen = set(subset)
        if not chosen.issuperset(self.anchors):
            return False
        if self.cover and {self.themes[i] for i in subset} != {self.themes[i] for i in self.pool}:
            return False
        return not (self.need_reversed and not chosen & self.reversed_items)

    def size(self) -> int:
        """Upper bound of the candidates (anchors in, any other k - a of the rest)."""
        free = len(self.pool) - len(self.anchors)
        return math.comb(free, self.k - len(self.anchors))

    def candidates(self) -> list[tuple[str, ...]]:
        found = [c for c in combinations(self.pool, self.k) if self.valid(c)]
        if not found:
            raise AnalysisError(f"facet {self.name}: no set of {self.k} items meets the "
                                "constraints (anchors, one item per leaf theme, a reverse-keyed "
                                "item)")
        return found


def _evaluate(facet: _Facet, subset: tuple[str, ...], fit: Callable[[tuple[str, ...]], dict],
              objective: str) -> dict[str, Any]:
    key = tuple(sorted(subset, key=facet.pool.index))
    row = facet.cache.get(key)
    if row is None:
        row = fit(key)
        row["objective"] = _objective(objective, row)
        row["facet"] = facet.name
        facet.cache[key] = row
    return row


def _mmas(facet: _Facet, fit: Callable, objective: str, budget: int,
          rng: np.random.Generator, ants: int = 16, evaporation: float = 0.95,
          tick: Callable[[], None] | None = None) -> None:
    """MAX-MIN ant system over the facet's items (stuart's ``mmas()`` defaults: 16 ants,
    pheromone kept 0.95 per cycle, bounds from the best solution, Stuetzle & Hoos 2000).

    Stops when ``budget`` distinct candidates were fitted or after 50 cycles without a
    better solution.
    """
    pool = facet.pool
    n = len(pool)
    tau = np.ones(n)
    best: dict[str, Any] | None = None
    stale = 0
    tries = 0
    while len(facet.cache) < budget and stale < 50 and tries < 100 * budget:
        improved = False
        cycle_best = None
        for _ in range(ants):
            tries += 1
            subset = _construct(facet, tau, rng)
            if subset is None:
                continue
            known = tuple(sorted(subset, key=pool.index)) in facet.cache
            if not known and len(facet.cache) >= budget:
                break
            row = _evaluate(facet, subset, fit, objective)
            if not known and tick is not None:
                tick()
            if cycle_best is None or row["objective"] > cycle_best["objective"]:
                cycle_best = row
        if cycle_best is None:
            stale += 1
            continue
        if best is None or cycle_best["objective"] > best["objective"]:
            best, improved = cycle_best, True
        stale = 0 if improved else stale + 1
        tau_max = max(best["objective"], 1e-6) / (1 - evaporation)
        p_best = 0.05 ** (1 / n)
        tau_min = tau_max * (1 - p_best) / ((n / 2 - 1) * p_best) if n > 2 else tau_max / 10
        tau *= evaporation
        tau[[pool.index(i) for i in best["items"]]] += max(best["objective"], 1e-6)
        np.clip(tau, tau_min, tau_max, out=tau)


def _construct(facet: _Facet, tau: np.ndarray, rng: np.random.Generator) -> list[str] | None:
    """One ant: anchors, then items drawn with probability proportional to pheromone."""
    for _ in range(20):
        chosen = list(facet.anchors)
        weights = tau.copy()
        weights[[facet.pool.index(a) for a in chosen]] = 0
        while len(chosen) < facet.k:
            j = int(rng.choice(len(facet.pool), p=weights / weights.sum()))
            chosen.append(facet.pool[j])
            weights[j] = 0
        if facet.valid(chosen):
            return chosen
    return None


# --- result -------------------------------------------------------------------------------

@result
class ShortForm(Result):
    """A short form chosen by :func:`shorten`.

    Attributes
    ----------
    scale : Scale or None
        The short form: the full draft's blueprint, items and order, fewer items; its own
        version (the draft's, ``+short.`` and the first 12 characters of the draft's hash:
        the lineage) and content hash. None when ``shorten`` was given a mapping.
    items : dict of str -> tuple of str
        Facet -> kept items (pool order).
    candidates : DataFrame
        Every fitted candidate: facet, length, items, admissible, reason, crel, chisq, df,
        rmsea, srmr, cfi, objective; sorted by facet, length and objective (best first).
    pareto : DataFrame
        Per length: items in the form, summed objective, mean and lowest facet crel,
        inadmissible candidates, and whether no other length is shorter and as reliable
        (``pareto``).
    search : DataFrame
        Per facet: method ("exact" or "mmas"), candidates fitted, inadmissible, upper bound
        (``C(n - anchors, k - anchors)``), the chosen candidate's crel on the calibration
        part and, with a holdout, refitted on the held-out part (``crel held-out``).
    holdout : DataFrame or None
        Per measure (omega per facet and CFI / RMSEA / SRMR of the blueprint CFA, WLSMV
        for ordinal items; Bordin correlations of the dimension scores with the WAI
        scales; correlation of the short and full total scores): the full form on the
        held-out part, the short form on the calibration and on the held-out part, their
        differences, the tolerance and whether it is met. None without ``holdout``.
    holds_out : bool or None
        Whether the short form holds out (Kleka & Soroko 2018): from calibration to
        held-out part the mean facet omega drops by no more than 0.02 and the CFI by no
        more than 0.01, and its held-out Bordin correlations are within 0.03 of the full form's
        (:data:`HOLDOUT_TOLERANCE`). A warning says what failed. None without holdout.
    objective, estimator, seed, parent_hash : str, str, int or None, str
    n_calibration, n_holdout : int

    Examples
    --------
    >>> import alliance_scale as als
    >>> from alliance_scale.design import shorten
    >>> pilot, draft = als.load_pilot(), als.draft_scale()
    >>> pool = {"A1": [i.id for i in draft.items if i.facet == "A1"][:5]}
    >>> form = shorten(pilot, pool, per_facet=3, estimator="ML", missing="listwise")
    >>> len(form.items["A1"]), form.search.loc["A1", "method"]
    (3, 'exact')
    """

    scale: Scale | None
    items: Mapping[str, tuple[str, ...]]
    candidates: pd.DataFrame
    pareto: pd.DataFrame
    search: pd.DataFrame
    holdout: pd.DataFrame | None
    holds_out: bool | None
    objective: str
    estimator: str
    seed: int | None
    parent_hash: str
    n_calibration: int
    n_holdout: int

    def to_frame(self) -> pd.DataFrame:
        """The best candidate of each facet at the chosen length."""
        best = [self.candidates[(self.candidates["facet"] == f)
                                & (self.candidates["items"] == tuple(items))].iloc[0]
                for f, items in self.items.items()]
        frame = pd.DataFrame(best).set_index("facet")
        frame["items"] = [" ".join(i) for i in frame["items"]]
        return frame[["items", "crel", "rmsea", "srmr", "objective"]]

    def _summary(self) -> dict[str, Any]:
        n = sum(len(i) for i in self.items.values())
        return {"items kept": n, "objective": self.objective, "estimator": self.estimator,
                "calibration / held-out respondents": f"{self.n_calibration} / {self.n_holdout}",
                "candidates fitted": len(self.candidates),
                "inadmissible": int((~self.candidates["admissible"]).sum()),
                "holds out": ("not tested (no holdout)" if self.holds_out is None
                              else "yes" if self.holds_out else "NO")}

    def _report(self) -> Report:
        blocks: list[str | pd.DataFrame] = [summary_lines(self._summary()),
                                            format_table(self.to_frame())]
        if self.holdout is not None:
            blocks += ["", "Held-out check (rule: mean omega drops <= 0.02 and CFI <= 0.01 from "
                       "calibration to held-out; Bordin r within 0.03 of the full form's)",
                       format_table(self.holdout)]
        blocks += ["", "Best form per length", format_table(self.pareto)]
        return Report("Short form (stuart-style search)", tuple(blocks))


# --- the function -------------------------------------------------------------------------

def _pool_from(scale: Scale | Mapping[str, Sequence[str]]) -> tuple[dict, dict, set]:
    if isinstance(scale, Scale):
        facets: dict[str, list[str]] = {}
        for item in scale.items:
            facets.setdefault(item.facet, []).append(item.id)
        themes = {i.id: i.theme for i in scale.items}
        reversed_items = {i.id for i in scale.items if i.keyed < 0}
        return facets, themes, reversed_items
    if not isinstance(scale, Mapping) or not scale:
        raise OptionError("scale must be a Scale or a non-empty mapping facet -> items")
    return {str(f): [str(i) for i in items] for f, items in scale.items()}, {}, set()


def _reversed_data(data: pd.DataFrame, scale: Scale | Mapping, reversed_items: set) -> pd.DataFrame:
    if not isinstance(scale, Scale) or not reversed_items:
        return data
    out = data.copy()
    cols = [c for c in out.columns if c in reversed_items]
    out[cols] = scale.min_value + scale.max_value - out[cols]
    return out


def _split(n: int, holdout: float | None,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if holdout is None:
        return np.arange(n), np.arange(0)
    if not isinstance(holdout, (int, float)) or isinstance(holdout, bool) or not 0 < holdout < 1:
        raise OptionError(f"holdout must be a share between 0 and 1 (got {holdout!r})")
    order = rng.permutation(n)
    n_hold = round(n * holdout)
    if n_hold < MIN_PART or n - n_hold < MIN_PART:
        raise AnalysisError(f"holdout={holdout}: {n} respondents give {n - n_hold} for the "
                            f"calibration and {n_hold} for the held-out part; each needs at "
                            f"least {MIN_PART}")
    return np.sort(order[n_hold:]), np.sort(order[:n_hold])


def shorten(
    responses: pd.DataFrame,
    scale: Scale | Mapping[str, Sequence[str]],
    per_facet: int | Mapping[str, int] = 3,
    *,
    objective: str = "stuart",
    estimator: str = "auto",
    missing: str | None = None,
    anchors: Sequence[str] = (),
    exclude: Sequence[str] = (),
    cover_themes: bool = True,
    reversed: str = "any",
    method: str = "auto",
    budget: int = 2000,
    lengths: Sequence[int] | None = None,
    holdout: float | None = 0.5,
    seed: int | None = 1,
    progress: Callable[[int, int], None] | None = None,
) -> ShortForm:
    """Choose a short form: ``per_facet`` items of every facet, the best by ``objective``.

    Parameters
    ----------
    responses : DataFrame
        One row per respondent, a column per item (others ignored: the WAI columns
        ``wai_goal`` / ``wai_task`` / ``wai_bond`` give the Bordin correlations).
    scale : Scale or mapping of str -> list of str
        The full draft (facets, leaf themes, keys, response range), or a plain mapping
        factor -> items (no themes, no keys; stuart's ``factor.structure``).
    per_facet : int or mapping of str -> int, default 3
        Items kept per facet (a mapping: per facet).
    objective : {"stuart", "reliability"}, default "stuart"
        Score of a facet's candidate; the form's score is their sum. ``"stuart"``:
        :func:`stuart_objective` of its composite reliability, RMSEA and SRMR (stuart's
        default, Schultze 2017); ``"reliability"``: the composite reliability alone.
        Inadmissible candidates score 0 (as in stuart).
    estimator : {"auto", "ML", "WLSMV"}, default "auto"
        ``"ML"``: each candidate's one-factor model by lavaan's ML on the responses
        (``missing="ml"``, full information, as stuart; or ``"listwise"``).
        ``"WLSMV"`` (auto for a Scale of at most 7 points): the facet's polychoric
        correlations of the calibration part, pairwise, computed once, and each
        candidate's model fitted to its submatrix by ML; for 3 items the model is
        saturated and the estimates are WLSMV's. The blueprint CFAs of the chosen form
        are WLSMV (:func:`~alliance_scale.blueprint_cfa`).
    missing : str, optional
        For ``estimator="ML"``: ``"ml"`` (default) or ``"listwise"``.
    anchors, exclude : sequence of str
        Items every candidate keeps / no candidate keeps.
    cover_themes : bool, default True
        Keep at least one item of every leaf theme of a facet (a Scale only).
    reversed : {"any", "keep", "drop"}, default "any"
        Reverse-keyed items: no rule; at least one per facet that has any; none.
    method : {"auto", "exact", "mmas"}, default "auto"
        ``"exact"`` enumerates every candidate of every facet (the objective is a sum over
        facets, so the best form is the best candidate of each facet); ``"mmas"`` runs the
        MAX-MIN ant system; ``"auto"``: exact for a facet with at most ``budget``
        candidates, else mmas.
    budget : int, default 2000
        Most candidates fitted per facet and length (>= 1).
    lengths : sequence of int, optional
        Items per facet to compare in the Pareto table (default: ``per_facet`` only); the
        form returned keeps ``per_facet``.
    holdout : float or None, default 0.5
        Share of respondents held out (drawn with ``seed``); each part needs at least 50.
    seed : int or None, default 1
        Seeds the holdout split and the ant system.
    progress : callable, optional
        Called as ``progress(done, total)`` after each candidate fitted.

    Both languages are kept by construction: every item of a Scale carries its French and
    English text.

    Returns
    -------
    ShortForm

    Raises
    ------
    OptionError
        A quota larger than a facet's pool, more anchors than the quota, an unknown item,
        a bad option.
    AnalysisError
        No candidate meets the constraints, too few respondents for the holdout.

    Examples
    --------
    >>> import alliance_scale as als
    >>> pilot, draft = als.load_pilot(), als.draft_scale()
    >>> pool = {"C1": [i.id for i in draft.items if i.facet == "C1"]}
    >>> form = als.shorten(pilot, pool, per_facet=3, estimator="ML", missing="listwise",
    ...                    holdout=None)
    >>> len(form.candidates), form.search.loc["C1", "method"]
    (10, 'exact')
    """
    data = check_frame("responses", responses)
    check_choice("objective", objective, OBJECTIVES)
    check_choice("estimator", estimator, ESTIMATORS)
    check_choice("method", method, METHODS)
    check_choice("reversed", reversed, REVERSED)
    budget = check_integer("budget", budget, minimum=1)
    rng = check_seed("seed", seed)
    facets, themes, reversed_items = _pool_from(scale)
    every = [i for items in facets.values() for i in items]
    for name, given in (("anchors", anchors), ("exclude", exclude)):
        unknown = [i for i in given if i not in every]
        if unknown:
            raise OptionError(f"{name}: not items of the scale: {', '.join(map(str, unknown))}")
    absent = [i for i in every if i not in data.columns]
    if absent:
        raise OptionError(f"responses: no column for item(s) {', '.join(absent[:10])}")
    clash = set(anchors) & set(exclude)
    if clash:
        raise OptionError(f"anchors and exclude both name {', '.join(sorted(clash))}")
    if isinstance(per_facet, Mapping):
        quotas = {f: check_integer(f"per_facet[{f!r}]", per_facet.get(f), minimum=1)
                  for f in facets}
    else:
        k = check_integer("per_facet", per_facet, minimum=1)
        quotas = dict.fromkeys(facets, k)
    if estimator == "auto":
        ordinal = isinstance(scale, Scale) and scale.max_value - scale.min_value + 1 <= 7
        estimator = "WLSMV" if ordinal else "ML"
    missing = "ml" if missing is None else missing
    check_choice("missing", missing, ("ml", "listwise"))

    calibration_rows, holdout_rows = _split(len(data), holdout, rng)
    items_data = _reversed_data(data[every], scale, reversed_items)
    calibration = items_data.iloc[calibration_rows]

    def facets_for(k_of: Mapping[str, int]) -> list[_Facet]:
        out = []
        for f, items in facets.items():
            pool = [i for i in items if i not in exclude
                    and not (reversed == "drop" and i in reversed_items)]
            out.append(_Facet(f, pool, k_of[f], [a for a in anchors if a in pool], themes,
                              reversed_items, cover_themes, reversed))
        return out

    chosen_facets = facets_for(quotas)
    other_lengths = sorted({*(lengths or ())} - set(quotas.values()))
    plans = [chosen_facets]
    for L in other_lengths:
        plans.append(facets_for(dict.fromkeys(facets, check_integer("lengths", L, minimum=1))))
    def exact_search(facet: _Facet) -> bool:
        return method == "exact" or (method == "auto" and facet.size() <= budget)

    # the progress total: the candidates of exact searches, the budget of the ants
    total = sum(len(f.candidates()) if exact_search(f) else budget for plan in plans
                for f in plan)
    done = [0]

    def tick() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], total)

    matrices: dict[str, tuple[pd.DataFrame, int]] = {}
    fitters = _fitters(calibration, facets, estimator, missing, matrices)
    search_rows, rows = [], []
    for plan in plans:
        for facet in plan:
            fit = fitters[facet.name]
            exact = exact_search(facet)
            if exact:
                candidates = facet.candidates()
                if len(candidates) > budget and method == "exact":
                    raise OptionError(f"budget={budget}: facet {facet.name} has "
                                      f"{len(candidates)} candidates to enumerate")
                if facet.k == 3 and facet.name in matrices:  # all at once, closed form
                    rho, n_obs = matrices[facet.name]
                    for row in _three_item_fits(candidates, rho, n_obs):
                        _evaluate(facet, row["items"], lambda _c, row=row: dict(row),
                                  objective)
                        tick()
                else:
                    for c in candidates:
                        _evaluate(facet, c, fit, objective)
                        tick()
            else:
                facet.candidates()  # raises when none meets the constraints
                _mmas(facet, fit, objective, budget, rng, tick=tick)
            found = pd.DataFrame(list(facet.cache.values()))
            found["length"] = facet.k
            rows.append(found)
            if plan is chosen_facets:
                search_rows.append({"facet": facet.name, "method": "exact" if exact else "mmas",
                                    "fitted": len(found),
                                    "inadmissible": int((~found["admissible"]).sum()),
                                    "upper bound": facet.size()})
    table = pd.concat(rows, ignore_index=True)
    table = table.sort_values(["facet", "length", "objective"], ascending=[True, True, False],
                              kind="stable", key=lambda s: s.map(list(facets).index)
                              if s.name == "facet" else s).reset_index(drop=True)
    table = table[["facet", "length", "items", "admissible", "reason", "crel", "chisq", "df",
                   "rmsea", "srmr", "cfi", "objective"]]
    best = {}
    for facet in chosen_facets:
        rows_f = table[(table["facet"] == facet.name) & (table["length"] == facet.k)
                       & table["admissible"]]
        if rows_f.empty:
            reasons = table.loc[table["facet"] == facet.name, "reason"]
            raise AnalysisError(f"facet {facet.name}: every candidate fitted is inadmissible "
                                f"({len(facet.cache)}), e.g. {reasons.iloc[0]}")
        best[facet.name] = tuple(rows_f.iloc[0]["items"])
    search = pd.DataFrame(search_rows).set_index("facet")
    search["crel"] = [float(table[(table["facet"] == f) & (table["items"] == best[f])]
                            ["crel"].iloc[0]) for f in search.index]
    if len(holdout_rows):  # the chosen candidates refitted on the held-out part
        held = items_data.iloc[holdout_rows]
        refit = _fitters(held, {f: list(best[f]) for f in best}, estimator, missing, {})
        search["crel held-out"] = [refit[f](best[f])["crel"] for f in search.index]
    pareto = _pareto(table, list(facets))
    short = _short_scale(scale, best) if isinstance(scale, Scale) else None
    comparison = holds = None
    if holdout is not None and isinstance(scale, Scale) and short is not None:
        comparison, holds = _compare(data, scale, short, calibration_rows, holdout_rows)
    return ShortForm(
        scale=short, items=best, candidates=table, pareto=pareto,
        search=search, holdout=comparison,
        holds_out=holds, objective=objective, estimator=estimator,
        seed=seed if isinstance(seed, int) else None,
        parent_hash=scale.content_hash if isinstance(scale, Scale) else "",
        n_calibration=len(calibration_rows), n_holdout=len(holdout_rows))


def _fitters(calibration: pd.DataFrame, facets: Mapping[str, list[str]], estimator: str,
             missing: str, matrices: dict[str, tuple[pd.DataFrame, int]],
             iterative: bool = False) -> dict[str, Callable]:
    """Per facet, the function fitting one candidate (polychorics computed once, stored in
    ``matrices`` with their respondents; 3-item candidates in closed form unless
    ``iterative``)."""
    out = {}
    for f, items in facets.items():
        if estimator == "WLSMV":
            from ..psychometrics._correlation._correlation import polychoric

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rho = polychoric(calibration[items], smooth=False).correlation
            n_obs = int(calibration[items].notna().any(axis=1).sum())
            if not iterative:
                matrices[f] = (rho, n_obs)
            out[f] = (lambda c, rho=rho, n=n_obs: _three_item_fits([c], rho, n)[0]
                      if len(c) == 3 and not iterative
                      else _fit_candidate(c, None, rho, n, missing))
        else:
            out[f] = (lambda c: _fit_candidate(c, calibration, None, 0, missing))
    return out


def _pareto(table: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Per length: the best admissible candidate of every facet, summed; a length is on the
    Pareto front when no shorter complete form has a mean crel at least as high."""
    rows = []
    n_facets = table["facet"].nunique()
    for length, part in table.groupby("length"):
        best = part[part["admissible"]].groupby("facet").head(1)
        missing = n_facets - best["facet"].nunique()
        rows.append({"per facet": int(length), "items": int(length) * n_facets,
                     "objective": best["objective"].sum() if not missing else np.nan,
                     "mean crel": best["crel"].mean() if not missing else np.nan,
                     "lowest crel": best["crel"].min() if not missing else np.nan,
                     "inadmissible": int((~part["admissible"]).sum()),
                     "facets without admissible form": missing})
    frame = pd.DataFrame(rows).set_index("per facet")
    complete = frame["facets without admissible form"] == 0
    frame["pareto"] = [bool(ok) and not (complete & (frame["items"] < n)
                                         & (frame["mean crel"] >= c)).any()
                       for ok, n, c in zip(complete, frame["items"], frame["mean crel"],
                                           strict=True)]
    return frame


def _short_scale(scale: Scale, best: Mapping[str, tuple[str, ...]]) -> Scale:
    keep = {i for items in best.values() for i in items}
    return replace(scale, items=tuple(i for i in scale.items if i.id in keep),
                   name=f"{scale.name} (short form)",
                   version=f"{scale.version}+short.{scale.content_hash[:12]}", content_hash="")


def _bordin(responses: pd.DataFrame, scale: Scale) -> dict[str, float]:
    wai = [c for c in ("wai_goal", "wai_task", "wai_bond") if c in responses.columns]
    if not wai:
        return {}
    from ..fielding._scoring import score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = score(responses[[*scale.item_ids, *wai]], scale).scores
    dims = sorted({i.dimension for i in scale.items})
    return {f"r({d}, {w})": float(scores[d].corr(responses[w])) for d in dims for w in wai}


def _form_numbers(responses: pd.DataFrame, scale: Scale) -> dict[str, float]:
    from ..validity._cfa import blueprint_cfa

    out: dict[str, float] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = blueprint_cfa(responses, scale)
        rel = fit.reliability
    for facet, value in rel["omega"].items():
        out[f"omega {facet}"] = float(value)
    for m in ("cfi", "rmsea", "srmr"):
        key = f"{m}_scaled" if f"{m}_scaled" in fit.fit else m
        out[m.upper()] = float(fit.fit[key])
    out.update(_bordin(responses, scale))
    return out


def _compare(data: pd.DataFrame, full: Scale, short: Scale, calibration_rows: np.ndarray,
             holdout_rows: np.ndarray) -> tuple[pd.DataFrame, bool]:
    """Short and full form on the held-out part, and the short form's calibration numbers.

    The rule (Kleka & Soroko 2018: what a search gains on its own sample is partly chance):
    the short form holds out when, from the calibration to the held-out part, the mean of
    its facet omegas drops by no more than 0.02 and the blueprint CFA's CFI by no more
    than 0.01, and when on the held-out part its Bordin correlations are within 0.03 of
    the full form's. (The mean: one 3-item facet's omega varies by about 0.02 between two
    halves of 1,000 respondents by chance alone.)
    """
    from ..fielding._scoring import score

    held = data.iloc[holdout_rows]
    full_held = _form_numbers(held, full)
    short_held = _form_numbers(held, short)
    short_cal = _form_numbers(data.iloc[calibration_rows], short)
    frame = pd.DataFrame({"full (held-out)": full_held, "short (calibration)": short_cal,
                          "short (held-out)": short_held})
    frame.index.name = "measure"
    omegas = frame[frame.index.str.startswith("omega")].mean()
    frame = pd.concat([frame.iloc[:0], omegas.to_frame("mean omega").T, frame])
    frame.index.name = "measure"
    frame["short - full"] = frame["short (held-out)"] - frame["full (held-out)"]
    frame["held-out - calibration"] = frame["short (held-out)"] - frame["short (calibration)"]
    checks, tolerance = [], []
    for m in frame.index:
        if m == "mean omega":
            t, ok = HOLDOUT_TOLERANCE["omega"], frame.loc[m, "held-out - calibration"] >= -0.02
        elif m == "CFI":
            t, ok = HOLDOUT_TOLERANCE["cfi"], frame.loc[m, "held-out - calibration"] >= -0.01
        elif m.startswith("r("):
            t, ok = HOLDOUT_TOLERANCE["bordin"], abs(frame.loc[m, "short - full"]) <= 0.03
        else:
            t, ok = np.nan, None
        tolerance.append(t)
        checks.append(None if ok is None else bool(ok))
    frame["tolerance"] = tolerance
    frame["within"] = pd.Series(checks, index=frame.index, dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r_total = score(held[full.item_ids], full).scores["total"].corr(
            score(held[short.item_ids], short).scores["total"])
    frame.loc["r(total short, total full)"] = [np.nan, np.nan, r_total, np.nan, np.nan, np.nan,
                                              None]
    holds = all(v for v in frame["within"] if v is not None)
    if not holds:
        failed = [m for m, v in frame["within"].items() if v is False]
        warn_user(f"the short form does not hold out on the {len(holdout_rows)} held-out "
                  f"respondents: {', '.join(failed)} beyond the tolerance (mean omega drop "
                  "0.02 and "
                  "CFI drop 0.01 from the calibration part; Bordin correlations 0.03 from the "
                  "full form; Kleka & Soroko 2018)", AllianceScaleWarning)
    return frame, holds
