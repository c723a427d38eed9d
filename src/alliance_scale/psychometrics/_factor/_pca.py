"""Principal components analysis with rotation, as R's ``psych::principal``.

Applied papers often report psych's PCA with varimax; a reviewer rerunning one needs the
same table. The components are the leading eigenvectors of the correlation matrix scaled
by the square roots of their eigenvalues; psych then rotates them (varimax by default),
orders them by their sums of squared loadings, reflects each to a positive sum and names
them ``PC`` (unrotated), ``RC`` (orthogonal rotations, promax, biquartimin) or ``TC``
(GPArotation's oblique rotations). Written here rather than taken from scikit-learn
because psych's scaling, ordering, naming, communalities (those of the unrotated
components), promax (R's ``stats::promax``, without psych's Kaiser step) and fit
statistics are what reviewers compare with; the rotations are :func:`rotate`'s.

References
----------
Revelle, W. (2022). psych: Procedures for Psychological, Psychometric, and Personality
Research (version 2.2.9), function ``principal``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg

from ..._checks import as_item_frame, check_integer
from ..._results import Report, Result, format_table, result
from ...errors import AnalysisError
from ._efa import (
    _aligned_target,
    _prepare,
    _print_options,
    _variance_table,
    fit_statistics,
)
from ._fa_print import fit_lines, loadings_table, r_round, sort_order
from ._rotation import canonical_rotation, promax, rotate

__all__ = ["PCAResult", "principal"]

#: psych names rotated components "RC" after these rotations, "TC" after the others.
_RC_ROTATIONS = frozenset({"varimax", "quartimax", "bentlerT", "geominT", "targetT",
                           "bifactor", "equamax", "promax", "biquartimin"})


@result
class PCAResult(Result):
    """Principal components, as printed by ``psych::principal``.

    ``print(result)`` shows psych's printout; ``result.summary(cut=0.3, sort=True)`` is R's
    ``print(principal(...), cut = .3, sort = TRUE)``.

    Attributes
    ----------
    loadings : DataFrame
        Component loadings (items x components), rotated; columns ``PC``, ``RC`` or
        ``TC`` followed by the component's position before ordering (psych's names).
    phi : DataFrame or None
        Component correlations after an oblique rotation.
    communalities : Series
        ``h2``: row sums of the squared unrotated loadings (psych's ``communality``).
    eigenvalues : Series
        All eigenvalues of the correlation matrix (psych's ``values``).
    fit : Mapping
        Read-only fit statistics (as ``psych::factor.stats(fm = "pc")``): ``rmsr``,
        ``empirical_chi2``, ``empirical_p_value``, ``fit``, ``fit_off``, ``dof``,
        ``objective``... (see :func:`~alliance_scale.psychometrics._factor._efa.fit_statistics`).
    rotation : str
    cor : str
    n_obs : int or None
    correlation : DataFrame
    uniquenesses : Series
        ``u2 = diag(R) - h2``; computed.
    complexity : Series
        Hofmann's complexity of each item; computed.
    variance : DataFrame
        psych's ``Vaccounted``; computed.
    structure : DataFrame
        ``L Phi``; computed.

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> items = sorted(c for c in pilot.columns if c[:2] in ("A1", "B1"))
    >>> pca = als.principal(pilot[items], 2)  # In R: p <- psych::principal(x, 2)
    >>> print(pca.variance.round(2))  # In R: p$Vaccounted
                            RC1   RC2
    SS loadings            4.54  4.25
    Proportion Var         0.25  0.24
    Cumulative Var         0.25  0.49
    Proportion Explained   0.52  0.48
    Cumulative Proportion  0.52  1.00
    >>> print(pca.summary(cut=0.3, sort=True))  # In R: print(p, cut = .3, sort = TRUE)
    Principal Components Analysis
    Call: principal(data, n_components=2, rotation='varimax', cor='pearson')
    ...
    Fit based upon off diagonal values = 0.97
    """

    loadings: pd.DataFrame
    phi: pd.DataFrame | None
    communalities: pd.Series
    eigenvalues: pd.Series
    fit: Mapping[str, Any]
    rotation: str
    cor: str
    n_obs: int | None
    correlation: pd.DataFrame

    def __post_init__(self) -> None:
        object.__setattr__(self, "fit", MappingProxyType(dict(self.fit)))

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "fit": dict(self.fit)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "fit", MappingProxyType(dict(self.fit)))

    @property
    def uniquenesses(self) -> pd.Series:
        """``u2 = diag(R) - h2``."""
        diagonal = np.diag(self.correlation.to_numpy())
        return pd.Series(diagonal - self.communalities.to_numpy(),
                         index=self.communalities.index, name="u2")

    @property
    def complexity(self) -> pd.Series:
        """Hofmann's (1978) complexity of each item: ``(sum l^2)^2 / sum l^4``."""
        squared = self.loadings**2
        return (squared.sum(axis=1) ** 2 / (squared**2).sum(axis=1)).rename("complexity")

    @property
    def variance(self) -> pd.DataFrame:
        """psych's ``Vaccounted`` (SS loadings, proportions of variance)."""
        phi = None if self.phi is None else self.phi.to_numpy()
        return _variance_table(self.loadings.to_numpy(), phi, self.loadings.columns)

    @property
    def structure(self) -> pd.DataFrame:
        """Structure loadings ``L Phi`` (the loadings when orthogonal)."""
        if self.phi is None:
            return self.loadings.copy()
        return self.loadings @ self.phi.to_numpy()

    def to_frame(self, sort: bool = False) -> pd.DataFrame:
        """Loadings with ``h2``, ``u2`` and ``complexity``; ``sort`` as ``psych::fa.sort``."""
        frame = self.loadings.copy()
        frame["h2"] = self.communalities
        frame["u2"] = self.uniquenesses
        frame["complexity"] = self.complexity
        return frame.iloc[sort_order(self.loadings)] if sort else frame

    def summary(self, cut: float = 0.0, sort: bool = False, digits: int = 2) -> Report:
        """psych's printout of ``principal`` (loadings, h2, u2, com, variance, fit lines).

        Parameters
        ----------
        cut : float, default 0
            Loadings below ``cut`` in absolute value are printed blank.
        sort : bool, default False
            Order items as ``psych::fa.sort``.
        digits : int, default 2
            Decimals, as psych's ``digits``.

        Returns
        -------
        Report
        """
        cut, sort, digits = _print_options(cut, sort, digits)
        extra = pd.DataFrame({"h2": self.communalities, "u2": self.uniquenesses,
                              "com": self.complexity})
        k = self.loadings.shape[1]
        blocks: list[str | pd.DataFrame] = [
            f"Call: principal(data, n_components={k}, rotation={self.rotation!r}, "
            f"cor={self.cor!r})",
            "Standardized loadings (pattern matrix) based upon correlation matrix",
            loadings_table(self.loadings, extra, cut=cut, sort=sort, digits=digits,
                           extra_digits={"com": max(digits - 1, 1)}),
            "", format_table(self.variance, digits),
        ]
        if self.phi is not None:
            blocks += ["", "With component correlations of", format_table(self.phi, digits)]
        blocks += ["", f"Mean item complexity = {r_round(self.complexity.mean(), 1)}",
                   fit_lines(self.fit, k, self.n_obs, components=True, digits=digits)]
        return Report("Principal Components Analysis", tuple(blocks), max_rows=None)

    def _report(self) -> Report:
        return self.summary()

    def scores(self, data: pd.DataFrame) -> pd.DataFrame:
        """Component scores, as ``principal(..., scores = TRUE)$scores``.

        The weights are ``R^-1 S`` (``S`` the structure loadings, R the analysed
        correlation matrix); the scores are the answers standardised by their column mean
        and SD times the weights (NaN for a respondent with a missing answer).

        Parameters
        ----------
        data : DataFrame
            Responses with the analysed items as columns.

        Returns
        -------
        DataFrame
            One row per row of ``data``, one column per component.
        """
        absent = [item for item in self.loadings.index if item not in data.columns]
        if absent:
            raise AnalysisError("item(s) missing from data: " + ", ".join(map(str, absent)))
        items = as_item_frame(data[list(self.loadings.index)])
        weights = np.linalg.solve(self.correlation.to_numpy(), self.structure.to_numpy())
        standard = (items - items.mean()) / items.std()
        return pd.DataFrame(standard.to_numpy() @ weights, index=data.index,
                            columns=self.loadings.columns)


def principal(
    data: pd.DataFrame | np.ndarray | None = None,
    n_components: int = 1,
    *,
    cor_matrix: pd.DataFrame | np.ndarray | None = None,
    rotation: str = "varimax",
    cor: str = "pearson",
    n_obs: int | None = None,
    missing: str = "pairwise",
    gamma: float = 0.0,
    delta: float = 0.01,
    target: pd.DataFrame | np.ndarray | None = None,
    simplimax_k: int | None = None,
) -> PCAResult:
    """Principal components analysis with rotation, as ``psych::principal``.

    The loadings of the first ``n_components`` components are the eigenvectors of the
    correlation matrix times the square roots of their eigenvalues; they are rotated
    (varimax by default), ordered by their sums of squared loadings and reflected to
    positive sums, as psych does. ``h2`` are the communalities of the unrotated
    components (rotation leaves them unchanged).

    Parameters
    ----------
    data : DataFrame or ndarray
        Responses (respondents x items), or (with ``n_obs``) a correlation matrix.
    n_components : int, default 1
        Number of components (1 .. number of items).
    cor_matrix : DataFrame or ndarray, optional
        A correlation matrix instead of ``data``.
    rotation : str, default "varimax"
        Any of :data:`~alliance_scale.ROTATIONS` (see :func:`~alliance_scale.rotate`).
        As psych's ``principal``, ``"promax"`` is R's ``stats::promax`` (varimax with
        Kaiser normalisation inside, no extra row normalisation), unlike ``fa``'s.
    cor : {"pearson", "polychoric"}, default "pearson"
        Correlations of responses (psych's ``"cor"`` / ``"poly"`` accepted).
    n_obs : int, optional
        Respondents behind a correlation matrix (for the empirical chi-square).
    missing : {"pairwise", "listwise"}, default "pairwise"
        Pairwise-complete correlations (psych's default) or complete rows only.
    gamma, delta, target, simplimax_k
        Options of the rotation, as in :func:`~alliance_scale.efa`.

    Returns
    -------
    PCAResult

    Raises
    ------
    OptionError
        Bad options, ``n_components`` outside 1 .. number of items.
    AnalysisError
        Bad data, a pair of items never answered together.

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> items = sorted(c for c in pilot.columns if c[:2] in ("A1", "B1"))
    >>> pca = als.principal(pilot[items], 2)  # In R: psych::principal(x, 2)
    >>> print(pca.loadings.round(2).head(3))
            RC1   RC2
    A1a_1  0.20  0.71
    A1a_2  0.13  0.66
    A1a_3  0.08  0.47
    >>> print(pca.communalities.round(2).head(3))
    A1a_1    0.54
    A1a_2    0.45
    A1a_3    0.23
    Name: h2, dtype: float64
    """
    name = canonical_rotation(rotation)
    check_integer("n_components", n_components, 1)
    correlation, names, n_obs, _, source, _ = _prepare(data, cor_matrix, cor, n_obs, missing)
    p = len(names)
    check_integer("n_components", n_components, 1, p)
    values, vectors = scipy.linalg.eigh(correlation)
    values, vectors = values[::-1], vectors[:, ::-1]
    loadings = vectors[:, :n_components] * np.sqrt(
        np.maximum(values[:n_components], np.finfo(float).eps))
    communalities = np.sum(loadings**2, axis=1)
    loadings = loadings * _signs(loadings)
    k = n_components
    prefix = "PC" if name == "none" or k == 1 else ("RC" if name in _RC_ROTATIONS else "TC")
    options = {"gamma": gamma, "delta": delta, "simplimax_k": simplimax_k,
               "target": _aligned_target(target, names)}
    if name == "promax" and k > 1:
        pattern, phi = promax(loadings, kaiser=False)
    else:
        pattern, phi = rotate(loadings, rotation, **options)
    order = np.arange(k) if k == 1 else np.argsort(-np.sum(pattern**2, axis=0), kind="stable")
    pattern = pattern[:, order]
    signs = _signs(pattern)
    pattern = pattern * signs
    if phi is not None:
        phi = phi[np.ix_(order, order)] * np.outer(signs, signs)
    columns = [f"{prefix}{j + 1}" for j in order]
    return PCAResult(
        loadings=pd.DataFrame(pattern, index=names, columns=columns),
        phi=None if phi is None else pd.DataFrame(phi, index=columns, columns=columns),
        communalities=pd.Series(communalities, index=names, name="h2"),
        eigenvalues=pd.Series(values, index=pd.RangeIndex(1, p + 1, name="component"),
                              name="eigenvalue"),
        fit=fit_statistics(correlation, pattern, phi, n_obs),
        rotation=rotation,
        cor=source,
        n_obs=n_obs,
        correlation=pd.DataFrame(correlation, index=names, columns=names),
    )


def _signs(loadings: np.ndarray) -> np.ndarray:
    """psych's reflection: each column to a positive sum (a zero sum is left as is)."""
    signs = np.sign(loadings.sum(axis=0))
    signs[signs == 0] = 1.0
    return signs

