"""Reliability with R psych's numbers: Cronbach's alpha with its intervals, item statistics,
omega, intraclass correlations, and the plots of the item analysis.

Private modules behind one face, each loaded when one of its names is first read
(:func:`alliance_scale._lazy.attach`): :mod:`._reliability` (alpha, item statistics,
omega), :mod:`._icc` (psych's six ICC forms), :mod:`._plots` (Likert bars, item-total
chart). The scoring keys they use are :mod:`alliance_scale.psychometrics._keys`.
"""

from __future__ import annotations

from ..._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "._icc": ["ICCResult", "icc"],
        "._plots": ["plot_item_total", "plot_likert"],
        "._reliability": [
            "AlphaResult", "OmegaResult", "cronbach_alpha", "item_statistics", "omega",
        ],
    },
)
