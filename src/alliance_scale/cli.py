"""Command-line interface: ``alliance-scale draft | score | simulate | validate | shorten``
(one ``_add_<command>`` function and one handler each).

``alliance-scale draft`` drafts the bundled scale and prints or writes it in one of the
export formats. ``alliance-scale score DATA`` reads a response export (any platform, see
:func:`~alliance_scale.read_responses`) and writes the scores with their flags as CSV; what
was read (layout, rows per completion status) goes to stderr. ``alliance-scale simulate``
writes a simulated administration with a known truth. ``alliance-scale validate [DATA]``
runs :func:`~alliance_scale.validate` and writes the report (HTML by default; without DATA,
on the bundled SYNTHETIC pilot). ``alliance-scale shorten DATA`` chooses a short form
(:func:`~alliance_scale.shorten`) and saves it as a scale file. Errors of the library
(:class:`AllianceScaleError`) end the command with a one-line message on stderr and exit
code 2, never a traceback; library warnings are shown as one-line ``warning:`` messages.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import warnings
from collections.abc import Sequence

from . import __version__
from .errors import AllianceScaleError, OptionError, ResponseError
from .fielding._vocabulary import SOURCES
from .instrument._vocabulary import EXPORT_FORMATS, LANGUAGES, PROGRAMS

TYPE_CHECKING = False  # not typing's: importing typing would slow --help down
if TYPE_CHECKING:
    from pathlib import Path

    from .instrument import Scale

# The analysis stack (pandas, scipy, matplotlib), and even pathlib and the file layer
# (_io: hashlib), are imported by the command that needs them, so that --help, --version
# and argument errors answer at once.

__all__ = ["PROGRAM_NAME", "build_parser", "main"]

PROGRAM_NAME = "alliance-scale"
#: Export format of each suffix ``draft -o`` accepts, the first format being the one
#: inferred. ``.txt`` is Qualtrics' Advanced Format (Qualtrics imports only .txt); LimeSurvey
#: imports its tab-separated structure as .txt or .tsv, so it is inferred from ``.tsv`` and
#: written to a ``.txt`` only with ``--format limesurvey``.
EXPORT_SUFFIXES = {".md": ("markdown",), ".markdown": ("markdown",), ".html": ("html",),
                   ".htm": ("html",), ".csv": ("redcap",), ".tsv": ("limesurvey",),
                   ".txt": ("qualtrics", "limesurvey"), ".yaml": ("yaml",), ".yml": ("yaml",),
                   ".json": ("json",)}
#: What ``score -o`` and ``simulate -o`` write.
CSV_SUFFIXES = {".csv": ("csv",)}
_PDF = ("; for a PDF, write the HTML and print it from a browser (the page has a print "
        "layout)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one subparser per command (add new commands here)."""
    parser = argparse.ArgumentParser(
        prog=PROGRAM_NAME,
        description="Build and validate a questionnaire of the digital therapeutic alliance.",
    )
    parser.add_argument("--version", action="version",
                        version=f"{PROGRAM_NAME} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    _add_draft(commands)
    _add_score(commands)
    _add_simulate(commands)
    _add_validate(commands)
    _add_shorten(commands)
    _add_plan(commands)
    return parser


def _path(text: str) -> Path:
    """An argument as a Path (argparse converts a string default the same way)."""
    from pathlib import Path

    return Path(text)


def _add_scale_option(command: argparse.ArgumentParser) -> None:
    """``--scale FILE``: the fielded scale, as saved by Scale.save (default: the bundled one)."""
    command.add_argument("--scale", type=_path, default=None, metavar="FILE",
                         help="the fielded scale (.yaml or .json, as saved by Scale.save); "
                              "default: the bundled default scale")


def _add_output_option(command: argparse.ArgumentParser, what: str = "") -> None:
    """``--output/-o PATH``: write there instead of standard output."""
    command.add_argument("--output", "-o", type=_path, default=None, metavar="PATH",
                         help=f"write {what}to PATH instead of standard output")


def _load_scale(path: Path | None) -> Scale:
    """The scale saved at ``path``, or the bundled default scale."""
    from .instrument import Scale, draft_scale

    return Scale.load(path) if path is not None else draft_scale()


def _add_draft(commands: argparse._SubParsersAction) -> None:
    draft = commands.add_parser(
        "draft", help="draft the scale from the bundled blueprint and item bank",
        description="Draft the scale from the bundled blueprint and item bank and print it "
                    "(Markdown by default) or write it to a file.",
    )
    draft.add_argument("--language", choices=LANGUAGES, default="fr",
                       help="language of administration (default: fr)")
    draft.add_argument("--points", type=int, choices=range(4, 8), default=5, metavar="{4-7}",
                       help="number of agreement anchors (default: 5)")
    draft.add_argument("--program", choices=PROGRAMS, default="guided",
                       help="guided (humans or a group behind the program) or fully "
                            "automated (default: guided)")
    draft.add_argument("--items-per-facet", type=int, default=None, metavar="N",
                       help="keep N items per facet, balanced over its leaf themes "
                            "(default: all)")
    draft.add_argument("--seed", type=int, default=0,
                       help="seed of the administration order (default: 0)")
    draft.add_argument("--format", choices=EXPORT_FORMATS, default=None,
                       help="output format (default: from the suffix of --output: .md, "
                            ".html, .csv REDCap, .tsv LimeSurvey, .txt Qualtrics, .yaml, "
                            ".json; markdown on standard output)")
    _add_output_option(draft)
    draft.set_defaults(handler=_draft)


def _add_score(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "score", help="score a response export (REDCap, LimeSurvey, Qualtrics, CSV, Excel, SPSS)",
        description="Read a response export, check every answer, and write the facet, "
                    "dimension and total scores with each respondent's status and flags as "
                    "CSV. What was read goes to standard error.",
    )
    command.add_argument("data", type=_path, metavar="DATA", help="the response file")
    _add_scale_option(command)
    command.add_argument("--source", choices=SOURCES, default="auto",
                         help="layout of DATA (default: auto, decided from the file)")
    command.add_argument("--keep", choices=("all", "complete"), default="all",
                         help="respondents to score (default: all; the status is reported)")
    command.add_argument("--errors", choices=("raise", "flag"), default="raise",
                         help="refuse an invalid answer, or set it missing and flag it "
                              "(default: raise)")
    command.add_argument("--min-answered", type=float, default=0.8, metavar="SHARE",
                         help="share of a scale's items needed for a score (default: 0.8)")
    command.add_argument("--method", choices=("mean", "sum"), default="mean",
                         help="mean of items or prorated sum (default: mean)")
    _add_output_option(command, "the scores (UTF-8 with BOM) ")
    command.set_defaults(handler=_score)


def _add_simulate(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "simulate", help="simulate an administration with a known truth (SYNTHETIC data)",
        description="Simulate answers to the scale from a graded common-factor model, with "
                    "WAI-style goal, task and bond scores, and write them as CSV (one row per "
                    "respondent, id column 'respondent'). The data are SYNTHETIC.",
    )
    _add_scale_option(command)
    command.add_argument("--respondents", "-n", type=int, default=500, metavar="N",
                         help="number of respondents (default: 500)")
    command.add_argument("--seed", type=int, default=0, help="seed (default: 0)")
    command.add_argument("--missing-rate", type=float, default=0.0, metavar="SHARE",
                         help="share of answers left missing at random (default: 0)")
    command.add_argument("--careless-rate", type=float, default=0.0, metavar="SHARE",
                         help="share of careless respondents (default: 0)")
    _add_output_option(command)
    command.set_defaults(handler=_simulate)


def _add_validate(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "validate", help="validate an administration and write the report",
        description="Run every analysis of a pilot (reliability, factorability, number of "
                    "factors, EFA against the blueprint, CFA, convergent and discriminant "
                    "validity, test-retest when given) and write one self-contained report. "
                    "Without DATA, the bundled SYNTHETIC pilot is validated.",
    )
    command.add_argument("data", type=_path, nargs="?", default=None, metavar="DATA",
                         help="the response file (default: the bundled SYNTHETIC pilot and "
                              "its retest)")
    _add_scale_option(command)
    command.add_argument("--source", choices=SOURCES, default="auto",
                         help="layout of DATA (default: auto, decided from the file)")
    command.add_argument("--criterion", nargs="+", default=None, metavar="COLUMN",
                         help="WAI-style goal, task and bond columns, in that order "
                              "(default: wai_goal wai_task wai_bond when present)")
    command.add_argument("--group", default=None, metavar="COLUMN",
                         help="a column with two groups, for known-groups validity")
    command.add_argument("--retest", type=_path, default=None, metavar="FILE",
                         help="a second administration to the same respondents")
    command.add_argument("--holdout", type=float, default=None, metavar="SHARE",
                         help="share of respondents held out for the CFA (e.g. 0.5); "
                              "default: none, the CFA uses every respondent")
    command.add_argument("--report", type=_path, default="dta_report.html", metavar="FILE",
                         help="where to write the report (default: dta_report.html)")
    command.add_argument("--format", choices=("html", "md", "json"), default=None,
                         help="report format (default: from the suffix of --report: .html, "
                              ".md or .json)")
    command.add_argument("--seed", type=int, default=0,
                         help="seed of every random step (default: 0)")
    command.add_argument("--irt", action="store_true",
                         help="add the item response theory section (a graded model per "
                              "facet; about 2 s more)")
    command.add_argument("--quiet", "-q", action="store_true",
                         help="no progress bar and no summary on standard error")
    command.add_argument("--strict", action="store_true",
                         help="exit 1 when any criterion is not met, inconclusive or not "
                              "testable (for pipelines; the report is written either way)")
    command.set_defaults(handler=_validate)


def _add_shorten(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "shorten", help="choose a short form of the scale from a pilot",
        description="Keep --per-facet items of every facet (at least one per leaf theme), "
                    "the best by stuart's objective (composite reliability, RMSEA, SRMR of "
                    "each facet's one-factor model), found exactly or by a MAX-MIN ant "
                    "system, and check it on a held-out part of the respondents. Writes the "
                    "short form as a scale file (.yaml or .json) and prints the search's "
                    "result. Without DATA, the bundled SYNTHETIC pilot is used.",
    )
    command.add_argument("data", type=_path, nargs="?", default=None, metavar="DATA",
                         help="the response file (default: the bundled SYNTHETIC pilot)")
    _add_scale_option(command)
    command.add_argument("--source", choices=SOURCES, default="auto",
                         help="layout of DATA (default: auto, decided from the file)")
    command.add_argument("--per-facet", type=int, default=3, metavar="K",
                         help="items kept per facet (default: 3)")
    command.add_argument("--per-theme", type=int, default=None, metavar="K",
                         help="items kept per leaf theme instead of per facet")
    command.add_argument("--model", choices=("facet", "joint"), default="facet",
                         help="one-factor model per facet, or one joint model of every "
                              "facet as stuart (default: facet)")
    command.add_argument("--objective",
                         choices=("stuart", "reliability", "validity", "information"),
                         default="stuart",
                         help="score of a candidate (default: stuart; information needs "
                              "--irt)")
    command.add_argument("--irt", action="store_true",
                         help="compute each candidate's IRT test information (slower)")
    command.add_argument("--anchor", nargs="+", default=(), metavar="ITEM",
                         help="items every candidate keeps")
    command.add_argument("--exclude", nargs="+", default=(), metavar="ITEM",
                         help="items no candidate keeps")
    command.add_argument("--reversed", choices=("any", "keep", "drop"), default="any",
                         help="reverse-keyed items: no rule, one per facet, none "
                              "(default: any)")
    command.add_argument("--no-theme-rule", action="store_true",
                         help="do not require one item per leaf theme")
    command.add_argument("--method", choices=("auto", "exact", "mmas", "genetic"),
                         default="auto",
                         help="search (default: auto: exact when a facet has at most "
                              "--budget candidates)")
    command.add_argument("--budget", type=int, default=2000, metavar="N",
                         help="most candidates fitted per facet (default: 2000)")
    command.add_argument("--holdout", type=float, default=0.5, metavar="SHARE",
                         help="share of respondents held out (default: 0.5; 0 for none)")
    command.add_argument("--folds", type=int, default=None, metavar="K",
                         help="k-fold validation instead of the holdout")
    command.add_argument("--report", type=_path, default=None, metavar="FILE",
                         help="also write the short form's report (.html)")
    command.add_argument("--seed", type=int, default=1,
                         help="seed of the holdout split and the ants (default: 1)")
    command.add_argument("--quiet", "-q", action="store_true",
                         help="no progress bar and no printed result")
    command.add_argument("--output", "-o", type=_path, required=True, metavar="PATH",
                         help="where to save the short form (.yaml, .yml or .json)")
    command.set_defaults(handler=_shorten)


def _output_format(path: Path, given: str | None, suffixes: dict[str, tuple[str, ...]],
                   what: str, extra: str = "") -> str:
    """The format written to ``path``: from its suffix, or ``given`` when the suffix allows
    it; an unknown suffix, or a format the suffix contradicts, is refused."""
    suffix = path.suffix.lower()
    allowed = suffixes.get(suffix)
    known = ", ".join(suffixes)
    if allowed is None:
        raise OptionError(f"{path}: cannot tell the {what} format from the suffix "
                          f"{suffix or '(none)'!r}; use one of {known}{extra}")
    if given is not None and given not in allowed:
        raise OptionError(f"{path}: --format {given} contradicts the suffix {suffix!r} "
                          f"({' or '.join(allowed)}); change one of them")
    return given if given is not None else allowed[0]


def _check_output(path: Path, inputs: Sequence[Path | None]) -> None:
    """Refuse, before any computation, an output path that cannot be written or would
    replace an input: a missing or read-only folder, a directory, a device, an input."""
    from ._io import describe_kind, refuse_overwrite

    if path.exists() or path.is_symlink():
        try:
            mode = os.stat(path).st_mode
        except OSError as failure:
            raise OptionError(f"{path}: cannot write there ({failure.strerror})") from None
        if not stat.S_ISREG(mode):
            raise OptionError(f"{path}: {describe_kind(mode)}; give a file name "
                              "(or leave out the option to write to standard output)"
                              if not stat.S_ISDIR(mode) else
                              f"{path}: a directory, not a file; give a file name in it")
        refuse_overwrite(path, [p for p in inputs if p is not None], OptionError)
        if not os.access(path, os.W_OK):
            raise OptionError(f"{path}: the file is read-only")
        folder = path.resolve().parent
    else:
        folder = path.parent.resolve() if str(path.parent) else path.cwd()
    if not folder.is_dir():
        raise OptionError(f"{path}: the folder {path.parent} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OptionError(f"{path}: the folder {path.parent} is not writable")


def _draft(args: argparse.Namespace) -> int:
    from .instrument import draft_scale
    from .instrument._exports import render, write_export

    if args.output is None:
        fmt = args.format or "markdown"
    else:
        fmt = _output_format(args.output, args.format, EXPORT_SUFFIXES, "export", _PDF)
        _check_output(args.output, [])
    scale = draft_scale(
        items_per_facet=args.items_per_facet, points=args.points, language=args.language,
        program=args.program, seed=args.seed,
    )
    if args.output is None:
        sys.stdout.write(render(scale, fmt))
        return 0
    write_export(scale, fmt, args.output)  # REDCap, LimeSurvey: with a byte-order mark
    print(f"wrote {args.output} ({fmt}, {len(scale.items)} items)", file=sys.stderr)
    return 0


def _score(args: argparse.Namespace) -> int:
    from .fielding import read_responses, score
    from .instrument._exports import neutralise

    if args.output is not None:
        _output_format(args.output, None, CSV_SUFFIXES, "scores")
        _check_output(args.output, [args.data, args.scale])
    scale = _load_scale(args.scale)
    responses = read_responses(args.data, scale, source=args.source, errors=args.errors)
    report = responses.attrs["read_report"]
    result = score(responses, scale, min_answered=args.min_answered, method=args.method,
                   errors=args.errors, keep=args.keep)
    statuses = ", ".join(f"{status} {count}" for status, count in report.status_counts)
    print(f"read {args.data} as {report.source} ({report.container}; {report.decided}): "
          f"{report.rows} rows; status: {statuses}", file=sys.stderr)
    if len(result.excluded):
        print(f"excluded by --keep {args.keep}: {len(result.excluded)} respondent(s)",
              file=sys.stderr)
    table = result.to_frame()
    # ids and flags are text a spreadsheet could take for a formula: neutralised (OWASP)
    table.index = table.index.map(lambda v: neutralise(v) if isinstance(v, str) else v)
    text = table.map(lambda v: neutralise(v) if isinstance(v, str) else v).to_csv(
        lineterminator="\n")
    if args.output is None:
        sys.stdout.write(text)
    else:
        from ._io import write_atomic

        write_atomic(args.output, text, "utf-8-sig")
        print(f"wrote {args.output} ({len(table)} respondents)", file=sys.stderr)
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from .fielding import simulate

    if args.output is not None:
        _output_format(args.output, None, CSV_SUFFIXES, "simulated data")
        _check_output(args.output, [args.scale])
    scale = _load_scale(args.scale)
    result = simulate(scale, args.respondents, seed=args.seed, missing_rate=args.missing_rate,
                      careless_rate=args.careless_rate)
    text = result.data.to_csv(lineterminator="\n", float_format="%.10g")
    if args.output is None:
        sys.stdout.write(text)
    else:
        from ._io import write_atomic

        write_atomic(args.output, text)
        print(f"wrote {args.output} ({len(result.data)} SYNTHETIC respondents)",
              file=sys.stderr)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from ._io import regular_file
    from .fielding import load_pilot
    from .instrument import draft_scale
    from .report import validate
    from .report._report import REPORT_SUFFIXES  # the one list of report suffixes

    fmt = _output_format(args.report, args.format, {k: (v,) for k, v in REPORT_SUFFIXES.items()},
                         "report", _PDF)
    _check_output(args.report, [args.data, args.retest, args.scale])
    for source in (args.data, args.retest):  # read at the end: a directory is named now
        if source is not None:
            regular_file(source, lambda message, f=str(source): ResponseError(message, file=f))
    # the file itself, so that the report's rerun line names it
    scale = args.scale if args.scale is not None else draft_scale()
    if args.data is None:
        responses, retest = load_pilot(), load_pilot(retest=True)
        if not args.quiet:
            print("validating the bundled SYNTHETIC pilot (320 respondents, 80 items, with "
                  "its 80-respondent retest)", file=sys.stderr)
    else:
        responses, retest = args.data, args.retest
    report = validate(responses, scale, criterion=args.criterion, groups=args.group,
                      retest=retest, holdout=args.holdout, source=args.source, irt=args.irt,
                      seed=args.seed, progress=not args.quiet)
    path = report.save(args.report, format=fmt)
    if not args.quiet:
        print(report.summary().splitlines()[0], file=sys.stderr)
    for criterion in report.criteria:  # what could not be judged is never silent
        if criterion.verdict == "not testable" or (criterion.section == "Sample size"
                                                   and criterion.verdict != "met"):
            print(f"{PROGRAM_NAME}: {criterion.verdict}: {criterion.section}: "
                  f"{criterion.name}: {criterion.reason}", file=sys.stderr)
    if not args.quiet:
        print(f"wrote {path}", file=sys.stderr)
    if args.strict and any(c.verdict != "met" for c in report.criteria):
        failing = sum(c.verdict != "met" for c in report.criteria)
        print(f"{PROGRAM_NAME}: --strict: {failing} criteria not met, inconclusive or not "
              "testable", file=sys.stderr)
        return 1
    return 0


def _shorten(args: argparse.Namespace) -> int:
    suffix = args.output.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise OptionError(f"{args.output}: a scale is saved as .yaml, .yml or .json, not "
                          f"{suffix or '(no suffix)'!r}")
    _check_output(args.output, [args.data, args.scale])
    if args.data is not None:
        from ._io import regular_file

        regular_file(args.data, lambda message, f=str(args.data): ResponseError(message, file=f))
    from .design import shorten
    from .fielding import load_pilot, read_responses

    scale = _load_scale(args.scale)
    if args.data is None:
        responses = load_pilot()
        if not args.quiet:
            print("shortening on the bundled SYNTHETIC pilot (320 respondents, 80 items)",
                  file=sys.stderr)
    else:
        responses = read_responses(args.data, scale, source=args.source)
    bar = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(desc="shorten", unit="fit", file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.update(done - bar.n)

    if args.report is not None:
        if args.report.suffix.lower() not in (".html", ".htm"):
            raise OptionError(f"--report {args.report}: the short-form report is an .html "
                              "page")
        _check_output(args.report, [args.data, args.scale, args.output])
    try:
        form = shorten(responses, scale, per_facet=args.per_facet, per_theme=args.per_theme,
                       model=args.model, objective=args.objective, anchors=args.anchor,
                       exclude=args.exclude, reversed=args.reversed,
                       cover_themes=not args.no_theme_rule, method=args.method,
                       budget=args.budget, irt=args.irt, folds=args.folds,
                       holdout=None if args.folds or not args.holdout else args.holdout,
                       seed=args.seed, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    form.scale.save(args.output)
    if args.report is not None:
        from .report import shortform_report

        shortform_report(form, args.report)
    if not args.quiet:
        print(form)
        print(f"wrote {args.output} ({len(form.scale.items)} items, version "
              f"{form.scale.version})"
              + (f" and {args.report}" if args.report is not None else ""), file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- plan (issue #23)

#: What ``plan -o`` writes: a plan as HTML, Markdown, JSON or CSV (one row); a Monte Carlo
#: simulation without --target as CSV (its table, one row per N).
PLAN_SUFFIXES = {".html": ("html",), ".htm": ("html",), ".md": ("markdown",),
                 ".markdown": ("markdown",), ".json": ("json",), ".csv": ("csv",)}


def _sample_sizes(text: str) -> int | list[int]:
    """``--n``: one N (``200``), a range ``FROM:TO:BY`` (``100:600:25``, TO included) or a
    list ``100,200,400``."""
    try:
        if ":" in text:
            parts = [int(p) for p in text.split(":")]
            if len(parts) != 3 or parts[2] <= 0 or parts[1] < parts[0]:
                raise ValueError
            return list(range(parts[0], parts[1] + 1, parts[2]))
        if "," in text:
            return [int(p) for p in text.split(",")]
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give one N (200), a range FROM:TO:BY (100:600:25) or a list "
            "(100,200,400)") from None


def _target(text: str) -> tuple[str, float]:
    """``--target NAME=VALUE`` (``power=.8``; the last ``=`` splits, so a target such as
    ``f1~~f2=0=.8`` keeps its own)."""
    name, sep, value = text.rpartition("=")
    try:
        if not sep or not name.strip():
            raise ValueError
        return name.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give NAME=VALUE, e.g. power=.8") from None


def _add_plan(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "plan", help="how many respondents: power of the model test (analytic or Monte Carlo)",
        description="Sample-size planning. Analytic (semPower's): --df and --rmsea (or --f0) "
                    "with --power for the N reaching it, --n for the power at N, or --n and "
                    "--abratio for a compromise analysis; --rmsea0 for tests of close or "
                    "not-close fit (MacCallum, Browne & Sugawara 1996). Monte Carlo: "
                    "--pilot DATA with --scale simulates the study at every --n "
                    "(FROM:TO:BY) with --replications per N.",
    )
    command.add_argument("--df", type=int, default=None, help="degrees of freedom of the test")
    command.add_argument("--rmsea", type=float, default=None,
                         help="RMSEA of the misfit to detect (the alternative)")
    command.add_argument("--f0", type=float, default=None,
                         help="population discrepancy F0 instead of --rmsea")
    command.add_argument("--rmsea0", type=float, default=None,
                         help="RMSEA under the null (close fit: below --rmsea; not-close fit: "
                              "above); default 0, exact fit")
    command.add_argument("--test", choices=("exact", "close", "not close"), default=None,
                         help="null hypothesis (default: from --rmsea0)")
    command.add_argument("--power", type=float, default=None,
                         help="target power: the N reaching it (a priori)")
    command.add_argument("--n", type=_sample_sizes, default=None, metavar="N",
                         help="respondents: one N (post hoc), or the N simulated (Monte Carlo: "
                              "FROM:TO:BY, e.g. 100:600:25, or a list 100,200,400)")
    command.add_argument("--alpha", type=float, default=None,
                         help="type I error rate (default: 0.05)")
    command.add_argument("--abratio", type=float, default=None,
                         help="alpha / beta wanted, with --n: compromise analysis")
    command.add_argument("--pilot", type=_path, default=None, metavar="DATA",
                         help="Monte Carlo: the pilot's response file, the population "
                              "taken from its fit")
    _add_scale_option(command)
    command.add_argument("--source", choices=SOURCES, default="auto",
                         help="layout of --pilot (default: auto, decided from the file)")
    command.add_argument("--target", type=_target, default=None, metavar="NAME=VALUE",
                         help="Monte Carlo: the power to reach, power=.8 for the model test "
                              "or TARGET=.8 for a parameter's z test (f1~~f2=.8): the "
                              "smallest N on the smoothed simulated curve, with its CI")
    command.add_argument("--replications", type=int, default=None,
                         help="Monte Carlo replications per N (default: 1000)")
    command.add_argument("--estimator", choices=("ML", "MLR", "WLSMV"), default=None,
                         help="Monte Carlo: estimator of each replication (default: WLSMV "
                              "for ordered items, ML otherwise)")
    command.add_argument("--seed", type=int, default=None,
                         help="Monte Carlo: seed of the simulation")
    command.add_argument("--backend", choices=("processes", "serial", "dask"), default=None,
                         help="Monte Carlo: where replications run (default: processes)")
    command.add_argument("--address", default=None, metavar="tcp://HOST:PORT",
                         help="Monte Carlo with --backend dask: the scheduler's address")
    command.add_argument("--workers", type=int, default=None,
                         help="Monte Carlo: number of workers")
    command.add_argument("--results", type=_path, default=None, metavar="FILE",
                         help="Monte Carlo: stream results to FILE (.parquet or .csv) and "
                              "resume from it")
    command.add_argument("--quiet", "-q", action="store_true",
                         help="no progress bar and no printed result")
    command.add_argument("--output", "-o", type=_path, default=None, metavar="PATH",
                         help="write the plan (.html, .md, .json, .csv)")
    command.set_defaults(handler=_plan)


def _plan(args: argparse.Namespace) -> int:
    from ._io import regular_file, write_atomic

    fmt = None
    if args.output is not None:
        fmt = _output_format(args.output, None, PLAN_SUFFIXES, "plan")
        _check_output(args.output, [args.pilot, args.scale, args.results])
    simulated = {"pilot": args.pilot, "target": args.target, "replications": args.replications,
                 "estimator": args.estimator, "seed": args.seed, "backend": args.backend,
                 "address": args.address, "workers": args.workers, "results": args.results}
    asked = [f"--{k}" for k, v in simulated.items() if v is not None]
    from .design import SampleSizePlan, plan_sample_size

    if args.pilot is None:
        if asked:
            raise OptionError(f"{asked[0]} is a Monte Carlo option: give --pilot DATA (with "
                              "--scale) to simulate the study")
        if isinstance(args.n, list):
            raise OptionError("--n: the analytic plan takes one N; several N are simulated "
                              "with --pilot")
        outcome = plan_sample_size(df=args.df, rmsea=args.rmsea, f0=args.f0,
                                   rmsea0=args.rmsea0, test=args.test, power=args.power,
                                   n=args.n, alpha=args.alpha, abratio=args.abratio)
    else:
        analytic = {"df": args.df, "rmsea": args.rmsea, "f0": args.f0, "rmsea0": args.rmsea0,
                    "test": args.test, "power": args.power, "abratio": args.abratio}
        given = [f"--{k}" for k, v in analytic.items() if v is not None]
        if given:
            raise OptionError(f"{given[0]} is an option of the analytic plan; with --pilot the "
                              "study is simulated (the power to reach: --target power=.8)")
        if args.n is None:
            raise OptionError("--n: give the N to simulate, e.g. --n 100:600:25")
        if fmt is not None and fmt != "csv" and args.target is None:
            raise OptionError(f"{args.output}: a Monte Carlo simulation without --target is "
                              "written as .csv")
        regular_file(args.pilot,
                     lambda message, f=str(args.pilot): ResponseError(message, file=f))
        from .fielding import read_responses

        scale = _load_scale(args.scale)
        responses = read_responses(args.pilot, scale, source=args.source)
        options: dict = {"seed": args.seed, "backend": args.backend, "address": args.address,
                         "n_workers": args.workers, "results": args.results,
                         "estimator": args.estimator, "alpha": args.alpha}
        target = "chisq"
        if args.target is not None:  # power=.8: the model test; f1~~f2=.8: that parameter
            from ._checks import check_number

            name, goal = args.target
            check_number("--target", goal, 0, 1, low_open=True, high_open=True)
            if name != "power":
                target = options["targets"] = name
        outcome = plan_sample_size(pilot=responses, scale=scale, n=args.n,
                                   replications=args.replications,
                                   progress=False if args.quiet else None,
                                   **{k: v for k, v in options.items() if v is not None})
        if args.target is not None:  # the simulation shown first: kept when N is not reached
            from .design._power import monte_carlo_plan

            if not args.quiet:
                print(outcome)
            outcome = monte_carlo_plan(outcome, target, goal)
    if not args.quiet:
        print(outcome)
    if args.output is None:
        return 0
    if not isinstance(outcome, SampleSizePlan):  # the simulation: its table per N
        text = outcome.to_frame().to_csv(lineterminator="\n")
    elif fmt == "csv":
        text = outcome.to_frame().to_csv(index=False, lineterminator="\n")
    elif fmt == "json":
        import json

        row = outcome.to_frame().iloc[0].to_dict()
        text = json.dumps({k: (None if isinstance(v, float) and v != v else
                               v.item() if hasattr(v, "item") else v)
                           for k, v in row.items()}, indent=2) + "\n"
    else:
        text = outcome.to_html() if fmt == "html" else outcome.to_markdown()
    write_atomic(args.output, text)
    print(f"wrote {args.output}" + (f" ({outcome.kind} plan: N = {outcome.n}, power "
                                    f"{outcome.power:.3f})"
                                    if isinstance(outcome, SampleSizePlan) else ""),
          file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 a criterion failing under
    ``validate --strict``, 2 usage or library error, 130 interrupted by Ctrl-C; one line on
    standard error, never a traceback).

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help (0) or a usage error (2, message already printed)
        return int(exit_.code or 0)
    interrupted = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code = args.handler(args)
        except AllianceScaleError as error:
            code = _fail(error)
        except OSError as error:
            code = _fail(f"{error.filename or ''}: {error.strerror or error}")
        except MemoryError:
            code = _fail("out of memory (the data are too large for this machine)")
        except KeyboardInterrupt:  # Ctrl-C: files are written atomically, none is partial
            code, interrupted = 130, True
    for warning in caught:
        if issubclass(warning.category, ResourceWarning):
            continue  # ignored by Python's default filters (a read cut by Ctrl-C leaves one)
        if issubclass(warning.category, UserWarning):
            print(f"{PROGRAM_NAME}: warning: {warning.message}", file=sys.stderr)
        else:  # a library's deprecation notice: shown as Python would show it
            warnings.showwarning(warning.message, warning.category, warning.filename,
                                 warning.lineno)
    if interrupted:  # the last line said, after the warnings gathered until then
        print(f"{PROGRAM_NAME}: interrupted", file=sys.stderr)
    return code


def _fail(error: object) -> int:
    print(f"{PROGRAM_NAME}: error: {error}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
