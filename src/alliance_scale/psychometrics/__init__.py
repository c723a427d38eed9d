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

from ._cfa import (
    CFAResult,
    FornellLarckerResult,
    InvarianceResult,
    SplitSample,
    cfa,
    fornell_larcker,
    measurement_invariance,
    split_sample,
)
from ._correlation import (
    PolychoricResult,
    correlation_matrix,
    polychoric,
    smooth_correlation,
    squared_multiple_correlations,
)
from ._correlation_tests import disattenuate
from ._efa import EFAResult, efa, extract_factors
from ._factorability import BartlettResult, KMOResult, bartlett, kmo
from ._icc import ICCResult, icc
from ._keys import reverse_codes, reverse_keyed, split_keyed
from ._n_factors import (
    MAPResult,
    ParallelAnalysisResult,
    VSSResult,
    map_test,
    parallel_analysis,
    vss,
)
from ._pca import PCAResult, principal
from ._plots import (
    plot_correlations,
    plot_item_total,
    plot_likert,
    plot_loadings,
    plot_mtmm,
    plot_path_diagram,
    plot_scree,
)
from ._reliability import AlphaResult, OmegaResult, cronbach_alpha, item_statistics, omega
from ._rotation import ROTATIONS, rotate

__all__ = [
    "ROTATIONS",
    "AlphaResult",
    "BartlettResult",
    "CFAResult",
    "EFAResult",
    "FornellLarckerResult",
    "ICCResult",
    "InvarianceResult",
    "KMOResult",
    "MAPResult",
    "OmegaResult",
    "PCAResult",
    "ParallelAnalysisResult",
    "PolychoricResult",
    "SplitSample",
    "VSSResult",
    "bartlett",
    "cfa",
    "correlation_matrix",
    "cronbach_alpha",
    "disattenuate",
    "efa",
    "extract_factors",
    "fornell_larcker",
    "icc",
    "item_statistics",
    "kmo",
    "map_test",
    "measurement_invariance",
    "omega",
    "parallel_analysis",
    "plot_correlations",
    "plot_item_total",
    "plot_likert",
    "plot_loadings",
    "plot_mtmm",
    "plot_path_diagram",
    "plot_scree",
    "polychoric",
    "principal",
    "reverse_codes",
    "reverse_keyed",
    "rotate",
    "smooth_correlation",
    "split_keyed",
    "split_sample",
    "squared_multiple_correlations",
    "vss",
]
