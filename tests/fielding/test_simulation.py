"""Tests of alliance_scale.simulate: reproducibility, recovery of a known truth, bad arguments,
and the bundled synthetic pilot data (data/) regenerating bit for bit."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from alliance_scale import ResponseFormat, Scale, ScaleItem
from alliance_scale.errors import AnalysisError, OptionError
from alliance_scale.fielding._simulation import SimulationResult, simulate, simulate_retest
from alliance_scale.instrument._blueprint import Blueprint, Dimension, Facet, Theme

ROOT = Path(__file__).resolve().parents[2]

# The tree of construct.md with the Bordin hypotheses stated there: A -> task, B -> bond and
# task, C -> bond, the leaves B2b and C3b -> goal (the leaf's hypothesis replaces its parents').
TREE = {
    "A": (("task",), {"A1": ["A1a", "A1b"], "A2": ["A2a", "A2b", "A2c"]}),
    "B": (("bond", "task"), {"B1": ["B1a", "B1b"], "B2": ["B2a", "B2b"],
                             "B3": ["B3a", "B3b", "B3c"]}),
    "C": (("bond",), {"C1": ["C1"], "C2": ["C2"], "C3": ["C3a", "C3b"], "C4": ["C4"]}),
}
GOAL_THEMES = {"B2b", "C3b"}


def hand_blueprint() -> Blueprint:
    dimensions = []
    for d, (bordin, facets) in TREE.items():
        facet_objects = []
        for f, themes in facets.items():
            leaves = tuple(Theme(t, f, t, t, "", "", False,
                                 ("goal",) if t in GOAL_THEMES else ()) for t in themes)
            facet_objects.append(Facet(f, d, f, f, "", "", (), leaves))
        dimensions.append(Dimension(d, d, d, "", "", bordin, tuple(facet_objects)))
    return Blueprint("hand", "0", tuple(dimensions))


def hand_scale(items_per_facet: int = 4) -> Scale:
    """4 items per facet, the second of each reverse-keyed; leaves in turn within a facet."""
    items = []
    for d, (_, facets) in TREE.items():
        for f, themes in facets.items():
            for k in range(items_per_facet):
                theme = themes[k % len(themes)]
                items.append(ScaleItem(f"{theme}_{k + 1}", theme, f, d, "", "",
                                       -1 if k == 1 else 1, "both"))
    labels = tuple("12345")
    return Scale("hand", "0", "fr", "guided", tuple(items), ResponseFormat(5, labels, labels))


SCALE = hand_scale()
BLUEPRINT = hand_blueprint()


@pytest.fixture(scope="module")
def large() -> SimulationResult:
    return simulate(SCALE, 20_000, seed=7, blueprint=BLUEPRINT, missing_rate=0.02)


def cross_correlation(x: pd.DataFrame, y: pd.DataFrame) -> pd.DataFrame:
    """Pearson correlations of the columns of x with those of y (pairwise complete)."""
    return pd.concat([x, y], axis=1).corr().loc[x.columns, y.columns]


def keyed_items(sim: SimulationResult) -> pd.DataFrame:
    """Answers with reverse-keyed items mirrored (6 - x), to read correlations by sign."""
    items = sim.items.copy()
    for item in SCALE.items:
        if item.keyed < 0:
            items[item.id] = 6 - items[item.id]
    return items


# ---------------------------------------------------------------------------- shape, seeds


def test_layout_of_the_data_and_the_truth() -> None:
    sim = simulate(SCALE, 50, seed=1, blueprint=BLUEPRINT)
    assert list(sim.data.columns) == [*SCALE.item_ids, "wai_goal", "wai_task", "wai_bond"]
    assert sim.data.index.name == "respondent"
    assert list(sim.data.index) == list(range(1, 51))
    assert set(np.unique(sim.items.to_numpy())) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    wai = sim.data[["wai_goal", "wai_task", "wai_bond"]].to_numpy()
    assert wai.min() >= 1 and wai.max() <= 5
    truth = sim.truth
    assert list(truth.loadings.index) == SCALE.item_ids
    assert list(truth.loadings.columns) == ["A1", "A2", "B1", "B2", "B3", "C1", "C2", "C3", "C4"]
    assert truth.thresholds.shape == (len(SCALE.items), 4)
    assert np.all(np.diff(truth.thresholds.to_numpy(), axis=1) > 0)
    # each item loads on its own facet only, negative when reverse-keyed
    for item in SCALE.items:
        row = truth.loadings.loc[item.id]
        assert (row != 0).sum() == 1
        assert np.sign(row[item.facet]) == item.keyed
    assert truth.factor_scores.shape == (50, 9)
    assert truth.careless.empty and truth.careless_ids == []
    assert "SimulationResult" in repr(sim) and "<table" in sim._repr_html_()
    assert sim.to_frame() is sim.data


def test_same_seed_same_frame_other_seed_other_frame() -> None:
    options = dict(blueprint=BLUEPRINT, missing_rate=0.05, careless_rate=0.1)
    first = simulate(SCALE, 200, seed=3, **options)
    again = simulate(SCALE, 200, seed=3, **options)
    pd.testing.assert_frame_equal(first.data, again.data, check_exact=True)
    pd.testing.assert_frame_equal(first.truth.loadings, again.truth.loadings, check_exact=True)
    assert first.truth.careless_ids == again.truth.careless_ids
    other = simulate(SCALE, 200, seed=4, **options)
    assert not first.data.equals(other.data)


def test_missing_answers_change_nothing_else() -> None:
    complete = simulate(SCALE, 300, seed=5, blueprint=BLUEPRINT)
    holed = simulate(SCALE, 300, seed=5, blueprint=BLUEPRINT, missing_rate=0.2)
    answered = holed.items.notna()
    assert answered.to_numpy().mean() < 0.9
    pd.testing.assert_frame_equal(holed.items[answered], complete.items[answered])
    pd.testing.assert_frame_equal(holed.data.filter(like="wai"), complete.data.filter(like="wai"))


# ---------------------------------------------------------------------------- recovery


def test_observed_missing_rate_is_the_requested_one(large: SimulationResult) -> None:
    assert large.items.isna().to_numpy().mean() == pytest.approx(0.02, abs=0.001)
    assert large.data.filter(like="wai").notna().all().all()


def test_answers_follow_the_thresholds(large: SimulationResult) -> None:
    # the latent response has unit variance: P(answer <= k) = Phi(tau_k) for every item
    thresholds = large.truth.thresholds
    for item in SCALE.item_ids:
        answers = large.items[item].dropna()
        observed = [(answers <= k).mean() for k in range(1, 5)]
        expected = stats.norm.cdf(thresholds.loc[item].to_numpy())
        np.testing.assert_allclose(observed, expected, atol=0.015)


def test_answers_are_skewed_towards_agreement(large: SimulationResult) -> None:
    keyed = keyed_items(large).stack()
    assert keyed.mean() > 3.4
    assert (keyed >= 4).mean() > 0.5


def test_items_of_a_facet_correlate_more_than_items_of_different_dimensions(
    large: SimulationResult,
) -> None:
    r = keyed_items(large).corr().to_numpy()
    facet = np.array([i.facet for i in SCALE.items])
    dimension = np.array([i.dimension for i in SCALE.items])
    off = ~np.eye(len(facet), dtype=bool)
    same_facet = r[(facet[:, None] == facet[None, :]) & off]
    same_dimension = r[(dimension[:, None] == dimension[None, :])
                       & (facet[:, None] != facet[None, :])]
    across = r[dimension[:, None] != dimension[None, :]]
    assert same_facet.min() > 0.2
    assert same_facet.mean() > same_dimension.mean() > across.mean() > 0.05
    assert same_facet.min() > across.max()


def test_latent_factor_correlations_are_recovered(large: SimulationResult) -> None:
    truth = large.truth
    observed = truth.factor_scores.corr().to_numpy()
    np.testing.assert_allclose(observed, truth.factor_correlation.to_numpy(), atol=0.03)
    phi = truth.factor_correlation
    assert phi.loc["A1", "A2"] == 0.5 and phi.loc["A1", "B1"] == 0.3
    np.testing.assert_allclose(truth.factor_scores.std(), 1, atol=0.02)


def test_loadings_have_the_right_size_and_sign(large: SimulationResult) -> None:
    loadings = large.truth.loadings.abs().max(axis=1)
    assert loadings.between(0.2, 0.95).all()
    assert loadings.mean() == pytest.approx(0.7, abs=0.05)
    r = cross_correlation(large.items, large.truth.factor_scores)
    for item in SCALE.items:
        assert np.sign(r.loc[item.id, item.facet]) == item.keyed
        assert abs(r.loc[item.id, item.facet]) > 0.3


def test_wai_scores_follow_the_bordin_hypotheses(large: SimulationResult) -> None:
    scores = large.truth.factor_scores
    wai = large.data[["wai_goal", "wai_task", "wai_bond"]]
    r = cross_correlation(scores, wai)
    # the returned population correlations are what the sample shows (clipping at 5 and
    # rounding attenuate slightly)
    expected = large.truth.wai_factor_correlation.T.set_axis(wai.columns, axis=1)
    np.testing.assert_allclose(r.to_numpy(), expected.to_numpy(), atol=0.05)
    # facet level: the goal score relates most to B2 and C3 (the facets of B2b and C3b)
    assert set(r["wai_goal"].nlargest(2).index) == {"B2", "C3"}
    # dimension composites: every hypothesised pair above every other pair
    keyed = keyed_items(large)
    composites = pd.DataFrame({d: keyed[[i.id for i in SCALE.items if i.dimension == d]]
                               .mean(axis=1) for d in "ABC"})
    table = cross_correlation(composites, wai)
    hypothesised = [("A", "wai_task"), ("B", "wai_bond"), ("B", "wai_task"), ("C", "wai_bond")]
    others = [(d, c) for d in "ABC" for c in wai if (d, c) not in hypothesised]
    assert min(table.loc[d, c] for d, c in hypothesised) > max(
        table.loc[d, c] for d, c in others)
    assert wai.mean().between(3.7, 4.1).all()


def test_dimension_level_and_a_given_factor_correlation() -> None:
    sim = simulate(SCALE, 4000, seed=8, level="dimension", factor_correlation=0.4,
                   blueprint=BLUEPRINT)
    assert list(sim.truth.factor_correlation.columns) == ["A", "B", "C"]
    np.testing.assert_allclose(sim.truth.factor_scores.corr().to_numpy(),
                               [[1, .4, .4], [.4, 1, .4], [.4, .4, 1]], atol=0.05)
    for item in SCALE.items:
        assert np.sign(sim.truth.loadings.loc[item.id, item.dimension]) == item.keyed
    matrix = pd.DataFrame([[1, .2, .6], [.2, 1, .1], [.6, .1, 1]],
                          index=list("CBA"), columns=list("CBA"))
    given = simulate(SCALE, 10, seed=8, level="dimension", factor_correlation=matrix, wai=False)
    assert given.truth.factor_correlation.loc["A", "C"] == 0.6
    assert given.truth.factor_correlation.loc["A", "B"] == 0.1


def test_careless_respondents_are_injected_and_marked() -> None:
    sim = simulate(SCALE, 400, seed=9, careless_rate=0.05, blueprint=BLUEPRINT)
    careless = sim.truth.careless
    assert len(careless) == 20
    assert careless["kind"].value_counts().to_dict() == {"straight-line": 10, "random": 10}
    straight = sim.items.loc[careless.index[careless["kind"] == "straight-line"]]
    assert (straight.nunique(axis=1) == 1).all()
    random_rows = sim.items.loc[careless.index[careless["kind"] == "random"]]
    assert (random_rows.nunique(axis=1) >= 3).all()


def test_retest_keeps_ids_items_and_the_stability_of_the_traits() -> None:
    first = simulate(SCALE, 3000, seed=10, blueprint=BLUEPRINT)
    retest = simulate_retest(first, 2000, seed=11, stability=0.8)
    assert list(retest.data.columns) == SCALE.item_ids
    assert retest.data.index.is_monotonic_increasing
    assert set(retest.data.index) <= set(first.data.index)
    before = first.truth.factor_scores.loc[retest.data.index]
    after = retest.truth.factor_scores
    same = [before[f].corr(after[f]) for f in after.columns]
    np.testing.assert_allclose(same, 0.8, atol=0.03)
    # same population correlations (the retest inherits part of the first sample's error)
    np.testing.assert_allclose(after.corr().to_numpy(),
                               first.truth.factor_correlation.to_numpy(), atol=0.08)
    again = simulate_retest(first, 2000, seed=11, stability=0.8)
    pd.testing.assert_frame_equal(retest.data, again.data, check_exact=True)


# ---------------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    ("options", "name"),
    [
        ({"n": 0}, "n "), ({"n": 2.5}, "n "), ({"seed": -1}, "seed"), ({"seed": "a"}, "seed"),
        ({"missing_rate": 1.0}, "missing_rate"), ({"careless_rate": -0.1}, "careless_rate"),
        ({"level": "item"}, "level"), ({"loading": 1.2}, "loading"),
        ({"loading_spread": -1}, "loading_spread"), ({"factor_correlation": 1.5},
                                                     "factor_correlation"),
        ({"factor_correlation": np.eye(2)}, "factor_correlation"),
        ({"factor_correlation": -0.5}, "positive definite"),
        ({"category_proportions": [1, 2]}, "category_proportions"),
        ({"wai_validity": 1}, "wai_validity"), ({"within_dimension": 1}, "within_dimension"),
    ],
)
def test_bad_arguments_are_named(options: dict, name: str) -> None:
    arguments = {"n": 10, "seed": 1, "blueprint": BLUEPRINT, **options}
    with pytest.raises(OptionError, match=name):
        simulate(SCALE, **arguments)


def test_other_bad_inputs() -> None:
    with pytest.raises(OptionError, match="Scale"):
        simulate("scale", 10, seed=1)
    unknown = Scale("x", "0", "fr", "guided",
                    (ScaleItem("Z1_1", "Z1", "Z1", "Z", "", "", 1, "both"),
                     ScaleItem("Z1_2", "Z1", "Z1", "Z", "", "", 1, "both")),
                    SCALE.response_format)
    with pytest.raises(AnalysisError, match="Z1"):
        simulate(unknown, 10, seed=1, blueprint=BLUEPRINT)
    first = simulate(SCALE, 10, seed=1, wai=False)
    with pytest.raises(OptionError, match="n "):
        simulate_retest(first, 11, seed=1)
    with pytest.raises(OptionError, match="stability"):
        simulate_retest(first, 5, seed=1, stability=1)


# ---------------------------------------------------------------------------- bundled data


def _make_pilot_module():
    spec = importlib.util.spec_from_file_location("make_pilot", ROOT / "data" / "make_pilot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bundled_pilot_data_regenerate_bit_for_bit() -> None:
    pilot, retest = _make_pilot_module().build()
    saved = pd.read_csv(ROOT / "data" / "pilot.csv", index_col="respondent")
    saved_retest = pd.read_csv(ROOT / "data" / "pilot_retest.csv", index_col="respondent")
    assert saved.shape == (320, pilot.shape[1])
    assert saved_retest.shape == (80, retest.shape[1])
    pd.testing.assert_frame_equal(saved, pilot.astype(float), check_exact=True,
                                  check_dtype=False)
    pd.testing.assert_frame_equal(saved_retest, retest.astype(float), check_exact=True,
                                  check_dtype=False)


def test_codebook_says_synthetic_and_lists_the_careless_respondents() -> None:
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in "\n".join(text.splitlines()[:5])
    module = _make_pilot_module()
    truth = module.simulate_pilot()[0].truth
    listed = re.search(r"Careless respondents \(truth\): ([\d, ]+)", text)
    assert listed, "the codebook lists the injected careless respondents"
    assert [int(i) for i in listed.group(1).split(",")] == truth.careless_ids
    assert f"seed={module.PILOT_SEED}" in text and f"seed={module.RETEST_SEED}" in text


def test_retest_respondents_come_from_their_own_random_stream() -> None:
    # With the same seed, a retest drawing from the careless stream would pick exactly the
    # careless respondents of the first occasion (same stream, same first draw).
    first = simulate(SCALE, 100, seed=3, careless_rate=0.1, wai=False)
    retest = simulate_retest(first, 10, seed=3)
    assert set(retest.data.index) != set(first.truth.careless_ids)
    with pytest.raises(OptionError, match="n "):
        simulate_retest(first, 2.5, seed=3)


def test_wai_factor_correlation_follows_the_weights() -> None:
    sim = simulate(SCALE, 50, seed=4, blueprint=BLUEPRINT)
    truth = sim.truth
    expected = truth.wai_weights.to_numpy() @ truth.factor_correlation.to_numpy()
    np.testing.assert_allclose(truth.wai_factor_correlation.to_numpy(), expected)
    without = simulate(SCALE, 50, seed=4, wai=False).truth.wai_factor_correlation
    assert without.shape == (0, len(truth.factor_correlation))
    retest = simulate_retest(sim, 5, seed=4).truth.wai_factor_correlation
    assert retest.shape == (0, len(truth.factor_correlation))


def test_bordin_overrides_make_a_truth_that_violates_chosen_hypotheses() -> None:
    # A related to goal and bond instead of task: its facets lose their task weights
    same = simulate(SCALE, 200, seed=4, blueprint=BLUEPRINT)
    sim = simulate(SCALE, 200, seed=4, blueprint=BLUEPRINT, bordin={"A": ["goal", "bond"]})
    weights = sim.truth.wai_weights
    assert (weights.loc["task", ["A1", "A2"]] == 0).all()
    assert (weights.loc[["goal", "bond"], ["A1", "A2"]] > 0).all().all()
    assert (same.truth.wai_weights.loc["task", ["A1", "A2"]] > 0).all()
    # only the WAI columns change; the items are the same draws
    pd.testing.assert_frame_equal(sim.items, same.items)
    assert not sim.data["wai_task"].equals(same.data["wai_task"])
    # a population check of the violation: A's factors now correlate more with goal than task
    r = sim.truth.wai_factor_correlation
    assert (r.loc["goal", ["A1", "A2"]] > r.loc["task", ["A1", "A2"]]).all()


def test_bad_bordin_overrides_are_named() -> None:
    with pytest.raises(OptionError, match="'Z'"):
        simulate(SCALE, 10, seed=1, blueprint=BLUEPRINT, bordin={"Z": ["task"]})
    with pytest.raises(OptionError, match="bordin\\['A'\\]"):
        simulate(SCALE, 10, seed=1, blueprint=BLUEPRINT, bordin={"A": ["trust"]})


@pytest.mark.parametrize("n", [2_000_000_000, 10**7])
def test_a_simulation_larger_than_the_memory_budget_is_refused_before_allocating(n) -> None:
    from alliance_scale import draft_scale, simulate

    scale = draft_scale()
    with pytest.raises(OptionError, match=rf"simulating {n:,} respondents x 80 items would "
                                          r"need about [\d,.]+ GiB of memory; at most 2\.0 "
                                          r"GiB is used \(at most 762,600 respondents"):
        simulate(scale, n, seed=0)
