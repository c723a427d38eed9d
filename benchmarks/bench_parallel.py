"""Benchmark: parallel analysis as psych::fa.parallel (fa = "both").

Two cases, as issue #5 asks:

1. Pearson, 135 items x 4,000 respondents, 20 iterations: ours vs
   ``psych::fa.parallel(x, n.iter = 20, fa = "both")``;
2. polychoric, 25 items x 2,800 respondents (bfi size, 2% missing), 5 iterations: ours vs
   ``psych::fa.parallel(x, n.iter = 5, fa = "both", cor = "poly")``.

Data (seeded, ``_common.ordinal_factor_data``): six-point answers, one factor per 15 items
(at least 5). R is timed inside R (``system.time`` around the call only), fed the same data
through a temporary CSV. factor_analyzer has no parallel analysis, so R is the only
comparison. The number of factors and components of both sides is printed (both are random,
so they may differ by one on borderline data).

Usage: ``python benchmarks/bench_parallel.py [--items 135] [--rows 4000]``
"""

from __future__ import annotations

import pandas as pd

from alliance_scale import parallel_analysis

try:
    from ._common import best_of, command_line, have_r, ordinal_factor_data, run_r
except ImportError:  # run as a script: its folder is on sys.path
    from _common import best_of, command_line, have_r, ordinal_factor_data, run_r

R_SCRIPT = r"""
suppressPackageStartupMessages(library(psych))
set.seed(1)
elapsed <- seconds(pa <- fa.parallel(data, n.iter = as.integer(extra[1]), fa = "both",
                                     cor = extra[2], plot = FALSE))
finish(list(seconds = elapsed, nfact = pa$nfact, ncomp = pa$ncomp))
"""


def make_data(items: int, rows: int, *, seed: int, missing: float = 0.0) -> pd.DataFrame:
    """Six-point answers from a common-factor model (one factor per 15 items, at least 5)."""
    return ordinal_factor_data(rows, items, max(5, items // 15), seed=seed, missing=missing,
                               loadings=(0.45, 0.8))


def case(label: str, data: pd.DataFrame, n_iter: int, cor: str, r_cor: str) -> None:
    runs: list = []  # keeps the timed run's result
    seconds = best_of(lambda: runs.append(parallel_analysis(data, n_iter=n_iter, cor=cor,
                                                            seed=1)), repeats=1)
    ours = runs[0]
    print(f"{label}: {data.shape[1]} items x {data.shape[0]} respondents, {n_iter} iterations")
    print(f"  alliance_scale.parallel_analysis: {seconds:8.2f} s   factors {ours.n_factors}, "
          f"components {ours.n_components}")
    if not have_r():
        print("  Rscript not found: R comparison skipped")
        return
    r = run_r(R_SCRIPT, data, n_iter, r_cor)
    print(f"  psych::fa.parallel(cor={r_cor!r}):    {r['seconds']:8.2f} s   factors {r['nfact']}, "
          f"components {r['ncomp']}   ratio {r['seconds'] / seconds:6.1f}x")


def main() -> None:
    args = command_line(__doc__.splitlines()[0], items=135, rows=4000, poly_items=25,
                        poly_rows=2800)
    parallel_analysis(make_data(6, 100, seed=0), n_iter=1, seed=0)  # warm-up (imports)
    print("factor_analyzer: no parallel analysis (not compared)")
    case("Pearson", make_data(args.items, args.rows, seed=2024), 20, "pearson", "cor")
    case("Polychoric", make_data(args.poly_items, args.poly_rows, seed=7, missing=0.02), 5,
         "polychoric", "poly")


if __name__ == "__main__":
    main()
