""".gitignore covers what the notebooks and the README's examples write when run in place
(issue #17): running them must leave ``git status`` clean."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: What running the three notebooks wrote (measured: run in a scratch folder, then listed).
NOTEBOOK_OUTPUTS = ["dta_build/dta_short.yaml", "dta_build/dta_short_redcap.csv",
                    "dta_field/colleague.xlsx", "dta_field/colleague.csv", "dta_report.html",
                    "dta_report_figures/loadings.png"]


def _ignored(path: str) -> bool:
    run = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr  # 128: not a git checkout
    return run.returncode == 0


#: Calls whose first argument, a plain string, is a path the notebooks create in the
#: working folder (``Path("dta_build")``, ``report.to_html("dta_report.html")``).
_WRITERS = {"Path", "to_html", "to_markdown", "to_json", "save", "to_csv", "to_excel",
            "savefig", "to_redcap", "to_limesurvey", "to_qualtrics"}


def _notebook_names() -> list[str]:
    """Paths relative to the working folder that the notebooks' code creates."""
    names = set()
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            for node in ast.walk(ast.parse("".join(cell["source"]))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                first = node.args[0]
                if (name in _WRITERS and isinstance(first, ast.Constant)
                        and isinstance(first.value, str)):
                    names.add(first.value.rstrip("/"))
    return sorted(names)


def test_the_notebooks_name_their_outputs() -> None:
    assert {"dta_build", "dta_field", "dta_report.html"} <= set(_notebook_names())


@pytest.mark.parametrize("name", sorted({*NOTEBOOK_OUTPUTS, *_notebook_names()}))
@pytest.mark.parametrize("folder", ["notebooks/", ""])
def test_notebook_outputs_are_ignored_in_place_and_at_the_root(folder: str, name: str) -> None:
    path = folder + name + ("" if "." in name else "/any_file")  # a folder: a file in it
    assert _ignored(path), f"{path} is not in .gitignore"


@pytest.mark.parametrize("name", ["dta_report.html", "dta.yaml", "dta.txt",
                                  "dta_dictionary.csv", "export.csv", "scores.csv",
                                  "report.html", "report.json", ".hypothesis/examples/x"])
def test_readme_outputs_are_ignored(name: str) -> None:
    assert _ignored(name)


def test_sources_are_not_ignored() -> None:
    for path in ("notebooks/02_field_and_score.ipynb", "data/exports/qualtrics_wai.csv",
                 "README.md", "src/alliance_scale/__init__.py"):
        assert not _ignored(path), path
