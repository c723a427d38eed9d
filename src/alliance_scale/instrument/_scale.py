"""A drafted scale: items in administration order, response format, scoring key, version.

A :class:`Scale` (made by :func:`~alliance_scale.draft_scale`) saves and loads exactly (YAML or
JSON) and carries a content hash over the whole saved file (name, version, language,
program, omitted facets, response format, items), so an administration can be tied to the
exact questionnaire that was fielded and an edited file is refused. Files are read by the
hardened loader of :mod:`._yaml` (no aliases, no duplicate keys, bounded size and nesting);
every entry is type-checked by hand (a few dictionary tests, no schema library) so that each
refusal names the file and the entry. Its ``to_*`` methods write the files of
:mod:`._exports`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

import pandas as pd
import yaml

from .._checks import check_choice
from .._io import regular_file, write_atomic
from ..errors import ItemBankError
from . import _exports
from ._blueprint import ID_PATTERN
from ._item_bank import APPLIES_TO, LANGUAGES, PROGRAMS, BilingualText
from ._response_format import ResponseFormat
from ._yaml import load_data_file, loads_yaml, short_repr

__all__ = ["Lineage", "Scale", "ScaleItem"]

#: Identifies saved scale files (``format`` key), with the layout version (2: the hash covers
#: the whole file; version 1 files hashed the items, response format and program only).
_FILE_FORMAT = "alliance-scale/scale"
_FILE_FORMAT_VERSION = 2


@dataclass(frozen=True)
class Lineage:
    """Where a derived scale (a short form) comes from.

    Attributes
    ----------
    parent : str
        The parent scale's name.
    parent_version : str
    parent_hash : str
        The parent's content hash (SHA-256, 64 hex digits).
    method : str
        How it was derived (e.g. ``"shorten: exact search, stuart objective"``).

    Examples
    --------
    >>> from alliance_scale.instrument import Lineage
    >>> Lineage("DTA", "0.1", "ab" * 32, "shorten").method
    'shorten'
    """

    parent: str
    parent_version: str
    parent_hash: str
    method: str


@dataclass(frozen=True)
class ScaleItem(BilingualText):
    """An item as fielded: its place in the tree (theme, facet, dimension) and key.

    Examples
    --------
    >>> scale = als.draft_scale(items_per_facet=1)
    >>> item = scale.items[0]
    >>> item.keyed in (1, -1), item.text("en") == item.text_en
    (True, True)
    """

    id: str
    theme: str
    facet: str
    dimension: str
    text_fr: str
    text_en: str
    keyed: int
    applies_to: str


class _ReadOnlyList(list):
    """A list that refuses changes: what the cached properties of a frozen :class:`Scale`
    hand out (a list, so that pandas selects columns with it; read-only, so that the
    cached value cannot be changed by a caller)."""

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("this list belongs to a frozen Scale; copy it with list(...) first")

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __reduce__(self) -> tuple[type, tuple[list[Any]]]:
        return (type(self), (list(self),))


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
        SHA-256 of the whole saved scale, computed when not given (or given empty): the
        UTF-8 JSON of :meth:`to_dict` without its ``content_hash`` entry (``format``,
        ``format_version``, ``name``, ``version``, ``language``, ``program``,
        ``omitted_facets``, ``response_format``, ``items`` in administration order),
        dumped with sorted keys, separators ``(",", ":")`` and non-ASCII characters kept.
        A value given is kept as is (:meth:`load` checks a saved one against the file).
    lineage : Lineage, optional
        Where the scale comes from when it was derived from another (a short form).
        Saved (and hashed) only when given, so scales without one keep their files and
        hashes.

    Examples
    --------
    >>> scale = als.draft_scale(items_per_facet=2, language="en")
    >>> len(scale.items), scale.min_value, scale.max_value
    (18, 1, 5)
    >>> len(scale.content_hash)
    64
    """

    name: str
    version: str
    language: str
    program: str
    items: tuple[ScaleItem, ...]
    response_format: ResponseFormat
    omitted_facets: tuple[str, ...] = ()
    content_hash: str = ""
    lineage: Lineage | None = None

    def __post_init__(self) -> None:
        if not self.content_hash:
            object.__setattr__(self, "content_hash", _content_hash(self._body()))  # set once

    def __getstate__(self) -> dict[str, Any]:
        """Pickle and copy the fields only: the cached properties are recomputed after."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @cached_property
    def item_ids(self) -> list[str]:
        """Item ids in administration order (a read-only list, computed once)."""
        return _ReadOnlyList(i.id for i in self.items)

    @property
    def min_value(self) -> int:
        return self.response_format.min_value

    @property
    def max_value(self) -> int:
        return self.response_format.max_value

    @cached_property
    def keys(self) -> Mapping[str, list[str]]:
        """Scoring key in psych::scoreItems style: scale name -> item ids, ``-`` for reversed.

        One entry per facet, per dimension (in tree order) and ``"total"``; each lists item
        ids in administration order. A read-only mapping of read-only lists, computed once.
        """
        signed = [("-" if i.keyed < 0 else "") + i.id for i in self.items]
        keys: dict[str, list[str]] = {}
        for attribute in ("facet", "dimension"):
            groups = [getattr(i, attribute) for i in self.items]
            for name in sorted(set(groups)):
                keys[name] = _ReadOnlyList(s for s, g in zip(signed, groups, strict=True)
                                           if g == name)
        keys["total"] = _ReadOnlyList(signed)
        return MappingProxyType(keys)

    def to_frame(self) -> pd.DataFrame:
        """One row per item in administration order (position starts at 1)."""
        frame = pd.DataFrame([vars(i) for i in self.items])
        frame.insert(0, "position", range(1, len(frame) + 1))
        return frame.set_index("id")

    # ------------------------------------------------------------------ files
    def _body(self) -> dict[str, Any]:
        """Everything :meth:`to_dict` holds but the hash (what the hash covers)."""
        return {
            "format": _FILE_FORMAT,
            "format_version": _FILE_FORMAT_VERSION,
            "name": self.name,
            "version": self.version,
            "language": self.language,
            "program": self.program,
            "omitted_facets": list(self.omitted_facets),
            "response_format": _plain(asdict(self.response_format)),
            "items": [asdict(item) for item in self.items],
        } | ({"lineage": asdict(self.lineage)} if self.lineage else {})

    def to_dict(self) -> dict[str, Any]:
        """The scale as plain JSON/YAML types (lists, not tuples), with a format marker.

        Examples
        --------
        >>> data = als.draft_scale(items_per_facet=1).to_dict()
        >>> data["format"], data["format_version"], len(data["items"])
        ('alliance-scale/scale', 2, 9)
        """
        body = self._body()
        position = list(body).index("program") + 1
        keys = list(body)
        ordered = {k: body[k] for k in keys[:position]}
        ordered["content_hash"] = self.content_hash
        ordered.update({k: body[k] for k in keys[position:]})
        return ordered

    @classmethod
    def from_dict(cls, data: Any, *, source: str | None = None) -> Scale:
        """Rebuild a scale written by :meth:`to_dict`, checking its content hash.

        Parameters
        ----------
        data : dict
            As returned by :meth:`to_dict` (or read back from a saved file).
        source : str, optional
            File the data came from, named in error messages.

        Raises
        ------
        ItemBankError
            If an entry is missing or invalid, or if the stored ``content_hash`` does not
            match the content (the file was edited after it was saved).
        """
        return _scale_from_dict(data, source)

    def dumps(self, kind: str = "yaml") -> str:
        """The text :meth:`Scale.save` writes (the :meth:`Scale.to_dict` layout).

        Parameters
        ----------
        kind : {"yaml", "json"}, default "yaml"
            YAML keeps non-ASCII characters readable (escaping them only when YAML could not
            read them back exactly); JSON is indented by 2.

        Returns
        -------
        str
            The text, ending with a newline; :meth:`Scale.load` reads it back to an equal scale.

        Raises
        ------
        OptionError
            If ``kind`` is not ``"yaml"`` or ``"json"``.
        """
        check_choice("kind", kind, ("yaml", "json"))
        data = self.to_dict()
        if kind == "json":
            return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
        if loads_yaml(text) != data:
            # A few characters (e.g. U+0085, a line break to YAML) do not survive unescaped:
            # fall back to escaping every non-ASCII character, exact but less readable.
            text = yaml.safe_dump(data, allow_unicode=False, sort_keys=False, width=100)
        return text

    def save(self, path: str | Path) -> Path:
        """Write the scale to ``path``: YAML for ``.yaml``/``.yml``, JSON for ``.json``.

        Returns
        -------
        Path
            The path written.
        """
        path = Path(path)
        return write_atomic(path, self.dumps(_file_kind(path)))

    @classmethod
    def load(cls, path: str | Path) -> Scale:
        """Read a scale saved by :meth:`save`; ``Scale.load(p) == scale`` after ``save(p)``.

        Raises
        ------
        ItemBankError
            Naming the file, if it cannot be read or parsed (larger than 5 MB, not UTF-8,
            YAML aliases, duplicate keys, nesting deeper than 32 levels), is not a saved
            scale, has an invalid entry, or was edited after it was saved (its content
            hash no longer matches).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> scale = als.draft_scale(items_per_facet=1)
        >>> path = scale.save(pathlib.Path(tempfile.mkdtemp()) / "fielded.yaml")
        >>> als.Scale.load(path) == scale
        True
        """
        path = Path(path)
        # a directory or a device is named as such before its suffix is judged
        regular_file(path, lambda message: ItemBankError(message, file=str(path)))
        data = load_data_file(path, _file_kind(path))
        return _scale_from_dict(data, str(path))

    # ---------------------------------------------------------------- exports
    def to_markdown(self, path: str | Path | None = None, language: str | None = None
                    ) -> str | Path:
        """Markdown document of the scale; see :func:`~._exports.to_markdown`.

        Writes ``path`` (UTF-8) and returns it when given; returns the text otherwise.

        Examples
        --------
        >>> text = als.draft_scale(items_per_facet=1, language="en").to_markdown()
        >>> text.splitlines()[0]
        '# Digital Therapeutic Alliance questionnaire (DTA)'
        """
        return _exports.write_or_return(_exports.to_markdown(self, language), path)

    def to_html(self, path: str | Path | None = None, language: str | None = None
                ) -> str | Path:
        """Printable HTML page; see :func:`~._exports.to_html`.

        Writes ``path`` (UTF-8) and returns it when given; returns the text otherwise.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> scale = als.draft_scale(items_per_facet=1)
        >>> scale.to_html(pathlib.Path(tempfile.mkdtemp()) / "dta.html").name
        'dta.html'
        >>> scale.to_html(language="en").startswith("<!DOCTYPE html>")
        True
        """
        return _exports.write_or_return(_exports.to_html(self, language), path)

    def to_redcap(self, path: str | Path, language: str | None = None, *,
                  items_per_page: int = _exports.ITEMS_PER_PAGE) -> Path:
        """REDCap data dictionary CSV; see :func:`~._exports.to_redcap`.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> scale = als.draft_scale(items_per_facet=1)
        >>> scale.to_redcap(pathlib.Path(tempfile.mkdtemp()) / "dictionary.csv").suffix
        '.csv'
        """
        return _exports.to_redcap(self, path, language, items_per_page=items_per_page)

    def to_limesurvey(self, path: str | Path, *,
                      items_per_page: int = _exports.ITEMS_PER_PAGE) -> Path:
        """LimeSurvey survey structure (.txt); see :func:`~._exports.to_limesurvey`.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> scale = als.draft_scale(items_per_facet=1)
        >>> path = scale.to_limesurvey(pathlib.Path(tempfile.mkdtemp()) / "dta.txt")
        >>> path.read_bytes()[:3] == b"\\xef\\xbb\\xbf"   # UTF-8 with a byte-order mark
        True
        """
        return _exports.to_limesurvey(self, path, items_per_page=items_per_page)

    def to_qualtrics(self, path: str | Path, language: str | None = None, *,
                     items_per_page: int = _exports.ITEMS_PER_PAGE) -> Path:
        """Qualtrics Advanced TXT; see :func:`~._exports.to_qualtrics`.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> scale = als.draft_scale(items_per_facet=1)
        >>> path = scale.to_qualtrics(pathlib.Path(tempfile.mkdtemp()) / "dta.txt")
        >>> path.read_text(encoding="utf-8").splitlines()[0]
        '[[AdvancedFormat]]'
        """
        return _exports.to_qualtrics(self, path, language, items_per_page=items_per_page)


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _content_hash(body: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the whole saved scale but its hash."""
    return hashlib.sha256(_canonical(body)).hexdigest()


def _plain(value: Any) -> Any:
    """Tuples to lists, recursively (for JSON/YAML and for hashing)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# ---------------------------------------------------------------------- loading
def _file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".json":
        return "json"
    raise ItemBankError("a scale file must end in .yaml, .yml or .json", file=str(path))


def _field(data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str,
           source: str | None) -> Any:
    if key not in data:
        raise ItemBankError(f"{where}: missing entry {key!r}", file=source)
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ItemBankError(f"{where}: entry {key!r} has an invalid value {short_repr(value)}",
                            file=source)
    return value


def _text(data: dict[str, Any], key: str, where: str, source: str | None) -> str:
    """A non-empty text entry."""
    value = _field(data, key, str, where, source)
    if not value.strip():
        raise ItemBankError(f"{where}: entry {key!r} is empty", file=source)
    return value


def _node_id(data: dict[str, Any], key: str, where: str, source: str | None) -> str:
    """An id entry: a letter followed by letters, digits or underscores (matched in full)."""
    value = _field(data, key, str, where, source)
    if not ID_PATTERN.match(value):
        raise ItemBankError(f"{where}: {key} {short_repr(value)} must be a letter followed by "
                            "letters, digits or underscores", file=source)
    return value


def _scale_from_dict(data: Any, source: str | None) -> Scale:
    """Rebuild a saved scale (see :meth:`Scale.from_dict`), refusing an edited file."""
    if not isinstance(data, dict) or data.get("format") != _FILE_FORMAT:
        raise ItemBankError(f"not a saved scale (expected format: {_FILE_FORMAT})", file=source)
    version = data.get("format_version")
    if version == 1:
        raise ItemBankError(
            "saved by an earlier development version (format_version 1, whose hash left out "
            "the name, version, language and omitted facets); draft the scale again and save "
            "it", file=source)
    if version != _FILE_FORMAT_VERSION or isinstance(version, bool):
        raise ItemBankError(f"unsupported format_version {short_repr(version)}", file=source)
    known = {"format", "format_version", "name", "version", "language", "program",
             "content_hash", "omitted_facets", "response_format", "items", "lineage"}
    unknown = [str(k) for k in data if k not in known]
    if unknown:
        raise ItemBankError(f"scale: unknown entry {short_repr(unknown[0])}", file=source)
    top = {key: _text(data, key, "scale", source)
           for key in ("name", "version", "language", "program", "content_hash")}
    if top["language"] not in LANGUAGES or top["program"] not in PROGRAMS:
        raise ItemBankError("scale: invalid language or program", file=source)
    omitted = _field(data, "omitted_facets", list, "scale", source)
    for facet in omitted:
        if not isinstance(facet, str) or not ID_PATTERN.match(facet):
            raise ItemBankError(f"scale: omitted facet {short_repr(facet)} is not a facet id",
                                file=source)
    response_format = _response_format_from_dict(
        _field(data, "response_format", dict, "scale", source), source
    )
    raw_items = _field(data, "items", list, "scale", source)
    if not raw_items:
        raise ItemBankError("scale: 'items' is empty", file=source)
    items = tuple(_scale_item(raw, n, source) for n, raw in enumerate(raw_items, start=1))
    lowered = [item.id.lower() for item in items]
    if len(set(lowered)) != len(lowered):
        repeated = next(i for i in lowered if lowered.count(i) > 1)
        raise ItemBankError(f"scale: item id {repeated!r} appears twice (ignoring case)",
                            file=source)
    lineage = None
    if "lineage" in data:
        raw = _field(data, "lineage", dict, "scale", source)
        keys = [f.name for f in fields(Lineage)]
        if sorted(raw) != sorted(keys) or not all(isinstance(v, str) for v in raw.values()):
            raise ItemBankError(f"scale: lineage needs exactly {', '.join(keys)}, each a text",
                                file=source)
        lineage = Lineage(**raw)
    scale = Scale(
        name=top["name"], version=top["version"], language=top["language"],
        program=top["program"], items=items, response_format=response_format,
        omitted_facets=tuple(omitted), lineage=lineage,
    )
    if scale.content_hash != top["content_hash"]:
        raise ItemBankError(
            "content hash mismatch: the file was changed after it was saved (name, version, "
            "language, program, omitted facets, response format, items, texts or keys); "
            "refusing to load it", file=source,
        )
    return scale


def _response_format_from_dict(rf: dict[str, Any], source: str | None) -> ResponseFormat:
    """The saved ``response_format`` entry: 4-7 points with as many labels per language."""
    points = _field(rf, "points", int, "response_format", source)
    labels = {lang: _field(rf, f"labels_{lang}", list, "response_format", source)
              for lang in LANGUAGES}
    if not 4 <= points <= 7 or any(len(v) != points for v in labels.values()):
        raise ItemBankError("response_format: points must be 4-7 with as many labels",
                            file=source)
    for values in labels.values():
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise ItemBankError("response_format: every label must be a non-empty text",
                                file=source)
    return ResponseFormat(points, tuple(labels["fr"]), tuple(labels["en"]))


def _scale_item(raw: Any, n: int, source: str | None) -> ScaleItem:
    """The ``n``-th (1-based) saved item: every field present, a valid key and program."""
    where = f"item {n}"
    if not isinstance(raw, dict):
        raise ItemBankError(f"{where}: expected a mapping", file=source)
    names = [f.name for f in fields(ScaleItem)]
    unknown = [str(k) for k in raw if k not in names]
    if unknown:
        raise ItemBankError(f"{where}: unknown entry {short_repr(unknown[0])}", file=source)
    values: dict[str, Any] = {
        name: _node_id(raw, name, where, source) for name in ("id", "theme", "facet", "dimension")
    }
    where = f"item {n} ({values['id']})"
    values.update({name: _field(raw, name, str, where, source) for name in ("text_fr", "text_en")})
    values["keyed"] = _field(raw, "keyed", int, where, source)
    values["applies_to"] = _field(raw, "applies_to", str, where, source)
    if values["keyed"] not in (1, -1) or values["applies_to"] not in APPLIES_TO:
        raise ItemBankError(f"{where}: keyed must be 1 or -1 and "
                            f"applies_to one of {', '.join(APPLIES_TO)}", file=source)
    return ScaleItem(**{name: values[name] for name in names})
