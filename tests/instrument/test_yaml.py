"""The hardened YAML loader's cache by content (issue #17: validate re-reads the bundled
blueprint and item bank a draft has just read)."""

from __future__ import annotations

import pytest

from alliance_scale.errors import ItemBankError
from alliance_scale.instrument import _yaml


def test_a_document_is_parsed_once_and_every_caller_gets_its_own_copy(monkeypatch):
    text = "items:\n  - id: A1a_1\n    keyed: +1\n    text: {fr: Bonjour, en: Hello}\n"
    calls = []
    parse = _yaml._StrictLoader.get_single_data
    monkeypatch.setattr(_yaml._StrictLoader, "get_single_data",
                        lambda self: calls.append(1) or parse(self))
    monkeypatch.setattr(_yaml, "_PARSED", {})
    first = _yaml.loads_yaml(text)
    first["items"][0]["text"]["fr"] = "changed by a caller"
    second = _yaml.loads_yaml(text)
    assert second == {"items": [{"id": "A1a_1", "keyed": 1,
                                 "text": {"fr": "Bonjour", "en": "Hello"}}]}
    assert len(calls) == 1  # the second came from the cache, unchanged by the first caller
    for _ in range(_yaml._PARSED_KEPT + 3):  # bounded: the oldest documents are dropped
        _yaml.loads_yaml(f"n: {len(calls)}\nm: {_}\n")
    assert len(_yaml._PARSED) == _yaml._PARSED_KEPT


def test_a_refused_document_is_refused_every_time():
    for _ in range(2):
        with pytest.raises(ItemBankError, match="duplicate key"):
            _yaml.loads_yaml("keyed: +1\nkeyed: -1\n")
