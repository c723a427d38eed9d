"""R's ``optim(method = "BFGS")`` (Nash's variable metric method, R's ``vmmin``), the
optimiser of mirt's M-step.

mirt 1.47 maximises the expected complete-data log-likelihood of all items at once with
``optim(..., method = 'BFGS')`` for at most ``max(ceiling(Mrate * 50), 15)`` iterations per
EM cycle. Where the likelihood has a nearly flat ridge (exploratory models), the point the
EM stops at depends on that path, so the exploratory fit follows it step for step: inverse
Hessian approximation started at the identity, backtracking line search (step 1, reduced by
0.2 until the Armijo condition with constant 1e-4 holds, or until no coordinate moves at
relative precision ``10 + x``), BFGS update only when the curvature ``s'y`` is positive,
restart after ``2 n`` gradients without a restart, stop when the objective changes by less
than ``reltol (|f| + reltol)`` (R's default ``sqrt(.Machine$double.eps)``) or after
``maxit`` gradient evaluations (Nash 1990, *Compact numerical methods*, algorithm 21).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__: list[str] = []

#: R's defaults: step reduction, Armijo constant, relative precision of "no change".
_STEP_REDUCTION = 0.2
_ACCEPT = 1e-4
_REL_TEST = 10.0
RELTOL = float(np.sqrt(np.finfo(float).eps))


@dataclass(frozen=True)
class Minimum:
    x: np.ndarray
    value: float
    iterations: int  # gradient evaluations (R's counts["gradient"])
    converged: bool  # False when maxit was reached (R's convergence code 1)


def vmmin(fn: Callable[[np.ndarray], float], gr: Callable[[np.ndarray], np.ndarray],
          x0: np.ndarray, maxit: int = 100, reltol: float = RELTOL,
          abstol: float = -np.inf) -> Minimum:
    """Minimise ``fn`` from ``x0`` as R's ``optim(x0, fn, gr, method = "BFGS",
    control = list(maxit = maxit, reltol = reltol, abstol = abstol))``."""
    b = np.array(x0, dtype=float)
    n = b.size
    if maxit <= 0:
        return Minimum(b, float(fn(b)), 0, True)
    f = float(fn(b))
    if not np.isfinite(f):
        raise ValueError("initial value in 'vmmin' is not finite")
    fmin = f
    g = np.asarray(gr(b), dtype=float)
    gradcount = 1
    iteration = 1
    ilast = gradcount
    inverse = np.eye(n)
    count = 0
    while True:
        if ilast == gradcount:
            inverse = np.eye(n)
        x = b.copy()
        c = g.copy()
        t = -(inverse @ g)
        gradproj = float(t @ g)
        if gradproj < 0.0:  # downhill
            steplength = 1.0
            accepted = False
            while True:
                b = x + steplength * t
                count = int(np.sum(_REL_TEST + x == _REL_TEST + b))
                if count < n:
                    f = float(fn(b))
                    accepted = bool(np.isfinite(f)
                                    and f <= fmin + gradproj * steplength * _ACCEPT)
                    if not accepted:
                        steplength *= _STEP_REDUCTION
                if count == n or accepted:
                    break
            enough = f > abstol and abs(f - fmin) > reltol * (abs(fmin) + reltol)
            if not enough:
                count = n
                fmin = f
            if count < n:  # progress
                fmin = f
                g = np.asarray(gr(b), dtype=float)
                gradcount += 1
                iteration += 1
                t = steplength * t
                c = g - c
                d1 = float(t @ c)
                if d1 > 0:
                    xs = inverse @ c
                    d2 = 1.0 + float(xs @ c) / d1
                    inverse = inverse + (d2 * np.outer(t, t) - np.outer(xs, t)
                                         - np.outer(t, xs)) / d1
                else:
                    ilast = gradcount
            elif ilast < gradcount:  # no progress: restart once
                count = 0
                ilast = gradcount
        else:  # uphill: restart unless just restarted
            count = 0
            if ilast == gradcount:
                count = n
            else:
                ilast = gradcount
        if iteration >= maxit:
            break
        if gradcount - ilast > 2 * n:
            ilast = gradcount  # periodic restart
        if count == n and ilast == gradcount:
            break
    return Minimum(b, fmin, iteration, iteration < maxit)
