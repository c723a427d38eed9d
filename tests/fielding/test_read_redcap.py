"""REDCap response exports: raw and labels, one instrument or a whole project; round trips
through the data dictionary Scale.to_redcap writes, in both languages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from platform_exports import redcap_csv
from support import ITEM_IDS, make_scale

from alliance_scale import ResponseError, draft_scale, read_responses, score, simulate


@pytest.fixture(scope="module")
def scale():
    return make_scale()


def test_labels_export_is_matched_by_item_texts(scale, fixtures_dir) -> None:
    out = read_responses(fixtures_dir / "responses" / "redcap_labels.csv", scale)
    report = out.attrs["read_report"]
    assert report.source == "redcap" and report.items_matched_by == "item texts (fr)"
    assert out.index.names == ["Record ID", "Event Name"]
    assert [i[0] for i in out.index] == ["R001", "R002", "R003"]
    np.testing.assert_array_equal(out[ITEM_IDS].to_numpy(), [
        [4, 2, 5, 4, 5, 1], [2, 4, 3, np.nan, 1, 5], [np.nan] * 6])
    assert out["status"].tolist() == ["complete", "unverified", "incomplete"]


def test_whole_project_export_keeps_our_form_and_leaves_the_others_out(scale,
                                                                        fixtures_dir) -> None:
    out = read_responses(fixtures_dir / "responses" / "redcap_project.csv", scale)
    report = out.attrs["read_report"]
    assert report.ignored_columns == ("screening_date", "age", "screening_complete", "c5_1",
                                      "c5_2", "follow_up_complete")
    assert [i[0] for i in out.index] == ["001", "002", "010"]  # record ids kept as text
    assert list(out.columns) == [*ITEM_IDS, "digital_therapeutic_alliance_timestamp",
                                 "digital_therapeutic_alliance_complete", "status",
                                 "progress", "problems"]
    assert out["status"].tolist() == ["complete", "incomplete", "complete"]
    np.testing.assert_array_equal(out[ITEM_IDS].iloc[1].to_numpy(),
                                  [2, 4, np.nan, np.nan, np.nan, np.nan])
    scored = score(out, scale)  # the ignored c5_1 is not there to be taken for an item
    assert scored.flags["status"].tolist() == ["complete", "incomplete", "complete"]


def test_an_item_of_another_version_inside_our_form_is_refused(scale, tmp_path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("record_id,a1a_1,a1a_2,a1b_1,a1a_9,a2a_1,c1_1,c1_2,dta_complete\n"
                    "1,1,2,3,3,4,5,1,2\n", encoding="utf-8")
    with pytest.raises(ResponseError, match="another version") as info:
        read_responses(path, scale)
    assert info.value.column == "a1a_9"


def test_labels_that_do_not_match_give_a_hint_toward_the_raw_export(scale, tmp_path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Record ID,Item one,Item two,Item three,Item four,Item five,Item six,"
                    "Complete?\n1,1,2,3,4,5,1,Complete\n", encoding="utf-8")
    with pytest.raises(ResponseError, match='"CSV \\(raw data\\)"') as info:
        read_responses(path, scale)
    assert "6 item column(s)" in str(info.value) and "columns=" in str(info.value)


# --------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("headers", "values"), [("raw", "raw"), ("labels", "labels"),
                                                 ("labels", "raw")])
def test_round_trip_gives_back_the_simulated_answers(tmp_path, language, headers,
                                                     values) -> None:
    scale = draft_scale(items_per_facet=2, language=language)
    answers = simulate(scale, 15, seed=11, missing_rate=0.08, wai=False).items
    dictionary = scale.to_redcap(tmp_path / "dictionary.csv")
    complete = [2] * 12 + [0, 1, 0]
    path = redcap_csv(dictionary, answers, scale, tmp_path / "export.csv", language=language,
                      headers=headers, values=values, complete=complete,
                      other_instrument=True, events=True)
    out = read_responses(path, scale)
    assert out.attrs["read_report"].source == "redcap"
    assert [i[0] for i in out.index] == [str(k + 101) for k in range(15)]
    np.testing.assert_array_equal(out[scale.item_ids].to_numpy(), answers.to_numpy())
    assert out["status"].tolist() == ["complete"] * 12 + ["incomplete", "unverified",
                                                          "incomplete"]
    expected = score(answers.set_axis(out.index), scale)
    pd.testing.assert_frame_equal(score(out, scale).scores, expected.scores)
    assert len(score(out, scale, keep="complete").scores) == 12
