"""The population of a Monte Carlo study: a standardized factor model, its item thresholds
and missingness, and the analysis model fitted to samples drawn from it.

The population is written in the standardized metric every simulation study of CFA power
uses (Muthen & Muthen 2002; semPower's ``genPop``): items (or the latent responses of
ordered items) have unit variance, so ``Sigma = Lambda Phi Lambda' + Theta`` with the
residual variances ``Theta_jj = 1 - (Lambda Phi Lambda')_jj`` and residual covariances
``r_jk sqrt(Theta_jj Theta_kk)``. Ordered items are the latent responses cut at the normal
quantiles of the cumulative category proportions (as lavaan's WLSMV assumes). Misspecified
populations (cross-loadings, correlated residuals) are fitted by the *analysis* model: the
factor -> items structure alone (the blueprint model), unless told otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import check_choice, check_frame, check_instance
from ..._results import Report, Result, format_table, result, summary_lines
from ...errors import AnalysisError, OptionError
from ...instrument._scale import Scale

__all__ = ["Population"]

LEVELS = ("facet", "dimension")


def _structure(model: Any) -> dict[str, list[str]]:
    """factor -> items of lavaan syntax (its ``=~`` lines), a mapping, or a Scale."""
    if isinstance(model, Scale):
        from ...validity._cfa import blueprint_model

        model = blueprint_model(model, "facet")
    if isinstance(model, str):
        from ...psychometrics._cfa._syntax import model_statements

        statements = model_statements(model)
        loads = [s for s in statements if s.op == "=~"]
        others = sorted({f"{s.lhs} {s.op} {s.rhs}" for s in statements if s.op != "=~"})
        if others:
            raise OptionError("Population model: give the factors and their items only "
                              "(factor =~ items); residual correlations and cross-loadings "
                              "are given by residual_correlations= / cross_loadings=; got "
                              + ", ".join(others[:3]))
        structure: dict[str, list[str]] = {}
        for s in loads:
            structure.setdefault(s.lhs, []).append(s.rhs)
    elif isinstance(model, Mapping) and model:
        structure = {}
        for factor, items in model.items():
            if not isinstance(factor, str) or isinstance(items, str) or not isinstance(
                    items, Sequence) or not items:
                raise OptionError(f"Population model: factor {factor!r} needs a list of items")
            structure[factor] = [str(i).lstrip("-") for i in items]
    else:
        raise OptionError("Population model must be lavaan syntax (f =~ x1 + x2 + x3), a "
                          "mapping factor -> items, or a Scale; got "
                          f"{type(model).__name__}")
    latent = set(structure)
    nested = [i for items in structure.values() for i in items if i in latent]
    if nested:
        raise OptionError("Population model: second-order factors are not supported "
                          f"({nested[0]!r} is a factor and an indicator)")
    items = [i for its in structure.values() for i in its]
    twice = sorted({i for i in items if items.count(i) > 1})
    if twice:
        raise OptionError(f"Population model: item {twice[0]!r} loads on two factors; give "
                          "secondary loadings by cross_loadings={(factor, item): value}")
    return structure


def _number(name: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)) \
            or not math.isfinite(float(value)) or not low <= float(value) <= high:
        raise OptionError(f"{name} must be a number in [{low:g}, {high:g}]; got {value!r}")
    return float(value)


def _loadings(value: Any, structure: dict[str, list[str]]) -> dict[str, float]:
    items = [i for its in structure.values() for i in its]
    if isinstance(value, Mapping):
        out = {}
        for factor, items_of in structure.items():
            given = value.get(factor)
            if given is not None and not isinstance(given, (int, float, np.number)):
                if isinstance(given, Mapping):
                    given = [given[i] if i in given else None for i in items_of]
                if len(given) != len(items_of):
                    raise OptionError(f"loadings of factor {factor!r}: {len(given)} values "
                                      f"for {len(items_of)} items")
                out.update(zip(items_of, given, strict=True))
            elif given is not None:
                out.update(dict.fromkeys(items_of, given))
        out.update({k: v for k, v in value.items() if k in items})
        unknown = [k for k in value if k not in items and k not in structure]
        if unknown:
            raise OptionError(f"loadings: {unknown[0]!r} is neither a factor nor an item of "
                              "the model")
        missing = [i for i in items if out.get(i) is None]
        if missing:
            raise OptionError(f"loadings: no loading for item {missing[0]!r}")
    elif isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, str):
        if len(value) != len(items):
            raise OptionError(f"loadings: {len(value)} values for {len(items)} items")
        out = dict(zip(items, value, strict=True))
    else:
        out = dict.fromkeys(items, value)
    return {i: _number(f"loading of {i}", out[i], -1.0, 1.0) for i in items}


def _correlations(value: Any, factors: list[str]) -> np.ndarray:
    m = len(factors)
    phi = np.eye(m)
    if value is None:
        return phi
    if isinstance(value, pd.DataFrame):
        try:
            phi = value.loc[factors, factors].to_numpy(dtype=float)
        except KeyError as error:
            raise OptionError("factor_correlation: the DataFrame's rows and columns must be "
                              f"the factors {factors}") from error
    elif isinstance(value, np.ndarray) or (isinstance(value, Sequence) and value and
                                           isinstance(value[0], Sequence)):
        phi = np.asarray(value, dtype=float)
        if phi.shape != (m, m):
            raise OptionError(f"factor_correlation: a {m} x {m} matrix is needed; got shape "
                              f"{phi.shape}")
    elif isinstance(value, Mapping):
        for pair, r in value.items():
            if not (isinstance(pair, tuple) and len(pair) == 2 and all(f in factors
                                                                        for f in pair)):
                raise OptionError(f"factor_correlation: key {pair!r} is not a pair of "
                                  f"factors of the model ({', '.join(factors)})")
            a, b = factors.index(pair[0]), factors.index(pair[1])
            phi[a, b] = phi[b, a] = _number(f"factor_correlation {pair}", r, -1.0, 1.0)
    else:
        r = _number("factor_correlation", value, -1.0, 1.0)
        phi = np.full((m, m), r)
        np.fill_diagonal(phi, 1.0)
    if not np.all(np.isfinite(phi)) or not np.allclose(phi, phi.T) or \
            not np.allclose(np.diag(phi), 1.0) or np.abs(phi).max() > 1:
        raise OptionError("factor_correlation must be a symmetric correlation matrix (unit "
                          "diagonal, values in [-1, 1])")
    return phi


def _proportions(value: Any, items: list[str]) -> dict[str, np.ndarray] | None:
    if value is None:
        return None
    if isinstance(value, pd.DataFrame):
        value = {i: value.loc[i].dropna().to_numpy(float) for i in value.index}
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in items]
        if unknown:
            raise OptionError(f"thresholds: {unknown[0]!r} is not an item of the model")
        missing = [i for i in items if i not in value]
        if missing:
            raise OptionError(f"thresholds: no category proportions for item {missing[0]!r}")
        given = {i: value[i] for i in items}
    else:
        given = dict.fromkeys(items, value)
    out = {}
    for item, props in given.items():
        try:
            p = np.asarray(props, dtype=float)
        except (TypeError, ValueError) as error:
            raise OptionError(f"thresholds of {item!r}: category proportions must be "
                              f"numbers; got {props!r}") from error
        if p.ndim != 1 or p.size < 2 or p.size > 10 or not np.all(np.isfinite(p)) or \
                np.any(p <= 0) or abs(p.sum() - 1) > 1e-6:
            raise OptionError(f"thresholds of {item!r}: give the category proportions, 2 to "
                              "10 positive numbers summing to 1 (e.g. [.1, .2, .4, .2, .1]); "
                              f"got {props!r}")
        out[item] = p / p.sum()
    return out


def _missing_rates(value: Any, items: list[str]) -> dict[str, float] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in items]
        if unknown:
            raise OptionError(f"missing: {unknown[0]!r} is not an item of the model")
        rates = {i: value.get(i, 0.0) for i in items}
    else:
        rates = dict.fromkeys(items, value)
    rates = {i: _number(f"missing rate of {i}", r, 0.0, 0.95) for i, r in rates.items()}
    return rates if any(r > 0 for r in rates.values()) else None


@result
class Population(Result):
    """A population factor model to draw samples from (standardized metric).

    Parameters
    ----------
    model : str, mapping or Scale
        The factors and their items: lavaan syntax of ``=~`` lines (``"f1 =~ x1 + x2 +
        x3"``), a mapping factor -> items, or a :class:`~alliance_scale.Scale` (its facet
        blueprint). This structure is also the analysis model of :func:`simulate_power`.
    loadings : float, sequence or mapping
        Standardized loadings in [-1, 1]: one value for every item, one per item (model
        order), or a mapping item -> value and/or factor -> value(s).
    factor_correlation : float, matrix or mapping, default 0
        Correlations of the factors: one value for every pair, an ``m x m`` matrix (a
        DataFrame indexed by factor) or a mapping ``{(f1, f2): r}`` (others 0).
    thresholds : sequence, mapping or DataFrame, optional
        Ordered items: the population **category proportions** (2 to 10 positive numbers
        summing to 1), one sequence for every item or per item; categories are coded
        ``1..k``. The latent responses are cut at ``Phi^-1`` of the cumulative proportions.
        None (default): continuous, normal items.
    residual_correlations : mapping, optional
        ``{(item1, item2): r}``: correlated residuals in the population (a misspecification
        of the analysis model); the residual covariance is ``r sqrt(theta_1 theta_2)``.
    cross_loadings : mapping, optional
        ``{(factor, item): loading}``: secondary standardized loadings in the population
        (a misspecification of the analysis model).
    missing : float or mapping, optional
        Share of answers missing completely at random (MCAR), for every item or per item
        (at most 0.95).

    Attributes
    ----------
    structure : dict
        factor -> items.
    sigma : DataFrame
        The population correlation matrix of the items (of the latent responses when
        ordered).
    cuts : dict or None
        item -> thresholds (``Phi^-1`` of the cumulative proportions).

    Raises
    ------
    OptionError
        A malformed argument (named).
    AnalysisError
        Loadings implying a residual variance of 0 or less, or a population covariance
        matrix that is not positive definite.

    Examples
    --------
    >>> pop = Population({"f1": ["x1", "x2", "x3"], "f2": ["x4", "x5", "x6"]},
    ...                  loadings=0.7, factor_correlation=0.3)
    >>> round(float(pop.sigma.loc["x1", "x4"]), 3)  # .7 * .3 * .7
    0.147
    >>> pop.analysis_model
    'f1 =~ x1 + x2 + x3\\nf2 =~ x4 + x5 + x6'
    """

    model: Any
    loadings: Any
    factor_correlation: Any = 0.0
    thresholds: Any = None
    residual_correlations: Mapping | None = None
    cross_loadings: Mapping | None = None
    missing: Any = None
    structure: dict = field(init=False)
    sigma: pd.DataFrame = field(init=False)
    lambda_: np.ndarray = field(init=False, repr=False)
    phi: np.ndarray = field(init=False, repr=False)
    proportions: dict | None = field(init=False)
    cuts: dict | None = field(init=False)
    missing_rates: dict | None = field(init=False)
    source: str = field(init=False, default="given")

    def __post_init__(self) -> None:
        structure = _structure(self.model)
        factors = list(structure)
        items = [i for its in structure.values() for i in its]
        load = _loadings(self.loadings, structure)
        phi = _correlations(self.factor_correlation, factors)
        lam = np.zeros((len(items), len(factors)))
        for f, its in enumerate(structure.values()):
            for i in its:
                lam[items.index(i), f] = load[i]
        for (factor, item), value in (self.cross_loadings or {}).items():
            if factor not in factors or item not in items:
                raise OptionError(f"cross_loadings: ({factor!r}, {item!r}) is not a factor "
                                  "and an item of the model")
            if structure[factor].count(item):
                raise OptionError(f"cross_loadings: {item!r} already loads on {factor!r}")
            lam[items.index(item), factors.index(factor)] = _number(
                f"cross-loading of {item} on {factor}", value, -1.0, 1.0)
        if np.linalg.eigvalsh(phi).min() <= 1e-10:
            raise AnalysisError("the factor correlation matrix of the population is not "
                                "positive definite (smallest eigenvalue "
                                f"{np.linalg.eigvalsh(phi).min():.3g}): no population has "
                                "these correlations")
        common = lam @ phi @ lam.T
        theta = 1.0 - np.diag(common)
        bad = [items[j] for j in np.flatnonzero(theta <= 1e-8)]
        if bad:
            raise AnalysisError(f"the loadings leave item {bad[0]!r} a residual variance of "
                                f"{theta[items.index(bad[0])]:.3g} (standardized items: 1 - "
                                "its explained variance); lower its loadings")
        residual = np.diag(theta)
        for pair, r in (self.residual_correlations or {}).items():
            if not (isinstance(pair, tuple) and len(pair) == 2 and all(i in items
                                                                       for i in pair)) or \
                    pair[0] == pair[1]:
                raise OptionError(f"residual_correlations: {pair!r} is not a pair of two "
                                  "items of the model")
            a, b = items.index(pair[0]), items.index(pair[1])
            r = _number(f"residual correlation {pair}", r, -1.0, 1.0)
            residual[a, b] = residual[b, a] = r * math.sqrt(theta[a] * theta[b])
        sigma = common + residual
        smallest = np.linalg.eigvalsh(sigma).min()
        if smallest <= 1e-10:
            raise AnalysisError("the population correlation matrix of the items is not "
                                f"positive definite (smallest eigenvalue {smallest:.3g}): "
                                "the residual correlations or cross-loadings are not "
                                "possible together")
        proportions = _proportions(self.thresholds, items)
        cuts = None
        if proportions is not None:
            from scipy.special import ndtri

            cuts = {i: ndtri(np.cumsum(p)[:-1]) for i, p in proportions.items()}
        set_ = object.__setattr__
        set_(self, "structure", structure)
        set_(self, "sigma", pd.DataFrame(sigma, index=items, columns=items))
        set_(self, "lambda_", lam)
        set_(self, "phi", phi)
        set_(self, "proportions", proportions)
        set_(self, "cuts", cuts)
        set_(self, "missing_rates", _missing_rates(self.missing, items))

    # ------------------------------------------------------------------ derived
    @property
    def items(self) -> list[str]:
        """Item names, model order."""
        return list(self.sigma.columns)

    @property
    def factors(self) -> list[str]:
        """Factor names."""
        return list(self.structure)

    @property
    def ordered(self) -> bool:
        """Whether the items are ordered categories."""
        return self.cuts is not None

    @property
    def analysis_model(self) -> str:
        """lavaan syntax of the analysis model: the factor -> items structure alone."""
        return "\n".join(f"{f} =~ " + " + ".join(its) for f, its in self.structure.items())

    def empty_category_risk(self, n: int) -> pd.DataFrame:
        """Probability that a category of an item is unobserved in a sample of ``n``
        (``1 - (1 - p)^n`` for its rarest category, ignoring missingness): one row per
        ordered item. Such a replication fits that item with one threshold fewer."""
        if self.proportions is None:
            return pd.DataFrame(columns=["rarest", "p_empty"])
        rows = {i: (p.min(), 1.0 - np.prod(1.0 - (1.0 - p) ** n))
                for i, p in self.proportions.items()}
        return pd.DataFrame.from_dict(rows, orient="index", columns=["rarest", "p_empty"])

    def fingerprint(self) -> dict:
        """Everything that defines the population, as plain numbers (hashed with the design)."""
        return {
            "items": self.items, "structure": self.structure,
            "sigma": np.round(self.sigma.to_numpy(), 12).tolist(),
            "proportions": None if self.proportions is None else
            {i: np.round(p, 12).tolist() for i, p in self.proportions.items()},
            "missing": self.missing_rates,
        }

    # ------------------------------------------------------------------ from a pilot
    @classmethod
    def from_pilot(cls, responses: pd.DataFrame, scale: Scale, level: str = "facet", *,
                   estimator: str = "auto", ordered: bool | None = None,
                   cross_loadings: Mapping | None = None,
                   residual_correlations: Mapping | None = None,
                   missing: Any = "pilot", **options: Any) -> Population:
        """The population a pilot suggests: its blueprint CFA's standardized loadings and
        factor correlations, its category proportions and its missingness.

        Parameters
        ----------
        responses : DataFrame
            The pilot's answers (a column per item of ``scale``).
        scale : Scale
            Gives the blueprint model, the keys (reverse-keyed items are reversed, as
            :func:`~alliance_scale.blueprint_cfa` does) and the response range.
        level : {"facet", "dimension"}, default "facet"
            The blueprint model (see :func:`~alliance_scale.blueprint_model`).
        estimator : str, default "auto"
            Of the pilot fit (``"auto"``: WLSMV for scales of at most 7 points).
        ordered : bool, optional
            Whether the population's items are ordered; default: as the pilot fit (ordinal
            estimators).
        cross_loadings, residual_correlations : mapping, optional
            Misspecifications added to the pilot's population (see :class:`Population`).
        missing : "pilot", float, mapping or None, default "pilot"
            ``"pilot"``: each item's share of missing answers in the pilot (MCAR).
        **options
            Passed to :func:`~alliance_scale.blueprint_cfa`.

        Returns
        -------
        Population
            ``source`` says which pilot fit it comes from.

        Examples
        --------
        >>> import warnings
        >>> import alliance_scale as als
        >>> scale = als.draft_scale(items_per_facet=3, language="en")
        >>> pilot = als.simulate(scale, 300, seed=3).data
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     pop = Population.from_pilot(pilot, scale, "dimension")
        >>> pop.factors, pop.ordered
        (['A', 'B', 'C'], True)
        """
        from ...psychometrics._keys import reverse_keyed
        from ...validity._cfa import ORDINAL_ESTIMATORS, blueprint_cfa, blueprint_model

        check_frame("responses", responses)
        check_instance("scale", scale, Scale, "see draft_scale")
        check_choice("level", level, LEVELS)
        fit = blueprint_cfa(responses, scale, level=level, estimator=estimator, **options)
        std = fit.estimates
        loads = std[std["op"] == "=~"]
        model = blueprint_model(scale, level)
        structure = _structure(model)
        loadings = {r.rhs: float(r.std_all) for r in loads.itertuples()}
        factors = list(structure)
        cov = std[(std["op"] == "~~") & std["lhs"].isin(factors) & std["rhs"].isin(factors)
                  & (std["lhs"] != std["rhs"])]
        phi = {(r.lhs, r.rhs): float(r.std_all) for r in cov.itertuples()}
        if ordered is None:
            ordered = fit.fitted.estimator in ORDINAL_ESTIMATORS
        items = [i for its in structure.values() for i in its]
        reversed_items = [item.id for item in scale.items if item.keyed < 0]
        answers = reverse_keyed(responses[list(scale.item_ids)], reversed_items,
                                scale.min_value, scale.max_value)[items]
        proportions = None
        if ordered:
            proportions = {}
            for i in items:
                counts = answers[i].value_counts().sort_index()
                proportions[i] = (counts[counts > 0] / counts.sum()).to_numpy()
        if isinstance(missing, str) and missing == "pilot":
            missing = answers.isna().mean().to_dict()
        population = cls(model, loadings, factor_correlation=phi or 0.0,
                         thresholds=proportions, residual_correlations=residual_correlations,
                         cross_loadings=cross_loadings, missing=missing)
        object.__setattr__(population, "source",
                           f"pilot of {len(responses)} respondents, {level} model, "
                           f"{fit.fitted.estimator} (n_obs {fit.n_obs})")
        return population

    # ------------------------------------------------------------------ printing
    def to_frame(self) -> pd.DataFrame:
        """One row per item: factor, standardized loading, residual variance, category
        proportions (ordered items) and missing rate."""
        factor_of = {i: f for f, its in self.structure.items() for i in its}
        rows = []
        for j, item in enumerate(self.items):
            f = self.factors.index(factor_of[item])
            row = {"item": item, "factor": factor_of[item], "loading": self.lambda_[j, f],
                   "residual": 1.0 - float(
                       (self.lambda_ @ self.phi @ self.lambda_.T)[j, j])}
            if self.proportions is not None:
                row["proportions"] = " ".join(f"{p:.2f}" for p in self.proportions[item])
            if self.missing_rates is not None:
                row["missing"] = self.missing_rates[item]
            rows.append(row)
        return pd.DataFrame(rows).set_index("item")

    def _summary(self) -> dict[str, Any]:
        parts = []
        if self.cross_loadings:
            parts.append(f"{len(self.cross_loadings)} cross-loading(s)")
        if self.residual_correlations:
            parts.append(f"{len(self.residual_correlations)} residual correlation(s)")
        return {"items": len(self.items), "factors": len(self.factors),
                "data": "ordered" if self.ordered else "continuous (normal)",
                "misspecification": ", ".join(parts) or "none", "source": self.source}

    def _report(self) -> Report:
        phi = pd.DataFrame(self.phi, index=self.factors, columns=self.factors)
        return Report("Monte Carlo population (standardized)",
                      (summary_lines(self._summary()), format_table(self.to_frame()),
                       "Factor correlations", format_table(phi)))
