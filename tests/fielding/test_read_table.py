"""Containers: text encodings and delimiters, malformed rows, Excel files (formulas, hostile
dimensions, stray cells), files that are something else."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from support import ITEM_IDS, make_scale

from alliance_scale import ResponseError, read_responses

HEADER = "id," + ",".join(ITEM_IDS)


@pytest.fixture(scope="module")
def scale():
    return make_scale()


@pytest.mark.parametrize(("encoding", "described"), [
    ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 with BOM"), ("utf-16", "UTF-16"),
    ("utf-16-le", "UTF-16 LE"), ("utf-16-be", "UTF-16 BE"), ("utf-32", "UTF-32"),
    ("cp1252", "Windows-1252"),
])
def test_encodings(scale, tmp_path, encoding, described) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(f"{HEADER}\nélodie,Plutôt d'accord,2,3,4,5,1\n".encode(encoding))
    out = read_responses(path, scale)
    assert out.attrs["read_report"].container == f"{described} text, comma-separated"
    assert list(out.index) == ["élodie"] and out.iloc[0][ITEM_IDS].tolist() == [4, 2, 3, 4, 5, 1]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_and_line_ends(scale, tmp_path, delimiter) -> None:
    rows = [HEADER.split(","), ["a", "1", "2", "3", "4", "5", "1"],
            ["b", "5", "4", "3", "2", "1", "5"]]
    for end in ("\n", "\r\n", "\r"):
        path = tmp_path / "r.csv"
        path.write_text(end.join(delimiter.join(r) for r in rows) + end, encoding="utf-8")
        out = read_responses(path, scale)
        assert list(out.index) == ["a", "b"]


def test_quoted_newlines_long_fields_and_blank_lines(scale, tmp_path) -> None:
    comment = "x, " * 70_000  # 210,000 characters, commas inside quotes
    path = tmp_path / "r.csv"
    path.write_text(f'{HEADER},comment\n\na,1,2,3,4,5,1,"{comment}"\n\n'
                    f'b,5,4,3,2,1,5,"line one\nline ""two"""\n', encoding="utf-8")
    out = read_responses(path, scale)
    assert list(out.index) == ["a", "b"]
    assert len(out.loc["a", "comment"]) == 210_000
    assert out.loc["b", "comment"] == 'line one\nline "two"'


@pytest.mark.parametrize("quoted", [False, True])
def test_rows_with_too_few_or_too_many_fields_are_named(scale, tmp_path, quoted) -> None:
    q = '"' if quoted else ""
    lines = [HEADER, "a,1,2,3,4,5,1", "b,1,2,3,4,5", "c,1,2,3,4,5,1", "d,1,2,3,4,5,1,9"]
    path = tmp_path / "r.csv"
    path.write_text("\n".join(",".join(f"{q}{f}{q}" for f in line.split(","))
                              for line in lines) + "\n", encoding="utf-8")
    with pytest.raises(ResponseError, match="fields but the header has 7") as info:
        read_responses(path, scale)
    assert info.value.rows == [2, 4]


@pytest.mark.parametrize(("content", "word"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, ".xls"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "binary"),
])
def test_files_that_are_something_else(scale, tmp_path, content, word) -> None:
    path = tmp_path / "answers.csv"
    path.write_bytes(content)
    with pytest.raises(ResponseError, match=re.escape(word)) as info:
        read_responses(path, scale)
    assert info.value.file == str(path)


# --------------------------------------------------------------------------- Excel
def _workbook(rows: list[list[object]], path: Path) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_formulas_without_cached_values_are_refused_or_flagged_by_cell(scale,
                                                                      tmp_path) -> None:
    # a workbook written by a script: formulas, no value cached by Excel
    path = _workbook([["id", *ITEM_IDS, "age"], ["a", "=3", 2, 3, 4, 5, 1, "=40+2"],
                      ["b", 4, 2, 3, 4, 5, "=1", 30]], tmp_path / "f.xlsx")
    with pytest.raises(ResponseError, match="formula") as info:
        read_responses(path, scale)
    assert (info.value.column, info.value.rows) == ("A1a_1", [1]) and "'=3'" in str(info.value)
    out = read_responses(path, scale, errors="flag")
    assert out["problems"].tolist() == ["A1a_1: formula, not a value",
                                        "C1_2: formula, not a value"]
    assert np.isnan(out.loc["a", "A1a_1"]) and out.loc["b", "A1a_1"] == 4
    assert out.loc["a", "age"] == "=40+2"  # a metadata formula is shown, not blanked


def test_a_declared_dimension_of_17_billion_cells_is_not_trusted(scale, tmp_path) -> None:
    small = _workbook([["id", *ITEM_IDS], ["a", 1, 2, 3, 4, 5, 1]], tmp_path / "s.xlsx")
    hostile = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(hostile, "w",
                                                           zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>',
                              b'<dimension ref="A1:XFD1048576"/>', data)
            target.writestr(info, data)
    assert hostile.stat().st_size < 10_000
    started = time.perf_counter()
    out = read_responses(hostile, scale)
    assert time.perf_counter() - started < 30  # generous: minutes and gigabytes before
    assert out.iloc[0][ITEM_IDS].tolist() == [1, 2, 3, 4, 5, 1]


def test_a_stray_far_cell_is_named(scale, tmp_path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["id", *ITEM_IDS])
    book.active.append(["a", 1, 2, 3, 4, 5, 1])
    book.active["XFD1048576"] = "x"
    book.save(tmp_path / "far.xlsx")
    with pytest.raises(ResponseError, match="cell XFD1048576"):
        read_responses(tmp_path / "far.xlsx", scale)


def test_excel_cells_typed_as_numbers_keep_ids_as_typed(scale, tmp_path) -> None:
    path = _workbook([["respondent", *ITEM_IDS, "zip"], [1001, 1, 2, 3, 4, 5, 1, "07501"],
                      [1002.0, "Agree", 2, 3, 4, 5, 1, "75001"]], tmp_path / "n.xlsx")
    out = read_responses(path, scale)
    assert list(out.index) == ["1001", "1002"]
    assert out["A1a_1"].tolist() == [1, 4] and out["zip"].tolist() == ["07501", "75001"]


def test_a_zip_that_is_not_a_workbook(scale, tmp_path, fixtures_dir) -> None:
    path = tmp_path / "answers.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(ResponseError, match="ZIP archive"):
        read_responses(path, scale)
    with pytest.raises(ResponseError, match=r"not an \.xlsx"):
        read_responses(fixtures_dir / "responses" / "plain.csv", scale, source="excel")
    (tmp_path / "old.xls").write_bytes(b"\t\x08\x10\x00\x00\x06\x05\x00")
    with pytest.raises(ResponseError, match=r"save it as \.xlsx"):
        read_responses(tmp_path / "old.xls", scale)
