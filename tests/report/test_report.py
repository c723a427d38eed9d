"""The report's renderings (report/_report.py): reproducible rerun lines, references, number
formats, escaping of hostile text in HTML and Markdown, bidi isolation, layout rules."""

from __future__ import annotations

import ast
import html
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
import warnings
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from markdown_it import MarkdownIt

import alliance_scale as als
from alliance_scale.report._criteria import SOURCES, Criterion
from alliance_scale.report._report import (
    _CITATION,
    Figure,
    Section,
    Table,
    ValidationReport,
    cited_references,
    format_number,
    isolate,
    rerun_lines,
)
from alliance_scale.report._validate import _rerun

SRC = Path(als.__file__).resolve().parents[1]

#: Hostile user text, one of each kind: raw HTML, event handlers, links and autolinks,
#: Markdown markup, code-span breakers, line breaks of every kind, bidi overrides and
#: isolates (balanced or not), entities, mathtext.
HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "<javascript:alert(1)> and <https://example.org>",
    "a`b``c```",
    "*bold* _it_ | pipe ~~strike~~ \\ back",
    "# heading #",
    "- item",
    "1. first",
    "---",
    "line\nbreak\r\nthree\u2028four\x85five",
    "\u202eevil override",
    "\u2067rtl isolate open \u202b embedding",
    "\u2069\u202c closers without openers",
    "&amp; &lt;b&gt; &#60;",
    "$x^$ and $\\frac{",
    "ح ب عربي (RTL) 12",
]


# --------------------------------------------------------------------------- helpers


def _report(text: str, tmp: Path | None = None) -> ValidationReport:
    """A report holding ``text`` wherever user text can go."""
    frame = pd.DataFrame({"statistic": [text, "Bartlett p", "dof"],
                          text: [1.5, 0.0, 12.0]}).set_index("statistic")
    section = Section(
        "known_groups", f"Known groups ({isolate(text)} vs {isolate('B')})", (text,),
        (Table(text, frame, note=text),),
        (Figure(text, '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
                "fig one"),))
    criterion = Criterion("Scores", text, 0.5, ">= .70", False, "COSMIN")
    footer = {"seed": 0, "data_sha256": text, "scale_sha256": "0" * 64,
              "versions": {"python": "3"},
              "rerun": {"python": [repr(text), "als.draft_scale()", "seed=0"],
                        "cli": [f"--group={text}", "--seed", "0"], "data": text}}
    return ValidationReport(title=text, sections=(section,), criteria=(criterion,),
                            advice=(text,), notes=(text,), footer=footer)


class _Tree(HTMLParser):
    """Elements (tag, attributes) and the text of each element kind."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.text: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in ("wbr", "img", "meta", "br"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        for tag in self.stack:
            self.text.setdefault(tag, []).append(data)


def _tree(page: str) -> _Tree:
    tree = _Tree()
    tree.feed(page)
    tree.close()
    return tree


def _inert(tree: _Tree, allowed_images: int = 1) -> None:
    """No script, no event handler, no link, no image but the figures."""
    tags = [tag for tag, _ in tree.elements]
    assert "script" not in tags and "a" not in tags and "iframe" not in tags
    assert tags.count("img") <= allowed_images
    for _, attributes in tree.elements:
        assert not any(name.startswith("on") for name in attributes)
        assert not any("javascript:" in (value or "") for value in attributes.values())


def _shown(text: str) -> str:
    """What a reader should see of ``text``: one line, bidi controls aside."""
    line = " ".join(text.splitlines())
    return re.sub("[\u202a-\u202e\u2066-\u2069]", "", line)


def _bare(text: str) -> str:
    return re.sub("[\u202a-\u202e\u2066-\u2069]", "", text)


def _markdown(text: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(text)


# --------------------------------------------------------------------------- HTML


@pytest.mark.parametrize("text", HOSTILE)
def test_html_shows_hostile_text_as_text(text):
    page = _report(text).to_html()
    tree = _tree(page)
    _inert(tree, allowed_images=0)
    assert _bare("".join(tree.text["h1"])) == _bare(text)
    heading = "".join(tree.text["h2"])
    assert _bare(f"Known groups ({text} vs B)") in _bare(heading)
    cells = _bare(" ".join(tree.text["td"]))
    assert _bare(text) in cells


@pytest.mark.parametrize("text", HOSTILE)
def test_html_isolates_user_text_and_closes_every_override(text):
    page = _report(text).to_html()
    # the label sits in its own <bdi>: " vs " comes after the isolate, whatever it holds
    match = re.search(r"<h2>Known groups \(<bdi>(.*?)</bdi> vs <bdi>B</bdi>\)</h2>", page,
                      flags=re.S)
    assert match, page[page.find("<h2>Known"):][:200]
    # within every element's text, each embedding / override is closed, isolates balanced
    for element in re.findall(r">([^<]*)<", page):
        depth = 0
        for char in element:
            if char in "\u202a\u202b\u202d\u202e":
                depth += 1
            elif char == "\u202c":
                depth -= 1
                assert depth >= 0
        assert depth == 0, repr(element)
    assert page.count("<bdi") == page.count("</bdi>")


def test_html_bidi_override_in_a_group_label_stays_inside_it():
    page = _report("\u202eAB").to_html()
    heading = re.search(r"<h2>(Known groups.*?)</h2>", page).group(1)
    assert heading == "Known groups (<bdi>\u202eAB\u202c</bdi> vs <bdi>B</bdi>)"


# --------------------------------------------------------------------------- Markdown


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_renders_hostile_text_as_text(text, tmp_path):
    report = _report(text)
    source = report.to_markdown()
    rendered = _markdown(source)
    tree = _tree(rendered)
    _inert(tree, allowed_images=0)
    # headings, paragraphs, table cells and list items show the text as written
    assert _bare("".join(tree.text["h1"])).strip() == _bare(_shown(text)).strip()
    assert _bare(_shown(f"Known groups ({text} vs B)")) in _bare("".join(tree.text["h2"]))
    assert _bare(_shown(text)).strip() in _bare(" ".join(tree.text["td"]))
    assert _bare(_shown(text)).strip() in _bare(" ".join(tree.text["li"]))
    # every table row has as many cells as the header (no pipe broke out)
    for table in re.findall(r"<table>.*?</table>", rendered, flags=re.S):
        header = len(re.findall(r"<th[ >]", table.split("</thead>")[0]))
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("</thead>")[1], flags=re.S):
            assert len(re.findall(r"<td", row)) == header


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_code_spans_hold_file_names_verbatim(text):
    report = _report(text)
    rendered = _markdown(report.to_markdown())
    codes = [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", rendered, flags=re.S)]
    command, call = rerun_lines(report.footer, None, "md")
    assert _bare(" ".join(command.splitlines())) in map(_bare, codes)
    assert _bare(" ".join(call.splitlines())) in map(_bare, codes)
    assert _bare(_shown(text)) in map(_bare, codes)  # the data hash line


@pytest.mark.parametrize("name", ["my report.md", "rapport (1).md", "r#1 [x].md",
                                  "r%20.md", "r`<>.md", "é ü.md"])
def test_markdown_figure_links_are_valid_commonmark_to_the_written_files(name, tmp_path):
    report = _report("x")
    path = tmp_path / name
    report.to_markdown(path)
    tree = _tree(_markdown(path.read_text(encoding="utf-8")))
    images = [attributes for tag, attributes in tree.elements if tag == "img"]
    assert len(images) == 1
    target = tmp_path / urllib.parse.unquote(images[0]["src"])
    assert target.is_file() and target.read_text(encoding="utf-8").startswith("<?xml")


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(("value", "labels", "expected"), [
    (0.0, ("p",), "< .001"),
    (0.0004, ("p_adjusted",), "< .001"),
    (0.0006, ("p value",), ".001"),
    (0.0637, ("Bartlett p",), ".064"),
    (0.15, ("value", "Bartlett's sphericity p"), ".150"),
    (1.0, ("p_value",), "1.000"),
    (317.0, ("df",), "317"),
    (12.0, ("value", "Bartlett dof"), "12"),
    (228.0, ("dof",), "228"),
    (57.25, ("df2",), "57.250"),
    (0.0, ("value", "chi2"), "0.000"),
    (0.0004, ("r",), "< .001"),
    (0.5, ("n_pairs",), "0.500"),
    (0.5, ("omega_h",), "0.500"),
    (np.nan, ("p",), "-"),
    (3, ("k",), "3"),
])
def test_one_helper_formats_p_values_and_degrees_of_freedom(value, labels, expected):
    assert format_number(value, *labels) == expected


def test_tables_write_p_values_and_df_by_their_labels():
    report = _report("x")
    page = report.to_html()
    assert ">0.000<" not in page and "&lt; .001" in page  # Bartlett p of 0
    assert ">12<" in page and "12.000" not in page  # dof
    assert "&lt; .001" in _markdown(report.to_markdown())


# --------------------------------------------------------------------------- references


def test_references_list_each_cited_source_once():
    criteria = (Criterion("S", "a", 0.5, ">= .70", True, "COSMIN"),
                Criterion("S", "b", 0.5, ">= .70", True, "Terwee 2007"),
                Criterion("S", "c", 0.5, ">= .70", True, "Terwee 2007"))
    section = Section("retest", "Test-retest", ("labels after Koo & Li (2016); Hu & Bentler "
                                                "(1999) and Zumbo et al. 2007.",))
    report = ValidationReport(title="t", sections=(section,), criteria=criteria, advice=(),
                              notes=(), footer={})
    listed = cited_references(report)
    firsts = [r.split(",")[0] for r in listed]
    assert firsts == ["Hu", "Koo", "Prinsen", "Terwee", "Zumbo"]
    assert len(set(listed)) == len(listed)
    page = report.to_html()
    for reference in listed:
        assert page.count(html.escape(reference)) == 1
    markdown = report.to_markdown()
    assert markdown.count("Koo, T. K.") == 1
    assert json.loads(report.to_json())["footer"]["references"] == listed


def test_every_source_entry_names_one_reference():
    """A source key is one reference (the COSMIN entry no longer also holds Terwee 2007)."""
    for key, text in SOURCES.items():
        assert len(re.findall(r"\((?:19|20)\d\d\)", text)) == 1, key


def _citations(report) -> set[tuple[str, str]]:
    from alliance_scale.report._report import _report_texts

    return {(m.group(1), m.group(2)) for text in _report_texts(report)
            for m in _CITATION.finditer(text)}


# --------------------------------------------------------------------------- a real run

ITEMS_PER_FACET = 2


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Small data under hostile file names, a saved scale, a retest, two groups."""
    folder = tmp_path_factory.mktemp("rerun")
    scale = als.draft_scale(items_per_facet=ITEMS_PER_FACET)
    scale.save(folder / "my scale.yaml")
    data = als.simulate(scale, 150, seed=2).data
    data["site"] = np.where(np.arange(len(data)) % 2, "<b>north</b>", "\u202esouth")
    data.to_csv(folder / "-data 'x'.csv")
    data.iloc[:50].drop(columns="site").to_csv(folder / "re`test $1.csv")
    return folder


def _run(command: list[str], folder: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(SRC), "MPLBACKEND": "Agg"}
    return subprocess.run(command, cwd=folder, env=environment, capture_output=True,
                          text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def first(folder) -> dict[str, bytes]:
    """The report written by a Python call, as HTML and Markdown."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cwd = os.getcwd()
        os.chdir(folder)
        try:
            report = als.validate("-data 'x'.csv", "my scale.yaml", retest="re`test $1.csv",
                                  groups="site", seed=3, progress=False)
            report.save("report 1.html")
            report.save("report 1.md")
        finally:
            os.chdir(cwd)
    written = {name: (folder / name).read_bytes() for name in ("report 1.html", "report 1.md")}
    written["report"] = report
    return written


def _footer_line(page: str, label: str) -> str:
    return html.unescape(re.search(rf"<li>{label}.*?<code>(.*?)</code></li>", page).group(1))


@pytest.mark.slow
def test_the_rerun_line_writes_the_same_report_byte_for_byte(folder, first):
    page = first["report 1.html"].decode("utf-8")
    command = _footer_line(page, "Rerun: ")
    assert command.startswith("alliance-scale validate ") and "validate validate" not in command
    assert "--retest=" in command and "--scale=" in command and "--seed 3" in command
    (folder / "report 1.html").unlink()
    shell = shutil.which("bash") or "/bin/sh"
    binary = Path(sys.executable).parent
    done = _run([shell, "-c", f'PATH="{binary}:$PATH" {command}'], folder)
    assert done.returncode == 0, done.stderr
    assert (folder / "report 1.html").read_bytes() == first["report 1.html"]


@pytest.mark.slow
def test_the_python_call_writes_the_same_report_byte_for_byte(folder, first):
    text = first["report 1.md"].decode("utf-8")
    call = re.findall(r"- Python call \(.*?\): (`+) (.*?) \1", text)[0][1]
    assert "retest='re`test $1.csv'" in call and "groups='site'" in call
    assert call.endswith(".save('report 1.md')")
    (folder / "report 1.md").unlink()
    shutil.rmtree(folder / "report 1_figures")
    done = _run([sys.executable, "-c", "import alliance_scale as als; " + call], folder)
    assert done.returncode == 0, done.stderr
    assert (folder / "report 1.md").read_bytes() == first["report 1.md"]


@pytest.mark.slow
def test_the_real_report_is_inert_isolated_and_cites_what_it_lists(first):
    report = first["report"]
    page = first["report 1.html"].decode("utf-8")
    _inert(_tree(page), allowed_images=0)
    assert "<b>north" not in page and "&lt;b&gt;north&lt;/b&gt;" in page
    assert re.search(r"Known groups \(<bdi>.*?</bdi> vs <bdi>.*?</bdi>\)", page)
    listed = cited_references(report)
    assert len(listed) == len(set(listed))
    # every author-year citation of the texts is listed; every listed source is cited
    firsts = {(r.split(",")[0], re.search(r"\((\d{4})\)", r).group(1)) for r in listed}
    assert _citations(report) <= firsts
    sources = {SOURCES[c.source] for c in report.criteria if c.source in SOURCES}
    assert set(listed) == sources | {r for r in listed if (
        r.split(",")[0], re.search(r"\((\d{4})\)", r).group(1)) in _citations(report)}
    assert any(r.startswith("Koo, T. K.") for r in listed)  # the retest cites Koo & Li
    markdown = first["report 1.md"].decode("utf-8")
    _inert(_tree(_markdown(markdown)), allowed_images=len(
        [f for s in report.sections for f in s.figures]))


# --------------------------------------------------------------------------- rerun forms


def test_the_pilot_and_the_default_scale_are_named_by_the_calls_that_load_them():
    pilot, retest = als.load_pilot(), als.load_pilot(retest=True)
    rerun = _rerun(pilot, als.draft_scale(), als.draft_scale(), criterion=None, groups=None,
                   retest=retest, holdout=0.5, ordinal="auto", source="auto", seed=7)
    assert rerun["python"] == ["als.load_pilot()", "als.draft_scale()",
                               "retest=als.load_pilot(retest=True)", "holdout=0.5", "seed=7"]
    command, call = rerun_lines({"rerun": rerun}, "out.html", "html")
    assert command == "alliance-scale validate --holdout 0.5 --seed 7 --report out.html"
    assert call == ("als.validate(als.load_pilot(), als.draft_scale(), "
                    "retest=als.load_pilot(retest=True), holdout=0.5, seed=7)"
                    ".save('out.html')")


@pytest.mark.parametrize(("change", "why"), [
    ({"responses": "frame"}, "DataFrame"),
    ({"scale": "object"}, "scale.save"),
    ({"retest": None}, "without its retest"),
    ({"ordinal": False}, "ordinal=False"),
])
def test_a_run_without_a_command_line_form_says_why(change, why):
    pilot = als.load_pilot()
    arguments = {"responses": pilot, "scale": als.draft_scale(),
                 "retest": als.load_pilot(retest=True), "ordinal": "auto"}
    if change.get("responses") == "frame":
        arguments["responses"] = pilot.iloc[:40]
    if change.get("scale") == "object":
        arguments["scale"] = als.draft_scale(items_per_facet=1)
    for key in ("retest", "ordinal"):
        if key in change:
            arguments[key] = change[key]
    rerun = _rerun(arguments["responses"], arguments["scale"], arguments["scale"],
                   criterion=None, groups=None, retest=arguments["retest"], holdout=None,
                   ordinal=arguments["ordinal"], source="auto", seed=0)
    command, _ = rerun_lines({"rerun": rerun}, None, "html")
    assert command.startswith("(no command-line form") and why in command


@pytest.mark.parametrize("name", ["plain.csv", "with space.csv", "quote'd.csv", "-dash.csv",
                                  "dollar $HOME.csv", "back`tick.csv", "new\nline.csv",
                                  os.fsdecode(b"latin\xe9.csv"), "\u202egnp.csv",
                                  "\u2067rtl\u2069.csv"])
def test_file_names_are_quoted_so_the_shell_gives_them_back(name, tmp_path):
    rerun = {"python": [repr(name)], "cli": [f"--retest={name}", "--seed", "0"], "data": name}
    command, call = rerun_lines({"rerun": rerun}, name + ".html", "html")
    script = command.replace("alliance-scale validate", "printf '%s\\0'", 1)
    done = subprocess.run(["bash", "-c", script], capture_output=True, check=True,
                          timeout=30)
    words = done.stdout.split(b"\0")[:-1]
    expected = [name, f"--retest={name}", "--seed", "0", "--report", name + ".html"]
    if name.startswith("-"):
        expected = [*expected[1:], "--", name]
    assert words == [os.fsencode(w) for w in expected]
    # one line, and no bidi control to reorder it as displayed
    assert not re.search("[\n\r\u202a-\u202e\u2066-\u2069]", command + call)
    validate = ast.parse(call, mode="eval").body.func.value  # als.validate(...).save(...)
    assert ast.literal_eval(validate.args[0]) == name


# --------------------------------------------------------------------------- layout


def _wide_frame(rows: int = 3) -> pd.DataFrame:
    frame = pd.DataFrame({f"stat_{j}": np.linspace(0.1, 0.9, rows) for j in range(14)})
    frame.insert(0, "id", [f"H{i}" for i in range(rows)])
    frame.insert(1, "hypothesis", ["A ~ task > A ~ goal, a long statement"] * rows)
    frame["reason"] = ""
    frame["short"] = ["ab"] * rows
    frame["verdict"] = ["met", "not met", "not testable"][:rows] * (rows // 3 or 1)
    return frame


def test_wide_tables_stack_their_long_text_under_each_row():
    from alliance_scale.report._report import _WIDE, _html_table

    frame = _wide_frame()
    page = _html_table(frame, "wide")
    head = re.findall(r"<th [^>]*>(.*?)</th>", page)
    assert "hypothesis" not in head and "reason" not in head
    assert head[0] == "id" and head[-1] == "verdict" and "short" in head
    assert len(head) == len(frame.columns) - 2
    details = re.findall(r'<tr class="detail"><td class="text" colspan="(\d+)">(.*?)</td>', page)
    assert len(details) == len(frame)
    assert all(int(span) == len(head) for span, _ in details)
    assert all("<b>hypothesis</b>: A ~ task &gt; A ~ goal" in d for _, d in details)
    assert all("reason" not in d for _, d in details)  # empty: not written
    # a table that fits keeps every column in place
    narrow = frame.iloc[:, : _WIDE - 1]
    assert 'class="detail"' not in _html_table(narrow, "narrow")


def test_no_column_is_hidden_behind_a_scroll_and_print_keeps_headings_with_content():
    report = _report("x")
    page = report.to_html()
    css = page[page.index("<style>"):page.index("</style>")]
    assert "overflow-x" not in css and "overflow: auto" not in css
    assert "td.text { overflow-wrap: break-word; }" in css
    assert "white-space: nowrap" not in css.split("td.num")[0]  # only numbers stay whole
    assert "@page { size: A4" in css and "div.lead { break-inside: avoid; }" in css
    # every section's heading sits with its paragraphs and first short block
    assert re.search(r'<section id="known_groups"><div class="lead"><h2>.*?</h2><p>.*?</p>'
                     r'<div class="table"><table class="short">', page, flags=re.S)
    # a long table breaks between rows (its header repeated) instead of leaving page 1 empty
    long = Table("long", pd.DataFrame({"v": np.arange(60.0)}))
    section = Section("s", "S", ("p",), (long,))
    big = ValidationReport(title="t", sections=(section,), criteria=(), advice=(), notes=(),
                           footer={}).to_html()
    assert re.search(r'<div class="lead"><h2>S</h2><p>p</p></div>\s*<div class="table">'
                     r'<table><caption>long</caption><thead>', big)


# --------------------------------------------------------------------------- figures


def test_a_figure_given_a_function_draws_it_once_when_its_svg_is_first_read():
    svg = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'
    calls: list[int] = []

    def draw() -> str:
        calls.append(1)
        return svg

    later = Figure("caption", draw, "name")
    assert calls == [] and "not drawn yet" in repr(later)
    assert later.svg == svg and later.svg == svg and calls == [1]
    assert later == Figure("caption", svg, "name") and hash(later) == hash(Figure(
        "caption", svg, "name"))
    assert later != Figure("caption", svg, "other")
    with pytest.raises(AttributeError, match="immutable"):
        later.svg = "<svg/>"
    import pickle

    assert pickle.loads(pickle.dumps(Figure("c", draw, "n"))) == Figure("c", svg, "n")

