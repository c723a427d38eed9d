"""The validation report: one call (:func:`validate`) runs every analysis of a pilot and
judges each number against its published cut-off; :class:`ValidationReport` renders the
result as one self-contained HTML page, Markdown or JSON.

Stage 5 of the workflow: uses every earlier stage, and nothing imports it but the CLI.
"""

from __future__ import annotations

from ._criteria import Criterion
from ._report import ValidationReport
from ._validate import validate

__all__ = [
    "Criterion",
    "ValidationReport",
    "validate",
]
