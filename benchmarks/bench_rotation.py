"""Time every rotation, principal() and omega() against GPArotation / psych (issue #12).

Data (seeded, ``_common.ordinal_factor_data``): 4,000 respondents x 135 six-point items (the
size of psychTools::spi) from a 5-factor model with correlated factors, as bench_efa.py.
Measured in the same run, best of a few repeats, one BLAS thread (R's BLAS is single-threaded):

- ``rotate(L, name)`` of the 135 x 5 unrotated minres loadings, for each GPA rotation,
  against GPArotation's (psych's for bifactor / biquartimin / equamax) on the same loadings
  (from psych::fa(r, 5, rotate = "none")); largest loading difference after matching the
  columns (the unrotated loadings agree to ~1e-14, so the starts are the same);
- ``principal(r, 5)`` (varimax) against ``psych::principal(r, 5)``;
- ``omega(r, 5)`` against ``psych::omega(r, 5, plot = FALSE)``, with their omega_h.

Usage::

    python benchmarks/bench_rotation.py [--respondents 4000] [--items 135] [--factors 5]
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from alliance_scale import extract_factors, omega, principal, rotate

try:
    from ._common import best_of, command_line, have_r, ordinal_factor_data, run_r
except ImportError:  # run as a script: its folder is on sys.path
    from _common import best_of, command_line, have_r, ordinal_factor_data, run_r

ROTATIONS = ("varimax", "quartimax", "equamax", "bentlerT", "geominT", "bifactor",
             "oblimin", "quartimin", "geomin", "bentlerQ", "biquartimin", "simplimax", "promax")

R_SCRIPT = r"""
suppressPackageStartupMessages({library(psych); library(GPArotation)})
r <- as.matrix(data); colnames(r) <- rownames(r) <- paste0("i", seq_len(ncol(r)))
k <- as.integer(extra[1]); n <- as.integer(extra[2]); repeats <- as.integer(extra[3])
L <- unclass(fa(r, k, n.obs = n, rotate = "none")$loadings)
best <- function(f) { out <- Inf; for (i in seq_len(repeats)) out <- min(out, seconds(f())); out }
calls <- list(
  varimax = function() stats::varimax(L)$loadings,
  quartimax = function() quartimax(L)$loadings, equamax = function() psych::equamax(L)$loadings,
  bentlerT = function() bentlerT(L)$loadings, geominT = function() geominT(L)$loadings,
  bifactor = function() psych::bifactor(L)$loadings, oblimin = function() oblimin(L)$loadings,
  quartimin = function() quartimin(L)$loadings, geomin = function() geominQ(L)$loadings,
  bentlerQ = function() bentlerQ(L)$loadings,
  biquartimin = function() psych::biquartimin(L)$loadings,
  simplimax = function() simplimax(L)$loadings,
  promax = function() kaiser(L, rotate = "Promax")$loadings)
out <- list(unrotated = unname(L), rotations = list())
for (name in names(calls)) {
  loadings <- suppressWarnings(calls[[name]]())
  out$rotations[[name]] <- list(seconds = best(function() suppressWarnings(calls[[name]]())),
                                loadings = unname(unclass(loadings)))
}
out$principal <- best(function() principal(r, k, n.obs = n))
out$omega <- best(function() suppressWarnings(suppressMessages(omega(r, k, n.obs = n,
                                                                      plot = FALSE))))
out$omega_h <- suppressWarnings(suppressMessages(omega(r, k, n.obs = n, plot = FALSE)))$omega_h
finish(out)
"""


def _matched_difference(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Largest |difference| after ordering and signing our columns like theirs."""
    order = [int(np.argmax(np.abs(theirs[:, j] @ ours))) for j in range(theirs.shape[1])]
    matched = ours[:, order]
    matched = matched * np.sign(np.sum(matched * theirs, axis=0))
    return float(np.abs(matched - theirs).max())


def main() -> None:
    args = command_line(__doc__.splitlines()[0], respondents=4000, items=135, factors=5,
                        repeats=3, threads=1)
    with threadpool_limits(limits=args.threads):
        n, p, k = args.respondents, args.items, args.factors
        correlation = ordinal_factor_data(n, p, k, seed=2026).corr().to_numpy()
        unrotated, _ = extract_factors(correlation, k)
        print(f"rotations of {p} x {k} minres loadings; principal and omega of a {p}-item "
              f"matrix (n = {n}); {args.threads} BLAS thread(s), best of {args.repeats}")
        reference = run_r(R_SCRIPT, pd.DataFrame(correlation), k, n, args.repeats) \
            if have_r() else None
        if reference is not None:
            start = np.abs(np.abs(unrotated) - np.abs(np.array(reference["unrotated"]))).max()
            print(f"  unrotated loadings vs psych: max |difference| {start:.1e}")
        print(f"  {'rotation':<12} {'ours (s)':>9} {'R (s)':>9} {'R / ours':>9} "
              f"{'max |diff|':>11}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # simplimax stops at 1000 iterations (as R)
            for name in ROTATIONS:
                ours = best_of(lambda name=name: rotate(unrotated, name), args.repeats)
                line = f"  {name:<12} {ours:9.4f}"
                if reference is not None:
                    theirs = reference["rotations"][name]
                    difference = _matched_difference(rotate(unrotated, name)[0],
                                                     np.array(theirs["loadings"]))
                    line += (f" {theirs['seconds']:9.4f} {theirs['seconds'] / ours:9.1f}"
                             f" {difference:11.1e}")
                print(line)
            ours_pca = best_of(lambda: principal(correlation, k, n_obs=n), args.repeats)
            ours_omega = best_of(lambda: omega(correlation, k, n_obs=n), args.repeats)
            omega_h = omega(correlation, k, n_obs=n).omega_h
        for label, ours, key in (("principal", ours_pca, "principal"),
                                 ("omega", ours_omega, "omega")):
            line = f"  {label:<12} {ours:9.4f}"
            if reference is not None:
                line += f" {reference[key]:9.4f} {reference[key] / ours:9.1f}"
            print(line)
        if reference is not None:
            print(f"  omega_h: ours {omega_h:.10f}, psych {reference['omega_h']:.10f}")


if __name__ == "__main__":
    main()
