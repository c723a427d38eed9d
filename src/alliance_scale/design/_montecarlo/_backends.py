"""Where batches run: in this process, in local worker processes, or on a Dask cluster.

Each backend takes the batches ``(n, first, stop)`` and yields ``(batch, records)`` as they
finish (in any order); the records depend on the batch alone (see :mod:`._replicate`), so
every backend gives the same numbers.

- ``"serial"``: one batch after another, here.
- ``"processes"`` (default): :class:`concurrent.futures.ProcessPoolExecutor` from the
  standard library: no dependency, and its per-task cost (milliseconds) is nothing next to
  a batch of replications (hundreds of milliseconds); Dask's ``LocalCluster`` would add a
  dependency and seconds of start-up for the same work on one machine. On Linux, when this
  process runs no other Python thread, workers are forked: they inherit the CFA engine
  already imported here and start in milliseconds (a fresh process spends seconds
  importing numpy, scipy, pandas and the engine). Otherwise (threads running, macOS) they
  come from a fork server that imported the engine once, or ``spawn`` (Windows).
- ``"dask"``: :mod:`dask.distributed` (the optional extra ``alliance-scale[dask]``), imported
  only here: a ``LocalCluster`` started for the run when no ``address`` is given, else the
  scheduler at ``address`` (``"tcp://host:8786"``), reached within :data:`CONNECT_TIMEOUT`
  seconds or refused.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from typing import Any

from ...errors import AnalysisError, OptionError
from ._replicate import Design, run_batch

__all__: list[str] = []

BACKENDS = ("serial", "processes", "dask")
#: Seconds to reach a Dask scheduler before giving up.
CONNECT_TIMEOUT = 5
Batch = tuple[int, int, int]


def default_workers() -> int:
    """CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def run_serial(design: Design, batches: list[Batch], workers: int | None,
               address: str | None, stop: Callable[[int], bool]) -> Iterator[tuple]:
    for batch in batches:
        if stop(batch[0]):
            continue
        yield batch, run_batch(design, *batch)


#: Modules a fork server imports once for its workers.
_PRELOAD = ["alliance_scale.design._montecarlo._replicate",
            "alliance_scale.psychometrics._cfa._cfa", "alliance_scale.psychometrics._cfa._fitting"]


def _context() -> Any:
    import sys
    import threading

    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


def run_processes(design: Design, batches: list[Batch], workers: int | None,
                  address: str | None, stop: Callable[[int], bool]) -> Iterator[tuple]:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    workers = workers or default_workers()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context())
    try:
        pending = {pool.submit(run_batch, design, *b): b for b in batches}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                batch = pending.pop(future)
                try:
                    records = future.result()
                except BrokenProcessPool as error:
                    raise AnalysisError(
                        "a worker process died (killed, out of memory, or - in a script "
                        "without `if __name__ == \"__main__\":` - the script re-run by the "
                        "new process, which multiprocessing forbids): the batches finished "
                        "so far are kept in the results file; run again with the same "
                        "results= to resume") from error
                yield batch, records
            for future, batch in list(pending.items()):
                if stop(batch[0]) and future.cancel():
                    del pending[future]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _client(address: str | None, workers: int | None) -> tuple[Any, Any]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as error:
        raise OptionError("backend='dask' needs dask.distributed: pip install "
                          "'alliance-scale[dask]' (or 'dask[distributed]')") from error
    if address is None:
        cluster = LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1,
                               processes=True, dashboard_address=None)
        return Client(cluster), cluster
    try:
        return Client(address, timeout=CONNECT_TIMEOUT), None
    except (OSError, TimeoutError) as error:
        raise OptionError(f"cannot reach the Dask scheduler at {address!r} within "
                          f"{CONNECT_TIMEOUT} s ({type(error).__name__}): check the "
                          "address and that the scheduler is running") from error


def run_dask(design: Design, batches: list[Batch], workers: int | None,
             address: str | None, stop: Callable[[int], bool]) -> Iterator[tuple]:
    if address is not None and (not isinstance(address, str) or "://" not in address):
        raise OptionError(f"address must be a Dask scheduler address such as "
                          f"'tcp://10.0.0.5:8786'; got {address!r}")
    client, cluster = _client(address, workers)
    try:
        from dask.distributed import as_completed

        shared = client.scatter(design, broadcast=True)
        futures = {client.submit(run_batch, shared, *b, pure=False): b for b in batches}
        for future in as_completed(list(futures)):
            batch = futures[future]
            if future.cancelled():
                continue
            yield batch, future.result()
            for other, b in futures.items():
                if stop(b[0]) and not other.done():
                    other.cancel()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


RUNNERS = {"serial": run_serial, "processes": run_processes, "dask": run_dask}
