"""The blueprint as a CFA model (blueprint_model) and its fit on a scale's answers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import alliance_scale as als
from alliance_scale import AnalysisError, OptionError

SCALE = als.draft_scale(items_per_facet=3, language="en")


@pytest.fixture(scope="module")
def simulated():
    return als.simulate(SCALE, 800, seed=11)


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def test_models_follow_the_blueprint_at_each_level():
    facet = als.blueprint_model(SCALE, "facet").splitlines()
    assert [line.split(" =~ ")[0] for line in facet] == [
        "A1", "A2", "B1", "B2", "B3", "C1", "C2", "C3", "C4"]
    for line in facet:
        factor, items = line.split(" =~ ")
        listed = items.split(" + ")
        assert sorted(listed) == sorted(i.id for i in SCALE.items if i.facet == factor)
        first = next(i for i in SCALE.items if i.id == listed[0])
        assert first.keyed == 1  # the marker is never a reverse-keyed item
    dimension = als.blueprint_model(SCALE, "dimension").splitlines()
    assert [line.split(" =~ ")[0] for line in dimension] == ["A", "B", "C"]
    second = als.blueprint_model(SCALE, "second_order").splitlines()
    assert second[-3:] == ["A =~ A1 + A2", "B =~ B1 + B2 + B3", "C =~ C1 + C2 + C3 + C4"]
    bifactor = als.blueprint_model(SCALE, "bifactor").splitlines()
    assert bifactor[0].startswith("g =~ ") and len(bifactor[0].split(" + ")) == len(SCALE.items)


def test_the_fit_recovers_the_simulated_loadings_with_reversed_items(simulated):
    fit = _quiet(als.blueprint_cfa, simulated.data, SCALE)
    assert fit.fit["cfi_scaled"] > 0.95
    loadings = fit.std_loadings
    truth = simulated.truth.loadings.loc[loadings.index, loadings.columns]
    # reverse-keyed items were reversed, so every hypothesised loading is positive
    hypothesised = truth.to_numpy() != 0
    assert (loadings.to_numpy()[hypothesised] > 0).all()
    bias = np.abs(loadings.to_numpy()[hypothesised] - np.abs(truth.to_numpy()[hypothesised]))
    assert bias.mean() < 0.05


def test_reversal_makes_composite_reliability_meaningful(simulated):
    """Unreversed items give near-zero omegas (semTools' pitfall); reversed ones do not."""
    reversed_fit = _quiet(als.blueprint_cfa, simulated.data, SCALE)
    facets = {f: [i.id for i in SCALE.items if i.facet == f]
              for f in reversed_fit.reliability.index}
    raw = _quiet(als.cfa, simulated.data, facets, estimator="WLSMV", ordered=True)
    has_reversed = [f for f in facets if any(i.keyed < 0 for i in SCALE.items if i.facet == f)]
    assert has_reversed
    assert (reversed_fit.reliability.loc[has_reversed, "omega"] > 0.5).all()
    assert (raw.reliability.loc[has_reversed, "omega"] < reversed_fit.reliability.loc[
        has_reversed, "omega"]).all()


def test_estimators_and_levels(simulated):
    ml = _quiet(als.blueprint_cfa, simulated.data, SCALE, estimator="MLR", level="dimension")
    assert ml.fit["chisq_scaled"] > 0 and list(ml.reliability.index) == ["A", "B", "C"]
    bifactor = _quiet(als.blueprint_cfa, simulated.data, SCALE, level="bifactor")
    assert "g" in bifactor.std_loadings.columns


def test_ml_and_mlr_keep_every_respondent_by_full_information_ml(simulated):
    """Skipped answers: the ML / MLR fit keeps every respondent (lavaan's missing = "ml")."""
    rng = np.random.default_rng(5)
    data = simulated.data.copy()
    items = list(SCALE.item_ids)
    data[items] = data[items].mask(rng.random((len(data), len(items))) < 0.05)
    assert data[items].notna().all(axis=1).sum() < 0.5 * len(data)
    fit = als.blueprint_cfa(data, SCALE, estimator="MLR", level="dimension")
    assert fit.n_obs == len(data)
    explicit = als.blueprint_cfa(data, SCALE, estimator="MLR", level="dimension",
                                 missing="ml")
    assert fit.fit["chisq"] == explicit.fit["chisq"]
    with pytest.warns(als.AllianceScaleWarning, match="left out"):
        listwise = als.blueprint_cfa(data, SCALE, estimator="MLR", level="dimension",
                                     missing="listwise")
    assert listwise.n_obs == data[items].notna().all(axis=1).sum()


def test_bad_input_is_named(simulated):
    with pytest.raises(OptionError, match="level"):
        als.blueprint_model(SCALE, "item")
    with pytest.raises(OptionError, match="estimator"):
        als.blueprint_cfa(simulated.data, SCALE, estimator="GLS")
    with pytest.raises(AnalysisError, match=SCALE.item_ids[0]):
        als.blueprint_cfa(simulated.data.drop(columns=SCALE.item_ids[0]), SCALE)
    with pytest.raises(OptionError, match="scale must be a Scale"):
        als.blueprint_model("dta.yaml")
