"""Start values and several optima: lavaan's starts, a start table, random restarts.

A CFA likelihood can have more than one optimum (a factor whose loadings are nearly
unidentified, as M.cog of psychTools' GERAS items), so the estimates can depend on the
start. The starts:

- ``"ours"`` (:mod:`._start`): one-factor loadings per factor from its items' correlations,
  factor correlations from composites corrected for attenuation, residual variances from
  the communalities;
- ``"default"``: lavaan 0.6.14's default (``lav_start``): loadings 1 then FABIN 3
  (Hagglund 1982; ``lav_cfa_1fac_fabin``, three-indicator closed form below four items)
  per first-order factor, factor variances 0.05, residual variances half the sample
  variances, intercepts the sample means, covariances 0;
- ``"simple"``: lavaan's ``start = "simple"``: loadings 1, variances 1, the rest 0;
- a table (lavaan's ``parTable`` with ``lhs``, ``op``, ``rhs``, optionally ``group``, and a
  ``start`` or ``est`` column): its values for the rows it names, ours elsewhere.

By default :func:`~alliance_scale.cfa` fits from ours and from lavaan's default start
(when they differ and the model has at most ``CHECK_MAX_FREE`` = 120 free parameters, so
the second fit is cheap) and reports the better optimum, with a warning naming both
log-likelihoods (or discrepancies) and the largest estimate differences when they are not
the same optimum: a lavaan user then learns why lavaan's numbers differ, and the reported
solution is never the worse one. ``starts=k`` adds ``k`` seeded random restarts (ours
perturbed multiplicatively, factor covariances shrunk at random).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...errors import AnalysisError, OptionError
from . import _engine as engine
from ._model import Model
from ._start import start_values

__all__ = ["START_METHODS", "Optimum", "lavaan_start", "multistart"]

START_METHODS = ("ours", "default", "simple")
#: Largest model (free parameters) for which ``start="ours"`` also fits from lavaan's
#: default start (its quasi-Newton path costs about one more fit).
CHECK_MAX_FREE = 120
#: Different optima: objective (chi-square units) and estimates apart by more than these.
CHI2_GAP, ESTIMATE_GAP = 1e-3, 1e-3


@dataclass(frozen=True)
class Optimum:
    """Where one start ended."""

    start: str
    estimate: engine.Estimate


def _fabin(cov: np.ndarray, std_lv: bool) -> tuple[np.ndarray, bool]:
    """lavaan's ``lav_cfa_1fac_fabin`` (FABIN 3, bounds) and ``lav_cfa_1fac_3ind``:
    loadings of one factor (first item the marker) and whether its triad is negative."""
    k = cov.shape[0]
    if k < 4:
        return _three_indicators(cov, std_lv)
    lam = np.ones(k)
    for i in range(1, k):
        rest = [j for j in range(k) if j not in (0, i)]
        s23, s31 = cov[i, rest], cov[rest, 0]
        try:
            tmp = np.linalg.solve(cov[np.ix_(rest, rest)], s31)
            lam[i] = (s23 @ tmp) / (s31 @ tmp)
        except np.linalg.LinAlgError:
            lam[i] = (s23 @ s31) / (s31 @ s31)
    lower = cov[0, 0] - 0.9 * cov[0, 0]
    for i in range(1, k):
        bound = np.sqrt(cov[i, i] / lower)
        lam[i] = min(max(-bound, lam[i]), bound)
    if std_lv:
        d = np.outer(lam, lam) / np.sum(lam ** 2)
        theta = np.linalg.solve(np.eye(k) - d * d, np.diag(cov - d @ cov @ d))
        s1 = cov - np.diag(theta)
        l2 = np.sum(lam ** 2)
        psi = np.sum((lam @ s1) * lam) / (l2 * l2)
        lam = lam * np.sign(psi) * np.sqrt(abs(psi))
    return lam, False


def _three_indicators(cov: np.ndarray, std_lv: bool) -> tuple[np.ndarray, bool]:
    k = cov.shape[0]
    if k == 1:
        cov = np.ones((3, 3))
    elif k == 2:
        extra = np.array([np.mean(np.diag(cov)), cov[1, 0]])
        cov = np.block([[cov, extra[:, None]], [extra[None, :], np.diag(cov).max()]])
    s11, s22, s33 = np.diag(cov)
    s21, s31, s32 = cov[1, 0], cov[2, 0], cov[2, 1]
    negative = s21 * s31 * s32 < 0
    psi = s21 * s31 / s32
    l2, l3 = s32 / s31, s32 / s21
    lower = s11 - 0.9 * s11
    psi = min(max(psi, lower), s11)
    b2, b3 = np.sqrt(s22 / lower), np.sqrt(s33 / lower)
    lam = np.array([1.0, min(max(-b2, l2), b2), min(max(-b3, l3), b3)])
    if std_lv:
        lam = lam * np.sign(psi) * np.sqrt(abs(psi))
    return lam[:k], negative


def lavaan_start(model: Model, moments: list, method: str,
                 variances: list | None = None) -> np.ndarray:
    """lavaan's ``start = "default"`` or ``"simple"`` vector over the free parameters;
    ``moments`` per group: (covariance or polychorics, means or None, thresholds);
    ``variances`` per group (or None) replace the covariance's diagonal for the residual
    variances (with FIML lavaan halves the available-case variances, divisor ``N``)."""
    value = np.zeros(len(model.rows))
    loading = 0.7 if model.ordered else 1.0
    for i, r in enumerate(model.rows):
        if r.op == "=~" or r.op == "~*~":
            value[i] = loading if r.op == "=~" else 1.0
        elif r.op == "~~" and r.lhs == r.rhs and not (model.ordered and r.mat == "theta"):
            value[i] = 1.0
    if method == "default":
        _lavaan_default(model, moments, value, variances or [None] * len(moments))
    for i, r in enumerate(model.rows):
        if r.fixed or r.derived:
            continue
        if not np.isnan(r.value):  # a user's start()
            value[i] = r.value
    x = np.zeros(model.n_free)
    filled = np.zeros(model.n_free, bool)
    for i, r in enumerate(model.rows):
        if r.free >= 0 and not filled[r.free]:
            x[r.free], filled[r.free] = value[i], True
    return x


def _lavaan_default(model: Model, moments: list, value: np.ndarray, variances: list) -> None:
    loading = 0.7 if model.ordered else 1.0
    for i, r in enumerate(model.rows):
        if r.op == "~~" and r.lhs == r.rhs and r.lhs in model.lv:
            value[i] = 0.05
    for g, (cov, mean, thresholds) in enumerate(moments):
        rows = [(i, r) for i, r in enumerate(model.rows) if r.group == g]
        for i, r in rows:
            if r.mat == "theta" and r.row == r.col and not model.ordered:
                var = variances[g]
                value[i] = 0.5 * (cov[r.row, r.row] if var is None else var[r.row])
            elif r.mat == "nu" and mean is not None and not model.ordered:
                value[i] = mean[r.row]
        if thresholds is not None:
            flat = np.concatenate(thresholds) if thresholds else np.zeros(0)
            for i, r in rows:
                if r.mat == "tau":
                    value[i] = flat[r.row]
        for f, name in enumerate(model.lv):
            lam = [(i, r) for i, r in rows if r.mat == "lambda" and r.col == f]
            if not lam or any(r.op == "=~" and r.rhs in model.lv
                              for _, r in rows if r.lhs == name):
                continue
            var = next((r for _, r in rows if r.mat == "psi" and r.row == f == r.col), None)
            std_lv = var is not None and var.fixed and var.value == 1
            items = [r.row for _, r in lam]
            loads, negative = _fabin(cov[np.ix_(items, items)], std_lv)
            loads = np.where(np.isfinite(loads), loads, 1.0)
            if negative:
                loads = np.full(len(items), loading)
            for (i, _), v in zip(lam, loads, strict=True):
                value[i] = v


def table_start(model: Model, table: pd.DataFrame, ours: np.ndarray) -> np.ndarray:
    """Start values from a parameter table (lavaan's ``parTable``: lhs, op, rhs, group,
    start or est); rows it does not name keep ours."""
    column = next((c for c in ("start", "est", "ustart") if c in table.columns), None)
    if column is None or not {"lhs", "op", "rhs"} <= set(table.columns):
        raise OptionError("a start table needs the columns lhs, op, rhs and start (or est), "
                          "as lavaan's parTable")
    groups = table["group"].to_numpy() if "group" in table.columns else \
        np.ones(len(table), int)
    lookup = {(str(a), str(b), str(c), int(g)): float(v) for a, b, c, g, v in
              zip(table["lhs"], table["op"], table["rhs"].fillna(""), groups, table[column],
                  strict=True) if pd.notna(v)}
    x = ours.copy()
    for r in model.rows:
        key = (r.lhs, r.op, r.rhs, r.group + 1)
        if r.free >= 0 and key in lookup:
            x[r.free] = lookup[key]
    return x


def _random_start(model: Model, ours: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    x = ours.copy()
    for r in model.rows:
        if r.free < 0:
            continue
        if r.op == "~~" and r.lhs != r.rhs and r.mat == "psi":
            x[r.free] = ours[r.free] * rng.uniform(0.0, 1.0)
        elif r.mat in ("lambda", "beta", "theta", "psi"):
            x[r.free] = ours[r.free] * np.exp(rng.normal(0.0, 0.5))
    return x


def _quasi_newton(model: Model, groups: list, x0: np.ndarray) -> tuple[np.ndarray, bool]:
    """lavaan's path from its start: a quasi-Newton minimiser with the exact gradient
    (lavaan: ``nlminb``; here BFGS), which may stop at another optimum than the scoring
    steps of :func:`~._engine.estimate` would; the scoring steps then polish its end.

    Returns the end and whether the path ran off along a ridge (the objective's decrease
    not shrinking, :func:`~._engine.on_a_ridge`, tested from iteration
    ``max(100, 10 q)``, ``q`` the free parameters): then there is no optimum to polish.
    """
    import scipy.optimize

    def objective(x: np.ndarray) -> float:
        value = (engine.wls_objective(model, x, groups)[0] if model.ordered
                 else engine.ml_objective(model, x, groups)[0])
        return float(value) if np.isfinite(value) else 1e10

    def gradient(x: np.ndarray) -> np.ndarray:
        grad = (engine.wls_system(model, x, groups)[1] if model.ordered
                else engine.ml_gradient(model, x, groups))
        return np.where(np.isfinite(grad), grad, 0.0)

    history: list[float] = []
    ridge = [False]
    first = max(engine.RIDGE_FROM, 10 * model.n_free)

    def watch(intermediate_result: scipy.optimize.OptimizeResult) -> None:
        history.append(float(intermediate_result.fun))
        if engine.on_a_ridge(history, first):
            ridge[0] = True
            raise StopIteration

    if not np.isfinite(objective(x0)) or objective(x0) >= 1e10:
        return x0, False
    with np.errstate(all="ignore"):
        result = scipy.optimize.minimize(objective, x0, jac=gradient, method="BFGS",
                                         callback=watch,
                                         options={"maxiter": 10000, "gtol": 1e-9})
    if not (np.isfinite(result.fun) and result.fun < 1e10):
        return x0, False
    return result.x, ridge[0]


def multistart(model: Model, groups: list, moments: list, start: object, starts: int,
               seed: int | None) -> tuple[engine.Estimate, list[Optimum]]:
    """Fit from the requested start(s); return the best estimate and every optimum.

    ``start="ours"`` (the default) also fits from lavaan's default start; a named start or
    a table fits from it alone; ``starts`` adds seeded random restarts around ours.
    """
    ours = start_values(model, moments)
    variances = [getattr(d, "start_variances", None) for d in groups]
    candidates: list[tuple[str, np.ndarray]] = []
    if isinstance(start, pd.DataFrame):
        candidates.append(("your start table", table_start(model, start, ours)))
    elif start == "ours":
        candidates.append(("our start", ours))
        lavaan = lavaan_start(model, moments, "default", variances)
        if model.n_free <= CHECK_MAX_FREE and not np.allclose(lavaan, ours):
            candidates.append(("lavaan's default start", lavaan))
    else:
        candidates.append((f"lavaan's {start!s} start", lavaan_start(model, moments, str(start),
                                                                    variances)))
    rng = np.random.default_rng(seed)
    candidates += [(f"random start {k + 1}", _random_start(model, ours, rng))
                   for k in range(starts)]
    optima, errors = [], []
    for name, x0 in candidates:
        try:
            # lavaan's quasi-Newton path, unless our start found no optimum (a likelihood
            # without a maximum: its path would run off along the same ridge)
            if name.startswith("lavaan's") and (not optima or optima[0].estimate.converged):
                x0, ridge = _quasi_newton(model, groups, x0)
                if ridge:
                    optima.append(Optimum(name, _unconverged(model, groups, x0)))
                    continue
            optima.append(Optimum(name, engine.estimate(model, groups, x0)))
        except AnalysisError as error:  # no positive definite Sigma from this start
            errors.append(error)
    if not optima:
        raise errors[0]
    best = min(optima, key=lambda o: (not o.estimate.converged, o.estimate.fx))
    return best.estimate, optima


def _unconverged(model: Model, groups: list, x: np.ndarray) -> engine.Estimate:
    """Where a search that found no optimum stopped (``converged`` False)."""
    fx, fx_group = (engine.wls_objective(model, x, groups) if model.ordered
                    else engine.ml_objective(model, x, groups))
    return engine.Estimate(x, False, 0, float(fx), np.asarray(fx_group))


def different_optima(optima: list[Optimum], n_total: int) -> list[Optimum]:
    """Converged optima that differ from the best in objective and estimates."""
    done = [o for o in optima if o.estimate.converged]
    if len(done) < 2:
        return []
    best = min(done, key=lambda o: o.estimate.fx)
    return [o for o in done if o is not best
            and 2 * n_total * (o.estimate.fx - best.estimate.fx) > CHI2_GAP
            and np.max(np.abs(o.estimate.x - best.estimate.x)) > ESTIMATE_GAP]


def optima_message(model: Model, optima: list[Optimum], best: engine.Estimate,
                   n_total: int, logl_h1: float | None) -> str:
    """The warning naming the optima, their log-likelihoods and the largest differences."""
    def describe(o_fx: float) -> str:
        chi2 = 2.0 * n_total * o_fx
        if logl_h1 is None:
            return f"chi-square {chi2:.2f}"
        return f"log-likelihood {logl_h1 - chi2 / 2:.2f} (chi-square {chi2:.2f})"

    winner = next(o for o in optima if o.estimate is best)
    parts = []
    for other in different_optima(optima, n_total):
        gap = np.abs(other.estimate.x - best.x)
        top = np.argsort(-gap)[:3]
        names = []
        for k in top:
            row = next(r for r in model.rows if r.free == k)
            names.append(f"{model.label(row)} {other.estimate.x[k]:.3f} vs {best.x[k]:.3f}")
        parts.append(f"from {other.start}: {describe(other.estimate.fx)}; largest "
                     f"differences: {', '.join(names)}")
    return (f"the estimates depend on the start values: from {winner.start} "
            f"{describe(best.fx)}, " + "; ".join(parts) + f". The better optimum ({winner.start})"
            " is reported; lavaan reports the optimum its own start reaches "
            "(start='default' reproduces it)")
