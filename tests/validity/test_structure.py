"""Tucker congruence with the blueprint and retention advice: by hand and on simulated data."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from alliance_scale import (
    AnalysisError,
    ResponseFormat,
    Scale,
    ScaleItem,
    congruence,
    efa,
    simulate,
    target_from_scale,
)
from alliance_scale.errors import OptionError
from alliance_scale.validity._structure import congruence_label, tucker_congruence

FACETS = [("A1", "A"), ("A2", "A"), ("B1", "B")]


def _scale(items_per_facet: int = 5) -> Scale:
    items = []
    for facet, dimension in FACETS:
        for number in range(1, items_per_facet + 1):
            items.append(ScaleItem(
                id=f"{facet}_{number}", theme=facet, facet=facet, dimension=dimension,
                text_fr="texte", text_en="text", keyed=-1 if number == items_per_facet else 1,
                applies_to="both",
            ))
    labels = ("1", "2", "3", "4", "5")
    return Scale(name="test", version="0", language="en", program="guided", items=tuple(items),
                 response_format=ResponseFormat(5, labels, labels))


def _fake_result(loadings: pd.DataFrame, heywood=()):
    communalities = (loadings**2).sum(axis=1)
    return SimpleNamespace(loadings=loadings, communalities=communalities, heywood=list(heywood))


def _perfect_loadings(scale: Scale) -> pd.DataFrame:
    frame = pd.DataFrame(0.0, index=scale.item_ids, columns=["MR1", "MR2", "MR3"])
    for item in scale.items:
        column = {"A1": "MR2", "A2": "MR1", "B1": "MR3"}[item.facet]
        frame.loc[item.id, column] = 0.7 * item.keyed
    return frame


def test_tucker_by_hand():
    x = np.array([[1.0], [2.0], [2.0]])
    y = np.array([[2.0, 0.0], [1.0, 0.0], [2.0, 1.0]])
    phi = tucker_congruence(x, y)
    assert phi[0, 0] == pytest.approx(8 / (3 * 3))
    assert phi[0, 1] == pytest.approx(2 / 3)


@pytest.mark.parametrize(("value", "label"), [(0.97, "equal"), (-0.95, "equal"),
                                              (0.90, "fair similarity"), (0.84, "not similar")])
def test_labels(value, label):
    assert congruence_label(value) == label


def test_perfect_structure_matches_facets_and_dimensions():
    scale = _scale()
    result = congruence(_fake_result(_perfect_loadings(scale)), scale)
    assert result.matches["target"].to_dict() == {"MR1": "A2", "MR2": "A1", "MR3": "B1"}
    np.testing.assert_allclose(result.matches["congruence"], 1.0)
    assert not result.items["flagged"].any()
    assert "Every item meets" in result.advice()
    by_dimension = congruence(_fake_result(_perfect_loadings(scale)), scale, level="dimension")
    assert set(by_dimension.coefficients.columns) == {"A", "B"}
    # Factor MR2 holds half of dimension A's items: phi = 5 * .7 / sqrt(5 * .49 * 10) = .707.
    assert by_dimension.coefficients.loc["MR2", "A"] == pytest.approx(np.sqrt(0.5))


def test_retention_reasons_are_listed_never_filtered():
    scale = _scale()
    loadings = _perfect_loadings(scale)
    loadings.loc["A1_1"] = [0.0, 0.30, 0.0]     # weak primary loading, low communality
    loadings.loc["A1_2"] = [0.45, 0.55, 0.0]    # cross-loading (gap .10)
    loadings.loc["B1_1"] = [0.0, 0.65, 0.0]     # loads on A1's factor instead of B1's
    loadings.loc["A2_1"] = [0.99, 0.0, 0.0]
    result = congruence(_fake_result(loadings, heywood=["A2_1"]), scale)
    assert len(result.items) == len(scale.items)
    reasons = result.items["reasons"]
    assert "primary loading 0.300 < 0.40" in reasons["A1_1"]
    assert "communality 0.090 < 0.40" in reasons["A1_1"]
    assert "cross-loading: gap 0.100 < 0.20" in reasons["A1_2"]
    assert "loads most on MR2, not on MR3" in reasons["B1_1"]
    assert "Heywood" in reasons["A2_1"]
    assert set(result.flagged.index) == {"A1_1", "A1_2", "B1_1", "A2_1"}
    text = repr(result)
    assert "4 item(s) to review (nothing was removed)" in text
    assert "A1_2: cross-loading" in text


def test_reverse_keyed_sign():
    scale = _scale()
    loadings = _perfect_loadings(scale)
    loadings.loc["A1_5"] = [0.0, 0.7, 0.0]  # keyed -1 but loads positively
    result = congruence(_fake_result(loadings), scale)
    assert "sign opposite" in result.items.loc["A1_5", "reasons"]
    assert result.matches.loc["MR2", "congruence"] < 1.0


def test_unknown_item_and_level_refused():
    scale = _scale()
    loadings = _perfect_loadings(scale)
    loadings.index = ["Z9_1", *loadings.index[1:]]
    with pytest.raises(AnalysisError, match="Z9_1"):
        congruence(_fake_result(loadings), scale)
    with pytest.raises(OptionError, match="level"):
        congruence(_fake_result(_perfect_loadings(scale)), scale, level="theme")


def test_recovery_on_simulated_data():
    scale = _scale(items_per_facet=6)
    simulation = simulate(scale, 500, seed=11, wai=False, loading=0.7)
    solution = efa(simulation.items, 3)
    result = congruence(solution, scale)
    assert sorted(result.matches["target"]) == ["A1", "A2", "B1"]
    assert (result.matches["congruence"].abs() >= 0.95).all()


def test_reasons_never_print_a_value_equal_to_its_cut_off():
    """A communality just under .40 must not read "0.40 < 0.40"."""
    scale = _scale()
    loadings = _perfect_loadings(scale)
    loadings.loc["A1_1"] = [0.0, 0.3987**0.5, 0.0]   # communality .3987
    reasons = congruence(_fake_result(loadings), scale).items["reasons"]
    assert "communality 0.399 < 0.40" in reasons["A1_1"]


def test_something_that_is_not_a_factor_solution_is_refused():
    with pytest.raises(AnalysisError, match="loadings"):
        congruence("not a factor solution", _scale())


def test_the_solution_can_be_passed_by_name():
    scale = _scale()
    result = congruence(solution=_fake_result(_perfect_loadings(scale)), scale=scale)
    np.testing.assert_allclose(result.matches["congruence"].abs(), 1.0)


# --------------------------------------------------------------------------- target (#12)


def test_target_from_scale_is_the_blueprint_partially_specified():
    scale = _scale(items_per_facet=4)
    target = target_from_scale(scale)
    assert list(target.columns) == ["A1", "A2", "B1"] and list(target.index) == scale.item_ids
    for item in scale.items:
        row = target.loc[item.id]
        assert np.isnan(row[item.facet]) and (row.drop(item.facet) == 0).all()
    keyed = target_from_scale(scale, "dimension", specified=True)
    assert list(keyed.columns) == ["A", "B"]
    assert keyed.loc["A1_4", "A"] == -1 and keyed.loc["A1_1", "A"] == 1
    assert keyed.loc["A1_1", "B"] == 0
    chosen = target_from_scale(scale, items=["B1_1", "A1_2"])
    assert list(chosen.index) == ["B1_1", "A1_2"]
    with pytest.raises(AnalysisError, match="Z_9"):
        target_from_scale(scale, items=["Z_9"])
    with pytest.raises(OptionError, match="level"):
        target_from_scale(scale, "theme")


def test_target_rotation_from_the_blueprint_recovers_the_structure():
    scale = _scale(items_per_facet=6)
    simulation = simulate(scale, 500, seed=11, wai=False, loading=0.7)
    for specified in (False, True):
        target = target_from_scale(scale, specified=specified)
        solution = efa(simulation.items, 3, rotation="targetQ", target=target)
        result = congruence(solution, scale)
        assert sorted(result.matches["target"]) == ["A1", "A2", "B1"]
        assert (result.matches["congruence"].abs() >= 0.95).all()
    orthogonal = efa(simulation.items, 3, rotation="targetT", target=target_from_scale(scale))
    assert orthogonal.phi is None
