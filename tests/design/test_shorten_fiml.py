"""Batched full-information ML (lavaan's missing = "fiml", stuart's default): lavaan's
numbers for stuart's joint candidates, the library's one-candidate FIML (cfa), its EM."""

from __future__ import annotations

import json
import warnings
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from shorten_support import COLS, DATA, FIXTURES, STRUCTURE, fit_candidate

from alliance_scale.design import shorten, stuart_objective
from alliance_scale.design._shorten_batch import candidate_moments, fit_batch
from alliance_scale.design._shorten_fiml import (
    candidate_pool,
    em_saturated_batch,
    fit_fiml_batch,
)

REF = json.loads((FIXTURES / "stuart_fiml_reference.json").read_text())


@pytest.fixture(scope="module")
def joint():
    items = [c["EM"] + c["RA"] + c["SI"] for c in REF["candidates"]]
    idx = np.array([[COLS.index(i) for i in c] for c in items])
    pool = candidate_pool(DATA.to_numpy(float), idx)
    return items, pool, fit_fiml_batch(pool, STRUCTURE, items=items)


def test_joint_candidates_equal_lavaan_fiml(joint):
    """48 of stuart's 117,600 candidates and three named ones (lavaan 0.6.14, FIML,
    nlminb at rel.tol 1e-15): chisq, RMSEA, SRMR, CFI, stuart's crel, log-likelihoods of
    the model and of the saturated model to 1e-6, estimates, stuart's objective."""
    _, _, fit = joint
    assert fit.df == 32
    for k, ref in enumerate(REF["candidates"]):
        assert fit.n[k] == ref["ntotal"] == 126
        assert fit.converged[k]
        for name, mine in [("chisq", fit.chisq), ("rmsea", fit.rmsea), ("srmr", fit.srmr),
                           ("crel", fit.crel), ("logl", fit.loglik),
                           ("unrestricted_logl", fit.loglik_h1)]:
            assert mine[k] == pytest.approx(ref[name], abs=1e-6), (ref["label"], name)
        if ref["cfi"] is not None:
            assert fit.cfi[k] == pytest.approx(ref["cfi"], abs=1e-6), ref["label"]
        # nlminb stops with gradient elements up to 8.5e-6 (max_gradient): lavaan's
        # log-likelihood is never above ours, its estimates up to 2.4e-5 from ours
        assert fit.loglik[k] >= ref["logl"] - 1e-9
        np.testing.assert_allclose(fit.lam[k][fit.lam[k] != 0], ref["loadings"], atol=5e-5)
        np.testing.assert_allclose(fit.theta[k], ref["residuals"], atol=5e-5)
        np.testing.assert_allclose(fit.nu[k], ref["intercepts"], atol=5e-5)
        value = stuart_objective(fit.crel[k], fit.rmsea[k], fit.srmr[k])
        # crel within 6e-7 of lavaan's; the objective's slope in crel is up to 5.3
        assert value * fit.admissible[k] == pytest.approx(ref["objective"], abs=5e-6)


def test_joint_admissibility_as_lavaan_fiml(joint):
    """lavaan's post.check of its default fit (what stuart sees): the same candidates are
    inadmissible, for the same reason."""
    _, _, fit = joint
    flags = [c["admissible"] for c in REF["candidates"]]
    assert fit.admissible.tolist() == flags
    assert sum(not f for f in flags) >= 5
    for k, ref in enumerate(REF["candidates"]):
        if not ref["admissible"]:
            assert "some estimated ov variances are negative" in ref["reason"]
            assert fit.reason[k].startswith("some estimated ov variances are negative (")


def test_stuart_readme_answer_and_fiml_optimum(joint):
    """The README's genetic answer and the exact search's optimum under FIML (lavaan's
    numbers): the optimum scores higher; the listwise optimum is inadmissible."""
    by_label = {c["label"]: c for c in REF["candidates"]}
    readme, best = by_label["stuart_readme"], by_label["fiml_optimum"]
    assert best["objective"] > readme["objective"] > 2.4
    assert not by_label["listwise_optimum"]["admissible"]


def _pool_with_gaps() -> pd.DataFrame:
    """RA and SI items of the fairplayer data, with one respondent who skipped the first
    three RA items only (lavaan leaves them out of a candidate of those items)."""
    data = DATA[COLS[8:18]].copy()
    data.iloc[3, :3] = np.nan
    return data


def test_batch_equals_one_by_one_cfa():
    """A two-factor and a one-factor pool (one candidate inadmissible), candidate by
    candidate: the library's cfa() (missing="ml", lavaan's FIML) and the batch give the
    same fit, crel and admissibility."""
    data = _pool_with_gaps()
    ra, si = list(data.columns[:5]), list(data.columns[5:])
    pairs = [[*a, *b] for a in combinations(ra, 3) for b in combinations(si[:4], 3)]
    pools = [([pairs[0], pairs[21], pairs[35]], [0, 0, 0, 1, 1, 1]),
             ([list(c) for c in combinations(si, 4)][:3], [0, 0, 0, 0])]
    for candidates, structure in pools:
        idx = np.array([[list(data.columns).index(i) for i in c] for c in candidates])
        fit = fit_fiml_batch(candidate_pool(data.to_numpy(float), idx), structure,
                             items=candidates)
        for k, c in enumerate(candidates):
            model = {"F": c} if max(structure) == 0 else {"A": c[:3], "B": c[3:]}
            one = fit_candidate(model, data, None, 0, "ml")
            assert one["admissible"] == fit.admissible[k], c
            assert one["reason"] == fit.reason[k]
            for name in ("chisq", "rmsea", "srmr", "cfi", "crel"):
                assert getattr(fit, name)[k] == pytest.approx(one[name], abs=1e-6), (c, name)
    assert not fit_fiml_batch(candidate_pool(data.to_numpy(float), np.array(
        [[list(data.columns).index(i) for i in pairs[21]]])), [0, 0, 0, 1, 1, 1]).admissible[0]
    # who skipped every item of a candidate is left out of it (lavaan): 17 who answered
    # nothing, one who skipped every RA item, the respondent made to skip three
    assert fit_fiml_batch(candidate_pool(data.to_numpy(float), np.array([[0, 1, 2]])),
                          [0, 0, 0]).n[0] == data[ra[:3]].notna().any(axis=1).sum() == 143 - 19


def test_em_equals_library_em():
    """The batched EM of the saturated model is the library's (lavaan's) EM, iteration for
    iteration: same moments, log-likelihood and number of iterations."""
    from alliance_scale.psychometrics._cfa._fiml import MissingGroup

    candidates = [[0, 1, 2, 8, 9, 10, 13, 14, 15, 16], [3, 5, 7, 9, 11, 12, 15, 17, 19, 21]]
    pool = candidate_pool(DATA.to_numpy(float), np.array(candidates))
    mean, cov, fx, iterations, usable = em_saturated_batch(pool)
    assert usable.all()
    for k, c in enumerate(candidates):
        values = DATA.iloc[:, c].to_numpy(float)
        group = MissingGroup(values[~np.isnan(values).all(axis=1)])
        np.testing.assert_allclose(mean[k] + pool.shift[k], group.mean, atol=1e-10)
        np.testing.assert_allclose(cov[k], group.cov, atol=1e-10)
        assert fx[k] == pytest.approx(group.h1_fx, abs=1e-10)
        assert iterations[k] == group.em_iterations


def test_complete_data_is_ml():
    """Without missing answers FIML is ML: the batch equals the ML batch on the sample
    covariances (chisq, fit, crel, estimates)."""
    complete = DATA.dropna().to_numpy(float)
    idx = np.array([[0, 1, 2, 8, 9, 10, 13, 14, 15, 16], [1, 4, 6, 8, 10, 12, 14, 18, 20, 22]])
    fiml = fit_fiml_batch(candidate_pool(complete, idx), STRUCTURE)
    s, n = candidate_moments(complete, idx)
    ml = fit_batch(s, n, STRUCTURE)
    for name in ("chisq", "rmsea", "srmr", "cfi", "crel"):
        np.testing.assert_allclose(getattr(fiml, name), getattr(ml, name), atol=1e-7)
    np.testing.assert_allclose(fiml.lam, ml.lam, atol=1e-6)
    np.testing.assert_allclose(fiml.nu, complete.mean(axis=0)[idx], atol=1e-8)


def test_shorten_missing_ml_is_the_batch():
    """``shorten(..., missing="ml")`` scores every candidate of a joint search by the
    batched FIML (the table equals the batch's numbers) and picks the best admissible."""
    factors = {"EM": COLS[:4], "RA": COLS[8:12], "SI": COLS[13:18]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        form = shorten(DATA, factors, per_facet={"EM": 3, "RA": 3, "SI": 4}, model="joint",
                       estimator="ML", missing="ml", method="exact", holdout=None)
    table = form.candidates
    assert form.search.loc["joint", "fitted"] == 4 * 4 * 5
    items = [list(c) for c in table["items"]]
    idx = np.array([[COLS.index(i) for i in c] for c in items])
    fit = fit_fiml_batch(candidate_pool(DATA.to_numpy(float), idx), STRUCTURE)
    np.testing.assert_allclose(table["crel"], fit.crel, atol=1e-12)
    np.testing.assert_allclose(table["srmr"], fit.srmr, atol=1e-12)
    assert table["admissible"].tolist() == fit.admissible.tolist()
    best = table[table["admissible"]].iloc[0]
    assert best["objective"] == table["objective"].max()
    assert tuple(i for part in form.items.values() for i in part) == best["items"]


def test_workers_give_the_same_result(monkeypatch):
    """An exact search fitted by two processes (chunks of 16 candidates) returns what one
    process returns."""
    import alliance_scale.design._shorten_search as search

    monkeypatch.setattr(search, "CHUNK", 16)
    factors = {"EM": COLS[:4], "RA": COLS[8:12], "SI": COLS[13:18]}
    kw = dict(per_facet={"EM": 3, "RA": 3, "SI": 4}, model="joint", estimator="ML",
              missing="ml", method="exact", holdout=None, keep=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = shorten(DATA, factors, **kw)
        two = shorten(DATA, factors, workers=2, **kw)
    pd.testing.assert_frame_equal(one.candidates, two.candidates)
    assert one.items == two.items
    assert two.search.loc["joint", "inadmissible"] == one.search.loc["joint", "inadmissible"]


def test_workers_must_be_positive():
    from alliance_scale.errors import OptionError

    with pytest.raises(OptionError, match="workers"):
        shorten(DATA, {"RA": COLS[8:13]}, per_facet=3, estimator="ML", holdout=None,
                workers=0)
