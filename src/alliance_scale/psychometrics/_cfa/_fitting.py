"""From sample statistics to a fitted CFA: estimates, standard errors, tests, fit measures.

Assembles :mod:`._model`, :mod:`._start`, :mod:`._engine` and :mod:`._fit` the way
lavaan 0.6.14 does for ``cfa()``: the estimator decides the objective, the standard
errors (ML: expected information; MLR: Huber-White sandwich with the observed
information; DWLS / ULS: expected; WLSMV / ULSMV: robust), the test (standard,
Yuan-Bentler Mplus variant, scaled-shifted) and the baseline model (independence:
free variances or thresholds, and means) used by the incremental indices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse

from .._distributions import norm_ppf, norm_sf
from . import _engine as engine
from . import _fiml as fiml
from . import _fit as fitm
from ._engine import Estimate
from ._model import Model, Row, lower_pairs
from ._starts import multistart

__all__ = ["Fitted", "fit_prepared"]

ROBUST_SE = {"MLR", "WLSMV", "ULSMV"}


@dataclass
class Fitted:
    """Everything a result needs, computed once."""

    model: Model
    groups: list
    estimator: str
    estimate: Estimate
    vcov: np.ndarray
    information: np.ndarray
    chi2: float
    df: int
    chi2_group: np.ndarray
    scaled: dict = field(default_factory=dict)
    fit: dict = field(default_factory=dict)
    unidentified: list = field(default_factory=list)
    baseline: dict = field(default_factory=dict)
    deltas: list = field(default_factory=list)
    e_inv: np.ndarray | None = None
    meat: np.ndarray | None = None
    optima: list = field(default_factory=list)

    @property
    def n_total(self) -> int:
        return int(sum(d.n for d in self.groups))


def _moments(model: Model, groups: list) -> list:
    if model.ordered:
        return [(d.correlation, None, list(d.thresholds)) for d in groups]
    return [(d.cov, d.mean if model.meanstructure else None, None) for d in groups]


def _test(model: Model, groups: list, estimator: str, est: Estimate) -> dict:
    """Chi-square, its scaled version, standard errors: one pass over the estimator."""
    x = est.x
    n_total = sum(d.n for d in groups)
    df = model.ndat() - model.n_free
    out: dict = {"df": df}
    if model.ordered:
        _fx, _grad, info, deltas, fx_group = engine.wls_system(model, x, groups)
        out["deltas"] = deltas
    else:
        _fx, _grad, info, fx_group = engine.ml_information(model, x, groups)
    chi2_group = np.maximum(2.0 * np.array([d.n for d in groups]) * fx_group, 0.0)
    out.update(chi2=float(chi2_group.sum()), chi2_group=chi2_group, information=info)
    if model.n_free == 0:
        out.update(vcov=np.zeros((0, 0)), unidentified=[], e_inv=np.zeros((0, 0)))
        return out
    if estimator == "MLR":
        observed = _observed_information(model, x, groups)
        e_inv, unidentified = engine.invert_information(observed, model)
        b0_groups = []
        meat = np.zeros_like(observed)
        for g, d in enumerate(groups):
            scores = engine.ml_scores(model, x, g, d) @ model.entry_map[g]
            b0 = scores.T @ scores / d.n
            b0_groups.append(b0)
            meat += d.n / n_total * b0
        out["vcov"] = e_inv @ meat @ e_inv / n_total
        out["information"] = observed
        if df > 0:
            trace_h1 = sum(engine.mardia_trace(d, model.meanstructure) for d in groups)
            trace_h0 = sum(d.n / n_total * np.sum(b0 * e_inv.T)
                           for d, b0 in zip(groups, b0_groups, strict=True))
            c = (trace_h1 - trace_h0) / df
            h1_ndat = model.ndat()
            out["scaled"] = {"chi2": out["chi2"] / c, "df": df, "scaling_factor": c,
                             "trace": trace_h1 - trace_h0,
                             "scaling_factor_h1": trace_h1 / h1_ndat,
                             "scaling_factor_h0": trace_h0 / sum(r.free >= 0 for r in model.rows)}
    else:
        if is_fiml(groups):  # lavaan's default for missing = "ml": observed information
            info = _observed_information(model, x, groups)
            out["information"] = info
        e_inv, unidentified = engine.invert_information(info, model)
        if model.ordered:
            divisor = n_total - len(groups)
            if estimator in ROBUST_SE:
                trace1, trace2, meat = engine.scaled_shifted_traces(out["deltas"], groups, e_inv)
                out["vcov"] = e_inv @ meat @ e_inv / divisor
                out["meat"] = meat
                if df > 0:
                    out["scaled"] = engine.satorra_bentler_scaled_shifted(
                        out["chi2"], df, trace1, trace2)
            else:
                out["vcov"] = e_inv / divisor
        else:
            out["vcov"] = e_inv / n_total
    out.update(e_inv=e_inv, unidentified=unidentified)
    return out


def _observed_information(model: Model, x: np.ndarray, groups: list) -> np.ndarray:
    """Hessian of the objective (lavaan's ``observed.information = "hessian"``): 4-point
    differences of the exact gradient (FIML: central differences), exact for the FIML
    independence model."""
    if not is_fiml(groups):
        return engine.ml_hessian(model, x, groups)
    if model.m == 0:
        return fiml.independence_hessian(model, x, groups)
    return engine.ml_hessian(model, x, groups, points=2)


def fit_prepared(model: Model, groups: list, estimator: str, *, baseline: bool = True,
                 x0: np.ndarray | None = None, start: object = "ours", starts: int = 0,
                 seed: int | None = None, tol: float = 1e-10,
                 fused: bool = False) -> Fitted:
    """Fit ``model`` to prepared group statistics with ``estimator`` (start values: see
    :mod:`._starts`; ``x0`` fits from that vector alone, with the optimiser's ``tol`` and
    ``fused`` of :func:`._engine.estimate`)."""
    optima: list = []
    if x0 is None:
        est, optima = multistart(model, groups, _moments(model, groups), start, starts, seed)
    else:
        est = engine.estimate(model, groups, x0, tol=tol, fused=fused)
    test = _test(model, groups, estimator, est)
    fitted = Fitted(model, groups, estimator, est, test["vcov"], test["information"],
                    test["chi2"], test["df"], test["chi2_group"], test.get("scaled", {}),
                    unidentified=test["unidentified"], deltas=test.get("deltas", []),
                    e_inv=test.get("e_inv"), meat=test.get("meat"), optima=optima)
    if baseline:
        fitted.baseline = _baseline(model, groups, estimator)
        fitted.fit = fit_measures(fitted)
    return fitted


# ============================================================================ baseline


def independence_model(model: Model) -> Model:
    """lavaan's baseline: free variances (or thresholds) and means, nothing else."""
    rows = []
    for g in range(model.ngroups):
        if model.ordered:
            for j, name in enumerate(model.ov):
                for k in range(model.thresholds[j]):
                    offset = int(np.sum(model.thresholds[:j]))
                    rows.append(Row(name, "|", f"t{k + 1}", g, False, False, np.nan, "",
                                    "tau", offset + k, 0))
        for j, name in enumerate(model.ov):
            rows.append(Row(name, "~~", name, g, False, model.ordered, np.nan, "",
                            "theta", j, j, derived=model.ordered))
        if model.meanstructure:
            for j, name in enumerate(model.ov):
                rows.append(Row(name, "~1", "", g, False, model.ordered,
                                0.0 if model.ordered else np.nan, "", "nu", j, 0))
        if model.ordered:
            for j, name in enumerate(model.ov):
                rows.append(Row(name, "~*~", name, g, False, True, 1.0, "", "delta", j, 0))
    free = 0
    for r in rows:
        if not r.fixed and not r.derived:
            r.free, free = free, free + 1
    return Model(rows, list(model.ov), [], model.ngroups, model.ordered, model.meanstructure,
                 model.thresholds)


def _baseline(model: Model, groups: list, estimator: str) -> dict:
    """The independence model's fit (it depends on the data and the estimator, not on the
    model: fitted once per ordinal data set, e.g. for the facet and second-order models)."""
    once = getattr(groups[0], "once", None)
    if once is None:
        return _fit_baseline(model, groups, estimator)
    key = ("baseline", estimator, tuple(model.ov), model.ngroups, model.ordered,
           model.meanstructure, tuple(np.asarray(model.thresholds).tolist()),
           tuple(map(id, groups)))
    # the groups are kept with the fit, so that their ids in the key stay theirs
    return once(key, lambda: (tuple(groups), _fit_baseline(model, groups, estimator)))[1]


def _fit_baseline(model: Model, groups: list, estimator: str) -> dict:
    base = independence_model(model)
    x0 = np.zeros(base.n_free)
    for r in base.rows:
        if r.free < 0:
            continue
        d = groups[r.group]
        if r.mat == "theta":
            x0[r.free] = d.cov[r.row, r.row]
        elif r.mat == "nu":
            x0[r.free] = d.mean[r.row]
        elif r.mat == "tau":
            x0[r.free] = np.concatenate(d.thresholds)[r.row]
    fitted = fit_prepared(base, groups, estimator, baseline=False, x0=x0)
    return {"chi2": fitted.chi2, "df": fitted.df, "scaled": fitted.scaled, "model": base,
            "x": fitted.estimate.x}


# ============================================================================ catML


def _catml(fitted: Fitted) -> dict:
    """Savalei's (2021) catML pieces for the robust CFI / RMSEA of WLSMV (lavaan's
    ``lav_fit_catml_dwls``): the ML discrepancy of the polychoric matrix at the DWLS
    estimates and ``c = tr(WiU' V WiU Gamma) / df`` with ``WiU = I - D E^-1 D' W``.
    Empty (lavaan: NA) when a polychoric matrix is not positive definite or the model
    frees scaling factors (lavaan's catML refit then fails)."""
    model, groups = fitted.model, fitted.groups
    if any(r.free >= 0 and r.mat == "delta" for r in model.rows):
        return {}
    if getattr(model, "parameterization", "delta") == "theta":  # lavaan 0.6.14's catML
        # refit fails (NA) once thresholds are equal across groups (measured with semTools)
        taus = [r.free for r in model.rows if r.free >= 0 and r.mat == "tau"]
        if len(set(taus)) < len(taus):
            return {}
    x, n_total, nth = fitted.estimate.x, fitted.n_total, model.nth
    rows = lower_pairs(model.p)[0]
    stat = stat_null = ks = kbs = 0.0
    q = model.n_free
    dvd, cgc = np.zeros((q, q)), np.zeros((q, q))
    for g, (delta, d) in enumerate(zip(fitted.deltas, groups, strict=True)):
        if np.linalg.eigvalsh(d.correlation).min() < np.sqrt(np.finfo(float).eps):
            return {}
        sigma = model.implied(x, g)["cor"]
        sinv = np.linalg.inv(sigma)
        logdet_r = np.linalg.slogdet(d.correlation)[1]
        stat += d.n * (np.linalg.slogdet(sigma)[1] + np.sum(d.correlation * sinv)
                       - logdet_r - model.p)
        stat_null += d.n * (-logdet_r)
        fg = d.n / n_total
        dc = delta[nth:]  # sparse rows of the polychorics
        wdc = dc.multiply((fg * d.weights[nth:])[:, None]).tocsc()
        if d.influence is not None:  # Gamma = n IF' IF never formed
            wg, dv, trace_vg, trace_gamma = _catml_factored(d, dc, wdc, sinv, fg, nth)
        else:
            wg, dv, trace_vg, trace_gamma = _catml_dense(d, dc, wdc, sinv, fg, nth)
        cg = fitted.e_inv @ wg  # C Gamma, C = E^-1 D' W
        # tr(WiU' V WiU G) = tr(VG) - 2 tr(C G V D) + tr((D'VD)(C G C'))
        ks += trace_vg - 2.0 * np.sum(cg * dv)
        dvd += np.asarray((dc.T @ dv.T).T)
        cgc += np.asarray((wdc.T @ cg.T).T) @ fitted.e_inv
        kbs += trace_gamma
    ks += np.sum(dvd * cgc.T)
    df3_null = rows.size * len(groups)
    df3 = df3_null - (q - _n_threshold_params(model))
    return {"chi2": stat, "df": df3, "c_hat": ks / df3, "chi2_null": stat_null,
            "df_null": df3_null, "c_hat_null": kbs / df3_null}


def _catml_dense(d: object, dc: scipy.sparse.spmatrix, wdc: scipy.sparse.csc_matrix,
                 sinv: np.ndarray, fg: float,
                 nth: int) -> tuple[np.ndarray, np.ndarray, float, float]:
    """catML's ``D' W Gamma``, ``D' V``, ``tr(V Gamma)`` and ``tr(Gamma)`` of a group
    (the polychorics' part; fg V and Gamma / fg) from its NACOV matrix."""
    p = sinv.shape[0]
    rows, cols = lower_pairs(p)
    # Gamma without a copy when there is one group (fg = 1: the same numbers as
    # fg * V and Gamma / fg)
    gamma = d.nacov[nth:, nth:] if fg == 1.0 else d.nacov[nth:, nth:] / fg
    if fg == 1.0:  # D' W Gamma from the whole (contiguous) NACOV, its threshold rows
        # structurally empty: the same sums, without sparse's copy of the Gamma view
        padded = scipy.sparse.csc_matrix((wdc.data, wdc.indices + nth, wdc.indptr),
                                         shape=(nth + wdc.shape[0], wdc.shape[1]))
        wg = np.asarray(padded.T @ d.nacov)[:, nth:]
    else:
        wg = np.asarray(wdc.T @ gamma)
    # V (p* x p*, 100 MB for 80 items) a block of columns at a time, in cache:
    # V[a, b] = s(r_a, r_b) s(c_a, c_b) + s(r_a, c_b) s(c_a, r_b), s = Sigma^-1; the
    # pairs b of item c (lavaan's column-wise order: c_b = c, r_b = c + 1, ..., p - 1)
    # are slices of s's columns, so no gathering
    by_row, by_col = sinv[rows], sinv[cols]
    dct = dc.T.tocsr()
    dv = np.empty((dc.shape[1], rows.size))  # D' V
    trace_vg = 0.0
    start = 0
    for c in range(p - 1):
        part = slice(start, start + p - 1 - c)
        start = part.stop
        vf = by_row[:, c + 1:] * by_col[:, c:c + 1]
        vf += by_row[:, c:c + 1] * by_col[:, c + 1:]
        if fg != 1.0:
            vf *= fg
        dv[:, part] = np.asarray(dct @ vf)
        vf *= gamma[:, part]
        trace_vg += np.sum(vf)
    return wg, dv, float(trace_vg), float(np.trace(gamma))


#: Entries of the stacked p x p matrices :func:`_catml_factored` forms at a time (16 MB).
_STACKED = 2_000_000


def _catml_factored(d: object, dc: scipy.sparse.spmatrix, wdc: scipy.sparse.csc_matrix,
                    sinv: np.ndarray, fg: float,
                    nth: int) -> tuple[np.ndarray, np.ndarray, float, float]:
    """:func:`_catml_dense` from the influence matrix ``IF`` (``Gamma = n IF' IF``), never
    forming Gamma (p* x p*) nor V. With ``M_r`` respondent r's influence on the
    polychorics as a symmetric p x p matrix (zero diagonal) and ``N_a`` parameter a's
    Jacobian column the same way: ``tr(V Gamma) = n/2 sum_r tr((M_r S)^2)`` and
    ``(D' V)[a, (i, j)] = (S N_a S)[i, j]``, ``S = Sigma^-1`` (V's entries
    ``s_ik s_jl + s_il s_jk`` summed over both orders of each pair)."""
    p = sinv.shape[0]
    rows, cols = lower_pairs(p)
    influence = d.influence[:, nth:]
    n = len(d.influence)
    wg = n * (np.asarray(wdc.T @ np.ascontiguousarray(influence.T)) @ influence) / fg
    trace_vg = 0.0
    chunk = max(1, _STACKED // (p * p))
    for start in range(0, len(influence), chunk):
        block = influence[start:start + chunk]
        m = np.zeros((len(block), p, p))
        m[:, rows, cols] = block
        m[:, cols, rows] = block
        ms = m @ sinv
        trace_vg += float(np.sum(ms * ms.transpose(0, 2, 1)))
    trace_vg *= n / 2.0
    dc = dc.tocsc()
    dv = np.zeros((dc.shape[1], rows.size))
    used = np.flatnonzero(np.diff(dc.indptr))  # the parameters that move a polychoric
    for start in range(0, used.size, chunk):
        these = used[start:start + chunk]
        block = dc[:, these].toarray().T
        m = np.zeros((len(these), p, p))
        m[:, rows, cols] = block
        m[:, cols, rows] = block
        dv[these] = (sinv @ m @ sinv)[:, rows, cols] * fg
    return wg, dv, trace_vg, n * float(np.sum(influence * influence)) / fg


def _n_threshold_params(model: Model) -> int:
    return len({r.free for r in model.rows if r.free >= 0 and r.mat in ("tau", "nu", "delta")})


# ============================================================================ fit measures


def is_fiml(groups: list) -> bool:
    """Whether the groups hold raw responses with skipped answers (full-information ML)."""
    return any(getattr(d, "fiml", False) for d in groups)


def _loglik(fitted: Fitted) -> tuple[float, float]:
    model, x = fitted.model, fitted.estimate.x
    logl, logl_h1 = 0.0, 0.0
    for g, d in enumerate(fitted.groups):
        imp = model.implied(x, g)
        if getattr(d, "fiml", False):
            logl += fiml.loglik(d, imp["sigma"], imp["mu"])
            logl_h1 += -0.5 * (d.n * d.h1_fx + d.n_observed * fiml.LOG_2PI)
            continue
        sigma, p = imp["sigma"], model.p
        _, logdet = np.linalg.slogdet(sigma)
        sinv = np.linalg.inv(sigma)
        diff = d.mean - imp["mu"] if model.meanstructure else np.zeros(p)
        logl += -d.n / 2 * (p * np.log(2 * np.pi) + logdet + np.sum(d.cov * sinv)
                            + diff @ sinv @ diff)
        logl_h1 += -d.n / 2 * (p * np.log(2 * np.pi) + d.logdet + p)
    return float(logl), float(logl_h1)


def _srmr(fitted: Fitted) -> float:
    model, x, n_total = fitted.model, fitted.estimate.x, fitted.n_total
    total = 0.0
    for g, d in enumerate(fitted.groups):
        imp = model.implied(x, g)
        if model.ordered:
            value = fitm.srmr_ordinal(d.correlation, imp["cor"])
        else:
            mean = d.mean if model.meanstructure else None
            value = fitm.srmr_continuous(d.cov, imp["sigma"], mean, imp["mu"])[0]
        total += d.n / n_total * value
    return total


def fit_measures(fitted: Fitted) -> dict:
    """lavaan's fitMeasures (main ones), keys with ``_`` for ``.``."""
    model, est = fitted.model, fitted.estimator
    groups = len(fitted.groups)
    n = fitted.n_total if not model.ordered else fitted.n_total - groups
    x2, df = fitted.chi2, fitted.df
    base = fitted.baseline
    x2_null, df_null = base["chi2"], base["df"]
    values: dict = {"npar": model.n_free, "fmin": fitted.estimate.fx, "chisq": x2, "df": df,
                    "pvalue": fitm.chi2_pvalue(x2, df) if est not in ("ULS", "ULSMV") else np.nan}
    scaled = fitted.scaled
    if scaled:
        values.update(chisq_scaled=scaled["chi2"], df_scaled=scaled["df"],
                      pvalue_scaled=fitm.chi2_pvalue(scaled["chi2"], scaled["df"]),
                      chisq_scaling_factor=scaled["scaling_factor"])
        if "shift" in scaled:
            values["chisq_shift_parameter"] = scaled["shift"]
    values.update(baseline_chisq=x2_null, baseline_df=df_null,
                  baseline_pvalue=fitm.chi2_pvalue(x2_null, df_null))
    bscaled = base.get("scaled", {})
    if scaled and bscaled:
        values.update(baseline_chisq_scaled=bscaled["chi2"], baseline_df_scaled=bscaled["df"],
                      baseline_pvalue_scaled=fitm.chi2_pvalue(bscaled["chi2"], bscaled["df"]),
                      baseline_chisq_scaling_factor=bscaled["scaling_factor"])
    fitm.incremental(values, x2, df, x2_null, df_null)
    robust: dict = {}
    fiml_c: dict = {}
    if is_fiml(fitted.groups) and df > 0:
        # lavaan reports FIML-corrected robust CFI / TLI / RMSEA for ML and MLR alike
        fiml_c = fiml.fiml_corrected(model, fitted.estimate.x, base["model"], base["x"],
                                     fitted.groups, robust=bool(scaled))
        fitm.incremental(values, fiml_c["chi2"], df, fiml_c["chi2_null"], df_null, "_robust",
                         fiml_c["c_hat"], fiml_c["c_hat_null"])
    if scaled and bscaled and fiml_c:
        fitm.incremental(values, scaled["chi2"], scaled["df"], bscaled["chi2"],
                         bscaled["df"], "_scaled")
    elif scaled and bscaled:
        fitm.incremental(values, scaled["chi2"], scaled["df"], bscaled["chi2"],
                         bscaled["df"], "_scaled")
        if model.ordered:
            robust = _catml(fitted)
            if robust:
                fitm.incremental(values, robust["chi2"], df, robust["chi2_null"], df_null,
                                 "_robust", robust["c_hat"], robust["c_hat_null"])
            else:
                for key in ("cfi_robust", "tli_robust", "nnfi_robust", "rni_robust"):
                    values[key] = np.nan
        else:
            fitm.incremental(values, x2, df, x2_null, df_null, "_robust",
                             scaled["scaling_factor"], bscaled["scaling_factor"])
    if est in ("ML", "MLR"):
        logl, logl_h1 = _loglik(fitted)
        npar, ntotal = model.n_free, fitted.n_total
        values.update(logl=logl, unrestricted_logl=logl_h1, aic=-2 * logl + 2 * npar,
                      bic=-2 * logl + npar * np.log(ntotal), ntotal=ntotal,
                      bic2=-2 * logl + npar * np.log((ntotal + 2) / 24))
        if scaled:
            values.update(scaling_factor_h1=scaled["scaling_factor_h1"],
                          scaling_factor_h0=scaled["scaling_factor_h0"])
    else:
        values["ntotal"] = fitted.n_total
    fitm.rmsea_block(values, x2, df, n, groups)
    values.update(rmsea_ci_level=0.90, rmsea_close_h0=0.05, rmsea_notclose_h0=0.08)
    if fiml_c:
        c_hat = fiml_c["c_hat"]
        fitm.rmsea_block(values, fiml_c["chi2"], fiml_c["df"], n, groups, "_robust", c_hat,
                         x2_ci=fiml_c["chi2"] / c_hat)
    if scaled:
        if "shift" in scaled:
            fitm.rmsea_block(values, scaled["chi2"], df, n, groups, "_scaled")
        else:
            fitm.rmsea_block(values, x2, scaled["trace"], n, groups, "_scaled")
        if model.ordered:
            if robust:
                c_hat = robust["c_hat"]
                fitm.rmsea_block(values, robust["chi2"], robust["df"], n, groups, "_robust",
                                 c_hat, x2_ci=robust["chi2"] / c_hat)
            else:
                fitm.rmsea_block(values, np.nan, df, n, groups, "_robust")
        elif not fiml_c:
            c_hat = scaled["scaling_factor"]
            fitm.rmsea_block(values, x2, df, n, groups, "_robust", c_hat,
                             x2_ci=scaled["chi2"])
    values["srmr"] = _srmr(fitted)
    return values


def parameter_table(fitted: Fitted, level: float = 0.95) -> list[dict]:
    """Rows of lavaan's parameterEstimates: est, se, z, pvalue, CI (NaN where fixed)."""
    model = fitted.model
    x = fitted.estimate.x
    se_free = np.sqrt(np.clip(np.diag(fitted.vcov), 0, None)) if fitted.vcov.size else \
        np.zeros(0)
    if fitted.unidentified:
        se_free = np.full(model.n_free, np.nan)
    crit = norm_ppf(1 - (1 - level) / 2)
    derived = {}
    for g in range(model.ngroups):
        imp = model.implied(x, g)
        derived[g] = (imp["theta"], imp.get("delta"))
    table = []
    for r in model.rows:
        if r.derived:  # theta parameterization: the scales; delta: the residual variances
            value = derived[r.group][1][r.row] if r.mat == "delta" else \
                derived[r.group][0][r.row, r.col]
        else:
            value = x[r.free] if r.free >= 0 else r.value
        se = se_free[r.free] if r.free >= 0 else 0.0
        z = value / se if r.free >= 0 and se > 0 else np.nan
        p = 2 * norm_sf(abs(z)) if np.isfinite(z) else np.nan
        lower, upper = (value - crit * se, value + crit * se) if r.free >= 0 else (value, value)
        if r.derived:
            lower = upper = value
        table.append({"lhs": r.lhs, "op": r.op, "rhs": r.rhs, "group": r.group + 1,
                      "label": r.label, "free": r.free + 1 if r.free >= 0 else 0,
                      "est": value, "se": se, "z": z, "pvalue": p,
                      "ci_lower": lower, "ci_upper": upper})
    return table


_INDEPENDENCE: dict = {}


def ordinal_baseline(model: Model, groups: list, estimator: str) -> dict:
    """:func:`_baseline` of a one-group ordered model without its iterations (the Monte
    Carlo replications' path): the independence model's thresholds are the sample's, its
    correlations 0, so ``chi2 = (N - 1) sum_ij w_ij r_ij^2``; its Jacobian ``[I; 0]`` and
    information ``diag(w_tau)`` do not depend on the data, and the scaled-shifted test
    follows from them as for any fit. Equals :func:`_baseline` to rounding (tested)."""
    if not model.ordered or model.ngroups != 1 or len(groups) != 1:
        return _baseline(model, groups, estimator)
    key = (model.p, model.nth, model.meanstructure, tuple(model.thresholds))
    if key not in _INDEPENDENCE:
        base = independence_model(model)
        nstat = model.nth + model.p * (model.p - 1) // 2
        delta = scipy.sparse.csc_matrix((np.ones(model.nth), (np.arange(model.nth),
                                                             np.arange(model.nth))),
                                        shape=(nstat, model.nth))
        _INDEPENDENCE[key] = (base, delta)
    base, delta = _INDEPENDENCE[key]
    d = groups[0]
    resid = np.concatenate([np.zeros(model.nth), d.vector[model.nth:]])
    value = float(np.sum(d.weights * resid ** 2))
    c = (d.n - 1) / d.n  # as wls_system and _test compute it
    chi2 = float(max(2.0 * d.n * (0.5 * c * value), 0.0))
    df = base.ndat() - base.n_free
    scaled: dict = {}
    if estimator in ROBUST_SE and df > 0:
        e_inv = np.diag(1.0 / d.weights[:model.nth])
        trace1, trace2, _meat = engine.scaled_shifted_traces([delta], groups, e_inv)
        scaled = engine.satorra_bentler_scaled_shifted(chi2, df, trace1, trace2)
    return {"chi2": chi2, "df": df, "scaled": scaled, "model": base,
            "x": np.asarray(d.vector[:model.nth], float).copy()}
