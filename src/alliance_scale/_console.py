"""The ``alliance-scale`` console script's entry point: ``--version`` and ``--help`` answered
at once.

The console script imports this module, not :mod:`.cli`: ``alliance-scale --version``
prints the version from the package's string, and ``alliance-scale --help`` (or ``-h``) the
parser's help precomputed in :mod:`._help_text` (generated from the parser, checked by the
tests), and both return before the command line's parser (argparse, its help formatter,
pathlib, the file layer) is imported. The help is printed from there only for a terminal
width and a Python version it was generated for, else by argparse; every other call goes to
:func:`alliance_scale.cli.main` unchanged.
"""

from __future__ import annotations

import os
import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the command line (see :func:`alliance_scale.cli.main`); ``--version`` and
    ``--help`` alone are answered here, as argparse would answer them (the text on standard
    output, exit 0).

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).
    """
    args = sys.argv[1:] if argv is None else list(argv)
    if args == ["--version"]:
        from . import __version__

        print(f"alliance-scale {__version__}")
        return 0
    if args in (["--help"], ["-h"]):
        text = _precomputed_help()
        if text is not None:
            try:  # as argparse prints it (ArgumentParser._print_message)
                sys.stdout.write(text)
            except (AttributeError, OSError):
                pass
            return 0
    from .cli import main as run

    return run(args)


def _precomputed_help() -> str | None:
    """The help argparse would print now, if :mod:`._help_text` holds it (else None)."""
    from . import _help_text

    if tuple(sys.version_info[:2]) != _help_text.PYTHON:
        return None
    columns = _terminal_columns()
    for first, last, text in _help_text.TEXTS:
        if first <= columns and (last is None or columns <= last):
            return text
    return None


def _terminal_columns() -> int:
    """The terminal's width in columns as :func:`shutil.get_terminal_size` (which argparse's
    help formatter calls) decides it: ``COLUMNS`` if a positive integer, else the size of
    the terminal on standard output, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return columns
