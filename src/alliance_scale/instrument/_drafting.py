"""Drafting: turn the blueprint and the item bank into a :class:`Scale` for one program.

The selection and ordering rules are hand-written (a few lines each) because they are
decisions of this project, not algorithms a library offers: items are balanced across the
leaf themes of each facet (round robin), and each facet is spread evenly over the
questionnaire so that consecutive items come from different facets whenever the counts
allow it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict

import numpy as np
import pandas as pd

from .._checks import check_choice, check_integer, check_seed
from .._warn import warn_user
from ..errors import AllianceScaleWarning, ItemBankError, OptionError
from ._blueprint import Blueprint, load_blueprint
from ._item_bank import LANGUAGES, PROGRAMS, Item, ItemBank, load_item_bank
from ._response_format import agreement_format, response_formats_data
from ._scale import Scale, ScaleItem, _canonical

__all__ = ["draft_scale"]


def draft_scale(
    blueprint: Blueprint | None = None,
    bank: ItemBank | None = None,
    *,
    items_per_facet: int | None = None,
    points: int = 5,
    language: str = "fr",
    program: str = "guided",
    seed: int | np.random.Generator | None = 0,
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
    seed : int, numpy Generator or None, default 0
        Seed of the administration order: a non-negative integer (the same seed gives the
        same order), a numpy Generator, or None (fresh entropy).
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

    Examples
    --------
    >>> scale = als.draft_scale(items_per_facet=2, language="en", seed=0)
    >>> len(scale.items), scale.program, scale.response_format.points
    (18, 'guided', 5)
    >>> scale.items[0].text_en
    'The program gave me a reassuring framework.'
    """
    check_choice("language", language, LANGUAGES)
    check_choice("program", program, PROGRAMS)
    response_format = agreement_format(points)
    if items_per_facet is not None:
        check_integer("items_per_facet", items_per_facet, minimum=1)
    if blueprint is None:
        blueprint = load_blueprint()
    if bank is None:
        bank = load_item_bank(blueprint=blueprint)
    selected, omitted = _select(blueprint, bank, items, program, items_per_facet)
    ordered = _interleave(selected, check_seed("seed", seed))
    return Scale(
        name=response_formats_data()["wording"][language]["title"],
        version=f"{blueprint.version}+bank.{_bank_digest(bank)[:8]}",
        language=language,
        program=program,
        items=_to_scale_items(ordered, blueprint),
        response_format=response_format,
        omitted_facets=tuple(omitted),
    )


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
        warn_user(
            f"facets without items for {program} programs: {', '.join(omitted)}",
            AllianceScaleWarning,
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
        warn_user(
            f"items not applicable to {program} programs left out: {', '.join(left_out)}",
            AllianceScaleWarning,
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
    if isinstance(ids, str) or not isinstance(ids, (list, tuple, set, frozenset, pd.Index,
                                                    pd.Series, np.ndarray)):
        raise OptionError(f"items must be a list of item ids, got {type(ids).__name__}")
    wanted = {str(i) for i in ids}
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


def _bank_digest(bank: ItemBank) -> str:
    return hashlib.sha256(_canonical([asdict(i) for i in bank.items])).hexdigest()
