"""Discriminant validity of the DTA subscales: heterotrait-monotrait ratios (HTMT).

:func:`htmt` takes item answers and a model, either a mapping construct -> items (any
questionnaire) or a :class:`~alliance_scale.Scale` (its facets or dimensions). For a Scale
the reverse-keyed items are reversed first, which ``semTools::htmt`` users must do by hand
(semTools never reverses; with its default ``absolute = TRUE`` a reversed item only loses
its sign, which hides a miskeyed item). The ratios are
:func:`alliance_scale.psychometrics._correlation._htmt.htmt_ratios`; the .85 (strict) and .90
(liberal) flags are Henseler, Ringle & Sarstedt's (2015).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._checks import analysis_input, check_choice, check_flag
from .._results import Result, result
from .._warn import warn_user
from ..errors import AllianceScaleWarning, AnalysisError, OptionError
from ..instrument._scale import Scale
from ..psychometrics._correlation._correlation import CORRELATIONS, MISSING, correlation_matrix
from ..psychometrics._correlation._htmt import MEANS, htmt_ratios
from ..psychometrics._keys import split_keyed

__all__ = ["HTMTResult", "htmt"]

#: Henseler et al.'s (2015) bounds: .85 for conceptually distinct constructs, .90 otherwise.
STRICT, LIBERAL = 0.85, 0.90

#: Levels of a Scale an HTMT can be computed at.
LEVELS = ("dimension", "facet")


@result
class HTMTResult(Result):
    """Heterotrait-monotrait ratios of every pair of constructs.

    Attributes
    ----------
    matrix : DataFrame
        Constructs x constructs, 1 on the diagonal (``semTools::htmt``'s layout). This is
        ``to_frame()``.
    pairs : DataFrame
        One row per pair (``construct_1``, ``construct_2``): ``htmt``, ``above_85``
        (HTMT >= .85, the strict bound), ``above_90`` (>= .90, the liberal bound).
    model : dict of str to list of str
        The items of each construct (``"-"`` before a reverse-keyed item).
    n_obs : int or None
        Respondents behind the correlations: those with at least one answer (pairwise) or
        with every answer (listwise); None for a correlation matrix given as data.
    n_rows : int or None
        Rows of ``data`` (None for a correlation matrix).
    cor, missing, mean : str
    absolute : bool

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> model = {"medium": ["A1a_1", "A1a_3", "A1b_1"], "listened": ["C1_1", "C1_3", "C1_4"]}
    >>> result = als.htmt(pilot, model)  # In R: semTools::htmt(model, pilot, htmt2 = FALSE)
    >>> result.pairs.round(3)
                              htmt  above_85  above_90
    construct_1 construct_2
    medium      listened     0.554     False     False
    """

    matrix: pd.DataFrame
    pairs: pd.DataFrame
    model: dict[str, list[str]]
    n_obs: int | None
    n_rows: int | None
    cor: str
    missing: str
    mean: str
    absolute: bool

    _digits = 3

    def to_frame(self) -> pd.DataFrame:
        return self.matrix

    def _summary(self) -> dict[str, Any]:
        def listed(column: str) -> str:
            hits = self.pairs[self.pairs[column]]
            names = ", ".join(f"{a}-{b}" for a, b in hits.index)
            return f"{len(hits)} of {len(self.pairs)}" + (f" ({names})" if names else "")

        which = ("HTMT2: geometric means (Roemer et al. 2021; semTools::htmt's default, "
                 "htmt2 = TRUE)" if self.mean == "geometric" else
                 "HTMT: arithmetic means (Henseler et al. 2015; semTools::htmt(htmt2 = FALSE)"
                 "; semTools' default HTMT2 is mean='geometric')")
        return {
            "ratio": which,
            "HTMT": (f"{self.mean} means of {'absolute ' if self.absolute else ''}"
                     f"{self.cor} correlations ({self.missing})"),
            "respondents": ("correlation matrix given" if self.n_obs is None else
                            f"{self.n_obs} of {self.n_rows}"),
            "pairs >= .85 (strict bound)": listed("above_85"),
            "pairs >= .90 (liberal bound)": listed("above_90"),
        }


def _scale_model(scale: Scale, level: str) -> dict[str, list[str]]:
    """Signed items of each facet or dimension of ``scale`` (its keys)."""
    check_choice("level", level, LEVELS)
    names = {getattr(i, level) for i in scale.items}
    return {name: list(items) for name, items in scale.keys.items() if name in names}


def _mapping_model(model: Any) -> dict[str, list[str]]:
    if not isinstance(model, Mapping) or not model:
        raise OptionError("model must be a Scale or a non-empty mapping construct -> items; "
                          f"got {type(model).__name__}")
    out = {}
    for name, items in model.items():
        if isinstance(items, str) or not isinstance(items, Sequence):
            raise OptionError(f"model[{name!r}] must be a list of item names; got {items!r}")
        out[str(name)] = [str(i) for i in items]
    return out


def htmt(
    data: pd.DataFrame | None = None,
    model: Scale | Mapping[str, Sequence[str]] | None = None,
    *,
    cor_matrix: pd.DataFrame | None = None,
    level: str = "dimension",
    cor: str = "pearson",
    missing: str = "pairwise",
    absolute: bool = True,
    mean: str = "arithmetic",
) -> HTMTResult:
    """Heterotrait-monotrait ratios of correlations (Henseler, Ringle & Sarstedt 2015).

    ``HTMT_ij`` = mean correlation between the items of constructs i and j, divided by the
    geometric mean of the mean correlations within i and within j. Values near 1 mean the
    two constructs are not told apart: above .85 (strict bound, for conceptually distinct
    constructs) or .90 (liberal bound) discriminant validity is in doubt.

    Which HTMT: by default the original one, with **arithmetic** means of the correlations
    (Henseler et al. 2015), which is ``semTools::htmt(..., htmt2 = FALSE)``. semTools 0.5-6
    defaults to HTMT2 (``htmt2 = TRUE``: geometric means, Roemer, Schuberth & Henseler
    2021); pass ``mean="geometric"`` for it. The default stays arithmetic because the .85 /
    .90 bounds (and the verdicts of :func:`~alliance_scale.validate`) were derived for it;
    the printed result names the one computed.

    Parameters
    ----------
    data : DataFrame, optional
        Item answers (respondents x items; NaN = missing).
    model : Scale or mapping of str to list of str
        The constructs: a :class:`~alliance_scale.Scale` (its facets or dimensions, see
        ``level``; reverse-keyed items reversed first), or construct -> items, where a
        leading ``"-"`` marks a reverse-keyed item (its correlations change sign, as if its
        answers were reversed). semTools does not reverse items: to match
        ``semTools::htmt`` on raw data, give plain names (with ``absolute=True`` a reversed
        item then only loses its sign).
    cor_matrix : DataFrame, optional
        An item correlation matrix (item names on rows and columns) instead of ``data``.
    level : {"dimension", "facet"}, default "dimension"
        Constructs of a Scale.
    cor : {"pearson", "polychoric"}, default "pearson"
        ``"polychoric"`` matches ``semTools::htmt(..., ordered = items)`` (lavCor).
        ``data`` may also be an item correlation matrix (square, unit diagonal: semTools'
        ``sample.cov``), used as given.
    missing : {"pairwise", "listwise"}, default "pairwise"
        Pairwise-complete correlations (every answer used, as the library's other
        analyses), or only the respondents who answered every item of the model:
        semTools' default, so pass ``missing="listwise"`` to match it. With many items
        listwise deletion can drop many respondents (the pilot: 142 of 320 answered all
        80 items); ``n`` and ``n_rows`` say how many were used.
    absolute : bool, default True
        Absolute correlations (semTools' default).
    mean : {"arithmetic", "geometric"}, default "arithmetic"
        Henseler et al.'s HTMT (``semTools::htmt(htmt2 = FALSE)``) or HTMT2 (geometric
        means; what ``semTools::htmt`` 0.5-6 computes by default, ``htmt2 = TRUE``).

    Returns
    -------
    HTMTResult
        ``matrix`` (``to_frame()``), ``pairs`` with the .85 / .90 flags.

    Raises
    ------
    AnalysisError
        An item of the model not in ``data`` (named), a construct with fewer than 2 items
        (named), bad item data (named), fewer than 2 complete rows.
    OptionError
        A bad ``model``, ``level``, ``cor``, ``missing``, ``mean`` or ``absolute``.

    Warns
    -----
    AllianceScaleWarning
        A construct whose mean within-construct correlation is not positive (its ratios
        are NaN).

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. *Journal of the
    Academy of Marketing Science*, 43, 115-135.
    Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 - an improved criterion for
    assessing discriminant validity in structural equation modeling. *Industrial Management
    & Data Systems*, 121, 2637-2650.

    Examples
    --------
    >>> pilot = als.load_pilot()
    >>> result = als.htmt(pilot, als.draft_scale(), missing="listwise")  # dimensions
    >>> # In R (reversed items reversed first): semTools::htmt(model, pilot, htmt2 = FALSE)
    >>> result.matrix.round(3)
           A      B      C
    A  1.000  0.477  0.546
    B  0.477  1.000  0.517
    C  0.546  0.517  1.000
    >>> bool(result.pairs["above_85"].any())
    False
    """
    check_choice("cor", cor, CORRELATIONS)
    check_choice("missing", missing, MISSING)
    check_choice("mean", mean, MEANS)
    absolute = check_flag("absolute", absolute)
    if model is None:
        raise OptionError("model is needed: a Scale or a mapping construct -> items")
    signed = _scale_model(model, level) if isinstance(model, Scale) else _mapping_model(model)
    kind, data, _ = analysis_input(data, cor_matrix, None)
    matrix_given = kind == "matrix"
    if not isinstance(data, pd.DataFrame):
        raise OptionError(f"data must be a DataFrame of item answers; got "
                          f"{type(data).__name__}")
    parsed = {name: [split_keyed(e) for e in entries] for name, entries in signed.items()}
    items: list[str] = []
    sign: dict[str, int] = {}
    for name, entries in parsed.items():
        if len(entries) < 2:
            raise AnalysisError(f"construct {name!r} has {len(entries)} item(s); the HTMT needs "
                                "at least 2 per construct")
        for item, s in entries:
            if item not in data.columns:
                raise AnalysisError(f"item of construct {name!r} is not a column of the data",
                                    column=item)
            if item in sign and sign[item] != s:
                raise OptionError(f"item {item!r} is reverse-keyed in one construct only")
            if item not in sign:
                sign[item] = s
                items.append(item)
    # a correlation matrix keeps its rows and columns together
    if matrix_given and list(data.index) != list(data.columns):
        raise OptionError("a correlation matrix needs the same item names on its rows and "
                          "columns")
    fitted = (correlation_matrix(cor_matrix=data.loc[items, items], require_n_obs=False)
              if matrix_given else
              correlation_matrix(data[items], cor=cor, missing=missing, require_n_obs=False))
    n_rows = None if fitted.n_obs is None else len(data)
    position = {item: k for k, item in enumerate(fitted.matrix.columns)}
    groups = [[position[i] for i, _ in entries] for entries in parsed.values()]
    signs = np.array([sign[i] for i in fitted.matrix.columns], dtype=float)
    with np.errstate(invalid="ignore"):
        ratios = htmt_ratios(fitted.matrix.to_numpy(), groups, signs=signs, absolute=absolute,
                             mean=mean)
    names = list(parsed)
    undefined = [names[i] for i in range(len(names)) if np.isnan(ratios[i]).any()]
    if undefined:
        warn_user(
            f"construct(s) {', '.join(undefined)}: the mean correlation among their "
                      "items is not positive, so their HTMT ratios are NaN (check the keys)",
            AllianceScaleWarning,
        )
    matrix = pd.DataFrame(ratios, index=names, columns=names)
    pairs = pd.DataFrame(
        [(a, b, ratios[i, j]) for i, a in enumerate(names) for j, b in enumerate(names)
         if i < j], columns=["construct_1", "construct_2", "htmt"],
    ).set_index(["construct_1", "construct_2"])
    pairs["above_85"] = pairs["htmt"] >= STRICT
    pairs["above_90"] = pairs["htmt"] >= LIBERAL
    return HTMTResult(matrix=matrix, pairs=pairs, model=signed, n_obs=fitted.n_obs, n_rows=n_rows,
                      cor=cor, missing=missing, mean=mean, absolute=absolute)
