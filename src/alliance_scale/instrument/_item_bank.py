"""The item bank: candidate items per leaf theme, in French (source) and English.

Items are data (``items/item_bank.yaml``), written by this team, never copied from a
published instrument. Loading validates the bank against the blueprint and refuses, with
the file and the entry named, duplicate ids, unknown leaves, thin facets (< 3 items),
missing translations and bad keys. As for the blueprint, the checks are a few hand-written
dictionary tests (no schema library) so that each refusal is an
:class:`~alliance_scale.errors.ItemBankError` naming the file and the item. A bank may come
from a user's own item collection: it is read by the hardened loader of :mod:`._yaml`
(no aliases, no duplicate keys, bounded size and nesting), and the exports neutralise texts
that a spreadsheet would take for a formula.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .._checks import check_choice
from .._resources import bundled_path
from ..errors import ItemBankError
from ._blueprint import ID_PATTERN, Blueprint, load_blueprint, read_yaml_mapping
from ._vocabulary import APPLIES_TO, LANGUAGES, PROGRAMS
from ._yaml import short_repr

__all__ = [
    "BilingualText",
    "Item",
    "ItemBank",
    "load_item_bank",
]

#: The fewest items a facet may hold in a bank.
MIN_ITEMS_PER_FACET = 3

_ITEM_KEYS = ("id", "theme", "text_fr", "text_en", "keyed", "applies_to")


class BilingualText:
    """Mixin for anything worded in French (``text_fr``, the source) and English (``text_en``).

    Examples
    --------
    >>> item = als.load_item_bank()["A1a_1"]
    >>> item.text("en")
    "I got started with the program's platform easily."
    """

    text_fr: str
    text_en: str

    def text(self, language: str) -> str:
        """The text in ``"fr"`` or ``"en"``.

        Raises
        ------
        ItemBankError
            For any other language (no silent fall back to English).
        """
        check_choice("language", language, LANGUAGES)
        return self.text_fr if language == "fr" else self.text_en


@dataclass(frozen=True)
class Item(BilingualText):
    """One candidate item. ``keyed`` is +1 (agreement = more alliance) or -1 (reverse-keyed).

    Examples
    --------
    >>> item = als.load_item_bank()["A1a_1"]
    >>> item.theme, item.keyed, item.applies("automated")
    ('A1a', 1, True)
    """

    id: str
    theme: str
    text_fr: str
    text_en: str
    keyed: int
    applies_to: str

    def applies(self, program: str) -> bool:
        """Whether the item can be fielded for a ``"guided"`` or ``"automated"`` program.

        Raises
        ------
        ItemBankError
            If ``program`` is not one of :data:`PROGRAMS`.
        """
        check_choice("program", program, PROGRAMS)
        return self.applies_to in (program, "both")


@dataclass(frozen=True)
class ItemBank:
    """An ordered, validated collection of items.

    Examples
    --------
    >>> bank = als.load_item_bank()
    >>> len(bank.by_theme()["A1a"]) >= 4
    True
    >>> len(bank.for_program("automated")) < len(bank)
    True
    """

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

    def by_theme(self) -> dict[str, tuple[Item, ...]]:
        """Items grouped by leaf theme, themes and items in bank order."""
        groups: dict[str, list[Item]] = {}
        for item in self.items:
            groups.setdefault(item.theme, []).append(item)
        return {theme: tuple(items) for theme, items in groups.items()}

    def by_facet(self, blueprint: Blueprint) -> dict[str, tuple[Item, ...]]:
        """Items grouped by facet, for every facet of ``blueprint`` in tree order.

        A facet without items maps to an empty tuple.
        """
        return {
            f.id: tuple(i for i in self.items if i.theme in {t.id for t in f.themes})
            for f in blueprint.facets
        }

    def for_program(self, program: str) -> ItemBank:
        """The items that apply to a ``"guided"`` or ``"automated"`` program, in bank order."""
        return ItemBank(tuple(i for i in self.items if i.applies(program)), source=self.source)


def load_item_bank(
    path: str | Path | None = None, blueprint: Blueprint | None = None
) -> ItemBank:
    """Read and validate an item bank (default: the bundled ``items/item_bank.yaml``).

    Parameters
    ----------
    path : str or Path, optional
        The YAML file; default ``None`` reads the bundled ``items/item_bank.yaml``.
    blueprint : Blueprint, optional
        The tree the items are checked against; default ``None`` loads the bundled one.

    Returns
    -------
    ItemBank
        The items in file order, with ``source`` set to the file read.

    Raises
    ------
    ItemBankError
        Naming the file and the item, for an unreadable or non-YAML file, duplicate ids
        (ignoring case), unknown leaves, thin facets (fewer than 3 items), missing
        translations, bad keys (not +1 / -1), bad ``applies_to`` or malformed ids (matched
        in full: ``"A1a_1\\n"`` is refused); and what the hardened loader refuses (YAML
        aliases, duplicate keys, nesting deeper than 32 levels, files over 5 MB, text not
        UTF-8).

    Examples
    --------
    >>> bank = als.load_item_bank()
    >>> bank.to_frame().loc["A1a_1", ["theme", "applies_to"]].tolist()
    ['A1a', 'both']
    """
    file = str(path if path is not None else bundled_path("items", "item_bank.yaml"))
    if blueprint is None:
        blueprint = load_blueprint()
    data = read_yaml_mapping(file)
    entries = data.get("items")
    if not isinstance(entries, list) or not entries:
        raise ItemBankError("'items' must be a non-empty list of items", file=file)
    leaves = {t.id for t in blueprint.themes}
    items = tuple(_item(entry, k, leaves, file) for k, entry in enumerate(entries))
    _check_unique(items, file)
    bank = ItemBank(items, source=file)
    _check_facets(bank, blueprint, file)
    return bank


def _item(entry: object, position: int, leaves: set[str], file: str) -> Item:
    """Check one entry of the ``items`` list and build the :class:`Item`."""
    if not isinstance(entry, dict):
        raise ItemBankError(
            f"items[{position}] must be a mapping, got {type(entry).__name__}", file=file
        )
    item_id = entry.get("id")
    if not isinstance(item_id, str) or not ID_PATTERN.match(item_id):
        raise ItemBankError(
            f"items[{position}]: id {short_repr(item_id)} must be a letter followed by "
            "letters, digits or underscores", file=file
        )
    name = f"item {item_id!r}"
    missing = [k for k in _ITEM_KEYS if k not in entry]
    if missing:
        raise ItemBankError(f"{name} is missing {', '.join(missing)}", file=file)
    if not isinstance(entry["theme"], str) or entry["theme"] not in leaves:
        raise ItemBankError(
            f"{name} is on theme {short_repr(entry['theme'])}, which is not a leaf theme of the "
            "blueprint", file=file,
        )
    for key in ("text_fr", "text_en"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise ItemBankError(f"{name} has no {key} (missing or empty translation)", file=file)
    keyed = entry["keyed"]
    if isinstance(keyed, bool) or keyed not in (1, -1):
        raise ItemBankError(f"{name} has keyed {short_repr(keyed)}; use +1 or -1", file=file)
    if not isinstance(entry["applies_to"], str) or entry["applies_to"] not in APPLIES_TO:
        raise ItemBankError(
            f"{name} has applies_to {short_repr(entry['applies_to'])}; use one of "
            f"{', '.join(APPLIES_TO)}", file=file,
        )
    return Item(
        id=item_id, theme=entry["theme"], text_fr=entry["text_fr"].strip(),
        text_en=entry["text_en"].strip(), keyed=int(keyed), applies_to=entry["applies_to"],
    )


def _check_unique(items: tuple[Item, ...], file: str) -> None:
    """Item ids are unique, ignoring case (REDCap field names are lower-cased ids)."""
    seen: dict[str, str] = {}
    for item in items:
        key = item.id.lower()
        if key in seen:
            other = seen[key]
            raise ItemBankError(
                f"duplicate item id {item.id!r}"
                + ("" if other == item.id else f" (same as {other!r} ignoring case)"),
                file=file,
            )
        seen[key] = item.id


def _check_facets(bank: ItemBank, blueprint: Blueprint, file: str) -> None:
    """Every facet of the blueprint holds at least ``MIN_ITEMS_PER_FACET`` items."""
    for facet_id, items in bank.by_facet(blueprint).items():
        if len(items) < MIN_ITEMS_PER_FACET:
            raise ItemBankError(
                f"facet {facet_id!r} has {len(items)} item(s) "
                f"({', '.join(i.id for i in items) or 'none'}); "
                f"it needs at least {MIN_ITEMS_PER_FACET}",
                file=file,
            )
