"""The M-step of a block of graded items in closed form, for small data where the cost of an
EM cycle is the number of numpy calls rather than arithmetic.

For graded items (Samejima 1969; 2PL with two categories) in mirt's slope-intercept form,
``P(X >= k) = s_k = logistic(a theta + d_k)`` and ``P_k = s_k - s_{k+1}`` (``s_0 = 1``,
``s_K = 0``). With ``u_k = r_k / P_k`` (expected counts over probabilities),
``q_k = s_k (1 - s_k)`` (``q_0 = q_K = 0``) and ``e_k = q_k - q_{k+1}``, the expected
complete-data log-likelihood ``sum r log P`` of an item has, summed over the grid,

- gradient ``d/dd_m = sum q_m (u_m - u_{m-1})`` and ``d/da = sum theta sum_m q_m (u_m -
  u_{m-1})``;
- a Hessian tridiagonal in the intercepts with a dense slope row: with ``v = u / P`` and
  ``A_m = q_m (1 - 2 s_m)(u_m - u_{m-1})``, ``d2/dd_m^2 = sum A_m - q_m^2 (v_m + v_{m-1})``,
  ``d2/dd_m dd_{m+1} = sum q_m q_{m+1} v_m``, ``d2/da dd_m = sum theta (A_m - q_m (v_m e_m -
  v_{m-1} e_{m-1}))``, ``d2/da^2 = sum theta^2 (sum_m A_m - sum_k v_k e_k^2)``.

The code takes these through the linear predictors ``eta_m = a theta + d_m`` (gradient and
a tridiagonal Hessian in ``eta``, then the chain rule as one product). The objective is
concave in ``(a, d)`` (a cumulative logit model with a linear predictor, Pratt 1981), so
Newton steps need no eigenvalue shift; the intercepts must stay ordered after every step and
a step of 0.1 or more must not decrease the objective, else the block is handed back to the
general M-step (``_engine._item_newton``). The probabilities at the last parameters are kept,
so the next E-step does not evaluate them again.
"""

from __future__ import annotations

import numpy as np

__all__: list[str] = []

#: Probabilities are floored here before logarithms and ratios (a runaway slope).
_SMALLEST_PROB = 1e-300
#: Newton stops after a step whose every element is below this: convergence is quadratic,
#: so the M-step's maximiser is then reached to about its square (1e-6), far inside EM's
#: ``tol`` (1e-4); the estimates differ from a stop at 1e-6 by less than 3e-7 (mirt's
#: fixtures, bfi).
MSTEP_TOL = 1e-3
#: A Newton step this large or larger is checked to increase the objective (a smaller one
#: on this concave objective does: its quadratic model is then accurate).
_CHECKED_STEP = 0.1
#: After a step below this, Newton keeps its Hessian (chord steps).
_CHORD_STEP = 1e-2


class GradedBlock:
    """Graded items sharing a number of categories ``k`` (``items``: their rows; ``cols``:
    their columns of the one-hot responses, item-major), evaluated on ``theta``.

    The arrays of an evaluation live in buffers made once, category-major (category x item
    x point): the differences between neighbouring categories are then between contiguous
    blocks, and a numpy call on small contiguous arrays costs a third of one on strided
    views. What leaves the block is item-major, as the one-hot columns: the logarithms
    (taken when asked for, :attr:`logp`, so Newton's unchecked trial steps skip them) and
    the rows of the chain rule's product."""

    def __init__(self, items: np.ndarray, k: int, cols: np.ndarray, theta: np.ndarray) -> None:
        self.items = items
        self.k = k
        self.cols = cols
        self.theta = theta
        self._minus_theta = -theta
        self._weights = _chain_rule(k, theta)
        self._gradient_weights = self._weights[: (k - 1) * theta.size, :k]
        self.at: np.ndarray | None = None  # the parameters the arrays below belong to
        self._n = -1  # items the buffers are made for

    def _allocate(self, n: int) -> None:
        k, n_points = self.k, self.theta.size
        m = k - 1
        rows = 2 if k == 2 else 3 * m - 1  # t, diag (and off) per item
        self._cum = np.empty((k + 1, n, n_points))  # 1, s_1 .. s_m, 0
        self._cum[0] = 1.0
        self._cum[k] = 0.0
        self._s = self._cum[1:k]  # P(X >= c), c = 1 .. m: a contiguous block
        self._prob = np.empty((k, n, n_points))
        self._logp = np.empty((n, k, n_points))  # item-major, as the E-step's table
        self._logged = False
        self._r = np.empty((k, n, n_points))
        self._u = np.empty((k, n, n_points))
        self._rest = np.empty((m, n, n_points))
        self._q = np.empty((m, n, n_points))
        self._du = np.empty((m, n, n_points))
        self._dens = np.empty((rows, n, n_points))
        self._rows = np.empty((n, rows, n_points))  # item-major: the chain rule's input
        self._t = np.empty((n, m, n_points))  # item-major gradient rows
        self._n = n

    def evaluate(self, pars: np.ndarray) -> None:
        """Cumulative probabilities (padded), category probabilities (and, when asked for,
        their logarithms) at ``pars`` (items x k), written over the previous ones."""
        n = pars.shape[0]
        if n != self._n:  # made once, reused
            self._allocate(n)
        s = self._s
        np.subtract(pars[:, :1] * self._minus_theta, pars[:, 1:].T[:, :, None], out=s)
        np.exp(s, out=s)
        s += 1.0
        np.reciprocal(s, out=s)
        cum = self._cum
        np.subtract(cum[:-1], cum[1:], out=self._prob)
        np.maximum(self._prob, _SMALLEST_PROB, out=self._prob)
        self._logged = False
        self.at = pars

    @property
    def prob(self) -> np.ndarray:
        """Category probabilities at the evaluated parameters (items x k x points, a view;
        floored at ``_SMALLEST_PROB``)."""
        return self._prob.transpose(1, 0, 2)

    @property
    def logp(self) -> np.ndarray:
        """Log category probabilities at the evaluated parameters (items x k x points)."""
        if not self._logged:
            np.log(self._prob.transpose(1, 0, 2), out=self._logp)
            self._logged = True
        return self._logp

    def current(self, pars: np.ndarray) -> bool:
        """Whether the kept arrays belong to ``pars`` (the array evaluated last, or equal
        to it)."""
        at = self.at
        return at is not None and (at is pars or (
            at.shape == pars.shape and bool((at == pars).all())))

    def _by_category(self, r: np.ndarray) -> np.ndarray:
        """Expected counts (items x k x points) copied category-major."""
        np.copyto(self._r, r.transpose(1, 0, 2))
        return self._r

    def _derivatives(self, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Gradient (items x k) and Hessian (items x k x k) of ``sum r log P`` at the
        evaluated parameters (``r``: items x k x points), through the derivatives with
        respect to the linear predictors ``eta_m = a theta + d_m``: gradient ``t_m``,
        Hessian tridiagonal (``diag_m``, ``off_m``); the chain rule (their sums over the
        grid weighed by 1, theta and theta^2) is one product with :func:`_chain_rule`."""
        return self._derivatives_of(self._by_category(r))

    def _derivatives_of(self, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_derivatives` of category-major expected counts (k x items x points)."""
        prob, k, s, dens = self._prob, self.k, self._s, self._dens
        m = k - 1
        n = prob.shape[1]
        if k == 2:  # the 2PL: a logistic regression, t = r_1 - n s, diag = -n s (1 - s)
            ns = np.add(r[0], r[1], out=self._rest[0])
            ns *= s[0]
            np.subtract(r[1], ns, out=dens[0])
            np.subtract(s[0], 1.0, out=self._q[0])
            np.multiply(ns, self._q[0], out=dens[1])
        else:
            rest = np.subtract(1.0, s, out=self._rest)
            q = np.multiply(s, rest, out=self._q)
            u = np.divide(r, prob, out=self._u)
            du = np.subtract(u[1:], u[:-1], out=self._du)
            t = np.multiply(q, du, out=dens[:m])
            v = np.divide(u, prob, out=u)
            vsum = np.add(v[1:], v[:-1], out=du)
            vsum *= q
            vsum *= q
            rest -= s  # 1 - 2 s
            rest *= t
            np.subtract(rest, vsum, out=dens[m: 2 * m])
            if m > 1:
                np.multiply(q[:-1] * q[1:], v[1:-1], out=dens[2 * m:])
        rows = self._rows
        np.copyto(rows, dens.transpose(1, 0, 2))
        out = rows.reshape(n, -1) @ self._weights
        return out[:, :k], out[:, k:].reshape(n, k, k)

    def _gradient_of(self, r: np.ndarray) -> np.ndarray:
        """The gradient alone (items x k), as :meth:`_derivatives_of` gives it."""
        prob, n, s = self._prob, self._prob.shape[1], self._s
        if self.k == 2:
            t = np.add(r[0], r[1], out=self._rest[0])
            t *= s[0]
            np.subtract(r[1], t, out=t)
            return t @ self._gradient_weights
        u = np.divide(r, prob, out=self._u)
        rest = np.subtract(1.0, s, out=self._rest)
        t = np.multiply(s, rest, out=self._q)
        t *= np.subtract(u[1:], u[:-1], out=self._du)
        rows = self._t
        np.copyto(rows, t.transpose(1, 0, 2))
        return rows.reshape(n, -1) @ self._gradient_weights

    def newton(self, pars: np.ndarray, r: np.ndarray, max_iter: int = 20,
               tol: float = MSTEP_TOL) -> np.ndarray | None:
        """Maximise ``sum r log P`` from ``pars`` (evaluated: :meth:`evaluate`) by Newton
        steps; None when a step fails its check (the caller takes the general M-step).
        After a step below ``_CHORD_STEP`` the Hessian is kept (chord steps: the error
        then shrinks by a factor of the order of that step each time, 1e-2 or less)."""
        by_category = self._by_category(r)
        ordered = self.k > 2  # intercepts to keep ordered
        inverse = None
        for _ in range(max_iter):
            if inverse is None:
                grad, hess = self._derivatives_of(by_category)
                try:
                    inverse = np.linalg.inv(hess)
                except np.linalg.LinAlgError:
                    return None
            else:
                grad = self._gradient_of(by_category)
            step = (inverse @ grad[:, :, None])[:, :, 0]
            size = np.abs(step).max()
            checked = not size < _CHECKED_STEP  # NaN is checked (and fails)
            if checked:
                current = np.einsum("ikq,ikq->i", r, self.logp)
            trial = pars - step
            self.evaluate(trial)
            if ordered and not (trial[:, 1:-1] > trial[:, 2:]).all():  # intercepts ordered
                return None
            if checked and not (np.einsum("ikq,ikq->i", r, self.logp)
                                >= current - 1e-12 * np.abs(current)).all():
                return None  # the objective decreased (or is NaN)
            pars = trial
            if size < tol:
                break
            if not size < _CHORD_STEP:
                inverse = None
        return pars


def _chain_rule(k: int, theta: np.ndarray) -> np.ndarray:
    """:func:`_linear_map` of ``k`` categories on ``theta``, made once per grid."""
    key = (k, theta.size, theta.tobytes())
    if key not in _MAPS:
        if len(_MAPS) > 64:
            _MAPS.clear()
        _MAPS[key] = _linear_map(k, theta)
        _MAPS[key].flags.writeable = False
    return _MAPS[key]


#: Chain-rule maps already made: (categories, points, grid bytes) -> map.
_MAPS: dict[tuple[int, int, bytes], np.ndarray] = {}


def _linear_map(k: int, theta: np.ndarray) -> np.ndarray:
    """The linear map from the derivatives with respect to the linear predictors over the
    grid (rows ``t_1..t_m``, ``diag_1..diag_m``, ``off_1..off_{m-1}``, each over the points,
    ``m = k - 1``) to the gradient and the flattened Hessian in ``(a, d_1, ..., d_m)``:
    ``d eta_m / da = theta``, ``d eta_m / dd_m = 1``."""
    m = k - 1
    n_rows = 3 * m - 1
    basis = np.stack([np.ones_like(theta), theta, theta * theta], axis=1)  # points x 3
    rule = np.zeros((n_rows, 3, k + k * k))  # row, power of theta, output

    def hess(i: int, j: int) -> int:
        return k + i * k + j

    for j in range(m):
        t, diag = j, m + j
        rule[t, 1, 0] = 1.0  # d/da: theta t_m
        rule[t, 0, 1 + j] = 1.0  # d/dd_m: t_m
        rule[diag, 0, hess(1 + j, 1 + j)] = 1.0
        rule[diag, 1, [hess(0, 1 + j), hess(1 + j, 0)]] = 1.0
        rule[diag, 2, hess(0, 0)] = 1.0
    for j in range(m - 1):
        off = 2 * m + j  # between d_j+1 and d_j+2
        rule[off, 0, [hess(1 + j, 2 + j), hess(2 + j, 1 + j)]] = 1.0
        rule[off, 1, [hess(0, 1 + j), hess(1 + j, 0), hess(0, 2 + j), hess(2 + j, 0)]] = 1.0
        rule[off, 2, hess(0, 0)] = 2.0
    return np.einsum("qb,rbc->rqc", basis, rule).reshape(n_rows * theta.size, -1)
