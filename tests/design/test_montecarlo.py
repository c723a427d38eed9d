"""Monte Carlo power (issue #23): the population, the same numbers on every backend, the
results file (resume, refusal of another design), agreement with analytic power, bad
input."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

import alliance_scale as als
from alliance_scale.design._montecarlo import _simulate
from alliance_scale.design._montecarlo._result import first_n_reaching
from alliance_scale.errors import AnalysisError, OptionError

TWO = {"f1": ["x1", "x2", "x3"], "f2": ["x4", "x5", "x6"]}
#: semPower's CFA example: 5 and 4 indicators, loadings .5 / .6, factor correlation .25
#: in the population, 0 in the analysis model (semPower's vignette: F0 0.027416,
#: NCP 8.197285 at N = 300, analytic power 0.8168, its simulation 0.810).
SEMPOWER = {"f1": [f"x{i}" for i in range(1, 6)], "f2": [f"x{i}" for i in range(6, 10)]}
SEMPOWER_ANALYSIS = ("f1 =~ x1 + x2 + x3 + x4 + x5\nf2 =~ x6 + x7 + x8 + x9\n"
                     "f1 ~~ 0*f2")


def _sempower() -> als.Population:
    loads = {**dict.fromkeys(SEMPOWER["f1"], 0.5), **dict.fromkeys(SEMPOWER["f2"], 0.6)}
    return als.Population(SEMPOWER, loadings=loads, factor_correlation=0.25)


def _same(a: als.MonteCarloPower, b: als.MonteCarloPower) -> None:
    pd.testing.assert_frame_equal(a.replications.drop(columns="seconds"),
                                  b.replications.drop(columns="seconds"))
    pd.testing.assert_frame_equal(a.conditions, b.conditions)


# ----------------------------------------------------------------------- population

def test_population_implies_the_standardized_covariances():
    pop = als.Population(TWO, loadings=[0.5, 0.6, 0.7, 0.7, 0.6, 0.5], factor_correlation=0.4,
                         residual_correlations={("x1", "x2"): 0.2},
                         cross_loadings={("f2", "x3"): 0.2})
    sigma = pop.sigma
    assert np.allclose(np.diag(sigma), 1.0)
    assert sigma.loc["x1", "x4"] == pytest.approx(0.5 * 0.4 * 0.7)
    # x1-x2: common part plus the residual correlation times both residual SDs
    assert sigma.loc["x1", "x2"] == pytest.approx(0.3 + 0.2 * np.sqrt(0.75 * 0.64))
    # x3 loads .7 on f1 and .2 on f2: its covariance with x4 gains .2 * .7
    assert sigma.loc["x3", "x4"] == pytest.approx(0.7 * 0.4 * 0.7 + 0.2 * 0.7)
    assert pop.analysis_model == "f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6"


def test_population_reproduces_sempower_f0():
    """The restricted model's population discrepancy is semPower's F0 (0.027416)."""
    from alliance_scale.design._montecarlo._replicate import population_values

    pop = _sempower()
    values = population_values(pop.items, pop.sigma.to_numpy(), None, SEMPOWER_ANALYSIS,
                               "ML", False)
    assert values.f0 == pytest.approx(0.027416, abs=5e-6)
    assert values.df == 27
    assert (300 - 1) * values.f0 == pytest.approx(8.197285, abs=2e-3)


@pytest.mark.slow
def test_the_difference_test_of_a_restriction_is_recorded(capsys):
    mc = als.simulate_power(_sempower(), n=300, replications=4, seed=1, backend="serial",
                            fit_indices=False, targets=["f1~~f2=0", "f1~~f2"], progress=True)
    assert "replications" in capsys.readouterr().err  # the progress bar
    rec = mc.replications
    restricted = als.simulate_power(_sempower(), n=300, replications=4, seed=1,
                                    backend="serial", fit_indices=False, targets="chisq",
                                    analysis=SEMPOWER_ANALYSIS)
    # same samples: the difference is the restricted model's chi-square minus the full one's
    assert np.allclose(rec["lrt[f1~~f2]"],
                       restricted.replications["chisq"] - rec["chisq"], atol=1e-6)
    with pytest.raises(OptionError, match="estimator='ML' only"):
        als.simulate_power(_sempower(), n=300, replications=2, seed=1, backend="serial",
                           estimator="MLR", targets="f1~~f2=0")


@pytest.mark.parametrize("kwargs, error, words", [
    ({"loadings": 0.95, "factor_correlation": 0.3, "cross_loadings": {("f2", "x1"): 0.5}},
     AnalysisError, "residual variance"),
    ({"loadings": 0.6, "factor_correlation": [[1, 1.0], [1.0, 1]]}, AnalysisError,
     "not positive definite"),
    ({"loadings": 0.6, "residual_correlations": {("x1", "x2"): 0.99,
                                                 ("x1", "x3"): -0.99}},
     AnalysisError, "not positive definite"),
    ({"loadings": 0.6, "thresholds": [0.5, 0.6]}, OptionError, "summing to 1"),
    ({"loadings": {"f1": 0.6}}, OptionError, "no loading for item 'x4'"),
])
def test_population_refuses_impossible_values(kwargs, error, words):
    with pytest.raises(error, match=words):
        als.Population(TWO, **kwargs)


def test_an_unidentified_analysis_model_is_refused():
    pop = als.Population({"f1": ["x1", "x2"]}, loadings=0.6)
    with pytest.raises(AnalysisError, match="not identified"):
        als.simulate_power(pop, n=100, replications=2, seed=1, backend="serial")


@pytest.mark.slow
def test_population_from_a_pilot_takes_its_fit():
    scale = als.draft_scale(items_per_facet=3, language="en")
    pilot = als.simulate(scale, 400, seed=5).data
    pilot.iloc[:40, 0] = np.nan  # 10% missing on one item
    pop = als.Population.from_pilot(pilot, scale, "dimension")
    fit = als.blueprint_cfa(pilot, scale, level="dimension")
    std = fit.estimates
    row = std[(std["op"] == "=~")].iloc[1]
    assert pop.lambda_[pop.items.index(row.rhs), pop.factors.index(row.lhs)] == \
        pytest.approx(row.std_all)
    first = pilot.columns[0]
    assert pop.missing_rates[first] == pytest.approx(0.1)
    assert pop.ordered and len(pop.proportions[first]) == 5
    assert pop.analysis_model == als.blueprint_model(scale, "dimension")


# ----------------------------------------------------------------------- backends

# ----------------------------------------------------------------------- results file

@pytest.mark.slow
def test_an_interrupted_run_resumes_to_the_same_numbers(tmp_path, monkeypatch):
    pop = als.Population(TWO, loadings=0.6, factor_correlation=0.3)
    common = dict(n=[60, 120], replications=8, seed=3, targets="f1~~f2", batch_size=2,
                  backend="serial")
    whole = als.simulate_power(pop, **common)
    runs = tmp_path / "runs.csv"
    monkeypatch.setattr(_simulate, "_INTERRUPT_AFTER", 3)
    with pytest.raises(KeyboardInterrupt):
        als.simulate_power(pop, results=runs, **common)
    assert len(pd.read_csv(runs)) == 6  # three batches of two were kept
    with open(runs, "a", encoding="utf-8") as stream:
        stream.write("120,7,3/120/7,ok")  # a line cut by a kill is run again
    monkeypatch.setattr(_simulate, "_INTERRUPT_AFTER", None)
    resumed = als.simulate_power(pop, results=runs, **common)
    _same(whole, resumed)
    assert len(pd.read_csv(runs)) == 16


def _dying_batch(design, n, first, stop):
    """A worker killed while running replications 4 and 5 (the processes are forked: they
    see this function)."""
    import os

    from alliance_scale.design._montecarlo._replicate import run_batch

    if first == 4:
        os._exit(1)
    return run_batch(design, n, first, stop)


@pytest.mark.slow
def test_a_killed_worker_leaves_a_file_that_resumes(tmp_path, monkeypatch):
    from alliance_scale.design._montecarlo import _backends

    pop = als.Population(TWO, loadings=0.6, factor_correlation=0.3)
    common = dict(n=[60], replications=8, seed=9, targets="f1~~f2", batch_size=2)
    whole = als.simulate_power(pop, backend="serial", **common)
    runs = tmp_path / "runs.csv"
    monkeypatch.setattr(_backends, "run_batch", _dying_batch)
    with pytest.raises(AnalysisError, match="worker process died"):
        als.simulate_power(pop, backend="processes", n_workers=2, results=runs, **common)
    kept = pd.read_csv(runs)
    assert 4 not in set(kept["replication"])
    monkeypatch.undo()
    _same(whole, als.simulate_power(pop, backend="processes", n_workers=2, results=runs,
                                    **common))


def test_a_results_file_of_another_design_is_refused(tmp_path):
    pop = als.Population(TWO, loadings=0.6, factor_correlation=0.3)
    runs = tmp_path / "runs.csv"
    als.simulate_power(pop, n=50, replications=2, seed=3, backend="serial", results=runs)
    other = als.Population(TWO, loadings=0.7, factor_correlation=0.3)
    with pytest.raises(OptionError, match="another design"):
        als.simulate_power(other, n=50, replications=2, seed=3, backend="serial",
                           results=runs)
    with pytest.raises(OptionError, match="another design"):
        als.simulate_power(pop, n=50, replications=2, seed=4, backend="serial", results=runs)
    with pytest.raises(OptionError, match="CSV"):
        als.simulate_power(pop, n=50, replications=2, seed=3, backend="serial",
                           results=tmp_path / "runs.parquet")


# ----------------------------------------------------------------------- what is recorded

def test_misspecification_is_detected_and_the_true_model_is_not():
    """Power of the chi-square test: near 1 against a strong misspecification, near alpha
    for the true model; a failed replication is kept with its seed."""
    true = als.Population(TWO, loadings=0.7, factor_correlation=0.3)
    wrong = als.Population(TWO, loadings=0.7, factor_correlation=0.3,
                           residual_correlations={("x1", "x4"): 0.5})
    kw = dict(n=300, replications=20, seed=11, backend="serial", targets="chisq")
    assert als.simulate_power(wrong, **kw).power("chisq").iloc[0] >= 0.9
    ok = als.simulate_power(true, **kw)
    assert ok.power("chisq").iloc[0] <= 0.2
    assert ok.conditions.loc[300, "converged"] == 1.0
    assert ok.conditions.loc[300, "criteria"] in ("met", "not met")
    assert ok.parameters.query("parameter == 'omega(f1)'")["population"].iloc[0] == \
        pytest.approx((3 * 0.7) ** 2 / ((3 * 0.7) ** 2 + 3 * 0.51))
    assert "Muthen & Muthen (2002)" in repr(ok) and "<table" in ok._repr_html_()


def test_ordered_items_count_empty_categories():
    pop = als.Population(TWO, loadings=0.7, factor_correlation=0.3,
                         thresholds=[0.02, 0.18, 0.4, 0.3, 0.1])
    mc = als.simulate_power(pop, n=[40, 200], replications=6, seed=2, backend="serial",
                            estimator="WLSMV", targets="chisq", fit_indices=False)
    empty = mc.conditions["empty_category"]
    # P(no answer in a 2% category among 40) = .98^40 = .45 per item: nearly always one of 6
    assert empty.loc[40] > 0.5 and empty.loc[200] < empty.loc[40]
    assert any("unobserved category" in note for note in mc.notes)
    assert pop.empty_category_risk(40)["p_empty"].iloc[0] == pytest.approx(
        1 - np.prod(1 - (1 - np.array([0.02, 0.18, 0.4, 0.3, 0.1])) ** 40))


@pytest.mark.slow
def test_a_condition_stops_early_at_the_same_checkpoint_on_every_backend(monkeypatch):
    monkeypatch.setattr(_simulate, "CHECKPOINT", 4)
    pop = als.Population(TWO, loadings=0.8, factor_correlation=0.5)
    common = dict(n=[150], replications=16, seed=5, targets="f1~~f2", mcse=0.01,
                  batch_size=2)
    serial = als.simulate_power(pop, backend="serial", **common)
    # power 1 at every checkpoint: Monte Carlo SE 0 <= .01 after the first 4 replications
    assert serial.conditions.loc[150, "replications"] == 4
    assert any("stopped early after 4" in note for note in serial.notes)
    procs = als.simulate_power(pop, backend="processes", n_workers=2, **common)
    pd.testing.assert_frame_equal(serial.conditions, procs.conditions)


def test_first_n_reaching_is_the_smallest_simulated_n():
    assert first_n_reaching([100, 200, 300], [50, 79, 81], [100, 100, 100], 0.8) == 300
    assert first_n_reaching([100, 200], [50, 60], [100, 100], 0.8) is None


def test_bad_options_are_refused():
    pop = als.Population(TWO, loadings=0.6)
    with pytest.raises(OptionError, match="target"):
        als.simulate_power(pop, n=50, targets="f1~~f9", backend="serial")
    with pytest.raises(OptionError, match="WLSMV"):
        als.simulate_power(pop, n=50, estimator="WLSMV", backend="serial")
    with pytest.raises(OptionError, match="backend"):
        als.simulate_power(pop, n=50, backend="cloud")
    with pytest.raises(OptionError, match="address"):
        als.simulate_power(pop, n=50, address="tcp://x:1")


# ----------------------------------------------------------------------- analytic power

@pytest.mark.parametrize("ordered", [False, True])
def test_the_replications_lean_optimiser_moves_no_number_beyond_1e_6(ordered, monkeypatch):
    """The replications' fused line search and stopping rule (``TOLERANCE``) against
    cfa()'s optimiser (tolerance 1e-10, objective evaluated apart): every recorded number
    (estimates, SEs, tests, fit indices, omegas) within 1e-6 (relative for numbers above
    1, such as chi-squares), the same decisions."""
    from alliance_scale.design._montecarlo import _replicate

    pop = als.Population(TWO, loadings=0.6, factor_correlation=0.3,
                         thresholds=[0.1, 0.2, 0.4, 0.2, 0.1] if ordered else None)
    common = dict(n=[100, 300], replications=3, seed=11, backend="serial",
                  estimator="WLSMV" if ordered else "ML", targets=["chisq", "f1~~f2"],
                  analysis="f1 =~ x1 + x2 + x3 + x4\nf2 =~ x5 + x6")  # misspecified: misfit
    lean = als.simulate_power(pop, **common).replications
    monkeypatch.setattr(_replicate, "TOLERANCE", 1e-10)
    monkeypatch.setattr(_replicate, "FUSED", False)
    strict = als.simulate_power(pop, **common).replications
    assert _replicate.TOLERANCE == 1e-10 and (lean["iterations"] < strict["iterations"]).any()
    numbers = [c for c in strict.select_dtypes("number").columns
               if c not in ("seconds", "iterations")]
    assert len(numbers) > 10
    scale = np.maximum(1.0, strict[numbers].abs())  # 1e-6 absolute, relative above 1
    assert ((lean[numbers] - strict[numbers]).abs() / scale).max().max() <= 1e-6
    decisions = [c for c in strict.columns if c.startswith("reject")]
    pd.testing.assert_frame_equal(lean[decisions], strict[decisions])


@pytest.mark.slow
def test_simulated_power_agrees_with_sempower():  # 10 s at load 1.5, 17-19 s at 4-5
    """semPower's CFA example at N = 300 (ML, continuous): the chi-square difference test
    (df 1) of the factor correlation fixed at 0 has analytic power 0.8168; ours within 3
    Monte Carlo SEs at 2,000 replications."""
    mc = als.simulate_power(_sempower(), n=300, replications=2000, seed=2023,
                            targets="f1~~f2=0", fit_indices=False, omega_se=False,
                            n_workers=2)
    power, se = mc.power("f1~~f2=0").iloc[0], mc.conditions.loc[300, "mcse[f1~~f2=0]"]
    assert mc.conditions.loc[300, "converged"] == 1.0
    assert abs(power - 0.8168) <= 3 * se


@pytest.mark.parametrize("ordered", [False, True])
def test_sample_statistics_are_those_of_cfa(ordered):
    """The replications' direct statistics equal cfa()'s preparation of the same answers."""
    from alliance_scale.design._montecarlo._replicate import Design, _groups, draw

    pop = als.Population(TWO, loadings=0.6, factor_correlation=0.3,
                         thresholds=[0.1, 0.3, 0.4, 0.2] if ordered else None)
    items = ["x4", "x5", "x6", "x1", "x2", "x3"]  # another order than the analysis model's
    sigma = pop.sigma.loc[items, items].to_numpy()
    design = Design(tuple(items), np.linalg.cholesky(sigma),
                    tuple(pop.cuts[i] for i in items) if ordered else None, None,
                    pop.analysis_model, "WLSMV" if ordered else "ML", "listwise", 0.05, 1, (),
                    (), ())
    values = draw(design, 150, np.random.default_rng(3))
    (fast,), counts = _groups(design, values)
    (slow,), expected = _groups(design, values, exact=True)
    assert counts == expected
    for name in ("correlation", "nacov", "weights", "vector") if ordered else ("cov", "mean"):
        np.testing.assert_allclose(getattr(fast, name), getattr(slow, name), rtol=1e-12)


def _records(rng, truth, bias, se_ratio, reps=3000):
    """Replication records whose estimates have a known bias and SEs a known accuracy."""
    sd = 0.1
    est = truth * (1 + bias) + sd * rng.standard_normal(reps)
    return pd.DataFrame({"n": 200, "replication": range(reps), "status": "ok",
                         "converged": True, "admissible": True, "reject": False,
                         "est[f1~~f2]": est, "se[f1~~f2]": sd * se_ratio})


@pytest.mark.parametrize("bias, se_ratio, failed", [
    (0.0, 1.0, set()),  # unbiased, accurate SEs: every criterion met but power
    (0.25, 1.0, {"bias_ok", "coverage_ok"}),  # 25% bias: 2.5 SDs off, coverage falls
    (0.0, 0.6, {"se_ok", "coverage_ok"}),  # SEs 40% too small: coverage about .75
])
def test_muthen_criteria_judge_simulated_truth(bias, se_ratio, failed):
    from alliance_scale.design._montecarlo._result import summarize

    records = _records(np.random.default_rng(1), 1.0, bias, se_ratio)
    table, _ = summarize(records, {200: 3000}, ("f1~~f2",), {"f1~~f2": 1.0}, ["f1~~f2"], {},
                         0.05, False)
    row = table.loc[200]
    judged = {k for k in ("bias_ok", "se_ok", "coverage_ok") if not row[k]}
    assert judged == failed
    assert row["power_ok"]  # 1.0 / 0.1 = z of 10
    assert row["criteria"] == ("met" if not failed else "not met")


def test_missing_answers_use_the_pilot_s_handling():
    """MCAR answers: full-information ML for ML, pairwise polychorics for WLSMV."""
    cont = als.Population(TWO, loadings=0.7, factor_correlation=0.3, missing=0.1)
    mc = als.simulate_power(cont, n=120, replications=3, seed=1, backend="serial",
                            targets="f1~~f2", fit_indices=False)
    assert mc.conditions.loc[120, "converged"] == 1.0
    assert mc.replications["df"].eq(8).all()  # FIML: means in the model, same df
    ordered = als.Population(TWO, loadings=0.7, factor_correlation=0.3, missing={"x1": 0.2},
                             thresholds=[0.2, 0.3, 0.3, 0.2])
    mc = als.simulate_power(ordered, n=150, replications=3, seed=1, backend="serial",
                            estimator="WLSMV", targets="chisq", fit_indices=False)
    assert mc.conditions.loc[150, "failed"] == 0
    assert mc.replications["status"].eq("ok").all()


def test_ordered_items_judge_only_estimated_parameters():
    pop = als.Population(TWO, loadings=0.7, factor_correlation=0.3,
                         thresholds=[0.2, 0.3, 0.3, 0.2])
    mc = als.simulate_power(pop, n=300, replications=3, seed=2, backend="serial",
                            estimator="WLSMV", fit_indices=False)
    names = set(mc.parameters["parameter"])
    assert "x1~~x1" not in names and {"f1=~x2", "f1~~f2", "omega(f1)"} <= names
    assert mc.parameters["mean"].notna().all()


def test_serial_processes_and_dask_give_identical_numbers():
    # last in the file: Dask leaves threads behind, after which worker processes start from
    # a fork server rather than by fork (slower to start, the same numbers)
    from dask.distributed import Client, LocalCluster

    pop = als.Population(TWO, loadings=0.6, factor_correlation=0.3)
    common = dict(n=[60, 120], replications=6, seed=7, targets="f1~~f2")
    serial = als.simulate_power(pop, backend="serial", batch_size=3, **common)
    # other batches, other order of completion: the same numbers
    procs = als.simulate_power(pop, backend="processes", n_workers=2, batch_size=2, **common)
    # a real LocalCluster of 2 workers (threads of this process: processes would take
    # seconds to start), reached by its address as a user's cluster would be
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster):
        dask = als.simulate_power(pop, backend="dask", address=cluster.scheduler_address,
                                  batch_size=1, **common)
    _same(serial, procs)
    _same(serial, dask)


@pytest.mark.slow
def test_an_unreachable_scheduler_is_refused_within_seconds(monkeypatch):
    from alliance_scale.design._montecarlo import _backends

    monkeypatch.setattr(_backends, "CONNECT_TIMEOUT", 1)  # 5 s by default
    pop = als.Population(TWO, loadings=0.6)
    started = time.perf_counter()
    with pytest.raises(OptionError, match="cannot reach the Dask scheduler"):
        als.simulate_power(pop, n=50, replications=2, seed=1, backend="dask",
                           address="tcp://127.0.0.1:9", batch_size=1)
    assert time.perf_counter() - started < 10
