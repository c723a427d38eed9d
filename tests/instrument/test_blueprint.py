"""The bundled blueprint matches the thematic tree of construct.md; bad files are refused."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from alliance_scale import BORDIN, ItemBankError, OptionError, load_blueprint

EXPECTED_TREE = {
    "A": {"A1": ["A1a", "A1b"], "A2": ["A2a", "A2b", "A2c"]},
    "B": {"B1": ["B1a", "B1b"], "B2": ["B2a", "B2b"], "B3": ["B3a", "B3b", "B3c"]},
    "C": {"C1": ["C1"], "C2": ["C2"], "C3": ["C3a", "C3b"], "C4": ["C4"]},
}


@pytest.fixture(scope="module")
def blueprint():
    return load_blueprint()


def test_bundled_blueprint_has_the_tree_of_the_study(blueprint) -> None:
    assert len(blueprint.dimensions) == 3
    assert len(blueprint.facets) == 9
    assert len(blueprint.themes) == 17
    tree = {
        d.id: {f.id: [t.id for t in f.themes] for f in d.facets} for d in blueprint.dimensions
    }
    assert tree == EXPECTED_TREE
    assert blueprint.name and blueprint.version == "1.0"
    assert blueprint.source is not None and blueprint.source.endswith("blueprint.yaml")


def test_original_french_labels_are_kept(blueprint) -> None:
    assert blueprint.dimension("A").label_fr == "Confiance dans le programme"
    assert blueprint.facet("B3").label_fr == "Maintien du lien"
    assert blueprint.theme("C3b").label_fr == "Perception d'auto-efficacité"
    assert blueprint.theme("A2c").label_en == "Credibility of the experts"


def test_every_node_has_labels_and_definitions_in_both_languages(blueprint) -> None:
    nodes = [*blueprint.dimensions, *blueprint.facets, *blueprint.themes]
    for node in nodes:
        for text in (node.label_fr, node.label_en, node.definition_fr, node.definition_en):
            assert isinstance(text, str) and text.strip(), node.id
        assert node.label_fr != node.label_en, node.id


def test_needs_human_only_on_human_and_group_leaves(blueprint) -> None:
    human = {t.id for t in blueprint.themes if t.needs_human}
    assert human == {"B3a", "B3c", "C2"}


def test_bordin_hypotheses_follow_construct(blueprint) -> None:
    assert blueprint.dimension("A").bordin == ("task",)
    assert blueprint.dimension("B").bordin == ("bond", "task")
    assert blueprint.dimension("C").bordin == ("bond",)
    assert blueprint.theme("C3b").bordin == ("goal",)
    assert blueprint.theme("B2b").bordin == ("goal",)
    # inheritance: an empty hypothesis falls back on the parent's
    assert blueprint.bordin_of("A1a") == ("task",)
    assert blueprint.bordin_of("B3b") == ("bond", "task")
    assert blueprint.bordin_of("C1") == ("bond",)
    assert blueprint.bordin_of("C3b") == ("goal",)
    assert blueprint.bordin_of("B2") == ("bond", "task")
    for node in [*blueprint.dimensions, *blueprint.facets, *blueprint.themes]:
        assert set(node.bordin) <= set(BORDIN)


def test_dataclasses_hold_tuples_and_parent_ids(blueprint) -> None:
    assert isinstance(blueprint.dimensions, tuple)
    for facet in blueprint.facets:
        assert isinstance(facet.themes, tuple) and isinstance(facet.bordin, tuple)
        assert all(t.facet == facet.id for t in facet.themes)
    assert blueprint.facet("C3").dimension == "C"
    assert blueprint.facet_of("B2b").id == "B2"
    with pytest.raises(KeyError):
        blueprint.theme("Z9")


def test_to_frame_has_one_row_per_leaf(blueprint) -> None:
    frame = blueprint.to_frame()
    assert list(frame.index) == [t.id for t in blueprint.themes]
    assert frame.loc["B2b", "bordin"] == "goal"
    assert frame.loc["A1a", "bordin"] == "task"
    assert bool(frame.loc["C2", "needs_human"]) is True


# --- refusals, on small files -------------------------------------------------------------

def _node(node_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": node_id, "label_fr": f"libellé {node_id}", "label_en": f"label {node_id}",
        "definition_fr": f"définition {node_id}", "definition_en": f"definition {node_id}",
        "bordin": [], **extra,
    }


VALID: dict[str, Any] = {
    "name": "test", "version": "0.1",
    "dimensions": [
        _node("X", bordin=["task"], facets=[
            _node("X1", themes=[_node("X1a", needs_human=False), _node("X1b", needs_human=True)]),
            _node("X2", themes=[_node("X2", needs_human=False)]),
        ]),
    ],
}


def _write(tmp_path: Path, data: Any, name: str = "blueprint.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _refused(path: Path, *fragments: str) -> ItemBankError:
    with pytest.raises(ItemBankError) as info:
        load_blueprint(path)
    message = str(info.value)
    assert str(path) in message
    assert info.value.file == str(path)
    for fragment in fragments:
        assert fragment in message
    return info.value


def test_small_valid_blueprint_loads(tmp_path: Path) -> None:
    blueprint = load_blueprint(_write(tmp_path, VALID))
    assert [t.id for t in blueprint.themes] == ["X1a", "X1b", "X2"]
    assert blueprint.theme("X1b").needs_human is True
    assert blueprint.bordin_of("X2") == ("task",)


def test_top_level_not_a_mapping_is_refused(tmp_path: Path) -> None:
    _refused(_write(tmp_path, ["X", "Y"]), "mapping")


def test_missing_top_level_key_is_refused(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    del data["version"]
    _refused(_write(tmp_path, data), "version")


def test_theme_without_needs_human_is_refused(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    del data["dimensions"][0]["facets"][0]["themes"][1]["needs_human"]
    _refused(_write(tmp_path, data), "X1b", "needs_human")


def test_dimension_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data["dimensions"].append("Y")
    _refused(_write(tmp_path, data), "dimensions[1]", "mapping")


def test_duplicate_facet_id_is_refused(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data["dimensions"][0]["facets"][1]["id"] = "X1"
    data["dimensions"][0]["facets"][1]["themes"][0]["id"] = "X1c"
    _refused(_write(tmp_path, data), "duplicate", "'X1'")


def test_duplicate_theme_id_across_facets_is_refused(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data["dimensions"][0]["facets"][1]["themes"][0]["id"] = "X1a"
    _refused(_write(tmp_path, data), "duplicate", "'X1a'")


def test_theme_sharing_the_id_of_a_multi_leaf_facet_is_refused(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data["dimensions"][0]["facets"][0]["themes"][0]["id"] = "X1"
    _refused(_write(tmp_path, data), "duplicate", "'X1'")


@pytest.mark.parametrize("bad", [["affect"], "alliance", [1], ["bond", "bond"]])
def test_bad_bordin_value_is_refused(tmp_path: Path, bad: Any) -> None:
    data = copy.deepcopy(VALID)
    data["dimensions"][0]["facets"][0]["themes"][0]["bordin"] = bad
    _refused(_write(tmp_path, data), "'X1a'", "bordin")


@pytest.mark.parametrize("key", ["label_fr", "label_en", "definition_fr", "definition_en"])
def test_missing_label_or_definition_is_refused(tmp_path: Path, key: str) -> None:
    data = copy.deepcopy(VALID)
    del data["dimensions"][0]["facets"][1][key]
    _refused(_write(tmp_path, data), "'X2'", key)


def test_empty_label_is_refused(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data["dimensions"][0]["label_en"] = "   "
    _refused(_write(tmp_path, data), "'X'", "label_en")


@pytest.mark.parametrize("themes", [None, []])
def test_facet_without_themes_is_refused(tmp_path: Path, themes: Any) -> None:
    data = copy.deepcopy(VALID)
    facet = data["dimensions"][0]["facets"][1]
    if themes is None:
        del facet["themes"]
    else:
        facet["themes"] = themes
    _refused(_write(tmp_path, data), "'X2'", "themes")


def test_bad_node_id_is_refused(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data["dimensions"][0]["facets"][0]["themes"][0]["id"] = "X1-a"
    _refused(_write(tmp_path, data), "'X1-a'")


def test_non_yaml_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n  version: : :\n", encoding="utf-8")
    _refused(path, "YAML")


def test_missing_file_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path / "absent.yaml", "cannot read")


def test_to_frame_bordin_column_is_the_inherited_hypothesis(blueprint) -> None:
    frame = blueprint.to_frame()
    # Hand-checked against items/blueprint.yaml: A1a inherits "task" from dimension A; the
    # leaf C3b has its own "goal"; B3b inherits "bond, task" from dimension B.
    assert frame.loc["A1a", "bordin"] == "task"
    assert frame.loc["C3b", "bordin"] == "goal"
    assert frame.loc["B3b", "bordin"] == "bond, task"


def test_with_bordin_replaces_hypotheses_and_keeps_the_rest(blueprint) -> None:
    changed = blueprint.with_bordin({"A": ["bond"], "B2b": [], "C1": "goal"})
    assert changed.bordin_of("A1a") == ("bond",) and changed.dimension("A").bordin == ("bond",)
    assert changed.bordin_of("B2b") == ("bond", "task")  # inherits from B again
    assert changed.facet("C1").bordin == changed.theme("C1").bordin == ("goal",)
    assert blueprint.bordin_of("A1a") == ("task",)  # the original is unchanged
    assert [t.id for t in changed.themes] == [t.id for t in blueprint.themes]
    assert changed.theme("A2c").label_fr == blueprint.theme("A2c").label_fr


def test_with_bordin_refuses_unknown_nodes_and_components(blueprint) -> None:
    with pytest.raises(OptionError, match="'Z1'"):
        blueprint.with_bordin({"Z1": ["task"]})
    with pytest.raises(OptionError, match="bordin\\['A'\\]"):
        blueprint.with_bordin({"A": ["task", "task"]})
    with pytest.raises(OptionError, match="mapping"):
        blueprint.with_bordin(["A"])
@pytest.mark.parametrize(("version", "fragment"), [
    ([["lol"], ["x"]], "version must be a non-empty text"),
    (1.10, 'quote it: version: "1.10"'),
    ("", "version must be a non-empty text"),
])
def test_version_must_be_a_text(tmp_path: Path, version: Any, fragment: str) -> None:
    data = copy.deepcopy(VALID)
    data["version"] = version
    _refused(_write(tmp_path, data), fragment)


def test_integer_version_is_kept_as_its_digits(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data["version"] = 2
    assert load_blueprint(_write(tmp_path, data)).version == "2"


def test_billion_laughs_as_version_is_refused_at_once(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]" for k in range(1, 9)]
    text = yaml.safe_dump(VALID, sort_keys=False).replace("version: '0.1'", "version: *a8")
    path = tmp_path / "blueprint.yaml"
    path.write_text("\n".join(lines) + "\n" + text, encoding="utf-8")
    error = _refused(path, "aliases")
    assert len(str(error)) < 300


def test_node_id_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    data["dimensions"][0]["facets"][0]["themes"][0]["id"] = "X1a\n"
    _refused(_write(tmp_path, data), "must be a letter")
