"""Exports: Markdown, printable HTML, REDCap, LimeSurvey and Qualtrics files."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_scale import (
    ItemBankError,
    Scale,
    ScaleItem,
    agreement_format,
    draft_scale,
    read_qualtrics_txt,
    redcap_dictionary,
)
from alliance_scale.errors import OptionError
from alliance_scale.instrument._exports import render, to_qualtrics

# The 18 REDCap data dictionary columns, copied from REDCap's template (in order).
REDCAP_HEADER = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min",
    "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)",
    "Matrix Group Name", "Matrix Ranking?", "Field Annotation",
]

NASTY_EN = 'I clicked <script>alert("x")</script> & "quit" | then left'
NASTY_FR = "J'ai cliqué <b>ici</b> & c'était « bien »"


def hand_scale(n_items: int = 20, points: int = 5, language: str = "en") -> Scale:
    """A scale built from the dataclasses: item 1 has markup and pipes in its texts."""
    items = []
    for k in range(n_items):
        facet = ("A1", "B1", "C1")[k % 3]
        item_id = f"{facet}_{k + 1}"
        text_en, text_fr = (NASTY_EN, NASTY_FR) if k == 0 else (f"Statement {k + 1}",
                                                                 f"Énoncé {k + 1}")
        items.append(ScaleItem(item_id, facet, facet, facet[0], text_fr, text_en,
                               -1 if k % 7 == 3 else 1, "both"))
    return Scale(name="Test <scale>", version="0.1", language=language, program="guided",
                 items=tuple(items), response_format=agreement_format(points),
                 content_hash="ab" * 32)


# --------------------------------------------------------------------------- Markdown
def test_markdown_lists_every_item_with_its_id_and_escapes_pipes() -> None:
    scale = hand_scale()
    text = scale.to_markdown()
    assert text.startswith("# Test \\<scale\\>")
    rows = [line for line in text.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) == len(scale.items)
    for n, (row, item) in enumerate(zip(rows, scale.items, strict=True), 1):
        assert row.startswith(f"| {n} |") and row.endswith(f"| `{item.id}` |")
        # exactly four unescaped cell separators per row
        assert len(re.findall(r"(?<!\\)\|", row)) == 4
    assert "\\| then left" in rows[0]
    assert "Strongly agree" in text and "-A1_4" in text
    assert "Énoncé 2" in scale.to_markdown("fr") and "Tout à fait d'accord" in scale.to_markdown(
        "fr")


def test_markdown_language_is_checked() -> None:
    with pytest.raises(OptionError, match="language"):
        hand_scale().to_markdown("de")


# --------------------------------------------------------------------------- HTML
def test_html_is_a_standalone_page_with_every_text_escaped() -> None:
    scale = hand_scale(points=7)
    page = scale.to_html()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert '<meta charset="utf-8">' in page and '<html lang="en">' in page
    assert "<script>" not in page and "<scale>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quit&quot;" in page
    assert page.count("<tr>") == len(scale.items) + 1
    assert page.count('class="anchor"') == 7
    french = scale.to_html("fr")
    assert "&lt;b&gt;ici&lt;/b&gt;" in french and '<html lang="fr">' in french


# --------------------------------------------------------------------------- REDCap
def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_redcap_dictionary(tmp_path: Path) -> None:
    scale = hand_scale()
    rows = _read_csv(scale.to_redcap(tmp_path / "dictionary.csv"))
    assert rows[0] == REDCAP_HEADER
    body = [dict(zip(REDCAP_HEADER, row, strict=True)) for row in rows[1:]]
    assert len(body) == len(scale.items) + 1
    assert body[0]["Variable / Field Name"] == "record_id"
    assert body[0]["Field Type"] == "text"
    items = body[1:]
    assert [r["Variable / Field Name"] for r in items] == [i.lower() for i in scale.item_ids]
    assert {r["Field Type"] for r in items} == {"radio"}
    assert {r["Choices, Calculations, OR Slider Labels"] for r in items} == {
        "1, Strongly disagree | 2, Disagree | 3, Neither agree nor disagree | 4, Agree | "
        "5, Strongly agree"
    }
    groups = {r["Matrix Group Name"] for r in items}
    assert len(groups) == 1 and groups != {""}
    assert {r["Form Name"] for r in body} == {body[0]["Form Name"]}
    assert items[0]["Section Header"] and not any(r["Section Header"] for r in items[1:])
    assert items[0]["Field Label"] == NASTY_EN


def test_redcap_in_french_and_bad_names() -> None:
    frame = redcap_dictionary(hand_scale(points=4), "fr")
    assert frame.loc[1, "Choices, Calculations, OR Slider Labels"].startswith(
        "1, Pas du tout d'accord | 2, ")
    with pytest.raises(ItemBankError, match="form_name"):
        redcap_dictionary(hand_scale(), form_name="My Form")


# --------------------------------------------------------------------------- LimeSurvey
def test_limesurvey_structure(tmp_path: Path) -> None:
    scale = hand_scale(points=6)
    path = scale.to_limesurvey(tmp_path / "survey.txt")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    header = raw.decode("utf-8-sig").splitlines()[0].split("\t")
    assert header[:9] == ["id", "related_id", "class", "type/scale", "name", "relevance",
                          "text", "help", "language"]
    assert {r["class"] for r in rows} == {"S", "SL", "G", "Q", "SQ", "A"}
    settings = {r["name"]: r["text"] for r in rows if r["class"] == "S"}
    assert settings["language"] == "en" and settings["additional_languages"] == "fr"
    for language in ("en", "fr"):
        questions = [r for r in rows if r["class"] == "Q" and r["language"] == language]
        assert len(questions) == 1 and questions[0]["type/scale"] == "F"
        sub = [r for r in rows if r["class"] == "SQ" and r["language"] == language]
        assert [r["name"] for r in sub] == [i.replace("_", "") for i in scale.item_ids]
        answers = [r for r in rows if r["class"] == "A" and r["language"] == language]
        assert [r["name"] for r in answers] == ["1", "2", "3", "4", "5", "6"]
    first_en = next(r for r in rows if r["class"] == "SQ" and r["language"] == "en")
    assert "<script>" not in first_en["text"] and "&lt;script&gt;" in first_en["text"]
    first_fr = next(r for r in rows if r["class"] == "A" and r["language"] == "fr")
    assert first_fr["text"] == "Pas du tout d'accord"


# --------------------------------------------------------------------------- Qualtrics
@pytest.mark.parametrize("language", ["en", "fr"])
def test_qualtrics_parses_back_to_the_same_items(tmp_path: Path, language: str) -> None:
    scale = hand_scale(n_items=20, points=5)
    path = scale.to_qualtrics(tmp_path / "survey.txt", language)
    lines = path.read_text("utf-8").splitlines()
    assert lines[0] == "[[AdvancedFormat]]"
    assert lines.count("[[Question:MC:SingleAnswer:Horizontal]]") == 20
    questions = read_qualtrics_txt(path)
    items = questions[questions["type"] == "MC:SingleAnswer:Horizontal"]
    assert list(items.index) == scale.item_ids
    assert list(items["text"]) == [i.text(language) for i in scale.items]
    assert set(items["choices"]) == {scale.response_format.labels(language)}
    # a page break every 8 items: items 1-8 on page 1, 9-16 on page 2, 17-20 on page 3
    assert list(items["page"]) == [1] * 8 + [2] * 8 + [3] * 4
    assert lines.count("[[PageBreak]]") == 2


def test_qualtrics_reader_refuses_other_files(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("[[Question:MC]]\nHello\n", encoding="utf-8")
    with pytest.raises(ItemBankError, match="AdvancedFormat"):
        read_qualtrics_txt(path)


def test_bundled_scale_exports_round_trip(tmp_path: Path) -> None:
    scale = draft_scale(items_per_facet=3, language="fr")
    items = read_qualtrics_txt(scale.to_qualtrics(tmp_path / "q.txt"))
    items = items[items["type"].str.startswith("MC")]
    assert list(items.index) == scale.item_ids
    assert list(items["text"]) == [i.text_fr for i in scale.items]
    assert len(_read_csv(scale.to_redcap(tmp_path / "r.csv"))) == len(scale.items) + 2


def test_render_refuses_an_unknown_format() -> None:
    with pytest.raises(OptionError, match="format"):
        render(hand_scale(), "spss")


@settings(max_examples=25, deadline=None)
@given(text=st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)
       .filter(lambda t: "[[" not in t and t.strip()))
def test_any_item_text_survives_qualtrics(tmp_path_factory, text: str) -> None:
    base = hand_scale(n_items=3)
    first = base.items[0]
    items = (ScaleItem(first.id, first.theme, first.facet, first.dimension, text, text,
                       first.keyed, first.applies_to), *base.items[1:])
    scale = Scale(base.name, base.version, "en", "guided", items, base.response_format)
    path = scale.to_qualtrics(tmp_path_factory.mktemp("q") / "q.txt")
    parsed = read_qualtrics_txt(path).loc[first.id, "text"]
    assert parsed == " ".join(text.split())


def test_qualtrics_page_size_must_be_a_positive_integer(tmp_path: Path) -> None:
    for page_size in (0, 2.0, True):
        with pytest.raises(OptionError, match="page_size"):
            to_qualtrics(hand_scale(), tmp_path / "q.txt", page_size=page_size)


def test_render_refuses_a_language_for_files_that_hold_both() -> None:
    for fmt in ("limesurvey", "yaml", "json"):
        with pytest.raises(OptionError, match="both languages"):
            render(hand_scale(), fmt, "en")
        assert render(hand_scale(), fmt)  # without a language: fine
    with pytest.raises(OptionError, match="language"):
        render(hand_scale(), "html", "de")
