"""Plots of the factor analyses: the scree plot with its parallel-analysis reference (as
psych's ``fa.parallel`` draws it) and the loadings heatmap ordered by facet.

Conventions, colours and shared helpers: :mod:`alliance_scale.psychometrics._plotting`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..._checks import check_choice, check_flag, check_instance, check_integer, check_number
from ..._lazy import pyplot
from ...errors import OptionError
from .._plotting import (
    BLUE,
    GREY,
    VERMILLION,
    figure_axes,
    fixed,
    group_runs,
    heatmap,
    numeric_table,
    phi_panel,
    plain,
    row_labels,
    separate_groups,
)
from ._n_factors import ParallelAnalysisResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_loadings",
    "plot_scree",
]

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
    pyplot()  # matplotlib on the first plot: Agg unless a backend was chosen
    from matplotlib.ticker import MaxNLocator
    from matplotlib.transforms import offset_copy
    check_instance("parallel", parallel, ParallelAnalysisResult, "see parallel_analysis")
    check_choice("kind", kind, ("both", "fa", "pc"))
    zoom = check_flag("zoom", zoom)
    table = parallel.table
    if max_number is not None:
        table = table.iloc[: check_integer("max_number", max_number, minimum=1)]
    figure, ax = figure_axes(ax, 7.0, 4.5)
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
    plain(ax.yaxis)
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
    from matplotlib.transforms import blended_transform_factory
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
            ax.text(number[i] + 0.25, 0.97 - 0.07 * j, fixed(observed[i, j]),
                    transform=edge, ha="left", va="top", fontsize=8, color=BLUE,
                    gid="off scale")


def _mark_counts(ax: Axes, retained: Mapping[str, int], last: int) -> None:
    """A vertical line at each retained count, named at the top of the axes."""
    from matplotlib.transforms import blended_transform_factory
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
    pyplot()  # matplotlib on the first plot: Agg unless a backend was chosen
    if not isinstance(loadings, pd.DataFrame) and isinstance(
            getattr(loadings, "loadings", None), pd.DataFrame):
        if phi is None:
            phi = getattr(loadings, "phi", None)
        loadings = loadings.loadings
    table = numeric_table("loadings", loadings)
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
        runs = group_runs(items, groups, "item")
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
    figure, ax = figure_axes(ax, 0.62 * len(factors) + 2.6, max(3.0, height))
    heatmap(ax, values, cut=cut, fontsize=6.5 if len(order) > 40 else 7.5,
             show_small=show_small)
    ax.set_xticks(range(len(factors)), factors, fontsize=8, parse_math=False)
    ax.xaxis.tick_top()
    row_labels(ax, order, fontsize=6.5 if len(order) > 40 else 8)
    ax.tick_params(length=0)
    if groups is not None:
        separate_groups(ax, runs)
    ax.set_title(f"Loadings (|loading| < {fixed(cut)} in grey)", fontsize=10)
    if phi_table is not None:
        share = (0.25 * len(factors) + 0.3) / max(0.2 * len(order), 1.0)
        inset = ax.inset_axes((0.0, -share - 0.02 - 0.4 / max(len(order), 1), 1.0, share))
        phi_panel(inset, phi_table, fontsize=7)
    return figure


def _factor_order(table: pd.DataFrame, runs: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """Factors in the order of the groups they load most (one factor per group)."""
    from scipy.optimize import linear_sum_assignment
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
    table = numeric_table("phi", phi)
    table.index = [str(i) for i in table.index]
    table.columns = [str(c) for c in table.columns]
    if sorted(table.index) != sorted(factors) or sorted(table.columns) != sorted(factors):
        raise OptionError(
            f"phi must have the factors {', '.join(factors)} as rows and columns; got "
            f"{', '.join(table.columns)}"
        )
    return table.loc[list(factors), list(factors)]
