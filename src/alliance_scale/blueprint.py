"""The DTA blueprint: the thematic tree (dimensions > facets > leaf themes) as data.

The tree comes from a qualitative study of a digital CBT program (see
``../shared/construct.md``): 3 dimensions, 9 facets, 17 leaf themes, each with a stable
id (``A1a``), a French label (the original) and an English label, a definition, the
Bordin component(s) it is hypothesised to relate to, and whether it needs a human or a
group behind the program. The file is ``items/blueprint.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = ["BORDIN", "Blueprint", "Dimension", "Facet", "Theme", "load_blueprint"]

#: Bordin's (1979) components of the working alliance.
BORDIN = ("goal", "task", "bond")


@dataclass(frozen=True)
class Theme:
    """A leaf theme (indicator) of the tree: where items are written.

    ``needs_human`` is True when the theme presupposes a human or a group behind the
    program (it does not apply to a fully automated program).
    """

    id: str
    facet: str
    label_fr: str
    label_en: str
    definition_fr: str
    definition_en: str
    needs_human: bool
    bordin: tuple[str, ...] = ()


@dataclass(frozen=True)
class Facet:
    """A facet: a group of leaf themes within a dimension."""

    id: str
    dimension: str
    label_fr: str
    label_en: str
    definition_fr: str
    definition_en: str
    bordin: tuple[str, ...]
    themes: tuple[Theme, ...]


@dataclass(frozen=True)
class Dimension:
    """A dimension of the DTA (A trust, B interactions, C consideration)."""

    id: str
    label_fr: str
    label_en: str
    definition_fr: str
    definition_en: str
    bordin: tuple[str, ...]
    facets: tuple[Facet, ...]


@dataclass(frozen=True)
class Blueprint:
    """The whole tree, with lookups. ``source`` is the file it was read from."""

    name: str
    version: str
    dimensions: tuple[Dimension, ...]
    source: str | None = None

    @property
    def facets(self) -> tuple[Facet, ...]:
        return tuple(f for d in self.dimensions for f in d.facets)

    @property
    def themes(self) -> tuple[Theme, ...]:
        return tuple(t for f in self.facets for t in f.themes)

    def dimension(self, dimension_id: str) -> Dimension:
        """The dimension with this id (KeyError if unknown)."""
        for d in self.dimensions:
            if d.id == dimension_id:
                return d
        raise KeyError(dimension_id)

    def facet(self, facet_id: str) -> Facet:
        """The facet with this id (KeyError if unknown)."""
        for f in self.facets:
            if f.id == facet_id:
                return f
        raise KeyError(facet_id)

    def theme(self, theme_id: str) -> Theme:
        """The leaf theme with this id (KeyError if unknown)."""
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise KeyError(theme_id)

    def to_frame(self) -> pd.DataFrame:
        """One row per leaf theme: dimension, facet, labels, Bordin hypothesis, needs_human."""
        rows = []
        for d in self.dimensions:
            for f in d.facets:
                for t in f.themes:
                    rows.append({
                        "dimension": d.id, "facet": f.id, "theme": t.id,
                        "label_fr": t.label_fr, "label_en": t.label_en,
                        "bordin": ", ".join(t.bordin or f.bordin or d.bordin),
                        "needs_human": t.needs_human,
                    })
        return pd.DataFrame(rows).set_index("theme")


def load_blueprint(path: str | Path | None = None) -> Blueprint:
    """Read and validate a blueprint YAML file (default: the bundled ``items/blueprint.yaml``).

    Raises
    ------
    ItemBankError
        Naming the file and the entry, for a malformed or inconsistent blueprint.
    """
    raise NotImplementedError("load_blueprint: issue #2")
