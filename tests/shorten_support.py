"""What the short-form tests share: stuart's ``fairplayer`` data as exported by
``tests/fixtures/stuart_joint_reference.R``, the joint structure (EM 3, RA 3, SI 4), and the
one-candidate reference fit by the library's ``cfa()`` that the batches are checked against
(the library itself fits candidates in batches only)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alliance_scale.design._shorten_search import inadmissible_row
from alliance_scale.errors import AnalysisError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATA = pd.read_csv(FIXTURES / "fairplayer_joint.csv")
COLS = list(DATA.columns)
STRUCTURE = [0] * 3 + [1] * 3 + [2] * 4


def fit_candidate(model: Mapping[str, Sequence[str]], data: pd.DataFrame | None,
                  cov: pd.DataFrame | None, n_obs: int, missing: str) -> dict[str, Any]:
    """One candidate's CFA by :func:`~alliance_scale.cfa` (marker loadings), its crel
    (stuart's: sum(L Psi L') / (sum(L Psi L') + sum(Theta))), fit and admissibility as
    lavaan's ``post.check``."""
    from alliance_scale.psychometrics import cfa

    items = [i for group in model.values() for i in group]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if cov is not None:
                fit = cfa(cov_matrix=cov.loc[items, items], n_obs=n_obs,
                          model={f: list(v) for f, v in model.items()})
            else:
                fit = cfa(data[items], {f: list(v) for f, v in model.items()}, missing=missing)
    except (AnalysisError, np.linalg.LinAlgError, FloatingPointError) as error:
        return inadmissible_row(items, f"the fit failed: {error}")
    est = fit.estimates
    load = est[est["op"] == "=~"]
    var = est[(est["op"] == "~~") & (est["lhs"] == est["rhs"])]
    factors = list(model)
    psi = np.zeros((len(factors), len(factors)))
    for _, row in est[(est["op"] == "~~") & est["lhs"].isin(factors)].iterrows():
        a, b = factors.index(row["lhs"]), factors.index(row["rhs"])
        psi[a, b] = psi[b, a] = row["est"]
    lam = np.zeros((len(items), len(factors)))
    for _, row in load.iterrows():
        lam[items.index(row["rhs"]), factors.index(row["lhs"])] = row["est"]
    theta = var.set_index("lhs").loc[items, "est"].to_numpy(float)
    common = float(np.sum(lam @ psi @ lam.T))
    crel = common / (common + theta.sum())
    reasons = []
    if not fit.converged:
        reasons.append("the estimation did not converge")
    if (theta < 0).any():
        negative = [i for i, t in zip(items, theta, strict=True) if t < 0]
        reasons.append("some estimated ov variances are negative (" + ", ".join(negative) + ")")
    if (np.diag(psi) <= 0).any():
        reasons.append("some estimated lv variances are negative")
    elif len(factors) > 1 and np.linalg.eigvalsh(psi)[0] <= 0:
        reasons.append("covariance matrix of latent variables is not positive definite")
    f = fit.fit
    return {"items": tuple(items), "admissible": not reasons, "reason": "; ".join(reasons),
            "crel": float(crel), "chisq": f.get("chisq", np.nan), "df": f.get("df", np.nan),
            "rmsea": f.get("rmsea", np.nan), "srmr": f.get("srmr", np.nan),
            "cfi": f.get("cfi", np.nan)}
