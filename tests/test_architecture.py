"""The layout's rules (ARCHITECTURE.md), checked on the source: stages, faces, imports."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import sys
from pathlib import Path

import tomllib

import alliance_scale

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "alliance_scale"
STAGES = ("instrument", "fielding", "psychometrics", "validity", "design", "report")
#: What each stage may import from the others (later stages build on earlier ones;
#: psychometrics is the generic numerics every stage may use).
ALLOWED = {
    "psychometrics": set(),
    "instrument": set(),
    "fielding": {"instrument", "psychometrics"},
    "validity": {"instrument", "fielding", "psychometrics"},
    "design": {"instrument", "fielding", "psychometrics", "validity"},
    "report": {"instrument", "fielding", "psychometrics", "validity", "design"},
}


def _modules() -> dict[str, Path]:
    return {
        ".".join(path.relative_to(SOURCE.parent).with_suffix("").parts).removesuffix(
            ".__init__"
        ): path
        for path in SOURCE.rglob("*.py")
    }


def _internal_imports(name: str, path: Path) -> set[str]:
    """Modules of the package imported by ``name`` (absolute dotted names)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(_runtime_tree(path)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("alliance_scale"):
                found.add(target)
                found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("alliance_scale"))
    return found


def _runtime_tree(path: Path) -> ast.Module:
    """The module's syntax tree without ``if TYPE_CHECKING:`` blocks (annotations only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            node.body = [
                child for child in body
                if not (isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test))
            ] or [ast.Pass()]
    return tree


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def test_stages_import_only_earlier_stages():
    modules = _modules()
    wrong = []
    for name, path in modules.items():
        stage = _stage(name)
        if stage is None:
            continue
        for target in _internal_imports(name, path):
            other = _stage(target)
            if other is not None and other != stage and other not in ALLOWED[stage]:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_no_import_cycles_between_modules():
    modules = _modules()
    graph = {
        name: {t for t in _internal_imports(name, path) if t in modules and t != name}
        for name, path in modules.items()
    }
    # a package's __init__ importing its own private modules is the face, not a cycle
    graph = {n: {t for t in ts if not (t.startswith(n + ".") and modules[n].name == "__init__.py")}
             for n, ts in graph.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*trail[trail.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_modules_inside_stages_are_private_and_faces_reexport_them():
    for stage in STAGES:
        folder = SOURCE / stage
        if not folder.exists():
            continue
        public = [p.name for p in folder.glob("*.py")
                  if p.name != "__init__.py" and not p.name.startswith("_")]
        assert public == [], f"{stage}: modules behind the face must be private"
        face = importlib.import_module(f"alliance_scale.{stage}")
        contributed = set()
        for info in pkgutil.iter_modules(face.__path__):
            module = importlib.import_module(f"alliance_scale.{stage}.{info.name}")
            contributed |= set(getattr(module, "__all__", []))
        assert set(face.__all__) == contributed, stage


def test_the_package_reexports_every_stage_and_the_errors():
    expected = {"__version__"} | set(importlib.import_module("alliance_scale.errors").__all__)
    for stage in STAGES:
        if (SOURCE / stage).exists():
            expected |= set(importlib.import_module(f"alliance_scale.{stage}").__all__)
    assert set(alliance_scale.__all__) == expected
    assert len(alliance_scale.__all__) == len(expected)  # no name twice


def test_runtime_dependencies_are_what_the_source_imports():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {re.split(r"[<>=!~ \[]", d)[0].lower().replace("-", "_")
                for d in project["dependencies"]}
    #: Optional run-time extras, imported only inside the function that uses them.
    optional = {re.split(r"[<>=!~ \[]", d)[0].lower().replace("-", "_")
                for d in project["optional-dependencies"]["dask"]}
    distribution = {"yaml": "pyyaml"}
    #: Used through another library rather than imported: pandas.read_excel's engine.
    indirect = {"openpyxl"}
    imported = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(_runtime_tree(path)):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and not node.level
                     else [])
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "alliance_scale":
                    imported.add(distribution.get(top, top).lower())
    assert (imported - optional) | (indirect & declared) == declared
    assert imported & optional == optional


def test_today_s_public_names_still_import():
    """The names public before the reshaping (issue #8) keep working from the package."""
    before = """APPLIES_TO BORDIN AllianceScaleError AllianceScaleWarning AlphaResult AnalysisError
    BartlettResult Blueprint CarelessResult CongruenceResult ContentValidityResult Dimension
    EFAResult Facet HeywoodWarning Item ItemBank ItemBankError KMOResult MAPResult
    NotPositiveDefiniteWarning OmegaResult ParallelAnalysisResult PolychoricResult
    ReliabilityResult ResponseError ResponseFormat Scale ScaleItem ScoreResult SimulationResult
    TestRetestResult Theme __version__ bartlett careless congruence content_validity
    cronbach_alpha draft_scale efa extract_factors item_statistics kmo load_blueprint
    load_item_bank load_pilot map_test omega parallel_analysis polychoric read_qualtrics_txt
    read_responses reliability score score_items simulate simulate_retest test_retest""".split()
    assert [name for name in before if name not in alliance_scale.__all__] == []
