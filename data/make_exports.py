"""Write the SYNTHETIC example exports of data/exports/ bit for bit: ``python make_exports.py``.

The first 40 respondents of the SYNTHETIC pilot (``data/pilot.csv``, ids 1-40; no patient
answered them) answer the default drafted scale (``draft_scale()``: French, guided program,
5 points, 80 items on 10 pages of 8) as REDCap, LimeSurvey and Qualtrics would export their
answers. The survey each platform imported is the one the library exports
(``Scale.to_redcap``, ``to_limesurvey``, ``to_qualtrics``, written to a temporary folder);
the writers of ``data/platform_exports.py`` answer it by the item texts shown and write the
platform's layout. Two respondents left before the end (:data:`LEFT_EARLY`): their answers
stop after the pages they saw and each platform marks them incomplete in its own way.
A seventh file, ``qualtrics_wai.csv``, is the whole pilot (320 respondents) as a Qualtrics
CSV export whose embedded data fields hold the WAI-style goal, task and bond scores, three
of its respondents incomplete (:data:`WAI_LEFT_EARLY`): the walk-through of the README runs
on it. See data/README.md for the files. ``build(folder)`` writes them into ``folder`` (the
tests compare its bytes with the committed files).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from platform_exports import limesurvey_csv, qualtrics_file, qualtrics_sav, redcap_csv

from alliance_scale import ITEMS_PER_PAGE, Scale, draft_scale

HERE = Path(__file__).resolve().parent
FOLDER = HERE / "exports"
N_RESPONDENTS = 40
#: Respondent id -> pages seen before leaving the survey (8 items a page).
LEFT_EARLY = {9: 3, 31: 6}
#: The same for the whole-pilot Qualtrics export with WAI columns (``qualtrics_wai.csv``).
WAI_LEFT_EARLY = {9: 3, 31: 6, 157: 9}
WAI_COLUMNS = ("wai_goal", "wai_task", "wai_bond")
LANGUAGE = "fr"
#: Creation date and time written in the .sav header (ReadStat stamps the writing time).
SAV_STAMP = b"02 Mar 26" + b"10:30:00"


def fielded_answers(scale: Scale, last: int = N_RESPONDENTS,
                    left_early: dict[int, int] = LEFT_EARLY) -> pd.DataFrame:
    """The pilot's answers of respondents 1-``last`` as fielded: the respondents who left
    early have no answer after the last page they saw."""
    pilot = pd.read_csv(HERE / "pilot.csv", index_col="respondent")
    answers = pilot.loc[1:last, scale.item_ids].astype(float)
    for respondent, pages in left_early.items():
        answers.loc[respondent, scale.item_ids[pages * ITEMS_PER_PAGE:]] = np.nan
    return answers


def qualtrics_wai(scale: Scale, survey: Path, path: Path) -> Path:
    """The whole pilot as a Qualtrics CSV export (numeric values): three respondents
    incomplete, the WAI-style scores as embedded data fields (as the pilot has them)."""
    pilot = pd.read_csv(HERE / "pilot.csv", index_col="respondent", dtype=str)
    answers = fielded_answers(scale, len(pilot), WAI_LEFT_EARLY)
    pages = [WAI_LEFT_EARLY.get(int(r), len(scale.items) // ITEMS_PER_PAGE)
             for r in answers.index]
    return qualtrics_file(
        survey, answers, scale, path, language=LANGUAGE,
        finished=[int(int(r) not in WAI_LEFT_EARLY) for r in answers.index],
        progress=[round(100 * p * ITEMS_PER_PAGE / len(scale.items)) for p in pages],
        ids=[f"R_{int(r):015d}" for r in answers.index],
        embedded={column: pilot[column].tolist() for column in WAI_COLUMNS})


def _stamp_sav(path: Path) -> None:
    """Replace the writing time in an SPSS file's header (bytes 92-108: creation date
    ``dd Mon yy`` and time ``hh:mm:ss``) by :data:`SAV_STAMP`."""
    data = bytearray(path.read_bytes())
    if data[:4] != b"$FL2":
        raise ValueError(f"{path} is not an SPSS .sav file")
    data[92:109] = SAV_STAMP
    path.write_bytes(bytes(data))


def build(folder: Path) -> list[Path]:
    """Write the seven example exports into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    scale = draft_scale()
    answers = fielded_answers(scale)
    left = [int(respondent) in LEFT_EARLY for respondent in answers.index]
    pages = [LEFT_EARLY.get(int(r), len(scale.items) // ITEMS_PER_PAGE) for r in answers.index]
    progress = [round(100 * p * ITEMS_PER_PAGE / len(scale.items)) for p in pages]
    ids = [str(respondent) for respondent in answers.index]
    response_ids = [f"R_{respondent:015d}" for respondent in answers.index]
    common = {"language": LANGUAGE}
    with tempfile.TemporaryDirectory() as survey_folder:
        surveys = Path(survey_folder)
        dictionary = scale.to_redcap(surveys / "dictionary.csv")
        structure = scale.to_limesurvey(surveys / "survey.txt")
        qualtrics = scale.to_qualtrics(surveys / "qualtrics.txt")
        complete = [0 if gone else 2 for gone in left]
        written = [
            redcap_csv(dictionary, answers, scale, folder / "redcap_raw.csv", **common,
                       complete=complete, ids=ids),
            redcap_csv(dictionary, answers, scale, folder / "redcap_labels.csv", **common,
                       headers="labels", values="labels", complete=complete, ids=ids),
            limesurvey_csv(structure, answers, scale, folder / "limesurvey_codes.csv",
                           **common, submitted=[not gone for gone in left], lastpage=pages,
                           ids=ids),
            limesurvey_csv(structure, answers, scale, folder / "limesurvey_texts.csv",
                           **common, heading="em", values="texts", separator=";",
                           submitted=[not gone for gone in left], lastpage=pages, ids=ids),
            qualtrics_file(qualtrics, answers, scale, folder / "qualtrics_numeric.csv",
                           **common, finished=[int(not gone) for gone in left],
                           progress=progress, ids=response_ids),
            qualtrics_wai(scale, qualtrics, folder / "qualtrics_wai.csv"),
        ]
        seen = pd.DataFrame(
            [[k < p * ITEMS_PER_PAGE for k in range(len(scale.items))] for p in pages],
            index=answers.index, columns=scale.item_ids)
        sav = qualtrics_sav(qualtrics, answers, scale, folder / "qualtrics.sav", **common,
                            finished=[int(not gone) for gone in left], progress=progress,
                            ids=response_ids, seen=seen)
    _stamp_sav(sav)
    return [*written, sav]


def main() -> None:
    for path in build(FOLDER):
        print(f"wrote {path.relative_to(HERE.parent)} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
