"""Printed summary of a CFA in the layout of lavaan's ``summary(fit, fit.measures = TRUE,
standardized = TRUE)``: fixed-point numbers with three decimals, the same sections and
labels, so that a reader of lavaan output finds everything where she expects it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["summary_text"]

_WIDTH = 54


def _number(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return f"{value:.{digits}f}"


def _line(label: str, *values: Any) -> str:
    """``label`` then values right-aligned in columns ending at 54, 66 (lavaan's)."""
    text = "  " + label
    cells = [v if isinstance(v, str) else _number(v) for v in values]
    if not cells:
        return text
    out = text.ljust(_WIDTH - len(cells[0])) + cells[0]
    for cell in cells[1:]:
        out += cell.rjust(12)
    return out


def _test_section(fit: dict, robust: bool, ordinal: bool) -> list[str]:
    lines = ["Model Test User Model:"]
    if robust:
        lines.append(" " * 46 + "Standard" + "      Scaled")
        lines.append(_line("Test Statistic", fit["chisq"], fit.get("chisq_scaled")))
        lines.append(_line("Degrees of freedom", fit["df"], fit.get("df_scaled")))
        lines.append(_line("P-value (Chi-square)", fit["pvalue"], fit.get("pvalue_scaled")))
        lines.append(_line("Scaling correction factor", "",
                           _number(fit.get("chisq_scaling_factor"))))
        if "chisq_shift_parameter" in fit:
            lines.append(_line("Shift parameter", "", _number(fit["chisq_shift_parameter"])))
            lines.append(_line("  simple second-order correction" +
                               (" (WLSMV)" if ordinal else ""), ""))
        else:
            lines.append(_line("  Yuan-Bentler correction (Mplus variant)", ""))
    else:
        lines.append(_line("Test statistic", fit["chisq"]))
        lines.append(_line("Degrees of freedom", fit["df"]))
        lines.append(_line("P-value (Chi-square)", fit["pvalue"]))
    lines.append("")
    lines.append("Model Test Baseline Model:")
    lines.append("")
    if robust and "baseline_chisq_scaled" in fit:
        lines.append(_line("Test statistic", fit["baseline_chisq"], fit["baseline_chisq_scaled"]))
        lines.append(_line("Degrees of freedom", fit["baseline_df"], fit["baseline_df_scaled"]))
        lines.append(_line("P-value", fit["baseline_pvalue"], fit["baseline_pvalue_scaled"]))
        lines.append(_line("Scaling correction factor", "",
                           _number(fit["baseline_chisq_scaling_factor"])))
    else:
        lines.append(_line("Test statistic", fit["baseline_chisq"]))
        lines.append(_line("Degrees of freedom", fit["baseline_df"]))
        lines.append(_line("P-value", fit["baseline_pvalue"]))
    lines += ["", "User Model versus Baseline Model:", ""]
    scaled = (fit.get("cfi_scaled"),) if robust else ()
    lines.append(_line("Comparative Fit Index (CFI)", fit["cfi"], *scaled))
    scaled = (fit.get("tli_scaled"),) if robust else ()
    lines.append(_line("Tucker-Lewis Index (TLI)", fit["tli"], *scaled))
    if robust and "cfi_robust" in fit:
        lines.append(" " * (_WIDTH + 12))
        lines.append(_line("Robust Comparative Fit Index (CFI)", "", _number(fit["cfi_robust"])))
        lines.append(_line("Robust Tucker-Lewis Index (TLI)", "", _number(fit["tli_robust"])))
    return lines


def _rmsea_section(fit: dict, robust: bool) -> list[str]:
    def pair(key: str) -> tuple:
        return (fit.get(key), fit.get(key + "_scaled")) if robust else (fit.get(key),)

    lines = ["Root Mean Square Error of Approximation:", ""]
    lines.append(_line("RMSEA", *pair("rmsea")))
    ci_scaled = (fit.get("rmsea_ci_lower_scaled"),) if robust else ()
    lines.append(_line("90 Percent confidence interval - lower", fit["rmsea_ci_lower"],
                       *ci_scaled))
    ci_scaled = (fit.get("rmsea_ci_upper_scaled"),) if robust else ()
    lines.append(_line("90 Percent confidence interval - upper", fit["rmsea_ci_upper"],
                       *ci_scaled))
    lines.append(_line("P-value H_0: RMSEA <= 0.050", *pair("rmsea_pvalue")))
    lines.append(_line("P-value H_0: RMSEA >= 0.080", *pair("rmsea_notclose_pvalue")))
    if robust and "rmsea_robust" in fit:
        lines.append(" " * (_WIDTH + 12))
        lines.append(_line("Robust RMSEA", "", _number(fit["rmsea_robust"])))
        lines.append(_line("90 Percent confidence interval - lower", "",
                           _number(fit.get("rmsea_ci_lower_robust"))))
        lines.append(_line("90 Percent confidence interval - upper", "",
                           _number(fit.get("rmsea_ci_upper_robust"))))
        lines.append(_line("P-value H_0: Robust RMSEA <= 0.050", "",
                           _number(fit.get("rmsea_pvalue_robust"))))
        lines.append(_line("P-value H_0: Robust RMSEA >= 0.080", "",
                           _number(fit.get("rmsea_notclose_pvalue_robust"))))
    return lines


_SECTIONS = (
    ("Latent Variables:", lambda r: r["op"] == "=~"),
    ("Regressions:", lambda r: r["op"] == "~"),
    ("Covariances:", lambda r: r["op"] == "~~" and r["lhs"] != r["rhs"]),
    ("Intercepts:", lambda r: r["op"] == "~1"),
    ("Thresholds:", lambda r: r["op"] == "|"),
    ("Variances:", lambda r: r["op"] == "~~" and r["lhs"] == r["rhs"]),
    ("Scales y*:", lambda r: r["op"] == "~*~"),
)
_HEADER = " " * 19 + "Estimate  Std.Err  z-value  P(>|z|)   Std.lv  Std.all"


def _estimate_row(name: str, row: pd.Series) -> str:
    free = row["se"] > 0 if np.isfinite(row["se"]) else False
    cells = [_number(row["est"]), _number(row["se"]) if free else "",
             _number(row["z"]) if free else "", _number(row["pvalue"]) if free else "",
             _number(row["std_lv"]), _number(row["std_all"])]
    if len(name) > 17:
        name = name[:16] + "~"
    return name.ljust(18) + "".join(c.rjust(9) for c in cells)


def _parameters(table: pd.DataFrame, observed: set[str]) -> list[str]:
    lines: list[str] = []
    for title, keep in _SECTIONS:
        rows = table[[bool(keep(r)) for _, r in table.iterrows()]]
        if rows.empty:
            continue
        lines += ["", title, _HEADER]
        if title in ("Latent Variables:", "Regressions:", "Covariances:"):
            for lhs, block in rows.groupby("lhs", sort=False):
                lines.append(f"  {lhs} {block['op'].iloc[0]}".ljust(len(_HEADER)))
                for _, row in block.iterrows():
                    lines.append(_estimate_row("    " + row["rhs"], row))
        else:
            for _, row in rows.iterrows():
                name = row["lhs"] + ("|" + row["rhs"] if row["op"] == "|" else "")
                dot = "." if row["lhs"] in observed and row["op"] in ("~~", "~1") else " "
                lines.append(_estimate_row("   " + dot + name, row))
    return lines


def summary_text(result: Any) -> str:
    """lavaan-style summary of a :class:`CFAResult`."""
    fit = dict(result.fit)
    robust = "chisq_scaled" in fit
    model = result.model
    status = "ended normally" if result.converged else "did NOT end normally"
    lines = [f"alliance-scale CFA (lavaan 0.6.14's estimator) {status} after "
             f"{result.iterations} iterations", ""]
    lines.append(_line("Estimator", result.estimator if result.estimator != "WLSMV"
                       else "DWLS"))
    lines.append(_line("Optimization method", "FISHER" if not model.ordered else "GN"))
    lines.append(_line("Number of model parameters", int(fit["npar"])))
    lines.append("")
    if result.groups:
        lines.append(_line("Number of observations per group:", ""))
        for label, n in zip(result.groups, result.group_n, strict=True):
            lines.append(_line("  " + label, n))
    elif result.n_rows is not None and result.n_rows > result.n_obs:
        # lavaan's layout when rows were left out (listwise deletion)
        lines.append(" " * 50 + "Used" + "Total".rjust(12))
        lines.append(_line("Number of observations", result.n_obs, result.n_rows))
    else:
        lines.append(_line("Number of observations", result.n_obs))
    lines.append("")
    lines += _test_section(fit, robust, model.ordered)
    if "logl" in fit:
        lines += ["", "Loglikelihood and Information Criteria:", ""]
        both = (lambda k: (fit[k], fit[k])) if robust else (lambda k: (fit[k],))
        lines.append(_line("Loglikelihood user model (H0)", *both("logl")))
        if robust:
            lines.append(_line("Scaling correction factor", "",
                               _number(fit.get("scaling_factor_h0"))))
            lines.append(_line("    for the MLR correction", ""))
        lines.append(_line("Loglikelihood unrestricted model (H1)", *both("unrestricted_logl")))
        if robust:
            lines.append(_line("Scaling correction factor", "",
                               _number(fit.get("scaling_factor_h1"))))
            lines.append(_line("    for the MLR correction", ""))
        lines.append("")
        lines.append(_line("Akaike (AIC)", *both("aic")))
        lines.append(_line("Bayesian (BIC)", *both("bic")))
        lines.append(_line("Sample-size adjusted Bayesian (SABIC)", *both("bic2")))
    lines += ["", *_rmsea_section(fit, robust)]
    lines += ["", "Standardized Root Mean Square Residual:", ""]
    lines.append(_line("SRMR", *((fit["srmr"], fit["srmr"]) if robust else (fit["srmr"],))))
    lines += ["", "Parameter Estimates:", ""]
    kind = {"ML": "Standard", "DWLS": "Standard", "ULS": "Standard", "MLR": "Sandwich",
            "WLSMV": "Robust.sem", "ULSMV": "Robust.sem"}[result.estimator]
    lines.append(_line("Standard errors", kind))
    lines.append(_line("Information", "Observed" if result.estimator == "MLR" else "Expected"))
    table = result.estimates
    observed = set(model.ov)
    if result.groups:
        for g, label in enumerate(result.groups, start=1):
            lines += ["", f"Group {g} [{label}]:"]
            lines += _parameters(table[table["group"] == g], observed)
    else:
        lines += _parameters(table, observed)
    return "\n".join(lines) + "\n"
