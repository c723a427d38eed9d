"""Many full-information ML CFAs of one structure at once (lavaan's ``missing = "fiml"``).

stuart fits every candidate by lavaan's full-information ML when items are numeric (its
``run.lavaan()`` sets ``missing = "fiml"``). A candidate's -2 log-likelihood is the sum
over its respondents (those who answered at least one of its items; lavaan leaves the
others out) of ``log|Sigma_oo| + d_o' Sigma_oo^-1 d_o`` over the items they answered
(Arbuckle 1996). Here B candidates are evaluated together:

- the respondents complete on a candidate's items enter through one sufficient
  cross-product per candidate (``n_c log|Sigma| + tr(Sigma^-1 T_c)``); only the few rows
  with some (not all) of its items skipped are handled one by one, as (candidate, row)
  pairs grouped by their number ``k`` of skipped items: with ``L = Sigma^-1``,
  ``log|Sigma_oo| = log|Sigma| + log|L_mm|`` and ``Sigma_oo^-1`` padded with zeros is
  ``L - L[:, m] L_mm^-1 L[m, :]`` (a batched ``k x k`` inverse per pair, as the
  library's one-candidate FIML, :mod:`alliance_scale.psychometrics`);
- the same pass gives the E-step moments (Dempster, Laird & Rubin 1977): the conditional
  means ``mu_m - L_mm^-1 (L d)_m`` and covariances ``L_mm^-1`` of the skipped answers,
  so the completed cross-product ``S*`` and mean ``m*``. The FIML gradient in the
  covariance parameters is the complete-data ML gradient at ``S*`` (``L - L S* L``)
  and in the means ``2 L (mu - m*)``;
- the saturated model (lavaan's h1, the chi-square's reference, the SRMR's moments) is
  lavaan's EM (start: available-case means and variances; stop when no mean or
  covariance moves by 1e-5), batched over candidates; the independence model's FIML
  estimates are each item's available-case mean and variance (the likelihood factors
  over items), so the CFI's baseline is closed-form.

The model is fitted by :mod:`._shorten_batch`'s Fisher scoring / Newton steps on the
complete-data discrepancy at ``S*`` (an EM-gradient step, Lange 1995: its gradient is
the exact FIML gradient; the rate of the last iterations is the fraction of missing
information) with the means' exact step ``mu -> m*``, step-halving on the FIML
likelihood. Fit measures as lavaan 0.6.14's ``fitMeasures`` under FIML: ``chisq = 2
(logl_h1 - logl)``, RMSEA with N the respondents kept, CFI against the FIML
independence model, SRMR (Bentler's, with the mean residuals) against the EM moments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..psychometrics._cfa._fiml import small_inverse
from ._shorten_batch import (
    BatchFit,
    _finish,
    _free_parameters,
    _implied,
    _Layout,
    _pack,
    _scoring_step,
    _start,
    _step_outcome,
    _structure,
    _unpack,
)

__all__: list[str] = []


@dataclass(frozen=True)
class Pool:
    """The respondents of B candidates (columns ``idx`` of the responses), for FIML.

    Answers are shifted by each item's available-case mean (``shift``, (B, p)) for
    numerical accuracy. ``n`` (B,): respondents with at least one answer on the items;
    ``n_observed`` (B,): answers; ``n_c``, ``sum_c`` (B, p), ``cross_c`` (B, p, p):
    count, sum and cross-product of the rows complete on the items; ``cand`` and
    ``slot``: the (candidate, row) pairs with some items skipped, in candidate order, and
    the pair's place among its candidate's; ``x_pad`` and ``obs_pad`` (B, R, p): their
    answers (0 where skipped, and in unused places) and what was answered; ``n_pad``
    (B,): the pairs per candidate; ``blocks``: per number k of skipped items, the pairs
    and their skipped positions (P_k, k). ``mean0``, ``var0`` (B, p): the EM start (available-case
    means and variances); ``fx_null`` (B,): -2 logl / N of the independence model.
    """

    n: np.ndarray
    n_observed: np.ndarray
    n_c: np.ndarray
    sum_c: np.ndarray
    cross_c: np.ndarray
    cand: np.ndarray
    slot: np.ndarray
    x_pad: np.ndarray
    obs_pad: np.ndarray
    n_pad: np.ndarray
    blocks: list[tuple[np.ndarray, np.ndarray]]
    shift: np.ndarray
    mean0: np.ndarray
    var0: np.ndarray
    fx_null: np.ndarray


def candidate_pool(values: np.ndarray, idx: np.ndarray) -> Pool:
    """The :class:`Pool` of candidates ``idx`` (B, p) of the responses ``values`` (n, P),
    NaN where an item was skipped."""
    values = np.asarray(values, dtype=float)
    idx = np.asarray(idx, dtype=int)
    bsize, p = idx.shape
    observed = ~np.isnan(values)
    count = observed.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = np.where(count > 0, np.nansum(values, axis=0) / np.maximum(count, 1), 0.0)
        z = np.where(observed, values - centre, 0.0)
        # lavaan's EM start and the independence model: available cases, divisor n_j
        mean0 = z.sum(axis=0) / count
        var0 = (np.where(observed, z - mean0, 0.0) ** 2).sum(axis=0) / count
        fx_item = count * (np.log(var0) + 1.0)
    full = observed.all(axis=1)
    zf = z[full]
    sum_c = np.broadcast_to(zf.sum(axis=0)[idx], (bsize, p)).copy()
    g2 = zf.T @ zf
    cross_c = g2[idx[:, :, None], idx[:, None, :]]
    n_c = np.full(bsize, float(full.sum()))
    part = np.flatnonzero(observed.any(axis=1) & ~full)
    answered = observed[part][:, idx].transpose(1, 0, 2)  # (B, R, p)
    zp = z[part][:, idx].transpose(1, 0, 2)
    given = answered.sum(axis=2)  # (B, R)
    complete = (given == p).astype(float)
    if len(part):
        sum_c += np.einsum("br,brp->bp", complete, zp)
        cross_c += np.einsum("brp,brq->bpq", zp * complete[:, :, None], zp)
        n_c += complete.sum(axis=1)
    incomplete = (given > 0) & (given < p)
    cand, rows = np.nonzero(incomplete)
    x, obs = zp[cand, rows], answered[cand, rows]
    n = n_c + incomplete.sum(axis=1)
    n_observed = n_c * p + np.bincount(cand, weights=given[cand, rows], minlength=bsize)
    skipped = p - given[cand, rows]
    slot = np.arange(len(cand)) - np.searchsorted(cand, cand)
    width = int(slot.max()) + 1 if len(cand) else 0
    x_pad = np.zeros((bsize, width, p))
    obs_pad = np.zeros((bsize, width, p), dtype=bool)
    x_pad[cand, slot], obs_pad[cand, slot] = x, obs
    blocks = []
    for k in np.unique(skipped):
        pairs = np.flatnonzero(skipped == k)
        blocks.append((pairs, np.nonzero(~obs[pairs])[1].reshape(len(pairs), int(k))))
    with np.errstate(invalid="ignore", divide="ignore"):
        fx_null = fx_item[idx].sum(axis=1) / n
    return Pool(n=n, n_observed=n_observed, n_c=n_c, sum_c=sum_c, cross_c=cross_c,
                cand=cand, slot=slot, x_pad=x_pad, obs_pad=obs_pad,
                n_pad=incomplete.sum(axis=1), blocks=blocks,
                shift=np.broadcast_to(centre[idx], (bsize, p)), mean0=mean0[idx],
                var0=var0[idx], fx_null=fx_null)


def _positive_definite(sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which matrices are positive definite, and their log-determinants (Cholesky; a
    batch with a failure is checked one by one)."""
    try:
        chol = np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        ok = np.linalg.eigvalsh(sigma)[:, 0] > 0
        logdet = np.zeros(len(sigma))
        if ok.any():
            logdet[ok] = _positive_definite(sigma[ok])[1]
        return ok, logdet
    diag = chol[:, np.arange(sigma.shape[1]), np.arange(sigma.shape[1])]
    return np.ones(len(sigma), dtype=bool), 2.0 * np.log(diag).sum(axis=1)


def estep(pool: Pool, sel: np.ndarray, sigma: np.ndarray, mu: np.ndarray,
          moments: bool = True) -> tuple:
    """-2 logl / N (without ``log 2 pi``) of candidates ``sel`` (ascending) at (Sigma, mu)
    (shifted scale), ``L = Sigma^-1`` and, with ``moments``, the E-step's completed
    moments about ``mu``: ``S*`` (b, p, p) and ``m* - mu`` (b, p). Not positive definite:
    F = inf."""
    b, p = mu.shape
    ok, logdet = _positive_definite(sigma)
    if not ok.all():
        sigma = np.where(ok[:, None, None], sigma, np.eye(p))
        logdet = np.where(ok, logdet, 0.0)
    inverse = np.linalg.inv(sigma)
    n_c, s1, s2 = pool.n_c[sel], pool.sum_c[sel], pool.cross_c[sel]
    s1_mu = s1[:, :, None] * mu[:, None, :]
    cross = (s2 - s1_mu - np.swapaxes(s1_mu, 1, 2)
             + n_c[:, None, None] * mu[:, :, None] * mu[:, None, :])
    total = n_c * logdet + np.einsum("bij,bji->b", cross, inverse)
    deviation = s1 - n_c[:, None] * mu
    # the incomplete rows, padded per candidate: (b, R, p), zero where skipped
    d = np.where(pool.obs_pad[sel], pool.x_pad[sel] - mu[:, None, :], 0.0)
    v = d @ inverse
    total += np.einsum("brp,brp->b", d, v)
    total += pool.n_pad[sel] * logdet
    pos = np.full(len(pool.n), -1)
    pos[sel] = np.arange(b)
    flat, weights = [], []
    for pairs, miss in pool.blocks:
        where = pos[pool.cand[pairs]]
        keep = where >= 0
        if not keep.any():
            continue
        where, slot, miss = where[keep], pool.slot[pairs[keep]], miss[keep]
        l_mm = inverse[where[:, None, None], miss[:, :, None], miss[:, None, :]]
        l_inv, l_logdet = small_inverse(l_mm)
        v_m = v[where[:, None], slot[:, None], miss]
        zed = np.einsum("nkl,nl->nk", l_inv, v_m)
        total += np.bincount(where, weights=l_logdet - np.einsum("nk,nk->n", v_m, zed),
                             minlength=b)
        if moments:
            d[where[:, None], slot[:, None], miss] = -zed
            flat.append(((where * p)[:, None, None] + miss[:, :, None]) * p
                        + miss[:, None, :])
            weights.append(l_inv)
    n = pool.n[sel]
    fx = np.where(ok, total / n, np.inf)
    if not moments:
        return fx, inverse, ok
    cross += np.swapaxes(d, 1, 2) @ d
    if flat:
        cross += np.bincount(np.concatenate([f.ravel() for f in flat]),
                             weights=np.concatenate([w.ravel() for w in weights]),
                             minlength=b * p * p).reshape(b, p, p)
    deviation += d.sum(axis=1)
    return fx, inverse, ok, cross / n[:, None, None], deviation / n[:, None]


def em_saturated_batch(pool: Pool, max_iter: int = 500, tol: float = 1e-5) -> tuple:
    """lavaan's EM estimates of the saturated moments of every candidate (shifted scale)
    and -2 logl / N there: (mean, cov, fx, iterations, usable)."""
    bsize, p = pool.mean0.shape
    var0 = np.where(np.isfinite(pool.var0) & (pool.var0 != 0), pool.var0, 1.0)
    mean = pool.mean0.copy()
    sigma = np.zeros((bsize, p, p))
    sigma[:, np.arange(p), np.arange(p)] = var0
    iterations = np.zeros(bsize, dtype=int)
    usable = np.ones(bsize, dtype=bool)
    low = np.tril_indices(p)
    active = np.arange(bsize)
    eye = np.eye(p)
    for it in range(1, max_iter + 1):
        if not len(active):
            break
        _, _, ok, cross, delta = estep(pool, active, sigma[active], mean[active])
        usable[active[~ok]] = False
        new_mean = mean[active] + delta
        new_sigma = cross - delta[:, :, None] * delta[:, None, :]
        try:  # every smallest eigenvalue above 1e-6 (the usual case): no ridge
            np.linalg.cholesky(new_sigma - 1e-6 * eye)
        except np.linalg.LinAlgError:
            small = np.linalg.eigvalsh(new_sigma)[:, 0] < 1e-6
            top = new_sigma[:, np.arange(p), np.arange(p)].max(axis=1)
            new_sigma[small] += (top[small] * 1e-8)[:, None, None] * eye
        change = np.maximum(np.abs(new_mean - mean[active]).max(axis=1),
                            np.abs((new_sigma - sigma[active])[:, low[0], low[1]]).max(axis=1))
        mean[active], sigma[active] = new_mean, new_sigma
        iterations[active] = it
        active = active[(change >= tol) & ok]
    fx, _, ok = estep(pool, np.arange(bsize), sigma, mean, moments=False)
    return mean, sigma, fx, iterations, usable & ok


def fit_fiml_batch(pool: Pool, factor_of: Sequence[int], *, max_iter: int = 300,
                   tol: float = 1e-8, items: Sequence[Sequence[str]] | None = None
                   ) -> BatchFit:
    """Full-information ML fits of one CFA structure (free intercepts, latent means 0,
    the first item of each factor its marker) for the B candidates of ``pool``.

    Parameters
    ----------
    pool : Pool
        From :func:`candidate_pool`.
    factor_of : sequence of int (p,)
        Factor of each item (0..m-1).
    max_iter, tol : int, float
        Iterations; convergence when the largest step (relative to the parameter) is
        below ``tol``.
    items : sequence of sequences of str, optional
        Item names per candidate, for the reasons.
    """
    bsize, p = pool.mean0.shape
    f, markers, m = _structure(factor_of)
    free_lam, tri, df = _free_parameters(p, markers, m)
    mean_h1, cov_h1, fx_h1, _, usable = em_saturated_batch(pool)
    n_cov = len(free_lam) + len(tri[0]) + p
    x = np.concatenate([_pack(*_start(cov_h1, f, markers, m), free_lam, tri), mean_h1], axis=1)

    def evaluate(sel: np.ndarray, xs: np.ndarray, moments: bool = True) -> tuple:
        lam, psi, theta = _unpack(xs[:, :n_cov], p, m, free_lam, tri)
        return estep(pool, sel, _implied(lam, psi, theta, f), xs[:, n_cov:], moments)

    everyone = np.arange(bsize)
    fval, w, ok, s_eff, delta = evaluate(everyone, x)
    if not ok.all():  # a start outside the cone: diagonal psi, half variances
        bad = np.flatnonzero(~ok)
        lam0, psi0, _ = _unpack(x[bad, :n_cov], p, m, free_lam, tri)
        var = cov_h1[bad][:, np.arange(p), np.arange(p)]
        x[bad, :n_cov] = _pack(lam0, psi0 * np.eye(m), 0.5 * var, free_lam, tri)
        fval, w, ok, s_eff, delta = evaluate(everyone, x)
    layout = _Layout(f, free_lam, tri, p, m)
    converged = np.zeros(bsize, dtype=bool)
    newton = np.zeros(bsize, dtype=bool)
    iterations = np.zeros(bsize, dtype=int)
    active = np.flatnonzero(ok & usable)
    for it in range(1, max_iter + 1):
        if not len(active):
            break
        xa = x[active]
        lam, psi, _ = _unpack(xa[:, :n_cov], p, m, free_lam, tri)
        use = newton[active]
        grad, mat, info = layout.system(lam, psi, s_eff[active], w[active], use)
        step_cov = _scoring_step(mat, info, grad, use)
        step = np.concatenate([step_cov, -delta[active]], axis=1)
        f_old = fval[active]
        scale = np.ones(len(active))
        accepted = np.zeros(len(active), dtype=bool)
        for _ in range(12):  # step halving where F does not decrease or Sigma is not PD
            todo = np.flatnonzero(~accepted)
            cand = xa[todo] - scale[todo, None] * step[todo]
            f_c, w_c, ok_c, s_c, d_c = evaluate(active[todo], cand)
            slack = 1e-12 * np.maximum(1.0, np.abs(f_old[todo]))
            good = ok_c & (f_c <= f_old[todo] + slack)
            idx = active[todo[good]]
            x[idx], fval[idx], w[idx] = cand[good], f_c[good], w_c[good]
            s_eff[idx], delta[idx] = s_c[good], d_c[good]
            accepted[todo[good]] = True
            scale[todo[~good]] /= 2
            if accepted.all():
                break
        iterations[active] = it
        newton[active], done, stuck = _step_outcome(step, xa, grad, accepted, tol)
        converged[active[done]] = True
        active = active[~done & ~stuck]
    lam, psi, theta = _unpack(x[:, :n_cov], p, m, free_lam, tri)
    mu = x[:, n_cov:]
    fiml = {"fx_h1": fx_h1, "fx_null": pool.fx_null, "mean_h1": mean_h1, "mu": mu,
            "nu": mu + pool.shift, "n_observed": pool.n_observed}
    return _finish(cov_h1, pool.n, f, m, lam, psi, theta, fval, df, converged, iterations,
                   True, items, ok & usable, fiml=fiml)
