"""measurement_invariance() against lavaan 0.6.14 / semTools 0.5.6 (cfa_reference.R):
nested fits by cfa(group.equal =) or semTools::measEq.syntax (ordered items, Wu & Estabrook
2016) and lavTestLRT's difference tests."""

from __future__ import annotations

import itertools
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from support import (
    BFI_MODEL,
    FIXTURES,
    HS_MODEL,
    SMALL_MODEL,
    assert_estimates,
    fit_small,
    lavaan_statistics,
)
from support import (
    CFA_REFERENCE as REF,
)

import alliance_scale as als
from alliance_scale import AllianceScaleWarning, OptionError
from alliance_scale.psychometrics._cfa._invariance import _difference

ORDINAL_STEPS = {"configural": (), "thresholds": ("thresholds",),
                 "metric": ("thresholds", "loadings"),
                 "scalar": ("thresholds", "loadings", "intercepts")}


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "HolzingerSwineford1939.csv")


def _check_lrt(table: pd.DataFrame, lrt: dict, tol: float = 1e-4) -> None:
    np.testing.assert_allclose(table["chisq_diff"].to_numpy()[1:],
                               np.array(lrt["chisq_diff"][1:], float), rtol=tol)
    assert table["df_diff"].to_numpy()[1:].tolist() == lrt["df_diff"][1:]
    np.testing.assert_allclose(table["pvalue_diff"].to_numpy()[1:],
                               np.array(lrt["pvalue"][1:], float), rtol=tol, atol=1e-10)


@pytest.mark.slow
@pytest.mark.parametrize("estimator", ["ML", "MLR"])
def test_continuous_invariance_matches_lavaan(hs: pd.DataFrame, estimator: str) -> None:
    result = als.measurement_invariance(hs, HS_MODEL, "school", estimator=estimator)
    reference = REF[f"hs_invariance_{estimator.lower()}"]
    assert result.levels == ("configural", "metric", "scalar", "strict")
    for level in result.levels:
        fit, expected = result.fits[level].fit, reference[level]["fit"]
        assert fit["df"] == expected["df"]
        assert fit["chisq"] == pytest.approx(expected["chisq"], rel=1e-4)
        for key in ("cfi", "tli", "rmsea", "srmr"):
            assert fit[key] == pytest.approx(expected[key], abs=1e-4)
        if estimator == "MLR":
            assert fit["chisq_scaled"] == pytest.approx(expected["chisq_scaled"], rel=1e-4)
            assert result.table.loc[level, "cfi"] == pytest.approx(expected["cfi_robust"],
                                                                   abs=1e-4)
    _check_lrt(result.table, reference["lrt"])
    assert result.indices == ("standard" if estimator == "ML" else "robust")


@pytest.mark.slow
def test_chen_cutoffs_applied_to_lavaan_indices(hs: pd.DataFrame) -> None:
    result = als.measurement_invariance(hs, HS_MODEL, "school")
    reference = REF["hs_invariance_ml"]
    levels = ("configural", "metric", "scalar", "strict")
    for before, after in itertools.pairwise(levels):
        fit0, fit1 = reference[before]["fit"], reference[after]["fit"]
        d_cfi, d_rmsea = fit1["cfi"] - fit0["cfi"], fit1["rmsea"] - fit0["rmsea"]
        d_srmr = fit1["srmr"] - fit0["srmr"]
        cut = 0.030 if after == "metric" else 0.010
        expected = not (d_cfi <= -0.010 and (d_rmsea >= 0.015 or d_srmr >= cut))
        assert bool(result.table.loc[after, "invariant"]) == expected
    assert result.table["invariant"].tolist()[1:] == [True, False, True]


@pytest.mark.slow
def test_ordinal_invariance_matches_semtools_given_lavaans_statistics() -> None:
    """Wu & Estabrook identification, fed lavaan's per-group thresholds, polychorics and
    Gamma of six bfi items (no ordinal module needed)."""
    reference = REF["bfi_small_invariance"]
    groups = [lavaan_statistics(s) for s in reference["sampstat"]]
    fits = [fit_small("WLSMV", groups, std_lv=True, group_equal=ge, labels=["1", "2"])
            for ge in ORDINAL_STEPS.values()]
    for fit, level in zip(fits, ORDINAL_STEPS, strict=True):
        expected = reference[level]["fit"]
        assert fit.fit["df"] == expected["df"]
        assert fit.fit["chisq"] == pytest.approx(expected["chisq"], rel=1e-4)
        assert fit.fit["chisq_scaled"] == pytest.approx(expected["chisq_scaled"], rel=1e-4)
        assert fit.fit["chisq_shift_parameter"] == pytest.approx(
            expected["chisq_shift_parameter"], rel=1e-4)
        if expected["cfi_robust"] is None:  # lavaan's catML fails once scales are free
            assert np.isnan(fit.fit["cfi_robust"])
        else:
            assert fit.fit["cfi_robust"] == pytest.approx(expected["cfi_robust"], abs=1e-4)
    lrt = reference["lrt"]
    for k in range(3):
        stat, df, p = _difference(fits[k], fits[k + 1], "WLSMV")
        assert stat == pytest.approx(lrt["chisq_diff"][k + 1], rel=1e-4)
        assert df == lrt["df_diff"][k + 1]
        assert p == pytest.approx(lrt["pvalue"][k + 1], rel=1e-4)
    assert_estimates(fits[-1], reference["scalar_estimates"])


@pytest.mark.slow
def test_ordinal_invariance_end_to_end_on_bfi(bfi: pd.DataFrame) -> None:
    """Needs the ordinal statistics (psychometrics/_cfa/_ordinal.py)."""
    data = bfi.iloc[:, :26]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        result = als.measurement_invariance(data, BFI_MODEL, "gender", estimator="WLSMV")
    reference = REF["bfi_invariance"]
    assert result.levels == tuple(ORDINAL_STEPS)
    assert result.fits["configural"].groups == tuple(reference["group_label"])
    for level in result.levels:
        fit, expected = result.fits[level].fit, reference[level]["fit"]
        assert fit["df"] == expected["df"]
        assert fit["chisq"] == pytest.approx(expected["chisq"], rel=1e-4)
        assert fit["chisq_scaled"] == pytest.approx(expected["chisq_scaled"], rel=1e-4)
    _check_lrt(result.table, reference["lrt"])


@pytest.mark.slow
def test_ordinal_invariance_with_pairwise_missing_answers(bfi: pd.DataFrame) -> None:
    """lavaan's missing = "pairwise" per group: every bfi row kept (919 and 1,881)."""
    data = bfi[["A1", "A2", "A3", "C1", "C2", "C3", "gender"]]
    assert data.isna().any(axis=1).any()
    model = {"A": ["A1", "A2", "A3"], "C": ["C1", "C2", "C3"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        result = als.measurement_invariance(data, model, "gender", estimator="WLSMV",
                                            missing="pairwise")
    reference = REF["bfi_small_invariance_pairwise"]
    assert result.fits["configural"].n_obs == len(data)
    for level in result.levels:
        fit, expected = result.fits[level].fit, reference[level]["fit"]
        assert fit["df"] == expected["df"]
        assert fit["chisq"] == pytest.approx(expected["chisq"], rel=1e-4)
        assert fit["chisq_scaled"] == pytest.approx(expected["chisq_scaled"], rel=1e-4)
        assert fit["cfi_scaled"] == pytest.approx(expected["cfi_scaled"], abs=1e-4)
    _check_lrt(result.table, reference["lrt"])
    assert_estimates(result.fits["scalar"], reference["scalar_estimates"])


@pytest.mark.parametrize(("options", "message"), [
    ({"estimator": "WLSMV", "levels": ("configural", "strict")}, "delta parameterization"),
    ({"levels": ("metric", "configural")}, "in the order"),
    ({"levels": ("configural", "configural")}, "in the order"),
    ({"levels": ("configural", "thresholds")}, "levels must be one of"),
    ({"levels": ()}, "at least one"),
    ({"estimator": "DWLS"}, "estimator must be one of"),
])
def test_bad_levels_and_estimators(hs: pd.DataFrame, options: dict, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        als.measurement_invariance(hs, HS_MODEL, "school", **options)


@pytest.mark.slow
def test_result_renders(hs: pd.DataFrame) -> None:
    result = als.measurement_invariance(hs, HS_MODEL, "school", levels=("configural", "metric"))
    text = repr(result)
    assert "InvarianceResult" in text and "metric" in text and "e-0" not in text
    assert "<table" in result._repr_html_()
    assert list(result.to_frame().index) == ["configural", "metric"]


GAPS = json.loads((FIXTURES / "cfa_gaps_reference.json").read_text())


@pytest.mark.slow
def test_binary_items_order_the_comparisons_by_df_as_lavtestlrt(bfi: pd.DataFrame) -> None:
    """Binary items: the scalar model frees the scaling factors (Wu & Estabrook 2016) and
    has fewer df than the metric one; lavTestLRT sorts by df (tests/fixtures/
    cfa_gaps_reference.R)."""
    items = ["A1", "A2", "A3", "C1", "C2", "C3"]
    data = bfi[[*items, "gender"]].dropna()
    data[items] = (data[items] >= 4).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        result = als.measurement_invariance(data, SMALL_MODEL, "gender", estimator="WLSMV")
    reference = GAPS["binary_invariance"]
    for level, expected in reference["fits"].items():
        fit = result.fits[level].fit
        assert (fit["npar"], fit["df"]) == (expected["npar"], expected["df"])
        assert fit["chisq"] == pytest.approx(expected["chisq"], rel=1e-4)
        assert fit["chisq_scaled"] == pytest.approx(expected["chisq_scaled"], rel=1e-4)
    lrt = reference["lrt"]
    assert list(result.table.index) == lrt["model"]  # configural, thresholds, scalar, metric
    assert list(result.table["compared_with"]) == ["", *lrt["model"][:-1]]
    _check_lrt(result.table.iloc[1:], {k: v[1:] for k, v in lrt.items()})  # 0-df step: NA
    assert result.table["df_diff"].iloc[1] == 0 and np.isnan(result.table["pvalue_diff"].iloc[1])
    assert "invariance held" in repr(result)


@pytest.mark.slow
def test_theta_parameterization_matches_lavaan(bfi: pd.DataFrame) -> None:
    """One group: residual variances fixed at 1, scales derived (the ~*~ rows), the same
    fit as delta; estimates on the theta scale (tests/fixtures/cfa_gaps_reference.R)."""
    reference = GAPS["theta"]
    data = bfi[["A1", "A2", "A3", "C1", "C2", "C3"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        fit = als.cfa(data, SMALL_MODEL, ordered=True, estimator="WLSMV",
                      parameterization="theta")
        delta = als.cfa(data, SMALL_MODEL, ordered=True, estimator="WLSMV")
    theirs = pd.DataFrame(reference["estimates"]).replace({None: np.nan})
    merged = fit.estimates.assign(group=1).merge(theirs, on=["lhs", "op", "rhs", "group"],
                                                 suffixes=("", "_ref"))
    assert len(merged) == len(theirs) == len(fit.estimates)
    np.testing.assert_allclose(merged["est"], merged["est_ref"], atol=1e-4)
    np.testing.assert_allclose(merged["se"], merged["se_ref"], atol=1e-4)
    for key in ("npar", "chisq", "df", "chisq_scaled", "cfi_robust", "rmsea_robust", "srmr"):
        assert fit.fit[key] == pytest.approx(reference["fit"][key], rel=1e-5, abs=1e-6), key
        assert delta.fit[key] == pytest.approx(fit.fit[key], rel=1e-6, abs=1e-8), key
    loadings = merged[merged["op"] == "=~"]
    assert (loadings["est"].abs() > 0).all()
    with pytest.raises(OptionError, match="parameterization"):
        als.cfa(data, SMALL_MODEL, ordered=True, estimator="WLSMV", parameterization="gamma")
    with pytest.raises(OptionError, match="not parameters in the theta"):
        als.cfa(data, SMALL_MODEL + "\nA1 ~*~ A1", ordered=True, estimator="WLSMV",
                parameterization="theta")


@pytest.mark.slow
def test_theta_invariance_with_strict_matches_semtools(bfi: pd.DataFrame) -> None:
    """Wu & Estabrook in the theta parameterization frees residual variances instead of
    scales; strict (equal residual variances) becomes testable, as semTools."""
    reference = GAPS["theta_invariance"]
    data = bfi[["A1", "A2", "A3", "C1", "C2", "C3", "gender"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        result = als.measurement_invariance(data, SMALL_MODEL, "gender", estimator="WLSMV",
                                            parameterization="theta")
    assert result.levels == ("configural", "thresholds", "metric", "scalar", "strict")
    for level, expected in reference["fits"].items():
        fit = result.fits[level].fit
        assert (fit["npar"], fit["df"]) == (expected["npar"], expected["df"]), level
        assert fit["chisq"] == pytest.approx(expected["chisq"], rel=1e-5), level
        assert fit["chisq_scaled"] == pytest.approx(expected["chisq_scaled"], rel=1e-5), level
        if expected["cfi_robust"] is None:
            assert np.isnan(fit["cfi_robust"]), level
        else:
            assert fit["cfi_robust"] == pytest.approx(expected["cfi_robust"], abs=1e-6)
    _check_lrt(result.table, reference["lrt"])
    strict = result.fits["strict"].estimates
    theirs = pd.DataFrame(reference["strict_estimates"]).replace({None: np.nan})
    merged = strict.merge(theirs, on=["lhs", "op", "rhs", "group"], suffixes=("", "_ref"))
    np.testing.assert_allclose(merged["est"], merged["est_ref"], atol=1e-4)
    residuals = merged[(merged["op"] == "~~") & (merged["lhs"] == merged["rhs"])
                       & merged["lhs"].str.len().eq(2)]
    assert np.allclose(residuals["est"], 1.0)  # equal across groups: 1 as in group 1
    with pytest.raises(OptionError, match="parameterization='theta'"):
        als.measurement_invariance(data, SMALL_MODEL, "gender", estimator="WLSMV",
                                   levels=("configural", "strict"))
