"""Benchmark: parallel analysis as psych::fa.parallel (fa = "both").

Two cases, as issue #5 asks:

1. Pearson, 135 items x 4,000 respondents, 20 iterations: ours vs
   ``psych::fa.parallel(x, n.iter = 20, fa = "both")``;
2. polychoric, 25 items x 2,800 respondents (bfi size, 2% missing), 5 iterations: ours vs
   ``psych::fa.parallel(x, n.iter = 5, fa = "both", cor = "poly")``.

R is timed inside R (``system.time`` around the call only), fed the same data through a
temporary CSV. factor_analyzer has no parallel analysis, so R is the only comparison. The
number of factors and components of both sides is printed (both are random, so they may
differ by one on borderline data).

Usage: ``python benchmarks/bench_parallel.py [--items 135] [--rows 4000]``
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

from alliance_scale import parallel_analysis

R_SCRIPT = r"""
suppressPackageStartupMessages({library(psych); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
x <- read.csv(args[1])
set.seed(1)
elapsed <- system.time(
  pa <- fa.parallel(x, n.iter = as.integer(args[3]), fa = "both", cor = args[4], plot = FALSE)
)[["elapsed"]]
write_json(list(seconds = elapsed, nfact = pa$nfact, ncomp = pa$ncomp), args[2],
           digits = NA, auto_unbox = TRUE)
"""


def make_data(items: int, rows: int, *, seed: int, missing: float = 0.0) -> pd.DataFrame:
    """Six-point answers from a common-factor model (one factor per 15 items, at least 5)."""
    rng = np.random.default_rng(seed)
    factors = max(5, items // 15)
    loadings = np.zeros((items, factors))
    loadings[np.arange(items), np.arange(items) % factors] = rng.uniform(0.45, 0.8, items)
    latent = rng.standard_normal((rows, factors)) @ loadings.T
    latent += rng.standard_normal((rows, items)) * np.sqrt(1 - (loadings**2).sum(axis=1))
    cuts = np.sort(rng.normal([-1.6, -0.8, -0.1, 0.6, 1.4], 0.15, size=(items, 5)), axis=1)
    codes = (1 + (latent[:, :, None] > cuts[None, :, :]).sum(axis=2)).astype(float)
    codes[rng.random(codes.shape) < missing] = np.nan
    return pd.DataFrame(codes, columns=[f"i{j + 1}" for j in range(items)])


def run_r(data: pd.DataFrame, n_iter: int, cor: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "data.csv"
        script = Path(folder) / "bench.R"
        output = Path(folder) / "out.json"
        data.to_csv(csv, index=False, na_rep="NA")
        script.write_text(R_SCRIPT)
        subprocess.run(["Rscript", str(script), str(csv), str(output), str(n_iter), cor],
                       check=True, capture_output=True)
        return json.loads(output.read_text())


def case(label: str, data: pd.DataFrame, n_iter: int, cor: str, r_cor: str) -> None:
    start = time.perf_counter()
    ours = parallel_analysis(data, n_iter=n_iter, cor=cor, seed=1)
    seconds = time.perf_counter() - start
    print(f"{label}: {data.shape[1]} items x {data.shape[0]} respondents, {n_iter} iterations")
    print(f"  alliance_scale.parallel_analysis: {seconds:8.2f} s   factors {ours.n_factors}, "
          f"components {ours.n_components}")
    if shutil.which("Rscript") is None:
        print("  Rscript not found: R comparison skipped")
        return
    r = run_r(data, n_iter, r_cor)
    print(f"  psych::fa.parallel(cor={r_cor!r}):    {r['seconds']:8.2f} s   factors {r['nfact']}, "
          f"components {r['ncomp']}   ratio {r['seconds'] / seconds:6.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=135)
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--poly-items", type=int, default=25)
    parser.add_argument("--poly-rows", type=int, default=2800)
    args = parser.parse_args()
    parallel_analysis(make_data(6, 100, seed=0), n_iter=1, seed=0)  # warm-up (imports)
    print("factor_analyzer: no parallel analysis (not compared)")
    case("Pearson", make_data(args.items, args.rows, seed=2024), 20, "pearson", "cor")
    case("Polychoric", make_data(args.poly_items, args.poly_rows, seed=7, missing=0.02), 5,
         "polychoric", "poly")


if __name__ == "__main__":
    main()
