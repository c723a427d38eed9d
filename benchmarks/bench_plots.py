"""Time every plot of issue #13 on the bundled 80-item pilot, drawn to a PNG in memory.

Data: ``load_pilot()`` (320 respondents x 80 five-point items, 9 facets) and the analyses
the plots draw (parallel analysis with 20 iterations, a 9-factor minres + oblimin EFA, the
alpha of one facet, the correlation matrix, facet and WAI-style scores), computed once
outside the timings. Each figure is built and saved as a 100 dpi PNG to memory (what a
report or a notebook pays), best of 3, then closed; the target is about 1 s a plot. The
CPU time of the process is printed too: on a machine shared with other work it is the
fairer figure. When
Rscript is on PATH, psych's own drawings of the same objects are timed in R on a png()
device (``corPlot`` of the 80 x 80 correlations with and without numbers, ``fa.diagram``
of the same 9-factor solution). Usage::

    python benchmarks/bench_plots.py [--repeats 3]
"""

from __future__ import annotations

import io
import time
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import alliance_scale as als

try:
    from ._common import best_of, command_line, have_r, run_r
except ImportError:  # run as a script: its folder is on sys.path
    from _common import best_of, command_line, have_r, run_r

R_SCRIPT = r"""
suppressPackageStartupMessages(library(psych))
r <- cor(data, use = "pairwise")
f <- fa(r, 9, n.obs = nrow(data), fm = "minres", rotate = "oblimin")
file <- tempfile(fileext = ".png")
draw <- function(expr) { png(file, width = 1000, height = 2000); expr; invisible(dev.off()) }
cor_plot <- seconds(draw(corPlot(r, numbers = FALSE, main = "")))
cor_numbers <- seconds(draw(corPlot(r, numbers = TRUE, main = "")))
diagram <- seconds(draw(fa.diagram(f)))
finish(list(cor_plot = cor_plot, cor_numbers = cor_numbers, diagram = diagram))
"""


def _facet_model(loadings: pd.DataFrame, facets: pd.Series) -> pd.DataFrame:
    """A CFA-like solution: each item keeps its loading on its facet's factor only."""
    factors = sorted(facets.unique())
    model = pd.DataFrame(0.0, index=loadings.index, columns=factors)
    for item in loadings.index:
        model.loc[item, facets[item]] = round(float(np.abs(loadings.loc[item]).max()), 2)
    return model


def _cpu_seconds(function) -> float:
    """CPU time of one call (other work on a shared machine does not count)."""
    started = time.process_time()
    function()
    return time.process_time() - started


def main() -> None:
    args = command_line(__doc__.splitlines()[0], repeats=3)
    pilot, scale = als.load_pilot(), als.draft_scale()
    items = pilot[scale.item_ids]
    facets = scale.to_frame()["facet"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parallel = als.parallel_analysis(items, n_iter=20, seed=1)
        fit = als.efa(items, 9, rotation="oblimin")
    keys = scale.keys["A2"]
    alpha = als.cronbach_alpha(pilot[[k.lstrip("-") for k in keys]],
                               reverse=[k[1:] for k in keys if k.startswith("-")])
    scores = als.score(pilot, scale).scores[["A", "B", "C", "total"]]
    wai = pilot[["wai_goal", "wai_task", "wai_bond"]]
    block = pd.concat([scores, wai], axis=1).corr()
    model = _facet_model(fit.loadings, facets)
    phi = pd.DataFrame(0.3, index=model.columns, columns=model.columns)
    second = pd.DataFrame(0.0, index=model.columns, columns=["A", "B", "C"])
    for factor in model.columns:
        second.loc[factor, factor[0]] = 0.8
    plots = {
        "plot_scree (80 eigenvalues, PC + FA)": lambda: als.plot_scree(parallel),
        "plot_loadings (80 x 9, phi)": lambda: als.plot_loadings(fit, groups=facets),
        "plot_loadings (80 x 9, phi, show_small)": lambda: als.plot_loadings(
            fit, groups=facets, show_small=True),
        "plot_likert (80 items, 5 points)": lambda: als.plot_likert(
            items, labels=scale.response_format.labels_en),
        "plot_item_total (14 items)": lambda: als.plot_item_total(alpha),
        "plot_correlations (80 x 80, by facet)": lambda: als.plot_correlations(
            items.corr(), groups=facets),
        "plot_correlations (13 scores, numbers)": lambda: als.plot_correlations(
            als.score(pilot, scale).scores.corr()),
        "plot_mtmm (4 x 3)": lambda: als.plot_mtmm(
            block, traits_x=list(wai), traits_y=list(scores),
            hypothesised={"C": "wai_bond", "B": ["wai_task", "wai_bond"]}),
        "plot_path_diagram (80 items, 9 factors, 36 arcs)": lambda: als.plot_path_diagram(
            model, factor_correlations=phi),
        "plot_path_diagram (+ 3 second-order factors)": lambda: als.plot_path_diagram(
            model, second_order=second),
    }

    def drawn(make):
        figure = make()
        figure.savefig(io.BytesIO(), format="png", dpi=100)
        plt.close(figure)

    print(f"Build + 100 dpi PNG in memory, best of {args.repeats} (target ~1 s each); "
          "wall clock, then CPU time of this process (the same on an idle machine):")
    for name, make in plots.items():
        wall = best_of(lambda make=make: drawn(make), args.repeats)
        cpu = min(_cpu_seconds(lambda make=make: drawn(make)) for _ in range(args.repeats))
        print(f"  {name}: {wall:.2f} s (CPU {cpu:.2f} s)")
    if not have_r():
        print("Rscript not found: psych's drawings not timed")
        return
    r = run_r(R_SCRIPT, items)
    print(f"psych::corPlot(80 x 80) {r['cor_plot']:.2f} s, with numbers "
          f"{r['cor_numbers']:.2f} s; psych::fa.diagram(9 factors) {r['diagram']:.2f} s "
          "(png device, one run each)")


if __name__ == "__main__":
    main()
