"""Full-information ML (``missing="ml"``) against lavaan 0.6.14 (tests/fixtures/fiml_reference.R).

Holzinger-Swineford with 10% MCAR and with MAR skips, bfi (its own skips plus 10% MCAR):
estimates and SEs to 1e-5, chi-square 1e-6 relative, every fit measure lavaan reports that
``cfa()`` computes to 1e-6 (relative for chi-squares and log-likelihoods), the EM
saturated moments to 1e-8. On bfi lavaan's optimiser stops earlier than ours (its
log-likelihood is 3e-7 lower), so its estimates there agree to 4e-5.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from support import (
    BFI_MODEL,
    FIT_KEYS,
    FIXTURES,
    HS_MODEL,
    ML_KEYS,
    ROBUST_KEYS,
    assert_estimates,
    assert_fit,
)

import alliance_scale as als
from alliance_scale import AllianceScaleWarning, OptionError
from alliance_scale.psychometrics._cfa._fiml import MissingGroup, casewise

REF = json.loads((FIXTURES / "fiml_reference.json").read_text())
ITEMS = [f"x{i}" for i in range(1, 10)]
FIML_ROBUST = ("cfi_robust", "tli_robust", "nnfi_robust", "rni_robust", "rmsea_robust",
               "rmsea_ci_lower_robust", "rmsea_ci_upper_robust", "rmsea_pvalue_robust",
               "rmsea_notclose_pvalue_robust")


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(FIXTURES / f"{name}.csv") for name in ("hs_mcar", "hs_mar")}


def _check(fit: als.CFAResult, reference: dict, keys: tuple[str, ...], tol: float = 1e-5) -> None:
    assert_estimates(fit, reference["estimates"], tol=tol)
    assert_fit(fit, reference["fit"], keys, tol=1e-6)
    # nothing lavaan reports and we compute differs
    shared = [k for k, v in reference["fit"].items() if k in fit.fit and v is not None]
    assert len(shared) >= len(keys)
    assert_fit(fit, reference["fit"], tuple(shared), tol=1e-6)
    assert fit.n_obs == reference["nobs"]


@pytest.mark.parametrize(("key", "missing"), [("hs_mcar_ml", "ml"), ("hs_mar_ml", "ml"),
                                              ("hs_mcar_mlx", "ml.x")])
def test_fiml_ml_matches_lavaan(data: dict, key: str, missing: str) -> None:
    fit = als.cfa(data[key.rsplit("_", 1)[0]], HS_MODEL, missing=missing)
    _check(fit, REF[key], FIT_KEYS + ML_KEYS + FIML_ROBUST)
    # lavaan's default for FIML: observed information, means in the model
    means = fit.estimates.query("op == '~1'")
    assert means["lhs"].tolist() == [*ITEMS, "visual", "textual", "speed"]


@pytest.mark.parametrize(("key", "options"), [
    ("hs_mcar_mlr", {}), ("hs_mar_mlr", {}), ("hs_mar_mlr_stdlv", {"std_lv": True})])
def test_fiml_mlr_matches_lavaan(data: dict, key: str, options: dict) -> None:
    frame = data["_".join(key.split("_")[:2])]
    fit = als.cfa(frame, HS_MODEL, estimator="MLR", missing="ml", **options)
    _check(fit, REF[key], FIT_KEYS + ML_KEYS + ROBUST_KEYS +
           ("scaling_factor_h1", "scaling_factor_h0"))


@pytest.mark.slow
def test_fiml_mlr_on_bfi_matches_lavaan() -> None:
    frame = pd.read_csv(FIXTURES / "bfi_mcar.csv")
    fit = als.cfa(frame, BFI_MODEL, estimator="MLR", missing="ml")
    reference = REF["bfi_mcar_mlr"]
    assert_estimates(fit, reference["estimates"], tol=4e-5)
    assert fit.fit["logl"] >= reference["fit"]["logl"] - 1e-8  # lavaan stops a bit lower
    assert_fit(fit, reference["fit"], FIT_KEYS + ML_KEYS + ROBUST_KEYS, tol=1e-6)
    assert fit.n_obs == 2800


@pytest.mark.parametrize("key", ["hs_mcar_ml", "hs_mar_ml"])
def test_em_saturated_moments_match_lavaan(data: dict, key: str) -> None:
    group = MissingGroup(data[key.rsplit("_", 1)[0]][ITEMS].to_numpy())
    np.testing.assert_allclose(group.cov, REF[key]["h1_cov"][0], atol=1e-8)
    np.testing.assert_allclose(group.mean, REF[key]["h1_mean"][0], atol=1e-8)
    assert -0.5 * (group.n * group.h1_fx + group.n_observed * np.log(2 * np.pi)) == \
        pytest.approx(REF[key]["fit"]["unrestricted_logl"], rel=1e-10)


def test_casewise_likelihood_equals_the_direct_sum(data: dict) -> None:
    """The identities of the module docstring against one inverse per row."""
    raw = data["hs_mar"][ITEMS].to_numpy()
    group = MissingGroup(raw)
    rng = np.random.default_rng(3)
    a = rng.normal(size=(9, 9))
    sigma, mu = a @ a.T / 9 + np.eye(9), rng.normal(size=9)
    parts = casewise(group, sigma, mu)
    direct, u = 0.0, np.zeros_like(raw)
    for i, row in enumerate(raw):
        seen = ~np.isnan(row)
        block = sigma[np.ix_(seen, seen)]
        d = row[seen] - mu[seen]
        direct += np.linalg.slogdet(block)[1] + d @ np.linalg.solve(block, d)
        u[i, seen] = np.linalg.solve(block, d)
    assert parts.fx == pytest.approx(direct / len(raw), rel=1e-12)
    np.testing.assert_allclose(parts.u, u, atol=1e-12)


def test_complete_data_gives_the_listwise_estimates() -> None:
    hs = pd.read_csv(FIXTURES / "HolzingerSwineford1939.csv")
    fiml = als.cfa(hs, HS_MODEL, missing="ml")
    listwise = als.cfa(hs, HS_MODEL)
    merged = fiml.estimates.merge(listwise.estimates, on=["lhs", "op", "rhs"])
    np.testing.assert_allclose(merged["est_x"], merged["est_y"], atol=1e-6)
    assert fiml.fit["chisq"] == pytest.approx(listwise.fit["chisq"], rel=1e-6)


def test_fiml_recovers_the_truth_under_mar_where_listwise_is_biased() -> None:
    """Simulated truth: one factor, loadings 0.8, intercepts 0; skips depend on y1 (MAR)."""
    rng = np.random.default_rng(11)
    n = 4000
    eta = rng.normal(size=n)
    y = 0.8 * eta[:, None] + rng.normal(scale=0.6, size=(n, 4))
    frame = pd.DataFrame(y, columns=["y1", "y2", "y3", "y4"])
    skip = rng.random((n, 3)) < np.where(frame["y1"].to_numpy() > 0, 0.6, 0.05)[:, None]
    frame.loc[:, ["y2", "y3", "y4"]] = frame[["y2", "y3", "y4"]].mask(skip)
    model = "f =~ y1 + y2 + y3 + y4"
    fiml = als.cfa(frame, model, missing="ml", std_lv=True)
    means = fiml.estimates.query("op == '~1'")["est"].to_numpy()
    assert np.abs(means).max() < 0.05  # true intercepts are 0
    with pytest.warns(AllianceScaleWarning, match="missing='ml' keeps incomplete rows"):
        listwise = als.cfa(frame, model, missing="listwise", std_lv=True)
    loads = listwise.estimates.query("op == '=~'")["est"].to_numpy()
    assert np.abs(fiml.estimates.query("op == '=~'")["est"].to_numpy() - 0.8).max() < 0.05
    assert np.abs(loads - 0.8).max() > 0.1  # selection on y1 attenuates the loadings


def test_rows_without_answers_are_left_out_with_a_warning(data: dict) -> None:
    frame = data["hs_mcar"].copy()
    frame.loc[[3, 7], ITEMS] = np.nan
    with pytest.warns(AllianceScaleWarning, match="2 of 301 respondents answered no item"):
        fit = als.cfa(frame, HS_MODEL, missing="ml")
    assert fit.n_obs == 299


def test_fiml_refuses_ordered_items_and_covariance_input(data: dict) -> None:
    with pytest.raises(OptionError, match="missing='ml'"):
        als.cfa(data["hs_mcar"].fillna(1).round(), HS_MODEL, estimator="WLSMV", ordered=True,
                missing="ml")
    hs = pd.read_csv(FIXTURES / "HolzingerSwineford1939.csv")
    with pytest.raises(OptionError, match="needs the responses"):
        als.cfa(model=HS_MODEL, cov_matrix=hs[ITEMS].cov(), n_obs=301, missing="ml")


@pytest.mark.parametrize(("key", "name", "estimator"), [
    ("hs_mar_invariance_ml", "hs_mar", "ML"), ("hs_mcar_invariance_mlr", "hs_mcar", "MLR")])
@pytest.mark.slow
def test_fiml_invariance_across_schools_matches_lavaan(data: dict, key: str, name: str,
                                                       estimator: str) -> None:
    result = als.measurement_invariance(data[name], HS_MODEL, "school", estimator=estimator,
                                        missing="ml")
    reference = REF[key]
    assert result.levels == ("configural", "metric", "scalar", "strict")
    for level in result.levels:
        fit, expected = result.fits[level], reference[level]["fit"]
        shared = tuple(k for k, v in expected.items() if k in fit.fit and v is not None)
        assert len(shared) >= (40 if estimator == "ML" else 60)
        # MLR, strict: lavaan's scaling factor differs by 1.1e-6 (its optimiser's stop)
        assert_fit(fit, expected, shared, tol=1e-6 if estimator == "ML" else 2e-6)
        assert fit.n_obs == 301
    assert_estimates(result.fits["scalar"], reference["scalar"]["estimates"], tol=1e-5)
    table = result.table
    np.testing.assert_allclose(table["chisq_diff"].to_numpy()[1:],
                               np.array(reference["lrt"]["chisq_diff"][1:], float), rtol=1e-5)
    assert table["df_diff"].to_numpy()[1:].tolist() == reference["lrt"]["df_diff"][1:]


def test_invariance_refuses_an_unknown_missing_option(data: dict) -> None:
    with pytest.raises(OptionError, match="missing must be one of"):
        als.measurement_invariance(data["hs_mcar"], HS_MODEL, "school", missing="fiml")


# --- 2 + 2 models on stuart's fairplayer data (tests/fixtures/fiml_2x2_reference.R) -------
REF_2X2 = json.loads((FIXTURES / "fiml_2x2_reference.json").read_text())["models"]
#: measured: estimates 1e-6 apart, SEs 4e-5 relative (the weakest loading's SE is 8.9: the
#: observed information by central differences and lavaan's stop at rel.tol 1e-10)
TOL_2X2 = {"est": 5e-6, "se": 1e-4}


@pytest.fixture(scope="module")
def fairplayer() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "fairplayer_joint.csv")


def _fit_2x2(frame: pd.DataFrame, items: list[str]) -> tuple[als.CFAResult, list[str]]:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = als.cfa(frame, {"A": items[:2], "B": items[2:]}, missing="ml")
    return fit, [str(w.message) for w in caught]


@pytest.mark.parametrize("key", ["proper_a", "proper_b", "heywood_a", "heywood_b"])
def test_two_by_two_models_match_lavaan_where_it_converges(fairplayer: pd.DataFrame,
                                                            key: str) -> None:
    """lavaan converges (a proper or an improper solution): the same optimum, reached
    by the scoring steps without running into the ridge test."""
    reference = REF_2X2[key]
    assert reference["converged"]
    fit, messages = _fit_2x2(fairplayer, reference["items"])
    assert fit.converged
    assert fit.iterations < 100  # engine.RIDGE_FROM: the ridge test never ran
    assert fit.fit["logl"] == pytest.approx(reference["fit"]["logl"], abs=1e-8)
    assert fit.fit["chisq"] == pytest.approx(reference["fit"]["chisq"], abs=1e-8)
    assert fit.n_obs == reference["fit"]["ntotal"]
    expected = pd.DataFrame(reference["estimates"]).fillna({"rhs": ""})
    merged = fit.estimates.fillna({"rhs": ""}).merge(expected, on=["lhs", "op", "rhs"],
                                                     suffixes=("", "_ref"))
    assert len(merged) == len(expected) == 17
    np.testing.assert_allclose(merged["est"], merged["est_ref"], atol=TOL_2X2["est"])
    np.testing.assert_allclose(merged["se"], merged["se_ref"], rtol=TOL_2X2["se"], atol=1e-12)
    heywood = any("negative residual variance" in m for m in messages)
    assert heywood == any("ov variances are negative" in w for w in reference["warnings"])


@pytest.mark.parametrize("key", ["none_a", "none_b"])
def test_two_by_two_models_without_a_solution_are_flagged(fairplayer: pd.DataFrame,
                                                          key: str) -> None:
    """lavaan: "a solution has NOT been found" after thousands of iterations (the
    likelihood rises as a loading grows without bound). Here: a fit flagged not
    converged with a warning, stopped by the ridge test, never a LinAlgError."""
    reference = REF_2X2[key]
    assert not reference["converged"] and reference["iterations"] > 1000
    fit, messages = _fit_2x2(fairplayer, reference["items"])
    assert not fit.converged
    assert 100 <= fit.iterations <= 200  # the ridge test, not the 500-iteration limit
    assert any("did not converge" in m for m in messages)


def test_the_ridge_test_tells_linear_convergence_from_a_ridge() -> None:
    from alliance_scale.psychometrics._cfa._engine import RIDGE_FROM, on_a_ridge

    k = np.arange(RIDGE_FROM)
    assert not on_a_ridge(list(1.0 + 0.9 ** k))  # linear convergence, rate 0.9
    assert on_a_ridge(list(1.0 + 1.0 / (1.0 + k)))  # a decrease shrinking like 1/k^2
    assert not on_a_ridge(list(1.0 + 1.0 / (1.0 + k))[:-1])  # only every 25 iterations


def test_a_non_finite_information_gives_nan_errors_not_a_linalg_error() -> None:
    from alliance_scale.psychometrics._cfa._engine import invert_information

    info = np.eye(3)
    info[0, 1] = info[1, 0] = np.nan
    vcov, reason = invert_information(info, model=None)
    assert np.isnan(vcov).all() and "not finite" in reason[0]
