"""Factorability: KMO measure of sampling adequacy and Bartlett's test of sphericity."""

from __future__ import annotations

__all__ = ["bartlett", "kmo"]


def kmo(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("kmo")


def bartlett(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("bartlett")

