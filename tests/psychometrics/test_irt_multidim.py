"""Confirmatory multidimensional IRT (``irt(..., factors=...)``) against mirt 1.47's own test
expectations (tests/fixtures/mirt_expected.py, the irtmulti block), simulated truth, the
information matrix against a finite-difference Hessian, and bad input."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest
from support import FIXTURES

import alliance_scale as als
from alliance_scale.psychometrics._irt import _multidim as md
from alliance_scale.psychometrics._irt._data import one_hot

_spec = importlib.util.spec_from_file_location("mirt_expected", FIXTURES / "mirt_expected.py")
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
EXPECTED = _module.EXPECTED


def all_equal(target, current) -> float:
    target = np.asarray(target, dtype=float)
    current = np.asarray(current, dtype=float)
    return float(np.mean(np.abs(target - current)) / np.mean(np.abs(target)))


def mirt_vector(fit) -> list[float]:
    """coef(mod) flattened as mirt prints it: a1 a2 d (g u for binary items) per item, then
    MEAN_1 MEAN_2 COV_11 COV_21 COV_22."""
    table = fit.coef(se=False)
    out: list[float] = []
    for item, k in zip(fit.items, fit._spec.n_cat, strict=True):
        values = table.loc[item].dropna().tolist()
        out += values + ([0.0, 1.0] if k == 2 else [])
    return [*out, 0.0, 0.0, 1.0, fit.latent_corr[1, 0], 1.0]


@pytest.fixture(scope="module")
def conftwo() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "mirt" / "conftwo1.csv")


@pytest.fixture(scope="module")
def conftwo_fit(conftwo):
    items = list(conftwo.columns)
    return als.irt(conftwo, factors={"F1": items[:4], "F2": items[3:]}, se=None)


def test_conftwo_against_mirt(conftwo_fit, conftwo):
    """test-06-confmirtTwo.R:67-72: two correlated factors, item 4 on both (within-item),
    binary and graded items, EM on mirt's 31 x 31 grid."""
    entry = EXPECTED["conftwo_mod1b_coef"]
    assert all_equal(entry["values"], mirt_vector(conftwo_fit)) < entry["tolerance"]
    assert conftwo_fit.df == EXPECTED["conftwo_mod1b_df"]["values"][0]
    assert conftwo_fit.converged and conftwo_fit.n_factors == 2
    # ours is the maximum: mirt's printed estimates give a lower log-likelihood
    values = np.asarray(entry["values"][:-5]).tolist()
    rows, pos = {}, 0
    for item, k in zip(conftwo_fit.items, conftwo_fit._spec.n_cat, strict=True):
        width = 2 + (k - 1)
        rows[item] = values[pos: pos + width]
        pos += width + (2 if k == 2 else 0)
    pars = pd.DataFrame(0.0, index=conftwo_fit.items, columns=["a1", "a2", "d1", "d2", "d3"])
    for item, row in rows.items():
        pars.loc[item, pars.columns[: len(row)]] = row
    pars.attrs["latent_corr"] = np.array([[1.0, 0.4679], [0.4679, 1.0]])
    items = list(conftwo.columns)
    at_mirt = als.irt(conftwo, factors={"F1": items[:4], "F2": items[3:]}, pars=pars,
                      estimate=False, se=None)
    assert conftwo_fit.loglik >= at_mirt.loglik
    assert conftwo_fit.loglik - at_mirt.loglik < 0.05
    text = repr(conftwo_fit)
    assert "Factor correlations" in text and "31 points per dimension" in text


def test_information_is_the_hessian_of_the_loglik():
    """The Oakes information (numerical derivative of the observed score) equals minus the
    finite-difference Hessian of the marginal log-likelihood, correlation included."""
    rng = np.random.default_rng(5)
    theta = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=300)
    first = als.simulate_irt([1.2, 0.9, -1.1], [[1, -1]] * 3, n=300, seed=1, theta=theta[:, 0])
    second = als.simulate_irt([1.0, 1.4, 0.8], [[0.5, -0.5]] * 3, n=300, seed=2,
                              theta=theta[:, 1])
    second.columns = ["r1", "r2", "r3"]
    data = pd.concat([first, second], axis=1)
    fit = als.irt(data, factors={"A": ["q1", "q2", "q3"], "B": ["r1", "r2", "r3"]}, quadpts=15)
    spec, grid = fit._spec, fit._grid
    from alliance_scale.psychometrics._irt._data import collapse
    from alliance_scale.psychometrics._irt._engine import estep

    patterns = collapse(fit._codes)
    onehot = one_hot(patterns.codes, spec.offsets, spec.n_columns)

    def loglik(vector):
        pars, corr = spec.unpack(vector, fit._pars)
        points = grid.points(corr)
        return estep(onehot, patterns.counts, md.log_prob_table(spec, pars, points),
                     grid.log_weights(corr)).loglik

    x0 = spec.pack(fit._pars, fit.latent_corr)
    h = 1e-4
    eye = np.eye(x0.size) * h
    hess = np.zeros((x0.size, x0.size))
    for i in range(x0.size):
        for j in range(i, x0.size):
            hess[i, j] = hess[j, i] = (
                loglik(x0 + eye[i] + eye[j]) - loglik(x0 + eye[i] - eye[j])
                - loglik(x0 - eye[i] + eye[j]) + loglik(x0 - eye[i] - eye[j])) / (4 * h * h)
    info = np.linalg.inv(fit.vcov.to_numpy())
    assert np.allclose(-hess, info, rtol=1e-3, atol=1e-2)
    assert list(fit.vcov.index[-1:]) == ["COV_21"]


def test_recovery_and_reverse_keyed_signs():
    """Simulated truth: two correlated factors (r = 0.4), five-category graded items, two of
    them reverse-keyed; slopes, intercepts and the correlation recovered, signs kept, and
    the SEs cover the truth."""
    rng = np.random.default_rng(11)
    n = 3000
    theta = rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=n)
    a1 = np.array([1.5, 1.2, -1.0, 1.3])
    a2 = np.array([1.1, -1.4, 0.9, 1.6])
    d = np.array([[2.0, 0.7, -0.5, -1.8]] * 4)
    first = als.simulate_irt(a1, d, n=n, seed=3, theta=theta[:, 0])
    second = als.simulate_irt(a2, d, n=n, seed=4, theta=theta[:, 1])
    second.columns = [f"r{j}" for j in range(1, 5)]
    data = pd.concat([first, second], axis=1)
    fit = als.irt(data, factors={"F1": list(first.columns), "F2": list(second.columns)})
    table = fit.coef()
    slopes = np.r_[table["a1"].to_numpy()[:4], table["a2"].to_numpy()[4:]]
    truth = np.r_[a1, a2]
    assert np.all(np.sign(slopes) == np.sign(truth))
    assert np.max(np.abs(slopes - truth)) < 0.15
    assert np.max(np.abs(table[["d1", "d2", "d3", "d4"]].to_numpy() - np.vstack([d, d]))) < 0.2
    se = np.r_[table["SE_a1"].to_numpy()[:4], table["SE_a2"].to_numpy()[4:]]
    assert np.all(np.abs(slopes - truth) / se < 4)
    corr = fit.latent_corr[1, 0]
    corr_se = np.sqrt(fit.vcov.loc["COV_21", "COV_21"])
    assert abs(corr - 0.4) < 4 * corr_se < 0.15
    scores = fit.scores()
    assert list(scores.columns) == ["F1", "F2", "SE_F1", "SE_F2"]
    assert np.corrcoef(scores["F1"], theta[:, 0])[0, 1] > 0.8
    assert np.corrcoef(scores["F2"], theta[:, 1])[0, 1] > 0.8
    patterns = fit.pattern_scores()
    assert patterns["freq"].sum() == n


def test_one_factor_mapping_is_the_unidimensional_model():
    data = als.simulate_irt([1.2, 0.9, 1.5, 1.1], [[1, -1]] * 4, n=400, seed=6)
    one = als.irt(data, factors={"F": list(data.columns)}, se=None)
    plain = als.irt(data, se=None)
    assert one.loglik == pytest.approx(plain.loglik)
    assert one.n_factors == 1


def test_qmc_beyond_three_factors():
    """Four factors: mirt's QMCEM nodes (leaped Halton, 5,000 points), deterministic; the
    estimates recover the truth and two runs agree exactly."""
    rng = np.random.default_rng(2)
    n = 1500
    theta = rng.multivariate_normal(np.zeros(4), 0.3 + 0.7 * np.eye(4), size=n)
    parts = []
    for f in range(4):
        block = als.simulate_irt([1.5, 1.2, 1.3], [[0.5]] * 3, n=n, seed=10 + f,
                                 theta=theta[:, f])
        block.columns = [f"f{f}i{j}" for j in range(3)]
        parts.append(block)
    data = pd.concat(parts, axis=1)
    mapping = {f"F{f}": list(parts[f].columns) for f in range(4)}
    with pytest.warns(als.AllianceScaleWarning, match="quasi-Monte Carlo"):
        fit = als.irt(data, factors=mapping, quadpts=2000)
    assert fit._grid.qmc
    off = fit.latent_corr[np.tril_indices(4, -1)]
    assert np.all(np.abs(off - 0.3) < 0.12)
    again = als.irt(data, factors=mapping, quadpts=2000, se=None)
    assert again.loglik == fit.loglik


def test_halton_nodes_are_the_leaped_radical_inverse():
    nodes = md.halton(3, 2)
    # indices 1, 410, 819; base 2: 1 -> .5, 410 = 0b110011010 -> radical inverse
    assert nodes[0, 0] == 0.5 and nodes[0, 1] == pytest.approx(1 / 3)
    assert nodes[1, 0] == pytest.approx(sum(int(b) / 2 ** (i + 1)
                                            for i, b in enumerate(bin(410)[2:][::-1])))


def test_bad_factor_mappings_name_the_item(conftwo):
    items = list(conftwo.columns)
    with pytest.raises(als.OptionError, match="Item_8"):
        als.irt(conftwo, factors={"F1": items[:4], "F2": items[4:7]})
    with pytest.raises(als.OptionError, match="nope"):
        als.irt(conftwo, factors={"F1": items[:4], "F2": [*items[4:], "nope"]})
    with pytest.raises(als.OptionError, match="factors"):
        als.irt(conftwo, factors={})
    with pytest.raises(als.OptionError, match="graded"):
        als.irt(conftwo, "Rasch", factors={"F1": items[:4], "F2": items[4:]})


def test_unidimensional_only_methods_refuse(conftwo_fit):
    with pytest.raises(als.AnalysisError, match="2 factors"):
        conftwo_fit.item_information()
    with pytest.raises(als.OptionError, match="EAP"):
        conftwo_fit.scores("WLE")
    with pytest.raises(als.OptionError, match="irt_pars"):
        conftwo_fit.coef(irt_pars=True)
