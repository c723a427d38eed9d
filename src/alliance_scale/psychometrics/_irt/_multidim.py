"""Confirmatory multidimensional IRT by marginal ML (EM), as mirt 1.47's ``mirt(data,
mirt.model(...))``: items load on the factors a mapping names (between- or within-item),
factor variances fixed at 1, correlations estimated.

- Parameters per item: ``[a_1 .. a_D, d_1 .. d_{K-1}]`` (a slope is 0 and fixed where the
  item does not load), i.e. mirt's slope-intercept form ``P(X >= k) = logistic(a'theta +
  d_k)`` (graded) or ``P(X = k) ∝ exp(k a'theta + d_k)`` (gpcm).
- Integration: mirt's product grid for up to 3 factors (``quadpts`` per dimension as
  mirt's ``select_quadpts``: 61, 31, 15 equally spaced points on [-6, 6]; prior
  ``N(0, R)`` normalised over the grid); beyond 3 factors mirt's ``QMCEM`` nodes (5,000
  Halton points with leap 409 mapped through the normal quantile, then through the Cholesky
  factor of ``R``; equal weights), deterministic, so no seed is needed.
- E-step: the unidimensional one (one product of one-hot responses and log category
  probabilities over the grid). M-step: each item's expected counts are collapsed onto the
  grid of the factors it loads on (one dimension for a between-item structure), where the
  unidimensional batched Newton steps run unchanged; the correlation matrix maximises the
  expected log density (unit variances) given the posterior second moments.
- Standard errors: the observed information as the derivative of the observed-data score
  (the complete-data gradient at the posterior of the same parameters, Fisher's identity)
  by central differences: Oakes' (1999) identity computed numerically, as mirt's
  ``SE.type = 'Oakes'`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._data import Patterns, one_hot
from ._engine import _item_newton, accelerate, estep
from ._models import item_arrays, probabilities

__all__: list[str] = []

#: mirt's ``select_quadpts``: points per dimension of the product grid.
QUADPTS = {1: 61, 2: 31, 3: 15}
#: mirt's QMCEM default number of nodes and Halton leap.
QMC_POINTS = 5000
QMC_LEAP = 409
THETA_LIM = 6.0
_SMALLEST_PROB = 1e-300


def halton(n: int, dims: int, leap: int = QMC_LEAP) -> np.ndarray:
    """mirt's ``QUnif(n, p = dims, leap = leap)`` (sfsmisc): leaped Halton points in (0, 1)."""
    primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73,
              79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157]
    bases = primes[:dims]
    if leap > 1 and leap in bases and len(primes) >= dims + 1:
        bases = [b for b in bases if b != leap] + [primes[dims]]
    index = 1 + np.arange(n) * leap
    out = np.zeros((n, dims))
    for j, base in enumerate(bases):
        n_digits = int(1 + np.log(index[-1]) / np.log(base))
        x = index.copy()
        value = np.zeros(n)
        digits = []
        for _ in range(n_digits):
            digits.append(x % base)
            x = x // base
        # digitsBase writes the most significant digit first; colSums(dB / base^(nd:1))
        for position, digit in enumerate(digits):  # least significant first
            value += digit / float(base) ** (position + 1)
        out[:, j] = value
    return out


@dataclass
class Grid:
    """Integration nodes (points x D) and how to weight them under ``N(0, R)``."""

    nodes: np.ndarray  # 1-D nodes of the product grid (None-like empty for QMC)
    base: np.ndarray  # points x D before the Cholesky map (QMC) or the points (product)
    qmc: bool
    #: bifactor: the grid is (general, specific) pairs, integrated two-tier (Gibbons &
    #: Hedeker 1992; Cai 2010); ``base`` then holds the 2-D (general, specific) grid
    bifactor: bool = False

    def points(self, corr: np.ndarray, mean: np.ndarray | None = None) -> np.ndarray:
        if not self.qmc:
            return self.base
        nodes = self.base @ np.linalg.cholesky(corr).T
        return nodes if mean is None else nodes + mean

    def log_weights(self, corr: np.ndarray, mean: np.ndarray | None = None) -> np.ndarray:
        """Log prior weights of ``N(mean, corr)`` normalised over the nodes (``corr`` may be
        any covariance matrix; QMC nodes are equally weighted)."""
        if self.qmc:
            return np.full(self.base.shape[0], -np.log(self.base.shape[0]))
        inverse = np.linalg.inv(corr)
        centred = self.base if mean is None else self.base - mean
        quad = np.einsum("gi,ij,gj->g", centred, inverse, centred)
        logw = -0.5 * quad
        top = logw.max()
        return logw - (top + np.log(np.exp(logw - top).sum()))


def make_grid(dims: int, quadpts: int | None = None, bifactor: bool = False) -> Grid:
    """mirt's product grid (up to 3 dimensions) or its QMC nodes (beyond); for a bifactor
    model the (general, specific) grid of mirt's ``bfactor`` (31 points per dimension)."""
    if bifactor:
        q = QUADPTS[2] if quadpts is None else quadpts
        nodes = np.linspace(-THETA_LIM, THETA_LIM, q)
        return Grid(nodes, _product(nodes, 2), qmc=False, bifactor=True)
    if dims <= 3:
        q = QUADPTS[dims] if quadpts is None else quadpts
        nodes = np.linspace(-THETA_LIM, THETA_LIM, q)
        mesh = np.meshgrid(*([nodes] * dims), indexing="ij")
        base = np.column_stack([m.ravel() for m in mesh])
        return Grid(nodes, base, qmc=False)
    from scipy.special import ndtri

    n = QMC_POINTS if quadpts is None else quadpts
    return Grid(np.empty(0), ndtri(halton(n, dims)), qmc=True)


#: mirt's ``fscores`` quadrature: points per dimension of the scoring grid.
SCORE_QUADPTS = {2: 61, 3: 31}


def score_grid(grid: Grid, dims: int) -> Grid:
    """The grid mirt's ``fscores`` integrates over: 61 (two factors) or 31 (three) points
    per dimension on [-6, 6]; the estimation grid itself for QMC and bifactor models."""
    if grid.qmc or grid.bifactor or dims not in SCORE_QUADPTS:
        return grid
    return make_grid(dims, SCORE_QUADPTS[dims])


@dataclass
class MSpec:
    """Items' models, categories and loadings (items x D), free correlations."""

    models: tuple[str, ...]
    n_cat: np.ndarray
    loadings: np.ndarray  # items x D bool
    free_corr: tuple[tuple[int, int], ...]  # (row, col), row > col
    #: as the unidimensional Spec: no latent variance is estimated, no rating constraint
    variance_free: bool = field(default=False, init=False)
    constraint: None = field(default=None, init=False)
    #: priors on item parameters (``_priors.Prior``, items x (D + k_max - 1)), MAP
    prior: Any = field(default=None, init=False)
    n_factors: int = field(init=False)
    k_max: int = field(init=False)
    offsets: np.ndarray = field(init=False)
    n_columns: int = field(init=False)
    free: np.ndarray = field(init=False)  # items x (D + k_max - 1)
    blocks: list[tuple[str, int, tuple[int, ...], np.ndarray]] = field(init=False)

    def __post_init__(self) -> None:
        self.n_factors = int(self.loadings.shape[1])
        self.k_max = int(self.n_cat.max())
        self.offsets = np.concatenate([[0], np.cumsum(self.n_cat)[:-1]]).astype(np.int64)
        self.n_columns = int(self.n_cat.sum())
        dims = self.n_factors
        free = np.zeros((len(self.models), dims + self.k_max - 1), dtype=bool)
        free[:, :dims] = self.loadings
        free[:, dims:] = np.arange(1, self.k_max)[None, :] < self.n_cat[:, None]
        self.free = free
        groups: dict[tuple[str, int, tuple[int, ...]], list[int]] = {}
        for j, (model, k) in enumerate(zip(self.models, self.n_cat, strict=True)):
            on = tuple(int(f) for f in np.flatnonzero(self.loadings[j]))
            groups.setdefault((model, int(k), on), []).append(j)
        self.blocks = [(m, k, on, np.array(ix)) for (m, k, on), ix in groups.items()]

    @property
    def n_item_free(self) -> int:
        return int(self.free.sum())

    @property
    def n_free(self) -> int:
        return self.n_item_free + len(self.free_corr)

    def reduced(self, pars: np.ndarray, on: tuple[int, ...], items: np.ndarray, k: int
                ) -> np.ndarray:
        """The block's parameters: its slopes, then its intercepts."""
        cols = list(on) + list(range(self.n_factors, self.n_factors + k - 1))
        return pars[np.ix_(items, cols)]

    def place(self, pars: np.ndarray, values: np.ndarray, on: tuple[int, ...],
              items: np.ndarray, k: int) -> None:
        cols = list(on) + list(range(self.n_factors, self.n_factors + k - 1))
        pars[np.ix_(items, cols)] = values

    def pack(self, pars: np.ndarray, corr: np.ndarray) -> np.ndarray:
        return np.concatenate([pars[self.free], [corr[r, c] for r, c in self.free_corr]])

    def unpack(self, vec: np.ndarray, pars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        out = pars.copy()
        out[self.free] = vec[: self.n_item_free]
        corr = np.eye(self.n_factors)
        for value, (r, c) in zip(vec[self.n_item_free:], self.free_corr, strict=True):
            corr[r, c] = corr[c, r] = value
        return out, corr


def log_prob_table(spec: MSpec, pars: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Log category probabilities, columns x points of the grid."""
    out = np.empty((spec.n_columns, points.shape[0]))
    for model, k, on, items in spec.blocks:
        prob = probabilities(model, spec.reduced(pars, on, items, k), points[:, list(on)])
        cols = spec.offsets[items][:, None] + np.arange(k)[None, :]
        out[cols.ravel()] = np.log(np.maximum(prob, _SMALLEST_PROB)).reshape(-1, points.shape[0])
    return out


_PRODUCTS: dict[tuple[bytes, int], np.ndarray] = {}


def _product(nodes: np.ndarray, dims: int) -> np.ndarray:
    """Product grid of ``nodes`` in ``dims`` dimensions (first dimension slowest), cached."""
    key = (nodes.tobytes(), dims)
    if key not in _PRODUCTS:
        if len(_PRODUCTS) > 32:
            _PRODUCTS.clear()
        mesh = np.meshgrid(*([nodes] * dims), indexing="ij")
        _PRODUCTS[key] = np.column_stack([m.ravel() for m in mesh])
        _PRODUCTS[key].flags.writeable = False
    return _PRODUCTS[key]


@dataclass
class MStep:
    """E-step of a multidimensional model: posterior (patterns x points), log-likelihood,
    expected respondents per point, and each block's expected counts (items x K x nodes)
    on the grid of its own factors, with those nodes."""

    posterior: np.ndarray | None  # None for the bifactor model (see factor_posteriors)
    loglik: float
    marginal: np.ndarray | None
    blocks: list[tuple[np.ndarray, np.ndarray]]
    #: per factor, patterns x nodes (product grids; filled when asked for)
    factor_posteriors: list[np.ndarray] | None = None
    #: per block, the count-weighted posterior on its own grid (patterns x nodes)
    block_weights: list[np.ndarray] | None = None


def mestep(spec: MSpec, grid: Grid, onehot: np.ndarray, counts: np.ndarray,
           pars: np.ndarray, corr: np.ndarray, margins: bool = False,
           mean: np.ndarray | None = None) -> MStep:
    """Posterior over the grid. On a product grid each block's log-likelihood is computed
    on the grid of its own factors (one dimension for a between-item structure) and
    broadcast, and its expected counts are taken from the posterior summed over the other
    factors: one small product per block instead of one over the whole grid."""
    if grid.bifactor:
        return _bifactor_estep(spec, grid, onehot, counts, pars, margins)
    points = grid.points(corr, mean)
    logw = grid.log_weights(corr, mean)
    if grid.qmc:
        step = estep(onehot, counts, log_prob_table(spec, pars, points), logw)
        out = []
        for _model, k, on, items in spec.blocks:
            cols = spec.offsets[items][:, None] + np.arange(k)[None, :]
            out.append((step.expected[cols], points[:, list(on)]))
        weighted = step.posterior * counts[:, None]
        return MStep(step.posterior, step.loglik, step.marginal, out,
                     block_weights=[weighted] * len(spec.blocks))
    q = grid.nodes.size
    dims = spec.n_factors
    n_pat = onehot.shape[0]
    logl = np.zeros((n_pat,) + (q,) * dims)
    for model, k, on, items in spec.blocks:
        theta = _product(grid.nodes, len(on))
        prob = probabilities(model, spec.reduced(pars, on, items, k), theta)
        logp = np.log(np.maximum(prob, _SMALLEST_PROB)).reshape(-1, theta.shape[0])
        cols = (spec.offsets[items][:, None] + np.arange(k)[None, :]).ravel()
        part = onehot[:, cols] @ logp
        shape = [n_pat] + [1] * dims
        for f in on:
            shape[1 + f] = q
        logl += part.reshape(shape)
    logl = logl.reshape(n_pat, -1)
    logl += logw
    top = logl.max(axis=1, keepdims=True)
    np.subtract(logl, top, out=logl)
    np.exp(logl, out=logl)
    total = logl.sum(axis=1, keepdims=True)
    logl /= total
    loglik = float(counts @ (np.log(total[:, 0]) + top[:, 0]))
    weighted = logl * counts[:, None]
    shaped = weighted.reshape((n_pat,) + (q,) * dims)
    margins: dict[tuple[int, ...], np.ndarray] = {}
    out = []
    for _model, k, on, items in spec.blocks:
        if on not in margins:
            other = tuple(1 + f for f in range(dims) if f not in on)
            margins[on] = shaped.sum(axis=other).reshape(n_pat, -1) if other else weighted
        cols = (spec.offsets[items][:, None] + np.arange(k)[None, :]).ravel()
        r = (margins[on].T @ onehot[:, cols]).T.reshape(len(items), k, -1)
        out.append((r, _product(grid.nodes, len(on))))
    step = MStep(logl, loglik, weighted.sum(axis=0), out,
                 block_weights=[margins[on] for _m, _k, on, _i in spec.blocks])
    if margins:
        post = logl.reshape((n_pat,) + (q,) * dims)
        step.factor_posteriors = [
            post.sum(axis=tuple(1 + g for g in range(dims) if g != f)) for f in range(dims)]
    return step


def _bifactor_estep(spec: MSpec, grid: Grid, onehot: np.ndarray, counts: np.ndarray,
                    pars: np.ndarray, margins: bool) -> MStep:
    """Two-tier E-step of the bifactor model (factor 0 general, the others specific and
    orthogonal): for each specific factor the likelihood of its items on the (general,
    specific) grid is integrated over the specific factor, then the product over the
    specifics over the general one; cost grows with the number of specifics, not as the
    grid of all factors."""
    q = grid.nodes.size
    n_pat = onehot.shape[0]
    dims = spec.n_factors
    logw = -0.5 * grid.nodes**2
    logw -= logw.max() + np.log(np.exp(logw - logw.max()).sum())
    general = np.tile(logw, (n_pat, 1))
    specific: dict[int, np.ndarray] = {}
    for model, k, on, items in spec.blocks:
        theta = _product(grid.nodes, len(on))
        prob = probabilities(model, spec.reduced(pars, on, items, k), theta)
        logp = np.log(np.maximum(prob, _SMALLEST_PROB)).reshape(-1, theta.shape[0])
        cols = (spec.offsets[items][:, None] + np.arange(k)[None, :]).ravel()
        part = onehot[:, cols] @ logp
        if on == (0,):
            general += part
        else:
            s_ = on[1]
            if s_ not in specific:
                specific[s_] = part.reshape(n_pat, q, q) + logw[None, None, :]
            else:
                specific[s_] += part.reshape(n_pat, q, q)
    inner: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for s_, table in specific.items():
        top = table.max(axis=(1, 2))
        np.subtract(table, top[:, None, None], out=table)
        np.exp(table, out=table)
        integral = table.sum(axis=2)  # patterns x general nodes (scaled by exp(top))
        inner[s_] = (table, integral)
        general += np.log(integral) + top[:, None]
    top = general.max(axis=1, keepdims=True)
    post_g = np.exp(general - top)
    total = post_g.sum(axis=1, keepdims=True)
    post_g /= total
    loglik = float(counts @ (np.log(total[:, 0]) + top[:, 0]))
    weighted_g = post_g * counts[:, None]
    out = []
    kept = []
    joint: dict[int, np.ndarray] = {}
    for _model, k, on, items in spec.blocks:
        cols = (spec.offsets[items][:, None] + np.arange(k)[None, :]).ravel()
        if on == (0,):
            weights = weighted_g
        else:
            s_ = on[1]
            if s_ not in joint:
                table, integral = inner[s_]
                joint[s_] = (table * (weighted_g / integral)[:, :, None]).reshape(n_pat, -1)
            weights = joint[s_]
        r = (weights.T @ onehot[:, cols]).T.reshape(len(items), k, -1)
        out.append((r, _product(grid.nodes, len(on))))
        kept.append(weights)
    step = MStep(None, loglik, None, out, block_weights=kept)
    if margins:
        posts = [post_g]
        for f in range(1, dims):
            if f in inner:
                table, integral = inner[f]
                posts.append(np.einsum("pgs,pg->ps", table, post_g / integral))
            else:
                posts.append(np.tile(np.exp(logw), (n_pat, 1)))
        step.factor_posteriors = posts
    return step


def mstep_items(spec: MSpec, pars: np.ndarray, step: MStep) -> np.ndarray:
    new = pars.copy()
    for (model, k, on, items), (r, theta) in zip(spec.blocks, step.blocks, strict=True):
        sub = spec.reduced(pars, on, items, k)
        free = np.ones(sub.shape[1], dtype=bool)
        prior = None
        if spec.prior is not None:
            cols = list(on) + list(range(spec.n_factors, spec.n_factors + k - 1))
            prior = spec.prior.take(items, cols)
        spec.place(new, _item_newton(model, sub, free, r, theta, prior=prior), on, items, k)
    return new


#: mirt floors (and caps) graded category probabilities here (``P_graded``) and the
#: probabilities it divides by in the gradient (``d_poly``).
_MIRT_FLOOR = 1e-20
_MIRT_GRAD_FLOOR = 1e-10


class JointMStep:
    """mirt's M-step: every item's free parameters at once, maximising the expected
    complete-data log-likelihood by R's BFGS (:func:`._bfgs.vmmin`) for at most ``maxit``
    iterations from the current values (mirt's ``Mstep`` with ``Moptim = 'BFGS'``). What
    does not change between cycles (each block's rows, columns and nodes) is made once;
    graded blocks have a closed-form value and gradient (a handful of array operations:
    BFGS calls them thousands of times on small arrays)."""

    def __init__(self, spec: MSpec, grid: Grid) -> None:
        self.spec = spec
        self.free = spec.free
        self.blocks = []
        for model, k, on, items in spec.blocks:
            cols = np.array(list(on) + list(range(spec.n_factors, spec.n_factors + k - 1)))
            theta = (_product(grid.nodes, len(on)) if not grid.qmc and not grid.bifactor
                     else None)
            self.blocks.append((model, k, len(on), items, cols, theta))

    def run(self, pars: np.ndarray, step: MStep, maxit: int) -> np.ndarray:
        from ._bfgs import vmmin

        spec, free = self.spec, self.free
        thetas = [block_theta if block_theta is not None else theta
                  for (*_, block_theta), (_r, theta) in zip(self.blocks, step.blocks,
                                                             strict=True)]
        rs = [r for r, _theta in step.blocks]

        def unpack(x: np.ndarray) -> np.ndarray:
            out = pars.copy()
            out[free] = x
            return out

        def value(x: np.ndarray) -> float:
            current = unpack(x)
            total = 0.0
            for (model, k, dims, items, cols, _t), r, theta in zip(self.blocks, rs, thetas,
                                                                    strict=True):
                sub = current[items][:, cols]
                if model == "graded":
                    if k > 2 and np.any(np.diff(sub[:, dims:], axis=1) >= 0):
                        return 1e100  # mirt: unordered intercepts give P = 0, LL = -1e100
                    prob, _ = _graded_parts(sub, dims, theta)
                else:
                    prob = probabilities(model, sub, theta)
                prob = np.clip(prob, _MIRT_FLOOR, 1 - _MIRT_FLOOR)
                total += float(np.sum(r * np.log(prob)))
            if spec.prior is not None:
                total += float(np.sum(np.where(free, np.nan_to_num(
                    spec.prior.terms(current)[0]), 0.0)))
            return -total if np.isfinite(total) else 1e100

        def gradient(x: np.ndarray) -> np.ndarray:
            current = unpack(x)
            grad = np.zeros_like(current)
            for (model, _k, dims, items, cols, _t), r, theta in zip(self.blocks, rs, thetas,
                                                                    strict=True):
                sub = current[items][:, cols]
                if model == "graded":
                    prob, slope = _graded_parts(sub, dims, theta)
                    w = r / np.maximum(prob, _MIRT_GRAD_FLOOR)  # items x K x Q
                    g = slope * (w[:, 1:] - w[:, :-1])  # d/d intercepts: items x (K-1) x Q
                    block = np.concatenate([g.sum(axis=1) @ theta, g.sum(axis=2)], axis=1)
                else:
                    prob, dprob, _ = item_arrays(model, sub, theta, second=False)
                    with np.errstate(divide="ignore", invalid="ignore"):
                        ratio = np.where(prob > 0, r / prob, 0.0)
                    block = np.einsum("ikq,ikpq->ip", ratio, dprob)
                grad[items[:, None], cols[None, :]] = block
            if spec.prior is not None:
                grad += np.nan_to_num(spec.prior.terms(current)[1])
            return -grad[free]

        return unpack(vmmin(value, gradient, pars[free], maxit=maxit).x)


def _graded_parts(sub: np.ndarray, dims: int, theta: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Graded category probabilities (items x K x Q) and ``P*(1 - P*)`` of the cumulative
    ones (items x (K-1) x Q) at ``theta`` (Q x dims)."""
    at = sub[:, :dims] @ theta.T
    with np.errstate(over="ignore"):  # exp(large) = inf gives P* = 0, as it should
        star = 1.0 / (1.0 + np.exp(-(at[:, None, :] + sub[:, dims:, None])))
    n_items, steps, n_points = star.shape
    full = np.empty((n_items, steps + 2, n_points))
    full[:, 0] = 1.0
    full[:, -1] = 0.0
    full[:, 1:-1] = star
    return full[:, :-1] - full[:, 1:], star * (1.0 - star)


def _corr_from(values: np.ndarray, spec: MSpec) -> np.ndarray:
    corr = np.eye(spec.n_factors)
    for v, (r, c) in zip(values, spec.free_corr, strict=True):
        corr[r, c] = corr[c, r] = v
    return corr


def mstep_corr(spec: MSpec, second: np.ndarray, corr: np.ndarray) -> np.ndarray:
    """Correlations maximising ``-log|R| - tr(R^-1 S)`` (S: posterior second moments),
    unit variances; Newton steps with halving (numerical Hessian of a tiny problem)."""
    if not spec.free_corr:
        return corr

    def objective(values: np.ndarray) -> float:
        r = _corr_from(values, spec)
        try:  # positive definite, not just a positive determinant
            lower = np.linalg.cholesky(r)
        except np.linalg.LinAlgError:
            return -np.inf
        if np.min(np.diag(lower)) < 1e-4:
            return -np.inf
        logdet = 2 * np.log(np.diag(lower)).sum()
        return float(-logdet - np.trace(np.linalg.solve(r, second)))

    def gradient(values: np.ndarray) -> np.ndarray:
        r = _corr_from(values, spec)
        inv = np.linalg.inv(r)
        g = inv @ second @ inv - inv
        return np.array([2 * g[a, b] for a, b in spec.free_corr])

    x = np.array([corr[r, c] for r, c in spec.free_corr])
    current = objective(x)
    for _ in range(50):
        g = gradient(x)
        h = np.empty((x.size, x.size))
        eps = 1e-6
        for i in range(x.size):
            e = np.zeros(x.size)
            e[i] = eps
            h[:, i] = (gradient(x + e) - gradient(x - e)) / (2 * eps)
        h = 0.5 * (h + h.T)
        try:
            step = -np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            step = g * 1e-2
        if step @ g <= 0:  # not an ascent direction: gradient step
            step = g * 1e-2
        scale = 1.0
        for _half in range(40):
            trial = x + scale * step
            value = objective(trial)
            if value >= current:
                break
            scale /= 2
        else:
            break
        x, current = trial, value
        if np.max(np.abs(scale * step)) < 1e-10:
            break
    return _corr_from(x, spec)


@dataclass
class MFit:
    pars: np.ndarray
    corr: np.ndarray
    loglik: float
    iterations: int
    converged: bool
    estep: MStep


def _valid(spec: MSpec, pars: np.ndarray, corr: np.ndarray) -> bool:
    for model, k, on, items in spec.blocks:
        sub = spec.reduced(pars, on, items, k)
        if not np.all(np.isfinite(sub)):
            return False
        d = sub[:, len(on):]
        if model == "graded" and k > 2 and np.any(np.diff(d, axis=1) >= 0):
            return False
    return bool(np.all(np.linalg.eigvalsh(corr) > 1e-6))


def em(spec: MSpec, grid: Grid, patterns: Patterns, start: np.ndarray, corr: np.ndarray,
       tol: float = 1e-4, max_cycles: int = 500, mirt_path: bool = False) -> MFit:
    """EM with mirt's convergence rule and Ramsay acceleration (as the unidimensional EM).

    ``mirt_path``: follow mirt's own iterations, not only its fixed point: the M-step is
    :class:`JointMStep` (R's BFGS over all items, at most ``max(ceiling(Mrate * 50), 15)``
    iterations) and Ramsay's step is taken only while mirt's ``Mrate`` (``exp`` of minus the
    last log-likelihood gain, starting at 0.4) exceeds 0.01. Where the likelihood has a
    ridge (exploratory models) the stopping point depends on the path."""
    onehot = one_hot(patterns.codes, spec.offsets, spec.n_columns)
    counts = patterns.counts
    n_total = counts.sum()
    pars = start.copy()
    vec = spec.pack(pars, corr)
    pre = pre2 = vec
    converged = max_cycles == 0
    cycles = 0
    rate, last = 0.4, None
    joint = JointMStep(spec, grid) if mirt_path else None
    for cycles in range(1, max_cycles + 1):
        points = grid.base if grid.bifactor else grid.points(corr)
        step = mestep(spec, grid, onehot, counts, pars, corr)
        pre2, pre = pre, vec
        if mirt_path:
            if last is not None and last - step.loglik < 0:
                rate = float(np.exp(last - step.loglik))
            last = step.loglik
            pars = joint.run(pars, step, max(int(np.ceil(rate * 50)), 15))
        else:
            pars = mstep_items(spec, pars, step)
        if spec.free_corr:
            second = (points * step.marginal[:, None]).T @ points / n_total
            corr = mstep_corr(spec, 0.5 * (second + second.T), corr)
        vec = spec.pack(pars, corr)
        if np.all(np.abs(vec - pre) < tol):
            converged = True
            break
        if cycles % 3 == 0 and (not mirt_path or rate > 0.01):
            trial = accelerate(pre2, pre, vec)
            if trial is not None:
                trial_pars, trial_corr = spec.unpack(trial, pars)
                if _valid(spec, trial_pars, trial_corr):
                    vec, pars, corr = trial, trial_pars, trial_corr
    final = mestep(spec, grid, onehot, counts, pars, corr)
    return MFit(pars, corr, final.loglik, cycles, converged, final)


def observed_score(spec: MSpec, grid: Grid, onehot: np.ndarray, counts: np.ndarray,
                   vec: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Gradient of the marginal log-likelihood at ``vec`` (Fisher's identity: the
    complete-data gradient at the posterior of the same parameters)."""
    pars, corr = spec.unpack(vec, template)
    step = mestep(spec, grid, onehot, counts, pars, corr)
    grad = np.zeros_like(pars)
    for (model, k, on, items), (r, theta) in zip(spec.blocks, step.blocks, strict=True):
        sub = spec.reduced(pars, on, items, k)
        prob, dprob, _ = item_arrays(model, sub, theta, second=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(prob > 0, r / prob, 0.0)
        spec.place(grad, np.einsum("ikq,ikpq->ip", ratio, dprob), on, items, k)
    if spec.prior is not None:
        grad += np.nan_to_num(spec.prior.terms(pars)[1])
    out = [grad[spec.free]]
    if spec.free_corr:
        points = grid.points(corr)
        logw = grid.log_weights(corr)
        inverse = np.linalg.inv(corr)
        z = points @ inverse  # g x D
        weights = np.exp(logw)
        corr_grad = []
        for a, b in spec.free_corr:
            dlog = z[:, a] * z[:, b] - inverse[a, b]  # d log phi / d rho_ab
            dlog = dlog - weights @ dlog  # the weights are normalised over the grid
            corr_grad.append(step.marginal @ dlog)
        out.append(np.array(corr_grad))
    return np.concatenate(out)


def _corr_log_weights(grid: Grid, spec: MSpec, values: np.ndarray) -> np.ndarray:
    return grid.log_weights(_corr_from(values, spec))


def exact_information(spec: MSpec, grid: Grid, patterns: Patterns, pars: np.ndarray,
                      corr: np.ndarray) -> np.ndarray:
    """Observed information of a between-item model on a product grid, exactly (Louis 1982):
    minus the complete-data Hessian minus the posterior covariance of the complete-data
    scores, pattern by pattern. Items on one factor contribute scores that depend on that
    factor only, so the posterior second moments need only each factor's posterior (same
    factor) and each pair of factors' joint posterior (different factors): products of
    (patterns x nodes) x parameters matrices, never a parameters^2 array per grid point."""
    onehot = one_hot(patterns.codes, spec.offsets, spec.n_columns)
    counts = patterns.counts
    n_pat = onehot.shape[0]
    dims = spec.n_factors
    q = grid.nodes.size
    step = mestep(spec, grid, onehot, np.ones(n_pat), pars, corr)
    post = step.posterior.reshape((n_pat,) + (q,) * dims)
    free_index = -np.ones(spec.free.shape, dtype=np.int64)
    free_index[spec.free] = np.arange(spec.n_item_free)
    n_free = spec.n_free
    hess = np.zeros((n_free, n_free))
    # per factor: pattern x node x parameter scores at the pattern's answers, their columns
    scores: list[list[np.ndarray]] = [[] for _ in range(dims)]
    columns: list[list[np.ndarray]] = [[] for _ in range(dims)]
    codes = patterns.codes
    for (model, k, on, items), (_r, theta) in zip(spec.blocks, step.blocks, strict=True):
        f = on[0]
        sub = spec.reduced(pars, on, items, k)
        prob, dprob, d2prob = item_arrays(model, sub, theta)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(prob[:, :, None] > 0, dprob / prob[:, :, None], 0.0)
        # complete-data Hessian with the expected counts of the whole sample
        r = (step.block_weights[spec.blocks.index((model, k, on, items))] * counts[:, None]
             ).T @ onehot[:, (spec.offsets[items][:, None] + np.arange(k)).ravel()]
        r = r.T.reshape(len(items), k, -1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(prob > 0, r / prob, 0.0)
        block_hess = (np.einsum("ikq,ikpsq->ips", ratio, d2prob)
                      - np.einsum("ikq,ikpq,iksq->ips", r, g, g))
        cols_par = [on[0], *range(dims, dims + k - 1)]
        where = free_index[np.ix_(items, cols_par)]  # items x npar
        for i in range(len(items)):
            hess[np.ix_(where[i], where[i])] += block_hess[i]
        answers = codes[:, items]  # patterns x items (-1 missing)
        gathered = g.transpose(0, 1, 3, 2)[np.arange(len(items))[None, :],
                                             np.maximum(answers, 0)]  # P x items x Q x npar
        gathered[answers < 0] = 0.0
        scores[f].append(gathered.transpose(0, 2, 1, 3).reshape(n_pat, q, -1))
        columns[f].append(where.ravel())
    stacked = [np.concatenate(s_, axis=2) if s_ else np.zeros((n_pat, q, 0)) for s_ in scores]
    cols = [np.concatenate(c_) if c_ else np.zeros(0, dtype=np.int64) for c_ in columns]
    margins = [post.sum(axis=tuple(1 + g for g in range(dims) if g != f)) for f in range(dims)]
    second = np.zeros((n_free, n_free))
    mean = np.zeros((n_pat, n_free))
    root_c = np.sqrt(counts)
    for f in range(dims):
        weighted = stacked[f] * np.sqrt(margins[f])[:, :, None] * root_c[:, None, None]
        flat = weighted.reshape(n_pat * q, -1)
        second[np.ix_(cols[f], cols[f])] += flat.T @ flat
        mean[:, cols[f]] = np.einsum("pq,pqa->pa", margins[f], stacked[f])
        for f2 in range(f + 1, dims):
            joint = post.sum(axis=tuple(1 + g for g in range(dims) if g not in (f, f2)))
            moved = np.einsum("pqr,prb->pqb", joint, stacked[f2]) * counts[:, None, None]
            block = stacked[f].reshape(n_pat * q, -1).T @ moved.reshape(n_pat * q, -1)
            second[np.ix_(cols[f], cols[f2])] += block
            second[np.ix_(cols[f2], cols[f])] += block.T
    if spec.free_corr:
        points = grid.points(corr)
        values = np.array([corr[a, b] for a, b in spec.free_corr])
        logw = grid.log_weights(corr)
        inverse = np.linalg.inv(corr)
        z = points @ inverse
        weights = np.exp(logw)
        s_rho = np.column_stack([
            (z[:, a] * z[:, b] - inverse[a, b]) - weights @ (z[:, a] * z[:, b] - inverse[a, b])
            for a, b in spec.free_corr])  # grid points x correlations
        rho = np.arange(spec.n_item_free, n_free)
        flat_post = step.posterior
        mean[:, rho] = flat_post @ s_rho
        second[np.ix_(rho, rho)] += (s_rho * (counts @ flat_post)[:, None]).T @ s_rho
        for f in range(dims):
            # posterior expectation of s_rho at each node of factor f, per pattern
            other = tuple(1 + g for g in range(dims) if g != f)
            shaped = (flat_post[:, :, None] * s_rho[None]).reshape(
                (n_pat,) + (q,) * dims + (len(rho),))
            by_node = shaped.sum(axis=other) * counts[:, None, None]  # P x Q x n_rho
            block = stacked[f].reshape(n_pat * q, -1).T @ by_node.reshape(n_pat * q, -1)
            second[np.ix_(cols[f], rho)] += block
            second[np.ix_(rho, cols[f])] += block.T
        # complete-data Hessian of sum_g n_g log pi_g(rho): central differences of its
        # analytic gradient (a handful of correlations)
        n_g = counts @ flat_post

        def grad_rho(vals: np.ndarray) -> np.ndarray:
            c_ = _corr_from(vals, spec)
            inv = np.linalg.inv(c_)
            zz = points @ inv
            w_ = np.exp(grid.log_weights(c_))
            out = []
            for a, b in spec.free_corr:
                d_ = zz[:, a] * zz[:, b] - inv[a, b]
                out.append(n_g @ (d_ - w_ @ d_))
            return np.array(out)

        h = 1e-5
        for i in range(len(rho)):
            e = np.zeros(len(rho))
            e[i] = h
            hess[rho, rho[i]] = (grad_rho(values + e) - grad_rho(values - e)) / (2 * h)
    if spec.prior is not None:
        diag = np.nan_to_num(spec.prior.terms(pars)[2])[spec.free]
        hess[np.arange(spec.n_item_free), np.arange(spec.n_item_free)] += diag
    cross = (mean * counts[:, None]).T @ mean
    info = -(hess + second - cross)
    return 0.5 * (info + info.T)


def between_item(spec: MSpec, grid: Grid) -> bool:
    """Every item on one factor, a product grid: :func:`exact_information` applies."""
    return (not grid.qmc and not grid.bifactor
            and all(len(on) == 1 for _m, _k, on, _i in spec.blocks))


def information(spec: MSpec, grid: Grid, patterns: Patterns, pars: np.ndarray,
                corr: np.ndarray, step_size: float = 1e-4) -> np.ndarray:
    """Observed information: exact for between-item models (:func:`exact_information`),
    otherwise minus the central-difference Jacobian of the observed score."""
    if between_item(spec, grid):
        return exact_information(spec, grid, patterns, pars, corr)
    onehot = one_hot(patterns.codes, spec.offsets, spec.n_columns)
    vec = spec.pack(pars, corr)
    n = vec.size
    jac = np.empty((n, n))
    for i in range(n):
        h = step_size * max(1.0, abs(vec[i]))
        e = np.zeros(n)
        e[i] = h
        plus = observed_score(spec, grid, onehot, patterns.counts, vec + e, pars)
        minus = observed_score(spec, grid, onehot, patterns.counts, vec - e, pars)
        jac[:, i] = (plus - minus) / (2 * h)
    return -0.5 * (jac + jac.T)


def score_crossprod(spec: MSpec, grid: Grid, patterns: Patterns, pars: np.ndarray,
                    corr: np.ndarray) -> np.ndarray:
    """Cross-product of the patterns' observed scores, ``sum_p n_p s_p s_p'`` (mirt's
    ``SE.type = 'crossprod'``; item parameters only: the correlations' scores are added
    from the posterior of the grid)."""
    onehot = one_hot(patterns.codes, spec.offsets, spec.n_columns)
    n_pat = onehot.shape[0]
    step = mestep(spec, grid, onehot, np.ones(n_pat), pars, corr)
    per_item = np.zeros((n_pat, *pars.shape))
    for (model, k, on, items), (_r, theta), post in zip(
            spec.blocks, step.blocks, step.block_weights, strict=True):
        sub = spec.reduced(pars, on, items, k)
        prob, dprob, _ = item_arrays(model, sub, theta, second=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(prob[:, :, None] > 0, dprob / prob[:, :, None], 0.0)
        mean = np.einsum("pq,jkaq->pjka", post, g)  # posterior mean score per category
        cols = spec.offsets[items][:, None] + np.arange(k)[None, :]
        chosen = onehot[:, cols]  # patterns x items x K
        values = np.einsum("pjk,pjka->pja", chosen, mean)
        cols_par = list(on) + list(range(spec.n_factors, spec.n_factors + k - 1))
        per_item[np.ix_(np.arange(n_pat), items, cols_par)] = values
    scores = per_item[:, spec.free]
    if spec.free_corr:
        points = grid.points(corr)
        logw = grid.log_weights(corr)
        inverse = np.linalg.inv(corr)
        z = points @ inverse
        weights = np.exp(logw)
        extra = []
        for a, b in spec.free_corr:
            dlog = z[:, a] * z[:, b] - inverse[a, b]
            extra.append(step.posterior @ (dlog - weights @ dlog))
        scores = np.column_stack([scores, *extra])
    return (scores * patterns.counts[:, None]).T @ scores


def posterior_scores(spec: MSpec, grid: Grid, pars: np.ndarray, corr: np.ndarray,
                     codes: np.ndarray, mean: np.ndarray | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """EAP (posterior means, patterns x D) and posterior SDs over the grid (prior
    ``N(mean, corr)``, mean 0 unless given), in blocks of patterns (a few million
    pattern-node cells at a time)."""
    n_pat = codes.shape[0]
    size = max(1, int(4_000_000 // max(grid.base.shape[0], 1)))
    if n_pat > size:
        parts = [posterior_scores(spec, grid, pars, corr, codes[i: i + size], mean)
                 for i in range(0, n_pat, size)]
        return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
    onehot = one_hot(codes, spec.offsets, spec.n_columns)
    step = mestep(spec, grid, onehot, np.ones(codes.shape[0]), pars, corr, margins=True,
                  mean=mean)
    if step.factor_posteriors is None:  # QMC: the nodes themselves
        points = grid.points(corr, mean)
        mean = step.posterior @ points
        second = step.posterior @ (points**2)
    else:
        mean = np.column_stack([post @ grid.nodes for post in step.factor_posteriors])
        second = np.column_stack([post @ grid.nodes**2 for post in step.factor_posteriors])
    return mean, np.sqrt(np.maximum(second - mean**2, 0.0))

