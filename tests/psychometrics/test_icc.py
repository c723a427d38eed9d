"""icc() against psych::ICC 2.2.9 (tests/fixtures/cfa_gaps_reference.R), simulated truth and
bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import alliance_scale as als
from alliance_scale import AnalysisError, OptionError

_COLUMNS = {"ICC": "icc", "F": "F", "df1": "df1", "df2": "df2", "p": "p",
            "lower": "ci_lower", "upper": "ci_upper"}


@pytest.fixture(scope="module")
def reference(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "cfa_gaps_reference.json").read_text())["icc"]


def _check(result: als.ICCResult, expected: dict, tol: float) -> None:
    assert list(result.table["type"]) == expected["type"]
    for theirs, ours in _COLUMNS.items():
        np.testing.assert_allclose(result.table[ours].to_numpy(float),
                                   np.array(expected[theirs], float), atol=tol, rtol=tol,
                                   err_msg=theirs)


def test_shrout_fleiss_ratings_match_psych(reference) -> None:
    ratings = pd.DataFrame(reference["sf"]["data"])
    _check(als.icc(ratings), reference["sf"]["anova"], 1e-12)  # lmer = FALSE
    _check(als.icc(ratings), reference["sf"]["lmer"], 1e-5)  # psych's default (REML)
    _check(als.icc(ratings, confidence=0.90), reference["sf"]["anova_90"], 1e-12)


def test_bfi_items_match_psych(bfi, reference) -> None:
    positions = np.array(reference["bfi"]["rows"]) - 1  # R's row names of the csv rows
    ratings = bfi.iloc[positions][["A1", "A2", "A3", "A4", "A5"]]
    result = als.icc(ratings)
    _check(result, reference["bfi"]["anova"], 1e-12)
    _check(result, reference["bfi"]["lmer"], 1e-5)
    assert (result.n_obs, result.n_judges) == (len(ratings), 5)


def test_simulated_raters_recover_the_true_icc() -> None:
    """Targets with variance 1, raters with biases of variance .25, error variance 1:
    ICC2 = 1 / (1 + .25 + 1) = .444, ICC3 = 1 / 2 = .5; the intervals hold them."""
    rng = np.random.default_rng(11)
    n, k = 4000, 40
    truth = rng.standard_normal((n, 1))
    bias = rng.normal(0, 0.5, (1, k))
    ratings = truth + bias + rng.standard_normal((n, k))
    table = als.icc(ratings).table.set_index("type")
    assert table.loc["ICC2", "icc"] == pytest.approx(1 / 2.25, abs=0.03)
    assert table.loc["ICC3", "icc"] == pytest.approx(0.5, abs=0.02)
    assert table.loc["ICC3", "ci_lower"] < 0.5 < table.loc["ICC3", "ci_upper"] + 0.02
    # raters that only add noise: ICC near 0 and the k-average does not reach .5
    noise = als.icc(rng.standard_normal((300, 3))).table.set_index("type")
    assert abs(noise.loc["ICC2", "icc"]) < 0.1 and noise.loc["ICC2k", "icc"] < 0.5


def test_bad_ratings_are_refused_with_the_rows() -> None:
    ratings = pd.DataFrame({"r1": [1.0, 2, 3, 4], "r2": [2.0, np.nan, 3, 5]},
                           index=["a", "b", "c", "d"])
    with pytest.raises(AnalysisError, match=r"1 target\(s\) lack a rating \(rows b\)"):
        als.icc(ratings)
    with pytest.raises(AnalysisError, match="the same"):
        als.icc(np.ones((5, 3)))
    with pytest.raises(AnalysisError):
        als.icc(pd.DataFrame({"r1": [1.0, 2.0, 3.0]}))  # one judge
    with pytest.raises(OptionError):
        als.icc(ratings.fillna(1), confidence=1.5)
    assert "ICC2 two-way random" in repr(als.icc(ratings.fillna(1)))
