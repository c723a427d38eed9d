"""The bundled pilot loads with the default scale's items and the documented sizes; the
example exports regenerate byte for byte and read back to the pilot's answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from alliance_scale import (
    EXAMPLE_EXPORTS,
    ITEMS_PER_PAGE,
    OptionError,
    draft_scale,
    example_export,
    load_pilot,
    read_responses,
)


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


# ------------------------------------------------------------------ example exports (data/)

ROOT = Path(__file__).resolve().parents[2]
#: Respondents who left early, and the pages (of 8 items) they saw: data/README.md.
LEFT_EARLY = {"9": 3, "31": 6}
WAI_LEFT_EARLY = {"9": 3, "31": 6, "157": 9}  # qualtrics_wai: the whole pilot


@pytest.mark.slow
def test_example_exports_regenerate_byte_for_byte(tmp_path: Path) -> None:
    import make_exports  # data/make_exports.py (pytest's pythonpath)

    written = make_exports.build(tmp_path)
    committed = sorted(path.name for path in (ROOT / "data" / "exports").iterdir())
    assert sorted(path.name for path in written) == committed
    for path in written:
        committed_path = ROOT / "data" / "exports" / path.name
        if path.suffix == ".sav":  # bytes depend on the pyreadstat release: compare the content
            assert _sav_content(path) == _sav_content(committed_path), (
                f"data/exports/{path.name} differs from what data/make_exports.py writes")
            continue
        assert path.read_bytes() == committed_path.read_bytes(), (
            f"data/exports/{path.name} differs from what data/make_exports.py writes: rerun it"
        )


def _sav_content(path: Path) -> tuple:
    """Values, column names and labels, value labels and variable types of an SPSS file."""
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    return (frame.to_csv(), tuple(meta.column_names), tuple(meta.column_labels),
            tuple(sorted((k, tuple(sorted(v.items()))) for k, v in
                         meta.variable_value_labels.items())),
            tuple(sorted(meta.original_variable_types.items())))


@pytest.mark.parametrize("name", EXAMPLE_EXPORTS)
def test_example_export_reads_back_to_the_pilot_answers(name: str) -> None:
    scale = draft_scale()
    responses = read_responses(example_export(name), scale)
    whole = name == "qualtrics_wai"  # the whole pilot, with its WAI-style scores
    left_early = WAI_LEFT_EARLY if whole else LEFT_EARLY
    n = 320 if whole else 40
    pilot = load_pilot()
    expected = pilot.loc[1:n, scale.item_ids]
    for respondent, pages in left_early.items():
        expected.loc[int(respondent), scale.item_ids[pages * ITEMS_PER_PAGE:]] = np.nan
    assert len(responses) == n
    np.testing.assert_array_equal(responses[scale.item_ids].to_numpy(), expected.to_numpy())
    ids = [label.removeprefix("R_").lstrip("0") for label in responses.index]
    assert ids == [str(respondent) for respondent in range(1, n + 1)]
    incomplete = responses.index[responses["status"] == "incomplete"]
    assert [label.removeprefix("R_").lstrip("0") for label in incomplete] == list(left_early)
    if whole:
        wai = ["wai_goal", "wai_task", "wai_bond"]
        np.testing.assert_array_equal(responses[wai].to_numpy(), pilot[wai].to_numpy())
    assert (responses["status"].drop(incomplete) == "complete").all()
    assert responses["problems"].eq("").all()
    source = name.split("_")[0]
    assert responses.attrs["read_report"].source == source


def test_example_export_refuses_an_unknown_name() -> None:
    with pytest.raises(OptionError, match="redcap_raw"):
        example_export("spss")


def test_example_exports_are_described_in_the_codebook() -> None:
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for path in (ROOT / "data" / "exports").iterdir():
        assert f"`exports/{path.name}`" in text
