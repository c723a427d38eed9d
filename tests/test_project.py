"""Project-level contracts: the public API, the README's commands, style."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import alliance_scale

ROOT = Path(__file__).resolve().parents[1]


def test_public_names_are_exported() -> None:
    missing = [name for name in alliance_scale.__all__ if not hasattr(alliance_scale, name)]
    assert missing == []
    assert len(set(alliance_scale.__all__)) == len(alliance_scale.__all__)


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start.*?```bash\n(.*?)```", text, flags=re.S)
    assert block, "README has no Quick start bash block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_quick_start_has_two_commands_and_ci_runs_the_test_one() -> None:
    commands = _readme_commands()
    assert len(commands) == 2
    assert "pytest" in commands[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert commands[1] in ci_lines


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    run = subprocess.run(
        [ruff, "check", "src", "tests", "benchmarks", "data"], cwd=ROOT, capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_slow_marker_is_registered_strict_and_used() -> None:
    import tomllib

    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"]
    assert any(m.startswith("slow:") for m in options["markers"])
    assert "--strict-markers" in options["addopts"]  # a misspelt marker fails the run
    marked = [path for path in (ROOT / "tests").rglob("test_*.py")
              if "pytest.mark.slow" in path.read_text(encoding="utf-8")]
    assert len(marked) >= 3
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert '-m "not slow"' in readme.split("## Development", 1)[1]
