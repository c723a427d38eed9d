"""The blueprint as item response models: one unidimensional IRT model per facet (or per
dimension, or one for the whole scale) on a scale's responses, with the items judged.

Reverse-keyed items are reversed first (``min + max - x``, as :func:`blueprint_cfa` does),
from the Scale's keys: nobody re-types anything. Why reverse rather than let a reversed
item take a negative slope (which :func:`~alliance_scale.irt` allows, and which carries the
same likelihood for the graded and generalized partial credit models): the Rasch-family
models fix every slope at +1 and the graded rating scale model shares its thresholds across
items, so they need every item to point the same way; and with every slope positive, the
thresholds of the Wright map and the judged slopes read in the direction of the alliance for
every item. Which items were reversed is kept in the result.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_choice, check_frame, check_instance, check_number
from .._results import Result, result
from ..errors import AnalysisError
from ..instrument._scale import Scale
from ..psychometrics._irt import IRTResult, irt
from ..psychometrics._keys import reverse_keyed
from ._cfa import _groups

__all__ = ["BlueprintIRTResult", "blueprint_irt"]

LEVELS = ("facet", "dimension", "total")
#: Baker's (2001) lower bound of a "moderate" discrimination (logistic metric).
LOW_SLOPE = 0.65
#: Trait range over which the information of each item is averaged (the central 95%).
INFORMATION_RANGE = (-2.0, 2.0)


@result
class BlueprintIRTResult(Result):
    """Item response models of a scale's blueprint (:func:`blueprint_irt`).

    Attributes
    ----------
    level : {"facet", "dimension", "total"}
        One model per facet, per dimension, or one for the whole scale.
    model : str
        The item response model (``"graded"`` ...).
    fits : dict of str to IRTResult
        The fitted model of each group of items (facet, dimension, or ``"total"``).
    reversed_items : tuple of str
        Reverse-keyed items, reversed before fitting.
    dropped : dict of str to int
        Respondents left out of each group's model because they answered none of its
        items (they carry no information about that trait).

    Examples
    --------
    >>> scale = als.draft_scale(items_per_facet=2, language="en")
    >>> data = als.simulate(scale, 500, seed=2).data
    >>> bp = als.blueprint_irt(data, scale, level="dimension", se=None)
    >>> sorted(bp.fits)
    ['A', 'B', 'C']
    >>> bool((bp.to_frame()["a"] > 0).all())  # reverse-keyed items reversed first
    True
    """

    level: str
    model: str
    fits: dict[str, IRTResult]
    reversed_items: tuple[str, ...]
    dropped: dict[str, int]

    def to_frame(self) -> pd.DataFrame:
        """Every item's classical parameters (``a``, ``b1`` ...) and the group it is in.

        Examples
        --------
        >>> scale = als.draft_scale(items_per_facet=1, language="en")
        >>> data = als.simulate(scale, 300, seed=2).data
        >>> bp = als.blueprint_irt(data, scale, level="total", se=None)
        >>> bp.to_frame().columns[:3].tolist()
        ['group', 'reversed', 'a']
        """
        frames = []
        for name, fit in self.fits.items():
            table = fit.coef(irt_pars=True, se=False)
            table.insert(0, "reversed", [i in self.reversed_items for i in table.index])
            table.insert(0, "group", name)
            frames.append(table)
        return pd.concat(frames)

    def information(self, theta: Any = None) -> pd.DataFrame:
        """Test information of each group's model over ``theta`` (columns: groups).

        Examples
        --------
        >>> scale = als.draft_scale(items_per_facet=2, language="en")
        >>> data = als.simulate(scale, 300, seed=2).data
        >>> bp = als.blueprint_irt(data, scale, level="dimension", se=None)
        >>> bp.information([0.0]).columns.tolist()
        ['A', 'B', 'C']
        """
        return pd.DataFrame({name: fit.test_information(theta) for name, fit in
                             self.fits.items()})

    def item_table(self, adjust: str = "holm", alpha: float = 0.05,
                   min_slope: float = LOW_SLOPE) -> pd.DataFrame:
        """Every item judged: low discrimination and S-X2 misfit.

        ``low_discrimination``: slope ``|a| < min_slope`` (Baker 2001: below 0.65 a
        discrimination is "low" or "very low"; an item's information is proportional to
        ``a^2``). ``misfit``: Orlando & Thissen's (2000) S-X2 p-value, adjusted over all
        the items of the scale (``adjust``: R's ``p.adjust`` names, Holm by default: the
        chance of flagging any item of a well-fitting scale stays below ``alpha``), below
        ``alpha``; S-X2 uses the respondents who answered every item of the group
        (mirt's ``na.rm = TRUE``), at the estimates from everyone. ``information`` is the
        item's information averaged over theta in [-2, 2] with standard normal weights.

        Parameters
        ----------
        adjust : str, default "holm"
            Multiple-testing adjustment over every item (``"holm"``, ``"BH"``, ``"none"``
            ...).
        alpha : float, default 0.05
            Level of the adjusted S-X2 test.
        min_slope : float, default 0.65
            Smallest acceptable slope (Baker 2001).

        Returns
        -------
        DataFrame
            One row per item: ``group``, ``a``, ``information``, ``S_X2``, ``df_S_X2``,
            ``p_S_X2``, ``p_adjusted``, ``low_discrimination``, ``misfit``.

        Examples
        --------
        >>> scale = als.draft_scale(items_per_facet=2, language="en")
        >>> data = als.simulate(scale, 500, seed=2).data
        >>> table = als.blueprint_irt(data, scale, level="dimension", se=None).item_table()
        >>> int(table["misfit"].sum()), int(table["low_discrimination"].sum())  # facets differ
        (1, 0)
        """
        from scipy.stats import norm

        from ..psychometrics._correlation._correlation_tests import adjust_p

        alpha = check_number("alpha", alpha, 0.0, 1.0, low_open=True, high_open=True)
        min_slope = check_number("min_slope", min_slope, 0.0)
        nodes = np.linspace(*INFORMATION_RANGE, 41)
        weights = norm.pdf(nodes) / norm.pdf(nodes).sum()
        frames = []
        for name, fit in self.fits.items():
            fit_table = fit.item_fit(na_rm=True)
            table = pd.DataFrame({
                "group": name,
                "a": fit.coef(se=False)["a1"],
                "information": fit.item_information(nodes).to_numpy().T @ weights,
                "S_X2": fit_table["S_X2"], "df_S_X2": fit_table["df_S_X2"],
                "p_S_X2": fit_table["p_S_X2"],
            }, index=list(fit.items))
            frames.append(table)
        table = pd.concat(frames)
        table["p_adjusted"] = adjust_p(table["p_S_X2"].to_numpy(), adjust)
        table["low_discrimination"] = table["a"].abs() < min_slope
        table["misfit"] = table["p_adjusted"] < alpha
        return table

    def _summary(self) -> dict[str, Any]:
        lines = {"level": self.level, "model": self.model,
                 "reversed items": ", ".join(self.reversed_items) or "none"}
        for name, fit in self.fits.items():
            lines[f"{name}: marginal reliability"] = round(fit.marginal_reliability(), 3)
        return lines


def blueprint_irt(
    responses: pd.DataFrame,
    scale: Scale,
    *,
    level: str = "facet",
    model: str = "graded",
    **options: Any,
) -> BlueprintIRTResult:
    """Item response models of the blueprint's structure on a scale's responses.

    Reverse-keyed items are reversed first, from the Scale's keys (see the module notes:
    the Rasch-family models need every item to point the same way, and every slope then
    reads in the alliance's direction). ``level="facet"`` fits a unidimensional model per
    facet, ``"dimension"`` one per dimension, ``"total"`` one for all items.

    Parameters
    ----------
    responses : DataFrame
        One row per respondent with a column per item of ``scale`` (others ignored).
    scale : Scale
        Gives the facets and dimensions, the keys and the response range.
    level : {"facet", "dimension", "total"}, default "facet"
        Which items share a trait.
    model : str, default "graded"
        Passed to :func:`~alliance_scale.irt` (``"graded"``, ``"gpcm"``, ``"Rasch"``,
        ``"rsm"``, ``"grsm"``).
    **options
        Passed to :func:`~alliance_scale.irt` (``se``, ``tol``, ``max_cycles``).

    Returns
    -------
    BlueprintIRTResult

    Raises
    ------
    OptionError
        A bad ``level``, or ``responses`` that is not a DataFrame.
    AnalysisError
        An item of the scale missing from ``responses`` (named), or data IRT refuses.

    Notes
    -----
    ``level="dimension"`` fits each dimension's items as one unidimensional trait. The
    confirmatory model with correlated dimensions (items loading on their own dimension
    only) needs the multidimensional engine; TODO(irtmulti): once ``irt(data, model,
    factors={dimension: items})`` exists, fit that single model here instead.

    Examples
    --------
    >>> scale = als.draft_scale(items_per_facet=3, language="en")
    >>> data = als.simulate(scale, 500, seed=2).data
    >>> bp = als.blueprint_irt(data, scale, se=None)  # In R: mirt(data[facet], 1) per facet
    >>> sorted(bp.fits)[:3], len(bp.reversed_items) > 0
    (['A1', 'A2', 'B1'], True)
    """
    check_frame("responses", responses)
    check_instance("scale", scale, Scale, "see draft_scale")
    check_choice("level", level, LEVELS)
    absent = [i for i in scale.item_ids if i not in responses.columns]
    if absent:
        raise AnalysisError(f"{len(absent)} item(s) of the scale are not in the responses",
                            column=absent[0])
    reversed_items = tuple(item.id for item in scale.items if item.keyed < 0)
    answers = reverse_keyed(responses[list(scale.item_ids)], list(reversed_items),
                            scale.min_value, scale.max_value)
    if level == "total":
        groups = {"total": list(scale.item_ids)}
    else:
        # TODO(irtmulti): for level="dimension", fit one confirmatory model with correlated
        # dimensions, irt(answers, model, factors=groups), once the engine takes factors=;
        # until then each dimension is a unidimensional model (see Notes).
        groups = _groups(scale, level)
    fits, dropped = {}, {}
    for name, items in groups.items():
        block = answers[items]
        answered = block.notna().any(axis=1)
        dropped[name] = int((~answered).sum())
        try:
            fits[name] = irt(block[answered], model, **options)
        except AnalysisError as error:
            raise AnalysisError(f"{level} {name}: {error}") from error
    return BlueprintIRTResult(level=level, model=model, fits=fits,
                              reversed_items=reversed_items, dropped=dropped)
