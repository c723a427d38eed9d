"""The console script's entry (``_console.py``): ``--version`` answered before the command
line's parser loads, everything else handed to :func:`alliance_scale.cli.main` unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from alliance_scale import _console, cli

SOURCE = Path(__file__).resolve().parents[1] / "src"


def test_version_is_what_the_parser_prints(capsys: pytest.CaptureFixture) -> None:
    assert _console.main(["--version"]) == 0
    fast = capsys.readouterr()
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr() == fast and fast.out.startswith("alliance-scale ")


@pytest.mark.parametrize("argv", [["--help"], ["--version", "draft"], ["validate", "--nope"],
                                  []])
def test_every_other_call_goes_to_the_parser(argv: list[str],
                                              capsys: pytest.CaptureFixture) -> None:
    code = _console.main(argv)
    through = capsys.readouterr()
    assert (code, through) == (cli.main(argv), capsys.readouterr())
    assert code in (0, 2) and (through.out + through.err).startswith(
        ("usage: alliance-scale", "alliance-scale "))


def test_version_loads_neither_argparse_nor_the_file_layer() -> None:
    code = textwrap.dedent("""
        import sys
        from alliance_scale._console import main
        assert main(["--version"]) == 0
        print(sorted(m for m in ("argparse", "pathlib", "alliance_scale.cli",
                                 "alliance_scale._io") if m in sys.modules))
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SOURCE),
                                                        os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=True)
    assert done.stdout.splitlines()[-1] == "[]"
