"""SPSS (.sav) and Stata (.dta) response files, read with pyreadstat: value labels mapped
back, user-missing codes missing, Qualtrics' SPSS export round trip in both languages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from platform_exports import qualtrics_sav
from support import ITEM_IDS, make_scale

from alliance_scale import ResponseError, draft_scale, read_responses, score, simulate


@pytest.fixture(scope="module")
def scale():
    return make_scale()


def test_qualtrics_spss_export(scale, fixtures_dir) -> None:
    out = read_responses(fixtures_dir / "responses" / "qualtrics.sav", scale)
    report = out.attrs["read_report"]
    assert (report.container, report.source) == ("SPSS file", "qualtrics")
    assert list(out.index) == ["R_1a2b3c4d5e6f7g8", "R_3c4d5e6f7g8h9i0", "R_5e6f7g8h9i0j1k2"]
    # -99 (user-missing) is missing; C1_2's recodes 11-15 come back through their labels
    np.testing.assert_array_equal(out[ITEM_IDS].to_numpy(), [
        [4, 2, 5, 4, 5, 1], [2] + [np.nan] * 5, [3, 3, 3, 3, 3, 3]])
    assert out["status"].tolist() == ["complete", "incomplete", "test"]
    assert out["progress"].tolist() == [100, 35, 100]


def test_plain_sav_and_stata_files(scale, tmp_path) -> None:
    frame = pd.DataFrame([[4, 2, 5, 4, 5, 1], [2, 4, 3, np.nan, 1, 5]], columns=ITEM_IDS)
    frame.insert(0, "participant", ["007", "012"])
    pyreadstat.write_sav(frame, str(tmp_path / "a.sav"))
    pyreadstat.write_dta(frame, str(tmp_path / "a.dta"))
    for name, container in (("a.sav", "SPSS file"), ("a.dta", "Stata file")):
        out = read_responses(tmp_path / name, scale)
        assert out.attrs["read_report"].container == container
        assert list(out.index) == ["007", "012"]
        np.testing.assert_array_equal(out[ITEM_IDS].to_numpy(), frame[ITEM_IDS].to_numpy())


def test_a_sav_file_is_not_refused_as_binary_whatever_its_name(scale, fixtures_dir,
                                                               tmp_path) -> None:
    renamed = tmp_path / "export.csv"
    renamed.write_bytes((fixtures_dir / "responses" / "qualtrics.sav").read_bytes())
    assert len(read_responses(renamed, scale)) == 3
    with pytest.raises(ResponseError, match="not an SPSS"):
        read_responses(fixtures_dir / "responses" / "plain.csv", scale, source="spss")


def test_a_damaged_sav_file_is_refused_by_name(scale, tmp_path) -> None:
    path = tmp_path / "broken.sav"
    path.write_bytes(b"$FL2" + b"\x00" * 60)
    with pytest.raises(ResponseError, match="cannot be read as an SPSS file") as info:
        read_responses(path, scale)
    assert info.value.file == str(path)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_qualtrics_sav_round_trip(tmp_path, language) -> None:
    scale = draft_scale(items_per_facet=2, language=language)
    answers = simulate(scale, 12, seed=2, missing_rate=0.1, wai=False).items
    survey = scale.to_qualtrics(tmp_path / "survey.txt")
    path = qualtrics_sav(survey, answers, scale, tmp_path / "export.sav", language=language,
                         status=[0] * 11 + [1], finished=[1] * 10 + [0, 1])
    out = read_responses(path, scale, source="spss")
    np.testing.assert_array_equal(out[scale.item_ids].to_numpy(), answers.to_numpy())
    assert out["status"].tolist() == ["complete"] * 10 + ["incomplete", "preview"]
    expected = score(answers.set_axis(out.index), scale)
    pd.testing.assert_frame_equal(score(out, scale).scores, expected.scores)


def test_limesurvey_spss_export(scale, tmp_path) -> None:
    # LimeSurvey's SPSS export: Expression-Manager codes as variable names, answer texts as
    # value labels, submitdate empty for an incomplete response
    codes = ["DTA1_A1a1", "DTA1_A1a2", "DTA1_A1b1", "DTA1_A2a1", "DTA1_C11", "DTA1_C12"]
    frame = pd.DataFrame([[4, 2, 5, 4, 5, 1], [3, np.nan, np.nan, np.nan, np.nan, np.nan]],
                         columns=codes, dtype=float)
    frame.insert(0, "id", [12.0, 13.0])
    frame.insert(1, "submitdate", ["2026-03-02 09:19:41", ""])
    frame.insert(2, "lastpage", [1.0, 0.0])
    labels = {"Pas du tout d'accord": 1.0, "Plutôt pas d'accord": 2.0}
    pyreadstat.write_sav(frame, str(tmp_path / "survey_123456.sav"), variable_value_labels={
        code: {v: k for k, v in labels.items()} for code in codes})
    out = read_responses(tmp_path / "survey_123456.sav", scale)
    assert out.attrs["read_report"].source == "limesurvey"
    assert list(out.index) == ["12", "13"]
    np.testing.assert_array_equal(out[ITEM_IDS].to_numpy(), frame[codes].to_numpy())
    assert out["status"].tolist() == ["complete", "incomplete"]


def test_a_file_declaring_millions_of_rows_is_refused_before_reading(scale, tmp_path) -> None:
    """The header of a small .sav says 11,000,000 cases (the issue's .zsav bomb did):
    refused from the metadata, with the numbers, before any row is read."""
    frame = pd.DataFrame([[4, 2, 5, 4, 5, 1]] * 3, columns=ITEM_IDS)
    path = tmp_path / "bomb.sav"
    pyreadstat.write_sav(frame, str(path))
    raw = bytearray(path.read_bytes())
    assert int.from_bytes(raw[80:84], "little", signed=True) == 3  # ncases
    raw[80:84] = (11_000_000).to_bytes(4, "little", signed=True)
    path.write_bytes(bytes(raw))
    with pytest.raises(ResponseError, match=r"declares 11,000,000 rows x 6 columns; reading "
                                            r"them would need about 3\.0 GiB of memory; at "
                                            r"most 2\.0 GiB"):
        read_responses(path, scale)


def test_a_declared_size_far_above_the_file_is_refused_by_its_ratio(
        scale, tmp_path, monkeypatch) -> None:
    from alliance_scale import _io

    frame = pd.DataFrame([[4, 2, 5, 4, 5, 1]] * 3, columns=ITEM_IDS)
    path = tmp_path / "bomb.sav"
    pyreadstat.write_sav(frame, str(path))
    raw = bytearray(path.read_bytes())
    raw[80:84] = (200_000).to_bytes(4, "little", signed=True)  # 9.6 MB of data declared
    path.write_bytes(bytes(raw))
    monkeypatch.setattr(_io, "RATIO_FLOOR", 1 << 20)
    with pytest.raises(ResponseError, match=r"declares 200,000 rows x 6 columns: it unpacks "
                                            r"to 9,600,000 bytes"):
        read_responses(path, scale)


def test_source_stata_reads_a_stata_file_only(scale, tmp_path) -> None:
    frame = pd.DataFrame([[4, 2, 5, 4, 5, 1]], columns=ITEM_IDS)
    frame.insert(0, "participant", ["007"])
    pyreadstat.write_dta(frame, str(tmp_path / "a.dta"))
    pyreadstat.write_sav(frame, str(tmp_path / "a.sav"))
    out = read_responses(tmp_path / "a.dta", scale, source="stata")
    assert out.attrs["read_report"].container == "Stata file" and out.index.tolist() == ["007"]
    with pytest.raises(ResponseError, match="source='stata' but the file is not a Stata"):
        read_responses(tmp_path / "a.sav", scale, source="stata")
