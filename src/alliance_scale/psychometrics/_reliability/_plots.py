"""Plots of the item analysis: diverging stacked bars of Likert answers and the item-total /
alpha-if-deleted chart.

Conventions, colours and shared helpers: :mod:`alliance_scale.psychometrics._plotting`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..._checks import (
    as_item_frame,
    check_choice,
    check_codes,
    check_frame,
    check_instance,
    check_integer,
    check_number,
)
from ..._lazy import pyplot
from ...errors import AnalysisError, OptionError
from .._plotting import (
    BLUE,
    DIVERGING,
    NEUTRAL,
    VERMILLION,
    figure_axes,
    fixed,
    numeric_table,
    plain,
    row_labels,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_item_total",
    "plot_likert",
]

#: Most categories of a Likert chart whose labels are not given (a 0-10 rating).
_MAX_POINTS = 11


# --------------------------------------------------------------------------- Likert


def plot_likert(
    data: pd.DataFrame,
    *,
    labels: Sequence[str] | None = None,
    order: str | Sequence[str] | None = None,
    min_value: int = 1,
    ax: Axes | None = None,
) -> Figure:
    """Diverging stacked bars of Likert answers: one bar per item, centred on neutral.

    Each bar shows the percent of respondents choosing each category (missing answers
    excluded; each item's ``n`` is in its label). Disagreement extends left of 0 and
    agreement right of it; with an odd number of points the neutral category is split in
    two halves around 0, with an even number 0 falls between the two middle categories
    (Robbins & Heiberger 2011, as R's HH::likert and likert packages draw it). The
    percent disagreeing is written on the left, agreeing on the right, neutral in the
    middle.

    Parameters
    ----------
    data : DataFrame
        Respondents x items, answers coded ``min_value .. min_value + k - 1``, NaN =
        missing.
    labels : sequence of str, optional
        The ``k`` category labels from the lowest code up (e.g. a scale's
        ``response_format.labels_en``); default the codes, with ``k`` the highest code
        observed.
    order : "agreement", "data" or sequence of str, optional
        Items from top to bottom: by decreasing share of agreement (default, ties by
        lower disagreement), in the columns' order (``"data"``), or the items named (only
        these are drawn).
    min_value : int, default 1
        Code of the first category (0 for 0-based formats).
    ax : matplotlib Axes, optional
        Where to draw; a new figure (height grows with the items) when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or ``ax.figure`` when ``ax`` is given.

    Raises
    ------
    OptionError
        ``data`` not a DataFrame, ``labels`` not a sequence of at least 2, ``order``
        naming unknown or repeated items, or a bad ``min_value`` or ``ax``.
    AnalysisError
        Non-numeric data, answers outside the codes of ``labels`` or not integers (item
        and rows named), an item without any answer, or more than 11 codes and no
        ``labels``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> pilot, scale = als.load_pilot(), als.draft_scale()
    >>> items = pilot[scale.item_ids[:10]]
    >>> # In R: plot(likert::likert(items)); HH::likert(...) draws the same bars
    >>> fig = als.plot_likert(items, labels=scale.response_format.labels_en)
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "row label"][0]
    'A2a_5 (n=320)'
    >>> plt.close(fig)
    """
    pyplot()  # matplotlib on the first plot: Agg unless a backend was chosen
    from matplotlib.collections import PolyCollection
    from matplotlib.ticker import FuncFormatter, MaxNLocator
    from matplotlib.transforms import offset_copy
    frame = as_item_frame(check_frame("data", data), min_items=1, min_rows=1,
                          allow_constant=True)
    low = check_integer("min_value", min_value)
    values = frame.to_numpy()
    highest = int(np.nanmax(values)) if np.isfinite(np.nanmax(values)) else low
    if labels is None:
        if highest - low + 1 > _MAX_POINTS:
            raise AnalysisError(f"answers up to {highest} make more than {_MAX_POINTS} "
                                "categories: give the response format's labels")
        labels = [str(code) for code in range(low, max(highest, low + 1) + 1)]
    labels = _category_labels(labels)
    k = len(labels)
    check_codes(values, low, low + k - 1, items=[str(c) for c in frame.columns],
                rows=list(frame.index))
    items = _likert_order(frame, order, low, k)
    counts = np.stack([(frame[items].to_numpy() == low + c).sum(axis=0) for c in range(k)],
                      axis=1)
    answered = counts.sum(axis=1)
    percent = 100.0 * counts / answered[:, None]
    half = k // 2
    start = -(percent[:, :half].sum(axis=1) + (percent[:, half] / 2 if k % 2 else 0.0))

    figure, ax = figure_axes(ax, 8.5, max(2.6, 0.24 * len(items) + 1.6))
    for c, colour in enumerate(_likert_colours(k)):
        left = start + percent[:, :c].sum(axis=1)
        # one collection per category (400 separate bars would cost half a second)
        ax.add_collection(PolyCollection(
            [[(x, i - 0.375), (x + w, i - 0.375), (x + w, i + 0.375), (x, i + 0.375)]
             for i, (x, w) in enumerate(zip(left, percent[:, c], strict=True))],
            facecolors=colour, edgecolors="white", linewidths=0.5, label=labels[c]),
            autolim=False)
    fontsize = 6.5 if len(items) > 40 else 7.5
    disagree, agree = percent[:, :half].sum(axis=1), percent[:, k - half:].sum(axis=1)
    share = {"va": "center", "fontsize": fontsize, "clip_on": True}
    for i in range(len(items)):
        ax.text(start[i] - 1.0, i, f"{disagree[i]:.0f}%", ha="right", **share)
        ax.text(start[i] + 101.0, i, f"{agree[i]:.0f}%", ha="left", **share)
        if k % 2:
            ax.text(0.0, i, f"{percent[i, half]:.0f}%", ha="center",
                    **{**share, "fontsize": fontsize - 0.5})
    reach = max(-start.min(), (start + 100.0).max())
    limit = 10.0 * np.ceil((reach + 12.0) / 10.0)
    ax.set_xlim(-limit, limit)
    ax.axvline(0.0, color="black", linewidth=0.8, zorder=0.5)  # between the bars only
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{abs(value):.0f}%"))
    row_labels(ax, [f"{item} (n={n})" for item, n in zip(items, answered, strict=True)],
                fontsize)
    ax.set_ylim(len(items) - 0.5, -0.5)
    ax.set_xlabel("Percent of respondents (missing answers excluded)", fontsize=9)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    below = offset_copy(ax.transAxes, figure, y=-34, units="points")
    legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=below,
                       ncol=min(k, 5), frameon=False, fontsize=8, handlelength=1.2,
                       columnspacing=1.0)
    for text in legend.get_texts():  # anchor labels are the user's text, never mathtext
        text.set_parse_math(False)
    return figure


def _category_labels(labels: object) -> list[str]:
    if isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence):
        raise OptionError(f"labels must be a sequence of category labels; got {labels!r:.60}")
    if len(labels) < 2:
        raise OptionError(f"labels must name at least 2 categories; got {len(labels)}")
    return [str(label) for label in labels]


def _likert_order(frame: pd.DataFrame, order: object, low: int, k: int) -> list[str]:
    """Item names from top to bottom (see ``order`` of :func:`plot_likert`)."""
    names = [str(c) for c in frame.columns]
    frame.columns = names
    if order is None or (isinstance(order, str) and order == "agreement"):
        values = frame.to_numpy()
        answered = np.isfinite(values).sum(axis=0)
        agree = (values >= low + k - k // 2).sum(axis=0) / answered
        disagree = (values < low + k // 2).sum(axis=0) / answered
        return [names[j] for j in np.lexsort((disagree, -agree))]
    if isinstance(order, str):
        check_choice("order", order, ("agreement", "data"))
        return names
    if not isinstance(order, Sequence):
        raise OptionError(f"order must be 'agreement', 'data' or a list of items; got "
                          f"{type(order).__name__}")
    chosen = [str(item) for item in order]
    unknown = [item for item in chosen if item not in names]
    if unknown or len(set(chosen)) != len(chosen) or not chosen:
        raise OptionError(f"order must name distinct items of data; unknown: {unknown[:10]}")
    return chosen


def _likert_colours(k: int) -> list[Any]:
    """Diverging colours from dark red (lowest) to dark blue (highest), neutral grey."""
    from matplotlib import colormaps
    cmap = colormaps[DIVERGING]
    half = k // 2
    side = np.linspace(0.05, 0.3, half) if half > 1 else np.array([0.15])
    colours = [cmap(x) for x in side] + [cmap(1.0 - x) for x in side[::-1]]
    if k % 2:
        colours.insert(half, NEUTRAL)
    return colours


# --------------------------------------------------------------------------- item-total


def plot_item_total(
    items: pd.DataFrame | Any,
    *,
    alpha: float | None = None,
    min_r: float = 0.3,
    ax: Sequence[Axes] | None = None,
) -> Figure:
    """Corrected item-total correlations and alpha if item deleted, one row per item.

    Left panel: each item's corrected item-total r (psych's ``r.drop``: the item with the
    sum of the others) with a dashed guide at ``min_r`` (.30, Nunnally & Bernstein 1994);
    right panel: alpha if the item were deleted, with a line at the scale's ``alpha``.
    Items under the guide, and items whose deletion would raise alpha, are drawn as open
    vermillion squares (filled blue circles otherwise), values written in fixed point.

    Parameters
    ----------
    items : DataFrame or AlphaResult
        One row per item with columns ``r_drop`` and ``alpha_if_deleted``: the ``items``
        table of :func:`~alliance_scale.cronbach_alpha` (then ``alpha`` defaults to its
        alpha), or :attr:`ReliabilityResult.items` filtered to one subscale (its ``item``
        column names the rows). Rows are drawn top to bottom in the given order.
    alpha : float, optional
        The scale's alpha, drawn as a line in the right panel.
    min_r : float, default 0.3
        Guide for the item-total r, in [0, 1].
    ax : pair of matplotlib Axes, optional
        The two panels (item-total r, alpha if deleted), e.g. from
        ``plt.subplots(1, 2, sharey=True)``; a new figure when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or the figure of the axes given.

    Raises
    ------
    OptionError
        ``items`` without the two columns or with several subscales, or a bad ``alpha``,
        ``min_r`` or ``ax``.
    AnalysisError
        Non-numeric or missing values (e.g. a single-item subscale).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> pilot, scale = als.load_pilot(), als.draft_scale()
    >>> keys = scale.keys["C1"]
    >>> result = als.cronbach_alpha(pilot[[k.lstrip("-") for k in keys]],
    ...                             reverse=[k[1:] for k in keys if k.startswith("-")])
    >>> fig = als.plot_item_total(result)  # In R: psych::alpha(x)$item.stats, drawn
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    plt = pyplot()
    from matplotlib.axes import Axes
    from matplotlib.ticker import MaxNLocator
    if not isinstance(items, pd.DataFrame) and isinstance(getattr(items, "items", None),
                                                          pd.DataFrame):
        if alpha is None and hasattr(items, "alpha"):
            alpha = items.alpha
        items = items.items
    table = check_frame("items", items)
    missing = [c for c in ("r_drop", "alpha_if_deleted") if c not in table.columns]
    if missing:
        raise OptionError(f"items needs the column(s) {', '.join(missing)} (an item table "
                          "of cronbach_alpha or reliability)")
    if "subscale" in table.columns and table["subscale"].nunique() > 1:
        raise OptionError("items holds several subscales; filter it to one "
                          "(items[items.subscale == 'A'])")
    names = table["item"] if "item" in table.columns else table.index
    stats = numeric_table("items", pd.DataFrame(
        {"r_drop": table["r_drop"].to_numpy(), "alpha_if_deleted":
         table["alpha_if_deleted"].to_numpy()}, index=[str(n) for n in names]))
    if alpha is not None:
        alpha = check_number("alpha", alpha, -1.0, 1.0)
    min_r = check_number("min_r", min_r, 0.0, 1.0)
    if ax is None:
        figure, panels = plt.subplots(1, 2, sharey=True, layout="constrained",
                                      figsize=(8.0, max(2.5, 0.22 * len(stats) + 1.4)))
    else:
        if isinstance(ax, np.ndarray):  # as plt.subplots(1, 2) gives them
            ax = list(ax.ravel())
        if isinstance(ax, Axes) or not isinstance(ax, Sequence) or len(ax) != 2:
            raise OptionError("ax must be a pair of Axes (item-total r, alpha if deleted), "
                              "e.g. plt.subplots(1, 2, sharey=True)[1]")
        panels = [check_instance("ax", a, Axes, "a pair of matplotlib Axes") for a in ax]
        figure = panels[0].figure
    y = np.arange(len(stats))
    r_drop, if_deleted = stats["r_drop"].to_numpy(), stats["alpha_if_deleted"].to_numpy()
    fontsize = 6.5 if len(stats) > 40 else 8
    _dot_panel(panels[0], y, r_drop, r_drop < min_r, decimals=2, fontsize=fontsize)
    panels[0].axvline(min_r, color="black", linestyle="--", linewidth=0.8)
    panels[0].set_xlim(min(0.0, r_drop.min() - 0.05), 1.0)
    panels[0].set_xlabel(f"Corrected item-total r (guide {fixed(min_r)})", fontsize=9)
    # raises alpha as printed (3 decimals), not by a rounding error
    raises = (np.round(if_deleted, 3) > round(alpha, 3) if alpha is not None
              else np.zeros(len(y), dtype=bool))
    _dot_panel(panels[1], y, if_deleted, raises, decimals=3, fontsize=fontsize)
    reference = [] if alpha is None else [alpha]
    if alpha is not None:
        panels[1].axvline(alpha, color="black", linewidth=0.9)
        panels[1].annotate(f"alpha {fixed(alpha, 3)}", (alpha, -1.0), xytext=(3, 0),
                           textcoords="offset points", ha="left", va="center", fontsize=7)
    span = np.concatenate([if_deleted, reference])
    pad = max(0.01, 0.15 * (span.max() - span.min()))
    panels[1].set_xlim(span.min() - pad, span.max() + 2 * pad)
    panels[1].set_xlabel("Alpha if item deleted", fontsize=9)
    for panel, decimals in zip(panels, (2, 3), strict=True):
        panel.set_ylim(len(y) - 0.5, -1.5)
        panel.set_yticks([])
        panel.hlines(y, 0, 1, transform=panel.get_yaxis_transform(), color="#e5e5e5",
                     linewidth=0.5, zorder=0)
        panel.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        plain(panel.xaxis, decimals=decimals)
    row_labels(panels[0], list(stats.index), fontsize)
    return figure


def _dot_panel(ax: Axes, y: np.ndarray, values: np.ndarray, flagged: np.ndarray, *,
               decimals: int, fontsize: float) -> None:
    """Dots (open vermillion squares when flagged) with their values written beside."""
    ax.plot(values[~flagged], y[~flagged], "o", color=BLUE, markersize=5)
    ax.plot(values[flagged], y[flagged], "s", color=VERMILLION, markersize=5,
            markerfacecolor="white", markeredgewidth=1.4)
    for i, value in enumerate(values):
        ax.annotate(fixed(value, decimals), (value, y[i]), xytext=(6, 0),
                    textcoords="offset points", va="center", fontsize=fontsize - 0.5,
                    color=VERMILLION if flagged[i] else "black")
