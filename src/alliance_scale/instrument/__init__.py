"""The questionnaire: the blueprint (thematic tree), the bilingual item bank, drafted scales
and their exports to survey platforms.

Stage 1 of the workflow. Imports nothing from the later stages.
"""

from __future__ import annotations

from ._blueprint import BORDIN, Blueprint, Dimension, Facet, Theme, load_blueprint
from ._drafting import draft_scale
from ._exports import EXPORT_FORMATS, ITEMS_PER_PAGE, redcap_dictionary
from ._item_bank import (
    APPLIES_TO,
    LANGUAGES,
    PROGRAMS,
    BilingualText,
    Item,
    ItemBank,
    load_item_bank,
)
from ._response_format import ResponseFormat, agreement_format
from ._scale import Scale, ScaleItem

__all__ = [
    "APPLIES_TO",
    "BORDIN",
    "EXPORT_FORMATS",
    "ITEMS_PER_PAGE",
    "LANGUAGES",
    "PROGRAMS",
    "BilingualText",
    "Blueprint",
    "Dimension",
    "Facet",
    "Item",
    "ItemBank",
    "ResponseFormat",
    "Scale",
    "ScaleItem",
    "Theme",
    "agreement_format",
    "draft_scale",
    "load_blueprint",
    "load_item_bank",
    "redcap_dictionary",
]
