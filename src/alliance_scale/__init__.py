"""alliance-scale: build and validate a questionnaire of the digital therapeutic alliance.

The package follows the workflow, one subpackage per stage (see ``ARCHITECTURE.md``):

- :mod:`.instrument`: the blueprint (thematic tree), the bilingual item bank, drafted
  scales and their exports to REDCap, LimeSurvey and Qualtrics;
- :mod:`.fielding`: read response exports, score them, screen careless respondents,
  simulate administrations with a known truth (and the bundled synthetic pilot);
- :mod:`.psychometrics`: generic numerics on DataFrames matching R psych (correlations,
  factorability, number of factors, EFA and rotations, reliability coefficients);
- :mod:`.validity`: the scale against its blueprint (content validity, congruence,
  reliability of every subscale, test-retest);
- :mod:`.design`: the next study's design from a Scale and a pilot (short forms);
- :mod:`.cli`: the ``alliance-scale`` command.

Every public name is importable from here (``import alliance_scale as als; als.efa``).
Errors derive from :class:`AllianceScaleError`; results are frozen dataclasses with
``to_frame()``.
"""

from __future__ import annotations

from . import design, errors, fielding, instrument, psychometrics, report, validity
from ._lazy import attach

__version__ = "0.1.0"

# The errors' and every stage's public names, each imported on first use (see _lazy.py):
# the stages' faces are cheap to import, the analysis stack behind them loads when a name
# is read, so ``import alliance_scale`` and ``alliance-scale --help`` stay fast.
__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        f".{module.__name__.rpartition('.')[2]}": module.__all__
        for module in (errors, instrument, fielding, psychometrics, validity, design, report)
    },
)
__all__ = ["__version__", *__all__]
