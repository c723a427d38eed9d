"""shorten(): stuart's brute-force example to 1e-6, constraints, search, holdout, bad input."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest

import alliance_scale as als
from alliance_scale.design import ShortForm, shorten, stuart_objective
from alliance_scale.errors import AnalysisError, OptionError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REF = json.loads((FIXTURES / "stuart_reference.json").read_text())
FAIRPLAYER = pd.read_csv(FIXTURES / "fairplayer_ra.csv")
RA = REF["items"]


@pytest.fixture(scope="module")
def stuart_run() -> ShortForm:
    return shorten(FAIRPLAYER, {"RA": RA}, per_facet=3, estimator="ML", missing="ml",
                   holdout=None)


def _row(form: ShortForm, items) -> pd.Series:
    c = form.candidates
    return c[c["items"] == tuple(items)].iloc[0]


def test_stuart_log_crel_and_objective(stuart_run):
    """Every subset in combn order: crel and objective as lavaan + stuart's formula."""
    assert len(stuart_run.candidates) == 10
    for ref in REF["subsets"]:
        row = _row(stuart_run, ref["items"])
        assert row["crel"] == pytest.approx(ref["crel"], abs=1e-6)
        assert row["objective"] == pytest.approx(ref["objective"], abs=1e-6)
        assert row["chisq"] == pytest.approx(ref["chisq"], abs=1e-6)
        assert row["df"] == ref["df"]


def test_stuart_inadmissible_with_reason(stuart_run):
    for ref in REF["subsets"]:
        row = _row(stuart_run, ref["items"])
        assert bool(row["admissible"]) is ref["admissible"]
        if not ref["admissible"]:
            # lavaan: "some estimated ov variances are negative"
            assert "some estimated ov variances are negative" in ref["reason"]
            assert "some estimated ov variances are negative" in row["reason"]
    assert (~stuart_run.candidates["admissible"]).sum() == 2
    assert stuart_run.search.loc["RA", "inadmissible"] == 2


def test_stuart_winner(stuart_run):
    assert list(stuart_run.items["RA"]) == REF["winner"] == ["sRA02t1", "sRA04t1", "sRA05t1"]


def test_issue_log_values(stuart_run):
    """The crel log printed in issue #22 (stuart's own output)."""
    issue = [0.7917421, 0.8165856, None, 0.6400738, 0.4916680, None, 0.7924608, 0.7559533,
             0.8315434, 0.7556883]
    for items, value in zip(combinations(RA, 3), issue, strict=True):
        row = _row(stuart_run, items)
        if value is None:
            assert not row["admissible"]
        else:
            assert row["crel"] == pytest.approx(value, abs=1e-6)


def test_stuart_objective_formula():
    from statistics import NormalDist
    n = NormalDist()
    for crel, rmsea, srmr in [(0.7, 0.03, 0.04), (0.9, 0.08, 0.02)]:
        expected = (n.cdf((crel - .8) / .075) + 1 - n.cdf((rmsea - .05) / .015)
                    + 1 - n.cdf((srmr - .05) / .015))
        assert stuart_objective(crel, rmsea, srmr) == pytest.approx(expected, abs=1e-12)


# --- search on the bundled pilot (small pools, fast fits) ---------------------------------

PILOT = als.load_pilot()
DRAFT = als.draft_scale()


def _facet(name: str) -> list[str]:
    return [i.id for i in DRAFT.items if i.facet == name]


def _small_scale(*facets: str):
    """The draft restricted to some facets (a Scale with themes and keys)."""
    from dataclasses import replace
    return replace(DRAFT, items=tuple(i for i in DRAFT.items if i.facet in facets),
                   content_hash="")


@pytest.mark.slow
def test_exact_equals_plain_loop():
    """Enumeration returns the optimum of a plain loop over every subset."""
    pool = _facet("B1")[:7]
    form = shorten(PILOT, {"B1": pool}, per_facet=3, estimator="ML", missing="listwise",
                   holdout=None, objective="reliability")
    from shorten_support import fit_candidate
    values = {}
    for c in combinations(pool, 3):
        row = fit_candidate({"B1": c}, PILOT, None, 0, "listwise")
        values[c] = row["crel"] if row["admissible"] else 0.0
    assert form.items["B1"] == max(values, key=values.get)
    assert len(form.candidates) == 35
    assert form.search.loc["B1", "method"] == "exact"


@pytest.mark.slow
def test_mmas_reaches_optimum_in_most_seeds():
    """MAX-MIN ants with a budget of 2/3 of the 120 candidates find the exact optimum in at
    least 9 of 10 seeds (measured: 20 of 20 seeds at 80 fits, see benchmarks/shorten_search.py
    for the rates over 20 seeds)."""
    pool = _facet("A2")[:10]  # 120 candidates
    kw = dict(per_facet=3, estimator="ML", missing="listwise", holdout=None,
              objective="reliability")
    exact = shorten(PILOT, {"A2": pool}, **kw)
    hits = 0
    for seed in range(10):
        ants = shorten(PILOT, {"A2": pool}, method="mmas", budget=80, seed=seed, **kw)
        assert ants.search.loc["A2", "method"] == "mmas"
        assert ants.search.loc["A2", "fitted"] <= 80
        hits += ants.items["A2"] == exact.items["A2"]
    assert hits >= 9


@pytest.mark.slow
def test_mmas_same_seed_same_result():
    pool = _facet("A2")[:10]
    kw = dict(per_facet=3, estimator="ML", missing="listwise", holdout=None, method="mmas",
              budget=40)
    a = shorten(PILOT, {"A2": pool}, seed=7, **kw)
    b = shorten(PILOT, {"A2": pool}, seed=7, **kw)
    assert a.items == b.items
    assert a.candidates["items"].tolist() == b.candidates["items"].tolist()


def test_constraints_themes_anchors_exclude_reversed():
    scale = _small_scale("A2")
    themes = {i.id: i.theme for i in scale.items}
    form = shorten(PILOT, scale, per_facet=3, holdout=None, anchors=["A2a_1"],
                   exclude=["A2b_1"])
    for items in form.candidates["items"]:
        assert "A2a_1" in items and "A2b_1" not in items
        assert {themes[i] for i in items} == {"A2a", "A2b", "A2c"}
    # without the theme rule more candidates: C(12, 2) with the anchor in, A2b_1 out
    loose = shorten(PILOT, scale, per_facet=3, holdout=None, anchors=["A2a_1"],
                    exclude=["A2b_1"], cover_themes=False)
    assert len(loose.candidates) == 66 > len(form.candidates)


def test_reversed_keep_and_drop():
    scale = _small_scale("C1")
    rev = {i.id for i in scale.items if i.keyed < 0}
    assert rev  # C1 holds a reverse-keyed item
    keep = shorten(PILOT, scale, per_facet=3, holdout=None, reversed="keep")
    assert all(set(c) & rev for c in keep.candidates["items"])
    drop = shorten(PILOT, scale, per_facet=3, holdout=None, reversed="drop")
    assert not any(set(c) & rev for c in drop.candidates["items"])


def test_progress_reaches_its_total():
    calls = []
    shorten(PILOT, _small_scale("C1", "C2"), per_facet=3, holdout=None,
            progress=lambda done, total: calls.append((done, total)))
    # candidates fitted together are counted together: 10 per facet
    assert calls == [(10, 20), (20, 20)]


def test_short_scale_lineage_and_hash():
    scale = _small_scale("C1", "C2")
    form = shorten(PILOT, scale, per_facet=3, holdout=None)
    short = form.scale
    assert len(short.items) == 6
    assert {i.facet for i in short.items} == {"C1", "C2"}
    assert short.version.endswith("+short." + scale.content_hash[:12])
    assert short.content_hash != scale.content_hash and len(short.content_hash) == 64
    assert [i.id for i in short.items] == [i for i in scale.item_ids if i in short.item_ids]
    assert type(short).from_dict(short.to_dict()).content_hash == short.content_hash
    assert form.parent_hash == scale.content_hash


@pytest.mark.slow
def test_inadmissible_counted_not_dropped():
    form = shorten(FAIRPLAYER, {"RA": RA}, per_facet=3, estimator="ML", holdout=None)
    bad = form.candidates[~form.candidates["admissible"]]
    assert len(bad) == 2 and (bad["objective"] == 0).all() and bad["reason"].str.len().gt(0).all()
    assert "inadmissible: 2" in repr(form)


def test_result_faces():
    form = shorten(PILOT, _small_scale("C1"), per_facet=3, holdout=None, lengths=[2, 3, 4])
    frame = form.to_frame()
    assert list(frame.index) == ["C1"] and frame.loc["C1", "items"].count(" ") == 2
    assert list(form.pareto.index) == [2, 3, 4]
    assert form.pareto["items"].tolist() == [2, 3, 4]
    # two items cannot identify a one-factor model: every candidate inadmissible, said so
    two = form.candidates[form.candidates["length"] == 2]
    assert len(two) == 10 and not two["admissible"].any()
    assert form.pareto.loc[2, "facets without admissible form"] == 1
    assert not form.pareto.loc[2, "pareto"] and form.pareto.loc[3, "pareto"]
    assert "<table" in form._repr_html_() and "Best form per length" in repr(form)
    from dataclasses import FrozenInstanceError
    with pytest.raises(FrozenInstanceError):
        form.objective = "x"


# --- bad input ----------------------------------------------------------------------------

def test_quota_larger_than_facet():
    with pytest.raises(OptionError, match="facet C1 keeps 6 items but has 5"):
        shorten(PILOT, _small_scale("C1"), per_facet=6, holdout=None)


def test_quotas_leave_no_candidate():
    with pytest.raises(AnalysisError, match="3 leaf themes but keeps 2"):
        shorten(PILOT, _small_scale("A2"), per_facet=2, holdout=None)
    rev = [i.id for i in DRAFT.items if i.facet == "C1" and i.keyed < 0]
    with pytest.raises(AnalysisError, match="no set of 3 items"):
        shorten(PILOT, _small_scale("C1"), per_facet=3, holdout=None, reversed="keep",
                exclude=[], anchors=[i for i in _facet("C1") if i not in rev][:3])


def test_every_candidate_inadmissible_says_why():
    with pytest.raises(AnalysisError, match=r"facet C1: every candidate fitted is "
                       r"inadmissible \(10\), e.g. the fit failed: .*df = -1"):
        shorten(PILOT, _small_scale("C1"), per_facet=2, holdout=None, cover_themes=False)


def test_too_few_for_holdout():
    with pytest.raises(AnalysisError, match="each needs at least 50"):
        shorten(PILOT.iloc[:80], _small_scale("C1"), per_facet=3, holdout=0.5)


def test_budget_too_small_and_options():
    with pytest.raises(OptionError, match="budget"):
        shorten(PILOT, _small_scale("C1"), per_facet=3, holdout=None, budget=0)
    with pytest.raises(OptionError, match="budget=3: facet C1 has 10 candidates"):
        shorten(PILOT, _small_scale("C1"), per_facet=3, holdout=None, budget=3,
                method="exact")
    with pytest.raises(OptionError, match="anchors: not items"):
        shorten(PILOT, _small_scale("C1"), anchors=["nope"], holdout=None)
    with pytest.raises(OptionError, match="objective"):
        shorten(PILOT, _small_scale("C1"), objective="nope", holdout=None)


# --- the held-out verdict against simulated truth -----------------------------------------

def _simulated(n: int):
    scale = _small_scale("C1", "C2", "C4")  # three facets of 5 items, one dimension
    data = als.simulate(scale, n, seed=3, loading=0.8, loading_spread=0.0).data
    return data, scale


def test_holds_out_when_items_are_exchangeable():
    """True model: every item loads 0.8, 1,000 respondents per part: any short form's
    numbers hold out."""
    data, scale = _simulated(2000)
    with pytest.warns(als.AllianceScaleWarning, match="does not match the full form.*"
                      "no form of this length could"):
        form = shorten(data, scale, per_facet=3, seed=3)
    assert form.holds_out is True
    assert (form.search["crel held-out"] - form.search["crel"]).abs().max() < 0.05
    table = form.holdout
    assert table.loc["mean omega", "holds out"] and table.loc["CFI", "holds out"]
    assert abs(table.loc["mean omega", "held-out - calibration"]) <= 0.02
    assert table.loc["r(total short, total full)", "short (held-out)"] > 0.95
    assert {"r(C, wai_bond)", "omega C1", "RMSEA", "SRMR"} <= set(table.index)
    # 3 of 5 exchangeable items cannot be as reliable as 5 (Spearman-Brown): the form
    # holds out but does not match the full form, and the bound says no 3-item form could
    assert form.matches_full_form is False
    assert table.loc["mean omega", "matches full"] is False
    assert (form.search["best held-out"] < form.search["full held-out"] - 0.02).all()
    assert (form.search["crel held-out"] <= form.search["best held-out"] + 1e-12).all()
    assert "no form of this length could" in repr(form)


def test_matches_the_full_form_when_the_dropped_items_are_noise():
    """True model: per facet 4 items load 0.8 and 1 is noise (answers drawn at random):
    the short form drops the noise, measures as the full form on the held-out part or
    better, and the verdict says so. (With 2 noise items of 5 the short form's Bordin
    correlation is 0.09 above the full form's: "within 0.03" fails in the other
    direction, as the rule is two-sided.)"""
    import numpy as np

    data, scale = _simulated(2000)
    rng = np.random.default_rng(11)
    noise = [i for f in ("C1", "C2", "C4") for i in _facet(f)[4:]]
    for item in noise:
        data[item] = rng.integers(1, 6, len(data)).astype(data[item].dtype)
    form = shorten(data, scale, per_facet=3, seed=3)
    assert not set(noise) & {i for items in form.items.values() for i in items}
    assert form.holds_out is True and form.matches_full_form is True
    assert form.holdout.loc["mean omega", "short - full"] > -0.02
    assert "matches the full form: yes" in repr(form)


@pytest.mark.slow
def test_does_not_hold_out_on_a_small_sample():
    """60 respondents per part: the search's reliability gain is partly chance; warned."""
    data, scale = _simulated(120)
    with pytest.warns(als.AllianceScaleWarning) as record:
        form = shorten(data, scale, per_facet=3, seed=3)
    said = [str(w.message) for w in record]
    assert any("does not hold out" in m and "mean omega" in m for m in said)
    assert any("does not match the full form" in m for m in said)
    assert form.holds_out is False
    assert form.holdout.loc["mean omega", "held-out - calibration"] < -0.02
    assert "holds out: NO" in repr(form)


def test_three_item_closed_form_equals_iterative_fits():
    """The batched closed form gives the ML fits of cfa() on the polychoric submatrix, and
    the WLSMV estimates of cfa(ordered=True), for every 3-item candidate."""
    from shorten_support import fit_candidate

    from alliance_scale.design._shorten import _polychoric
    from alliance_scale.design._shorten_search import three_item_fits

    items = _facet("B1")
    data = PILOT[items]
    rho, n_obs = _polychoric(data)
    candidates = list(combinations(items, 3))
    batch = three_item_fits(candidates, rho)
    assert len(batch) == 84
    for c, row in zip(candidates[::7], batch[::7], strict=True):
        slow = fit_candidate({"B1": c}, None, rho, n_obs, "ml")
        assert row["admissible"] == slow["admissible"]
        assert row["crel"] == pytest.approx(slow["crel"], abs=1e-7)
    c = candidates[0]
    wlsmv = als.cfa(data[list(c)], {"F": list(c)}, estimator="WLSMV", ordered=True,
                    missing="pairwise")
    lam = wlsmv.std_loadings.iloc[:, 0].to_numpy()
    crel = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam ** 2).sum())
    assert batch[0]["crel"] == pytest.approx(crel, abs=1e-8)
