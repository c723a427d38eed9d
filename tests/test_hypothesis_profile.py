"""The suite's Hypothesis profile: the same examples on every run, nothing written to disk."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
DRAWN: list[int] = []


def test_the_suite_profile_is_derandomised_and_keeps_no_database() -> None:
    suite = settings.get_profile("suite")
    assert suite.derandomize is True and suite.database is None
    fuzz = settings.get_profile("fuzz")
    assert fuzz.derandomize is False and fuzz.database is None


def test_the_suite_runs_under_the_profile_it_was_asked_for() -> None:
    # the README's command (no option) gives "suite"; --hypothesis-profile=fuzz gives "fuzz"
    asked = os.environ.get("ALLIANCE_SCALE_HYPOTHESIS_PROFILE", "suite")
    name = settings.get_current_profile_name()
    assert name in (asked, "fuzz")
    if name == "suite":
        assert settings.default.derandomize is True and settings.default.database is None
        # a per-test @settings naming other options keeps the profile's determinism
        explicit = settings(max_examples=7, deadline=None)
        assert explicit.derandomize is True and explicit.database is None


def test_hypothesis_writes_nothing_into_the_checkout() -> None:
    from hypothesis.configuration import storage_directory

    home = storage_directory("constants", intent_to_write=False).home_directory.resolve()
    assert not home.is_relative_to(ROOT), home


def test_print_profile() -> None:
    """Prints the profile in force (read by the next test, in a fresh pytest process)."""
    print("PROFILE", settings.get_current_profile_name(), settings.default.derandomize,
          settings.default.database)
    assert settings.get_current_profile_name() in ("suite", "fuzz")


def test_the_readme_test_command_loads_the_suite_profile() -> None:
    # a fresh `python -m pytest` from the repository root, no option, no environment variable
    env = {k: v for k, v in os.environ.items() if k != "ALLIANCE_SCALE_HYPOTHESIS_PROFILE"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
         "tests/test_hypothesis_profile.py::test_print_profile"],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    lines = [x for x in run.stdout.splitlines() if x.startswith("PROFILE")]
    assert lines == ["PROFILE suite True None"], run.stdout + run.stderr


@settings(max_examples=5)
@given(st.integers(0, 10**9))
def test_examples_are_the_same_on_every_run(value: int) -> None:
    DRAWN.append(value)


def test_two_runs_draw_the_same_examples() -> None:
    if settings.get_current_profile_name() != "suite":
        return  # a fuzz run draws new examples on purpose
    DRAWN.clear()
    test_examples_are_the_same_on_every_run()
    first = list(DRAWN)
    DRAWN.clear()
    test_examples_are_the_same_on_every_run()
    assert DRAWN == first and len(first) == 5


def test_no_test_overrides_the_profile_s_determinism() -> None:
    # per-test @settings may name examples and deadlines, never randomisation or database
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path.name == "conftest.py":
            continue
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"settings\((.*?)\)", text, flags=re.S):
            if re.search(r"\b(derandomize|database)\s*=", call.group(1)):
                offenders.append(f"{path.relative_to(ROOT)}: settings({call.group(1)})")
    assert offenders == []
