"""Starting values that keep every item's direction (a reverse-keyed item starts negative).

Slopes start from the loadings of the first principal component of the pairwise Pearson
correlations of the codes, oriented so that most loadings are positive (the direction of
the trait), converted to the logistic metric ``a = 1.702 l / sqrt(1 - l^2)``; an item whose
loading is negative keeps a negative slope, so EM never has to cross a = 0 (where the
likelihood of a reverse-keyed item is flat) and cannot settle with the wrong sign.
Intercepts start from the marginal proportions: graded ``d_k = logit P(X >= k) *
sqrt(1 + (a / 1.702)^2)`` (the marginal logit shrinks by that factor), gpcm
``d_k = log(p_k / p_0)``.
"""

from __future__ import annotations

import numpy as np

from ._data import category_counts
from ._engine import Spec

__all__: list[str] = []

_D = 1.702


def first_component_slopes(codes: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Logistic slopes from the first principal component of the items' correlations,
    oriented so that most loadings are positive (a reverse-keyed item stays negative).
    ``weights``: each row of ``codes`` counts that many times (distinct patterns)."""
    from .._correlation._correlation import pairwise_pearson

    corr, _ = pairwise_pearson(np.where(codes >= 0, codes, np.nan), weights)
    corr = np.where(np.isfinite(corr), corr, 0.0)
    np.fill_diagonal(corr, 1.0)
    values, vectors = np.linalg.eigh(corr)
    loading = vectors[:, -1] * np.sqrt(max(values[-1], 0.0))
    if np.sum(loading > 0) < np.sum(loading < 0) or (
        np.sum(loading > 0) == np.sum(loading < 0) and loading.sum() < 0
    ):
        loading = -loading
    loading = np.clip(loading, -0.9, 0.9)
    slopes = _D * loading / np.sqrt(1.0 - loading**2)
    return np.where(np.abs(slopes) < 0.2, np.where(loading < 0, -0.2, 0.2), slopes)


def intercepts(models: tuple[str, ...], n_cat: np.ndarray, codes: np.ndarray,
               slope_norm: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Items x (k_max - 1) starting intercepts from the marginal proportions (NaN padding);
    ``slope_norm``: each item's slope length (its marginal logit shrinks by
    ``sqrt(1 + (|a| / 1.702)^2)``); ``weights``: each row of ``codes`` counts that many
    times. All items at once (a category table by one count)."""
    k_max = int(n_cat.max())
    rows = np.ones(codes.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    counts = category_counts(codes, n_cat, rows)
    answered = rows @ (codes >= 0)
    inside = np.arange(k_max)[None, :] < n_cat[:, None]
    p = np.where(inside, np.clip(counts / answered[:, None], 1e-3, None), 0.0)
    p = p / p.sum(axis=1, keepdims=True)
    steps = inside[:, 1:]
    upper = np.clip(np.cumsum(p[:, ::-1], axis=1)[:, ::-1][:, 1:], 1e-3, 1 - 1e-3)
    with np.errstate(divide="ignore", invalid="ignore"):
        graded = (np.log(upper / (1 - upper)) * np.sqrt(1 + (slope_norm / _D) ** 2)[:, None]
                  - np.arange(k_max - 1) * 1e-3)  # strictly decreasing
        partial = np.log(p[:, 1:] / p[:, :1])
    is_graded = np.array([m == "graded" for m in models])[:, None]
    return np.where(steps, np.where(is_graded, graded, partial), np.nan)


def start_values(spec: Spec, codes: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Items x k_max starting parameters (NaN padding); ``weights``: each row of ``codes``
    counts that many times (distinct patterns and their counts)."""
    n_items = codes.shape[1]
    slopes = np.ones(n_items) if spec.slope_fixed else first_component_slopes(codes, weights)
    pars = np.full((n_items, spec.k_max), np.nan)
    pars[:, 0] = slopes
    pars[:, 1:] = intercepts(spec.models, spec.n_cat, codes, np.abs(slopes), weights)
    return pars


def multidim_start(models: tuple[str, ...], n_cat: np.ndarray, loadings: np.ndarray,
                   codes: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Items x (D + k_max - 1) starting values of a confirmatory model: each factor's
    slopes from the first component of its own items (signs kept), shared by
    ``sqrt(number of factors)`` for an item on several; intercepts from the proportions;
    ``weights``: each row of ``codes`` counts that many times."""
    n_items, dims = loadings.shape
    pars = np.zeros((n_items, dims + int(n_cat.max()) - 1))
    for f in range(dims):
        items = np.flatnonzero(loadings[:, f])
        if items.size == 1:
            pars[items, f] = 1.0
        elif items.size > 1:
            pars[items, f] = first_component_slopes(codes[:, items], weights)
    pars[:, :dims] /= np.sqrt(np.maximum(loadings.sum(axis=1), 1))[:, None]
    # a factor's orientation is arbitrary: keep the one where most of its items point up
    norm = np.sqrt((pars[:, :dims] ** 2).sum(axis=1))
    pars[:, dims:] = intercepts(models, n_cat, codes, norm, weights)
    return pars


def exploratory_start(n_cat: np.ndarray, loadings: np.ndarray, codes: np.ndarray
                      ) -> np.ndarray:
    """Items x (D + k_max - 1) starting values of an exploratory graded model, as mirt's
    ``model.elements``: the first D eigenvectors ``v`` of the items' pairwise Pearson
    correlations, shrunk as ``|r|^(1/1.15) sign(r)`` (mirt's ``cormod``), give slopes
    ``1.702 v / sqrt(1 - sum v^2)`` (``1 - sum v^2`` below 0.001 taken as 0.2), 0 where
    fixed; intercepts ``qnorm(P(X >= k)) / (max(c, .25) / 1.702)`` with ``c = sqrt(|1 -
    0.25 m|)``, ``m`` the factors the item loads on (mirt's generic 0.5 loadings), from
    the proportions of all respondents (a missing answer counts in the denominator)."""
    from scipy.special import ndtri

    n_items, dims = loadings.shape
    values = np.where(codes >= 0, codes, np.nan).astype(float)
    if np.all(codes >= 0):
        with np.errstate(divide="ignore", invalid="ignore"):
            corr = np.corrcoef(values, rowvar=False)
    else:
        import pandas as pd

        corr = pd.DataFrame(values).corr(min_periods=2).to_numpy()
    corr = np.where(np.isfinite(corr), corr, 0.0)
    np.fill_diagonal(corr, 1.0)
    corr = np.abs(corr) ** (1 / 1.15) * np.sign(corr)
    eigenvalues, vectors = np.linalg.eigh(corr)
    if eigenvalues[0] <= 0:  # mirt's smooth.cor: negative eigenvalues to 100 eps, rescaled
        smoothed = (vectors * np.maximum(eigenvalues, 100 * np.finfo(float).eps)) @ vectors.T
        scale = np.sqrt(np.diag(smoothed))
        eigenvalues, vectors = np.linalg.eigh(smoothed / np.outer(scale, scale))
    first = vectors[:, ::-1][:, :dims]
    first = first * np.where(first.sum(axis=0) < 0, -1.0, 1.0)  # a sign LAPACK picks;
    # mirt keeps R's, the EM path is the mirror image either way (symmetric grid)
    unique = 1 - (first**2).sum(axis=1)
    unique[unique < 0.001] = 0.2
    pars = np.zeros((n_items, dims + int(n_cat.max()) - 1))
    pars[:, :dims] = np.where(loadings, first / np.sqrt(unique)[:, None] * _D, 0.0)
    generic = np.sqrt(np.abs(1 - 0.25 * loadings.sum(axis=1)))
    divisor = np.maximum(generic, 0.25) / _D
    n_rows = codes.shape[0]
    for j in range(n_items):
        k = int(n_cat[j])
        counts = np.bincount(codes[codes[:, j] >= 0, j], minlength=k)[: k - 1] / n_rows
        zeta = ndtri(1 - np.cumsum(counts)) / divisor[j]
        if not np.all(np.isfinite(zeta)):
            zeta = np.linspace(2, -2, k - 1)
        pars[j, dims: dims + k - 1] = zeta
    return pars
