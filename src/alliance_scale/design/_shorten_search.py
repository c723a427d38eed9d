"""Short-form search: constraints, fitting candidates in batches, and the three searches.

A *group* is what one CFA holds: a single facet (the default, ``model="facet"``: the
objective is a sum over facets and each facet is searched alone) or every facet
(``model="joint"``: one correlated-factors model, as stuart fits). A candidate of a group
is one subset per facet. :class:`Evaluator` fits candidates many at once, by ML as
:mod:`._shorten_batch` does, or by full-information ML with missing answers as
:mod:`._shorten_fiml` does, caches them, and scores them (:mod:`._shorten_parts`).
The searches:

* exact: every candidate (the product of the facets' valid subsets), in chunks;
* MAX-MIN ant system (Stuetzle & Hoos 2000; stuart's ``mmas()``): 16 ants per cycle,
  pheromone per item kept 0.95 per cycle, bounds from the best solution;
* genetic (as stuart's ``gene()``: Schultze 2017): a population of 64, tournament
  selection, a child takes each facet's subset from one of two parents (uniform
  crossover at the facet level; within a facet when the group has one facet), mutation
  swaps an item for an unused one of its facet, the best candidate kept (elitism).

Every random draw comes from the one seeded generator, so the same seed gives the same
result. A candidate whose fit fails is inadmissible with its reason, never dropped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from itertools import combinations, product
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError, OptionError
from ._shorten_batch import candidate_moments, fit_batch
from ._shorten_fiml import candidate_pool, fit_fiml_batch
from ._shorten_parts import Parts, objective_values

__all__: list[str] = []

#: Columns of the candidates' table.
COLUMNS = ["facet", "length", "items", "admissible", "reason", "crel", "chisq", "df", "rmsea",
           "srmr", "cfi", "r full", "bordin gap", "information", "objective"]
#: Candidates fitted together.
CHUNK = 2000


class Facet:
    """A facet's pool, quota and constraints."""

    def __init__(self, name: str, pool: list[str], k: int, anchors: list[str],
                 themes: Mapping[str, str], reversed_items: set[str], cover_themes: bool,
                 reversed_rule: str, theme_quota: Mapping[str, int] | None = None) -> None:
        self.name, self.pool, self.anchors = name, pool, anchors
        self.themes = themes
        self.reversed_items = reversed_items
        self.theme_quota = dict(theme_quota) if theme_quota else None
        if self.theme_quota is not None:
            for theme, q in self.theme_quota.items():
                have = [i for i in pool if themes.get(i) == theme]
                if q > len(have):
                    raise OptionError(f"per_theme: theme {theme} of facet {name} keeps {q} "
                                      f"items but has {len(have)} to choose from "
                                      f"({', '.join(have) or 'none'})")
            k = sum(self.theme_quota.values())
        self.k = k
        self.cover = cover_themes and bool(themes) and self.theme_quota is None
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
        self._candidates: list[tuple[str, ...]] | None = None

    def valid(self, subset: Sequence[str]) -> bool:
        chosen = set(subset)
        if len(chosen) != self.k or not chosen.issuperset(self.anchors):
            return False
        if self.theme_quota is not None:
            counts: dict[str, int] = {}
            for i in subset:
                counts[self.themes.get(i, "")] = counts.get(self.themes.get(i, ""), 0) + 1
            if any(counts.get(t, 0) != q for t, q in self.theme_quota.items()):
                return False
        if self.cover and {self.themes[i] for i in subset} != {self.themes[i] for i in self.pool}:
            return False
        return not (self.need_reversed and not chosen & self.reversed_items)

    def size(self) -> int:
        """Upper bound of the candidates (anchors in, any other k - a of the rest)."""
        if self.theme_quota is not None:
            return math.prod(math.comb(sum(self.themes.get(i) == t for i in self.pool), q)
                             for t, q in self.theme_quota.items())
        free = len(self.pool) - len(self.anchors)
        return math.comb(free, self.k - len(self.anchors))

    def key(self, subset: Sequence[str]) -> tuple[str, ...]:
        return tuple(sorted(subset, key=self.pool.index))

    def candidates(self) -> list[tuple[str, ...]]:
        if self._candidates is not None:
            return self._candidates
        if self.theme_quota is not None:
            parts = [combinations([i for i in self.pool if self.themes.get(i) == t], q)
                     for t, q in self.theme_quota.items()]
            raw = (self.key([i for part in combo for i in part]) for combo in product(*parts))
        else:
            raw = combinations(self.pool, self.k)
        found = [c for c in raw if self.valid(c)]
        if not found:
            raise AnalysisError(f"facet {self.name}: no set of {self.k} items meets the "
                                "constraints (anchors, one item per leaf theme or the "
                                "per-theme quotas, a reverse-keyed item)")
        self._candidates = found
        return found


# --- fitting --------------------------------------------------------------------------------

def inadmissible_row(items: Sequence[str], reason: str) -> dict[str, Any]:
    return {"items": tuple(items), "admissible": False, "reason": reason, "crel": np.nan,
            "chisq": np.nan, "df": np.nan, "rmsea": np.nan, "srmr": np.nan, "cfi": np.nan}


def three_item_fits(candidates: Sequence[tuple[str, ...]], cov: pd.DataFrame
                    ) -> list[dict[str, Any]]:
    """One-factor models of 3-item candidates, all at once (closed form).

    Three indicators identify one factor exactly (df = 0): the estimates reproduce the
    matrix, whatever the discrepancy function (ML, ULS, DWLS), so with the first loading
    fixed at 1, ``psi = s12 s13 / s23``, ``lambda2 = s23 / s13``, ``lambda3 = s23 / s12``
    and ``theta_i = s_ii - lambda_i^2 psi`` (Bollen 1989, ch. 7). Improper solutions (a
    negative variance) are kept and flagged as lavaan's ``post.check`` flags them.
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


class Evaluator:
    """Fits, scores and caches the candidates of a group of facets.

    Routes: ``"matrix"`` (a polychoric matrix: every candidate's submatrix, N fixed),
    ``"listwise"`` (ML on each candidate's complete rows), both batched, 3-item single
    facets in closed form; ``"fiml"`` (missing answers, ``missing="ml"``): full-information
    ML (lavaan's ``missing = "fiml"``, stuart's default), batched too.
    """

    def __init__(self, facets: Sequence[Facet], data: pd.DataFrame, route: str,
                 matrix: tuple[pd.DataFrame, int] | None, objective: str, parts: Parts,
                 missing: str) -> None:
        self.facets = list(facets)
        self.data, self.route, self.matrix = data, route, matrix
        self.objective, self.parts, self.missing = objective, parts, missing
        self.columns = [i for f in self.facets for i in f.pool]
        self.values = (data[self.columns].to_numpy(float) if route in ("listwise", "fiml")
                       else None)
        self.cache: dict[tuple[tuple[str, ...], ...], dict[str, Any]] = {}
        self.label = self.facets[0].name if len(self.facets) == 1 else "joint"

    def key(self, candidate: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
        return tuple(f.key(c) for f, c in zip(self.facets, candidate, strict=True))

    def _fit(self, keys: list[tuple[tuple[str, ...], ...]]) -> list[dict[str, Any]]:
        flat = [tuple(i for part in k for i in part) for k in keys]
        factor_of = [g for g, part in enumerate(keys[0]) for _ in part]
        if self.route == "matrix" and len(self.facets) == 1 and len(keys[0][0]) == 3:
            return three_item_fits(flat, self.matrix[0])
        if any(len(part) < 2 for part in keys[0]) or (
                len(self.facets) == 1 and len(keys[0][0]) < 3):
            df = len(flat[0]) * (len(flat[0]) + 1) // 2 - (2 * len(flat[0]) - len(keys[0])
                                                            + len(keys[0]) * (len(keys[0]) + 1)
                                                            // 2)
            return [inadmissible_row(c, f"the fit failed: the model is not identified "
                                        f"(df = {df})") for c in flat]
        pool = None
        if self.route == "matrix":
            rho, n_obs = self.matrix
            names = list(rho.index)
            idx = np.array([[names.index(i) for i in c] for c in flat])
            s = rho.to_numpy(float)[idx[:, :, None], idx[:, None, :]]
            n = np.full(len(flat), n_obs)
        elif self.route == "fiml":
            idx = np.array([[self.columns.index(i) for i in c] for c in flat])
            pool = candidate_pool(self.values, idx)
            n = pool.n.astype(int)
        else:
            idx = np.array([[self.columns.index(i) for i in c] for c in flat])
            s, n = candidate_moments(self.values, idx)
        rows: list[dict[str, Any]] = [{} for _ in flat]
        small = n < len(flat[0]) + 1
        usable = np.flatnonzero(~small)
        for k in np.flatnonzero(small):
            rows[k] = inadmissible_row(flat[k], f"the fit failed: {int(n[k])} "
                                       f"{'complete ' if pool is None else ''}respondents")
        if len(usable) and pool is not None:
            if len(usable) < len(flat):
                pool = candidate_pool(self.values, idx[usable])
            fit = fit_fiml_batch(pool, factor_of, items=[flat[k] for k in usable])
        elif len(usable):
            fit = fit_batch(s[usable], n[usable], factor_of, items=[flat[k] for k in usable])
        if len(usable):
            for j, k in enumerate(usable):
                rows[k] = {"items": flat[k], "admissible": not fit.reason[j],
                           "reason": fit.reason[j], "crel": float(fit.crel[j]),
                           "chisq": float(fit.chisq[j]), "df": float(fit.df),
                           "rmsea": float(fit.rmsea[j]), "srmr": float(fit.srmr[j]),
                           "cfi": float(fit.cfi[j])}
        return rows

    def frame(self, keys: list[tuple[tuple[str, ...], ...]]) -> pd.DataFrame:
        """Fit and score ``keys`` (not cached): one row each."""
        rows = self._fit(keys)
        frame = pd.DataFrame(rows)
        parts = self.parts.compute([r["items"] for r in rows])
        for name in ("r full", "bordin gap", "information"):
            frame[name] = parts.get(name, np.full(len(rows), np.nan))
        frame["objective"] = objective_values(self.objective, frame)
        frame["facet"] = self.label
        frame["length"] = self.facets[0].k if len(self.facets) == 1 else sum(
            f.k for f in self.facets)
        frame["key"] = keys
        return frame

    def evaluate(self, candidates: Sequence[Sequence[Sequence[str]]]) -> list[dict[str, Any]]:
        """Rows of ``candidates`` (cached; new ones fitted together)."""
        keys = [self.key(c) for c in candidates]
        new = list(dict.fromkeys(k for k in keys if k not in self.cache))
        if new:
            for row in self.frame(new).to_dict("records"):
                self.cache[row["key"]] = row
        return [self.cache[k] for k in keys]


# --- the searches ---------------------------------------------------------------------------

def total_candidates(facets: Sequence[Facet]) -> int:
    return math.prod(len(f.candidates()) for f in facets)


#: What the worker processes of :func:`exact` fit (inherited by fork, not pickled).
_WORK: dict[str, Any] = {}


def chunk_keys(lists: Sequence[Sequence[tuple[str, ...]]], start: int
               ) -> list[tuple[tuple[str, ...], ...]]:
    """The candidates ``start .. start + CHUNK`` of the product of ``lists`` (one list of
    subsets per facet), in enumeration order (the last facet varies fastest)."""
    sizes = [len(c) for c in lists]
    digits = np.unravel_index(np.arange(start, min(start + CHUNK, math.prod(sizes))), sizes)
    return [tuple(lists[g][d[j]] for g, d in enumerate(digits)) for j in range(len(digits[0]))]


def _chunk(start: int) -> pd.DataFrame:
    """The candidates ``start .. start + CHUNK`` of the enumeration in ``_WORK``, fitted."""
    return _WORK["evaluator"].frame(chunk_keys(_WORK["lists"], start))


def exact(evaluator: Evaluator, keep: int, tick: Callable[[int], None],
          workers: int = 1) -> tuple:
    """Every candidate, in chunks; returns (best ``keep`` rows, fitted, inadmissible,
    reasons counted). With ``workers > 1`` (and the fork start method, as on Linux),
    the chunks are fitted by that many processes; the result is the same."""
    lists = [f.candidates() for f in evaluator.facets]
    total = total_candidates(evaluator.facets)
    kept: pd.DataFrame | None = None
    reasons: dict[str, int] = {}
    bad = 0
    starts = range(0, total, CHUNK)
    _WORK.update(evaluator=evaluator, lists=lists)
    pool = None
    if workers > 1 and len(starts) > 1:
        import multiprocessing

        if "fork" in multiprocessing.get_all_start_methods():
            pool = multiprocessing.get_context("fork").Pool(min(workers, len(starts)))
    try:
        frames = pool.imap(_chunk, starts) if pool is not None else map(_chunk, starts)
        for frame in frames:
            bad_rows = frame[~frame["admissible"]]
            bad += len(bad_rows)
            for reason in bad_rows["reason"]:
                first = reason.split(" (")[0].split(";")[0]
                reasons[first] = reasons.get(first, 0) + 1
            kept = frame if kept is None else pd.concat([kept, frame], ignore_index=True)
            if len(kept) > keep:
                order = np.lexsort((np.arange(len(kept)), -kept["objective"].to_numpy()))
                kept = kept.iloc[np.sort(order[:keep])].reset_index(drop=True)
            tick(len(frame))
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        _WORK.clear()
    return kept, total, bad, reasons


def _draw(facet: Facet, weights: np.ndarray, rng: np.random.Generator) -> list[str] | None:
    """One facet's subset: anchors, then items with probability proportional to weights."""
    for _ in range(20):
        chosen = list(facet.anchors)
        w = weights.copy()
        w[[facet.pool.index(a) for a in chosen]] = 0
        while len(chosen) < facet.k:
            if w.sum() <= 0:
                break
            j = int(rng.choice(len(facet.pool), p=w / w.sum()))
            chosen.append(facet.pool[j])
            w[j] = 0
        if facet.valid(chosen):
            return chosen
    return None


def mmas(evaluator: Evaluator, budget: int, rng: np.random.Generator,
         tick: Callable[[int], None], ants: int = 16, evaporation: float = 0.95) -> None:
    """MAX-MIN ant system over the group's items (stuart's ``mmas()`` defaults: 16 ants,
    pheromone kept 0.95 per cycle, bounds from the best solution, Stuetzle & Hoos 2000).

    Stops when ``budget`` distinct candidates were fitted or after 50 cycles without a
    better solution. The ants of a cycle are fitted together.
    """
    facets = evaluator.facets
    tau = [np.ones(len(f.pool)) for f in facets]
    best: dict[str, Any] | None = None
    stale = tries = 0
    while len(evaluator.cache) < budget and stale < 50 and tries < 100 * budget:
        cycle = []
        for _ in range(ants):
            tries += 1
            subsets = [_draw(f, t, rng) for f, t in zip(facets, tau, strict=True)]
            if any(s is None for s in subsets):
                continue
            key = evaluator.key(subsets)
            if key not in evaluator.cache and len(evaluator.cache) + len(
                    {evaluator.key(c) for c in cycle} - set(evaluator.cache)) >= budget:
                continue
            cycle.append(subsets)
        if not cycle:
            stale += 1
            continue
        before = len(evaluator.cache)
        rows = evaluator.evaluate(cycle)
        tick(len(evaluator.cache) - before)
        cycle_best = max(rows, key=lambda r: r["objective"])
        if best is None or cycle_best["objective"] > best["objective"]:
            best, stale = cycle_best, 0
        else:
            stale += 1
        n = sum(len(f.pool) for f in facets)
        tau_max = max(best["objective"], 1e-6) / (1 - evaporation)
        p_best = 0.05 ** (1 / n)
        tau_min = tau_max * (1 - p_best) / ((n / 2 - 1) * p_best) if n > 2 else tau_max / 10
        for f, t, part in zip(facets, tau, best["key"], strict=True):
            t *= evaporation
            t[[f.pool.index(i) for i in part]] += max(best["objective"], 1e-6)
            np.clip(t, tau_min, tau_max, out=t)


def _mutate(facet: Facet, subset: tuple[str, ...], rate: float,
            rng: np.random.Generator) -> tuple[str, ...]:
    chosen = list(subset)
    for j in range(len(chosen)):
        if chosen[j] in facet.anchors or rng.random() >= rate:
            continue
        unused = [i for i in facet.pool if i not in chosen]
        if unused:
            trial = chosen.copy()
            trial[j] = unused[int(rng.integers(len(unused)))]
            if facet.valid(trial):
                chosen = trial
    return facet.key(chosen)


def _cross(facet: Facet, a: tuple[str, ...], b: tuple[str, ...],
           rng: np.random.Generator) -> tuple[str, ...]:
    """Uniform crossover inside a facet: items of both parents, k drawn; a parent's
    subset when the draw breaks a constraint."""
    union = list(dict.fromkeys(a + b))
    for _ in range(5):
        picked = [union[j] for j in rng.permutation(len(union))[: facet.k]]
        if facet.valid(picked):
            return facet.key(picked)
    return a


def genetic(evaluator: Evaluator, budget: int, rng: np.random.Generator,
            tick: Callable[[int], None], individuals: int = 64, generations: int = 128,
            mutation: float = 0.1, patience: int = 20) -> None:
    """A genetic search (stuart's ``gene()`` layout: 64 individuals, at most 128
    generations, tournament selection, crossover, mutation, elitism), seeded; stops after
    ``patience`` generations without a better best or when ``budget`` candidates were
    fitted. A generation's new candidates are fitted together."""
    facets = evaluator.facets
    population = []
    for _ in range(individuals * 5):
        subsets = [_draw(f, np.ones(len(f.pool)), rng) for f in facets]
        if all(s is not None for s in subsets):
            population.append(evaluator.key(subsets))
        if len(population) == individuals:
            break
    population = population[: max(1, min(len(population), budget))]
    rows = evaluator.evaluate(population)
    tick(len(evaluator.cache))
    best = max(rows, key=lambda r: r["objective"])
    stale = 0
    for _ in range(generations):
        if len(evaluator.cache) >= budget or stale >= patience:
            break
        fitness = np.array([r["objective"] for r in rows])
        children = [best["key"]]
        while len(children) < len(population):
            pick = []
            for _ in range(2):  # tournaments of two
                i, j = rng.integers(len(population), size=2)
                pick.append(population[i if fitness[i] >= fitness[j] else j])
            a, b = pick
            if len(facets) == 1:
                child = (_cross(facets[0], a[0], b[0], rng),)
            else:
                child = tuple(a[g] if rng.random() < 0.5 else b[g] for g in range(len(facets)))
            child = tuple(_mutate(f, part, mutation, rng)
                          for f, part in zip(facets, child, strict=True))
            children.append(child)
        new = list(dict.fromkeys(c for c in children if c not in evaluator.cache))
        room = budget - len(evaluator.cache)
        if len(new) > room:
            drop = set(new[room:])
            children = [c for c in children if c not in drop]
        before = len(evaluator.cache)
        rows = evaluator.evaluate(children)
        tick(len(evaluator.cache) - before)
        population = children
        top = max(rows, key=lambda r: r["objective"])
        if top["objective"] > best["objective"]:
            best, stale = top, 0
        else:
            stale += 1
