"""The item-analysis table: statistics per item and the conventions it flags."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alliance_scale.report._item_table import item_table


def _items() -> pd.DataFrame:
    rows = [
        # subscale, level, item, mean, sd, skew, floor, ceiling, r_drop, alpha_if_deleted
        ("F1", "facet", "x1", 3.0, 1.0, 0.1, 0.05, 0.10, 0.60, 0.80),
        ("F1", "facet", "x2", 4.5, 0.6, -1.8, 0.00, 0.40, 0.55, 0.81),  # ceiling
        ("F1", "facet", "x3", 3.1, 1.1, 0.0, 0.05, 0.05, 0.20, 0.86),  # weak item-total r
        ("F2", "facet", "y1", 3.0, 1.0, 0.0, 0.05, 0.05, 0.70, 0.75),
        ("F2", "facet", "y2", 3.0, 1.0, 0.0, 0.05, 0.05, 0.65, 0.78),
        ("T", "total", "x1", 3.0, 1.0, 0.1, 0.05, 0.10, 0.50, 0.90),  # other levels ignored
    ]
    columns = ["subscale", "level", "item", "mean", "sd", "skew", "floor", "ceiling",
               "r_drop", "alpha_if_deleted"]
    return pd.DataFrame(rows, columns=columns)


def test_statistics_come_from_the_facet_rows_and_flags_name_the_convention() -> None:
    loadings = pd.DataFrame({"MR1": [0.7, 0.6, 0.1, 0.0, 0.35],
                             "MR2": [0.1, 0.0, 0.5, 0.8, 0.6]},
                            index=["x1", "x2", "x3", "y1", "y2"])
    matches = pd.DataFrame({"target": ["F1", "F2"], "congruence": [0.95, 0.9]},
                           index=pd.Index(["MR1", "MR2"], name="factor"))
    table = item_table(_items(), loadings, matches)
    assert list(table.index) == ["x1", "x2", "x3", "y1", "y2"]
    assert table.loc["x2", "ceiling"] == 0.40 and table.loc["x3", "r_drop"] == 0.20
    assert table.loc["x3", "own_loading"] == 0.1 and table.loc["x3", "cross_loading"] == 0.5
    assert table.loc["x1", "flags"] == ""
    assert table.loc["x2", "flags"] == "ceiling 40% > 15%"
    assert "item-total r < .30" in table.loc["x3", "flags"]
    assert "own-facet loading < .40" in table.loc["x3", "flags"]
    assert "loads more on another factor" in table.loc["x3", "flags"]
    assert table.loc["y2", "flags"] == "cross-loading >= .30"


def test_without_an_efa_the_loading_columns_are_empty() -> None:
    table = item_table(_items())
    assert table["own_loading"].isna().all() and table["cross_loading"].isna().all()
    assert "loads" not in " ".join(table["flags"])
    assert np.isfinite(table["mean"]).all()
