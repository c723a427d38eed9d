"""Reading response files (CSV, Excel, REDCap, Qualtrics) into item columns, refusing bad data.

One job: turn a survey export (or a DataFrame) into one row per respondent with one float
column per item of a :class:`~alliance_scale.scale.Scale`, or refuse it with a
:class:`~alliance_scale.errors.ResponseError` naming the file, the column and the rows.

Why hand-written: the CSV is parsed with the standard :mod:`csv` module rather than
``pandas.read_csv`` because pandas silently pads rows that have too few fields and
silently skips the malformed rows that a survey export must never lose; every structural
fault (empty file, binary file, wrong field count, header only, missing Qualtrics header
rows) is refused here with the data row named. Excel files are read with pandas/openpyxl.

Naming contract (see :mod:`.exports`): REDCap field names are the item ids lower-cased,
Qualtrics export tags and plain CSV/Excel headers are the item ids. Column names are
matched to item ids case-insensitively.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._checks import check_choice, check_unique_columns, code_problems, is_boolean
from ..errors import ResponseError

if TYPE_CHECKING:
    from ..instrument._scale import Scale

__all__ = [
    "ID_COLUMN_NAMES",
    "read_responses",
]

#: Export formats understood by :func:`read_responses`.
SOURCES = ("csv", "redcap", "qualtrics")
#: What to do with an invalid answer: refuse the data, or set it to missing and flag the row.
ERRORS = ("raise", "flag")
#: Name of the column describing each row's invalid answers ("" when none).
PROBLEMS_COLUMN = "problems"
#: Usual respondent-id column names, searched (case-insensitively, in this order) in a plain
#: CSV or Excel file read without ``id_column``; the first one found is the id column.
ID_COLUMN_NAMES = ("respondent", "respondent_id", "participant", "participant_id", "id",
                   "record_id", "ResponseId", "subject")

_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
_REDCAP_KEYS = ("redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance")
_ITEM_SHAPE = re.compile(r"^([A-Za-z])\d+[A-Za-z]?_\d+$")
_DATAFRAME = "<DataFrame>"
_EXAMPLE_LENGTH = 20  # characters of an invalid text value quoted in an exception message

_NOT_A_CODE = "not a response code (neither a number nor an anchor label)"
_BOOLEAN = "not a response code (True/False)"
_NOT_INTEGER = "not an integer code"


# --------------------------------------------------------------------------- file level
def _refuse_binary(raw: bytes, file: str) -> None:
    head = raw[:8192]
    kinds = {b"%PDF": "a PDF document", b"PK\x03\x04": "a ZIP archive (an Excel .xlsx file?)",
             b"\xd0\xcf\x11\xe0": "an old Office (.xls/.doc) file"}
    for magic, kind in kinds.items():
        if head.startswith(magic):
            raise ResponseError(f"not a CSV text file: it is {kind}", file=file)
    if b"\x00" in head:
        raise ResponseError("not a CSV text file: it contains binary data (NUL bytes)", file=file)


def _decode(raw: bytes, file: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ResponseError("not a CSV text file: neither UTF-8 nor Windows-1252 text", file=file)


def _csv_rows(path: Path, file: str) -> list[list[object]]:
    raw = path.read_bytes()
    if not raw:
        raise ResponseError("empty file (0 bytes)", file=file)
    _refuse_binary(raw, file)
    text = _decode(raw, file)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ResponseError(f"not a valid CSV file (line {reader.line_num} of the file): {exc}",
                            file=file) from exc
    return [row for row in rows if row]  # blank lines are not rows


def _excel_rows(path: Path, file: str) -> list[list[object]]:
    if path.stat().st_size == 0:
        raise ResponseError("empty file (0 bytes)", file=file)
    try:
        sheet = pd.read_excel(path, header=None, dtype=object)
    except Exception as exc:  # openpyxl/xlrd raise many types for a non-Excel file
        raise ResponseError(f"cannot be read as an Excel workbook: {exc}", file=file) from exc
    sheet = sheet.dropna(how="all")
    return [[None if _is_blank(v) else v for v in row] for row in sheet.to_numpy().tolist()]


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or (
        isinstance(value, str) and not value.strip()
    )


def _is_import_id(value: object) -> bool:
    return isinstance(value, str) and value.lstrip().startswith('{"ImportId"')


def _frame_from_rows(rows: list[list[object]], source: str, file: str) -> pd.DataFrame:
    """Header row(s) + data rows -> object DataFrame indexed by 1-based data-row number."""
    n_header = 3 if source == "qualtrics" else 1
    if source == "qualtrics" and (
        len(rows) < 3 or not any(_is_import_id(v) for v in rows[2])
    ):
        raise ResponseError(
            "not a Qualtrics response export with its 3 header rows (export tags, question "
            'texts, {"ImportId": ...}); export with "Use numeric values" or "Use choice '
            'text" as CSV, or read it with source="csv"', file=file,
        )
    if not rows:
        raise ResponseError("the file has no header row", file=file)
    header = ["" if _is_blank(h) else str(h).strip() for h in rows[0]]
    data = rows[n_header:]
    if not data:
        raise ResponseError("the file has a header but no data rows", file=file)
    lengths = np.fromiter((len(r) for r in data), dtype=np.int64, count=len(data))
    wrong = np.flatnonzero(lengths != len(header))
    if wrong.size:
        raise ResponseError(
            f"data row has {lengths[wrong[0]]} fields but the header has {len(header)}: "
            "not a well-formed CSV file (a stray delimiter or quote?)",
            file=file, rows=(wrong + 1).tolist(),
        )
    if "" in header:
        raise ResponseError(f"header cell {header.index('') + 1} is empty", file=file)
    frame = pd.DataFrame(data, columns=header, dtype=object)
    frame.index = pd.RangeIndex(1, len(data) + 1, name="row")
    return frame.mask(frame.apply(lambda column: column.map(_is_blank)))


def _drop_qualtrics_header_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """A Qualtrics CSV read with pandas keeps question texts and ImportIds as 2 data rows."""
    if len(frame) >= 2 and any(_is_import_id(v) for v in frame.iloc[1]):
        return frame.iloc[2:]
    return frame


# --------------------------------------------------------------------------- columns
def _map_columns(frame: pd.DataFrame, scale: Scale, file: str) -> pd.DataFrame:
    """Rename columns to item ids (case-insensitive); refuse missing or unknown items."""
    item_ids = scale.item_ids  # built once, not per column
    by_lower = {item_id.lower(): item_id for item_id in item_ids}
    renamed: dict[Hashable, str] = {}
    for column in frame.columns:
        item_id = by_lower.get(str(column).strip().lower())
        if item_id is None:
            continue
        if item_id in renamed.values():
            raise ResponseError(f"item {item_id!r} appears in two columns", file=file,
                                column=str(column))
        renamed[column] = item_id
    frame = frame.rename(columns=renamed)
    mapped = set(renamed.values())
    missing = [i for i in item_ids if i not in mapped]
    if missing:
        raise ResponseError(
            f"{len(missing)} item column(s) of scale {scale.name!r} missing: "
            + ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else ""),
            file=file, column=missing[0],
        )
    initials = {i[0].lower() for i in item_ids}
    known = set(item_ids)
    for column in frame.columns:
        match = _ITEM_SHAPE.match(str(column).strip())
        if column not in known and match and match.group(1).lower() in initials:
            raise ResponseError(
                f"column looks like an item but is not in scale {scale.name!r} "
                f"(version {scale.version}); was the file fielded with another version?",
                file=file, column=str(column),
            )
    check_unique_columns(frame, "duplicate column name", ResponseError, file)
    return frame


# --------------------------------------------------------------------------- values
def _label_codes(scale: Scale) -> dict[str, int]:
    """Anchor label (stripped, case-folded, either language) -> response code."""
    codes: dict[str, int] = {}
    ambiguous: set[str] = set()
    for language in ("fr", "en"):
        for code, label in enumerate(scale.response_format.labels(language), start=scale.min_value):
            key = label.strip().casefold()
            if codes.setdefault(key, code) != code:
                ambiguous.add(key)
    return {k: v for k, v in codes.items() if k not in ambiguous}


def plain_value(value: object) -> str:
    """A number as a reader writes it (``9``, ``9.5``, never ``np.float64(9.0)``); a boolean
    as ``True``/``False``; anything else as its quoted text trimmed to 20 characters.

    Used in exception messages only: a result never stores a respondent's free text.

    Parameters
    ----------
    value : object
        An answer as read (number, boolean, text...).

    Returns
    -------
    str
    """
    if is_boolean(value):
        return str(bool(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return f"{float(value):.15g}"
    text = str(value)
    return repr(text[:_EXAMPLE_LENGTH]) + ("..." if len(text) > _EXAMPLE_LENGTH else "")


def _check_item(
    column: pd.Series, scale: Scale, labels: dict[str, int]
) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
    """Codes of one item column (float, NaN = missing) and its problems (kind, row mask)."""
    if pd.api.types.is_bool_dtype(column):
        values = np.full(len(column), np.nan)
        problems = [(_BOOLEAN, column.notna().to_numpy())]
    elif pd.api.types.is_numeric_dtype(column):
        values = column.to_numpy(dtype=float, na_value=np.nan)
        problems = []
    else:  # object column: booleans are refused, not coded 1/0 as pd.to_numeric would
        boolean = column.map(is_boolean).to_numpy(dtype=bool)
        present = (column.notna().to_numpy() & ~column.map(_is_blank).to_numpy(dtype=bool)
                   & ~boolean)
        numeric = np.array(pd.to_numeric(column.where(present), errors="coerce"), dtype=float)
        text = present & np.isnan(numeric)
        if text.any():
            keys = column[text].astype(str).str.strip().str.casefold()
            numeric[text] = keys.map(labels).to_numpy(dtype=float)
        not_code = present & np.isnan(numeric)
        values = numeric
        problems = [(_BOOLEAN, boolean), (_NOT_A_CODE, not_code)]
    low, high = scale.min_value, scale.max_value
    not_integer, outside = code_problems(values, low, high)
    problems.append((_NOT_INTEGER, not_integer))
    problems.append((f"outside the response range {low}-{high}", outside))
    return values, [(kind, mask) for kind, mask in problems if mask.any()]


def _shown(kind: str, original: object, code: float) -> str:
    """The offending value for an exception message (text trimmed to 20 characters)."""
    return plain_value(original if kind in (_BOOLEAN, _NOT_A_CODE) else code)


def _note(item_id: str, kind: str, original: object, code: float, scale: Scale) -> str:
    """One invalid answer for the ``problems`` column, never echoing a respondent's text."""
    if kind == _BOOLEAN:
        return f"{item_id}: {bool(original)}, {kind}"
    if kind == _NOT_A_CODE:
        what = "text" if isinstance(original, str) else type(original).__name__
        return f"{item_id}: {what}, not a response code"
    if kind == _NOT_INTEGER:
        return f"{item_id}: {plain_value(code)} {kind}"
    return f"{item_id}: {plain_value(code)} outside {scale.min_value}-{scale.max_value}"


def _check_values(
    frame: pd.DataFrame, scale: Scale, errors: str, file: str
) -> tuple[pd.DataFrame, dict[int, list[str]]]:
    """Item columns as float codes; invalid answers raise or become NaN and are described."""
    labels = _label_codes(scale)
    columns: dict[str, np.ndarray] = {}
    notes: dict[int, list[str]] = {}
    for item_id in scale.item_ids:
        original = frame[item_id]
        codes, problems = _check_item(original, scale, labels)
        values = codes
        for kind, mask in problems:
            positions = np.flatnonzero(mask)
            if errors == "raise":
                first = positions[0]
                raise ResponseError(
                    f"{kind}, such as {_shown(kind, original.iloc[first], codes[first])}",
                    file=file, column=item_id, rows=list(frame.index[positions]),
                )
            for position in positions:
                notes.setdefault(int(position), []).append(
                    _note(item_id, kind, original.iloc[position], codes[position], scale)
                )
            values = np.where(mask, np.nan, values)
        columns[item_id] = values
    return pd.DataFrame(columns, index=frame.index), notes


# --------------------------------------------------------------------------- ids
def _usual_id_column(frame: pd.DataFrame) -> str | None:
    """The first of :data:`ID_COLUMN_NAMES` that is a column (case-insensitive), if any."""
    by_lower: dict[str, str] = {}
    for column in frame.columns:
        by_lower.setdefault(str(column).strip().lower(), column)
    found = (by_lower.get(name.lower()) for name in ID_COLUMN_NAMES)
    return next((column for column in found if column is not None), None)


def _given_id_column(frame: pd.DataFrame, id_column: object, file: str) -> str:
    """``id_column`` checked: a string naming a column of ``frame``."""
    if not isinstance(id_column, str):
        raise ResponseError(
            f"id_column must be a column name, None or False, got {id_column!r}", file=file
        )
    if id_column not in frame.columns:
        raise ResponseError("id_column is not a column of the data", file=file, column=id_column)
    return id_column


def _repeated(ids: pd.Index | pd.DataFrame) -> np.ndarray:
    """Mask of the rows whose respondent id appears more than once (every copy marked)."""
    return np.asarray(ids.duplicated(keep=False), dtype=bool)


def index_by_id(
    frame: pd.DataFrame, id_column: str | bool | None, what: str = _DATAFRAME
) -> pd.DataFrame:
    """``frame`` indexed by respondent id, refusing repeated ids (the rule of read_responses).

    Parameters
    ----------
    frame : DataFrame
        One row per respondent.
    id_column : str, False or None
        Column holding the id; False: the index; None: the first of
        :data:`ID_COLUMN_NAMES` that is a column (case-insensitive), else the index.
    what : str, default "<DataFrame>"
        Name of the table in messages (``"first"``, ``"second"``...).

    Returns
    -------
    DataFrame
        Same rows and order, indexed by id (the id column removed).

    Raises
    ------
    ResponseError
        ``id_column`` not a column, or an id repeated (the message lists the ids).
    """
    if id_column is None:
        column = _usual_id_column(frame)
    elif id_column is False:
        column = None
    else:
        column = _given_id_column(frame, id_column, what)
    if column is not None:
        frame = frame.set_index(column)
    repeated = _repeated(frame.index)
    if repeated.any():
        raise ResponseError(f"duplicate respondent id ({column or 'index'})", file=what,
                            column=column, rows=list(frame.index[repeated]))
    return frame


def _id_columns(
    frame: pd.DataFrame, items: list[str], source: str, id_column: str | bool | None,
    file: str,
) -> tuple[list[str], bool]:
    """The respondent-id column(s), and whether they were inferred from a usual name."""
    if id_column is False:
        return [], False
    if id_column is not None:
        return [_given_id_column(frame, id_column, file)], False
    if source == "redcap":
        first = "record_id" if "record_id" in frame.columns else frame.columns[0]
        if first in items:  # no record id column at all
            return [], False
        return [first] + [c for c in _REDCAP_KEYS if c in frame.columns], False
    if source == "qualtrics":
        found = [c for c in frame.columns if str(c).lower() == "responseid"]
        return found[:1], False
    if file == _DATAFRAME:  # a frame brings its own index
        return [], False
    usual = _usual_id_column(frame)
    return ([usual], True) if usual is not None else ([], False)


def _check_ids(
    frame: pd.DataFrame, id_columns: list[str], errors: str, file: str,
    notes: dict[int, list[str]], check_index: bool, inferred: bool = False,
) -> None:
    """Refuse (or flag) duplicate and missing respondent ids (a frame's index if asked).

    Ids are compared as they will appear in the index (``"01"`` and ``"1"`` are both 1).
    """
    if id_columns:
        keys = frame[id_columns].apply(_as_numbers_where_possible)
        blank = keys.iloc[:, 0].isna().to_numpy()
        duplicated = _repeated(keys) & ~blank
        what, column = " + ".join(id_columns), id_columns[0]
    else:
        if file != _DATAFRAME or not check_index:
            return
        blank = np.zeros(len(frame), dtype=bool)
        duplicated = _repeated(frame.index)
        what, column = "index", None
    for kind, mask in (("missing respondent id", blank),
                       (f"duplicate respondent id ({what})", duplicated)):
        positions = np.flatnonzero(mask)
        if not positions.size:
            continue
        if errors == "raise":
            hint = (f" ({column!r} was taken as the id column by its name; pass "
                    "id_column=False to read the file without ids)") if inferred else ""
            raise ResponseError(kind + hint, file=file, column=column,
                                rows=list(frame.index[positions]))
        for position in positions:
            notes.setdefault(int(position), []).append(kind)


def _as_numbers_where_possible(column: pd.Series) -> pd.Series:
    numeric = pd.to_numeric(column, errors="coerce")
    return numeric if numeric.notna().sum() == column.notna().sum() else column


# --------------------------------------------------------------------------- public
def read_responses(
    path_or_frame: str | Path | pd.DataFrame,
    scale: Scale,
    *,
    source: str = "csv",
    errors: str = "raise",
    id_column: str | bool | None = None,
) -> pd.DataFrame:
    """Read survey responses to ``scale`` into one row per respondent, refusing bad data.

    Parameters
    ----------
    path_or_frame : str, Path or DataFrame
        A file path or an already loaded table (one row per respondent).
    scale : Scale
        The scale that was fielded: gives the item ids, the response range
        (``min_value..max_value``) and the anchor labels.
    source : {"csv", "redcap", "qualtrics"}, default "csv"
        ``"csv"``: one header row of item ids (comma, semicolon or tab separated; UTF-8
        or Windows-1252); a path ending in ``.xlsx``/``.xlsm``/``.xls`` is read as Excel
        (first sheet). ``"redcap"``: REDCap flat export (``record_id``, optional
        ``redcap_event_name``/``redcap_repeat_instrument``/``redcap_repeat_instance``,
        fields = item ids lower-cased, ``<form>_complete``). ``"qualtrics"``: Qualtrics
        CSV with its 3 header rows (export tags = item ids, question texts, ImportId
        JSON); a DataFrame loaded with ``pandas.read_csv`` from such a file has its two
        extra header rows removed.
    errors : {"raise", "flag"}, default "raise"
        ``"raise"`` refuses the first invalid answer, listing every row with that problem
        in that column. ``"flag"`` keeps every row, sets invalid answers to NaN and
        describes them in the ``problems`` column (``"C1_2: 9 outside 1-5"``; a text
        answer is described as ``"C1_2: text, not a response code"``, never quoted, since
        response data are health data); duplicate or missing respondent ids are flagged
        the same way. Structural faults (file not readable, item columns missing, unknown
        item-like columns) are always refused.
    id_column : str or False, optional
        Column holding the respondent id; ``False`` for none (the index is then the
        data-row number, and ids are not checked). Default (None): ``record_id`` (or the
        first column) plus the event/repeat columns present for REDCap, ``ResponseId`` for
        Qualtrics; for a CSV or Excel file, the first of :data:`ID_COLUMN_NAMES`
        (``respondent``, ``respondent_id``, ``participant``, ``participant_id``, ``id``,
        ``record_id``, ``ResponseId``, ``subject``; in this order, matched
        case-insensitively) that is a column, else none. A DataFrame keeps its own index
        unless ``id_column`` is given.

    Returns
    -------
    DataFrame
        Exactly the input rows, in the input order. Index: the respondent id (a
        MultiIndex with the REDCap event/repeat columns when present); without an id
        column, the 1-based data-row number of the file (index name ``"row"``) or the
        DataFrame's own index. Columns: the scale's items in administration order (float
        codes, NaN = missing; anchor labels mapped to codes), then every other column of
        the input (metadata; converted to numbers when all its values are numeric), then
        ``problems`` (str, ``""`` for a clean row; always present).

    Raises
    ------
    ResponseError
        With ``file=`` (the path, or ``"<DataFrame>"``), ``column=`` and ``rows=``. For a
        file, rows are 1-based data-row numbers (the first row after the header row(s) is
        row 1; blank lines are not counted); for a DataFrame, index labels. Refused: a
        missing, empty (0 bytes), binary (PDF, ZIP, NUL bytes) or header-only file; rows
        whose field count differs from the header's; a Qualtrics file without its 3
        header rows; item columns missing; columns that look like items of the scale but
        are not in it (``<letter><digits>[letter]_<digits>`` starting with the letter of
        one of its items, e.g. ``A1a_9``; Qualtrics default tags such as ``Q9`` or
        ``Q3_4`` are kept as other columns unless the scale has items starting with Q);
        duplicate or missing respondent ids; values that are not numbers or anchor
        labels, not integers, or outside the response range; booleans (``True``/``False``,
        in a boolean column or among other values), which are not response codes. The
        message quotes one offending value (text trimmed to 20 characters).
    """
    return _read(path_or_frame, scale, source=source, errors=errors, id_column=id_column,
                 check_index=True)


def _read(
    path_or_frame: str | Path | pd.DataFrame,
    scale: Scale,
    *,
    source: str,
    errors: str,
    id_column: str | bool | None,
    check_index: bool,
) -> pd.DataFrame:
    """:func:`read_responses`; ``check_index=False`` (used by scoring) accepts a frame whose
    index repeats a label, since scoring does not need unique ids."""
    check_choice("source", source, SOURCES)
    check_choice("errors", errors, ERRORS)
    if isinstance(path_or_frame, pd.DataFrame):
        file = _DATAFRAME
        frame = path_or_frame
        if source == "qualtrics":
            frame = _drop_qualtrics_header_rows(frame)
        check_unique_columns(frame, "duplicate column name", ResponseError, file)
        if len(frame) == 0:
            raise ResponseError("the DataFrame has no rows", file=file)
    elif isinstance(path_or_frame, (str, Path)):
        path = Path(path_or_frame)
        file = str(path_or_frame)
        if not path.is_file():
            raise ResponseError("no such file", file=file)
        excel = path.suffix.lower() in _EXCEL_SUFFIXES
        rows = _excel_rows(path, file) if excel else _csv_rows(path, file)
        frame = _frame_from_rows(rows, source, file)
    else:
        raise ResponseError(
            f"expected a file path or a DataFrame, got {type(path_or_frame).__name__}"
        )
    earlier = frame[PROBLEMS_COLUMN] if PROBLEMS_COLUMN in frame.columns else None
    frame = _map_columns(frame.drop(columns=[PROBLEMS_COLUMN], errors="ignore"), scale, file)
    items, notes = _check_values(frame, scale, errors, file)
    id_columns, inferred = _id_columns(frame, scale.item_ids, source, id_column, file)
    _check_ids(frame, id_columns, errors, file, notes, check_index, inferred)

    known = set(scale.item_ids)
    others = [c for c in frame.columns if c not in known]
    out = items
    for column in others:  # positional: the index may hold duplicates when errors="flag"
        out[column] = _as_numbers_where_possible(frame[column]).to_numpy()
    problems = np.full(len(frame), "", dtype=object)
    for position, described in notes.items():
        problems[position] = "; ".join(described)
    if earlier is not None:
        before = earlier.fillna("").astype(str).to_numpy()
        pairs = zip(before, problems, strict=True)
        problems = np.array(["; ".join(p for p in pair if p) for pair in pairs], dtype=object)
    out[PROBLEMS_COLUMN] = problems
    if id_columns:
        out = out.set_index(id_columns)
    return out
