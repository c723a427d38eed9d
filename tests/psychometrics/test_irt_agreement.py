"""The graded / 2PL model against its limited-information counterparts (issue #21: "agreement
with the ordinal CFA ... report the correlation, not equality"; psych's ``irt.fa``).

A logistic item with slope ``a`` and intercepts ``d_k`` is, with the scaling constant
D = 1.702 (|logistic(1.702 x) - Phi(x)| < 0.0095 for every x; Haley 1952), the normal-ogive
item of slope ``a / D`` and intercepts ``d_k / D``, which is the factor model of latent
responses (Takane & de Leeuw 1987): loading ``lambda = (a / D) / sqrt(1 + (a / D)^2)``,
threshold ``tau_k = -(d_k / D) / sqrt(1 + (a / D)^2)``. mirt has no probit graded model
either: its ``summary()`` loadings are this conversion (mirt's ``Lambdas``). The estimates
agree but are not equal: full-information marginal ML against the two-step polychoric
(tetrachoric) statistics of lavaan's WLSMV (lavaan 0.6.14) and psych's ``irt.fa`` (minres
factor analysis of those correlations; psych 2.2.9), and logistic against normal ogive.

Measured on Science, LSAT7 and bfi A1-A5 (tests/fixtures/irt_fa_reference.R): over the 14
items, loadings against WLSMV's r = 0.992 (largest difference 0.059, Science's item 2),
thresholds r = 0.9994 over 42 (largest 0.20: the lowest threshold of Science's Comfort, below
the 1.3% who chose its first category); normal-ogive slopes against ``irt.fa``'s
discriminations r = 0.987, intercepts ``-d / D`` against its difficulties r = 0.9990.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from support import FIXTURES

import alliance_scale as als

D = 1.702


def _data() -> dict[str, tuple[pd.DataFrame, str]]:
    science = pd.read_csv(FIXTURES / "mirt" / "Science.csv")
    lsat7 = pd.read_csv(FIXTURES / "mirt" / "LSAT7.csv")
    lsat7 = lsat7.loc[lsat7.index.repeat(lsat7["freq"])].drop(columns="freq")
    bfi = pd.read_csv(FIXTURES / "bfi.csv")[["A1", "A2", "A3", "A4", "A5"]].dropna()
    bfi["A1"] = 7 - bfi["A1"]  # reverse-keyed, as the R script does
    return {"science": (science, "graded"), "lsat7": (lsat7.reset_index(drop=True), "2PL"),
            "bfi_agreeableness": (bfi.reset_index(drop=True), "graded")}


def factor_metric(fit: als.IRTResult) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Loadings (``fit.loadings()``, checked against the conversion written out here),
    thresholds (per item) and normal-ogive slopes of a unidimensional fit."""
    table = fit.coef(se=False)
    a = table["a1"].to_numpy() / D
    d = table.drop(columns="a1").to_numpy() / D
    scale = np.sqrt(1.0 + a**2)
    thresholds = [-row[~np.isnan(row)] / s for row, s in zip(d, scale, strict=True)]
    loadings = fit.loadings()
    np.testing.assert_allclose(loadings["F1"], a / scale, rtol=1e-12)
    np.testing.assert_allclose(loadings["h2"], (a / scale) ** 2, rtol=1e-12)
    return loadings["F1"].to_numpy(), thresholds, a


@pytest.fixture(scope="module")
def pooled() -> dict[str, np.ndarray]:
    reference = json.loads((FIXTURES / "irt_fa_reference.json").read_text())
    out: dict[str, list[float]] = {k: [] for k in (
        "loading", "wlsmv_loading", "threshold", "wlsmv_threshold", "slope", "irtfa_slope",
        "intercept", "irtfa_difficulty")}
    for key, (data, model) in _data().items():
        ref = reference[key]
        assert list(data.columns) == ref["items"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Science's sparse category (a warning)
            fit = als.irt(data, model, se=None)
        loading, thresholds, slope = factor_metric(fit)
        out["loading"] += list(loading)
        out["wlsmv_loading"] += ref["wlsmv"]["loadings"]
        out["threshold"] += list(np.concatenate(thresholds))
        out["wlsmv_threshold"] += [t for item in ref["wlsmv"]["thresholds"] for t in item]
        out["slope"] += list(slope)
        out["irtfa_slope"] += ref["irtfa"]["discrimination"]
        d = fit.coef(se=False).drop(columns="a1").to_numpy()
        out["intercept"] += list(-d[~np.isnan(d)] / D)  # row-major: item by item
        out["irtfa_difficulty"] += [t for item in ref["irtfa"]["difficulty"] for t in item]
    return {k: np.asarray(v, dtype=float) for k, v in out.items()}


def _r(x: np.ndarray, y: np.ndarray) -> float:
    assert x.shape == y.shape
    return float(np.corrcoef(x, y)[0, 1])


def test_loadings_and_thresholds_agree_with_wlsmv(pooled):
    assert pooled["loading"].size == 14 and pooled["threshold"].size == 42
    assert _r(pooled["loading"], pooled["wlsmv_loading"]) > 0.98  # measured 0.992
    assert np.abs(pooled["loading"] - pooled["wlsmv_loading"]).max() < 0.08  # 0.059
    assert _r(pooled["threshold"], pooled["wlsmv_threshold"]) > 0.995  # 0.9994
    assert np.abs(pooled["threshold"] - pooled["wlsmv_threshold"]).max() < 0.25  # 0.20


def test_normal_ogive_parameters_agree_with_psych_irt_fa(pooled):
    assert _r(pooled["slope"], pooled["irtfa_slope"]) > 0.97  # measured 0.987
    assert _r(pooled["intercept"], pooled["irtfa_difficulty"]) > 0.995  # 0.9990


def test_the_conversion_recovers_a_normal_ogive_truth():
    """Answers cut from a one-factor model of latent responses (loadings 0.4-0.8, known
    thresholds; n = 4,000): the logistic graded fit, converted, recovers the loadings within
    0.03 and the thresholds within 0.08 (sampling error and the logistic approximation), and
    a wrong scaling (D = 1, no conversion to the normal metric) misses them."""
    rng = np.random.default_rng(21)
    loadings = np.linspace(0.4, 0.8, 8)
    cuts = np.array([-1.2, -0.3, 0.5, 1.3])
    latent = rng.standard_normal((4000, 1)) * loadings + rng.standard_normal(
        (4000, 8)) * np.sqrt(1 - loadings**2)
    data = pd.DataFrame(np.digitize(latent, cuts) + 1, columns=[f"q{j}" for j in range(8)])
    fit = als.irt(data, "graded", se=None)
    loading, thresholds, _ = factor_metric(fit)
    assert np.abs(loading - loadings).max() < 0.03
    assert np.abs(np.array(thresholds) - cuts).max() < 0.08  # measured 0.070
    a = fit.coef(se=False)["a1"].to_numpy()
    unscaled = a / np.sqrt(1 + a**2)  # the logistic slope taken as a probit one
    assert np.abs(unscaled - loadings).max() > 0.05


def test_loadings_of_rasch_and_partial_credit_items():
    """A Rasch fit's common slope 1 is scaled by its latent SD (mirt's Lambdas); partial-credit
    items are refused (mirt rescales them by their category scores)."""
    data, _ = _data()["lsat7"]
    rasch = als.irt(data, "Rasch", se=None)
    scaled = np.sqrt(rasch.variance) / D
    np.testing.assert_allclose(rasch.loadings()["F1"], scaled / np.sqrt(1 + scaled**2),
                               rtol=1e-12)
    science, _ = _data()["science"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gpcm = als.irt(science, "gpcm", se=None)
    with pytest.raises(als.OptionError, match="partial-credit items"):
        gpcm.loadings()
