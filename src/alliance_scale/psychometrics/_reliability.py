"""Reliability: Cronbach's alpha with CIs, item statistics, omega, test-retest.

The numbers follow R's psych 2.2.9 (``alpha``, ``alpha.ci``, ``describe``, ``omega`` /
``schmid``) so that a psychometrician finds the values R prints. Why hand-written:
pingouin.cronbach_alpha gives the Feldt interval only, uses the pre-deletion n in its CI
under listwise deletion and has no item statistics; reliabilipy takes absolute
correlations, so reverse-keyed items pass silently. The formulas are a few matrix
operations on the (pairwise) covariance matrix, written here vectorised so that a
bootstrap of 1,000 resamples is one batched product. The matrices come from
:mod:`alliance_scale.correlation` (``pairwise_covariance``, ``pairwise_pearson``,
``polychoric``, ``squared_multiple_correlations``), the factor analysis behind omega is
:func:`alliance_scale.factor.efa`, the intraclass correlation pingouin's, the scoring and
reversal :mod:`alliance_scale.scoring`'s; none is re-implemented here. ``n`` is
:func:`alliance_scale._data.respondent_count` (rows with at least one answer).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats

from .._checks import (
    analysis_input,
    as_item_frame,
    check_choice,
    check_integer,
    check_number,
    check_seed,
    respondent_count,
)
from .._results import Result, result
from ..errors import AllianceScaleWarning, AnalysisError, OptionError
from ._correlation import (
    CORRELATIONS,
    pairwise_covariance,
    pairwise_pearson,
    polychoric,
    squared_multiple_correlations,
    to_unit_diagonal,
)
from ._efa import efa
from ._keys import reverse_keyed

__all__ = [
    "AlphaResult",
    "OmegaResult",
    "cronbach_alpha",
    "item_statistics",
    "omega",
]

_CI_METHODS = ("feldt", "duhachek", "bootstrap", None)
_MISSING = ("pairwise", "listwise")


# --------------------------------------------------------------------------- input


def _response_range(
    frame: pd.DataFrame, min_value: float | None, max_value: float | None
) -> tuple[float, float]:
    """Lowest and highest response code: given, else observed over all items (as psych)."""
    values = frame.to_numpy()
    low = float(np.nanmin(values)) if min_value is None else float(min_value)
    high = float(np.nanmax(values)) if max_value is None else float(max_value)
    if low >= high:
        raise AnalysisError(f"min_value ({low:g}) must be below max_value ({high:g})")
    return low, high


def _keyed_frame(
    data: pd.DataFrame | np.ndarray,
    reverse: Sequence[str] | None,
    min_value: float | None,
    max_value: float | None,
) -> tuple[pd.DataFrame, tuple[str, ...], tuple[float, float]]:
    """Check the items, then reverse ``reverse`` as ``min + max - x`` (psych's keys)."""
    frame = as_item_frame(data)
    reversed_items = tuple(str(item) for item in (reverse or ()))
    for item in reversed_items:
        if item not in frame.columns:
            raise OptionError("item to reverse is not among the data's items", column=item)
    low, high = _response_range(frame, min_value, max_value)
    return reverse_keyed(frame, reversed_items, low, high), reversed_items, (low, high)


def _use_rows(frame: pd.DataFrame, missing: str) -> pd.DataFrame:
    """Rows the statistics use: any answered item (pairwise) or every item (listwise)."""
    answered = frame.notna()
    keep = answered.all(axis=1) if missing == "listwise" else answered.any(axis=1)
    used = frame.loc[keep.to_numpy()]
    if len(used) < 2:
        raise AnalysisError(
            f"only {len(used)} respondent(s) left with missing={missing!r}; at least 2 needed"
        )
    return used


# --------------------------------------------------------------------------- matrices


def _check_matrix(matrix: np.ndarray, items: Sequence[str], what: str) -> None:
    bad = np.argwhere(~np.isfinite(matrix))
    if bad.size:
        i, j = bad[0]
        raise AnalysisError(
            f"the {what} of items {items[i]!r} and {items[j]!r} cannot be computed "
            "(fewer than 2 respondents answered both)",
            column=str(items[i]),
        )


def _raw_alpha(covariance: np.ndarray) -> np.ndarray:
    """Cronbach's alpha k/(k-1) (1 - tr C / sum C); batched over leading axes."""
    k = covariance.shape[-1]
    trace = np.trace(covariance, axis1=-2, axis2=-1)
    total = covariance.sum(axis=(-2, -1))
    return k / (k - 1) * (1.0 - trace / total)


def _alpha_core(covariance: np.ndarray, correlation: np.ndarray) -> dict[str, float]:
    """psych's ``alpha.1``: raw and standardised alpha, Guttman's lambda 6, mean r.

    Standardised alpha is k/(k-1) (1 - k / sum R); lambda 6 = 1 - sum(1 - smc) / sum R
    (Guttman 1945); the average inter-item r is the mean off-diagonal correlation.
    """
    k = covariance.shape[0]
    if k < 2:
        return {"alpha": np.nan, "std_alpha": np.nan, "g6": np.nan, "average_r": np.nan}
    sum_r = correlation.sum()
    return {
        "alpha": float(_raw_alpha(covariance)),
        "std_alpha": (1.0 - k / sum_r) * k / (k - 1),
        "g6": 1.0 - (k - squared_multiple_correlations(correlation).sum()) / sum_r,
        "average_r": (sum_r - k) / (k * (k - 1)),
    }


def _duhachek_variance(covariance: np.ndarray) -> float:
    """Q of Duhachek & Iacobucci (2004, eq. in psych::alpha): n x Var(alpha-hat)."""
    k = covariance.shape[0]
    total = covariance.sum()
    trace = np.trace(covariance)
    squared = covariance @ covariance
    return (2 * k**2 / ((k - 1) ** 2 * total**3)) * (
        total * (np.trace(squared) + trace**2) - 2 * trace * squared.sum()
    )


def _corrected_item_total(covariance: np.ndarray) -> np.ndarray:
    """r.drop: correlation of each item with the sum of the other items (from C)."""
    total = covariance.sum()
    column = covariance.sum(axis=0)
    variance = np.diag(covariance)
    rest = total - 2 * column + variance
    return (column - variance) / np.sqrt(variance * rest)


def _feldt_ci(alpha: float, n: int, k: int, confidence: float) -> tuple[float, float]:
    """Feldt (1965) interval: (1 - alpha) F quantiles with df n-1 and (n-1)(k-1)."""
    tail = (1 - confidence) / 2
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lower = 1 - (1 - alpha) * scipy.stats.f.ppf(1 - tail, df1, df2)
    upper = 1 - (1 - alpha) * scipy.stats.f.ppf(tail, df1, df2)
    return float(lower), float(upper)


def _bootstrap_ci(
    values: np.ndarray, confidence: float, n_boot: int, seed: int | None
) -> tuple[float, float]:
    """Percentile bootstrap of raw alpha: resample respondents, all resamples at once."""
    rng = check_seed("seed", seed)
    n = values.shape[0]
    alphas = np.empty(n_boot)
    chunk = max(1, min(n_boot, 2_000_000 // max(1, values.size)))  # bound memory
    for start in range(0, n_boot, chunk):
        stop = min(n_boot, start + chunk)
        rows = rng.integers(0, n, size=(stop - start, n))
        alphas[start:stop] = _raw_alpha(pairwise_covariance(values[rows])[0])
    tail = (1 - confidence) / 2
    lower, upper = np.nanquantile(alphas, [tail, 1 - tail])
    return float(lower), float(upper)


# --------------------------------------------------------------------------- alpha


@result
class AlphaResult(Result):
    """Cronbach's alpha and companions, as psych::alpha.

    Attributes
    ----------
    alpha : float
        Raw alpha from the covariance matrix (psych's ``raw_alpha``).
    std_alpha : float
        Standardised alpha, from the correlation matrix.
    g6 : float
        Guttman's lambda 6 from squared multiple correlations (psych's ``G6(smc)``).
    average_r : float
        Mean inter-item correlation.
    ci : tuple of float
        (lower, upper) interval of ``alpha`` at ``confidence``; NaNs when ``ci_method`` is None.
    ci_method : {"feldt", "duhachek", "bootstrap"} or None
    confidence : float
    standard_error : float
        Asymptotic standard error of alpha (Duhachek & Iacobucci 2004; psych's ``ase``).
    n : int
        Respondents used (pairwise: answered at least one item; listwise: answered all).
    k : int
        Number of items.
    items : DataFrame
        One row per item: ``n`` (answers), ``alpha_if_deleted``, ``std_alpha_if_deleted``,
        ``g6_if_deleted``, ``average_r_if_deleted``, ``raw_r`` (item-total r), ``std_r``,
        ``r_cor`` (item-total r corrected for overlap and reliability), ``r_drop``
        (corrected item-total r: item with the sum of the others), ``mean``, ``sd`` (after
        reversal).
    reversed_items : tuple of str
    missing : {"pairwise", "listwise"}
    cor : {"pearson", "polychoric"}
    """

    alpha: float
    std_alpha: float
    g6: float
    average_r: float
    ci: tuple[float, float]
    ci_method: str | None
    confidence: float
    standard_error: float
    n: int
    k: int
    items: pd.DataFrame
    reversed_items: tuple[str, ...] = ()
    missing: str = "pairwise"
    cor: str = "pearson"

    def to_frame(self) -> pd.DataFrame:
        """The item table (alpha if deleted, r.drop, means...)."""
        return self.items

    def _summary(self) -> dict[str, Any]:
        ci_label = f"{self.confidence:.0%} CI ({self.ci_method})"
        return {
            "alpha": self.alpha, "std_alpha": self.std_alpha, "G6": self.g6,
            "average_r": self.average_r, ci_label: self.ci, "n": self.n, "k": self.k,
            "correlations": self.cor, "missing": self.missing,
        }


def _item_table(
    frame: pd.DataFrame, covariance: np.ndarray, correlation: np.ndarray
) -> pd.DataFrame:
    """psych::alpha's ``alpha.drop`` and ``item.stats`` in one table."""
    k = frame.shape[1]
    dropped = []
    for i in range(k):
        keep = np.arange(k) != i
        # one item left (k == 2): _alpha_core gives NaN, alpha is undefined
        dropped.append(_alpha_core(covariance[np.ix_(keep, keep)],
                                   correlation[np.ix_(keep, keep)]))
    dropped_frame = pd.DataFrame(dropped, index=frame.columns).add_suffix("_if_deleted")
    total = frame.mean(axis=1)
    reliability_diagonal = correlation.copy()
    np.fill_diagonal(reliability_diagonal, squared_multiple_correlations(correlation))
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN when the sum is not positive
        table = pd.DataFrame(
            {
                "n": frame.notna().sum().astype(int),
                "raw_r": frame.corrwith(total),
                "std_r": correlation.sum(axis=0) / np.sqrt(correlation.sum()),
                "r_cor": reliability_diagonal.sum(axis=0)
                / np.sqrt(reliability_diagonal.sum()),
                "r_drop": _corrected_item_total(covariance),
                "mean": frame.mean(),
                "sd": frame.std(),
            },
            index=frame.columns,
        )
    table = pd.concat([dropped_frame, table], axis=1)
    table.index.name = "item"
    return table


def _correlation_input(
    frame: pd.DataFrame, cor: str
) -> tuple[np.ndarray, np.ndarray]:
    """Covariance and correlation matrices (polychoric: both are the polychoric matrix)."""
    items = [str(c) for c in frame.columns]
    if cor == "polychoric":
        correlation = np.asarray(polychoric(frame).correlation, dtype=float)
        _check_matrix(correlation, items, "polychoric correlation")
        return correlation, correlation
    covariance = pairwise_covariance(frame.to_numpy())[0]
    _check_matrix(covariance, items, "covariance")
    return covariance, to_unit_diagonal(covariance)


def cronbach_alpha(
    data: pd.DataFrame | np.ndarray,
    *,
    ci: str | None = "feldt",
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int | None = None,
    missing: str = "pairwise",
    reverse: Sequence[str] | None = None,
    cor: str = "pearson",
    min_value: float | None = None,
    max_value: float | None = None,
) -> AlphaResult:
    """Cronbach's alpha, standardised alpha, Guttman's lambda 6 and item statistics.

    Equals R ``psych::alpha(data, keys = reverse)`` (psych 2.2.9): covariances from
    pairwise complete observations by default, reverse-keyed items scored
    ``min + max - x``.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Respondents in rows, items in columns (NaN = missing answer).
    ci : {"feldt", "duhachek", "bootstrap", None}, default "feldt"
        Interval for raw alpha. ``"feldt"``: F distribution with df1 = n - 1 and
        df2 = (n - 1)(k - 1) (Feldt 1965; psych::alpha.ci). ``"duhachek"``: alpha -/+ z
        times the asymptotic standard error of Duhachek & Iacobucci (2004) (psych's
        ``ase``). ``"bootstrap"``: percentile interval over ``n_boot`` resamples of the
        respondents (Pearson only). None: no interval.
    confidence : float, default 0.95
        Coverage of the interval (0-1).
    n_boot : int, default 1000
        Bootstrap resamples (an integer >= 2).
    seed : int, optional
        Seed of the bootstrap; the same seed gives the same interval.
    missing : {"pairwise", "listwise"}, default "pairwise"
        ``"pairwise"``: each covariance from the respondents who answered both items, as
        psych::alpha; ``n`` counts respondents with at least one answer. ``"listwise"``:
        only respondents who answered every item; ``n`` (and the interval) uses them.
    reverse : list of str, optional
        Reverse-keyed items, scored ``min_value + max_value - x``.
    cor : {"pearson", "polychoric"}, default "pearson"
        ``"polychoric"`` gives ordinal alpha (Zumbo, Gadermann & Zeisser 2007): the same
        formulas on :func:`alliance_scale.polychoric` correlations (raw = standardised).
    min_value, max_value : float, optional
        Lowest and highest response codes used for reversal; default: the lowest and
        highest value observed over all items (psych's rule).

    Returns
    -------
    AlphaResult

    Raises
    ------
    AnalysisError
        Fewer than 2 items, a constant, all-missing or non-numeric item (named), an item
        pair never answered together, an unknown option.

    References
    ----------
    Cronbach (1951) Psychometrika 16:297. Feldt (1965) Psychometrika 30:357. Duhachek &
    Iacobucci (2004) J Appl Psychol 89:792. Guttman (1945) Psychometrika 10:255.
    Zumbo, Gadermann & Zeisser (2007) J Mod Appl Stat Methods 6:21.
    """
    check_choice("ci", ci, _CI_METHODS)
    check_choice("missing", missing, _MISSING)
    check_choice("cor", cor, CORRELATIONS)
    check_number("confidence", confidence, 0.0, 1.0, low_open=True, high_open=True)
    if ci == "bootstrap" and cor != "pearson":
        raise OptionError("ci='bootstrap' is available with cor='pearson' only")
    check_integer("n_boot", n_boot, 2)
    check_seed("seed", seed)
    frame, reversed_items, _ = _keyed_frame(data, reverse, min_value, max_value)
    frame = _use_rows(frame, missing)
    covariance, correlation = _correlation_input(frame, cor)
    return _alpha_result(frame, covariance, correlation, ci=ci, confidence=confidence,
                         n_boot=n_boot, seed=seed, missing=missing,
                         reversed_items=reversed_items, cor=cor)


def _alpha_result(
    frame: pd.DataFrame,
    covariance: np.ndarray,
    correlation: np.ndarray,
    *,
    ci: str | None,
    confidence: float,
    n_boot: int,
    seed: int | None,
    missing: str,
    reversed_items: tuple[str, ...],
    cor: str,
) -> AlphaResult:
    """:func:`cronbach_alpha` on checked, keyed rows and their matrices (computed once)."""
    n, k = frame.shape
    core = _alpha_core(covariance, correlation)
    standard_error = float(np.sqrt(_duhachek_variance(covariance) / n))
    if ci == "feldt":
        interval = _feldt_ci(core["alpha"], n, k, confidence)
    elif ci == "duhachek":
        z = scipy.stats.norm.ppf(1 - (1 - confidence) / 2)
        interval = (core["alpha"] - z * standard_error, core["alpha"] + z * standard_error)
    elif ci == "bootstrap":
        interval = _bootstrap_ci(frame.to_numpy(), confidence, int(n_boot), seed)
    else:
        interval = (np.nan, np.nan)
    return AlphaResult(
        alpha=core["alpha"], std_alpha=float(core["std_alpha"]), g6=float(core["g6"]),
        average_r=float(core["average_r"]), ci=(float(interval[0]), float(interval[1])),
        ci_method=ci, confidence=confidence, standard_error=standard_error, n=n, k=k,
        items=_item_table(frame, covariance, correlation), reversed_items=reversed_items,
        missing=missing, cor=cor,
    )


# --------------------------------------------------------------------------- items


def _skew_kurtosis(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Skew and excess kurtosis, psych::describe type 3 (b1 = g1 ((n-1)/n)^1.5 ...).

    Joanes & Gill (1998) type 3, the default of psych::skew / psych::kurtosi.
    """
    deviation = frame - frame.mean()
    n = frame.notna().sum()
    m2 = (deviation**2).sum()
    g1 = np.sqrt(n) * (deviation**3).sum() / m2**1.5
    g2 = n * (deviation**4).sum() / m2**2 - 3
    return g1 * (1 - 1 / n) ** 1.5, (1 - 1 / n) ** 2 * (g2 + 3) - 3


def _item_distribution(frame: pd.DataFrame, low: float, high: float) -> pd.DataFrame:
    """Answers, missing share, mean, sd, skew, kurtosis, floor and ceiling of each column.

    The columns are described as given (no reversal here); ``floor`` and ``ceiling`` are
    the shares of the answers equal to ``low`` and ``high``.
    """
    n = frame.notna().sum()
    skew, kurtosis = _skew_kurtosis(frame)
    table = pd.DataFrame(
        {
            "n": n.astype(int),
            "missing": 1 - n / len(frame),
            "mean": frame.mean(),
            "sd": frame.std(),
            "skew": skew,
            "kurtosis": kurtosis,
            "floor": (frame == low).sum() / n,
            "ceiling": (frame == high).sum() / n,
        }
    )
    table.index.name = "item"
    return table


def item_statistics(
    data: pd.DataFrame | np.ndarray,
    *,
    reverse: Sequence[str] | None = None,
    min_value: float | None = None,
    max_value: float | None = None,
) -> pd.DataFrame:
    """Descriptive and classical item statistics, one row per item.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Respondents in rows, items in columns (NaN = missing).
    reverse : list of str, optional
        Reverse-keyed items, scored ``min_value + max_value - x`` before anything else.
    min_value, max_value : float, optional
        Lowest and highest response codes (floor and ceiling, reversal); default: the
        lowest and highest value observed over all items.

    Returns
    -------
    DataFrame
        Indexed by item: ``n`` (answers), ``missing`` (share of rows unanswered), ``mean``,
        ``sd``, ``skew`` and ``kurtosis`` (psych::describe type 3; excess kurtosis),
        ``floor`` and ``ceiling`` (share of the answers as given, before reversal, at
        ``min_value`` / ``max_value``; > .15 is a floor or ceiling effect, Terwee et al.
        2007), ``r_drop`` (corrected
        item-total r) and ``alpha_if_deleted`` (psych::alpha, pairwise).

    Raises
    ------
    AnalysisError
        As :func:`cronbach_alpha`.
    """
    frame, reversed_items, (low, high) = _keyed_frame(data, reverse, min_value, max_value)
    alpha = cronbach_alpha(frame, ci=None, min_value=low, max_value=high)
    table = _item_distribution(frame, low, high)
    flipped = table.index.isin(reversed_items)
    # floor and ceiling describe the answers as given (what respondents chose), as in
    # ReliabilityResult.items: reversal turns a floor into a ceiling, so swap them back.
    table.loc[flipped, ["floor", "ceiling"]] = table.loc[flipped, ["ceiling", "floor"]].to_numpy()
    table["r_drop"] = alpha.items["r_drop"]
    table["alpha_if_deleted"] = alpha.items["alpha_if_deleted"]
    table["reversed"] = flipped
    return table


# --------------------------------------------------------------------------- omega


@result
class OmegaResult(Result):
    """McDonald's omega from a Schmid-Leiman transformation, as psych::omega.

    Attributes
    ----------
    omega_h : float
        Omega hierarchical: (sum of g loadings)^2 / sum(R).
    omega_total : float
        (sum(R) - sum(u2)) / sum(R).
    omega_limit : float
        (sum of g loadings)^2 / (sum(R) - sum(u2)): omega_h of a test with infinitely many
        items like these (psych's ``omega.lim``).
    schmid : DataFrame
        Schmid-Leiman loadings: ``g``, ``F1*`` ... group factors, ``h2``, ``u2``, ``p2``
        (g^2 / h2), indexed by item (items with a negative g loading are reversed, see
        ``flipped_items``).
    phi : DataFrame or None
        Correlations of the oblique group factors.
    n_factors : int
    flipped_items : tuple of str
    cor : str
    """

    omega_h: float
    omega_total: float
    omega_limit: float
    schmid: pd.DataFrame
    phi: pd.DataFrame | None
    n_factors: int
    flipped_items: tuple[str, ...] = ()
    cor: str = "pearson"

    def to_frame(self) -> pd.DataFrame:
        """The Schmid-Leiman loading table."""
        return self.schmid

    def _summary(self) -> dict[str, Any]:
        return {
            "omega_h": self.omega_h, "omega_total": self.omega_total,
            "group factors": self.n_factors, "correlations": self.cor,
        }


def _omega_correlation(
    data: pd.DataFrame | np.ndarray | None,
    cor_matrix: pd.DataFrame | np.ndarray | None,
    cor: str,
    n_obs: int | None,
) -> tuple[pd.DataFrame, int | None, str]:
    """The correlation matrix omega analyses, the respondents behind it, and its label."""
    kind, given, n_obs = analysis_input(data, cor_matrix, n_obs)
    if kind == "matrix":
        return given, n_obs, "correlation matrix"  # as EFAResult.cor
    frame = as_item_frame(given, min_items=3)
    return _omega_matrix(frame, cor), respondent_count(frame), cor


def _omega_matrix(frame: pd.DataFrame, cor: str) -> pd.DataFrame:
    """Polychoric, or pairwise-complete Pearson correlations as ``cor(use = "pairwise")``."""
    if cor == "polychoric":
        values = np.asarray(polychoric(frame).correlation, dtype=float)
    else:
        values = pairwise_pearson(frame.to_numpy())[0]
    _check_matrix(values, [str(c) for c in frame.columns], "correlation")
    return pd.DataFrame(values, index=frame.columns, columns=frame.columns)


def _general_loadings(phi: np.ndarray, warn: bool) -> np.ndarray:
    """Loadings of the group factors on g: a 1-factor minres fit of phi (3+ factors),
    sqrt(|phi12|) with a warning (if ``warn``) for 2 (psych's ``option = "equal"``)."""
    n_factors = phi.shape[0]
    if n_factors == 2:
        _note(warn,
            "omega with 2 group factors: three are needed to identify g; its loadings on "
            "the group factors are set equal to sqrt(|phi|) (psych's option 'equal'); "
            "interpret omega_h with caution", depth=1)
        root = np.sqrt(abs(phi[0, 1]))
        return np.array([root, np.sign(phi[0, 1]) * root])
    names = [f"F{j + 1}" for j in range(n_factors)]
    # psych::schmid calls fa(phi) without n.obs: no fit statistics for this tiny fit
    fit = efa(cor_matrix=pd.DataFrame(phi, index=names, columns=names), n_factors=1,
              method="minres", rotation="none")
    loadings = np.asarray(fit.loadings, dtype=float)[:, 0]
    return loadings if loadings.sum() >= 0 else -loadings


def omega(
    data: pd.DataFrame | np.ndarray | None = None,
    n_factors: int = 3,
    *,
    cor_matrix: pd.DataFrame | np.ndarray | None = None,
    cor: str = "pearson",
    n_obs: int | None = None,
) -> OmegaResult:
    """Omega hierarchical and omega total from a Schmid-Leiman solution, as psych::omega.

    An oblimin-rotated minres factor analysis with ``n_factors`` group factors
    (:func:`alliance_scale.efa`), then a 1-factor minres analysis of their correlations
    gives the general factor (Schmid & Leiman 1957; psych::schmid). Items with a
    negative g loading are reversed, with a warning naming them (psych flips silently).

    Parameters
    ----------
    data : DataFrame or 2-D array
        Item responses (respondents in rows) or a correlation matrix.
    n_factors : int, default 3
        Group factors. 1 gives omega total only (omega_h = omega total is not meaningful);
        2 is not identified: g loadings are set to sqrt(|phi|) with a warning.
    cor : {"pearson", "polychoric"}, default "pearson"
        Correlations of raw data: pairwise Pearson (psych's default) or polychoric
        (ordinal omega, Zumbo et al. 2007).
    n_obs : int, optional
        Respondents behind a correlation matrix (passed to the factor analysis).

    Returns
    -------
    OmegaResult

    Raises
    ------
    AnalysisError
        Fewer than 3 items, bad items (named), ``n_factors`` not an integer >= 1 (``3.0``
        is refused, as by :func:`alliance_scale.efa`), more factors than items allow.

    References
    ----------
    McDonald (1999) Test theory. Schmid & Leiman (1957) Psychometrika 22:53. Zinbarg,
    Revelle, Yovel & Li (2005) Psychometrika 70:123.
    """
    check_choice("cor", cor, CORRELATIONS)
    check_integer("n_factors", n_factors, 1)
    matrix, n_used, label = _omega_correlation(data, cor_matrix, cor, n_obs)
    return _schmid_omega(matrix, int(n_factors), n_used, label, warn=True)


def _note(warn: bool, message: str, depth: int = 0) -> None:
    """Warn with an omega-specific note (1 or 2 group factors, reversed items) if ``warn``;
    ``depth``: calls between :func:`_schmid_omega` and here, so the warning names the
    user's line."""
    if warn:
        warnings.warn(message, AllianceScaleWarning, stacklevel=4 + depth)


def _schmid_omega(
    matrix: pd.DataFrame, n_factors: int, n_used: int | None, cor: str, warn: bool
) -> OmegaResult:
    """:func:`omega` of a correlation matrix; ``warn=False`` silences its own notes only
    (the factor analysis still warns of Heywood cases and smoothing)."""
    items = [str(c) for c in matrix.columns]
    if len(items) < 3:
        raise AnalysisError(f"omega needs at least 3 items, got {len(items)}")
    fit = efa(cor_matrix=matrix, n_factors=n_factors, method="minres", rotation="oblimin",
              n_obs=n_used)
    pattern = np.asarray(fit.loadings, dtype=float)
    phi = np.eye(n_factors) if fit.phi is None else np.asarray(fit.phi, dtype=float)
    communality = np.einsum("ij,jk,ik->i", pattern, phi, pattern)
    if n_factors == 1:
        _note(warn, "omega_h is not meaningful with one factor (it is the 1-factor omega); "
                    "report omega_total")
        general = np.ones(1)
    else:
        general = _general_loadings(phi, warn)
    g = pattern @ general
    group = np.sign(pattern) * np.sqrt(np.clip(pattern**2 * (1 - general**2), 0, None))
    key = np.where(g < 0, -1.0, 1.0)
    flipped = tuple(item for item, sign in zip(items, key, strict=True) if sign < 0)
    if flipped:
        _note(warn, "items with a negative general-factor loading were reversed: "
                    + ", ".join(flipped))
    r = matrix.to_numpy() * np.outer(key, key)
    g, group = g * key, group * key[:, None]
    uniqueness = np.diag(r) - communality
    total = r.sum()
    explained = total - uniqueness.sum()
    schmid = pd.DataFrame(group, index=matrix.columns,
                          columns=[f"F{j + 1}*" for j in range(n_factors)])
    schmid.insert(0, "g", g)
    schmid["h2"], schmid["u2"], schmid["p2"] = communality, uniqueness, g**2 / communality
    schmid.index.name = "item"
    names = [f"F{j + 1}" for j in range(n_factors)]
    return OmegaResult(
        omega_h=float(g.sum() ** 2 / total), omega_total=float(explained / total),
        omega_limit=float(g.sum() ** 2 / explained), schmid=schmid,
        phi=None if fit.phi is None else pd.DataFrame(phi, index=names, columns=names),
        n_factors=n_factors, flipped_items=flipped, cor=cor,
    )
