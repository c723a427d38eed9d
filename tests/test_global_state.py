"""No call changes global state (issue #8): BLAS thread limits, numpy error handling,
warning filters, matplotlib and pandas options are the same after a call as before it.

The only setting touched during a call is the BLAS thread count (threadpoolctl), limited to
one thread inside parallel analysis, the CFA and validate() because two competing threads
make small solves far slower on 2 cores; it is restored when the call returns (checked here).
"""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_info

import alliance_scale as als


def _state() -> tuple:
    return (
        [(pool.get("internal_api"), pool.get("num_threads")) for pool in threadpool_info()],
        np.geterr(),
        list(warnings.filters),
        dict(matplotlib.rcParams),
        pd.get_option("display.max_rows"),
        pd.get_option("display.precision"),
    )


@pytest.mark.slow
def test_analyses_leave_global_state_as_they_found_it():
    scale = als.draft_scale(items_per_facet=2, language="en")
    data = als.simulate(scale, 200, seed=3).data
    before = _state()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inner = list(warnings.filters)
        als.parallel_analysis(data[scale.item_ids], n_iter=3, seed=1, cor="polychoric")
        als.blueprint_cfa(data, scale)
        report = als.validate(data, scale, progress=False)
        report.to_html()
        print(als.efa(data[scale.item_ids], 3))
        assert list(warnings.filters) == inner
    assert _state() == before
