"""Number of factors: Horn's parallel analysis (as psych::fa.parallel) and Velicer's MAP.

Why hand-written: no Python library reproduces psych's parallel analysis (principal
component *and* factor eigenvalues, simulated and resampled references, psych's counting
rule) or its MAP values. On a singular matrix (a duplicated item, a linear combination,
fewer respondents than items) some MAP values are undefined (a residual variance of 0): as
psych's ``which.min``, the minimum is taken over the defined ones, with a warning. The
factor eigenvalues use the factor extraction of :func:`alliance_scale.extract_factors` (one
implementation of minres).

References
----------
Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
Psychometrika, 30, 179-185.
Velicer, W. F. (1976). Determining the number of components from the matrix of partial
correlations. Psychometrika, 41, 321-327.
Velicer, W. F., Eaton, C. A., & Fava, J. L. (2000). Construct explication through factor or
component analysis: a review and evaluation of alternative procedures for determining the
number of factors or components. In Goffin & Helmes (Eds.), Problems and solutions in
human assessment (pp. 41-71). Kluwer.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..._checks import check_integer, check_number, check_seed
from ..._results import Result, result
from ..._warn import warn_user
from ...errors import AllianceScaleWarning, AnalysisError, NotPositiveDefiniteWarning
from .._blas import single_threaded_blas
from .._correlation._correlation import (
    _fit_polychoric,
    correlation_kind,
    correlation_matrix,
    pairwise_pearson,
    singular_cause,
    to_unit_diagonal,
)
from ._efa import extract_factors

__all__ = [
    "MAPResult",
    "ParallelAnalysisResult",
    "VSSResult",
    "map_test",
    "parallel_analysis",
    "vss",
]


def factor_eigenvalues(correlation: np.ndarray, method: str = "minres") -> np.ndarray:
    """Eigenvalues of the reduced correlation matrix, as ``psych::fa(r, 1)$values``.

    The diagonal of the correlation matrix is replaced by the communalities of a one-factor
    solution (``method``), and the eigenvalues are returned in decreasing order.

    Parameters
    ----------
    correlation : ndarray, shape (p, p)
        Correlation matrix.
    method : {"minres", "ml", "pa"}, default "minres"
        Extraction of the one-factor solution (:func:`~alliance_scale.extract_factors`).

    Returns
    -------
    ndarray, shape (p,)
        Eigenvalues of the reduced matrix, largest first.
    """
    loadings, _ = extract_factors(correlation, 1, method=method)
    reduced = np.array(correlation, dtype=float)
    np.fill_diagonal(reduced, (loadings**2).sum(axis=1))
    return np.linalg.eigvalsh(reduced)[::-1]


def _eigenvalues(correlation: np.ndarray) -> np.ndarray:
    return np.linalg.eigvalsh(correlation)[::-1]


def _leading_above(observed: np.ndarray, reference: np.ndarray) -> int:
    """psych's rule: number of leading observed eigenvalues greater than the reference."""
    below = np.flatnonzero(~(observed > reference))
    return int(below[0]) if below.size else len(observed)


@result
class ParallelAnalysisResult(Result):
    """Horn's parallel analysis, as ``psych::fa.parallel(fa = "both")``.

    Attributes
    ----------
    n_factors : int
        Leading factor eigenvalues above the simulated reference (psych's ``nfact``).
    n_components : int
        Leading component eigenvalues above the simulated reference (psych's ``ncomp``).
    table : DataFrame
        One row per factor / component number: observed eigenvalues (``pc_observed``:
        correlation matrix; ``fa_observed``: reduced matrix of a one-factor fit) and the
        ``quantile`` of the reference eigenvalues of random normal data of the same n and p
        (``*_simulated``) and of column-wise resampled answers (``*_resampled``; NaN when a
        correlation matrix was given).
    replicates : DataFrame
        All reference eigenvalues, one row per iteration (as psych's ``values``).
    quantile : float
    n_iter : int
    n_obs : int

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> fit = als.parallel_analysis(pilot[["A1a_1", "A1a_2", "A1b_1", "B1a_1"]], n_iter=5, seed=1)
    >>> fit.replicates.shape  # In R: psych::fa.parallel(x, n.iter = 5)$values
    (5, 16)
    """

    n_factors: int
    n_components: int
    table: pd.DataFrame
    replicates: pd.DataFrame
    quantile: float
    n_iter: int
    n_obs: int

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def _summary(self) -> dict[str, object]:
        return {
            "factors (parallel analysis)": self.n_factors,
            "components (parallel analysis)": self.n_components,
            "reference": f"{self.quantile:g} quantile of {self.n_iter} random data sets",
        }

    def plot(self, ax=None):
        """Scree plot of observed and reference eigenvalues (as psych's plot); returns ax."""
        from ..._lazy import pyplot

        plt = pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4.5))
        number = self.table.index.to_numpy()
        table = self.table
        ax.plot(number, table["pc_observed"], "x-", color="tab:blue", label="PC actual data")
        ax.plot(number, table["fa_observed"], "^-", color="tab:blue", label="FA actual data",
                markerfacecolor="none")
        ax.plot(number, table["pc_simulated"], ":", color="tab:red", label="PC simulated data")
        ax.plot(number, table["fa_simulated"], ":", color="tab:red", label="FA simulated data",
                alpha=0.6)
        if table["pc_resampled"].notna().any():
            ax.plot(number, table["pc_resampled"], "--", color="tab:red",
                    label="PC resampled data")
            ax.plot(number, table["fa_resampled"], "--", color="tab:red",
                    label="FA resampled data", alpha=0.6)
        ax.axhline(1.0, color="grey", linewidth=0.8)
        ax.set_xlabel("Factor / component number")
        ax.set_ylabel("Eigenvalue")
        ax.set_title(
            f"Parallel analysis: {self.n_factors} factor(s), {self.n_components} component(s)"
        )
        ax.legend(frameon=False, fontsize="small")
        return ax


def _random_normal_correlation(rng: np.random.Generator, n: int, p: int) -> np.ndarray:
    """Correlation matrix of ``n`` draws of ``p`` independent standard normal variables.

    Drawn directly from its distribution instead of from ``n x p`` normal numbers: the
    centred cross-product matrix of such data is Wishart(``n - 1``, I), drawn here by
    Bartlett's (1933) decomposition ``W = A A'`` (``A`` lower triangular, ``A_ii^2 ~
    chi2(n - i)``, ``A_ij ~ N(0, 1)`` below the diagonal), then scaled to a unit diagonal.
    Same distribution as psych's ``cor(matrix(rnorm(n * p), n))``, at O(p^2) cost (with
    fewer than ``p + 1`` respondents the data are drawn as psych does).
    """
    if n - 1 < p:  # a singular Wishart matrix: draw the data themselves
        return np.corrcoef(rng.standard_normal((n, p)), rowvar=False)
    lower = np.tril(rng.standard_normal((p, p)), -1)
    lower[np.diag_indices(p)] = np.sqrt(rng.chisquare(n - 1 - np.arange(p)))
    correlation = to_unit_diagonal(lower @ lower.T)
    np.fill_diagonal(correlation, 1.0)
    return correlation


#: Draws of a resampled data set before parallel analysis gives up (each draw that gives
#: an undefined correlation, or a constant item for polychoric correlations, is redrawn).
_MAX_DRAWS = 100


def _resampled_correlation(
    rng: np.random.Generator, values: np.ndarray, n: int, cor: str, names: list[str]
) -> np.ndarray:
    """Correlations of the answers resampled column by column with replacement (psych's
    ``sample(y, n, replace = TRUE)`` per column), redrawn while a correlation is undefined.

    Raises
    ------
    AnalysisError
        No usable sample in ``_MAX_DRAWS`` draws (names the last item or pair at fault).
    """
    p = values.shape[1]
    by_column = values.ravel(order="F")  # column j occupies [j * rows, (j + 1) * rows)
    offsets = np.arange(p) * len(values)
    for _ in range(_MAX_DRAWS):
        sample = by_column[rng.integers(0, len(values), size=(n, p)) + offsets]
        if cor == "polychoric":
            constant = _constant_column(sample)
            if constant is not None:  # a resampled item came out constant: redraw
                fault = f"item {names[constant]!r} is constant in the resampled data"
                continue
            # The answers were checked once (as_item_frame): fit the resample directly.
            matrix = _fit_polychoric(pd.DataFrame(sample)).correlation()[0]
        else:
            matrix = pairwise_pearson(sample)[0]
        bad = np.argwhere(np.isnan(matrix))
        if not bad.size:
            return matrix
        fault = (f"the correlation of items {names[bad[0, 0]]!r} and {names[bad[0, 1]]!r} "
                 "is undefined")
    raise AnalysisError(
        f"parallel analysis drew {_MAX_DRAWS} resampled data sets without a usable one "
        f"(last: {fault}); too few answers per item: use a correlation matrix with n_obs, "
        "or cor='pearson'"
    )


def _constant_column(sample: np.ndarray) -> int | None:
    """The first column with fewer than two distinct answers (what ``as_item_frame`` and
    so :func:`~alliance_scale.polychoric` refuse), or None."""
    low, high = np.fmin.reduce(sample, axis=0), np.fmax.reduce(sample, axis=0)
    constant = np.flatnonzero(~(high > low))
    return int(constant[0]) if constant.size else None


def _replicate(
    rng: np.random.Generator,
    values: np.ndarray | None,
    n: int,
    p: int,
    cor: str,
    method: str,
    names: list[str],
) -> np.ndarray:
    """One iteration: resampled PC, resampled FA, simulated PC, simulated FA eigenvalues."""
    out = np.full(4 * p, np.nan)
    if values is not None:
        matrix = _resampled_correlation(rng, values, n, cor, names)
        out[:p] = _eigenvalues(matrix)
        out[p:2 * p] = factor_eigenvalues(matrix, method)
    simulated = _random_normal_correlation(rng, n, p)
    out[2 * p:3 * p] = _eigenvalues(simulated)
    out[3 * p:] = factor_eigenvalues(simulated, method)
    return out


def parallel_analysis(
    data: pd.DataFrame | np.ndarray | None = None,
    *,
    cor_matrix: pd.DataFrame | np.ndarray | None = None,
    n_iter: int = 20,
    quantile: float = 0.95,
    cor: str = "pearson",
    seed: int | np.random.Generator | None = None,
    method: str = "minres",
    n_obs: int | None = None,
) -> ParallelAnalysisResult:
    """Horn's parallel analysis of components and factors, as ``psych::fa.parallel``.

    Observed eigenvalues of the correlation matrix (components) and of the reduced matrix
    with one-factor communalities on its diagonal (factors; ``psych::fa(r, 1)$values``)
    are compared, rank by rank, with the ``quantile`` of the eigenvalues of ``n_iter``
    random normal data sets of the same size (and, from raw answers, of data resampled
    column by column with replacement). The number of factors (components) is the number
    of leading observed eigenvalues above the simulated reference, psych's rule with
    ``fa = "both"``.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Raw answers, or a correlation matrix (then ``n_obs`` is required and there is no
        resampled reference).
    n_iter : int, default 20
        Number of random data sets.
    quantile : float, default 0.95
        Quantile of the reference eigenvalues (R's type 7).
    cor : {"pearson", "polychoric"}, default "pearson"
        Correlations of raw (and resampled) answers; simulated normal data always use
        Pearson (as psych).
    seed : int or numpy Generator, optional
        Seed of the random data; the same seed gives the same result.
    method : {"minres", "ml", "pa"}, default "minres"
        Factor extraction of the one-factor fit.
    n_obs : int, optional
        Number of respondents (required with a correlation matrix; default: rows of data).

    Returns
    -------
    ParallelAnalysisResult

    Raises
    ------
    AnalysisError
        Bad raw answers (see ``as_item_frame``), an unknown ``cor`` or ``method``,
        ``n_iter`` not an integer >= 1, ``quantile`` outside (0, 1), a correlation matrix
        without ``n_obs``, a pair of items whose correlation is undefined, or no usable
        resampled data set in 100 draws.

    Warns
    -----
    AllianceScaleWarning
        When there are no more respondents than items.

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> items = sorted(c for c in pilot.columns if c[:2] in ("A1", "B1"))
    >>> fit = als.parallel_analysis(pilot[items], n_iter=20, seed=1)  # psych::fa.parallel(x)
    >>> fit.n_factors, fit.n_components
    (3, 2)
    >>> print(fit.table[["pc_observed", "pc_simulated"]].round(2).head(3))
            pc_observed  pc_simulated
    number
    1              5.98          1.52
    2              2.80          1.38
    3              1.08          1.31
    """
    check_integer("n_iter", n_iter, minimum=1)
    check_number("quantile", quantile, 0.0, 1.0, low_open=True, high_open=True)
    cor = correlation_kind(cor)
    matrix, n, _, items = correlation_matrix(data, cor_matrix=cor_matrix, cor=cor, n_obs=n_obs)
    p = len(matrix)
    if n <= p:
        warn_user(
            f"{n} respondents for {p} items: with n <= p the correlation matrices are "
            "singular and parallel analysis is unreliable", AllianceScaleWarning,
        )
    observed = matrix.to_numpy()
    rng = check_seed("seed", seed)
    values = None if items is None else items.to_numpy()
    names = [str(name) for name in matrix.index]
    with single_threaded_blas():
        with warnings.catch_warnings():
            # Smoothing, Heywood cases and the like are expected of random data: hide the
            # library's statistical warnings only (anything else still shows).
            warnings.simplefilter("ignore", AllianceScaleWarning)
            replicates = np.vstack([
                _replicate(rng, values, n, p, cor, method, names) for _ in range(n_iter)
            ])
        pc_observed = _eigenvalues(observed)
        fa_observed = factor_eigenvalues(observed, method)
    reference = np.quantile(replicates, quantile, axis=0)
    number = pd.RangeIndex(1, p + 1, name="number")
    table = pd.DataFrame({
        "pc_observed": pc_observed,
        "pc_simulated": reference[2 * p:3 * p],
        "pc_resampled": reference[:p],
        "fa_observed": fa_observed,
        "fa_simulated": reference[3 * p:],
        "fa_resampled": reference[p:2 * p],
    }, index=number)
    columns = [f"{kind}{i}" for kind in ("C", "F", "CSim", "FSim") for i in range(1, p + 1)]
    return ParallelAnalysisResult(
        n_factors=_leading_above(fa_observed, table["fa_simulated"].to_numpy()),
        n_components=_leading_above(pc_observed, table["pc_simulated"].to_numpy()),
        table=table,
        replicates=pd.DataFrame(replicates, columns=columns),
        quantile=quantile,
        n_iter=n_iter,
        n_obs=n,
    )


@result
class MAPResult(Result):
    """Velicer's minimum average partial test (as ``psych::vss(...)$map``).

    Attributes
    ----------
    n_factors : int
        Number of components with the smallest average squared partial correlation
        (Velicer 1976; psych's choice).
    n_factors_fourth_power : int
        The same with the fourth power (Velicer, Eaton & Fava 2000).
    map : Series
        Average squared partial correlation after removing 1, 2, ... components.
    map_fourth_power : Series
        Average fourth power of the partial correlations.

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> items = sorted(c for c in pilot.columns if c[:2] in ("A1", "B1"))
    >>> fit = als.map_test(pilot[items], max_factors=3)  # In R: psych::vss(x, 3)$map
    >>> print(fit.to_frame().round(4))
                   map  map_fourth_power
    components
    1           0.0456            0.0036
    2           0.0128            0.0004
    3           0.0154            0.0006
    """

    n_factors: int
    n_factors_fourth_power: int
    map: pd.Series
    map_fourth_power: pd.Series

    _digits = 4  # MAP values differ in the third decimal

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"map": self.map, "map_fourth_power": self.map_fourth_power})

    def _summary(self) -> dict[str, object]:
        return {
            "components (MAP, squared)": self.n_factors,
            "components (MAP, 4th power)": self.n_factors_fourth_power,
        }


def _average_partials(r: np.ndarray, largest: int) -> tuple[np.ndarray, np.ndarray]:
    """Average squared and fourth-power partial correlations after removing 1..largest
    principal components (psych's ``vss`` ``map``); NaN where a residual variance is 0 or
    negative (up to rounding), where psych's are NaN or meaningless."""
    p = len(r)
    values, vectors = np.linalg.eigh(r)
    order = np.argsort(values)[::-1]
    components = vectors[:, order] * np.sqrt(np.clip(values[order], 0, None))
    squared = np.full(largest, np.nan)
    fourth = np.full(largest, np.nan)
    off = ~np.eye(p, dtype=bool)
    floor = 10 * p * np.finfo(float).eps
    for m in range(1, largest + 1):
        residual = r - components[:, :m] @ components[:, :m].T
        if np.diag(residual).min() <= floor:
            continue
        partial = to_unit_diagonal(residual)[off]
        squared[m - 1] = np.mean(partial**2)
        fourth[m - 1] = np.mean(partial**4)
    return squared, fourth


def map_test(
    data: pd.DataFrame | np.ndarray | None = None,
    *,
    cor_matrix: pd.DataFrame | np.ndarray | None = None,
    max_factors: int | None = None,
    cor: str = "pearson",
    n_obs: int | None = None,
) -> MAPResult:
    """Velicer's (1976) minimum average partial (MAP) test, as ``psych::vss``.

    For m = 1, 2, ... principal components, the partial correlations of the items after
    removing the first m components are averaged (squared, as psych, and to the fourth
    power, Velicer et al. 2000) over the off-diagonal; the number of components is the m
    with the smallest average.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Raw answers, or a correlation matrix.
    max_factors : int, optional
        Largest number of components tried (>= 1); default 8 (psych's ``vss`` default), at
        most the number of items minus 1.
    cor : {"pearson", "polychoric"}, default "pearson"
        Correlations of raw answers (pairwise-complete Pearson, or polychoric).
    n_obs : int, optional
        Number of respondents (>= 2). Accepted for symmetry with the other analyses and
        checked, but unused: MAP does not depend on the sample size, so a correlation
        matrix needs no ``n_obs``.

    Returns
    -------
    MAPResult

    Raises
    ------
    AnalysisError
        Bad raw answers (see ``as_item_frame``), an unknown ``cor``, ``max_factors`` not an
        integer >= 1, a bad ``n_obs``, a pair of items whose correlation is undefined.

    Warns
    -----
    AllianceScaleWarning
        When the minimum is at ``max_factors`` (the true minimum may lie beyond).

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> items = sorted(c for c in pilot.columns if c[:2] in ("A1", "B1"))
    >>> fit = als.map_test(pilot[items])  # In R: psych::vss(x)$map
    >>> fit.n_factors
    2
    >>> print(fit.map.round(4).head(3))
    components
    1    0.0456
    2    0.0128
    3    0.0154
    Name: map, dtype: float64
    """
    if max_factors is not None:
        check_integer("max_factors", max_factors, minimum=1)
    matrix = correlation_matrix(data, cor_matrix=cor_matrix, cor=cor, n_obs=n_obs,
                                require_n_obs=False).matrix
    r = matrix.to_numpy()
    p = len(r)
    largest = min(8 if max_factors is None else max_factors, p - 1)
    squared, fourth = _average_partials(r, largest)
    index = pd.RangeIndex(1, largest + 1, name="components")
    defined = ~np.isnan(squared)
    if not defined.any():
        raise AnalysisError(
            "the average partial correlation is undefined for every number of components "
            f"(1 to {largest}): {singular_cause(r, list(matrix.index)) or 'degenerate matrix'}"
        )
    if not defined.all():
        undefined = ", ".join(str(m) for m in index[~defined])
        warn_user(
            f"{singular_cause(r, list(matrix.index)) or 'the correlation matrix is singular'}"
            f"; the average partial correlation is undefined after {undefined} component(s) "
            "(a residual variance of 0), and the minimum is taken over the others (as "
            "psych's which.min)", NotPositiveDefiniteWarning,
        )
    n_factors = int(np.nanargmin(squared)) + 1
    if n_factors == largest < p - 1:
        warn_user(
            f"the MAP minimum is at the largest number of components tried ({largest}); "
            "the true minimum may lie beyond: rerun with a larger max_factors",
            AllianceScaleWarning,
        )
    return MAPResult(
        n_factors=n_factors,
        n_factors_fourth_power=int(np.nanargmin(fourth)) + 1,
        map=pd.Series(squared, index=index, name="map"),
        map_fourth_power=pd.Series(fourth, index=index, name="map_fourth_power"),
    )


@result
class VSSResult(Result):
    """Very simple structure (Revelle & Rocklin 1979), as ``psych::VSS``.

    Attributes
    ----------
    n_factors_vss1, n_factors_vss2 : int
        Number of factors at which the VSS fit of complexity 1 (each item keeps only its
        largest loading) and of complexity 2 (its two largest) is largest (psych's
        ``which.max``).
    n_factors_map : int
        Number of components with the smallest MAP value (Velicer 1976).
    table : DataFrame
        One row per number of factors, as psych prints it: ``vss1``, ``vss2`` (the cfit.1 /
        cfit.2 values), ``map``, then ``dof``, ``chisq``, ``prob``, ``sqresid``, ``fit``,
        ``RMSEA``, ``BIC``, ``SABIC``, ``complex``, ``eChisq``, ``SRMR``, ``eCRMS``, ``eBIC``
        (the fit of each factor solution).
    rotation, method : str
        Rotation and extraction of the factor solutions.

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> items = sorted(c for c in pilot.columns if c[:2] in ("A1", "B1"))
    >>> fit = als.vss(pilot[items], max_factors=3)  # In R: psych::VSS(x, 3)
    >>> print(fit.table[["vss1", "vss2", "map"]].round(4))
               vss1    vss2     map
    factors
    1        0.7113  0.0000  0.0456
    2        0.7517  0.8661  0.0128
    3        0.7529  0.8592  0.0154
    """

    n_factors_vss1: int
    n_factors_vss2: int
    n_factors_map: int
    table: pd.DataFrame
    rotation: str
    method: str

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def _summary(self) -> dict[str, object]:
        table = self.table
        return {
            "VSS complexity 1 achieves a maximum of":
                f"{table['vss1'].max():.2f} with {self.n_factors_vss1} factors",
            "VSS complexity 2 achieves a maximum of":
                f"{table['vss2'].max():.2f} with {self.n_factors_vss2} factors",
            "The Velicer MAP achieves a minimum of":
                f"{table['map'].min():.2f} with {self.n_factors_map} factors",
            "BIC achieves a minimum of":
                f"{table['BIC'].min():.2f} with {int(table['BIC'].idxmin())} factors",
            "Sample size adjusted BIC achieves a minimum of":
                f"{table['SABIC'].min():.2f} with {int(table['SABIC'].idxmin())} factors",
        }


def _simple_fit(loadings: np.ndarray, phi: np.ndarray, r: np.ndarray, total: float,
                complexity: int) -> float:
    """psych's ``complexmat``: each row keeps its ``complexity`` largest absolute loadings,
    the rest 0; fit of the result."""
    order = np.argsort(-np.abs(loadings), axis=1, kind="stable")[:, :complexity]
    simple = np.zeros_like(loadings)
    rows = np.arange(len(loadings))[:, None]
    simple[rows, order] = loadings[rows, order]
    residual = r - simple @ phi @ simple.T
    return 1.0 - float(np.sum(residual**2)) / total


def vss(
    data: pd.DataFrame | np.ndarray | None = None,
    *,
    cor_matrix: pd.DataFrame | np.ndarray | None = None,
    max_factors: int = 8,
    rotation: str = "varimax",
    method: str = "minres",
    cor: str = "pearson",
    n_obs: int | None = None,
) -> VSSResult:
    """Very simple structure (Revelle & Rocklin 1979) beside MAP, as ``psych::VSS``.

    For 1 to ``max_factors`` factors, a factor solution (``method``, rotated by
    ``rotation``; one factor unrotated) is simplified so that each item keeps only its
    largest loading (complexity 1) or its two largest (complexity 2); the VSS fit is
    ``1 - sum(residual^2) / sum(R^2)`` over the whole correlation matrix (diagonal
    included, psych's ``diagonal = FALSE``), the residual being ``R - S S'``: as psych
    with a factor method, the factor correlations of an oblique rotation are left out
    (psych uses them only with ``fm = "pc"``). The number of factors maximises the fit;
    MAP values (Velicer's minimum average partial, :func:`map_test`) are given beside, as
    psych prints them.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Raw answers (respondents x items), or a correlation matrix with ``n_obs``.
    cor_matrix : DataFrame or ndarray, optional
        A correlation matrix instead of ``data``.
    max_factors : int, default 8
        Largest number of factors (psych's ``n``), at most the number of items.
    rotation : str, default "varimax"
        Rotation of the solutions with 2 or more factors (any of :func:`efa`'s).
    method : {"minres", "ml", "pa"}, default "minres"
        Extraction (psych's ``fm``).
    cor : {"pearson", "polychoric"}, default "pearson"
        Correlations of raw answers (pairwise complete, as psych's ``use = "pairwise"``).
    n_obs : int, optional
        Respondents (the chi-square statistics only); default the rows of ``data``, or
        1000 for a correlation matrix (psych's default, with its message as a warning).

    Returns
    -------
    VSSResult

    Raises
    ------
    AnalysisError
        Bad answers or correlation matrix, ``max_factors`` not an integer >= 1.

    Warns
    -----
    AllianceScaleWarning
        A correlation matrix without ``n_obs`` (1000 assumed); one summary of the
        warnings of the factor solutions (Heywood cases, non-convergence), which psych
        silences.

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> items = sorted(c for c in pilot.columns if c[:2] in ("A1", "B1"))
    >>> fit = als.vss(pilot[items], max_factors=3)  # In R: psych::VSS(x, 3)
    >>> fit.n_factors_vss1, fit.n_factors_vss2, fit.n_factors_map
    (3, 2, 2)
    """
    from ._efa import efa

    check_integer("max_factors", max_factors, minimum=1)
    analysed = correlation_matrix(data, cor_matrix=cor_matrix, cor=cor, n_obs=n_obs,
                                  require_n_obs=False)
    matrix = analysed.matrix
    r = matrix.to_numpy()
    p = len(r)
    size = analysed.n_obs if n_obs is None else n_obs
    if size is None:
        if analysed.items is not None:
            size = len(analysed.items)
        else:
            warn_user("n_obs was not given with the correlation matrix and is set to 1000 "
                      "(as psych::VSS); this only affects the chi-square values",
                      AllianceScaleWarning)
            size = 1000
    largest = min(max_factors, p)
    squared, _ = _average_partials(r, min(largest, p - 1))
    map_values = np.full(largest, np.nan)
    map_values[:len(squared)] = squared
    total = float(np.sum(r**2))
    rows = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AllianceScaleWarning)
        for m in range(1, largest + 1):
            fit = efa(cor_matrix=matrix, n_factors=m, n_obs=size, method=method,
                      rotation="none" if m == 1 else rotation)
            loadings = fit.loadings.to_numpy()
            phi = np.eye(m)  # psych's vss: PHI stays diag(i) with fa() solutions
            residual = r - loadings @ phi @ loadings.T
            sqresid = float(np.sum(residual**2))
            stats = fit.fit
            dof, chisq = stats.get("dof", np.nan), stats.get("chi2", np.nan)
            squares = loadings**2
            rows.append({
                "vss1": _simple_fit(loadings, phi, r, total, 1),
                "vss2": _simple_fit(loadings, phi, r, total, 2) if m >= 2 else 0.0,
                "map": map_values[m - 1], "dof": dof, "chisq": chisq,
                "prob": stats.get("p_value", np.nan), "sqresid": sqresid,
                "fit": 1.0 - sqresid / total, "RMSEA": stats.get("rmsea", np.nan),
                "BIC": stats.get("bic", np.nan),
                "SABIC": chisq - dof * np.log((size + 2) / 24),
                "complex": float(np.mean(squares.sum(axis=1) ** 2 / (squares**2).sum(axis=1))),
                "eChisq": stats.get("empirical_chi2", np.nan), "SRMR": stats.get("rmsr", np.nan),
                "eCRMS": stats.get("crms", np.nan), "eBIC": stats.get("empirical_bic", np.nan),
            })
    if caught:
        first = str(caught[0].message)
        warn_user(f"{len(caught)} warning(s) from the factor solutions (psych::VSS silences "
                  f"them), the first: {first[:300]}", AllianceScaleWarning)
    table = pd.DataFrame(rows, index=pd.RangeIndex(1, largest + 1, name="factors"))
    return VSSResult(
        n_factors_vss1=int(np.argmax(table["vss1"].to_numpy())) + 1,
        n_factors_vss2=int(np.argmax(table["vss2"].to_numpy())) + 1,
        n_factors_map=int(np.nanargmin(table["map"].to_numpy())) + 1,
        table=table, rotation=rotation, method=method,
    )
