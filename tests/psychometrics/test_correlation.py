"""Polychoric correlations against psych::polychoric (factor_selection_reference.R) and by hand;
the shared correlation algebra of correlation.py (pairwise covariance, cov2cor, definiteness)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import multivariate_normal

from alliance_scale import AnalysisError, NotPositiveDefiniteWarning, polychoric
from alliance_scale.errors import OptionError
from alliance_scale.psychometrics._correlation._correlation import (
    bivariate_normal_cdf,
    correlation_matrix,
    is_positive_definite,
    pairwise_covariance,
    pairwise_pearson,
    smooth_correlation,
    squared_multiple_correlations,
    to_unit_diagonal,
)


@pytest.fixture(scope="module")
def reference(fixtures_dir):
    with open(fixtures_dir / "factor_selection_reference.json") as handle:
        return json.load(handle)


def _as_float(values) -> np.ndarray:
    """JSON arrays from R: -Inf / Inf come as strings."""
    return np.array(values, dtype=object).astype(float)


def test_bfi_matches_psych(bfi_items, reference):
    result = polychoric(bfi_items)
    expected = np.array(reference["polychoric"]["rho"])
    # psych optimises each rho with optimize() (tolerance ~1e-4); measured max |diff| 2e-5.
    assert np.abs(result.correlation.to_numpy() - expected).max() <= 1e-3
    assert np.abs(result.correlation.to_numpy() - expected).max() <= 1e-4
    np.testing.assert_allclose(
        result.thresholds.to_numpy(), _as_float(reference["polychoric"]["tau"]), atol=1e-12
    )
    assert list(result.correlation.columns) == list(bfi_items.columns)
    assert not result.smoothed


def test_small_subset_with_missing_and_unused_category(bfi_items, reference):
    ref = reference["polychoric_small"]
    data = bfi_items.iloc[: ref["rows"]][ref["items"]]
    result = polychoric(data)
    np.testing.assert_allclose(result.correlation.to_numpy(), np.array(ref["rho"]), atol=1e-4)
    tau = _as_float(ref["tau"])
    assert np.isneginf(tau).any()  # O1 never uses category 1 in these rows
    np.testing.assert_array_equal(np.isinf(result.thresholds.to_numpy()), np.isinf(tau))
    finite = np.isfinite(tau)
    np.testing.assert_allclose(result.thresholds.to_numpy()[finite], tau[finite], atol=1e-12)


def test_pairwise_n(bfi_items):
    data = bfi_items.iloc[:300, :4]
    result = polychoric(data)
    observed = data.notna().astype(int)
    np.testing.assert_array_equal(result.pair_counts.to_numpy(), (observed.T @ observed).to_numpy())


@pytest.mark.parametrize("rho", [-0.99, -0.95, -0.93, -0.6, -0.1, 0.0, 0.2, 0.8, 0.92, 0.93,
                                 0.97, 0.999])
def test_bivariate_normal_cdf_matches_scipy(rho):
    points = [(-1.3, 0.4), (0.5, 0.5), (2.1, -0.7), (-0.2, -2.5), (0.0, 0.0)]
    for x, y in points:
        expected = multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([x, y])
        assert bivariate_normal_cdf(x, y, rho) == pytest.approx(expected, abs=1e-7)


def test_bivariate_normal_cdf_infinite_limits():
    assert bivariate_normal_cdf(-np.inf, 0.3, 0.5) == 0.0
    assert bivariate_normal_cdf(np.inf, np.inf, 0.5) == 1.0
    assert bivariate_normal_cdf(np.inf, 0.0, 0.5) == pytest.approx(0.5)
    assert bivariate_normal_cdf(0.0, 0.0, 0.5) == pytest.approx(0.25 + np.arcsin(0.5) / (2 * np.pi))


def test_two_by_two_table_by_hand():
    # Margins 50/50 put both thresholds at 0; with a = d the fitted cell equals the observed
    # proportion: .40 = 1/4 + asin(r) / (2 pi), so r = sin(2 pi (.40 - .25)) = sin(.3 pi).
    cells = [(1, 1)] * 40 + [(1, 2)] * 10 + [(2, 1)] * 10 + [(2, 2)] * 40
    data = pd.DataFrame(cells, columns=["x", "y"], dtype=float)
    result = polychoric(data)
    assert result.correlation.loc["x", "y"] == pytest.approx(np.sin(0.3 * np.pi), abs=1e-7)
    np.testing.assert_allclose(result.thresholds.to_numpy(), 0.0, atol=1e-12)


def test_recovers_latent_correlation():
    rng = np.random.default_rng(7)
    latent = rng.multivariate_normal([0, 0, 0], [[1, .6, -.3], [.6, 1, .2], [-.3, .2, 1]], 20000)
    close = 0.95 * latent[:, :1] + np.sqrt(1 - 0.95**2) * rng.standard_normal((20000, 1))
    latent = np.hstack([latent, close])
    cuts = np.array([-1.0, -0.2, 0.5, 1.4])
    data = pd.DataFrame(1 + (latent[:, :, None] > cuts).sum(axis=2), columns=["a", "b", "c", "d"])
    result = polychoric(data).correlation
    assert result.loc["a", "d"] == pytest.approx(0.95, abs=0.01)
    assert result.loc["c", "d"] == pytest.approx(-0.285, abs=0.02)
    assert result.loc["a", "b"] == pytest.approx(0.6, abs=0.02)
    assert result.loc["a", "c"] == pytest.approx(-0.3, abs=0.02)
    assert result.loc["b", "c"] == pytest.approx(0.2, abs=0.02)


def _varied_ordinal_items(seed: int = 3) -> pd.DataFrame:
    """Items of a one-factor model, some near-collinear (|rho| > .925, Genz's high tier),
    some never using the lowest or highest category, 10% missing."""
    rng = np.random.default_rng(seed)
    n, p = 400, 14
    strong = np.r_[np.full(7, 0.97), np.full(7, 0.6)]
    latent = np.outer(rng.standard_normal(n), strong)
    latent += rng.standard_normal((n, p)) * np.sqrt(1 - strong**2)
    codes = 1 + (latent[..., None] > np.array([-1.5, -0.5, 0.4, 1.2])).sum(-1).astype(float)
    codes[:, 0] = np.clip(codes[:, 0], 2, 5)  # never 1
    codes[:, 1] = np.clip(codes[:, 1], 1, 4)  # never 5
    codes[:, 2] = np.clip(codes[:, 2], 2, 4)  # neither
    codes[rng.random((n, p)) < 0.1] = np.nan
    return pd.DataFrame(codes, columns=[f"q{j}" for j in range(p)])


@pytest.mark.slow
def test_a_subset_of_items_gets_the_submatrix_bit_for_bit():
    """Each pair's fit depends on that pair alone: the polychoric matrix of any subset of
    the items, in any order, with fewer categories or without the near-collinear items, is
    the corresponding block of the whole matrix, exactly (what reliability() relies on)."""
    data = _varied_ordinal_items()
    whole = polychoric(data, smooth=False).correlation
    assert (np.abs(whole.to_numpy()[np.triu_indices(14, 1)]) > 0.925).any()
    rng = np.random.default_rng(0)
    subsets = [["q2", "q0"], ["q1", "q2"], ["q13", "q1", "q5", "q0"]]
    subsets += [list(rng.choice(data.columns, rng.integers(2, 9), replace=False))
                for _ in range(40)]
    assert polychoric(data[["q2", "q0"]]).thresholds.shape[1] == 3  # 4 categories, not 5
    for items in subsets:
        part = polychoric(data[items], smooth=False).correlation
        np.testing.assert_array_equal(part.to_numpy(), whole.loc[items, items].to_numpy())


def test_smoothing_matches_psych(reference):
    ref = reference["cor_smooth"]
    smoothed, done = smooth_correlation(np.array(ref["input"], dtype=float))
    assert done
    np.testing.assert_allclose(smoothed, np.array(ref["smoothed"]), atol=1e-8)


def test_not_positive_definite_warns_and_smooths():
    # Three items never answered all together: a = b, b = c, a = reversed c.
    rng = np.random.default_rng(1)
    values = rng.integers(1, 5, size=300).astype(float)
    data = pd.DataFrame(np.nan, index=range(300), columns=["a", "b", "c"])
    data.loc[0:99, "a"] = values[:100]
    data.loc[0:99, "b"] = values[:100]
    data.loc[100:199, "b"] = values[100:200]
    data.loc[100:199, "c"] = values[100:200]
    data.loc[200:299, "a"] = values[200:]
    data.loc[200:299, "c"] = 5 - values[200:]
    with pytest.warns(NotPositiveDefiniteWarning):
        result = polychoric(data)
    assert result.smoothed
    assert np.linalg.eigvalsh(result.correlation.to_numpy()).min() > 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        raw = polychoric(data, smooth=False)
    assert not raw.smoothed
    assert np.linalg.eigvalsh(raw.correlation.to_numpy()).min() < 0


def test_correct_fills_empty_cells():
    data = pd.DataFrame({"x": [1, 1, 2, 2, 3, 3] * 5, "y": [1, 1, 2, 2, 3, 3] * 5}, dtype=float)
    plain = polychoric(data).correlation.loc["x", "y"]
    corrected = polychoric(data, correct=0.5).correlation.loc["x", "y"]
    assert plain > 0.999  # a perfectly ordered table: rho at its bound
    assert corrected < plain


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        ("b", [3.0] * 6, "constant"),
        ("b", [np.nan] * 6, "no observed value"),
        ("b", [1, 2, 3, 4, 5, 14], "categories"),
        ("b", ["1", "2", "x", "4", "5", "6"], "numeric"),
        ("b", [1, 2, 2.5, 4, 5, 6], "integer"),
    ],
)
def test_bad_input_names_the_item(column, values, message):
    data = pd.DataFrame({"a": [1, 2, 3, 4, 5, 6], column: values})
    with pytest.raises(AnalysisError, match=message) as info:
        polychoric(data)
    assert "'b'" in str(info.value)


def test_repr_and_frame(bfi_items):
    result = polychoric(bfi_items.iloc[:200, :5])
    assert result.to_frame().shape == (5, 5)
    assert "smoothed" in repr(result)
    assert "<table" in result._repr_html_()


# ------------------------------------------- shared correlation algebra (correlation.py)


def _with_holes(bfi_items) -> np.ndarray:
    values = bfi_items.iloc[:400, :8].to_numpy(copy=True)
    values[np.random.default_rng(3).random(values.shape) < 0.15] = np.nan
    return values


def test_pairwise_covariance_matches_pandas(bfi_items):
    """pandas' DataFrame.cov is pairwise complete with ddof 1, as R's cov(use = "pairwise")."""
    values = _with_holes(bfi_items)
    covariance, counts = pairwise_covariance(values)
    np.testing.assert_allclose(covariance, pd.DataFrame(values).cov().to_numpy(), atol=1e-13)
    observed = (~np.isnan(values)).astype(int)
    np.testing.assert_array_equal(counts, observed.T @ observed)
    complete = bfi_items.dropna().to_numpy()[:300]
    np.testing.assert_allclose(pairwise_covariance(complete)[0], np.cov(complete, rowvar=False),
                               atol=1e-13)
    assert (pairwise_covariance(complete)[1] == 300).all()


def test_pairwise_covariance_works_on_a_batch(bfi_items):
    values = _with_holes(bfi_items)
    batch = np.stack([values, values[::-1], values[:200].repeat(2, axis=0)])
    covariance, counts = pairwise_covariance(batch)
    assert covariance.shape == counts.shape == (3, 8, 8)
    for sample, expected_cov in zip(batch, covariance, strict=True):
        np.testing.assert_allclose(expected_cov, pairwise_covariance(sample)[0], atol=1e-15)


def test_to_unit_diagonal_is_cov2cor(bfi_items):
    complete = bfi_items.dropna().to_numpy()
    correlation = to_unit_diagonal(np.cov(complete, rowvar=False))
    np.testing.assert_allclose(correlation, np.corrcoef(complete, rowvar=False), atol=1e-14)
    by_hand = to_unit_diagonal(np.array([[4.0, 2.0], [2.0, 9.0]]))
    np.testing.assert_allclose(by_hand, [[1.0, 1 / 3], [1 / 3, 1.0]])


def test_pairwise_pearson_uses_each_pairs_own_variances(bfi_items):
    """R's cor(use = "pairwise") is not cov2cor of the pairwise covariances when answers are
    missing: each pair standardises by the variances of its own rows."""
    values = _with_holes(bfi_items)
    np.testing.assert_allclose(pairwise_pearson(values)[0],
                               pd.DataFrame(values).corr().to_numpy(), atol=1e-13)
    assert not np.allclose(pairwise_pearson(values)[0],
                           to_unit_diagonal(pairwise_covariance(values)[0]), atol=1e-6)


def test_is_positive_definite_by_hand():
    assert is_positive_definite(np.eye(3))
    assert is_positive_definite([[1.0, 0.5], [0.5, 1.0]])
    assert not is_positive_definite([[1.0, 1.0], [1.0, 1.0]])  # eigenvalues 2 and 0
    assert not is_positive_definite([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])


def test_squared_multiple_correlations_by_hand():
    # Two items: the SMC is r^2. Three items with r = .5 everywhere: 1 - 1 / (R^-1)_ii = 1/3.
    np.testing.assert_allclose(squared_multiple_correlations(np.array([[1, 0.6], [0.6, 1]])),
                               [0.36, 0.36])
    equal = np.full((3, 3), 0.5)
    np.fill_diagonal(equal, 1.0)
    np.testing.assert_allclose(squared_multiple_correlations(equal), [1 / 3] * 3)


def test_correlation_matrix_counts_and_missing(bfi_items):
    data = bfi_items.iloc[:300, :6]
    matrix, n_obs, counts, items = correlation_matrix(data)
    assert n_obs == 300 and items.shape == data.shape
    observed = data.notna().astype(int).to_numpy()
    np.testing.assert_array_equal(counts, observed.T @ observed)
    listwise = correlation_matrix(data, missing="listwise")
    assert listwise.n_obs == len(data.dropna()) and listwise.pair_counts is None
    np.testing.assert_allclose(listwise.matrix, data.dropna().corr(), atol=1e-14)
    given = correlation_matrix(cor_matrix=matrix, require_n_obs=False)
    assert given.n_obs is None and given.pair_counts is None and given.items is None
    with pytest.raises(OptionError, match="n_obs is needed"):
        correlation_matrix(cor_matrix=matrix)
    with pytest.raises(OptionError, match="looks like a correlation matrix"):
        correlation_matrix(matrix)
    with pytest.raises(OptionError, match="missing must be one of"):
        correlation_matrix(data, missing="mean")
    with pytest.raises(OptionError, match="n_obs must be an integer"):
        correlation_matrix(cor_matrix=matrix, n_obs=300.0)


# --------------------------------------------------------------------------- singular (#12)


def _singular_cases(bfi_items: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The data of tests/fixtures/efa_output_reference.R's singular cases."""
    dup = bfi_items[["A1", "A2", "A3", "A4", "A5", "C1", "C2", "C3"]].copy()
    dup["A1_copy"] = dup["A1"]
    few = bfi_items.dropna().iloc[:10, :15]
    lin = bfi_items.iloc[:, :5].dropna().copy()
    lin["A12"] = lin["A1"] + lin["A2"]
    return {"dup": dup, "few": few, "lin": lin}


@pytest.fixture(scope="module")
def singular_reference(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "efa_output_reference.json").read_text())["singular"]


@pytest.mark.parametrize("case", ["dup", "few", "lin"])
def test_smc_of_a_singular_matrix_follows_psychs_pinv(bfi_items, singular_reference, case):
    """psych::smc uses its Pinv (SVD, singular values <= sqrt(eps) x the largest dropped):
    an inverse of the nearly singular matrix gave 1 for every item."""
    data = _singular_cases(bfi_items)[case]
    assert list(data.columns) == singular_reference[case]["items"]
    r = pairwise_pearson(data.to_numpy())[0]
    smc = squared_multiple_correlations(r)
    np.testing.assert_allclose(smc, singular_reference[case]["smc"], atol=1e-10)


def test_smc_of_a_regular_matrix_is_unchanged_by_the_pinv_rule(bfi_items):
    r = bfi_items.corr().to_numpy()
    expected = 1 - 1 / np.diag(np.linalg.inv(r))
    np.testing.assert_array_equal(squared_multiple_correlations(r), expected)


def test_pairwise_correlation_is_undefined_for_a_constant_pair_not_infinite():
    x = np.array([[1, 2.0], [1, 3.0], [1, np.nan], [2, np.nan], [3, 1.0], [3, np.nan]])
    x[4, 0] = 1.0  # item 0 is 1 on every row where item 1 is answered
    r, counts = pairwise_pearson(x)
    assert np.isnan(r[0, 1]) and np.isnan(r[1, 0]) and counts[0, 1] == 3
    rng = np.random.default_rng(0)
    noisy = rng.normal(size=(50, 4))
    noisy[rng.random(noisy.shape) < 0.3] = np.nan
    r, _ = pairwise_pearson(noisy)
    assert np.all(np.abs(r[~np.isnan(r)]) <= 1.0)
    expected = pd.DataFrame(noisy).corr(min_periods=2).to_numpy()
    np.testing.assert_allclose(r, expected, atol=1e-12)
