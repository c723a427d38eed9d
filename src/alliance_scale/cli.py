"""Command-line interface: ``alliance-scale draft`` and ``alliance-scale score``
(subcommands; ``validate`` and ``simulate`` come later: one ``_add_<command>`` function each).

``alliance-scale draft`` drafts the bundled scale and prints or writes it in one of the
export formats. ``alliance-scale score DATA`` reads a response export (any platform, see
:func:`~alliance_scale.read_responses`) and writes the scores with their flags as CSV; what
was read (layout, rows per completion status) goes to stderr. Errors of the library
(:class:`AllianceScaleError`) end the command with a one-line message on stderr and exit
code 2, never a traceback; library warnings are shown as one-line ``warning:`` messages.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from .errors import AllianceScaleError
from .fielding import read_responses, score
from .fielding._responses import SOURCES
from .instrument import LANGUAGES, PROGRAMS, Scale, draft_scale
from .instrument._exports import EXPORT_FORMATS, neutralise, render, write_export

__all__ = ["PROGRAM_NAME", "build_parser", "main"]

PROGRAM_NAME = "alliance-scale"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one subparser per command (add new commands here)."""
    parser = argparse.ArgumentParser(
        prog=PROGRAM_NAME,
        description="Build and validate a questionnaire of the digital therapeutic alliance.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    _add_draft(commands)
    _add_score(commands)
    return parser


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
    draft.add_argument("--format", choices=EXPORT_FORMATS, default="markdown",
                       help="output format (default: markdown)")
    draft.add_argument("--output", "-o", type=Path, default=None, metavar="PATH",
                       help="write to PATH instead of standard output")
    draft.set_defaults(handler=_draft)


def _add_score(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "score", help="score a response export (REDCap, LimeSurvey, Qualtrics, CSV, Excel, SPSS)",
        description="Read a response export, check every answer, and write the facet, "
                    "dimension and total scores with each respondent's status and flags as "
                    "CSV. What was read goes to standard error.",
    )
    command.add_argument("data", type=Path, metavar="DATA", help="the response file")
    command.add_argument("--scale", type=Path, default=None, metavar="FILE",
                         help="the fielded scale, as saved by Scale.save (.yaml or .json); "
                              "default: the bundled default scale")
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
    command.add_argument("--output", "-o", type=Path, default=None, metavar="PATH",
                         help="write the scores to PATH (UTF-8 with BOM) instead of standard "
                              "output")
    command.set_defaults(handler=_score)


def _draft(args: argparse.Namespace) -> int:
    scale = draft_scale(
        items_per_facet=args.items_per_facet, points=args.points, language=args.language,
        program=args.program, seed=args.seed,
    )
    if args.output is None:
        sys.stdout.write(render(scale, args.format))
        return 0
    write_export(scale, args.format, args.output)  # REDCap, LimeSurvey: with a byte-order mark
    print(f"wrote {args.output} ({len(scale.items)} items)", file=sys.stderr)
    return 0


def _score(args: argparse.Namespace) -> int:
    scale = Scale.load(args.scale) if args.scale is not None else draft_scale()
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
        args.output.write_text(text, encoding="utf-8-sig")
        print(f"wrote {args.output} ({len(table)} respondents)", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 usage or library error).

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
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code = args.handler(args)
        except AllianceScaleError as error:
            code = _fail(error)
        except OSError as error:
            code = _fail(f"{error.filename or ''}: {error.strerror}")
    for warning in caught:
        if issubclass(warning.category, UserWarning):
            print(f"{PROGRAM_NAME}: warning: {warning.message}", file=sys.stderr)
        else:  # a library's deprecation notice: shown as Python would show it
            warnings.showwarning(warning.message, warning.category, warning.filename,
                                 warning.lineno)
    return code


def _fail(error: object) -> int:
    print(f"{PROGRAM_NAME}: error: {error}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
