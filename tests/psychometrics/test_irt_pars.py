"""irt(pars=..., estimate=...) (psychometrics/_irt/_irt.py): a model evaluated at given
parameters (mirt's ``pars =`` with ``TOL = NaN``) gives mirt's numbers at mirt's values and
a calibration's curves, scores and reliability on a new sample; given values as a start
reach the same maximum."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from irt_support import check, expand, mirt_expected
from support import FIXTURES

import alliance_scale as als
from alliance_scale import OptionError


@pytest.fixture(scope="module")
def lsat7() -> pd.DataFrame:
    return expand("LSAT7")


@pytest.fixture(scope="module")
def mirt_lsat7_pars(lsat7) -> pd.DataFrame:
    values = np.reshape(mirt_expected.EXPECTED["lsat7_2pl_coef"]["values"][:20], (5, 4))
    return pd.DataFrame(values[:, :2], index=lsat7.columns, columns=["a1", "d1"])


def test_at_mirt_estimates_gives_mirt_numbers(lsat7, mirt_lsat7_pars):
    fit = als.irt(lsat7, "2PL", pars=mirt_lsat7_pars, estimate=False)
    assert fit.iterations == 0
    assert np.allclose(fit.coef(se=False), mirt_lsat7_pars)  # nothing moved
    check("lsat7_2pl_loglik", [fit.loglik])
    check("lsat7_2pl_eap_patterns", fit.pattern_scores("EAP")["theta"][:6])
    table = fit.sum_score_table()
    check("lsat7_2pl_eapsum_rxx", [table.attrs["rxx"]])
    check("lsat7_2pl_sx2", fit.item_fit()["S_X2"])
    check("lsat7_2pl_m2", fit.m2("M2")["M2"])


def test_mirt_dummy_model_keeps_the_values(lsat7):
    """test-01-mirtOne.R:10-15: ``sv$est <- FALSE; mirt(data, 1, pars = sv)`` returns sv."""
    fit = als.irt(lsat7, "2PL")
    again = als.irt(lsat7, "2PL", pars=fit, estimate=False)
    assert np.array_equal(again.coef(se=False), fit.coef(se=False))
    assert again.loglik == fit.loglik
    assert np.allclose(again.coef(), fit.coef(), equal_nan=True)  # SEs at the same values


@pytest.mark.parametrize("model", ["Rasch", "rsm"])
def test_a_result_carries_the_latent_variance(model):
    science = pd.read_csv(FIXTURES / "mirt" / "Science.csv")
    fit = als.irt(science, model)
    assert abs(fit.variance - 1) > 0.001
    again = als.irt(science, model, pars=fit, estimate=False)
    assert again.variance == fit.variance
    assert np.isclose(again.loglik, fit.loglik, rtol=0, atol=1e-9)
    assert again.marginal_reliability() == fit.marginal_reliability()
    # a DataFrame carries item parameters only: the variance stays 1, the loglik is lower
    frame = als.irt(science, model, pars=fit.coef(), estimate=False)
    assert frame.variance == 1.0 and frame.loglik < fit.loglik


def test_calibration_applied_to_a_new_sample():
    slopes = [1.6, 1.2, -1.0, 1.4, 0.9, 1.3]
    data = als.simulate_irt(slopes, [[2, 0.5, -1]] * 6, n=1200, seed=9)
    calibration, new = data.iloc[:600], data.iloc[600:]
    fit = als.irt(calibration)
    applied = als.irt(new, pars=fit, estimate=False)
    theta = np.linspace(-3, 3, 13)
    pd.testing.assert_frame_equal(applied.trace(theta), fit.trace(theta))
    pd.testing.assert_frame_equal(applied.item_information(theta), fit.item_information(theta))
    assert applied.marginal_reliability() == fit.marginal_reliability()
    for method in ("EAP", "MAP", "WLE"):
        pd.testing.assert_frame_equal(applied.scores(method), fit.scores(method, data=new),
                                      atol=1e-9)
    assert applied.empirical_reliability() != fit.empirical_reliability()  # the new sample's
    # the log-likelihood is the new sample's at the calibration's values: below its own max
    assert applied.loglik < als.irt(new).loglik
    assert applied.coef().loc["q3", "a1"] < 0  # the reverse-keyed item as calibrated


def test_given_start_reaches_the_same_maximum():
    slopes = [1.6, 1.2, -1.0, 1.4, 0.9]
    intercepts = [[2, 0.5, -1]] * 5
    data = als.simulate_irt(slopes, intercepts, n=800, seed=4)
    default = als.irt(data, se=None)
    truth = pd.DataFrame(np.c_[slopes, intercepts], index=data.columns,
                         columns=["a1", "d1", "d2", "d3"])
    from_truth = als.irt(data, pars=truth, se=None)
    assert np.allclose(from_truth.coef(), default.coef(), atol=2e-3)
    assert abs(from_truth.loglik - default.loglik) < 1e-4
    restart = als.irt(data, pars=default, se=None)
    assert restart.iterations <= 2 and restart.converged


def test_bad_pars(lsat7, mirt_lsat7_pars):
    with pytest.raises(OptionError, match=r"Item\.5"):
        als.irt(lsat7, "2PL", pars=mirt_lsat7_pars.iloc[:4], estimate=False)
    bad = mirt_lsat7_pars.copy()
    bad.iloc[0, 0] = np.nan
    with pytest.raises(OptionError, match="not all finite"):
        als.irt(lsat7, "2PL", pars=bad, estimate=False)
    with pytest.raises(OptionError, match="d1"):
        als.irt(lsat7, "2PL", pars=mirt_lsat7_pars[["a1"]], estimate=False)
