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
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_choice, check_frame, check_integer, check_seed
from .._results import Report, Result, format_table, result, summary_lines
from .._warn import warn_user
from ..errors import AllianceScaleWarning, AnalysisError, OptionError
from ..instrument._scale import Scale
from ._shorten_parts import OBJECTIVES, Parts, bordin_pairs
from ._shorten_search import (
    CHUNK,
    COLUMNS,
    Evaluator,
    Facet,
    chunk_keys,
    exact,
    genetic,
    mmas,
    total_candidates,
)

__all__ = ["ShortForm", "shorten"]

METHODS = ("auto", "exact", "mmas", "genetic")
MODELS = ("facet", "joint")
ESTIMATORS = ("auto", "ML", "WLSMV")
REVERSED = ("any", "keep", "drop")
#: Fewest respondents in each of the calibration and the held-out part.
MIN_PART = 50
#: Tolerances of the held-out verdicts (issue #22): mean facet omega, CFI, Bordin correlations.
HOLDOUT_TOLERANCE = {"omega": 0.02, "cfi": 0.01, "bordin": 0.03}
#: The rules of the two held-out verdicts, as printed.
HOLDS_OUT_RULE = ("holds out: from the calibration to the held-out part the mean facet omega "
                  "drops by at most 0.02 and the CFI by at most 0.01 (the search's gain is not "
                  "chance; Kleka & Soroko 2018)")
MATCHES_RULE = ("matches the full form: on the held-out part its mean facet omega is at most "
                "0.02 and its CFI at most 0.01 below the full form's, and its Bordin "
                "correlations within 0.03 of the full form's (issue #22's tolerances)")


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
        The fitted candidates (an exact search keeps its ``keep`` best): facet ("joint"
        for the joint model), length, items, admissible, reason, crel, chisq, df, rmsea,
        srmr, cfi, r full, bordin gap, information (with ``irt=True``), objective; sorted
        by facet, length and objective (best first).
    pareto : DataFrame
        Per length: items in the form, summed objective, mean and lowest facet crel,
        inadmissible candidates, and whether no other length is shorter and as reliable
        (``pareto``).
    search : DataFrame
        Per search (a facet, or "joint"): method ("exact", "mmas" or "genetic"), candidates
        fitted, inadmissible and their reasons counted, upper bound
        (``C(n - anchors, k - anchors)``), the chosen candidate's crel on the calibration
        part and, with a holdout, refitted on the held-out part (``crel held-out``); for an
        exact search also the highest crel of any admissible candidate refitted on the
        held-out part (``best held-out``: what hindsight could choose, a bound no search
        on the calibration part can beat) and the whole pool's (``full held-out``).
    holdout : DataFrame or None
        Per measure (omega per facet and CFI / RMSEA / SRMR of the blueprint CFA, WLSMV
        for ordinal items; Bordin correlations of the dimension scores with the WAI
        scales; correlation of the short and full total scores): the full form on the
        held-out part, the short form on the calibration and on the held-out part, their
        differences, the tolerance and whether each verdict's rule is met (``holds out``,
        ``matches full``). None without ``holdout``.
    holds_out : bool or None
        Whether the search's gain holds out (Kleka & Soroko 2018: validity does not
        transfer by assumption): from the calibration to the held-out part the mean facet
        omega drops by no more than 0.02 and the CFI by no more than 0.01
        (:data:`HOLDOUT_TOLERANCE`). A warning says what failed. None without holdout.
    matches_full_form : bool or None
        Whether the short form measures as the full form on the held-out part: its mean
        facet omega at most 0.02 and its CFI at most 0.01 below the full form's, its
        Bordin correlations within 0.03 of the full form's. Length costs reliability
        (Spearman-Brown), so a much shorter form can hold out and still not match; the
        ``search`` table's ``best held-out`` and ``full held-out`` columns say whether any
        form of that length could. A warning says what failed. None without holdout.
    objective, estimator, seed, parent_hash : str, str, int or None, str
    n_calibration, n_holdout : int
    model : {"facet", "joint"}
    folds : DataFrame or None
        With ``folds=k``: per fold and search, the items chosen on the other folds, crel
        and objective there and refitted on the fold.

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
    model: str = "facet"
    folds: pd.DataFrame | None = None
    matches_full_form: bool | None = None

    def to_frame(self, kind: str = "best") -> pd.DataFrame:
        """A table of the result.

        Parameters
        ----------
        kind : {"best", "pareto", "candidates", "folds"}, default "best"
            ``"best"``: the chosen candidate of each facet (of the joint model: one row);
            ``"pareto"``: the best form per length (:attr:`pareto`); ``"candidates"``:
            every candidate kept; ``"folds"``: the k-fold table (empty without folds).
        """
        check_choice("kind", kind, ("best", "pareto", "candidates", "folds"))
        if kind == "pareto":
            return self.pareto
        if kind == "candidates":
            return self.candidates
        if kind == "folds":
            return self.folds if self.folds is not None else pd.DataFrame()
        columns = ["items", "crel", "rmsea", "srmr", "cfi", "r full", "bordin gap",
                   "objective"]
        if self.model == "joint":
            flat = tuple(i for items in self.items.values() for i in items)
            best = [self.candidates[(self.candidates["facet"] == "joint")
                                    & _same(self.candidates["items"], flat)].iloc[0]]
        else:
            best = [self.candidates[(self.candidates["facet"] == f)
                                    & _same(self.candidates["items"], tuple(items))].iloc[0]
                    for f, items in self.items.items()]
        frame = pd.DataFrame(best).set_index("facet")
        frame["items"] = [" ".join(i) for i in frame["items"]]
        if frame["information"].notna().any():
            columns.insert(-1, "information")
        return frame[columns]

    def _summary(self) -> dict[str, Any]:
        n = sum(len(i) for i in self.items.values())
        return {"items kept": n, "objective": self.objective, "estimator": self.estimator,
                "calibration / held-out respondents": f"{self.n_calibration} / {self.n_holdout}",
                "model": ("one-factor model per facet" if self.model == "facet"
                          else "joint correlated-factors model"),
                "candidates kept": len(self.candidates),
                "candidates fitted": int(self.search["fitted"].sum()),
                "inadmissible": int(self.search["inadmissible"].sum()),
                "holds out": ("not testable (no holdout)" if self.holds_out is None
                              else "yes" if self.holds_out else "NO"),
                "matches the full form": self._matches_text()}

    def _holdout_sentence(self) -> str:
        """The held-out verdicts with their rules, as the report says them."""
        bound = _length_bound(self.search) if self.matches_full_form is False else ""
        return (f"Held-out check on {self.n_holdout} respondents not used by the search: the "
                f"short form {'holds out' if self.holds_out else 'does NOT hold out'} (rule: "
                f"{HOLDS_OUT_RULE.split(': ', 1)[1]}) and "
                f"{'matches' if self.matches_full_form else 'does NOT match'} the full form "
                f"(rule: {MATCHES_RULE.split(': ', 1)[1]})" + (f"; {bound}." if bound else "."))

    def _matches_text(self) -> str:
        if self.matches_full_form is None:
            return "not testable (no holdout)"
        if self.matches_full_form:
            return "yes"
        bound = _length_bound(self.search)
        return "NO" + (f" ({bound})" if bound else "")

    def _report(self) -> Report:
        blocks: list[str | pd.DataFrame] = [summary_lines(self._summary()),
                                            format_table(self.to_frame())]
        if self.holdout is not None:
            blocks += ["", f"Held-out check. Rules: {HOLDS_OUT_RULE}; {MATCHES_RULE}.",
                       format_table(self.holdout)]
        if self.folds is not None:
            blocks += ["", f"{self.folds['fold'].max()}-fold validation (search on the other "
                       "folds, chosen form refitted on the fold)", format_table(self.folds)]
        blocks += ["", "Search", format_table(self.search),
                   "", "Best form per length", format_table(self.pareto)]
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
    per_theme: int | Mapping[str, int] | None = None,
    model: str = "facet",
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
    holdout: float | str | None = "auto",
    folds: int | None = None,
    irt: bool = False,
    keep: int = 500,
    seed: int | None = 1,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
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
    per_theme : int or mapping of str -> int, optional
        Items kept per leaf theme instead (a mapping: per theme; a Scale only); a facet then
        keeps the sum of its themes' quotas and ``per_facet`` is not used.
    model : {"facet", "joint"}, default "facet"
        ``"facet"``: each facet's one-factor model; the objective is a sum over facets, so
        the best form is the best candidate of each facet (``sum_f C(n_f, k)`` fits).
        ``"joint"``: one correlated-factors model of every facet, as stuart fits (crel of
        the whole model, its RMSEA and SRMR); candidates are the product of the facets'.
    objective : {"stuart", "reliability", "validity", "information"}, default "stuart"
        Score of a candidate (the form's: the sum over facets). ``"stuart"``:
        :func:`stuart_objective` of its composite reliability, RMSEA and SRMR (stuart's
        default, Schultze 2017); ``"reliability"``: the composite reliability;
        ``"validity"``: stuart's plus ``pnorm(r full, .90, .05)`` and ``pnorm(bordin gap,
        .03, .01, lower = FALSE)`` (:mod:`._shorten_parts`); ``"information"``: the mean IRT
        test information on theta in [-2, 2] (needs ``irt=True``). Inadmissible candidates
        score 0 (as in stuart). Every part is a column of ``candidates``.
    estimator : {"auto", "ML", "WLSMV"}, default "auto"
        ``"ML"``: the candidates' models by lavaan's ML on the responses (each candidate's
        complete rows, fitted in batches, when ``missing="listwise"`` or nothing is
        missing; full-information ML, batched too, when ``missing="ml"`` and answers are
        missing, as stuart's default, lavaan's ``missing = "fiml"``). ``"WLSMV"`` (auto
        for a Scale of at most 7 points): the polychoric correlations of the calibration
        part, pairwise, computed once, and each candidate's model fitted to its submatrix
        by ML (batched); for a 3-item facet the model is saturated and the estimates are
        WLSMV's. The blueprint CFAs of the chosen
        form are WLSMV (:func:`~alliance_scale.blueprint_cfa`).
    missing : str, optional
        For ``estimator="ML"``: ``"ml"`` (default) or ``"listwise"``.
    anchors, exclude : sequence of str
        Items every candidate keeps / no candidate keeps.
    cover_themes : bool, default True
        Keep at least one item of every leaf theme of a facet (a Scale only).
    reversed : {"any", "keep", "drop"}, default "any"
        Reverse-keyed items: no rule; at least one per facet that has any; none.
    method : {"auto", "exact", "mmas", "genetic"}, default "auto"
        ``"exact"`` enumerates every candidate; ``"mmas"`` runs the MAX-MIN ant system,
        ``"genetic"`` a genetic search (:mod:`._shorten_search`), both seeded; ``"auto"``:
        exact when the candidates number at most ``budget``, else mmas.
    budget : int, default 2000
        Most candidates fitted per search (a facet, or the joint model) and length (>= 1).
    lengths : sequence of int, optional
        Items per facet to compare in the Pareto table (default: ``per_facet`` only); the
        form returned keeps ``per_facet``.
    holdout : float, None or "auto", default "auto"
        Share of respondents held out (drawn with ``seed``); each part needs at least 50.
        ``"auto"``: 0.5, or None with ``folds``.
    folds : int, optional
        k-fold validation (k >= 2): the search reruns on every k - 1 folds and its chosen
        form is refitted on the fold left out (``ShortForm.folds``); the form returned is
        the search on every respondent. Each fold needs at least 50 respondents.
    irt : bool, default False
        Compute the IRT information part (a graded model per facet: slower).
    keep : int, default 500
        Best candidates an exact search keeps in ``candidates`` (every one is counted, and
        the inadmissible ones by reason, in ``search``).
    seed : int or None, default 1
        Seeds the holdout split, the folds and the heuristic searches.
    progress : callable, optional
        Called as ``progress(done, total)`` as candidates are fitted.
    workers : int, default 1
        Processes that fit an exact search's chunks of candidates (on systems that fork,
        as Linux; elsewhere one). The result does not depend on it.

    Both languages are kept by construction: every item of a Scale carries its French and
    English text.

    Returns
    -------
    ShortForm

    Raises
    ------
    OptionError
        A quota larger than a facet's (or a theme's) pool, more anchors than the quota, an
        unknown item, an exact search larger than the budget, a bad option.
    AnalysisError
        No candidate meets the constraints, every candidate inadmissible, too few
        respondents for the holdout or the folds.

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
    check_choice("model", model, MODELS)
    check_choice("reversed", reversed, REVERSED)
    budget = check_integer("budget", budget, minimum=1)
    keep = check_integer("keep", keep, minimum=1)
    workers = check_integer("workers", workers, minimum=1)
    if objective == "information" and not irt:
        raise OptionError("objective='information' needs irt=True")
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
    theme_quotas = _theme_quotas(per_theme, facets, themes)
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
    if holdout == "auto":
        holdout = None if folds is not None else 0.5
    if folds is not None:
        folds = check_integer("folds", folds, minimum=2)
        if holdout is not None:
            raise OptionError("folds and holdout exclude each other: give holdout=None "
                              "(or leave it 'auto') with folds")

    calibration_rows, holdout_rows = _split(len(data), holdout, rng)
    items_data = _reversed_data(data, scale, reversed_items)

    def facets_for(k_of: Mapping[str, int], by_theme: Mapping | None) -> list[Facet]:
        out = []
        for f, items in facets.items():
            pool = [i for i in items if i not in exclude
                    and not (reversed == "drop" and i in reversed_items)]
            out.append(Facet(f, pool, k_of[f], [a for a in anchors if a in pool], themes,
                             reversed_items, cover_themes, reversed,
                             by_theme.get(f) if by_theme else None))
        return out

    chosen_facets = facets_for(quotas, theme_quotas)
    plans = [chosen_facets]
    for L in sorted({*(lengths or ())} - {f.k for f in chosen_facets}):
        plans.append(facets_for(dict.fromkeys(facets, check_integer("lengths", L, minimum=1)),
                                None))
    groups_of = (lambda plan: [[f] for f in plan]) if model == "facet" else (lambda plan: [plan])

    def is_exact(group: list[Facet]) -> bool:
        if method == "exact":
            return True
        return method == "auto" and math.prod(f.size() for f in group) <= budget

    total = 0
    for plan in plans:
        for group in groups_of(plan):
            n = total_candidates(group) if is_exact(group) else budget
            if is_exact(group) and n > budget and method == "exact":
                label = group[0].name if len(group) == 1 else "the joint model"
                raise OptionError(f"budget={budget}: {'facet ' if len(group) == 1 else ''}"
                                  f"{label} has {n} candidates to enumerate")
            total += n
    done = [0]

    def tick(n: int = 1) -> None:
        done[0] += n
        if progress is not None and n:
            progress(done[0], total)

    pairs = bordin_pairs(scale, data, facets)
    search_rows, tables = [], []
    context = _Context(items_data, facets, estimator, missing, objective, pairs, irt)
    evaluators = context.evaluators(calibration_rows, plans, groups_of)
    for plan in plans:
        for group in groups_of(plan):
            evaluator = evaluators[id(plan), group[0].name]
            if is_exact(group):
                found, fitted, bad, reasons = exact(evaluator, keep, tick, workers)
                how = "exact"
            else:
                for f in group:
                    f.candidates()  # raises when none meets the constraints
                (genetic if method == "genetic" else mmas)(evaluator, budget, rng, tick)
                found = pd.DataFrame(list(evaluator.cache.values()))
                fitted, bad = len(found), int((~found["admissible"]).sum())
                reasons = _reason_counts(found)
                how = "genetic" if method == "genetic" else "mmas"
                if not found["admissible"].any():
                    raise AnalysisError(f"{_label(group)}: every candidate fitted is "
                                        f"inadmissible ({fitted}), e.g. "
                                        f"{found['reason'].iloc[0]}")
            tables.append(found)
            if plan is chosen_facets:
                search_rows.append({"search": evaluator.label, "method": how,
                                    "fitted": fitted, "inadmissible": bad,
                                    "reasons": "; ".join(f"{r}: {n}" for r, n in
                                                         reasons.items()),
                                    "upper bound": math.prod(f.size() for f in group)})
    table = pd.concat(tables, ignore_index=True)
    order = [*facets, "joint"]
    table = table.sort_values(["facet", "length", "objective"], ascending=[True, True, False],
                              kind="stable", key=lambda s: s.map(order.index)
                              if s.name == "facet" else s).reset_index(drop=True)
    best = _best(table, chosen_facets, model)
    search = pd.DataFrame(search_rows).set_index("search")
    chosen_keys = _chosen_keys(best, chosen_facets, model)
    search["crel"] = [float(table.loc[_same(table["key"], k), "crel"].iloc[0])
                      for k in chosen_keys]
    if len(holdout_rows):  # the chosen candidates refitted on the held-out part
        whole = [Facet(f.name, list(facets[f.name]), len(facets[f.name]), [], themes,
                       reversed_items, False, "any") for f in chosen_facets]
        held = context.evaluators(holdout_rows, [chosen_facets, whole], groups_of)
        groups = groups_of(chosen_facets)
        search["crel held-out"] = [
            held[id(chosen_facets), key_group[0].name].evaluate([k])[0]["crel"]
            for k, key_group in zip(chosen_keys, groups, strict=True)]
        search["best held-out"] = [
            _highest_crel(held[id(chosen_facets), g[0].name]) if is_exact(g) else np.nan
            for g in groups]
        search["full held-out"] = [
            held[id(whole), g[0].name].frame([tuple(tuple(f.pool) for f in g)])["crel"].iloc[0]
            if is_exact(h) else np.nan
            for g, h in zip(groups_of(whole), groups, strict=True)]
    table = table[COLUMNS]
    fold_table = None
    if folds is not None:
        fold_table = _k_fold(context, data, folds, rng, chosen_facets, groups_of, is_exact,
                             method, budget, keep, model)
    pareto = _pareto(table, list(facets), model)
    short = (_short_scale(scale, best, method, model, objective) if isinstance(scale, Scale)
             else None)
    comparison = holds = matches = None
    if holdout is not None and isinstance(scale, Scale) and short is not None:
        comparison, holds, matches = _compare(data, scale, short, calibration_rows,
                                              holdout_rows, search)
    return ShortForm(
        scale=short, items=best, candidates=table, pareto=pareto,
        search=search, holdout=comparison, matches_full_form=matches,
        holds_out=holds, objective=objective, estimator=estimator,
        seed=seed if isinstance(seed, int) else None,
        parent_hash=scale.content_hash if isinstance(scale, Scale) else "",
        n_calibration=len(calibration_rows), n_holdout=len(holdout_rows), model=model,
        folds=fold_table)


def _label(group: Sequence[Facet]) -> str:
    return f"facet {group[0].name}" if len(group) == 1 else "the joint model"


def _reason_counts(found: pd.DataFrame) -> dict[str, int]:
    out: dict[str, int] = {}
    for reason in found.loc[~found["admissible"], "reason"]:
        first = reason.split(" (")[0].split(";")[0]
        out[first] = out.get(first, 0) + 1
    return out


def _theme_quotas(per_theme: int | Mapping[str, int] | None, facets: Mapping[str, list[str]],
                  themes: Mapping[str, str]) -> dict[str, dict[str, int]] | None:
    """Facet -> theme -> items kept, from ``per_theme``."""
    if per_theme is None:
        return None
    if not themes:
        raise OptionError("per_theme needs a Scale (a plain mapping has no leaf themes)")
    known = {themes[i] for items in facets.values() for i in items}
    if isinstance(per_theme, Mapping):
        unknown = sorted(set(per_theme) - known)
        if unknown:
            raise OptionError(f"per_theme: not leaf themes of the scale: {', '.join(unknown)}")
    out: dict[str, dict[str, int]] = {}
    for f, items in facets.items():
        for t in dict.fromkeys(themes[i] for i in items):
            q = per_theme.get(t, 0) if isinstance(per_theme, Mapping) else per_theme
            q = check_integer(f"per_theme[{t!r}]", q, minimum=0)
            if q:
                out.setdefault(f, {})[t] = q
        if f not in out:
            raise OptionError(f"per_theme: facet {f} keeps no item (every quota of its "
                              "themes is 0)")
    return out


class _Context:
    """What the evaluators of one call share: the data, the estimator, the parts."""

    def __init__(self, data: pd.DataFrame, facets: Mapping[str, list[str]], estimator: str,
                 missing: str, objective: str, pairs: list, irt: bool) -> None:
        self.data, self.facets, self.estimator = data, facets, estimator
        self.missing, self.objective, self.pairs, self.irt = missing, objective, pairs, irt

    def evaluators(self, rows: np.ndarray, plans: list[list[Facet]],
                   groups_of: Callable) -> dict[tuple[int, str], Evaluator]:
        part = self.data.iloc[rows]
        every = [i for items in self.facets.values() for i in items]
        parts = Parts(part, self.facets, self.pairs, self.irt)
        out: dict[tuple[int, str], Evaluator] = {}
        matrices: dict[tuple[str, ...], tuple[pd.DataFrame, int]] = {}
        for plan in plans:
            for group in groups_of(plan):
                names = [i for f in group for i in self.facets[f.name]]
                matrix = None
                if self.estimator == "WLSMV":
                    key = tuple(f.name for f in group)
                    if key not in matrices:
                        matrices[key] = _polychoric(part[names])
                    matrix, route = matrices[key], "matrix"
                elif self.missing == "listwise" or not part[every].isna().to_numpy().any():
                    route = "listwise"
                else:
                    route = "fiml"
                out[id(plan), group[0].name] = Evaluator(group, part, route, matrix,
                                                         self.objective, parts, self.missing)
        return out


def _polychoric(items: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    from ..psychometrics import polychoric

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rho = polychoric(items, smooth=False).correlation
    return rho, int(items.notna().any(axis=1).sum())


def _best(table: pd.DataFrame, chosen: list[Facet], model: str) -> dict[str, tuple[str, ...]]:
    if model == "joint":
        k = sum(f.k for f in chosen)
        rows = table[(table["facet"] == "joint") & (table["length"] == k) & table["admissible"]]
        if rows.empty:
            reasons = table.loc[table["facet"] == "joint", "reason"]
            raise AnalysisError(f"the joint model: every candidate fitted is inadmissible, "
                                f"e.g. {reasons.iloc[0]}")
        key = rows.iloc[0]["key"]
        return {f.name: part for f, part in zip(chosen, key, strict=True)}
    best = {}
    for facet in chosen:
        rows = table[(table["facet"] == facet.name) & (table["length"] == facet.k)
                     & table["admissible"]]
        if rows.empty:
            reasons = table.loc[table["facet"] == facet.name, "reason"]
            fitted = (table["facet"] == facet.name) & (table["length"] == facet.k)
            raise AnalysisError(f"facet {facet.name}: every candidate fitted is inadmissible "
                                f"({int(fitted.sum())}), e.g. {reasons.iloc[0]}")
        best[facet.name] = tuple(rows.iloc[0]["items"])
    return best


def _chosen_keys(best: Mapping[str, tuple[str, ...]], chosen: list[Facet],
                 model: str) -> list[tuple[tuple[str, ...], ...]]:
    if model == "joint":
        return [tuple(best[f.name] for f in chosen)]
    return [(best[f.name],) for f in chosen]


def _k_fold(context: _Context, data: pd.DataFrame, k: int, rng: np.random.Generator,
            chosen: list[Facet], groups_of: Callable, is_exact: Callable, method: str,
            budget: int, keep: int, model: str) -> pd.DataFrame:
    """Per fold: the search on the other folds, its chosen items, crel there and refitted
    on the fold (stuart's ``kfold()``: Schultze 2017)."""
    n = len(data)
    if n // k < MIN_PART:
        raise AnalysisError(f"folds={k}: {n} respondents give folds of {n // k}; each needs "
                            f"at least {MIN_PART}")
    assignment = rng.permutation(n) % k
    rows = []
    for fold in range(k):
        train = np.flatnonzero(assignment != fold)
        test = np.flatnonzero(assignment == fold)
        evaluators = context.evaluators(train, [chosen], groups_of)
        tables = []
        for group in groups_of(chosen):
            evaluator = evaluators[id(chosen), group[0].name]
            evaluator.cache.clear()
            if is_exact(group):
                found = exact(evaluator, keep, lambda n: None)[0]
            else:
                (genetic if method == "genetic" else mmas)(evaluator, budget, rng,
                                                          lambda n: None)
                found = pd.DataFrame(list(evaluator.cache.values()))
            tables.append(found.sort_values("objective", ascending=False, kind="stable"))
        table = pd.concat(tables, ignore_index=True)
        best = _best(table, chosen, model)
        keys = _chosen_keys(best, chosen, model)
        held = context.evaluators(test, [chosen], groups_of)
        for key, group in zip(keys, groups_of(chosen), strict=True):
            cal = table.loc[_same(table["key"], key)].iloc[0]
            out = held[id(chosen), group[0].name].evaluate([key])[0]
            rows.append({"fold": fold + 1, "search": group[0].name if len(group) == 1
                         else "joint", "items": " ".join(i for part in key for i in part),
                         "n calibration": len(train), "n held-out": len(test),
                         "crel": cal["crel"], "crel held-out": out["crel"],
                         "objective": cal["objective"], "objective held-out": out["objective"]})
    return pd.DataFrame(rows)


def _pareto(table: pd.DataFrame, order: list[str], model: str) -> pd.DataFrame:
    """Per length: the best admissible form (per facet summed, or the best joint
    candidate), its mean and lowest crel and its worst RMSEA / lowest CFI; a length is on
    the Pareto front when no shorter complete form is at least as reliable (mean crel)
    and fits at least as well (worst RMSEA)."""
    rows = []
    n_facets = len(order)
    for length, part in table.groupby("length"):
        best = part[part["admissible"]].groupby("facet").head(1)
        missing = (n_facets - best["facet"].nunique()) if model == "facet" else int(best.empty)
        ok = not missing
        per_facet = int(length) if model == "facet" else int(length) / n_facets
        rows.append({"length": int(length),
                     "items": int(length) * n_facets if model == "facet" else int(length),
                     "per facet": per_facet,
                     "objective": best["objective"].sum() if ok else np.nan,
                     "mean crel": best["crel"].mean() if ok else np.nan,
                     "lowest crel": best["crel"].min() if ok else np.nan,
                     "worst RMSEA": best["rmsea"].max() if ok else np.nan,
                     "lowest CFI": best["cfi"].min() if ok else np.nan,
                     "inadmissible": int((~part["admissible"]).sum()),
                     "facets without admissible form": missing})
    frame = pd.DataFrame(rows).set_index("length")
    frame.index.name = "per facet" if model == "facet" else "items"
    frame = frame.drop(columns="per facet" if model == "facet" else "items")
    complete = frame["facets without admissible form"] == 0
    size = frame.index.to_numpy()
    frame["pareto"] = [bool(ok) and not (complete & (size < n) & (frame["mean crel"] >= c)
                                         & (frame["worst RMSEA"] <= r)).any()
                       for ok, n, c, r in zip(complete, size, frame["mean crel"],
                                              frame["worst RMSEA"], strict=True)]
    return frame


def _same(column: pd.Series, value: tuple) -> pd.Series:
    """Rows whose tuple equals ``value`` (``==`` would compare element by element)."""
    return column.map(lambda v: tuple(v) == tuple(value)).astype(bool)


def _short_scale(scale: Scale, best: Mapping[str, tuple[str, ...]], method: str,
                 model: str, objective: str) -> Scale:
    from ..instrument import Lineage

    keep = {i for items in best.values() for i in items}
    how = (f"shorten: {sum(len(v) for v in best.values())} items, {method} search, "
           f"{objective} objective, {'joint model' if model == 'joint' else 'per facet'}")
    return replace(scale, items=tuple(i for i in scale.items if i.id in keep),
                   name=f"{scale.name} (short form)",
                   version=f"{scale.version}+short.{scale.content_hash[:12]}", content_hash="",
                   lineage=Lineage(scale.name, scale.version, scale.content_hash, how))


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


def _highest_crel(evaluator: Evaluator) -> float:
    """The highest crel of any admissible candidate of ``evaluator`` (every one fitted)."""
    lists = [f.candidates() for f in evaluator.facets]
    best = -np.inf
    for start in range(0, total_candidates(evaluator.facets), CHUNK):
        frame = evaluator.frame(chunk_keys(lists, start))
        crel = frame.loc[frame["admissible"], "crel"]
        if len(crel):
            best = max(best, float(crel.max()))
    return best if np.isfinite(best) else np.nan


def _length_bound(search: pd.DataFrame) -> str:
    """Why no form of this length could match the full form, when the bound shows it."""
    if "best held-out" not in search or search["best held-out"].isna().any():
        return ""
    best, full = search["best held-out"].mean(), search["full held-out"].mean()
    if not best < full - HOLDOUT_TOLERANCE["omega"]:
        return ""
    return (f"no form of this length could: the best candidates chosen on the held-out part "
            f"itself reach a mean crel of {best:.3f} there, the full facets {full:.3f}")


def _compare(data: pd.DataFrame, full: Scale, short: Scale, calibration_rows: np.ndarray,
             holdout_rows: np.ndarray, search: pd.DataFrame,
             ) -> tuple[pd.DataFrame, bool, bool]:
    """Short and full form on the held-out part, and the short form's calibration numbers.

    Two verdicts, each on its rows (:data:`HOLDS_OUT_RULE`, :data:`MATCHES_RULE`):
    whether the search's gain holds out (Kleka & Soroko 2018: what a search gains on its
    own sample is partly chance), and whether the short form measures as the full form on
    the held-out part (the tolerances of issue #22). (The mean facet omega: one 3-item
    facet's omega varies by about 0.02 between two halves of 1,000 respondents by chance
    alone.)
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
    tolerance, holds, matches = [], [], []
    for m in frame.index:
        to_full, to_cal = frame.loc[m, "short - full"], frame.loc[m, "held-out - calibration"]
        if m in ("mean omega", "CFI"):
            t = HOLDOUT_TOLERANCE["omega" if m == "mean omega" else "cfi"]
            holds.append(bool(to_cal >= -t))
            matches.append(bool(to_full >= -t))
        elif m.startswith("r("):
            t = HOLDOUT_TOLERANCE["bordin"]
            holds.append(None)
            matches.append(bool(abs(to_full) <= t))
        else:
            t = np.nan
            holds.append(None)
            matches.append(None)
        tolerance.append(t)
    frame["tolerance"] = tolerance
    frame["holds out"] = pd.Series(holds, index=frame.index, dtype=object)
    frame["matches full"] = pd.Series(matches, index=frame.index, dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r_total = score(held[full.item_ids], full).scores["total"].corr(
            score(held[short.item_ids], short).scores["total"])
    frame.loc["r(total short, total full)"] = [np.nan, np.nan, r_total, np.nan, np.nan, np.nan,
                                              None, None]
    n = len(holdout_rows)
    verdicts = []
    for column, rule, says in (("holds out", HOLDS_OUT_RULE, "does not hold out"),
                               ("matches full", MATCHES_RULE, "does not match the full form")):
        failed = [m for m, v in frame[column].items() if v is False]
        verdicts.append(not failed)
        if failed:
            bound = _length_bound(search) if column == "matches full" else ""
            warn_user(f"the short form {says} on the {n} held-out respondents: "
                      f"{', '.join(failed)} beyond the "
                      f"tolerance (rule: {rule.split(': ', 1)[1]})"
                      + (f"; {bound}" if bound else ""), AllianceScaleWarning)
    return frame, verdicts[0], verdicts[1]
