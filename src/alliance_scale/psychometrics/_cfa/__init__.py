"""Confirmatory factor analysis with lavaan 0.6.14's numbers, and measurement invariance.

Private modules behind one face: :mod:`._syntax` (lavaan model syntax), :mod:`._model`
(parameter table, LISREL matrices), :mod:`._start`, :mod:`._engine` (ML / DWLS estimation,
standard errors, robust tests), :mod:`._fit` (fit indices), :mod:`._fitting` (assembly),
:mod:`._result` (tables, reliability), :mod:`._modindices`, :mod:`._summary` (lavaan-style
print), :mod:`._invariance`, :mod:`._split`, :mod:`._plots` (path diagram, matplotlib loaded
when drawn); :mod:`._ordinal` (thresholds, polychorics and their asymptotic covariance for
WLSMV) is imported when ordered items are analysed.
"""

from __future__ import annotations

from ._cfa import cfa
from ._invariance import InvarianceResult, measurement_invariance
from ._plots import plot_path_diagram
from ._result import CFAResult, FornellLarckerResult, fornell_larcker
from ._split import SplitSample, split_sample

__all__ = [
    "CFAResult",
    "FornellLarckerResult",
    "InvarianceResult",
    "SplitSample",
    "cfa",
    "fornell_larcker",
    "measurement_invariance",
    "plot_path_diagram",
    "split_sample",
]
