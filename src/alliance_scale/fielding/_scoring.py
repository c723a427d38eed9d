"""Scoring of item responses into scale scores, following psych::scoreItems conventions.

:func:`score_items` is the generic engine (any keys, any response range); :func:`score`
applies a drafted :class:`~alliance_scale.Scale` (its facet, dimension and total keys)
after checking the answers with :func:`~alliance_scale.read_responses`.

Why hand-written: psych::scoreItems has no Python port with its conventions (a leading
``"-"`` marks a reverse-keyed item, reversal is ``min + max - x``, ``impute = "none"``
gives the mean of the answered items). numpy gives the pieces: the scoring is one matrix
product of the zero-filled answers with an items x scales weight matrix (+1, -1, 0), plus
one product of the missing-answer indicators for the counts, so a million respondents x 60
items score in well under a second of arithmetic, with no loop over respondents.

Missing answers are prorated (mean of the answered items) when the share of answered
items reaches ``min_answered``; prorating is the common rule but biased even under MCAR
(Mazza, Enders & Ruehlman, 2015, *Multivariate Behavioral Research* 50:1-15), so every
prorated and every unscored respondent is reported, never dropped.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._checks import (
    check_choice,
    check_codes,
    check_instance,
    check_number,
    check_share,
    check_unique_columns,
    is_boolean,
)
from .._results import Result, result
from ..errors import OptionError, ResponseError
from ..instrument._scale import Scale
from ..psychometrics._keys import split_keyed
from ._read_common import PROBLEMS_COLUMN, PROGRESS_COLUMN, STATUS_COLUMN
from ._read_values import plain_value
from ._responses import _read

__all__ = [
    "ScoreResult",
    "score",
    "score_items",
]

#: Ways of combining answered items: prorated mean, or prorated sum (mean x number of items).
METHODS = ("mean", "sum")

#: Suffix of the answered-item count columns of :func:`score_items` (``"agree_answered"``).
ANSWERED_SUFFIX = "_answered"


def _check_options(min_answered: float, method: str) -> None:
    """Refuse an unknown ``method`` or a ``min_answered`` outside [0, 1]."""
    check_choice("method", method, METHODS)
    check_share("min_answered", min_answered)


def _parse_keys(
    keys: Mapping[str, Sequence[str]], columns: pd.Index, file: str
) -> tuple[list[str], list[str], np.ndarray]:
    """Return (scale names, item columns used, items x scales weights in {-1, 0, +1})."""
    if not isinstance(keys, Mapping) or len(keys) == 0:
        raise OptionError("keys must be a non-empty mapping: scale name -> list of items")
    scales = [str(name) for name in keys]
    items: list[str] = []
    position: dict[str, int] = {}
    entries: list[tuple[int, int, int]] = []  # (item position, scale position, sign)
    for s, name in enumerate(keys):
        listed = keys[name]
        if (not isinstance(listed, (list, tuple, pd.Index)) or len(listed) == 0
                or not all(isinstance(entry, str) for entry in listed)):
            raise OptionError(
                f"keys[{name!r}] must be a non-empty list of item names, got {listed!r}"
            )
        seen: set[str] = set()
        for entry in listed:
            item, sign = split_keyed(entry)
            if item in seen:
                raise OptionError(f"item listed twice in keys[{name!r}]", column=item)
            seen.add(item)
            if item not in columns:
                raise ResponseError(
                    f"item of scale {name!r} is not a column of the data", file=file, column=item
                )
            if item not in position:
                position[item] = len(items)
                items.append(item)
            entries.append((position[item], s, sign))
    clash = [s + ANSWERED_SUFFIX for s in scales if s + ANSWERED_SUFFIX in scales]
    if clash:
        raise OptionError(f"scale name {clash[0]!r} clashes with a count column name")
    weights = np.zeros((len(items), len(scales)))
    for i, s, sign in entries:
        weights[i, s] = sign
    return scales, items, weights


def _item_matrix(
    data: pd.DataFrame, items: list[str], min_value: float, max_value: float, file: str
) -> np.ndarray:
    """The items as a float matrix (NaN = missing), refusing text, booleans (a bool column,
    or True/False among other values, which ``pd.to_numeric`` would code 1/0) and
    out-of-range values."""
    block = data[items]
    if all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
           for t in block.dtypes):
        values = block.to_numpy(dtype=float)
    else:
        for name in items:
            column = data[name]
            if pd.api.types.is_bool_dtype(column):
                raise ResponseError("column is boolean (True/False), not numeric codes",
                                    file=file, column=name)
            boolean = column.map(is_boolean).to_numpy(dtype=bool)
            if boolean.any():
                raise ResponseError("boolean value(s) (True/False), not numeric codes",
                                    file=file, column=name, rows=list(data.index[boolean]))
            numeric = pd.to_numeric(column, errors="coerce")
            bad = (numeric.isna() & column.notna()).to_numpy()
            if bad.any():
                raise ResponseError(
                    f"non-numeric value(s) such as {plain_value(column[bad].iloc[0])}",
                    file=file, column=name, rows=list(data.index[bad]),
                )
        values = block.apply(pd.to_numeric).to_numpy(dtype=float)
    check_codes(values, min_value, max_value, integer=False, items=items, rows=data.index,
                error=ResponseError, file=file)
    return values


def score_items(
    data: pd.DataFrame,
    keys: Mapping[str, Sequence[str]],
    *,
    min_value: float,
    max_value: float,
    min_answered: float = 0.0,
    method: str = "mean",
) -> pd.DataFrame:
    """Score items into scales, psych::scoreItems style, prorating missing answers.

    Parameters
    ----------
    data : DataFrame
        Respondents in rows; the item columns named in ``keys`` must be numeric (NaN =
        missing). Other columns are ignored.
    keys : mapping of str to list of str
        Scale name -> item columns; a leading ``"-"`` marks a reverse-keyed item
        (psych::scoreItems convention), scored ``min_value + max_value - x``.
    min_value, max_value : float
        Lowest and highest response codes (e.g. 1 and 5). Values outside are refused.
    min_answered : float, default 0.0
        Smallest share (0-1) of a scale's items that must be answered for a score; below
        it the score is NaN. With 0, any respondent with at least one answered item is
        scored (a scale with no answered item is always NaN).
    method : {"mean", "sum"}, default "mean"
        ``"mean"``: mean of the answered (reversed where keyed so) items. ``"sum"``: the
        prorated sum, mean x number of items in the scale, so that a respondent with a
        missing answer is on the same metric as one with all answers (psych's
        ``totals = TRUE`` with ``impute = "none"`` sums the answered items instead, which
        differs when answers are missing).

    Returns
    -------
    DataFrame
        Same index and row order as ``data``. First one float column per scale (named as
        in ``keys``, in its order), then one integer column per scale named
        ``<scale>_answered``: how many of its items the respondent answered. With
        ``min_answered=0`` and ``method="mean"`` the scores equal
        ``psych::scoreItems(keys, items, impute = "none", min, max)$scores``.

    Raises
    ------
    ResponseError
        Bad keys, an item missing from ``data``, non-numeric or out-of-range values
        (naming the column and the rows, as index labels).

    References
    ----------
    Revelle, W. psych: Procedures for Psychological, Psychometric, and Personality
    Research, function ``scoreItems``. Mazza, G. L., Enders, C. K., & Ruehlman, L. S.
    (2015). Addressing item-level missing data: a comparison of proration and full
    information maximum likelihood estimation. *Multivariate Behavioral Research*, 50.

    Examples
    --------
    >>> data = pd.DataFrame({"q1": [1, 4, 5], "q2": [2, 5, np.nan], "q3": [5, 2, 1]})
    >>> keys = {"agree": ["q1", "q2", "-q3"]}  # "-": reverse-keyed, scored 1 + 5 - x
    >>> # In R: psych::scoreItems(keys, data, min = 1, max = 5, impute = "none")$scores
    >>> print(als.score_items(data, keys, min_value=1, max_value=5).round(3))
       agree  agree_answered
    0  1.333               3
    1  4.333               3
    2  5.000               2
    """
    file = "<DataFrame>"
    if not isinstance(data, pd.DataFrame):
        raise OptionError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    _check_options(min_answered, method)
    min_value = check_number("min_value", min_value)
    max_value = check_number("max_value", max_value)
    if not min_value < max_value:
        raise OptionError(f"min_value ({min_value}) must be below max_value ({max_value})")
    check_unique_columns(data, "duplicate column", ResponseError, file)
    scales, items, weights = _parse_keys(keys, data.columns, file)
    values = _item_matrix(data, items, float(min_value), float(max_value), file)
    return _scores(values, data.index, scales, weights, float(min_value), float(max_value),
                   float(min_answered), method)


def _scores(
    values: np.ndarray,
    index: pd.Index,
    scales: list[str],
    weights: np.ndarray,
    min_value: float,
    max_value: float,
    min_answered: float,
    method: str,
) -> pd.DataFrame:
    """:func:`score_items` on checked answers (respondents x items, NaN = missing).

    ``weights`` is items x scales in {-1, 0, +1}; no value is checked again here (the hot
    path of :func:`score`, whose answers :func:`~alliance_scale.read_responses`
    has already checked).
    """
    positive, negative = (weights > 0).astype(float), (weights < 0).astype(float)
    # Keyed sum over answered items = sum(+x) + sum(reverse_codes(x)) = x0 @ (P - N)
    # + (min + max) * (answered reverse-keyed items): reverse_codes summed algebraically;
    # x0 = x with 0 for missing. One float64
    # product for the values, one float32 product (exact for counts) for the missing items.
    missing = np.isnan(values)
    signed_sums = np.where(missing, 0.0, values) @ (positive - negative)
    counting = np.hstack([positive + negative, negative]).astype(np.float32)
    missed = (missing.astype(np.float32) @ counting).astype(float)
    k = len(scales)
    n_items = np.abs(weights).sum(axis=0)
    counts = n_items - missed[:, :k]
    answered_reversed = negative.sum(axis=0) - missed[:, k:]
    sums = signed_sums + (min_value + max_value) * answered_reversed
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    enough = (counts > 0) & (counts >= min_answered * n_items - 1e-9)
    scores = np.where(enough, means if method == "mean" else means * n_items, np.nan)
    out = pd.DataFrame(scores, index=index, columns=scales)
    for s, name in enumerate(scales):
        out[name + ANSWERED_SUFFIX] = counts[:, s].astype(np.int64)
    return out


def _names_where(mask: pd.DataFrame) -> pd.Series:
    """Per row, the column names where ``mask`` is True, joined by ``"; "`` ("" if none)."""
    if mask.shape[1] == 0:
        return pd.Series("", index=mask.index, dtype=object)
    joined = mask.astype(object).dot(pd.Index([f"{c}; " for c in mask.columns]))
    return joined.astype(str).str.removesuffix("; ").where(mask.any(axis=1), "")


@result
class ScoreResult(Result):
    """Scale scores of respondents with the rule used and what it did to each respondent.

    Attributes
    ----------
    scores : DataFrame
        One row per respondent (same index and order as the responses, less those
        ``keep`` left out: its index holds the ids kept), one float column
        per facet, per dimension and ``"total"`` (the scale's ``keys``); NaN = not scored.
    answered : DataFrame
        Same shape: number of answered items of each scale.
    n_items : Series
        Number of items of each scale.
    flags : DataFrame
        Per respondent: ``status`` and ``progress`` when the responses carry a completion
        status (a platform export read by :func:`~alliance_scale.read_responses`:
        ``complete``, ``incomplete``, ``unverified``, ``preview``, ``test``, ``spam``,
        ``unknown``; progress in percent), then ``prorated`` (scales scored from fewer than
        all their items, joined by ``"; "``), ``not_scored`` (scales left NaN: too few
        answers) and ``problems`` (invalid answers set to missing with ``errors="flag"``:
        column and number, e.g. ``"C1_1: 8 outside 1-5"``; a text answer is described,
        ``"C1_1: text, not a response code"``, never quoted, so a result carries no
        respondent's free text); empty strings when nothing applies.
    min_answered : float
    method : str
    excluded : DataFrame
        The respondents ``keep`` left out (index: their ids; column ``status``); empty
        with the default ``keep="all"``.

    Examples
    --------
    >>> scale = als.draft_scale()
    >>> result = als.score(als.load_pilot(), scale)
    >>> # In R: psych::scoreItems(keys, items, impute = "none", min = 1, max = 5)$scores
    >>> result.scores["total"].round(2).head(3).tolist()
    [4.03, 4.04, 3.38]
    >>> int((result.flags["prorated"] != "").sum())
    178
    """

    scores: pd.DataFrame
    answered: pd.DataFrame
    n_items: pd.Series
    flags: pd.DataFrame
    min_answered: float
    method: str
    excluded: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Scores followed by the three flag columns, one row per respondent."""
        return pd.concat([self.scores, self.flags], axis=1)

    def _summary(self) -> dict[str, Any]:
        total = "total" if "total" in self.scores else self.scores.columns[-1]
        summary: dict[str, Any] = {
            "respondents": len(self.scores),
            "rule": f"{self.method} of answered items when >= {self.min_answered:.0%} answered",
            "prorated (any scale)": int((self.flags["prorated"] != "").sum()),
            "not scored (any scale)": int((self.flags["not_scored"] != "").sum()),
            f"{total} not scored": int(self.scores[total].isna().sum()),
            "with invalid answers": int((self.flags["problems"] != "").sum()),
        }
        if STATUS_COLUMN in self.flags:
            counts = self.flags[STATUS_COLUMN].value_counts()
            summary["status"] = ", ".join(f"{k}: {v}" for k, v in counts.items())
        if len(self.excluded):
            statuses = self.excluded[STATUS_COLUMN].value_counts()
            summary["excluded (keep)"] = (f"{len(self.excluded)} ("
                                          + ", ".join(f"{k}: {v}" for k, v in statuses.items())
                                          + ")")
        return summary


def score(
    responses: pd.DataFrame,
    scale: Scale,
    *,
    min_answered: float = 0.8,
    method: str = "mean",
    errors: str = "raise",
    keep: str | Collection[str] = "all",
) -> ScoreResult:
    """Score responses to a drafted scale: facet, dimension and total scores.

    The answers are first checked as :func:`~alliance_scale.read_responses`
    checks a DataFrame (item columns present, codes in ``scale.min_value..max_value``,
    anchor labels mapped back to codes; a repeated index label is accepted here); then
    :func:`score_items` applies ``scale.keys``. Invalid answers already flagged in a
    ``problems`` column (``read_responses(..., errors="flag")``) are carried over.

    Parameters
    ----------
    responses : DataFrame
        Respondents in rows, one column per item id (as returned by ``read_responses``;
        other columns are kept aside).
    scale : Scale
        Supplies the keys (reverse-keyed items included) and the response range.
    min_answered : float, default 0.8
        Smallest share of a scale's items that must be answered to prorate its score
        (mean of the answered items); below it the score is NaN and flagged.
    method : {"mean", "sum"}, default "mean"
        Mean of items, or prorated sum (mean x number of items).
    errors : {"raise", "flag"}, default "raise"
        ``"raise"``: refuse the first invalid answer (:class:`ResponseError` naming the
        column and the rows, as index labels). ``"flag"``: set invalid answers to missing,
        describe them in ``flags["problems"]`` and score what can be scored.
    keep : "all", "complete", or a collection of statuses, default "all"
        Respondents to score, by the ``status`` column of ``responses`` (as
        :func:`~alliance_scale.read_responses` writes it). Nobody is left out unless asked;
        the respondents left out are in ``excluded`` and counted in the summary, and
        ``scores`` holds the others (its index: the ids kept, which
        :func:`~alliance_scale.convergent_validity` follows). Data without a completion
        status (a plain table: every status ``"unknown"``) cannot tell who finished, so
        any ``keep`` but ``"all"`` is refused with a :class:`ResponseError` that says so.

    Returns
    -------
    ScoreResult
        ``scores`` (same index and order as ``responses``, less the respondents ``keep``
        left out), ``answered``, ``n_items``,
        ``flags`` (``status`` and ``progress`` when known, ``prorated``, ``not_scored``,
        ``problems``), ``excluded``.

    Raises
    ------
    ResponseError
        An unknown ``method`` or ``errors``, ``min_answered`` outside [0, 1], an item
        column missing, or (with ``errors="raise"``) an invalid answer, as
        :func:`~alliance_scale.read_responses` (naming the column and the rows).

    Examples
    --------
    >>> scale = als.draft_scale()
    >>> responses = als.read_responses(als.load_pilot(), scale)
    >>> # In R: psych::scoreItems(keys, items, impute = "none", min = 1, max = 5)
    >>> result = als.score(responses, scale, min_answered=0.8)
    >>> result.scores[["A", "B", "C", "total"]].mean().round(2).tolist()
    [3.85, 3.83, 3.82, 3.83]
    """
    check_instance("scale", scale, Scale, "see draft_scale")
    _check_options(min_answered, method)
    clean, report = _read(responses, scale, source="csv", errors=errors, id_column=None,
                          check_index=False, keep=keep)
    keys = scale.keys
    scales, items, weights = _parse_keys(keys, clean.columns, "<DataFrame>")
    # the answers were checked by _read: score them without a second pass over every value
    table = _scores(clean[items].to_numpy(dtype=float), clean.index, scales, weights,
                    float(scale.min_value), float(scale.max_value), float(min_answered),
                    method)
    names = list(keys)
    scores = table[names]
    answered = table[[n + ANSWERED_SUFFIX for n in names]]
    answered.columns = names
    n_items = pd.Series({n: len(v) for n, v in keys.items()}, name="n_items")
    prorated = scores.notna() & answered.lt(n_items, axis=1)
    flags = pd.DataFrame({
        "prorated": _names_where(prorated),
        "not_scored": _names_where(scores.isna()),
        "problems": clean[PROBLEMS_COLUMN].astype(str),
    }, index=scores.index)
    if (clean[STATUS_COLUMN] != "unknown").any():
        flags.insert(0, STATUS_COLUMN, clean[STATUS_COLUMN].astype(str))
        if clean[PROGRESS_COLUMN].notna().any():
            flags.insert(1, PROGRESS_COLUMN, clean[PROGRESS_COLUMN].astype(float))
    excluded = pd.DataFrame({STATUS_COLUMN: pd.Series(report.excluded_status, dtype=object,
                                                      index=pd.Index(report.excluded,
                                                                     dtype=object))})
    return ScoreResult(
        scores=scores, answered=answered, n_items=n_items, flags=flags,
        min_answered=float(min_answered), method=method, excluded=excluded,
    )

