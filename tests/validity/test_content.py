"""Content validity indices against hand-computed values (Polit, Beck & Owen 2007)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alliance_scale import OptionError, ResponseError, content_validity, draft_scale, load_item_bank

# Six experts (rows) rate four items (columns) on 1-4; "agree" = 3 or 4.
#   X: 4 4 3 4 3 4 -> A = 6 of N = 6, I-CVI = 1,      Pc = C(6,6)/2^6 = 1/64  = .015625
#                     k* = (1 - 1/64)/(1 - 1/64) = 1                          -> excellent
#   Y: 4 3 3 2 4 4 -> A = 5, I-CVI = 5/6 = .833333,   Pc = C(6,5)/64 = 6/64  = .09375
#                     k* = (.833333 - .09375)/.90625 = .816092                -> excellent
#   Z: 4 2 3 1 4 3 -> A = 4, I-CVI = .666667,         Pc = C(6,4)/64 = 15/64 = .234375
#                     k* = (.666667 - .234375)/.765625 = .564626              -> fair
#   W: 1 2 3 4 2 3 -> A = 3, I-CVI = .5,              Pc = C(6,3)/64 = 20/64 = .3125
#                     k* = (.5 - .3125)/.6875 = .272727                       -> poor
# S-CVI/Ave = (1 + 5/6 + 4/6 + 3/6)/4 = 3/4 = .75; S-CVI/UA = 1 of 4 items = .25.
# Pass at .78: X (1.00) and Y (.83); Z (.67) and W (.50) fail.
RATINGS = pd.DataFrame(
    {
        "X": [4, 4, 3, 4, 3, 4],
        "Y": [4, 3, 3, 2, 4, 4],
        "Z": [4, 2, 3, 1, 4, 3],
        "W": [1, 2, 3, 4, 2, 3],
    },
    index=[f"expert{k}" for k in range(1, 7)],
)


def test_hand_computed_example() -> None:
    result = content_validity(RATINGS)
    table = result.to_frame()
    assert list(table.index) == ["X", "Y", "Z", "W"]
    assert list(table["n_experts"]) == [6, 6, 6, 6]
    assert list(table["agreeing"]) == [6, 5, 4, 3]
    np.testing.assert_allclose(table["i_cvi"], [1, 5 / 6, 4 / 6, 3 / 6], atol=1e-12)
    np.testing.assert_allclose(table["chance_agreement"], [1 / 64, 6 / 64, 15 / 64, 20 / 64],
                               atol=1e-12)
    np.testing.assert_allclose(table["kappa"], [1.0, 0.816092, 0.564626, 0.272727], atol=1e-6)
    assert list(table["interpretation"]) == ["excellent", "excellent", "fair", "poor"]
    assert list(table["passes"]) == [True, True, False, False]
    assert result.passing == ["X", "Y"]
    assert result.s_cvi_ave == pytest.approx(0.75)
    assert result.s_cvi_ua == pytest.approx(0.25)
    assert result.n_experts == 6
    assert "S-CVI/Ave" in repr(result)


def test_polit_table_row_nine_experts_seven_agreeing() -> None:
    # Polit et al. (2007), table 2: N = 9, A = 7 -> I-CVI .78, Pc .070, k* .76 excellent.
    # Pc = C(9,7)/2^9 = 36/512 = .0703125; k* = (7/9 - .0703125)/(1 - .0703125) = .760971
    ratings = pd.DataFrame({"A1a_1": [4, 4, 4, 3, 3, 3, 4, 1, 2]})
    row = content_validity(ratings).to_frame().loc["A1a_1"]
    assert row["chance_agreement"] == pytest.approx(0.0703125)
    assert row["kappa"] == pytest.approx(0.760971, abs=1e-6)
    assert row["interpretation"] == "excellent"
    assert bool(row["passes"])  # .78 to two decimals


def test_good_band_and_cutoff_option() -> None:
    # N = 4, A = 3: I-CVI .75, Pc = 4/16 = .25, k* = (.75 - .25)/.75 = .666667 -> good.
    ratings = pd.DataFrame({"i": [4, 3, 3, 1]})
    result = content_validity(ratings, cutoff=0.7)
    assert result.to_frame().loc["i", "kappa"] == pytest.approx(2 / 3)
    assert result.to_frame().loc["i", "interpretation"] == "good"
    assert result.passing == ["i"]
    assert content_validity(ratings).passing == []


def test_missing_ratings_reduce_that_item_s_experts() -> None:
    ratings = RATINGS.astype(float)
    ratings.loc["expert6", "Y"] = np.nan  # Y: 4 3 3 2 4 -> N = 5, A = 4, I-CVI .8
    table = content_validity(ratings).to_frame()
    assert table.loc["Y", "n_experts"] == 5 and table.loc["Y", "agreeing"] == 4
    assert table.loc["Y", "i_cvi"] == pytest.approx(0.8)
    # Pc = C(5,4)/32 = 5/32; k* = (.8 - 5/32)/(27/32) = .762963
    assert table.loc["Y", "kappa"] == pytest.approx(0.762963, abs=1e-6)


@pytest.mark.parametrize("bad", [5, 0, 2.5, "high"])
def test_out_of_range_rating_names_item_and_expert(bad: object) -> None:
    ratings = RATINGS.astype(object)
    ratings.loc["expert3", "Z"] = bad
    with pytest.raises(ResponseError, match="'Z'") as info:
        content_validity(ratings)
    assert "expert3" in str(info.value)


def test_transposed_ratings_are_refused() -> None:
    ratings = pd.DataFrame([[4, 3, 4], [2, 3, 4]], index=["A1a_1", "A1a_2"],
                           columns=["ann", "bob", "cy"])
    with pytest.raises(ResponseError, match="experts in rows"):
        content_validity(ratings)


def test_unrated_item_and_bad_types_are_refused() -> None:
    ratings = RATINGS.astype(float)
    ratings["X"] = np.nan
    with pytest.raises(ResponseError, match="'X'"):
        content_validity(ratings)
    with pytest.raises(OptionError, match="DataFrame"):
        content_validity(RATINGS.to_numpy())
    with pytest.raises(OptionError, match="cutoff"):
        content_validity(RATINGS, cutoff=78)


def test_passing_items_feed_draft_scale() -> None:
    bank = load_item_bank()
    ids = [i.id for i in bank if i.applies_to != "automated"]
    rng = np.random.default_rng(1)
    ratings = pd.DataFrame(rng.integers(3, 5, size=(8, len(ids))), columns=ids)
    rejected = ids[:5]
    ratings.loc[:4, rejected] = 1  # 5 of 8 experts say "not relevant": I-CVI .375
    result = content_validity(ratings)
    assert set(result.passing) == set(ids) - set(rejected)
    scale = draft_scale(items=result.passing)
    assert set(scale.item_ids) == set(ids) - set(rejected)


def test_booleans_are_not_ratings():
    """pandas reads True as 1: a True among the ratings (or a boolean column) is refused."""
    mixed = RATINGS.astype(object)
    mixed.loc["expert2", "Y"] = True
    with pytest.raises(ResponseError, match="True") as info:
        content_validity(mixed)
    assert (info.value.column, info.value.rows) == ("Y", ["expert2"])
    flags = RATINGS.assign(V=[True, False, True, True, False, True])
    with pytest.raises(ResponseError) as info:
        content_validity(flags)
    assert info.value.column == "V" and len(info.value.rows) == 6
