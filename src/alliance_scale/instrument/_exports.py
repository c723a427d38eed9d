"""Exports of a Scale to Markdown, HTML and survey platforms (REDCap, LimeSurvey, Qualtrics).

Each platform reads a plain text format that no Python library writes (REDCap data
dictionary CSV, LimeSurvey tab-separated survey structure, Qualtrics Advanced TXT), so the
few lines that write them are hand-written here, following the platforms' documented
layouts (see ``shared/reference/psychometrics.md``, "Survey platform formats").

Naming contract, so that response exports come back with the item ids:

- REDCap: field name = item id lower-cased (``a1a_1``), all items one matrix group;
- Qualtrics: one question per item, export tag ``[[ID:<item id>]]``;
- LimeSurvey: one array question ``DTA`` whose subquestion codes are the item ids without
  underscores (LimeSurvey codes are alphanumeric): ``A1a_1`` -> ``DTA[A1a1]``.

Survey platforms display question texts as HTML, so texts are HTML-escaped in the
LimeSurvey and Qualtrics files and in the printable page; the Markdown escapes its own
punctuation. Wording around the items (instructions, headings) is data, in
``items/response_formats.yaml``.
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .._checks import check_choice, check_integer
from ..errors import ItemBankError, OptionError
from ._item_bank import LANGUAGES
from ._response_format import response_formats_data

if TYPE_CHECKING:  # the Scale calls this module; this module never imports it back
    from ._scale import Scale

__all__ = [
    "EXPORT_FORMATS",
    "redcap_dictionary",
]

#: The 18 columns of a REDCap data dictionary, in REDCap's order.
REDCAP_COLUMNS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)

#: Columns of the LimeSurvey tab-separated survey structure written here.
LIMESURVEY_COLUMNS = (
    "id", "related_id", "class", "type/scale", "name", "relevance", "text", "help",
    "language", "validation", "mandatory", "other", "default", "same_default",
)

#: Formats :func:`render` (and the command line) can produce.
EXPORT_FORMATS = ("markdown", "html", "redcap", "limesurvey", "qualtrics", "yaml", "json")

#: Formats that hold both languages, so :func:`render` takes no ``language`` for them.
_BILINGUAL_FORMATS = ("limesurvey", "yaml", "json")

#: Code of the LimeSurvey array question holding the items.
LIMESURVEY_QUESTION = "DTA"


def _language(scale: Scale, language: str | None) -> str:
    """``language``, or the scale's when None; refused unless ``"fr"`` or ``"en"``."""
    language = scale.language if language is None else language
    check_choice("language", language, LANGUAGES)
    return language


def _wording(language: str) -> dict[str, str]:
    return response_formats_data()["wording"][language]


def _html_text(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` for HTML text (quotes are harmless outside attributes)."""
    return html.escape(text, quote=False)


def _one_line(text: str) -> str:
    """Collapse newlines and tabs (they would break line-based formats)."""
    return " ".join(str(text).split())


# ---------------------------------------------------------------------- Markdown
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _one_line(text))


def _subtitle(scale: Scale, language: str) -> str:
    words = _wording(language)
    return (f"{words['version']} {scale.version} · {words['program']}{words['colon']}"
            f"{words[scale.program]} · {scale.response_format.points} {words['points']} · "
            f"{words['fingerprint']} sha256:{scale.content_hash[:12]}")


def to_markdown(scale: Scale, language: str | None = None) -> str:
    """The scale as a Markdown document: instructions, anchors, items, scoring key.

    Parameters
    ----------
    scale : Scale
    language : {"fr", "en"}, optional
        Default: the scale's language.

    Returns
    -------
    str
        Title, subtitle (version, program, points, start of the content hash), the
        instructions, the response scale, a table of items in administration order with
        their ids, and the scoring key (``-`` marks reverse-keyed items).
    """
    language = _language(scale, language)
    words = _wording(language)
    labels = scale.response_format.labels(language)
    lines = [
        f"# {_md(scale.name)}", "", f"*{_md(_subtitle(scale, language))}*", "",
        _md(words["instructions"]), "",
        f"**{words['response_format']}**{words['colon']}"
        + " · ".join(f"{code} = {_md(label)}" for code, label in enumerate(labels, 1)),
        "", f"| {words['number']} | {words['item']} | {words['identifier']} |",
        "|---:|---|---|",
    ]
    lines += [f"| {n} | {_md(item.text(language))} | `{item.id}` |"
              for n, item in enumerate(scale.items, 1)]
    lines += ["", f"## {words['scoring_key']}", ""]
    lines += [f"- **{_md(name)}**{words['colon']}{', '.join(ids)}"
              for name, ids in scale.keys.items()]
    lines += ["", _md(words["reverse_note"]), ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------- HTML
_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; max-width: 62em; margin: 2em auto; }
.meta { color: #555; font-size: .85em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: .35em .5em; vertical-align: middle; }
th.anchor { font-size: .8em; width: 6em; font-weight: normal; }
td.number { text-align: right; width: 2.5em; }
td.box { text-align: center; font-size: 1.2em; }
tr { page-break-inside: avoid; }
@media print { body { margin: 0; } .meta { color: #000; } }
"""


def to_html(scale: Scale, language: str | None = None) -> str:
    """A standalone, printable HTML page of the questionnaire (one row of boxes per item).

    Every text (name, instructions, anchors, items) is escaped with :func:`html.escape`.

    Parameters
    ----------
    scale : Scale
    language : {"fr", "en"}, optional
        Default: the scale's language.

    Returns
    -------
    str
        The page: title, subtitle (version, program, points, start of the content hash),
        instructions, and a table with one row per item (administration order) and one
        column of boxes per anchor.

    Raises
    ------
    ItemBankError
        If ``language`` is not ``"fr"`` or ``"en"``.
    """
    language = _language(scale, language)
    words = _wording(language)
    esc = html.escape
    labels = scale.response_format.labels(language)
    head = "".join(f'<th class="anchor">{code}<br>{esc(label)}</th>'
                   for code, label in enumerate(labels, 1))
    boxes = '<td class="box">&#9675;</td>' * len(labels)
    rows = "\n".join(
        f'<tr><td class="number">{n}</td><td>{esc(item.text(language))}</td>{boxes}</tr>'
        for n, item in enumerate(scale.items, 1)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(scale.name)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{esc(scale.name)}</h1>\n"
        f'<p class="meta">{esc(_subtitle(scale, language))}</p>\n'
        f"<p>{esc(words['instructions'])}</p>\n"
        f"<table>\n<thead><tr><th>{esc(words['number'])}</th><th>{esc(words['item'])}</th>"
        f"{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n</body>\n</html>\n"
    )


# ---------------------------------------------------------------------- REDCap
_REDCAP_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def redcap_dictionary(
    scale: Scale,
    language: str | None = None,
    *,
    form_name: str = "digital_therapeutic_alliance",
    matrix_group: str = "dta",
) -> pd.DataFrame:
    """The REDCap data dictionary of the scale as a DataFrame (the 18 columns, in order).

    First row: the record id field (``record_id``, text). Then one ``radio`` field per item,
    in administration order: field name = item id lower-cased, choices
    ``1, label | 2, label | ...``, all items in one matrix group, the instructions as the
    section header of the first item, and the item id, facet and key in the annotation.

    Parameters
    ----------
    scale : Scale
    language : {"fr", "en"}, optional
        Language of labels (default: the scale's).
    form_name, matrix_group : str
        REDCap instrument and matrix group names (lower-case letters, digits, underscores).

    Raises
    ------
    ItemBankError
        If a name is not a valid REDCap name or two item ids differ only by case.
    """
    language = _language(scale, language)
    for what, name in (("form_name", form_name), ("matrix_group", matrix_group)):
        if not _REDCAP_NAME.match(name):
            raise ItemBankError(f"{what} {name!r} is not a valid REDCap name "
                                "(lower-case letters, digits and underscores)")
    names = [item.id.lower() for item in scale.items]
    if len(set(names)) != len(names) or "record_id" in names:
        raise ItemBankError("item ids must stay distinct when lower-cased for REDCap")
    choices = " | ".join(f"{code}, {label}" for code, label
                         in enumerate(scale.response_format.labels(language), 1))
    blank = dict.fromkeys(REDCAP_COLUMNS, "")
    rows = [{**blank, "Variable / Field Name": "record_id", "Form Name": form_name,
             "Field Type": "text", "Field Label": "Record ID"}]
    for n, (name, item) in enumerate(zip(names, scale.items, strict=True)):
        rows.append({
            **blank,
            "Variable / Field Name": name,
            "Form Name": form_name,
            "Section Header": _wording(language)["instructions"] if n == 0 else "",
            "Field Type": "radio",
            "Field Label": _one_line(item.text(language)),
            "Choices, Calculations, OR Slider Labels": choices,
            "Matrix Group Name": matrix_group,
            "Field Annotation": f"item {item.id}; facet {item.facet}; keyed {item.keyed:+d}",
        })
    return pd.DataFrame(rows, columns=list(REDCAP_COLUMNS))


def _redcap_text(scale: Scale, language: str | None) -> str:
    return redcap_dictionary(scale, language).to_csv(index=False, lineterminator="\n")


def to_redcap(scale: Scale, path: str | Path, language: str | None = None) -> Path:
    """Write the REDCap data dictionary CSV (UTF-8) of :func:`redcap_dictionary` to ``path``."""
    path = Path(path)
    path.write_text(_redcap_text(scale, language), encoding="utf-8")
    return path


# ---------------------------------------------------------------------- LimeSurvey
def limesurvey_code(item_id: str) -> str:
    """LimeSurvey subquestion code of an item: its id without underscores (``A1a_1 -> A1a1``)."""
    return item_id.replace("_", "")


def _limesurvey_rows(scale: Scale) -> list[dict[str, Any]]:
    codes = [limesurvey_code(item.id) for item in scale.items]
    if len(set(codes)) != len(codes) or not all(c.isalnum() for c in codes):
        raise ItemBankError("item ids must stay distinct and alphanumeric without underscores "
                            "to serve as LimeSurvey subquestion codes")
    languages = [scale.language] + [lang for lang in LANGUAGES if lang != scale.language]
    blank = dict.fromkeys(LIMESURVEY_COLUMNS, "")

    def row(kind: str, name: str, text: str, language: str = "", **values: Any) -> dict:
        """One row of class ``kind``; ``kind_code`` fills the ``type/scale`` column."""
        kind_code = values.pop("kind_code", "")
        return {**blank, "class": kind, "type/scale": kind_code, "name": name, "text": text,
                "language": language, **values}

    rows = [row("S", "language", languages[0]),
            row("S", "additional_languages", " ".join(languages[1:])),
            row("S", "format", "G")]
    description = f"{scale.version} sha256:{scale.content_hash}"
    for lang in languages:
        rows += [row("SL", "surveyls_title", scale.name, lang),
                 row("SL", "surveyls_description", description, lang)]
    for lang in languages:
        rows.append(row("G", scale.name, "", lang, id=1, kind_code="0", relevance="1"))
        rows.append(row("Q", LIMESURVEY_QUESTION, _html_text(_wording(lang)["instructions"]),
                        lang, id=1, kind_code="F", relevance="1", mandatory="N", other="N"))
        for n, (code, item) in enumerate(zip(codes, scale.items, strict=True), start=2):
            rows.append(row("SQ", code, _html_text(_one_line(item.text(lang))), lang,
                            id=n, kind_code="0", relevance="1"))
        for code, label in enumerate(scale.response_format.labels(lang), 1):
            rows.append(row("A", str(code), _html_text(label), lang, id=1, kind_code="0"))
    return rows


def _limesurvey_text(scale: Scale) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(LIMESURVEY_COLUMNS), delimiter="\t",
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(_limesurvey_rows(scale))
    return buffer.getvalue()


def to_limesurvey(scale: Scale, path: str | Path) -> Path:
    """Write a LimeSurvey tab-separated survey structure (.txt, UTF-8 with BOM).

    Rows: survey settings (class ``S``; the scale's language first, the other one as an
    additional language), language settings (``SL``: title, version and content hash),
    then for each language a group (``G``), one array question ``DTA`` of type ``F``
    (``Q``), one subquestion per item (``SQ``, code = item id without underscores, see
    :func:`limesurvey_code`) and the anchors as answer options (``A``, codes 1..points).
    Texts are HTML-escaped (LimeSurvey renders them as HTML). Both languages are written.

    Parameters
    ----------
    scale : Scale
    path : str or Path
        The file to write (conventionally ``.txt``).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ItemBankError
        If item ids do not stay distinct and alphanumeric once their underscores are removed.
    """
    path = Path(path)
    path.write_text(_limesurvey_text(scale), encoding="utf-8-sig")
    return path


# ---------------------------------------------------------------------- Qualtrics
def _qualtrics_text(scale: Scale, language: str | None, page_size: int = 8) -> str:
    language = _language(scale, language)
    check_integer("page_size", page_size, minimum=1)
    for item in scale.items:
        if "[[" in item.text_fr + item.text_en or not re.fullmatch(r"[A-Za-z0-9_]+", item.id):
            raise ItemBankError(f"item {item.id!r} cannot be written as Qualtrics TXT "
                                "(its text contains '[[' or its id is not alphanumeric)")
    choices = [_html_text(label) for label in scale.response_format.labels(language)]
    lines = ["[[AdvancedFormat]]", "", "[[Block:DTA]]", "",
             "[[Question:Text]]", "[[ID:instructions]]",
             _html_text(_wording(language)["instructions"]), ""]
    for n, item in enumerate(scale.items, 1):
        lines += ["[[Question:MC:SingleAnswer:Horizontal]]", f"[[ID:{item.id}]]",
                  _html_text(_one_line(item.text(language))), "", "[[Choices]]",
                  *choices, ""]
        if n % page_size == 0 and n < len(scale.items):
            lines += ["[[PageBreak]]", ""]
    return "\n".join(lines)


def to_qualtrics(
    scale: Scale, path: str | Path, language: str | None = None, *, page_size: int = 8
) -> Path:
    """Write a Qualtrics Advanced TXT file (import with Tools > Import/Export > Import Survey).

    One block; an instructions text question; one
    ``[[Question:MC:SingleAnswer:Horizontal]]`` per item with ``[[ID:<item id>]]`` (so the
    response export columns are the item ids) and the anchors as ``[[Choices]]`` (recoded
    1..points in order); a ``[[PageBreak]]`` every ``page_size`` items (default 8).
    Texts are HTML-escaped. :func:`read_qualtrics_txt` reads the file back.

    Parameters
    ----------
    scale : Scale
    path : str or Path
        The file to write (conventionally ``.txt``).
    language : {"fr", "en"}, optional
        Default: the scale's language.
    page_size : int, default 8
        Items per page (at least 1).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ItemBankError
        For a bad ``language`` or ``page_size``, or an item whose text contains ``[[`` or
        whose id is not alphanumeric (with underscores).
    """
    path = Path(path)
    path.write_text(_qualtrics_text(scale, language, page_size), encoding="utf-8")
    return path


# ---------------------------------------------------------------------- dispatch
def render(scale: Scale, format: str, language: str | None = None) -> str:
    """The scale in one of :data:`EXPORT_FORMATS` as text (what the files would contain).

    ``"yaml"``/``"json"`` give the saved-scale format of :meth:`Scale.save`; the LimeSurvey
    text has no byte-order mark (the file written by :func:`to_limesurvey` has one).

    Parameters
    ----------
    scale : Scale
    format : str
        One of :data:`EXPORT_FORMATS`.
    language : {"fr", "en"}, optional
        Language of the text (default: the scale's) for ``"markdown"``, ``"html"``,
        ``"redcap"`` and ``"qualtrics"``. ``"limesurvey"``, ``"yaml"`` and ``"json"`` hold
        both languages: give no ``language`` for them.

    Returns
    -------
    str

    Raises
    ------
    ItemBankError
        For an unknown ``format``, a bad ``language``, or a ``language`` given for a
        format that holds both languages.
    """
    check_choice("format", format, EXPORT_FORMATS)
    if language is not None and format in _BILINGUAL_FORMATS:
        raise OptionError(f"format {format!r} holds both languages; give no language "
                            f"(got {language!r})")
    if format == "markdown":
        return to_markdown(scale, language)
    if format == "html":
        return to_html(scale, language)
    if format == "redcap":
        return _redcap_text(scale, language)
    if format == "limesurvey":
        return _limesurvey_text(scale)
    if format == "qualtrics":
        return _qualtrics_text(scale, language)
    return scale.dumps(format)  # "yaml" or "json"
