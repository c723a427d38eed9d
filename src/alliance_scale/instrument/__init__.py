"""The questionnaire: the blueprint (thematic tree), the bilingual item bank, drafted scales
and their exports to survey platforms.

Stage 1 of the workflow. Imports nothing from the later stages.
"""

from __future__ import annotations

from .._lazy import attach

# Public name -> the private module defining it, imported on first use (see _lazy.py).
__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "._blueprint": ["BORDIN", "Blueprint", "Dimension", "Facet", "Theme", "load_blueprint"],
        "._drafting": ["draft_scale"],
        "._exports": ["ITEMS_PER_PAGE", "redcap_dictionary"],
        "._item_bank": ["BilingualText", "Item", "ItemBank", "load_item_bank"],
        "._response_format": ["ResponseFormat", "agreement_format"],
        "._scale": ["Lineage", "Scale", "ScaleItem"],
        "._vocabulary": ["APPLIES_TO", "EXPORT_FORMATS", "LANGUAGES", "PROGRAMS"],
    },
)
