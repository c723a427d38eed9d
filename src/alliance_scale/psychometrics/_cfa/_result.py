"""The result of :func:`~alliance_scale.cfa`: lavaan's tables, reliability, printed summary.

- ``estimates``: lavaan's ``parameterEstimates`` with ``std_lv`` and ``std_all``
  (``standardizedSolution``, covariances standardised by the residual variances as
  lavaan's ``cov.std = TRUE``);
- ``fit``: ``fitMeasures`` (names with ``_``);
- ``reliability``: composite reliability as ``semTools::compRelSEM`` 0.5.6 (omega with the
  observed total variance, ``obs.var = TRUE``; Green & Yang's (2009) categorical omega
  for ordered items, ``ord.scale = TRUE``) and ``semTools::AVE``;
- ``fornell_larcker()``: Fornell & Larcker's (1981) criterion, square root of the AVE
  against the factor correlations;
- ``modification_indices()``: lavaan's ``modindices`` (score test of each fixed or absent
  parameter, expected parameter change);
- ``print(result)``: the layout of lavaan's ``summary(fit, fit.measures = TRUE,
  standardized = TRUE)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import scipy.special

from ..._checks import check_instance
from ..._results import Result, result
from ..._warn import warn_user
from ...errors import AllianceScaleWarning
from .._correlation._correlation import bivariate_normal_cdf
from ._fitting import Fitted, parameter_table
from ._model import Model, Row

__all__ = ["CFAResult", "FornellLarckerResult"]


def _standardize(model: Model, x: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """lavaan's std.lv and std.all of every row (``values``: the rows' estimates)."""
    std_lv, std_all = values.copy(), values.copy()
    cache = {}
    for g in range(model.ngroups):
        imp = model.implied(x, g)
        ov_var = np.diag(imp["sigma_star"] if model.ordered else imp["sigma"])
        cache[g] = (imp, np.sqrt(np.abs(np.diag(imp["phi"]))), np.sqrt(np.abs(ov_var)), ov_var)
    for k, r in enumerate(model.rows):
        imp, sd_lv, sd_ov, ov_var = cache[r.group]
        v = values[k]
        theta, psi = imp["theta"], imp["mats"]["psi"]
        with np.errstate(divide="ignore", invalid="ignore"):
            if r.mat == "lambda":
                std_lv[k] = v * sd_lv[r.col]
                std_all[k] = std_lv[k] / sd_ov[r.row]
            elif r.mat == "beta":
                lhs, rhs = (r.row, r.col)
                std_lv[k] = std_all[k] = v * sd_lv[rhs] / sd_lv[lhs]
            elif r.mat == "theta":
                std_all[k] = v / ov_var[r.row] if r.row == r.col else \
                    v / np.sqrt(abs(theta[r.row, r.row] * theta[r.col, r.col]))
            elif r.mat == "psi":
                value = v / imp["phi"][r.row, r.row] if r.row == r.col else \
                    v / np.sqrt(abs(psi[r.row, r.row] * psi[r.col, r.col]))
                std_lv[k] = std_all[k] = value
            elif r.mat in ("nu", "tau"):
                item = r.row if r.mat == "nu" else model.th_item[r.row]
                std_all[k] = v / sd_ov[item]
            elif r.mat == "alpha":
                std_lv[k] = std_all[k] = v / sd_lv[r.row]
            elif r.mat == "delta":
                std_all[k] = 1.0
    return std_lv, std_all


def _frame_by_group(tables: list[pd.DataFrame], labels: tuple[str, ...]) -> Any:
    if len(tables) == 1:
        return tables[0]
    return {label: table for label, table in zip(labels, tables, strict=True)}


@result
class FornellLarckerResult(Result):
    """Fornell & Larcker's (1981) discriminant validity criterion.

    Attributes
    ----------
    table : DataFrame
        Factors x factors: the latent correlations, with the square root of each
        factor's AVE on the diagonal.
    passed : Series
        Per factor: its root AVE exceeds every absolute correlation with another factor.

    Examples
    --------
    >>> import alliance_scale as als
    >>> scale = als.draft_scale(items_per_facet=4)
    >>> sim = als.simulate(scale, 500, seed=1)
    >>> fit = als.cfa(sim.items, {f: list(scale.keys[f]) for f in ("A1", "B1")})
    >>> print(als.fornell_larcker(fit).table.round(2))
          A1    B1
    A1  0.70  0.19
    B1  0.19  0.64
    """

    table: pd.DataFrame
    passed: pd.Series

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def _summary(self) -> dict[str, Any]:
        return {"factors passing": f"{int(self.passed.sum())} of {len(self.passed)}"}

    def __repr__(self) -> str:
        with pd.option_context("display.float_format", "{:.3f}".format):
            return super().__repr__()


@result
class CFAResult(Result):
    """A fitted confirmatory factor analysis (see :func:`~alliance_scale.cfa`).

    Attributes
    ----------
    estimator : str
        "ML", "MLR", "WLSMV", "DWLS", "ULS" or "ULSMV".
    estimates : DataFrame
        lavaan's ``parameterEstimates``: ``lhs``, ``op``, ``rhs`` (``group`` with several
        groups), ``label``, ``est``, ``se``, ``z``, ``pvalue``, ``ci_lower``, ``ci_upper``
        (95%), ``std_lv``, ``std_all``. Fixed parameters have ``se`` 0.
    fit : mapping
        lavaan's ``fitMeasures`` with ``.`` written ``_`` (``chisq``, ``df``, ``pvalue``,
        ``cfi``, ``tli``, ``rmsea``, ``rmsea_ci_lower``, ``rmsea_ci_upper``, ``srmr``,
        ``aic``, ``bic``; with robust estimators ``chisq_scaled``, ``df_scaled``,
        ``chisq_scaling_factor``, ``chisq_shift_parameter`` (WLSMV), ``cfi_scaled``,
        ``tli_scaled``, ``rmsea_scaled``, ``cfi_robust``, ``tli_robust``,
        ``rmsea_robust``...).
    n_obs : int
        Respondents analysed (all groups).
    n_rows : int or None
        Rows of the data given (None for a covariance matrix); more than ``n_obs`` when
        rows were left out (listwise deletion, no group): the printed summary then shows
        lavaan's "Used / Total" line.
    group_n : tuple of int
        Respondents per group.
    groups : tuple of str
        Group labels (empty for one group).
    converged : bool
    iterations : int
    ordered : bool
        Items treated as ordered categories (polychoric correlations).
    fitted : object
        The fit itself (parameter table, estimates, covariance of the estimates, sample
        statistics), for the methods below; not meant to be used directly.
    source : str or mapping
        The model as given.

    Examples
    --------
    >>> import alliance_scale as als
    >>> scale = als.draft_scale(items_per_facet=4)
    >>> sim = als.simulate(scale, 500, seed=1)
    >>> fit = als.cfa(sim.items, {f: list(scale.keys[f]) for f in ("A1", "B1")})
    >>> fit.estimates.columns[:6].tolist()
    ['lhs', 'op', 'rhs', 'label', 'est', 'se']
    >>> fit.fit["df"], fit.std_loadings.shape  # In R: fitMeasures(fit), inspect(fit, "std")
    (19, (8, 2))
    >>> print(fit.reliability.round(2))  # In R: semTools::compRelSEM(fit), AVE(fit)
            omega   ave
    factor
    A1       0.80  0.49
    B1       0.73  0.41
    """

    estimator: str
    estimates: pd.DataFrame
    fit: Mapping[str, float]
    n_obs: int
    group_n: tuple[int, ...]
    groups: tuple[str, ...]
    converged: bool
    iterations: int
    ordered: bool
    fitted: Fitted = field(repr=False)
    source: Any = field(default=None, repr=False)
    n_rows: int | None = None

    @classmethod
    def from_fitted(cls, fitted: Fitted, labels: tuple[str, ...] = (),
                    source: Any = None) -> CFAResult:
        model = fitted.model
        table = pd.DataFrame(parameter_table(fitted))
        std_lv, std_all = _standardize(model, fitted.estimate.x, table["est"].to_numpy())
        table["std_lv"], table["std_all"] = std_lv, std_all
        if model.ngroups == 1:
            table = table.drop(columns="group")
        table = table.drop(columns="free")
        fit = MappingProxyType({k: (float(v) if not isinstance(v, int) else v)
                                for k, v in fitted.fit.items()})
        return cls(fitted.estimator, table, fit, fitted.n_total,
                   tuple(int(d.n) for d in fitted.groups), tuple(labels),
                   fitted.estimate.converged, fitted.estimate.iterations, model.ordered,
                   fitted, source)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "fit": dict(self.fit)}  # a mappingproxy does not pickle

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "fit", MappingProxyType(dict(self.fit)))

    # ------------------------------------------------------------------ tables
    def to_frame(self) -> pd.DataFrame:
        """The parameter estimates (lavaan's ``parameterEstimates``)."""
        return self.estimates

    def __repr__(self) -> str:
        with pd.option_context("display.float_format", "{:.3f}".format):
            return super().__repr__()

    def _summary(self) -> dict[str, Any]:
        fit = self.fit
        out: dict[str, Any] = {"estimator": self.estimator, "n": self.n_obs}
        if self.n_rows is not None and self.n_rows > self.n_obs:
            out["n"] = (f"{self.n_obs} used of {self.n_rows} rows "
                        f"({self.n_rows - self.n_obs} left out)")
        out.update({"chisq": fit["chisq"], "df": fit["df"]})
        if "chisq_scaled" in fit:
            out["chisq (scaled)"] = fit["chisq_scaled"]
        for key in ("cfi", "tli", "rmsea", "srmr"):
            suffix = "_robust" if f"{key}_robust" in fit and np.isfinite(
                fit.get(f"{key}_robust", np.nan)) else ""
            out[key + (" (robust)" if suffix else "")] = fit[key + suffix]
        return out

    @property
    def model(self) -> Model:
        return self.fitted.model

    @property
    def standardized(self) -> pd.DataFrame:
        """lavaan's ``standardizedSolution`` (``std.all``): lhs, op, rhs, [group], est_std."""
        columns = ["lhs", "op", "rhs"] + (["group"] if "group" in self.estimates else [])
        out = self.estimates[columns].copy()
        out["est_std"] = self.estimates["std_all"]
        return out

    def _group_labels(self) -> tuple[str, ...]:
        return self.groups if self.groups else ("1",)

    @property
    def std_loadings(self) -> pd.DataFrame | dict[str, pd.DataFrame]:
        """Items x factors: standardised (``std.all``) loadings on first-order factors
        (one table per group with several groups)."""
        model = self.model
        tables = []
        for g in range(model.ngroups):
            table = pd.DataFrame(0.0, index=pd.Index(model.ov, name="item"), columns=model.lv)
            for k, r in enumerate(model.rows):
                if r.group == g and r.mat == "lambda":
                    table.iloc[r.row, r.col] = self.estimates["std_all"].iloc[k]
            first = [f for f in model.lv if (table[f] != 0).any()]
            tables.append(table[first])
        return _frame_by_group(tables, self._group_labels())

    def _moments(self, which: str) -> Any:
        model, x = self.model, self.fitted.estimate.x
        tables = []
        for g, d in enumerate(self.fitted.groups):
            imp = model.implied(x, g)
            implied = imp["cor"] if model.ordered else imp["sigma"]
            observed = d.correlation if model.ordered else d.cov
            matrix = implied if which == "implied" else observed - implied
            tables.append(pd.DataFrame(matrix, index=model.ov, columns=model.ov))
        return _frame_by_group(tables, self._group_labels())

    @property
    def implied(self) -> pd.DataFrame | dict[str, pd.DataFrame]:
        """Model-implied covariance matrix (polychoric correlations for ordered items)."""
        return self._moments("implied")

    @property
    def residuals(self) -> pd.DataFrame | dict[str, pd.DataFrame]:
        """Observed minus implied covariances (lavaan's ``resid(fit)``, raw)."""
        return self._moments("residuals")

    # ------------------------------------------------------------------ reliability
    @property
    def reliability(self) -> pd.DataFrame:
        """Composite reliability (``omega``, semTools ``compRelSEM``) and ``ave``
        (semTools ``AVE``) of each factor (rows; a ``group`` level with several groups).

        Second-order factors get the omega of their items' sum explained by the
        second-order factor (``compRelSEM(fit, higher = ...)``), no AVE. A factor whose
        loadings have both signs gets a warning: the omega of the unreversed sum score is
        low by construction (reverse-key the items first).
        """
        return self._reliability(warn=True)

    def _reliability(self, warn: bool) -> pd.DataFrame:
        rows = []
        model, x = self.model, self.fitted.estimate.x
        for g, d in enumerate(self.fitted.groups):
            rows += _reliability_group(model, x, g, d)
        frame = pd.DataFrame(rows)
        mixed = sorted({r["factor"] for r in rows if r.pop("mixed", False)}) if rows else []
        frame = frame.drop(columns=[c for c in ("mixed",) if c in frame])
        if mixed and warn:
            warn_user(
                "factor(s) " + ", ".join(mixed) + " have positive and negative "
                          "loadings: the omega describes the unreversed sum score (reverse-key "
                          "the items, e.g. als.reverse_keyed, for the scale's reliability)",
                AllianceScaleWarning,
            )
        if model.ngroups == 1:
            return frame.drop(columns="group").set_index("factor")
        frame["group"] = [self._group_labels()[g] for g in frame["group"]]
        return frame.set_index(["group", "factor"])

    def fornell_larcker(self) -> FornellLarckerResult:
        """Fornell & Larcker's (1981) criterion on the first-order factors (group 1)."""
        return fornell_larcker(self)

    # ------------------------------------------------------------------ indices
    def modification_indices(self, minimum: float = 0.0, sort: bool = True) -> pd.DataFrame:
        """lavaan's ``modindices``: ``mi``, ``epc``, ``sepc_all`` of every fixed or absent
        loading, residual covariance and factor covariance (NaN rows dropped).

        Parameters
        ----------
        minimum : float, default 0
            Keep indices above this value (3.84 is the 5% critical value of chi2(1)).
        sort : bool, default True
            Largest first.
        """
        from ._modindices import modification_indices

        table = modification_indices(self.fitted)
        table = table[table["mi"] > minimum] if minimum > 0 else table
        if sort:
            table = table.sort_values("mi", ascending=False, kind="stable")
        if self.model.ngroups == 1:
            table = table.drop(columns="group")
        return table.reset_index(drop=True)

    # ------------------------------------------------------------------ printing
    def summary(self) -> str:
        """The text of lavaan's ``summary(fit, fit.measures = TRUE, standardized = TRUE)``."""
        from ._summary import summary_text

        return summary_text(self)

    def __str__(self) -> str:
        return self.summary()


# ============================================================================ reliability


def _phi_and_lambda(model: Model, x: np.ndarray, g: int) -> tuple:
    imp = model.implied(x, g)
    return imp, imp["mats"]["lambda"], imp["phi"]


def _omega(common: np.ndarray, total: np.ndarray, items: np.ndarray,
           thresholds: list[np.ndarray], scales: np.ndarray | None) -> float:
    """A factor's composite reliability from the common and total (co)variances of its
    items: semTools' ``compRelSEM``; categorical for ordered items (``scales`` given)."""
    if scales is None:
        return float(common.sum() / total.sum())
    return _omega_categorical(common, total, [thresholds[j] for j in items], scales[items])


def _omega_categorical(common: np.ndarray, total: np.ndarray, thresholds: list[np.ndarray],
                       scales: np.ndarray) -> float:
    """Green & Yang's (2009) omega of ordered items (semTools' ``omegaCat``).

    Every pair of items (an item with itself included) and every pair of their thresholds
    at once: one bivariate normal CDF call over all of them, rather than one per pair.
    """
    r = common * np.outer(scales, scales)
    sd = np.sqrt(np.diag(total))
    denom = total / np.outer(sd, sd)
    taus = [t * s for t, s in zip(thresholds, scales, strict=True)]
    tau = np.concatenate(taus)
    item = np.repeat(np.arange(len(taus)), [len(t) for t in taus])
    a, b = np.meshgrid(tau, tau, indexing="ij")
    j, k = np.meshgrid(item, item, indexing="ij")
    margin = scipy.special.ndtr(tau).sum() ** 2  # the sum over pairs of their products
    return float((_bvn_sum(a, b, r[j, k]) - margin) / (_bvn_sum(a, b, denom[j, k]) - margin))


def _bvn_sum(a: np.ndarray, b: np.ndarray, rho: np.ndarray) -> float:
    """Sum of P(X <= a, Y <= b) over the points, for correlations ``rho`` (one per point;
    at 1, as an item with itself, ``Phi(min(a, b))``)."""
    one = rho >= 1 - 1e-12
    total = scipy.special.ndtr(np.minimum(a[one], b[one])).sum()
    return float(total + bivariate_normal_cdf(a[~one], b[~one], rho[~one]).sum())


def _reliability_group(model: Model, x: np.ndarray, g: int, d: Any) -> list[dict]:
    imp, lam, phi = _phi_and_lambda(model, x, g)
    total = d.correlation if model.ordered else d.cov
    if model.ordered:
        scales = imp["delta"]
        total = total / np.outer(scales, scales)
        tau = imp["mats"]["tau"][:, 0]
        offsets = np.concatenate([[0], np.cumsum(model.thresholds)])
        thresholds = [tau[offsets[j]:offsets[j + 1]] for j in range(model.p)]
    else:
        scales, thresholds = None, []
    rows = []
    multi = [f for f in range(model.m) if np.count_nonzero(lam[:, f]) > 1]
    cross = (np.abs(np.round(lam[:, multi], 5)) > 0).sum(axis=1) > 1
    for f in range(model.m):
        items = np.flatnonzero(lam[:, f] != 0)
        name = model.lv[f]
        if f in multi:
            loads = lam[items, f]
            common = np.outer(loads, loads) * phi[f, f]
            sub = total[np.ix_(items, items)]
            omega = _omega(common, sub, items, thresholds, scales)
            ave = np.nan if cross[items].any() else \
                (loads ** 2).sum() * phi[f, f] / np.trace(sub)
            rows.append({"group": g, "factor": name, "omega": omega, "ave": ave,
                         "mixed": bool((loads > 0).any() and (loads < 0).any())})
        elif model.has_beta:
            beta = imp["mats"]["beta"]
            lower = np.flatnonzero(beta[:, f] != 0)
            if not lower.size or any(np.count_nonzero(lam[:, k]) == 0 for k in lower):
                continue
            items = np.flatnonzero((lam[:, lower] != 0).any(axis=1))
            weights = lam[np.ix_(items, lower)] @ beta[lower, f]
            common = np.outer(weights, weights) * phi[f, f]
            omega = _omega(common, total[np.ix_(items, items)], items, thresholds, scales)
            rows.append({"group": g, "factor": name, "omega": omega, "ave": np.nan,
                         "mixed": False})
    return rows


def fornell_larcker(fit: CFAResult) -> FornellLarckerResult:
    """Fornell & Larcker's (1981) discriminant validity: root AVE vs factor correlations.

    A factor passes when the square root of its average variance extracted exceeds
    its absolute correlation with every other factor (first-order factors, first group).

    Parameters
    ----------
    fit : CFAResult

    Returns
    -------
    FornellLarckerResult

    Examples
    --------
    >>> import alliance_scale as als
    >>> scale = als.draft_scale(items_per_facet=4)
    >>> sim = als.simulate(scale, 500, seed=1)
    >>> fit = als.cfa(sim.items, {f: list(scale.keys[f]) for f in ("A1", "A2", "B1")})
    >>> als.fornell_larcker(fit).passed.tolist()  # sqrt(AVE) above every correlation
    [True, True, True]
    """
    check_instance("fit", fit, CFAResult, "see cfa")
    model, x = fit.model, fit.fitted.estimate.x
    reliability = fit._reliability(warn=False)
    if model.ngroups > 1:
        reliability = reliability.xs(fit._group_labels()[0], level="group")
    first = [f for f in reliability.index if np.isfinite(reliability.loc[f, "ave"])]
    index = [model.lv.index(f) for f in first]
    phi = model.implied(x, 0)["phi"][np.ix_(index, index)]
    sd = np.sqrt(np.diag(phi))
    table = pd.DataFrame(phi / np.outer(sd, sd), index=first, columns=first)
    root = np.sqrt(reliability.loc[first, "ave"].to_numpy(dtype=float))
    off = table.abs().to_numpy().copy()
    np.fill_diagonal(off, 0.0)
    for i, f in enumerate(first):
        table.loc[f, f] = root[i]
    passed = pd.Series(root > off.max(axis=1), index=first, name="passed")
    return FornellLarckerResult(table, passed)


del Row
