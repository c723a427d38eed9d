"""Estimation: ML (Fisher scoring), DWLS / ULS (Gauss-Newton), standard errors and tests.

The formulas are lavaan 0.6.14's (``lav_model_objective``, ``lav_model_information``,
``lav_model_vcov``, ``lav_model_test``, ``lav_test_satorra_bentler``,
``lav_test_yuan_bentler``), written out for numpy:

- ML: ``F_g = log|Sigma| + tr(S Sigma^-1) + (m - mu)' Sigma^-1 (m - mu) - log|S| - p`` with
  the biased (N) sample covariance; lavaan's objective is ``sum_g (N_g/N) F_g / 2`` and
  ``chi2 = sum_g N_g F_g``. Standard errors from the expected information (``/ N``).
- MLR: the sandwich ``A^-1 B A^-1 / N`` with ``A`` the observed information (Hessian of
  the objective by 4-point differences of the exact gradient, as ``lav_model_hessian``)
  and ``B`` the cross-product of casewise scores (Huber-White); the Yuan-Bentler test
  (Mplus variant) ``c = (tr(A1^-1 B1) - tr(B0 A^-1)) / df``, whose saturated part reduces
  to Mardia's multivariate kurtosis: ``tr = p + (mean(q_i^2) - p) / 2``,
  ``q_i = (y_i - m)' S^-1 (y_i - m)``.
- DWLS / ULS (Muthen 1984; Muthen, du Toit & Spisic 1997): ``F_g = sum w (s - sigma)^2``,
  lavaan's objective ``sum_g (N_g/N) (N_g - 1)/N_g F_g / 2`` (so ``chi2 = (N - 1) F``:
  lavaan's ``N - 1`` for categorical data), standard errors ``E^-1 / (N - G)``, robust
  ``E^-1 (D' W Gamma W D) E^-1 / (N - G)`` and the scaled-shifted test of Asparouhov &
  Muthen (2010): ``a = sqrt(df / tr(UG^2))``, ``T = a T0 + df - a tr(UG)``.

The traces are computed without forming ``U Gamma`` (``O(q n^2)`` instead of ``O(n^3)``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.linalg
import scipy.sparse

from ...errors import AnalysisError
from ._fiml import fiml_group, fiml_scores
from ._fiml import trace_h1 as fiml_trace_h1
from ._model import Model, lower_pairs

__all__ = ["ContinuousGroup", "Estimate", "OrdinalGroup", "estimate"]


@dataclass
class ContinuousGroup:
    """Sample statistics of one group: N, biased covariance, means, complete rows."""

    n: int
    cov: np.ndarray
    mean: np.ndarray
    raw: np.ndarray | None = None
    logdet: float = field(init=False)

    def __post_init__(self) -> None:
        sign, logdet = np.linalg.slogdet(self.cov)
        if sign <= 0:
            raise AnalysisError("the sample covariance matrix is not positive definite "
                                "(an item is a linear combination of others, or too few "
                                "respondents)")
        self.logdet = float(logdet)


@dataclass
class OrdinalGroup:
    """Thresholds, polychorics and their asymptotic covariance of one group (not changed
    once built: every model fitted to the group, and its baseline, share the numbers that
    depend on the data alone, kept in ``cache``)."""

    n: int
    vector: np.ndarray
    nacov: np.ndarray
    weights: np.ndarray
    correlation: np.ndarray
    thresholds: tuple[np.ndarray, ...]
    cache: dict = field(default_factory=dict, repr=False, compare=False)
    #: The influence matrix ``IF`` (respondents x statistics) when the NACOV is kept
    #: factored, ``nacov = n IF' IF`` (then ``nacov`` holds its diagonal only: the WLSMV
    #: products and traces are computed from ``IF``, q x n instead of q x q).
    influence: np.ndarray | None = field(default=None, repr=False, compare=False)

    def times_nacov(self, left: scipy.sparse.spmatrix) -> np.ndarray:
        """``left' NACOV`` (``left``: statistics x k, sparse)."""
        if self.influence is None:
            return np.asarray(left.T @ self.nacov)
        f = self.influence
        columns = self.once("influence_t", lambda: np.ascontiguousarray(f.T))
        return len(f) * (np.asarray(left.T @ columns) @ f)

    def once(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()``, computed on the first call with ``key`` and kept."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


@dataclass
class Estimate:
    x: np.ndarray
    converged: bool
    iterations: int
    fx: float
    fx_group: np.ndarray


# ============================================================================ ML pieces


def _ml_group(model: Model, x: np.ndarray, g: int, data: ContinuousGroup,
              what: str) -> tuple:
    """F_g and, on request, its gradient and expected information over the free rows."""
    if getattr(data, "fiml", False):
        return fiml_group(model, x, g, data, what)
    factors = model.derivative_factors(x, g)
    imp = factors["implied"]
    sigma = imp["sigma"]
    try:
        # finiteness is checked on the factor below (a NaN gives a NaN factor)
        chol = scipy.linalg.cho_factor(sigma, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        return (np.inf,)
    if not np.all(np.isfinite(chol[0])) or np.any(np.diag(chol[0]) <= 0):
        return (np.inf,)
    sinv = scipy.linalg.cho_solve(chol, np.eye(model.p), check_finite=False)
    logdet = 2.0 * np.log(np.diag(chol[0])).sum()
    diff = data.mean - imp["mu"] if model.meanstructure else np.zeros(model.p)
    value = (logdet + np.sum(data.cov * sinv) + diff @ sinv @ diff - data.logdet - model.p)
    if what == "f":
        return (value,)
    big_x, big_y, big_m = factors["X"], factors["Y"], factors["M"]
    w = sinv @ (sigma - data.cov - np.outer(diff, diff)) @ sinv
    grad = 2.0 * np.einsum("ie,ie->e", big_y, w @ big_x)
    if model.meanstructure:
        grad -= 2.0 * (sinv @ diff) @ big_m
    if what == "grad":
        return value, grad
    sx, sy = sinv @ big_x, sinv @ big_y
    p_yx, p_yy, p_xx = big_y.T @ sx, big_y.T @ sy, big_x.T @ sx
    info = p_yx * p_yx.T + p_yy * p_xx
    if model.meanstructure:
        info += big_m.T @ sinv @ big_m
    return value, grad, info, factors, sinv


def ml_objective(model: Model, x: np.ndarray, groups: list[ContinuousGroup]) -> tuple:
    n_total = sum(d.n for d in groups)
    values = np.array([_ml_group(model, x, g, d, "f")[0] for g, d in enumerate(groups)])
    fx_group = 0.5 * values
    return float(sum(d.n / n_total * f for d, f in zip(groups, fx_group, strict=True))), fx_group


def ml_gradient(model: Model, x: np.ndarray, groups: list[ContinuousGroup]) -> np.ndarray:
    n_total = sum(d.n for d in groups)
    grad = np.zeros(model.n_free)
    for g, d in enumerate(groups):
        out = _ml_group(model, x, g, d, "grad")
        if len(out) == 1:
            return np.full(model.n_free, np.nan)
        grad += d.n / n_total * 0.5 * (model.entry_map[g].T @ out[1])
    return grad


def ml_information(model: Model, x: np.ndarray, groups: list[ContinuousGroup]) -> tuple:
    """Objective, its gradient and the expected information (per observation)."""
    n_total = sum(d.n for d in groups)
    grad, info, fx = np.zeros(model.n_free), np.zeros((model.n_free, model.n_free)), 0.0
    fx_group = np.zeros(len(groups))
    for g, d in enumerate(groups):
        out = _ml_group(model, x, g, d, "info")
        if len(out) == 1:
            return np.inf, None, None, None
        fg, mapping = d.n / n_total, model.entry_map[g]
        fx_group[g] = 0.5 * out[0]
        fx += fg * fx_group[g]
        grad += fg * 0.5 * (mapping.T @ out[1])
        info += fg * (mapping.T @ out[2] @ mapping)
    return fx, grad, info, fx_group


def ml_hessian(model: Model, x: np.ndarray, groups: list[ContinuousGroup],
               h: float = 1e-6, points: int = 4) -> np.ndarray:
    """Observed information: 4-point differences of the exact gradient (lavaan's rule);
    ``points=2``: central differences (error ~1e-10 relative at ``h = 1e-6``, half the
    gradient evaluations: used for full-information ML, where each costs a pass over
    the respondents)."""
    q = model.n_free
    hessian = np.zeros((q, q))
    shifts = (-2.0, -1.0, 1.0, 2.0) if points == 4 else (-1.0, 1.0)
    for j in range(q):
        steps = []
        for t in shifts:
            shifted = x.copy()
            shifted[j] += t * h
            steps.append(ml_gradient(model, shifted, groups))
        if points == 4:
            hessian[:, j] = (steps[0] - 8 * steps[1] + 8 * steps[2] - steps[3]) / (12 * h)
        else:
            hessian[:, j] = (steps[1] - steps[0]) / (2 * h)
    return (hessian + hessian.T) / 2


def ml_scores(model: Model, x: np.ndarray, g: int, data: ContinuousGroup) -> np.ndarray:
    """Casewise derivatives of the log-likelihood over the free rows (N_g x E)."""
    if getattr(data, "fiml", False):
        return fiml_scores(model, x, g, data)
    factors = model.derivative_factors(x, g)
    imp = factors["implied"]
    sinv = np.linalg.inv(imp["sigma"])
    centre = imp["mu"] if model.meanstructure else data.mean
    u = (data.raw - centre) @ sinv
    big_x, big_y = factors["X"], factors["Y"]
    scores = (u @ big_x) * (u @ big_y) - np.einsum("ie,ie->e", big_y, sinv @ big_x)
    if model.meanstructure:
        scores += u @ factors["M"]
    return scores


def mardia_trace(data: ContinuousGroup, meanstructure: bool) -> float:
    """``tr(A1^-1 B1)`` of the saturated model (lavaan's h1 part of the YB test)."""
    if getattr(data, "fiml", False):
        return fiml_trace_h1(data)[0]
    centred = data.raw - data.mean
    q = np.einsum("ij,ij->i", centred @ np.linalg.inv(data.cov), centred)
    p = data.cov.shape[0]
    return 0.5 * (np.mean(q ** 2) - p) + (p if meanstructure else 0.0)


# ============================================================================ WLS pieces


def _wls_group(model: Model, x: np.ndarray, g: int, data: OrdinalGroup,
               jacobian: bool) -> tuple:
    factors = model.derivative_factors(x, g)
    imp = factors["implied"]
    if np.any(np.diag(imp["theta"]) < -1e10) or not np.all(np.isfinite(imp["cor"])):
        return (np.inf,)
    resid = data.vector - model.wls_vector(imp)
    value = float(np.sum(data.weights * resid ** 2))
    if not jacobian:
        return (value,)
    jacobian_rows = model.wls_jacobian(factors)
    delta = _patterned_jacobian(model, g, jacobian_rows)
    if delta is None:
        delta = (scipy.sparse.csr_matrix(jacobian_rows) @ model.sparse_map[g]).tocsc()
    return value, resid, delta


def _patterned_jacobian(model: Model, g: int,
                        rows: np.ndarray) -> scipy.sparse.csc_matrix | None:
    """The Jacobian over the parameters (``rows @ sparse_map``) as a CSC matrix built
    from a cached sparsity pattern, without scanning the dense matrix into a sparse one:
    for a group whose free rows are distinct parameters (no equality constraints). The
    pattern is the union of the nonzeros seen so far, grown when a Jacobian has a nonzero
    outside it (checked on every call); entries of the pattern that are 0 at ``x`` are
    stored as explicit zeros (the products do not change). ``None`` when the map is not
    one-to-one (the caller multiplies by the map)."""
    cache = model.__dict__.setdefault("_jacobian_patterns", {})
    if g not in cache:
        free = np.array([r.free for r in model.free_rows[g]], int)
        cache[g] = None if len(np.unique(free)) != len(free) else \
            {"free": free, "mask": np.zeros(rows.shape, bool), "index": None}
    entry = cache[g]
    if entry is None:
        return None
    nonzero = rows != 0
    if entry["index"] is None or (nonzero & ~entry["mask"]).any():
        entry["mask"] |= nonzero
        r, c = np.nonzero(entry["mask"])
        order = np.lexsort((r, entry["free"][c]))  # by parameter, then by statistic
        r, c = r[order], c[order]
        indptr = np.searchsorted(entry["free"][c], np.arange(model.n_free + 1))
        entry["index"] = (r, c, indptr)
    r, c, indptr = entry["index"]
    return scipy.sparse.csc_matrix((rows[r, c], r, indptr),
                                   shape=(rows.shape[0], model.n_free))


def _row_scaled(delta: scipy.sparse.spmatrix, w: np.ndarray) -> scipy.sparse.csc_matrix:
    """``diag(w) @ delta`` as a CSC matrix: each stored entry times its row's weight
    (the same products as ``delta.multiply(w[:, None])``, without its conversions)."""
    if scipy.sparse.isspmatrix_csc(delta):
        return scipy.sparse.csc_matrix((delta.data * w[delta.indices], delta.indices,
                                        delta.indptr), shape=delta.shape)
    return delta.multiply(w[:, None]).tocsc()


def wls_objective(model: Model, x: np.ndarray, groups: list[OrdinalGroup]) -> tuple:
    n_total = sum(d.n for d in groups)
    fx_group = np.array([0.5 * (d.n - 1) / d.n * _wls_group(model, x, g, d, False)[0]
                         for g, d in enumerate(groups)])
    return float(sum(d.n / n_total * f for d, f in zip(groups, fx_group, strict=True))), fx_group


def wls_system(model: Model, x: np.ndarray, groups: list[OrdinalGroup]) -> tuple:
    """Objective, gradient, expected information and the Jacobians per group."""
    n_total = sum(d.n for d in groups)
    q = model.n_free
    fx, grad, info, deltas = 0.0, np.zeros(q), np.zeros((q, q)), []
    fx_group = np.zeros(len(groups))
    for g, d in enumerate(groups):
        out = _wls_group(model, x, g, d, True)
        if len(out) == 1:
            return np.inf, None, None, None, None
        value, resid, delta = out
        fg, c = d.n / n_total, (d.n - 1) / d.n
        fx_group[g] = 0.5 * c * value
        fx += fg * fx_group[g]
        wd = _row_scaled(delta, d.weights)
        grad -= fg * c * (wd.T @ resid)
        info += fg * (delta.T @ wd).toarray()
        deltas.append(delta)
    return fx, grad, info, deltas, fx_group


# ============================================================================ optimiser


def estimate(model: Model, groups: list, x0: np.ndarray, *, max_iter: int = 500,
             tol: float = 1e-10, fused: bool = False) -> Estimate:
    """Fisher scoring (ML) or Gauss-Newton (DWLS/ULS) with step halving.

    Stops when the largest step is below ``tol`` (relative to 1 + |x|) or the objective
    no longer decreases; ``converged`` is False when ``max_iter`` is reached or the steps
    follow a ridge without an optimum (:func:`on_a_ridge`; the caller warns). With
    ``fused``, a full step is tried with the whole system (objective, gradient,
    information) and, once accepted, that system is the next iteration's: one
    evaluation of the objective less per iteration (the Monte Carlo replications' path;
    the objective then comes from the system's own sum, which may differ from the
    objective's in the last bit, so the path may end a 1e-10 step elsewhere).
    """
    ordinal = model.ordered
    system = (lambda z: wls_system(model, z, groups)) if ordinal else \
        (lambda z: ml_information(model, z, groups))
    objective = (lambda z: wls_objective(model, z, groups)[0]) if ordinal else \
        (lambda z: ml_objective(model, z, groups)[0])
    x = x0.copy()
    out = system(x)
    if not np.isfinite(out[0]):
        raise AnalysisError("the start values give a model-implied covariance matrix that "
                            "is not positive definite; give start values (start(...))")
    converged, iteration = False, 0
    history: list[float] = []
    while iteration < max_iter:
        iteration += 1
        fx, grad, info = out[0], out[1], out[2]
        history.append(fx)
        if on_a_ridge(history):
            break
        try:
            step = -np.linalg.solve(info + 1e-12 * np.eye(len(x)) * np.trace(info), grad)
        except np.linalg.LinAlgError:
            step = -np.linalg.lstsq(info, grad, rcond=None)[0]
        size, accepted = 1.0, None
        while size > 1e-10:
            trial = x + size * step
            candidate = system(trial) if fused and size == 1.0 else None
            value = candidate[0] if candidate is not None else objective(trial)
            if np.isfinite(value) and value <= fx + 1e-4 * size * (grad @ step):
                accepted = candidate
                break
            size /= 2
        else:
            converged = np.max(np.abs(grad)) < 1e-6
            break
        x = trial
        change = np.max(np.abs(size * step) / (1.0 + np.abs(x)))
        new = accepted if accepted is not None else system(x)
        if change < tol or (abs(fx - new[0]) < 1e-16 * max(1.0, abs(fx)) and
                            np.max(np.abs(new[1])) < 1e-8):
            out = new
            converged = True
            break
        out = new
    fx_group = out[-1]
    return Estimate(x, converged, iteration, float(out[0]), np.asarray(fx_group))


#: The ridge test of :func:`estimate`: from iteration ``RIDGE_FROM`` on, the objective's
#: decrease over the last ``RIDGE_WINDOW`` iterations against the window before.
RIDGE_FROM, RIDGE_WINDOW = 100, 25


def on_a_ridge(history: list[float], first: int = RIDGE_FROM) -> bool:
    """Whether the scoring steps follow a ridge to infinity instead of an optimum.

    Near an optimum Fisher scoring converges at least linearly: the objective's decrease
    shrinks geometrically (by a factor ``r**25``, ``r < 1`` the rate, over a window of
    25 iterations). When the likelihood has no maximum (a nearly unidentified model, e.g.
    two factors of two items each whose cross-covariances leave a loading free to grow
    without bound), the estimates run off and the decrease shrinks only slowly: the
    search stops, not converged, when after ``first`` iterations a window's decrease
    is still more than half the previous window's (linear convergence slower than
    ``r = 0.973``, which the remaining iterations would not finish either). lavaan's
    nlminb follows the same ridge for thousands of iterations and reports that "a
    solution has NOT been found".
    """
    k = len(history)
    if k < first or k % RIDGE_WINDOW:
        return False
    earlier = history[-2 * RIDGE_WINDOW - 1] - history[-RIDGE_WINDOW - 1]
    later = history[-RIDGE_WINDOW - 1] - history[-1]
    return later > 1e-12 * max(1.0, abs(history[-1])) and later > 0.5 * earlier


# ============================================================================ inference


def invert_information(info: np.ndarray, model: Model) -> tuple[np.ndarray, list[str]]:
    """Inverse of the information, or (NaN matrix, parameters in its null space)."""
    if not np.all(np.isfinite(info)):  # estimates that ran off (a fit not converged)
        return np.full_like(info, np.nan), ["every parameter (the information matrix is "
                                            "not finite at the estimates)"]
    scale = np.sqrt(np.abs(np.diag(info)))
    scale[scale == 0] = 1.0
    scaled = info / np.outer(scale, scale)
    try:
        values = np.linalg.eigvalsh(scaled)  # the eigenvectors only when it is singular
        if values.min() > 1e-10 * max(values.max(), 1e-300):
            return np.linalg.inv(info), []
        values, vectors = np.linalg.eigh(scaled)
    except np.linalg.LinAlgError as error:
        return np.full_like(info, np.nan), [f"every parameter ({error})"]
    null = vectors[:, values < 1e-10 * values.max()]
    involved = np.flatnonzero(np.abs(null).max(axis=1) > 0.1)
    names = []
    for k in involved:
        row = next(r for r in model.rows if r.free == k)
        names.append(model.label(row))
    return np.full_like(info, np.nan), names


@dataclass
class Inference:
    """Covariance of the estimates and the test statistics of one fit."""

    vcov: np.ndarray
    chi2: float
    df: int
    chi2_group: np.ndarray
    scaled: dict
    information: np.ndarray
    unidentified: list[str]
    extra: dict


def scaled_shifted_traces(deltas: list, groups: list[OrdinalGroup],
                          e_inv: np.ndarray) -> tuple[float, float, np.ndarray]:
    """``tr(U Gamma)``, ``tr((U Gamma)^2)`` and ``M = sum_g fg D_g' W_g Gamma_g W_g D_g``.

    ``U = V - V D E^-1 D' V`` with ``V = bdiag(fg W_g)`` and ``Gamma = bdiag(Gamma_g/fg)``
    (lavaan's ``lav_test_satorra_bentler_trace_original``). With ``Z = V Gamma``:
    ``tr(U G) = tr(Z) - tr(E^-1 M)`` and
    ``tr((U G)^2) = tr(Z^2) - 2 sum_g fg tr(E^-1 H_g W_g H_g') + tr((E^-1 M)^2)``,
    ``H_g = D_g' W_g Gamma_g``; the Jacobians ``D_g`` are sparse, so nothing costs more
    than ``O(nnz(D) n)`` besides ``tr(Z^2)`` (``O(n^2)``).
    """
    n_total = sum(d.n for d in groups)
    q = e_inv.shape[0]
    trace_z = trace_zz = cross = 0.0
    meat = np.zeros((q, q))
    for delta, d in zip(deltas, groups, strict=True):
        fg, w = d.n / n_total, d.weights
        group_z, group_zz = d.once("traces_z", lambda d=d: _traces_z(d))
        trace_z += group_z
        trace_zz += group_zz
        wd = _row_scaled(delta, w)
        h = d.times_nacov(wd)  # D' W Gamma (q x n)
        hw = (wd.T @ h.T).T  # D' W Gamma W D, as h W D
        meat += fg * np.asarray(hw)
        cross += fg * float(np.sum((e_inv @ (h * w)) * h))
    k = e_inv @ meat
    trace1 = trace_z - float(np.trace(k))
    trace2 = trace_zz - 2.0 * cross + float(np.sum(k * k.T))
    return trace1, trace2, meat


def _traces_z(d: OrdinalGroup) -> tuple[float, float]:
    """``tr(Z)`` and ``tr(Z^2)`` of a group, ``Z = W Gamma``: the data's part of the traces
    (the costliest, ``O(n^2)`` of a 100 MB matrix for 80 items), the same for every model."""
    w = d.weights
    if d.influence is not None:  # Gamma = n F'F: tr(Z^2) = n^2 |F W F'|^2 (n x n)
        f, n = d.influence, len(d.influence)
        inner = (f * w) @ f.T
        return (n * float(np.sum(w * np.einsum("ij,ij->j", f, f))),
                n * n * float(np.sum(inner * inner)))
    # tr(Z^2) = sum_ij w_i G_ij w_j G_ji = w' (G o G) w, Gamma symmetric: row blocks of
    # G o G times w (no transposed pass, no 100 MB temporary; the sum in another order)
    gamma, q = d.nacov, len(w)
    weighted = np.empty(q)
    for start in range(0, q, _BLOCK):
        block = gamma[start:start + _BLOCK]
        weighted[start:start + _BLOCK] = (block * block) @ w
    return float(np.sum(w * np.diag(gamma))), float(weighted @ w)


#: Rows per block of the passes over a statistics x statistics matrix.
_BLOCK = 256


def satorra_bentler_scaled_shifted(chi2: float, df: int, trace1: float,
                                   trace2: float) -> dict:
    a = np.sqrt(df / trace2)
    shift = df - a * trace1
    stat = chi2 * a + shift
    return {"chi2": stat, "df": df, "scaling_factor": 1.0 / a, "shift": shift,
            "trace1": trace1, "trace2": trace2}


def lower_index(p: int) -> tuple[np.ndarray, np.ndarray]:
    return lower_pairs(p)
