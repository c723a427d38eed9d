"""Reliability: Cronbach's alpha with CIs, item statistics, omega, test-retest."""

from __future__ import annotations

__all__ = ["cronbach_alpha", "item_statistics", "omega", "reliability", "test_retest"]


def cronbach_alpha(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("cronbach_alpha")


def omega(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("omega")


def item_statistics(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("item_statistics")


def reliability(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("reliability")


def test_retest(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("test_retest")

