"""Rating scale models as constraints on the free item parameters (mirt 1.47's ``rsm`` and
``grsm``): the estimated parameters ``phi`` map onto every item's slope and intercepts; the
M-step and the information use the map's Jacobian (and, for the nonlinear ``grsm``, its
curvature).

- ``rsm`` (Andrich 1978, partial credit form, slopes 1): ``d_ik = -(b_1 + ... + b_k) + k
  c_i``; ``phi = (b_1 .. b_{K-1}, c_2 .. c_J)``, ``c_1 = 0``, latent variance estimated.
- ``grsm`` (Muraki 1990, graded form): ``P(X >= k) = logistic(a_i (theta + b_k + c_i))``,
  i.e. ``d_ik = a_i (b_k + c_i)``; ``phi = (a_1 .. a_J, b_1 .. b_{K-1}, c_2 .. c_J)``,
  ``c_1 = 0``, latent variance 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__: list[str] = []


@dataclass(frozen=True)
class RatingScale:
    """mirt's ``rsm``: linear in ``phi`` (free item parameters: the intercepts)."""

    n_items: int
    n_cat: int
    kind: str = "rsm"

    @property
    def n_phi(self) -> int:
        return (self.n_cat - 1) + (self.n_items - 1)

    @property
    def design(self) -> np.ndarray:
        k, out = self.n_cat, np.zeros((self.n_items * (self.n_cat - 1), self.n_phi))
        for i in range(self.n_items):
            for step in range(1, k):
                row = i * (k - 1) + step - 1
                out[row, :step] = -1.0
                if i > 0:
                    out[row, (k - 1) + i - 1] = step
        return out

    def full(self, phi: np.ndarray) -> np.ndarray:
        return self.design @ phi

    def phi(self, full: np.ndarray) -> np.ndarray:
        return np.linalg.lstsq(self.design, full, rcond=None)[0]

    def jacobian(self, phi: np.ndarray) -> np.ndarray:
        return self.design

    def curvature(self, phi: np.ndarray, grad: np.ndarray) -> np.ndarray:
        return np.zeros((self.n_phi, self.n_phi))

    def classical(self, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Slopes, shared steps b, item locations c."""
        k = self.n_cat
        return np.ones(self.n_items), phi[: k - 1], np.r_[0.0, phi[k - 1:]]

    def names(self, items: tuple[str, ...]) -> list[str]:
        return [f"b{v}" for v in range(1, self.n_cat)] + [f"{i}.c" for i in items[1:]]

    def item_parameter_count(self, item: int) -> int:
        """Parameters mirt counts for the item in S-X2's df (its b's and its c)."""
        return (self.n_cat - 1) + int(item > 0)


@dataclass(frozen=True)
class GradedRatingScale:
    """mirt's ``grsm``: ``d_ik = a_i (b_k + c_i)`` (free item parameters: a_i, d_i1 ..)."""

    n_items: int
    n_cat: int
    kind: str = "grsm"

    @property
    def n_phi(self) -> int:
        return self.n_items + (self.n_cat - 1) + (self.n_items - 1)

    def _split(self, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        j, k = self.n_items, self.n_cat
        return phi[:j], phi[j: j + k - 1], np.r_[0.0, phi[j + k - 1:]]

    def full(self, phi: np.ndarray) -> np.ndarray:
        a, b, c = self._split(phi)
        d = a[:, None] * (b[None, :] + c[:, None])
        return np.column_stack([a, d]).ravel()

    def phi(self, full: np.ndarray) -> np.ndarray:
        k = self.n_cat
        table = full.reshape(self.n_items, k)
        a = table[:, 0]
        ratio = (table[:, 1:] / a[:, None]).ravel()  # b_k + c_i
        design = np.zeros((ratio.size, (k - 1) + (self.n_items - 1)))
        for i in range(self.n_items):
            rows = i * (k - 1) + np.arange(k - 1)
            design[rows, np.arange(k - 1)] = 1.0
            if i > 0:
                design[rows, (k - 1) + i - 1] = 1.0
        rest = np.linalg.lstsq(design, ratio, rcond=None)[0]
        return np.r_[a, rest]

    def _position(self, item: int, par: int) -> int:
        return item * self.n_cat + par

    def jacobian(self, phi: np.ndarray) -> np.ndarray:
        a, b, c = self._split(phi)
        j, k = self.n_items, self.n_cat
        out = np.zeros((j * k, self.n_phi))
        for i in range(j):
            out[self._position(i, 0), i] = 1.0
            for step in range(1, k):
                row = self._position(i, step)
                out[row, i] = b[step - 1] + c[i]
                out[row, j + step - 1] = a[i]
                if i > 0:
                    out[row, j + (k - 1) + i - 1] = a[i]
        return out

    def curvature(self, phi: np.ndarray, grad: np.ndarray) -> np.ndarray:
        j, k = self.n_items, self.n_cat
        out = np.zeros((self.n_phi, self.n_phi))
        for i in range(j):
            for step in range(1, k):
                g = grad[self._position(i, step)]
                col_b = j + step - 1
                out[i, col_b] += g
                out[col_b, i] += g
                if i > 0:
                    col_c = j + (k - 1) + i - 1
                    out[i, col_c] += g
                    out[col_c, i] += g
        return out

    def classical(self, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self._split(phi)

    def names(self, items: tuple[str, ...]) -> list[str]:
        return ([f"{i}.a1" for i in items] + [f"b{v}" for v in range(1, self.n_cat)]
                + [f"{i}.c" for i in items[1:]])

    def item_parameter_count(self, item: int) -> int:
        return 1 + (self.n_cat - 1) + int(item > 0)


@dataclass(frozen=True)
class Equal:
    """mirt's ``constrain``: groups of free item parameters held equal (linear: the free
    parameters are ``design @ phi``, one ``phi`` per group or unconstrained parameter)."""

    design: np.ndarray  # free parameters x phi
    labels: tuple[str, ...]  # a name per phi (the first of its group)
    counts: tuple[int, ...]  # free parameters per item (S-X2's df)
    kind: str = "equal"

    @property
    def n_phi(self) -> int:
        return self.design.shape[1]

    def full(self, phi: np.ndarray) -> np.ndarray:
        return self.design @ phi

    def phi(self, full: np.ndarray) -> np.ndarray:
        return np.linalg.lstsq(self.design, full, rcond=None)[0]

    def jacobian(self, phi: np.ndarray) -> np.ndarray:
        return self.design

    def curvature(self, phi: np.ndarray, grad: np.ndarray) -> np.ndarray:
        return np.zeros((self.n_phi, self.n_phi))

    def names(self, items: tuple[str, ...]) -> list[str]:
        return list(self.labels)

    def item_parameter_count(self, item: int) -> int:
        return self.counts[item]


def equal_constraint(groups: list[list[int]], names: list[str], counts: tuple[int, ...]
                     ) -> Equal:
    """Equality constraint from groups of positions in the free-parameter vector."""
    n = len(names)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for group in groups:
        for other in group[1:]:
            a, b = root(group[0]), root(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    roots = sorted({root(i) for i in range(n)})
    column = {r: c for c, r in enumerate(roots)}
    design = np.zeros((n, len(roots)))
    for i in range(n):
        design[i, column[root(i)]] = 1.0
    return Equal(design, tuple(names[r] for r in roots), counts)
