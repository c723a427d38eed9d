"""Criteria: verdicts, reasons, and what an undecidable rule says."""

from __future__ import annotations

import math

import alliance_scale as als
from alliance_scale.report._criteria import SOURCES, criteria_frame


def test_verdicts_and_reasons() -> None:
    met = als.Criterion.at_least("Reliability", "alpha of A1", 0.8, 0.7, "COSMIN")
    missed = als.Criterion.at_most("Scores", "ceiling of A", 0.2, 0.15, "Terwee 2007")
    untested = als.Criterion.not_testable("Reliability", "alpha of A2", "3 respondents",
                                          "COSMIN", ">= .70")
    unsure = als.Criterion("Confirmatory structure", "fit", 0.97, "all cut-offs", None,
                           "Hu & Bentler 1999", "scaled and robust disagree", True)
    assert [c.verdict for c in (met, missed, untested, unsure)] == [
        "met", "not met", "not testable", "inconclusive"]
    assert math.isnan(untested.value) and untested.met is None and untested.rule == ">= .70"
    frame = criteria_frame([met, untested, unsure])
    assert list(frame.columns) == ["section", "criterion", "value", "rule", "verdict",
                                   "source", "reason"]
    assert list(frame["reason"]) == ["", "3 respondents", "scaled and robust disagree"]


def test_summary_counts_every_verdict() -> None:
    criteria = (als.Criterion.at_least("R", "a", 0.8, 0.7, "COSMIN"),
                als.Criterion.not_testable("R", "b", "why", "COSMIN"),
                als.Criterion("C", "fit", 0.9, "rule", None, "Hu & Bentler 1999", "why",
                              True))
    report = als.ValidationReport(title="T", sections=(), criteria=criteria, advice=(),
                                  notes=(), narrative=("First.",), decisions=("Do.",))
    lines = report.summary().splitlines()
    assert lines[0] == "T: 1 of 3 criteria met, 0 not met, 1 inconclusive, 1 not testable."
    assert lines[1] == "First." and "- Do." in lines
    assert any(line.startswith("- [not testable] R: b") and line.endswith("- why")
               for line in lines)


def test_the_new_sources_are_listed() -> None:
    for key in ("Savalei 2021", "Xia & Yang 2019", "Kline 2016", "Mokkink 2018",
                "Bentler & Chou 1987", "Cochran 1954", "Chen 2007"):
        assert key in SOURCES
