"""Sample statistics of ordinal items for WLSMV: thresholds, polychorics and their NACOV.

A WLSMV fit of ordered items (lavaan's ``estimator = "WLSMV"``) works on three sample
quantities, computed here as ``lavaan`` 0.6.14 computes them (``muthen1984()`` called from
``lav_samplestats_from_data()``; no exogenous covariates, no sampling weights, one group;
listwise complete rows by default, or every row with ``missing="pairwise"``, see below):

- **thresholds** (``lavInspect(fit, "sampstat")$th``): for each item, ``qnorm`` of the
  cumulative proportions of its *observed* categories, numbered 1..K in the order of their
  codes (lavaan turns each ordered column into a factor of its observed values: an unused
  code, e.g. no 3 among 1, 2, 4, 5, gives no threshold, unlike psych's global thresholds).
  lavaan's ``lav_uvord_fit()`` starts ``nlminb`` at these values, which are the maximum
  likelihood estimates, and stays there (measured: 9e-16 on bfi).
- **polychoric correlations** (``lavInspect(fit, "sampstat")$cov``, ``lavCor(x, ordered =)``):
  two-step (Olsson 1979), each pair's rho maximising the likelihood of its contingency table
  with the thresholds above fixed, bounded to [-.999, .999] (``lav_bvord_cor_twostep_fit()``).
  Two rules of lavaan for 2 x 2 tables (both items binary) are followed: one empty cell gets
  .5 added and its neighbours adjusted to keep the margins (``zero.add = c(.5, 0)``,
  ``zero.keep.margins = TRUE``: larger tables get nothing added); ``a d = b c`` gives rho = 0
  and two thresholds exactly 0 give the closed form ``-cos(2 pi a / N)``. Two empty cells in a
  2 x 2 table (lavaan: rho = +/-1, then a Gamma with non-finite values and an error in DWLS)
  are refused here.
- **NACOV**, the asymptotic covariance matrix of ``sqrt(N)`` times these statistics
  (``lavInspect(fit, "gamma")``, ``fit@SampleStats@NACOV``), by Muthen's (1984) and Muthen &
  Satorra's (1995) estimating-equation argument: with ``s_n`` the case-wise scores of the
  univariate threshold likelihoods and of each pair's bivariate likelihood in rho,
  ``A`` the block-triangular matrix of their cross products (``A11``: each item's
  thresholds, ``A21``: rho with the two items' thresholds, ``A22``: diagonal),
  ``NACOV = N * A^-1 (sum_n s_n s_n') A^-T``.

Order of the statistics (``OrdinalStatistics.vector()``, the rows of ``nacov``): lavaan's
``WLS.obs``: every threshold, item by item in column order (``A1|t1``, ``A1|t2``, ...), then
the polychorics as ``lav_matrix_vech(R, diagonal = FALSE)`` (column-wise lower triangle:
``A1~~A2``, ``A1~~A3``, ..., ``A2~~A3``, ...).

N versus N - 1 in lavaan's WLSMV (read in lavaan 0.6.14's code, checked on bfi)
-------------------------------------------------------------------------------
- ``NACOV`` uses ``N`` (the number of complete rows): ``lav_samplestats_from_data()`` sets
  ``NACOV <- CAT$WLS.W * nobs`` where ``CAT$WLS.W = A^-1 (sum_n s_n s_n') A^-T`` is the
  covariance of the statistics themselves; it multiplies by ``nobs / (nobs - 1)`` only under
  ``gamma.n.minus.one = TRUE``, which is FALSE by default. ``nacov`` here is that matrix.
- DWLS weights: ``WLS.VD <- 1 / diag(CAT$WLS.W * nobs)``, i.e. ``WLS.V = diag(1 / diag(NACOV))``
  with the same ``N`` (checked: ``lavInspect(fit, "wls.v")`` equals it exactly on bfi).
- The ``N - 1`` is in the fit function: ``lav_model_objective()`` gives, for every estimator
  other than ML-type, DLS, PML, FML and MML (so for WLS, DWLS, ULS, GLS),
  ``fx_g = 0.5 * (N_g - 1) / N_g * F_g`` with ``F_g = (s - sigma)' W (s - sigma)``, and
  ``lav_model_test()`` takes ``chisq_g = 2 * N_g * fx_g = (N_g - 1) * F_g``. So lavaan's
  standard WLSMV chi-square is ``(N - 1) * F_DWLS`` (measured on bfi, five factors:
  ``(N - 1) F = 6055.9405 = fitMeasures(fit, "chisq")``), where ``N * F`` gives 6058.43.
  ``lav_test_satorra_bentler()`` then scales that statistic with ``U Gamma`` computed from
  ``NACOV`` as is (``U = W - W Delta (Delta' W Delta)^-1 Delta' W``; no ``N`` inside; the
  shift is ``df - a * trace(U Gamma)``, ``a = sqrt(df / trace((U Gamma)^2))``; per-group shares
  ``N_g / N``); only ``mimic = "Mplus"`` rescales Gamma by ``(N - 1) / N``. Checked on six bfi
  items, one factor: ``a chi2 + df - a trace(U Gamma)`` = ``chisq.scaled`` (152.1738).
- Standard errors: ``lav_model_vcov()`` divides the sandwich ``NVarCov`` by
  ``ntotal - ngroups`` (i.e. ``N - 1`` in one group) for every estimator that is not ML, PML or
  FML with a normal likelihood, so DWLS / WLSMV robust SEs use ``N - 1`` too
  (``lav_model_nvcov_robust_sem()``: ``NVarCov = E^-1 Delta' W Gamma W Delta E^-1``,
  ``E = Delta' W Delta``, ``Gamma = NACOV``). Checked on the same fit: ``vcov(fit)`` equals
  ``NVarCov / (N - 1)`` to 5e-12 (``NVarCov / N``: 4e-4 off).

Missing answers (lavaan's ``missing = "pairwise"``, read in 0.6.14's ``muthen1984()``)
-------------------------------------------------------------------------------------
Every row answering at least one item is kept (``N`` counts them; lavaan drops the empty
ones too). Each item's thresholds come from the rows answering it, each pair's table and
rho from the rows answering both, and in the NACOV a missing answer scores 0: lavaan fills
the score matrix with NA there and ``lav_matrix_crossprod()`` sums with ``na.rm = TRUE``, so
``A11``, ``A21`` and ``A22`` are sums over the rows answering, and a respondent who skipped
one item of a pair still moves that pair's rho through the other item's thresholds
(``- A22^-1 A21 A11^-1 s_th``). Here that is one more "missing" category per item, whose
scores are 0.

Where this differs from lavaan: lavaan's categories are the levels of the factor made from the
whole column, so a category seen only in rows that listwise deletion drops stops lavaan
("some categories of variable ... are empty"); here the categories are those of the complete
rows. lavaan's retry of a failed ``nlminb`` (bounds +/-.995, no gradient) has no counterpart
(the scoring here does not fail), nor its floor of ``sqrt(eps)`` on cell probabilities inside
the rho likelihood (it acts only on an observed cell with probability below 1.5e-8); the
scores do follow lavaan there (such cells contribute nothing).

Why hand-written: no Python library estimates these (semopy's DWLS weights come from the raw
codes' fourth moments); lavaan loops over the item pairs in R, building an
``N x (thresholds + pairs)`` score matrix column by column, then multiplies dense matrices of
that order (78 s of a 170 s WLSMV fit of 72 items at n = 320). Here every score depends on a
respondent only through the categories chosen, so the scores, ``A11``, ``A21`` and ``A22``
are computed on contingency tables, for all pairs at once (numpy; no loop over respondents or
pairs, one short loop over items to number their categories); the one step on the
respondents is the product ``IF' IF`` of the ``N x (thresholds + pairs)`` matrix of influence
values ``IF = S A^-T`` (one BLAS call), gathered from per-item and per-pair tables. The
thresholds, contingency tables, bivariate normal probabilities and the rho fit are those of
:mod:`alliance_scale.psychometrics._correlation._correlation` (:func:`~alliance_scale.polychoric`'s
internals), given each item's observed categories.

References
----------
Muthen, B. (1984). A general structural equation model with dichotomous, ordered
categorical, and continuous latent variable indicators. Psychometrika, 49, 115-132.
Muthen, B., & Satorra, A. (1995). Technical aspects of Muthen's LISCOMP approach to
estimation of latent variable relations with a comprehensive measurement model.
Psychometrika, 60, 489-503.
Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
coefficient. Psychometrika, 44, 443-460.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr

from ..._checks import as_item_frame, check_choice, code_problems
from ..._results import Result, result
from ..._warn import warn_user
from ...errors import AllianceScaleWarning, AnalysisError, EmptyCellWarning, OptionError
from .._correlation._correlation import (
    MAX_CATEGORIES,
    _cell_grids,
    _fit_rho,
    _pair_tables,
    _pearson_start,
    _thresholds,
)

__all__ = ["EMPTY_CELL_EXPECTED", "OrdinalStatistics", "ordinal_statistics",
           "warn_empty_cells"]

#: lavaan's bounds of a polychoric correlation (nlminb's lower / upper in
#: lav_bvord_cor_twostep_fit).
_RHO_BOUND = 0.999
#: lavaan drops a respondent's bivariate scores where the cell probability is this small.
_TINY = np.sqrt(np.finfo(float).eps)


@result
class OrdinalStatistics(Result):
    """Thresholds, polychoric correlations and their asymptotic covariance (lavaan's NACOV).

    Attributes
    ----------
    names : tuple of str
        Item names, in the data's column order.
    n_obs : int
        Respondents used: the rows answering every item (listwise), or at least one item
        (pairwise).
    thresholds : tuple of ndarray
        Per item, its increasing thresholds (one fewer than its observed categories), on the
        standard normal scale.
    correlation : ndarray, shape (p, p)
        Polychoric correlations, unit diagonal.
    nacov : ndarray, shape (q, q) or (q,)
        Asymptotic covariance of ``sqrt(n_obs)`` times :meth:`vector` (lavaan's NACOV,
        ``lavInspect(fit, "gamma")``; ``N``, not ``N - 1``: see the module docstring); only
        its diagonal when computed with ``diagonal=True``.
    empty_cells : tuple of (str, str)
        Item pairs whose contingency table has an empty cell (earlier item first), as
        lavaan's ``zero.cell.tables``.
    missing : {"listwise", "pairwise"}
        How missing answers were handled.
    unexpected_empty : tuple of (str, str, float)
        The pairs among ``empty_cells`` with an empty cell where the fitted bivariate
        normal (the polychoric model) expects at least ``min_expected`` answers, and the
        largest such expected count: structural zeros rather than chance.
    min_expected : float
        The expected count above which an empty cell counts as unexpected.
    """

    names: tuple[str, ...]
    n_obs: int
    thresholds: tuple[np.ndarray, ...]
    correlation: np.ndarray
    nacov: np.ndarray
    empty_cells: tuple[tuple[str, str], ...]
    missing: str = "listwise"
    unexpected_empty: tuple[tuple[str, str, float], ...] = ()
    min_expected: float = 10.0

    def vector(self) -> np.ndarray:
        """The statistics in lavaan's ``WLS.obs`` order (the order of ``nacov``).

        Returns
        -------
        ndarray, shape (q,)
            Every threshold, item by item, then the polychorics of the column-wise lower
            triangle (``lav_matrix_vech(R, diagonal = FALSE)``).
        """
        upper = np.triu_indices(len(self.names), 1)  # row-wise upper = column-wise lower
        return np.concatenate([*self.thresholds, self.correlation[upper]])

    def labels(self) -> list[str]:
        """lavaan's names of the statistics (``names(lavInspect(fit, "wls.obs"))``).

        Returns
        -------
        list of str
            ``"A1|t1"`` ... for thresholds, ``"A1~~A2"`` ... for correlations.
        """
        cuts = [f"{name}|t{k + 1}" for name, tau in zip(self.names, self.thresholds, strict=True)
                for k in range(len(tau))]
        first, second = np.triu_indices(len(self.names), 1)
        pairs = zip(first, second, strict=True)
        return cuts + [f"{self.names[i]}~~{self.names[j]}" for i, j in pairs]

    def to_frame(self) -> pd.DataFrame:
        """Each statistic with its standard error ``sqrt(diag(nacov) / n_obs)``."""
        frame = pd.DataFrame(
            {"estimate": self.vector(),
             "se": np.sqrt((self.nacov if self.nacov.ndim == 1 else np.diag(self.nacov))
                           / self.n_obs)},
            index=self.labels(),
        )
        frame.index.name = "statistic"
        return frame

    def _summary(self) -> dict[str, object]:
        return {
            "items": len(self.names),
            "respondents (complete rows)" if self.missing == "listwise" else
            "respondents (answering an item)": self.n_obs,
            "thresholds": sum(len(t) for t in self.thresholds),
            "pairs with empty cells": len(self.empty_cells),
            f"of which unexpected (expected count >= {self.min_expected:g})":
                len(self.unexpected_empty),
        }


#: Default expected count (under the fitted bivariate normal) from which an empty cell of a
#: polychoric table is reported: a Poisson count with mean 10 is 0 with probability 4.5e-5,
#: so data from a model that holds almost never show one, even over thousands of cells
#: (with 5, simulated true models of 60 items showed a few: P = .007 per cell).
EMPTY_CELL_EXPECTED = 10.0


def ordinal_statistics(data: pd.DataFrame, missing: str = "listwise", *,
                       min_expected: float = EMPTY_CELL_EXPECTED,
                       warn: bool = True, diagonal: bool = False) -> OrdinalStatistics:
    """Thresholds, polychoric correlations and their NACOV, as lavaan's WLSMV computes them.

    The sample statistics of a WLSMV fit of ordered items and their asymptotic covariance
    matrix (Muthen 1984; Muthen & Satorra 1995), equal to lavaan 0.6.14's
    ``lavInspect(fit, "sampstat")`` and ``lavInspect(fit, "gamma")`` for
    ``cfa(..., ordered = names(x), estimator = "WLSMV")`` (see the module docstring for the
    algorithm, the order of the statistics and lavaan's ``N`` / ``N - 1`` conventions).

    Parameters
    ----------
    data : DataFrame or 2-D array
        Respondents x items, integer category codes; missing answers as NaN. Each item's
        categories are the codes observed in the rows used, in increasing order (at most
        10 per item, the limit of :func:`~alliance_scale.polychoric`); any codes will do
        (1..5, 0..4, 10, 20, ...).
    missing : {"listwise", "pairwise"}, default "listwise"
        Use only the rows answering every item (lavaan's default), or every row answering
        at least one item, each statistic on the answers it involves (lavaan's
        ``missing = "pairwise"``; see the module docstring).
    min_expected : float, default 10
        An empty cell is reported (``unexpected_empty``, and the warning) when the fitted
        bivariate normal of its pair expects at least this many answers there; 0 reports
        every pair with an empty cell. Empty cells expected to be empty by chance
        (sampling zeros) are normal on Likert data and leave lavaan's estimates as they are.
    warn : bool, default True
        Issue the :class:`~alliance_scale.EmptyCellWarning` (analyses that compute the
        statistics per group issue one summary instead).
    diagonal : bool, default False
        Compute only the diagonal of the NACOV (``nacov`` is then a vector of length q):
        all DWLS and ULS need, in memory linear in the statistics instead of quadratic.

    Returns
    -------
    OrdinalStatistics
        ``names``, ``n_obs``, ``thresholds``, ``correlation``, ``nacov``, ``empty_cells``,
        ``missing``; ``vector()`` gives the statistics in the order of ``nacov``.

    Raises
    ------
    AnalysisError
        Non-numeric or non-integer codes, fewer than two rows, an item constant among
        them, two items never answered together (pairwise), an item with more than 10
        categories, two binary items perfectly associated (two empty cells in their 2 x 2
        table). Each names the item(s).

    Warns
    -----
    EmptyCellWarning
        Once, when some pairs of items have an empty cell where at least
        ``min_expected`` answers are expected (lavaan computes the same statistics
        without a warning, ``zero.cell.warn = FALSE``).
    AllianceScaleWarning
        When a polychoric correlation exceeds .99 in absolute value (as lavaan warns).

    Examples
    --------
    Three four-point items cut at -1, 0, 1 from latent correlations .5, .4 and .3:

    >>> from alliance_scale.psychometrics._cfa._ordinal import ordinal_statistics
    >>> rng = np.random.default_rng(1)
    >>> latent = rng.multivariate_normal(
    ...     [0, 0, 0], [[1, .5, .4], [.5, 1, .3], [.4, .3, 1]], size=2000)
    >>> codes = 1 + (latent[:, :, None] > [-1, 0, 1]).sum(axis=2)
    >>> stats = ordinal_statistics(pd.DataFrame(codes, columns=["a", "b", "c"]))
    >>> stats.n_obs, stats.nacov.shape
    (2000, (12, 12))
    >>> # In R: lavaan::lavInspect(fit, "sampstat")  (fit: a WLSMV cfa, ordered = all items)
    >>> print(np.round(stats.thresholds[0], 3))
    [-0.978 -0.008  0.978]
    >>> print(np.round(stats.correlation, 3))
    [[1.    0.482 0.424]
     [0.482 1.    0.294]
     [0.424 0.294 1.   ]]
    >>> # In R: lavaan::lavInspect(fit, "gamma")
    >>> print(np.round(np.diag(stats.nacov)[-3:], 3))
    [0.781 0.926 1.083]
    >>> print(stats.to_frame().round(3).tail(3))
               estimate     se
    statistic
    a~~b          0.482  0.020
    a~~c          0.424  0.022
    b~~c          0.294  0.023
    """
    return _ordinal_statistics(data, missing, min_expected, warn,
                               "diagonal" if diagonal else "full")[0]


def _ordinal_statistics(data: pd.DataFrame, missing: str, min_expected: float, warn: bool,
                        nacov: str) -> tuple[OrdinalStatistics, np.ndarray | None]:
    """:func:`ordinal_statistics` with the NACOV ``"full"``, its ``"diagonal"``, or
    ``"factored"``: the diagonal in the result and the influence matrix ``IF`` beside it
    (``NACOV = n_obs IF' IF``, never formed: the WLSMV fit's traces and products need only
    ``IF``, a q x n matrix instead of q x q, 9 MB instead of 100 MB for the pilot)."""
    check_choice("missing", missing, ("listwise", "pairwise"))
    if isinstance(min_expected, bool) or not isinstance(min_expected, (int, float)) or not (
            np.isfinite(min_expected) and min_expected >= 0):
        raise OptionError(f"min_expected must be a count >= 0; got {min_expected!r}")
    items = as_item_frame(data)
    if missing == "listwise":
        items = as_item_frame(items.dropna(), what="data (rows answering every item)")
    else:
        items = as_item_frame(items[items.notna().any(axis=1).to_numpy()],
                              what="data (rows answering an item)")
    names = tuple(str(c) for c in items.columns)
    codes, levels = _observed_categories(items)
    categories = int(levels.max())
    cuts = _thresholds(codes, categories)  # +inf beyond each item's own thresholds
    first, second = np.triu_indices(len(names), 1)
    tables = _pair_tables(codes, categories)[first, second]
    _refuse_unpaired(tables, first, second, names)
    rho = _two_step_rho(codes, tables, cuts, levels, first, second, names)
    correlation = np.eye(len(names))
    correlation[first, second] = correlation[second, first] = rho
    empty = _empty_cell_pairs(tables, levels, first, second, names)
    unexpected = _unexpected_empty(tables, levels, cuts, rho, first, second, names,
                                   float(min_expected))
    if warn:
        warn_empty_cells(len(rho), len(empty), unexpected, float(min_expected))
    _warn_near_one(rho, first, second, names)
    influence = _influence(codes, levels, cuts, rho, tables, first, second)
    n = len(influence)
    if nacov == "full":
        matrix = influence.T @ influence
        matrix *= n  # in place: the same products as n * (...), without a second matrix
        matrix = _symmetrised(matrix)
    else:  # DWLS / ULS weights need only the variances: O(n q), not O(q^2)
        matrix = n * np.einsum("ij,ij->j", influence, influence)
    thresholds = tuple(cuts[j, : levels[j] - 1].copy() for j in range(len(names)))
    for array in (*thresholds, correlation, matrix):
        array.setflags(write=False)
    return OrdinalStatistics(
        names=names, n_obs=len(items), thresholds=thresholds, correlation=correlation,
        nacov=matrix, empty_cells=tuple(empty), missing=missing,
        unexpected_empty=tuple(unexpected), min_expected=float(min_expected),
    ), (influence if nacov == "factored" else None)


def _refuse_unpaired(tables: np.ndarray, first: np.ndarray, second: np.ndarray,
                     names: tuple[str, ...]) -> None:
    """Refuse two items that no respondent answered both of (their rho is undefined)."""
    alone = np.flatnonzero(tables.sum(axis=(1, 2)) == 0)
    if alone.size:
        i, j = first[alone[0]], second[alone[0]]
        raise AnalysisError(
            f"items {names[i]!r} and {names[j]!r} are never answered together: their "
            "polychoric correlation is undefined", column=names[j])


def _observed_categories(items: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0..K_j-1 numbering each item's observed categories in order (-1 for a missing
    answer), and each K_j.

    Refuses codes that are not integers and items with more than ``MAX_CATEGORIES``
    observed categories (the limit of :func:`~alliance_scale.polychoric`), naming the item.
    """
    values = items.to_numpy()
    not_integer, _ = code_problems(values, -np.inf, np.inf)
    if not_integer.any():
        j = int(np.argmax(not_integer.any(axis=0)))
        raise AnalysisError(
            f"ordinal items need integer category codes; found {values[not_integer[:, j], j][0]:g}",
            column=str(items.columns[j]), rows=list(items.index[not_integer[:, j]]),
        )
    codes = np.empty(values.shape, dtype=np.int64)
    levels = np.empty(values.shape[1], dtype=np.int64)
    for j in range(values.shape[1]):  # one np.unique per item
        answered = ~np.isnan(values[:, j])
        observed, inverse = np.unique(values[answered, j], return_inverse=True)
        codes[:, j] = -1
        codes[answered, j] = inverse.ravel()
        levels[j] = len(observed)
        if levels[j] > MAX_CATEGORIES:
            raise AnalysisError(
                f"item has {levels[j]} categories; ordinal items may have at most "
                f"{MAX_CATEGORIES}: treat it as continuous", column=str(items.columns[j]),
            )
    return codes, levels


def _two_step_rho(
    codes: np.ndarray,
    tables: np.ndarray,
    cuts: np.ndarray,
    levels: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    names: tuple[str, ...],
) -> np.ndarray:
    """Each pair's polychoric correlation as lavaan's ``lav_bvord_cor_twostep_fit``."""
    fitted = tables.copy()
    binary = np.flatnonzero((levels[first] == 2) & (levels[second] == 2))
    corner = fitted[binary, :2, :2]  # a view's copy: the 2 x 2 tables
    zeros = (corner == 0).sum(axis=(1, 2))
    if (zeros >= 2).any():
        pair = binary[np.argmax(zeros >= 2)]
        raise AnalysisError(
            f"items {names[first[pair]]!r} and {names[second[pair]]!r} are binary and "
            "perfectly associated (two empty cells in their 2 x 2 table): their polychoric "
            "correlation is +/-1 and its sampling variance is undefined; drop one of them",
            column=names[second[pair]],
        )
    # One empty cell: lavaan adds .5 to it, keeping the margins (zero.keep.margins).
    diagonal_empty = (corner[:, 0, 0] == 0) | (corner[:, 1, 1] == 0)
    sign = np.where(diagonal_empty, 0.5, -0.5) * (zeros == 1)
    corner += sign[:, None, None] * np.array([[1.0, -1.0], [-1.0, 1.0]])
    fitted[binary, :2, :2] = corner
    start = _pearson_start(codes)[first, second]
    rho = np.clip(_fit_rho(fitted, cuts[first], cuts[second], start), -_RHO_BOUND, _RHO_BOUND)
    # lavaan's closed forms for 2 x 2 tables (no optimisation).
    a, b, c, d = corner[:, 0, 0], corner[:, 0, 1], corner[:, 1, 0], corner[:, 1, 1]
    independent = a * d == b * c
    median = ~independent & (cuts[first[binary], 0] == 0) & (cuts[second[binary], 0] == 0)
    rho[binary[independent]] = 0.0
    rho[binary[median]] = -np.cos(2 * np.pi * a[median] / (a + b + c + d)[median])
    return rho


def _warn_near_one(
    rho: np.ndarray, first: np.ndarray, second: np.ndarray, names: tuple[str, ...]
) -> None:
    """Warn, as lavaan's ``lav_samplestats_step2`` does, when some ``|rho|`` exceeds .99."""
    near = np.flatnonzero(np.abs(rho) > 0.99)
    if near.size:
        i, j = first[near[0]], second[near[0]]
        more = f" (and {near.size - 1} other pair(s))" if near.size > 1 else ""
        warn_user(
            f"the polychoric correlation of items {names[i]!r} and {names[j]!r} is "
            f"{rho[near[0]]:.3f}{more}: (nearly) 1 in absolute value, the items may be "
            "redundant",
            AllianceScaleWarning,
        )


def _unexpected_empty(
    tables: np.ndarray, levels: np.ndarray, cuts: np.ndarray, rho: np.ndarray,
    first: np.ndarray, second: np.ndarray, names: tuple[str, ...], min_expected: float,
) -> list[tuple[str, str, float]]:
    """Pairs with an empty cell whose expected count under the fitted bivariate normal
    (thresholds and polychoric correlation) is at least ``min_expected``."""
    if not len(rho):
        return []
    probabilities, _ = _cell_grids(rho, cuts[first], cuts[second])
    categories = np.arange(tables.shape[1])
    inside = ((categories[None, :, None] < levels[first][:, None, None])
              & (categories[None, None, :] < levels[second][:, None, None]))
    expected = probabilities * tables.sum(axis=(1, 2))[:, None, None]
    worst = np.where((tables == 0) & inside, expected, -1.0).max(axis=(1, 2))
    hit = np.flatnonzero((worst >= min_expected) & (worst >= 0))
    return [(names[first[k]], names[second[k]], float(worst[k])) for k in hit]


def warn_empty_cells(pairs: int, empty: int, unexpected: list | tuple,
                     min_expected: float, where: str = "") -> None:
    """One :class:`EmptyCellWarning` summarising the empty cells of an analysis."""
    if not unexpected:
        return
    worst = sorted(unexpected, key=lambda u: -u[2])
    shown = ", ".join(f"{u[0]!r} x {u[1]!r}{u[3] if len(u) > 3 else ''} "
                      f"({u[2]:.1f} expected)" for u in worst[:3])
    more = f" and {len(worst) - 3} more" if len(worst) > 3 else ""
    warn_user(
        f"{len(worst)} of {pairs} item pair(s){where} have an empty cell where the polychoric "
        f"model expects {min_expected:g} or more answers ({shown}{more}): for them the "
        "latent bivariate normal does not fit the table, so their polychoric correlations, "
        "and the estimates and fit built on them, may be biased (collapse rare categories, "
        f"or check the items). {empty} pair(s) have empty cells in all; the other "
        f"{empty - len(worst)} are empty by chance (harmless: computed as lavaan). The "
        "threshold is empty_cell_expected (min_expected of ordinal_statistics; 0 reports "
        "every empty cell)",
        EmptyCellWarning,
    )


def _empty_cell_pairs(
    tables: np.ndarray,
    levels: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    names: tuple[str, ...],
) -> list[tuple[str, str]]:
    """The pairs whose table (each item's observed categories) has an empty cell."""
    categories = np.arange(tables.shape[1])
    inside = ((categories[None, :, None] < levels[first][:, None, None])
              & (categories[None, None, :] < levels[second][:, None, None]))
    empty = ((tables == 0) & inside).any(axis=(1, 2))
    return [(names[i], names[j]) for i, j in zip(first[empty], second[empty], strict=True)]


def _influence(
    codes: np.ndarray,
    levels: np.ndarray,
    cuts: np.ndarray,
    rho: np.ndarray,
    tables: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
) -> np.ndarray:
    """``IF = S A^-T`` of lavaan's NACOV ``N * IF' IF`` (see the module docstring): one row
    per respondent, one column per statistic.

    Every row of the score matrix ``S`` depends on a respondent only through the categories
    chosen, so ``IF`` is gathered from per-item and per-pair tables of influence values; a
    missing answer (code -1) is one more category, the last, whose scores are 0.
    """
    n, p = codes.shape
    categories = cuts.shape[1] + 1
    # Univariate: scores u[j, c, k] = d log P(category c) / d tau_k; A11 per item.
    counts = (codes[:, :, None] == np.arange(categories)).sum(axis=0).astype(float)  # not -1
    scores = _threshold_scores(cuts)
    a11 = np.einsum("jc,jck,jcl->jkl", counts, scores, scores)
    padded = np.arange(categories - 1)[None, :] >= (levels - 1)[:, None]
    a11[:, np.arange(categories - 1), np.arange(categories - 1)] += padded  # invertible
    a11_inverse = np.linalg.inv(a11)
    item_influence = scores @ a11_inverse  # (p, K, K-1): rows of S_th A11^-1

    # Bivariate: d log P_ab / d rho, A22 and A21 (rho with each item's thresholds).
    probability, slope = _cell_grids(rho, cuts[first], cuts[second])
    usable = probability > _TINY  # lavaan sets scores to NA (then 0) below sqrt(eps)
    safe = np.where(usable, probability, 1.0)
    rho_score = np.where(usable, slope / safe, 0.0)
    weight = tables * rho_score / safe
    a22 = (tables * rho_score**2).sum(axis=(1, 2))
    a21_first = ((weight[:, :-1, :] - weight[:, 1:, :])
                 * _bivariate_threshold_slopes(cuts[first], cuts[second], rho)).sum(axis=2)
    a21_second = ((weight[:, :, :-1] - weight[:, :, 1:]).transpose(0, 2, 1)
                  * _bivariate_threshold_slopes(cuts[second], cuts[first], rho)).sum(axis=2)
    # A21 A11^-1 s_th, as tables over each item's categories.
    correction_first = np.einsum(
        "mak,mkl,ml->ma", scores[first], a11_inverse[first], a21_first)
    correction_second = np.einsum(
        "mbk,mkl,ml->mb", scores[second], a11_inverse[second], a21_second)
    pair_influence = (rho_score - correction_first[:, :, None]
                      - correction_second[:, None, :]) / a22[:, None, None]

    if (codes < 0).any():
        # A missing answer (-1) becomes one more category, the last: it has no score of its
        # own, and in a pair only the answered item's threshold path is left.
        item_influence = np.concatenate(
            [item_influence, np.zeros((p, 1, categories - 1))], axis=1)
        pair_influence = np.pad(pair_influence, ((0, 0), (0, 1), (0, 1)))
        pair_influence[:, :-1, -1] = -correction_first / a22[:, None]
        pair_influence[:, -1, :-1] = -correction_second / a22[:, None]
        codes = np.where(codes < 0, categories, codes)
    width = pair_influence.shape[1]
    kept = ~padded.ravel()
    n_thresholds = int(kept.sum())
    influence = np.empty((n, n_thresholds + len(rho)))
    influence[:, :n_thresholds] = (
        item_influence[np.arange(p), codes].reshape(n, -1)[:, kept])
    cells = codes[:, first] * width + codes[:, second]
    influence[:, n_thresholds:] = pair_influence.reshape(len(rho), -1)[np.arange(len(rho)),
                                                                         cells]
    return influence


#: Rows and columns per block of the cache-friendly passes over a q x q matrix.
_BLOCK = 256


def _symmetrised(matrix: np.ndarray) -> np.ndarray:
    """``(matrix + matrix.T) / 2`` in place, block by block: the same numbers (each entry
    is ``(a + b) / 2`` of the same two values) without the transposed pass over the whole
    matrix and its two temporaries (100 MB each for 80 items), three times faster."""
    q = matrix.shape[0]
    for start in range(0, q, _BLOCK):
        stop = min(q, start + _BLOCK)
        for other in range(start, q, _BLOCK):
            end = min(q, other + _BLOCK)
            block = (matrix[start:stop, other:end] + matrix[other:end, start:stop].T) / 2.0
            matrix[start:stop, other:end] = block
            matrix[other:end, start:stop] = block.T
    return matrix


def _threshold_scores(cuts: np.ndarray) -> np.ndarray:
    """``u[j, c, k] = d log P(item j answers c) / d tau_jk`` (items x K x K-1).

    ``(delta(k, c) - delta(k, c - 1)) phi(tau_k) / P(c)``: category ``c`` lies between
    thresholds ``c - 1`` and ``c``. Zero for categories an item does not have.
    """
    items, inner = cuts.shape
    bounds = np.concatenate([np.full((items, 1), -np.inf), cuts, np.full((items, 1), np.inf)],
                            axis=1)
    probability = np.diff(ndtr(bounds), axis=1)  # items x K
    density = _normal_density(cuts)
    sign = np.eye(inner + 1, inner) - np.eye(inner + 1, inner, k=-1)  # (c, k)
    safe = np.where(probability > 0, probability, np.inf)
    return sign[None] * density[:, None, :] / safe[:, :, None]


def _bivariate_threshold_slopes(
    own: np.ndarray, other: np.ndarray, rho: np.ndarray
) -> np.ndarray:
    """``d P(own category, other category b) / d tau_own,k`` without its sign (pairs x K-1 x K).

    ``phi(tau_k) [Phi((t_b - rho tau_k) / R) - Phi((t_b-1 - rho tau_k) / R)]``, ``t`` the other
    item's category bounds, ``R = sqrt(1 - rho^2)``: the cell's upper threshold ``k`` adds it,
    its lower threshold subtracts it. Zero at an infinite (padding) threshold.
    """
    pairs = len(rho)
    finite = np.where(np.isfinite(own), own, 0.0)[:, :, None]
    bounds = np.concatenate(
        [np.full((pairs, 1), -np.inf), other, np.full((pairs, 1), np.inf)], axis=1
    )[:, None, :]
    r = rho[:, None, None]
    conditional = ndtr((bounds - r * finite) / np.sqrt(1.0 - r * r))
    return _normal_density(own)[:, :, None] * np.diff(conditional, axis=2)


def _normal_density(x: np.ndarray) -> np.ndarray:
    """Standard normal density, 0 at infinite arguments."""
    finite = np.isfinite(x)
    z = np.where(finite, x, 0.0)
    return np.where(finite, np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi), 0.0)
