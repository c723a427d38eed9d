"""Reliability of a Scale (alliance_scale.validity._reliability: reliability, test_retest)
against R psych 2.2.9 (tests/fixtures/reliability_reference.R) and simulated data; moved
from tests/psychometrics/test_reliability.py, which tests the generic coefficients."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import alliance_scale as asc
from alliance_scale import (
    AnalysisError,
    ResponseError,
    ResponseFormat,
    Scale,
    ScaleItem,
    cronbach_alpha,
    omega,
)
from alliance_scale.errors import AllianceScaleWarning

TIGHT = 1e-6
SCALES = ["agree", "conscientious", "extraversion", "neuroticism", "openness"]


@pytest.fixture(scope="module")
def reference(fixtures_dir):
    with open(fixtures_dir / "reliability_reference.json", encoding="utf-8") as handle:
        return json.load(handle)


def _keys(signed: list[str]) -> tuple[list[str], list[str]]:
    return [k.lstrip("-") for k in signed], [k[1:] for k in signed if k.startswith("-")]


def _bfi_scale() -> Scale:
    """A Scale over bfi's 25 items: facets = the Big Five, dimensions group them."""
    dimension = {"A": "social", "E": "social", "C": "work", "O": "work", "N": "emotion"}
    reversed_items = {"A1", "C4", "C5", "E1", "E2", "O2", "O5"}
    items = tuple(
        ScaleItem(id=f"{f}{i}", theme=f"{f}{i}", facet=f, dimension=dimension[f], text_fr="",
                  text_en="", keyed=-1 if f"{f}{i}" in reversed_items else 1,
                  applies_to="both")
        for f in "ACENO" for i in range(1, 6)
    )
    labels = tuple(str(v) for v in range(1, 7))
    return Scale(name="bfi", version="1", language="en", program="guided", items=items,
                 response_format=ResponseFormat(points=6, labels_fr=labels, labels_en=labels))


@pytest.fixture(scope="module")
def bfi_reliability(bfi_items):
    """reliability() of the bfi scale, computed once for the tests of its tables."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        return asc.reliability(bfi_items, _bfi_scale())


def test_reliability_table_rows_equal_psych_alpha(bfi_reliability, reference):
    result = bfi_reliability
    table = result.to_frame()
    assert list(table.index) == ["A", "C", "E", "N", "O", "emotion", "social", "work", "total"]
    facet_names = dict(zip("ACENO", SCALES, strict=True))
    for facet, name in facet_names.items():
        ref = reference["alpha"][name]["pairwise"]
        row = table.loc[facet]
        assert row["level"] == "facet" and row["k"] == 5 and row["n"] == 2800
        assert row["alpha"] == pytest.approx(ref["raw_alpha"], abs=TIGHT)
        assert row["ci_lower"] == pytest.approx(ref["feldt_lower"], abs=TIGHT)
        assert row["g6"] == pytest.approx(ref["g6"], abs=TIGHT)
        assert np.isfinite(row["omega_total"]) and np.isnan(row["omega_h"])
    assert table.loc["O", "interpretation"] == "below .70"
    assert table.loc["N", "interpretation"] == "adequate"
    assert table.loc["total", "level"] == "total" and np.isfinite(table.loc["total", "omega_h"])
    assert np.isnan(table.loc["social", "omega_h"])  # 2 group factors: g not identified
    assert set(result.alphas) == set(table.index)


ITEM_COLUMNS = ["subscale", "level", "item", "reversed", "n", "mean", "sd", "skew", "floor",
                "ceiling", "r_drop", "alpha_if_deleted"]


def test_reliability_items_table_is_tidy_and_follows_the_keys(bfi_reliability):
    items, table = bfi_reliability.items, bfi_reliability.table
    scale = _bfi_scale()
    assert list(items.columns) == ITEM_COLUMNS
    assert len(items) == table["k"].sum() == 5 * 5 + 25 + 25  # facets, dimensions, total
    expected = [(name, key.lstrip("-")) for name, keyed in scale.keys.items() for key in keyed]
    assert list(zip(items["subscale"], items["item"], strict=True)) == expected
    assert (items["level"].to_numpy() == table.loc[items["subscale"], "level"].to_numpy()).all()
    keyed = {item.id: item.keyed for item in scale.items}
    assert (items["reversed"] == items["item"].map(keyed).eq(-1)).all()
    assert set(items.loc[items["reversed"], "item"]) == {"A1", "C4", "C5", "E1", "E2", "O2",
                                                         "O5"}


@pytest.mark.parametrize("facet, name", list(zip("ACENO", SCALES, strict=True)))
def test_reliability_items_of_a_facet_equal_its_alpha_and_psych(
    bfi_reliability, bfi_items, reference, facet, name
):
    rows = bfi_reliability.items.set_index("item").query("subscale == @facet")
    ref = reference["alpha"][name]
    items, reverse = _keys(ref["keys"])
    assert list(rows.index) == items == ref["pairwise"]["items"]
    own = cronbach_alpha(bfi_items[items], reverse=reverse, min_value=1, max_value=6).items
    for column in ("r_drop", "alpha_if_deleted", "mean", "sd", "n"):
        np.testing.assert_allclose(rows[column], own[column], rtol=0, atol=1e-12,
                                   err_msg=column)
    pairs = {"r_drop": "r_drop", "alpha_if_deleted": "drop_raw_alpha", "mean": "item_mean",
             "sd": "item_sd", "n": "item_n"}
    for ours, theirs in pairs.items():  # psych::alpha(keys =) prints the reversed item stats
        np.testing.assert_allclose(rows[ours], ref["pairwise"][theirs], rtol=0, atol=TIGHT,
                                   err_msg=ours)


def test_reliability_items_skew_floor_ceiling(bfi_reliability, bfi_items, reference):
    items = bfi_reliability.items
    answered = bfi_items.notna().sum()
    floor = (bfi_items == 1).sum() / answered  # answers as given, before reversal
    ceiling = (bfi_items == 6).sum() / answered
    np.testing.assert_allclose(items["floor"], floor[items["item"]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(items["ceiling"], ceiling[items["item"]], rtol=0, atol=1e-15)
    a1 = items.query("item == 'A1'").iloc[0]
    answers = bfi_items["A1"].dropna()  # reversed, so a raw floor is a scored ceiling
    assert a1["reversed"] and a1["floor"] == pytest.approx((answers == 1).mean())
    assert a1["floor"] > 0.15 > a1["ceiling"]  # scored, A1 would show a ceiling effect
    # skew: psych::describe on the raw items, sign flipped for a reversed (scored) item
    raw_skew = pd.Series(reference["describe"]["skew"], index=reference["describe"]["items"])
    sign = np.where(items["reversed"], -1.0, 1.0)
    np.testing.assert_allclose(items["skew"], sign * raw_skew[items["item"]].to_numpy(),
                               rtol=0, atol=TIGHT)


def test_reliability_items_of_a_single_item_subscale_and_repr():
    labels = tuple(str(v) for v in range(1, 6))
    ids = {"a1": "F", "a2": "F", "a3": "F", "b1": "G"}
    items = tuple(
        ScaleItem(id=i, theme=i, facet=f, dimension="D" if f == "F" else "E", text_fr="",
                  text_en="", keyed=-1 if i == "a2" else 1, applies_to="both")
        for i, f in ids.items()
    )
    scale = Scale(name="s", version="1", language="en", program="guided", items=items,
                  response_format=ResponseFormat(points=5, labels_fr=labels, labels_en=labels))
    data = pd.DataFrame({"a1": [1.0, 2, 3, 4, 5, 5], "a2": [5.0, 5, 3, 2, 1, np.nan],
                         "a3": [1.0, 3, 3, 4, 4, 5], "b1": [2.0, 2, 3, 1, 5, 4]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        result = asc.reliability(data, scale)
    table = result.items.set_index(["subscale", "item"])
    assert len(table) == 3 + 1 + 3 + 1 + 4  # F, G, D, E, total
    single = table.loc[("G", "b1")]
    assert single["n"] == 6 and np.isnan(single["r_drop"]) and np.isnan(single["alpha_if_deleted"])
    assert result.table.loc["G", "interpretation"] == "single item"
    a2 = table.loc[("F", "a2")]
    assert a2["reversed"] and a2["n"] == 5
    assert a2["mean"] == pytest.approx(6 - 16 / 5)  # scored 6 - x: 1, 1, 3, 4, 5
    assert a2["floor"] == pytest.approx(1 / 5) and a2["ceiling"] == pytest.approx(2 / 5)
    assert "items" in repr(result) and "items" in result._repr_html_()
    assert result.to_frame() is result.table


def test_reliability_names_a_missing_item(bfi_items):
    with pytest.raises(AnalysisError, match="O5"):
        asc.reliability(bfi_items.drop(columns="O5"), _bfi_scale())


def _retest_data(reference):
    ref = reference["icc"]
    columns = ["A1", "A2", "A3", "A4", "A5"]
    first = pd.DataFrame(np.array(ref["first"], dtype=float).T, index=ref["ids"],
                         columns=columns)
    second = pd.DataFrame(np.array(ref["second"], dtype=float).T, index=ref["ids"],
                          columns=columns)
    items = tuple(
        ScaleItem(id=c, theme="t", facet="agree", dimension="social", text_fr="", text_en="",
                  keyed=-1 if c == "A1" else 1, applies_to="both")
        for c in columns
    )
    labels = tuple(str(v) for v in range(1, 7))
    scale = Scale(name="a", version="1", language="en", program="guided", items=items,
                  response_format=ResponseFormat(points=6, labels_fr=labels, labels_en=labels))
    return first, second, scale


def test_retest_icc_equals_psych_icc2(reference):
    ref = reference["icc"]
    first, second, scale = _retest_data(reference)
    result = asc.test_retest(first, second, scale)
    assert result.icc_type == "ICC(A,1)"
    row = result.to_frame().loc["total"]
    assert row["n_pairs"] == 150
    assert row["icc"] == pytest.approx(ref["icc2"], abs=TIGHT)
    assert row["ci_lower"] == pytest.approx(ref["lower"], abs=TIGHT)
    assert row["ci_upper"] == pytest.approx(ref["upper"], abs=TIGHT)
    assert row["F"] == pytest.approx(ref["F"], rel=1e-9)
    assert (row["df1"], row["df2"]) == (ref["df1"], ref["df2"])
    assert row["label"] == "excellent"


def test_retest_matches_by_id_and_reports_unmatched(reference):
    first, second, scale = _retest_data(reference)
    expected = asc.test_retest(first, second, scale).to_frame()
    shuffled = second.sample(frac=1, random_state=0)
    extra = pd.DataFrame([[3.0] * 5], index=["new"], columns=second.columns)
    shuffled = pd.concat([shuffled, extra]).rename_axis("pid").reset_index()
    result = asc.test_retest(first.rename_axis("pid").reset_index(), shuffled, scale,
                             id_column="pid")
    pd.testing.assert_frame_equal(result.to_frame(), expected)
    assert (result.n_first, result.n_second, result.n_matched) == (150, 151, 150)
    assert result.unmatched == ("new",)


def test_retest_refuses_repeated_ids(reference):
    first, second, scale = _retest_data(reference)
    doubled = pd.concat([second, second.iloc[:1]])
    with pytest.raises(ResponseError, match="61617"):
        asc.test_retest(first, doubled, scale)


@pytest.mark.slow
def test_long_scale_alpha_above_95_is_not_called_redundant():
    """The pilot's 80-item total has alpha > .95 with an average r near .2: length, not
    redundancy (Clark & Watson 1995); redundancy needs an average r above .50 too."""
    from alliance_scale import draft_scale, load_pilot, reliability

    scale = draft_scale()
    result = reliability(load_pilot()[scale.item_ids], scale)
    total = result.table.loc["total"]
    assert len(result.items) == sum(len(keyed) for keyed in scale.keys.values())
    assert total["alpha"] > 0.95 and total["average_r"] < 0.5
    assert total["interpretation"].startswith("above .95 from length")


def _one_facet_scale(n_items: int, points: int = 7) -> Scale:
    labels = tuple(str(v) for v in range(1, points + 1))
    items = tuple(
        ScaleItem(id=f"F1_{j}", theme="F1", facet="F1", dimension="D", text_fr="", text_en="",
                  keyed=1, applies_to="both")
        for j in range(1, n_items + 1)
    )
    return Scale(name="s", version="1", language="en", program="guided", items=items,
                 response_format=ResponseFormat(points=points, labels_fr=labels,
                                                labels_en=labels))


def test_short_redundant_subscale_is_called_redundant():
    """Six items on one factor loading .95: average r near .9, alpha near .98: redundancy."""
    scale = _one_facet_scale(6)
    rng = np.random.default_rng(5)
    latent = rng.standard_normal((400, 1))
    scores = 0.95 * latent + np.sqrt(1 - 0.95**2) * rng.standard_normal((400, 6))
    data = pd.DataFrame(np.clip(np.round(4 + 1.2 * scores), 1, 7), columns=scale.item_ids)
    row = asc.reliability(data, scale).table.loc["F1"]
    assert row["alpha"] > 0.95 and row["average_r"] > 0.5
    assert row["interpretation"] == "above .95: redundant items?"


@pytest.mark.slow
def test_reliability_fits_the_polychoric_correlations_once(bfi, monkeypatch):
    """One polychoric fit of all the keyed items serves every subscale's alpha and omega;
    each subscale's numbers are exactly those of fitting it alone; omega_total equals
    omega() of the same keyed answers."""
    import alliance_scale.validity._reliability as module

    calls = []
    original = module._fit_polychoric

    def counting(frame, *args, **kwargs):
        calls.append(tuple(frame.columns))
        return original(frame, *args, **kwargs)

    monkeypatch.setattr(module, "_fit_polychoric", counting)
    scale = _bfi_scale()
    data = bfi[scale.item_ids].iloc[:200]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        result = asc.reliability(data, scale, cor="polychoric")
        assert len(calls) == 1 and sorted(calls[0]) == sorted(scale.item_ids)
        monkeypatch.setattr(module, "_keyed_polychoric", lambda *args: None)
        separately = asc.reliability(data, scale, cor="polychoric")  # one fit per subscale
        keyed = data[["A1", "A2", "A3", "A4", "A5"]].copy()
        keyed["A1"] = 7 - keyed["A1"]
        alone = omega(keyed, 1, cor="polychoric")
    assert len(calls) == 1
    pd.testing.assert_frame_equal(result.table, separately.table, check_exact=True)
    pd.testing.assert_frame_equal(result.items, separately.items, check_exact=True)
    assert result.table.loc["A", "omega_total"] == pytest.approx(alone.omega_total, abs=1e-12)


def test_empty_rows_are_not_respondents(bfi_items):
    """n = rows with at least one answer, in alpha, omega's factor analysis and reliability
    (psych would count the 5 empty rows too: a documented difference)."""
    from alliance_scale._checks import respondent_count

    data = bfi_items[["A1", "A2", "A3", "A4", "A5"]].iloc[:200].copy()
    data.iloc[[3, 50, 51, 120, 199]] = np.nan
    answered = int(data.notna().any(axis=1).sum())
    assert respondent_count(data) == answered == 195
    assert cronbach_alpha(data, reverse=["A1"]).n_obs == 195
    scale = _one_facet_scale(5, points=6)
    renamed = data.set_axis(scale.item_ids, axis=1)
    assert asc.reliability(renamed, scale).table.loc["F1", "n"] == 195


def test_retest_finds_a_usual_id_column_as_read_responses_does(reference):
    first, second, scale = _retest_data(reference)
    expected = asc.test_retest(first, second, scale).to_frame()
    with_ids = [frame.rename_axis("Respondent").reset_index() for frame in (first, second)]
    found = asc.test_retest(*with_ids, scale)  # id_column=None: the "Respondent" column
    pd.testing.assert_frame_equal(found.to_frame(), expected)
    shuffled = with_ids[1].sample(frac=1, random_state=1)
    by_row = asc.test_retest(with_ids[0], shuffled.reset_index(drop=True), scale,
                             id_column=False)  # matched by the index: row numbers
    assert by_row.n_matched == 150
    assert by_row.table.loc["agree", "icc"] < expected.loc["agree", "icc"] - 0.3
    doubled = pd.concat([with_ids[1], with_ids[1].iloc[:1]])
    with pytest.raises(ResponseError, match="duplicate respondent id") as info:
        asc.test_retest(with_ids[0], doubled, scale)
    assert info.value.column == "Respondent"
    with pytest.raises(ResponseError, match="pid"):
        asc.test_retest(*with_ids, scale, id_column="pid")


def test_reliability_passes_heywood_warnings_on_and_silences_omega_notes():
    """A 3-item facet with r12 = r13 = .8, r23 = .5: the 1-factor loading of item 1 is
    sqrt(.8 * .8 / .5) > 1, a Heywood case the user must hear about; omega's note about
    one factor (the table already leaves omega_h empty) stays silent."""
    scale = _one_facet_scale(3)
    correlation = np.array([[1, 0.8, 0.8], [0.8, 1, 0.5], [0.8, 0.5, 1]])
    rng = np.random.default_rng(2)
    latent = rng.multivariate_normal(np.zeros(3), correlation, size=500)
    data = pd.DataFrame(np.clip(np.round(4 + 1.3 * latent), 1, 7), columns=scale.item_ids)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = asc.reliability(data, scale).table
    kinds = {type(w.message) for w in caught}
    assert asc.HeywoodWarning in kinds
    assert not any("one factor" in str(w.message) for w in caught)
    assert np.isnan(table.loc["F1", "omega_h"]) and np.isfinite(table.loc["F1", "omega_total"])



def test_reliability_warnings_name_the_subscale_and_the_users_line():
    """Issue #12: a Heywood case inside a subscale's omega was reported as "for 'F1'",
    pointing at library code; it now names the subscale and the user's line."""
    scale = _one_facet_scale(3)
    correlation = np.array([[1, 0.8, 0.8], [0.8, 1, 0.5], [0.8, 0.5, 1]])
    rng = np.random.default_rng(2)
    latent = rng.multivariate_normal(np.zeros(3), correlation, size=500)
    data = pd.DataFrame(np.clip(np.round(4 + 1.3 * latent), 1, 7), columns=scale.item_ids)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asc.reliability(data, scale)
    heywood = [str(w.message) for w in caught if issubclass(w.category, asc.HeywoodWarning)]
    assert any(m.startswith("subscale 'F1' (facet): Heywood") for m in heywood)
    assert all(m.startswith("subscale '") for m in heywood)
    assert all(w.filename == __file__ for w in caught)
