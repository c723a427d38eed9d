"""Item response theory with mirt 1.47's numbers: unidimensional graded, 2PL, generalized
partial credit and (partial credit) Rasch models by marginal ML (EM).

Private modules behind one face: :mod:`._models` (item response functions and their
derivatives), :mod:`._data` (coding, patterns), :mod:`._start` (starting values),
:mod:`._engine` (EM, observed information), :mod:`._scores` (EAP / MAP / ML / WLE /
EAPsum), :mod:`._result` (:class:`IRTResult`), :mod:`._irt` (:func:`irt`),
:mod:`._simulate` (:func:`simulate_irt`), :mod:`._residuals` (local dependence),
:mod:`._personfit` (Zh, infit / outfit), :mod:`._plots` (curves, information, Wright map).
"""

from __future__ import annotations

from ._irt import irt
from ._plots import plot_information, plot_item_curves, plot_wright_map
from ._result import IRTResult
from ._simulate import simulate_irt

__all__ = ["IRTResult", "irt", "simulate_irt"]
__all__ += ["plot_information", "plot_item_curves", "plot_wright_map"]  # irtflow
