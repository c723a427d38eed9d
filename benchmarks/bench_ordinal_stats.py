"""Benchmark: the ordinal sample statistics of WLSMV (thresholds, polychorics, NACOV).

Times ``ordinal_statistics`` (``alliance_scale.psychometrics._cfa._ordinal``) against lavaan's
own step, ``lavaan:::muthen1984()`` with ``WLS.W = TRUE``: the function
``lav_samplestats_from_data()`` calls for a WLSMV fit of ordered items, which estimates the
thresholds and polychorics and builds the matrix that becomes NACOV (``CAT$WLS.W * N``,
``lavInspect(fit, "gamma")``). R is timed inside R (``system.time`` around that call only;
the data are recoded to 1..K per item first, as lavaan's ``ordered()`` does), fed the same data
through a temporary CSV, one run; ours best of 3 (one run costs a second or two). Printed:
both times, their ratio and the largest differences (thresholds, polychorics; NACOV relative
to its largest entry, on every entry for bfi and on 20,000 seeded entries for the large set).

Data: psychTools::bfi (tests/fixtures/bfi.csv; 25 six-point items, the 2,436 complete rows),
and seeded answers (``_common.ordinal_factor_data``) of ``--items`` five-point items x
``--rows`` respondents from a 9-factor model (default 72 x 4,000: 288 thresholds + 2,556
polychorics, a 2,844 x 2,844 NACOV; lavaan needs a few minutes).

Usage: ``python benchmarks/bench_ordinal_stats.py [--items 72] [--rows 4000] [--bfi-only]``
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from alliance_scale.psychometrics._cfa._ordinal import ordinal_statistics

try:
    from ._common import best_of, command_line, have_r, ordinal_factor_data, run_r
except ImportError:  # run as a script: its folder is on sys.path
    from _common import best_of, command_line, have_r, ordinal_factor_data, run_r

BFI = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "bfi.csv"

R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
x <- sapply(data, function(v) as.integer(factor(v)))  # 1..K per item, as ordered()
p <- ncol(x)
out <- list(lavaan_version = as.character(packageVersion("lavaan")))
out$seconds <- seconds(cat <- lavaan:::muthen1984(
  Data = x, ov.names = colnames(x), ov.types = rep("ordered", p),
  ov.levels = apply(x, 2, max), WLS.W = TRUE))
nacov <- cat$WLS.W * nrow(x)
out$thresholds <- unlist(cat$TH)
out$correlation <- unname(cat$COR)
if (extra[1] == "all") {
  out$index <- seq_along(nacov)
} else {
  set.seed(1)
  out$index <- sample(length(nacov), as.integer(extra[1]))
}
out$nacov <- nacov[out$index]
finish(out)
"""


def compare(label: str, data: pd.DataFrame, entries: str) -> None:
    """Time ours and lavaan's on ``data``; print times, ratio and differences."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty cells: expected in sparse corners
        runs: list = []
        ours_seconds = best_of(lambda: runs.append(ordinal_statistics(data)), repeats=3)
    stats = runs[0]
    size = len(stats.vector())
    print(f"{label}: {stats.n_obs} respondents x {len(stats.names)} items "
          f"({size} statistics, NACOV {size} x {size})")
    print(f"  alliance-scale ordinal_statistics: {ours_seconds:8.2f} s")
    if not have_r():
        print("  Rscript not found: lavaan comparison skipped")
        return
    r = run_r(R_SCRIPT, data, entries)
    seconds = r["seconds"]
    index = np.array(r["index"]) - 1
    rows, cols = np.unravel_index(index, (size, size), order="F")
    ours_nacov = stats.nacov[rows, cols]
    scale = np.abs(np.array(r["nacov"])).max()
    print(f"  lavaan {r['lavaan_version']} muthen1984():  {seconds:8.2f} s   "
          f"ratio {seconds / ours_seconds:6.1f}x")
    print(f"  max |diff|: thresholds "
          f"{np.abs(np.concatenate(stats.thresholds) - r['thresholds']).max():.1e}, "
          f"polychorics {np.abs(stats.correlation - np.array(r['correlation'])).max():.1e}, "
          f"NACOV {np.abs(ours_nacov - r['nacov']).max() / scale:.1e} of its largest entry "
          f"({len(index)} entries)")


def main() -> None:
    args = command_line(__doc__.splitlines()[0], items=72, rows=4000, bfi_only=False,
                        help={"bfi_only": "skip the large simulated set"})
    ordinal_statistics(pd.DataFrame({"a": [1, 2, 1, 2], "b": [1, 1, 2, 2]}))  # warm-up
    bfi = pd.read_csv(BFI, index_col="id").iloc[:, :25].dropna()
    compare("bfi", bfi, "all")
    if not args.bfi_only:
        data = ordinal_factor_data(args.rows, args.items, 9, seed=2024, categories=5,
                                   loadings=(0.5, 0.8))
        compare("simulated", data, "20000")


if __name__ == "__main__":
    main()
