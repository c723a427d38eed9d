"""Item response theory with mirt 1.47's numbers: unidimensional graded, 2PL, generalized
partial credit and (partial credit) Rasch models by marginal ML (EM); confirmatory
multidimensional and bifactor models; MAP with priors.

Private modules behind one face: :mod:`._models` (item response functions and their
derivatives, any number of dimensions), :mod:`._data` (coding, patterns), :mod:`._start`
(starting values), :mod:`._engine` (unidimensional EM, observed information),
:mod:`._multidim` (multidimensional grids, EM, two-tier bifactor E-step, information),
:mod:`._priors` (MAP priors), :mod:`._constraints` (rating scale and equality constraints),
:mod:`._scores` (EAP / MAP / ML / WLE / EAPsum), :mod:`._fit` (M2, S-X2),
:mod:`._result` (:class:`IRTResult`), :mod:`._irt` (:func:`irt`), :mod:`._simulate`
(:func:`simulate_irt`).
"""

from __future__ import annotations

from ._irt import irt
from ._result import IRTResult
from ._simulate import simulate_irt

__all__ = ["IRTResult", "irt", "simulate_irt"]
