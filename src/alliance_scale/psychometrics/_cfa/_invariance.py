"""Measurement invariance across groups: nested multi-group CFAs and their comparisons.

The steps constrain more and more parameters to be equal across groups (Meredith 1993;
Vandenberg & Lance 2000):

- continuous items (ML, MLR; marker identification as lavaan's ``cfa(group.equal=)``):
  configural, metric (loadings), scalar (+ intercepts, factor means of groups 2+ free),
  strict (+ residual variances);
- ordered items (WLSMV; Wu & Estabrook 2016, identified as
  ``semTools::measEq.syntax(ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016")``):
  configural, thresholds, metric (+ loadings), scalar (+ intercepts). Thresholds come
  before loadings, as Wu & Estabrook show loadings cannot be tested first. Residual
  variances are not tested in the delta parameterization (semTools refuses too); in the
  theta parameterization they are parameters (freed in groups 2+ where delta frees the
  scales), and "strict" equates them.

Each step is compared with the previous one as ``lavaan::lavTestLRT``: the chi-square
difference (ML), the Satorra-Bentler (2001) scaled difference (MLR), the Satorra (2000)
scaled-shifted difference with lavaan's "delta" A matrix (WLSMV); and with the changes in
CFI, RMSEA and SRMR judged by Chen's (2007) cut-offs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import check_choice
from ..._results import Result, result
from ...errors import OptionError
from ._cfa import MISSING, fit_statements, prepare
from ._result import CFAResult

__all__ = ["LEVELS", "InvarianceResult", "measurement_invariance"]

#: Levels of invariance and what each constrains (cumulatively), per kind of item.
LEVELS = {
    "continuous": {"configural": (), "metric": ("loadings",),
                   "scalar": ("loadings", "intercepts"),
                   "strict": ("loadings", "intercepts", "residuals")},
    "ordinal": {"configural": (), "thresholds": ("thresholds",),
                "metric": ("thresholds", "loadings"),
                "scalar": ("thresholds", "loadings", "intercepts"),
                "strict": ("thresholds", "loadings", "intercepts", "residuals")},
}
#: Chen's (2007) cut-offs: noninvariance when CFI drops by .010 or more, supplemented by
#: an RMSEA rise of .015 or more or an SRMR rise of .030 (first constrained step) / .010.
CHEN_CFI, CHEN_RMSEA, CHEN_SRMR_FIRST, CHEN_SRMR = -0.010, 0.015, 0.030, 0.010


@result
class InvarianceResult(Result):
    """Nested multi-group fits and their comparisons.

    Attributes
    ----------
    estimator : str
    levels : tuple of str
        The steps, least constrained first.
    fits : mapping
        Level -> :class:`CFAResult`.
    table : DataFrame
        One row per level: ``npar``, ``chisq``, ``df``, ``pvalue`` (scaled versions with
        robust estimators), ``cfi``, ``tli``, ``rmsea``, ``srmr`` (robust versions when
        lavaan gives them at every level, else scaled), then the comparison with the
        level named in ``compared_with``: ``chisq_diff``, ``df_diff``, ``pvalue_diff``
        (lavTestLRT's test), ``cfi_diff``, ``rmsea_diff``, ``srmr_diff`` and
        ``invariant`` (Chen 2007). As ``lavTestLRT``, the rows are ordered by df (ties
        keep the order of the levels) and each is compared with the row before: with
        binary items the Wu & Estabrook scalar model frees the scaling factors and has
        fewer df than the metric model, so it comes before it.
    indices : str
        Which CFI / RMSEA the table shows: "standard", "robust" or "scaled".

    Examples
    --------
    >>> import alliance_scale as als
    >>> scale = als.draft_scale(items_per_facet=4)
    >>> data = als.simulate(scale, 400, seed=2).items.assign(site=["a", "b"] * 200)
    >>> inv = als.measurement_invariance(data, {"A1": list(scale.keys["A1"])}, "site",
    ...                                  levels=("configural", "metric"))
    >>> inv.levels, inv.indices
    (('configural', 'metric'), 'standard')
    """

    estimator: str
    levels: tuple[str, ...]
    fits: Mapping[str, CFAResult]
    table: pd.DataFrame
    indices: str

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def _summary(self) -> dict[str, Any]:
        held = [lv for lv, ok in self.table["invariant"].items() if not pd.isna(ok) and ok]
        return {"estimator": self.estimator, "groups": ", ".join(self.fits[self.levels[0]].groups),
                "fit indices": self.indices,
                "invariance held (Chen 2007)": ", ".join(held) if held else "none"}

    def __repr__(self) -> str:
        with pd.option_context("display.float_format", "{:.3f}".format):
            return super().__repr__()


def _difference(m1: CFAResult, m0: CFAResult, estimator: str) -> tuple[float, float, float]:
    """lavTestLRT of the nested pair (m1 less, m0 more constrained)."""
    from .._distributions import chi2_sf

    t1, r1 = m1.fit["chisq"], m1.fit["df"]
    t0, r0 = m0.fit["chisq"], m0.fit["df"]
    m = r0 - r1
    if m == 0:
        return t0 - t1, 0, np.nan
    if estimator == "ML":
        stat, df = t0 - t1, m
    elif estimator == "MLR":
        c1 = m1.fit["chisq_scaling_factor"] if r1 > 0 else 1.0
        c0 = m0.fit["chisq_scaling_factor"]
        cd = (r0 * c0 - r1 * c1) / m
        stat, df = (t0 - t1) / cd if cd > 0 else np.nan, m
    else:
        stat, df = _satorra_2000(m1, m0, t1, t0, m)
    return float(stat), int(df), float(chi2_sf(stat, df))


def _satorra_2000(m1: CFAResult, m0: CFAResult, t1: float, t0: float,
                  m: int) -> tuple[float, int]:
    """Satorra's (2000) scaled-shifted difference (lavaan's ``lav_test_diff_Satorra2000``
    with ``A.method = "delta"``, ``scaled.shifted = TRUE``)."""
    import scipy.linalg
    import scipy.sparse

    f1, f0 = m1.fitted, m0.fitted
    delta1 = scipy.sparse.vstack(f1.deltas).tocsc()
    delta0 = scipy.sparse.vstack(f0.deltas).tocsc()
    # H = pinv(Delta1) Delta0 (MASS::ginv in lavaan): Delta1 has full column rank (the model
    # is identified), so H solves the normal equations; on the sparse Jacobians this takes
    # milliseconds where the dense pseudo-inverse of a 3,480 x 436 matrix takes seconds
    try:
        h = scipy.linalg.solve((delta1.T @ delta1).toarray(), (delta1.T @ delta0).toarray(),
                               assume_a="pos")
    except np.linalg.LinAlgError:  # a rank-deficient Jacobian: the pseudo-inverse, as lavaan
        h = np.linalg.pinv(delta1.toarray()) @ delta0.toarray()
    a = scipy.linalg.null_space(h.T).T  # orthogonal complement of col(H), as rows
    p_inv = f1.e_inv
    apa = a @ p_inv @ a.T
    eps = np.sqrt(np.finfo(float).eps)
    keep = ~((np.abs(apa.sum(axis=0)) < eps) & (np.abs(apa.sum(axis=1)) < eps))
    a = a[keep]
    q = p_inv @ a.T @ np.linalg.pinv(a @ p_inv @ a.T) @ a @ p_inv
    meat = f1.meat
    qm = q @ meat
    trace1, trace2 = float(np.trace(qm)), float(np.sum(qm * qm.T))
    scale = np.sqrt(m / trace2)
    return (t0 - t1) * scale + (m - scale * trace1), m


def _index_kind(fits: list[CFAResult], estimator: str) -> str:
    if estimator == "ML":
        return "standard"
    if all(np.isfinite(f.fit.get("cfi_robust", np.nan)) and
           np.isfinite(f.fit.get("rmsea_robust", np.nan)) for f in fits):
        return "robust"
    return "scaled"


def measurement_invariance(
    data: pd.DataFrame,
    model: str | Mapping[str, Sequence[str]],
    group: str,
    *,
    estimator: str = "ML",
    levels: Sequence[str] | None = None,
    missing: str = "listwise",
    empty_cell_expected: float = 10.0,
    parameterization: str = "delta",
) -> InvarianceResult:
    """Test configural, metric, scalar (and strict) invariance across ``group``.

    Parameters
    ----------
    data : DataFrame
        Responses with the model's items and the ``group`` column.
    model : str or mapping
        The one-group measurement model (lavaan syntax or factor -> items).
    group : str
        Column defining the groups.
    estimator : {"ML", "MLR", "WLSMV"}, default "ML"
        ML / MLR treat items as continuous; WLSMV treats every item as ordered
        (polychorics) and identifies the model as Wu & Estabrook (2016).
    levels : sequence of str, optional
        Steps to fit, in order. Default ``("configural", "metric", "scalar", "strict")``
        (ML, MLR) or ``("configural", "thresholds", "metric", "scalar")`` (WLSMV; then
        ``"strict"`` too with ``parameterization="theta"``).
    missing : {"listwise", "pairwise", "ml", "ml.x"}, default "listwise"
        As :func:`cfa` (``"pairwise"``: not with MLR; ``"ml"``: full-information ML with
        ML / MLR, every group's EM saturated model as h1).
    parameterization : {"delta", "theta"}, default "delta"
        WLSMV: lavaan's parameterization of the ordered items (see :func:`cfa`). With
        "theta" the residual variances are parameters, so "strict" (equal residual
        variances, Wu & Estabrook 2016) can be tested, as
        ``semTools::measEq.syntax(parameterization = "theta")``.
    empty_cell_expected : float, default 10
        As :func:`cfa`: the expected count from which an empty cell of a polychoric table
        is reported (WLSMV; one warning for all groups).

    Returns
    -------
    InvarianceResult

    Raises
    ------
    OptionError
        Unknown estimator or level, levels out of order, "strict" with WLSMV.

    Examples
    --------
    >>> import alliance_scale as als
    >>> scale = als.draft_scale(items_per_facet=4)
    >>> sim = als.simulate(scale, 600, seed=2)
    >>> keys = {f: list(scale.keys[f]) for f in ("A1", "B1")}
    >>> data = sim.items.assign(site=["a", "b"] * 300)
    >>> inv = als.measurement_invariance(data, keys, "site")  # In R: lavaan::lavTestLRT
    >>> print(inv.table[["df", "chisq_diff", "df_diff", "invariant"]].round(2))
                df  chisq_diff  df_diff invariant
    level
    configural  38         NaN      NaN      <NA>
    metric      44        ...      6.0      True
    scalar      50        ...      6.0      True
    strict      58        ...      8.0      True
    """
    check_choice("estimator", estimator, ("ML", "MLR", "WLSMV"))
    check_choice("parameterization", parameterization, ("delta", "theta"))
    check_choice("missing", missing, MISSING)
    if not isinstance(group, str):
        raise OptionError(f"group must be a column name; got {group!r}"[:120])
    kind = "ordinal" if estimator == "WLSMV" else "continuous"
    available = dict(LEVELS[kind])
    if kind == "ordinal" and parameterization == "delta":
        del available["strict"]
    levels = tuple(available) if levels is None else tuple(levels)
    if not levels:
        raise OptionError("levels must name at least one level")
    for level in levels:
        if level == "strict" and kind == "ordinal" and parameterization == "delta":
            raise OptionError("'strict' invariance (equal residual variances) cannot be tested "
                              "with ordered items in the delta parameterization, as in "
                              "semTools::measEq.syntax; leave it out or use "
                              "parameterization='theta'")
        check_choice("levels", level, tuple(available))
    order = list(available)
    if [order.index(lv) for lv in levels] != sorted(order.index(lv) for lv in levels) or \
            len(set(levels)) < len(levels):
        raise OptionError(f"levels must be in the order {', '.join(order)} (each adds "
                          "constraints to the previous one)")
    prepared = prepare(data, model, estimator=estimator, ordered=kind == "ordinal" or None,
                       group=group, missing=missing, empty_cell_expected=empty_cell_expected)
    fits = {}
    for level in levels:
        fits[level] = fit_statements(prepared.statements, prepared.groups, estimator=estimator,
                                     ordered=prepared.ordered, thresholds=prepared.thresholds,
                                     std_lv=kind == "ordinal", group_equal=available[level],
                                     labels=prepared.labels, source=model,
                                     parameterization=parameterization)
    indices = _index_kind(list(fits.values()), estimator)
    table = _table(fits, levels, estimator, indices)
    return InvarianceResult(estimator, levels, MappingProxyType(fits), table, indices)


def _table(fits: dict[str, CFAResult], levels: tuple[str, ...], estimator: str,
           indices: str) -> pd.DataFrame:
    suffix = {"standard": "", "robust": "_robust", "scaled": "_scaled"}[indices]
    # lavTestLRT orders the models by df (stably) and compares each with the one before:
    # with binary items the scalar model of Wu & Estabrook (2016) frees the scaling
    # factors and has fewer df than the metric one, so it comes first
    ordered = sorted(levels, key=lambda lv: fits[lv].fit["df"])
    rows = []
    for k, level in enumerate(ordered):
        fit = fits[level].fit
        row: dict[str, Any] = {"level": level, "npar": fit["npar"], "chisq": fit["chisq"],
                               "df": fit["df"], "pvalue": fit["pvalue"]}
        if estimator != "ML":
            row.update(chisq_scaled=fit.get("chisq_scaled"), df_scaled=fit.get("df_scaled"),
                       pvalue_scaled=fit.get("pvalue_scaled"))
        for name in ("cfi", "tli", "rmsea"):
            row[name] = fit.get(name + suffix, np.nan)
        row["srmr"] = fit["srmr"]
        if k == 0:
            row.update(compared_with="", chisq_diff=np.nan, df_diff=np.nan,
                       pvalue_diff=np.nan, cfi_diff=np.nan, rmsea_diff=np.nan,
                       srmr_diff=np.nan, invariant=pd.NA)
        else:
            previous = rows[-1]
            stat, df, p = _difference(fits[ordered[k - 1]], fits[level], estimator)
            d_cfi = row["cfi"] - previous["cfi"]
            d_rmsea = row["rmsea"] - previous["rmsea"]
            d_srmr = row["srmr"] - previous["srmr"]
            cut = CHEN_SRMR_FIRST if level in ("metric", "thresholds") else CHEN_SRMR
            worse = d_cfi <= CHEN_CFI and (d_rmsea >= CHEN_RMSEA or d_srmr >= cut)
            row.update(compared_with=ordered[k - 1], chisq_diff=stat, df_diff=df,
                       pvalue_diff=p, cfi_diff=d_cfi, rmsea_diff=d_rmsea, srmr_diff=d_srmr,
                       invariant=not worse)
        rows.append(row)
    return pd.DataFrame(rows).set_index("level")
