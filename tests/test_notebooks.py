"""Every notebook in notebooks/ runs top to bottom and stores no outputs (so no data); a
notebook that uses the bundled data tells its readers they are synthetic.

Plain Python, no Jupyter dependency: each notebook is read as JSON and the source of its code
cells is executed in order in one namespace, in a temporary working directory, with the
non-interactive matplotlib backend. A failing cell is reported by its number.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

#: Whole validations / notebooks / fuzzing: deselected by -m "not slow" (daily work).
pytestmark = pytest.mark.slow

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def read_notebook(path: Path) -> dict[str, Any]:
    """The notebook's JSON (nbformat 4)."""
    return json.loads(path.read_text(encoding="utf-8"))


def cell_source(cell: dict[str, Any]) -> str:
    """A cell's source as one string (nbformat stores a string or a list of lines)."""
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "no notebook found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_is_nbformat_4_without_outputs(path: Path) -> None:
    notebook = read_notebook(path)
    assert notebook["nbformat"] == 4
    cells = notebook["cells"]
    assert any(cell["cell_type"] == "markdown" for cell in cells), "no markdown cell"
    assert any(cell["cell_type"] == "code" for cell in cells), "no code cell"
    for number, cell in enumerate(cells, start=1):
        if cell["cell_type"] != "code":
            continue
        assert not cell.get("outputs"), f"cell {number} stores outputs: clear them"
        assert cell.get("execution_count") is None, f"cell {number} stores an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_using_bundled_data_says_they_are_synthetic(path: Path) -> None:
    cells = read_notebook(path)["cells"]
    code = "".join(cell_source(cell) for cell in cells if cell["cell_type"] == "code")
    text = "".join(cell_source(cell) for cell in cells if cell["cell_type"] == "markdown")
    if "load_pilot" in code or "example_export" in code:
        assert "SYNTHETIC" in text, "say in a markdown cell that the bundled data are SYNTHETIC"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    code_cells = [cell for cell in read_notebook(path)["cells"] if cell["cell_type"] == "code"]
    try:
        for number, cell in enumerate(code_cells, start=1):
            source = cell_source(cell)
            try:
                exec(compile(source, f"{path.name}, code cell {number}", "exec"), namespace)
            except Exception as error:
                pytest.fail(
                    f"{path.name}: code cell {number} raised {type(error).__name__}: {error}\n"
                    f"--- cell source ---\n{source}",
                    pytrace=False,
                )
    finally:
        plt.close("all")
