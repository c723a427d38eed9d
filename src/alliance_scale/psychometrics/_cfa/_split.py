"""Random split of a sample into an exploratory and a confirmatory half.

Fitting a CFA to the data that suggested the model (by EFA) capitalises on chance: its
fit is optimistic (MacCallum, Roznowski & Necowitz 1992). The usual remedy is to split the
respondents at random, explore on one part (:func:`~alliance_scale.efa`,
:func:`~alliance_scale.parallel_analysis`) and confirm on the other
(:func:`~alliance_scale.cfa`) (Fabrigar et al. 1999; Worthington & Whittaker 2006).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import check_frame, check_number, check_seed
from ..._results import Result, result
from ...errors import AnalysisError

__all__ = ["SplitSample", "split_sample"]


@result
class SplitSample(Result):
    """Two random, disjoint parts of a sample (unpacks as ``exploratory, confirmatory``).

    Attributes
    ----------
    exploratory : DataFrame
        Rows for the exploratory analysis (EFA), in their original order.
    confirmatory : DataFrame
        The other rows (CFA), in their original order.

    Examples
    --------
    >>> import alliance_scale as als
    >>> data = als.simulate(als.draft_scale(items_per_facet=3), 100, seed=3).items
    >>> split = als.split_sample(data, frac=0.4, seed=1)
    >>> split.to_frame()["part"].value_counts().to_dict()
    {'confirmatory': 60, 'exploratory': 40}
    """

    exploratory: pd.DataFrame
    confirmatory: pd.DataFrame

    def __iter__(self) -> Iterator[pd.DataFrame]:
        return iter((self.exploratory, self.confirmatory))

    def to_frame(self) -> pd.DataFrame:
        """Which part each respondent went to (index: the data's)."""
        part = pd.concat([pd.Series("exploratory", index=self.exploratory.index),
                          pd.Series("confirmatory", index=self.confirmatory.index)])
        return part.rename("part").to_frame()

    def _summary(self) -> dict[str, Any]:
        return {"exploratory": len(self.exploratory), "confirmatory": len(self.confirmatory)}


def split_sample(data: pd.DataFrame, *, frac: float = 0.5, seed: Any) -> SplitSample:
    """Split respondents at random into an exploratory (EFA) and a confirmatory (CFA) part.

    Parameters
    ----------
    data : DataFrame
        Respondents in rows (any columns; nothing is dropped or changed).
    frac : float, default 0.5
        Share of respondents in the exploratory part, in (0, 1); rounded to a whole
        number of rows, each part keeping at least one.
    seed : int, numpy Generator or None
        Seed of the random permutation (required: the split must be reproducible).

    Returns
    -------
    SplitSample
        ``exploratory`` and ``confirmatory`` (each in the data's row order).

    Raises
    ------
    OptionError
        A ``frac`` outside (0, 1), a bad ``seed``, or ``data`` not a DataFrame.
    AnalysisError
        Fewer than 2 rows.

    Examples
    --------
    >>> import alliance_scale as als
    >>> data = als.simulate(als.draft_scale(items_per_facet=3), 400, seed=3).items
    >>> explore, confirm = als.split_sample(data, seed=1)
    >>> len(explore), len(confirm), len(explore.index.intersection(confirm.index))
    (200, 200, 0)
    """
    share = check_number("frac", frac, 0.0, 1.0, low_open=True, high_open=True)
    rng = check_seed("seed", seed)
    check_frame("data", data)
    n = len(data)
    if n < 2:
        raise AnalysisError(f"data has {n} row(s); at least 2 are needed to split")
    size = int(np.clip(round(share * n), 1, n - 1))
    chosen = np.zeros(n, dtype=bool)
    chosen[rng.permutation(n)[:size]] = True
    return SplitSample(data[chosen], data[~chosen])
