"""``validate()``: the whole validation of a pilot in one call, as a :class:`ValidationReport`.

Each step is one library call whose result is kept in ``report.results`` and drawn from,
so every number in the report is the number that call returns (a test compares them). The
steps follow the order a psychometrician reads a validation: what was collected, the items,
careless responding, reliability, factorability, number of factors, exploratory structure
against the blueprint, confirmatory structure, convergent validity, known groups and
test-retest. The plain-language summary judges each number against its published cut-off
(:mod:`._criteria`); item-level advice never removes an item.
"""

from __future__ import annotations

import hashlib
import io
import platform
import sys
import warnings
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._checks import (
    check_choice,
    check_flag,
    check_frame,
    check_instance,
    check_number,
    check_seed,
)
from ..errors import AllianceScaleWarning, AnalysisError, OptionError
from ..fielding._careless import careless
from ..fielding._responses import read_responses
from ..fielding._scoring import score
from ..instrument._scale import Scale
from ..psychometrics._cfa import split_sample
from ..psychometrics._correlation import AnalysedCorrelation, correlation_matrix
from ..psychometrics._efa import efa
from ..psychometrics._factorability import bartlett, kmo
from ..psychometrics._n_factors import _single_threaded_blas, map_test, parallel_analysis
from ..validity._cfa import blueprint_cfa
from ..validity._convergent import convergent_validity
from ..validity._discriminant import htmt
from ..validity._known_groups import known_groups
from ..validity._mtmm import mtmm
from ..validity._reliability import reliability, test_retest
from ..validity._structure import congruence
from ._criteria import Criterion
from ._report import Figure, Section, Table, ValidationReport

__all__ = ["validate"]

#: Cut-offs used by the summary (each cited where it is applied).
ALPHA_FLOOR = 0.70
KMO_FLOOR = 0.60
CONGRUENCE_FAIR = 0.85
FLOOR_CEILING_SHARE = 0.15
ICC_FLOOR = 0.70
R_DROP_FLOOR = 0.30
ORDINAL_POINTS = 7
HTMT_STRICT = 0.85
CFI_FLOOR = 0.95
RMSEA_CEILING = 0.06
SRMR_CEILING = 0.08
AVE_FLOOR = 0.50
COSMIN_SHARE = 0.75


@dataclass
class _Run:
    """What the steps of one validation accumulate (a private, mutable builder)."""

    sections: list[Section] = field(default_factory=list)
    criteria: list[Criterion] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)
    #: Intermediate numbers shared by several steps (computed once, never shown).
    shared: dict[str, Any] = field(default_factory=dict)


def validate(
    responses: pd.DataFrame | str | Path,
    scale: Scale,
    *,
    criterion: Sequence[str] | None = None,
    groups: str | None = None,
    retest: pd.DataFrame | str | Path | None = None,
    holdout: float | None = None,
    ordinal: str | bool = "auto",
    source: str = "auto",
    seed: int = 0,
    progress: bool = True,
) -> ValidationReport:
    """Validate a pilot administration of ``scale``: every analysis, judged, in one report.

    Parameters
    ----------
    responses : DataFrame, str or Path
        The administration: a DataFrame with one column per item of ``scale`` (others kept
        as metadata), or a survey export read by :func:`~alliance_scale.read_responses`.
    scale : Scale
        The questionnaire that was fielded (its keys, reverse-keyed items and blueprint
        structure).
    criterion : sequence of str, optional
        WAI-style columns of ``responses`` with Bordin goal, task and bond scores, in that
        order (default: ``wai_goal``, ``wai_task``, ``wai_bond`` when present).
    groups : str, optional
        A column of ``responses`` holding a grouping for known-groups validity.
    retest : DataFrame, str or Path, optional
        A second administration to the same respondents (matched by id) for test-retest.
    holdout : float, optional
        Share of respondents (0-1) set aside, at random with ``seed``, for the CFA; the EFA
        runs on the rest. Without it, the CFA uses the whole sample, with a note.
    ordinal : {"auto", True, False}, default "auto"
        Polychoric correlations for the factor analyses ("auto": when the scale has at most
        7 points, as recommended for Likert items; Flora & Curran 2004).
    source : str, default "auto"
        How to read a file ``responses`` (see :func:`~alliance_scale.read_responses`: "auto"
        decides from the file).
    seed : int, default 0
        Seed of every random step (parallel analysis, hold-out split); the same seed gives
        the same report.
    progress : bool, default True
        Show a progress bar on standard error (only when it is a terminal).

    Returns
    -------
    ValidationReport

    Raises
    ------
    OptionError
        A bad argument (named).
    ResponseError
        Responses that cannot be read as the scale's answers (file, column and rows named).
    AnalysisError
        Data that cannot be analysed at all (too few respondents...).

    Examples
    --------
    >>> pilot = als.load_pilot()  # SYNTHETIC, with WAI-style goal / task / bond columns
    >>> report = als.validate(pilot, als.draft_scale(), progress=False)
    >>> print(round(report.results["reliability"].table.loc["total", "alpha"], 3))
    0.957
    >>> path = report.to_html(None)  # or report.to_html("dta_report.html")
    """
    check_instance("scale", scale, Scale, "see draft_scale")
    check_flag("progress", progress)
    generator = check_seed("seed", seed)
    if holdout is not None:
        holdout = check_number("holdout", holdout, 0.0, 1.0, low_open=True, high_open=True)
    if not isinstance(ordinal, bool):
        check_choice("ordinal", ordinal, ("auto",))
    data_hash = _data_sha256(responses)
    frame = read_responses(responses, scale, source=source) if not isinstance(
        responses, pd.DataFrame) else read_responses(check_frame("responses", responses), scale)
    use_ordinal = scale.response_format.points <= ORDINAL_POINTS if ordinal == "auto" else ordinal
    cor = "polychoric" if use_ordinal else "pearson"
    columns = _criterion_columns(frame, criterion)
    if groups is not None and groups not in frame.columns:
        raise OptionError(f"groups names no column of the responses: {groups!r}")

    run = _Run()
    if holdout is None:
        explore = confirm = frame
        run.notes.append(
            "The CFA was fitted on the same respondents as the EFA, so its fit is optimistic: "
            "pass holdout=0.5 (--holdout 0.5) to confirm the structure on a hold-out half.")
    else:
        explore, confirm = split_sample(frame, frac=1.0 - holdout, seed=generator)
        run.notes.append(
            f"Respondents were split at random (seed {seed}): {len(explore)} for the "
            f"factorability, number of factors and EFA; {len(confirm)} held out for the CFA.")
    steps: list[tuple[str, Callable[[], None]]] = [
        ("fielding", lambda: _fielding(run, frame, scale)),
        ("items", lambda: _items(run, frame, scale)),
        ("careless responding", lambda: _careless(run, frame, scale)),
        ("reliability", lambda: _reliability(run, frame, scale, use_ordinal)),
        ("factorability", lambda: _factorability(run, explore, scale, cor)),
        ("number of factors", lambda: _n_factors(run, explore, scale, cor, generator)),
        ("exploratory structure", lambda: _structure(run, explore, scale, cor)),
        ("confirmatory structure", lambda: _confirmatory(run, confirm, scale, use_ordinal)),
    ]
    steps.append(("discriminant validity", lambda: _discriminant(run, frame, scale)))
    if columns:
        steps.append(("convergent validity", lambda: _convergent(run, frame, scale, columns)))
    if groups is not None:
        steps.append(("known groups", lambda: _known_groups(run, frame, groups)))
    if retest is not None:
        steps.append(("test-retest", lambda: _retest(run, frame, retest, scale, source)))
    # One BLAS thread: the matrices here are small (items x items), and a second thread
    # costs more than it gives, much more when other work shares the cores.
    with _progress(steps, progress) as tick, warnings.catch_warnings(record=True) as caught, \
            _single_threaded_blas():
        warnings.simplefilter("always", AllianceScaleWarning)
        for name, step in steps:
            tick(name)
            if name == "fielding":
                step()  # unreadable or unscorable answers: nothing else can be analysed
                continue
            try:
                step()
            except AnalysisError as error:  # e.g. too few respondents for a CFA: the rest runs
                run.notes.append(f"{name.capitalize()} not computed: {error}")
                run.sections.append(Section(
                    _SECTION_KEYS[name], name.capitalize(), (f"Not computed: {error}",)))
    run.notes.extend(sorted({f"{type(w.message).__name__}: {w.message}" for w in caught}))
    footer = _footer(scale, frame, data_hash, seed, cor, holdout)
    return ValidationReport(
        title=f"{scale.name}: validation of the pilot",
        sections=tuple(run.sections), criteria=tuple(run.criteria), advice=tuple(run.advice),
        notes=tuple(run.notes), results=run.results, footer=footer,
    )


#: Section id of each step (the id its section gets when the step cannot be computed).
_SECTION_KEYS = {
    "items": "items", "careless responding": "careless", "reliability": "reliability",
    "factorability": "factorability", "number of factors": "n_factors",
    "exploratory structure": "efa", "confirmatory structure": "cfa",
    "discriminant validity": "discriminant", "convergent validity": "convergent",
    "known groups": "known_groups", "test-retest": "retest",
}


# ---------------------------------------------------------------------- steps
def _fielding(run: _Run, frame: pd.DataFrame, scale: Scale) -> None:
    scored = score(frame, scale)
    run.results["scores"] = scored
    flags = scored.flags
    counts = pd.DataFrame(
        {"respondents": [len(frame)],
         "with a problem": [int(frame["problems"].ne("").sum())],
         "prorated (any subscale)": [int(flags["prorated"].ne("").sum())],
         "not scored (any subscale)": [int(flags["not_scored"].ne("").sum())]},
        index=pd.Index(["pilot"], name="data"),
    )
    paragraphs = [
        f"{len(frame)} respondents answered {len(scale.items)} items "
        f"({scale.response_format.points}-point agreement scale, program: {scale.program}). "
        f"Scores are means of the keyed items, prorated when at least "
        f"{scored.min_answered:.0%} of a subscale's items were answered "
        "(psych::scoreItems conventions); no respondent was dropped."
    ]
    if "status" in frame.columns:
        status = frame["status"].value_counts().rename_axis("status").to_frame("respondents")
        tables = (Table("Completion status as exported", status),
                  Table("Respondents and scoring", counts))
    else:
        tables = (Table("Respondents and scoring", counts),)
    run.sections.append(Section("fielding", "Data and scoring", tuple(paragraphs), tables))
    total = scored.scores
    low, high = scale.min_value, scale.max_value
    for name in [n for n in total.columns if n in ("A", "B", "C", "total") or n == "total"]:
        values = total[name].dropna()
        for kind, share in (("floor", float((values == low).mean())),
                            ("ceiling", float((values == high).mean()))):
            run.criteria.append(Criterion.at_most(
                "Scores", f"{kind} effect of {name} (share at the {kind})", share,
                FLOOR_CEILING_SHARE, "Terwee 2007"))


def _items(run: _Run, frame: pd.DataFrame, scale: Scale) -> None:
    from ..psychometrics._plots import plot_likert  # the plots' module (matplotlib on use)

    answers = frame[scale.item_ids]
    labels = scale.response_format.labels(scale.language)
    figure = plot_likert(answers, labels=labels)
    run.sections.append(Section(
        "items", "Items and response distributions",
        ("Share of each answer per item (diverging bars: disagreement left, agreement right; "
         "reverse-keyed items as answered).",),
        figures=(_figure(figure, "Distribution of answers per item", "likert"),),
    ))


def _careless(run: _Run, frame: pd.DataFrame, scale: Scale) -> None:
    screen = careless(frame, scale)
    run.results["careless"] = screen
    flags = [c for c in screen.indices.columns if c.startswith("flag_")]
    counts = screen.indices[flags].sum().rename("respondents flagged").to_frame()
    counts.index = [c.removeprefix("flag_") for c in counts.index]
    counts.index.name = "index"
    run.sections.append(Section(
        "careless", "Careless responding",
        (f"{screen.n_flagged} of {len(screen.indices)} respondents are flagged by at least one "
         "index (longstring, intra-individual variability, reverse-item inconsistency, "
         "Mahalanobis distance). They are kept in every analysis: look at them before "
         "deciding; their ids are in validate(...).results['careless'].",),
        (Table("Respondents flagged per index", counts),),
    ))


def _reliability(run: _Run, frame: pd.DataFrame, scale: Scale, ordinal: bool) -> None:
    fit = reliability(frame, scale)
    run.results["reliability"] = fit
    tables = [Table("Reliability per subscale (Pearson; Feldt 95% CI)", fit.table)]
    if ordinal:
        ordinal_fit = reliability(frame, scale, cor="polychoric")
        run.results["reliability_ordinal"] = ordinal_fit
        tables.append(Table(
            "Ordinal reliability per subscale (polychoric; Zumbo et al. 2007)",
            ordinal_fit.table[["k", "n", "alpha", "std_alpha", "omega_total", "omega_h"]]))
    for name, row in fit.table.iterrows():
        run.criteria.append(Criterion.at_least(
            "Reliability", f"alpha of {_subscale(name, row['level'])}", row["alpha"],
            ALPHA_FLOOR, "COSMIN"))
    items = fit.items[fit.items["level"] == "facet"]
    for _, row in items[items["r_drop"] < R_DROP_FLOOR].iterrows():
        run.advice.append(
            f"{row['item']}: corrected item-total r {row['r_drop']:.2f} in {row['subscale']} "
            f"(below .30); alpha if deleted {row['alpha_if_deleted']:.3f}.")
    run.sections.append(Section(
        "reliability", "Reliability",
        ("Cronbach's alpha with its Feldt confidence interval, Guttman's lambda 6, the "
         "average inter-item correlation and McDonald's omega, per facet, dimension and "
         "total (psych::alpha and psych::omega numbers).",),
        tuple(tables),
    ))


def _explored(run: _Run, frame: pd.DataFrame, scale: Scale, cor: str) -> AnalysedCorrelation:
    """The items' correlation matrix in the exploration sample, computed once for KMO,
    Bartlett and MAP (given to them as ``cor_matrix`` with ``n_obs``: the same numbers as
    giving each the answers). Parallel analysis resamples the answers and the EFA's fit
    uses the pair counts, so they are given the answers."""
    if "explored" not in run.shared:
        run.shared["explored"] = correlation_matrix(frame[scale.item_ids], cor=cor)
    return run.shared["explored"]


def _factorability(run: _Run, frame: pd.DataFrame, scale: Scale, cor: str) -> None:
    explored = _explored(run, frame, scale, cor)
    adequacy = kmo(cor_matrix=explored.matrix, n_obs=explored.n_obs)
    sphericity = bartlett(cor_matrix=explored.matrix, n_obs=explored.n_obs)
    run.results["kmo"], run.results["bartlett"] = adequacy, sphericity
    table = pd.DataFrame(
        {"value": [adequacy.overall, sphericity.chi2, float(sphericity.dof),
                   sphericity.p_value]},
        index=pd.Index(["KMO (overall MSA)", "Bartlett chi2", "Bartlett dof", "Bartlett p"],
                       name="statistic"),
    )
    run.criteria.append(Criterion.at_least(
        "Factorability", f"KMO overall ({adequacy.label})", adequacy.overall, KMO_FLOOR,
        "Kaiser 1974"))
    run.criteria.append(Criterion.below(
        "Factorability", "Bartlett's sphericity p", sphericity.p_value, 0.05, "Bartlett 1951"))
    run.sections.append(Section(
        "factorability", "Factorability",
        (f"Kaiser-Meyer-Olkin sampling adequacy and Bartlett's sphericity test on the {cor} "
         "correlations of the items.",),
        (Table("Factorability", table),),
    ))


def _n_factors(run: _Run, frame: pd.DataFrame, scale: Scale, cor: str,
               generator: np.random.Generator) -> None:
    from ..psychometrics._plots import plot_scree

    answers = frame[scale.item_ids]
    parallel = parallel_analysis(answers, cor=cor, seed=generator, n_iter=20)
    explored = _explored(run, frame, scale, cor)
    velicer = map_test(cor_matrix=explored.matrix, max_factors=min(answers.shape[1] - 1, 20))
    run.results["parallel_analysis"], run.results["map"] = parallel, velicer
    facets = len({item.facet for item in scale.items})
    table = pd.DataFrame(
        {"suggested": [parallel.n_factors, parallel.n_components, velicer.n_factors, facets]},
        index=pd.Index(["parallel analysis: factors", "parallel analysis: components",
                        "Velicer's MAP", "blueprint: facets"], name="method"),
    )
    run.sections.append(Section(
        "n_factors", "Number of factors",
        (f"Horn's parallel analysis ({parallel.n_iter} random data sets, {cor} correlations) "
         f"suggests {parallel.n_factors} factor(s); Velicer's MAP {velicer.n_factors}; the "
         f"blueprint has {facets} facets.",),
        (Table("Number of factors to retain", table),),
        (_figure(plot_scree(parallel), "Scree plot with the parallel-analysis reference",
                 "scree"),),
    ))


def _structure(run: _Run, frame: pd.DataFrame, scale: Scale, cor: str) -> None:
    from ..psychometrics._plots import plot_loadings

    answers = frame[scale.item_ids]
    facets = sorted({item.facet for item in scale.items})
    solution = efa(answers, len(facets), cor=cor)
    match = congruence(solution, scale, level="facet")
    run.results["efa"], run.results["congruence"] = solution, match
    for factor, row in match.matches.iterrows():
        run.criteria.append(Criterion.at_least(
            "Factor structure", f"congruence of {factor} with facet {row['target']}",
            row["congruence"], CONGRUENCE_FAIR, "Lorenzo-Seva & ten Berge 2006"))
    for item, row in match.flagged.iterrows():
        run.advice.append(f"{item}: {row['reasons']}")
    groups = {item.id: item.facet for item in scale.items}
    figure = plot_loadings(solution, groups=groups, cut=0.3)
    fit = pd.DataFrame({"value": [solution.fit.get(k, np.nan) for k in
                                  ("chi2", "dof", "rmsea", "tli", "rmsr")]},
                       index=pd.Index(["chi2", "dof", "RMSEA", "TLI", "RMSR"], name="fit"))
    run.sections.append(Section(
        "efa", "Exploratory structure",
        (f"{len(facets)}-factor minres EFA with oblimin rotation on {cor} correlations "
         "(psych::fa), compared with the blueprint's facets by Tucker's congruence.",),
        (Table("Factors against the blueprint's facets", match.matches),
         Table("Fit of the exploratory model", fit)),
        (_figure(figure, "Pattern loadings ordered by facet (|loading| < .30 shaded)",
                 "loadings"),),
    ))


def _confirmatory(run: _Run, frame: pd.DataFrame, scale: Scale, ordinal: bool) -> None:
    from ..psychometrics._plots import plot_path_diagram

    estimator = "WLSMV" if ordinal else "MLR"
    # Every respondent counts: WLSMV on pairwise statistics, MLR by full-information ML.
    missing = "pairwise" if ordinal else "ml"
    fit = blueprint_cfa(frame, scale, level="facet", estimator=estimator, missing=missing)
    run.results["cfa"] = fit
    measures = fit.fit
    suffix = "_scaled" if "cfi_scaled" in measures else ""
    shown = {"chi2": measures.get(f"chisq{suffix}"), "dof": measures.get(f"df{suffix}"),
             "p value": measures.get(f"pvalue{suffix}"), "CFI": measures.get(f"cfi{suffix}"),
             "TLI": measures.get(f"tli{suffix}"), "RMSEA": measures.get(f"rmsea{suffix}"),
             "RMSEA 90% CI lower": measures.get(f"rmsea_ci_lower{suffix}"),
             "RMSEA 90% CI upper": measures.get(f"rmsea_ci_upper{suffix}"),
             "SRMR": measures.get("srmr")}
    for key, name in (("cfi_robust", "CFI (robust)"), ("tli_robust", "TLI (robust)"),
                      ("rmsea_robust", "RMSEA (robust)")):
        if np.isfinite(measures.get(key, np.nan)):
            shown[name] = measures[key]
    table = pd.DataFrame({"value": [np.nan if v is None else float(v) for v in shown.values()]},
                         index=pd.Index(list(shown), name="fit measure"))
    label = "scaled " if suffix else ""
    for name, key, rule in (("CFI", "cfi", "at_least"), ("TLI", "tli", "at_least"),
                            ("RMSEA", "rmsea", "at_most"), ("SRMR", "srmr", "at_most")):
        value = measures.get(key if key == "srmr" else f"{key}{suffix}", np.nan)
        bound = {"CFI": CFI_FLOOR, "TLI": CFI_FLOOR, "RMSEA": RMSEA_CEILING,
                 "SRMR": SRMR_CEILING}[name]
        run.criteria.append(getattr(Criterion, rule)(
            "Confirmatory structure", f"{label if key != 'srmr' else ''}{name} of the "
            "facet model", value, bound, "Hu & Bentler 1999"))
    reliability = fit.reliability  # computed on each access: once here
    for factor, row in reliability.iterrows():
        run.criteria.append(Criterion.at_least(
            "Confirmatory structure", f"composite reliability of facet {factor}",
            row["omega"], ALPHA_FLOOR, "Fornell & Larcker 1981"))
        run.criteria.append(Criterion.at_least(
            "Confirmatory structure", f"average variance extracted of facet {factor}",
            row["ave"], AVE_FLOOR, "Fornell & Larcker 1981"))
    correlations = _factor_correlations(fit)
    figure = plot_path_diagram(fit.std_loadings, factor_correlations=correlations)
    run.sections.append(Section(
        "cfa", "Confirmatory structure",
        (f"The blueprint's facet model (one factor per facet, factors correlated) fitted by "
         f"{estimator} ({'on polychoric correlations, ' if ordinal else ''}lavaan 0.6.14's "
         "numbers), reverse-keyed items reversed first, on "
         + (f"the {fit.n_obs} respondents, each statistic from the answers it involves "
            "(lavaan's missing = \"pairwise\")" if ordinal else
            f"the {fit.n_obs} respondents, each contributing the answers they gave "
            "(full-information ML, lavaan's missing = \"ml\")")
         + ". Cut-offs: Hu & Bentler (1999).",),
        (Table(f"Fit of the facet model ({estimator})", table),
         Table("Composite reliability (omega) and average variance extracted per facet",
               reliability),
         Table("Fornell-Larcker: square root of AVE (diagonal) against factor correlations",
               fit.fornell_larcker().to_frame().rename_axis("factor"))),
        (_figure(figure, "Path diagram of the facet model (standardised loadings)",
                 "path"),),
    ))


def _factor_correlations(fit: Any) -> pd.DataFrame | None:
    """Latent correlations (std.all of the factor covariances) as a factors x factors table."""
    factors = list(fit.std_loadings.columns)
    estimates = fit.estimates
    rows = estimates[(estimates["op"] == "~~") & estimates["lhs"].isin(factors)
                     & estimates["rhs"].isin(factors) & (estimates["lhs"] != estimates["rhs"])]
    if rows.empty:
        return None
    matrix = pd.DataFrame(np.eye(len(factors)), index=factors, columns=factors)
    for _, row in rows.iterrows():
        matrix.loc[row["lhs"], row["rhs"]] = matrix.loc[row["rhs"], row["lhs"]] = row["std_all"]
    return matrix


def _discriminant(run: _Run, frame: pd.DataFrame, scale: Scale) -> None:
    ratios = htmt(frame, scale, level="dimension")
    run.results["htmt"] = ratios
    for (first, second), row in ratios.pairs.iterrows():
        run.criteria.append(Criterion.at_most(
            "Discriminant validity", f"HTMT of dimensions {first} and {second}", row["htmt"],
            HTMT_STRICT, "Henseler 2015"))
    run.sections.append(Section(
        "discriminant", "Discriminant validity between dimensions",
        ("Heterotrait-monotrait ratios of the item correlations (semTools::htmt; reverse-keyed "
         "items reversed first). Above .85 (strict) or .90 (liberal) the dimensions are not "
         "told apart.",),
        (Table("HTMT ratios per pair of dimensions", ratios.pairs),),
    ))


def _convergent(run: _Run, frame: pd.DataFrame, scale: Scale, columns: list[str]) -> None:
    from ..psychometrics._plots import plot_mtmm

    scores = run.results["scores"]
    reliability = run.results.get("reliability")  # absent when it could not be computed
    reliabilities = None if reliability is None else reliability.table["alpha"]
    fit = convergent_validity(scores, frame[columns], reliabilities=reliabilities)
    matrix = mtmm(scores, frame[columns], reliabilities=reliabilities)
    run.results["convergent"], run.results["mtmm"] = fit, matrix
    run.criteria.append(Criterion.at_least(
        "Convergent validity", f"share of hypotheses confirmed ({fit.confirmed} of "
        f"{fit.testable})", fit.share, COSMIN_SHARE, "COSMIN"))
    for _, row in fit.hypotheses.iterrows():
        if row["verdict"] == "not confirmed":
            run.advice.append(f"Hypothesis {row['hypothesis']!r} is not confirmed.")
    hypothesised = fit.table.index[fit.table["hypothesised"]]
    figure = plot_mtmm(fit.r, traits_x=list(fit.r.columns), traits_y=list(fit.r.index),
                       hypothesised=list(hypothesised))
    run.sections.append(Section(
        "convergent", "Convergent validity against the Bordin goal, task and bond",
        (fit.conclusion,
         "Correlations with Fisher-z confidence intervals and Holm-adjusted p values "
         "(psych::corr.test); disattenuated r from the alphas (psych::correct.cor); "
         "hypotheses stated in the blueprint before the data were seen.",),
        (Table("Pre-registered hypotheses and their verdicts", fit.hypotheses),
         Table("Correlations of the DTA subscales with the criterion", fit.table),
         Table("Campbell & Fiske comparisons (multitrait-multimethod)", matrix.criteria)),
        (_figure(figure, "DTA subscales against the Bordin subscales (hypothesised pairs "
                 "outlined)", "mtmm"),),
    ))


def _known_groups(run: _Run, frame: pd.DataFrame, groups: str) -> None:
    scores = run.results["scores"].scores
    fit = known_groups(scores, frame[groups])
    run.results["known_groups"] = fit
    run.criteria.append(Criterion.at_least(
        "Known groups", f"predicted differences found ({fit.as_predicted} of {fit.predicted})",
        fit.as_predicted / fit.predicted if fit.predicted else np.nan, COSMIN_SHARE, "COSMIN"))
    run.sections.append(Section(
        "known_groups", f"Known groups ({fit.groups[0]} vs {fit.groups[1]})",
        ("Mean differences with Hedges' g and its confidence interval, Welch's t test, and "
         "whether each difference goes the predicted way.",),
        (Table("Known-groups comparisons", fit.table),),
    ))


def _retest(run: _Run, frame: pd.DataFrame, retest: Any, scale: Scale, source: str) -> None:
    second = retest if isinstance(retest, pd.DataFrame) else read_responses(
        retest, scale, source=source)
    fit = test_retest(frame, second, scale, id_column=False)
    run.results["test_retest"] = fit
    for name, row in fit.table.iterrows():
        run.criteria.append(Criterion.at_least(
            "Test-retest", f"ICC(A,1) of {_subscale(name, row['level'])}", row["icc"],
            ICC_FLOOR, "COSMIN"))
    run.sections.append(Section(
        "retest", "Test-retest reliability",
        (f"{fit.n_matched} respondents answered twice. ICC(A,1): two-way random effects, "
         "absolute agreement, single measurement (psych::ICC's ICC2); labels after Koo & Li "
         "(2016).",),
        (Table("Test-retest ICC per subscale", fit.table),),
    ))


# ---------------------------------------------------------------------- helpers
def _subscale(name: str, level: str) -> str:
    """``"facet A1"``, ``"dimension B"``, ``"the total score"``."""
    return "the total score" if level == "total" else f"{level} {name}"


def _criterion_columns(frame: pd.DataFrame, criterion: Sequence[str] | None) -> list[str]:
    if criterion is None:
        default = ["wai_goal", "wai_task", "wai_bond"]
        return default if all(c in frame.columns for c in default) else []
    names = [criterion] if isinstance(criterion, str) else list(criterion)
    absent = [c for c in names if c not in frame.columns]
    if absent:
        raise OptionError(f"criterion column(s) not in the responses: {', '.join(absent)}")
    return names


def _figure(figure: Any, caption: str, name: str) -> Figure:
    """A matplotlib figure as self-contained SVG text (then closed: nothing leaks)."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": "alliance-scale", "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    return Figure(caption=caption, svg=buffer.getvalue(), name=name)


def _data_sha256(responses: Any) -> str:
    """SHA-256 of the file's bytes, or of the DataFrame's CSV text."""
    if isinstance(responses, (str, Path)):
        try:
            return hashlib.sha256(Path(responses).read_bytes()).hexdigest()
        except OSError:
            return ""
    if isinstance(responses, pd.DataFrame):
        return hashlib.sha256(responses.to_csv().encode("utf-8")).hexdigest()
    return ""


def _footer(scale: Scale, frame: pd.DataFrame, data_hash: str, seed: int, cor: str,
            holdout: float | None) -> dict[str, Any]:
    packages = ("alliance-scale", "numpy", "scipy", "pandas", "statsmodels", "matplotlib")
    versions = {"python": platform.python_version()}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    call = f"als.validate(responses, scale, seed={seed!r}" + (
        f", holdout={holdout!r})" if holdout is not None else ")")
    return {
        "alliance_scale": versions["alliance-scale"],
        "versions": versions,
        "seed": seed,
        "correlations": cor,
        "data_sha256": data_hash,
        "scale_sha256": scale.content_hash,
        "scale_version": scale.version,
        "respondents": len(frame),
        "items": len(scale.items),
        "call": call,
        "command": "alliance-scale validate " + " ".join(sys.argv[1:])
        if Path(sys.argv[0]).name == "alliance-scale" else "alliance-scale validate",
    }


@contextmanager
def _progress(steps: list[tuple[str, Any]], show: bool):
    """A tqdm bar over the steps on standard error, shown only on a terminal."""
    if not (show and sys.stderr.isatty()):
        yield lambda name: None
        return
    from tqdm import tqdm

    with tqdm(total=len(steps), desc="validate", unit="step", file=sys.stderr,
              leave=False) as bar:
        def tick(name: str) -> None:
            bar.set_postfix_str(name)
            bar.update(1)
        yield tick
