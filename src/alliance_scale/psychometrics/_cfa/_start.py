"""Our start values of a CFA from the sample moments.

Per factor, a one-factor principal-axis step on the correlations of its indicators
(squared multiple correlations as communalities) gives standardised loadings, turned into
the model's metric (marker loading or unit variance); factor correlations come from
unit-weighted composites corrected for attenuation; second-order loadings repeat the
same step on the first-order factor correlations. Residual variances start at the part
of the item variance the loadings leave. Thresholds and means start at their sample
values. A CFA likelihood can have several optima, so the estimates can depend on the
start: :mod:`._starts` also offers lavaan's starts (``"default"``: FABIN 3, ``"simple"``)
and by default fits from ours and lavaan's and reports the better optimum with a warning.
"""

from __future__ import annotations

import numpy as np

from ._model import Model

__all__ = ["start_values"]


def _one_factor(r: np.ndarray) -> np.ndarray:
    """Standardised loadings of one factor on correlation matrix ``r`` (first column > 0)."""
    k = r.shape[0]
    if k == 1:
        return np.array([0.7])
    if k == 2:
        value = np.sqrt(min(abs(r[0, 1]), 0.95))
        return np.array([value, value * np.sign(r[0, 1]) if r[0, 1] != 0 else value])
    try:
        smc = 1.0 - 1.0 / np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        smc = np.full(k, 0.5)
    reduced = r.copy()
    np.fill_diagonal(reduced, np.clip(smc, 0.05, 0.95))
    values, vectors = np.linalg.eigh(reduced)
    loadings = vectors[:, -1] * np.sqrt(max(values[-1], 1e-3))
    if loadings[0] < 0:
        loadings = -loadings
    return np.clip(loadings, -0.95, 0.95)


def _latent_correlations(r: np.ndarray, groups: list[np.ndarray],
                         loadings: list[np.ndarray]) -> np.ndarray:
    """Correlations of factors from unit-weighted composites, corrected for attenuation."""
    k = len(groups)
    out = np.eye(k)
    for a in range(k):
        for b in range(a + 1, k):
            wa, wb = np.sign(loadings[a]), np.sign(loadings[b])
            wa[wa == 0], wb[wb == 0] = 1, 1
            cov = wa @ r[np.ix_(groups[a], groups[b])] @ wb
            scale = (wa @ loadings[a]) * (wb @ loadings[b])
            value = cov / scale if scale != 0 else 0.0
            out[a, b] = out[b, a] = np.clip(value, -0.9, 0.9)
    return out


def start_values(model: Model, moments: list[tuple[np.ndarray, np.ndarray | None,
                                                    list[np.ndarray] | None]]) -> np.ndarray:
    """Start vector of ``model``; ``moments`` per group: (cov or polychorics, means,
    thresholds per item or None)."""
    x = model.start_vector()
    for g, (cov, mean, thresholds) in enumerate(moments):
        values = _group_values(model, g, cov, mean, thresholds)
        for r in model.rows:
            if r.group == g and r.free >= 0 and np.isnan(x[r.free]):
                x[r.free] = values.get((r.mat, r.row, r.col), 0.0)
    return np.where(np.isnan(x), 0.0, x)


def _group_values(model: Model, g: int, cov: np.ndarray, mean: np.ndarray | None,
                  thresholds: list[np.ndarray] | None) -> dict:
    sd = np.sqrt(np.diag(cov))
    r = cov / np.outer(sd, sd)
    rows = [row for row in model.rows if row.group == g]
    values: dict = {}
    lam_rows = [row for row in rows if row.mat == "lambda"]
    first = [f for f in range(model.m) if any(row.col == f for row in lam_rows)]
    items = {f: [row for row in lam_rows if row.col == f] for f in first}
    std_load = {f: _one_factor(r[np.ix_([row.row for row in items[f]],
                                        [row.row for row in items[f]])]) for f in first}
    psi_fixed = {row.row: row for row in rows if row.mat == "psi" and row.row == row.col}
    total_var = np.ones(model.m)
    communal = np.zeros(model.p)
    for f in first:
        marker = next((row for row in items[f] if row.fixed and row.value != 0), None)
        sds = sd[[row.row for row in items[f]]]
        loads = std_load[f] * sds  # covariance metric, factor variance 1
        if marker is not None:
            k = items[f].index(marker)
            variance = (loads[k] / marker.value) ** 2 if loads[k] != 0 else 1.0
        else:
            fixed_var = psi_fixed.get(f)
            variance = fixed_var.value if fixed_var is not None and fixed_var.fixed else 1.0
        total_var[f] = variance
        for row, load in zip(items[f], loads, strict=True):
            values[("lambda", row.row, f)] = load / np.sqrt(variance)
            communal[row.row] += load ** 2
    # first-order factor correlations
    groups = [np.array([row.row for row in items[f]]) for f in first]
    corr_first = _latent_correlations(r, groups, [std_load[f] for f in first])
    position = {f: i for i, f in enumerate(first)}
    beta_rows = [row for row in rows if row.mat == "beta"]
    endogenous = {row.row for row in beta_rows}
    higher = sorted({row.col for row in beta_rows if row.op == "=~"})
    for f in higher:
        members = [row for row in beta_rows if row.col == f and row.op == "=~"]
        idx = [position[row.row] for row in members if row.row in position]
        if len(idx) != len(members):
            continue
        load2 = _one_factor(corr_first[np.ix_(idx, idx)])
        marker = next((i for i, row in enumerate(members) if row.fixed and row.value != 0), None)
        sds = np.sqrt(total_var[[row.row for row in members]])
        loads = load2 * sds
        if marker is not None:
            variance = (loads[marker] / members[marker].value) ** 2
        else:
            fixed_var = psi_fixed.get(f)
            variance = fixed_var.value if fixed_var is not None and fixed_var.fixed else 1.0
        total_var[f] = variance
        for row, load, load_std in zip(members, loads, load2, strict=True):
            values[("beta", row.row, f)] = load / np.sqrt(variance)
            values[("psi", row.row, row.row)] = total_var[row.row] * max(1 - load_std ** 2, 0.1)
    for f in range(model.m):
        if ("psi", f, f) not in values:
            values[("psi", f, f)] = total_var[f]
    for a in first:
        for b in first:
            if a < b and a not in endogenous and b not in endogenous:
                rho = corr_first[position[a], position[b]]
                values[("psi", b, a)] = values[("psi", a, b)] = rho * np.sqrt(
                    total_var[a] * total_var[b])
    for j in range(model.p):
        variance = cov[j, j]
        values[("theta", j, j)] = float(np.clip(variance - communal[j], 0.1 * variance,
                                                0.9 * variance))
    if mean is not None:
        for j in range(model.p):
            values[("nu", j, 0)] = mean[j]
    if thresholds is not None:
        flat = np.concatenate(thresholds) if thresholds else np.zeros(0)
        for k, value in enumerate(flat):
            values[("tau", k, 0)] = value
        for j in range(model.p):
            values[("delta", j, 0)] = 1.0
            values[("nu", j, 0)] = 0.0
    return values
