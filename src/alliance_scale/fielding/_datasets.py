"""The bundled SYNTHETIC pilot data (``data/``), loaded as DataFrames, and the example
exports made from it (``data/exports/``), located for :func:`~alliance_scale.read_responses`.

The data were simulated by :func:`alliance_scale.simulate` (no patient answered them);
``data/README.md`` is their codebook; ``data/make_pilot.py`` and ``data/make_exports.py``
regenerate them bit for bit.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .._checks import check_choice, check_flag
from .._resources import bundled_path

__all__ = ["EXAMPLE_EXPORTS", "example_export", "load_pilot"]

#: Names of the bundled example exports (:func:`example_export`), with their files.
_EXPORT_FILES = {
    "redcap_raw": "redcap_raw.csv",
    "redcap_labels": "redcap_labels.csv",
    "limesurvey_codes": "limesurvey_codes.csv",
    "limesurvey_texts": "limesurvey_texts.csv",
    "qualtrics_csv": "qualtrics_numeric.csv",
    "qualtrics_sav": "qualtrics.sav",
    "qualtrics_wai": "qualtrics_wai.csv",
}
#: The names :func:`example_export` accepts, one per platform layout.
EXAMPLE_EXPORTS = tuple(_EXPORT_FILES)


def load_pilot(*, retest: bool = False) -> pd.DataFrame:
    """Load the simulated pilot administration (or its two-week retest subsample).

    Parameters
    ----------
    retest : bool, default False
        False: ``pilot.csv``, 320 respondents x (80 items of the default drafted scale +
        ``wai_goal``, ``wai_task``, ``wai_bond``). True: ``pilot_retest.csv``, 80 of those
        respondents answering the same items two weeks later.

    Returns
    -------
    DataFrame
        Indexed by ``respondent``; item answers as floats (NaN = missing answer).

    Examples
    --------
    >>> pilot = als.load_pilot()  # SYNTHETIC data (data/README.md)
    >>> pilot.shape, list(pilot.columns[-3:])
    ((320, 83), ['wai_goal', 'wai_task', 'wai_bond'])
    >>> als.load_pilot(retest=True).shape
    (80, 80)
    """
    name = "pilot_retest.csv" if check_flag("retest", retest) else "pilot.csv"
    return pd.read_csv(bundled_path("data", name), index_col="respondent").astype(float)


def example_export(name: str) -> Path:
    """Path of a bundled SYNTHETIC example export, to try :func:`read_responses` on.

    Respondents 1-40 of the simulated pilot (:func:`load_pilot`; no patient answered them)
    answering the default drafted scale (``draft_scale()``: French, guided program,
    5 points, 80 items), written in each platform's own export layout by
    ``data/make_exports.py``. Respondents 9 and 31 left the survey early (after pages 3
    and 6 of 10): each platform marks them incomplete its own way. ``"qualtrics_wai"`` is
    the whole pilot (320 respondents) with its WAI-style scores, for a complete
    walk-through (the README's). ``data/README.md`` describes the files.

    Parameters
    ----------
    name : str
        One of :data:`EXAMPLE_EXPORTS`:

        - ``"redcap_raw"``: REDCap "CSV (raw data)" (field names, codes,
          ``<form>_complete`` 0 / 2);
        - ``"redcap_labels"``: REDCap "CSV (labels)" (field labels as headers, anchor
          labels as values, ``Complete?``);
        - ``"limesurvey_codes"``: LimeSurvey CSV, question-code headings (``DTA1[B3b1]``),
          answer codes, comma;
        - ``"limesurvey_texts"``: LimeSurvey CSV, Expression-Manager headings
          (``DTA1_B3b1``), full answer texts, semicolon;
        - ``"qualtrics_csv"``: Qualtrics CSV, numeric values, 3 header rows;
        - ``"qualtrics_sav"``: Qualtrics SPSS file (value labels, -99 "seen but
          unanswered" declared missing);
        - ``"qualtrics_wai"``: Qualtrics CSV of all 320 pilot respondents (ids
          ``R_000000000000001``...), numeric values, the WAI-style scores as embedded data
          fields ``wai_goal``, ``wai_task``, ``wai_bond``; respondents 9, 31 and 157 left
          after pages 3, 6 and 9 (``Finished`` 0, ``Progress`` 30, 60, 90).

    Returns
    -------
    Path
        The file, installed with the package or in the source checkout (``data/exports/``).

    Raises
    ------
    OptionError
        An unknown ``name`` (the known ones are listed).

    Examples
    --------
    >>> path = als.example_export("redcap_raw")  # SYNTHETIC (data/README.md)
    >>> path.name
    'redcap_raw.csv'
    >>> responses = als.read_responses(path, als.draft_scale())
    >>> report = responses.attrs["read_report"]
    >>> report.source, report.rows, report.status_counts
    ('redcap', 40, (('complete', 38), ('incomplete', 2)))
    >>> whole = als.read_responses(als.example_export("qualtrics_wai"), als.draft_scale())
    >>> len(whole), whole["status"].value_counts().to_dict()
    (320, {'complete': 317, 'incomplete': 3})
    >>> whole[["wai_goal", "wai_task", "wai_bond"]].mean().round(2).tolist()
    [3.92, 3.96, 3.9]
    """
    check_choice("name", name, EXAMPLE_EXPORTS)
    return bundled_path("data", f"exports/{_EXPORT_FILES[name]}")
