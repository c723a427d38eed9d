"""``validate()``: the whole validation of a pilot in one call, as a :class:`ValidationReport`.

Each step is one library call whose result is kept in ``report.results`` and drawn from,
so every number in the report is the number that call returns (a test compares them). The
steps follow the order a psychometrician reads a validation: what was collected, the items,
careless responding, reliability, factorability, number of factors, exploratory structure
against the blueprint, confirmatory structure, convergent validity, known groups and
test-retest. The plain-language summary judges each number against its published cut-off
(:mod:`._criteria`); item-level advice never removes an item.

Verdicts never say more than the data: the CFA's fit is judged by
:func:`~alliance_scale.judge_fit` (robust indices first; "inconclusive" when the scaled and
robust indices disagree); a convergent hypothesis is confirmed only when its interval
excludes the boundary; the sample size is itself a criterion of each analysis that needs one
(n per item for the factor analyses, per free parameter and per table cell for the CFA);
and an analysis that cannot run leaves "not testable" criteria with the reason, never a gap.
The summary opens with a narrative ordered by consequence and the decisions it implies
(:mod:`._narrative`).
"""

from __future__ import annotations

import hashlib
import io
import platform
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
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
from .._io import analysis_budget
from ..errors import AnalysisError, OptionError
from ..fielding._careless import careless
from ..fielding._datasets import load_pilot
from ..fielding._responses import read_responses
from ..fielding._scoring import score
from ..instrument._blueprint import load_blueprint
from ..instrument._drafting import draft_scale
from ..instrument._scale import Scale
from ..psychometrics._blas import single_threaded_blas
from ..psychometrics._cfa import split_sample
from ..psychometrics._cfa._cfa import ordinal_memory
from ..psychometrics._correlation._correlation import AnalysedCorrelation, correlation_matrix
from ..psychometrics._factor._efa import efa
from ..psychometrics._factor._factorability import bartlett, kmo
from ..psychometrics._factor._n_factors import map_test, parallel_analysis
from ..validity._cfa import blueprint_cfa, judge_fit, refit_blueprint
from ..validity._convergent import DIRECTION_ONLY, convergent_validity
from ..validity._discriminant import htmt
from ..validity._known_groups import known_groups
from ..validity._mtmm import mtmm
from ..validity._reliability import reliability, test_retest
from ..validity._structure import congruence
from ._criteria import Criterion, _bound
from ._item_table import item_table
from ._narrative import decisions, narrative
from ._report import Figure, Section, Table, ValidationReport, isolate

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
#: COSMIN's "adequate" sample for a factor analysis: 5 respondents per item and >= 100
#: (Mokkink et al. 2018, Risk of Bias checklist, structural validity).
EFA_PER_ITEM = 5
EFA_MINIMUM = 100
#: Respondents per free parameter of a CFA (Bentler & Chou 1987).
CFA_PER_PARAMETER = 5
#: Expected respondents per cell of an item pair's table (Cochran 1954).
CELL_MINIMUM = 5
#: Respondents for stable graded-model estimates (Reise & Yu 1990).
IRT_MINIMUM = 500
#: Columns that say which language version a respondent answered (survey platforms).
LANGUAGE_COLUMNS = ("language", "lang", "startlanguage", "q_language", "userlanguage")
#: Eigenvalues shown by the scree plot: the region where the number of factors is decided.
SCREE_SHOWN = 20


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
    scale: Scale | str | Path,
    *,
    criterion: Sequence[str] | None = None,
    groups: str | None = None,
    retest: pd.DataFrame | str | Path | None = None,
    holdout: float | None = None,
    ordinal: str | bool = "auto",
    source: str = "auto",
    seed: int = 0,
    progress: bool = True,
    irt: bool = False,
) -> ValidationReport:
    """Validate a pilot administration of ``scale``: every analysis, judged, in one report.

    Parameters
    ----------
    responses : DataFrame, str or Path
        The administration: a DataFrame with one column per item of ``scale`` (others kept
        as metadata), or a survey export read by :func:`~alliance_scale.read_responses`.
    scale : Scale, str or Path
        The questionnaire that was fielded (its keys, reverse-keyed items and blueprint
        structure), or the file it was saved to (:meth:`Scale.save`; then the report's
        rerun line names the file).
    criterion : sequence of str, optional
        WAI-style columns of ``responses`` with Bordin goal, task and bond scores, in that
        order (default: ``wai_goal``, ``wai_task``, ``wai_bond`` when present).
    groups : str, optional
        A column of ``responses`` holding a grouping for known-groups validity and for
        measurement invariance of the facet model (configural, thresholds, loadings,
        intercepts for ordinal items). Invariance across languages runs by itself when the
        data say which version each respondent answered (a ``language`` /
        ``startlanguage`` / ``Q_Language`` column with two versions or more).
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
    irt : bool, default False
        Add the item response theory section (:func:`~alliance_scale.blueprint_irt`: a
        graded model per facet, its items' discrimination and S-X2 fit, the facets'
        information curves). Off by default: it costs about 2 s on the bundled pilot (9
        facets, 320 respondents), against the 3 s the rest of the validation aims at.

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
    scale_argument = scale
    if isinstance(scale, (str, Path)):
        scale = Scale.load(scale)
    check_instance("scale", scale, Scale, "see draft_scale")
    check_flag("progress", progress)
    irt = check_flag("irt", irt)
    generator = check_seed("seed", seed)
    if holdout is not None:
        holdout = check_number("holdout", holdout, 0.0, 1.0, low_open=True, high_open=True)
    if not isinstance(ordinal, bool):
        check_choice("ordinal", ordinal, ("auto",))
    rerun = _rerun(responses, scale_argument, scale, criterion=criterion, groups=groups,
                   retest=retest, holdout=holdout, ordinal=ordinal, source=source, seed=seed,
                   irt=irt)
    frame = read_responses(responses, scale, source=source) if not isinstance(
        responses, pd.DataFrame) else read_responses(check_frame("responses", responses), scale)
    data_hash = _data_sha256(responses, frame)
    use_ordinal = scale.response_format.points <= ORDINAL_POINTS if ordinal == "auto" else ordinal
    cor = "polychoric" if use_ordinal else "pearson"
    columns, missing_criterion = _criterion_columns(frame, criterion)
    if groups is not None and groups not in frame.columns:
        raise OptionError(f"groups names no column of the responses: {groups!r}"
                          + _near_miss(groups, frame.columns))

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
    steps.append(("second-order structure",
                  lambda: _second_order(run, confirm, scale, use_ordinal)))
    steps.append(("item analysis", lambda: _item_analysis(run, scale)))
    if irt:
        steps.append(("item response theory", lambda: _irt(run, frame, scale)))
    steps.append(("discriminant validity", lambda: _discriminant(run, frame, scale)))
    if columns:
        steps.append(("convergent validity", lambda: _convergent(run, frame, scale, columns)))
    else:
        run.criteria.append(Criterion.not_testable(
            "Convergent validity", "share of hypotheses confirmed", missing_criterion,
            "COSMIN", ">= .75"))
        run.sections.append(Section("convergent", "Convergent validity",
                                    (f"Not computed: {missing_criterion}.",)))
    if groups is not None:
        steps.append(("known groups", lambda: _known_groups(run, frame, groups)))
        steps.append(("measurement invariance",
                      lambda: _invariance(run, confirm, scale, groups, use_ordinal)))
    language = _language_column(frame)
    if language is not None and language != groups:
        steps.append(("invariance by language",
                      lambda: _invariance(run, confirm, scale, language, use_ordinal,
                                          by_language=True)))
    if retest is not None:
        steps.append(("test-retest", lambda: _retest(run, frame, retest, scale, source)))
    # One BLAS thread: the matrices here are small (items x items), and a second thread
    # costs more than it gives, much more when other work shares the cores.
    with _progress(steps, progress) as tick, warnings.catch_warnings(record=True) as caught, \
            single_threaded_blas():
        # every warning, whatever the caller's filters: the notes, hence the report, must
        # not depend on them (the rerun line reproduces the report byte for byte)
        warnings.simplefilter("always")
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
                if name in _UNTESTED:  # the criteria it would have judged: not testable
                    # (not ``source``: the steps' closures read that name)
                    section, what, cited, rule = _UNTESTED[name]
                    run.criteria.append(Criterion.not_testable(
                        section, what, f"{name} not computed: {error}", cited, rule))
    run.notes.extend(_warning_notes(caught))
    footer = _footer(scale, frame, data_hash, seed, cor, rerun)
    criteria = tuple(run.criteria)
    return ValidationReport(
        title=f"{scale.name}: validation of the pilot",
        sections=tuple(run.sections), criteria=criteria, advice=tuple(run.advice),
        notes=tuple(run.notes), results=run.results, footer=footer,
        narrative=narrative(criteria, run.results, scale),
        decisions=decisions(criteria, run.results, scale, holdout=holdout is not None),
    )


#: Section id of each step (the id its section gets when the step cannot be computed).
_SECTION_KEYS = {
    "items": "items", "careless responding": "careless", "reliability": "reliability",
    "factorability": "factorability", "number of factors": "n_factors",
    "exploratory structure": "efa", "confirmatory structure": "cfa",
    "discriminant validity": "discriminant", "convergent validity": "convergent",
    "known groups": "known_groups", "test-retest": "retest",
    "second-order structure": "second_order", "item analysis": "item_analysis",
    "measurement invariance": "invariance", "invariance by language": "invariance_language",
    "item response theory": "irt",
}

#: What each step judges (section, criterion, source, rule): "not testable" when it fails.
_UNTESTED = {
    "reliability": ("Reliability", "alpha of every facet, dimension and the total", "COSMIN",
                    ">= .70"),
    "factorability": ("Factorability", "KMO overall and Bartlett's sphericity", "Kaiser 1974",
                      ">= .60"),
    "number of factors": ("Number of factors", "factors suggested by parallel analysis = "
                          "the blueprint's facets", "Horn 1965", "= facets"),
    "exploratory structure": ("Factor structure", "congruence of the EFA factors with the "
                              "blueprint's facets", "Lorenzo-Seva & ten Berge 2006", ">= .85"),
    "confirmatory structure": ("Confirmatory structure", "fit of the facet model",
                               "Hu & Bentler 1999", "see the fit rule"),
    "second-order structure": ("Confirmatory structure", "fit of the second-order model",
                               "Hu & Bentler 1999", "see the fit rule"),
    "discriminant validity": ("Discriminant validity", "HTMT of the dimensions",
                              "Henseler 2015", "<= .85"),
    "convergent validity": ("Convergent validity", "share of hypotheses confirmed", "COSMIN",
                            ">= .75"),
    "known groups": ("Known groups", "predicted differences found", "COSMIN", ">= .75"),
    "test-retest": ("Test-retest", "ICC(A,1) of every subscale", "COSMIN", ">= .70"),
    "measurement invariance": ("Measurement invariance", "invariance across the groups",
                               "Chen 2007", "see the invariance rule"),
    "invariance by language": ("Measurement invariance", "invariance across the languages",
                               "Chen 2007", "see the invariance rule"),
    "item response theory": ("Item response theory", "graded models of the facets: "
                             "marginal reliability, discrimination and S-X2 fit of the items",
                             "Orlando & Thissen 2000", "see the IRT rules"),
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
    # Terwee's 15% is about what can reach the bound: every item, judged one by one
    answers = frame[scale.item_ids]
    answered = answers.notna().sum()
    shares = {"floor": answers.eq(low).sum() / answered.where(answered > 0),
              "ceiling": answers.eq(high).sum() / answered.where(answered > 0)}
    for kind, share in shares.items():
        over = share[share > FLOOR_CEILING_SHARE].sort_values(ascending=False)
        worst = share.idxmax() if share.notna().any() else ""
        reason = (f"{len(over)} of {len(share)} items with more than 15% at the {kind}: "
                  + ", ".join(f"{i} {v:.0%}" for i, v in over.head(8).items())
                  + (" ..." if len(over) > 8 else "") if len(over) else
                  f"largest: {worst} {share.max():.0%}")
        criterion = Criterion.at_most(
            "Items", f"{kind} effect per item: largest share at the {kind} ({worst})",
            float(share.max()), FLOOR_CEILING_SHARE, "Terwee 2007")
        run.criteria.append(replace(criterion, reason=reason))


def _items(run: _Run, frame: pd.DataFrame, scale: Scale) -> None:
    from ..psychometrics._reliability._plots import plot_likert  # matplotlib on use

    # One chart per facet (about 9 items each: readable on a printed page, where one
    # chart of 80 items would be shrunk to half its size), anchors in the report's
    # language (English), whatever the language the scale was fielded in.
    labels = scale.response_format.labels("en")
    facets: dict[str, list[str]] = {}
    for item in scale.items:
        facets.setdefault(item.facet, []).append(item.id)
    figures = tuple(
        _figure(_later(plot_likert, frame[ids], labels=labels),
                f"Distribution of answers to the items of facet {facet}",
                # a file name of the Markdown report's figures: the facet's name when safe
                f"likert_{facet}" if re.fullmatch(r"[A-Za-z0-9_-]{1,40}", facet)
                else f"likert_{number}")
        for number, (facet, ids) in enumerate(sorted(facets.items()), start=1))
    language = {"fr": "French"}.get(scale.language, repr(scale.language))
    fielded = ("" if scale.language == "en" else
               f" The scale was fielded in {language}; its anchors are shown in English.")
    run.sections.append(Section(
        "items", "Items and response distributions",
        ("Share of each answer per item, one chart per facet (diverging bars: disagreement "
         "left, agreement right; reverse-keyed items as answered)." + fielded,),
        figures=figures,
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
    from ..psychometrics._factor._plots import plot_scree

    answers = frame[scale.item_ids]
    parallel = parallel_analysis(answers, cor=cor, seed=generator, n_iter=20)
    explored = _explored(run, frame, scale, cor)
    velicer = map_test(cor_matrix=explored.matrix, max_factors=min(answers.shape[1] - 1, 20))
    run.results["parallel_analysis"], run.results["map"] = parallel, velicer
    facets = len({item.facet for item in scale.items})
    singular = _singular(*answers.shape)
    if singular:
        run.criteria.append(Criterion.not_testable(
            "Number of factors", "factors suggested by parallel analysis against the "
            "blueprint's facets", singular, "Horn 1965", f"= {facets}"))
    else:
        run.criteria.append(Criterion(
            "Number of factors", f"factors suggested by parallel analysis (MAP: "
            f"{velicer.n_factors}) against the blueprint's {facets} facets",
            float(parallel.n_factors), f"= {facets}", parallel.n_factors == facets,
            "Horn 1965", "" if parallel.n_factors == facets else
            f"parallel analysis suggests {parallel.n_factors}, MAP {velicer.n_factors}, the "
            f"blueprint has {facets}"))
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
        (_figure(_later(plot_scree, parallel,
                        max_number=min(len(parallel.table), SCREE_SHOWN), zoom=True),
                 f"Scree plot with the parallel-analysis reference (the first "
                 f"{min(len(parallel.table), SCREE_SHOWN)} eigenvalues, where the decision "
                 "is made)", "scree"),),
    ))


def _structure(run: _Run, frame: pd.DataFrame, scale: Scale, cor: str) -> None:
    from ..psychometrics._correlation._plots import plot_correlations
    from ..psychometrics._factor._plots import plot_loadings

    answers = frame[scale.item_ids]
    facets = sorted({item.facet for item in scale.items})
    n, p = len(answers), answers.shape[1]
    run.criteria.append(_sample_criterion(
        "sample for the factor analyses (n per item; n >= 5 x items and >= 100)", n, p,
        EFA_PER_ITEM, EFA_MINIMUM, "Mokkink 2018", "items"))
    solution = efa(answers, len(facets), cor=cor)
    match = congruence(solution, scale, level="facet")
    run.results["efa"], run.results["congruence"] = solution, match
    singular = _singular(n, p)
    if singular:
        run.criteria.append(Criterion.not_testable(
            "Factor structure", "congruence of the EFA factors with the blueprint's facets",
            singular, "Lorenzo-Seva & ten Berge 2006", ">= .85"))
    for factor, row in match.matches.iterrows():
        if singular:
            break
        run.criteria.append(Criterion.at_least(
            "Factor structure", f"congruence of {factor} with facet {row['target']}",
            row["congruence"], CONGRUENCE_FAIR, "Lorenzo-Seva & ten Berge 2006"))
    for item, row in match.flagged.iterrows():
        run.advice.append(f"{item}: {row['reasons']}")
    groups = {item.id: item.facet for item in scale.items}
    # One heatmap per dimension (its items: each fits a printed page at full size), the
    # factors in the same order in each (by the facet each matches), then the factor
    # correlations.
    matched = dict(zip(match.matches.index.astype(str), match.matches["target"].astype(str),
                       strict=True))
    rank = {facet: i for i, facet in enumerate(facets)}
    order = sorted(map(str, solution.loadings.columns),
                   key=lambda f: (rank.get(matched.get(f), len(rank)), f))
    figures = []
    for dimension in sorted({item.dimension for item in scale.items}):
        ids = [item.id for item in scale.items if item.dimension == dimension]
        figures.append(_figure(
            _later(plot_loadings, solution.loadings.loc[ids],
                   groups={i: groups[i] for i in ids}, cut=0.3, factor_order=order),
            f"Pattern loadings of the items of dimension {dimension}, ordered by facet "
            "(|loading| < .30 shaded)", f"loadings_{len(figures) + 1}"))
    if solution.phi is not None:
        figures.append(_figure(
            _later(plot_correlations, solution.phi.loc[order, order], annotate=True),
            "Correlations between the factors of the EFA (oblimin)", "efa_correlations"))
    fit = pd.DataFrame({"value": [solution.fit.get(k, np.nan) for k in
                                  ("chi2", "dof", "rmsea", "tli", "rmsr")]},
                       index=pd.Index(["chi2", "dof", "RMSEA", "TLI", "RMSR"], name="fit"))
    run.sections.append(Section(
        "efa", "Exploratory structure",
        (f"{len(facets)}-factor minres EFA with oblimin rotation on {cor} correlations "
         "(psych::fa), compared with the blueprint's facets by Tucker's congruence.",),
        (Table("Factors against the blueprint's facets", match.matches),
         Table("Fit of the exploratory model", fit)),
        tuple(figures),
    ))


def _confirmatory(run: _Run, frame: pd.DataFrame, scale: Scale, ordinal: bool) -> None:
    from ..psychometrics._cfa._plots import plot_path_diagram
    from ..psychometrics._correlation._plots import plot_correlations

    too_big = ""
    if ordinal:  # WLSMV's memory grows with the third / fourth power of the items: pick
        p = len(scale.items)
        need = ordinal_memory(p, p * (scale.response_format.points - 1), len(frame), 1, "WLSMV")
        budget, _ = analysis_budget()
        if need > budget:
            ordinal = False
            too_big = (f"WLSMV on the {len(scale.items)} items would need about "
                       f"{need / 1e9:.2g} GB, more than the memory budget of "
                       f"{budget / 1e9:.2g} GB: the facet model is fitted by MLR "
                       "on the answers as continuous instead.")
            run.notes.append(too_big)
    estimator = "WLSMV" if ordinal else "MLR"
    # Every respondent counts: WLSMV on pairwise statistics, MLR by full-information ML.
    missing = "pairwise" if ordinal else "ml"
    fit = blueprint_cfa(frame, scale, level="facet", estimator=estimator, missing=missing)
    run.results["cfa"] = fit
    judged = judge_fit(fit, n_items=len(scale.items))
    run.results["cfa_fit"] = judged
    n, p, n_par = fit.n_obs, len(scale.items), judged.n_par
    run.criteria.append(_sample_criterion(
        "sample for the CFA (n per free parameter)", n, n_par, CFA_PER_PARAMETER, 0,
        "Bentler & Chou 1987", "free parameters"))
    if ordinal:
        cells = scale.response_format.points ** 2
        run.criteria.append(_sample_criterion(
            f"sample for the polychoric tables (n per cell of a {scale.response_format.points}"
            f" x {scale.response_format.points} item-pair table)", n, cells, CELL_MINIMUM, 0,
            "Cochran 1954", "cells"))
    singular = _singular(n, p)
    run.criteria.append(_fit_criterion("facet model", judged, singular))
    reliability = fit.reliability  # computed on each access: once here, kept
    run.results["cfa_reliability"] = reliability
    for factor, row in reliability.iterrows():
        for what, value, bound in (("composite reliability", row["omega"], ALPHA_FLOOR),
                                   ("average variance extracted", row["ave"], AVE_FLOOR)):
            name = f"{what} of facet {factor}"
            run.criteria.append(
                Criterion.not_testable("Confirmatory structure", name, singular,
                                       "Fornell & Larcker 1981", f">= {_bound(bound)}")
                if singular else
                Criterion.at_least("Confirmatory structure", name, value, bound,
                                   "Fornell & Larcker 1981"))
    correlations = _factor_correlations(fit)
    # One diagram per dimension (its facets and their items: each fits a printed page at
    # full size) and the factor correlations as a matrix (36 arcs would cross each other).
    loadings = fit.std_loadings
    dimension_of = {item.facet: item.dimension for item in scale.items}
    figures = []
    for dimension in sorted({dimension_of.get(f, f) for f in loadings.columns}):
        facets = [f for f in loadings.columns if dimension_of.get(f, f) == dimension]
        block = loadings[facets]
        block = block[(block != 0).any(axis=1)]
        within = None if correlations is None else correlations.loc[facets, facets]
        figures.append(_figure(
            _later(plot_path_diagram, block, factor_correlations=within),
            f"Path diagram of the facet model, dimension {dimension} (standardised "
            "loadings" + (", correlations of its facets" if len(facets) > 1 and
                          within is not None else "") + ")",
            f"path_{len(figures) + 1}"))
    if correlations is not None:
        figures.append(_figure(_later(plot_correlations, correlations, annotate=True),
                               "Correlations between the facet factors (standardised)",
                               "factor_correlations"))
    run.sections.append(Section(
        "cfa", "Confirmatory structure",
        (f"The blueprint's facet model (one factor per facet, factors correlated) fitted by "
         f"{estimator} ({'on polychoric correlations, ' if ordinal else ''}lavaan 0.6.14's "
         "numbers), reverse-keyed items reversed first, on "
         + (f"the {fit.n_obs} respondents, each statistic from the answers it involves "
            "(lavaan's missing = \"pairwise\")" if ordinal else
            f"the {fit.n_obs} respondents, each contributing the answers they gave "
            "(full-information ML, lavaan's missing = \"ml\")")
         + f" ({n_par} free parameters)." + (f" {too_big}" if too_big else ""),
         f"Fit rule: {judged.rule}. {judged.note}",
         f"Verdict: {judged.verdict} ({judged.reason})."),
        (Table(f"Fit of the facet model ({estimator}; lavaan's names, 90% CI of each RMSEA)",
               judged.table),
         Table("Composite reliability (omega) and average variance extracted per facet",
               reliability),
         Table("Fornell-Larcker: square root of AVE (diagonal) against factor correlations",
               fit.fornell_larcker().to_frame().rename_axis("factor"))),
        tuple(figures),
    ))


def _second_order(run: _Run, frame: pd.DataFrame, scale: Scale, ordinal: bool) -> None:
    """The blueprint's dimensions as second-order factors beside the facet model, and the
    difference test between them (lavTestLRT: Satorra 2000 for WLSMV, Satorra-Bentler 2001
    for MLR)."""
    from ..psychometrics._cfa._invariance import _difference

    facet = run.results.get("cfa")
    if facet is None:
        raise AnalysisError("the facet model was not fitted")
    singular = _singular(facet.n_obs, len(scale.items))
    if singular:
        raise AnalysisError(singular)
    estimator = facet.estimator
    dimensions = {item.dimension for item in scale.items}
    facets_per = {d: {i.facet for i in scale.items if i.dimension == d} for d in dimensions}
    single = sorted(d for d, f in facets_per.items() if len(f) < 2)
    if single or (len(dimensions) < 2 and min(len(f) for f in facets_per.values()) < 3):
        raise AnalysisError("the second-order model is not identified: "
                            + (f"dimension(s) {', '.join(single)} keep a single facet"
                               if single else "one dimension with fewer than 3 facets"))
    # the facet model's sample statistics (thresholds, polychorics, weights) are reused:
    # only the estimation is repeated
    fit = refit_blueprint(facet, scale, "second_order")
    run.results["cfa_second_order"] = fit
    judged = judge_fit(fit, n_items=len(scale.items))
    run.results["cfa_second_order_fit"] = judged
    try:
        statistic, df, p_value = _difference(facet, fit, estimator)
    except (np.linalg.LinAlgError, ValueError) as error:
        raise AnalysisError(f"the difference test could not be computed ({error})") from None
    run.results["cfa_difference"] = {"chisq_diff": statistic, "df_diff": df,
                                     "pvalue_diff": p_value}
    suffix = "_robust" if np.isfinite(facet.fit.get("cfi_robust", np.nan)) else (
        "_scaled" if "cfi_scaled" in facet.fit else "")
    label = suffix.replace("_", ".")
    rows = {}
    for name, model in (("facet model", facet), ("second-order model", fit)):
        measures = model.fit
        rows[name] = {"npar": measures["npar"],
                      "chisq" + label.replace(".robust", ".scaled"):
                          measures.get("chisq_scaled", measures["chisq"]),
                      "df": measures["df"], f"cfi{label}": measures.get(f"cfi{suffix}"),
                      f"rmsea{label}": measures.get(f"rmsea{suffix}"),
                      "srmr": measures.get("srmr")}
    table = pd.DataFrame(rows).T.rename_axis("model")
    table["chisq_diff"] = [np.nan, statistic]
    table["df_diff"] = [np.nan, df]
    table["pvalue_diff"] = [np.nan, p_value]
    run.criteria.append(_fit_criterion("second-order model", judged, None))
    worse = np.isfinite(p_value) and p_value < 0.05
    run.sections.append(Section(
        "second_order", "Second-order structure: facets under their dimensions",
        ("The blueprint's dimensions as second-order factors (each facet loads on its "
         "dimension; dimensions correlated), beside the facet model it is nested in. The "
         "difference test is lavaan's lavTestLRT ("
         + ("Satorra 2000 scaled-shifted" if estimator == "WLSMV" else
            "Satorra-Bentler 2001 scaled" if estimator == "MLR" else "chi-square")
         + " difference): a significant difference means the dimensions do not account "
         "for the correlations between facets.",
         f"Difference: chi2 = {statistic:.2f}, df = {df}, p = "
         + (f"{p_value:.3f}" if p_value >= 0.001 else "< .001")
         + (" — the second-order structure fits worse than the facet model."
            if worse else " — no evidence that the second-order structure fits worse.")
         + f" Verdict on the second-order model's own fit: {judged.verdict} "
         f"({judged.reason})."),
        (Table("Facet model against the second-order model (difference test)", table),
         Table(f"Fit of the second-order model ({estimator})", judged.table)),
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


def _item_analysis(run: _Run, scale: Scale) -> None:
    reliability = run.results.get("reliability")
    if reliability is None:
        raise AnalysisError("the item statistics need the reliability analysis")
    solution, match = run.results.get("efa"), run.results.get("congruence")
    if solution is not None and _singular(solution.n_obs, len(scale.items)):
        solution = match = None  # loadings the data cannot identify are not shown
    table = item_table(reliability.items,
                       None if solution is None else solution.loadings,
                       None if match is None else match.matches)
    run.results["item_analysis"] = table
    run.sections.append(Section(
        "item_analysis", "Item analysis",
        ("Per item, within its facet: mean, SD, skew, shares at the lowest (floor) and "
         "highest (ceiling) answer, corrected item-total r and alpha if the item is deleted "
         "(psych::alpha), the EFA pattern loading on the factor matching its own facet and "
         "its largest loading on another factor. Flags restate conventions (floor or "
         "ceiling above 15%, Terwee 2007; item-total r below .30; own loading below .40; a "
         "cross-loading of .30 or more); no item is removed.",),
        (Table("Item analysis", table),),
    ))


def _invariance(run: _Run, frame: pd.DataFrame, scale: Scale, column: str, ordinal: bool,
                by_language: bool = False) -> None:
    """Measurement invariance of the facet model across ``column`` (Wu & Estabrook 2016 for
    ordinal items: configural, thresholds, loadings, intercepts)."""
    from ..psychometrics._cfa import measurement_invariance
    from ..psychometrics._keys import reverse_keyed
    from ..validity._cfa import blueprint_model

    counts = frame[column].value_counts()
    if len(counts) < 2:
        raise AnalysisError(f"{column!r} has fewer than two groups")
    reversed_items = [item.id for item in scale.items if item.keyed < 0]
    data = reverse_keyed(frame[list(scale.item_ids)], reversed_items, scale.min_value,
                         scale.max_value).join(frame[[column]])
    data = data[data[column].notna()]
    estimator = "WLSMV" if ordinal else "MLR"
    result = measurement_invariance(data, blueprint_model(scale), column, estimator=estimator,
                                    missing="pairwise" if ordinal else "listwise")
    key = "invariance_language" if by_language else "invariance"
    run.results[key] = result
    what = "languages" if by_language else f"groups of {column}"
    table = result.table
    for level in result.levels[1:]:
        row = table.loc[level]
        run.criteria.append(Criterion(
            "Measurement invariance", f"{level} invariance across the {what} (change in "
            f"{result.indices} CFI {row['cfi_diff']:+.3f}, RMSEA {row['rmsea_diff']:+.3f}; "
            f"difference test p = {row['pvalue_diff']:.3f})", float(row["cfi_diff"]),
            "CFI drop < .010, or RMSEA rise < .015 and SRMR rise < .030 / .010",
            bool(row["invariant"]), "Chen 2007"))
    run.sections.append(Section(
        key, f"Measurement invariance across the {what}",
        (f"Nested multi-group models of the facet model across {column} "
         f"({', '.join(f'{g}: {c}' for g, c in counts.items())} respondents), {estimator}"
         + (", identified as Wu & Estabrook (2016): configural, thresholds, loadings, "
            "intercepts" if ordinal else ": configural, metric, scalar, strict")
         + ". Each step is compared with the previous one by lavTestLRT's difference test "
         f"and by the change in {result.indices} CFI and RMSEA, judged by Chen's (2007) "
         "cut-offs.",),
        (Table("Measurement invariance: fit per step and change from the previous step",
               table),),
    ))


def _irt(run: _Run, frame: pd.DataFrame, scale: Scale) -> None:
    """A graded model per facet (reverse-keyed items reversed): marginal reliability of each
    facet, items with low discrimination or S-X2 misfit, the facets' information curves."""
    from ..psychometrics._irt._plots import plot_information
    from ..validity._irt import LOW_SLOPE, blueprint_irt

    fit = blueprint_irt(frame, scale, se=None)
    table = fit.item_table(adjust="holm", alpha=0.05, min_slope=LOW_SLOPE)
    run.results["irt"], run.results["irt_items"] = fit, table
    section = "Item response theory"
    n = min(model.n_obs for model in fit.fits.values())
    run.criteria.append(Criterion.at_least(
        "Sample size", "respondents for the graded models (IRT; fewest over the facets)",
        float(n), IRT_MINIMUM, "Reise & Yu 1990"))
    for name, model in fit.fits.items():
        run.criteria.append(Criterion.at_least(
            section, f"IRT marginal reliability of facet {name}",
            model.marginal_reliability(), ALPHA_FLOOR, "COSMIN"))
    low, misfit = table[table["low_discrimination"]], table[table["misfit"]]
    run.criteria.append(Criterion(
        section, f"items with low discrimination (graded slope |a| < {LOW_SLOPE:.2f})",
        float(len(low)), "= 0", low.empty, "Baker 2001",
        ", ".join(low.index) if len(low) else ""))
    run.criteria.append(Criterion(
        section, "items misfitting their facet's model (S-X2, Holm-adjusted p < .05 over "
        "the items)", float(len(misfit)), "= 0", misfit.empty, "Orlando & Thissen 2000",
        ", ".join(misfit.index) if len(misfit) else ""))
    for item, row in low.iterrows():
        run.advice.append(f"{item}: IRT slope {row['a']:.2f} in {row['group']} (below "
                          f"{LOW_SLOPE:.2f}: it tells little about the respondent's level).")
    for item, row in misfit.iterrows():
        run.advice.append(f"{item}: S-X2 = {row['S_X2']:.1f} (df {row['df_S_X2']:.0f}, Holm p "
                          f"{row['p_adjusted']:.3f}) in {row['group']}: its answers do not "
                          "follow the facet's graded model; read its wording.")
    dropped = sum(fit.dropped.values())
    run.sections.append(Section(
        "irt", section,
        ("Samejima's graded response model fitted to each facet by marginal maximum "
         "likelihood (mirt's algorithm and numbers; reverse-keyed items reversed first). A "
         "slope below 0.65 is a low discrimination (Baker 2001); S-X2 (Orlando & Thissen "
         "2000) compares each item's answers with the model at every sum score, on the "
         "respondents who answered every item of the facet, Holm-adjusted over all items. "
         "Information I at a trait level gives the reliability I / (I + 1) there: the "
         "dotted line (I = 2.33) marks .70."
         + (f" {dropped} respondent-facet pair(s) without any answer were left out of "
            "that facet's model." if dropped else ""),),
        (Table("IRT item parameters and fit (graded model per facet)",
               table[["group", "a", "information", "S_X2", "df_S_X2", "p_S_X2",
                      "p_adjusted", "low_discrimination", "misfit"]]),),
        (_figure(plot_information(fit.fits, threshold=7 / 3),
                 "Test information of each facet's graded model over the trait (dotted: "
                 "reliability .70)", "irt_information"),),
    ))


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
    from ..psychometrics._correlation._plots import plot_mtmm

    scores = run.results["scores"]
    reliability = run.results.get("reliability")  # absent when it could not be computed
    # the result itself, not its alpha column: an alpha that is not a reliability (one item
    # per facet, a negative average covariance) is left unknown rather than refused
    reliabilities = reliability
    blueprint = load_blueprint()  # the default of both, read once
    fit = convergent_validity(scores, frame[columns], reliabilities=reliabilities,
                              blueprint=blueprint)
    matrix = mtmm(scores, frame[columns], reliabilities=reliabilities, blueprint=blueprint)
    run.results["convergent"], run.results["mtmm"] = fit, matrix
    confirmed = Criterion.at_least(
        "Convergent validity", f"share of hypotheses confirmed ({fit.confirmed} of "
        f"{fit.testable}; estimate on the hypothesised side and interval excluding the "
        "boundary)", fit.share, COSMIN_SHARE, "COSMIN")
    apart = fit.hypotheses.index[fit.hypotheses["verdict"] == DIRECTION_ONLY]
    run.criteria.append(replace(confirmed, reason=(
        f"{len(apart)} more in the hypothesised direction, not supported by their interval "
        f"({', '.join(apart)}); not counted as confirmed" if len(apart) else "")))
    for label, row in fit.hypotheses.iterrows():
        if row["verdict"] == "not confirmed":
            run.advice.append(f"Hypothesis {label} {row['hypothesis']!r} is not confirmed.")
        elif row["verdict"] == DIRECTION_ONLY:
            run.advice.append(
                f"Hypothesis {label} {row['hypothesis']!r}: in the hypothesised direction, "
                f"but its {fit.confidence:.0%} interval ({row['ci_lower']:.3f} to "
                f"{row['ci_upper']:.3f}) includes the boundary: not confirmed by these data.")
    hypothesised = fit.table.index[fit.table["hypothesised"]]
    figure = _later(plot_mtmm, fit.r, traits_x=list(fit.r.columns),
                    traits_y=list(fit.r.index), hypothesised=list(hypothesised))
    run.sections.append(Section(
        "convergent", "Convergent validity against the Bordin goal, task and bond",
        (fit.conclusion,
         "Confirmation rule: a hypothesis is confirmed when its estimate lies on the "
         "hypothesised side and its confidence interval (Zou's interval of the difference; "
         "for a threshold, the interval of r) excludes the boundary; an estimate on the "
         "hypothesised side whose interval reaches the boundary is counted apart, not as "
         "confirmed. COSMIN's 75% applies to the confirmed hypotheses.",
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
        "known_groups", f"Known groups ({isolate(fit.groups[0])} vs {isolate(fit.groups[1])})",
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


def _criterion_columns(frame: pd.DataFrame, criterion: Sequence[str] | None,
                       ) -> tuple[list[str], str]:
    """The criterion columns, or none and why (a near-miss column named when there is one)."""
    if criterion is None:
        default = ["wai_goal", "wai_task", "wai_bond"]
        absent = [c for c in default if c not in frame.columns]
        if not absent:
            return default, ""
        missing = "; ".join(f"no column {c!r}" + _near_miss(c, frame.columns) for c in absent)
        return [], (f"the criterion columns {', '.join(default)} are not all in the "
                    f"responses ({missing}); pass criterion=[...] (--criterion) to name them")
    names = [criterion] if isinstance(criterion, str) else list(criterion)
    absent = [c for c in names if c not in frame.columns]
    if absent:
        raise OptionError("criterion column(s) not in the responses: "
                          + "; ".join(f"{c!r}" + _near_miss(c, frame.columns) for c in absent))
    return names, ""


def _near_miss(name: str, columns: Any) -> str:
    """``" (did you mean 'wai_goal'?)"`` when a column is spelled nearly like ``name``."""
    import difflib

    texts = [str(c) for c in columns]
    close = difflib.get_close_matches(name, texts, n=1, cutoff=0.75) or \
        difflib.get_close_matches(name.lower(), [t.lower() for t in texts], n=1, cutoff=0.75)
    if not close:
        return ""
    found = next(t for t in texts if t.lower() == close[0].lower())
    return f" (did you mean {found!r}?)"


def _language_column(frame: pd.DataFrame) -> str | None:
    """The column saying which language version each respondent answered, when the data
    have one with at least two versions."""
    for column in frame.columns:
        if str(column).lower() in LANGUAGE_COLUMNS and frame[column].nunique() >= 2:
            return str(column)
    return None


def _singular(n: int, p: int) -> str | None:
    """Why a factor analysis of ``n`` respondents and ``p`` items is not identified by the
    data (None when n > p)."""
    if n > p:
        return None
    return (f"n = {n} for {p} items: with no more respondents than items the correlation "
            "matrix is singular, so the data cannot identify a factor solution")


def _sample_criterion(name: str, n: int, units: int, per_unit: float, minimum: int,
                      source: str, unit: str) -> Criterion:
    """n per unit (item, free parameter, cell) against ``per_unit`` (and n >= minimum)."""
    ratio = n / units if units else float("nan")
    met = bool(ratio >= per_unit and n >= minimum) if units else None
    rule = f">= {per_unit:g} per {unit.rstrip('s')}" + (f" and n >= {minimum}" if minimum
                                                        else "")
    reason = f"n = {n} for {units} {unit}" + ("" if met else
                                               f": {per_unit * units:,.0f} needed")
    return Criterion("Sample size", name, ratio, rule, met, source, reason)


def _fit_criterion(model: str, judged: Any, singular: str | None) -> Criterion:
    """The fit rule's verdict as a criterion (inconclusive is never "met")."""
    name = (f"fit of the {model} ({judged.judged} indices: CFI, TLI, RMSEA, SRMR; no local "
            "misfit)")
    rule = "all cut-offs; scaled and robust agree"
    if singular:
        return Criterion.not_testable("Confirmatory structure", name, singular,
                                      "Hu & Bentler 1999", rule)
    table = judged.table
    cfi = next((table.loc[k, "value"] for k in ("cfi.robust", "cfi.scaled", "cfi")
                if k in table.index), float("nan"))
    met = {"acceptable": True, "not acceptable": False}.get(judged.verdict)
    return Criterion("Confirmatory structure", name, float(cfi), rule, met,
                     "Savalei 2021" if judged.judged == "robust" else "Hu & Bentler 1999",
                     judged.reason, inconclusive=judged.verdict == "inconclusive")


def _warning_notes(caught: list[Any]) -> list[str]:
    """The run's warnings, once each, in words for the reader of the report."""
    from ..errors import EmptyCellWarning

    notes = set()
    for warning in caught:
        if issubclass(warning.category, EmptyCellWarning):
            # the count, without the library's own commentary on how it is computed
            text = str(warning.message)
            found = re.match(r"(\d+) of (\d+) item pair", text)
            count = f"{found[1]} of {found[2]} item pairs" if found else "Some item pairs"
            where = (" where the polychoric model expects answers" if "expects" in text
                     else " in their contingency table")
            notes.add(
                f"Sparse tables: {count} have an empty cell{where}. Their polychoric "
                "correlations, and the weights of the WLSMV fit, rest on few answers: the "
                "CFA's chi-square and the fit indices built on it are less trustworthy, and "
                "extreme categories are estimated poorly. Read the fit verdicts with the "
                "sample-size criteria; merging rarely used categories or a larger sample "
                "makes them firmer.")
        else:
            notes.add(f"{warning.category.__name__}: {warning.message}")
    return sorted(notes)


def _figure(figure: Any, caption: str, name: str) -> Figure:
    """A captioned report figure: a matplotlib figure drawn now, or ``_later(plot, ...)``,
    drawn when the report is written or shown (once; a summary, the results and the JSON
    report need no drawing, and validate() returns without matplotlib)."""
    if callable(figure):
        return Figure(caption, figure, name)
    return Figure(caption=caption, svg=_svg(figure), name=name)


def _later(plot: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[], str]:
    """``plot(*args, **kwargs)`` as SVG text, when called. The arguments are kept in memory
    till then (results, and for the Likert charts a facet's answers: held by the report
    object only, never written in a report, and dropped once the figure is drawn)."""
    return lambda: _svg(plot(*args, **kwargs))


def _svg(figure: Any) -> str:
    """A matplotlib figure as self-contained SVG text (then closed: nothing leaks).

    Text is written as SVG ``<text>`` (``svg.fonttype = "none"``), drawn by the reader's
    sans-serif font: half the rendering time and a third less SVG than glyph outlines, and
    the labels can be searched, selected and read aloud in the report."""
    from .._lazy import pyplot

    plt = pyplot()
    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": "alliance-scale", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    return buffer.getvalue()


def _data_sha256(responses: Any, frame: pd.DataFrame) -> str:
    """SHA-256 of the file's bytes (computed by the reader as it read them), or of the
    DataFrame's CSV text."""
    if isinstance(responses, (str, Path)):
        return frame.attrs["read_report"].sha256
    if isinstance(responses, pd.DataFrame):
        return hashlib.sha256(responses.to_csv().encode("utf-8")).hexdigest()
    return ""


def _footer(scale: Scale, frame: pd.DataFrame, data_hash: str, seed: int, cor: str,
            rerun: dict[str, Any]) -> dict[str, Any]:
    packages = ("alliance-scale", "numpy", "scipy", "pandas", "statsmodels", "matplotlib")
    versions = {"python": platform.python_version()}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
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
        "rerun": rerun,
    }


@lru_cache(maxsize=1)
def _default_scale_hash() -> str:
    return draft_scale().content_hash


def _is_pilot(frame: Any, retest: bool) -> bool:
    """Whether ``frame`` is the bundled pilot (or its retest), unchanged."""
    return isinstance(frame, pd.DataFrame) and frame.equals(load_pilot(retest=retest))


def _rerun(responses: Any, scale_argument: Any, scale: Scale, *, criterion: Any, groups: Any,
           retest: Any, holdout: Any, ordinal: Any, source: str, seed: int,
           irt: bool = False) -> dict[str, Any]:
    """How to run this validation again: the arguments of the Python call (``python``,
    expressions) and of the command line (``data``, the positional DATA, and ``cli``, the
    options; None with the reason in ``why`` when the run has no command-line form).

    Files are named as they were given; the bundled pilot, its retest and the default
    scale by the calls that load them. Every argument of :func:`validate` that changes
    the report must appear here (and in the CLI), or the rerun line would not reproduce it.
    """
    why: list[str] = []
    python: list[str] = []
    cli: list[str] = []
    data: str | None = None
    pilot = _is_pilot(responses, retest=False)
    if isinstance(responses, (str, Path)):
        data = str(responses)
        python.append(repr(data))
    elif pilot:
        python.append("als.load_pilot()")
    else:
        python.append("responses")
        why.append("the responses were given as a DataFrame: write them to a file")
    if isinstance(scale_argument, (str, Path)):
        python.append(repr(str(scale_argument)))
        cli.append(f"--scale={scale_argument}")
    elif scale.content_hash == _default_scale_hash():
        python.append("als.draft_scale()")
    else:
        python.append("scale")
        why.append("the scale was given as an object: save it (scale.save(path)) and pass "
                   "the file")
    if criterion is not None:
        names = [criterion] if isinstance(criterion, str) else list(criterion)
        python.append(f"criterion={names!r}")
        cli += ["--criterion", *map(str, names)]
        if any(str(n).startswith("-") for n in names):
            why.append("a criterion column name starts with '-'")
    if groups is not None:
        python.append(f"groups={groups!r}")
        cli.append(f"--group={groups}")
    if retest is not None:
        if isinstance(retest, (str, Path)):
            python.append(f"retest={str(retest)!r}")
            cli.append(f"--retest={retest}")
            if pilot:
                why.append("the bundled pilot with a retest file")
        elif _is_pilot(retest, retest=True):
            python.append("retest=als.load_pilot(retest=True)")
            if not pilot:
                why.append("the bundled retest with other responses")
        else:
            python.append("retest=retest")
            why.append("the retest was given as a DataFrame: write it to a file")
    elif pilot:
        why.append("the bundled pilot without its retest")
    if holdout is not None:
        python.append(f"holdout={holdout!r}")
        cli += ["--holdout", repr(holdout)]
    if not (isinstance(ordinal, str) and ordinal == "auto"):
        python.append(f"ordinal={ordinal!r}")
        why.append(f"ordinal={ordinal!r} has no command-line option")
    if source != "auto":
        python.append(f"source={source!r}")
        cli.append(f"--source={source}")
    python.append(f"seed={seed!r}")
    cli += ["--seed", str(seed)]
    if irt:
        python.append("irt=True")
        cli.append("--irt")
    if why:
        return {"python": python, "cli": None, "data": None, "why": "; ".join(why)}
    return {"python": python, "cli": cli, "data": data}


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
