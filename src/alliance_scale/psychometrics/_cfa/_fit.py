"""Fit measures of a CFA as lavaan 0.6.14's ``fitMeasures`` (names with ``.`` -> ``_``).

Formulas from lavaan's ``lav_fit_cfi.R``, ``lav_fit_tli.R``, ``lav_fit_rmsea.R`` and
``lav_fit_srmr.R``:

- CFI (Bentler 1990), TLI (Tucker & Lewis 1973) against the independence model;
- RMSEA (Steiger 1990) ``sqrt(max(X2/N/df - 1/N, 0)) * sqrt(G)`` with lavaan's ``N``
  (``N - G`` for DWLS / ULS), its 90% interval by inverting the non-central chi-square
  and the close-fit / not-close-fit p-values (MacCallum, Browne & Sugawara 1996);
- scaled versions from the scaled statistics, robust versions as
  Brosseau-Liard & Savalei (2014) and Brosseau-Liard, Savalei & Li (2012) (``c.hat``
  corrections) for MLR, and Savalei (2021) for WLSMV (the ``catML`` statistic: ML fitted
  to the polychoric matrix at the DWLS estimates, ``c.hat`` from its ``U Gamma`` trace);
- SRMR as Bentler's (residual covariances over the observed standard deviations, with
  the means when the model has a mean structure; off-diagonal polychoric residuals for
  ordered items).
"""

from __future__ import annotations

import numpy as np
import scipy.optimize

from .._distributions import chi2_cdf, ncx2_cdf

__all__ = ["cfi", "rmsea", "rmsea_ci", "rmsea_pvalue", "tli"]


def cfi(x2: float, df: float, x2_null: float, df_null: float, c_hat: float = 1.0,
        c_hat_null: float = 1.0) -> float:
    """Comparative fit index (lavaan's ``lav_fit_cfi``)."""
    if not np.all(np.isfinite([x2, df, x2_null, df_null, c_hat, c_hat_null])):
        return float("nan")
    robust = df > 0 and c_hat != 1 and c_hat_null != 1
    c, c0 = (c_hat, c_hat_null) if robust else (1.0, 1.0)
    t1 = max(x2 - c * df, 0.0)
    t2 = max(x2 - c * df, x2_null - c0 * df_null, 0.0)
    if np.isclose(t1, 0.0, atol=1.5e-8) and np.isclose(t2, 0.0, atol=1.5e-8):
        return 1.0
    return 1.0 - t1 / t2


def tli(x2: float, df: float, x2_null: float, df_null: float, c_hat: float = 1.0,
        c_hat_null: float = 1.0) -> float:
    """Tucker-Lewis index (lavaan's ``lav_fit_tli``)."""
    if not np.all(np.isfinite([x2, df, x2_null, df_null, c_hat, c_hat_null])):
        return float("nan")
    robust = df > 0 and c_hat != 1 and c_hat_null != 1
    c, c0 = (c_hat, c_hat_null) if robust else (1.0, 1.0)
    t1 = (x2 - c * df) * df_null
    t2 = (x2_null - c0 * df_null) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    return 1.0


def rmsea(x2: float, df: float, n: float, groups: int = 1, c_hat: float = 1.0) -> float:
    """Root mean square error of approximation (lavaan's ``lav_fit_rmsea``)."""
    if not np.all(np.isfinite([x2, df, c_hat])):
        return float("nan")
    if df <= 0:
        return 0.0
    return float(np.sqrt(max(x2 / n / df - c_hat / n, 0.0)) * np.sqrt(groups))


def _chi2_cdf(x: float, df: float, ncp: float) -> float:
    if ncp <= 0:
        return float(chi2_cdf(x, df))
    return float(ncx2_cdf(x, df, ncp))


def rmsea_ci(x2: float, df: float, n: float, groups: int = 1, c_hat: float = 1.0,
             level: float = 0.90) -> tuple[float, float]:
    """Confidence interval of the RMSEA by inverting the non-central chi-square."""
    if not np.all(np.isfinite([x2, df, n, c_hat])):
        return float("nan"), float("nan")
    upper_p, lower_p = 1 - (1 - level) / 2, (1 - level) / 2

    def bound(target: float, top: float) -> float:
        return scipy.optimize.brentq(lambda lam: _chi2_cdf(x2, df, lam) - target, 0.0, top,
                                     xtol=1e-12)

    if df < 1 or _chi2_cdf(x2, df, 0.0) - upper_p < 0:
        lower = 0.0
    else:
        lower = float(np.sqrt(c_hat * bound(upper_p, x2) / (n * df)) * np.sqrt(groups))
    top = max(n, x2 * 4)
    if df < 1 or _chi2_cdf(x2, df, top) - lower_p > 0 or _chi2_cdf(x2, df, 0.0) - lower_p < 0:
        upper = 0.0
    else:
        upper = float(np.sqrt(c_hat * bound(lower_p, top) / (n * df)) * np.sqrt(groups))
    return lower, upper


def rmsea_pvalue(x2: float, df: float, n: float, groups: int = 1, c_hat: float = 1.0,
                 h0: float = 0.05, close: bool = True) -> float:
    """p-value of close fit (RMSEA <= h0) or, with ``close=False``, of not-close fit."""
    if not np.all(np.isfinite([x2, df, n, c_hat])) or df <= 0:
        return float("nan")
    ncp = n * df / c_hat * h0 ** 2 / groups
    value = _chi2_cdf(x2, df, ncp)
    return 1.0 - value if close else value


def chi2_pvalue(x2: float, df: float) -> float:
    # scipy.stats.chi2.sf's own function (bitwise the same value) without its ~0.5 ms of
    # argument handling per call (Monte Carlo replications call it thousands of times)
    import scipy.special
    if not np.isfinite(x2) or df <= 0:
        return float("nan")
    return 1.0 if x2 < 0 else float(scipy.special.chdtrc(df, x2))


def srmr_continuous(cov: np.ndarray, sigma: np.ndarray, mean: np.ndarray | None,
                    mu: np.ndarray | None) -> tuple[float, float]:
    """Bentler's SRMR of one group: (with means, without means)."""
    sd = np.sqrt(np.diag(cov))
    resid = (cov - sigma) / np.outer(sd, sd)
    low = resid[np.tril_indices(len(sd))]
    nomean = float(np.sqrt(np.mean(low ** 2)))
    if mean is None:
        return nomean, nomean
    means = (mean - mu) / sd
    both = np.concatenate([means, low])
    return float(np.sqrt(np.mean(both ** 2))), nomean


def srmr_ordinal(cor: np.ndarray, implied: np.ndarray) -> float:
    """SRMR of polychoric residuals: off-diagonal, divided by p(p+1)/2 as lavaan."""
    p = cor.shape[0]
    rows, cols = np.tril_indices(p, k=-1)
    resid = cor[rows, cols] - implied[rows, cols]
    return float(np.sqrt(np.sum(resid ** 2) / (p * (p + 1) / 2)))


def other_incremental(x2: float, df: float, x2_null: float, df_null: float) -> dict:
    """NFI, RFI, IFI, PNFI (Bentler & Bonett 1980; Bollen 1986, 1989), lavaan's rules."""
    if not np.all(np.isfinite([x2, df, x2_null, df_null])):
        return dict.fromkeys(("nfi", "rfi", "ifi", "pnfi"), float("nan"))
    if df > df_null or np.isclose(x2_null, 0.0):
        nfi = float("nan")
    else:
        nfi = (x2_null - x2) / x2_null if df > 0 else 1.0
    if df > df_null:
        rfi = float("nan")
    elif df > 0 and df_null > 0:
        t1, t2 = x2_null / df_null - x2 / df, x2_null / df_null
        rfi = 1.0 if (t1 < 0 or t2 < 0) else t1 / t2
    else:
        rfi = 1.0
    t2 = x2_null - df
    ifi = 1.0 if t2 < 0 else (float("nan") if np.isclose(t2, 0) else (x2_null - x2) / t2)
    pnfi = (df / df_null) * (x2_null - x2) / x2_null if df_null > 0 and x2_null > 0 \
        else float("nan")
    return {"nfi": nfi, "rfi": rfi, "ifi": ifi, "pnfi": pnfi}


def rni(x2: float, df: float, x2_null: float, df_null: float, c_hat: float = 1.0,
        c_hat_null: float = 1.0) -> float:
    """Relative noncentrality index (McDonald & Marsh 1990), lavaan's ``lav_fit_rni``."""
    if not np.all(np.isfinite([x2, df, x2_null, df_null, c_hat, c_hat_null])):
        return float("nan")
    robust = df > 0 and c_hat != 1 and c_hat_null != 1
    c, c0 = (c_hat, c_hat_null) if robust else (1.0, 1.0)
    t1, t2 = x2 - c * df, x2_null - c0 * df_null
    return float("nan") if np.isclose(t2, 0.0) else 1.0 - t1 / t2


def incremental(values: dict, x2: float, df: float, x2_null: float, df_null: float,
                suffix: str = "", c_hat: float = 1.0, c_hat_null: float = 1.0) -> None:
    """CFI, TLI (= NNFI) and RNI under ``{name}{suffix}``; NFI, RFI, IFI, PNFI too unless
    robust (lavaan has no robust versions of those)."""
    values["cfi" + suffix] = cfi(x2, df, x2_null, df_null, c_hat, c_hat_null)
    values["tli" + suffix] = values["nnfi" + suffix] = tli(x2, df, x2_null, df_null, c_hat,
                                                          c_hat_null)
    values["rni" + suffix] = rni(x2, df, x2_null, df_null, c_hat, c_hat_null)
    if suffix != "_robust":
        for key, value in other_incremental(x2, df, x2_null, df_null).items():
            values[key + suffix] = value


def rmsea_block(values: dict, x2: float, df: float, n: float, groups: int, suffix: str = "",
                c_hat: float = 1.0, x2_ci: float | None = None) -> None:
    """RMSEA, its interval and p-values under ``rmsea{suffix}`` names (lavaan's)."""
    x2_ci = x2 if x2_ci is None else x2_ci
    values["rmsea" + suffix] = rmsea(x2, df, n, groups, c_hat)
    lower, upper = rmsea_ci(x2_ci, df, n, groups, c_hat)
    names = {"": ("rmsea_ci_lower", "rmsea_ci_upper"),
             "_scaled": ("rmsea_ci_lower_scaled", "rmsea_ci_upper_scaled"),
             "_robust": ("rmsea_ci_lower_robust", "rmsea_ci_upper_robust")}[suffix]
    values[names[0]], values[names[1]] = lower, upper
    values["rmsea_pvalue" + suffix] = rmsea_pvalue(x2_ci, df, n, groups, c_hat, 0.05)
    values["rmsea_notclose_pvalue" + suffix] = rmsea_pvalue(x2_ci, df, n, groups, c_hat,
                                                            0.08, close=False)
