"""The item bank: candidate items per leaf theme, in French (source) and English.

Items are data (``items/item_bank.yaml``), written by this team, never copied from a
published instrument. Loading validates the bank against the blueprint and refuses, with
the file and the entry named, duplicate ids, unknown leaves, thin facets (< 3 items),
missing translations and bad keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .blueprint import Blueprint

__all__ = ["APPLIES_TO", "Item", "ItemBank", "load_item_bank"]

#: Kinds of program an item applies to: with a human/group ("guided"), fully automated, or both.
APPLIES_TO = ("guided", "automated", "both")


@dataclass(frozen=True)
class Item:
    """One candidate item. ``keyed`` is +1 (agreement = more alliance) or -1 (reverse-keyed)."""

    id: str
    theme: str
    text_fr: str
    text_en: str
    keyed: int
    applies_to: str

    def text(self, language: str) -> str:
        """The item text in ``"fr"`` or ``"en"``."""
        return self.text_fr if language == "fr" else self.text_en


@dataclass(frozen=True)
class ItemBank:
    """An ordered, validated collection of items."""

    items: tuple[Item, ...]
    source: str | None = None

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def __getitem__(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def to_frame(self) -> pd.DataFrame:
        """One row per item (indexed by id)."""
        return pd.DataFrame([vars(i) for i in self.items]).set_index("id")


def load_item_bank(
    path: str | Path | None = None, blueprint: Blueprint | None = None
) -> ItemBank:
    """Read and validate an item bank (default: the bundled ``items/item_bank.yaml``).

    Raises
    ------
    ItemBankError
        Naming the file and the item, for duplicates, unknown leaves, thin facets,
        missing translations or bad keys.
    """
    raise NotImplementedError("load_item_bank: issue #2")
