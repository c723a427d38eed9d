"""Time convergent_validity and htmt against psych::corr.test + r.test and semTools::htmt.

Data (seeded): ``simulate(draft_scale(), n)`` (80 five-point items, 1% missing answers,
WAI-style goal / task / bond scores), scored into 13 subscales (9 facets, 3 dimensions,
total). Measured: ``convergent_validity`` with the blueprint's 12 hypotheses (the table of
13 x 4 correlations with Fisher intervals and Holm-adjusted p, 11 tests of dependent
correlations with Zou intervals, 1 threshold test; the blueprint is read once beforehand,
as a session would); ``htmt`` at the dimension level on the 80 items (listwise, as
semTools). When Rscript is on PATH, the same work in R on the same data, timed inside R:
``psych::corr.test(scores, wai, adjust = "holm")`` plus ``psych::r.test`` for the 11
comparisons (their correlations from ``cor`` on complete rows), and
``semTools::htmt(model, items, htmt2 = FALSE)`` with the reverse-keyed items reversed
first. Usage::

    python benchmarks/bench_validity.py [--respondents 2000]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import alliance_scale as als
from alliance_scale.psychometrics import reverse_keyed

try:
    from ._common import best_of, command_line, have_r, run_r
except ImportError:  # run as a script: its folder is on sys.path
    from _common import best_of, command_line, have_r, run_r

R_SCRIPT = r"""
suppressPackageStartupMessages({library(psych); library(semTools)})
k <- as.integer(extra[1])
scores <- data[, 1:k]
wai <- data[, (k + 1):(k + 4)]
items <- data[, (k + 5):ncol(data)]
pairs <- matrix(strsplit(extra[2], ",")[[1]], ncol = 4, byrow = TRUE)
model <- extra[3]
corr_seconds <- seconds({
  ct <- corr.test(scores, wai, adjust = "holm")
  both <- cbind(scores, wai)
  for (i in seq_len(nrow(pairs))) {
    v <- pairs[i, ]
    if (v[1] == v[3]) {
      r <- cor(na.omit(both[, c(v[1], v[2], v[4])]))
      t <- r.test(nrow(na.omit(both[, c(v[1], v[2], v[4])])), r[1, 2], r13 = r[1, 3],
                  r23 = r[2, 3])
    } else {
      r <- cor(na.omit(both[, c(v[2], v[1], v[3])]))
      t <- r.test(nrow(na.omit(both[, c(v[2], v[1], v[3])])), r[1, 2], r13 = r[1, 3],
                  r23 = r[2, 3])
    }
  }
})
htmt_seconds <- seconds(h <- htmt(model, items, htmt2 = FALSE))
finish(list(corr = corr_seconds, htmt = htmt_seconds, htmt_matrix = unclass(h),
            r = as.vector(ct$r)))
"""


def main() -> None:
    args = command_line(__doc__.splitlines()[0], respondents=2000)
    scale = als.draft_scale()
    sim = als.simulate(scale, args.respondents, seed=2026, missing_rate=0.01)
    scores = als.score(sim.data, scale)
    wai = sim.data[list(als.WAI_COLUMNS)]
    blueprint = als.load_blueprint()
    size = f"{args.respondents} respondents"

    ours = best_of(lambda: als.convergent_validity(scores, wai, blueprint=blueprint),
                   repeats=5)
    result = als.convergent_validity(scores, wai, blueprint=blueprint)
    print(f"convergent_validity, 13 subscales x 4 criteria, 12 hypotheses, {size}: "
          f"{ours:.4f} s (best of 5)")
    ours_htmt = best_of(lambda: als.htmt(sim.data, scale, missing="listwise"), repeats=5)
    ratios = als.htmt(sim.data, scale, missing="listwise").matrix
    print(f"htmt, 80 items, 3 dimensions, listwise, {size}: {ours_htmt:.4f} s (best of 5)")
    if not have_r():
        print("Rscript not found: R comparison skipped")
        return
    reversed_ids = [i.id for i in scale.items if i.keyed < 0]
    items = reverse_keyed(sim.data[scale.item_ids], reversed_ids, 1, 5)
    criterion = wai.set_axis(["goal", "task", "bond"], axis=1)
    criterion["total"] = criterion.mean(axis=1)
    data = pd.concat([scores.scores, criterion, items], axis=1)
    comparisons = [h for h in als.blueprint_hypotheses() if h.kind == "comparison"]
    pairs = ",".join(",".join([*h.left, *h.right]) for h in comparisons)  # type: ignore[misc]
    model = "\n".join(f"{d} =~ " + " + ".join(i.id for i in scale.items if i.dimension == d)
                      for d in "ABC")
    r = run_r(R_SCRIPT, data, scores.scores.shape[1], pairs, model)
    r_table = np.array(r["r"]).reshape(4, -1).T
    print(f"psych::corr.test + {len(comparisons)} r.test, {size}: {r['corr']:.4f} s; "
          f"R / Python = {r['corr'] / ours:.1f}x (R computes less: no Zou intervals, no "
          f"verdicts); max |r diff| = {np.abs(result.r.to_numpy() - r_table).max():.1e}")
    print(f"semTools::htmt(htmt2 = FALSE), {size}: {r['htmt']:.4f} s; R / Python = "
          f"{r['htmt'] / ours_htmt:.1f}x; max |HTMT diff| = "
          f"{np.abs(ratios.to_numpy() - np.array(r['htmt_matrix'])).max():.1e}")


if __name__ == "__main__":
    main()
