"""validate()'s IRT section (report/_validate.py, ``irt=True``): its criteria state rule and
source and are met on simulated truth and not met with planted faults; when IRT cannot run
the criteria are "not testable" with the reason; the option reaches the rerun line."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import alliance_scale as als
from alliance_scale.errors import AnalysisError
from alliance_scale.report import _validate
from alliance_scale.report._validate import _irt, _rerun, _Run

pytestmark = pytest.mark.filterwarnings("ignore:categories chosen by fewer")


@pytest.fixture(scope="module")
def scale():
    return als.draft_scale(items_per_facet=4, language="en")


@pytest.fixture(scope="module")
def simulation(scale):
    return als.simulate(scale, 600, seed=7)


def _section(run: _Run):
    criteria = [c for c in run.criteria if c.section == "Item response theory"]
    return {c.name.split(" (")[0]: c for c in criteria}, criteria


def test_true_model_has_no_flagged_item(scale, simulation):
    run = _Run()
    _irt(run, simulation.data, scale)
    named, criteria = _section(run)
    assert len(criteria) == 9 + 2  # a reliability per facet, discrimination, fit
    sample = [c for c in run.criteria if c.section == "Sample size"]
    assert [(c.value, c.rule, c.verdict, c.source) for c in sample] == [
        (600.0, ">= 500", "met", "Reise & Yu 1990")]
    # the true graded-like model: no item flagged (reliability depends on the simulated
    # loadings of three-item facets: judged by its rule)
    assert named["items with low discrimination"].verdict == "met"
    assert named["items misfitting their facet's model"].verdict == "met"
    for c in criteria[:9]:
        assert c.rule == ">= .70" and c.verdict == ("met" if c.value >= 0.70 else "not met")
    assert named["items with low discrimination"].source == "Baker 2001"
    assert named["items misfitting their facet's model"].rule == "= 0"
    assert named["items misfitting their facet's model"].source == "Orlando & Thissen 2000"
    section = run.sections[-1]
    assert section.key == "irt" and len(section.figures) == 1
    assert "<svg" in section.figures[0].svg and "A1" in section.figures[0].svg
    assert run.results["irt_items"].shape[0] == 36
    # every number of the section is the library's
    fit = run.results["irt"]
    value = named["IRT marginal reliability of facet A1"].value
    assert value == fit.fits["A1"].marginal_reliability()


def test_planted_faults_are_not_met(scale, simulation):
    data = simulation.data.copy()
    facets = scale.to_frame()["facet"]
    noise, u_shaped = facets.index[facets == "A2"][0], facets.index[facets == "C3"][0]
    rng = np.random.default_rng(1)
    data[noise] = rng.integers(1, 6, len(data))
    z = simulation.truth.factor_scores["C3"].to_numpy()
    data[u_shaped] = np.clip(np.round(1 + 4 * np.abs(z) / 2.2 + rng.normal(0, 0.5, len(z))),
                             1, 5)
    run = _Run()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _irt(run, data, scale)
    named, _ = _section(run)
    low = named["items with low discrimination"]
    assert low.verdict == "not met" and noise in low.reason
    misfit = named["items misfitting their facet's model"]
    assert misfit.verdict == "not met" and u_shaped in misfit.reason
    assert any(a.startswith(f"{noise}: IRT slope") for a in run.advice)
    assert any(a.startswith(f"{u_shaped}: S-X2") for a in run.advice)


def test_irt_is_opt_in_and_in_the_rerun_line(scale):
    rerun = _rerun(None, scale, scale, criterion=None, groups=None, retest=None, holdout=None,
                   ordinal="auto", source="auto", seed=0, irt=True)
    assert "irt=True" in rerun["python"]
    off = _rerun(None, scale, scale, criterion=None, groups=None, retest=None, holdout=None,
                 ordinal="auto", source="auto", seed=0)
    assert "irt=True" not in off["python"]


@pytest.mark.slow
def test_validate_when_irt_cannot_run(monkeypatch):
    """The step's wiring inside validate (its content is tested on the step above): an
    AnalysisError leaves a "not testable" criterion with the reason, a "Not computed"
    section, and the rest of the report; the rerun line keeps irt=True."""
    scale = als.draft_scale(items_per_facet=1, language="en")
    data = als.simulate(scale, 200, seed=3).data

    def refuse(*args, **kwargs):
        raise AnalysisError("no facet has two items")

    monkeypatch.setattr("alliance_scale.validity._irt.blueprint_irt", refuse)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = als.validate(data, scale, progress=False, irt=True)
    untested = [c for c in report.criteria if c.section == "Item response theory"]
    assert [c.verdict for c in untested] == ["not testable"]
    assert "no facet has two items" in untested[0].reason
    assert _validate._UNTESTED["item response theory"][2] == untested[0].source
    section = next(s for s in report.sections if s.key == "irt")
    assert "Not computed" in section.paragraphs[0]
    assert "reliability" in [s.key for s in report.sections]  # the rest ran
    assert "irt=True" in report.footer["rerun"]["python"]
