"""Many CFAs of one structure at once: batched maximum likelihood for short-form searches.

Every candidate of a short-form search has the same model (each item loads one factor, the
first item of each factor is its marker with loading 1, factor covariances and residual
variances free); only the items differ. So the candidates' covariance submatrices are
stacked into one array ``(B, p, p)`` and fitted together by Fisher scoring on lavaan's ML
discrepancy

    F(Sigma) = log|Sigma| + tr(S Sigma^-1) - log|S| - p,   chisq = N F,

(S with divisor N, as lavaan's ``sample.cov``). Each parameter's derivative of Sigma is a
symmetric rank-2 matrix ``a b' + b a'`` (a loading: ``e_k (Lambda Psi)_f'``; a factor
(co)variance: ``lambda_f lambda_g'``; a residual variance: ``e_k e_k' / 2``), so the
expected information ``tr(W A_s W A_t)`` (W = Sigma^-1) and the gradient are a few batched
matrix products instead of a loop over candidates.

Admissibility as lavaan's ``post.check`` (what stuart asks of every candidate, Schultze &
Eid 2018): a candidate whose estimation did not converge, with a negative residual or
factor variance, or a latent covariance matrix that is not positive definite, is
inadmissible, with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__: list[str] = []

#: Newton steps once Fisher scoring's step is below this (relative to the parameters).
NEWTON_FROM = 0.1


@dataclass(frozen=True)
class BatchFit:
    """Estimates and fit of B candidates of one structure (arrays over the batch).

    ``lam`` (B, p): each item's loading on its factor (markers 1); ``psi`` (B, m, m);
    ``theta`` (B, p); ``fmin`` (B,): F at the estimate; ``chisq``, ``df``, ``rmsea``,
    ``srmr``, ``cfi`` (B,); ``crel`` (B,): stuart's composite reliability of the whole
    model, ``sum(L Psi L') / (sum(L Psi L') + sum(Theta))``; ``rel`` (B, m): each factor's;
    ``converged`` (B,); ``reason``: per candidate, "" when admissible. Full-information
    fits (:mod:`._shorten_fiml`) add ``loglik`` and ``loglik_h1`` (lavaan's ``logl`` and
    ``unrestricted.logl``), the intercepts ``nu`` (B, p) and the respondents ``n`` (B,).
    """

    lam: np.ndarray
    psi: np.ndarray
    theta: np.ndarray
    fmin: np.ndarray
    chisq: np.ndarray
    df: int
    rmsea: np.ndarray
    srmr: np.ndarray
    cfi: np.ndarray
    crel: np.ndarray
    rel: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    reason: list[str]
    loglik: np.ndarray | None = None
    loglik_h1: np.ndarray | None = None
    nu: np.ndarray | None = None
    n: np.ndarray | None = None

    @property
    def admissible(self) -> np.ndarray:
        return np.array([not r for r in self.reason], dtype=bool)


def sample_covariance(values: np.ndarray) -> np.ndarray:
    """Covariance with divisor N (lavaan's ML ``sample.cov``) of complete rows."""
    centred = values - values.mean(axis=0)
    return centred.T @ centred / len(values)


def candidate_moments(values: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate's covariance (divisor N) over its own complete rows, as lavaan's
    ``missing = "listwise"`` on the candidate's items.

    ``values`` (n, P) with NaN for missing answers; ``idx`` (B, p) the candidates' columns.
    Returns S (B, p, p) and N (B,).
    """
    observed = ~np.isnan(values)
    filled = np.where(observed, values, 0.0)
    if observed.all():
        cov = sample_covariance(values)
        return cov[idx[:, :, None], idx[:, None, :]], np.full(len(idx), len(values))
    rows = observed[:, idx].all(axis=2).T.astype(float)  # (B, n): complete on the candidate
    n = rows.sum(axis=1)
    x = filled[:, idx].transpose(1, 0, 2)  # (B, n, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.einsum("bn,bnp->bp", rows, x) / n[:, None]
        centred = (x - mean[:, None, :]) * rows[:, :, None]
        cov = np.einsum("bnp,bnq->bpq", centred, centred) / n[:, None, None]
    return cov, n.astype(int)


def _structure(factor_of: Sequence[int]) -> tuple[np.ndarray, np.ndarray, int]:
    f = np.asarray(factor_of, dtype=int)
    m = int(f.max()) + 1
    markers = np.array([int(np.flatnonzero(f == g)[0]) for g in range(m)])
    return f, markers, m


def _free_parameters(p: int, markers: np.ndarray, m: int) -> tuple[np.ndarray, tuple, int]:
    """Free loadings (non-markers), factor (co)variance pairs (g <= h, row-major) and the
    degrees of freedom of the covariance structure."""
    free_lam = np.array([j for j in range(p) if j not in set(markers)], dtype=int)
    tri = np.tril_indices(m)
    tri = (tri[1], tri[0])  # (g <= h) pairs, row-major over g
    order = np.lexsort((tri[1], tri[0]))
    tri = (tri[0][order], tri[1][order])
    n_par = len(free_lam) + len(tri[0]) + p
    return free_lam, tri, p * (p + 1) // 2 - n_par


def _implied(lam: np.ndarray, psi: np.ndarray, theta: np.ndarray, f: np.ndarray) -> np.ndarray:
    psi_items = psi[:, f][:, :, f]
    sigma = lam[:, :, None] * lam[:, None, :] * psi_items
    idx = np.arange(lam.shape[1])
    sigma[:, idx, idx] += theta
    return sigma


def _start(s: np.ndarray, f: np.ndarray, markers: np.ndarray, m: int) -> tuple:
    """Start values: loadings by FABIN 3 (lavaan's default start: two-stage least squares
    with the factor's other non-marker items as instruments; 1 for a factor of two items),
    factor (co)variances from the marker covariances, residual variances half the item
    variance's unexplained part (bounded to [0.1, 0.9] of the variance)."""
    b, p, _ = s.shape
    lam = np.ones((b, p))
    for g in range(m):
        items = np.flatnonzero(f == g)
        marker = markers[g]
        for j in items:
            if j == marker:
                continue
            z = [k for k in items if k not in (j, marker)]
            if not z:
                continue
            szz = s[:, z][:, :, z]
            sz1 = s[:, z, marker]
            szj = s[:, z, j]
            try:
                w = np.linalg.solve(szz, sz1[:, :, None])[:, :, 0]
            except np.linalg.LinAlgError:
                w = sz1
            num = np.einsum("bk,bk->b", w, szj)
            den = np.einsum("bk,bk->b", w, sz1)
            with np.errstate(divide="ignore", invalid="ignore"):
                value = num / den
            lam[:, j] = np.where(np.isfinite(value), value, 1.0)
    psi = np.zeros((b, m, m))
    diag = np.arange(p)
    var = s[:, diag, diag]
    for g in range(m):
        items = np.flatnonzero(f == g)
        others = [j for j in items if j != markers[g]]
        if others:
            with np.errstate(divide="ignore", invalid="ignore"):
                est = np.nanmean(s[:, markers[g], others] / lam[:, others], axis=1)
        else:
            est = var[:, markers[g]] / 2
        psi[:, g, g] = np.where(np.isfinite(est) & (est > 0), est,
                                0.5 * var[:, markers[g]])
    for g in range(m):
        for h in range(g + 1, m):
            a, c = np.flatnonzero(f == g), np.flatnonzero(f == h)
            with np.errstate(divide="ignore", invalid="ignore"):
                cross = s[:, a][:, :, c] / (lam[:, a, None] * lam[:, None, c])
                est = np.nanmean(cross.reshape(b, -1), axis=1)
            bound = 0.9 * np.sqrt(psi[:, g, g] * psi[:, h, h])
            est = np.clip(np.where(np.isfinite(est), est, 0.0), -bound, bound)
            psi[:, g, h] = psi[:, h, g] = est
    common = lam ** 2 * psi[:, f, f]
    theta = np.clip(var - common, 0.1 * var, 0.9 * var)
    return lam, psi, theta


def _pack(lam: np.ndarray, psi: np.ndarray, theta: np.ndarray, free_lam: np.ndarray,
          tri: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    return np.concatenate([lam[:, free_lam], psi[:, tri[0], tri[1]], theta], axis=1)


def _unpack(x: np.ndarray, p: int, m: int, free_lam: np.ndarray,
            tri: tuple[np.ndarray, np.ndarray]) -> tuple:
    b = len(x)
    n_lam, n_psi = len(free_lam), len(tri[0])
    lam = np.ones((b, p))
    lam[:, free_lam] = x[:, :n_lam]
    psi = np.zeros((b, m, m))
    psi[:, tri[0], tri[1]] = x[:, n_lam:n_lam + n_psi]
    psi[:, tri[1], tri[0]] = x[:, n_lam:n_lam + n_psi]
    theta = x[:, n_lam + n_psi:]
    return lam, psi, theta


def _discrepancy(sigma: np.ndarray, s: np.ndarray, logdet_s: np.ndarray) -> tuple:
    """F per candidate and W = Sigma^-1 (F = inf where Sigma is not positive definite)."""
    p = s.shape[1]
    sign, logdet = np.linalg.slogdet(sigma)
    ok = sign > 0
    w = np.empty_like(sigma)
    f = np.full(len(sigma), np.inf)
    if ok.any():
        w[ok] = np.linalg.inv(sigma[ok])
        f[ok] = (logdet[ok] + np.einsum("bij,bji->b", s[ok], w[ok]) - logdet_s[ok] - p)
    w[~ok] = np.nan
    return f, w, ok


def pick_block(src: np.ndarray, i: np.ndarray, j: np.ndarray, q: int) -> np.ndarray:
    """Rows ``i * q + j`` of a batch-last (q*q, B) array as (len i, len j, B)."""
    return src[(i[:, None] * q + j[None, :]).ravel()].reshape(len(i), len(j), -1)


class _Layout:
    """The parameters of one structure as rank-2 pieces over a small basis.

    Every dSigma/dx_t is ``c_t (z_i z_j' + z_j z_i')`` with z from the basis
    ``Z = [I_p | L | U]`` (L: each factor's loadings, zero elsewhere; U = L Psi): a loading
    of item k on factor g is ``(e_k, U_g)``, a factor (co)variance (g, h) ``(L_g, L_h)`` (half
    for g = h), a residual variance ``(e_k, e_k) / 2``. So the information, the gradient and
    the Hessian are gathers from ``Z' W Z`` and ``Z' V Z`` (W = Sigma^-1, V = W S W), two
    (p + 2m)-square products per candidate.
    """

    def __init__(self, f: np.ndarray, free_lam: np.ndarray, tri: tuple, p: int, m: int) -> None:
        ia, ib, cb = [], [], []
        for k in free_lam:
            ia.append(k), ib.append(p + m + f[k]), cb.append(1.0)
        for g, h in zip(*tri, strict=True):
            ia.append(p + g), ib.append(p + h), cb.append(0.5 if g == h else 1.0)
        for k in range(p):
            ia.append(k), ib.append(k), cb.append(0.5)
        self.ia, self.ib, self.cb = np.array(ia), np.array(ib), np.array(cb)
        self.onehot = (f[:, None] == np.arange(m)[None, :]).astype(float)
        self.eye = np.eye(p)
        n_lam = len(free_lam)
        self.n_lam = n_lam
        self.fk = f[free_lam]
        self.free_lam = free_lam
        # loading x factor (co)variance second derivatives: 2 (M L_other)_k
        cross = []
        for c, (g, h) in enumerate(zip(*tri, strict=True)):
            for col, k in enumerate(free_lam):
                if f[k] == g:
                    cross.append((col, n_lam + c, k, p + h))
                elif f[k] == h:
                    cross.append((col, n_lam + c, k, p + g))
        self.cross = np.array(cross, dtype=int).reshape(-1, 4)

    def system(self, lam: np.ndarray, psi: np.ndarray, s: np.ndarray, w: np.ndarray,
               newton: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Gradient, the matrix of the step (the observed Hessian of F where ``newton``,
        the expected information elsewhere), and the expected information where
        ``newton`` (for a Newton step that does not descend)."""
        b = len(lam)
        big_l = lam[:, :, None] * self.onehot
        z = np.concatenate([np.broadcast_to(self.eye, (b, *self.eye.shape)), big_l,
                            big_l @ psi], axis=2)
        zt = np.swapaxes(z, 1, 2)
        wz = w @ z
        q = z.shape[2]
        # batch last: the gathers below copy contiguous rows
        zwz = np.ascontiguousarray((zt @ wz).reshape(b, -1).T)
        zvz = np.ascontiguousarray((zt @ (w @ (s @ wz))).reshape(b, -1).T)
        zmz = zwz - zvz
        ia, ib, cb = self.ia, self.ib, self.cb
        t = len(ia)

        def pick(src: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
            return src[(i[:, None] * q + j[None, :]).ravel()].reshape(t, t, b)

        cs, ct = cb[:, None, None], cb[None, :, None]
        bwa = cs * pick(zwz, ib, ia)
        bwb = cs * ct * pick(zwz, ib, ib)
        awa = pick(zwz, ia, ia)
        bva = cs * pick(zvz, ib, ia)
        bvb = cs * ct * pick(zvz, ib, ib)
        ava = pick(zvz, ia, ia)
        bwa_t, bva_t = bwa.transpose(1, 0, 2), bva.transpose(1, 0, 2)
        info = 2.0 * (bwa * bwa_t + bwb * awa)
        hessian = 2.0 * (bva * bwa_t + bvb * awa + ava * bwb + bva_t * bwa) - info
        grad = (2.0 * cb[:, None] * zmz[ib * q + ia]).T
        n, fk, free = self.n_lam, self.fk, self.free_lam
        psi_t = np.ascontiguousarray(psi.reshape(b, -1).T)
        m = psi.shape[1]
        hessian[:n, :n] += 2.0 * pick_block(psi_t, fk, fk, m) * pick_block(zmz, free, free, q)
        if len(self.cross):
            r, c, k, j = self.cross.T
            value = 2.0 * zmz[k * q + j]
            hessian[r, c] += value
            hessian[c, r] += value
        mat = np.where(newton, hessian, info)
        return (grad, np.ascontiguousarray(mat.transpose(2, 0, 1)),
                np.ascontiguousarray(info[:, :, newton].transpose(2, 0, 1)))


def _solve(mat: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(mat, rhs[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        return np.stack([np.linalg.lstsq(m_, r_, rcond=None)[0]
                         for m_, r_ in zip(mat, rhs, strict=True)])


def _step_outcome(step: np.ndarray, x: np.ndarray, grad: np.ndarray, accepted: np.ndarray,
                  tol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """After a step of every active candidate: Newton next (a relative step below
    :data:`NEWTON_FROM`), converged (a relative step below ``tol``, or no step accepted at a
    zero gradient) and stuck (no step accepted elsewhere)."""
    size = np.max(np.abs(step) / np.maximum(1.0, np.abs(x)), axis=1)
    done = (size < tol) | (~accepted & (np.max(np.abs(grad), axis=1) < 1e-9))
    return size < NEWTON_FROM, done, ~accepted & ~done


def _scoring_step(mat: np.ndarray, info: np.ndarray, grad: np.ndarray,
                  use: np.ndarray) -> np.ndarray:
    """Newton steps where ``use`` (``mat`` is then the Hessian), Fisher scoring elsewhere;
    a Newton step that is not a descent direction falls back to scoring (``info``, which
    holds the ``use`` rows' information matrices)."""
    step = _solve(mat, grad)
    if use.any():
        descent = np.einsum("bt,bt->b", step[use], grad[use])
        bad = ~(np.isfinite(descent) & (descent > 0))
        if bad.any():
            rows = np.flatnonzero(use)[bad]
            step[rows] = _solve(info[bad], grad[rows])
    return step


def fit_batch(s: np.ndarray, n_obs: int | np.ndarray, factor_of: Sequence[int], *,
              meanstructure: bool = True, max_iter: int = 200, tol: float = 1e-8,
              items: Sequence[Sequence[str]] | None = None) -> BatchFit:
    """ML fits of one CFA structure to B covariance matrices at once.

    Parameters
    ----------
    s : ndarray (B, p, p)
        Sample covariances with divisor N (lavaan's ML ``sample.cov``).
    n_obs : int or ndarray (B,)
        Respondents N behind each matrix (chisq = N F, as lavaan's normal likelihood).
    factor_of : sequence of int (p,)
        Factor of each item (0..m-1); the first item of each factor is its marker.
    meanstructure : bool, default True
        SRMR counts the (zero) mean residuals of a model with free intercepts, as lavaan
        does for stuart's models (intercepts in the syntax).
    max_iter, tol : int, float
        Fisher-scoring iterations; convergence when the largest step is below ``tol``
        (relative to the parameter) and F no longer decreases.
    items : sequence of sequences of str, optional
        Item names per candidate, used in the reasons ("negative ov variances (x, y)").
    """
    s = np.asarray(s, dtype=float)
    bsize, p, _ = s.shape
    f, markers, m = _structure(factor_of)
    free_lam, tri, df = _free_parameters(p, markers, m)
    sign_s, logdet_s = np.linalg.slogdet(s)
    x = _pack(*_start(s, f, markers, m), free_lam, tri)
    lam, psi, theta = _unpack(x, p, m, free_lam, tri)
    fval, w, ok = _discrepancy(_implied(lam, psi, theta, f), s, logdet_s)
    if not ok.all():  # a start outside the cone: diagonal psi, half variances
        bad = ~ok
        lam0, psi0, _ = _unpack(x[bad], p, m, free_lam, tri)
        psi0 = psi0 * np.eye(m)
        var = s[bad][:, np.arange(p), np.arange(p)]
        x[bad] = _pack(lam0, psi0, 0.5 * var, free_lam, tri)
        lam, psi, theta = _unpack(x, p, m, free_lam, tri)
        fval, w, ok = _discrepancy(_implied(lam, psi, theta, f), s, logdet_s)
    layout = _Layout(f, free_lam, tri, p, m)
    converged = np.zeros(bsize, dtype=bool)
    newton = np.zeros(bsize, dtype=bool)
    iterations = np.zeros(bsize, dtype=int)
    active = np.flatnonzero(ok & (sign_s > 0))
    for it in range(1, max_iter + 1):
        if not len(active):
            break
        xa, sa = x[active], s[active]
        lam, psi, theta = _unpack(xa, p, m, free_lam, tri)
        wa = w[active]
        # Fisher scoring far from the optimum (robust), Newton near it (quadratic)
        use = newton[active]
        grad, mat, info = layout.system(lam, psi, sa, wa, use)
        step = _scoring_step(mat, info, grad, use)
        f_old = fval[active]
        scale = np.ones(len(active))
        accepted = np.zeros(len(active), dtype=bool)
        new_x, new_f, new_w = xa.copy(), f_old.copy(), wa.copy()
        for _ in range(12):  # step halving where F does not decrease or Sigma is not PD
            todo = ~accepted
            cand = xa[todo] - scale[todo, None] * step[todo]
            lam_c, psi_c, theta_c = _unpack(cand, p, m, free_lam, tri)
            f_c, w_c, ok_c = _discrepancy(_implied(lam_c, psi_c, theta_c, f), sa[todo],
                                          logdet_s[active][todo])
            slack = 1e-12 * np.maximum(1.0, np.abs(f_old[todo]))
            # F >= 0 for every positive definite Sigma: below, the inverse is unreliable
            good = ok_c & (f_c > -1e-8) & (f_c <= f_old[todo] + slack)
            idx = np.flatnonzero(todo)[good]
            new_x[idx], new_f[idx], new_w[idx] = cand[good], f_c[good], w_c[good]
            accepted[idx] = True
            scale[todo & ~accepted] /= 2
            if accepted.all():
                break
        x[active], fval[active], w[active] = new_x, new_f, new_w
        iterations[active] = it
        newton[active], done, stuck = _step_outcome(step, xa, grad, accepted, tol)
        converged[active[done]] = True
        active = active[~done & ~stuck]
    lam, psi, theta = _unpack(x, p, m, free_lam, tri)
    return _finish(s, n_obs, f, m, lam, psi, theta, fval, df, converged, iterations,
                   meanstructure, items, ok & (sign_s > 0))


def _finish(s, n_obs, f, m, lam, psi, theta, fval, df, converged, iterations, meanstructure,
            items, usable, fiml: dict | None = None) -> BatchFit:
    """Fit measures, reliabilities and admissibility. ``fiml`` (full-information ML):
    ``fx_h1`` and ``fx_null`` (-2 logl / N of the saturated and independence models,
    without ``log 2 pi``), ``mean_h1`` and ``mu`` (the SRMR's mean residuals), ``nu``,
    ``n_observed``; ``s`` is then the saturated (EM) covariance, ``fval`` -2 logl / N."""
    bsize, p, _ = s.shape
    n_obs = np.broadcast_to(np.asarray(n_obs, dtype=float), (bsize,))
    sigma = _implied(lam, psi, theta, f)
    excess = fval - fiml["fx_h1"] if fiml is not None else fval
    chisq = np.where(usable, n_obs * excess, np.nan)
    chisq = np.where(np.abs(chisq) < 1e-12, 0.0, chisq)
    if df > 0:
        rmsea = np.sqrt(np.maximum(chisq / n_obs / df - 1.0 / n_obs, 0.0))
    else:
        rmsea = np.where(np.isfinite(chisq), 0.0, np.nan)
    diag = np.arange(p)
    sd = np.sqrt(s[:, diag, diag])
    resid = (s - sigma) / (sd[:, :, None] * sd[:, None, :])
    low = np.tril_indices(p)
    count = len(low[0]) + (p if meanstructure else 0)
    square = np.sum(resid[:, low[0], low[1]] ** 2, axis=1)
    if fiml is not None:  # lavaan: the mean residuals against the EM means
        square += np.sum(((fiml["mean_h1"] - fiml["mu"]) / sd) ** 2, axis=1)
        chisq_null = n_obs * (fiml["fx_null"] - fiml["fx_h1"])
    else:
        _, logdet_s = np.linalg.slogdet(s)
        chisq_null = n_obs * (np.sum(np.log(s[:, diag, diag]), axis=1) - logdet_s)
    srmr = np.sqrt(square / count)
    df_null = p * (p - 1) // 2
    num = np.maximum(chisq - df, 0.0)
    den = np.maximum(np.maximum(chisq - df, chisq_null - df_null), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cfi = np.where(den > 0, 1.0 - num / den, 1.0)
    common = np.einsum("bi,bij,bj->b", lam, psi[:, f][:, :, f], lam)
    total_theta = theta.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        crel = common / (common + total_theta)
        rel = np.empty((bsize, m))
        for g in range(m):
            mask = f == g
            c = lam[:, mask].sum(axis=1) ** 2 * psi[:, g, g]
            rel[:, g] = c / (c + theta[:, mask].sum(axis=1))
    eig_min = np.linalg.eigvalsh(psi)[:, 0] if m > 1 else psi[:, 0, 0]
    reasons = []
    for b in range(bsize):
        why = []
        if not usable[b]:
            why.append("the sample covariance matrix or every start is not positive definite")
        elif not converged[b]:
            why.append("the estimation did not converge")
        if usable[b]:
            neg = np.flatnonzero(theta[b] < 0)
            if len(neg):
                names = ([items[b][j] for j in neg] if items is not None
                         else [str(j + 1) for j in neg])
                why.append("some estimated ov variances are negative (" + ", ".join(names)
                           + ")")
            if (psi[b, np.arange(m), np.arange(m)] < 0).any():
                why.append("some estimated lv variances are negative")
            elif m > 1 and eig_min[b] <= 0:
                why.append("covariance matrix of latent variables is not positive definite")
        reasons.append("; ".join(why))
    extra = {}
    if fiml is not None:
        log_2pi = float(np.log(2.0 * np.pi))
        extra = {"loglik": -0.5 * (n_obs * fval + fiml["n_observed"] * log_2pi),
                 "loglik_h1": -0.5 * (n_obs * fiml["fx_h1"] + fiml["n_observed"] * log_2pi),
                 "nu": fiml["nu"], "n": n_obs.astype(int)}
    return BatchFit(lam=lam, psi=psi, theta=theta, fmin=fval, chisq=chisq, df=df, rmsea=rmsea,
                    srmr=srmr, cfi=cfi, crel=crel, rel=rel, converged=converged,
                    iterations=iterations, reason=reasons, **extra)
