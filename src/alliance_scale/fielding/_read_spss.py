"""SPSS (``.sav``, ``.zsav``) and Stata (``.dta``) response files, read with pyreadstat.

Qualtrics and LimeSurvey both offer an SPSS export, and it is what many researchers keep.
pyreadstat (the ReadStat C library, as R's haven) reads the file; this module only turns it
into a :class:`~._read_common.Table`: variable names as the header, variable labels (the
question texts) as column labels, value labels kept so that answer codes can be mapped back
through their texts, user-defined missing values read as missing (pyreadstat's default).
The file's declared size (rows x columns) is read from its metadata first and checked
against the memory budget and the decompression ratio before the data are loaded.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .._io import MEMORY_BUDGET, check_budget, check_ratio
from ..errors import ResponseError
from ._read_common import Table

__all__: list[str] = []

#: Memory a cell read from SPSS or Stata costs here (bytes): pyreadstat's float64 or text
#: value, the copy without the header rows, the item codes and the result.
BYTES_PER_CELL = 48
#: Most cells read (rows x columns) from an SPSS or Stata file: the memory budget's worth
#: (44.7M); the declared size is checked before the data are read, with the ratio of the
#: data's size (8 bytes a cell) to the file's (a .zsav bomb declares millions of rows).
MAX_CELLS = MEMORY_BUDGET // BYTES_PER_CELL


def read_spss(path: Path, file: str, kind: str) -> Table:
    """An SPSS (``kind="spss"``) or Stata (``"stata"``) file as a :class:`Table`.

    Raises
    ------
    ResponseError
        The file cannot be read by pyreadstat, or declares more than :data:`MAX_CELLS` cells.
    """
    import pyreadstat  # imported here: only SPSS and Stata files need it

    reader = pyreadstat.read_dta if kind == "stata" else pyreadstat.read_sav
    name = "Stata" if kind == "stata" else "SPSS"
    try:
        _, meta = reader(str(path), metadataonly=True)
    except Exception as error:  # pyreadstat raises its own types for damaged files
        raise ResponseError(f"cannot be read as an {name} file ({error})", file=file) from None
    def error(message: str) -> ResponseError:
        return ResponseError(message, file=file)

    columns = max(int(meta.number_columns or 0), 1)
    declared = meta.number_rows if meta.number_rows is not None and meta.number_rows >= 0 \
        else None
    most_rows = max(MAX_CELLS // columns, 1)
    if declared is not None:
        check_budget(f"the file declares {declared:,} rows x {columns:,} columns; reading "
                     "them", declared * columns * BYTES_PER_CELL, error,
                     f"at most {most_rows:,} rows of {columns:,} columns are read")
        check_ratio(path.stat().st_size, declared * columns * 8, error,
                    f"the file declares {declared:,} rows x {columns:,} columns: it")
    try:  # rows not declared (allowed in .sav): read one more than the budget allows
        data, meta = reader(str(path), row_limit=0 if declared is not None else most_rows + 1)
    except Exception as failure:
        raise ResponseError(f"cannot be read as an {name} file ({failure})", file=file
                            ) from None
    if len(data) > most_rows:
        check_budget(f"the file holds more than {most_rows:,} rows x {columns:,} columns; "
                     "reading them", (most_rows + 1) * columns * BYTES_PER_CELL, error)
    header = [str(c).strip() for c in data.columns]
    labels = [str(meta.column_names_to_labels.get(c) or "") for c in data.columns]
    position = {c: k for k, c in enumerate(data.columns)}
    value_labels = {
        position[c]: {float(v): str(t) for v, t in mapping.items()
                      if isinstance(v, (int, float))}
        for c, mapping in (meta.variable_value_labels or {}).items() if c in position
    }
    data.columns = list(range(len(header)))
    preview = [[str(v) for v in row] for row in data.head(2).itertuples(index=False)]

    def load(skip: int, text_columns: set[int]) -> tuple[pd.DataFrame, pd.Index]:
        frame = data.iloc[skip:].reset_index(drop=True)
        if frame.empty:
            raise ResponseError("the file has no data rows", file=file)
        for column in frame.columns:  # empty strings are missing values in a text variable
            if frame[column].dtype == object:
                frame[column] = frame[column].map(
                    lambda v: None if isinstance(v, str) and not v.strip() else v)
        return frame, pd.RangeIndex(1, len(frame) + 1, name="row")

    return Table(file=file, container=kind, description=f"{name} file", header=header,
                 preview=preview, load=load, labels=labels, value_labels=value_labels)
