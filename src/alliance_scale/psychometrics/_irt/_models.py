"""Item response functions of the unidimensional models, with their derivatives.

Every model is written in mirt's slope-intercept form. An item with ``K`` categories
(scored 0 .. K-1) has the parameter vector ``[a, d_1, ..., d_{K-1}]``:

- graded (Samejima 1969): ``P(X >= k) = 1 / (1 + exp(-(a theta + d_k)))``, ``d_1 > ... >
  d_{K-1}``; with two categories it is the 2PL;
- generalized partial credit (Muraki 1992), mirt's ``gpcm`` with scoring ``0 .. K-1``:
  ``P(X = k) ∝ exp(k a theta + d_k)``, ``d_0 = 0``; the partial credit (Rasch) model is the
  same with ``a = 1`` fixed (and the latent variance free);
- the same with custom category scores (mirt's ``gpcm_mats``, Muraki 1992): a
  :class:`ScoredGPCM` kind carries a K x D matrix ``S`` and ``P(X = k) ∝ exp(sum_m S_km
  a_m theta_m + d_k)``; the default is ``S_km = k`` in every column.

For a batch of items sharing a model and ``K``, :func:`item_arrays` returns the category
probabilities ``P`` (items x K x points), their first and second derivatives with respect
to the parameters (``dP``: items x K x npar x points, ``d2P``: items x K x npar x npar x
points), which the EM M-step, the observed information and the fit statistics share.
:func:`theta_derivatives` gives ``dP/dtheta`` and ``d2P/dtheta2`` (information, WLE).
"""

from __future__ import annotations

import numpy as np

__all__: list[str] = []

MODELS = ("graded", "gpcm")


class ScoredGPCM(str):
    """The generalized partial credit kind with custom category scores (mirt's
    ``gpcm_mats``): a string (``"gpcm[...]"``, the scores written out, so that items with
    the same scores share an M-step batch and items with different ones do not) that carries
    ``scores``, categories x dimensions, columns in the order of the slopes it meets."""

    scores: np.ndarray

    def __new__(cls, scores: np.ndarray) -> ScoredGPCM:
        values = np.array(scores, dtype=float, ndmin=2)
        label = "gpcm[" + ";".join(",".join(f"{v:.17g}" for v in row) for row in values) + "]"
        out = super().__new__(cls, label)
        values.flags.writeable = False
        out.scores = values
        return out

    def __reduce__(self) -> tuple[type, tuple[np.ndarray]]:
        return ScoredGPCM, (np.array(self.scores),)


def category_scores(model: str, n_cat: int, dims: int) -> np.ndarray | None:
    """The K x D scores of a custom-scored gpcm kind; None for the default ``0 .. K-1``."""
    if isinstance(model, ScoredGPCM):
        if model.scores.shape != (n_cat, dims):  # pragma: no cover - irt() checks shapes
            raise ValueError(f"scores {model.scores.shape} for {n_cat} categories, {dims} "
                             "dimensions")
        return model.scores
    return None


def _expit(x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    np.negative(x, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def _design(theta: np.ndarray) -> np.ndarray:
    """Points x dimensions (a 1-D grid is one dimension)."""
    return theta[:, None] if theta.ndim == 1 else theta


def _split(pars: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``a theta`` (items x points), the intercepts (items x K-1) and the design."""
    design = _design(theta)
    dims = design.shape[1]
    return pars[:, :dims] @ design.T, pars[:, dims:], design


def probabilities(model: str, pars: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Category probabilities, items x K x points.

    ``theta``: points (1-D) or points x D; ``pars``: items x (D + K - 1), the D slopes then
    the intercepts (one dimension: ``[a, d_1, ...]``).
    """
    at, d, _ = _split(pars, theta)
    if model == "graded":
        star = _expit(at[:, None, :] + d[:, :, None])
        n_items, n_steps, n_points = star.shape
        full = np.empty((n_items, n_steps + 2, n_points))
        full[:, 0] = 1.0
        full[:, -1] = 0.0
        full[:, 1:-1] = star
        return full[:, :-1] - full[:, 1:]
    scores = category_scores(model, d.shape[1] + 1, pars.shape[1] - d.shape[1])
    if scores is None:
        steps = np.arange(d.shape[1] + 1)[None, :, None]
        z = steps * at[:, None, :]
    else:  # sum_m S_km a_m theta_m
        dims = scores.shape[1]
        z = np.einsum("km,imq->ikq", scores,
                      pars[:, :dims, None] * _design(theta).T[None, :, :])
    z[:, 1:] += d[:, :, None]
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def item_arrays(
    model: str, pars: np.ndarray, theta: np.ndarray, second: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``P``, ``dP`` and (when ``second``) ``d2P`` of a batch of items over ``theta``
    (parameters ordered as in :func:`probabilities`: slopes, then intercepts)."""
    n_items, n_par = pars.shape
    at, d, design = _split(pars, theta)
    dims = design.shape[1]
    n_cat = n_par - dims + 1
    n_points = design.shape[0]
    if model == "graded":
        star = _expit(at[:, None, :] + d[:, :, None])  # items x (K-1) x Q
        q = star * (1.0 - star)
        w = q * (1.0 - 2.0 * star)
        full = np.zeros((n_items, n_cat + 1, n_points))
        full[:, 0] = 1.0
        full[:, 1:-1] = star
        prob = full[:, :-1] - full[:, 1:]
        dstar = np.zeros((n_items, n_cat + 1, n_par, n_points))
        steps = np.arange(1, n_cat)
        for m in range(dims):
            dstar[:, 1:-1, m] = q * design[:, m]
        dstar[:, steps, dims - 1 + steps] = q
        dprob = dstar[:, :-1] - dstar[:, 1:]
        if not second:
            return prob, dprob, None
        d2star = np.zeros((n_items, n_cat + 1, n_par, n_par, n_points))
        for m in range(dims):
            for m2 in range(dims):
                d2star[:, 1:-1, m, m2] = w * (design[:, m] * design[:, m2])
            d2star[:, steps, m, dims - 1 + steps] = w * design[:, m]
            d2star[:, steps, dims - 1 + steps, m] = w * design[:, m]
        d2star[:, steps, dims - 1 + steps, dims - 1 + steps] = w
        return prob, dprob, d2star[:, :-1] - d2star[:, 1:]
    prob = probabilities(model, pars, theta)
    cats = np.arange(n_cat)
    scores = category_scores(model, n_cat, dims)
    e = np.zeros((n_cat, n_par, n_points))  # dz_c / dpar
    for m in range(dims):
        e[:, m] = (cats if scores is None else scores[:, m])[:, None] * design[:, m]
    e[cats[1:], dims - 1 + cats[1:]] = 1.0
    ebar = np.einsum("ikq,kpq->ipq", prob, e)  # items x npar x Q
    centred = e[None] - ebar[:, None]  # items x K x npar x Q
    dprob = prob[:, :, None] * centred
    if not second:
        return prob, dprob, None
    # Cov_P(e) = E[e e'] - ebar ebar'
    cov = np.einsum("ikq,kpq,krq->iprq", prob, e, e) - ebar[:, :, None] * ebar[:, None]
    outer = centred[:, :, :, None] * centred[:, :, None]
    d2prob = prob[:, :, None, None] * (outer - cov[:, None])
    return prob, dprob, d2prob


def theta_derivatives(
    model: str, pars: np.ndarray, theta: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``P``, ``dP/dtheta`` and ``d2P/dtheta2`` (items x K x points; one dimension)."""
    a = pars[:, :1, None]
    if model == "graded":
        star = _expit(a * theta + pars[:, 1:, None])
        q = star * (1.0 - star)
        n_items, n_steps, n_points = star.shape

        def pad(x: np.ndarray, first: float) -> np.ndarray:
            out = np.zeros((n_items, n_steps + 2, n_points))
            out[:, 0] = first
            out[:, 1:-1] = x
            return out[:, :-1] - out[:, 1:]

        return pad(star, 1.0), pad(a * q, 0.0), pad(a * a * q * (1.0 - 2.0 * star), 0.0)
    prob = probabilities(model, pars, theta)
    scores = category_scores(model, pars.shape[1], 1)
    cats = (np.arange(pars.shape[1]) if scores is None else scores[:, 0])[None, :, None]
    mean = (prob * cats).sum(axis=1, keepdims=True)
    var = (prob * (cats - mean) ** 2).sum(axis=1, keepdims=True)
    first = a * prob * (cats - mean)
    second = a * a * prob * ((cats - mean) ** 2 - var)
    return prob, first, second


def information(model: str, pars: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Fisher information of each item at ``theta`` (items x points): sum_k P_k'^2 / P_k."""
    prob, first, _ = theta_derivatives(model, pars, theta)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(prob > 0, first**2 / prob, 0.0)
    return terms.sum(axis=1)
