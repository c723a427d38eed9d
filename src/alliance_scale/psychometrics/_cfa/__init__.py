"""Confirmatory factor analysis with lavaan's numbers (private modules behind one face)."""

from __future__ import annotations

from ._cfa import cfa
from ._result import CFAResult, FornellLarckerResult, fornell_larcker

__all__ = ["CFAResult", "FornellLarckerResult", "cfa", "fornell_larcker"]
