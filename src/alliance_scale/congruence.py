"""Tucker congruence of EFA factors with the blueprint and item retention advice."""

from __future__ import annotations

__all__ = ["congruence", ]


def congruence(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("congruence")

