"""Person scores as mirt's ``fscores``: EAP, MAP, ML, WLE and EAP for sum scores.

- EAP (Bock & Mislevy 1982): posterior mean and SD over the 61-point grid on [-6, 6].
- MAP: posterior mode, Newton steps; SE = 1 / sqrt(-d2 log posterior).
- ML: likelihood maximum; a pattern of all lowest (highest) categories has none: -inf
  (+inf) with SE NaN, as mirt. Estimates are kept within +-20 (mirt's ``max_theta``).
- WLE (Warm 1989) as mirt computes it: the maximum of ``log L + log sqrt(I(theta))``
  (Jeffreys' prior); SE from the second derivative of that function.
- EAPsum (Thissen et al. 1995): posterior of theta given the sum score, by the Lord &
  Wingersky (1984) recursion.
"""

from __future__ import annotations

import numpy as np

from .._blas import single_threaded_blas
from ._engine import Spec, log_prior, log_prob_table
from ._models import theta_derivatives

__all__: list[str] = []

#: mirt's bound on ML / WLE estimates.
MAX_THETA = 20.0
_CHUNK = 8192


def posterior_moments(
    spec: Spec, pars: np.ndarray, variance: float, theta: np.ndarray, codes: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """EAP estimates and posterior SDs of each row of ``codes`` (chunked BLAS products)."""
    logp = log_prob_table(spec, pars, theta)
    logw = log_prior(theta, variance)
    means = np.empty(len(codes))
    sds = np.empty(len(codes))
    with single_threaded_blas():
        _eap_chunks(spec, codes, logp, logw, theta, means, sds)
    return means, sds


def _eap_chunks(spec: Spec, codes: np.ndarray, logp: np.ndarray, logw: np.ndarray,
                theta: np.ndarray, means: np.ndarray, sds: np.ndarray) -> None:
    """EAP by chunks: one reused one-hot buffer (only its ones are set and reset) times the
    log-probability table, a BLAS product per chunk."""
    n_cols = spec.n_columns
    buffer = np.zeros((min(_CHUNK, len(codes)), n_cols))
    flat = buffer.reshape(-1)
    for start in range(0, len(codes), _CHUNK):
        block = codes[start: start + _CHUNK]
        rows, items = np.nonzero(block >= 0)
        ones = rows * n_cols + spec.offsets[items] + block[rows, items]
        flat[ones] = 1.0
        logl = buffer[: len(block)] @ logp
        flat[ones] = 0.0
        logl += logw
        logl -= logl.max(axis=1, keepdims=True)
        np.exp(logl, out=logl)
        logl /= logl.sum(axis=1, keepdims=True)
        m = logl @ theta
        means[start: start + len(block)] = m
        sds[start: start + len(block)] = np.sqrt(np.maximum(logl @ theta**2 - m**2, 0.0))


def _pattern_derivatives(
    spec: Spec, pars: np.ndarray, codes: np.ndarray, at: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """At each row's own theta: d log L, d2 log L, information I and dI/dtheta."""
    grad = np.zeros(len(codes))
    hess = np.zeros(len(codes))
    info = np.zeros(len(codes))
    dinfo = np.zeros(len(codes))
    rows = np.arange(len(codes))
    for model, k, items in spec.blocks:
        prob, first, second = theta_derivatives(model, pars[items, :k], at)  # I x K x n
        prob = np.maximum(prob, 1e-150)
        for pos, j in enumerate(items):
            x = codes[:, j]
            seen = x >= 0
            p = prob[pos][x[seen], rows[seen]]
            p1 = first[pos][x[seen], rows[seen]]
            p2 = second[pos][x[seen], rows[seen]]
            grad[seen] += p1 / p
            hess[seen] += p2 / p - (p1 / p) ** 2
            info[seen] += (first[pos] ** 2 / prob[pos]).sum(axis=0)[seen]
            dinfo[seen] += (
                2 * first[pos] * second[pos] / prob[pos] - first[pos] ** 3 / prob[pos] ** 2
            ).sum(axis=0)[seen]
    return grad, hess, info, dinfo


def _newton(objective_derivs, start: np.ndarray, max_iter: int = 100, tol: float = 1e-8):
    """Vectorised 1-D Newton ascent with step halving, bounded by MAX_THETA."""
    theta = start.copy()
    for _ in range(max_iter):
        value, grad, hess = objective_derivs(theta)
        step = np.where(hess < 0, -grad / np.where(hess < 0, hess, -1.0), np.sign(grad) * 0.5)
        step = np.clip(step, -1.0, 1.0)
        scale = np.ones_like(theta)
        for _half in range(30):
            trial = np.clip(theta + scale * step, -MAX_THETA, MAX_THETA)
            new, _, _ = objective_derivs(trial)
            ok = new >= value - 1e-12
            if ok.all():
                break
            scale = np.where(ok, scale, scale / 2)
        moved = np.abs(trial - theta)
        theta = np.where(ok, trial, theta)
        if np.all(moved < tol):
            break
    return theta


def modal_scores(
    spec: Spec, pars: np.ndarray, variance: float, codes: np.ndarray, method: str,
    start: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """MAP, ML or WLE estimates and SEs of each row of ``codes``."""
    log_w = method == "MAP"

    def loglik(at: np.ndarray) -> np.ndarray:
        total = np.zeros(len(codes))
        rows = np.arange(len(codes))
        for model, k, items in spec.blocks:
            prob, _, _ = theta_derivatives(model, pars[items, :k], at)
            prob = np.maximum(prob, 1e-300)
            for pos, j in enumerate(items):
                x = codes[:, j]
                seen = x >= 0
                total[seen] += np.log(prob[pos][x[seen], rows[seen]])
        return total

    def derivs(at: np.ndarray):
        grad, hess, info, dinfo = _pattern_derivatives(spec, pars, codes, at)
        value = loglik(at)
        if log_w:
            value = value - 0.5 * at**2 / variance
            grad = grad - at / variance
            hess = hess - 1.0 / variance
        elif method == "WLE":
            value = value + 0.5 * np.log(info)
            grad = grad + 0.5 * dinfo / info
            hess = _wle_hessian(spec, pars, codes, at)
        return value, grad, hess

    theta = start.copy()
    extreme = np.zeros(len(codes), dtype=int)
    if method == "ML":
        low = np.all((codes == 0) | (codes < 0), axis=1)
        high = np.all((codes == (spec.n_cat - 1)[None, :]) | (codes < 0), axis=1)
        extreme[low] = -1
        extreme[high] = 1
    theta = _newton(derivs, theta)
    _, _, hess = derivs(theta)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(hess < 0, 1.0 / np.sqrt(-hess), np.nan)
    theta = np.where(extreme < 0, -np.inf, np.where(extreme > 0, np.inf, theta))
    se = np.where(extreme != 0, np.nan, se)
    return theta, se


def _wle_gradient(spec: Spec, pars: np.ndarray, codes: np.ndarray, at: np.ndarray) -> np.ndarray:
    grad, _, info, dinfo = _pattern_derivatives(spec, pars, codes, at)
    return grad + 0.5 * dinfo / info


def _wle_hessian(spec: Spec, pars: np.ndarray, codes: np.ndarray, at: np.ndarray) -> np.ndarray:
    h = 1e-4
    return (_wle_gradient(spec, pars, codes, at + h) - _wle_gradient(spec, pars, codes, at - h)) / (
        2 * h
    )


def sum_score_table(
    spec: Spec, pars: np.ndarray, variance: float, theta: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lord-Wingersky: sum scores, P(score), EAP and posterior SD given each score."""
    logw = log_prior(theta, variance)
    weights = np.exp(logw)
    likelihood = np.ones((1, theta.size))
    logp = log_prob_table(spec, pars, theta)
    for j in range(len(spec.models)):
        k = int(spec.n_cat[j])
        prob = np.exp(logp[spec.offsets[j]: spec.offsets[j] + k])
        new = np.zeros((likelihood.shape[0] + k - 1, theta.size))
        for c in range(k):
            new[c: c + likelihood.shape[0]] += likelihood * prob[c]
        likelihood = new
    joint = likelihood * weights
    marginal = joint.sum(axis=1)
    post = joint / marginal[:, None]
    mean = post @ theta
    sd = np.sqrt(np.maximum(post @ theta**2 - mean**2, 0.0))
    return np.arange(likelihood.shape[0]), marginal, mean, sd
