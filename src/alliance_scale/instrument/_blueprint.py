"""The DTA blueprint: the thematic tree (dimensions > facets > leaf themes) as data.

The tree comes from a qualitative study of a digital CBT program (see
``../shared/construct.md``): 3 dimensions, 9 facets, 17 leaf themes, each with a stable
id (``A1a``), a French label (the original) and an English label, a definition, the
Bordin component(s) it is hypothesised to relate to, and whether it needs a human or a
group behind the program. The file is ``items/blueprint.yaml``; its header comment
documents the schema.

The loader is hand-written (a few dictionary checks) rather than a schema library so that
every refusal is an :class:`~alliance_scale.errors.ItemBankError` naming the file and the
entry, and so that no dependency is added. YAML is read by the hardened loader of
:mod:`._yaml` (no aliases, no duplicate keys, bounded size and nesting).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from .._resources import bundled_path
from ..errors import ItemBankError, OptionError
from ._yaml import load_data_file, short_repr

__all__ = [
    "BORDIN",
    "Blueprint",
    "Dimension",
    "Facet",
    "Theme",
    "load_blueprint",
]

#: Bordin's (1979) components of the working alliance.
BORDIN = ("goal", "task", "bond")

#: Pattern of every id in the blueprint and the item bank (usable as a column name); matched
#: in full (``\\Z``, not ``$``, which would accept a trailing newline).
ID_PATTERN = re.compile(r"\A[A-Za-z][A-Za-z0-9_]*\Z")

_TEXT_KEYS = ("label_fr", "label_en", "definition_fr", "definition_en")


@dataclass(frozen=True)
class Theme:
    """A leaf theme (indicator) of the tree: where items are written.

    ``needs_human`` is True when the theme presupposes a human or a group behind the
    program (it does not apply to a fully automated program).

    Examples
    --------
    >>> theme = als.load_blueprint().theme("B3a")
    >>> theme.facet, theme.needs_human
    ('B3', True)
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
    """A facet: a group of leaf themes within a dimension.

    Examples
    --------
    >>> facet = als.load_blueprint().facet("A1")
    >>> facet.dimension, [t.id for t in facet.themes]
    ('A', ['A1a', 'A1b'])
    """

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
    """A dimension of the DTA (A trust, B interactions, C consideration).

    Examples
    --------
    >>> dimension = als.load_blueprint().dimension("A")
    >>> dimension.label_en, dimension.bordin
    ('Trust in the program', ('task',))
    """

    id: str
    label_fr: str
    label_en: str
    definition_fr: str
    definition_en: str
    bordin: tuple[str, ...]
    facets: tuple[Facet, ...]


@dataclass(frozen=True)
class Blueprint:
    """The whole tree, with lookups. ``source`` is the file it was read from.

    Examples
    --------
    >>> blueprint = als.load_blueprint()
    >>> len(blueprint.dimensions), len(blueprint.facets), len(blueprint.themes)
    (3, 9, 17)
    >>> blueprint.bordin_of("A1a")
    ('task',)
    """

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

    def facet_of(self, theme_id: str) -> Facet:
        """The facet that holds the leaf theme ``theme_id`` (KeyError if unknown)."""
        for f in self.facets:
            if any(t.id == theme_id for t in f.themes):
                return f
        raise KeyError(theme_id)

    def bordin_of(self, node_id: str) -> tuple[str, ...]:
        """The Bordin hypothesis of a node, inherited from its parent when left empty.

        For an id shared by a single-leaf facet and its theme (``C1``), the theme is used.
        """
        if node_id in {t.id for t in self.themes}:
            theme = self.theme(node_id)
            facet = self.facet_of(node_id)
            return theme.bordin or facet.bordin or self.dimension(facet.dimension).bordin
        if node_id in {f.id for f in self.facets}:
            facet = self.facet(node_id)
            return facet.bordin or self.dimension(facet.dimension).bordin
        return self.dimension(node_id).bordin

    def with_bordin(self, bordin: Mapping[str, Sequence[str]]) -> Blueprint:
        """A copy whose nodes named in ``bordin`` carry these Bordin hypotheses instead.

        Used to state alternative hypotheses, or to simulate a truth that violates some
        (:func:`~alliance_scale.simulate`'s ``bordin``). An empty list makes a node inherit
        from its parent again; an id shared by a single-leaf facet and its theme (``C1``)
        changes both.

        Parameters
        ----------
        bordin : mapping of str to list of str
            Node id (dimension, facet or theme) -> components among :data:`BORDIN`.

        Returns
        -------
        Blueprint

        Raises
        ------
        OptionError
            An id not in the tree, or a component outside :data:`BORDIN` (named).

        Examples
        --------
        >>> bp = als.load_blueprint().with_bordin({"A": ["bond"]})
        >>> bp.bordin_of("A1a"), als.load_blueprint().bordin_of("A1a")
        (('bond',), ('task',))
        """
        if not isinstance(bordin, Mapping):
            raise OptionError(f"bordin must be a mapping node id -> components; got "
                              f"{type(bordin).__name__}")
        known = {d.id for d in self.dimensions} | {f.id for f in self.facets}
        known |= {t.id for t in self.themes}
        new: dict[str, tuple[str, ...]] = {}
        for node_id, components in bordin.items():
            if node_id not in known:
                raise OptionError(f"bordin names {node_id!r}, which is not a dimension, facet "
                                  "or theme of the blueprint")
            values = [components] if isinstance(components, str) else list(components)
            wrong = [c for c in values if c not in BORDIN]
            if wrong or len(set(values)) != len(values):
                raise OptionError(f"bordin[{node_id!r}] must list distinct components among "
                                  f"{', '.join(BORDIN)}; got {components!r}")
            new[node_id] = tuple(values)

        def changed(node: Any) -> Any:
            return replace(node, bordin=new[node.id]) if node.id in new else node

        dimensions = tuple(
            replace(changed(d), facets=tuple(
                replace(changed(f), themes=tuple(changed(t) for t in f.themes))
                for f in d.facets))
            for d in self.dimensions
        )
        return replace(self, dimensions=dimensions)

    def to_frame(self) -> pd.DataFrame:
        """One row per leaf theme: dimension, facet, labels, Bordin hypothesis, needs_human."""
        rows = []
        for d in self.dimensions:
            for f in d.facets:
                for t in f.themes:
                    rows.append({
                        "dimension": d.id, "facet": f.id, "theme": t.id,
                        "label_fr": t.label_fr, "label_en": t.label_en,
                        "bordin": ", ".join(self.bordin_of(t.id)),
                        "needs_human": t.needs_human,
                    })
        return pd.DataFrame(rows).set_index("theme")


def load_blueprint(path: str | Path | None = None) -> Blueprint:
    """Read and validate a blueprint YAML file (default: the bundled ``items/blueprint.yaml``).

    Parameters
    ----------
    path : str or Path, optional
        The YAML file; default ``None`` reads the bundled ``items/blueprint.yaml``.

    Returns
    -------
    Blueprint
        The tree, with ``source`` set to the file read.

    Raises
    ------
    ItemBankError
        Naming the file and the entry, for a malformed or inconsistent blueprint: not a
        mapping, missing keys, duplicate ids, a Bordin value outside ``BORDIN``, a missing
        label or definition in a language, a facet without themes, an unreadable file, a
        version that is not a text; and what the hardened loader refuses (YAML aliases,
        duplicate keys, nesting deeper than 32 levels, files over 5 MB, text not UTF-8).

    Examples
    --------
    >>> blueprint = als.load_blueprint()
    >>> blueprint.to_frame().loc["C3b", ["facet", "bordin"]].tolist()
    ['C3', 'goal']
    """
    file = str(path if path is not None else bundled_path("items", "blueprint.yaml"))
    data = read_yaml_mapping(file)
    header = _required(data, ("name", "version", "dimensions"), file, "the blueprint")
    dimensions = tuple(
        _dimension(entry, file, where=f"dimensions[{k}]")
        for k, entry in enumerate(_non_empty_list(header["dimensions"], file, "dimensions"))
    )
    _check_unique_ids(dimensions, file)
    return Blueprint(
        name=_header_text(header, "name", file), version=_header_text(header, "version", file),
        dimensions=dimensions, source=file,
    )


def _header_text(header: Mapping[str, Any], key: str, file: str) -> str:
    """A text entry of the header (an integer version is accepted as its digits)."""
    value = header[key]
    if isinstance(value, int) and not isinstance(value, bool) and key == "version":
        return str(value)
    if not isinstance(value, str) or not value.strip():
        hint = ' (quote it: version: "1.10", not 1.10)' if key == "version" else ""
        raise ItemBankError(f"{key} must be a non-empty text, got {short_repr(value)}{hint}",
                            file=file)
    return value.strip()


def read_yaml_mapping(file: str) -> dict[str, Any]:
    """Read a YAML file with the hardened loader of :mod:`._yaml`; its top level must be a mapping.

    Parameters
    ----------
    file : str
        Path of the file.

    Raises
    ------
    ItemBankError
        If the file cannot be read, is too large, not UTF-8, not valid YAML (aliases,
        duplicate keys and deep nesting included) or not a mapping (names ``file``).
    """
    data = load_data_file(file, "yaml")
    if not isinstance(data, Mapping):
        raise ItemBankError(
            f"the top level must be a mapping of keys, got {type(data).__name__}", file=file
        )
    return dict(data)


def _required(
    entry: object, keys: tuple[str, ...], file: str, where: str
) -> Mapping[str, Any]:
    """Check that ``entry`` is a mapping holding every key of ``keys``."""
    if not isinstance(entry, Mapping):
        raise ItemBankError(f"{where} must be a mapping, got {type(entry).__name__}", file=file)
    missing = [k for k in keys if k not in entry or entry[k] is None]
    if missing:
        raise ItemBankError(f"{where} is missing {', '.join(missing)}", file=file)
    return entry


def _non_empty_list(value: object, file: str, where: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise ItemBankError(f"{where} must be a non-empty list", file=file)
    return value


def _node_id(entry: object, file: str, where: str) -> str:
    """The checked id of a node; ``where`` names its position when the id is missing."""
    node = _required(entry, ("id",), file, where)
    node_id = node["id"]
    if not isinstance(node_id, str) or not ID_PATTERN.match(node_id):
        raise ItemBankError(
            f"{where}: id {short_repr(node_id)} must be a letter followed by letters, digits "
            "or underscores", file=file
        )
    return node_id


def _texts(entry: Mapping[str, Any], file: str, name: str) -> dict[str, str]:
    """Labels and definitions in both languages, each a non-empty string."""
    texts = {}
    for key in _TEXT_KEYS:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ItemBankError(f"{name} has no {key} (missing or empty)", file=file)
        texts[key] = value.strip()
    return texts


def _bordin(entry: Mapping[str, Any], file: str, name: str) -> tuple[str, ...]:
    """The Bordin hypothesis: a list (possibly empty) of distinct values of ``BORDIN``."""
    value = entry.get("bordin", [])
    values = [value] if isinstance(value, str) else value
    if values is None:
        values = []
    if not isinstance(values, list) or any(v not in BORDIN for v in values):
        raise ItemBankError(
            f"{name} has bordin {short_repr(value)}; use a list of {', '.join(BORDIN)}",
            file=file
        )
    if len(set(values)) != len(values):
        raise ItemBankError(f"{name} repeats a bordin value in {short_repr(value)}", file=file)
    return tuple(values)


def _theme(entry: object, facet_id: str, file: str, where: str) -> Theme:
    theme_id = _node_id(entry, file, where)
    name = f"theme {theme_id!r}"
    node = _required(entry, ("id", *_TEXT_KEYS, "needs_human"), file, name)
    if not isinstance(node["needs_human"], bool):
        raise ItemBankError(
            f"{name} has needs_human {short_repr(node['needs_human'])}; use true or false",
            file=file
        )
    return Theme(
        id=theme_id, facet=facet_id, **_texts(node, file, name),
        needs_human=node["needs_human"], bordin=_bordin(node, file, name),
    )


def _facet(entry: object, dimension_id: str, file: str, where: str) -> Facet:
    facet_id = _node_id(entry, file, where)
    name = f"facet {facet_id!r}"
    node = _required(entry, ("id", *_TEXT_KEYS), file, name)
    themes = node.get("themes")
    if not isinstance(themes, list) or not themes:
        raise ItemBankError(f"{name} has no themes (give at least one leaf theme)", file=file)
    return Facet(
        id=facet_id, dimension=dimension_id, **_texts(node, file, name),
        bordin=_bordin(node, file, name),
        themes=tuple(
            _theme(t, facet_id, file, f"{name}, themes[{k}]") for k, t in enumerate(themes)
        ),
    )


def _dimension(entry: object, file: str, where: str) -> Dimension:
    dimension_id = _node_id(entry, file, where)
    name = f"dimension {dimension_id!r}"
    node = _required(entry, ("id", *_TEXT_KEYS, "facets"), file, name)
    facets = _non_empty_list(node["facets"], file, f"{name}: facets")
    return Dimension(
        id=dimension_id, **_texts(node, file, name), bordin=_bordin(node, file, name),
        facets=tuple(
            _facet(f, dimension_id, file, f"{name}, facets[{k}]") for k, f in enumerate(facets)
        ),
    )


def _check_unique_ids(dimensions: tuple[Dimension, ...], file: str) -> None:
    """Ids are unique over the tree; a single-leaf facet may share its id with its theme."""
    seen: set[str] = set()

    def claim(node_id: str, kind: str) -> None:
        if node_id in seen:
            raise ItemBankError(f"duplicate id {node_id!r} ({kind})", file=file)
        seen.add(node_id)

    for d in dimensions:
        claim(d.id, "dimension")
        for f in d.facets:
            claim(f.id, "facet")
            for t in f.themes:
                if not (len(f.themes) == 1 and t.id == f.id):
                    claim(t.id, "theme")
