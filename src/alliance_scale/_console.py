"""The ``alliance-scale`` console script's entry point: ``--version`` answered at once.

The console script imports this module, not :mod:`.cli`: ``alliance-scale --version``
prints the version from the package's string and returns before the command line's parser
(argparse, pathlib, the file layer) is imported; every other call goes to
:func:`alliance_scale.cli.main` unchanged.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the command line (see :func:`alliance_scale.cli.main`); ``--version`` alone is
    answered here, as argparse would answer it (the version on standard output, exit 0).

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
    from .cli import main as run

    return run(args)
