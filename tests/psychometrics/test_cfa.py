"""cfa() against lavaan 0.6.14 / semTools 0.5.6 (tests/fixtures/cfa_reference.R), recovery of
a known truth, bad input and warnings.

Tolerances (issue #11): estimates and SEs 1e-4 (absolute), chi-square 1e-4 (relative), fit
indices 1e-4, compRelSEM / AVE 1e-6. WLSMV is checked twice: the engine alone, fed lavaan's
own thresholds, polychorics and Gamma (``cfa_reference.json`` holds them for six bfi items),
and end to end on the 25 bfi items (that needs the ordinal sample statistics of
``_cfa/_ordinal.py``).
"""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from support import (
    BFI_MODEL,
    FIT_KEYS,
    FIXTURES,
    HS_MODEL,
    HS_SECOND,
    ML_KEYS,
    ROBUST_KEYS,
    SMALL_ITEMS,
    SMALL_MODEL,
    assert_estimates,
    assert_fit,
    fit_small,
    lavaan_statistics,
)
from support import (
    CFA_REFERENCE as REF,
)

import alliance_scale as als
from alliance_scale import (
    AllianceScaleWarning,
    AnalysisError,
    HeywoodWarning,
    NotPositiveDefiniteWarning,
    OptionError,
)


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "HolzingerSwineford1939.csv")


# ============================================================================ ML, MLR


def test_ml_matches_lavaan(hs: pd.DataFrame) -> None:
    fit = als.cfa(hs, HS_MODEL)
    reference = REF["hs_ml"]
    assert_estimates(fit, reference["estimates"])
    assert_fit(fit, reference["fit"], FIT_KEYS + ML_KEYS + ("rmsea_notclose_pvalue",))
    assert fit.n_obs == 301 and fit.converged
    np.testing.assert_allclose(fit.implied.to_numpy(), reference["implied_cov"][0], atol=1e-5)


def test_mlr_matches_lavaan(hs: pd.DataFrame) -> None:
    fit = als.cfa(hs, HS_MODEL, estimator="MLR")
    reference = REF["hs_mlr"]
    assert_estimates(fit, reference["estimates"])
    assert_fit(fit, reference["fit"], FIT_KEYS + ML_KEYS + ROBUST_KEYS +
               ("scaling_factor_h1", "scaling_factor_h0"))


@pytest.mark.parametrize(("key", "options"), [
    ("hs_second", {}), ("hs_stdlv", {"std_lv": True}), ("hs_mlr_second", {"estimator": "MLR"}),
])
def test_second_order_model_matches_lavaan(hs: pd.DataFrame, key: str, options: dict) -> None:
    fit = als.cfa(hs, HS_SECOND, **options)
    assert_estimates(fit, REF[key]["estimates"])
    keys = FIT_KEYS + ML_KEYS + (ROBUST_KEYS if "estimator" in options else ())
    assert_fit(fit, REF[key]["fit"], keys)


def test_covariance_matrix_input_matches_lavaan(hs: pd.DataFrame) -> None:
    items = [f"x{i}" for i in range(1, 10)]
    fit = als.cfa(model=HS_MODEL, cov_matrix=hs[items].cov(), n_obs=len(hs))
    assert_estimates(fit, REF["hs_cov"]["estimates"])
    assert_fit(fit, REF["hs_cov"]["fit"], FIT_KEYS)


def test_bfi_listwise_and_pairwise_match_lavaan(bfi_items: pd.DataFrame) -> None:
    with pytest.warns(AllianceScaleWarning, match="364 of 2800 respondents"):
        fit = als.cfa(bfi_items, BFI_MODEL)
    assert fit.n_obs == 2436
    assert_estimates(fit, REF["bfi_ml"]["estimates"])
    assert_fit(fit, REF["bfi_ml"]["fit"], FIT_KEYS + ML_KEYS)
    pairwise = als.cfa(bfi_items, SMALL_MODEL, missing="pairwise")
    assert pairwise.n_obs == 2800
    assert_estimates(pairwise, REF["bfi_pairwise"]["estimates"])
    assert_fit(pairwise, REF["bfi_pairwise"]["fit"], FIT_KEYS)


def test_multigroup_scalar_model_matches_lavaan(hs: pd.DataFrame) -> None:
    fit = als.cfa(hs, HS_MODEL, group="school", group_equal=["loadings", "intercepts"])
    reference = REF["hs_invariance_ml"]
    assert fit.groups == tuple(reference["group_label"])
    assert_estimates(fit, reference["scalar"]["estimates"])
    assert_fit(fit, reference["scalar"]["fit"], FIT_KEYS + ML_KEYS)


# ============================================================================ extras


def test_reliability_matches_semtools(hs: pd.DataFrame) -> None:
    table = als.cfa(hs, HS_MODEL).reliability
    for factor, value in REF["hs_ml"]["comprel"].items():
        assert table.loc[factor, "omega"] == pytest.approx(value, abs=1e-6)
    for factor, value in REF["hs_ml"]["ave"].items():
        assert table.loc[factor, "ave"] == pytest.approx(value, abs=1e-6)
    second = als.cfa(hs, HS_SECOND).reliability  # compRelSEM(fit, higher = "g")
    for factor, value in REF["hs_second"]["comprel"].items():
        assert second.loc[factor, "omega"] == pytest.approx(value, abs=1e-6)


def test_reliability_warns_about_unreversed_items(bfi_items: pd.DataFrame) -> None:
    fit = als.cfa(bfi_items.dropna(), BFI_MODEL)
    with pytest.warns(AllianceScaleWarning, match="A, C, E, O have positive and negative"):
        table = fit.reliability
    for factor, value in REF["bfi_ml"]["comprel"].items():  # lavaan's optimum: ~1e-5 looser
        assert table.loc[factor, "omega"] == pytest.approx(value, abs=1e-4)


@pytest.mark.parametrize("key", ["hs_ml", "hs_second"])
def test_modification_indices_match_lavaan(hs: pd.DataFrame, key: str) -> None:
    fit = als.cfa(hs, HS_MODEL if key == "hs_ml" else HS_SECOND)
    ours = fit.modification_indices(sort=False)
    theirs = pd.DataFrame(REF[key]["modindices"]).drop(columns="group")
    merged = ours.merge(theirs, on=["lhs", "op", "rhs"], how="outer", indicator=True,
                        suffixes=("", "_ref"))
    assert (merged["_merge"] == "both").all()
    np.testing.assert_allclose(merged["mi"], merged["mi_ref"], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(merged["epc"], merged["epc_ref"], atol=1e-4)
    np.testing.assert_allclose(merged["sepc_all"], merged["sepc_all_ref"], atol=1e-4)
    assert fit.modification_indices(minimum=10)["mi"].min() > 10


def test_fornell_larcker_uses_ave_and_factor_correlations(hs: pd.DataFrame) -> None:
    result = als.fornell_larcker(als.cfa(hs, HS_MODEL))
    ave = REF["hs_ml"]["ave"]
    estimates = pd.DataFrame(REF["hs_ml"]["estimates"])
    covariances = estimates[(estimates.op == "~~") & (estimates.lhs != estimates.rhs)]
    for factor in ave:
        assert result.table.loc[factor, factor] == pytest.approx(np.sqrt(ave[factor]), abs=1e-6)
    for _, row in covariances.iterrows():
        assert result.table.loc[row.lhs, row.rhs] == pytest.approx(row.std_all, abs=1e-5)
    off = result.table.abs().to_numpy() * (1 - np.eye(3))
    expected = [np.sqrt(ave[f]) > off[i].max() for i, f in enumerate(ave)]
    assert result.passed.tolist() == expected


def test_summary_reads_like_lavaan(hs: pd.DataFrame) -> None:
    text = str(als.cfa(hs, HS_MODEL, estimator="MLR"))
    for heading in ("Model Test User Model:", "Model Test Baseline Model:",
                    "Comparative Fit Index (CFI)", "Robust RMSEA", "Latent Variables:",
                    "Covariances:", "Variances:", "Std.lv  Std.all"):
        assert heading in text
    assert "  Test Statistic                                85.306      87.132" in text
    assert "    x2                0.554    0.132    4.191    0.000    0.498    0.424" in text
    assert "   .x1                0.549" in text
    assert not re.search(r"\de[-+]\d", text)


def test_result_renders_and_is_frozen(hs: pd.DataFrame) -> None:
    fit = als.cfa(hs, HS_MODEL, group="school")
    text = repr(fit)
    assert "CFAResult" in text and not re.search(r"\d\.\d+e[-+]0[0-3]\b", text)
    assert "<table" in fit._repr_html_()
    assert set(fit.std_loadings) == set(fit.groups)
    assert list(fit.to_frame().columns[:4]) == ["lhs", "op", "rhs", "group"]
    with pytest.raises(AttributeError):
        fit.estimator = "ML"  # type: ignore[misc]
    residuals = fit.residuals["Pasteur"]
    assert residuals.shape == (9, 9)
    assert "Group 2 [Grant-White]:" in fit.summary()


# ============================================================================ WLSMV


@pytest.mark.parametrize(("estimator", "key"), [
    ("WLSMV", "bfi_small_wlsmv"), ("DWLS", "bfi_small_dwls"), ("ULSMV", "bfi_small_uls"),
])
def test_ordinal_estimators_match_lavaan_given_its_statistics(estimator: str, key: str) -> None:
    stats = lavaan_statistics(REF["bfi_small_wlsmv"]["sampstat"],
                              "uls" if estimator == "ULSMV" else "dwls")
    fit = fit_small(estimator, [stats])
    reference = REF[key]
    assert_estimates(fit, reference["estimates"])
    robust = (*ROBUST_KEYS, "chisq_shift_parameter") if estimator != "DWLS" else ()
    assert_fit(fit, reference["fit"], FIT_KEYS + robust)  # ULS: lavaan gives no p-value


def test_wlsmv_extras_match_lavaan_and_semtools() -> None:
    fit = fit_small("WLSMV", [lavaan_statistics(REF["bfi_small_wlsmv"]["sampstat"])])
    reference = REF["bfi_small_wlsmv"]
    with pytest.warns(AllianceScaleWarning, match="factor.s. A have positive and negative"):
        table = fit.reliability  # Green & Yang's categorical omega (compRelSEM ord.scale)
    for factor, value in reference["comprel"].items():
        assert table.loc[factor, "omega"] == pytest.approx(value, abs=1e-6)
    for factor, value in reference["ave"].items():
        assert table.loc[factor, "ave"] == pytest.approx(value, abs=1e-6)
    ours = fit.modification_indices(sort=False)
    theirs = pd.DataFrame(reference["modindices"]).drop(columns="group")
    merged = ours.merge(theirs, on=["lhs", "op", "rhs"], suffixes=("", "_ref"))
    assert len(merged) == len(theirs) == len(ours)
    np.testing.assert_allclose(merged["mi"], merged["mi_ref"], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(merged["epc"], merged["epc_ref"], atol=1e-4)


def test_wlsmv_end_to_end_on_bfi_matches_lavaan(bfi_items: pd.DataFrame) -> None:
    """Needs the ordinal statistics (psychometrics/_cfa/_ordinal.py)."""
    with warnings.catch_warnings(), \
            pytest.warns(AllianceScaleWarning, match="9 pair.s. have empty cells") as record:
        warnings.filterwarnings("ignore", "364 of 2800", AllianceScaleWarning)
        fit = als.cfa(bfi_items, BFI_MODEL, ordered=True, estimator="WLSMV",
                      empty_cell_expected=0)  # every empty cell named
    assert all(w.filename == __file__ for w in record)
    reference = REF["bfi_wlsmv"]
    assert fit.n_obs == reference["nobs"]
    assert_estimates(fit, reference["estimates"])
    assert_fit(fit, reference["fit"], FIT_KEYS + ROBUST_KEYS + ("chisq_shift_parameter",))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        table = fit.reliability
    for factor, value in reference["comprel"].items():
        assert table.loc[factor, "omega"] == pytest.approx(value, abs=1e-6)
        assert table.loc[factor, "ave"] == pytest.approx(reference["ave"][factor], abs=1e-6)


@pytest.mark.parametrize(("key", "model"), [
    ("bfi_small_wlsmv_pairwise", SMALL_MODEL), ("bfi_wlsmv_pairwise", BFI_MODEL),
])
def test_wlsmv_with_pairwise_missing_answers_matches_lavaan(bfi_items: pd.DataFrame,
                                                             key: str, model: str) -> None:
    """lavaan's missing = "pairwise" with WLSMV: all 2,800 rows kept (364 would be left out
    listwise); measured on 25 items: estimates 1.0e-5, SEs 1.0e-6, compRelSEM 1.1e-6."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = als.cfa(bfi_items, model, ordered=True, estimator="WLSMV", missing="pairwise")
    assert not [w for w in caught if "left out" in str(w.message)]
    reference = REF[key]
    assert fit.n_obs == reference["nobs"] == len(bfi_items)
    assert_estimates(fit, reference["estimates"])
    assert_fit(fit, reference["fit"], FIT_KEYS + ROBUST_KEYS + ("chisq_shift_parameter",))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        table = fit.reliability
    for factor, value in reference["comprel"].items():
        assert table.loc[factor, "omega"] == pytest.approx(value, abs=1e-5)
        assert table.loc[factor, "ave"] == pytest.approx(reference["ave"][factor], abs=1e-6)


def test_pairwise_wlsmv_leaves_out_only_rows_without_answers(bfi_items: pd.DataFrame) -> None:
    data = bfi_items.copy()
    data.loc[data.index[[5, 9]], ["A1", "A2", "A3", "C1", "C2", "C3"]] = np.nan
    with pytest.warns(AllianceScaleWarning, match=r"2 of 2800 respondents answered no item"):
        fit = als.cfa(data, SMALL_MODEL, ordered=True, estimator="WLSMV", missing="pairwise")
    assert fit.n_obs == 2798
    data.loc[data.index[:100], "A1"] = np.nan
    data.loc[data.index[100:], "A2"] = np.nan
    with pytest.warns(AllianceScaleWarning, match="answered no item"), \
            pytest.raises(AnalysisError, match="'A1' and 'A2' are never answered together"):
        als.cfa(data, SMALL_MODEL, ordered=True, estimator="WLSMV", missing="pairwise")


# ============================================================================ recovery


def _facet_keys(scale: als.Scale) -> dict[str, list[str]]:
    return {name: list(items) for name, items in scale.keys.items() if len(name) == 2}


@pytest.fixture(scope="module")
def simulated() -> als.SimulationResult:
    return als.simulate(als.draft_scale(), 2000, seed=11, level="facet")


def _bias(fit: als.CFAResult, truth: pd.DataFrame) -> pd.Series:
    loadings = fit.std_loadings
    true = truth.loc[loadings.index, loadings.columns]
    return (loadings - true)[true != 0].stack()


def test_ml_recovers_loadings_of_continuous_responses(simulated: als.SimulationResult) -> None:
    """The simulation's latent responses (its factors, loadings and fresh unique parts)."""
    truth = simulated.truth
    loadings = truth.loadings.to_numpy()
    rng = np.random.default_rng(5)
    latent = truth.factor_scores.to_numpy() @ loadings.T
    latent += rng.standard_normal(latent.shape) * np.sqrt(1 - (loadings ** 2).sum(axis=1))
    data = pd.DataFrame(latent, columns=truth.loadings.index)
    fit = als.cfa(data, _facet_keys(simulated_scale()))
    bias = _bias(fit, truth.loadings)
    assert abs(bias.mean()) < 0.02 and bias.abs().max() < 0.08
    assert fit.fit["cfi"] > 0.95


def simulated_scale() -> als.Scale:
    return als.draft_scale()


@pytest.mark.slow
def test_wlsmv_recovers_the_nine_facets(simulated: als.SimulationResult) -> None:
    """Needs the ordinal statistics (psychometrics/_cfa/_ordinal.py)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        fit = als.cfa(simulated.items, _facet_keys(simulated_scale()), ordered=True,
                      estimator="WLSMV")
    bias = _bias(fit, simulated.truth.loadings)
    assert abs(bias.mean()) < 0.02 and bias.abs().mean() < 0.03
    assert fit.fit["cfi_robust"] > 0.95 and fit.fit["cfi_scaled"] > 0.95


@pytest.mark.slow
def test_wlsmv_recovers_the_second_order_model(simulated: als.SimulationResult) -> None:
    """Facets correlate .5 within and .3 between dimensions: second-order loadings
    sqrt(.5) and dimension correlations .6 (needs psychometrics/_cfa/_ordinal.py)."""
    keys = _facet_keys(simulated_scale())
    model = {**keys, **{d: [f for f in keys if f[0] == d] for d in "ABC"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        fit = als.cfa(simulated.items, model, ordered=True, estimator="WLSMV")
    bias = _bias(fit, simulated.truth.loadings)
    assert abs(bias.mean()) < 0.02
    assert fit.fit["cfi_robust"] > 0.95
    second = fit.estimates[(fit.estimates.op == "=~") & fit.estimates.lhs.isin(list("ABC"))]
    assert second["std_all"].mean() == pytest.approx(np.sqrt(0.5), abs=0.05)


# ============================================================================ bad input


@pytest.mark.parametrize(("options", "error", "pieces"), [
    ({"estimator": "GLS"}, OptionError, ["estimator must be one of"]),
    ({"estimator": "ML", "ordered": True}, OptionError, ["WLSMV"]),
    ({"estimator": "WLSMV"}, OptionError, ["ordered=True"]),
    ({"group_equal": ["loadings"]}, OptionError, ["needs group="]),
    ({"group": "school", "group_equal": ["slopes"]}, OptionError, ["group_equal must be"]),
    ({"std_lv": 1}, OptionError, ["std_lv must be True or False"]),
    ({"missing": "fiml"}, OptionError, ["missing must be one of"]),
    ({"missing": "pairwise", "estimator": "MLR"}, OptionError, ["pairwise"]),
    ({"n_obs": 100}, OptionError, ["n_obs goes with cov_matrix"]),
    ({"ordered": ["x1"], "estimator": "WLSMV"}, OptionError, ["every item", "x2"]),
    ({"group": "nowhere"}, AnalysisError, ["'nowhere'"]),
])
def test_bad_options(hs: pd.DataFrame, options: dict, error: type, pieces: list) -> None:
    with pytest.raises(error) as caught:
        als.cfa(hs, HS_MODEL, **options)
    for piece in pieces:
        assert piece in str(caught.value)


def test_bad_data(hs: pd.DataFrame) -> None:
    with pytest.raises(AnalysisError, match=r"'x10'.*not columns of the data") as caught:
        als.cfa(hs, HS_MODEL.replace("x9", "x10"))
    assert caught.value.column == "x10"
    text = hs.assign(x3=hs["x3"].astype(object).where(hs.index != 4, "n/a"))
    with pytest.raises(AnalysisError, match="non-numeric") as caught:
        als.cfa(text, HS_MODEL)
    assert caught.value.column == "x3" and caught.value.rows == [4]
    with pytest.raises(AnalysisError, match="constant") as caught:
        als.cfa(hs.assign(x5=3.0), HS_MODEL)
    assert caught.value.column == "x5"
    many = hs.assign(x1=np.arange(len(hs)) % 12 + 1).round()
    with pytest.raises(AnalysisError, match=r"12 distinct answers.*at most 10") as caught:
        als.cfa(many.round(), HS_MODEL, ordered=True, estimator="WLSMV")
    assert caught.value.column == "x1"
    with pytest.raises(AnalysisError, match="integer answer codes"):
        als.cfa(hs, HS_MODEL, ordered=True, estimator="WLSMV")
    with pytest.raises(OptionError, match="line 2"):
        als.cfa(hs, "visual =~ x1 + x2 + x3\ntextual =~ x4 x5")
    with pytest.raises(AnalysisError, match="'x1' and 'x2' are perfectly correlated"):
        als.cfa(hs.assign(x2=hs["x1"] * 2 + 1), HS_MODEL)


def test_unidentified_models(hs: pd.DataFrame) -> None:
    # an indicator of another factor too: its residual variance cannot be fixed
    with pytest.raises(AnalysisError, match=r"factor 'solo' has a single indicator \('x7'\)"):
        als.cfa(hs, HS_MODEL + "\nsolo =~ x7")
    single = HS_MODEL.replace("x7 + x8 + x9", "x7 + x9") + "\nsolo =~ x8\nx8 ~~ 0*x8"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fixed = als.cfa(hs, single)  # a fixed residual variance identifies it
    assert fixed.converged and np.isfinite(fixed.estimates["se"]).all()
    with pytest.raises(AnalysisError, match="df = -1"):
        als.cfa(hs, "f =~ x1 + x2")
    with pytest.warns(AllianceScaleWarning, match="not identified.*f =~ x1"):
        als.cfa(hs, "f =~ NA*x1 + x2 + x3 + x4")


def test_heywood_and_not_positive_definite_warnings() -> None:
    names = ["a", "b", "c"]
    cov = pd.DataFrame([[1, .8, .8], [.8, 1, .5], [.8, .5, 1]], index=names, columns=names)
    with pytest.warns(HeywoodWarning, match="negative residual variance of a"):
        als.cfa(model="f =~ a + b + c", cov_matrix=cov, n_obs=200)
    names = ["a1", "a2", "a3", "b1", "b2", "b3"]
    cov = np.full((6, 6), 0.4)
    cov[:3, :3] = cov[3:, 3:] = 0.3
    np.fill_diagonal(cov, 1.0)
    with pytest.warns(NotPositiveDefiniteWarning, match="latent covariance matrix"):
        als.cfa(model={"a": names[:3], "b": names[3:]},
                cov_matrix=pd.DataFrame(cov, index=names, columns=names), n_obs=300)


def test_covariance_matrix_checks(hs: pd.DataFrame) -> None:
    items = [f"x{i}" for i in range(1, 10)]
    with pytest.raises(OptionError, match="n_obs is needed"):
        als.cfa(model=HS_MODEL, cov_matrix=hs[items].cov())
    with pytest.raises(OptionError, match="DataFrame"):
        als.cfa(model=HS_MODEL, cov_matrix=hs[items].cov().to_numpy(), n_obs=301)
    with pytest.raises(OptionError, match="estimator='ML'"):
        als.cfa(model=HS_MODEL, cov_matrix=hs[items].cov(), n_obs=301, estimator="MLR")


# ============================================================================ split_sample


def test_split_sample_is_random_disjoint_and_reproducible(hs: pd.DataFrame) -> None:
    explore, confirm = als.split_sample(hs, frac=0.3, seed=4)
    assert (len(explore), len(confirm)) == (90, 211)
    assert explore.index.intersection(confirm.index).empty
    assert explore.index.is_monotonic_increasing and confirm.index.is_monotonic_increasing
    again = als.split_sample(hs, frac=0.3, seed=4)
    assert again.exploratory.index.equals(explore.index)
    assert not als.split_sample(hs, frac=0.3, seed=5).exploratory.index.equals(explore.index)
    assert als.split_sample(hs, seed=1).to_frame()["part"].value_counts().tolist() == [151, 150]


@pytest.mark.parametrize(("options", "error"), [
    ({"frac": 1.0, "seed": 1}, OptionError), ({"frac": 0, "seed": 1}, OptionError),
    ({"seed": -1}, OptionError), ({"seed": 1.5}, OptionError),
])
def test_split_sample_bad_options(hs: pd.DataFrame, options: dict, error: type) -> None:
    with pytest.raises(error):
        als.split_sample(hs, **options)
    with pytest.raises(AnalysisError):
        als.split_sample(hs.iloc[:1], seed=1)


def test_bifactor_model_with_orthogonal_factors(hs: pd.DataFrame) -> None:
    """lavaan: cfa(bifactor, std.lv = TRUE, orthogonal = TRUE) gives chi2 34.880, df 18
    (and a Heywood case on x1, as here)."""
    model = "g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9\n" + HS_MODEL
    with pytest.warns(HeywoodWarning, match="x1") as record:
        fit = als.cfa(hs, model, std_lv=True, orthogonal=True)
    assert record[0].filename == __file__  # the warning points at the caller
    assert fit.fit["df"] == 18
    assert fit.fit["chisq"] == pytest.approx(34.880, abs=1e-3)
    covariances = fit.estimates[(fit.estimates.op == "~~") &
                                (fit.estimates.lhs != fit.estimates.rhs)]
    assert (covariances["est"] == 0).all() and (covariances["se"] == 0).all()


def test_non_convergence_is_a_warning(hs: pd.DataFrame, monkeypatch) -> None:
    from alliance_scale.psychometrics._cfa import _fitting

    original = _fitting.engine.estimate
    monkeypatch.setattr(_fitting.engine, "estimate",
                        lambda *a, **k: original(*a, **{**k, "max_iter": 2}))
    one_start = pd.DataFrame(columns=["lhs", "op", "rhs", "start"])  # ours, and only ours
    with pytest.warns(AllianceScaleWarning, match="did not converge in 2 iterations") as record:
        fit = als.cfa(hs, HS_MODEL, start=one_start)
    assert not fit.converged and "did NOT end normally" in str(fit)
    assert record[0].filename == __file__


def test_dropped_rows_warning_points_at_the_caller(bfi_items: pd.DataFrame) -> None:
    with pytest.warns(AllianceScaleWarning, match="left out") as record:
        als.cfa(bfi_items, SMALL_MODEL)
    assert record[0].filename == __file__


def test_summary_shows_used_and_total_rows_as_lavaan_when_rows_are_left_out(bfi_items):
    # lavaan 0.6.14 prints "Used  Total" when listwise deletion leaves rows out
    items = ["A1", "A2", "A3", "A4", "A5"]
    with pytest.warns(als.AllianceScaleWarning, match="left out"):
        fit = als.cfa(bfi_items, {"A": items})
    used = int(bfi_items[items].notna().all(axis=1).sum())
    assert (fit.n_obs, fit.n_rows) == (used, 2800)
    lines = str(fit).splitlines()
    at = lines.index(f"  Number of observations{used:>30}{2800:>12}")
    assert lines[at - 1] == " " * 50 + "Used       Total"
    complete = als.cfa(bfi_items.dropna(), {"A": items})
    assert complete.n_rows == complete.n_obs
    assert "Used" not in str(complete) and "left out" not in repr(complete)


@pytest.mark.parametrize("estimator", ["ML", "MLR"])
@pytest.mark.parametrize("missing", ["listwise", "pairwise"])
@pytest.mark.parametrize("constant", [["x2"], ["x1", "x2", "x3", "x4", "x5", "x6"]])
def test_an_item_constant_in_one_group_is_named_with_the_group(
        hs: pd.DataFrame, estimator: str, missing: str, constant: list[str]) -> None:
    if estimator == "MLR" and missing == "pairwise":
        return  # refused as an option (tested above)
    data = hs.copy()
    data.loc[data["school"] == "Pasteur", constant] = 5.0
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"
    with pytest.raises(AnalysisError, match=r"constant in group 'Pasteur'.*every answer is 5"
                       ) as caught:
        als.cfa(data, model, group="school", estimator=estimator, missing=missing)
    assert caught.value.column == constant[0]
    with pytest.raises(AnalysisError, match="constant in group 'Pasteur'"):
        als.measurement_invariance(data, model, group="school", estimator=estimator)
    # ten answers of the group given back: the items vary, and it fits
    back = data.index[data["school"] == "Pasteur"][:10]
    data.loc[back, constant] = hs.loc[back, constant]
    assert als.cfa(data, model, group="school", estimator=estimator, missing=missing).converged


@pytest.mark.parametrize("model", [
    "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6",  # a column outside the model
    "x7 =~ x1 + x2 + x3",  # a factor named like an item of the data
    {"visual": ["x1", "x2", "x3"]},
])
def test_a_data_column_named_like_a_factor_is_refused_as_lavaan(hs: pd.DataFrame,
                                                                 model: object) -> None:
    lavaan = json.loads((FIXTURES / "cfa_gaps_reference.json").read_text())
    assert "latent variable names collide" in lavaan["latent_collision"]  # R refuses too
    data = hs.assign(visual=hs["x1"])
    with pytest.raises(OptionError, match=r"latent variable name\(s\) '(visual|x7)'.*collide"):
        als.cfa(data, model)
    with pytest.raises(OptionError, match="collide"):
        als.measurement_invariance(data, model, "school")
    cov = hs[["x1", "x2", "x3", "x4"]].cov().rename(index={"x4": "f"}, columns={"x4": "f"})
    with pytest.raises(OptionError, match="'f' of the model are also columns of cov_matrix"):
        als.cfa(model="f =~ x1 + x2 + x3", cov_matrix=cov, n_obs=301)
    assert als.cfa(hs, "visual =~ x1 + x2 + x3").converged  # no such column: fitted


def test_the_ordinal_baseline_in_closed_form_is_the_fitted_one(bfi_items: pd.DataFrame) -> None:
    """The Monte Carlo replications' independence model (thresholds at the sample's,
    correlations 0: chi-square and scaled-shifted test in closed form) equals the
    iterated fit of lavaan's baseline model that cfa() reports."""
    from alliance_scale.psychometrics._cfa._cfa import prepare
    from alliance_scale.psychometrics._cfa._fitting import _baseline, ordinal_baseline
    from alliance_scale.psychometrics._cfa._model import build_model

    data = bfi_items[SMALL_ITEMS].dropna()
    prepared = prepare(data, SMALL_MODEL, estimator="WLSMV", ordered=True, group=None,
                       missing="listwise")
    model = build_model(prepared.statements, ngroups=1, ordered=True,
                        thresholds=list(prepared.thresholds), meanstructure=True)
    for estimator in ("WLSMV", "DWLS"):
        fitted, closed = (_baseline(model, prepared.groups, estimator),
                          ordinal_baseline(model, prepared.groups, estimator))
        assert closed["df"] == fitted["df"] == 15 and fitted["chi2"] > 1000
        np.testing.assert_allclose(closed["chi2"], fitted["chi2"], rtol=1e-12)
        np.testing.assert_allclose(closed["x"], fitted["x"], rtol=0, atol=1e-12)
        assert bool(closed["scaled"]) == bool(fitted["scaled"]) == (estimator == "WLSMV")
        for key in fitted["scaled"]:
            np.testing.assert_allclose(closed["scaled"][key], fitted["scaled"][key],
                                       rtol=1e-12)


def test_a_fit_pickles_and_stays_read_only(hs):
    """A CFAResult crosses process boundaries (multiprocessing, Dask) whole; its ``fit``
    mapping stays read-only after the round trip."""
    import pickle

    fit = als.cfa(hs, HS_MODEL)
    copy = pickle.loads(pickle.dumps(fit))
    assert dict(copy.fit) == dict(fit.fit)
    with pytest.raises(TypeError):
        copy.fit["chisq"] = 0.0
    pd.testing.assert_frame_equal(copy.to_frame(), fit.to_frame())
    assert str(copy) == str(fit)
