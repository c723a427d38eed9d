"""The fast paths of small IRT fits (``_irt._mstep``, the EM cycle, pattern collapsing and
coding) against the general code they replace: the same numbers, and the general path
taken whenever the fast one cannot vouch for its step."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from support import FIXTURES

import alliance_scale as als
from alliance_scale.psychometrics._irt import _data, _engine, _mstep
from alliance_scale.psychometrics._irt._models import item_arrays

THETA = np.linspace(-6, 6, 61)


def _graded(k: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    pars = np.c_[rng.uniform(-2, 2, n), np.sort(rng.uniform(-2, 2, (n, k - 1)), axis=1)[:, ::-1]]
    return pars, rng.uniform(0.0, 10.0, (n, k, THETA.size))


@pytest.mark.parametrize("k", [2, 3, 6])
def test_closed_form_derivatives_are_the_general_ones(k):
    pars, r = _graded(k, 4, seed=k)
    block = _mstep.GradedBlock(np.arange(4), k, np.arange(4 * k), THETA)
    block.evaluate(pars)
    grad, hess = block._derivatives(r)
    prob, dprob, d2prob = item_arrays("graded", pars, THETA)
    ratio = r / prob
    expected_grad = np.einsum("ikq,ikpq->ip", ratio, dprob)
    expected_hess = (np.einsum("ikq,ikpsq->ips", ratio, d2prob)
                     - np.einsum("ikq,ikpq,iksq->ips", ratio / prob, dprob, dprob))
    assert np.allclose(block.prob, prob, rtol=0, atol=1e-15)
    assert np.allclose(grad, expected_grad, rtol=1e-10, atol=1e-9)
    assert np.allclose(hess, expected_hess, rtol=1e-10, atol=1e-8)


def test_newton_reaches_the_general_maximiser():
    truth = np.array([[1.2, 2.0, 0.5, -0.5, -2.0], [0.8, 1.5, 0.0, -1.0, -2.5],
                      [-1.0, 2.5, 1.0, -0.5, -1.5]])  # a reverse-keyed item too
    start = truth + np.array([0.3, 0.2, -0.1, 0.1, -0.2])
    block = _mstep.GradedBlock(np.arange(3), 5, np.arange(15), THETA)
    block.evaluate(truth)
    r = block.prob * (500 * np.exp(-THETA**2 / 2))  # expected counts of the truth
    block.evaluate(start)
    fast = block.newton(start, r, tol=1e-8)
    general = _engine._item_newton("graded", start, np.ones(5, dtype=bool), r, THETA,
                                   tol=1e-10)
    assert fast is not None
    assert np.allclose(fast, general, rtol=0, atol=1e-7)
    assert np.allclose(fast, truth, rtol=0, atol=1e-6)


def test_a_step_that_unorders_the_intercepts_hands_over_to_the_general_m_step():
    pars = np.array([[1.0, 1.0, 0.999]])
    block = _mstep.GradedBlock(np.arange(1), 3, np.arange(3), THETA)
    # nearly no one in the middle category: Newton's step from intercepts 0.001 apart
    # crosses them
    r = np.stack([np.full(61, 1.0), np.full(61, 1e-9), np.full(61, 1.0)])[None]
    block.evaluate(pars)
    assert block.newton(pars, r) is None


def test_em_with_the_general_m_step_gives_the_same_fit(monkeypatch):
    science = pd.read_csv(FIXTURES / "mirt" / "Science.csv")
    fast = als.irt(science, "graded")
    monkeypatch.setattr(_mstep.GradedBlock, "newton", lambda self, pars, r: None)
    general = als.irt(science, "graded")
    assert fast.iterations == general.iterations
    assert np.allclose(fast._pars, general._pars, rtol=0, atol=1e-6)
    assert abs(fast.loglik - general.loglik) < 1e-8
    assert np.allclose(fast.vcov.to_numpy(), general.vcov.to_numpy(), rtol=1e-6, atol=1e-8)


def test_expected_counts_are_the_e_step_s():
    rng = np.random.default_rng(3)
    codes = rng.integers(-1, 4, (40, 5))
    codes[codes.max(axis=1) < 0, 0] = 1
    pars = np.c_[rng.uniform(0.5, 2, 5), np.sort(rng.uniform(-2, 2, (5, 3)), axis=1)[:, ::-1]]
    spec = _engine.Spec(("graded",) * 5, np.full(5, 4), slope_fixed=False, variance_free=True)
    patterns = _data.collapse(codes)
    onehot = _data.one_hot(patterns.codes, spec.offsets, spec.n_columns)
    logp = _engine.log_prob_table(spec, pars, THETA)
    logw = _engine.log_prior(THETA, 1.3)
    full = _engine.estep(onehot, patterns.counts, logp, logw)
    expected, marginal = _engine.expected_counts(onehot, patterns.counts, logp, logw, True)
    assert np.allclose(expected, full.expected, rtol=1e-12, atol=1e-12)
    assert np.allclose(marginal, full.marginal, rtol=1e-12, atol=1e-12)
    assert _engine.expected_counts(onehot, patterns.counts, logp, logw)[1] is None


# 4 items: tallied; 12: keys sorted; 24: integer keys (beyond 2^53); 40: beyond 2^62, rows
@pytest.mark.parametrize("width", [4, 12, 24, 40])
@pytest.mark.parametrize("order", ["C", "F"])
def test_collapse_is_numpy_s_unique_rows(width, order):
    rng = np.random.default_rng(width)
    codes = rng.integers(-1, 4, (300, width))
    codes[::7] = codes[1]  # repeated patterns
    codes = np.asarray(codes, order=order)
    patterns = _data.collapse(codes)
    assert patterns.codes.flags.c_contiguous  # the E-step runs along pattern rows
    unique, inverse, counts = np.unique(codes, axis=0, return_inverse=True, return_counts=True)
    assert np.array_equal(patterns.codes, unique)
    assert np.array_equal(patterns.counts, counts)
    assert np.array_equal(patterns.inverse, inverse.ravel())


def test_codes_at_once_equal_the_item_by_item_coding(monkeypatch):
    rng = np.random.default_rng(5)
    values = rng.integers(1, 6, (200, 6)).astype(float)
    values[rng.random(values.shape) < 0.1] = np.nan
    values[:, 2] += 10  # another range
    frame = pd.DataFrame(values, columns=[f"q{j}" for j in range(6)])
    assert _data._consecutive_codes(values) is not None
    quick = _data.code_responses(frame)
    monkeypatch.setattr(_data, "_consecutive_codes", lambda values: None)
    slow = _data.code_responses(frame)
    assert np.array_equal(quick.codes, slow.codes)
    assert quick.categories == slow.categories
    assert slow.patterns is None  # found on the quick path only, equal to a collapse
    again = _data.collapse(slow.codes)
    assert np.array_equal(quick.patterns.codes, again.codes)
    assert np.array_equal(quick.patterns.counts, again.counts)
    assert np.array_equal(quick.patterns.inverse, again.inverse)


@pytest.mark.parametrize("change", ["gap", "sparse", "fraction", "halves"])
def test_items_needing_a_message_take_the_item_by_item_path(change):
    rng = np.random.default_rng(6)
    values = rng.integers(1, 6, (200, 4)).astype(float)
    if change == "gap":
        values[values[:, 1] == 3, 1] = 4
    elif change == "sparse":
        values[:, 1] = np.where(np.arange(200) < 2, 6.0, values[:, 1])
    elif change == "fraction":
        values[0, 1] = 2.5
    else:  # 0.5, 1.5, ...: consecutive steps of 1, yet not integers
        values[:, 1] -= 0.5
    assert _data._consecutive_codes(values) is None
    frame = pd.DataFrame(values, columns=["a", "b", "c", "d"])
    if change in ("fraction", "halves"):
        with pytest.raises(als.AnalysisError, match="integer answers"):
            _data.code_responses(frame)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _data.code_responses(frame)
    assert any("'b'" in str(w.message) for w in caught)


@pytest.mark.parametrize("model", ["graded", "Rasch"])  # Rasch: the latent variance's score
def test_score_moment_by_item_pairs_is_the_one_by_rows(model):
    rng = np.random.default_rng(8)
    data = als.simulate_irt(rng.uniform(0.8, 2, 5), [[1.5, 0.3, -1]] * 5, n=300, seed=8)
    data = data.mask(rng.random(data.shape) < 0.1)  # missing answers
    fit = als.irt(data, model, se=None)
    spec, patterns = fit._spec, _data.collapse(fit._codes)
    k = spec.k_max
    step = _engine.estep(_data.one_hot(patterns.codes, spec.offsets, spec.n_columns),
                         patterns.counts, _engine.log_prob_table(spec, fit._pars, THETA),
                         _engine.log_prior(THETA, fit.variance))
    scores = np.zeros((5, k + 1, k, THETA.size))
    for kind, kk, items in spec.blocks:
        prob, dprob, _ = item_arrays(kind, fit._pars[items, :kk], THETA, second=False)
        scores[items[:, None], np.arange(kk)[None, :], :kk] = dprob / prob[:, :, None]
    codes = np.where(patterns.codes >= 0, patterns.codes, k)
    prior_score = (-0.5 / fit.variance + 0.5 * THETA**2 / fit.variance**2
                   if spec.variance_free else None)
    free = spec.free.ravel()
    rows = _engine._score_moment_by_rows(scores, codes, step.posterior, patterns.counts,
                                         step.posterior > 0, free, prior_score)
    pairs = _engine._score_moment_by_pairs(scores, codes,
                                           step.posterior * patterns.counts[:, None],
                                           prior_score)
    keep = np.append(free, prior_score is not None)
    assert np.allclose(pairs[np.ix_(keep, keep)], rows, rtol=1e-10, atol=1e-10)


def test_mean_scores_code_by_code_are_the_one_product_s(monkeypatch):
    rng = np.random.default_rng(9)
    data = als.simulate_irt(rng.uniform(0.8, 2, 6), [[1.5, 0.3, -1]] * 6, n=400, seed=9)
    data = data.mask(rng.random(data.shape) < 0.05)
    one = als.irt(data, "graded", se="crossprod")
    monkeypatch.setattr(_engine, "_ONE_PRODUCT", 0)
    by_code = als.irt(data, "graded", se="crossprod")
    assert np.allclose(one.vcov.to_numpy(), by_code.vcov.to_numpy(), rtol=1e-10, atol=1e-14)
