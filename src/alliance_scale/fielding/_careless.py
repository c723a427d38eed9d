"""Careless-responding indices per respondent: longstring, IRV, reverse-item inconsistency, D2.

One job: compute, for every respondent of an administration, the usual screening indices of
careless (insufficient-effort) responding and flag those beyond documented cut-offs. Nothing
is filtered: the result has one row per input row, in the same order, and the analyst decides.

Hand-written rather than taken from a library: the indices are a few lines of numpy each, none
of the library's dependencies computes them, and the reverse-item index needs the scale's
keys. Formulas follow R's ``careless`` package (Yentes & Wilhelm) where it has one:
``longstring`` (longest run), ``irv`` (SD with n - 1), ``mahad`` (Mahalanobis D2 with a
chi-square p); ``tests/fixtures/careless_reference.R`` checks them against base R. The
covariance matrix, its positive-definiteness test and the reversal of reverse-keyed answers
are the library's own (:mod:`..psychometrics._correlation._correlation`,
:mod:`..psychometrics._keys`), not re-implemented here.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._checks import as_item_frame, check_codes, check_integer, check_number
from .._results import Result, result
from .._warn import warn_user
from ..errors import AllianceScaleWarning, AnalysisError, OptionError
from ..instrument._scale import Scale
from ..psychometrics._correlation._correlation import is_positive_definite, pairwise_covariance
from ..psychometrics._distributions import chi2_sf
from ..psychometrics._keys import reverse_codes

__all__ = ["CarelessResult", "careless"]

#: The flag columns of :attr:`CarelessResult.indices`, one per index.
FLAG_COLUMNS = ("flag_longstring", "flag_irv", "flag_inconsistency", "flag_mahalanobis")


@result
class CarelessResult(Result):
    """Careless-responding indices and flags, one row per respondent (input order kept).

    Attributes
    ----------
    indices : DataFrame
        Index = the input's index. Columns: ``answered`` (items answered), ``longstring``,
        ``irv``, ``inconsistency``, ``mahalanobis`` (D2), ``mahalanobis_df``,
        ``mahalanobis_p``, one ``flag_*`` column per index, ``n_flags`` (how many indices
        flag the respondent) and ``flagged`` (at least one flag).
    cutoffs : dict
        The cut-off applied for each index (label -> value).
    n_flagged : int
        Number of respondents with at least one flag (a property, from ``indices``).

    Examples
    --------
    >>> screen = als.careless(als.load_pilot(), als.draft_scale())
    >>> sorted(screen.indices.columns)[:3]
    ['answered', 'flag_inconsistency', 'flag_irv']
    """

    indices: pd.DataFrame
    cutoffs: dict[str, Any]

    @property
    def n_flagged(self) -> int:
        """Number of respondents with at least one flag."""
        return int(self.indices["flagged"].sum())

    @property
    def flagged_ids(self) -> list[Any]:
        """Ids of the flagged respondents, in input order, always as text (as
        :func:`~alliance_scale.read_responses` gives ids), whatever the input's index:
        ``"20"`` for the label ``20`` of a DataFrame indexed by integers; a tuple of texts
        for a MultiIndex (REDCap record and event). The labels themselves:
        ``indices.index[indices["flagged"]]``.

        Examples
        --------
        >>> screen = als.careless(als.load_pilot(), als.draft_scale())  # integer index
        >>> screen.flagged_ids[:3]
        ['20', '40', '43']
        """
        labels = self.indices.index[self.indices["flagged"].to_numpy()]
        return [tuple(str(part) for part in label) if isinstance(label, tuple)
                else str(label) for label in labels]

    def to_frame(self) -> pd.DataFrame:
        """The per-respondent table (indices, flags, ``n_flags``, ``flagged``)."""
        return self.indices

    def _summary(self) -> dict[str, Any]:
        summary: dict[str, Any] = {"respondents": len(self.indices),
                                   "flagged": self.n_flagged}
        for column in FLAG_COLUMNS:
            summary[column] = int(self.indices[column].sum())
        summary.update({f"cut-off {k}": v for k, v in self.cutoffs.items()})
        return summary


# --------------------------------------------------------------------------------------------
# the indices (each on a float array, respondents x items, NaN = missing)


def longstring(values: np.ndarray) -> np.ndarray:
    """Longest run of identical consecutive answers per row (Johnson 2005).

    Missing answers are skipped: the run is computed over the answered items, in
    administration order (a missing answer neither breaks nor extends a run). A row with no
    answer gets 0. As R ``careless::longstring`` on complete rows.

    Parameters
    ----------
    values : ndarray, shape (n, k)
        Answers, respondents x items in administration order, NaN = missing.

    Returns
    -------
    ndarray of int, shape (n,)
        Length of each row's longest run.
    """
    missing = np.isnan(values)
    order = np.argsort(missing, axis=1, kind="stable")  # answered items first, order kept
    compact = np.take_along_axis(values, order, axis=1)
    answered = ~np.take_along_axis(missing, order, axis=1)
    position = np.arange(values.shape[1])
    starts = np.ones(values.shape, dtype=bool)
    starts[:, 1:] = compact[:, 1:] != compact[:, :-1]
    run_start = np.maximum.accumulate(np.where(starts, position, 0), axis=1)
    run_length = np.where(answered, position - run_start + 1, 0)
    return run_length.max(axis=1, initial=0).astype(int)


def intra_individual_variability(values: np.ndarray) -> np.ndarray:
    """Intra-individual response variability: SD (n - 1 denominator) of a row's answers.

    Dunn, Heggestad, Shanock & Theilgard (2018); as R ``careless::irv`` with
    ``na.rm = TRUE``.

    Parameters
    ----------
    values : ndarray, shape (n, k)
        Answers, respondents x items, NaN = missing.

    Returns
    -------
    ndarray of float, shape (n,)
        Each row's SD of its answers; NaN for rows with fewer than 2 answers.
    """
    counts = (~np.isnan(values)).sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(values, axis=1, ddof=1)
    return np.where(counts >= 2, sd, np.nan)


def reverse_inconsistency(
    values: np.ndarray, scale_items: list[Any], response_range: tuple[int, int]
) -> np.ndarray:
    """Mean absolute gap between positively keyed and rescored reverse-keyed answers.

    For each facet that has items of both key directions, the gap is
    ``|mean(positively keyed answers) - mean(min + max - reverse-keyed answers)|`` over the
    answered items; the index is the mean of these gaps over the facets where both means
    exist. An attentive respondent gives a small gap; straight-lining at the agree end or
    random answering gives a large one.

    Parameters
    ----------
    values : ndarray, shape (n, k)
        Answers, respondents x items (in the order of ``scale_items``), NaN = missing.
    scale_items : list of ScaleItem
        The scale's items (``keyed`` and ``facet`` are used).
    response_range : (int, int)
        Lowest and highest response code, for the reversal ``min + max - x``.

    Returns
    -------
    ndarray of float, shape (n,)
        The index; NaN when no facet has both key directions (or none answered).
    """
    low, high = response_range
    rescored = values.copy()
    keyed = np.array([item.keyed for item in scale_items])
    rescored[:, keyed < 0] = reverse_codes(rescored[:, keyed < 0], low, high)
    facets = [item.facet for item in scale_items]
    gaps = []
    for facet in sorted(set(facets)):
        in_facet = np.array([f == facet for f in facets])
        positive, negative = in_facet & (keyed > 0), in_facet & (keyed < 0)
        if positive.any() and negative.any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                gaps.append(np.abs(np.nanmean(rescored[:, positive], axis=1)
                                   - np.nanmean(rescored[:, negative], axis=1)))
    if not gaps:
        return np.full(values.shape[0], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(np.column_stack(gaps), axis=1)


def mahalanobis(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mahalanobis D2 of each row from the item means, with df and chi-square p.

    Meade & Craig (2012); as R ``careless::mahad`` for complete data. Means and covariances
    use every available answer (pairwise-complete covariance); a respondent with missing
    answers is measured on the items answered, with the matching sub-matrix, and df = the
    number of items answered. Returns NaN for everyone, with a warning, when the covariance
    matrix is not positive definite (e.g. fewer respondents than items).

    Parameters
    ----------
    values : ndarray, shape (n, k)
        Answers, respondents x items, NaN = missing.

    Returns
    -------
    d2 : ndarray of float, shape (n,)
        Squared Mahalanobis distance (NaN for a row without answers).
    df : ndarray of int, shape (n,)
        Items answered (the chi-square degrees of freedom).
    p : ndarray of float, shape (n,)
        Chi-square upper-tail probability of ``d2`` with ``df`` degrees of freedom.
    """
    n, k = values.shape
    d2 = np.full(n, np.nan)
    df = (~np.isnan(values)).sum(axis=1)
    covariance = pairwise_covariance(values)[0]
    if np.isnan(covariance).any() or not is_positive_definite(covariance):
        warn_user(
            f"Mahalanobis distances not computed: the item covariance matrix of {n} "
            f"respondents x {k} items is not positive definite (e.g. too few respondents "
            "for the number of items)",
            AllianceScaleWarning,
        )
        return d2, df, np.full(n, np.nan)
    centred = values - np.nanmean(values, axis=0)
    patterns = pd.DataFrame(np.isnan(values)).groupby(list(range(k)), sort=False).indices
    for pattern, rows in patterns.items():
        observed = ~np.asarray(pattern, dtype=bool)
        if not observed.any():
            continue
        sub = centred[np.ix_(rows, np.flatnonzero(observed))]
        solved = np.linalg.solve(covariance[np.ix_(observed, observed)], sub.T)
        d2[rows] = np.einsum("ij,ji->i", sub, solved)
    p = np.where(df > 0, chi2_sf(d2, np.maximum(df, 1)), np.nan)
    return d2, df, p


# --------------------------------------------------------------------------------------------


def _check_cutoffs(
    longstring_cutoff: int,
    irv_cutoff: float | None,
    irv_quantile: float | None,
    inconsistency_cutoff: float,
    mahalanobis_alpha: float,
) -> None:
    """The cut-offs of :func:`careless`, through the validation layer (names each one)."""
    check_integer("longstring_cutoff", longstring_cutoff, 2)
    if irv_cutoff is not None:
        check_number("irv_cutoff", irv_cutoff, 0.0)
    if irv_quantile is not None:
        check_number("irv_quantile", irv_quantile, 0.0, 1.0, low_open=True, high_open=True)
    check_number("inconsistency_cutoff", inconsistency_cutoff, 0.0, low_open=True)
    check_number("mahalanobis_alpha", mahalanobis_alpha, 0.0, 1.0, low_open=True, high_open=True)


def _flags(
    table: pd.DataFrame,
    longstring_cutoff: int,
    irv_cutoff: float | None,
    irv_quantile: float | None,
    inconsistency_cutoff: float,
    mahalanobis_alpha: float,
) -> dict[str, Any]:
    """Add the ``flag_*``, ``n_flags`` and ``flagged`` columns; return the cut-offs used."""
    irv = table["irv"].to_numpy()
    irv_flag = np.zeros(len(table), dtype=bool)
    cutoffs: dict[str, Any] = {"longstring >=": int(longstring_cutoff)}
    if irv_cutoff is not None:
        irv_flag |= irv < irv_cutoff
        cutoffs["irv <"] = float(irv_cutoff)
    if irv_quantile is not None:
        threshold = float(np.nanquantile(irv, irv_quantile))
        irv_flag |= irv < threshold
        cutoffs[f"irv < quantile {irv_quantile:g}"] = threshold
    cutoffs["inconsistency >="] = float(inconsistency_cutoff)
    cutoffs["mahalanobis p <"] = float(mahalanobis_alpha)

    table["flag_longstring"] = table["longstring"].to_numpy() >= longstring_cutoff
    table["flag_irv"] = irv_flag
    table["flag_inconsistency"] = table["inconsistency"].to_numpy() >= inconsistency_cutoff
    table["flag_mahalanobis"] = table["mahalanobis_p"].to_numpy() < mahalanobis_alpha
    table["n_flags"] = table[list(FLAG_COLUMNS)].sum(axis=1).astype(int)
    table["flagged"] = table["n_flags"].to_numpy() > 0
    return cutoffs


def careless(
    responses: pd.DataFrame,
    scale: Scale,
    *,
    longstring_cutoff: int | None = None,
    irv_cutoff: float | None = 0.25,
    irv_quantile: float | None = None,
    inconsistency_cutoff: float = 2.0,
    mahalanobis_alpha: float = 0.001,
) -> CarelessResult:
    """Screen an administration for careless responding (flags only; nothing is dropped).

    Indices, per respondent, on the scale's items in administration order:

    - ``longstring``: longest run of identical consecutive answers (Johnson 2005), missing
      answers skipped. Flagged when ``>= longstring_cutoff`` (default: half the items,
      rounded up).
    - ``irv``: intra-individual response variability, the SD (n - 1) of the respondent's
      answers (Dunn et al. 2018). Flagged when ``< irv_cutoff`` (default .25 scale points:
      nearly no variation) and/or below the sample ``irv_quantile`` when one is given.
    - ``inconsistency``: for each facet with both positively and reverse-keyed items,
      ``|mean(positive) - mean(min + max - reversed)|``, averaged over such facets. Flagged
      when ``>= inconsistency_cutoff`` (default 2 scale points). NaN (never flagged) when the
      scale has no facet with both key directions.
    - ``mahalanobis``: D2 from the item means with the (pairwise-complete) item covariance,
      on the items answered; ``mahalanobis_p`` its chi-square upper tail with df = items
      answered (Meade & Craig 2012). Flagged when ``p < mahalanobis_alpha`` (default .001).

    Missing answers: every index uses the items the respondent answered (``answered``
    column); a respondent with no answer gets longstring 0 and NaN elsewhere, unflagged.

    Parameters
    ----------
    responses : DataFrame
        Respondents in rows; must contain every item column of ``scale`` (other columns,
        e.g. WAI scores, are ignored). Answers coded ``scale.min_value..scale.max_value``.
    scale : Scale
        The questionnaire (item order, keys, facets, response codes).
    longstring_cutoff : int, optional
        Flag a run this long or longer (>= 2). Default ``ceil(items / 2)``.
    irv_cutoff : float or None, default 0.25
        Flag an IRV strictly below this value; None for no fixed cut-off.
    irv_quantile : float or None, default None
        Also flag an IRV strictly below this sample quantile (e.g. .05), in (0, 1).
    inconsistency_cutoff : float, default 2.0
        Flag an inconsistency at or above this many scale points (> 0).
    mahalanobis_alpha : float, default 0.001
        Flag a Mahalanobis p-value below this level, in (0, 1).

    Returns
    -------
    CarelessResult
        ``indices`` (one row per input row, same index and order), ``cutoffs``,
        ``n_flagged``.

    Raises
    ------
    AnalysisError
        If an item column is missing, non-numeric, constant or outside the response codes
        (message names the column and rows), or a cut-off is invalid (message names it).

    References
    ----------
    Johnson, J. A. (2005). Ascertaining the validity of individual protocols from web-based
    personality inventories. Journal of Research in Personality, 39, 103-129.
    Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey data.
    Psychological Methods, 17, 437-455.
    Dunn, A. M., Heggestad, E. D., Shanock, L. R., & Theilgard, N. (2018). Intra-individual
    response variability as an indicator of insufficient effort responding. Journal of
    Business and Psychology, 33, 105-121.

    Examples
    --------
    >>> pilot = als.load_pilot()  # SYNTHETIC, with 10 injected careless respondents
    >>> screen = als.careless(pilot, als.draft_scale())
    >>> screen.n_flagged
    10
    """
    if not isinstance(scale, Scale):
        raise OptionError(f"scale must be a Scale, got {type(scale).__name__}")
    if not isinstance(responses, pd.DataFrame):
        raise OptionError(f"responses must be a pandas DataFrame, got "
                            f"{type(responses).__name__}")
    absent = [i for i in scale.item_ids if i not in responses.columns]
    if absent:
        raise AnalysisError(f"responses lack {len(absent)} item column(s) of the scale: "
                            f"{', '.join(absent[:10])}", column=absent[0])
    if longstring_cutoff is None:
        longstring_cutoff = math.ceil(len(scale.items) / 2)
    _check_cutoffs(longstring_cutoff, irv_cutoff, irv_quantile, inconsistency_cutoff,
                   mahalanobis_alpha)

    # constant items are fine here: longstring and IRV need no variance, and Mahalanobis
    # distances then come back NaN with a warning
    items = as_item_frame(responses[scale.item_ids], what="responses", allow_constant=True)
    values = items.to_numpy()
    check_codes(values, scale.min_value, scale.max_value, items=scale.item_ids,
                rows=items.index)

    table = pd.DataFrame(index=responses.index)
    table["answered"] = (~np.isnan(values)).sum(axis=1)
    table["longstring"] = longstring(values)
    table["irv"] = intra_individual_variability(values)
    table["inconsistency"] = reverse_inconsistency(values, list(scale.items),
                                                   (scale.min_value, scale.max_value))
    d2, df, p = mahalanobis(values)
    table["mahalanobis"], table["mahalanobis_df"], table["mahalanobis_p"] = d2, df, p
    cutoffs = _flags(table, longstring_cutoff, irv_cutoff, irv_quantile, inconsistency_cutoff,
                     mahalanobis_alpha)
    return CarelessResult(indices=table, cutoffs=cutoffs)
