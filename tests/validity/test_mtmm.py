"""mtmm: the matrix (correlations, reliabilities on the diagonal), the validity pairs from the
hypotheses, Campbell & Fiske's counts on data whose truth makes them fail, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import alliance_scale as als
from alliance_scale import MTMMResult, mtmm
from alliance_scale.errors import AnalysisError, OptionError

SCALE = als.draft_scale()
WAI = list(als.WAI_COLUMNS)
RELIABILITIES = {"wai_goal": 0.85, "wai_task": 0.86, "wai_bond": 0.88}


@pytest.fixture(scope="module")
def pilot() -> pd.DataFrame:
    return als.load_pilot()


@pytest.fixture(scope="module")
def scores(pilot) -> als.ScoreResult:
    return als.score(pilot, SCALE)


@pytest.mark.slow
def test_matrix_holds_correlations_and_reliabilities(pilot, scores) -> None:
    rel = als.reliability(pilot, SCALE)
    result = mtmm(scores, pilot[WAI], reliabilities=rel, criterion_reliabilities=RELIABILITIES)
    assert isinstance(result, MTMMResult) and result.to_frame() is result.matrix
    matrix = result.matrix
    assert list(matrix.index) == [("DTA", "A"), ("DTA", "B"), ("DTA", "C"),
                                  ("criterion", "goal"), ("criterion", "task"),
                                  ("criterion", "bond")]
    both = pd.concat([scores.scores[["A", "B", "C"]], pilot[WAI]], axis=1)
    expected = both.corr().to_numpy()  # no missing value among these scores
    off = ~np.eye(6, dtype=bool)
    np.testing.assert_allclose(matrix.to_numpy()[off], expected[off], atol=1e-14)
    np.testing.assert_allclose(np.diag(matrix)[:3], rel.table.loc[["A", "B", "C"], "alpha"])
    np.testing.assert_allclose(np.diag(matrix)[3:], [0.85, 0.86, 0.88])


def test_validity_pairs_and_counts_on_the_pilot(pilot, scores) -> None:
    result = mtmm(scores, pilot[WAI])
    validity = result.validity
    assert list(validity.index) == [("A", "task"), ("B", "task"), ("B", "bond"), ("C", "bond")]
    # A-task: its row (A-goal, A-bond) and its column (C-task; B-task is a validity value)
    assert validity.loc[("A", "task"), "heteromethod_compared"] == 3
    assert validity.loc[("B", "bond"), "heteromethod_compared"] == 2  # B-goal, A-bond
    assert (validity["monomethod_compared"] == 4).all()  # 2 other DTA + 2 other WAI traits
    criteria = result.criteria
    assert criteria.loc[2, "compared"] == validity["heteromethod_compared"].sum() == 10
    assert criteria.loc[0, "compared"] == 0  # reliabilities unknown
    assert "not computed (reliabilities unknown)" in repr(result)


def test_a_truth_against_the_hypotheses_fails_criterion_2() -> None:
    # A related to goal and bond, not task: the A-task validity value is then below A-goal
    # and A-bond in its own row
    sim = als.simulate(SCALE, 1500, seed=4, bordin={"A": ["goal", "bond"]})
    result = mtmm(als.score(sim.data, SCALE), sim.data[WAI])
    a_task = result.validity.loc[("A", "task")]
    assert a_task["heteromethod_exceeded"] <= a_task["heteromethod_compared"] - 2
    others = result.validity.drop(index=("A", "task"))
    assert (others["heteromethod_exceeded"] == others["heteromethod_compared"]).all()
    assert result.criteria.loc[2, "satisfied"] < result.criteria.loc[2, "compared"]


def test_hypotheses_and_subscales_choose_the_matrix(pilot, scores) -> None:
    result = mtmm(scores, pilot[WAI], subscales=["B2", "C3", "A1"],
                  hypotheses=["B2 ~ goal > B1 ~ goal", "C3 ~ goal >= .3"])
    assert list(result.validity.index) == [("B2", "goal"), ("C3", "goal")]
    assert [t for _, t in result.matrix.index][:3] == ["B2", "C3", "A1"]


def test_bad_input_is_named(pilot, scores) -> None:
    with pytest.raises(AnalysisError, match="no hypothesised pair"):
        mtmm(scores, pilot[WAI], subscales=["A1", "A2"])
    with pytest.raises(OptionError, match="'Q'"):
        mtmm(scores, pilot[WAI], subscales=["A", "Q"])
    with pytest.raises(OptionError, match="alpha"):
        mtmm(scores, pilot[WAI], alpha=0)
