"""Time ``shorten``: the candidates of a 3-per-facet short form of the bundled pilot.

Issue #22: "every candidate of a per-facet search has the same model structure, so
candidates can be fitted in batches". Measured here, in one run, on the same candidates
(every 3-item set of every facet of the bundled pilot keeping one item per leaf theme: 550
one-factor models on the facets' polychoric correlations, 320 respondents):

(a) ``three_item_fits``: all candidates of a facet at once (closed form, vectorised);
(b) ``cfa(cov_matrix=...)``: the same models one by one with our iterative ML;
(c) lavaan 0.6.14 ``cfa(model, sample.cov = R, sample.nobs = n)`` one by one, timed in R,
    when Rscript is on PATH (the largest crel difference against (a) is printed too);
(d) ``shorten(load_pilot(), draft_scale(), per_facet=3)`` end to end (search, then the
    blueprint CFAs of the full and short forms on the calibration and held-out halves).

The machine's load average is printed: timings mean something only on an idle machine.
Usage::

    python benchmarks/bench_shorten.py [--repeats 3] [--no-r]
"""

from __future__ import annotations

import json
import os
import time
import warnings

import alliance_scale as als
from alliance_scale.design._shorten_search import Facet, fit_candidate, three_item_fits
from alliance_scale.psychometrics import polychoric

try:
    from ._common import best_of, command_line, have_r, run_r
except ImportError:  # run as a script: its folder is on sys.path
    from _common import best_of, command_line, have_r, run_r

R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
spec <- fromJSON(extra[1])
crel <- c()
elapsed <- seconds(for (f in names(spec$facets)) {
  facet <- spec$facets[[f]]
  R <- as.matrix(facet$rho); dimnames(R) <- list(facet$items, facet$items)
  for (k in seq_len(nrow(facet$candidates))) {
    items <- facet$candidates[k, ]
    fit <- suppressWarnings(cfa(paste("F =~", paste(items, collapse = " + ")),
                                sample.cov = R[items, items], sample.nobs = facet$n))
    est <- lavInspect(fit, "est")
    common <- sum(est$lambda)^2 * est$psi[1, 1]
    crel <- c(crel, common / (common + sum(diag(est$theta))))
  }
})
finish(list(seconds = elapsed, crel = crel, lavaan = as.character(packageVersion("lavaan"))))
"""


def main() -> None:
    args = command_line(__doc__.splitlines()[0], repeats=3, no_r=False)
    warnings.simplefilter("ignore")
    pilot, scale = als.load_pilot(), als.draft_scale()
    reversed_items = {i.id for i in scale.items if i.keyed < 0}
    data = pilot[scale.item_ids].copy()
    cols = [c for c in data.columns if c in reversed_items]
    data[cols] = scale.min_value + scale.max_value - data[cols]
    themes = {i.id: i.theme for i in scale.items}
    facets: dict[str, dict] = {}
    for item in scale.items:
        facets.setdefault(item.facet, {"items": []})["items"].append(item.id)
    for name, facet in facets.items():
        pool = facet["items"]
        facet["candidates"] = Facet(name, pool, 3, [], themes, reversed_items, True,
                                     "any").candidates()
        facet["rho"] = polychoric(data[pool], smooth=False).correlation
        facet["n"] = int(data[pool].notna().any(axis=1).sum())
    n_candidates = sum(len(f["candidates"]) for f in facets.values())
    print(f"load average {os.getloadavg()[0]:.2f}; {n_candidates} candidates in "
          f"{len(facets)} facets")

    def batch() -> list:
        return [row for f in facets.values()
                for row in three_item_fits(f["candidates"], f["rho"])]

    rows = batch()
    t_batch = best_of(batch, args.repeats)

    def one_by_one() -> None:
        for f in facets.values():
            for c in f["candidates"]:
                fit_candidate({"F": c}, None, f["rho"], f["n"], "ml")

    t_iter = best_of(one_by_one, 1)
    print(f"(a) batched closed form   {t_batch:8.4f} s  "
          f"({t_batch / n_candidates * 1e6:8.1f} us per candidate)")
    print(f"(b) cfa() one by one      {t_iter:8.3f} s  ({t_iter / n_candidates * 1e3:8.2f} ms "
          f"per candidate)  (b)/(a) = {t_iter / t_batch:,.0f}x")
    if have_r() and not args.no_r:
        spec = {name: {"items": f["items"], "rho": f["rho"].to_numpy().tolist(), "n": f["n"],
                       "candidates": [list(c) for c in f["candidates"]]}
                for name, f in facets.items()}
        out = run_r(R_SCRIPT, None, json.dumps({"facets": spec}))
        diff = max(abs(a["crel"] - b) for a, b in zip(rows, out["crel"], strict=True))
        print(f"(c) lavaan {out['lavaan']} one by one {out['seconds']:8.3f} s  "
              f"(c)/(a) = {out['seconds'] / t_batch:,.0f}x, (c)/(b) = "
              f"{out['seconds'] / t_iter:.1f}x; max |crel difference| {diff:.1e}")
    started = time.perf_counter()
    form = als.shorten(pilot, scale, per_facet=3, seed=1)
    print(f"(d) shorten(pilot, 3 per facet, holdout 0.5) end to end "
          f"{time.perf_counter() - started:.1f} s; holds out: {form.holds_out}")


if __name__ == "__main__":
    main()
