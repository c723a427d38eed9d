"""Shared fixtures: paths to the reference data exported by the R scripts in tests/fixtures/."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

FIXTURES = Path(__file__).parent / "fixtures"


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
