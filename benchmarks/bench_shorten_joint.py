"""Time stuart's 117,600-candidate problem solved exactly by batched ML fits.

stuart's README ("Example 2"): the fairplayer data, empathy (8 items -> 3), relational
aggression (5 -> 3) and social intelligence (10 -> 4) in one correlated-factors model:
``combinations(fairplayer, fs, ni)`` is 117,600. stuart's README searches it with its
genetic algorithm ("Models Estimated: 4544 ... Time Required: 42.297 seconds": about 107
models per second, a heuristic answer). Here, in one run:

(a) ``shorten(..., model="joint", method="exact")``: every candidate fitted (ML on each
    candidate's complete rows, as stuart with ``analysis.options = list(missing =
    "listwise")``; the default FIML of stuart is not batched), scored with stuart's
    objective; wall-clock and CPU seconds, candidates per second;
(b) lavaan 0.6.14 fitting 50 of the same candidates one by one with stuart's model syntax
    (``tests/fixtures/stuart_joint_reference.R``), timed in R when Rscript is on PATH, else
    the number recorded below (say which);
(c) stuart's reported 107 models per second.

The machine's load average is printed: other work on the 2 cores slows the wall clock
(the CPU time is the process' own).
Usage::

    python benchmarks/bench_shorten_joint.py [--no-r]
"""

from __future__ import annotations

import json
import os
import time
import warnings
from pathlib import Path

import pandas as pd

from alliance_scale.design import shorten

try:
    from ._common import command_line, have_r, run_r
except ImportError:  # run as a script: its folder is on sys.path
    from _common import command_line, have_r, run_r

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
#: stuart's README, Example 2 (gene): 4544 models in 42.297 s.
STUART_MODELS_PER_SECOND = 4544 / 42.297
#: lavaan 0.6.14 on this machine, 50 candidates one by one (used without Rscript).
RECORDED_LAVAAN_SECONDS_PER_FIT = 0.062

R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
spec <- fromJSON(extra[1])
elapsed <- seconds(for (k in seq_len(nrow(spec$candidates))) {
  sel <- split(spec$candidates[k, ], rep(c("EM", "RA", "SI"), c(3, 3, 4)))
  model <- character()
  for (f in names(sel)) {
    i <- seq_along(sel[[f]])
    model <- c(model, paste0(f, "=~", paste0("lam", f, i, "*", sel[[f]], collapse = " + ")),
               paste0(sel[[f]], "~~eps", f, i, "*", sel[[f]]),
               paste0(sel[[f]], "~alp", f, i, "*1"))
  }
  fit <- suppressWarnings(lavaan(model = paste(model, collapse = "\n"),
           data = data[, unlist(sel)], missing = "listwise", se = "none",
           int.ov.free = TRUE, int.lv.free = FALSE, auto.fix.first = TRUE, std.lv = FALSE,
           auto.fix.single = TRUE, auto.var = TRUE, auto.cov.lv.x = TRUE, auto.th = TRUE,
           auto.delta = TRUE, auto.cov.y = TRUE))
  check <- suppressWarnings(lavInspect(fit, "post.check"))
  fm <- fitMeasures(fit, c("rmsea", "srmr"))
})
finish(list(seconds = elapsed, n = nrow(spec$candidates),
            lavaan = as.character(packageVersion("lavaan"))))
"""


def main() -> None:
    args = command_line(__doc__.splitlines()[0], no_r=False)
    warnings.simplefilter("ignore")
    data = pd.read_csv(FIXTURES / "fairplayer_joint.csv")
    cols = list(data.columns)
    factors = {"EM": cols[:8], "RA": cols[8:13], "SI": cols[13:]}
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    wall, cpu = time.perf_counter(), time.process_time()
    form = shorten(data, factors, per_facet={"EM": 3, "RA": 3, "SI": 4}, model="joint",
                   estimator="ML", missing="listwise", method="exact", budget=200_000,
                   holdout=None)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    n = int(form.search.loc["joint", "fitted"])
    rate = n / wall
    best = form.to_frame()
    print(f"(a) exact: {n:,} candidates in {wall:.1f} s wall ({cpu:.1f} s CPU): "
          f"{rate:,.0f} candidates/s wall, {n / cpu:,.0f} per CPU second; "
          f"{int(form.search.loc['joint', 'inadmissible']):,} inadmissible")
    print(f"    optimum: {best['items'].iloc[0]}  objective {best['objective'].iloc[0]:.4f} "
          f"(crel {best['crel'].iloc[0]:.3f}, RMSEA {best['rmsea'].iloc[0]:.3f}, "
          f"SRMR {best['srmr'].iloc[0]:.3f})")
    top = form.candidates.head(50)
    if have_r() and not args.no_r:
        spec = {"candidates": [list(c) for c in top["items"]]}
        out = run_r(R_SCRIPT, data, json.dumps(spec))
        per_fit, source = out["seconds"] / out["n"], f"lavaan {out['lavaan']}, timed now"
    else:
        per_fit, source = RECORDED_LAVAAN_SECONDS_PER_FIT, "lavaan 0.6.14, recorded"
    print(f"(b) {source}: {per_fit * 1e3:.1f} ms per candidate ({1 / per_fit:.0f}/s); "
          f"the 117,600 would take {per_fit * n / 60:.0f} min; (a) is {rate * per_fit:.0f}x "
          "faster")
    print(f"(c) stuart's gene(): {STUART_MODELS_PER_SECOND:.0f} models/s (README); (a) is "
          f"{rate / STUART_MODELS_PER_SECOND:.0f}x faster and exact")


if __name__ == "__main__":
    main()
