"""A drafted scale: items in administration order, response format, scoring key, version.

:func:`draft_scale` turns the blueprint and the item bank into a :class:`Scale` for one
kind of program (guided or automated) and one language. A Scale saves and loads exactly
(YAML or JSON) and carries a content hash, so an administration can be tied to the exact
questionnaire that was fielded. Exports to survey platforms live in :mod:`.exports`.

The selection and ordering rules are hand-written (a few lines each) because they are
decisions of this project, not algorithms a library offers: items are balanced across the
leaf themes of each facet (round robin), and each facet is spread evenly over the
questionnaire so that consecutive items come from different facets whenever the counts
allow it.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ._resources import bundled_path
from .blueprint import Blueprint, load_blueprint
from .errors import AllianceScaleWarning, ItemBankError, check_choice
from .item_bank import APPLIES_TO, BilingualText, Item, ItemBank, load_item_bank

__all__ = [
    "LANGUAGES",
    "PROGRAMS",
    "ResponseFormat",
    "Scale",
    "ScaleItem",
    "agreement_format",
    "draft_scale",
]

#: Kinds of program a scale is drafted for.
PROGRAMS = ("guided", "automated")

#: Languages of administration.
LANGUAGES = ("fr", "en")

#: Identifies saved scale files (``format`` key), with the layout version.
_FILE_FORMAT = "alliance-scale/scale"
_FILE_FORMAT_VERSION = 1


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
class ScaleItem(BilingualText):
    """An item as fielded: its place in the tree (theme, facet, dimension) and key."""

    id: str
    theme: str
    facet: str
    dimension: str
    text_fr: str
    text_en: str
    keyed: int
    applies_to: str



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
        SHA-256 of the scale's content: the UTF-8 JSON of ``{"items": [...], "program": ...,
        "response_format": {...}}`` (as in :meth:`to_dict`; items in administration order)
        dumped with sorted keys, separators ``(",", ":")`` and non-ASCII characters kept.
        The language of administration is not content (both texts are kept).
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

    # ------------------------------------------------------------------ files
    def to_dict(self) -> dict[str, Any]:
        """The scale as plain JSON/YAML types (lists, not tuples), with a format marker."""
        return {
            "format": _FILE_FORMAT,
            "format_version": _FILE_FORMAT_VERSION,
            "name": self.name,
            "version": self.version,
            "language": self.language,
            "program": self.program,
            "content_hash": self.content_hash,
            "omitted_facets": list(self.omitted_facets),
            "response_format": _plain(asdict(self.response_format)),
            "items": [asdict(item) for item in self.items],
        }

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

    def save(self, path: str | Path) -> Path:
        """Write the scale to ``path``: YAML for ``.yaml``/``.yml``, JSON for ``.json``.

        Returns
        -------
        Path
            The path written.
        """
        path = Path(path)
        path.write_text(serialise(self, _file_kind(path)), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> Scale:
        """Read a scale saved by :meth:`save`; ``Scale.load(p) == scale`` after ``save(p)``.

        Raises
        ------
        ItemBankError
            Naming the file, if it cannot be read or parsed, is not a saved scale, or was
            edited after it was saved (its content hash no longer matches).
        """
        path = Path(path)
        kind = _file_kind(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            message = f"cannot read the file ({error.strerror})"
            raise ItemBankError(message, file=str(path)) from error
        try:
            data = json.loads(text) if kind == "json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as error:
            first_line = str(error).splitlines()[0]
            message = f"not valid {kind.upper()}: {first_line}"
            raise ItemBankError(message, file=str(path)) from error
        return _scale_from_dict(data, str(path))

    # ---------------------------------------------------------------- exports
    def to_markdown(self, language: str | None = None) -> str:
        """Markdown document of the scale; see :func:`alliance_scale.exports.to_markdown`."""
        from .exports import to_markdown

        return to_markdown(self, language)

    def to_html(self, language: str | None = None) -> str:
        """Printable HTML page; see :func:`alliance_scale.exports.to_html`."""
        from .exports import to_html

        return to_html(self, language)

    def to_redcap(self, path: str | Path, language: str | None = None) -> Path:
        """REDCap data dictionary CSV; see :func:`alliance_scale.exports.to_redcap`."""
        from .exports import to_redcap

        return to_redcap(self, path, language)

    def to_limesurvey(self, path: str | Path) -> Path:
        """LimeSurvey survey structure (.txt); see :func:`alliance_scale.exports.to_limesurvey`."""
        from .exports import to_limesurvey

        return to_limesurvey(self, path)

    def to_qualtrics(self, path: str | Path, language: str | None = None) -> Path:
        """Qualtrics Advanced TXT; see :func:`alliance_scale.exports.to_qualtrics`."""
        from .exports import to_qualtrics

        return to_qualtrics(self, path, language)


# ---------------------------------------------------------------------- response formats
@lru_cache(maxsize=4)
def _read_response_formats(path: str) -> dict[str, Any]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("agreement"), dict):
        raise ItemBankError("expected a mapping with an 'agreement' entry", file=path)
    return data


def response_formats_data() -> dict[str, Any]:
    """The parsed bundled ``items/response_formats.yaml`` (anchors and export wording)."""
    return _read_response_formats(str(bundled_path("items", "response_formats.yaml")))


def agreement_format(points: int = 5) -> ResponseFormat:
    """The agreement response format with ``points`` anchors (4 to 7), in French and English.

    Labels come from ``items/response_formats.yaml``. 4-7 points is the useful range
    (Lozano, Garcia-Cueto & Muniz, 2008, Methodology 4:73-79).

    Raises
    ------
    ItemBankError
        If ``points`` is not an integer from 4 to 7, or if the file's labels for it are
        missing or not ``points`` long.
    """
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or not (
        4 <= points <= 7
    ):
        raise ItemBankError(f"points must be an integer from 4 to 7, got {points!r}")
    points = int(points)
    path = str(bundled_path("items", "response_formats.yaml"))
    entry = _read_response_formats(path)["agreement"].get(points)
    labels = {}
    for language in LANGUAGES:
        values = (entry or {}).get(language)
        if not isinstance(values, list) or len(values) != points:
            raise ItemBankError(
                f"agreement.{points}.{language} must list {points} labels", file=path
            )
        labels[language] = tuple(str(v) for v in values)
    return ResponseFormat(points=points, labels_fr=labels["fr"], labels_en=labels["en"])


# ---------------------------------------------------------------------- drafting
def draft_scale(
    blueprint: Blueprint | None = None,
    bank: ItemBank | None = None,
    *,
    items_per_facet: int | None = None,
    points: int = 5,
    language: str = "fr",
    program: str = "guided",
    seed: int = 0,
    items: Iterable[str] | None = None,
) -> Scale:
    """Draft a scale from the blueprint and the item bank.

    Parameters
    ----------
    blueprint : Blueprint, optional
        Default: the bundled ``items/blueprint.yaml`` (:func:`load_blueprint`).
    bank : ItemBank, optional
        Default: the bundled ``items/item_bank.yaml`` (:func:`load_item_bank`).
    items_per_facet : int, optional
        Keep at most this many items per facet, dealt round robin over the facet's leaf
        themes (bank order within a leaf), so leaves stay balanced. Reverse-keyed items
        are kept in the facet's proportion (rounded half up), and at least one in each
        dimension that has some. Default: every applicable item.
    points : int, default 5
        Number of agreement anchors, 4 to 7 (labels from ``items/response_formats.yaml``).
    language : {"fr", "en"}, default "fr"
        Language of administration (both texts are kept in the scale).
    program : {"guided", "automated"}, default "guided"
        ``"guided"`` keeps items that apply to "guided" or "both"; ``"automated"`` keeps
        "automated" or "both" (items presupposing a human or a group are left out).
    seed : int, default 0
        Seed of ``numpy.random.default_rng`` for the administration order.
    items : iterable of str, optional
        Item ids to keep (e.g. ``content_validity(...).passing``); applied before the
        program filter and ``items_per_facet``.

    Returns
    -------
    Scale
        Items in administration order: items are shuffled within facets and each facet
        is spread evenly over the questionnaire (a systematic sample with a random start),
        then neighbours from the same facet are separated whenever the counts allow it.
        ``name`` is the questionnaire title in ``language`` and ``version`` the blueprint
        version plus the start of the bank's SHA-256 (``1.0+bank.03d20aa5``);
        ``omitted_facets`` lists the facets left empty.

    Raises
    ------
    ItemBankError
        For a bad option value, unknown item ids, items whose leaf is not in the blueprint,
        or a selection that leaves no item.

    Warns
    -----
    AllianceScaleWarning
        Naming the facets left without items, and items of ``items`` that do not apply to
        the program.
    """
    check_choice("language", language, LANGUAGES, ItemBankError)
    check_choice("program", program, PROGRAMS, ItemBankError)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ItemBankError(
            f"seed must be an integer (the administration order is reproducible); got {seed!r}"
        )
    response_format = agreement_format(points)
    if items_per_facet is not None and (
        isinstance(items_per_facet, bool)
        or not isinstance(items_per_facet, (int, np.integer))
        or items_per_facet < 1
    ):
        raise ItemBankError(f"items_per_facet must be a positive integer, got {items_per_facet!r}")
    if blueprint is None:
        blueprint = load_blueprint()
    if bank is None:
        bank = load_item_bank(blueprint=blueprint)

    chosen = _choose(bank, items)
    places = {t.id: (t.facet, f.dimension) for f in blueprint.facets for t in f.themes}
    for item in chosen:
        if item.theme not in places:
            raise ItemBankError(
                f"item {item.id!r} has leaf theme {item.theme!r}, not in the blueprint",
                file=bank.source, column=item.id,
            )
    applicable = [i for i in chosen if i.applies_to in (program, "both")]
    if items is not None:
        left_out = [i.id for i in chosen if i not in applicable]
        if left_out:
            warnings.warn(
                f"items not applicable to {program} programs left out: {', '.join(left_out)}",
                AllianceScaleWarning, stacklevel=2,
            )

    leaves_of: dict[str, list[list[Item]]] = {}
    omitted: list[str] = []
    for facet in blueprint.facets:
        leaves = [[i for i in applicable if i.theme == t.id] for t in facet.themes]
        if any(leaves):
            leaves_of[facet.id] = [leaf for leaf in leaves if leaf]
        else:
            omitted.append(facet.id)
    targets = _reverse_targets(blueprint, leaves_of, items_per_facet)
    selected = {facet: _balanced(leaves, items_per_facet, targets[facet])
                for facet, leaves in leaves_of.items()}
    if not selected:
        raise ItemBankError(f"no item left for {program} programs with these options",
                            file=bank.source)
    if omitted:
        warnings.warn(
            f"facets without items for {program} programs: {', '.join(omitted)}",
            AllianceScaleWarning, stacklevel=2,
        )

    ordered = _interleave(selected, np.random.default_rng(seed))
    scale_items = tuple(
        ScaleItem(id=i.id, theme=i.theme, facet=places[i.theme][0],
                  dimension=places[i.theme][1], text_fr=i.text_fr, text_en=i.text_en,
                  keyed=int(i.keyed), applies_to=i.applies_to)
        for i in ordered
    )
    return Scale(
        name=response_formats_data()["wording"][language]["title"],
        version=f"{blueprint.version}+bank.{_bank_digest(bank)[:8]}",
        language=language,
        program=program,
        items=scale_items,
        response_format=response_format,
        omitted_facets=tuple(omitted),
        content_hash=_content_hash(scale_items, response_format, program),
    )


def _choose(bank: ItemBank, ids: Iterable[str] | None) -> list[Item]:
    """Bank items, restricted to ``ids`` (bank order kept); unknown ids refused."""
    counts = Counter(i.id for i in bank.items)
    duplicated = sorted(item_id for item_id, n in counts.items() if n > 1)
    if duplicated:
        raise ItemBankError(f"duplicate item id(s): {', '.join(duplicated)}", file=bank.source)
    if ids is None:
        return list(bank.items)
    wanted = {ids} if isinstance(ids, str) else {str(i) for i in ids}
    known = {i.id for i in bank.items}
    unknown = sorted(wanted - known)
    if unknown:
        raise ItemBankError(f"unknown item id(s): {', '.join(unknown)}", file=bank.source)
    return [i for i in bank.items if i.id in wanted]


def _reverse_targets(
    blueprint: Blueprint, leaves_of: dict[str, list[list[Item]]], k: int | None
) -> dict[str, int]:
    """How many reverse-keyed items each facet keeps when ``k`` items per facet are kept.

    The facet's own share of reverse-keyed items times the number kept, rounded half up;
    then, in a dimension that has reverse-keyed items but would keep none, one for its
    facet with the largest share (first in tree order). Reverse-keyed items tend to form a
    method factor, so a short form keeps them few but present (Woods 2006; van Sonderen,
    Sanderman & Coyne 2013).
    """
    targets: dict[str, int] = {}
    shares: dict[str, float] = {}
    for facet, leaves in leaves_of.items():
        pool = [i for leaf in leaves for i in leaf]
        shares[facet] = sum(i.keyed < 0 for i in pool) / len(pool)
        kept = len(pool) if k is None else min(k, len(pool))
        targets[facet] = int(np.floor(kept * shares[facet] + 0.5))
    for dimension in blueprint.dimensions:
        facets = [f.id for f in dimension.facets if f.id in leaves_of]
        if facets and not sum(targets[f] for f in facets):
            best = max(facets, key=lambda f: shares[f])
            if shares[best] > 0:
                targets[best] = 1
    return targets


def _balanced(leaves: list[list[Item]], k: int | None, n_reverse: int) -> list[Item]:
    """Up to ``k`` items dealt round robin over the leaves, ``n_reverse`` of them reversed.

    Each round gives one item to each leaf (bank order within a leaf), preferring a
    reverse-keyed item while fewer than ``n_reverse`` are kept and a direct item after,
    so the leaves stay balanced whatever the keys.
    """
    if k is None:
        return [i for leaf in leaves for i in leaf]
    queues = [list(leaf) for leaf in leaves]
    picked: list[tuple[int, Item]] = []
    while len(picked) < k and any(queues):
        progress = False
        for index, queue in enumerate(queues):
            if len(picked) >= k or not queue:
                continue
            reversed_so_far = sum(i.keyed < 0 for _, i in picked)
            want_reverse = reversed_so_far < n_reverse
            pool = [i for i in queue if (i.keyed < 0) == want_reverse]
            if not pool and not want_reverse:
                continue  # only reverse-keyed items left in this leaf, and enough are kept
            item = (pool or queue)[0]
            queue.remove(item)
            picked.append((index, item))
            progress = True
        if not progress:  # only reverse-keyed items remain anywhere: allow them
            n_reverse = k
    # A reverse-keyed item in a leaf the rounds did not reach replaces the last direct
    # pick (then every leaf has 0 or 1 pick, so the swap keeps them balanced).
    spare = [(n, i) for n, queue in enumerate(queues) for i in queue if i.keyed < 0]
    while spare and sum(i.keyed < 0 for _, i in picked) < n_reverse:
        direct = [p for p, (_, i) in enumerate(picked) if i.keyed > 0]
        if not direct:
            break
        picked[direct[-1]] = spare.pop(0)
    return [i for _, i in picked]


def _interleave(groups: dict[str, list[Item]], rng: np.random.Generator) -> list[Item]:
    """Deal items so each group is spread evenly and neighbours come from different groups.

    Items are shuffled within each group; the j-th of a group of n gets the position
    ``(j + u) / n`` with ``u`` uniform on [0, 1) drawn per group, and items are sorted by
    position (a systematic sample per group, so no group bunches up at the start or end).
    A repair pass then moves an item from further on between any two neighbours of the
    same group, or, at the tail, moves the item back to the first place where it has no
    neighbour of its own group.
    """
    positions: list[tuple[float, int, Item]] = []
    for members in groups.values():
        offset = rng.random()
        shuffled = [members[j] for j in rng.permutation(len(members))]
        positions += [((j + offset) / len(members), len(positions) + j, item)
                      for j, item in enumerate(shuffled)]
    order = [item for _, _, item in sorted(positions, key=lambda p: (p[0], p[1]))]
    facet = {item.id: name for name, members in groups.items() for item in members}
    return _separate(order, facet)


def _separate(order: list[Item], group: dict[str, str]) -> list[Item]:
    """Repair pass of :func:`_interleave` (see there)."""
    order = list(order)
    i = 1
    while i < len(order):
        current = group[order[i].id]
        if current == group[order[i - 1].id]:
            later = next((j for j in range(i + 1, len(order))
                          if group[order[j].id] != current), None)
            if later is not None:
                order.insert(i, order.pop(later))
            else:
                item = order.pop(i)
                spot = next((p for p in range(i)
                             if (p == 0 or group[order[p - 1].id] != current)
                             and group[order[p].id] != current), i)
                order.insert(spot, item)
                if spot == i:
                    i += 1
                continue
        i += 1
    return order


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _content_hash(
    items: tuple[ScaleItem, ...], response_format: ResponseFormat, program: str
) -> str:
    """SHA-256 of the canonical JSON of the items (in order, texts, keys), format, program."""
    content = {
        "items": [asdict(i) for i in items],
        "response_format": _plain(asdict(response_format)),
        "program": program,
    }
    return hashlib.sha256(_canonical(content)).hexdigest()


def _bank_digest(bank: ItemBank) -> str:
    return hashlib.sha256(_canonical([asdict(i) for i in bank.items])).hexdigest()


def _plain(value: Any) -> Any:
    """Tuples to lists, recursively (for JSON/YAML and for hashing)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# ---------------------------------------------------------------------- loading
def serialise(scale: Scale, kind: str = "yaml") -> str:
    """The text :meth:`Scale.save` writes: ``kind`` is ``"yaml"`` or ``"json"``."""
    data = scale.to_dict()
    if kind == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    if yaml.safe_load(text) != data:
        # A few characters (e.g. U+0085, a line break to YAML) do not survive unescaped:
        # fall back to escaping every non-ASCII character, exact but less readable.
        text = yaml.safe_dump(data, allow_unicode=False, sort_keys=False, width=100)
    return text


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
        raise ItemBankError(f"{where}: entry {key!r} has an invalid value {value!r}", file=source)
    return value


def _scale_from_dict(data: Any, source: str | None) -> Scale:
    if not isinstance(data, dict) or data.get("format") != _FILE_FORMAT:
        raise ItemBankError(f"not a saved scale (expected format: {_FILE_FORMAT})", file=source)
    if data.get("format_version") != _FILE_FORMAT_VERSION:
        raise ItemBankError(
            f"unsupported format_version {data.get('format_version')!r}", file=source
        )
    top = {key: _field(data, key, str, "scale", source)
           for key in ("name", "version", "language", "program", "content_hash")}
    if top["language"] not in LANGUAGES or top["program"] not in PROGRAMS:
        raise ItemBankError("scale: invalid language or program", file=source)
    omitted = _field(data, "omitted_facets", list, "scale", source)
    rf = _field(data, "response_format", dict, "scale", source)
    points = _field(rf, "points", int, "response_format", source)
    labels = {lang: _field(rf, f"labels_{lang}", list, "response_format", source)
              for lang in LANGUAGES}
    if not 4 <= points <= 7 or any(len(v) != points for v in labels.values()):
        raise ItemBankError("response_format: points must be 4-7 with as many labels",
                            file=source)
    response_format = ResponseFormat(points, tuple(map(str, labels["fr"])),
                                     tuple(map(str, labels["en"])))
    raw_items = _field(data, "items", list, "scale", source)
    names = [f.name for f in fields(ScaleItem)]
    items = []
    for n, raw in enumerate(raw_items, start=1):
        where = f"item {n}"
        if not isinstance(raw, dict):
            raise ItemBankError(f"{where}: expected a mapping", file=source)
        values = {key: _field(raw, key, int if key == "keyed" else str, where, source)
                  for key in names}
        if values["keyed"] not in (1, -1) or values["applies_to"] not in APPLIES_TO:
            raise ItemBankError(f"{where} ({values['id']}): keyed must be 1 or -1 and "
                                f"applies_to one of {', '.join(APPLIES_TO)}", file=source)
        items.append(ScaleItem(**values))
    items_tuple = tuple(items)
    expected = _content_hash(items_tuple, response_format, top["program"])
    if expected != top["content_hash"]:
        raise ItemBankError(
            "content hash mismatch: the file was changed after it was saved "
            "(items, texts, keys, response format or program); refusing to load it",
            file=source,
        )
    return Scale(
        name=top["name"], version=top["version"], language=top["language"],
        program=top["program"], items=items_tuple, response_format=response_format,
        omitted_facets=tuple(str(f) for f in omitted), content_hash=top["content_hash"],
    )
