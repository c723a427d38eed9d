"""Start values and several optima (_cfa/_starts.py) against lavaan 0.6.14
(tests/fixtures/fiml_reference.R: lavaan's parTable start and est columns).

psychTools' GERAS items (6 factors x 50 items, ML) have two optima: lavaan's default start
stops at chi-square 3795.58 (log-likelihood -37375.74), ``start = "simple"`` reaches
3794.37 (-37375.14); the M.cog loadings differ by up to 4.5 between them.
"""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from support import FIXTURES, HS_MODEL

import alliance_scale as als
from alliance_scale import AllianceScaleWarning, OptionError
from alliance_scale.psychometrics._cfa._cfa import prepare
from alliance_scale.psychometrics._cfa._fitting import _moments
from alliance_scale.psychometrics._cfa._model import build_model
from alliance_scale.psychometrics._cfa._starts import lavaan_start

REF = json.loads((FIXTURES / "fiml_reference.json").read_text())
GERAS = REF["geras"]


@pytest.fixture(scope="module")
def geras() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "geras.csv")


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "HolzingerSwineford1939.csv")


def _start_vector(data: pd.DataFrame, model: str, method: str, reference: dict,
                  **options: object) -> tuple[np.ndarray, np.ndarray]:
    """Our lavaan start and lavaan's, over the free parameters."""
    missing = options.pop("missing", "listwise")
    prepared = prepare(data, model, estimator="ML", ordered=None, group=None, missing=missing)
    fiml = missing == "ml"
    built = build_model(prepared.statements, ngroups=1, ordered=False, thresholds=[],
                        std_lv=bool(options.get("std_lv", False)), meanstructure=fiml,
                        group_equal=())
    variances = [getattr(d, "start_variances", None) for d in prepared.groups]
    ours = lavaan_start(built, _moments(built, prepared.groups), method, variances)
    theirs = {(a, b, c): s for a, b, c, s, f in zip(reference["lhs"], reference["op"],
                                                     reference["rhs"], reference["start"],
                                                     reference["free"], strict=True) if f > 0}
    expected = np.array([theirs[(r.lhs, r.op, r.rhs)] for r in built.rows if r.free >= 0])
    got = np.array([ours[r.free] for r in built.rows if r.free >= 0])
    return got, expected


def _max_difference(fit: als.CFAResult, reference: dict) -> float:
    table = fit.estimates
    ours = dict(zip(zip(table["lhs"], table["op"], table["rhs"], strict=True), table["est"],
                    strict=True))
    return max(abs(ours[(a, b, c)] - v) for a, b, c, v in
               zip(reference["lhs"], reference["op"], reference["rhs"], reference["est"],
                   strict=True))


@pytest.mark.parametrize(("key", "model", "options"), [
    ("default", HS_MODEL, {}), ("stdlv", HS_MODEL, {"std_lv": True}),
    ("second", HS_MODEL + "\ng =~ visual + textual + speed", {}),
    ("mcar_default", HS_MODEL, {"missing": "ml"}),
])
def test_lavaan_default_start_is_reproduced(hs: pd.DataFrame, key: str, model: str,
                                            options: dict) -> None:
    data = pd.read_csv(FIXTURES / "hs_mcar.csv") if key.startswith("mcar") else hs
    got, expected = _start_vector(data, model, "default", REF["hs_start"][key], **options)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)


@pytest.mark.parametrize("method", ["default", "simple"])
def test_lavaan_starts_on_geras_are_reproduced(geras: pd.DataFrame, method: str) -> None:
    got, expected = _start_vector(geras, GERAS["model"], method, GERAS[method])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)
    assert got.size == 115


def test_each_start_reaches_lavaans_optimum_on_geras(geras: pd.DataFrame) -> None:
    """lavaan's default start ends at its worse optimum, as lavaan's run does; "simple" and
    a table of lavaan's estimates end where lavaan does (lavaan's optimiser stops 1.3e-4 from
    the exact optimum on these flat likelihoods: its log-likelihood is 4.5e-7 lower)."""
    for method in ("default", "simple"):
        fit = als.cfa(geras, GERAS["model"], start=method)
        assert fit.fit["chisq"] == pytest.approx(GERAS[method]["chisq"], rel=1e-6)
        assert fit.fit["logl"] == pytest.approx(GERAS[method]["logl"], abs=1e-5)
        assert _max_difference(fit, GERAS[method]) < 2e-4
    table = pd.DataFrame({k: GERAS["default"][k] for k in ("lhs", "op", "rhs", "est")})
    from_table = als.cfa(geras, GERAS["model"], start=table)
    assert from_table.fit["chisq"] == pytest.approx(GERAS["default"]["chisq"], rel=1e-6)


def test_different_optima_are_detected_and_the_better_one_reported(geras: pd.DataFrame) -> None:
    with pytest.warns(AllianceScaleWarning, match="depend on the start values") as caught:
        fit = als.cfa(geras, GERAS["model"])
    message = str(next(w.message for w in caught if "start values" in str(w.message)))
    assert "-37375.14" in message and "-37375.74" in message
    assert "3794.37" in message and "3795.58" in message
    assert re.search(r"M\.cog =~ V46 \d\.\d+ vs \d\.\d+", message)
    assert fit.fit["chisq"] == pytest.approx(GERAS["simple"]["chisq"], rel=1e-6)


def test_one_optimum_gives_no_warning_and_lavaans_estimates(hs: pd.DataFrame) -> None:
    reference = REF["hs_start"]["default"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fits = [als.cfa(hs, HS_MODEL, start=s) for s in ("ours", "default", "simple")]
        restarted = als.cfa(hs, HS_MODEL, starts=3, seed=1)
    for fit in [*fits, restarted]:
        assert _max_difference(fit, reference) < 1e-5


def test_random_restarts_are_seeded_and_find_the_better_optimum(geras: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        first = als.cfa(geras, GERAS["model"], start="default", starts=2, seed=4)
        again = als.cfa(geras, GERAS["model"], start="default", starts=2, seed=4)
    pd.testing.assert_frame_equal(first.estimates, again.estimates)
    assert first.fit["chisq"] == pytest.approx(GERAS["simple"]["chisq"], rel=1e-6)


def test_bad_start_options(hs: pd.DataFrame) -> None:
    with pytest.raises(OptionError, match="start must be one of"):
        als.cfa(hs, HS_MODEL, start="fabin")
    with pytest.raises(OptionError, match="starts"):
        als.cfa(hs, HS_MODEL, starts=-1)
    with pytest.raises(OptionError, match="parTable"):
        als.cfa(hs, HS_MODEL, start=pd.DataFrame({"lhs": ["visual"], "value": [1.0]}))
