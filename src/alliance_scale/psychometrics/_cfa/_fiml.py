"""Full-information ML (lavaan's ``missing = "ml"``): casewise likelihood, EM saturated model.

Each respondent contributes the normal log-likelihood of the answers they gave,
``-1/2 (p_i log 2 pi + log|Sigma_oo| + d_o' Sigma_oo^-1 d_o)`` (Arbuckle 1996; lavaan's
``lav_mvnorm_missing_loglik``). lavaan loops over missing-data patterns; Likert data with
scattered skips have nearly one pattern per respondent, so this module never inverts a
pattern's observed block ``Sigma_oo`` (``p_o x p_o``), only the small block of the items
a row skipped. With ``L = Sigma^-1`` and ``m`` the skipped items of a row:

- ``(Sigma_oo)^-1`` padded with zeros is ``K = L - L[:, m] L_mm^-1 L[m, :]``;
- ``log|Sigma_oo| = log|Sigma| + log|L_mm|``;
- ``u = K d = L d - L[:, m] L_mm^-1 (L d)_m`` (``d`` the centred row, zeros where skipped).

So one ``N x p`` product ``D L`` serves every row, and the rest is a batched ``k x k``
solve per row, rows grouped by their number ``k`` of skipped items (numpy's batched
``linalg``). The same identities give the E-step of the EM algorithm for the saturated
model (lavaan's ``lav_mvnorm_missing_h1_estimate_moments``: start at the available-case
means and variances, stop when no mean or covariance moves by 1e-5): conditional means
``mu_m - L_mm^-1 (L d)_m`` and covariances ``L_mm^-1``.

Derivatives (per respondent, ``E``, ``F`` symmetric directions of ``Sigma``):
``dl/dmu = u``, ``dl/dSigma = (u u' - K) / 2``, and the observed information
``K`` (means), ``K E u`` (means x covariances), ``u'E K F u - tr(E K F K) / 2``
(covariances), summed over respondents (lavaan's ``lav_mvnorm_missing_information_observed``
and ``_scores_mu_vech_sigma``). The FIML-corrected robust CFI / TLI / RMSEA are Zhang &
Savalei's (2023) as lavaan's ``lav_fit_fiml_corrected`` (FIML-C V3 with a robust test,
V6 without).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg

from ...errors import AnalysisError
from ._model import Model

__all__ = ["MissingGroup", "em_saturated", "fiml_group"]

LOG_2PI = float(np.log(2.0 * np.pi))


@dataclass
class MissingGroup:
    """One group's responses with skipped answers (NaN), analysed by full-information ML.

    ``cov`` and ``mean`` are the EM estimates of the saturated model (lavaan's h1), which
    the start values, the baseline and the SRMR use as the sample moments.
    """

    raw: np.ndarray
    n: int = field(init=False)
    cov: np.ndarray = field(init=False)
    mean: np.ndarray = field(init=False)
    logdet: float = field(init=False)
    h1_fx: float = field(init=False)
    em_iterations: int = field(init=False)
    start_variances: np.ndarray = field(init=False)
    n_observed: int = field(init=False)
    fiml = True

    def __post_init__(self) -> None:
        raw = np.asarray(self.raw, dtype=float)
        observed = ~np.isnan(raw)
        self.n = raw.shape[0]
        self.n_observed = int(observed.sum())
        self._observed = observed
        self._zeroed = np.where(observed, raw, 0.0)
        counts = (~observed).sum(axis=1)
        self._blocks = []
        for k in np.unique(counts[counts > 0]):
            rows = np.flatnonzero(counts == k)
            miss = np.nonzero(~observed[rows])[1].reshape(len(rows), k)
            self._blocks.append((rows, miss))
        p = raw.shape[1]
        self._flat = [(rows[:, None] * p + miss).ravel() for rows, miss in self._blocks]
        self.mean, self.cov, self.h1_fx, self.em_iterations = em_saturated(self)
        # lavaan's sample variances with FIML (its start values): available cases, ddof 1,
        # rescaled by (N - 1) / N with N every respondent
        with np.errstate(invalid="ignore"):
            self.start_variances = np.nanvar(raw, axis=0, ddof=1) * (self.n - 1) / self.n
        sign, logdet = np.linalg.slogdet(self.cov)
        if sign <= 0:
            raise AnalysisError("the EM estimate of the covariance matrix is not positive "
                                "definite (an item is a linear combination of others)")
        self.logdet = float(logdet)

    @property
    def n_patterns(self) -> int:
        """Distinct missing-data patterns (lavaan's ``npatterns``)."""
        return int(np.unique(self._observed, axis=0).shape[0])


@dataclass
class Casewise:
    """Pieces of the casewise likelihood at (Sigma, mu)."""

    fx: float  # -2 log-likelihood / N without log(2 pi)
    inverse: np.ndarray  # L
    u: np.ndarray  # N x p, K_i d_i
    solves: list  # per block: (rows, miss, L_mm^-1)
    filled: np.ndarray  # N x p: L_mm^-1 (L d)_m at the skipped items


def casewise(data: MissingGroup, sigma: np.ndarray, mu: np.ndarray) -> Casewise | None:
    """The casewise likelihood (``None`` when ``sigma`` is not positive definite)."""
    try:
        chol = scipy.linalg.cho_factor(sigma, lower=True)
    except (np.linalg.LinAlgError, ValueError):  # not positive definite, or not finite
        return None
    if not np.all(np.isfinite(chol[0])) or np.any(np.diag(chol[0]) <= 0):
        return None
    inverse = scipy.linalg.cho_solve(chol, np.eye(len(mu)))
    logdet = 2.0 * np.log(np.diag(chol[0])).sum()
    centred = data._zeroed - mu * data._observed
    v = centred @ inverse  # L d of every row
    total = data.n * logdet + float(np.einsum("ij,ij->", centred, v))
    solves = []
    filled = np.zeros(v.size)  # L_mm^-1 (L d)_m at the skipped items, 0 elsewhere
    flat_v = v.ravel()
    for (rows, miss), flat in zip(data._blocks, data._flat, strict=True):
        # L_mm is a principal block of the positive definite L: positive definite too
        l_inv, logdets = small_inverse(inverse[miss[:, :, None], miss[:, None, :]])
        v_m = flat_v[flat].reshape(miss.shape)
        z = np.einsum("nkl,nl->nk", l_inv, v_m)
        total += float(logdets.sum())
        total -= float(np.einsum("nk,nk->", v_m, z))
        filled[flat] = z.ravel()
        solves.append((rows, miss, l_inv))
    if not np.isfinite(total):
        return None
    filled = filled.reshape(v.shape)
    u = v - filled @ inverse if solves else v
    return Casewise(total / data.n, inverse, u, solves, filled)


def _casewise_at(data: MissingGroup, sigma: np.ndarray, mu: np.ndarray,
                 where: str) -> Casewise:
    """:func:`casewise`, or an :class:`AnalysisError` naming ``where`` when ``sigma`` is
    not positive definite (estimates that ran off: a fit that did not converge)."""
    parts = casewise(data, sigma, mu)
    if parts is None:
        raise AnalysisError(f"full-information ML: the model-implied covariance matrix at "
                            f"{where} is not positive definite (the estimation did not "
                            "reach a proper solution)")
    return parts


def _inverse(matrix: np.ndarray, what: str) -> np.ndarray:
    """``matrix^-1``, or an :class:`AnalysisError` naming ``what`` when it is singular or
    not finite."""
    if not np.all(np.isfinite(matrix)):
        raise AnalysisError(f"full-information ML: the {what} is not finite")
    try:
        return np.linalg.inv(matrix)
    except np.linalg.LinAlgError as error:
        raise AnalysisError(f"full-information ML: the {what} is singular ({error})") \
            from error


def small_inverse(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverses and log-determinants of a stack of positive definite ``k x k`` blocks
    (closed forms for ``k <= 3``: LAPACK's cost is per matrix, and most blocks of skipped
    items are that small; LAPACK otherwise). Singular in floating point: NaN."""
    k = blocks.shape[1]
    if k == 1:
        return 1.0 / blocks, np.log(blocks[:, 0, 0])
    if k == 2:
        a, b, d = blocks[:, 0, 0], blocks[:, 0, 1], blocks[:, 1, 1]
        det = a * d - b * b
        inv = np.stack([np.stack([d, -b], axis=1), np.stack([-b, a], axis=1)], axis=1)
        return inv / det[:, None, None], np.log(det)
    if k == 3:
        m = blocks
        adj = np.empty_like(m)
        adj[:, 0, 0] = m[:, 1, 1] * m[:, 2, 2] - m[:, 1, 2] * m[:, 2, 1]
        adj[:, 0, 1] = m[:, 0, 2] * m[:, 2, 1] - m[:, 0, 1] * m[:, 2, 2]
        adj[:, 0, 2] = m[:, 0, 1] * m[:, 1, 2] - m[:, 0, 2] * m[:, 1, 1]
        adj[:, 1, 1] = m[:, 0, 0] * m[:, 2, 2] - m[:, 0, 2] * m[:, 2, 0]
        adj[:, 1, 2] = m[:, 0, 2] * m[:, 1, 0] - m[:, 0, 0] * m[:, 1, 2]
        adj[:, 2, 2] = m[:, 0, 0] * m[:, 1, 1] - m[:, 0, 1] * m[:, 1, 0]
        adj[:, 1, 0], adj[:, 2, 0], adj[:, 2, 1] = adj[:, 0, 1], adj[:, 0, 2], adj[:, 1, 2]
        det = (m[:, 0, 0] * adj[:, 0, 0] + m[:, 0, 1] * adj[:, 1, 0]
               + m[:, 0, 2] * adj[:, 2, 0])
        return adj / det[:, None, None], np.log(det)
    try:
        return np.linalg.inv(blocks), np.linalg.slogdet(blocks)[1]
    except np.linalg.LinAlgError:  # singular in floating point: no likelihood there
        return np.full_like(blocks, np.nan), np.full(len(blocks), np.nan)


def _scatter(data: MissingGroup, parts: Casewise) -> np.ndarray:
    """``C = sum_i E_m L_mm^-1 E_m'`` (p x p): ``sum_i K_i = N L - L C L``."""
    p = parts.inverse.shape[0]
    total = np.zeros(p * p)
    for _rows, miss, l_inv in parts.solves:
        index = (miss[:, :, None] * p + miss[:, None, :]).ravel()
        total += np.bincount(index, weights=l_inv.ravel(), minlength=p * p)
    return total.reshape(p, p)


def _sum_k(parts: Casewise, n: int, data: MissingGroup) -> np.ndarray:
    """``sum_i K_i``."""
    inverse = parts.inverse
    return n * inverse - inverse @ _scatter(data, parts) @ inverse


def em_saturated(data: MissingGroup, max_iter: int = 500,
                 tol: float = 1e-5) -> tuple[np.ndarray, np.ndarray, float, int]:
    """EM estimates of the saturated means and covariances and ``-2 logl / N`` there."""
    raw, n = data.raw, data.n
    with np.errstate(invalid="ignore"):
        mean0 = np.nanmean(raw, axis=0)
        var0 = np.nanmean((raw - mean0) ** 2, axis=0)
    var0 = np.where(np.isfinite(var0) & (var0 != 0), var0, 1.0)
    mean, sigma = mean0, np.diag(var0)
    low = np.tril_indices(len(mean0))
    iteration = 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 (the count is returned)
        parts = casewise(data, sigma, mean)
        if parts is None:
            raise AnalysisError("the EM algorithm for the saturated model failed: a "
                                "covariance matrix that is not positive definite")
        # conditional means of skipped answers: mu_m - L_mm^-1 (L d)_m
        completed = data._zeroed + (mean - parts.filled) * ~data._observed
        t2 = _scatter(data, parts)
        t1 = completed.sum(axis=0)
        t2 += completed.T @ completed
        new_mean = t1 / n
        new_sigma = t2 / n - np.outer(new_mean, new_mean)
        if not np.all(np.isfinite(new_sigma)):
            raise AnalysisError("the EM algorithm for the saturated model failed: "
                                "covariances that are not finite")
        if np.linalg.eigvalsh(new_sigma).min() < 1e-6:
            new_sigma[np.diag_indices_from(new_sigma)] += np.diag(new_sigma).max() * 1e-8
        change = max(np.abs(new_mean - mean).max(), np.abs((new_sigma - sigma)[low]).max())
        mean, sigma = new_mean, new_sigma
        if change < tol:
            break
    parts = _casewise_at(data, sigma, mean, "the EM estimates of the saturated model")
    return mean, sigma, parts.fx, iteration


# ============================================================================ model pieces


def fiml_group(model: Model, x: np.ndarray, g: int, data: MissingGroup, what: str) -> tuple:
    """As ``_engine._ml_group`` for FIML: ``F_g = -2 logl / N - h1``, its gradient and,
    for the scoring steps, the complete-data expected information at the current moments
    (the optimiser's metric; the standard errors use the observed information)."""
    factors = model.derivative_factors(x, g)
    imp = factors["implied"]
    parts = casewise(data, imp["sigma"], imp["mu"])
    if parts is None:
        return (np.inf,)
    value = parts.fx - data.h1_fx
    if what == "f":
        return (value,)
    big_x, big_y, big_m = factors["X"], factors["Y"], factors["M"]
    w = (_sum_k(parts, data.n, data) - parts.u.T @ parts.u) / data.n
    grad = 2.0 * np.einsum("ie,ie->e", big_y, w @ big_x)
    grad -= 2.0 * parts.u.sum(axis=0) @ big_m / data.n
    if what == "grad":
        return value, grad
    sinv = parts.inverse
    sx, sy = sinv @ big_x, sinv @ big_y
    p_yx, p_yy, p_xx = big_y.T @ sx, big_y.T @ sy, big_x.T @ sx
    info = p_yx * p_yx.T + p_yy * p_xx + big_m.T @ sinv @ big_m
    return value, grad, info, factors, sinv


def fiml_scores(model: Model, x: np.ndarray, g: int, data: MissingGroup) -> np.ndarray:
    """Casewise derivatives of the log-likelihood over the group's free rows (N x E)."""
    factors = model.derivative_factors(x, g)
    imp = factors["implied"]
    parts = _casewise_at(data, imp["sigma"], imp["mu"], "the estimates")
    big_x, big_y, big_m = factors["X"], factors["Y"], factors["M"]
    u, inverse = parts.u, parts.inverse
    lx, ly = inverse @ big_x, inverse @ big_y
    trace = np.tile(np.einsum("ie,ie->e", big_y, lx), (data.n, 1))
    for rows, miss, l_inv in parts.solves:
        trace[rows] -= np.einsum("nke,nkl,nle->ne", ly[miss], l_inv, lx[miss], optimize=True)
    return (u @ big_x) * (u @ big_y) - trace + u @ big_m


def vech_pairs(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of lavaan's ``vech`` (lower triangle with the diagonal,
    column-wise)."""
    cols, rows = np.triu_indices(p)
    return rows, cols


def _vech_weights(p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows, cols = vech_pairs(p)
    return rows, cols, np.where(rows == cols, 0.5, 1.0)


def h1_information(data: MissingGroup, sigma: np.ndarray, mu: np.ndarray,
                   chunk: int = 256) -> np.ndarray:
    """Observed information of the saturated model per respondent, (mu, vech Sigma)
    coordinates (lavaan's ``lav_mvnorm_missing_information_observed_samplestats``).

    The covariance block ``sum_i u'E K_i F u - tr(E K_i F K_i) / 2`` is gathered from two
    ``p* x p*`` cross-products over respondents (``vech(u u')' vech(K)`` and
    ``vech(K)' vech(K)``): ``O(N p*^2)`` in BLAS instead of a ``p^4`` tensor per pattern.
    """
    parts = _casewise_at(data, sigma, mu, "the saturated moments")
    p, n = len(mu), data.n
    rows, cols, weight = _vech_weights(p)
    size = len(rows)
    where = np.empty((p, p), dtype=np.intp)
    where[rows, cols] = where[cols, rows] = np.arange(size)
    cross = np.zeros((size, size))
    k_mean = np.zeros((p * p, p))
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        u = parts.u[start:stop]
        k = _row_inverses_slice(parts, start, stop)
        k_vech = k[:, rows, cols]
        cross += (u[:, rows] * u[:, cols]).T @ k_vech - 0.5 * (k_vech.T @ k_vech)
        k_mean += k.reshape(stop - start, p * p).T @ u
    # T(a,b,c,d) = sum_i u_a K_bc u_d - K_da K_bc / 2 = cross[v(a,d), v(b,c)]
    both = cross + cross.T
    ss = both[where[rows[:, None], cols[None, :]], where[cols[:, None], rows[None, :]]]
    ss += both[where[cols[:, None], cols[None, :]], where[rows[:, None], rows[None, :]]]
    ss *= np.outer(weight, weight)
    m3 = k_mean.reshape(p, p, p)  # [i, c, d] = sum_n K_ic u_d
    ms = (m3[:, rows, cols] + m3[:, cols, rows]) * weight
    mm = _sum_k(parts, n, data)
    return np.block([[mm, ms], [ms.T, ss]]) / n


def _row_inverses_slice(parts: Casewise, start: int, stop: int) -> np.ndarray:
    inverse = parts.inverse
    k = np.broadcast_to(inverse, (stop - start, *inverse.shape)).copy()
    for rows, miss, l_inv in parts.solves:
        keep = (rows >= start) & (rows < stop)
        if not keep.any():
            continue
        cols = inverse[:, miss[keep]].transpose(1, 0, 2)
        k[rows[keep] - start] -= np.einsum("npk,nkl,nql->npq", cols, l_inv[keep], cols,
                                           optimize=True)
    return k


def h1_scores(data: MissingGroup, sigma: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Casewise scores of the saturated model in (mu, vech Sigma) coordinates (N x p*)."""
    parts = _casewise_at(data, sigma, mu, "the saturated moments")
    p = len(mu)
    rows, cols, weight = _vech_weights(p)
    u = parts.u
    cov = u[:, rows] * u[:, cols] - parts.inverse[rows, cols]
    for block_rows, miss, l_inv in parts.solves:
        a = parts.inverse[:, miss].transpose(1, 0, 2)  # n_k x p x k
        left = a[:, rows, :]
        right = np.einsum("nkl,nql->nqk", l_inv, a)[:, cols, :]
        cov[block_rows] += np.einsum("njk,njk->nj", left, right)
    return np.hstack([u, cov * weight])


def h1_first_order(data: MissingGroup, sigma: np.ndarray, mu: np.ndarray) -> np.ndarray:
    scores = h1_scores(data, sigma, mu)
    return scores.T @ scores / data.n


def complete_information(sigma: np.ndarray) -> np.ndarray:
    """Expected (= observed at the saturated point) information of complete data."""
    inverse = _inverse(sigma, "EM covariance matrix")
    p = len(sigma)
    rows, cols, weight = _vech_weights(p)
    ss = 0.5 * (inverse[np.ix_(rows, rows)] * inverse[np.ix_(cols, cols)]
                + inverse[np.ix_(rows, cols)] * inverse[np.ix_(cols, rows)])
    ss *= 2.0 * np.outer(weight, weight)
    zero = np.zeros((p, len(rows)))
    return np.block([[inverse, zero], [zero.T, ss]])


def model_jacobian(model: Model, x: np.ndarray, g: int) -> np.ndarray:
    """d(mu, vech Sigma) / d(free parameters) of group ``g`` (lavaan's Delta)."""
    factors = model.derivative_factors(x, g)
    rows, cols = vech_pairs(model.p)
    big_x, big_y = factors["X"], factors["Y"]
    d_sigma = big_x[rows] * big_y[cols] + big_y[rows] * big_x[cols]
    return np.vstack([factors["M"], d_sigma]) @ model.entry_map[g]


def trace_h1(data: MissingGroup) -> tuple[float, int]:
    """``tr(A1^-1 B1)`` of the saturated model at the EM moments (Yuan-Bentler, Mplus
    variant: lavaan's unstructured h1) and its number of statistics."""
    a1 = h1_information(data, data.cov, data.mean)
    b1 = h1_first_order(data, data.cov, data.mean)
    a1_inv = _inverse(a1, "information matrix of the saturated model")
    return float(np.sum(b1 * a1_inv.T)), a1.shape[0]


def loglik(data: MissingGroup, sigma: np.ndarray, mu: np.ndarray) -> float:
    parts = _casewise_at(data, sigma, mu, "the estimates")
    return -0.5 * (data.n * parts.fx + data.n_observed * LOG_2PI)


def fiml_corrected(model: Model, x: np.ndarray, base: Model, x_base: np.ndarray,
                   groups: list[MissingGroup], robust: bool) -> dict:
    """Zhang & Savalei's FIML-corrected statistics (lavaan's ``lav_fit_fiml_corrected``):
    ML statistic of the estimates against the EM moments and its ``c.hat``, for the model
    and the independence baseline; version V3 with a robust test, V6 without."""
    n_total = sum(d.n for d in groups)
    fg = np.array([d.n / n_total for d in groups])
    wm = [h1_information(d, d.cov, d.mean) for d in groups]
    wmi = [_inverse(w, "information matrix of the saturated model") for w in wm]
    wc = [complete_information(d.cov) for d in groups]
    gamma = [wi @ h1_first_order(d, d.cov, d.mean) @ wi for d, wi in
             zip(groups, wmi, strict=True)] if robust else None

    def statistic(mod: Model, est: np.ndarray) -> tuple[float, float]:
        stat = 0.0
        for g, d in enumerate(groups):
            imp = mod.implied(est, g)
            sinv = _inverse(imp["sigma"], "model-implied covariance matrix")
            diff = d.mean - imp["mu"]
            stat += d.n * (np.linalg.slogdet(imp["sigma"])[1] + np.sum(d.cov * sinv)
                           + diff @ sinv @ diff - d.logdet - mod.p)
        deltas = [model_jacobian(mod, est, g) for g in range(len(groups))]
        info = sum(f * dl.T @ w @ dl for f, dl, w in zip(fg, deltas, wm, strict=True))
        wd = [f * w @ dl for f, w, dl in zip(fg, wm, deltas, strict=True)]
        e_inv = _inverse(info, "information matrix of the model")
        return stat, _corrected_trace(fg, wm, wmi, wc, gamma, wd, e_inv, deltas)

    xx3, k_model = statistic(model, x)
    xx3_null, k_null = statistic(base, x_base)
    df3 = model.ndat() - model.n_free
    df3_null = base.ndat() - base.n_free
    return {"chi2": xx3, "df": df3, "c_hat": k_model / df3, "chi2_null": xx3_null,
            "df_null": df3_null, "c_hat_null": k_null / df3_null}


def _corrected_trace(fg: np.ndarray, wm: list, wmi: list, wc: list, gamma: list | None,
                     wd: list, e_inv: np.ndarray, deltas: list) -> float:
    """``U = Wm - Wm D E^-1 D' Wm`` with block-diagonal ``Wm = bdiag(fg Wm_g)``; V3:
    ``tr(U Wmi Wc Wmi U Gamma)``, V6: ``tr(Wc Wmi U Wmi)`` (``Wmi = bdiag(Wm_g^-1 / fg)``,
    ``Wc = bdiag(fg Wc_g)``, ``Gamma = bdiag(Wm_g^-1 B1_g Wm_g^-1 / fg)``)."""
    sizes = [w.shape[0] for w in wm]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    total = int(offsets[-1])
    big_u, big_wmi, big_wc = (np.zeros((total, total)) for _ in range(3))
    big_gamma = np.zeros((total, total))
    for g in range(len(wm)):
        a, b = offsets[g], offsets[g + 1]
        big_u[a:b, a:b] = fg[g] * wm[g]
        big_wmi[a:b, a:b] = wmi[g] / fg[g]
        big_wc[a:b, a:b] = fg[g] * wc[g]
        if gamma is not None:
            big_gamma[a:b, a:b] = gamma[g] / fg[g]
    if gamma is None:  # Wmi U Wmi = Wmi - D E^-1 D'
        delta = np.vstack(deltas)
        return float(np.sum(big_wc * big_wmi.T) - np.sum((delta.T @ big_wc @ delta) * e_inv.T))
    wd_all = np.vstack(wd)
    big_u -= wd_all @ e_inv @ wd_all.T
    middle = big_wmi @ big_wc @ big_wmi
    return float(np.sum((big_u @ middle @ big_u) * big_gamma.T))


def independence_hessian(model: Model, x: np.ndarray, groups: list[MissingGroup]) -> np.ndarray:
    """Observed information of the independence (baseline) model, analytically: with a
    diagonal ``Sigma`` the casewise likelihood is a sum over items of univariate normal
    terms (per item ``j``: ``n_j / s_j`` for the mean, ``sum r / s_j^2`` across,
    ``sum r^2 / s_j^3 - n_j / (2 s_j^2)`` for the variance; ``r`` the residuals)."""
    n_total = sum(d.n for d in groups)
    hessian = np.zeros((model.n_free, model.n_free))
    for g, d in enumerate(groups):
        imp = model.implied(x, g)
        s, m = np.diag(imp["sigma"]), imp["mu"]
        resid = np.where(d._observed, d._zeroed - m, 0.0)
        count = d._observed.sum(axis=0)
        blocks = {("nu", "nu"): count / s, ("nu", "theta"): resid.sum(axis=0) / s ** 2,
                  ("theta", "theta"): (resid ** 2).sum(axis=0) / s ** 3 - 0.5 * count / s ** 2}
        free = model.free_rows[g]
        info = np.zeros((len(free), len(free)))
        for e, a in enumerate(free):
            for f, b in enumerate(free):
                key = (a.mat, b.mat) if (a.mat, b.mat) in blocks else (b.mat, a.mat)
                if a.row == b.row and key in blocks:
                    info[e, f] = blocks[key][a.row]
        hessian += model.entry_map[g].T @ info @ model.entry_map[g] / n_total
    return hessian
