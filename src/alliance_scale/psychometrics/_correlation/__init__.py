"""Correlations with R psych's numbers: Pearson and polychoric matrices, smoothing, tests and
intervals of correlations, disattenuation, HTMT ratios, and their plots.

Private modules behind one face, each loaded when one of its names is first read
(:func:`alliance_scale._lazy.attach`): :mod:`._correlation` (Pearson / polychoric matrices,
positive definiteness, smoothing), :mod:`._correlation_tests` (tests, intervals and effect
sizes; :func:`disattenuate`), :mod:`._htmt` (heterotrait-monotrait ratios),
:mod:`._plots` (correlation and MTMM heatmaps).
"""

from __future__ import annotations

from ..._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "._correlation": [
            "PolychoricResult", "correlation_matrix", "polychoric", "smooth_correlation",
            "squared_multiple_correlations",
        ],
        "._correlation_tests": ["disattenuate"],
        "._plots": ["plot_correlations", "plot_mtmm"],
    },
)
