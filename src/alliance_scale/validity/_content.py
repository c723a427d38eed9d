"""Content validity from expert relevance ratings: I-CVI, modified kappa, S-CVI.

Experts rate each candidate item's relevance on 1-4 (1 not relevant ... 4 highly relevant);
ratings of 3 or 4 count as agreement. The indices are those of Polit, Beck & Owen (2007,
Research in Nursing & Health 30:459-467) and Polit & Beck (2006, RINAH 29:489-497). They
are a few lines of arithmetic with no library implementation in the Python stack, hence
written here.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy.special import comb

from .._checks import check_number, check_unique_columns, is_boolean
from .._results import Result, result
from ..errors import OptionError, ResponseError
from ..fielding._responses import plain_value

__all__ = [
    "ContentValidityResult",
    "content_validity",
]

#: Conventional bars (Polit & Beck 2006): S-CVI/Ave >= .90, S-CVI/UA >= .80.
S_CVI_AVE_BAR = 0.90
S_CVI_UA_BAR = 0.80

#: Shape of an item id (leaf id, underscore, number), used to spot transposed ratings.
_ITEM_ID = re.compile(r"^[A-Z]\d+[a-z]?_\d+$")


def kappa_interpretation(kappa: float) -> str:
    """Label of a modified kappa (Cicchetti & Sparrow 1981, as used by Polit et al. 2007).

    > .74 excellent, .60-.74 good, .40-.59 fair, below .40 poor.

    Parameters
    ----------
    kappa : float
        Modified kappa k* of an item.

    Returns
    -------
    str
        ``"excellent"``, ``"good"``, ``"fair"`` or ``"poor"``.
    """
    if kappa > 0.74:
        return "excellent"
    if kappa >= 0.60:
        return "good"
    if kappa >= 0.40:
        return "fair"
    return "poor"


@result
class ContentValidityResult(Result):
    """Item- and scale-level content validity indices.

    Attributes
    ----------
    items : DataFrame
        One row per item (the rating columns, in order): ``n_experts``, ``agreeing``
        (ratings 3 or 4), ``i_cvi``, ``chance_agreement`` (Pc), ``kappa`` (modified kappa
        k*), ``interpretation`` and ``passes`` (I-CVI, to two decimals, >= cutoff).
    s_cvi_ave : float
        Mean of the I-CVIs (bar: .90).
    s_cvi_ua : float
        Share of items rated 3 or 4 by every expert who rated them (bar: .80).
    cutoff : float
        I-CVI an item needs to pass.
    n_experts : int
        Number of experts (rows).

    Examples
    --------
    >>> ratings = pd.DataFrame({"A1a_1": [4, 4, 3], "A1a_2": [4, 3, 2]})
    >>> result = als.content_validity(ratings)
    >>> round(result.s_cvi_ave, 3), result.n_experts
    (0.833, 3)
    """

    items: pd.DataFrame
    s_cvi_ave: float
    s_cvi_ua: float
    cutoff: float
    n_experts: int

    @property
    def passing(self) -> list[str]:
        """Ids of items with I-CVI >= cutoff, in input order (usable as ``draft_scale(items=)``)."""
        return [str(i) for i in self.items.index[self.items["passes"].to_numpy(dtype=bool)]]

    def to_frame(self) -> pd.DataFrame:
        return self.items

    def _summary(self) -> dict[str, object]:
        return {
            "experts": self.n_experts,
            f"items passing (I-CVI >= {self.cutoff:.2f})":
                f"{len(self.passing)} of {len(self.items)}",
            "S-CVI/Ave (bar .90)": self.s_cvi_ave,
            "S-CVI/UA (bar .80)": self.s_cvi_ua,
        }


def _check_ratings(ratings: pd.DataFrame) -> pd.DataFrame:
    """The ratings as numbers 1-4 (NaN = not rated), or a :class:`ResponseError` naming the
    item and the experts (a boolean is refused: pandas would read True as the rating 1)."""
    if not isinstance(ratings, pd.DataFrame):
        raise OptionError(f"ratings must be a pandas DataFrame, got {type(ratings).__name__}")
    if ratings.shape[0] == 0 or ratings.shape[1] == 0:
        raise ResponseError("ratings are empty: expected experts in rows and items in columns")
    check_unique_columns(ratings, "duplicate item column", ResponseError)
    rows_look_like_items = all(_ITEM_ID.match(str(r)) for r in ratings.index)
    columns_look_like_items = any(_ITEM_ID.match(str(c)) for c in ratings.columns)
    if rows_look_like_items and not columns_look_like_items:
        raise ResponseError("the row labels look like item ids: ratings must have experts in "
                            "rows and items in columns (pass ratings.T)")
    values = {}
    for column in ratings.columns:
        original = ratings[column]
        if pd.api.types.is_bool_dtype(original):
            numbers = pd.Series(np.nan, index=ratings.index)
        else:
            numbers = pd.to_numeric(original, errors="coerce")
            numbers[original.map(is_boolean).to_numpy(dtype=bool)] = np.nan
        given = original.notna()
        bad = given & ~numbers.isin([1, 2, 3, 4])
        if bad.any():
            shown = original[bad].iloc[0]
            raise ResponseError(
                f"relevance ratings must be 1, 2, 3 or 4 (got {plain_value(shown)}) for experts",
                column=str(column), rows=list(ratings.index[bad]),
            )
        if not given.any():
            raise ResponseError("no expert rated this item", column=str(column))
        values[column] = numbers
    return pd.DataFrame(values, index=ratings.index)


def content_validity(ratings: pd.DataFrame, *, cutoff: float = 0.78) -> ContentValidityResult:
    """Content validity indices from expert relevance ratings (Polit, Beck & Owen 2007).

    Parameters
    ----------
    ratings : DataFrame
        **Experts in rows, items in columns** (like response data), values 1-4
        (1 = not relevant, 4 = highly relevant); a missing value means the expert did not
        rate that item and is left out of that item's counts. Row labels that look like
        item ids (with columns that do not) are refused as transposed.
    cutoff : float, default 0.78
        I-CVI an item needs to pass, compared with the I-CVI rounded to two decimals as
        published (7 of 9 experts = .78 passes; Lynn 1986). Polit et al. (2007)
        recommend .78 with 6 or more experts; with 3-5 experts they ask for 1.00.

    Returns
    -------
    ContentValidityResult
        Per item: N experts, A agreeing (ratings 3 or 4), I-CVI = A / N,
        chance agreement Pc = C(N, A) * 0.5**N, modified kappa
        k* = (I-CVI - Pc) / (1 - Pc) with its label (> .74 excellent, .60-.74 good,
        .40-.59 fair, else poor), pass/fail; S-CVI/Ave (mean I-CVI, bar .90) and S-CVI/UA
        (share of items with universal agreement, bar .80; Polit & Beck 2006).

    Raises
    ------
    ResponseError
        Naming the item and the experts, for a value other than 1-4, an item nobody rated,
        duplicate items, or ratings that look transposed.

    Examples
    --------
    >>> ratings = pd.DataFrame(  # 5 experts rate 3 items on relevance, 1-4
    ...     {"A1a_1": [4, 4, 3, 4, 4], "A1a_2": [4, 3, 2, 4, 3], "A1b_1": [2, 1, 3, 2, 2]},
    ...     index=[f"expert{i}" for i in range(1, 6)])
    >>> result = als.content_validity(ratings)
    >>> print(result.items[["i_cvi", "kappa", "passes"]].round(2))
           i_cvi  kappa  passes
    item
    A1a_1    1.0   1.00    True
    A1a_2    0.8   0.76    True
    A1b_1    0.2   0.05   False
    """
    check_number("cutoff", cutoff, 0.0, 1.0, low_open=True)
    data = _check_ratings(ratings)
    n = data.notna().sum().to_numpy(dtype=float)
    agreeing = (data >= 3).sum().to_numpy(dtype=float)
    i_cvi = agreeing / n
    chance = comb(n, agreeing) * 0.5**n
    kappa = (i_cvi - chance) / (1 - chance)
    items = pd.DataFrame(
        {
            "n_experts": n.astype(int),
            "agreeing": agreeing.astype(int),
            "i_cvi": i_cvi,
            "chance_agreement": chance,
            "kappa": kappa,
            "interpretation": [kappa_interpretation(k) for k in kappa],
            # I-CVIs are reported to two decimals; 7 of 9 experts (.78) passes, as in
            # Lynn (1986) and Polit et al. (2007, table 2).
            "passes": np.round(i_cvi, 2) >= cutoff,
        },
        index=pd.Index([str(c) for c in data.columns], name="item"),
    )
    return ContentValidityResult(
        items=items,
        s_cvi_ave=float(np.mean(i_cvi)),
        s_cvi_ua=float(np.mean(agreeing == n)),
        cutoff=float(cutoff),
        n_experts=int(data.shape[0]),
    )
