"""Plots of the psychometric analyses, drawn with matplotlib on DataFrames and results.

What is here: the scree plot with its parallel-analysis reference (as psych's
``fa.parallel`` draws it), a loadings heatmap ordered by facet, diverging stacked bars of
Likert answers, the item-total / alpha-if-deleted chart, correlation and MTMM heatmaps, and
a path diagram of a confirmatory factor model (as semPlot's ``semPaths`` in R).

Conventions shared by every function:

- **Return value**: always the :class:`~matplotlib.figure.Figure` drawn on. Without ``ax``
  a new figure is made with pyplot (so ``plt.show()`` and notebooks display it; close it
  with ``plt.close(fig)``); with ``ax`` the plot goes there and ``ax.figure`` is returned.
  Nothing given by the caller is closed.
- **No global state**: no style sheet, no ``rcParams`` change; sizes and colours are given
  to each artist.
- **Numbers in fixed point**: loadings and correlations with 2 decimals, alphas with 3,
  tick labels in plain notation (never ``1e-3`` nor an offset).
- **Item names** on the long axes (rows of the loadings, Likert and item-total charts,
  both axes of the correlation heatmap) are texts with the gid ``"row label"`` /
  ``"column label"`` rather than tick labels: matplotlib measures every tick label
  several times a draw, which made 80-item plots twice as slow.
- **Colours**: ColorBrewer's RdBu for signed values and the Okabe-Ito palette for
  categories, both readable with the common colour-vision deficiencies; lines also differ
  by style and marker, and written values carry the information, so a grey print reads.

Why hand-written: matplotlib has no Likert chart, loadings heatmap or path diagram;
seaborn is not a dependency (and has none of them either), and a diagram through graphviz
would need a system binary users rarely have, so the path diagram is laid out here (items
grouped under their factor, arcs for factor correlations) and drawn with matplotlib.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._checks import (
    as_item_frame,
    check_choice,
    check_codes,
    check_flag,
    check_frame,
    check_instance,
    check_integer,
    check_number,
    check_unique_columns,
    correlation_problem,
)
from .._lazy import pyplot
from ..errors import AnalysisError, OptionError
from ._n_factors import ParallelAnalysisResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_correlations",
    "plot_item_total",
    "plot_likert",
    "plot_loadings",
    "plot_mtmm",
    "plot_path_diagram",
    "plot_scree",
]

#: Okabe & Ito (2008) colours, distinguishable with the common colour-vision deficiencies.
BLUE, VERMILLION, GREY = "#0072B2", "#D55E00", "#7f7f7f"
#: Okabe-Ito colours for lines (yellow, too light on white, left out).
_OKABE_ITO = ("#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
#: ColorBrewer's diverging red-blue (colour-blind safe): negative red, positive blue.
DIVERGING = "RdBu"
#: Most categories of a Likert chart whose labels are not given (a 0-10 rating).
_MAX_POINTS = 11
#: Background of loadings below the cut, and of the neutral Likert category.
SHADE, NEUTRAL = "#eeeeee", "#dddddd"


# --------------------------------------------------------------------------- shared helpers


def _load_matplotlib() -> None:
    """Import matplotlib into this module on the first plot (``import alliance_scale`` stays
    light; the Agg backend unless the user chose one, see :func:`.._lazy.pyplot`)."""
    global plt, colormaps, Axes, PolyCollection, Figure, Ellipse, FancyArrowPatch, Rectangle
    global Path, FuncFormatter, MaxNLocator, ScalarFormatter, blended_transform_factory
    global offset_copy, linear_sum_assignment
    if "linear_sum_assignment" in globals():
        return
    plt = pyplot()
    from matplotlib import colormaps
    from matplotlib.axes import Axes
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Ellipse, FancyArrowPatch, Rectangle
    from matplotlib.path import Path
    from matplotlib.ticker import FuncFormatter, MaxNLocator, ScalarFormatter
    from matplotlib.transforms import blended_transform_factory, offset_copy
    from scipy.optimize import linear_sum_assignment


def _figure_axes(ax: Axes | None, width: float, height: float) -> tuple[Figure, Axes]:
    """A new constrained-layout figure of ``width`` x ``height`` inches, or ``ax``'s."""
    if ax is None:
        figure = plt.figure(figsize=(width, height), layout="constrained")
        return figure, figure.add_subplot()
    check_instance("ax", ax, Axes, "e.g. from plt.subplots()")
    return ax.figure, ax


def _plain(axis: Any, decimals: int | None = None) -> None:
    """Tick labels of ``axis`` in fixed point: no scientific notation, no offset."""
    if decimals is None:
        formatter = ScalarFormatter(useOffset=False)
        formatter.set_scientific(False)
    else:
        formatter = FuncFormatter(lambda value, _: f"{value:.{decimals}f}")
    axis.set_major_formatter(formatter)


def _fixed(value: float, decimals: int = 2) -> str:
    """A number in fixed point (``-0.00`` shown as ``0.00``)."""
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _numeric_table(name: str, table: object, *, missing: bool = False) -> pd.DataFrame:
    """``table`` as a float DataFrame with unique row and column names.

    Text, booleans and infinite values are refused (:func:`as_item_frame`); so are
    missing values unless ``missing`` (the column and rows are named).
    """
    frame = as_item_frame(check_frame(name, table), min_items=1, min_rows=1,
                          allow_constant=True, what=name)
    check_unique_columns(frame.T, f"{name} repeats a row name")
    if not missing and frame.isna().to_numpy().any():
        column = frame.columns[frame.isna().any().to_numpy()][0]
        rows = list(frame.index[frame[column].isna().to_numpy()])
        raise AnalysisError(f"{name} has missing value(s)", column=str(column), rows=rows)
    return frame


def _group_runs(names: Sequence[str], groups: Mapping[Any, Any] | pd.Series,
                what: str) -> list[tuple[str, list[str]]]:
    """Split ``names`` into runs of one group each, names keeping their order in a group.

    Groups come in the natural order of their labels (``F2`` before ``F10``), or in the
    order of the categories when ``groups`` is a categorical Series.

    Raises
    ------
    OptionError
        ``groups`` is not a mapping name -> label, or misses some of ``names``.
    """
    categories = None
    if isinstance(groups, pd.Series):
        if isinstance(groups.dtype, pd.CategoricalDtype):
            categories = [str(c) for c in groups.cat.categories]
        groups = groups.to_dict()
    if not isinstance(groups, Mapping):
        raise OptionError(
            f"groups must be a mapping of each {what} to its group label (a dict or a "
            f"Series, e.g. item -> facet); got {type(groups).__name__}"
        )
    groups = {str(name): label for name, label in groups.items()}
    missing = [n for n in names if n not in groups]
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
        raise OptionError(f"groups gives no group to the {what}(s) {shown}")
    labels = {str(groups[n]) for n in names}
    order = ([c for c in categories if c in labels] if categories is not None
             else sorted(labels, key=_natural))
    runs: dict[str, list[str]] = {label: [] for label in order}
    for name in names:
        runs[str(groups[name])].append(name)
    return list(runs.items())


def _natural(label: str) -> list[Any]:
    """Sort key reading the digits of a label as a number (``F2`` before ``F10``)."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part)
            for part in re.split(r"(\d+)", label)]


def _separate_groups(ax: Axes, runs: Sequence[tuple[str, Sequence[str]]], *,
                     vertical: bool = False, fontsize: float = 8) -> None:
    """Lines between the runs of a heatmap (rows, and columns when ``vertical``) and each
    group's label on the right of its rows."""
    start = 0
    side = blended_transform_factory(ax.transAxes, ax.transData)
    for position, (label, members) in enumerate(runs):
        stop = start + len(members)
        if position:
            ax.axhline(start - 0.5, color="black", linewidth=0.9)
            if vertical:
                ax.axvline(start - 0.5, color="black", linewidth=0.9)
        ax.text(1.01, (start + stop - 1) / 2, label, transform=side, ha="left",
                va="center", fontsize=fontsize, fontweight="bold", parse_math=False)
        start = stop


def _row_labels(ax: Axes, labels: Sequence[str], fontsize: float) -> None:
    """Row names left of the axes, as texts with gid ``"row label"`` rather than tick
    labels: matplotlib measures each tick label several times a draw, which made the
    80-item plots twice as slow."""
    ax.set_yticks([])
    place = offset_copy(blended_transform_factory(ax.transAxes, ax.transData), ax.figure,
                        x=-3, units="points")
    for i, label in enumerate(labels):
        ax.text(0.0, i, label, transform=place, ha="right", va="center", fontsize=fontsize,
                gid="row label", parse_math=False)


def _column_labels(ax: Axes, labels: Sequence[str], fontsize: float,
                   rotation: float = 0) -> None:
    """Column names under the axes, as texts with gid ``"column label"`` (see
    :func:`_row_labels`)."""
    ax.set_xticks([])
    place = offset_copy(blended_transform_factory(ax.transData, ax.transAxes), ax.figure,
                        y=-3, units="points")
    for j, label in enumerate(labels):
        ax.text(j, 0.0, label, transform=place, ha="center", va="top", fontsize=fontsize,
                rotation=rotation, gid="column label", parse_math=False)


def _cell_text_colour(value: float, dark: float = 0.6) -> str:
    """Black on light cells, white on the dark ends of the diverging map."""
    return "white" if abs(value) > dark else "black"


def _colorbar(figure: Figure, image: Any, ax: Axes, label: str) -> None:
    bar = figure.colorbar(image, ax=ax, shrink=0.6, pad=0.02, aspect=30)
    bar.set_label(label, fontsize=8, parse_math=False)
    bar.set_ticks([-1.0, -0.5, 0.0, 0.5, 1.0])
    bar.ax.tick_params(labelsize=7)
    _plain(bar.ax.yaxis, decimals=1)


# --------------------------------------------------------------------------- scree


def plot_scree(
    parallel: ParallelAnalysisResult,
    *,
    kind: str = "both",
    max_number: int | None = None,
    zoom: bool = False,
    ax: Axes | None = None,
) -> Figure:
    """Scree plot of observed eigenvalues against the parallel-analysis reference.

    Draws what ``psych::fa.parallel`` draws (Horn 1965): the eigenvalues of the
    correlation matrix (principal components, crosses) and of the reduced matrix (factors,
    triangles) of the data, against the same eigenvalues of random data (dotted:
    simulated normal data; dashed: resampled answers, when the result has them). Blue is
    the data, vermillion the reference. The eigenvalues above the reference that are
    retained (``parallel.n_factors`` factors, ``parallel.n_components`` components) have
    filled markers, and a vertical line marks each count. The line at 1 is Kaiser's rule
    for components, as in psych.

    Parameters
    ----------
    parallel : ParallelAnalysisResult
        From :func:`~alliance_scale.parallel_analysis`.
    kind : {"both", "fa", "pc"}, default "both"
        Factors and components (psych's ``fa = "both"``), or one of them.
    max_number : int, optional
        Last factor / component number shown (default: all, as psych; with many items the
        first 15 to 25 are the readable part).
    zoom : bool, default False
        Cut the eigenvalue axis just above the second largest eigenvalue, where the data
        cross the reference (the first eigenvalue of a scale with a general factor is
        often ten times the others and flattens the rest): eigenvalues above the cut are
        drawn as arrows on the top edge, their value written beside them.
    ax : matplotlib Axes, optional
        Where to draw; a new 7 x 4.5 inch figure when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or ``ax.figure`` when ``ax`` is given.

    Raises
    ------
    OptionError
        ``parallel`` is not a ParallelAnalysisResult, or a bad ``kind``, ``max_number``
        or ``ax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> items = als.load_pilot().drop(columns=["wai_goal", "wai_task", "wai_bond"])
    >>> pa = als.parallel_analysis(items, n_iter=20, seed=1)  # In R: psych::fa.parallel(items)
    >>> fig = als.plot_scree(pa, max_number=20)
    >>> len(fig.axes) >= 1
    True
    >>> fig.axes[0].get_xlabel()
    'Factor / component number'
    >>> plt.close(fig)
    >>> fig = als.plot_scree(pa, max_number=20, zoom=True)  # the first eigenvalue off scale
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "off scale"]
    ['18.56', '17.81']
    >>> plt.close(fig)
    """
    _load_matplotlib()
    check_instance("parallel", parallel, ParallelAnalysisResult, "see parallel_analysis")
    check_choice("kind", kind, ("both", "fa", "pc"))
    zoom = check_flag("zoom", zoom)
    table = parallel.table
    if max_number is not None:
        table = table.iloc[: check_integer("max_number", max_number, minimum=1)]
    figure, ax = _figure_axes(ax, 7.0, 4.5)
    number = table.index.to_numpy()
    kinds = ("pc", "fa") if kind == "both" else (kind,)
    retained = {"pc": parallel.n_components, "fa": parallel.n_factors}
    style = {"pc": ("x", "PC "), "fa": ("^", "FA ")}
    every = max(1, len(number) // 12)
    for which in kinds:
        marker, prefix = style[which]
        observed = table[f"{which}_observed"].to_numpy()
        ax.plot(number, observed, "-" + marker, color=BLUE, linewidth=1.0, markersize=5,
                markerfacecolor="white" if marker == "^" else BLUE,
                label=f"{prefix} Actual Data")
        keep = number <= retained[which]
        ax.plot(number[keep], observed[keep], marker, color=BLUE, markersize=6,
                markerfacecolor=BLUE, markeredgewidth=1.5, linestyle="none")
        reference = {"simulated": (":", 1.4), "resampled": ("--", 1.0)}
        for source, (line, width) in reference.items():
            if table[f"{which}_{source}"].notna().any():
                ax.plot(number, table[f"{which}_{source}"], line + marker, color=VERMILLION,
                        linewidth=width, markersize=3.5, markerfacecolor="white",
                        markevery=(every // 2, every),
                        label=f"{prefix} {source.capitalize()} Data")
    ax.axhline(1.0, color="black", linewidth=0.6)
    if zoom and len(number) > 1:
        _cut_eigenvalues(ax, table, number, kinds)
    _mark_counts(ax, {w: retained[w] for w in kinds}, number.max(initial=1))
    ax.set_xlabel("Factor / component number")
    ax.set_ylabel("Eigenvalues of components and factors" if kind == "both"
                  else "Eigenvalues of " + ("factors" if kind == "fa" else "components"))
    ax.set_title("Parallel Analysis Scree Plots", fontsize=11)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    _plain(ax.yaxis)
    # under the axes: inside, it would cover the count labels or the curves' tails
    below = offset_copy(ax.transAxes, figure, y=-30, units="points")
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, 0.0),
              bbox_transform=below, ncol=3, handlelength=2.5, columnspacing=1.2)
    return figure


def _cut_eigenvalues(ax: Axes, table: pd.DataFrame, number: np.ndarray,
                     kinds: Sequence[str]) -> None:
    """The eigenvalue axis cut 25% above the second observed eigenvalue (or the highest
    reference, or 1); the eigenvalues above the cut as arrows on the top edge with their
    value (gid ``"off scale"``)."""
    observed = np.column_stack([table[f"{w}_observed"].to_numpy(float) for w in kinds])
    reference = table[[c for c in table.columns if c.split("_")[0] in kinds
                       and not c.endswith("_observed")]].to_numpy(float)
    top = 1.25 * max(float(np.nanmax(observed[1:])), float(np.nanmax(reference, initial=1.0)),
                     1.0)
    if not (observed > top).any():
        return
    low = min(0.0, float(np.nanmin(observed)), float(np.nanmin(reference, initial=0.0)))
    ax.set_ylim(low - 0.04 * (top - low), top)
    edge = blended_transform_factory(ax.transData, ax.transAxes)
    for j in range(len(kinds)):
        for i in np.flatnonzero(observed[:, j] > top):
            ax.plot([number[i]], [1.0], marker="^", color=BLUE, markersize=7,
                    transform=edge, clip_on=False, linestyle="none")
            ax.text(number[i] + 0.25, 0.97 - 0.07 * j, _fixed(observed[i, j]),
                    transform=edge, ha="left", va="top", fontsize=8, color=BLUE,
                    gid="off scale")


def _mark_counts(ax: Axes, retained: Mapping[str, int], last: int) -> None:
    """A vertical line at each retained count, named at the top of the axes."""
    names = {"fa": "factor", "pc": "component"}
    at: dict[int, list[str]] = {}
    for which, count in retained.items():
        if 0 < count <= last:
            at.setdefault(count, []).append(f"{count} {names[which]}{'s' * (count != 1)}")
    top = blended_transform_factory(ax.transData, ax.transAxes)
    for count, words in at.items():
        ax.axvline(count, color=GREY, linewidth=0.8, linestyle="-.")
        ax.text(count, 0.98, " " + ", ".join(words), transform=top, ha="left", va="top",
                fontsize=8, color="black", rotation=90)


# --------------------------------------------------------------------------- loadings


def plot_loadings(
    loadings: pd.DataFrame | Any,
    *,
    groups: Mapping[Any, Any] | pd.Series | None = None,
    cut: float = 0.3,
    phi: pd.DataFrame | None = None,
    sort: bool = True,
    show_small: bool = False,
    factor_order: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Heatmap of factor loadings (items x factors), rows grouped, small loadings greyed.

    Each cell shows its loading in fixed point (2 decimals) on a red (negative) to blue
    (positive) scale fixed at -1..1; cells with ``|loading| < cut`` are grey and left
    blank, as ``print(fa, cut = .3)`` leaves them in psych (``show_small=True`` writes
    them in grey). Rows are grouped
    by ``groups`` (e.g. item -> facet of the blueprint), with a line between groups and
    each group's label on the right; factor columns are put in the order of the groups
    they load (the factor with the largest mean |loading| in a group goes with it,
    one factor per group, by the Hungarian algorithm), the others after them.

    Parameters
    ----------
    loadings : DataFrame or EFAResult
        Items x factors, or any result with a ``loadings`` table (then its ``phi`` is
        drawn too unless ``phi`` is given).
    groups : mapping or Series, optional
        Each item's group label; groups in the natural order of their labels (``F2``
        before ``F10``) or of the categories of a categorical Series. Every item of
        ``loadings`` needs one (items only in ``groups`` are ignored).
    cut : float, default 0.3
        Loadings with a smaller absolute value are greyed, in [0, 1].
    phi : DataFrame, optional
        Factor correlations (factors x factors), drawn as a small heatmap under the
        loadings (an inset axes, ``fig.axes[0].child_axes[0]``), in the same factor order.
    sort : bool, default True
        Within each group (or over all items when no groups), order items as
        ``psych::fa.sort``: by the factor of their largest |loading|, then by decreasing
        |loading|. False keeps the order of ``loadings``.
    show_small : bool, default False
        Also write the loadings below the cut, in grey (on 80 items x 9 factors these 600
        or so more numbers double the drawing time, to about 1.5 s).
    factor_order : sequence of str, optional
        The factor columns from left to right (each factor of ``loadings`` once), e.g. to
        draw several item subsets with the same columns; default: in the order of the
        groups they load, as above.
    ax : matplotlib Axes, optional
        Where to draw; a new figure (height grows with the items) when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or ``ax.figure`` when ``ax`` is given.

    Raises
    ------
    OptionError
        ``loadings`` neither a DataFrame nor a result with ``loadings``, an item without a
        group, ``phi`` not matching the factors, or a bad ``cut``, ``sort``,
        ``show_small`` or ``ax``.
    AnalysisError
        Non-numeric, infinite or missing loadings (the factor and items are named).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> pilot, scale = als.load_pilot(), als.draft_scale()
    >>> fit = als.efa(pilot[scale.item_ids], 9, rotation="oblimin")
    >>> # In R: print(psych::fa(items, 9), cut = .3, sort = TRUE)
    >>> fig = als.plot_loadings(fit, groups=scale.to_frame()["facet"], cut=0.3)
    >>> len(fig.axes[0].child_axes)  # the factor correlations, under the loadings
    1
    >>> plt.close(fig)
    """
    _load_matplotlib()
    if not isinstance(loadings, pd.DataFrame) and isinstance(
            getattr(loadings, "loadings", None), pd.DataFrame):
        if phi is None:
            phi = getattr(loadings, "phi", None)
        loadings = loadings.loadings
    table = _numeric_table("loadings", loadings)
    cut = check_number("cut", cut, 0.0, 1.0)
    sort = check_flag("sort", sort)
    show_small = check_flag("show_small", show_small)
    items = [str(i) for i in table.index]
    table.index = items
    names = [str(c) for c in table.columns]
    table.columns = names
    if groups is None:
        runs = [("", items)]
        factors = names
    else:
        runs = _group_runs(items, groups, "item")
        factors = _factor_order(table, runs)
    if factor_order is not None:
        if isinstance(factor_order, str) or not isinstance(factor_order, Sequence):
            raise OptionError(f"factor_order must be a list of the factors; got "
                              f"{factor_order!r:.60}")
        chosen = [str(f) for f in factor_order]
        if sorted(chosen) != sorted(names):
            raise OptionError(f"factor_order must name each factor of loadings once "
                              f"({', '.join(names)}); got {', '.join(chosen)}")
        factors = chosen
    if sort:
        runs = [(label, _fa_sort(table.loc[members, factors])) for label, members in runs]
    order = [item for _, members in runs for item in members]
    values = table.loc[order, factors].to_numpy()
    phi_table = None if phi is None else _phi_table(phi, factors)

    height = 0.2 * len(order) + 1.2 + (0.25 * len(factors) + 0.6) * (phi_table is not None)
    figure, ax = _figure_axes(ax, 0.62 * len(factors) + 2.6, max(3.0, height))
    _heatmap(ax, values, cut=cut, fontsize=6.5 if len(order) > 40 else 7.5,
             show_small=show_small)
    ax.set_xticks(range(len(factors)), factors, fontsize=8, parse_math=False)
    ax.xaxis.tick_top()
    _row_labels(ax, order, fontsize=6.5 if len(order) > 40 else 8)
    ax.tick_params(length=0)
    if groups is not None:
        _separate_groups(ax, runs)
    ax.set_title(f"Loadings (|loading| < {_fixed(cut)} in grey)", fontsize=10)
    if phi_table is not None:
        share = (0.25 * len(factors) + 0.3) / max(0.2 * len(order), 1.0)
        inset = ax.inset_axes((0.0, -share - 0.02 - 0.4 / max(len(order), 1), 1.0, share))
        _phi_panel(inset, phi_table, fontsize=7)
    return figure


def _heatmap(ax: Axes, values: np.ndarray, *, cut: float, fontsize: float,
             diagonal: bool = True, show_small: bool = True) -> Any:
    """Cells coloured on RdBu (-1..1), values below ``cut`` shaded (and written in grey
    when ``show_small``), the others written.

    With ``diagonal=False`` the diagonal (1s of a correlation matrix) is left blank."""
    small = np.abs(values) < cut
    hidden = small.copy()
    if not diagonal:
        hidden |= np.eye(*values.shape, dtype=bool)
    cmap = colormaps[DIVERGING].with_extremes(bad=SHADE)
    image = ax.imshow(np.ma.masked_array(values, hidden), cmap=cmap, vmin=-1, vmax=1,
                      aspect="auto", interpolation="nearest")
    for (i, j), value in np.ndenumerate(values):
        if (not diagonal and i == j) or (small[i, j] and not show_small):
            continue
        colour = GREY if small[i, j] else _cell_text_colour(value)
        ax.text(j, i, _fixed(value), ha="center", va="center", fontsize=fontsize,
                color=colour, clip_on=True)
    rows, columns = values.shape
    ax.hlines(np.arange(1, rows) - 0.5, -0.5, columns - 0.5, color="white", linewidth=0.6)
    ax.vlines(np.arange(1, columns) - 0.5, -0.5, rows - 0.5, color="white", linewidth=0.6)
    return image


def _factor_order(table: pd.DataFrame, runs: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """Factors in the order of the groups they load most (one factor per group)."""
    strength = np.array([np.abs(table.loc[list(members)].to_numpy()).mean(axis=0)
                         for _, members in runs])
    rows, columns = linear_sum_assignment(strength, maximize=True)
    matched = [int(c) for _, c in sorted(zip(rows, columns, strict=True))]
    rest = [j for j in range(table.shape[1]) if j not in matched]
    return [str(table.columns[j]) for j in matched + rest]


def _fa_sort(block: pd.DataFrame) -> list[str]:
    """Items ordered as psych::fa.sort: by their main factor, then by decreasing |loading|."""
    absolute = np.abs(block.to_numpy())
    main = absolute.argmax(axis=1)
    size = absolute[np.arange(len(block)), main]
    return [str(block.index[i]) for i in np.lexsort((-size, main))]


def _phi_table(phi: object, factors: Sequence[str]) -> pd.DataFrame:
    """``phi`` as a factors x factors table in the order ``factors``."""
    table = _numeric_table("phi", phi)
    table.index = [str(i) for i in table.index]
    table.columns = [str(c) for c in table.columns]
    if sorted(table.index) != sorted(factors) or sorted(table.columns) != sorted(factors):
        raise OptionError(
            f"phi must have the factors {', '.join(factors)} as rows and columns; got "
            f"{', '.join(table.columns)}"
        )
    return table.loc[list(factors), list(factors)]


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
    _load_matplotlib()
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

    figure, ax = _figure_axes(ax, 8.5, max(2.6, 0.24 * len(items) + 1.6))
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
    _row_labels(ax, [f"{item} (n={n})" for item, n in zip(items, answered, strict=True)],
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
    _load_matplotlib()
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
    stats = _numeric_table("items", pd.DataFrame(
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
    panels[0].set_xlabel(f"Corrected item-total r (guide {_fixed(min_r)})", fontsize=9)
    # raises alpha as printed (3 decimals), not by a rounding error
    raises = (np.round(if_deleted, 3) > round(alpha, 3) if alpha is not None
              else np.zeros(len(y), dtype=bool))
    _dot_panel(panels[1], y, if_deleted, raises, decimals=3, fontsize=fontsize)
    reference = [] if alpha is None else [alpha]
    if alpha is not None:
        panels[1].axvline(alpha, color="black", linewidth=0.9)
        panels[1].annotate(f"alpha {_fixed(alpha, 3)}", (alpha, -1.0), xytext=(3, 0),
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
        _plain(panel.xaxis, decimals=decimals)
    _row_labels(panels[0], list(stats.index), fontsize)
    return figure


def _dot_panel(ax: Axes, y: np.ndarray, values: np.ndarray, flagged: np.ndarray, *,
               decimals: int, fontsize: float) -> None:
    """Dots (open vermillion squares when flagged) with their values written beside."""
    ax.plot(values[~flagged], y[~flagged], "o", color=BLUE, markersize=5)
    ax.plot(values[flagged], y[flagged], "s", color=VERMILLION, markersize=5,
            markerfacecolor="white", markeredgewidth=1.4)
    for i, value in enumerate(values):
        ax.annotate(_fixed(value, decimals), (value, y[i]), xytext=(6, 0),
                    textcoords="offset points", va="center", fontsize=fontsize - 0.5,
                    color=VERMILLION if flagged[i] else "black")


# --------------------------------------------------------------------------- correlations


def plot_correlations(
    matrix: pd.DataFrame | np.ndarray,
    *,
    groups: Mapping[Any, Any] | pd.Series | None = None,
    annotate: bool | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Heatmap of a correlation matrix, red (negative) to blue (positive) fixed at -1..1.

    Variables are ordered by ``groups`` (e.g. item -> facet), with lines between groups
    and each group's label on the right; a colour bar gives the scale and the diagonal
    (the 1s) is grey.

    Parameters
    ----------
    matrix : DataFrame or 2-D array
        A correlation matrix (square, symmetric, unit diagonal), e.g. from
        :func:`~alliance_scale.correlation_matrix` or ``EFAResult.correlation``.
    groups : mapping or Series, optional
        Each variable's group label; groups in the natural order of their labels (``F2``
        before ``F10``) or of the categories of a categorical Series.
    annotate : bool, optional
        Write each r (2 decimals); default when there are 20 variables or fewer.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the variables when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or ``ax.figure`` when ``ax`` is given.

    Raises
    ------
    OptionError
        A variable without a group, or a bad ``annotate`` or ``ax``.
    AnalysisError
        ``matrix`` is not a correlation matrix (the reason is named).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> pilot, scale = als.load_pilot(), als.draft_scale()
    >>> r = pilot[scale.item_ids].corr()  # In R: corPlot(cor(items))
    >>> fig = als.plot_correlations(r, groups=scale.to_frame()["facet"])
    >>> len(fig.axes)  # the heatmap and its colour bar
    2
    >>> plt.close(fig)
    """
    _load_matplotlib()
    if not isinstance(matrix, (pd.DataFrame, np.ndarray)):
        raise OptionError(f"matrix must be a DataFrame or a 2-D array; got "
                          f"{type(matrix).__name__}")
    problem = correlation_problem(matrix)
    if problem is not None:
        raise AnalysisError(f"matrix is not a correlation matrix: {problem}")
    if isinstance(matrix, np.ndarray):
        names = [f"item{j + 1}" for j in range(matrix.shape[0])]
        matrix = pd.DataFrame(matrix, index=names, columns=names)
    if list(matrix.index) != list(matrix.columns):
        raise AnalysisError("matrix's row and column names differ")
    frame = _numeric_table("matrix", matrix)
    frame.index = frame.columns = [str(c) for c in frame.columns]
    if not np.all(np.abs(frame.to_numpy()) <= 1.0 + 1e-8):
        raise AnalysisError("matrix is not a correlation matrix: values outside -1..1")
    names = list(frame.columns)
    runs = [("", names)] if groups is None else _group_runs(names, groups, "variable")
    order = [name for _, members in runs for name in members]
    p = len(order)
    annotate = p <= 20 if annotate is None else check_flag("annotate", annotate)
    side = min(max(4.0, 0.13 * p + 2.0), 16.0) if not annotate else max(4.0, 0.42 * p + 2.0)
    figure, ax = _figure_axes(ax, side + 1.2, side)
    values = frame.loc[order, order].to_numpy()
    cmap = colormaps[DIVERGING].with_extremes(bad=SHADE)
    image = ax.imshow(np.ma.masked_array(values, np.eye(p, dtype=bool)), cmap=cmap, vmin=-1,
                      vmax=1, interpolation="nearest")
    if annotate:
        for (i, j), value in np.ndenumerate(values):
            if i != j:
                ax.text(j, i, _fixed(value), ha="center", va="center", fontsize=7,
                        color=_cell_text_colour(value), clip_on=True)
    fontsize = 8 if p <= 30 else max(3.5, 8 - p / 20)
    _column_labels(ax, order, fontsize, rotation=90 if max(map(len, order)) > 3 else 0)
    _row_labels(ax, order, fontsize)
    if groups is not None:
        _separate_groups(ax, runs, vertical=True)
    _colorbar(figure, image, ax, "r")
    return figure


def plot_mtmm(
    matrix: pd.DataFrame,
    *,
    traits_x: Sequence[str],
    traits_y: Sequence[str],
    reliabilities: Mapping[Any, float] | pd.Series | None = None,
    hypothesised: object = None,
    ax: Axes | None = None,
) -> Figure:
    """Heatmap of correlations between two sets of measures (a multitrait-multimethod
    block), with the hypothesised convergent cells outlined and reliabilities on the margin.

    Rows are ``traits_y`` (e.g. the scale's subscales), columns ``traits_x`` (e.g. a
    criterion's goal / task / bond scores); each cell writes its r (2 decimals) on a
    red-blue scale fixed at -1..1. Cells named in ``hypothesised`` get a thick black
    outline (Campbell & Fiske 1959: these should be the highest of their row and column).
    Reliabilities of the rows are written on the right margin, of the columns on the top
    margin, under the header ``rel.``.

    Parameters
    ----------
    matrix : DataFrame
        Correlations with every trait of ``traits_y`` among its rows and of ``traits_x``
        among its columns: the rectangular block, or a full matrix of all the measures.
    traits_x, traits_y : sequence of str
        Columns (left to right) and rows (top to bottom) to draw.
    reliabilities : mapping or Series, optional
        Reliability (alpha, omega...) of traits of either set, each in [-1, 1]; traits
        without one show a dash.
    hypothesised : mapping, sequence of pairs or boolean DataFrame, optional
        The cells predicted to correlate: ``{row: column}`` or ``{row: [columns]}``,
        ``[(row, column), ...]``, or a boolean table indexed like the block.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or ``ax.figure`` when ``ax`` is given.

    Raises
    ------
    OptionError
        Traits missing from ``matrix``, repeated, or hypothesised cells outside the block;
        bad ``reliabilities`` or ``ax``.
    AnalysisError
        Non-numeric or missing correlations, or values outside -1..1.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> pilot, scale = als.load_pilot(), als.draft_scale()
    >>> scores = als.score(pilot, scale).scores[["A", "B", "C", "total"]]
    >>> wai = pilot[["wai_goal", "wai_task", "wai_bond"]]
    >>> r = pd.concat([scores, wai], axis=1).corr()
    >>> fig = als.plot_mtmm(r, traits_x=list(wai), traits_y=list(scores),
    ...                     hypothesised={"C": "wai_bond", "B": ["wai_task", "wai_bond"]},
    ...                     reliabilities={"A": 0.88, "wai_bond": 0.85})
    >>> len(fig.axes)  # the heatmap and its colour bar
    2
    >>> plt.close(fig)
    """
    _load_matplotlib()
    frame = check_frame("matrix", matrix)
    rows, columns = _traits("traits_y", traits_y, frame.index), _traits(
        "traits_x", traits_x, frame.columns)
    block = _numeric_table("matrix", frame.loc[rows, columns])
    values = block.to_numpy()
    if np.any(np.abs(values) > 1.0 + 1e-8):
        raise AnalysisError("matrix holds values outside -1..1 (not correlations)")
    outlined = _hypothesised_cells(hypothesised, rows, columns)
    reliability = _reliabilities(reliabilities)
    figure, ax = _figure_axes(ax, 1.0 * len(columns) + 3.2, 0.6 * len(rows) + 1.8)
    image = ax.imshow(values, cmap=DIVERGING, vmin=-1, vmax=1, aspect="auto",
                      interpolation="nearest")
    for (i, j), value in np.ndenumerate(values):
        ax.text(j, i, _fixed(value), ha="center", va="center", fontsize=9,
                color=_cell_text_colour(value), clip_on=True)
    for i, j in outlined:
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black",
                               linewidth=2.5, zorder=3))
    ax.set_xticks(range(len(columns)), columns, fontsize=9, parse_math=False)
    ax.set_yticks(range(len(rows)), rows, fontsize=9, parse_math=False)
    ax.tick_params(length=0)
    if reliability is not None:
        _reliability_margins(ax, reliability, rows, columns)
    if outlined:
        ax.set_xlabel("outlined: hypothesised convergent correlations", fontsize=8)
    _colorbar(figure, image, ax, "r")
    return figure


def _traits(name: str, traits: object, labels: pd.Index) -> list[Any]:
    """The traits (labels of ``matrix``) in the order given."""
    if isinstance(traits, (str, bytes)) or not isinstance(traits, (Sequence, pd.Index)):
        raise OptionError(f"{name} must be a list of names in matrix; got {traits!r:.60}")
    chosen = list(traits)
    unknown = [t for t in chosen if t not in labels]
    if not chosen or unknown or len(set(chosen)) != len(chosen):
        raise OptionError(f"{name} must name distinct labels of matrix; unknown: "
                          f"{unknown[:10]}")
    return chosen


def _hypothesised_cells(hypothesised: object, rows: Sequence[Any],
                        columns: Sequence[Any]) -> set[tuple[int, int]]:
    """(row, column) positions of the hypothesised cells."""
    if hypothesised is None:
        return set()
    if isinstance(hypothesised, pd.DataFrame):
        if not all(pd.api.types.is_bool_dtype(t) for t in hypothesised.dtypes):
            raise OptionError("hypothesised must be a boolean table when a DataFrame")
        flags = hypothesised.to_numpy(dtype=bool)
        pairs = [(hypothesised.index[i], hypothesised.columns[j])
                 for i, j in zip(*np.nonzero(flags), strict=True)]
    elif isinstance(hypothesised, Mapping):
        pairs = [(row, column) for row, chosen in hypothesised.items()
                 for column in ([chosen] if isinstance(chosen, str) or not isinstance(
                     chosen, Sequence) else chosen)]
    elif isinstance(hypothesised, Sequence) and not isinstance(hypothesised, str) and all(
            isinstance(p, Sequence) and not isinstance(p, str) and len(p) == 2
            for p in hypothesised):
        pairs = [tuple(p) for p in hypothesised]
    else:
        raise OptionError("hypothesised must be a mapping row -> column(s), a list of "
                          f"(row, column) pairs or a boolean DataFrame; got {hypothesised!r:.60}")
    outside = [p for p in pairs if p[0] not in rows or p[1] not in columns]
    if outside:
        raise OptionError(f"hypothesised names cells outside the block: {outside[:5]}")
    return {(list(rows).index(r), list(columns).index(c)) for r, c in pairs}


def _reliabilities(reliabilities: object) -> dict[str, float] | None:
    if reliabilities is None:
        return None
    if isinstance(reliabilities, pd.Series):
        reliabilities = reliabilities.to_dict()
    if not isinstance(reliabilities, Mapping):
        raise OptionError("reliabilities must be a mapping trait -> reliability; got "
                          f"{type(reliabilities).__name__}")
    return {str(name): check_number(f"reliabilities[{name!r}]", value, -1.0, 1.0)
            for name, value in reliabilities.items()}


def _reliability_margins(ax: Axes, reliability: Mapping[str, float], rows: Sequence[Any],
                         columns: Sequence[Any]) -> None:
    """Reliabilities of the rows on the right margin, of the columns on the top margin."""
    right = blended_transform_factory(ax.transAxes, ax.transData)
    top = blended_transform_factory(ax.transData, ax.transAxes)
    style = {"fontsize": 8, "color": "#333333", "fontstyle": "italic"}
    for i, row in enumerate(rows):
        value = reliability.get(str(row))
        ax.text(1.03, i, "-" if value is None else _fixed(value), transform=right,
                ha="left", va="center", **style)
    for j, column in enumerate(columns):
        value = reliability.get(str(column))
        ax.text(j, 1.03, "-" if value is None else _fixed(value), transform=top,
                ha="center", va="bottom", **style)
    ax.text(1.03, 1.03, "rel.", transform=ax.transAxes, ha="left", va="bottom", **style)


# --------------------------------------------------------------------------- path diagram

#: Path-diagram geometry, in item rows (one row = ``_ROW`` inches).
_ROW, _GAP, _BOX_GAP = 0.22, 1.0, 7.0


def plot_path_diagram(
    std_loadings: pd.DataFrame,
    *,
    factor_correlations: pd.DataFrame | None = None,
    second_order: pd.DataFrame | None = None,
    correlations: str = "auto",
    ax: Axes | None = None,
) -> Figure:
    """Path diagram of a confirmatory factor model, standardised estimates on the paths.

    Latent factors are ellipses, items boxes listed under their factor (the factor of
    their largest |loading|), one arrow per non-zero loading labelled in fixed point (2
    decimals; negative loadings dashed). Factor correlations are curved double-headed
    arcs on the left of the factors, labelled at their apex, as semPlot draws them; with
    more than a few factors the arcs cross each other (9 factors make 36), so they are
    drawn instead as a matrix panel (a heatmap of the correlations, as
    :func:`plot_loadings` draws ``phi``) at the top left of the diagram. A second-order
    layer (``second_order``) is drawn further left with its own arrows. The figure grows
    with the items (0.22 inch a row) so that 80 items and 9 factors stay legible, as
    semPlot's ``semPaths(fit, "std", rotation = 2)`` lays them out in R.

    Parameters
    ----------
    std_loadings : DataFrame
        Items x factors standardised loadings; 0 or NaN means no path. Every item needs a
        path and every factor an item.
    factor_correlations : DataFrame, optional
        Correlations between factors (first- or second-order; square, names as in the
        model); one arc per non-zero off-diagonal pair.
    second_order : DataFrame, optional
        First-order factors x second-order factors standardised loadings (0 or NaN: no
        path); each first-order factor of the model needs a row.
    correlations : {"auto", "arcs", "matrix"}, default "auto"
        How ``factor_correlations`` are drawn: arcs, or a matrix panel (the inset axes
        ``fig.axes[0].child_axes[0]``); "auto" draws arcs for up to
        6 pairs (4 factors) and the matrix beyond.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the model when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or ``ax.figure`` when ``ax`` is given.

    Raises
    ------
    OptionError
        Factor names of ``factor_correlations`` or ``second_order`` not in the model, or
        a bad ``ax``.
    AnalysisError
        Non-numeric or infinite values, an item without a path, or a factor without one.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> lam = pd.DataFrame({"goal": [0.71, 0.65, 0.58, 0, 0, 0],
    ...                     "bond": [0, 0, 0.22, 0.80, 0.74, -0.41]},
    ...                    index=["g1", "g2", "g3", "b1", "b2", "b3"])
    >>> phi = pd.DataFrame([[1, 0.45], [0.45, 1]], index=list(lam), columns=list(lam))
    >>> # In R: semPlot::semPaths(fit, "std") of lavaan::cfa(model, data)
    >>> fig = als.plot_path_diagram(lam, factor_correlations=phi)
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("0.7"))
    ['0.71', '0.74']
    >>> plt.close(fig)
    >>> fig = als.plot_path_diagram(lam, factor_correlations=phi, correlations="matrix")
    >>> [t.get_text() for t in fig.axes[0].child_axes[0].texts]  # no arc, a matrix panel
    ['0.45', '0.45']
    >>> plt.close(fig)
    """
    _load_matplotlib()
    check_choice("correlations", correlations, ("auto", "arcs", "matrix"))
    paths = _path_table("std_loadings", std_loadings)
    _every_row_and_column_used(paths, "std_loadings", "item", "factor")
    upper = None
    if second_order is not None:
        upper = _path_table("second_order", second_order)
        if sorted(upper.index) != sorted(paths.columns):
            raise OptionError("second_order must have one row per first-order factor "
                              f"({', '.join(paths.columns)}); got {', '.join(upper.index)}")
        _every_row_and_column_used(upper, "second_order", "first-order factor",
                                   "second-order factor")
        both = sorted(set(upper.columns) & set(paths.columns))
        if both:
            raise OptionError(f"second-order factors need names of their own; {both} "
                              "also name first-order factors")
    layout = _PathLayout(paths, upper)
    pairs = _factor_pairs(factor_correlations, layout.names)
    matrix = correlations == "matrix" or (correlations == "auto" and len(pairs) > _MAX_ARCS)
    if matrix and pairs:
        layout.place([], panel=_correlation_panel(pairs))
    else:
        layout.place(pairs)
    row = _ROW if len(paths) > 30 else 0.3
    figure, ax = _figure_axes(ax, layout.width * row + 0.3, layout.height * row + 0.3)
    ax.set_xlim(layout.left, layout.right)
    ax.set_ylim(layout.bottom, layout.top)
    ax.set_aspect("equal")
    ax.axis("off")
    layout.draw(ax, paths, upper)
    if layout.panel is not None:
        x0, y0, size = layout.panel_box
        inset = ax.inset_axes(((x0 - layout.left) / layout.width,
                               (layout.bottom - y0 - size) / layout.height,
                               size / layout.width, size / layout.height))
        _phi_panel(inset, layout.panel, fontsize=7)
    return figure


#: Most factor correlations drawn as arcs by ``correlations="auto"`` (4 factors).
_MAX_ARCS = 6


def _correlation_panel(pairs: Sequence[tuple[str, str, float]]) -> pd.DataFrame:
    """The factors x factors matrix of the correlated pairs (1 on the diagonal, 0 when a
    pair is not in the model), factors in their order of first appearance."""
    names = list(dict.fromkeys(n for a, b, _ in pairs for n in (a, b)))
    table = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    for a, b, value in pairs:
        table.loc[a, b] = table.loc[b, a] = value
    return table


def _phi_panel(ax: Axes, table: pd.DataFrame, fontsize: float) -> None:
    """Factor correlations as a small heatmap (diagonal blank), names on both axes: the
    panel of :func:`plot_loadings` and :func:`plot_path_diagram`."""
    names = [str(n) for n in table.index]
    _heatmap(ax, table.to_numpy(), cut=0.0, fontsize=fontsize, diagonal=False)
    ax.set_xticks(range(len(names)), names, fontsize=fontsize, parse_math=False)
    ax.set_yticks(range(len(names)), names, fontsize=fontsize, parse_math=False)
    ax.tick_params(length=0)
    ax.set_title("Factor correlations", fontsize=fontsize + 1)


def _path_table(name: str, table: object) -> pd.DataFrame:
    """Paths (rows x columns) with text names; NaN (no path) as 0."""
    frame = _numeric_table(name, table, missing=True).fillna(0.0)
    frame.index = [str(i) for i in frame.index]
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _every_row_and_column_used(paths: pd.DataFrame, name: str, row: str, column: str) -> None:
    """Refuse a row (item) or column (factor) without any non-zero path."""
    values = paths.to_numpy()
    empty_rows = paths.index[~(values != 0).any(axis=1)]
    if len(empty_rows):
        raise AnalysisError(f"{name}: {row}(s) without a path (all 0 or missing)",
                            rows=list(empty_rows))
    empty_columns = paths.columns[~(values != 0).any(axis=0)]
    if len(empty_columns):
        raise AnalysisError(f"{name}: {column} without a path (all 0 or missing)",
                            column=str(empty_columns[0]))


def _factor_pairs(correlations: object, names: Sequence[str]) -> list[tuple[str, str, float]]:
    """(factor, factor, r) for the non-zero off-diagonal cells of ``correlations``."""
    if correlations is None:
        return []
    table = _path_table("factor_correlations", correlations)
    unknown = [n for n in [*table.index, *table.columns] if n not in names]
    if unknown or sorted(table.index) != sorted(table.columns):
        raise OptionError("factor_correlations must be a square table of the model's factors "
                          f"({', '.join(names)}); unknown: {unknown[:10]}")
    labels = list(table.index)
    return [(labels[a], labels[b], float(table.loc[labels[a], labels[b]]))
            for a in range(len(labels)) for b in range(a + 1, len(labels))
            if table.loc[labels[a], labels[b]] != 0]


class _PathLayout:
    """Where the boxes, ellipses and arcs of a path diagram go, in item rows.

    Items are stacked top to bottom under their main factor (largest |loading|), one row
    each and a gap between factors; a factor's ellipse sits at the middle of its items,
    a second-order factor at the middle of its first-order factors. Columns from right to
    left: items (x from 0), first-order factors, the arcs between them, second-order
    factors, the arcs between those.
    """

    def __init__(self, paths: pd.DataFrame, upper: pd.DataFrame | None) -> None:
        main = dict(zip(paths.index, paths.columns[np.abs(paths.to_numpy()).argmax(axis=1)],
                        strict=True))
        first = list(paths.columns)
        if upper is not None:  # first-order factors grouped under their second-order one
            top = np.abs(upper.loc[first].to_numpy()).argmax(axis=1)
            first = [first[i] for i in np.argsort(top, kind="stable")]
        self.item_y: dict[str, float] = {}
        self.y: dict[str, float] = {}
        row = 0.0
        for factor in first:
            members = [item for item in paths.index if main[item] == factor]
            self.item_y.update((item, row + i) for i, item in enumerate(members))
            self.y[factor] = row + (len(members) - 1) / 2
            row += len(members) + _GAP
        self.columns = [first, [] if upper is None else list(upper.columns)]
        for factor in self.columns[1]:
            members = upper.index[upper[factor].to_numpy() != 0]
            self.y[factor] = float(np.mean([self.y[m] for m in members]))
        self.names = [*self.columns[0], *self.columns[1]]
        self.box = max(len(item) for item in paths.index) * 0.42 + 1.2
        self.half_width = {f: max(3.2, 0.62 * len(f) + 1.6) / 2 for f in self.names}
        self.half_height = 0.85
        self.bottom, self.top = row - _GAP + 0.5, -1.5
        self.x: dict[str, float] = {}
        self.arcs: list[tuple[str, str, float, float]] = []
        self.panel: pd.DataFrame | None = None
        self.panel_box = (0.0, 0.0, 0.0)

    def place(self, pairs: Sequence[tuple[str, str, float]],
              panel: pd.DataFrame | None = None) -> None:
        """x of every factor and the reach (bulge) of every arc; with ``panel`` (a
        correlation matrix), room for it at the top left: ``panel_box`` is its left x,
        top y and side, in rows (2.4 rows a cell, room for the names left and below)."""
        level = {f: (0 if f in self.columns[0] else 1) for f in self.names}
        edge = -_BOX_GAP
        for column in (0, 1):
            names = self.columns[column]
            if not names:
                continue
            widest = max(self.half_width[f] for f in names)
            edge -= 0 if column == 0 else _BOX_GAP
            self.x.update((f, edge - widest) for f in names)
            edge -= 2 * widest
            mine = [p for p in pairs if max(level[p[0]], level[p[1]]) == column]
            spans = [abs(self.y[a] - self.y[b]) for a, b, _ in mine]
            room = 2.0 * np.sqrt(len(mine))
            for (a, b, value), span in zip(mine, spans, strict=True):
                share = (span - min(spans)) / (max(spans) - min(spans) or 1.0)
                self.arcs.append((a, b, value, 1.8 + room * share))
            edge -= (1.8 + room + 1.2) if mine else 0.0
        if panel is not None:
            self.panel = panel
            names = max(len(str(n)) for n in panel.index) * 0.5 + 1.5
            size = 2.4 * len(panel)
            edge -= 1.5 + size
            self.panel_box = (edge, self.top + 2.0, size)
            edge -= names
            self.bottom = max(self.bottom, self.top + 2.0 + size + names)
        self.left, self.right = edge - 0.5, self.box + 0.5
        self.width, self.height = self.right - self.left, self.bottom - self.top

    def draw(self, ax: Axes, paths: pd.DataFrame, upper: pd.DataFrame | None) -> None:
        label = {"fontsize": 6, "ha": "center", "va": "center", "zorder": 5, "clip_on": True,
                 "bbox": {"boxstyle": "square,pad=0.08", "facecolor": "white",
                          "edgecolor": "none"}}
        for item, y in self.item_y.items():
            ax.add_artist(Rectangle((0.0, y - 0.38), self.box, 0.76, facecolor="white",
                                   edgecolor="#555555", linewidth=0.7))
            ax.text(self.box / 2, y, item, ha="center", va="center", fontsize=7,
                    clip_on=True, parse_math=False)
        for factor in self.names:
            ax.add_artist(Ellipse((self.x[factor], self.y[factor]),
                                 2 * self.half_width[factor], 2 * self.half_height,
                                 facecolor="#e8eef5", edgecolor="black", linewidth=1.0,
                                 zorder=3))
            ax.text(self.x[factor], self.y[factor], factor, ha="center", va="center",
                    fontsize=8, fontweight="bold", zorder=4, clip_on=True, parse_math=False)
        values = paths.to_numpy()
        for i, item in enumerate(paths.index):
            sources = sorted(np.flatnonzero(values[i]), key=lambda j: self.y[paths.columns[j]])
            ends = np.linspace(-0.25, 0.25, len(sources)) if len(sources) > 1 else [0.0]
            main = np.abs(values[i]).argmax()
            for j, shift in zip(sources, ends, strict=True):
                factor = paths.columns[j]
                self._arrow(ax, (self.x[factor] + self.half_width[factor], self.y[factor]),
                            (0.0, self.item_y[item] + shift), values[i, j],
                            0.8 if j == main else 0.5, label)
        if upper is not None:
            for first, second, value in _nonzero(upper):
                self._arrow(ax, (self.x[second] + self.half_width[second], self.y[second]),
                            (self.x[first] - self.half_width[first], self.y[first]), value,
                            0.7, label)
        colour = {f: _OKABE_ITO[i % len(_OKABE_ITO)] for i, f in enumerate(self.names)}
        for a, b, value, bulge in self.arcs:
            self._arc(ax, a, b, value, bulge, colour[min(a, b, key=self.y.get)], label)

    @staticmethod
    def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], value: float,
               at: float, label: Mapping[str, Any]) -> None:
        ax.add_artist(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=7,
                                     linewidth=0.7, color="#333333", shrinkA=0, shrinkB=0,
                                     linestyle="--" if value < 0 else "-", zorder=2))
        ax.text(start[0] + at * (end[0] - start[0]), start[1] + at * (end[1] - start[1]),
                _fixed(value), **label)

    def _start(self, factor: str, partner: str, spread: float) -> tuple[float, float]:
        """Where an arc leaves ``factor``'s ellipse: towards ``partner``'s side, the
        nearer arcs (``spread`` near 1) closer to the top or bottom of the ellipse."""
        angle = np.deg2rad(15 + 55 * spread)
        side = -1.0 if self.y[partner] < self.y[factor] else 1.0
        return (self.x[factor] - self.half_width[factor] * np.cos(angle),
                self.y[factor] + side * self.half_height * np.sin(angle))

    def _arc(self, ax: Axes, a: str, b: str, value: float, bulge: float, colour: str,
             label: Mapping[str, Any]) -> None:
        """A double-headed arc from ``a`` to ``b``, coloured by the upper factor (to follow
        it among many), its value at the apex."""
        def spread(factor: str, partner: str) -> float:
            """Rank of this arc among the factor's arcs on that side, nearest = 1."""
            side = [p for x, y, _, _ in self.arcs for f, p in ((x, y), (y, x))
                    if f == factor and (self.y[p] < self.y[factor]) ==
                    (self.y[partner] < self.y[factor])]
            spans = sorted({abs(self.y[p] - self.y[factor]) for p in side})
            here = spans.index(abs(self.y[partner] - self.y[factor]))
            return 0.5 if len(spans) == 1 else 1.0 - here / (len(spans) - 1)

        start, end = self._start(a, b, spread(a, b)), self._start(b, a, spread(b, a))
        apex = (min(self.x[a] - self.half_width[a], self.x[b] - self.half_width[b]) - bulge,
                (start[1] + end[1]) / 2)
        control = (2 * apex[0] - (start[0] + end[0]) / 2, apex[1])
        path = Path([start, control, end], [Path.MOVETO, Path.CURVE3, Path.CURVE3])
        ax.add_artist(FancyArrowPatch(path=path, arrowstyle="<|-|>", mutation_scale=6,
                                     linewidth=0.7, color=colour,
                                     linestyle="--" if value < 0 else "-", zorder=1))
        ax.text(*apex, _fixed(value), color=colour, **label)


def _nonzero(table: pd.DataFrame) -> list[tuple[str, str, float]]:
    """(row, column, value) of the non-zero cells, row by row."""
    values = table.to_numpy()
    return [(str(table.index[i]), str(table.columns[j]), float(values[i, j]))
            for i, j in zip(*np.nonzero(values), strict=True)]
