"""blueprint_irt (validity/_irt.py): the Scale's groups and keys are used (reverse-keyed items
reversed, the same model as reversing by hand; the raw answers give the mirrored slope),
and the item judgement separates simulated truth from planted faults: a noise item has low
discrimination, a non-monotone item misfits, the true facets pass."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import alliance_scale as als
from alliance_scale import AnalysisError, OptionError

# simulated Likert answers leave the lowest category of some items rare: irt says so
pytestmark = pytest.mark.filterwarnings("ignore:categories chosen by fewer")


@pytest.fixture(scope="module")
def scale():
    return als.draft_scale(items_per_facet=4, language="en")


@pytest.fixture(scope="module")
def planted(scale):
    """Simulated truth with two faults: A1's first item answered at random (no relation to
    the trait) and B1's first item U-shaped in its facet's trait (high at both ends); three
    respondents answered no C4 item."""
    sim = als.simulate(scale, 800, seed=5)
    data = sim.data.copy()
    facets = scale.to_frame()["facet"]
    noise, u_shaped = facets.index[facets == "A1"][0], facets.index[facets == "B1"][0]
    rng = np.random.default_rng(1)
    data[noise] = rng.integers(1, 6, len(data))
    data = data.astype(float)
    data.loc[data.index[:3], list(facets.index[facets == "C4"])] = np.nan  # no C4 answer
    z = sim.truth.factor_scores["B1"].to_numpy()
    data[u_shaped] = np.clip(np.round(1 + 4 * np.abs(z) / 2.2 + rng.normal(0, 0.5, len(z))),
                             1, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sparse categories of the faulty items
        fit = als.blueprint_irt(data, scale, se=None)
    return fit, noise, u_shaped


def test_groups_follow_the_blueprint(scale, planted):
    bp = planted[0]
    facets = scale.to_frame()["facet"]
    assert sorted(bp.fits) == sorted(facets.unique())
    assert all(set(fit.items) == set(facets.index[facets == f]) for f, fit in bp.fits.items())
    # respondents who answered none of a facet's items are left out of its model, counted
    assert bp.dropped["C4"] == 3 and bp.fits["C4"].n_obs == 797
    assert bp.fits["C1"].n_obs == 800 and bp.dropped["C1"] == 0


@pytest.mark.slow
def test_reverse_keyed_items_are_reversed_from_the_scale(scale):
    data = als.simulate(scale, 500, seed=3).data
    reversed_items = [i.id for i in scale.items if i.keyed < 0]
    bp = als.blueprint_irt(data, scale, level="dimension", se=None, quadpts=15)  # fast grid
    assert sorted(bp.fits) == ["A", "B", "C"]
    assert bp.information([0.0]).columns.tolist() == ["A", "B", "C"]
    assert set(bp.reversed_items) == set(reversed_items) and reversed_items
    table = bp.to_frame()
    assert (table["a"] > 0).all()
    assert table.loc[reversed_items, "reversed"].all()
    # the same model as reversing by hand (min + max - x) ...
    dimension = scale.to_frame()["dimension"]
    item = reversed_items[0]
    members = list(dimension.index[dimension == dimension[item]])
    by_hand = data[members].copy()
    rev = [m for m in members if m in reversed_items]
    by_hand[rev] = 6 - by_hand[rev]
    own = als.irt(by_hand, se=None)
    assert np.allclose(own.coef(), bp.fits[dimension[item]].coef().loc[members], atol=1e-6)
    # ... and the raw answers give the mirrored item: same |a|, negative, same loglik
    raw = als.irt(data[members], se=None)
    assert raw.coef().loc[item, "a1"] < 0
    assert np.isclose(abs(raw.coef().loc[item, "a1"]), own.coef().loc[item, "a1"], atol=2e-3)
    assert np.isclose(raw.loglik, own.loglik, atol=1e-3)
    # the Rasch family needs it: slopes fixed at +1
    with pytest.warns(als.AllianceScaleWarning, match="not testable"):  # no joint Rasch
        rasch = als.blueprint_irt(data, scale, level="dimension", model="Rasch", se=None)
    assert np.allclose(rasch.to_frame()["a"], 1.0)


def test_true_facets_pass_and_planted_faults_fail(planted):
    fit, noise, u_shaped = planted
    table = fit.item_table()
    assert table.loc[noise, "low_discrimination"]
    assert not table.loc[noise, "misfit"]  # unrelated answers fit a flat item
    assert table.loc[u_shaped, "misfit"] and table.loc[u_shaped, "p_adjusted"] < 1e-6
    true_items = table[~table["group"].isin(["A1", "B1"])]
    assert not true_items["low_discrimination"].any()
    assert not true_items["misfit"].any()  # Holm over every item: no false alarm
    assert table.loc[noise, "information"] < 0.01 < true_items["information"].min()
    # without the adjustment, a true item may cross .05 at times: the adjustment matters
    raw = fit.item_table(adjust="none")
    assert (raw["p_adjusted"] == raw["p_S_X2"]).all()


def test_total_printout_and_bad_input():
    scale = als.draft_scale(items_per_facet=1, language="en")
    data = als.simulate(scale, 300, seed=4).data
    bp = als.blueprint_irt(data, scale, level="total", se=None)
    assert list(bp.fits) == ["total"] and len(bp.fits["total"].items) == 9
    text = repr(bp)
    assert "reversed items" in text and "total: marginal reliability" in text
    assert "<table" in bp._repr_html_()
    with pytest.raises(OptionError):
        als.blueprint_irt(data, scale, level="bifactor")
    with pytest.raises(AnalysisError, match="not in the responses"):
        als.blueprint_irt(data.drop(columns=scale.item_ids[0]), scale)
    with pytest.raises(OptionError):
        als.blueprint_irt(data.to_numpy(), scale)
    assert isinstance(bp.to_frame(), pd.DataFrame)


# ------------------------------------------- level="dimension": the confirmatory model
TRUE_CORR = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, 0.7], [0.5, 0.7, 1.0]])


def correlated_dimensions(scale, n, seed, stray=()):
    """Graded answers from three correlated traits (``TRUE_CORR``), every item on its own
    dimension (slope 1.6), reverse-keyed items written reversed; items in ``stray`` answer to
    a fourth trait, independent of the others, instead (a misspecified blueprint)."""
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal((n, 3)) @ np.linalg.cholesky(TRUE_CORR).T
    theta = np.column_stack([theta, rng.standard_normal(n)])
    frame = scale.to_frame()
    data = {}
    for j, item in enumerate(scale.items):
        dim = "ABCD".index("D" if item.id in stray else frame.loc[item.id, "dimension"])
        answers = als.simulate_irt([1.6], [[2.5, 1.0, -0.5, -2.0]], n, seed=seed + j,
                                   theta=theta[:, dim])["q1"]
        data[item.id] = 6 - answers if item.keyed < 0 else answers
    return pd.DataFrame(data)


@pytest.mark.slow
def test_dimension_level_fits_the_correlated_model():
    """The latent correlations recover the truth; M2* does not reject the true blueprint
    and rejects one where half of B's items answer to another trait; per-item diagnostics
    still come from the per-dimension models; the printout shows both."""
    scale = als.draft_scale(items_per_facet=2, language="en")
    bp = als.blueprint_irt(correlated_dimensions(scale, 500, 3), scale, level="dimension",
                           se=None)
    assert sorted(bp.fits) == ["A", "B", "C"] and bp.joint is not None
    assert bp.joint.factors == ("A", "B", "C") and bp.joint_note == ""
    assert bp.joint._grid.nodes.size == 21  # posterior SDs ~0.3: finer than mirt's 15
    corr = bp.latent_correlations()
    np.testing.assert_allclose(corr.to_numpy(), TRUE_CORR, atol=0.06)
    good = bp.overall_fit()
    assert good["p"].iloc[0] > 0.05 and good["RMSEA"].iloc[0] < 0.03
    assert bp.overall_fit() is not bp._cache["m2"]  # a copy of the cached table
    text = repr(bp)
    assert "Latent correlations" in text and "Overall fit (M2*" in text
    assert set(bp.item_table()["group"]) == {"A", "B", "C"}
    b_items = [i for i in scale.item_ids if scale.to_frame().loc[i, "dimension"] == "B"]
    stray = b_items[: len(b_items) // 2]
    bad = als.blueprint_irt(correlated_dimensions(scale, 500, 3, stray), scale,
                            level="dimension", se=None, quadpts=15)
    assert bad.joint._grid.nodes.size == 15
    bad = bad.overall_fit()
    assert bad["p"].iloc[0] < 1e-6 and bad["RMSEA"].iloc[0] > good["RMSEA"].iloc[0] + 0.02


def test_dimension_level_without_a_confirmatory_model():
    scale = als.draft_scale(items_per_facet=1, language="en")
    data = correlated_dimensions(scale, 300, 5)
    facet = als.blueprint_irt(data, scale, level="total", se=None)
    assert facet.joint is None
    with pytest.raises(AnalysisError, match=r"latent_correlations\(\).*level='dimension'"):
        facet.latent_correlations()
    with pytest.warns(als.AllianceScaleWarning, match="not testable"):
        rasch = als.blueprint_irt(data, scale, level="dimension", model="Rasch", se=None)
    assert rasch.joint is None and "graded, 2PL, gpcm" in rasch.joint_note
    assert "not testable: model='Rasch'" in repr(rasch)
    with pytest.raises(AnalysisError, match="overall_fit"):
        rasch.overall_fit()


@pytest.mark.slow
def test_dimension_level_with_too_few_items_for_m2():
    scale = als.draft_scale(items_per_facet=1, language="en")
    bp = als.blueprint_irt(correlated_dimensions(scale, 300, 6), scale, level="dimension",
                           se=None, quadpts=15)
    assert np.isfinite(bp.latent_correlations().to_numpy()).all()
    with pytest.raises(AnalysisError, match="degrees of freedom"):
        bp.overall_fit()
    assert "not testable: M2* has -3 degrees of freedom" in repr(bp)


def test_the_facets_warnings_are_summarised_not_a_storm():
    """Nine two-item facets: eight of their EM runs stop at max_cycles and three have sparse
    categories; one warning per kind, naming the facets (and each facet's categories), not
    one per fit; the printout flags every fit that did not converge."""
    scale = als.draft_scale(items_per_facet=2, language="en")
    data = als.simulate(scale, 500, seed=2).data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bp = als.blueprint_irt(data, scale, level="facet", se=None)
    messages = [str(w.message) for w in caught if issubclass(w.category,
                                                             als.AllianceScaleWarning)]
    stalled = [name for name, fit in bp.fits.items() if not fit.converged]
    assert len(stalled) >= 2
    assert len(messages) == 2
    converge = next(m for m in messages if "did not converge" in m)
    assert converge.startswith("facets " + ", ".join(stalled) + ": EM did not converge")
    sparse = next(m for m in messages if m.startswith("categories chosen by fewer"))
    assert sparse.count("facet ") >= 2
    printed = str(bp)
    assert printed.count("EM NOT converged") == len(stalled)
