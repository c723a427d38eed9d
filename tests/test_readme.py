"""The README runs as written (issue #17): every ```python block, and every command line of
its "The command line" section, in order, in an empty temporary folder.

The command lines go through ``alliance_scale.cli.main``, the function the ``alliance-scale``
console script calls (``[project.scripts]``, checked below), in this process (no interpreter
start per line). The claims the Python block makes in its comments are checked on the
objects it leaves behind.
"""

from __future__ import annotations

import json
import re
import shlex
import warnings
from pathlib import Path
from typing import Any

import matplotlib
import pytest

from alliance_scale.cli import main

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", README, flags=re.S | re.M)


def command_lines() -> list[list[str]]:
    """The section's bash block: continuation lines joined, comments dropped, split as the
    shell splits them."""
    section = re.search(r"^## The command line\n(.*?)^## ", README, flags=re.S | re.M)
    assert section, 'README has no "The command line" section'
    block = re.search(r"^```bash\n(.*?)^```", section.group(1), flags=re.S | re.M)
    assert block, 'no bash block in "The command line"'
    text = block.group(1).replace("\\\n", " ")
    return [shlex.split(line, comments=True) for line in text.splitlines() if line.strip()]


def test_the_console_script_is_cli_main() -> None:
    """The console script's entry answers --version itself and hands the rest to cli.main
    (tests/test_console.py checks that it does)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    scripts = re.search(r"^\[project\.scripts\]\n(.*?)^\[", text, flags=re.S | re.M)
    assert scripts and 'alliance-scale = "alliance_scale._console:main"' in scripts.group(1)


def test_the_readme_has_what_this_test_runs() -> None:
    assert len(python_blocks()) >= 1
    lines = command_lines()
    assert len(lines) >= 5 and all(line[0] == "alliance-scale" for line in lines)
    assert lines[0] == ["alliance-scale", "validate"]  # the Quick start's command


@pytest.mark.slow
def test_python_blocks_run_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for number, block in enumerate(python_blocks(), 1):
            exec(compile(block, f"README.md, python block {number}", "exec"), namespace)
    # what the comments of the walk-through say
    responses, scores, fit = namespace["responses"], namespace["scores"], namespace["fit"]
    assert responses.attrs["read_report"].source == "qualtrics" and len(responses) == 320
    assert dict(responses.attrs["read_report"].status_counts) == {"complete": 317,
                                                                  "incomplete": 3}
    assert len(scores.scores) == 317 and len(scores.excluded) == 3
    assert fit.estimator == "WLSMV" and fit.n_obs == 320  # pairwise, as validate
    assert namespace["report"].results["cfa"].n_obs <= 320
    left_out = [w for w in caught if "left out, as score(keep=)" in str(w.message)]
    assert len(left_out) == 1 and "R_000000000000157" in str(left_out[0].message)
    for name in ("dta_dictionary.csv", "dta.yaml", "dta_report.html"):
        assert (tmp_path / name).stat().st_size > 0, name


@pytest.mark.slow
def test_command_lines_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(tmp_path)
    for argv in command_lines():
        code = main(argv[1:])
        err = capsys.readouterr().err
        assert code == 0, f"{shlex.join(argv)} exited {code}: {err}"
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report  # a JSON report, as its suffix says
    assert (tmp_path / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "dta_report.html").stat().st_size > 0
    assert (tmp_path / "dta.txt").read_text(encoding="utf-8").startswith("[[AdvancedFormat]]")
    assert (tmp_path / "scores.csv").stat().st_size > 0
