"""Time cfa (ML and WLSMV) against lavaan 0.6.14 on a second-order model of 72 items.

Data (seeded, ``_common.ordinal_factor_data``): 4,000 respondents x 72 six-point items, item
``j`` on facet ``j % 9`` (8 items each); the 9 facets form 3 dimensions (facets 1-3, 4-6, 7-9)
and correlate .5 within and .3 between dimensions, so the second-order model (3 dimension
factors over the 9 facets) holds in the population. Measured in the same run:

- ``cfa(data, model)`` (ML, expected-information SEs, fit measures with the baseline model),
  best of ``--repeats``;
- ``cfa(data, model, ordered=True, estimator="WLSMV")`` (polychorics, thresholds and their
  asymptotic covariance, DWLS, robust SEs, scaled-shifted test, robust CFI / RMSEA), one run;
- when ``Rscript`` is on PATH, ``lavaan::cfa`` with the same model, ``estimator = "ML"``
  (best of ``--repeats``) and ``ordered = TRUE, estimator = "WLSMV"`` (one run; lavaan needs
  about 4 minutes here), the time ratios and the largest differences in estimates and chi2.

Usage::

    python benchmarks/bench_cfa.py [--respondents 4000] [--repeats 3] [--threads 1] [--no-wlsmv]
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from alliance_scale import AllianceScaleWarning, cfa

try:
    from ._common import best_of, command_line, have_r, ordinal_factor_data, run_r
except ImportError:  # run as a script: its folder is on sys.path
    from _common import best_of, command_line, have_r, ordinal_factor_data, run_r

ITEMS, FACETS, DIMENSIONS = 72, 9, 3

R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
model <- paste(readLines(extra[1]), collapse = "\n")
repeats <- as.integer(extra[2]); wlsmv <- extra[3] == "yes"
best <- Inf
for (i in seq_len(repeats)) best <- min(best, seconds(ml <- cfa(model, data)))
out <- list(ml_seconds = best, ml_est = coef(ml), ml_names = names(coef(ml)),
            ml_chisq = fitMeasures(ml, "chisq"))
if (wlsmv) {
  out$wlsmv_seconds <- seconds(w <- cfa(model, data, ordered = TRUE, estimator = "WLSMV"))
  out$wlsmv_est <- coef(w); out$wlsmv_names <- names(coef(w))
  out$wlsmv_chisq_scaled <- fitMeasures(w, "chisq.scaled")
}
finish(out)
"""


def second_order_model() -> str:
    facets = [f"f{k + 1} =~ " + " + ".join(f"i{j + 1}" for j in range(ITEMS) if j % FACETS == k)
              for k in range(FACETS)]
    per = FACETS // DIMENSIONS
    dims = [f"d{d + 1} =~ " + " + ".join(f"f{k + 1}" for k in range(per * d, per * d + per))
            for d in range(DIMENSIONS)]
    return "\n".join(facets + dims)


def facet_correlation() -> np.ndarray:
    dimension = np.arange(FACETS) // (FACETS // DIMENSIONS)
    phi = np.where(dimension[:, None] == dimension[None, :], 0.5, 0.3)
    np.fill_diagonal(phi, 1.0)
    return phi


def coefficients(fit) -> pd.Series:
    """Free parameters under lavaan's ``coef()`` names (``lhs op rhs``, no spaces)."""
    table = fit.estimates
    free = table[table["se"] > 0]
    return pd.Series(free["est"].to_numpy(), index=free["lhs"] + free["op"] + free["rhs"])


def largest_difference(ours: pd.Series, names: list[str], values: list[float]) -> float:
    theirs = pd.Series(values, index=[n.replace(" ", "") for n in names])
    common = ours.index.intersection(theirs.index)
    return float(np.abs(ours[common] - theirs[common]).max())


def main() -> None:
    args = command_line(__doc__.splitlines()[0], respondents=4000, repeats=3, threads=1,
                        no_wlsmv=False,
                        help={"threads": "BLAS threads for the Python runs (R's reference "
                                         "BLAS is single-threaded)",
                              "no_wlsmv": "skip the WLSMV runs (lavaan's takes minutes)"})
    model = second_order_model()
    data = ordinal_factor_data(args.respondents, ITEMS, FACETS, seed=2026,
                               factor_correlation=facet_correlation())
    print(f"cfa: {ITEMS} six-point items, {FACETS} facets, {DIMENSIONS} second-order "
          f"factors, {args.respondents} respondents, {args.threads} BLAS thread(s)")
    with threadpool_limits(limits=args.threads), warnings.catch_warnings():
        warnings.simplefilter("ignore", AllianceScaleWarning)
        ml = cfa(data, model)
        ml_time = best_of(lambda: cfa(data, model), args.repeats)
        print(f"  alliance_scale ML:     {ml_time:8.3f} s  (chi2 {ml.fit['chisq']:.3f}, "
              f"CFI {ml.fit['cfi']:.4f})")
        wlsmv, wlsmv_time = None, float("nan")
        if not args.no_wlsmv:
            try:
                started = time.perf_counter()
                wlsmv = cfa(data, model, ordered=True, estimator="WLSMV")
                wlsmv_time = time.perf_counter() - started
                print(f"  alliance_scale WLSMV:  {wlsmv_time:8.3f} s  (scaled chi2 "
                      f"{wlsmv.fit['chisq_scaled']:.3f}, robust CFI "
                      f"{wlsmv.fit['cfi_robust']:.4f})")
            except ImportError as error:  # the ordinal statistics live in another branch
                print(f"  alliance_scale WLSMV: not available ({error})")
    if not have_r():
        print("  Rscript not on PATH: lavaan not timed")
        return
    with tempfile.TemporaryDirectory() as folder:
        syntax = Path(folder) / "model.lav"
        syntax.write_text(model)
        r = run_r(R_SCRIPT, data, syntax, args.repeats,
                  "yes" if wlsmv is not None else "no")
    print(f"  lavaan ML:             {r['ml_seconds']:8.3f} s  -> lavaan / ours "
          f"{r['ml_seconds'] / ml_time:6.1f} x (target >= 1)")
    diff = largest_difference(coefficients(ml), r["ml_names"], r["ml_est"])
    print(f"    max |estimate difference| {diff:.2e}, "
          f"chi2 difference {abs(ml.fit['chisq'] - r['ml_chisq']):.2e}")
    if wlsmv is not None:
        print(f"  lavaan WLSMV:          {r['wlsmv_seconds']:8.3f} s  -> lavaan / ours "
              f"{r['wlsmv_seconds'] / wlsmv_time:6.1f} x (target >= 10)")
        diff = largest_difference(coefficients(wlsmv), r["wlsmv_names"], r["wlsmv_est"])
        print(f"    max |estimate difference| {diff:.2e}, scaled chi2 difference "
              f"{abs(wlsmv.fit['chisq_scaled'] - r['wlsmv_chisq_scaled']):.2e}")


if __name__ == "__main__":
    main()
