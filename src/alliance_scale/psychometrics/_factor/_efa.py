"""Exploratory factor analysis (minres, ml, pa) with rotations, fit and scores, as psych::fa.

The numbers follow R's psych 2.2.9 (``fa``, ``fac``, ``fa.stats``, ``factor.scores``,
``Promax``, ``kaiser``) and GPArotation, so that a psychometrician gets the table R would
print. The extraction is hand-written numpy/scipy because no Python package reproduces
psych: factor_analyzer's "principal" is a principal component analysis, its communalities
under oblique rotation differ from psych, it lets Heywood cases pass silently and its
``fit`` fails with scikit-learn >= 1.8. minres and ml follow psych's criterion, gradient,
start (SMC), bounds (.005..1) and R's ``optim`` L-BFGS-B settings step for step, which
reproduces psych's loadings to about 1e-14 (a more tightly converged optimum would differ
from psych by ~1e-6, and by ~1e-3 in Heywood cases). Rotations are in :mod:`._rotation`
(every rotation psych offers); psych's printout (``print.psych.fa``: sorted, cut loadings,
variance, Phi, fit lines, factor score adequacy) is built by :mod:`._fa_print`.

Bootstrap intervals of the loadings follow psych's ``fa(n.iter = )``: respondents resampled
with replacement (normal data simulated from a correlation matrix), each replicate rotated
toward the estimate by psych's ``target.rot`` and the interval taken as mean -/+ z sd. psych's
``target.rot`` rescales the transformation as if the replicate's factors were uncorrelated;
that rule is kept for the loadings (they are psych's numbers), and the factor correlations of
a replicate follow the same transformation (psych keeps them unaligned).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.optimize

from ... import _checks as _data
from ..._checks import (
    check_choice,
    check_flag,
    check_integer,
    check_matrix,
    check_number,
    check_seed,
)
from ..._results import Report, Result, format_table, result
from ..._warn import warn_user
from ...errors import (
    AllianceScaleWarning,
    AnalysisError,
    HeywoodWarning,
    NotPositiveDefiniteWarning,
    OptionError,
)
from .._correlation._correlation import (
    correlation_kind,
    correlation_matrix,
    pairwise_pearson,
    polychoric,
    singular_cause,
    smooth_correlation,
    squared_multiple_correlations,
    to_unit_diagonal,
)
from .._distributions import chi2_cdf, chi2_sf, harmonic_mean, ncx2_cdf, norm_ppf
from ._fa_print import adequacy_table, fit_lines, loadings_table, r_round, sort_order
from ._rotation import canonical_rotation, rotate

__all__ = [
    "EFAResult",
    "efa",
    "extract_factors",
]

#: Bounds psych puts on the uniquenesses during minres and ml extraction.
_PSI_LOWER = 0.005
#: psych::fa defaults for principal axis iterations.
_PA_MAX_ITER = 50
_PA_MIN_ERR = 0.001
_METHODS = ("minres", "ml", "pa")


def _top_eigen(matrix: np.ndarray, n_factors: int) -> tuple[np.ndarray, np.ndarray]:
    """Largest ``n_factors`` eigenvalues (decreasing) and eigenvectors of a symmetric matrix."""
    p = matrix.shape[0]
    values, vectors = scipy.linalg.eigh(matrix, subset_by_index=[p - n_factors, p - 1])
    return values[::-1], vectors[:, ::-1]


def _principal_loadings(matrix: np.ndarray, n_factors: int) -> np.ndarray:
    """Loadings ``V sqrt(max(lambda, 0))`` of the leading eigenpairs (psych's ``FAout.wls``)."""
    values, vectors = _top_eigen(matrix, n_factors)
    return vectors * np.sqrt(np.maximum(values, 0.0))


def _minres_criterion(
    psi: np.ndarray, correlation: np.ndarray, n_factors: int
) -> tuple[float, np.ndarray]:
    """psych's minres criterion (``fit.residuals``) and gradient (``FAgr.minres``).

    The loadings for given uniquenesses are the leading eigenpairs of ``R - Psi`` (Harman &
    Jones 1966); the criterion is the sum of squared lower off-diagonal residuals. psych's
    gradient, ``diag(L L' + Psi - R)``, is that of the unweighted least squares criterion
    ``0.5 ||R - Psi - L L'||^2``, equal to the minres criterion at its interior optimum,
    where the diagonal residuals vanish. Both come from one eigen decomposition.
    """
    reduced = correlation - np.diag(psi)
    values, vectors = _top_eigen(reduced, n_factors)
    eps = np.finfo(float).eps
    loadings = vectors * np.sqrt(np.where(values < eps, 100 * eps, values))
    residual = reduced - loadings @ loadings.T
    value = float(np.sum(np.tril(residual, -1) ** 2))
    gradient_loadings = vectors * np.sqrt(np.maximum(values, 0.0))
    gradient = np.sum(gradient_loadings**2, axis=1) + psi - np.diag(correlation)
    return value, gradient


def _ml_criterion(
    psi: np.ndarray, correlation: np.ndarray, n_factors: int
) -> tuple[float, np.ndarray]:
    """Maximum likelihood discrepancy and gradient in the uniquenesses (psych ``FAfn``/``FAgr``).

    Joreskog (1967), ``stats::factanal``: with ``S* = Psi^-1/2 R Psi^-1/2`` and its
    eigenvalues ``e``, the criterion is ``-sum_{j > k} (log e_j - e_j) - k + p`` and the
    gradient ``diag(L L' + Psi - R) / Psi^2``.
    """
    root = np.sqrt(psi)
    values, vectors = np.linalg.eigh(correlation / np.outer(root, root))
    values, vectors = values[::-1], vectors[:, ::-1]
    rest = values[n_factors:]
    with np.errstate(invalid="ignore", divide="ignore"):
        value = float(-(np.sum(np.log(rest) - rest) - n_factors + correlation.shape[0]))
    loadings = root[:, None] * vectors[:, :n_factors] * np.sqrt(
        np.maximum(values[:n_factors] - 1.0, 0.0)
    )
    gradient = (np.sum(loadings**2, axis=1) + psi - np.diag(correlation)) / psi**2
    return value, gradient


def _ml_loadings(psi: np.ndarray, correlation: np.ndarray, n_factors: int) -> np.ndarray:
    """Loadings at given uniquenesses for maximum likelihood (psych ``FAout``)."""
    scale = 1.0 / np.sqrt(psi)
    values, vectors = _top_eigen(correlation * np.outer(scale, scale), n_factors)
    return np.sqrt(psi)[:, None] * vectors * np.sqrt(np.maximum(values - 1.0, 0.0))


#: R's ``optim(method = "L-BFGS-B")`` settings used by psych: ``parscale = .01``, default
#: ``factr = 1e7`` (relative reduction of the criterion), ``pgtol = 0``, ``lmm = 5``,
#: ``maxit = 100``. Following them step for step gives psych's uniquenesses to ~1e-12.
_PARSCALE = 0.01
_OPTIM = {"maxcor": 5, "ftol": 1e7 * np.finfo(float).eps, "gtol": 0.0, "maxiter": 100}


def _optimise_uniquenesses(criterion, correlation: np.ndarray, n_factors: int) -> np.ndarray:
    """Minimise ``criterion`` (value, gradient) over uniquenesses in [.005, max(SMC, 1)].

    Starts from ``1 - SMC``. As psych's ``fac``: L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995)
    with R's ``optim`` settings, on the uniquenesses divided by ``parscale``.
    """
    smc = squared_multiple_correlations(correlation)
    upper = max(1.0, float(np.max(smc)))
    start = np.clip(np.diag(correlation) - smc, _PSI_LOWER, upper)

    def scaled(x: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = criterion(x * _PARSCALE, correlation, n_factors)
        return value, gradient * _PARSCALE

    result = scipy.optimize.minimize(
        scaled,
        start / _PARSCALE,
        jac=True,
        method="L-BFGS-B",
        bounds=[(_PSI_LOWER / _PARSCALE, upper / _PARSCALE)] * len(start),
        options=_OPTIM,
    )
    return result.x * _PARSCALE


def _principal_axis(correlation: np.ndarray, n_factors: int) -> np.ndarray:
    """Iterated principal axis loadings, psych's ``fm = "pa"`` (SMC start, 50 iterations).

    The communalities start at the SMCs and are replaced by the row sums of squared loadings
    of the leading eigenpairs of the reduced matrix until their total changes by less than
    .001 (psych's ``min.err``) or 50 iterations (``max.iter``) are done.
    """
    reduced = correlation.copy()
    np.fill_diagonal(reduced, squared_multiple_correlations(correlation))
    total = np.trace(reduced)
    for _ in range(_PA_MAX_ITER):
        values, vectors = _top_eigen(reduced, n_factors)
        if np.any(values < 0):
            raise AnalysisError(
                f"principal axis factoring produced a negative eigenvalue with {n_factors} "
                "factor(s); ask for fewer factors or use method='minres'"
            )
        loadings = vectors * np.sqrt(values)
        communalities = np.sum(loadings**2, axis=1)
        np.fill_diagonal(reduced, communalities)
        new_total = communalities.sum()
        converged = abs(total - new_total) <= _PA_MIN_ERR
        total = new_total
        if converged:
            break
    return loadings


def extract_factors(
    correlation: np.ndarray,
    n_factors: int,
    method: str = "minres",
    n_obs: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Unrotated factor loadings and uniquenesses of a correlation matrix, as psych::fa.

    Parameters
    ----------
    correlation : ndarray, shape (p, p)
        Correlation matrix (unit diagonal).
    n_factors : int
        Number of factors ``k`` (1 <= k < p).
    method : {"minres", "ml", "pa"}, default "minres"
        ``"minres"``: minimum residual (Harman & Jones 1966): psych's sum of squared lower
        off-diagonal residuals minimised over the uniquenesses by L-BFGS-B in [.005, 1]
        from ``1 - SMC``, with psych's gradient and R's ``optim`` settings.
        ``"ml"``: maximum likelihood (Joreskog 1967), same bounds and start. ``"pa"``:
        iterated principal axis (SMC start, psych's tolerance .001 on the summed
        communalities, at most 50 iterations).
    n_obs : int, optional
        Number of respondents. Unused: none of the three methods weights by it. It is kept
        because it is part of the agreed public signature (symmetry with :func:`efa`).

    Returns
    -------
    loadings : ndarray, shape (p, k)
        Unrotated loadings, each column reflected so that its sum is positive (psych).
    uniquenesses : ndarray, shape (p,)
        ``diag(R - L L')`` (psych's ``uniquenesses``).

    Raises
    ------
    AnalysisError
        If the matrix is not a square correlation matrix, ``n_factors`` is not in
        ``1 .. p - 1`` or ``method`` is unknown.

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> items = sorted(c for c in pilot.columns if c[:2] in ("A1", "B1"))
    >>> r = pilot[items].corr().to_numpy()
    >>> loadings, uniquenesses = als.extract_factors(r, 2)  # In R: psych::fa(r, 2, rotate = "none")
    >>> print(np.round(loadings[:3], 3))
    [[0.598 0.359]
     [0.505 0.345]
     [0.339 0.232]]
    >>> print(np.round(uniquenesses[:3], 3))
    [0.513 0.625 0.831]
    """
    del n_obs  # documented as unused (agreed signature)
    correlation = check_matrix("correlation", correlation, square=True)
    if np.isnan(correlation).any():
        raise AnalysisError("the correlation matrix has missing values (NaN)")
    p = correlation.shape[0]
    _check_n_factors(n_factors)
    if n_factors >= p:
        raise AnalysisError(
            f"n_factors must be between 1 and {p - 1} for {p} items, got {n_factors}"
        )
    check_choice("method", method, _METHODS)
    return _extract(correlation, n_factors, method)


def _extract(
    correlation: np.ndarray, n_factors: int, method: str
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`extract_factors` without the checks (the caller has made them)."""
    if method == "minres":
        psi = _optimise_uniquenesses(_minres_criterion, correlation, n_factors)
        loadings = _principal_loadings(correlation - np.diag(psi), n_factors)
    elif method == "ml":
        psi = _optimise_uniquenesses(_ml_criterion, correlation, n_factors)
        loadings = _ml_loadings(psi, correlation, n_factors)
    else:
        loadings = _principal_axis(correlation, n_factors)
    loadings = loadings * _reflection(loadings)
    uniquenesses = np.diag(correlation) - np.sum(loadings**2, axis=1)
    return loadings, uniquenesses


def _reflection(loadings: np.ndarray) -> np.ndarray:
    """Signs (+1 / -1 per factor) making each column sum positive, as psych reflects."""
    signs = np.sign(loadings.sum(axis=0))
    signs[signs == 0] = 1.0
    return signs


# --------------------------------------------------------------------------------------
# Checks and smoothing of the correlation matrix
# --------------------------------------------------------------------------------------

_PREFIX = {"minres": "MR", "ml": "ML", "pa": "PA"}
_SCORE_METHODS = ("regression", "bartlett", "tenberge")
#: psych's ``alpha = .1`` for fa: a 90% confidence interval of the RMSEA.
_RMSEA_ALPHA = 0.1


def _warn_if_singular(correlation: np.ndarray, names: list[str], method: str) -> None:
    """Warn when the correlation matrix is not positive definite (refuse it for ml).

    The test is
    :func:`~alliance_scale.psychometrics._correlation._correlation.is_positive_definite`
    (through ``singular_cause``), the same one
    :func:`~alliance_scale.psychometrics._correlation._correlation.smooth_correlation`
    applies, so the matrix the warning announces as smoothed is smoothed.
    """
    cause = singular_cause(correlation, names)
    if cause is None:
        return
    if method == "ml":
        raise AnalysisError(
            f"{cause}; maximum likelihood needs a positive definite matrix (drop items, or "
            "use method='minres')"
        )
    warn_user(f"{cause}. Fit statistics use a smoothed matrix, as psych::cor.smooth.",
              NotPositiveDefiniteWarning)


def _smoothed(correlation: np.ndarray) -> np.ndarray:
    """The matrix as psych::cor.smooth leaves it (unchanged when positive definite)."""
    return smooth_correlation(correlation)[0]


def degrees_of_freedom(n_items: int, n_factors: int) -> float:
    """Degrees of freedom of an exploratory factor model: ``p(p-1)/2 - pk + k(k-1)/2``.

    The number of distinct correlations minus the free parameters of ``k`` factors on ``p``
    items, less the ``k(k-1)/2`` of rotational indeterminacy (Lawley & Maxwell 1971; psych's
    ``dof``).

    Parameters
    ----------
    n_items : int
        Number of items ``p``.
    n_factors : int
        Number of factors ``k``.

    Returns
    -------
    float
        Negative when the model is not identified; 0 for a saturated model.
    """
    p, k = n_items, n_factors
    return p * (p - 1) / 2 - p * k + k * (k - 1) / 2


# --------------------------------------------------------------------------------------
# Fit statistics (psych::fa.stats)
# --------------------------------------------------------------------------------------


def _rmsea_bound(chi2: float, dof: float, n_obs: float, probability: float) -> float:
    """RMSEA bound: the noncentrality putting ``chi2`` at ``probability`` (psych's uniroot)."""
    def gap(ncp: float) -> float:
        if ncp <= 0:
            return chi2_cdf(chi2, dof) - probability
        return ncx2_cdf(chi2, dof, ncp) - probability

    upper = max(n_obs, chi2) + 2 * n_obs
    try:
        root = scipy.optimize.brentq(gap, 0.0, upper, xtol=1e-10)
    except ValueError:
        return math.nan
    return math.sqrt(root / (n_obs - 1) / dof)


def _log_det_fit(model: np.ndarray, correlation: np.ndarray) -> float:
    """``tr(M^-1 R) - log det(M^-1 R) - p``: the ML discrepancy of model ``M`` from ``R``."""
    product = np.linalg.solve(model, correlation)
    sign, log_det = np.linalg.slogdet(product)
    if sign <= 0:
        return math.inf
    return float(np.trace(product) - log_det - len(correlation))


def fit_statistics(
    correlation: np.ndarray,
    pattern: np.ndarray,
    phi: np.ndarray | None,
    n_obs: int | None,
    pair_counts: np.ndarray | None = None,
) -> dict[str, Any]:
    """Fit of a factor solution as ``psych::fa.stats``.

    Parameters
    ----------
    correlation : ndarray, shape (p, p)
        Observed correlations.
    pattern : ndarray, shape (p, k)
        Pattern loadings.
    phi : ndarray or None
        Factor correlations (None: orthogonal).
    n_obs : int or None
        Number of respondents; without it only the residual statistics are given.
    pair_counts : ndarray, optional
        Respondents per pair; when given (raw data, pairwise deletion) the empirical chi2 and
        the RMSR weight each residual by its pair's count, as psych does.

    Returns
    -------
    dict
        ``objective``; ``chi2`` (likelihood ratio with Bartlett's (1950) correction
        ``n - 1 - (2p + 5)/6 - 2k/3``); ``dof``; ``p_value``; ``rmsea`` and ``rmsea_ci``
        (90%, Steiger & Lind 1980, by inverting the noncentral chi2); ``tli`` (Tucker &
        Lewis 1973); ``bic`` (``chi2 - dof log n``); ``rmsr`` (root mean square off-diagonal
        residual); ``empirical_chi2`` and ``empirical_p_value`` (sum of squared residuals
        times n, or weighted by the pair counts); ``empirical_bic`` (``empirical_chi2 - dof
        log n``, n the harmonic mean of the pair counts when given: psych's ``EBIC``);
        ``null_chi2``, ``null_dof``. Without ``n_obs`` the n-based entries are NaN.
    """
    p, k = pattern.shape
    model = pattern @ (np.eye(k) if phi is None else phi) @ pattern.T
    dof = degrees_of_freedom(p, k)
    stats: dict[str, Any] = {"dof": dof, "null_dof": p * (p - 1) / 2}
    stats.update(_residual_statistics(correlation, model, dof, n_obs, pair_counts))
    stats.update(_likelihood_statistics(correlation, model, k, dof, n_obs))
    return stats


def _residual_statistics(
    correlation: np.ndarray,
    model: np.ndarray,
    dof: float,
    n_obs: int | None,
    pair_counts: np.ndarray | None,
) -> dict[str, float]:
    """psych's residual-based statistics: ``rmsr``, ``crms``, ``empirical_chi2``, its p
    value and BIC, ``harmonic_n``, ``fit`` and ``fit_off``.

    The residual is ``R - L Phi L'``. With ``pair_counts`` each squared off-diagonal
    residual (and correlation, for ``fit_off``) is weighted by its pair's count and the RMSR
    by their harmonic mean.
    """
    p = len(correlation)
    residual = correlation - model
    total_fit = 1.0 - float(np.sum(residual**2)) / float(np.sum(correlation**2))
    residual = residual.copy()
    np.fill_diagonal(residual, 0.0)
    off = correlation.copy()
    np.fill_diagonal(off, 0.0)
    if pair_counts is None:
        squared = float(np.sum(residual**2))
        observed = float(np.sum(off**2))
        rmsr = math.sqrt(squared / (p * (p - 1)))
        empirical = squared * n_obs if n_obs is not None else math.nan
        harmonic = n_obs
        crms = math.sqrt(squared / (2 * dof)) if dof > 0 else math.nan
    else:
        squared = float(np.sum(residual**2 * pair_counts))
        observed = float(np.sum(off**2 * pair_counts))
        harmonic = harmonic_mean(pair_counts.ravel())
        rmsr = math.sqrt(squared / (harmonic * p * (p - 1)))
        empirical = squared
        crms = math.sqrt(squared / (2 * harmonic * dof)) if dof > 0 else math.nan
    usable = dof > 0 and bool(n_obs)
    return {
        "rmsr": rmsr,
        "crms": crms,
        "empirical_chi2": empirical,
        "empirical_p_value": float(chi2_sf(empirical, dof)) if usable else math.nan,
        "empirical_bic": empirical - dof * math.log(harmonic) if usable else math.nan,
        "harmonic_n": math.nan if harmonic is None else float(harmonic),
        "fit": total_fit,
        "fit_off": 1.0 - squared / observed,
    }


def _likelihood_statistics(
    correlation: np.ndarray, model: np.ndarray, k: int, dof: float, n_obs: int | None
) -> dict[str, Any]:
    """psych's likelihood-based statistics of the model-implied matrix ``model``.

    ``objective`` (ML discrepancy of the smoothed matrices); with ``n_obs``: ``chi2``
    (Bartlett's correction), ``null_chi2`` and, when ``dof > 0``, ``p_value``, ``rmsea``
    with its 90% interval, ``tli`` and ``bic`` (NaN otherwise).
    """
    p = len(correlation)
    model_unit = model.copy()
    np.fill_diagonal(model_unit, np.diag(correlation))
    observed = _smoothed(correlation)
    objective = _log_det_fit(_smoothed(model_unit), observed)
    stats: dict[str, Any] = {"objective": objective}
    for key in ("chi2", "p_value", "rmsea", "tli", "bic", "null_chi2"):
        stats[key] = math.nan
    stats["rmsea_ci"] = (math.nan, math.nan)
    sign, log_det = np.linalg.slogdet(observed)
    null_objective = float(np.trace(observed) - log_det - p) if sign > 0 else math.inf
    stats["null_objective"] = null_objective
    if n_obs is None or not math.isfinite(objective):
        return stats
    multiplier = (n_obs - 1) - (2 * p + 5) / 6 - 2 * k / 3
    chi2 = objective * multiplier
    stats["chi2"] = max(chi2, 0.0)
    stats["null_chi2"] = null_objective * ((n_obs - 1) - (2 * p + 5) / 6)
    if dof > 0:  # a saturated model (dof = 0) has no TLI, p value or RMSEA: they stay NaN
        null_per_dof = null_objective * 2 / (p * (p - 1))
        stats["tli"] = (null_per_dof - objective / dof) / (null_per_dof - 1 / multiplier)
        stats["p_value"] = float(chi2_sf(stats["chi2"], dof))
        stats["rmsea"] = math.sqrt(max(chi2 / (dof * n_obs) - 1 / (n_obs - 1), 0.0))
        stats["rmsea_ci"] = _rmsea_interval(stats["chi2"], dof, n_obs)
        stats["bic"] = chi2 - dof * math.log(n_obs)
    return stats


def _rmsea_interval(chi2: float, dof: float, n_obs: int) -> tuple[float, float]:
    """psych's 90% RMSEA interval (a bound is 0 when chi2 is below its quantile)."""
    tail = _RMSEA_ALPHA / 2
    cdf = chi2_cdf(chi2, dof)
    upper = _rmsea_bound(chi2, dof, n_obs, tail) if cdf > tail else 0.0
    lower = _rmsea_bound(chi2, dof, n_obs, 1 - tail) if cdf > 1 - tail else 0.0
    return (lower, upper)


# --------------------------------------------------------------------------------------
# Factor scores (psych::factor.scores)
# --------------------------------------------------------------------------------------


def _symmetric_power(matrix: np.ndarray, power: float) -> np.ndarray:
    """``matrix ** power`` by eigen decomposition, negative eigenvalues set to machine eps."""
    values, vectors = np.linalg.eigh(matrix)
    values = np.where(values < 0, np.finfo(float).eps, values)
    return (vectors * values**power) @ vectors.T


def score_weights(
    correlation: np.ndarray, pattern: np.ndarray, phi: np.ndarray | None, method: str
) -> np.ndarray:
    """Factor score weights (items x factors) as ``psych::factor.scores``.

    ``"regression"``: Thurstone (1935), ``R^-1 L Phi``. ``"bartlett"``: Bartlett (1937),
    ``U^-2 L (L' U^-2 L)^-1`` with ``U^2 = 1 - diag(L Phi L')``. ``"tenberge"``: ten Berge,
    Krijnen, Wansbeek & Shapiro (1999), scores whose correlations equal ``Phi``.

    Parameters
    ----------
    correlation : ndarray, shape (p, p)
        Correlations of the items being scored.
    pattern : ndarray, shape (p, k)
        Pattern loadings.
    phi : ndarray, shape (k, k), or None
        Factor correlations (None: orthogonal factors).
    method : {"regression", "bartlett", "tenberge"}
        Kind of scores.

    Returns
    -------
    ndarray, shape (p, k)
        Weights: standardised answers times weights give the scores.

    Raises
    ------
    AnalysisError
        An unknown ``method``.
    """
    check_choice("score method", method, _SCORE_METHODS)
    k = pattern.shape[1]
    phi = np.eye(k) if phi is None else phi
    if method == "regression":
        return np.linalg.solve(correlation, pattern @ phi)
    if method == "bartlett":
        inverse_u2 = 1.0 / (1.0 - np.einsum("ij,jk,ik->i", pattern, phi, pattern))
        weighted = pattern * inverse_u2[:, None]
        return weighted @ np.linalg.inv(pattern.T @ weighted)
    phi_root = _symmetric_power(phi, 0.5)  # "tenberge"
    loadings = pattern @ phi_root
    r_inverse_root = _symmetric_power(correlation, -0.5)
    r_inverse = np.linalg.inv(_smoothed(correlation))
    middle = _symmetric_power(loadings.T @ r_inverse @ loadings, -0.5)
    return r_inverse_root @ (r_inverse_root @ loadings @ middle) @ phi_root


# --------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------


@result
class EFAResult(Result):
    """An exploratory factor solution, as printed by psych::fa.

    ``print(result)`` shows psych's printout (:meth:`summary` with psych's defaults);
    ``result.summary(cut=0.3, sort=True)`` is R's ``print(fa(...), cut = .3, sort = TRUE)``.

    Attributes
    ----------
    loadings : DataFrame
        Pattern loadings (items x factors); columns named as psych (``MR1``, ``ML2``, ``PA3``:
        the number is the factor's position before ordering by variance explained).
    phi : DataFrame or None
        Factor correlations; None for orthogonal rotations and single factors.
    communalities : Series
        ``h2 = diag(L Phi L')`` (rotation leaves it unchanged).
    fit : Mapping
        Read-only mapping of fit statistics (see :func:`fit_statistics`): ``chi2``, ``dof``,
        ``p_value``, ``rmsea``, ``rmsea_ci``, ``tli``, ``bic``, ``rmsr``, ``crms``,
        ``objective``, ``empirical_chi2``, ``empirical_p_value``, ``empirical_bic``
        (psych's ``EBIC``: ``empirical_chi2 - dof log n``), ``harmonic_n``, ``fit``,
        ``fit_off``, ``null_objective``, ``null_chi2``, ``null_dof``.
    heywood : list of str
        Items whose communality reached 1 (uniqueness at psych's bound .005 or below).
    method, rotation : str
        Extraction and rotation, as asked.
    cor : str
        ``"pearson"`` or ``"polychoric"`` (correlations of responses), or ``"correlation
        matrix"`` (a correlation matrix was given).
    n_obs : int or None
        Number of respondents.
    correlation : DataFrame
        The correlation matrix analysed.
    bootstrap : DataFrame or None
        With ``efa(..., n_boot=)``: one row per item and factor (``item``, ``factor``,
        ``estimate``, ``mean``, ``sd``, ``lower``, ``upper``), psych's ``fa(n.iter=)$cis``.
    phi_bootstrap : DataFrame or None
        The same for the factor correlations (oblique rotations).
    confidence : float
        Coverage of the bootstrap intervals.
    structure : DataFrame
        Structure loadings ``L Phi`` (item-factor correlations); computed from ``loadings``
        and ``phi``.
    uniquenesses : Series
        ``u2 = diag(R) - h2`` (1 - h2 for a correlation matrix); computed.
    variance : DataFrame
        psych's ``Vaccounted``: SS loadings, Proportion Var, Cumulative Var, Proportion
        Explained, Cumulative Proportion; computed from ``loadings`` and ``phi``.
    score_adequacy : DataFrame
        psych's "Measures of factor score adequacy"; computed.

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> items = sorted(c for c in pilot.columns if c[:2] in ("A1", "B1"))
    >>> fit = als.efa(pilot[items], 2)  # In R: f <- psych::fa(x, 2)
    >>> print(fit.variance.round(2))  # In R: f$Vaccounted
                            MR1   MR2
    SS loadings            3.98  3.73
    Proportion Var         0.22  0.21
    Cumulative Var         0.22  0.43
    Proportion Explained   0.52  0.48
    Cumulative Proportion  0.52  1.00
    >>> print(fit.summary(cut=0.3, sort=True))  # In R: print(f, cut = .3, sort = TRUE)
    Factor Analysis using method = minres, rotation = oblimin
    Call: efa(data, n_factors=2, method='minres', rotation='oblimin', cor='pearson')
    Standardized loadings (pattern matrix) based upon correlation matrix
          item    MR1    MR2    h2    u2  com
    B1b_1   14   0.83         0.70  0.30  1.0
    B1a_2   11   0.82         0.67  0.33  1.0
    ...
    Measures of factor score adequacy
                                                      MR1   MR2
    Correlation of (regression) scores with factors  0.95  0.94
    Multiple R square of scores with factors         0.90  0.88
    Minimum correlation of possible factor scores    0.80  0.76
    """

    loadings: pd.DataFrame
    phi: pd.DataFrame | None
    communalities: pd.Series
    fit: Mapping[str, Any]
    heywood: list[str]
    method: str
    rotation: str
    cor: str
    n_obs: int | None
    correlation: pd.DataFrame
    bootstrap: pd.DataFrame | None = None
    phi_bootstrap: pd.DataFrame | None = None
    confidence: float = 0.95

    def __post_init__(self) -> None:
        # Results are frozen: the fit statistics are a read-only view of their own copy.
        object.__setattr__(self, "fit", MappingProxyType(dict(self.fit)))

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "fit": dict(self.fit)}  # a mappingproxy does not pickle

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "fit", MappingProxyType(dict(self.fit)))

    @property
    def structure(self) -> pd.DataFrame:
        """Structure loadings ``L Phi`` (the pattern loadings when orthogonal)."""
        if self.phi is None:
            return self.loadings.copy()
        return pd.DataFrame(self.loadings.to_numpy() @ self.phi.to_numpy(),
                            index=self.loadings.index, columns=self.loadings.columns)

    @property
    def uniquenesses(self) -> pd.Series:
        """Uniquenesses ``u2 = diag(R) - h2``."""
        diagonal = np.diag(self.correlation.to_numpy())
        return pd.Series(diagonal - self.communalities.to_numpy(),
                         index=self.communalities.index, name="u2")

    @property
    def variance(self) -> pd.DataFrame:
        """psych's ``Vaccounted`` table (total variance = number of items)."""
        phi = None if self.phi is None else self.phi.to_numpy()
        return _variance_table(self.loadings.to_numpy(), phi, self.loadings.columns)

    @property
    def complexity(self) -> pd.Series:
        """Hofmann's (1978) complexity of each item: ``(sum l^2)^2 / sum l^4``."""
        squared = self.loadings**2
        return (squared.sum(axis=1) ** 2 / (squared**2).sum(axis=1)).rename("complexity")

    @property
    def score_adequacy(self) -> pd.DataFrame:
        """psych's "Measures of factor score adequacy", one column per factor.

        ``R2`` is the squared multiple correlation of the regression factor score estimates
        with the factors, ``diag(W' S)`` with ``S = L Phi`` and ``W = R^-1 S`` (the
        correlation matrix smoothed first when it is not positive definite, as psych's
        ``factor.stats``); rows: its square root (``Correlation of (regression) scores
        with factors``), ``R2`` itself and ``2 R2 - 1``, the smallest correlation two
        equally good factor score estimates can have (Guttman 1955).
        """
        phi = None if self.phi is None else self.phi.to_numpy()
        r2 = score_r2(self.correlation.to_numpy(), self.loadings.to_numpy(), phi)
        return pd.DataFrame(
            [np.sqrt(r2), r2, 2 * r2 - 1],
            index=["correlation", "r2", "minimum_correlation"],
            columns=self.loadings.columns,
        )

    def to_frame(self, sort: bool = False) -> pd.DataFrame:
        """Loadings with ``h2``, ``u2`` and ``complexity``, as psych's print.

        Parameters
        ----------
        sort : bool, default False
            Order items as ``psych::fa.sort``: by the factor of their largest absolute
            loading, then by that loading in decreasing size.
        """
        frame = self.loadings.copy()
        frame["h2"] = self.communalities
        frame["u2"] = self.uniquenesses
        frame["complexity"] = self.complexity
        if sort:
            frame = frame.iloc[sort_order(self.loadings)]
        return frame

    def _summary(self) -> dict[str, Any]:
        fit = self.fit
        summary: dict[str, Any] = {
            "method": self.method,
            "rotation": self.rotation,
            "factors": self.loadings.shape[1],
            "n_obs": self.n_obs,
            "chi2": fit["chi2"],
            "dof": fit["dof"],
            "p_value": fit["p_value"],
            "rmsea": fit["rmsea"],
            "rmsea 90% CI": tuple(fit["rmsea_ci"]),
            "tli": fit["tli"],
            "bic": fit["bic"],
            "rmsr": fit["rmsr"],
        }
        if self.heywood:
            summary["heywood"] = ", ".join(self.heywood)
        return summary

    def summary(self, cut: float = 0.0, sort: bool = False, digits: int = 2) -> Report:
        """psych's printout of the solution (``print.psych.fa``), as text and HTML.

        Loadings (pattern matrix) with h2, u2 and com, the variance accounted for, the
        factor correlations, the mean item complexity, the fit lines, the factor score
        adequacy and, with ``n_boot``, the bootstrap intervals of the loadings.

        Parameters
        ----------
        cut : float, default 0
            Loadings with an absolute value below ``cut`` are printed blank (psych's
            ``cut``; ``0.3`` is usual).
        sort : bool, default False
            Order items as ``psych::fa.sort`` (with psych's ``item`` column).
        digits : int, default 2
            Decimals, as psych's ``digits``.

        Returns
        -------
        Report
            Prints as text (``print(report)``), shows as HTML in a notebook.

        Raises
        ------
        OptionError
            ``cut`` outside [0, 1], ``sort`` not a boolean, ``digits`` not in 0..6.
        """
        cut, sort, digits = _print_options(cut, sort, digits)
        extra = pd.DataFrame({"h2": self.communalities, "u2": self.uniquenesses,
                              "com": self.complexity})
        table = loadings_table(self.loadings, extra, cut=cut, sort=sort, digits=digits,
                               extra_digits={"com": max(digits - 1, 1)})
        k = self.loadings.shape[1]
        head = [
            f"Factor Analysis using method = {self.method}, rotation = {self.rotation}",
            f"Call: efa(data, n_factors={k}, method={self.method!r}, "
            f"rotation={self.rotation!r}, cor={self.cor!r})",
            "Standardized loadings (pattern matrix) based upon correlation matrix",
            table,
        ]
        blocks = [*head, "", format_table(self.variance, digits)]
        if self.phi is not None:
            blocks += ["", "With factor correlations of", format_table(self.phi, digits)]
        blocks += ["", f"Mean item complexity = {r_round(self.complexity.mean(), 1)}",
                   fit_lines(self.fit, k, self.n_obs, digits=digits)]
        r2 = self.score_adequacy.loc["r2"].to_numpy()
        if np.all(r2 <= 1 + np.finfo(float).eps):
            blocks += ["Measures of factor score adequacy",
                       adequacy_table(r2, self.loadings.columns, digits)]
        else:
            blocks.append("Factor score adequacy not shown: R2 above 1, the solution is "
                          "degenerate (psych's warning)")
        if self.heywood:
            blocks.append("Heywood case(s): " + ", ".join(self.heywood))
        if self.bootstrap is not None:
            blocks += ["", _bootstrap_heading(self.bootstrap, self.confidence),
                       _bootstrap_table(self.bootstrap, self.loadings, digits)]
        return Report(blocks[0], tuple(blocks[1:]), max_rows=None)  # all items, as psych

    def _report(self) -> Report:
        return self.summary()

    def scores(self, data: pd.DataFrame, method: str = "regression") -> pd.DataFrame:
        """Factor scores of respondents, as ``psych::factor.scores(data, fit)``.

        As psych, the weights come from the Pearson correlations (pairwise) of ``data``, and
        the scores are the standardised answers (column mean and SD of the non-missing
        answers) times the weights; a respondent with a missing answer gets NaN.

        Because the means, SDs and correlations are those of ``data``, score a whole sample
        at once: the scores of a few respondents scored on their own differ from their
        scores within the sample, and an item constant among them is refused.

        Parameters
        ----------
        data : DataFrame
            Responses with (at least) the analysed items as columns.
        method : {"regression", "bartlett", "tenberge"}, default "regression"
            See :func:`score_weights`.

        Returns
        -------
        DataFrame
            One row per row of ``data`` (same index), one column per factor.

        Raises
        ------
        AnalysisError
            An unknown ``method``; ``data`` not a DataFrame, without some analysed item, or
            with bad answers (see ``as_item_frame``: non-numeric, constant, all missing).
        """
        check_choice("score method", method, _SCORE_METHODS)  # fail fast
        if not isinstance(data, pd.DataFrame):
            raise AnalysisError("data must be a DataFrame of responses with the item columns")
        absent = [item for item in self.loadings.index if item not in data.columns]
        if absent:
            raise AnalysisError("item(s) missing from data: " + ", ".join(map(str, absent)))
        items = _data.as_item_frame(data[list(self.loadings.index)])
        correlation = pairwise_pearson(items.to_numpy())[0]
        phi = None if self.phi is None else self.phi.to_numpy()
        weights = score_weights(correlation, self.loadings.to_numpy(), phi, method)
        standard = (items - items.mean()) / items.std()
        return pd.DataFrame(
            standard.to_numpy() @ weights, index=data.index, columns=self.loadings.columns
        )

    def plot(self, ax=None):
        """Heatmap of the pattern loadings (items x factors) with the values written in.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure when omitted.

        Returns
        -------
        matplotlib Axes
        """
        from ..._lazy import pyplot

        plt = pyplot()
        if ax is None:
            height = max(3.0, 0.25 * len(self.loadings) + 1)
            _, ax = plt.subplots(figsize=(1.2 * self.loadings.shape[1] + 2, height))
        values = self.loadings.to_numpy()
        image = ax.imshow(values, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
        ax.set_xticks(range(values.shape[1]), self.loadings.columns)
        ax.set_yticks(range(values.shape[0]), self.loadings.index)
        for (i, j), value in np.ndenumerate(values):
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if abs(value) > 0.6 else "black")
        ax.set_title(f"{self.method} + {self.rotation} loadings")
        ax.figure.colorbar(image, ax=ax, label="loading")
        return ax


def _print_options(cut: object, sort: object, digits: object) -> tuple[float, bool, int]:
    """Check the options of a ``summary()``."""
    return (check_number("cut", cut, 0.0, 1.0), check_flag("sort", sort),
            check_integer("digits", digits, 0, 6))


def _bootstrap_heading(table: pd.DataFrame, confidence: float) -> str:
    replicates = int(table.attrs.get("n_boot", 0))
    return (f"Coefficients and bootstrapped {confidence:.0%} confidence intervals "
            f"({replicates} resamples; psych's fa(n.iter = {replicates}))")


def _bootstrap_table(table: pd.DataFrame, loadings: pd.DataFrame, digits: int) -> pd.DataFrame:
    """psych's ``print.psych.fa.ci`` layout: low, estimate, upper for each factor."""
    parts, names = [], []
    for factor in loadings.columns:
        part = table[table["factor"] == factor].set_index("item").loc[loadings.index]
        parts += [part["lower"], part["estimate"], part["upper"]]
        names += ["low", factor, "upper"]
    frame = pd.concat(parts, axis=1, ignore_index=True)
    frame.columns = names
    return format_table(frame, digits)


def score_r2(correlation: np.ndarray, pattern: np.ndarray, phi: np.ndarray | None) -> np.ndarray:
    """R2 of the regression factor score estimates, as ``psych::factor.stats``:
    ``diag(W' S)`` with ``S = L Phi`` and ``W = R^-1 S`` (R smoothed if not positive
    definite)."""
    structure = pattern if phi is None else pattern @ phi
    weights = np.linalg.solve(_smoothed(correlation), structure)
    return np.einsum("ij,ij->j", weights, structure)


# --------------------------------------------------------------------------------------
# efa
# --------------------------------------------------------------------------------------


def _prepare(data, cor_matrix, cor: str, n_obs: int | None, missing: str):
    """Correlation matrix, item names, respondents, pair counts, correlation type, items."""
    matrix, n_obs, counts, items = correlation_matrix(
        data, cor_matrix=cor_matrix, cor=cor, n_obs=n_obs, missing=missing,
        require_n_obs=False,
    )
    from_matrix = items is None
    p = len(matrix)
    if not from_matrix and n_obs <= p:
        warn_user(
            f"{n_obs} respondents for {p} items: with n <= p the correlation matrix is "
            "singular and the factor solution is unstable; collect more answers",
            AllianceScaleWarning,
        )
    source = "correlation matrix" if from_matrix else correlation_kind(cor)
    names = [str(c) for c in matrix.columns]
    return matrix.to_numpy(copy=True), names, n_obs, counts, source, items


def _check_n_factors(n_factors: int) -> None:
    """Refuse a non-integer or non-positive ``n_factors``."""
    check_integer("n_factors", n_factors, minimum=1)


def _check_identified(n_factors: int, p: int) -> None:
    """Refuse ``n_factors`` leaving negative degrees of freedom on ``p`` items."""
    possible = [k for k in range(1, p) if degrees_of_freedom(p, k) >= 0]
    if not possible:
        raise AnalysisError(f"{p} items are too few for a factor analysis (at least 3 are "
                            "needed for one factor)")
    if n_factors > max(possible):
        most = max(possible)
        left = (f"leave {degrees_of_freedom(p, n_factors):g} degrees of freedom"
                if n_factors < p else "are as many as or more than the items")
        raise AnalysisError(
            f"{n_factors} factors on {p} items {left}: the model is not identified; at most "
            f"{most} factor(s)"
        )


def _explained_variance(pattern: np.ndarray, phi: np.ndarray | None) -> np.ndarray:
    """Variance explained by each factor: column sums of squares, ``diag(Phi L' L)`` if oblique."""
    if phi is None:
        return np.sum(pattern**2, axis=0)
    return np.diag(phi @ pattern.T @ pattern)


def _order_and_sign(
    pattern: np.ndarray, phi: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Reflect factors to positive column sums, order by variance explained (psych::fac)."""
    signs = _reflection(pattern)
    pattern = pattern * signs
    if phi is not None:
        phi = phi * np.outer(signs, signs)
    if pattern.shape[1] == 1:
        return pattern, phi, np.arange(1)
    order = np.argsort(-_explained_variance(pattern, phi), kind="stable")
    pattern = pattern[:, order]
    if phi is not None:
        phi = phi[np.ix_(order, order)]
    return pattern, phi, order


def _variance_table(pattern: np.ndarray, phi: np.ndarray | None, columns) -> pd.DataFrame:
    """psych's ``Vaccounted`` (total variance = number of items)."""
    p, k = pattern.shape
    explained = _explained_variance(pattern, phi)
    rows = {"SS loadings": explained, "Proportion Var": explained / p}
    if k > 1:
        rows["Cumulative Var"] = np.cumsum(explained / p)
        rows["Proportion Explained"] = explained / explained.sum()
        rows["Cumulative Proportion"] = np.cumsum(explained / explained.sum())
    return pd.DataFrame(rows, index=columns).T


def _aligned_target(target, names: list[str]) -> np.ndarray | None:
    """A target given as a DataFrame follows the items by name (rows) and keeps its
    columns; an array must already be items x factors."""
    if target is None:
        return None
    if isinstance(target, pd.DataFrame):
        rows = [str(i) for i in target.index]
        absent = [name for name in names if name not in rows]
        if absent:
            raise OptionError("the target has no row for item(s) " + ", ".join(absent[:5]),
                              column=absent[0])
        target = target.set_axis(rows, axis=0).loc[names]
    return np.asarray(target, dtype=float)


def efa(
    data: pd.DataFrame | np.ndarray | None = None,
    n_factors: int = 1,
    *,
    cor_matrix: pd.DataFrame | np.ndarray | None = None,
    method: str = "minres",
    rotation: str = "oblimin",
    cor: str = "pearson",
    n_obs: int | None = None,
    missing: str = "pairwise",
    gamma: float = 0.0,
    delta: float = 0.01,
    target: pd.DataFrame | np.ndarray | None = None,
    simplimax_k: int | None = None,
    n_boot: int = 0,
    confidence: float = 0.95,
    seed: int | np.random.Generator | None = None,
) -> EFAResult:
    """Exploratory factor analysis, with the numbers of R's ``psych::fa``.

    Parameters
    ----------
    data : DataFrame or ndarray
        Responses (respondents x items), or (with ``n_obs``, psych's convention) a
        correlation matrix.
    n_factors : int
        Number of factors (at least 1, and few enough to leave degrees of freedom >= 0).
    cor_matrix : DataFrame or ndarray, optional
        A correlation matrix instead of ``data``.
    method : {"minres", "ml", "pa"}, default "minres"
        Extraction; see :func:`extract_factors`.
    rotation : str, default "oblimin"
        Any of :data:`~alliance_scale.ROTATIONS` (psych's names): orthogonal
        ``varimax``, ``quartimax``, ``equamax``, ``bentlerT``, ``geominT``, ``bifactor``,
        ``targetT``; oblique ``oblimin``, ``quartimin``, ``geomin`` (``geominQ``),
        ``bentlerQ``, ``biquartimin``, ``simplimax``, ``targetQ``, ``promax``; ``none``.
        See :func:`~alliance_scale.rotate`.
    cor : {"pearson", "polychoric"}, default "pearson"
        Correlations of responses (ignored for a correlation matrix); psych's spellings
        ``"cor"`` and ``"poly"`` are accepted.
    n_obs : int, optional
        Number of respondents behind a correlation matrix (needed for chi2, RMSEA, TLI, BIC).
    missing : {"pairwise", "listwise"}, default "pairwise"
        Pairwise-complete correlations (psych's ``use = "pairwise"``) or complete rows only.
    gamma : float, default 0
        Oblimin's gamma (``fa(rotate = "oblimin", gam = )``).
    delta : float, default 0.01
        Geomin's delta.
    target : DataFrame or ndarray, optional
        Target of ``rotation="targetQ"`` / ``"targetT"`` (items x factors; NaN =
        unspecified). A DataFrame is matched to the items by its index;
        :func:`~alliance_scale.target_from_scale` builds one from a scale's blueprint.
    simplimax_k : int, optional
        Simplimax's number of near-zero loadings (default: the number of items).
    n_boot : int, default 0
        Bootstrap resamples for confidence intervals of the loadings, as psych's
        ``fa(n.iter = )``: respondents resampled with replacement (with a correlation
        matrix: normal data simulated from it), each solution rotated to the estimate by
        psych's ``target.rot``; interval = mean -/+ z sd of the replicates. 0: none.
    confidence : float, default 0.95
        Coverage of the bootstrap intervals (psych's ``1 - p``).
    seed : int or numpy Generator, optional
        Seed of the bootstrap.

    Returns
    -------
    EFAResult

    Raises
    ------
    OptionError
        Unknown options, a bad target, ``n_factors`` < 1.
    AnalysisError
        Bad data (see ``as_item_frame``), a pair of items never answered together,
        ``n_factors`` leaving negative degrees of freedom, ml on a singular matrix.

    Warns
    -----
    HeywoodWarning
        When an item's communality reaches 1.
    NotPositiveDefiniteWarning
        When the correlation matrix is singular.
    AllianceScaleWarning
        When there are no more respondents than items; when a rotation does not converge.

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> items = sorted(c for c in pilot.columns if c[:2] in ("A1", "B1"))
    >>> fit = als.efa(pilot[items], 2)  # In R: psych::fa(x, 2)  (minres, oblimin)
    >>> print(fit.loadings.round(2).head(3))
            MR1   MR2
    A1a_1  0.06  0.67
    A1a_2  0.01  0.61
    A1a_3  0.01  0.41
    >>> print(fit.phi.round(2))
         MR1  MR2
    MR1  1.0  0.4
    MR2  0.4  1.0
    >>> round(fit.fit["rmsea"], 3), round(fit.fit["tli"], 3)
    (0.042, 0.956)
    >>> quartimax = als.efa(pilot[items], 2, rotation="quartimax")  # fa(x, 2, rotate = ...)
    >>> quartimax.phi is None
    True
    """

    check_choice("method", method, _METHODS)
    canonical_rotation(rotation)
    _check_n_factors(n_factors)
    check_integer("n_boot", n_boot, 0)
    check_number("confidence", confidence, 0.0, 1.0, low_open=True, high_open=True)
    rng = check_seed("seed", seed)
    correlation, names, n_obs, counts, source, items = _prepare(
        data, cor_matrix, cor, n_obs, missing)
    _check_identified(n_factors, len(names))
    _warn_if_singular(correlation, names, method)
    options = {"gamma": gamma, "delta": delta, "simplimax_k": simplimax_k,
               "target": _aligned_target(target, names)}
    unrotated, _ = _extract(correlation, n_factors, method)
    communalities = np.sum(unrotated**2, axis=1)
    pattern, phi = rotate(unrotated, rotation, **options)
    pattern, phi, order = _order_and_sign(pattern, phi)
    columns = [f"{_PREFIX[method]}{j + 1}" for j in order]
    improper = np.flatnonzero(communalities >= 1 - _PSI_LOWER - 1e-6)
    _warn_heywood(communalities, names, improper)
    boot = phi_boot = None
    if n_boot:
        replicate = _Replicate(method, rotation, options, n_factors, correlation, n_obs,
                               items, correlation_kind(cor), missing)
        boot, phi_boot = _bootstrap(replicate, pattern, phi, names, columns, n_boot,
                                    confidence, rng)
    return EFAResult(
        loadings=pd.DataFrame(pattern, index=names, columns=columns),
        phi=None if phi is None else pd.DataFrame(phi, index=columns, columns=columns),
        communalities=pd.Series(communalities, index=names, name="h2"),
        fit=fit_statistics(correlation, pattern, phi, n_obs, counts),
        heywood=[names[i] for i in improper],
        method=method,
        rotation=rotation,
        cor=source,
        n_obs=n_obs,
        correlation=pd.DataFrame(correlation, index=names, columns=names),
        bootstrap=boot,
        phi_bootstrap=phi_boot,
        confidence=confidence,
    )


def _warn_heywood(communalities: np.ndarray, names: list[str], improper: np.ndarray) -> None:
    """Warn (HeywoodWarning) naming the Heywood items ``names[improper]``, if any."""
    if improper.size:
        warn_user(
            "Heywood case: communality of 1 or more (uniqueness at psych's bound .005) for "
            + ", ".join(f"{names[i]!r} (h2 = {communalities[i]:.3f})" for i in improper)
            + "; the solution is improper: try fewer factors, drop the item, or more data",
            HeywoodWarning,
        )


# --------------------------------------------------------------------------------------
# Bootstrap (psych::fa(n.iter = ))
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Replicate:
    """Everything one bootstrap replicate needs to refit the solution."""

    method: str
    rotation: str
    options: Mapping[str, Any]
    n_factors: int
    correlation: np.ndarray
    n_obs: int | None
    items: pd.DataFrame | None
    cor: str
    missing: str

    def sample_correlation(self, rng: np.random.Generator) -> np.ndarray:
        """Correlations of a resample of the respondents (psych: rows with replacement), or
        of normal data simulated from the matrix (psych, for a correlation matrix)."""
        if self.items is None:
            values, vectors = np.linalg.eigh(self.correlation)
            root = vectors * np.sqrt(np.clip(values, 0, None))
            simulated = rng.standard_normal((self.n_obs, len(values))) @ root.T
            return np.corrcoef(simulated, rowvar=False)
        values = self.items.to_numpy()
        sample = values[rng.integers(0, len(values), len(values))]
        if self.missing == "listwise":
            sample = sample[~np.isnan(sample).any(axis=1)]
        if self.cor == "polychoric":
            return np.asarray(polychoric(pd.DataFrame(sample)).correlation, dtype=float)
        return pairwise_pearson(sample)[0]

    def fit(self, correlation: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        unrotated, _ = _extract(correlation, self.n_factors, self.method)
        pattern, phi = rotate(unrotated, self.rotation, **self.options)
        pattern, phi, _ = _order_and_sign(pattern, phi)
        return pattern, phi


def _target_rotation(
    loadings: np.ndarray, phi: np.ndarray | None, target: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """psych's ``target.rot(x, keys = target)``: least squares transformation ``U`` of the
    replicate toward the estimate, columns rescaled as if the replicate's factors were
    uncorrelated (psych's rule, kept for its numbers); the replicate's factor correlations
    follow the same transformation (``U^-1 Phi U^-T``, rescaled to a unit diagonal)."""
    transform = np.linalg.lstsq(loadings, target, rcond=None)[0]
    transform = transform * np.sqrt(np.diag(np.linalg.inv(transform.T @ transform)))
    inverse = np.linalg.inv(transform)
    middle = np.eye(len(transform)) if phi is None else phi
    return loadings @ transform, to_unit_diagonal(inverse @ middle @ inverse.T)


def _bootstrap(
    replicate: _Replicate,
    pattern: np.ndarray,
    phi: np.ndarray | None,
    names: list[str],
    columns: list[str],
    n_boot: int,
    confidence: float,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Bootstrap intervals of the loadings (and factor correlations) as psych's fa(n.iter)."""
    k = pattern.shape[1]
    loadings = np.full((n_boot, *pattern.shape), np.nan)
    phis = np.full((n_boot, k, k), np.nan)
    with warnings.catch_warnings():
        # Heywood cases, smoothing and slow rotations are expected in resamples (psych is
        # silent too): hide the library's statistical warnings only.
        warnings.simplefilter("ignore", AllianceScaleWarning)
        for b in range(n_boot):
            try:
                sample = replicate.sample_correlation(rng)
                if np.isnan(sample).any():
                    continue
                fitted, fitted_phi = replicate.fit(sample)
            except (AnalysisError, np.linalg.LinAlgError):
                continue
            if k == 1:
                loadings[b] = fitted
            else:
                loadings[b], phis[b] = _target_rotation(fitted, fitted_phi, pattern)
    used = int(np.sum(~np.isnan(loadings[:, 0, 0])))
    if used < 2:
        raise AnalysisError(f"only {used} of {n_boot} bootstrap resamples could be analysed")
    z = norm_ppf(1 - (1 - confidence) / 2)
    table = _interval_table(loadings, pattern, names, columns, z)
    table.attrs["n_boot"] = used
    phi_table = None
    if phi is not None:
        lower = np.tril_indices(k, -1)
        pairs = [f"{columns[i]}-{columns[j]}" for i, j in zip(*lower, strict=True)]
        table_phi = _interval_table(phis[:, lower[0], lower[1]][:, :, None],
                                    phi[lower][:, None], pairs, ["phi"], z)
        phi_table = table_phi.drop(columns="factor").rename(columns={"item": "factors"})
        phi_table.attrs["n_boot"] = used
    return table, phi_table


def _interval_table(replicates: np.ndarray, estimate: np.ndarray, rows: list[str],
                    columns: list[str], z: float) -> pd.DataFrame:
    """Long table (row, column, estimate, mean, sd, lower, upper) of replicates (b x r x c)."""
    mean = np.nanmean(replicates, axis=0)
    sd = np.nanstd(replicates, axis=0, ddof=1)
    grid_rows, grid_columns = np.meshgrid(rows, columns, indexing="ij")
    return pd.DataFrame({
        "item": grid_rows.ravel(), "factor": grid_columns.ravel(),
        "estimate": estimate.ravel(), "mean": mean.ravel(), "sd": sd.ravel(),
        "lower": (mean - z * sd).ravel(), "upper": (mean + z * sd).ravel(),
    })
