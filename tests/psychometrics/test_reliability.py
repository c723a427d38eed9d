"""Reliability coefficients of alliance_scale.psychometrics._reliability._reliability (alpha,
item statistics, omega) against R psych 2.2.9 (tests/fixtures/reliability_reference.R,
omega_reference.R, efa_output_reference.R), hand-computed examples and recovery of a known
reliability on simulated data. The Scale-aware tables (reliability, test_retest) are tested
in tests/validity/test_reliability.py."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin
import pytest

from alliance_scale import (
    AnalysisError,
    cronbach_alpha,
    item_statistics,
    omega,
)
from alliance_scale.errors import AllianceScaleWarning, OptionError

TIGHT = 1e-6  # the target for alpha, item statistics and the Feldt interval
SCALES = ["agree", "conscientious", "extraversion", "neuroticism", "openness"]


@pytest.fixture(scope="module")
def reference(fixtures_dir):
    with open(fixtures_dir / "reliability_reference.json", encoding="utf-8") as handle:
        return json.load(handle)


def _keys(signed: list[str]) -> tuple[list[str], list[str]]:
    return [k.lstrip("-") for k in signed], [k[1:] for k in signed if k.startswith("-")]


# --------------------------------------------------------------------------- alpha vs R


@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
@pytest.mark.parametrize("name", SCALES)
def test_alpha_equals_psych(bfi_items, reference, name, missing):
    ref = reference["alpha"][name]
    expected = ref[missing]
    items, reverse = _keys(ref["keys"])
    fit = cronbach_alpha(bfi_items[items], reverse=reverse, missing=missing)
    assert fit.n_obs == expected["n_rows"]
    assert fit.k == 5
    assert fit.ci_method == "feldt"
    for ours, theirs in [(fit.alpha, "raw_alpha"), (fit.std_alpha, "std_alpha"),
                         (fit.g6, "g6"), (fit.average_r, "average_r"),
                         (fit.standard_error, "ase"), (fit.ci[0], "feldt_lower"),
                         (fit.ci[1], "feldt_upper")]:
        assert ours == pytest.approx(expected[theirs], abs=TIGHT), theirs
    table = fit.items
    assert list(table.index) == expected["items"]
    pairs = {"alpha_if_deleted": "drop_raw_alpha", "std_alpha_if_deleted": "drop_std_alpha",
             "g6_if_deleted": "drop_g6", "average_r_if_deleted": "drop_average_r",
             "raw_r": "raw_r", "std_r": "std_r", "r_cor": "r_cor", "r_drop": "r_drop",
             "mean": "item_mean", "sd": "item_sd", "n": "item_n"}
    for ours, theirs in pairs.items():
        np.testing.assert_allclose(table[ours], expected[theirs], rtol=0, atol=TIGHT,
                                   err_msg=ours)


@pytest.mark.parametrize("name", SCALES)
def test_duhachek_interval_equals_psych_ase(bfi_items, reference, name):
    ref = reference["alpha"][name]
    items, reverse = _keys(ref["keys"])
    fit = cronbach_alpha(bfi_items[items], reverse=reverse, ci="duhachek")
    assert fit.ci == pytest.approx(
        (ref["pairwise"]["duhachek_lower"], ref["pairwise"]["duhachek_upper"]), abs=TIGHT)


def test_listwise_interval_uses_the_rows_kept(bfi_items):
    data = bfi_items[["N1", "N2", "N3", "N4", "N5"]]
    fit = cronbach_alpha(data, missing="listwise")
    assert fit.n_obs == int(data.notna().all(axis=1).sum()) < len(data)


def test_ordinal_alpha_equals_psych_on_polychoric(bfi_items, reference):
    ref = reference["ordinal_alpha"]
    items = ["A1", "A2", "A3", "A4", "A5"]
    fit = cronbach_alpha(bfi_items[items], reverse=["A1"], cor="polychoric")
    # the polychoric estimates themselves agree with psych to ~1e-5
    assert fit.alpha == pytest.approx(ref["raw_alpha"], abs=1e-4)
    assert fit.std_alpha == pytest.approx(fit.alpha, abs=1e-12)  # raw = std on a correlation
    assert fit.g6 == pytest.approx(ref["g6"], abs=1e-4)
    assert fit.average_r == pytest.approx(ref["average_r"], abs=1e-4)
    np.testing.assert_allclose(fit.items["alpha_if_deleted"], ref["drop_raw_alpha"], atol=1e-4)
    np.testing.assert_allclose(fit.items["r_drop"], ref["r_drop"], atol=1e-4)


def test_alpha_matches_pingouin_on_complete_data(bfi_items):
    data = bfi_items[["C1", "C2", "C3"]].dropna()
    theirs, _ = pingouin.cronbach_alpha(data)
    assert cronbach_alpha(data).alpha == pytest.approx(theirs, abs=1e-12)


# --------------------------------------------------------------------------- by hand


def test_alpha_by_hand_two_items():
    # var(a) = var(b) = 5/3, cov(a, b) = 1: alpha = 2 (1 - (10/3) / (16/3)) = 0.75
    data = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 1, 4, 3]})
    fit = cronbach_alpha(data, ci=None)
    assert fit.alpha == pytest.approx(0.75)
    assert fit.std_alpha == pytest.approx(0.75)
    assert fit.average_r == pytest.approx(0.6)
    assert fit.ci_method is None and np.isnan(fit.ci).all()
    assert fit.items["alpha_if_deleted"].isna().all()  # one item left: undefined
    assert fit.items["r_drop"].tolist() == pytest.approx([0.6, 0.6])


def test_reversal_uses_the_response_range():
    data = pd.DataFrame({"a": [1.0, 2, 3, 5], "b": [5.0, 4, 3, 1], "c": [1.0, 3, 3, 5]})
    fit = cronbach_alpha(data, reverse=["b"])
    assert fit.items.loc["b", "mean"] == pytest.approx(6 - data["b"].mean())
    wider = cronbach_alpha(data, reverse=["b"], min_value=1, max_value=7)
    assert wider.items.loc["b", "mean"] == pytest.approx(8 - data["b"].mean())
    assert wider.alpha == pytest.approx(fit.alpha)  # a shift does not change alpha


def test_alpha_recovers_known_reliability():
    # 8 parallel items, loading .6, unit variance: population alpha = 8 .36 / (1 + 7 .36)
    rng = np.random.default_rng(7)
    n, k, loading = 20_000, 8, 0.6
    factor = rng.standard_normal((n, 1))
    data = pd.DataFrame(loading * factor + np.sqrt(1 - loading**2)
                        * rng.standard_normal((n, k)))
    truth = k * loading**2 / (1 + (k - 1) * loading**2)
    fit = cronbach_alpha(data)
    assert fit.alpha == pytest.approx(truth, abs=0.01)
    assert fit.ci[0] < truth < fit.ci[1] or abs(fit.alpha - truth) < 0.005


# --------------------------------------------------------------------------- bootstrap


def _simulated(n=300, k=20, seed=3):
    rng = np.random.default_rng(seed)
    latent = rng.standard_normal((n, 1))
    raw = 0.5 * latent + rng.standard_normal((n, k))
    return pd.DataFrame(np.clip(np.round(raw + 3), 1, 5))


def test_bootstrap_is_seeded_and_close_to_feldt():
    data = _simulated()
    first = cronbach_alpha(data, ci="bootstrap", seed=11, n_boot=500)
    again = cronbach_alpha(data, ci="bootstrap", seed=11, n_boot=500)
    other = cronbach_alpha(data, ci="bootstrap", seed=12, n_boot=500)
    assert first.ci == again.ci
    assert first.ci != other.ci
    feldt = cronbach_alpha(data).ci
    assert first.ci[0] < first.alpha < first.ci[1]
    assert first.ci == pytest.approx(feldt, abs=0.03)


def test_bootstrap_with_missing_answers_runs_pairwise():
    data = _simulated(n=200, k=6)
    data.iloc[::7, 2] = np.nan
    fit = cronbach_alpha(data, ci="bootstrap", seed=1, n_boot=200)
    assert fit.ci[0] < fit.alpha < fit.ci[1]


# --------------------------------------------------------------------------- item statistics


def test_item_statistics_skew_kurtosis_equal_psych_describe(bfi_items, reference):
    ref = reference["describe"]
    with pytest.warns(AllianceScaleWarning, match="should be reversed: A1, C4"):
        table = item_statistics(bfi_items)  # as given: psych's alpha warns too
    assert list(table.index) == ref["items"]
    for column in ("n", "mean", "sd", "skew", "kurtosis"):
        np.testing.assert_allclose(table[column], ref[column], rtol=0, atol=TIGHT,
                                   err_msg=column)


def test_item_statistics_floor_ceiling_by_hand():
    data = pd.DataFrame({"a": [1, 1, 2, 5, np.nan], "b": [5, 5, 5, 4, 3], "c": [2, 3, 4, 1, 5]})
    with pytest.warns(AllianceScaleWarning, match="should be reversed: a;"):
        table = item_statistics(data)
    assert table.loc["a", "floor"] == pytest.approx(0.5)   # 2 of 4 answers at 1
    assert table.loc["a", "ceiling"] == pytest.approx(0.25)
    assert table.loc["b", "ceiling"] == pytest.approx(0.6)
    assert table.loc["a", "missing"] == pytest.approx(0.2)
    with pytest.warns(AllianceScaleWarning, match="should be reversed"):
        given = item_statistics(data, min_value=0, max_value=6)
    assert (given[["floor", "ceiling"]] == 0).all().all()
    flipped = item_statistics(data, reverse=["b"])
    # floor / ceiling describe the answers as given: reversing b keeps its ceiling of .6
    assert flipped.loc["b", "ceiling"] == pytest.approx(0.6) and flipped.loc["b", "reversed"]
    assert flipped.loc["b", "floor"] == pytest.approx(0.0)
    assert flipped.loc["b", "mean"] == pytest.approx(6 - data["b"].mean())


# --------------------------------------------------------------------------- omega vs R


@pytest.mark.parametrize("key, n_factors", [("bfi_5", 5), ("bfi_3", 3)])
def test_omega_equals_psych(bfi_items, reference, key, n_factors):
    ref = reference["omega"][key]
    with pytest.warns(AllianceScaleWarning, match="reversed") as caught:
        fit = omega(bfi_items, n_factors)
    flipped_by_psych = [name[:-1] for name in ref["items"] if name.endswith("-")]
    assert list(fit.flipped_items) == flipped_by_psych
    assert all(name in str(caught[0].message) for name in flipped_by_psych)
    assert fit.omega_h == pytest.approx(ref["omega_h"], abs=1e-3)
    assert fit.omega_total == pytest.approx(ref["omega_total"], abs=1e-3)
    np.testing.assert_allclose(fit.schmid["g"], ref["g"], atol=1e-3)
    np.testing.assert_allclose(fit.schmid["h2"], ref["h2"], atol=1e-3)
    np.testing.assert_allclose(fit.schmid["u2"], ref["u2"], atol=1e-3)
    assert list(fit.schmid.columns[:n_factors + 1]) == ["g"] + [
        f"F{j}*" for j in range(1, n_factors + 1)]


def test_omega_without_fit_statistics_has_the_same_coefficients(bfi_items):
    """validate's per-subscale omegas skip the n-based fit statistics (chi2, the RMSEA
    interval by root finding): every coefficient is the same to the last bit."""
    from alliance_scale.psychometrics._reliability._reliability import _schmid_omega

    matrix = bfi_items.corr()
    n = len(bfi_items)
    full = _schmid_omega(matrix, 3, n, "pearson", warn=False)
    lean = _schmid_omega(matrix, 3, n, "pearson", warn=False, statistics=False)
    assert (lean.omega_total, lean.omega_h, lean.alpha, lean.ecv) == (
        full.omega_total, full.omega_h, full.alpha, full.ecv)
    pd.testing.assert_frame_equal(lean.schmid, full.schmid, check_exact=True)
    assert np.isfinite(full.fit["rmsea_ci"][1]) and np.isfinite(full.general_fit["chi2"])
    assert np.isnan(lean.fit["rmsea_ci"][1]) and np.isnan(lean.general_fit["chi2"])
    assert lean.fit["rmsr"] == full.fit["rmsr"]


def test_omega_two_group_factors_warns_as_psych(bfi_items, reference):
    ref = reference["omega"]["ac_2"]
    with pytest.warns(AllianceScaleWarning) as caught:
        fit = omega(bfi_items.iloc[:, :10], 2)
    messages = " ".join(str(w.message) for w in caught)
    assert "2 group factors" in messages and "reversed: A1, C4, C5" in messages
    assert fit.omega_h == pytest.approx(ref["omega_h"], abs=1e-3)
    assert fit.omega_total == pytest.approx(ref["omega_total"], abs=1e-3)


def test_ordinal_omega_equals_psych_poly(bfi_items, reference):
    ref = reference["omega"]["bfi_5_polychoric"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        fit = omega(bfi_items, 5, cor="polychoric")
    assert fit.cor == "polychoric"
    assert fit.omega_h == pytest.approx(ref["omega_h"], abs=1e-3)
    assert fit.omega_total == pytest.approx(ref["omega_total"], abs=1e-3)
    np.testing.assert_allclose(fit.schmid["g"], ref["g"], atol=1e-3)


def test_omega_accepts_a_correlation_matrix(bfi_items, reference):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        fit = omega(bfi_items.corr(), 5, n_obs=2800)
    assert fit.omega_h == pytest.approx(reference["omega"]["bfi_5"]["omega_h"], abs=1e-3)


def test_omega_one_factor_warns_and_recovers_a_known_omega():
    # 6 congeneric items with loadings .4 ... .9: omega = (sum l)^2 / ((sum l)^2 + sum(1 - l^2))
    rng = np.random.default_rng(5)
    loadings = np.array([0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    n = 20_000
    data = pd.DataFrame(rng.standard_normal((n, 1)) * loadings
                        + rng.standard_normal((n, 6)) * np.sqrt(1 - loadings**2))
    truth = loadings.sum() ** 2 / (loadings.sum() ** 2 + (1 - loadings**2).sum())
    with pytest.warns(AllianceScaleWarning, match="one factor"):
        fit = omega(data, 1)
    assert fit.omega_total == pytest.approx(truth, abs=0.01)
    np.testing.assert_allclose(fit.schmid["g"], loadings, atol=0.03)


def test_omega_refuses_bad_input_by_name(bfi_items):
    with pytest.raises(AnalysisError, match="3"):
        omega(bfi_items[["A1", "A2"]], 1)
    flat = bfi_items[["A1", "A2", "A3"]].assign(A3=4.0)
    with pytest.raises(AnalysisError, match="A3"):
        omega(flat, 1)
    with pytest.raises(OptionError, match="n_factors"):
        omega(bfi_items, 0)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "data, item",
    [
        (pd.DataFrame({"only": [1.0, 2, 3]}), None),
        (pd.DataFrame({"a": [1.0, 2, 3], "flat": [2.0, 2, 2]}), "flat"),
        (pd.DataFrame({"a": [1.0, 2, 3], "empty": [np.nan] * 3}), "empty"),
        (pd.DataFrame({"a": [1.0, 2, 3], "text": ["1", "x", "3"]}), "text"),
    ],
)
def test_bad_items_are_refused_by_name(data, item):
    for function in (cronbach_alpha, item_statistics):
        with pytest.raises(AnalysisError) as caught:
            function(data)
        if item is not None:
            assert item in str(caught.value)


def test_bad_options_are_refused():
    data = _simulated(n=50, k=4)
    with pytest.raises(OptionError, match="ci must be one of"):
        cronbach_alpha(data, ci="exact")
    with pytest.raises(OptionError, match="missing must be one of"):
        cronbach_alpha(data, missing="mean")
    with pytest.raises(OptionError, match="pearson"):
        cronbach_alpha(data, ci="bootstrap", cor="polychoric")
    with pytest.raises(OptionError, match="nope"):
        cronbach_alpha(data, reverse=["nope"])
    with pytest.raises(OptionError, match="confidence"):
        cronbach_alpha(data, confidence=95)


def test_items_never_answered_together_are_named():
    data = pd.DataFrame({"a": [1.0, 2, np.nan, np.nan], "b": [np.nan, np.nan, 1.0, 3],
                         "c": [1.0, 2, 3, 4]})
    with pytest.raises(AnalysisError, match="'a' and 'b'"):
        cronbach_alpha(data)
    with pytest.raises(AnalysisError, match="listwise"):
        cronbach_alpha(data, missing="listwise")


# --------------------------------------------------------------------------- results


def test_results_have_tables_and_readable_reprs(bfi_items):
    fit = cronbach_alpha(bfi_items[["C1", "C2", "C3"]], ci="duhachek")
    text = repr(fit)
    assert "raw_alpha" in text and "duhachek" in text and "r.drop" in text
    assert "<table" in fit._repr_html_()
    assert fit.to_frame() is fit.items
    assert set(fit._summary()) >= {"alpha", "std_alpha", "G6", "n_obs", "k"}


# --------------------------------------------------------------------------- refactor checks


@pytest.mark.parametrize("n_factors", [3.0, True, 0, "3"])
def test_omega_refuses_a_non_integer_number_of_factors(bfi_items, n_factors):
    with pytest.raises(OptionError, match="n_factors"):
        omega(bfi_items.iloc[:, :9], n_factors)


# --------------------------------------------------------------------------- issue #12


@pytest.fixture(scope="module")
def output_reference(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "efa_output_reference.json").read_text())


@pytest.mark.parametrize("case", ["dup", "few", "lin"])
def test_g6_of_singular_data_equals_psych(bfi_items, output_reference, case):
    """G6 uses SMCs: with an inverse of a nearly singular matrix they all came out as 1
    (one item's G6 if deleted was .961 where psych gives .746)."""
    ref = output_reference["singular"][case]
    dup = bfi_items[["A1", "A2", "A3", "A4", "A5", "C1", "C2", "C3"]].copy()
    dup["A1_copy"] = dup["A1"]
    lin = bfi_items.iloc[:, :5].dropna().copy()
    lin["A12"] = lin["A1"] + lin["A2"]
    data = {"dup": dup, "few": bfi_items.dropna().iloc[:10, :15], "lin": lin}[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        fit = cronbach_alpha(data, ci=None, reverse=[])
    assert fit.g6 == pytest.approx(ref["g6"], abs=1e-10)
    np.testing.assert_allclose(fit.items["g6_if_deleted"], ref["g6_if_deleted"], atol=1e-10)


def test_alpha_warns_of_a_reverse_keyed_item_left_as_is(bfi_items, output_reference):
    ref = output_reference["alpha_keys"]
    agree = bfi_items.iloc[:, :5]
    with pytest.warns(AllianceScaleWarning, match=r"probably should be reversed: A1;.*check_keys"
                      ) as caught:
        plain = cronbach_alpha(agree)
    assert caught[0].filename == __file__
    assert plain.alpha == pytest.approx(ref["plain_alpha"], abs=1e-12)  # the .43 of the issue
    with pytest.warns(AllianceScaleWarning, match="were reversed .*: A1"):
        checked = cronbach_alpha(agree, check_keys=True)
    assert checked.reversed_items == ("A1",)
    assert checked.alpha == pytest.approx(ref["checked_alpha"], abs=1e-12)
    np.testing.assert_allclose(checked.items["g6_if_deleted"], ref["checked_g6_if_deleted"],
                               atol=1e-10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the items are keyed: no warning
        keyed = cronbach_alpha(agree, reverse=["A1"])
    assert keyed.alpha == pytest.approx(checked.alpha, abs=1e-15)


def test_reverse_accepts_psych_keys_with_minus_signs(bfi_items):
    agree = bfi_items.iloc[:, :5]
    by_name = cronbach_alpha(agree, reverse=["A1"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        signed = cronbach_alpha(agree, reverse=["-A1"])
        keys = cronbach_alpha(agree, reverse=["-A1", "A2", "A3", "A4", "A5"])
    assert signed.alpha == keys.alpha == by_name.alpha
    assert signed.reversed_items == keys.reversed_items == ("A1",)
    with pytest.raises(OptionError, match="A9"):
        cronbach_alpha(agree, reverse=["-A9"])
    with pytest.raises(OptionError, match="list of item names"):
        cronbach_alpha(agree, reverse="A1")
    table = item_statistics(agree, reverse=["-A1"])
    assert bool(table.loc["A1", "reversed"]) and not table.loc["A2", "reversed"]


def test_alpha_accepts_psychs_cor_poly(bfi_items):
    agree = bfi_items.iloc[:, :5]
    assert cronbach_alpha(agree, reverse=["A1"], cor="poly").alpha == pytest.approx(
        cronbach_alpha(agree, reverse=["A1"], cor="polychoric").alpha, abs=0)


# --------------------------------------------------------------------------- omega table


OMEGA = json.loads((Path(__file__).parents[1] / "fixtures" / "omega_reference.json")
                   .read_text())
OMEGA_CASES = ["bfi_3", "bfi_5", "bfi10_2", "hs_3", "spi30_3"]


@pytest.fixture(scope="module")
def omega_fits(bfi_items, fixtures_dir) -> dict:
    holzinger = pd.read_csv(fixtures_dir / "holzinger.csv", index_col="id")
    spi = pd.DataFrame(OMEGA["spi30_matrix"], index=OMEGA["spi30_items"],
                       columns=OMEGA["spi30_items"])
    fits = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        fits["bfi_3"] = omega(bfi_items, 3)
        fits["bfi_5"] = omega(bfi_items, 5)
        fits["bfi10_2"] = omega(bfi_items.iloc[:, :10], 2)
        fits["hs_3"] = omega(holzinger, 3)
        fits["spi30_3"] = omega(cor_matrix=spi, n_factors=3, n_obs=OMEGA["spi30_n"])
    return fits


@pytest.mark.parametrize("key", OMEGA_CASES)
def test_omega_table_equals_psych(omega_fits, key):
    """psych::omega's whole output to 1e-6 (measured: 1e-14 on bfi and Holzinger, 1e-9 on
    spi). spi30_3 is psychTools::spi[, 11:40], where omega_h was 4.5e-4 off psych's."""
    ref, fit = OMEGA[key], omega_fits[key]
    tight = 1e-6
    for ours, theirs in (("omega_h", "omega_h"), ("omega_limit", "omega_lim"),
                         ("alpha", "alpha"), ("omega_total", "omega_tot"), ("g6", "G6"),
                         ("ecv", "ECV")):
        assert getattr(fit, ours) == pytest.approx(ref[theirs], abs=tight), ours
    assert list(fit.schmid.columns) == ref["sl_columns"]
    assert [f"{i}-" if i in fit.flipped_items else i for i in fit.schmid.index] == ref["items"]
    np.testing.assert_allclose(fit.schmid.to_numpy(), np.array(ref["sl"]), atol=tight)
    np.testing.assert_allclose(fit.general_loadings, ref["gloading"], atol=tight)
    groups = np.array(ref["group"], dtype=float)
    np.testing.assert_allclose(fit.groups.to_numpy(), groups, atol=tight)
    assert list(fit.groups.index) == ref["group_rows"]
    np.testing.assert_allclose(fit.score_r2, ref["R2"], atol=tight)
    for stats, name in ((fit.fit, "schmid_stats"), (fit.general_fit, "general_stats")):
        theirs = ref[name]
        assert stats["dof"] == theirs["dof"]
        for ours_key, their_key in (("objective", "objective"), ("chi2", "statistic"),
                                    ("rmsr", "rms"), ("crms", "crms"), ("bic", "bic")):
            assert stats[ours_key] == pytest.approx(theirs[their_key], rel=1e-8), ours_key
        assert stats["rmsea"] == pytest.approx(theirs["rmsea"][0], rel=1e-8)
        assert stats["rmsea_ci"][0] == pytest.approx(theirs["rmsea"][1], rel=1e-5)
        assert stats["rmsea_ci"][1] == pytest.approx(theirs["rmsea"][2], rel=1e-5)


def test_omega_printout_has_psychs_numbers(omega_fits):
    """The numbers of print(omega(bfi, 3)) in psych, from "Alpha" to the group table."""
    printed = OMEGA["bfi_3"]["printed"]
    ours = str(omega_fits["bfi_3"]).splitlines()
    number = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")

    def numbers(lines, start, stop):
        begin = next(i for i, line in enumerate(lines) if line.startswith(start))
        end = next(i for i, line in enumerate(lines) if line.startswith(stop))
        return [float(t) for line in lines[begin:end]
                for t in number.findall(line.replace("F1*", "").replace("F2*", "")
                                        .replace("F3*", ""))]

    assert numbers(ours, "Alpha", "Schmid") == numbers(printed, "Alpha", "Schmid")
    assert numbers(ours, "general/max", "The degrees") == numbers(printed, "general/max",
                                                                  "The degrees")
    assert "Total, General and Subset omega for each subset" in "\n".join(ours)
    group_rows = [line for line in ours if line.startswith("Omega")]
    psych_rows = [line.strip() for line in printed if line.startswith("Omega ")
                  and "subscales" in line]
    assert [number.findall(r) for r in group_rows[-3:]] == [number.findall(r)
                                                            for r in psych_rows]


def test_item_table_stacked_computations_equal_the_per_item_ones_bit_for_bit():
    # issue #17: alpha.drop computed for all items at once and raw_r without pandas'
    # per-column Series must give exactly the numbers of the one-by-one computations
    from alliance_scale import load_pilot
    from alliance_scale.psychometrics._correlation._correlation import pairwise_covariance
    from alliance_scale.psychometrics._reliability import _reliability as module

    pilot = load_pilot()
    rng = np.random.default_rng(17)
    for columns in (pilot.columns[:9], pilot.columns[:40]):
        frame = pilot[list(columns)].copy()
        frame = frame.mask(rng.random(frame.shape) < 0.05)  # scattered missing answers
        frame.iloc[3] = np.nan  # a respondent without answers
        covariance = pairwise_covariance(frame.to_numpy())[0]
        correlation = covariance / np.sqrt(np.outer(np.diag(covariance), np.diag(covariance)))
        k = len(columns)
        stacked = module._alpha_if_deleted(covariance, correlation, True)
        for i in range(k):
            keep = np.arange(k) != i
            one = module._alpha_core(covariance[np.ix_(keep, keep)],
                                     correlation[np.ix_(keep, keep)], True)
            for key, value in one.items():
                assert stacked[key][i] == value, (k, i, key)
        total = frame.mean(axis=1)
        np.testing.assert_array_equal(
            module._correlations_with(frame.to_numpy(dtype=float), total.to_numpy()),
            frame.corrwith(total).to_numpy())
    constant = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 2.0, 2.0, 2.0],
                             "c": [np.nan, 1.0, np.nan, np.nan]})
    total = constant.mean(axis=1)
    np.testing.assert_array_equal(
        module._correlations_with(constant.to_numpy(), total.to_numpy()),
        constant.corrwith(total).to_numpy())
