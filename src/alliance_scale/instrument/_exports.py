"""Exports of a Scale to Markdown, HTML and survey platforms (REDCap, LimeSurvey, Qualtrics).

Each platform reads a plain text format that no Python library writes (REDCap data
dictionary CSV, LimeSurvey tab-separated survey structure, Qualtrics Advanced TXT), so the
few lines that write them are hand-written here, following the platforms' own import code
and documentation (see ``shared/reference/platforms.md``): REDCap's upload rules as enforced
by redcapAPI, LimeSurvey's ``TSVImportSurvey`` (``import_helper.php``), Qualtrics' Advanced
Format.

Naming contract, so that response exports come back with the item ids:

- REDCap: field name = item id lower-cased (``a1a_1``); one matrix group per page;
- Qualtrics: one question per item, export tag ``[[ID:<item id>]]``;
- LimeSurvey: one array question per page, ``DTA1``, ``DTA2``..., whose subquestion codes
  are the item ids without underscores (LimeSurvey codes are alphanumeric): ``A1a_1`` ->
  ``DTA1[A1a1]``; a hidden equation question ``DTAversion`` stores the scale's version and
  SHA-256 with every response (respondents never see it).

What respondents see carries nothing technical: the version and the hash go to REDCap's
field annotation and LimeSurvey's hidden equation question; titles and page (group) names
are worded per language (``items/response_formats.yaml``). The same pagination everywhere:
``items_per_page`` items per page (default :data:`ITEMS_PER_PAGE`) through REDCap section
headers (with "one section per page" survey display), LimeSurvey groups and Qualtrics page
breaks.

Safety: platforms display texts as HTML, so every text is HTML-escaped in the LimeSurvey and
Qualtrics files and the printable page. A cell of a CSV/TSV export that a spreadsheet would
read as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return; OWASP
"CSV injection") is neutralised: prefixed with ``'`` in REDCap's plain-text cells, its
first character written as an HTML character reference in LimeSurvey's HTML cells (the
browser shows the same text). Every file ends with a newline; the REDCap CSV is UTF-8
with a byte-order mark so that Excel keeps the accents.
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
from .._io import write_atomic
from ..errors import ItemBankError, OptionError
from ._response_format import response_formats_data
from ._vocabulary import EXPORT_FORMATS, LANGUAGES

if TYPE_CHECKING:  # the Scale calls this module; this module never imports it back
    from ._scale import Scale

__all__ = [
    "ITEMS_PER_PAGE",
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

#: Columns of the LimeSurvey tab-separated survey structure written here: LimeSurvey's 14
#: base columns, then the question attribute ``hidden`` (any further column of a question
#: row is an attribute to ``TSVImportSurvey``).
LIMESURVEY_COLUMNS = (
    "id", "related_id", "class", "type/scale", "name", "relevance", "text", "help",
    "language", "validation", "mandatory", "other", "default", "same_default", "hidden",
)


#: Formats that hold both languages, so :func:`render` takes no ``language`` for them.
_BILINGUAL_FORMATS = ("limesurvey", "yaml", "json")

#: Code prefix of the LimeSurvey array questions holding the items (``DTA1``, ``DTA2``...).
LIMESURVEY_QUESTION = "DTA"
#: Code of the hidden LimeSurvey equation question holding version and hash.
LIMESURVEY_VERSION_QUESTION = "DTAversion"

#: Items per page on every platform, unless ``items_per_page`` says otherwise.
ITEMS_PER_PAGE = 8

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: Encoding of each file format written by :func:`write_export`.
_ENCODINGS = {"redcap": "utf-8-sig", "limesurvey": "utf-8-sig"}


def _language(scale: Scale, language: str | None) -> str:
    """``language``, or the scale's when None; refused unless ``"fr"`` or ``"en"``."""
    language = scale.language if language is None else language
    check_choice("language", language, LANGUAGES)
    return language


def _wording(language: str) -> dict[str, str]:
    return response_formats_data()["wording"][language]


def title(scale: Scale, language: str) -> str:
    """The scale's title in ``language``.

    A drafted scale is named with the questionnaire title of its language; its title in the
    other language is that language's title (``items/response_formats.yaml``). A scale given
    any other name keeps it in every language.

    Examples
    --------
    >>> scale = als.draft_scale(items_per_facet=1, language="fr")
    >>> title(scale, "en")
    'Digital Therapeutic Alliance questionnaire (DTA)'
    """
    titles = {lang: _wording(lang)["title"] for lang in LANGUAGES}
    return titles[language] if scale.name in titles.values() else scale.name


def _part(language: str, number: int, total: int) -> str:
    return _wording(language)["part"].format(number=number, total=total)


def _html_text(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` for HTML text (quotes are harmless outside attributes)."""
    return html.escape(text, quote=False)


def _one_line(text: str) -> str:
    """Collapse newlines and tabs (they would break line-based formats)."""
    return " ".join(str(text).split())


def neutralise(text: str, *, html_cell: bool = False) -> str:
    """A CSV/TSV cell that no spreadsheet reads as a formula (OWASP "CSV injection").

    Parameters
    ----------
    text : str
        The cell.
    html_cell : bool, default False
        The platform shows the cell as HTML: its first character is written as a numeric
        character reference (the page shows the same text). Otherwise a ``'`` is prefixed.

    Returns
    -------
    str
        ``text`` unchanged unless it starts with ``=``, ``+``, ``-``, ``@``, tab or carriage
        return.

    Examples
    --------
    >>> neutralise("=HYPERLINK(...)")
    "'=HYPERLINK(...)"
    >>> neutralise("-1 point", html_cell=True)
    '&#45;1 point'
    >>> neutralise("Je me sens écoutée.")
    'Je me sens écoutée.'
    """
    if not text.startswith(FORMULA_START):
        return text
    return f"&#{ord(text[0])};{text[1:]}" if html_cell else "'" + text


def _pages(scale: Scale, items_per_page: int) -> list[list[int]]:
    """Item positions (0-based) page by page."""
    size = check_integer("items_per_page", items_per_page, minimum=1)
    n = len(scale.items)
    return [list(range(start, min(start + size, n))) for start in range(0, n, size)]


def write_or_return(text: str, path: str | Path | None, encoding: str = "utf-8"
                    ) -> str | Path:
    """Write ``text`` to ``path`` and return the path, or return ``text`` when no path.

    A ``path`` that is a language code (``"fr"``, ``"en"``) is refused: the language is a
    keyword argument of ``to_html`` and ``to_markdown``.

    Examples
    --------
    >>> write_or_return("# Title\\n", None)
    '# Title\\n'
    """
    if path is None:
        return text
    if isinstance(path, str) and path in LANGUAGES:
        raise OptionError(f"path {path!r} looks like a language; write language={path!r} "
                          "(the first argument is the file to write)")
    path = Path(path)
    write_atomic(path, text, encoding)
    return path


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
        their ids, and the scoring key (``-`` marks reverse-keyed items); ends with a
        newline.

    Examples
    --------
    >>> text = to_markdown(als.draft_scale(items_per_facet=1), "en")
    >>> text.splitlines()[0], text.endswith("\\n")
    ('# Digital Therapeutic Alliance questionnaire (DTA)', True)
    """
    language = _language(scale, language)
    words = _wording(language)
    labels = scale.response_format.labels(language)
    lines = [
        f"# {_md(title(scale, language))}", "", f"*{_md(_subtitle(scale, language))}*", "",
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
    if scale.lineage:
        lineage = scale.lineage
        lines += [_md(f"Lineage: derived from {lineage.parent} {lineage.parent_version} "
                      f"(content hash {lineage.parent_hash[:12]}) by {lineage.method}."), ""]
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
        The page: title, instructions, a table with one row per item (administration
        order) and one column of boxes per anchor, and a small footer (version, program,
        points, start of the content hash) that ties a paper form to its version.

    Raises
    ------
    OptionError
        If ``language`` is not ``"fr"`` or ``"en"``.

    Examples
    --------
    >>> page = to_html(als.draft_scale(items_per_facet=1), "fr")
    >>> page.startswith("<!DOCTYPE html>"), '<html lang="fr">' in page
    (True, True)
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
    name = esc(title(scale, language))
    return (
        f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{name}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{name}</h1>\n"
        f"<p>{esc(words['instructions'])}</p>\n"
        f"<table>\n<thead><tr><th>{esc(words['number'])}</th><th>{esc(words['item'])}</th>"
        f"{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n"
        f'<footer class="meta">{esc(_subtitle(scale, language))}</footer>\n'
        "</body>\n</html>\n"
    )


# ---------------------------------------------------------------------- REDCap
#: REDCap form and matrix group names (redcapAPI ``R/constants.R``).
_REDCAP_NAME = re.compile(r"\A[a-z][a-z0-9_]+[a-z0-9]\Z")


def _fingerprint(scale: Scale) -> str:
    return f"alliance-scale version {scale.version} sha256:{scale.content_hash}"


def redcap_dictionary(
    scale: Scale,
    language: str | None = None,
    *,
    form_name: str = "digital_therapeutic_alliance",
    matrix_group: str = "dta",
    items_per_page: int = ITEMS_PER_PAGE,
) -> pd.DataFrame:
    """The REDCap data dictionary of the scale as a DataFrame (the 18 columns, in order).

    First row: the record id field (``record_id``, text, labelled in ``language``; its field
    annotation holds the scale's version and SHA-256, which respondents never see). Then
    one ``radio`` field per item, in administration order: field name = item id
    lower-cased, choices ``1, label | 2, label | ...``, the item id, facet and key in the
    annotation. Items are paged by ``items_per_page``: each page is one matrix group
    (``<matrix_group>_<page>``) whose first field carries a section header (the instructions,
    after "Part k of n" when there are several pages), so that a REDCap survey displayed
    "one section per page" pages like the other platforms. Cells that a spreadsheet would
    read as a formula are prefixed with ``'`` (OWASP).

    Parameters
    ----------
    scale : Scale
    language : {"fr", "en"}, optional
        Language of labels (default: the scale's).
    form_name, matrix_group : str
        REDCap instrument and matrix group names (lower-case letters, digits, underscores).
    items_per_page : int, default 8
        Items per page (section).

    Raises
    ------
    ItemBankError
        If a name is not a valid REDCap name or two item ids differ only by case.
    OptionError
        A bad ``language`` or ``items_per_page``.

    Examples
    --------
    >>> scale = als.draft_scale(items_per_facet=1, language="en")
    >>> frame = redcap_dictionary(scale)
    >>> frame.loc[0, ["Variable / Field Name", "Field Label"]].tolist()
    ['record_id', 'Record ID']
    >>> frame["Matrix Group Name"].iloc[1:].unique().tolist()
    ['dta_1', 'dta_2']
    """
    _check_scale(scale)
    language = _language(scale, language)
    pages = _pages(scale, items_per_page)
    for what, name in (("form_name", form_name), ("matrix_group", matrix_group)):
        if not isinstance(name, str) or not _REDCAP_NAME.match(name):
            raise ItemBankError(f"{what} {name!r} is not a valid REDCap name "
                                "(lower-case letters, digits and underscores)")
    names = [item.id.lower() for item in scale.items]
    if len(set(names)) != len(names) or "record_id" in names:
        raise ItemBankError("item ids must stay distinct when lower-cased for REDCap")
    bad = [name for name in names if not _REDCAP_NAME.match(name)]
    if bad:
        raise ItemBankError(f"item id {bad[0]!r} is not a valid REDCap field name (3 or more "
                            "letters, digits and underscores, starting with a letter)")
    words = _wording(language)
    choices = " | ".join(f"{code}, {_one_line(label)}" for code, label
                         in enumerate(scale.response_format.labels(language), 1))
    blank = dict.fromkeys(REDCAP_COLUMNS, "")
    rows = [{**blank, "Variable / Field Name": "record_id", "Form Name": form_name,
             "Field Type": "text", "Field Label": words["record_id"],
             "Field Annotation": _fingerprint(scale)}]
    for page, positions in enumerate(pages, 1):
        header = _one_line(words["instructions"])
        if len(pages) > 1:
            header = f"{_part(language, page, len(pages))}{words['colon']}{header}"
        for k, position in enumerate(positions):
            item = scale.items[position]
            rows.append({
                **blank,
                "Variable / Field Name": names[position],
                "Form Name": form_name,
                "Section Header": header if k == 0 else "",
                "Field Type": "radio",
                "Field Label": _one_line(item.text(language)),
                "Choices, Calculations, OR Slider Labels": choices,
                "Matrix Group Name": f"{matrix_group}_{page}",
                "Field Annotation": f"item {item.id}; facet {item.facet}; "
                                    f"keyed {item.keyed:+d}",
            })
    frame = pd.DataFrame(rows, columns=list(REDCAP_COLUMNS))
    return frame.map(neutralise)


def _redcap_text(scale: Scale, language: str | None, items_per_page: int = ITEMS_PER_PAGE
                 ) -> str:
    frame = redcap_dictionary(scale, language, items_per_page=items_per_page)
    return frame.to_csv(index=False, lineterminator="\n")


def to_redcap(scale: Scale, path: str | Path, language: str | None = None, *,
              items_per_page: int = ITEMS_PER_PAGE) -> Path:
    """Write the REDCap data dictionary CSV of :func:`redcap_dictionary` to ``path``.

    UTF-8 with a byte-order mark (Excel, where researchers open the file before uploading
    it, then keeps the accents), one line per field, a final newline.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> scale = als.draft_scale(items_per_facet=1)
    >>> path = to_redcap(scale, pathlib.Path(tempfile.mkdtemp()) / "dictionary.csv")
    >>> path.read_bytes()[:3] == b"\\xef\\xbb\\xbf"
    True
    """
    path = Path(path)
    write_atomic(path, _redcap_text(scale, language, items_per_page), "utf-8-sig")
    return path


# ---------------------------------------------------------------------- LimeSurvey
def limesurvey_code(item_id: str) -> str:
    """LimeSurvey subquestion code of an item: its id without underscores (``A1a_1 -> A1a1``).

    Examples
    --------
    >>> limesurvey_code("B1a_4")
    'B1a4'
    """
    return item_id.replace("_", "")


def limesurvey_question(page: int) -> str:
    """Code of the LimeSurvey array question of page ``page`` (1-based): ``DTA1``, ``DTA2``...

    Examples
    --------
    >>> limesurvey_question(3)
    'DTA3'
    """
    return f"{LIMESURVEY_QUESTION}{page}"


def limesurvey_survey_id(scale: Scale) -> int:
    """A six-digit survey id derived from the content hash (``S sid`` row; LimeSurvey keeps
    it when it is free, otherwise it picks another).

    Examples
    --------
    >>> 100000 <= limesurvey_survey_id(als.draft_scale(items_per_facet=1)) <= 999999
    True
    """
    return 100000 + int(scale.content_hash[:12], 16) % 900000


def _ls_text(text: str) -> str:
    """A LimeSurvey text cell: one line, HTML-escaped, never a formula to a spreadsheet."""
    return neutralise(_html_text(_one_line(text)), html_cell=True)


def _limesurvey_rows(scale: Scale, items_per_page: int) -> list[dict[str, Any]]:
    codes = [limesurvey_code(item.id) for item in scale.items]
    if (len({c.lower() for c in codes}) != len(codes)
            or not all(re.fullmatch(r"[A-Za-z0-9]+", c) for c in codes)):
        raise ItemBankError("item ids must stay distinct (ignoring case) and alphanumeric "
                            "without underscores to serve as LimeSurvey subquestion codes")
    pages = _pages(scale, items_per_page)
    languages = [scale.language] + [lang for lang in LANGUAGES if lang != scale.language]
    blank = dict.fromkeys(LIMESURVEY_COLUMNS, "")

    def row(kind: str, name: str, text: str, language: str = "", **values: Any) -> dict:
        """One row of class ``kind``; ``kind_code`` fills the ``type/scale`` column."""
        kind_code = values.pop("kind_code", "")
        return {**blank, "class": kind, "type/scale": kind_code, "name": name, "text": text,
                "language": language, **values}

    rows = [row("S", "sid", str(limesurvey_survey_id(scale))),
            row("S", "language", languages[0]),
            row("S", "additional_languages", " ".join(languages[1:])),
            row("S", "format", "G")]
    rows += [row("SL", "surveyls_title", _ls_text(title(scale, lang)), lang)
             for lang in languages]
    # ids shared by every language: groups 1..pages, questions and subquestions numbered on
    question_id = {page: 1 + page + pages[page - 1][0] for page in range(1, len(pages) + 1)}
    version_id = 1
    for lang in languages:
        for page, positions in enumerate(pages, 1):
            rows.append(row("G", _ls_text(_part(lang, page, len(pages))), "", lang, id=page,
                            kind_code=str(page), relevance="1"))
            if page == 1:
                rows.append(row("Q", LIMESURVEY_VERSION_QUESTION, _ls_text(_fingerprint(scale)),
                                lang, id=version_id, kind_code="*", relevance="1",
                                mandatory="N", other="N", hidden="1"))
            rows.append(row("Q", limesurvey_question(page),
                            _ls_text(_wording(lang)["instructions"]), lang,
                            id=question_id[page], kind_code="F", relevance="1", mandatory="N",
                            other="N"))
            for position in positions:
                rows.append(row("SQ", codes[position], _ls_text(scale.items[position].text(lang)),
                                lang, id=question_id[page] + 1 + position - positions[0],
                                kind_code="0", relevance="1"))
            for code, label in enumerate(scale.response_format.labels(lang), 1):
                rows.append(row("A", str(code), _ls_text(label), lang, kind_code="0"))
    return rows


def _limesurvey_text(scale: Scale, items_per_page: int = ITEMS_PER_PAGE) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(LIMESURVEY_COLUMNS), delimiter="\t",
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(_limesurvey_rows(scale, items_per_page))
    return buffer.getvalue()


def to_limesurvey(scale: Scale, path: str | Path, *, items_per_page: int = ITEMS_PER_PAGE
                  ) -> Path:
    """Write a LimeSurvey tab-separated survey structure (.txt, UTF-8 with BOM).

    Rows, as LimeSurvey's ``TSVImportSurvey`` reads them: survey settings (class ``S``:
    ``sid`` from :func:`limesurvey_survey_id`, the scale's language first and the other one
    as an additional language, format ``G`` = one group per page), the title in each
    language (``SL surveyls_title``; no description: it would show on the welcome page),
    then for each language and each page of ``items_per_page`` items a group (``G``, named
    "Part k of n" in that language, linked across languages by its ``type/scale`` key),
    one array question ``DTA<page>`` of type ``F`` whose text is the instructions (``Q``),
    one subquestion per item (``SQ``, code = item id without underscores, see
    :func:`limesurvey_code`) and the anchors as answer options (``A``, codes 1..points).
    Group 1 also holds ``DTAversion``, an equation question (type ``*``) with the attribute
    ``hidden`` = 1: never shown, it stores the version and SHA-256 with each response.
    Texts are HTML-escaped and never start a spreadsheet formula.

    Parameters
    ----------
    scale : Scale
    path : str or Path
        The file to write (conventionally ``.txt``).
    items_per_page : int, default 8
        Items per page (group).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ItemBankError
        If item ids do not stay distinct and alphanumeric once their underscores are removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> scale = als.draft_scale(items_per_facet=1)
    >>> path = to_limesurvey(scale, pathlib.Path(tempfile.mkdtemp()) / "dta.txt")
    >>> lines = path.read_text(encoding="utf-8-sig").splitlines()
    >>> lines[1].split("\\t")[2:5]
    ['S', '', 'sid']
    """
    path = Path(path)
    write_atomic(path, _limesurvey_text(scale, items_per_page), "utf-8-sig")
    return path


# ---------------------------------------------------------------------- Qualtrics
def _qualtrics_escape(text: str) -> str:
    """A text as one line of a Qualtrics Advanced TXT file: HTML-escaped, and its square
    brackets written as character references (``&#91;``, ``&#93;``), so that no text can
    form a ``[[...]]`` tag (a question, a page break) however its brackets fall; Qualtrics
    shows texts as HTML, so respondents see the same brackets."""
    return _html_text(_one_line(text)).replace("[", "&#91;").replace("]", "&#93;")


def _qualtrics_text(scale: Scale, language: str | None, items_per_page: int = ITEMS_PER_PAGE
                    ) -> str:
    language = _language(scale, language)
    pages = _pages(scale, items_per_page)
    for item in scale.items:
        if not re.fullmatch(r"[A-Za-z0-9_]+", item.id):
            raise ItemBankError(f"item {item.id!r} cannot be written as Qualtrics TXT "
                                "(its id is not alphanumeric: Qualtrics export tags take "
                                "letters, digits and underscores)")
    choices = [_qualtrics_escape(label) for label in scale.response_format.labels(language)]
    lines = ["[[AdvancedFormat]]", "", "[[Block:DTA]]", "",
             "[[Question:Text]]", "[[ID:instructions]]",
             _qualtrics_escape(_wording(language)["instructions"]), ""]
    for page, positions in enumerate(pages, 1):
        if page > 1:
            lines += ["[[PageBreak]]", ""]
        for position in positions:
            item = scale.items[position]
            lines += ["[[Question:MC:SingleAnswer:Horizontal]]", f"[[ID:{item.id}]]",
                      _qualtrics_escape(item.text(language)), "", "[[Choices]]",
                      *choices, ""]
    return "\n".join(lines)


def to_qualtrics(
    scale: Scale, path: str | Path, language: str | None = None, *,
    items_per_page: int = ITEMS_PER_PAGE,
) -> Path:
    """Write a Qualtrics Advanced TXT file (import with Tools > Import/Export > Import Survey).

    One block; an instructions text question; one
    ``[[Question:MC:SingleAnswer:Horizontal]]`` per item with ``[[ID:<item id>]]`` (so the
    response export columns are the item ids) and the anchors as ``[[Choices]]`` (recoded
    1..points in order); a ``[[PageBreak]]`` every ``items_per_page`` items (default 8, as
    on the other platforms). Texts (instructions, items, anchors) are HTML-escaped, square
    brackets included (``&#91;``, ``&#93;``), so that no text can form a ``[[...]]`` tag
    (a question or a page break) in the file; the file ends with a newline.
    :func:`read_qualtrics_txt` reads the file back.

    Parameters
    ----------
    scale : Scale
    path : str or Path
        The file to write (conventionally ``.txt``).
    language : {"fr", "en"}, optional
        Default: the scale's language.
    items_per_page : int, default 8
        Items per page (at least 1).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ItemBankError
        An item whose id is not alphanumeric (with underscores).
    OptionError
        A bad ``language`` or ``items_per_page``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> scale = als.draft_scale(items_per_facet=2)
    >>> path = to_qualtrics(scale, pathlib.Path(tempfile.mkdtemp()) / "dta.txt")
    >>> path.read_text(encoding="utf-8").count("[[PageBreak]]")
    2
    """
    path = Path(path)
    write_atomic(path, _qualtrics_text(scale, language, items_per_page), "utf-8")
    return path


def _check_scale(scale: Any) -> None:
    """Refuse anything but a Scale, by its interface (the Scale module imports this one, so
    this one never imports it back)."""
    if not all(hasattr(scale, name) for name in ("items", "response_format", "language",
                                                  "content_hash", "to_dict")):
        raise OptionError(f"scale must be a Scale (see draft_scale), got {type(scale).__name__}")


# ---------------------------------------------------------------------- dispatch
def render(scale: Scale, format: str, language: str | None = None, *,
           items_per_page: int = ITEMS_PER_PAGE) -> str:
    """The scale in one of :data:`EXPORT_FORMATS` as text (what the files would contain).

    ``"yaml"``/``"json"`` give the saved-scale format of :meth:`Scale.save`; the REDCap and
    LimeSurvey texts have no byte-order mark (the files written by :func:`write_export`,
    :func:`to_redcap` and :func:`to_limesurvey` have one).

    Parameters
    ----------
    scale : Scale
    format : str
        One of :data:`EXPORT_FORMATS`.
    language : {"fr", "en"}, optional
        Language of the text (default: the scale's) for ``"markdown"``, ``"html"``,
        ``"redcap"`` and ``"qualtrics"``. ``"limesurvey"``, ``"yaml"`` and ``"json"`` hold
        both languages: give no ``language`` for them.
    items_per_page : int, default 8
        Items per page of the survey platforms' files.

    Returns
    -------
    str

    Raises
    ------
    OptionError
        For an unknown ``format``, a bad ``language``, or a ``language`` given for a
        format that holds both languages.

    Examples
    --------
    >>> render(als.draft_scale(items_per_facet=1), "qualtrics").splitlines()[0]
    '[[AdvancedFormat]]'
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
        return _redcap_text(scale, language, items_per_page)
    if format == "limesurvey":
        return _limesurvey_text(scale, items_per_page)
    if format == "qualtrics":
        return _qualtrics_text(scale, language, items_per_page)
    return scale.dumps(format)  # "yaml" or "json"


def write_export(scale: Scale, format: str, path: str | Path,
                 language: str | None = None) -> Path:
    """Write :func:`render`'s text to ``path`` with the format's encoding (REDCap and
    LimeSurvey: UTF-8 with a byte-order mark; the others UTF-8).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_export(als.draft_scale(items_per_facet=1), "redcap", folder / "d.csv").name
    'd.csv'
    """
    path = Path(path)
    return write_atomic(path, render(scale, format, language),
                        _ENCODINGS.get(format, "utf-8"))
