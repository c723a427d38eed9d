"""Polychoric correlations (two-step, global thresholds) as psych::polychoric."""

from __future__ import annotations

__all__ = ["polychoric", ]


def polychoric(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("polychoric")

