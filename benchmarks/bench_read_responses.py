"""Time read_responses against pandas.read_csv on the same files: wide (linear in columns?),
tall (a ~49 MB export of 310,000 respondents x 80 items + id), plain and LimeSurvey, and a
header of ``--metadata-columns`` (100,000) non-item columns over 3 rows (issue #18: they
were classified one at a time, 1.8 ms each).

read_responses does more than parse (encoding and layout detection, a field-count check of
every row, every answer checked, ids kept as text, the status), so the ratio says what that
costs. Data are seeded 5-point answers with 2% missing. Each timing is the best of
``--repeats`` runs, ours and pandas' interleaved so that both meet the same machine load;
peak memory is measured with tracemalloc (numpy and pandas register their buffers) in a
separate run. Usage::

    python benchmarks/bench_read_responses.py [--rows 310000] [--wide-rows 200]
        [--columns 10000] [--metadata-columns 100000] [--repeats 3]
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from alliance_scale import Scale, ScaleItem, agreement_format, draft_scale, read_responses

try:
    from ._common import command_line
except ImportError:  # run as a script: its folder is on sys.path
    from _common import command_line


def interleaved(first: Callable[[], object], second: Callable[[], object], repeats: int
                ) -> tuple[float, float]:
    """Best wall-clock time of each function, the two run alternately."""
    best = [np.inf, np.inf]
    for _ in range(repeats):
        for k, function in enumerate((first, second)):
            started = time.perf_counter()
            function()
            best[k] = min(best[k], time.perf_counter() - started)
    return best[0], best[1]


def peak_mb(function: Callable[[], object]) -> float:
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def answers(n: int, columns: list[str], seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = rng.integers(1, 6, size=(n, len(columns))).astype(float)
    codes[rng.random(codes.shape) < 0.02] = np.nan
    return pd.DataFrame(codes, columns=columns).astype("Int64")


def wide_scale(p: int) -> Scale:
    items = tuple(ScaleItem(f"A{k}a_1", "A1a", "A1", "A", f"texte {k}", f"text {k}", 1, "both")
                  for k in range(1, p + 1))
    return Scale("wide", "1", "fr", "guided", items, agreement_format(5))


def compare(label: str, path: Path, scale: Scale, repeats: int) -> None:
    ours, theirs = interleaved(lambda: read_responses(path, scale),
                               lambda: pd.read_csv(path), repeats)
    memory = peak_mb(lambda: read_responses(path, scale))
    memory_pandas = peak_mb(lambda: pd.read_csv(path))
    print(f"{label:<44} {path.stat().st_size / 1e6:7.1f} MB  pandas {theirs:6.2f} s  "
          f"ours {ours:6.2f} s  ratio {ours / theirs:4.1f}x  peak {memory_pandas:5.0f} / "
          f"{memory:5.0f} MB")


def limesurvey_export(frame: pd.DataFrame, path: Path) -> None:
    """The same answers as LimeSurvey's CsvWriter writes them: BOM, every field quoted,
    CRLF, ``DTA1[A1a1]`` headings, ``id`` and ``submitdate``."""
    codes = {c: "DTA1[" + c.replace("_", "") + "]" for c in frame.columns[1:]}
    out = frame.rename(columns={"respondent": "id", **codes})
    out.insert(1, "submitdate", "2026-03-02 09:19:41")
    out.to_csv(path, index=False, quoting=1, lineterminator="\r\n", encoding="utf-8-sig")


def main() -> None:
    args = command_line(__doc__.splitlines()[0], rows=310_000, wide_rows=200,
                        columns=10_000, metadata_columns=100_000, repeats=3)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        print("wide files (linear in columns?)")
        for p in (args.columns // 4, args.columns // 2, args.columns):
            scale = wide_scale(p)
            frame = answers(args.wide_rows, scale.item_ids, seed=p)
            frame.insert(0, "respondent", [f"R{k:05d}" for k in range(args.wide_rows)])
            path = folder / f"wide{p}.csv"
            frame.to_csv(path, index=False)
            compare(f"{args.wide_rows} x {p:,} items (plain CSV)", path, scale, args.repeats)
        print("a wide header of metadata columns")
        scale = draft_scale()
        notes = [f"note{k}" for k in range(args.metadata_columns)]
        frame = answers(3, scale.item_ids, seed=2)
        frame = pd.concat([frame, pd.DataFrame([["a", "7"] * (len(notes) // 2)] * 3,
                                               columns=notes[: 2 * (len(notes) // 2)])],
                          axis=1)
        frame.insert(0, "respondent", ["R1", "R2", "R3"])
        path = folder / "metadata.csv"
        frame.to_csv(path, index=False)
        compare(f"3 x 80 items + {args.metadata_columns:,} other columns", path, scale,
                args.repeats)
        print("tall export")
        scale = draft_scale()  # 80 items
        frame = answers(args.rows, scale.item_ids, seed=1)
        frame.insert(0, "respondent", [f"R{k:07d}" for k in range(args.rows)])
        path = folder / "tall.csv"
        frame.to_csv(path, index=False)
        compare(f"{args.rows:,} x 81 (plain CSV)", path, scale, args.repeats)
        limesurvey_export(frame, folder / "limesurvey.csv")
        compare(f"{args.rows:,} x 82 (LimeSurvey CSV, all quoted)", folder / "limesurvey.csv",
                scale, args.repeats)


if __name__ == "__main__":
    main()
