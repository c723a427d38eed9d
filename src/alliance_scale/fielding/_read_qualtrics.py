"""Qualtrics response exports: CSV or TSV (UTF-8 or UTF-16), numeric values or choice
texts, and the SPSS export.

Layout (Qualtrics' data export documentation): three header rows in CSV/TSV (export tags;
question texts; ``{"ImportId": "QID3"}`` JSON), then one row per response; the metadata
columns ``StartDate``, ``EndDate``, ``Status`` (0 IP address, 1 survey preview, 2 survey
test, 4 imported, 8 spam, 16 offline; or their texts with "use choice text"), ``IPAddress``,
``Progress`` (percent), ``Duration (in seconds)``, ``Finished`` (1/0 or True/False),
``RecordedDate``, ``ResponseId``, recipient and location columns, ``DistributionChannel``,
``UserLanguage``. The SPSS export has one header row (the tags) and the question texts as
variable labels.

Items are the columns whose export tag is an item id (what :func:`~alliance_scale.instrument.
_exports.to_qualtrics` writes), or renamed by ``columns=`` (default tags ``Q1_1``...), or
whose question text (row 2, or the SPSS variable label; ``question - statement`` for a
matrix row) is an item text. ``-99`` (Qualtrics' "seen but unanswered" export option) is a
missing answer. The status: preview, test or spam from ``Status``; otherwise complete when
``Finished``, incomplete when not; ``Progress`` is kept as the progress.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import ResponseError
from ._read_common import (
    Plan,
    Table,
    lower_lookup,
    map_distinct,
    match_items,
    missing_items,
    normalise_label,
    refuse_unknown_items,
)
from ._read_plain import id_positions

if TYPE_CHECKING:
    from ..instrument._scale import Scale

__all__: list[str] = []

_STATUS_CODES = {"0": None, "1": "preview", "2": "test", "4": None, "8": "spam",
                 "9": "spam", "12": "spam", "16": None, "17": "preview"}
_FINISHED = {"1": True, "true": True, "0": False, "false": False}


def _is_import_id(value: object) -> bool:
    return isinstance(value, str) and value.lstrip().startswith('{"ImportId"')


def detect(table: Table) -> str | None:
    """Why the table is a Qualtrics export, or None."""
    if len(table.preview) >= 2 and any(_is_import_id(v) for v in table.preview[1]):
        return 'Qualtrics header rows (question texts, {"ImportId": ...})'
    lowered = lower_lookup(table.header)
    if "responseid" in lowered and ("finished" in lowered or "status" in lowered):
        return "Qualtrics columns (ResponseId, Finished/Status)"
    return None


def plan_qualtrics(table: Table, scale: Scale, columns: Mapping[str, str] | Callable | None,
                   id_column: str | bool | None, reason: str) -> Plan:
    """The :class:`Plan` of a Qualtrics export (see the module docstring)."""
    header, file = table.header, table.file
    three_rows = len(table.preview) >= 2 and any(_is_import_id(v) for v in table.preview[1])
    if table.container in ("text", "excel") and not three_rows:
        raise ResponseError(
            "not a Qualtrics response export with its 3 header rows (export tags, question "
            'texts, {"ImportId": ...}); export with "Use numeric values" or "Use choice '
            'text" as CSV, or read it with source="csv"', file=file,
        )
    texts = table.preview[0] if three_rows else table.labels
    found, how = match_items(header, scale, columns, file, texts=texts)
    missing_items(found, scale, file, "; Qualtrics default tags (Q1_1...) need "
                  "columns={tag: item id}" if any(re.match(r"Q\d", n) for n in header) else "",
                  header=header)
    refuse_unknown_items(header, found, scale, file)
    lowered = lower_lookup(header)
    ids = id_positions(header, id_column, file,
                       [lowered["responseid"]] if "responseid" in lowered else [])
    where = {key: lowered.get(key) for key in ("status", "finished", "progress")}
    used = [p for p in where.values() if p is not None]
    return Plan(source="qualtrics", reason=reason, items=found, matched_by=how, ids=ids,
                skip=2 if three_rows else 0, status=_status_reader(where) if used else None,
                status_columns=used, minus_99_missing=True)


def _key(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    return normalise_label(value)


def _status_reader(where: dict[str, int | None]):
    def read(columns: Mapping[int, pd.Series], rows: pd.Index
             ) -> tuple[np.ndarray, np.ndarray]:
        n = len(rows)
        status = np.full(n, "unknown", dtype=object)
        if where["finished"] is not None:
            finished = map_distinct(columns[where["finished"]],
                                    lambda v: _FINISHED.get(_key(v), "unknown"))
            status = np.where(finished == True, "complete",  # noqa: E712 (objects)
                              np.where(finished == False, "incomplete", status))  # noqa: E712
        if where["status"] is not None:
            kind = map_distinct(columns[where["status"]], lambda v: _kind(_key(v)) or "")
            status = np.where(kind != "", kind, status)
        progress = np.full(n, np.nan)
        if where["progress"] is not None:
            progress = pd.to_numeric(columns[where["progress"]], errors="coerce").to_numpy(
                dtype=float)
        return status.astype(object), progress

    return read


def _kind(key: str) -> str | None:
    """preview / test / spam from a Status code or text, None for a real response."""
    if key in _STATUS_CODES:
        return _STATUS_CODES[key]
    for word in ("preview", "test", "spam"):
        if word in key:
            return word
    return None
