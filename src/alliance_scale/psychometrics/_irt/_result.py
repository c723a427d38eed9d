"""The result of :func:`~alliance_scale.irt`: mirt's coefficients, scores and curves."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import check_choice, check_flag, check_frame, check_number
from ..._results import Report, Result, format_number, format_table, result
from ...errors import AnalysisError, OptionError
from .._blas import single_threaded_blas
from ._engine import Spec, grid
from ._models import ScoredGPCM, information, probabilities
from ._scores import modal_scores, posterior_moments, sum_score_table

__all__ = ["IRTResult"]

SCORE_METHODS = ("EAP", "MAP", "ML", "WLE", "EAPsum")


def _theta(theta: Any) -> np.ndarray:
    if theta is None:
        return grid()
    values = np.atleast_1d(np.asarray(theta, dtype=float))
    if values.ndim != 1 or not np.all(np.isfinite(values)):
        raise OptionError("theta must be a finite number or a 1-D sequence of numbers")
    return values


@result
class IRTResult(Result):
    """A unidimensional IRT model fitted by :func:`~alliance_scale.irt` (mirt's numbers).

    Attributes
    ----------
    model : str
        The model asked for (``"graded"``, ``"2PL"``, ``"gpcm"``, ``"Rasch"``).
    items : tuple of str
        Item names, in the order of the data.
    categories : tuple of tuple of float
        Answer values observed for each item (coded 0 .. K-1 in that order).
    loglik : float
        Marginal log-likelihood at the estimates.
    n_obs : int
        Respondents.
    n_parameters : int
        Estimated parameters (item parameters, plus the latent variance of Rasch models).
    variance : float
        Latent variance (1 fixed, except for ``"Rasch"`` / ``"pcm"`` where it is estimated).
    iterations : int
        EM cycles.
    converged : bool
        Every parameter changed by less than ``tol`` in the last EM cycle.
    tol : float
        Convergence tolerance.
    se_type : str or None
        How standard errors were computed (``"oakes"``, ``"crossprod"``, ``"sandwich"``).
    vcov : DataFrame or None
        Covariance of the estimated parameters (rows and columns ``item.a1``, ``item.d1``,
        ..., ``COV_11``; multidimensional: ``COV_21`` ... for the correlations).
    factors : tuple of str
        Names of the latent dimensions (``("F1",)`` for a unidimensional model).
    latent_corr : ndarray or None
        Estimated correlations of the factors (multidimensional models; the identity for an
        exploratory model, whose factors are orthogonal until rotated).
    exploratory : bool
        An exploratory model (``irt(data, factors=k)``, mirt's ``mirt(data, k)``): its
        loadings can be rotated (:meth:`loadings`, ``coef(rotate=)``, ``scores(rotate=)``).

    Examples
    --------
    >>> import alliance_scale as als
    >>> data = als.simulate_irt([1.5, 1.2, -1.0, 1.3, 0.9], [[2, 0.5, -1]] * 5, n=400, seed=3)
    >>> fit = als.irt(data, model="graded")
    >>> fit.coef().round(1).iloc[:2, :2]
         a1   d1
    q1  1.5  1.9
    q2  1.3  2.2
    """

    model: str
    items: tuple[str, ...]
    categories: tuple[tuple[float, ...], ...]
    loglik: float
    n_obs: int
    n_parameters: int
    variance: float
    iterations: int
    converged: bool
    tol: float
    se_type: str | None
    #: The covariance of the estimates: a DataFrame, or a matrix whose DataFrame (named by
    #: ``_vcov_names()``) :attr:`vcov` makes when first asked for (coefficients and SEs
    #: need only the matrix).
    _vcov: np.ndarray | pd.DataFrame | None
    _spec: Spec
    _pars: np.ndarray
    _codes: np.ndarray
    _index: pd.Index
    _counts: np.ndarray  # respondents per distinct pattern
    _pattern_codes: np.ndarray
    factors: tuple[str, ...] = ("F1",)
    latent_corr: np.ndarray | None = None
    _grid: Any = None  # the multidimensional model's integration nodes
    exploratory: bool = False
    _vcov_names: Any = None  # () -> the parameters' names, when _vcov is a matrix

    @property
    def vcov(self) -> pd.DataFrame | None:
        """Covariance of the estimated parameters (rows and columns ``item.a1``,
        ``item.d1``, ..., ``COV_11``; multidimensional: ``COV_21`` ... for the
        correlations); None without standard errors."""
        value = self._vcov
        if value is None or isinstance(value, pd.DataFrame):
            return value
        names = pd.Index(self._vcov_names())
        frame = pd.DataFrame(value, index=names, columns=names)
        object.__setattr__(self, "_vcov", frame)  # made once
        return frame

    def _vcov_array(self) -> np.ndarray:
        """The covariance matrix of the estimated parameters (standard errors given)."""
        value = self._vcov
        return value.to_numpy() if isinstance(value, pd.DataFrame) else value

    @property
    def n_factors(self) -> int:
        """Number of latent dimensions."""
        return len(self.factors)

    def _unidimensional(self, what: str) -> None:
        if self.n_factors > 1:
            raise AnalysisError(f"{what} is available for unidimensional models only (this one "
                                f"has {self.n_factors} factors: {', '.join(self.factors)})")

    # ------------------------------------------------------------------ fit summaries
    @property
    def aic(self) -> float:
        """Akaike's information criterion, ``-2 loglik + 2 n_parameters``."""
        return -2 * self.loglik + 2 * self.n_parameters

    @property
    def bic(self) -> float:
        """Schwarz's criterion, ``-2 loglik + log(n_obs) n_parameters``."""
        return -2 * self.loglik + math.log(self.n_obs) * self.n_parameters

    @property
    def df(self) -> int:
        """mirt's degrees of freedom: possible response patterns - 1 - parameters."""
        return int(np.prod([len(c) for c in self.categories], dtype=float)) - 1 - self.n_parameters

    # ------------------------------------------------------------------ parameters
    def _names(self) -> list[str]:
        return ["a1"] + [f"d{k}" for k in range(1, self._spec.k_max)]

    def _se_matrix(self) -> np.ndarray | None:
        """Items x k_max standard errors (NaN where fixed or no SEs)."""
        if self._vcov is None:
            return None
        se = np.full(self._pars.shape, np.nan)
        diag = np.sqrt(np.clip(np.diag(self._full_vcov()), 0, None))
        n = int(self._spec.free.sum())
        se[self._spec.free] = diag[:n]
        return se

    def _full_vcov(self) -> np.ndarray:
        """Covariance of the free item parameters (and variance), constraints expanded."""
        jac = self._spec.expand(self._spec.phi(self._pars))
        return jac @ self._vcov_array() @ jac.T

    def _rating_scale_coef(self, se: bool) -> pd.DataFrame:
        """mirt's rsm / grsm in their classical form: slopes, shared b_1 .., item c."""
        spec = self._spec
        constraint = spec.constraint
        a, steps, c = constraint.classical(spec.phi(self._pars))
        k = constraint.n_cat
        table = pd.DataFrame({"a": a, **{f"b{v + 1}": steps[v] for v in range(k - 1)},
                              "c": c}, index=list(self.items))
        if se and self.vcov is not None:
            sd = pd.Series(np.sqrt(np.clip(np.diag(self.vcov.to_numpy()), 0, None)),
                           index=self.vcov.index)
            table["SE_a"] = [sd.get(f"{i}.a1", np.nan) for i in self.items]
            for v in range(k - 1):
                table[f"SE_b{v + 1}"] = sd[f"b{v + 1}"]
            table["SE_c"] = [sd.get(f"{i}.c", np.nan) for i in self.items]
        return table

    def coef(self, irt_pars: bool = False, se: bool = True, rotate: str = "none"
             ) -> pd.DataFrame:
        """Item parameters, as mirt's ``coef(fit, simplify = TRUE)``, with standard errors.

        Parameters
        ----------
        irt_pars : bool, default False
            False: mirt's slope-intercept form (``a1``, ``d1`` ...; for gpcm / Rasch ``d0 =
            0`` is not shown). True: the classical form of ``coef(..., IRTpars = TRUE)``:
            ``a`` and ``b1`` ... (graded ``b_k = -d_k / a``; gpcm / partial credit
            ``b_k = -(d_k - d_{k-1}) / a``), standard errors by the delta method; for the
            rating scale models mirt's form: slope ``a``, shared ``b1`` ..., item ``c``.
        se : bool, default True
            Add columns ``SE_<par>`` when standard errors were computed.
        rotate : str, default "none"
            An exploratory model's slopes rotated as mirt's ``coef(fit, rotate = )``: the
            standardized loadings (:meth:`loadings`) rotated, converted back to slopes
            ``1.702 f / sqrt(1 - h2)``; the factor correlations (``attrs["latent_corr"]``)
            become the rotation's; no standard errors. One of ``"none"``, ``"oblimin"``,
            ``"quartimin"``, ``"varimax"``, ``"quartimax"``, ``"geominT"``, ``"geominQ"``,
            ``"bentlerT"``, ``"bentlerQ"``, ``"promax"``.

        Returns
        -------
        DataFrame
            One row per item.

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.5, 1.2, -1.0, 1.3, 0.9], [[2, 0.5, -1]] * 5, n=400, seed=3)
        >>> fit = als.irt(data, model="graded")
        >>> fit.coef(irt_pars=True).round(2).iloc[:2, :3]
               a    b1    b2
        q1  1.47 -1.32 -0.37
        q2  1.31 -1.67 -0.48
        """
        check_flag("irt_pars", irt_pars)
        check_flag("se", se)
        pars, corr = self._rotated(rotate)
        if self.n_factors > 1:
            if irt_pars:
                raise OptionError("irt_pars is for unidimensional models (as mirt's IRTpars)")
            return self._multidim_coef(se and rotate == "none", pars, corr)
        if irt_pars and getattr(self._spec.constraint, "kind", "") in ("rsm", "grsm"):
            return self._rating_scale_coef(se)
        pars = self._pars
        ses = self._se_matrix() if se else None
        names = self._names()
        if irt_pars:
            scored = [i for i, m in zip(self.items, self._spec.models, strict=True)
                      if isinstance(m, ScoredGPCM)]
            if scored:
                raise OptionError("irt_pars: the classical b_k = -(d_k - d_{k-1}) / a assumes "
                                  "the scores 0 .. K-1; item(s) " + ", ".join(map(repr, scored))
                                  + " have gpcm_mats scores (use the slope-intercept form)")
            pars, ses = self._classical(ses is not None)
            names = ["a"] + [f"b{k}" for k in range(1, self._spec.k_max)]
        table = pd.DataFrame(pars, index=list(self.items), columns=names)
        if ses is not None:
            for j, name in enumerate(names):
                table[f"SE_{name}"] = ses[:, j]
        return table

    def _multidim_coef(self, se: bool, pars: np.ndarray, corr: np.ndarray) -> pd.DataFrame:
        """mirt's ``coef(simplify = TRUE)$items`` of a multidimensional model: ``a1`` ..
        (0 where the item does not load), ``d1`` ...; the correlations in ``attrs``."""
        spec = self._spec
        dims = self.n_factors
        names = [f"a{f + 1}" for f in range(dims)] + [f"d{k}" for k in range(1, spec.k_max)]
        values = pars.copy()
        for j in range(len(self.items)):
            values[j, dims + int(spec.n_cat[j]) - 1:] = np.nan
        table = pd.DataFrame(values, index=list(self.items), columns=names)
        if se and self.vcov is not None:
            sd = pd.Series(np.sqrt(np.clip(np.diag(self.vcov.to_numpy()), 0, None)),
                           index=self.vcov.index)
            for name in names:
                table[f"SE_{name}"] = [sd.get(f"{item}.{name}", np.nan) for item in self.items]
        table.attrs["latent_corr"] = pd.DataFrame(corr, index=list(self.factors),
                                                  columns=list(self.factors))
        return table

    # ------------------------------------------------------------------ rotation
    def _standardized(self) -> np.ndarray:
        """mirt's ``Lambdas``: ``f = (a / 1.702) / sqrt(1 + sum (a / 1.702)^2)`` (unit factor
        variances), items x factors."""
        scaled = self._pars[:, : self.n_factors] / 1.702
        if self.n_factors == 1:  # an estimated latent variance (Rasch) scales the slopes
            scaled = scaled * np.sqrt(self.variance)
        return scaled / np.sqrt(1 + np.sum(scaled**2, axis=1, keepdims=True))

    def _rotated(self, rotate: str | None) -> tuple[np.ndarray, np.ndarray | None]:
        """Item parameters and factor correlations under ``rotate`` (mirt's
        ``rotateLambdas``: rotated loadings back to slopes ``1.702 f / sqrt(1 - h2)`` with
        the unrotated communalities ``h2``, intercepts unchanged)."""
        if not self.exploratory:
            if rotate not in (None, "none"):
                raise OptionError(f"rotate={rotate!r}: only an exploratory model "
                                  "(irt(data, factors=<int>)) can be rotated")
            return self._pars, self.latent_corr
        from .._factor._rotation import mirt_rotate

        standardized = self._standardized()
        rotated, phi = mirt_rotate(standardized, "none" if rotate is None else rotate)
        h2 = np.sum(standardized**2, axis=1, keepdims=True)
        pars = self._pars.copy()
        pars[:, : self.n_factors] = rotated / np.sqrt(1 - h2) * 1.702
        return pars, np.eye(self.n_factors) if phi is None else phi

    def loadings(self, rotate: str | None = None) -> pd.DataFrame:
        """Standardized factor loadings and communalities, as mirt's ``summary(fit)`` (with
        ``rotate =`` for an exploratory model).

        The slopes in the normal-ogive metric, ``a / 1.702`` (times the latent SD when the
        latent variance is estimated, as for the Rasch model), divided by ``sqrt(1 + sum
        (a / 1.702)^2)``: the loadings of the equivalent factor model of latent responses
        (Takane & de Leeuw 1987), comparable with an ordinal CFA's standardized loadings
        (tests/psychometrics/test_irt_agreement.py: r = 0.992 with lavaan's WLSMV on three
        data sets); mirt's ``Lambdas``, which leaves the factor correlations out of the
        norm. An exploratory model's loadings are rotated by GPArotation's criterion
        (mirt's ``Rotate``).

        Parameters
        ----------
        rotate : str, optional
            As in :meth:`coef`: for an exploratory model the default is oblimin (mirt's
            ``summary`` default; ``"none"``: the unrotated loadings); other models are not
            rotated (``"none"``, the default).

        Returns
        -------
        DataFrame
            Items x factors, and ``h2`` (communality of the unrotated loadings, invariant
            under rotation); ``attrs["rotation"]`` and ``attrs["phi"]`` (factor
            correlations: the identity for an orthogonal rotation, the estimated ones of a
            confirmatory model).

        Raises
        ------
        OptionError
            A rotation of a model that is not exploratory; items scored as partial credit
            (gpcm, Rasch / PCM with more than two categories: mirt rescales their slopes by
            their category scores, which is not done here).

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([[1.5, 0], [1.5, 0], [1.5, 0], [0, 1.5], [0, 1.5],
        ...                          [0, 1.5]], [[1, -1]] * 6, n=1000, seed=2)
        >>> fit = als.irt(data, factors=2, se=None)
        >>> table = fit.loadings("oblimin")
        >>> bool(((table[["F1", "F2"]].abs() > 0.5).sum(axis=1) == 1).all())  # simple structure
        True
        >>> one = als.irt(data[["q1", "q2", "q3"]], se=None).loadings()  # in R: summary(fit)
        >>> bool(one["F1"].between(0.5, 0.9).all())  # a = 1.5: 0.88 / sqrt(1 + 0.88^2) = 0.66
        True
        """
        if rotate is None:
            rotate = "oblimin" if self.exploratory else "none"
        if not self.exploratory and rotate != "none":
            raise OptionError(f"rotate={rotate!r}: only an exploratory model "
                              "(irt(data, factors=<int>)) can be rotated")
        partial = [item for item, model, k in zip(
            self.items, self._spec.models, self._spec.n_cat, strict=True)
            if model != "graded" and k > 2]
        if partial:
            raise OptionError("loadings() is for graded and binary items; "
                              + ", ".join(map(repr, partial)) + " are partial-credit items")
        standardized = self._standardized()
        phi = None
        if self.exploratory:
            from .._factor._rotation import mirt_rotate

            rotated, phi = mirt_rotate(standardized, rotate)
        else:
            rotated, phi = standardized, self.latent_corr
        table = pd.DataFrame(rotated, index=list(self.items), columns=list(self.factors))
        table["h2"] = np.sum(standardized**2, axis=1)
        table.attrs["rotation"] = rotate
        table.attrs["phi"] = pd.DataFrame(np.eye(self.n_factors) if phi is None else phi,
                                          index=list(self.factors), columns=list(self.factors))
        return table

    def _classical(self, with_se: bool) -> tuple[np.ndarray, np.ndarray | None]:
        spec = self._spec
        out = np.full(self._pars.shape, np.nan)
        ses = np.full(self._pars.shape, np.nan) if with_se else None
        vcov = self._full_vcov() if with_se and self._vcov is not None else None
        positions = np.flatnonzero(spec.free.ravel())
        for j in range(len(self.items)):
            k = int(spec.n_cat[j])
            a = self._pars[j, 0]
            d = self._pars[j, 1:k]
            jac = np.zeros((k, k))  # d(classical) / d(slope-intercept), all k parameters
            jac[0, 0] = 1.0
            if spec.models[j] == "graded":
                b = -d / a
                for m in range(1, k):
                    jac[m, 0] = d[m - 1] / a**2
                    jac[m, m] = -1.0 / a
            else:
                steps = np.diff(np.concatenate([[0.0], d]))
                b = -steps / a
                for m in range(1, k):
                    jac[m, 0] = steps[m - 1] / a**2
                    jac[m, m] = -1.0 / a
                    if m > 1:
                        jac[m, m - 1] = 1.0 / a
            out[j, 0] = a
            out[j, 1:k] = b
            if vcov is not None:
                flat = j * spec.k_max + np.arange(k)
                where = np.searchsorted(positions, flat)
                is_free = (where < positions.size) & (
                    positions[np.minimum(where, positions.size - 1)] == flat
                )
                cov = np.zeros((k, k))
                idx = where[is_free]
                cov[np.ix_(is_free, is_free)] = vcov[np.ix_(idx, idx)]
                var = np.diag(jac @ cov @ jac.T)
                se = np.sqrt(np.clip(var, 0, None))
                se[~(np.abs(jac[:, is_free]).sum(axis=1) > 0)] = np.nan
                ses[j, :k] = se
        return out, ses

    @property
    def variance_se(self) -> float:
        """Standard error of the latent variance (NaN when it is fixed or without SEs)."""
        if self._vcov is None or not self._spec.variance_free:
            return float("nan")
        return float(np.sqrt(self._vcov_array()[-1, -1]))

    # ------------------------------------------------------------------ curves
    def trace(self, theta: Any = None) -> pd.DataFrame:
        """Category response probabilities (mirt's ``probtrace``).

        Parameters
        ----------
        theta : float or sequence of float, optional
            Trait values (default: the 61 quadrature points on [-6, 6]).

        Returns
        -------
        DataFrame
            Rows: theta; columns: (item, category value).

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.5, 1.2, -1.0, 1.3, 0.9], [[2, 0.5, -1]] * 5, n=400, seed=3)
        >>> fit = als.irt(data, model="graded")
        >>> fit.trace([0.0]).round(2).iloc[:, :3]
        item        q1
        category   1.0   2.0   3.0
        theta
        0.0       0.12  0.24  0.39
        """
        self._unidimensional("trace()")
        at = _theta(theta)
        columns, blocks = [], []
        for j, item in enumerate(self.items):
            prob = self._prob(j, at)
            blocks.append(prob.T)
            columns += [(item, v) for v in self.categories[j]]
        frame = pd.DataFrame(np.hstack(blocks), index=pd.Index(at, name="theta"),
                             columns=pd.MultiIndex.from_tuples(columns, names=["item", "category"]))
        return frame

    def _prob(self, j: int, at: np.ndarray) -> np.ndarray:
        k = int(self._spec.n_cat[j])
        return probabilities(self._spec.models[j], self._pars[j: j + 1, :k], at)[0]

    def expected_item(self, theta: Any = None) -> pd.DataFrame:
        """Expected answer to each item (mirt's ``expected.item``: sum_k k P_k + lowest value).

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.5, 1.2, -1.0, 1.3, 0.9], [[2, 0.5, -1]] * 5, n=400, seed=3)
        >>> fit = als.irt(data, model="graded")
        >>> fit.expected_item([0.0]).round(2).iloc[:, :2]
                 q1    q2
        theta
        0.0    2.75  2.86
        """
        self._unidimensional("expected_item()")
        at = _theta(theta)
        values = {
            item: (np.arange(len(self.categories[j]))[:, None] * self._prob(j, at)).sum(axis=0)
            + self.categories[j][0]
            for j, item in enumerate(self.items)
        }
        return pd.DataFrame(values, index=pd.Index(at, name="theta"))

    def expected_score(self, theta: Any = None) -> pd.Series:
        """Expected total score (mirt's ``expected.test``).

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.5, 1.2, -1.0, 1.3, 0.9], [[2, 0.5, -1]] * 5, n=400, seed=3)
        >>> fit = als.irt(data, model="graded")
        >>> round(float(fit.expected_score([0.0]).iloc[0]), 2)
        13.75
        """
        return self.expected_item(theta).sum(axis=1).rename("expected_score")

    def item_information(self, theta: Any = None) -> pd.DataFrame:
        """Fisher information of each item (mirt's ``iteminfo``), rows theta.

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.5, 1.2, -1.0, 1.3, 0.9], [[2, 0.5, -1]] * 5, n=400, seed=3)
        >>> fit = als.irt(data, model="graded")
        >>> fit.item_information([0.0]).round(2).iloc[:, :2]
                 q1    q2
        theta
        0.0    0.66  0.52
        """
        self._unidimensional("item_information()")
        at = _theta(theta)
        values = {}
        for j, item in enumerate(self.items):
            k = int(self._spec.n_cat[j])
            values[item] = information(self._spec.models[j], self._pars[j: j + 1, :k], at)[0]
        return pd.DataFrame(values, index=pd.Index(at, name="theta"))

    def test_information(self, theta: Any = None) -> pd.Series:
        """Test information, the sum of the items' (mirt's ``testinfo``).

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.5, 1.2, -1.0, 1.3, 0.9], [[2, 0.5, -1]] * 5, n=400, seed=3)
        >>> fit = als.irt(data, model="graded")
        >>> round(float(fit.test_information([0.0]).iloc[0]), 2)
        1.87
        """
        return self.item_information(theta).sum(axis=1).rename("information")

    def marginal_reliability(self) -> float:
        """mirt's ``marginal_rxx``: the integral of ``I / (I + var)`` over the standard normal.

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.5, 1.2, -1.0, 1.3, 0.9], [[2, 0.5, -1]] * 5, n=400, seed=3)
        >>> fit = als.irt(data, model="graded")
        >>> round(fit.marginal_reliability(), 3)
        0.629
        """
        self._unidimensional("marginal_reliability()")
        nodes, weights = np.polynomial.hermite_e.hermegauss(121)
        info = self.test_information(nodes).to_numpy()
        return float((info / (info + self.variance)) @ weights / np.sqrt(2 * np.pi))

    def empirical_reliability(self, method: str = "EAP", *, rotate: str | None = None,
                              mean: Any = None, cov: Any = None) -> float | pd.Series:
        """mirt's ``empirical_rxx``: ``var(theta) / (var(theta) + mean(SE^2))`` of the scores
        (over respondents, ``var`` with n - 1).

        A multidimensional model gives one value per factor (a Series), as mirt's
        ``fscores(fit, returnER = TRUE)``, from its EAP scores; ``rotate``, ``mean`` and
        ``cov`` as in :meth:`scores` (an exploratory model: oblimin unless told).

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.5, 1.2, -1.0, 1.3, 0.9], [[2, 0.5, -1]] * 5, n=400, seed=3)
        >>> fit = als.irt(data, model="graded")
        >>> round(fit.empirical_reliability(), 3)
        0.626
        """
        if self.n_factors > 1:
            frame = self.scores(method, rotate=rotate, mean=mean, cov=cov)
            out = {}
            for name in self.factors:
                theta, se = frame[name], frame[f"SE_{name}"]
                finite = np.isfinite(theta) & np.isfinite(se)
                v = theta[finite].var(ddof=1)
                out[name] = float(v / (v + (se[finite] ** 2).mean()))
            return pd.Series(out, name="rxx")
        scores = self.scores(method, rotate=rotate, mean=mean, cov=cov)
        finite = np.isfinite(scores["theta"]) & np.isfinite(scores["se"])
        theta, se = scores["theta"][finite], scores["se"][finite]
        v = theta.var(ddof=1)
        return float(v / (v + (se**2).mean()))

    # ------------------------------------------------------------------ scores
    def scores(self, method: str = "EAP", data: pd.DataFrame | None = None, *,
               rotate: str | None = None, mean: Any = None, cov: Any = None) -> pd.DataFrame:
        """Trait estimates of every respondent with their standard errors (mirt's ``fscores``).

        Parameters
        ----------
        method : {"EAP", "MAP", "ML", "WLE", "EAPsum"}, default "EAP"
            EAP: posterior mean and SD (61-point grid); MAP: posterior mode; ML: maximum
            likelihood (-inf / inf for all-lowest / all-highest answers); WLE: Warm's
            weighted likelihood; EAPsum: EAP given the sum score (complete answers only).
        data : DataFrame, optional
            Other respondents to score with these item parameters (mirt's
            ``response.pattern``): the same item columns, answers among the values seen
            when the model was fitted (NaN for missing).
        rotate : str, optional
            An exploratory model is scored under a rotation of its loadings, as mirt's
            ``fscores(rotate = )``: the rotated slopes and the rotation's factor
            correlations as the latent covariance; default ``"oblimin"`` (mirt's);
            ``"none"``: the unrotated, orthogonal model. See :meth:`coef` for the names.
            Other models take only ``None`` / ``"none"``.
        mean, cov : array_like, optional
            Multidimensional models: the latent means (length D) and covariance (D x D) of
            the prior, in place of 0 and the model's (or the rotation's) correlations, as
            mirt's ``fscores(mean = , cov = )``.

        Returns
        -------
        DataFrame
            Columns ``theta`` and ``se``, one row per respondent (the data's index); a
            multidimensional model (EAP only): one column per factor and ``SE_<factor>``,
            as mirt's ``fscores``: an exploratory model over mirt's scoring grid (61 points
            per dimension on [-6, 6] for two factors, 31 for three; QMC nodes beyond), a
            confirmatory or bifactor model over its estimation grid.

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.5, 1.2, 1.0], [[2, 0, -2]] * 3, n=300, seed=2)
        >>> fit = als.irt(data)
        >>> fit.scores("EAP").round(2).head(2)
           theta    se
        0   0.48  0.58
        1  -0.50  0.58
        """
        check_choice("method", method, SCORE_METHODS)
        spec, pars = self._spec, self._pars
        if data is None:
            codes, index = self._pattern_codes, self._index
        else:
            codes, index = self._code(data), data.index
        if self.n_factors > 1:
            frame = self._multidim_scores(method, codes, rotate, mean, cov)
            if data is None:
                frame = frame.iloc[self._inverse()]
            frame.index = index
            return frame
        self._rotated(rotate)  # refuses a rotation
        if mean is not None or cov is not None:
            raise OptionError("mean= and cov= apply to multidimensional models")
        if method == "EAPsum":
            table = self.sum_score_table()
            if np.any(codes < 0):
                raise AnalysisError("EAPsum needs complete answers (a sum score); use EAP")
            sums = codes.sum(axis=1)
            theta = table["theta"].to_numpy()[sums]
            se = table["se"].to_numpy()[sums]
        else:
            theta, se = posterior_moments(spec, pars, self.variance, grid(), codes)
            if method != "EAP":
                theta, se = modal_scores(spec, pars, self.variance, codes, method, theta)
        if data is None:
            inverse = self._inverse()
            if method != "EAPsum":
                theta, se = theta[inverse], se[inverse]
            else:
                sums = self._codes.sum(axis=1)
                theta = self.sum_score_table()["theta"].to_numpy()[sums]
                se = self.sum_score_table()["se"].to_numpy()[sums]
        return pd.DataFrame({"theta": theta, "se": se}, index=index)

    def _multidim_scores(self, method: str, codes: np.ndarray, rotate: str | None = None,
                         mean: Any = None, cov: Any = None) -> pd.DataFrame:
        from ._multidim import MSpec, posterior_scores, score_grid

        if method != "EAP":
            raise OptionError(f"method={method!r}: multidimensional models are scored by EAP")
        dims = self.n_factors
        spec = self._spec
        pars, corr = self._rotated("oblimin" if rotate is None and self.exploratory
                                   else rotate)
        if self.exploratory and rotate != "none":  # rotated slopes load everywhere
            spec = MSpec(spec.models, spec.n_cat, np.ones((len(self.items), dims), dtype=bool),
                         ())
        if mean is not None:
            mean = np.asarray(mean, dtype=float)
            if mean.shape != (dims,) or not np.all(np.isfinite(mean)):
                raise OptionError(f"mean must hold {dims} finite numbers")
        if cov is not None:
            cov = np.asarray(cov, dtype=float)
            if (cov.shape != (dims, dims) or not np.all(np.isfinite(cov))
                    or not np.allclose(cov, cov.T)
                    or np.linalg.eigvalsh(0.5 * (cov + cov.T))[0] <= 0):
                raise OptionError(f"cov must be a symmetric positive definite {dims} x {dims} "
                                  "matrix")
            corr = cov
        with single_threaded_blas():
            nodes = score_grid(self._grid, dims) if self.exploratory else self._grid
            mean, sd = posterior_scores(spec, nodes, pars, corr, codes, mean)
        columns = {name: mean[:, f] for f, name in enumerate(self.factors)}
        columns.update({f"SE_{name}": sd[:, f] for f, name in enumerate(self.factors)})
        return pd.DataFrame(columns)

    def _code(self, data: pd.DataFrame) -> np.ndarray:
        frame = check_frame("data", data)
        missing = [item for item in self.items if item not in frame.columns]
        if missing:
            raise OptionError(f"data lacks item column(s) {', '.join(map(repr, missing))}")
        sub = frame[list(self.items)]
        numeric = all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
                      for t in sub.dtypes)
        lows = np.array([c[0] for c in self.categories])
        sizes = np.array([len(c) for c in self.categories])
        irregular = [j for j, c in enumerate(self.categories)
                     if not np.array_equal(c, np.arange(c[0], c[0] + len(c)))]
        codes = np.empty(sub.shape, dtype=np.int64)
        step = 8192  # row blocks: the temporaries stay in cache
        for start in range(0, len(sub), step):
            block = sub.iloc[start: start + step]
            values = (block.to_numpy(dtype=float) if numeric else
                      block.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float))
            seen = ~np.isnan(values)
            raw = np.where(seen, values - lows, -1.0)  # consecutive integer categories
            for j in irregular:
                levels = np.asarray(self.categories[j])
                column = values[:, j]
                found = np.minimum(np.searchsorted(levels, column[seen[:, j]]), levels.size - 1)
                raw[seen[:, j], j] = np.where(levels[found] == column[seen[:, j]], found, 0.5)
            as_int = raw.astype(np.int64)
            bad = seen & ((as_int != raw) | (as_int < 0) | (as_int >= sizes))
            if bad.any():
                row, j = np.argwhere(bad)[0]
                rows = list(block.index[bad[:, j]])
                raise AnalysisError(
                    f"answer {values[row, j]:g} was not among the fitted categories "
                    f"{list(self.categories[j])}", column=self.items[j], rows=rows)
            codes[start: start + step] = as_int
        if not (codes >= 0).any(axis=1).all():
            raise AnalysisError("respondent(s) without any answer cannot be scored",
                                rows=list(frame.index[~(codes >= 0).any(axis=1)]))
        return codes

    def _inverse(self) -> np.ndarray:
        _, inverse = np.unique(self._codes, axis=0, return_inverse=True)
        return inverse.ravel()

    def pattern_scores(self, method: str = "EAP", *, rotate: str | None = None
                       ) -> pd.DataFrame:
        """Scores of each distinct response pattern (mirt's ``fscores(full.scores = FALSE)``;
        ``rotate`` as in :meth:`scores`).

        Returns
        -------
        DataFrame
            The items' answers (category values; NaN missing), ``freq``, ``theta``, ``se``;
            patterns in lexicographic order of their codes, as mirt lists them.

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.5, 1.2, -1.0, 1.3, 0.9], [[2, 0.5, -1]] * 5, n=400, seed=3)
        >>> fit = als.irt(data, model="graded")
        >>> fit.pattern_scores().shape[1]
        8
        """
        check_choice("method", method, ("EAP", "MAP", "ML", "WLE"))
        spec, pars = self._spec, self._pars
        codes = self._pattern_codes
        if self.n_factors > 1:
            scored = self._multidim_scores(method, codes, rotate)
        else:
            self._rotated(rotate)  # refuses a rotation
            theta, se = posterior_moments(spec, pars, self.variance, grid(), codes)
            if method != "EAP":
                theta, se = modal_scores(spec, pars, self.variance, codes, method, theta)
            scored = pd.DataFrame({"theta": theta, "se": se})
        answers = {
            item: np.where(codes[:, j] >= 0,
                           np.asarray(self.categories[j])[np.maximum(codes[:, j], 0)], np.nan)
            for j, item in enumerate(self.items)
        }
        frame = pd.DataFrame(answers)
        frame["freq"] = self._counts.astype(int)
        for column in scored.columns:
            frame[column] = scored[column].to_numpy()
        return frame

    def sum_score_table(self) -> pd.DataFrame:
        """EAP for sum scores (mirt's ``fscores(method = "EAPsum", full.scores = FALSE)``).

        Returns
        -------
        DataFrame
            One row per possible sum of codes (0 .. sum(K - 1)): ``theta``, ``se``,
            ``observed`` and ``expected`` counts, ``std_res`` ((O - E) / sqrt(E)).
            ``attrs["rxx"]``: mirt's reliability of these scores, ``var / (var + mean
            SE^2)`` over respondents with complete answers.

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.5, 1.2, -1.0, 1.3, 0.9], [[2, 0.5, -1]] * 5, n=400, seed=3)
        >>> fit = als.irt(data, model="graded")
        >>> table = fit.sum_score_table()
        >>> int(table["observed"].sum())
        400
        """
        self._unidimensional("sum_score_table() (EAPsum)")
        complete = np.all(self._codes >= 0, axis=1)
        sums, marginal, mean, sd = sum_score_table(self._spec, self._pars, self.variance, grid())
        observed = np.bincount(self._codes[complete].sum(axis=1), minlength=sums.size)
        expected = marginal * complete.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            std_res = (observed - expected) / np.sqrt(expected)
        table = pd.DataFrame({"theta": mean, "se": sd, "observed": observed,
                              "expected": expected, "std_res": std_res},
                             index=pd.Index(sums, name="sum_score"))
        people_theta = np.repeat(mean, observed)
        people_se = np.repeat(sd, observed)
        v = people_theta.var(ddof=1) if people_theta.size > 1 else float("nan")
        table.attrs["rxx"] = float(v / (v + np.mean(people_se**2)))
        return table

    # ------------------------------------------------------------------ fit
    def m2(self, type: str = "M2*", ci: float = 0.90) -> pd.DataFrame:
        """Limited-information fit as mirt's ``M2(fit)`` (with ``calcNull = TRUE``).

        M2 (Maydeu-Olivares & Joe 2006) when every item is binary, M2* (Cai & Hansen 2013,
        item means and cross-products) otherwise, or C2 (Cai & Monroe 2014: category
        proportions and cross-products); RMSEA (``sqrt((M2/df - 1)/(N - 1))``) and
        its CI, SRMSR (observed vs model-implied correlations of the item scores), and TLI /
        CFI against mirt's null model (every slope 0). A multidimensional or bifactor model
        is integrated as mirt's ``M2`` does it: a product grid of 31, 15, 9, 7 points per
        dimension for 2, 3, 4, 5 factors on [-6, 6].

        Parameters
        ----------
        type : {"M2*", "C2"}, default "M2*"
            mirt's ``type`` (``"M2"`` is accepted for binary items, where all coincide).
        ci : float, default 0.90
            Level of the RMSEA interval.

        Returns
        -------
        DataFrame
            One row ``stats``: ``M2``, ``df``, ``p``, ``RMSEA``, ``RMSEA_5``, ``RMSEA_95``,
            ``SRMSR``, ``TLI``, ``CFI`` (the CI columns are named after ``ci``).

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.5, 1.2, 1.0, 1.3, 0.9], [[1.0]] * 5, n=500, seed=4)
        >>> fit = als.irt(data, "2PL")
        >>> int(fit.m2()["df"].iloc[0])
        5
        """
        from scipy.stats import chi2

        from ._fit import m2_statistic, null_parameters, rmsea, rmsea_ci

        check_choice("type", type, ("M2*", "M2", "C2"))
        if type == "M2" and np.any(self._spec.n_cat > 2):
            raise OptionError("M2 is for binary items; use type='M2*' or 'C2' (as mirt)")
        kind = "C2" if type == "C2" else "M2*"
        level = check_number("ci", ci, 0.0, 1.0, low_open=True, high_open=True)
        with single_threaded_blas():
            stats = m2_statistic(self._spec, self._pars, self.variance, self._codes, kind,
                                 corr=self.latent_corr)
        if stats.df <= 0:
            raise AnalysisError(f"{type} has {stats.df} degrees of freedom here (too few items "
                                "for the parameters)" + ("" if kind == "C2" else
                                                         "; try type='C2'"))
        null_spec, null_pars = null_parameters(self._spec, self._codes)
        with single_threaded_blas():
            null = m2_statistic(null_spec, null_pars, 1.0, self._codes, kind)
        low, high = rmsea_ci(stats.m2, stats.df, self.n_obs, level)
        alpha = round((1 - level) / 2 * 100, 6)
        row = {
            "M2": stats.m2, "df": stats.df,
            "p": float(chi2.sf(stats.m2, stats.df)) if stats.df > 0 else float("nan"),
            "RMSEA": rmsea(stats.m2, stats.df, self.n_obs),
            f"RMSEA_{alpha:g}": low, f"RMSEA_{100 - alpha:g}": high, "SRMSR": stats.srmsr,
        }
        if null.m2 > stats.m2:
            row["TLI"] = (null.m2 / null.df - stats.m2 / stats.df) / (null.m2 / null.df - 1)
            row["CFI"] = min(max(1 - (stats.m2 - stats.df) / (null.m2 - null.df), 0.0), 1.0)
        else:
            row["TLI"] = row["CFI"] = float("nan")
        return pd.DataFrame(row, index=["stats"])

    def item_fit(self, fit_stats: str | Sequence[str] = "S_X2", mincell: float = 1.0,
                 method: str = "EAP", theta: Any = None, na_rm: bool = False) -> pd.DataFrame:
        """Orlando & Thissen's (2000) S-X2 for every item, as mirt's ``itemfit(fit)``; Zh,
        infit and outfit on request, as ``itemfit(fit, c("S_X2", "Zh", "infit"))``.

        Observed against expected counts of each category at each sum score (the expected
        from the Lord-Wingersky recursion without the item), cells collapsed as mirt's
        ``collapseCells`` does (``mincell``); df = cells - rows - the item's parameters (and
        the latent variance when it is estimated). A multidimensional or bifactor model is
        integrated over mirt's product grid (as :meth:`m2`).

        Parameters
        ----------
        fit_stats : str or sequence of {"S_X2", "Zh", "infit", "X2", "G2"}, default "S_X2"
            mirt's ``fit_stats``: ``"Zh"`` is Drasgow, Levine & Williams' (1985)
            standardized log-likelihood of the item's answers at the respondents'
            ``method`` scores; ``"infit"`` adds Wright & Masters' (1982) ``outfit``,
            ``z_outfit``, ``infit`` and ``z_infit`` (Rasch-family statistics; see
            :meth:`person_fit`); ``"X2"`` / ``"G2"``: Bock's (1972) chi-square (and its
            likelihood-ratio form) over 10 groups of respondents ordered by their scores,
            each compared with the model at its mean score (mirt's ``group.bins = 10``).
        mincell : float, default 1
            Smallest expected count of a cell (mirt's ``mincell``).
        method : {"EAP", "MAP", "ML", "WLE"}, default "EAP"
            Trait estimates at which Zh / infit are computed (mirt's ``method``).
        theta : sequence of float, optional
            The respondents' trait values instead (mirt's ``Theta``), in the data's order;
            respondents x factors for a multidimensional model (whose default is EAP).
        na_rm : bool, default False
            Compute S-X2 and Zh on the respondents who answered every item, at the
            parameters estimated from everyone (mirt's ``na.rm = TRUE``; both statistics
            need complete answers).

        Returns
        -------
        DataFrame
            Rows: items; ``S_X2``, ``df_S_X2``, ``RMSEA_S_X2``, ``p_S_X2`` (then ``Zh``,
            ``outfit``, ``z_outfit``, ``infit``, ``z_infit`` when asked).

        Raises
        ------
        AnalysisError
            Missing answers (S-X2 needs sum scores; mirt refuses them too).

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.5, 1.2, 1.0, 1.3, 0.9], [[1.0]] * 5, n=500, seed=4)
        >>> als.irt(data, "2PL").item_fit().columns.tolist()
        ['S_X2', 'df_S_X2', 'RMSEA_S_X2', 'p_S_X2']
        """
        from scipy.stats import chi2

        from ._fit import rmsea, s_x2

        stats_asked = (fit_stats,) if isinstance(fit_stats, str) else tuple(fit_stats)
        for name in stats_asked:
            check_choice("fit_stats", name, ("S_X2", "Zh", "infit", "X2", "G2"))
        mincell = check_number("mincell", mincell, 0.0, low_open=True)
        extra = [s for s in stats_asked if s != "S_X2"]
        rows = np.all(self._codes >= 0, axis=1) if check_flag("na_rm", na_rm) else None
        if rows is not None and not rows.any():
            raise AnalysisError("no respondent answered every item (na_rm=True keeps none)")
        if "S_X2" not in stats_asked:
            return self._person_item_fit(tuple(extra), method, theta, rows)
        codes = self._codes if rows is None else self._codes[rows]
        if np.any(codes < 0):
            raise AnalysisError("S-X2 needs complete answers (sum scores); pass na_rm=True "
                                "(as mirt) to use the respondents who answered every item")
        with single_threaded_blas():
            stats, dfs = s_x2(self._spec, self._pars, self.variance, codes, mincell,
                              corr=self.latent_corr)
        with np.errstate(invalid="ignore"):
            p = np.where(dfs > 0, chi2.sf(stats, np.maximum(dfs, 1)), np.nan)
        table = pd.DataFrame({
            "S_X2": stats, "df_S_X2": dfs,
            "RMSEA_S_X2": [rmsea(s, d, len(codes)) if d > 0 else np.nan
                           for s, d in zip(stats, dfs, strict=True)],
            "p_S_X2": p,
        }, index=list(self.items))
        if not extra:
            return table
        return table.join(self._person_item_fit(tuple(extra), method, theta, rows))

    # ------------------------------------------------------------------ output
    def to_frame(self) -> pd.DataFrame:
        """The coefficients (slope-intercept) with standard errors: :meth:`coef`.

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.5, 1.2, -1.0, 1.3, 0.9], [[2, 0.5, -1]] * 5, n=400, seed=3)
        >>> als.irt(data, model="graded").to_frame().shape
        (5, 8)
        """
        return self.coef()

    def _report(self) -> Report:
        status = (f"Converged within {self.tol:g} tolerance after {self.iterations} EM iterations."
                  if self.converged else
                  f"NOT converged within {self.tol:g} after {self.iterations} EM iterations.")
        if self.n_factors > 1:
            grid_ = self._grid
            if grid_.bifactor:
                dims = (f"bifactor: general {self.factors[0]}, specific "
                        f"{', '.join(self.factors[1:])}, orthogonal")
                quadrature = (f"Two-tier quadrature: {grid_.nodes.size} x {grid_.nodes.size} "
                              "(general, specific) points on [-6, 6]; latent density N(0, I)")
            elif self.exploratory:
                dims = (f"exploratory, {self.n_factors} factors ({', '.join(self.factors)}), "
                        "orthogonal, unrotated")
                quadrature = f"Quadrature: {grid_.nodes.size} points per dimension on [-6, 6]"
            else:
                dims = (f"{self.n_factors} factors ({', '.join(self.factors)}), correlated")
                quadrature = (f"Quasi-Monte Carlo: {grid_.base.shape[0]} Halton nodes"
                              if grid_.qmc else f"Quadrature: {grid_.nodes.size} points per "
                              "dimension on [-6, 6]")
                quadrature += "; latent density N(0, R), unit variances"
            if self.exploratory and grid_.qmc:
                quadrature = f"Quasi-Monte Carlo: {grid_.base.shape[0]} Halton nodes"
            if self.exploratory:
                quadrature += "; latent density N(0, I)"
        else:
            dims = "unidimensional"
            quadrature = ("Quadrature: 61 points on [-6, 6]; latent density N(0, "
                          f"{format_number(self.variance)})")
        lines = [
            f"Model: {self.model} ({dims}, logistic; mirt's slope-intercept form)",
            f"{len(self.items)} items, {self.n_obs} respondents",
            status,
            quadrature,
            "Information matrix: "
            + ({"oakes": "Oakes (observed information"
                          + (", numerical derivative of the score)" if self.n_factors > 1
                             else ", exact)"), "crossprod": "cross-product",
                "sandwich": "sandwich"}.get(self.se_type or "", "not computed")),
            "",
            f"Log-likelihood = {self.loglik:.3f}",
            f"Estimated parameters: {self.n_parameters}",
            f"AIC = {self.aic:.3f}",
            f"BIC = {self.bic:.3f}",
        ]
        if self._spec.variance_free:
            lines.append(f"Latent variance COV_11 = {format_number(self.variance)}"
                         + (f" (SE {format_number(self.variance_se)})"
                            if self._vcov is not None else ""))
        table = format_table(self.coef())
        blocks: tuple[Any, ...] = ("\n".join(lines), "", table)
        if self.exploratory:
            rotated = self.loadings("oblimin")
            blocks += ("", "Rotation: oblimin (GPArotation, as mirt's summary); standardized "
                       "loadings, h2 unrotated", format_table(rotated),
                       "", "Factor correlations (oblimin):",
                       format_table(rotated.attrs["phi"]))
        elif self.n_factors > 1 and not self._grid.bifactor:
            corr = pd.DataFrame(self.latent_corr, index=list(self.factors),
                                columns=list(self.factors))
            blocks += ("", "Factor correlations:", format_table(corr))
        return Report(f"IRT: {self.model} model (mirt)", blocks, max_rows=None)

    def _summary(self) -> dict[str, Any]:
        return {"loglik": self.loglik, "aic": self.aic, "bic": self.bic}

    # ------------------------------------------------------------------ irtflow: residuals,
    # person fit (delegating to _residuals and _personfit)
    def _respondent_theta(self, method: str, theta: Any) -> np.ndarray:
        """Each respondent's trait value: ``theta`` as given, or ``scores(method)``; for a
        multidimensional model respondents x factors (EAP scores unless given; an
        exploratory model's unrotated scores, as mirt's ``itemfit`` / ``personfit`` /
        ``residuals``, which pass ``rotate = 'none'``)."""
        dims = self.n_factors
        if theta is None:
            check_choice("method", method, ("EAP", "MAP", "ML", "WLE"))
            frame = self.scores(method, rotate="none" if self.exploratory else None)
            return frame["theta"].to_numpy() if dims == 1 else frame[list(self.factors)].to_numpy()
        values = np.asarray(theta, dtype=float)
        if dims == 1:
            values = values.ravel()
        shape = (self.n_obs,) if dims == 1 else (self.n_obs, dims)
        if values.shape != shape or np.isnan(values).any():
            what = ("a trait value" if dims == 1
                    else f"a row of {dims} trait values ({', '.join(self.factors)})")
            raise OptionError(f"theta must give {what} for each of the {self.n_obs} "
                              f"respondents, in the data's order (got shape {values.shape})")
        return values

    def residuals(self, type: str = "LD", *, theta: Any = None, method: str = "EAP",
                  df_p: bool = False, p_adjust: str = "none",
                  approx_z: bool = False) -> pd.DataFrame:
        """Local dependence of every item pair, as mirt's ``residuals(fit, type = ...)``.

        ``"LD"``: Chen & Thissen's (1997) X2 of each pair's cross-table of answers against
        the model's expected table (below the diagonal), and above it the signed Cramér's V
        ``sqrt(X2 / (N (min(K_i, K_j) - 1)))``, positive when the pair agrees more than
        the model says (the sign of gamma observed minus gamma expected), as mirt prints
        it. ``"Q3"``: Yen's (1984) correlations of the residuals ``x - E[X | theta]`` at
        the respondents' scores (pairwise over respondents who answered both).

        Parameters
        ----------
        type : {"LD", "LDG2", "Q3"}, default "LD"
            mirt's ``type``; ``"LDG2"`` is LD with the likelihood-ratio G2 ``2 sum O log(O /
            E)`` (over the non-empty cells) in place of Pearson's X2, and V from it.
        theta : sequence of float, optional
            Q3: the respondents' trait values (mirt's ``Theta``; respondents x factors for
            a multidimensional model); default their ``method`` scores. Both types take
            multidimensional models (LD over the factors' product grid).
        method : {"EAP", "MAP", "ML", "WLE"}, default "EAP"
            Q3: scores used when ``theta`` is not given.
        df_p : bool, default False
            LD: return mirt's ``df.p`` matrix instead: df below the diagonal, p-values of
            X2 (chi-square with (K_i - 1)(K_j - 1) df) above it.
        p_adjust : str, default "none"
            With ``df_p``: adjustment of the p-values over the pairs (R's ``p.adjust``
            names: ``"holm"``, ``"BH"`` / ``"fdr"`` ...).
        approx_z : bool, default False
            LD: below the diagonal the signed z-ratio ``sign(V) (sqrt(2 X2) - sqrt(2 df -
            1))`` instead of X2 (mirt's ``approx.z``; about standard normal under local
            independence, positive for a dependent pair).

        Returns
        -------
        DataFrame
            Items x items.

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.5, 1.2, 1.0, 1.3], [[1, 0, -1]] * 4, n=500, seed=5)
        >>> fit = als.irt(data)
        >>> fit.residuals("LD").round(2)  # In R: residuals(mirt(data, 1), type = "LD")
               q1    q2    q3    q4
        q1    NaN -0.10  0.10 -0.08
        q2  16.36   NaN -0.08  0.07
        q3  15.58  8.73   NaN -0.07
        q4   8.57  7.29  6.41   NaN
        >>> q3 = fit.residuals("Q3")
        >>> bool((q3.to_numpy().diagonal() == 1).all())
        True
        """
        from ._residuals import ld_statistics, q3_matrix

        check_choice("type", type, ("LD", "LDG2", "Q3"))
        df_p = check_flag("df_p", df_p)
        items = list(self.items)
        if type == "Q3":
            at = self._respondent_theta(method, theta)
            with single_threaded_blas():  # tall, thin products: one thread is faster
                values = q3_matrix(self._spec, self._pars, self._codes, at)
            return pd.DataFrame(values, index=items, columns=items)
        with single_threaded_blas():
            x2, df, v = ld_statistics(self._spec, self._pars, self.variance, self._codes,
                                      corr=self.latent_corr, g2=type == "LDG2")
        upper = np.triu(np.ones(x2.shape, dtype=bool), 1)
        if df_p:
            from scipy.stats import chi2

            from .._correlation._correlation_tests import adjust_p

            with np.errstate(invalid="ignore"):
                p = chi2.sf(np.abs(x2), df)  # as mirt (a G2 can be slightly negative)
            out = np.where(upper, np.nan, df)
            out[upper] = adjust_p(p[upper], p_adjust)
            return pd.DataFrame(out, index=items, columns=items)
        if check_flag("approx_z", approx_z):
            with np.errstate(invalid="ignore"):
                x2 = np.sign(v) * (np.sqrt(2 * x2) - np.sqrt(2 * df - 1))
        return pd.DataFrame(np.where(upper, v, x2), index=items, columns=items)

    def person_fit(self, method: str = "EAP", theta: Any = None) -> pd.DataFrame:
        """Person fit as mirt's ``personfit(fit)``: infit / outfit and Zh per respondent.

        ``Zh`` (Drasgow, Levine & Williams 1985) is the standardized log-likelihood of the
        respondent's answers at their trait estimate (below about -2: an unlikely pattern,
        e.g. careless or aberrant answering). ``outfit`` and ``infit`` (Wright & Masters
        1982) are the unweighted and information-weighted mean squares of the residuals
        (expected 1; above about 1.3 noisy, below 0.7 too predictable), with their
        Wilson-Hilferty z; they are Rasch-family statistics, which mirt reports for any
        model. Missing answers are left out of each respondent's sums.

        Parameters
        ----------
        method : {"EAP", "MAP", "ML", "WLE"}, default "EAP"
            Trait estimates (mirt's ``method``); infinite ML estimates are replaced by the
            finite extremes +-0.1, as mirt does.
        theta : sequence of float, optional
            The respondents' trait values instead (mirt's ``Theta``), in the data's order;
            respondents x factors for a multidimensional model (whose default is EAP).

        Returns
        -------
        DataFrame
            One row per respondent (the data's index): ``outfit``, ``z_outfit``,
            ``infit``, ``z_infit``, ``Zh``.

        Examples
        --------
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.5, 1.2, 1.0, 1.3], [[1, 0, -1]] * 4, n=500, seed=5)
        >>> pf = als.irt(data).person_fit()  # In R: personfit(mirt(data, 1))
        >>> pf.round(2).head(2)
           outfit  z_outfit  infit  z_infit    Zh
        0    0.31     -1.47   0.29    -1.57  0.68
        1    1.13      0.41   1.29     0.62  0.87
        >>> int((pf["Zh"] < -2).sum())  # respondents with an unlikely pattern
        1
        """
        from ._personfit import person_statistics

        stats = person_statistics(self._spec, self._pars, self._codes,
                                  self._respondent_theta(method, theta))
        return pd.DataFrame(stats, index=self._index)

    def _person_item_fit(self, which: tuple[str, ...], method: str, theta: Any,
                         rows: np.ndarray | None = None) -> pd.DataFrame:
        from ._personfit import item_statistics

        codes = self._codes if rows is None else self._codes[rows]
        values = self._respondent_theta(method, theta)
        values = values if rows is None else values[rows]
        if "Zh" in which and np.any(codes < 0):
            raise AnalysisError("Zh needs complete answers (as mirt); pass na_rm=True to use "
                                "the respondents who answered every item, or ask for 'infit' "
                                "or 'X2'")
        if ("X2" in which or "G2" in which) and self.n_factors > 1:
            raise AnalysisError(f"item_fit(fit_stats='X2' / 'G2') is available for "
                                f"unidimensional models only (this one has {self.n_factors} "
                                f"factors: {', '.join(self.factors)}); as mirt, use 'S_X2', "
                                "'Zh' or 'infit'")
        stats = item_statistics(self._spec, self._pars, codes, values, which)
        if "X2" in which or "G2" in which:
            from scipy.stats import chi2

            from ._fit import rmsea
            from ._personfit import bock_x2

            n_free = self._spec.free.sum(axis=1)
            if self._spec.constraint is not None:
                n_free = np.array([self._spec.constraint.item_parameter_count(j)
                                   for j in range(len(self.items))])
            x2, df_x2, g2, df_g2 = bock_x2(self._spec, self._pars, codes, values, n_free)
            for name, stat, df in (("X2", x2, df_x2), ("G2", g2, df_g2)):
                if name in which:
                    with np.errstate(invalid="ignore"):
                        p = np.where(df > 0, chi2.sf(stat, np.maximum(df, 1)), np.nan)
                    stats.update({name: stat, f"df_{name}": df, f"RMSEA_{name}": [
                        rmsea(v, d, len(codes)) if d > 0 else np.nan
                        for v, d in zip(stat, df, strict=True)], f"p_{name}": p})
        return pd.DataFrame(stats, index=list(self.items))
