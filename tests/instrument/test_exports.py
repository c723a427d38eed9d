"""Exports: Markdown, printable HTML, REDCap, LimeSurvey and Qualtrics files."""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_scale import (
    EXPORT_FORMATS,
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
    french = scale.to_markdown(language="fr")
    assert "Énoncé 2" in french and "Tout à fait d'accord" in french
    assert text.endswith("\n") and french.endswith("\n")


def test_markdown_language_is_checked() -> None:
    with pytest.raises(OptionError, match="language"):
        hand_scale().to_markdown(language="de")


@pytest.mark.parametrize("method", ["to_markdown", "to_html"])
def test_markdown_and_html_write_a_path_like_the_other_exports(tmp_path: Path,
                                                               method: str) -> None:
    scale = hand_scale()
    text = getattr(scale, method)(language="fr")
    written = getattr(scale, method)(tmp_path / "dta.out", language="fr")
    assert written == tmp_path / "dta.out"
    assert written.read_text(encoding="utf-8") == text
    assert getattr(scale, method)(str(tmp_path / "x.out")) == tmp_path / "x.out"
    with pytest.raises(OptionError, match="language='fr'"):
        getattr(scale, method)("fr")  # the old positional language: refused, not a file "fr"
    assert not (Path.cwd() / "fr").exists()


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
    french = scale.to_html(language="fr")
    assert "&lt;b&gt;ici&lt;/b&gt;" in french and '<html lang="fr">' in french


# --------------------------------------------------------------------------- REDCap
def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_redcap_dictionary(tmp_path: Path) -> None:
    scale = hand_scale()
    path = scale.to_redcap(tmp_path / "dictionary.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\n")  # BOM: Excel keeps accents
    rows = _read_csv(path)
    assert rows[0] == REDCAP_HEADER
    body = [dict(zip(REDCAP_HEADER, row, strict=True)) for row in rows[1:]]
    assert len(body) == len(scale.items) + 1
    assert body[0]["Variable / Field Name"] == "record_id"
    assert body[0]["Field Type"] == "text" and body[0]["Field Label"] == "Record ID"
    # version and hash where respondents never see them: the field annotation
    assert body[0]["Field Annotation"] == f"alliance-scale version 0.1 sha256:{'ab' * 32}"
    items = body[1:]
    assert [r["Variable / Field Name"] for r in items] == [i.lower() for i in scale.item_ids]
    assert {r["Field Type"] for r in items} == {"radio"}
    assert {r["Choices, Calculations, OR Slider Labels"] for r in items} == {
        "1, Strongly disagree | 2, Disagree | 3, Neither agree nor disagree | 4, Agree | "
        "5, Strongly agree"
    }
    # 20 items, 8 per page: three matrix groups, each opened by a section header
    groups = [r["Matrix Group Name"] for r in items]
    assert groups == ["dta_1"] * 8 + ["dta_2"] * 8 + ["dta_3"] * 4
    headers = [r["Section Header"] for r in items]
    assert [n for n, h in enumerate(headers) if h] == [0, 8, 16]
    assert headers[8].startswith("Part 2 of 3: The following statements")
    assert {r["Form Name"] for r in body} == {body[0]["Form Name"]}
    assert items[0]["Field Label"] == NASTY_EN
    assert not any(h.startswith(("<", "version")) for h in headers if h)


def test_redcap_record_label_and_pages_follow_the_language_and_option(tmp_path: Path) -> None:
    frame = redcap_dictionary(hand_scale(n_items=6), "fr", items_per_page=4)
    assert frame.loc[0, "Field Label"] == "Identifiant de l'enregistrement"
    assert frame["Matrix Group Name"].tolist()[1:] == ["dta_1"] * 4 + ["dta_2"] * 2
    assert frame.loc[5, "Section Header"].startswith("Partie 2 sur 2 : Les affirmations")
    single = redcap_dictionary(hand_scale(n_items=6), items_per_page=50)
    assert single.loc[1, "Section Header"].startswith("The following statements")
    with pytest.raises(OptionError, match="items_per_page"):
        redcap_dictionary(hand_scale(), items_per_page=0)


def test_redcap_in_french_and_bad_names() -> None:
    frame = redcap_dictionary(hand_scale(points=4), "fr")
    assert frame.loc[1, "Choices, Calculations, OR Slider Labels"].startswith(
        "1, Pas du tout d'accord | 2, ")
    with pytest.raises(ItemBankError, match="form_name"):
        redcap_dictionary(hand_scale(), form_name="My Form")


# --------------------------------------------------------------------------- LimeSurvey
def _limesurvey_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_limesurvey_structure(tmp_path: Path) -> None:
    scale = hand_scale(points=6)
    path = scale.to_limesurvey(tmp_path / "survey.txt")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\n")
    rows = _limesurvey_rows(path)
    header = raw.decode("utf-8-sig").splitlines()[0].split("\t")
    assert header[:14] == ["id", "related_id", "class", "type/scale", "name", "relevance",
                           "text", "help", "language", "validation", "mandatory", "other",
                           "default", "same_default"]
    assert {r["class"] for r in rows} == {"S", "SL", "G", "Q", "SQ", "A"}
    settings = {r["name"]: r["text"] for r in rows if r["class"] == "S"}
    assert settings["language"] == "en" and settings["additional_languages"] == "fr"
    assert settings["sid"].isdigit() and len(settings["sid"]) == 6
    for language in ("en", "fr"):
        groups = [r for r in rows if r["class"] == "G" and r["language"] == language]
        assert [g["type/scale"] for g in groups] == ["1", "2", "3"]  # linked across languages
        questions = [r for r in rows if r["class"] == "Q" and r["language"] == language]
        arrays = [q for q in questions if q["type/scale"] == "F"]
        assert [q["name"] for q in arrays] == ["DTA1", "DTA2", "DTA3"]
        sub = [r for r in rows if r["class"] == "SQ" and r["language"] == language]
        assert [r["name"] for r in sub] == [i.replace("_", "") for i in scale.item_ids]
        answers = [r for r in rows if r["class"] == "A" and r["language"] == language]
        assert [r["name"] for r in answers] == ["1", "2", "3", "4", "5", "6"] * 3
    def numbered(language: str) -> dict[tuple[str, str], str]:
        return {(r["class"], r["type/scale"] if r["class"] == "G" else r["name"]): r["id"]
                for r in rows if r["language"] == language and r["class"] != "A"}

    assert numbered("en") == numbered("fr")  # the same ids in every language
    question_ids = [r["id"] for r in rows if r["class"] in ("Q", "SQ") and r["language"] == "en"]
    assert len(set(question_ids)) == len(question_ids)  # question and subquestion ids distinct
    first_en = next(r for r in rows if r["class"] == "SQ" and r["language"] == "en")
    assert "<script>" not in first_en["text"] and "&lt;script&gt;" in first_en["text"]
    first_fr = next(r for r in rows if r["class"] == "A" and r["language"] == "fr")
    assert first_fr["text"] == "Pas du tout d'accord"


def test_limesurvey_shows_respondents_nothing_technical(tmp_path: Path) -> None:
    scale = draft_scale(items_per_facet=2, language="fr")
    rows = _limesurvey_rows(scale.to_limesurvey(tmp_path / "survey.txt"))
    titles = {r["language"]: r["text"] for r in rows if r["name"] == "surveyls_title"}
    assert titles == {"fr": "Questionnaire d'alliance thérapeutique numérique (DTA)",
                      "en": "Digital Therapeutic Alliance questionnaire (DTA)"}
    assert not [r for r in rows if r["name"] == "surveyls_description"]
    groups = {r["language"]: r["name"] for r in rows if r["class"] == "G" and r["id"] == "1"}
    assert groups == {"fr": "Partie 1 sur 3", "en": "Part 1 of 3"}
    visible = [r["text"] for r in rows if r["class"] in ("SL", "G", "SQ", "A")
               or (r["class"] == "Q" and r["hidden"] != "1")]
    assert not any("sha256" in text or scale.version in text for text in visible)
    hidden = [r for r in rows if r["class"] == "Q" and r["hidden"] == "1"]
    assert {r["name"] for r in hidden} == {"DTAversion"} and {r["type/scale"] for r in hidden} == {
        "*"}
    assert scale.content_hash in hidden[0]["text"]


def test_formula_cells_are_neutralised_and_titles_escaped(tmp_path: Path) -> None:
    base = hand_scale(n_items=4)
    texts = ("=HYPERLINK(\"http://x\",\"y\")", "+1 idée", "-moins", "@SUM(A1)")
    items = tuple(ScaleItem(i.id, i.theme, i.facet, i.dimension, text, text, i.keyed,
                            i.applies_to) for i, text in zip(base.items, texts, strict=True))
    scale = Scale("=cmd|' /C calc'!A0 <b>", "1", "en", "guided", items, base.response_format)
    rows = _read_csv(scale.to_redcap(tmp_path / "d.csv"))
    labels = [row[4] for row in rows[2:]]
    assert labels == ["'" + t for t in texts]
    lime = _limesurvey_rows(scale.to_limesurvey(tmp_path / "s.txt"))
    cells = [value for row in lime for value in row.values()]
    assert not any(value.startswith(("=", "+", "-", "@")) for value in cells)
    sub = [r["text"] for r in lime if r["class"] == "SQ" and r["language"] == "en"]
    assert [html.unescape(t) for t in sub] == list(texts)  # respondents see the same text
    title = next(r["text"] for r in lime if r["name"] == "surveyls_title")
    assert "<b>" not in title and html.unescape(title) == scale.name


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


def _with_first_texts(base: Scale, text_fr: str, text_en: str) -> Scale:
    first = base.items[0]
    items = (ScaleItem(first.id, first.theme, first.facet, first.dimension, text_fr, text_en,
                       first.keyed, first.applies_to), *base.items[1:])
    return Scale(base.name, base.version, "en", "guided", items, base.response_format)


_TEXTS = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
                 ).filter(str.strip)


@settings(max_examples=25, deadline=None)
@given(text_fr=_TEXTS | st.sampled_from(["[", "a [", "[[PageBreak]]", "x ]]"]),
       text_en=_TEXTS | st.sampled_from(["[", "] b", "[[Question:Text]]", "[[Block:X]]"]))
def test_any_item_text_survives_qualtrics(tmp_path_factory, text_fr: str, text_en: str
                                          ) -> None:
    # brackets included: "[[" in either text, or only across the two, is written safely
    scale = _with_first_texts(hand_scale(n_items=3), text_fr, text_en)
    folder = tmp_path_factory.mktemp("q")
    for language, text in (("fr", text_fr), ("en", text_en)):
        questions = read_qualtrics_txt(scale.to_qualtrics(folder / f"{language}.txt", language))
        assert list(questions.index) == ["instructions", *scale.item_ids]
        assert questions.loc[scale.items[0].id, "text"] == " ".join(text.split())
        assert set(questions["page"]) == {1}


def test_qualtrics_writes_a_french_text_ending_in_a_bracket(tmp_path: Path) -> None:
    # the old check refused "[" + "[" across the French and English texts (issue #17)
    scale = _with_first_texts(hand_scale(n_items=3), "Je note [", "[note] I agree")
    for language in ("fr", "en"):
        questions = read_qualtrics_txt(scale.to_qualtrics(tmp_path / "q.txt", language))
        assert questions.loc[scale.items[0].id, "text"] == scale.items[0].text(language)


def test_qualtrics_anchor_labels_cannot_inject_questions_or_page_breaks(tmp_path: Path
                                                                       ) -> None:
    base = hand_scale(n_items=10)
    labels = ("[[PageBreak]]", "[[Question:Text]]", "[[ID:evil]]", "[[Block:X]] ok",
              "plain [x]")
    scale = Scale(base.name, base.version, "en", "guided", base.items,
                  type(base.response_format)(5, labels, labels))
    path = scale.to_qualtrics(tmp_path / "q.txt", items_per_page=8)
    text = path.read_text(encoding="utf-8")
    assert text.count("[[PageBreak]]") == 1 and text.count("[[Question:") == 11
    questions = read_qualtrics_txt(path)
    assert list(questions.index) == ["instructions", *scale.item_ids]
    assert set(questions["choices"].iloc[1:]) == {labels}
    assert list(questions["page"].iloc[1:]) == [1] * 8 + [2] * 2


def test_qualtrics_items_per_page_must_be_a_positive_integer(tmp_path: Path) -> None:
    for items_per_page in (0, 2.0, True):
        with pytest.raises(OptionError, match="items_per_page"):
            to_qualtrics(hand_scale(), tmp_path / "q.txt", items_per_page=items_per_page)
    questions = read_qualtrics_txt(to_qualtrics(hand_scale(), tmp_path / "q.txt",
                                                items_per_page=5))
    assert questions["page"].max() == 4


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_every_format_ends_with_a_newline(fmt: str) -> None:
    assert render(hand_scale(), fmt).endswith("\n")


def test_render_refuses_a_language_for_files_that_hold_both() -> None:
    for fmt in ("limesurvey", "yaml", "json"):
        with pytest.raises(OptionError, match="both languages"):
            render(hand_scale(), fmt, "en")
        assert render(hand_scale(), fmt)  # without a language: fine
    with pytest.raises(OptionError, match="language"):
        render(hand_scale(), "html", "de")


def test_printed_questionnaire_keeps_the_version_in_its_footer() -> None:
    scale = draft_scale(items_per_facet=1)
    page = scale.to_html()
    body, footer = page.split('<footer class="meta">')
    assert scale.content_hash[:12] not in body and scale.content_hash[:12] in footer
    assert "<h1>Questionnaire d&#x27;alliance thérapeutique numérique (DTA)</h1>" in body
