"""Local dependence between item pairs, as mirt 1.47's ``residuals(fit, type = "LD" | "Q3")``.

- LD (Chen & Thissen 1997): for each pair, Pearson's X2 of the observed cross-table of
  answers (respondents who answered both) against the model's expected table, ``N sum_q
  P_i(k|q) P_j(m|q) w_q`` over mirt's quadrature (61 points on [-6, 6], weights of the
  latent N(0, variance)); df = (K_i - 1)(K_j - 1). mirt prints X2 below the diagonal and,
  above it, the signed Cramér's V ``sign(s) sqrt(X2 / (N (min(K_i, K_j) - 1)))``, the sign
  ``s`` that of Goodman-Kruskal's gamma of the observed table minus the expected table's
  (positive: the pair agrees more than the model says, the usual local dependence).
- Q3 (Yen 1984): correlations of the residuals ``x - E[X | theta]`` at each respondent's
  trait estimate (EAP unless given), pairwise over respondents who answered both.

Both take multidimensional models too (mirt's do): LD integrates over the factors' product
grid, Q3 evaluates each item at the respondents' scores on its own factors.
"""

from __future__ import annotations

import numpy as np

from ._engine import Spec
from ._models import probabilities

__all__: list[str] = []


def block_probabilities(spec: Spec, pars: np.ndarray, theta: np.ndarray):
    """Yield ``(k, items, probabilities)`` (items x K x points) per block of items sharing a
    model; ``theta`` 1-D, or points x factors for a multidimensional model (an ``MSpec``,
    each item evaluated on its own factors)."""
    if hasattr(spec, "n_factors"):
        for model, k, on, items in spec.blocks:
            yield k, items, probabilities(model, spec.reduced(pars, on, items, k),
                                          theta[:, list(on)])
    else:
        for model, k, items in spec.blocks:
            yield k, items, probabilities(model, pars[items, :k], theta)


def _category_probabilities(spec: Spec, pars: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Every item's category probabilities stacked (spec.n_columns x points)."""
    out = np.empty((spec.n_columns, len(theta)))
    for k, items, prob in block_probabilities(spec, pars, theta):
        for pos, j in enumerate(items):
            out[spec.offsets[j]: spec.offsets[j] + k] = prob[pos]
    return out


def _gamma(tables: np.ndarray) -> np.ndarray:
    """Goodman-Kruskal's gamma of each cross-table (mirt's ``gamma_cor``), tables: P x R x C."""
    below = np.cumsum(tables[:, ::-1], axis=1)[:, ::-1]  # rows >= r
    below = np.concatenate([below[:, 1:], np.zeros_like(below[:, :1])], axis=1)  # rows > r
    right = np.cumsum(below[:, :, ::-1], axis=2)[:, :, ::-1]
    right = np.concatenate([right[:, :, 1:], np.zeros_like(right[:, :, :1])], axis=2)
    left = np.cumsum(below, axis=2)
    left = np.concatenate([np.zeros_like(left[:, :, :1]), left[:, :, :-1]], axis=2)
    concordant = (tables * right).sum(axis=(1, 2))
    discordant = (tables * left).sum(axis=(1, 2))
    total = concordant + discordant
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (concordant - discordant) / total, np.nan)


def ld_statistics(
    spec: Spec, pars: np.ndarray, variance: float, codes: np.ndarray,
    corr: np.ndarray | None = None, g2: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chen & Thissen's LD X2 (``g2``: the likelihood-ratio G2 = 2 sum O log(O / E) over the
    non-empty cells, mirt's ``"LDG2"``), its df and the signed Cramér's V of every pair (J x J each,
    symmetric, NaN on the diagonal); pairs with the same numbers of categories in one batch.
    A multidimensional model (``MSpec``, factor correlations ``corr``) is integrated over
    mirt's product grid (``select_quadpts``: 31 points per dimension for two factors, 15
    for three), as mirt's ``residuals()`` does."""
    from ._fit import _integration

    theta, weights = _integration(spec, variance, corr)
    probs = _category_probabilities(spec, pars, theta)
    expected_all = (probs * weights) @ probs.T  # joint category probabilities of the pairs
    onehot = np.zeros((codes.shape[0], spec.n_columns))
    rows, items = np.nonzero(codes >= 0)
    onehot[rows, spec.offsets[items] + codes[rows, items]] = 1.0
    observed_all = onehot.T @ onehot
    n_items = codes.shape[1]
    x2 = np.full((n_items, n_items), np.nan)
    v = np.full((n_items, n_items), np.nan)
    k = spec.n_cat
    df = np.outer(k - 1, k - 1).astype(float)
    np.fill_diagonal(df, np.nan)
    first, second = np.triu_indices(n_items, 1)
    for ki, kj in {(int(k[i]), int(k[j])) for i, j in zip(first, second, strict=True)}:
        pick = (k[first] == ki) & (k[second] == kj)
        i, j = first[pick], second[pick]
        r = spec.offsets[i][:, None] + np.arange(ki)  # pairs x ki
        c = spec.offsets[j][:, None] + np.arange(kj)
        table = observed_all[r[:, :, None], c[:, None, :]]  # pairs x ki x kj
        n = table.sum(axis=(1, 2))
        expected = n[:, None, None] * expected_all[r[:, :, None], c[:, None, :]]
        s = _gamma(table) - _gamma(expected)
        if g2:
            with np.errstate(divide="ignore", invalid="ignore"):
                terms = np.where(table > 0, table * np.log(table / expected), 0.0)
            stat = 2 * terms.sum(axis=(1, 2))
        else:
            stat = np.sum((table - expected) ** 2 / expected, axis=(1, 2))
        stat = np.where(np.isnan(s), np.nan, stat)
        sign = np.where(s == 0, 1.0, np.sign(s))
        signed_v = sign * np.sqrt(np.abs(stat) / (n * (min(ki, kj) - 1)))
        x2[i, j] = x2[j, i] = stat
        v[i, j] = v[j, i] = signed_v
    return x2, df, v


def expected_answers(spec: Spec, pars: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """E[code | theta] of every item at each respondent's theta (respondents x items);
    ``theta`` 1-D, or respondents x factors for a multidimensional model."""
    out = np.empty((len(theta), len(spec.models)))
    for k, items, prob in block_probabilities(spec, pars, theta):  # items x K x n
        out[:, items] = np.einsum("ikn,k->ni", prob, np.arange(k, dtype=float))
    return out


def q3_matrix(spec: Spec, pars: np.ndarray, codes: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Yen's Q3: pairwise-complete correlations of the residuals at ``theta``."""
    seen = (codes >= 0).astype(float)
    resid = np.where(codes >= 0, codes - expected_answers(spec, pars, theta), 0.0)
    n = seen.T @ seen
    sums = resid.T @ seen  # [i, j]: sum of item i's residuals where j is answered (and i)
    squares = (resid**2).T @ seen
    cross = resid.T @ resid
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = n * cross - sums * sums.T
        var_i = n * squares - sums**2
        q3 = cov / np.sqrt(var_i * var_i.T)
    np.fill_diagonal(q3, 1.0)
    return q3
