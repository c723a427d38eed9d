"""alliance-scale: build and validate a questionnaire of the digital therapeutic alliance.

The workflow, one module per step:

- :mod:`.blueprint`, :mod:`.item_bank`: the thematic tree and the bilingual item bank
  (data in ``items/``);
- :mod:`.scale`, :mod:`.exports`, :mod:`.content`: draft a Likert scale, field it, check its
  content validity;
- :mod:`.responses`, :mod:`.scoring`, :mod:`.screening`: read administrations, score them,
  screen careless respondents; :mod:`.simulation` and :mod:`.datasets` give data with a
  known truth;
- :mod:`.reliability_analysis`: alpha, omega, item statistics, test-retest;
- :mod:`.correlation`, :mod:`.factorability`, :mod:`.dimensionality`, :mod:`.factor`
  (with :mod:`.rotation`), :mod:`.structure`: exploratory factor analysis as R psych does it;
- :mod:`.cli`: the ``alliance-scale`` command.

Every public function takes pandas DataFrames and is importable from ``alliance_scale``.
Results are frozen dataclasses with ``to_frame()``.
"""

from .blueprint import BORDIN, Blueprint, Dimension, Facet, Theme, load_blueprint
from .content import ContentValidityResult, content_validity
from .correlation import PolychoricResult, polychoric
from .datasets import load_pilot
from .dimensionality import MAPResult, ParallelAnalysisResult, map_test, parallel_analysis
from .errors import (
    AllianceScaleError,
    AllianceScaleWarning,
    AnalysisError,
    HeywoodWarning,
    ItemBankError,
    NotPositiveDefiniteWarning,
    ResponseError,
)
from .exports import read_qualtrics_txt
from .factor import EFAResult, efa, extract_factors
from .factorability import BartlettResult, KMOResult, bartlett, kmo
from .item_bank import APPLIES_TO, Item, ItemBank, load_item_bank
from .reliability_analysis import (
    AlphaResult,
    OmegaResult,
    ReliabilityResult,
    TestRetestResult,
    cronbach_alpha,
    item_statistics,
    omega,
    reliability,
    test_retest,
)
from .responses import read_responses
from .scale import ResponseFormat, Scale, ScaleItem, draft_scale
from .scoring import ScoreResult, score, score_items
from .screening import CarelessResult, careless
from .simulation import SimulationResult, simulate, simulate_retest
from .structure import CongruenceResult, congruence

__version__ = "0.1.0"

__all__ = [
    "APPLIES_TO",
    "BORDIN",
    "AllianceScaleError",
    "AllianceScaleWarning",
    "AlphaResult",
    "AnalysisError",
    "BartlettResult",
    "Blueprint",
    "CarelessResult",
    "CongruenceResult",
    "ContentValidityResult",
    "Dimension",
    "EFAResult",
    "Facet",
    "HeywoodWarning",
    "Item",
    "ItemBank",
    "ItemBankError",
    "KMOResult",
    "MAPResult",
    "NotPositiveDefiniteWarning",
    "OmegaResult",
    "ParallelAnalysisResult",
    "PolychoricResult",
    "ReliabilityResult",
    "ResponseError",
    "ResponseFormat",
    "Scale",
    "ScaleItem",
    "ScoreResult",
    "SimulationResult",
    "TestRetestResult",
    "Theme",
    "__version__",
    "bartlett",
    "careless",
    "congruence",
    "content_validity",
    "cronbach_alpha",
    "draft_scale",
    "efa",
    "extract_factors",
    "item_statistics",
    "kmo",
    "load_blueprint",
    "load_item_bank",
    "load_pilot",
    "map_test",
    "omega",
    "parallel_analysis",
    "polychoric",
    "read_qualtrics_txt",
    "read_responses",
    "reliability",
    "score",
    "score_items",
    "simulate",
    "simulate_retest",
    "test_retest",
]
