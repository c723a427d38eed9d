"""The one hardened loader of the YAML and JSON files the instrument reads: the blueprint,
the item bank, the response formats and saved scales.

Why not ``yaml.safe_load`` / ``json.loads`` alone: a safe loader still accepts what these files
never need and what turns a small file into a denial of service or a silent change:

- aliases and anchors (``&a`` / ``*a``): 376 bytes of nested aliases ("billion laughs") expand
  into billions of characters as soon as a value is turned into text; refused while the
  document is composed, before any object is built;
- nesting deeper than :data:`MAX_DEPTH` (3,000 levels raise ``RecursionError``); refused
  while composing (YAML) or right after parsing (JSON, whose C parser stops itself at the
  interpreter's recursion limit);
- duplicate keys, which YAML and JSON both resolve silently to the last value
  (``keyed: +1`` then ``keyed: -1``); refused with both line numbers (YAML);
- files larger than :data:`MAX_BYTES`, and text that is not UTF-8 (or UTF-16 with a byte-order
  mark, which YAML allows): a Latin-1 file is refused by name, not with ``UnicodeDecodeError``;
- JSON's ``NaN`` and ``Infinity`` (not JSON).

PyYAML has no option for any of these, so a ``yaml.SafeLoader`` subclass adds the checks
(pure-Python composer: a few lines around ``compose_node`` and ``construct_mapping``). Every
refusal is an :class:`~alliance_scale.errors.ItemBankError` naming the file.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from .._io import read_bytes
from ..errors import ItemBankError

__all__: list[str] = []

#: Largest file read (bytes): the bundled item bank is about 40 KB, a saved scale about 60 KB.
MAX_BYTES = 5 * 1024 * 1024
#: Deepest nesting of mappings and lists accepted (the blueprint needs 8 levels).
MAX_DEPTH = 32
#: Longest repr of a user's value quoted in a message.
_SHOWN = 60


class _Refused(yaml.YAMLError):
    """A document refused by :class:`_StrictLoader` (reported without a traceback)."""


def short_repr(value: object, limit: int = _SHOWN) -> str:
    """``repr(value)`` cut to ``limit`` characters, so a message never quotes a whole document.

    Parameters
    ----------
    value : object
        What a file held.
    limit : int, default 60
        Longest text returned (``...`` marks a cut).

    Returns
    -------
    str

    Examples
    --------
    >>> short_repr("x" * 100, limit=10)
    "'xxxxxx..."
    """
    if isinstance(value, (list, dict, tuple)) and len(value) > limit:
        return f"<a {type(value).__name__} of {len(value)} entries>"
    text = repr(value) if not isinstance(value, (list, dict, tuple)) else _bounded_repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _bounded_repr(value: list | dict | tuple, budget: int = 200) -> str:
    """repr of a container built piece by piece and abandoned past ``budget`` characters."""
    parts: list[str] = []
    used = 0
    items = value.items() if isinstance(value, dict) else value
    for entry in items:
        piece = (f"{short_repr(entry[0])}: {short_repr(entry[1])}" if isinstance(value, dict)
                 else short_repr(entry))
        parts.append(piece)
        used += len(piece) + 2
        if used > budget:
            parts.append("...")
            break
    left, right = ("{", "}") if isinstance(value, dict) else ("[", "]")
    return left + ", ".join(parts) + right


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` refusing aliases, anchors, deep nesting and duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(f"line {line}: YAML anchors and aliases (&name, *name) are not "
                           "accepted in this file; write every value out")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(f"line {line}: nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = seen.setdefault(key, line)
            except TypeError:  # unhashable key: SafeConstructor refuses it below
                continue
            if first != line:
                raise _Refused(f"duplicate key {short_repr(key)} (lines {first} and {line}); "
                               "a key may appear once in a mapping")
        return super().construct_mapping(node, deep=deep)


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    mark = getattr(error, "problem_mark", None)
    where = f" (line {mark.line + 1})" if mark is not None else ""
    text = (lines[0] if lines else type(error).__name__) + where
    return text if len(text) <= 200 else text[:197] + "..."


def loads_yaml(text: str, file: str | None = None) -> Any:
    """Parse YAML text with the checks of this module (see the module docstring).

    Parameters
    ----------
    text : str
        The document.
    file : str, optional
        Named in messages.

    Returns
    -------
    object
        Plain Python values (dict, list, str, int, float, bool, None, dates).

    Raises
    ------
    ItemBankError
        Not valid YAML, or an alias, anchor, duplicate key or too deep nesting.

    Examples
    --------
    >>> loads_yaml("keyed: +1\\nid: A1a_1\\n")
    {'keyed': 1, 'id': 'A1a_1'}
    >>> loads_yaml("keyed: +1\\nkeyed: -1\\n")
    Traceback (most recent call last):
    ...
    alliance_scale.errors.ItemBankError: not valid YAML: duplicate key 'keyed' (lines 1 and 2); ...
    """
    parsed = _PARSED.get(text)
    if parsed is None:
        loader = _StrictLoader(text)
        try:
            parsed = loader.get_single_data()
        except _Refused as error:
            raise ItemBankError(f"not valid YAML: {error}", file=file) from None
        except yaml.YAMLError as error:
            raise ItemBankError(f"not valid YAML: {_first_line(error)}", file=file) from None
        finally:
            loader.dispose()
        if len(_PARSED) >= _PARSED_KEPT:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[text] = parsed
    # a copy: callers may change what they get (the documents have no shared parts, as
    # aliases are refused)
    return copy.deepcopy(parsed)


#: Documents parsed, by their text (cached by content: the bundled blueprint and item bank
#: are read by every ``draft_scale()``, and again by ``validate()``; parsing them is most
#: of a draft's 0.1 s). The oldest is dropped past ``_PARSED_KEPT``.
_PARSED: dict[str, Any] = {}
_PARSED_KEPT = 8


def _loads_json(text: str, file: str | None) -> Any:
    def pairs(entries: list[tuple[str, Any]]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, value in entries:
            if key in data:
                raise ItemBankError(f"not valid JSON: duplicate key {short_repr(key)}", file=file)
            data[key] = value
        return data

    def constant(name: str) -> None:
        raise ItemBankError(f"not valid JSON: {name} is not a JSON number", file=file)

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except RecursionError:
        raise ItemBankError(f"not valid JSON: nested more than {MAX_DEPTH} levels deep",
                            file=file) from None
    except json.JSONDecodeError as error:
        raise ItemBankError(f"not valid JSON: {error.msg} (line {error.lineno})",
                            file=file) from None
    if _depth(data) > MAX_DEPTH:
        raise ItemBankError(f"not valid JSON: nested more than {MAX_DEPTH} levels deep",
                            file=file)
    return data


def _depth(value: Any) -> int:
    """Nesting depth of lists and dicts, without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in node)
    return deepest


def _decode(raw: bytes, file: str) -> str:
    """UTF-8 (with or without a byte-order mark), or UTF-16 with one; anything else refused."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ItemBankError(
            f"not UTF-8 text (byte 0x{raw[error.start]:02X} on line {line}; was it saved as "
            "Latin-1 or Windows-1252?); save the file as UTF-8", file=file,
        ) from None


def load_data_file(path: str | Path, kind: str | None = None) -> Any:
    """Read a YAML or JSON data file with the checks of this module.

    Parameters
    ----------
    path : str or Path
        The file.
    kind : {"yaml", "json"}, optional
        Default: JSON for a ``.json`` suffix, YAML otherwise.

    Returns
    -------
    object
        The parsed document.

    Raises
    ------
    ItemBankError
        Naming the file: missing, not a regular file (a directory, a device, a FIFO),
        unreadable, larger than :data:`MAX_BYTES`, not UTF-8, not valid
        YAML/JSON, or refused by the checks (aliases, duplicate keys, nesting).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "bank.yaml").write_text("a: &x [1, 2]\\nb: *x\\n", encoding="utf-8")
    >>> load_data_file(folder / "bank.yaml")
    Traceback (most recent call last):
    ...
    alliance_scale.errors.ItemBankError: file '...bank.yaml': not valid YAML: line 1: ...
    """
    file = str(path)
    path = Path(path)
    kind = kind or ("json" if path.suffix.lower() == ".json" else "yaml")
    def error(message: str) -> ItemBankError:
        if not message.startswith(("cannot read", "the file is")):
            message = f"cannot read the file: {message}"
        return ItemBankError(message, file=file)

    raw, _ = read_bytes(path, error, max_bytes=MAX_BYTES)
    text = _decode(raw, file)
    return _loads_json(text, file) if kind == "json" else loads_yaml(text, file)
