"""The validation layer (alliance_scale._checks): one class per kind of mistake."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alliance_scale import AllianceScaleError, AnalysisError, OptionError
from alliance_scale._checks import (
    _item_values,
    analysis_input,
    as_item_frame,
    check_choice,
    check_flag,
    check_frame,
    check_integer,
    check_number,
    check_seed,
    check_share,
)


def test_option_error_is_a_value_error_of_the_family():
    assert issubclass(OptionError, AllianceScaleError)
    assert issubclass(OptionError, ValueError)
    assert not issubclass(OptionError, AnalysisError)


@pytest.mark.parametrize("value", [3.0, True, "3", None, np.float64(3)])
def test_integers_refuse_floats_booleans_text_and_none(value):
    with pytest.raises(OptionError, match="n_factors must be an integer"):
        check_integer("n_factors", value)


def test_integer_bounds_and_types():
    assert check_integer("n", np.int64(3), minimum=3) == 3
    assert type(check_integer("n", np.int32(4))) is int
    with pytest.raises(OptionError, match=">= 2; got 1"):
        check_integer("cutoff", 1, minimum=2)
    with pytest.raises(OptionError, match="<= 7; got 8"):
        check_integer("points", 8, maximum=7)


@pytest.mark.parametrize("value", ["0.9", None, True, np.nan, np.inf, [0.9]])
def test_numbers_refuse_text_none_booleans_and_non_finite(value):
    with pytest.raises(OptionError, match="confidence"):
        check_number("confidence", value, 0, 1)


def test_number_intervals_open_and_closed():
    assert check_number("x", 0, 0, 1) == 0.0
    with pytest.raises(OptionError, match=r"\(0, 1\)"):
        check_number("x", 0, 0, 1, low_open=True, high_open=True)
    with pytest.raises(OptionError, match=r"\[0, 1\]; got 80"):
        check_share("min_answered", 80)


def test_choices_refuse_unknown_unhashable_and_booleans():
    check_choice("cor", "pearson", ("pearson", "polychoric"))
    for bad in ("Pearson", ["pearson"], True, None):
        with pytest.raises(OptionError, match="cor must be one of 'pearson', 'polychoric'"):
            check_choice("cor", bad, ("pearson", "polychoric"))


def test_flags_and_frames():
    assert check_flag("sort", np.bool_(True)) is True
    with pytest.raises(OptionError, match="sort must be True or False"):
        check_flag("sort", 1)
    with pytest.raises(OptionError, match="must be a pandas DataFrame, got list"):
        check_frame("data", [[1, 2]])
    columns = pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")])
    with pytest.raises(OptionError, match="MultiIndex"):
        check_frame("data", pd.DataFrame([[1, 2]], columns=columns))
    with pytest.raises(OptionError, match="MultiIndex"):
        as_item_frame(pd.DataFrame([[1, 2], [2, 1]], columns=columns))


@pytest.mark.parametrize("seed", [-1, 1.5, "abc", True, np.random.RandomState(0)])
def test_seeds_refuse_what_draft_scale_and_simulate_refuse(seed):
    with pytest.raises(OptionError, match="an integer >= 0, a numpy Generator or None"):
        check_seed("seed", seed)


def test_seeds_give_reproducible_streams_and_pass_generators_through():
    assert check_seed("seed", 7).random() == check_seed("seed", 7).random()
    generator = np.random.default_rng(1)
    assert check_seed("seed", generator) is generator
    assert isinstance(check_seed("seed", None), np.random.Generator)


def test_a_matrix_is_given_explicitly_or_positionally_with_n_obs():
    r = np.array([[1.0, 0.3], [0.3, 1.0]])
    kind, frame, n = analysis_input(None, r, 50)
    assert (kind, list(frame.columns), n) == ("matrix", ["item1", "item2"], 50)
    kind, frame, n = analysis_input(pd.DataFrame(r, index=["a", "b"], columns=["a", "b"]),
                                    None, 50)
    assert (kind, list(frame.columns), n) == ("matrix", ["a", "b"], 50)
    responses = pd.DataFrame({"a": [1, 2, 3], "b": [3, 1, 2]})
    kind, frame, n = analysis_input(responses, None, None)
    assert kind == "items" and frame is responses and n is None


def test_a_square_table_of_responses_is_never_taken_for_a_matrix():
    responses = pd.DataFrame(np.eye(3), columns=list("abc"))  # looks like a matrix
    assert analysis_input(responses, None, None)[0] == "items"


def test_matrix_input_refusals_say_why():
    r = np.array([[1.0, 0.3], [0.2, 1.0]])
    with pytest.raises(AnalysisError, match="not symmetric"):
        analysis_input(None, r, 50)
    with pytest.raises(AnalysisError, match="leave it out for item responses"):
        analysis_input(pd.DataFrame({"a": [1, 2, 4], "b": [3, 1, 2]}), None, 50)
    with pytest.raises(OptionError, match="not both"):
        analysis_input(pd.DataFrame({"a": [1, 2]}), np.eye(2), None)
    with pytest.raises(OptionError, match="n_obs is needed"):
        analysis_input(None, np.eye(2), None, need_n_obs=True)
    with pytest.raises(OptionError, match="n_obs must be an integer >= 2"):
        analysis_input(None, np.eye(2), 1)


# ------------------------------------------------- as_item_frame: one pass, same results


def _item_by_item(frame: pd.DataFrame, allow_constant: bool = False) -> pd.DataFrame:
    """The item-by-item reference (the exact test every refusal goes through)."""
    return pd.DataFrame({name: _item_values(frame[name], frame.index, allow_constant)
                         for name in frame.columns}, index=frame.index)


def _frames() -> list[pd.DataFrame]:
    rng = np.random.default_rng(17)
    codes = rng.integers(1, 7, size=(60, 8)).astype(float)
    codes[rng.random(codes.shape) < 0.1] = np.nan
    mixed = pd.DataFrame(codes, index=[f"r{i}" for i in range(60)],
                         columns=[f"q{j}" for j in range(8)])
    mixed["q0"] = mixed["q0"].astype("Float64")
    mixed["q1"] = rng.integers(1, 5, 60)  # plain integers
    mixed["q2"] = pd.array(rng.integers(1, 5, 60), dtype="Int64")
    mixed.loc["r3", "q2"] = pd.NA
    return [
        pd.DataFrame(codes),  # RangeIndex columns
        mixed,
        pd.DataFrame(rng.normal(size=(40, 5)) * 1e100, columns=list("abcde")),
        pd.DataFrame(rng.normal(size=(40, 5)) * 1e-60, columns=list("abcde")),
        pd.DataFrame(rng.integers(1, 6, size=(50, 4)), columns=list("abcd")),  # complete
    ]


@pytest.mark.parametrize("frame", _frames())
def test_as_item_frame_gives_the_item_by_item_result(frame):
    fast = as_item_frame(frame)
    pd.testing.assert_frame_equal(fast, _item_by_item(frame), check_exact=True)
    assert fast.to_numpy().flags.f_contiguous == _item_by_item(frame).to_numpy().flags.f_contiguous
    assert not np.shares_memory(fast.to_numpy(), frame.to_numpy())  # a copy, never a view
    assert fast.columns.name is None and fast.columns is not frame.columns


def test_naming_the_checked_frame_s_columns_leaves_the_input_alone():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, 2.0]})
    frame.columns.name = "question"
    checked = as_item_frame(frame)
    checked.columns.name = "item"
    assert frame.columns.name == "question" and checked.columns.name == "item"


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # np.var, 1e160
@pytest.mark.parametrize(("column", "values", "message"), [
    ("c", [1.0, np.inf, 2.0, 3.0], "infinite"),
    ("c", [np.nan] * 4, "no observed value"),
    ("c", [2.0, 2.0, np.nan, 2.0], "constant"),
    ("c", [1e-170, 2e-170, 3e-170, 1e-170], "floating point"),
    ("c", [1e160, -1e160, 3e160, 0.0], "floating point"),
])
def test_as_item_frame_refuses_what_the_item_by_item_test_refuses(column, values, message):
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [4.0, 3.0, 2.0, 1.0], "c": values,
                          "d": [np.inf, 1, 2, 3] if message == "constant" else [1, 2, 1, 2]})
    with pytest.raises(AnalysisError, match=message) as refused:
        as_item_frame(frame)
    assert "'c'" in str(refused.value) or "c:" in str(refused.value) or " c" in str(refused.value)
    with pytest.raises(AnalysisError) as reference:
        _item_by_item(frame)
    assert str(refused.value) == str(reference.value)


@pytest.mark.parametrize("c", [[2.0, 2.0, 2.0], [2.0, np.nan, 2.0]])
def test_as_item_frame_accepts_constant_items_when_allowed(c):
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": c})
    pd.testing.assert_frame_equal(as_item_frame(frame, allow_constant=True),
                                  _item_by_item(frame, allow_constant=True), check_exact=True)
    with pytest.raises(AnalysisError, match="constant"):
        as_item_frame(frame)
