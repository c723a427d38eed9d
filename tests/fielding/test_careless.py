"""Tests of alliance_scale.careless: hand-made examples, R reference values, simulated truth."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest

import alliance_scale as als
from alliance_scale import ResponseFormat, Scale, ScaleItem
from alliance_scale.errors import AllianceScaleWarning, AnalysisError, OptionError
from alliance_scale.fielding._careless import careless
from alliance_scale.fielding._simulation import simulate


def make_scale(ids: list[str], reversed_ids: tuple[str, ...] = (), points: int = 5,
               facet_of=lambda item: item[0]) -> Scale:
    items = tuple(
        ScaleItem(i, facet_of(i), facet_of(i), "D", "", "", -1 if i in reversed_ids else 1, "both")
        for i in ids
    )
    labels = tuple(str(k) for k in range(1, points + 1))
    return Scale("test", "0", "fr", "guided", items, ResponseFormat(points, labels, labels))


# ---------------------------------------------------------------------------- hand examples


def test_longstring_irv_and_inconsistency_on_a_hand_made_example() -> None:
    # items a1 a2 b1 b2 (b2 reverse-keyed), 5 points
    scale = make_scale(["a1", "a2", "b1", "b2"], reversed_ids=("b2",))
    data = pd.DataFrame(
        [[1, 2, 3, 4],        # runs of 1; sd of 1..4 = 1.2910
         [5, 5, 5, 5],        # one run of 4; sd 0; facet b: |5 - (6 - 5)| = 4
         [2, np.nan, 2, 3],   # missing skipped: 2, 2, 3 -> run 2
         [4, 4, 5, 1]],       # run 2; b: |5 - (6 - 1)| = 0
        index=["r1", "r2", "r3", "r4"], columns=["a1", "a2", "b1", "b2"])
    with pytest.warns(AllianceScaleWarning, match="Mahalanobis"):
        result = careless(data, scale)
    table = result.indices
    assert list(table.index) == ["r1", "r2", "r3", "r4"]
    assert table["longstring"].tolist() == [1, 4, 2, 2]
    assert table["answered"].tolist() == [4, 4, 3, 4]
    assert table["irv"].tolist() == pytest.approx(
        [math.sqrt(5 / 3), 0.0, math.sqrt(1 / 3), math.sqrt(3)])
    # only facet b has both key directions: |b1 - (6 - b2)|
    assert table["inconsistency"].tolist() == pytest.approx([1.0, 4.0, 1.0, 0.0])
    # default cut-offs: longstring >= 2 (half of 4), irv < .25, inconsistency >= 2
    assert table["flag_longstring"].tolist() == [False, True, True, True]
    assert table["flag_irv"].tolist() == [False, True, False, False]
    assert table["flag_inconsistency"].tolist() == [False, True, False, False]
    assert result.cutoffs["longstring >="] == 2


def test_configurable_cutoffs_and_irv_quantile() -> None:
    scale = make_scale(["a1", "a2", "b1", "b2"], reversed_ids=("b2",))
    data = pd.DataFrame([[1, 2, 3, 4], [5, 5, 5, 5], [2, 1, 2, 3], [4, 4, 5, 1]],
                        columns=["a1", "a2", "b1", "b2"])
    with pytest.warns(AllianceScaleWarning, match="Mahalanobis"):
        result = careless(data, scale, longstring_cutoff=4, irv_cutoff=None, irv_quantile=0.5,
                          inconsistency_cutoff=5)
    table = result.indices
    assert table["flag_longstring"].tolist() == [False, True, False, False]
    # irv: 1.29, 0, 0.577, 1.66 -> median 0.93; below it: rows 1 and 2 (0-based)
    assert table["flag_irv"].tolist() == [False, True, True, False]
    assert not table["flag_inconsistency"].any()
    assert table["n_flags"].tolist() == [0, 2, 1, 0]
    assert table["flagged"].tolist() == [False, True, True, False]
    assert result.n_flagged == 2
    assert result.flagged_ids == ["1", "2"]


def test_no_facet_with_both_key_directions_gives_nan_inconsistency_never_flagged() -> None:
    scale = make_scale(["a1", "a2", "b1"])
    data = pd.DataFrame([[1, 2, 3], [5, 5, 5], [2, 4, 2]], columns=["a1", "a2", "b1"])
    with pytest.warns(AllianceScaleWarning, match="Mahalanobis"):
        table = careless(data, scale).indices
    assert table["inconsistency"].isna().all()
    assert not table["flag_inconsistency"].any()


def test_respondent_without_any_answer_is_kept_unflagged_and_other_columns_ignored() -> None:
    scale = make_scale(["a1", "a2", "b1"])
    data = pd.DataFrame({"wai_bond": [1.0, 2.0, 3.0, 4.0], "b1": [3, np.nan, 2, 5],
                         "a1": [1, np.nan, 2, 4], "a2": [2, np.nan, 2, 1]})
    with pytest.warns(AllianceScaleWarning, match="Mahalanobis"):
        table = careless(data, scale).indices
    assert len(table) == 4
    assert table.loc[1, "longstring"] == 0
    assert table.loc[1, "answered"] == 0
    assert np.isnan(table.loc[1, "irv"])
    assert not table.loc[1, "flagged"]
    # administration order is the scale's (a1, a2, b1), not the frame's
    assert table.loc[2, "longstring"] == 3


def test_repr_and_html_are_available() -> None:
    scale = make_scale(["a1", "a2", "b1"])
    data = pd.DataFrame([[1, 2, 3], [5, 5, 5], [2, 4, 2]], columns=["a1", "a2", "b1"])
    with pytest.warns(AllianceScaleWarning, match="Mahalanobis"):
        result = careless(data, scale)
    assert "flagged" in repr(result)
    assert "<table" in result._repr_html_()


# ---------------------------------------------------------------------------- R reference


@pytest.fixture(scope="module")
def reference(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "careless_reference.json").read_text())


def test_indices_match_base_r_on_bfi(bfi_items: pd.DataFrame, reference: dict) -> None:
    items = bfi_items.iloc[: reference["rows"]]
    scale = make_scale(list(items.columns), reversed_ids=tuple(reference["reversed"]),
                       points=6)
    table = careless(items, scale).indices
    assert list(table.index) == reference["id"]
    assert table["longstring"].tolist() == reference["longstring"]
    np.testing.assert_allclose(table["irv"], reference["irv"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(table["inconsistency"], reference["inconsistency"], atol=1e-12)
    assert table["mahalanobis_df"].tolist() == reference["mahalanobis_df"]
    np.testing.assert_allclose(table["mahalanobis"], reference["mahalanobis"], rtol=1e-9)
    np.testing.assert_allclose(table["mahalanobis_p"], reference["mahalanobis_p"], rtol=1e-7,
                               atol=1e-15)
    assert table["flag_mahalanobis"].tolist() == [p < 0.001 for p in reference["mahalanobis_p"]]


def test_complete_data_mahalanobis_matches_stats_mahalanobis(bfi_items: pd.DataFrame,
                                                             reference: dict) -> None:
    complete = bfi_items.iloc[: reference["rows"]].dropna()
    scale = make_scale(list(complete.columns), points=6)
    table = careless(complete, scale).indices
    assert list(table.index) == reference["complete_id"]
    np.testing.assert_allclose(table["mahalanobis"], reference["mahalanobis_complete"],
                               rtol=1e-9)


# ---------------------------------------------------------------------------- simulated truth


def test_injected_careless_respondents_are_flagged_and_clean_ones_rarely() -> None:
    ids = [f"{f}{k}" for f in "abcdef" for k in range(1, 6)]
    scale = make_scale(ids, reversed_ids=("a2", "b2", "c2", "d2", "e2", "f2"))
    sim = simulate(scale, 2000, seed=11, careless_rate=0.05, missing_rate=0.01, wai=False)
    table = careless(sim.data, scale).indices
    injected = sim.truth.careless_ids
    assert len(injected) == 100
    assert table.loc[injected, "flagged"].mean() >= 0.95
    assert table.drop(index=injected)["flagged"].mean() <= 0.02
    straight = sim.truth.careless.index[sim.truth.careless["kind"] == "straight-line"]
    assert table.loc[straight, "flag_longstring"].all()
    assert table.loc[straight, "flag_irv"].all()


# ---------------------------------------------------------------------------- bad input


def test_bad_input_is_refused_with_the_culprit_named() -> None:
    scale = make_scale(["a1", "a2", "b1"])
    good = pd.DataFrame([[1, 2, 3], [5, 4, 5], [2, 4, 2], [3, 3, 1], [4, 1, 4]],
                        columns=["a1", "a2", "b1"])
    with pytest.raises(AnalysisError, match="b1"):
        careless(good.drop(columns="b1"), scale)
    with pytest.raises(AnalysisError, match=r"column 'a2', row 1.*outside"):
        careless(good.assign(a2=[2, 7, 4, 3, 1]), scale)
    with pytest.raises(AnalysisError, match="a1"):
        careless(good.assign(a1=["x", "1", "2", "3", "4"]), scale)
    with pytest.raises(OptionError, match="DataFrame"):
        careless(good.to_numpy(), scale)
    with pytest.raises(OptionError, match="Scale"):
        careless(good, "scale")
    for name, value in [("longstring_cutoff", 1), ("irv_cutoff", -1), ("irv_quantile", 1.0),
                        ("inconsistency_cutoff", 0), ("mahalanobis_alpha", 0)]:
        with pytest.raises(OptionError, match=name):
            careless(good, scale, **{name: value})


def test_too_few_respondents_for_mahalanobis_warns_and_keeps_other_indices() -> None:
    scale = make_scale(["a1", "a2", "b1", "b2"])
    data = pd.DataFrame([[1, 2, 3, 4], [5, 4, 5, 5], [2, 4, 2, 1]],
                        columns=["a1", "a2", "b1", "b2"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = careless(data, scale).indices
    assert any(issubclass(w.category, AllianceScaleWarning) for w in caught)
    assert table["mahalanobis"].isna().all()
    assert not table["flag_mahalanobis"].any()
    assert table["longstring"].tolist() == [1, 2, 1]


def test_a_handful_of_respondents_still_gets_longstring_and_irv():
    """Five respondents leave some items constant: the indices that need no variance are
    still computed, and Mahalanobis says why it is missing."""
    import pytest

    from alliance_scale import AllianceScaleWarning, careless, draft_scale, load_pilot

    scale = draft_scale()
    few = load_pilot()[scale.item_ids].iloc[:5]
    with pytest.warns(AllianceScaleWarning, match="Mahalanobis distances not computed"):
        result = careless(few, scale)
    assert list(result.indices.index) == list(few.index)
    assert result.indices["longstring"].notna().all()
    assert result.indices["irv"].notna().all()


# ---------------------------------------------------------------------------- refactor checks


def test_n_flagged_follows_from_the_table_and_cutoffs_are_integers() -> None:
    from alliance_scale.fielding._careless import CarelessResult

    scale = make_scale(["a1", "a2", "b1", "b2"], reversed_ids=("b2",))
    data = pd.DataFrame([[1, 2, 3, 4], [5, 5, 5, 5], [2, 1, 2, 3], [4, 4, 5, 1], [3, 2, 4, 2]],
                        columns=["a1", "a2", "b1", "b2"], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        result = careless(data, scale, longstring_cutoff=4)
    assert result.n_flagged == int(result.indices["flagged"].sum()) >= 1
    rebuilt = CarelessResult(indices=result.indices, cutoffs=result.cutoffs)
    assert rebuilt.n_flagged == result.n_flagged
    for bad in (4.0, True, 1):
        with pytest.raises(OptionError, match="longstring_cutoff"):
            careless(data, scale, longstring_cutoff=bad)


def test_reverse_inconsistency_takes_the_response_range_by_name() -> None:
    from alliance_scale.fielding._careless import reverse_inconsistency

    scale = make_scale(["a1", "a2"], reversed_ids=("a2",))
    values = np.array([[5.0, 1.0], [5.0, 5.0], [2.0, np.nan]])
    # a2 reversed on 1..5: 6 - a2 -> gaps |5 - 5| = 0, |5 - 1| = 4, NaN (no a2 answer)
    gaps = reverse_inconsistency(values, list(scale.items), response_range=(1, 5))
    np.testing.assert_array_equal(gaps, [0.0, 4.0, np.nan])


def test_flagged_ids_are_text_whatever_the_source():
    # issue #17: ints from a DataFrame, text from a file: one type (text, as read_responses)
    scale = als.draft_scale()
    pilot = als.load_pilot()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 40 respondents: Mahalanobis not computable
        from_file = als.careless(als.read_responses(als.example_export("redcap_raw"), scale),
                                 scale).flagged_ids
        from_frame = als.careless(pilot.loc[1:40], scale).flagged_ids
        by_event = pilot.loc[1:40].set_axis(
            pd.MultiIndex.from_arrays([pilot.index[:40], ["baseline"] * 40]))
        from_events = als.careless(by_event, scale).flagged_ids
    assert from_file == from_frame == ["20", "40"]
    assert from_events == [("20", "baseline"), ("40", "baseline")]
    assert all(type(label) is str for label in als.careless(pilot, scale).flagged_ids)
