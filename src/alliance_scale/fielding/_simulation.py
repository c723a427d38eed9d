"""Simulated administrations of a scale from a known model (the truth is returned with the data).

One job: draw answers to a :class:`~alliance_scale.Scale` (and WAI-style Bordin scores)
from a stated model, so that every analysis of the library can be checked against a known
truth and the bundled pilot data (``data/``) can be regenerated bit for bit.

The model (all steps seeded; see :func:`simulate`) is the usual graded (ordinal) common-factor
model of Likert items (Muthén 1984; Flora & Curran 2004):

1. latent factors, one per facet (or per dimension), multivariate normal with unit variances
   and a correlation matrix that follows the blueprint (facets of one dimension correlate
   more than facets of different dimensions);
2. a continuous latent response per item, ``y* = loading * factor + sqrt(1 - loading^2) * e``
   with ``e`` standard normal, so that ``y*`` has unit variance and ``loading`` is the
   standardised loading a polychoric factor analysis should recover; reverse-keyed items get
   a negative loading;
3. ordinal answers ``1 + #{thresholds below y*}``, with thresholds that make the answers
   skewed towards the agree end, as alliance ratings are;
4. optional careless respondents (straight-liners and random responders) and missing answers
   (missing completely at random);
5. WAI-style goal / task / bond mean scores (1-5) related to the factors as the blueprint's
   Bordin hypotheses say.

Hand-written rather than taken from a library: no Python package simulates ordinal
factor-model data with reverse keying, careless respondents and a known criterion at once
(R's ``psych::sim.congeneric`` / ``sim.structure`` cover only step 1-3, without keys).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._checks import (
    check_array,
    check_choice,
    check_flag,
    check_instance,
    check_integer,
    check_number,
    check_seed,
)
from .._io import MEMORY_BUDGET, check_budget
from .._results import Result, result
from ..errors import AnalysisError, OptionError
from ..instrument._blueprint import BORDIN, Blueprint, load_blueprint
from ..instrument._scale import Scale
from ..psychometrics._correlation._correlation import is_positive_definite

__all__ = [
    "WAI_COLUMNS",
    "SimulationResult",
    "SimulationTruth",
    "simulate",
    "simulate_retest",
]

#: Shape parameters of the Beta distribution whose equal-width bins give the default share
#: of answers in each category: Beta(3, 1.5) has mean 2/3, i.e. 3.67 on a 1-5 scale, with
#: most answers at "agree" / "strongly agree" as usual for alliance ratings (WAI-SR means
#: around 3.8-4 on 1-5; Hatcher & Gillaspy 2006; Munder et al. 2010).
DEFAULT_CATEGORY_BETA = (3.0, 1.5)

#: What the latent factors can be (``level`` of :func:`simulate`).
LEVELS = ("facet", "dimension")

#: Mean and standard deviation of the simulated WAI-style mean scores (WAI-SR-like, 1-5).
WAI_MEAN = 3.9
WAI_SD = 0.65

#: Names of the simulated WAI-style columns, in Bordin's order.
WAI_COLUMNS = tuple(f"wai_{component}" for component in BORDIN)

#: Kinds of careless respondent injected (alternating, straight-liners first).
CARELESS_KINDS = ("straight-line", "random")

# Independent random streams (SeedSequence children), so that e.g. changing missing_rate
# does not change the answers of the other cells. New streams go at the end: a stream's
# draws depend on its position, so appending one leaves the others (and data/) unchanged.
_STREAMS = ("loadings", "thresholds", "factors", "noise", "wai", "careless", "missing",
            "retest")


@result
class SimulationTruth(Result):
    """The model behind a simulated administration.

    Attributes
    ----------
    level : {"facet", "dimension"}
        What the latent factors are.
    loadings : DataFrame
        Items (administration order) x factors: the standardised loading of each item on its
        factor (negative for reverse-keyed items), 0 elsewhere.
    factor_correlation : DataFrame
        Factors x factors correlation matrix of the latent factors (population value).
    factor_scores : DataFrame
        Respondents x factors: the latent factor values drawn (index ``respondent``).
    thresholds : DataFrame
        Items x ``tau1 ... tau(points-1)``: the cut points on the standardised latent response.
    wai_weights : DataFrame
        Bordin components (``goal``, ``task``, ``bond``) x factors: standardised regression
        weights of each latent WAI component on the factors (empty when ``wai=False``).
    careless : DataFrame
        One row per injected careless respondent (index ``respondent``), column ``kind``
        (``"straight-line"`` or ``"random"``).
    missing_rate : float
        Requested share of missing item answers (MCAR).
    seed : int, numpy Generator or None
        The seed of the call, as given.

    Examples
    --------
    >>> truth = als.simulate(als.draft_scale(items_per_facet=3), 100, seed=0).truth
    >>> truth.factor_correlation.shape
    (9, 9)
    """

    level: str
    loadings: pd.DataFrame
    factor_correlation: pd.DataFrame
    factor_scores: pd.DataFrame
    thresholds: pd.DataFrame
    wai_weights: pd.DataFrame
    careless: pd.DataFrame
    missing_rate: float
    seed: int | np.random.Generator | None

    @property
    def wai_factor_correlation(self) -> pd.DataFrame:
        """Components x factors: population correlation of each latent WAI component with
        each factor (``wai_weights @ factor_correlation``)."""
        return self.wai_weights @ self.factor_correlation

    @property
    def careless_ids(self) -> list[Any]:
        """Respondent ids of the injected careless respondents, in increasing order."""
        return list(self.careless.index)

    def to_frame(self) -> pd.DataFrame:
        """Items x (loadings on each factor, thresholds)."""
        return self.loadings.join(self.thresholds)

    def _summary(self) -> dict[str, Any]:
        return {"level": self.level, "factors": len(self.factor_correlation),
                "careless respondents": len(self.careless), "seed": self.seed}


@result
class SimulationResult(Result):
    """A simulated administration and the truth it was drawn from.

    Attributes
    ----------
    data : DataFrame
        Index ``respondent`` (1..n); the item columns in the scale's administration order
        (float, 1..points, NaN for a missing answer); then ``wai_goal``, ``wai_task``,
        ``wai_bond`` when simulated.
    truth : SimulationTruth
        Loadings, factor correlations, factor scores, thresholds, WAI weights, careless ids.
    item_ids : list of str
        The item columns of ``data``.

    Examples
    --------
    >>> sim = als.simulate(als.draft_scale(items_per_facet=3), 100, seed=0)
    >>> sim.truth.level, len(sim.truth.careless)
    ('facet', 0)
    """

    data: pd.DataFrame
    truth: SimulationTruth
    item_ids: list[str]

    @property
    def items(self) -> pd.DataFrame:
        """The item columns of :attr:`data` only."""
        return self.data[self.item_ids]

    def to_frame(self) -> pd.DataFrame:
        """The simulated data (respondents x items and WAI scores)."""
        return self.data

    def _summary(self) -> dict[str, Any]:
        return {
            "respondents": len(self.data),
            "items": len(self.item_ids),
            "factors": f"{len(self.truth.factor_correlation)} ({self.truth.level} level)",
            "missing answers (share)": float(self.items.isna().to_numpy().mean()),
            "careless respondents": len(self.truth.careless),
        }


# --------------------------------------------------------------------------------------------
# argument checks


def _rate(name: str, value: Any) -> float:
    """A probability in [0, 1)."""
    return check_number(name, value, 0.0, 1.0, high_open=True)


def _correlation_value(name: str, value: Any) -> float:
    """A correlation in (-1, 1)."""
    return check_number(name, value, -1.0, 1.0, low_open=True, high_open=True)


#: Peak memory of a simulation per respondent and column (bytes; measured: 212 MB for
#: 100,000 respondents x 80 items with missing and careless answers).
_BYTES_PER_CELL = 32


def _most_respondents(items: int) -> int:
    return int(MEMORY_BUDGET // ((items + 8) * _BYTES_PER_CELL))


def _check_arguments(scale: Any, n: Any, level: str, loading: Any, loading_spread: Any) -> None:
    check_instance("scale", scale, Scale, "see draft_scale")
    if len(scale.items) < 2:
        raise AnalysisError(f"scale has {len(scale.items)} item(s); at least 2 are needed")
    check_integer("n", n, minimum=1)
    check_budget(f"simulating {n:,} respondents x {len(scale.items)} items",
                 float(n) * (len(scale.items) + 8) * _BYTES_PER_CELL, OptionError,
                 f"at most {_most_respondents(len(scale.items)):,} respondents of this "
                 "scale at once; simulate batches with different seeds")
    check_choice("level", level, LEVELS)
    check_number("loading", loading, 0.0, 1.0, low_open=True, high_open=True)
    check_number("loading_spread", loading_spread, 0.0, 1.0, high_open=True)


# --------------------------------------------------------------------------------------------
# model parts


def _factor_names(scale: Scale, level: str) -> list[str]:
    """Factors in tree order (sorted ids, as :attr:`Scale.keys` lists them)."""
    return sorted({getattr(item, level) for item in scale.items})


def _default_correlation(
    factors: list[str], dimension_of: dict[str, str], within: float, between: float
) -> np.ndarray:
    same = np.array([[dimension_of[a] == dimension_of[b] for b in factors] for a in factors])
    matrix = np.where(same, within, between)
    np.fill_diagonal(matrix, 1.0)
    return matrix


def _factor_correlation(
    factor_correlation: Any, factors: list[str], dimension_of: dict[str, str],
    within: float, between: float,
) -> np.ndarray:
    """The factor correlation matrix asked for, checked (symmetric, unit diagonal, PD)."""
    k = len(factors)
    if factor_correlation is None:
        matrix = _default_correlation(factors, dimension_of, within, between)
    elif isinstance(factor_correlation, (int, float, np.floating, np.integer)):
        value = _correlation_value("factor_correlation", factor_correlation)
        matrix = np.full((k, k), value)
        np.fill_diagonal(matrix, 1.0)
    else:
        if isinstance(factor_correlation, pd.DataFrame):
            missing = [f for f in factors if f not in factor_correlation.index
                       or f not in factor_correlation.columns]
            if missing:
                raise OptionError(
                    f"factor_correlation has no row/column for factor(s) {', '.join(missing)}"
                )
            factor_correlation = factor_correlation.loc[factors, factors]
        matrix = check_array("factor_correlation", factor_correlation)
        if matrix.shape != (k, k):
            raise OptionError(
                f"factor_correlation must be {k} x {k} (factors {', '.join(factors)}), "
                f"got shape {matrix.shape}"
            )
        if (not np.allclose(matrix, matrix.T) or not np.allclose(np.diag(matrix), 1.0)
                or np.isnan(matrix).any()):
            raise OptionError(
                "factor_correlation must be a symmetric correlation matrix with a unit diagonal"
            )
    if k > 1 and not is_positive_definite(matrix):
        raise OptionError(
            "factor_correlation is not positive definite (smallest eigenvalue "
            f"{np.linalg.eigvalsh(matrix).min():.3g}); lower the correlations"
        )
    return matrix


def _category_proportions(points: int, category_proportions: Sequence[float] | None) -> np.ndarray:
    from scipy import stats
    if category_proportions is None:
        edges = np.linspace(0.0, 1.0, points + 1)
        return np.diff(stats.beta.cdf(edges, *DEFAULT_CATEGORY_BETA))
    shares = check_array("category_proportions", category_proportions)
    if shares.shape != (points,) or np.any(shares <= 0) or np.isnan(shares).any():
        raise OptionError(
            f"category_proportions must be {points} positive numbers (one per answer code)"
        )
    return shares / shares.sum()


def _thresholds(
    scale: Scale, shares: np.ndarray, spread: float, rng: np.random.Generator
) -> pd.DataFrame:
    """Cut points: normal quantiles of the cumulative shares, shifted per item by N(0, spread).

    They are the thresholds of agreement with the positively keyed statement. For a
    reverse-keyed item the answer is the mirror of that agreement, which is the same cut rule
    applied with the mirrored thresholds ``-tau[::-1]`` (so reversed items are skewed towards
    "disagree", as an attentive respondent with a good alliance answers them).
    """
    from scipy import stats

    base = stats.norm.ppf(np.cumsum(shares)[:-1])
    shift = rng.normal(0.0, spread, size=len(scale.items))
    values = base[None, :] + shift[:, None]
    reverse = np.array([item.keyed < 0 for item in scale.items])
    values[reverse] = -values[reverse, ::-1]
    return pd.DataFrame(values, index=pd.Index(scale.item_ids, name="item"),
                        columns=[f"tau{k + 1}" for k in range(len(base))])


def _loadings(
    scale: Scale, factors: list[str], level: str, loading: float, spread: float,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Standardised loadings ~ N(loading, spread), clipped to [.20, .95], signed by the key."""
    size = np.clip(rng.normal(loading, spread, size=len(scale.items)), 0.20, 0.95)
    matrix = np.zeros((len(scale.items), len(factors)))
    column = [factors.index(getattr(item, level)) for item in scale.items]
    keyed = np.array([1.0 if item.keyed >= 0 else -1.0 for item in scale.items])
    matrix[np.arange(len(scale.items)), column] = size * keyed
    return pd.DataFrame(matrix, index=pd.Index(scale.item_ids, name="item"), columns=factors)


def _cut(latent: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Ordinal codes 1..points: 1 + number of an item's thresholds below the latent response."""
    return 1.0 + (latent[:, :, None] > thresholds[None, :, :]).sum(axis=2)


def _latent_responses(
    factor_scores: np.ndarray, loadings: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """``y* = F L' + e * sqrt(1 - communality)``: unit-variance latent responses."""
    unique_sd = np.sqrt(1.0 - (loadings ** 2).sum(axis=1))
    noise = rng.standard_normal((factor_scores.shape[0], loadings.shape[0]))
    return factor_scores @ loadings.T + noise * unique_sd


def _bordin_hypotheses(scale: Scale, blueprint: Blueprint) -> dict[str, set[str]]:
    """Per item: the Bordin components its leaf theme is hypothesised to relate to.

    Uses :meth:`Blueprint.bordin_of` (the theme's own hypothesis, else its facet's, else its
    dimension's), so the rule lives in one place.
    """
    leaves = {t.id for t in blueprint.themes}
    hypotheses = {}
    for item in scale.items:
        if item.theme not in leaves:
            raise AnalysisError(
                f"item {item.id!r} has theme {item.theme!r}, which the blueprint does not have"
            )
        hypotheses[item.id] = set(blueprint.bordin_of(item.theme))
    return hypotheses


def _wai_weights(
    scale: Scale, factors: list[str], level: str, phi: np.ndarray, blueprint: Blueprint,
    validity: float,
) -> pd.DataFrame:
    """Standardised weights of each latent WAI component on the factors.

    The raw weight of factor f for component c is the share of f's items whose theme is
    hypothesised to relate to c; the composite ``sum_f w_cf F_f`` is rescaled so that it
    correlates ``validity`` with the latent component (the rest is unique noise).
    """
    hypotheses = _bordin_hypotheses(scale, blueprint)
    raw = np.zeros((len(BORDIN), len(factors)))
    for j, factor in enumerate(factors):
        members = [i.id for i in scale.items if getattr(i, level) == factor]
        for c, component in enumerate(BORDIN):
            raw[c, j] = np.mean([component in hypotheses[m] for m in members])
    variance = np.einsum("cf,fg,cg->c", raw, phi, raw)
    scale_by = np.divide(validity, np.sqrt(variance), out=np.zeros_like(variance),
                         where=variance > 0)
    return pd.DataFrame(raw * scale_by[:, None], index=pd.Index(BORDIN, name="component"),
                        columns=factors)


def _wai_scores(
    factor_scores: np.ndarray, weights: np.ndarray, phi: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """WAI-style mean scores: ``3.9 + 0.65 * (F b' + u)``, clipped to 1-5, 2 decimals.

    ``u`` is normal with variance ``1 - b Phi b'``, so each latent component has unit variance.
    """
    explained = factor_scores @ weights.T
    unique_var = np.clip(1.0 - np.einsum("cf,fg,cg->c", weights, phi, weights), 0.0, 1.0)
    latent = explained + rng.standard_normal(explained.shape) * np.sqrt(unique_var)
    return np.round(np.clip(WAI_MEAN + WAI_SD * latent, 1.0, 5.0), 2)


def _normal_factors(n: int, phi: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of N(0, phi): standard normals times the Cholesky factor of ``phi``."""
    return rng.standard_normal((n, len(phi))) @ np.linalg.cholesky(phi).T


def _inject_careless(
    answers: np.ndarray, rate: float, points: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Replace ``round(rate * n)`` random rows by straight-lining or uniform random answers."""
    n, k = answers.shape
    count = round(rate * n)
    rows = np.sort(rng.choice(n, size=count, replace=False))
    kinds = np.arange(count) % 2  # 0 straight-line, 1 random
    order = rng.permutation(count)  # which of the chosen rows get which kind
    kinds = kinds[order]
    straight = rows[kinds == 0]
    answers[straight, :] = rng.integers(1, points + 1, size=len(straight))[:, None]
    random_rows = rows[kinds == 1]
    answers[random_rows, :] = rng.integers(1, points + 1, size=(len(random_rows), k))
    return rows, kinds


def _item_frame(answers: np.ndarray, item_ids: list[str], respondents: pd.Index) -> pd.DataFrame:
    return pd.DataFrame(answers, index=respondents, columns=item_ids)


def _streams(seed: np.random.Generator) -> dict[str, np.random.Generator]:
    """One independent stream per random step, spawned from ``seed`` (an integer seed gives
    the children of ``SeedSequence(seed)``, as in every earlier release)."""
    return dict(zip(_STREAMS, seed.spawn(len(_STREAMS)), strict=True))


def _apply_missing(answers: np.ndarray, rate: float, rng: np.random.Generator) -> None:
    """Set each cell missing with probability ``rate`` (MCAR), in place."""
    answers[rng.random(answers.shape) < rate] = np.nan


# --------------------------------------------------------------------------------------------
# public functions


def simulate(
    scale: Scale,
    n: int,
    *,
    seed: int | np.random.Generator | None,
    level: str = "facet",
    loading: float = 0.7,
    loading_spread: float = 0.1,
    factor_correlation: float | np.ndarray | pd.DataFrame | None = None,
    within_dimension: float = 0.5,
    between_dimensions: float = 0.3,
    threshold_spread: float = 0.2,
    category_proportions: Sequence[float] | None = None,
    missing_rate: float = 0.0,
    careless_rate: float = 0.0,
    wai: bool = True,
    wai_validity: float = 0.8,
    blueprint: Blueprint | None = None,
    bordin: Mapping[str, Sequence[str]] | None = None,
) -> SimulationResult:
    """Simulate answers to ``scale`` from a graded common-factor model with a known truth.

    The model, step by step (every random step drawn from ``seed``):

    1. **Factors.** One latent factor per facet of the scale (``level="facet"``) or per
       dimension (``level="dimension"``), standard multivariate normal with correlation matrix
       ``factor_correlation``. By default facets of the same dimension correlate
       ``within_dimension`` (.5) and facets of different dimensions ``between_dimensions``
       (.3); with ``level="dimension"`` dimensions correlate ``between_dimensions``.
    2. **Loadings.** Each item loads on its own factor only, with a standardised loading drawn
       from N(``loading``, ``loading_spread``) and clipped to [.20, .95]; reverse-keyed items
       (``keyed == -1``) get the negative of it.
    3. **Latent responses.** ``y*_ij = loading_j * F_i,f(j) + sqrt(1 - loading_j^2) * e_ij``,
       ``e_ij`` standard normal: unit variance, so the loadings are those a polychoric factor
       analysis estimates.
    4. **Answers.** ``answer = 1 + #{k: y* > tau_jk}``. The thresholds are the normal quantiles
       of the cumulative ``category_proportions`` (default: equal-width bins of a Beta(3, 1.5),
       i.e. for 5 points about 2%, 10%, 23%, 35%, 30%: most answers at the agree end), each
       item's set shifted by N(0, ``threshold_spread``) so items differ in difficulty. These
       are thresholds of agreement with the positive pole; a reverse-keyed item's answer is
       the mirror image (``points + 1 -`` the code), i.e. the same rule with thresholds
       ``-tau[::-1]`` (the ones ``truth.thresholds`` lists): reversed items are skewed
       towards "disagree".
    5. **Careless respondents.** ``round(careless_rate * n)`` respondents picked at random have
       their item answers replaced: half (alternately) straight-line one random code over all
       items, half answer uniformly at random. Their WAI scores are left as the model gives
       them. They are listed in ``truth.careless``.
    6. **Missing answers.** Each item answer is missing with probability ``missing_rate``,
       independently (missing completely at random); WAI columns are never missing.
    7. **WAI-style scores** (``wai=True``). For each Bordin component c (goal, task, bond) a
       latent score ``W_c = sum_f b_cf F_f + u_c`` with unit variance. ``b_cf`` is proportional
       to the share of factor f's items whose leaf theme the blueprint hypothesises to relate
       to c (:meth:`Blueprint.to_frame` column ``bordin``), scaled so that the hypothesised
       composite correlates ``wai_validity`` (.8) with ``W_c``. The reported score is
       ``3.9 + 0.65 * W_c`` clipped to [1, 5] and rounded to 2 decimals, on the 1-5
       mean-score metric of the WAI-SR (Hatcher & Gillaspy 2006). Hypothesised
       factor-component pairs therefore correlate more than the other pairs, which correlate
       only through the factor correlations.

    Independent random streams are used for loadings, thresholds, factors, noise, WAI,
    careless respondents and missing answers, so e.g. changing ``missing_rate`` changes only
    which answers are missing.

    Parameters
    ----------
    scale : Scale
        The questionnaire (see :func:`~alliance_scale.draft_scale`); items are simulated in its
        administration order, answers coded ``1..scale.max_value``.
    n : int
        Number of respondents (>= 1); ids are 1..n (index ``respondent``).
    seed : int, numpy Generator or None
        Non-negative integer seed (the same seed gives the same output bit for bit), a numpy
        Generator (its spawned streams are used), or None (fresh entropy, not reproducible).
    level : {"facet", "dimension"}, default "facet"
        What the latent factors are.
    loading : float, default 0.7
        Mean standardised loading, in (0, 1).
    loading_spread : float, default 0.1
        Standard deviation of the loadings around ``loading``, in [0, 1).
    factor_correlation : float, array or DataFrame, optional
        A single correlation for every pair of factors, or the full factors x factors matrix
        (a DataFrame is aligned on factor ids). Must be positive definite. Default: see step 1.
    within_dimension, between_dimensions : float, default 0.5 and 0.3
        Default factor correlations (used when ``factor_correlation`` is None).
    threshold_spread : float, default 0.2
        Standard deviation of the per-item threshold shift (latent SD units).
    category_proportions : sequence of float, optional
        Population share of each answer code for an item of average difficulty (one positive
        number per code; rescaled to sum to 1). Default: see step 4.
    missing_rate : float, default 0
        Share of missing item answers, in [0, 1).
    careless_rate : float, default 0
        Share of careless respondents, in [0, 1).
    wai : bool, default True
        Add ``wai_goal``, ``wai_task``, ``wai_bond`` columns (needs the blueprint).
    wai_validity : float, default 0.8
        Correlation of each latent WAI component with its hypothesised composite, in [0, 1).
    blueprint : Blueprint, optional
        Source of the Bordin hypotheses; default :func:`~alliance_scale.load_blueprint`.
    bordin : mapping of str to list of str, optional
        Bordin components that replace the blueprint's for the simulated truth (node id ->
        components, :meth:`Blueprint.with_bordin`): a sample in which chosen hypotheses are
        false, e.g. ``{"A": ["goal", "bond"]}`` (A unrelated to task), so that a check
        can be shown to reject them. Default None: the blueprint's hypotheses hold.

    Returns
    -------
    SimulationResult
        ``.data`` (respondents x items, then WAI columns) and ``.truth``
        (:class:`SimulationTruth`).

    Raises
    ------
    AnalysisError
        For an invalid argument (the message names it), or a scale item whose theme is not
        in the blueprint.

    References
    ----------
    Flora, D. B., & Curran, P. J. (2004). An empirical evaluation of alternative methods of
    estimation for confirmatory factor analysis with ordinal data. Psychological Methods, 9,
    466-491.
    Hatcher, R. L., & Gillaspy, J. A. (2006). Development and validation of a revised short
    version of the Working Alliance Inventory. Psychotherapy Research, 16, 12-25.

    Examples
    --------
    >>> scale = als.draft_scale(items_per_facet=3, language="en")
    >>> sim = als.simulate(scale, 500, seed=1)
    >>> sim.data.shape  # 27 items + wai_goal, wai_task, wai_bond
    (500, 30)
    >>> print(sim.truth.loadings.iloc[:2, :3].round(2))
            A1    A2   B1
    item
    A2c_1  0.0  0.64  0.0
    C3b_1  0.0  0.00  0.0
    """
    _check_arguments(scale, n, level, loading, loading_spread)
    check_flag("wai", wai)
    generator = check_seed("seed", seed)
    missing_rate = _rate("missing_rate", missing_rate)
    careless_rate = _rate("careless_rate", careless_rate)
    threshold_spread = _rate("threshold_spread", threshold_spread)
    wai_validity = _rate("wai_validity", wai_validity)
    within = _correlation_value("within_dimension", within_dimension)
    between = _correlation_value("between_dimensions", between_dimensions)
    if wai and blueprint is None:
        blueprint = load_blueprint()
    if wai and bordin is not None:
        blueprint = blueprint.with_bordin(bordin)

    rng = _streams(generator)
    factors = _factor_names(scale, level)
    dimension_of = {getattr(i, level): i.dimension for i in scale.items}
    phi = _factor_correlation(factor_correlation, factors, dimension_of, within, between)
    loadings = _loadings(scale, factors, level, loading, loading_spread, rng["loadings"])
    shares = _category_proportions(scale.max_value, category_proportions)
    thresholds = _thresholds(scale, shares, threshold_spread, rng["thresholds"])

    factor_scores = _normal_factors(n, phi, rng["factors"])
    latent = _latent_responses(factor_scores, loadings.to_numpy(), rng["noise"])
    answers = _cut(latent, thresholds.to_numpy())
    careless_rows, kinds = _inject_careless(answers, careless_rate, scale.max_value,
                                            rng["careless"])
    _apply_missing(answers, missing_rate, rng["missing"])

    respondents = pd.RangeIndex(1, n + 1, name="respondent")
    data = _item_frame(answers, scale.item_ids, respondents)
    weights = pd.DataFrame(index=pd.Index([], name="component"), columns=factors, dtype=float)
    if wai:
        weights = _wai_weights(scale, factors, level, phi, blueprint, wai_validity)
        scores = _wai_scores(factor_scores, weights.to_numpy(), phi, rng["wai"])
        for c, column in enumerate(WAI_COLUMNS):
            data[column] = scores[:, c]
    truth = SimulationTruth(
        level=level,
        loadings=loadings,
        factor_correlation=pd.DataFrame(phi, index=factors, columns=factors),
        factor_scores=pd.DataFrame(factor_scores, index=respondents, columns=factors),
        thresholds=thresholds,
        wai_weights=weights,
        careless=pd.DataFrame({"kind": [CARELESS_KINDS[k] for k in kinds]},
                              index=pd.Index(respondents[careless_rows], name="respondent")),
        missing_rate=missing_rate,
        seed=seed,
    )
    return SimulationResult(data=data, truth=truth, item_ids=list(scale.item_ids))


def simulate_retest(
    simulation: SimulationResult,
    n: int,
    *,
    seed: int | np.random.Generator | None,
    stability: float = 0.9,
    missing_rate: float | None = None,
) -> SimulationResult:
    """Simulate a retest of ``n`` respondents of a simulated administration.

    The retest keeps the first occasion's loadings and thresholds. The ``n`` respondents are
    drawn at random (seeded, from a random stream of their own) among all respondents of
    ``simulation``. Their factors at the
    retest are ``F2 = stability * F1 + sqrt(1 - stability^2) * D``, where ``D`` is a fresh draw
    with the same factor correlation matrix: each factor keeps unit variance, the same
    correlations, and correlates ``stability`` with itself across occasions. Unique noise is
    drawn afresh (occasion noise), nobody answers carelessly, and answers are missing at
    ``missing_rate`` (default: the first occasion's rate). No WAI columns are simulated.

    Parameters
    ----------
    simulation : SimulationResult
        The first occasion (from :func:`simulate`).
    n : int
        Number of respondents retested, 1 <= n <= number of respondents of ``simulation``.
    seed : int, numpy Generator or None
        Seed of the retest draws, as for :func:`simulate`.
    stability : float, default 0.9
        Correlation of each latent factor with itself across occasions, in [0, 1).
    missing_rate : float, optional
        Share of missing answers at the retest (MCAR), in [0, 1).

    Returns
    -------
    SimulationResult
        Index ``respondent`` (the retested ids, in increasing order), the items only; its
        truth holds the retest factor scores and an empty careless table.

    Raises
    ------
    AnalysisError
        For an invalid argument (the message names it).

    Examples
    --------
    >>> scale = als.draft_scale(items_per_facet=3, language="en")
    >>> first = als.simulate(scale, 200, seed=1)
    >>> second = als.simulate_retest(first, 50, seed=2, stability=0.9)
    >>> second.data.shape
    (50, 27)
    """
    if not isinstance(simulation, SimulationResult):
        raise OptionError(
            f"simulation must be a SimulationResult, got {type(simulation).__name__}"
        )
    total = len(simulation.data)
    check_integer("n", n, minimum=1)
    if n > total:
        raise OptionError(f"n (respondents retested) must be at most the {total} "
                            f"respondents of the first occasion; got {n!r}")
    generator = check_seed("seed", seed)
    stability = _rate("stability", stability)
    truth = simulation.truth
    missing_rate = _rate("missing_rate",
                         truth.missing_rate if missing_rate is None else missing_rate)
    rng = _streams(generator)
    rows = np.sort(rng["retest"].choice(total, size=n, replace=False))
    respondents = pd.Index(truth.factor_scores.index[rows], name="respondent")
    phi = truth.factor_correlation.to_numpy()
    change = _normal_factors(n, phi, rng["factors"])
    first = truth.factor_scores.to_numpy()[rows]
    factor_scores = stability * first + np.sqrt(1.0 - stability ** 2) * change
    latent = _latent_responses(factor_scores, truth.loadings.to_numpy(), rng["noise"])
    answers = _cut(latent, truth.thresholds.to_numpy())
    _apply_missing(answers, missing_rate, rng["missing"])
    retest_truth = SimulationTruth(
        level=truth.level,
        loadings=truth.loadings,
        factor_correlation=truth.factor_correlation,
        factor_scores=pd.DataFrame(factor_scores, index=respondents,
                                   columns=truth.factor_correlation.columns),
        thresholds=truth.thresholds,
        wai_weights=truth.wai_weights.iloc[0:0],
        careless=truth.careless.iloc[0:0],
        missing_rate=missing_rate,
        seed=seed,
    )
    return SimulationResult(data=_item_frame(answers, simulation.item_ids, respondents),
                            truth=retest_truth, item_ids=list(simulation.item_ids))
