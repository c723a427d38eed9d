"""The validation report: one call (:func:`validate`) runs every analysis of a pilot and
judges each number against its published cut-off; :class:`ValidationReport` renders the
result as one self-contained HTML page, Markdown or JSON.

Stage 5 of the workflow: uses every earlier stage, and nothing imports it but the CLI.
"""

from __future__ import annotations

from .._lazy import attach

# Public name -> the private module defining it, imported on first use (see _lazy.py).
__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "._criteria": ["Criterion"],
        "._report": ["ValidationReport"],
        "._shortform": ["shortform_report", "shortform_section"],
        "._validate": ["validate"],
    },
)
