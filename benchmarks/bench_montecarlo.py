"""Time Monte Carlo power (``simulate_power``) for the issue #23 target, against lavaan.

The target: a 21-condition (N = 100 to 600 by 25) x 1,000-replication WLSMV power curve of
a 27-item, 9-facet, 3-dimension five-point model in at most 10 minutes on 2 cores.

Population (seeded): the facet blueprint of ``draft_scale(items_per_facet=3)`` (27 items,
9 facets of 3, 3 dimensions), standardized loadings .7, facets correlating .5 within and
.3 between dimensions, five categories with proportions .10 / .20 / .40 / .20 / .10. The
analysis model is the second-order blueprint (9 facets under 3 correlated dimensions), which
holds in this population. Measured in one run:

- the cost of one replication (draw, polychorics and their NACOV, DWLS fit, robust SEs,
  scaled-shifted test, CFI / TLI / RMSEA / SRMR, omegas) at N = 600 and N = 100, serially,
  over ``--reps`` replications each; the full curve's time extrapolated linearly in N;
- the speed-up from 1 to 2 worker processes on the same batches, next to the speed-up of a
  pure-Python loop in the same run (what the machine's cores allow at that moment);
- when ``Rscript`` is on PATH, ``lavaan::cfa(..., ordered = TRUE, estimator = "WLSMV")`` on
  one replication's data at N = 600 and N = 100 (best of 3): the implied time of the same
  curve with lavaan (what simsem runs per replication, its own overhead not counted);
- with ``--curve R``, the whole 21-condition curve at R replications per condition on 2
  workers (``--curve 1000`` is the target itself).

Usage::

    python benchmarks/bench_montecarlo.py [--reps 20] [--curve 0]
"""

from __future__ import annotations

import time

import numpy as np

import alliance_scale as als
from alliance_scale.design._montecarlo._replicate import draw, seed_of

try:
    from ._common import command_line, have_r, run_r
except ImportError:  # run as a script: its folder is on sys.path
    from _common import command_line, have_r, run_r

CONDITIONS = list(range(100, 601, 25))
TARGET_SECONDS = 600
PROPORTIONS = [0.10, 0.20, 0.40, 0.20, 0.10]

R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
model <- extra[1]
best <- Inf
for (i in 1:3) best <- min(best, seconds(fit <- cfa(model, data, ordered = TRUE,
                                                      estimator = "WLSMV")))
finish(list(seconds = best, chisq_scaled = fitMeasures(fit, "chisq.scaled"),
            version = as.character(packageVersion("lavaan"))))
"""


def population() -> tuple[als.Population, str]:
    scale = als.draft_scale(items_per_facet=3, language="en")
    model = als.blueprint_model(scale, "facet")
    structure = {line.split(" =~ ")[0]: line.split(" =~ ")[1].split(" + ")
                 for line in model.splitlines()}
    facets = list(structure)
    dimension = {f: f[0] for f in facets}
    phi = {(a, b): 0.5 if dimension[a] == dimension[b] else 0.3
           for i, a in enumerate(facets) for b in facets[i + 1:]}
    pop = als.Population(structure, loadings=0.7, factor_correlation=phi,
                         thresholds=PROPORTIONS)
    return pop, als.blueprint_model(scale, "second_order")


def serial_cost(pop: als.Population, analysis: str, n: int, reps: int) -> float:
    """Seconds per replication at ``n``, serially: the mean of the replications' own
    clocks, the first left out (it builds the model's tables once per process)."""
    mc = als.simulate_power(pop, n=n, replications=reps + 1, seed=1, estimator="WLSMV",
                            analysis=analysis, backend="serial", batch_size=reps + 1,
                            targets="chisq")
    return float(mc.replications["seconds"].iloc[1:].mean())


def main() -> None:
    options = command_line(__doc__.splitlines()[0], reps=20, curve=0)
    pop, analysis = population()
    print(f"population: {len(pop.items)} items, {len(pop.factors)} facets, five points; "
          "analysis: second-order blueprint, WLSMV")
    serial_cost(pop, analysis, 100, 2)  # warm-up: imports, model tables
    big = serial_cost(pop, analysis, 600, options.reps)
    small = serial_cost(pop, analysis, 100, options.reps)
    slope = (big - small) / 500
    per_condition = [small + slope * (n - 100) for n in CONDITIONS]
    one_core = 1000 * sum(per_condition)
    print(f"cost per replication: {big * 1000:.0f} ms at N = 600, {small * 1000:.0f} ms at "
          f"N = 100 (serial, {options.reps} replications each)")
    print(f"extrapolated curve (21 conditions x 1,000 replications): {one_core / 60:.1f} min "
          "on 1 core")
    parts = breakdown(pop, analysis, 600, options.reps)
    total = sum(parts.values())
    print("where a replication's time goes at N = 600: " + ", ".join(
        f"{name} {100 * value / total:.0f}%" for name, value in parts.items()))

    # speed-up from 1 to 2 workers, same batches (N = 350, 8 batches)
    reps = 4 * options.reps
    timings = {}
    for workers in (1, 2):
        started = time.perf_counter()
        als.simulate_power(pop, n=350, replications=reps, seed=2, estimator="WLSMV",
                           analysis=analysis, backend="processes", n_workers=workers,
                           batch_size=max(1, reps // 8), targets="chisq")
        timings[workers] = time.perf_counter() - started
    speedup = timings[1] / timings[2]
    anchor = _anchor_speedup()
    print(f"1 -> 2 worker processes ({reps} replications at N = 350): {timings[1]:.1f} s -> "
          f"{timings[2]:.1f} s, speed-up {speedup:.2f}x; a pure-Python loop in 1 -> 2 "
          f"processes, same run: {anchor:.2f}x (what the machine's cores allow now); ratio "
          f"{speedup / anchor:.2f}")
    two_cores = one_core / speedup
    print(f"extrapolated curve on 2 cores: {two_cores / 60:.1f} min (target "
          f"{TARGET_SECONDS / 60:.0f} min: ratio {two_cores / TARGET_SECONDS:.2f})")

    if have_r():
        lavaan = {}
        for n in (600, 100):
            data = _sample(pop, n, np.random.default_rng(seed_of(1, n, 0)))
            out = run_r(R_SCRIPT, data, analysis)
            lavaan[n] = out["seconds"]
        lav_slope = (lavaan[600] - lavaan[100]) / 500
        lav_curve = 1000 * sum(lavaan[100] + lav_slope * (n - 100) for n in CONDITIONS)
        print(f"lavaan {out['version']} WLSMV, one replication: {lavaan[600] * 1000:.0f} ms at "
              f"N = 600, {lavaan[100] * 1000:.0f} ms at N = 100 (best of 3); ours / lavaan: "
              f"{big / lavaan[600]:.2f} at N = 600, {small / lavaan[100]:.2f} at N = 100")
        print(f"implied lavaan + simsem curve: {lav_curve / 3600:.1f} h on 1 core, "
              f"{lav_curve / 3600 / 2:.1f} h on 2 (simsem's own overhead not counted)")
    else:
        print("Rscript not found: lavaan not timed")

    if options.curve:
        started = time.perf_counter()
        mc = als.simulate_power(pop, n=CONDITIONS, replications=options.curve, seed=3,
                                estimator="WLSMV", analysis=analysis, n_workers=2,
                                targets="chisq")
        seconds = time.perf_counter() - started
        print(f"whole curve, {options.curve} replications per condition, 2 workers: "
              f"{seconds / 60:.1f} min ({seconds / (21 * options.curve) * 1000:.0f} ms per "
              "replication)")
        print(mc.conditions[["converged", "power[chisq]", "mcse[chisq]"]].to_string())


def _spin(_: int) -> int:
    total = 0
    for i in range(2_000_000):
        total += i
    return total


def _anchor_speedup() -> float:
    """Speed-up of 4 tasks of a CPU-bound Python loop from 1 to 2 processes: the most the
    machine allows at the moment (other work shares its cores)."""
    from concurrent.futures import ProcessPoolExecutor

    seconds = {}
    for workers in (1, 2):
        started = time.perf_counter()
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_spin, range(4)))
        seconds[workers] = time.perf_counter() - started
    return seconds[1] / seconds[2]


def breakdown(pop: als.Population, analysis: str, n: int, reps: int) -> dict[str, float]:
    """Seconds per replication of each step, from the engine's own pieces."""
    from alliance_scale.design._montecarlo import _replicate as rep
    from alliance_scale.psychometrics._cfa._fitting import fit_prepared

    design = _design(pop, analysis)
    from alliance_scale.design._montecarlo._replicate import population_values

    truth = population_values(list(pop.items), pop.sigma.to_numpy(),
                              [pop.cuts[i] for i in pop.items], analysis, "WLSMV", False).truth
    times = dict.fromkeys(["draw", "polychorics + NACOV", "fit (DWLS, robust SEs, test)",
                           "CFI / TLI / RMSEA / SRMR (baseline model)", "omegas"], 0.0)
    keys = list(times)
    for r in range(-1, reps):  # replication -1 warms up (model tables, imports)
        if r == 0:
            times = dict.fromkeys(keys, 0.0)
        clock = time.perf_counter()
        values = rep.draw(design, n, np.random.default_rng(seed_of(1, n, r + 1)))
        now = time.perf_counter()
        times[keys[0]] += now - clock
        groups, thresholds = rep._groups(design, values)
        clock, now = now, time.perf_counter()
        times[keys[1]] += now - clock
        model = rep._model(analysis, True, thresholds, True)
        fitted = fit_prepared(model, groups, "WLSMV", baseline=False,
                              x0=rep.start_vector(model, truth, groups[0]),
                              tol=rep.TOLERANCE, fused=rep.FUSED)  # the replications' own
        clock, now = now, time.perf_counter()
        times[keys[2]] += now - clock
        rep._indices(fitted, "WLSMV")
        clock, now = now, time.perf_counter()
        times[keys[3]] += now - clock
        rep._omegas(model, fitted.estimate.x, fitted.vcov, groups[0], False)
        clock, now = now, time.perf_counter()
        times[keys[4]] += now - clock
    return {k: v / reps for k, v in times.items()}


def _design(pop: als.Population, analysis: str):
    from alliance_scale.design._montecarlo._replicate import Design

    return Design(tuple(pop.items), np.linalg.cholesky(pop.sigma.to_numpy()),
                  tuple(pop.cuts[i] for i in pop.items), None, analysis, "WLSMV",
                  "listwise", 0.05, 1, (), (), tuple(pop.factors))


def _sample(pop: als.Population, n: int, rng: np.random.Generator):
    """One replication's answers (as the engine draws them), for lavaan."""
    import pandas as pd

    design = _design(pop, pop.analysis_model)
    return pd.DataFrame(draw(design, n, rng).astype(int), columns=pop.items)


if __name__ == "__main__":
    main()
