"""Confirmatory multidimensional IRT (``irt(..., factors=...)``) against mirt 1.47's own test
expectations (tests/fixtures/mirt_expected.py, the irtmulti block), simulated truth, the
information matrix against a finite-difference Hessian, and bad input."""

from __future__ import annotations

import importlib.util
import warnings

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
    again = als.irt(conftwo, factors={"F1": items[:4], "F2": items[3:]}, pars=conftwo_fit,
                    estimate=False, se=None)  # a fitted result as pars
    assert again.loglik == pytest.approx(conftwo_fit.loglik, abs=1e-9)


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
    n = 2000
    theta = rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=n)
    a1 = np.array([1.5, 1.2, -1.0, 1.3])
    a2 = np.array([1.1, -1.4, 0.9, 1.6])
    d = np.array([[2.0, 0.7, -0.5, -1.8]] * 4)
    first = als.simulate_irt(a1, d, n=n, seed=3, theta=theta[:, 0])
    second = als.simulate_irt(a2, d, n=n, seed=4, theta=theta[:, 1])
    second.columns = [f"r{j}" for j in range(1, 5)]
    data = pd.concat([first, second], axis=1)
    fit = als.irt(data, factors={"F1": list(first.columns), "F2": list(second.columns)},
                  quadpts=21)
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


@pytest.mark.slow
def test_qmc_beyond_three_factors():
    """Four factors: mirt's QMCEM nodes (leaped Halton, 5,000 points), deterministic; the
    estimates recover the truth and two runs agree exactly."""
    rng = np.random.default_rng(2)
    n = 1000
    theta = rng.multivariate_normal(np.zeros(4), 0.3 + 0.7 * np.eye(4), size=n)
    parts = []
    for f in range(4):
        block = als.simulate_irt([1.5, 1.2, 1.3], [[1.0, 0.0, -1.0]] * 3, n=n, seed=10 + f,
                                 theta=theta[:, f])
        block.columns = [f"f{f}i{j}" for j in range(3)]
        parts.append(block)
    data = pd.concat(parts, axis=1)
    mapping = {f"F{f}": list(parts[f].columns) for f in range(4)}
    with pytest.warns(als.AllianceScaleWarning, match="quasi-Monte Carlo"):
        fit = als.irt(data, factors=mapping, quadpts=1000)
    assert fit._grid.qmc
    off = fit.latent_corr[np.tril_indices(4, -1)]
    assert np.all(np.abs(off - 0.3) < 0.12)
    again = als.irt(data, factors=mapping, quadpts=1000, se=None)
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
    with pytest.raises(als.OptionError, match="quadpts"):
        als.irt(conftwo, quadpts=21)


def test_unidimensional_only_methods_refuse(conftwo_fit):
    with pytest.raises(als.AnalysisError, match="2 factors"):
        conftwo_fit.item_information()
    with pytest.raises(als.OptionError, match="EAP"):
        conftwo_fit.scores("WLE")
    with pytest.raises(als.OptionError, match="irt_pars"):
        conftwo_fit.coef(irt_pars=True)


# ----------------------------------------------------------------------- bifactor
Z = 1.959963984540054


def bifactor_vector(fit, specific) -> np.ndarray:
    """Per item a_G, a_S, d, each as (est, 2.5%, 97.5%), as test-03-bfactor.R flattens it."""
    table = fit.coef()
    out = []
    for j, item in enumerate(fit.items):
        for name in ("a1", f"a{specific[j] + 1}", "d1"):
            est, se = table.loc[item, name], table.loc[item, f"SE_{name}"]
            out += [est, est - Z * se, est + Z * se]
    return np.array(out)


@pytest.mark.slow  # 32 items x 600, 3 specific factors, crossprod SEs: ~6 s CPU
def test_sat12_bfactor_against_mirt():
    """test-03-bfactor.R:4-12. At mirt's printed estimates our crossprod CIs agree to 4e-5
    (all.equal; mirt's tolerance 1e-2), so the two-tier likelihood, its posterior and the
    per-pattern scores are mirt's. Our own fit has the higher log-likelihood; its estimates
    agree with mirt's to 8e-3 (all.equal, tolerance 1e-2); with the CIs the vector is off by
    1.1e-2, all of it on item 29, whose specific slope is barely identified (CI 0.05-4.1:
    the likelihood is flat there, so it sits wherever EM stops at TOL = 1e-4)."""
    sat = pd.read_csv(FIXTURES / "mirt" / "SAT12.csv")
    data = (sat == np.array(_module.SAT12_KEY)).astype(int)
    specific = _module.SAT12_SPECIFIC
    mapping = {f"S{s}": [c for c, sp in zip(data.columns, specific, strict=True) if sp == s]
               for s in (1, 2, 3)}
    entry = EXPECTED["sat12_bfactor_crossprod"]
    target = np.asarray(entry["values"])
    fit = als.irt(data, "2PL", bifactor=mapping, se="crossprod")
    assert fit.df == EXPECTED["sat12_bfactor_df"]["values"][0]
    current = bifactor_vector(fit, specific)
    est = target.reshape(32, 3, 3)[:, :, 0]
    assert all_equal(est, current.reshape(32, 3, 3)[:, :, 0]) < entry["tolerance"]
    others = np.ones((32, 3, 3), dtype=bool)
    others[28] = False
    assert all_equal(target[others.ravel()], current[others.ravel()]) < entry["tolerance"]
    pars = pd.DataFrame(0.0, index=fit.items, columns=["a1", "a2", "a3", "a4", "d1"])
    for j, item in enumerate(fit.items):
        pars.loc[item, ["a1", f"a{specific[j] + 1}", "d1"]] = est[j]
    at_mirt = als.irt(data, "2PL", bifactor=mapping, pars=pars, estimate=False,
                      se="crossprod")
    assert all_equal(target, bifactor_vector(at_mirt, specific)) < 1e-4
    assert fit.loglik > at_mirt.loglik
    m2 = fit.m2()  # mirt's product grid: 9^4 points for four factors
    assert all_equal(EXPECTED["sat12_bfactor_m2"]["values"], m2["M2"]) < 1e-2
    assert m2["df"].iloc[0] == EXPECTED["sat12_bfactor_m2_df"]["values"][0]


def _bifactor_data(n=800, seed=0, specifics=2):
    rng = np.random.default_rng(seed)
    general = rng.standard_normal(n)
    blocks = []
    for s in range(specifics):
        spec = rng.standard_normal(n)
        a_g = np.array([1.2, 1.0, -1.1, 1.4])
        a_s = np.array([0.8, 0.6, -0.7, 0.9])
        z = a_g[:, None] * general + a_s[:, None] * spec
        d = np.array([1.0, -0.5])
        star = 1 / (1 + np.exp(-(z[:, None, :] + d[None, :, None])))
        u = rng.random((4, n))
        answers = (u[:, None, :] < star).sum(axis=1)
        blocks.append(pd.DataFrame(answers.T, columns=[f"s{s}i{j}" for j in range(4)]))
    return pd.concat(blocks, axis=1)


@pytest.mark.slow
def test_two_tier_equals_the_full_grid():
    """The bifactor likelihood integrated two-tier equals the full three-dimensional grid
    (same nodes, orthogonal factors) at the same parameters, and scores agree."""
    data = _bifactor_data()
    mapping = {"A": [c for c in data.columns if c.startswith("s0")],
               "B": [c for c in data.columns if c.startswith("s1")]}
    fit = als.irt(data, bifactor=mapping, quadpts=11, se=None)
    assert fit.factors == ("G", "A", "B") and fit.converged
    pars = fit.coef(se=False).fillna(0.0)
    pars.attrs["latent_corr"] = np.eye(3)
    full = als.irt(data, factors={"G": list(data.columns), **mapping}, pars=pars,
                   estimate=False, quadpts=11, se=None)
    assert full.loglik == pytest.approx(fit.loglik, abs=1e-8)
    assert np.allclose(full.scores().to_numpy(), fit.scores().to_numpy(), atol=1e-8)
    # the reverse-keyed items keep their sign on both factors
    table = fit.coef()
    assert table.loc["s0i2", "a1"] < 0 and table.loc["s0i2", "a2"] < 0
    assert table.loc["s1i2", "a1"] < 0 and table.loc["s1i2", "a3"] < 0
    assert (table.loc[["s0i0", "s0i1", "s0i3"], "a1"] > 0).all()


@pytest.mark.slow
def test_bifactor_information_and_recovery():
    """Oakes SEs of the bifactor model equal minus the inverse finite-difference Hessian of
    its two-tier log-likelihood; the general slopes come back within 4 SEs of the truth.
    (Three specific factors: with two, a bifactor model is not identified.)"""
    data = _bifactor_data(n=1200, seed=3, specifics=3)
    mapping = {name: [c for c in data.columns if c.startswith(f"s{s}")]
               for s, name in enumerate("ABC")}
    fit = als.irt(data, bifactor=mapping, quadpts=15)
    spec, grid = fit._spec, fit._grid
    from alliance_scale.psychometrics._irt._data import collapse

    patterns = collapse(fit._codes)
    onehot = one_hot(patterns.codes, spec.offsets, spec.n_columns)

    def loglik(vector):
        pars, corr = spec.unpack(vector, fit._pars)
        return md.mestep(spec, grid, onehot, patterns.counts, pars, corr).loglik

    x0 = spec.pack(fit._pars, fit.latent_corr)
    h = 1e-4
    pick = [0, 1, 9]  # a few parameters: the Hessian costs n^2 likelihoods
    hess = np.zeros((len(pick), len(pick)))
    eye = np.eye(x0.size) * h
    for a, i in enumerate(pick):
        for b, j in enumerate(pick):
            hess[a, b] = (loglik(x0 + eye[i] + eye[j]) - loglik(x0 + eye[i] - eye[j])
                          - loglik(x0 - eye[i] + eye[j]) + loglik(x0 - eye[i] - eye[j])
                          ) / (4 * h * h)
    info = np.linalg.inv(fit.vcov.to_numpy())
    assert np.allclose(-hess, info[np.ix_(pick, pick)], rtol=1e-3, atol=1e-2)
    table = fit.coef()
    truth = np.array([1.2, 1.0, -1.1, 1.4] * 3)
    se = table["SE_a1"].to_numpy()
    assert np.all(se > 0) and np.all(np.abs(table["a1"].to_numpy() - truth) < 4 * se)


def test_bifactor_bad_input(conftwo):
    items = list(conftwo.columns)
    with pytest.raises(als.OptionError, match="not both"):
        als.irt(conftwo, factors={"F": items}, bifactor={"S": items[:3]})
    with pytest.raises(als.OptionError, match="Item_2"):
        als.irt(conftwo, bifactor={"S1": items[:3], "S2": items[1:2]})
    with pytest.raises(als.OptionError, match="general"):
        als.irt(conftwo, bifactor={"G": items[:3]})


@pytest.mark.slow
def test_exact_information_equals_the_numerical_one():
    """Between-item models use the exact (Louis) information computed factor by factor;
    it equals the central-difference derivative of the observed score (missing answers
    and priors included) to 1e-6 relative."""
    from alliance_scale.psychometrics._irt._data import collapse

    rng = np.random.default_rng(5)
    cov = [[1, 0.5, 0.3], [0.5, 1, 0.2], [0.3, 0.2, 1]]
    theta = rng.multivariate_normal([0, 0, 0], cov, size=400)
    parts = []
    for f in range(3):
        block = als.simulate_irt([1.2, 0.9, -1.1], [[1, 0, -1]] * 3, n=400, seed=f,
                                 theta=theta[:, f])
        block.columns = [f"f{f}{c}" for c in block.columns]
        parts.append(block)
    data = pd.concat(parts, axis=1).astype(float)
    data.iloc[0, 0] = np.nan
    mapping = {f"F{f}": list(parts[f].columns) for f in range(3)}
    fit = als.irt(data, factors=mapping, quadpts=11, se=None, priors={"d": ("norm", 0, 3)})
    spec, grid = fit._spec, fit._grid
    patterns = collapse(fit._codes)
    assert md.between_item(spec, grid)
    exact = md.exact_information(spec, grid, patterns, fit._pars, fit.latent_corr)
    onehot = one_hot(patterns.codes, spec.offsets, spec.n_columns)
    vec = spec.pack(fit._pars, fit.latent_corr)
    jac = np.empty((vec.size, vec.size))
    for i in range(vec.size):
        e = np.zeros(vec.size)
        e[i] = 1e-4 * max(1.0, abs(vec[i]))
        jac[:, i] = (md.observed_score(spec, grid, onehot, patterns.counts, vec + e, fit._pars)
                     - md.observed_score(spec, grid, onehot, patterns.counts, vec - e,
                                         fit._pars)) / (2 * e[i])
    numerical = -0.5 * (jac + jac.T)
    assert np.abs(exact - numerical).max() < 1e-6 * np.abs(numerical).max()


def test_coarse_grid_warns_and_a_finer_one_recovers_the_correlation():
    """Long, discriminating scales give posteriors narrower than the product grid's spacing;
    the warning says so (rule: median posterior SD below half the spacing) and a finer
    grid brings the correlation back to the truth (0.5)."""
    rng = np.random.default_rng(21)
    n = 800
    theta = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=n)
    parts = []
    for f in range(2):
        block = als.simulate_irt([2.2] * 8, [[1.5, 0, -1.5]] * 8, n=n, seed=30 + f,
                                 theta=theta[:, f])
        block.columns = [f"f{f}{c}" for c in block.columns]
        parts.append(block)
    data = pd.concat(parts, axis=1)
    mapping = {"A": list(parts[0].columns), "B": list(parts[1].columns)}
    with pytest.warns(als.AllianceScaleWarning, match="coarse"):
        coarse = als.irt(data, factors=mapping, quadpts=9, se=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fine = als.irt(data, factors=mapping, quadpts=41, se=None)
    sample = np.corrcoef(theta.T)[0, 1]
    assert abs(fine.latent_corr[1, 0] - sample) < abs(coarse.latent_corr[1, 0] - sample)
    assert abs(fine.latent_corr[1, 0] - sample) < 0.05


def _two_factors(corr: float, slopes: list[float], seed: int, n: int = 1500):
    """Four three-category items on each of two correlated factors, and their mapping."""
    rng = np.random.default_rng(seed)
    theta = rng.multivariate_normal([0, 0], [[1, corr], [corr, 1]], size=n)
    parts = []
    for f in range(2):
        block = als.simulate_irt(slopes, [[1.0, -1.0]] * 4, n=n, seed=10 * seed + f,
                                 theta=theta[:, f])
        block.columns = [f"f{f}{c}" for c in block.columns]
        parts.append(block)
    return pd.concat(parts, axis=1), {"A": list(parts[0].columns), "B": list(parts[1].columns)}


def test_m2_of_a_multidimensional_model_fits_the_truth_and_flags_one_factor():
    """M2* of the true two-factor model does not reject (p > 0.01); the one-factor model of
    the same data does (p < 1e-4); the correlation enters M2's Jacobian (df = moments -
    parameters, the correlation counted)."""
    data, mapping = _two_factors(corr=0.3, slopes=[1.4, 1.1, 1.6, 1.2], seed=8)
    two = als.irt(data, factors=mapping, se=None).m2()
    one = als.irt(data, se=None).m2()
    assert two["df"].iloc[0] == 8 + 28 - 25 and one["df"].iloc[0] == 8 + 28 - 24
    assert two["p"].iloc[0] > 0.01
    assert one["p"].iloc[0] < 1e-4


def test_sx2_of_a_multidimensional_model():
    """S-X2 over the two-factor grid: the true two-factor model's statistics are smaller in
    total than the one-factor model's on the same data, and every item gets a df."""
    data, mapping = _two_factors(corr=0.2, slopes=[1.6, 1.3, 1.8, 1.4], seed=9)
    two = als.irt(data, factors=mapping, se=None).item_fit()
    one = als.irt(data, se=None).item_fit()
    assert (two["df_S_X2"] > 0).all()
    assert two["S_X2"].sum() < one["S_X2"].sum()
    assert (two["p_S_X2"] < 0.001).sum() <= 1 < (one["p_S_X2"] < 0.001).sum()


# ------------------------------------------------ irtfinish: the irtflow methods, multidim
@pytest.fixture(scope="module")
def between_fit():
    """Two correlated factors, four graded items each (between-item), n = 400."""
    first = als.simulate_irt([1.5, 1.2, 1.0, 1.3], [[1, 0, -1]] * 4, n=400, seed=1)
    second = als.simulate_irt([1.4, 1.1, 0.9, 1.6], [[1, 0, -1]] * 4, n=400, seed=2)
    second.columns = [f"r{i}" for i in range(1, 5)]
    data = pd.concat([first, second], axis=1)
    fit = als.irt(data, factors={"A": list(first.columns), "B": list(second.columns)},
                  se=None)
    return data, fit


def _facet_model(data, fit, items, factor):
    """The unidimensional model of one facet at the two-factor model's parameters."""
    table = fit.coef(se=False).loc[items]
    pars = table[[f"a{factor + 1}", "d1", "d2", "d3"]].rename(columns={f"a{factor + 1}": "a1"})
    return als.irt(data[items], pars=pars, se=None, estimate=False)


def test_person_and_item_fit_of_a_multidimensional_model(between_fit):
    """Zh / infit evaluate each item at the scores on its own factor: on a between-item
    model an item's statistics equal those of its facet's unidimensional model at the same
    parameters and trait values; the EAP default and bad theta shapes."""
    data, fit = between_fit
    theta = fit.scores()[["A", "B"]].to_numpy()
    items = list(fit.items[:4])
    facet = _facet_model(data, fit, items, 0)
    ours = fit.item_fit(["Zh", "infit"], theta=theta).loc[items]
    alone = facet.item_fit(["Zh", "infit"], theta=theta[:, 0])
    np.testing.assert_allclose(ours.to_numpy(), alone.to_numpy(), rtol=1e-10)
    pd.testing.assert_frame_equal(fit.item_fit(["S_X2", "Zh"]),
                                  fit.item_fit(["S_X2", "Zh"], theta=theta))
    person = fit.person_fit()
    assert person.shape == (400, 5) and np.isfinite(person.to_numpy()).all()
    # a respondent's Zh: the answers' log-likelihood standardised over all eight items
    part = facet.person_fit(theta=theta[:, 0])
    assert not np.allclose(person["Zh"], part["Zh"])  # the other facet's items count
    with pytest.raises(als.OptionError, match="row of 2 trait values"):
        fit.person_fit(theta=theta[:, 0])
    with pytest.raises(als.AnalysisError, match=r"item_fit.*unidimensional models only"):
        fit.item_fit("X2")


def test_residuals_of_a_multidimensional_model(between_fit):
    """Q3 at the factor scores and LD over the 31 x 31 grid equal the facet model's within a
    facet (the marginal of one factor is its own N(0, 1)); pairs across facets use the
    correlation: positive LD there for the model without it."""
    data, fit = between_fit
    theta = fit.scores()[["A", "B"]].to_numpy()
    items = list(fit.items[:4])
    facet = _facet_model(data, fit, items, 0)
    q3 = fit.residuals("Q3", theta=theta)
    np.testing.assert_allclose(q3.loc[items, items], facet.residuals("Q3", theta=theta[:, 0]),
                               rtol=1e-10)
    ld = fit.residuals("LD").loc[items, items].to_numpy()
    ld_facet = facet.residuals("LD").to_numpy()
    np.testing.assert_allclose(ld, ld_facet, rtol=1e-4)
    # across facets the pairs' expected tables use the factor correlation (about 0 here, the
    # facets were simulated independent): a wrong correlation of 0.8 leaves dependence
    others = list(fit.items[4:])
    cross = fit.residuals("LD").loc[others, items].to_numpy()
    wrong = fit.coef(se=False)
    wrong.attrs["latent_corr"] = pd.DataFrame([[1.0, 0.8], [0.8, 1.0]], index=["A", "B"],
                                              columns=["A", "B"])
    misfit = als.irt(data, factors={"A": items, "B": others}, se=None, pars=wrong,
                     estimate=False)
    assert misfit.latent_corr[1, 0] == 0.8
    assert np.nanmean(cross) < 15  # about df = 9 when the model holds
    assert np.nanmean(misfit.residuals("LD").loc[others, items].to_numpy()) > \
        2 * np.nanmean(cross)


def test_plots_refuse_a_multidimensional_model(between_fit):
    _, fit = between_fit
    for call, name in ((als.plot_item_curves, "plot_item_curves"),
                       (als.plot_information, "plot_information"),
                       (als.plot_wright_map, "plot_wright_map")):
        with pytest.raises(als.AnalysisError, match=f"{name}.*2 factors: A, B"):
            call(fit)
