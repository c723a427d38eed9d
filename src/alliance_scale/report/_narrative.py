"""The summary a committee reads: what holds and what does not, then the decisions.

:func:`narrative` writes a few sentences ordered by consequence: whether the sample can
carry the analyses, analyses that could not run, the number of factors against the
blueprint, facets the exploratory analysis does not recover, the confirmatory verdicts,
convergent validity, reliability, test-retest, then what holds. :func:`decisions` turns
the same results into the decisions a pilot needs: items to revise or drop with their
reasons, facets to rework, and whether the sample supports a confirmatory claim. Every
sentence is drawn from a criterion or a result of the run (nothing is judged here that the
criteria table does not show).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..instrument._scale import Scale
from ._criteria import Criterion

__all__: list[str] = []

#: Cut-offs restated in the sentences (the criteria apply them; see ``_validate``).
_CONGRUENCE, _AVE, _OMEGA, _ALPHA, _ICC = 0.85, 0.50, 0.70, 0.70, 0.70


def _num(value: float, bound: float | None = None) -> str:
    """``.49``, ``.698``: two decimals without the leading zero, three when two would
    round a value below ``bound`` up to it (or when the value is below .10)."""
    digits = 3 if abs(value) < 0.1 or (bound is not None and round(value, 2) >= bound
                                         and value < bound) else 2
    text = f"{value:.{digits}f}"
    return text.replace("0.", ".", 1) if abs(value) < 1 else text


def _listing(names: Sequence[str], limit: int = 6) -> str:
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _below(frame: Any, column: str, bound: float) -> list[tuple[str, float]]:
    values = frame[column]
    return [(str(name), float(v)) for name, v in values.items() if np.isfinite(v) and v < bound]


def narrative(criteria: Sequence[Criterion], results: Mapping[str, Any], scale: Scale,
              ) -> tuple[str, ...]:
    """Sentences ordered by consequence (the opening of the summary)."""
    sentences: list[str] = []
    sample = [c for c in criteria if c.section == "Sample size" and c.met is False]
    if sample:
        sentences.append("The sample is too small for what is asked of it: " + "; ".join(
            f"{_label(c)} {c.reason.replace(': ', ', ')}" for c in sample) + ".")
    untestable = [c for c in criteria if c.verdict == "not testable"]
    if untestable:
        by_reason: dict[str, list[str]] = {}
        for c in untestable:
            sections = by_reason.setdefault(c.reason, [])
            if c.section.lower() not in sections:
                sections.append(c.section.lower())
        sentences.append(
            f"{len(untestable)} criteria could not be tested: " + "; ".join(
                f"{', '.join(sections)} ({reason})" for reason, sections in by_reason.items())
            + ".")
    parallel, velicer = results.get("parallel_analysis"), results.get("map")
    facets = sorted({item.facet for item in scale.items})
    judged_n = any(c.section == "Number of factors" and c.met is not None for c in criteria)
    if parallel is not None and velicer is not None and judged_n and (
            parallel.n_factors != len(facets) or velicer.n_factors != len(facets)):
        same = parallel.n_factors == velicer.n_factors
        suggested = (f"parallel analysis and MAP suggest {parallel.n_factors} factors" if same
                     else f"parallel analysis suggests {parallel.n_factors} factors and MAP "
                     f"{velicer.n_factors}")
        sentences.append(f"{_sentence(suggested)}; the blueprint has {len(facets)} facets.")
    match = results.get("congruence")
    judged_efa = any(c.section == "Factor structure" and c.met is not None for c in criteria)
    if match is not None and judged_efa:
        weak = match.matches[match.matches["congruence"] < _CONGRUENCE].sort_values(
            "congruence")
        missing = [f for f in facets if f not in set(match.matches["target"])]
        parts = [f"facet {row['target']} is not recovered (congruence "
                 f"{_num(row['congruence'])})" for _, row in weak.iterrows()]
        parts += [f"facet {f} is matched by no factor" for f in missing]
        if parts:
            sentences.append(_sentence("; ".join(parts)) + ".")
    said = ""
    for model in ("facet model", "second-order model"):
        criterion = next((c for c in criteria if c.name.startswith(f"fit of the {model}")),
                         None)
        if criterion is None or criterion.met is True or criterion.verdict == "not testable":
            continue
        verdict = criterion.verdict if criterion.verdict != "not met" else "not acceptable"
        if said == verdict:  # the second-order model, for the same reason: said once
            sentences[-1] = sentences[-1].replace("The facet model's fit is",
                                                  "The facet and second-order models' fits are")
            continue
        said = verdict
        sentences.append(f"The {model}'s fit is {verdict}: {criterion.reason}.")
    difference = results.get("cfa_difference")
    if difference is not None and np.isfinite(difference["pvalue_diff"]) and \
            difference["pvalue_diff"] < 0.05:
        sentences.append(
            "The second-order model fits worse than the facet model (difference chi2 = "
            f"{difference['chisq_diff']:.1f}, df = {difference['df_diff']}, p "
            + ("< .001" if difference["pvalue_diff"] < 0.001 else
               f"= {_num(difference['pvalue_diff'])}") + "): the dimensions do not account "
            "for the correlations between facets.")
    cfa = results.get("cfa_reliability")  # the facet model's omega and AVE per facet
    cfa_judged = any(c.name.startswith("average variance") and c.met is not None
                     for c in criteria)
    if cfa is not None and cfa_judged:
        table = cfa
        ave = _below(table, "ave", _AVE)
        omega = _below(table, "omega", _OMEGA)
        if ave:
            sentences.append(f"AVE below .50 in {len(ave)} facet(s) ("
                             + _listing([f"{n} {_num(v, _AVE)}" for n, v in ave]) + ").")
        if omega:
            sentences.append(f"Composite reliability below .70 in {len(omega)} facet(s) ("
                             + _listing([f"{n} {_num(v, _OMEGA)}" for n, v in omega]) + ").")
    reliability = results.get("reliability")
    if reliability is not None:
        low = _below(reliability.table, "alpha", _ALPHA)
        if low:
            sentences.append(f"Alpha below .70 in {len(low)} subscale(s) ("
                             + _listing([f"{n} {_num(v, _ALPHA)}" for n, v in low]) + ").")
    retest = results.get("test_retest")
    if retest is not None:
        facet_rows = retest.table[retest.table["level"] == "facet"]
        low = _below(facet_rows, "icc", _ICC)
        if low:
            sentences.append(f"Test-retest ICC below .70 in {len(low)} facet(s) ("
                             + _listing([f"{n} {_num(v, _ICC)}" for n, v in low]) + ").")
    convergent = results.get("convergent")
    if convergent is not None:
        text = (f"Convergent validity: {convergent.confirmed} of {convergent.testable} "
                "hypotheses confirmed by estimate and interval")
        if convergent.direction_only:
            text += (f", {convergent.direction_only} more only in the hypothesised direction "
                     "(interval including the boundary)")
        sentences.append(text + (" — COSMIN's 75% is met." if convergent.meets_cosmin
                                 else " — COSMIN's 75% is not met."))
    items = [c for c in criteria if c.section == "Items" and c.met is False]
    if items:
        sentences.append("Floor or ceiling effects (Terwee 2007): " + ", ".join(
            c.reason.split(": ")[0] for c in items) + ".")
    held = sorted({c.section for c in criteria if c.met is True}
                  - {c.section for c in criteria if c.met is not True})
    if held:
        sentences.append("What holds: every criterion of " + ", ".join(
            s.lower() for s in held) + " is met.")
    return tuple(sentences)


def _label(criterion: Criterion) -> str:
    """``"factor analyses"`` from ``"sample for the factor analyses (n per item ...)"``."""
    return criterion.name.split(" (")[0].removeprefix("sample for the ")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def decisions(criteria: Sequence[Criterion], results: Mapping[str, Any], scale: Scale,
              holdout: bool = False) -> tuple[str, ...]:
    """The decisions: items to revise or drop, facets to rework, the confirmatory claim."""
    lines: list[str] = []
    table = results.get("item_analysis")
    if table is not None:
        # structural reasons decide; a floor or ceiling share alone asks for a look, not a cut
        structural = table["flags"].str.contains("item-total|loading|loads more", regex=True)
        flagged = table[structural]
        if len(flagged):
            lines.append(
                f"Revise or drop {len(flagged)} item(s): " + "; ".join(
                    f"{item} ({_item_reasons(row)})" for item, row in flagged.iterrows())
                + ".")
        bounds = table[~structural & (table["flags"] != "")]
        if len(bounds):
            floor = int((bounds["floor"] > 0.15).sum())
            ceiling = int((bounds["ceiling"] > 0.15).sum())
            lines.append(
                f"Review the response scale of {len(bounds)} more item(s) with more than 15% "
                f"of answers at an end ({floor} at the floor, {ceiling} at the ceiling; "
                "Terwee 2007): they register little change at that end; the item table "
                "lists them.")
    facets: dict[str, list[str]] = {}
    match = results.get("congruence")
    if match is not None and any(c.section == "Factor structure" and c.met is not None
                                 for c in criteria):
        for _, row in match.matches.iterrows():
            if row["congruence"] < _CONGRUENCE:
                facets.setdefault(row["target"], []).append(
                    f"congruence {_num(row['congruence'], _CONGRUENCE)}")
    cfa = results.get("cfa_reliability")
    if cfa is not None and any(c.name.startswith("average variance") and c.met is not None
                               for c in criteria):
        for name, value in _below(cfa, "ave", _AVE):
            facets.setdefault(name, []).append(f"AVE {_num(value, _AVE)}")
    retest = results.get("test_retest")
    if retest is not None:
        rows = retest.table[retest.table["level"] == "facet"]
        for name, value in _below(rows, "icc", _ICC):
            facets.setdefault(name, []).append(f"ICC {_num(value, _ICC)}")
    if facets:
        ordered = sorted(facets, key=lambda f: -len(facets[f]))
        lines.append("Rework facet(s) " + "; ".join(
            f"{f} ({', '.join(facets[f])})" for f in ordered) + ".")
    lines.append(_confirmatory_claim(criteria, results, holdout))
    return tuple(lines)


def _item_reasons(row: Any) -> str:
    """An item's reasons with the numbers behind them."""
    parts = []
    for flag in row["flags"].split("; "):
        if flag.startswith("item-total"):
            parts.append(f"item-total r {_num(row['r_drop'], 0.30)}")
        elif flag.startswith("own-facet"):
            parts.append(f"own-facet loading {_num(row['own_loading'], 0.40)}")
        elif flag.startswith(("loads more", "cross-loading")):
            parts.append(f"{flag} ({_num(row['cross_loading'])})")
        else:
            parts.append(flag)
    return ", ".join(parts)


def _confirmatory_claim(criteria: Sequence[Criterion], results: Mapping[str, Any],
                        holdout: bool) -> str:
    """Whether the sample supports a confirmatory claim, and why (not)."""
    reasons = []
    for c in criteria:
        if c.section == "Sample size" and c.met is not True:
            reasons.append(f"{_label(c)} {c.reason.replace(': ', ', ')}")
        if c.name.startswith("fit of the facet model") and c.met is not True:
            reasons.append(f"the facet model's fit is {c.verdict}")
    if results.get("cfa") is None:
        reasons.append("the CFA could not be fitted")
    elif not holdout:
        reasons.append("the CFA was fitted on the respondents the EFA explored (no hold-out)")
    if reasons:
        return ("The sample does not support a confirmatory claim: " + "; ".join(reasons)
                + ". Confirm the structure on a new, independent sample large enough for the "
                "sample-size criteria.")
    return ("The sample supports a confirmatory claim: the facet model fits by the stated "
            "rule on a hold-out sample that meets the sample-size criteria.")
