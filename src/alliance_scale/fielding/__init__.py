"""Fielding: read what survey platforms export, score it, screen careless respondents, and
simulate administrations with a known truth (with the bundled synthetic pilot).

Stage 2 of the workflow. Uses the questionnaire (:mod:`alliance_scale.instrument`) and the
generic numerics (:mod:`alliance_scale.psychometrics`).
"""

from __future__ import annotations

from ._careless import CarelessResult, careless
from ._datasets import EXAMPLE_EXPORTS, example_export, load_pilot
from ._qualtrics_txt import read_qualtrics_txt
from ._responses import ID_COLUMN_NAMES, ReadReport, read_responses
from ._scoring import ScoreResult, score, score_items
from ._simulation import WAI_COLUMNS, SimulationResult, SimulationTruth, simulate, simulate_retest

__all__ = [
    "EXAMPLE_EXPORTS",
    "ID_COLUMN_NAMES",
    "WAI_COLUMNS",
    "CarelessResult",
    "ReadReport",
    "ScoreResult",
    "SimulationResult",
    "SimulationTruth",
    "careless",
    "example_export",
    "load_pilot",
    "read_qualtrics_txt",
    "read_responses",
    "score",
    "score_items",
    "simulate",
    "simulate_retest",
]
