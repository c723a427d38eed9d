"""Path diagram of a confirmatory factor model, as semPlot's ``semPaths`` draws it in R.

Why hand-written: matplotlib has no path diagram, and a diagram through graphviz would need
a system binary users rarely have, so the diagram is laid out here (items grouped under
their factor, arcs for factor correlations) and drawn with matplotlib. Conventions, colours
and shared helpers: :mod:`alliance_scale.psychometrics._plotting`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..._checks import check_choice
from ..._lazy import pyplot
from ...errors import AnalysisError, OptionError
from .._plotting import OKABE_ITO, figure_axes, fixed, numeric_table, phi_panel

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_path_diagram",
]

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
    pyplot()  # matplotlib on the first plot: Agg unless a backend was chosen
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
    figure, ax = figure_axes(ax, layout.width * row + 0.3, layout.height * row + 0.3)
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
        phi_panel(inset, layout.panel, fontsize=7)
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


def _path_table(name: str, table: object) -> pd.DataFrame:
    """Paths (rows x columns) with text names; NaN (no path) as 0."""
    frame = numeric_table(name, table, missing=True).fillna(0.0)
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
        from matplotlib.patches import Ellipse, Rectangle
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
        colour = {f: OKABE_ITO[i % len(OKABE_ITO)] for i, f in enumerate(self.names)}
        for a, b, value, bulge in self.arcs:
            self._arc(ax, a, b, value, bulge, colour[min(a, b, key=self.y.get)], label)

    @staticmethod
    def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], value: float,
               at: float, label: Mapping[str, Any]) -> None:
        from matplotlib.patches import FancyArrowPatch
        ax.add_artist(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=7,
                                     linewidth=0.7, color="#333333", shrinkA=0, shrinkB=0,
                                     linestyle="--" if value < 0 else "-", zorder=2))
        ax.text(start[0] + at * (end[0] - start[0]), start[1] + at * (end[1] - start[1]),
                fixed(value), **label)

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
        from matplotlib.patches import FancyArrowPatch
        from matplotlib.path import Path
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
        ax.text(*apex, fixed(value), color=colour, **label)


def _nonzero(table: pd.DataFrame) -> list[tuple[str, str, float]]:
    """(row, column, value) of the non-zero cells, row by row."""
    values = table.to_numpy()
    return [(str(table.index[i]), str(table.columns[j]), float(values[i, j]))
            for i, j in zip(*np.nonzero(values), strict=True)]
