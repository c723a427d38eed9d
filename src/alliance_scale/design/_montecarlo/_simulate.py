"""``simulate_power()``: sample-size planning by Monte Carlo simulation (issue #23).

For each sample size N, ``replications`` samples are drawn from a :class:`Population`, the
analysis model is fitted to each with the library's CFA (ML, MLR or WLSMV, with the
pilot's missing-data handling: full-information ML for ML / MLR, pairwise for WLSMV), and
what every simulation study of power records is kept (Muthen & Muthen 2002; simsem; Mplus
MONTECARLO). Replications run in batches (tasks of about half a second) on a backend
(:mod:`._backends`); each is seeded by ``SeedSequence(seed, spawn_key=(N, r))``, so the
numbers are the same whatever the backend, the batch size and the number of workers, and
records stream to a results file from which an interrupted run resumes (:mod:`._store`).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import check_choice, check_flag, check_integer, check_number
from ...errors import OptionError
from ._backends import BACKENDS, RUNNERS, default_workers
from ._population import Population
from ._replicate import FIT_INDICES, Design, population_values, run_batch
from ._result import CRITERIA_RULE, MonteCarloPower, rejections, summarize
from ._store import FORMAT, Store

__all__ = ["simulate_power"]

ESTIMATORS = ("ML", "MLR", "WLSMV")
#: Seconds of work a task should hold (batches are sized from a timed replication).
TASK_SECONDS = 0.5
#: Early stopping is checked at multiples of this many replications (so that where a
#: condition stops does not depend on the order batches finish in).
CHECKPOINT = 100
#: Test hook: raise KeyboardInterrupt after this many batches have been written.
_INTERRUPT_AFTER: int | None = None


def _targets(targets: Any, parameters: Sequence[str], factors: Sequence[str]) -> tuple:
    if targets is None:
        covs = [p for p in parameters if "~~" in p and p.split("~~")[0] != p.split("~~")[1]
                and p.split("~~")[0] in factors]
        return ("chisq", *covs)
    if isinstance(targets, str):
        targets = [targets]
    out = []
    for t in targets:
        if not isinstance(t, str):
            raise OptionError(f"targets must be 'chisq' or parameter names; got {t!r}")
        name = t.replace(" ", "")
        if name != "chisq" and name.removesuffix("=0") not in parameters:
            raise OptionError(f"target {t!r} is neither 'chisq' nor a free parameter of the "
                              "analysis model (e.g. " + ", ".join(list(parameters)[:4])
                              + "), nor one with '=0' (the test of fixing it at 0)")
        out.append(name)
    return tuple(dict.fromkeys(out))


def _n_values(n: Any) -> list[int]:
    values = [n] if isinstance(n, (int, np.integer)) and not isinstance(n, bool) else n
    if isinstance(values, str) or not isinstance(values, (Sequence, np.ndarray, range)) \
            or len(values) == 0:
        raise OptionError(f"n must be a sample size or a list of them; got {n!r}")
    out = [check_integer("n", v, minimum=10) for v in values]
    if len(set(out)) < len(out):
        raise OptionError("n lists a sample size twice")
    return sorted(out)


def _design_hash(description: dict) -> str:
    text = json.dumps(description, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _columns(design: Design, omegas: dict) -> list[str]:
    columns = ["n", "replication", "seed", "status", "error", "seconds", "restarted",
               "converged", "iterations", "admissible", "chisq", "df", "pvalue", "reject"]
    if design.cuts is not None:
        columns.insert(6, "empty_categories")
    if design.fit_indices:
        columns += list(FIT_INDICES)
    for name in design.parameters:
        columns += [f"est[{name}]", f"se[{name}]"]
    for name in design.restrictions:
        columns += [f"lrt[{name}]", f"reject[{name}=0]"]
    for factor in omegas:
        columns.append(f"omega[{factor}]")
        if design.omega_se:
            columns.append(f"omega_se[{factor}]")
    return columns


def _batches(todo: dict[int, list[int]], sizes: dict[int, int]) -> list[tuple[int, int, int]]:
    """Contiguous runs of the replications still to do, cut into batches; largest N first
    (the longest tasks start first)."""
    out = []
    for n in sorted(todo, reverse=True):
        reps = todo[n]
        start = 0
        while start < len(reps):
            stop = start
            while stop + 1 < len(reps) and reps[stop + 1] == reps[stop] + 1 and \
                    stop + 1 - start < sizes[n]:
                stop += 1
            out.append((n, reps[start], reps[stop] + 1))
            start = stop + 1
    return out


def simulate_power(
    population: Population,
    *,
    n: int | Sequence[int],
    replications: int = 1000,
    seed: int | None = None,
    estimator: str = "ML",
    targets: str | Sequence[str] | None = None,
    alpha: float = 0.05,
    backend: str = "processes",
    address: str | None = None,
    n_workers: int | None = None,
    results: str | None = None,
    resume: bool = True,
    batch_size: int | None = None,
    progress: bool | None = None,
    analysis: str | None = None,
    mcse: float | None = None,
    fit_indices: bool = True,
    omega_se: bool | None = None,
) -> MonteCarloPower:
    """Power of a CFA study by Monte Carlo simulation, for one or several sample sizes.

    Each replication draws ``N`` respondents from ``population`` (normal items, or ordered
    categories cut from normal latent responses), fits the analysis model with the
    library's :func:`~alliance_scale.cfa` and records convergence, admissibility, the
    model's chi-square test (rejected at ``alpha``), CFI / TLI / RMSEA / SRMR, every
    estimate and SE, and each factor's composite reliability (omega) with its
    delta-method SE. Power is the share of converged replications that reject.

    Parameters
    ----------
    population : Population
        The population (see :class:`Population` and :meth:`Population.from_pilot`).
    n : int or sequence of int
        Sample size(s): one condition each (at least 10).
    replications : int, default 1000
        Replications per condition.
    seed : int, optional
        Entropy of the seed tree; None draws one (reported as ``.seed``: the run can be
        repeated). Replication ``r`` of condition ``N`` uses
        ``numpy.random.SeedSequence(seed, spawn_key=(N, r))``.
    estimator : {"ML", "MLR", "WLSMV"}, default "ML"
        ML / MLR for continuous populations, WLSMV for ordered ones. With missing answers:
        full-information ML (``missing="ml"``) for ML / MLR, pairwise for WLSMV, as
        :func:`~alliance_scale.blueprint_cfa` analyses a pilot.
    targets : str or sequence of str, optional
        What power is computed for: ``"chisq"`` (the model's test of exact fit; scaled
        for MLR, scaled-shifted for WLSMV) and free parameters of the analysis model in
        lavaan's notation (``"f1~~f2"``, ``"f1=~x2"``: the z test of the estimate at
        ``alpha``), or a parameter with ``"=0"`` (``"f1~~f2=0"``: the chi-square difference
        test of the analysis model against the same model with that parameter fixed at 0,
        ML only; semPower's test of a restriction). Default: ``"chisq"`` and every factor
        covariance.
    alpha : float, default 0.05
        Level of the tests.
    backend : {"processes", "serial", "dask"}, default "processes"
        Where batches run (see :mod:`._backends`): local worker processes, this process,
        or a Dask cluster (``pip install 'alliance-scale[dask]'``).
    address : str, optional
        ``backend="dask"``: the scheduler (``"tcp://host:8786"``); None starts a
        ``LocalCluster`` of ``n_workers`` processes for the run. Unreachable within 5 s:
        OptionError.
    n_workers : int, optional
        Worker processes (default: the CPUs available).
    results : str or path, optional
        A CSV file the records are appended to as batches finish (with the design's hash
        in ``<results>.design.json``).
    resume : bool, default True
        Reuse the replications already in ``results`` (same design only; another design's
        file is refused); False starts the file again.
    batch_size : int, optional
        Replications per task; default: about half a second of work, from a timed
        replication. The numbers do not depend on it.
    progress : bool, optional
        A progress bar on stderr (default: when stderr is a terminal).
    analysis : str, optional
        The analysis model (lavaan syntax) if not the population's structure, e.g. with a
        factor correlation fixed at 0 (``"f1 ~~ 0*f2"``).
    mcse : float, optional
        Early stop: a condition stops at the first multiple of 100 replications at which
        every target's Monte Carlo SE is at most ``mcse`` (at least 100 replications).
    fit_indices : bool, default True
        Record CFI, TLI, RMSEA and SRMR (the baseline model's fit costs time).
    omega_se : bool, optional
        Record omega's delta-method SE (coverage of its 95% CI). Default: for continuous
        items (cheap); with ordered items the categorical omega's derivatives cost about
        as much as the fit.

    Returns
    -------
    MonteCarloPower

    Raises
    ------
    OptionError
        A bad argument, an unknown target, a results file of another design, a Dask
        scheduler that cannot be reached.
    AnalysisError
        An analysis model that is not identified, a worker process that died (the
        finished batches are kept: run again to resume).

    Examples
    --------
    >>> import alliance_scale as als
    >>> pop = als.Population({"f1": ["x1", "x2", "x3"], "f2": ["x4", "x5", "x6"]},
    ...                      loadings=0.7, factor_correlation=0.4)
    >>> mc = als.simulate_power(pop, n=[100, 200], replications=20, seed=1,
    ...                         backend="serial", targets="f1~~f2")
    >>> mc.to_frame()["power[f1~~f2]"].round(2).tolist()  # Monte Carlo SE about .1
    [0.75, 1.0]
    >>> mc.smallest_n("f1~~f2")
    200

    A Dask cluster: ``backend="dask", address="tcp://scheduler:8786"``; a long run that
    can be resumed: ``results="runs.csv"``.
    """
    if not isinstance(population, Population):
        raise OptionError("population must be a Population (see Population.from_pilot)")
    sizes = _n_values(n)
    replications = check_integer("replications", replications, minimum=2)
    check_choice("estimator", estimator, ESTIMATORS)
    check_choice("backend", backend, BACKENDS)
    alpha = check_number("alpha", alpha, 0.0, 1.0, low_open=True, high_open=True)
    check_flag("resume", resume)
    check_flag("fit_indices", fit_indices)
    if n_workers is not None:
        n_workers = check_integer("n_workers", n_workers, minimum=1)
    if batch_size is not None:
        batch_size = check_integer("batch_size", batch_size, minimum=1)
    if mcse is not None:
        mcse = check_number("mcse", mcse, 0.0, 0.5, low_open=True)
    if address is not None and backend != "dask":
        raise OptionError("address= is the Dask scheduler's: give backend='dask'")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2 ** 63)
    seed = check_integer("seed", seed, minimum=0)
    ordered = population.ordered
    if ordered and estimator != "WLSMV":
        raise OptionError(f"the population's items are ordered: use estimator='WLSMV' (not "
                          f"{estimator!r}), or give no thresholds for continuous items")
    if not ordered and estimator == "WLSMV":
        raise OptionError("estimator='WLSMV' analyses ordered items: give the population "
                          "thresholds (category proportions)")
    omega_se = (not ordered) if omega_se is None else check_flag("omega_se", omega_se)
    missing = population.missing_rates is not None
    method = ("pairwise" if ordered else "ml") if missing else "listwise"
    model = analysis if analysis is not None else population.analysis_model
    if not isinstance(model, str):
        raise OptionError("analysis must be lavaan model syntax (str)")
    items = population.items
    pv = population_values(items, population.sigma.to_numpy(),
                           [population.cuts[i] for i in items] if ordered else None,
                           model, estimator, missing)
    present = set(pv.ov)
    keep = [j for j, i in enumerate(items) if i in present]  # the analysed items only
    used = [items[j] for j in keep]
    sigma = population.sigma.to_numpy()[np.ix_(keep, keep)]
    design = Design(
        items=tuple(used), chol=np.linalg.cholesky(sigma),
        cuts=tuple(population.cuts[i] for i in used) if ordered else None,
        missing=np.array([population.missing_rates[i] for i in used]) if missing else None,
        analysis=model, estimator=estimator, missing_method=method, alpha=alpha,
        entropy=seed, truth=tuple(sorted(pv.truth.items())), parameters=pv.parameters,
        factors=tuple(population.factors), fit_indices=fit_indices, omega_se=omega_se)
    target_names = _targets(targets, pv.parameters, population.factors)
    restrictions = tuple(t.removesuffix("=0") for t in target_names if t.endswith("=0"))
    if restrictions and estimator != "ML":
        raise OptionError(f"the chi-square difference test of a target '...=0' is "
                          f"available with estimator='ML' only (its scaled versions for "
                          f"{estimator} are not implemented); use the z test of the parameter "
                          f"({restrictions[0]!r}) instead")
    design = replace(design, restrictions=restrictions)
    description = {"population": population.fingerprint(), "analysis": model,
                   "estimator": estimator, "missing_method": method, "alpha": alpha,
                   "seed": seed, "fit_indices": fit_indices, "omega_se": omega_se,
                   "restrictions": restrictions, "format": FORMAT}
    design_hash = _design_hash(description)
    columns = _columns(design, pv.omegas)
    store = Store(results, design_hash, columns, description, resume) if results else None
    done = store.records if store is not None else pd.DataFrame(columns=columns)
    have = {n_: set(done.loc[done["n"] == n_, "replication"].astype(int)) for n_ in sizes}
    todo = {n_: [r for r in range(replications) if r not in have[n_]] for n_ in sizes}
    kept = [done[done["n"].isin(sizes) & (done["replication"] < replications)]] \
        if len(done) else []
    if backend == "serial":
        workers = 1
    elif backend == "dask" and address is not None:
        workers = n_workers or 0
    else:
        workers = n_workers or default_workers()
    started = time.perf_counter()
    if batch_size is None and any(todo.values()):
        # time one replication of the largest N still to do (kept: it is deterministic)
        big = max(n_ for n_ in sizes if todo[n_])
        first = run_batch(design, big, todo[big][0], todo[big][0] + 1)
        if store is not None:
            store.append(first)
        kept.append(pd.DataFrame(first, columns=columns))
        todo[big] = todo[big][1:]
        cost = max(first[0]["seconds"], 1e-3)
        per_n = {n_: max(1, math.ceil(TASK_SECONDS / (cost * max(n_ / big, 0.2))))
                 for n_ in sizes}
    else:
        per_n = dict.fromkeys(sizes, batch_size or 1)
    batches = _batches(todo, per_n)
    stopped: dict[int, int] = {}
    reps_done = {n_: set(have[n_]) | {int(r) for f in kept for r in
                                      f.loc[f["n"] == n_, "replication"]} for n_ in sizes}
    z = _z(alpha)
    by_n: dict[int, tuple] = {}  # a batch's frame -> its condition (others: any)

    def check_stop(n_: int) -> None:
        if mcse is None or n_ in stopped:
            return
        mine = [f[f["n"] == n_] for f in kept if n_ in by_n.get(id(f), (n_,))]
        frame = pd.concat(mine, ignore_index=True) if mine else None
        for point in range(CHECKPOINT, replications, CHECKPOINT):
            if not all(r in reps_done[n_] for r in range(point)):
                return
            part = frame[frame["replication"] < point]
            ok = part[(part["status"] == "ok") & part["converged"].astype(bool)]
            worst = 0.0
            for t in target_names:
                hits = rejections(ok, t, z).dropna()
                p = hits.mean() if len(hits) else 0.5
                worst = max(worst, math.sqrt(p * (1 - p) / max(len(hits), 1)))
            if worst <= mcse:
                stopped[n_] = point
                return

    for n_ in sizes:
        check_stop(n_)
    bar = _progress(progress, sum(stop - first for _n, first, stop in batches))
    written = 0
    try:
        runner = RUNNERS[backend]
        for batch, records in runner(design, batches, n_workers, address,
                                     lambda n_: n_ in stopped):
            if store is not None:
                store.append(records)
            kept.append(pd.DataFrame(records, columns=columns))
            by_n[id(kept[-1])] = (batch[0],)
            reps_done[batch[0]].update(range(batch[1], batch[2]))
            written += 1
            if bar is not None:
                bar.update(batch[2] - batch[1])
            check_stop(batch[0])
            if _INTERRUPT_AFTER is not None and written >= _INTERRUPT_AFTER:
                raise KeyboardInterrupt("test hook: interrupted")
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - started
    records = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(columns=columns)
    records = _typed(records.drop_duplicates(["n", "replication"]).sort_values(
        ["n", "replication"], kind="stable").reset_index(drop=True))
    conditions = {n_: stopped.get(n_, replications) for n_ in sizes}
    table, parameters = summarize(records, conditions, target_names, pv.truth,
                                  pv.parameters, pv.omegas, alpha, ordered)
    notes = _notes(table, records, stopped, ordered)
    return MonteCarloPower(table, parameters, records, target_names, estimator, alpha, model,
                           seed, design_hash, backend, workers, seconds, pv.f0, pv.df,
                           CRITERIA_RULE, tuple(notes))


#: Columns of text and of flags in the records (the others are numbers).
_TEXT = ("seed", "status", "error")
_FLAGS = ("restarted", "converged", "admissible", "reject")


def _typed(records: pd.DataFrame) -> pd.DataFrame:
    """One dtype per column whether the records were computed or read back from the file."""
    out = {}
    for column in records.columns:
        values = records[column]
        if column in _TEXT:
            out[column] = values.fillna("").astype(str)
        elif column in _FLAGS or column.startswith("reject["):
            out[column] = values.astype("boolean")
        elif column in ("n", "replication"):
            out[column] = values.astype("int64")
        else:
            out[column] = pd.to_numeric(values).astype(float)
    return pd.DataFrame(out)


def _z(alpha: float) -> float:
    from scipy.special import ndtri

    return float(ndtri(1 - alpha / 2))


def _progress(progress: bool | None, total: int) -> Any:
    import sys

    if progress is None:
        progress = sys.stderr.isatty()
    if not progress or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="replications", unit="rep", file=sys.stderr)


def _notes(table: pd.DataFrame, records: pd.DataFrame, stopped: dict, ordered: bool) -> list:
    notes = []
    failed = records[records["status"] != "ok"]
    if len(failed):
        first = failed.iloc[0]
        notes.append(f"{len(failed)} replication(s) failed and are kept with their seed and "
                     f"error in .replications (first: seed {first['seed']}: {first['error']})")
    if ordered and "empty_category" in table and (table["empty_category"] > 0).any():
        worst = table["empty_category"].idxmax()
        rows = records[(records["n"] == worst) & (records["empty_categories"].fillna(0) > 0)]
        ok = rows[rows["status"] == "ok"]
        notes.append(
            f"at N = {worst}, {table.loc[worst, 'empty_category']:.1%} of replications had an "
            "item with an unobserved category: that item is fitted with fewer thresholds "
            "(the category merged with its neighbour, as lavaan does), so those "
            "replications test a slightly different model; "
            f"{len(rows) - len(ok)} of them failed and "
            f"{int((~ok['converged'].astype(bool)).sum()) if len(ok) else 0} did not "
            "converge")
    for n_, point in stopped.items():
        notes.append(f"N = {n_} stopped early after {point} replications (every target's "
                     "Monte Carlo SE small enough)")
    if (table["converged"] < 1).any():
        low = table["converged"].idxmin()
        notes.append(f"convergence is lowest at N = {low} ({table.loc[low, 'converged']:.1%})"
                     "; power is computed over converged replications")
    return notes
