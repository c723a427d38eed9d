"""Convergent validity: DTA scores against a WAI-style Bordin criterion, hypotheses tested.

:func:`convergent_validity` correlates every DTA subscale with every criterion subscale
(``psych::corr.test(x, y)``: r, Fisher-z interval, p adjusted within the table), corrects
each r for attenuation (``psych::correct.cor``), and checks the pre-registered hypotheses
(:mod:`._hypotheses`; by default the blueprint's) one by one: each gets a verdict with the
numbers behind it, and a comparison of two correlations gets the test of two dependent
correlations (``psych::r.test``) and Zou's (2007) interval of their difference. The COSMIN
summary follows: the share of testable hypotheses confirmed against the 75% rule (Terwee
et al. 2007; Prinsen et al. 2018).

**Confirmation rule** (``rule="interval"``, the default): a hypothesis is *confirmed* when
its estimate lies on the hypothesised side AND its confidence interval excludes the boundary
(the interval of the difference excludes 0; for a threshold, the interval of r lies wholly
beyond the threshold). An estimate on the hypothesised side whose interval still reaches the
boundary is "in the hypothesised direction, not supported by its interval", counted apart and
not as confirmed; COSMIN's 75% rule is applied to the confirmed ones. ``rule="estimate"``
reads the estimates only, as COSMIN's wording allows ("the result is in accordance with the
hypothesis"). The numerics are :mod:`alliance_scale.psychometrics._correlation._correlation_tests`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_choice, check_number
from .._results import Result, result
from ..errors import OptionError
from ..instrument._blueprint import Blueprint
from ..psychometrics._correlation._correlation_tests import (
    ADJUST_METHODS,
    CORRELATION_METHODS,
    adjust_p,
    correlation_t_test,
    disattenuate,
    disjoint_correlation,
    fisher_interval,
    fisher_z_test,
    overlap_correlation,
    steiger_z,
    williams_t,
    zou_interval,
)
from ._criterion import MIN_N, MatchedScores, check_pair_counts, correlations, match_scores
from ._hypotheses import Hypothesis, collect_hypotheses, with_criterion_names

__all__ = ["ConvergentValidityResult", "convergent_validity"]

#: COSMIN's rule: at least 75% of the hypotheses confirmed (Terwee et al. 2007).
COSMIN_SHARE = 0.75
#: Rules for confirming a hypothesis: estimate and interval, or the estimate only.
RULES = ("interval", "estimate")
#: The verdict of an estimate on the hypothesised side whose interval reaches the boundary.
DIRECTION_ONLY = "in the hypothesised direction, not supported by its interval"

_TABLE_COLUMNS = ["n", "r", "ci_lower", "ci_upper", "t", "p", "p_adjusted",
                  "reliability_subscale", "reliability_criterion", "r_disattenuated",
                  "hypothesised"]
_HYPOTHESIS_COLUMNS = ["hypothesis", "kind", "source", "r", "versus", "difference",
                       "ci_lower", "ci_upper", "n", "test", "statistic", "df", "p",
                       "p_adjusted", "ci_supports", "verdict", "reason"]


@result
class ConvergentValidityResult(Result):
    """Correlations of DTA subscales with criterion subscales and the hypotheses' verdicts.

    Attributes
    ----------
    table : DataFrame
        One row per (subscale, criterion) pair (MultiIndex, scores' columns in order, then
        criteria): ``n`` (respondents with both values), ``r``, ``ci_lower``, ``ci_upper``
        (Fisher z; Bonett-Wright for Spearman), ``t``, ``p`` (``psych::corr.test``),
        ``p_adjusted`` (within the table, ``adjust``), ``reliability_subscale``,
        ``reliability_criterion``, ``r_disattenuated`` (NaN when a reliability is unknown)
        and ``hypothesised`` (a hypothesis predicts the pair high). This is ``to_frame()``.
    hypotheses : DataFrame
        One row per hypothesis (index its id): ``hypothesis`` (text), ``kind``
        (comparison / threshold), ``source`` (blueprint / user), ``r`` (the left
        correlation), ``versus`` (the other correlation, or the threshold), ``difference``
        (``r - versus``), ``ci_lower`` and ``ci_upper`` (interval of the difference: Zou
        2007 for a comparison; the r interval minus the threshold for a threshold), ``n``,
        ``test``, ``statistic``, ``df``, ``p`` (two-sided), ``p_adjusted`` (within the
        hypotheses, ``adjust``), ``ci_supports`` (the whole interval lies on the predicted
        side of 0), ``verdict`` ("confirmed", "in the hypothesised direction, not supported
        by its interval", "not confirmed", "not testable"; see ``rule``) and ``reason``
        (why not testable).
    confirmed, testable : int
        Hypotheses confirmed, and testable.
    direction_only : int
        Hypotheses whose estimate is on the hypothesised side but whose interval reaches
        the boundary (0 with ``rule="estimate"``, which confirms them).
    rule : {"interval", "estimate"}
        The confirmation rule applied (see :func:`convergent_validity`).
    share : float
        ``confirmed / testable`` (NaN when none is testable).
    meets_cosmin : bool
        ``share >= .75``.
    conclusion : str
        The COSMIN summary in words.
    method : {"pearson", "spearman"}
    confidence : float
    adjust : str
    n : int
        Respondents (rows of the matched tables).
    criterion_columns : dict
        Criterion subscale -> the column it was read from (or how it was computed).
    notes : tuple of str
        How the criterion was scored and its total formed.
    left_out : tuple of str
        Ids of the criterion's respondents left out because ``score(..., keep=...)`` left
        them out of the scores (e.g. incomplete responses); empty otherwise.

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> scores = als.score(pilot, als.draft_scale())
    >>> result = als.convergent_validity(scores, pilot[["wai_goal", "wai_task", "wai_bond"]],
    ...                                  hypotheses=["C ~ bond > C ~ task", "A ~ bond >= .60"])
    >>> result.confirmed, result.testable, result.meets_cosmin
    (1, 2, False)
    >>> result.r.loc["C"].round(3).tolist()  # In R: psych::corr.test(scores, wai)$r
    [0.623, 0.474, 0.677, 0.72]
    """

    table: pd.DataFrame
    hypotheses: pd.DataFrame
    confirmed: int
    testable: int
    share: float
    meets_cosmin: bool
    conclusion: str
    method: str
    confidence: float
    adjust: str
    n_obs: int
    criterion_columns: dict[str, str]
    notes: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()
    direction_only: int = 0
    rule: str = "interval"

    _digits = 3

    @property
    def r(self) -> pd.DataFrame:
        """Subscales x criteria correlation matrix."""
        return self.table["r"].unstack().loc[self.table.index.unique(0),
                                             self.table.index.unique(1)]

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def _summary(self) -> dict[str, Any]:
        lines: dict[str, Any] = {"COSMIN": self.conclusion, "respondents": self.n_obs}
        if self.left_out:
            shown = ", ".join(self.left_out[:10]) + (" ..." if len(self.left_out) > 10 else "")
            lines["respondents"] = (f"{self.n_obs} ({len(self.left_out)} left out, as "
                                    f"score(keep=) left them out: {shown})")
        lines["correlations"] = (
            f"{self.method}, {self.confidence:.0%} intervals "
            f"({'Bonett-Wright' if self.method == 'spearman' else 'Fisher z'}), "
            f"p adjusted ({self.adjust}) over {len(self.table)} pairs")
        if self.notes:
            lines["notes"] = "; ".join(self.notes)
        for label, row in self.hypotheses.iterrows():
            lines[str(label)] = _in_words(row, self.confidence)
        return lines


def _p_text(p: float) -> str:
    return "p < .001" if p < 0.001 else f"p = {p:.3f}"


def _in_words(row: pd.Series, confidence: float) -> str:
    """One hypothesis, its verdict and the numbers behind it, in a line."""
    if row["verdict"] == "not testable":
        return f"{row['hypothesis']}: not testable ({row['reason']})"
    level = f"{confidence:.0%} CI"
    if row["kind"] == "threshold":
        return (f"{row['hypothesis']}: {row['verdict']} (r = {row['r']:.3f}, {level} "
                f"{row['ci_lower'] + row['versus']:.3f} to {row['ci_upper'] + row['versus']:.3f}"
                f"; n = {int(row['n'])})")
    return (f"{row['hypothesis']}: {row['verdict']} ({row['r']:.3f} vs {row['versus']:.3f}, "
            f"difference {row['difference']:.3f}, {level} {row['ci_lower']:.3f} to "
            f"{row['ci_upper']:.3f}; {row['test']} = {row['statistic']:.2f}, "
            f"{_p_text(row['p'])}; n = {int(row['n'])})")


def _check_names(hypothesis: Hypothesis, scores: Sequence[str],
                 criteria: Sequence[str]) -> str | None:
    """Why the hypothesis names something absent (None if all present); a user's hypothesis
    naming an unknown subscale is refused."""
    for subscale, criterion in hypothesis.pairs:
        for name, known, what in ((subscale, scores, "subscale"),
                                  (criterion, criteria, "criterion subscale")):
            if name in known:
                continue
            if hypothesis.source == "user":
                raise OptionError(
                    f"hypothesis {hypothesis.id} ({hypothesis.text!r}) names {what} {name!r}, "
                    f"which is not among the {what}s: {', '.join(map(str, known))}")
            return f"{what} {name} not in the data"
    return None


def _complete_correlations(columns: list[np.ndarray], method: str) -> tuple[np.ndarray, int]:
    """Correlation matrix of the given columns on the rows complete on all of them."""
    values = np.column_stack(columns)
    values = values[~np.isnan(values).any(axis=1)]
    if len(values) < MIN_N:
        return np.full((len(columns),) * 2, np.nan), len(values)
    if method == "spearman":
        from scipy import stats

        values = stats.rankdata(values, axis=0)
    return np.corrcoef(values, rowvar=False), len(values)


def _comparison(
    hypothesis: Hypothesis, data: MatchedScores, method: str, confidence: float
) -> dict[str, Any]:
    """Test of two dependent correlations and Zou's interval of their difference."""
    (s1, c1), (s2, c2) = hypothesis.left, hypothesis.right  # type: ignore[misc]
    column = {("s", s): data.scores[s].to_numpy() for s in (s1, s2)}
    column |= {("c", c): data.criterion[c].to_numpy() for c in (c1, c2)}
    if s1 == s2 or c1 == c2:
        # 1 = the shared variable, 2 and 3 the other ends of the left and right pairs
        shared = ("s", s1) if s1 == s2 else ("c", c1)
        ends = [("c", c1), ("c", c2)] if s1 == s2 else [("s", s1), ("s", s2)]
        matrix, n = _complete_correlations([column[shared], *(column[e] for e in ends)],
                                           method)
        r12, r13, r23 = matrix[0, 1], matrix[0, 2], matrix[1, 2]
        if n < MIN_N:
            return {"n": n, "reason": f"{n} respondents complete on its variables"}
        statistic, df, p = williams_t(r12, r13, r23, n)
        ci = zou_interval(r12, r13, overlap_correlation(r12, r13, r23), n, confidence, method)
        test = "Williams's t"
        left, right = r12, r13
    else:
        matrix, n = _complete_correlations(
            [column[("s", s1)], column[("c", c1)], column[("s", s2)], column[("c", c2)]],
            method)
        if n < MIN_N:
            return {"n": n, "reason": f"{n} respondents complete on its variables"}
        r12, r34 = matrix[0, 1], matrix[2, 3]
        r13, r14, r23, r24 = matrix[0, 2], matrix[0, 3], matrix[1, 2], matrix[1, 3]
        statistic, p = steiger_z(r12, r34, r13, r14, r23, r24, n)
        df = np.nan
        ci = zou_interval(r12, r34, disjoint_correlation(r12, r34, r13, r14, r23, r24), n,
                          confidence, method)
        test = "Steiger's z"
        left, right = r12, r34
    return {"r": left, "versus": right, "difference": left - right, "ci_lower": ci[0],
            "ci_upper": ci[1], "n": n, "test": test, "statistic": statistic, "df": df, "p": p}


def _threshold(
    hypothesis: Hypothesis, table: pd.DataFrame, method: str
) -> dict[str, Any]:
    """A correlation against a number: the table's r and interval, Fisher's z test."""
    row = table.loc[hypothesis.left]
    threshold = float(hypothesis.right)  # type: ignore[arg-type]
    statistic, p = fisher_z_test(row["r"], threshold, row["n"], method)
    return {"r": row["r"], "versus": threshold, "difference": row["r"] - threshold,
            "ci_lower": row["ci_lower"] - threshold, "ci_upper": row["ci_upper"] - threshold,
            "n": int(row["n"]), "test": "Fisher's z", "statistic": float(statistic),
            "df": np.nan, "p": float(p)}


def _evaluate(
    hypotheses: list[Hypothesis], data: MatchedScores, table: pd.DataFrame, method: str,
    confidence: float, adjust: str, rule: str = "interval",
) -> pd.DataFrame:
    rows = []
    for h in hypotheses:
        row: dict[str, Any] = {"id": h.id, "hypothesis": h.text, "kind": h.kind,
                               "source": h.source, "reason": ""}
        absent = _check_names(h, list(data.scores.columns), list(data.criterion.columns))
        if absent is not None:
            row |= {"verdict": "not testable", "reason": absent}
        else:
            numbers = (_threshold(h, table, method) if h.kind == "threshold"
                       else _comparison(h, data, method, confidence))
            row |= numbers
            if "reason" in numbers or not np.isfinite(numbers["r"]):
                row["verdict"] = "not testable"
            else:
                larger = h.relation in (">", ">=")
                row["ci_supports"] = bool(numbers["ci_lower"] > 0 if larger
                                          else numbers["ci_upper"] < 0)
                row["verdict"] = _verdict(h.holds(numbers["r"], numbers["versus"]),
                                          row["ci_supports"], rule)
        rows.append(row)
    frame = pd.DataFrame(rows).set_index("id").reindex(columns=_HYPOTHESIS_COLUMNS)
    frame["p_adjusted"] = adjust_p(frame["p"].to_numpy(dtype=float), adjust)
    frame.index.name = "id"
    return frame


def _verdict(direction: bool, interval: bool, rule: str) -> str:
    """The verdict of a testable hypothesis under ``rule`` (see :func:`convergent_validity`)."""
    if not direction:
        return "not confirmed"
    if interval or rule == "estimate":
        return "confirmed"
    return DIRECTION_ONLY


def _correlation_table(
    data: MatchedScores, method: str, confidence: float, adjust: str,
    hypotheses: list[Hypothesis],
) -> pd.DataFrame:
    names_s, names_c = list(data.scores.columns), list(data.criterion.columns)
    k = len(names_s)
    r_all, counts = correlations(
        np.hstack([data.scores.to_numpy(), data.criterion.to_numpy()]), method)
    check_pair_counts(counts, names_s, names_c)
    r = r_all[:k, k:].ravel()
    n = counts[:k, k:].ravel().astype(float)
    lower, upper = fisher_interval(r, n, confidence, method)
    t, p = correlation_t_test(r, n)
    rel_s = np.repeat(data.score_reliability.to_numpy(), len(names_c))
    rel_c = np.tile(data.criterion_reliability.to_numpy(), k)
    high = {pair for h in hypotheses for pair in h.predicted_high}
    index = pd.MultiIndex.from_product([names_s, names_c], names=["subscale", "criterion"])
    table = pd.DataFrame({
        "n": n.astype(int), "r": r, "ci_lower": lower, "ci_upper": upper, "t": t, "p": p,
        "p_adjusted": adjust_p(p, adjust),
        "reliability_subscale": rel_s, "reliability_criterion": rel_c,
        "r_disattenuated": disattenuate(r, rel_s, rel_c),
        "hypothesised": [pair in high for pair in index],
    }, index=index)
    return table.reindex(columns=_TABLE_COLUMNS)


def _conclusion(confirmed: int, testable: int, untestable: int, direction_only: int = 0,
                rule: str = "interval") -> tuple[float, bool, str]:
    """COSMIN's reading: at least 75% of the testable hypotheses confirmed."""
    extra = (f"; {untestable} hypothesis(es) not testable with these data"
             if untestable else "")
    if direction_only:
        extra = (f"; {direction_only} more in the hypothesised direction but not supported by "
                 "their interval (not counted as confirmed)") + extra
    how = ("confirmed: estimate on the hypothesised side and its interval excluding the "
           "boundary" if rule == "interval" else "confirmed on the estimate only")
    if testable == 0:
        return np.nan, False, "no hypothesis could be tested" + extra
    share = confirmed / testable
    met = 4 * confirmed >= 3 * testable  # exact: share >= .75
    verdict = ("met: sufficient evidence of construct validity" if met else
               "not met: insufficient evidence of construct validity")
    return share, met, (
        f"{confirmed} of {testable} testable hypotheses {how} ({share:.0%}); COSMIN's "
        f"rule (at least 75% confirmed) is {verdict} (Terwee et al. 2007; Prinsen et al. "
        f"2018){extra}")


def convergent_validity(
    scores: Any,
    criterion: pd.DataFrame,
    *,
    hypotheses: Any = None,
    reliabilities: Any = None,
    criterion_reliabilities: Mapping[str, float] | pd.Series | None = None,
    criterion_keys: Mapping[str, Sequence[str]] | None = None,
    criterion_range: tuple[float, float] | None = None,
    method: str = "pearson",
    confidence: float = 0.95,
    adjust: str = "holm",
    id_column: str | bool | None = None,
    blueprint: Blueprint | None = None,
    rule: str = "interval",
) -> ConvergentValidityResult:
    """Convergent validity against WAI-style Bordin scores, with pre-registered hypotheses.

    Every DTA subscale is correlated with every criterion subscale (pairwise-complete
    rows), as ``psych::corr.test(x, y, adjust = adjust)``: r, its interval (Fisher z; for
    Spearman Bonett & Wright's 2000 SE), t and p, p adjusted within the table (the family
    is every pair of the table: pass fewer score columns for a smaller family), and r
    disattenuated, ``r / sqrt(rel_x rel_y)`` (``psych::correct.cor``). Then each hypothesis
    is checked with a test and an interval: for a comparison of two correlations,
    Williams's t (a variable in common) or Steiger's z (none; both ``psych::r.test``, on the
    rows complete on the variables involved) and Zou's (2007) interval of the difference;
    for a threshold, Fisher's z test (with ``method="spearman"`` these tests and Zou's
    interval are applied to the rank correlations, with Bonett & Wright's SE in the
    intervals: a large-sample approximation). Finally COSMIN's summary: the share of testable
    hypotheses confirmed, sufficient when at least 75% (Terwee et al. 2007).

    **Confirmation rule.** With ``rule="interval"`` (default) a hypothesis is "confirmed"
    when its estimate is on the hypothesised side AND its interval excludes the boundary
    (Zou's interval of the difference excludes 0; for a threshold, the interval of r lies
    beyond the threshold); an estimate on the hypothesised side whose interval reaches the
    boundary is "in the hypothesised direction, not supported by its interval", counted in
    ``direction_only`` and not as confirmed; otherwise "not confirmed". With
    ``rule="estimate"`` the estimate alone decides (COSMIN's "in accordance with the
    hypothesis"). COSMIN's 75% applies to the confirmed ones.

    **Hypothesis format** (one per string; ``subscale ~ criterion`` names a correlation,
    the left name a column of ``scores``, the right one a criterion subscale)::

        A ~ task > A ~ bond      # comparison (>, >=, <, <=); the pairs may share a name
        total ~ total >= .50     # threshold: a number in (-1, 1)
        C ~ bond >= .40

    ``hypotheses`` may be None (the blueprint's, :func:`blueprint_hypotheses`: A -> task,
    B -> bond and task, C -> bond, B2b and C3b -> goal, total -> total at r >= .50), one
    string, a list of strings (ids H1, H2...), a mapping id -> string, or the path of a
    YAML file with a key ``hypotheses`` holding such a list or mapping::

        hypotheses:
          H1: "A ~ task > A ~ bond"
          H2: "total ~ total >= .50"

    A user's hypothesis naming an unknown subscale is refused; a blueprint hypothesis
    naming a subscale absent from the data (e.g. a facet omitted for an automated program)
    is "not testable".

    Parameters
    ----------
    scores : ScoreResult or DataFrame
        DTA facet / dimension / total scores (:func:`~alliance_scale.score`), one row per
        respondent, indexed by respondent id (or with an id column, see ``id_column``).
        Scores and criterion are matched by id. The respondents a ScoreResult's
        ``keep=`` left out (``score(responses, scale, keep="complete")``) are left out of
        the criterion as well (``criterion`` may be ``responses[wai columns]``, every
        row): a warning names them and the result keeps them in ``left_out``. Any other
        id in one table only is refused.
    criterion : DataFrame
        WAI-style subscale scores, one row per respondent: columns ``goal``, ``task``,
        ``bond`` (optional ``total``), possibly prefixed (``wai_goal``); other columns are
        further criterion subscales. With ``criterion_keys``: item answers instead. Without
        a total, the criterion total is the mean of goal, task and bond.
    hypotheses : None, str, path, list or mapping, optional
        See above.
    reliabilities : ReliabilityResult, mapping or Series, optional
        Reliabilities of the DTA subscales (e.g. ``als.reliability(responses, scale)``,
        whose alphas are used); unknown ones give NaN disattenuated r.
    criterion_reliabilities : mapping or Series, optional
        Reliabilities of the criterion subscales (computed when ``criterion_keys`` is
        given; a given value wins). A computed total gets the stratified alpha of goal,
        task and bond when their reliabilities are known.
    criterion_keys : mapping of str to list of str, optional
        Criterion subscale -> its items (psych keys: ``"-"`` marks a reverse-keyed item):
        ``criterion`` is then item answers, scored as means (:func:`score_items`) with
        Cronbach's alpha of each subscale; a ``total`` of all the items is added.
    criterion_range : (float, float), optional
        Lowest and highest response code of the criterion items, for reversal; default the
        lowest and highest observed (psych's rule).
    method : {"pearson", "spearman"}, default "pearson"
    confidence : float, default 0.95
        Coverage of every interval.
    adjust : str, default "holm"
        R's ``p.adjust`` method: holm, hochberg, hommel, bonferroni, BH, BY, fdr, none.
    id_column : str, False or None, default None
        Column holding the respondent id in ``scores`` (a DataFrame) and ``criterion``:
        None looks for a usual id column (``respondent``, ``id``...) and else uses the
        index; False uses the index.
    blueprint : Blueprint, optional
        Source of the default hypotheses.
    rule : {"interval", "estimate"}, default "interval"
        How a hypothesis is confirmed (see above).

    Returns
    -------
    ConvergentValidityResult
        ``table`` (``to_frame()``), ``hypotheses``, ``conclusion`` and the counts.

    Raises
    ------
    ResponseError
        Respondent ids repeated, or present in one table only (the ids are named; rows
        are never aligned by position, nor dropped but for the respondents the scores'
        ``keep=`` excluded).
    AnalysisError
        A constant, non-numeric or all-missing column (named), fewer than 4 respondents
        overall or for a pair (named).
    OptionError
        A malformed hypothesis (the string and the token named), a hypothesis naming an
        unknown subscale (named), an unknown ``method`` or ``adjust``, a bad
        ``confidence`` or reliability.

    References
    ----------
    Terwee, C. B., et al. (2007). Quality criteria were proposed for measurement properties
    of health status questionnaires. *Journal of Clinical Epidemiology*, 60, 34-42.
    Prinsen, C. A. C., et al. (2018). COSMIN guideline for systematic reviews of
    patient-reported outcome measures. *Quality of Life Research*, 27, 1147-1157.
    Steiger, J. H. (1980). *Psychological Bulletin*, 87, 245-251. Zou, G. Y. (2007).
    *Psychological Methods*, 12, 399-413. Bonett, D. G., & Wright, T. A. (2000).
    *Psychometrika*, 65, 23-28.

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> scale = als.draft_scale()
    >>> scores = als.score(pilot, scale)
    >>> result = als.convergent_validity(scores, pilot[["wai_goal", "wai_task", "wai_bond"]])
    >>> # In R: psych::corr.test(scores, wai, adjust = "holm")
    >>> result.table.loc[("A", "task"), ["n", "r", "ci_lower", "ci_upper"]].round(3).tolist()
    [320.0, 0.59, 0.514, 0.658]
    >>> print(result.conclusion)
    10 of 12 testable hypotheses confirmed: estimate on the hypothesised side and its ...
    >>> result.hypotheses.loc["H2", ["hypothesis", "verdict"]].tolist()
    ['A ~ task > A ~ bond', 'confirmed']
    """
    check_choice("method", method, CORRELATION_METHODS)
    check_choice("adjust", adjust, ADJUST_METHODS)
    check_choice("rule", rule, RULES)
    confidence = check_number("confidence", confidence, 0, 1, low_open=True, high_open=True)
    listed = collect_hypotheses(hypotheses, blueprint)
    data = match_scores(scores, criterion, reliabilities=reliabilities,
                        criterion_reliabilities=criterion_reliabilities,
                        criterion_keys=criterion_keys, criterion_range=criterion_range,
                        id_column=id_column)
    listed = with_criterion_names(listed, data.criterion_columns)  # wai_bond or bond
    table = _correlation_table(data, method, confidence, adjust, listed)
    checked = _evaluate(listed, data, table, method, confidence, adjust, rule)
    verdicts = checked["verdict"]
    confirmed = int((verdicts == "confirmed").sum())
    direction_only = int((verdicts == DIRECTION_ONLY).sum())
    testable = int((verdicts != "not testable").sum())
    share, met, conclusion = _conclusion(confirmed, testable, len(verdicts) - testable,
                                         direction_only, rule)
    return ConvergentValidityResult(
        table=table, hypotheses=checked, confirmed=confirmed, testable=testable, share=share,
        meets_cosmin=met, conclusion=conclusion, method=method, confidence=confidence,
        adjust=adjust, n_obs=len(data.scores), criterion_columns=data.criterion_columns,
        notes=data.notes, left_out=data.left_out, direction_only=direction_only, rule=rule,
    )

