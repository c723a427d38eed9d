"""Reliability of a drafted scale: every facet, dimension and total, and test-retest.

The Scale-aware layer over the generic coefficients of
:mod:`alliance_scale.psychometrics` (alpha with its CIs, item statistics, omega): it reads
the scale's keys (facets, dimensions, total, reverse-keyed items) and response range, and
puts one row per subscale in a table. Test-retest matches respondents by id, scores both
occasions with :func:`alliance_scale.score_items` and computes ICC(A,1) (as ``psych::ICC``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from .._checks import (
    as_item_frame,
    check_frame,
    check_instance,
    check_share,
    respondent_count,
)
from .._results import Result, result
from .._warn import warn_user
from ..errors import AllianceScaleWarning, AnalysisError
from ..fielding._responses import index_by_id
from ..fielding._scoring import score_items
from ..instrument._scale import Scale
from ..psychometrics._correlation._correlation import (
    _fit_polychoric,
    _PolychoricFit,
    correlation_kind,
)
from ..psychometrics._keys import reverse_codes, reverse_keyed, split_keyed
from ..psychometrics._reliability._icc import icc_forms
from ..psychometrics._reliability._reliability import (
    AlphaResult,
    _alpha_result,
    _correlation_input,
    _item_distribution,
    _omega_matrix,
    _schmid_omega,
    _use_rows,
)

__all__ = ["ReliabilityResult", "TestRetestResult", "reliability", "test_retest"]

#: Interpretation thresholds of alpha (COSMIN floor for group comparisons; redundancy).
_ALPHA_FLOOR = 0.70
_ALPHA_REDUNDANT = 0.95
_AVERAGE_R_REDUNDANT = 0.50


def _interpret_alpha(alpha: float, average_r: float) -> str:
    """Label alpha against COSMIN's .70 floor and the .95 redundancy bound.

    Above .95, redundancy is suggested only when the average inter-item correlation also
    exceeds .50 (Clark & Watson 1995, who recommend .15-.50); otherwise alpha is high
    because the subscale is long, and the label says so.
    """
    if not np.isfinite(alpha):
        return ""
    if alpha < _ALPHA_FLOOR:
        return "below .70"
    if alpha > _ALPHA_REDUNDANT:
        if average_r > _AVERAGE_R_REDUNDANT:
            return "above .95: redundant items?"
        return f"above .95 from length (average r {average_r:.2f})"
    return "adequate"


def _subscales(scale: Scale) -> list[tuple[str, str, list[str], list[str], int]]:
    """(name, level, item ids, reverse-keyed item ids, number of child groups) per key.

    The one place where a psych-style key (``"-"`` for reverse-keyed) is split.
    """
    facets = {i.facet for i in scale.items}
    dimensions = {i.dimension for i in scale.items}
    rows = []
    for name, keyed in scale.keys.items():
        signed = [split_keyed(k) for k in keyed]
        ids = [item for item, _ in signed]
        reversed_ids = [item for item, sign in signed if sign < 0]
        chosen = [i for i in scale.items if i.id in ids]
        if name == "total":
            level, groups = "total", len({i.dimension for i in chosen})
        elif name in facets:
            level, groups = "facet", 1
        elif name in dimensions:
            level, groups = "dimension", len({i.facet for i in chosen})
        else:
            level, groups = "other", 1
        rows.append((name, level, ids, reversed_ids, groups))
    return rows


@contextmanager
def _about(name: str, level: str) -> Iterator[None]:
    """Re-issue the warnings of one subscale's analyses naming the subscale, at the user's
    line (a Heywood case in an omega fit says which facet or dimension it is about)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for caught_warning in caught:
        message = str(caught_warning.message)
        if issubclass(caught_warning.category, AllianceScaleWarning):
            message = f"subscale {name!r} ({level}): {message}"
        warn_user(message, caught_warning.category)


def _omega_row(
    frame: pd.DataFrame, correlation: np.ndarray | None, groups: int, cor: str
) -> tuple[float, float]:
    """omega_total and omega_h of a subscale (see :func:`reliability`).

    ``frame`` holds the subscale's keyed answers (its respondents) and ``correlation``
    its polychoric matrix when already computed (None: computed here). omega's own notes
    are silenced (the table says which omegas exist); Heywood and smoothing warnings of
    the factor analysis are not.
    """
    k = frame.shape[1]
    if k < 3:
        return np.nan, np.nan
    n_factors = groups if 2 <= groups and 2 * groups < k else 1
    try:
        if correlation is None:
            matrix = _omega_matrix(frame, cor)
        else:
            matrix = pd.DataFrame(correlation, index=frame.columns, columns=frame.columns)
        fit = _schmid_omega(matrix, n_factors, respondent_count(frame), cor, warn=False,
                            statistics=False)  # the omegas only: no chi2, no RMSEA
    except AnalysisError as error:
        warn_user(f"omega not computed: {error}", AllianceScaleWarning)
        return np.nan, np.nan
    omega_h = fit.omega_h if n_factors >= 3 else np.nan
    return fit.omega_total, omega_h


@result
class ReliabilityResult(Result):
    """Reliability of every facet, dimension and the total of a scale (one row each).

    Attributes
    ----------
    table : DataFrame
        Indexed by subscale: ``level``, ``k``, ``n``, ``alpha``, ``ci_lower``,
        ``ci_upper`` (Feldt 95%), ``std_alpha``, ``g6``, ``average_r``, ``omega_total``,
        ``omega_h``, ``interpretation``. This is ``to_frame()``.
    items : DataFrame
        Tidy item statistics: one row per (subscale, item), subscales in the order of
        ``table`` and items in the order of the scale's keys, with columns ``subscale``,
        ``level``, ``item``, ``reversed`` (reverse-keyed in that subscale's key), ``n``
        (answers), ``mean``, ``sd`` and ``skew`` (of the item as scored in the subscale,
        i.e. after reversal ``min + max - x``, as psych::alpha's item statistics; skew as
        psych::describe type 3), ``floor`` and ``ceiling`` (shares of the answers as given,
        before reversal, equal to the scale's lowest / highest response code: what the
        respondent chose; above .15 is a floor or ceiling effect, Terwee et al. 2007),
        ``r_drop`` (corrected item-total r) and ``alpha_if_deleted``, both from
        ``alphas[subscale]`` (NaN for a single-item subscale).
    alphas : dict of str to AlphaResult
        The full alpha result (item tables) of each subscale of 2 or more items.
    cor : str

    Examples
    --------
    >>> pilot, scale = als.load_pilot(), als.draft_scale()
    >>> fit = als.reliability(pilot, scale)
    >>> print(fit.table.loc[["A", "total"], ["k", "alpha", "omega_h"]].round(3))
               k  alpha  omega_h
    subscale
    A         23  0.910      NaN
    total     80  0.957    0.627
    >>> fit.alphas["A1"].reversed_items  # keyed by the scale (psych::alpha(x, keys))
    ()
    """

    table: pd.DataFrame
    alphas: dict[str, AlphaResult]
    items: pd.DataFrame
    cor: str = "pearson"

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def _summary(self) -> dict[str, Any]:
        return {
            "subscales": len(self.table), "correlations": self.cor,
            "item statistics": f".items ({len(self.items)} rows: subscale x item, "
                               "with mean, sd, skew, floor, ceiling, r_drop, alpha_if_deleted)",
        }


#: Columns of :attr:`ReliabilityResult.items`.
_ITEM_COLUMNS = ["subscale", "level", "item", "reversed", "n", "mean", "sd", "skew", "floor",
                 "ceiling", "r_drop", "alpha_if_deleted"]


def _subscale_items(
    name: str,
    level: str,
    ids: Sequence[str],
    reversed_ids: Sequence[str],
    given: pd.DataFrame,
    alpha: AlphaResult | None,
    low: float,
    high: float,
) -> pd.DataFrame:
    """The rows of one subscale in :attr:`ReliabilityResult.items`.

    ``given`` describes the answers as given (:func:`_item_distribution`, computed once per
    item); reversal turns the mean into ``min + max - mean`` and the skew into ``-skew``
    (sd unchanged); r.drop and alpha if deleted are read from the subscale's alpha.
    """
    rows = given.loc[list(ids)]
    reversed_ = np.isin(list(ids), list(reversed_ids))
    frame = pd.DataFrame(
        {
            "subscale": name, "level": level, "item": list(ids), "reversed": reversed_,
            "n": rows["n"].to_numpy(),
            "mean": np.where(reversed_, reverse_codes(rows["mean"], low, high), rows["mean"]),
            "sd": rows["sd"].to_numpy(),
            "skew": np.where(reversed_, -rows["skew"], rows["skew"]),
            "floor": rows["floor"].to_numpy(), "ceiling": rows["ceiling"].to_numpy(),
        }
    )
    for column in ("r_drop", "alpha_if_deleted"):
        frame[column] = np.nan if alpha is None else alpha.items[column].loc[list(ids)].to_numpy()
    return frame


def _subscale_alpha(
    frame: pd.DataFrame, cor: str, keyed_fit: _PolychoricFit | None = None
) -> tuple[AlphaResult, np.ndarray | None]:
    """Alpha (Feldt 95% CI, pairwise) of keyed, checked answers, and the polychoric matrix
    behind it (None for Pearson, whose omega uses pairwise Pearson correlations instead).
    ``keyed_fit`` (:func:`_keyed_polychoric`) gives that matrix as a block of the fit of all
    the keyed items: the same numbers as fitting the subscale alone."""
    used = _use_rows(frame, "pairwise")
    given = None if keyed_fit is None else keyed_fit.correlation(list(frame.columns))[0]
    covariance, correlation = _correlation_input(used, cor, given)
    fit = _alpha_result(used, covariance, correlation, ci="feldt", confidence=0.95,
                        n_boot=1000, seed=None, missing="pairwise", reversed_items=(), cor=cor)
    return fit, correlation if cor == "polychoric" else None


def _keyed_polychoric(
    answers: pd.DataFrame,
    subscales: list[tuple[str, str, list[str], list[str], int]],
    low: float,
    high: float,
) -> _PolychoricFit | None:
    """One polychoric fit of all the subscales' items, each keyed as its subscales key it.

    A pair's polychoric correlation depends on that pair's answers alone (see
    ``_PolychoricFit``), so each subscale's matrix is a block of this fit, bit for bit what
    fitting the subscale alone gives, and the pairs shared by a facet, its dimension and
    the total are fitted once. None when the items cannot be fitted together (an item keyed
    both ways, bad answers, too many categories over all the items): each subscale is then
    fitted on its own, and refused for what is wrong with it.
    """
    reverse: dict[str, bool] = {}
    for _, _, ids, reversed_ids, _ in subscales:
        for item in ids:
            if reverse.setdefault(item, item in reversed_ids) != (item in reversed_ids):
                return None
    items = list(reverse)
    keyed = reverse_keyed(answers[items], [i for i in items if reverse[i]], low, high)
    try:
        return _fit_polychoric(as_item_frame(keyed))
    except AnalysisError:
        return None


def reliability(
    responses: pd.DataFrame, scale: Scale, *, cor: str = "pearson"
) -> ReliabilityResult:
    """Alpha (Feldt 95% CI), lambda 6, mean r and omega of each subscale of ``scale``.

    Reverse-keyed items are scored ``scale.min_value + scale.max_value - x``. Omega:
    ``omega_total`` for every subscale of 3 or more items; for a facet from a 1-factor
    model; for a dimension (or the total) from a Schmid-Leiman solution with one group
    factor per facet (per dimension) when it has 2 or more and more than twice as many
    items, else from a 1-factor model. ``omega_h`` is given only where there are 3 or more
    group factors (with 2, g is not identified); NaN otherwise. Interpretation of alpha:
    below .70 (the usual floor for group comparisons, COSMIN), adequate, above .95
    (possibly redundant items).

    One correlation matrix per subscale serves both alpha and omega (computed once; the
    polychoric matrices are blocks of one fit of all the keyed items, the same numbers as
    fitting each subscale alone, for a fraction of the time). ``n``
    counts the respondents with at least one answer to the subscale (psych counts every
    row, fully empty ones too: a deliberate difference, see
    :func:`alliance_scale._checks.respondent_count`). omega's own notes (one or two group
    factors, items reversed on g) are not repeated here; warnings of its factor analysis
    (Heywood cases, smoothing) are.

    The item statistics of every subscale come as one tidy table,
    :attr:`ReliabilityResult.items` (one row per subscale and item: mean, sd and skew of
    the scored item, floor and ceiling of the answers as given, r.drop and alpha if
    deleted from that subscale's alpha).

    Parameters
    ----------
    responses : DataFrame
        One row per respondent with a column per item id of ``scale`` (others ignored).
    scale : Scale
        Gives the items, keys and response range.
    cor : {"pearson", "polychoric"}, default "pearson"
        Polychoric gives ordinal alpha and omega.

    Returns
    -------
    ReliabilityResult
        ``table`` (one row per subscale, also ``to_frame()``), ``items`` (one row per
        subscale and item) and ``alphas``.

    Raises
    ------
    AnalysisError
        An item of the scale missing from ``responses``, or bad item data (named).

    Examples
    --------
    >>> pilot = als.load_pilot()  # SYNTHETIC
    >>> result = als.reliability(pilot, als.draft_scale())
    >>> # In R: psych::alpha(keyed items of each facet, dimension and the total)
    >>> columns = ["k", "n", "alpha", "omega_total"]
    >>> print(result.table.loc[["A", "B", "C", "total"], columns].round(3))
               k    n  alpha  omega_total
    subscale
    A         23  320  0.910        0.922
    B         32  320  0.934        0.948
    C         25  320  0.915        0.935
    total     80  320  0.957        0.963
    """
    check_frame("responses", responses)
    check_instance("scale", scale, Scale, "see draft_scale")
    cor = correlation_kind(cor)
    absent = [i for i in scale.item_ids if i not in responses.columns]
    if absent:
        raise AnalysisError(
            f"{len(absent)} item(s) of the scale are not in the responses", column=absent[0]
        )
    low, high = scale.min_value, scale.max_value
    answers = as_item_frame(responses[list(scale.item_ids)], min_items=1)
    given = _item_distribution(answers, low, high)
    subscales = _subscales(scale)
    keyed_fit = _keyed_polychoric(answers, subscales, low, high) if cor == "polychoric" else None
    rows, alphas, item_rows = [], {}, []
    for name, level, ids, reversed_ids, groups in subscales:
        frame = reverse_keyed(answers[ids], reversed_ids, low, high)
        row: dict[str, Any] = {"subscale": name, "level": level, "k": len(ids)}
        if len(ids) >= 2:
            with _about(name, level):
                fit, correlation = _subscale_alpha(frame, cor, keyed_fit)
                omega_total, omega_h = _omega_row(frame, correlation, groups, cor)
            alphas[name] = fit
            row.update(
                n=fit.n_obs, alpha=fit.alpha, ci_lower=fit.ci[0], ci_upper=fit.ci[1],
                std_alpha=fit.std_alpha, g6=fit.g6, average_r=fit.average_r,
                omega_total=omega_total, omega_h=omega_h,
                interpretation=_interpret_alpha(fit.alpha, fit.average_r),
            )
        else:
            row.update(n=respondent_count(frame), interpretation="single item")
        rows.append(row)
        item_rows.append(_subscale_items(name, level, ids, reversed_ids, given, alphas.get(name),
                                         low, high))
    columns = ["level", "k", "n", "alpha", "ci_lower", "ci_upper", "std_alpha", "g6",
               "average_r", "omega_total", "omega_h", "interpretation"]
    table = pd.DataFrame(rows).set_index("subscale").reindex(columns=columns)
    items = pd.concat(item_rows, ignore_index=True).reindex(columns=_ITEM_COLUMNS)
    return ReliabilityResult(table=table, alphas=alphas, cor=cor, items=items)


# --------------------------------------------------------------------------- retest


def _koo_li(icc: float) -> str:
    """Koo & Li (2016) label of an ICC."""
    if not np.isfinite(icc):
        return ""
    if icc < 0.5:
        return "poor"
    if icc < 0.75:
        return "moderate"
    if icc <= 0.9:
        return "good"
    return "excellent"


@result
class TestRetestResult(Result):
    """Test-retest ICC of each subscale.

    Attributes
    ----------
    table : DataFrame
        Indexed by subscale: ``level``, ``n_pairs`` (respondents scored at both
        occasions), ``icc``, ``ci_lower``, ``ci_upper`` (95%), ``F``, ``df1``, ``df2``,
        ``p_value``, ``label`` (Koo & Li 2016).
    icc_type : str
        ``"ICC(A,1)"``: two-way random effects, absolute agreement, single measurement
        (Shrout & Fleiss ICC(2,1); McGraw & Wong ICC(A,1)), as psych::ICC's ICC2.
    n_first, n_second, n_matched : int
        Respondents at each occasion and present at both.
    unmatched : tuple
        Respondent ids present at one occasion only.

    Examples
    --------
    >>> scale = als.draft_scale()
    >>> first = als.simulate(scale, 200, seed=1)
    >>> fit = als.test_retest(first.items, als.simulate_retest(first, 100, seed=2).items, scale)
    >>> fit.icc_type, fit.n_first, fit.n_second, fit.n_matched
    ('ICC(A,1)', 200, 100, 100)
    """

    __test__ = False  # not a pytest test class despite its name

    table: pd.DataFrame
    icc_type: str
    n_first: int
    n_second: int
    n_matched: int
    unmatched: tuple[Any, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def _summary(self) -> dict[str, Any]:
        return {
            "ICC": self.icc_type + " two-way random, absolute agreement, single measures",
            "respondents (first, second, both)": f"{self.n_first}, {self.n_second}, "
                                                 f"{self.n_matched}",
        }


def _intraclass_correlation(scores: np.ndarray, confidence: float = 0.95) -> dict[str, Any]:
    """ICC(A,1) of an n x k table of scores (k occasions), with its F test and CI: the
    ``ICC2`` row of :func:`~alliance_scale.icc` (two-way random effects, absolute
    agreement, single measurement; McGraw & Wong's approximate interval, as psych::ICC)."""
    row = icc_forms(scores, confidence).loc["Single_random_raters"]
    return {"icc": float(row["icc"]), "ci_lower": float(row["ci_lower"]),
            "ci_upper": float(row["ci_upper"]), "F": float(row["F"]), "df1": int(row["df1"]),
            "df2": int(row["df2"]), "p_value": float(row["p"])}


def test_retest(
    first: pd.DataFrame,
    second: pd.DataFrame,
    scale: Scale,
    *,
    id_column: str | bool | None = None,
    min_answered: float = 0.8,
) -> TestRetestResult:
    """Test-retest reliability: ICC(A,1) of each facet, dimension and total score.

    Scores are means of the keyed items (:func:`alliance_scale.score_items`, reversal
    ``min + max - x``, prorated when at least ``min_answered`` of the items are
    answered). Respondents are matched by id; the ICC is two-way random effects,
    absolute agreement, single measurement (ICC(A,1) = Shrout & Fleiss ICC(2,1)), the
    usual choice for test-retest (Koo & Li 2016), with its 95% CI (McGraw & Wong 1996):
    psych::ICC's ICC2 and pingouin.intraclass_corr's ICC2, at full precision.

    Parameters
    ----------
    first, second : DataFrame
        Responses at the two occasions, a column per item id of ``scale``.
    scale : Scale
        Gives the keys (facets, dimensions, total, reverse-keyed items) and the response
        range.
    id_column : str, False or None, default None
        Column holding the respondent id, as in :func:`alliance_scale.read_responses`:
        None looks for a usual id column (``respondent``, ``participant``, ``id``...,
        :data:`alliance_scale.fielding._read_common.ID_COLUMN_NAMES`) and uses the index
        when there is none; False uses the index.
    min_answered : float, default 0.8
        Smallest share of a subscale's items answered for a score (else unscored).

    Returns
    -------
    TestRetestResult

    Raises
    ------
    ResponseError
        Missing id column, repeated ids, items absent or out of range.
    AnalysisError
        Fewer than 3 matched respondents.

    Examples
    --------
    >>> scale = als.draft_scale()
    >>> first = als.simulate(scale, 200, seed=1)
    >>> second = als.simulate_retest(first, 100, seed=2)
    >>> fit = als.test_retest(first.items, second.items, scale)  # psych::ICC(...)$results[2, ]
    >>> print(fit.to_frame()[["n_pairs", "icc", "label"]].round(2).loc[["A", "total"]])
              n_pairs   icc label
    subscale
    A             100  0.84  good
    total         100  0.85  good
    """

    check_frame("first", first)
    check_frame("second", second)
    check_instance("scale", scale, Scale, "see draft_scale")
    check_share("min_answered", min_answered)
    first = index_by_id(first, id_column, "first")
    second = index_by_id(second, id_column, "second")
    matched = first.index.intersection(second.index, sort=False)
    unmatched = tuple(first.index.symmetric_difference(second.index))
    if len(matched) < 3:
        raise AnalysisError(
            f"only {len(matched)} respondent(s) are in both administrations; at least 3 needed"
        )
    keys = scale.keys
    scored = [
        score_items(frame.loc[matched], keys, min_value=scale.min_value,
                    max_value=scale.max_value, min_answered=min_answered)[list(keys)]
        for frame in (first, second)
    ]
    levels = {name: level for name, level, *_ in _subscales(scale)}
    rows = []
    for name in keys:
        pairs = pd.DataFrame({"first": scored[0][name], "second": scored[1][name]}).dropna()
        row: dict[str, Any] = {"subscale": name, "level": levels[name], "n_pairs": len(pairs)}
        if len(pairs) >= 3:
            icc = _intraclass_correlation(pairs.to_numpy(dtype=float))
            row.update(icc, label=_koo_li(icc["icc"]))
        rows.append(row)
    columns = ["level", "n_pairs", "icc", "ci_lower", "ci_upper", "F", "df1", "df2",
               "p_value", "label"]
    table = pd.DataFrame(rows).set_index("subscale").reindex(columns=columns)
    return TestRetestResult(
        table=table, icc_type="ICC(A,1)", n_first=len(first), n_second=len(second),
        n_matched=len(matched), unmatched=unmatched,
    )

test_retest.__test__ = False  # type: ignore[attr-defined]  # a function, not a pytest test
