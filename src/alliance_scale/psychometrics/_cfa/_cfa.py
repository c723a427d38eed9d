"""``cfa()``: confirmatory factor analysis with lavaan's numbers (ML, MLR, WLSMV, DWLS, ULS).

Checks the arguments, turns the data into per-group sample statistics (biased covariance
and means for ML / MLR, lavaan's polychorics, thresholds and their asymptotic covariance
for ordered items, from :mod:`._ordinal`), builds the parameter table, fits it
(:mod:`._fitting`) and returns a :class:`~._result.CFAResult`. Warnings for statistical
trouble: non-convergence, Heywood cases, a latent covariance matrix that is not positive
definite, empty cells of polychoric tables, a model that is not identified.

Written for this project because Python has no engine that reproduces lavaan: semopy's
ML agrees to ~2e-3, its ordinal path is broken on current numpy / scipy and it has no
robust tests or invariance (measured; see ``shared/reference/cfa.md``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import as_item_frame, check_choice, check_flag, check_integer
from ..._io import MEMORY_VARIABLE, analysis_budget
from ..._warn import warn_user
from ...errors import (
    AllianceScaleWarning,
    AnalysisError,
    HeywoodWarning,
    NotPositiveDefiniteWarning,
    OptionError,
)
from .._blas import single_threaded_blas as _single_threaded_blas
from .._correlation._correlation import singular_cause
from ._engine import ContinuousGroup, OrdinalGroup
from ._fiml import MissingGroup
from ._fitting import Fitted, fit_prepared, is_fiml
from ._model import GROUP_EQUAL, Model, build_model, variable_names
from ._result import CFAResult
from ._starts import START_METHODS, different_optima, optima_message
from ._syntax import Statement, model_statements

__all__ = ["ESTIMATORS", "Prepared", "cfa", "fit_statements", "ordinal_memory", "prepare"]

#: Estimators of :func:`cfa` (lavaan's names).
ESTIMATORS = ("ML", "MLR", "WLSMV", "DWLS", "ULS", "ULSMV")
_ORDINAL_ESTIMATORS = ("WLSMV", "DWLS", "ULS", "ULSMV")
#: Missing-data options of :func:`cfa` (lavaan's names).
MISSING = ("listwise", "pairwise", "ml", "ml.x")
#: Most answer categories accepted for an ordered item.
MAX_CATEGORIES = 10
#: Copies of the (statistics x statistics) NACOV alive at the peak, measured (80 items, 500
#: respondents: 4.9 with the robust corrections), plus one per extra group; DWLS and ULS
#: compute only its diagonal (their standard errors and test need no more).
_NACOV_COPIES = {"WLSMV": 5.5, "ULSMV": 5.5, "DWLS": 0.0, "ULS": 0.0}
#: With fewer respondents than statistics the robust corrections work from the influence
#: matrix (respondents x statistics) and never form the NACOV: the peak is then copies of
#: the Jacobian (statistics x items), of respondents x respondents products and of the
#: influence matrix. Measured peaks (tracemalloc; one factor; 40-150 items, 200-1,000
#: respondents: 15 MB at 40 x 200 to 298 MB at 150 x 300) fit 26 Jacobians + 6 n x n + 0.3
#: influence matrices; these are rounded up.
_FACTORED_COPIES = (32.0, 6.0, 4.0)


def ordinal_memory(n_items: int, n_thresholds: int, n_obs: int, ngroups: int,
                   estimator: str) -> int:
    """Estimated peak bytes of an ordinal fit.

    With at least as many respondents as statistics (``n_thresholds + p(p-1)/2``): the NACOV
    of the statistics (their square: it grows with the fourth power of the items), the
    copies the robust corrections make, and the respondents' influence matrix. With fewer
    respondents (WLSMV / ULSMV keep the NACOV factored, as :func:`cfa` does then): the
    Jacobian of the statistics, products of the respondents' influences and that influence
    matrix, which grow with the third power of the items.

    Examples
    --------
    >>> round(ordinal_memory(150, 600, 20_000, 1, "WLSMV") / 1e9, 1)  # GB: the NACOV
    9.9
    >>> round(ordinal_memory(150, 600, 500, 1, "WLSMV") / 1e9, 1)  # GB: factored
    0.7
    """
    nstat = n_thresholds + n_items * (n_items - 1) // 2
    copies = _NACOV_COPIES.get(estimator, 5.5)
    if copies and n_obs < nstat:
        jacobian, square, influence = _FACTORED_COPIES
        per_group = square * n_obs * n_obs + influence * n_obs * nstat
        return int(8 * (jacobian * nstat * n_items + ngroups * per_group))
    copies += (ngroups - 1) if copies else 0.0
    return int(8 * nstat * nstat * copies + 16 * n_obs * nstat)


def _check_memory(n_items: int, n_thresholds: int, n_obs: int, ngroups: int,
                  estimator: str) -> None:
    need = ordinal_memory(n_items, n_thresholds, n_obs, ngroups, estimator)
    budget, source = analysis_budget()
    if need <= budget:
        return
    nstat = n_thresholds + n_items * (n_items - 1) // 2
    lean = ordinal_memory(n_items, n_thresholds, n_obs, ngroups, "DWLS")
    options = []
    if estimator in ("WLSMV", "ULSMV") and lean <= budget:
        options.append(f"estimator='DWLS' (about {lean / 1e9:.2g} GB: the same estimates, "
                       "standard errors and test without the robust corrections, which "
                       "need only the diagonal of that matrix)")
    options += ["fewer items per model (e.g. one model per dimension)",
                "estimator='MLR' on the items as continuous (memory grows with the items "
                "squared; reasonable with 5 or more points)",
                f"a larger budget ({MEMORY_VARIABLE}=<GB>)"]
    if estimator in ("WLSMV", "ULSMV") and n_obs < nstat:
        what = (f"the derivatives of the {nstat:,} thresholds and polychorics with respect to "
                f"the parameters and the products of the {n_obs:,} respondents' influences "
                "(their asymptotic covariance matrix is kept factored: fewer respondents "
                "than statistics; growing with the third power of the items)")
    else:
        what = (f"the asymptotic covariance matrix of the {nstat:,} thresholds and "
                f"polychorics is {nstat:,} x {nstat:,} ({8 * nstat * nstat / 1e9:.2g} GB per "
                "copy, growing with the fourth power of the items)")
    raise AnalysisError(
        f"{estimator} on {n_items} ordered items needs about {need / 1e9:.2g} GB: {what}, "
        f"more than the budget of {budget / 1e9:.2g} GB (" + source + "); instead: "
        + "; ".join(options))


def _check_options(estimator: Any, ordered: Any, group: Any, group_equal: Any, std_lv: Any,
                   missing: Any) -> tuple[str, tuple[str, ...]]:
    check_choice("estimator", estimator, ESTIMATORS)
    check_flag("std_lv", std_lv)
    check_choice("missing", missing, MISSING)
    if isinstance(group_equal, str):
        group_equal = (group_equal,)
    if not isinstance(group_equal, Sequence):
        raise OptionError(f"group_equal must be a list of {', '.join(GROUP_EQUAL)}; "
                          f"got {group_equal!r}")
    for kind in group_equal:
        check_choice("group_equal", kind, GROUP_EQUAL)
    if group_equal and group is None:
        raise OptionError("group_equal needs group= (the column that defines the groups)")
    if group is not None and not isinstance(group, str):
        raise OptionError(f"group must be a column name; got {group!r}")
    if ordered is not None and not isinstance(ordered, bool) and (
            isinstance(ordered, str) or not isinstance(ordered, Sequence)
            or not all(isinstance(item, str) for item in ordered)):
        raise OptionError("ordered must be True (every item), a list of item names, or None")
    return estimator, tuple(group_equal)


def _ordered_items(ordered: Any, names: list[str], estimator: str) -> bool:
    """Whether the model's items are ordered (all of them, or none)."""
    if ordered is None or ordered is False:
        flag = False
    elif ordered is True:
        flag = True
    else:
        listed = list(ordered)
        unknown = [n for n in listed if n not in names]
        if unknown:
            raise OptionError(f"ordered names item(s) not in the model: {', '.join(unknown)}")
        missing = [n for n in names if n not in listed]
        if missing and listed:
            raise OptionError("ordered must list every item of the model (mixed ordered and "
                              f"continuous items are not supported); missing: "
                              f"{', '.join(missing)}")
        flag = bool(listed)
    if flag and estimator in ("ML", "MLR"):
        raise OptionError(f"estimator {estimator!r} treats items as continuous; with ordered "
                          "items use 'WLSMV' (lavaan's default), 'DWLS', 'ULS' or 'ULSMV'")
    if not flag and estimator in _ORDINAL_ESTIMATORS:
        raise OptionError(f"estimator {estimator!r} fits polychoric correlations: give "
                          "ordered=True (items coded 1..k), or use 'ML' / 'MLR' for "
                          "continuous items")
    return flag


def _group_labels(column: pd.Series) -> list[Any]:
    if isinstance(column.dtype, pd.CategoricalDtype):
        present = set(column.dropna())
        return [c for c in column.cat.categories if c in present]
    return list(pd.unique(column.dropna()))


def _split_rows(data: pd.DataFrame, names: list[str], group: str | None, missing: str,
                hint: str) -> tuple[pd.DataFrame, list[Any], list[np.ndarray]]:
    """Item frame (checked), group labels and the rows of each group."""
    if not isinstance(data, pd.DataFrame):
        raise AnalysisError(f"data must be a pandas DataFrame of item responses; got "
                            f"{type(data).__name__}")
    absent = [n for n in names if n not in data.columns]
    if absent:
        raise AnalysisError(f"the model's item(s) {', '.join(map(repr, absent))} are not "
                            "columns of the data", column=absent[0])
    if group is not None and group not in data.columns:
        raise AnalysisError(f"group column {group!r} is not in the data", column=group)
    items = as_item_frame(data[names], min_items=1)
    keep = items.notna().all(axis=1) if missing == "listwise" else items.notna().any(axis=1)
    if group is not None:
        keep &= data[group].notna()
    dropped = list(items.index[~keep.to_numpy()])
    if dropped:
        shown = ", ".join(map(str, dropped[:5])) + (" ..." if len(dropped) > 5 else "")
        how = ("have a missing answer" if missing == "listwise" else "answered no item")
        how += " or no group" if group is not None else ""
        warn_user(
            f"{len(dropped)} of {len(items)} respondents {how} and are left out "
                      f"(rows {shown})" + (f"; missing={hint!r} keeps incomplete rows"
                                           if missing == "listwise" else ""),
            AllianceScaleWarning,
        )
    items = items[keep.to_numpy()]
    if group is None:
        return items, [], [np.arange(len(items))]
    labels = _group_labels(data.loc[items.index, group])
    if len(labels) < 2:
        raise AnalysisError(f"group column {group!r} has {len(labels)} group(s); at least 2 "
                            "are needed for a multi-group analysis", column=group)
    column = data.loc[items.index, group].to_numpy()
    return items, labels, [np.flatnonzero(column == label) for label in labels]


def _continuous_groups(items: pd.DataFrame, rows: list[np.ndarray], missing: str,
                       labels: list[Any]) -> list[ContinuousGroup]:
    groups = []
    for g, idx in enumerate(rows):
        values = items.to_numpy()[idx]
        n = len(values)
        if n < 2:
            raise AnalysisError(f"group {labels[g]!r} has {n} respondent(s)")
        if missing in ("ml", "ml.x"):
            groups.append(_missing_group(values, list(items.columns), labels, g))
            continue
        if missing == "listwise":
            mean = values.mean(axis=0)
            cov = np.cov(values, rowvar=False, bias=True)
            raw = values
        else:  # lavaan: pairwise covariances, rescaled by (N - 1) / N, N = rows used
            frame = pd.DataFrame(values)
            mean = frame.mean().to_numpy()
            cov = frame.cov().to_numpy() * (n - 1) / n
            raw = None
            if np.isnan(cov).any():
                raise AnalysisError("two items are never answered together: their pairwise "
                                    "covariance is undefined")
        sd = np.sqrt(np.diag(cov))
        spread = np.nanmax(np.abs(values), axis=0) if n else np.zeros(len(sd))
        flat = np.flatnonzero(~(sd > 1e-12 * np.maximum(spread, 1.0)))
        if flat.size:
            where = f" in group {labels[g]!r}" if labels else ""
            bad = items.columns[flat[0]]
            others = ([str(c) for c in items.columns[flat[1:6]]] if flat.size > 1 else [])
            answer = pd.Series(values[:, flat[0]]).dropna()
            raise AnalysisError(
                f"item is constant{where} (every answer is "
                f"{answer.iloc[0] if len(answer) else float('nan'):g}, {n} respondents)"
                + (f"; so are {', '.join(others)}" if others else "")
                + ": its variance is 0 and ML cannot fit it; leave the item out or "
                "compare groups in which it varies", column=bad)
        cause = singular_cause(cov / np.outer(sd, sd), list(items.columns))
        if cause is not None:
            where = f" of group {labels[g]}" if labels else ""
            raise AnalysisError(f"the sample covariance matrix{where} cannot be analysed by ML: "
                                + cause)
        groups.append(ContinuousGroup(n, cov, mean, raw))
    return groups


def _missing_group(values: np.ndarray, names: list[str], labels: list[Any],
                   g: int) -> MissingGroup:
    """Full-information ML: the EM saturated moments must be analysable."""
    group = MissingGroup(values)
    sd = np.sqrt(np.diag(group.cov))
    cause = singular_cause(group.cov / np.outer(sd, sd), names)
    if cause is not None:
        where = f" of group {labels[g]}" if labels else ""
        raise AnalysisError("the EM estimate of the covariance matrix" + where
                            + " cannot be analysed by ML: " + cause)
    return group


def _ordinal_groups(items: pd.DataFrame, rows: list[np.ndarray], labels: list[Any],
                    estimator: str, missing: str,
                    min_expected: float = 10.0) -> tuple[list[OrdinalGroup], list[int]]:
    for name in items.columns:
        values = items[name].dropna().to_numpy()
        if np.any(values != np.round(values)):
            raise AnalysisError("ordered items need integer answer codes; found "
                                f"{values[values != np.round(values)][0]:g}", column=name)
        categories = np.unique(values).size
        if categories > MAX_CATEGORIES:
            raise AnalysisError(f"item has {categories} distinct answers; an ordered item "
                                f"can have at most {MAX_CATEGORIES} categories (treat it as "
                                "continuous with estimator='ML' or 'MLR')", column=name)
    thresholds_total = sum(int(np.unique(items[name].dropna()).size) - 1
                           for name in items.columns)
    _check_memory(items.shape[1], thresholds_total, max(len(r) for r in rows), len(rows),
                  estimator)
    from ._ordinal import _ordinal_statistics, warn_empty_cells  # the engine's other half

    groups, counts = [], None
    pairs = empty = 0
    unexpected: list[tuple[str, str, float, str]] = []
    for g, idx in enumerate(rows):
        # DWLS / ULS need the NACOV's diagonal only; WLSMV / ULSMV its products and traces,
        # computed from the influence matrix (respondents x statistics) when it is the
        # smaller (fewer respondents than statistics: 320 x 3,480 for the pilot, where the
        # NACOV is 3,480 x 3,480, 100 MB), from the NACOV itself otherwise
        statistics = thresholds_total + items.shape[1] * (items.shape[1] - 1) // 2
        stats, influence = _ordinal_statistics(
            items.iloc[idx], missing, min_expected, False,
            "diagonal" if estimator in ("DWLS", "ULS") else
            "factored" if len(idx) < statistics else "full")
        where = f" in group {labels[g]}" if labels else ""
        pairs += len(stats.names) * (len(stats.names) - 1) // 2
        empty += len(stats.empty_cells)
        unexpected += [(a, b, e, where) for a, b, e in stats.unexpected_empty]
        here = [len(t) for t in stats.thresholds]
        if counts is not None and here != counts:
            bad = next(n for n, a, b in zip(items.columns, counts, here, strict=True) if a != b)
            raise AnalysisError(f"item has a different number of observed categories{where} "
                                "than in the first group; collapse rare categories",
                                column=bad)
        counts = here
        nacov = np.asarray(stats.nacov, dtype=float)  # DWLS / ULS: its diagonal only
        variances = nacov if nacov.ndim == 1 else np.diag(nacov)
        weights = 1.0 / variances if estimator in ("WLSMV", "DWLS") else \
            np.ones(nacov.shape[0])
        groups.append(OrdinalGroup(stats.n_obs, np.asarray(stats.vector(), float), nacov,
                                   weights, np.asarray(stats.correlation, float),
                                   tuple(np.asarray(t, float) for t in stats.thresholds),
                                   influence=influence))
    # one summary per analysis, pointing at the caller of cfa / measurement_invariance
    warn_empty_cells(pairs, empty, unexpected, float(min_expected),
                     f" (over {len(rows)} groups)" if labels else "")
    return groups, counts or []


def _covariance_groups(cov_matrix: Any, n_obs: Any, names: list[str]) -> list[ContinuousGroup]:
    """A covariance matrix (lavaan's ``sample.cov``): rescaled by (N - 1) / N as lavaan."""
    if n_obs is None:
        raise OptionError("n_obs is needed with cov_matrix (respondents behind the matrix)")
    n = check_integer("n_obs", n_obs, minimum=2)
    if not isinstance(cov_matrix, pd.DataFrame):
        raise OptionError("cov_matrix must be a DataFrame whose rows and columns are the "
                          "item names of the model")
    if list(cov_matrix.index) != list(cov_matrix.columns):
        raise AnalysisError("cov_matrix's row and column names differ")
    absent = [n for n in names if n not in cov_matrix.columns]
    if absent:
        raise AnalysisError(f"the model's item(s) {', '.join(map(repr, absent))} are not in "
                            "cov_matrix", column=absent[0])
    try:
        cov = cov_matrix.loc[names, names].to_numpy(dtype=float)
    except (TypeError, ValueError) as error:
        raise AnalysisError("cov_matrix holds non-numeric values") from error
    if not np.all(np.isfinite(cov)) or not np.allclose(cov, cov.T, atol=1e-10):
        raise AnalysisError("cov_matrix must be finite and symmetric")
    return [ContinuousGroup(n, cov * (n - 1) / n, np.zeros(len(names)), None)]


def _statistical_warnings(fitted: Fitted) -> None:
    """Non-convergence, non-identification, Heywood cases, non-PD latent covariances
    (stack level: the caller of the public function that called fit_statements)."""
    model, x = fitted.model, fitted.estimate.x
    if different_optima(fitted.optima, fitted.n_total):
        logl_h1 = fitted.fit.get("unrestricted_logl") if not model.ordered else None
        warn_user(optima_message(model, fitted.optima, fitted.estimate, fitted.n_total,
                                 logl_h1), AllianceScaleWarning)
    if not fitted.estimate.converged:
        warn_user(
            f"the estimation did not converge in {fitted.estimate.iterations} "
                      "iterations; estimates are unreliable: check the model (a factor "
                      "without variance, two factors correlating 1), or give start values "
                      "(start(...))",
            AllianceScaleWarning,
        )
    if fitted.unidentified:
        warn_user(
            "the model is not identified: the information matrix is singular in "
                      "the direction of " + ", ".join(fitted.unidentified) + "; standard "
                      "errors are not available (fix a parameter or add a constraint)",
            AllianceScaleWarning,
        )
    for g in range(model.ngroups):
        where = f" (group {g + 1})" if model.ngroups > 1 else ""
        imp = model.implied(x, g)
        theta = np.diag(imp["theta"])
        bad_ov = [model.ov[j] for j in np.flatnonzero(theta < 0)]
        psi = np.diag(imp["mats"]["psi"])
        bad_lv = [model.lv[f] for f in np.flatnonzero(psi < 0)]
        if bad_ov or bad_lv:
            parts = []
            if bad_ov:
                parts.append("negative residual variance of " + ", ".join(bad_ov))
            if bad_lv:
                parts.append("negative variance of factor " + ", ".join(bad_lv))
            warn_user(
                f"Heywood case{where}: {'; '.join(parts)}; the solution is improper "
                          "(an item may load > 1, a factor may be redundant, or the sample is "
                          "small)",
                HeywoodWarning,
            )
        phi = imp["phi"]
        if model.m > 1 and np.all(np.isfinite(phi)) and np.linalg.eigvalsh(phi).min() <= 0:
            warn_user(
                f"the latent covariance matrix{where} is not positive definite "
                          f"(smallest eigenvalue {np.linalg.eigvalsh(phi).min():.3g}): two "
                          "factors may be indistinguishable (correlation of 1 or more)",
                NotPositiveDefiniteWarning,
            )


def cfa(
    data: pd.DataFrame | None = None,
    model: str | Mapping[str, Sequence[str]] | None = None,
    *,
    estimator: str = "ML",
    ordered: bool | Sequence[str] | None = None,
    group: str | None = None,
    group_equal: Sequence[str] = (),
    std_lv: bool = False,
    orthogonal: bool = False,
    missing: str = "listwise",
    n_obs: int | None = None,
    cov_matrix: pd.DataFrame | None = None,
    empty_cell_expected: float = 10.0,
    parameterization: str = "delta",
    start: str | pd.DataFrame = "ours",
    starts: int = 0,
    seed: int | None = None,
) -> CFAResult:
    """Confirmatory factor analysis, numbers as R lavaan 0.6.14's ``cfa()``.

    Parameters
    ----------
    data : DataFrame, optional
        Respondents in rows; the model's items (and ``group``) among the columns.
    model : str or mapping
        lavaan syntax (``"f =~ x1 + x2 + x3"``; second order ``g =~ f1 + f2``; ``x1 ~~
        x2``; fixed values ``1*x1``; equality labels ``a*x1``; ``c(...)`` per group) or a
        mapping factor -> items (a leading ``-`` is dropped; see
        :func:`~._syntax.model_statements`).
    estimator : {"ML", "MLR", "WLSMV", "DWLS", "ULS", "ULSMV"}, default "ML"
        ``ML``: normal-theory maximum likelihood (lavaan's: ``N`` in the likelihood,
        expected-information SEs). ``MLR``: the same estimates, Huber-White SEs
        (observed information) and the Yuan-Bentler scaled test. ``WLSMV``: diagonally
        weighted least squares on polychorics and thresholds, robust SEs and the
        scaled-shifted test (Asparouhov & Muthen 2010); ``DWLS`` / ``ULS``: the same
        estimates with standard SEs and test; ``ULSMV``: ULS with robust corrections.
        WLSMV is the recommended estimator for Likert items with 7 points or fewer
        (Rhemtulla, Brosseau-Liard & Savalei 2012).
    ordered : True, list of str or None
        Treat the items as ordered categories (all the model's items). Needed by the
        ordinal estimators; refused with ML / MLR.
    group : str, optional
        Column defining groups: a multi-group model with mean structure.
    group_equal : sequence of str
        Parameters equal across groups (lavaan's ``group.equal``): "loadings",
        "intercepts", "means", "thresholds", "residuals", "residual.covariances",
        "lv.variances", "lv.covariances", "regressions". Ordered items are identified as
        Wu & Estabrook (2016) (see :func:`measurement_invariance`).
    std_lv : bool, default False
        Identify factors by unit variances (all loadings free) instead of a marker item.
    orthogonal : bool, default False
        Fix the covariances of the exogenous factors at 0 (lavaan's ``orthogonal``), as a
        bifactor model needs; covariances written in the model stay as written.
    missing : {"listwise", "pairwise", "ml", "ml.x"}, default "listwise"
        Rows with a missing answer are left out (listwise; a warning says how many), or
        every row answering an item is kept and each sample statistic uses the answers it
        involves (lavaan's ``missing = "pairwise"``): pairwise covariances for ML;
        thresholds from each item's answers and polychorics from the rows answering both
        items, with their NACOV, for the ordinal estimators. Not with MLR. ``"ml"``:
        full-information ML for ML / MLR (lavaan's ``missing = "ml"``; Arbuckle 1996):
        every row answering an item contributes the likelihood of its answers; means
        join the model, the chi-square is against the EM saturated model, standard errors
        use the observed information (lavaan's default for FIML; MLR: Huber-White), the
        robust CFI / TLI / RMSEA are FIML-corrected (Zhang & Savalei 2023). ``"ml.x"``
        is lavaan's variant that also keeps rows with missing exogenous covariates; a
        CFA has none, so it equals ``"ml"``. Valid under MAR, where listwise deletion is
        biased (see :mod:`._fiml`).
    n_obs : int, optional
        Respondents behind ``cov_matrix``.
    start : {"ours", "default", "simple"} or DataFrame, default "ours"
        Start values (see :mod:`._starts`). ``"ours"`` fits from our start and, for models
        of at most 120 free parameters, from lavaan's default start and reports the better
        optimum, warning with both
        log-likelihoods and the largest estimate differences when they differ (a CFA
        likelihood can have several optima). ``"default"``: lavaan's default start alone
        (FABIN 3 loadings, factor variances 0.05, half the item variances), as lavaan
        runs; ``"simple"``: lavaan's ``start = "simple"``; a DataFrame: lavaan's
        ``parTable`` (lhs, op, rhs, group, start or est).
    starts : int, default 0
        Further random restarts around our start (seeded by ``seed``); the best optimum
        is reported, with the same warning when they end at different optima.
    seed : int, optional
        Seed of the random restarts.
    cov_matrix : DataFrame, optional
        An (unbiased) covariance matrix with item names instead of ``data`` (ML only;
        rescaled by ``(N - 1) / N`` as lavaan's ``sample.cov``).
    parameterization : {"delta", "theta"}, default "delta"
        Ordered items, as lavaan's option: "delta" (the scaling factors of the latent
        responses are parameters, their residual variances follow) or "theta" (the
        residual variances are parameters, fixed at 1, freed in groups 2+ as Wu &
        Estabrook 2016, and the scales follow). The fit is the same in one group; the
        estimates are on another scale. Theta allows equal residual variances
        (``group_equal=[..., "residuals"]``, strict invariance).
    empty_cell_expected : float, default 10
        Ordered items: one :class:`~alliance_scale.EmptyCellWarning` per analysis names
        the item pairs whose contingency table has an empty cell where the fitted
        bivariate normal expects at least this many answers (there the polychoric
        model does not fit, and the estimates built on it may be biased); empty cells
        expected by chance, common on Likert data, are only counted. 0 reports every
        pair with an empty cell.

    Returns
    -------
    CFAResult
        ``.estimates`` (lavaan's parameterEstimates with ``std_all``), ``.fit``
        (fitMeasures), ``.standardized``, ``.std_loadings``, ``.implied``,
        ``.residuals``, ``.reliability``, ``.modification_indices()``,
        ``.fornell_larcker()``; ``print(result)`` reads like lavaan's ``summary()``.

    Raises
    ------
    OptionError
        A bad argument or a syntax error (line and token named).
    AnalysisError
        An item missing from the data, a non-numeric or constant item, an ordered item
        with more than 10 categories, an item constant in a group, a factor whose only
        indicator also loads on another factor, more parameters than sample statistics;
        an ordinal model whose asymptotic covariance matrix (it grows with the fourth power
        of the items; the third when it is kept factored) would exceed the memory budget
        (half the available memory, or ``ALLIANCE_SCALE_MEMORY_GB``), with the estimate and
        the alternatives.

    Warns
    -----
    AllianceScaleWarning
        Respondents left out, non-convergence, empty polychoric cells, a model that is
        not identified (the parameters named).
    HeywoodWarning
        Negative residual or factor variances.
    NotPositiveDefiniteWarning
        Latent covariance matrix not positive definite.

    Examples
    --------
    >>> import alliance_scale as als
    >>> scale = als.draft_scale(items_per_facet=4)
    >>> sim = als.simulate(scale, 500, seed=1)
    >>> keys = {f: list(scale.keys[f]) for f in ("A1", "B1")}  # "-" marks reversed items
    >>> fit = als.cfa(sim.items, keys)  # In R: lavaan::cfa("A1 =~ ...", data)
    >>> round(fit.fit["chisq"], 2), fit.fit["df"], round(fit.fit["cfi"], 3)
    (14.69, 19, 1.0)
    >>> print(fit.estimates.loc[:1, ["lhs", "op", "rhs", "est", "se", "std_all"]].round(3))
      lhs  op    rhs    est     se  std_all
    0  A1  =~  A1b_2  1.000  0.000    0.721
    1  A1  =~  A1a_2  0.969  0.079    0.642

    Treat Likert answers as ordered (polychorics, WLSMV) and print lavaan's summary:

    >>> fit = als.cfa(sim.items, keys, ordered=True, estimator="WLSMV")  # doctest: +SKIP
    >>> print(fit)  # doctest: +SKIP
    """
    estimator, group_equal = _check_options(estimator, ordered, group, group_equal, std_lv,
                                            missing)
    check_flag("orthogonal", orthogonal)
    check_choice("parameterization", parameterization, ("delta", "theta"))
    if not isinstance(start, pd.DataFrame):
        check_choice("start", start, START_METHODS)
    starts = check_integer("starts", starts, minimum=0)
    prepared = prepare(data, model, estimator=estimator, ordered=ordered, group=group,
                       missing=missing, n_obs=n_obs, cov_matrix=cov_matrix,
                       empty_cell_expected=empty_cell_expected)
    fit = fit_statements(prepared.statements, prepared.groups, estimator=estimator,
                         ordered=prepared.ordered, thresholds=prepared.thresholds,
                         std_lv=std_lv, group_equal=group_equal, labels=prepared.labels,
                         source=model, orthogonal=bool(orthogonal),
                         parameterization=parameterization, start=start, starts=starts,
                         seed=seed)
    return fit if data is None else replace(fit, n_rows=len(data))


@dataclass(frozen=True)
class Prepared:
    """Parsed model and per-group sample statistics, computed once (an invariance study
    fits several models to them)."""

    statements: list[Statement]
    groups: list
    thresholds: list[int]
    labels: list[str]
    ordered: bool


def prepare(data: Any, model: Any, *, estimator: str, ordered: Any, group: str | None,
            missing: str, n_obs: Any = None, cov_matrix: Any = None,
            empty_cell_expected: Any = 10.0) -> Prepared:
    """Parse ``model`` and compute the sample statistics of ``data`` for ``estimator``."""
    if model is None:
        raise OptionError("model is missing: lavaan syntax or a mapping factor -> items")
    if isinstance(empty_cell_expected, bool) or not isinstance(
            empty_cell_expected, (int, float)) or not (
            np.isfinite(empty_cell_expected) and empty_cell_expected >= 0):
        raise OptionError("empty_cell_expected must be an expected count >= 0; got "
                          f"{empty_cell_expected!r}")
    statements = model_statements(model)
    names, latent = variable_names(statements)
    for frame, what in ((data, "data"), (cov_matrix, "cov_matrix")):
        if isinstance(frame, pd.DataFrame):  # as lavaan: "latent variable names collide"
            collide = [f for f in latent if f in frame.columns]
            if collide:
                raise OptionError(
                    f"latent variable name(s) {', '.join(map(repr, collide))} of the model are "
                    f"also columns of {what}; rename the factor(s) (lavaan refuses the same: "
                    "'some latent variable names collide with observed variable names')")
    flag = _ordered_items(ordered, names, estimator)
    labels: list[Any] = []
    if cov_matrix is not None:
        if data is not None:
            raise OptionError("give either data or cov_matrix, not both")
        if missing in ("ml", "ml.x"):
            raise OptionError(f"missing={missing!r} needs the responses (data), not a "
                              "covariance matrix")
        if estimator != "ML" or group is not None:
            raise OptionError("a covariance matrix supports estimator='ML' in one group only "
                              "(MLR and the ordinal estimators need the responses)")
        groups: list = _covariance_groups(cov_matrix, n_obs, names)
        thresholds: list[int] = []
    else:
        if data is None:
            raise OptionError("no data: give item responses (data) or cov_matrix with n_obs")
        if n_obs is not None:
            raise OptionError("n_obs goes with cov_matrix; leave it out with item responses")
        if missing in ("ml", "ml.x") and flag:
            raise OptionError(f"missing={missing!r} (full-information ML) needs continuous "
                              "items and estimator='ML' or 'MLR'; with ordered items use "
                              "missing='pairwise'")
        if missing == "pairwise" and estimator == "MLR":
            raise OptionError("missing='pairwise' is not available with estimator='MLR' "
                              "(its robust corrections need complete rows)")
        items, labels, rows = _split_rows(data, names, group, missing,
                                          "pairwise" if flag else "ml")
        if flag:
            groups, thresholds = _ordinal_groups(items, rows, labels, estimator, missing,
                                                 empty_cell_expected)
        else:
            groups, thresholds = _continuous_groups(items, rows, missing, labels), []
    return Prepared(statements, groups, thresholds, [str(label) for label in labels], flag)


def fit_statements(statements: list[Statement], groups: list, *, estimator: str,
                   ordered: bool, thresholds: Sequence[int], std_lv: bool,
                   group_equal: Sequence[str], labels: Sequence[str],
                   source: Any = None, orthogonal: bool = False,
                   parameterization: str = "delta", start: Any = "ours",
                   starts: int = 0, seed: int | None = None) -> CFAResult:
    """Fit parsed statements to prepared per-group statistics (used by :func:`cfa`, by
    :func:`measurement_invariance` and by tests that feed lavaan's own statistics)."""
    model = build_model(statements, ngroups=len(groups), ordered=ordered,
                        thresholds=thresholds, std_lv=std_lv,
                        meanstructure=ordered or len(groups) > 1 or is_fiml(groups),
                        group_equal=group_equal, orthogonal=orthogonal,
                        parameterization=parameterization)
    _check_degrees(model)
    with _single_threaded_blas():
        fitted = fit_prepared(model, groups, estimator, start=start, starts=starts, seed=seed)
    _statistical_warnings(fitted)
    return CFAResult.from_fitted(fitted, labels=tuple(labels), source=source)


def _check_degrees(model: Model) -> None:
    df = model.ndat() - model.n_free
    if df < 0:
        raise AnalysisError(f"the model has {model.n_free} free parameters for "
                            f"{model.ndat()} sample statistics (df = {df}): it is not "
                            "identified; add constraints or items")
