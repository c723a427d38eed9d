"""Benchmark: local dependence (LD X2 and Q3), person fit and item fit (Zh, infit / outfit) of
a graded model, 80 five-point items x 5,000 respondents.

Anchors measured in the same run: the model's estimation without SEs (what a user has just
waited for) and ``als.polychoric`` on the same items (3,160 pairs, as LD's). Data: seeded
graded responses (``als.simulate_irt``), slopes 0.8-2.2 (every tenth item reverse-keyed).

Usage: ``python benchmarks/bench_irt_diagnostics.py [--items 80] [--rows 5000]``
"""

from __future__ import annotations

import time

import numpy as np

import alliance_scale as als

try:
    from ._common import best_of, command_line
except ImportError:  # run as a script: its folder is on sys.path
    from _common import best_of, command_line


def main() -> None:
    args = command_line(__doc__.splitlines()[0], items=80, rows=5000)
    rng = np.random.default_rng(2026)
    a = rng.uniform(0.8, 2.2, args.items) * np.where(np.arange(args.items) % 10 == 9, -1, 1)
    d = np.sort(rng.uniform(-2.5, 2.5, (args.items, 4)), axis=1)[:, ::-1]
    data = als.simulate_irt(a, d, n=args.rows, seed=1)
    started = time.perf_counter()
    fit = als.irt(data, se=None)
    fit_seconds = time.perf_counter() - started
    poly_seconds = best_of(lambda: als.polychoric(data), repeats=1)
    theta = fit.scores()["theta"]
    timings = {
        "residuals('LD')": best_of(lambda: fit.residuals("LD"), repeats=2),
        "residuals('Q3') at given theta": best_of(lambda: fit.residuals("Q3", theta=theta),
                                                  repeats=2),
        "person_fit() at given theta": best_of(lambda: fit.person_fit(theta=theta), repeats=2),
        "item_fit(['Zh', 'infit']) at given theta": best_of(
            lambda: fit.item_fit(["Zh", "infit"], theta=theta), repeats=2),
        "scores('EAP') (the default theta)": best_of(lambda: fit.scores(), repeats=2),
    }
    print(f"graded, {args.items} items x {args.rows} respondents")
    print(f"  anchor: irt() without SEs    {fit_seconds:7.3f} s")
    print(f"  anchor: polychoric()         {poly_seconds:7.3f} s")
    for name, seconds in timings.items():
        print(f"  {name:40s} {seconds:7.3f} s  {seconds / fit_seconds:6.3f} x the fit, "
              f"{seconds / poly_seconds:6.3f} x polychoric")


if __name__ == "__main__":
    main()
