"""One batch of replications: draw samples from the population, fit the analysis model with
the library's CFA engine, record what a Monte Carlo study of power records.

A batch is a pure function of the :class:`Design` and ``(n, first, stop)``: replication
``r`` of condition ``n`` draws from ``numpy.random.SeedSequence(entropy, spawn_key=(n, r))``
alone, so its numbers do not depend on the batch it is in, on the backend or on the
number of workers. Every replication gives one record, a failed one its seed and error.

Each fit starts from the analysis model's population values (thresholds and means from the
sample), as simsem and Mplus' MONTECARLO start from the population values; a fit that does
not converge from there is refitted from the library's own start values (both counted).
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

__all__: list[str] = []

#: Statistics of the fit recorded per replication (lavaan's fitMeasures names).
FIT_INDICES = ("cfi", "tli", "rmsea", "srmr")

#: The replications' optimiser: ``fused`` line search (see ``_engine.estimate``) and its
#: stopping rule (largest relative step 1e-7, cfa()'s is 1e-10): 10-20% fewer iterations
#: (Gauss-Newton and Fisher scoring converge linearly, ~1.5 iterations a decade), and no
#: recorded number moves by more than 1e-6 (relative for numbers above 1, such as
#: chi-squares; measured up to 2.3e-6 absolute on a chi-square of 7 and an SE near 7):
#: tests/design/test_montecarlo.py.
TOLERANCE = 1e-7
FUSED = True


@dataclass(frozen=True)
class Design:
    """Everything a worker needs to run replications (small, picklable)."""

    items: tuple[str, ...]
    chol: np.ndarray
    cuts: tuple[np.ndarray, ...] | None
    missing: np.ndarray | None
    analysis: str
    estimator: str
    missing_method: str
    alpha: float
    entropy: int
    truth: tuple[tuple[str, float], ...]
    parameters: tuple[str, ...]
    factors: tuple[str, ...]
    fit_indices: bool = True
    omega_se: bool = True
    restrictions: tuple[str, ...] = ()


def parameter_name(row: Any) -> str:
    """lavaan's name of a parameter row: ``f=~x1``, ``f1~~f2``."""
    return f"{row.lhs}{row.op}{row.rhs}"


def seed_of(entropy: int, n: int, replication: int) -> np.random.SeedSequence:
    """The seed of replication ``replication`` of condition ``n``."""
    return np.random.SeedSequence(entropy, spawn_key=(int(n), int(replication)))


def draw(design: Design, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` rows from the population: normal scores, cut into categories ``1..k`` when
    ordered, then answers missing completely at random (NaN)."""
    p = len(design.items)
    values = rng.standard_normal((n, p)) @ design.chol.T
    if design.cuts is not None:
        width = max(len(c) for c in design.cuts)
        padded = np.full((p, width), np.inf)
        for j, c in enumerate(design.cuts):
            padded[j, :len(c)] = c
        values = 1.0 + (values[:, :, None] > padded[None]).sum(axis=2)
    if design.missing is not None:
        values[rng.random((n, p)) < design.missing] = np.nan
    return values


_MODELS: dict = {}


def _model(analysis: str, ordered: bool, thresholds: tuple, meanstructure: bool) -> Any:
    """The analysis model's parameter table, built once per process and threshold count."""
    from ...psychometrics._cfa._model import build_model
    from ...psychometrics._cfa._syntax import model_statements

    key = (analysis, ordered, thresholds, meanstructure)
    if key not in _MODELS:
        _MODELS[key] = build_model(model_statements(analysis), ngroups=1, ordered=ordered,
                                   thresholds=list(thresholds), meanstructure=meanstructure)
    return _MODELS[key]


def restricted_syntax(analysis: str, name: str) -> str:
    """The analysis model with parameter ``name`` (``f1~~f2``) fixed at 0."""
    for op in ("=~", "~~"):
        if op in name:
            lhs, rhs = name.split(op)
            return f"{analysis}\n{lhs} {op} 0*{rhs}"
    raise ValueError(name)  # pragma: no cover - targets are checked before


def _likelihood_ratio(design: Design, name: str, fitted: Any, groups: list,
                      thresholds: tuple) -> dict[str, Any]:
    """The chi-square difference test of fixing ``name`` at 0 (ML): the restricted model
    is fitted from the full model's estimates."""
    from ...psychometrics._cfa._fit import chi2_pvalue
    from ...psychometrics._cfa._fitting import fit_prepared

    syntax = restricted_syntax(design.analysis, name)
    model = _model(syntax, fitted.model.ordered, thresholds, fitted.model.meanstructure)
    full = {parameter_name(r): fitted.estimate.x[r.free] for r in fitted.model.rows
            if r.free >= 0}
    x0 = model.start_vector()
    for r in model.rows:
        if r.free >= 0:
            x0[r.free] = full.get(parameter_name(r), x0[r.free])
    restricted = fit_prepared(model, groups, design.estimator, x0=x0, baseline=False,
                              tol=TOLERANCE, fused=FUSED)
    if not restricted.estimate.converged:
        restricted = fit_prepared(model, groups, design.estimator, baseline=False)
    difference = max(restricted.chi2 - fitted.chi2, 0.0)
    df = restricted.df - fitted.df
    p = chi2_pvalue(difference, df)
    return {f"lrt[{name}]": difference,
            f"reject[{name}=0]": bool(p < design.alpha) if restricted.estimate.converged
            else None}


_NAMES: dict = {}


def _observed_names(analysis: str) -> list[str]:
    """The analysis model's items, in its order (cached)."""
    if analysis not in _NAMES:
        from ...psychometrics._cfa._model import variable_names
        from ...psychometrics._cfa._syntax import model_statements

        _NAMES[analysis] = variable_names(model_statements(analysis))[0]
    return _NAMES[analysis]


def _groups(design: Design, values: np.ndarray, exact: bool = False) -> tuple[list, tuple]:
    """The sample statistics of a replication, as :func:`~alliance_scale.cfa` computes
    them. Simulated answers need none of its checks of user data (codes, columns), so the
    statistics are computed directly: complete normal data give the biased covariance
    matrix and means, ordered answers the thresholds, polychorics and NACOV of
    ``ordinal_statistics`` (weighted as ``cfa``'s WLSMV weights them); with ``exact`` (a
    test) or missing normal answers, through ``cfa``'s own preparation."""
    from ...psychometrics._cfa._cfa import prepare
    from ...psychometrics._cfa._engine import ContinuousGroup, OrdinalGroup

    names = _observed_names(design.analysis)
    columns = [design.items.index(n) for n in names]
    values = values[:, columns]
    if design.cuts is None and design.missing is None and not exact:
        cov = np.cov(values, rowvar=False, bias=True)
        return [ContinuousGroup(len(values), cov, values.mean(axis=0), values)], ()
    if design.cuts is not None and design.estimator == "WLSMV" and not exact:
        from ...psychometrics._cfa._ordinal import ordinal_statistics

        stats = ordinal_statistics(pd.DataFrame(values, columns=names),
                                   missing=design.missing_method, warn=False)
        nacov = np.asarray(stats.nacov, dtype=float)
        group = OrdinalGroup(stats.n_obs, np.asarray(stats.vector(), float), nacov,
                             1.0 / np.diag(nacov), np.asarray(stats.correlation, float),
                             tuple(np.asarray(t, float) for t in stats.thresholds))
        return [group], tuple(len(t) for t in stats.thresholds)
    frame = pd.DataFrame(values, columns=names)
    prepared = prepare(frame, design.analysis, estimator=design.estimator,
                       ordered=True if design.cuts is not None else None, group=None,
                       missing=design.missing_method)
    return prepared.groups, tuple(prepared.thresholds)


def _indices(fitted: Any, estimator: str) -> dict[str, float]:
    """CFI, TLI and RMSEA from the model's test statistic against the independence model
    (the scaled statistics for MLR / WLSMV: lavaan's ``cfi.scaled``, ``tli.scaled``,
    ``rmsea.scaled``), and the SRMR; without the RMSEA's interval (not needed here)."""
    from ...psychometrics._cfa import _fit as fitm
    from ...psychometrics._cfa._fitting import _srmr, ordinal_baseline

    base = ordinal_baseline(fitted.model, fitted.groups, estimator)
    scaled, bscaled = fitted.scaled, base.get("scaled", {})
    if scaled and bscaled:
        x2, df, x0, df0 = scaled["chi2"], scaled["df"], bscaled["chi2"], bscaled["df"]
    else:
        x2, df, x0, df0 = fitted.chi2, fitted.df, base["chi2"], base["df"]
    n = fitted.n_total - (1 if fitted.model.ordered else 0)
    return {"cfi": fitm.cfi(x2, df, x0, df0), "tli": fitm.tli(x2, df, x0, df0),
            "rmsea": fitm.rmsea(x2, df, n), "srmr": float(_srmr(fitted))}


def start_vector(model: Any, truth: dict[str, float], group: Any) -> np.ndarray:
    """Population values of the parameters; thresholds and intercepts from the sample."""
    x = model.start_vector()
    tau = np.concatenate(group.thresholds) if model.ordered else None
    offsets = np.concatenate([[0], np.cumsum(model.thresholds)]) if model.ordered else None
    for r in model.rows:
        if r.free < 0:
            continue
        name = parameter_name(r)
        if r.op == "|":
            j = model.ov.index(r.lhs)
            x[r.free] = tau[offsets[j] + int(r.rhs[1:]) - 1]
        elif r.op == "~1" and r.lhs in model.ov:
            x[r.free] = group.mean[model.ov.index(r.lhs)]
        elif name in truth:
            x[r.free] = truth[name]
    return x


def _admissible(model: Any, x: np.ndarray) -> bool:
    imp = model.implied(x, 0)
    if np.diag(imp["theta"]).min() < 0 or np.diag(imp["mats"]["psi"]).min() <= 0:
        return False
    return not (model.m > 1 and np.linalg.eigvalsh(imp["phi"]).min() <= 0)


_PARTS: dict = {}


def _omega_parts(model: Any) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Per factor: its items and the free parameters its omega depends on (cached)."""
    if id(model) in _PARTS and _PARTS[id(model)][0] is model:
        return _PARTS[id(model)][1]
    rows, cols, _free, _value = model.layout[0]["lambda"]
    out = []
    for f, name in enumerate(model.lv):
        items = np.unique(rows[cols == f])
        if len(items) < 2:
            continue
        names = {model.ov[j] for j in items}
        free = sorted({r.free for r in model.rows if r.free >= 0 and (
            (r.op == "=~" and r.lhs == name) or (r.op == "~~" and r.lhs == name == r.rhs)
            or (r.op == "~~" and r.lhs in names and r.rhs in names)
            or (r.op == "|" and r.lhs in names))})
        out.append((name, items, np.array(free, int)))
    _PARTS[id(model)] = (model, out)
    return out


def omega_of(model: Any, x: np.ndarray, d: Any, f: int, items: np.ndarray,
             implied: bool = False) -> float:
    """Composite reliability of factor ``f`` (semTools' ``compRelSEM``; categorical omega
    for ordered items), as the library's CFA result computes it: the total variance is the
    sample's, or with ``implied`` the model's (then omega is a function of the parameters
    alone, as its delta-method SE needs)."""
    from ...psychometrics._cfa._result import _omega

    imp = model.implied(x, 0)
    lam, phi = imp["mats"]["lambda"], imp["phi"]
    if model.ordered:
        scales = imp["delta"]
        total = (imp["cor"] if implied else d.correlation) / np.outer(scales, scales)
        tau = imp["mats"]["tau"][:, 0]
        offsets = np.concatenate([[0], np.cumsum(model.thresholds)])
        thresholds = [tau[offsets[j]:offsets[j + 1]] for j in range(model.p)]
    else:
        scales, thresholds, total = None, [], imp["sigma"] if implied else d.cov
    loads = lam[items, f]
    common = np.outer(loads, loads) * phi[f, f]
    return _omega(common, total[np.ix_(items, items)], items, thresholds, scales)


def _omegas(model: Any, x: np.ndarray, vcov: np.ndarray, d: Any,
            with_se: bool) -> dict[str, float]:
    """Omega of each factor and (``with_se``) its delta-method standard error: forward
    differences of the model-implied omega over the factor's own parameters (with the
    sample's total variance in the denominator, omega's sampling variance would ignore
    how that variance moves with the loadings: measured, twice too large an SE)."""
    out: dict[str, float] = {}
    for name, items, free in _omega_parts(model):
        f = model.lv.index(name)
        value = omega_of(model, x, d, f, items)
        out[f"omega[{name}]"] = value
        if not with_se:
            continue
        grad = np.zeros(len(free))
        base = omega_of(model, x, d, f, items, implied=True)
        for k, i in enumerate(free):
            h = 1e-6 * max(1.0, abs(x[i]))
            shifted = x.copy()
            shifted[i] += h
            grad[k] = (omega_of(model, shifted, d, f, items, implied=True) - base) / h
        block = vcov[np.ix_(free, free)] if vcov.size else np.full((len(free),) * 2, np.nan)
        out[f"omega_se[{name}]"] = math.sqrt(max(float(grad @ block @ grad), 0.0))
    return out


def _fit(design: Design, values: np.ndarray, truth: dict[str, float]) -> dict[str, Any]:
    from ...psychometrics._cfa._fit import chi2_pvalue
    from ...psychometrics._cfa._fitting import fit_prepared, is_fiml

    groups, thresholds = _groups(design, values)
    ordered = design.cuts is not None
    model = _model(design.analysis, ordered, thresholds, ordered or is_fiml(groups))
    record: dict[str, Any] = {}
    x0 = start_vector(model, truth, groups[0])
    fitted = None
    if np.all(np.isfinite(x0)):
        try:
            fitted = fit_prepared(model, groups, design.estimator, x0=x0, baseline=False,
                                   tol=TOLERANCE, fused=FUSED)
        except Exception:  # retried from the library's start below
            fitted = None
    record["restarted"] = fitted is None or not fitted.estimate.converged
    if record["restarted"]:
        fitted = fit_prepared(model, groups, design.estimator, baseline=False)
    est = fitted.estimate
    record["converged"] = bool(est.converged)
    record["iterations"] = int(est.iterations)
    identified = not fitted.unidentified
    record["admissible"] = bool(est.converged and identified and _admissible(model, est.x))
    scaled = fitted.scaled
    chi2 = scaled["chi2"] if scaled else fitted.chi2
    df = scaled["df"] if scaled else fitted.df
    record["chisq"] = float(chi2)
    record["df"] = float(df)
    record["pvalue"] = chi2_pvalue(chi2, df)
    record["reject"] = bool(record["pvalue"] < design.alpha) if \
        np.isfinite(record["pvalue"]) else None
    if design.fit_indices:
        record.update(_indices(fitted, design.estimator))
    se = np.sqrt(np.clip(np.diag(fitted.vcov), 0, None)) if fitted.vcov.size and identified \
        else np.full(model.n_free, np.nan)
    named = {parameter_name(r): r.free for r in model.rows if r.free >= 0}
    for name in design.parameters:
        i = named.get(name)
        record[f"est[{name}]"] = float(est.x[i]) if i is not None else np.nan
        record[f"se[{name}]"] = float(se[i]) if i is not None else np.nan
    for name in design.restrictions:
        record.update(_likelihood_ratio(design, name, fitted, groups, thresholds))
    vcov = fitted.vcov if identified else np.zeros((0, 0))
    record.update(_omegas(model, est.x, vcov, groups[0], design.omega_se))
    return record


def run_batch(design: Design, n: int, first: int, stop: int) -> list[dict[str, Any]]:
    """Replications ``first .. stop - 1`` of condition ``n``: one record each."""
    from ...psychometrics._blas import single_threaded_blas

    truth = dict(design.truth)
    records = []
    with single_threaded_blas(), warnings.catch_warnings():
        # replications of small samples warn (empty cells, Heywood cases...): what matters
        # is recorded per replication (convergence, admissibility, failure)
        warnings.simplefilter("ignore")
        for r in range(first, stop):
            started = time.perf_counter()
            ss = seed_of(design.entropy, n, r)
            record: dict[str, Any] = {"n": int(n), "replication": int(r),
                                      "seed": f"{design.entropy}/{n}/{r}", "status": "ok",
                                      "error": ""}
            try:
                values = draw(design, n, np.random.default_rng(ss))
                if design.cuts is not None:
                    observed = [np.unique(v[~np.isnan(v)]).size for v in values.T]
                    record["empty_categories"] = int(sum(
                        o < len(c) + 1 for o, c in zip(observed, design.cuts, strict=True)))
                record.update(_fit(design, values, truth))
            except Exception as error:  # recorded, never dropped
                record.update(status="failed", error=f"{type(error).__name__}: {error}"[:300])
            record["seconds"] = time.perf_counter() - started
            records.append(record)
    return records


def population_values(design_items: list[str], sigma: np.ndarray, cuts: Any,
                      analysis: str, estimator: str, meanstructure: bool) -> SimpleNamespace:
    """The analysis model fitted to the population moments (ML on the population
    correlation matrix): its parameter values (the truth bias and coverage are judged
    against; the pseudo-true values when the model is misspecified), its discrepancy ``F0``
    and df, the population omegas; raises AnalysisError when the model is not identified."""
    from ...errors import AnalysisError, OptionError
    from ...psychometrics._cfa._cfa import prepare
    from ...psychometrics._cfa._fitting import fit_prepared
    from ...psychometrics._cfa._model import build_model
    from ...psychometrics._cfa._syntax import model_statements

    statements = model_statements(analysis)
    names = sorted({s.rhs for s in statements if s.op == "=~"} - {s.lhs for s in statements})
    unknown = [i for i in names if i not in design_items]
    if unknown:
        raise OptionError(f"the analysis model's item {unknown[0]!r} is not in the population")
    size = 10 ** 8
    frame = pd.DataFrame(sigma, index=design_items, columns=design_items)
    prepared = prepare(None, analysis, estimator="ML", ordered=None, group=None,
                       missing="listwise", n_obs=size, cov_matrix=frame)
    model = build_model(statements, ngroups=1)
    df = model.ndat() - model.n_free
    if df < 0:
        raise AnalysisError(f"the analysis model has {model.n_free} free parameters for "
                            f"{model.ndat()} moments (df = {df}): it is not identified")
    fitted = fit_prepared(model, prepared.groups, "ML", baseline=False)
    if fitted.unidentified or not fitted.estimate.converged:
        raise AnalysisError("the analysis model is not identified at the population values "
                            "(its information matrix is singular in the direction of "
                            + ", ".join(fitted.unidentified or ["the estimates"])
                            + "): fix a parameter or give each factor 3 items (or 2 and a "
                            "correlation with another factor)")
    x = fitted.estimate.x
    truth = {parameter_name(r): float(x[r.free]) for r in model.rows if r.free >= 0}
    for r in model.rows:
        if r.free < 0 and r.op in ("=~", "~~") and parameter_name(r) not in truth:
            truth.setdefault(parameter_name(r), float(r.value))
    ordered = cuts is not None
    if ordered:
        for item, c in zip(design_items, cuts, strict=True):
            truth.update({f"{item}|t{k + 1}": float(v) for k, v in enumerate(c)})
    if meanstructure and not ordered:
        truth.update({f"{item}~1": 0.0 for item in design_items})
    # population omegas: the replication model at the truth, the population moments as
    # the sample's
    thresholds = tuple(len(c) for c in cuts) if ordered else ()
    rep_model = build_model(statements, ngroups=1, ordered=ordered,
                            thresholds=list(thresholds), meanstructure=ordered or meanstructure)
    group = SimpleNamespace(correlation=sigma[np.ix_(*[[design_items.index(i)
                                                         for i in rep_model.ov]] * 2)],
                            thresholds=[cuts[design_items.index(i)] for i in rep_model.ov]
                            if ordered else [], mean=np.zeros(rep_model.p))
    group.cov = group.correlation
    # the parameters a replication estimates (ordered items: no residual variances)
    parameters = tuple(parameter_name(r) for r in rep_model.rows
                       if r.free >= 0 and r.op in ("=~", "~~"))
    xr = start_vector(rep_model, truth, group)
    omegas = {}
    for name, items, _free in _omega_parts(rep_model):
        omegas[name] = omega_of(rep_model, xr, group, rep_model.lv.index(name), items)
    return SimpleNamespace(truth=truth, parameters=parameters, f0=fitted.chi2 / size,
                           df=df, omegas=omegas, ov=list(rep_model.ov))
