"""Plots of correlations: the correlation heatmap (grouped by facet) and the
multitrait-multimethod (MTMM) matrix.

Conventions, colours and shared helpers: :mod:`alliance_scale.psychometrics._plotting`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..._checks import check_flag, check_frame, check_number, correlation_problem
from ..._lazy import pyplot
from ...errors import AnalysisError, OptionError
from .._plotting import (
    DIVERGING,
    SHADE,
    cell_text_colour,
    colorbar,
    column_labels,
    figure_axes,
    fixed,
    group_runs,
    numeric_table,
    row_labels,
    separate_groups,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_correlations",
    "plot_mtmm",
]

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
    pyplot()  # matplotlib on the first plot: Agg unless a backend was chosen
    from matplotlib import colormaps
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
    frame = numeric_table("matrix", matrix)
    frame.index = frame.columns = [str(c) for c in frame.columns]
    if not np.all(np.abs(frame.to_numpy()) <= 1.0 + 1e-8):
        raise AnalysisError("matrix is not a correlation matrix: values outside -1..1")
    names = list(frame.columns)
    runs = [("", names)] if groups is None else group_runs(names, groups, "variable")
    order = [name for _, members in runs for name in members]
    p = len(order)
    annotate = p <= 20 if annotate is None else check_flag("annotate", annotate)
    side = min(max(4.0, 0.13 * p + 2.0), 16.0) if not annotate else max(4.0, 0.42 * p + 2.0)
    figure, ax = figure_axes(ax, side + 1.2, side)
    values = frame.loc[order, order].to_numpy()
    cmap = colormaps[DIVERGING].with_extremes(bad=SHADE)
    image = ax.imshow(np.ma.masked_array(values, np.eye(p, dtype=bool)), cmap=cmap, vmin=-1,
                      vmax=1, interpolation="nearest")
    if annotate:
        for (i, j), value in np.ndenumerate(values):
            if i != j:
                ax.text(j, i, fixed(value), ha="center", va="center", fontsize=7,
                        color=cell_text_colour(value), clip_on=True)
    fontsize = 8 if p <= 30 else max(3.5, 8 - p / 20)
    column_labels(ax, order, fontsize, rotation=90 if max(map(len, order)) > 3 else 0)
    row_labels(ax, order, fontsize)
    if groups is not None:
        separate_groups(ax, runs, vertical=True)
    colorbar(figure, image, ax, "r")
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
    pyplot()  # matplotlib on the first plot: Agg unless a backend was chosen
    from matplotlib.patches import Rectangle
    frame = check_frame("matrix", matrix)
    rows, columns = _traits("traits_y", traits_y, frame.index), _traits(
        "traits_x", traits_x, frame.columns)
    block = numeric_table("matrix", frame.loc[rows, columns])
    values = block.to_numpy()
    if np.any(np.abs(values) > 1.0 + 1e-8):
        raise AnalysisError("matrix holds values outside -1..1 (not correlations)")
    outlined = _hypothesised_cells(hypothesised, rows, columns)
    reliability = _reliabilities(reliabilities)
    figure, ax = figure_axes(ax, 1.0 * len(columns) + 3.2, 0.6 * len(rows) + 1.8)
    image = ax.imshow(values, cmap=DIVERGING, vmin=-1, vmax=1, aspect="auto",
                      interpolation="nearest")
    for (i, j), value in np.ndenumerate(values):
        ax.text(j, i, fixed(value), ha="center", va="center", fontsize=9,
                color=cell_text_colour(value), clip_on=True)
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
    colorbar(figure, image, ax, "r")
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
    from matplotlib.transforms import blended_transform_factory
    right = blended_transform_factory(ax.transAxes, ax.transData)
    top = blended_transform_factory(ax.transData, ax.transAxes)
    style = {"fontsize": 8, "color": "#333333", "fontstyle": "italic"}
    for i, row in enumerate(rows):
        value = reliability.get(str(row))
        ax.text(1.03, i, "-" if value is None else fixed(value), transform=right,
                ha="left", va="center", **style)
    for j, column in enumerate(columns):
        value = reliability.get(str(column))
        ax.text(j, 1.03, "-" if value is None else fixed(value), transform=top,
                ha="center", va="bottom", **style)
    ax.text(1.03, 1.03, "rel.", transform=ax.transAxes, ha="left", va="bottom", **style)
