"""Exploratory IRT (``irt(data, factors=k)``, mirt's ``mirt(data, k)``) against mirt 1.47's
own expectations for ``mirt(Science, 2)`` (tests/fixtures/mirt_expected.py, the irtexplore
block), the rotations against GPArotation and R's BFGS against ``optim``
(tests/fixtures/irt_exploratory_reference.R), simulated truth, and bad input."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from irt_support import check, mirt_expected
from support import FIXTURES

import alliance_scale as als
from alliance_scale import OptionError
from alliance_scale.psychometrics._factor._rotation import MIRT_ROTATIONS, mirt_rotate
from alliance_scale.psychometrics._irt._bfgs import vmmin

EXPECTED = mirt_expected.EXPECTED
REFERENCE = json.loads((FIXTURES / "irt_exploratory_reference.json").read_text())


@pytest.fixture(scope="module")
def science() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "mirt" / "Science.csv")


@pytest.fixture(scope="module")
def efa2(science):
    return als.irt(science, factors=2, se=None)


def mirt_coef_vector(fit) -> np.ndarray:
    """coef(modp2) flattened as mirt's test: a1 a2 d1 d2 d3 per item, MEAN_1 MEAN_2 COV_11
    COV_21 COV_22."""
    table = fit.coef(se=False)
    return np.concatenate([table.to_numpy().ravel(), [0, 0, 1, 0, 1]])


def test_science_two_factors_against_mirt(efa2):
    """test-02-mirtTwo.R:59-63, 104-107, 132-134, 181-184: df, coefficients (absolute values,
    all.equal 1e-2), oblimin-rotated EAP scores of the first six patterns (closeEnough
    1e-2), Zh and S-X2 (all.equal 1e-4: these depend on where EM stopped on the nearly
    flat ridge of this likelihood, reproduced by following mirt's own EM path; our
    Newton M-step (the confirmatory path) stops elsewhere, at -1601.96745, Zh up to 4.7% off)
    and the empirical reliability, also with mirt's mean and covariance (all.equal
    1e-4)."""
    assert efa2.converged and efa2.exploratory and efa2.n_factors == 2
    check("science_exploratory_df", [efa2.df])
    check("science_exploratory_coef", np.abs(mirt_coef_vector(efa2)))
    assert efa2.coef(se=False).loc["Benefit", "a2"] == 0.0  # mirt's identification
    assert np.array_equal(efa2.latent_corr, np.eye(2))
    patterns = efa2.pattern_scores(rotate="oblimin")
    check("science_exploratory_fscores_oblimin",
          np.abs(patterns[["F1", "F2"]].to_numpy()[:6]).T.ravel())
    fit = efa2.item_fit(["S_X2", "Zh"])
    check("science_exploratory_zh", fit["Zh"])
    check("science_exploratory_sx2", fit["S_X2"])
    check("science_exploratory_er", efa2.empirical_reliability())
    check("science_exploratory_er_mean_cov",
          efa2.empirical_reliability(mean=[-1, 1], cov=[[1.5, 1], [1, 2]]))
    # the default rotation of scores is mirt's fscores default, oblimin
    assert efa2.scores().equals(efa2.scores(rotate="oblimin"))


def test_our_stopping_point_is_at_least_as_likely_as_mirts_printed_one(efa2, science):
    """mirt's printed coefficients (4 decimals, test-02:63; signs as our orientation, the
    likelihood is invariant to reflecting a factor) have log-likelihood -1601.96952 here;
    ours -1601.96907: a little higher (the rounding), within 0.005."""
    values = np.asarray(EXPECTED["science_exploratory_coef"]["values"][:20]).reshape(4, 5)
    ours = efa2.coef(se=False)
    pars = pd.DataFrame(values * np.sign(ours.to_numpy() + (ours.to_numpy() == 0)),
                        index=ours.index, columns=ours.columns)
    at_mirt = als.irt(science, factors=2, pars=pars, estimate=False, se=None)
    assert efa2.loglik >= at_mirt.loglik
    assert efa2.loglik - at_mirt.loglik < 0.005


def test_rotation_keeps_the_model(efa2, science):
    """A rotation changes the coordinates, not the model: the implied covariance of the
    items' linear predictors ``A Phi A'`` is the unrotated ``A A'`` (mirt's conversion
    ``a = 1.702 f / sqrt(1 - h2)`` with the unrotated communalities), the intercepts are
    unchanged, and scoring under the rotated model or the unrotated one gives the same
    reliability of the sum of predictors."""
    unrotated = efa2.coef(se=False)
    a = unrotated[["a1", "a2"]].to_numpy()
    for rotation in MIRT_ROTATIONS:
        table = efa2.coef(se=False, rotate=rotation)
        phi = table.attrs["latent_corr"].to_numpy()
        rotated = table[["a1", "a2"]].to_numpy()
        assert np.allclose(rotated @ phi @ rotated.T, a @ a.T, atol=1e-8), rotation
        assert np.allclose(table[["d1", "d2", "d3"]], unrotated[["d1", "d2", "d3"]])
        loadings = efa2.loadings(rotation)
        assert np.allclose(loadings["h2"], np.sum(efa2.loadings("none")[["F1", "F2"]] ** 2,
                                                  axis=1))
        if rotation != "none":  # mirt reflects each factor: largest loading positive
            column = loadings[["F1", "F2"]].to_numpy()
            largest = column[np.argmax(np.abs(column), axis=0), [0, 1]]
            assert np.all(largest > 0), rotation
    text = repr(efa2)
    assert "exploratory, 2 factors" in text and "Rotation: oblimin" in text
    assert "<table" in efa2._repr_html_()


@pytest.mark.parametrize("case", ["three", "two"])
def test_rotations_are_gparotations(case):
    """Each rotation equals R's GPArotation function mirt calls (stats::promax for promax),
    once mirt's reflection (largest loading of each factor positive) is applied to both."""
    entry = REFERENCE[case]
    loadings = np.asarray(entry["loadings"])

    def reflect(values, phi):
        sign = np.sign(values[np.argmax(np.abs(values), axis=0), np.arange(values.shape[1])])
        return values * sign, None if phi is None else phi * np.outer(sign, sign)

    for rotation in MIRT_ROTATIONS[1:]:
        ours, phi = mirt_rotate(loadings, rotation)
        ref = entry[rotation]
        raw_phi = ref.get("phi") or None  # jsonlite writes R's NULL as {}
        target, target_phi = reflect(np.asarray(ref["loadings"]),
                                     None if raw_phi is None else np.asarray(raw_phi))
        assert np.allclose(ours, target, rtol=0, atol=1e-10), (case, rotation)
        assert (phi is None) == (target_phi is None), rotation
        if phi is not None:
            assert np.allclose(phi, target_phi, rtol=0, atol=1e-10), (case, rotation)


def test_bfgs_is_rs_optim():
    """The M-step's optimiser retraces R's optim(method = "BFGS") (vmmin): same point,
    value and gradient count at maxit 5, 20 and 100 on the extended Rosenbrock function."""

    def value(x):
        return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))

    def gradient(x):
        g = np.zeros_like(x)
        g[:-1] += -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
        g[1:] += 200 * (x[1:] - x[:-1] ** 2)
        return g

    for ref in REFERENCE["bfgs"]:
        out = vmmin(value, gradient, np.array([-1.2, 1, 0.5, -0.3]), maxit=ref["maxit"])
        assert np.allclose(out.x, ref["par"], rtol=1e-9, atol=1e-11)
        assert out.value == pytest.approx(ref["value"], rel=1e-8, abs=1e-18)
        assert out.iterations == ref["gradients"]
        assert out.converged == (ref["convergence"] == 0)


def test_recovers_simulated_loadings():
    """Truth: 6 graded items, simple structure (slopes 1.8, 1.5, 1.2 on each factor),
    factors correlated 0.4, n = 5,000. The oblimin loadings recover the true standardized
    pattern ``(a / 1.702) / sqrt(1 + (a / 1.702)' R (a / 1.702))`` within 0.05 (about two
    standard errors at this n; the logistic-normal conversion adds ~0.01), up to the order
    and signs of the factors, and the factor correlation within 0.08."""
    rng = np.random.default_rng(11)
    corr = np.array([[1.0, 0.4], [0.4, 1.0]])
    slopes = np.zeros((6, 2))
    slopes[:3, 0] = slopes[3:, 1] = [1.8, 1.5, 1.2]
    theta = rng.standard_normal((5000, 2)) @ np.linalg.cholesky(corr).T
    data = als.simulate_irt(slopes, [[1.2, -0.6]] * 6, n=5000, seed=12, theta=theta)
    fit = als.irt(data, factors=2, se=None)
    assert fit.converged
    table = fit.loadings("oblimin")
    estimate = table[["F1", "F2"]].to_numpy()
    scaled = slopes / 1.702
    truth = scaled / np.sqrt(1 + np.einsum("if,fg,ig->i", scaled, corr, scaled))[:, None]
    best = min(
        (np.max(np.abs(estimate[:, order] * sign - truth)), order, sign)
        for order in ([0, 1], [1, 0]) for sign in ([1, 1], [1, -1], [-1, 1], [-1, -1]))
    assert best[0] < 0.05
    phi = table.attrs["phi"].to_numpy()[0, 1] * best[2][0] * best[2][1]
    assert abs(phi - 0.4) < 0.08
    # a rotation that cannot match (the unrotated solution) misses the truth by far
    unrotated = fit.loadings("none")[["F1", "F2"]].to_numpy()
    assert min(np.max(np.abs(unrotated[:, order] * np.asarray(sign) - truth))
               for order in ([0, 1], [1, 0])
               for sign in ([1, 1], [1, -1], [-1, 1], [-1, -1])) > 0.2


def test_one_factor_is_the_unidimensional_model(science):
    one = als.irt(science, factors=1, se=None)
    uni = als.irt(science, se=None)
    assert one.n_factors == 1 and not one.exploratory
    assert one.loglik == pytest.approx(uni.loglik, abs=1e-10)


def test_bad_input(science, efa2):
    for bad, words in [(0, "at least 1"), (-2, "at least 1"), (4, "at most 3"),
                       (True, "mapping"), (2.5, "mapping")]:
        with pytest.raises(OptionError, match=words):
            als.irt(science, factors=bad)
    with pytest.raises(OptionError, match="bifactor"):
        als.irt(science, factors=2, bifactor={"S1": ["Comfort", "Work"]})
    for name, value in [("constrain", [["Comfort.a1", "Work.a1"]]),
                        ("priors", {"a1": ("lnorm", 0.2, 0.5)}),
                        ("gpcm_mats", {"Comfort": [0, 1, 2, 3]})]:
        with pytest.raises(OptionError, match=name):
            als.irt(science, factors=2, **{name: value})
    with pytest.raises(OptionError, match="'graded' and '2PL'"):
        als.irt(science, model="gpcm", factors=2)
    with pytest.raises(OptionError, match="rotate"):
        efa2.coef(rotate="spin")
    with pytest.raises(OptionError, match="mean"):
        efa2.scores(mean=[0, 0, 0])
    with pytest.raises(OptionError, match="positive definite"):
        efa2.scores(cov=[[1, 2], [2, 1]])
    uni = als.irt(science, se=None)
    with pytest.raises(OptionError, match="exploratory"):
        uni.coef(rotate="oblimin")
    with pytest.raises(OptionError, match="exploratory"):
        uni.loadings(rotate="varimax")
    assert uni.loadings().attrs["rotation"] == "none"  # mirt's summary: unrotated
    with pytest.raises(OptionError, match="multidimensional"):
        uni.scores(mean=[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert uni.scores(rotate="none").equals(uni.scores())
    with pytest.raises(OptionError, match="of 2 factors"):  # multidimensional simulation
        als.simulate_irt([[1, 0], [0, 1]], [[0.5]] * 2, n=10, theta=np.zeros(10))
    with pytest.raises(OptionError, match="items x factors"):
        als.simulate_irt(np.ones((2, 2, 2)), [[0.5]] * 2, n=10)
