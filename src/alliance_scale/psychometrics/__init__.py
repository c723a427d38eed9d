"""Generic psychometric numerics on DataFrames, matching R psych: correlations (Pearson,
polychoric), factorability, number of factors, exploratory factor analysis with every psych
rotation, principal components, reliability coefficients (alpha, omega), scoring keys,
confirmatory factor analysis with measurement invariance (lavaan's numbers), and the plots
of these analyses.

Nothing here knows the questionnaire: this package imports nothing from
:mod:`alliance_scale.instrument`, :mod:`alliance_scale.fielding` or
:mod:`alliance_scale.validity` (a test checks it), so it serves any item set.
"""

from __future__ import annotations

from .._lazy import attach

# Public name -> the private module defining it, imported on first use (see _lazy.py).
__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "._cfa": [
            "CFAResult", "FornellLarckerResult", "InvarianceResult", "SplitSample", "cfa",
            "fornell_larcker", "measurement_invariance", "split_sample",
        ],
        "._correlation": [
            "PolychoricResult", "correlation_matrix", "polychoric", "smooth_correlation",
            "squared_multiple_correlations",
        ],
        "._correlation_tests": ["disattenuate"],
        "._efa": ["EFAResult", "efa", "extract_factors"],
        "._icc": ["ICCResult", "icc"],
        "._irt": ["IRTResult", "irt", "simulate_irt"],
        "._irt._plots": ["plot_information", "plot_item_curves", "plot_wright_map"],
        "._factorability": ["BartlettResult", "KMOResult", "bartlett", "kmo"],
        "._keys": ["reverse_codes", "reverse_keyed", "split_keyed"],
        "._n_factors": [
            "MAPResult", "ParallelAnalysisResult", "VSSResult", "map_test", "parallel_analysis",
            "vss",
        ],
        "._pca": ["PCAResult", "principal"],
        "._plots": [
            "plot_correlations", "plot_item_total", "plot_likert", "plot_loadings", "plot_mtmm",
            "plot_path_diagram", "plot_scree",
        ],
        "._reliability": [
            "AlphaResult", "OmegaResult", "cronbach_alpha", "item_statistics", "omega",
        ],
        "._rotation": ["ROTATIONS", "rotate"],
    },
)
