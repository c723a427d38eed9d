"""plan_sample_size(): the analytic questions, semPower's CFA example through cfa(), the
tests of close and not-close fit, bad input, and the dispatch to the Monte Carlo engine."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_scale as als
import alliance_scale.design as design
from alliance_scale.design import plan_sample_size
from alliance_scale.errors import AnalysisError, OptionError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REF = json.loads((FIXTURES / "power_reference.json").read_text())
CFA = REF["cfa_example"]
NAMES = [f"x{i}" for i in range(1, 10)]
SIGMA = pd.DataFrame(CFA["sigma"], index=NAMES, columns=NAMES)
H0 = CFA["model"]
H1 = "f1 =~ x1 + x2 + x3 + x4 + x5\nf2 =~ x6 + x7 + x8 + x9"


def test_one_call_both_directions():
    """semPower.aPriori / postHoc: N for a power, then the power at that N and below it."""
    plan = plan_sample_size(df=50, rmsea=0.05, power=0.80, alpha=0.05)
    assert (plan.n, plan.kind, plan.method, plan.test) == (243, "a priori", "analytic", "exact")
    assert plan.f0 == pytest.approx(0.125) and plan.ncp == pytest.approx(242 * 0.125)
    at = plan_sample_size(df=50, rmsea=0.05, n=243)
    assert at.kind == "post hoc" and at.power == pytest.approx(plan.power)
    assert plan_sample_size(df=50, rmsea=0.05, n=242).power < 0.80 <= at.power
    assert plan_sample_size(df=50, f0=0.125, power=0.80).n == 243  # F0 as the effect
    assert plan_sample_size(df=2000, rmsea=0.08, power=0.80).n == 14
    strict = plan_sample_size(df=50, rmsea=0.05, power=0.80, alpha=0.01)
    assert strict.n > 243 and strict.alpha == 0.01


def test_sempower_cfa_example_through_cfa():
    """semPower's CFA example (factor correlation .25 tested against 0, N = 300): F0 from
    the library's cfa() fitted to the population matrix equals lavaan's to 1e-9; NCP and
    power equal R's and semPower's printed 0.027416 / 8.197285 / 0.816771."""
    plan = plan_sample_size(cov_matrix=SIGMA, model=H0, comparison=H1, n=300)
    assert plan.df == 1
    assert plan.f0 == pytest.approx(CFA["f0"], abs=1e-9)
    assert plan.ncp == pytest.approx(CFA["ncp"], abs=1e-7)
    assert plan.power == pytest.approx(CFA["power"], abs=1e-8)
    printed = CFA["sempower_printed"]
    assert (round(plan.f0, 6), round(plan.ncp, 6), round(plan.power, 6)) == (
        printed["f0"], printed["ncp"], printed["power"])
    assert "comparison model" in repr(plan)
    same = plan_sample_size(cov_matrix=SIGMA, model=H0, df=1, n=300)  # df given instead
    assert same.power == pytest.approx(plan.power, abs=1e-12)
    whole = plan_sample_size(cov_matrix=SIGMA, model=H0, n=300)  # against the saturated model
    assert whole.df == CFA["df_h0"] == 27
    assert whole.power == pytest.approx(CFA["power_df_h0"], abs=1e-8)
    assert plan_sample_size(cov_matrix=SIGMA, model=H0, comparison=H1, power=0.8).n == CFA[
        "n_a_priori"]


def test_true_model_has_no_effect():
    """The model that generated the matrix misfits by 0: a test of exact fit has no power
    to find, and is refused with that reason."""
    with pytest.raises(OptionError, match="must misfit"):
        plan_sample_size(cov_matrix=SIGMA, model=H1, n=300)


def test_close_and_not_close_fit():
    """MacCallum et al. (1996): close fit .05 vs .08, not-close fit .05 vs .01; the test is
    read from the direction of rmsea against rmsea0, or named."""
    close = plan_sample_size(df=50, rmsea=0.08, rmsea0=0.05, power=0.80)
    assert close.test == "close" and close.rmsea0 == 0.05
    ref = {(c["df"], c["test"]): c["n"] for c in REF["a_priori"] if c["test"] != "exact"}
    assert close.n == ref[(50, "close")]
    not_close = plan_sample_size(df=50, rmsea=0.01, rmsea0=0.05, power=0.80)
    assert not_close.test == "not close" and not_close.n == ref[(50, "not close")]
    assert plan_sample_size(df=50, rmsea=0.01, test="not close", power=0.8).n == not_close.n
    assert plan_sample_size(df=50, rmsea=0.08, test="close", power=0.8).n == close.n
    assert "rejected when chi2 < the quantile alpha" in repr(not_close)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"df": 0, "rmsea": 0.05, "power": 0.8}, r"df must be an integer >= 1"),
    ({"df": -3, "rmsea": 0.05, "power": 0.8}, r"df must be an integer >= 1"),
    ({"df": 50.5, "rmsea": 0.05, "power": 0.8}, r"df must be an integer"),
    ({"df": 50, "rmsea": 0.05, "power": 1.0}, r"power must be in \(0, 1\)"),
    ({"df": 50, "rmsea": 0.05, "power": 0}, r"power must be in \(0, 1\)"),
    ({"df": 50, "rmsea": 0.05, "power": 0.8, "alpha": 1.5}, r"alpha must be in \(0, 1\)"),
    ({"df": 50, "rmsea": 0.05, "n": 200, "alpha": 0}, r"alpha must be in \(0, 1\)"),
    ({"df": 50, "rmsea": 0.08, "rmsea0": 0.05, "test": "not close", "power": 0.8},
     r"rmsea: a test of not-close fit needs the alternative's RMSEA \(0.08\) below rmsea0"),
    ({"df": 50, "rmsea": 0.05, "rmsea0": 0.05, "test": "not close", "power": 0.8},
     r"rmsea: a test of not-close fit"),
    ({"df": 50, "rmsea": 0.03, "rmsea0": 0.05, "test": "close", "power": 0.8},
     r"rmsea: a test of close fit needs the alternative's RMSEA \(0.03\) above"),
    ({"df": 50, "rmsea": 0.05, "rmsea0": 0.05, "power": 0.8}, r"rmsea: .* equals rmsea0"),
    ({"df": 50, "rmsea": 0.05, "rmsea0": 0.03, "test": "exact", "power": 0.8}, r"rmsea0"),
    ({"df": 50, "rmsea": 0.05, "test": "loose", "power": 0.8}, r"test must be one of"),
    ({"df": 50, "rmsea": 0, "power": 0.8}, r"rmsea: the alternative must misfit"),
    ({"df": 50, "rmsea": -0.1, "power": 0.8}, r"rmsea must be in"),
    ({"df": 50, "rmsea": 0.05, "power": 0.8, "n": 200}, r"not both"),
    ({"df": 50, "rmsea": 0.05}, r"give power="),
    ({"df": 50, "rmsea": 0.05, "f0": 0.1, "power": 0.8}, r"one effect.*rmsea, f0"),
    ({"df": 50, "power": 0.8}, r"one effect.*got none"),
    ({"rmsea": 0.05, "power": 0.8}, r"df is needed"),
    ({"df": 50, "rmsea": 0.05, "n": 1}, r"n must be an integer >= 2"),
    ({"df": 50, "rmsea": 0.05, "abratio": 1}, r"abratio="),
    ({"df": 50, "rmsea": 0.05, "abratio": 1, "n": 200, "alpha": 0.05}, r"alpha: a compromise"),
    ({"df": 50, "rmsea": 0.05, "abratio": 0, "n": 200}, r"abratio must be in"),
    ({"df": 50, "rmsea": 0.05, "abratio": 1e-300, "n": 200}, r"abratio must be in"),
    ({"df": 1, "rmsea": 1e-6, "power": 0.8}, r"not reached with up to 1,000,000,000 "
                                              r"respondents \(best power 0\.\d+\)"),
    ({"df": 50, "rmsea": 0.05, "power": 0.8, "seed": 1}, r"seed is a Monte Carlo option"),
    ({"df": 50, "rmsea": 0.05, "power": 0.8, "backend": "dask"}, r"backend is a Monte Carlo"),
    ({"df": 50, "rmsea": 0.05, "power": 0.8, "estimator": "ML"}, r"estimator is a Monte Carlo"),
    ({"df": 50, "rmsea": 0.05, "power": 0.8, "comparison": H1}, r"comparison= goes with"),
    ({"cov_matrix": SIGMA, "n": 300, "rmsea": 0.05}, r"one effect"),
])
def test_bad_input_names_the_option(kwargs, match):
    with pytest.raises(OptionError, match=match):
        plan_sample_size(**kwargs)


def test_bad_population_matrix():
    with pytest.raises(OptionError, match="cov_matrix= needs model="):
        plan_sample_size(cov_matrix=SIGMA, n=300, df=1)
    with pytest.raises(OptionError, match="cov_matrix must be a DataFrame"):
        plan_sample_size(cov_matrix=SIGMA.to_numpy(), model=H0, n=300)
    broken = SIGMA.copy()
    broken.iloc[0, 1] = broken.iloc[1, 0] = 1.5
    with pytest.raises(AnalysisError, match="not positive definite"):
        plan_sample_size(cov_matrix=broken, model=H0, n=300)
    with pytest.raises(OptionError, match="comparison: it must be less restricted"):
        plan_sample_size(cov_matrix=SIGMA, model=H1, comparison=H0, n=300)


# --------------------------------------------------------------------------- Monte Carlo


@pytest.fixture
def no_engine(monkeypatch):
    """The Monte Carlo engine absent (as in a build without design/_montecarlo)."""
    monkeypatch.delattr(design, "_montecarlo", raising=False)
    monkeypatch.setitem(sys.modules, "alliance_scale.design._montecarlo", None)


@pytest.fixture
def fake_engine(monkeypatch):
    """A stand-in engine recording what plan_sample_size hands it (the agreed interface)."""
    calls: list = []

    class Population:
        def __init__(self, **kwargs):
            self.kwargs = kwargs

        @classmethod
        def from_pilot(cls, responses, scale, **kwargs):
            return cls(pilot=responses, scale=scale, **kwargs)

    class MonteCarloPower:
        """Power of the model test on a logistic curve in log N (.8 at N = 150)."""

        def __init__(self, n, replications, alpha):
            sizes = np.asarray(n, dtype=float)
            power = 1 / (1 + np.exp(-(np.log(4) + 3 * (np.log(sizes) - np.log(150)))))
            self.conditions = pd.DataFrame(
                {"replications": replications, "converged": 1.0,
                 "power[chisq]": np.round(power * replications) / replications},
                index=pd.Index(n, name="n"))
            self.df, self.f0, self.alpha, self.estimator = 27, 0.05, alpha, "ML"

        def to_frame(self):
            return self.conditions

        def __repr__(self):
            return "MonteCarloPower"

    def simulate_power(population, *, n, replications=1000, alpha=0.05, **kwargs):
        calls.append((population, n, {"replications": replications, "alpha": alpha,
                                      **kwargs}))
        return MonteCarloPower(n, replications, alpha)

    module = types.ModuleType("alliance_scale.design._montecarlo")
    module.Population = Population  # type: ignore[attr-defined]
    module.simulate_power = simulate_power  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "alliance_scale.design._montecarlo", module)
    monkeypatch.setattr(design, "_montecarlo", module, raising=False)
    return calls


def test_monte_carlo_without_engine_is_a_clear_error(no_engine):
    with pytest.raises(AnalysisError, match=r"Monte Carlo planning needs design\._montecarlo"):
        plan_sample_size(model={"f": ["a", "b", "c"]}, loadings=[0.7, 0.7, 0.7], n=[100, 200])
    with pytest.raises(AnalysisError, match="the analytic plan"):
        plan_sample_size(pilot=pd.DataFrame({"a": [1]}), scale="s", n=[100], replications=10)


def test_monte_carlo_dispatch(fake_engine):
    model = {"f": ["a", "b", "c"]}
    out = plan_sample_size(model=model, loadings=[0.7, 0.6, 0.5], factor_correlation=None,
                           n=range(100, 201, 50), replications=200, seed=3,
                           backend="serial", estimator="WLSMV")
    assert repr(out) == "MonteCarloPower"
    population, n, kwargs = fake_engine[-1]
    assert population.kwargs == {"model": model, "loadings": [0.7, 0.6, 0.5]}  # defaults
    assert n == [100, 150, 200]
    assert kwargs["replications"] == 200 and kwargs["seed"] == 3
    assert kwargs["backend"] == "serial" and kwargs["estimator"] == "WLSMV"
    assert kwargs["alpha"] == 0.05 and kwargs["resume"] is True
    pilot = pd.DataFrame({"a": [1, 2]})
    plan_sample_size(pilot=pilot, scale="the scale", n=300, address="tcp://h:8786",
                     backend="dask", alpha=0.01)
    population, n, kwargs = fake_engine[-1]
    assert population.kwargs["pilot"] is pilot and population.kwargs["scale"] == "the scale"
    assert n == [300] and kwargs["address"] == "tcp://h:8786" and kwargs["alpha"] == 0.01
    given = object()
    plan_sample_size(population=given, n=[100, 200], replications=50)
    assert fake_engine[-1][0] is given and fake_engine[-1][2]["estimator"] == "ML"
    ordered = types.SimpleNamespace(ordered=True)
    plan_sample_size(population=ordered, n=[100, 200], replications=50)
    assert fake_engine[-1][2]["estimator"] == "WLSMV"  # ordered items: the default


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"model": {"f": ["a", "b"]}, "n": [100], "power": 1.5}, r"power must be in \(0, 1\)"),
    ({"model": {"f": ["a", "b"]}, "n": [100], "rmsea": 0.05}, r"rmsea is an option of the "
                                                               r"analytic plan"),
    ({"model": {"f": ["a", "b"]}}, r"n: give the sample sizes"),
    ({"model": {"f": ["a", "b"]}, "n": [1]}, r"n must be an integer >= 2"),
    ({"model": {"f": ["a", "b"]}, "n": [100.0]}, r"n must be an integer"),
    ({"pilot": pd.DataFrame({"a": [1]}), "n": [100]}, r"pilot= needs scale="),
    ({"population": object(), "pilot": pd.DataFrame({"a": [1]}), "n": [100]},
     r"give one population"),
    ({"replications": 100, "n": [100]}, r"give one population.*got none"),
    ({"population": object(), "n": [100], "loadings": [0.5]}, r"loadings: population="),
    ({"model": {"f": ["a", "b"]}, "n": [100], "replications": 0}, r"replications must be"),
])
def test_monte_carlo_bad_input(fake_engine, kwargs, match):
    with pytest.raises(OptionError, match=match):
        plan_sample_size(**kwargs)
    assert fake_engine == []


def test_public_name():
    assert als.plan_sample_size is plan_sample_size
    assert np.isfinite(als.plan_sample_size(df=5, rmsea=0.1, n=100).power)


ODD = [None, -1, 0, 1, 2.5, 1e300, 1e-300, np.nan, np.inf, "abc", "0.9", True, [], {}, (1,),
       np.int64(3), pd.DataFrame(), np.eye(2)]
BASE = {"df": 50, "rmsea": 0.05, "n": 200}


@pytest.mark.parametrize("argument", ["df", "rmsea", "f0", "power", "n", "alpha", "abratio",
                                      "rmsea0", "test", "cov_matrix", "model", "comparison"])
def test_odd_values_give_a_plan_or_a_library_error(argument):
    """Every odd value of every analytic argument: a finite plan or an AllianceScaleError."""
    for value in ODD:
        kwargs = {**BASE, argument: value}
        if argument in ("power", "abratio", "f0"):
            kwargs.pop("n" if argument == "power" else "rmsea" if argument == "f0" else "df",
                       None)
            if argument == "abratio":
                kwargs["df"] = 50
        try:
            plan = plan_sample_size(**kwargs)
        except als.AllianceScaleError:
            continue
        if isinstance(plan, als.SampleSizePlan):
            assert plan.n >= 2 and 0 <= plan.power <= 1 and np.isfinite(plan.critical), kwargs


@pytest.mark.parametrize("position", range(4))
def test_odd_values_of_smallest_n(position):
    good = [[100, 200, 300], [300, 600, 850], 1000, 0.8]
    for value in ODD:
        args = list(good)
        args[position] = value
        try:
            n, (low, high) = als.smallest_n(*args)
        except als.AllianceScaleError:
            continue
        assert low <= n <= high or n == 100, args


# --------------------------------------------------------------------------- command line


def test_cli_analytic_plan(tmp_path, capsys):
    from alliance_scale.cli import main

    assert main(["plan", "--df", "50", "--rmsea", ".05", "--power", ".8"]) == 0
    out = capsys.readouterr().out
    assert " Required Num Observations  243\n" in out and "Rule: Test of exact fit" in out
    assert main(["plan", "--df", "50", "--rmsea", ".08", "--rmsea0", ".05", "--n", "200",
                 "-o", str(tmp_path / "plan.json"), "-q"]) == 0
    saved = json.loads((tmp_path / "plan.json").read_text())
    assert saved["test"] == "close" and saved["n"] == 200 and saved["target_power"] is None
    assert saved["power"] == pytest.approx(
        plan_sample_size(df=50, rmsea=0.08, rmsea0=0.05, n=200).power)
    for suffix, marker in ((".html", "<table>"), (".md", "| Quantity | Value |")):
        assert main(["plan", "--df", "50", "--rmsea", ".05", "--power", ".8", "-q",
                     "-o", str(tmp_path / f"plan{suffix}")]) == 0
        assert marker in (tmp_path / f"plan{suffix}").read_text()


@pytest.mark.parametrize(("argv", "message"), [
    (["--df", "0", "--rmsea", ".05", "--power", ".8"], "df must be an integer >= 1"),
    (["--df", "50", "--rmsea", ".05", "--power", "1.5"], "power must be in (0, 1)"),
    (["--df", "50", "--rmsea", ".05", "--rmsea0", ".08", "--test", "close", "--power", ".8"],
     "a test of close fit needs"),
    (["--df", "50", "--rmsea", ".05", "--seed", "1", "--power", ".8"],
     "--seed is a Monte Carlo option"),
    (["--df", "50", "--rmsea", ".05", "--n", "100:200:50"], "the analytic plan takes one N"),
    (["--df", "50", "--rmsea", ".05", "--power", ".8", "-o", "plan.pdf"], "plan.pdf"),
    (["--pilot", "nowhere.csv", "--n", "100", "-o", "plan.html"], "without --target"),
    (["--pilot", "nowhere.csv", "--n", "100:200:50", "--rmsea", ".05"],
     "--rmsea is an option of the analytic plan"),
    (["--pilot", "nowhere.csv"], "--n: give the N"),
    (["--pilot", "nowhere.csv", "--n", "100"], "nowhere.csv"),
])
def test_cli_bad_input_one_line_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    from alliance_scale.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["plan", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_monte_carlo_reads_the_pilot_and_dispatches(fake_engine, tmp_path, capsys):
    from alliance_scale.cli import main

    scale = als.draft_scale(items_per_facet=2)
    scale.save(tmp_path / "dta.yaml")
    als.simulate(scale, 30, seed=1).data.to_csv(tmp_path / "pilot.csv")
    pilot, dta = str(tmp_path / "pilot.csv"), str(tmp_path / "dta.yaml")
    assert main(["plan", "--pilot", pilot, "--scale", dta, "--n", "100:200:50",
                 "--replications", "20", "--seed", "1", "--backend", "serial",
                 "-o", str(tmp_path / "mc.csv")]) == 0
    population, n, kwargs = fake_engine[-1]
    assert len(population.kwargs["pilot"]) == 30 and population.kwargs["scale"].items
    assert n == [100, 150, 200]
    assert kwargs["replications"] == 20 and kwargs["targets"] is None
    assert kwargs["seed"] == 1 and kwargs["backend"] == "serial"
    assert kwargs["progress"] is None  # the engine's bar, on a terminal
    assert "MonteCarloPower" in capsys.readouterr().out
    assert pd.read_csv(tmp_path / "mc.csv", index_col="n").index.tolist() == [100, 150, 200]
    assert main(["plan", "--pilot", pilot, "--scale", dta, "--n", "50:400:25", "-q",
                 "--replications", "2000", "--target", "f1~~f2=.8",
                 "-o", str(tmp_path / "mc.json")]) == 2
    err = capsys.readouterr().err
    assert "targets: 'f1~~f2' was not simulated (simulated: chisq)" in err  # the fake's only
    assert main(["plan", "--pilot", pilot, "--scale", dta, "--n", "50:400:25", "-q",
                 "--replications", "2000", "--target", "power=.8",
                 "-o", str(tmp_path / "mc.json")]) == 0
    saved = json.loads((tmp_path / "mc.json").read_text())
    assert saved["method"] == "Monte Carlo" and saved["target"] == "chisq"
    assert saved["n_ci_low"] <= 150 <= saved["n_ci_high"] and abs(saved["n"] - 150) <= 3
    assert fake_engine[-1][2]["progress"] is False and fake_engine[-1][2]["targets"] is None
    capsys.readouterr()
    assert main(["plan", "--pilot", pilot, "--scale", dta, "--n", "50:100:25",
                 "--replications", "2000", "--target", "power=.8"]) == 2
    captured = capsys.readouterr()
    assert "MonteCarloPower" in captured.out  # the simulation is shown before the refusal
    assert "not reached within N = 50 to 100" in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_monte_carlo_plan_reads_the_smoothed_curve(fake_engine):
    """power= with a population: the simulated curve's root (the fake's is N = 150), its CI,
    the plan printed with its rule and source, and the analytic power beside it."""
    plan = plan_sample_size(model={"f": ["a", "b", "c"]}, loadings=[0.7, 0.6, 0.5],
                            n=range(50, 401, 25), replications=4000, power=0.8, seed=1)
    assert (plan.method, plan.kind, plan.target) == ("Monte Carlo", "a priori", "chisq")
    assert abs(plan.n - 150) <= 2 and plan.n_ci[0] <= 150 <= plan.n_ci[1]
    assert plan.power == pytest.approx(0.8, abs=0.01)
    text = repr(plan)
    assert "logistic curve in log N" in text and "Muthen & Muthen (2002)" in text
    assert " Analytic power at N (same F0, df)" in text and "95% CI of N" in text
    assert plan.to_frame().loc[0, "n_ci_low"] == plan.n_ci[0]
    curve = plan.curve([100, 150, 300])
    assert curve["power"].is_monotonic_increasing and curve["ncp"].isna().all()
    import matplotlib.pyplot as plt

    figure = als.plot_power_curve(plan)
    assert len(figure.axes[0].containers) == 1  # the simulated points with their intervals
    plt.close(figure)
    with pytest.raises(OptionError, match="not reached within N = 50 to 100"):
        plan_sample_size(model={"f": ["a", "b", "c"]}, loadings=[0.7, 0.6, 0.5],
                         n=[50, 75, 100], replications=4000, power=0.8)


@pytest.mark.slow
def test_monte_carlo_end_to_end_with_the_engine():
    """The real engine (design/_montecarlo), serial: the factor correlation's z test in a
    two-factor population, the plan read off its simulated curve (the engine's own tests
    check its numbers and their independence of the backend)."""
    from alliance_scale.design._montecarlo import MonteCarloPower

    model = {"f1": ["x1", "x2", "x3"], "f2": ["x4", "x5", "x6"]}
    plan = plan_sample_size(model=model, loadings=0.7, factor_correlation=0.3,
                            n=[100, 150, 200, 300], replications=40, seed=7,
                            backend="serial", targets="f1~~f2", progress=False, power=0.8)
    assert isinstance(plan.simulation, MonteCarloPower)
    rates = plan.simulation.conditions["power[f1~~f2]"]
    assert rates.iloc[0] < 0.8 < rates.iloc[-1]
    assert (plan.method, plan.target) == ("Monte Carlo", "f1~~f2")
    assert plan.simulation.estimator == "ML"  # the default for continuous items
    assert 100 < plan.n < 300 and plan.n_ci[0] <= plan.n <= plan.n_ci[1]
    assert plan.power == pytest.approx(0.8, abs=0.01)
