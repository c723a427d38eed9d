"""REDCap response exports: "CSV (raw data)" and "CSV (labels)", one instrument or a whole
project.

Layout (REDCap's data export; PyCap issue #19 for the labels export): the record id field
first, then ``redcap_event_name``, ``redcap_repeat_instrument``, ``redcap_repeat_instance``,
``redcap_data_access_group``, ``redcap_survey_identifier`` when the project has them, then
each instrument's fields in data dictionary order (``<form>_timestamp`` first for a
survey), each instrument closed by ``<form>_complete`` (0 incomplete, 1 unverified, 2
complete). The labels export has the field labels as headers (``Record ID``, ``Event
Name``, ``Repeat Instrument``, ``Repeat Instance``, ``Complete?``...) and choice labels as
values.

Items are the fields named like the item ids (lower-cased, see :func:`~alliance_scale.
redcap_dictionary`), or, in a labels export, the columns whose header is an item text
(either language, after Unicode normalisation). REDCap keeps an instrument's fields
together, so the scale's form spans from its first to its last item: a column inside that
span that looks like an item but is not one is refused (another version of the scale);
the fields of other instruments, outside it, are left out of the result and named in the
read report. The status is the ``_complete`` (or ``Complete?``) column that follows the
last item.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._read_common import (
    Plan,
    Table,
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

#: REDCap's own columns of a raw export, after the record id.
RAW_KEYS = ("redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance")
RAW_OTHERS = ("redcap_data_access_group", "redcap_survey_identifier")
#: Their headers in a labels export.
LABEL_KEYS = ("event name", "repeat instrument", "repeat instance")
LABEL_OTHERS = ("data access group", "survey identifier", "survey timestamp")
_COMPLETE = re.compile(r"\A[a-z][a-z0-9_]*_complete\Z")
_TIMESTAMP = re.compile(r"\A[a-z][a-z0-9_]*_timestamp\Z")
_STATUS = {"0": "incomplete", "1": "unverified", "2": "complete", "incomplete": "incomplete",
           "unverified": "unverified", "complete": "complete"}


def _is_complete(name: str) -> bool:
    return bool(_COMPLETE.match(name)) or normalise_label(name) == "complete?"


def detect(table: Table) -> str | None:
    """Why the table is a REDCap export, or None."""
    lowered = [name.strip().lower() for name in table.header]
    raw = [n for n in lowered if n in RAW_KEYS + RAW_OTHERS or _COMPLETE.match(n)]
    if raw:
        return f"REDCap columns ({', '.join(raw[:2])})"
    labels = [n for n in lowered if n in LABEL_KEYS + LABEL_OTHERS or n == "complete?"]
    if labels:
        return f"REDCap labels export columns ({', '.join(repr(n) for n in labels[:2])})"
    return None


def plan_redcap(table: Table, scale: Scale, columns: Mapping[str, str] | Callable | None,
                id_column: str | bool | None, reason: str) -> Plan:
    """The :class:`Plan` of a REDCap export (see the module docstring)."""
    header, file = table.header, table.file
    found, how = match_items(header, scale, columns, file, texts=header)
    labels_export = any(normalise_label(n) in LABEL_KEYS + LABEL_OTHERS + ("complete?",)
                        for n in header) or "item texts" in how
    hint = ""
    if labels_export:
        hint = ('; this looks like a REDCap "CSV (labels)" export whose headers are not the '
                "scale's item texts (edited labels, or another language?): export "
                '"CSV (raw data)" instead, or pass columns={header: item id}')
    missing_items(found, scale, file, hint, header=header)
    first, last = min(found), max(found)
    refuse_unknown_items(header, found, scale, file, range(first, last + 1))
    lowered = [name.strip().lower() for name in header]
    keys = LABEL_KEYS if labels_export and not any(k in lowered for k in RAW_KEYS) else RAW_KEYS
    complete = next((p for p in range(last + 1, len(header)) if _is_complete(header[p])),
                    None)
    own = {0, *range(first, last + 1)}
    own.update(p for p, n in enumerate(lowered)
               if n in RAW_KEYS + RAW_OTHERS + LABEL_KEYS + LABEL_OTHERS)
    if complete is not None:
        own.add(complete)
    if first > 0 and (_TIMESTAMP.match(lowered[first - 1]) or lowered[first - 1] in LABEL_OTHERS):
        own.add(first - 1)
    record_keys = [] if 0 in found else [0] + [p for p, n in enumerate(lowered)
                                              if n in keys and p != 0]
    ids = id_positions(header, id_column, file, record_keys)
    own.update(ids)
    dropped = [p for p in range(len(header)) if p not in own]
    return Plan(source="redcap", reason=reason, items=found, matched_by=how, ids=ids,
                status=_status_reader(complete), dropped=dropped,
                status_columns=[] if complete is None else [complete])


def _status_reader(position: int | None):
    if position is None:
        return None

    def read(columns: Mapping[int, pd.Series], rows: pd.Index
             ) -> tuple[np.ndarray, np.ndarray]:
        status = map_distinct(columns[position], lambda v: _STATUS.get(
            normalise_label(_plain_number(v)) if v is not None else "", "unknown"))
        return status, np.full(len(status), np.nan)

    return read


def _plain_number(value: object) -> str:
    """``2.0`` -> ``"2"`` (a status code read as a float from Excel or SPSS)."""
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if float(value).is_integer() else ""
    return str(value)
