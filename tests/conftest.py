"""Shared fixtures: paths to the reference data exported by the R scripts in tests/fixtures/;
the Hypothesis profiles of the suite.

Hypothesis profiles: ``suite`` (loaded here, so the README's test command and ``.ci/run``
give the same verdict on every run) draws the same examples every time
(``derandomize=True``) and keeps no example database (``database=None``: nothing is written
into the checkout, no failure replayed from an earlier run). ``fuzz`` draws new random
examples on every run, for bug hunting: ``python -m pytest --hypothesis-profile=fuzz``
(Hypothesis' own pytest option, which loads it after this file) or
``ALLIANCE_SCALE_HYPOTHESIS_PROFILE=fuzz``. A failure prints the seed and the
``@reproduce_failure`` blob that replays it. Per-test ``@settings(...)`` name only the
number of examples and the deadline, so they inherit the profile's randomisation and
database. Hypothesis' other files (its cache of the constants found in the source code)
go to a temporary folder removed at the end of the run, unless
``HYPOTHESIS_STORAGE_DIRECTORY`` says where.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

settings.register_profile("suite", derandomize=True, database=None, print_blob=True)
settings.register_profile("fuzz", derandomize=False, database=None, print_blob=True)
settings.load_profile(os.environ.get("ALLIANCE_SCALE_HYPOTHESIS_PROFILE", "suite"))

FIXTURES = Path(__file__).parent / "fixtures"


_HYPOTHESIS_HOME: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """Hypothesis writes nothing into the checkout (its home defaults to ./.hypothesis; it
    caches there, at collection, the constants it finds in the source code): a temporary
    folder instead, removed at the end of the session."""
    if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        _HYPOTHESIS_HOME.append(tempfile.mkdtemp(prefix="alliance-scale-hypothesis-"))
        set_hypothesis_home_dir(_HYPOTHESIS_HOME[-1])


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` (pyproject's addopts) runs the suite on one worker per core, but a run of
    single test files or tests stays in one process: starting the workers (each imports
    the test modules) would cost more than the few tests gain. ``-n 2`` forces workers;
    ``PYTEST_XDIST_AUTO_NUM_WORKERS`` is honoured by xdist's own hook."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's hook reads it
    arguments = [str(a) for a in config.args]
    if arguments and all("::" in a or Path(a).is_file() for a in arguments):
        return 0
    return None  # xdist's default: the number of cores


def pytest_unconfigure(config: pytest.Config) -> None:
    while _HYPOTHESIS_HOME:
        shutil.rmtree(_HYPOTHESIS_HOME.pop(), ignore_errors=True)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def bfi() -> pd.DataFrame:
    """psychTools::bfi as exported by tests/fixtures/make_bfi.R (index: respondent id)."""
    return pd.read_csv(FIXTURES / "bfi.csv", index_col="id")


@pytest.fixture(scope="session")
def bfi_items(bfi: pd.DataFrame) -> pd.DataFrame:
    """The 25 personality items of bfi (A1..O5), missing answers as NaN."""
    return bfi.iloc[:, :25].astype(float)
