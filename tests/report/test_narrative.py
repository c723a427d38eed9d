"""The summary's narrative and decisions, on constructed criteria and results."""

from __future__ import annotations

import pandas as pd

import alliance_scale as als
from alliance_scale.report._narrative import decisions, narrative

SCALE = als.draft_scale(items_per_facet=2, language="en")


def _criterion(section, name, value, met, reason="", inconclusive=False):
    return als.Criterion(section, name, value, ">= .5", met, "COSMIN", reason, inconclusive)


def test_the_sample_comes_first_and_what_holds_last() -> None:
    criteria = (
        _criterion("Reliability", "alpha of facet A1", 0.8, True),
        _criterion("Sample size", "sample for the CFA (n per free parameter)", 0.7, False,
                   "n = 320 for 436 free parameters: 2,180 needed"),
        _criterion("Confirmatory structure", "fit of the facet model (robust indices)", 0.8,
                   None, "the scaled indices meet the cut-offs, the robust ones do not",
                   inconclusive=True),
    )
    sentences = narrative(criteria, {}, SCALE)
    assert sentences[0].startswith("The sample is too small")
    assert "2,180 needed" in sentences[0]
    assert sentences[-1] == "What holds: every criterion of reliability is met."
    claim = decisions(criteria, {}, SCALE)[-1]
    assert claim.startswith("The sample does not support a confirmatory claim")
    assert "the facet model's fit is inconclusive" in claim and "the CFA could not be" in claim


def test_values_near_a_bound_keep_the_digit_that_decides() -> None:
    retest = type("Retest", (), {})()
    retest.table = pd.DataFrame({"level": ["facet", "facet"], "icc": [0.698, 0.60]},
                                index=["A2", "C1"])
    sentences = narrative((), {"test_retest": retest}, SCALE)
    assert "Test-retest ICC below .70 in 2 facet(s) (A2 .698, C1 .60)." in sentences


def test_a_confirmatory_claim_needs_a_holdout_and_every_criterion() -> None:
    criteria = (_criterion("Sample size", "sample for the CFA", 6.0, True),
                _criterion("Confirmatory structure", "fit of the facet model", 0.97, True))
    results = {"cfa": object()}
    assert "does not support" in decisions(criteria, results, SCALE)[-1]
    assert decisions(criteria, results, SCALE, holdout=True)[-1].startswith(
        "The sample supports a confirmatory claim")
