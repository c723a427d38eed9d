"""Exports of a Scale to Markdown, HTML and survey platforms (REDCap, LimeSurvey, Qualtrics)."""

from __future__ import annotations

__all__ = ["to_html", "to_limesurvey", "to_markdown", "to_qualtrics", "to_redcap"]


def to_markdown(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("to_markdown")


def to_html(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("to_html")


def to_redcap(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("to_redcap")


def to_limesurvey(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("to_limesurvey")


def to_qualtrics(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("to_qualtrics")


