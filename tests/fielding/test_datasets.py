"""The bundled pilot loads with the default scale's items and the documented sizes."""

from __future__ import annotations

from alliance_scale import draft_scale, load_pilot


def test_pilot_has_the_default_scale_items_and_wai_scores() -> None:
    pilot = load_pilot()
    scale = draft_scale()
    assert pilot.shape == (320, len(scale.items) + 3)
    assert list(pilot.columns) == [*scale.item_ids, "wai_goal", "wai_task", "wai_bond"]
    assert pilot.index.is_unique
    answers = pilot[scale.item_ids].stack().dropna()  # missing answers are allowed
    assert answers.between(scale.min_value, scale.max_value).all()


def test_retest_is_a_subsample_of_the_pilot() -> None:
    pilot, retest = load_pilot(), load_pilot(retest=True)
    assert len(retest) == 80
    assert set(retest.index) <= set(pilot.index)
    assert list(retest.columns) == draft_scale().item_ids
