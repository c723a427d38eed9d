"""Validity of a drafted scale: content validity, structure against the blueprint
(congruence), reliability of every facet, dimension and total, test-retest.

Stage 4 of the workflow: applies :mod:`alliance_scale.psychometrics` to a
:class:`~alliance_scale.Scale` and its administrations.
"""

from __future__ import annotations

from .._lazy import attach

# Public name -> the private module defining it, imported on first use (see _lazy.py).
__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "._cfa": ["FitJudgement", "blueprint_cfa", "blueprint_model", "judge_fit"],
        "._content": ["ContentValidityResult", "content_validity"],
        "._convergent": ["ConvergentValidityResult", "convergent_validity"],
        "._discriminant": ["HTMTResult", "htmt"],
        "._hypotheses": ["Hypothesis", "blueprint_hypotheses", "parse_hypothesis"],
        "._irt": ["BlueprintIRTResult", "blueprint_irt"],
        "._known_groups": ["KnownGroupsResult", "known_groups"],
        "._mtmm": ["MTMMResult", "mtmm"],
        "._reliability": ["ReliabilityResult", "TestRetestResult", "reliability", "test_retest"],
        "._structure": ["CongruenceResult", "congruence", "target_from_scale", "tucker_congruence"],
    },
)
