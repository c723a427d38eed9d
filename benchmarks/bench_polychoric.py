"""Benchmark: polychoric correlations of 135 six-point items x 4,000 respondents (9,045 pairs).

Times :func:`alliance_scale.polychoric` against ``lavaan::lavCor(ordered = all items)`` and
``psych::polychoric`` (R timed inside R with ``system.time`` around the call only, fed the
same data through a temporary CSV) and prints the ratios and the largest differences.
Data (seeded, ``_common.ordinal_factor_data``): a 9-factor model, loadings .5-.8, item-specific
skewed thresholds. factor_analyzer has no polychoric correlation, so R is the only comparison.

Usage: ``python benchmarks/bench_polychoric.py [--items 135] [--rows 4000] [--no-psych]``
(psych::polychoric on the full size takes minutes).
"""

from __future__ import annotations

import numpy as np

from alliance_scale import polychoric

try:
    from ._common import best_of, command_line, have_r, ordinal_factor_data, run_r
except ImportError:  # run as a script: its folder is on sys.path
    from _common import best_of, command_line, have_r, ordinal_factor_data, run_r

R_SCRIPT = r"""
suppressPackageStartupMessages({library(psych); library(lavaan)})
out <- list(lavaan_seconds = seconds(lav <- lavCor(data, ordered = names(data))))
out$lavaan <- unname(unclass(lav))
if (extra[1] == "yes") {
  out$psych_seconds <- seconds(ps <- polychoric(data))
  out$psych <- unname(ps$rho)
}
finish(out)
"""


def main() -> None:
    args = command_line(__doc__.splitlines()[0], items=135, rows=4000, no_psych=False,
                        help={"no_psych": "skip psych::polychoric"})
    data = ordinal_factor_data(args.rows, args.items, 9, seed=2024, loadings=(0.5, 0.8))
    pairs = args.items * (args.items - 1) // 2
    print(f"data: {args.rows} respondents x {args.items} six-point items ({pairs} pairs)")

    polychoric(data.iloc[:200, :5])  # warm-up (imports)
    runs: list = []  # keeps the timed run's result
    ours_seconds = best_of(lambda: runs.append(polychoric(data)), repeats=1)
    ours = runs[0].correlation.to_numpy()
    print(f"alliance_scale.polychoric: {ours_seconds:8.2f} s")
    print("factor_analyzer: no polychoric correlation (not compared)")

    if not have_r():
        print("Rscript not found: R comparison skipped")
        return
    r = run_r(R_SCRIPT, data, "no" if args.no_psych else "yes")
    for name, label in (("lavaan", "lavaan::lavCor(ordered):"), ("psych", "psych::polychoric:")):
        if f"{name}_seconds" in r:
            seconds, diff = r[f"{name}_seconds"], np.abs(ours - np.array(r[name])).max()
            print(f"{label:26} {seconds:8.2f} s   ratio {seconds / ours_seconds:6.1f}x   "
                  f"max |diff| {diff:.1e}")


if __name__ == "__main__":
    main()
