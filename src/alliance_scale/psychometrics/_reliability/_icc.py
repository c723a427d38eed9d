"""Intraclass correlations: the six forms of Shrout & Fleiss (1979), as ``psych::ICC``.

For any table of targets (rows: respondents, patients, recordings) rated by judges or
measured on occasions (columns), without a :class:`~alliance_scale.Scale`. The two-way
ANOVA mean squares give ``ICC1`` (one-way random), ``ICC2`` (two-way random, absolute
agreement; McGraw & Wong's ICC(A,1)), ``ICC3`` (two-way mixed, consistency; ICC(C,1)) and
their averages over the k judges (``ICC1k``, ``ICC2k``, ``ICC3k``), each with its F test
and confidence interval: the exact F intervals of Shrout & Fleiss for ICC1 / ICC3, McGraw
& Wong's (1996) approximate interval for ICC2. Written out (a few lines of numpy) because
pingouin rounds its intervals unless a global option is changed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..._checks import as_item_frame, check_number
from ..._results import Result, result
from ...errors import AnalysisError

__all__ = ["ICCResult", "icc"]

_FORMS = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
_NAMES = ("Single_raters_absolute", "Single_random_raters", "Single_fixed_raters",
          "Average_raters_absolute", "Average_random_raters", "Average_fixed_raters")


@result
class ICCResult(Result):
    """The six intraclass correlations of a targets x judges table (``psych::ICC``).

    Attributes
    ----------
    table : DataFrame
        One row per form (index psych's row names, ``Single_raters_absolute`` ...):
        ``type`` (ICC1 ... ICC3k), ``icc``, ``F``, ``df1``, ``df2``, ``p``, ``ci_lower``,
        ``ci_upper``. This is ``to_frame()``.
    n_obs : int
        Targets (rows).
    n_judges : int
        Judges or occasions (columns).
    confidence : float

    Examples
    --------
    >>> ratings = pd.DataFrame([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8],
    ...                         [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]])
    >>> print(als.icc(ratings).table[["type", "icc", "ci_lower", "ci_upper"]].round(2))
    ...                                                 # In R: psych::ICC(ratings)
                              type   icc  ci_lower  ci_upper
    form
    Single_raters_absolute    ICC1  0.17     -0.13      0.72
    Single_random_raters      ICC2  0.29      0.02      0.76
    Single_fixed_raters       ICC3  0.71      0.34      0.95
    Average_raters_absolute  ICC1k  0.44     -0.88      0.91
    Average_random_raters    ICC2k  0.62      0.07      0.93
    Average_fixed_raters     ICC3k  0.91      0.68      0.99
    """

    table: pd.DataFrame
    n_obs: int
    n_judges: int
    confidence: float

    _digits = 3

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def _summary(self) -> dict[str, Any]:
        return {"targets": self.n_obs, "judges": self.n_judges,
                "confidence": f"{self.confidence:.0%}",
                "forms": "ICC1 one-way random; ICC2 two-way random, absolute agreement; "
                         "ICC3 two-way mixed, consistency; k: average of the judges"}


def icc_forms(scores: np.ndarray, confidence: float = 0.95) -> pd.DataFrame:
    """The six forms of a complete n x k array (psych's ``results``; see :func:`icc`)."""
    import scipy.stats

    n, k = scores.shape
    grand = scores.mean()
    ss_rows = k * np.sum((scores.mean(axis=1) - grand) ** 2)
    ss_columns = n * np.sum((scores.mean(axis=0) - grand) ** 2)
    ss_error = np.sum((scores - grand) ** 2) - ss_rows - ss_columns
    msb, msj = ss_rows / (n - 1), ss_columns / (k - 1)
    mse = ss_error / ((n - 1) * (k - 1))
    msw = (ss_columns + ss_error) / (n * (k - 1))
    icc1 = (msb - msw) / (msb + (k - 1) * msw)
    icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)
    icc3 = (msb - mse) / (msb + (k - 1) * mse)
    values = [icc1, icc2, icc3, (msb - msw) / msb, (msb - mse) / (msb + (msj - mse) / n),
              (msb - mse) / msb]
    f1, f2 = msb / msw, msb / mse
    d1 = (n - 1, n * (k - 1))
    d2 = (n - 1, (n - 1) * (k - 1))
    p1 = float(scipy.stats.f.sf(f1, *d1))
    p2 = float(scipy.stats.f.sf(f2, *d2))
    alpha = 1 - confidence
    f_ppf = scipy.stats.f.ppf
    f1l, f1u = f1 / f_ppf(1 - alpha / 2, *d1), f1 * f_ppf(1 - alpha / 2, d1[1], d1[0])
    f3l, f3u = f2 / f_ppf(1 - alpha / 2, *d2), f2 * f_ppf(1 - alpha / 2, d2[1], d2[0])
    fj = msj / mse  # McGraw & Wong's approximate df for ICC2
    vn = (k - 1) * (n - 1) * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    vd = (n - 1) * k**2 * icc2**2 * fj**2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    v = vn / vd
    fu, fl = f_ppf(1 - alpha / 2, n - 1, v), f_ppf(1 - alpha / 2, v, n - 1)
    low2 = n * (msb - fu * mse) / (fu * (k * msj + (k * n - k - n) * mse) + n * msb)
    high2 = n * (fl * msb - mse) / (k * msj + (k * n - k - n) * mse + n * fl * msb)
    lower = [(f1l - 1) / (f1l + k - 1), low2, (f3l - 1) / (f3l + k - 1), 1 - 1 / f1l,
             low2 * k / (1 + low2 * (k - 1)), 1 - 1 / f3l]
    upper = [(f1u - 1) / (f1u + k - 1), high2, (f3u - 1) / (f3u + k - 1), 1 - 1 / f1u,
             high2 * k / (1 + high2 * (k - 1)), 1 - 1 / f3u]
    return pd.DataFrame({
        "type": _FORMS, "icc": np.array(values, float), "F": [f1, f2, f2, f1, f2, f2],
        "df1": [d1[0], d2[0], d2[0], d1[0], d2[0], d2[0]],
        "df2": [d1[1], d2[1], d2[1], d1[1], d2[1], d2[1]],
        "p": [p1, p2, p2, p1, p2, p2], "ci_lower": np.array(lower, float),
        "ci_upper": np.array(upper, float),
    }, index=pd.Index(_NAMES, name="form"))


def icc(data: pd.DataFrame | np.ndarray, *, confidence: float = 0.95) -> ICCResult:
    """Intraclass correlations of any targets x judges table, as ``psych::ICC``.

    Parameters
    ----------
    data : DataFrame or 2-D array
        One row per target (respondent, patient, recording), one column per judge,
        rater or occasion; numbers. Every cell must be present: psych refuses missing
        ratings too (``missing = TRUE``), and dropping a target silently would change
        the result.
    confidence : float, default 0.95
        Level of the intervals (psych's ``alpha = 1 - confidence``).

    Returns
    -------
    ICCResult
        ``table`` with the six forms (ICC1, ICC2, ICC3 and their k-judge averages), F
        tests and intervals. The numbers are psych's with ``lmer = FALSE`` (ANOVA mean
        squares); psych's default ``lmer = TRUE`` estimates the same variance components
        by REML and agrees to its optimiser's tolerance (1e-6) on complete data, unless
        a component would be negative (then REML truncates it at 0).

    Raises
    ------
    AnalysisError
        Non-numeric data, fewer than 2 targets or 2 judges, a missing rating (the rows
        named), no variance at all.

    References
    ----------
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
    reliability. *Psychological Bulletin*, 86, 420-428.
    McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass
    correlation coefficients. *Psychological Methods*, 1, 30-46.

    Examples
    --------
    >>> ratings = pd.DataFrame([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8],
    ...                         [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]])
    >>> result = als.icc(ratings)  # In R: psych::ICC(ratings)
    >>> round(float(result.table.loc["Single_random_raters", "icc"]), 3)
    0.29
    """
    confidence = check_number("confidence", confidence, 0, 1, low_open=True, high_open=True)
    frame = as_item_frame(data, min_items=2, min_rows=2, allow_constant=True,
                          what="ratings")
    missing = frame.isna().any(axis=1).to_numpy()
    if missing.any():
        rows = list(frame.index[missing])
        shown = ", ".join(map(str, rows[:5])) + (" ..." if len(rows) > 5 else "")
        raise AnalysisError(f"{len(rows)} target(s) lack a rating (rows {shown}): the ICC "
                            "needs every cell (as psych::ICC); rate them or leave them out "
                            "explicitly", rows=rows[:20])
    values = frame.to_numpy(dtype=float)
    if not np.ptp(values) > 0:
        raise AnalysisError("every rating is the same: the intraclass correlation is "
                            "undefined")
    return ICCResult(table=icc_forms(values, confidence), n_obs=len(values),
                     n_judges=values.shape[1], confidence=confidence)
