"""The results file of a Monte Carlo run: one CSV line per replication, appended as batches
finish, with the design's hash in a sidecar, so that an interrupted run resumes where it
stopped and a file from another design is refused rather than mixed.

CSV, not Parquet: a Parquet file is readable only once its footer is written, when the
writer closes; a run killed half-way would leave nothing to resume from. Each batch is
appended in one write and flushed to disk (``fsync``); a line cut by a kill is dropped on
reading (that replication is simply run again), and a replication present twice is read
once.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from ..._io import write_atomic
from ...errors import OptionError

__all__: list[str] = []

#: Version of the record layout (part of the design hash).
FORMAT = 1


def sidecar(path: Path) -> Path:
    """The design file beside the results: ``runs.csv.design.json``."""
    return path.with_name(path.name + ".design.json")


class Store:
    """Append-only CSV of replication records for one design."""

    def __init__(self, path: str | os.PathLike, design_hash: str, columns: list[str],
                 description: dict[str, Any], resume: bool) -> None:
        path = Path(path)
        if path.suffix.lower() in (".parquet", ".pq"):
            raise OptionError(f"results={str(path)!r}: results stream to a CSV file (a "
                              "Parquet file is readable only after its writer closes it, so a "
                              "run stopped half-way could not be resumed); give a .csv path")
        if path.exists() and not path.is_file():
            raise OptionError(f"results={str(path)!r} is not a regular file")
        self.path, self.columns, self.hash = path, columns, design_hash
        meta = sidecar(path)
        if path.exists() and resume:
            if not meta.exists():
                raise OptionError(f"results file {str(path)!r} has no design file "
                                  f"{meta.name!r} beside it: it was not written by "
                                  "simulate_power (or its design file was removed); give "
                                  "another results file")
            stored = json.loads(meta.read_text(encoding="utf-8"))
            if stored.get("design_hash") != design_hash:
                raise OptionError(
                    f"results file {str(path)!r} holds replications of another design "
                    f"(design hash {str(stored.get('design_hash'))[:12]}, this design "
                    f"{design_hash[:12]}: population, analysis model, estimator, alpha or "
                    "seed differ); refusing to mix them: give another results file, or "
                    "resume=False to start it again")
            self.records = self._read()
        else:
            write_atomic(meta, json.dumps({"design_hash": design_hash, "format": FORMAT,
                                           "design": description}, indent=1, default=str))
            write_atomic(path, ",".join(columns) + "\n")
            self.records = pd.DataFrame(columns=columns)

    def _read(self) -> pd.DataFrame:
        text = self.path.read_text(encoding="utf-8")
        complete = text[:text.rfind("\n") + 1]  # a line cut by a kill is run again
        if len(complete) != len(text):
            with open(self.path, "r+b") as stream:
                stream.truncate(len(complete.encode("utf-8")))
        frame = pd.read_csv(io.StringIO(complete), keep_default_na=True)
        if list(frame.columns) != self.columns:
            raise OptionError(f"results file {str(self.path)!r} has other columns than this "
                              "design's records; give another results file")
        return frame.drop_duplicates(["n", "replication"], keep="first")

    def append(self, records: list[dict[str, Any]]) -> None:
        """Append a batch in one write, flushed to disk."""
        text = pd.DataFrame(records, columns=self.columns).to_csv(index=False, header=False)
        with open(self.path, "a", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
