"""validate() and its report: every section, the library's numbers, privacy, escaping."""

from __future__ import annotations

import json
import re
import warnings
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import alliance_scale as als
from alliance_scale import OptionError

#: Whole validations / notebooks / fuzzing: deselected by -m "not slow" (daily work).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pilot() -> pd.DataFrame:
    return als.load_pilot()


@pytest.fixture(scope="module")
def scale() -> als.Scale:
    return als.draft_scale()


@pytest.fixture(scope="module")
def report(pilot, scale) -> als.ValidationReport:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return als.validate(pilot, scale, retest=als.load_pilot(retest=True), progress=False)


class _Page(HTMLParser):
    """Collects the section ids, figures, external references and text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.sections, self.figures, self.external, self.text = [], [], [], []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "section":
            self.sections.append(attributes.get("id"))
        if tag == "figure":
            self.figures.append(attributes.get("id"))
        if tag == "script":
            self.scripts += 1
        for name in ("src", "href", "xlink:href"):
            value = attributes.get(name) or ""
            if re.match(r"^(https?:)?//", value):
                self.external.append(value)

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def test_every_section_and_figure_is_in_the_page(report):
    page = _parse(report.to_html())
    expected = ["summary", "fielding", "items", "careless", "reliability", "factorability",
                "n_factors", "efa", "cfa", "discriminant", "convergent", "retest"]
    assert [s for s in page.sections if s in expected] == expected
    assert {"fig-likert", "fig-scree", "fig-loadings", "fig-mtmm", "fig-path"} <= set(
        page.figures)
    assert page.scripts == 0


def test_the_page_loads_nothing_from_the_network(report):
    page = report.to_html()
    assert _parse(page).external == []
    assert "@import" not in page and "url(" not in page.replace("url(#", "")


def test_the_page_holds_no_respondent_s_answers(pilot, scale, report):
    """No row of answers appears, in any of the three renderings."""
    renderings = [report.to_html(), report.to_markdown(), report.to_json()]
    for respondent in pilot.index[:40]:
        row = pilot.loc[respondent, scale.item_ids].to_numpy()
        pattern = ",".join(f"{v:g}" for v in row[:12] if np.isfinite(v))
        spaced = " ".join(f"{v:g}" for v in row[:12] if np.isfinite(v))
        for text in renderings:
            assert pattern not in text and spaced not in text
    # no per-respondent table either: the largest table has one row per item or subscale
    longest = max(len(t.frame) for s in report.sections for t in s.tables)
    assert longest < len(pilot)


def test_report_numbers_are_the_library_s_numbers(pilot, scale, report):
    reliability = als.reliability(pilot, scale)
    pd.testing.assert_frame_equal(report.results["reliability"].table, reliability.table)
    table = {t.caption: t.frame for s in report.sections for t in s.tables}
    shown = table["Reliability per subscale (Pearson; Feldt 95% CI)"]
    pd.testing.assert_frame_equal(shown, reliability.table)
    ordinal = als.reliability(pilot, scale, cor="polychoric")
    # validate() runs on one BLAS thread; a direct call may use several, and some BLAS
    # builds (numpy 1.26's OpenBLAS) then sum in another order: equal to 1e-13, not to the bit
    pd.testing.assert_frame_equal(report.results["reliability_ordinal"].table, ordinal.table,
                                  check_exact=False, rtol=1e-13, atol=1e-13)
    kmo = als.kmo(pilot[scale.item_ids], cor="polychoric")
    criteria = report.criteria_table().set_index("criterion")
    assert criteria.filter(like="KMO", axis=0)["value"].iloc[0] == kmo.overall
    bartlett = als.bartlett(pilot[scale.item_ids], cor="polychoric")
    assert report.results["bartlett"].chi2 == bartlett.chi2
    velicer = als.map_test(pilot[scale.item_ids], cor="polychoric", max_factors=20)
    pd.testing.assert_frame_equal(report.results["map"].to_frame(), velicer.to_frame(),
                                  check_exact=False, rtol=1e-13, atol=1e-13)  # BLAS threads
    alpha_a1 = criteria.loc["alpha of facet A1", "value"]
    assert alpha_a1 == reliability.table.loc["A1", "alpha"]
    solution = als.efa(pilot[scale.item_ids], 9, cor="polychoric")
    pd.testing.assert_frame_equal(report.results["efa"].loadings, solution.loadings)
    retest = als.test_retest(pilot, als.load_pilot(retest=True), scale, id_column=False)
    pd.testing.assert_frame_equal(report.results["test_retest"].table, retest.table)
    convergent = als.convergent_validity(als.score(pilot, scale),
                                         pilot[["wai_goal", "wai_task", "wai_bond"]],
                                         reliabilities=reliability.table["alpha"])
    pd.testing.assert_frame_equal(report.results["convergent"].table, convergent.table)
    shown = table["Pre-registered hypotheses and their verdicts"]
    pd.testing.assert_frame_equal(shown, convergent.hypotheses)
    cfa = als.blueprint_cfa(pilot, scale, missing="pairwise")
    pd.testing.assert_frame_equal(report.results["cfa"].estimates, cfa.estimates)
    pd.testing.assert_frame_equal(report.results["cfa"].reliability, cfa.reliability)
    assert report.results["cfa"].fit["cfi_scaled"] == cfa.fit["cfi_scaled"]
    ratios = als.htmt(pilot, scale, level="dimension")
    pd.testing.assert_frame_equal(report.results["htmt"].pairs, ratios.pairs)


def test_a_holdout_splits_the_efa_from_the_cfa(small, small_report):
    scale, data = small
    report = _quiet_validate(data, scale, holdout=0.5, seed=4)
    explore, confirm = als.split_sample(data, frac=0.5, seed=4)
    assert report.results["cfa"].n_obs <= len(confirm)
    assert report.results["efa"].n_obs == len(explore)
    assert any("held out for the CFA" in note for note in report.notes)
    alone = small_report  # no holdout
    assert any("same respondents as the EFA" in note for note in alone.notes)


def test_known_groups_join_when_a_grouping_is_given(small):
    scale, data = small
    data = data.assign(program=np.where(data.index % 2 == 0, "guided", "automated"))
    report = _quiet_validate(data, scale, groups="program")
    assert "known_groups" in [s.key for s in report.sections]
    assert report.results["known_groups"].groups == ("automated", "guided")


def test_numbers_in_the_page_are_the_table_s_numbers_in_fixed_point(report):
    page = report.to_html()
    alpha = report.results["reliability"].table.loc["total", "alpha"]
    assert f"{alpha:.3f}" in page
    text = " ".join(_parse(page).text)
    assert re.search(r"\d\.\d+e[+-]\d", text) is None  # no scientific notation


def test_json_is_valid_and_carries_the_criteria(report):
    data = json.loads(report.to_json())
    assert len(data["criteria"]) == len(report.criteria)
    assert data["footer"]["seed"] == 0
    assert data["footer"]["scale_sha256"] == als.draft_scale().content_hash
    assert {"title", "sections", "advice", "notes"} <= set(data)


@pytest.fixture(scope="module")
def small():
    """A short form (2 items per facet) and 240 simulated respondents: quick reports."""
    scale = als.draft_scale(items_per_facet=2, language="en")
    return scale, als.simulate(scale, 240, seed=5).data


@pytest.fixture(scope="module")
def small_report(small) -> als.ValidationReport:
    """The short form's report with seed 3 and no holdout (shared by two tests)."""
    scale, data = small
    return _quiet_validate(data, scale, seed=3)


def _quiet_validate(*args, **kwargs) -> als.ValidationReport:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return als.validate(*args, progress=False, **kwargs)


def test_the_same_seed_gives_the_same_report(small, small_report):
    scale, data = small
    first, again = small_report, _quiet_validate(data, scale, seed=3)
    assert again.to_json() == first.to_json()
    assert again.to_html() == first.to_html()


def test_texts_are_escaped(small):
    scale, data = small
    hostile = als.Scale(
        name="<script>alert(1)</script>", version=scale.version, language=scale.language,
        program=scale.program, items=scale.items, response_format=scale.response_format,
        omitted_facets=scale.omitted_facets,
    )
    page = _quiet_validate(data, hostile).to_html()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_files_are_written_in_each_format(report, tmp_path):
    for name in ("r.html", "r.md", "r.json"):
        path = report.save(tmp_path / name)
        assert path.read_text(encoding="utf-8").strip()
    assert (tmp_path / "r_figures" / "scree.svg").exists()
    with pytest.raises(OptionError, match="format"):
        report.save(tmp_path / "r.pdf", format="pdf")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [({"holdout": 1.5}, "holdout"), ({"seed": -1}, "seed"), ({"ordinal": "yes"}, "ordinal"),
     ({"criterion": ["nope"]}, "criterion"), ({"groups": "nope"}, "groups"),
     ({"progress": "no"}, "progress")],
)
def test_bad_arguments_are_named(pilot, scale, kwargs, words):
    with pytest.raises(OptionError, match=words):
        als.validate(pilot, scale, **kwargs)


def test_a_scale_is_required(pilot):
    with pytest.raises(OptionError, match="scale must be a Scale"):
        als.validate(pilot, "dta.yaml")


def test_an_analysis_that_cannot_run_is_reported_and_the_rest_runs():
    """40 respondents for 80 items: KMO / Bartlett need n > p, so that section says why."""
    export = als.example_export(als.EXAMPLE_EXPORTS[0])
    report = _quiet_validate(export, als.draft_scale())
    factorability = next(s for s in report.sections if s.key == "factorability")
    assert factorability.paragraphs[0].startswith("Not computed: ") and not factorability.tables
    assert any(note.startswith("Factorability not computed") for note in report.notes)
    assert "reliability" in report.results and "efa" in report.results
    assert report.footer["respondents"] == 40
