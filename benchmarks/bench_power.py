"""Time the analytic sample-size plans (issue #23) against R in the same run.

(a) ``plan_sample_size(df=, rmsea=, power=)``: the a-priori N of the 96 exact-fit cases of
    ``tests/fixtures/power_reference.R`` (df 1 to 2,000, RMSEA .01 to .08, power .80 / .95,
    alpha .01 / .05), each an integer search on scipy's noncentral chi-square;
(b) the same N in R: semPower's search as its ``semPower.aPriori`` runs it (``optim``
    Nelder-Mead on the squared log-beta difference, then ``ceiling``), timed inside R;
(c) semPower's CFA example (F0 of a 9-item, 2-factor model with the factor correlation
    fixed at 0, fitted to the population matrix): ``plan_sample_size(cov_matrix=, model=)``
    against ``lavaan::cfa(sample.cov = )`` + ``pchisq``, timed inside R.

The machine's load average is printed: timings mean something only on an idle machine.
Usage::

    python benchmarks/bench_power.py [--repeats 3] [--no-r]
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

import alliance_scale as als

try:
    from ._common import best_of, command_line, have_r, run_r
except ImportError:  # run as a script: its folder is on sys.path
    from _common import best_of, command_line, have_r, run_r

REFERENCE = json.loads((Path(__file__).resolve().parents[1] / "tests" / "fixtures"
                        / "power_reference.json").read_text())
CASES = [c for c in REFERENCE["a_priori"] if c["test"] == "exact"]
CFA = REFERENCE["cfa_example"]

R_SCRIPT = r"""
cases <- fromJSON(extra[1])
sempower_n <- function(target, df, f0, alpha) {
  crit <- qchisq(alpha, df = df, ncp = 0, lower.tail = FALSE)
  start <- 5 * 10^(-floor(log10(f0)) + 1)
  fn <- function(cN) if (cN < 5) NA else
    (log(1 - target) - pchisq(crit, df, f0 * (cN - 1), log.p = TRUE))^2
  ceiling(suppressWarnings(optim(start, fn, method = "Nelder-Mead",
                                 control = list(warn.1d.NelderMead = FALSE)))$par)
}
times <- numeric(0); n <- NULL
for (r in seq_len(as.integer(extra[2]))) times[r] <- seconds(
  n <- mapply(function(df, rmsea, target, alpha) sempower_n(target, df, df * rmsea^2, alpha),
              cases$df, cases$rmsea, cases$target, cases$alpha))
suppressPackageStartupMessages(library(lavaan))
sigma <- matrix(unlist(fromJSON(extra[3])), 9); names <- paste0("x", 1:9)
dimnames(sigma) <- list(names, names)
model <- "f1 =~ x1 + x2 + x3 + x4 + x5\nf2 =~ x6 + x7 + x8 + x9\nf1 ~~ 0*f2"
cfa_times <- numeric(0)
for (r in seq_len(as.integer(extra[2]))) cfa_times[r] <- seconds({
  fit <- cfa(model, sample.cov = sigma, sample.nobs = 1000, sample.cov.rescale = FALSE)
  power <- pchisq(qchisq(.95, 1), 1, 299 * 2 * fitMeasures(fit, "fmin"), lower.tail = FALSE)})
finish(list(seconds = min(times), n = n, cfa_seconds = min(cfa_times), power = power))
"""


def main() -> None:
    args = command_line(__doc__.splitlines()[0], repeats=3, no_r=False)
    print(f"load average: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")

    def ours() -> list[int]:
        return [als.plan_sample_size(df=c["df"], rmsea=c["rmsea"], power=c["target"],
                                     alpha=c["alpha"]).n for c in CASES]

    found = ours()  # warm-up (scipy's import)
    seconds = best_of(ours, args.repeats)
    print(f"(a) plan_sample_size, {len(CASES)} a-priori N: {seconds:.3f} s "
          f"({1000 * seconds / len(CASES):.2f} ms each)")
    names = [f"x{i}" for i in range(1, 10)]
    sigma = pd.DataFrame(CFA["sigma"], index=names, columns=names)

    def cfa_plan() -> float:
        return als.plan_sample_size(cov_matrix=sigma, model=CFA["model"], df=1, n=300).power

    cfa_plan()
    cfa_seconds = best_of(cfa_plan, args.repeats)
    print(f"(c) plan_sample_size(cov_matrix=, model=), semPower's CFA example: "
          f"{1000 * cfa_seconds:.1f} ms (power {cfa_plan():.6f})")
    if args.no_r or not have_r():
        print("R comparison skipped")
        return
    cases = pd.DataFrame(CASES)[["df", "rmsea", "target", "alpha"]].to_json(orient="columns")
    r = run_r(R_SCRIPT, None, cases, args.repeats, json.dumps(CFA["sigma"]))
    differ = [(c["df"], c["rmsea"], a, b) for c, a, b in zip(CASES, found, r["n"], strict=True)
              if a != b]
    print(f"(b) semPower's search in R: {r['seconds']:.3f} s; ratio R / ours "
          f"{r['seconds'] / seconds:.1f}x; N differ in {len(differ)} of {len(CASES)} cases "
          f"(Nelder-Mead's stopping point; df, RMSEA, ours, semPower's): {differ[:4]}")
    print(f"(c) lavaan + pchisq: {1000 * r['cfa_seconds']:.1f} ms; ratio R / ours "
          f"{r['cfa_seconds'] / cfa_seconds:.1f}x (R power {r['power']:.6f})")


if __name__ == "__main__":
    main()
