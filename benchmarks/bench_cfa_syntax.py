"""Time the lavaan-syntax parser and the parameter table on large models, against lavaan.

The model: one factor over ``n`` items plus ``n`` residual covariances (``x2 ~~ x1`` ...),
so ``2n`` statements. Measured in the same run: ``parse_model`` + ``build_model`` (best of
``--repeats``) for ``n`` = 1,000, 5,000 and 10,000, the time per statement (linear parsing
keeps it flat; the quadratic merge of earlier versions took 16 s at 10,000 statements), and,
when ``Rscript`` is on PATH, ``lavaan::lavaanify`` on the same text and the ratio.

Usage::

    python benchmarks/bench_cfa_syntax.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from alliance_scale.psychometrics._cfa._model import build_model
from alliance_scale.psychometrics._cfa._syntax import parse_model

try:
    from ._common import best_of, have_r, run_r
except ImportError:  # run as a script: its folder is on sys.path
    from _common import best_of, have_r, run_r

R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
model <- paste(readLines(extra[1]), collapse = "\n")
finish(list(seconds = seconds(lavaanify(model, auto = TRUE))))
"""


def model_text(n: int) -> str:
    return ("f =~ " + " + ".join(f"x{i}" for i in range(n)) + "\n"
            + "\n".join(f"x{i + 1} ~~ x{i}" for i in range(n - 1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{'statements':>10} {'ours (s)':>9} {'us/stmt':>8} {'lavaanify (s)':>13} {'ratio':>6}")
    for n in (1_000, 5_000, 10_000):
        text = model_text(n)
        ours = best_of(lambda text=text: build_model(parse_model(text)), args.repeats)
        theirs = float("nan")
        if have_r():
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "model.lav"
                path.write_text(text)
                theirs = run_r(R_SCRIPT, None, str(path))["seconds"]
        print(f"{2 * n - 1:>10} {ours:>9.3f} {1e6 * ours / (2 * n - 1):>8.1f} "
              f"{theirs:>13.3f} {theirs / ours:>6.1f}")


if __name__ == "__main__":
    main()
