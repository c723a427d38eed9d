"""Content validity from expert relevance ratings: I-CVI, modified kappa, S-CVI."""

from __future__ import annotations

__all__ = ["content_validity", ]


def content_validity(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("content_validity")

