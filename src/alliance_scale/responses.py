"""Reading response files (CSV, Excel, REDCap, Qualtrics) into item columns, refusing bad data."""

from __future__ import annotations

__all__ = ["read_responses", ]


def read_responses(*args, **kwargs):  # pragma: no cover - placeholder
    raise NotImplementedError("read_responses")

