"""lavaan model syntax for measurement models, parsed into statements.

A hand-written tokenizer and parser (no Python package reads lavaan syntax; semopy reads
a different dialect). It understands what a confirmatory factor analysis needs:

- ``f =~ x1 + x2 + x3`` (factor loadings; a factor may load on factors: second order),
- ``x1 ~~ x2`` (variances and covariances), ``f1 ~ f2`` (regressions among factors),
- ``x1 ~ 1`` (intercepts and means), ``x1 | t1 + t2`` (thresholds),
  ``x1 ~*~ x1`` (scaling factors of ordered items),
- modifiers before a term: a number fixes the parameter (``1*x1``), ``NA`` frees it, a
  name is a label (parameters with the same label are equal), ``start(0.5)`` a start
  value, ``equal("f=~x2")`` makes the parameter equal to the one written ``f =~ x2``
  (in the first group) or to a label, ``c(a, b)`` one modifier per group; several terms
  for the same parameter merge (``NA*x1 + a*x1``), as in lavaan;
- comments after ``#`` or ``!``, statements on separate lines or separated by ``;``; a line
  without an operator continues the previous statement.

A mapping ``{factor: [items]}`` is turned into the same statements (a leading ``-``, the
reverse-keyed mark of :attr:`Scale.keys`, is accepted and dropped: the loading's sign is
estimated). Errors are :class:`~alliance_scale.errors.OptionError` naming the line and
the token; the statement and token they quote are cut to :data:`MESSAGE_CHARS` characters,
so that a huge malformed model gives a readable message. Parsing is linear in the length
of the model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ...errors import OptionError

__all__ = ["Statement", "model_statements", "parse_model"]

#: Operators, longest first (the tokenizer tries them in this order).
_OPERATORS = ("~*~", "=~", "~~", "<~", ":=", "==", "~", "|", "<", ">")
_SUPPORTED = ("=~", "~~", "~", "~1", "|", "~*~")
_NAME = re.compile(r"[A-Za-z_.][A-Za-z0-9_.]*")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
#: R's names of non-finite numbers, refused as fixed or start values.
_NON_FINITE = ("Inf", "NaN", "inf", "nan")
#: Longest quotation of the model in an error message (characters).
MESSAGE_CHARS = 120


def shorten(text: str, limit: int = MESSAGE_CHARS) -> str:
    """``text`` cut to ``limit`` characters with the length left out (for messages).

    Examples
    --------
    >>> shorten("f =~ " + "x + " * 100, 20)
    'f =~ x + x + x + x +... (385 more characters)'
    """
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


@dataclass
class Statement:
    """One parameter of the model as written: ``lhs op rhs`` and its modifiers.

    ``fixed``, ``label`` and ``start`` hold one entry per group when written with
    ``c(...)``, else one entry for every group; ``fixed`` entries are a number (fixed),
    ``None`` (``NA``: free) or absent (no modifier).
    """

    lhs: str
    op: str
    rhs: str
    line: int
    fixed: tuple[float | None, ...] | None = None
    label: tuple[str | None, ...] | None = None
    start: tuple[float | None, ...] | None = None
    extra: list[str] = field(default_factory=list)
    equal: tuple[str | None, ...] | None = None

    def merge(self, other: Statement) -> None:
        """Combine the modifiers of a repeated term (``NA*x1 + a*x1``)."""
        for name in ("fixed", "label", "start", "equal"):
            if getattr(other, name) is not None:
                setattr(self, name, getattr(other, name))


class _Tokens:
    """Tokens of one statement with the line it came from (for messages)."""

    def __init__(self, text: str, line: int) -> None:
        self.text, self.line, self.items = text, line, []
        position = 0
        while position < len(text):
            char = text[position]
            if char.isspace():
                position += 1
                continue
            for operator in _OPERATORS:
                if text.startswith(operator, position):
                    self.items.append(("op", operator))
                    position += len(operator)
                    break
            else:
                number = _NUMBER.match(text, position)
                name = _NAME.match(text, position)
                if char in "+*(),":
                    self.items.append((char, char))
                    position += 1
                elif number and (not name or number.end() >= name.end()):
                    self.items.append(("number", number.group()))
                    position = number.end()
                elif name:
                    self.items.append(("name", name.group()))
                    position = name.end()
                elif char in "\"'":
                    end = text.find(char, position + 1)
                    if end < 0:
                        self.fail(text[position:], "unterminated quoted string")
                    if end == position + 1:
                        self.fail(text[position:end + 1], "empty quoted name")
                    self.items.append(("name", text[position + 1:end]))
                    position = end + 1
                else:
                    self.fail(char, "unexpected character")
        self.position = 0

    def fail(self, token: str, reason: str) -> None:
        raise OptionError(f"model syntax, line {self.line}: {reason} at "
                          f"{shorten(repr(token), 40)} in {shorten(repr(self.text.strip()))}")

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.position] if self.position < len(self.items) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            self.fail("end of line", "incomplete statement")
        self.position += 1
        return token  # type: ignore[return-value]


def _statements_text(model: str) -> list[tuple[str, int]]:
    """Split the model into statements (text, first line number), comments removed."""
    pieces: list[tuple[list[str], int]] = []  # parts of each statement (joined once)
    for number, raw in enumerate(model.splitlines(), start=1):
        line = re.split(r"[#!]", raw, maxsplit=1)[0]
        for part in line.split(";"):
            if not part.strip():
                continue
            has_operator = any(op in part for op in ("=~", "~", "|", ":=", "==", "<", ">"))
            continues = pieces and (
                not has_operator
                or pieces[-1][0][-1].rstrip().endswith(("+", "=~", "~~", "~", "|", "*", ","))
                or part.lstrip().startswith("+")
            )
            if continues:
                pieces[-1][0].append(part)
            else:
                pieces.append(([part], number))
    return [(" ".join(parts), number) for parts, number in pieces]


def _modifier(tokens: _Tokens) -> tuple[str, tuple[object, ...]]:
    """One modifier: ``kind`` ("fixed", "label" or "start") and its value(s)."""
    kind, value = tokens.take()
    if kind == "number":
        return "fixed", (_finite(tokens, value),)
    if kind != "name":
        tokens.fail(value, "expected a number, NA, a label, start() or c() before '*'")
    if value == "NA":
        return "fixed", (None,)
    if value in _NON_FINITE and tokens.peek() == ("*", "*"):
        tokens.fail(value, "a fixed value must be a finite number (NA frees the parameter)")
    if value in ("start", "c", "label", "equal") and tokens.peek() == ("(", "("):
        tokens.take()
        values: list[object] = []
        while True:
            inner_kind, inner = tokens.take()
            if inner_kind == "number":
                values.append(_finite(tokens, inner))
            elif inner_kind == "name" and inner in _NON_FINITE:
                tokens.fail(inner, f"{value}() takes finite numbers")
            elif inner_kind == "name":
                values.append(None if inner == "NA" else inner)
            else:
                tokens.fail(inner, "expected a value inside ()")
            separator = tokens.take()
            if separator == (")", ")"):
                break
            if separator != (",", ","):
                tokens.fail(separator[1], "expected ',' or ')'")
        if value == "start":
            if not all(isinstance(v, float) for v in values):
                tokens.fail("start", "start() takes numbers")
            return "start", tuple(values)
        if value == "label":
            return "label", tuple(values)
        if value == "equal":
            if not all(isinstance(v, str) for v in values):
                tokens.fail("equal(", "equal() takes a quoted parameter (\"f=~x2\") or label")
            return "equal", tuple(values)
        kinds = {type(v) for v in values if v is not None}
        if kinds == {str}:
            return "label", tuple(values)
        if kinds <= {float}:
            return "fixed", tuple(values)
        tokens.fail("c(", "c() mixes labels and numbers")
    return "label", (value,)


def _finite(tokens: _Tokens, text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        tokens.fail(text, "a fixed or start value must be a finite number")
    return number


def _terms(tokens: _Tokens, lhs: str, op: str) -> list[Statement]:
    """The right-hand side: terms joined by '+', each ``[modifier*]...name``."""
    statements = []
    while True:
        parts: list[tuple[str, tuple[object, ...]]] = []
        while True:
            start = tokens.position
            token = tokens.peek()
            if token is None:
                tokens.fail("end of line", "missing a variable after the operator")
            # a term is modifiers then a name; look ahead for '*'
            if token[0] in ("number", "name"):
                kind, value = _modifier(tokens)
                if tokens.peek() == ("*", "*"):
                    tokens.take()
                    parts.append((kind, value))
                    continue
                tokens.position = start
            name_kind, name = tokens.take()
            if name_kind == "number" and name in ("1", "1.0") and op == "~":
                name = "1"
            elif name_kind != "name":
                tokens.fail(name, "expected a variable name")
            break
        rhs_op = op
        if op == "~" and name == "1":
            rhs_op, name = "~1", ""
        statement = Statement(lhs, rhs_op, name, tokens.line)
        for kind, value in parts:
            setattr(statement, kind, value)
        statements.append(statement)
        following = tokens.peek()
        if following is None:
            return statements
        if following != ("+", "+"):
            tokens.fail(following[1], "expected '+' between terms")
        tokens.take()


def _parse_statement(text: str, line: int) -> list[Statement]:
    tokens = _Tokens(text, line)
    first = tokens.take()
    if first[0] != "name":
        tokens.fail(first[1], "a statement starts with a variable name")
    operator = tokens.take()
    if operator[0] != "op":
        tokens.fail(operator[1], "expected an operator (=~, ~~, ~, |) after "
                                 f"{first[1]!r}")
    if operator[1] not in _SUPPORTED:
        tokens.fail(operator[1], "operator not supported in a measurement model "
                                 "(use =~, ~~, ~, ~ 1, | or ~*~)")
    return _terms(tokens, first[1], operator[1])


def parse_model(model: str) -> list[Statement]:
    """Parse lavaan syntax into statements (repeated parameters merged, order kept).

    Parameters
    ----------
    model : str
        lavaan model syntax.

    Returns
    -------
    list of Statement

    Raises
    ------
    OptionError
        Naming the line and the token of a syntax error, an unsupported operator, or a
        model without any ``=~`` statement.

    Examples
    --------
    >>> [(s.lhs, s.op, s.rhs, s.fixed) for s in parse_model("f =~ 1*x1 + x2 + x3")]
    [('f', '=~', 'x1', (1.0,)), ('f', '=~', 'x2', None), ('f', '=~', 'x3', None)]
    """
    if not isinstance(model, str):
        raise OptionError(f"model must be lavaan syntax (str) or a mapping factor -> items; "
                          f"got {type(model).__name__}")
    merged: dict[tuple[str, str, str], Statement] = {}
    for text, line in _statements_text(model):
        for statement in _parse_statement(text, line):
            lhs, rhs = statement.lhs, statement.rhs
            if statement.op == "~~" and (rhs, "~~", lhs) in merged:
                lhs, rhs = rhs, lhs
            key = (lhs, statement.op, rhs)
            if key in merged:
                merged[key].merge(statement)
            else:
                statement.lhs, statement.rhs = lhs, rhs
                merged[key] = statement
    statements = list(merged.values())
    if not any(s.op == "=~" for s in statements):
        raise OptionError("model syntax has no '=~' statement (f =~ x1 + x2 + x3): "
                          "a CFA needs at least one factor")
    for s in statements:
        if s.op == "|" and not re.fullmatch(r"t[1-9]\d*", s.rhs):
            raise OptionError(f"model syntax, line {s.line}: '{s.lhs} | {shorten(s.rhs, 40)}':"
                              f" thresholds are named t1, t2, ... (t1 the lowest)")
        if s.op == "~*~" and s.lhs != s.rhs:
            raise OptionError(f"model syntax, line {s.line}: a scaling factor is written "
                              f"'{s.lhs} ~*~ {s.lhs}'")
    return statements


def model_statements(model: str | Mapping[str, Sequence[str]]) -> list[Statement]:
    """Statements of a model given as lavaan syntax or as a mapping factor -> items.

    In a mapping, items may carry the reverse-keyed mark ``-`` of :attr:`Scale.keys`;
    it is dropped and the first item without it is listed first, so that the marker
    variable (whose loading is fixed at 1) is positively keyed and the factor keeps
    the direction of its positive pole.

    Examples
    --------
    >>> [(s.lhs, s.rhs) for s in model_statements({"f": ["-x1", "x2", "x3"]})]
    [('f', 'x2'), ('f', 'x1'), ('f', 'x3')]
    """
    if isinstance(model, str):
        return parse_model(model)
    if not isinstance(model, Mapping) or not model:
        raise OptionError("model must be lavaan syntax (str) or a non-empty mapping "
                          f"factor -> items; got {type(model).__name__}")
    statements = []
    for factor, items in model.items():
        if not isinstance(factor, str) or not _NAME.fullmatch(factor):
            raise OptionError(f"model: factor name {factor!r} is not a valid name")
        if isinstance(items, str) or not isinstance(items, Sequence) or not items:
            raise OptionError(f"model: factor {factor!r} needs a list of items; got {items!r}")
        names = []
        for item in items:
            if not isinstance(item, str) or not _NAME.fullmatch(item.lstrip("-")):
                raise OptionError(f"model: item {item!r} of factor {factor!r} is not a name")
            names.append((item.startswith("-"), item.lstrip("-")))
        if len({n for _, n in names}) < len(names):
            raise OptionError(f"model: factor {factor!r} lists an item twice")
        order = sorted(range(len(names)), key=lambda i: (names[i][0], i))
        first = order[0]
        ordered = [names[first][1]] + [names[i][1] for i in range(len(names)) if i != first]
        statements += [Statement(factor, "=~", name, 0) for name in ordered]
    return statements
