"""The result of :func:`~alliance_scale.irt_multigroup`: per-group coefficients, latent
means and variances, fit summaries, EAP scores and expected item scores."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import check_flag
from ..._results import Report, Result, format_number, format_table, result
from ...errors import OptionError
from .._blas import single_threaded_blas
from ._data import collapse, one_hot
from ._engine import estep, grid, log_prob_table
from ._models import probabilities

__all__ = ["MultiGroupIRTResult"]

#: mirt's ``fscores`` integrates EAP over 121 points on [-6, 6] for one dimension
#: (R/fscores.R:87), finer than the 61 of estimation.
FSCORES_QUADPTS = 121


def log_normal_prior(theta: np.ndarray, mean: float, var: float) -> np.ndarray:
    """Log weights of ``N(mean, var)`` normalised over the grid (mirt's ``Prior``)."""
    logw = -0.5 * (theta - mean) ** 2 / var
    logw -= logw.max()
    return logw - np.log(np.exp(logw).sum())


@result
class MultiGroupIRTResult(Result):
    """A multiple-group IRT model fitted by :func:`~alliance_scale.irt_multigroup`.

    Attributes
    ----------
    model : str
        ``"graded"``, ``"2PL"``, ``"gpcm"`` or ``"Rasch"``.
    items : tuple of str
        Item names.
    groups : tuple of str
        Group names; the first is the reference group (latent mean 0, variance 1).
    categories : tuple of tuple of float
        Answer values of each item (over all groups), coded 0 .. K-1 in that order.
    invariance : tuple of str
        The constraints asked for (mirt's vocabulary).
    loglik : float
        Marginal log-likelihood (sum over groups).
    n_obs : tuple of int
        Respondents per group.
    n_parameters : int
        Estimated parameters (a parameter shared by the groups counts once).
    means, variances : tuple of float
        Latent mean and variance of each group.
    iterations : int
        EM cycles.
    converged : bool
        Every parameter changed by less than ``tol`` in the last EM cycle.
    tol : float
        Convergence tolerance.
    se_type : str or None
        ``"oakes"`` or ``"crossprod"`` (None: no standard errors).
    vcov : DataFrame or None
        Covariance of the estimated parameters (``item.a1`` for a shared parameter,
        ``group.item.a1`` for a group-specific one, ``group.MEAN_1``, ``group.COV_11``).

    Examples
    --------
    >>> import numpy as np
    >>> import alliance_scale as als
    >>> data = als.simulate_irt([1.2, 1.0, 1.4, 0.8], [[1.0, -0.5]] * 4, n=400, seed=2)
    >>> fit = als.irt_multigroup(data, np.repeat(["a", "b"], 200), se=None)
    >>> fit.n_parameters  # 4 items x 3 parameters x 2 groups
    24
    """

    model: str
    items: tuple[str, ...]
    groups: tuple[str, ...]
    categories: tuple[tuple[float, ...], ...]
    invariance: tuple[str, ...]
    loglik: float
    n_obs: tuple[int, ...]
    n_parameters: int
    means: tuple[float, ...]
    variances: tuple[float, ...]
    iterations: int
    converged: bool
    tol: float
    se_type: str | None
    vcov: pd.DataFrame | None
    _structure: Any
    _pars: np.ndarray  # groups x items x k_max
    _codes: np.ndarray
    _group_codes: np.ndarray
    _index: pd.Index

    # ------------------------------------------------------------------ fit summaries
    @property
    def aic(self) -> float:
        """Akaike's information criterion, ``-2 loglik + 2 n_parameters``."""
        return -2 * self.loglik + 2 * self.n_parameters

    @property
    def bic(self) -> float:
        """Schwarz's criterion, ``-2 loglik + log(N) n_parameters`` (N over all groups)."""
        return -2 * self.loglik + math.log(sum(self.n_obs)) * self.n_parameters

    @property
    def df(self) -> int:
        """mirt's degrees of freedom: groups x (possible patterns - 1) - parameters."""
        patterns = int(np.prod([len(c) for c in self.categories], dtype=float))
        return len(self.groups) * (patterns - 1) - self.n_parameters

    def _group(self, group: Any) -> int:
        if group not in self.groups:
            raise OptionError(f"group must be one of {', '.join(map(repr, self.groups))}; "
                              f"got {group!r}")
        return self.groups.index(group)

    # ------------------------------------------------------------------ parameters
    def _se(self) -> np.ndarray | None:
        if self.vcov is None:
            return None
        st = self._structure
        sd = np.sqrt(np.clip(np.diag(self.vcov.to_numpy()), 0, None))
        out = np.full(self._pars.shape, np.nan)
        mask = st.index >= 0
        out[mask] = sd[st.index[mask]]
        return out

    def coef(self, se: bool = True) -> pd.DataFrame:
        """Item parameters of every group, mirt's ``coef(fit, simplify = TRUE)`` stacked.

        Parameters
        ----------
        se : bool, default True
            Add ``SE_<par>`` columns when standard errors were computed.

        Returns
        -------
        DataFrame
            Rows (group, item); columns ``a1``, ``d1`` ... (slope-intercept form).

        Examples
        --------
        >>> import numpy as np
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.2, 1.0, 1.4, 0.8], [[1.0, -0.5]] * 4, n=400, seed=2)
        >>> fit = als.irt_multigroup(data, np.repeat(["a", "b"], 200), invariance=["slopes"])
        >>> fit.coef().loc["b", "a1"].round(2).tolist()
        [1.47, 1.1, 1.09, 0.91]
        """
        check_flag("se", se)
        k_max = self._pars.shape[2]
        names = ["a1"] + [f"d{k}" for k in range(1, k_max)]
        index = pd.MultiIndex.from_product([self.groups, self.items], names=["group", "item"])
        table = pd.DataFrame(self._pars.reshape(-1, k_max), index=index, columns=names)
        ses = self._se() if se else None
        if ses is not None:
            for p, name in enumerate(names):
                table[f"SE_{name}"] = ses[:, :, p].ravel()
        return table

    def latent(self) -> pd.DataFrame:
        """Latent mean and variance of each group with standard errors (NaN where fixed).

        Examples
        --------
        >>> import numpy as np
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.2, 1.0, 1.4, 0.8], [[1.0, -0.5]] * 4, n=400, seed=2)
        >>> fit = als.irt_multigroup(data, np.repeat(["a", "b"], 200),
        ...                          invariance=["slopes", "intercepts", "free_means"])
        >>> fit.latent().columns.tolist()
        ['mean', 'SE_mean', 'var', 'SE_var']
        """
        st = self._structure
        sd = (np.sqrt(np.clip(np.diag(self.vcov.to_numpy()), 0, None))
              if self.vcov is not None else None)

        def se_of(at: np.ndarray) -> list[float]:
            if sd is None:
                return [np.nan] * len(at)
            return [float(sd[a]) if a >= 0 else np.nan for a in at]

        return pd.DataFrame({"mean": self.means, "SE_mean": se_of(st.mean_at),
                             "var": self.variances, "SE_var": se_of(st.var_at)},
                            index=pd.Index(self.groups, name="group"))

    # ------------------------------------------------------------------ curves, scores
    def expected_item(self, theta: Any = None, group: Any = None) -> pd.DataFrame:
        """Expected answer to each item in a group (mirt's ``expected.item``, on the data's
        scale: lowest value + sum_k k P_k).

        Parameters
        ----------
        theta : float or sequence of float, optional
            Trait values (default: the 61 quadrature points on [-6, 6]).
        group : str, optional
            Group whose item parameters are used (default: the reference group).

        Examples
        --------
        >>> import numpy as np
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.2, 1.0, 1.4, 0.8], [[1.0, -0.5]] * 4, n=400, seed=2)
        >>> fit = als.irt_multigroup(data, np.repeat(["a", "b"], 200), se=None)
        >>> fit.expected_item([0.0], group="b").shape
        (1, 4)
        """
        g = 0 if group is None else self._group(group)
        at = grid() if theta is None else np.atleast_1d(np.asarray(theta, dtype=float))
        spec = self._structure.spec
        values = {}
        for j, item in enumerate(self.items):
            k = int(spec.n_cat[j])
            prob = probabilities(spec.models[j], self._pars[g, j: j + 1, :k], at)[0]
            values[item] = np.arange(k) @ prob + self.categories[j][0]
        return pd.DataFrame(values, index=pd.Index(at, name="theta"))

    def scores(self) -> pd.DataFrame:
        """EAP trait estimates and posterior SDs, each respondent under their group's
        parameters and latent density (mirt's ``fscores(fit)``: 121 points on [-6, 6]).

        Returns
        -------
        DataFrame
            Columns ``group``, ``theta``, ``se``; the data's index, order unchanged.

        Examples
        --------
        >>> import numpy as np
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.2, 1.0, 1.4, 0.8], [[1.0, -0.5]] * 4, n=400, seed=2)
        >>> fit = als.irt_multigroup(data, np.repeat(["a", "b"], 200), se=None)
        >>> fit.scores().shape
        (400, 3)
        """
        spec = self._structure.spec
        theta = grid(FSCORES_QUADPTS)
        out_theta = np.empty(len(self._codes))
        out_se = np.empty(len(self._codes))
        with single_threaded_blas():
            for g in range(len(self.groups)):
                rows = np.flatnonzero(self._group_codes == g)
                pat = collapse(self._codes[rows])
                step = estep(one_hot(pat.codes, spec.offsets, spec.n_columns), pat.counts,
                             log_prob_table(spec, self._pars[g], theta),
                             log_normal_prior(theta, self.means[g], self.variances[g]))
                m = step.posterior @ theta
                v = step.posterior @ theta**2 - m**2
                out_theta[rows] = m[pat.inverse]
                out_se[rows] = np.sqrt(np.clip(v, 0, None))[pat.inverse]
        return pd.DataFrame({"group": np.asarray(self.groups, dtype=object)[self._group_codes],
                             "theta": out_theta, "se": out_se}, index=self._index)

    # ------------------------------------------------------------------ output
    def to_frame(self) -> pd.DataFrame:
        """The coefficients of every group with standard errors: :meth:`coef`.

        Examples
        --------
        >>> import numpy as np
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.2, 1.0, 1.4, 0.8], [[1.0, -0.5]] * 4, n=400, seed=2)
        >>> als.irt_multigroup(data, np.repeat(["a", "b"], 200)).to_frame().shape
        (8, 6)
        """
        return self.coef()

    def _report(self) -> Report:
        status = (f"Converged within {self.tol:g} tolerance after {self.iterations} EM iterations."
                  if self.converged else
                  f"NOT converged within {self.tol:g} after {self.iterations} EM iterations.")
        lines = [
            f"Model: {self.model} (unidimensional, logistic; mirt's slope-intercept form)",
            f"{len(self.items)} items; groups: "
            + ", ".join(f"{g} (n = {n})" for g, n in zip(self.groups, self.n_obs, strict=True))
            + f"; reference group {self.groups[0]!r}",
            "Invariance: " + (", ".join(self.invariance) if self.invariance
                              else "none (configural)"),
            status,
            "Quadrature: 61 points on [-6, 6]; latent density Gaussian per group",
            "Information matrix: " + {"oakes": "Oakes (observed information)",
                                      "crossprod": "cross-product"}.get(self.se_type or "",
                                                                          "not computed"),
            "",
            f"Log-likelihood = {self.loglik:.3f}",
            f"Estimated parameters: {self.n_parameters}",
            f"AIC = {self.aic:.3f}",
            f"BIC = {self.bic:.3f}",
            "",
            "Latent means and variances:",
        ]
        blocks: list[str | pd.DataFrame] = ["\n".join(lines), format_table(self.latent()), ""]
        coef = self.coef()
        for g in self.groups:
            blocks += [f"Group {g}:", format_table(coef.loc[g]), ""]
        return Report(f"Multiple-group IRT: {self.model} model (mirt)", tuple(blocks),
                      max_rows=None)

    def _summary(self) -> dict[str, Any]:
        return {"loglik": self.loglik, "aic": self.aic, "bic": self.bic,
                "groups": ", ".join(self.groups), "converged": format_number(self.converged)}

