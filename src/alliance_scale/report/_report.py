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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_choice
from .._results import Result
from ._criteria import SOURCES, Criterion, criteria_frame

__all__ = ["ValidationReport"]

#: How numbers are written in the report's tables: fixed point, never scientific notation.
_DIGITS = 3


@dataclass(frozen=True)
class Table:
    """A captioned table of a section (statistics only)."""

    caption: str
    frame: pd.DataFrame
    note: str = ""


@dataclass(frozen=True)
class Figure:
    """A captioned figure, kept as SVG text (self-contained, no external font or image)."""

    caption: str
    svg: str
    name: str


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
                f"{_number(criterion.value)} (rule {criterion.rule}; {criterion.source})"
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
        text = _render_html(self)
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
            folder.mkdir(parents=True, exist_ok=True)
            for section in self.sections:
                for figure in section.figures:
                    (folder / f"{figure.name}.svg").write_text(figure.svg, encoding="utf-8")
        text = _render_markdown(self, None if folder is None else folder.name)
        return _written(text, path)

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
            "footer": _plain(self.footer),
        }
        return _written(json.dumps(data, ensure_ascii=False, indent=2) + "\n", path)

    def save(self, path: str | Path, format: str | None = None) -> Path:
        """Write the report as HTML, Markdown or JSON, chosen by ``format`` or the suffix.

        Parameters
        ----------
        path : str or Path
        format : {"html", "md", "json"}, optional
            Default: from the suffix (``.html``/``.htm``, ``.md``, ``.json``).

        Returns
        -------
        Path
        """
        path = Path(path)
        if format is None:
            format = {".htm": "html", ".html": "html", ".md": "md", ".markdown": "md",
                      ".json": "json"}.get(path.suffix.lower(), "html")
        check_choice("format", format, ("html", "md", "json"))
        {"html": self.to_html, "md": self.to_markdown, "json": self.to_json}[format](path)
        return path


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


def _cell(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, float) or isinstance(value, (np.floating, np.integer, int)):
        return _number(value)
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
        Path(path).write_text(text, encoding="utf-8")
    return text


# ---------------------------------------------------------------------- HTML
_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 62rem;
       margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem;
     border-bottom: 2px solid #d0d7de; padding-bottom: .2rem; }
.subtitle { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .86rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; white-space: nowrap; }
div.table { overflow-x: auto; max-width: 100%; }
th, td { border-bottom: 1px solid #d0d7de; padding: .2rem .55rem; text-align: right; }
th { background: #f6f8fa; } td.text, th.text { text-align: left; }
td { white-space: nowrap; } td.text { white-space: normal; }
td.met { color: #116329; font-weight: 600; } td.notmet { color: #a40e26; font-weight: 600; }
td.untestable { color: #57606a; } td.inconclusive { color: #9a6700; font-weight: 600; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
figcaption { color: #57606a; font-size: .88rem; }
.note { color: #57606a; font-size: .88rem; } .advice li { margin: .15rem 0; }
footer { margin-top: 3rem; font-size: .8rem; color: #57606a; border-top: 1px solid #d0d7de; }
footer code { word-break: break-all; }
@media print {
  body { max-width: none; margin: 0; font-size: 10pt; }
  h2 { break-after: avoid; } table, figure { break-inside: avoid; }
  div.table { overflow: visible; } caption { white-space: normal; }
  figure svg { max-height: 255mm; width: auto; max-width: 100%; }
  table { font-size: 7.5pt; } th, td { padding: .05rem .3rem; }
  a { color: inherit; text-decoration: none; }
}
@page { size: A4; margin: 15mm; }
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _html_table(frame: pd.DataFrame, caption: str, note: str = "") -> str:
    frame = frame.reset_index() if _named_index(frame) else frame
    head = "".join(
        f'<th class="{"text" if _is_text(frame[c]) else "num"}" scope="col">{_e(c)}</th>'
        for c in frame.columns
    )
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for column, value in row.items():
            classes = ["text"] if _is_text(frame[column]) else []
            if column == "verdict":
                classes.append({"met": "met", "not met": "notmet",
                                "inconclusive": "inconclusive"}.get(value, "untestable"))
            cells.append(f'<td class="{" ".join(classes)}">{_e(_cell(value))}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note_html = f'<p class="note">{_e(note)}</p>' if note else ""
    return (f'<div class="table"><table><caption>{_e(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
            f"{note_html}")


def _named_index(frame: pd.DataFrame) -> bool:
    return frame.index.name is not None or not isinstance(frame.index, pd.RangeIndex)


def _is_text(column: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column))


def _render_html(report: ValidationReport) -> str:
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{_e(report.title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        f"<h1>{_e(report.title)}</h1>",
        f'<p class="subtitle">{_e(_subtitle(report))}</p>',
        '<section id="summary"><h2>Summary</h2>',
        *[f'<p class="narrative">{_e(n)}</p>' for n in report.narrative],
        f"<p>{_e(report.summary().splitlines()[0])}</p>",
        *(["<h3>Decisions</h3><ul class=\"decisions\">"
           + "".join(f"<li>{_e(d)}</li>" for d in report.decisions) + "</ul>"]
          if report.decisions else []),
        _html_table(report.criteria_table(), "Criteria, their cut-offs and sources"),
    ]
    if report.advice:
        parts.append("<h3>Item-level advice</h3><ul class=\"advice\">"
                     + "".join(f"<li>{_e(a)}</li>" for a in report.advice) + "</ul>")
    if report.notes:
        parts.append("<h3>Notes</h3><ul>"
                     + "".join(f"<li>{_e(n)}</li>" for n in report.notes) + "</ul>")
    parts.append("</section>")
    for section in report.sections:
        parts.append(f'<section id="{_e(section.key)}"><h2>{_e(section.title)}</h2>')
        parts += [f"<p>{_e(p)}</p>" for p in section.paragraphs]
        parts += [_html_table(t.frame, t.caption, t.note) for t in section.tables]
        parts += [f'<figure id="fig-{_e(f.name)}">{_svg_body(f.svg)}'
                  f"<figcaption>{_e(f.caption)}</figcaption></figure>" for f in section.figures]
        parts.append("</section>")
    parts.append(_html_footer(report))
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


def _html_footer(report: ValidationReport) -> str:
    footer = report.footer
    versions = ", ".join(f"{k} {v}" for k, v in footer.get("versions", {}).items())
    cited = sorted({c.source for c in report.criteria if c.source in SOURCES})
    references = "".join(f"<li>{_e(SOURCES[s])}</li>" for s in cited)
    return (
        "<footer><h2>Reproducibility</h2><ul>"
        f"<li>Rerun: <code>{_e(footer.get('command', ''))}</code></li>"
        f"<li>Python call: <code>{_e(footer.get('call', ''))}</code></li>"
        f"<li>Seed: {_e(footer.get('seed', ''))}</li>"
        f"<li>Data SHA-256: <code>{_e(footer.get('data_sha256', ''))}</code></li>"
        f"<li>Scale content hash: <code>{_e(footer.get('scale_sha256', ''))}</code></li>"
        f"<li>Versions: {_e(versions)}</li></ul>"
        f"<h3>References</h3><ul>{references}</ul></footer>"
    )


# ---------------------------------------------------------------------- Markdown
def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_table(frame: pd.DataFrame, caption: str, note: str = "") -> str:
    frame = frame.reset_index() if _named_index(frame) else frame
    header = "| " + " | ".join(_md(c) for c in frame.columns) + " |"
    align = "|" + "|".join("---" if _is_text(frame[c]) else "---:" for c in frame.columns) + "|"
    rows = ["| " + " | ".join(_md(_cell(v)) for v in row) + " |"
            for row in frame.itertuples(index=False)]
    lines = [f"**{_md(caption)}**", "", header, align, *rows]
    if note:
        lines += ["", f"*{_md(note)}*"]
    return "\n".join(lines)


def _render_markdown(report: ValidationReport, folder: str | None) -> str:
    lines = [f"# {_md(report.title)}", "", f"*{_md(_subtitle(report))}*", "", "## Summary", ""]
    for paragraph in report.narrative:
        lines += [_md(paragraph), ""]
    lines += [report.summary().splitlines()[0], ""]
    if report.decisions:
        lines += ["### Decisions", ""] + [f"- {_md(d)}" for d in report.decisions] + [""]
    lines += [_md_table(report.criteria_table(), "Criteria, their cut-offs and sources"), ""]
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
                lines += [f"![{_md(figure.caption)}]({folder}/{figure.name}.svg)", ""]
    footer = report.footer
    lines += ["## Reproducibility", "",
              f"- Rerun: `{footer.get('command', '')}`",
              f"- Python call: `{footer.get('call', '')}`",
              f"- Seed: {footer.get('seed', '')}",
              f"- Data SHA-256: `{footer.get('data_sha256', '')}`",
              f"- Scale content hash: `{footer.get('scale_sha256', '')}`",
              "- Versions: " + ", ".join(f"{k} {v}" for k, v in footer.get("versions", {}).items()),
              ""]
    return "\n".join(lines)
