"""How many respondents? :func:`plan_sample_size`, analytic or by Monte Carlo (issue #23).

One call answers both directions, semPower-style: with ``power=`` the N reaching it (a
priori), with ``n=`` the power at N (post hoc), with ``abratio=`` and ``n=`` the critical
value balancing alpha and beta (compromise). The effect is an RMSEA, an F0, or a
misspecified model fitted to a population covariance matrix with the library's
:func:`~alliance_scale.cfa` (the analytic path, :mod:`._power`). A population (a model with
loadings, a ``Population``, or a pilot with its scale) or ``replications=`` sends the
question to the Monte Carlo engine (``design/_montecarlo``), which simulates the study.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_choice, check_integer, check_number
from ..errors import AnalysisError, OptionError
from ._power import (
    TESTS,
    SampleSizePlan,
    a_priori_n,
    compromise_critical,
    monte_carlo_plan,
    power_at,
)

__all__ = ["plan_sample_size"]

#: Null RMSEA of the tests of close and not-close fit (MacCallum, Browne & Sugawara 1996).
CLOSE_RMSEA0 = 0.05
#: Largest df accepted (a model of 1,400 items has about a million).
MAX_DF = 10**6
#: Respondents behind the population matrix handed to cfa (any N: F0 does not depend on it).
_MATRIX_N = 1000


def plan_sample_size(
    *,
    df: int | None = None,
    rmsea: float | None = None,
    f0: float | None = None,
    power: float | None = None,
    n: int | Sequence[int] | None = None,
    alpha: float | None = None,
    abratio: float | None = None,
    rmsea0: float | None = None,
    test: str | None = None,
    cov_matrix: pd.DataFrame | None = None,
    model: str | Mapping[str, Sequence[str]] | Any = None,
    comparison: str | Mapping[str, Sequence[str]] | None = None,
    population: Any = None,
    pilot: pd.DataFrame | None = None,
    scale: Any = None,
    loadings: Any = None,
    factor_correlation: Any = None,
    thresholds: Any = None,
    replications: int | None = None,
    seed: int | None = None,
    estimator: str | None = None,
    targets: Any = None,
    backend: str = "processes",
    address: str | None = None,
    n_workers: int | None = None,
    results: Any = None,
    resume: bool = True,
    batch_size: int | None = None,
    progress: bool | None = None,
) -> Any:
    """How many respondents does the study need? Power of the model test, semPower-style.

    **Analytic** (the default): power of the likelihood-ratio (chi-square) test of a model
    that misfits the population by ``F0``, from the noncentral chi-square with
    ``NCP = (N - 1) F0`` (Satorra & Saris 1985), ``F0 = df RMSEA^2`` (MacCallum, Browne &
    Sugawara 1996), as R's semPower. Give one question:

    - ``power=`` (a priori): the smallest integer N whose power reaches it;
    - ``n=`` (post hoc): the power at N;
    - ``n=`` and ``abratio=`` (compromise): the critical chi-square at which alpha / beta
      equals ``abratio``, with the implied alpha and power;

    and one effect: ``rmsea=``, ``f0=``, or ``cov_matrix=`` with ``model=`` (``F0`` is the
    minimum of the ML discrepancy when :func:`~alliance_scale.cfa` fits ``model`` to the
    population matrix, df the model's; with ``comparison=``, a less restricted model also
    fitted, F0 and df are the differences, semPower's ``comparison = "restricted"``).

    **Monte Carlo**: with a population (``model=`` and ``loadings=`` without
    ``cov_matrix``, ``population=``, or ``pilot=`` with ``scale=``) or ``replications=``,
    the study is simulated by ``simulate_power`` of the Monte Carlo engine
    (``design/_montecarlo``; ``n=`` a sequence of N) and its ``MonteCarloPower`` result
    returned; with ``power=`` as well, the a-priori plan read off the simulated curve: the
    smallest N at which the logistic curve in log N fitted to the rejections of the first
    target (the model test ``"chisq"`` by default) reaches ``power``, with its confidence
    interval (:func:`~alliance_scale.smallest_n`).

    Parameters
    ----------
    df : int, optional
        Degrees of freedom of the test (1 to 10^6). Required with ``rmsea`` / ``f0``; with
        ``cov_matrix`` it overrides the model's (e.g. 1 for a nested comparison).
    rmsea : float, optional
        RMSEA of the alternative (the misfit to detect), in (0, 1] ([0, 1) for not-close
        fit).
    f0 : float, optional
        Population minimum of the ML fit function instead of ``rmsea`` (``df RMSEA^2``;
        at most ``df``, an RMSEA of 1).
    power : float, optional
        Target power in (0, 1): a-priori analysis (analytic or on the simulated curve).
    n : int or sequence of int, optional
        Respondents: post hoc (or compromise) analysis; the N simulated for Monte Carlo
        (e.g. ``range(100, 601, 25)``).
    alpha : float, optional
        Type I error rate in (0, 1), default 0.05 (implied in a compromise analysis).
    abratio : float, optional
        Ratio alpha / beta wanted (1e-6 to 1e6; 1 makes both errors equal): compromise
        analysis.
    rmsea0 : float, optional
        RMSEA under the null: a test of close fit when ``rmsea`` is larger (MacCallum et al.
        use .05 against .08), of not-close fit when ``rmsea`` is smaller (.05 against .01).
        Default 0 (exact fit), or .05 when ``test`` asks for close or not-close fit.
    test : {"exact", "close", "not close"}, optional
        The null hypothesis; by default taken from ``rmsea0`` as above.
    cov_matrix : DataFrame, optional
        Population covariance matrix (items as row and column names) the model misfits.
    model : str or mapping or Scale, optional
        lavaan syntax or factor -> items: with ``cov_matrix``, the model whose misfit is
        the effect; otherwise the Monte Carlo population's model.
    comparison : str or mapping, optional
        With ``cov_matrix``: the less restricted model ``model`` is tested against.
    population : Population, optional
        Monte Carlo: the population simulated (see ``_montecarlo.Population``).
    pilot : DataFrame, optional
        Monte Carlo: the pilot's responses, the population taken from its fit (``scale=``).
    scale : Scale, optional
        The scale of ``pilot``.
    loadings, factor_correlation, thresholds : optional
        Monte Carlo: the population of ``model``.
    replications : int, optional
        Monte Carlo replications per N (default of the engine: 1,000).
    seed, estimator, targets, backend, address, n_workers, results, resume, batch_size, progress
        Monte Carlo: passed to ``simulate_power`` (the estimator by default WLSMV for a
        population of ordered items, ML otherwise; a seed for every random step; the
        backend ``"serial"``, ``"processes"`` or ``"dask"`` with a scheduler ``address``;
        a results file to stream to and resume from; ``progress``: a bar on a terminal).

    Returns
    -------
    SampleSizePlan or MonteCarloPower
        The plan (``.n``, ``.power``, ``.ncp``, ``.critical`` ...; printed as semPower's
        summary with its rule and source; Monte Carlo: ``.n_ci`` and ``.simulation``), or,
        Monte Carlo without ``power=``, the simulation itself.

    Raises
    ------
    OptionError
        A question or an effect missing or given twice, df < 1, alpha or power outside
        (0, 1), ``rmsea`` on the wrong side of ``rmsea0`` for the test asked, a power not
        reached with up to 10^9 respondents or, Monte Carlo, within the N simulated (the
        best power named), Monte Carlo options with the analytic path.
    AnalysisError
        The model cannot be fitted to ``cov_matrix``; Monte Carlo asked while the engine
        is not available.

    Notes
    -----
    semPower's vignette values are reproduced: RMSEA .05, df 50, power .80: N = 243;
    RMSEA .08, df 2,000: N = 14; its CFA example (F0 0.027416, NCP 8.197285 at N = 300,
    power 0.8168). For RMSEA .01 on 1 df semPower prints N = 78,516, the stopping point of
    its Nelder-Mead search; the smallest N reaching .80 is 78,490 (power .80000197 by R's
    ``pchisq`` and by scipy alike; 78,489 gives .79999698). Redone in R on the 96
    exact-fit cases of the reference table, semPower's search misses the smallest
    sufficient N in 49, 27 times below it (power short of the target, by up to 0.7 %).
    Below N = 10 semPower reports 10 with a precision warning; here the search goes down
    to N = 2.

    References
    ----------
    MacCallum, R. C., Browne, M. W., & Sugawara, H. M. (1996). Power analysis and
    determination of sample size for covariance structure modeling. Psychological Methods,
    1, 130-149. Satorra, A., & Saris, W. E. (1985). Power of the likelihood ratio test in
    covariance structure analysis. Psychometrika, 50, 83-90. Moshagen, M., & Bader, M.
    (2024). semPower: General power analysis for structural equation models. Behavior
    Research Methods, 56, 2901-2922.

    Examples
    --------
    >>> import alliance_scale as als
    >>> als.plan_sample_size(df=50, rmsea=0.05, power=0.80).n   # semPower.aPriori
    243
    >>> round(als.plan_sample_size(df=50, rmsea=0.05, n=200).power, 3)   # semPower.postHoc
    0.684
    >>> plan = als.plan_sample_size(df=50, rmsea=0.08, rmsea0=0.05, power=0.80)
    >>> plan.test, plan.n                                        # close fit (MacCallum 1996)
    ('close', 214)
    """
    monte_carlo = (population is not None or pilot is not None or replications is not None
                   or (model is not None and cov_matrix is None))
    if monte_carlo:
        return _monte_carlo(
            df=df, rmsea=rmsea, f0=f0, power=power, n=n, alpha=alpha, abratio=abratio,
            rmsea0=rmsea0, test=test, cov_matrix=cov_matrix, comparison=comparison,
            population=population, pilot=pilot, scale=scale, model=model, loadings=loadings,
            factor_correlation=factor_correlation, thresholds=thresholds,
            replications=replications, seed=seed, estimator=estimator, targets=targets,
            backend=backend, address=address, n_workers=n_workers, results=results,
            resume=resume, batch_size=batch_size, progress=progress)
    extra = {"scale": scale, "loadings": loadings, "factor_correlation": factor_correlation,
             "thresholds": thresholds, "seed": seed, "targets": targets, "address": address,
             "n_workers": n_workers, "results": results, "batch_size": batch_size,
             "progress": progress}
    given = [k for k, v in extra.items() if v is not None]
    if given or estimator is not None or backend != "processes" or resume is not True:
        name = given[0] if given else ("estimator" if estimator is not None else
                                       "backend" if backend != "processes" else "resume")
        raise OptionError(f"{name} is a Monte Carlo option: give a population (model= with "
                          "loadings=, population= or pilot= with scale=) or replications=")
    return _analytic(df=df, rmsea=rmsea, f0=f0, power=power, n=n, alpha=alpha,
                     abratio=abratio, rmsea0=rmsea0, test=test, cov_matrix=cov_matrix,
                     model=model, comparison=comparison)


# --------------------------------------------------------------------------- analytic


def _analytic(*, df: Any, rmsea: Any, f0: Any, power: Any, n: Any, alpha: Any,
              abratio: Any, rmsea0: Any, test: Any, cov_matrix: Any, model: Any,
              comparison: Any) -> SampleSizePlan:
    kind = _kind(power, n, abratio, alpha)
    effects = [k for k, v in (("rmsea", rmsea), ("f0", f0), ("cov_matrix", cov_matrix))
               if v is not None]
    if len(effects) != 1:
        raise OptionError("give one effect: rmsea=, f0= or cov_matrix= with model= "
                          + (f"(got {', '.join(effects)})" if effects else "(got none)"))
    if comparison is not None and cov_matrix is None:
        raise OptionError("comparison= goes with cov_matrix= and model=")
    if df is not None:
        df = check_integer("df", df, minimum=1, maximum=MAX_DF)
    if cov_matrix is not None:
        if model is None:
            raise OptionError("cov_matrix= needs model=, the model whose misfit is the effect")
        f0_value, model_df, label = _model_discrepancy(cov_matrix, model, comparison)
        if df is None:
            df = model_df
        if df < 1:
            raise OptionError(f"df: the model has {model_df} degrees of freedom; a test needs "
                              "at least 1 (a saturated model cannot be rejected)")
        effect = label
    elif df is None:
        raise OptionError("df is needed with rmsea= or f0= (the model's degrees of freedom)")
    else:
        effect = "RMSEA" if rmsea is not None else "F0"
        f0_value = (check_number("rmsea", rmsea, 0, 1) ** 2 * df if rmsea is not None
                    else check_number("f0", f0, 0, df))  # RMSEA <= 1
    rmsea_value = math.sqrt(f0_value / df)
    test, rmsea0_value = _test(test, rmsea0, rmsea_value, effect)
    f00 = df * rmsea0_value**2
    if test == "exact" and f0_value <= 0:
        raise OptionError(f"{'rmsea' if effect == 'RMSEA' else 'f0'}: the alternative must "
                          "misfit (> 0) for a test of exact fit to have power")
    if kind == "compromise":
        size = check_integer("n", n, minimum=2)
        ratio = check_number("abratio", abratio, 1e-6, 1e6)
        critical = compromise_critical(ratio, size, df, f0_value, f00, test)
        alpha_value = _rejection(critical, df, (size - 1) * f00, test)  # under the null
        power_value = _rejection(critical, df, (size - 1) * f0_value, test)
        return SampleSizePlan(kind, "analytic", test, size, power_value, alpha_value, df,
                              f0_value, rmsea_value, rmsea0_value, (size - 1) * f0_value,
                              critical, abratio=ratio, effect=effect)
    alpha_value = 0.05 if alpha is None else check_number("alpha", alpha, 0, 1, low_open=True,
                                                          high_open=True)
    if kind == "a priori":
        target = check_number("power", power, 0, 1, low_open=True, high_open=True)
        size = a_priori_n(target, df, f0_value, f00, alpha_value, test)
    else:
        target = None
        size = check_integer("n", n, minimum=2)
    power_value, critical = power_at(size, df, f0_value, f00, alpha_value, test)
    return SampleSizePlan(kind, "analytic", test, size, float(power_value), alpha_value, df,
                          f0_value, rmsea_value, rmsea0_value, (size - 1) * f0_value,
                          float(critical), target_power=target, effect=effect)


def _kind(power: Any, n: Any, abratio: Any, alpha: Any) -> str:
    """The question asked: a priori (power=), post hoc (n=) or compromise (abratio= and n=)."""
    if abratio is not None:
        if power is not None or n is None:
            raise OptionError("abratio= (compromise analysis) goes with n=, without power=")
        if alpha is not None:
            raise OptionError("alpha: a compromise analysis derives alpha from abratio= and "
                              "n=; leave alpha out")
        return "compromise"
    if power is not None and n is not None:
        raise OptionError("give power= (a priori: the N reaching it) or n= (post hoc: the "
                          "power at N), not both")
    if power is None and n is None:
        raise OptionError("give power= (a priori: the N reaching it), n= (post hoc: the "
                          "power at N) or n= with abratio= (compromise)")
    return "a priori" if power is not None else "post hoc"


def _test(test: Any, rmsea0: Any, rmsea: float, effect: str) -> tuple[str, float]:
    """The test and its null RMSEA, checked against the alternative's RMSEA."""
    name = "rmsea" if effect == "RMSEA" else "f0" if effect == "F0" else "cov_matrix"
    if test is not None:
        check_choice("test", test, TESTS)
    if rmsea0 is None:
        null = 0.0 if test in (None, "exact") else CLOSE_RMSEA0
    else:
        null = check_number("rmsea0", rmsea0, 0, 1)
    if test is None:
        if null == 0:
            test = "exact"
        elif rmsea == null:
            raise OptionError(f"{name}: the alternative's RMSEA {rmsea:g} equals rmsea0; a "
                              "test of close fit needs it larger, of not-close fit smaller")
        else:
            test = "close" if rmsea > null else "not close"
    if test == "exact" and null != 0:
        raise OptionError(f"rmsea0: a test of exact fit has rmsea0 = 0; got {null:g} (use "
                          "test='close' or 'not close')")
    if test == "close" and not rmsea > null:
        raise OptionError(f"{name}: a test of close fit needs the alternative's RMSEA "
                          f"({rmsea:g}) above rmsea0 ({null:g})")
    if test == "not close" and not rmsea < null:
        raise OptionError(f"{name}: a test of not-close fit needs the alternative's RMSEA "
                          f"({rmsea:g}) below rmsea0 ({null:g})")
    return test, null


def _rejection(critical: float, df: float, ncp: float, test: str) -> float:
    """Probability of the rejection region (above ``critical``, below for not-close fit)
    under chi2(df, ncp): alpha under the null's NCP, power under the alternative's."""
    from ._power import _cdf, _sf

    return float(_sf(critical, df, ncp) if test != "not close" else _cdf(critical, df, ncp))


def _model_discrepancy(cov_matrix: Any, model: Any,
                       comparison: Any) -> tuple[float, int, str]:
    """F0 and df of ``model`` (minus ``comparison``'s) fitted by ML to a population matrix.

    cfa treats ``cov_matrix`` as lavaan's ``sample.cov`` and rescales it by (N - 1) / N; the
    matrix is handed over multiplied by N / (N - 1) so that the model is fitted to the
    population matrix itself. lavaan's ``fmin`` is half the ML discrepancy
    ``log|Sigma(theta)| - log|S| + tr(S Sigma(theta)^-1) - p``, so ``F0 = 2 fmin``.
    """
    from ..psychometrics import cfa

    if not isinstance(cov_matrix, pd.DataFrame):
        raise OptionError("cov_matrix must be a DataFrame whose rows and columns are the "
                          "item names of the model")
    matrix = cov_matrix.astype(float) * (_MATRIX_N / (_MATRIX_N - 1))
    values = np.linalg.eigvalsh(cov_matrix.to_numpy(dtype=float))
    if not np.all(np.isfinite(values)) or values.min() <= 0:
        raise AnalysisError("cov_matrix is not positive definite (smallest eigenvalue "
                            f"{values.min():.3g}): not a population covariance matrix")
    fits = [cfa(model=m, cov_matrix=matrix, n_obs=_MATRIX_N)
            for m in ((model,) if comparison is None else (model, comparison))]
    f0 = 2 * float(fits[0].fit["fmin"])
    df = int(fits[0].fit["df"])
    label = "the model fitted to cov_matrix"
    if comparison is not None:
        f0 -= 2 * float(fits[1].fit["fmin"])
        df -= int(fits[1].fit["df"])
        label = "the model against the comparison model, both fitted to cov_matrix"
        if df < 1:
            raise OptionError(f"comparison: it must be less restricted than model (df "
                              f"{int(fits[1].fit['df'])} against {int(fits[0].fit['df'])})")
    return max(f0, 0.0), df, label


# --------------------------------------------------------------------------- Monte Carlo


def _monte_carlo(*, df: Any, rmsea: Any, f0: Any, power: Any, n: Any, alpha: Any,
                 abratio: Any, rmsea0: Any, test: Any, cov_matrix: Any, comparison: Any,
                 population: Any, pilot: Any, scale: Any, model: Any, loadings: Any,
                 factor_correlation: Any, thresholds: Any, replications: Any,
                 **options: Any) -> Any:
    """Build the population and run ``simulate_power`` (the engine in ``design/_montecarlo``)."""
    analytic = {"df": df, "rmsea": rmsea, "f0": f0, "abratio": abratio, "rmsea0": rmsea0,
                "test": test, "cov_matrix": cov_matrix, "comparison": comparison}
    given = [k for k, v in analytic.items() if v is not None]
    if given:
        raise OptionError(f"{given[0]} is an option of the analytic plan; a Monte Carlo plan "
                          "simulates the population given by model= with loadings=, "
                          "population= or pilot= with scale=")
    if power is not None:
        power = check_number("power", power, 0, 1, low_open=True, high_open=True)
    sources = [k for k, v in (("population", population), ("pilot", pilot), ("model", model))
               if v is not None]
    if len(sources) != 1:
        raise OptionError("give one population: model= (with loadings=), population= or "
                          f"pilot= (with scale=); got {', '.join(sources) or 'none'}")
    if n is None:
        raise OptionError("n: give the sample sizes to simulate, e.g. n=range(100, 601, 25)")
    sizes = [n] if isinstance(n, (int, np.integer)) else list(n)
    sizes = [check_integer("n", s, minimum=2) for s in sizes]
    if not sizes:
        raise OptionError("n: give at least one sample size to simulate")
    try:
        from . import _montecarlo
    except ImportError as error:
        raise AnalysisError("Monte Carlo planning needs design._montecarlo, the simulation "
                            "engine, which this installation lacks; the analytic plan "
                            "(rmsea=, f0= or cov_matrix= with model=) is available") from error
    if pilot is not None:
        if scale is None:
            raise OptionError("pilot= needs scale=, the scale the pilot answered")
        population = _montecarlo.Population.from_pilot(pilot, scale)
    elif model is not None:
        given = {k: v for k, v in (("factor_correlation", factor_correlation),
                                    ("thresholds", thresholds)) if v is not None}
        population = _montecarlo.Population(model=model, loadings=loadings, **given)
    else:
        unused = [k for k, v in (("scale", scale), ("loadings", loadings),
                                 ("factor_correlation", factor_correlation),
                                 ("thresholds", thresholds)) if v is not None]
        if unused:
            raise OptionError(f"{unused[0]}: population= already holds the population")
    keywords = dict(options)
    if keywords.get("estimator") is None:  # the population's own: WLSMV for ordered items
        keywords["estimator"] = "WLSMV" if getattr(population, "ordered", False) else "ML"
    keywords["alpha"] = 0.05 if alpha is None else check_number(
        "alpha", alpha, 0, 1, low_open=True, high_open=True)
    if replications is not None:
        keywords["replications"] = check_integer("replications", replications, minimum=1)
    targets = keywords.get("targets")
    planned = ("chisq" if targets is None else targets if isinstance(targets, str)
               else next(iter(targets), "chisq"))
    simulation = _montecarlo.simulate_power(population, n=sizes, **keywords)
    if power is None:
        return simulation
    return monte_carlo_plan(simulation, str(planned), power)
