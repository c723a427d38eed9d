"""score_items against psych::scoreItems (R reference JSON), hand examples, properties, refusals.

Reference: tests/fixtures/score_items_reference.R -> score_items_reference.json
(psych 2.2.9 on psychTools::bfi, impute = "none", all 2800 respondents).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from support import ITEM_IDS, make_scale

import alliance_scale
from alliance_scale import ResponseError, score, score_items
from alliance_scale.errors import OptionError
from alliance_scale.fielding._scoring import ScoreResult


@pytest.fixture(scope="module")
def reference(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "score_items_reference.json").read_text())


def reference_frame(reference: dict, name: str) -> pd.DataFrame:
    return pd.DataFrame(reference[name], index=reference["id"], dtype=float)


# --------------------------------------------------------------------------- R reference
def test_means_equal_psych_score_items_on_bfi(bfi, reference):
    expected = reference_frame(reference, "scores")
    out = score_items(bfi, reference["keys"], min_value=1, max_value=6)
    assert list(out.index.astype(str)) == reference["id"]
    got = out[expected.columns].to_numpy()
    assert np.array_equal(np.isnan(got), np.isnan(expected.to_numpy()))
    max_diff = np.nanmax(np.abs(got - expected.to_numpy()))
    assert max_diff <= 1e-9, max_diff
    missing = np.array(reference["n_missing_items"])
    assert (missing > 0).sum() > 300  # the reference does cover respondents with missing answers
    answered = out[[f"{k}_answered" for k in expected.columns]].sum(axis=1).to_numpy()
    np.testing.assert_array_equal(answered, 25 - missing)


def test_prorated_sums_equal_psych_totals_on_complete_rows(bfi, reference):
    # psych's totals with impute = "none" add the answered items (no prorating): equal to our
    # prorated sum exactly when every item is answered.
    expected = reference_frame(reference, "totals")
    out = score_items(bfi, reference["keys"], min_value=1, max_value=6, method="sum")
    complete = np.array(reference["n_missing_items"]) == 0
    diff = out[expected.columns].to_numpy()[complete] - expected.to_numpy()[complete]
    assert np.abs(diff).max() <= 1e-9


# --------------------------------------------------------------------------- by hand
def hand_data() -> pd.DataFrame:
    return pd.DataFrame(
        {"q1": [1, 5, np.nan, np.nan, 2], "q2": [2, 4, 3, np.nan, np.nan],
         "q3": [5, 1, 4, np.nan, np.nan], "q4": [3, 3, 3, np.nan, 4]},
        index=["a", "b", "c", "d", "e"],
    )


def test_hand_computed_scores():
    keys = {"s": ["q1", "-q2", "q3", "-q4"], "t": ["q4"]}
    out = score_items(hand_data(), keys, min_value=1, max_value=5)
    # a: 1, 6-2=4, 5, 6-3=3 -> 13/4 ; b: 5, 2, 1, 3 -> 11/4 ; c: 3, 4, 3 -> 10/3
    # d: nothing answered -> NaN ; e: 2, 6-4=2 -> 2
    np.testing.assert_allclose(out["s"], [3.25, 2.75, 10 / 3, np.nan, 2.0])
    np.testing.assert_array_equal(out["s_answered"], [4, 4, 3, 0, 2])
    np.testing.assert_allclose(out["t"], [3, 3, 3, np.nan, 4])
    assert list(out.columns) == ["s", "t", "s_answered", "t_answered"]
    assert list(out.index) == list("abcde")


def test_min_answered_and_prorated_sum():
    keys = {"s": ["q1", "-q2", "q3", "-q4"]}
    out = score_items(hand_data(), keys, min_value=1, max_value=5, min_answered=0.75,
                      method="sum")
    # c answered 3 of 4 (75%): prorated sum 10/3 * 4; e answered 2 of 4 (50%): not scored
    np.testing.assert_allclose(out["s"], [13, 11, 40 / 3, np.nan, np.nan])
    out = score_items(hand_data(), keys, min_value=1, max_value=5, min_answered=1.0)
    assert out["s"].notna().tolist() == [True, True, False, False, False]


# --------------------------------------------------------------------------- properties
@st.composite
def item_frames(draw):
    n = draw(st.integers(1, 40))
    p = draw(st.integers(1, 6))
    values = draw(arrays(np.float64, (n, p), elements=st.sampled_from([1.0, 2, 3, 4, 5, np.nan])))
    order = draw(st.permutations(range(n)))
    frame = pd.DataFrame(values, columns=[f"i{j}" for j in range(p)],
                         index=[f"r{k}" for k in order])
    signs = draw(st.lists(st.booleans(), min_size=p, max_size=p))
    return frame, signs


@settings(max_examples=60, deadline=None)
@given(item_frames(), st.floats(0, 1), st.sampled_from(["mean", "sum"]))
@pytest.mark.slow
def test_rows_are_never_dropped_or_reordered(case, min_answered, method):
    frame, signs = case
    keys = {"s": [("-" if r else "") + c for c, r in zip(frame.columns, signs, strict=True)],
            "first": [frame.columns[0]]}
    out = score_items(frame, keys, min_value=1, max_value=5, min_answered=min_answered,
                      method=method)
    assert out.index.equals(frame.index)
    shuffled = frame.iloc[::-1]
    again = score_items(shuffled, keys, min_value=1, max_value=5, min_answered=min_answered,
                        method=method)
    pd.testing.assert_frame_equal(again, out.iloc[::-1])


@settings(max_examples=60, deadline=None)
@given(item_frames())
def test_reversing_twice_is_the_identity(case):
    frame, signs = case
    columns = list(frame.columns)
    flip = np.array(signs)
    flipped = frame.copy()
    flipped.loc[:, flip] = 1 + 5 - frame.loc[:, flip]  # reversed once in the data...
    keys = {"s": [("-" if f else "") + c for c, f in zip(columns, flip, strict=True)]}
    pd.testing.assert_frame_equal(  # ...and once by the keys
        score_items(flipped, keys, min_value=1, max_value=5),
        score_items(frame, {"s": columns}, min_value=1, max_value=5),
        rtol=0, atol=1e-12,
    )


# --------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("keys", "kwargs", "words", "error"),
    [({"s": ["q1", "q9"]}, {}, "'q9'", ResponseError),
     ({"s": ["q1", "-q1"]}, {}, "twice", OptionError),
     ({"s": []}, {}, "non-empty", OptionError),
     ({"s": 5}, {}, "non-empty list", OptionError),
     ({"s": [1, 2]}, {}, "non-empty list", OptionError),
     ({}, {}, "non-empty", OptionError),
     ({"s": ["q1"]}, {"method": "median"}, "method", OptionError),
     ({"s": ["q1"]}, {"min_answered": 80}, "min_answered", OptionError),
     ({"s": ["q1"]}, {"min_answered": None}, "min_answered", OptionError),
     ({"s": ["q1"]}, {"min_value": 5, "max_value": 1}, "min_value", OptionError)],
)
def test_bad_keys_and_arguments(keys, kwargs, words, error):
    arguments = {"min_value": 1, "max_value": 5, **kwargs}
    with pytest.raises(error, match=words):
        score_items(hand_data(), keys, **arguments)


def test_out_of_range_and_text_values_are_refused():
    data = hand_data()
    data.loc["c", "q3"] = 6
    with pytest.raises(ResponseError) as info:
        score_items(data, {"s": ["q1", "q3"]}, min_value=1, max_value=5)
    assert (info.value.column, info.value.rows) == ("q3", ["c"])
    data = hand_data().astype(object)
    data.loc["b", "q2"] = "five"
    with pytest.raises(ResponseError) as info:
        score_items(data, {"s": ["q2"]}, min_value=1, max_value=5)
    assert (info.value.column, info.value.rows) == ("q2", ["b"])
    assert "'five'" in str(info.value)


def test_booleans_in_an_object_column_are_refused_by_score_items():
    data = hand_data().astype(object)
    data.loc["a", "q1"] = True
    data.loc["e", "q1"] = False
    with pytest.raises(ResponseError, match="True/False") as info:
        score_items(data, {"s": ["q1", "q2"]}, min_value=0, max_value=5)
    assert (info.value.column, info.value.rows) == ("q1", ["a", "e"])


def test_score_flags_booleans_and_shows_plain_values():
    data = responses().astype(object)
    data.loc[12, "C1_1"] = True
    with pytest.raises(ResponseError, match="True/False") as info:
        score(data, make_scale())
    assert (info.value.column, info.value.rows) == ("C1_1", [12])
    result = score(data, make_scale(), errors="flag")
    assert result.flags.loc[12, "problems"] == "C1_1: True, not a response code (True/False)"
    assert result.answered.loc[12, "C1"] == 1  # C1_1 set to missing, not coded 1
    data.loc[12, "C1_1"] = np.int64(9)
    with pytest.raises(ResponseError) as info:
        score(data, make_scale())
    assert "such as 9" in str(info.value) and "np." not in str(info.value)


def test_score_result_never_carries_free_text():
    data = responses().astype(object)
    data.loc[13, "A1a_1"] = "<secret> my therapist"
    result = score(data, make_scale(), errors="flag")
    assert result.flags.loc[13, "problems"] == "A1a_1: text, not a response code"
    shown = [result._repr_html_(), repr(result), result.to_frame().to_csv()]
    assert all("secret" not in text and "therapist" not in text for text in shown)


# --------------------------------------------------------------------------- score(scale)
def responses() -> pd.DataFrame:
    return pd.DataFrame(
        [[4, 2, 5, 4, 5, 1],            # complete
         [2, 4, np.nan, 2, 1, 5],       # one of 6 missing: facet A1 prorated (2 of 3)
         [np.nan, np.nan, np.nan, 5, 4, np.nan],
         [3, 3, 3, 3, 3, 3]],
        columns=ITEM_IDS, index=pd.Index([11, 12, 13, 14], name="pid"),
    )


def test_score_with_a_scale():
    result = score(responses(), make_scale())
    assert isinstance(result, ScoreResult)
    assert list(result.scores.columns) == ["A1", "A2", "C1", "A", "C", "total"]
    assert list(result.scores.index) == [11, 12, 13, 14]
    row = result.scores.loc[11]
    # A1: 4, 6-2=4, 5 ; A2: 4 ; C1: 5, 6-1=5 ; A: 4,4,5,4 ; total: 4,4,5,4,5,5
    np.testing.assert_allclose(row, [13 / 3, 4, 5, 17 / 4, 5, 27 / 6])
    second = result.scores.loc[12]
    # A1 answered 2 of 3 (< 80%): NaN; A: 3 of 4 (75% < 80%): NaN; total 5 of 6: prorated
    assert np.isnan(second["A1"]) and np.isnan(second["A"])
    np.testing.assert_allclose(second["total"], (2 + 2 + 2 + 1 + 1) / 5)
    assert result.flags.loc[12, "prorated"] == "total"
    assert result.flags.loc[12, "not_scored"] == "A1; A"
    assert result.flags.loc[11, "prorated"] == "" and result.flags.loc[11, "not_scored"] == ""
    assert result.flags.loc[13, "not_scored"] == "A1; C1; A; C; total"
    assert result.answered.loc[13, "total"] == 2
    frame = result.to_frame()
    assert list(frame.columns[-3:]) == ["prorated", "not_scored", "problems"]
    assert "ScoreResult" in repr(result) and "<table" in result._repr_html_()


def test_score_lower_threshold_and_sum():
    result = score(responses(), make_scale(), min_answered=0.5, method="sum")
    np.testing.assert_allclose(result.scores.loc[12, "A1"], (2 + 2) / 2 * 3)
    assert result.flags.loc[12, "prorated"] == "A1; A; total"


def test_score_refuses_or_flags_bad_values():
    data = responses().astype(object)
    data.loc[14, "C1_1"] = 8
    data.loc[11, "A2a_1"] = "Tout à fait d'accord"  # an anchor label: mapped to 5
    with pytest.raises(ResponseError) as info:
        score(data, make_scale())
    assert (info.value.column, info.value.rows) == ("C1_1", [14])
    result = score(data, make_scale(), errors="flag", min_answered=0.5)
    assert result.flags.loc[14, "problems"] == "C1_1: 8 outside 1-5"
    assert result.scores.loc[14, "C1"] == 3  # scored from the remaining item
    assert result.flags.loc[14, "prorated"] == "C1; C; total"
    assert result.scores.loc[11, "A2"] == 5
    assert list(result.scores.index) == [11, 12, 13, 14]


def test_score_a_drafted_scale():
    scale = alliance_scale.draft_scale()
    rng = np.random.default_rng(3)
    values = rng.integers(scale.min_value, scale.max_value + 1, size=(50, len(scale.items)))
    data = pd.DataFrame(values, columns=scale.item_ids).astype(float)
    data.iloc[0, 0] = np.nan
    result = score(data, scale)
    assert list(result.scores.columns) == list(scale.keys)
    assert result.scores.shape == (50, len(scale.keys))
    assert "total" in result.flags.loc[0, "prorated"].split("; ")
    assert (result.flags.iloc[1:, :] == "").all().all()
    keyed = np.array([item.keyed for item in scale.items])
    reversed_values = np.where(keyed < 0, scale.min_value + scale.max_value - values, values)
    np.testing.assert_allclose(result.scores["total"].iloc[1:], reversed_values[1:].mean(axis=1))


def test_reverse_codes_and_reverse_keyed_by_hand():
    from alliance_scale import reverse_codes, reverse_keyed

    frame = pd.DataFrame({"q1": [1.0, 5.0, np.nan], "q2": [2.0, 4.0, 3.0]}, index=list("abc"))
    flipped = reverse_keyed(frame, ["q2"], 1, 5)
    expected = pd.DataFrame({"q1": [1.0, 5.0, np.nan], "q2": [4.0, 2.0, 3.0]}, index=list("abc"))
    pd.testing.assert_frame_equal(flipped, expected)
    assert frame.loc["a", "q2"] == 2.0  # the input is not changed
    assert reverse_codes(2.5, 1, 7) == 5.5  # a mean reverses the same way


def test_score_does_not_check_the_answers_twice(monkeypatch):
    """score() validates through read_responses, then scores without the score_items checks."""
    import alliance_scale.fielding._scoring as module

    scale = make_scale()
    data = responses()
    expected = score(data, scale).scores

    def refuse(*args, **kwargs):
        raise AssertionError("answers checked a second time")

    monkeypatch.setattr(module, "_item_matrix", refuse)
    pd.testing.assert_frame_equal(score(data, scale).scores, expected)
    with pytest.raises(OptionError, match="method"):
        score(data, scale, method="median")
