"""Item response theory with mirt 1.47's numbers: unidimensional graded, 2PL, generalized
partial credit and (partial credit) Rasch models by marginal ML (EM); confirmatory
multidimensional and bifactor models; MAP with priors.

Private modules behind one face: :mod:`._models` (item response functions and their
derivatives, any number of dimensions), :mod:`._data` (coding, patterns), :mod:`._start`
(starting values), :mod:`._engine` (unidimensional EM, observed information),
:mod:`._mstep` (the graded M-step in closed form),
:mod:`._multidim` (multidimensional grids, EM, two-tier bifactor E-step, information),
:mod:`._priors` (MAP priors), :mod:`._constraints` (rating scale and equality constraints),
:mod:`._scores` (EAP / MAP / ML / WLE / EAPsum), :mod:`._fit` (M2, S-X2),
:mod:`._result` (:class:`IRTResult`), :mod:`._irt` (:func:`irt`), :mod:`._simulate`
(:func:`simulate_irt`), :mod:`._multigroup` (:func:`irt_multigroup`, several
groups), :mod:`._multigroup_result` (:class:`MultiGroupIRTResult`), :mod:`._dif` (:func:`dif`,
:class:`DIFResult`), :mod:`._residuals` (local dependence), :mod:`._personfit` (Zh, infit /
outfit), :mod:`._plots` (curves, information, Wright map).
"""

from __future__ import annotations

from ._dif import DIFResult, dif, empirical_es
from ._irt import irt
from ._multigroup import irt_multigroup
from ._multigroup_result import MultiGroupIRTResult
from ._plots import plot_information, plot_item_curves, plot_wright_map
from ._result import IRTResult
from ._simulate import simulate_irt

__all__ = [
    "DIFResult",
    "IRTResult",
    "MultiGroupIRTResult",
    "dif",
    "empirical_es",
    "irt",
    "irt_multigroup",
    "plot_information",
    "plot_item_curves",
    "plot_wright_map",
    "simulate_irt",
]
