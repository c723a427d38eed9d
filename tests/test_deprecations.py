"""Names renamed for consistency (issue #8: ``n_obs`` everywhere, ``items`` for per-item
tables) still answer under their old names, with a DeprecationWarning."""

from __future__ import annotations

import pytest

import alliance_scale as als


def test_old_names_still_work_and_warn(bfi_items):
    items = bfi_items.iloc[:200, :5]
    alpha = als.cronbach_alpha(items, reverse=["A1"])
    sphericity = als.bartlett(items)
    adequacy = als.kmo(items)
    with pytest.warns(DeprecationWarning, match="n_obs"):
        assert alpha.n == alpha.n_obs
    with pytest.warns(DeprecationWarning, match="n_obs"):
        assert sphericity.n == sphericity.n_obs
    with pytest.warns(DeprecationWarning, match="items"):
        assert adequacy.per_item is adequacy.items
