"""The item-analysis table of the report: one row per item, its statistics and its flags.

Drawn from results the report already holds: :func:`~alliance_scale.reliability`'s item
statistics within the item's facet (mean, SD, skew, shares at the floor and ceiling,
corrected item-total r, alpha if deleted), and the EFA's pattern loadings read against the
blueprint (the loading on the factor that matches the item's own facet, the largest
loading on another factor). The flags restate conventions; they never remove an item.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__: list[str] = []

#: Conventions behind the flags (each cited where the report states them).
FLOOR_CEILING_SHARE = 0.15  # Terwee et al. 2007
R_DROP_FLOOR = 0.30  # corrected item-total r
OWN_LOADING_FLOOR = 0.40  # primary loading
CROSS_LOADING_CEILING = 0.30  # a cross-loading this large muddies the item

_COLUMNS = ["facet", "mean", "sd", "skew", "floor", "ceiling", "r_drop", "alpha_if_deleted",
            "own_loading", "cross_loading", "flags"]


def item_table(items: pd.DataFrame, loadings: pd.DataFrame | None = None,
               matches: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per item (index: item id, in the reliability table's order).

    ``items`` is ``reliability(...).items``; ``loadings`` the EFA's pattern matrix and
    ``matches`` the congruence matches (factor -> facet), both optional: without them the
    loading columns are NaN. ``flags`` lists the conventions an item misses, in words.
    """
    facet = items[items["level"] == "facet"].set_index("item")
    table = pd.DataFrame({
        "facet": facet["subscale"], "mean": facet["mean"], "sd": facet["sd"],
        "skew": facet["skew"], "floor": facet["floor"], "ceiling": facet["ceiling"],
        "r_drop": facet["r_drop"], "alpha_if_deleted": facet["alpha_if_deleted"],
    })
    table.index.name = "item"
    own = pd.Series(np.nan, index=table.index)
    cross = pd.Series(np.nan, index=table.index)
    if loadings is not None and matches is not None:
        factor_of = {row["target"]: factor for factor, row in matches.iterrows()}
        frame = loadings.reindex(table.index)
        for item in table.index:
            factor = factor_of.get(table.loc[item, "facet"])
            row = frame.loc[item]
            if factor is not None and factor in row.index:
                own[item] = row[factor]
                others = row.drop(factor).abs()
            else:
                others = row.abs()
            cross[item] = others.max() if len(others) else np.nan
    table["own_loading"], table["cross_loading"] = own, cross
    table["flags"] = [_flags(row) for _, row in table.iterrows()]
    return table[_COLUMNS]


def _flags(row: pd.Series) -> str:
    reasons = []
    if row["floor"] > FLOOR_CEILING_SHARE:
        reasons.append(f"floor {row['floor']:.0%} > 15%")
    if row["ceiling"] > FLOOR_CEILING_SHARE:
        reasons.append(f"ceiling {row['ceiling']:.0%} > 15%")
    if row["r_drop"] < R_DROP_FLOOR:
        reasons.append("item-total r < .30")
    if np.isfinite(row["own_loading"]) and abs(row["own_loading"]) < OWN_LOADING_FLOOR:
        reasons.append("own-facet loading < .40")
    own, cross = abs(row["own_loading"]), row["cross_loading"]
    if np.isfinite(cross) and (not np.isfinite(own) or cross >= own):
        reasons.append("loads more on another factor")
    elif np.isfinite(cross) and cross >= CROSS_LOADING_CEILING:
        reasons.append("cross-loading >= .30")
    return "; ".join(reasons)
