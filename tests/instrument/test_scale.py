"""draft_scale, the Scale file format (save/load, content hash) and response formats."""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_scale import (
    AllianceScaleWarning,
    Blueprint,
    Dimension,
    Facet,
    Item,
    ItemBank,
    ItemBankError,
    Scale,
    Theme,
    agreement_format,
    draft_scale,
    load_blueprint,
    load_item_bank,
)
from alliance_scale.errors import OptionError

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- tiny tree
def _theme(theme_id: str, facet: str, needs_human: bool = False) -> Theme:
    return Theme(theme_id, facet, f"{theme_id} fr", f"{theme_id} en", "déf", "def", needs_human)


def _facet(facet_id: str, dimension: str, *themes: Theme) -> Facet:
    return Facet(facet_id, dimension, f"{facet_id} fr", f"{facet_id} en", "déf", "def", (),
                 themes)


def tiny_blueprint() -> Blueprint:
    """A1 (leaves A1a, A1b), A2 (one leaf), B1 (one leaf needing a human)."""
    a = Dimension("A", "A fr", "A en", "d", "d", ("task",), (
        _facet("A1", "A", _theme("A1a", "A1"), _theme("A1b", "A1")),
        _facet("A2", "A", _theme("A2", "A2")),
    ))
    b = Dimension("B", "B fr", "B en", "d", "d", ("bond",), (
        _facet("B1", "B", _theme("B1", "B1", needs_human=True)),
    ))
    return Blueprint(name="tiny", version="0.9", dimensions=(a, b))


def _item(item_id: str, keyed: int = 1, applies_to: str = "both") -> Item:
    theme = item_id.split("_")[0]
    return Item(item_id, theme, f"texte {item_id}", f"text {item_id}", keyed, applies_to)


def tiny_bank() -> ItemBank:
    return ItemBank((
        _item("A1a_1"), _item("A1a_2"), _item("A1a_3", keyed=-1),
        _item("A1b_1"), _item("A1b_2"),
        _item("A2_1"), _item("A2_2"), _item("A2_3", applies_to="automated"),
        _item("A2_4", keyed=-1),
        _item("B1_1", applies_to="guided"), _item("B1_2", applies_to="guided"),
        _item("B1_3", applies_to="guided"),
    ), source="tiny_bank.yaml")


def tiny(**options) -> Scale:
    return draft_scale(tiny_blueprint(), tiny_bank(), **options)


def _no_neighbours_share_a_facet(scale: Scale) -> bool:
    facets = [i.facet for i in scale.items]
    return all(a != b for a, b in pairwise(facets))


# --------------------------------------------------------------------------- programs
def test_guided_keeps_guided_and_both_items() -> None:
    scale = tiny()
    expected = {"A1a_1", "A1a_2", "A1a_3", "A1b_1", "A1b_2", "A2_1", "A2_2", "A2_4",
                "B1_1", "B1_2", "B1_3"}
    assert set(scale.item_ids) == expected
    assert len(scale.item_ids) == len(expected)
    assert scale.program == "guided"
    assert scale.omitted_facets == ()
    item = next(i for i in scale.items if i.id == "A1b_2")
    assert (item.theme, item.facet, item.dimension) == ("A1b", "A1", "A")


def test_automated_drops_human_items_and_reports_the_emptied_facet() -> None:
    with pytest.warns(AllianceScaleWarning, match="B1"):
        scale = tiny(program="automated")
    assert set(scale.item_ids) == {"A1a_1", "A1a_2", "A1a_3", "A1b_1", "A1b_2",
                                   "A2_1", "A2_2", "A2_3", "A2_4"}
    assert scale.omitted_facets == ("B1",)
    assert "B1" not in scale.keys and "B" not in scale.keys


def test_bundled_guided_scale_covers_every_facet() -> None:
    blueprint = load_blueprint()
    bank = load_item_bank(blueprint=blueprint)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scale = draft_scale()
    assert scale.omitted_facets == ()
    expected = {i.id for i in bank if i.applies_to in ("guided", "both")}
    assert set(scale.item_ids) == expected and len(scale.items) == len(expected)
    assert {i.facet for i in scale.items} == {f.id for f in blueprint.facets}
    assert blueprint.version in scale.version


def test_bundled_automated_scale_has_no_human_items() -> None:
    blueprint = load_blueprint()
    bank = load_item_bank(blueprint=blueprint)
    with pytest.warns(AllianceScaleWarning, match="C2"):
        scale = draft_scale(program="automated")
    assert "C2" in scale.omitted_facets
    assert all(i.applies_to in ("automated", "both") for i in scale.items)
    guided_only = {i.id for i in bank if i.applies_to == "guided"}
    assert guided_only and not guided_only & set(scale.item_ids)
    human_leaves = {t.id for t in blueprint.themes if t.needs_human}
    assert not any(i.theme in human_leaves and i.applies_to == "guided" for i in scale.items)


# --------------------------------------------------------------------------- options
@pytest.mark.parametrize("points", [4, 5, 6, 7])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_points_and_languages(points: int, language: str) -> None:
    scale = tiny(points=points, language=language)
    assert scale.language == language
    assert (scale.min_value, scale.max_value) == (1, points)
    data = yaml.safe_load((ROOT / "items" / "response_formats.yaml").read_text("utf-8"))
    for lang in ("fr", "en"):
        labels = scale.response_format.labels(lang)
        assert labels == tuple(data["agreement"][points][lang])
        assert len(labels) == points
    assert scale.response_format.labels("en")[0] == "Strongly disagree"
    assert scale.response_format.labels("en")[-1] == "Strongly agree"
    assert scale.response_format.labels("fr")[0] == "Pas du tout d'accord"


@pytest.mark.parametrize("points", [3, 8, 5.0, True, "5"])
def test_bad_points_refused(points: object) -> None:
    with pytest.raises(OptionError, match="points"):
        tiny(points=points)


@pytest.mark.parametrize(("option", "value"), [("language", "de"), ("program", "hybrid"),
                                               ("items_per_facet", 0)])
def test_bad_options_refused(option: str, value: object) -> None:
    with pytest.raises(OptionError, match=option):
        tiny(**{option: value})


def test_order_is_reproducible_for_a_seed_and_changes_with_it() -> None:
    first, again = draft_scale(seed=11), draft_scale(seed=11)
    assert first.item_ids == again.item_ids
    assert first == again
    other = draft_scale(seed=12)
    assert sorted(other.item_ids) == sorted(first.item_ids)
    assert other.item_ids != first.item_ids


@pytest.mark.parametrize("seed", range(8))
def test_facets_are_interleaved(seed: int) -> None:
    assert _no_neighbours_share_a_facet(tiny(seed=seed))
    assert _no_neighbours_share_a_facet(draft_scale(seed=seed))


def test_facets_are_spread_over_the_questionnaire() -> None:
    scale = draft_scale(seed=3)
    half = len(scale.items) // 2
    for facet in {i.facet for i in scale.items}:
        first = sum(i.facet == facet for i in scale.items[:half])
        second = sum(i.facet == facet for i in scale.items[half:])
        assert abs(first - second) <= 2, facet


def test_items_per_facet_balances_leaves_and_keys() -> None:
    scale = tiny(items_per_facet=2)
    # A1 (A1a_1-3, A1b_1-2; 1 of 5 reversed): 2 x 1/5 = .4 rounds to 0 reversed; round
    # robin over the leaves gives A1a_1, A1b_1. A2 (guided: A2_1, A2_2, A2_4; 1 of 3
    # reversed): 2 x 1/3 = .67 rounds to 1, so A2_4 then A2_1. B1 has none: B1_1, B1_2.
    assert set(scale.item_ids) == {"A1a_1", "A1b_1", "A2_1", "A2_4", "B1_1", "B1_2"}


def test_one_item_per_facet_keeps_a_reverse_item_per_dimension() -> None:
    scale = tiny(items_per_facet=1)
    # A1: 1 x 1/5 -> 0 and A2: 1 x 1/3 -> 0 reversed; dimension A would have none, so its
    # facet with the larger share (A2, 1/3) keeps one: A2_4. A1 -> A1a_1, B1 -> B1_1.
    assert set(scale.item_ids) == {"A1a_1", "A2_4", "B1_1"}


def test_items_per_facet_on_the_bundled_bank() -> None:
    blueprint = load_blueprint()
    bank = load_item_bank(blueprint=blueprint)
    scale = draft_scale(items_per_facet=3)
    for facet in blueprint.facets:
        chosen = [i for i in scale.items if i.facet == facet.id]
        available = [i for i in bank if i.theme in {t.id for t in facet.themes}
                     and i.applies_to in ("guided", "both")]
        assert len(chosen) == min(3, len(available)), facet.id
        counts = [sum(i.theme == t.id for i in chosen) for t in facet.themes
                  if any(i.theme == t.id for i in available)]
        assert max(counts) - min(counts) <= 1, facet.id
    for dimension in blueprint.dimensions:
        kept = [i for i in scale.items if i.dimension == dimension.id]
        assert any(i.keyed < 0 for i in kept), dimension.id
    # few reverse-keyed items, as in the bank (each facet's share, rounded)
    assert sum(i.keyed < 0 for i in scale.items) / len(scale.items) <= 0.25


def test_items_keeps_a_selection_and_refuses_unknown_ids() -> None:
    scale = tiny(items=["A1a_1", "A1b_1", "A2_1", "B1_1"])
    assert set(scale.item_ids) == {"A1a_1", "A1b_1", "A2_1", "B1_1"}
    with pytest.raises(ItemBankError, match="Z9_1") as info:
        tiny(items=["A1a_1", "Z9_1"])
    assert "tiny_bank.yaml" in str(info.value)
    with pytest.warns(AllianceScaleWarning) as caught:
        tiny(items=["A1a_1", "A2_3", "B1_1"])
    messages = " ".join(str(w.message) for w in caught)
    assert "A2_3" in messages and "facets without items" in messages


def test_selection_leaving_a_facet_empty_is_reported() -> None:
    with pytest.warns(AllianceScaleWarning, match="A2"):
        scale = tiny(items=["A1a_1", "B1_1"])
    assert scale.omitted_facets == ("A2",)


def test_item_outside_the_blueprint_is_refused() -> None:
    bank = ItemBank((*tiny_bank().items, _item("Q9_1")), source="bank.yaml")
    with pytest.raises(ItemBankError, match="Q9"):
        draft_scale(tiny_blueprint(), bank)


def test_duplicate_item_ids_are_refused() -> None:
    bank = ItemBank((*tiny_bank().items, _item("A2_1")), source="bank.yaml")
    with pytest.raises(ItemBankError, match=r"duplicate item id.*A2_1"):
        draft_scale(tiny_blueprint(), bank)


def test_keys_follow_the_tree_with_reversed_items_marked() -> None:
    scale = tiny()
    keys = scale.keys
    assert set(keys) == {"A1", "A2", "B1", "A", "B", "total"}
    assert "-A1a_3" in keys["A1"] and "-A2_4" in keys["A"]
    assert len(keys["total"]) == len(scale.items)


# --------------------------------------------------------------------------- hash, version
def test_content_hash_is_sha256_of_the_content() -> None:
    scale = tiny()
    assert len(scale.content_hash) == 64
    int(scale.content_hash, 16)
    # The hash covers the whole saved scale: the language of administration included.
    assert tiny(language="en").content_hash != scale.content_hash
    assert tiny().content_hash == scale.content_hash
    assert tiny(points=4).content_hash != scale.content_hash
    reordered = tiny(seed=5)
    assert reordered.item_ids != scale.item_ids  # administration order is content
    assert reordered.content_hash != scale.content_hash
    bank = tiny_bank()
    edited = ItemBank(tuple(
        Item(i.id, i.theme, i.text_fr + " !", i.text_en, i.keyed, i.applies_to)
        if i.id == "A2_1" else i for i in bank), source=bank.source)
    assert draft_scale(tiny_blueprint(), edited).content_hash != scale.content_hash
    assert draft_scale(tiny_blueprint(), edited).version != scale.version
    assert scale.version.startswith("0.9")


def test_content_hash_can_be_recomputed_from_a_saved_file(tmp_path: Path) -> None:
    # The documented recipe: SHA-256 of the UTF-8 JSON of the saved file without its
    # content_hash entry, with sorted keys, no spaces and non-ASCII characters kept.
    scale = draft_scale(items_per_facet=2)
    data = json.loads(scale.save(tmp_path / "s.json").read_text("utf-8"))
    stored = data.pop("content_hash")
    assert set(data) == {"format", "format_version", "name", "version", "language",
                         "program", "omitted_facets", "response_format", "items"}
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == scale.content_hash == stored


@pytest.mark.parametrize(("key", "value"), [("version", "9.9"), ("name", "Autre titre"),
                                            ("language", "en"), ("omitted_facets", ["A2"])])
def test_every_entry_of_a_saved_scale_is_under_its_hash(tmp_path: Path, key: str,
                                                        value: object) -> None:
    path = tiny().save(tmp_path / "fielded.json")
    data = json.loads(path.read_text("utf-8"))
    data[key] = value
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ItemBankError, match="hash mismatch"):
        Scale.load(path)


# --------------------------------------------------------------------------- save / load
@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_save_load_round_trip(tmp_path: Path, suffix: str) -> None:
    scale = draft_scale(items_per_facet=2, points=6, language="en", seed=4)
    path = scale.save(tmp_path / f"scale{suffix}")
    loaded = Scale.load(path)
    assert loaded == scale
    assert isinstance(loaded.items, tuple) and isinstance(loaded.omitted_facets, tuple)
    assert isinstance(loaded.response_format.labels_fr, tuple)
    text = path.read_text("utf-8")
    assert "é" in text  # French kept readable, not escaped


def test_round_trip_of_an_automated_scale_keeps_omitted_facets(tmp_path: Path) -> None:
    with pytest.warns(AllianceScaleWarning):
        scale = draft_scale(program="automated")
    assert Scale.load(scale.save(tmp_path / "s.json")).omitted_facets == scale.omitted_facets


def test_tampered_yaml_is_refused(tmp_path: Path) -> None:
    scale = tiny()
    path = scale.save(tmp_path / "fielded.yaml")
    data = yaml.safe_load(path.read_text("utf-8"))
    data["items"][0]["text_en"] = "A friendlier wording"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ItemBankError, match=r"fielded\.yaml") as info:
        Scale.load(path)
    assert "hash" in str(info.value)


def test_tampered_json_key_is_refused(tmp_path: Path) -> None:
    path = tiny().save(tmp_path / "fielded.json")
    data = json.loads(path.read_text("utf-8"))
    data["items"][0]["keyed"] = -data["items"][0]["keyed"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ItemBankError, match=r"fielded\.json"):
        Scale.load(path)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("scale.txt", "", "yaml"),
    ("scale.yaml", "items: [1, 2\n", "not valid YAML"),
    ("scale.json", "{}", "not a saved scale"),
    ("scale.yaml", "format: alliance-scale/scale\nformat_version: 2\nname: x\n", "missing"),
    ("scale.yaml", "format: alliance-scale/scale\nformat_version: 1\nname: x\n",
     "earlier development version"),
])
def test_bad_scale_files_are_refused(tmp_path: Path, name: str, content: str,
                                     message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ItemBankError, match=message):
        Scale.load(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ItemBankError, match=r"absent\.yaml"):
        Scale.load(tmp_path / "absent.yaml")


def test_agreement_format_matches_the_data_file() -> None:
    fmt = agreement_format(7)
    assert fmt.points == 7 and fmt.labels("en")[3] == "Neither agree nor disagree"


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(text=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40))
def test_any_item_text_survives_save_and_load(tmp_path_factory, text: str) -> None:
    bank = ItemBank(tuple(
        Item(i.id, i.theme, text, text[::-1], i.keyed, i.applies_to) if i.id == "A2_1" else i
        for i in tiny_bank()))
    scale = draft_scale(tiny_blueprint(), bank)
    folder = tmp_path_factory.mktemp("texts")
    for name in ("s.yaml", "s.json"):
        assert Scale.load(scale.save(folder / name)) == scale


@pytest.mark.parametrize("seed", [1.5, "0", True, -1])
def test_the_order_needs_an_integer_seed(seed):
    with pytest.raises(OptionError, match="seed must be an integer >= 0, a numpy Generator"):
        draft_scale(seed=seed)


def test_the_order_takes_a_generator_or_none():
    by_int = draft_scale(seed=3)
    by_generator = draft_scale(seed=np.random.default_rng(3))
    assert by_generator.item_ids == by_int.item_ids
    assert sorted(draft_scale(seed=None).item_ids) == sorted(by_int.item_ids)


# --------------------------------------------------------------------------- built by hand
def test_a_scale_built_by_hand_carries_its_content_hash() -> None:
    drafted = tiny()
    by_hand = Scale(drafted.name, drafted.version, drafted.language, drafted.program,
                    drafted.items, drafted.response_format, drafted.omitted_facets)
    assert by_hand.content_hash == drafted.content_hash  # not ""
    assert by_hand == drafted


def test_item_ids_and_keys_are_computed_once_and_read_only() -> None:
    import copy
    import operator
    import pickle

    scale = tiny()
    assert scale.item_ids is scale.item_ids and scale.keys is scale.keys
    assert scale.item_ids == [i.id for i in scale.items]
    assert scale.keys["total"] == [("-" if i.keyed < 0 else "") + i.id for i in scale.items]
    for change in (lambda: scale.item_ids.append("X"), lambda: scale.item_ids.sort(),
                   lambda: scale.keys["total"].pop(),
                   lambda: operator.setitem(scale.keys, "A", [])):
        with pytest.raises(TypeError):
            change()
    assert [*scale.item_ids, "X"][-1] == "X"  # copies are ordinary lists
    for copied in (copy.deepcopy(scale), pickle.loads(pickle.dumps(scale))):
        assert copied == scale
        assert copied.item_ids == scale.item_ids and dict(copied.keys) == dict(scale.keys)


def test_labels_refuse_an_unknown_language() -> None:
    with pytest.raises(OptionError, match="language"):
        agreement_format(5).labels("de")


def test_a_negative_seed_is_refused_as_an_item_bank_error() -> None:
    with pytest.raises(OptionError, match="seed"):
        tiny(seed=-1)


# --------------------------------------------------------------------------- hostile files
def _saved(tmp_path: Path, name: str = "s.yaml") -> Path:
    return tiny().save(tmp_path / name)


def test_yaml_aliases_are_refused_before_expansion(tmp_path: Path) -> None:
    # "billion laughs": 9 levels of 9 aliases, as the version and in omitted_facets
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]" for k in range(1, 9)]
    text = _saved(tmp_path).read_text("utf-8")
    for target in ("version: ", "omitted_facets: "):
        start = text.index(target)
        end = text.index("\n", start)
        path = tmp_path / "bomb.yaml"
        path.write_text("\n".join(lines) + "\n" + text[:start] + target + "*a8"
                        + text[end:], encoding="utf-8")
        assert len("\n".join(lines)) < 600  # 9 ** 9 = 387 million strings once expanded
        with pytest.raises(ItemBankError, match="aliases") as info:
            Scale.load(path)
        assert len(str(info.value)) < 300


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    text = path.read_text("utf-8")
    text = text.replace("  keyed: 1\n", "  keyed: 1\n  keyed: -1\n", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ItemBankError, match=r"duplicate key 'keyed' \(lines \d+ and \d+\)"):
        Scale.load(path)
    json_path = tmp_path / "s.json"
    json_path.write_text('{"format": "x", "format": "alliance-scale/scale"}', encoding="utf-8")
    with pytest.raises(ItemBankError, match="duplicate key 'format'"):
        Scale.load(json_path)


@pytest.mark.parametrize(("name", "text"), [
    ("deep.yaml", "a: " + "[" * 3000 + "]" * 3000 + "\n"),
    ("deep.json", "[" * 3000 + "]" * 3000),
    ("deep.json", "[" * 100_000 + "]" * 100_000),
    ("deep2.yaml", "".join("  " * k + "a:\n" for k in range(1000)) + "  " * 1000 + "b\n"),
])
def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path: Path, name: str,
                                                       text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ItemBankError, match="nested more than 32 levels"):
        Scale.load(path)


def test_latin1_file_is_refused_by_name(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    path.write_bytes(path.read_text("utf-8").encode("latin-1", errors="replace"))
    with pytest.raises(ItemBankError, match=r"not UTF-8 text .* save the file as UTF-8"):
        Scale.load(path)


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(6 * 1024 * 1024)
    with pytest.raises(ItemBankError, match="at most"):
        Scale.load(path)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("id: A1a_1", 'id: "A1a_1\\n"', "must be a letter"),
    ("theme: A1a", "theme: [A1a]", "invalid value"),
    ("  keyed: 1\n", "  keyed: 1\n  extra: 1\n", "unknown entry 'extra'"),
    ("omitted_facets: []", "omitted_facets: [1]", "omitted facet 1"),
    ("omitted_facets: []", "omitted_facets: ['A1\\n']", "omitted facet"),
])
def test_entries_are_checked_in_full(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = _saved(tmp_path)
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ItemBankError, match=re.escape(message)):
        Scale.load(path)


# --- lineage (a short form's parent) ----------------------------------------------------------

def test_lineage_saved_loaded_and_hashed(tmp_path):
    from dataclasses import replace

    from alliance_scale.instrument import Lineage

    parent = draft_scale(items_per_facet=2)
    assert "lineage" not in parent.to_dict()  # scales without one: files and hashes as before
    lineage = Lineage(parent.name, parent.version, parent.content_hash, "shorten: test")
    child = replace(parent, items=parent.items[:9], content_hash="", lineage=lineage)
    assert child.to_dict()["lineage"] == {"parent": parent.name,
                                          "parent_version": parent.version,
                                          "parent_hash": parent.content_hash,
                                          "method": "shorten: test"}
    for suffix in (".yaml", ".json"):
        path = child.save(tmp_path / f"child{suffix}")
        again = Scale.load(path)
        assert again.lineage == lineage and again.content_hash == child.content_hash
    other = replace(child, content_hash="", lineage=replace(lineage, method="by hand"))
    assert other.content_hash != child.content_hash  # the lineage is part of the content
    assert "Lineage: derived from" in child.to_markdown()
    assert "Lineage" not in parent.to_markdown()
    hash(child)  # a frozen scale stays hashable


def test_lineage_bad_entries_refused(tmp_path):
    data = draft_scale(items_per_facet=1).to_dict()
    data["lineage"] = {"parent": "x", "method": 3}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ItemBankError, match="lineage needs exactly"):
        Scale.load(path)
