"""Reliability: Cronbach's alpha with CIs, item statistics, omega, test-retest.

The numbers follow R's psych 2.2.9 (``alpha``, ``alpha.ci``, ``describe``, ``omega`` /
``schmid``) so that a psychometrician finds the values R prints. Why hand-written:
pingouin.cronbach_alpha gives the Feldt interval only, uses the pre-deletion n in its CI
under listwise deletion and has no item statistics; reliabilipy takes absolute
correlations, so reverse-keyed items pass silently. The formulas are a few matrix
operations on the (pairwise) covariance matrix, written here vectorised so that a
bootstrap of 1,000 resamples is one batched product. The matrices come from
:mod:`alliance_scale.psychometrics._correlation._correlation` (``pairwise_covariance``,
``pairwise_pearson``, ``polychoric``, ``squared_multiple_correlations``), the factor
analysis behind omega is :func:`alliance_scale.efa`, the intraclass correlation
pingouin's, the scoring and reversal :mod:`alliance_scale.psychometrics._keys`'s; none is
re-implemented here. ``n`` is :func:`alliance_scale._checks.respondent_count` (rows with
at least one answer).

omega follows psych's steps exactly (``omega`` -> ``schmid``): a minres fit rotated by
varimax, then GPArotation's oblimin *from that varimax solution*. The gradient projection
stops at a gradient of 1e-5, so its result depends on the start: rotating the unrotated
loadings instead (as this module did before issue #12) moved omega_h by 4.5e-4 on
psychTools::spi's first 30 items while omega total (rotation-invariant) agreed.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import (
    analysis_input,
    as_item_frame,
    check_choice,
    check_flag,
    check_integer,
    check_number,
    check_seed,
    respondent_count,
)
from ..._results import Report, Result, format_table, result
from ..._warn import warn_user
from ...errors import AllianceScaleWarning, AnalysisError, HeywoodWarning, OptionError
from .._correlation._correlation import (
    _is_regular,
    _smc,
    correlation_kind,
    pairwise_covariance,
    pairwise_pearson,
    polychoric,
    squared_multiple_correlations,
    to_unit_diagonal,
)
from .._distributions import f_ppf, norm_ppf
from .._factor._efa import _PSI_LOWER, EFAResult, efa, extract_factors, fit_statistics, score_r2
from .._factor._fa_print import r_round, r_signif
from .._factor._rotation import _oblimin_criterion, gpa
from .._keys import reverse_keyed, split_keyed

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
    low = (float(np.nanmin(values)) if min_value is None
           else check_number("min_value", min_value))
    high = (float(np.nanmax(values)) if max_value is None
            else check_number("max_value", max_value))
    if low >= high:
        raise OptionError(f"min_value ({low:g}) must be below max_value ({high:g})")
    return low, high


def _reversed_items(reverse: Sequence[str] | None) -> tuple[str, ...]:
    """The items to reverse from ``reverse``: item names (``["A1"]``), or psych keys
    (``["-A1", "A2"]``: when any entry has a leading ``-``, only those items are reversed)."""
    if reverse is None:
        return ()
    if isinstance(reverse, str) or not isinstance(reverse, (list, tuple, set, pd.Index,
                                                            pd.Series, np.ndarray)):
        raise OptionError(f"reverse must be a list of item names, got {reverse!r}"[:120])
    entries = [str(item) for item in reverse]
    if any(entry.startswith("-") for entry in entries):
        return tuple(item for item, sign in map(split_keyed, entries) if sign < 0)
    return tuple(entries)


def _negative_items(frame: pd.DataFrame) -> list[str]:
    """Items loading negatively on the first principal component of the pairwise Pearson
    correlations (psych's ``alpha`` check: ``principal(x)$loadings < 0``, the component
    reflected to a positive sum)."""
    correlation = pairwise_pearson(frame.to_numpy())[0]
    if np.isnan(correlation).any():
        return []  # refused later, naming the pair
    vector = np.linalg.eigh(correlation)[1][:, -1]
    vector = -vector if vector.sum() < 0 else vector
    return [str(item) for item, value in zip(frame.columns, vector, strict=True) if value < 0]


def _keyed_frame(
    data: pd.DataFrame | np.ndarray,
    reverse: Sequence[str] | None,
    min_value: float | None,
    max_value: float | None,
    check_keys: bool = False,
) -> tuple[pd.DataFrame, tuple[str, ...], tuple[float, float]]:
    """Check the items, then reverse ``reverse`` as ``min + max - x`` (psych's keys).

    As ``psych::alpha``: items loading negatively on the first principal component are
    reversed with ``check_keys`` (replacing ``reverse``), and named in a warning when no
    item was given to reverse.
    """
    frame = as_item_frame(data)
    reversed_items = _reversed_items(reverse)
    names = [str(c) for c in frame.columns]
    for item in reversed_items:
        if item not in names:
            raise OptionError("item to reverse is not among the data's items", column=item)
    if check_keys or reverse is None:
        negative = _negative_items(frame)
        if negative and check_keys:
            warn_user(
                "items negatively correlated with the total scale (the first principal "
                "component) were reversed (check_keys=True, psych's check.keys): "
                + ", ".join(negative), AllianceScaleWarning)
            reversed_items = tuple(negative)
        elif negative:
            warn_user(
                "items negatively correlated with the total scale (the first principal "
                f"component) probably should be reversed: {', '.join(negative)}; give "
                "reverse=[...] (the scale's reverse-keyed items) or check_keys=True "
                "(psych's check.keys)", AllianceScaleWarning)
    low, high = _response_range(frame, min_value, max_value)
    columns = [frame.columns[names.index(item)] for item in reversed_items]
    return reverse_keyed(frame, columns, low, high), reversed_items, (low, high)


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


def _alpha_core(
    covariance: np.ndarray, correlation: np.ndarray, regular: bool | None = None
) -> dict[str, float]:
    """psych's ``alpha.1``: raw and standardised alpha, Guttman's lambda 6, mean r.

    Standardised alpha is k/(k-1) (1 - k / sum R); lambda 6 = 1 - sum(1 - smc) / sum R
    (Guttman 1945); the average inter-item r is the mean off-diagonal correlation.
    ``regular``: the correlation matrix is known to pass psych's regularity test (True for
    a submatrix of a regular matrix), so the SMCs need no eigenvalue test; None tests it.
    """
    k = covariance.shape[0]
    if k < 2:
        return {"alpha": np.nan, "std_alpha": np.nan, "g6": np.nan, "average_r": np.nan}
    sum_r = correlation.sum()
    return {
        "alpha": float(_raw_alpha(covariance)),
        "std_alpha": (1.0 - k / sum_r) * k / (k - 1),
        "g6": 1.0 - (k - _smc(correlation, _is_regular(correlation) if regular is None
                              else regular).sum()) / sum_r,
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
    lower = 1 - (1 - alpha) * f_ppf(1 - tail, df1, df2)
    upper = 1 - (1 - alpha) * f_ppf(tail, df1, df2)
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

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> fit = als.cronbach_alpha(pilot[["A1a_1", "A1a_2", "A1b_1"]], ci="duhachek")
    >>> round(fit.alpha, 3), round(fit.g6, 3), fit.n_obs  # In R: psych::alpha(x)$total
    (0.69, 0.6, 320)
    """

    alpha: float
    std_alpha: float
    g6: float
    average_r: float
    ci: tuple[float, float]
    ci_method: str | None
    confidence: float
    standard_error: float
    n_obs: int
    k: int
    items: pd.DataFrame
    reversed_items: tuple[str, ...] = ()
    missing: str = "pairwise"
    cor: str = "pearson"

    @property
    def n(self) -> int:
        """Deprecated name of :attr:`n_obs` (kept so that earlier code runs)."""
        warnings.warn("AlphaResult.n is now AlphaResult.n_obs", DeprecationWarning, stacklevel=2)
        return self.n_obs

    def to_frame(self) -> pd.DataFrame:
        """The item table (alpha if deleted, r.drop, means...)."""
        return self.items

    def _summary(self) -> dict[str, Any]:
        ci_label = f"{self.confidence:.0%} CI ({self.ci_method})"
        return {
            "alpha": self.alpha, "std_alpha": self.std_alpha, "G6": self.g6,
            "average_r": self.average_r, ci_label: self.ci, "n_obs": self.n_obs, "k": self.k,
            "correlations": self.cor, "missing": self.missing,
        }

    def _report(self) -> Report:
        """psych's printout of ``alpha``: totals, interval, alpha if an item is dropped,
        item statistics (two decimals, reversed items marked ``-``)."""
        total = pd.DataFrame([[self.alpha, self.std_alpha, self.g6, self.average_r,
                               self.standard_error, self.n_obs]],
                             columns=["raw_alpha", "std.alpha", "G6(smc)", "average_r", "ase",
                                      "n"], index=[""])
        items = self.items.rename(index=lambda i: f"{i}-" if i in self.reversed_items else i)
        dropped = items[["alpha_if_deleted", "std_alpha_if_deleted", "g6_if_deleted",
                         "average_r_if_deleted"]].set_axis(
            ["raw_alpha", "std.alpha", "G6(smc)", "average_r"], axis=1)
        stats = items[["n", "raw_r", "std_r", "r_cor", "r_drop", "mean", "sd"]].set_axis(
            ["n", "raw.r", "std.r", "r.cor", "r.drop", "mean", "sd"], axis=1)
        blocks: list[str | pd.DataFrame] = [
            f"Call: cronbach_alpha(data, cor={self.cor!r}, missing={self.missing!r})", "",
            format_table(total, {"ase": 3, "raw_alpha": 2, "std.alpha": 2, "G6(smc)": 2,
                                 "average_r": 2})]
        if self.ci_method is not None:
            blocks += ["", f"{self.confidence:.0%} confidence boundaries ({self.ci_method}): "
                           f"{r_round(self.ci[0])} {r_round(self.alpha)} {r_round(self.ci[1])}"]
        blocks += ["", "Reliability if an item is dropped:", format_table(dropped, 2),
                   "", "Item statistics", format_table(stats, 2)]
        return Report("Reliability analysis (psych::alpha)", tuple(blocks),
                      max_rows=self._max_rows)


def _item_table(
    frame: pd.DataFrame, covariance: np.ndarray, correlation: np.ndarray
) -> pd.DataFrame:
    """psych::alpha's ``alpha.drop`` and ``item.stats`` in one table."""
    regular = _is_regular(correlation)
    dropped_frame = pd.DataFrame(_alpha_if_deleted(covariance, correlation, regular),
                                 index=frame.columns).add_suffix("_if_deleted")
    total = frame.mean(axis=1)
    reliability_diagonal = correlation.copy()
    np.fill_diagonal(reliability_diagonal, _smc(correlation, regular))
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN when the sum is not positive
        table = pd.DataFrame(
            {
                "n": frame.notna().sum().astype(int),
                "raw_r": _correlations_with(frame.to_numpy(dtype=float), total.to_numpy()),
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


def _alpha_if_deleted(
    covariance: np.ndarray, correlation: np.ndarray, regular: bool
) -> list[dict[str, float]] | dict[str, np.ndarray]:
    """:func:`_alpha_core` of the matrices without each item in turn (psych's
    ``alpha.drop``). From a regular matrix (so is every submatrix: Cauchy interlacing),
    the submatrices are stacked and their statistics computed at once, each with the
    operations :func:`_alpha_core` applies to one (the same numbers); otherwise one by one,
    each submatrix tested."""
    k = covariance.shape[0]
    if k < 3 or not regular:  # one item left (k == 2): alpha is undefined (NaN)
        dropped = []
        for i in range(k):
            keep = np.arange(k) != i
            dropped.append(_alpha_core(covariance[np.ix_(keep, keep)],
                                       correlation[np.ix_(keep, keep)], regular or None))
        return dropped
    m = k - 1
    out: dict[str, np.ndarray] = {key: np.empty(k) for key in
                                  ("alpha", "std_alpha", "g6", "average_r")}
    chunk = max(1, _STACKED_ENTRIES // (m * m))  # bounds the stacked copies' memory
    for start in range(0, k, chunk):
        drop = np.arange(start, min(k, start + chunk))
        keep = np.array([np.delete(np.arange(k), i) for i in drop])
        block = (keep[:, :, None], keep[:, None, :])
        sub_r = correlation[block]
        sum_r = sub_r.sum(axis=(1, 2))
        inverse = np.diagonal(np.linalg.inv(sub_r), axis1=1, axis2=2)
        with np.errstate(divide="ignore"):
            smc = np.clip(1.0 - 1.0 / inverse, 0.0, 1.0)
        out["alpha"][drop] = _raw_alpha(covariance[block])
        out["std_alpha"][drop] = (1.0 - m / sum_r) * m / (m - 1)
        out["g6"][drop] = 1.0 - (m - smc.sum(axis=1)) / sum_r
        out["average_r"][drop] = (sum_r - m) / (m * (m - 1))
    return out


#: Entries of the stacked submatrices :func:`_alpha_if_deleted` builds at a time (16 MB).
_STACKED_ENTRIES = 2_000_000


def _correlations_with(values: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Pearson correlation of each column of ``values`` with ``other`` on the rows where
    both are answered: pandas' ``DataFrame.corrwith(Series)`` (its ``Series.corr``
    steps: centre, divide by the largest deviation, dot products), without its per-column
    Series."""
    out = np.full(values.shape[1], np.nan)
    known = ~np.isnan(other)
    for j in range(values.shape[1]):
        valid = known & ~np.isnan(values[:, j])
        a, b = other[valid], values[valid, j]
        if len(a) < 2:
            continue
        a, b = a - a.mean(), b - b.mean()
        a_scale, b_scale = np.max(np.abs(a)), np.max(np.abs(b))
        if a_scale == 0 or b_scale == 0:
            continue
        a, b = a / a_scale, b / b_scale
        fact = len(a) - 1
        a_sd, b_sd = np.sqrt(np.dot(a, a) / fact), np.sqrt(np.dot(b, b) / fact)
        if a_sd > 0 and b_sd > 0:
            out[j] = np.clip(np.dot(a, b) / fact / a_sd / b_sd, -1.0, 1.0)
    return out


def _correlation_input(
    frame: pd.DataFrame, cor: str, polychoric_matrix: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Covariance and correlation matrices (polychoric: both are the polychoric matrix,
    ``polychoric_matrix`` when the caller has it already)."""
    items = [str(c) for c in frame.columns]
    if cor == "polychoric":
        # C order either way: the BLAS products behind alpha round by memory layout.
        correlation = np.ascontiguousarray(
            polychoric(frame).correlation if polychoric_matrix is None else polychoric_matrix,
            dtype=float)
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
    check_keys: bool = False,
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
        Reverse-keyed items, scored ``min_value + max_value - x``: item names
        (``["A1", "C4"]``), or psych keys (``["-A1", "A2", "A3"]``: when any entry starts
        with ``-``, only those items are reversed).
    cor : {"pearson", "polychoric"}, default "pearson"
        ``"polychoric"`` gives ordinal alpha (Zumbo, Gadermann & Zeisser 2007): the same
        formulas on :func:`alliance_scale.polychoric` correlations (raw = standardised).
        psych's ``"poly"`` is accepted.
    min_value, max_value : float, optional
        Lowest and highest response codes used for reversal; default: the lowest and
        highest value observed over all items (psych's rule).
    check_keys : bool, default False
        Reverse the items that load negatively on the first principal component (psych's
        ``check.keys = TRUE``), instead of ``reverse``, with a warning naming them.

    Returns
    -------
    AlphaResult

    Raises
    ------
    OptionError
        An unknown option, an item to reverse that is not in the data.
    AnalysisError
        Fewer than 2 items, a constant, all-missing or non-numeric item (named), an item
        pair never answered together.

    Warns
    -----
    AllianceScaleWarning
        When no item is reversed and some items correlate negatively with the total scale
        (psych's warning, which suggests ``check.keys``); when ``check_keys`` reverses items.

    References
    ----------
    Cronbach (1951) Psychometrika 16:297. Feldt (1965) Psychometrika 30:357. Duhachek &
    Iacobucci (2004) J Appl Psychol 89:792. Guttman (1945) Psychometrika 10:255.
    Zumbo, Gadermann & Zeisser (2007) J Mod Appl Stat Methods 6:21.

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> keys = als.draft_scale().keys["A1"]  # psych keys: "-A1a_5" is reverse-keyed
    >>> fit = als.cronbach_alpha(pilot[[k.lstrip("-") for k in keys]], reverse=keys)
    >>> # In R: psych::alpha(x, keys = "A1a_5")
    >>> round(fit.alpha, 3), tuple(round(x, 3) for x in fit.ci), fit.reversed_items
    (0.856, (0.832, 0.879), ('A1a_5',))
    >>> print(fit.items[["r_drop", "alpha_if_deleted"]].round(3).head(3))
           r_drop  alpha_if_deleted
    item
    A1a_5   0.475             0.851
    A1b_1   0.640             0.835
    A1a_3   0.386             0.860
    """
    check_choice("ci", ci, _CI_METHODS)
    check_choice("missing", missing, _MISSING)
    cor = correlation_kind(cor)
    check_flag("check_keys", check_keys)
    check_number("confidence", confidence, 0.0, 1.0, low_open=True, high_open=True)
    if ci == "bootstrap" and cor != "pearson":
        raise OptionError("ci='bootstrap' is available with cor='pearson' only")
    check_integer("n_boot", n_boot, 2)
    check_seed("seed", seed)
    frame, reversed_items, _ = _keyed_frame(data, reverse, min_value, max_value, check_keys)
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
        z = norm_ppf(1 - (1 - confidence) / 2)
        interval = (core["alpha"] - z * standard_error, core["alpha"] + z * standard_error)
    elif ci == "bootstrap":
        interval = _bootstrap_ci(frame.to_numpy(), confidence, int(n_boot), seed)
    else:
        interval = (np.nan, np.nan)
    return AlphaResult(
        alpha=core["alpha"], std_alpha=float(core["std_alpha"]), g6=float(core["g6"]),
        average_r=float(core["average_r"]), ci=(float(interval[0]), float(interval[1])),
        ci_method=ci, confidence=confidence, standard_error=standard_error, n_obs=n, k=k,
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

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> keys = als.draft_scale().keys["A1"]
    >>> table = als.item_statistics(pilot[[k.lstrip("-") for k in keys]], reverse=keys,
    ...                             min_value=1, max_value=5)  # In R: psych::describe(x)
    >>> print(table[["mean", "sd", "floor", "ceiling", "r_drop"]].round(2).head(3))
           mean    sd  floor  ceiling  r_drop
    item
    A1a_5  3.71  1.02   0.25     0.02    0.47
    A1b_1  3.91  1.09   0.03     0.37    0.64
    A1a_3  3.73  1.07   0.03     0.27    0.39
    """
    frame, reversed_items, (low, high) = _keyed_frame(data, reverse, min_value, max_value)
    used = _use_rows(frame, "pairwise")
    covariance, correlation = _correlation_input(used, "pearson")
    alpha = _alpha_result(used, covariance, correlation, ci=None, confidence=0.95, n_boot=2,
                          seed=None, missing="pairwise", reversed_items=reversed_items,
                          cor="pearson")
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

    ``print(result)`` shows psych's printout of ``omega``.

    Attributes
    ----------
    omega_h : float
        Omega hierarchical: (sum of g loadings)^2 / sum(R).
    omega_total : float
        (sum(R) - sum(u2)) / sum(R).
    omega_limit : float
        (sum of g loadings)^2 / (sum(R) - sum(u2)): omega_h of a test with infinitely many
        items like these (psych's ``omega.lim``, "Omega H asymptotic").
    schmid : DataFrame
        Schmid-Leiman loadings: ``g``, ``F1*`` ... group factors, ``h2``, ``u2``, ``p2``
        (g^2 / h2), indexed by item (items with a negative g loading are reversed, see
        ``flipped_items``). The group factors are in psych's order (that of the varimax
        solution the oblimin rotation starts from).
    phi : DataFrame or None
        Correlations of the oblique group factors.
    n_factors : int
    flipped_items : tuple of str
    cor : str
    alpha : float
        Standardised alpha of the (flipped) correlation matrix (psych's ``alpha``).
    g6 : float
        Guttman's lambda 6 (psych's ``G6``).
    ecv : float
        Explained common variance of the general factor: g's sum of squares over those of
        g and the group factors (psych's ``ECV``).
    general_loadings : Series
        Loadings of the group factors on g (psych's ``gloading``).
    groups : DataFrame
        psych's ``omega.group``: rows ``g`` (the total score) and one per group factor
        (the items loading most on it), columns ``total`` (omega total of that score),
        ``general`` (its omega due to g) and ``group`` (due to the group factor).
    fit : Mapping
        Fit of the ``n_factors``-factor model (psych's ``schmid`` statistics: ``dof``,
        ``objective``, ``chi2``, ``p_value``, ``rmsr``, ``crms``, ``rmsea``, ``rmsea_ci``,
        ``bic``...; n-based entries NaN without ``n_obs``).
    general_fit : Mapping
        The same for the model with the general factor only (psych's ``gstats``).
    score_r2 : Series
        R2 of the regression scores of g and the group factors (psych's ``stats$R2``).
    n_obs : int or None

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> keys = als.draft_scale().keys
    >>> signed = keys["A1"] + keys["B1"] + keys["C1"]
    >>> items = [k.lstrip("-") for k in signed]
    >>> keyed = als.reverse_keyed(pilot[items], [k[1:] for k in signed if k[0] == "-"], 1, 5)
    >>> fit = als.omega(keyed, 3)  # In R: psych::omega(x, 3)
    >>> print(fit.summary())  # In R: print(omega(x, 3))
    Omega
    Call: omega(data, n_factors=3, cor='pearson')
    Alpha:                 0.89
    G.6:                   0.91
    Omega Hierarchical:    0.6
    Omega H asymptotic:    0.65
    Omega Total            0.91
    ...
    Total, General and Subset omega for each subset
                                                     g   F1*   F2*   F3*
    Omega total for total scores and subscales    0.91  0.87  0.86  0.76
    Omega general for total scores and subscales  0.60  0.30  0.42  0.37
    Omega group for total scores and subscales    0.29  0.58  0.44  0.39
    """

    omega_h: float
    omega_total: float
    omega_limit: float
    schmid: pd.DataFrame
    phi: pd.DataFrame | None
    n_factors: int
    flipped_items: tuple[str, ...] = ()
    cor: str = "pearson"
    alpha: float = np.nan
    g6: float = np.nan
    ecv: float = np.nan
    general_loadings: pd.Series | None = None
    groups: pd.DataFrame | None = None
    fit: Mapping[str, Any] = field(default_factory=dict)
    general_fit: Mapping[str, Any] = field(default_factory=dict)
    score_r2: pd.Series | None = None
    n_obs: int | None = None

    def __post_init__(self) -> None:
        for name in ("fit", "general_fit"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "fit": dict(self.fit), "general_fit": dict(self.general_fit)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self.__post_init__()

    def to_frame(self) -> pd.DataFrame:
        """The Schmid-Leiman loading table."""
        return self.schmid

    def _summary(self) -> dict[str, Any]:
        return {
            "omega_h": self.omega_h, "omega_total": self.omega_total,
            "group factors": self.n_factors, "correlations": self.cor,
        }

    def summary(self, cut: float = 0.2, sort: bool = False, digits: int = 2) -> Report:
        """psych's printout of ``omega`` (``print.psych.omega``), as text and HTML.

        Parameters
        ----------
        cut : float, default 0.2
            g and group loadings below ``cut`` in absolute value are printed blank
            (psych's default for omega).
        sort : bool, default False
            Order items by their absolute g loading (psych's ``sort``).
        digits : int, default 2
            Decimals.

        Returns
        -------
        Report
        """
        check_number("cut", cut, 0.0, 1.0)
        check_flag("sort", sort)
        check_integer("digits", digits, 0, 6)
        r = lambda value, extra=0: r_round(value, digits + extra)  # noqa: E731
        sl = self.schmid.copy()
        sl.index = [f"{item}-" if item in self.flipped_items else item for item in sl.index]
        if sort:
            sl = sl.iloc[np.argsort(-sl["g"].abs().to_numpy(), kind="stable")]
        factors = list(sl.columns[: self.n_factors + 1])
        table = format_table(sl, digits, blank=np.column_stack([
            sl[factors].abs().to_numpy() < cut, np.zeros((len(sl), 3), dtype=bool)]))
        squares = (self.schmid[factors] ** 2).sum()
        blocks: list[str | pd.DataFrame] = [
            f"Call: omega(data, n_factors={self.n_factors}, cor={self.cor!r})",
            f"Alpha:                 {r(self.alpha)}",
            f"G.6:                   {r(self.g6)}",
            f"Omega Hierarchical:    {r(self.omega_h)}",
            f"Omega H asymptotic:    {r(self.omega_limit)}",
            f"Omega Total            {r(self.omega_total)}",
            "", f"Schmid Leiman Factor loadings greater than {r_round(cut, digits)}", table,
            "", "With Sums of squares of:", format_table(squares.to_frame().T, digits),
        ]
        if self.n_factors > 1:
            group = squares.iloc[1:]
            p2 = self.schmid["p2"]
            blocks += [
                "", f"general/max {r(squares.iloc[0] / group.max())}   "
                    f"max/min = {r(group.max() / group.min())}",
                f"mean percent general = {r(p2.mean())}    with sd = {r(p2.std())} and cv "
                f"of {r(p2.std() / p2.mean())}",
            ]
        blocks.append(f"Explained Common Variance of the general factor = {r(self.ecv)}")
        blocks += ["", *_omega_fit_lines(self.fit, self.n_obs, digits, general=False),
                   "", "Compare this with the adequacy of just a general factor and no "
                   "group factors",
                   *_omega_fit_lines(self.general_fit, self.n_obs, digits, general=True)]
        if self.score_r2 is not None:
            r2 = self.score_r2.to_numpy()
            adequacy = pd.DataFrame([np.sqrt(r2), r2, 2 * r2 - 1], columns=factors,
                                    index=["Correlation of scores with factors",
                                           "Multiple R square of scores with factors",
                                           "Minimum correlation of factor score estimates"])
            blocks += ["", "Measures of factor score adequacy", format_table(adequacy, digits)]
        if self.groups is not None:
            groups = self.groups.T
            groups.index = ["Omega total for total scores and subscales",
                            "Omega general for total scores and subscales",
                            "Omega group for total scores and subscales"]
            blocks += ["", "Total, General and Subset omega for each subset",
                       format_table(groups, digits)]
        if self.flipped_items:
            blocks += ["", "Items reversed for a positive g loading (marked -): "
                       + ", ".join(self.flipped_items)]
        return Report("Omega", tuple(blocks), max_rows=None)

    def _report(self) -> Report:
        return self.summary()


def _omega_fit_lines(fit: Mapping[str, Any], n_obs: int | None, digits: int,
                     general: bool) -> list[str]:
    """The fit lines of psych's omega printout (model with group factors, or g only)."""
    if not fit:
        return []
    lines = [(f"The degrees of freedom for just the general factor are {r_round(fit['dof'])}"
              if general else f"The degrees of freedom are {r_round(fit['dof'])}")
             + f" and the fit is {r_round(fit['objective'], digits)}"]
    if n_obs is not None and np.isfinite(fit["chi2"]):
        lines.append(f"The number of observations was {n_obs} with Chi Square = "
                     f"{r_round(fit['chi2'], digits)} with prob < {r_signif(fit['p_value'])}")
    lines.append(f"The root mean square of the residuals is {r_round(fit['rmsr'], digits)}")
    if np.isfinite(fit["crms"]):
        lines.append("The df corrected root mean square of the residuals is "
                     f"{r_round(fit['crms'], digits)}")
    if np.isfinite(fit["rmsea"]):
        lower, upper = fit["rmsea_ci"]
        lines.append(f"RMSEA index = {r_round(fit['rmsea'], digits + 1)} and the 90 % "
                     f"confidence intervals are {r_round(lower, digits + 1)} "
                     f"{r_round(upper, digits + 1)}")
    if np.isfinite(fit["bic"]):
        lines.append(f"BIC = {r_round(fit['bic'], digits)}")
    return lines


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


def omega(
    data: pd.DataFrame | np.ndarray | None = None,
    n_factors: int = 3,
    *,
    cor_matrix: pd.DataFrame | np.ndarray | None = None,
    cor: str = "pearson",
    n_obs: int | None = None,
) -> OmegaResult:
    """Omega hierarchical and omega total from a Schmid-Leiman solution, as psych::omega.

    psych's steps (``omega``, ``schmid``): a minres factor analysis with ``n_factors``
    factors rotated by varimax, then GPArotation's oblimin from that varimax solution;
    the loadings of the group factors on g are a 1-factor minres analysis of their
    correlations (Schmid & Leiman 1957). Items with a negative g loading are reversed, with
    a warning naming them (psych flips silently and marks them ``-``). The result holds
    psych's whole table: alpha, G6, omega_h, omega_h asymptotic, omega total, ECV, the
    omega of every group factor's items, the fit with and without group factors and the
    factor score adequacy.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Item responses (respondents in rows), or (with ``n_obs``) a correlation matrix.
    n_factors : int, default 3
        Group factors. 1 gives omega total only (omega_h = omega total is not meaningful);
        2 is not identified: g loadings are set to sqrt(|phi|) with a warning.
    cor_matrix : DataFrame or 2-D array, optional
        A correlation matrix instead of ``data``.
    cor : {"pearson", "polychoric"}, default "pearson"
        Correlations of raw data: pairwise Pearson (psych's default) or polychoric
        (ordinal omega, Zumbo et al. 2007; psych's ``poly = TRUE``); ``"poly"`` accepted.
    n_obs : int, optional
        Respondents behind a correlation matrix (for the chi-squares, RMSEA and BIC).

    Returns
    -------
    OmegaResult

    Raises
    ------
    OptionError
        ``n_factors`` not an integer >= 1 (``3.0`` is refused, as by
        :func:`alliance_scale.efa`), an unknown ``cor``.
    AnalysisError
        Fewer than 3 items, bad items (named), more factors than items allow.

    Warns
    -----
    AllianceScaleWarning
        Items reversed; 1 or 2 group factors; a Heywood case in the fit of g to the group
        factor correlations (naming the group factor).

    References
    ----------
    McDonald (1999) Test theory. Schmid & Leiman (1957) Psychometrika 22:53. Zinbarg,
    Revelle, Yovel & Li (2005) Psychometrika 70:123.

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> keys = als.draft_scale().keys
    >>> signed = keys["A1"] + keys["B1"] + keys["C1"]  # three facets, keyed as psych's keys
    >>> items = [k.lstrip("-") for k in signed]
    >>> keyed = als.reverse_keyed(pilot[items], [k[1:] for k in signed if k[0] == "-"], 1, 5)
    >>> fit = als.omega(keyed, 3)  # In R: psych::omega(x, 3)
    >>> round(fit.omega_h, 3), round(fit.omega_total, 3), round(fit.alpha, 3)
    (0.597, 0.915, 0.89)
    >>> print(fit.groups.round(2))  # In R: omega(x, 3)$omega.group
         total  general  group
    g     0.91     0.60   0.29
    F1*   0.87     0.30   0.58
    F2*   0.86     0.42   0.44
    F3*   0.76     0.37   0.39
    """
    cor = correlation_kind(cor)
    check_integer("n_factors", n_factors, 1)
    matrix, n_used, label = _omega_correlation(data, cor_matrix, cor, n_obs)
    return _schmid_omega(matrix, int(n_factors), n_used, label, warn=True)


def _note(warn: bool, message: str) -> None:
    """Warn with an omega-specific note (1 or 2 group factors, reversed items) if ``warn``."""
    if warn:
        warn_user(message, AllianceScaleWarning)


def _general_loadings(phi: np.ndarray, warn: bool) -> np.ndarray:
    """Loadings of the group factors on g: a 1-factor minres fit of phi (3+ factors, psych's
    ``fa(phi, fm = "minres")``), sqrt(|phi12|) with a warning (if ``warn``) for 2 (psych's
    ``option = "equal"``). A Heywood case in that small fit is named (it is not an item)."""
    n_factors = phi.shape[0]
    if n_factors == 2:
        _note(warn,
              "omega with 2 group factors: three are needed to identify g; its loadings on "
              "the group factors are set equal to sqrt(|phi|) (psych's option 'equal'); "
              "interpret omega_h with caution")
        root = np.sqrt(abs(phi[0, 1]))
        return np.array([root, np.sign(phi[0, 1]) * root])
    loadings = extract_factors(phi, 1, method="minres")[0][:, 0]
    loadings = loadings if loadings.sum() >= 0 else -loadings
    improper = np.flatnonzero(loadings**2 >= 1 - _PSI_LOWER - 1e-6)
    if improper.size:
        warn_user(
            "omega: the general factor's fit to the group factor correlations is a Heywood "
            "case (g loading of " + ", ".join(
                f"group factor F{j + 1}* = {loadings[j]:.3f}" for j in improper)
            + "): that group factor is nearly g itself; omega_h leans on it",
            HeywoodWarning,
        )
    return loadings


def _schmid(
    matrix: np.ndarray, n_factors: int, n_obs: int | None, names: list[str], warn: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, EFAResult]:
    """psych's ``schmid``: (oblique pattern, phi, g loadings of the group factors,
    orthogonal (varimax) loadings, the varimax factor analysis)."""
    fit = efa(cor_matrix=pd.DataFrame(matrix, index=names, columns=names),
              n_factors=n_factors, method="minres", rotation="varimax", n_obs=n_obs)
    orthogonal = fit.loadings.to_numpy()
    if n_factors == 1:
        _note(warn, "omega_h is not meaningful with one factor (it is the 1-factor omega); "
                    "report omega_total")
        return orthogonal, np.eye(1), np.ones(1), orthogonal, fit
    # GPArotation's oblimin from the identity on the varimax loadings, without reordering
    rotated = gpa(orthogonal, lambda L: _oblimin_criterion(L, 0.0), orthogonal=False)
    if not rotated.converged:
        warn_user("omega: the oblimin rotation did not converge in 1000 iterations",
                  AllianceScaleWarning)
    general = _general_loadings(rotated.phi, warn)
    return rotated.loadings, rotated.phi, general, orthogonal, fit


def _schmid_omega(
    matrix: pd.DataFrame, n_factors: int, n_used: int | None, cor: str, warn: bool,
    statistics: bool = True,
) -> OmegaResult:
    """:func:`omega` of a correlation matrix; ``warn=False`` silences its own notes only
    (the factor analyses still warn of Heywood cases and smoothing). ``statistics=False``
    leaves out the fit statistics that need the number of respondents (``fit`` and
    ``general_fit``: chi2, p value, RMSEA and its interval, found by root finding, TLI,
    BIC are NaN), for a caller reading only the coefficients, which do not depend on them."""
    items = [str(c) for c in matrix.columns]
    if len(items) < 3:
        raise AnalysisError(f"omega needs at least 3 items, got {len(items)}")
    r = matrix.to_numpy(dtype=float)
    n_fit = n_used if statistics else None
    pattern, phi, general, orthogonal, fit = _schmid(r, n_factors, n_fit, items, warn)
    g = pattern @ general
    communality = np.sum(orthogonal**2, axis=1)
    group = np.sign(pattern) * np.sqrt(np.clip(pattern**2 * (1 - general**2), 0, None))
    key = np.where(g < 0, -1.0, 1.0)
    flipped = tuple(item for item, sign in zip(items, key, strict=True) if sign < 0)
    if flipped:
        _note(warn, "items with a negative general-factor loading were reversed: "
                    + ", ".join(flipped))
    r = r * np.outer(key, key)
    g, group = g * key, group * key[:, None]
    uniqueness = np.diag(r) - communality
    total = r.sum()
    explained = total - uniqueness.sum()
    k = len(items)
    factor_names = [f"F{j + 1}*" for j in range(n_factors)]
    schmid = pd.DataFrame(group, index=matrix.columns, columns=factor_names)
    schmid.insert(0, "g", g)
    schmid["h2"], schmid["u2"], schmid["p2"] = communality, uniqueness, g**2 / communality
    schmid.index.name = "item"
    loadings = schmid[["g", *factor_names]].to_numpy()
    squares = np.sum(loadings**2, axis=0)
    names = [f"F{j + 1}" for j in range(n_factors)]
    return OmegaResult(
        omega_h=float(g.sum() ** 2 / total), omega_total=float(explained / total),
        omega_limit=float(g.sum() ** 2 / explained), schmid=schmid,
        phi=None if n_factors == 1 else pd.DataFrame(phi, index=names, columns=names),
        n_factors=n_factors, flipped_items=flipped, cor=cor,
        alpha=float((total - np.trace(r)) / total * k / (k - 1)),
        g6=float((total + squared_multiple_correlations(r).sum() - np.trace(r)) / total),
        ecv=float(squares[0] / squares.sum()),
        general_loadings=pd.Series(general, index=factor_names, name="g"),
        groups=_omega_groups(r, g, group, factor_names, explained / total),
        fit=fit.fit,
        general_fit=fit_statistics(r, g[:, None], None, n_fit),
        score_r2=pd.Series(score_r2(r, loadings, None), index=["g", *factor_names],
                           name="R2"),
        n_obs=n_used,
    )


def _omega_groups(r: np.ndarray, g: np.ndarray, group: np.ndarray, names: list[str],
                  omega_total: float) -> pd.DataFrame:
    """psych's ``omega.group``: omega total, general and group of the total score and of
    the items loading most on each group factor."""
    main = np.abs(group).argmax(axis=1)
    rows = {"g": (omega_total, g.sum() ** 2 / r.sum(), np.nan)}
    group_squares = 0.0
    for j, name in enumerate(names):
        members = np.flatnonzero(main == j)
        if members.size == 0:
            rows[name] = (np.nan, np.nan, np.nan)
            continue
        variance = r[np.ix_(members, members)].sum()
        own = group[members, j].sum() ** 2
        general = g[members].sum() ** 2
        group_squares += own
        rows[name] = ((own + general) / variance, general / variance, own / variance)
    rows["g"] = (omega_total, rows["g"][1], group_squares / r.sum())
    return pd.DataFrame.from_dict(rows, orient="index", columns=["total", "general", "group"])
