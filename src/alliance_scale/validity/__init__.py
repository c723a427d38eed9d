"""Validity of a drafted scale: content validity, structure against the blueprint
(congruence), reliability of every facet, dimension and total, test-retest.

Stage 4 of the workflow: applies :mod:`alliance_scale.psychometrics` to a
:class:`~alliance_scale.Scale` and its administrations.
"""

from __future__ import annotations

from ._cfa import FitJudgement, blueprint_cfa, blueprint_model, judge_fit
from ._content import ContentValidityResult, content_validity
from ._convergent import ConvergentValidityResult, convergent_validity
from ._discriminant import HTMTResult, htmt
from ._hypotheses import Hypothesis, blueprint_hypotheses, parse_hypothesis
from ._known_groups import KnownGroupsResult, known_groups
from ._mtmm import MTMMResult, mtmm
from ._reliability import ReliabilityResult, TestRetestResult, reliability, test_retest
from ._structure import CongruenceResult, congruence, target_from_scale, tucker_congruence

__all__ = [
    "CongruenceResult",
    "ContentValidityResult",
    "ConvergentValidityResult",
    "FitJudgement",
    "HTMTResult",
    "Hypothesis",
    "KnownGroupsResult",
    "MTMMResult",
    "ReliabilityResult",
    "TestRetestResult",
    "blueprint_cfa",
    "blueprint_hypotheses",
    "blueprint_model",
    "congruence",
    "content_validity",
    "convergent_validity",
    "htmt",
    "judge_fit",
    "known_groups",
    "mtmm",
    "parse_hypothesis",
    "reliability",
    "target_from_scale",
    "test_retest",
    "tucker_congruence",
]
