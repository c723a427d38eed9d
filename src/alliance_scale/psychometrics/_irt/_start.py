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
import pandas as pd

from ._engine import Spec

__all__: list[str] = []

_D = 1.702


def start_values(spec: Spec, codes: np.ndarray) -> np.ndarray:
    """Items x k_max starting parameters (NaN padding)."""
    n_items = codes.shape[1]
    frame = pd.DataFrame(np.where(codes >= 0, codes, np.nan))
    corr = frame.corr(min_periods=2).to_numpy()
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
    slopes = np.where(np.abs(slopes) < 0.2, np.where(loading < 0, -0.2, 0.2), slopes)
    if spec.slope_fixed:
        slopes = np.ones(n_items)
    pars = np.full((n_items, spec.k_max), np.nan)
    pars[:, 0] = slopes
    for j in range(n_items):
        k = int(spec.n_cat[j])
        x = codes[:, j]
        x = x[x >= 0]
        p = np.bincount(x, minlength=k) / x.size
        p = np.clip(p, 1e-3, None)
        p = p / p.sum()
        if spec.models[j] == "graded":
            upper = np.clip(np.cumsum(p[::-1])[::-1][1:], 1e-3, 1 - 1e-3)
            d = np.log(upper / (1 - upper)) * np.sqrt(1 + (slopes[j] / _D) ** 2)
            d = d - np.arange(k - 1) * 1e-3  # strictly decreasing
        else:
            d = np.log(p[1:] / p[0])
        pars[j, 1:k] = d
    return pars
