"""The instrument's fixed vocabularies: programs, languages and export formats.

Plain tuples with no dependency, so that the command line can offer them as choices (and
answer ``--help``) without loading the analysis stack; the modules that use them import
them from here.
"""

from __future__ import annotations

__all__ = ["APPLIES_TO", "EXPORT_FORMATS", "LANGUAGES", "PROGRAMS"]

#: Kinds of program a scale is drafted for: with a human or a group ("guided"), or fully
#: automated.
PROGRAMS = ("guided", "automated")

#: Kinds of program an item applies to: one of :data:`PROGRAMS`, or both.
APPLIES_TO = (*PROGRAMS, "both")

#: Languages of the texts (French, the source, and English).
LANGUAGES = ("fr", "en")

#: Formats :func:`~alliance_scale.instrument._exports.render` (and the command line) can
#: produce.
EXPORT_FORMATS = ("markdown", "html", "redcap", "limesurvey", "qualtrics", "yaml", "json")
