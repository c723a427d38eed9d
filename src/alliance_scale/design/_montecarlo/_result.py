"""Summaries of a Monte Carlo run: power per target with its Monte Carlo standard error,
convergence and admissibility, parameter and SE bias, coverage, and Muthen & Muthen's
(2002) criteria per condition (:class:`MonteCarloPower`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..._results import Report, Result, format_table, result, summary_lines

__all__ = ["MonteCarloPower"]

#: Muthen & Muthen's (2002) criteria for a sample size (their rule, as applied here).
CRITERIA = {"parameter_bias": 0.10, "se_bias": 0.10, "se_bias_target": 0.05,
            "coverage": (0.91, 0.98), "power": 0.80}
CRITERIA_RULE = (
    "Muthen & Muthen (2002): |relative parameter bias| <= .10 and |relative SE bias| <= .10 "
    "for every parameter (<= .05 for the SE of targeted parameters), 95% CI coverage "
    "within [.91, .98], and power >= .80 for every target; over converged replications. "
    "Parameters whose population value is 0 have no relative bias and are not judged on it.")


def first_n_reaching(n_values: Sequence[int], successes: Sequence[float],
                     replications: Sequence[float], target: float) -> int | None:
    """The smallest *simulated* N whose observed power ``successes / replications`` reaches
    ``target`` (None if none does). Its smoothed counterpart, an N between the simulated
    ones with a confidence interval, is :func:`alliance_scale.design._power.smallest_n`."""
    order = np.argsort(np.asarray(n_values))
    for k in order:
        if replications[k] > 0 and successes[k] / replications[k] >= target:
            return int(n_values[k])
    return None


def _mcse(p: float, r: int) -> float:
    return math.sqrt(p * (1 - p) / r) if r > 0 and np.isfinite(p) else float("nan")


def rejections(frame: pd.DataFrame, target: str, z: float) -> pd.Series:
    """Whether each replication rejects: the model test (``chisq``) or the z test of a
    parameter (``|est / se| > z``)."""
    if target == "chisq":
        return frame["reject"].astype(float)
    if target.endswith("=0"):
        return frame[f"reject[{target}]"].astype(float)
    est, se = frame[f"est[{target}]"], frame[f"se[{target}]"]
    return (np.abs(est / se) > z).astype(float).where(se > 0)


def summarize(records: pd.DataFrame, conditions: dict[int, int], targets: Sequence[str],
              truth: dict[str, float], parameters: Sequence[str], omegas: dict[str, float],
              alpha: float, ordered: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per condition (N -> replications used) and per (condition, parameter)."""
    from scipy.special import ndtri

    z = float(ndtri(1 - alpha / 2))
    z95 = float(ndtri(0.975))
    rows, prows = [], []
    for n, used in conditions.items():
        frame = records[(records["n"] == n) & (records["replication"] < used)]
        ok = frame[frame["status"] == "ok"]
        converged = ok[ok["converged"].astype(bool)]
        row: dict[str, Any] = {"n": n, "replications": used, "failed": int(
            (frame["status"] != "ok").sum()), "missing": used - len(frame)}
        row["converged"] = len(converged) / used if used else np.nan
        row["admissible"] = float(ok["admissible"].astype(bool).sum()) / used if used \
            else np.nan
        if ordered:
            empty = frame["empty_categories"].fillna(0) > 0
            row["empty_category"] = float(empty.mean()) if len(frame) else np.nan
        r = len(converged)
        for target in targets:
            hits = rejections(converged, target, z).dropna()
            p = float(hits.mean()) if len(hits) else np.nan
            row[f"power[{target}]"] = p
            row[f"mcse[{target}]"] = _mcse(p, len(hits))
        worst_bias = worst_se = 0.0
        cover_low, cover_high = 1.0, 0.0
        se_target_ok = True
        for name in parameters:
            est, se = converged[f"est[{name}]"], converged[f"se[{name}]"]
            true = truth[name]
            sd = float(est.std(ddof=1)) if r > 1 else np.nan
            mean_se = float(se.mean()) if r else np.nan
            bias = (float(est.mean()) - true) / true if abs(true) > 1e-8 and r else np.nan
            se_bias = (mean_se - sd) / sd if sd and np.isfinite(sd) and sd > 0 else np.nan
            cover = float((np.abs(est - true) <= z95 * se).mean()) if r else np.nan
            power = float((np.abs(est / se) > z).mean()) if r else np.nan
            prows.append({"n": n, "parameter": name, "population": true,
                          "mean": float(est.mean()) if r else np.nan, "sd": sd,
                          "mean_se": mean_se, "bias": bias, "se_bias": se_bias,
                          "coverage": cover, "power": power})
            if np.isfinite(bias):
                worst_bias = max(worst_bias, abs(bias))
            if np.isfinite(se_bias):
                worst_se = max(worst_se, abs(se_bias))
                if name in targets and abs(se_bias) > CRITERIA["se_bias_target"]:
                    se_target_ok = False
            if np.isfinite(cover):
                cover_low, cover_high = min(cover_low, cover), max(cover_high, cover)
        for factor, true in omegas.items():
            column = f"omega[{factor}]"
            if column not in converged:
                continue
            est = converged[column]
            se = converged.get(f"omega_se[{factor}]")
            cover = float((np.abs(est - true) <= z95 * se).mean()) if se is not None and r \
                else np.nan
            prows.append({"n": n, "parameter": f"omega({factor})", "population": true,
                          "mean": float(est.mean()) if r else np.nan,
                          "sd": float(est.std(ddof=1)) if r > 1 else np.nan,
                          "mean_se": float(se.mean()) if se is not None and r else np.nan,
                          "bias": (float(est.mean()) - true) / true if r else np.nan,
                          "se_bias": np.nan, "coverage": cover, "power": np.nan})
        row["max_parameter_bias"] = worst_bias
        row["max_se_bias"] = worst_se
        row["coverage_min"], row["coverage_max"] = cover_low, cover_high
        low, high = CRITERIA["coverage"]
        row["bias_ok"] = bool(worst_bias <= CRITERIA["parameter_bias"])
        row["se_ok"] = bool(worst_se <= CRITERIA["se_bias"] and se_target_ok)
        row["coverage_ok"] = bool(low <= cover_low and cover_high <= high)
        row["power_ok"] = bool(all(row[f"power[{t}]"] >= CRITERIA["power"]
                                   for t in targets))
        row["criteria"] = "met" if all(row[k] for k in ("bias_ok", "se_ok", "coverage_ok",
                                                        "power_ok")) else "not met"
        rows.append(row)
    return pd.DataFrame(rows).set_index("n"), pd.DataFrame(prows)


@result
class MonteCarloPower(Result):
    """Power and estimation quality by Monte Carlo simulation, one row per sample size.

    Attributes
    ----------
    conditions : DataFrame
        One row per N (this is ``to_frame()``): ``replications`` used, ``failed`` (errors,
        each kept in :attr:`replications` with its seed), ``converged`` and ``admissible``
        (shares of the replications), ``empty_category`` (ordered items: share of
        replications in which an item had an unobserved category), ``power[target]`` and
        its Monte Carlo standard error ``mcse[target]`` (over converged replications),
        the largest relative parameter and SE bias, the range of 95% CI coverage, and
        Muthen & Muthen's (2002) criteria (``bias_ok``, ``se_ok``, ``coverage_ok``,
        ``power_ok``, ``criteria``: "met" / "not met").
    parameters : DataFrame
        Per N and parameter (and composite reliability ``omega(f)``): population value,
        mean estimate, SD, mean SE, relative bias and SE bias, coverage, power.
    replications : DataFrame
        One row per replication: its seed (``entropy/N/replication``), status and error,
        convergence, admissibility, test statistic, fit indices, estimates and SEs.
    targets : tuple of str
        ``"chisq"`` (the model's chi-square test: scaled for MLR / WLSMV), parameters
        (``"f1~~f2"``: the z test of the estimate) and restrictions (``"f1~~f2=0"``: the
        chi-square difference test of fixing the parameter at 0, ML).
    estimator, alpha, analysis, seed, design_hash, backend, workers, seconds :
        How the run was made (``seed`` is the entropy of the seed tree: the same
        numbers again).
    f0, df : float, int
        The analysis model's population discrepancy (ML, on the population correlation
        matrix) and its degrees of freedom: ``(N - 1) F0`` is the noncentrality the
        analytic power assumes.
    criteria_rule : str
        The rule behind the verdicts and its source.
    notes : tuple of str
        Empty categories, failures, early stops.

    Examples
    --------
    >>> import alliance_scale as als
    >>> pop = als.Population({"f1": ["x1", "x2", "x3"], "f2": ["x4", "x5", "x6"]},
    ...                      loadings=0.7, factor_correlation=0.4)
    >>> mc = als.simulate_power(pop, n=[80, 160], replications=10, seed=4, backend="serial")
    >>> mc.targets
    ('chisq', 'f1~~f2')
    >>> mc.to_frame().loc[160, ["converged", "power[f1~~f2]"]].tolist()
    [1.0, 1.0]
    >>> mc.replications.loc[0, ["seed", "status"]].tolist()  # entropy/N/replication
    ['4/80/0', 'ok']
    """

    conditions: pd.DataFrame
    parameters: pd.DataFrame
    replications: pd.DataFrame
    targets: tuple[str, ...]
    estimator: str
    alpha: float
    analysis: str
    seed: int
    design_hash: str
    backend: str
    workers: int
    seconds: float
    f0: float
    df: int
    criteria_rule: str = CRITERIA_RULE
    notes: tuple[str, ...] = ()

    def to_frame(self, replications: bool = False) -> pd.DataFrame:
        """The conditions (one row per N), or with ``replications=True`` the records."""
        return self.replications if replications else self.conditions

    def power(self, target: str = "chisq") -> pd.Series:
        """Power of ``target`` by N."""
        return self.conditions[f"power[{target}]"]

    def smallest_n(self, target: str = "chisq", power: float = 0.80) -> int | None:
        """The smallest simulated N whose power for ``target`` reaches ``power`` (None when
        no simulated N does; see ``conditions`` for the best power reached)."""
        used = self.conditions
        rate = used[f"power[{target}]"].to_numpy()
        total = (used["converged"] * used["replications"]).to_numpy()
        return first_n_reaching(list(used.index), rate * total, total, power)

    def _smoothed(self, target: str, power: float = 0.80) -> str:
        """The smoothed N* and its CI (logistic power curve in log N), when estimable."""
        from ...errors import AllianceScaleError
        from .._power import smallest_n

        used = self.conditions
        total = (used["converged"] * used["replications"]).to_numpy()
        hits = np.rint(used[f"power[{target}]"].to_numpy() * total)
        try:
            n, (low, high) = smallest_n(list(used.index), hits, np.rint(total), power)
        except AllianceScaleError:
            return ""
        return f" (smoothed power curve: N* = {n}, 95% CI {low}-{high})"

    def _summary(self) -> dict[str, Any]:
        return {"estimator": self.estimator, "alpha": self.alpha,
                "replications": int(self.conditions["replications"].max()),
                "population F0": self.f0, "df": self.df,
                "seed": self.seed, "backend": f"{self.backend} ({self.workers} worker(s)), "
                f"{self.seconds:.1f} s"}

    def _report(self) -> Report:
        shown = ["replications", "failed", "converged", "admissible"]
        shown += [c for c in self.conditions if c.startswith(("power[", "mcse["))]
        shown += ["max_parameter_bias", "max_se_bias", "coverage_min", "criteria"]
        if "empty_category" in self.conditions:
            shown.insert(4, "empty_category")
        table = format_table(self.conditions[shown])
        lines = []
        for target in self.targets:
            n = self.smallest_n(target)
            best = self.conditions[f"power[{target}]"].max()
            lines.append(f"  smallest N with power >= .80 for {target}: "
                         + (str(n) if n is not None else
                            f"none in the range (best power {best:.3f})")
                         + self._smoothed(target))
        blocks: tuple = (summary_lines(self._summary()), "", "Power by sample size", table,
                         "\n".join(lines), "Criteria: " + self.criteria_rule)
        if self.notes:
            blocks += ("Notes:\n" + "\n".join(f"  - {n}" for n in self.notes),)
        return Report("Monte Carlo power (simulated replications of the analysis model)",
                      blocks, max_rows=self._max_rows)
