"""Time cronbach_alpha (plain and with a bootstrap CI) against pingouin and psych::alpha.

Data (seeded, ``_common.ordinal_factor_data``): 300 respondents x 20 five-point items driven
by one factor (loadings .5-.7). Measured: our alpha with the Feldt CI; our percentile
bootstrap CI with 1,000 resamples; pingouin.cronbach_alpha; and, when Rscript is on PATH,
psych::alpha (no bootstrap) and psych::alpha(n.iter = 1000) on the same data (one core),
timed inside R and fed through a temporary CSV. Usage::

    python benchmarks/bench_reliability.py [--respondents 300] [--items 20] [--resamples 1000]
"""

from __future__ import annotations

import pingouin

from alliance_scale import cronbach_alpha

try:
    from ._common import best_of, command_line, have_r, ordinal_factor_data, run_r
except ImportError:  # run as a script: its folder is on sys.path
    from _common import best_of, command_line, have_r, ordinal_factor_data, run_r

R_SCRIPT = r"""
suppressPackageStartupMessages(library(psych))
options(mc.cores = 1)
plain_seconds <- seconds(plain <- psych::alpha(data, warnings = FALSE))
set.seed(1)
boot_seconds <- seconds(psych::alpha(data, n.iter = as.integer(extra[1]), warnings = FALSE))
finish(list(plain = plain_seconds, boot = boot_seconds, alpha = plain$total$raw_alpha))
"""


def main() -> None:
    args = command_line(__doc__.splitlines()[0], respondents=300, items=20, resamples=1000)
    data = ordinal_factor_data(args.respondents, args.items, 1, seed=2026, categories=5,
                               loadings=(0.5, 0.7))
    size = f"{args.respondents} x {args.items}"

    ours = best_of(lambda: cronbach_alpha(data), repeats=5)
    boot = best_of(lambda: cronbach_alpha(data, ci="bootstrap", n_boot=args.resamples,
                                          seed=1), repeats=3)
    theirs = best_of(lambda: pingouin.cronbach_alpha(data), repeats=5)
    alpha = cronbach_alpha(data).alpha
    print(f"cronbach_alpha (Feldt CI, item table), {size}: {ours:.4f} s (best of 5)")
    print(f"cronbach_alpha bootstrap CI, {args.resamples} resamples, {size}: {boot:.4f} s")
    print(f"pingouin.cronbach_alpha, {size}: {theirs:.4f} s; ours / pingouin = "
          f"{ours / theirs:.1f}x (ours also computes the item table); "
          f"|alpha diff| = {abs(alpha - pingouin.cronbach_alpha(data)[0]):.1e}")
    if not have_r():
        print("Rscript not found: R comparison skipped")
        return
    r = run_r(R_SCRIPT, data, args.resamples)
    print(f"psych::alpha, {size}: {r['plain']:.4f} s; R / Python = {r['plain'] / ours:.1f}x; "
          f"|alpha diff| = {abs(alpha - r['alpha']):.1e}")
    print(f"psych::alpha(n.iter = {args.resamples}) (1 core), {size}: {r['boot']:.3f} s; "
          f"R / Python bootstrap = {r['boot'] / boot:.1f}x")


if __name__ == "__main__":
    main()
