"""Correlation inference helpers against R (tests/fixtures/convergent_reference.R: psych
2.2.9 corr.test, correct.cor, r.test, cohen.d; stats t.test, p.adjust), by known
properties, and by simulated coverage of their intervals."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from alliance_scale import disattenuate, score_items
from alliance_scale.errors import AnalysisError, OptionError
from alliance_scale.psychometrics._correlation._correlation_tests import (
    ADJUST_METHODS,
    adjust_p,
    correlation_t_test,
    disjoint_correlation,
    fisher_interval,
    fisher_z_test,
    hedges_g,
    overlap_correlation,
    pairwise_spearman,
    steiger_z,
    stratified_alpha,
    welch_test,
    williams_t,
    zou_interval,
)

TOL = 1e-10


@pytest.fixture(scope="module")
def reference(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "convergent_reference.json").read_text())


@pytest.fixture(scope="module")
def bfi_scores(bfi, reference) -> pd.DataFrame:
    keys = reference["keys"]
    return score_items(bfi, keys, min_value=1, max_value=6)[list(keys)]


def _array(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def test_fisher_interval_is_psych_corr_test(reference) -> None:
    ref = reference["corr_test"]["pearson"]
    r, n = _array(ref["r"]), _array(ref["n"])
    lower, upper = fisher_interval(r, n)
    np.testing.assert_allclose(lower, ref["lower"], atol=TOL, rtol=0)
    np.testing.assert_allclose(upper, ref["upper"], atol=TOL, rtol=0)
    lower, upper = fisher_interval(r, n, confidence=0.90)
    np.testing.assert_allclose(lower, ref["lower90"], atol=TOL, rtol=0)
    np.testing.assert_allclose(upper, ref["upper90"], atol=TOL, rtol=0)


def test_spearman_interval_is_bonett_wright(reference) -> None:
    ref = reference["corr_test"]["spearman"]
    lower, upper = fisher_interval(_array(ref["r"]), _array(ref["n"]), method="spearman")
    np.testing.assert_allclose(lower, ref["lower"], atol=TOL, rtol=0)
    np.testing.assert_allclose(upper, ref["upper"], atol=TOL, rtol=0)


def test_t_test_is_psych_corr_test(reference) -> None:
    ref = reference["corr_test"]["pearson"]
    t, p = correlation_t_test(_array(ref["r"]), _array(ref["n"]))
    np.testing.assert_allclose(t, ref["t"], rtol=1e-12)
    np.testing.assert_allclose(p, ref["p"], atol=TOL, rtol=1e-9)


@pytest.mark.parametrize("method", [m for m in ADJUST_METHODS if m != "fdr"])
def test_adjust_p_is_r_p_adjust(reference, method: str) -> None:
    raw = _array(reference["corr_test"]["pearson"]["p"])
    expected = reference["corr_test"]["p_adjusted"][method]
    np.testing.assert_allclose(adjust_p(raw, method), expected, atol=TOL, rtol=1e-9)


def test_adjust_p_leaves_missing_values_out_of_the_family() -> None:
    # R: p.adjust(c(.01, NA, .02), "holm") is 0.02 NA 0.02 (a family of two)
    adjusted = adjust_p([0.01, np.nan, 0.02], "holm")
    np.testing.assert_allclose(adjusted, [0.02, np.nan, 0.02])
    assert np.array_equal(adjust_p([0.2, 0.01], "none"), [0.2, 0.01])
    with pytest.raises(OptionError, match="adjust"):
        adjust_p([0.1], "Holm")


@pytest.mark.parametrize("case", ["overlapping", "overlapping_small"])
def test_williams_t_and_zou_overlapping_are_r(reference, case: str) -> None:
    ref = reference["r_test"][case]
    t, df, p = williams_t(ref["r12"], ref["r13"], ref["r23"], ref["n"])
    assert abs(t - ref["t"]) < TOL and abs(p - ref["p"]) < TOL and df == ref["n"] - 3
    c = overlap_correlation(ref["r12"], ref["r13"], ref["r23"])
    for level, key in ((0.95, "zou"), (0.90, "zou90")):
        interval = zou_interval(ref["r12"], ref["r13"], c, ref["n"], level)
        np.testing.assert_allclose(interval, ref[key], atol=TOL, rtol=0)


@pytest.mark.parametrize("case", ["nonoverlapping", "nonoverlapping_small"])
def test_steiger_z_and_zou_disjoint_are_r(reference, case: str) -> None:
    ref = reference["r_test"][case]
    args = (ref["r12"], ref["r34"], ref["r13"], ref["r14"], ref["r23"], ref["r24"])
    z, p = steiger_z(*args, ref["n"])
    assert abs(z - ref["z"]) < TOL and abs(p - ref["p"]) < TOL
    interval = zou_interval(ref["r12"], ref["r34"], disjoint_correlation(*args), ref["n"])
    np.testing.assert_allclose(interval, ref["zou"], atol=TOL, rtol=0)


def test_zou_interval_of_independent_estimates_is_newcombe_like() -> None:
    # with c = 0 the limits combine the two single intervals in quadrature (Zou 2007, eq. 6)
    lower, upper = zou_interval(0.5, 0.3, 0.0, 100)
    (l1, l2), (u1, u2) = fisher_interval(np.array([0.5, 0.3]), 100)
    assert lower == pytest.approx(0.2 - np.hypot(0.5 - l1, u2 - 0.3), abs=1e-14)
    assert upper == pytest.approx(0.2 + np.hypot(u1 - 0.5, 0.3 - l2), abs=1e-14)


def test_disattenuate_is_psych_correct_cor(reference) -> None:
    ref = reference["correct_cor"]
    r = np.array(ref["r"]).T
    corrected = np.array(ref["corrected"]).T
    rel = np.array(ref["reliabilities"])
    upper = np.triu_indices(len(rel), 1)
    ours = disattenuate(r, rel[:, None], rel[None, :])
    np.testing.assert_allclose(ours[upper], corrected[upper], atol=TOL, rtol=0)
    frame = pd.DataFrame(r, index=ref["names"], columns=ref["names"])
    table = disattenuate(frame, pd.Series(rel, index=ref["names"]),
                         pd.Series(rel, index=ref["names"]))
    np.testing.assert_allclose(table.to_numpy()[upper], corrected[upper], atol=TOL, rtol=0)
    assert isinstance(disattenuate(0.3, 0.9, np.nan), float)
    assert np.isnan(disattenuate(0.3, 0.9, np.nan))


@pytest.mark.parametrize("args, name", [((1.2, 0.8, 0.8), "r must"),
                                         ((0.3, 0.0, 0.8), "reliability_x"),
                                         ((0.3, 0.8, 1.5), "reliability_y"),
                                         ((0.3, -0.2, 0.8), "reliability_x")])
def test_disattenuate_refuses_impossible_values(args, name: str) -> None:
    with pytest.raises(OptionError, match=name):
        disattenuate(*args)


def test_fisher_z_test_rejects_exactly_when_the_interval_excludes() -> None:
    for r, n in ((0.62, 200), (0.55, 200), (0.3, 30)):
        _, p = fisher_z_test(r, 0.5, n)
        lower, upper = fisher_interval(r, n)
        assert (p < 0.05) == (not lower <= 0.5 <= upper)


def test_hedges_g_and_welch_are_r(reference, bfi, bfi_scores) -> None:
    ref = reference["known_groups"]
    rows = slice(0, ref["rows"])
    gender = bfi["gender"].to_numpy()[rows]
    for k, (name, expected) in enumerate(ref["scales"].items()):
        values = bfi_scores[name].to_numpy()[rows]
        first, second = values[gender == 1], values[gender == 2]
        effect = hedges_g(first, second)
        assert abs(effect.d - ref["psych_hedges_g"][k]) < TOL  # psych's "hedges.g" is d
        assert abs(effect.correction - expected["J"]) < 1e-14
        for ours, theirs in ((effect.g, "g"), (effect.lower, "lower"),
                             (effect.upper, "upper")):
            assert abs(ours - expected[theirs]) < 1e-10, (name, theirs)
        t, df, p = welch_test(first, second)
        assert abs(t - expected["welch_t"]) < 1e-10 and abs(df - expected["welch_df"]) < 1e-9
        assert abs(p - expected["welch_p"]) < TOL


def test_hedges_g_interval_survives_scipy_nan_tails() -> None:
    # scipy 1.17's nct.cdf(4.8, 298, -5.2) is NaN; the root is found all the same and the
    # interval keeps its coverage property: the d interval contains d
    rng = np.random.default_rng(5)
    a, b = rng.normal(0, 1, 124), rng.normal(0.56, 1, 176)
    effect = hedges_g(a, b)
    assert effect.lower < effect.g < effect.upper and np.isfinite(effect.lower)


def test_hedges_g_refuses_degenerate_groups() -> None:
    with pytest.raises(AnalysisError, match="at least 2"):
        hedges_g(np.array([1.0]), np.array([1.0, 2.0]))
    with pytest.raises(AnalysisError, match="no variance"):
        hedges_g(np.array([2.0, 2.0]), np.array([3.0, 3.0]))


def test_pairwise_spearman_is_r(reference, bfi, bfi_scores) -> None:
    ref = reference["corr_test"]
    frame = pd.concat([bfi_scores[ref["x"]], bfi_scores[["neuroticism", "openness"]],
                       bfi["education"]], axis=1)
    r, n = pairwise_spearman(frame.to_numpy(dtype=float))
    block = r[:3, 3:].ravel(order="F")  # column-major, as corr.test's table
    np.testing.assert_allclose(block, ref["spearman"]["r"], atol=1e-12, rtol=0)
    np.testing.assert_array_equal(n[:3, 3:].ravel(order="F"), ref["spearman"]["n"])


def test_stratified_alpha_is_spearman_brown_for_parallel_subscales() -> None:
    # two parallel subscales measuring one true score: composite reliability = 2 rho/(1 + rho)
    rho = 0.8
    covariance = np.array([[1.0, rho], [rho, 1.0]])
    assert stratified_alpha(covariance, np.array([rho, rho])) == pytest.approx(
        2 * rho / (1 + rho), abs=1e-14)
    assert stratified_alpha(covariance, np.array([1.0, 1.0])) == pytest.approx(1.0)


def _batch_r(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x = x - x.mean(axis=1, keepdims=True)
    y = y - y.mean(axis=1, keepdims=True)
    return (x * y).sum(axis=1) / np.sqrt((x * x).sum(axis=1) * (y * y).sum(axis=1))


@pytest.mark.parametrize("rho, n", [(0.0, 20), (0.5, 50), (0.8, 200)])
def test_interval_coverage_by_simulation(rho: float, n: int) -> None:
    # 10,000 bivariate normal samples (binomial SE of a 95% coverage: 0.0022). Measured:
    # Pearson 0.950-0.952; Spearman (Bonett-Wright) 0.954-0.960, slightly conservative,
    # where the Pearson SE applied to Spearman's rho would fall to 0.92 at rho = .8.
    rng = np.random.default_rng(20260101)
    z1, z2 = rng.standard_normal((2, 10_000, n))
    x, y = z1, rho * z1 + np.sqrt(1 - rho**2) * z2
    lower, upper = fisher_interval(_batch_r(x, y), n)
    coverage = np.mean((lower <= rho) & (rho <= upper))
    assert 0.943 <= coverage <= 0.957
    rho_s = 6 / np.pi * np.arcsin(rho / 2)  # population Spearman rho of a bivariate normal
    ranks = _batch_r(stats.rankdata(x, axis=1), stats.rankdata(y, axis=1))
    lower, upper = fisher_interval(ranks, n, method="spearman")
    assert 0.943 <= np.mean((lower <= rho_s) & (rho_s <= upper)) <= 0.965


@pytest.mark.slow
def test_zou_interval_coverage_by_simulation() -> None:
    # 3,000 samples of n = 100 from a known correlation matrix; measured 0.944 (shared
    # variable) and 0.951 (none) with 4,000 samples
    rng = np.random.default_rng(7)
    overlap = np.array([[1, 0.5, 0.3], [0.5, 1, 0.4], [0.3, 0.4, 1]])
    disjoint = np.array([[1, 0.5, 0.4, 0.2], [0.5, 1, 0.3, 0.4], [0.4, 0.3, 1, 0.3],
                         [0.2, 0.4, 0.3, 1]])
    hits = np.zeros(2)
    reps = 3000
    for _ in range(reps):
        c = np.corrcoef(rng.standard_normal((100, 3)) @ np.linalg.cholesky(overlap).T,
                        rowvar=False)
        lo, hi = zou_interval(c[0, 1], c[0, 2], overlap_correlation(c[0, 1], c[0, 2],
                                                                    c[1, 2]), 100)
        hits[0] += lo <= 0.2 <= hi
        d = np.corrcoef(rng.standard_normal((100, 4)) @ np.linalg.cholesky(disjoint).T,
                        rowvar=False)
        args = (d[0, 1], d[2, 3], d[0, 2], d[0, 3], d[1, 2], d[1, 3])
        lo, hi = zou_interval(d[0, 1], d[2, 3], disjoint_correlation(*args), 100)
        hits[1] += lo <= 0.2 <= hi
    assert np.all((hits / reps >= 0.93) & (hits / reps <= 0.965))
