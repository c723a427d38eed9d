"""The validation report: sections of tables and figures, the criteria, and three renderings.

A :class:`ValidationReport` holds what :func:`~alliance_scale.validate` computed: the result
objects of each library call (``results``), the tables and figures drawn from them
(``sections``), the judged criteria, item-level advice and a reproducibility footer. It
renders to one self-contained HTML file (figures inline as SVG, print CSS, every text
escaped, nothing loaded from the network), to Markdown (figures written beside it as SVG
files) and to JSON for machines. Raw responses are never stored in a report: only
statistics, counts and figures of distributions.

The HTML is written with the standard library (``html.escape``) rather than a template
engine: the page is a fixed sequence of headings, paragraphs, tables and figures, and a
dependency for it would be heavier than the forty lines below.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import shlex
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_choice
from .._io import write_atomic
from .._results import Result
from ..errors import OptionError
from ._criteria import SOURCES, Criterion, criteria_frame

__all__ = ["ValidationReport"]

#: How numbers are written in the report's tables: fixed point, never scientific notation.
_DIGITS = 3
#: Labels (column or row names) of p values, written as APA does (``.064``, ``< .001``).
_P_LABEL = re.compile(r"(?:^|[\s_'])p(?:[\s_]?value)?(?:$|[\s_])", re.IGNORECASE)
#: Labels of degrees of freedom, written as integers when they are whole.
_DF_LABEL = re.compile(r"(?:^|[\s_])(?:df|dof)\d*(?:$|[\s_])", re.IGNORECASE)
#: Unicode's "first strong isolate" and "pop directional isolate": user text interpolated
#: into a sentence or heading is wrapped in them (:func:`isolate`), rendered as ``<bdi>``.
FSI, PDI = "\u2068", "\u2069"
#: Explicit embeddings, overrides and isolates (Unicode bidi formatting characters).
_BIDI_OPEN = {"\u202a": "\u202c", "\u202b": "\u202c", "\u202d": "\u202c",
              "\u202e": "\u202c", "\u2066": PDI, "\u2067": PDI, FSI: PDI}


def isolate(text: object) -> str:
    """User text (a group label, a column or file name) isolated for interpolation.

    Wrapped in U+2068 / U+2069 (first strong isolate / pop directional isolate), so that
    a right-to-left label or a bidi override inside it (U+202E) cannot reorder the words
    around it; the HTML report renders the pair as ``<bdi>``. The text's own bidi
    characters are balanced first (a stray U+2069 cannot close the isolate early).

    Examples
    --------
    >>> from alliance_scale.report._report import isolate
    >>> isolate("\u202eevil") == "\u2068\u202eevil\u202c\u2069"
    True
    """
    return f"{FSI}{_bidi_balanced(str(text), tags=False)}{PDI}"


@dataclass(frozen=True)
class Table:
    """A captioned table of a section (statistics only)."""

    caption: str
    frame: pd.DataFrame
    note: str = ""


class Figure:
    """A captioned figure, kept as SVG text (self-contained, no external font or image).

    ``svg`` is the SVG text, or a function that returns it: the figure is then drawn once,
    when its SVG is first read, and kept (:func:`~alliance_scale.validate`'s figures are
    drawn when the report is written or shown, not while the analyses run, so a summary,
    the results or the JSON report cost no drawing). Immutable, compared by caption, SVG
    and name, as a frozen dataclass."""

    __slots__ = ("_draw", "_lock", "_svg", "caption", "name")

    def __init__(self, caption: str, svg: str | Callable[[], str], name: str) -> None:
        for slot, value in (("caption", caption), ("name", name),
                            ("_svg", svg if isinstance(svg, str) else None),
                            ("_draw", None if isinstance(svg, str) else svg),
                            ("_lock", threading.Lock())):
            object.__setattr__(self, slot, value)

    @property
    def svg(self) -> str:
        """The SVG text (drawn now if it was not yet)."""
        if self._svg is None:
            with self._lock:  # one drawing, even when threads ask at once
                if self._svg is None:
                    object.__setattr__(self, "_svg", self._draw())
                    object.__setattr__(self, "_draw", None)  # its data can go
        return self._svg

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Figure is immutable: cannot assign to {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Figure is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Figure):
            return NotImplemented
        return (self.caption, self.name, self.svg) == (other.caption, other.name, other.svg)

    def __hash__(self) -> int:
        return hash((self.caption, self.name, self.svg))

    def __repr__(self) -> str:
        drawn = f"{len(self._svg)} characters" if self._svg is not None else "not drawn yet"
        return f"Figure(caption={self.caption!r}, name={self.name!r}, svg=<{drawn}>)"

    def __reduce__(self) -> tuple[Any, ...]:  # pickled drawn: the SVG, not the function
        return (Figure, (self.caption, self.svg, self.name))


@dataclass(frozen=True)
class Section:
    """One part of the report: a title, paragraphs, tables and figures, in that order."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True, eq=False, repr=False)
class ValidationReport(Result):
    """Everything :func:`~alliance_scale.validate` found, ready to read or to render.

    Attributes
    ----------
    title : str
        The report's title (the scale's name).
    sections : tuple of Section
        In reading order: data and fielding, items, careless responding, reliability,
        factorability, number of factors, exploratory structure, confirmatory structure,
        convergent validity, known groups, test-retest (those that apply).
    criteria : tuple of Criterion
        Each judged number with its cut-off, verdict and source.
    advice : tuple of str
        Item-level advice in plain language (never an automatic removal).
    notes : tuple of str
        Warnings and caveats of the run (e.g. CFA on the same data as the EFA).
    results : dict of str to object
        The library results behind every number (``results["reliability"]`` is the
        :class:`~alliance_scale.ReliabilityResult` of the run, ...).
    footer : dict of str to object
        Reproducibility: versions, seed, SHA-256 of the data and of the scale, the call.
    narrative : tuple of str
        The summary's opening: what holds and what does not, ordered by consequence.
    decisions : tuple of str
        Items to revise or drop, facets to rework, whether the sample supports a
        confirmatory claim.

    Examples
    --------
    >>> report = als.validate(als.load_pilot(), als.draft_scale(), progress=False)
    >>> verdicts = ["met", "not met", "inconclusive", "not testable"]
    >>> bool(report.criteria_table()["verdict"].isin(verdicts).all())
    True
    >>> "<script" in report.to_html()
    False
    """

    title: str
    sections: tuple[Section, ...]
    criteria: tuple[Criterion, ...]
    advice: tuple[str, ...]
    notes: tuple[str, ...]
    results: dict[str, Any] = field(default_factory=dict)
    footer: dict[str, Any] = field(default_factory=dict)
    narrative: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()

    # ------------------------------------------------------------------ tables
    def criteria_table(self) -> pd.DataFrame:
        """One row per criterion: section, criterion, value, rule, verdict, source."""
        return criteria_frame(list(self.criteria))

    def to_frame(self) -> pd.DataFrame:
        return self.criteria_table()

    def summary(self) -> str:
        """The plain-language summary: the counts, the narrative, the decisions, then each
        criterion (with the reason when it is not testable or inconclusive)."""
        frame = self.criteria_table()
        counts = frame["verdict"].value_counts()
        lines = [
            f"{self.title}: {counts.get('met', 0)} of {len(frame)} criteria met, "
            f"{counts.get('not met', 0)} not met, {counts.get('inconclusive', 0)} "
            f"inconclusive, {counts.get('not testable', 0)} not testable."
        ]
        lines += list(self.narrative)
        if self.decisions:
            lines += ["Decisions:"] + [f"- {d}" for d in self.decisions]
        lines.append("Criteria:")
        for criterion in self.criteria:
            lines.append(
                f"- [{criterion.verdict}] {criterion.section}: {criterion.name} = "
                f"{format_number(criterion.value, criterion.name)} (rule {criterion.rule}; "
                f"{criterion.source})"
                + (f" - {criterion.reason}" if criterion.reason and criterion.met is not True
                   else "")
            )
        return "\n".join(lines)

    def _summary(self) -> dict[str, Any]:
        frame = self.criteria_table()
        return {
            "sections": len(self.sections),
            "criteria met": f"{int((frame['verdict'] == 'met').sum())} of {len(frame)}",
            "item advice": len(self.advice),
        }

    # ------------------------------------------------------------------ renderings
    def to_html(self, path: str | Path | None = None) -> str:
        """The report as one self-contained HTML page (written to ``path`` when given).

        Figures are inline SVG; the style sheet is inline, with print rules (A4, no
        page break inside a table or figure); nothing is fetched from the network; every
        text is escaped.

        Parameters
        ----------
        path : str or Path, optional
            File to write (UTF-8). The text is returned either way.

        Returns
        -------
        str
        """
        text = _render_html(self, path)
        return _written(text, path)

    def to_markdown(self, path: str | Path | None = None) -> str:
        """The report as Markdown; with ``path``, its figures are written beside it as SVG.

        Parameters
        ----------
        path : str or Path, optional
            File to write; figures go to ``<stem>_figures/<name>.svg`` next to it and are
            linked. Without a path, figures are listed by caption only.

        Returns
        -------
        str
        """
        folder = None
        if path is not None:
            path = Path(path)
            folder = path.parent / f"{path.stem}_figures"
        text = _render_markdown(self, None if folder is None else folder.name, path)
        if path is not None:
            payload = text.encode("utf-8")  # fails before anything is written
            figures = [f for section in self.sections for f in section.figures]
            if figures:
                folder.mkdir(parents=True, exist_ok=True)
            for figure in figures:
                write_atomic(folder / f"{figure.name}.svg", figure.svg)
            write_atomic(path, payload)
        return text

    def to_json(self, path: str | Path | None = None) -> str:
        """The report's numbers for machines: criteria, tables, advice, notes, footer.

        Figures are left out (they are drawings of the tables). Missing numbers are
        ``null``.

        Parameters
        ----------
        path : str or Path, optional
            File to write (UTF-8).

        Returns
        -------
        str
        """
        data = {
            "title": self.title,
            "criteria": _records(self.criteria_table()),
            "sections": [
                {"key": s.key, "title": s.title, "paragraphs": list(s.paragraphs),
                 "tables": [{"caption": t.caption, "note": t.note,
                             "columns": [str(c) for c in t.frame.reset_index().columns],
                             "rows": _records(t.frame.reset_index())} for t in s.tables]}
                for s in self.sections
            ],
            "narrative": list(self.narrative),
            "decisions": list(self.decisions),
            "advice": list(self.advice),
            "notes": list(self.notes),
            "footer": _plain({**self.footer, **dict(zip(
                ("command", "call"), rerun_lines(self.footer, path, "json"), strict=True)),
                "references": cited_references(self)}),
        }
        return _written(json.dumps(data, ensure_ascii=False, indent=2) + "\n", path)

    def save(self, path: str | Path, format: str | None = None) -> Path:
        """Write the report as HTML, Markdown or JSON, chosen by ``format`` or the suffix.

        Parameters
        ----------
        path : str or Path
        format : {"html", "md", "json"}, optional
            Default: from the suffix (``.html``/``.htm``, ``.md``/``.markdown``, ``.json``;
            another suffix is refused). The file is written atomically: a failure leaves
            an existing file as it was.

        Returns
        -------
        Path
        """
        path = Path(path)
        if format is None:
            format = REPORT_SUFFIXES.get(path.suffix.lower())
            if format is None:
                raise OptionError(
                    f"cannot tell the report's format from the suffix of {str(path)!r}: use "
                    f"{', '.join(REPORT_SUFFIXES)} (or format=); for a PDF, open the HTML "
                    "report in a browser and print it (it has a print layout)")
        check_choice("format", format, ("html", "md", "json"))
        {"html": self.to_html, "md": self.to_markdown, "json": self.to_json}[format](path)
        return path


#: Report format of each file suffix (what :meth:`ValidationReport.save` infers).
REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md",
                   ".json": "json"}


# ---------------------------------------------------------------------- formatting
def _number(value: Any) -> str:
    """A number as the report writes it: fixed point, ``-`` when missing."""
    if value is None or isinstance(value, (bool, np.bool_)):
        return "-" if value is None else ("yes" if value else "no")
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            return "-"
        if value != 0 and abs(value) < 0.001:
            return "< .001" if value > 0 else "> -.001"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{_DIGITS}f}"
    return str(value)


def format_number(value: Any, *labels: Any) -> str:
    """A number as the report writes it, by what its labels (column, row name) say it is.

    p values (``p``, ``p value``, ``p_adjusted``, ``Bartlett p``...) as APA writes them:
    three decimals without the leading zero, ``< .001`` below (never ``0.000``); degrees
    of freedom (``df``, ``dof``, ``df1``...) as integers when whole; anything else as
    :func:`_number` (fixed point, 3 decimals).
    """
    text = " ".join(str(label) for label in labels if isinstance(label, str))
    number = value if isinstance(value, (int, float, np.integer, np.floating)) and not \
        isinstance(value, (bool, np.bool_)) else None
    if number is not None and math.isfinite(number):
        if _P_LABEL.search(text) and 0.0 <= number <= 1.0:
            return "< .001" if number < 0.0005 else f"{number:.3f}".removeprefix("0")
        if _DF_LABEL.search(text) and float(number).is_integer():
            return str(int(number))
    return _number(value)


def _cell(value: Any, *labels: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v, *labels) for v in value)
    if isinstance(value, float) or isinstance(value, (np.floating, np.integer, int)):
        return format_number(value, *labels)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if pd.isna(value) if not isinstance(value, (list, tuple, dict)) else False:
        return "-"
    return str(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _plain(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN to None, containers recursively."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(value) else float(value)
    if value is None or isinstance(value, (int, str)):
        return value
    return str(value)


def _written(text: str, path: str | Path | None) -> str:
    if path is not None:
        write_atomic(path, text)
    return text


# ---------------------------------------------------------------------- user text
def _bidi_balanced(text: str, *, tags: bool) -> str:
    """``text`` with its bidi formatting characters balanced, as HTML (``tags``) or text.

    Isolates (U+2066-U+2068 ... U+2069) become ``<bdi>`` elements in HTML; embeddings and
    overrides (U+202A-U+202E ... U+202C) stay characters. Whatever is left open at the end
    of the text (or of the isolate it sits in) is closed there, and closers without an
    opener are dropped: a label cannot reorder the text around it.
    """
    if not any(c in text for c in (*_BIDI_OPEN, "\u202c", PDI)):
        return html.escape(text, quote=True) if tags else text
    out: list[str] = []
    stack: list[str] = []  # open characters, innermost last

    def close_embeddings() -> None:
        while stack and stack[-1] not in (FSI, "\u2066", "\u2067"):
            stack.pop()
            out.append("\u202c")

    for char in text:
        if char in ("\u2066", "\u2067", FSI):
            stack.append(char)
            if tags:
                direction = {"\u2066": ' dir="ltr"', "\u2067": ' dir="rtl"'}.get(char, "")
                out.append(f"<bdi{direction}>")
            else:
                out.append(char)
        elif char == PDI:
            if any(c in ("\u2066", "\u2067", FSI) for c in stack):
                close_embeddings()
                stack.pop()
                out.append("</bdi>" if tags else PDI)
        elif char in _BIDI_OPEN:
            stack.append(char)
            out.append(char)
        elif char == "\u202c":
            if stack and stack[-1] not in ("\u2066", "\u2067", FSI):
                stack.pop()
                out.append(char)
        else:
            out.append(html.escape(char, quote=True) if tags else char)
    while stack:
        close_embeddings()
        if stack:
            stack.pop()
            out.append("</bdi>" if tags else PDI)
    return "".join(out)


def _plain_text(text: Any) -> str:
    """One line of text: every line break (CR, LF, VT, FF, NEL, U+2028/2029) a space."""
    return " ".join(str(text).splitlines())


# ---------------------------------------------------------------------- references
#: An author-year citation in running text: "Koo & Li (2016)", "Zumbo et al. 2007".
_CITATION = re.compile(r"\b([A-Z][\w'-]+)(?:,? (?:&|and) (?:[a-z]+ )?[A-Z][\w'-]+|,? et al\.)?"
                       r",? \(?((?:19|20)\d\d)\)?")
#: The first author and year of a reference: "Koo, T. K., & Li, M. Y. (2016). ..."
_REFERENCE = re.compile(r"^([^,]+),.*?\(((?:19|20)\d\d)\)")


def _report_texts(report: ValidationReport) -> list[str]:
    """Every text of the report a reader sees, where sources are cited."""
    texts = [report.title, *report.advice, *report.notes]
    for criterion in report.criteria:
        texts += [criterion.section, criterion.name]
    for section in report.sections:
        texts += [section.title, *section.paragraphs]
        texts += [t for table in section.tables for t in (table.caption, table.note)]
        texts += [figure.caption for figure in section.figures]
    return [str(t) for t in texts]


def cited_references(report: ValidationReport) -> list[str]:
    """The references the report cites, each once, sorted: the sources of its criteria
    and every author-year citation of its texts (``Koo & Li (2016)``) found in
    :data:`~._criteria.SOURCES` (matched by first author and year)."""
    by_author_year = {}
    for text in SOURCES.values():
        match = _REFERENCE.match(text)
        if match:
            by_author_year[(match.group(1), match.group(2))] = text
    cited = {SOURCES[c.source] for c in report.criteria if c.source in SOURCES}
    for text in _report_texts(report):
        for match in _CITATION.finditer(text):
            reference = by_author_year.get((match.group(1), match.group(2)))
            if reference is not None:
                cited.add(reference)
    return sorted(cited)


# ---------------------------------------------------------------------- rerun
def _shell_word(word: str) -> str:
    """``word`` quoted for a POSIX shell, on one line: a name holding a control character
    (a line break), a bidi control (which would reorder the line as displayed) or bytes
    that are not UTF-8 (surrogate escapes) in bash's ANSI-C form ``$'...\\x0a...'``,
    which gives the same bytes back."""
    try:
        word.encode("utf-8")
        plain = not re.search(r"[\x00-\x1f\x7f\x85\u2028\u2029\u061c\u200e\u200f"
                              r"\u202a-\u202e\u2066-\u2069]", word)
    except UnicodeEncodeError:
        plain = False
    if plain:
        return shlex.quote(word)
    raw = os.fsencode(word)
    return "$'" + "".join(chr(b) if 32 <= b < 127 and chr(b) not in "'\\" else f"\\x{b:02x}"
                          for b in raw) + "'"


def _suffix_format(path: Path) -> str:
    return {".htm": "html", ".html": "html", ".md": "md", ".markdown": "md",
            ".json": "json"}.get(path.suffix.lower(), "html")


def rerun_lines(footer: dict[str, Any], path: str | Path | None,
                format: str) -> tuple[str, str]:
    """The command line and the Python call that write this report again, byte for byte.

    Built from the arguments of :func:`~alliance_scale.validate` kept in the footer
    (``rerun``), with ``--report PATH`` / ``.save(PATH)`` when the report is written to
    ``path``. When the run has no command-line form (e.g. responses given as a
    DataFrame), the command says why instead.
    """
    rerun = footer.get("rerun", {})
    call = "als.validate(" + ", ".join(rerun.get("python", ["..."])) + ")"
    options = rerun.get("cli")
    if path is not None:
        path = Path(path)
        named = _suffix_format(path) != format
        call += f".save({str(path)!r}" + (f", format={format!r})" if named else ")")
        if options is not None:
            options = [*options, "--report", str(path)] + (["--format", format] if named
                                                           else [])
    if options is None:
        return "(no command-line form: " + rerun.get("why", "unknown arguments") + ")", call
    words = ["alliance-scale", "validate"]
    data = rerun.get("data")
    if data is not None and not data.startswith("-"):
        words.append(_shell_word(data))
    words += [_shell_word(option) for option in options]
    if data is not None and data.startswith("-"):  # read as an option otherwise
        words += ["--", _shell_word(data)]
    return " ".join(words), call


# ---------------------------------------------------------------------- HTML
_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 78rem;
       margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
p, ul, figcaption, .subtitle { max-width: 62rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem;
     border-bottom: 2px solid #d0d7de; padding-bottom: .2rem; }
.subtitle { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .86rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border-bottom: 1px solid #d0d7de; padding: .2rem .45rem; text-align: right;
         vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; overflow-wrap: break-word; }
td.text, th.text { text-align: left; } td.num { white-space: nowrap; }
td.text { overflow-wrap: break-word; }
td.met { color: #116329; font-weight: 600; } td.notmet { color: #a40e26; font-weight: 600; }
td.untestable { color: #57606a; } td.inconclusive { color: #9a6700; font-weight: 600; }
table.stacked tr.main td { border-bottom: none; }
table.stacked tr.detail td { color: #3d444d; font-size: .8rem; padding-bottom: .35rem; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
figcaption { color: #57606a; font-size: .88rem; }
.note { color: #57606a; font-size: .88rem; } .advice li { margin: .15rem 0; }
footer { margin-top: 3rem; font-size: .8rem; color: #57606a; border-top: 1px solid #d0d7de; }
footer code { overflow-wrap: anywhere; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; }
  p, ul, figcaption, .subtitle { max-width: none; }
  h1 { font-size: 15pt; } h2 { font-size: 12.5pt; margin-top: 1.2rem; }
  h2, h3, caption { break-after: avoid; }
  div.lead { break-inside: avoid; } p { orphans: 3; widows: 3; }
  thead { display: table-header-group; } tr { break-inside: avoid; }
  tr.main { break-after: avoid; }
  table.short, figure { break-inside: avoid; }
  figure svg { max-height: 250mm; width: auto; max-width: 100%; }
  table { font-size: 7.5pt; } th, td { padding: .05rem .25rem; }
  a { color: inherit; text-decoration: none; }
}
@page { size: A4; margin: 12mm; }
"""

#: Tables up to this many rows are kept on one printed page; longer ones break between
#: rows (the header repeated), so that the summary's criteria start on page 1.
_SHORT_TABLE = 25
#: Tables with more columns are stacked: their text columns longer than ``_LONG_TEXT``
#: characters (or empty) go under each row.
_WIDE, _LONG_TEXT = 12, 6
#: Colour of a verdict cell: green when the claim holds, red when it fails, grey else.
_VERDICT_CLASS = {"met": "met", "confirmed": "met", "acceptable": "met",
                  "not met": "notmet", "not confirmed": "notmet", "not acceptable": "notmet"}


def _e(text: Any) -> str:
    """Text escaped for HTML, bidi isolates as ``<bdi>`` and every override closed."""
    return _bidi_balanced(str(text), tags=True)


def _row_label(frame: pd.DataFrame, label: str | None) -> list[str]:
    """The row names the numbers of a table are read by (for :func:`format_number`)."""
    column = label if label is not None else frame.columns[0]
    return [str(v) for v in frame[column]] if column in frame.columns else [""] * len(frame)


def _html_table(frame: pd.DataFrame, caption: str, note: str = "",
                label: str | None = None) -> str:
    """A table; a wide one (more than :data:`_WIDE` columns) stacked: its long text
    columns (but the first and the verdict) go to a line under each row, so that no
    column is hidden behind a scroll at 1280 px nor cut on paper."""
    frame = frame.reset_index() if _named_index(frame) else frame
    text = {c: _is_text(frame[c]) for c in frame.columns}
    def long_or_empty(column: Any) -> bool:
        longest = frame[column].map(lambda v: len(_cell(v).strip("-"))).max()
        return longest == 0 or longest > _LONG_TEXT

    stacked = [c for i, c in enumerate(frame.columns)
               if len(frame.columns) > _WIDE and i and c != "verdict" and text[c]
               and not pd.api.types.is_bool_dtype(frame[c]) and long_or_empty(c)]
    shown = [c for c in frame.columns if c not in stacked]
    head = "".join(
        f'<th class="{"text" if text[c] else "num"}" scope="col">'
        f'{_e(c).replace("_", "_<wbr>")}</th>' for c in shown
    )
    rows = []
    for row_label, (_, row) in zip(_row_label(frame, label), frame.iterrows(), strict=True):
        cells = []
        for column in shown:
            value = row[column]
            classes = ["text"] if text[column] else ["num"]
            if column == "verdict":
                classes.append(_VERDICT_CLASS.get(str(value), "untestable"))
            cells.append(f'<td class="{" ".join(classes)}">'
                         f"{_e(_cell(value, column, row_label))}</td>")
        rows.append('<tr class="main">' + "".join(cells) + "</tr>" if stacked else
                    "<tr>" + "".join(cells) + "</tr>")
        details = [f"<b>{_e(c)}</b>: {_e(_cell(row[c], c, row_label))}" for c in stacked
                   if _cell(row[c], c, row_label) not in ("", "-")]
        if stacked:
            rows.append(f'<tr class="detail"><td class="text" colspan="{len(shown)}">'
                        + " · ".join(details) + "</td></tr>")
    note_html = f'<p class="note">{_e(note)}</p>' if note else ""
    classes = " ".join(c for c, on in (("short", len(frame) <= _SHORT_TABLE),
                                       ("stacked", bool(stacked))) if on)
    return (f'<div class="table"><table{f" class={chr(34)}{classes}{chr(34)}" if classes else ""}>'
            f"<caption>{_e(caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
            f"{note_html}")


def _named_index(frame: pd.DataFrame) -> bool:
    return frame.index.name is not None or not isinstance(frame.index, pd.RangeIndex)


def _is_text(column: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column))


def _render_html(report: ValidationReport, path: str | Path | None = None) -> str:
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{_e(_plain_text(report.title))}</title>", f"<style>{_CSS}</style>",
        "</head>", "<body>",
        f'<h1 dir="auto">{_e(report.title)}</h1>',
        f'<p class="subtitle">{_e(_subtitle(report))}</p>',
        '<section id="summary"><h2>Summary</h2>',
        *[f'<p class="narrative">{_e(n)}</p>' for n in report.narrative],
        f"<p>{_e(report.summary().splitlines()[0])}</p>",
        *(["<h3>Decisions</h3><ul class=\"decisions\">"
           + "".join(f"<li>{_e(d)}</li>" for d in report.decisions) + "</ul>"]
          if report.decisions else []),
        _html_table(report.criteria_table(), "Criteria, their cut-offs and sources",
                    label="criterion"),
    ]
    if report.advice:
        parts.append("<h3>Item-level advice</h3><ul class=\"advice\">"
                     + "".join(f"<li>{_e(a)}</li>" for a in report.advice) + "</ul>")
    if report.notes:
        parts.append("<h3>Notes</h3><ul>"
                     + "".join(f"<li>{_e(n)}</li>" for n in report.notes) + "</ul>")
    parts.append("</section>")
    for section in report.sections:
        # the heading, its paragraphs and the first table or figure stay on one printed
        # page (no heading orphaned at the foot of a page); a long table may break
        blocks = [(_html_table(t.frame, t.caption, t.note), len(t.frame) <= _SHORT_TABLE)
                  for t in section.tables]
        blocks += [(f'<figure id="fig-{_e(f.name)}">{_svg_body(f.svg)}'
                    f"<figcaption>{_e(f.caption)}</figcaption></figure>", True)
                   for f in section.figures]
        lead = [f"<h2>{_e(section.title)}</h2>", *(f"<p>{_e(p)}</p>" for p in section.paragraphs)]
        if blocks and blocks[0][1]:
            lead.append(blocks.pop(0)[0])
        parts.append(f'<section id="{_e(section.key)}"><div class="lead">' + "".join(lead)
                     + "</div>")
        parts += [block for block, _ in blocks]
        parts.append("</section>")
    parts.append(_html_footer(report, path))
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _svg_body(svg: str) -> str:
    """The ``<svg>`` element of a matplotlib SVG file (XML prolog and doctype dropped)."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else ""


def _subtitle(report: ValidationReport) -> str:
    footer = report.footer
    return (f"Validation report · {footer.get('respondents', '?')} respondents · "
            f"{footer.get('items', '?')} items · scale {footer.get('scale_version', '')} · "
            f"generated by alliance-scale {footer.get('alliance_scale', '')}")


def _html_footer(report: ValidationReport, path: str | Path | None) -> str:
    footer = report.footer
    versions = ", ".join(f"{k} {v}" for k, v in footer.get("versions", {}).items())
    command, call = rerun_lines(footer, path, "html")
    references = "".join(f"<li>{_e(r)}</li>" for r in cited_references(report))
    return (
        "<footer><h2>Reproducibility</h2><ul>"
        f"<li>Rerun: <code>{_e(command)}</code></li>"
        f"<li>Python call (<code>import alliance_scale as als</code>): <code>{_e(call)}</code>"
        "</li>"
        f"<li>Seed: {_e(footer.get('seed', ''))}</li>"
        f"<li>Data SHA-256: <code>{_e(footer.get('data_sha256', ''))}</code></li>"
        f"<li>Scale content hash: <code>{_e(footer.get('scale_sha256', ''))}</code></li>"
        f"<li>Versions: {_e(versions)}</li></ul>"
        f"<h3>References</h3><ul>{references}</ul></footer>"
    )


# ---------------------------------------------------------------------- Markdown
#: Characters that start Markdown inline markup (emphasis, code, links, tables, strike).
_MD_INLINE = re.compile(r"[\\`*_\[\]|~#]")
#: What would start a block at the beginning of a line (list, heading rule, setext).
_MD_BLOCK_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))")


def _md(text: Any) -> str:
    """User or report text as inert CommonMark: one line, ``&<>`` as entities (as the
    HTML report writes them: no raw HTML, no autolink), markup characters backslashed
    (no emphasis, link, code span or table cell break), bidi overrides closed."""
    text = _bidi_balanced(_plain_text(text), tags=False)
    text = html.escape(text, quote=False)
    text = _MD_INLINE.sub(lambda m: "\\" + m.group(0), text)
    return _MD_BLOCK_START.sub(
        lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else
                                m.group(3) + "\\" + m.group(4)), text)


def _md_code(text: Any) -> str:
    """A CommonMark code span holding ``text`` verbatim, whatever backticks it holds."""
    text = _bidi_balanced(_plain_text(text), tags=False)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"


def _md_link(target: str) -> str:
    """A link destination valid in CommonMark whatever the path holds (percent-encoded)."""
    return urllib.parse.quote(target, safe="/")


def _md_table(frame: pd.DataFrame, caption: str, note: str = "",
              label: str | None = None) -> str:
    frame = frame.reset_index() if _named_index(frame) else frame
    header = "| " + " | ".join(_md(c) for c in frame.columns) + " |"
    align = "|" + "|".join("---" if _is_text(frame[c]) else "---:" for c in frame.columns) + "|"
    rows = ["| " + " | ".join(_md(_cell(v, c, row_label)) for c, v in zip(
        frame.columns, row, strict=True)) + " |"
            for row_label, row in zip(_row_label(frame, label), frame.itertuples(index=False),
                                      strict=True)]
    lines = [f"**{_md(caption)}**", "", header, align, *rows]
    if note:
        lines += ["", f"*{_md(note)}*"]
    return "\n".join(lines)


def _render_markdown(report: ValidationReport, folder: str | None,
                     path: str | Path | None = None) -> str:
    lines = [f"# {_md(report.title)}", "", f"*{_md(_subtitle(report))}*", "", "## Summary", ""]
    for paragraph in report.narrative:
        lines += [_md(paragraph), ""]
    lines += [_md(report.summary().splitlines()[0]), ""]
    if report.decisions:
        lines += ["### Decisions", ""] + [f"- {_md(d)}" for d in report.decisions] + [""]
    lines += [_md_table(report.criteria_table(), "Criteria, their cut-offs and sources",
                        label="criterion"), ""]
    if report.advice:
        lines += ["### Item-level advice", ""] + [f"- {_md(a)}" for a in report.advice] + [""]
    if report.notes:
        lines += ["### Notes", ""] + [f"- {_md(n)}" for n in report.notes] + [""]
    for section in report.sections:
        lines += [f"## {_md(section.title)}", ""]
        for paragraph in section.paragraphs:
            lines += [_md(paragraph), ""]
        for table in section.tables:
            lines += [_md_table(table.frame, table.caption, table.note), ""]
        for figure in section.figures:
            if folder is None:
                lines += [f"*Figure: {_md(figure.caption)}*", ""]
            else:
                lines += [f"![{_md(figure.caption)}]({_md_link(f'{folder}/{figure.name}.svg')})",
                          ""]
    footer = report.footer
    command, call = rerun_lines(footer, path, "md")
    lines += ["## Reproducibility", "",
              f"- Rerun: {_md_code(command)}",
              f"- Python call ({_md_code('import alliance_scale as als')}): {_md_code(call)}",
              f"- Seed: {_md(footer.get('seed', ''))}",
              f"- Data SHA-256: {_md_code(footer.get('data_sha256', ''))}",
              f"- Scale content hash: {_md_code(footer.get('scale_sha256', ''))}",
              "- Versions: " + _md(", ".join(f"{k} {v}" for k, v in
                                             footer.get("versions", {}).items())),
              "", "### References", ""]
    lines += [f"- {_md(reference)}" for reference in cited_references(report)] + [""]
    return "\n".join(lines)
