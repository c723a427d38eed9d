"""Every kind of result renders as text and as escaped HTML (notebooks show item names),
in fixed point: never scientific notation for a value between 1e-4 and 1e4."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import alliance_scale as als
from alliance_scale._results import Report, format_number, format_table

HOSTILE = "<script>alert(1)</script>"
#: A number written with an exponent (1.5e-03, 4E+05, 2e-264).
SCIENTIFIC = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?[eE][+-]?\d+")


@pytest.fixture(scope="module")
def hostile_items(bfi_items: pd.DataFrame) -> pd.DataFrame:
    """Five bfi items with an item renamed to an HTML payload."""
    items = bfi_items[["A2", "A3", "A4", "A5", "C1", "C2"]].dropna().iloc[:600].copy()
    return items.rename(columns={"A2": HOSTILE})


ANALYSES = {
    "cronbach_alpha": lambda d: als.cronbach_alpha(d),
    "polychoric": lambda d: als.polychoric(d),
    "kmo": lambda d: als.kmo(d),
    "bartlett": lambda d: als.bartlett(d),
    "efa": lambda d: als.efa(d, 1),
    "efa_oblique": lambda d: als.efa(d, 2, n_boot=5, seed=1),
    "principal": lambda d: als.principal(d, 2),
    "principal_oblique": lambda d: als.principal(d, 2, rotation="oblimin"),
    "omega": lambda d: als.omega(d, 2),
    "map_test": lambda d: als.map_test(d),
    "parallel_analysis": lambda d: als.parallel_analysis(d, n_iter=5, seed=1),
    "htmt": lambda d: als.htmt(d, {str(d.columns[0]): list(d.columns[:3]),
                                   "C": list(d.columns[3:6])}),
}


@pytest.mark.parametrize("analysis", ANALYSES.values(), ids=ANALYSES.keys())
def test_results_render_and_escape_item_names(analysis, hostile_items) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", als.AllianceScaleWarning)
        result = analysis(hostile_items)
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame) and not frame.empty
    text = repr(result)
    assert text.strip() and str(result) == text
    page = result._repr_html_()
    assert HOSTILE not in page
    if HOSTILE in "".join(map(str, frame.index)) + "".join(map(str, frame.columns)):
        assert "&lt;script&gt;" in page
    with pytest.raises(AttributeError):  # results are frozen
        result.extra = 1


def _scientific_in_range(text: str) -> list[str]:
    """Numbers written with an exponent whose value lies in [1e-4, 1e4]."""
    return [token for token in SCIENTIFIC.findall(text) if 1e-4 <= abs(float(token)) <= 1e4]


@pytest.mark.parametrize("analysis", ANALYSES.values(), ids=ANALYSES.keys())
def test_no_result_prints_scientific_notation_between_1e_4_and_1e4(analysis, bfi_items):
    """Issue #12: a column of loadings printed as ``6.671e-02 ... -8.848e-04``. The data
    here make tiny values on purpose (an item nearly unrelated to the others)."""
    items = bfi_items[["A2", "A3", "A4", "A5", "C1", "C2"]].dropna().iloc[:800].copy()
    items["noise"] = np.random.default_rng(0).integers(1, 7, len(items)).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", als.AllianceScaleWarning)
        result = analysis(items)
    for text in (repr(result), result._repr_html_()):
        assert _scientific_in_range(text) == []


def test_every_summary_report_is_fixed_point(bfi_items):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", als.AllianceScaleWarning)
        reports = [als.efa(bfi_items, 5).summary(cut=0.3, sort=True),
                   als.principal(bfi_items, 5).summary(cut=0.3, sort=True),
                   als.omega(bfi_items, 3).summary(sort=True)]
    for report in reports:
        assert isinstance(report, Report)
        assert _scientific_in_range(str(report)) == []
        assert _scientific_in_range(report._repr_html_()) == []


def test_format_number_and_table_are_fixed_point():
    assert format_number(6.671e-02) == "0.067"
    assert format_number(-8.848e-04) == "-0.000885"
    assert format_number(1.5e-4) == "0.000150"
    assert format_number(2.5e-5) == "2.5e-05"  # a p value below 1e-4 keeps its exponent
    assert format_number(20163.789) == "20163.789"
    assert format_number(float("nan")) == "NA"
    table = format_table(pd.DataFrame({"MR1": [6.671e-02, -8.848e-04, 1e-20]}), 3)
    assert list(table["MR1"]) == ["0.067", "-0.001", "0.000"]
    assert list(format_table(pd.DataFrame({"x": [-0.0004]}), 3)["x"]) == ["0.000"]


def test_format_table_keeps_repeated_column_names_apart():
    frame = pd.DataFrame([[0.1, 0.5, 0.9]], columns=["low", "MR1", "low"])
    assert list(format_table(frame, 2).iloc[0]) == ["0.10", "0.50", "0.90"]
