"""Qualtrics response exports: CSV (numeric, choice text), TSV in UTF-16, default tags;
round trips through the Advanced TXT Scale.to_qualtrics writes, in both languages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from platform_exports import qualtrics_file
from support import ITEM_IDS, make_scale

from alliance_scale import ResponseError, draft_scale, read_responses, score, simulate


@pytest.fixture(scope="module")
def scale():
    return make_scale()


def test_utf16_tsv_with_statuses(scale, fixtures_dir) -> None:
    out = read_responses(fixtures_dir / "responses" / "qualtrics_utf16.tsv", scale)
    report = out.attrs["read_report"]
    assert report.container == "UTF-16 text, tab-separated" and report.source == "qualtrics"
    assert out.index.name == "ResponseId" and len(out) == 4  # every row, the preview too
    assert out["status"].tolist() == ["complete", "preview", "incomplete", "spam"]
    assert out["progress"].tolist() == [100, 100, 35, 100]
    np.testing.assert_array_equal(out[ITEM_IDS].iloc[2].to_numpy(),
                                  [2, 4, np.nan, np.nan, np.nan, np.nan])
    assert report.status_counts == (("complete", 1), ("incomplete", 1), ("preview", 1),
                                    ("spam", 1))
    result = score(out, scale)
    assert result.flags["status"].tolist() == ["complete", "preview", "incomplete", "spam"]
    assert result.flags["progress"].tolist() == [100, 100, 35, 100]
    assert "status" in repr(result)
    kept = score(out, scale, keep=["complete", "incomplete"])
    assert list(kept.scores.index) == ["R_1a2b3c4d5e6f7g8", "R_3c4d5e6f7g8h9i0"]
    assert kept.excluded["status"].tolist() == ["preview", "spam"]
    again = read_responses(fixtures_dir / "responses" / "qualtrics_utf16.tsv", scale,
                           keep=("complete", "incomplete"))
    assert again.attrs["read_report"].to_frame()["kept"].tolist() == [1, 1, 0, 0]


def test_default_tags_need_a_column_mapping(scale, tmp_path, fixtures_dir) -> None:
    text = (fixtures_dir / "responses" / "qualtrics_numeric.csv").read_text("utf-8")
    tags = {item: f"Q1_{k}" for k, item in enumerate(ITEM_IDS, 1)}
    header, rest = text.split("\n", 1)
    for item, tag in tags.items():
        header = header.replace(f",{item}", f",{tag}")
    path = tmp_path / "tags.csv"
    path.write_text(header + "\n" + rest, encoding="utf-8")
    with pytest.raises(ResponseError, match=r"default tags .* columns="):
        read_responses(path, scale)
    out = read_responses(path, scale, columns={tag: item for item, tag in tags.items()})
    assert out.iloc[0][ITEM_IDS].tolist() == [4, 2, 5, 4, 5, 1]
    assert "columns=" in out.attrs["read_report"].items_matched_by


def test_seen_but_unanswered_is_missing(scale, tmp_path, fixtures_dir) -> None:
    text = (fixtures_dir / "responses" / "qualtrics_numeric.csv").read_text("utf-8")
    path = tmp_path / "q.csv"
    path.write_text(text.replace(",4,2,5,4,5,1,38", ",4,-99,5,4,5,1,38"), encoding="utf-8")
    out = read_responses(path, scale)
    assert np.isnan(out.iloc[0]["A1a_2"]) and out.iloc[0]["A1a_1"] == 4
    plain = path.read_text("utf-8").splitlines()
    (tmp_path / "p.csv").write_text("\n".join([plain[0], *plain[3:]]) + "\n", encoding="utf-8")
    with pytest.raises(ResponseError, match="outside the response range"):
        read_responses(tmp_path / "p.csv", scale, source="csv")  # -99 is Qualtrics' only


# --------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("values", "separator", "encoding"), [
    ("numeric", ",", "utf-8"), ("text", ",", "utf-8"), ("numeric", "\t", "utf-16"),
    ("text", "\t", "utf-16"),
])
def test_round_trip_gives_back_the_simulated_answers(tmp_path, language, values, separator,
                                                     encoding) -> None:
    scale = draft_scale(items_per_facet=2, language=language)
    answers = simulate(scale, 16, seed=5, missing_rate=0.08, wai=False).items
    survey = scale.to_qualtrics(tmp_path / "survey.txt")
    status = [0] * 13 + [1, 2, 8]
    finished = [1] * 12 + [0, 1, 1, 1]
    progress = [100] * 12 + [35, 100, 100, 100]
    path = qualtrics_file(survey, answers, scale, tmp_path / "export.csv", language=language,
                          values=values, separator=separator, encoding=encoding,
                          status=status, finished=finished, progress=progress)
    out = read_responses(path, scale)
    assert out.attrs["read_report"].source == "qualtrics"
    assert list(out.index) == [f"R_{k:015d}" for k in range(16)]
    np.testing.assert_array_equal(out[scale.item_ids].to_numpy(), answers.to_numpy())
    assert out["status"].tolist() == (["complete"] * 12 + ["incomplete", "preview", "test",
                                                           "spam"])
    assert out["progress"].tolist() == progress
    expected = score(answers.set_axis(out.index), scale)
    pd.testing.assert_frame_equal(score(out, scale).scores, expected.scores)
