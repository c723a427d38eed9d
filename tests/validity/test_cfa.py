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


@pytest.mark.slow
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


@pytest.mark.slow
def test_default_missing_handling_matches_validate():
    # issue #17: blueprint_cfa's WLSMV used 142 of the pilot's 320 respondents (listwise)
    # while validate() used all 320 (pairwise)
    data = als.simulate(SCALE, 300, seed=5, missing_rate=0.03).data
    complete = int(data[SCALE.item_ids].notna().all(axis=1).sum())
    assert complete < 200
    ordinal = _quiet(als.blueprint_cfa, data, SCALE)
    assert ordinal.estimator == "WLSMV" and ordinal.n_obs == ordinal.n_rows == 300
    explicit = _quiet(als.blueprint_cfa, data, SCALE, missing="pairwise")
    assert np.isclose(ordinal.fit["chisq"], explicit.fit["chisq"], rtol=1e-12)
    # ML / MLR: full-information ML by default, every respondent counts (issue #20)
    fiml = _quiet(als.blueprint_cfa, data, SCALE, estimator="MLR")
    assert fiml.n_obs == fiml.n_rows == 300
    # lavaan's listwise default, asked for: a warning names the count, the print shows
    # lavaan's Used/Total
    with pytest.warns(als.AllianceScaleWarning, match=f"{300 - complete} of 300 respondents"):
        fit = als.blueprint_cfa(data, SCALE, estimator="MLR", missing="listwise")
    assert (fit.n_obs, fit.n_rows) == (complete, 300)
    text = str(fit).splitlines()
    at = next(k for k, line in enumerate(text) if "Number of observations" in line)
    assert text[at - 1].split() == ["Used", "Total"]
    assert text[at].split()[-2:] == [str(complete), "300"]
    assert f"{complete} used of 300 rows ({300 - complete} left out)" in repr(fit)


# ---------------------------------------------------------------------- the fit rule
def _merged(scale, names, into):
    """The facet model with the facets ``names`` merged into one factor ``into``."""
    lines = als.blueprint_model(scale).splitlines()
    kept = [line for line in lines if line.split(" =~ ")[0] not in names]
    items = " + ".join(line.split(" =~ ")[1] for line in lines
                       if line.split(" =~ ")[0] in names)
    return "\n".join([*kept, f"{into} =~ {items}"])


@pytest.fixture(scope="module")
def large():
    """The true facet model's population at n = 2,000, reverse-keyed items reversed."""
    data = als.simulate(SCALE, 2000, seed=2).data
    from alliance_scale.psychometrics._keys import reverse_keyed

    reversed_items = [item.id for item in SCALE.items if item.keyed < 0]
    return data, reverse_keyed(data[list(SCALE.item_ids)], reversed_items, SCALE.min_value,
                               SCALE.max_value)


def test_the_fit_rule_accepts_the_true_model_and_rejects_misspecified_ones(large):
    """Simulated truth (facets correlating .5 within a dimension, .3 across; n = 2,000):
    the true facet model is acceptable; merging two facets of a dimension, or a dimension's
    facets into one factor, is not (the latter misses the global cut-offs; the former passes
    them, as Hu & Bentler's indices are known to, and is caught by its local misfit)."""
    data, reversed_answers = large
    true = _quiet(als.judge_fit, _quiet(als.blueprint_cfa, data, SCALE))
    assert true.verdict == "acceptable" and true.judged == "robust", true.reason
    for names, into in ((["C1", "C2"], "C12"), (["A1", "A2"], "A"),
                        (["B1", "B2", "B3"], "B")):
        fit = _quiet(als.cfa, reversed_answers, _merged(SCALE, names, into),
                     estimator="WLSMV", ordered=True)
        judged = als.judge_fit(fit)
        assert judged.verdict == "not acceptable", (names, judged.reason)
    # the dimension model collapses every dimension's facets: far outside the cut-offs
    collapsed = als.judge_fit(_quiet(als.blueprint_cfa, data, SCALE, level="dimension"))
    assert collapsed.verdict == "not acceptable"
    assert collapsed.table.loc["cfi.robust", "value"] < 0.95


def test_fit_indices_carry_lavaan_names_and_rmsea_intervals(simulated):
    judged = als.judge_fit(_quiet(als.blueprint_cfa, simulated.data, SCALE))
    table = judged.table
    for name in ("chisq", "chisq.scaled", "df.scaled", "cfi.scaled", "tli.scaled",
                 "cfi.robust", "tli.robust", "rmsea.robust", "rmsea.scaled", "srmr"):
        assert name in table.index
    fit = judged  # each RMSEA with its 90% interval around it
    for name in ("rmsea", "rmsea.scaled", "rmsea.robust"):
        row = fit.table.loc[name]
        assert row["ci_lower"] <= row["value"] <= row["ci_upper"]
    assert "continuous" in judged.note and "Hu & Bentler" in judged.rule
    assert np.isnan(table.loc["chisq", "cutoff"]) and table.loc["cfi.robust", "cutoff"] == 0.95


@pytest.mark.slow
def test_scaled_and_robust_disagreeing_is_inconclusive_never_acceptable():
    """The bundled pilot: scaled CFI .973 meets .95, robust CFI .807 does not (n = 320 for
    80 items)."""
    pilot, scale = als.load_pilot(), als.draft_scale()
    judged = als.judge_fit(_quiet(als.blueprint_cfa, pilot, scale, missing="pairwise"))
    assert judged.verdict == "inconclusive" and not judged.acceptable
    assert judged.table.loc["cfi.scaled", "meets"] and not judged.table.loc["cfi.robust",
                                                                             "meets"]
    assert "n = 320 for 80 items" in judged.reason and "cfi.robust 0.807" in judged.reason


def test_refit_blueprint_equals_a_fresh_fit(simulated):
    facet = _quiet(als.blueprint_cfa, simulated.data, SCALE)
    again = _quiet(als.blueprint_cfa, simulated.data, SCALE, level="second_order")
    from alliance_scale.validity._cfa import refit_blueprint

    refit = _quiet(refit_blueprint, facet, SCALE, "second_order")
    # the refit shares the facet fit's independence model and the traces of its data
    for key in ("chisq", "chisq_scaled", "cfi_robust", "rmsea_robust", "srmr",
                "baseline_chisq_scaled", "cfi_scaled", "tli_scaled"):
        assert abs(refit.fit[key] - again.fit[key]) < 1e-10


def test_without_robust_indices_the_standard_ones_decide():
    """ML on continuous answers: no scaled or robust indices, the standard ones judge."""
    data = als.simulate(SCALE, 500, seed=4).data
    # (complete-data ML: with missing="ml" lavaan adds the FIML-corrected robust indices)
    judged = als.judge_fit(_quiet(als.blueprint_cfa, data, SCALE, estimator="ML",
                                  missing="listwise"))
    assert judged.judged == "standard" and "cfi.robust" not in judged.table.index
    assert judged.verdict in ("acceptable", "not acceptable")
    assert judged.table.loc["cfi", "meets"] == (judged.table.loc["cfi", "value"] >= 0.95)
