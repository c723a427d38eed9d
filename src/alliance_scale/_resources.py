"""Locate the bundled ``items/`` and ``data/`` files, installed or in a source checkout.

The wheel installs the repository's ``items/`` and ``data/`` folders inside the package
(see ``pyproject.toml``); an editable install or a plain checkout finds them at the
repository root instead.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["bundled_path"]


def bundled_path(folder: str, name: str) -> Path:
    """Return the path of a bundled file, e.g. ``bundled_path("items", "blueprint.yaml")``.

    Raises
    ------
    FileNotFoundError
        If the file is neither installed with the package nor in the source checkout.
    """
    installed = Path(str(resources.files("alliance_scale"))) / folder / name
    if installed.exists():
        return installed
    checkout = Path(__file__).resolve().parents[2] / folder / name
    if checkout.exists():
        return checkout
    raise FileNotFoundError(
        f"bundled file {folder}/{name} not found (looked in {installed} and {checkout})"
    )
