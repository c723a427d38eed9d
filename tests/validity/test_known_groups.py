"""known_groups against R (Welch t.test, Hedges' g with the noncentral t interval; see
tests/fixtures/convergent_reference.R), the blueprint's predictions, simulated effects and
bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import alliance_scale as als
from alliance_scale import KnownGroupsResult, known_groups
from alliance_scale.errors import AnalysisError, OptionError, ResponseError


@pytest.fixture(scope="module")
def reference(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "convergent_reference.json").read_text())


@pytest.fixture(scope="module")
def bfi_groups(bfi, reference) -> tuple[pd.DataFrame, pd.Series]:
    keys = reference["keys"]
    rows = reference["known_groups"]["rows"]
    scores = als.score_items(bfi, keys, min_value=1, max_value=6)[list(keys)].iloc[:rows]
    return scores, bfi["gender"].iloc[:rows].map({1: "male", 2: "female"})


def test_differences_are_r(bfi_groups, reference) -> None:
    scores, gender = bfi_groups
    result = known_groups(scores, gender,
                          predictions={k: "male < female" for k in scores.columns})
    for name, ref in reference["known_groups"]["scales"].items():
        row = result.table.loc[name]
        assert (row["n_1"], row["n_2"]) == (ref["n1"], ref["n2"])
        for ours, theirs in (("mean_1", "mean1"), ("mean_2", "mean2"), ("sd_1", "sd1"),
                             ("sd_2", "sd2"), ("hedges_g", "g"), ("ci_lower", "lower"),
                             ("ci_upper", "upper"), ("t", "welch_t"), ("p", "welch_p")):
            assert abs(row[ours] - ref[theirs]) < 1e-10, (name, ours)
        assert abs(row["df"] - ref["welch_df"]) < 1e-9
        assert row["as_predicted"] == (ref["mean2"] > ref["mean1"])
    assert (result.as_predicted, result.predicted) == (4, 5)  # openness: not as predicted


def test_blueprint_predicts_lower_b_and_c_for_automated_programs() -> None:
    scale = als.draft_scale()
    sim = als.simulate(scale, 400, seed=11)
    scores = als.score(sim.data, scale).scores
    program = pd.Series(np.where(scores.index % 2 == 0, "guided", "automated"),
                        index=scores.index, name="program")
    lowered = scores.copy()
    human = ["B", "B3", "C", "C2"]  # where the needs_human leaves are
    lowered.loc[program == "automated", human] -= 0.4
    result = known_groups(lowered, program)
    predicted = result.table[result.table["prediction"] != ""]
    assert sorted(predicted.index) == human  # in the order of the scores: facets first
    assert (predicted["prediction"] == "automated < guided").all()
    assert (predicted["as_predicted"] == True).all()  # noqa: E712
    assert (predicted["ci_lower"] > 0).all()
    assert result.table.loc["A", "prediction"] == ""
    assert np.isnan(result.table.loc["A", "as_predicted"])
    # the opposite effect is caught as not predicted
    raised = scores.copy()
    raised.loc[program == "automated", human] += 0.4
    assert known_groups(raised, program).as_predicted == 0
    assert "0 of 4" in repr(known_groups(raised, program))


def test_groups_may_be_a_column_and_rows_are_matched_by_id(bfi_groups) -> None:
    scores, gender = bfi_groups
    a = known_groups(scores, gender)
    b = known_groups(scores.assign(gender=gender), "gender")
    pd.testing.assert_frame_equal(a.table, b.table)
    c = known_groups(scores, gender.sample(frac=1.0, random_state=2))
    pd.testing.assert_frame_equal(a.table, c.table)
    assert isinstance(a, KnownGroupsResult) and a.predicted == 0
    assert "no prediction made" in repr(a) and "e-" not in repr(a).split("\n", 4)[-1]


def test_bad_input_is_named(bfi_groups) -> None:
    scores, gender = bfi_groups
    with pytest.raises(ResponseError, match="without a group") as error:
        known_groups(scores, gender.where(gender.index != gender.index[3]))
    assert error.value.rows == [gender.index[3]]
    with pytest.raises(ResponseError, match="in groups only"):
        known_groups(scores.iloc[1:], gender)
    with pytest.raises(AnalysisError, match="exactly 2 groups; got 3"):
        known_groups(scores, gender.where(gender.index != gender.index[0], "other"))
    with pytest.raises(OptionError, match="'low_group < high_group'"):
        known_groups(scores, gender, predictions={"agree": "male > female"})
    with pytest.raises(OptionError, match="group 'men'"):
        known_groups(scores, gender, predictions={"agree": "men < female"})
    with pytest.raises(OptionError, match="'trust'"):
        known_groups(scores, gender, predictions={"trust": "male < female"})
    with pytest.raises(OptionError, match="column of the scores"):
        known_groups(scores, "sex")
    with pytest.raises(OptionError, match="confidence"):
        known_groups(scores, gender, confidence=95)
    tiny = scores.assign(gender=gender)
    tiny.loc[tiny["gender"] == "male", "agree"] = np.nan
    tiny.loc[tiny.index[tiny["gender"] == "male"][0], "agree"] = 4.0
    with pytest.raises(AnalysisError, match=r"'agree'.*fewer than 2"):
        known_groups(tiny, "gender")


def test_cohen_d_beside_hedges_g_is_psych_cohen_d(bfi, fixtures_dir) -> None:
    """psych::cohen.d 2.2.9 by gender on five bfi items (tests/fixtures/cfa_gaps_reference.R):
    the effect (pooled SD with divisor n1 + n2) and its cohen.d.ci interval."""
    reference = json.loads((fixtures_dir / "cfa_gaps_reference.json").read_text())["cohen_d"]
    items = reference["items"]
    result = known_groups(bfi[items], bfi["gender"].map({1: "male", 2: "female"}).rename("g"),
                          predictions={})
    table = result.table.loc[items]
    if result.groups != ("female", "male"):  # pragma: no cover - sorted order is fixed
        raise AssertionError(result.groups)
    # sorted groups: female first, so the difference is male - female: psych's is 2 - 1
    np.testing.assert_allclose(-table["cohen_d"], reference["d"], atol=1e-10)
    np.testing.assert_allclose(-table["d_ci_upper"], reference["lower"], atol=1e-5)
    np.testing.assert_allclose(-table["d_ci_lower"], reference["upper"], atol=1e-5)
    # d is g without Hedges' factor, on a slightly smaller SD: |d| > |g|, same sign
    assert ((table["cohen_d"].abs() > table["hedges_g"].abs())
            & (np.sign(table["cohen_d"]) == np.sign(table["hedges_g"]))).all()
