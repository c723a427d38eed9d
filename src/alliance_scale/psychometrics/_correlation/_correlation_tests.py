"""Inference on correlations and mean differences: intervals, tests, corrections.

Generic helpers (nothing here knows the questionnaire) behind convergent, discriminant and
known-groups validity:

- :func:`fisher_interval`: Fisher-z interval of a correlation, as ``psych::corr.test`` and
  ``psych::r.con`` (SE ``1/sqrt(n - 3)``); for Spearman's rho the SE of Bonett & Wright
  (2000), ``sqrt((1 + r^2/2) / (n - 3))``, which keeps the coverage near nominal where the
  Pearson SE is too small.
- :func:`correlation_t_test`: the t test of ``psych::corr.test`` (``t = r sqrt(n-2) /
  sqrt(1-r^2)``, df ``n - 2``), and :func:`fisher_z_test` of ``rho = rho0``.
- :func:`adjust_p`: R's ``p.adjust`` methods through
  ``statsmodels.stats.multitest.multipletests`` (names mapped; missing p-values left out of
  the family, as R does), except Holm's, one line written here because statsmodels' Holm
  branch runs a full garbage collection on every call.
- :func:`williams_t` and :func:`steiger_z`: tests of two dependent correlations with a
  variable in common (Williams's t, Steiger 1980 eq. 7) or without (Steiger's 1980 z with
  the pooled r), as ``psych::r.test``; :func:`zou_interval`: Zou's (2007) interval for
  their difference, built from the two single-correlation intervals.
- :func:`disattenuate`: Spearman's (1904) correction for attenuation,
  ``r / sqrt(rel_x rel_y)`` (``psych::correct.cor``).
- :func:`stratified_alpha`: reliability of a unit-weighted sum of subscales from their
  reliabilities (Cronbach, Schönemann & McKie 1965).
- :func:`hedges_g`: Hedges' (1981) g with the exact small-sample factor and the noncentral
  t interval (Steiger & Fouladi 1997; ``psych::cohen.d.ci``); :func:`welch_test` is
  ``scipy.stats.ttest_ind(equal_var=False)``.
- :func:`pairwise_spearman`: Spearman correlations on pairwise-complete rows (R's
  ``cor(x, method = "spearman", use = "pairwise")``).

Why some of this is written here: distributions, root finding, the Welch test and the
p-value adjustments are scipy / statsmodels calls; but no Python package offers the tests
of dependent correlations or Zou's intervals (R's cocor has them), scipy's
``pearsonr(...).confidence_interval`` needs raw data per pair and has no Spearman interval,
and pingouin's Hedges' g uses the approximate factor ``1 - 3/(4 df - 1)`` and a
normal-theory interval. Each formula is a few vectorised lines with its paper named.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import optimize, special

from ..._checks import check_array, check_choice, check_number
from ...errors import AnalysisError, OptionError
from .._distributions import norm_ppf, norm_sf, t_sf

__all__ = ["disattenuate"]

#: Correlation coefficients with an interval here.
CORRELATION_METHODS = ("pearson", "spearman")

#: R's p.adjust method names and the statsmodels multipletests names they map to.
_ADJUST = {
    "holm": "holm", "hochberg": "simes-hochberg", "hommel": "hommel",
    "bonferroni": "bonferroni", "BH": "fdr_bh", "fdr": "fdr_bh", "BY": "fdr_by",
    "none": None,
}
#: Accepted ``adjust`` values (R's ``p.adjust.methods``).
ADJUST_METHODS = tuple(_ADJUST)


def _z_quantile(confidence: float) -> float:
    return float(norm_ppf(1.0 - (1.0 - confidence) / 2.0))


def _fisher_se(r: np.ndarray, n: np.ndarray, method: str) -> np.ndarray:
    """SE of Fisher's z: ``1/sqrt(n-3)`` (Pearson), Bonett & Wright's (Spearman)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "spearman":
            return np.sqrt((1.0 + r**2 / 2.0) / (n - 3.0))
        return 1.0 / np.sqrt(n - 3.0)


def fisher_interval(
    r: float | np.ndarray, n: float | np.ndarray, confidence: float = 0.95,
    method: str = "pearson",
) -> tuple[np.ndarray, np.ndarray]:
    """Interval of a correlation from Fisher's z transformation.

    ``tanh(atanh(r) -/+ q * se)``, ``q`` the normal quantile of ``confidence``; ``se`` is
    ``1/sqrt(n - 3)`` for Pearson's r (Fisher 1921; ``psych::corr.test`` / ``r.con``) and
    ``sqrt((1 + r^2/2) / (n - 3))`` for Spearman's rho (Bonett & Wright 2000).

    Parameters
    ----------
    r : float or array
        Correlations.
    n : int or array
        Respondents behind each correlation (NaN below 4).
    confidence : float, default 0.95
        Coverage, in (0, 1).
    method : {"pearson", "spearman"}, default "pearson"

    Returns
    -------
    (ndarray, ndarray)
        Lower and upper limits, shaped as ``r``.

    References
    ----------
    Bonett, D. G., & Wright, T. A. (2000). Sample size requirements for estimating Pearson,
    Kendall and Spearman correlations. *Psychometrika*, 65, 23-28.

    Examples
    --------
    >>> lower, upper = fisher_interval(0.5, 100)
    >>> print(round(float(lower), 3), round(float(upper), 3))  # In R: psych::r.con(.5, 100)
    0.337 0.634
    """
    check_choice("method", method, CORRELATION_METHODS)
    confidence = check_number("confidence", confidence, 0, 1, low_open=True, high_open=True)
    r = np.asarray(r, dtype=float)
    n = np.asarray(n, dtype=float)
    n = np.where(n >= 4, n, np.nan)
    q = _z_quantile(confidence)
    z = np.arctanh(r)
    se = _fisher_se(r, n, method)
    return np.tanh(z - q * se), np.tanh(z + q * se)


def correlation_t_test(
    r: float | np.ndarray, n: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """t statistic and two-sided p of ``rho = 0``, as ``psych::corr.test``.

    ``t = r sqrt(n - 2) / sqrt(1 - r^2)`` with ``n - 2`` degrees of freedom (also used by
    psych for Spearman's rho).

    Parameters
    ----------
    r : float or array
    n : int or array

    Returns
    -------
    (ndarray, ndarray)
        t and p, shaped as ``r``.

    Examples
    --------
    >>> t, p = correlation_t_test(0.3, 50)
    >>> print(round(float(t), 3), round(float(p), 4))  # In R: psych::r.test(50, .3)
    2.179 0.0343
    """
    r = np.asarray(r, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = r * np.sqrt(n - 2.0) / np.sqrt(1.0 - r**2)
    p = np.minimum(1.0, 2.0 * t_sf(np.abs(t), n - 2.0))
    return t, p


def fisher_z_test(
    r: float | np.ndarray, rho0: float, n: float | np.ndarray, method: str = "pearson"
) -> tuple[np.ndarray, np.ndarray]:
    """z test of ``rho = rho0``: ``(atanh(r) - atanh(rho0)) / se``, two-sided p.

    ``se`` as :func:`fisher_interval` (Bonett & Wright's for Spearman), so the test
    rejects exactly when the interval of the same level excludes ``rho0``.

    Parameters
    ----------
    r : float or array
    rho0 : float
        Value under the null hypothesis, in (-1, 1).
    n : int or array
    method : {"pearson", "spearman"}, default "pearson"

    Returns
    -------
    (ndarray, ndarray)
        z and p.

    Examples
    --------
    >>> z, p = fisher_z_test(0.62, 0.5, 200)
    >>> print(round(float(z), 3), round(float(p), 4))
    2.466 0.0137
    """
    check_choice("method", method, CORRELATION_METHODS)
    r = np.asarray(r, dtype=float)
    n = np.where(np.asarray(n, dtype=float) >= 4, np.asarray(n, dtype=float), np.nan)
    z = (np.arctanh(r) - np.arctanh(rho0)) / _fisher_se(r, n, method)
    return z, 2.0 * norm_sf(np.abs(z))


def adjust_p(p: Sequence[float] | np.ndarray, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple testing, as R's ``p.adjust``.

    ``statsmodels.stats.multitest.multipletests`` does the work (Holm's step-down is
    written here: statsmodels' runs ``gc.collect()`` on every call); R's names are mapped to
    its names (``"hochberg"`` -> ``"simes-hochberg"``, ``"BH"``/``"fdr"`` -> ``"fdr_bh"``,
    ``"BY"`` -> ``"fdr_by"``). Missing p-values stay missing and are not counted in the
    family (R's rule).

    Parameters
    ----------
    p : array of float
        The family's p-values (any shape).
    method : str, default "holm"
        One of :data:`ADJUST_METHODS`.

    Returns
    -------
    ndarray
        Adjusted p-values, same shape.

    Examples
    --------
    >>> print(adjust_p([0.01, 0.02, 0.03], "holm"))  # In R: p.adjust(c(.01, .02, .03), "holm")
    [0.03 0.04 0.04]
    """
    check_choice("adjust", method, ADJUST_METHODS)
    values = np.asarray(p, dtype=float)
    out = values.copy()
    finite = np.isfinite(values)
    name = _ADJUST[method]
    if name == "holm" and finite.any():
        out[finite] = _holm(values[finite])
    elif name is not None and finite.any():
        from statsmodels.stats.multitest import multipletests

        out[finite] = multipletests(values[finite], method=name)[1]
    return out


def _holm(p: np.ndarray) -> np.ndarray:
    """R's ``p.adjust(p, "holm")``: ``cummax((m - i + 1) p_(i))`` capped at 1, in place of
    statsmodels' holm branch, which runs a full ``gc.collect()`` on every call (0.1 s in
    a process holding a few DataFrames)."""
    order = np.argsort(p, kind="stable")
    m = len(p)
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out


def williams_t(
    r12: float, r13: float, r23: float, n: int
) -> tuple[float, float, float]:
    """Williams's t for ``rho12 = rho13`` (two correlations sharing variable 1).

    Steiger's (1980, eq. 7) recommended form of Williams's test, as ``psych::r.test(n, r12,
    r13 = , r23 = )``: ``t = (r12 - r13) sqrt((n - 1)(1 + r23) / (2 (n - 1)/(n - 3) |R| +
    rbar^2 (1 - r23)^3))`` with ``|R|`` the determinant of the 3 x 3 correlation matrix and
    ``rbar = (r12 + r13)/2``, on ``n - 3`` degrees of freedom.

    Parameters
    ----------
    r12, r13 : float
        The two correlations compared (variable 1 in common).
    r23 : float
        Correlation of the two other variables.
    n : int
        Respondents (complete on the three variables).

    Returns
    -------
    (float, float, float)
        t, degrees of freedom, two-sided p.

    References
    ----------
    Steiger, J. H. (1980). Tests for comparing elements of a correlation matrix.
    *Psychological Bulletin*, 87, 245-251.

    Examples
    --------
    >>> t, df, p = williams_t(0.5, 0.3, 0.4, 100)
    >>> print(round(t, 3), df, round(p, 4))  # In R: psych::r.test(100, .5, r13 = .3, r23 = .4)
    2.065 97.0 0.0416
    """
    determinant = 1 - r12**2 - r23**2 - r13**2 + 2 * r12 * r23 * r13
    average = (r12 + r13) / 2
    t = (r12 - r13) * np.sqrt(
        (n - 1) * (1 + r23)
        / (2 * (n - 1) / (n - 3) * determinant + average**2 * (1 - r23) ** 3)
    )
    df = float(n - 3)
    return float(t), df, float(2 * t_sf(abs(t), df))


def steiger_z(
    r12: float, r34: float, r13: float, r14: float, r23: float, r24: float, n: int
) -> tuple[float, float]:
    """Steiger's (1980) z for ``rho12 = rho34`` (two correlations without a common variable).

    As ``psych::r.test(n, r12, r34, r23, r13, r14, r24)`` (``pooled = TRUE``): the
    covariance of the two Fisher z's from Pearson & Filon's formula evaluated at the pooled
    ``(r12 + r34)/2``; ``z = (z12 - z34) sqrt(n - 3) / sqrt(2 - 2 s)``.

    Parameters
    ----------
    r12, r34 : float
        The two correlations compared.
    r13, r14, r23, r24 : float
        The cross correlations of the four variables.
    n : int
        Respondents (complete on the four variables).

    Returns
    -------
    (float, float)
        z and two-sided p.

    Examples
    --------
    >>> z, p = steiger_z(0.5, 0.3, 0.4, 0.2, 0.3, 0.4, 200)
    >>> print(round(z, 3), round(p, 4))  # In R: psych::r.test(200, .5, .3, .3, .4, .2, .4)
    2.56 0.0105
    """
    pooled = (r12 + r34) / 2
    covariance = 0.5 * (
        (r13 - pooled * r23) * (r24 - r23 * pooled)
        + (r14 - r13 * pooled) * (r23 - pooled * r13)
        + (r13 - r14 * pooled) * (r24 - pooled * r14)
        + (r14 - pooled * r24) * (r23 - r24 * pooled)
    ) / (1 - pooled**2) ** 2
    z = (np.arctanh(r12) - np.arctanh(r34)) * np.sqrt(n - 3) / np.sqrt(2 * (1 - covariance))
    return float(z), float(2 * norm_sf(abs(z)))


def zou_interval(
    r1: float, r2: float, correlation: float, n: int, confidence: float = 0.95,
    method: str = "pearson",
) -> tuple[float, float]:
    """Zou's (2007) interval for the difference ``rho1 - rho2`` of two dependent correlations.

    ``L = d - sqrt((r1 - l1)^2 + (u2 - r2)^2 - 2 c (r1 - l1)(u2 - r2))`` and ``U = d +
    sqrt((u1 - r1)^2 + (r2 - l2)^2 - 2 c (u1 - r1)(r2 - l2))``, where ``(l, u)`` are the
    single-correlation intervals of :func:`fisher_interval` and ``c`` the correlation of
    the two estimates (:func:`overlap_correlation` or :func:`disjoint_correlation`).

    Parameters
    ----------
    r1, r2 : float
        The correlations compared.
    correlation : float
        ``c``, the correlation between the two estimates.
    n : int
        Respondents.
    confidence : float, default 0.95
    method : {"pearson", "spearman"}, default "pearson"
        Which single-correlation interval is used.

    Returns
    -------
    (float, float)

    References
    ----------
    Zou, G. Y. (2007). Toward using confidence intervals to compare correlations.
    *Psychological Methods*, 12, 399-413.

    Examples
    --------
    >>> c = overlap_correlation(0.5, 0.3, 0.4)
    >>> lower, upper = zou_interval(0.5, 0.3, c, 100)
    >>> print(round(lower, 3), round(upper, 3))
    0.008 0.393
    """
    (l1, l2), (u1, u2) = fisher_interval(np.array([r1, r2]), n, confidence, method)
    difference = r1 - r2
    lower = difference - np.sqrt(
        (r1 - l1) ** 2 + (u2 - r2) ** 2 - 2 * correlation * (r1 - l1) * (u2 - r2)
    )
    upper = difference + np.sqrt(
        (u1 - r1) ** 2 + (r2 - l2) ** 2 - 2 * correlation * (u1 - r1) * (r2 - l2)
    )
    return float(lower), float(upper)


def overlap_correlation(r12: float, r13: float, r23: float) -> float:
    """Correlation of the estimates r12 and r13 (variable 1 in common; Zou 2007, eq. 14).

    ``((r23 - r12 r13 / 2)(1 - r12^2 - r13^2 - r23^2) + r23^3) / ((1 - r12^2)(1 - r13^2))``.

    Examples
    --------
    >>> print(round(overlap_correlation(0.5, 0.3, 0.4), 4))
    0.3319
    """
    return float(((r23 - r12 * r13 / 2) * (1 - r12**2 - r13**2 - r23**2) + r23**3)
                 / ((1 - r12**2) * (1 - r13**2)))


def disjoint_correlation(
    r12: float, r34: float, r13: float, r14: float, r23: float, r24: float
) -> float:
    """Correlation of the estimates r12 and r34 (no variable in common; Zou 2007, eq. 15).

    Pearson & Filon's covariance divided by ``(1 - r12^2)(1 - r34^2)``.

    Examples
    --------
    >>> print(round(disjoint_correlation(0.5, 0.3, 0.4, 0.2, 0.3, 0.4), 4))
    0.1374
    """
    numerator = (0.5 * r12 * r34 * (r13**2 + r14**2 + r23**2 + r24**2) + r13 * r24 + r14 * r23
                 - (r12 * r13 * r14 + r12 * r23 * r24 + r13 * r23 * r34 + r14 * r24 * r34))
    return float(numerator / ((1 - r12**2) * (1 - r34**2)))


def disattenuate(
    r: float | np.ndarray | pd.DataFrame,
    reliability_x: float | np.ndarray | pd.Series,
    reliability_y: float | np.ndarray | pd.Series,
) -> float | np.ndarray | pd.DataFrame:
    """Correct a correlation for attenuation: ``r / sqrt(reliability_x * reliability_y)``.

    Spearman's (1904) correction, as the upper triangle of ``psych::correct.cor``. The
    result estimates the correlation of the true scores; it can exceed 1 when the
    reliabilities are underestimated (alpha is a lower bound) and is returned as computed.

    Parameters
    ----------
    r : float, array or DataFrame
        Observed correlation(s). A DataFrame (rows x columns) is corrected cell by cell with
        ``reliability_x`` aligned on its rows and ``reliability_y`` on its columns.
    reliability_x, reliability_y : float, array or Series
        Reliabilities in (0, 1] (alpha, omega, test-retest...). NaN gives NaN (unknown).

    Returns
    -------
    float, ndarray or DataFrame
        Same shape as ``r`` (broadcast with the reliabilities for arrays).

    Raises
    ------
    OptionError
        A correlation outside [-1, 1], or a reliability not in (0, 1].

    References
    ----------
    Spearman, C. (1904). The proof and measurement of association between two things.
    *American Journal of Psychology*, 15, 72-101.

    Examples
    --------
    >>> print(round(disattenuate(0.42, 0.80, 0.70), 3))  # In R: psych::correct.cor
    0.561
    >>> r = pd.DataFrame([[0.3, 0.5]], index=["A"], columns=["task", "bond"])
    >>> disattenuate(r, pd.Series({"A": 0.8}), pd.Series({"task": 0.9, "bond": 0.7})).round(3)
           task   bond
    A  0.354  0.668
    """
    if isinstance(r, pd.DataFrame):
        rel_x = pd.Series(reliability_x).reindex(r.index).to_numpy(dtype=float)
        rel_y = pd.Series(reliability_y).reindex(r.columns).to_numpy(dtype=float)
        values = disattenuate(r.to_numpy(dtype=float), rel_x[:, None], rel_y[None, :])
        return pd.DataFrame(values, index=r.index, columns=r.columns)
    values = check_array("r", r)
    rel_x = check_array("reliability_x", reliability_x)
    rel_y = check_array("reliability_y", reliability_y)
    if np.any(np.abs(values[np.isfinite(values)]) > 1):
        raise OptionError("r must be a correlation in [-1, 1]")
    for name, rel in (("reliability_x", rel_x), ("reliability_y", rel_y)):
        known = rel[np.isfinite(rel)]
        if np.any((known <= 0) | (known > 1)):
            raise OptionError(f"{name} must be in (0, 1] (or NaN when unknown); "
                              f"got {known[(known <= 0) | (known > 1)][0]:g}")
    corrected = values / np.sqrt(rel_x * rel_y)
    return float(corrected) if np.ndim(corrected) == 0 else corrected


def stratified_alpha(covariance: np.ndarray, reliabilities: np.ndarray) -> float:
    """Reliability of the unweighted sum of subscales: ``1 - sum(var_i (1 - rel_i)) / var_sum``.

    Stratified alpha (Cronbach, Schönemann & McKie 1965) when the reliabilities are alphas;
    the same formula holds for the mean of the subscale scores (a rescaled sum).

    Parameters
    ----------
    covariance : ndarray, shape (k, k)
        Covariance matrix of the subscale scores.
    reliabilities : ndarray, shape (k,)

    Returns
    -------
    float
        NaN if a reliability is unknown.

    References
    ----------
    Cronbach, L. J., Schönemann, P., & McKie, D. (1965). Alpha coefficients for stratified
    parallel tests. *Educational and Psychological Measurement*, 25, 291-312.

    Examples
    --------
    >>> cov = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> print(round(stratified_alpha(cov, np.array([0.8, 0.8])), 3))
    0.867
    """
    covariance = np.asarray(covariance, dtype=float)
    reliabilities = np.asarray(reliabilities, dtype=float)
    error = np.sum(np.diag(covariance) * (1.0 - reliabilities))
    return float(1.0 - error / covariance.sum())


class HedgesG(NamedTuple):
    """Standardised mean difference ``(mean2 - mean1) / pooled SD`` of two groups."""

    d: float
    """Cohen's d with the pooled SD on ``n1 + n2 - 2`` df (psych::cohen.d's "hedges.g")."""
    g: float
    """Hedges' g = J d, J the exact small-sample factor."""
    correction: float
    """J = Gamma(m/2) / (sqrt(m/2) Gamma((m - 1)/2)), m = n1 + n2 - 2."""
    lower: float
    upper: float


def hedges_g(
    first: np.ndarray, second: np.ndarray, confidence: float = 0.95
) -> HedgesG:
    """Hedges' g of ``second - first`` with its noncentral t interval.

    ``d = (mean2 - mean1) / s_pooled`` with ``s_pooled^2 = ((n1-1) s1^2 + (n2-1) s2^2) /
    (n1 + n2 - 2)``; ``g = J d`` with Hedges's (1981) exact ``J = Gamma(m/2) / (sqrt(m/2)
    Gamma((m-1)/2))``, ``m = n1 + n2 - 2``. The interval inverts the noncentral t
    distribution of ``t = d / sqrt(1/n1 + 1/n2)`` (Steiger & Fouladi 1997, as
    ``psych::cohen.d.ci``) and is multiplied by J.

    Parameters
    ----------
    first, second : array of float
        The two groups' values (NaN ignored).
    confidence : float, default 0.95

    Returns
    -------
    HedgesG
        ``d``, ``g``, ``correction`` (J), ``lower``, ``upper`` (of g).

    Raises
    ------
    AnalysisError
        A group with fewer than 2 values, or no variance within groups.

    References
    ----------
    Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and
    related estimators. *Journal of Educational Statistics*, 6, 107-128.
    Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation and the
    evaluation of statistical models. In *What if there were no significance tests?*

    Examples
    --------
    >>> result = hedges_g(np.array([3.1, 3.5, 2.8, 3.9, 3.3]), np.array([4.0, 3.8, 4.4, 3.6]))
    >>> print(round(result.g, 3), round(result.lower, 3), round(result.upper, 3))
    1.453 0.032 2.804
    """
    confidence, a, b, within = _two_groups(first, second, confidence)
    n1, n2 = len(a), len(b)
    m = n1 + n2 - 2
    pooled = np.sqrt(within / m)
    d = (b.mean() - a.mean()) / pooled
    correction = float(np.exp(special.gammaln(m / 2) - 0.5 * np.log(m / 2)
                               - special.gammaln((m - 1) / 2)))
    scale = np.sqrt(1 / n1 + 1 / n2)
    t = d / scale
    tail = (1 - confidence) / 2
    lower = _noncentrality(t, m, 1 - tail) * scale
    upper = _noncentrality(t, m, tail) * scale
    return HedgesG(float(d), float(correction * d), correction, float(correction * lower),
                   float(correction * upper))


def _two_groups(first: np.ndarray, second: np.ndarray,
                confidence: float) -> tuple[float, np.ndarray, np.ndarray, float]:
    """The checked confidence, each group's finite values and the pooled within-group sum
    of squares ``(n1 - 1) s1^2 + (n2 - 1) s2^2`` of a standardised difference (Hedges' g,
    Cohen's d); refuses groups of fewer than 2 values or without variance."""
    confidence = check_number("confidence", confidence, 0, 1, low_open=True, high_open=True)
    a = np.asarray(first, dtype=float)
    b = np.asarray(second, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    n1, n2 = len(a), len(b)
    if min(n1, n2) < 2:
        raise AnalysisError(f"each group needs at least 2 values; got {n1} and {n2}")
    within = float((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1))
    if not within > 0:
        raise AnalysisError("no variance within the groups: the standardised difference "
                            "is undefined")
    return confidence, a, b, within


def cohen_d(first: np.ndarray, second: np.ndarray,
            confidence: float = 0.95) -> tuple[float, float, float]:
    """Cohen's d of ``second - first`` as ``psych::cohen.d``: the difference over the
    pooled SD with divisor ``n1 + n2`` (``sqrt(((n1-1) s1^2 + (n2-1) s2^2) / (n1 + n2))``),
    and its noncentral t interval (``psych::cohen.d.ci``). Returns ``(d, lower, upper)``.

    Examples
    --------
    >>> d, low, high = cohen_d(np.array([3.1, 3.5, 2.8, 3.9, 3.3]), np.array([4.0, 3.8, 4.4]))
    >>> print(round(d, 3), round(low, 3), round(high, 3))
    2.258 0.31 4.107
    """
    confidence, a, b, within = _two_groups(first, second, confidence)
    n1, n2 = len(a), len(b)
    pooled = np.sqrt(within / (n1 + n2))
    d = float((b.mean() - a.mean()) / pooled)
    scale = np.sqrt(1 / n1 + 1 / n2)
    tail = (1 - confidence) / 2
    t = d / scale
    return (d, float(_noncentrality(t, n1 + n2 - 2, 1 - tail) * scale),
            float(_noncentrality(t, n1 + n2 - 2, tail) * scale))


def _noncentrality(t: float, df: float, probability: float) -> float:
    """The noncentrality ``ncp`` with ``P(T <= t | df, ncp) = probability`` (decreasing in
    ``ncp``), found by Brent's method in a bracket widened until it holds the root.

    scipy's ``nct.cdf`` (Boost) returns NaN in parts of the far tails where the probability
    is within rounding of 1 or 0 (scipy 1.17: ``nct.cdf(4.8, 298, -5.2)``); there the
    limit is used, which cannot move a root that lies where the probability is
    ``probability``."""
    from scipy import stats

    def gap(ncp: float) -> float:
        value = float(stats.nct.cdf(t, df, ncp))
        if not np.isfinite(value):
            value = 1.0 if ncp < t else 0.0
        return value - probability

    width = 10.0
    while gap(t - width) < 0 or gap(t + width) > 0:
        width *= 2
        if width > 1e4:  # pragma: no cover - unreachable for finite t
            return float("nan")
    return float(optimize.brentq(gap, t - width, t + width, xtol=1e-14, rtol=1e-15))


def welch_test(first: np.ndarray, second: np.ndarray) -> tuple[float, float, float]:
    """Welch's t test of ``mean2 - mean1`` (``scipy.stats.ttest_ind(equal_var=False)``).

    Parameters
    ----------
    first, second : array of float
        NaN ignored.

    Returns
    -------
    (float, float, float)
        t, Welch-Satterthwaite degrees of freedom, two-sided p (R's ``t.test(second,
        first)``).

    Examples
    --------
    >>> t, df, p = welch_test(np.array([3.1, 3.5, 2.8, 3.9, 3.3]), np.array([4.0, 3.8, 4.4, 3.6]))
    >>> print(round(t, 3), round(df, 2), round(p, 4))  # In R: t.test(second, first)
    2.499 6.97 0.0412
    """
    from scipy import stats

    a = np.asarray(first, dtype=float)
    b = np.asarray(second, dtype=float)
    test = stats.ttest_ind(b[np.isfinite(b)], a[np.isfinite(a)], equal_var=False)
    return float(test.statistic), float(test.df), float(test.pvalue)


def pairwise_spearman(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spearman correlations on pairwise-complete rows (R's ``cor(x, method = "spearman",
    use = "pairwise")``): each pair's complete rows ranked (ties averaged), then Pearson.

    Parameters
    ----------
    values : ndarray, shape (n, p)
        NaN for missing values.

    Returns
    -------
    (ndarray, ndarray)
        p x p correlations and p x p counts of pairwise-complete rows.

    Examples
    --------
    >>> x = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 4.0], [4.0, 3.0], [np.nan, 5.0]])
    >>> r, n = pairwise_spearman(x)
    >>> print(round(r[0, 1], 3), n[0, 1])
    0.6 4
    """
    from scipy import stats

    values = np.asarray(values, dtype=float)
    observed = ~np.isnan(values)
    counts = observed.T.astype(int) @ observed.astype(int)
    if observed.all():
        ranks = stats.rankdata(values, axis=0)
        return np.atleast_2d(np.corrcoef(ranks, rowvar=False)), counts
    p = values.shape[1]
    correlation = np.eye(p)
    for i in range(p):
        for j in range(i + 1, p):
            both = observed[:, i] & observed[:, j]
            if both.sum() < 2:
                correlation[i, j] = correlation[j, i] = np.nan
                continue
            x = stats.rankdata(values[both, i])
            y = stats.rankdata(values[both, j])
            with np.errstate(invalid="ignore", divide="ignore"):
                correlation[i, j] = correlation[j, i] = np.corrcoef(x, y)[0, 1]
    return correlation, counts
