"""What the plots share: the conventions, colours and drawing helpers of every figure.

The plots live beside the analysis they draw: ``_factor/_plots.py`` (scree with the
parallel-analysis reference as psych's ``fa.parallel`` draws it, loadings heatmap ordered by
facet), ``_reliability/_plots.py`` (diverging stacked bars of Likert answers, the item-total /
alpha-if-deleted chart), ``_correlation/_plots.py`` (correlation and MTMM heatmaps) and
``_cfa/_plots.py`` (path diagram of a confirmatory factor model, as semPlot's ``semPaths``).
Matplotlib is imported inside the functions that draw (pyplot through
:func:`alliance_scale._lazy.pyplot`), so ``import alliance_scale`` does not load it.

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

Why hand-written: matplotlib has no Likert chart, loadings heatmap or path diagram, and
seaborn is not a dependency (and has none of them either).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._checks import as_item_frame, check_frame, check_instance, check_unique_columns
from .._lazy import pyplot
from ..errors import AnalysisError, OptionError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__: list[str] = []

#: Okabe & Ito (2008) colours, distinguishable with the common colour-vision deficiencies.
BLUE, VERMILLION, GREY = "#0072B2", "#D55E00", "#7f7f7f"
#: Okabe-Ito colours for lines (yellow, too light on white, left out).
OKABE_ITO = ("#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
#: ColorBrewer's diverging red-blue (colour-blind safe): negative red, positive blue.
DIVERGING = "RdBu"
#: Background of loadings below the cut, and of the neutral Likert category.
SHADE, NEUTRAL = "#eeeeee", "#dddddd"


# --------------------------------------------------------------------------- shared helpers


def figure_axes(ax: Axes | None, width: float, height: float) -> tuple[Figure, Axes]:
    """A new constrained-layout figure of ``width`` x ``height`` inches, or ``ax``'s."""
    plt = pyplot()
    from matplotlib.axes import Axes
    if ax is None:
        figure = plt.figure(figsize=(width, height), layout="constrained")
        return figure, figure.add_subplot()
    check_instance("ax", ax, Axes, "e.g. from plt.subplots()")
    return ax.figure, ax


def plain(axis: Any, decimals: int | None = None) -> None:
    """Tick labels of ``axis`` in fixed point: no scientific notation, no offset."""
    from matplotlib.ticker import FuncFormatter, ScalarFormatter
    if decimals is None:
        formatter = ScalarFormatter(useOffset=False)
        formatter.set_scientific(False)
    else:
        formatter = FuncFormatter(lambda value, _: f"{value:.{decimals}f}")
    axis.set_major_formatter(formatter)


def fixed(value: float, decimals: int = 2) -> str:
    """A number in fixed point (``-0.00`` shown as ``0.00``)."""
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def numeric_table(name: str, table: object, *, missing: bool = False) -> pd.DataFrame:
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


def group_runs(names: Sequence[str], groups: Mapping[Any, Any] | pd.Series,
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
             else sorted(labels, key=natural))
    runs: dict[str, list[str]] = {label: [] for label in order}
    for name in names:
        runs[str(groups[name])].append(name)
    return list(runs.items())


def natural(label: str) -> list[Any]:
    """Sort key reading the digits of a label as a number (``F2`` before ``F10``)."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part)
            for part in re.split(r"(\d+)", label)]


def separate_groups(ax: Axes, runs: Sequence[tuple[str, Sequence[str]]], *,
                     vertical: bool = False, fontsize: float = 8) -> None:
    """Lines between the runs of a heatmap (rows, and columns when ``vertical``) and each
    group's label on the right of its rows."""
    from matplotlib.transforms import blended_transform_factory
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


def row_labels(ax: Axes, labels: Sequence[str], fontsize: float) -> None:
    """Row names left of the axes, as texts with gid ``"row label"`` rather than tick
    labels: matplotlib measures each tick label several times a draw, which made the
    80-item plots twice as slow."""
    from matplotlib.transforms import blended_transform_factory, offset_copy
    ax.set_yticks([])
    place = offset_copy(blended_transform_factory(ax.transAxes, ax.transData), ax.figure,
                        x=-3, units="points")
    for i, label in enumerate(labels):
        ax.text(0.0, i, label, transform=place, ha="right", va="center", fontsize=fontsize,
                gid="row label", parse_math=False)


def column_labels(ax: Axes, labels: Sequence[str], fontsize: float,
                   rotation: float = 0) -> None:
    """Column names under the axes, as texts with gid ``"column label"`` (see
    :func:`row_labels`)."""
    from matplotlib.transforms import blended_transform_factory, offset_copy
    ax.set_xticks([])
    place = offset_copy(blended_transform_factory(ax.transData, ax.transAxes), ax.figure,
                        y=-3, units="points")
    for j, label in enumerate(labels):
        ax.text(j, 0.0, label, transform=place, ha="center", va="top", fontsize=fontsize,
                rotation=rotation, gid="column label", parse_math=False)


def cell_text_colour(value: float, dark: float = 0.6) -> str:
    """Black on light cells, white on the dark ends of the diverging map."""
    return "white" if abs(value) > dark else "black"


def colorbar(figure: Figure, image: Any, ax: Axes, label: str) -> None:
    bar = figure.colorbar(image, ax=ax, shrink=0.6, pad=0.02, aspect=30)
    bar.set_label(label, fontsize=8, parse_math=False)
    bar.set_ticks([-1.0, -0.5, 0.0, 0.5, 1.0])
    bar.ax.tick_params(labelsize=7)
    plain(bar.ax.yaxis, decimals=1)



def heatmap(ax: Axes, values: np.ndarray, *, cut: float, fontsize: float,
             diagonal: bool = True, show_small: bool = True) -> Any:
    """Cells coloured on RdBu (-1..1), values below ``cut`` shaded (and written in grey
    when ``show_small``), the others written.

    With ``diagonal=False`` the diagonal (1s of a correlation matrix) is left blank."""
    from matplotlib import colormaps
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
        colour = GREY if small[i, j] else cell_text_colour(value)
        ax.text(j, i, fixed(value), ha="center", va="center", fontsize=fontsize,
                color=colour, clip_on=True)
    rows, columns = values.shape
    ax.hlines(np.arange(1, rows) - 0.5, -0.5, columns - 0.5, color="white", linewidth=0.6)
    ax.vlines(np.arange(1, columns) - 0.5, -0.5, rows - 0.5, color="white", linewidth=0.6)
    return image


def phi_panel(ax: Axes, table: pd.DataFrame, fontsize: float) -> None:
    """Factor correlations as a small heatmap (diagonal blank), names on both axes: the
    panel of :func:`plot_loadings` and :func:`plot_path_diagram`."""
    names = [str(n) for n in table.index]
    heatmap(ax, table.to_numpy(), cut=0.0, fontsize=fontsize, diagonal=False)
    ax.set_xticks(range(len(names)), names, fontsize=fontsize, parse_math=False)
    ax.set_yticks(range(len(names)), names, fontsize=fontsize, parse_math=False)
    ax.tick_params(length=0)
    ax.set_title("Factor correlations", fontsize=fontsize + 1)
