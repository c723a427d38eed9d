"""The bundled SYNTHETIC pilot data (``data/``), loaded as DataFrames.

The data were simulated by :func:`alliance_scale.simulate` (no patient answered them);
``data/README.md`` is their codebook and ``data/make_pilot.py`` regenerates them bit for bit.
"""

from __future__ import annotations

import pandas as pd

from .._checks import check_flag
from .._resources import bundled_path

__all__ = ["load_pilot"]


def load_pilot(*, retest: bool = False) -> pd.DataFrame:
    """Load the simulated pilot administration (or its two-week retest subsample).

    Parameters
    ----------
    retest : bool, default False
        False: ``pilot.csv``, 320 respondents x (80 items of the default drafted scale +
        ``wai_goal``, ``wai_task``, ``wai_bond``). True: ``pilot_retest.csv``, 80 of those
        respondents answering the same items two weeks later.

    Returns
    -------
    DataFrame
        Indexed by ``respondent``; item answers as floats (NaN = missing answer).

    Examples
    --------
    >>> pilot = als.load_pilot()  # SYNTHETIC data (data/README.md)
    >>> pilot.shape, list(pilot.columns[-3:])
    ((320, 83), ['wai_goal', 'wai_task', 'wai_bond'])
    >>> als.load_pilot(retest=True).shape
    (80, 80)
    """
    name = "pilot_retest.csv" if check_flag("retest", retest) else "pilot.csv"
    return pd.read_csv(bundled_path("data", name), index_col="respondent").astype(float)
