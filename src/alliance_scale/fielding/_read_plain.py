"""Plain layout: one header row of item ids (a CSV or Excel file, a DataFrame, an SPSS or
Stata file without a platform's metadata).

Item columns are named by the item ids (ignoring case), or renamed by ``columns=``; an SPSS
file's variable labels (the question texts) are tried for the items still missing. The
respondent id is ``id_column``, else the first usual id column name (a file) or the
index (a DataFrame). A ``status`` / ``progress`` column written by an earlier
:func:`~alliance_scale.read_responses` is read back as the completion status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import ResponseError
from ._read_common import (
    ID_COLUMN_NAMES,
    PROGRESS_COLUMN,
    STATUS_COLUMN,
    STATUSES,
    Plan,
    Table,
    lower_lookup,
    match_items,
    missing_items,
    refuse_unknown_items,
)

if TYPE_CHECKING:
    from ..instrument._scale import Scale

__all__: list[str] = []


def id_positions(header: list[str], id_column: object, file: str,
                 usual: Sequence[int] = ()) -> list[int]:
    """Positions of the respondent-id column(s) of a read.

    None when ``id_column`` is False, the column the user named (refused when it is not
    a column name of ``header``), else ``usual``: the platform's own id columns, if any.
    """
    if id_column is False:
        return []
    if id_column is None:
        return list(usual)
    if not isinstance(id_column, str):
        raise ResponseError(
            f"id_column must be a column name, None or False, got {id_column!r}", file=file
        )
    if id_column not in header:
        raise ResponseError("id_column is not a column of the data", file=file, column=id_column)
    return [header.index(id_column)]


def usual_id_column(header: list[str]) -> int | None:
    """Position of the first of :data:`ID_COLUMN_NAMES` that is a column (ignoring case)."""
    lowered = lower_lookup(header)
    return next((lowered[n.lower()] for n in ID_COLUMN_NAMES if n.lower() in lowered), None)


def plan_plain(table: Table, scale: Scale, columns: Mapping[str, str] | Callable | None,
               id_column: str | bool | None, reason: str) -> Plan:
    """The :class:`Plan` of a plain table (see the module docstring)."""
    header, file = table.header, table.file
    empty = [k for k, name in enumerate(header) if not name]
    if empty:
        raise ResponseError(f"header cell {empty[0] + 1} is empty", file=file)
    found, how = match_items(header, scale, columns, file, texts=table.labels)
    missing_items(found, scale, file, header=header)
    refuse_unknown_items(header, found, scale, file)
    usual = usual_id_column(header) if table.container != "dataframe" else None
    usual = [] if usual is None or usual in found else [usual]
    ids = id_positions(header, id_column, file, usual)
    inferred = id_column is None and bool(ids)
    status_positions = [header.index(name) for name in (STATUS_COLUMN, PROGRESS_COLUMN)
                        if name in header]
    return Plan(source="csv", reason=reason, items=found, matched_by=how, ids=ids,
                id_inferred=inferred, status=adopted_status(header, file),
                status_columns=status_positions)


def adopted_status(header: list[str], file: str):
    """A reader of the ``status`` / ``progress`` columns of an earlier read, if present."""
    where = {name: header.index(name) for name in (STATUS_COLUMN, PROGRESS_COLUMN)
             if name in header}
    if not where:
        return None

    def read(columns: Mapping[int, pd.Series], rows: pd.Index) -> tuple[np.ndarray, np.ndarray]:
        n = len(next(iter(columns.values())))
        status = np.full(n, "unknown", dtype=object)
        progress = np.full(n, np.nan)
        if STATUS_COLUMN in where:
            given = columns[where[STATUS_COLUMN]]
            text = given.astype(object).where(given.notna(), "unknown").astype(str).str.strip()
            bad = ~text.isin(STATUSES)
            if bad.any():
                raise ResponseError(
                    f"column 'status' holds values other than {', '.join(STATUSES)}; it "
                    "would clash with the completion status read_responses adds: rename it",
                    file=file, column=STATUS_COLUMN, rows=list(rows[bad.to_numpy()]))
            status = text.to_numpy(dtype=object)
        if PROGRESS_COLUMN in where:
            given = pd.to_numeric(columns[where[PROGRESS_COLUMN]], errors="coerce")
            if (given.notna() != columns[where[PROGRESS_COLUMN]].notna()).any() or (
                    (given < 0) | (given > 100)).any():
                raise ResponseError(
                    "column 'progress' is not a percentage (0-100); it would clash with the "
                    "progress read_responses adds: rename it", file=file,
                    column=PROGRESS_COLUMN)
            progress = given.to_numpy(dtype=float)
        return status, progress

    return read
