"""Ordinal sample statistics for WLSMV against lavaan 0.6.14 (ordinal_reference.R), by hand, and
by simulation (the covariance of the statistics over repeated samples approaches NACOV / N)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import alliance_scale as als
from alliance_scale import (
    AllianceScaleWarning,
    AnalysisError,
    EmptyCellWarning,
    OptionError,
    polychoric,
)
from alliance_scale.psychometrics._cfa._ordinal import OrdinalStatistics, ordinal_statistics


@pytest.fixture(scope="module")
def reference(fixtures_dir):
    with open(fixtures_dir / "ordinal_reference.json") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def complete_bfi(bfi_items) -> pd.DataFrame:
    return bfi_items.dropna()


@pytest.fixture(scope="module")
def bfi_statistics(complete_bfi) -> OrdinalStatistics:
    return ordinal_statistics(complete_bfi, warn=False)


@pytest.fixture(scope="module")
def small(reference) -> pd.DataFrame:
    ref = reference["small"]
    return pd.DataFrame(ref["data"], columns=ref["items"])


def _assert_thresholds(ours: tuple[np.ndarray, ...], expected: dict[str, list[float]]) -> None:
    assert [len(t) for t in ours] == [len(t) for t in expected.values()]
    for got, want in zip(ours, expected.values(), strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)


def _assert_gamma(ours: np.ndarray, expected: np.ndarray) -> None:
    """~1e-6 relative to the matrix's scale (measured: 5e-8 absolute, scale 1 to 14)."""
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-6 * np.abs(expected).max())


def test_bfi_thresholds_and_polychorics_match_lavaan(bfi_statistics, reference, complete_bfi):
    ref = reference["bfi"]
    assert bfi_statistics.n_obs == ref["rows"] == len(complete_bfi)
    assert list(bfi_statistics.names) == ref["items"]
    _assert_thresholds(bfi_statistics.thresholds, ref["thresholds"])
    # lavaan's nlminb stops within ~1e-8 of the maximum (measured max |diff| 3.8e-8).
    np.testing.assert_allclose(bfi_statistics.correlation, ref["correlation"], atol=1e-6)
    np.testing.assert_array_equal(np.diag(bfi_statistics.correlation), 1.0)


def test_bfi_gamma_matches_lavaan_diagonal_and_sampled_entries(bfi_statistics, reference):
    ref = reference["bfi"]
    nacov = bfi_statistics.nacov
    assert nacov.shape == (425, 425)  # 25 x 5 thresholds + 300 correlations
    np.testing.assert_allclose(np.diag(nacov), ref["gamma_diagonal"], rtol=1e-6)
    sample = ref["gamma_sample"]
    _assert_gamma(nacov[sample["row"], sample["col"]], np.array(sample["value"]))


def test_dwls_weights_are_the_inverse_gamma_diagonal_in_lavaan(reference):
    # What the CFA engine relies on: WLS.V = diag(1 / diag(NACOV)), chi2 = (N - 1) F.
    ref = reference["bfi"]
    assert ref["wls_v_is_inverse_gamma_diagonal"]
    assert ref["chisq"] == pytest.approx((ref["rows"] - 1) * ref["dwls_discrepancy"], rel=1e-12)


def test_full_gamma_of_six_bfi_items_matches_lavaan(complete_bfi, reference):
    ref = reference["bfi6"]
    with pytest.warns(EmptyCellWarning):
        stats = ordinal_statistics(complete_bfi[ref["items"]], min_expected=0)
    _assert_thresholds(stats.thresholds, ref["thresholds"])
    np.testing.assert_allclose(stats.correlation, ref["correlation"], atol=1e-6)
    _assert_gamma(stats.nacov, np.array(ref["gamma"]))


def test_fewer_categories_unused_code_and_empty_cells_match_lavaan(small, reference):
    ref = reference["small"]
    with pytest.warns(EmptyCellWarning, match="10 of 15 item pair"):
        stats = ordinal_statistics(small, min_expected=0)  # every empty cell reported
    # A1: 3 categories; C1: codes 1, 2, 4, 5, 6 (4 thresholds); E1b, N4b binary; O1 uses 2..6.
    assert [len(t) for t in stats.thresholds] == [2, 4, 1, 1, 5, 4]
    _assert_thresholds(stats.thresholds, ref["thresholds"])
    np.testing.assert_allclose(stats.correlation, ref["correlation"], atol=1e-6)
    _assert_gamma(stats.nacov, np.array(ref["gamma"]))
    assert stats.empty_cells == tuple(tuple(pair) for pair in ref["empty_cells"])


def test_two_by_two_table_with_an_empty_cell_follows_lavaan(small, reference):
    # lavaan adds .5 to the empty cell of a 2 x 2 table (keeping the margins) before fitting;
    # the plain maximum likelihood estimate (polychoric, psych's rule) is far from it.
    ref = np.array(reference["small"]["correlation"])
    e, n = reference["small"]["items"].index("E1b"), reference["small"]["items"].index("N4b")
    plain = polychoric(small[["E1b", "N4b"]]).correlation.iloc[0, 1]
    assert abs(plain - ref[e, n]) > 0.05
    with pytest.warns(EmptyCellWarning):
        stats = ordinal_statistics(small[["E1b", "N4b"]], min_expected=0)
    assert stats.correlation[0, 1] == pytest.approx(ref[e, n], abs=1e-6)


def test_vector_and_labels_follow_lavaans_wls_obs_order():
    codes = np.array([[1, 1, 2], [2, 1, 1], [3, 2, 2], [1, 2, 1], [2, 2, 2], [3, 1, 1]] * 5)
    stats = ordinal_statistics(pd.DataFrame(codes, columns=["A1", "A2", "A3"]))
    # names(lavInspect(fit, "wls.obs")) in lavaan 0.6.14 (3 + 1 + 1 thresholds here)
    assert stats.labels() == ["A1|t1", "A1|t2", "A2|t1", "A3|t1", "A1~~A2", "A1~~A3", "A2~~A3"]
    r = stats.correlation
    expected = np.concatenate([*stats.thresholds, [r[1, 0], r[2, 0], r[2, 1]]])
    np.testing.assert_array_equal(stats.vector(), expected)
    frame = stats.to_frame()
    assert list(frame.index) == stats.labels()
    np.testing.assert_allclose(frame["se"] ** 2 * stats.n_obs, np.diag(stats.nacov))


def test_binary_item_threshold_variance_by_hand():
    # Var(sqrt(N) tau_hat) = p (1 - p) / phi(tau)^2 for a binary item (delta method).
    rng = np.random.default_rng(3)
    latent = rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=900)
    codes = pd.DataFrame({"x": 1 + (latent[:, 0] > 0.3), "y": 1 + (latent[:, 1] > -0.5)})
    stats = ordinal_statistics(codes)
    p = (codes["x"] == 1).mean()
    tau = stats.thresholds[0][0]
    density = np.exp(-tau * tau / 2) / np.sqrt(2 * np.pi)
    assert stats.nacov[0, 0] == pytest.approx(p * (1 - p) / density**2, rel=1e-10)


def test_two_by_two_closed_forms():
    # 50/50 margins: thresholds exactly 0, rho = -cos(2 pi a / N) without optimising.
    cells = [(1, 1)] * 40 + [(1, 2)] * 10 + [(2, 1)] * 10 + [(2, 2)] * 40
    stats = ordinal_statistics(pd.DataFrame(cells, columns=["x", "y"]))
    assert stats.correlation[0, 1] == pytest.approx(-np.cos(2 * np.pi * 0.4), abs=1e-15)
    # a d = b c: rho is exactly 0.
    cells = [(1, 1)] * 20 + [(1, 2)] * 30 + [(2, 1)] * 40 + [(2, 2)] * 60
    stats = ordinal_statistics(pd.DataFrame(cells, columns=["x", "y"]))
    assert stats.correlation[0, 1] == 0.0


def test_gamma_is_symmetric_positive_semidefinite(bfi_statistics, small):
    with pytest.warns(EmptyCellWarning):
        small_stats = ordinal_statistics(small, min_expected=0)
    for nacov in (bfi_statistics.nacov, small_stats.nacov):
        np.testing.assert_array_equal(nacov, nacov.T)
        values = np.linalg.eigvalsh(nacov)
        assert values[0] > -1e-10 * values[-1]


@pytest.mark.slow
@pytest.mark.parametrize("missing_share", [0.0, 0.25])
def test_sampling_covariance_approaches_gamma(missing_share):
    """Over repeated samples, cov(sqrt(N) * statistics) approaches the average NACOV.

    A check of the asymptotics (scale, order, cross terms); the fine detail is checked
    against lavaan above. Seeded: 400 samples of 400 respondents, three items with 3, 4 and
    2 categories; complete (listwise), or with a quarter of the answers missing at random
    (pairwise: each statistic on the answers it involves).
    """
    rng = np.random.default_rng(11)
    missing = "pairwise" if missing_share else "listwise"
    corr = np.array([[1, 0.5, 0.3], [0.5, 1, -0.2], [0.3, -0.2, 1]])
    cuts = [np.array([-0.8, 0.4]), np.array([-1.0, 0.0, 0.9]), np.array([0.3])]
    truth = np.concatenate([*cuts, corr[np.triu_indices(3, 1)]])
    n, samples = 400, 400
    chol = np.linalg.cholesky(corr)
    vectors, gammas, rows = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptyCellWarning)  # sparse corners in a few samples
        for _ in range(samples):
            latent = rng.standard_normal((n, 3)) @ chol.T
            codes = np.column_stack([1 + (latent[:, [j]] > cuts[j]).sum(axis=1)
                                     for j in range(3)]).astype(float)
            codes[rng.random(codes.shape) < missing_share] = np.nan
            stats = ordinal_statistics(pd.DataFrame(codes, columns=["a", "b", "c"]), missing)
            vectors.append(stats.vector())
            gammas.append(stats.nacov)
            rows.append(stats.n_obs)
    vectors = np.array(vectors)
    assert np.mean(rows) > 0.98 * n  # pairwise: only rows without any answer are left out
    empirical = np.cov(vectors, rowvar=False) * np.mean(rows)
    gamma = np.mean(gammas, axis=0)
    scale = np.sqrt(np.outer(np.diag(gamma), np.diag(gamma)))
    assert np.abs(vectors.mean(axis=0) - truth).max() < 0.02
    ratio = np.diag(empirical) / np.diag(gamma)
    assert ratio.min() > 0.8 and ratio.max() < 1.25
    assert np.abs((empirical - gamma) / scale).max() < 0.2


def test_listwise_deletion_and_code_labels(bfi_items):
    data = bfi_items.iloc[:400, :4]
    complete = data.dropna()
    assert len(complete) < len(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptyCellWarning)
        stats = ordinal_statistics(data)
        again = ordinal_statistics(complete)
        # Other codes for the same categories (an unused code in between) change nothing.
        relabelled = ordinal_statistics(complete.replace({6: 9}) * 10)
    assert stats.n_obs == len(complete)
    np.testing.assert_array_equal(stats.nacov, again.nacov)
    np.testing.assert_allclose(relabelled.nacov, stats.nacov, rtol=1e-12, atol=1e-12)
    for got, want in zip(relabelled.thresholds, stats.thresholds, strict=True):
        np.testing.assert_array_equal(got, want)


def test_pairwise_statistics_match_lavaan(bfi_items, fixtures_dir):
    """lavaan's missing = "pairwise" (cfa_reference.R): every row kept, thresholds from each
    item's answers, polychorics from the rows answering both, and the full Gamma."""
    with open(fixtures_dir / "cfa_reference.json") as handle:
        ref = json.load(handle)["bfi_small_wlsmv_pairwise"]["sampstat"]
    data = bfi_items[ref["names"]]
    assert data.isna().any(axis=1).sum() == len(data) - ref["complete_rows"] > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptyCellWarning)
        stats = ordinal_statistics(data, missing="pairwise")
    assert stats.n_obs == ref["nobs"] == len(data)
    np.testing.assert_allclose(stats.vector()[: len(ref["th"])], ref["th"], atol=1e-10)
    # measured: thresholds 4.9e-15, polychorics 2.0e-9, Gamma 5.3e-10 of its largest entry
    np.testing.assert_allclose(stats.correlation, ref["cov"], atol=1e-6)
    _assert_gamma(stats.nacov, np.array(ref["gamma"]))
    assert "respondents (answering an item): 2800" in repr(stats)


def test_pairwise_equals_listwise_without_missing_answers(complete_bfi):
    data = complete_bfi.iloc[:300, :6]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptyCellWarning)
        listwise = ordinal_statistics(data)
        pairwise = ordinal_statistics(data, missing="pairwise")
    assert pairwise.n_obs == listwise.n_obs == 300
    np.testing.assert_array_equal(pairwise.nacov, listwise.nacov)
    np.testing.assert_array_equal(pairwise.correlation, listwise.correlation)


def test_pairwise_gamma_is_the_jackknife_of_the_statistics():
    """NACOV = N * sum_i IF_i IF_i', and leaving respondent i out moves the statistics by
    about -IF_i: so N * sum_i (leave-one-out change)^2 recovers NACOV, missing answers
    included (a respondent answering one item of a pair still moves that pair's rho, through
    the item's threshold). Two binary items, 2,000 respondents, 300 without b and 200
    without a: eight answer patterns, so eight re-estimations."""
    rng = np.random.default_rng(3)
    latent = rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=2000)
    codes = pd.DataFrame(1.0 + (latent > [-0.3, 0.2]), columns=["a", "b"])
    codes.loc[:299, "b"] = np.nan
    codes.loc[300:499, "a"] = np.nan
    stats = ordinal_statistics(codes, missing="pairwise")
    patterns = codes.fillna(0).astype(int).apply(tuple, axis=1)
    jackknife = np.zeros_like(stats.nacov)
    for pattern, count in patterns.value_counts().items():
        row = patterns.index[patterns == pattern][0]
        change = ordinal_statistics(codes.drop(index=row), missing="pairwise").vector() \
            - stats.vector()
        jackknife += count * np.outer(change, change)
    jackknife *= stats.n_obs
    a_only = patterns.index[patterns == (1, 0)][0]
    assert ordinal_statistics(codes.drop(index=a_only), missing="pairwise").vector()[2] \
        != stats.vector()[2]  # rho moves without the row answering b
    # measured: 0.3% on the diagonal, 5e-4 off it; leaving out the skipped partner's
    # threshold path would move the tau_a x rho entry by 0.011
    np.testing.assert_allclose(stats.nacov, jackknife, rtol=0.01, atol=2e-3)


def test_results_are_read_only(bfi_statistics):
    for array in (bfi_statistics.nacov, bfi_statistics.correlation,
                  bfi_statistics.thresholds[0]):
        with pytest.raises(ValueError):
            array[0] = 0.0
    text = repr(bfi_statistics)
    assert "respondents (complete rows): 2436" in text
    assert "pairs with empty cells: 9" in text


def test_empty_cell_warning_points_at_the_caller(small):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ordinal_statistics(small, min_expected=0)
    assert [w.category for w in caught] == [EmptyCellWarning]
    assert caught[0].filename == __file__
    assert "'N4b' x 'A2' (2.0 expected)" in str(caught[0].message)  # largest expected first


def test_no_warning_without_empty_cells():
    rng = np.random.default_rng(5)
    latent = rng.multivariate_normal([0, 0], [[1, 0.3], [0.3, 1]], size=500)
    codes = pd.DataFrame(1 + (latent[:, :, None] > [-0.5, 0.5]).sum(axis=2), columns=["a", "b"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats = ordinal_statistics(codes)
    assert stats.empty_cells == ()


@pytest.mark.parametrize(
    ("data", "match", "column"),
    [
        (pd.DataFrame({"a": [1, 2, 3, 1], "b": [2.0, 2.5, 1.0, 3.0]}), "integer", "b"),
        (pd.DataFrame({"a": [1, 2, 3, 1], "b": [2, 2, 2, 2]}), "constant", "b"),
        # constant among the complete rows only
        (pd.DataFrame({"a": [1, 2, 3, 1], "b": [2, 2, 2, np.nan], "c": [1, 2, 2, 3]}),
         "constant", "b"),
        (pd.DataFrame({"a": list(range(11)) * 2, "b": [1, 2] * 11}), "at most 10", "a"),
        (pd.DataFrame({"a": [1, 2, np.nan], "b": [np.nan, 1, 2]}), "at least 2", None),
        (pd.DataFrame({"a": [1, 2, "x"], "b": [1, 2, 2]}), "non-numeric", "a"),
    ],
)
def test_bad_input_is_refused(data, match, column):
    with pytest.raises(AnalysisError, match=match) as error:
        ordinal_statistics(data)
    assert error.value.column == column


def test_perfectly_associated_binary_items_are_refused():
    data = pd.DataFrame({"x": [1, 1, 2, 2, 1, 2], "y": [1, 1, 2, 2, 1, 2], "z": [1, 2, 1, 2, 2, 1]})
    with pytest.raises(AnalysisError, match="'x' and 'y' are binary and perfectly associated"):
        ordinal_statistics(data)


def test_near_one_correlation_warns_and_stays_finite():
    # lavaan 0.6.14 on these data: x~~y = .999 (its bound), a warning, finite Gamma.
    data = pd.DataFrame({"x": [1, 1, 2, 2, 3, 3, 1, 2, 3, 2], "y": [1, 1, 2, 2, 3, 3, 1, 2, 3, 2],
                         "z": [1, 2, 1, 2, 2, 1, 3, 3, 1, 2]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stats = ordinal_statistics(data)
    near = [w for w in caught if w.category is AllianceScaleWarning]
    assert len(near) == 1 and "'x' and 'y' is 0.999" in str(near[0].message)
    assert near[0].filename == __file__
    assert stats.correlation[0, 1] == 0.999
    assert np.isfinite(stats.nacov).all()


# ============================================================================ memory budget


def _ordinal_items(p: int, n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    latent = 0.7 * rng.standard_normal((n, 1)) + 0.7 * rng.standard_normal((n, p))
    return pd.DataFrame(np.digitize(latent, [-1.0, 0.0, 1.0]) + 1.0,
                        columns=[f"i{j}" for j in range(p)])


def test_memory_estimate_grows_with_the_fourth_power_of_the_items() -> None:
    """The NACOV (respondents at least as many as statistics) grows with the fourth power of
    the items; kept factored (fewer respondents) with the third."""
    from alliance_scale.psychometrics._cfa._cfa import ordinal_memory

    dense = [ordinal_memory(p, 3 * p, 3 * p + p * (p - 1) // 2, 1, "WLSMV") for p in (50, 100)]
    assert 12 < dense[1] / dense[0] < 17  # (100 / 50)^4 = 16, less the linear terms
    small, large = (ordinal_memory(p, 3 * p, 500, 1, "WLSMV") for p in (50, 100))
    assert 2 < large / small < 8.5  # at most (100 / 50)^3 = 8
    assert large < dense[1] / 5  # 0.23 GB instead of 1.6 GB
    assert ordinal_memory(200, 600, 500, 1, "DWLS") < 0.2e9  # the NACOV's diagonal only
    assert ordinal_memory(100, 300, 10_000, 2, "WLSMV") > ordinal_memory(
        100, 300, 10_000, 1, "WLSMV")  # one NACOV per group
    assert ordinal_memory(100, 300, 500, 2, "WLSMV") > large


def test_factored_memory_estimate_bounds_the_measured_peak() -> None:
    """WLSMV with fewer respondents than statistics (40 items x 200: 900 statistics): the
    estimate is above the peak tracemalloc measures, and within twice it (measured 15.2 MB
    against 17.6 MB; the NACOV would have needed 36 MB)."""
    import tracemalloc

    from alliance_scale.psychometrics._cfa._cfa import ordinal_memory

    data = _ordinal_items(40)
    model = "f =~ " + " + ".join(data.columns)
    tracemalloc.start()
    try:
        fit = als.cfa(data, model, ordered=True, estimator="WLSMV")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert fit.converged
    estimate = ordinal_memory(40, 120, 200, 1, "WLSMV")
    assert peak < estimate < 2 * peak


@pytest.mark.parametrize(("estimator", "budget"), [("WLSMV", "0.01"), ("DWLS", "0.001")])
def test_a_model_over_the_memory_budget_is_refused_with_the_estimate(
        monkeypatch: pytest.MonkeyPatch, estimator: str, budget: str) -> None:
    from alliance_scale.psychometrics._cfa import _ordinal

    data = _ordinal_items(40)
    model = "f =~ " + " + ".join(data.columns)
    monkeypatch.setenv("ALLIANCE_SCALE_MEMORY_GB", budget)  # WLSMV 0.018 GB, DWLS 0.003

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the statistics were computed before the check")

    with monkeypatch.context() as patched:
        patched.setattr(_ordinal, "ordinal_statistics", never)
        with pytest.raises(AnalysisError) as caught:
            als.cfa(data, model, ordered=True, estimator=estimator)
    message = str(caught.value)
    assert f"{estimator} on 40 ordered items needs about" in message
    # 780 polychorics + 120 thresholds, more than the 200 respondents: WLSMV keeps the NACOV
    # factored (the message says what the memory is for), DWLS needs its diagonal
    assert ("kept factored" in message) == (estimator == "WLSMV")
    assert ("900 x 900" in message) == (estimator == "DWLS")
    assert "ALLIANCE_SCALE_MEMORY_GB" in message and "MLR" in message
    assert ("estimator='DWLS'" in message) == (estimator == "WLSMV")  # when DWLS fits
    monkeypatch.setenv("ALLIANCE_SCALE_MEMORY_GB", "1")
    assert als.cfa(data, model, ordered=True, estimator=estimator).converged
    monkeypatch.setenv("ALLIANCE_SCALE_MEMORY_GB", "lots")
    with pytest.raises(OptionError, match="ALLIANCE_SCALE_MEMORY_GB"):
        als.cfa(data, model, ordered=True, estimator=estimator)


# ============================================================================ empty cells


def _latent_normal_codes(n: int, seed: int) -> pd.DataFrame:
    """Five-point items cut from a bivariate normal: empty cells only by chance."""
    rng = np.random.default_rng(seed)
    latent = rng.multivariate_normal([0, 0, 0], [[1, .6, .5], [.6, 1, .4], [.5, .4, 1]], n)
    return pd.DataFrame(1 + (latent[:, :, None] > [-1.8, -0.8, 0.3, 1.5]).sum(axis=2),
                        columns=["a", "b", "c"]).astype(float)


def test_empty_cells_by_chance_are_counted_not_warned() -> None:
    """True model: a latent normal, n = 150; its sparse corners are sampling zeros."""
    data = _latent_normal_codes(150, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", EmptyCellWarning)
        stats = ordinal_statistics(data)
    assert stats.empty_cells and not stats.unexpected_empty
    with pytest.warns(EmptyCellWarning, match="expects 0 or more"):
        assert ordinal_statistics(data, min_expected=0).unexpected_empty


def test_an_empty_cell_the_normal_model_expects_full_is_warned_once() -> None:
    """Misspecified: answers (1, 5) of a and b never occur together although the fitted
    bivariate normal expects many (a structural zero)."""
    data = _latent_normal_codes(1500, 5)
    data.loc[(data["a"] >= 4) & (data["b"] <= 2), "b"] = 3.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stats = ordinal_statistics(data)
    assert [w.category for w in caught] == [EmptyCellWarning]
    assert stats.unexpected_empty[0][:2] == ("a", "b") and stats.unexpected_empty[0][2] >= 10
    message = str(caught[0].message)
    assert "'a' x 'b'" in message and "may be biased" in message
    with pytest.raises(OptionError, match="min_expected"):
        ordinal_statistics(data, min_expected=-1)


@pytest.mark.slow
def test_one_summarised_empty_cell_warning_per_analysis(bfi: pd.DataFrame) -> None:
    data = bfi[["A1", "A2", "A3", "C1", "C2", "C3", "gender"]].dropna()
    model = "A =~ A1 + A2 + A3\nC =~ C1 + C2 + C3"
    for run in (lambda: als.cfa(data, model, ordered=True, estimator="WLSMV", group="gender",
                                empty_cell_expected=0),
                lambda: als.measurement_invariance(data, model, "gender", estimator="WLSMV",
                                                   levels=("configural", "thresholds"),
                                                   empty_cell_expected=0)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            run()
        empty = [w for w in caught if w.category is EmptyCellWarning]
        assert len(empty) == 1  # both groups in one warning, not one per group
        assert "over 2 groups" in str(empty[0].message) and "in group" in str(empty[0].message)
        assert empty[0].filename == __file__
    with pytest.warns(EmptyCellWarning, match=r"^1 of 30 .*'A1' x 'A3' in group 2 \(5\.8"):
        als.cfa(data, model, ordered=True, estimator="WLSMV", group="gender",
                empty_cell_expected=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        als.cfa(data, model, ordered=True, estimator="WLSMV", group="gender")  # default 10
    assert not [w for w in caught if w.category is EmptyCellWarning]
    with pytest.raises(OptionError, match="empty_cell_expected"):
        als.cfa(data, model, ordered=True, estimator="WLSMV", empty_cell_expected="many")


def test_a_true_model_of_sixty_items_shows_no_unexpected_empty_cell() -> None:
    """Simulated from the model that holds (latent normal answers): about 1,800 of 1,953
    pairs have empty cells by chance, none where 10 answers are expected."""
    scale = als.draft_scale(items_per_facet=8)
    items = als.simulate(scale, 500, seed=1).items
    with warnings.catch_warnings():
        warnings.simplefilter("error", EmptyCellWarning)
        stats = ordinal_statistics(items)
    assert len(stats.empty_cells) > 1000 and not stats.unexpected_empty


def test_dwls_uses_only_the_diagonal_of_the_nacov(complete_bfi) -> None:
    items = complete_bfi.iloc[:400, :10]
    full = ordinal_statistics(items, warn=False)
    lean = ordinal_statistics(items, warn=False, diagonal=True)
    assert lean.nacov.shape == (full.nacov.shape[0],)
    np.testing.assert_allclose(lean.nacov, np.diag(full.nacov), rtol=1e-12)
    pd.testing.assert_frame_equal(lean.to_frame(), full.to_frame(), rtol=1e-12)
    model = "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5"
    for estimator in ("DWLS", "ULS"):
        fit = als.cfa(items, model, ordered=True, estimator=estimator)
        reference = als.cfa(items, model, ordered=True, estimator=estimator.replace(
            "DWLS", "WLSMV").replace("ULS", "ULSMV"))  # same estimates, full NACOV
        np.testing.assert_allclose(fit.estimates["est"], reference.estimates["est"],
                                   atol=1e-8)
        assert fit.fit["chisq"] == pytest.approx(reference.fit["chisq"], rel=1e-10)


def test_the_factored_nacov_gives_the_numbers_of_the_nacov_itself():
    # issue #17: WLSMV never forms the q x q NACOV (100 MB for 80 items) but computes its
    # products and traces, and catML's, from the influence matrix; the dense path stays
    # for groups built with the matrix (Monte Carlo): both must agree
    import scipy.sparse

    from alliance_scale.psychometrics._cfa._engine import OrdinalGroup, _traces_z
    from alliance_scale.psychometrics._cfa._fitting import _catml_dense, _catml_factored
    from alliance_scale.psychometrics._cfa._ordinal import _ordinal_statistics

    rng = np.random.default_rng(17)
    latent = rng.multivariate_normal(np.zeros(6), 0.5 + 0.5 * np.eye(6), size=400)
    codes = 1.0 + (latent[:, :, None] > [-1.0, 0.0, 0.8]).sum(axis=2)
    codes[rng.random(codes.shape) < 0.03] = np.nan  # pairwise: every row counts
    data = pd.DataFrame(codes, columns=list("abcdef"))
    full = ordinal_statistics(data, "pairwise", warn=False)
    stats, influence = _ordinal_statistics(data, "pairwise", 10.0, False, "factored")
    np.testing.assert_allclose(stats.nacov, np.diag(full.nacov), rtol=1e-13)
    weights = 1.0 / stats.nacov
    parts = (full.n_obs, np.asarray(full.vector()), full.nacov, weights, full.correlation,
             full.thresholds)
    dense = OrdinalGroup(*parts)
    factored = OrdinalGroup(*parts[:2], stats.nacov, *parts[3:], influence=influence)
    q, nth = len(weights), len(weights) - 15
    jacobian = scipy.sparse.random(q, 7, density=0.3, random_state=3, format="csc")
    np.testing.assert_allclose(factored.times_nacov(jacobian), dense.times_nacov(jacobian),
                               rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(_traces_z(factored), _traces_z(dense), rtol=1e-11)
    sigma_inv = np.linalg.inv(0.7 * full.correlation + 0.3 * np.eye(6))
    polychorics = jacobian[nth:]
    for fg in (1.0, 0.4):  # one group, or one of several
        wdc = polychorics.multiply((fg * weights[nth:])[:, None]).tocsc()
        ours = _catml_factored(factored, polychorics, wdc, sigma_inv, fg, nth)
        theirs = _catml_dense(dense, polychorics, wdc, sigma_inv, fg, nth)
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_the_nacov_is_kept_factored_only_when_the_influence_matrix_is_the_smaller():
    # respondents x statistics against statistics x statistics: 6 items with 3 thresholds
    # each have 18 + 15 = 33 statistics
    from alliance_scale.psychometrics._cfa._cfa import _ordinal_groups

    rng = np.random.default_rng(5)
    latent = rng.multivariate_normal(np.zeros(6), 0.5 + 0.5 * np.eye(6), size=200)
    data = pd.DataFrame(1.0 + (latent[:, :, None] > [-1.0, 0.0, 0.8]).sum(axis=2),
                        columns=list("abcdef"))
    for n, factored in ((25, True), (200, False)):
        groups, _ = _ordinal_groups(data.iloc[:n], [np.arange(n)], [], "WLSMV", "listwise")
        assert (groups[0].influence is not None) is factored, n
        assert groups[0].nacov.ndim == (1 if factored else 2)
    groups, _ = _ordinal_groups(data.iloc[:25], [np.arange(25)], [], "DWLS", "listwise")
    assert groups[0].influence is None and groups[0].nacov.ndim == 1
