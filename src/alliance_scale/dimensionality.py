"""Number of factors: Horn's parallel analysis and Velicer's MAP."""

from __future__ import annotations

__all__ = ["map_test", "parallel_analysis"]


def parallel_analysis(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("parallel_analysis")


def map_test(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("map_test")

