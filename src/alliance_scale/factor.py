"""Exploratory factor analysis (minres, ml, pa) with rotations, fit and scores, as psych::fa."""

from __future__ import annotations

__all__ = ["efa", ]


def efa(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("efa")

