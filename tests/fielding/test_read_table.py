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


# --------------------------------------------------------------------------- issue #18
def test_a_utf8_file_with_windows_1252_lines_is_refused_naming_them(scale, tmp_path) -> None:
    rows = [f"{HEADER}\n".encode(), "prénom,1,2,3,4,5,1\n".encode(),
            "josé,2,2,3,4,5,1\n".encode("cp1252"), "zoé,3,2,3,4,5,1\n".encode(),
            "andré,4,2,3,4,5,1\n".encode("cp1252")]
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"".join(rows))
    with pytest.raises(ResponseError, match=r"mixed encodings.*line\(s\) 3, 5 \(2 line") as info:
        read_responses(path, scale)
    assert info.value.file == str(path)
    # a file that is Windows-1252 throughout is still read as such, and UTF-8 as UTF-8
    path.write_bytes(b"".join(r.decode("utf-8", "replace").encode("cp1252", "replace")
                              for r in rows[:1]) + "josé,2,2,3,4,5,1\n".encode("cp1252"))
    assert read_responses(path, scale).index.tolist() == ["josé"]
    path.write_bytes(b"".join(rows[:2]) + "zoé,3,2,3,4,5,1\n".encode())
    assert read_responses(path, scale).index.tolist() == ["prénom", "zoé"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_repeated_byte_order_mark_is_not_part_of_the_first_column(scale, tmp_path,
                                                                    encoding) -> None:
    path = tmp_path / "bom.csv"
    text = f"\ufeff\ufeff{HEADER}\nr1,1,2,3,4,5,1\n"
    path.write_bytes(text.encode("utf-8-sig" if encoding == "utf-8" else "utf-16"))
    out = read_responses(path, scale)
    assert out.index.name == "id" and out.index.tolist() == ["r1"]
    assert "id" not in out.columns and not any("\ufeff" in str(c) for c in out.columns)


@pytest.mark.slow
def test_a_header_of_100000_columns_is_read_in_seconds(scale, tmp_path) -> None:
    width = 100_000
    header = HEADER + "," + ",".join(f"x{k}" for k in range(width))
    rows = [f"r{j}," + ",".join(["3"] * len(ITEM_IDS)) + "," + ",".join(["a", "7"] * (width // 2))
            for j in range(3)]
    path = tmp_path / "wide.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    started = time.perf_counter()
    out = read_responses(path, scale)
    elapsed = time.perf_counter() - started
    assert elapsed < 20, elapsed  # was 1.8 ms a column: minutes; linear now (about 2 s)
    assert out.shape == (3, len(ITEM_IDS) + width + 3)
    assert out["x0"].tolist() == ["a"] * 3 and out["x1"].tolist() == [7, 7, 7]
    assert list(out.columns[len(ITEM_IDS):len(ITEM_IDS) + 3]) == ["x0", "x1", "x2"]


def _sheet_xml(rows: int, columns: int) -> bytes:
    """Sheet XML of rows x columns cells holding 1 (``r`` attributes are optional)."""
    row = "<row>" + "<c><v>1</v></c>" * columns + "</row>"
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns='
            '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            + row * rows + "</sheetData></worksheet>").encode()


def _bomb(path: Path, rows: int, columns: int) -> Path:
    """A workbook whose first sheet holds rows x columns cells of 1 (written as XML)."""
    small = _workbook([["id", *ITEM_IDS], ["a", 1, 2, 3, 4, 5, 1]], path.with_suffix(".s.xlsx"))
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(path, "w",
                                                           zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = _sheet_xml(rows, columns)
            target.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
    return path


def test_an_excel_sheet_over_the_memory_budget_is_refused_before_parsing(
        scale, tmp_path, monkeypatch) -> None:
    from alliance_scale.fielding import _read_table

    path = _bomb(tmp_path / "bomb.xlsx", 3000, 9)  # 27,000 cells
    monkeypatch.setattr(_read_table, "MAX_EXCEL_CELLS", 20_000)
    started = time.perf_counter()
    with pytest.raises(ResponseError, match=r"more than 20,000 cells with a value .*more "
                                            r"than 5\.7 MiB of memory") as info:
        read_responses(path, scale)
    assert "export the sheet as CSV" in str(info.value) and time.perf_counter() - started < 5


@pytest.mark.slow
def test_an_excel_compression_bomb_is_refused_by_its_ratio(scale, tmp_path,
                                                           monkeypatch) -> None:
    from alliance_scale import _io

    path = _bomb(tmp_path / "bomb.xlsx", 20_000, 9)  # 3 MB of XML in a few KB
    monkeypatch.setattr(_io, "RATIO_FLOOR", 1 << 20)
    with pytest.raises(ResponseError, match=r"unpacks to [\d,]+ bytes from [\d,]+ \([\d,]+ "
                                            r"times; at most 100 times"):
        read_responses(path, scale)
    monkeypatch.setattr(_io, "RATIO_FLOOR", 1 << 30)  # the floor above its size: read it
    with pytest.raises(ResponseError, match="item column"):  # (its header is 1, 1, 1...)
        read_responses(path, scale)


@pytest.mark.parametrize("kind", ["directory", "fifo", "device"])
def test_a_data_path_that_is_not_a_regular_file_is_refused_at_once(scale, tmp_path,
                                                                   kind) -> None:
    path = {"directory": tmp_path, "device": Path("/dev/zero"),
            "fifo": tmp_path / "pipe.csv"}[kind]
    if kind == "fifo":
        import os

        os.mkfifo(path)
    expected = {"directory": "a directory, not a file", "fifo": "a pipe",
                "device": "a device, not a regular file"}[kind]
    with pytest.raises(ResponseError, match=expected):
        read_responses(path, scale)


def test_a_damaged_sheet_stream_is_a_response_error(scale, tmp_path) -> None:
    """A sheet whose compressed bytes are corrupt: one ResponseError, not zlib's error."""
    path = _bomb(tmp_path / "ok.xlsx", 50, 7)
    raw = bytearray(path.read_bytes())
    start = raw.index(b"xl/worksheets/sheet1.xml") + len(b"xl/worksheets/sheet1.xml")
    raw[start + 10:start + 60] = b"\xff" * 50  # inside the sheet's deflated data
    path.write_bytes(bytes(raw))
    with pytest.raises(ResponseError, match="Excel workbook"):
        read_responses(path, scale)
