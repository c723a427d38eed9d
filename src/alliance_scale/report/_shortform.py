"""The short-form report: a :class:`~alliance_scale.ShortForm` as a self-contained HTML page.

Built from the validation report's blocks (:mod:`._report`: the same tables, escaping and
style), so a short form reads like the rest of the reports: what was searched and how,
the chosen items, the held-out check against the full form with its rule and source, the
k-fold table, the best form per length (the Pareto view) and the best candidates. Every
text is escaped; no response is embedded.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .._io import write_atomic
from ..design import ShortForm
from ._report import _CSS, Section, Table, _e, _html_table

__all__ = ["shortform_report", "shortform_section"]

#: Candidates listed in the report (the best of each search).
TOP = 10


def shortform_section(form: ShortForm) -> Section:
    """The short form as a report section (paragraphs and tables).

    Parameters
    ----------
    form : ShortForm

    Returns
    -------
    Section

    Examples
    --------
    >>> import alliance_scale as als
    >>> pilot, draft = als.load_pilot(), als.draft_scale()
    >>> pool = {"C1": [i.id for i in draft.items if i.facet == "C1"]}
    >>> form = als.shorten(pilot, pool, estimator="ML", missing="listwise", holdout=None)
    >>> section = als.shortform_section(form)
    >>> section.title, [t.caption for t in section.tables][:2]
    ('Short form', ['Chosen items', 'Search'])
    """
    n = sum(len(v) for v in form.items.values())
    model = ("each facet's one-factor model" if form.model == "facet"
             else "one correlated-factors model of every facet")
    paragraphs = [
        f"{n} items kept ({', '.join(f'{f}: {len(v)}' for f, v in form.items.items())}), "
        f"chosen by the {form.objective} objective on {model} ({form.estimator}), from "
        f"{int(form.search['fitted'].sum()):,} candidates fitted, "
        f"{int(form.search['inadmissible'].sum()):,} of them inadmissible (a negative "
        "variance, a latent covariance matrix not positive definite or no convergence, as "
        "lavaan's post.check; stuart scores them 0).",
    ]
    if form.holds_out is None:
        paragraphs.append("Held-out check: not testable (no held-out part: holdout=None).")
    else:
        paragraphs.append(form._holdout_sentence())
    if form.scale is not None and form.scale.lineage is not None:
        lineage = form.scale.lineage
        paragraphs.append(f"Lineage: version {form.scale.version} derived from "
                          f"{lineage.parent} {lineage.parent_version} (content hash "
                          f"{lineage.parent_hash[:12]}) by {lineage.method}.")
    tables = [Table("Chosen items", form.to_frame()),
              Table("Search", form.search, "reasons: the inadmissible candidates counted by "
                    "their first reason")]
    if form.holdout is not None:
        tables.append(Table("Short and full form on the held-out part", form.holdout))
    if form.folds is not None:
        tables.append(Table("k-fold validation: search on the other folds, the chosen "
                            "form refitted on the fold", form.folds))
    tables.append(Table("Best form per length (Pareto view: length against reliability "
                        "and fit)", form.pareto, "pareto: no shorter complete form has a "
                        "mean crel at least as high and a worst RMSEA at least as low"))
    top = form.candidates.groupby(["facet", "length"], sort=False).head(TOP).copy()
    top["items"] = [" ".join(i) for i in top["items"]]
    tables.append(Table(f"Best candidates (at most {TOP} per search and length)",
                        top.drop(columns=["chisq", "df"])))
    return Section("shortform", "Short form", tuple(paragraphs), tuple(tables))


def shortform_report(form: ShortForm, path: str | Path | None = None) -> str:
    """The short form as one HTML page; written to ``path`` when given.

    Parameters
    ----------
    form : ShortForm
    path : str or Path, optional
        Where to write the page (UTF-8, atomic).

    Returns
    -------
    str
        The HTML text.

    Examples
    --------
    >>> import alliance_scale as als
    >>> pilot, draft = als.load_pilot(), als.draft_scale()
    >>> pool = {"C1": [i.id for i in draft.items if i.facet == "C1"]}
    >>> form = als.shorten(pilot, pool, estimator="ML", missing="listwise", holdout=None)
    >>> page = als.shortform_report(form)
    >>> page.startswith("<!DOCTYPE html>"), "Best form per length" in page
    (True, True)
    """
    section = shortform_section(form)
    title = ("Short form" if form.scale is None
             else f"Short form of {form.scale.lineage.parent if form.scale.lineage else ''}")
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
             "style-src 'unsafe-inline'\">",
             f"<title>{_e(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
             f'<h1 dir="auto">{_e(title)}</h1>',
             f'<section id="{_e(section.key)}">',
             *(f"<p>{_e(p)}</p>" for p in section.paragraphs),
             *(_html_table(_plain(t.frame), t.caption, t.note) for t in section.tables),
             "</section>", "</body>", "</html>"]
    text = "\n".join(parts) + "\n"
    if path is not None:
        write_atomic(path, text)
    return text


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Tuples of items as text (a table cell shows words, not Python)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, tuple)).any():
            out[column] = out[column].map(lambda v: " ".join(map(str, v))
                                          if isinstance(v, tuple) else v)
    return out
