"""Factorability: KMO measure of sampling adequacy and Bartlett's test of sphericity.

Both work on a correlation matrix, as ``psych::KMO`` and ``psych::cortest.bartlett`` do,
so they accept raw answers (pairwise-complete Pearson or polychoric correlations) or a
correlation matrix with its ``n``. factor_analyzer's ``calculate_kmo`` and
``calculate_bartlett_sphericity`` give the same numbers on complete data but compute the
correlations themselves from complete raw data only; the few lines of psych's formulas
are therefore written here on the matrix (the tests check both against psych and
factor_analyzer). Raw answers become a correlation matrix in
:func:`alliance_scale.correlation_matrix`.

References
----------
Kaiser, H. F. (1974). An index of factorial simplicity. Psychometrika, 39, 31-36.
Bartlett, M. S. (1951). The effect of standardization on a chi-square approximation in
factor analysis. Biometrika, 38, 337-344.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..._results import Result, result
from ...errors import AnalysisError
from .._correlation._correlation import correlation_matrix, singular_cause, to_unit_diagonal
from .._distributions import chi2_sf

__all__ = [
    "BartlettResult",
    "KMOResult",
    "bartlett",
    "kmo",
]

def kaiser_label(value: float) -> str:
    """Kaiser's (1974) label of a measure of sampling adequacy.

    >= .90 marvelous, .80s meritorious, .70s middling, .60s mediocre, .50s miserable,
    below .50 unacceptable.
    """
    for bound, label in ((0.9, "marvelous"), (0.8, "meritorious"), (0.7, "middling"),
                         (0.6, "mediocre"), (0.5, "miserable")):
        if value >= bound:
            return label
    return "unacceptable"


def _refuse_singular(r: np.ndarray, names: list[str], need: str) -> None:
    cause = singular_cause(r, names)
    if cause is not None:
        raise AnalysisError(f"{cause}; {need}")


def _check_size(n: int | None, p: int) -> None:
    """Refuse n <= p respondents (a singular matrix); nothing to check without n."""
    if n is not None and n <= p:
        raise AnalysisError(
            f"{n} respondents for {p} items: the correlation matrix of n <= p respondents "
            "is singular; collect more answers or analyse fewer items"
        )


@result
class KMOResult(Result):
    """Kaiser-Meyer-Olkin measure of sampling adequacy (psych::KMO).

    Attributes
    ----------
    overall : float
        Overall MSA.
    items : Series
        MSA of each item.
    label : str
        Kaiser's label of the overall MSA (see :func:`kaiser_label`).

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> fit = als.kmo(pilot[["A1a_1", "A1a_2", "A1b_1", "B1a_1", "B1a_2"]])  # psych::KMO(x)
    >>> print(fit.to_frame().round(2))
            MSA     label
    A1a_1  0.70  middling
    A1a_2  0.73  middling
    A1b_1  0.71  middling
    B1a_1  0.64  mediocre
    B1a_2  0.66  mediocre
    """

    overall: float
    items: pd.Series
    label: str

    @property
    def per_item(self) -> pd.Series:
        """Deprecated name of :attr:`items` (kept so that earlier code runs)."""
        warnings.warn("KMOResult.per_item is now KMOResult.items", DeprecationWarning, stacklevel=2)
        return self.items

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({
            "MSA": self.items,
            "label": [kaiser_label(v) for v in self.items],
        })

    def _summary(self) -> dict[str, object]:
        return {"overall MSA": self.overall, "label": self.label}


@result
class BartlettResult(Result):
    """Bartlett's test that the correlation matrix is an identity (psych::cortest.bartlett).

    Attributes
    ----------
    chi2 : float
        ``-log(det R) * (n - 1 - (2p + 5) / 6)``.
    dof : int
        ``p (p - 1) / 2``.
    p_value : float
    n : int
        Number of respondents used.

    Examples
    --------
    >>> fit = als.bartlett(als.load_pilot()[["A1a_1", "A1a_2", "A1b_1"]])
    >>> fit.dof, fit.n_obs  # In R: psych::cortest.bartlett(x)
    (3, 320)
    """

    chi2: float
    dof: int
    p_value: float
    n_obs: int

    @property
    def n(self) -> int:
        """Deprecated name of :attr:`n_obs` (kept so that earlier code runs)."""
        warnings.warn("BartlettResult.n is now BartlettResult.n_obs", DeprecationWarning,
                      stacklevel=2)
        return self.n_obs

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"chi2": [self.chi2], "dof": [self.dof], "p_value": [self.p_value],
             "n_obs": [self.n_obs]}
        )

    def _summary(self) -> dict[str, object]:
        verdict = "factorable (p < .05)" if self.p_value < 0.05 else "not factorable (p >= .05)"
        return {"verdict": verdict}


def kmo(
    data: pd.DataFrame | np.ndarray | None = None,
    *,
    cor_matrix: pd.DataFrame | np.ndarray | None = None,
    cor: str = "pearson",
    n_obs: int | None = None,
) -> KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item (psych::KMO).

    ``MSA = sum r_ij^2 / (sum r_ij^2 + sum q_ij^2)`` over ``i != j``, where ``q`` are the
    partial (anti-image) correlations from the inverse of the correlation matrix
    (Kaiser 1974).

    Parameters
    ----------
    data : DataFrame or 2-D array
        Raw answers, or a correlation matrix (then ``n_obs`` is required).
    cor : {"pearson", "polychoric"}, default "pearson"
        Correlations of raw answers (pairwise complete, as psych).
    n_obs : int, optional
        Number of respondents (required with a correlation matrix).

    Returns
    -------
    KMOResult
        Overall and per-item MSA with Kaiser's label.

    Raises
    ------
    AnalysisError
        A singular correlation matrix (linearly dependent items, or n <= p); bad raw
        answers or options (see :func:`~alliance_scale.correlation_matrix`).

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> items = sorted(c for c in pilot.columns if c[:2] in ("A1", "B1"))
    >>> fit = als.kmo(pilot[items])  # In R: psych::KMO(x)
    >>> round(fit.overall, 3), fit.label
    (0.914, 'marvelous')
    >>> print(fit.items.round(2).head(3))
    A1a_1    0.93
    A1a_2    0.93
    A1a_3    0.90
    Name: MSA, dtype: float64
    """
    matrix, n, _, _ = correlation_matrix(data, cor_matrix=cor_matrix, cor=cor, n_obs=n_obs,
                                         require_n_obs=False)
    _check_size(n, len(matrix))
    r = matrix.to_numpy()
    _refuse_singular(r, list(matrix.index), "KMO needs the inverse of the correlation matrix")
    partial = to_unit_diagonal(np.linalg.inv(r))  # minus the anti-image correlations
    np.fill_diagonal(partial, 0.0)
    off = r.copy()
    np.fill_diagonal(off, 0.0)
    r2 = (off**2).sum(axis=0)
    q2 = (partial**2).sum(axis=0)
    overall = float(r2.sum() / (r2.sum() + q2.sum()))
    per_item = pd.Series(r2 / (r2 + q2), index=matrix.index, name="MSA")
    return KMOResult(overall=overall, items=per_item, label=kaiser_label(overall))


def bartlett(
    data: pd.DataFrame | np.ndarray | None = None,
    *,
    cor_matrix: pd.DataFrame | np.ndarray | None = None,
    n_obs: int | None = None,
    cor: str = "pearson",
) -> BartlettResult:
    """Bartlett's (1951) test of sphericity (psych::cortest.bartlett).

    Parameters
    ----------
    data : DataFrame or 2-D array
        Raw answers (``n`` = respondents with at least one answer), or a correlation matrix with
        ``n_obs``.
    n_obs : int, optional
        Number of respondents (required with a correlation matrix).
    cor : {"pearson", "polychoric"}, default "pearson"
        Correlations of raw answers (pairwise complete).

    Returns
    -------
    BartlettResult
        chi2, degrees of freedom, p value and n.

    Raises
    ------
    AnalysisError
        n <= p, or a correlation matrix whose determinant is not positive; bad raw answers
        or options (see :func:`~alliance_scale.correlation_matrix`).

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> items = sorted(c for c in pilot.columns if c[:2] in ("A1", "B1"))
    >>> fit = als.bartlett(pilot[items])  # In R: psych::cortest.bartlett(x)
    >>> round(fit.chi2, 1), fit.dof, fit.p_value < 0.001
    (2197.9, 153, True)
    """
    matrix, n, _, _ = correlation_matrix(data, cor_matrix=cor_matrix, cor=cor, n_obs=n_obs)
    p = len(matrix)
    _check_size(n, p)
    _refuse_singular(matrix.to_numpy(), list(matrix.index),
                     "Bartlett's test needs a positive determinant")
    _, log_det = np.linalg.slogdet(matrix.to_numpy())
    statistic = float(-log_det * (n - 1 - (2 * p + 5) / 6))
    dof = p * (p - 1) // 2
    return BartlettResult(chi2=statistic, dof=dof, p_value=float(chi2_sf(statistic, dof)), n_obs=n)
