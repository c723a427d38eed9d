"""Time score_items on a large administration, and psych::scoreItems at equal size when R exists.

Data (seeded, ``_common.ordinal_factor_data``): 6 scales of 10 items each (60 items, 5-point
codes, item ``j`` on scale ``j % 6``, about 10% of items reverse keyed and answered in
reverse), 2% of answers missing at random. Python is timed best of 3; psych::scoreItems is
timed inside R, on the first ``--r-respondents`` rows, against ours on the same rows. Usage::

    python benchmarks/bench_scoring.py [--respondents 1000000] [--r-respondents 100000]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alliance_scale import score_items

try:
    from ._common import best_of, command_line, have_r, ordinal_factor_data, run_r
except ImportError:  # run as a script: its folder is on sys.path
    from _common import best_of, command_line, have_r, ordinal_factor_data, run_r

R_SCRIPT = r"""
suppressPackageStartupMessages(library(psych))
keys <- setNames(strsplit(extra, " "), paste0("scale", seq_along(extra)))
finish(list(seconds = seconds(scoreItems(keys, data, impute = "none", min = 1, max = 5))))
"""


def make_data(n: int, seed: int = 2026) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """n respondents x 60 items in 6 scales, ~10% reverse keyed, 2% missing; and the keys."""
    data = ordinal_factor_data(n, 60, 6, seed=seed, categories=5, missing=0.02)
    reverse = np.random.default_rng(seed).random(60) < 0.10
    data.iloc[:, reverse] = 6 - data.iloc[:, reverse]
    keys = {f"scale{s + 1}": [("-" if reverse[j] else "") + data.columns[j]
                              for j in range(s, 60, 6)] for s in range(6)}
    return data, keys


def main() -> None:
    args = command_line(__doc__.splitlines()[0], respondents=1_000_000, r_respondents=100_000)
    data, keys = make_data(args.respondents)

    def ours(frame: pd.DataFrame) -> float:
        return best_of(lambda: score_items(frame, keys, min_value=1, max_value=5))

    print(f"score_items: {args.respondents:,} respondents x 60 items, 6 scales: "
          f"{ours(data):.3f} s (best of 3)")
    if not have_r():
        print("Rscript not found: R comparison skipped")
        return
    small = data.iloc[: args.r_respondents]
    python_small = ours(small)
    r_small = run_r(R_SCRIPT, small, *(" ".join(v) for v in keys.values()))["seconds"]
    print(f"at {len(small):,} x 60: score_items {python_small:.3f} s, "
          f"psych::scoreItems(impute='none') {r_small:.3f} s, "
          f"R / Python = {r_small / python_small:.1f}x")


if __name__ == "__main__":
    main()
