"""Time ``validate``: the bundled pilot, and 5,000 simulated respondents x 60 items (ordinal).

Issue #13: "``validate`` on the bundled pilot in seconds; on 5,000 respondents x 60 items
with ordinal CFA under a minute on 2 cores". Measured here, in one run:

(a) ``validate(load_pilot(), draft_scale())`` (320 respondents, 80 five-point items,
    polychoric correlations, WLSMV CFA, five SVG figures), best of ``--repeats`` after a
    warm-up call; then the same analyses as separate library calls, as a user would type
    them (each timed once, their sum the "by hand" baseline: what sharing the polychoric
    matrices and the steps' inputs saves); then, when Rscript is on PATH, the same analyses
    in R (psych, lavaan, semTools: scoring, alpha and omega per subscale on Pearson and on
    polychoric correlations, KMO, Bartlett, ``fa.parallel(cor = "poly", n.iter = 20)``,
    ``vss``, ``fa(cor = "poly")`` with congruence, ``cfa(ordered = TRUE, estimator =
    "WLSMV", missing = "pairwise")``, ``htmt``, ``corr.test``), timed inside R per step (R
    draws no figure and screens no careless responding: its total is a lower bound of R's
    work).
    ``fa.parallel(cor = "poly")`` often fails in psych 2.2.9 (a resample's polychoric
    fit stops): it is tried twice at most, and a failure is reported, not timed.
(b) ``validate`` on ``simulate(scale, 5000)`` of a 60-item form (``draft_scale`` with 8
    items per facet, 3 items dropped from the largest facets), one run per repeat; in R
    only with ``--r-large`` (lavaan's WLSMV and psych's 21 polychoric fits take many
    minutes there).

The machine's load average is printed with each figure: the timings are only meaningful
when no other heavy work runs. Usage::

    python benchmarks/bench_validate.py [--respondents 5000] [--items 60] [--repeats 3]
                                        [--no-r] [--r-large]
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

import alliance_scale as als

try:
    from ._common import best_of, command_line, have_r, run_r
except ImportError:  # run as a script: its folder is on sys.path
    from _common import best_of, command_line, have_r, run_r

R_SCRIPT = r"""
suppressPackageStartupMessages({library(psych); library(lavaan); library(semTools)})
spec <- fromJSON(extra[1])
x <- data[, spec$items]
keyed <- x
keyed[, spec$reversed] <- spec$low + spec$high - keyed[, spec$reversed]
n <- nrow(x)
quiet <- function(expr) suppressWarnings(suppressMessages(expr))
subscale_reliability <- function(ordinal) {
  for (name in names(spec$keys)) {
    ids <- spec$keys[[name]]
    if (length(ids) < 2) next
    if (ordinal) {
      r <- quiet(polychoric(keyed[, ids])$rho)
      a <- quiet(alpha(r))
      if (length(ids) >= 3) o <- quiet(omega(r, nfactors = spec$factors[[name]], n.obs = n,
                                             plot = FALSE))
    } else {
      a <- quiet(alpha(keyed[, ids]))
      if (length(ids) >= 3) o <- quiet(omega(keyed[, ids], nfactors = spec$factors[[name]],
                                             plot = FALSE))
    }
  }
}
t <- list()
t$scoring <- seconds(scores <- quiet(scoreItems(spec$signed, x, impute = "none",
                                                min = spec$low, max = spec$high)))
t$reliability <- seconds(subscale_reliability(FALSE))
t$reliability_ordinal <- seconds(subscale_reliability(TRUE))
t$factorability <- seconds({
  r <- quiet(polychoric(x)$rho)
  k <- KMO(r)
  b <- cortest.bartlett(r, n = n)
})
# psych 2.2.9's fa.parallel(cor = "poly") often fails on resampled ordinal data (a
# polychoric fit of a resample stops with "lower>upper integration limits"): it is tried
# twice at most; the time of a successful attempt is kept, failed attempts are counted.
t$pa_failures <- 0
t$pa_failed_seconds <- 0
for (attempt in 1:2) {
  seconds_pa <- seconds(pa <- try(quiet(fa.parallel(x, cor = "poly", n.iter = 20,
                                                    fa = "both", plot = FALSE)),
                                  silent = TRUE))
  if (!inherits(pa, "try-error")) break
  t$pa_failures <- t$pa_failures + 1
  t$pa_failed_seconds <- t$pa_failed_seconds + seconds_pa
}
t$map <- seconds(v <- quiet(vss(r, n = 20, n.obs = n, plot = FALSE)))
if (!inherits(pa, "try-error")) t$parallel_analysis <- seconds_pa
t$efa <- seconds({
  f <- quiet(fa(x, spec$n_facets, cor = "poly"))
  cg <- factor.congruence(f, make.keys(x, spec$facets))
})
t$cfa <- seconds(fit <- quiet(cfa(spec$model, data = keyed, ordered = TRUE,
                                  estimator = "WLSMV", missing = "pairwise")))
t$htmt <- seconds(h <- htmt(spec$dimensions, keyed, htmt2 = FALSE))
t$convergent <- seconds(ct <- corr.test(scores$scores, data[, spec$wai], adjust = "holm"))
finish(t)
"""


def _load() -> str:
    """The machine's load averages (1, 5, 15 minutes), for the record."""
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _form(items: int) -> als.Scale:
    """A short form of about ``items`` items: 8 per facet, then the last item of the
    largest facets dropped until ``items`` remain."""
    scale = als.draft_scale(items_per_facet=8, language="en")
    by_facet: dict[str, list[str]] = {}
    for item in scale.items:
        by_facet.setdefault(item.facet, []).append(item.id)
    while sum(map(len, by_facet.values())) > items:
        largest = max(by_facet, key=lambda facet: (len(by_facet[facet]), facet))
        by_facet[largest].pop()
    kept = [item for ids in by_facet.values() for item in ids]
    return als.draft_scale(items=kept, language="en")


def _quietly(function: Callable[[], object]) -> Callable[[], object]:
    def call() -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return function()
    return call


def _svg(figure) -> str:
    """A figure as SVG text, as ``validate`` writes it (glyphs as paths, tight box)."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": "alliance-scale", "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    return buffer.getvalue()


def _by_hand(data: pd.DataFrame, scale: als.Scale) -> dict[str, Callable[[], object]]:
    """validate's analyses as separate library calls (each computing its own matrices)."""
    from alliance_scale.report._validate import _factor_correlations

    items = data[scale.item_ids]
    facets = len({item.facet for item in scale.items})
    wai = data[list(als.WAI_COLUMNS[:3])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parallel = als.parallel_analysis(items, cor="polychoric", n_iter=20, seed=0)
        solution = als.efa(items, facets, cor="polychoric")
        fit = als.blueprint_cfa(data, scale, level="facet", estimator="WLSMV",
                                missing="pairwise")
        scores = als.score(data, scale)
        alphas = als.reliability(data, scale).table["alpha"]
        convergent = als.convergent_validity(scores, wai, reliabilities=alphas)
    labels = scale.response_format.labels(scale.language)
    groups = {item.id: item.facet for item in scale.items}
    hypothesised = list(convergent.table.index[convergent.table["hypothesised"]])
    return {
        "score + careless": lambda: (als.score(data, scale), als.careless(data, scale)),
        "reliability (Pearson)": lambda: als.reliability(data, scale),
        "reliability (polychoric)": lambda: als.reliability(data, scale, cor="polychoric"),
        "kmo + bartlett": lambda: (als.kmo(items, cor="polychoric"),
                                   als.bartlett(items, cor="polychoric")),
        "parallel_analysis (20 iterations)": lambda: als.parallel_analysis(
            items, cor="polychoric", n_iter=20, seed=0),
        "map_test": lambda: als.map_test(items, cor="polychoric",
                                         max_factors=min(items.shape[1] - 1, 20)),
        "efa + congruence": lambda: als.congruence(
            als.efa(items, facets, cor="polychoric"), scale, level="facet"),
        "blueprint_cfa (WLSMV)": lambda: als.blueprint_cfa(data, scale, level="facet",
                                                           estimator="WLSMV",
                                                           missing="pairwise"),
        "htmt": lambda: als.htmt(data, scale, level="dimension"),
        "convergent_validity + mtmm": lambda: (
            als.convergent_validity(als.score(data, scale), wai, reliabilities=alphas),
            als.mtmm(als.score(data, scale), wai, reliabilities=alphas)),
        "five figures as SVG": lambda: [_svg(figure) for figure in (
            als.plot_likert(items, labels=labels),
            als.plot_scree(parallel),
            als.plot_loadings(solution, groups=groups, cut=0.3),
            als.plot_path_diagram(fit.std_loadings,
                                  factor_correlations=_factor_correlations(fit)),
            als.plot_mtmm(convergent.r, traits_x=list(convergent.r.columns),
                          traits_y=list(convergent.r.index), hypothesised=hypothesised),
        )],
    }


def _r_spec(data: pd.DataFrame, scale: als.Scale) -> dict:
    """What the R script needs: items, keys, reversed items, models, factors per key."""
    facets = sorted({item.facet for item in scale.items})
    keys = {}
    factors = {}
    for name, signed in scale.keys.items():
        ids = [key.lstrip("-") for key in signed]
        keys[name] = ids
        chosen = [item for item in scale.items if item.id in ids]
        groups = (len({i.dimension for i in chosen}) if name == "total" else
                  len({i.facet for i in chosen}) if name not in facets else 1)
        factors[name] = groups if 2 <= groups and 2 * groups < len(ids) else 1
    dimensions = {}
    for item in scale.items:
        dimensions.setdefault(item.dimension, []).append(item.id)
    return {
        "items": list(scale.item_ids),
        "reversed": [item.id for item in scale.items if item.keyed < 0],
        "low": scale.min_value, "high": scale.max_value,
        "signed": {name: list(signed) for name, signed in scale.keys.items()},
        "keys": keys, "factors": factors, "n_facets": len(facets),
        "facets": {facet: keys[facet] for facet in facets},
        "model": als.blueprint_model(scale, "facet"),
        "dimensions": "\n".join(f"{d} =~ {' + '.join(ids)}" for d, ids in dimensions.items()),
        "wai": list(als.WAI_COLUMNS[:3]),
    }


def _in_r(data: pd.DataFrame, scale: als.Scale) -> dict:
    columns = list(scale.item_ids) + list(als.WAI_COLUMNS[:3])
    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / "spec.json"
        spec.write_text(json.dumps(_r_spec(data, scale)))
        return run_r(R_SCRIPT, data[columns].reset_index(drop=True), spec)


def _report_r(ours: float, r_times: dict) -> None:
    failures = int(r_times.pop("pa_failures"))
    failed_seconds = float(r_times.pop("pa_failed_seconds"))
    for step, seconds in r_times.items():
        print(f"  R {step:24s} {seconds:8.2f} s")
    total = sum(r_times.values())
    if "parallel_analysis" not in r_times:
        print(f"  R psych::fa.parallel(cor = 'poly') failed {failures} time(s) "
              f"({failed_seconds:.0f} s spent): R's total below leaves it out")
    elif failures:
        print(f"  R psych::fa.parallel failed {failures} time(s) before succeeding "
              f"({failed_seconds:.0f} s, not counted)")
    print(f"  R total (no figures, no careless screening): {total:.2f} s; "
          f"validate {ours:.2f} s; ratio R / ours {total / ours:.1f}x")


def _validate(data: pd.DataFrame, scale: als.Scale) -> Callable[[], object]:
    return _quietly(lambda: als.validate(data, scale, progress=False))


def main() -> None:
    args = command_line(__doc__.splitlines()[0], respondents=5000, items=60, repeats=3,
                        no_r=False, r_large=False,
                        help={"no_r": "skip the R comparison of the pilot",
                              "r_large": "also run R on the large data set (many minutes)"})
    import matplotlib

    matplotlib.use("Agg")
    from threadpoolctl import threadpool_info

    blas = ", ".join(f"{i['internal_api']} {i['num_threads']} thread(s)"
                     for i in threadpool_info() if i["user_api"] == "blas")
    print(f"{os.cpu_count()} cores; BLAS: {blas}; {_load()}")

    # (a) the bundled pilot
    pilot, scale = als.load_pilot(), als.draft_scale()
    run = _validate(pilot, scale)
    run()  # warm-up: imports, font cache
    ours = best_of(run, repeats=args.repeats)
    print(f"\n(a) validate, bundled pilot ({len(pilot)} x {len(scale.items)}): {ours:.2f} s "
          f"(best of {args.repeats}; {_load()})")
    calls = _by_hand(pilot, scale)
    total = 0.0
    for name, call in calls.items():
        seconds = best_of(_quietly(call), repeats=1)
        total += seconds
        print(f"  {name:36s} {seconds:6.2f} s")
    print(f"  sum of the separate calls: {total:.2f} s; validate / sum {ours / total:.2f} "
          f"(validate shares matrices and inputs)")
    if have_r() and not args.no_r:
        _report_r(ours, _in_r(pilot, scale))
    elif not args.no_r:
        print("Rscript not found: R comparison skipped")

    # (b) the large simulated administration
    form = _form(args.items)
    data = als.simulate(form, args.respondents, seed=2026).data
    run = _validate(data, form)
    times = []
    for _ in range(max(1, args.repeats - 1)):
        started = time.perf_counter()
        report = run()
        times.append(time.perf_counter() - started)
    best = min(times)
    cfa = report.results["cfa"]
    print(f"\n(b) validate, {len(data)} simulated respondents x {len(form.items)} items, "
          f"ordinal (polychoric, {cfa.estimator} CFA on {cfa.n_obs} rows): {best:.2f} s "
          f"(runs: {', '.join(f'{t:.1f}' for t in times)} s; {_load()}); "
          f"target under 60 s: {'met' if best < 60 else 'NOT met'}")
    if have_r() and args.r_large:
        _report_r(best, _in_r(data, form))


if __name__ == "__main__":
    main()
