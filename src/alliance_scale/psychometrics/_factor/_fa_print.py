"""psych's printed output of a factor or component analysis, as text blocks.

``print(fa(...))``, ``print(principal(...))`` and ``print(omega(...))`` in R show a
loading table (optionally sorted as ``fa.sort`` and with loadings below a ``cut``
blanked), h2, u2 and com, the variance accounted for, the factor correlations, the fit
lines and the factor score adequacy. The builders here give the same blocks, with the
same wording and rounding (psych's ``digits = 2``), for
:class:`~alliance_scale.EFAResult`, :class:`~alliance_scale.PCAResult` and
:class:`~alliance_scale.OmegaResult`; the blocks become text and HTML through
:class:`alliance_scale._results.Report`. Hand-written because it is a presentation of our
own numbers in psych's layout.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..._results import format_table

__all__: list[str] = []


def r_round(value: float, digits: int = 2) -> str:
    """``cat(round(x, digits))`` in R: rounded, fixed point, no trailing zeros (``0.6``)."""
    if value is None or not math.isfinite(value):
        return "NA"
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def r_signif(value: float, digits: int = 2) -> str:
    """``cat(signif(p, digits))`` in R: a p value with two significant digits
    (fixed point down to 1e-4, an exponent below: ``5.6e-184``)."""
    if value is None or not math.isfinite(value):
        return "NA"
    if value == 0:
        return "0"
    if abs(value) < 1e-4:
        mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent):+03d}".replace("+", "")
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    return r_round(value, decimals)


def sort_order(loadings: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Row order of ``psych::fa.sort``: items grouped by the factor of their largest
    absolute loading (factors in column order), then by that loading, largest first."""
    absolute = np.abs(np.asarray(loadings, dtype=float))
    main = absolute.argmax(axis=1)
    return np.lexsort((-absolute.max(axis=1), main))


def loadings_table(
    loadings: pd.DataFrame,
    extra: pd.DataFrame,
    *,
    cut: float = 0.0,
    sort: bool = False,
    digits: int = 2,
    extra_digits: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """psych's loading table as text: loadings below ``cut`` blank, sorted if asked.

    Parameters
    ----------
    loadings : DataFrame
        Items x factors.
    extra : DataFrame
        Columns printed after the loadings (h2, u2, com...), same index.
    cut : float, default 0
        Loadings with an absolute value below ``cut`` are left blank (psych's ``cut``).
    sort : bool, default False
        Order as ``fa.sort`` and add psych's ``item`` column (the item's position).
    digits : int, default 2
        Decimals of the loadings.
    extra_digits : mapping, optional
        Decimals of the extra columns (default ``digits``).

    Returns
    -------
    DataFrame of str
    """
    order = sort_order(loadings) if sort else np.arange(len(loadings))
    shown = loadings.iloc[order]
    table = format_table(shown, digits, blank=shown.abs().to_numpy() < cut)
    places = {c: digits for c in extra.columns} | dict(extra_digits or {})
    table = table.join(format_table(extra.iloc[order], places))
    if sort:
        table.insert(0, "item", [str(i + 1) for i in order])
    return table


def adequacy_table(r2: np.ndarray, columns, digits: int = 2) -> pd.DataFrame:
    """psych's "Measures of factor score adequacy" (from the R2 of regression scores)."""
    r2 = np.asarray(r2, dtype=float)
    frame = pd.DataFrame(
        [np.sqrt(r2), r2, 2 * r2 - 1],
        index=["Correlation of (regression) scores with factors",
               "Multiple R square of scores with factors",
               "Minimum correlation of possible factor scores"],
        columns=columns,
    )
    return format_table(frame, digits)


def fit_lines(
    fit: Mapping[str, Any],
    n_factors: int,
    n_obs: int | None,
    *,
    components: bool = False,
    digits: int = 2,
) -> str:
    """psych's fit lines (``print.psych.fa``): null model, model, RMSR, chi-squares, TLI,
    RMSEA with its 90% interval, BIC and the off-diagonal fit; lines without a value (no
    ``n_obs``, no degrees of freedom) are left out."""
    kind = ("component" if components else "factor") + ("" if n_factors == 1 else "s")
    verb = "is" if n_factors == 1 else "are"
    lines = [f"Test of the hypothesis that {n_factors} {kind} {verb} sufficient.", ""]
    finite = _finite(fit)
    if not components:
        null = (f"The degrees of freedom for the null model are {r_round(fit['null_dof'])} "
                f"and the objective function was {r_round(fit['null_objective'], digits)}")
        if finite("null_chi2"):
            null += f" with Chi Square of {r_round(fit['null_chi2'], digits)}"
        lines += [null, f"The degrees of freedom for the model are {r_round(fit['dof'])} "
                        f"and the objective function was {r_round(fit['objective'], digits)}", ""]
    lines.append("The root mean square of the residuals (RMSR) is "
                 f"{r_round(fit['rmsr'], digits)}")
    if not components and finite("crms"):
        lines.append("The df corrected root mean square of the residuals is "
                     f"{r_round(fit['crms'], digits)}")
    lines.append("")
    empirical = (f"with the empirical chi square {r_round(fit['empirical_chi2'], digits)} "
                 f"with prob < {r_signif(fit['empirical_p_value'])}")
    if finite("empirical_chi2"):
        if components:
            lines.append(empirical)
        elif finite("harmonic_n"):
            lines.append("The harmonic number of observations is "
                         f"{r_round(fit['harmonic_n'], 0)} {empirical}")
    if not components and n_obs is not None and finite("chi2"):
        lines.append(f"The total number of observations was {n_obs} with Likelihood Chi "
                     f"Square = {r_round(fit['chi2'], digits)} with prob < "
                     f"{r_signif(fit['p_value'])}")
    lines.append("")
    if not components and finite("tli"):
        lines.append("Tucker Lewis Index of factoring reliability = "
                     f"{r_round(fit['tli'], digits + 1)}")
    if not components and finite("rmsea"):
        lower, upper = fit["rmsea_ci"]
        lines.append(f"RMSEA index = {r_round(fit['rmsea'], digits + 1)} and the 90 % "
                     f"confidence intervals are {r_round(lower, digits + 1)} "
                     f"{r_round(upper, digits + 1)}")
    if not components and finite("bic"):
        lines.append(f"BIC = {r_round(fit['bic'], digits)}")
    lines.append(f"Fit based upon off diagonal values = {r_round(fit['fit_off'], digits)}")
    kept = [line for i, line in enumerate(lines) if line or (i and lines[i - 1])]
    return "\n".join(kept)


def _finite(fit: Mapping[str, Any]):
    def check(key: str) -> bool:
        value = fit.get(key)
        return value is not None and isinstance(value, (int, float)) and math.isfinite(value)
    return check
