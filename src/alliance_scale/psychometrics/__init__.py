"""Generic psychometric numerics on DataFrames, matching R psych, lavaan and mirt, by family:
correlations (Pearson, polychoric; ``_correlation/``), reliability (alpha, omega, ICC;
``_reliability/``), factor analysis (factorability, number of factors, EFA with every psych
rotation, principal components; ``_factor/``), confirmatory factor analysis with
measurement invariance (lavaan's numbers; ``_cfa/``) and item response theory (mirt's;
``_irt/``). Each family is a subpackage with its own face and the plots of its analyses;
scoring keys (``_keys.py``), the BLAS thread limit (``_blas.py``) and the plots' shared
conventions (``_plotting.py``) serve several families.

Nothing here knows the questionnaire: this package imports nothing from
:mod:`alliance_scale.instrument`, :mod:`alliance_scale.fielding` or
:mod:`alliance_scale.validity` (a test checks it), so it serves any item set.
"""

from __future__ import annotations

from .._lazy import attach

# Public name -> the family (or private module) defining it, imported on first use
# (see _lazy.py); each family's face loads its own modules the same way.
__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "._cfa": [
            "CFAResult", "FornellLarckerResult", "InvarianceResult", "SplitSample", "cfa",
            "fornell_larcker", "measurement_invariance", "plot_path_diagram", "split_sample",
        ],
        "._correlation": [
            "PolychoricResult", "correlation_matrix", "disattenuate", "plot_correlations",
            "plot_mtmm", "polychoric", "smooth_correlation", "squared_multiple_correlations",
        ],
        "._factor": [
            "ROTATIONS", "BartlettResult", "EFAResult", "KMOResult", "MAPResult", "PCAResult",
            "ParallelAnalysisResult", "VSSResult", "bartlett", "efa", "extract_factors", "kmo",
            "map_test", "parallel_analysis", "plot_loadings", "plot_scree", "principal",
            "rotate", "vss",
        ],
        "._irt": [
            "IRTResult", "irt", "simulate_irt",
            "DIFResult", "MultiGroupIRTResult", "dif", "empirical_es", "irt_multigroup",
            "plot_information", "plot_item_curves", "plot_wright_map",
        ],
        "._keys": ["reverse_codes", "reverse_keyed", "split_keyed"],
        "._reliability": [
            "AlphaResult", "ICCResult", "OmegaResult", "cronbach_alpha", "icc",
            "item_statistics", "omega", "plot_item_total", "plot_likert",
        ],
    },
)
