"""Time score_items on a large administration, and psych::scoreItems at equal size when R exists.

Data (seeded): 6 scales of 10 items each (60 items, 5-point codes, about 10% reverse keyed),
2% of answers missing at random. Usage::

    python benchmarks/bench_scoring.py [--respondents 1000000] [--r-respondents 100000]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from alliance_scale import score_items

R_SCRIPT = r"""
suppressPackageStartupMessages(library(psych))
args <- commandArgs(trailingOnly = TRUE)
items <- read.csv(args[1])
keys <- strsplit(readLines(args[2]), " ")
names(keys) <- paste0("scale", seq_along(keys))
started <- proc.time()[["elapsed"]]
scores <- scoreItems(keys, items, impute = "none", min = 1, max = 5)$scores
cat(sprintf("%.6f\n", proc.time()[["elapsed"]] - started))
"""


def make_data(n: int, seed: int = 2026) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """n respondents x 60 items in 6 scales; ~10% reverse keyed; 2% missing."""
    rng = np.random.default_rng(seed)
    n_scales, per_scale = 6, 10
    columns = [f"i{j + 1}" for j in range(n_scales * per_scale)]
    values = rng.integers(1, 6, size=(n, len(columns))).astype(float)
    values[rng.random(values.shape) < 0.02] = np.nan
    reverse = rng.random(len(columns)) < 0.10
    keys = {
        f"scale{s + 1}": [("-" if reverse[j] else "") + columns[j]
                          for j in range(s * per_scale, (s + 1) * per_scale)]
        for s in range(n_scales)
    }
    return pd.DataFrame(values, columns=columns), keys


def time_python(data: pd.DataFrame, keys: dict[str, list[str]], repeats: int = 3) -> float:
    best = np.inf
    for _ in range(repeats):
        started = time.perf_counter()
        score_items(data, keys, min_value=1, max_value=5)
        best = min(best, time.perf_counter() - started)
    return best


def time_r(data: pd.DataFrame, keys: dict[str, list[str]]) -> float:
    with tempfile.TemporaryDirectory() as folder:
        csv, key_file, script = (Path(folder) / n for n in ("items.csv", "keys.txt", "run.R"))
        data.to_csv(csv, index=False, na_rep="NA")
        key_file.write_text("\n".join(" ".join(v) for v in keys.values()) + "\n")
        script.write_text(R_SCRIPT)
        run = subprocess.run(["Rscript", str(script), str(csv), str(key_file)],
                             capture_output=True, text=True, check=True)
        return float(run.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--r-respondents", type=int, default=100_000)
    args = parser.parse_args()

    data, keys = make_data(args.respondents)
    seconds = time_python(data, keys)
    print(f"score_items: {args.respondents:,} respondents x 60 items, 6 scales: "
          f"{seconds:.3f} s (best of 3)")
    if shutil.which("Rscript") is None:
        print("Rscript not found: R comparison skipped")
        return
    small = data.iloc[: args.r_respondents]
    python_small = time_python(small, keys)
    r_small = time_r(small, keys)
    print(f"at {len(small):,} x 60: score_items {python_small:.3f} s, "
          f"psych::scoreItems(impute='none') {r_small:.3f} s, "
          f"R / Python = {r_small / python_small:.1f}x")


if __name__ == "__main__":
    main()
