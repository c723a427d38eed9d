"""Marginal maximum likelihood by EM over a fixed quadrature grid (Bock & Aitkin 1981), as
mirt 1.47 does it for one dimension, and the observed information of the estimates.

- Grid: 61 equally spaced points on [-6, 6]; prior weights ``N(0, sigma^2)`` normalised
  over the grid (sigma^2 = 1 unless the latent variance is free, as in mirt's Rasch).
- E-step: one matrix product, one-hot responses (patterns x categories) times log
  category probabilities (categories x points); a missing answer has no column, so only
  observed answers enter the likelihood (full information). Inside the EM loop only the
  expected counts are formed (:func:`expected_counts`).
- M-step: Newton steps on each item's expected complete-data log-likelihood, batched over
  items of the same model and number of categories, with step halving; graded items
  (without constraints or priors) in closed form (:mod:`._mstep`, whose probabilities at
  the new parameters serve the next E-step); the latent variance in closed form (posterior
  second moment). What does not change between cycles is made once (:class:`_Cycle`):
  small data cost numpy calls, not arithmetic.
- Convergence as mirt: every parameter changes by less than ``tol`` over an EM cycle;
  Ramsay's acceleration every third cycle (mirt's default ``accelerate = 'Ramsay'``).
- Information: the exact observed information (the quantity mirt's default Oakes (1999)
  standard errors estimate by numerical differentiation) as the complete-data Hessian plus
  the posterior covariance of the complete-data scores (Louis 1982), pattern by pattern;
  the cross-product (outer product of the per-respondent gradients) and the sandwich.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._data import Patterns, one_hot
from ._models import item_arrays, probabilities

__all__: list[str] = []

#: mirt's quadrature for one dimension: 61 equally spaced points on [-6, 6].
QUADPTS = 61
THETA_LIM = 6.0
#: Posterior weights below this are skipped when the score covariance is accumulated.
_TINY_POSTERIOR = 1e-13
#: Below this many multiplications the posterior mean scores are one product over the grid
#: for every item and code (then a gather); above, a product per item and code.
_ONE_PRODUCT = 4e6
#: Category probabilities are floored here inside logarithms.
_SMALLEST_PROB = 1e-300
#: Up to this many patterns EM repeats the fixed prior's log weights for every pattern once.
_REPEATED_PRIOR = 4096


def grid(n_points: int = QUADPTS, limit: float = THETA_LIM) -> np.ndarray:
    """mirt's quadrature points."""
    return np.linspace(-limit, limit, n_points)


def log_prior(theta: np.ndarray, variance: float) -> np.ndarray:
    """Log weights of ``N(0, variance)`` normalised over the grid (mirt's ``Prior``)."""
    logw = -0.5 * theta**2 / variance
    logw -= logw.max()
    return logw - np.log(np.exp(logw).sum())


@dataclass
class Spec:
    """Structure of a unidimensional model: per-item model and categories, free parameters."""

    models: tuple[str, ...]
    n_cat: np.ndarray  # categories per item
    slope_fixed: bool  # Rasch / partial credit: every slope fixed to 1
    variance_free: bool
    #: Rating scale constraints (``_constraints``): free item parameters = full(phi).
    constraint: Any = None
    #: Priors on item parameters (``_priors.Prior``, items x k_max): MAP estimation.
    prior: Any = None
    offsets: np.ndarray = field(init=False)
    n_columns: int = field(init=False)
    k_max: int = field(init=False)
    blocks: list[tuple[str, int, np.ndarray]] = field(init=False)
    free: np.ndarray = field(init=False)  # items x k_max, True where estimated

    def __post_init__(self) -> None:
        self.offsets = np.concatenate([[0], np.cumsum(self.n_cat)[:-1]]).astype(np.int64)
        self.n_columns = int(self.n_cat.sum())
        self.k_max = int(self.n_cat.max())
        groups: dict[tuple[str, int], list[int]] = {}
        for j, (model, k) in enumerate(zip(self.models, self.n_cat, strict=True)):
            groups.setdefault((model, int(k)), []).append(j)
        self.blocks = [(m, k, np.array(ix)) for (m, k), ix in groups.items()]
        free = np.arange(self.k_max)[None, :] < self.n_cat[:, None]
        if self.slope_fixed:
            free[:, 0] = False
        self.free = free

    @property
    def n_free(self) -> int:
        n_items = int(self.free.sum()) if self.constraint is None else self.constraint.n_phi
        return n_items + int(self.variance_free)

    def phi(self, pars: np.ndarray) -> np.ndarray:
        """The estimated item parameters (constrained ones when there is a constraint)."""
        full = pars[self.free]
        return full if self.constraint is None else self.constraint.phi(full)

    def expand(self, phi: np.ndarray | None = None) -> np.ndarray:
        """Jacobian of (free item parameters, variance) with respect to the estimated
        parameters at ``phi`` (identity without constraints)."""
        n_item = int(self.free.sum())
        design = np.eye(n_item) if self.constraint is None else self.constraint.jacobian(phi)
        if not self.variance_free:
            return design
        out = np.zeros((n_item + 1, design.shape[1] + 1))
        out[:n_item, :-1] = design
        out[-1, -1] = 1.0
        return out


def log_prob_table(spec: Spec, pars: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Log category probabilities, columns (item-major) x points."""
    out = np.empty((spec.n_columns, theta.size))
    for model, k, items in spec.blocks:
        prob = probabilities(model, pars[items, :k], theta)
        # a probability that underflows (a runaway slope) must not give 0 x -inf = NaN
        logp = np.log(np.maximum(prob, _SMALLEST_PROB))
        cols = spec.offsets[items][:, None] + np.arange(k)[None, :]
        out[cols.ravel()] = logp.reshape(-1, theta.size)
    return out


def valid(spec: Spec, pars: np.ndarray, theta: np.ndarray) -> bool:
    """Every category probability positive and finite (graded intercepts ordered)."""
    for model, k, items in spec.blocks:
        sub = pars[items, :k]
        if not np.isfinite(sub).all():
            return False
        if model == "graded" and k > 2 and (sub[:, 2:] >= sub[:, 1:-1]).any():
            return False
    return True


@dataclass
class EStep:
    posterior: np.ndarray  # patterns x points
    loglik: float
    expected: np.ndarray  # columns x points: expected counts r
    marginal: np.ndarray  # points: expected number of respondents at each point


def estep(onehot: np.ndarray, counts: np.ndarray, logp: np.ndarray, logw: np.ndarray) -> EStep:
    """Posterior over the grid for every pattern, the log-likelihood and expected counts."""
    logl = onehot @ logp
    logl += logw
    top = logl.max(axis=1, keepdims=True)
    np.subtract(logl, top, out=logl)
    np.exp(logl, out=logl)
    total = logl.sum(axis=1, keepdims=True)
    logl /= total
    lse = np.log(total[:, 0]) + top[:, 0]
    weighted = logl * counts[:, None]
    expected = (weighted.T @ onehot).T  # this orientation avoids a slow threaded BLAS path
    return EStep(logl, float(counts @ lse), expected, weighted.sum(axis=0))


def expected_counts(onehot: np.ndarray, counts: np.ndarray, logp: np.ndarray,
                    logw: np.ndarray, marginal: bool = False
                    ) -> tuple[np.ndarray, np.ndarray | None]:
    """The E-step's expected counts (columns x points) alone, and with ``marginal`` the
    expected respondents per point: what an EM cycle needs (:func:`estep` also gives the
    posterior and the log-likelihood). Points x patterns, so that the reductions over the
    patterns run along contiguous rows (a third faster than :func:`estep` on small data).
    ``logw``: the log prior weights over the points, or the same repeated for every
    pattern (points x patterns: the addition is then between contiguous arrays)."""
    weight = logp.T @ onehot.T
    weight += logw if logw.ndim == 2 else logw[:, None]
    weight -= weight.max(axis=0)
    np.exp(weight, out=weight)
    weight *= counts / weight.sum(axis=0)
    return (weight @ onehot).T, (weight.sum(axis=1) if marginal else None)


def _item_loglik(model: str, p: np.ndarray, rr: np.ndarray, theta: np.ndarray,
                 prior: Any = None) -> np.ndarray:
    prob = probabilities(model, p, theta)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(rr > 0, rr * np.log(prob), 0.0).sum(axis=(1, 2))
        if prior is not None:
            out = out + prior.terms(p)[0].sum(axis=1)
    out[~np.all(prob > 0, axis=(1, 2)) | ~np.isfinite(out)] = -np.inf
    return out


def _item_newton(
    model: str, pars: np.ndarray, free: np.ndarray, r: np.ndarray, theta: np.ndarray,
    max_iter: int = 20, tol: float = 1e-6, prior: Any = None,
) -> np.ndarray:
    """Maximise sum r log P (plus the log prior, when given: items x parameters) for a batch
    of items (r: items x K x points) by Newton steps; an item stops when its step is below
    ``tol`` (Newton converges quadratically: its error is then of order ``tol^2``)."""
    pars = pars.copy()
    idx = np.flatnonzero(free)
    if idx.size == 0:
        return pars

    current = _item_loglik(model, pars, r, theta, prior)
    active = np.ones(len(pars), dtype=bool)
    for _ in range(max_iter):
        rows = np.flatnonzero(active)
        if rows.size == 0:
            break
        sub = pars[rows]
        prob, dprob, d2prob = item_arrays(model, sub, theta)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(prob > 0, r[rows] / prob, 0.0)  # items x K x Q
        # batched products over (category, point): items x P x KQ matrices
        n_rows, n_cat, n_par, n_pts = dprob.shape
        dflat = dprob.transpose(0, 2, 1, 3).reshape(n_rows, n_par, n_cat * n_pts)
        rflat = ratio.reshape(n_rows, n_cat * n_pts, 1)
        grad = (dflat @ rflat)[:, :, 0]
        weight = (ratio / np.where(prob > 0, prob, 1.0)).reshape(n_rows, 1, n_cat * n_pts)
        hess = (d2prob.transpose(0, 2, 3, 1, 4).reshape(n_rows, n_par * n_par, -1) @ rflat
                ).reshape(n_rows, n_par, n_par) - (dflat * weight) @ dflat.transpose(0, 2, 1)
        if prior is not None:
            block = prior.take(rows, range(sub.shape[1]))
            _, pgrad, phess = block.terms(sub)
            grad = grad + pgrad
            diag = np.arange(sub.shape[1])
            hess[:, diag, diag] += phess
        g = grad[:, idx]
        h = -hess[np.ix_(np.arange(rows.size), idx, idx)]
        lowest = np.linalg.eigvalsh(h)[:, 0]
        shift = np.where(lowest < 1e-8, 1e-6 - lowest + 1e-3 * np.abs(h).max(axis=(1, 2)), 0.0)
        h = h + shift[:, None, None] * np.eye(idx.size)
        step = np.linalg.solve(h, g[:, :, None])[:, :, 0]
        scale = np.ones(rows.size)
        improved = np.zeros(rows.size, dtype=bool)
        for _half in range(30):
            trial = sub.copy()
            trial[:, idx] += scale[:, None] * step
            new = _item_loglik(model, trial, r[rows], theta,
                               None if prior is None else prior.take(rows, range(sub.shape[1])))
            ok = new >= current[rows] - 1e-12 * np.abs(current[rows])
            take = ok & ~improved
            sub[take] = trial[take]
            current[rows[take]] = new[take]
            improved |= ok
            if improved.all():
                break
            scale = np.where(improved, scale, scale / 2)
        pars[rows] = sub
        done = (np.abs(scale[:, None] * step).max(axis=1) < tol) | ~improved
        active[rows[done]] = False
    return pars


def _constrained_mstep(
    spec: Spec, pars: np.ndarray, expected: np.ndarray, theta: np.ndarray,
    max_iter: int = 20, tol: float = 1e-9,
) -> np.ndarray:
    """Joint Newton steps on the constrained parameters (free item parameters = full(phi)):
    gradient J'g, Hessian J'HJ + sum_k g_k d2 full_k / dphi2."""
    constraint = spec.constraint
    positions = np.flatnonzero(spec.free.ravel())
    phi = constraint.phi(pars[spec.free])

    def unpack(values: np.ndarray) -> np.ndarray:
        out = pars.copy()
        out[spec.free] = constraint.full(values)
        return out

    def total(p: np.ndarray) -> float:
        value = 0.0
        for model, k, items in spec.blocks:
            cols = spec.offsets[items][:, None] + np.arange(k)[None, :]
            value += _item_loglik(model, p[items, :k], expected[cols], theta).sum()
        if spec.prior is not None:
            value += spec.prior.terms(p)[0][spec.free].sum()
        return value

    current = total(unpack(phi))
    for _ in range(max_iter):
        p = unpack(phi)
        grad = np.zeros(spec.free.size)
        hess = np.zeros((spec.free.size, spec.free.size))
        for model, k, items in spec.blocks:
            cols = spec.offsets[items][:, None] + np.arange(k)[None, :]
            r = expected[cols]
            prob, dprob, d2prob = item_arrays(model, p[items, :k], theta)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(prob > 0, r / prob, 0.0)
                g = np.einsum("ikq,ikpq->ip", ratio, dprob)
                h = np.einsum("ikq,ikpsq->ips", ratio, d2prob) - np.einsum(
                    "ikq,ikpq,iksq->ips", ratio / np.where(prob > 0, prob, 1.0), dprob, dprob)
            for pos, j in enumerate(items):
                flat = j * spec.k_max + np.arange(k)
                grad[flat] = g[pos]
                hess[np.ix_(flat, flat)] = h[pos]
        if spec.prior is not None:
            _, pgrad, phess = spec.prior.terms(p)
            grad = grad + np.nan_to_num(pgrad).ravel()
            hess[np.diag_indices_from(hess)] += np.nan_to_num(phess).ravel()
        jac = constraint.jacobian(phi)
        g_full = grad[positions]
        g_phi = jac.T @ g_full
        h_phi = -(jac.T @ hess[np.ix_(positions, positions)] @ jac
                  + constraint.curvature(phi, g_full))
        if not (np.all(np.isfinite(h_phi)) and np.all(np.isfinite(g_phi))):
            break
        lowest = np.linalg.eigvalsh(h_phi)[0]
        if lowest < 1e-8:
            h_phi += (1e-6 - lowest + 1e-3 * np.abs(h_phi).max()) * np.eye(len(phi))
        step = np.linalg.solve(h_phi, g_phi)
        scale = 1.0
        for _half in range(30):
            trial = phi + scale * step
            new = total(unpack(trial))
            if new >= current - 1e-12 * abs(current):
                break
            scale /= 2
        else:
            break
        phi, current = trial, new
        if np.max(np.abs(scale * step)) < tol:
            break
    return unpack(phi)


def mstep(spec: Spec, pars: np.ndarray, expected: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """New item parameters from the expected counts (columns x points): one cycle's
    M-step of :class:`_Cycle`."""
    return _Cycle(spec, theta).mstep(pars, expected)


@dataclass
class Fit:
    pars: np.ndarray
    variance: float
    loglik: float
    iterations: int
    converged: bool
    estep: EStep


def _pack(spec: Spec, pars: np.ndarray, variance: float) -> np.ndarray:
    vec = spec.phi(pars)
    return np.append(vec, variance) if spec.variance_free else vec


def _unpack(spec: Spec, vec: np.ndarray, pars: np.ndarray) -> tuple[np.ndarray, float | None]:
    out = pars.copy()
    if spec.constraint is None:
        n = int(spec.free.sum())
        out[spec.free] = vec[:n]
    else:
        n = spec.constraint.n_phi
        out[spec.free] = spec.constraint.full(vec[:n])
    return out, (float(vec[n]) if spec.variance_free else None)


def accelerate(pre2: np.ndarray, pre: np.ndarray, vec: np.ndarray) -> np.ndarray | None:
    """Ramsay's (1975) acceleration as mirt's EM: the next point from the last three, or
    None when the last two steps coincide."""
    dx2 = pre - pre2
    dx = vec - pre
    d2x2 = dx - dx2
    denom = d2x2 @ d2x2
    if denom <= 0:
        return None
    accel = max(1.0 - np.sqrt((dx @ dx) / denom), -5.0)
    return (1.0 - accel) * vec + accel * pre


class _Cycle:
    """The per-cycle work of :func:`em`, with what does not change between cycles made
    once: each block's columns, the prior weights while the latent variance is fixed, and
    for graded blocks (without constraints or priors) the closed-form M-step of
    :mod:`._mstep`, whose probabilities at the new parameters serve the next E-step."""

    def __init__(self, spec: Spec, theta: np.ndarray) -> None:
        from ._mstep import GradedBlock

        self.spec = spec
        self.theta = theta
        plain = spec.constraint is None and spec.prior is None and not spec.slope_fixed
        self.blocks = []
        for model, k, items in spec.blocks:
            cols = (spec.offsets[items][:, None] + np.arange(k)[None, :]).ravel()
            fast = GradedBlock(items, k, cols, theta) if plain and model == "graded" else None
            self.blocks.append((model, k, items, cols, fast))
        # one block over every column in order: its arrays are the table itself
        self.whole = len(self.blocks) == 1 and np.array_equal(
            self.blocks[0][3], np.arange(spec.n_columns))
        self._logw: tuple[float, np.ndarray] | None = None

    def log_prior(self, variance: float) -> np.ndarray:
        if self._logw is None or self._logw[0] != variance:
            self._logw = (variance, log_prior(self.theta, variance))
        return self._logw[1]

    def log_table(self, pars: np.ndarray) -> np.ndarray:
        """:func:`log_prob_table`, reusing a graded block's arrays when they are current."""
        n_points = self.theta.size
        out = None if self.whole else np.empty((self.spec.n_columns, n_points))
        for model, k, items, cols, fast in self.blocks:
            sub = pars if self.whole else pars[items, :k]
            if fast is not None:
                if not fast.current(sub):
                    fast.evaluate(sub.copy())
                logp = fast.logp
            else:
                prob = probabilities(model, sub, self.theta)
                logp = np.log(np.maximum(prob, _SMALLEST_PROB))
            if out is None:
                return logp.reshape(-1, n_points)
            out[cols] = logp.reshape(-1, n_points)
        return out

    def mstep(self, pars: np.ndarray, expected: np.ndarray) -> np.ndarray:
        """New item parameters from the expected counts (columns x points): Newton on each
        block (graded blocks in closed form, the general Newton as their fallback), or
        jointly on the constrained parameters."""
        spec = self.spec
        if spec.constraint is not None:
            return _constrained_mstep(spec, pars, expected, self.theta)
        new = None if self.whole else pars.copy()
        for model, k, items, cols, fast in self.blocks:
            if new is None:  # one block, every column in order
                r, sub = expected.reshape(len(items), k, -1), pars
            else:
                r, sub = expected[cols].reshape(len(items), k, -1), pars[items, :k]
            result = None
            if fast is not None:
                if not fast.current(sub):
                    fast.evaluate(sub.copy())
                result = fast.newton(sub, r)
            if result is None:
                prior = None if spec.prior is None else spec.prior.take(items, range(k))
                result = _item_newton(model, sub, spec.free[items[0], :k], r, self.theta,
                                      prior=prior)
            if new is None:
                return result
            new[items, :k] = result
        return new


def em(
    spec: Spec, patterns: Patterns, start: np.ndarray, theta: np.ndarray,
    tol: float = 1e-4, max_cycles: int = 500, variance: float = 1.0,
) -> Fit:
    """EM as mirt's ``EMstep.group`` with ``accelerate = 'Ramsay'``."""
    onehot = one_hot(patterns.codes, spec.offsets, spec.n_columns)
    counts = patterns.counts
    n_total = counts.sum()
    cycle = _Cycle(spec, theta)
    pars = start.copy()
    vec = _pack(spec, pars, variance)
    pre = pre2 = vec
    converged = max_cycles == 0
    cycles = 0
    # the latent variance fixed: its log weights repeated for every pattern, made once
    fixed_logw = None if spec.variance_free or len(counts) > _REPEATED_PRIOR else np.repeat(
        cycle.log_prior(variance)[:, None], len(counts), axis=1)
    for cycles in range(1, max_cycles + 1):
        logw = cycle.log_prior(variance) if fixed_logw is None else fixed_logw
        expected, marginal = expected_counts(onehot, counts, cycle.log_table(pars), logw,
                                             spec.variance_free)
        pre2, pre = pre, vec
        pars = cycle.mstep(pars, expected)
        if marginal is not None:
            variance = float(marginal @ theta**2 / n_total)
        vec = _pack(spec, pars, variance)
        if np.abs(vec - pre).max() < tol:  # every change below tol (False when NaN)
            converged = True
            break
        if cycles % 3 == 0:
            trial = accelerate(pre2, pre, vec)
            if trial is not None:
                trial_pars, trial_var = _unpack(spec, trial, pars)
                if valid(spec, trial_pars, theta) and (trial_var is None or trial_var > 1e-4):
                    vec = trial
                    pars = trial_pars
                    if trial_var is not None:
                        variance = trial_var
    final = estep(onehot, counts, cycle.log_table(pars), cycle.log_prior(variance))
    return Fit(pars, variance, final.loglik, cycles, converged, final)


@dataclass
class Information:
    """Observed information (Oakes / Louis), and the cross-product of gradients."""

    observed: np.ndarray
    crossprod: np.ndarray


def information(
    spec: Spec, patterns: Patterns, pars: np.ndarray, variance: float, theta: np.ndarray,
    step: EStep,
) -> Information:
    """Exact observed information of the free parameters at the estimates."""
    n_items = len(spec.models)
    k = spec.k_max
    n_points = theta.size
    # complete-data scores G[j, c, p, q] = d log P_jc(theta_q) / d par_p (zero row c = k)
    scores = np.zeros((n_items, k + 1, k, n_points))
    blocks_hess = np.zeros((n_items, k, k))
    for model, kk, items in spec.blocks:
        graded = model == "graded"
        prob, dprob, d2prob = item_arrays(model, pars[items, :kk], theta, second=not graded)
        cols = spec.offsets[items][:, None] + np.arange(kk)[None, :]
        r = step.expected[cols]
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(prob[:, :, None] > 0, dprob / prob[:, :, None], 0.0)
        scores[items[:, None], np.arange(kk)[None, :], :kk] = g
        if graded:  # the complete-data Hessian in closed form
            from ._mstep import GradedBlock

            block = GradedBlock(items, kk, cols.ravel(), theta)
            block.evaluate(pars[items, :kk])
            hess_k = block._derivatives(r)[1]
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(prob > 0, r / prob, 0.0)
            hess_k = (np.einsum("ikq,ikpsq->ips", ratio, d2prob)
                      - np.einsum("ikq,ikpq,iksq->ips", r, g, g))
        blocks_hess[np.ix_(items, np.arange(kk), np.arange(kk))] = hess_k
    free_flat = spec.free.ravel()
    n_free = int(spec.free.sum()) + int(spec.variance_free)  # before any constraint
    hess = np.zeros((n_free, n_free))
    positions = np.flatnonzero(free_flat)
    item_of, loc = np.divmod(positions, k)
    same = np.nonzero(item_of[:, None] == item_of[None, :])  # pairs within an item
    hess[same] = blocks_hess[item_of[same[0]], loc[same[0]], loc[same[1]]]
    if spec.prior is not None:  # the posterior's curvature: minus the prior's Hessian
        _, prior_grad, prior_hess = spec.prior.terms(pars)
        diag = np.arange(len(positions))
        hess[diag, diag] += np.nan_to_num(prior_hess).ravel()[positions]
    prior_score = None
    if spec.variance_free:
        prior_score = -0.5 / variance + 0.5 * theta**2 / variance**2
        hess[-1, -1] = step.marginal @ (0.5 / variance**2 - theta**2 / variance**3)
    codes = np.where(patterns.codes >= 0, patterns.codes, k)
    counts = patterns.counts
    post = step.posterior
    n_pat = len(counts)
    item_index = np.arange(n_items)[None, :]
    # posterior mean score per pattern
    if n_pat * n_items * (k + 1) * k * n_points < _ONE_PRODUCT:  # one product, then a gather
        table = post @ scores.transpose(3, 0, 1, 2).reshape(n_points, -1)  # P x J (k+1) k
        table = table.reshape(n_pat, n_items, k + 1, k)
        mean_score = table[np.arange(n_pat)[:, None], item_index, codes].reshape(n_pat, -1)
        del table
    else:  # item by item and code by code: only the patterns giving that code (k+1 x fewer)
        mean_score = np.zeros((n_pat, n_items, k))
        for j in range(n_items):
            order = np.argsort(codes[:, j], kind="stable")
            ends = np.searchsorted(codes[order, j], np.arange(k), side="right")
            for c, (begin, end) in enumerate(zip(np.r_[0, ends[:-1]], ends, strict=True)):
                if end > begin:  # (code k, a missing answer, scores 0)
                    rows = order[begin:end]
                    mean_score[rows, j] = post[rows] @ scores[j, c].T
        mean_score = mean_score.reshape(n_pat, -1)
    mean_score = mean_score[:, free_flat]
    if prior_score is not None:
        mean_score = np.column_stack([mean_score, post @ prior_score])
    # posterior second moment of the scores, by whichever route costs less (nanoseconds
    # per unit measured on bfi, LSAT7, Science and 20 items x 2,000 respondents)
    heavy = post > _TINY_POSTERIOR
    n_pairs = n_items * (n_items + 1) // 2
    by_pairs = n_pairs * (4.0 * n_pat * n_points + 30_000)
    if by_pairs < heavy.sum() * n_free * (0.15 * n_free + 2.0):
        second = _score_moment_by_pairs(scores, codes, post * counts[:, None], prior_score)
        rows = np.append(free_flat, prior_score is not None)
        second = second[np.ix_(rows, rows)]
    else:
        second = _score_moment_by_rows(scores, codes, post, counts, heavy, free_flat,
                                       prior_score)
    cross = (mean_score * counts[:, None]).T @ mean_score
    observed = -(hess + second - cross)
    if spec.constraint is not None:  # J' I J - sum_k g_k d2 full_k / dphi2
        phi = spec.phi(pars)
        jac = spec.expand(phi)
        gradient = counts @ mean_score
        if spec.prior is not None:
            gradient[: len(positions)] += np.nan_to_num(prior_grad).ravel()[positions]
        observed = jac.T @ observed @ jac
        n_phi = spec.constraint.n_phi
        observed[:n_phi, :n_phi] -= spec.constraint.curvature(
            phi, gradient[: int(spec.free.sum())])
        cross = jac.T @ cross @ jac
    return Information(observed, cross)


def _score_moment_by_rows(scores: np.ndarray, codes: np.ndarray, post: np.ndarray,
                          counts: np.ndarray, heavy: np.ndarray, free_flat: np.ndarray,
                          prior_score: np.ndarray | None) -> np.ndarray:
    """``sum_p n_p sum_q post_pq s_pq s_pq'`` over the free parameters (and the latent
    variance's score ``prior_score``): one row per (pattern, point) of weight above
    ``_TINY_POSTERIOR``, gathered at once from the scores flattened over (point, item,
    code), in chunks, through a symmetric rank-k update (many items)."""
    n_items, k1, k, n_points = scores.shape
    n_pat = codes.shape[0]
    n_free = int(free_flat.sum()) + int(prior_score is not None)
    flat_scores = scores.transpose(3, 0, 1, 2).reshape(-1, k)  # (Q J (k+1)) x k
    item_codes = np.arange(n_items)[None, :] * k1 + codes  # patterns x items
    every = bool(free_flat.all())
    from scipy.linalg.blas import dsyrk

    second = np.zeros((n_free, n_free), order="F")
    rows_per_chunk = max(2048, int(4e6 // max(n_free, 1)))
    per_pattern = heavy.sum(axis=1)
    first = 0
    while first < n_pat:  # patterns first .. last - 1: about rows_per_chunk rows
        last = first + 1 + int(np.searchsorted(np.cumsum(per_pattern[first:]), rows_per_chunk))
        last = min(last, n_pat)
        flat = np.flatnonzero(heavy[first:last])  # (pattern, point) in row-major order
        keep, point = np.divmod(flat, n_points)
        weight = post[first:last].ravel()[flat]
        keep += first
        # np.take: many times faster than fancy indexing for gathering short rows
        s = np.take(flat_scores, (point * (n_items * k1))[:, None]
                    + np.take(item_codes, keep, axis=0), axis=0)
        s = s.reshape(keep.size, -1)
        if not every:
            s = s[:, free_flat]
        if prior_score is not None:
            s = np.column_stack([s, prior_score[point]])
        s *= np.sqrt(weight * counts[keep])[:, None]
        # symmetric rank-k update (upper triangle): half the flops of s'Ws
        second = dsyrk(1.0, s.T, beta=1.0, c=second, trans=0, lower=0, overwrite_c=1)
        first = last
    return np.triu(second) + np.triu(second, 1).T


def _score_moment_by_pairs(scores: np.ndarray, codes: np.ndarray, weight: np.ndarray,
                           prior_score: np.ndarray | None) -> np.ndarray:
    """The same moment over every item parameter (items x k, then the latent variance when
    ``prior_score`` is given), item pair by item pair (few items, many patterns): the
    score of a (pattern, point) is the items' scores at their codes side by side, so the
    block of items j and l needs only the posterior weight ``weight`` (patterns x points,
    times the counts) summed over the patterns sharing a pair of codes."""
    n_items, k1, k = scores.shape[:3]
    by_code = scores.transpose(0, 1, 3, 2)  # items x codes x points x parameters
    size = n_items * k + int(prior_score is not None)
    out = np.zeros((size, size))

    def tally(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        return ordered[starts], np.add.reduceat(weight[order], starts, axis=0)

    for j in range(n_items):
        for other in range(j, n_items):
            keys, summed = tally(codes[:, j] * k1 + codes[:, other])
            left = by_code[j, keys // k1] * summed[:, :, None]  # pairs x points x k
            block = left.reshape(-1, k).T @ by_code[other, keys % k1].reshape(-1, k)
            out[j * k:(j + 1) * k, other * k:(other + 1) * k] = block
            out[other * k:(other + 1) * k, j * k:(j + 1) * k] = block.T
            if other == j and prior_score is not None:  # with the latent variance's score
                row = np.einsum("cqa,q->a", left, prior_score)
                out[-1, j * k:(j + 1) * k] = out[j * k:(j + 1) * k, -1] = row
    if prior_score is not None:
        out[-1, -1] = weight.sum(axis=0) @ prior_score**2
    return out
