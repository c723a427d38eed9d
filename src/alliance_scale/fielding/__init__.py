"""Fielding: read what survey platforms export, score it, screen careless respondents, and
simulate administrations with a known truth (with the bundled synthetic pilot).

Stage 2 of the workflow. Uses the questionnaire (:mod:`alliance_scale.instrument`) and the
generic numerics (:mod:`alliance_scale.psychometrics`).
"""

from __future__ import annotations

from .._lazy import attach

# Public name -> the private module defining it, imported on first use (see _lazy.py).
__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "._careless": ["CarelessResult", "careless"],
        "._datasets": ["EXAMPLE_EXPORTS", "example_export", "load_pilot"],
        "._qualtrics_txt": ["read_qualtrics_txt"],
        "._responses": ["ID_COLUMN_NAMES", "ReadReport", "read_responses"],
        "._scoring": ["ScoreResult", "score", "score_items"],
        "._simulation": [
            "WAI_COLUMNS", "SimulationResult", "SimulationTruth", "simulate", "simulate_retest",
        ],
    },
)
