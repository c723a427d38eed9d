"""The distribution functions the analyses need, from ``scipy.special`` alone.

``scipy.stats`` costs about 0.3 s to import (its distributions build their docstrings at
import), more than most analyses it serves: ``validate()`` on the bundled pilot needs only
a handful of tail probabilities and quantiles. Each function here is what
``scipy.stats.<distribution>.<method>`` computes (the same ``scipy.special`` function,
with its handling of the support's bounds and of invalid parameters), so the values are
the same bit for bit (``tests/psychometrics/test_distributions.py`` compares them on grids
with the edge cases). Heavier needs (non-central t, rank tests) still import
``scipy.stats`` where they are used.
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__: list[str] = []


def _finish(out: np.ndarray) -> np.ndarray | np.float64:
    """A 0-d result as a numpy scalar, as ``scipy.stats`` returns it."""
    return out[()] if out.ndim == 0 else out


def _on_positive_support(x: np.ndarray, valid: np.ndarray, inside: np.ndarray,
                         at_zero: float) -> np.ndarray:
    """A CDF or survival function on ``[0, inf)``: ``inside`` for ``0 < x < inf``,
    ``at_zero`` at and below 0, ``1 - at_zero`` at ``+inf``, NaN where the parameters are
    invalid or ``x`` is NaN (``rv_continuous.cdf`` / ``sf``)."""
    out = np.where(x <= 0, at_zero, np.where(np.isposinf(x), 1.0 - at_zero, inside))
    return _finish(np.where(valid & ~np.isnan(x), out, np.nan))


def _quantile(q: np.ndarray, valid: np.ndarray, inside: np.ndarray, low: float,
              high: float) -> np.ndarray:
    """A quantile function: ``inside`` for ``0 < q < 1``, the support's bounds at 0 and 1,
    NaN elsewhere (``rv_continuous.ppf``)."""
    out = np.where((q > 0) & (q < 1), inside, np.nan)
    out = np.where(q == 0, low, np.where(q == 1, high, out))
    return _finish(np.where(valid, out, np.nan))


def norm_cdf(x: float | np.ndarray) -> np.ndarray | np.float64:
    """``scipy.stats.norm.cdf(x)``."""
    return _finish(np.asarray(special.ndtr(np.asarray(x, dtype=float))))


def norm_sf(x: float | np.ndarray) -> np.ndarray | np.float64:
    """``scipy.stats.norm.sf(x)``: ``Phi(-x)``."""
    return _finish(np.asarray(special.ndtr(-np.asarray(x, dtype=float))))


def norm_ppf(q: float | np.ndarray) -> np.ndarray | np.float64:
    """``scipy.stats.norm.ppf(q)``."""
    return _finish(np.asarray(special.ndtri(np.asarray(q, dtype=float))))


def chi2_cdf(x: float | np.ndarray, df: float | np.ndarray) -> np.ndarray | np.float64:
    """``scipy.stats.chi2.cdf(x, df)``."""
    x, df = np.asarray(x, dtype=float), np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return _on_positive_support(x, df > 0, special.chdtr(df, x), 0.0)


def chi2_sf(x: float | np.ndarray, df: float | np.ndarray) -> np.ndarray | np.float64:
    """``scipy.stats.chi2.sf(x, df)``."""
    x, df = np.asarray(x, dtype=float), np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return _on_positive_support(x, df > 0, special.chdtrc(df, x), 1.0)


def ncx2_cdf(x: float | np.ndarray, df: float | np.ndarray,
             nc: float | np.ndarray) -> np.ndarray | np.float64:
    """``scipy.stats.ncx2.cdf(x, df, nc)`` (the central chi-square where ``nc`` is 0)."""
    x, df, nc = (np.asarray(a, dtype=float) for a in (x, df, nc))
    with np.errstate(invalid="ignore"):
        inside = np.where(nc != 0, special.chndtr(x, df, nc), special.chdtr(df, x))
        valid = (df > 0) & np.isfinite(df) & (nc >= 0)
        return _on_positive_support(x, valid, inside, 0.0)


def f_ppf(q: float | np.ndarray, dfn: float | np.ndarray,
          dfd: float | np.ndarray) -> np.ndarray | np.float64:
    """``scipy.stats.f.ppf(q, dfn, dfd)``."""
    q, dfn, dfd = (np.asarray(a, dtype=float) for a in (q, dfn, dfd))
    with np.errstate(invalid="ignore"):
        return _quantile(q, (dfn > 0) & (dfd > 0), special.fdtri(dfn, dfd, q), 0.0, np.inf)


def t_sf(x: float | np.ndarray, df: float | np.ndarray) -> np.ndarray | np.float64:
    """``scipy.stats.t.sf(x, df)``."""
    x, df = np.asarray(x, dtype=float), np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        out = np.where(np.isposinf(x), 0.0, np.where(np.isneginf(x), 1.0,
                                                     special.stdtr(df, -x)))
        return _finish(np.where((df > 0) & ~np.isnan(x), out, np.nan))


def harmonic_mean(values: np.ndarray) -> np.float64:
    """``scipy.stats.hmean`` of non-negative values (one axis): ``1 / mean(1 / x)``."""
    with np.errstate(divide="ignore"):
        return np.float64(1.0 / np.mean(1.0 / np.asarray(values, dtype=float)))
