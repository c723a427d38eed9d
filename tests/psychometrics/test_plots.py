"""Plots (each family's _plots.py in psychometrics/, and _plotting.py they share): structure
of each figure, fixed-point text, bad input, untouched input, no figure left open, no global
matplotlib state changed."""

from __future__ import annotations

import re
import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Ellipse, FancyArrowPatch, Rectangle
from matplotlib.text import Text

import alliance_scale as als
from alliance_scale import AllianceScaleError, AnalysisError, OptionError
from alliance_scale.psychometrics import _plotting
from alliance_scale.psychometrics._cfa import _plots as cfa_plots
from alliance_scale.psychometrics._correlation import _plots as correlation_plots
from alliance_scale.psychometrics._factor import _plots as factor_plots
from alliance_scale.psychometrics._reliability import _plots as reliability_plots

matplotlib.use("Agg")

SCIENTIFIC = re.compile(r"\d\s*[eE]\s*[+\-\u2212]?\s*\d|\u00d7\s*10|10\^")
TWO_DECIMALS = re.compile(r"^-?\d\.\d\d$")


@pytest.fixture(autouse=True)
def no_figure_left_open():
    """Every test closes what it got; a refused call must not leave a figure behind."""
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before


@pytest.fixture(scope="module")
def pilot() -> pd.DataFrame:
    return als.load_pilot()


@pytest.fixture(scope="module")
def scale():
    return als.draft_scale()


@pytest.fixture(scope="module")
def items(pilot, scale) -> pd.DataFrame:
    return pilot[scale.item_ids]


@pytest.fixture(scope="module")
def facets(scale) -> pd.Series:
    return scale.to_frame()["facet"]


@pytest.fixture(scope="module")
def parallel(items):
    return als.parallel_analysis(items, n_iter=5, seed=3)


def texts(figure: Figure) -> list[str]:
    """Every non-empty text of the drawn figure (tick labels, legends, annotations...)."""
    figure.canvas.draw()
    return [t.get_text() for t in figure.findobj(Text) if t.get_visible() and t.get_text()]


def assert_fixed_point(figure: Figure) -> None:
    found = [t for t in texts(figure) if SCIENTIFIC.search(t)]
    assert found == []


def names(ax, kind: str = "row label") -> list[str]:
    """The item names written beside the axes (rows top to bottom, columns left to right)."""
    found = [t for t in ax.texts if t.get_gid() == kind]
    index = 1 if kind == "row label" else 0
    return [t.get_text() for t in sorted(found, key=lambda t: t.get_position()[index])]


def axes_texts(ax) -> list[Text]:
    return [t for t in ax.texts if t.get_text()]


# --------------------------------------------------------------------------- scree


def test_scree_draws_psych_lines_and_marks_the_counts(parallel):
    figure = als.plot_scree(parallel)
    try:
        (ax,) = figure.axes
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == [f"{k}  {s} Data" for k in ("PC", "FA")
                          for s in ("Actual", "Simulated", "Resampled")]
        lines = {line.get_label(): line for line in ax.get_lines()}
        table = parallel.table
        np.testing.assert_array_equal(lines["PC  Actual Data"].get_xdata(), table.index)
        np.testing.assert_array_equal(lines["FA  Actual Data"].get_ydata(),
                                      table["fa_observed"])
        np.testing.assert_array_equal(lines["FA  Simulated Data"].get_ydata(),
                                      table["fa_simulated"])
        # the retained eigenvalues: exactly n_factors filled triangles
        filled = [line for line in ax.get_lines() if line.get_marker() == "^"
                  and line.get_linestyle() == "None"]
        assert len(filled) == 1 and len(filled[0].get_xdata()) == parallel.n_factors
        vertical = sorted(line.get_xdata()[0] for line in ax.get_lines()
                          if line.get_linestyle() == "-." and len(set(line.get_xdata())) == 1)
        assert vertical == sorted({parallel.n_factors, parallel.n_components})
        words = " ".join(axes_texts_of(ax))
        assert f"{parallel.n_factors} factors" in words
        assert f"{parallel.n_components} components" in words
        assert_fixed_point(figure)
    finally:
        plt.close(figure)


def axes_texts_of(ax) -> list[str]:
    return [t.get_text() for t in axes_texts(ax)]


def test_scree_kind_and_max_number(parallel):
    figure = als.plot_scree(parallel, kind="fa", max_number=12)
    try:
        ax = figure.axes[0]
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert all(label.startswith("FA") for label in labels)
        assert max(max(line.get_xdata(), default=0) for line in ax.get_lines()) <= 12
    finally:
        plt.close(figure)


def test_scree_of_a_correlation_matrix_has_no_resampled_reference(items):
    result = als.parallel_analysis(cor_matrix=items.iloc[:, :20].corr(), n_obs=320, n_iter=5,
                                   seed=1)
    figure = als.plot_scree(result)
    try:
        labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
        assert labels == [f"{k}  {s} Data" for k in ("PC", "FA")
                          for s in ("Actual", "Simulated")]
    finally:
        plt.close(figure)


def test_scree_of_tiny_and_huge_eigenvalues_stays_fixed_point(parallel):
    table = parallel.table.copy() * 1e-6
    tiny = als.ParallelAnalysisResult(
        n_factors=1, n_components=1, table=table, replicates=parallel.replicates,
        quantile=0.95, n_iter=5, n_obs=320)
    huge = als.ParallelAnalysisResult(
        n_factors=1, n_components=1, table=parallel.table * 1e5,
        replicates=parallel.replicates, quantile=0.95, n_iter=5, n_obs=320)
    for result in (tiny, huge):
        figure = als.plot_scree(result)
        try:
            assert_fixed_point(figure)
        finally:
            plt.close(figure)


@pytest.mark.parametrize(("arguments", "error"), [
    ({"parallel": pd.DataFrame()}, OptionError),
    ({"kind": "pca"}, OptionError),
    ({"max_number": 0}, OptionError),
    ({"max_number": 2.5}, OptionError),
    ({"ax": "left"}, OptionError),
])
def test_scree_refuses_bad_arguments(parallel, arguments, error):
    arguments = {"parallel": parallel, **arguments}
    with pytest.raises(error):
        als.plot_scree(**arguments)


# --------------------------------------------------------------------------- loadings

#: Items x factors with a known simple structure: F2 carries group "g1", F1 group "g2".
LOADINGS = pd.DataFrame(
    {"F1": [0.05, 0.10, -0.02, 0.72, 0.55, 0.61],
     "F2": [0.64, 0.81, 0.45, 0.12, -0.29, 0.0001]},
    index=["a1", "a2", "a3", "b1", "b2", "b3"],
)
GROUPS = {"b1": "g2", "b2": "g2", "b3": "g2", "a1": "g1", "a2": "g1", "a3": "g1"}


def _cell_texts(ax) -> dict[tuple[int, int], Text]:
    """The numbers written in the cells (data coordinates), by (row, column)."""
    return {(round(t.get_position()[1]), round(t.get_position()[0])): t
            for t in ax.texts
            if TWO_DECIMALS.match(t.get_text()) and t.get_transform() == ax.transData}


def test_loadings_order_rows_by_group_and_columns_by_the_groups_they_load():
    given, groups = LOADINGS.copy(), dict(GROUPS)
    figure = als.plot_loadings(given, groups=groups, cut=0.3)
    try:
        ax = figure.axes[0]
        rows = names(ax)
        # g1 before g2; inside a group by decreasing |loading| (psych::fa.sort)
        assert rows == ["a2", "a1", "a3", "b1", "b3", "b2"]
        assert [t.get_text() for t in ax.get_xticklabels()] == ["F2", "F1"]
        image = next(a for a in ax.get_children() if isinstance(a, AxesImage))
        shown = LOADINGS.loc[rows, ["F2", "F1"]].to_numpy()
        np.testing.assert_array_equal(image.get_array().data, shown)
        # the cut: exactly the cells below .30 are masked (shaded) and written in grey
        np.testing.assert_array_equal(image.get_array().mask, np.abs(shown) < 0.3)
        # only the loadings at or above the cut are written, as psych's print(cut = .3)
        cells = _cell_texts(ax)
        assert sorted(cells) == sorted(zip(*np.nonzero(np.abs(shown) >= 0.3), strict=True))
        for (i, j), text in cells.items():
            assert text.get_text() == f"{shown[i, j]:.2f}"
        # one separator between the two groups, labels on the right
        assert [t.get_text() for t in ax.texts if t.get_text() in {"g1", "g2"}] == ["g1", "g2"]
        separators = [line.get_ydata()[0] for line in ax.get_lines()]
        assert separators == [2.5]
        assert_fixed_point(figure)
    finally:
        plt.close(figure)
    pd.testing.assert_frame_equal(given, LOADINGS)
    assert groups == GROUPS


def test_loadings_below_the_cut_written_in_grey_on_demand():
    figure = als.plot_loadings(LOADINGS, groups=GROUPS, show_small=True)
    try:
        ax = figure.axes[0]
        rows = names(ax)
        shown = LOADINGS.loc[rows, ["F2", "F1"]].to_numpy()
        cells = _cell_texts(ax)
        assert len(cells) == shown.size
        for (i, j), text in cells.items():
            assert text.get_text() == f"{shown[i, j]:.2f}".replace("-0.00", "0.00")
            grey = matplotlib.colors.same_color(text.get_color(), _plotting.GREY)
            assert grey == (abs(shown[i, j]) < 0.3)
        assert cells[(5, 0)].get_text() == "-0.29"
        assert cells[(4, 0)].get_text() == "0.00"  # 0.0001 in fixed point
        assert_fixed_point(figure)
    finally:
        plt.close(figure)


def test_loadings_keep_the_given_order_without_sorting():
    figure = als.plot_loadings(LOADINGS, groups=GROUPS, sort=False)
    try:
        rows = names(figure.axes[0])
        assert rows == ["a1", "a2", "a3", "b1", "b2", "b3"]
    finally:
        plt.close(figure)


def test_loadings_group_order_natural_or_categorical():
    frame = pd.DataFrame({"F": [0.5, 0.6, 0.7]}, index=["x", "y", "z"])
    natural = {"x": "F10", "y": "F2", "z": "F1"}
    figure = als.plot_loadings(frame, groups=natural, sort=False)
    try:
        assert names(figure.axes[0]) == ["z", "y", "x"]
    finally:
        plt.close(figure)
    categorical = pd.Series(pd.Categorical(["b", "a", "c"], categories=["c", "b", "a"]),
                            index=["x", "y", "z"])
    figure = als.plot_loadings(frame, groups=categorical, sort=False)
    try:
        assert names(figure.axes[0]) == ["z", "x", "y"]
    finally:
        plt.close(figure)


@pytest.mark.slow
def test_loadings_of_an_efa_result_draw_phi(items, facets):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        oblique = als.efa(items.iloc[:, :30], 3, rotation="oblimin")
        orthogonal = als.efa(items.iloc[:, :30], 3, rotation="varimax")
    figure = als.plot_loadings(oblique, groups=facets)
    try:
        (ax,) = figure.axes
        (inset,) = ax.child_axes  # phi, under the loadings
        factors = [t.get_text() for t in ax.get_xticklabels()]
        assert [t.get_text() for t in inset.get_xticklabels()] == factors
        phi = oblique.phi.loc[factors, factors].to_numpy()
        cells = _cell_texts(inset)
        assert len(cells) == 6  # the diagonal is left blank
        for (i, j), text in cells.items():
            assert text.get_text() == f"{phi[i, j]:.2f}"
        assert_fixed_point(figure)
    finally:
        plt.close(figure)
    figure = als.plot_loadings(orthogonal)
    try:
        assert figure.axes[0].child_axes == []
    finally:
        plt.close(figure)


@pytest.mark.parametrize(("arguments", "error"), [
    ({"loadings": [[0.5]]}, OptionError),
    ({"loadings": LOADINGS.astype(str).replace("0.05", "x")}, AnalysisError),
    ({"loadings": LOADINGS.replace(0.05, np.nan)}, AnalysisError),
    ({"loadings": LOADINGS.replace(0.05, np.inf)}, AnalysisError),
    ({"groups": {"a1": "g"}}, OptionError),
    ({"groups": ["g1"] * 6}, OptionError),
    ({"cut": 1.5}, OptionError),
    ({"cut": "0.3"}, OptionError),
    ({"sort": "yes"}, OptionError),
    ({"show_small": 1}, OptionError),
    ({"phi": pd.DataFrame(np.eye(2), index=["F1", "X"], columns=["F1", "X"])}, OptionError),
])
def test_loadings_refuse_bad_arguments(arguments, error):
    arguments = {"loadings": LOADINGS, **arguments}
    with pytest.raises(error):
        als.plot_loadings(**arguments)


def test_loadings_in_a_given_factor_order():
    order = list(LOADINGS.columns)[::-1]
    figure = als.plot_loadings(LOADINGS, groups=GROUPS, factor_order=order)
    try:
        ax = figure.axes[0]
        assert [t.get_text() for t in ax.get_xticklabels()] == order
    finally:
        plt.close(figure)
    for bad in (order[:-1], [*order, order[0]], "F1", [*order[:-1], "nope"]):
        with pytest.raises(OptionError, match="factor_order"):
            als.plot_loadings(LOADINGS, factor_order=bad)


def test_loadings_refuse_repeated_items():
    repeated = pd.concat([LOADINGS, LOADINGS.iloc[:1]])
    with pytest.raises(AnalysisError, match="repeats"):
        als.plot_loadings(repeated)


# --------------------------------------------------------------------------- Likert

#: Answers with known shares: item "up" mostly agrees, "down" mostly disagrees.
LIKERT = pd.DataFrame({
    "down": [1, 1, 2, 2, 3, 4, 1, 2, np.nan, 5],
    "up": [5, 5, 4, 4, 3, 3, 2, 5, 4, 1],
    "mid": [3, 3, 3, 2, 4, 1, 5, 3, 3, np.nan],
}, index=[f"r{i}" for i in range(10)])
LABELS = ("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree")


def _bars(ax) -> dict[str, np.ndarray]:
    """(left, width) of each category's bars, one row per item (top to bottom)."""
    bars = {}
    for collection in ax.collections:
        corners = [path.vertices[:4] for path in collection.get_paths()]
        assert all(np.ptp(c[:, 1]) == 0.75 for c in corners)
        bars[collection.get_label()] = np.array(
            [[c[:, 0].min(), np.ptp(c[:, 0])] for c in corners])
    return bars


def test_likert_bars_are_percentages_centred_on_neutral():
    given = LIKERT.copy()
    figure = als.plot_likert(given, labels=LABELS)
    try:
        ax = figure.axes[0]
        bars = _bars(ax)
        assert list(bars) == list(LABELS)
        assert sum(len(c.get_paths()) for c in ax.collections) == 5 * 3
        widths = np.stack([bars[label][:, 1] for label in LABELS], axis=1)
        np.testing.assert_allclose(widths.sum(axis=1), 100.0)
        neutral = bars["Neutral"]
        np.testing.assert_allclose(neutral[:, 0], -neutral[:, 1] / 2)  # split by 0
        # bars are contiguous from the lowest category up
        lefts = np.stack([bars[label][:, 0] for label in LABELS], axis=1)
        np.testing.assert_allclose(lefts[:, 1:], lefts[:, :-1] + widths[:, :-1])
        # sorted by agreement; n counts answers (missing excluded)
        labels = names(ax)
        assert labels == ["up (n=10)", "mid (n=9)", "down (n=9)"]
        # "up": 3 x 5, 3 x 4 out of 10 -> 60% agree; 2 x 1 and 2 -> 20% disagree
        np.testing.assert_allclose(widths[0], [10, 10, 20, 30, 30])
        written = axes_texts_of(ax)
        assert {"60%", "20%"} <= set(written)
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == list(LABELS)
        assert_fixed_point(figure)
    finally:
        plt.close(figure)
    pd.testing.assert_frame_equal(given, LIKERT)


def test_likert_even_points_put_zero_between_the_middle_categories():
    data = pd.DataFrame({"q": [1, 2, 2, 3, 3, 3, 4, 4], "r": [4, 4, 4, 3, 1, 2, 2, 1]})
    figure = als.plot_likert(data, labels=["--", "-", "+", "++"])
    try:
        bars = _bars(figure.axes[0])
        np.testing.assert_allclose(bars["+"][:, 0], 0.0)
        np.testing.assert_allclose(bars["-"][:, 0] + bars["-"][:, 1], 0.0)
    finally:
        plt.close(figure)


def test_likert_order_and_zero_based_codes():
    figure = als.plot_likert(LIKERT - 1, order=["mid", "down"], min_value=0)
    try:
        ax = figure.axes[0]
        assert names(ax) == ["mid (n=9)", "down (n=9)"]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0", "1", "2", "3",
                                                                       "4"]
    finally:
        plt.close(figure)
    figure = als.plot_likert(LIKERT, order="data")
    try:
        rows = [t.split()[0] for t in names(figure.axes[0])]
        assert rows == ["down", "up", "mid"]
    finally:
        plt.close(figure)


@pytest.mark.parametrize(("arguments", "error"), [
    ({"data": LIKERT.to_numpy()}, OptionError),
    ({"labels": LABELS[:4]}, AnalysisError),  # answers of 5 outside 4 categories
    ({"labels": "agree"}, OptionError),
    ({"labels": ["only one"]}, OptionError),
    ({"data": LIKERT.replace(2.0, 2.5)}, AnalysisError),
    ({"data": LIKERT.assign(mid="x")}, AnalysisError),
    ({"data": LIKERT.assign(mid=np.nan)}, AnalysisError),
    ({"order": ["nope"]}, OptionError),
    ({"order": ["up", "up"]}, OptionError),
    ({"order": "alphabetical"}, OptionError),
    ({"order": 3}, OptionError),
    ({"min_value": 1.0}, OptionError),
    ({"data": LIKERT * 1e6, "labels": None}, AnalysisError),
])
def test_likert_refuses_bad_arguments(arguments, error):
    arguments = {"data": LIKERT, "labels": LABELS, **arguments}
    with pytest.raises(error):
        als.plot_likert(**arguments)


def test_likert_names_the_item_and_rows_of_a_bad_answer():
    with pytest.raises(AnalysisError, match=r"'up'.*r1"):
        als.plot_likert(LIKERT.replace({"up": {5.0: 7.0}}), labels=LABELS)


# --------------------------------------------------------------------------- item-total


@pytest.fixture(scope="module")
def alpha_result(pilot, scale):
    keys = scale.keys["C1"]
    return als.cronbach_alpha(pilot[[k.lstrip("-") for k in keys]],
                              reverse=[k[1:] for k in keys if k.startswith("-")])


def test_item_total_draws_r_drop_and_alpha_if_deleted(alpha_result):
    table = alpha_result.items.copy()
    figure = als.plot_item_total(alpha_result, min_r=0.45)
    try:
        left, right = figure.axes
        assert names(left) == list(table.index)
        dots = [line for line in left.get_lines() if line.get_marker() in {"o", "s"}]
        shown = np.concatenate([line.get_xdata() for line in dots])
        np.testing.assert_allclose(np.sort(shown), np.sort(table["r_drop"]))
        flagged = next(line for line in dots if line.get_marker() == "s")
        np.testing.assert_allclose(np.sort(flagged.get_xdata()),
                                   np.sort(table["r_drop"][table["r_drop"] < 0.45]))
        guide = [line.get_xdata()[0] for line in left.get_lines()
                 if line.get_linestyle() == "--"]
        assert guide == [0.45]
        alpha_line = [line.get_xdata()[0] for line in right.get_lines()
                      if line.get_linestyle() == "-"]
        assert alpha_line == [alpha_result.alpha]
        written = axes_texts_of(right)
        assert f"alpha {alpha_result.alpha:.3f}" in written
        assert {f"{v:.3f}" for v in table["alpha_if_deleted"]} <= set(written)
        assert {f"{v:.2f}" for v in table["r_drop"]} <= set(axes_texts_of(left))
        assert_fixed_point(figure)
    finally:
        plt.close(figure)
    pd.testing.assert_frame_equal(alpha_result.items, table)


@pytest.mark.slow
def test_item_total_of_one_subscale_of_reliability(pilot, scale):
    result = als.reliability(pilot, scale)
    one = result.items[result.items["subscale"] == "C2"]
    figure = als.plot_item_total(one, alpha=float(result.table.loc["C2", "alpha"]))
    try:
        assert names(figure.axes[0]) == list(one["item"])
    finally:
        plt.close(figure)
    with pytest.raises(OptionError, match="several subscales"):
        als.plot_item_total(result.items)


def test_item_total_draws_on_a_pair_of_axes(alpha_result):
    figure, axes = plt.subplots(1, 2)
    try:
        assert als.plot_item_total(alpha_result, ax=axes) is figure
        assert len(figure.axes) == 2
        with pytest.raises(OptionError, match="pair"):
            als.plot_item_total(alpha_result, ax=axes[0])
    finally:
        plt.close(figure)


@pytest.mark.parametrize(("arguments", "error"), [
    ({"items": pd.DataFrame({"r_drop": [0.5, 0.4]})}, OptionError),
    ({"items": pd.DataFrame({"r_drop": [0.5, np.nan], "alpha_if_deleted": [0.7, 0.8]})},
     AnalysisError),
    ({"items": "table"}, OptionError),
    ({"alpha": 2.0}, OptionError),
    ({"min_r": -0.1}, OptionError),
    ({"ax": [1, 2]}, OptionError),
])
def test_item_total_refuses_bad_arguments(alpha_result, arguments, error):
    arguments = {"items": alpha_result, **arguments}
    with pytest.raises(error):
        als.plot_item_total(**arguments)


# --------------------------------------------------------------------------- correlations


@pytest.mark.slow
def test_correlations_ordered_by_group_with_a_fixed_scale(items, facets):
    chosen = items.iloc[:, :12]
    matrix = chosen.corr()
    given = matrix.copy()
    figure = als.plot_correlations(given, groups=facets)
    try:
        ax = figure.axes[0]
        order = names(ax)
        labels = [facets[i] for i in order]
        assert labels == sorted(labels)  # grouped, groups in order
        image = next(a for a in ax.get_children() if isinstance(a, AxesImage))
        np.testing.assert_allclose(image.get_array().data, matrix.loc[order, order])
        np.testing.assert_array_equal(image.get_array().mask, np.eye(12, dtype=bool))
        assert image.get_clim() == (-1.0, 1.0)
        # r written in the 132 off-diagonal cells (12 variables <= 20)
        assert len(_cell_texts(ax)) == 12 * 11
        n_groups = len(set(labels))
        assert len([line for line in ax.get_lines()]) == 2 * (n_groups - 1)
        assert_fixed_point(figure)
    finally:
        plt.close(figure)
    pd.testing.assert_frame_equal(given, matrix)


def test_correlations_of_many_items_are_not_annotated(items):
    figure = als.plot_correlations(items.corr())
    try:
        assert _cell_texts(figure.axes[0]) == {}
    finally:
        plt.close(figure)
    figure = als.plot_correlations(np.eye(3))
    try:
        assert names(figure.axes[0], "column label") == ["item1", "item2", "item3"]
        assert names(figure.axes[0]) == ["item1", "item2", "item3"]
    finally:
        plt.close(figure)


@pytest.mark.parametrize(("matrix", "arguments", "error"), [
    (np.ones((2, 3)), {}, AnalysisError),
    (np.array([[1.0, 0.5], [0.4, 1.0]]), {}, AnalysisError),
    (np.array([[1.0, 1.5], [1.5, 1.0]]), {}, AnalysisError),
    ("r", {}, OptionError),
    (pd.DataFrame(np.eye(2), index=["a", "b"], columns=["b", "a"]), {}, AnalysisError),
    (np.eye(2), {"annotate": "yes"}, OptionError),
    (np.eye(2), {"groups": {"item1": "g"}}, OptionError),
])
def test_correlations_refuse_bad_arguments(matrix, arguments, error):
    with pytest.raises(error):
        als.plot_correlations(matrix, **arguments)


# --------------------------------------------------------------------------- MTMM

TRAITS_Y, TRAITS_X = ["A", "B", "C"], ["goal", "task", "bond"]
BLOCK = pd.DataFrame([[0.42, 0.59, 0.43], [0.56, 0.69, 0.63], [0.62, 0.47, 0.68]],
                     index=TRAITS_Y, columns=TRAITS_X)


def _outlined(ax) -> set[tuple[int, int]]:
    return {(round(p.get_y() + 0.5), round(p.get_x() + 0.5)) for p in ax.patches
            if isinstance(p, Rectangle) and not p.get_fill()}


@pytest.mark.parametrize("hypothesised", [
    {"C": "bond", "B": ["task", "bond"]},
    [("C", "bond"), ("B", "task"), ("B", "bond")],
    pd.DataFrame([[False, False, False], [False, True, True], [False, False, True]],
                 index=TRAITS_Y, columns=TRAITS_X),
])
def test_mtmm_outlines_hypothesised_cells_and_writes_reliabilities(hypothesised):
    full = pd.DataFrame(np.eye(6), index=TRAITS_Y + TRAITS_X, columns=TRAITS_Y + TRAITS_X)
    full.loc[TRAITS_Y, TRAITS_X] = BLOCK
    full.loc[TRAITS_X, TRAITS_Y] = BLOCK.T
    given = full.copy()
    figure = als.plot_mtmm(given, traits_x=TRAITS_X, traits_y=TRAITS_Y,
                           hypothesised=hypothesised,
                           reliabilities={"A": 0.881, "bond": 0.85, "task": 0.8})
    try:
        ax = figure.axes[0]
        image = next(a for a in ax.get_children() if isinstance(a, AxesImage))
        np.testing.assert_array_equal(image.get_array(), BLOCK.to_numpy())
        assert image.get_clim() == (-1.0, 1.0)
        assert _outlined(ax) == {(2, 2), (1, 1), (1, 2)}
        cells = _cell_texts(ax)
        assert {k: t.get_text() for k, t in cells.items()} == {
            (i, j): f"{BLOCK.iloc[i, j]:.2f}" for i in range(3) for j in range(3)}
        margins = axes_texts_of(ax)
        assert margins.count("-") == 3  # B, C and goal have no reliability
        assert {"0.88", "0.85", "0.80", "rel."} <= set(margins)
        assert_fixed_point(figure)
    finally:
        plt.close(figure)
    pd.testing.assert_frame_equal(given, full)


@pytest.mark.parametrize(("arguments", "error"), [
    ({"traits_x": ["goal", "nope"]}, OptionError),
    ({"traits_y": "A"}, OptionError),
    ({"traits_y": ["A", "A"]}, OptionError),
    ({"hypothesised": {"Z": "goal"}}, OptionError),
    ({"hypothesised": 3}, OptionError),
    ({"hypothesised": BLOCK > 2}, None),
    ({"hypothesised": BLOCK}, OptionError),
    ({"reliabilities": {"A": 1.5}}, OptionError),
    ({"reliabilities": [0.8]}, OptionError),
    ({"matrix": BLOCK * 2}, AnalysisError),
    ({"matrix": BLOCK.replace(0.42, np.nan)}, AnalysisError),
    ({"matrix": BLOCK.to_numpy()}, OptionError),
])
def test_mtmm_refuses_bad_arguments(arguments, error):
    arguments = {"matrix": BLOCK, "traits_x": TRAITS_X, "traits_y": TRAITS_Y, **arguments}
    if error is None:
        plt.close(als.plot_mtmm(**arguments))
        return
    with pytest.raises(error):
        als.plot_mtmm(**arguments)


# --------------------------------------------------------------------------- path diagram

LAMBDA = pd.DataFrame({"goal": [0.71, 0.65, 0.58, 0, 0, 0],
                       "bond": [0, 0, 0.22, 0.80, 0.74, -0.41]},
                      index=["g1", "g2", "g3", "b1", "b2", "b3"])
PHI = pd.DataFrame([[1, 0.45], [0.45, 1]], index=["goal", "bond"], columns=["goal", "bond"])


def _shapes(ax):
    ellipses = [p for p in ax.patches if isinstance(p, Ellipse)]
    boxes = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_fill()]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    return ellipses, boxes, arrows


def test_path_diagram_draws_factors_items_paths_and_arcs():
    given = LAMBDA.copy()
    figure = als.plot_path_diagram(given, factor_correlations=PHI)
    try:
        ax = figure.axes[0]
        ellipses, boxes, arrows = _shapes(ax)
        assert len(ellipses) == 2 and len(boxes) == 6
        assert len(arrows) == 7 + 1  # 7 loadings, 1 correlation
        written = axes_texts_of(ax)
        numbers = sorted(t for t in written if TWO_DECIMALS.match(t))
        assert numbers == sorted(["0.71", "0.65", "0.58", "0.22", "0.80", "0.74", "-0.41",
                                  "0.45"])
        assert {"goal", "bond", "g1", "b3"} <= set(written)
        # the correlation is a double-headed arc; the negative loading is dashed
        assert sum(a.get_arrowstyle().__class__.__name__ == "CurveFilledAB"
                   for a in arrows) == 1
        dashed = [a for a in arrows if a.get_linestyle() not in ("-", "solid")]
        assert len(dashed) == 1
        # items under their main factor (g3 under goal), each ellipse at their middle
        item_y = {t.get_text(): t.get_position()[1] for t in ax.texts
                  if t.get_text() in LAMBDA.index}
        assert item_y["g3"] - item_y["g1"] == 2 and item_y["b3"] - item_y["b1"] == 2
        centres = sorted(e.center[1] for e in ellipses)
        assert centres == [item_y["g2"], item_y["b2"]]
        assert_fixed_point(figure)
    finally:
        plt.close(figure)
    pd.testing.assert_frame_equal(given, LAMBDA)


def _facet_model(items, facets, seed=0):
    """Standardised loadings of every pilot item on its facet (80 items, 9 factors)."""
    rng = np.random.default_rng(seed)
    loadings = pd.DataFrame(0.0, index=items.columns, columns=sorted(facets.unique()))
    for item in items.columns:
        loadings.loc[item, facets[item]] = rng.uniform(0.4, 0.85)
    return loadings


@pytest.mark.slow
def test_path_diagram_of_80_items_and_9_factors_grows_and_keeps_items_apart(items, facets):
    loadings = _facet_model(items, facets)
    names = list(loadings.columns)
    phi = pd.DataFrame(0.3, index=names, columns=names)
    second = pd.DataFrame(0.0, index=names, columns=["A", "B", "C"])
    for name in names:
        second.loc[name, name[0]] = 0.8
    small = als.plot_path_diagram(LAMBDA)
    figure = als.plot_path_diagram(loadings, factor_correlations=phi, second_order=second)
    try:
        assert figure.get_size_inches()[1] > 3 * small.get_size_inches()[1]
        ax = figure.axes[0]
        ellipses, boxes, arrows = _shapes(ax)
        assert len(ellipses) == 9 + 3 and len(boxes) == 80
        # 36 correlations: a matrix panel rather than 36 crossing arcs (arrows: paths only)
        assert len(arrows) == 80 + 9
        (panel,) = ax.child_axes
        assert len([t for t in panel.texts if t.get_text()]) == 9 * 8
        ys = np.sort([b.get_y() for b in boxes])
        assert np.diff(ys).min() > 1.0 - 1e-9  # one row per item, never overlapping
        # the items of a facet are contiguous
        item_y = {t.get_text(): t.get_position()[1] for t in ax.texts
                  if t.get_text() in loadings.index}
        for facet in names:
            rows = sorted(item_y[i] for i in loadings.index if facets[i] == facet)
            assert rows[-1] - rows[0] == len(rows) - 1
        assert_fixed_point(figure)
    finally:
        plt.close(figure)
        plt.close(small)


@pytest.mark.slow
def test_path_diagram_draws_many_correlations_as_a_matrix_panel(items, facets):
    loadings = _facet_model(items, facets)
    names = list(loadings.columns)
    rng = np.random.default_rng(4)
    upper = np.triu(rng.uniform(0.1, 0.7, (9, 9)), 1)
    phi = pd.DataFrame(upper + upper.T + np.eye(9), index=names, columns=names)
    for choice, panels, arcs in (("auto", 1, 0), ("matrix", 1, 0), ("arcs", 0, 36)):
        figure = als.plot_path_diagram(loadings, factor_correlations=phi, correlations=choice)
        try:
            ax = figure.axes[0]
            assert len(ax.child_axes) == panels, choice
            assert len(_shapes(ax)[2]) == 80 + arcs, choice
            if panels:
                panel = ax.child_axes[0]
                written = {(round(t.get_position()[1]), round(t.get_position()[0])):
                           t.get_text() for t in panel.texts}
                assert written == {(i, j): f"{phi.iloc[i, j]:.2f}" for i in range(9)
                                   for j in range(9) if i != j}
                labels = [t.get_text() for t in panel.get_yticklabels()]
                assert labels == names
                # the panel sits left of every factor ellipse, inside the figure
                figure.canvas.draw()
                box = panel.get_window_extent()
                left_of = min(e.get_window_extent().x0 for e in _shapes(ax)[0])
                assert box.x1 < left_of and box.x0 >= 0
        finally:
            plt.close(figure)
    # a few factors keep their arcs
    figure = als.plot_path_diagram(LAMBDA, factor_correlations=PHI)
    try:
        assert figure.axes[0].child_axes == []
    finally:
        plt.close(figure)


@pytest.mark.parametrize(("arguments", "error"), [
    ({"correlations": "lines"}, OptionError),
    ({"std_loadings": LAMBDA.assign(goal=0.0)}, AnalysisError),
    ({"std_loadings": LAMBDA.assign(goal=[0.7, 0.6, 0.0, 0, 0, 0], bond=[0, 0, 0, .8, .7, .4])},
     AnalysisError),
    ({"std_loadings": LAMBDA.replace(0.71, np.inf)}, AnalysisError),
    ({"std_loadings": "model"}, OptionError),
    ({"factor_correlations": PHI.rename(index={"goal": "x"})}, OptionError),
    ({"second_order": pd.DataFrame({"g": [0.5]}, index=["goal"])}, OptionError),
    ({"second_order": pd.DataFrame({"g": [0.5, 0.6], "h": [0.0, 0.0]},
                                   index=["goal", "bond"])}, AnalysisError),
    ({"second_order": pd.DataFrame({"goal": [0.5, 0.6]}, index=["goal", "bond"])},
     OptionError),
    ({"ax": 1}, OptionError),
])
def test_path_diagram_refuses_bad_arguments(arguments, error):
    arguments = {"std_loadings": LAMBDA, **arguments}
    with pytest.raises(error):
        als.plot_path_diagram(**arguments)


def test_path_diagram_missing_loadings_mean_no_path():
    figure = als.plot_path_diagram(LAMBDA.replace(0.0, np.nan))
    try:
        assert len(_shapes(figure.axes[0])[2]) == 7
    finally:
        plt.close(figure)


# --------------------------------------------------------------------------- every plot


def _calls(parallel, alpha_result):
    """(name, call(ax)) for every plot on small inputs."""
    return {
        "scree": lambda ax: als.plot_scree(parallel, ax=ax),
        "loadings": lambda ax: als.plot_loadings(LOADINGS, groups=GROUPS, ax=ax),
        "likert": lambda ax: als.plot_likert(LIKERT, labels=LABELS, ax=ax),
        "correlations": lambda ax: als.plot_correlations(np.eye(3), ax=ax),
        "mtmm": lambda ax: als.plot_mtmm(BLOCK, traits_x=TRAITS_X, traits_y=TRAITS_Y,
                                         ax=ax),
        "path": lambda ax: als.plot_path_diagram(LAMBDA, factor_correlations=PHI, ax=ax),
    }


@pytest.mark.slow
def test_every_plot_draws_on_the_axes_given_and_changes_no_global_state(parallel,
                                                                         alpha_result):
    settings = dict(matplotlib.rcParams)
    for name, call in _calls(parallel, alpha_result).items():
        figure, ax = plt.subplots()
        try:
            count = len(plt.get_fignums())
            assert call(ax) is figure, name
            assert len(plt.get_fignums()) == count, name  # nothing new opened
            assert ax.has_data() or ax.texts or ax.patches, name
        finally:
            plt.close(figure)
        figure = call(None)
        try:
            assert isinstance(figure, Figure) and plt.fignum_exists(figure.number), name
        finally:
            plt.close(figure)
    assert dict(matplotlib.rcParams) == settings


def test_every_public_plot_is_exported():
    from alliance_scale.psychometrics._irt import _plots as irt_plots  # IRT's beside IRT

    plots = sorted(name for name in als.__all__ if name.startswith("plot_"))
    # plots live beside the analysis they draw: the power curve is design's
    from alliance_scale.design import _power

    modules = (cfa_plots, correlation_plots, factor_plots, irt_plots, reliability_plots)
    drawn = [name for module in modules for name in module.__all__]
    assert plots == sorted([*drawn, *(n for n in _power.__all__ if "plot_" in n)])
    assert all(getattr(als.psychometrics, name) is getattr(als, name) for name in drawn)


ODD = [None, -1, 0, 1, 2.5, np.nan, np.inf, "abc", True, [], {}, (1,), pd.DataFrame(),
       np.eye(2)]


@pytest.mark.parametrize("case", [
    "scree.parallel", "scree.kind", "scree.max_number", "scree.ax",
    "loadings.loadings", "loadings.groups", "loadings.cut", "loadings.phi", "loadings.sort",
    "loadings.show_small",
    "likert.data", "likert.labels", "likert.order", "likert.min_value",
    "item_total.items", "item_total.alpha", "item_total.min_r", "item_total.ax",
    "correlations.matrix", "correlations.groups", "correlations.annotate",
    "mtmm.matrix", "mtmm.traits_x", "mtmm.traits_y", "mtmm.reliabilities",
    "mtmm.hypothesised", "path.std_loadings", "path.factor_correlations",
    "path.second_order", "path.ax",
])
def test_odd_arguments_give_a_figure_or_a_library_error(case, parallel, alpha_result):
    function, argument = case.split(".")
    base = {
        "scree": (als.plot_scree, {"parallel": parallel}),
        "loadings": (als.plot_loadings, {"loadings": LOADINGS}),
        "likert": (als.plot_likert, {"data": LIKERT}),
        "item_total": (als.plot_item_total, {"items": alpha_result}),
        "correlations": (als.plot_correlations, {"matrix": np.eye(3)}),
        "mtmm": (als.plot_mtmm, {"matrix": BLOCK, "traits_x": TRAITS_X,
                                 "traits_y": TRAITS_Y}),
        "path": (als.plot_path_diagram, {"std_loadings": LAMBDA}),
    }[function]
    call, arguments = base
    failures = []
    for value in ODD:
        try:
            figure = call(**{**arguments, argument: value})
        except AllianceScaleError:
            continue
        except Exception as error:  # any other class is the failure
            failures.append(f"{value!r}: {type(error).__name__}: {error}"[:200])
        else:
            plt.close(figure)
    assert failures == []


# --------------------------------------------------------------------------- user text

#: Names that mathtext would parse: broken math (ParseFatalException on draw), valid math
#: (silently rendered as symbols), escapes and lone dollars.
DOLLARS = ["$x^$", "a$\\frac{b$c", "$\\alpha$ item", "$$", "cost $5 and $6", "\\$", "$_{}^{}$"]


def _user_text_calls(name, parallel, alpha_result):
    """Every plot drawing ``name`` as an item, group, factor, trait and anchor label."""
    a, b, c = name + "1", name + "2", name + "3"
    loadings = pd.DataFrame({"F" + name: [0.7, 0.6, 0.1], "G" + name: [0.1, 0.2, 0.8]},
                            index=[a, b, c])
    phi = pd.DataFrame(np.eye(2), index=loadings.columns, columns=loadings.columns)
    likert = pd.DataFrame({a: [1, 2, 3, 4], b: [4, 3, 2, 1]})
    block = pd.DataFrame([[0.5, 0.2], [0.1, 0.6]], index=[a, b], columns=[c, "x" + name])
    lam = LAMBDA.rename(index={"g1": a}, columns={"goal": "F" + name})
    corr = PHI.rename(index={"goal": "F" + name}, columns={"goal": "F" + name})
    return {
        "loadings": lambda: als.plot_loadings(loadings, groups={a: name, b: name, c: "g"},
                                              phi=phi),
        "likert": lambda: als.plot_likert(likert, labels=[name, "b", "c", name + "d"]),
        "correlations": lambda: als.plot_correlations(
            pd.DataFrame(np.eye(3), index=[a, b, c], columns=[a, b, c]),
            groups={a: name, b: name, c: "g"}),
        "mtmm": lambda: als.plot_mtmm(block, traits_x=[c, "x" + name], traits_y=[a, b],
                                      hypothesised={a: c}, reliabilities={a: 0.8}),
        "path": lambda: als.plot_path_diagram(lam, factor_correlations=corr),
        "path matrix": lambda: als.plot_path_diagram(lam, factor_correlations=corr,
                                                     correlations="matrix"),
        "item_total": lambda: als.plot_item_total(
            alpha_result.items.rename(index=lambda i: i + name)),
    }


@pytest.mark.parametrize(
    "name", [DOLLARS[0], *(pytest.param(n, marks=pytest.mark.slow) for n in DOLLARS[1:])])
def test_user_text_with_dollars_is_drawn_as_written_never_as_math(name, parallel,
                                                                  alpha_result):
    import io

    for plot, call in _user_text_calls(name, parallel, alpha_result).items():
        figure = call()
        try:
            figure.savefig(io.BytesIO(), format="svg")  # mathtext would raise here
            drawn = [t for t in figure.findobj(Text) if name in t.get_text()]
            assert drawn, plot
            assert not any(t.get_parse_math() for t in drawn), plot
        finally:
            plt.close(figure)


def test_scree_zoom_shows_where_the_data_cross_the_reference(parallel):
    figure = als.plot_scree(parallel, max_number=20, zoom=True)
    try:
        ax = figure.axes[0]
        table = parallel.table.iloc[:20]
        top = ax.get_ylim()[1]
        # the cut leaves the second eigenvalue and every reference on scale...
        assert table[["pc_observed", "fa_observed"]].iloc[1].max() < top
        assert table.filter(like="simulated").max().max() < top
        # ...the first off scale, written at the top edge with its value
        off = [t.get_text() for t in ax.texts if t.get_gid() == "off scale"]
        assert off == [f"{table['pc_observed'].iloc[0]:.2f}",
                       f"{table['fa_observed'].iloc[0]:.2f}"]
        assert top < table["fa_observed"].iloc[0]
        # no two texts of the plot (counts, off-scale values, legend) overlap
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
        boxes.append(ax.get_legend().get_window_extent(renderer))
        for i, first in enumerate(boxes):
            for second in boxes[i + 1:]:
                assert not first.overlaps(second)
    finally:
        plt.close(figure)
    unzoomed = als.plot_scree(parallel, max_number=20)
    try:
        assert unzoomed.axes[0].get_ylim()[1] > parallel.table["pc_observed"].iloc[0]
    finally:
        plt.close(unzoomed)


@pytest.mark.parametrize("counts", [(9, 10), (10, 9), (3, 3), (19, 20)])
def test_scree_count_labels_do_not_overlap(parallel, counts):
    import dataclasses

    result = dataclasses.replace(parallel, n_factors=counts[0], n_components=counts[1])
    figure = als.plot_scree(result, max_number=20, zoom=True)
    try:
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        ax = figure.axes[0]
        boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
        boxes.append(ax.get_legend().get_window_extent(renderer))
        for i, first in enumerate(boxes):
            for second in boxes[i + 1:]:
                assert not first.overlaps(second)
    finally:
        plt.close(figure)
