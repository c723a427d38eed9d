"""Benchmark: DIF of 20 five-point items between two groups of 1,000 respondents (mirt's
``DIF()`` on a ``multipleGroup()`` model: likelihood-ratio tests, scheme "add", 4 anchors,
16 items tested; and the Wald variant with Oakes standard errors).

mirt is not installed here (not packaged for Debian), so the anchor is measured in the same
run: ``als.irt`` (one single-group graded fit with Oakes SEs) on the same 2,000 respondents;
the ratio says how many single-group fits a DIF run costs (an LR DIF run refits the model once
per tested item, 17 fits here). Data: seeded graded responses (``als.simulate_irt``); in the
focal group (trait N(0.3, 1.2^2)) items q19 and q20 have their intercepts shifted by -0.8 and
+0.8.

Usage: ``python benchmarks/bench_irt_dif.py [--items 20] [--rows 1000]``
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

import alliance_scale as als

try:
    from ._common import best_of, command_line
except ImportError:  # run as a script: its folder is on sys.path
    from _common import best_of, command_line


def main() -> None:
    args = command_line(__doc__.splitlines()[0], items=20, rows=1000)
    rng = np.random.default_rng(2026)
    a = rng.uniform(0.8, 2.2, args.items)
    d = np.sort(rng.uniform(-2.0, 2.0, (args.items, 4)), axis=1)[:, ::-1]
    shifted = d.copy()
    shifted[-2] -= 0.8
    shifted[-1] += 0.8
    ref = als.simulate_irt(a, d, n=args.rows, seed=1)
    foc = als.simulate_irt(a, shifted, n=args.rows, seed=2,
                           theta=np.random.default_rng(3).normal(0.3, 1.2, args.rows))
    data = pd.concat([ref, foc], ignore_index=True)
    group = np.repeat(["ref", "focal"], args.rows)
    anchors = list(data.columns[:4])

    started, cpu = time.perf_counter(), time.process_time()
    lr = als.dif(data, group, anchors=anchors)
    lr_seconds, lr_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    wald = als.dif(data, group, anchors=anchors, test="Wald")
    wald_seconds, wald_cpu = time.perf_counter() - started, time.process_time() - cpu
    single = best_of(lambda: als.irt(data, "graded"), repeats=1)

    print(f"DIF, {args.items} five-point items, 2 groups x {args.rows} respondents, "
          f"{len(lr.table)} items tested against {len(anchors)} anchors")
    print(f"  LR (scheme add)        {lr_seconds:7.2f} s wall {lr_cpu:7.2f} s CPU   "
          f"flagged {', '.join(lr.flagged) or 'none'}")
    print(f"  Wald (Oakes SEs)       {wald_seconds:7.2f} s wall {wald_cpu:7.2f} s CPU   "
          f"flagged {', '.join(wald.flagged) or 'none'}")
    print(f"  anchor: one irt() fit  {single:7.2f} s   ratios LR {lr_seconds / single:.1f}, "
          f"Wald {wald_seconds / single:.1f}")


if __name__ == "__main__":
    main()
