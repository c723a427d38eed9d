"""The console script's entry (``_console.py``): ``--version`` and ``--help`` answered before
the command line's parser loads (the help from ``_help_text.py``, generated from the parser),
everything else handed to :func:`alliance_scale.cli.main` unchanged."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from alliance_scale import _console, _help_text, cli

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


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["-h"]])
def test_version_and_help_load_neither_argparse_nor_the_file_layer(argv: list[str]) -> None:
    code = textwrap.dedent(f"""
        import os, sys
        os.environ["COLUMNS"] = "80"
        from alliance_scale._console import main
        assert main({argv!r}) == 0
        print(sorted(m for m in ("argparse", "pathlib", "alliance_scale.cli",
                                 "alliance_scale._io", "re", "shutil", "textwrap")
                      if m in sys.modules))
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SOURCE),
                                                        os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=True)
    loaded = done.stdout.splitlines()[-1]
    if argv == ["--version"] or tuple(sys.version_info[:2]) == _help_text.PYTHON:
        assert loaded == "[]"
    else:  # help texts generated on another Python: argparse answers
        assert "argparse" in loaded


def test_the_precomputed_help_is_what_the_parser_prints_now(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails after a change of the command line until ``_help_text.py`` is regenerated.

    The texts are argparse's on the Python that generated them (``_help_text.PYTHON``);
    on another Python the fast path is off (argparse answers), which is checked instead."""
    if tuple(sys.version_info[:2]) != _help_text.PYTHON:
        monkeypatch.setenv("COLUMNS", "80")
        assert _console._precomputed_help() is None
        return
    fresh = _help_text._generate()
    assert fresh == Path(_help_text.__file__).read_text(encoding="utf-8"), (
        "the command line changed: regenerate its help with "
        "`PYTHONPATH=src python -m alliance_scale._help_text`")
    assert _help_text.TEXTS and all(text.startswith("usage: alliance-scale [-h]")
                                    for _, _, text in _help_text.TEXTS)


@pytest.mark.parametrize("columns", [None, "", "x", "0", "-3", "40", "79", "80", "82", "83",
                                     "88", "89", "100", "250"])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_is_what_the_parser_prints_at_every_width(
        flag: str, columns: str | None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert _console._terminal_columns() == shutil.get_terminal_size().columns
    assert _console.main([flag]) == 0
    fast = capsys.readouterr()
    assert cli.main([flag]) == 0
    assert capsys.readouterr() == fast and fast.out.startswith("usage: alliance-scale")
    shortcut = _console._precomputed_help()
    assert shortcut is None or shortcut == fast.out
    same_python = tuple(sys.version_info[:2]) == _help_text.PYTHON
    if columns in ("80", "100") and same_python:  # a width the texts hold: no argparse
        assert shortcut == fast.out


def test_help_of_another_python_is_left_to_argparse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert _console._precomputed_help() is not None
    monkeypatch.setattr(_help_text, "PYTHON", (2, 7))
    assert _console._precomputed_help() is None
