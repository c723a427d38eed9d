"""Joint-model search, genetic search, per-theme quotas, k-fold, the objective's parts."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations, product
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_scale as als
from alliance_scale.design import shorten, stuart_objective
from alliance_scale.design._shorten_batch import candidate_moments, fit_batch
from alliance_scale.design._shorten_parts import bordin_pairs
from alliance_scale.errors import AnalysisError, OptionError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FAIR = pd.read_csv(FIXTURES / "fairplayer_joint.csv")
COLS = list(FAIR.columns)
#: a small joint problem: 4 * 4 * 10 = 160 candidates
SMALL = {"EM": COLS[:4], "RA": COLS[8:12], "SI": COLS[13:18]}
PILOT = als.load_pilot()
DRAFT = als.draft_scale()


def _small_scale(*facets: str):
    return replace(DRAFT, items=tuple(i for i in DRAFT.items if i.facet in facets),
                   content_hash="")


@pytest.fixture(scope="module")
def joint_exact():
    return shorten(FAIR, SMALL, per_facet=3, model="joint", estimator="ML",
                   missing="listwise", holdout=None)


@pytest.mark.slow
def test_joint_exact_equals_plain_loop(joint_exact):
    """Enumeration returns the optimum of a plain loop fitting every candidate alone."""
    values = FAIR.to_numpy(float)
    scores = {}
    for a, b, c in product(*(combinations(v, 3) for v in SMALL.values())):
        items = a + b + c
        s, n = candidate_moments(values, np.array([[COLS.index(i) for i in items]]))
        fit = fit_batch(s, n, [0, 0, 0, 1, 1, 1, 2, 2, 2])
        scores[items] = (stuart_objective(fit.crel[0], fit.rmsea[0], fit.srmr[0])
                         if fit.admissible[0] else 0.0)
    best = max(scores, key=scores.get)
    form = joint_exact
    assert form.search.loc["joint", "fitted"] == len(scores) == 160
    assert tuple(i for v in form.items.values() for i in v) == best
    assert form.to_frame()["objective"].iloc[0] == pytest.approx(scores[best], abs=1e-9)
    bad = sum(v == 0 for v in scores.values())
    assert form.search.loc["joint", "inadmissible"] == bad > 0
    assert "some estimated ov variances are negative" in form.search.loc["joint", "reasons"]


def test_heuristics_same_seed_same_result():
    kw = dict(per_facet=3, model="joint", estimator="ML", missing="listwise", holdout=None,
              budget=40)
    for method in ("mmas", "genetic"):
        a = shorten(FAIR, SMALL, method=method, seed=5, **kw)
        b = shorten(FAIR, SMALL, method=method, seed=5, **kw)
        assert a.items == b.items
        assert a.candidates["items"].tolist() == b.candidates["items"].tolist()
        assert a.search.loc["joint", "method"] == method
        assert a.search.loc["joint", "fitted"] <= 40


@pytest.mark.slow
def test_heuristics_reach_the_optimum(joint_exact):
    """On this 160-candidate pool, MAX-MIN ants with a budget of 80 and the genetic search
    with 120 find the exact optimum (measured: 10 of 10 seeds each; 8 and 3 of 10 at a
    budget of 60; rates over 20 seeds: benchmarks/bench_shorten_search.py)."""
    kw = dict(per_facet=3, model="joint", estimator="ML", missing="listwise", holdout=None)
    for method, budget in (("mmas", 80), ("genetic", 120)):
        hits = sum(shorten(FAIR, SMALL, method=method, seed=s, budget=budget, **kw).items
                   == joint_exact.items for s in range(3))
        assert hits >= 2, method


def test_per_theme_quotas():
    scale = _small_scale("A2")
    themes = {i.id: i.theme for i in scale.items}
    form = shorten(PILOT, scale, per_theme={"A2a": 2, "A2b": 1, "A2c": 1}, holdout=None)
    for items in form.candidates["items"]:
        counts = pd.Series([themes[i] for i in items]).value_counts().to_dict()
        assert counts == {"A2a": 2, "A2b": 1, "A2c": 1}
    sizes = pd.Series(themes).value_counts()
    expected = (sizes["A2a"] * (sizes["A2a"] - 1) // 2) * sizes["A2b"] * sizes["A2c"]
    assert form.search.loc["A2", "fitted"] == expected
    with pytest.raises(OptionError, match=f"theme A2b of facet A2 keeps 9 items but has "
                                          f"{sizes['A2b']}"):
        shorten(PILOT, scale, per_theme={"A2a": 1, "A2b": 9, "A2c": 1}, holdout=None)
    with pytest.raises(OptionError, match="not leaf themes of the scale: Z9"):
        shorten(PILOT, scale, per_theme={"Z9": 1}, holdout=None)
    with pytest.raises(OptionError, match="per_theme needs a Scale"):
        shorten(PILOT, {"A2": scale.item_ids}, per_theme=1, holdout=None)


def _simulated(n: int):
    scale = _small_scale("C1", "C2", "C4")
    return als.simulate(scale, n, seed=3, loading=0.8, loading_spread=0.0).data, scale


def test_k_fold():
    data, scale = _simulated(300)
    scale = _small_scale("C1", "C2")
    form = shorten(data, scale, per_facet=3, folds=3, seed=2, estimator="ML",
                   missing="listwise")
    folds = form.folds
    assert form.holdout is None and form.n_holdout == 0
    assert len(folds) == 6 and folds["fold"].tolist() == [1, 1, 2, 2, 3, 3]
    assert (folds["n held-out"] == 100).all() and (folds["n calibration"] == 200).all()
    # exchangeable items, 100 respondents per fold: the refitted crel stays close
    assert (folds["crel held-out"] - folds["crel"]).abs().max() < 0.15
    assert form.to_frame(kind="folds").equals(folds)
    with pytest.raises(AnalysisError, match="folds=5: 200 respondents give folds of 40"):
        shorten(data.iloc[:200], scale, folds=5)
    with pytest.raises(OptionError, match="folds"):
        shorten(data, scale, folds=1)
    with pytest.raises(OptionError, match="folds and holdout exclude each other"):
        shorten(data, scale, folds=2, holdout=0.5)


def test_validity_parts_and_objective():
    """r full: the correlation of short and full sum scores; bordin gap: the largest change
    of a facet's correlation with the WAI scale the blueprint links it to."""
    data, scale = _simulated(600)
    form = shorten(data, scale, per_facet=3, holdout=None, objective="validity")
    reverse = {i.id for i in scale.items if i.keyed < 0}
    recoded = data.copy()
    cols = [c for c in recoded.columns if c in reverse]
    recoded[cols] = scale.min_value + scale.max_value - recoded[cols]
    row = form.candidates.iloc[0]
    pool = [i.id for i in scale.items if i.facet == row["facet"]]
    short, full = recoded[list(row["items"])].sum(axis=1), recoded[pool].sum(axis=1)
    assert row["r full"] == pytest.approx(short.corr(full), abs=1e-10)
    pools = {f: [i.id for i in scale.items if i.facet == f] for f in ("C1", "C2", "C4")}
    criteria = {c for members, c in bordin_pairs(scale, data, pools)
                if row["facet"] in members}
    assert "wai_bond" in criteria  # the blueprint: C relates to bond
    assert row["bordin gap"] == pytest.approx(
        max(abs(short.corr(data[c]) - full.corr(data[c])) for c in criteria), abs=1e-10)
    stuart = stuart_objective(row["crel"], row["rmsea"], row["srmr"])
    assert row["objective"] > stuart  # two terms added, each between 0 and 1
    assert row["objective"] <= stuart + 2


def test_irt_information_part():
    data, _ = _simulated(500)
    with pytest.raises(OptionError, match="needs irt=True"):
        shorten(data, _small_scale("C1"), objective="information", holdout=None)
    form = shorten(data, _small_scale("C1"), objective="information", irt=True, holdout=None)
    info = form.candidates["information"]
    assert (info > 0).all() and form.candidates["objective"].equals(info)
    assert "information" in form.to_frame().columns


def test_pareto_table_and_joint_lengths(joint_exact):
    form = shorten(PILOT, _small_scale("C1", "C2"), per_facet=3, holdout=None,
                   lengths=[3, 4, 5])
    pareto = form.to_frame(kind="pareto")
    assert list(pareto.index) == [3, 4, 5] and pareto.index.name == "per facet"
    assert {"mean crel", "worst RMSEA", "lowest CFI", "pareto"} <= set(pareto.columns)
    assert pareto.loc[3, "pareto"]  # nothing shorter
    for length in (4, 5):
        shorter = pareto[pareto.index < length]
        dominated = ((shorter["mean crel"] >= pareto.loc[length, "mean crel"])
                     & (shorter["worst RMSEA"] <= pareto.loc[length, "worst RMSEA"])).any()
        assert pareto.loc[length, "pareto"] == (not dominated)
    assert joint_exact.pareto.index.name == "items"
    assert joint_exact.pareto.index.tolist() == [9]
