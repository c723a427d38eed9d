"""DTA scores and a criterion measure, matched by respondent id, with their reliabilities.

The shared input step of :func:`~alliance_scale.convergent_validity` and
:func:`~alliance_scale.mtmm`: scores (a :class:`~alliance_scale.ScoreResult` or a DataFrame)
and a criterion (WAI-style subscale scores, or item answers with a key, then scored with
:func:`~alliance_scale.score_items` and their alphas computed with
:func:`~alliance_scale.cronbach_alpha`) are matched by respondent id; mismatched or
repeated ids are refused with the ids named, never aligned by position nor dropped, with one
exception: the respondents that :func:`~alliance_scale.score` itself left out (``keep=``,
its ``excluded`` ids) are left out of the criterion too, with a warning naming them, so that
``score(responses, scale, keep="complete")`` and ``responses[criterion columns]`` agree.
Criterion columns named ``goal``, ``task``, ``bond`` or ``total`` after a prefix ending in
``_`` (``wai_goal``) are known by the Bordin name. When the criterion has goal, task and
bond but no total, its total is their mean, with the stratified alpha of the three as its
reliability
(:func:`~alliance_scale.psychometrics._correlation._correlation_tests.stratified_alpha`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._checks import as_item_frame, check_choice
from .._warn import warn_user
from ..errors import AllianceScaleWarning, AnalysisError, OptionError, ResponseError
from ..fielding._responses import index_by_id
from ..fielding._scoring import ScoreResult, score_items
from ..instrument._blueprint import BORDIN
from ..psychometrics._correlation._correlation import pairwise_pearson
from ..psychometrics._correlation._correlation_tests import (
    CORRELATION_METHODS,
    pairwise_spearman,
    stratified_alpha,
)
from ..psychometrics._keys import split_keyed
from ..psychometrics._reliability._reliability import cronbach_alpha
from ._reliability import ReliabilityResult

__all__ = []

#: Criterion subscale names recognised after a prefix (``wai_goal`` -> ``goal``).
CRITERION_NAMES = (*BORDIN, "total")

#: Fewest respondents for an interval of a correlation (Fisher's z needs n - 3 > 0).
MIN_N = 4


@dataclass(frozen=True)
class MatchedScores:
    """Scores and criterion on the same respondents, with reliabilities and notes."""

    scores: pd.DataFrame
    criterion: pd.DataFrame
    score_reliability: pd.Series
    criterion_reliability: pd.Series
    reliability_source: pd.Series
    criterion_columns: dict[str, str]
    notes: tuple[str, ...]
    left_out: tuple[str, ...] = ()


def _score_frame(scores: Any, id_column: str | bool | None
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scores indexed by id, and the respondents ``score(keep=...)`` left out (their
    ids as text, column ``status``; empty for a DataFrame)."""
    if isinstance(scores, ScoreResult):
        return index_by_id(scores.scores, False, "scores"), scores.excluded
    if not isinstance(scores, pd.DataFrame):
        raise OptionError("scores must be a ScoreResult (see score) or a DataFrame of "
                          f"subscale scores; got {type(scores).__name__}")
    return index_by_id(scores, id_column, "scores"), pd.DataFrame({"status": []})


def _bordin_name(column: object) -> str:
    """``wai_goal`` -> ``goal``; other names unchanged (as strings)."""
    name = str(column)
    tail = name.rsplit("_", 1)[-1]
    return tail if "_" in name and tail in CRITERION_NAMES else name


def _rename(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    names = [_bordin_name(c) for c in frame.columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        sources = [str(c) for c, n in zip(frame.columns, names, strict=True) if n == repeated[0]]
        raise ResponseError(f"criterion columns {', '.join(sources)} all mean "
                            f"{repeated[0]!r}; keep one", file="criterion")
    return frame.set_axis(names, axis=1), {n: str(c) for n, c in zip(names, frame.columns,
                                                                    strict=True)}


def _scored_items(
    items: pd.DataFrame, keys: Mapping[str, Sequence[str]], value_range: Any
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Criterion items scored (means of keyed items) and the alpha of each subscale."""
    if not isinstance(keys, Mapping) or not keys:
        raise OptionError("criterion_keys must be a mapping subscale -> items (a leading '-' "
                          "marks a reverse-keyed item)")
    keys = {str(k): list(v) for k, v in keys.items()}
    used = list(dict.fromkeys(split_keyed(e)[0] for listed in keys.values() for e in listed))
    absent = [i for i in used if i not in items.columns]
    if absent:
        raise ResponseError("item of criterion_keys is not a column of the criterion",
                            file="criterion", column=absent[0])
    answers = as_item_frame(items[used], min_items=1, what="criterion items")
    if value_range is None:
        low, high = float(np.nanmin(answers.to_numpy())), float(np.nanmax(answers.to_numpy()))
    else:
        low, high = (float(v) for v in value_range)
    if not any(_bordin_name(k) == "total" for k in keys):
        keys["total"] = [e for listed in keys.values() for e in listed]
        keys["total"] = list(dict.fromkeys(keys["total"]))
    scored = score_items(answers, keys, min_value=low, max_value=high)[list(keys)]
    alphas = {}
    for name, listed in keys.items():
        signed = [split_keyed(e) for e in listed]
        ids = [i for i, _ in signed]
        if len(ids) < 2:
            alphas[name] = np.nan
            continue
        reverse = [i for i, sign in signed if sign < 0]
        alphas[name] = cronbach_alpha(answers[ids], ci=None, reverse=reverse, min_value=low,
                                      max_value=high).alpha
    return scored, alphas


def _given_reliabilities(
    given: Any, names: Sequence[str], argument: str
) -> dict[str, float]:
    """Reliabilities a user gave: a ReliabilityResult (its alphas), a mapping or a Series."""
    if given is None:
        return {}
    if isinstance(given, ReliabilityResult):
        alpha = given.table["alpha"]
        # an alpha outside (0, 1] (a subscale with negative average covariance) cannot
        # correct anything: left unknown
        return {n: float(alpha[n]) for n in names if n in alpha.index and 0 < alpha[n] <= 1}
    if isinstance(given, pd.Series):
        given = given.to_dict()
    if not isinstance(given, Mapping):
        raise OptionError(f"{argument} must be a mapping subscale -> reliability, a Series or "
                          f"a ReliabilityResult; got {type(given).__name__}")
    out = {}
    for name, value in given.items():
        key = str(name) if argument == "reliabilities" else _bordin_name(name)
        if key not in names:
            raise OptionError(f"{argument} names {name!r}, which is not among "
                              f"{', '.join(names)}")
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not (
                0 < float(value) <= 1):
            raise OptionError(f"{argument}[{name!r}] must be a reliability in (0, 1]; "
                              f"got {value!r}")
        out[key] = float(value)
    return out


def _check_ids(scores: pd.DataFrame, criterion: pd.DataFrame, excluded: pd.DataFrame
               ) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The criterion in the scores' row order, after checking both hold the same ids but
    those ``score(keep=...)`` excluded (left out of the criterion, with a warning); and
    the ids left out."""
    only_scores = scores.index.difference(criterion.index, sort=False)
    only_criterion = criterion.index.difference(scores.index, sort=False)
    left_out: tuple[str, ...] = ()
    if len(only_criterion) and len(excluded):
        by_score = np.isin(np.asarray(only_criterion.map(str), dtype=object),
                           np.asarray(excluded.index.map(str), dtype=object))
        left_out = tuple(str(label) for label in only_criterion[by_score])
        only_criterion = only_criterion[~by_score]
    if len(only_scores) or len(only_criterion):
        parts = []
        for label, ids in (("in scores only", only_scores), ("in criterion only",
                                                             only_criterion)):
            if len(ids):
                shown = ", ".join(str(i) for i in list(ids)[:10])
                more = f" (and {len(ids) - 10} more)" if len(ids) > 10 else ""
                parts.append(f"{label}: {shown}{more}")
        raise ResponseError(
            "scores and criterion do not hold the same respondents (matched by id; none is "
            "dropped): " + "; ".join(parts),
            rows=[*only_scores, *only_criterion],
        )
    if left_out:
        status = excluded["status"].set_axis(excluded.index.map(str))
        counts = status.loc[list(left_out)].value_counts()
        shown = ", ".join(left_out[:10]) + (f" (and {len(left_out) - 10} more)"
                                            if len(left_out) > 10 else "")
        warn_user(f"{len(left_out)} respondent(s) of the criterion left out, as score(keep=) "
                  f"left them out of the scores ("
                  + ", ".join(f"{k}: {v}" for k, v in counts.items()) + f"): {shown}",
                  AllianceScaleWarning)
    return criterion.loc[scores.index], left_out


def match_scores(
    scores: Any,
    criterion: pd.DataFrame,
    *,
    reliabilities: Any = None,
    criterion_reliabilities: Any = None,
    criterion_keys: Mapping[str, Sequence[str]] | None = None,
    criterion_range: tuple[float, float] | None = None,
    id_column: str | bool | None = None,
) -> MatchedScores:
    """Check and match DTA scores and a criterion (see the module docstring).

    Raises
    ------
    ResponseError
        Repeated ids (named), ids in one table only (named; but the criterion's rows of
        the respondents ``score(keep=...)`` excluded, left out with a warning), criterion
        columns meaning
        the same Bordin subscale, an item of ``criterion_keys`` missing.
    AnalysisError
        A non-numeric, all-missing or constant column (named), fewer than 4 respondents.
    OptionError
        Bad ``reliabilities`` / ``criterion_reliabilities`` / ``criterion_keys``.
    """
    frame, excluded = _score_frame(scores, id_column)
    if not isinstance(criterion, pd.DataFrame):
        raise OptionError(f"criterion must be a DataFrame; got {type(criterion).__name__}")
    other = index_by_id(criterion, id_column, "criterion")
    other, left_out = _check_ids(frame, other, excluded)
    notes = []
    alphas: dict[str, float] = {}
    if criterion_keys is not None:
        other, alphas = _scored_items(other, criterion_keys, criterion_range)
        notes.append("criterion scored from items (mean of keyed items); reliabilities: "
                     "Cronbach's alpha")
    frame = as_item_frame(frame, min_items=1, min_rows=MIN_N, what="scores")
    other, columns = _rename(as_item_frame(other, min_items=1, min_rows=MIN_N,
                                           what="criterion"))
    if "total" not in other.columns and all(c in other.columns for c in BORDIN):
        other["total"] = other[list(BORDIN)].mean(axis=1, skipna=False)
        columns["total"] = "mean of " + ", ".join(columns[c] for c in BORDIN)
        notes.append("criterion total = mean of goal, task and bond (computed)")
    score_rel = _given_reliabilities(reliabilities, list(frame.columns), "reliabilities")
    given = _given_reliabilities(criterion_reliabilities, list(other.columns),
                                 "criterion_reliabilities")
    criterion_rel = {**{_bordin_name(k): v for k, v in alphas.items()}, **given}
    source = {n: ("given" if n in given else "alpha" if n in criterion_rel else "")
              for n in other.columns}
    if ("total" not in criterion_rel and columns.get("total", "").startswith("mean of ")
            and all(c in criterion_rel for c in BORDIN)):
        parts = other[list(BORDIN)].dropna()
        criterion_rel["total"] = stratified_alpha(
            parts.cov().to_numpy(), np.array([criterion_rel[c] for c in BORDIN]))
        source["total"] = "stratified alpha"
    sources = {n: "given" if n in score_rel else "" for n in frame.columns}
    return MatchedScores(
        scores=frame, criterion=other,
        score_reliability=pd.Series({n: score_rel.get(n, np.nan) for n in frame.columns},
                                    dtype=float),
        criterion_reliability=pd.Series({n: criterion_rel.get(n, np.nan)
                                         for n in other.columns}, dtype=float),
        reliability_source=pd.concat([pd.Series(sources, dtype=object),
                                      pd.Series(source, dtype=object)],
                                     keys=["scores", "criterion"]),
        criterion_columns=columns, notes=tuple(notes), left_out=left_out,
    )


def correlations(values: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise-complete correlation matrix and pair counts (Pearson or Spearman)."""
    check_choice("method", method, CORRELATION_METHODS)
    values = np.asarray(values, dtype=float)
    return pairwise_pearson(values) if method == "pearson" else pairwise_spearman(values)


def check_pair_counts(
    counts: np.ndarray, score_names: Sequence[str], criterion_names: Sequence[str]
) -> None:
    """Refuse a (subscale, criterion) pair with fewer than 4 respondents in common."""
    k = len(score_names)
    block = counts[:k, k:]
    bad = np.argwhere(block < MIN_N)
    if bad.size:
        i, j = bad[0]
        raise AnalysisError(
            f"scores column {score_names[i]!r} and criterion {criterion_names[j]!r} have "
            f"{int(block[i, j])} respondent(s) with both values; at least {MIN_N} are needed "
            "for an interval", column=str(score_names[i]))
