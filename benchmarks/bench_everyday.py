"""Benchmark: the speed of the everyday calls (issue #17), as ratios measured in one run.

Prints, each against its anchor timed in the same run:

- start-up: ``import alliance_scale`` / ``import pandas``; ``alliance-scale --help`` and
  ``--version`` / ``python -c pass``; and, for information, loading every public name
  (``from alliance_scale import *``) / ``import pandas`` and the standard-library modules
  the command line cannot do without (argparse, re, pathlib, shutil) / ``python -c pass``.
  Each command runs in a fresh interpreter, with bytecode caching on (as an installed
  package has it), after one warm-up run; the commands are interleaved, ``--repeats``
  rounds, min and range reported;
- the validation layer: each check of ``_checks.py`` on 135 items x 4,000 respondents
  against the call it guards (``as_item_frame``, ``analysis_input``, ``respondent_count``
  -> ``efa(data, 5)``; ``check_codes`` -> ``polychoric(data)``), best of ``--repeats``;
- ``efa(data, 5)`` (minres + oblimin, correlations included) against
  ``psych::fa(data, 5, fm = "minres", rotate = "oblimin")`` on the same data, and
  ``polychoric`` of the first 60 items of psychTools' ``spi`` (4,000 respondents) against
  ``lavaan::lavCor(ordered = all)``, R timed inside R (skipped without ``Rscript``);
- ``validate`` on the bundled pilot (320 x 80, polychoric, WLSMV, 19 SVG figures): the
  first call in a fresh process (imports included), the same with its HTML report written
  (figures drawn: by ``validate`` before, when the report is written since), and a second
  call.

With ``--before SRC`` (the ``src`` folder of another checkout, e.g. a worktree of the
previous commit), every Python measurement is taken for both checkouts, alternating
before / after in each round, so that both sides see the same load of the machine.

Usage: ``python benchmarks/bench_everyday.py [--repeats 5] [--before ../old/src] [--no-r]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "src"

R_EFA = r"""
suppressPackageStartupMessages(library(psych))
fa(data, 5, fm = "minres", rotate = "oblimin", warnings = FALSE)  # warm-up
times <- numeric(0)
for (i in seq_len(as.integer(extra[1]))) times[i] <- seconds(f <- fa(data, 5, fm = "minres",
    rotate = "oblimin", warnings = FALSE))
finish(list(seconds = min(times), loadings = unname(unclass(f$loadings))))
"""

R_SPI = r"""
suppressPackageStartupMessages({library(psychTools); library(lavaan)})
items <- psychTools::spi[, 11:70]
write.csv(items, extra[1], row.names = FALSE, na = "NA")
out <- list(seconds = seconds(lav <- lavCor(items, ordered = names(items))))
out$correlation <- unname(unclass(lav))
finish(out)
"""


def _environment(src: Path, cache: str) -> dict[str, str]:
    """A child's environment: ``src`` first on the path, bytecode cached in ``cache``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(src)
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


def _console_script(src: Path, folder: str) -> Path:
    """The ``alliance-scale`` console script pip would write for the checkout of ``src``
    (its pyproject's entry point, pip's own template), so that each side is measured with
    its own entry."""
    text = (src.parent / "pyproject.toml").read_text(encoding="utf-8")
    module, function = re.search(r'^alliance-scale = "([\w.]+):(\w+)"', text, re.M).groups()
    script = Path(folder) / f"alliance-scale-{abs(hash(str(src)))}"
    script.write_text(
        f"#!{sys.executable}\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n"
        f"from {module} import {function}\nif __name__ == '__main__':\n"
        "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
        f"    sys.exit({function}())\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def _startup_commands(script: Path) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "python -c pass": [python, "-c", "pass"],
        # what the command line needs of the standard library alone (argparse, the console
        # script's re, pathlib for the paths, shutil for the help's width): the floor
        "stdlib of the CLI": [python, "-c", "import re, argparse, pathlib, shutil, textwrap"],
        "import pandas": [python, "-c", "import pandas"],
        "import alliance_scale": [python, "-c", "import alliance_scale"],
        "every public name": [python, "-c", "from alliance_scale import *"],
        "alliance-scale --help": [str(script), "--help"],
        "alliance-scale --version": [str(script), "--version"],
    }


def _child(src: Path, cache: str, part: str, repeats: int) -> dict:
    """Run this script's in-process ``part`` in a fresh interpreter on ``src``."""
    done = subprocess.run([sys.executable, __file__, "--child", part, "--repeats",
                           str(repeats)], capture_output=True, text=True,
                          env=_environment(src, cache), check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{part} on {src} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _in_process(part: str, repeats: int) -> dict:
    """The timings of ``part`` in this process (run as a child on one checkout)."""
    import warnings

    warnings.simplefilter("ignore")
    sys.path.insert(0, str(HERE))
    from _common import best_of, ordinal_factor_data
    from threadpoolctl import threadpool_limits

    import alliance_scale as als
    from alliance_scale import _checks

    if part == "validate":
        data, scale = als.load_pilot(), als.draft_scale()
        started = time.perf_counter()
        report = als.validate(data, scale, progress=False)
        first = time.perf_counter() - started
        report.to_html(None)  # the figures: drawn by validate, or when the report is written
        written = time.perf_counter() - started
        return {"validate first call": first,
                "validate + to_html, first call": written,
                "validate second call": best_of(
                    lambda: als.validate(data, scale, progress=False), 1)}
    data = ordinal_factor_data(4000, 135, 5, seed=2026)
    values = data.to_numpy()
    out: dict[str, float] = {}
    with threadpool_limits(limits=1):  # as R's reference BLAS
        als.efa(data, 5)  # warm-up (imports)
        als.polychoric(data.iloc[:300, :4])
        out["efa(data, 5)"] = best_of(lambda: als.efa(data, 5), repeats)
        out["polychoric(data)"] = best_of(lambda: als.polychoric(data), max(1, repeats // 2))
        out["as_item_frame"] = best_of(lambda: _checks.as_item_frame(data), repeats)
        out["analysis_input"] = best_of(
            lambda: _checks.analysis_input(data, None, None), repeats)
        out["respondent_count"] = best_of(lambda: _checks.respondent_count(data), repeats)
        out["check_codes"] = best_of(lambda: _checks.check_codes(
            values, 1, 6, items=list(data.columns), rows=list(data.index)), repeats)
        spi = os.environ.get("BENCH_SPI_CSV")
        if spi:
            import pandas as pd

            items = pd.read_csv(spi).astype(float)
            als.polychoric(items.iloc[:300, :4])
            runs: list = []
            out["polychoric(spi 60)"] = best_of(
                lambda: runs.append(als.polychoric(items)), repeats)
            np.save(os.environ["BENCH_SPI_OUT"], runs[-1].correlation.to_numpy())
        if os.environ.get("BENCH_EFA_OUT"):
            np.save(os.environ["BENCH_EFA_OUT"], als.efa(data, 5).loadings.to_numpy())
    return out


def _spread(times: list[float]) -> str:
    return f"{min(times):8.3f} s  (range {min(times):.3f}-{max(times):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="rounds (default: 5)")
    parser.add_argument("--before", type=Path, default=None, metavar="SRC",
                        help="src folder of another checkout, measured interleaved")
    parser.add_argument("--no-r", action="store_true", help="skip the R anchors")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_in_process(args.child, args.repeats)))
        return

    sys.path.insert(0, str(HERE))
    from _common import have_r, ordinal_factor_data, run_r

    sides = {"after": SOURCE} if args.before is None else {"before": args.before.resolve(),
                                                              "after": SOURCE}
    cache = tempfile.mkdtemp(prefix="bench-pycache-")
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start; "
          f"{args.repeats} interleaved rounds, min and range")
    for side, src in sides.items():
        print(f"  {side}: {src}")

    # ------------------------------------------------------------------ start-up
    every = {side: _startup_commands(_console_script(src, cache)) for side, src in sides.items()}
    commands = every["after"]
    times = {(side, name): [] for side in sides for name in commands}
    for side, src in sides.items():  # warm-up: bytecode written to the cache
        for command in every[side].values():
            subprocess.run(command, env=_environment(src, cache), capture_output=True)
    for _ in range(args.repeats):
        for name in commands:
            for side, src in sides.items():
                started = time.perf_counter()
                subprocess.run(every[side][name], env=_environment(src, cache),
                               capture_output=True)
                times[side, name].append(time.perf_counter() - started)
    print("\nStart-up (fresh interpreter each, bytecode cached)")
    for side in sides:
        best = {name: min(times[side, name]) for name in commands}
        print(f" {side}:")
        for name in commands:
            print(f"  {name:26} {_spread(times[side, name])}")
        pandas = best["import pandas"]
        print(f"  import alliance_scale / import pandas   "
              f"{best['import alliance_scale'] / pandas:5.2f}  (target <= 1.5)")
        print(f"  every public name / import pandas       "
              f"{best['every public name'] / pandas:5.2f}  (information)")
        for flag in ("--help", "--version"):
            ratio = best[f"alliance-scale {flag}"] / best["python -c pass"]
            print(f"  alliance-scale {flag:9} / python -c pass {ratio:5.2f}  (target <= 3)")
        print(f"  stdlib of the CLI / python -c pass      "
              f"{best['stdlib of the CLI'] / best['python -c pass']:5.2f}  (the floor)")

    # ------------------------------------------------------------------ R anchors
    r_efa = r_spi = None
    spi_csv = Path(cache) / "spi60.csv"
    data = ordinal_factor_data(4000, 135, 5, seed=2026)
    if not args.no_r and have_r():
        r_efa = run_r(R_EFA, data, args.repeats)
        try:
            r_spi = run_r(R_SPI, None, spi_csv)
        except RuntimeError as error:  # psychTools missing
            print(f"spi / lavCor not timed: {str(error).splitlines()[-1]}")
    elif not args.no_r:
        print("Rscript not on PATH: R anchors skipped")

    # ------------------------------------------------------------------ in process
    results: dict = {side: {} for side in sides}
    for _ in range(args.repeats if args.before is not None else 1):
        for side, src in sides.items():
            env_extra = {"BENCH_EFA_OUT": str(Path(cache) / f"efa-{side}.npy")}
            if r_spi is not None:
                env_extra.update(BENCH_SPI_CSV=str(spi_csv),
                                 BENCH_SPI_OUT=str(Path(cache) / f"spi-{side}.npy"))
            os.environ.update(env_extra)
            repeats = args.repeats if args.before is None else 1
            for part in ("checks", "validate"):
                for key, value in _child(src, cache, part, repeats).items():
                    results[side].setdefault(key, []).append(value)
    print("\nIn process (135 items x 4,000 respondents, 1 BLAS thread; validate: the pilot)")
    for side in sides:
        best = {key: min(v) for key, v in results[side].items()}
        print(f" {side}:")
        for key, values in results[side].items():
            print(f"  {key:26} {_spread(values)}")
        efa, poly = best["efa(data, 5)"], best["polychoric(data)"]
        for check, guarded, seconds in (("as_item_frame", "efa(data, 5)", efa),
                                        ("analysis_input", "efa(data, 5)", efa),
                                        ("respondent_count", "efa(data, 5)", efa),
                                        ("check_codes", "polychoric(data)", poly)):
            print(f"  {check:17} / {guarded:17} {100 * best[check] / seconds:6.2f} %"
                  "  (target <= 5 %)")
        if r_efa is not None:
            loadings = np.load(Path(cache) / f"efa-{side}.npy")
            print(f"  psych::fa(data, 5) {r_efa['seconds']:.3f} s / efa(data, 5): "
                  f"{r_efa['seconds'] / efa:5.1f}x  (target >= 5); max |loading diff| "
                  f"{_loading_difference(loadings, np.array(r_efa['loadings'])):.1e}")
        if r_spi is not None and "polychoric(spi 60)" in best:
            ours = np.load(Path(cache) / f"spi-{side}.npy")
            print(f"  lavCor(spi 60) {r_spi['seconds']:.2f} s / polychoric: "
                  f"{r_spi['seconds'] / best['polychoric(spi 60)']:5.1f}x  (target >= 20); "
                  f"max |diff| {np.abs(ours - np.array(r_spi['correlation'])).max():.1e}")
        print(f"  validate on the pilot, first call {best['validate first call']:.2f} s"
              "  (target <= 3 s); with the HTML report written (every figure drawn) "
              f"{best['validate + to_html, first call']:.2f} s")


def _loading_difference(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Largest loading difference after matching factor order and sign (psych orders the
    factors by variance explained as we do, but a sign may flip)."""
    from itertools import permutations

    k = ours.shape[1]
    best = np.inf
    for order in permutations(range(k)):
        other = theirs[:, order]
        signs = np.sign(np.sum(ours * other, axis=0))
        best = min(best, float(np.abs(ours - other * signs).max()))
    return best


if __name__ == "__main__":
    main()
