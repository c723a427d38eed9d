"""What every benchmark script shares: timing, seeded data, the command line and running R.

One implementation of each: ``best_of`` (best wall-clock time of a few runs),
``ordinal_factor_data`` (seeded Likert answers from a common-factor model),
``command_line`` (the size options of a script), ``have_r`` and ``run_r`` (feed a data frame
to an R script through a temporary CSV and read back the JSON the script writes).
Hand-written because the benchmarks are plain scripts with no test framework behind them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

# Prepended to every R script given to ``run_r``: ``data`` is the CSV (NULL when none was
# given), ``extra`` the further command-line arguments, ``finish(x)`` writes the JSON result
# and ``seconds(expr)`` times one evaluation of ``expr`` (assignments inside it persist).
R_PREAMBLE = r"""
suppressPackageStartupMessages(library(jsonlite))
args <- commandArgs(trailingOnly = TRUE)
data <- if (nzchar(args[1])) read.csv(args[1]) else NULL
extra <- args[-(1:2)]
finish <- function(x) write_json(x, args[2], digits = NA, auto_unbox = TRUE)
seconds <- function(expr) system.time(expr)[["elapsed"]]
"""


def best_of(function: Callable[[], object], repeats: int = 3) -> float:
    """Best wall-clock time of ``repeats`` calls of ``function``, in seconds."""
    best = np.inf
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def ordinal_factor_data(
    n: int,
    p: int,
    k: int,
    *,
    seed: int,
    categories: int = 6,
    missing: float = 0.0,
    loadings: tuple[float, float] = (0.4, 0.8),
    factor_correlation: float | np.ndarray = 0.2,
) -> pd.DataFrame:
    """Seeded ordinal answers from a common-factor model with correlated factors.

    Item ``j`` loads on factor ``j % k`` only, with a loading drawn uniformly from
    ``loadings``; the factors correlate ``factor_correlation`` with each other; the latent
    responses have unit variance and are cut at the normal quantiles of equal category
    proportions, shifted per item (skew) and jittered, so items differ in their thresholds.

    Parameters
    ----------
    n, p, k : int
        Respondents, items and factors.
    seed : int
        Seed of the random generator; same seed, same data.
    categories : int, default 6
        Answer categories, coded 1..categories.
    missing : float, default 0.0
        Share of answers set missing (NaN) completely at random.
    loadings : (float, float), default (0.4, 0.8)
        Range of the items' loadings.
    factor_correlation : float or (k, k) array, default 0.2
        Correlation between any two factors, or the whole factor correlation matrix.

    Returns
    -------
    DataFrame, shape (n, p)
        Float codes, columns ``i1`` ... ``ip``.
    """
    rng = np.random.default_rng(seed)
    pattern = np.zeros((p, k))
    pattern[np.arange(p), np.arange(p) % k] = rng.uniform(*loadings, p)
    if np.ndim(factor_correlation) == 2:
        phi = np.asarray(factor_correlation, dtype=float)
    else:
        phi = np.full((k, k), factor_correlation) + (1 - factor_correlation) * np.eye(k)
    factors = rng.standard_normal((n, k)) @ np.linalg.cholesky(phi).T
    unique = np.sqrt(1 - np.einsum("ij,jk,ik->i", pattern, phi, pattern))
    latent = factors @ pattern.T
    latent += rng.standard_normal((n, p)) * unique
    base = norm.ppf(np.arange(1, categories) / categories)
    cuts = base + rng.normal(0, 0.25, (p, 1)) + rng.normal(0, 0.1, (p, categories - 1))
    cuts.sort(axis=1)
    codes = np.ones((n, p))
    for threshold in cuts.T:  # one pass per threshold keeps memory at one n x p array
        codes += latent > threshold
    codes[rng.random((n, p)) < missing] = np.nan
    return pd.DataFrame(codes, columns=[f"i{j + 1}" for j in range(p)])


def command_line(description: str, help: dict[str, str] | None = None,
                 **defaults: int | bool) -> argparse.Namespace:
    """Parse ``--name value`` options, one per keyword default (``a_b`` becomes ``--a-b``).

    A boolean default ``False`` becomes a flag; ``help`` gives optional help texts by name.
    """
    parser = argparse.ArgumentParser(description=description)
    for name, default in defaults.items():
        flag, text = "--" + name.replace("_", "-"), (help or {}).get(name)
        if isinstance(default, bool):
            parser.add_argument(flag, action="store_true", help=text)
        else:
            parser.add_argument(flag, type=type(default), default=default, help=text)
    return parser.parse_args()


def have_r() -> bool:
    """Whether ``Rscript`` is on PATH (otherwise the R comparisons are skipped)."""
    return shutil.which("Rscript") is not None


def run_r(script: str, data: pd.DataFrame | None, *args: object) -> dict:
    """Run an R script on ``data`` (through a temporary CSV) and return the JSON it writes.

    The script is run after ``R_PREAMBLE`` as
    ``Rscript bench.R data.csv out.json *args``; it reads ``data`` and ``extra`` and calls
    ``finish(list(...))``. Missing values are written as ``NA``, numbers to full precision.

    Raises
    ------
    RuntimeError
        When R fails; the message holds R's error output.
    """
    with tempfile.TemporaryDirectory() as folder:
        csv, code, output = (Path(folder) / name for name in ("data.csv", "bench.R", "out.json"))
        if data is not None:
            data.to_csv(csv, index=False, na_rep="NA", float_format="%.17g")
        code.write_text(R_PREAMBLE + script)
        command = ["Rscript", str(code), str(csv) if data is not None else "", str(output),
                   *map(str, args)]
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"Rscript failed ({run.returncode}):\n{run.stderr}")
        return json.loads(output.read_text())
