"""A drafted scale: items in administration order, response format, scoring key, version.

:func:`draft_scale` turns the blueprint and the item bank into a :class:`Scale` for one
kind of program (guided or automated) and one language. A Scale saves and loads exactly
(YAML or JSON) and carries a content hash, so an administration can be tied to the exact
questionnaire that was fielded. Exports to survey platforms live in :mod:`.exports`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .blueprint import Blueprint
from .item_bank import ItemBank

__all__ = ["PROGRAMS", "ResponseFormat", "Scale", "ScaleItem", "draft_scale"]

#: Kinds of program a scale is drafted for.
PROGRAMS = ("guided", "automated")


@dataclass(frozen=True)
class ResponseFormat:
    """A Likert response format: ``points`` (4-7) codes 1..points with labels in both languages."""

    points: int
    labels_fr: tuple[str, ...]
    labels_en: tuple[str, ...]

    @property
    def min_value(self) -> int:
        return 1

    @property
    def max_value(self) -> int:
        return self.points

    def labels(self, language: str) -> tuple[str, ...]:
        """Anchor labels in ``"fr"`` or ``"en"``, from code 1 to ``points``."""
        return self.labels_fr if language == "fr" else self.labels_en


@dataclass(frozen=True)
class ScaleItem:
    """An item as fielded: its place in the tree (theme, facet, dimension) and key."""

    id: str
    theme: str
    facet: str
    dimension: str
    text_fr: str
    text_en: str
    keyed: int
    applies_to: str

    def text(self, language: str) -> str:
        """The item text in ``"fr"`` or ``"en"``."""
        return self.text_fr if language == "fr" else self.text_en


@dataclass(frozen=True)
class Scale:
    """A drafted questionnaire.

    Attributes
    ----------
    items : tuple of ScaleItem
        In administration order.
    response_format : ResponseFormat
    language : {"fr", "en"}
        Language of administration (both texts are kept).
    program : {"guided", "automated"}
    omitted_facets : tuple of str
        Facets left without items for this program (e.g. belonging for an automated one).
    content_hash : str
        SHA-256 of the scale's content (items, texts, keys, response format).
    """

    name: str
    version: str
    language: str
    program: str
    items: tuple[ScaleItem, ...]
    response_format: ResponseFormat
    omitted_facets: tuple[str, ...] = ()
    content_hash: str = ""

    @property
    def item_ids(self) -> list[str]:
        """Item ids in administration order."""
        return [i.id for i in self.items]

    @property
    def min_value(self) -> int:
        return self.response_format.min_value

    @property
    def max_value(self) -> int:
        return self.response_format.max_value

    @property
    def keys(self) -> dict[str, list[str]]:
        """Scoring key in psych::scoreItems style: scale name -> item ids, ``-`` for reversed.

        One entry per facet, per dimension (in tree order) and ``"total"``; each lists item
        ids in administration order.
        """
        def signed(item: ScaleItem) -> str:
            return ("-" if item.keyed < 0 else "") + item.id

        keys: dict[str, list[str]] = {}
        for attribute in ("facet", "dimension"):
            for name in sorted({getattr(i, attribute) for i in self.items}):
                keys[name] = [signed(i) for i in self.items if getattr(i, attribute) == name]
        keys["total"] = [signed(i) for i in self.items]
        return keys

    def to_frame(self) -> pd.DataFrame:
        """One row per item in administration order (position starts at 1)."""
        frame = pd.DataFrame([vars(i) for i in self.items])
        frame.insert(0, "position", range(1, len(frame) + 1))
        return frame.set_index("id")


def draft_scale(
    blueprint: Blueprint | None = None,
    bank: ItemBank | None = None,
    *,
    items_per_facet: int | None = None,
    points: int = 5,
    language: str = "fr",
    program: str = "guided",
    seed: int = 0,
) -> Scale:
    """Draft a scale from the blueprint and the item bank. See issue #2."""
    raise NotImplementedError("draft_scale: issue #2")
