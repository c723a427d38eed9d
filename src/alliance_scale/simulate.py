"""Simulated administrations from a known model (factors, loadings, thresholds, WAI scores)."""

from __future__ import annotations

__all__ = ["simulate", ]


def simulate(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("simulate")

