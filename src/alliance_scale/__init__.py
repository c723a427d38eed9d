"""alliance-scale: build and validate a questionnaire of the digital therapeutic alliance.

The workflow, one module per step:

- :mod:`.blueprint`, :mod:`.item_bank`: the tree and the
  bilingual item bank (data in ``items/``);
- :mod:`.scale`, :mod:`.exports`, :mod:`.content_validity`: draft a Likert scale, field it;
- :mod:`.responses`, :mod:`.scoring`, :mod:`.careless`, :mod:`.simulate`:
  read and score administrations;
- :mod:`.reliability`: alpha, omega, item statistics, test-retest;
- :mod:`.polychoric`, :mod:`.factorability`, :mod:`.dimensionality`, :mod:`.factor`,
  :mod:`.congruence`: exploratory factor analysis as R psych does it;
- :mod:`.cli`: the ``alliance-scale`` command.

Every public function takes pandas DataFrames and is importable from ``alliance_scale``.
"""

from .blueprint import BORDIN, Blueprint, Dimension, Facet, Theme, load_blueprint
from .careless import careless
from .congruence import congruence
from .content_validity import content_validity
from .dimensionality import map_test, parallel_analysis
from .errors import (
    AllianceScaleError,
    AllianceScaleWarning,
    AnalysisError,
    HeywoodWarning,
    ItemBankError,
    NotPositiveDefiniteWarning,
    ResponseError,
)
from .factor import efa
from .factorability import bartlett, kmo
from .item_bank import Item, ItemBank, load_item_bank
from .polychoric import polychoric
from .reliability import cronbach_alpha, item_statistics, omega, reliability, test_retest
from .responses import read_responses
from .scale import ResponseFormat, Scale, ScaleItem, draft_scale
from .scoring import score, score_items
from .simulate import simulate

__version__ = "0.1.0"

__all__ = [
    "BORDIN",
    "AllianceScaleError",
    "AllianceScaleWarning",
    "AnalysisError",
    "Blueprint",
    "Dimension",
    "Facet",
    "HeywoodWarning",
    "Item",
    "ItemBank",
    "ItemBankError",
    "NotPositiveDefiniteWarning",
    "ResponseError",
    "ResponseFormat",
    "Scale",
    "ScaleItem",
    "Theme",
    "__version__",
    "bartlett",
    "careless",
    "congruence",
    "content_validity",
    "cronbach_alpha",
    "draft_scale",
    "efa",
    "item_statistics",
    "kmo",
    "load_blueprint",
    "load_item_bank",
    "map_test",
    "omega",
    "parallel_analysis",
    "polychoric",
    "read_responses",
    "reliability",
    "score",
    "score_items",
    "simulate",
    "test_retest",
]
