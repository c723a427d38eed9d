"""The short-form report: sections, escaping, the held-out verdict, the CLI page."""

from __future__ import annotations

import warnings
from dataclasses import replace

import alliance_scale as als
from alliance_scale.report import shortform_report, shortform_section

PILOT = als.load_pilot()
DRAFT = als.draft_scale()


def _scale(*facets: str):
    return replace(DRAFT, items=tuple(i for i in DRAFT.items if i.facet in facets),
                   content_hash="")


def test_section_and_page(tmp_path):
    data = als.simulate(_scale("C1", "C2"), 300, seed=4, loading=0.8,
                        loading_spread=0.0).data
    with warnings.catch_warnings():  # the verdict is tested in tests/design
        warnings.simplefilter("ignore", als.AllianceScaleWarning)
        form = als.shorten(data, _scale("C1", "C2"), per_facet=3, seed=2, lengths=[3, 4])
    section = shortform_section(form)
    captions = [t.caption for t in section.tables]
    assert captions[:3] == ["Chosen items", "Search",
                            "Short and full form on the held-out part"]
    assert any(c.startswith("Best form per length") for c in captions)
    verdict = "holds out" if form.holds_out else "does NOT hold out"
    matches = "matches" if form.matches_full_form else "does NOT match"
    assert any(verdict in p and "Kleka & Soroko 2018" in p and f"{matches} the full form" in p
               and "issue #22's tolerances" in p for p in section.paragraphs)
    assert any(p.startswith("Lineage: version") for p in section.paragraphs)
    path = tmp_path / "short.html"
    page = shortform_report(form, path)
    assert path.read_text(encoding="utf-8") == page
    assert page.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in page
    for item in form.scale.item_ids:
        assert item in page
    assert "(&#x27;" not in page and "('" not in page  # items shown as words, not tuples


def test_text_is_escaped_and_no_holdout_is_said():
    pool = {"<b>x</b>": [i.id for i in DRAFT.items if i.facet == "C1"]}
    form = als.shorten(PILOT, pool, estimator="ML", missing="listwise", holdout=None)
    page = shortform_report(form)
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "not testable (no held-out part" in page
