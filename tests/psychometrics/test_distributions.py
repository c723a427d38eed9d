"""The distribution functions without scipy.stats equal scipy.stats' own, bit for bit."""

import numpy as np
import pytest
import scipy.stats

from alliance_scale.psychometrics import _distributions as dist

X = np.array([-np.inf, -3.0, -1e-300, 0.0, 1e-300, 1e-8, 0.3, 1.0, 2.5, 17.0, 311.7, 4.2e3,
              1e6, np.inf, np.nan])
Q = np.array([-0.1, 0.0, 1e-300, 1e-12, 0.025, 0.5, 0.95, 0.975, 1 - 1e-12, 1.0, 1.1, np.nan])
DF = np.array([-1.0, 0.0, 0.5, 1.0, 3.0, 29.0, 319.0, 3034.0, np.inf, np.nan])


def same(ours, theirs) -> None:
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)  # NaN where NaN, else equal bit for bit


@pytest.mark.parametrize(("ours", "theirs", "grid"), [
    (dist.norm_cdf, scipy.stats.norm.cdf, X),
    (dist.norm_sf, scipy.stats.norm.sf, X),
    (dist.norm_ppf, scipy.stats.norm.ppf, Q),
])
def test_normal(ours, theirs, grid) -> None:
    same(ours(grid), theirs(grid))
    for value in grid:
        same(ours(value), theirs(value))
        assert type(ours(value)) is type(theirs(value))


def test_chi_square() -> None:
    x, df = np.meshgrid(X, DF)
    same(dist.chi2_cdf(x, df), scipy.stats.chi2.cdf(x, df))
    same(dist.chi2_sf(x, df), scipy.stats.chi2.sf(x, df))
    assert type(dist.chi2_sf(3.0, 2)) is type(scipy.stats.chi2.sf(3.0, 2))


@pytest.mark.parametrize("nc", [-1.0, 0.0, 1e-9, 0.7, 12.0, 850.0, np.inf, np.nan])
def test_noncentral_chi_square(nc) -> None:
    x, df = np.meshgrid(X, DF)
    same(dist.ncx2_cdf(x, df, nc), scipy.stats.ncx2.cdf(x, df, nc))
    same(dist.ncx2_cdf(5.0, 3.0, nc), scipy.stats.ncx2.cdf(5.0, 3.0, nc))


def test_f_quantile() -> None:
    for dfn in DF:
        q, dfd = np.meshgrid(Q, DF)
        same(dist.f_ppf(q, dfn, dfd), scipy.stats.f.ppf(q, dfn, dfd))
    same(dist.f_ppf(0.975, 319, 319 * 8), scipy.stats.f.ppf(0.975, 319, 319 * 8))


def test_t_tail() -> None:
    x, df = np.meshgrid(X, DF)
    same(dist.t_sf(x, df), scipy.stats.t.sf(x, df))
    same(dist.t_sf(2.1, 317.0), scipy.stats.t.sf(2.1, 317.0))


def test_harmonic_mean() -> None:
    rng = np.random.default_rng(3)
    for values in (rng.integers(1, 400, size=(80, 80)).ravel(), np.array([1.0, 4.0]),
                   np.array([0.0, 2.0, 3.0]), rng.random(1001)):
        same(dist.harmonic_mean(values), scipy.stats.hmean(values))
