"""read_responses: REDCap, Qualtrics, CSV and Excel exports; every refusal names file/column/rows.

The sample exports in tests/fixtures/responses/ were written by hand for the small scale
built by :func:`make_scale` (6 items, 5 points, 2 reverse-keyed).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import ITEM_IDS, make_scale

from alliance_scale import ResponseError, Scale, draft_scale, read_responses, score
from alliance_scale._resources import bundled_path
from alliance_scale.errors import AllianceScaleError, OptionError


@pytest.fixture(scope="module")
def scale() -> Scale:
    return make_scale()


@pytest.fixture(scope="module")
def samples(fixtures_dir: Path) -> Path:
    return fixtures_dir / "responses"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def good_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [[4, 2, 5, 4, 5, 1], [2, 4, 3, 2, 1, 5], [5, 1, np.nan, 5, 4, np.nan]],
        columns=ITEM_IDS, index=["x", "y", "z"],
    )


# --------------------------------------------------------------------------- formats
def test_plain_csv(scale, samples):
    out = read_responses(samples / "plain.csv", scale, id_column="participant")
    assert list(out.index) == ["p01", "p02", "p03", "p04"]
    assert list(out.columns) == [*ITEM_IDS, "age", "status", "progress", "problems"]
    assert out["status"].tolist() == ["unknown"] * 4  # a plain file says nothing of it
    assert out["progress"].isna().all()
    assert out.loc["p03", "A1b_1"] != out.loc["p03", "A1b_1"]  # NaN
    assert out.loc["p02", "C1_2"] == 5.0
    assert out["age"].tolist() == [38, 44, 29, 51]
    assert (out["problems"] == "").all()


def test_plain_csv_without_id_is_indexed_by_data_row(scale, samples):
    out = read_responses(samples / "plain.csv", scale, id_column=False)
    assert list(out.index) == [1, 2, 3, 4]
    assert out.index.name == "row"
    assert out["participant"].tolist() == ["p01", "p02", "p03", "p04"]


def test_plain_csv_infers_a_usual_id_column(scale, samples):
    out = read_responses(samples / "plain.csv", scale)  # "participant" is a usual id name
    assert out.index.name == "participant"
    assert list(out.index) == ["p01", "p02", "p03", "p04"]
    assert "participant" not in out.columns


@pytest.mark.parametrize(
    ("header", "expected"),
    [("Participant_ID", "Participant_ID"),           # case-insensitive
     ("subject,ID", "ID"),                            # first name of the list wins: id < subject
     ("record_id,respondent", "respondent"),
     ("responseid", "responseid"),
     ("code,visit", "row")],                          # no usual name: data-row number
)
def test_id_column_inference_order(scale, tmp_path, header, expected):
    first, second = (",".join(f"{row}{j}" for j in range(header.count(",") + 1))
                     for row in "ab")
    path = write(tmp_path / "r.csv", f"{header},A1a_1,A1a_2,A1b_1,A2a_1,C1_1,C1_2\n"
                 f"{first},4,2,5,4,5,1\n{second},4,2,5,4,5,1\n")
    out = read_responses(path, scale)
    assert out.index.name == expected
    assert len(out) == 2


def pilot_copy(tmp_path: Path, data_row: int) -> Path:
    """data/pilot.csv with the respondent id of data row ``data_row`` set to the first's."""
    lines = bundled_path("data", "pilot.csv").read_text(encoding="utf-8").splitlines()
    fields = lines[data_row].split(",")
    fields[0] = lines[1].split(",")[0]
    lines[data_row] = ",".join(fields)
    return write(tmp_path / "pilot.csv", "\n".join(lines) + "\n")


def test_bundled_pilot_csv_is_indexed_by_respondent_and_refuses_duplicates(tmp_path):
    scale = draft_scale()
    pilot = pd.read_csv(bundled_path("data", "pilot.csv"))
    out = read_responses(bundled_path("data", "pilot.csv"), scale)
    assert out.index.name == "respondent"
    # same rows, same order; ids kept as text (a file's "007" stays "007")
    assert list(out.index) == pilot["respondent"].astype(str).tolist()
    error = refusal(pilot_copy(tmp_path, 5), scale)
    assert (error.column, error.rows) == ("respondent", [1, 5])
    assert "duplicate" in str(error) and "id_column=False" in str(error)
    flagged = read_responses(pilot_copy(tmp_path, 5), scale, errors="flag")
    assert len(flagged) == len(pilot)
    assert list(flagged.index[:5]) == ["1", "2", "3", "4", "1"]
    assert flagged["problems"].iloc[0] == "duplicate respondent id (respondent)"
    assert flagged["problems"].iloc[4] == "duplicate respondent id (respondent)"
    assert (flagged["problems"].iloc[[1, 2, 3]] == "").all()
    unchecked = read_responses(pilot_copy(tmp_path, 5), scale, id_column=False)
    assert list(unchecked.index) == list(range(1, len(pilot) + 1))


def test_excel_file_infers_the_id_column(scale, tmp_path):
    frame = good_frame().rename_axis("Respondent_ID").reset_index()
    frame.loc[2, "Respondent_ID"] = "x"
    path = tmp_path / "answers.xlsx"
    frame.to_excel(path, index=False)
    error = refusal(path, scale)
    assert (error.column, error.rows) == ("Respondent_ID", [1, 3])


def test_semicolon_csv_in_windows_1252(scale, tmp_path):
    text = "id;A1a_1;A1a_2;A1b_1;A2a_1;C1_1;C1_2\n1;Plutôt d'accord;2;3;4;5;1\n"
    path = tmp_path / "excel_fr.csv"
    path.write_bytes(text.encode("cp1252"))
    out = read_responses(path, scale, id_column="id")
    assert out.loc["1", ITEM_IDS].tolist() == [4, 2, 3, 4, 5, 1]


def test_redcap_flat_export(scale, samples):
    out = read_responses(samples / "redcap_flat.csv", scale, source="redcap")
    assert out.index.names == ["record_id", "redcap_event_name"]
    assert list(out.index) == [("R001", "baseline_arm_1"), ("R001", "month_3_arm_1"),
                               ("R002", "baseline_arm_1"), ("R003", "baseline_arm_1")]
    assert list(out.columns) == [*ITEM_IDS, "alliance_complete", "status", "progress",
                                 "problems"]
    assert out.iloc[1][ITEM_IDS].tolist() == [5, 1, 5, 5, 4, 2]
    assert out.iloc[3][ITEM_IDS].isna().all()  # an empty record is kept, not dropped
    assert out["alliance_complete"].tolist() == [2, 2, 1, 0]
    assert out["status"].tolist() == ["complete", "complete", "unverified", "incomplete"]


def test_qualtrics_numeric_export(scale, samples):
    out = read_responses(samples / "qualtrics_numeric.csv", scale, source="qualtrics")
    assert out.index.name == "ResponseId"
    assert list(out.index) == ["R_1a2b3c4d5e6f7g8", "R_2b3c4d5e6f7g8h9", "R_3c4d5e6f7g8h9i0"]
    assert out.iloc[0][ITEM_IDS].tolist() == [4, 2, 5, 4, 5, 1]
    assert out["Q9"].tolist() == [38, 44, 29]  # Q9 is not shaped like one of our items
    assert out["StartDate"].iloc[2] == "2026-03-03 18:30:00"


def test_qualtrics_labels_in_both_languages_map_to_codes(scale, samples):
    out = read_responses(samples / "qualtrics_labels.csv", scale, source="qualtrics")
    assert out.iloc[0][ITEM_IDS].tolist() == [4, 2, 5, 4, 5, 1]
    # " tout à fait d'accord " (spaces, lower case), English labels, upper case
    assert out.iloc[1][ITEM_IDS].tolist() == [5, 1, 4, 3, 5, 2]


def test_qualtrics_frame_read_by_pandas_loses_its_header_rows(scale, samples):
    raw = pd.read_csv(samples / "qualtrics_numeric.csv")
    out = read_responses(raw, scale, source="qualtrics")
    assert len(out) == 3
    assert out.iloc[2]["A1a_1"] == 5


def test_excel_file(scale, tmp_path):
    frame = good_frame().rename_axis("participant").reset_index()
    frame["A1a_1"] = frame["A1a_1"].astype(object)
    frame.loc[1, "A1a_1"] = "Plutôt pas d'accord"
    path = tmp_path / "answers.xlsx"
    frame.to_excel(path, index=False)
    out = read_responses(path, scale, id_column="participant")
    assert list(out.index) == ["x", "y", "z"]
    assert out["A1a_1"].tolist() == [4, 2, 5]
    assert np.isnan(out.loc["z", "C1_2"])


def test_redcap_lower_case_columns_map_back_to_item_ids(scale):
    frame = good_frame()
    frame.columns = [c.lower() for c in frame.columns]
    out = read_responses(frame, scale, source="redcap", id_column=None)
    assert list(out.columns[:6]) == ITEM_IDS


def test_dataframe_index_and_order_are_kept(scale):
    frame = good_frame().iloc[[2, 0, 1]]
    out = read_responses(frame, scale)
    assert list(out.index) == ["z", "x", "y"]
    np.testing.assert_array_equal(out[ITEM_IDS].to_numpy(), frame[ITEM_IDS].to_numpy(float))


# --------------------------------------------------------------------------- refusals
def refusal(data, scale, **kwargs) -> ResponseError:
    with pytest.raises(ResponseError) as info:
        read_responses(data, scale, **kwargs)
    assert isinstance(info.value, AllianceScaleError)
    return info.value


def test_out_of_range_value_names_column_and_all_rows(scale, tmp_path):
    path = write(tmp_path / "r.csv", "A1a_1,A1a_2,A1b_1,A2a_1,C1_1,C1_2\n"
                 "4,2,5,4,5,1\n4,7,5,4,5,1\n4,2,5,4,5,1\n1,0,1,1,1,1\n")
    error = refusal(path, scale)
    assert (error.file, error.column, error.rows) == (str(path), "A1a_2", [2, 4])
    assert "A1a_2" in str(error) and "rows 2, 4" in str(error) and str(path) in str(error)
    assert "1-5" in str(error)


def test_non_numeric_value(scale, tmp_path):
    path = write(tmp_path / "r.csv", "A1a_1,A1a_2,A1b_1,A2a_1,C1_1,C1_2\n4,2,5,4,5,beaucoup\n")
    error = refusal(path, scale)
    assert (error.column, error.rows) == ("C1_2", [1])
    assert "'beaucoup'" in str(error)


def test_long_text_in_a_message_is_trimmed(scale):
    frame = good_frame().astype(object)
    frame.loc["y", "C1_1"] = "my therapist said something very private"
    error = refusal(frame, scale)
    assert "'my therapist said so'..." in str(error) and "something" not in str(error)


def test_values_in_messages_are_plain_not_numpy_reprs(scale):
    frame = good_frame()
    frame.loc["y", "A1b_1"] = 9
    error = refusal(frame, scale)
    assert "such as 9" in str(error) and "np." not in str(error) and "9.0" not in str(error)
    frame.loc["y", "A1b_1"] = 9.5
    assert "such as 9.5" in str(refusal(frame, scale))
    out = read_responses(frame.assign(A1a_1=[4, 0, 5]), scale, errors="flag")
    assert out.loc["y", "problems"] == "A1a_1: 0 outside 1-5; A1b_1: 9.5 not an integer code; " \
        "A1b_1: 9.5 outside 1-5"


def test_unknown_label_is_refused(scale):
    frame = good_frame().astype(object)
    frame.loc["y", "A2a_1"] = "Plutôt oui"
    error = refusal(frame, scale)
    assert (error.file, error.column, error.rows) == ("<DataFrame>", "A2a_1", ["y"])


def test_non_integer_value(scale):
    frame = good_frame()
    frame.loc["x", "A1b_1"] = 2.5
    error = refusal(frame, scale)
    assert (error.column, error.rows) == ("A1b_1", ["x"])
    assert "integer" in str(error)


def test_missing_item_column(scale, tmp_path):
    path = write(tmp_path / "r.csv", "A1a_1,A1a_2,A1b_1,A2a_1,C1_1\n4,2,5,4,5\n")
    error = refusal(path, scale)
    assert error.column == "C1_2" and "missing" in str(error) and str(path) in str(error)


def test_unknown_item_like_column(scale):
    frame = good_frame().assign(A1a_9=3)
    error = refusal(frame, scale)
    assert error.column == "A1a_9" and "not in scale" in str(error)


def test_duplicate_respondent_ids(scale, samples, tmp_path):
    path = write(tmp_path / "r.csv", "pid,A1a_1,A1a_2,A1b_1,A2a_1,C1_1,C1_2\n"
                 "a,4,2,5,4,5,1\nb,4,2,5,4,5,1\na,3,2,5,4,5,1\n")
    error = refusal(path, scale, id_column="pid")
    assert (error.column, error.rows) == ("pid", [1, 3])
    assert "duplicate" in str(error)
    # REDCap: the same record at two events is not a duplicate (fixture), at one event it is
    text = (samples / "redcap_flat.csv").read_text().replace("month_3_arm_1", "baseline_arm_1")
    error = refusal(write(tmp_path / "rc.csv", text), scale, source="redcap")
    assert error.rows == [1, 2] and error.column == "record_id"


def test_duplicate_index_of_a_frame(scale):
    frame = good_frame()
    frame.index = ["x", "y", "x"]
    error = refusal(frame, scale)
    assert error.rows == ["x", "x"] and "duplicate" in str(error)


def test_empty_file(scale, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    error = refusal(path, scale)
    assert error.file == str(path) and "empty" in str(error)


@pytest.mark.parametrize(
    ("content", "word"),
    [(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
     (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
     (b"PK\x03\x04\x14\x00\x06\x00", "ZIP")],
)
def test_binary_file(scale, tmp_path, content, word):
    path = tmp_path / "answers.csv"
    path.write_bytes(content)
    error = refusal(path, scale)
    assert error.file == str(path) and word in str(error) and "not a CSV" in str(error)


def test_mismatched_field_counts(scale, tmp_path):
    path = write(tmp_path / "r.csv", "A1a_1,A1a_2,A1b_1,A2a_1,C1_1,C1_2\n"
                 "4,2,5,4,5,1\n4,2,5,4,5\n4,2,5,4,5,1\n4,2,5,4,5,1,3\n")
    error = refusal(path, scale)
    assert error.rows == [2, 4] and "fields" in str(error) and str(path) in str(error)


def test_header_only_file(scale, tmp_path):
    path = write(tmp_path / "r.csv", "A1a_1,A1a_2,A1b_1,A2a_1,C1_1,C1_2\n")
    error = refusal(path, scale)
    assert "no data rows" in str(error) and error.file == str(path)


def test_qualtrics_file_without_its_header_rows(scale, samples, tmp_path):
    lines = (samples / "qualtrics_numeric.csv").read_text(encoding="utf-8").splitlines()
    path = write(tmp_path / "q.csv", "\n".join([lines[0], *lines[3:]]) + "\n")
    error = refusal(path, scale, source="qualtrics")
    assert error.file == str(path) and "3 header rows" in str(error)


def test_not_an_excel_file(scale, tmp_path):
    path = write(tmp_path / "r.xlsx", "A1a_1\n1\n")
    error = refusal(path, scale)
    assert error.file == str(path) and "Excel" in str(error)


def test_missing_file_and_bad_arguments(scale, tmp_path):
    assert "no such file" in str(refusal(tmp_path / "nope.csv", scale))
    with pytest.raises(OptionError, match="source"):
        read_responses(good_frame(), scale, source="pdf")
    with pytest.raises(OptionError, match="errors"):
        read_responses(good_frame(), scale, errors="ignore")
    assert "id_column" in str(refusal(good_frame(), scale, id_column="pid"))
    assert "id_column" in str(refusal(good_frame(), scale, id_column=True))


def test_ids_are_kept_as_text_and_compared_as_text(scale, tmp_path):
    path = write(tmp_path / "r.csv", "ID,A1a_1,A1a_2,A1b_1,A2a_1,C1_1,C1_2\n"
                 "1,4,2,5,4,5,1\n01,4,2,5,4,5,1\n,4,2,5,4,5,1\n 1 ,4,2,5,4,5,1\n")
    error = refusal(path, scale)
    assert (error.column, error.rows) == ("ID", [3]) and "missing respondent id" in str(error)
    out = read_responses(path, scale, errors="flag")
    assert list(out.index) == ["1", "01", None, "1"]  # "01" is not "1"; spaces trimmed
    assert list(out["problems"]) == ["duplicate respondent id (ID)", "",
                                     "missing respondent id", "duplicate respondent id (ID)"]


# --------------------------------------------------------------------------- errors="flag"
def test_flag_keeps_every_row_and_describes_bad_values(scale, tmp_path):
    path = write(tmp_path / "r.csv", "pid,A1a_1,A1a_2,A1b_1,A2a_1,C1_1,C1_2\n"
                 "a,4,2,5,4,5,1\nb,9,2,5,4,5,oui\nc,4,2,2.5,4,5,1\nc,1,1,1,1,1,1\n")
    out = read_responses(path, scale, id_column="pid", errors="flag")
    assert list(out.index) == ["a", "b", "c", "c"]
    assert out["problems"].iloc[0] == ""
    assert out["problems"].iloc[1] == "A1a_1: 9 outside 1-5; C1_2: text, not a response code"
    assert "oui" not in out["problems"].iloc[1]  # free text is never echoed into a result
    assert np.isnan(out["A1a_1"].iloc[1]) and np.isnan(out["C1_2"].iloc[1])
    assert out["A1a_2"].iloc[1] == 2
    assert "A1b_1: 2.5 not an integer code" in out["problems"].iloc[2]
    assert "duplicate" in out["problems"].iloc[2]
    assert "duplicate" in out["problems"].iloc[3]


def test_badly_quoted_csv(scale, tmp_path):
    path = write(tmp_path / "r.csv",
                 'A1a_1,A1a_2,A1b_1,A2a_1,C1_1,C1_2\n4,2,5,4,5,1\n"4"x,2,5,4,5,1\n')
    error = refusal(path, scale)  # the stray text after the quote is kept, so refused
    assert (error.file, error.column, error.rows) == (str(path), "A1a_1", [2])
    unclosed = write(tmp_path / "u.csv",
                     'A1a_1,A1a_2,A1b_1,A2a_1,C1_1,C1_2\n4,2,5,4,5,1\n"4,2,5,4,5,1\n')
    error = refusal(unclosed, scale)
    assert error.file == str(unclosed) and ("line" in str(error) or error.rows)


def test_boolean_and_nullable_integer_columns(scale):
    frame = good_frame()
    frame["A1a_1"] = pd.array([4, None, 2], dtype="Int64")
    out = read_responses(frame, scale)
    assert out["A1a_1"].iloc[0] == 4 and np.isnan(out["A1a_1"].iloc[1])
    frame["C1_1"] = [True, False, True]
    error = refusal(frame, scale)
    assert (error.column, error.rows) == ("C1_1", ["x", "y", "z"])
    assert "True/False" in str(error)


def test_booleans_in_an_object_column_are_refused_not_coded(scale):
    frame = good_frame().astype(object)
    frame.loc["x", "C1_1"] = True
    frame.loc["z", "C1_1"] = np.False_
    error = refusal(frame, scale)
    assert (error.column, error.rows) == ("C1_1", ["x", "z"])
    assert "True/False" in str(error)
    out = read_responses(frame, scale, errors="flag")
    assert np.isnan(out.loc["x", "C1_1"]) and np.isnan(out.loc["z", "C1_1"])
    assert out.loc["y", "C1_1"] == 1
    assert out.loc["x", "problems"] == "C1_1: True, not a response code (True/False)"
    assert out.loc["z", "problems"] == "C1_1: False, not a response code (True/False)"


@st.composite
def messy_frames(draw):
    """Answers mixing valid codes, missing values, labels and invalid entries."""
    n = draw(st.integers(1, 25))
    cells = st.sampled_from([1, 2, 3, 4, 5, None, 0, 6, 2.5, "3", "Agree", "oui", " Tout à fait "
                             "d'accord "])
    rows = draw(st.lists(st.lists(cells, min_size=6, max_size=6), min_size=n, max_size=n))
    labels = draw(st.lists(st.integers(-50, 50), min_size=n, max_size=n, unique=True))
    return pd.DataFrame(rows, columns=ITEM_IDS, index=labels, dtype=object)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(messy_frames())
def test_flag_never_drops_or_reorders_rows(frame):
    scale = make_scale()
    out = read_responses(frame, scale, errors="flag")
    assert list(out.index) == list(frame.index)
    valid = {1, 2, 3, 4, 5, "3", "Agree", " Tout à fait d'accord "}
    for item in ITEM_IDS:
        bad = ~frame[item].map(lambda v: v is None or v in valid)
        assert out.loc[bad.to_numpy(), item].isna().all()
        flagged = out["problems"].str.contains(f"{item}: ", regex=False)
        assert (flagged == bad).all()
        good = out.loc[~bad.to_numpy(), item].dropna()
        assert good.isin([1, 2, 3, 4, 5]).all()
    result = score(frame, scale, errors="flag")
    assert list(result.scores.index) == list(frame.index)
    assert (result.flags["problems"] == out["problems"]).all()


def test_score_after_a_flagged_read_keeps_duplicates(tmp_path):
    path = write(tmp_path / "r.csv", "pid,A1a_1,A1a_2,A1b_1,A2a_1,C1_1,C1_2\n"
                 "a,4,2,5,4,5,1\na,9,2,5,4,5,1\n")
    flagged = read_responses(path, make_scale(), id_column="pid", errors="flag")
    result = score(flagged, make_scale())
    assert list(result.scores.index) == ["a", "a"]
    assert "A1a_1: 9 outside 1-5" in result.flags["problems"].iloc[1]
    assert "duplicate" in result.flags["problems"].iloc[0]


def test_labels_of_a_drafted_scale_map_to_codes():
    scale = draft_scale()
    codes = list(range(scale.min_value, scale.max_value + 1))
    english = scale.response_format.labels("en")
    french = scale.response_format.labels("fr")
    rows = [[english[(j + k) % len(codes)] for j in range(len(scale.items))] for k in range(2)]
    rows.append([french[j % len(codes)].upper() for j in range(len(scale.items))])
    out = read_responses(pd.DataFrame(rows, columns=scale.item_ids), scale)
    expected = [[codes[(j + k) % len(codes)] for j in range(len(scale.items))] for k in range(2)]
    expected.append([codes[j % len(codes)] for j in range(len(scale.items))])
    np.testing.assert_array_equal(out[scale.item_ids].to_numpy(), expected)


# --------------------------------------------------------------------------- shared input checks


def test_shared_code_checks_and_respondent_count():
    from alliance_scale._checks import (
        check_codes,
        check_unique_columns,
        is_boolean,
        respondent_count,
    )

    values = np.array([[1.0, 2.0], [np.nan, 5.5], [6.0, np.nan], [np.nan, np.nan]])
    with pytest.raises(ResponseError) as info:
        check_codes(values, 1, 5, items=["x", "y"], rows=["a", "b", "c", "d"],
                    error=ResponseError)
    assert (info.value.column, info.value.rows) == ("x", ["c"])
    check_codes(values[:, 1:], 1, 6, integer=False, items=["y"], rows=list("abcd"))
    assert is_boolean(np.True_) and is_boolean(False) and not is_boolean(1)
    assert respondent_count(values) == 3
    with pytest.raises(ResponseError, match="duplicate") as info:
        check_unique_columns(pd.DataFrame([[1, 2]], columns=["q", "q"]), error=ResponseError)
    assert info.value.column == "q"


# --------------------------------------------------------------------------- source="auto"
@pytest.mark.parametrize(("name", "source", "reason"), [
    ("plain.csv", "csv", "no platform's columns"),
    ("redcap_flat.csv", "redcap", "REDCap columns"),
    ("qualtrics_numeric.csv", "qualtrics", "Qualtrics header rows"),
    ("limesurvey_codes.csv", "limesurvey", "LimeSurvey columns"),
    ("qualtrics.sav", "qualtrics", "Qualtrics columns"),
])
def test_auto_says_what_it_decided_and_why(scale, samples, name, source, reason):
    out = read_responses(samples / name, scale)
    report = out.attrs["read_report"]
    assert report.source == source and reason in report.decided
    assert report.rows == len(out) and sum(n for _, n in report.status_counts) == len(out)
    assert "ReadReport" in repr(report) and "<table" in report._repr_html_()


def test_a_given_source_is_obeyed(scale, samples):
    out = read_responses(samples / "redcap_flat.csv", scale, source="csv", id_column=False)
    assert out.attrs["read_report"].decided == "given: source='csv'"
    assert out.index.name == "row" and out["status"].eq("unknown").all()
    # read as plain, the longitudinal record ids repeat: refused, with the way out
    with pytest.raises(ResponseError, match="id_column=False"):
        read_responses(samples / "redcap_flat.csv", scale, source="csv")


def test_columns_must_name_columns_and_items(scale, tmp_path):
    path = write(tmp_path / "r.csv", "id,Q1,Q2,Q3,Q4,Q5,Q6\na,1,2,3,4,5,1\n")
    mapping = dict(zip(["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"], ITEM_IDS, strict=True))
    assert read_responses(path, scale, columns=mapping).loc["a", "C1_2"] == 1
    with pytest.raises(ResponseError, match="not a column") as info:
        read_responses(path, scale, columns={**mapping, "Q9": "A1a_1"})
    assert info.value.column == "Q9"
    with pytest.raises(OptionError, match="not an item"):
        read_responses(path, scale, columns={"Q1": "Z9_9"})
    with pytest.raises(OptionError, match="mapping"):
        read_responses(path, scale, columns=["Q1"])
    with pytest.raises(OptionError, match="two columns"):
        read_responses(path, scale, columns={"Q1": "A1a_1", "Q2": "A1a_1"})
    renamed = read_responses(path, scale, columns=lambda c: mapping.get(c))
    assert renamed.attrs["read_report"].items_matched_by == "columns="


def test_keep_needs_a_status_and_known_values(scale, samples):
    with pytest.raises(ResponseError, match="needs a completion status"):
        read_responses(samples / "plain.csv", scale, keep="complete")
    # a DataFrame without status (the pilot): the same refusal, saying where a status
    # comes from and what keep='all' does (issue #17: the README's trap)
    plain = read_responses(samples / "plain.csv", scale)
    for call in (lambda: read_responses(plain.drop(columns="status"), scale, keep="complete"),
                 lambda: score(plain, scale, keep="complete")):
        with pytest.raises(ResponseError, match="these data have none") as caught:
            call()
        assert "a platform's export carries it" in str(caught.value)
        assert "keep='all' reads every row" in str(caught.value)
    for bad in ("finished", ["complete", "done"], 3, []):
        with pytest.raises(OptionError, match="keep"):
            read_responses(samples / "plain.csv", scale, keep=bad)


def test_status_read_back_from_an_earlier_read(scale, samples):
    first = read_responses(samples / "qualtrics_utf16.tsv", scale)
    again = read_responses(first, scale)  # a DataFrame: its own index, its status column
    assert again["status"].tolist() == first["status"].tolist()
    assert again["progress"].tolist() == first["progress"].tolist()
    for name in ("limesurvey_codes.csv", "redcap_labels.csv"):
        earlier = read_responses(samples / name, scale)
        twice = read_responses(earlier, scale)  # detected again, its status recomputed
        assert twice.attrs["read_report"].source == earlier.attrs["read_report"].source
        assert list(twice.columns) == list(earlier.columns)
        assert twice["status"].tolist() == earlier["status"].tolist()
    bad = first.assign(status="done")
    with pytest.raises(ResponseError, match="column 'status'"):
        read_responses(bad, scale)


def test_a_metadata_column_named_like_an_added_column_is_refused(scale):
    frame = good_frame().assign(progress=["a", "b", "c"])
    with pytest.raises(ResponseError, match="progress"):
        read_responses(frame, scale)


def test_every_row_comes_out_in_order_with_its_status(scale, samples):
    for name in ("qualtrics_utf16.tsv", "limesurvey_codes.csv", "redcap_labels.csv"):
        out = read_responses(samples / name, scale)
        assert out["status"].isin(["complete", "incomplete", "unverified", "preview", "test",
                                   "spam", "unknown"]).all()
        assert (out.index.to_frame().iloc[:, 0].tolist()
                == sorted(out.index.to_frame().iloc[:, 0].tolist()))  # file order (sorted ids)


@pytest.mark.slow
def test_ten_thousand_columns_are_read(tmp_path):
    from alliance_scale import Scale, ScaleItem, agreement_format

    items = tuple(ScaleItem(f"A{k}a_1", "A1a", "A1", "A", f"texte {k}", f"text {k}", 1, "both")
                  for k in range(1, 10_001))
    wide = Scale("wide", "1", "fr", "guided", items, agreement_format(5))
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.integers(1, 6, size=(20, 10_000)), columns=wide.item_ids)
    frame.index.name = "respondent"
    frame.to_csv(tmp_path / "wide.csv")
    out = read_responses(tmp_path / "wide.csv", wide)
    np.testing.assert_array_equal(out[wide.item_ids].to_numpy(), frame.to_numpy())


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_plain_round_trip_with_codes_or_labels(tmp_path, language, kind):
    from alliance_scale import simulate

    scale = draft_scale(items_per_facet=2, language=language)
    answers = simulate(scale, 12, seed=4, missing_rate=0.1, wai=False).items
    labels = scale.response_format.labels(language)
    as_labels = answers.map(lambda v: labels[int(v) - 1] if v == v else None)
    for written in (answers, as_labels):
        frame = written.rename_axis("participant").reset_index()
        path = tmp_path / f"answers.{kind}"
        if kind == "csv":
            frame.to_csv(path, index=False, sep=";", encoding="utf-8-sig")
        else:
            frame.to_excel(path, index=False)
        out = read_responses(path, scale)
        assert list(out.index) == [str(k) for k in answers.index]
        np.testing.assert_array_equal(out[scale.item_ids].to_numpy(), answers.to_numpy())
        pd.testing.assert_frame_equal(score(out, scale).scores,
                                      score(answers.set_axis(out.index), scale).scores)


def test_a_frame_keeps_its_id_values_a_file_gives_text(scale, tmp_path):
    frame = good_frame().reset_index(drop=True).assign(pid=[7, 8, 9])
    assert read_responses(frame, scale, id_column="pid").index.tolist() == [7, 8, 9]
    frame.to_csv(tmp_path / "r.csv", index=False)
    assert read_responses(tmp_path / "r.csv", scale, id_column="pid").index.tolist() == [
        "7", "8", "9"]


# --------------------------------------------------------------------------- issue #17 / #18
@pytest.mark.parametrize(("header", "expected"), [
    # a typo of an item id: the unrecognised column is named with the closest missing id
    (["id", "A1a_1", "A1a_2", "A1b_1", "A2a_1", "C1_1", "C1_2x"],
     r"1 item column\(s\) .* missing: C1_2; column\(s\) of the file not recognised as items: "
     r"'C1_2x' \(did you mean C1_2\?\), 'id'"),
    (["id", "a1a_l", "A1a_2", "A1b_1", "A2a_1", "C1_1", "C1_2", "age"],
     r"missing: A1a_1; .*'a1a_l' \(did you mean A1a_1\?\), 'id', 'age'"),
])
def test_a_missing_item_names_the_unrecognised_columns_and_the_closest_id(
        scale, tmp_path, header, expected) -> None:
    path = tmp_path / "r.csv"
    path.write_text(",".join(header) + "\n" + ",".join(["r1"] + ["3"] * (len(header) - 1))
                    + "\n", encoding="utf-8")
    with pytest.raises(ResponseError, match=expected):
        read_responses(path, scale)


def test_an_item_like_column_not_in_the_scale_suggests_the_closest_id(scale,
                                                                      tmp_path) -> None:
    frame = pd.DataFrame([[3] * 7], columns=[*ITEM_IDS, "A1b_2"], index=["r1"])
    with pytest.raises(ResponseError, match=r"not in scale .*did you mean A1b_1\?"):
        read_responses(frame, scale)


def test_the_read_report_holds_the_sha256_of_the_bytes_read(scale, samples) -> None:
    import hashlib

    for name in ("plain.csv", "redcap_flat.csv"):
        report = read_responses(samples / name, scale).attrs["read_report"]
        assert report.sha256 == hashlib.sha256((samples / name).read_bytes()).hexdigest()
    frame = pd.DataFrame([[3] * 6], columns=ITEM_IDS)
    assert read_responses(frame, scale).attrs["read_report"].sha256 == ""


def test_sources_are_every_choice_auto_can_make() -> None:
    from alliance_scale.fielding._responses import _LAYOUTS
    from alliance_scale.fielding._vocabulary import CONTAINERS, LAYOUTS, SOURCES

    assert tuple(_LAYOUTS) == LAYOUTS  # the readers and the command line list the same

    assert SOURCES == ("auto", *CONTAINERS, *_LAYOUTS)
    assert {"stata", "spss", "excel", "csv", "redcap", "qualtrics", "limesurvey"} <= set(
        SOURCES)


def test_text_metadata_columns_keep_their_type_however_many(scale) -> None:
    """Few text columns keep pandas' text dtype; thousands are one block of strings; the
    values and the order of columns are the same either way."""
    from alliance_scale.fielding import _responses

    for width in (3, _responses._MANY_TEXT_COLUMNS + 1):
        names = [f"note{k}" for k in range(width)]
        frame = pd.DataFrame([[3] * 6 + ["x"] * width, [2] * 6 + ["y"] * width],
                             columns=[*ITEM_IDS, *names])
        out = read_responses(frame, scale)
        assert list(out.columns) == [*ITEM_IDS, *names, "status", "progress", "problems"]
        assert out[names[-1]].tolist() == ["x", "y"] and out["A1a_1"].tolist() == [3, 2]
