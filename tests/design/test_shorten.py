"""shorten(): stuart's brute-force example to 1e-6, constraints, search, holdout, bad input."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_scale as als
from alliance_scale.design import ShortForm, shorten, stuart_objective
from alliance_scale.errors import AnalysisError, OptionError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REF = json.loads((FIXTURES / "stuart_reference.json").read_text())
FAIRPLAYER = pd.read_csv(FIXTURES / "fairplayer_ra.csv")
RA = REF["items"]


@pytest.fixture(scope="module")
def stuart_run() -> ShortForm:
    return shorten(FAIRPLAYER, {"RA": RA}, per_facet=3, estimator="ML", missing="ml",
                   holdout=None)


def _row(form: ShortForm, items) -> pd.Series:
    c = form.candidates
    return c[c["items"] == tuple(items)].iloc[0]


def test_stuart_log_crel_and_objective(stuart_run):
    """Every subset in combn order: crel and objective as lavaan + stuart's formula."""
    assert len(stuart_run.candidates) == 10
    for ref in REF["subsets"]:
        row = _row(stuart_run, ref["items"])
        assert row["crel"] == pytest.approx(ref["crel"], abs=1e-6)
        assert row["objective"] == pytest.approx(ref["objective"], abs=1e-6)
        assert row["chisq"] == pytest.approx(ref["chisq"], abs=1e-6)
        assert row["df"] == ref["df"]


def test_stuart_inadmissible_with_reason(stuart_run):
    for ref in REF["subsets"]:
        row = _row(stuart_run, ref["items"])
        assert bool(row["admissible"]) is ref["admissible"]
        if not ref["admissible"]:
            # lavaan: "some estimated ov variances are negative"
            assert "some estimated ov variances are negative" in ref["reason"]
            assert "some estimated ov variances are negative" in row["reason"]
    assert (~stuart_run.candidates["admissible"]).sum() == 2
    assert stuart_run.search.loc["RA", "inadmissible"] == 2


def test_stuart_winner(stuart_run):
    assert list(stuart_run.items["RA"]) == REF["winner"] == ["sRA02t1", "sRA04t1", "sRA05t1"]


def test_issue_log_values(stuart_run):
    """The crel log printed in issue #22 (stuart's own output)."""
    issue = [0.7917421, 0.8165856, None, 0.6400738, 0.4916680, None, 0.7924608, 0.7559533,
             0.8315434, 0.7556883]
    for items, value in zip(combinations(RA, 3), issue, strict=True):
        row = _row(stuart_run, items)
        if value is None:
            assert not row["admissible"]
        else:
            assert row["crel"] == pytest.approx(value, abs=1e-6)


def test_stuart_objective_formula():
    from statistics import NormalDist
    n = NormalDist()
    for crel, rmsea, srmr in [(0.7, 0.03, 0.04), (0.9, 0.08, 0.02)]:
        expected = (n.cdf((crel - .8) / .075) + 1 - n.cdf((rmsea - .05) / .015)
                    + 1 - n.cdf((srmr - .05) / .015))
        assert stuart_objective(crel, rmsea, srmr) == pytest.approx(expected, abs=1e-12)
