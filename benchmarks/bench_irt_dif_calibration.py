"""How often ``dif`` rejects an item without DIF: the type I error of its likelihood-ratio
and Wald tests (issue #21), with Monte Carlo standard errors.

Design (seeded, one data set per seed): 12 four-category graded items (slopes 0.9 .. 2.0,
intercepts 2.0, 0.5, -1.0 shifted by -0.6 .. 0.6), two groups of ``--rows`` respondents, the
reference N(0, 1), the focal N(0.3, 1.2^2); in the focal group q11's intercepts are 0.8
lower and q12's 0.8 higher (the DIF items), q1-q4 are the anchors, q5-q10 are tested and
clean. Each seed runs ``dif(scheme="add")`` with LR and with Wald tests (default tol).
Printed: the share of clean items with unadjusted p < .05 (nominal .05) with its binomial
SE and its SE over seeds (the six tests of a seed share the base model), the mean statistic
against its df (4), and the share of DIF items found (power).

Usage: ``python benchmarks/bench_irt_dif_calibration.py [--seeds 100] [--first 0]
[--rows 500]`` (about 2 s per seed on one core).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

import alliance_scale as als

try:
    from ._common import command_line
except ImportError:  # run as a script: its folder is on sys.path
    from _common import command_line

ITEMS = 12
ANCHORS = ["q1", "q2", "q3", "q4"]
DIF_ITEMS = ["q11", "q12"]


def data_for(seed: int, rows: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(1000 + seed)
    a = np.linspace(0.9, 2.0, ITEMS)
    d = np.tile([2.0, 0.5, -1.0], (ITEMS, 1)) + np.linspace(-0.6, 0.6, ITEMS)[:, None]
    shifted = d.copy()
    shifted[-2] -= 0.8
    shifted[-1] += 0.8
    ref = als.simulate_irt(a, d, n=rows, seed=rng, theta=rng.normal(0.0, 1.0, rows))
    foc = als.simulate_irt(a, shifted, n=rows, seed=rng, theta=rng.normal(0.3, 1.2, rows))
    return pd.concat([ref, foc], ignore_index=True), np.repeat(["ref", "foc"], rows)


def main() -> None:
    args = command_line(__doc__.splitlines()[0], seeds=100, first=0, rows=500)
    rows = []
    started = time.perf_counter()
    for seed in range(args.first, args.first + args.seeds):
        data, group = data_for(seed, args.rows)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", als.AllianceScaleWarning)
            lr = als.dif(data, group, anchors=ANCHORS).table
            wald = als.dif(data, group, anchors=ANCHORS, test="Wald").table
        rows.append(pd.DataFrame({"seed": seed, "X2": lr["X2"], "p_LR": lr["p"],
                                  "W": wald["W"], "p_Wald": wald["p"], "df": lr["df"]}))
    out = pd.concat(rows)
    seconds = time.perf_counter() - started
    clean = out.loc[~out.index.isin(DIF_ITEMS)]
    tests = len(clean)
    print(f"dif type I error: {args.seeds} seeds x {tests // args.seeds} clean items "
          f"= {tests} tests, 2 groups x {args.rows}, {seconds:.0f} s")
    for name, stat in (("LR", "X2"), ("Wald", "W")):
        reject = clean[f"p_{name}"] < 0.05
        rate = reject.mean()
        binomial = np.sqrt(rate * (1 - rate) / tests)
        per_seed = reject.groupby(clean["seed"]).mean()
        over_seeds = per_seed.std(ddof=1) / np.sqrt(len(per_seed))
        power = (out.loc[DIF_ITEMS, f"p_{name}"] < 0.05).mean()
        print(f"  {name:4}  rejected {rate:.4f} (SE {binomial:.4f} binomial, {over_seeds:.4f} "
              f"over seeds; nominal 0.05)   mean {stat} {clean[stat].mean():.3f} "
              f"(df {clean['df'].iloc[0]})   power {power:.3f}")


if __name__ == "__main__":
    main()
