"""M2*'s shortcut for mirt's null model (independent items): the moments' covariance
factors as ``A D A'`` and is whitened without a Cholesky factorisation; it must give the
generic computation's value (which the rst.rds CFI test checks against mirt)."""

from __future__ import annotations

import numpy as np

import alliance_scale as als
from alliance_scale.psychometrics._irt import _fit


def test_null_model_shortcut_equals_the_generic_xi():
    data = als.simulate_irt([1.2, 0.8, 1.5, 1.0, 0.9, 1.3],
                            [[1.5, 0.2, -1.0]] * 6, n=500, seed=9)
    fit = als.irt(data, se=None)
    spec, pars = _fit.null_parameters(fit._spec, fit._codes)
    fast = _fit.m2_statistic(spec, pars, 1.0, fit._codes)
    generic = pars.copy()
    generic[:, 0] = 1e-300  # not exactly 0: the generic path, same numbers
    slow = _fit.m2_statistic(spec, generic, 1.0, fit._codes)
    assert fast.df == slow.df
    assert np.isclose(fast.m2, slow.m2, rtol=1e-9)
