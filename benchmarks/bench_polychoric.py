"""Benchmark: polychoric correlations of 135 six-point items x 4,000 respondents (9,045 pairs).

Times :func:`alliance_scale.polychoric` against ``lavaan::lavCor(ordered = all items)`` and
``psych::polychoric`` (R timed inside R with ``system.time`` around the call only, fed the
same data through a temporary CSV) and prints the ratios and the largest differences.
factor_analyzer has no polychoric correlation, so R is the only comparison.

Usage: ``python benchmarks/bench_polychoric.py [--items 135] [--rows 4000] [--no-psych]``
(psych::polychoric on the full size takes minutes).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from alliance_scale import polychoric

R_SCRIPT = r"""
suppressPackageStartupMessages({library(psych); library(lavaan); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
x <- read.csv(args[1])
out <- list()
t_lav <- system.time(lav <- lavCor(x, ordered = names(x)))[["elapsed"]]
out$lavaan_seconds <- t_lav
out$lavaan <- unname(unclass(lav))
if (args[3] == "yes") {
  t_psych <- system.time(ps <- polychoric(x))[["elapsed"]]
  out$psych_seconds <- t_psych
  out$psych <- unname(ps$rho)
}
write_json(out, args[2], digits = NA, auto_unbox = TRUE)
"""


def make_data(items: int, rows: int, seed: int = 2024) -> pd.DataFrame:
    """Six-point answers from a 9-factor model (loadings .5-.8, skewed thresholds)."""
    rng = np.random.default_rng(seed)
    factors = 9
    loadings = np.zeros((items, factors))
    loadings[np.arange(items), np.arange(items) % factors] = rng.uniform(0.5, 0.8, items)
    latent = rng.standard_normal((rows, factors)) @ loadings.T
    latent += rng.standard_normal((rows, items)) * np.sqrt(1 - (loadings**2).sum(axis=1))
    cuts = np.sort(rng.normal([-1.6, -0.8, -0.1, 0.6, 1.4], 0.15, size=(items, 5)), axis=1)
    codes = 1 + (latent[:, :, None] > cuts[None, :, :]).sum(axis=2)
    return pd.DataFrame(codes, columns=[f"i{j + 1}" for j in range(items)], dtype=float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=135)
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--no-psych", action="store_true", help="skip psych::polychoric")
    args = parser.parse_args()
    data = make_data(args.items, args.rows)
    pairs = args.items * (args.items - 1) // 2
    print(f"data: {args.rows} respondents x {args.items} six-point items ({pairs} pairs)")

    polychoric(data.iloc[:200, :5])  # warm-up (imports)
    start = time.perf_counter()
    ours = polychoric(data)
    ours_seconds = time.perf_counter() - start
    print(f"alliance_scale.polychoric: {ours_seconds:8.2f} s")
    print("factor_analyzer: no polychoric correlation (not compared)")

    if shutil.which("Rscript") is None:
        print("Rscript not found: R comparison skipped")
        return
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "data.csv"
        script = Path(folder) / "bench.R"
        output = Path(folder) / "out.json"
        data.astype(int).to_csv(csv, index=False)
        script.write_text(R_SCRIPT)
        psych_flag = "no" if args.no_psych else "yes"
        subprocess.run(["Rscript", str(script), str(csv), str(output), psych_flag], check=True)
        r = json.loads(output.read_text())
    matrix = ours.correlation.to_numpy()
    lavaan_diff = np.abs(matrix - np.array(r["lavaan"])).max()
    print(f"lavaan::lavCor(ordered):   {r['lavaan_seconds']:8.2f} s   ratio "
          f"{r['lavaan_seconds'] / ours_seconds:6.1f}x   max |diff| {lavaan_diff:.1e}")
    if "psych_seconds" in r:
        psych_diff = np.abs(matrix - np.array(r["psych"])).max()
        print(f"psych::polychoric:         {r['psych_seconds']:8.2f} s   ratio "
              f"{r['psych_seconds'] / ours_seconds:6.1f}x   max |diff| {psych_diff:.1e}")


if __name__ == "__main__":
    main()
