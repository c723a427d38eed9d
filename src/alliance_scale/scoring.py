"""Scoring of item responses into scale scores (psych::scoreItems conventions)."""

from __future__ import annotations

__all__ = ["score", "score_items"]


def score_items(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("score_items")


def score(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("score")

