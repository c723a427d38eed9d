"""Time full-information ML (``cfa(..., missing="ml")``) against lavaan 0.6.14 on 72 items.

Data (seeded, ``_common.ordinal_factor_data``): 4,000 respondents x 72 six-point items
treated as continuous, item ``j`` on factor ``j % 6`` (12 items each), factors correlating
.2, 5% of the answers skipped completely at random (about 3,900 missing-data patterns:
nearly one per respondent). Measured in the same run, one run each (lavaan needs many
minutes here), wall-clock and CPU time (the CPU ratio is the fair one on a shared machine):

- ``cfa(data, model, missing="ml")``: EM saturated model, FIML estimates, observed-
  information SEs, the baseline model and every fit measure, FIML-corrected robust CFI /
  TLI / RMSEA included;
- when ``Rscript`` is on PATH, ``lavaan::cfa(model, data, missing = "ml")`` followed by
  ``fitMeasures()`` (lavaan computes the FIML-corrected indices there), the time ratio
  (target >= 20) and the largest differences in estimates and chi-square.

Usage::

    python benchmarks/bench_fiml.py [--respondents 4000] [--threads 1] [--estimator ML]
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

from threadpoolctl import threadpool_limits

from alliance_scale import AllianceScaleWarning, cfa

try:
    from ._common import command_line, have_r, ordinal_factor_data, run_r
    from .bench_cfa import coefficients, largest_difference
except ImportError:  # run as a script: its folder is on sys.path
    from _common import command_line, have_r, ordinal_factor_data, run_r
    from bench_cfa import coefficients, largest_difference

ITEMS, FACTORS, MISSING = 72, 6, 0.05

R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
model <- paste(readLines(extra[1]), collapse = "\n")
estimator <- extra[2]
cpu <- function(t) t[["user.self"]] + t[["sys.self"]]
t1 <- system.time(fit <- cfa(model, data, missing = "ml", estimator = estimator))
t2 <- system.time(fm <- fitMeasures(fit))
finish(list(seconds = t1[["elapsed"]] + t2[["elapsed"]], fit_seconds = t1[["elapsed"]],
            measures_seconds = t2[["elapsed"]], cpu_seconds = cpu(t1) + cpu(t2),
            est = coef(fit), names = names(coef(fit)),
            chisq = fm[["chisq"]], cfi_robust = fm[["cfi.robust"]]))
"""


def factor_model() -> str:
    return "\n".join(f"f{k + 1} =~ " + " + ".join(f"i{j + 1}" for j in range(ITEMS)
                                                  if j % FACTORS == k)
                     for k in range(FACTORS))


def main() -> None:
    args = command_line(__doc__.splitlines()[0], respondents=4000, threads=1, estimator="ML",
                        help={"threads": "BLAS threads for the Python run (R's reference "
                                         "BLAS is single-threaded)",
                              "estimator": "ML or MLR"})
    model = factor_model()
    data = ordinal_factor_data(args.respondents, ITEMS, FACTORS, seed=2027, missing=MISSING)
    complete = int(data.notna().all(axis=1).sum())
    print(f"FIML cfa ({args.estimator}): {ITEMS} items, {FACTORS} factors, "
          f"{args.respondents} respondents ({complete} complete), {MISSING:.0%} MCAR, "
          f"{args.threads} BLAS thread(s)")
    with threadpool_limits(limits=args.threads), warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        started, cpu_started = time.perf_counter(), time.process_time()
        fit = cfa(data, model, estimator=args.estimator, missing="ml")
        ours = time.perf_counter() - started
        ours_cpu = time.process_time() - cpu_started
    print(f"  alliance_scale:  {ours:9.2f} s, CPU {ours_cpu:.2f} s  (chi2 "
          f"{fit.fit['chisq']:.3f}, robust CFI {fit.fit['cfi_robust']:.4f})")
    if not have_r():
        print("  Rscript not on PATH: lavaan not timed")
        return
    with tempfile.TemporaryDirectory() as folder:
        syntax = Path(folder) / "model.lav"
        syntax.write_text(model)
        r = run_r(R_SCRIPT, data, syntax, args.estimator)
    print(f"  lavaan:          {r['seconds']:9.2f} s, CPU {r['cpu_seconds']:.2f} s  (cfa "
          f"{r['fit_seconds']:.2f} s + fitMeasures {r['measures_seconds']:.2f} s) -> "
          f"lavaan / ours {r['seconds'] / ours:6.1f} x wall-clock, "
          f"{r['cpu_seconds'] / ours_cpu:6.1f} x CPU (target >= 20)")
    diff = largest_difference(coefficients(fit), r["names"], r["est"])
    print(f"    max |estimate difference| {diff:.2e}, chi2 difference "
          f"{abs(fit.fit['chisq'] - r['chisq']):.2e}, robust CFI difference "
          f"{abs(fit.fit['cfi_robust'] - r['cfi_robust']):.2e}")


if __name__ == "__main__":
    main()
