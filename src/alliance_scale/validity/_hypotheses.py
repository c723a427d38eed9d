"""Pre-registered hypotheses of construct validity: their text format, parser and defaults.

A hypothesis states, before the data are seen, how a DTA subscale correlates with a
criterion subscale (Bordin's goal / task / bond of a WAI-style measure, or their total).
Two forms, one per line of a list or of a YAML file::

    A ~ task > A ~ bond        # comparison: r(A, task) is larger than r(A, bond)
    C3 ~ goal > C1 ~ goal      # the pairs may share the criterion, the subscale, or nothing
    total ~ total >= .50       # threshold: r(total, total) is at least .50
    C ~ bond >= .40

``subscale ~ criterion`` names a correlation: the left name is a column of the DTA scores
(a facet, a dimension or ``total``), the right one a criterion subscale (``goal``,
``task``, ``bond``, ``total`` or another criterion column). Relations: ``>``, ``>=``,
``<``, ``<=``; a threshold is a number in (-1, 1) (``.5``, ``0.50``, ``-.1``). Names are
case-sensitive, spaces optional. ``#`` starts a comment in a YAML file only (YAML's rule).

The defaults, :func:`blueprint_hypotheses`, are derived from the Bordin components the
blueprint (``items/blueprint.yaml``) states for its nodes:

1. a dimension (or facet) that states components relates more to each of them than to each
   component it does not state (``A ~ task > A ~ goal``, ``A ~ task > A ~ bond``);
2. a leaf theme that states its own component (B2b and C3b: goal) is carried by its
   facet, which relates more to that component than its sibling facets whose leaves do not
   state it (``B2 ~ goal > B1 ~ goal``);
3. the DTA total correlates at least .50 with the criterion total (COSMIN's usual bar for
   measures of the same construct; Prinsen et al. 2018).

Hand-written parser: the grammar has a dozen tokens, and a hand-written one names the
string and the token that is wrong, which a generic parser's messages would not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._checks import check_instance
from ..errors import ItemBankError, OptionError
from ..instrument._blueprint import BORDIN, Blueprint, load_blueprint, read_yaml_mapping

__all__ = ["Hypothesis", "blueprint_hypotheses", "parse_hypothesis"]

#: Relations a hypothesis can state.
RELATIONS = (">=", "<=", ">", "<")

#: Threshold of the default total hypothesis (COSMIN: r >= .50 for the same construct).
TOTAL_THRESHOLD = 0.50

_TOKEN = re.compile(
    r"\s*(?:(?P<number>[-+]?(?:\d+\.\d*|\.\d+|\d+))(?![A-Za-z0-9_.])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_.]*)"
    r"|(?P<operator>>=|<=|>|<|~)"
    r"|(?P<other>\S+))"
)


@dataclass(frozen=True)
class Hypothesis:
    """A hypothesis about correlations of DTA subscales with criterion subscales.

    Attributes
    ----------
    id : str
        Label (``"H1"``...), from the position in the list or the key of a mapping.
    text : str
        The hypothesis as written (spaces normalised), e.g. ``"A ~ task > A ~ bond"``.
    left : tuple of str
        ``(subscale, criterion)`` of the left correlation.
    relation : {">=", "<=", ">", "<"}
    right : tuple of str or float
        The other correlation ``(subscale, criterion)`` (a comparison) or a number (a
        threshold).
    source : {"user", "blueprint"}
        Where it comes from (a blueprint hypothesis naming a subscale absent from the data
        is "not testable"; a user's is an error).

    Examples
    --------
    >>> h = als.parse_hypothesis("A ~ task > A ~ bond")
    >>> h.kind, h.left, h.right
    ('comparison', ('A', 'task'), ('A', 'bond'))
    """

    id: str
    text: str
    left: tuple[str, str]
    relation: str
    right: tuple[str, str] | float
    source: str = "user"

    @property
    def kind(self) -> str:
        """``"comparison"`` (two correlations) or ``"threshold"`` (a correlation and a number)."""
        return "threshold" if isinstance(self.right, float) else "comparison"

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """The (subscale, criterion) pairs the hypothesis involves."""
        return (self.left,) if isinstance(self.right, float) else (self.left, self.right)

    @property
    def predicted_high(self) -> tuple[tuple[str, str], ...]:
        """Pairs predicted to correlate highly: the larger side of a comparison, the pair of
        an at-least threshold (the validity cells of a multitrait-multimethod matrix)."""
        larger = self.relation in (">", ">=")
        if isinstance(self.right, float):
            return (self.left,) if larger else ()
        return (self.left,) if larger else (self.right,)

    def holds(self, value: float, other: float) -> bool:
        """Whether ``value <relation> other`` (the estimate agrees with the hypothesis)."""
        return {
            ">": value > other, ">=": value >= other, "<": value < other, "<=": value <= other,
        }[self.relation]


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, token, position) of each token of ``text``."""
    tokens = []
    for match in _TOKEN.finditer(text):
        if not match.group(0).strip():
            continue
        kind = match.lastgroup or "other"
        tokens.append((kind, match.group(kind), match.start(kind)))
    return tokens


def parse_hypothesis(text: str, id: str = "H1", *, source: str = "user") -> Hypothesis:
    """Parse one hypothesis such as ``"A ~ task > A ~ bond"`` or ``"total ~ total >= .50"``.

    The format (see the module docstring): ``subscale ~ criterion``, a relation among
    ``>``, ``>=``, ``<``, ``<=``, then either another ``subscale ~ criterion`` or a number
    in (-1, 1).

    Parameters
    ----------
    text : str
        The hypothesis.
    id : str, default "H1"
        Its label.
    source : {"user", "blueprint"}, default "user"

    Returns
    -------
    Hypothesis

    Raises
    ------
    OptionError
        A malformed hypothesis: the message quotes the string and names the unexpected
        token (or what is missing at its end).

    Examples
    --------
    >>> als.parse_hypothesis("total ~ total >= .50").right
    0.5
    >>> als.parse_hypothesis("A ~ task >> A ~ bond")
    Traceback (most recent call last):
    ...
    alliance_scale.errors.OptionError: hypothesis 'A ~ task >> A ~ bond': unexpected '>' ...
    """
    if not isinstance(text, str):
        raise OptionError(f"a hypothesis must be a string such as 'A ~ task > A ~ bond'; "
                          f"got {type(text).__name__}")
    tokens = _tokens(text)
    position = 0

    def fail(expected: str) -> OptionError:
        if position < len(tokens):
            _, token, at = tokens[position]
            return OptionError(f"hypothesis {text!r}: unexpected {token!r} at position {at}; "
                               f"expected {expected}")
        return OptionError(f"hypothesis {text!r} ends early; expected {expected}")

    def take(kind: str, expected: str, value: str | None = None) -> str:
        nonlocal position
        if position >= len(tokens) or tokens[position][0] != kind or (
                value is not None and tokens[position][1] != value):
            raise fail(expected)
        position += 1
        return tokens[position - 1][1]

    def pair() -> tuple[str, str]:
        subscale = take("name", "a subscale name")
        take("operator", "'~'", "~")
        return subscale, take("name", "a criterion name")

    left = pair()
    if position < len(tokens) and tokens[position][1] not in RELATIONS:
        raise fail("a relation (>, >=, <, <=)")
    relation = take("operator", "a relation (>, >=, <, <=)")
    right: tuple[str, str] | float
    if position < len(tokens) and tokens[position][0] == "number":
        token, at = tokens[position][1], tokens[position][2]
        right, shown = float(token), token
        if not -1 < right < 1:
            raise OptionError(f"hypothesis {text!r}: threshold {token!r} at position {at} "
                              "must be a correlation in (-1, 1)")
        position += 1
    elif position < len(tokens) and tokens[position][0] == "name":
        right = pair()
        shown = f"{right[0]} ~ {right[1]}"
        if right == left:
            raise OptionError(f"hypothesis {text!r} compares r({left[0]}, {left[1]}) with "
                              "itself")
    else:
        raise fail("a subscale name or a number")
    if position < len(tokens):
        raise fail("the end of the hypothesis")
    return Hypothesis(id=str(id), text=f"{left[0]} ~ {left[1]} {relation} {shown}",
                      left=left, relation=relation, right=right, source=source)


def blueprint_hypotheses(blueprint: Blueprint | None = None) -> list[Hypothesis]:
    """The default convergent-validity hypotheses, derived from the blueprint's Bordin data.

    Rules (stated before any data are seen; see the module docstring): (1) a dimension or
    facet stating Bordin components relates more to each of them than to each component
    it does not state; (2) a leaf theme stating its own component is carried by its
    facet, which relates more to it than the sibling facets whose leaves do not state it;
    (3) ``total ~ total >= .50``. With the bundled blueprint: A -> task, B -> bond and
    task, C -> bond, B2b and C3b -> goal, total -> total, i.e. 12 hypotheses.

    Parameters
    ----------
    blueprint : Blueprint, optional
        Default :func:`~alliance_scale.load_blueprint` (``items/blueprint.yaml``).

    Returns
    -------
    list of Hypothesis
        Ids ``H1``... in the order of the rules and of the tree; ``source="blueprint"``.

    Examples
    --------
    >>> for h in als.blueprint_hypotheses()[:3]:
    ...     print(h.id, h.text)
    H1 A ~ task > A ~ goal
    H2 A ~ task > A ~ bond
    H3 B ~ task > B ~ goal
    """
    blueprint = load_blueprint() if blueprint is None else check_instance(
        "blueprint", blueprint, Blueprint, "see load_blueprint")
    texts: list[str] = []
    nodes = [(d.id, d.bordin) for d in blueprint.dimensions]
    nodes += [(f.id, f.bordin) for f in blueprint.facets]
    for node, stated in nodes:
        for component in (c for c in BORDIN if c in stated):
            texts += [f"{node} ~ {component} > {node} ~ {other}"
                      for other in BORDIN if other not in stated]
    for dimension in blueprint.dimensions:
        for facet in dimension.facets:
            own = [c for c in BORDIN if any(c in t.bordin for t in facet.themes)]
            for component in own:
                texts += [
                    f"{facet.id} ~ {component} > {sibling.id} ~ {component}"
                    for sibling in dimension.facets
                    if sibling is not facet and not any(
                        component in blueprint.bordin_of(t.id) for t in sibling.themes)
                ]
    texts.append(f"total ~ total >= {TOTAL_THRESHOLD:.2f}")
    return [parse_hypothesis(text, f"H{k + 1}", source="blueprint")
            for k, text in enumerate(texts)]


def collect_hypotheses(hypotheses: Any, blueprint: Blueprint | None) -> list[Hypothesis]:
    """The hypotheses of a call: the blueprint's (None), a YAML file, a string, a list or a
    mapping id -> string (see :func:`~alliance_scale.convergent_validity`)."""
    if hypotheses is None:
        return blueprint_hypotheses(blueprint)
    if isinstance(hypotheses, Path) or (isinstance(hypotheses, str) and _is_file(hypotheses)):
        return _read_file(str(hypotheses))
    if isinstance(hypotheses, (str, Hypothesis)):
        hypotheses = [hypotheses]
    if isinstance(hypotheses, Mapping):
        entries: Iterable[tuple[str, Any]] = ((str(k), v) for k, v in hypotheses.items())
    elif isinstance(hypotheses, Sequence):
        entries = ((f"H{k + 1}", v) for k, v in enumerate(hypotheses))
    else:
        raise OptionError("hypotheses must be None (the blueprint's), a YAML file, a string, "
                          f"a list of strings or a mapping id -> string; got "
                          f"{type(hypotheses).__name__}")
    out = [entry if isinstance(entry, Hypothesis) else parse_hypothesis(entry, label)
           for label, entry in entries]
    if not out:
        raise OptionError("hypotheses is empty; give at least one (or None for the "
                          "blueprint's)")
    ids = [h.id for h in out]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise OptionError(f"hypothesis id(s) used twice: {', '.join(repeated)}")
    return out


def with_criterion_names(hypotheses: Sequence[Hypothesis],
                         columns: Mapping[str, str]) -> list[Hypothesis]:
    """The hypotheses with each criterion named as the analysis names it.

    The criterion columns are renamed to the Bordin names (``wai_bond`` -> ``bond``;
    ``columns`` maps the analysis' name to the user's column). A hypothesis may name the
    criterion either way: ``"A ~ wai_bond > A ~ wai_task"`` is read as ``"A ~ bond > A ~
    task"``; its text stays as written.

    Examples
    --------
    >>> h = als.parse_hypothesis("A ~ wai_bond > A ~ task")
    >>> with_criterion_names([h], {"bond": "wai_bond", "task": "wai_task"})[0].pairs
    (('A', 'bond'), ('A', 'task'))
    """
    own = {original: name for name, original in columns.items() if original != name}
    own = {k: v for k, v in own.items() if k not in columns}  # an analysis name wins
    if not own:
        return list(hypotheses)
    out = []
    for h in hypotheses:
        left = (h.left[0], own.get(h.left[1], h.left[1]))
        right = h.right if isinstance(h.right, float) else (h.right[0],
                                                             own.get(h.right[1], h.right[1]))
        out.append(Hypothesis(h.id, h.text, left, h.relation, right, h.source))
    return out


def _is_file(text: str) -> bool:
    """A string naming a YAML file (by its suffix, or an existing path), not a hypothesis."""
    if "~" in text or "\n" in text or "\x00" in text:
        return False
    try:  # a long hypothesis is no file name (ENAMETOOLONG), whatever it holds
        return Path(text).suffix.lower() in (".yaml", ".yml") or Path(text).exists()
    except (OSError, ValueError):
        return False


def _read_file(file: str) -> list[Hypothesis]:
    """Hypotheses of a YAML file: a key ``hypotheses`` holding a list of strings or a
    mapping id -> string."""
    data = read_yaml_mapping(file)
    entries = data.get("hypotheses")
    if not isinstance(entries, (list, dict)) or not entries:
        raise ItemBankError("needs a key 'hypotheses' holding a list of strings or a mapping "
                            "id -> string", file=file)
    try:
        return collect_hypotheses(entries, None)
    except OptionError as error:
        raise ItemBankError(error.reason, file=file) from error
