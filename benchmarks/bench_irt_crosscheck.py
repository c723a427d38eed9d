"""Crosscheck: our ``irt`` against PyPI ``mirt`` (the ``crosscheck`` extra; the Python package
of that name, not R's mirt) on the same data in the same run: estimates, log-likelihood and
time.

Data: mirt's LSAT7 (2PL; also its 1,000 rows repeated 100 times: 100,000 respondents with
the same 32 distinct patterns, where the work is the reading and coding of the answers, the
fit itself is the same) and Science (graded), bfi's agreeableness items A1-A5 (graded; A1
is reverse-keyed, answered on its raw scale as a questionnaire delivers it), and seeded
graded answers (20 five-point items x 2,000 respondents, and the size of the issue's
benchmark, 80 x 5,000; every slope positive: where both should agree). PyPI mirt is run with
61 quadrature points on its default range (ours: mirt's 61 points on [-6, 6]) and its own
standard errors; ours with Oakes SEs. Differences are
taken on the classical parameters (``a`` and the thresholds ``b_k``, PyPI mirt's output
form). The log-likelihoods depend on the quadrature, so PyPI mirt's estimates are also
evaluated in ours (``irt(pars=..., estimate=False)``, column "theirs@ours"): at the same
quadrature, the higher log-likelihood is the better maximum of the same model.

Times: the best of ``REPEATS`` runs of each (``LARGE_REPEATS`` on 80 items), interleaved
(ours, theirs, ours, ...: both see the same load), after one warm-up fit of each package
(the first call of either pays imports and, for PyPI mirt, compilation; a single run on a
shared machine is noise at tens of milliseconds). The same work: PyPI mirt's ``fit_mirt``
computes standard errors by default (``se_method`` "auto", which is Oakes here), ours Oakes
SEs (exact observed information); the load average is printed with the times.

Usage: ``python benchmarks/bench_irt_crosscheck.py``
"""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import alliance_scale as als

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
#: Timed runs of each fit (the best is reported), interleaved: both see the same load.
REPEATS = 7
#: Timed runs on the 80 items (PyPI mirt takes 8 s there).
LARGE_REPEATS = 2


def _datasets() -> dict[str, tuple[pd.DataFrame, str]]:
    lsat7 = pd.read_csv(FIXTURES / "mirt" / "LSAT7.csv")
    lsat7 = lsat7.loc[lsat7.index.repeat(lsat7["freq"])].drop(columns="freq")
    science = pd.read_csv(FIXTURES / "mirt" / "Science.csv")
    bfi = pd.read_csv(FIXTURES / "bfi.csv")[["A1", "A2", "A3", "A4", "A5"]].dropna()
    rng = np.random.default_rng(2026)
    a = rng.uniform(0.8, 2.2, 20)
    d = np.sort(rng.uniform(-2.5, 2.5, (20, 4)), axis=1)[:, ::-1]
    simulated = als.simulate_irt(a, d, n=2000, seed=1)
    a = rng.uniform(0.8, 2.2, 80)
    d = np.sort(rng.uniform(-2.5, 2.5, (80, 4)), axis=1)[:, ::-1]
    large = als.simulate_irt(a, d, n=5000, seed=1)
    many = pd.concat([lsat7] * 100, ignore_index=True)
    return {"LSAT7 2PL": (lsat7, "2PL"), "LSAT7 x 100 (100,000 rows) 2PL": (many, "2PL"),
            "Science graded": (science, "graded"),
            "bfi A1-A5 graded (A1 reversed)": (bfi, "graded"),
            "simulated 20 x 2000 graded": (simulated, "graded"),
            "simulated 80 x 5000 graded": (large, "graded")}


def _theirs(data: pd.DataFrame, model: str):
    """PyPI mirt's fit (standard errors included, its default) and its seconds."""
    import mirt

    codes = data.to_numpy().astype(int)
    codes = codes - codes.min(axis=0)
    k = int(codes.max()) + 1
    started = time.perf_counter()
    fit = mirt.fit_mirt(codes, model="2PL" if model == "2PL" else "GRM",
                        n_categories=None if model == "2PL" else k, n_quadpts=61)
    return fit, time.perf_counter() - started


def _ours(data: pd.DataFrame, model: str):
    """Our fit (Oakes SEs, the default) and its seconds."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.perf_counter()
        fit = als.irt(data, model)
        return fit, time.perf_counter() - started


def main() -> None:
    import mirt

    print(f"alliance_scale irt vs PyPI mirt {mirt.__version__} (same data, same run; best "
          f"of {REPEATS} after a warm-up of each; both with Oakes SEs; load average "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()) + ")")
    warm, warm_model = _datasets()["Science graded"]
    _ours(warm, warm_model)
    _theirs(warm, warm_model)
    print(f"{'data':34s} {'loglik ours':>12s} {'PyPI mirt':>12s} {'theirs@ours':>12s} "
          f"{'max|da|':>8s} {'max|db|':>8s} {'ours ms':>7s} {'mirt ms':>7s} {'ratio':>6s}")
    for name, (data, model) in _datasets().items():
        our_seconds = their_seconds = np.inf
        for _ in range(LARGE_REPEATS if data.shape[1] >= 80 else REPEATS):
            ours, seconds = _ours(data, model)
            our_seconds = min(our_seconds, seconds)
            theirs, seconds = _theirs(data, model)
            their_seconds = min(their_seconds, seconds)
        table = theirs.coef()
        a = table.iloc[:, 0].to_numpy()
        b = table.iloc[:, 1:].to_numpy()
        loglik = theirs.log_likelihood
        classical = ours.coef(irt_pars=True, se=False)
        our_a = classical["a"].to_numpy()
        our_b = classical.drop(columns="a").to_numpy()
        pars = pd.DataFrame(np.c_[a, -a[:, None] * b], index=list(ours.items),
                            columns=["a1"] + [f"d{k}" for k in range(1, b.shape[1] + 1)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            at_ours = als.irt(data, model, pars=pars, estimate=False, se=None).loglik
        print(f"{name:34s} {ours.loglik:12.3f} {loglik:12.3f} {at_ours:12.3f} "
              f"{np.max(np.abs(our_a - a)):8.3f} {np.nanmax(np.abs(our_b - b)):8.3f} "
              f"{our_seconds * 1e3:7.1f} {their_seconds * 1e3:7.1f} "
              f"{their_seconds / our_seconds:6.1f}x")
        flipped = [item for item, x, y in zip(ours.items, our_a, a, strict=True)
                   if np.sign(x) != np.sign(y)]
        if flipped:
            print(f"    slope sign differs: {', '.join(flipped)} "
                  f"(ours {our_a[ours.items.index(flipped[0])]:.3f}, PyPI mirt "
                  f"{a[ours.items.index(flipped[0])]:.3f})")
        bounded = np.isclose(np.abs(b), 6.0)
        if bounded.any():
            print(f"    PyPI mirt thresholds at its bound |b| = 6: {int(bounded.sum())}")
    print("load average at the end: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
