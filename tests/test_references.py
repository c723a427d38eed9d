"""Every module or name the documentation refers to exists (issue #17: docstrings named
``alliance_scale.responses``, a module that does not exist)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "src").rglob("*.py"))
DOCUMENTS = [ROOT / "README.md", ROOT / "ARCHITECTURE.md", ROOT / "data" / "README.md",
             *sorted((ROOT / "data").glob("*.py")), *sorted((ROOT / "notebooks").glob("*.ipynb"))]

#: A dotted name starting with the package: ``alliance_scale.fielding._scoring.score``.
DOTTED = re.compile(r"\balliance_scale(?:\.[A-Za-z_]\w*)+")
#: A Sphinx role with a relative target: :func:`~._exports.to_qualtrics`.
RELATIVE = re.compile(r":(?:func|mod|class|data|meth|attr|exc):`~?(\.+)([A-Za-z_][\w.]*)`")
#: "import alliance_scale.x" / "from alliance_scale.x import y" in code and notebooks.
IMPORT = re.compile(r"\bfrom (alliance_scale(?:\.\w+)*) import \(?([\w, ]+)")


def resolves(reference: str) -> bool:
    """The longest importable module prefix, then attributes for the rest."""
    parts = reference.split(".")
    for k in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        for name in parts[k:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT / "src").with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def references() -> list[tuple[str, str]]:
    found = []
    for path in [*SOURCES, *DOCUMENTS]:
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(ROOT))
        found += [(where, m.group(0)) for m in DOTTED.finditer(text)]
        for module, names in IMPORT.findall(text):
            found += [(where, f"{module}.{n.strip()}") for n in names.split(",") if n.strip()]
        if path.suffix == ".py" and path.is_relative_to(ROOT / "src"):
            module = _module_name(path)
            package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
            for dots, rest in RELATIVE.findall(text):
                base = package.split(".")[:len(package.split(".")) - len(dots) + 1]
                found.append((where, ".".join([*base, rest])))
    return sorted(set(found))


def test_the_scan_finds_references() -> None:
    found = references()
    assert len(found) > 50
    assert ("src/alliance_scale/fielding/_scoring.py", "alliance_scale.read_responses") in found
    assert not resolves("alliance_scale.responses.read_responses")
    assert resolves("alliance_scale.fielding._read_common.ID_COLUMN_NAMES")


@pytest.mark.parametrize(("where", "reference"), references())
def test_documented_names_exist(where: str, reference: str) -> None:
    assert resolves(reference), f"{where} names {reference}, which does not exist"
