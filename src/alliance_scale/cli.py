"""Command-line interface: ``alliance-scale draft`` (subcommands; ``validate`` comes later).

``alliance-scale draft`` drafts the bundled scale and prints or writes it in one of the
export formats. Errors of the library (:class:`AllianceScaleError`) end the command with a
one-line message on stderr and exit code 2, never a traceback; library warnings are shown
as one-line ``warning:`` messages.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from .errors import AllianceScaleError
from .instrument import LANGUAGES, PROGRAMS, draft_scale
from .instrument._exports import EXPORT_FORMATS, render, write_export

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
    return parser


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
