"""LimeSurvey response exports: hand-written fixtures, and round trips through the survey
file Scale.to_limesurvey writes (both languages, both heading styles, codes and texts)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from platform_exports import limesurvey_csv
from support import ITEM_IDS, make_scale

from alliance_scale import ResponseError, draft_scale, read_responses, score, simulate


@pytest.fixture(scope="module")
def scale():
    return make_scale()


def test_question_code_headings_with_answer_codes(scale, fixtures_dir: Path) -> None:
    out = read_responses(fixtures_dir / "responses" / "limesurvey_codes.csv", scale)
    report = out.attrs["read_report"]
    assert report.source == "limesurvey" and "submitdate" in report.decided
    assert report.container == "UTF-8 with BOM text, comma-separated"
    assert out.index.name == "id" and list(out.index) == ["1", "2", "3", "4"]
    np.testing.assert_array_equal(out[ITEM_IDS].to_numpy(), [
        [4, 2, 5, 4, 5, 1], [2, 4, 3, 2, 1, 5], [5] + [np.nan] * 5, [3, 3, np.nan, 3, 3, 3]])
    assert out["status"].tolist() == ["complete", "complete", "incomplete", "complete"]
    assert out["startlanguage"].tolist() == ["fr", "fr", "fr", "en"]
    assert out["submitdate"].iloc[2] is None or pd.isna(out["submitdate"].iloc[2])


def test_expression_manager_headings_with_french_answer_texts(scale, fixtures_dir) -> None:
    out = read_responses(fixtures_dir / "responses" / "limesurvey_em_texts.csv", scale)
    assert out.attrs["read_report"].container.endswith("semicolon-separated")
    assert list(out.index) == ["7", "8"]
    # "Plutôt d’accord" (typographic apostrophe) is the anchor "Plutôt d'accord"
    np.testing.assert_array_equal(out[ITEM_IDS].to_numpy(), [[4, 2, 5, 4, 5, 1],
                                                            [3] + [np.nan] * 5])
    assert out["status"].tolist() == ["complete", "incomplete"]


def test_keep_complete_drops_the_incomplete_response_and_names_it(scale, fixtures_dir) -> None:
    path = fixtures_dir / "responses" / "limesurvey_codes.csv"
    out = read_responses(path, scale, keep="complete")
    assert list(out.index) == ["1", "2", "4"]
    report = out.attrs["read_report"]
    assert report.excluded == ("3",) and report.keep == "complete"
    assert report.to_frame().loc["incomplete", "kept"] == 0
    result = score(read_responses(path, scale), scale, keep="complete")
    assert list(result.scores.index) == ["1", "2", "4"]
    assert result.excluded["status"].to_dict() == {"3": "incomplete"}
    assert "excluded (keep)" in repr(result)


# --------------------------------------------------------------------------- round trips
def _drafted(language: str):
    scale = draft_scale(items_per_facet=2, language=language)
    answers = simulate(scale, 14, seed=7, missing_rate=0.08, wai=False).items
    return scale, answers


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("heading", "values", "separator"), [
    ("code", "codes", ","), ("code", "texts", ";"), ("em", "codes", ";"), ("em", "texts", ","),
    ("full", "codes", ","),
])
def test_round_trip_gives_back_the_simulated_answers(tmp_path, language, heading, values,
                                                     separator) -> None:
    scale, answers = _drafted(language)
    survey = scale.to_limesurvey(tmp_path / "survey.txt")
    submitted = [True] * 12 + [False] * 2
    path = limesurvey_csv(survey, answers, scale, tmp_path / "results-survey.csv",
                          language=language, heading=heading, values=values,
                          separator=separator, submitted=submitted)
    raw = path.read_bytes()
    assert raw.startswith(b'\xef\xbb\xbf"id"') and raw.endswith(b"\r\n\r\n")
    out = read_responses(path, scale)
    assert out.attrs["read_report"].source == "limesurvey"
    assert list(out.index) == [str(k) for k in range(1, 15)]  # every row, in order
    np.testing.assert_array_equal(out[scale.item_ids].to_numpy(), answers.to_numpy())
    assert out["status"].tolist() == ["complete"] * 12 + ["incomplete"] * 2
    expected = score(answers.set_axis(out.index), scale)
    pd.testing.assert_frame_equal(score(out, scale).scores, expected.scores)


def test_the_answers_of_the_other_language_are_read_too(tmp_path) -> None:
    scale, answers = _drafted("fr")
    survey = scale.to_limesurvey(tmp_path / "survey.txt")
    path = limesurvey_csv(survey, answers, scale, tmp_path / "r.csv", language="en",
                          values="texts")
    out = read_responses(path, scale)
    np.testing.assert_array_equal(out[scale.item_ids].to_numpy(), answers.to_numpy())


def test_responses_of_another_scale_are_refused(tmp_path) -> None:
    scale, answers = _drafted("fr")
    survey = scale.to_limesurvey(tmp_path / "survey.txt")
    path = limesurvey_csv(survey, answers, scale, tmp_path / "r.csv", language="fr")
    other = draft_scale(items_per_facet=2, language="fr", seed=99)  # same items, new order
    assert set(other.item_ids) == set(scale.item_ids)
    with pytest.raises(ResponseError, match="fielded with another scale") as info:
        read_responses(path, other)
    assert info.value.column == "DTAversion" and len(info.value.rows) == 14


def test_an_unknown_subquestion_is_refused_as_another_version(scale, tmp_path) -> None:
    text = tmp_path / "r.csv"
    text.write_text('"id","submitdate","DTA1[A1a1]","DTA1[A1a2]","DTA1[A1b1]","DTA1[A2a1]",'
                    '"DTA1[C11]","DTA1[C12]","DTA1[C19]"\r\n"1","2026-03-02","1","2","3","4",'
                    '"5","1","3"\r\n', encoding="utf-8-sig")
    with pytest.raises(ResponseError, match="another version") as info:
        read_responses(text, scale)
    assert info.value.column == "DTA1[C19]"


def test_an_export_of_a_survey_without_responses_is_refused(scale, tmp_path) -> None:
    # Writer.php writes one record of empty fields when the survey has no response
    path = tmp_path / "empty.csv"
    path.write_bytes(b'\xef\xbb\xbf"id","submitdate","lastpage","startlanguage",'
                     b'"DTA1[A1a1]","DTA1[A1a2]","DTA1[A1b1]","DTA1[A2a1]","DTA1[C11]",'
                     b'"DTA1[C12]"\r\n"","","","","","","","","",""\r\n\r\n')
    with pytest.raises(ResponseError, match="no responses"):
        read_responses(path, scale)


def test_old_sgqa_headings(scale, tmp_path) -> None:
    codes = ["A1a1", "A1a2", "A1b1", "A2a1", "C11", "C12"]
    path = tmp_path / "sgqa.csv"
    path.write_text("id,submitdate,lastpage,startlanguage,"
                    + ",".join(f"123456X7X89{c}" for c in codes) + "\n1,2026-03-02,1,fr,"
                    "1,2,3,4,5,1\n", encoding="utf-8")
    out = read_responses(path, scale)
    assert out[ITEM_IDS].iloc[0].tolist() == [1, 2, 3, 4, 5, 1]
