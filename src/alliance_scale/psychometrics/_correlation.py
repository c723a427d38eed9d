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
   Drezner-Wesolowsky expansion for ``|rho| >= .925``), accurate to about 1e-15;
4. rho of every pair maximising the multinomial likelihood of its table with the
   thresholds fixed (step two), by Fisher scoring on all pairs in parallel (the derivative
   of the bivariate normal CDF in rho is the bivariate normal density), with step halving.

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

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from .._checks import (
    analysis_input,
    as_item_frame,
    check_choice,
    check_flag,
    check_matrix,
    check_number,
    respondent_count,
)
from .._results import Result, result
from .._warn import warn_user
from ..errors import (
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
    flat = _cdf(x.reshape(-1), y.reshape(-1), r.reshape(-1))
    return flat.reshape(shape)


def _cdf(x: np.ndarray, y: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Bivariate normal CDF; ``r`` varies along the first axis only (shape ``(m, 1, ...)``
    or ``(m,)``), ``x`` and ``y`` broadcast with it. Infinite limits are handled here."""
    finite_x = np.isfinite(x)
    finite_y = np.isfinite(y)
    # Genz's bvnu gives the upper orthant P(X > h, Y > k) = P(X < -h, Y < -k).
    out = _upper_orthant(np.where(finite_x, -x, 0.0), np.where(finite_y, -y, 0.0), r)
    margin_y = ndtr(np.where(finite_y, y, 0.0))
    margin_x = ndtr(np.where(finite_x, x, 0.0))
    out = np.where(np.isposinf(x) & finite_y, margin_y, out)
    out = np.where(np.isposinf(y) & finite_x, margin_x, out)
    out = np.where(np.isposinf(x) & np.isposinf(y), 1.0, out)
    return np.where(np.isneginf(x) | np.isneginf(y), 0.0, out)


def _take(array: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return array[rows] if array.shape[0] != 1 else array


def _upper_orthant(h: np.ndarray, k: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Genz's bvnu for finite h, k: P(X > h, Y > k).

    ``r`` varies along the first axis only; its rows are split by ``|r|`` into Genz's
    tiers (6, 12, 20 Gauss-Legendre points; the expansion above .925).
    """
    shape = np.broadcast_shapes(h.shape, k.shape, r.shape)
    out = np.empty(shape)
    absolute = np.abs(r.reshape(r.shape[0], -1)[:, 0])
    lower = 0.0
    for bound, (nodes, weights) in _TIERS:
        rows = np.flatnonzero((absolute >= lower) & (absolute < bound))
        lower = bound
        if rows.size:
            hs, ks, rs = _take(h, rows), _take(k, rows), r[rows]
            half_asin = np.arcsin(rs)[..., None] / 2.0
            sn = np.sin(half_asin * (1.0 + nodes))
            inverse = 1.0 / (1.0 - sn * sn)
            hk = (hs * ks)[..., None]
            sq = ((hs * hs + ks * ks) / 2.0)[..., None]
            integral = np.exp((sn * hk - sq) * inverse) @ weights
            out[rows] = integral * half_asin[..., 0] / _TWO_PI + ndtr(-hs) * ndtr(-ks)
    rows = np.flatnonzero(absolute >= _TIERS[-1][0])
    if rows.size:
        out[rows] = np.broadcast_to(
            _upper_orthant_high(_take(h, rows), _take(k, rows), r[rows]),
            (rows.size, *shape[1:]),
        )
    return np.clip(out, 0.0, 1.0)


def _upper_orthant_high(h: np.ndarray, k: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Genz's bvnu branch for ``|r| >= .925`` (Drezner-Wesolowsky expansion), vectorised."""
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
    half = (a / 2.0)[..., None]
    xs = (half * (1.0 + _NODES)) ** 2
    asr_nodes = -(bs[..., None] / xs + hk[..., None]) / 2.0
    keep = asr_nodes > -100
    spn = 1 + c[..., None] * xs * (1 + 5 * d[..., None] * xs)
    rs = np.sqrt(1 - xs)
    ep = np.exp(-(hk[..., None] / 2) * xs / (1 + rs) ** 2) / rs
    terms = np.where(keep, np.exp(np.maximum(asr_nodes, -100)) * (spn - ep), 0.0)
    bvn = (half[..., 0] * (terms * _WEIGHTS).sum(-1) - bvn) / _TWO_PI
    positive_part = bvn + ndtr(-np.maximum(h, k))
    low = np.where(h < 0, ndtr(k) - ndtr(h), ndtr(-h) - ndtr(-k))
    negative_part = np.where(h >= k, -bvn, low - bvn)
    return np.where(negative, negative_part, positive_part)


def _bivariate_normal_density(x: np.ndarray, y: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Standard bivariate normal density (0 at infinite arguments); d CDF / d rho."""
    finite = np.isfinite(x) & np.isfinite(y)
    xf = np.where(finite, x, 0.0)
    yf = np.where(finite, y, 0.0)
    one_minus = 1.0 - r * r
    quad = (xf * xf - 2.0 * r * xf * yf + yf * yf) / (2.0 * one_minus)
    return np.where(finite, np.exp(-quad) / (_TWO_PI * np.sqrt(one_minus)), 0.0)


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
    """Contingency tables of all items x items pairs (p x p x K x K), pairwise complete."""
    n, p = codes.shape
    onehot = np.zeros((n, p, categories))
    rows, cols = np.nonzero(codes >= 0)
    onehot[rows, cols, codes[rows, cols]] = 1.0
    onehot = onehot.reshape(n, p * categories)
    tables = onehot.T @ onehot
    return tables.reshape(p, categories, p, categories).transpose(0, 2, 1, 3)


def _cell_grids(
    rho: np.ndarray, row_cuts: np.ndarray, col_cuts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Cell probabilities and their derivatives in rho (pairs x K x K)."""
    pairs, inner = row_cuts.shape
    grid_x = row_cuts[:, :, None]
    grid_y = col_cuts[:, None, :]
    r = rho[:, None, None]
    size = inner + 2
    cdf = np.zeros((pairs, size, size))
    density = np.zeros((pairs, size, size))
    cdf[:, 1:-1, 1:-1] = _cdf(grid_x, grid_y, r)
    density[:, 1:-1, 1:-1] = _bivariate_normal_density(grid_x, grid_y, r)
    cdf[:, 1:-1, -1] = ndtr(row_cuts)
    cdf[:, -1, 1:-1] = ndtr(col_cuts)
    cdf[:, -1, -1] = 1.0

    def cells(grid: np.ndarray) -> np.ndarray:
        return grid[:, 1:, 1:] - grid[:, :-1, 1:] - grid[:, 1:, :-1] + grid[:, :-1, :-1]

    return cells(cdf), cells(density)


def _log_likelihood(probabilities: np.ndarray, tables: np.ndarray) -> np.ndarray:
    safe = np.where(tables > 0, np.maximum(probabilities, 1e-300), 1.0)
    return (tables * np.log(safe)).sum(axis=(1, 2))


def _fit_rho(
    tables: np.ndarray,
    row_cuts: np.ndarray,
    col_cuts: np.ndarray,
    start: np.ndarray,
    *,
    tolerance: float = 1e-9,
    max_iter: int = 100,
) -> np.ndarray:
    """Maximum likelihood rho of every pair by Fisher scoring with step halving."""
    rho = np.clip(start, -0.95, 0.95)
    totals = tables.sum(axis=(1, 2))
    probabilities, derivatives = _cell_grids(rho, row_cuts, col_cuts)
    loglik = _log_likelihood(probabilities, tables)
    active = np.ones(len(rho), dtype=bool)
    for _ in range(max_iter):
        if not active.any():
            break
        idx = np.flatnonzero(active)
        prob, deriv, tab = probabilities[idx], derivatives[idx], tables[idx]
        positive = prob > 1e-300
        ratio = np.where(positive, deriv / np.where(positive, prob, 1.0), 0.0)
        score = (np.where(tab > 0, tab, 0.0) * ratio).sum(axis=(1, 2))
        information = totals[idx] * (ratio * deriv).sum(axis=(1, 2))
        step = score / np.maximum(information, 1e-12)
        step = np.clip(step, -0.5, 0.5)
        for _halving in range(30):
            trial = np.clip(rho[idx] + step, -_RHO_BOUND, _RHO_BOUND)
            trial_prob, trial_deriv = _cell_grids(
                trial, row_cuts[idx], col_cuts[idx]
            )
            trial_loglik = _log_likelihood(trial_prob, tab)
            worse = trial_loglik < loglik[idx] - 1e-10 * np.abs(loglik[idx])
            if not worse.any():
                break
            step = np.where(worse, step / 2.0, step)
            # Keep the accepted trials; only the worse ones are retried.
        moved = np.abs(trial - rho[idx])
        rho[idx] = trial
        probabilities[idx], derivatives[idx], loglik[idx] = trial_prob, trial_deriv, trial_loglik
        done = moved < tolerance
        active[idx[done]] = False
    return rho


def _pearson_start(codes: np.ndarray) -> np.ndarray:
    """Pairwise Pearson correlations of the codes (0 where undefined): rho's start values."""
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
    items = as_item_frame(data)
    codes, categories, low = _category_codes(items)
    names = [str(c) for c in items.columns]
    cuts = _thresholds(codes, categories)
    matrix, pair_n = _pairwise_rho(codes, categories, cuts, correct)
    matrix, smoothed = _finish_matrix(matrix, pair_n, names, smooth)
    thresholds = pd.DataFrame(
        cuts, index=names, columns=[str(c) for c in range(1, categories)]
    )
    thresholds.columns.name = f"cut point (codes from {low:g})"
    return PolychoricResult(
        correlation=pd.DataFrame(matrix, index=names, columns=names),
        thresholds=thresholds,
        pair_counts=pd.DataFrame(pair_n.astype(int), index=names, columns=names),
        smoothed=smoothed,
    )


def _pairwise_rho(
    codes: np.ndarray, categories: int, cuts: np.ndarray, correct: float
) -> tuple[np.ndarray, np.ndarray]:
    """Step two for every pair at once: the p x p rho matrix (NaN for pairs without a
    common respondent) and the p x p pair counts."""
    p = codes.shape[1]
    tables = _pair_tables(codes, categories)
    pair_n = tables.sum(axis=(2, 3))
    upper_i, upper_j = np.triu_indices(p, 1)
    pair_tables = tables[upper_i, upper_j]
    if correct > 0:
        rows_seen = pair_tables.sum(axis=2, keepdims=True) > 0
        cols_seen = pair_tables.sum(axis=1, keepdims=True) > 0
        pair_tables = np.where((pair_tables == 0) & rows_seen & cols_seen, correct, pair_tables)
    start = _pearson_start(codes)[upper_i, upper_j]
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


def _pairwise_moments(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairwise-complete moments of a batch ``(..., n, p)`` with NaN for missing values.

    Returns ``counts`` (rows answering both items), ``cross`` (sum of cross products of
    the deviations from the pair's own means) and ``squares`` (``squares[i, j]``: sum of
    squared deviations of item ``i`` from its mean over the rows answering ``i`` and ``j``),
    all ``(..., p, p)``, from four matrix products of the answers centred on the item means.
    A ``squares`` entry that is zero up to rounding (at most ``1e-10`` times the sum of
    squares it is the difference of: the item is constant on those rows) is set to 0.
    """
    observed = ~np.isnan(values)
    mask = observed.astype(float)
    with warnings.catch_warnings():  # an all-missing item: NaN moments, reported by callers
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(values, axis=-2, keepdims=True)
    centred = np.where(observed, values - means, 0.0)
    transposed = np.swapaxes(centred, -1, -2)
    counts = np.swapaxes(mask, -1, -2) @ mask
    sums = transposed @ mask  # sums[i, j]: sum of item i over the rows answering i and j
    with np.errstate(invalid="ignore", divide="ignore"):
        cross = transposed @ centred - sums * np.swapaxes(sums, -1, -2) / counts
        raw = (transposed * transposed) @ mask
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
    singular = np.abs(np.linalg.eigvalsh(correlation))
    if singular.min() > _PINV_TOLERANCE * singular.max():
        inverse = np.linalg.inv(correlation)
    else:  # psych's Pinv: drop the singular values at or below tol * the largest
        inverse = np.linalg.pinv(correlation, rcond=_PINV_TOLERANCE, hermitian=True)
    with np.errstate(divide="ignore"):
        return np.clip(1.0 - 1.0 / np.diag(inverse), 0.0, 1.0)


def pairwise_pearson(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlations on pairwise-complete rows (R's ``cor(x, use = "pairwise")``).

    A correlation is NaN (R's ``NA``) where fewer than two rows answer both items or where
    an item does not vary on the rows that answer both: R returns ``NA`` there, while the
    rounding of a zero variance would give an infinite or absurd value. Correlations are
    bounded by 1 in size (rounding can exceed it by an ulp).

    Parameters
    ----------
    values : ndarray, shape (n, p)
        Data with NaN for missing values.

    Returns
    -------
    (ndarray, ndarray)
        The p x p correlations (unit diagonal; NaN where undefined) and the p x p counts
        of pairwise-complete rows.
    """
    observed = ~np.isnan(values)
    if observed.all():
        with np.errstate(invalid="ignore", divide="ignore"):  # a constant item: NaN, as R
            correlation = np.corrcoef(values, rowvar=False)
        return correlation, np.full((values.shape[1],) * 2, len(values))
    counts, cross, squares = _pairwise_moments(values)
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
