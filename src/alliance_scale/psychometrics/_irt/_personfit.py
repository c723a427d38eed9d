"""Person and item fit at the respondents' trait estimates, as mirt 1.47's ``personfit()``
and ``itemfit(fit_stats = c("Zh", "infit"))``.

- Zh (Drasgow, Levine & Williams 1985): the standardized log-likelihood of the answers
  given, ``(l - E[l]) / sqrt(Var[l])`` at the respondent's theta; per person summed over
  the items answered, per item summed over the respondents. Large negative values flag
  unlikely answer patterns (careless or aberrant responding; an item that does not fit).
- Infit and outfit (Wright & Masters 1982): mean squares of the residuals ``x - E[X]``,
  outfit unweighted (each squared standardized residual counts alike, sensitive to
  outliers), infit weighted by the answer variance ``W``; expected value 1; their
  Wilson-Hilferty z (``z.infit``, ``z.outfit``) with mirt's variance of the mean squares
  (``q`` capped at sqrt(2)). They are Rasch statistics (Rasch, partial credit, rating
  scale); mirt prints them for any model, and so does this module.

Details kept as mirt has them: infinite ML / WLE estimates are replaced by the largest
(smallest) finite estimate + 0.1 (- 0.1); ``W`` below sqrt(1e-5) in square is floored there;
the person outfit's ``q`` uses the number of items in its first term and the number answered
in its second (``abs()`` keeps the root real), as in mirt's ``personfit.R``. Zh and infit
take a multidimensional model too (each item at the respondents' scores on its factors), as
mirt's; Bock's X2 / G2 are unidimensional only (mirt refuses them too).
"""

from __future__ import annotations

import numpy as np

from ._engine import Spec
from ._models import probabilities
from ._residuals import block_probabilities

__all__: list[str] = []

#: mirt's cap on the standard deviation of a mean square (sqrt 2).
_Q_CAP = 1.4142


def finite_theta(theta: np.ndarray) -> np.ndarray:
    """mirt's replacement of +-Inf estimates by the finite extremes +-0.1 (1-D, or
    respondents x factors: EAP scores of a multidimensional model are always finite)."""
    theta = np.asarray(theta, dtype=float).copy()
    finite = theta[np.isfinite(theta)]
    if finite.size:
        theta[theta == np.inf] = finite.max() + 0.1
        theta[theta == -np.inf] = finite.min() - 0.1
    return theta


def _moments(spec: Spec, pars: np.ndarray, codes: np.ndarray, theta: np.ndarray):
    """Per respondent x item: log P of the answer, E[log P], Var[log P], residual x - E[X],
    answer variance W and fourth central moment C (NaN where the answer is missing)."""
    shape = codes.shape
    loglik, mu, sigma2, resid, w, c = (np.full(shape, np.nan) for _ in range(6))
    for k, items, prob in block_probabilities(spec, pars, theta):  # items x K x n
        with np.errstate(divide="ignore", invalid="ignore"):
            logp = np.log(prob)
            plogp = np.where(prob > 0, prob * logp, 0.0)
            e_log = plogp.sum(axis=1)  # items x n
            var_log = np.where(prob > 0, plogp * logp, 0.0).sum(axis=1) - e_log**2
        scores = np.arange(k, dtype=float)[None, :, None]
        mean = (prob * scores).sum(axis=1)  # items x n
        dev2 = (scores - mean[:, None, :]) ** 2
        x = codes[:, items].T  # items x n
        seen = x >= 0
        chosen = np.take_along_axis(logp, np.maximum(x, 0)[:, None, :], axis=1)[:, 0, :]
        for target, values in ((loglik, chosen), (mu, e_log), (sigma2, var_log),
                               (resid, x - mean), (w, (dev2 * prob).sum(axis=1)),
                               (c, (dev2**2 * prob).sum(axis=1))):
            target[:, items] = np.where(seen, values, np.nan).T
    w = np.where(w**2 < 1e-5, np.sqrt(1e-5), w)
    return loglik, mu, sigma2, resid, w, c


def _z(mean_square: np.ndarray, q: np.ndarray) -> np.ndarray:
    q = np.minimum(q, _Q_CAP)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.cbrt(mean_square) - 1) * (3 / q) + q / 3


def person_statistics(spec: Spec, pars: np.ndarray, codes: np.ndarray,
                      theta: np.ndarray) -> dict[str, np.ndarray]:
    """mirt's ``personfit``: outfit, z.outfit, infit, z.infit, Zh of each respondent."""
    loglik, mu, sigma2, resid, w, c = _moments(spec, pars, codes, finite_theta(theta))
    n_items = codes.shape[1]
    answered = (codes >= 0).sum(axis=1)
    loglik = np.where(loglik < np.log(np.finfo(float).eps), 0.0, loglik)  # as mirt
    with np.errstate(divide="ignore", invalid="ignore"):
        zh = (np.nansum(loglik, axis=1) - np.nansum(mu, axis=1)) / np.sqrt(
            np.nansum(sigma2, axis=1))
        outfit = np.nansum(resid**2 / w, axis=1) / answered
        q_out = np.sqrt(np.abs(np.nansum(c / w**2 / n_items**2, axis=1) - 1 / answered))
        infit = np.nansum(resid**2, axis=1) / np.nansum(w, axis=1)
        q_in = np.sqrt(np.nansum(c - w**2, axis=1) / np.nansum(w, axis=1) ** 2)
    return {"outfit": outfit, "z_outfit": _z(outfit, q_out), "infit": infit,
            "z_infit": _z(infit, q_in), "Zh": zh}


def item_statistics(spec: Spec, pars: np.ndarray, codes: np.ndarray, theta: np.ndarray,
                    which: tuple[str, ...]) -> dict[str, np.ndarray]:
    """mirt's ``itemfit`` Zh and infit / outfit (with their z) of each item."""
    loglik, mu, sigma2, resid, w, c = _moments(spec, pars, codes, finite_theta(theta))
    out: dict[str, np.ndarray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        if "Zh" in which:
            out["Zh"] = (np.nansum(loglik, axis=0) - np.nansum(mu, axis=0)) / np.sqrt(
                np.nansum(sigma2, axis=0))
        if "infit" in which:
            n = (codes >= 0).sum(axis=0)
            z2 = resid**2 / w
            outfit = np.nansum(z2, axis=0) / n
            q_out = np.sqrt(np.nansum(c / w**2 / n**2, axis=0) - 1 / n)
            infit = np.nansum(w * z2, axis=0) / np.nansum(w, axis=0)
            q_in = np.sqrt(np.nansum(c - w**2, axis=0) / np.nansum(w, axis=0) ** 2)
            out.update(outfit=outfit, z_outfit=_z(outfit, q_out), infit=infit,
                       z_infit=_z(infit, q_in))
    return out


def bock_x2(spec: Spec, pars: np.ndarray, codes: np.ndarray, theta: np.ndarray,
            n_free: np.ndarray, bins: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                         np.ndarray]:
    """Bock's (1972) X2 and G2 of each item as mirt's ``itemfit(fit_stats = "X2")``.

    The respondents who answered the item, ordered by theta (ties in data order, as R's
    ``order``), are cut into ``bins`` groups of equal size (the remainder split between the
    first and last group); each group's answers are compared with the model at the group's
    mean theta. df: per group, categories - 1; minus the item's estimated parameters.
    """
    theta = finite_theta(theta)
    order = np.argsort(theta, kind="stable")
    n_items = codes.shape[1]
    x2, g2 = np.zeros(n_items), np.zeros(n_items)
    df_x2, df_g2 = np.zeros(n_items, dtype=int), np.zeros(n_items, dtype=int)
    for model, k, items in spec.blocks:
        for j in items:
            x = codes[order, j]
            seen = x >= 0
            x, at = x[seen], theta[order][seen]
            size = x.size // bins
            extra = x.size % bins
            groups = np.concatenate([np.zeros(extra // 2, dtype=int),
                                     np.repeat(np.arange(bins), size),
                                     np.full(extra - extra // 2, bins - 1)])
            for g in range(bins):
                mine = groups == g
                n = int(mine.sum())
                if n <= 1:
                    continue
                observed = np.bincount(x[mine], minlength=k).astype(float)
                p = probabilities(model, pars[j: j + 1, :k], np.array([at[mine].mean()]))
                expected = n * p[0, :, 0]
                x2[j] += np.sum((observed - expected) ** 2 / expected)
                df_x2[j] += k - 1
                with np.errstate(divide="ignore", invalid="ignore"):
                    terms = observed * np.log(observed / expected)
                finite = np.isfinite(terms)
                if k > 1:
                    g2[j] += 2 * terms[finite].sum()
                    df_g2[j] += int(finite.sum()) - 1
            df_x2[j] -= n_free[j]
            df_g2[j] -= n_free[j]
    x2[x2 == 0] = np.nan
    g2[g2 == 0] = np.nan
    return x2, df_x2, g2, df_g2
