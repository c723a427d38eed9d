"""Heterotrait-monotrait ratios of correlations (HTMT; Henseler, Ringle & Sarstedt 2015).

Generic numerics on a correlation matrix and a grouping of its items into constructs; the
Scale-aware face is :func:`alliance_scale.htmt`. ``HTMT_ij`` is the mean correlation
between the items of constructs i and j (heterotrait-heteromethod) divided by the
geometric mean of the mean correlations among the items of i and among those of j
(monotrait-heteromethod), as ``semTools::htmt``: arithmetic means (``htmt2 = FALSE``,
Henseler et al. 2015) or geometric means of absolute correlations (``htmt2 = TRUE``,
HTMT2 of Roemer, Schuberth & Henseler 2021). A few means of matrix blocks: no Python
package computes it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..._checks import check_choice

__all__ = []

#: Kinds of mean: Henseler et al.'s arithmetic HTMT, or HTMT2's geometric one.
MEANS = ("arithmetic", "geometric")


def _block_mean(block: np.ndarray, mean: str) -> float:
    values = block[np.isfinite(block)]
    if mean == "geometric":
        with np.errstate(divide="ignore"):
            return float(np.exp(np.mean(np.log(values))))
    return float(np.mean(values))


def htmt_ratios(
    correlation: np.ndarray,
    groups: Sequence[Sequence[int]],
    *,
    signs: np.ndarray | None = None,
    absolute: bool = True,
    mean: str = "arithmetic",
) -> np.ndarray:
    """HTMT matrix of the constructs ``groups`` (item positions in ``correlation``).

    Parameters
    ----------
    correlation : ndarray, shape (p, p)
        Item correlation matrix.
    groups : sequence of sequences of int
        Items (positions) of each construct, at least 2 each.
    signs : ndarray of +1/-1, optional
        Item signs: a reverse-keyed item (-1) has its correlations negated, which is what
        reversing its answers does. Default: all +1 (as semTools, which never reverses).
    absolute : bool, default True
        Use absolute correlations (semTools' ``absolute = TRUE``).
    mean : {"arithmetic", "geometric"}, default "arithmetic"
        ``"geometric"`` (HTMT2) always uses absolute correlations (as semTools).

    Returns
    -------
    ndarray, shape (k, k)
        Symmetric, with 1 on the diagonal (``semTools::htmt``'s layout); NaN where a
        monotrait mean is not positive.

    Examples
    --------
    >>> r = np.array([[1, .6, .3, .3], [.6, 1, .3, .3], [.3, .3, 1, .5], [.3, .3, .5, 1]])
    >>> print(htmt_ratios(r, [[0, 1], [2, 3]]).round(3))  # In R: semTools::htmt(m, htmt2 = FALSE)
    [[1.    0.548]
     [0.548 1.   ]]
    """
    check_choice("mean", mean, MEANS)
    matrix = np.array(correlation, dtype=float)
    if signs is not None:
        matrix = matrix * np.outer(signs, signs)
    if absolute or mean == "geometric":
        matrix = np.abs(matrix)
    np.fill_diagonal(matrix, np.nan)
    k = len(groups)
    monotrait = np.array([_block_mean(matrix[np.ix_(g, g)], mean) for g in groups])
    ratios = np.ones((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            hetero = _block_mean(matrix[np.ix_(groups[i], groups[j])], mean)
            product = monotrait[i] * monotrait[j]
            ratios[i, j] = ratios[j, i] = (hetero / np.sqrt(product) if product > 0
                                           and monotrait[i] > 0 else np.nan)
    return ratios
