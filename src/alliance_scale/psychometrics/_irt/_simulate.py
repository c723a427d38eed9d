"""Responses drawn from an IRT model (mirt's ``simdata`` for one dimension)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..._checks import check_choice, check_integer, check_seed
from ...errors import OptionError
from ._models import probabilities

__all__ = ["simulate_irt"]


def simulate_irt(
    slopes: Any,
    intercepts: Any,
    n: int,
    model: str = "graded",
    seed: int | np.random.Generator | None = 0,
    theta: Any = None,
) -> pd.DataFrame:
    """Simulate answers from a unidimensional IRT model in mirt's slope-intercept form.

    Parameters
    ----------
    slopes : sequence of float
        One slope ``a`` per item (negative for a reverse-keyed item).
    intercepts : sequence of sequences of float
        Per item its intercepts ``d_1 .. d_{K-1}`` (graded: decreasing); an item with
        ``K - 1`` intercepts has ``K`` categories. A single number per item gives a binary
        item (2PL).
    n : int
        Respondents.
    model : {"graded", "gpcm"}, default "graded"
        Graded response model (Samejima 1969) or generalized partial credit (Muraki 1992).
    seed : int or numpy Generator, default 0
        Seed of the draws.
    theta : sequence of float, optional
        Trait values of the respondents (default: standard normal draws).

    Returns
    -------
    DataFrame
        ``n`` rows, items ``q1 ..`` with answers coded 1 .. K (integers).

    Examples
    --------
    >>> import alliance_scale as als
    >>> data = als.simulate_irt([1.5, -1.2, 1.0], [[2, 0, -2]] * 3, n=4, seed=1)
    >>> data.shape
    (4, 3)
    """
    check_choice("model", model, ("graded", "gpcm"))
    n = check_integer("n", n, minimum=1)
    rng = check_seed("seed", seed)
    a = np.atleast_1d(np.asarray(slopes, dtype=float))
    ds = [np.atleast_1d(np.asarray(d, dtype=float)) for d in intercepts]
    if len(ds) != a.size:
        raise OptionError(f"slopes has {a.size} items but intercepts {len(ds)}")
    th = rng.standard_normal(n) if theta is None else np.asarray(theta, dtype=float)
    if th.shape != (n,):
        raise OptionError(f"theta must hold n = {n} values")
    out = {}
    u = rng.random((a.size, n))
    for j in range(a.size):
        if model == "graded" and ds[j].size > 1 and np.any(np.diff(ds[j]) >= 0):
            raise OptionError(f"item {j + 1}: graded intercepts must decrease")
        pars = np.concatenate([[a[j]], ds[j]])[None, :]
        prob = probabilities(model, pars, th)[0]  # K x n
        cum = np.cumsum(prob, axis=0)
        out[f"q{j + 1}"] = 1 + (u[j][None, :] > cum[:-1]).sum(axis=0)
    return pd.DataFrame(out)
