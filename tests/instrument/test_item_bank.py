"""The bundled item bank follows the writing rules; bad banks are refused, naming file and item."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from alliance_scale import ItemBankError, load_blueprint, load_item_bank
from alliance_scale.errors import OptionError
from alliance_scale.instrument._item_bank import APPLIES_TO, Item

AUTOMATED_FACETS = ("A1", "A2", "B1", "B2", "C1", "C3", "C4")


@pytest.fixture(scope="module")
def blueprint():
    return load_blueprint()


@pytest.fixture(scope="module")
def bank(blueprint):
    return load_item_bank(blueprint=blueprint)


def _dimension(blueprint, item: Item) -> str:
    return blueprint.facet_of(item.theme).dimension


def test_bundled_bank_loads_with_enough_items(bank, blueprint) -> None:
    assert len(bank) >= 68
    assert isinstance(bank.items, tuple)
    counts = {theme: len(items) for theme, items in bank.by_theme().items()}
    assert set(counts) == {t.id for t in blueprint.themes}
    assert min(counts.values()) >= 4
    assert bank.source is not None and bank.source.endswith("item_bank.yaml")


def test_default_blueprint_is_the_bundled_one(bank) -> None:
    assert [i.id for i in load_item_bank()] == [i.id for i in bank]


def test_item_ids_are_leaf_underscore_number(bank) -> None:
    for item in bank:
        assert re.fullmatch(rf"{item.theme}_[1-9][0-9]*", item.id), item.id
    assert len({i.id.lower() for i in bank}) == len(bank)


def test_reverse_keyed_share_is_ten_to_fifteen_percent_in_every_dimension(
    bank, blueprint
) -> None:
    reversed_items = [i for i in bank if i.keyed == -1]
    assert 0.10 <= len(reversed_items) / len(bank) <= 0.15
    assert {_dimension(blueprint, i) for i in reversed_items} == {"A", "B", "C"}
    assert all(i.keyed in (1, -1) for i in bank)


def test_items_are_short_in_both_languages(bank) -> None:
    for item in bank:
        assert len(item.text_fr.split()) <= 20, item.id
        assert len(item.text_en.split()) <= 20, item.id


def test_items_have_no_negation_so_no_double_negative(bank) -> None:
    french = re.compile(r"\b(pas|jamais|aucunement|ni)\b", flags=re.IGNORECASE)
    english = re.compile(r"\b(not|never|n't|neither|nor)\b|n't", flags=re.IGNORECASE)
    for item in bank:
        assert not french.search(item.text_fr), item.id
        assert not english.search(item.text_en), item.id


def test_items_are_in_the_first_person_about_the_program(bank) -> None:
    first_person_fr = re.compile(
        r"\b(je|moi|mon|ma|mes|me|miens?|miennes?)\b|\b[jm]'", flags=re.IGNORECASE
    )
    first_person_en = re.compile(r"\b(I|me|my|myself|mine)\b", flags=re.IGNORECASE)
    other_referent = re.compile(r"\b(thérapeute|therapist|application|app)\b", flags=re.I)
    for item in bank:
        assert first_person_fr.search(item.text_fr), item.id
        assert first_person_en.search(item.text_en), item.id
        assert not other_referent.search(item.text_fr + " " + item.text_en), item.id
    assert len({i.text_fr for i in bank}) == len(bank)
    assert len({i.text_en for i in bank}) == len(bank)


def test_human_leaves_hold_only_guided_items(bank, blueprint) -> None:
    for theme in blueprint.themes:
        if theme.needs_human:
            assert {i.applies_to for i in bank.by_theme()[theme.id]} == {"guided"}, theme.id
    assert {i.applies_to for i in bank} <= set(APPLIES_TO)


def test_every_facet_keeps_three_items_for_guided_programs(bank, blueprint) -> None:
    guided = bank.for_program("guided")
    assert all(i.applies_to in ("guided", "both") for i in guided)
    counts = {f: len(items) for f, items in guided.by_facet(blueprint).items()}
    assert len(counts) == 9
    assert min(counts.values()) >= 3


def test_automated_programs_keep_three_items_on_non_human_facets(bank, blueprint) -> None:
    automated = bank.for_program("automated")
    assert all(i.applies_to in ("automated", "both") for i in automated)
    counts = {f: len(items) for f, items in automated.by_facet(blueprint).items()}
    for facet in AUTOMATED_FACETS:
        assert counts[facet] >= 3, facet
    assert counts["C2"] == 0
    assert not {i.theme for i in automated} & {"B3a", "B3c", "C2"}


def test_applies_refuses_an_unknown_program(bank) -> None:
    with pytest.raises(ValueError, match="program"):
        bank.items[0].applies("hybrid")


def test_lookup_text_and_frame(bank) -> None:
    item = bank["A1a_1"]
    assert item.text("fr") == item.text_fr and item.text("en") == item.text_en
    frame = bank.to_frame()
    assert list(frame.index) == [i.id for i in bank]
    with pytest.raises(KeyError):
        bank["Z9_1"]


# --- refusals, on small files -------------------------------------------------------------

SMALL_BLUEPRINT: dict[str, Any] = {
    "name": "test", "version": "0.1",
    "dimensions": [{
        "id": "X", "label_fr": "x", "label_en": "x", "definition_fr": "x",
        "definition_en": "x", "facets": [{
            "id": "X1", "label_fr": "x1", "label_en": "x1", "definition_fr": "x1",
            "definition_en": "x1", "themes": [
                {"id": "X1a", "label_fr": "a", "label_en": "a", "definition_fr": "a",
                 "definition_en": "a", "needs_human": False},
                {"id": "X1b", "label_fr": "b", "label_en": "b", "definition_fr": "b",
                 "definition_en": "b", "needs_human": True},
            ],
        }],
    }],
}


def _item(item_id: str, theme: str = "X1a", **extra: Any) -> dict[str, Any]:
    return {
        "id": item_id, "theme": theme, "text_fr": f"Phrase {item_id}.",
        "text_en": f"Sentence {item_id}.", "keyed": 1, "applies_to": "both", **extra,
    }


VALID_BANK: dict[str, Any] = {
    "name": "test", "version": "0.1",
    "items": [_item("X1a_1"), _item("X1a_2", keyed=-1), _item("X1b_1", "X1b", applies_to="guided")],
}


@pytest.fixture
def small_blueprint(tmp_path: Path):
    path = tmp_path / "blueprint.yaml"
    path.write_text(yaml.safe_dump(SMALL_BLUEPRINT), encoding="utf-8")
    return load_blueprint(path)


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "bank.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _refused(path: Path, blueprint, *fragments: str) -> None:
    with pytest.raises(ItemBankError) as info:
        load_item_bank(path, blueprint=blueprint)
    message = str(info.value)
    assert str(path) in message
    assert info.value.file == str(path)
    for fragment in fragments:
        assert fragment in message


def test_small_valid_bank_loads(tmp_path: Path, small_blueprint) -> None:
    bank = load_item_bank(_write(tmp_path, VALID_BANK), blueprint=small_blueprint)
    assert [i.id for i in bank] == ["X1a_1", "X1a_2", "X1b_1"]
    assert bank["X1a_2"].keyed == -1
    assert [i.id for i in bank.for_program("automated")] == ["X1a_1", "X1a_2"]


def test_plus_one_written_with_a_sign_is_accepted(tmp_path: Path, small_blueprint) -> None:
    path = tmp_path / "signed.yaml"
    text = yaml.safe_dump(VALID_BANK).replace("keyed: 1", "keyed: +1")
    assert "keyed: +1" in text
    path.write_text(text, encoding="utf-8")
    assert load_item_bank(path, blueprint=small_blueprint)["X1a_1"].keyed == 1


def test_duplicate_item_id_is_refused(tmp_path: Path, small_blueprint) -> None:
    data = copy.deepcopy(VALID_BANK)
    data["items"].append(_item("X1a_2"))
    _refused(_write(tmp_path, data), small_blueprint, "duplicate", "'X1a_2'")


def test_ids_differing_only_by_case_are_refused(tmp_path: Path, small_blueprint) -> None:
    data = copy.deepcopy(VALID_BANK)
    data["items"].append(_item("x1a_1"))
    _refused(_write(tmp_path, data), small_blueprint, "duplicate", "'x1a_1'", "'X1a_1'")


def test_item_on_unknown_leaf_is_refused(tmp_path: Path, small_blueprint) -> None:
    data = copy.deepcopy(VALID_BANK)
    data["items"].append(_item("Z1_1", theme="Z1"))
    _refused(_write(tmp_path, data), small_blueprint, "'Z1_1'", "'Z1'")


def test_item_with_a_list_as_theme_is_refused(tmp_path: Path, small_blueprint) -> None:
    data = copy.deepcopy(VALID_BANK)
    data["items"][0]["theme"] = ["X1a", "X1b"]
    _refused(_write(tmp_path, data), small_blueprint, "'X1a_1'", "leaf")


def test_item_on_a_facet_id_with_several_leaves_is_refused(tmp_path, small_blueprint) -> None:
    data = copy.deepcopy(VALID_BANK)
    data["items"].append(_item("X1_1", theme="X1"))
    _refused(_write(tmp_path, data), small_blueprint, "'X1_1'", "leaf")


def test_facet_with_fewer_than_three_items_is_refused(tmp_path: Path, small_blueprint) -> None:
    data = copy.deepcopy(VALID_BANK)
    data["items"] = data["items"][:2]
    _refused(_write(tmp_path, data), small_blueprint, "'X1'", "2 item", "at least 3")


@pytest.mark.parametrize("key", ["text_fr", "text_en"])
@pytest.mark.parametrize("value", [None, "", "  "])
def test_missing_or_empty_translation_is_refused(
    tmp_path: Path, small_blueprint, key: str, value: Any
) -> None:
    data = copy.deepcopy(VALID_BANK)
    if value is None:
        del data["items"][1][key]
    else:
        data["items"][1][key] = value
    _refused(_write(tmp_path, data), small_blueprint, "'X1a_2'", key)


@pytest.mark.parametrize("keyed", [0, 2, "1", "-1", True, 1.5])
def test_bad_key_is_refused(tmp_path: Path, small_blueprint, keyed: Any) -> None:
    data = copy.deepcopy(VALID_BANK)
    data["items"][0]["keyed"] = keyed
    _refused(_write(tmp_path, data), small_blueprint, "'X1a_1'", "keyed")


@pytest.mark.parametrize("applies_to", ["human", "Both", None])
def test_bad_applies_to_is_refused(tmp_path: Path, small_blueprint, applies_to: Any) -> None:
    data = copy.deepcopy(VALID_BANK)
    data["items"][2]["applies_to"] = applies_to
    _refused(_write(tmp_path, data), small_blueprint, "'X1b_1'", "applies_to")


@pytest.mark.parametrize("bad_id", ["1X_1", "X1a-1", "X1a 1", "é_1", 7])
def test_malformed_item_id_is_refused(tmp_path: Path, small_blueprint, bad_id: Any) -> None:
    data = copy.deepcopy(VALID_BANK)
    data["items"][0]["id"] = bad_id
    _refused(_write(tmp_path, data), small_blueprint, repr(bad_id), "items[0]")


def test_items_that_are_not_a_list_are_refused(tmp_path: Path, small_blueprint) -> None:
    _refused(_write(tmp_path, {"name": "x", "items": {"X1a_1": "x"}}), small_blueprint, "items")


def test_non_yaml_file_is_refused(tmp_path: Path, small_blueprint) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("items:\n  - id: [X1a_1\n    theme: : X1a\n", encoding="utf-8")
    _refused(path, small_blueprint, "YAML")


def test_binary_file_is_refused(tmp_path: Path, small_blueprint) -> None:
    path = tmp_path / "bank.xlsx"
    path.write_bytes(b"PK\x03\x04\xff\xfe\x00\x81binary")
    _refused(path, small_blueprint)


def test_missing_file_is_refused(tmp_path: Path, small_blueprint) -> None:
    _refused(tmp_path / "absent.yaml", small_blueprint, "cannot read")


def test_applies_and_text_refuse_with_an_item_bank_error(bank) -> None:
    item = bank.items[0]
    with pytest.raises(OptionError, match="program"):
        item.applies("hybrid")
    with pytest.raises(OptionError, match="language"):
        item.text("de")  # no silent fall back to English
    assert item.text("en") == item.text_en and item.text("fr") == item.text_fr


# --- hostile or careless files (a bank can be a user's own item collection) ---------------
def test_duplicate_keys_are_refused_not_last_wins(tmp_path: Path, small_blueprint) -> None:
    text = yaml.safe_dump(VALID_BANK, sort_keys=False)
    text = text.replace("  keyed: 1\n", "  keyed: 1\n  keyed: -1\n", 1)
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    _refused(path, small_blueprint, "duplicate key 'keyed'")


def test_aliases_are_refused(tmp_path: Path, small_blueprint) -> None:
    text = yaml.safe_dump(VALID_BANK, sort_keys=False)
    text = text.replace("text_fr: Phrase X1a_1.", "text_fr: &t Phrase X1a_1.").replace(
        "text_fr: Phrase X1a_2.", "text_fr: *t")
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    _refused(path, small_blueprint, "aliases")


@pytest.mark.parametrize("bad_id", ["X1a_1\n", "X1a_1 ", "\nX1a_1"])
def test_ids_are_matched_in_full(tmp_path: Path, small_blueprint, bad_id: str) -> None:
    data = copy.deepcopy(VALID_BANK)
    data["items"][0]["id"] = bad_id
    _refused(_write(tmp_path, data), small_blueprint, "items[0]", "must be a letter")


def test_latin1_bank_is_refused_by_name(tmp_path: Path, small_blueprint) -> None:
    data = copy.deepcopy(VALID_BANK)
    data["items"][0]["text_fr"] = "Je me suis sentie écoutée."
    path = tmp_path / "bank.yaml"
    path.write_bytes(yaml.safe_dump(data, allow_unicode=True).encode("latin-1"))
    _refused(path, small_blueprint, "not UTF-8", "0xE9")


def test_bank_in_utf16_with_a_byte_order_mark_loads(tmp_path: Path, small_blueprint) -> None:
    path = tmp_path / "bank.yaml"
    path.write_bytes(yaml.safe_dump(VALID_BANK, allow_unicode=True).encode("utf-16"))
    assert len(load_item_bank(path, blueprint=small_blueprint)) == 3
