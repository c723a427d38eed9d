"""Response exports written the way each platform writes them, from the survey file we
exported: the writers behind the SYNTHETIC example exports of ``data/exports/``
(``data/make_exports.py``) and the platform round-trip tests (importable as
``platform_exports``: see pytest's ``pythonpath``). Not part of the library: no platform
needs it, and the readers it feeds are what the library ships.

Each writer reads the survey structure the platform imported (our REDCap data dictionary,
LimeSurvey TSV, Qualtrics Advanced TXT), lets simulated respondents answer the statements
they see (matched by the text shown, never by our item ids), and writes the response
export in the platform's layout. The layouts follow the sources named in
tests/fixtures/responses/README.md:

- LimeSurvey: ``application/helpers/admin/export/CsvWriter.php`` (UTF-8 BOM, every field
  quoted, CRLF, a trailing blank line, comma or semicolon) and ``Writer.php`` (headings
  ``Q[SQ]`` or, with the Expression-Manager option, ``Q_SQ``; values answer codes or full
  answer texts; ``id``, ``submitdate`` empty when incomplete, ``lastpage``,
  ``startlanguage``, ``seed``);
- REDCap: "CSV (raw data)" (field names, ``<form>_complete`` 0/1/2) and "CSV (labels)"
  (field labels as headers, choice labels as values, ``Complete?``), PyCap issue #19;
- Qualtrics: CSV/TSV with 3 header rows (export tags, question texts, ImportId JSON) and
  the metadata columns of Qualtrics' export documentation; TSV in UTF-16; SPSS ``.sav``
  with value labels and -99 declared user-missing.

Every writer numbers its respondents itself unless ``ids`` gives their ids (REDCap
``record_id``, LimeSurvey ``id``, Qualtrics ``ResponseId``).
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from alliance_scale import Scale, read_qualtrics_txt

QUALTRICS_METADATA = ["StartDate", "EndDate", "Status", "IPAddress", "Progress",
                      "Duration (in seconds)", "Finished", "RecordedDate", "ResponseId",
                      "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                      "ExternalReference", "LocationLatitude", "LocationLongitude",
                      "DistributionChannel", "UserLanguage"]
QUALTRICS_TEXTS = ["Start Date", "End Date", "Response Type", "IP Address", "Progress",
                   "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
                   "Recipient Last Name", "Recipient First Name", "Recipient Email",
                   "External Data Reference", "Location Latitude", "Location Longitude",
                   "Distribution Channel", "User Language"]
QUALTRICS_STATUS_TEXT = {0: "IP Address", 1: "Survey Preview", 2: "Survey Test", 8: "Spam"}


def _shown(text: str) -> str:
    """A cell as a respondent (or a platform's text export) sees it."""
    text = html.unescape(text)
    return text[1:] if text.startswith("'") and text[1:2] in "=+-@" else text


def _answer_by_text(scale: Scale, language: str) -> dict[str, str]:
    """Item text shown -> item id (what a simulated respondent answers)."""
    return {item.text(language): item.id for item in scale.items}


# --------------------------------------------------------------------------- LimeSurvey
def limesurvey_structure(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def limesurvey_csv(
    structure: Path, answers: pd.DataFrame, scale: Scale, path: Path, *, language: str,
    heading: str = "code", values: str = "codes", separator: str = ",",
    submitted: list[bool] | None = None, lastpage: list[int] | None = None,
    ids: list[str] | None = None,
) -> Path:
    """A LimeSurvey CSV response export of ``answers`` (respondents x item ids, NaN = no
    answer) to the survey in ``structure``; ``lastpage`` is the last page each respondent
    saw (default 3 when submitted, else 1)."""
    rows = limesurvey_structure(structure)
    mine = [r for r in rows if r["language"] == language]
    by_text = _answer_by_text(scale, language)
    columns: list[tuple[str, str, dict[str, str]]] = []  # heading, item, answer texts
    version = next((_shown(r["text"]) for r in mine if r["name"] == "DTAversion"), "")
    question: dict[str, str] | None = None
    texts: dict[str, str] = {}
    for k, row in enumerate(mine):
        if row["class"] == "Q" and row["type/scale"] == "F":
            question = row
            texts = {}
            for answer in mine[k + 1:]:  # the A rows after the question are its answers
                if answer["class"] == "A":
                    texts[answer["name"]] = _shown(answer["text"])
                elif answer["class"] in ("G", "Q"):
                    break
        elif row["class"] == "SQ" and question is not None:
            code, sub = question["name"], row["name"]
            heading_text = {"code": f"{code}[{sub}]", "em": f"{code}_{sub}",
                            "full": f"{_shown(question['text'])} [{_shown(row['text'])}]"}
            columns.append((heading_text[heading], by_text[_shown(row["text"])], texts))
    n = len(answers)
    submitted = [True] * n if submitted is None else submitted
    lastpage = [3 if done else 1 for done in submitted] if lastpage is None else lastpage
    ids = [str(k + 1) for k in range(n)] if ids is None else ids
    header = ["id", "submitdate", "lastpage", "startlanguage", "seed"]
    header += [h for h, _, _ in columns] + ["DTAversion"]
    records = []
    for k in range(n):
        record = [ids[k], f"2026-03-02 10:1{k % 10}:00" if submitted[k] else "",
                  str(lastpage[k]), language, str(1000 + k)]
        for _, item, texts in columns:
            value = answers.iloc[k][item]
            if pd.isna(value):
                record.append("")
            else:
                code = str(int(value))
                record.append(code if values == "codes" else texts[code])
        record.append(version)
        records.append(record)

    def line(fields: list[str]) -> str:
        return separator.join('"' + f.replace('"', '""') + '"' for f in fields) + "\r\n"

    text = line(header) + "".join(line(r) for r in records) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


# --------------------------------------------------------------------------- REDCap
def redcap_dictionary_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _choices(cell: str) -> dict[str, str]:
    return dict(part.strip().split(", ", 1) for part in cell.split("|"))


def redcap_csv(
    dictionary: Path, answers: pd.DataFrame, scale: Scale, path: Path, *, language: str,
    headers: str = "raw", values: str = "raw", complete: list[int] | None = None,
    other_instrument: bool = False, events: bool = False, ids: list[str] | None = None,
) -> Path:
    """A REDCap "CSV (raw data)" or "CSV (labels)" export of ``answers`` to the project of
    ``dictionary``; ``other_instrument`` adds a second instrument (fields ``c5_1``,
    ``c5_2``), as a whole-project export has."""
    fields = redcap_dictionary_rows(dictionary)
    form = fields[0]["Form Name"]
    by_text = _answer_by_text(scale, language)
    record_label = _shown(fields[0]["Field Label"])
    n = len(answers)
    complete = [2] * n if complete is None else complete
    status_label = {0: "Incomplete", 1: "Unverified", 2: "Complete"}
    columns: list[tuple[str, str, list[str]]] = [("record_id", record_label,
                                                  ids or [f"{k + 101}" for k in range(n)])]
    if events:
        columns.append(("redcap_event_name", "Event Name", ["baseline_arm_1"] * n))
    if other_instrument:
        columns.append(("inclusion_date", "Inclusion date", ["2026-03-01"] * n))
    for field in fields[1:]:
        item = by_text[_shown(field["Field Label"])]
        labels = _choices(field["Choices, Calculations, OR Slider Labels"])
        cells = []
        for value in answers[item]:
            code = "" if pd.isna(value) else str(int(value))
            cells.append(code if values == "raw" or not code else _shown(labels[code]))
        columns.append((field["Variable / Field Name"], _shown(field["Field Label"]), cells))
    columns.append((f"{form}_complete", "Complete?",
                    [str(c) if values == "raw" else status_label[c] for c in complete]))
    if other_instrument:
        columns += [("c5_1", "Autre question", ["3"] * n), ("c5_2", "Encore une", ["1"] * n),
                    ("follow_up_complete", "Complete?", ["0"] * n)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([name if headers == "raw" else label for name, label, _ in columns])
    for k in range(n):
        writer.writerow([cells[k] for _, _, cells in columns])
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    return path


# --------------------------------------------------------------------------- Qualtrics
def qualtrics_file(
    survey: Path, answers: pd.DataFrame, scale: Scale, path: Path, *, language: str,
    values: str = "numeric", separator: str = ",", encoding: str = "utf-8",
    status: list[int] | None = None, finished: list[int] | None = None,
    progress: list[int] | None = None, ids: list[str] | None = None,
    embedded: Mapping[str, list[str]] | None = None,
) -> Path:
    """A Qualtrics CSV (or TSV) response export of ``answers`` to the survey of ``survey``
    (our Advanced TXT): 3 header rows, metadata columns, one column per question, then
    the ``embedded`` data fields (name -> cells), as Qualtrics exports embedded data."""
    questions = read_qualtrics_txt(survey)
    questions = questions[questions["type"].str.startswith("MC")]
    by_text = _answer_by_text(scale, language)
    n = len(answers)
    status = [0] * n if status is None else status
    finished = [1] * n if finished is None else finished
    progress = [100] * n if progress is None else progress
    ids = [f"R_{k:015d}" for k in range(n)] if ids is None else ids
    header = [*QUALTRICS_METADATA, *questions.index]
    texts = [*QUALTRICS_TEXTS, *questions["text"]]
    import_ids = [json.dumps({"ImportId": name}) for name in
                  ("startDate", "endDate", "status", "ipAddress", "progress", "duration",
                   "finished", "recordedDate", "_recordId", "recipientLastName",
                   "recipientFirstName", "recipientEmail", "externalDataReference",
                   "locationLatitude", "locationLongitude", "distributionChannel",
                   "userLanguage")]
    import_ids += [json.dumps({"ImportId": f"QID{k + 2}"}) for k in range(len(questions))]
    embedded = dict(embedded or {})
    header += list(embedded)
    texts += list(embedded)
    import_ids += [json.dumps({"ImportId": name}) for name in embedded]
    records = []
    for k in range(n):
        meta = ["2026-03-02 09:14:03", "2026-03-02 09:19:41",
                str(status[k]) if values == "numeric" else QUALTRICS_STATUS_TEXT[status[k]],
                "", str(progress[k]), "338",
                str(finished[k]) if values == "numeric" else str(bool(finished[k])),
                "2026-03-02 09:19:42", ids[k], "", "", "", "", "", "",
                "anonymous", language.upper()]
        cells = []
        for _, row in questions.iterrows():
            value = answers.iloc[k][by_text[row["text"]]]
            if pd.isna(value):
                cells.append("")
            else:
                cells.append(str(int(value)) if values == "numeric"
                             else row["choices"][int(value) - 1])
        records.append(meta + cells + [column[k] for column in embedded.values()])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerows([header, texts, import_ids, *records])
    data = buffer.getvalue()
    path.write_bytes(data.encode("utf-16") if encoding == "utf-16"
                     else b"\xef\xbb\xbf" + data.encode("utf-8"))
    return path


def qualtrics_sav(
    survey: Path, answers: pd.DataFrame, scale: Scale, path: Path, *, language: str,
    status: list[int] | None = None, finished: list[int] | None = None,
    seen_unanswered: bool = True, progress: list[int] | None = None,
    ids: list[str] | None = None, seen: pd.DataFrame | None = None,
) -> Path:
    """A Qualtrics SPSS export: tags as variable names, question texts as variable labels,
    choice texts as value labels, -99 "seen but unanswered" declared user-missing (for
    the questions ``seen``, a boolean frame shaped as ``answers``: default every one;
    unseen ones are system-missing)."""
    import pyreadstat

    questions = read_qualtrics_txt(survey)
    questions = questions[questions["type"].str.startswith("MC")]
    by_text = _answer_by_text(scale, language)
    n = len(answers)
    data = {
        "StartDate": ["2026-03-02 09:14:03"] * n,
        "Status": [float(s) for s in (status or [0] * n)],
        "Progress": [float(p) for p in (progress or [100] * n)],
        "Finished": [float(f) for f in (finished or [1] * n)],
        "ResponseId": ids or [f"R_{k:015d}" for k in range(n)],
    }
    labels = {"Status": "Response Type", "Finished": "Finished", "ResponseId": "Response ID"}
    value_labels = {"Status": {0.0: "IP Address", 1.0: "Survey Preview", 2.0: "Survey Test",
                               8.0: "Spam"},
                    "Finished": {0.0: "False", 1.0: "True"}}
    missing = {}
    for tag, row in questions.iterrows():
        item = by_text[row["text"]]
        column = answers[item].astype(float)
        if seen_unanswered:
            shown = True if seen is None else seen[item]
            column = column.mask(column.isna() & shown, -99.0)
            missing[tag] = [-99.0]
        data[tag] = column.to_numpy()
        labels[tag] = row["text"]
        value_labels[tag] = {float(k + 1): choice for k, choice in enumerate(row["choices"])}
        if seen_unanswered:
            value_labels[tag][-99.0] = "Seen but unanswered"
    frame = pd.DataFrame(data)
    pyreadstat.write_sav(frame, str(path), column_labels=labels,
                         variable_value_labels=value_labels, missing_ranges=missing)
    return path

