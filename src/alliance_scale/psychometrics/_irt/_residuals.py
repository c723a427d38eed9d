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
"""

from __future__ import annotations

import numpy as np

from ._engine import Spec, grid, log_prior
from ._models import probabilities

__all__: list[str] = []


def _category_probabilities(spec: Spec, pars: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Every item's category probabilities stacked (spec.n_columns x points)."""
    out = np.empty((spec.n_columns, theta.size))
    for model, k, items in spec.blocks:
        prob = probabilities(model, pars[items, :k], theta)
        for pos, j in enumerate(items):
            out[spec.offsets[j]: spec.offsets[j] + k] = prob[pos]
    return out


def _gamma(table: np.ndarray) -> float:
    """Goodman-Kruskal's gamma of a cross-table (mirt's ``gamma_cor``)."""
    # counts strictly below-right and below-left of each cell
    below = np.cumsum(table[::-1], axis=0)[::-1]  # rows >= r
    below = np.vstack([below[1:], np.zeros((1, table.shape[1]))])  # rows > r
    right = np.cumsum(below[:, ::-1], axis=1)[:, ::-1]
    right = np.hstack([right[:, 1:], np.zeros((table.shape[0], 1))])  # cols > c
    left = np.cumsum(below, axis=1)
    left = np.hstack([np.zeros((table.shape[0], 1)), left[:, :-1]])  # cols < c
    concordant = float((table * right).sum())
    discordant = float((table * left).sum())
    total = concordant + discordant
    return (concordant - discordant) / total if total > 0 else float("nan")


def ld_statistics(
    spec: Spec, pars: np.ndarray, variance: float, codes: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chen & Thissen's LD X2, its df and the signed Cramér's V of every pair (J x J each,
    symmetric, NaN on the diagonal)."""
    theta = grid()
    weights = np.exp(log_prior(theta, variance))
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
    for i in range(n_items):
        ri = slice(spec.offsets[i], spec.offsets[i] + k[i])
        for j in range(i + 1, n_items):
            rj = slice(spec.offsets[j], spec.offsets[j] + k[j])
            table = observed_all[ri, rj]
            n = table.sum()
            expected = n * expected_all[ri, rj]
            s = _gamma(table) - _gamma(expected)
            if np.isnan(s):
                continue
            stat = float(np.sum((table - expected) ** 2 / expected))
            x2[i, j] = x2[j, i] = stat
            sign = 1.0 if s == 0 else np.sign(s)
            v[i, j] = v[j, i] = sign * np.sqrt(abs(stat) / (n * (min(k[i], k[j]) - 1)))
    return x2, df, v


def expected_answers(spec: Spec, pars: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """E[code | theta] of every item at each respondent's theta (respondents x items)."""
    out = np.empty((theta.size, len(spec.models)))
    for model, k, items in spec.blocks:
        prob = probabilities(model, pars[items, :k], theta)  # items x K x n
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
