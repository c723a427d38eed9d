"""Priors on item parameters for MAP estimation, as mirt's ``parprior`` / ``PRIOR``: a
normal prior ``N(mean, sd)`` (``"norm"``) or a lognormal ``logN(meanlog, sdlog)``
(``"lnorm"``, positive parameters only: slopes of items keyed positively) on any item
parameter. The EM M-step maximises the expected complete-data log-likelihood plus the log
prior (a posterior mode); the information adds minus the prior's Hessian; the reported
log-likelihood is the marginal one without the prior, as mirt's ``logLik``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ...errors import AnalysisError, OptionError

__all__: list[str] = []

KINDS = {"norm": 1, "lnorm": 2}


@dataclass(frozen=True)
class Prior:
    """Per parameter (items x parameter columns): kind (0 none, 1 normal, 2 lognormal),
    its two constants (mean, sd or meanlog, sdlog)."""

    kind: np.ndarray
    first: np.ndarray
    second: np.ndarray

    def take(self, rows: np.ndarray, cols: Sequence[int]) -> Prior:
        index = np.ix_(rows, list(cols))
        return Prior(self.kind[index], self.first[index], self.second[index])

    def terms(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Log density, its gradient and its (diagonal) Hessian, elementwise (0 where no
        prior; -inf log density for a nonpositive value under a lognormal)."""
        kind, m, s = self.kind, self.first, self.second
        logd = np.zeros(values.shape)
        grad = np.zeros(values.shape)
        hess = np.zeros(values.shape)
        normal = kind == 1
        z = np.where(normal, (values - m) / np.where(normal, s, 1.0), 0.0)
        logd = np.where(normal, -0.5 * z**2, logd)
        grad = np.where(normal, -z / np.where(normal, s, 1.0), grad)
        hess = np.where(normal, -1.0 / np.where(normal, s, 1.0) ** 2, hess)
        lognormal = kind == 2
        if lognormal.any():
            positive = lognormal & (values > 0)
            x = np.where(positive, values, 1.0)
            ss = np.where(lognormal, s, 1.0)
            u = (np.log(x) - m) / ss**2
            logd = np.where(positive, -np.log(x) - 0.5 * (np.log(x) - m) ** 2 / ss**2, logd)
            logd = np.where(lognormal & ~positive, -np.inf, logd)
            grad = np.where(positive, -1.0 / x - u / x, grad)
            hess = np.where(positive, (1.0 - (1.0 - (np.log(x) - m)) / ss**2) / x**2, hess)
        return logd, grad, hess


def parse_priors(priors: Mapping[str, Sequence[object]], items: tuple[str, ...],
                 labels: Sequence[str], n_par: np.ndarray) -> Prior:
    """``{"a1": ("lnorm", 0.2, 0.2), "Item_1.d1": ("norm", 4, 1), "d": ("norm", 0, 2)}``:
    keys are a parameter label (every item's; ``"d"`` means every intercept) or
    ``item.label`` (one item's); values a distribution name and its two constants."""
    if not isinstance(priors, Mapping):
        raise OptionError("priors must be a mapping: parameter -> (distribution, value, value)")
    shape = (len(items), len(labels))
    kind = np.zeros(shape, dtype=np.int64)
    first = np.zeros(shape)
    second = np.ones(shape)
    exists = np.arange(len(labels))[None, :] < n_par[:, None]
    for key, spec in priors.items():
        if (not isinstance(spec, Sequence) or isinstance(spec, str) or len(spec) != 3
                or spec[0] not in KINDS):
            raise OptionError(f"prior {key!r}: give (distribution, value, value) with "
                              f"distribution one of {sorted(KINDS)}; got {spec!r}")
        try:
            a, b = float(spec[1]), float(spec[2])
        except (TypeError, ValueError):
            raise OptionError(f"prior {key!r}: its constants must be numbers") from None
        if not (np.isfinite(a) and np.isfinite(b) and b > 0):
            raise OptionError(f"prior {key!r}: the second constant (an SD) must be positive")
        item, _, label = str(key).rpartition(".")
        rows = np.arange(len(items)) if not item else None
        if item:
            if item not in items:
                raise OptionError(f"prior {key!r}: no item {item!r} in the data")
            rows = np.array([items.index(item)])
        if label == "d":
            cols = [c for c, name in enumerate(labels) if name.startswith("d")]
        elif label in labels:
            cols = [labels.index(label)]
        else:
            raise OptionError(f"prior {key!r}: no parameter {label!r} (parameters: "
                              + ", ".join(labels) + ', or "d" for every intercept)')
        for c in cols:
            take = rows[exists[rows, c]]
            kind[take, c] = KINDS[str(spec[0])]
            first[take, c] = a
            second[take, c] = b
    return Prior(kind, first, second)


def check_lognormal_signs(prior: Prior, pars: np.ndarray, items: tuple[str, ...]) -> None:
    """A lognormal prior on a negative starting slope would flip a reverse-keyed item."""
    bad = (prior.kind == 2) & ~(pars[:, : prior.kind.shape[1]] > 0)
    rows = sorted({items[j] for j in np.nonzero(bad)[0]})
    if rows:
        raise AnalysisError(
            "a lognormal prior needs a positive parameter, but the item(s) "
            + ", ".join(map(repr, rows)) + " start negative (reverse-keyed): reverse-key "
            "them first or use a normal prior on their slope")
