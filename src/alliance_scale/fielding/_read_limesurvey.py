"""LimeSurvey response exports (CSV, Excel or SPSS), both heading styles.

Layout (LimeSurvey's ``application/helpers/admin/export/Writer.php`` and ``CsvWriter.php``):
an array question's columns are headed ``QCODE[SQCODE]`` ("question code" headings,
``DTA1[B1a4]``), ``QCODE_SQCODE`` with the Expression-Manager code option (``DTA1_B1a4``; also
the SPSS variable names), or ``question text [subquestion text]`` (full text headings);
older exports use SGQA codes (``123456X2X3B1a4``). Values are answer codes (``1``..``5``) or
full answer texts in the export language. The CSV is UTF-8 with a BOM, every field quoted,
CRLF line ends, comma or semicolon separated. Metadata: ``id`` (the response id),
``submitdate`` (empty for an incomplete response), ``lastpage``, ``startlanguage``,
``seed``, optionally tokens and timings. An export of a survey without responses holds one
record whose fields are all empty.

Items: the subquestion code is the item id without underscores
(:func:`~alliance_scale.instrument._exports.limesurvey_code`) under a question ``DTA`` or
``DTA<page>``. A ``DTA`` subquestion that is not an item is refused (another version of
the scale). ``DTAversion`` (the hidden equation question of the exported survey) holds the
version and SHA-256 of the fielded scale; a response fielded with another scale is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import ResponseError
from ..instrument._exports import LIMESURVEY_QUESTION, LIMESURVEY_VERSION_QUESTION, limesurvey_code
from ._read_common import (
    Plan,
    Table,
    lower_lookup,
    map_distinct,
    match_items,
    missing_items,
    refuse_unknown_items,
)
from ._read_plain import id_positions

if TYPE_CHECKING:
    from ..instrument._scale import Scale

__all__: list[str] = []

_BRACKETS = re.compile(r"\A([A-Za-z][A-Za-z0-9]*)\[([A-Za-z0-9]+)\](?:\W.*)?\Z", re.DOTALL)
_EM_CODE = re.compile(r"\A([A-Za-z][A-Za-z0-9]*)_([A-Za-z0-9]+)(?:\W.*)?\Z", re.DOTALL)
_SGQA = re.compile(r"\A\d+X\d+X\d+([A-Za-z][A-Za-z0-9]*)\Z")
_OUR_QUESTION = re.compile(rf"\A{LIMESURVEY_QUESTION}\d*\Z")
_HASH = re.compile(r"sha256:([0-9a-f]{64})")


def _parts(name: str) -> tuple[str, str] | None:
    """(question code, subquestion code) of a LimeSurvey column heading, if it is one."""
    name = name.strip()
    for pattern in (_BRACKETS, _EM_CODE):
        match = pattern.match(name)
        if match:
            return match.group(1), match.group(2)
    return None


def detect(table: Table) -> str | None:
    """Why the table is a LimeSurvey export, or None."""
    lowered = lower_lookup(table.header)
    if "submitdate" in lowered and ("lastpage" in lowered or "startlanguage" in lowered):
        return "LimeSurvey columns (submitdate, lastpage/startlanguage)"
    ours = [n for n in table.header if (p := _parts(n)) and _OUR_QUESTION.match(p[0])]
    if ours:
        return f"LimeSurvey array columns ({ours[0]})"
    return None


def plan_limesurvey(table: Table, scale: Scale, columns: Mapping[str, str] | Callable | None,
                    id_column: str | bool | None, reason: str) -> Plan:
    """The :class:`Plan` of a LimeSurvey export (see the module docstring)."""
    header, file = table.header, table.file
    by_code = {limesurvey_code(i).lower(): i for i in scale.item_ids}

    def decode(name: str) -> str | None:
        parts = _parts(name)
        if parts is not None:
            return by_code.get(parts[1].lower()) if _OUR_QUESTION.match(parts[0]) else None
        sgqa = _SGQA.match(name.strip())
        return by_code.get(sgqa.group(1).lower()) if sgqa else None

    texts = table.labels if table.labels is not None else header
    found, how = match_items(header, scale, columns, file, decode=decode, texts=texts)
    missing_items(found, scale, file, header=header)
    for position, name in enumerate(header):
        parts = _parts(name)
        if (position not in found and parts is not None and _OUR_QUESTION.match(parts[0])
                and not name.lower().endswith("time")):
            raise ResponseError(
                f"column is a {parts[0]} subquestion that is not an item of scale "
                f"{scale.name!r} (version {scale.version}); was the survey fielded with "
                "another version?", file=file, column=name)
    refuse_unknown_items(header, found, scale, file)
    lowered = lower_lookup(header)
    own_id = [lowered["id"]] if "id" in lowered and lowered["id"] not in found else []
    ids = id_positions(header, id_column, file, own_id)
    submit = lowered.get("submitdate")
    version = lowered.get(LIMESURVEY_VERSION_QUESTION.lower())
    return Plan(source="limesurvey", reason=reason, items=found, matched_by=how, ids=ids,
                status=_status_reader(submit) if submit is not None else None,
                status_columns=[] if submit is None else [submit], version_column=version)


def _status_reader(position: int):
    def read(columns: Mapping[int, pd.Series], rows: pd.Index
             ) -> tuple[np.ndarray, np.ndarray]:
        submitted = map_distinct(columns[position], lambda v: v is not None
                                 and not (isinstance(v, float) and np.isnan(v))
                                 and bool(str(v).strip()))
        status = np.where(submitted.astype(bool), "complete", "incomplete").astype(object)
        return status, np.full(len(rows), np.nan)

    return read


def check_version(column: pd.Series, scale: Scale, file: str, rows: pd.Index) -> None:
    """Refuse responses whose ``DTAversion`` names another scale than ``scale``."""
    values = map_distinct(column, lambda v: None if v is None or (
        isinstance(v, float) and np.isnan(v)) else str(v))
    hashes = map_distinct(pd.Series(values), lambda v: (_HASH.search(v).group(1)
                                                        if v and _HASH.search(v) else None))
    other = np.array([h is not None and h != scale.content_hash for h in hashes])
    if other.any():
        first = next(h for h in hashes if h is not None and h != scale.content_hash)
        raise ResponseError(
            f"fielded with another scale (sha256 {first[:12]}..., this one is "
            f"{scale.content_hash[:12]}...): load the scale that was fielded (Scale.load)",
            file=file, column=LIMESURVEY_VERSION_QUESTION, rows=list(rows[other]))
