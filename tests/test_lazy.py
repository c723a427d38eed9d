"""Deferred imports (``_lazy.py``): the faces resolve names on first use, the heavy modules
load only where used, and pyplot gets the Agg backend only when nobody chose one.

Each check runs in a fresh interpreter (``sys.modules`` of the test process already holds
everything the other tests imported).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import alliance_scale
from alliance_scale._lazy import attach

SOURCE = Path(__file__).resolve().parents[1] / "src"
#: Modules that cost a large share of a second each and serve only some calls.
HEAVY = ("scipy.stats", "matplotlib", "statsmodels", "sklearn", "openpyxl", "pyreadstat",
         "tqdm", "threadpoolctl")
STAGES = ("instrument", "fielding", "psychometrics", "validity", "report")


def _run(code: str, **environment: str) -> str:
    """Run ``code`` in a fresh interpreter on this checkout; returns its standard output."""
    env = {name: value for name, value in os.environ.items() if name != "MPLBACKEND"}
    env.update(environment, PYTHONPATH=os.pathsep.join([str(SOURCE), env.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_import_loads_no_heavy_module_even_with_every_module_imported():
    out = _run(f"""
        import importlib, pkgutil, sys
        import alliance_scale
        from alliance_scale import *  # every public name resolved
        for info in pkgutil.walk_packages(alliance_scale.__path__, "alliance_scale."):
            importlib.import_module(info.name)
        print(sorted(m for m in sys.modules if m.split(".")[0] in {{"scipy", "matplotlib",
              "statsmodels", "sklearn", "openpyxl", "pyreadstat", "tqdm", "threadpoolctl"}}
              and any(m == h or m.startswith(h + ".") for h in {HEAVY!r})))
    """)
    assert out.strip() == "[]"


def test_bare_import_and_the_command_line_help_load_no_analysis_stack():
    out = _run("""
        import contextlib, io, sys
        import alliance_scale
        bare = sorted(m for m in sys.modules if m.split(".")[0] in {"numpy", "pandas", "scipy"})
        from alliance_scale.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["--help"]) == 0 and main(["--version"]) == 0
            assert main(["draft", "--help"]) == 0
        cli = sorted(m for m in sys.modules if m.split(".")[0] in {"numpy", "pandas", "scipy"})
        print(bare, cli)
    """)
    assert out.strip() == "[] []"


@pytest.mark.slow  # a fresh interpreter runs validate on the pilot: 5-10 s
def test_validate_loads_no_heavy_module_until_the_report_is_drawn():
    # scipy.stats alone costs about 0.3 s of validate's 3 s target (issue #17): the tail
    # probabilities come from scipy.special (psychometrics/_distributions.py), the figures
    # are drawn when the report is written
    out = _run(f"""
        import sys, warnings
        warnings.simplefilter("ignore")
        import alliance_scale as als
        als.validate(als.load_pilot(), als.draft_scale(), progress=False)
        print(sorted(m for m in sys.modules
                     if any(m == h or m.startswith(h + ".") for h in {HEAVY[:3]!r})))
    """)
    assert out.strip() == "[]"


def test_every_public_name_resolves_and_is_listed_by_dir():
    for face in [alliance_scale, *(getattr(alliance_scale, s) for s in STAGES)]:
        assert set(face.__all__) <= set(dir(face)), face.__name__
        for name in face.__all__:
            value = getattr(face, name)
            assert value is not None, (face.__name__, name)
    # the package's name and the stage's name are the same object
    assert alliance_scale.efa is alliance_scale.psychometrics.efa
    assert alliance_scale.OptionError is alliance_scale.errors.OptionError


def test_star_import_gives_every_name():
    namespace: dict = {}
    exec("from alliance_scale import *", namespace)
    assert set(alliance_scale.__all__) <= set(namespace)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="'alliance_scale' has no attribute 'nope'"):
        alliance_scale.nope  # noqa: B018
    with pytest.raises(ImportError):
        exec("from alliance_scale.fielding import nope", {})


def test_attach_caches_the_value_in_the_face():
    getattr_, dir_, all_ = attach("alliance_scale.fielding", {"._scoring": ["score"]})
    assert all_ == ["score"] and "score" in dir_()
    assert getattr_("score") is alliance_scale.fielding._scoring.score
    assert vars(alliance_scale.fielding)["score"] is alliance_scale.fielding._scoring.score


_PLOT = """
    import sys
    import alliance_scale as als
    loaded = "matplotlib" in sys.modules
    fig = als.plot_likert(als.load_pilot().iloc[:20, :3])
    import matplotlib
    print(loaded, matplotlib.get_backend().lower(), type(fig).__name__)
"""


@pytest.mark.slow
def test_a_plot_loads_matplotlib_and_chooses_agg_when_no_backend_was_chosen():
    assert _run(_PLOT).split() == ["False", "agg", "Figure"]


@pytest.mark.slow
def test_a_backend_the_user_chose_is_kept():
    assert _run(_PLOT, MPLBACKEND="svg").split() == ["False", "svg", "Figure"]
    out = _run("""
        import matplotlib
        matplotlib.use("pdf")
        import alliance_scale as als
        fig = als.plot_likert(als.load_pilot().iloc[:20, :3])
        print(matplotlib.get_backend().lower())
    """)
    assert out.strip() == "pdf"
