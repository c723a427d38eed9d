"""Time efa (minres + oblimin, 5 factors) against factor_analyzer and psych::fa.

Data (seeded, ``_common.ordinal_factor_data``): 4,000 respondents x 135 six-point items (the
size of psychTools::spi) from a 5-factor model with correlated factors. Measured in the same
run, best of a few repeats:

- ``efa(correlation, 5, n_obs=...)``: extraction, rotation, fit statistics;
- ``efa(data, 5)``: the same plus the pairwise Pearson correlations;
- factor_analyzer ``FactorAnalyzer(n_factors=5, rotation="oblimin", method="minres")``. Its
  ``fit`` raises TypeError with scikit-learn >= 1.8; then its two steps are timed directly
  (minres ``_fit_factor_analysis`` on the same matrix, then ``Rotator`` oblimin);
- when ``Rscript`` is on PATH, ``psych::fa(r, 5, fm = "minres", rotate = "oblimin")`` on the
  same correlation matrix (fed through a temporary CSV), and the largest loading difference.

Usage::

    python benchmarks/bench_efa.py [--respondents 4000] [--items 135] [--factors 5]
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from alliance_scale import efa

try:
    from ._common import best_of, command_line, have_r, ordinal_factor_data, run_r
except ImportError:  # run as a script: its folder is on sys.path
    from _common import best_of, command_line, have_r, ordinal_factor_data, run_r

R_SCRIPT = r"""
suppressPackageStartupMessages(library(psych))
r <- as.matrix(data)
k <- as.integer(extra[1]); n <- as.integer(extra[2])
f <- fa(r, k, n.obs = n, fm = "minres", rotate = "oblimin")  # warm-up (loads GPArotation)
best <- Inf
for (i in seq_len(as.integer(extra[3]))) {
  best <- min(best, seconds(f <- fa(r, k, n.obs = n, fm = "minres", rotate = "oblimin")))
}
finish(list(seconds = best, loadings = unclass(f$loadings)))
"""


def time_factor_analyzer(correlation: np.ndarray, k: int) -> tuple[float, str]:
    """Seconds for factor_analyzer minres + oblimin, and how it was run."""
    from factor_analyzer import FactorAnalyzer, Rotator

    def full() -> None:
        FactorAnalyzer(n_factors=k, rotation="oblimin", method="minres",
                       is_corr_matrix=True).fit(correlation.copy())

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return best_of(full, repeats=1), "FactorAnalyzer.fit"
    except TypeError as error:
        reason = f"FactorAnalyzer.fit raised TypeError ({error}); timed its two steps"

    def steps() -> None:
        analyzer = FactorAnalyzer(n_factors=k, rotation=None, method="minres")
        unrotated = analyzer._fit_factor_analysis(correlation.copy())
        Rotator(method="oblimin").fit_transform(unrotated)

    try:
        return best_of(steps, repeats=1), reason
    except Exception as error:  # report whatever the competitor raises
        return float("nan"), f"{reason}; the steps failed too ({type(error).__name__}: {error})"


def main() -> None:
    args = command_line(__doc__.splitlines()[0], respondents=4000, items=135, factors=5,
                        repeats=3, threads=1,
                        help={"threads": "BLAS threads for the Python runs "
                                         "(R's reference BLAS is single-threaded)"})
    with threadpool_limits(limits=args.threads):
        n, p, k = args.respondents, args.items, args.factors
        data = ordinal_factor_data(n, p, k, seed=2026)
        correlation = data.corr().to_numpy()
        print(f"efa minres + oblimin, {k} factors, {n} respondents x {p} six-point items, "
              f"{args.threads} BLAS thread(s)")

        ours_matrix = best_of(lambda: efa(correlation, k, n_obs=n), args.repeats)
        ours_data = best_of(lambda: efa(data, k), args.repeats)
        print(f"  alliance_scale efa(correlation): {ours_matrix:8.3f} s")
        print(f"  alliance_scale efa(data):        {ours_data:8.3f} s (with correlations)")

        fa_time, how = time_factor_analyzer(correlation, k)
        print(f"  factor_analyzer:                 {fa_time:8.3f} s  [{how}]")
        print(f"  factor_analyzer / ours:          {fa_time / ours_matrix:8.1f} x")
        if not have_r():
            print("  Rscript not on PATH: psych::fa not timed")
            return
        r = run_r(R_SCRIPT, pd.DataFrame(correlation), k, n, args.repeats)
        ours = efa(correlation, k, n_obs=n).loadings.to_numpy()
        print(f"  psych::fa(r):                    {r['seconds']:8.3f} s")
        print(f"  psych / ours:                    {r['seconds'] / ours_matrix:8.1f} x")
        print(f"  max |loading difference| vs psych: "
              f"{np.abs(ours - np.array(r['loadings'])).max():.2e}")


if __name__ == "__main__":
    main()
