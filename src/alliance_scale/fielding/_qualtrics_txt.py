"""Read back a Qualtrics Advanced TXT survey file (the format :meth:`Scale.to_qualtrics`
writes and Qualtrics imports): the questions, their export tags, choices, blocks and pages.

Qualtrics publishes the format only as a description (no parser exists as a library), so
the few lines of parsing are hand-written; they check that an exported scale reads back
to the same ids and texts.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pandas as pd

from .._checks import check_instance
from ..errors import ItemBankError

__all__ = ["read_qualtrics_txt"]

_TAG = re.compile(r"^\[\[([A-Za-z]+)(?::(.*))?\]\]$")

#: Tags that belong to the question before them (Qualtrics Advanced Format).
_QUESTION_PARTS = frozenset({"ID", "Choices", "AdvancedChoices", "Choice", "Answers",
                             "AdvancedAnswers", "Answer"})


def read_qualtrics_txt(path: str | Path) -> pd.DataFrame:
    """Read the questions of a Qualtrics Advanced TXT file.

    Parameters
    ----------
    path : str or Path
        The file (UTF-8, with or without a byte-order mark), e.g. written by
        :func:`to_qualtrics`.

    Returns
    -------
    DataFrame
        One row per question, indexed by its ``[[ID:...]]`` tag (``Q<n>`` when absent), with
        columns ``type`` (e.g. ``MC:SingleAnswer:Horizontal``), ``text`` (HTML unescaped),
        ``choices`` (tuple of labels), ``block`` and ``page`` (1-based, counting page breaks).

    Raises
    ------
    ItemBankError
        If the file does not start with ``[[AdvancedFormat]]``, or if a question's parts
        (``[[ID:...]]``, ``[[Choices]]``, ``[[Answers]]``...) come before any
        ``[[Question:...]]`` (the line is named).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> scale = als.draft_scale(items_per_facet=1, language="en")
    >>> path = scale.to_qualtrics(pathlib.Path(tempfile.mkdtemp()) / "dta.txt")
    >>> questions = read_qualtrics_txt(path)
    >>> questions.loc[scale.item_ids[0], "type"]
    'MC:SingleAnswer:Horizontal'
    >>> int(questions["page"].max())  # 9 items, 8 per page
    2
    """
    path = Path(check_instance("path", path, (str, Path)))
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ItemBankError(f"cannot read the file ({reason})", file=str(path)) from error
    if not lines or lines[0].strip() != "[[AdvancedFormat]]":
        raise ItemBankError("not a Qualtrics Advanced TXT file (no [[AdvancedFormat]])",
                            file=str(path))
    questions: list[dict[str, Any]] = []
    block, page, mode = "", 1, "none"
    for number, raw in enumerate(lines[1:], 2):
        line = raw.strip()
        tag = _TAG.match(line)
        name, value = (tag.group(1), tag.group(2)) if tag else ("", None)
        if name in _QUESTION_PARTS and not questions:
            raise ItemBankError(f"line {number}: [[{name}]] comes before any [[Question:...]] "
                                "(a question's export tag, choices and answers follow it)",
                                file=str(path))
        if name == "Question":
            questions.append({"id": f"Q{len(questions) + 1}", "type": value or "", "text": [],
                              "choices": [], "block": block, "page": page})
            mode = "text"
        elif name == "ID":
            questions[-1]["id"] = value
        elif name in ("Choices", "AdvancedChoices", "Answers", "AdvancedAnswers"):
            mode = "choices" if "Choices" in name else "answers"
        elif name == "Choice":
            mode = "choices"
        elif name == "PageBreak":
            page, mode = page + 1, "none"
        elif name == "Block":
            block, mode = value or "", "none"
        elif tag:
            mode = "none"
        elif line and mode == "text":
            questions[-1]["text"].append(line)
        elif line and mode == "choices":
            questions[-1]["choices"].append(html.unescape(line))
    for question in questions:
        question["text"] = html.unescape(" ".join(question["text"]))
        question["choices"] = tuple(question["choices"])
    columns = ["id", "type", "text", "choices", "block", "page"]
    return pd.DataFrame(questions, columns=columns).set_index("id")
