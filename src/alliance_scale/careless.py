"""Careless-responding indices: longstring, IRV, reverse-item inconsistency, Mahalanobis."""

from __future__ import annotations

__all__ = ["careless", ]


def careless(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("careless")

