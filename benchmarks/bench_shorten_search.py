"""How often the heuristics reach the exact optimum, and what the pilot's short form holds.

Issue #22: "the ant colony must reach [the optimum] on pools where enumeration is feasible
in most seeds (report how often)". In one run:

(a) MAX-MIN ants and the genetic search over 20 seeds, against the exact optimum, on two
    pools where enumeration is feasible: the joint model of stuart's fairplayer data with
    4, 4 and 5 items (3 each: 160 candidates) and one facet of the bundled pilot (A2, 14
    items, 3 with one per leaf theme: 100 candidates), at budgets of 1/3 and 1/2 of the
    candidates and the full count;
(b) the bundled pilot's 27-item short form (3 per facet, holdout 0.5): its time, and where
    the held-out omega goes: the search's own crel (latent-response composite reliability
    of each facet's 3-item model) on the calibration and held-out halves, the mean over
    all candidates on the held-out half (a random 3-item form), the blueprint CFA's omega
    (semTools' categorical omega, Green & Yang 2009) of the short and the full form, over
    5 splits; and the same at 4 and 5 items per facet.

Usage::

    python benchmarks/bench_shorten_search.py [--seeds 20]
"""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

import alliance_scale as als
from alliance_scale.design._shorten import _polychoric, _pool_from, _reversed_data, _split
from alliance_scale.design._shorten_search import Facet, three_item_fits

try:
    from ._common import command_line
except ImportError:  # run as a script: its folder is on sys.path
    from _common import command_line

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def hit_rates(seeds: int) -> None:
    fair = pd.read_csv(FIXTURES / "fairplayer_joint.csv")
    c = list(fair.columns)
    draft = als.draft_scale()
    pilot = als.load_pilot()
    problems = {
        "fairplayer joint (160)": (fair, {"EM": c[:4], "RA": c[8:12], "SI": c[13:18]},
                                   dict(model="joint", estimator="ML", missing="listwise")),
        "pilot facet A2 (100)": (pilot, replace(draft, content_hash="", items=tuple(
            i for i in draft.items if i.facet == "A2")), dict(estimator="WLSMV")),
    }
    for name, (data, pools, kw) in problems.items():
        exact = als.shorten(data, pools, per_facet=3, holdout=None, **kw)
        n = int(exact.search["fitted"].sum())
        for method in ("mmas", "genetic"):
            for budget in (n // 3, n // 2, n):
                started = time.perf_counter()
                hits = sum(als.shorten(data, pools, per_facet=3, holdout=None,
                                       method=method, budget=budget, seed=s, **kw).items
                           == exact.items for s in range(seeds))
                print(f"(a) {name:24s} {method:8s} budget {budget:4d}: optimum in {hits:2d} "
                      f"of {seeds} seeds ({(time.perf_counter() - started) / seeds:.2f} s "
                      "per search)")


def pilot_omega(splits: int = 5) -> None:
    pilot, scale = als.load_pilot(), als.draft_scale()
    started = time.perf_counter()
    form = als.shorten(pilot, scale, per_facet=3, seed=1)
    print(f"(b) shorten(pilot, draft, per_facet=3, holdout=0.5): "
          f"{time.perf_counter() - started:.1f} s, holds out: {form.holds_out}")
    facets, themes, rev = _pool_from(scale)
    data = _reversed_data(pilot, scale, rev)
    rows = []
    for seed in range(1, splits + 1):
        cal, held = _split(len(pilot), 0.5, np.random.default_rng(seed))
        for f, pool in facets.items():
            candidates = Facet(f, pool, 3, [], themes, rev, True, "any").candidates()
            a, b = ([r["crel"] if r["admissible"] else np.nan
                     for r in three_item_fits(candidates, _polychoric(data.iloc[part][pool])[0])]
                    for part in (cal, held))
            a, b = np.array(a), np.array(b)
            best = int(np.nanargmax(a))
            rows.append({"calibration": a[best], "held-out": b[best],
                         "held-out, mean of all candidates": np.nanmean(b),
                         "held-out, best candidate": np.nanmax(b)})
    crel = pd.DataFrame(rows).mean()
    print("    search's crel (mean over facets and 5 splits): "
          + ", ".join(f"{k} {v:.3f}" for k, v in crel.items()))
    for k in (3, 4, 5):
        h = als.shorten(pilot, scale, per_facet=k, seed=1, budget=5000).holdout
        omega = h.loc["mean omega"]
        bordin = h.loc[h.index.str.startswith("r("), "short - full"].abs().max()
        print(f"    {k} per facet: blueprint omega short calibration "
              f"{omega['short (calibration)']:.3f}, held-out {omega['short (held-out)']:.3f}, "
              f"full held-out {omega['full (held-out)']:.3f}; CFI held-out short "
              f"{h.loc['CFI', 'short (held-out)']:.3f} full {h.loc['CFI', 'full (held-out)']:.3f}"
              f"; largest Bordin difference {bordin:.3f}")


def main() -> None:
    args = command_line(__doc__.splitlines()[0], seeds=20)
    warnings.simplefilter("ignore")
    print(f"load average {os.getloadavg()[0]:.2f}")
    hit_rates(args.seeds)
    pilot_omega()


if __name__ == "__main__":
    main()
