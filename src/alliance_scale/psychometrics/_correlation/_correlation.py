"""Correlation matrices of item answers: pairwise Pearson, polychoric (as psych), smoothing.

The one place where raw answers become the correlation matrix an analysis works on
(:func:`correlation_matrix`): pairwise-complete Pearson as R's ``cor(x, use = "pairwise")``,
or polychoric correlations: the correlation of the latent normal variables behind
every pair of ordinal items, as ``psych::polychoric(x)`` does by default (psych 2.2.9),
and smooth the matrix as ``psych::cor.smooth`` when it is not positive definite.

It also holds the library's one copy of the matrix algebra every analysis shares:
pairwise-complete covariances (:func:`pairwise_covariance`, batched, as R's
``cov(x, use = "pairwise")``), rescaling to a unit diagonal (:func:`to_unit_diagonal`, R's
``cov2cor``), the positive definiteness test (:func:`is_positive_definite`: psych's
smallest eigenvalue above machine epsilon, made safe against rounding as ``10 p eps``; so
a matrix with a smallest eigenvalue between ``eps`` and ``10 p eps`` is smoothed here and
not by psych, a change of about 1e-10) and squared multiple correlations
(:func:`squared_multiple_correlations`, ``psych::smc`` with its ``Pinv`` rule for singular
matrices). Note that R's pairwise Pearson correlation is *not* ``cov2cor`` of the pairwise
covariances when answers are missing: each pair is standardised by the variances of its own
rows (:func:`pairwise_pearson`), and a pair on whose rows an item does not vary has no
correlation (R's ``NA``; rounding would otherwise make it infinite).

Why hand-written: psych and lavaan fit one pair at a time (135 items give 9,045 pairs);
no Python library fits polychoric correlations. Here every step is vectorised over all
pairs at once, in plain numpy (no compiled extension):

1. thresholds (step one): for each item, ``qnorm`` of the cumulative proportions of its
   non-missing answers over the categories ``min .. max`` of all items (psych's *global*
   thresholds; an unused extreme category gives an infinite threshold, as in psych);
2. contingency tables of all pairs (pairwise complete) from one matrix product of the
   one-hot coded answers;
3. bivariate normal rectangle probabilities by Genz's (2004) method (Gauss-Legendre
   quadrature of the Drezner-Wesolowsky integral over ``asin(rho)``, with the
   Drezner-Wesolowsky expansion for ``|rho| >= .925``), accurate to about 1e-15; what
   does not depend on rho (products of the thresholds, the margins) is computed once
   per fit;
4. rho of every pair maximising the multinomial likelihood of its table with the
   thresholds fixed (step two), by Fisher scoring on all pairs in parallel (the derivative
   of the bivariate normal CDF in rho is the bivariate normal density), with step halving,
   from the Pearson correlation of the pair's table; pairs that have converged are set
   aside.

Each pair's numbers depend on that pair's answers alone, bit for bit: its start value
and every sum over its table's cells are taken in a fixed order that empty categories
(when other items use more categories) and the order of the two items do not change,
and no BLAS product mixes pairs. So the matrix of a subset of the items is exactly a
block of the matrix of all of them, which :func:`~alliance_scale.reliability` uses to fit
a scale's items once for all its subscales.

psych's ``correct = .5`` (a continuity correction for empty cells) acts only with *local*
thresholds, which psych uses only when items differ in their number of categories; with
global thresholds (psych's default, always used here) empty cells add nothing to the
likelihood. ``correct`` here is therefore 0 by default; a positive value adds that count
to each empty cell whose row and column categories were both observed in the pair.

psych optimises each rho with ``optimize`` (tolerance about 1e-4); values here are the
maximum likelihood estimates to about 1e-9, so they differ from psych's by up to ~1e-4
(2e-5 on bfi) and from ``lavaan::lavCor(ordered = ...)`` by about 1e-8.

One deliberate difference: when items differ in their highest observed category, psych
warns and switches to local (per-pair) thresholds; here thresholds stay global (the
unused category gets an infinite threshold and contributes nothing), so results then
differ from psych's.

References
----------
Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
coefficient. Psychometrika, 44, 443-460.
Genz, A. (2004). Numerical computation of rectangular bivariate and trivariate normal and
t probabilities. Statistics and Computing, 14, 251-260.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ..._checks import (
    analysis_input,
    as_item_frame,
    check_choice,
    check_flag,
    check_matrix,
    check_number,
    respondent_count,
)
from ..._results import Result, result
from ..._warn import warn_user
from ...errors import (
    AllianceScaleWarning,
    AnalysisError,
    NotPositiveDefiniteWarning,
)

__all__ = [
    "PolychoricResult",
    "correlation_matrix",
    "polychoric",
    "smooth_correlation",
    "squared_multiple_correlations",
]

#: psych's ``Pinv`` tolerance: singular values at or below sqrt(eps) x the largest are dropped.
_PINV_TOLERANCE = float(np.sqrt(np.finfo(float).eps))
#: A pairwise sum of squares this small relative to its terms is a zero variance.
_CONSTANT_RATIO = 1e-10
#: Largest number of response categories accepted (psych refuses above its max.cat = 8).
MAX_CATEGORIES = 10
_RHO_BOUND = 0.9999
_TWO_PI = 2.0 * np.pi
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(20)
#: Genz (2004): Gauss-Legendre points by |rho| (6 below .3, 12 below .75, 20 below .925).
_TIERS = tuple((bound, np.polynomial.legendre.leggauss(points))
               for bound, points in ((0.3, 6), (0.75, 12), (0.925, 20)))
_TIER_BOUNDS = np.array([bound for bound, _ in _TIERS])
#: Quadratures with at most this many terms compute them all at once (see _genz_quadrature).
_SMALL_QUADRATURE = 4096


@result
class PolychoricResult(Result):
    """Polychoric correlation matrix with its thresholds.

    Attributes
    ----------
    correlation : DataFrame
        Items x items polychoric correlations (smoothed when ``smoothed``).
    thresholds : DataFrame
        Items x cut points (``1 .. categories - 1``), on the standard normal scale; an
        unused extreme category gives an infinite threshold (as psych).
    pair_counts : DataFrame
        Items x items number of respondents who answered both items (pairwise complete;
        psych's ``pairwiseCount``).
    smoothed : bool
        True when the matrix was not positive definite and was smoothed (psych::cor.smooth).

    Examples
    --------
    >>> fit = als.polychoric(als.load_pilot()[["A1a_1", "A1a_2", "A1b_1"]])
    >>> fit.smoothed, int(fit.pair_counts.to_numpy().min())  # In R: psych::polychoric(x)
    (False, 311)
    """

    correlation: pd.DataFrame
    thresholds: pd.DataFrame
    pair_counts: pd.DataFrame
    smoothed: bool

    def to_frame(self) -> pd.DataFrame:
        return self.correlation

    def _summary(self) -> dict[str, object]:
        counts = self.pair_counts.to_numpy()
        pairs = counts[np.triu_indices(len(counts), 1)]
        return {
            "items": len(self.correlation),
            "categories": self.thresholds.shape[1] + 1,
            "smallest pairwise n": int(pairs.min()) if pairs.size else 0,
            "smoothed": self.smoothed,
        }


def bivariate_normal_cdf(
    upper_x: np.ndarray, upper_y: np.ndarray, rho: np.ndarray
) -> np.ndarray:
    """P(X <= upper_x, Y <= upper_y) for standard bivariate normal (X, Y) with correlation rho.

    Genz's (2004) algorithm, vectorised; arguments broadcast. Infinite limits are allowed;
    ``|rho|`` must be below 1.

    Parameters
    ----------
    upper_x, upper_y : array_like
        Upper limits (the lower limits are minus infinity).
    rho : array_like
        Correlation, ``-1 < rho < 1``.

    Returns
    -------
    ndarray
        The probabilities, in [0, 1].
    """
    x, y, r = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (upper_x, upper_y, rho)))
    shape = x.shape
    flat = _cdf(_limits(x.reshape(-1), y.reshape(-1)), r.reshape(-1))
    return flat.reshape(shape)


class _Limits(NamedTuple):
    """Upper limits ``(x, y)`` of the bivariate normal CDF with everything Genz's method
    needs of them that does not depend on rho, computed once (while rho is fitted the
    thresholds stay fixed). Points or pairs run along the last axis; the arrays broadcast
    (``x`` and ``y`` may be thinner than the others)."""

    #: The limits, infinite ones replaced by 0.
    x: np.ndarray
    y: np.ndarray
    #: Both limits finite.
    finite: np.ndarray
    #: The CDF where a limit is infinite (it does not depend on rho): 0 at ``-inf``,
    #: ``Phi`` of the other limit at ``+inf``, 1 when both are ``+inf``.
    fixed: np.ndarray
    #: ``x y`` and ``(x^2 + y^2) / 2``.
    xy: np.ndarray
    half_sq: np.ndarray
    #: ``Phi(x) Phi(y)``: the CDF at rho = 0.
    independent: np.ndarray

    def take(self, columns: np.ndarray | None) -> _Limits:
        """The limits of some pairs (positions along the last axis); all for None."""
        if columns is None:
            return self
        return _Limits(*(a[..., columns] if a.shape[-1] != 1 else a for a in self))


def _limits(x: np.ndarray, y: np.ndarray) -> _Limits:
    """:class:`_Limits` of upper limits ``x`` and ``y`` (broadcasting arrays)."""
    finite_x, finite_y = np.isfinite(x), np.isfinite(y)
    xf, yf = np.where(finite_x, x, 0.0), np.where(finite_y, y, 0.0)
    phi_x, phi_y = ndtr(xf), ndtr(yf)
    fixed = np.where(np.isposinf(x) & finite_y, phi_y, 0.0)
    fixed = np.where(np.isposinf(y) & finite_x, phi_x, fixed)
    fixed = np.where(np.isposinf(x) & np.isposinf(y), 1.0, fixed)
    fixed = np.where(np.isneginf(x) | np.isneginf(y), 0.0, fixed)
    return _Limits(xf, yf, finite_x & finite_y, fixed, xf * yf, (xf * xf + yf * yf) / 2.0,
                   phi_x * phi_y)


def _cdf(limits: _Limits, r: np.ndarray) -> np.ndarray:
    """Bivariate normal CDF at ``limits`` with correlation ``r`` (one per position along the
    last axis). Every value depends only on its own limits and rho, never on the other
    points computed with it (no reduction across points, no BLAS): the polychoric
    correlation of two items does not depend on the items fitted with them."""
    return np.where(limits.finite, _lower_orthant(limits, r), limits.fixed)


def _lower_orthant(limits: _Limits, r: np.ndarray) -> np.ndarray:
    """Genz's bvnu for finite limits, as ``P(X <= x, Y <= y) = P(X > -x, Y > -y)``.

    The positions are split by ``|r|`` into Genz's tiers (6, 12, 20 Gauss-Legendre points;
    the Drezner-Wesolowsky expansion from .925); the quadrature sums its points one at a
    time, in a fixed order.
    """
    shape = np.broadcast_shapes(*(a.shape for a in limits[2:]), r.shape)
    out = np.empty(shape)
    tiers = np.searchsorted(_TIER_BOUNDS, np.abs(r), side="right")
    single = tiers.size and (tiers == tiers.flat[0]).all()
    for tier in range(len(_TIERS) + 1):
        if single and tier != tiers.flat[0]:
            continue
        columns = None if single else np.flatnonzero(tiers == tier)
        if columns is None or columns.size:
            rs = r if columns is None else r[columns]
            if tier < len(_TIERS):
                value = _genz_quadrature(limits, columns, rs, *_TIERS[tier][1])
            else:
                part = limits.take(columns)
                value = _upper_orthant_high(-part.x, -part.y, rs)
            if columns is None:
                out[...] = value
            else:
                out[..., columns] = value
    return np.clip(out, 0.0, 1.0)


def _genz_quadrature(
    limits: _Limits, columns: np.ndarray | None, r: np.ndarray, nodes: np.ndarray,
    weights: np.ndarray,
) -> np.ndarray:
    """Genz's bvnu for ``|r| < .925`` at the positions ``columns`` (all for None): Gauss-
    Legendre quadrature of the Drezner-Wesolowsky integral over ``asin(r)``.

    The points are added one after the other; small problems compute all the points' terms
    at once, large ones one point at a time in place (large temporaries are what they
    cost): the same operations, so the same numbers either way.
    """
    xy = limits.xy if columns is None else limits.xy[..., columns]
    half_sq = limits.half_sq if columns is None else limits.half_sq[..., columns]
    half_asin = np.arcsin(r) / 2.0
    shape = np.broadcast_shapes(xy.shape, r.shape)
    if np.prod(shape) * len(nodes) <= _SMALL_QUADRATURE:
        points = (len(nodes),) + (1,) * len(shape)
        sn = np.sin(half_asin * (1.0 + nodes.reshape(points)))
        terms = np.exp((sn * xy - half_sq) / (1.0 - sn * sn)) * weights.reshape(points)
        integral = np.zeros(shape)
        for term in terms:
            integral += term
    else:
        integral = np.zeros(shape)
        term = np.empty(shape)
        for node, weight in zip(nodes, weights, strict=True):
            sn = np.sin(half_asin * (1.0 + node))
            np.multiply(sn, xy, out=term)
            term -= half_sq
            term /= 1.0 - sn * sn
            np.exp(term, out=term)
            term *= weight
            integral += term
    integral *= half_asin
    integral /= _TWO_PI
    integral += limits.independent if columns is None else limits.independent[..., columns]
    return integral


def _upper_orthant_high(h: np.ndarray, k: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Genz's bvnu branch for ``|r| >= .925`` (Drezner-Wesolowsky expansion), vectorised;
    P(X > h, Y > k) for finite h, k. The quadrature sums its points one at a time; the
    limits are taken in increasing order (the probability is symmetric in them), so that
    swapping them gives the same number."""
    h, k = np.minimum(h, k), np.maximum(h, k)
    negative = r < 0
    k = np.where(negative, -k, k)
    hk = h * k
    one_minus = 1.0 - r * r
    a = np.sqrt(one_minus)
    bs = (h - k) ** 2
    asr = -(bs / one_minus + hk) / 2.0
    c = (4.0 - hk) / 8.0
    d = (12.0 - hk) / 80.0
    bvn = np.where(
        asr > -100,
        a * np.exp(np.maximum(asr, -100)) * (1 - c * (bs - one_minus) * (1 - d * bs) / 3
                                              + c * d * one_minus**2),
        0.0,
    )
    b = np.sqrt(bs)
    sp = np.sqrt(_TWO_PI) * ndtr(-b / a)
    tail = np.exp(-np.maximum(hk, -100) / 2.0) * sp * b * (1 - c * bs * (1 - d * bs) / 3)
    bvn = bvn - np.where(hk > -100, tail, 0.0)
    half = a / 2.0
    quadrature = np.zeros(bvn.shape)
    for node, weight in zip(_NODES, _WEIGHTS, strict=True):
        xs = (half * (1.0 + node)) ** 2
        asr_node = -(bs / xs + hk) / 2.0
        spn = 1 + c * xs * (1 + 5 * d * xs)
        rs = np.sqrt(1 - xs)
        ep = np.exp(-(hk / 2) * xs / (1 + rs) ** 2) / rs
        term = np.where(asr_node > -100, np.exp(np.maximum(asr_node, -100)) * (spn - ep), 0.0)
        quadrature += weight * term
    bvn = (half * quadrature - bvn) / _TWO_PI
    positive_part = bvn + ndtr(-np.maximum(h, k))
    low = np.where(h < 0, ndtr(k) - ndtr(h), ndtr(-h) - ndtr(-k))
    negative_part = np.where(h >= k, -bvn, low - bvn)
    return np.where(negative, negative_part, positive_part)


def _density(limits: _Limits, r: np.ndarray) -> np.ndarray:
    """Standard bivariate normal density at ``limits`` (0 where a limit is infinite):
    the derivative of the CDF in rho."""
    one_minus = 1.0 - r * r
    quad = (limits.half_sq - r * limits.xy) / one_minus
    return np.where(limits.finite, np.exp(-quad) / (_TWO_PI * np.sqrt(one_minus)), 0.0)


def smooth_correlation(
    correlation: np.ndarray, eigen_tolerance: float = 1e-12
) -> tuple[np.ndarray, bool]:
    """Smooth a correlation matrix that is not positive definite, as psych::cor.smooth.

    When the matrix is not positive definite (:func:`is_positive_definite`: smallest
    eigenvalue below ``10 p eps``, psych's machine-epsilon test made safe against
    rounding), eigenvalues below
    ``eigen_tolerance`` are set to ``100 * eigen_tolerance``, all are rescaled to sum to
    the number of items, the matrix is rebuilt and rescaled to a unit diagonal.

    Parameters
    ----------
    correlation : ndarray
        Symmetric matrix with a unit diagonal.
    eigen_tolerance : float, default 1e-12
        psych's ``eig.tol``.

    Returns
    -------
    (ndarray, bool)
        The (possibly) smoothed matrix and whether it was smoothed.

    Examples
    --------
    >>> r = np.array([[1.0, 0.9, 0.9], [0.9, 1.0, 0.1], [0.9, 0.1, 1.0]])  # not positive definite
    >>> smoothed, changed = als.smooth_correlation(r)  # In R: psych::cor.smooth(r)
    >>> changed
    True
    >>> print(np.round(smoothed, 3))
    [[1.    0.757 0.757]
     [0.757 1.    0.146]
     [0.757 0.146 1.   ]]
    """
    correlation = check_matrix("correlation", correlation, square=True)
    values, vectors = np.linalg.eigh(correlation)
    if values.min() >= _definite_bound(len(values)):
        return correlation, False
    values = np.where(values < eigen_tolerance, 100 * eigen_tolerance, values)
    values = values * len(values) / values.sum()
    rebuilt = to_unit_diagonal((vectors * values) @ vectors.T)
    np.fill_diagonal(rebuilt, 1.0)
    return (rebuilt + rebuilt.T) / 2.0, True


def _category_codes(items: pd.DataFrame) -> tuple[np.ndarray, int, float]:
    """Integer codes 0..K-1 (global minimum = 0), -1 for missing; K; the global minimum."""
    values = items.to_numpy()
    observed = ~np.isnan(values)
    for j, name in enumerate(items.columns):
        column = values[observed[:, j], j]
        if not np.all(column == np.round(column)):
            bad = ~np.isnan(values[:, j]) & (values[:, j] != np.round(values[:, j]))
            raise AnalysisError(
                "polychoric correlations need integer category codes; found "
                f"{values[bad, j][0]:g}", column=str(name), rows=list(items.index[bad]),
            )
    low = np.nanmin(values)
    high = np.nanmax(values)
    categories = int(high - low) + 1
    if categories > MAX_CATEGORIES:
        spans = np.nanmax(values, axis=0) - np.nanmin(values, axis=0) + 1
        widest = items.columns[int(np.argmax(spans))]
        raise AnalysisError(
            f"across the items, answers span {categories} categories ({low:g} to {high:g}; "
            f"the widest single item, {widest!r}, spans {int(spans.max())}); polychoric "
            f"correlations accept at most {MAX_CATEGORIES}: treat these items as continuous "
            "(cor='pearson')",
            column=str(widest),
        )
    codes = np.where(observed, np.nan_to_num(values) - low, -1).astype(np.int64)
    return codes, categories, float(low)


def _thresholds(codes: np.ndarray, categories: int) -> np.ndarray:
    """Global thresholds (items x K-1): ``qnorm`` of each item's cumulative proportions."""
    p = codes.shape[1]
    counts = np.zeros((p, categories))
    for j in range(p):
        column = codes[:, j]
        counts[j] = np.bincount(column[column >= 0], minlength=categories)
    cumulative = np.cumsum(counts, axis=1) / counts.sum(axis=1, keepdims=True)
    return ndtri(np.clip(cumulative[:, :-1], 0.0, 1.0))


def _pair_tables(codes: np.ndarray, categories: int) -> np.ndarray:
    """Contingency tables of all items x items pairs (p x p x K x K), pairwise complete.

    One matrix product of the one-hot coded answers; in single precision while the counts
    stay exact in it (below 2**24 respondents), which halves the time.
    """
    n, p = codes.shape
    dtype = np.float32 if n < 2**24 else np.float64
    onehot = np.zeros((n, p, categories), dtype=dtype)
    rows, cols = np.nonzero(codes >= 0)
    onehot[rows, cols, codes[rows, cols]] = 1.0
    onehot = onehot.reshape(n, p * categories)
    tables = (onehot.T @ onehot).astype(np.float64)
    return tables.reshape(p, categories, p, categories).transpose(0, 2, 1, 3)


class _Grid(NamedTuple):
    """The threshold grids of a set of pairs, cells first (``K x K x pairs``): what the
    cell probabilities need that does not change while rho is fitted."""

    #: The inner grid points (row cut x column cut x pair).
    limits: _Limits
    #: The CDF on the grid padded with its edges (``K + 1`` points a side): 0 on the first
    #: row and column, the margins ``Phi(cut)`` on the last, 1 in the corner; the inner
    #: points are filled for each rho.
    edges: np.ndarray

    def take(self, columns: np.ndarray | None) -> _Grid:
        """The grids of some pairs (positions along the last axis); all for None."""
        if columns is None:
            return self
        return _Grid(self.limits.take(columns), self.edges[..., columns])


def _grid(row_cuts: np.ndarray, col_cuts: np.ndarray) -> _Grid:
    """:class:`_Grid` of pairs with thresholds ``row_cuts`` and ``col_cuts`` (pairs x K-1)."""
    rows, cols = np.ascontiguousarray(row_cuts.T), np.ascontiguousarray(col_cuts.T)
    inner, pairs = rows.shape
    edges = np.zeros((inner + 2, inner + 2, pairs))
    edges[1:-1, -1] = ndtr(rows)
    edges[-1, 1:-1] = ndtr(cols)
    edges[-1, -1] = 1.0
    return _Grid(_limits(rows[:, None, :], cols[None, :, :]), edges)


def _cells(grid: np.ndarray) -> np.ndarray:
    """Rectangle values of the cells from a padded grid of corner values (the same numbers,
    transposed, for a transposed grid)."""
    return (grid[1:, 1:] + grid[:-1, :-1]) - (grid[:-1, 1:] + grid[1:, :-1])


def _cell_probabilities(grid: _Grid, rho: np.ndarray) -> np.ndarray:
    """Cell probabilities (K x K x pairs) of the pairs of ``grid`` at correlations ``rho``."""
    cdf = grid.edges.copy()
    cdf[1:-1, 1:-1] = _cdf(grid.limits, rho)
    return _cells(cdf)


def _cell_slopes(grid: _Grid, rho: np.ndarray) -> np.ndarray:
    """Derivatives of the cell probabilities in rho (K x K x pairs): rectangles of the
    bivariate normal density."""
    density = np.zeros(grid.edges.shape)
    density[1:-1, 1:-1] = _density(grid.limits, rho)
    return _cells(density)


def _cell_grids(
    rho: np.ndarray, row_cuts: np.ndarray, col_cuts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Cell probabilities and their derivatives in rho (pairs x K x K)."""
    grid = _grid(row_cuts, col_cuts)
    return (np.moveaxis(_cell_probabilities(grid, rho), -1, 0),
            np.moveaxis(_cell_slopes(grid, rho), -1, 0))


def _log_likelihood(probabilities: np.ndarray, tables: np.ndarray) -> np.ndarray:
    safe = np.where(tables > 0, np.maximum(probabilities, 1e-300), 1.0)
    return _cell_sum(tables * np.log(safe))


def _fit_rho(
    tables: np.ndarray,
    row_cuts: np.ndarray,
    col_cuts: np.ndarray,
    start: np.ndarray,
    *,
    tolerance: float = 1e-9,
    max_iter: int = 100,
) -> np.ndarray:
    """Maximum likelihood rho of every pair by Fisher scoring with step halving.

    ``tables`` are pairs x K x K, the cuts pairs x K-1. Each pair's iterations depend on
    that pair alone (the others only share the vectorised arithmetic); the pairs still
    moving are kept together, the others set aside.
    """
    grid = _grid(row_cuts, col_cuts)
    tables = np.ascontiguousarray(np.moveaxis(tables, 0, -1))
    counts = np.where(tables > 0, tables, 0.0)
    totals = _cell_sum(tables)
    fitted = np.clip(start, -0.95, 0.95)
    working = np.arange(len(fitted))  # the pairs still moving, where they are in ``fitted``
    rho = fitted.copy()
    probabilities = _cell_probabilities(grid, rho)
    slopes = _cell_slopes(grid, rho)
    loglik = _log_likelihood(probabilities, tables)
    for _ in range(max_iter):
        if not working.size:
            break
        positive = probabilities > 1e-300
        ratio = np.where(positive, slopes / np.where(positive, probabilities, 1.0), 0.0)
        score = _cell_sum(counts * ratio)
        information = totals * _cell_sum(ratio * slopes)
        step = np.clip(score / np.maximum(information, 1e-12), -0.5, 0.5)
        trial = np.clip(rho + step, -_RHO_BOUND, _RHO_BOUND)
        trial_prob = _cell_probabilities(grid, trial)
        trial_loglik = _log_likelihood(trial_prob, tables)
        for _halving in range(29):  # 30 trials at most
            # Only the pairs whose likelihood fell are retried, with half the step.
            worse = np.flatnonzero(trial_loglik < loglik - 1e-10 * np.abs(loglik))
            if not worse.size:
                break
            step[worse] /= 2.0
            trial[worse] = np.clip(rho[worse] + step[worse], -_RHO_BOUND, _RHO_BOUND)
            trial_prob[..., worse] = _cell_probabilities(grid.take(worse), trial[worse])
            trial_loglik[worse] = _log_likelihood(trial_prob[..., worse], tables[..., worse])
        moving = ~(np.abs(trial - rho) < tolerance)
        fitted[working] = rho = trial
        probabilities, loglik = trial_prob, trial_loglik
        if not moving.all():
            keep = np.flatnonzero(moving)
            working, rho, probabilities, loglik = (
                working[keep], rho[keep], probabilities[..., keep], loglik[keep])
            grid, tables, counts, totals = (
                grid.take(keep), tables[..., keep], counts[..., keep], totals[keep])
        slopes = _cell_slopes(grid, rho)
    return fitted


def _sequential_sum(values: np.ndarray) -> np.ndarray:
    """Sum over the first axis, one term after the other (so exact zeros anywhere among the
    terms leave the sum unchanged, which pairwise summation does not promise)."""
    total = values[0].copy()
    for term in values[1:]:
        total += term
    return total


def _cell_sum(cells: np.ndarray) -> np.ndarray:
    """Sum over the cells (K x K x pairs) of each pair, in a fixed order: the diagonal cell
    of each category, then the sums ``cells[a, b] + cells[b, a]`` of its later categories.

    The order makes the sum the same, bit for bit, for a table and its transpose (a pair
    taken in the other order), and unchanged by empty categories padding the table (when
    other items use more categories: their terms are exactly 0): the polychoric
    correlation of two items is then the same whatever items are fitted with them.
    """
    total = np.zeros(cells.shape[2:])
    for a in range(cells.shape[0]):
        total += cells[a, a]
        for b in range(a + 1, cells.shape[0]):
            total += cells[a, b] + cells[b, a]
    return total


def _table_pearson(tables: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Pearson correlation of each pair from its contingency table (pairs x K x K) with
    category values ``values`` (0 where undefined): rho's start values.

    The pairwise-complete Pearson correlation (R's ``cor(x, use = "pairwise")``) of the
    pair's answers, from sums over the table's cells in a fixed order, so that a pair's
    start (and then its rho) depends on that pair alone.
    """
    cells = np.moveaxis(tables, 0, -1)
    rows = _sequential_sum(cells.swapaxes(0, 1))  # K x pairs: the first item's margins
    cols = _sequential_sum(cells)
    n = _sequential_sum(rows)
    with np.errstate(invalid="ignore", divide="ignore"):
        dx = values[:, None] - _sequential_sum(values[:, None] * rows) / n
        dy = values[:, None] - _sequential_sum(values[:, None] * cols) / n
        sxx = _sequential_sum(dx * dx * rows)
        syy = _sequential_sum(dy * dy * cols)
        sxy = _cell_sum(dx[:, None, :] * dy[None, :, :] * cells)
        r = sxy / np.sqrt(sxx * syy)
    return np.clip(np.nan_to_num(r, nan=0.0, posinf=0.0, neginf=0.0), -1.0, 1.0)


def _pearson_start(codes: np.ndarray) -> np.ndarray:
    """Pairwise Pearson correlations of the codes (0 where undefined): rho's start values
    for the ordinal statistics of the CFA (:func:`polychoric` uses :func:`_table_pearson`,
    which depends on each pair alone)."""
    return np.nan_to_num(pairwise_pearson(np.where(codes >= 0, codes, np.nan))[0])


def polychoric(
    data: pd.DataFrame | np.ndarray, *, smooth: bool = True, correct: float = 0.0
) -> PolychoricResult:
    """Polychoric correlations of ordinal items, as ``psych::polychoric(x)``.

    Two-step estimation (Olsson 1979): global thresholds from each item's cumulative
    proportions over all its answers, then for each pair the rho that maximises the
    multinomial likelihood of the pair's contingency table (pairwise complete), with the
    thresholds held fixed. All pairs are fitted at once (see the module docstring).

    Parameters
    ----------
    data : DataFrame or 2-D array
        Respondents x items, integer category codes (at most 10 categories over all items),
        missing answers as NaN.
    smooth : bool, default True
        Smooth the matrix as ``psych::cor.smooth`` when it is not positive definite
        (a :class:`NotPositiveDefiniteWarning` says so).
    correct : float, default 0.0
        Count added to empty cells (whose row and column categories were observed in the
        pair). psych's default ``correct = .5`` is not applied with global thresholds, so
        0 reproduces psych.

    Returns
    -------
    PolychoricResult

    Raises
    ------
    AnalysisError
        Non-numeric or non-integer codes, an item without answers, a constant item, more
        than 10 categories (each names the item).

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> fit = als.polychoric(pilot[["A1a_1", "A1a_2", "A1b_1"]])  # In R: psych::polychoric(x)
    >>> print(fit.correlation.round(3))
           A1a_1  A1a_2  A1b_1
    A1a_1  1.000  0.476  0.506
    A1a_2  0.476  1.000  0.457
    A1b_1  0.506  0.457  1.000
    >>> print(fit.thresholds.round(2))  # psych's $tau
    cut point (codes from 1)     1     2     3     4
    A1a_1                    -2.08 -1.31 -0.54  0.38
    A1a_2                    -2.15 -1.48 -0.67  0.20
    A1b_1                    -1.90 -1.14 -0.51  0.34
    """
    smooth = check_flag("smooth", smooth)
    correct = check_number("correct", correct, 0.0, 1.0)
    fit = _fit_polychoric(as_item_frame(data), correct)
    matrix, smoothed = fit.correlation(smooth=smooth)
    names = fit.names
    thresholds = pd.DataFrame(
        fit.cuts, index=names, columns=[str(c) for c in range(1, fit.categories)]
    )
    thresholds.columns.name = f"cut point (codes from {fit.low:g})"
    return PolychoricResult(
        correlation=pd.DataFrame(matrix, index=names, columns=names),
        thresholds=thresholds,
        pair_counts=pd.DataFrame(fit.pair_n.astype(int), index=names, columns=names),
        smoothed=smoothed,
    )


class _PolychoricFit(NamedTuple):
    """Both steps of :func:`polychoric` on checked items, before smoothing.

    Each pair's correlation depends on that pair's answers alone (its thresholds, its
    table, its start value and its Fisher scoring never mix with other pairs': see
    :func:`_cell_sum` and :func:`_cdf`), so the matrix of a subset of the items is a
    submatrix of this one: :meth:`correlation` gives, bit for bit, what
    ``polychoric(data[items])`` gives, for a fraction of the cost.
    """

    #: Item names, in the order of the matrices.
    names: list[str]
    #: Items x items polychoric correlations, not smoothed (NaN for a pair without a
    #: common respondent).
    matrix: np.ndarray
    #: Items x items numbers of respondents who answered both items.
    pair_n: np.ndarray
    #: Items x cut points: the global thresholds.
    cuts: np.ndarray
    #: Number of categories over all the items, and the lowest code.
    categories: int
    low: float

    def correlation(
        self, items: Sequence[str] | None = None, *, smooth: bool = True
    ) -> tuple[np.ndarray, bool]:
        """The matrix of ``items`` (default: all), smoothed when ``smooth`` and it is not
        positive definite (with the warnings of :func:`polychoric`); and whether it was."""
        if items is None:
            return _finish_matrix(self.matrix.copy(), self.pair_n, self.names, smooth)
        where = np.array([self.names.index(str(item)) for item in items], dtype=np.intp)
        block = np.ix_(where, where)
        return _finish_matrix(self.matrix[block], self.pair_n[block],
                              [self.names[i] for i in where], smooth)


def _fit_polychoric(items: pd.DataFrame, correct: float = 0.0) -> _PolychoricFit:
    """Thresholds and every pair's rho of checked items (``as_item_frame``)."""
    codes, categories, low = _category_codes(items)
    cuts = _thresholds(codes, categories)
    matrix, pair_n = _pairwise_rho(codes, categories, cuts, correct, low)
    return _PolychoricFit([str(c) for c in items.columns], matrix, pair_n, cuts, categories,
                          low)


def _pairwise_rho(
    codes: np.ndarray, categories: int, cuts: np.ndarray, correct: float, low: float
) -> tuple[np.ndarray, np.ndarray]:
    """Step two for every pair at once: the p x p rho matrix (NaN for pairs without a
    common respondent) and the p x p pair counts. ``low`` is the answer coded 0: the start
    values are Pearson correlations of the answers themselves."""
    p = codes.shape[1]
    tables = _pair_tables(codes, categories)
    pair_n = tables.sum(axis=(2, 3))
    upper_i, upper_j = np.triu_indices(p, 1)
    pair_tables = tables[upper_i, upper_j]
    start = _table_pearson(pair_tables, low + np.arange(categories, dtype=float))
    if correct > 0:
        rows_seen = pair_tables.sum(axis=2, keepdims=True) > 0
        cols_seen = pair_tables.sum(axis=1, keepdims=True) > 0
        pair_tables = np.where((pair_tables == 0) & rows_seen & cols_seen, correct, pair_tables)
    fit = pair_n[upper_i, upper_j] > 0
    rho = np.full(len(upper_i), np.nan)
    if fit.any():
        rho[fit] = _fit_rho(
            pair_tables[fit], cuts[upper_i[fit]], cuts[upper_j[fit]], start[fit]
        )
    matrix = np.eye(p)
    matrix[upper_i, upper_j] = rho
    matrix[upper_j, upper_i] = rho
    return matrix, pair_n


def _finish_matrix(
    matrix: np.ndarray, pair_n: np.ndarray, names: list[str], smooth: bool
) -> tuple[np.ndarray, bool]:
    """Warn about pairs without common respondents, else smooth when asked and needed.

    Returns the (possibly smoothed) matrix and whether it was smoothed.
    """
    empty = np.argwhere(np.triu(pair_n == 0, 1))
    if empty.size:
        first, second = empty[0]
        warn_user(
            f"items {names[first]!r} and {names[second]!r} (and {len(empty) - 1} other "
            "pair(s)) have no respondent in common: their correlation is NaN and the matrix "
            "was not smoothed",
            AllianceScaleWarning,
        )
        return matrix, False
    if not smooth:
        return matrix, False
    matrix, smoothed = smooth_correlation(matrix)
    if smoothed:
        warn_user(
            "the polychoric correlation matrix was not positive definite and was "
            "smoothed (psych::cor.smooth)", NotPositiveDefiniteWarning,
        )
    return matrix, smoothed


#: Correlations an analysis of raw answers can work on.
CORRELATIONS = ("pearson", "polychoric")
#: psych's spellings (``fa(cor = "cor")``, ``fa(cor = "poly")``), accepted as synonyms.
_CORRELATION_ALIASES = {"cor": "pearson", "poly": "polychoric"}


def correlation_kind(cor: object) -> str:
    """``"pearson"`` or ``"polychoric"`` for ``cor``, accepting psych's ``"cor"`` and
    ``"poly"``.

    Raises
    ------
    OptionError
        Any other value.
    """
    check_choice("cor", cor, CORRELATIONS + tuple(_CORRELATION_ALIASES))
    return _CORRELATION_ALIASES.get(cor, cor)  # type: ignore[arg-type]
#: Treatments of missing answers: pairwise-complete correlations, or complete rows only.
MISSING = ("pairwise", "listwise")


class AnalysedCorrelation(NamedTuple):
    """What :func:`correlation_matrix` gives an analysis (a tuple, unpackable)."""

    #: Items x items correlation matrix.
    matrix: pd.DataFrame
    #: Number of respondents (None for a matrix given without ``n_obs``).
    n_obs: int | None
    #: Items x items number of respondents who answered both items (psych's
    #: ``pairwiseCount``); None for a correlation matrix and for listwise deletion.
    pair_counts: np.ndarray | None
    #: The checked item responses the matrix comes from (None when a matrix was given).
    items: pd.DataFrame | None = None


def _pairwise_moments(
    values: np.ndarray, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairwise-complete moments of a batch ``(..., n, p)`` with NaN for missing values.

    Returns ``counts`` (rows answering both items), ``cross`` (sum of cross products of
    the deviations from the pair's own means) and ``squares`` (``squares[i, j]``: sum of
    squared deviations of item ``i`` from its mean over the rows answering ``i`` and ``j``),
    all ``(..., p, p)``, from four matrix products of the answers centred on the item means.
    A ``squares`` entry that is zero up to rounding (at most ``1e-10`` times the sum of
    squares it is the difference of: the item is constant on those rows) is set to 0.
    ``weights`` (n,): each row counts that many times (distinct patterns and their counts).
    """
    observed = ~np.isnan(values)
    mask = observed.astype(float)
    centred = np.where(observed, values, 0.0)
    weighted = mask if weights is None else mask * weights[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):  # an all-missing item: NaN moments
        means = (weighted * centred).sum(axis=-2, keepdims=True) / weighted.sum(
            axis=-2, keepdims=True)
    centred = np.where(observed, values - means, 0.0)
    transposed = np.swapaxes(centred, -1, -2)
    if weights is not None:
        transposed = transposed * weights
    counts = np.swapaxes(weighted, -1, -2) @ mask
    sums = transposed @ mask  # sums[i, j]: sum of item i over the rows answering i and j
    with np.errstate(invalid="ignore", divide="ignore"):
        cross = transposed @ centred - sums * np.swapaxes(sums, -1, -2) / counts
        raw = (transposed * np.swapaxes(centred, -1, -2)) @ mask
        squares = raw - sums * sums / counts
    squares[squares <= _CONSTANT_RATIO * raw] = 0.0
    return counts, cross, squares


def pairwise_covariance(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Covariances on pairwise-complete rows, as R's ``cov(x, use = "pairwise")``.

    Each covariance uses the rows answering both items (deviations from the means of those
    rows, divisor ``n_ij - 1``); each variance all the item's answers.

    Parameters
    ----------
    values : ndarray, shape (..., n, p)
        Data (respondents x items) with NaN for missing values; leading axes are a batch
        (bootstrap samples, for instance).

    Returns
    -------
    covariance : ndarray, shape (..., p, p)
        NaN where a pair has fewer than two rows in common.
    counts : ndarray of int, shape (..., p, p)
        Number of rows answering both items (psych's ``pairwiseCount``).
    """
    values = np.asarray(values, dtype=float)
    n = values.shape[-2]
    observed = ~np.isnan(values)
    if observed.all():
        centred = values - values.mean(axis=-2, keepdims=True)
        centred = centred - centred.mean(axis=-2, keepdims=True)  # second pass: rounding
        covariance = np.swapaxes(centred, -1, -2) @ centred / (n - 1)
        return covariance, np.full(covariance.shape, n, dtype=int)
    counts, cross, _ = _pairwise_moments(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        covariance = cross / (counts - 1)
    return covariance, counts.astype(int)


def to_unit_diagonal(matrix: np.ndarray) -> np.ndarray:
    """Rescale a covariance matrix to a unit diagonal (R's ``cov2cor``): ``D^-1/2 S D^-1/2``.

    Parameters
    ----------
    matrix : ndarray, shape (..., p, p)
        Covariance matrices (a batch along the leading axes).

    Returns
    -------
    ndarray, shape (..., p, p)
        The corresponding correlation matrices (the diagonal is 1 up to rounding).
    """
    matrix = np.asarray(matrix, dtype=float)
    scale = 1.0 / np.sqrt(np.diagonal(matrix, axis1=-2, axis2=-1))
    return matrix * scale[..., :, None] * scale[..., None, :]


def is_positive_definite(matrix: np.ndarray) -> bool:
    """Whether a symmetric matrix is positive definite, the library's one test.

    psych's test (smallest eigenvalue above machine epsilon), made safe against rounding:
    the smallest eigenvalue must be at least ``10 p eps`` (``p`` the order, ``eps`` machine
    epsilon, 2.2e-16). A matrix failing it is smoothed by :func:`smooth_correlation` and
    named by :func:`singular_cause`.

    Parameters
    ----------
    matrix : ndarray, shape (p, p)
        Symmetric matrix (a correlation or covariance matrix).

    Returns
    -------
    bool
    """
    matrix = np.asarray(matrix, dtype=float)
    return bool(np.linalg.eigvalsh(matrix)[0] >= _definite_bound(len(matrix)))


def _definite_bound(order: int) -> float:
    """Smallest eigenvalue a positive definite matrix of this order must reach."""
    return 10 * order * np.finfo(float).eps


def squared_multiple_correlations(correlation: np.ndarray) -> np.ndarray:
    """Squared multiple correlation of each item with all others, as ``psych::smc``.

    ``1 - 1 / diag(R^+)``, clipped to [0, 1], where ``R^+`` is psych's ``Pinv``: the
    Moore-Penrose inverse from the singular value decomposition, dropping the singular
    values at or below ``sqrt(eps)`` times the largest. For a well-conditioned matrix
    (no value dropped) ``R^+`` is the inverse, computed by ``np.linalg.inv``; for a matrix
    singular up to rounding (collinear items, fewer respondents than items) the dropped
    directions make the SMCs those of psych, where an inverse of a nearly singular matrix
    would give 1 for every item.

    Parameters
    ----------
    correlation : ndarray, shape (p, p)
        Correlation matrix.

    Returns
    -------
    ndarray, shape (p,)

    Examples
    --------
    >>> r = np.array([[1.0, 0.5, 0.4], [0.5, 1.0, 0.3], [0.4, 0.3, 1.0]])
    >>> print(np.round(als.squared_multiple_correlations(r), 3))  # In R: psych::smc(r)
    [0.319 0.262 0.173]
    """
    correlation = check_matrix("correlation", correlation, square=True)
    return _smc(correlation, _is_regular(correlation))


def _is_regular(correlation: np.ndarray) -> bool:
    """psych's test before ``smc``: every |eigenvalue| above tol * the largest (else Pinv).

    A principal submatrix of a regular positive definite matrix is regular too (its
    eigenvalues lie between the full matrix's smallest and largest: Cauchy interlacing), so
    callers dropping items from a regular matrix may skip the test.
    """
    singular = np.abs(np.linalg.eigvalsh(correlation))
    return bool(singular.min() > _PINV_TOLERANCE * singular.max())


def _smc(correlation: np.ndarray, regular: bool) -> np.ndarray:
    """SMCs of a checked matrix whose regularity (:func:`_is_regular`) is known."""
    if regular:
        inverse = np.linalg.inv(correlation)
    else:  # psych's Pinv: drop the singular values at or below tol * the largest
        inverse = np.linalg.pinv(correlation, rcond=_PINV_TOLERANCE, hermitian=True)
    with np.errstate(divide="ignore"):
        return np.clip(1.0 - 1.0 / np.diag(inverse), 0.0, 1.0)


def pairwise_pearson(
    values: np.ndarray, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlations on pairwise-complete rows (R's ``cor(x, use = "pairwise")``).

    A correlation is NaN (R's ``NA``) where fewer than two rows answer both items or where
    an item does not vary on the rows that answer both: R returns ``NA`` there, while the
    rounding of a zero variance would give an infinite or absurd value. Correlations are
    bounded by 1 in size (rounding can exceed it by an ulp).

    Parameters
    ----------
    values : ndarray, shape (n, p)
        Data with NaN for missing values.
    weights : ndarray, shape (n,), optional
        Frequency weights: row ``i`` counts ``weights[i]`` times (distinct response
        patterns and their counts give the correlations of the respondents).

    Returns
    -------
    (ndarray, ndarray)
        The p x p correlations (unit diagonal; NaN where undefined) and the p x p counts
        of pairwise-complete rows.
    """
    observed = ~np.isnan(values)
    if observed.all() and weights is None:
        with np.errstate(invalid="ignore", divide="ignore"):  # a constant item: NaN, as R
            correlation = np.corrcoef(values, rowvar=False)
        return correlation, np.full((values.shape[1],) * 2, len(values))
    counts, cross, squares = _pairwise_moments(values, weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = cross / np.sqrt(squares * np.swapaxes(squares, -1, -2))
    correlation[(squares == 0) | (np.swapaxes(squares, -1, -2) == 0) | (counts < 2)] = np.nan
    correlation = np.clip(correlation, -1.0, 1.0)
    np.fill_diagonal(correlation, 1.0)
    return correlation, counts.astype(int)


def correlation_matrix(
    data: pd.DataFrame | np.ndarray | None = None,
    *,
    cor_matrix: pd.DataFrame | np.ndarray | None = None,
    cor: str = "pearson",
    n_obs: int | None = None,
    missing: str = "pairwise",
    require_n_obs: bool = True,
) -> AnalysedCorrelation:
    """The correlation matrix an analysis works on, its respondents and its pair counts.

    The one place where an analysis turns its input into a correlation matrix
    (:func:`~alliance_scale.efa`, :func:`~alliance_scale.kmo`,
    :func:`~alliance_scale.bartlett`, :func:`~alliance_scale.parallel_analysis`,
    :func:`~alliance_scale.map_test`).

    Parameters
    ----------
    data : DataFrame or 2-D array, optional
        Raw answers (respondents x items); or, with ``n_obs`` (psych's ``fa(r, n.obs=)``
        convention), a correlation matrix.
    cor_matrix : DataFrame or 2-D array, optional
        A correlation matrix (square, symmetric, unit diagonal) instead of ``data``. Which
        of the two was given is decided once, by ``alliance_scale._checks.analysis_input``.
    cor : {"pearson", "polychoric"}, default "pearson"
        Correlations of raw answers: pairwise-complete Pearson (R's
        ``cor(x, use = "pairwise")``) or :func:`~alliance_scale.polychoric`; psych's
        spellings ``"cor"`` and ``"poly"`` are accepted.
    n_obs : int, optional
        Number of respondents (>= 2); required with a correlation matrix unless
        ``require_n_obs`` is False. With raw answers the default is the number of
        respondents who answered at least one item (psych counts every row, empty ones
        too; the two differ only when a row is empty), or of complete rows with
        ``missing="listwise"``.
    missing : {"pairwise", "listwise"}, default "pairwise"
        With raw answers: pairwise-complete correlations (psych's ``use = "pairwise"``) or
        complete rows only.
    require_n_obs : bool, default True
        Refuse a correlation matrix given without ``n_obs``; False for analyses that do not
        use the sample size (the returned ``n_obs`` is then None).

    Returns
    -------
    AnalysedCorrelation
        ``(matrix, n_obs, pair_counts, items)``: the items x items correlations (DataFrame),
        the number of respondents, the items x items numbers of respondents who answered
        both items (None for a correlation matrix or listwise deletion), and the checked
        responses (None for a correlation matrix).

    Raises
    ------
    OptionError
        An unknown ``cor`` or ``missing``; both or neither of ``data`` and ``cor_matrix``;
        a correlation matrix without ``n_obs`` (when required); a bad ``n_obs``.
    AnalysisError
        A ``cor_matrix`` that is not a correlation matrix; bad raw answers (see
        ``as_item_frame``); fewer than two complete rows (listwise); a pair of items whose
        correlation is undefined (names the items).

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> fitted = als.correlation_matrix(pilot[["A1a_1", "A1a_2", "A1b_1"]])
    >>> fitted.n_obs
    320
    >>> print(fitted.matrix.round(3))  # In R: cor(x, use = "pairwise")
           A1a_1  A1a_2  A1b_1
    A1a_1  1.000  0.424  0.459
    A1a_2  0.424  1.000  0.398
    A1b_1  0.459  0.398  1.000
    """
    cor = correlation_kind(cor)
    check_choice("missing", missing, MISSING)
    kind, given, n_obs = analysis_input(data, cor_matrix, n_obs, need_n_obs=require_n_obs)
    if kind == "matrix":
        return AnalysedCorrelation(given, n_obs, None, None)
    items = _complete_rows(as_item_frame(given)) if missing == "listwise" else as_item_frame(given)
    if cor == "polychoric":
        fitted = polychoric(items)
        correlation, counts = fitted.correlation.to_numpy(), fitted.pair_counts.to_numpy()
    else:
        correlation, counts = pairwise_pearson(items.to_numpy())
    _check_defined(correlation, counts, items.columns)
    names = list(items.columns)
    return AnalysedCorrelation(
        pd.DataFrame(correlation, index=names, columns=names),
        respondent_count(items) if n_obs is None else int(n_obs),
        counts if missing == "pairwise" else None,
        items,
    )


def _complete_rows(items: pd.DataFrame) -> pd.DataFrame:
    """The respondents who answered every item (listwise deletion); at least two."""
    complete = items.dropna()
    if len(complete) < 2:
        raise AnalysisError(
            f"only {len(complete)} respondent(s) answered every item; use missing='pairwise'"
        )
    return complete


def _check_defined(correlation: np.ndarray, counts: np.ndarray, names: pd.Index) -> None:
    """Refuse a matrix with an undefined (NaN) correlation, naming the first such pair."""
    bad = np.argwhere(np.isnan(correlation))
    if bad.size:
        i, j = bad[0]
        raise AnalysisError(
            f"the correlation of items {names[i]!r} and {names[j]!r} is undefined: "
            f"{counts[i, j]} respondent(s) answered both, too few, or one of the items does "
            "not vary among them",
            column=str(names[i]),
        )


def singular_cause(correlation: np.ndarray, names: list[str]) -> str | None:
    """Say why a correlation matrix is singular or indefinite, or None when it is positive
    definite.

    The test is :func:`is_positive_definite` (psych's, made safe against rounding). The
    cause names up to five perfectly correlated pairs when there are some; otherwise it
    points to linear dependence or to fewer respondents than items, or, for a matrix with
    a clearly negative eigenvalue, to pairwise deletion or hand-entered values.

    Parameters
    ----------
    correlation : ndarray, shape (p, p)
        Symmetric matrix with a unit diagonal.
    names : list of str
        Item names, in the order of the rows.

    Returns
    -------
    str or None
        One sentence (kind of problem, smallest eigenvalue, cause), or None when the matrix
        is positive definite.
    """
    smallest = np.linalg.eigvalsh(correlation)[0]
    if smallest >= _definite_bound(len(correlation)):  # as is_positive_definite
        return None
    pairs = np.argwhere(np.triu(np.abs(correlation), 1) > 1 - 1e-10)
    if pairs.size:
        cause = ("items " + ", ".join(f"{names[i]!r} and {names[j]!r}" for i, j in pairs[:5])
                 + " are perfectly correlated")
    elif smallest > -1e-8:
        cause = ("some items are linear combinations of others, or there are fewer "
                 "respondents than items")
    else:
        cause = ("no complete data set has these correlations (pairwise deletion, or values "
                 "entered by hand); smooth it first (smooth_correlation, as psych::cor.smooth)")
    kind = "singular" if smallest > -1e-8 else "not positive definite"
    return f"the correlation matrix is {kind} (smallest eigenvalue {smallest:.3g}): {cause}"
