"""Reading survey responses: the dispatcher of :func:`read_responses`.

One job: turn a survey export (CSV/TSV, Excel, SPSS, Stata) or a DataFrame into one row per
respondent with one float column per item of a :class:`~alliance_scale.Scale`, every row
kept in order with its completion status, or refuse it with a
:class:`~alliance_scale.errors.ResponseError` naming the file, the column and the rows.

The work is split by concern, one private module each:

- containers: :mod:`._read_table` (text, with the encoding and delimiter found; Excel, with
  sizes capped and formulas reported), :mod:`._read_spss` (SPSS / Stata via pyreadstat);
- layouts: :mod:`._read_plain` (item ids as headers), :mod:`._read_redcap`,
  :mod:`._read_qualtrics`, :mod:`._read_limesurvey` (each platform's export, from its own
  documentation or writer code);
- :mod:`._read_values` turns answers into codes, column by column, vectorised;
- :mod:`._read_common` holds what they share (label normalisation, column matching).

Here: deciding the container and the layout (``source="auto"`` says why in the read
report), applying the layout's plan, building the result at once (columns are never
inserted one by one, so reading stays linear in the number of columns), the ids, the
status and ``keep``. Hand-written because no library reads these platforms' layouts back;
pandas and pyreadstat do the parsing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_choice, check_instance, check_unique_columns
from .._io import file_sha256, read_bytes, regular_file
from .._results import Result, result
from ..errors import OptionError, ResponseError
from ..instrument._scale import Scale
from . import _read_limesurvey, _read_qualtrics, _read_redcap
from ._read_common import (
    DATAFRAME,
    ID_COLUMN_NAMES,
    PROBLEMS_COLUMN,
    PROGRESS_COLUMN,
    STATUS_COLUMN,
    STATUSES,
    Plan,
    Table,
    as_text,
)
from ._read_plain import adopted_status, id_positions, plan_plain, usual_id_column
from ._read_spss import read_spss
from ._read_table import read_excel, read_text
from ._read_values import code_items, metadata_columns
from ._read_values import plain_value as plain_value  # validity imports it from here
from ._vocabulary import SOURCES

__all__ = [
    "ID_COLUMN_NAMES",
    "ReadReport",
    "read_responses",
]

#: Each platform layout's detector and planner, in the order ``source="auto"`` tries them
#: (the names are ``_vocabulary.LAYOUTS``, which the command line lists without this module).
_LAYOUTS: dict[str, tuple[Callable, Callable]] = {
    "qualtrics": (_read_qualtrics.detect, _read_qualtrics.plan_qualtrics),
    "limesurvey": (_read_limesurvey.detect, _read_limesurvey.plan_limesurvey),
    "redcap": (_read_redcap.detect, _read_redcap.plan_redcap),
}
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: Above this many text metadata columns they are kept as one block of Python strings
#: (object dtype) rather than one pandas text column each (see ``_assemble``).
_MANY_TEXT_COLUMNS = 1000
_KINDS = {b"%PDF": "a PDF document", b"\xd0\xcf\x11\xe0": "an old Office file (.xls or .doc); "
          "save it as .xlsx or CSV"}


@result
class ReadReport(Result):
    """What :func:`read_responses` decided and found (``responses.attrs["read_report"]``).

    Attributes
    ----------
    file : str
        The path read, or ``"<DataFrame>"``.
    source : str
        The layout applied: ``"csv"`` (plain), ``"redcap"``, ``"qualtrics"`` or
        ``"limesurvey"``.
    container : str
        How the file was read (``"UTF-16 text, tab-separated"``, ``"SPSS file"``...).
    decided : str
        Why this layout (``"given: source='redcap'"``, or the columns that showed it).
    items_matched_by : str
        How the item columns were found (column names, item texts, ``columns=``).
    rows : int
        Data rows read (every one is in the result unless ``keep`` excluded it).
    ignored_columns : tuple of str
        Columns left out of the result (other instruments of a REDCap project).
    status_counts : tuple of (str, int)
        Rows per completion status, in the order of the statuses.
    keep : str
        The ``keep`` rule applied.
    excluded : tuple of str
        Ids (or data-row numbers) of the rows ``keep`` excluded, in file order.
    excluded_status : tuple of str
        Their statuses, in the same order.
    sha256 : str
        SHA-256 (hex) of the file's bytes, computed while reading (``""`` for a DataFrame).

    Examples
    --------
    >>> scale = als.draft_scale()
    >>> responses = als.read_responses(als.load_pilot(), scale)
    >>> report = responses.attrs["read_report"]
    >>> report.source, report.rows, report.status_counts
    ('csv', 320, (('unknown', 320),))
    """

    file: str
    source: str
    container: str
    decided: str
    items_matched_by: str
    rows: int
    ignored_columns: tuple[str, ...]
    status_counts: tuple[tuple[str, int], ...]
    keep: str
    excluded: tuple[str, ...]
    excluded_status: tuple[str, ...]
    sha256: str = ""

    def to_frame(self) -> pd.DataFrame:
        """One row per completion status found: rows read and rows kept."""
        frame = pd.DataFrame(self.status_counts, columns=["status", "rows"]).set_index("status")
        dropped = pd.Series(self.excluded_status, dtype=object).value_counts()
        frame["kept"] = frame["rows"] - dropped.reindex(frame.index, fill_value=0)
        return frame

    def _summary(self) -> dict[str, Any]:
        summary = {"file": self.file, "read as": f"{self.source} ({self.container})",
                   "decided by": self.decided, "items matched by": self.items_matched_by,
                   "rows": self.rows}
        if self.ignored_columns:
            summary["columns left out"] = (
                f"{len(self.ignored_columns)} (e.g. {', '.join(self.ignored_columns[:3])})")
        if self.keep != "all":
            summary[f"excluded by keep={self.keep!r}"] = len(self.excluded)
        return summary


# --------------------------------------------------------------------------- containers
def _frame_table(frame: pd.DataFrame) -> Table:
    if isinstance(frame.columns, pd.MultiIndex):
        raise OptionError("the DataFrame has MultiIndex columns; give one level of names")
    check_unique_columns(frame, "duplicate column name", ResponseError, DATAFRAME)
    if len(frame) == 0:
        raise ResponseError("the DataFrame has no rows", file=DATAFRAME)
    header = [str(c).strip() for c in frame.columns]
    preview = [["" if v is None else str(v) for v in row]
               for row in frame.head(2).itertuples(index=False)]

    def load(skip: int, text_columns: set[int]) -> tuple[pd.DataFrame, pd.Index]:
        data = frame.iloc[skip:]
        if len(data) == 0:
            raise ResponseError("the DataFrame has no response rows", file=DATAFRAME)
        return data.set_axis(list(range(len(header))), axis=1), data.index

    return Table(file=DATAFRAME, container="dataframe", description="DataFrame",
                 header=header, preview=preview, load=load, names=list(frame.columns))


def _file_table(path: Path, file: str, source: str) -> Table:
    """The file's :class:`Table`, with the SHA-256 of its bytes (``table.sha256``).

    Only a regular file is opened (``os.stat`` first: a directory, a device such as
    ``/dev/zero`` or a FIFO is refused by name); text and Excel files are hashed as they are
    read, once; an SPSS or Stata file (read by pyreadstat from its path) in one streamed
    pass.
    """
    def error(message: str) -> ResponseError:
        return ResponseError(message, file=file)

    info = regular_file(path, error)
    if info.st_size == 0:
        raise ResponseError("empty file (0 bytes)", file=file)
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as failure:
        raise error(f"cannot read the file ({failure.strerror or failure})") from None
    suffix = path.suffix.lower()
    if head.startswith((b"$FL2", b"$FL3")) or suffix in (".sav", ".zsav"):
        kind = "spss"
    elif head.startswith(b"<stata_dta>") or suffix == ".dta":
        kind = "stata"
    elif head.startswith(b"PK\x03\x04") or suffix in _EXCEL_SUFFIXES:
        kind = "excel"
    else:
        kind = "text"
    if source == "excel" and kind != "excel":
        raise ResponseError("source='excel' but the file is not an .xlsx/.xlsm workbook",
                            file=file)
    if source == "spss" and kind not in ("spss", "stata"):
        raise ResponseError("source='spss' but the file is not an SPSS (.sav) or Stata (.dta) "
                            "file", file=file)
    if source == "stata" and kind != "stata":
        raise ResponseError("source='stata' but the file is not a Stata (.dta) file",
                            file=file)
    if kind in ("spss", "stata"):
        table = read_spss(path, file, kind)
        table.sha256 = file_sha256(path, error)
        return table
    if kind == "excel":
        raw, digest = read_bytes(path, error)
        try:
            table = read_excel(raw, file)
        except ResponseError:
            if suffix in _EXCEL_SUFFIXES:
                raise
            raise ResponseError("not a CSV text file: it is a ZIP archive, and not an Excel "
                                "workbook either", file=file) from None
        table.sha256 = digest
        return table
    for magic, what in _KINDS.items():
        if head.startswith(magic):
            raise ResponseError(f"not a CSV text file: it is {what}", file=file)
    if suffix == ".xls":
        raise ResponseError("an old .xls workbook: save it as .xlsx or CSV", file=file)
    raw, digest = read_bytes(path, error)
    table = read_text(path, file, raw)
    table.sha256 = digest
    return table


# --------------------------------------------------------------------------- layout
def _plan(table: Table, scale: Scale, source: str, columns: Any,
          id_column: str | bool | None) -> Plan:
    if source in _LAYOUTS:
        return _LAYOUTS[source][1](table, scale, columns, id_column,
                                   f"given: source={source!r}")
    if source in ("auto", "spss", "stata"):
        for detect, plan in _LAYOUTS.values():
            reason = detect(table)
            if reason is not None:
                return plan(table, scale, columns, id_column, reason)
        reason = "no platform's columns: item ids as headers"
    else:
        reason = f"given: source={source!r}"
    return plan_plain(table, scale, columns, id_column, reason)


# --------------------------------------------------------------------------- ids
def _ids(data: pd.DataFrame, plan: Plan, table: Table, rows: pd.Index, errors: str,
         notes: dict[int, list[str]], check_index: bool) -> pd.Index:
    """The result's index: the respondent ids (as text), checked; or the rows' labels."""
    header, file = table.header, table.file
    if not plan.ids:
        if table.container == "dataframe" and check_index:
            _flag_ids(rows, np.zeros(len(rows), dtype=bool), "index", None, errors, file,
                      rows, notes, "")
        return rows
    # a file's ids as text ("007" stays "007"); a DataFrame's as the user typed them
    arrays = [data[p].to_numpy(dtype=object) if table.container == "dataframe"
              else as_text(data[p]) for p in plan.ids]
    names = [header[p] for p in plan.ids]
    index = (pd.Index(arrays[0], name=names[0], dtype=object) if len(arrays) == 1
             else pd.MultiIndex.from_arrays(arrays, names=names))
    blank = pd.isna(arrays[0])
    hint = (f" ({names[0]!r} was taken as the id column by its name; pass id_column=False "
            "to read the file without ids)") if plan.id_inferred else ""
    _flag_ids(index, blank, " + ".join(names), names[0], errors, file, rows, notes, hint)
    return index


def _flag_ids(index: pd.Index, blank: np.ndarray, what: str, column: str | None, errors: str,
              file: str, rows: pd.Index, notes: dict[int, list[str]], hint: str) -> None:
    duplicated = np.asarray(index.duplicated(keep=False), dtype=bool) & ~blank
    for kind, mask in (("missing respondent id", blank),
                       (f"duplicate respondent id ({what})", duplicated)):
        positions = np.flatnonzero(mask)
        if not positions.size:
            continue
        if errors == "raise":
            raise ResponseError(kind + hint, file=file, column=column, rows=list(rows[positions]))
        for position in positions:
            notes.setdefault(int(position), []).append(kind)


def index_by_id(
    frame: pd.DataFrame, id_column: str | bool | None, what: str = DATAFRAME
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

    Examples
    --------
    >>> frame = pd.DataFrame({"participant": ["a", "b"], "A1a_1": [4, 2]})
    >>> index_by_id(frame, None).index.tolist()
    ['a', 'b']
    """
    header = [str(c) for c in frame.columns]
    usual = usual_id_column(header)
    positions = id_positions(header, id_column, what, [] if usual is None else [usual])
    column = frame.columns[positions[0]] if positions else None
    if column is not None:
        frame = frame.set_index(column)
    repeated = np.asarray(frame.index.duplicated(keep=False), dtype=bool)
    if repeated.any():
        raise ResponseError(f"duplicate respondent id ({column or 'index'})", file=what,
                            column=column, rows=list(frame.index[repeated]))
    return frame


# --------------------------------------------------------------------------- keep
def _keep_set(keep: str | Collection[str]) -> set[str]:
    if isinstance(keep, str):
        check_choice("keep", keep, ("all", "complete", *STATUSES))
        return set(STATUSES) if keep == "all" else {keep}
    chosen = set(keep) if isinstance(keep, Collection) else None
    if not chosen or not chosen <= set(STATUSES):
        raise OptionError(f"keep must be 'all', 'complete' or a collection of statuses "
                          f"({', '.join(STATUSES)}); got {keep!r}")
    return chosen


def _keep_name(keep: str | Collection[str]) -> str:
    return keep if isinstance(keep, str) else "+".join(sorted(keep))


# --------------------------------------------------------------------------- public
def read_responses(
    path_or_frame: str | Path | pd.DataFrame,
    scale: Scale,
    *,
    source: str = "auto",
    columns: Mapping[str, str] | Callable[[str], str | None] | None = None,
    errors: str = "raise",
    id_column: str | bool | None = None,
    keep: str | Collection[str] = "all",
) -> pd.DataFrame:
    """Read survey responses to ``scale`` into one row per respondent, refusing bad data.

    Parameters
    ----------
    path_or_frame : str, Path or DataFrame
        A file (CSV/TSV text, ``.xlsx``/``.xlsm``, SPSS ``.sav``/``.zsav``, Stata
        ``.dta``) or an already loaded table (one row per respondent).
    scale : Scale
        The scale that was fielded: gives the item ids and texts, the response range
        (``min_value..max_value``) and the anchor labels.
    source : {"auto", "csv", "excel", "spss", "stata", "qualtrics", "limesurvey", "redcap"}
        ``"auto"`` (default): the container from the file's first bytes and suffix, the
        layout from the header rows, in this order: Qualtrics (its 3 header rows, or
        ``ResponseId`` with ``Finished``/``Status``), LimeSurvey (``submitdate`` with
        ``lastpage``/``startlanguage``, or ``DTA1[...]`` columns), REDCap (``redcap_*`` or
        ``*_complete`` columns, or a labels export's ``Complete?``, ``Event Name``...),
        else plain item-id headers; the read report says which and why. ``"csv"`` and
        ``"excel"``: the plain layout. ``"spss"``: an SPSS or Stata file, ``"stata"``: a
        Stata file, the layout detected as for ``"auto"``. A platform name forces that
        platform's layout.
        Text is UTF-8 (with or without BOM), UTF-16/32 (with BOM, or UTF-16 without),
        or Windows-1252; comma, semicolon or tab separated.
    columns : mapping or callable, optional
        File column -> item id, for columns not named by the item ids (Qualtrics
        default tags ``Q1_1``..., a colleague's ``DTA_<id>``): a dict, or a function of
        a column name returning an item id or None. Applied before the platform's own
        naming.
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
        data-row number, and ids are not checked). Default (None): the platform's id
        (REDCap: the record id, plus the event and repeat columns present; Qualtrics:
        ``ResponseId``; LimeSurvey: ``id``); for a plain file, the first of
        :data:`ID_COLUMN_NAMES` (``respondent``, ``respondent_id``, ``participant``,
        ``participant_id``, ``id``, ``record_id``, ``ResponseId``, ``subject``; matched
        case-insensitively) that is a column, else none. A plain DataFrame keeps its own
        index unless ``id_column`` is given. A file's ids are kept as text (``"007"``, a
        23-digit id); a DataFrame's id column as it is.
    keep : "all", "complete", or a collection of statuses, default "all"
        Which rows to return. The completion status is always read and reported; rows
        are excluded only when asked, and the read report names them
        (``attrs["read_report"].excluded``). Data without a completion status (a plain
        table or DataFrame: every status ``"unknown"``) cannot tell who finished: any
        ``keep`` but ``"all"`` is then refused (:class:`ResponseError` saying so) rather
        than guessed.

    Returns
    -------
    DataFrame
        Every row of the file (unless ``keep`` excluded some), in file order. Index: the
        respondent id (text for a file) (a MultiIndex with the REDCap event/repeat columns); without
        an id column, the 1-based data-row number (index name ``"row"``) or the
        DataFrame's own index. Columns: the scale's items in administration order (float
        codes, NaN = missing; anchor labels in either language mapped to codes), every
        other column of the input (metadata: numbers when every value is a plain number
        that reads back the same, so ``07501`` stays text), then ``status`` (one of
        ``complete``, ``incomplete``, ``unverified``, ``preview``, ``test``, ``spam``,
        ``unknown``), ``progress`` (percent, NaN unless the platform gives it) and
        ``problems`` (``""`` for a clean row). ``attrs["read_report"]`` holds a
        :class:`ReadReport`.

    Raises
    ------
    ResponseError
        With ``file=`` (the path, or ``"<DataFrame>"``), ``column=`` and ``rows=`` (1-based
        data rows after the header rows, blank lines not counted; or index labels). Among
        others: a missing, empty, binary or header-only file; rows whose field count
        differs from the header's; a Qualtrics text export without its 3 header rows; item
        columns missing (with a hint for a REDCap labels export or Qualtrics default tags);
        columns that look like items of the scale but are not in it; duplicate or missing
        respondent ids; answers that are not codes or anchor labels, not integers, outside
        the response range, booleans, or Excel formulas; an Excel sheet or SPSS file
        larger than the caps; a LimeSurvey export fielded with another scale.
    OptionError
        A bad ``source``, ``errors``, ``keep`` or ``columns``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> scale = als.draft_scale(items_per_facet=1, language="en")
    >>> answers = pd.DataFrame([[4] * 9, [2] * 9], columns=scale.item_ids,
    ...                        index=["p1", "p2"])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "answers.csv"
    >>> answers.rename_axis("participant").to_csv(path)
    >>> # In R: read.csv(path, colClasses = c(participant = "character"))
    >>> responses = als.read_responses(path, scale)
    >>> responses.index.tolist(), responses[scale.item_ids[0]].tolist()
    (['p1', 'p2'], [4.0, 2.0])
    >>> responses["status"].tolist()
    ['unknown', 'unknown']
    >>> print(responses.attrs["read_report"].decided)
    no platform's columns: item ids as headers
    """
    return _read(path_or_frame, scale, source=source, columns=columns, errors=errors,
                 id_column=id_column, keep=keep, check_index=True)[0]


def _read(
    path_or_frame: str | Path | pd.DataFrame,
    scale: Scale,
    *,
    source: str,
    errors: str,
    id_column: str | bool | None,
    check_index: bool,
    columns: Any = None,
    keep: str | Collection[str] = "all",
) -> tuple[pd.DataFrame, ReadReport]:
    """:func:`read_responses` and its report; ``check_index=False`` (used by scoring)
    accepts a frame whose index repeats a label, since scoring does not need unique ids."""
    check_instance("scale", scale, Scale, "see draft_scale")
    check_choice("source", source, SOURCES)
    check_choice("errors", errors, ("raise", "flag"))
    allowed = _keep_set(keep)
    if isinstance(path_or_frame, pd.DataFrame):
        table = _frame_table(path_or_frame)
    elif isinstance(path_or_frame, (str, Path)):
        table = _file_table(Path(path_or_frame), str(path_or_frame), source)
    else:
        raise ResponseError(
            f"expected a file path or a DataFrame, got {type(path_or_frame).__name__}")
    # the problems of an earlier read (a DataFrame) are carried over
    earlier = table.header.index(PROBLEMS_COLUMN) if PROBLEMS_COLUMN in table.header else None
    plan = _plan(table, scale, source, columns, id_column)
    _reuse_earlier_status(table, plan)
    header, file = table.header, table.file
    text_columns = set(range(len(header))) - set(plan.items)
    data, rows = table.load(plan.skip, text_columns)
    if plan.source == "limesurvey" and len(data) == 1 and data.isna().all(axis=None):
        raise ResponseError("the export holds no responses (LimeSurvey writes one empty "
                            "record for a survey without responses)", file=file)
    where = {item: position for position, item in plan.items.items()}
    matrix, notes = code_items(data, [where[i] for i in scale.item_ids], scale, errors=errors,
                               file=file, rows=rows, value_labels=table.value_labels,
                               formulas=_item_formulas(table, plan),
                               minus_99_missing=plan.minus_99_missing)
    index = _ids(data, plan, table, rows, errors, notes, check_index)
    columns_by_position = {p: data[p] for p in plan.status_columns}
    if plan.status is not None:
        status, progress = plan.status(columns_by_position, rows)
    else:
        status, progress = np.full(len(data), "unknown", dtype=object), np.full(len(data),
                                                                                np.nan)
    if plan.version_column is not None:
        _read_limesurvey.check_version(data[plan.version_column], scale, file, rows)
    out = _assemble(data, table, plan, matrix, scale, status, progress, notes, earlier)
    out.index = index
    report, keep_mask = _report(table, plan, status, allowed, keep, index)
    if not keep_mask.all():
        out = out.loc[keep_mask]
    out.attrs["read_report"] = report
    return out, report


def _reuse_earlier_status(table: Table, plan: Plan) -> None:
    """A table read before (``status`` / ``progress`` columns): a layout with a status of
    its own recomputes it and drops those columns; the others read them back."""
    earlier = [p for p, name in enumerate(table.header) if name in (STATUS_COLUMN,
                                                                    PROGRESS_COLUMN)]
    if not earlier or plan.source == "csv":
        return
    if plan.status is None:
        plan.status = adopted_status(table.header, table.file)
    plan.status_columns = [*plan.status_columns, *earlier]


def _item_formulas(table: Table, plan: Plan) -> dict[int, tuple[np.ndarray, list[str]]]:
    """Formula cells of the item columns (Excel), after the skipped header rows."""
    found = {}
    for position in plan.items:
        if position in table.formulas:
            mask = table.formulas[position][plan.skip:]
            if mask.any():
                texts = table.formula_texts[position]
                found[position] = (mask, texts[len(texts) - int(mask.sum()):])
    return found


def _assemble(data: pd.DataFrame, table: Table, plan: Plan, matrix: np.ndarray, scale: Scale,
              status: np.ndarray, progress: np.ndarray, notes: dict[int, list[str]],
              earlier: int | None) -> pd.DataFrame:
    """The result, built at once: items, metadata, status, progress, problems."""
    names = table.names if table.names is not None else table.header
    skipped = set(plan.items) | set(plan.dropped) | set(plan.ids)
    # the status and progress of an earlier read are replaced by this read's
    skipped |= {p for p in plan.status_columns
                if table.header[p] in (STATUS_COLUMN, PROGRESS_COLUMN)}
    if earlier is not None:
        skipped.add(earlier)
    metadata = [p for p in range(len(table.header)) if p not in skipped]
    empty = [p for p in metadata if not table.header[p]]
    if empty:
        raise ResponseError(f"header cell {empty[0] + 1} is empty", file=table.file)
    kept_names = [*scale.item_ids, *(names[p] for p in metadata)]
    reserved = {STATUS_COLUMN, PROGRESS_COLUMN, PROBLEMS_COLUMN}
    clash = next((n for n in kept_names if n in reserved), None)
    if clash is not None:
        raise ResponseError(f"column name {clash!r} is reserved for what read_responses "
                            "adds; rename it", file=table.file, column=str(clash))
    if len(set(kept_names)) != len(kept_names):
        seen: set[object] = set()
        repeated = next(n for n in kept_names if n in seen or seen.add(n))
        raise ResponseError("duplicate column name", file=table.file, column=str(repeated))
    problems = np.full(len(data), "", dtype=object)
    for position, described in notes.items():
        problems[position] = "; ".join(described)
    if earlier is not None:
        before = data[earlier].astype(object).where(data[earlier].notna(), "").astype(str)
        problems = np.array(["; ".join(p for p in pair if p)
                             for pair in zip(before.to_numpy(), problems, strict=True)],
                            dtype=object)
    index = pd.RangeIndex(len(data))
    # built at once: the items as one float block (no copy), the numeric metadata columns
    # as one block per dtype, then back in the file's order
    parts = [pd.DataFrame(matrix, columns=list(scale.item_ids), index=index)]
    metadata_names = [names[p] for p in metadata]
    groups: dict[object, list[int]] = {}
    values = metadata_columns(data, metadata)
    for k, array in enumerate(values):
        key = array.dtype if isinstance(array, np.ndarray) and array.ndim == 1 else k
        groups.setdefault(key, []).append(k)
    for key, ks in groups.items():
        # numbers as one 2-D block; text through the dict constructor, which gives each
        # column pandas' text dtype, unless there are so many text columns that this
        # would cost seconds (about 0.1 ms a column): then one block of Python strings
        if isinstance(key, np.dtype) and len(ks) > 1 and (
                key != np.dtype(object) or len(ks) > _MANY_TEXT_COLUMNS):
            parts.append(pd.DataFrame(np.column_stack([values[k] for k in ks]),
                                      columns=[metadata_names[k] for k in ks], index=index,
                                      dtype=key))
        else:
            parts.append(pd.DataFrame({metadata_names[k]: values[k] for k in ks}, index=index))
    parts.append(pd.DataFrame({STATUS_COLUMN: status, PROGRESS_COLUMN: progress,
                               PROBLEMS_COLUMN: problems}, index=index))
    out = pd.concat(parts, axis=1)
    if len(groups) > 1:  # back to the file's order of columns
        out = out[[*scale.item_ids, *metadata_names, STATUS_COLUMN, PROGRESS_COLUMN,
                   PROBLEMS_COLUMN]]
    return out


def _report(table: Table, plan: Plan, status: np.ndarray, allowed: set[str],
            keep: str | Collection[str], index: pd.Index) -> tuple[ReadReport, np.ndarray]:
    keep_mask = np.isin(status, list(allowed))
    name = _keep_name(keep)
    if name != "all" and (status == "unknown").all():
        raise ResponseError(
            f"keep={name!r} needs a completion status, and these data have none (a plain "
            "table: every row's status is 'unknown'); a platform's export carries it "
            "(REDCap '<form>_complete', LimeSurvey 'submitdate', Qualtrics 'Finished'). "
            "keep='all' reads every row (score() leaves a scale NaN, flagged, when fewer "
            "than min_answered of its items are answered)", file=table.file)
    excluded = tuple(str(label) for label in np.asarray(index, dtype=object)[~keep_mask])
    excluded_status = tuple(str(s) for s in status[~keep_mask])
    counts = tuple((s, int((status == s).sum())) for s in STATUSES if (status == s).any())
    report = ReadReport(
        file=table.file, source=plan.source, container=table.description,
        decided=plan.reason, items_matched_by=plan.matched_by, rows=len(status),
        ignored_columns=tuple(table.header[p] for p in plan.dropped),
        status_counts=counts, keep=name, excluded=excluded, excluded_status=excluded_status,
        sha256=table.sha256,
    )
    return report, keep_mask
