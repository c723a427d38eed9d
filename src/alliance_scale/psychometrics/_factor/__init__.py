"""Exploratory factor analysis with R psych's numbers: factorability, number of factors,
extraction, every psych / GPArotation rotation, principal components, and their plots.

Private modules behind one face, each loaded when one of its names is first read
(:func:`alliance_scale._lazy.attach`): :mod:`._factorability` (KMO, Bartlett),
:mod:`._n_factors` (parallel analysis, MAP, VSS), :mod:`._efa` (extraction and
:func:`efa`), :mod:`._rotation`, :mod:`._pca` (:func:`principal`), :mod:`._fa_print`
(psych-style tables shared by EFA and PCA), :mod:`._plots` (scree, loadings heatmap).
"""

from __future__ import annotations

from ..._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "._efa": ["EFAResult", "efa", "extract_factors"],
        "._factorability": ["BartlettResult", "KMOResult", "bartlett", "kmo"],
        "._n_factors": [
            "MAPResult", "ParallelAnalysisResult", "VSSResult", "map_test", "parallel_analysis",
            "vss",
        ],
        "._pca": ["PCAResult", "principal"],
        "._plots": ["plot_loadings", "plot_scree"],
        "._rotation": ["ROTATIONS", "rotate"],
    },
)
