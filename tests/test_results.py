"""Every kind of result renders as text and as escaped HTML (notebooks show item names)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import alliance_scale as als

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def hostile_items(bfi_items: pd.DataFrame) -> pd.DataFrame:
    """Five bfi items with an item renamed to an HTML payload."""
    items = bfi_items[["A2", "A3", "A4", "A5", "C1", "C2"]].dropna().iloc[:600].copy()
    return items.rename(columns={"A2": HOSTILE})


@pytest.mark.parametrize(
    "analysis",
    [
        lambda d: als.cronbach_alpha(d),
        lambda d: als.polychoric(d),
        lambda d: als.kmo(d),
        lambda d: als.efa(d, 1),
        lambda d: als.map_test(d),
        lambda d: als.htmt(d, {HOSTILE: [HOSTILE, "A3", "A4"], "C": ["C1", "C2", "A5"]}),
    ],
    ids=["cronbach_alpha", "polychoric", "kmo", "efa", "map_test", "htmt"],
)
def test_results_render_and_escape_item_names(analysis, hostile_items) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", als.AllianceScaleWarning)
        result = analysis(hostile_items)
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame) and not frame.empty
    text = repr(result)
    assert text.startswith(type(result).__name__)
    page = result._repr_html_()
    assert HOSTILE not in page
    if HOSTILE in "".join(map(str, frame.index)) + "".join(map(str, frame.columns)):
        assert "&lt;script&gt;" in page
    with pytest.raises(AttributeError):  # results are frozen
        result.extra = 1
