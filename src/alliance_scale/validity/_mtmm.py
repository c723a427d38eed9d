"""Multitrait-multimethod matrix of the DTA subscales and a Bordin criterion (Campbell & Fiske).

The two "methods" are the DTA scale and the WAI-style criterion; their "traits" differ
(DTA dimensions vs goal / task / bond), so the validity diagonal of the classic matrix
becomes the set of hypothesised pairs: those a convergent-validity hypothesis predicts to
be high (:attr:`Hypothesis.predicted_high`; with the blueprint's: A-task, B-task, B-bond,
C-bond). Campbell & Fiske's (1959) comparisons are then counted for each validity value:

1. it differs from zero (p < ``alpha``, positive);
2. it exceeds the heterotrait-heteromethod values of its row and column (the pairs of the
   same DTA subscale with other criterion subscales, and of the same criterion subscale
   with other DTA subscales, that no hypothesis predicts high);
3. it exceeds the heterotrait-monomethod values of its two traits (the correlations of its
   DTA subscale with the other DTA subscales, and of its criterion subscale with the other
   criterion subscales);
0. it stays below both reliabilities (the diagonal), when they are known.

Their fourth criterion (the same pattern of trait correlations in every triangle) needs the
same traits under both methods and is not computed. Counting comparisons is a few lines of
indexing on the correlation matrix; no library offers an MTMM for unmatched traits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_number
from .._results import Result, result
from ..errors import AnalysisError, OptionError
from ..instrument._blueprint import Blueprint, load_blueprint
from ..psychometrics._correlation._correlation_tests import correlation_t_test
from ._criterion import check_pair_counts, correlations, match_scores
from ._hypotheses import collect_hypotheses, with_criterion_names

__all__ = ["MTMMResult", "mtmm"]

#: Names of the two methods in the matrix's index.
METHODS = ("DTA", "criterion")


@result
class MTMMResult(Result):
    """A multitrait-multimethod matrix and Campbell & Fiske's comparisons.

    Attributes
    ----------
    matrix : DataFrame
        Square, indexed by (method, trait) on both axes (methods ``"DTA"`` and
        ``"criterion"``): correlations off the diagonal, reliabilities on it (NaN when
        unknown). This is ``to_frame()``.
    validity : DataFrame
        One row per validity (hypothesised) pair (subscale, criterion): ``r``, ``n``,
        ``p`` (two-sided, rho = 0), ``significant`` (criterion 1), ``heteromethod_exceeded``
        / ``heteromethod_compared`` (criterion 2), ``monomethod_exceeded`` /
        ``monomethod_compared`` (criterion 3), ``below_reliabilities`` (NaN when a
        reliability is unknown).
    criteria : DataFrame
        One row per criterion (0-3): ``description``, ``satisfied``, ``compared``.
    method : str
    alpha : float

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> scores = als.score(pilot, als.draft_scale())
    >>> result = als.mtmm(scores, pilot[["wai_goal", "wai_task", "wai_bond"]])
    >>> result.criteria[["satisfied", "compared"]]
               satisfied  compared
    criterion
    0                  0         0
    1                  4         4
    2                 10        10
    3                 16        16
    """

    matrix: pd.DataFrame
    validity: pd.DataFrame
    criteria: pd.DataFrame
    method: str
    alpha: float

    _digits = 3

    def to_frame(self) -> pd.DataFrame:
        return self.matrix

    def _summary(self) -> dict[str, Any]:
        lines: dict[str, Any] = {
            "validity pairs": ", ".join(f"{s}-{c}" for s, c in self.validity.index),
        }
        for label, row in self.criteria.iterrows():
            shown = ("not computed (reliabilities unknown)" if row["compared"] == 0 else
                     f"{int(row['satisfied'])} of {int(row['compared'])}")
            lines[f"criterion {label}"] = f"{row['description']}: {shown}"
        return lines


def _dta_traits(columns: Sequence[str], subscales: Sequence[str] | None,
                blueprint: Blueprint) -> list[str]:
    if subscales is not None:
        chosen = [str(s) for s in subscales]
        absent = [s for s in chosen if s not in columns]
        if absent:
            raise OptionError(f"subscales names {absent[0]!r}, which is not a column of the "
                              f"scores: {', '.join(columns)}")
        return chosen
    dimensions = [d.id for d in blueprint.dimensions if d.id in columns]
    return dimensions or [c for c in columns if c != "total"]


def mtmm(
    scores: Any,
    criterion: pd.DataFrame,
    *,
    subscales: Sequence[str] | None = None,
    hypotheses: Any = None,
    reliabilities: Any = None,
    criterion_reliabilities: Mapping[str, float] | pd.Series | None = None,
    criterion_keys: Mapping[str, Sequence[str]] | None = None,
    criterion_range: tuple[float, float] | None = None,
    method: str = "pearson",
    alpha: float = 0.05,
    id_column: str | bool | None = None,
    blueprint: Blueprint | None = None,
) -> MTMMResult:
    """Multitrait-multimethod matrix (DTA subscales x criterion subscales), Campbell & Fiske.

    The DTA subscales and the criterion subscales (goal, task, bond; the totals are left
    out) form the two methods; their correlations (pairwise-complete rows) fill the
    matrix, reliabilities its diagonal. The validity values are the pairs a hypothesis
    predicts high (default: the blueprint's hypotheses, so A-task, B-task, B-bond,
    C-bond); Campbell & Fiske's criteria 1-3 (and the reliability diagonal) are counted
    for each (see the module docstring). Inputs are read as by
    :func:`~alliance_scale.convergent_validity` (ids matched, never dropped).

    Parameters
    ----------
    scores : ScoreResult or DataFrame
        DTA scores, one row per respondent.
    criterion : DataFrame
        WAI-style scores (``goal``, ``task``, ``bond``, possibly prefixed ``wai_``), or item
        answers with ``criterion_keys``.
    subscales : list of str, optional
        DTA subscales (columns of ``scores``) in the matrix; default the blueprint's
        dimensions present in ``scores`` (else every column but ``total``).
    hypotheses : None, str, path, list or mapping, optional
        As :func:`~alliance_scale.convergent_validity`; they define the validity pairs.
    reliabilities, criterion_reliabilities, criterion_keys, criterion_range
        As :func:`~alliance_scale.convergent_validity`.
    method : {"pearson", "spearman"}, default "pearson"
    alpha : float, default 0.05
        Level of the test of criterion 1.
    id_column : str, False or None, default None
    blueprint : Blueprint, optional

    Returns
    -------
    MTMMResult
        ``matrix`` (``to_frame()``), ``validity`` and ``criteria``.

    Raises
    ------
    AnalysisError
        No hypothesised pair among the traits of the matrix; bad data (see
        :func:`~alliance_scale.convergent_validity`).
    OptionError
        A subscale not among the scores, a bad option or hypothesis.

    References
    ----------
    Campbell, D. T., & Fiske, D. W. (1959). Convergent and discriminant validation by the
    multitrait-multimethod matrix. *Psychological Bulletin*, 56, 81-105.

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> scores = als.score(pilot, als.draft_scale())
    >>> result = als.mtmm(scores, pilot[["wai_goal", "wai_task", "wai_bond"]])
    >>> result.validity[["r", "heteromethod_exceeded", "heteromethod_compared"]].round(3)
                            r  heteromethod_exceeded  heteromethod_compared
    subscale criterion
    A        task       0.590                      3                      3
    B        task       0.691                      2                      2
             bond       0.632                      2                      2
    C        bond       0.677                      3                      3
    >>> print(result.criteria.loc[2, "satisfied"], "of", result.criteria.loc[2, "compared"])
    10 of 10
    """
    alpha = check_number("alpha", alpha, 0, 1, low_open=True, high_open=True)
    blueprint = load_blueprint() if blueprint is None else blueprint
    listed = collect_hypotheses(hypotheses, blueprint)
    data = match_scores(scores, criterion, reliabilities=reliabilities,
                        criterion_reliabilities=criterion_reliabilities,
                        criterion_keys=criterion_keys, criterion_range=criterion_range,
                        id_column=id_column)
    listed = with_criterion_names(listed, data.criterion_columns)  # wai_bond or bond
    traits_s = _dta_traits(list(data.scores.columns), subscales, blueprint)
    traits_c = [c for c in data.criterion.columns if c != "total"]
    values = np.hstack([data.scores[traits_s].to_numpy(), data.criterion[traits_c].to_numpy()])
    r, counts = correlations(values, method)
    check_pair_counts(counts, traits_s, traits_c)
    k = len(traits_s)
    high = {pair for h in listed for pair in h.predicted_high}
    cells = [(i, j) for i, s in enumerate(traits_s) for j, c in enumerate(traits_c)
             if (s, c) in high]
    if not cells:
        raise AnalysisError(
            f"no hypothesised pair among subscales {', '.join(traits_s)} and criterion "
            f"subscales {', '.join(traits_c)}; give hypotheses naming them")
    reliability = np.concatenate([data.score_reliability[traits_s].to_numpy(),
                                  data.criterion_reliability[traits_c].to_numpy()])
    matrix = r.copy()
    np.fill_diagonal(matrix, reliability)
    index = pd.MultiIndex.from_tuples([(METHODS[0], s) for s in traits_s]
                                      + [(METHODS[1], c) for c in traits_c],
                                      names=["method", "trait"])
    validity = _validity_table(r, counts, reliability, cells, traits_s, traits_c, alpha)
    return MTMMResult(
        matrix=pd.DataFrame(matrix, index=index, columns=index),
        validity=validity, criteria=_criteria(validity, k), method=method, alpha=alpha,
    )


def _validity_table(
    r: np.ndarray, counts: np.ndarray, reliability: np.ndarray, cells: list[tuple[int, int]],
    traits_s: list[str], traits_c: list[str], alpha: float,
) -> pd.DataFrame:
    k = len(traits_s)
    valid = set(cells)
    rows = []
    for i, j in cells:
        value = r[i, k + j]
        hetero = [r[i, k + jj] for jj in range(len(traits_c)) if jj != j and (i, jj) not in valid]
        hetero += [r[ii, k + j] for ii in range(k) if ii != i and (ii, j) not in valid]
        mono = [r[i, ii] for ii in range(k) if ii != i]
        mono += [r[k + j, k + jj] for jj in range(len(traits_c)) if jj != j]
        n = counts[i, k + j]
        _, p = correlation_t_test(value, n)
        rels = reliability[[i, k + j]]
        rows.append({
            "subscale": traits_s[i], "criterion": traits_c[j], "r": value, "n": int(n),
            "p": float(p), "significant": bool(p < alpha and value > 0),
            "heteromethod_exceeded": int(sum(value > h for h in hetero)),
            "heteromethod_compared": len(hetero),
            "monomethod_exceeded": int(sum(value > m for m in mono)),
            "monomethod_compared": len(mono),
            "below_reliabilities": (bool(value < rels.min()) if np.isfinite(rels).all()
                                    else np.nan),
        })
    return pd.DataFrame(rows).set_index(["subscale", "criterion"])


def _criteria(validity: pd.DataFrame, k: int) -> pd.DataFrame:
    known = validity["below_reliabilities"].dropna()
    rows = {
        0: ("validity values below both reliabilities", int(known.astype(bool).sum()),
            len(known)),
        1: ("validity values different from zero", int(validity["significant"].sum()),
            len(validity)),
        2: ("validity values above the heterotrait-heteromethod values of their row and "
            "column", int(validity["heteromethod_exceeded"].sum()),
            int(validity["heteromethod_compared"].sum())),
        3: ("validity values above the heterotrait-monomethod values of their traits",
            int(validity["monomethod_exceeded"].sum()),
            int(validity["monomethod_compared"].sum())),
    }
    frame = pd.DataFrame.from_dict(rows, orient="index",
                                   columns=["description", "satisfied", "compared"])
    frame.index.name = "criterion"
    return frame
