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
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

import numpy as np
import pandas as pd
import yaml

from ._resources import bundled_path
from .blueprint import Blueprint, load_blueprint
from .errors import AllianceScaleWarning, ItemBankError, check_choice, check_integer
from .item_bank import (
    APPLIES_TO,
    LANGUAGES,
    PROGRAMS,
    BilingualText,
    Item,
    ItemBank,
    load_item_bank,
)

__all__ = [
    "LANGUAGES",
    "PROGRAMS",
    "ResponseFormat",
    "Scale",
    "ScaleItem",
    "agreement_format",
    "draft_scale",
    "response_formats_data",
    "serialise",
]

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
        """Anchor labels in ``"fr"`` or ``"en"``, from code 1 to ``points``.

        Raises
        ------
        ItemBankError
            For any other language (no silent fall back to English).
        """
        check_choice("language", language, LANGUAGES, ItemBankError)
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
        SHA-256 of the scale's content, computed from the content when not given (or
        given empty): the UTF-8 JSON of ``{"items": [...], "program": ...,
        "response_format": {...}}`` (as in :meth:`to_dict`; items in administration order)
        dumped with sorted keys, separators ``(",", ":")`` and non-ASCII characters kept.
        The language of administration is not content (both texts are kept). A value
        given is kept as is (:meth:`load` checks a saved one against the content).
    """

    name: str
    version: str
    language: str
    program: str
    items: tuple[ScaleItem, ...]
    response_format: ResponseFormat
    omitted_facets: tuple[str, ...] = ()
    content_hash: str = ""

    def __post_init__(self) -> None:
        if not self.content_hash:
            digest = _content_hash(self.items, self.response_format, self.program)
            object.__setattr__(self, "content_hash", digest)  # frozen: set once, here

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
    """The parsed bundled ``items/response_formats.yaml`` (anchors and export wording).

    Returns
    -------
    dict
        ``agreement`` (points -> language -> labels) and ``wording`` (language -> the
        texts around the items in exports: title, instructions, headings). Read once and
        cached: do not modify it.

    Raises
    ------
    ItemBankError
        If the file is not a mapping with an ``agreement`` entry.
    """
    return _read_response_formats(str(bundled_path("items", "response_formats.yaml")))


def agreement_format(points: int = 5) -> ResponseFormat:
    """The agreement response format with ``points`` anchors (4 to 7), in French and English.

    Labels come from ``items/response_formats.yaml``. 4-7 points is the useful range
    (Lozano, Garcia-Cueto & Muniz, 2008, Methodology 4:73-79).

    Parameters
    ----------
    points : int, default 5
        Number of anchors (response codes 1..points), an integer from 4 to 7.

    Returns
    -------
    ResponseFormat
        The codes' labels in French and English, from "strongly disagree" to "strongly
        agree".

    Raises
    ------
    ItemBankError
        If ``points`` is not an integer from 4 to 7, or if the file's labels for it are
        missing or not ``points`` long.
    """
    check_integer("points", points, error=ItemBankError)
    if not 4 <= points <= 7:
        raise ItemBankError(f"points must be an integer from 4 to 7; got {points!r}")
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
        Non-negative seed of ``numpy.random.default_rng`` for the administration order.
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
    response_format = _check_options(language, program, seed, points, items_per_facet)
    if blueprint is None:
        blueprint = load_blueprint()
    if bank is None:
        bank = load_item_bank(blueprint=blueprint)
    selected, omitted = _select(blueprint, bank, items, program, items_per_facet)
    ordered = _interleave(selected, np.random.default_rng(seed))
    return Scale(
        name=response_formats_data()["wording"][language]["title"],
        version=f"{blueprint.version}+bank.{_bank_digest(bank)[:8]}",
        language=language,
        program=program,
        items=_to_scale_items(ordered, blueprint),
        response_format=response_format,
        omitted_facets=tuple(omitted),
    )


def _check_options(
    language: str, program: str, seed: int, points: int, items_per_facet: int | None
) -> ResponseFormat:
    """Refuse bad options of :func:`draft_scale`; return the response format of ``points``."""
    check_choice("language", language, LANGUAGES, ItemBankError)
    check_choice("program", program, PROGRAMS, ItemBankError)
    check_integer("seed", seed, minimum=0, error=ItemBankError)
    response_format = agreement_format(points)
    if items_per_facet is not None:
        check_integer("items_per_facet", items_per_facet, minimum=1, error=ItemBankError)
    return response_format


def _select(
    blueprint: Blueprint, bank: ItemBank, ids: Iterable[str] | None, program: str,
    items_per_facet: int | None,
) -> tuple[dict[str, list[Item]], list[str]]:
    """The items kept per facet (tree order; see :func:`draft_scale`) and the facets left empty.

    Warns (stack level of the caller of :func:`draft_scale`) about the empty facets.
    """
    applicable = _applicable(blueprint, bank, ids, program)
    themes = applicable.by_theme()
    members = applicable.by_facet(blueprint)
    omitted = [facet for facet, kept in members.items() if not kept]
    leaves_of = {f.id: [list(themes[t.id]) for t in f.themes if t.id in themes]
                 for f in blueprint.facets if members[f.id]}
    targets = _reverse_targets(blueprint, leaves_of, items_per_facet)
    selected = {facet: _balanced(leaves, items_per_facet, targets[facet])
                for facet, leaves in leaves_of.items()}
    if not selected:
        raise ItemBankError(f"no item left for {program} programs with these options",
                            file=bank.source)
    if omitted:
        warnings.warn(
            f"facets without items for {program} programs: {', '.join(omitted)}",
            AllianceScaleWarning, stacklevel=3,
        )
    return selected, omitted


def _applicable(
    blueprint: Blueprint, bank: ItemBank, ids: Iterable[str] | None, program: str
) -> ItemBank:
    """The bank items chosen by ``ids`` that apply to ``program`` (bank order).

    Refuses items whose leaf is not in the blueprint; warns about chosen items that do not
    apply to the program (only when ``ids`` are given).
    """
    chosen = ItemBank(tuple(_choose(bank, ids)), source=bank.source)
    leaves = {t.id for t in blueprint.themes}
    for item in chosen:
        if item.theme not in leaves:
            raise ItemBankError(
                f"item {item.id!r} has leaf theme {item.theme!r}, not in the blueprint",
                file=bank.source, column=item.id,
            )
    applicable = chosen.for_program(program)
    left_out = [i.id for i in chosen if not i.applies(program)]
    if ids is not None and left_out:
        warnings.warn(
            f"items not applicable to {program} programs left out: {', '.join(left_out)}",
            AllianceScaleWarning, stacklevel=4,
        )
    return applicable


def _to_scale_items(ordered: list[Item], blueprint: Blueprint) -> tuple[ScaleItem, ...]:
    """Bank items as fielded items, with their facet and dimension from the blueprint."""
    places = {t.id: (t.facet, f.dimension) for f in blueprint.facets for t in f.themes}
    return tuple(
        ScaleItem(id=i.id, theme=i.theme, facet=places[i.theme][0],
                  dimension=places[i.theme][1], text_fr=i.text_fr, text_en=i.text_en,
                  keyed=int(i.keyed), applies_to=i.applies_to)
        for i in ordered
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
    picked: list[Item] = []
    n_reversed = 0
    while len(picked) < k and any(queues):
        progress = False
        for queue in queues:
            if len(picked) >= k:
                break
            item = _next_pick(queue, want_reverse=n_reversed < n_reverse)
            if item is None:
                continue
            queue.remove(item)
            picked.append(item)
            n_reversed += item.keyed < 0
            progress = True
        if not progress:  # only reverse-keyed items remain anywhere: allow them
            n_reverse = k
    # A reverse-keyed item in a leaf the rounds did not reach replaces the last direct
    # pick (then every leaf has 0 or 1 pick, so the swap keeps them balanced).
    spare = [i for queue in queues for i in queue if i.keyed < 0]
    while spare and n_reversed < n_reverse:
        direct = [p for p, i in enumerate(picked) if i.keyed > 0]
        if not direct:
            break
        picked[direct[-1]] = spare.pop(0)
        n_reversed += 1
    return picked


def _next_pick(queue: list[Item], want_reverse: bool) -> Item | None:
    """The leaf's next item: the first with the wanted key, else (when a reverse-keyed one
    is wanted) the first item; None when the leaf is empty or holds only unwanted
    reverse-keyed items."""
    wanted = next((i for i in queue if (i.keyed < 0) == want_reverse), None)
    if wanted is None and want_reverse and queue:
        return queue[0]
    return wanted


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
    """The text :meth:`Scale.save` writes (the :meth:`Scale.to_dict` layout).

    Parameters
    ----------
    scale : Scale
    kind : {"yaml", "json"}, default "yaml"
        YAML keeps non-ASCII characters readable (escaping them only when YAML could not
        read them back exactly); JSON is indented by 2.

    Returns
    -------
    str
        The text, ending with a newline; :meth:`Scale.load` reads it back to an equal scale.

    Raises
    ------
    ItemBankError
        If ``kind`` is not ``"yaml"`` or ``"json"``.
    """
    check_choice("kind", kind, ("yaml", "json"), ItemBankError)
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
    """Rebuild a saved scale (see :meth:`Scale.from_dict`), refusing an edited file."""
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
    response_format = _response_format_from_dict(
        _field(data, "response_format", dict, "scale", source), source
    )
    raw_items = _field(data, "items", list, "scale", source)
    items = tuple(_scale_item(raw, n, source) for n, raw in enumerate(raw_items, start=1))
    expected = _content_hash(items, response_format, top["program"])
    if expected != top["content_hash"]:
        raise ItemBankError(
            "content hash mismatch: the file was changed after it was saved "
            "(items, texts, keys, response format or program); refusing to load it",
            file=source,
        )
    return Scale(
        name=top["name"], version=top["version"], language=top["language"],
        program=top["program"], items=items, response_format=response_format,
        omitted_facets=tuple(str(f) for f in omitted), content_hash=top["content_hash"],
    )


def _response_format_from_dict(rf: dict[str, Any], source: str | None) -> ResponseFormat:
    """The saved ``response_format`` entry: 4-7 points with as many labels per language."""
    points = _field(rf, "points", int, "response_format", source)
    labels = {lang: _field(rf, f"labels_{lang}", list, "response_format", source)
              for lang in LANGUAGES}
    if not 4 <= points <= 7 or any(len(v) != points for v in labels.values()):
        raise ItemBankError("response_format: points must be 4-7 with as many labels",
                            file=source)
    return ResponseFormat(points, tuple(map(str, labels["fr"])), tuple(map(str, labels["en"])))


def _scale_item(raw: Any, n: int, source: str | None) -> ScaleItem:
    """The ``n``-th (1-based) saved item: every field present, a valid key and program."""
    where = f"item {n}"
    if not isinstance(raw, dict):
        raise ItemBankError(f"{where}: expected a mapping", file=source)
    values = {f.name: _field(raw, f.name, int if f.name == "keyed" else str, where, source)
              for f in fields(ScaleItem)}
    if values["keyed"] not in (1, -1) or values["applies_to"] not in APPLIES_TO:
        raise ItemBankError(f"{where} ({values['id']}): keyed must be 1 or -1 and "
                            f"applies_to one of {', '.join(APPLIES_TO)}", file=source)
    return ScaleItem(**values)
