"""Command-line interface: alliance-scale draft (and later validate)."""

from __future__ import annotations

__all__ = ["main", ]


def main(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("main")

