"""The reading options' fixed vocabularies: what ``source=`` and ``errors=`` accept.

Plain tuples with no dependency, so that the command line can offer them as choices (and
answer ``--help``) without loading the analysis stack; the readers import them from here.
"""

from __future__ import annotations

__all__: list[str] = []

#: Containers ``source="auto"`` decides from the file's first bytes and suffix; text and
#: Excel are read with the plain layout when named, SPSS and Stata with the layout detected.
CONTAINERS = ("csv", "excel", "spss", "stata")
#: Platform layouts, in the order ``source="auto"`` tries them.
LAYOUTS = ("qualtrics", "limesurvey", "redcap")
#: What ``source=`` accepts (and the command line's ``--source`` lists): decide, a
#: container, or a platform: every choice ``"auto"`` can make, from the two lists above.
SOURCES = ("auto", *CONTAINERS, *LAYOUTS)
#: What to do with an invalid answer: refuse the data, or set it to missing and flag the row.
ERRORS = ("raise", "flag")
