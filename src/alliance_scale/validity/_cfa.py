"""The blueprint as a confirmatory model: lavaan syntax from a Scale, and its CFA.

:func:`blueprint_model` writes the structure a drafted scale was built on as lavaan model
syntax (facets, dimensions, facets under dimensions, or a bifactor model), and
:func:`blueprint_cfa` fits it with :func:`~alliance_scale.cfa` after reversing the
reverse-keyed items (``min + max - x``), so that every loading of the hypothesised model is
positive and the composite reliabilities mean what they say (semTools' ``compRelSEM`` on
unreversed items gives omegas near 0; see ``shared/reference/cfa.md``). Likert items with
at most 7 points are analysed as ordinal (WLSMV on polychorics), the estimator
recommended for them (Rhemtulla, Brosseau-Liard & Savalei 2012), unless told otherwise.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .._checks import check_choice, check_frame, check_instance
from ..errors import AnalysisError
from ..instrument._scale import Scale
from ..psychometrics._cfa import CFAResult, cfa
from ..psychometrics._keys import reverse_keyed, split_keyed

__all__ = ["blueprint_cfa", "blueprint_model"]

LEVELS = ("facet", "dimension", "second_order", "bifactor")
ESTIMATORS = ("auto", "ML", "MLR", "WLSMV", "DWLS", "ULS", "ULSMV")
#: Likert items with at most this many points are treated as ordinal by default.
ORDINAL_POINTS = 7


def _groups(scale: Scale, attribute: str) -> dict[str, list[str]]:
    """Item ids per facet or dimension, in the order of ``scale.keys`` (tree order)."""
    names = [name for name in scale.keys if any(getattr(i, attribute) == name
                                                for i in scale.items)]
    return {name: [split_keyed(entry)[0] for entry in scale.keys[name]] for name in names}


def blueprint_model(scale: Scale, level: str = "facet") -> str:
    """lavaan model syntax for the structure ``scale`` was drafted on.

    Parameters
    ----------
    scale : Scale
        The drafted questionnaire (its facets and dimensions).
    level : {"facet", "dimension", "second_order", "bifactor"}, default "facet"
        ``"facet"``: one correlated factor per facet; ``"dimension"``: one per dimension;
        ``"second_order"``: facets loading on their dimension, dimensions correlated;
        ``"bifactor"``: a general factor ``g`` on every item plus the facets, all
        orthogonal (fit it with ``std_lv=True, orthogonal=True``).

    Returns
    -------
    str
        One line per factor, ``factor =~ item + item + ...``, items in administration
        order (the first positively keyed item first, so that it is the marker).

    Examples
    --------
    >>> scale = als.draft_scale(items_per_facet=2, language="en")
    >>> print(als.blueprint_model(scale, "second_order").splitlines()[-1])
    C =~ C1 + C2 + C3 + C4
    """
    check_instance("scale", scale, Scale, "see draft_scale")
    check_choice("level", level, LEVELS)
    facets = _groups(scale, "facet")
    keyed = {item.id: item.keyed for item in scale.items}

    def line(factor: str, indicators: list[str]) -> str:
        ordered = sorted(indicators, key=lambda i: keyed.get(i, 1) < 0)  # marker positive
        return f"{factor} =~ " + " + ".join(ordered)

    if level == "dimension":
        return "\n".join(line(d, items) for d, items in _groups(scale, "dimension").items())
    lines = [line(f, items) for f, items in facets.items()]
    if level == "second_order":
        dimension_of = {item.facet: item.dimension for item in scale.items}
        dimensions: dict[str, list[str]] = {}
        for facet in facets:
            dimensions.setdefault(dimension_of[facet], []).append(facet)
        lines += [f"{d} =~ " + " + ".join(fs) for d, fs in dimensions.items()]
    elif level == "bifactor":
        lines.insert(0, line("g", list(scale.item_ids)))
    return "\n".join(lines)


def blueprint_cfa(
    responses: pd.DataFrame,
    scale: Scale,
    *,
    level: str = "facet",
    estimator: str = "auto",
    **options: Any,
) -> CFAResult:
    """CFA of the blueprint's structure on a scale's responses (reverse-keyed items reversed).

    Parameters
    ----------
    responses : DataFrame
        One row per respondent with a column per item of ``scale`` (others ignored).
    scale : Scale
        Gives the structure (:func:`blueprint_model`), the keys and the response range.
    level : {"facet", "dimension", "second_order", "bifactor"}, default "facet"
        The model (see :func:`blueprint_model`); the bifactor model is fitted with
        ``std_lv=True, orthogonal=True``.
    estimator : {"auto", "ML", "MLR", "WLSMV", "DWLS", "ULS", "ULSMV"}, default "auto"
        ``"auto"``: WLSMV on polychorics for scales of at most 7 points (every drafted
        scale), as lavaan users would write ``cfa(model, data, ordered = TRUE)``; MLR
        otherwise. ML and MLR default to ``missing="ml"`` (full-information ML: every
        respondent with an answer counts).
    **options
        Passed to :func:`~alliance_scale.cfa` (``group``, ``group_equal``, ``missing``...).

    Returns
    -------
    CFAResult

    Raises
    ------
    OptionError
        A bad ``level`` or ``estimator``, or a ``responses`` that is not a DataFrame.
    AnalysisError
        An item of the scale missing from ``responses`` (named), or data the CFA refuses.

    Examples
    --------
    >>> scale = als.draft_scale(items_per_facet=3, language="en")
    >>> data = als.simulate(scale, 600, seed=2).data
    >>> fit = als.blueprint_cfa(data, scale)  # In R: lavaan::cfa(model, data, ordered = TRUE)
    >>> fit.fit["cfi_scaled"] > 0.95, bool((fit.reliability["omega"] > 0.5).all())
    (True, True)
    """
    check_frame("responses", responses)
    check_instance("scale", scale, Scale, "see draft_scale")
    check_choice("level", level, LEVELS)
    check_choice("estimator", estimator, ESTIMATORS)
    absent = [i for i in scale.item_ids if i not in responses.columns]
    if absent:
        raise AnalysisError(f"{len(absent)} item(s) of the scale are not in the responses",
                            column=absent[0])
    reversed_items = [item.id for item in scale.items if item.keyed < 0]
    answers = reverse_keyed(responses[list(scale.item_ids)], reversed_items,
                            scale.min_value, scale.max_value)
    if estimator == "auto":
        ordinal = scale.response_format.points <= ORDINAL_POINTS
        estimator = "WLSMV" if ordinal else "MLR"
    if estimator in ("ML", "MLR"):
        options.setdefault("missing", "ml")  # full-information ML: nobody with an answer dropped
    if estimator in ("WLSMV", "DWLS", "ULS", "ULSMV"):
        options.setdefault("ordered", True)
    if level == "bifactor":
        options.setdefault("std_lv", True)
        options.setdefault("orthogonal", True)
    keep = list(scale.item_ids) + [c for c in (options.get("group"),) if c is not None]
    data = answers.join(responses[[c for c in keep if c not in answers.columns]])
    return cfa(data, blueprint_model(scale, level), estimator=estimator, **options)
