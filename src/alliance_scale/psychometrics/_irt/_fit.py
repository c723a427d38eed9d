"""Limited-information goodness of fit as mirt 1.47's ``M2()``: M2 (Maydeu-Olivares & Joe
2006) for binary items and M2* (Cai & Hansen 2013) for polytomous ones: the first and
second moments of the item scores (means and cross-products ``E[X_i X_j]``) against the
model's, weighted by ``Δc (Δc' Ξ Δc)^-1 Δc'`` with ``Δc`` the orthogonal complement of the
moments' Jacobian; RMSEA with its CI, SRMSR, and TLI / CFI against mirt's null model
(every slope 0). Missing answers as mirt: moments over the available answers, each scaled
by its own count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._engine import Spec, grid, log_prior
from ._models import item_arrays, probabilities

__all__: list[str] = []


@dataclass(frozen=True)
class M2Stats:
    m2: float
    df: int
    srmsr: float


#: mirt's ``select_quadpts``: points per dimension of M2's product grid.
M2_QUADPTS = {1: 61, 2: 31, 3: 15, 4: 9, 5: 7}


def _moments(spec: Spec, pars: np.ndarray, theta: np.ndarray):
    """Per item over the grid: E[X|θ], E[X²|θ], dE[X|θ]/dpar (free parameters), and the
    probabilities of categories 1 .. K-1 with their derivatives (for C2). ``theta``: the
    1-D grid, or points x factors for a multidimensional model (``spec`` an ``MSpec``)."""
    n_items = len(spec.models)
    multidim = hasattr(spec, "n_factors")
    n_points = len(theta)
    ei = np.zeros((n_items, n_points))
    ei2 = np.zeros((n_items, n_points))
    dei, probs, dprobs = [], [], []
    for j in range(n_items):
        k = int(spec.n_cat[j])
        if multidim:  # the item's own factors; its free parameters in the free order
            cols = np.flatnonzero(spec.free[j])
            on = cols[cols < spec.n_factors]
            prob, dprob, _ = item_arrays(spec.models[j], pars[j: j + 1, cols], theta[:, on],
                                         second=False)
            free = np.ones(cols.size, dtype=bool)
        else:
            prob, dprob, _ = item_arrays(spec.models[j], pars[j: j + 1, :k], theta,
                                         second=False)
            free = spec.free[j, :k]
        scores = np.arange(k)
        ei[j] = scores @ prob[0]
        ei2[j] = (scores**2) @ prob[0]
        dei.append(np.einsum("k,kpq->pq", scores, dprob[0])[free])
        probs.append(prob[0][1:])
        dprobs.append(dprob[0][1:][:, free])
    return ei, ei2, dei, probs, dprobs


def _integration(spec: Spec, variance: float, corr: np.ndarray | None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and normalised weights of M2 and S-X2: mirt's 61-point grid for one dimension;
    for a multidimensional model (``MSpec``) mirt's ``select_quadpts(D)`` points per
    dimension on [-6, 6] with ``N(0, R)`` weights normalised over the product grid."""
    if not hasattr(spec, "n_factors"):
        theta = grid()
        return theta, np.exp(log_prior(theta, variance))
    from ._multidim import Grid, _product

    dims = spec.n_factors
    nodes = np.linspace(-6.0, 6.0, M2_QUADPTS.get(dims, 3))
    theta = _product(nodes, dims)
    corr = np.eye(dims) if corr is None else corr
    return theta, np.exp(Grid(nodes, theta, qmc=False).log_weights(corr))


def _item_probabilities(spec: Spec, pars: np.ndarray, theta: np.ndarray) -> list[np.ndarray]:
    """Each item's category probabilities (K x nodes) over the nodes of :func:`_integration`."""
    out = []
    for j in range(len(spec.models)):
        k = int(spec.n_cat[j])
        if hasattr(spec, "n_factors"):
            cols = np.flatnonzero(spec.free[j])
            on = cols[cols < spec.n_factors]
            out.append(probabilities(spec.models[j], pars[j: j + 1, cols], theta[:, on])[0])
        else:
            out.append(probabilities(spec.models[j], pars[j: j + 1, :k], theta)[0])
    return out


def m2_statistic(
    spec: Spec, pars: np.ndarray, variance: float, codes: np.ndarray, kind: str = "M2*",
    corr: np.ndarray | None = None,
) -> M2Stats:
    """mirt's M2 / M2* (means and cross-products) or C2 (Cai & Monroe 2014: category
    proportions and cross-products); for binary items they coincide. A multidimensional
    model (``spec`` an ``MSpec``, factor correlations ``corr``) is integrated as mirt's
    ``M2`` does: a product grid of ``select_quadpts(D)`` points per dimension on [-6, 6]
    with ``N(0, R)`` weights normalised over it."""
    multidim = hasattr(spec, "n_factors")
    extra = None  # d(prior weights) / d(latent parameters): points x parameters
    theta, prior = _integration(spec, variance, corr)
    if multidim and spec.free_corr:
        corr = np.eye(spec.n_factors) if corr is None else corr
        inverse = np.linalg.inv(corr)
        z = theta @ inverse
        dlog = np.column_stack([z[:, a] * z[:, b] - inverse[a, b] for a, b in spec.free_corr])
        extra = prior[:, None] * (dlog - prior @ dlog)
    n_items = len(spec.models)
    ei, ei2, dei, probs, dprobs = _moments(spec, pars, theta)
    first, second = np.triu_indices(n_items, 1)
    # observed moments over the available answers
    data = np.where(codes >= 0, codes, 0).astype(float)
    seen = (codes >= 0).astype(float)
    n_i = seen.sum(axis=0)
    n_ij = seen.T @ seen
    cross = data.T @ data
    p = np.concatenate([data.sum(axis=0) / n_i, cross[first, second] / n_ij[first, second]])
    # model moments
    pair = ei[first] * ei[second]  # pairs x Q
    e1 = ei @ prior
    e2 = pair @ prior
    e = np.concatenate([e1, e2])
    # Jacobian of the moments (delta)
    n_free = spec.n_free if multidim else int(spec.free.sum()) + int(spec.variance_free)
    starts = np.concatenate([[0], np.cumsum([d.shape[0] for d in dei])])
    delta1 = np.zeros((n_items, n_free))
    delta2 = np.zeros((first.size, n_free))
    for j in range(n_items):
        cols = slice(starts[j], starts[j + 1])
        delta1[j, cols] = dei[j] @ prior
        mine = np.flatnonzero(first == j)
        delta2[mine, cols] = (ei[second[mine]] * prior) @ dei[j].T
        mine = np.flatnonzero(second == j)
        delta2[mine, cols] = (ei[first[mine]] * prior) @ dei[j].T
    dw = extra
    if spec.variance_free:  # d/d variance of the moments through the prior weights
        dlogw = -0.5 / variance + 0.5 * theta**2 / variance**2
        dw = (prior * (dlogw - prior @ dlogw))[:, None]
    if dw is not None:  # latent parameters: the last columns
        delta1[:, n_free - dw.shape[1]:] = ei @ dw
        delta2[:, n_free - dw.shape[1]:] = pair @ dw
    if (kind == "M2*" and not spec.variance_free and spec.constraint is None
            and np.all(pars[:, 0] == 0)):  # mirt's null model: independent items
        n_star = np.concatenate([n_i, n_ij[first, second]])
        resid = np.sqrt(n_star) * (p - e) * np.sqrt(n_star / codes.shape[0])
        delta = np.vstack([delta1, delta2])
        m2 = _quadratic_form(None, delta, resid, whiten=_independent_whitening(
            e1, ei2 @ prior - e1**2, first, second))
        return M2Stats(m2, int(p.size - n_free), float("nan"))
    # Xi: model covariance of the moments (conditional independence over the grid), the
    # products of centred moments (no n x n outer products), then the cells of pairs that
    # share an item, where E[X^2 | theta] replaces E[X | theta]^2
    centred = np.vstack([ei - e1[:, None], pair - e2[:, None]])
    xi = (centred * prior) @ centred.T  # one product; the blocks below are views
    del centred
    xi11 = xi[:n_items, :n_items]
    xi12 = xi[:n_items, n_items:]
    xi22 = xi[n_items:, n_items:]
    np.fill_diagonal(xi11, ei2 @ prior - e1**2)
    for c in range(n_items):
        with_c = np.flatnonzero((first == c) | (second == c))
        other = np.where(first[with_c] == c, second[with_c], first[with_c])
        xi12[c, with_c] = (ei2[c] * ei[other] * prior).sum(axis=1) - e1[c] * e2[with_c]
        block = (ei[other] * (ei2[c] * prior)) @ ei[other].T
        xi22[np.ix_(with_c, with_c)] = block - np.outer(e2[with_c], e2[with_c])
    xi22[np.arange(first.size), np.arange(first.size)] = (
        (ei2[first] * ei2[second]) @ prior - e2**2)
    xi[n_items:, :n_items] = xi12.T
    if kind == "C2":
        p1, delta1, xi11, xi12, n_i = _c2_univariate(
            codes, probs, dprobs, ei, pair, e2, prior, first, second, n_free, dw, seen)
        p = np.concatenate([p1, p[n_items:]])
        e = np.concatenate([np.concatenate(probs) @ prior, e2])
        xi = np.block([[xi11, xi12], [xi12.T, xi22]])
    if spec.constraint is not None:  # constrained parameters (rating scale models)
        jac = spec.expand(spec.phi(pars))
        delta1 = delta1 @ jac
        delta2 = delta2 @ jac
        n_free = spec.n_free
    n_star = np.concatenate([n_i, n_ij[first, second]])
    scale = np.sqrt(n_star / codes.shape[0])
    resid = np.sqrt(n_star) * (p - e) * scale  # mirt scales C2 by outer(sqrt(N ratio))
    delta = np.vstack([delta1, delta2])
    m2 = _quadratic_form(xi, delta, resid)
    df = p.size - n_free
    # SRMSR: observed vs model-implied correlations of the item scores
    mean_obs = data.sum(axis=0) / seen.sum(axis=0)
    cov_obs = cross / n_ij - np.outer(mean_obs, mean_obs)
    cov_mod = (ei * prior) @ ei.T
    np.fill_diagonal(cov_mod, ei2 @ prior)
    cov_mod -= np.outer(e1, e1)
    r_obs = cov_obs / np.sqrt(np.outer(np.diag(cov_obs), np.diag(cov_obs)))
    r_mod = cov_mod / np.sqrt(np.outer(np.diag(cov_mod), np.diag(cov_mod)))
    srmsr = float(np.sqrt(np.mean((r_obs[first, second] - r_mod[first, second]) ** 2)))
    return M2Stats(m2, int(df), srmsr)


#: R's ``qr()`` tolerance (LINPACK ``dqrdc2``): a column whose residual norm falls below this
#: fraction of its own norm counts as linearly dependent on the columns before it.
QR_TOL = 1e-7


def _dqrdc2_rank(delta: np.ndarray, tol: float = QR_TOL, block: int = 64) -> np.ndarray:
    """Columns R's ``qr(delta)`` keeps in front (its limited pivoting, LINPACK ``dqrdc2``).

    Columns are taken left to right; one whose residual, after projecting out the columns
    kept so far, has a norm below ``tol`` times its own norm is moved behind the others (R's
    rank detection). Gram-Schmidt with re-orthogonalisation, in blocks (BLAS-3).
    """
    n, p = delta.shape
    norms = np.linalg.norm(delta, axis=0)
    norms[norms == 0] = 1.0
    basis = np.zeros((p, n))  # rows: orthonormal vectors of the kept columns
    count = 0
    kept: list[int] = []
    for first in range(0, p, block):
        chunk = delta[:, first: first + block].T.copy()  # columns as rows
        done = basis[:count]
        for _ in range(2):
            chunk -= (chunk @ done.T) @ done
        start = count
        for c in range(chunk.shape[0]):
            v = chunk[c]
            if count > start:
                local = basis[start:count]
                for _ in range(2):
                    v = v - (local @ v) @ local
            size = np.sqrt(v @ v)
            if size >= tol * norms[first + c]:
                kept.append(first + c)
                basis[count] = v / size
                count += 1
    return np.array(kept, dtype=np.int64)


def _independent_whitening(mean: np.ndarray, var: np.ndarray, first: np.ndarray,
                           second: np.ndarray):
    """``L^-1`` for the moments' covariance of independent items (mirt's null model).

    With ``Y_i = X_i - mu_i`` the moments are ``A u`` (plus constants), ``u = (Y_i, Y_i
    Y_j)`` uncorrelated with variances ``D = (v_i, v_i v_j)`` and ``A = [[I, 0], [B, I]]``,
    ``B[(i, j), i] = mu_j``, ``B[(i, j), j] = mu_i`` (as ``X_i X_j = Y_i Y_j + mu_i Y_j +
    mu_j Y_i + mu_i mu_j``). So ``Xi = A D A'`` and ``L = A D^(1/2)``: whitening costs
    O(moments) per vector instead of a Cholesky factorisation of Xi.
    """
    n_items = mean.size
    scale = 1.0 / np.sqrt(np.concatenate([var, var[first] * var[second]]))

    def whiten(x: np.ndarray) -> np.ndarray:
        top = x[:n_items]
        rest = x[n_items:] - (mean[second] * top[first].T).T - (mean[first] * top[second].T).T
        return (np.concatenate([top, rest]).T * scale).T

    return whiten


def _quadratic_form(xi: np.ndarray | None, delta: np.ndarray, resid: np.ndarray,
                    whiten=None) -> float:
    """mirt's ``r' Δc (Δc' Ξ Δc)^-1 Δc' r`` with ``Δc = qr.Q(qr(Δ), complete = TRUE)[,
    -(1:ncol(Δ))]``.

    The moments' Jacobian of polytomous items is often numerically rank deficient (the
    items' expected-score curves are nearly collinear over the grid). R's ``qr()`` then
    keeps ``r < ncol(Δ)`` columns (limited pivoting, tolerance 1e-7) and ``qr.Q`` applies
    only those ``r`` Householder reflections, so mirt's ``Δc`` is the orthogonal complement
    of the first ``ncol(Δ)`` columns of that ``Q``, not of ``Δ``. This is reproduced here
    (same reflections as LAPACK's ``dgeqrf``), and the statistic is computed as the squared
    residual of the whitened regression of ``r`` on that basis (``Ξ = LL'``: residual of
    ``L^-1 r`` on ``L^-1 Q_1``), which equals mirt's form without building the ``n x (n -
    p)`` complement. (The normal-equation form ``r'Ξ^-1 r - ...`` is unstable here: it
    squares the condition number of ``Δ``.) Mirt's explicit form when Ξ is not positive
    definite.
    """
    from scipy.linalg import cholesky, qr, solve_triangular
    from scipy.linalg.lapack import dgeqrf, dorgqr

    n, p = delta.shape
    if n <= p:  # no degrees of freedom: the caller reports it
        return float("nan")
    kept = _dqrdc2_rank(delta)
    if kept.size == p:  # full rank: Q's first p columns span the Jacobian's columns
        basis = delta
    else:
        factor, tau, _, info = dgeqrf(np.asfortranarray(delta[:, kept]))
        if info != 0:  # pragma: no cover - LAPACK argument error
            raise ArithmeticError("QR of the moments' Jacobian failed")
        padded = np.zeros((n, p), order="F")
        padded[:, : kept.size] = factor
        basis, _, info = dorgqr(padded, tau)  # first p columns of H_1 ... H_r
    if whiten is None:
        try:
            lower = cholesky(xi, lower=True, check_finite=False)
        except np.linalg.LinAlgError:
            full, _ = np.linalg.qr(basis, mode="complete")
            deltac = full[:, p:]
            inner = deltac.T @ resid
            return float(abs(inner @ np.linalg.solve(deltac.T @ xi @ deltac, inner)))

        def whiten(x: np.ndarray) -> np.ndarray:
            return solve_triangular(lower, x, lower=True, check_finite=False)

    white_basis = whiten(basis)
    white_resid = whiten(resid)
    q_white = qr(white_basis, mode="economic", check_finite=False)[0]
    rest = white_resid - q_white @ (q_white.T @ white_resid)
    return float(rest @ rest)


def null_parameters(spec: Spec, codes: np.ndarray) -> tuple[Spec, np.ndarray]:
    """mirt's null model: every slope 0 (fixed), intercepts at the marginal proportions."""
    null = Spec(spec.models, spec.n_cat, slope_fixed=True, variance_free=False)
    pars = np.full((len(spec.models), spec.k_max), np.nan)
    pars[:, 0] = 0.0
    for j, model in enumerate(spec.models):
        k = int(spec.n_cat[j])
        x = codes[:, j]
        prop = np.bincount(x[x >= 0], minlength=k) / np.sum(x >= 0)
        if model == "graded":
            upper = np.cumsum(prop[::-1])[::-1][1:]
            pars[j, 1:k] = np.log(upper / (1 - upper))
        else:
            pars[j, 1:k] = np.log(prop[1:] / prop[0])
    return null, pars


def rmsea(stat: float, df: int, n: int) -> float:
    """mirt's ``rmsea``: sqrt((X2/df - 1) / (N - 1)), 0 below."""
    if df <= 0:
        return float("nan")
    return float(np.sqrt(max(stat / df - 1, 0.0) / (n - 1)))


def rmsea_ci(stat: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """mirt's ``RMSEA.CI``: noncentrality bounds by root finding, sqrt(lambda / (N df))."""
    from scipy.optimize import brentq
    from scipy.stats import ncx2

    alpha = (1 - level) / 2

    def bound(target: float, upper: float) -> float:
        def f(lam: float) -> float:
            return ncx2.cdf(stat, df, lam) - target if lam > 0 else _chi2_cdf(stat, df) - target

        try:
            if f(0.0) * f(upper) > 0:
                return 0.0
            return brentq(f, 0.0, upper)
        except (ValueError, RuntimeError):
            return 0.0

    low = bound(1 - alpha, stat)
    high = bound(alpha, max(n, stat * 5))
    return float(np.sqrt(low / (n * df))), float(np.sqrt(high / (n * df)))


def _chi2_cdf(stat: float, df: int) -> float:
    from scipy.stats import chi2

    return float(chi2.cdf(stat, df))


# ------------------------------------------------------------------------------ S-X2
def _lord_wingersky_step(like: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """Add one item (its K x points probabilities) to sum-score likelihoods."""
    k = prob.shape[0]
    new = np.zeros((like.shape[0] + k - 1, like.shape[1]))
    for c in range(k):
        new[c: c + like.shape[0]] += like * prob[c]
    return new


def _convolve_scores(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Sum-score likelihoods of two disjoint item sets combined (scores x points each)."""
    if first.shape[0] > second.shape[0]:
        first, second = second, first
    out = np.zeros((first.shape[0] + second.shape[0] - 1, first.shape[1]))
    for t in range(first.shape[0]):
        out[t: t + second.shape[0]] += first[t] * second
    return out


def _lord_wingersky(prob_list: list[np.ndarray]) -> np.ndarray:
    """Likelihood of each sum score over the grid (scores x points), items' P: K x points."""
    like = np.ones((1, prob_list[0].shape[1])) if prob_list else np.ones((1, 1))
    for prob in prob_list:
        like = _lord_wingersky_step(like, prob)
    return like


def _collapse_cells(observed: np.ndarray, expected: np.ndarray, mincell: float = 1.0):
    """mirt 1.47's ``collapseCells`` for one item (rows: sum scores, columns: categories)."""
    on = observed.astype(float).copy()
    en = expected.astype(float).copy()
    drop = np.flatnonzero(np.isnan(en).any(axis=1))
    en = np.nan_to_num(en)
    if drop.size:
        half = drop.size // 2
        up = np.arange(drop[0], drop[half - 1] + 1) if half >= 1 else np.array([], int)
        low = np.arange(drop[half], drop[-1] + 1)
        if up.size:
            en[up.max() + 1] = en[np.r_[up, up.max() + 1]].sum(axis=0)
            on[up.max() + 1] = on[np.r_[up, up.max() + 1]].sum(axis=0)
        en[low.min() - 1] = en[np.r_[low, low.min() - 1]].sum(axis=0)
        on[low.min() - 1] = on[np.r_[low, low.min() - 1]].sum(axis=0)
        keep = np.setdiff1d(np.arange(len(en)), np.r_[up, low])
        en, on = en[keep], on[keep]
    if len(on) == 0:
        return on, en
    keep = on.sum(axis=1) != 0
    on, en = on[keep], en[keep]
    small = en < mincell  # computed before the merges below, as mirt does
    dropped = []
    totals = on.sum(axis=1)  # kept current as rows merge forward
    for j in range(len(on) - 1):
        if totals[j] == 1:
            dropped.append(j)
            on[j + 1] += on[j]
            en[j + 1] += en[j]
            totals[j + 1] += totals[j]
    if dropped:
        keep = np.setdiff1d(np.arange(len(on)), dropped)
        on, en = on[keep], en[keep]
    if len(on) > 1 and on[-1].sum() == 1:
        on[-2] += on[-1]
        en[-2] += en[-1]
        on, en = on[:-1], en[:-1]
    n_col = en.shape[1]
    if n_col > 2:
        small_rows = small.any(axis=1)
        for j in range(len(en)):
            if j >= len(small_rows) or not small_rows[j]:
                continue
            tmp, tmp2 = en[j].tolist(), on[j].tolist()  # Python floats: fast scalar work
            while len(tmp) > 2:
                m = min(tmp)
                whc = max(i for i, v in enumerate(tmp) if v == m)
                if whc == 0:
                    tmp[1] += tmp[0]
                    tmp2[1] += tmp2[0]
                elif whc == len(tmp) - 1:
                    tmp[-2] += tmp[-1]
                    tmp2[-2] += tmp2[-1]
                else:
                    left = min(tmp[whc - 1], tmp[whc + 1]) == tmp[whc - 1]
                    pick = whc - 1 if left else whc + 1
                    tmp[pick] += tmp[whc]
                    tmp2[pick] += tmp2[whc]
                del tmp[whc], tmp2[whc]
                if all(v >= mincell for v in tmp):
                    break
            en[j] = tmp + [np.nan] * (n_col - len(tmp))
            on[j] = tmp2 + [0.0] * (n_col - len(tmp2))
    en = np.nan_to_num(en)
    if en.shape[1] > 2:
        while True:
            pick = en.sum(axis=0) < mincell * np.ceil(len(en) * 0.1)
            if not pick[-1] or en.shape[1] == 2:
                break
            on[:, -2] += on[:, -1]
            en[:, -2] += en[:, -1]
            on, en = on[:, :-1], en[:, :-1]
    dropcol = np.zeros(en.shape[1], dtype=bool)
    for j in range(en.shape[1] - 1, 0, -1):
        if np.mean(en[:, j] > 0) < 0.05:
            dropcol[j] = True
            en[:, j - 1] += en[:, j]
            on[:, j - 1] += on[:, j]
    en, on = en[:, ~dropcol], on[:, ~dropcol]
    if en.ndim == 2 and len(en) > 1 and en.shape[1] > 1:
        # merge the first row holding a small nonzero cell into its neighbour, until none:
        # rows as a list, each row's flag kept current (only the merged row changes)
        en_rows, on_rows = list(en), list(on)
        flag = ((en < mincell) & (en != 0)).any(axis=1).tolist()
        while len(en_rows) > 1 and True in flag:
            whc = flag.index(True)
            if whc == 0:
                pick = 1
            elif whc == len(en_rows) - 1:
                pick = whc - 1
            else:
                before, after = on_rows[whc - 1].sum(), on_rows[whc + 1].sum()
                pick = whc - 1 if before == min(before, after) else whc + 1
            en_rows[pick] = en_rows[pick] + en_rows[whc]
            on_rows[pick] = on_rows[pick] + on_rows[whc]
            flag[pick] = bool(np.any((en_rows[pick] < mincell) & (en_rows[pick] != 0)))
            del en_rows[whc], on_rows[whc], flag[whc]
        en, on = np.array(en_rows), np.array(on_rows)
    en = np.where(en == 0, np.nan, en)
    return on, en


def s_x2(spec: Spec, pars: np.ndarray, variance: float, codes: np.ndarray,
         mincell: float = 1.0, corr: np.ndarray | None = None
         ) -> tuple[np.ndarray, np.ndarray]:
    """Orlando & Thissen's (2000) S-X2 and its df for every item, as mirt's ``itemfit``
    (a multidimensional model integrated over mirt's product grid, ``corr`` its factor
    correlations)."""
    theta, prior = _integration(spec, variance, corr)
    n_items = len(spec.models)
    probs = _item_probabilities(spec, pars, theta)
    # the sum-score likelihoods without each item: prefix and suffix recursions, then one
    # convolution per item (instead of a recursion over the other items for each)
    prefix = [np.ones((1, len(theta)))]
    for prob in probs:
        prefix.append(_lord_wingersky_step(prefix[-1], prob))
    suffix = [np.ones((1, len(theta)))]
    for prob in probs[::-1]:
        suffix.append(_lord_wingersky_step(suffix[-1], prob))
    suffix = suffix[::-1]  # suffix[i]: items i .. J-1
    total = prefix[-1] @ prior  # P(sum score)
    sums = codes.sum(axis=1)
    n_scores = total.size
    stats = np.full(n_items, np.nan)
    dfs = np.zeros(n_items, dtype=int)
    for i in range(n_items):
        k = int(spec.n_cat[i])
        rest = _convolve_scores(prefix[i], suffix[i + 1])
        expected = np.full((n_scores, k), np.nan)
        for c in range(k):
            expected[c: c + rest.shape[0], c] = (rest @ (probs[i][c] * prior)) / total[
                c: c + rest.shape[0]]
        observed = np.zeros((n_scores, k))
        np.add.at(observed, (sums, codes[:, i]), 1.0)
        observed, expected = observed[1:-1], expected[1:-1]
        expected = expected * observed.sum(axis=1, keepdims=True)
        on, en = _collapse_cells(observed, expected, mincell)
        if en.ndim != 2 or len(en) == 0:
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            stats[i] = np.nansum((on - en) ** 2 / en)
        n_par = int(spec.free[i].sum()) if hasattr(spec, "n_factors") else int(
            spec.free[i, :k].sum())
        if spec.constraint is not None:  # mirt counts the item's own b's and c
            n_par = spec.constraint.item_parameter_count(i)
        dfs[i] = int(np.sum(~np.isnan(en)) - len(en) - n_par - int(spec.variance_free))
    dfs = np.maximum(dfs, 0)
    stats[dfs == 0] = np.nan
    return stats, dfs


def _c2_univariate(
    codes: np.ndarray, probs: list[np.ndarray], dprobs: list[np.ndarray], ei: np.ndarray,
    pair: np.ndarray, e2: np.ndarray, prior: np.ndarray, first: np.ndarray,
    second: np.ndarray, n_free: int, dw: np.ndarray | None, seen: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """C2's univariate part: proportions of categories 1 .. K-1, their Jacobian and the
    blocks of Xi involving them (mirt's ``buildXi2els_C2``)."""
    item_of = np.concatenate([np.full(p.shape[0], j) for j, p in enumerate(probs)])
    cat_of = np.concatenate([np.arange(1, p.shape[0] + 1) for p in probs])
    pis = np.concatenate(probs)  # categories x points
    n_cat = pis.shape[0]
    observed = np.array([np.sum(codes[:, j] == c) for j, c in zip(item_of, cat_of, strict=True)])
    n_i = seen.sum(axis=0)[item_of]
    p1 = observed / n_i
    e1 = pis @ prior
    delta1 = np.zeros((n_cat, n_free))
    starts = np.concatenate([[0], np.cumsum([d.shape[1] for d in dprobs])])
    row = 0
    for j, d in enumerate(dprobs):
        delta1[row: row + d.shape[0], starts[j]: starts[j + 1]] = d @ prior
        row += d.shape[0]
    if dw is not None:  # the latent variance or correlations
        delta1[:, n_free - dw.shape[1]:] = pis @ dw
    xi11 = (pis * prior) @ pis.T
    same_item = item_of[:, None] == item_of[None, :]
    xi11[same_item] = 0.0
    np.fill_diagonal(xi11, e1)
    xi11 -= np.outer(e1, e1)
    xi12 = (pis * prior) @ pair.T
    for m in range(n_cat):
        j, c = item_of[m], cat_of[m]
        mine = np.flatnonzero(first == j)
        xi12[m, mine] = (c * pis[m] * ei[second[mine]]) @ prior
        mine = np.flatnonzero(second == j)
        xi12[m, mine] = (c * pis[m] * ei[first[mine]]) @ prior
    xi12 -= np.outer(e1, e2)
    return p1, delta1, xi11, xi12, n_i
