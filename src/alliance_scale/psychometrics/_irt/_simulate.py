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
    """Simulate answers from an IRT model in mirt's slope-intercept form (mirt's
    ``simdata``).

    Parameters
    ----------
    slopes : sequence of float, or items x D array
        One slope ``a`` per item (negative for a reverse-keyed item); a 2-D array (one row
        per item, one column per factor) gives a multidimensional model ``P(X >= k) =
        logistic(a' theta + d_k)`` with independent standard normal factors (unless
        ``theta`` is given).
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
    theta : sequence of float, or n x D array, optional
        Trait values of the respondents (default: standard normal draws, independent
        across factors).

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
    >>> two = als.simulate_irt([[1.5, 0], [1.2, 0.4], [0, 1.3]], [[1, -1]] * 3, n=5, seed=1)
    >>> two.shape
    (5, 3)
    """
    check_choice("model", model, ("graded", "gpcm"))
    n = check_integer("n", n, minimum=1)
    rng = check_seed("seed", seed)
    a = np.asarray(slopes, dtype=float)
    if a.ndim > 2 or (a.ndim == 2 and a.shape[1] == 0):
        raise OptionError("slopes must be one number per item or an items x factors array")
    dims = a.shape[1] if a.ndim == 2 else 1
    a = a.reshape(-1, dims)
    ds = [np.atleast_1d(np.asarray(d, dtype=float)) for d in intercepts]
    if len(ds) != a.shape[0]:
        raise OptionError(f"slopes has {a.shape[0]} items but intercepts {len(ds)}")
    shape = (n,) if dims == 1 else (n, dims)
    th = rng.standard_normal(shape) if theta is None else np.asarray(theta, dtype=float)
    if th.shape != shape:
        raise OptionError(f"theta must hold n = {n} values" + ("" if dims == 1 else
                                                                f" of {dims} factors"))
    out = {}
    u = rng.random((a.shape[0], n))
    for j in range(a.shape[0]):
        if model == "graded" and ds[j].size > 1 and np.any(np.diff(ds[j]) >= 0):
            raise OptionError(f"item {j + 1}: graded intercepts must decrease")
        pars = np.concatenate([a[j], ds[j]])[None, :]
        prob = probabilities(model, pars, th)[0]  # K x n
        cum = np.cumsum(prob, axis=0)
        out[f"q{j + 1}"] = 1 + (u[j][None, :] > cum[:-1]).sum(axis=0)
    return pd.DataFrame(out)
