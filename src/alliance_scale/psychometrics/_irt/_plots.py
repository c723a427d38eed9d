"""Plots of an IRT model: item category curves, item / test / facet information, and the
Wright map (persons' trait estimates against the items' thresholds).

The conventions of :mod:`.._plotting` hold (its helpers are called, not copied): a Figure is
returned (with ``ax``, ``ax.figure``), matplotlib loads on the first plot (Agg unless the
user chose a backend), no global state is changed, ticks in fixed point, Okabe-Ito colours
with line styles so that a grey print reads. mirt draws these with lattice
(``itemplot(fit, i)``, ``plot(fit, type = "info")``, and ``itemfit``'s / WrightMap's
person-item map); these are their matplotlib counterparts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..._checks import check_choice, check_flag, check_instance, check_integer, check_number
from ..._lazy import pyplot
from ...errors import OptionError
from .._plotting import BLUE, GREY, OKABE_ITO, figure_axes, plain
from ._result import IRTResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_information", "plot_item_curves", "plot_wright_map"]

_STYLES = ("-", "--", "-.", ":")
#: Trait range drawn by default (the respondents of a standard normal trait lie within).
THETA_RANGE = (-4.0, 4.0)


def _theta(theta_range: Any, points: int = 161) -> np.ndarray:
    try:
        low, high = (float(v) for v in theta_range)
    except (TypeError, ValueError):
        raise OptionError("theta_range must be two numbers (low, high)") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise OptionError(f"theta_range must be finite with low < high; got {theta_range!r}")
    return np.linspace(low, high, points)


def _items(result: IRTResult, items: Any) -> list[str]:
    if items is None:
        return list(result.items)
    chosen = [items] if isinstance(items, str) else list(items)
    unknown = [i for i in chosen if i not in result.items]
    if unknown or not chosen:
        raise OptionError(f"items not in the model: {', '.join(map(repr, unknown)) or 'none'}")
    return chosen


def _colour(k: int, n: int) -> Any:
    if n <= len(OKABE_ITO):
        return OKABE_ITO[k]
    from matplotlib import colormaps

    return colormaps["viridis"](k / max(n - 1, 1))


def plot_item_curves(
    result: IRTResult,
    items: str | Sequence[str] | None = None,
    *,
    kind: str = "category",
    theta_range: tuple[float, float] = THETA_RANGE,
    ncols: int | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Item characteristic curves: each category's probability (or the expected answer)
    over the trait, one panel per item, as mirt's ``itemplot(fit, item, type = "trace")``.

    A reverse-keyed item (negative slope) shows its curves mirrored: the lowest answer
    becomes likelier as the trait rises.

    Parameters
    ----------
    result : IRTResult
        A fitted (or evaluated) model, from :func:`~alliance_scale.irt`.
    items : str or sequence of str, optional
        Items to draw (default: all).
    kind : {"category", "expected"}, default "category"
        ``"category"``: ``P(X = k | theta)`` of every category (mirt's ``type =
        "trace"``); ``"expected"``: the expected answer (mirt's ``type = "score"``).
    theta_range : (float, float), default (-4, 4)
        Trait range (standard deviations of the latent trait).
    ncols : int, optional
        Panels per row (default: up to 4).
    ax : matplotlib Axes, optional
        Where to draw a single item; a new figure of panels when omitted.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    OptionError
        ``result`` is not an IRTResult, an unknown item, a bad ``kind``, ``theta_range``
        or ``ncols``, or ``ax`` with more than one item.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> data = als.simulate_irt([1.5, 1.2, -1.0], [[2, 0.5, -1]] * 3, n=400, seed=3)
    >>> fit = als.irt(data)
    >>> fig = als.plot_item_curves(fit)  # In R: itemplot(mirt(data, 1), 1)
    >>> [a.get_title() for a in fig.axes]
    ['q1', 'q2', 'q3']
    >>> len(fig.axes[0].lines)  # four categories
    4
    >>> plt.close(fig)
    """
    plt = pyplot()  # matplotlib on the first plot: Agg unless a backend was chosen
    check_instance("result", result, IRTResult, "see irt")
    result._unidimensional("plot_item_curves()")
    check_choice("kind", kind, ("category", "expected"))
    chosen = _items(result, items)
    theta = _theta(theta_range)
    if ax is not None:
        if len(chosen) != 1:
            raise OptionError("ax= draws one item; pass items='<name>' or omit ax")
        figure, axes = figure_axes(ax, 4.0, 3.0)
        panels = [axes]
    else:
        ncols = min(4, len(chosen)) if ncols is None else check_integer("ncols", ncols,
                                                                          minimum=1)
        nrows = -(-len(chosen) // ncols)
        figure = plt.figure(figsize=(2.9 * ncols + 0.6, 2.3 * nrows + 0.5),
                                 layout="constrained")
        grid = figure.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
        panels = list(grid.ravel())
        for extra in panels[len(chosen):]:
            extra.remove()
    trace = result.trace(theta) if kind == "category" else result.expected_item(theta)
    for panel, item in zip(panels, chosen, strict=False):
        if kind == "category":
            block = trace[item]
            n = block.shape[1]
            for k, value in enumerate(block.columns):
                panel.plot(theta, block[value], color=_colour(k, n),
                           linestyle=_STYLES[k % len(_STYLES)], linewidth=1.3,
                           label=f"{value:g}")
            panel.set_ylim(0, 1)
        else:
            values = result.categories[result.items.index(item)]
            panel.plot(theta, trace[item], color=BLUE, linewidth=1.5)
            panel.set_ylim(values[0], values[-1])
        panel.set_title(item, fontsize=9)
        plain(panel.xaxis)
        plain(panel.yaxis, 1 if kind == "category" else None)
    ylabel = "P(answer | θ)" if kind == "category" else "Expected answer"
    if ax is not None:
        panels[0].set_xlabel("θ (trait)")
        panels[0].set_ylabel(ylabel)
    else:
        figure.supxlabel("θ (trait)", fontsize=10)
        figure.supylabel(ylabel, fontsize=10)
    if kind == "category":
        handles, labels = panels[0].get_legend_handles_labels()
        where = panels[0] if ax is not None else figure
        where.legend(handles, labels, title="Answer", fontsize=8, title_fontsize=8,
                     frameon=False, loc="outside right upper" if ax is None else "best")
    return figure


def plot_information(
    result: IRTResult | Mapping[str, IRTResult],
    groups: Mapping[str, Sequence[str]] | None = None,
    *,
    items: bool = False,
    threshold: float | None = None,
    theta_range: tuple[float, float] = THETA_RANGE,
    ax: Axes | None = None,
) -> Figure:
    """Test information over the trait, by facet when asked, as mirt's ``plot(fit, type =
    "info")`` and ``testinfo(fit, Theta, which.items = ...)``.

    The information ``I(theta)`` of a set of items is the sum of its items' (Fisher
    information); the standard error of a trait estimate is about ``1 / sqrt(I)``, and at
    a latent variance of 1 the reliability of a score at ``theta`` is ``I / (I + 1)``
    (``I = 4``: 0.80; ``I = 2.33``: 0.70).

    Parameters
    ----------
    result : IRTResult or mapping of str to IRTResult
        One model (its test information, and ``groups``' curves), or one model per facet
        (e.g. a unidimensional model per facet: one curve each; no total, their traits
        differ).
    groups : mapping of str to sequence of str, optional
        With one model: name -> its items (e.g. the facets), one curve per group.
    items : bool, default False
        Also draw each item's information (thin grey lines).
    threshold : float, optional
        A horizontal reference line at this information (e.g. 4 for a reliability of
        0.80).
    theta_range : (float, float), default (-4, 4)
        Trait range.
    ax : matplotlib Axes, optional
        Where to draw; a new 7 x 4.5 inch figure when omitted.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    OptionError
        Not an IRTResult (or a mapping of them), ``groups`` with a mapping of models or
        with items not in the model, a bad ``threshold``, ``theta_range`` or ``ax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> data = als.simulate_irt([1.5, 1.2, 1.0, 1.3], [[2, 0.5, -1]] * 4, n=400, seed=3)
    >>> fit = als.irt(data)
    >>> fig = als.plot_information(fit, {"A": ["q1", "q2"], "B": ["q3", "q4"]}, threshold=4)
    >>> [line.get_label() for line in fig.axes[0].lines][:3]  # In R: plot(fit, type="info")
    ['Test', 'A', 'B']
    >>> plt.close(fig)
    """
    pyplot()  # matplotlib on the first plot: Agg unless a backend was chosen
    items = check_flag("items", items)
    theta = _theta(theta_range)
    if isinstance(result, Mapping):
        if groups is not None:
            raise OptionError("groups= is for one model; a mapping of models draws one curve "
                              "per model already")
        models = dict(result)
        if not models:
            raise OptionError("result is an empty mapping")
        for name, model in models.items():
            check_instance(f"result[{name!r}]", model, IRTResult, "see irt")
            model._unidimensional("plot_information()")
    else:
        check_instance("result", result, IRTResult, "see irt")
        result._unidimensional("plot_information()")
        models = None
    if threshold is not None:
        threshold = check_number("threshold", threshold, 0.0, low_open=True)
    members = {} if models is not None else {
        str(name): _items(result, chosen) for name, chosen in (groups or {}).items()}
    figure, ax = figure_axes(ax, 7.0, 4.5)
    curves: list[tuple[str, np.ndarray, pd.DataFrame]] = []
    if models is None:
        info = result.item_information(theta)
        curves.append(("Test", info.sum(axis=1).to_numpy(), info))
        for name, chosen in members.items():
            curves.append((name, info[chosen].sum(axis=1).to_numpy(), info[chosen]))
    else:
        for name, model in models.items():
            info = model.item_information(theta)
            curves.append((str(name), info.sum(axis=1).to_numpy(), info))
    n = len(curves)
    for k, (name, total, per_item) in enumerate(curves):
        is_test = models is None and k == 0
        colour = "black" if is_test else _colour((k - (models is None)) % 7, 7)
        ax.plot(theta, total, color=colour, linewidth=2.0 if is_test else 1.4,
                linestyle="-" if is_test else _STYLES[k % len(_STYLES)], label=name)
        if items and (not is_test or n == 1):
            for column in per_item.columns:
                ax.plot(theta, per_item[column], color=GREY, linewidth=0.6, alpha=0.7,
                        label="_item")
    if threshold is not None:
        ax.axhline(threshold, color=GREY, linestyle=":", linewidth=1.0,
                   label=f"I = {threshold:.3g} (reliability {threshold / (threshold + 1):.2f})")
    ax.set_xlim(theta[0], theta[-1])
    ax.set_ylim(bottom=0)
    ax.set_xlabel("θ (trait)")
    ax.set_ylabel("Information")
    ax.set_title("Test information" if n == 1 else "Test information of each model"
                 if models is not None else "Information by group", fontsize=11)
    plain(ax.xaxis)
    plain(ax.yaxis)
    if n > 1 or threshold is not None:
        ax.legend(frameon=False, fontsize=8, loc="upper left", ncol=1 + (n > 6))
    return figure


def thresholds(result: IRTResult) -> pd.DataFrame:
    """Each item's Thurstonian thresholds: the trait where ``P(X >= k) = 0.5``, k = 1 ..
    K-1 (graded: ``-d_k / a``), found on a fine grid over [-6, 6]; NaN outside it."""
    result._unidimensional("thresholds()")
    grid = np.linspace(-6, 6, 2401)
    trace = result.trace(grid)
    rows = {}
    for item in result.items:
        prob = trace[item].to_numpy().T  # K x points
        above = 1.0 - np.cumsum(prob, axis=0)[:-1]  # P(X >= k), k = 1 .. K-1
        out = np.full(above.shape[0], np.nan)
        for k, curve in enumerate(above - 0.5):
            cross = np.flatnonzero(np.sign(curve[:-1]) != np.sign(curve[1:]))
            if cross.size:
                i = cross[0]
                out[k] = grid[i] - curve[i] * (grid[i + 1] - grid[i]) / (curve[i + 1] - curve[i])
        rows[item] = pd.Series(out, index=[f"t{k + 1}" for k in range(out.size)])
    return pd.DataFrame(rows).T


def plot_wright_map(
    result: IRTResult,
    *,
    method: str = "EAP",
    bins: int = 30,
) -> Figure:
    """Wright map: the respondents' trait estimates (histogram, left) against the items'
    thresholds (right) on one trait axis, as WrightMap's ``wrightMap`` after mirt.

    An item threshold ``k`` is the trait at which answering ``k`` or above becomes likelier
    than not (``P(X >= k) = 0.5``; graded model: ``b_k = -d_k / a``): thresholds far above
    or below the respondents measure where nobody is, thresholds bunched together waste
    categories. For a reverse-keyed item (negative slope) it is where answering *below*
    ``k`` becomes likelier.

    Parameters
    ----------
    result : IRTResult
        A fitted model.
    method : {"EAP", "MAP", "WLE"}, default "EAP"
        The respondents' scores (:meth:`IRTResult.scores`).
    bins : int, default 30
        Histogram bins.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels sharing the trait axis.

    Raises
    ------
    OptionError
        Not an IRTResult, or a bad ``method`` or ``bins``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> data = als.simulate_irt([1.5, 1.2, -1.0], [[2, 0.5, -1]] * 3, n=400, seed=3)
    >>> fig = als.plot_wright_map(als.irt(data))
    >>> fig.axes[0].get_xlabel(), fig.axes[1].get_xlabel()
    ('Respondents', 'Items (threshold number)')
    >>> plt.close(fig)
    """
    plt = pyplot()  # matplotlib on the first plot: Agg unless a backend was chosen
    check_instance("result", result, IRTResult, "see irt")
    result._unidimensional("plot_wright_map()")
    check_choice("method", method, ("EAP", "MAP", "WLE"))
    bins = check_integer("bins", bins, minimum=2)
    scores = result.scores(method)["theta"].to_numpy()
    table = thresholds(result)
    finite = scores[np.isfinite(scores)]
    low = np.nanmin([finite.min(), np.nanmin(table.to_numpy())]) - 0.3
    high = np.nanmax([finite.max(), np.nanmax(table.to_numpy())]) + 0.3
    n_items = len(result.items)
    figure = plt.figure(figsize=(3.0 + 0.35 * n_items, 5.0), layout="constrained")
    persons, items_ax = figure.subplots(1, 2, sharey=True,
                                        gridspec_kw={"width_ratios": [1.0, max(1.5, 0.3 *
                                                                                n_items)]})
    counts, edges = np.histogram(finite, bins=bins, range=(low, high))
    persons.barh(edges[:-1], counts, height=np.diff(edges), align="edge", color=BLUE,
                 alpha=0.8)
    persons.invert_xaxis()
    persons.axhline(finite.mean(), color="black", linewidth=0.8, linestyle="--")
    persons.text(0.02, finite.mean(), " M", transform=persons.get_yaxis_transform(),
                 va="bottom", fontsize=8)
    persons.set_xlabel("Respondents")
    persons.set_ylabel(f"θ (trait, {method} scores)")
    x = np.arange(n_items)
    n_steps = table.shape[1]
    for k in range(n_steps):
        column = table.iloc[:, k].to_numpy()
        items_ax.plot(x, column, linestyle="none", marker="o", markersize=11,
                      markerfacecolor="white", markeredgecolor=_colour(k, n_steps),
                      markeredgewidth=1.4)
        for xi, yi in zip(x, column, strict=True):
            if np.isfinite(yi):
                items_ax.text(xi, yi, str(k + 1), ha="center", va="center", fontsize=7,
                              gid="threshold")
    items_ax.axhline(finite.mean(), color="black", linewidth=0.8, linestyle="--")
    items_ax.set_xticks(x, list(result.items), rotation=90, fontsize=8)
    items_ax.set_xlim(-0.7, n_items - 0.3)
    items_ax.set_xlabel("Items (threshold number)")
    items_ax.set_ylim(low, high)
    plain(persons.yaxis)
    plain(persons.xaxis)
    figure.suptitle("Wright map", fontsize=11)
    return figure
