"""Time stuart's 117,600-candidate problem solved exactly by batched fits.

stuart's README ("Example 2"): the fairplayer data, empathy (8 items -> 3), relational
aggression (5 -> 3) and social intelligence (10 -> 4) in one correlated-factors model:
``combinations(fairplayer, fs, ni)`` is 117,600. stuart's README searches it with its
genetic algorithm ("Models Estimated: 4544 ... Time Required: 42.297 seconds": about 107
models per second, a heuristic answer). Here, in one run:

(a) ``shorten(..., model="joint", method="exact", missing="ml")``: every candidate fitted
    by full-information ML (lavaan's ``missing = "fiml"``, stuart's default; batched,
    ``_shorten_fiml``) and scored with stuart's objective, by ``--workers`` processes
    (default 2); wall-clock seconds, CPU seconds (the process and its workers),
    candidates per second; the optimum and stuart's README answer with their objectives;
(b) lavaan 0.6.14 fitting 50 of the same candidates one by one by FIML with stuart's
    model syntax, timed in R when Rscript is on PATH, else the number recorded below
    (say which);
(c) stuart's reported 107 models per second;
(d) with ``--listwise``: the same search by listwise ML (each candidate's complete rows,
    stuart's ``analysis.options = list(missing = "listwise")``), one process, and lavaan
    listwise for 50 candidates.

The machine's load average is printed: other work on the 2 cores slows the wall clock
(the CPU time is the process' own).
Usage::

    python benchmarks/bench_shorten_joint.py [--no-r] [--workers N] [--listwise]
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
#: lavaan 0.6.14 on this machine, 50 candidates one by one (used without Rscript):
#: FIML (load 0.8; 0.41 s at load 6), listwise.
RECORDED_LAVAAN_SECONDS_PER_FIT = {"ml": 0.213, "listwise": 0.062}
#: stuart's README answer (its genetic search, FIML).
README_ANSWER = ("sEM01t1", "sEM02t1", "sEM07t1", "sRA02t1", "sRA04t1", "sRA05t1",
                 "sSI01t1", "sSI02t1", "sSI07t1", "sSI08t1")

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
           data = data[, unlist(sel)], missing = spec$missing, se = "none",
           int.ov.free = TRUE, int.lv.free = FALSE, auto.fix.first = TRUE, std.lv = FALSE,
           auto.fix.single = TRUE, auto.var = TRUE, auto.cov.lv.x = TRUE, auto.th = TRUE,
           auto.delta = TRUE, auto.cov.y = TRUE))
  check <- suppressWarnings(lavInspect(fit, "post.check"))
  fm <- fitMeasures(fit, c("rmsea", "srmr"))
})
finish(list(seconds = elapsed, n = nrow(spec$candidates),
            lavaan = as.character(packageVersion("lavaan"))))
"""


def _cpu() -> float:
    """CPU seconds of this process and its finished worker processes."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _search(data: pd.DataFrame, factors: dict, missing: str, workers: int, args) -> None:
    label = "FIML" if missing == "ml" else "listwise ML"
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    wall, cpu = time.perf_counter(), _cpu()
    form = shorten(data, factors, per_facet={"EM": 3, "RA": 3, "SI": 4}, model="joint",
                   estimator="ML", missing=missing, method="exact", budget=200_000,
                   holdout=None, workers=workers)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    n = int(form.search.loc["joint", "fitted"])
    rate = n / wall
    best = form.to_frame()
    print(f"(a) exact, {label}, {workers} process(es): {n:,} candidates in {wall:.1f} s wall "
          f"({cpu:.1f} s CPU): {rate:,.0f} candidates/s wall, {n / cpu:,.0f} per CPU "
          f"second; {int(form.search.loc['joint', 'inadmissible']):,} inadmissible "
          f"(load average after: {os.getloadavg()[0]:.2f})")
    print(f"    optimum: {best['items'].iloc[0]}  objective {best['objective'].iloc[0]:.4f} "
          f"(crel {best['crel'].iloc[0]:.4f}, RMSEA {best['rmsea'].iloc[0]:.4f}, "
          f"SRMR {best['srmr'].iloc[0]:.4f})")
    table = form.candidates
    rank = [k for k, items in enumerate(table["items"]) if tuple(items) == README_ANSWER]
    if rank:
        row = table.iloc[rank[0]]
        print(f"    stuart's README answer: rank {rank[0] + 1}, objective "
              f"{row['objective']:.4f} (crel {row['crel']:.4f}, RMSEA {row['rmsea']:.4f}, "
              f"SRMR {row['srmr']:.4f}, admissible {bool(row['admissible'])})")
    top = table.head(50)
    if have_r() and not args.no_r:
        spec = {"candidates": [list(c) for c in top["items"]],
                "missing": "fiml" if missing == "ml" else "listwise"}
        out = run_r(R_SCRIPT, data, json.dumps(spec))
        per_fit, source = out["seconds"] / out["n"], f"lavaan {out['lavaan']}, timed now"
    else:
        per_fit = RECORDED_LAVAAN_SECONDS_PER_FIT[missing]
        source = "lavaan 0.6.14, recorded"
    print(f"(b) {source}, {label}: {per_fit * 1e3:.1f} ms per candidate ({1 / per_fit:.0f}/s); "
          f"the 117,600 would take {per_fit * n / 60:.0f} min; (a) is {rate * per_fit:.0f}x "
          "faster (wall)")
    print(f"(c) stuart's gene(): {STUART_MODELS_PER_SECOND:.0f} models/s (README); (a) is "
          f"{rate / STUART_MODELS_PER_SECOND:.0f}x faster and exact")


def main() -> None:
    args = command_line(__doc__.splitlines()[0],
                        {"no_r": "do not time lavaan in R",
                         "workers": "processes of the FIML search",
                         "listwise": "also the listwise-ML search (one process)"},
                        no_r=False, workers=2, listwise=False)
    warnings.simplefilter("ignore")
    data = pd.read_csv(FIXTURES / "fairplayer_joint.csv")
    cols = list(data.columns)
    factors = {"EM": cols[:8], "RA": cols[8:13], "SI": cols[13:]}
    _search(data, factors, "ml", args.workers, args)
    if args.listwise:
        _search(data, factors, "listwise", 1, args)


if __name__ == "__main__":
    main()
