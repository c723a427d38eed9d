"""``irt()``: fit a unidimensional IRT model by marginal maximum likelihood (mirt 1.47)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..._checks import check_choice, check_flag, check_frame, check_integer, check_number
from ..._warn import warn_user
from ...errors import AllianceScaleWarning, AnalysisError, OptionError
from .._blas import single_threaded_blas
from ._constraints import GradedRatingScale, RatingScale
from ._data import Coded, Patterns, code_responses, collapse
from ._engine import Fit, Spec, em, grid, information
from ._result import IRTResult
from ._start import start_values

__all__ = ["irt"]

MODELS = ("graded", "2PL", "gpcm", "Rasch", "pcm", "rsm", "grsm")
SE_TYPES = ("oakes", "louis", "crossprod", "sandwich", "none")
#: A slope beyond this size is reported as running away (mirt sets no bound either).
RUNAWAY_SLOPE = 10.0


def irt(
    data: pd.DataFrame | np.ndarray,
    model: str | Sequence[str] = "graded",
    *,
    se: str | None = "oakes",
    tol: float = 1e-4,
    max_cycles: int = 500,
    pars: pd.DataFrame | IRTResult | None = None,
    estimate: bool = True,
) -> IRTResult:
    """Fit a unidimensional item response model by marginal ML, as mirt's ``mirt(data, 1)``.

    The EM algorithm of Bock & Aitkin (1981) over mirt's quadrature (61 equally spaced
    points on [-6, 6], standard normal latent density), mirt's convergence rule (every
    parameter changes by less than ``tol`` over an EM cycle) and Ramsay acceleration. Only
    the answers given enter the likelihood (missing answers are full-information, never
    listwise). BLAS runs on one thread (threaded OpenBLAS is up to 100x slower on these
    tall products when other work shares the cores). Starting values keep a reverse-keyed
    item's slope negative; no parameter is bounded: a slope that runs away is reported in a
    warning naming the item.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Respondents x items, integer answers (missing as NaN). Each item's observed values
        are coded 0 .. K-1 in ascending order, as mirt does (a value nobody chose inside an
        item's range is collapsed, with a warning naming the item).
    model : {"graded", "2PL", "gpcm", "Rasch", "pcm", "rsm", "grsm"} or sequence of str,
        default "graded"
        ``"graded"``: Samejima's (1969) graded response model, ``P(X >= k) = logistic(a
        theta + d_k)`` (with two categories, the 2PL); ``"2PL"``: the same, for binary
        items only; ``"gpcm"``: Muraki's (1992) generalized partial credit model,
        ``P(X = k) ∝ exp(k a theta + d_k)``; ``"Rasch"`` (alias ``"pcm"``): the (partial
        credit) Rasch model, every slope 1 and the latent variance estimated, as mirt's
        ``itemtype = "Rasch"``; ``"rsm"``: Andrich's rating scale model as mirt's ``rsm``,
        ``P(X = k) ∝ exp(k theta - (b_1 + ... + b_k) + k c_i)``, steps ``b`` shared by the
        items, ``c`` of the first item 0, latent variance estimated; ``"grsm"``: Muraki's
        (1990) graded rating scale model as mirt's ``grsm``, ``P(X >= k) = logistic(a_i
        (theta + b_k + c_i))``, ``c`` of the first item 0, latent variance 1. A sequence
        gives one of ``"graded"``, ``"2PL"``, ``"gpcm"`` per item (mirt's ``itemtype``).
    se : {"oakes", "louis", "crossprod", "sandwich", "none"} or None, default "oakes"
        Standard errors: ``"oakes"`` (mirt's default ``SE.type``) is the observed
        information, computed here exactly (complete-data Hessian plus the posterior
        covariance of the scores; ``"louis"`` is the same matrix, Louis 1982);
        ``"crossprod"``: inverse of the cross-product of the respondents' gradients;
        ``"sandwich"``: ``I^-1 B I^-1`` with ``B`` the cross-product.
    tol : float, default 1e-4
        EM convergence tolerance (mirt's ``TOL``).
    max_cycles : int, default 500
        Most EM cycles (mirt's ``NCYCLES``); a model that has not converged is flagged
        (``converged = False``) with a warning.
    pars : DataFrame or IRTResult, optional
        Item parameters in the slope-intercept form of ``coef()`` (rows: items, columns
        ``a1``, ``d1`` ...; other columns such as ``SE_a1`` are ignored), or a fitted
        result (its item parameters and latent variance, as mirt's ``pars =
        mod2values(fit)``): starting values, or with ``estimate=False`` the values at which
        the model is evaluated (mirt's ``pars =`` with ``TOL = NaN``). With a DataFrame the
        latent variance starts at (or, with ``estimate=False``, stays) 1.
    estimate : bool, default True
        False: no EM; traces, information, scores, reliability, fit statistics,
        log-likelihood and standard errors at ``pars`` (e.g. a calibration's parameters
        applied to a new sample; ``iterations`` is 0).

    Returns
    -------
    IRTResult
        Coefficients (``coef()``), log-likelihood, AIC, BIC, scores, curves, information.

    Raises
    ------
    AnalysisError
        An item with non-integer answers, a constant item (fewer than 2 categories), a
        respondent without any answer, or ``"2PL"`` asked for a polytomous item; the
        message names the item.

    See Also
    --------
    cfa : the ordinal factor model (WLSMV), the limited-information counterpart.

    References
    ----------
    Chalmers, R. P. (2012). mirt: A multidimensional item response theory package for the
    R environment. Journal of Statistical Software, 48(6), 1-29.
    Samejima, F. (1969). Estimation of latent ability using a response pattern of graded
    scores. Psychometrika Monograph Supplement, 17.
    Muraki, E. (1992). A generalized partial credit model. Applied Psychological
    Measurement, 16, 159-176.

    Examples
    --------
    >>> import alliance_scale as als
    >>> data = als.simulate_irt([1.5, 1.2, -1.0, 1.3, 0.9], [[2, 0.5, -1]] * 5, n=400, seed=3)
    >>> fit = als.irt(data, model="graded")
    >>> round(fit.loglik, 2)
    -2638.51
    >>> fit.coef()["a1"].round(2).tolist()  # the reverse-keyed item keeps its sign
    [1.47, 1.31, -0.82, 0.97, 0.79]
    """
    if isinstance(model, str):
        check_choice("model", model, MODELS)
    else:
        for m in model:
            check_choice("model", m, ("graded", "2PL", "gpcm"))
    estimate = check_flag("estimate", estimate)
    se_type = "none" if se is None else se
    check_choice("se", se_type, SE_TYPES)
    tol = check_number("tol", tol, 0.0, low_open=True)
    max_cycles = check_integer("max_cycles", max_cycles, minimum=1)
    coded = code_responses(data)
    n_cat = coded.n_categories
    per_item = [model] * len(coded.items) if isinstance(model, str) else list(model)
    if len(per_item) != len(coded.items):
        raise OptionError(f"model gives {len(per_item)} item types for {len(coded.items)} items")
    bad = [coded.items[j] for j, m in enumerate(per_item) if m == "2PL" and n_cat[j] > 2]
    if bad:
        raise AnalysisError(
            f"the 2PL is for binary items; {', '.join(repr(b) for b in bad)} have more than "
            "two categories (use model='graded')"
        )
    kinds = tuple("graded" if m in ("graded", "2PL", "grsm") else "gpcm" for m in per_item)
    rasch = isinstance(model, str) and model in ("Rasch", "pcm", "rsm")
    constraint = None
    if model in ("rsm", "grsm"):
        if np.any(n_cat != n_cat[0]):
            raise AnalysisError(
                "the rating scale models need every item to have the same number of observed "
                "categories; counts: "
                + ", ".join(f"{i!r}: {k}" for i, k in zip(coded.items, n_cat, strict=True)))
        kind = RatingScale if model == "rsm" else GradedRatingScale
        constraint = kind(len(coded.items), int(n_cat[0]))
    spec = Spec(kinds, n_cat, slope_fixed=rasch, variance_free=rasch, constraint=constraint)
    with single_threaded_blas():
        fit, vcov, patterns = _estimate(spec, coded, rasch=rasch, pars=pars, estimate=estimate,
                                        tol=tol, max_cycles=max_cycles, se_type=se_type)
    return IRTResult(
        model=model if isinstance(model, str) else "mixed (" + ", ".join(per_item) + ")",
        items=coded.items, categories=coded.categories, loglik=fit.loglik,
        n_obs=int(coded.codes.shape[0]), n_parameters=spec.n_free, variance=fit.variance,
        iterations=fit.iterations, converged=fit.converged, tol=tol,
        se_type=None if se_type == "none" else ("oakes" if se_type == "louis" else se_type),
        vcov=vcov, _spec=spec, _pars=fit.pars, _codes=coded.codes, _index=coded.index,
        _counts=patterns.counts, _pattern_codes=patterns.codes,
    )


def _parameter_names(spec: Spec, items: tuple[str, ...]) -> list[str]:
    if spec.constraint is not None:
        return spec.constraint.names(items) + (["COV_11"] if spec.variance_free else [])
    labels = ["a1"] + [f"d{k}" for k in range(1, spec.k_max)]
    names = [f"{items[j]}.{labels[p]}" for j, p in zip(*np.nonzero(spec.free), strict=True)]
    return names + (["COV_11"] if spec.variance_free else [])




def _given(pars: pd.DataFrame, spec: Spec, items: tuple[str, ...]) -> np.ndarray:
    """Parameters given by the user, items x k_max, checked against the data."""
    frame = check_frame("pars", pars)
    missing = [item for item in items if item not in frame.index]
    if missing:
        raise OptionError(f"pars has no row for item(s) {', '.join(map(repr, missing))}")
    out = np.full((len(items), spec.k_max), np.nan)
    for j, item in enumerate(items):
        k = int(spec.n_cat[j])
        names = ["a1"] + [f"d{m}" for m in range(1, k)]
        absent = [n for n in names if n not in frame.columns]
        if absent:
            raise OptionError(f"pars lacks column(s) {', '.join(absent)} (item {item!r})")
        values = frame.loc[item, names].to_numpy(dtype=float)
        if not np.all(np.isfinite(values)):
            raise OptionError(f"pars of item {item!r} are not all finite")
        out[j, :k] = values
    if spec.slope_fixed:
        out[:, 0] = 1.0
    return out


def _estimate(
    spec: Spec, coded: Coded, *, rasch: bool, pars: pd.DataFrame | IRTResult | None,
    estimate: bool,
    tol: float, max_cycles: int, se_type: str,
) -> tuple[Fit, pd.DataFrame | None, Patterns]:
    """EM, warnings and the covariance of the estimates (BLAS on one thread)."""
    patterns = collapse(coded.codes)
    theta = grid()
    variance = pars.variance if isinstance(pars, IRTResult) else 1.0
    if isinstance(pars, IRTResult):
        pars = pars.coef(se=False)
    start = start_values(spec, coded.codes) if pars is None else _given(pars, spec, coded.items)
    if spec.constraint is not None:  # project onto the constrained model
        if spec.constraint.kind == "grsm" and np.any(start[:, 0] < 0):
            reversed_items = [coded.items[j] for j in np.flatnonzero(start[:, 0] < 0)]
            raise AnalysisError(
                "the graded rating scale model shares its thresholds across items, so every "
                "item must point the same way; reverse-key "
                + ", ".join(map(repr, reversed_items)) + " first")
        start[spec.free] = spec.constraint.full(spec.constraint.phi(start[spec.free]))
    fit = em(spec, patterns, start, theta, tol=tol, max_cycles=max_cycles if estimate else 0,
             variance=variance)
    if estimate and not fit.converged:
        warn_user(
            f"EM did not converge within tol={tol:g} after {max_cycles} cycles; the result is "
            "flagged (converged=False)", AllianceScaleWarning,
        )
    runaway = [coded.items[j] for j in np.flatnonzero(np.abs(fit.pars[:, 0]) > RUNAWAY_SLOPE)]
    if runaway and not rasch:
        warn_user(
            "slope(s) ran away (|a| > 10; no bound is imposed): "
            + ", ".join(repr(r) for r in runaway)
            + ". The item separates respondents almost perfectly or its categories are "
            "too sparse; inspect it, collapse categories or drop it.",
            AllianceScaleWarning,
        )
    vcov = None
    if se_type != "none":
        info = information(spec, patterns, fit.pars, fit.variance, theta, fit.estep)
        matrix = info.crossprod if se_type == "crossprod" else info.observed
        try:
            inverse = np.linalg.inv(matrix)
        except np.linalg.LinAlgError:
            inverse = np.full(matrix.shape, np.nan)
            warn_user("the information matrix is singular: no standard errors",
                      AllianceScaleWarning)
        if se_type == "sandwich":
            inverse = inverse @ info.crossprod @ inverse
        names = _parameter_names(spec, coded.items)
        vcov = pd.DataFrame(inverse, index=names, columns=names)
    return fit, vcov, patterns
