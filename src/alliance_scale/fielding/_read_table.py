"""Containers of response files: delimited text (CSV, TSV) and Excel workbooks.

Text: the encoding is found from the byte-order mark (UTF-8, UTF-16, UTF-32; a repeated mark
dropped too), or UTF-16 without one (a NUL every other byte), else UTF-8, else Windows-1252
(a file that is UTF-8 except some lines is refused, naming them); the delimiter is the one
of ``,`` ``;`` tab that splits the header row into most fields. The data are parsed by
``pandas.read_csv`` (C parser; item columns inferred as numbers, the others kept as text so
that ``007`` and ``07501`` stay what they are). pandas silently pads a row that has too few
fields (and refuses one with too many), so the delimiters outside quotes are counted first,
vectorised: when they are not exactly one fewer than the header's fields per record, or
pandas refuses a record, the standard :mod:`csv` module re-reads the file to name the rows
exactly. Blank lines are not rows.

Excel: read by openpyxl in read-only mode, cell by cell, because ``pandas.read_excel``
trusts the worksheet's declared dimension (a 4.8 KB file declaring 17 billion cells takes
minutes and gigabytes before failing) and turns formula cells without a cached value
(workbooks written by scripts) into missing answers without a word. Here the archive's
uncompressed size and the cells actually present are capped before anything is built, and
formula cells are reported by cell.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from .._io import MEMORY_BUDGET, check_ratio, size_text
from ..errors import ResponseError
from ._read_common import Table

__all__: list[str] = []

#: Largest uncompressed size of an Excel archive read (bytes).
MAX_EXCEL_BYTES = 2 * 1024**3
#: Memory a cell read from Excel costs here, measured (bytes): openpyxl's cell, the value
#: and its type kept by position, the grid and the DataFrame (9.4M cells took 2.5 GB).
BYTES_PER_EXCEL_CELL = 300
#: Most cells with a value read from an Excel sheet: the memory budget's worth (7.2M).
MAX_EXCEL_CELLS = MEMORY_BUDGET // BYTES_PER_EXCEL_CELL
#: Excel's own limits (rows, columns).
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384

_DELIMITERS = (",", ";", "\t")
#: A file with more text (non-item) columns than this and fewer rows than ``_SHORT`` is
#: parsed by the csv module rather than pandas (see ``_parse``).
_WIDE_TEXT, _SHORT = 500, 500
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


# --------------------------------------------------------------------------- decoding
def decode(raw: bytes, file: str) -> tuple[str, str]:
    """The text of a response file and the name of its encoding.

    Raises
    ------
    ResponseError
        Neither UTF-8, UTF-16/32 nor Windows-1252 text (binary data named).
    """
    boms = ((b"\xef\xbb\xbf", "utf-8-sig", "UTF-8 with BOM"),
            (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"), (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
            (b"\xff\xfe", "utf-16", "UTF-16"), (b"\xfe\xff", "utf-16", "UTF-16"))
    for bom, encoding, name in boms:
        if raw.startswith(bom):
            return _decoded(raw, encoding, name, file), name
    head = raw[:4096]
    if len(head) >= 4 and b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > 0.4 * len(head) / 2 and even == 0:
            return _decoded(raw, "utf-16-le", "UTF-16 LE", file), "UTF-16 LE"
        if even > 0.4 * len(head) / 2 and odd == 0:
            return _decoded(raw, "utf-16-be", "UTF-16 BE", file), "UTF-16 BE"
        raise ResponseError("not a CSV text file: it contains binary data (NUL bytes)",
                            file=file)
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as error:
        first_bad = error.start
    if _UTF8_SEQUENCE.search(raw) is not None:
        _refuse_mixed(raw, first_bad, file)
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise ResponseError("not a CSV text file: neither UTF-8, UTF-16 nor Windows-1252 text",
                            file=file) from None


#: A multi-byte UTF-8 sequence (an accented letter written as UTF-8): in a file that is not
#: valid UTF-8, it shows that lines of two encodings were mixed.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                            rb"|[\xf0-\xf4][\x80-\xbf]{3}")


def _refuse_mixed(raw: bytes, first_bad: int, file: str) -> None:
    """Refuse a file that is UTF-8 except some lines (pasted from a Windows-1252 file),
    naming the lines that are not UTF-8.

    Decoding the whole file as Windows-1252 would turn every UTF-8 accent into two
    characters (``prénom`` -> ``prÃ©nom``) and decoding line by line would guess an
    encoding per respondent: either changes answers, ids or labels without a word, so the
    file is refused and re-saved as UTF-8 by the user, who can see what the lines hold.
    """
    start = raw.rfind(b"\n", 0, first_bad) + 1
    bad = []
    line_number = raw.count(b"\n", 0, start) + 1
    for line in raw[start:].split(b"\n"):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(line_number)
        line_number += 1
    shown = ", ".join(str(n) for n in bad[:10]) + (" ..." if len(bad) > 10 else "")
    raise ResponseError(
        f"mixed encodings: the file is UTF-8 except line(s) {shown} ({len(bad)} line(s) "
        "in another encoding, e.g. Windows-1252, as when rows are pasted from another "
        "file); open it in an editor, fix those lines and save the file as UTF-8",
        file=file)


def _decoded(raw: bytes, encoding: str, name: str, file: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise ResponseError(f"not valid {name} text (byte {error.start})", file=file) from None


# --------------------------------------------------------------------------- text
def _delimiter(text: str) -> str:
    """The delimiter found most often outside quotes in the header record."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for character in text[:1_000_000]:
        if character == '"':
            quoted = not quoted
        elif not quoted:
            if character == "\n":
                break
            if character in counts:
                counts[character] += 1
    return max(_DELIMITERS, key=lambda d: counts[d])


def _header_rows(text: str, count: int) -> tuple[list[list[str]], str, list[int]]:
    """The first ``count`` records, the delimiter and the character offset after each.

    Read from a growing prefix of the text (a header row can be long, the file longer),
    keeping only records that end before the prefix does.
    """
    delimiter = _delimiter(text)
    size = 1 << 20
    while True:
        prefix = text[:size]
        rows, offsets = _first_records(prefix, delimiter, count)
        complete = [k for k, end in enumerate(offsets) if end < len(prefix)]
        if len(prefix) == len(text):
            return rows, delimiter, offsets
        if len(complete) >= count:
            return rows[:count], delimiter, offsets[:count]
        size *= 8


def _first_records(text: str, delimiter: str, count: int) -> tuple[list[list[str]], list[int]]:
    consumed = 0

    def lines():
        nonlocal consumed
        for line in io.StringIO(text, newline=""):
            consumed += len(line)
            yield line

    rows: list[list[str]] = []
    offsets: list[int] = []
    reader = csv.reader(lines(), delimiter=delimiter)
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # a long question text is a field, not an error
    try:
        for row in reader:
            if not row:  # a blank line is not a row
                continue
            rows.append(row)
            offsets.append(consumed)  # the record's last line has just been read
            if len(rows) == count:
                break
    except csv.Error:
        pass
    finally:
        csv.field_size_limit(limit)
    return rows, offsets


def read_text(path: Path, file: str, raw: bytes) -> Table:
    """A delimited text file as a :class:`Table` (see the module docstring)."""
    text, encoding = decode(raw, file)
    # a byte-order mark written twice (a file saved with one, then prefixed again) is not
    # part of the first column's name
    text = text.lstrip("\ufeff")
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")  # old Mac line ends
    rows, delimiter, offsets = _header_rows(text, 3)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ResponseError("the file has no header row", file=file)
    header = [cell.strip() for cell in rows[0]]
    preview = [list(row) for row in rows[1:3]]

    def load(skip: int, text_columns: set[int]) -> tuple[pd.DataFrame, pd.Index]:
        if len(offsets) <= skip:
            raise ResponseError("the file has a header but no data rows", file=file)
        body = text[offsets[skip]:].encode("utf-8")
        return _parse(body, header, delimiter, text_columns, file)

    description = f"{encoding} text, {_NAMES[delimiter]}-separated"
    return Table(file=file, container="text", description=description, header=header,
                 preview=preview, load=load)


def _records(body: bytes, delimiter: str, n: int) -> int | None:
    """Number of non-blank records of ``body`` when every one has ``n`` fields, else None.

    pandas refuses a record with too many fields and pads one with too few; so when no
    record is too long (pandas' check) and the delimiters outside quotes number exactly
    ``n - 1`` per record, none is too short either. Counted vectorised over the bytes: a
    record ends at a newline outside quotes, the quote state being the running parity of
    quote characters (a doubled quote inside a quoted field toggles it twice).
    """
    data = np.frombuffer(body, dtype=np.uint8)
    if data.size == 0:
        return 0
    newline, separator = data == ord("\n"), data == ord(delimiter)
    if b'"' in body:
        quoted = np.bitwise_xor.accumulate(data == ord('"'), dtype=np.uint8).view(bool)
        newline &= ~quoted
        separator &= ~quoted
    ends = np.flatnonzero(newline)
    if ends.size == 0 or ends[-1] != data.size - 1:
        ends = np.append(ends, data.size)
    starts = np.concatenate(([0], ends[:-1] + 1))
    length = ends - starts
    last = data[np.clip(ends - 1, 0, data.size - 1)]
    blank = (length == 0) | ((length == 1) & (last == ord("\r")))
    records = int((~blank).sum())
    return records if int(np.count_nonzero(separator)) == (n - 1) * records else None


def _parse(body: bytes, header: list[str], delimiter: str, text_columns: set[int],
           file: str) -> tuple[pd.DataFrame, pd.Index]:
    n = len(header)
    records = _records(body, delimiter, n)
    if records is None:
        return _parse_with_csv(body, header, delimiter, file)
    if records == 0:
        raise ResponseError("the file has a header but no data rows", file=file)
    if len(text_columns) > _WIDE_TEXT and records < _SHORT:
        # pandas costs about 50-100 us per column whatever the rows; with many text
        # columns and few rows the csv module (one object block) is linear and faster
        return _parse_with_csv(body, header, delimiter, file)
    try:
        frame = pd.read_csv(
            io.BytesIO(body), sep=delimiter, header=None, names=list(range(n)),
            dtype={p: object for p in text_columns}, keep_default_na=False, na_values=[""],
            skip_blank_lines=True, low_memory=False, engine="c", encoding="utf-8",
            quoting=csv.QUOTE_MINIMAL,
        )
    except (pd.errors.ParserError, ValueError):  # a record too long: named exactly below
        return _parse_with_csv(body, header, delimiter, file)
    if len(frame) != records:
        return _parse_with_csv(body, header, delimiter, file)
    return frame, pd.RangeIndex(1, len(frame) + 1, name="row")


def _parse_with_csv(body: bytes, header: list[str], delimiter: str, file: str
                    ) -> tuple[pd.DataFrame, pd.Index]:
    """The exact, slower path: the :mod:`csv` module names malformed rows."""
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # a 200,000-character comment is a field, not an error
    try:
        reader = csv.reader(io.StringIO(body.decode("utf-8"), newline=""),
                            delimiter=delimiter)
        try:
            rows = [row for row in reader if row]
        except csv.Error as error:
            raise ResponseError(f"not a valid CSV file (line {reader.line_num} of the data): "
                                f"{error}", file=file) from None
    finally:
        csv.field_size_limit(limit)
    if not rows:
        raise ResponseError("the file has a header but no data rows", file=file)
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    wrong = np.flatnonzero(lengths != len(header))
    if wrong.size:
        raise ResponseError(
            f"data row has {lengths[wrong[0]]} fields but the header has {len(header)}: "
            "not a well-formed CSV file (a stray delimiter or quote?)",
            file=file, rows=(wrong + 1).tolist(),
        )
    cells = np.empty((len(rows), len(header)), dtype=object)  # one block, however wide
    cells[:] = rows
    cells[cells == ""] = None
    frame = pd.DataFrame(cells, columns=list(range(len(header))), dtype=object)
    return frame, pd.RangeIndex(1, len(frame) + 1, name="row")


# --------------------------------------------------------------------------- Excel
_COLUMN = re.compile(r"([A-Z]+)(\d+)")


def _check_archive(raw: bytes, file: str) -> None:
    """Refuse a workbook too large to read before openpyxl parses anything: the members'
    declared uncompressed sizes (total and ratio to the file's size), then the cells that
    hold something in the first sheet, counted on its decompressed XML as it streams and
    stopped as soon as they would need more than the memory budget."""
    def error(message: str) -> ResponseError:
        return ResponseError(message, file=file)

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            total = sum(info.file_size for info in members)
            if total > MAX_EXCEL_BYTES:
                raise error(f"the workbook unpacks to {total:,} bytes; at most "
                            f"{MAX_EXCEL_BYTES:,} are read (export the sheet as CSV)")
            check_ratio(len(raw), total, error, "the workbook")
            sheet = _first_sheet(archive)
            if sheet is not None:
                cells = _count_cells(archive, sheet, MAX_EXCEL_CELLS)
                if cells > MAX_EXCEL_CELLS:
                    raise error(
                        f"the first sheet holds more than {MAX_EXCEL_CELLS:,} cells with a "
                        f"value ({sheet} unpacks to {archive.getinfo(sheet).file_size:,} "
                        f"bytes); reading them would need more than "
                        f"{size_text(MAX_EXCEL_CELLS * BYTES_PER_EXCEL_CELL)} of memory "
                        f"(about {BYTES_PER_EXCEL_CELL} bytes a cell): export the sheet as CSV")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error,
            NotImplementedError, RuntimeError) as failure:  # damaged, encrypted, foreign
        raise error(f"cannot be read as an Excel workbook ({failure})") from None


_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]+)"')
_TARGET = re.compile(rb'<Relationship\b[^>]*>')


def _first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The archive member of the workbook's first sheet (the one openpyxl reads), from
    ``xl/workbook.xml`` and its relationships; None when they cannot be read."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    if max(archive.getinfo(n).file_size for n in ("xl/workbook.xml",
                                                   "xl/_rels/workbook.xml.rels")) > 1 << 24:
        return None
    found = _SHEET.search(archive.read("xl/workbook.xml"))
    if found is None:
        return None
    for relation in _TARGET.findall(archive.read("xl/_rels/workbook.xml.rels")):
        if f'Id="{found.group(1).decode("ascii", "replace")}"'.encode() in relation:
            target = re.search(rb'Target="([^"]+)"', relation)
            if target is None:
                return None
            name = target.group(1).decode("utf-8", "replace")
            name = name.lstrip("/") if name.startswith("/") else "xl/" + name
            return name if name in names else None
    return None


def _count_cells(archive: zipfile.ZipFile, member: str, cap: int) -> int:
    """Cells holding a value, a formula or an inline string in a sheet's XML (the ``<v>``,
    ``<f>`` and ``<is>`` elements), counted while it decompresses; stops above ``cap``."""
    tags = (b"<v>", b"<v ", b"<f>", b"<f ", b"<is>")
    count = 0
    tail = b""  # the last bytes of the previous chunk: a tag may straddle two chunks
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 22):
            data = tail + chunk
            # tags wholly inside ``tail`` were counted with the previous chunk
            count += sum(data.count(t) - tail.count(t) for t in tags)
            tail = data[-4:]
            if count > cap:
                return count
    return count


def read_excel(raw: bytes, file: str) -> Table:
    """The first sheet of an .xlsx/.xlsm workbook (its bytes) as a :class:`Table`."""
    import openpyxl  # imported here: only Excel files need it

    _check_archive(raw, file)
    values, kinds = _sheet_cells(raw, file, openpyxl, data_only=False)
    formulas = {(r, c) for (r, c), kind in kinds.items() if kind == "f"}
    cached = _sheet_cells(raw, file, openpyxl, data_only=True)[0] if formulas else {}
    grid, dense_row = _dense(values, file)
    if not grid:
        raise ResponseError("the workbook's first sheet is empty", file=file)
    header = ["" if v is None else str(v).strip() for v in grid[0]]
    while header and not header[-1]:
        header.pop()  # columns right of the last header cell hold no data (checked below)
    width = len(header)
    body = [row[:width] for row in grid[1:]]
    sheet_row = {k: r for r, k in dense_row.items()}
    stray = next(((k, c) for k, row in enumerate(grid[1:], 1) for c in range(width, len(row))
                  if row[c] is not None), None)
    if stray is not None:
        raise ResponseError(f"cell {_letters(stray[1])}{sheet_row[stray[0]] + 1} holds a value "
                            "in a column without a header: delete it, or name the column",
                            file=file)
    formula_cells: dict[int, list[tuple[int, str]]] = {}
    for (r, c) in sorted(formulas):
        row = dense_row[r] - 1  # data row (0-based) of sheet row r
        if row >= 0:
            formula_cells.setdefault(c, []).append((row, str(values[(r, c)])))
            # the value Excel stored, else the formula itself (never a silent blank);
            # in an item column the cell is refused or flagged whatever it holds
            body[row][c] = cached.get((r, c), values[(r, c)])
    preview = [["" if v is None else str(v) for v in row] for row in body[:2]]

    def load(skip: int, text_columns: set[int]) -> tuple[pd.DataFrame, pd.Index]:
        rows = body[skip:]
        if not rows:
            raise ResponseError("the sheet has a header but no data rows", file=file)
        frame = pd.DataFrame(rows, columns=list(range(width)), dtype=object)
        frame = frame.map(lambda v: None if isinstance(v, str) and not v.strip() else v)
        return frame, pd.RangeIndex(1, len(rows) + 1, name="row")

    table = Table(file=file, container="excel", description="Excel workbook (first sheet)",
                  header=header, preview=preview, load=load)
    for column, cells in formula_cells.items():
        mask = np.zeros(len(body), dtype=bool)
        mask[[r for r, _ in cells]] = True
        table.formulas[column] = mask
        table.formula_texts[column] = [text for _, text in cells]
    return table


def _sheet_cells(raw: bytes, file: str, openpyxl: object, data_only: bool
                 ) -> tuple[dict[tuple[int, int], object], dict[tuple[int, int], str]]:
    """Non-empty cells of the first sheet, by (row, column) from 0, with their data type;
    the declared dimension is ignored and the cells present are capped."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=data_only)
    except Exception as error:  # openpyxl raises many types for a damaged or foreign file
        raise ResponseError(f"cannot be read as an Excel workbook ({error})", file=file
                            ) from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # never trust the declared <dimension ref="A1:XFD1048576">
        values: dict[tuple[int, int], object] = {}
        kinds: dict[tuple[int, int], str] = {}
        for r, row in enumerate(sheet.iter_rows()):
            if r >= EXCEL_ROWS:
                break
            for cell in row:
                value = getattr(cell, "value", None)
                if value is None:
                    continue
                c = cell.column - 1
                if c >= EXCEL_COLUMNS:
                    break
                values[(r, c)] = value
                kinds[(r, c)] = cell.data_type
                if len(values) > MAX_EXCEL_CELLS:
                    raise ResponseError(f"the sheet has more than {MAX_EXCEL_CELLS:,} cells; "
                                        "export it as CSV", file=file)
    finally:
        book.close()
    return values, kinds


def _dense(values: dict[tuple[int, int], object], file: str
           ) -> tuple[list[list[object]], dict[int, int]]:
    """Rows of the used range, blank rows dropped, and each sheet row's place among them."""
    if not values:
        return [], {}
    rows = sorted({r for r, _ in values})
    width = 1 + max(c for _, c in values)
    if len(rows) * width > MAX_EXCEL_CELLS:
        last = max(c for _, c in values)
        raise ResponseError(
            f"the sheet's used range is {len(rows):,} rows x {width:,} columns (up to column "
            f"{_letters(last)}); at most {MAX_EXCEL_CELLS:,} cells are read: delete the stray "
            "cells or export the sheet as CSV", file=file)
    index = {r: k for k, r in enumerate(rows)}
    grid: list[list[object]] = [[None] * width for _ in rows]
    for (r, c), value in values.items():
        grid[index[r]][c] = value
    return grid, index


def _letters(column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
