"""Answers to codes: labels compared after Unicode normalisation, metadata kept as typed,
booleans never coded 1/0, one factorisation per column."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest
from support import ITEM_IDS, make_scale

from alliance_scale import ResponseError, read_responses
from alliance_scale.fielding._read_common import normalise_label
from alliance_scale.fielding._read_values import metadata_column


@pytest.mark.parametrize("typed", [
    "Plutôt d’accord",                                              # typographic apostrophe
    unicodedata.normalize("NFD", "Plutôt d'accord"),                 # macOS decomposed accents
    "Plutôt\u00a0d'accord", "Plutôt\u202fd'accord",                  # (narrow) no-break spaces
    "  PLUTÔT   D'ACCORD ", "Plutôt d&#39;accord", "Plutôt dʼaccord",
])
def test_labels_survive_what_editors_do_to_them(typed) -> None:
    scale = make_scale()
    frame = pd.DataFrame([[typed, 2, 3, 4, 5, 1]], columns=ITEM_IDS)
    assert read_responses(frame, scale).iloc[0]["A1a_1"] == 4
    assert normalise_label(typed) == normalise_label("plutôt d'accord")


def test_metadata_numbers_only_when_they_read_back_the_same() -> None:
    assert metadata_column(pd.Series(["38", "44", None])).tolist()[:2] == [38.0, 44.0]
    assert metadata_column(pd.Series(["38", "44"])).dtype == np.int64
    assert metadata_column(pd.Series(["4.48", "3.5"])).tolist() == [4.48, 3.5]
    for kept in (["07501", "75001"], ["001", "002"], ["12345678901234567890123", "1"],
                 ["1", "x"], ["1e400", "2"]):
        assert metadata_column(pd.Series(kept)).tolist() == kept


def test_long_ids_do_not_collide(tmp_path) -> None:
    scale = make_scale()
    path = tmp_path / "r.csv"
    path.write_text("respondent," + ",".join(ITEM_IDS) + "\n"
                    "12345678901234567890123,1,2,3,4,5,1\n12345678901234567890124,1,2,3,4,5,1\n",
                    encoding="utf-8")
    out = read_responses(path, scale)
    assert list(out.index) == ["12345678901234567890123", "12345678901234567890124"]


def test_true_and_one_are_different_answers() -> None:
    # True == 1 to a hash table: booleans are set apart before the distinct values
    frame = pd.DataFrame([[True, 2, 3, 4, 5, 1], [1, 2, 3, 4, 5, 1]], columns=ITEM_IDS,
                         dtype=object)
    with pytest.raises(ResponseError, match="True/False") as info:
        read_responses(frame, make_scale())
    assert info.value.rows == [0]


def test_values_as_text_numbers_labels_and_blanks_in_one_column() -> None:
    frame = pd.DataFrame({"A1a_1": ["1", " 2 ", "Agree", "", None, 5, 3.0],
                          **{i: [1] * 7 for i in ITEM_IDS[1:]}})
    out = read_responses(frame, make_scale())
    np.testing.assert_array_equal(out["A1a_1"].to_numpy(), [1, 2, 4, np.nan, np.nan, 5, 3])


def test_nan_and_infinity_texts_are_not_codes() -> None:
    frame = pd.DataFrame({"A1a_1": ["nan", "inf"], **{i: [1, 1] for i in ITEM_IDS[1:]}})
    out = read_responses(frame, make_scale(), errors="flag")
    assert out["problems"].tolist() == ["A1a_1: text, not a response code"] * 2


def test_metadata_columns_are_decided_column_by_column_when_vectorised() -> None:
    """All columns are classified in one pass over their cells: each column's verdict is
    still its own (a text cell in one column does not turn its neighbours into text)."""
    from alliance_scale.fielding._read_values import metadata_columns

    columns = {
        "ints": ["1", "2", "3"], "floats": ["1.5", None, "2"], "zip": ["07501", "75001", "1"],
        "names": ["ann", "bob", None], "late_text": ["1", "2", "x"], "empty": [None] * 3,
        "long": ["12345678901234567", "1", "2"], "huge": ["1e400", "1", "2"],
        "numbers": [1.0, 2.0, np.nan], "mixed": ["3", 4, None], "spaces": [" 5 ", "6", "7"],
    }
    frame = pd.DataFrame({k: pd.Series(v, dtype=object if k != "numbers" else float)
                          for k, v in columns.items()})
    together = metadata_columns(frame, list(range(frame.shape[1])))
    for k, name in enumerate(frame.columns):
        alone = metadata_column(frame[name])
        assert together[k].dtype == alone.dtype, name
        assert pd.Series(together[k]).equals(pd.Series(alone)), name
    verdicts = {name: together[k].dtype.kind for k, name in enumerate(frame.columns)}
    assert verdicts == {"ints": "i", "floats": "f", "zip": "O", "names": "O", "late_text": "O",
                        "empty": "O", "long": "O", "huge": "O", "numbers": "f", "mixed": "O",
                        "spaces": "i"}
