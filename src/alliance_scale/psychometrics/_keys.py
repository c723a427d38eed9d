"""psych-style scoring keys: a leading ``"-"`` marks a reverse-keyed item, reversed as
``min + max - x`` (``psych::scoreItems`` / ``psych::alpha`` conventions).

The library's one key parser and one reversal, used by scoring, reliability, careless
responding and validity alike. Three lines of arithmetic each: no library offers psych's
convention.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_frame, check_number
from ..errors import OptionError

__all__ = ["reverse_codes", "reverse_keyed", "split_keyed"]


def split_keyed(entry: str) -> tuple[str, int]:
    """Split a psych-style key entry into (item, sign): ``"-A1"`` -> ``("A1", -1)``.

    A leading ``-`` marks a reverse-keyed item (``psych::scoreItems`` convention).

    Parameters
    ----------
    entry : str
        An item name, with a leading ``"-"`` when reverse-keyed.

    Returns
    -------
    (str, int)
        The item name and its sign, +1 or -1.

    Examples
    --------
    >>> als.split_keyed("-A1a_5")  # psych::scoreItems' "-" for a reverse-keyed item
    ('A1a_5', -1)
    >>> als.split_keyed("A1a_1")
    ('A1a_1', 1)
    """
    entry = str(entry)
    return (entry[1:], -1) if entry.startswith("-") else (entry, 1)


def reverse_codes(values: Any, min_value: float, max_value: float) -> Any:
    """Reverse-keyed codes: ``min_value + max_value - values`` (psych's ``keys`` rule).

    The library's one reversal; it also turns a mean of answers into the mean of the
    reversed answers.

    Parameters
    ----------
    values : float, ndarray, Series or DataFrame
        Response codes (NaN = missing, kept).
    min_value, max_value : float
        Lowest and highest response codes (e.g. 1 and 5).

    Returns
    -------
    Same type as ``values``

    Examples
    --------
    >>> als.reverse_codes(np.array([1, 2, 5]), 1, 5)  # In R: psych's keys, 1 + 5 - x
    array([5, 4, 1])
    """
    return min_value + max_value - values


def reverse_keyed(
    frame: pd.DataFrame, items: Sequence[str], min_value: float, max_value: float
) -> pd.DataFrame:
    """A copy of ``frame`` with the columns ``items`` reversed (:func:`reverse_codes`).

    Parameters
    ----------
    frame : DataFrame
        Respondents in rows, numeric item columns (NaN = missing).
    items : sequence of str
        Reverse-keyed columns of ``frame``; empty leaves the copy unchanged.
    min_value, max_value : float
        Lowest and highest response codes.

    Returns
    -------
    DataFrame
        Same index, columns and order as ``frame``.

    Examples
    --------
    >>> answers = pd.DataFrame({"A1a_5": [1.0, 2.0, np.nan], "A1a_1": [3.0, 4.0, 4.0]})
    >>> als.reverse_keyed(answers, ["A1a_5"], 1, 5)
       A1a_5  A1a_1
    0    5.0    3.0
    1    4.0    4.0
    2    NaN    4.0
    """
    check_frame("frame", frame)
    min_value = check_number("min_value", min_value)
    max_value = check_number("max_value", max_value)
    if isinstance(items, str) or not isinstance(items, (list, tuple, set, pd.Index, np.ndarray)):
        raise OptionError(f"items must be a list of column names, got {type(items).__name__}")
    if not all(isinstance(item, (str, int, np.integer)) for item in items):
        raise OptionError("items must be column names of the frame")
    unknown = [item for item in items if item not in frame.columns]
    if unknown:
        raise OptionError(f"items to reverse are not columns of the frame: {unknown[:5]!r}")
    frame = frame.copy()
    if len(items):
        columns = list(items)
        frame[columns] = reverse_codes(frame[columns], min_value, max_value)
    return frame
