"""Tests of alliance_scale.psychometrics._factor._pca (principal) against R psych::principal.

Reference values: tests/fixtures/pca_reference.R (psych 2.2.9, GPArotation 2022.10.2) on
psychTools::bfi and lavaan's HolzingerSwineford1939, written to pca_reference.json.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_scale import AllianceScaleWarning, OptionError, PCAResult, principal

TOLERANCE = 1e-6
REFERENCE = json.loads((Path(__file__).parents[1] / "fixtures" / "pca_reference.json")
                       .read_text())


def _matrix(values) -> np.ndarray:
    array = np.array(values, dtype=float)
    return array[:, None] if array.ndim == 1 else array


@pytest.fixture(scope="module")
def holzinger(fixtures_dir) -> pd.DataFrame:
    return pd.read_csv(fixtures_dir / "holzinger.csv", index_col="id")


@pytest.mark.parametrize("data, key", [(d, k) for d in ("bfi", "hs") for k in REFERENCE[d]])
def test_principal_equals_psych(bfi_items, holzinger, data, key):
    ref = REFERENCE[data][key]
    items = bfi_items if data == "bfi" else holzinger
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)  # simplimax stops at 1000
        if key == "matrix":
            fit = principal(items.corr(), ref["n_components"], n_obs=2800)
        else:
            fit = principal(items, ref["n_components"], rotation=ref["rotate"])
    columns = ref["columns"] if isinstance(ref["columns"], list) else [ref["columns"]]
    assert list(fit.loadings.columns) == columns
    assert np.abs(fit.loadings.to_numpy() - _matrix(ref["loadings"])).max() < TOLERANCE
    assert (fit.phi is None) == ("phi" not in ref)
    if fit.phi is not None:
        assert np.abs(fit.phi.to_numpy() - _matrix(ref["phi"])).max() < TOLERANCE
    np.testing.assert_allclose(fit.communalities, ref["communality"], atol=TOLERANCE)
    np.testing.assert_allclose(fit.uniquenesses, ref["uniquenesses"], atol=TOLERANCE)
    np.testing.assert_allclose(fit.complexity, ref["complexity"], atol=1e-5)
    np.testing.assert_allclose(fit.eigenvalues, ref["values"], atol=1e-10)
    np.testing.assert_allclose(fit.variance.to_numpy().ravel(),
                               np.ravel(ref["vaccounted"]), atol=TOLERANCE)
    assert fit.fit["rmsr"] == pytest.approx(ref["rms"], rel=1e-8)
    assert fit.fit["empirical_chi2"] == pytest.approx(ref["chi"], rel=1e-8)
    assert fit.fit["fit"] == pytest.approx(ref["fit"], rel=1e-8)
    assert fit.fit["fit_off"] == pytest.approx(ref["fit_off"], rel=1e-8)
    assert fit.n_obs == ref["n_obs"]


def test_component_scores_equal_psych(holzinger):
    fit = principal(holzinger, 3)
    scores = fit.scores(holzinger).iloc[:10].to_numpy()
    np.testing.assert_allclose(scores, REFERENCE["hs_scores"], atol=1e-10)


def test_components_of_a_known_structure_span_it():
    # two independent blocks of 4 items: two components explain each block
    rng = np.random.default_rng(4)
    factors = rng.standard_normal((5000, 2))
    data = pd.DataFrame(np.repeat(factors, 4, axis=1) + 0.5 * rng.standard_normal((5000, 8)))
    fit = principal(data, 2)
    assert isinstance(fit, PCAResult)
    main = np.abs(fit.loadings.to_numpy()).argmax(axis=1)
    assert len(set(main[:4])) == 1 and len(set(main[4:])) == 1 and main[0] != main[4]
    assert fit.eigenvalues.iloc[:2].sum() / 8 == pytest.approx(
        fit.variance.loc["Cumulative Var"].iloc[-1])


def test_summary_reads_like_psych(holzinger):
    text = str(principal(holzinger, 3).summary(cut=0.3, sort=True))
    assert text.startswith("Principal Components Analysis")
    assert "RC1" in text and "Fit based upon off diagonal values" in text
    assert "e-0" not in text.split("prob")[0]


def test_bad_options_are_refused(holzinger):
    with pytest.raises(OptionError, match="n_components"):
        principal(holzinger, 10)
    with pytest.raises(OptionError, match="rotation"):
        principal(holzinger, 2, rotation="wrong")


def test_summary_numbers_equal_psych_printout(bfi_items, fixtures_dir):
    """print(principal(bfi, 5), cut = .3, sort = TRUE) in psych: every loading cell, h2, u2,
    com, the variance table and the fit lines, to the printed digits."""
    import re

    printed = json.loads((fixtures_dir / "efa_output_reference.json").read_text())
    theirs = printed["principal_print"]
    ours = str(principal(bfi_items, 5).summary(cut=0.3, sort=True)).splitlines()
    number = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")

    def cells(header: str, row: str) -> dict[str, str]:
        ends = {m.end(): m.group() for m in re.finditer(r"\S+", header)}
        return {ends[m.end()]: m.group() for m in re.finditer(r"\S+", row) if m.end() in ends}

    top_theirs = next(i for i, line in enumerate(theirs) if line.lstrip().startswith("item"))
    top_ours = next(i for i, line in enumerate(ours) if line.lstrip().startswith("item"))
    for k in range(1, 26):
        assert ours[top_ours + k].split()[0] == theirs[top_theirs + k].split()[0]
        assert cells(ours[top_ours], ours[top_ours + k]) == cells(theirs[top_theirs],
                                                                  theirs[top_theirs + k])
    rest = [float(t) for line in ours[top_ours + 26:] for t in number.findall(line)]
    assert rest == [float(t) for line in theirs[top_theirs + 26:] for t in number.findall(line)]
