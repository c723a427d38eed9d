"""Regenerate the SYNTHETIC pilot data of data/ bit for bit: ``python data/make_pilot.py``.

The data are simulated (no patient answered them): see data/README.md for the model and the
codebook. ``build()`` returns the two tables without writing them (used by the tests).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from alliance_scale import draft_scale
from alliance_scale.fielding._simulation import SimulationResult, simulate, simulate_retest

HERE = Path(__file__).resolve().parent
PILOT_SEED = 2026
RETEST_SEED = 2027
N_PILOT = 320
N_RETEST = 80


def simulate_pilot() -> tuple[SimulationResult, SimulationResult]:
    """The pilot administration and its two-week retest, with their truth."""
    scale = draft_scale()
    pilot = simulate(scale, N_PILOT, seed=PILOT_SEED, missing_rate=0.01, careless_rate=0.03)
    retest = simulate_retest(pilot, N_RETEST, seed=RETEST_SEED, stability=0.9)
    return pilot, retest


def _as_written(result: SimulationResult) -> pd.DataFrame:
    """Item answers as nullable integers (``4``, empty when missing); WAI scores unchanged."""
    frame = result.data.copy()
    frame[result.item_ids] = frame[result.item_ids].astype("Int64")
    return frame


def build() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tables of ``pilot.csv`` and ``pilot_retest.csv`` (index ``respondent``)."""
    pilot, retest = simulate_pilot()
    return _as_written(pilot), _as_written(retest)


def main() -> None:
    pilot, retest = build()
    pilot.to_csv(HERE / "pilot.csv", lineterminator="\n")
    retest.to_csv(HERE / "pilot_retest.csv", lineterminator="\n")
    truth = simulate_pilot()[0].truth
    print(f"wrote {HERE / 'pilot.csv'} ({pilot.shape[0]} x {pilot.shape[1]}) and "
          f"{HERE / 'pilot_retest.csv'} ({retest.shape[0]} x {retest.shape[1]})")
    print("careless respondents (truth):", ", ".join(str(i) for i in truth.careless_ids))
    print("kinds:", ", ".join(f"{i} {k}" for i, k in truth.careless["kind"].items()))


if __name__ == "__main__":
    main()
