"""The reading options' fixed vocabularies: what ``source=`` and ``errors=`` accept.

Plain tuples with no dependency, so that the command line can offer them as choices (and
answer ``--help``) without loading the analysis stack; the readers import them from here.
"""

from __future__ import annotations

__all__: list[str] = []

#: What ``source=`` accepts: decide, a container read with the plain layout, or a platform.
SOURCES = ("auto", "csv", "excel", "spss", "redcap", "qualtrics", "limesurvey")
#: What to do with an invalid answer: refuse the data, or set it to missing and flag the row.
ERRORS = ("raise", "flag")
