"""Batched ML fits of one CFA structure: lavaan's numbers for stuart's joint candidates,
the library's cfa() for a sample, admissibility with reasons."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from shorten_support import COLS, DATA, FIXTURES, STRUCTURE

from alliance_scale.design._shorten_batch import (
    _implied,
    candidate_moments,
    fit_batch,
    sample_covariance,
)
from alliance_scale.psychometrics import cfa

REF = json.loads((FIXTURES / "stuart_joint_reference.json").read_text())


@pytest.fixture(scope="module")
def joint():
    items = [c["EM"] + c["RA"] + c["SI"] for c in REF["candidates"]]
    idx = np.array([[COLS.index(i) for i in c] for c in items])
    s, n = candidate_moments(DATA.to_numpy(float), idx)
    return items, s, n, fit_batch(s, n, STRUCTURE, items=items)


def test_joint_candidates_equal_lavaan(joint):
    """48 of stuart's 117,600 candidates (3 factors, 10 items, listwise): lavaan 0.6.14's
    chisq, RMSEA, SRMR, CFI, stuart's crel and objective, loadings and residuals."""
    from alliance_scale.design import stuart_objective

    _, _, n, fit = joint
    assert fit.df == 32
    for k, ref in enumerate(REF["candidates"]):
        assert n[k] == ref["ntotal"]
        assert fit.converged[k]
        for name in ("chisq", "rmsea", "srmr", "cfi", "crel"):
            assert getattr(fit, name)[k] == pytest.approx(ref[name], abs=1e-6), name
        lam = fit.lam[k]
        # flat likelihoods (Heywood cases): lavaan stops up to 3e-5 (relative) short
        np.testing.assert_allclose(lam, ref["loadings"], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(fit.theta[k], ref["residuals"], rtol=1e-4, atol=1e-5)
        if ref["admissible"]:
            # lavaan's nlminb stops with crel up to 7e-7 from the optimum (its chisq is
            # above ours); the objective's slope in crel is up to 5.3
            value = stuart_objective(fit.crel[k], fit.rmsea[k], fit.srmr[k])
            assert value == pytest.approx(ref["objective"], abs=5e-6)
            assert fit.chisq[k] <= ref["chisq"] + 1e-9


def test_joint_admissibility_as_lavaan(joint):
    _, _, _, fit = joint
    flags = [c["admissible"] for c in REF["candidates"]]
    assert fit.admissible.tolist() == flags
    assert sum(not f for f in flags) == 8
    for k, ref in enumerate(REF["candidates"]):
        if not ref["admissible"]:
            assert "some estimated ov variances are negative" in ref["reason"]
            assert fit.reason[k].startswith("some estimated ov variances are negative (")


def test_sample_equals_library_cfa(joint):
    """Every 12th candidate refitted one at a time by cfa() on the same matrix."""
    items, s, n, fit = joint
    for k in range(0, len(items), 12):
        names = items[k]
        cov = pd.DataFrame(s[k] * n[k] / (n[k] - 1), index=names, columns=names)
        model = {"EM": names[:3], "RA": names[3:6], "SI": names[6:]}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            one = cfa(cov_matrix=cov, n_obs=int(n[k]), model=model)
        est = one.estimates
        lam = est.loc[est["op"] == "=~", "est"].to_numpy(float)
        np.testing.assert_allclose(fit.lam[k], lam, atol=1e-6)
        assert fit.chisq[k] == pytest.approx(one.fit["chisq"], abs=1e-6)
        assert fit.cfi[k] == pytest.approx(one.fit["cfi"], abs=1e-6)


def test_true_matrix_recovered_and_improper_flagged():
    """Population matrices: the truth in one or two steps; a negative residual variance
    and a non-positive-definite factor covariance matrix recovered and flagged as lavaan's
    post.check does; a matrix that is not positive definite cannot be fitted."""
    f = np.array(STRUCTURE)
    lam = np.array([[1, .8, 1.2, 1, .7, .9, 1, 1.1, .6, .9]])
    psi = np.array([[[.5, .1, .2], [.1, .4, .05], [.2, .05, .3]]])
    bad_psi = np.array([[[.5, .46, .2], [.46, .4, .05], [.2, .05, .3]]])
    theta = np.full((1, 10), .3)
    heywood = theta.copy()
    heywood[0, 4] = -0.02
    s = np.concatenate([_implied(lam, psi, theta, f), _implied(lam, psi, heywood, f),
                        _implied(lam, bad_psi, 2 * theta, f),
                        _implied(lam, bad_psi, heywood, f)])
    fit = fit_batch(s, 200, STRUCTURE)
    for k in range(3):
        np.testing.assert_allclose(fit.lam[k], lam[0], atol=1e-8)
        assert fit.chisq[k] == pytest.approx(0, abs=1e-8) and fit.converged[k]
    np.testing.assert_allclose(fit.psi[2], bad_psi[0], atol=1e-8)
    assert fit.reason[:3] == ["", "some estimated ov variances are negative (5)",
                              "covariance matrix of latent variables is not positive definite"]
    assert fit.admissible.tolist() == [True, False, False, False]
    assert fit.reason[3].startswith("the sample covariance matrix")


def test_complete_data_moments_equal_sample_covariance():
    values = DATA.dropna().to_numpy(float)
    idx = np.array([[0, 1, 2], [3, 5, 7]])
    s, n = candidate_moments(values, idx)
    full = sample_covariance(values)
    np.testing.assert_allclose(s[1], full[np.ix_([3, 5, 7], [3, 5, 7])])
    assert n.tolist() == [len(values)] * 2
