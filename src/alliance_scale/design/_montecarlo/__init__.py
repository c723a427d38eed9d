"""Sample-size planning by Monte Carlo simulation (issue #23): a population
(:class:`Population`, given or taken from a pilot), replications of the analysis model
fitted by the library's CFA (:mod:`._replicate`), run serially, in local processes or on a
Dask cluster (:mod:`._backends`), streamed to a results file an interrupted run resumes
from (:mod:`._store`), and summarised per sample size (:mod:`._result`).
"""

from __future__ import annotations

from ._population import Population
from ._result import MonteCarloPower
from ._simulate import simulate_power

__all__ = ["MonteCarloPower", "Population", "simulate_power"]
