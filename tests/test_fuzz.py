"""Every public function gives a result or an AllianceScaleError: never a foreign exception.

Two sweeps (issue #8): random item frames (hypothesis) through every data-taking function,
and odd values for every argument. Each call must return, or raise an
``AllianceScaleError``; it must never change its input, and functions that return one row
per respondent keep every row, in order.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import ITEM_IDS, make_scale

import alliance_scale as als
from alliance_scale import AllianceScaleError

#: Whole validations / notebooks / fuzzing: deselected by -m "not slow" (daily work).
pytestmark = pytest.mark.slow

SCALE = make_scale()
KEYS = {"s": ITEM_IDS[:3], "t": ["-" + ITEM_IDS[3], ITEM_IDS[4]]}
ODD = [None, -1, 0, 1, 2.5, 1e300, np.nan, np.inf, "abc", "0.9", True, [], {}, (1,),
       np.int64(3), pd.DataFrame(), np.eye(2)]


def _frame_calls():
    """(name, call(frame), keeps rows) for each function that takes item responses."""
    return [
        ("cronbach_alpha", lambda d: als.cronbach_alpha(d), False),
        ("item_statistics", lambda d: als.item_statistics(d), False),
        ("omega", lambda d: als.omega(d, 1), False),
        ("efa", lambda d: als.efa(d, 1), False),
        ("efa2", lambda d: als.efa(d, 2, rotation="varimax"), False),
        ("kmo", lambda d: als.kmo(d), False),
        ("bartlett", lambda d: als.bartlett(d), False),
        ("parallel_analysis", lambda d: als.parallel_analysis(d, n_iter=2, seed=0), False),
        ("map_test", lambda d: als.map_test(d), False),
        ("polychoric", lambda d: als.polychoric(d), False),
        ("correlation_matrix", lambda d: als.correlation_matrix(d), False),
        ("score_items", lambda d: als.score_items(d, {"s": list(d.columns)[:2] or ["x"]},
                                                  min_value=1, max_value=5), True),
        ("content_validity", lambda d: als.content_validity(d), False),
    ]


def _scale_calls():
    """(name, call(frame with the scale's columns), keeps rows)."""
    return [
        ("score", lambda d: als.score(d, SCALE), True),
        ("read_responses", lambda d: als.read_responses(d, SCALE), True),
        ("careless", lambda d: als.careless(d, SCALE), True),
        ("reliability", lambda d: als.reliability(d, SCALE), False),
        ("test_retest", lambda d: als.test_retest(d, d, SCALE), False),
    ]


cells = st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, np.nan])
special = st.sampled_from(["none", "text", "bool", "inf", "constant", "empty", "tiny",
                           "duplicate", "negative"])


@st.composite
def item_frames(draw, columns=None):
    n_rows = draw(st.integers(0, 12))
    names = columns or [f"q{j}" for j in range(draw(st.integers(0, 6)))]
    data = {name: draw(st.lists(cells, min_size=n_rows, max_size=n_rows)) for name in names}
    frame = pd.DataFrame(data, index=[f"r{i}" for i in range(n_rows)], columns=names)
    kind = draw(special)
    if names and n_rows:
        target = names[draw(st.integers(0, len(names) - 1))]
        if kind == "text":
            frame[target] = frame[target].astype(object)
            frame.loc[frame.index[0], target] = "x"
        elif kind == "bool":
            frame[target] = frame[target].notna()
        elif kind == "inf":
            frame.loc[frame.index[0], target] = np.inf
        elif kind == "constant":
            frame[target] = 3.0
        elif kind == "empty":
            frame[target] = np.nan
        elif kind == "tiny":
            frame = frame * 1e-300
        elif kind == "duplicate":
            frame = pd.concat([frame, frame[[target]]], axis=1)
        elif kind == "negative":
            frame.loc[frame.index[0], target] = -3.0
    return frame


def _outcome(call, frame):
    before = frame.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = call(frame)
        except AllianceScaleError:
            result = None
    pd.testing.assert_frame_equal(frame, before)  # the input is never changed
    return result


def _rows(result) -> pd.Index:
    if isinstance(result, pd.DataFrame):
        return result.index
    for attribute in ("scores", "indices"):
        if hasattr(result, attribute):
            return getattr(result, attribute).index
    raise AssertionError(f"no per-respondent table in {type(result).__name__}")


SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize(("name", "call", "keeps_rows"), _frame_calls(),
                         ids=[c[0] for c in _frame_calls()])
@SETTINGS
@given(frame=item_frames())
def test_item_frames_give_a_result_or_a_library_error(name, call, keeps_rows, frame):
    result = _outcome(call, frame)
    if result is not None and keeps_rows:
        assert list(_rows(result)) == list(frame.index)


@pytest.mark.parametrize(("name", "call", "keeps_rows"), _scale_calls(),
                         ids=[c[0] for c in _scale_calls()])
@SETTINGS
@given(frame=item_frames(columns=ITEM_IDS))
def test_scale_frames_give_a_result_or_a_library_error(name, call, keeps_rows, frame):
    result = _outcome(call, frame)
    if result is not None and keeps_rows:
        assert list(_rows(result)) == list(frame.index)


def _good_items() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    latent = rng.normal(size=(60, 1))
    values = np.clip(np.round(3 + latent + rng.normal(size=(60, 6))), 1, 5)
    return pd.DataFrame(values, columns=ITEM_IDS)


GOOD = _good_items()
SIMULATION = als.simulate(SCALE, 20, seed=0)
SCORES = als.score(SIMULATION.data, SCALE)
CFA_MODEL = {"F": ITEM_IDS[:3], "G": ITEM_IDS[3:]}
EFA_FIT = als.efa(GOOD, 2)
PARALLEL = als.parallel_analysis(GOOD, n_iter=2, seed=0)
WAI = SIMULATION.data[["wai_goal", "wai_task", "wai_bond"]]
#: (function name, call taking the odd value), one per argument.
ARGUMENTS = {
    "cronbach_alpha.data": lambda v: als.cronbach_alpha(v),
    "cronbach_alpha.ci": lambda v: als.cronbach_alpha(GOOD, ci=v),
    "cronbach_alpha.confidence": lambda v: als.cronbach_alpha(GOOD, confidence=v),
    "cronbach_alpha.n_boot": lambda v: als.cronbach_alpha(GOOD, ci="bootstrap", n_boot=v),
    "cronbach_alpha.seed": lambda v: als.cronbach_alpha(GOOD, ci="bootstrap", n_boot=10,
                                                        seed=v),
    "cronbach_alpha.missing": lambda v: als.cronbach_alpha(GOOD, missing=v),
    "cronbach_alpha.reverse": lambda v: als.cronbach_alpha(GOOD, reverse=v),
    "cronbach_alpha.cor": lambda v: als.cronbach_alpha(GOOD, cor=v),
    "cronbach_alpha.min_value": lambda v: als.cronbach_alpha(GOOD, min_value=v),
    "item_statistics.data": lambda v: als.item_statistics(v),
    "item_statistics.reverse": lambda v: als.item_statistics(GOOD, reverse=v),
    "omega.data": lambda v: als.omega(v),
    "omega.n_factors": lambda v: als.omega(GOOD, v),
    "omega.cor": lambda v: als.omega(GOOD, 1, cor=v),
    "omega.n_obs": lambda v: als.omega(GOOD, 1, n_obs=v),
    "omega.cor_matrix": lambda v: als.omega(cor_matrix=v),
    "efa.data": lambda v: als.efa(v, 1),
    "efa.n_factors": lambda v: als.efa(GOOD, v),
    "efa.method": lambda v: als.efa(GOOD, 1, method=v),
    "efa.rotation": lambda v: als.efa(GOOD, 2, rotation=v),
    "efa.cor": lambda v: als.efa(GOOD, 1, cor=v),
    "efa.n_obs": lambda v: als.efa(cor_matrix=GOOD.corr(), n_obs=v),
    "efa.missing": lambda v: als.efa(GOOD, 1, missing=v),
    "efa.cor_matrix": lambda v: als.efa(cor_matrix=v),
    "kmo.data": lambda v: als.kmo(v),
    "kmo.cor": lambda v: als.kmo(GOOD, cor=v),
    "kmo.cor_matrix": lambda v: als.kmo(cor_matrix=v),
    "bartlett.data": lambda v: als.bartlett(v),
    "bartlett.n_obs": lambda v: als.bartlett(cor_matrix=GOOD.corr(), n_obs=v),
    "parallel_analysis.data": lambda v: als.parallel_analysis(v, n_iter=2, seed=0),
    "parallel_analysis.n_iter": lambda v: als.parallel_analysis(GOOD, n_iter=v, seed=0),
    "parallel_analysis.quantile": lambda v: als.parallel_analysis(GOOD, n_iter=2, quantile=v,
                                                                  seed=0),
    "parallel_analysis.seed": lambda v: als.parallel_analysis(GOOD, n_iter=2, seed=v),
    "parallel_analysis.method": lambda v: als.parallel_analysis(GOOD, n_iter=2, seed=0,
                                                                method=v),
    "map_test.data": lambda v: als.map_test(v),
    "map_test.max_factors": lambda v: als.map_test(GOOD, max_factors=v),
    "polychoric.data": lambda v: als.polychoric(v),
    "polychoric.smooth": lambda v: als.polychoric(GOOD, smooth=v),
    "polychoric.correct": lambda v: als.polychoric(GOOD, correct=v),
    "score_items.data": lambda v: als.score_items(v, KEYS, min_value=1, max_value=5),
    "score_items.keys": lambda v: als.score_items(GOOD, v, min_value=1, max_value=5),
    "score_items.min_value": lambda v: als.score_items(GOOD, KEYS, min_value=v, max_value=5),
    "score_items.min_answered": lambda v: als.score_items(GOOD, KEYS, min_value=1, max_value=5,
                                                          min_answered=v),
    "score_items.method": lambda v: als.score_items(GOOD, KEYS, min_value=1, max_value=5,
                                                    method=v),
    "score.responses": lambda v: als.score(v, SCALE),
    "score.scale": lambda v: als.score(GOOD, v),
    "score.min_answered": lambda v: als.score(GOOD, SCALE, min_answered=v),
    "score.errors": lambda v: als.score(GOOD, SCALE, errors=v),
    "read_responses.path_or_frame": lambda v: als.read_responses(v, SCALE),
    "read_responses.scale": lambda v: als.read_responses(GOOD, v),
    "read_responses.source": lambda v: als.read_responses(GOOD, SCALE, source=v),
    "read_responses.id_column": lambda v: als.read_responses(GOOD, SCALE, id_column=v),
    "careless.responses": lambda v: als.careless(v, SCALE),
    "careless.scale": lambda v: als.careless(GOOD, v),
    "careless.longstring_cutoff": lambda v: als.careless(GOOD, SCALE, longstring_cutoff=v),
    "careless.irv_cutoff": lambda v: als.careless(GOOD, SCALE, irv_cutoff=v),
    "careless.mahalanobis_alpha": lambda v: als.careless(GOOD, SCALE, mahalanobis_alpha=v),
    "reliability.responses": lambda v: als.reliability(v, SCALE),
    "reliability.scale": lambda v: als.reliability(GOOD, v),
    "reliability.cor": lambda v: als.reliability(GOOD, SCALE, cor=v),
    "test_retest.first": lambda v: als.test_retest(v, GOOD, SCALE),
    "test_retest.scale": lambda v: als.test_retest(GOOD, GOOD, v),
    "test_retest.min_answered": lambda v: als.test_retest(GOOD, GOOD, SCALE, min_answered=v),
    "test_retest.id_column": lambda v: als.test_retest(GOOD, GOOD, SCALE, id_column=v),
    "content_validity.ratings": lambda v: als.content_validity(v),
    "content_validity.cutoff": lambda v: als.content_validity(GOOD.clip(1, 4), cutoff=v),
    "congruence.solution": lambda v: als.congruence(v, SCALE),
    "congruence.scale": lambda v: als.congruence(als.efa(GOOD, 1), v),
    "congruence.level": lambda v: als.congruence(als.efa(GOOD, 1), SCALE, level=v),
    "simulate.scale": lambda v: als.simulate(v, 10, seed=0),
    "simulate.n": lambda v: als.simulate(SCALE, v, seed=0),
    "simulate.seed": lambda v: als.simulate(SCALE, 10, seed=v),
    "simulate.level": lambda v: als.simulate(SCALE, 10, seed=0, level=v),
    "simulate.loading": lambda v: als.simulate(SCALE, 10, seed=0, loading=v),
    "simulate.factor_correlation": lambda v: als.simulate(SCALE, 10, seed=0,
                                                          factor_correlation=v),
    "simulate.category_proportions": lambda v: als.simulate(SCALE, 10, seed=0,
                                                            category_proportions=v),
    "simulate.missing_rate": lambda v: als.simulate(SCALE, 10, seed=0, missing_rate=v),
    "simulate.wai": lambda v: als.simulate(SCALE, 10, seed=0, wai=v),
    "simulate_retest.simulation": lambda v: als.simulate_retest(v, 5, seed=0),
    "simulate_retest.n": lambda v: als.simulate_retest(SIMULATION, v, seed=0),
    "simulate_retest.stability": lambda v: als.simulate_retest(SIMULATION, 5, seed=0,
                                                               stability=v),
    "draft_scale.items_per_facet": lambda v: als.draft_scale(items_per_facet=v),
    "draft_scale.points": lambda v: als.draft_scale(points=v),
    "draft_scale.language": lambda v: als.draft_scale(language=v),
    "draft_scale.program": lambda v: als.draft_scale(program=v),
    "draft_scale.seed": lambda v: als.draft_scale(seed=v),
    "draft_scale.items": lambda v: als.draft_scale(items=v),
    "agreement_format.points": lambda v: als.agreement_format(v),
    "load_blueprint.path": lambda v: als.load_blueprint(v),
    "load_item_bank.path": lambda v: als.load_item_bank(v),
    "load_pilot.retest": lambda v: als.load_pilot(retest=v),
    "convergent_validity.scores": lambda v: als.convergent_validity(v, WAI),
    "convergent_validity.criterion": lambda v: als.convergent_validity(SCORES, v),
    "convergent_validity.hypotheses": lambda v: als.convergent_validity(SCORES, WAI,
                                                                        hypotheses=v),
    "convergent_validity.reliabilities": lambda v: als.convergent_validity(SCORES, WAI,
                                                                           reliabilities=v),
    "convergent_validity.method": lambda v: als.convergent_validity(SCORES, WAI, method=v),
    "convergent_validity.confidence": lambda v: als.convergent_validity(SCORES, WAI,
                                                                        confidence=v),
    "convergent_validity.adjust": lambda v: als.convergent_validity(SCORES, WAI, adjust=v),
    "mtmm.scores": lambda v: als.mtmm(v, WAI),
    "mtmm.criterion": lambda v: als.mtmm(SCORES, v),
    "htmt.data": lambda v: als.htmt(v, SCALE),
    "htmt.model": lambda v: als.htmt(GOOD, v),
    "htmt.level": lambda v: als.htmt(GOOD, SCALE, level=v),
    "htmt.cor_matrix": lambda v: als.htmt(cor_matrix=v, model=SCALE),
    "known_groups.scores": lambda v: als.known_groups(v, pd.Series(["a", "b"] * 10)),
    "known_groups.groups": lambda v: als.known_groups(SCORES, v),
    "disattenuate.r": lambda v: als.disattenuate(v, 0.8, 0.8),
    "disattenuate.reliability_x": lambda v: als.disattenuate(0.5, v, 0.8),
    "validate.responses": lambda v: als.validate(v, SCALE, progress=False),
    "validate.scale": lambda v: als.validate(GOOD, v, progress=False),
    "validate.holdout": lambda v: als.validate(GOOD, SCALE, holdout=v, progress=False),
    "cfa.data": lambda v: als.cfa(v, CFA_MODEL),
    "cfa.model": lambda v: als.cfa(GOOD, v),
    "cfa.estimator": lambda v: als.cfa(GOOD, CFA_MODEL, estimator=v),
    "cfa.ordered": lambda v: als.cfa(GOOD, CFA_MODEL, estimator="WLSMV", ordered=v),
    "cfa.group": lambda v: als.cfa(GOOD, CFA_MODEL, group=v),
    "cfa.std_lv": lambda v: als.cfa(GOOD, CFA_MODEL, std_lv=v),
    "cfa.missing": lambda v: als.cfa(GOOD, CFA_MODEL, missing=v),
    "cfa.cov_matrix": lambda v: als.cfa(model=CFA_MODEL, cov_matrix=v, n_obs=60),
    "measurement_invariance.group": lambda v: als.measurement_invariance(GOOD, CFA_MODEL, v),
    "split_sample.data": lambda v: als.split_sample(v, seed=0),
    "split_sample.frac": lambda v: als.split_sample(GOOD, frac=v, seed=0),
    "split_sample.seed": lambda v: als.split_sample(GOOD, seed=v),
    "fornell_larcker.fit": lambda v: als.fornell_larcker(v),
    "blueprint_cfa.responses": lambda v: als.blueprint_cfa(v, SCALE),
    "blueprint_cfa.level": lambda v: als.blueprint_cfa(GOOD, SCALE, level=v),
    "blueprint_model.scale": lambda v: als.blueprint_model(v),
    "blueprint_hypotheses.blueprint": lambda v: als.blueprint_hypotheses(v),
    "parse_hypothesis.text": lambda v: als.parse_hypothesis(v),
    "principal.data": lambda v: als.principal(v, 1),
    "principal.n_components": lambda v: als.principal(GOOD, v),
    "principal.rotation": lambda v: als.principal(GOOD, 2, rotation=v),
    "principal.gamma": lambda v: als.principal(GOOD, 2, rotation="oblimin", gamma=v),
    "rotate.loadings": lambda v: als.rotate(v, "varimax"),
    "rotate.rotation": lambda v: als.rotate(EFA_FIT.loadings.to_numpy(), v),
    "rotate.target": lambda v: als.rotate(EFA_FIT.loadings.to_numpy(), "targetQ", target=v),
    "extract_factors.correlation": lambda v: als.extract_factors(v, 1),
    "extract_factors.n_factors": lambda v: als.extract_factors(GOOD.corr().to_numpy(), v),
    "smooth_correlation.correlation": lambda v: als.smooth_correlation(v),
    "squared_multiple_correlations.correlation": lambda v: als.squared_multiple_correlations(v),
    "tucker_congruence.first": lambda v: als.tucker_congruence(v, np.ones((6, 1))),
    "correlation_matrix.missing": lambda v: als.correlation_matrix(GOOD, missing=v),
    "reverse_keyed.items": lambda v: als.reverse_keyed(GOOD, v, 1, 5),
    "reverse_keyed.min_value": lambda v: als.reverse_keyed(GOOD, ITEM_IDS[:1], v, 5),
    "split_keyed.entry": lambda v: als.split_keyed(v),
    "target_from_scale.level": lambda v: als.target_from_scale(SCALE, v),
    "redcap_dictionary.scale": lambda v: als.redcap_dictionary(v),
    "redcap_dictionary.items_per_page": lambda v: als.redcap_dictionary(SCALE, items_per_page=v),
    "read_qualtrics_txt.path": lambda v: als.read_qualtrics_txt(v),
    "example_export.name": lambda v: als.example_export(v),
    "plot_scree.parallel": lambda v: _closed(als.plot_scree(v)),
    "plot_scree.kind": lambda v: _closed(als.plot_scree(PARALLEL, kind=v)),
    "plot_loadings.loadings": lambda v: _closed(als.plot_loadings(v)),
    "plot_loadings.cut": lambda v: _closed(als.plot_loadings(EFA_FIT, cut=v)),
    "plot_likert.data": lambda v: _closed(als.plot_likert(v)),
    "plot_likert.labels": lambda v: _closed(als.plot_likert(GOOD, labels=v)),
    "plot_item_total.items": lambda v: _closed(als.plot_item_total(v)),
    "plot_correlations.matrix": lambda v: _closed(als.plot_correlations(v)),
    "plot_mtmm.matrix": lambda v: _closed(als.plot_mtmm(v, traits_x=["a"], traits_y=["b"])),
    "plot_path_diagram.std_loadings": lambda v: _closed(als.plot_path_diagram(v)),
}


def _closed(figure):
    """Close a figure the sweep drew (no figure leaks between cases)."""
    import matplotlib.pyplot as plt

    plt.close(figure)
    return figure


@pytest.mark.parametrize("case", sorted(ARGUMENTS))
def test_odd_arguments_give_a_result_or_a_library_error(case):
    call = ARGUMENTS[case]
    before = GOOD.copy()
    failures = []
    for value in ODD:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                call(value)
            except AllianceScaleError:
                pass
            except Exception as error:
                failures.append(f"{value!r}: {type(error).__name__}: {error}"[:200])
    pd.testing.assert_frame_equal(GOOD, before)
    assert failures == []
