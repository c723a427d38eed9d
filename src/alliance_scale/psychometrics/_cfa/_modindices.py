"""Modification indices and expected parameter changes, as lavaan's ``modindices``.

Every fixed parameter of the model and every absent loading, residual covariance and
factor covariance is freed in turn in an extended model evaluated at the estimates
(Sorbom 1989): ``MI = N d^2 / V`` with ``d`` the derivative of the objective and
``V = I11 - I12 I22^-1 I21`` from the expected information of the extended model;
``EPC = -d / V``. Indices whose ``V`` is numerically 0 (a parameter that cannot be freed
without losing identification) are dropped, as lavaan does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._fitting import Fitted
from ._model import Model, Row, lower_pairs

__all__ = ["modification_indices"]


def _candidates(model: Model) -> list[list[Row]]:
    """Per group: fixed rows of the model and absent loadings / covariances."""
    out = []
    present = {(r.lhs, r.op, r.rhs, r.group) for r in model.rows}
    for g in range(model.ngroups):
        rows = [r for r in model.rows if r.group == g and r.free < 0 and not r.derived
                and r.op in ("=~", "~~", "~1", "~")]
        for f, factor in enumerate(model.lv):
            for j, item in enumerate(model.ov):
                if (factor, "=~", item, g) not in present:
                    rows.append(Row(factor, "=~", item, g, False, True, 0.0, "", "lambda", j, f))
        for names, mat in ((model.ov, "theta"), (model.lv, "psi")):
            for i, a in enumerate(names):
                for j in range(i + 1):
                    b = names[j]
                    if (a, "~~", b, g) in present or (b, "~~", a, g) in present:
                        continue
                    if mat == "theta" and model.ordered and i == j:
                        continue
                    rows.append(Row(b, "~~", a, g, False, True, 0.0, "", mat, i, j))
        out.append(rows)
    return out


def _extended(fitted: Fitted, extra: list[list[Row]]) -> tuple[np.ndarray, np.ndarray]:
    """Gradient and expected information over (free parameters, extra parameters)."""
    model, x, groups = fitted.model, fitted.estimate.x, fitted.groups
    q = model.n_free
    sizes = [len(rows) for rows in extra]
    total = q + sum(sizes)
    grad, info = np.zeros(total), np.zeros((total, total))
    n_total = fitted.n_total
    offset = q
    for g, d in enumerate(groups):
        rows = model.free_rows[g] + extra[g]
        mapping = np.zeros((len(rows), total))
        mapping[:len(model.free_rows[g]), :q] = model.entry_map[g]
        mapping[len(model.free_rows[g]):, offset:offset + sizes[g]] = np.eye(sizes[g])
        offset += sizes[g]
        factors = model.derivative_factors(x, g, rows=rows)
        fg = d.n / n_total
        if model.ordered:
            delta = model.wls_jacobian(factors) @ mapping
            resid = d.vector - model.wls_vector(factors["implied"])
            wd = delta * d.weights[:, None]
            grad -= fg * (d.n - 1) / d.n * (wd.T @ resid)
            info += fg * (delta.T @ wd)
        else:
            imp = factors["implied"]
            sinv = np.linalg.inv(imp["sigma"])
            diff = d.mean - imp["mu"] if model.meanstructure else np.zeros(model.p)
            big_x, big_y, big_m = factors["X"], factors["Y"], factors["M"]
            w = sinv @ (imp["sigma"] - d.cov - np.outer(diff, diff)) @ sinv
            g_rows = 2.0 * np.einsum("ie,ie->e", big_y, w @ big_x)
            sx, sy = sinv @ big_x, sinv @ big_y
            p_yx = big_y.T @ sx
            i_rows = p_yx * p_yx.T + (big_y.T @ sy) * (big_x.T @ sx)
            if model.meanstructure:
                g_rows -= 2.0 * (sinv @ diff) @ big_m
                i_rows += big_m.T @ sinv @ big_m
            grad += fg * 0.5 * (mapping.T @ g_rows)
            info += fg * (mapping.T @ i_rows @ mapping)
    return grad, info


def modification_indices(fitted: Fitted) -> pd.DataFrame:
    model = fitted.model
    extra = _candidates(model)
    grad, info = _extended(fitted, extra)
    q = model.n_free
    i22_inv = fitted.e_inv if fitted.estimator != "MLR" else np.linalg.inv(info[:q, :q])
    if fitted.estimator == "MLR":
        i22_inv = np.linalg.inv(info[:q, :q])
    i11, i12 = info[q:, q:], info[q:, :q]
    v = np.diag(i11) - np.einsum("ij,jk,ik->i", i12, i22_inv, i12)
    score = grad[q:]
    n = fitted.n_total
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(v < np.finfo(float).eps ** (1 / 3), np.nan, v)
        mi = n * score ** 2 / v
        epc = -score / v
    rows = [r for group in extra for r in group]
    table = pd.DataFrame({"lhs": [r.lhs for r in rows], "op": [r.op for r in rows],
                          "rhs": [r.rhs for r in rows], "group": [r.group + 1 for r in rows],
                          "mi": mi, "epc": epc})
    table["sepc_all"] = _standardized_epc(fitted, rows, epc)
    return table[np.isfinite(table["mi"])]


def _standardized_epc(fitted: Fitted, rows: list[Row], epc: np.ndarray) -> np.ndarray:
    model, x = fitted.model, fitted.estimate.x
    out = np.full(len(rows), np.nan)
    cache = {}
    for k, r in enumerate(rows):
        if r.group not in cache:
            imp = model.implied(x, r.group)
            ov_var = np.diag(imp["sigma_star"] if model.ordered else imp["sigma"])
            cache[r.group] = (imp, ov_var)
        imp, ov_var = cache[r.group]
        sd_lv = np.sqrt(np.abs(np.diag(imp["phi"])))
        theta, psi = imp["theta"], imp["mats"]["psi"]
        if r.mat == "lambda":
            out[k] = epc[k] * sd_lv[r.col] / np.sqrt(ov_var[r.row])
        elif r.mat == "beta":
            out[k] = epc[k] * sd_lv[r.col] / sd_lv[r.row]
        elif r.mat == "theta":
            out[k] = epc[k] / np.sqrt(abs(theta[r.row, r.row] * theta[r.col, r.col])) \
                if r.row != r.col else epc[k] / ov_var[r.row]
        elif r.mat == "psi":
            out[k] = epc[k] / np.sqrt(abs(psi[r.row, r.row] * psi[r.col, r.col])) \
                if r.row != r.col else epc[k] / imp["phi"][r.row, r.row]
        elif r.mat == "nu":
            out[k] = epc[k] / np.sqrt(ov_var[r.row])
        elif r.mat == "alpha":
            out[k] = epc[k] / sd_lv[r.row]
    return out


del lower_pairs
