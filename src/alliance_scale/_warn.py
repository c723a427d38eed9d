"""Warnings that point at the user's line, however deep in the library they are raised.

A fixed ``stacklevel`` names the right line only when the function that warns is called
directly by the user; the same helper called through ``omega`` or ``reliability`` would
point at library code. :func:`warn_user` walks up the stack to the first frame outside
the ``alliance_scale`` package and warns there (what ``warnings.warn(skip_file_prefixes=)``
does on Python >= 3.12, written out for older versions).
"""

from __future__ import annotations

import sys
import warnings

__all__: list[str] = []

_PACKAGE = __name__.split(".")[0]
#: Modules whose frames are never the user's: the package, and ``contextlib`` (a warning
#: re-issued when a ``with`` block of the package ends is raised from its ``__exit__``).
_SKIPPED = (_PACKAGE, "contextlib")


def user_stacklevel() -> int:
    """``stacklevel`` (for a ``warnings.warn`` called by the caller of this function) of the
    first frame outside the package."""
    frame = sys._getframe(1)  # the caller of user_stacklevel, which calls warnings.warn
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] in _SKIPPED:
        frame = frame.f_back
        level += 1
    return level


def warn_user(message: str, category: type[Warning]) -> None:
    """``warnings.warn(message, category)`` attributed to the user's line."""
    warnings.warn(message, category, stacklevel=user_stacklevel())
