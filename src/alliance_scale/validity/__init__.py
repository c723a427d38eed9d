"""Validity of a drafted scale: content validity, structure against the blueprint
(congruence), reliability of every facet, dimension and total, test-retest.

Stage 4 of the workflow: applies :mod:`alliance_scale.psychometrics` to a
:class:`~alliance_scale.Scale` and its administrations.
"""

from __future__ import annotations

from ._content import ContentValidityResult, content_validity
from ._reliability import ReliabilityResult, TestRetestResult, reliability, test_retest
from ._structure import CongruenceResult, congruence, target_from_scale, tucker_congruence

__all__ = [
    "CongruenceResult",
    "ContentValidityResult",
    "ReliabilityResult",
    "TestRetestResult",
    "congruence",
    "content_validity",
    "reliability",
    "target_from_scale",
    "test_retest",
    "tucker_congruence",
]
