"""The alliance-scale command line (draft)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from alliance_scale import Scale, draft_scale, read_qualtrics_txt
from alliance_scale.cli import main


def test_default_prints_the_bundled_scale_in_markdown(capsys: pytest.CaptureFixture) -> None:
    assert main(["draft"]) == 0
    out = capsys.readouterr().out
    scale = draft_scale()
    assert out.startswith("# ") and out == scale.to_markdown()
    assert all(f"`{item_id}`" in out for item_id in scale.item_ids)


def test_options_are_passed_on(capsys: pytest.CaptureFixture) -> None:
    assert main(["draft", "--language", "en", "--points", "7", "--items-per-facet", "2",
                 "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert out == draft_scale(language="en", points=7, items_per_facet=2, seed=3).to_markdown()
    assert "7 = Strongly agree" in out


@pytest.mark.parametrize("fmt", ["markdown", "html", "redcap", "limesurvey", "qualtrics",
                                 "yaml", "json"])
def test_every_format_writes_a_file(tmp_path: Path, fmt: str,
                                    capsys: pytest.CaptureFixture) -> None:
    suffix = {"markdown": ".md", "html": ".html", "redcap": ".csv", "yaml": ".yaml",
              "json": ".json"}.get(fmt, ".txt")
    path = tmp_path / f"scale{suffix}"
    assert main(["draft", "--items-per-facet", "2", "--format", fmt, "--output",
                 str(path)]) == 0
    assert "wrote" in capsys.readouterr().err
    scale = draft_scale(items_per_facet=2)
    if fmt in ("yaml", "json"):
        assert Scale.load(path) == scale
    elif fmt == "qualtrics":
        questions = read_qualtrics_txt(path)
        assert [q for q in questions.index if q != "instructions"] == scale.item_ids
    elif fmt == "redcap":
        with path.open(encoding="utf-8", newline="") as handle:
            assert len(list(csv.reader(handle))) == len(scale.items) + 2
    elif fmt == "limesurvey":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    else:
        assert scale.item_ids[0] in path.read_text("utf-8") or fmt == "html"
        assert scale.items[0].text_fr.split()[0] in path.read_text("utf-8")


def test_automated_program_warns_on_one_line(capsys: pytest.CaptureFixture) -> None:
    assert main(["draft", "--program", "automated"]) == 0
    err = capsys.readouterr().err
    assert "alliance-scale: warning:" in err and "C2" in err


@pytest.mark.parametrize("argv", [["--help"], ["draft", "--help"]])
def test_help(argv: list[str], capsys: pytest.CaptureFixture) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "draft" in out
    if "draft" in argv:
        assert "--items-per-facet" in out and "--format" in out


@pytest.mark.parametrize("argv", [["draft", "--points", "9"], ["draft", "--format", "spss"],
                                  [], ["nonsense"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture) -> None:
    assert main(argv) == 2
    assert "usage" in capsys.readouterr().err


def test_library_error_is_one_line_exit_2(capsys: pytest.CaptureFixture) -> None:
    assert main(["draft", "--items-per-facet", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("alliance-scale: error:") and "items_per_facet" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_console_module_runs_in_a_subprocess() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "alliance_scale.cli", "draft", "--program", "automated",
         "--language", "en", "--items-per-facet", "1"],
        capture_output=True, text=True, encoding="utf-8", check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "Strongly agree" in run.stdout
    assert "alliance-scale: warning:" in run.stderr and "Traceback" not in run.stderr


def test_unwritable_output_is_one_line_exit_2(tmp_path: Path,
                                              capsys: pytest.CaptureFixture) -> None:
    target = tmp_path / "no" / "such" / "dir" / "scale.md"
    assert main(["draft", "--output", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("alliance-scale: error:") and "scale.md" in err
    assert len(err.strip().splitlines()) == 1
