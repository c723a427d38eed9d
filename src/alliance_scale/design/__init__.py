"""Design of the next study from a Scale and a pilot: short forms and sample-size planning.

Stage 5 of the workflow, above :mod:`alliance_scale.validity`: :func:`shorten` chooses the
items of the scale people will field from the draft pool, with the blueprint as its
constraints and a held-out part of the pilot as its judge; :func:`plan_sample_size` says how
many respondents the next study needs (analytic power of the model test, or Monte Carlo).
"""

from __future__ import annotations

from .._lazy import attach

# Public name -> the private module defining it, imported on first use (see _lazy.py).
__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "._montecarlo": ["MonteCarloPower", "Population", "simulate_power"],
        "._shorten": ["ShortForm", "shorten"],
        "._shorten_parts": ["OBJECTIVES", "stuart_objective"],
        "._plan": ["plan_sample_size"],
        "._power": ["SampleSizePlan", "plot_power_curve", "smallest_n"],
    },
)
