"""Placeholder: printed summary (written below)."""
from __future__ import annotations


def summary_text(result) -> str:  # noqa: ANN001
    return repr(result)
