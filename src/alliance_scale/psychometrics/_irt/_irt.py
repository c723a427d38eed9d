"""``irt()``: fit an IRT model by marginal maximum likelihood (mirt 1.47): unidimensional,
confirmatory multidimensional or bifactor, with optional priors (MAP) and constraints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import check_choice, check_flag, check_frame, check_integer, check_number
from ..._warn import warn_user
from ...errors import AllianceScaleWarning, AnalysisError, OptionError
from .._blas import single_threaded_blas
from ._constraints import Equal, GradedRatingScale, RatingScale, equal_constraint
from ._data import Coded, Patterns, code_responses
from ._engine import THETA_LIM, Fit, Spec, em, grid, information
from ._models import ScoredGPCM
from ._priors import Prior, check_lognormal_signs, parse_priors
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
    factors: Mapping[str, Sequence[str]] | int | None = None,
    correlated: bool = True,
    bifactor: Mapping[str, Sequence[str]] | None = None,
    quadpts: int | None = None,
    priors: Mapping[str, Sequence[Any]] | None = None,
    constrain: Sequence[Sequence[str]] | None = None,
    gpcm_mats: Mapping[str, Any] | None = None,
) -> IRTResult:
    """Fit an item response model by marginal ML, as mirt's ``mirt(data, 1)`` (or with
    ``factors=`` / ``bifactor=``, ``mirt(data, model)`` / ``mirt(data, k)`` /
    ``bfactor(data, specific)``).

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
    factors : mapping of str to sequence of str, optional
        A confirmatory multidimensional model, as mirt's ``mirt.model('F1 = 1-4 ...')``:
        factor name -> the items loading on it (an item may load on several: within-item
        structure). Every item must be named at least once. Factor variances are fixed at
        1 and their correlations estimated (mirt's ``COV = F1*F2``; see ``correlated``); the
        coefficients gain
        columns ``a1``, ``a2`` ... in the mapping's order. Integration as mirt: a product
        grid of ``quadpts`` points per dimension (31 for two factors, 15 for three) up to
        three factors, 5,000 quasi-Monte Carlo (Halton) nodes beyond (mirt's ``QMCEM``).
        One factor gives the unidimensional model. Models ``"graded"``, ``"2PL"`` and
        ``"gpcm"``.

        An int ``k`` (2 or more, fewer than the items): an exploratory model with ``k``
        orthogonal factors, as mirt's ``mirt(data, k)`` (Bock, Gibbons & Muraki 1988):
        factor ``m`` loads on the first ``J - m + 1`` of the ``J`` items (mirt's
        identification: the last ``m - 1`` items' slopes on factor ``m`` are 0), latent
        ``N(0, I)``, starting slopes from the eigenvectors of the items' correlations as
        mirt's, and the EM path of mirt itself (its BFGS M-step over all items and its
        acceleration rule): exploratory likelihoods are often nearly flat along a ridge,
        where EM crawls and mirt's ``TOL`` rule stops it short of the maximum, at a point
        that depends on the path (Science, two factors: mirt's stop, reproduced here, has
        log-likelihood -1601.96907 and Work's second slope -1.853; the maximum, reached
        with ``tol=1e-6``, -1601.96741 and -1.961). ``coef(rotate=)``,
        ``loadings(rotate=)`` and ``scores(rotate=)`` rotate the standardized loadings as
        mirt's ``summary`` / ``fscores`` (scores default to oblimin, as mirt's). Models
        ``"graded"`` and ``"2PL"``. ``factors=1`` is the unidimensional model.
    correlated : bool, default True
        With ``factors=`` of two or more factors: True estimates the factors' correlations
        (mirt's ``COV = F1*F2``); False keeps them at 0 (orthogonal factors, mirt's default
        for a ``mirt.model`` without ``COV``).
    bifactor : mapping of str to sequence of str, optional
        A bifactor model, as mirt's ``bfactor(data, specific)``: a general factor ``G`` on
        every item plus the specific factors given here (name -> its items; an item on
        none loads on ``G`` only, as mirt's ``NA``), all orthogonal with variance 1.
        Integrated two-tier (Gibbons & Hedeker 1992): for each specific factor over a
        (general, specific) grid of 31 x 31 points, so the cost grows with the number of
        specific factors instead of exponentially. Coefficients: ``a1`` (general), ``a2``
        ... (specifics in the mapping's order). Not with ``factors``.
    quadpts : int, optional
        Quadrature points per dimension (mirt's ``quadpts``; default as mirt: 61, 31, 15
        for one to three dimensions; nodes in total for more than three).
    priors : mapping, optional
        Priors for MAP estimation, as mirt's ``parprior`` / ``PRIOR``: parameter ->
        ``(distribution, value, value)`` with ``"norm"`` (mean, SD) or ``"lnorm"``
        (meanlog, sdlog; positive parameters only). A key is a parameter label for every
        item (``"a1"``, ``"d2"``; ``"d"``: every intercept) or ``"item.label"`` for one
        item, e.g. ``{"a1": ("lnorm", 0.2, 0.5), "Comfort.d1": ("norm", 4, 1)}``. EM then
        maximises the posterior; the information includes the prior's curvature; the
        log-likelihood reported is the marginal one without the prior (mirt's ``logLik``).
        A lognormal prior on a reverse-keyed item's slope is refused (it would flip it).
    constrain : sequence of sequences of str, optional
        Groups of parameters held equal, as mirt's ``constrain`` (``"item.a1"``,
        ``"item.d2"``), e.g. ``[["Comfort.a1", "Work.a1"]]``. Unidimensional ``"graded"``,
        ``"2PL"``, ``"gpcm"`` models.
    gpcm_mats : mapping of str to array, optional
        Custom category scores for generalized partial credit (or Rasch) items, as mirt's
        ``gpcm_mats`` (Muraki 1992): item name -> a categories x factors array ``S`` (a
        1-D array is one column), one row per observed category in ascending order, one
        column per factor (1 unidimensional; the ``factors=`` order; ``G`` then the
        specifics with ``bifactor=``). The item's probabilities become ``P(X = k) ∝
        exp(sum_m S_km a_m theta_m + d_k)`` (``d_0 = 0``), in place of the scores ``0 ..
        K-1`` on every factor; items not named keep those. A column of a factor the item
        does not load on is ignored; a constant column on a factor it loads on is refused
        (its slope would not be identified); as in mirt, the first row need not be zero
        (adding a constant to a column leaves the model unchanged). With two factors on
        the same items, different score columns are what separate them (mirt's
        ``test-12-gpcm_mats.R``). ``coef()`` keeps ``a1`` ..., ``d1`` ...;
        ``irt_pars=True`` is refused for such items.

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
    OptionError
        A bad argument: e.g. ``factors`` not an int from 1 to the number of items - 1,
        or an int combined with ``bifactor=``, ``constrain=``, ``priors=`` or
        ``gpcm_mats=``.

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

    Two correlated factors (mirt's ``mirt.model('F1 = q1-q3; F2 = q4-q5; COV = F1*F2')``),
    and MAP estimation with a lognormal prior on the slopes:

    >>> two = als.irt(data, factors={"F1": ["q1", "q2", "q3"], "F2": ["q4", "q5"]}, se=None)
    >>> list(two.coef(se=False).columns)
    ['a1', 'a2', 'd1', 'd2', 'd3']
    >>> two.latent_corr.shape
    (2, 2)
    >>> positive = data.assign(q3=5 - data["q3"])  # reverse-key q3 for the lognormal prior
    >>> shrunk = als.irt(positive, priors={"a1": ("lnorm", 0.2, 0.5)}, se=None)
    >>> bool((shrunk.coef()["a1"] > 0).all())
    True

    Scores of a generalized partial credit model given per item (mirt's ``gpcm_mats``):
    the scores 0 .. K-1 as a matrix reproduce ``model="gpcm"``; unequal steps change it:

    >>> gpcm = als.irt(positive, model="gpcm", se=None)
    >>> same = als.irt(positive, model="gpcm", se=None,
    ...                gpcm_mats={item: [0, 1, 2, 3] for item in positive.columns})
    >>> bool(abs(gpcm.loglik - same.loglik) < 1e-8)
    True
    >>> wide = als.irt(positive, model="gpcm", se=None, gpcm_mats={"q1": [0, 1, 2, 4]})
    >>> round(wide.loglik - gpcm.loglik, 2)
    1.35

    Two exploratory factors (mirt's ``mirt(data, 2)``), the loadings rotated by oblimin:

    >>> efa2 = als.irt(positive, factors=2, se=None)
    >>> float(efa2.coef(se=False).loc["q5", "a2"])  # fixed at 0 (identification, as mirt)
    0.0
    >>> efa2.loadings(rotate="oblimin").round(2).shape
    (5, 3)
    """
    if isinstance(model, str):
        check_choice("model", model, MODELS)
    else:
        for m in model:
            check_choice("model", m, ("graded", "2PL", "gpcm"))
    estimate = check_flag("estimate", estimate)
    correlated = check_flag("correlated", correlated)
    se_type = "none" if se is None else se
    check_choice("se", se_type, SE_TYPES)
    tol = check_number("tol", tol, 0.0, low_open=True)
    max_cycles = check_integer("max_cycles", max_cycles, minimum=1)
    if quadpts is not None:
        quadpts = check_integer("quadpts", quadpts, minimum=3)
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
    mats = None if gpcm_mats is None else _check_gpcm_mats(gpcm_mats, coded.items, n_cat,
                                                           per_item)
    exploratory = _exploratory_factors(factors, len(coded.items))
    if exploratory is not None:
        if bifactor is not None:
            raise OptionError("factors=<int> (an exploratory model) and bifactor= are two "
                              "different models; give one of them")
        for name, value in (("constrain", constrain), ("priors", priors),
                            ("gpcm_mats", gpcm_mats)):
            if value is not None:
                raise OptionError(f"{name}= is not available with an exploratory model "
                                  "(factors=<int>); give the factors as a mapping instead")
        if exploratory == 1:
            factors = None
    one_dimension = bifactor is None and (
        factors is None or (isinstance(factors, Mapping) and len(factors) == 1))
    if quadpts is not None and one_dimension:
        raise OptionError("quadpts applies to multidimensional models; one dimension uses "
                          "mirt's 61 points on [-6, 6]")
    if not correlated and factors is None:
        raise OptionError("correlated=False applies to factors= (a bifactor model's factors "
                          "are orthogonal already)")
    if (factors is not None or bifactor is not None) and constrain is not None:
        raise OptionError("constrain= is available for unidimensional models")
    if bifactor is not None:
        if factors is not None:
            raise OptionError("give factors= (correlated factors) or bifactor= (general + "
                              "specific factors), not both")
        specific, specific_names = _loadings(bifactor, coded.items, every_item=False)
        overlap = [coded.items[j] for j in np.flatnonzero(specific.sum(axis=1) > 1)]
        if overlap:
            raise OptionError("in a bifactor model an item loads on one specific factor; "
                              + ", ".join(map(repr, overlap)) + " are named under several")
        if "G" in specific_names:
            raise OptionError("'G' names the general factor; rename that specific factor")
        loadings = np.column_stack([np.ones(len(coded.items), dtype=bool), specific])
        if any(m not in ("graded", "2PL", "gpcm") for m in per_item):
            raise OptionError("bifactor= supports the models 'graded', '2PL' and 'gpcm'")
        kinds = _scored_kinds(kinds, mats, loadings, coded.items, ("G", *specific_names))
        return _confirmatory(coded, kinds, per_item, model, loadings, ("G", *specific_names),
                             se_type=se_type, tol=tol, max_cycles=max_cycles,
                             estimate=estimate, pars=pars, quadpts=quadpts, bifactor=True,
                             priors=priors)
    if exploratory is not None and exploratory > 1:
        if any(m not in ("graded", "2PL") for m in per_item):
            raise OptionError("an exploratory model (factors=<int>) supports the models "
                              "'graded' and '2PL'")
        dims = len(coded.items)
        loadings = np.arange(dims)[:, None] < (dims - np.arange(exploratory))[None, :]
        names = tuple(f"F{f + 1}" for f in range(exploratory))
        return _confirmatory(coded, kinds, per_item, model, loadings, names, se_type=se_type,
                             tol=tol, max_cycles=max_cycles, estimate=estimate, pars=pars,
                             quadpts=quadpts, exploratory=True)
    if factors is not None:
        loadings, names = _loadings(factors, coded.items)
        if len(names) > 1:
            if any(m not in ("graded", "2PL", "gpcm") for m in per_item):
                raise OptionError("factors= supports the models 'graded', '2PL' and 'gpcm'")
            kinds = _scored_kinds(kinds, mats, loadings, coded.items, names)
            return _confirmatory(coded, kinds, per_item, model, loadings, names, se_type=se_type,
                                 tol=tol, max_cycles=max_cycles, estimate=estimate, pars=pars,
                                 quadpts=quadpts, priors=priors, correlated=correlated)
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
    if mats and model in ("rsm", "grsm"):
        raise OptionError(f"gpcm_mats applies to 'gpcm' and 'Rasch' items, not model={model!r}")
    kinds = _scored_kinds(kinds, mats, np.ones((len(coded.items), 1), dtype=bool), coded.items,
                          ("F1",) if factors is None else tuple(factors))
    spec = Spec(kinds, n_cat, slope_fixed=rasch, variance_free=rasch, constraint=constraint)
    if constrain is not None:
        if constraint is not None:
            raise OptionError("constrain= is not available with the rating scale models (their "
                              "own constraints already tie the parameters)")
        spec.constraint = _equalities(constrain, spec, coded.items)
    if priors is not None:
        labels = ["a1"] + [f"d{k}" for k in range(1, spec.k_max)]
        prior = parse_priors(priors, coded.items, labels, n_cat)
        spec.prior = Prior(np.where(spec.free, prior.kind, 0), prior.first, prior.second)
    with single_threaded_blas():
        fit, vcov, patterns = _estimate(spec, coded, rasch=rasch, pars=pars, estimate=estimate,
                                        tol=tol, max_cycles=max_cycles, se_type=se_type)
    return IRTResult(
        model=model if isinstance(model, str) else "mixed (" + ", ".join(per_item) + ")",
        items=coded.items, categories=coded.categories, loglik=fit.loglik,
        n_obs=int(coded.codes.shape[0]), n_parameters=spec.n_free, variance=fit.variance,
        iterations=fit.iterations, converged=fit.converged, tol=tol,
        se_type=None if se_type == "none" else ("oakes" if se_type == "louis" else se_type),
        _vcov=vcov, _spec=spec, _pars=fit.pars, _codes=coded.codes, _index=coded.index,
        _counts=patterns.counts, _pattern_codes=patterns.codes,
        _vcov_names=partial(_parameter_names, spec, coded.items),
    )


def _check_gpcm_mats(gpcm_mats: Mapping[str, Any], items: tuple[str, ...], n_cat: np.ndarray,
                     per_item: list[str]) -> dict[int, np.ndarray]:
    """mirt's ``gpcm_mats`` checks: item -> a numeric, finite categories x factors matrix
    (a 1-D array is one column) for a gpcm or Rasch item, one row per observed category."""
    if not isinstance(gpcm_mats, Mapping):
        raise OptionError("gpcm_mats must be a mapping: item name -> categories x factors "
                          "array of category scores")
    position = {item: j for j, item in enumerate(items)}
    out: dict[int, np.ndarray] = {}
    for item, matrix in gpcm_mats.items():
        if str(item) not in position:
            raise OptionError(f"gpcm_mats names item {item!r}, which is not in the data")
        j = position[str(item)]
        if per_item[j] not in ("gpcm", "Rasch", "pcm"):
            raise OptionError(f"gpcm_mats: item {item!r} is {per_item[j]!r}; category scores "
                              "apply to 'gpcm' and 'Rasch' items (as mirt's)")
        try:
            values = np.array(matrix, dtype=float)
        except (TypeError, ValueError):
            raise OptionError(f"gpcm_mats[{item!r}] must be a numeric array") from None
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2 or values.size == 0:
            raise OptionError(f"gpcm_mats[{item!r}] must be a categories x factors matrix; "
                              f"got shape {values.shape}")
        if values.shape[0] != n_cat[j]:
            raise OptionError(f"gpcm_mats[{item!r}] has {values.shape[0]} row(s), but the item "
                              f"has {int(n_cat[j])} observed categories (one row each, in "
                              "ascending order)")
        if not np.all(np.isfinite(values)):
            raise OptionError(f"gpcm_mats[{item!r}] holds non-finite values")
        out[j] = values
    return out


def _scored_kinds(kinds: tuple[str, ...], mats: dict[int, np.ndarray] | None,
                  loadings: np.ndarray, items: tuple[str, ...], names: tuple[str, ...]
                  ) -> tuple[str, ...]:
    """The items' model kinds with their ``gpcm_mats`` scores, reduced to the factors each
    item loads on (a score column of a factor the item does not load on is ignored)."""
    if not mats:
        return kinds
    out = list(kinds)
    for j, values in mats.items():
        if values.shape[1] != len(names):
            raise OptionError(f"gpcm_mats[{items[j]!r}] has {values.shape[1]} column(s); the "
                              f"model has {len(names)} factor(s) ({', '.join(names)}): one "
                              "column each")
        on = np.flatnonzero(loadings[j])
        flat = [names[f] for f in on if np.ptp(values[:, f]) == 0]
        if flat:
            raise OptionError(f"gpcm_mats[{items[j]!r}]: the scores of factor(s) "
                              f"{', '.join(flat)} are equal in every category, so the item's "
                              "slope on it is not identified")
        out[j] = ScoredGPCM(values[:, on])
    return tuple(out)


def _exploratory_factors(factors: Any, n_items: int) -> int | None:
    """The number of exploratory factors of ``factors=<int>`` (None for a mapping or
    None), checked: from 1 to one less than the items."""
    if factors is None or isinstance(factors, Mapping):
        return None
    if isinstance(factors, bool) or not isinstance(factors, (int, np.integer)):
        raise OptionError("factors must be a mapping (factor name -> items: a confirmatory "
                          f"model) or an int (exploratory factors); got {factors!r}")
    count = int(factors)
    if count < 1:
        raise OptionError(f"factors={count}: an exploratory model needs at least 1 factor")
    if count >= n_items:
        raise OptionError(f"factors={count}: an exploratory model of {n_items} items has at "
                          f"most {n_items - 1} factors (factor m loads on the first "
                          f"{n_items} - m + 1 items; with as many factors as items the last "
                          "factor rests on a single item)")
    return count


def _loadings(factors: Mapping[str, Sequence[str]], items: tuple[str, ...],
              every_item: bool = True) -> tuple[np.ndarray, tuple[str, ...]]:
    """Items x factors indicator of a ``factors=`` mapping, checked against the data."""
    if not isinstance(factors, Mapping) or not factors:
        raise OptionError("factors must be a non-empty mapping: factor name -> item names")
    names = tuple(str(f) for f in factors)
    position = {item: j for j, item in enumerate(items)}
    loadings = np.zeros((len(items), len(names)), dtype=bool)
    for f, (name, members) in enumerate(factors.items()):
        if isinstance(members, str) or not isinstance(members, Sequence) or not members:
            raise OptionError(f"factor {name!r}: give a non-empty sequence of item names")
        for item in members:
            if str(item) not in position:
                raise OptionError(f"factor {name!r} names item {item!r}, which is not in "
                                  "the data")
            loadings[position[str(item)], f] = True
    orphans = [items[j] for j in np.flatnonzero(~loadings.any(axis=1))]
    if orphans and every_item:
        raise OptionError("item(s) on no factor: " + ", ".join(map(repr, orphans))
                          + " (name each item under at least one factor, or drop it)")
    return loadings, names


def _confirmatory(
    coded: Coded, kinds: tuple[str, ...], per_item: list[str], model: str | Sequence[str],
    loadings: np.ndarray, names: tuple[str, ...], *, se_type: str, tol: float,
    max_cycles: int, estimate: bool, pars: pd.DataFrame | None, quadpts: int | None,
    bifactor: bool = False, priors: Mapping[str, Sequence[Any]] | None = None,
    correlated: bool = True,
    exploratory: bool = False,
) -> IRTResult:
    """A multidimensional model (``_multidim``), packed as an IRTResult: confirmatory,
    bifactor, or exploratory (orthogonal factors, mirt's start values and EM path)."""
    from . import _multidim as md
    from ._start import exploratory_start, multidim_start

    if se_type not in ("none", "oakes", "louis", "crossprod", "sandwich"):  # pragma: no cover
        raise OptionError(f"se={se_type!r}")
    dims = len(names)
    free_corr = () if bifactor or exploratory or not correlated else tuple(
        (r, c) for r in range(dims) for c in range(r))
    spec = md.MSpec(kinds, coded.n_categories, loadings, free_corr)
    grid = md.make_grid(dims, quadpts, bifactor=bifactor)
    patterns = coded.distinct()
    if pars is None:
        start = (exploratory_start(coded.n_categories, loadings, coded.codes) if exploratory
                 else multidim_start(kinds, coded.n_categories, loadings, patterns.codes,
                                     patterns.counts))
        corr = np.eye(dims)
    else:
        start, corr = _given_multidim(pars, spec, coded.items, names)
    if priors is not None:
        labels = [f"a{f + 1}" for f in range(dims)] + [f"d{k}" for k in range(1, spec.k_max)]
        prior = parse_priors(priors, coded.items, labels, dims + coded.n_categories - 1)
        spec.prior = Prior(np.where(spec.free, prior.kind, 0), prior.first, prior.second)
        check_lognormal_signs(spec.prior, start, coded.items)
    with single_threaded_blas():
        fit = md.em(spec, grid, patterns, start, corr, tol=tol,
                    max_cycles=max_cycles if estimate else 0, mirt_path=exploratory)
        if estimate and not fit.converged:
            warn_user(
                f"EM did not converge within tol={tol:g} after {max_cycles} cycles; the result "
                "is flagged (converged=False)", AllianceScaleWarning,
            )
        _warn_runaway(coded.items, np.abs(fit.pars[:, :dims]).max(axis=1))
        edge = [f"{names[r]}-{names[c]} ({fit.corr[r, c]:.3f})" for r, c in free_corr
                if abs(fit.corr[r, c]) > 0.99]
        if edge:
            warn_user("factor correlation(s) at the boundary (|r| > 0.99; no bound is imposed): "
                      + ", ".join(edge) + ". The factors are not distinguished by these data "
                      "(merge them), or the grid is too coarse (raise quadpts).",
                      AllianceScaleWarning)
        if not grid.qmc and estimate:
            _warn_coarse_grid(spec, grid, patterns, fit, names)
        vcov = None
        if se_type != "none":
            if grid.qmc:
                warn_user("no standard errors with quasi-Monte Carlo integration (more than "
                          "three factors): the numerical information is too noisy",
                          AllianceScaleWarning)
            else:
                if se_type == "crossprod":
                    inverse = _invert(md.score_crossprod(spec, grid, patterns, fit.pars,
                                                         fit.corr))
                else:
                    inverse = _invert(md.information(spec, grid, patterns, fit.pars, fit.corr))
                    if se_type == "sandwich":
                        inverse = inverse @ md.score_crossprod(
                            spec, grid, patterns, fit.pars, fit.corr) @ inverse
                vcov = inverse
    label = model if isinstance(model, str) else "mixed (" + ", ".join(per_item) + ")"
    return IRTResult(
        model=label, items=coded.items, categories=coded.categories, loglik=fit.loglik,
        n_obs=int(coded.codes.shape[0]), n_parameters=spec.n_free, variance=1.0,
        iterations=fit.iterations, converged=fit.converged, tol=tol,
        se_type=None if vcov is None else ("oakes" if se_type == "louis" else se_type),
        _vcov=vcov, _spec=spec, _pars=fit.pars,
        _codes=coded.codes, _index=coded.index, _counts=patterns.counts,
        _pattern_codes=patterns.codes, factors=names, latent_corr=fit.corr, _grid=grid,
        exploratory=exploratory,
        _vcov_names=partial(_multidim_parameter_names, spec, coded.items, free_corr),
    )


def _multidim_parameter_names(spec: Any, items: tuple[str, ...],
                              free_corr: tuple[tuple[int, int], ...]) -> list[str]:
    """Names of a multidimensional model's estimated parameters (``item.a1`` ...,
    ``COV_21`` ...), in the order of its information matrix."""
    dims = spec.loadings.shape[1]
    labels = [f"a{f + 1}" for f in range(dims)] + [f"d{k}" for k in range(1, spec.k_max)]
    rows, cols = (index.tolist() for index in np.nonzero(spec.free))
    names = [f"{items[j]}.{labels[p]}" for j, p in zip(rows, cols, strict=True)]
    return names + [f"COV_{r + 1}{c + 1}" for r, c in free_corr]


def _warn_coarse_grid(spec: Any, grid: Any, patterns: Patterns, fit: Any,
                      names: tuple[str, ...]) -> None:
    """Warn when respondents' posteriors are narrower than half the grid's spacing: the
    product rule then integrates poorly (correlations are pulled toward 0)."""
    from ._multidim import posterior_scores

    _, sd = posterior_scores(spec, grid, fit.pars, fit.corr, patterns.codes)
    order = np.argsort(sd, axis=0)
    spacing = grid.nodes[1] - grid.nodes[0]
    narrow, medians = [], []
    for f, name in enumerate(names):
        cum = np.cumsum(patterns.counts[order[:, f]])
        median = sd[order[np.searchsorted(cum, cum[-1] / 2), f], f]
        if median < spacing / 2:
            narrow.append(f"{name} ({median:.2f})")
            medians.append(median)
    if narrow:
        needed = int(np.ceil(2 * THETA_LIM / (2 * min(medians)))) + 1
        warn_user(
            "the quadrature grid is coarse for these data: median posterior SD of "
            + ", ".join(narrow) + f" is below half the spacing of the {grid.nodes.size} "
            f"points ({spacing:.2f}); estimates, correlations above all, are biased toward "
            f"0. Raise quadpts (to at least {needed}).", AllianceScaleWarning)


def _invert(matrix: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.inv(matrix)
    except np.linalg.LinAlgError:
        warn_user("the information matrix is singular: no standard errors",
                  AllianceScaleWarning)
        return np.full(matrix.shape, np.nan)


def _warn_runaway(items: tuple[str, ...], slopes: np.ndarray) -> None:
    runaway = [items[j] for j in np.flatnonzero(slopes > RUNAWAY_SLOPE)]
    if runaway:
        warn_user(
            "slope(s) ran away (|a| > 10; no bound is imposed): "
            + ", ".join(repr(r) for r in runaway)
            + ". The item separates respondents almost perfectly or its categories are "
            "too sparse; inspect it, collapse categories or drop it.",
            AllianceScaleWarning,
        )


def _given_multidim(pars: pd.DataFrame, spec: Any, items: tuple[str, ...],
                    names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Parameters of a confirmatory model given as ``coef()`` returns them (``a1`` ...,
    ``d1`` ...); the correlations from ``pars.attrs["latent_corr"]`` when present. A fitted
    result (anything with ``coef()`` and ``latent_corr``) gives both."""
    if hasattr(pars, "coef") and getattr(pars, "latent_corr", None) is not None:
        frame = pars.coef(se=False)
        frame.attrs["latent_corr"] = pars.latent_corr
        pars = frame
    frame = check_frame("pars", pars)
    dims = len(names)
    out = np.zeros((len(items), dims + spec.k_max - 1))
    for j, item in enumerate(items):
        if item not in frame.index:
            raise OptionError(f"pars has no row for item {item!r}")
        k = int(spec.n_cat[j])
        columns = [f"a{f + 1}" for f in range(dims)] + [f"d{m}" for m in range(1, k)]
        absent = [c for c in columns if c not in frame.columns]
        if absent:
            raise OptionError(f"pars lacks column(s) {', '.join(absent)} (item {item!r})")
        values = frame.loc[item, columns].to_numpy(dtype=float)
        if not np.all(np.isfinite(values)):
            raise OptionError(f"pars of item {item!r} are not all finite")
        out[j, :dims] = np.where(spec.loadings[j], values[:dims], 0.0)
        out[j, dims: dims + k - 1] = values[dims:]
    corr = np.asarray(pars.attrs.get("latent_corr", np.eye(dims)), dtype=float)
    if corr.shape != (dims, dims):
        raise OptionError(f"pars.attrs['latent_corr'] must be {dims} x {dims}")
    return out, corr


def _equalities(constrain: Sequence[Sequence[str]], spec: Spec, items: tuple[str, ...]
                ) -> Equal:
    """mirt's ``constrain`` groups (parameter names ``item.label``) as a linear constraint."""
    names = _parameter_names(spec, items)
    names = names[: int(spec.free.sum())]
    position = {name: i for i, name in enumerate(names)}
    if isinstance(constrain, str) or not isinstance(constrain, Sequence):
        raise OptionError("constrain must be a sequence of groups of parameter names")
    groups = []
    for group in constrain:
        if isinstance(group, str) or not isinstance(group, Sequence) or len(group) < 2:
            raise OptionError(f"constrain: each group names at least two parameters; got "
                              f"{group!r}")
        unknown = [g for g in group if g not in position]
        if unknown:
            raise OptionError("constrain: no estimated parameter "
                              + ", ".join(map(repr, unknown)) + " (names are item.a1, item.d1 "
                              "...)")
        groups.append([position[g] for g in group])
    counts = tuple(int(c) for c in spec.free.sum(axis=1))
    return equal_constraint(groups, names, counts)


def _parameter_names(spec: Spec, items: tuple[str, ...]) -> list[str]:
    if spec.constraint is not None:
        return spec.constraint.names(items) + (["COV_11"] if spec.variance_free else [])
    labels = ["a1"] + [f"d{k}" for k in range(1, spec.k_max)]
    rows, cols = (index.tolist() for index in np.nonzero(spec.free))
    names = [f"{items[j]}.{labels[p]}" for j, p in zip(rows, cols, strict=True)]
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
) -> tuple[Fit, np.ndarray | None, Patterns]:
    """EM, warnings and the covariance of the estimates (BLAS on one thread)."""
    patterns = coded.distinct()
    theta = grid()
    variance = pars.variance if isinstance(pars, IRTResult) else 1.0
    if isinstance(pars, IRTResult):
        pars = pars.coef(se=False)
    start = (start_values(spec, patterns.codes, patterns.counts) if pars is None
             else _given(pars, spec, coded.items))
    if spec.constraint is not None:  # project onto the constrained model
        if spec.constraint.kind == "grsm" and np.any(start[:, 0] < 0):
            reversed_items = [coded.items[j] for j in np.flatnonzero(start[:, 0] < 0)]
            raise AnalysisError(
                "the graded rating scale model shares its thresholds across items, so every "
                "item must point the same way; reverse-key "
                + ", ".join(map(repr, reversed_items)) + " first")
        projected = spec.constraint.full(spec.constraint.phi(start[spec.free]))
        # values on the model already (a fit of it) are kept bit for bit
        if not np.allclose(projected, start[spec.free], rtol=1e-13, atol=1e-13):
            start[spec.free] = projected
    if spec.prior is not None:
        check_lognormal_signs(spec.prior, start, coded.items)
    fit = em(spec, patterns, start, theta, tol=tol, max_cycles=max_cycles if estimate else 0,
             variance=variance)
    if estimate and not fit.converged:
        warn_user(
            f"EM did not converge within tol={tol:g} after {max_cycles} cycles; the result is "
            "flagged (converged=False)", AllianceScaleWarning,
        )
    if not rasch:
        _warn_runaway(coded.items, np.abs(fit.pars[:, 0]))
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
        vcov = inverse  # its DataFrame is made when asked for (IRTResult.vcov)
    return fit, vcov, patterns
