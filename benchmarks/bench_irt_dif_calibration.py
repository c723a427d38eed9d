"""How often ``dif`` rejects an item without DIF: the type I error of its likelihood-ratio
and Wald tests (issue #21), with Monte Carlo standard errors.

One seeded data set per seed, two groups, the reference trait N(0, 1), the focal N(0.3,
1.2^2) (``--skew``: a standardised chi-square with 3 df, same mean and SD). Designs:

- ``main`` (default): 12 four-category graded items (slopes 0.9 .. 2.0, intercepts 2.0, 0.5,
  -1.0 shifted by -0.6 .. 0.6); in the focal group q11's intercepts are 0.8 lower and q12's
  0.8 higher (the DIF items); anchors q1-q4 (``--anchors``), q5-q10 tested and clean.
- ``small``: 6 three-category items without DIF (slopes 1.3, 1.0, 1.5, 1.1, 0.9, 1.2,
  intercepts 1.0, -0.5), anchors q1-q2 (``--anchors``), the rest tested.
- ``tests``: ``small`` with q5's focal intercepts 0.9 lower and q6's 0.9 higher (the DIF
  items): the data of tests/psychometrics/test_irt_dif.py's ``_simulated``.
- ``random``: 10 five-category items drawn per seed as ``bench_irt_dif.py`` draws them
  (slopes U(0.8, 2.2), four intercepts sorted U(-2, 2): some categories nearly empty), q9 /
  q10 shifted by -0.8 / +0.8, anchors q1-q2.

A seed where ``dif`` stops (a group leaves a category of a tested item unused, as mirt stops
too; with ``--missing``, a respondent without any answer) is skipped and counted.

The groups are labelled "ref" and "foc", so that the model's reference (the first level) is
the focal group; ``--normal-reference`` labels them "en" and "fr" (reference: the N(0, 1)
group). The LR statistic does not depend on the choice, the Wald statistic slightly.
Each seed runs ``dif`` with LR (``--scheme``) and Wald tests (scheme add) at the default tol.
Printed: the share of clean items with unadjusted p < .05 (nominal .05) with its binomial SE
and its SE over seeds (the tests of a seed share the base model), the mean statistic against
its df, the share of DIF items found (power).

Usage: ``python benchmarks/bench_irt_dif_calibration.py [--design main] [--seeds 100]
[--first 0] [--rows 500] [--focal-rows N] [--anchors K] [--missing 0.15] [--skew]
[--scheme drop] [--which-par d] [--normal-reference]`` (main: about 2 s per seed on one
core; small: 0.3 s). benchmarks/README.md gives the options of each figure.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

import alliance_scale as als


def focal_trait(rng: np.random.Generator, n: int, skew: bool) -> np.ndarray:
    if skew:
        return 0.3 + 1.2 * (rng.chisquare(3, n) - 3) / np.sqrt(6)
    return rng.normal(0.3, 1.2, n)


def design(args: argparse.Namespace, seed: int
           ) -> tuple[pd.DataFrame, np.ndarray, list[str], list[str]]:
    """Data, groups, anchors and DIF items of one seed."""
    n_ref = args.rows
    n_foc = args.focal_rows or args.rows
    if args.design == "main":
        rng = np.random.default_rng(1000 + seed)
        a = np.linspace(0.9, 2.0, 12)
        d = np.tile([2.0, 0.5, -1.0], (12, 1)) + np.linspace(-0.6, 0.6, 12)[:, None]
        dif_items, anchors = ["q11", "q12"], 4
    elif args.design in ("small", "tests"):
        rng = np.random.default_rng(seed)
        a, d = np.array([1.3, 1.0, 1.5, 1.1, 0.9, 1.2]), np.tile([1.0, -0.5], (6, 1))
        dif_items, anchors = ([], 2) if args.design == "small" else (["q5", "q6"], 2)
    else:
        rng = np.random.default_rng(seed)
        a = rng.uniform(0.8, 2.2, 10)
        d = np.sort(rng.uniform(-2.0, 2.0, (10, 4)), axis=1)[:, ::-1]
        dif_items, anchors = ["q9", "q10"], 2
    shifted = d.copy()
    if dif_items:
        shift = 0.9 if args.design == "tests" else 0.8
        shifted[-2] -= shift
        shifted[-1] += shift
    theta = None if args.design == "random" else rng.normal(0.0, 1.0, n_ref)
    ref = als.simulate_irt(a, d, n=n_ref, seed=rng, theta=theta)
    foc = als.simulate_irt(a, shifted, n=n_foc, seed=rng,
                           theta=focal_trait(rng, n_foc, args.skew))
    data = pd.concat([ref, foc], ignore_index=True)
    if args.missing:
        data = data.astype(float).mask(rng.random(data.shape) < args.missing)
    labels = ["en", "fr"] if args.normal_reference else ["ref", "foc"]
    group = np.repeat(labels, [n_ref, n_foc])
    return data, group, [f"q{i}" for i in range(1, (args.anchors or anchors) + 1)], dif_items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--design", choices=("main", "small", "tests", "random"),
                        default="main")
    for name, default in (("seeds", 100), ("first", 0), ("rows", 500), ("focal-rows", 0),
                          ("anchors", 0)):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--missing", type=float, default=0.0)
    parser.add_argument("--skew", action="store_true")
    parser.add_argument("--normal-reference", action="store_true")
    parser.add_argument("--scheme", choices=("add", "drop"), default="add")
    parser.add_argument("--which-par", nargs="+", default=["a1", "d"])
    args = parser.parse_args()
    rows, skipped = [], 0
    started = time.perf_counter()
    for seed in range(args.first, args.first + args.seeds):
        data, group, anchors, dif_items = design(args, seed)
        options = dict(anchors=anchors, which_par=args.which_par)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", als.AllianceScaleWarning)
            try:
                lr = als.dif(data, group, scheme=args.scheme, **options).table
                wald = als.dif(data, group, test="Wald", **options).table
            except als.AnalysisError:
                skipped += 1
                continue
        rows.append(pd.DataFrame({"seed": seed, "X2": lr["X2"], "p_LR": lr["p"],
                                  "W": wald["W"], "p_Wald": wald["p"], "df": lr["df"],
                                  "dif": lr.index.isin(dif_items)}))
    out = pd.concat(rows)
    seconds = time.perf_counter() - started
    clean = out.loc[~out["dif"]]
    tests = len(clean)
    print(f"dif type I error, design {args.design}: {len(rows)} seeds ({skipped} skipped), "
          f"{tests} clean-item tests, {seconds:.0f} s")
    for name, stat in (("LR", "X2"), ("Wald", "W")):
        reject = clean[f"p_{name}"] < 0.05
        rate = reject.mean()
        binomial = np.sqrt(rate * (1 - rate) / tests)
        per_seed = reject.groupby(clean["seed"]).mean()
        over_seeds = per_seed.std(ddof=1) / np.sqrt(len(per_seed))
        found = out.loc[out["dif"], f"p_{name}"] < 0.05
        power = f"{found.mean():.3f}" if len(found) else "-"
        print(f"  {name:4}  rejected {rate:.4f} (SE {binomial:.4f} binomial, {over_seeds:.4f} "
              f"over seeds; nominal 0.05)   mean {stat} {clean[stat].mean():.3f} "
              f"(df {clean['df'].iloc[0]})   power {power}")


if __name__ == "__main__":
    main()
