"""Known-groups validity: do groups that should differ on the DTA differ, and in the
predicted direction?

The blueprint's prediction: leaf themes that need a human or a group behind the program
(``needs_human``: B3a human connection, B3c live interaction, C2 belonging) sit in
dimensions B and C (facets B3 and C2), so respondents of a fully automated program should
score lower there than those of a guided one (the authors' "adhésion thérapeutique";
``../shared/construct.md``). :func:`known_groups` compares two groups on every subscale:
mean difference, Hedges' g with its noncentral t interval, Welch's t test, and whether
the difference goes the predicted way. The numerics are
:mod:`alliance_scale.psychometrics._correlation._correlation_tests` (Welch: scipy).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._checks import as_item_frame, check_number
from .._results import Result, result
from ..errors import AnalysisError, OptionError, ResponseError
from ..fielding._responses import index_by_id
from ..fielding._scoring import ScoreResult
from ..instrument._blueprint import Blueprint, load_blueprint
from ..psychometrics._correlation._correlation_tests import cohen_d, hedges_g, welch_test

__all__ = ["KnownGroupsResult", "known_groups"]

#: The programs of the blueprint's prediction, lower first.
PREDICTED_ORDER = ("automated", "guided")

_PREDICTION = re.compile(r"^\s*(?P<low>[^<>\s]+)\s*<\s*(?P<high>[^<>\s]+)\s*$")


@result
class KnownGroupsResult(Result):
    """Differences between two groups on each subscale, against predictions.

    Attributes
    ----------
    table : DataFrame
        One row per subscale: ``prediction`` (``"low < high"`` or ""), ``group_1``
        (the predicted-low group, else the first group in sorted order), ``group_2``,
        ``n_1``, ``mean_1``, ``sd_1``, ``n_2``, ``mean_2``, ``sd_2``, ``difference``
        (mean_2 - mean_1), ``hedges_g`` with ``ci_lower`` / ``ci_upper`` (noncentral t),
        ``cohen_d`` (``psych::cohen.d``'s effect: the difference over the pooled SD with
        divisor n1 + n2, no small-sample factor) with ``d_ci_lower`` / ``d_ci_upper``
        (``psych::cohen.d.ci``), ``t``, ``df``, ``p`` (Welch, two-sided), ``as_predicted``
        (the difference is positive; NaN without a prediction). This is ``to_frame()``.
    groups : tuple of str
        The two groups, in sorted order.
    as_predicted, predicted : int
        Predictions borne out by the sample means, and predictions made.
    confidence : float

    Examples
    --------
    >>> scores = pd.DataFrame({"B": [3.1, 3.4, 2.9, 3.8, 4.2, 4.0, 4.4, 3.9]})
    >>> program = pd.Series(["automated"] * 4 + ["guided"] * 4)
    >>> result = als.known_groups(scores, program)  # In R: t.test(B ~ program)
    >>> result.as_predicted, result.predicted
    (1, 1)
    >>> print(round(result.table.loc["B", "hedges_g"], 3))
    2.252
    """

    table: pd.DataFrame
    groups: tuple[str, str]
    as_predicted: int
    predicted: int
    confidence: float

    _digits = 3

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def _summary(self) -> dict[str, Any]:
        return {
            "groups": f"{self.groups[0]}, {self.groups[1]}",
            "predictions borne out": (f"{self.as_predicted} of {self.predicted}"
                                      if self.predicted else "no prediction made"),
            "effect size": f"Hedges' g of group 2 - group 1, {self.confidence:.0%} CI "
                           "(noncentral t); Welch's t test",
        }


def blueprint_predictions(blueprint: Blueprint | None = None) -> dict[str, str]:
    """Subscale -> ``"automated < guided"`` for every dimension and facet holding a leaf
    theme that needs a human or a group (with the bundled blueprint: B, B3, C, C2)."""
    blueprint = load_blueprint() if blueprint is None else blueprint
    prediction = f"{PREDICTED_ORDER[0]} < {PREDICTED_ORDER[1]}"
    out = {}
    for dimension in blueprint.dimensions:
        facets = [f for f in dimension.facets if any(t.needs_human for t in f.themes)]
        if facets:
            out[dimension.id] = prediction
            out |= {f.id: prediction for f in facets}
    return out


def _group_labels(scores: pd.DataFrame, groups: Any, id_column: Any) -> pd.Series:
    """The group of each respondent of ``scores``, matched by id (none dropped)."""
    if isinstance(groups, str):
        if groups not in scores.columns:
            raise OptionError(f"groups names {groups!r}, which is not a column of the scores")
        labels = scores[groups]
    else:
        if isinstance(groups, pd.DataFrame) and groups.shape[1] == 1:
            groups = groups.iloc[:, 0]
        if not isinstance(groups, pd.Series):
            raise OptionError("groups must be a Series of group labels indexed by respondent "
                              f"id, or a column name of the scores; got {type(groups).__name__}")
        labels = index_by_id(groups.to_frame(), id_column if id_column is not None else False,
                             "groups").iloc[:, 0]
        only_scores = scores.index.difference(labels.index, sort=False)
        only_groups = labels.index.difference(scores.index, sort=False)
        if len(only_scores) or len(only_groups):
            raise ResponseError(
                "scores and groups do not hold the same respondents (matched by id; none is "
                f"dropped): in scores only: {list(only_scores)[:10]}; in groups only: "
                f"{list(only_groups)[:10]}", rows=[*only_scores, *only_groups])
        labels = labels.loc[scores.index]
    if labels.isna().any():
        raise ResponseError("respondent(s) without a group (never dropped silently)",
                            column=str(labels.name), rows=list(labels.index[labels.isna()]))
    return labels.astype(str)


def _parse_predictions(
    predictions: Mapping[str, str], subscales: list[str], groups: list[str]
) -> dict[str, tuple[str, str]]:
    out = {}
    for subscale, text in predictions.items():
        if subscale not in subscales:
            raise OptionError(f"predictions name {subscale!r}, which is not a subscale of the "
                              f"scores: {', '.join(subscales)}")
        match = _PREDICTION.match(str(text))
        if match is None:
            raise OptionError(f"prediction {text!r} for {subscale!r} must read 'low_group < "
                              "high_group'")
        pair = (match.group("low"), match.group("high"))
        unknown = [g for g in pair if g not in groups]
        if unknown or pair[0] == pair[1]:
            raise OptionError(f"prediction {text!r} for {subscale!r} names group "
                              f"{(unknown or [pair[0]])[0]!r}; the groups are "
                              f"{', '.join(groups)}")
        out[subscale] = pair
    return out


def known_groups(
    scores: Any,
    groups: pd.Series | str,
    *,
    predictions: Mapping[str, str] | None = None,
    confidence: float = 0.95,
    id_column: str | bool | None = None,
    blueprint: Blueprint | None = None,
) -> KnownGroupsResult:
    """Known-groups validity: two groups compared on every subscale, against predictions.

    For each subscale: group sizes, means and SDs (respondents with a score), the mean
    difference, Hedges' g (pooled SD, exact small-sample factor; Hedges 1981) with its
    noncentral t interval (Steiger & Fouladi 1997, as ``psych::cohen.d.ci``, times J), and
    Welch's t test (``t.test(x ~ group)``); with a prediction ``"low < high"``, whether the
    difference goes that way (read on the means; the interval and p say how sure).

    Parameters
    ----------
    scores : ScoreResult or DataFrame
        Subscale scores, one row per respondent (indexed by id, or with an id column).
    groups : Series or str
        The group of each respondent, indexed by respondent id (matched by id: the same
        respondents as ``scores``, none dropped), or the name of a column of ``scores``.
        Exactly two groups.
    predictions : mapping of str to str, optional
        Subscale -> ``"low_group < high_group"``. Default: when the groups are
        ``automated`` and ``guided``, the blueprint's (subscales holding leaf themes that
        need a human or a group, B, B3, C, C2, lower for ``automated``); otherwise none.
    confidence : float, default 0.95
    id_column : str, False or None, default None
        Id column of a ``scores`` DataFrame (None: a usual id column, else the index).
    blueprint : Blueprint, optional
        Source of the default predictions.

    Returns
    -------
    KnownGroupsResult

    Raises
    ------
    ResponseError
        Ids repeated or not matching between ``scores`` and ``groups`` (named), a
        respondent without a group (named).
    AnalysisError
        Not exactly two groups, or a group with fewer than 2 scores on a subscale.
    OptionError
        A bad prediction (naming it), an unknown subscale or group.

    References
    ----------
    Hedges, L. V. (1981). *Journal of Educational Statistics*, 6, 107-128.
    Welch, B. L. (1947). The generalization of "Student's" problem when several different
    population variances are involved. *Biometrika*, 34, 28-35.

    Examples
    --------
    The pilot has no program column: here half of it is called "automated" and its B and C
    scores are lowered by 0.3 points, a made-up effect that the predictions should catch.

    >>> pilot = als.load_pilot()
    >>> scores = als.score(pilot, als.draft_scale()).scores[["A", "B", "C"]]
    >>> program = pd.Series(np.where(scores.index <= 160, "guided", "automated"),
    ...                     index=scores.index)
    >>> scores.loc[program == "automated", ["B", "C"]] -= 0.3
    >>> result = als.known_groups(scores, program)  # In R: t.test(B ~ program)
    >>> result.table[["prediction", "difference", "hedges_g", "ci_lower", "as_predicted"]].round(3)
                      prediction  difference  hedges_g  ci_lower as_predicted
    subscale
    A                                 -0.128    -0.214    -0.434          NaN
    B         automated < guided       0.107     0.179    -0.040         True
    C         automated < guided       0.219     0.363     0.142         True
    """
    confidence = check_number("confidence", confidence, 0, 1, low_open=True, high_open=True)
    if isinstance(scores, ScoreResult):
        frame = index_by_id(scores.scores, False, "scores")
    elif isinstance(scores, pd.DataFrame):
        frame = index_by_id(scores, id_column, "scores")
    else:
        raise OptionError("scores must be a ScoreResult or a DataFrame; got "
                          f"{type(scores).__name__}")
    labels = _group_labels(frame, groups, id_column)
    if isinstance(groups, str):
        frame = frame.drop(columns=groups)
    names = sorted(labels.unique())
    if len(names) != 2:
        raise AnalysisError(f"known_groups compares exactly 2 groups; got {len(names)}: "
                            f"{', '.join(names[:10])}")
    frame = as_item_frame(frame, min_items=1, min_rows=4, allow_constant=True, what="scores")
    subscales = [str(c) for c in frame.columns]
    if predictions is None:
        predictions = ({k: v for k, v in blueprint_predictions(blueprint).items()
                        if k in subscales} if set(names) == set(PREDICTED_ORDER) else {})
    parsed = _parse_predictions(predictions, subscales, names)
    rows = []
    for subscale in subscales:
        low, high = parsed.get(subscale, tuple(names))
        values = frame[subscale].to_numpy(dtype=float)
        first = values[(labels == low).to_numpy()]
        second = values[(labels == high).to_numpy()]
        first, second = first[np.isfinite(first)], second[np.isfinite(second)]
        if min(len(first), len(second)) < 2:
            raise AnalysisError(f"subscale {subscale!r}: a group has fewer than 2 scores "
                                f"({low}: {len(first)}, {high}: {len(second)})",
                                column=subscale)
        effect = hedges_g(first, second, confidence)
        d, d_lower, d_upper = cohen_d(first, second, confidence)
        t, df, p = welch_test(first, second)
        difference = second.mean() - first.mean()
        rows.append({
            "subscale": subscale,
            "prediction": f"{low} < {high}" if subscale in parsed else "",
            "group_1": low, "group_2": high,
            "n_1": len(first), "mean_1": first.mean(), "sd_1": first.std(ddof=1),
            "n_2": len(second), "mean_2": second.mean(), "sd_2": second.std(ddof=1),
            "difference": difference, "hedges_g": effect.g, "ci_lower": effect.lower,
            "ci_upper": effect.upper, "cohen_d": d, "d_ci_lower": d_lower,
            "d_ci_upper": d_upper, "t": t, "df": df, "p": p,
            "as_predicted": bool(difference > 0) if subscale in parsed else np.nan,
        })
    table = pd.DataFrame(rows).set_index("subscale")
    made = table["prediction"] != ""
    return KnownGroupsResult(
        table=table, groups=(names[0], names[1]),
        as_predicted=int(table.loc[made, "as_predicted"].astype(bool).sum()),
        predicted=int(made.sum()), confidence=confidence,
    )
