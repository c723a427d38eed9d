"""Analytic power of the chi-square test of a structural equation model (issue #23).

The likelihood-ratio statistic of a model that is wrong in the population by a discrepancy
``F0`` (the minimum of the ML fit function, fitting the model to the population covariance
matrix) follows, approximately, a noncentral chi-square with the model's ``df`` and
noncentrality ``NCP = (N - 1) F0`` (Satorra & Saris 1985). With the RMSEA as effect,
``F0 = df RMSEA^2`` and ``NCP = (N - 1) df RMSEA^2`` (MacCallum, Browne & Sugawara 1996;
semPower's convention, ``N - 1`` following the Wishart likelihood).

Three tests (MacCallum et al. 1996):

- **exact fit**: H0 RMSEA = 0; rejected when the statistic exceeds the central chi-square's
  ``1 - alpha`` quantile; power the upper tail of the alternative's noncentral chi-square;
- **close fit**: H0 RMSEA <= ``rmsea0`` (.05), alternative ``rmsea`` > ``rmsea0`` (.08); the
  critical value is the upper ``alpha`` quantile of the noncentral chi-square with
  ``NCP0 = (N - 1) df rmsea0^2``;
- **not-close fit**: H0 RMSEA >= ``rmsea0`` (.05), alternative ``rmsea`` < ``rmsea0``
  (.01); rejected when the statistic falls *below* the lower ``alpha`` quantile of the
  noncentral chi-square under ``rmsea0``; power the lower tail of the alternative.

Three questions (semPower's ``semPower.aPriori``, ``postHoc``, ``compromise``):

- **a priori**: the smallest integer N whose power reaches the target, found by an
  integer search (doubling, then bisection) on the exact power. semPower minimises the
  squared difference of log beta by Nelder-Mead and takes the ceiling of the
  continuous optimum, which gives the same N whenever its optimiser converges (243 and 14
  in its vignette) but 78,516 for RMSEA .01 on 1 df, where the smallest N reaching .80 is
  78,490 (R's ``pchisq`` and scipy agree to 1e-15 at both N: power .80000197 at 78,490,
  .79999698 at 78,489; semPower's optimum 78,515.6 is Nelder-Mead's stopping point; on
  the 96 exact-fit cases of ``tests/fixtures/power_reference.R`` its search misses the
  smallest N in 49, 27 of them below it, short of the power asked);
- **post hoc**: the power at a given N;
- **compromise**: the critical chi-square at which the ratio alpha / beta equals
  ``abratio`` (Erdfelder, Faul & Buchner 1996), with the implied alpha and beta.

:func:`smallest_n` is the Monte Carlo counterpart of the a-priori search: it smooths
simulated rejection counts by a logistic curve in log N and returns the N where the curve
reaches the target, with a confidence interval.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_array, check_number
from .._results import Report, Result, result
from ..errors import AnalysisError, OptionError

__all__ = ["SampleSizePlan", "plot_power_curve", "smallest_n"]

KINDS = ("a priori", "post hoc", "compromise")
TESTS = ("exact", "close", "not close")
#: Largest N the a-priori search considers.
MAX_N = 10**9
#: Sources cited by an analytic plan.
SOURCE = ("MacCallum, Browne & Sugawara (1996); Satorra & Saris (1985); "
          "semPower (Moshagen & Bader 2024)")
_RULES = {
    "exact": "H0: RMSEA = 0, rejected when chi2 > the central chi2(df) quantile 1 - alpha",
    "close": "H0: RMSEA <= rmsea0, rejected when chi2 > the quantile 1 - alpha of "
             "chi2(df, (N - 1) df rmsea0^2)",
    "not close": "H0: RMSEA >= rmsea0, rejected when chi2 < the quantile alpha of "
                 "chi2(df, (N - 1) df rmsea0^2)",
}


# --------------------------------------------------------------------------- distributions


# scipy.special's ufuncs (cdflib's noncentral chi-square; a few microseconds a call, where
# scipy.stats' distribution objects cost half a millisecond): equal to R's pchisq / qchisq
# within 1e-13 on the reference table (tests/fixtures/power_reference.R).


def _sf(x: Any, df: float, ncp: Any) -> Any:
    """Upper tail of chi2(df, ncp) (the central distribution's own where ncp = 0)."""
    from scipy import special

    ncp = np.asarray(ncp, dtype=float)
    return np.where(ncp > 0, 1.0 - special.chndtr(x, df, ncp), special.chdtrc(df, x))[()]


def _cdf(x: Any, df: float, ncp: Any) -> Any:
    """Lower tail of chi2(df, ncp)."""
    from scipy import special

    return special.chndtr(x, df, np.asarray(ncp, dtype=float))


def _quantile(q: Any, df: float, ncp: Any, upper: bool) -> Any:
    """The quantile of chi2(df, ncp) leaving ``q`` in the upper (or lower) tail."""
    from scipy import special

    ncp = np.asarray(ncp, dtype=float)
    if upper:
        return np.where(ncp > 0, special.chndtrix(1.0 - q, df, ncp), special.chdtri(df, q))[()]
    return special.chndtrix(q, df, ncp)


def power_at(n: Any, df: float, f0: float, f00: float, alpha: float, test: str) -> Any:
    """Power of the chi-square test at sample size(s) ``n`` (vectorised over ``n``).

    Parameters
    ----------
    n : int or array of int
        Sample sizes (N, respondents).
    df : float
        Degrees of freedom of the test.
    f0, f00 : float
        Population discrepancy under the alternative and under the null (0 for exact fit).
    alpha : float
        Type I error rate.
    test : {"exact", "close", "not close"}
        Direction: the two first reject in the upper tail, "not close" in the lower.

    Returns
    -------
    float or array
        Power, and (as a second value) the critical chi-square.
    """
    m = np.asarray(n, dtype=float) - 1.0
    ncp1, ncp0 = m * f0, m * f00
    upper = test != "not close"
    critical = _quantile(alpha, df, ncp0, upper)
    power = _sf(critical, df, ncp1) if upper else _cdf(critical, df, ncp1)
    return power, critical


def a_priori_n(target: float, df: float, f0: float, f00: float, alpha: float,
               test: str) -> int:
    """The smallest integer N >= 2 whose power reaches ``target``.

    Power increases with N: it is evaluated on the powers of 2 up to ``MAX_N`` in one
    vectorised call, then on 63 points inside the bracket found, until the bracket holds
    two consecutive integers (an integer bisection, 6 bits per call). Raises OptionError
    naming ``power`` when not even ``MAX_N`` respondents reach it.
    """
    grid = np.unique(np.r_[2 ** np.arange(1, 30), MAX_N]).astype(np.int64)
    power = power_at(grid, df, f0, f00, alpha, test)[0]
    reached = np.flatnonzero(power >= target)
    if reached.size == 0:
        raise OptionError(f"power {target:g} is not reached with up to {MAX_N:,} "
                          f"respondents (best power {float(power[-1]):.4f}): the effect is "
                          "too small")
    first = int(reached[0])
    high = int(grid[first])
    low = int(grid[first - 1]) if first > 0 else 1  # power(low) < target (or low = 1)
    while high - low > 1:
        inside = np.unique(np.linspace(low, high, 65).round().astype(np.int64))[1:-1]
        power = power_at(inside, df, f0, f00, alpha, test)[0]
        up = inside[power >= target]
        down = inside[power < target]
        high = int(up.min()) if up.size else high
        low = int(down[down < high].max()) if np.any(down < high) else low
    return max(high, 2)


def compromise_critical(abratio: float, n: int, df: float, f0: float, f00: float,
                        test: str) -> float:
    """The critical chi-square whose alpha / beta equals ``abratio`` (log scale, Brent).

    semPower's ``semPower.compromise`` minimises the squared log difference by L-BFGS-B;
    alpha decreases and beta increases with the critical value, so the root is unique.
    """
    from scipy import optimize, stats

    ncp1, ncp0 = (n - 1) * f0, (n - 1) * f00
    upper = test != "not close"

    def log_alpha(c: float) -> float:
        if upper:
            return float(stats.ncx2.logsf(c, df, ncp0) if ncp0 > 0 else stats.chi2.logsf(c, df))
        return float(stats.ncx2.logcdf(c, df, ncp0))

    def log_beta(c: float) -> float:
        if upper:
            return float(stats.ncx2.logcdf(c, df, ncp1) if ncp1 > 0 else stats.chi2.logcdf(c, df))
        return float(stats.ncx2.logsf(c, df, ncp1) if ncp1 > 0 else stats.chi2.logsf(c, df))

    def gap(c: float) -> float:
        value = log_alpha(c) - log_beta(c) - math.log(abratio)
        value = value if upper else -value  # decreasing in c either way
        return float(np.nan_to_num(value, nan=0.0, posinf=1e300, neginf=-1e300))

    # alpha falls and beta rises with c (upper-tail tests; the mirror for not-close fit):
    # bracket between the medians of the two distributions, widened by their tails.
    first, second = (ncp0, ncp1) if upper else (ncp1, ncp0)
    tails = [0.5] + [10.0**-k for k in range(1, 300)]
    low = high = None
    for tail in tails:
        low = float(_quantile(tail, df, first, upper=False))
        if gap(low) > 0:
            break
    for tail in tails:
        high = float(_quantile(tail, df, second, upper=True))
        if gap(high) < 0:
            break
    if low is None or high is None or not gap(low) > 0 > gap(high):
        raise AnalysisError("the compromise critical value cannot be found: alpha and beta "
                            "are below machine precision (effect or N too large)")
    try:
        return float(optimize.brentq(gap, low, high, xtol=1e-12, rtol=1e-14))
    except RuntimeError as error:  # no convergence: alpha or beta underflow in the bracket
        raise AnalysisError("the compromise critical value cannot be found: alpha and beta "
                            "are below machine precision (effect or N too large)") from error


# --------------------------------------------------------------------------- result


@result
class SampleSizePlan(Result):
    """A sample-size plan for the chi-square test of a model, as semPower's summary.

    Attributes
    ----------
    kind : {"a priori", "post hoc", "compromise"}
        The question answered: N for a power, the power at N, or the critical value
        balancing alpha and beta.
    method : {"analytic", "Monte Carlo"}
        Noncentral chi-square or simulation.
    test : {"exact", "close", "not close"}
        The null hypothesis about the RMSEA (MacCallum, Browne & Sugawara 1996).
    n : int
        Respondents (required N, a priori; given N otherwise).
    power : float
        Power (1 - beta) at ``n``.
    alpha : float
        Type I error rate (implied by ``abratio`` in a compromise analysis).
    df : float
        Degrees of freedom of the test.
    f0 : float
        Population discrepancy (minimum of the ML fit function) under the alternative.
    rmsea : float
        RMSEA of the alternative, ``sqrt(f0 / df)``.
    rmsea0 : float
        RMSEA under the null (0: exact fit).
    ncp : float
        Noncentrality at ``n``: ``(n - 1) f0``.
    critical : float
        Critical chi-square.
    target_power : float or None
        Power asked for (a priori).
    abratio : float or None
        Ratio alpha / beta asked for (compromise).
    effect : str
        How the effect was given ("RMSEA", "F0", the misspecified model, or the simulated
        population).
    target : str
        Monte Carlo: the test whose power is planned (``"chisq"``, the model test, or a
        parameter such as ``"f1~~f2"``); ``"chisq"`` for analytic plans.
    n_ci : tuple of int or None
        Monte Carlo: confidence interval of the required N (see :func:`smallest_n`).
    simulation : MonteCarloPower or None
        Monte Carlo: the simulation behind the plan (its ``conditions`` per N).

    Examples
    --------
    >>> import alliance_scale as als
    >>> plan = als.plan_sample_size(df=50, rmsea=0.05, power=0.80)
    >>> plan.n, round(plan.power, 4), round(plan.ncp, 2)   # In R: semPower.aPriori(...)
    (243, 0.8009, 30.25)
    """

    kind: str
    method: str
    test: str
    n: int
    power: float
    alpha: float
    df: float
    f0: float
    rmsea: float
    rmsea0: float
    ncp: float
    critical: float
    target_power: float | None = None
    abratio: float | None = None
    effect: str = "RMSEA"
    target: str = "chisq"
    n_ci: tuple[int, int] | None = None
    simulation: Any = None

    @property
    def beta(self) -> float:
        """Type II error rate, ``1 - power``."""
        return 1.0 - self.power

    def to_frame(self) -> pd.DataFrame:
        """One row: the plan's numbers (kind, method, test, n, power, alpha, beta, df, f0,
        rmsea, rmsea0, ncp, critical chi-square, target power, alpha/beta ratio, the target
        test and, Monte Carlo, the CI of n)."""
        row = {"kind": self.kind, "method": self.method, "test": self.test, "n": self.n,
               "power": self.power, "alpha": self.alpha, "beta": self.beta, "df": self.df,
               "f0": self.f0, "rmsea": self.rmsea, "rmsea0": self.rmsea0, "ncp": self.ncp,
               "critical_chisq": self.critical,
               "target_power": np.nan if self.target_power is None else self.target_power,
               "abratio": self.alpha / self.beta if self.beta > 0 else np.inf,
               "target": self.target,
               "n_ci_low": np.nan if self.n_ci is None else self.n_ci[0],
               "n_ci_high": np.nan if self.n_ci is None else self.n_ci[1]}
        return pd.DataFrame([row])

    def curve(self, n: Sequence[int] | np.ndarray) -> pd.DataFrame:
        """Power at other sample sizes, the effect and alpha held (the power curve).

        Parameters
        ----------
        n : sequence of int
            Sample sizes (>= 2).

        Returns
        -------
        DataFrame
            Columns ``n``, ``ncp``, ``critical_chisq``, ``power`` (Monte Carlo plans: the
            smoothed curve, ``ncp`` and ``critical_chisq`` NaN).

        Examples
        --------
        >>> import alliance_scale as als
        >>> plan = als.plan_sample_size(df=50, rmsea=0.05, power=0.80)
        >>> plan.curve([100, 243, 400])["power"].round(3).tolist()
        [0.319, 0.801, 0.979]
        """
        sizes = check_array("n", n).ravel()
        if sizes.size == 0 or np.any(sizes < 2) or np.any(sizes != np.round(sizes)):
            raise OptionError("n must hold integers >= 2")
        if self.method == "Monte Carlo":
            coef = _curve_coef(*_simulated_counts(self.simulation, self.target))
            power = 1.0 / (1.0 + np.exp(-(coef[0] + coef[1] * np.log(sizes))))
            return pd.DataFrame({"n": sizes.astype(int), "ncp": np.nan,
                                 "critical_chisq": np.nan, "power": power})
        f00 = self.df * self.rmsea0**2
        power, critical = power_at(sizes, self.df, self.f0, f00, self.alpha, self.test)
        return pd.DataFrame({"n": sizes.astype(int), "ncp": (sizes - 1) * self.f0,
                             "critical_chisq": np.broadcast_to(critical, sizes.shape),
                             "power": power})

    # ---------------------------------------------------------------- printed forms

    def _lines(self) -> list[tuple[str, str]]:
        """semPower's summary table: label, value (fixed point, 6 decimals)."""

        def fixed(value: float) -> str:  # semPower's 6 decimals; tiny errors keep 4 digits
            return f"{value:.4e}" if 0 < abs(value) < 1e-4 else f"{value:.6f}"

        if self.method == "Monte Carlo":
            return self._simulated_lines(fixed)

        rows = [("F0", fixed(self.f0)), ("RMSEA", fixed(self.rmsea))]
        if self.test != "exact":
            rows.append(("RMSEA under H0 (rmsea0)", fixed(self.rmsea0)))
        rows.append(("df", f"{self.df:g}"))
        label = "Required Num Observations" if self.kind == "a priori" else "Num Observations"
        rows += [(label, f"{self.n:d}"), ("NCP", fixed(self.ncp)), ("", ""),
                 ("Critical Chi-Square", fixed(self.critical))]
        if self.kind == "a priori" and self.target_power is not None:
            rows.append(("Desired Power", fixed(self.target_power)))
        if self.kind == "compromise" and self.abratio is not None:
            rows.append(("Desired Alpha/Beta Ratio", fixed(self.abratio)))
        ratio = self.alpha / self.beta if self.beta > 0 else math.inf
        rows += [("Alpha", fixed(self.alpha)), ("Beta", fixed(self.beta)),
                 ("Power (1 - Beta)", fixed(self.power)),
                 ("Implied Alpha/Beta Ratio", fixed(ratio))]
        return rows

    def _simulated_lines(self, fixed: Any) -> list[tuple[str, str]]:
        """A Monte Carlo plan: the target, the simulated range, N with its CI."""
        conditions = self.simulation.conditions
        sizes = [int(v) for v in conditions.index]
        rows = [("Target test", self.target),
                ("Replications per N", f"{int(conditions['replications'].max()):d}"),
                ("N simulated", f"{min(sizes)} to {max(sizes)} ({len(sizes)} conditions)"),
                ("Required Num Observations", f"{self.n:d}")]
        if self.n_ci is not None:
            rows.append(("95% CI of N", f"{self.n_ci[0]:d} to {self.n_ci[1]:d}"))
        rows += [("", ""), ("Desired Power", fixed(self.target_power or np.nan)),
                 ("Power at N (smoothed)", fixed(self.power)), ("Alpha", fixed(self.alpha))]
        if (self.target == "chisq" and self.df >= 1 and self.f0 > 0
                and getattr(self.simulation, "estimator", "ML") == "ML"):
            analytic = float(power_at(self.n, self.df, self.f0, 0.0, self.alpha, "exact")[0])
            rows += [("", ""), ("Population F0", fixed(self.f0)), ("df", f"{self.df:g}"),
                     ("Analytic power at N (same F0, df)", fixed(analytic))]
        return rows

    def _rule(self) -> str:
        """The rule behind the numbers, in words."""
        if self.method == "Monte Carlo":
            return (f"N is the smallest integer at which the logistic curve in log N, fitted "
                    f"to the simulated rejections of {self.target} at alpha {self.alpha:g} "
                    f"(binomial, over converged replications), reaches power "
                    f"{self.target_power:g}; its 95% CI by the delta method on log N.")
        effect = {"RMSEA": "the RMSEA given", "F0": "the F0 given"}.get(
            self.effect, f"the ML discrepancy of {self.effect}")
        text = (f"Test of {self.test} fit: {_RULES[self.test]}; power from the noncentral "
                f"chi2(df, NCP = (N - 1) F0), F0 from {effect}.")
        if self.kind == "a priori":
            text += (f" N is the smallest integer whose power reaches "
                     f"{self.target_power:g} (power {self.power:.4f} at N; N - 1 falls short).")
        elif self.kind == "compromise":
            text += " The critical value sets alpha / beta to the ratio asked for."
        return text

    def _source(self) -> str:
        return (SOURCE if self.method == "analytic" else
                "Muthen & Muthen (2002); Schoemann, Miller, Pornprasertmanit & Wu (2014)")

    def _report(self) -> Report:
        width = max(len(k) for k, _ in self._lines()) + 2
        table = "\n".join(f" {k:<{width}}{v}".rstrip() for k, v in self._lines())
        title = f"Sample-size plan: {self.kind} power analysis ({self.method})"
        return Report(title, ("", table, "", f"Rule: {self._rule()}", f"Source: {self._source()}"))

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_markdown(self) -> str:
        """The plan as a Markdown section (a heading, the table, the rule and its source).

        Every text is escaped, so nothing in it is read as Markdown or HTML.

        Returns
        -------
        str

        Examples
        --------
        >>> import alliance_scale as als
        >>> print(als.plan_sample_size(df=50, rmsea=0.05, n=200).to_markdown().splitlines()[0])
        ## How many respondents? Post hoc power analysis (analytic)
        """
        def md(text: str) -> str:
            escaped = html.escape(text, quote=False)
            return "".join("\\" + ch if ch in "\\`*_[]|#~" else ch for ch in escaped)

        lines = [f"## How many respondents? {self.kind.capitalize()} power analysis "
                 f"({self.method})", "", "| Quantity | Value |", "|---|---|"]
        lines += [f"| {md(k)} | {md(v)} |" for k, v in self._lines() if k]
        lines += ["", md(f"Rule: {self._rule()}"), "", md(f"Source: {self._source()}"), ""]
        return "\n".join(lines)

    def to_html(self) -> str:
        """The plan as an HTML section (heading, table, rule, source), every text escaped.

        Returns
        -------
        str

        Examples
        --------
        >>> import alliance_scale as als
        >>> "<table" in als.plan_sample_size(df=50, rmsea=0.05, n=200).to_html()
        True
        """
        e = html.escape
        rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>"
                       for k, v in self._lines() if k)
        return (f"<section class='sample-size-plan'><h2>How many respondents? "
                f"{e(self.kind.capitalize())} power analysis ({e(self.method)})</h2>"
                f"<table>{rows}</table><p>{e('Rule: ' + self._rule())}</p>"
                f"<p>{e('Source: ' + self._source())}</p></section>")


# --------------------------------------------------------------------------- plot


def plot_power_curve(
    plan: SampleSizePlan,
    n: Sequence[int] | None = None,
    *,
    ax: Any = None,
) -> Any:
    """The power of a plan's test against N, the plan's N and power marked.

    Parameters
    ----------
    plan : SampleSizePlan
        An analytic plan (:func:`~alliance_scale.plan_sample_size`).
    n : sequence of int, optional
        Sample sizes drawn (default: 60 points from 10 % to 250 % of the plan's N; a Monte
        Carlo plan: its simulated range, the simulated powers drawn as points with their
        95 % Monte Carlo intervals).
    ax : matplotlib Axes, optional
        Draw into this Axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import alliance_scale as als
    >>> import matplotlib.pyplot as plt
    >>> figure = als.plot_power_curve(als.plan_sample_size(df=50, rmsea=0.05, power=0.8))
    >>> figure.axes[0].get_xlabel()
    'N (respondents)'
    >>> plt.close(figure)
    """
    from .._checks import check_instance
    from .._lazy import pyplot

    check_instance("plan", plan, SampleSizePlan, "see plan_sample_size")
    if n is None and plan.method == "Monte Carlo":
        simulated = [int(v) for v in plan.simulation.conditions.index]
        sizes = np.unique(np.linspace(min(simulated), max(simulated), 60).round().astype(int))
    elif n is None:
        top = max(int(plan.n * 2.5), 20)
        sizes = np.unique(np.linspace(max(2, plan.n // 10), top, 60).round().astype(int))
    else:
        sizes = np.asarray(n)
    frame = plan.curve(sizes)
    plt = pyplot()
    if ax is None:
        figure = plt.figure(figsize=(6, 4), layout="constrained")
        ax = figure.add_subplot()
    else:
        figure = ax.figure
    ax.plot(frame["n"], frame["power"], color="#0072B2", lw=2)
    if plan.method == "Monte Carlo":
        sizes, hits, reps = _simulated_counts(plan.simulation, plan.target)
        rate = hits / reps
        ax.errorbar(sizes, rate, yerr=1.96 * np.sqrt(rate * (1 - rate) / reps), fmt="o",
                    color="#000000", ms=3, lw=1, label="simulated (95% MC interval)")
        ax.legend(loc="lower right", fontsize=8)
    ax.axhline(plan.power if plan.target_power is None else plan.target_power,
               color="#7f7f7f", lw=1, ls="--")
    ax.axvline(plan.n, color="#D55E00", lw=1, ls=":")
    ax.plot([plan.n], [plan.power], "o", color="#D55E00")
    ax.set_xlabel("N (respondents)")
    ax.set_ylabel("Power (1 - beta)")
    ax.set_ylim(0, 1)
    ax.set_title(f"{plan.test.capitalize()} fit test, df = {plan.df:g}, "
                 f"RMSEA = {plan.rmsea:.3f}, alpha = {plan.alpha:g}"
                 if plan.method == "analytic" else
                 f"Monte Carlo power of {plan.target}, alpha = {plan.alpha:g}", fontsize=10)
    return figure


# --------------------------------------------------------------------------- Monte Carlo N


def smallest_n(
    n_values: Sequence[int] | np.ndarray,
    successes: Sequence[int] | np.ndarray,
    replications: int | Sequence[int] | np.ndarray,
    target: float = 0.80,
    *,
    level: float = 0.95,
) -> tuple[int, tuple[int, int]]:
    """Smallest N whose smoothed Monte Carlo power reaches ``target``, with its CI.

    The rejections at each N are smoothed by a binomial logistic regression of power on
    log N, ``logit p(N) = a + b log N`` (fitted by iteratively reweighted least squares),
    and N* solves ``p(N*) = target``: ``log N* = (logit(target) - a) / b``. Its confidence
    interval is the delta-method (Wald) interval of ``log N*``, from the covariance of
    ``(a, b)``, transformed back. A root search on a smoothed curve uses every condition's
    replications, where reading the first N above the target off the raw rates is at the
    mercy of one condition's Monte Carlo error (simsem varies N continuously for the same
    reason; Schoemann, Miller, Pornprasertmanit & Wu 2014).

    Parameters
    ----------
    n_values : sequence of int
        Sample sizes simulated (at least 2 distinct values, each >= 2).
    successes : sequence of int
        Replications that rejected (or met the target) at each N.
    replications : int or sequence of int
        Replications (converged) at each N.
    target : float, default 0.80
        Power to reach, in (0, 1).
    level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    n : int
        ``ceil(N*)``, at least the smallest N simulated (when the curve reaches the target
        below the range, the smallest N simulated already suffices).
    ci : tuple of int
        ``(floor(lower), ceil(upper))`` of the interval for N*.

    Raises
    ------
    OptionError
        Bad arguments, or the target not reached within the range simulated (the best
        power, smoothed and observed, is named).
    AnalysisError
        Power does not increase with N on these data, or the curve cannot be fitted (power
        0 or 1 everywhere).

    Examples
    --------
    >>> import alliance_scale as als
    >>> n = [100, 200, 300, 400]
    >>> als.smallest_n(n, [310, 560, 760, 880], 1000, target=0.80)
    (331, (314, 349))
    """
    from scipy import stats

    sizes = check_array("n_values", n_values).ravel()
    hits = check_array("successes", successes).ravel()
    reps = np.broadcast_to(check_array("replications", replications), sizes.shape).astype(float) \
        if np.ndim(replications) == 0 else check_array("replications", replications).ravel()
    target = check_number("target", target, 0, 1, low_open=True, high_open=True)
    level = check_number("level", level, 0, 1, low_open=True, high_open=True)
    if not (sizes.shape == hits.shape == reps.shape):
        raise OptionError(f"n_values, successes and replications must have one value per N; "
                          f"got {sizes.size}, {hits.size}, {reps.size}")
    if not (np.all(np.isfinite(sizes)) and np.all(sizes >= 2)
            and np.all(sizes == np.round(sizes))):
        raise OptionError("n_values must hold integers >= 2")
    if np.unique(sizes).size < 2:
        raise OptionError("n_values must hold at least 2 distinct sample sizes")
    if np.any(reps < 1) or np.any(reps != np.round(reps)):
        raise OptionError("replications must be integers >= 1")
    if np.any(hits < 0) or np.any(hits > reps) or np.any(hits != np.round(hits)):
        raise OptionError("successes must be integers between 0 and replications")
    x = np.column_stack([np.ones_like(sizes), np.log(sizes)])
    coef = _logistic_fit(x, hits, reps)
    a, b = coef
    fitted = 1.0 / (1.0 + np.exp(-(x @ coef)))
    top = int(np.argmax(sizes))
    if fitted[top] < target:
        best = int(np.argmax(hits / reps))
        raise OptionError(
            f"n: the target power {target:g} is not reached within N = {int(sizes.min())} to "
            f"{int(sizes.max())} (smoothed power {fitted[top]:.3f} at N = {int(sizes[top])}; "
            f"best observed {hits[best] / reps[best]:.3f} at N = {int(sizes[best])}): "
            "simulate larger N")
    if b <= 0:
        raise AnalysisError("power does not increase with N on these simulations")
    p = fitted
    information = (x * (reps * p * (1 - p))[:, None]).T @ x
    covariance = np.linalg.inv(information)
    logit = math.log(target / (1 - target))
    log_root = (logit - a) / b
    gradient = np.array([-1.0 / b, -(logit - a) / b**2])
    se = float(np.sqrt(gradient @ covariance @ gradient))
    z = float(stats.norm.isf((1 - level) / 2))
    root = math.exp(log_root)
    n = max(math.ceil(root - 1e-9), int(sizes.min()))
    return n, (math.floor(math.exp(log_root - z * se)), math.ceil(math.exp(log_root + z * se)))


def _curve_coef(sizes: np.ndarray, hits: np.ndarray, reps: np.ndarray) -> np.ndarray:
    """``(a, b)`` of ``logit p(N) = a + b log N`` fitted to rejection counts."""
    return _logistic_fit(np.column_stack([np.ones_like(sizes), np.log(sizes)]), hits, reps)


def _logistic_fit(x: np.ndarray, hits: np.ndarray, reps: np.ndarray) -> np.ndarray:
    """Binomial logistic regression by Newton-Raphson (IRLS); AnalysisError on separation."""
    start = np.clip((hits + 0.5) / (reps + 1.0), 1e-6, 1 - 1e-6)
    coef = np.linalg.lstsq(x, np.log(start / (1 - start)), rcond=None)[0]
    for _ in range(100):
        eta = np.clip(x @ coef, -30, 30)
        p = 1.0 / (1.0 + np.exp(-eta))
        weight = reps * p * (1 - p)
        gradient = x.T @ (hits - reps * p)
        information = (x * weight[:, None]).T @ x
        try:
            step = np.linalg.solve(information, gradient)
        except np.linalg.LinAlgError as error:
            raise AnalysisError("the power curve cannot be fitted (power 0 or 1 at every N)") \
                from error
        coef = coef + step
        if np.max(np.abs(step)) < 1e-10:
            break
    else:
        raise AnalysisError("the power curve cannot be fitted (power 0 or 1 at every N, or "
                            "jumping from 0 to 1 between two N: simulate N in between)")
    if not np.all(np.isfinite(coef)) or np.max(np.abs(x @ coef)) > 25:
        raise AnalysisError("the power curve cannot be fitted (power 0 or 1 at every N, or "
                            "jumping from 0 to 1 between two N: simulate N in between)")
    return coef


def _simulated_counts(simulation: Any,
                      target: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sizes, rejections and converged replications of ``target`` from a MonteCarloPower
    (``conditions``: one row per N with ``replications``, ``converged`` (share) and
    ``power[target]`` over the converged replications)."""
    conditions = simulation.conditions
    column = f"power[{target}]"
    if column not in conditions:
        simulated = [c[6:-1] for c in conditions if str(c).startswith("power[")]
        raise OptionError(f"targets: {target!r} was not simulated (simulated: "
                          f"{', '.join(simulated) or 'none'})")
    sizes = np.asarray(conditions.index, dtype=float)
    reps = np.round(conditions["converged"].to_numpy(float)
                    * conditions["replications"].to_numpy(float))
    hits = np.round(conditions[column].to_numpy(float) * reps)
    usable = reps > 0
    return sizes[usable], hits[usable], reps[usable]


def monte_carlo_plan(simulation: Any, target: str, power: float) -> SampleSizePlan:
    """Not public: the a-priori plan read off a simulated power curve (:func:`smallest_n`)."""
    from scipy import stats

    sizes, hits, reps = _simulated_counts(simulation, target)
    n, ci = smallest_n(sizes, hits, reps, power)
    a, b = _curve_coef(sizes, hits, reps)
    smoothed = float(1.0 / (1.0 + math.exp(-(a + b * math.log(n)))))
    df, f0, alpha = int(simulation.df), float(simulation.f0), float(simulation.alpha)
    return SampleSizePlan(
        "a priori", "Monte Carlo", "exact", n, smoothed, alpha, df, f0,
        math.sqrt(f0 / df) if df >= 1 else math.nan, 0.0, (n - 1) * f0,
        float(stats.chi2.isf(alpha, df)) if df >= 1 else math.nan, target_power=power,
        effect="the simulated population", target=target, n_ci=ci, simulation=simulation)
