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
    assert {"fig-scree", "fig-mtmm", "fig-efa_correlations",
            "fig-factor_correlations"} <= set(page.figures)
    # the loadings and the path diagram one figure per dimension: each fits a printed page
    for kind in ("loadings", "path"):
        assert [f for f in page.figures if f.startswith(f"fig-{kind}_")] == [
            f"fig-{kind}_{i}" for i in (1, 2, 3)]
    # one Likert chart per facet, readable in print
    facets = sorted({item.facet for item in als.draft_scale().items})
    assert [f for f in page.figures if f.startswith("fig-likert")] == [
        f"fig-likert_{facet}" for facet in facets]
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
    # validate draws no figure: each is drawn when the report is written (then kept)
    figures = [f for section in again.sections for f in section.figures]
    assert len(figures) >= 10 and all("not drawn yet" in repr(f) for f in figures)
    assert again.to_html() == first.to_html()
    assert not any("not drawn yet" in repr(f) for f in figures)


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


def test_a_scale_is_required(pilot, tmp_path):
    with pytest.raises(OptionError, match="scale must be a Scale"):
        als.validate(pilot, 3)
    # a path is read as a saved scale; a missing one is named
    with pytest.raises(als.ItemBankError, match=r"dta\.yaml"):
        als.validate(pilot, tmp_path / "dta.yaml")


def test_an_analysis_that_cannot_run_is_reported_and_the_rest_runs():
    """40 respondents for 80 items: KMO / Bartlett need n > p, so that section says why."""
    export = als.example_export(als.EXAMPLE_EXPORTS[0])
    report = _quiet_validate(export, als.draft_scale())
    factorability = next(s for s in report.sections if s.key == "factorability")
    assert factorability.paragraphs[0].startswith("Not computed: ") and not factorability.tables
    assert any(note.startswith("Factorability not computed") for note in report.notes)
    assert "reliability" in report.results and "efa" in report.results
    assert report.footer["respondents"] == 40


def test_one_item_per_facet_with_wai_columns_keeps_the_report():
    """Single-item facets have no alpha: the convergent validity runs without correcting
    their correlations (shown as unknown), the CFA that cannot be identified says why."""
    scale = als.draft_scale(items_per_facet=1)
    data = als.simulate(scale, 300, seed=1).to_frame()
    report = _quiet_validate(data, scale)
    convergent = report.results["convergent"].table
    assert convergent["reliability_subscale"].loc["A1"].isna().all()
    assert convergent["reliability_subscale"].loc["A"].notna().all()  # dimension alphas kept
    assert any(c.section == "Convergent validity" for c in report.criteria)
    assert any(note.startswith("Confirmatory structure not computed: ")
               and "not identified" in note for note in report.notes)


def test_a_pool_too_large_for_wlsmv_is_fitted_by_mlr_and_says_so(small, monkeypatch):
    """The memory budget decides: WLSMV's NACOV grows with the fourth power of the items."""
    monkeypatch.setenv("ALLIANCE_SCALE_MEMORY_GB", "0.001")
    scale, data = small
    report = _quiet_validate(data, scale)
    section = next(s for s in report.sections if s.key == "cfa")
    assert "fitted by MLR" in section.paragraphs[0] and "GB" in section.paragraphs[0]
    assert any("would need about" in note for note in report.notes)
    assert report.results["cfa"].estimator == "MLR"


# ---------------------------------------------------------------------- honest verdicts
def _criteria(report) -> pd.DataFrame:
    return report.criteria_table()


def test_the_pilot_s_cfa_fit_is_inconclusive_with_its_reason(report):
    criteria = _criteria(report).set_index("criterion")
    fit = criteria[criteria.index.str.startswith("fit of the facet model")].iloc[0]
    assert fit["verdict"] == "inconclusive"
    assert "robust ones do not" in fit["reason"] and "n = 320 for 80 items" in fit["reason"]
    assert not criteria.index.str.contains("scaled CFI").any()  # no flattering index alone
    table = {t.caption: t.frame for s in report.sections for t in s.tables}
    shown = next(frame for caption, frame in table.items()
                 if caption.startswith("Fit of the facet model"))
    assert {"chisq.scaled", "cfi.scaled", "cfi.robust", "rmsea.robust", "srmr"} <= set(
        shown.index)
    assert shown.loc["rmsea.robust", "ci_lower"] < shown.loc["rmsea.robust", "ci_upper"]
    cfa = next(s for s in report.sections if s.key == "cfa")
    assert any("ML on continuous" in p and "Hu & Bentler" in p for p in cfa.paragraphs)
    assert any(p.startswith("Verdict: inconclusive") for p in cfa.paragraphs)


def test_the_pilot_s_convergent_hypotheses_state_the_rule_and_count_h4_h5_apart(report):
    criteria = _criteria(report).set_index("criterion")
    share = criteria[criteria.index.str.startswith("share of hypotheses")].iloc[0]
    assert "(10 of 12" in share.name and share["value"] == 10 / 12
    assert "H4, H5" in share["reason"]
    section = next(s for s in report.sections if s.key == "convergent")
    assert any(p.startswith("Confirmation rule:") for p in section.paragraphs)
    assert any("H4" in a and "includes the boundary" in a for a in report.advice)


def test_the_summary_opens_with_a_narrative_and_the_decisions(report):
    narrative = " ".join(report.narrative)
    assert "Parallel analysis and MAP suggest 10 factors; the blueprint has 9" in narrative
    assert "facet C1 is not recovered (congruence .49)" in narrative.replace("Facet", "facet")
    assert "AVE below .50 in 5 facet(s)" in narrative
    assert "Test-retest ICC below .70 in 4 facet(s)" in narrative
    assert narrative.index("sample") < narrative.index("Parallel analysis")  # by consequence
    decisions = " ".join(report.decisions)
    assert "Revise or drop" in decisions and "C1_5" in decisions
    assert "Rework facet(s)" in decisions and "C1 (congruence .49" in decisions
    assert "does not support a confirmatory claim" in decisions
    page = report.to_html()
    assert page.index(report.narrative[0][:40]) < page.index("Criteria, their cut-offs")
    assert "<h3>Decisions</h3>" in page
    assert report.summary().splitlines()[1] == report.narrative[0]


def test_item_analysis_table_and_per_item_floor_ceiling(report):
    table = report.results["item_analysis"]
    assert len(table) == 80 and {"mean", "sd", "skew", "floor", "ceiling", "r_drop",
                                 "alpha_if_deleted", "own_loading", "cross_loading",
                                 "flags"} <= set(table.columns)
    items = report.results["reliability"].items
    row = items[(items["level"] == "facet") & (items["item"] == "C1_5")].iloc[0]
    assert table.loc["C1_5", "r_drop"] == row["r_drop"]
    assert "own-facet loading < .40" in table.loc["C1_5", "flags"]
    criteria = _criteria(report)
    per_item = criteria[criteria["section"] == "Items"]
    assert len(per_item) == 2 and (per_item["verdict"] == "not met").all()
    assert per_item["value"].max() == table[["floor", "ceiling"]].max().max() or \
        per_item["value"].max() > 0.15
    assert "item_analysis" in [s.key for s in report.sections]


def test_second_order_model_beside_the_facet_model(report):
    second = report.results["cfa_second_order"]
    facet = report.results["cfa"]
    assert second.fit["df"] > facet.fit["df"]
    difference = report.results["cfa_difference"]
    assert difference["df_diff"] == second.fit["df"] - facet.fit["df"]
    assert 0 <= difference["pvalue_diff"] <= 1
    section = next(s for s in report.sections if s.key == "second_order")
    assert "lavTestLRT" in section.paragraphs[0]


def test_notes_say_what_sparse_tables_mean_without_developer_commentary(report):
    import warnings

    from alliance_scale.report._validate import _warning_notes

    notes = " ".join(report.notes)
    assert "lavaan computes the same" not in notes
    # on the pilot no empty cell reaches the expected-count threshold: no sparse-table note;
    # when one does, the note says what it means for the verdicts, with the count only
    assert "Sparse tables" not in notes
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn(als.EmptyCellWarning(
            "3 of 3160 item pair(s) have an empty cell where the polychoric model expects 10 "
            "or more answers (...): computed as lavaan"), stacklevel=1)
    (note,) = _warning_notes(caught)
    assert note.startswith("Sparse tables: 3 of 3160 item pairs have an empty cell")
    assert "fit verdicts" in note and "lavaan" not in note


def test_a_misspelled_criterion_column_is_not_testable_with_the_near_miss(small):
    scale, data = small
    renamed = data.rename(columns={"wai_goal": "wai_gaol"})
    report = _quiet_validate(renamed, scale)
    criteria = _criteria(report)
    convergent = criteria[criteria["section"] == "Convergent validity"]
    assert list(convergent["verdict"]) == ["not testable"]
    assert "'wai_goal'" in convergent["reason"].iloc[0]
    assert "did you mean 'wai_gaol'?" in convergent["reason"].iloc[0]
    assert "not testable" in report.summary().splitlines()[0]
    assert "convergent" in [s.key for s in report.sections]
    with pytest.raises(OptionError, match="did you mean 'wai_gaol'"):
        als.validate(renamed, scale, criterion=["wai_goal", "wai_task", "wai_bond"])


def test_three_respondents_make_the_analyses_not_testable_criteria(small):
    scale, data = small
    report = _quiet_validate(data.iloc[:3], scale)
    criteria = _criteria(report)
    untestable = criteria[criteria["verdict"] == "not testable"]
    for section in ("Reliability", "Factor structure", "Confirmatory structure"):
        assert section in set(untestable["section"]), section
    assert (untestable["reason"] != "").all()
    first = report.summary().splitlines()[0]
    assert f"{len(untestable)} not testable" in first and len(untestable) >= 3
    assert any("could not be tested" in n for n in report.narrative)


def test_fewer_respondents_than_items_get_sample_criteria_and_no_verdicts(small):
    """18 items, 15 respondents: the sample-size criteria fail and the factor analyses are
    not testable (a singular correlation matrix), never judged."""
    scale, data = small
    report = _quiet_validate(data.iloc[:15], scale)
    criteria = _criteria(report)
    sample = criteria[criteria["section"] == "Sample size"]
    assert "sample for the factor analyses (n per item; n >= 5 x items and >= 100)" in set(
        sample["criterion"])
    assert (sample["verdict"] != "met").all()
    judged = criteria[criteria["section"].isin(["Factor structure", "Confirmatory structure",
                                                "Number of factors"])]
    assert len(judged) and (judged["verdict"] == "not testable").all()
    assert any("too small" in n for n in report.narrative)


def test_a_sample_below_five_per_item_is_judged_but_flagged(small):
    scale, data = small
    report = _quiet_validate(data.iloc[:60], scale)  # 60 for 18 items: n > p, < 5p
    sample = _criteria(report).set_index("criterion")
    efa_sample = sample.loc["sample for the factor analyses (n per item; n >= 5 x items and "
                            ">= 100)"]
    assert efa_sample["verdict"] == "not met" and efa_sample["value"] == 60 / 18
    congruences = sample[sample.index.str.startswith("congruence of")]
    assert len(congruences) and congruences["verdict"].isin(["met", "not met"]).all()
    assert any("does not support a confirmatory claim" in d for d in report.decisions)


def test_measurement_invariance_by_group_and_by_language(small):
    scale = small[0]
    data = als.simulate(scale, 400, seed=5, category_proportions=[.15, .2, .3, .2, .15]).data
    data = data.assign(site=np.where(data.index % 2 == 0, "north", "south"),
                       language=np.where(data.index % 3 == 0, "fr", "en"))
    report = _quiet_validate(data, scale, groups="site")
    keys = [s.key for s in report.sections]
    assert "invariance" in keys and "invariance_language" in keys
    result = report.results["invariance"]
    assert result.levels == ("configural", "thresholds", "metric", "scalar")
    criteria = _criteria(report)
    invariance = criteria[criteria["section"] == "Measurement invariance"]
    assert len(invariance) == 6 and invariance["source"].eq("Chen 2007").all()
    assert invariance["verdict"].isin(["met", "not met"]).all()
    table = result.table
    for level in result.levels[1:]:  # the criterion's value is the change in CFI
        assert level in " ".join(invariance["criterion"])
        assert table.loc[level, "cfi_diff"] in set(invariance["value"])


def test_invariance_that_cannot_run_is_not_testable_with_its_reason(small):
    """120 respondents per group: a category unused in one group; said, not hidden."""
    scale, data = small
    data = data.assign(site=np.where(data.index % 2 == 0, "north", "south"))
    report = _quiet_validate(data, scale, groups="site")
    criteria = _criteria(report)
    invariance = criteria[criteria["section"] == "Measurement invariance"]
    assert list(invariance["verdict"]) == ["not testable"]
    assert "categories" in invariance["reason"].iloc[0]


def test_empty_cell_warnings_become_one_note_without_library_commentary():
    from alliance_scale.report._validate import _warning_notes

    messages = [
        "3010 of 3160 item pair(s) have empty cells in their contingency table ('a' x 'b'): "
        "their polychoric correlations and sampling covariances rest on sparse tables "
        "(lavaan computes the same, without a warning)",
        "12 of 3160 item pair(s) have an empty cell where the polychoric model expects 5 or "
        "more answers ('a' x 'b' (6.1 expected)): ... (harmless: computed as lavaan). The "
        "threshold is empty_cell_expected",
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for message in messages:
            warnings.warn(message, als.EmptyCellWarning, stacklevel=1)
    notes = _warning_notes(caught)
    assert notes[0].startswith("Sparse tables: 12 of 3160 item pairs have an empty cell "
                               "where the polychoric model expects answers.")
    assert notes[1].startswith("Sparse tables: 3010 of 3160 item pairs have an empty cell in "
                               "their contingency table.")
    assert not any("lavaan" in note or "empty_cell_expected" in note for note in notes)
