"""IRT plots (psychometrics/_irt/_plots.py): what each figure draws equals the model's
numbers, fixed-point ticks, bad input refused without leaving a figure, no figure left open."""

from __future__ import annotations

import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

import alliance_scale as als
from alliance_scale import OptionError
from alliance_scale.psychometrics._irt._plots import thresholds

matplotlib.use("Agg")

SCIENTIFIC = re.compile(r"\d\s*[eE]\s*[+\-\u2212]?\s*\d|\u00d7\s*10|10\^")


@pytest.fixture(autouse=True)
def no_figure_left_open():
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before


@pytest.fixture(scope="module")
def fit():
    data = als.simulate_irt([1.5, 1.2, -1.0, 1.3, 0.9], [[2, 0.5, -1]] * 5, n=400, seed=3)
    return als.irt(data, se=None)


def _ticks(figure: Figure) -> list[str]:
    figure.canvas.draw()
    return [t.get_text() for a in figure.axes for t in a.get_xticklabels() + a.get_yticklabels()]


def test_item_curves_are_the_trace(fit):
    fig = als.plot_item_curves(fit, ["q1", "q3"], theta_range=(-3, 3))
    try:
        assert [a.get_title() for a in fig.axes] == ["q1", "q3"]
        lines = fig.axes[1].lines
        assert len(lines) == 4
        theta = lines[0].get_xdata()
        assert theta[0] == -3 and theta[-1] == 3
        trace = fit.trace(theta)["q3"]
        for line, value in zip(lines, trace.columns, strict=True):
            assert np.allclose(line.get_ydata(), trace[value])
        # reverse-keyed q3: the lowest answer becomes likelier as the trait rises
        assert lines[0].get_ydata()[-1] > lines[0].get_ydata()[0]
        assert not any(SCIENTIFIC.search(t) for t in _ticks(fig))
    finally:
        plt.close(fig)


def test_item_curves_expected_and_ax(fit):
    fig, ax = plt.subplots()
    try:
        assert als.plot_item_curves(fit, "q2", kind="expected", ax=ax) is fig
        assert np.allclose(ax.lines[0].get_ydata(),
                           fit.expected_item(ax.lines[0].get_xdata())["q2"])
        with pytest.raises(OptionError, match="one item"):
            als.plot_item_curves(fit, ax=ax)
    finally:
        plt.close(fig)


def test_information_by_group_and_by_model(fit):
    groups = {"A": ["q1", "q2"], "B": ["q3", "q4", "q5"]}
    fig = als.plot_information(fit, groups, threshold=4, items=True)
    try:
        lines = {line.get_label(): line for line in fig.axes[0].lines}
        theta = lines["Test"].get_xdata()
        info = fit.item_information(theta)
        assert np.allclose(lines["Test"].get_ydata(), info.sum(axis=1))
        assert np.allclose(lines["B"].get_ydata(), info[groups["B"]].sum(axis=1))
        assert sum(label == "_item" for label in
                   (line.get_label() for line in fig.axes[0].lines)) == 5
        reference = [line for line in fig.axes[0].lines if line.get_label().startswith("I = 4")]
        assert reference and "0.80" in reference[0].get_label()
        assert not any(SCIENTIFIC.search(t) for t in _ticks(fig))
    finally:
        plt.close(fig)
    other = als.irt(als.simulate_irt([1.0, 2.0, 1.5], [[1, -1]] * 3, n=300, seed=1), se=None)
    fig = als.plot_information({"first": fit, "second": other})
    try:
        labels = [line.get_label() for line in fig.axes[0].lines]
        assert labels == ["first", "second"]  # no total across different traits
        theta = fig.axes[0].lines[1].get_xdata()
        assert np.allclose(fig.axes[0].lines[1].get_ydata(), other.test_information(theta))
    finally:
        plt.close(fig)


def test_wright_map_thresholds_and_persons(fit):
    table = thresholds(fit)
    coef = fit.coef(irt_pars=True)
    graded_b = coef[["b1", "b2", "b3"]].to_numpy()
    assert np.allclose(table.to_numpy(), graded_b, atol=2e-4)  # graded: b_k = -d_k / a
    fig = als.plot_wright_map(fit, bins=20)
    try:
        persons, items = fig.axes
        assert sum(p.get_width() for p in persons.patches) == 400
        labels = [t.get_text() for t in items.texts if t.get_gid() == "threshold"]
        assert labels.count("1") == 5 and len(labels) == 15
        assert [t.get_text() for t in items.get_xticklabels()] == list(fit.items)
        assert persons.get_ylim()[0] <= np.nanmin(table.to_numpy())
    finally:
        plt.close(fig)


def test_bad_input_leaves_no_figure(fit):
    with pytest.raises(OptionError):
        als.plot_item_curves("fit")
    with pytest.raises(OptionError, match="nope"):
        als.plot_item_curves(fit, ["nope"])
    with pytest.raises(OptionError):
        als.plot_item_curves(fit, kind="info")
    with pytest.raises(OptionError, match="theta_range"):
        als.plot_information(fit, theta_range=(2, -2))
    with pytest.raises(OptionError, match="groups"):
        als.plot_information({"a": fit}, {"A": ["q1"]})
    with pytest.raises(OptionError, match="nope"):
        als.plot_information(fit, {"A": ["nope"]})
    with pytest.raises(OptionError):
        als.plot_information(fit, threshold=-1)
    with pytest.raises(OptionError):
        als.plot_wright_map(fit, method="ML")
