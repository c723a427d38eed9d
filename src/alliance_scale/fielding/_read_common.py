"""What every response reader shares: the table as read from a file, the plan a platform
layout makes of it, label normalisation and column matching.

A response file is read in two steps. A *container* reader (:mod:`._read_table` for text and
Excel, :mod:`._read_spss` for SPSS/Stata, or a DataFrame) gives a :class:`Table`: the header
row, a preview of the next rows and a way to load the data. A *layout* (plain CSV, REDCap,
Qualtrics, LimeSurvey: one private module each) then makes a :class:`Plan`: which columns
are which items, which are the respondent ids, which row is a header row, how the
completion status is read. The dispatcher (:mod:`._responses`) applies the plan.

Hand-written: label matching must survive what spreadsheets and platforms do to text
(typographic apostrophes, macOS decomposed accents, non-breaking spaces, HTML entities),
which no library call does in one step; column matching is one dictionary look-up per
column so that reading stays linear in the number of columns.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import OptionError, ResponseError

if TYPE_CHECKING:
    from ..instrument._scale import Scale

__all__: list[str] = []

#: Completion statuses a respondent can have (``"unknown"``: the file does not say).
STATUSES = ("complete", "incomplete", "unverified", "preview", "test", "spam", "unknown")
STATUS_COLUMN = "status"
PROGRESS_COLUMN = "progress"
PROBLEMS_COLUMN = "problems"
#: Name of a DataFrame in messages.
DATAFRAME = "<DataFrame>"
#: Usual respondent-id column names, searched (case-insensitively, in this order) in a plain
#: CSV or Excel file read without ``id_column``; the first one found is the id column.
ID_COLUMN_NAMES = ("respondent", "respondent_id", "participant", "participant_id", "id",
                   "record_id", "ResponseId", "subject")

_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u02bc\u02b9\u2032\u00b4\u0060"})
_SPACES = re.compile(r"\s+")
_FORMULA_PREFIX = re.compile(r"\A'(?=[=+\-@])")


def normalise_label(text: object) -> str:
    """A label as compared with the scale's texts: HTML entities decoded, NFKC (composed
    accents, non-breaking and thin spaces as spaces), typographic apostrophes folded to
    ``'``, spaces collapsed, case folded; a ``'`` that neutralised a formula dropped.

    Examples
    --------
    >>> typed = "Tout\\u00a0à fait d\\u2019accord "
    >>> normalise_label(typed) == normalise_label("tout à fait d'accord")
    True
    >>> normalise_label("Plutôt".replace("ô", "o\\u0302")) == normalise_label("plutôt")
    True
    """
    text = unicodedata.normalize("NFKC", html.unescape(str(text))).translate(_APOSTROPHES)
    text = _FORMULA_PREFIX.sub("", text.strip())
    return _SPACES.sub(" ", text).strip().casefold()


def text_lookup(texts: Mapping[str, str]) -> dict[str, str]:
    """Normalised text -> key, leaving out texts shared by two keys (ambiguous)."""
    found: dict[str, str] = {}
    ambiguous: set[str] = set()
    for key, text in texts.items():
        normal = normalise_label(text)
        if not normal:
            continue
        if found.setdefault(normal, key) != key:
            ambiguous.add(normal)
    return {k: v for k, v in found.items() if k not in ambiguous}


def item_texts(scale: Scale) -> dict[str, dict[str, str]]:
    """Per language, normalised item text -> item id (texts shared by two items left out)."""
    return {language: text_lookup({i.id: i.text(language) for i in scale.items})
            for language in ("fr", "en")}


@dataclass
class Table:
    """A response table as read by a container reader.

    ``header`` is the first header row (stripped text); ``preview`` the next two rows as
    text (Qualtrics' question texts and ImportIds, when present); ``labels`` per-column
    labels a container carries (SPSS variable labels); ``value_labels`` SPSS value labels
    by column position; ``load(skip, text_columns)`` returns the data (positional integer
    columns, the first ``skip`` data rows dropped, ``text_columns`` read as text) and the
    row labels used in messages; ``formulas`` (Excel) maps a column position to the mask
    of its formula cells (data rows, before ``skip``) and ``formula_texts`` their formulas;
    ``names`` the original column labels of a DataFrame (kept for its metadata columns);
    ``sha256`` the SHA-256 of a file's bytes (set by the dispatcher, ``""`` for a DataFrame).
    """

    file: str
    container: str
    description: str
    header: list[str]
    preview: list[list[str]]
    load: Callable[[int, set[int]], tuple[pd.DataFrame, pd.Index]]
    labels: list[str] | None = None
    value_labels: dict[int, dict[float, str]] = field(default_factory=dict)
    formulas: dict[int, np.ndarray] = field(default_factory=dict)
    formula_texts: dict[int, list[str]] = field(default_factory=dict)
    names: list[object] | None = None
    sha256: str = ""


StatusReader = Callable[[Mapping[int, pd.Series], pd.Index], tuple[np.ndarray, np.ndarray]]


@dataclass
class Plan:
    """What a layout makes of a :class:`Table` (see the module docstring)."""

    source: str
    reason: str
    items: dict[int, str]
    matched_by: str
    ids: list[int] = field(default_factory=list)
    id_inferred: bool = False
    skip: int = 0
    status: StatusReader | None = None
    status_columns: list[int] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)
    minus_99_missing: bool = False
    version_column: int | None = None


def lower_lookup(header: list[str]) -> dict[str, int]:
    """Lower-cased column name -> first position."""
    found: dict[str, int] = {}
    for position, name in enumerate(header):
        found.setdefault(name.strip().lower(), position)
    return found


def mapped_columns(
    header: list[str], columns: Mapping[str, str] | Callable[[str], object] | None,
    scale: Scale, file: str,
) -> dict[int, str]:
    """Positions renamed to item ids by the user's ``columns=`` (a mapping or a callable).

    Raises
    ------
    OptionError
        ``columns`` of another type, or naming an item the scale does not have.
    ResponseError
        A mapping key that is not a column of the file.
    """
    if columns is None:
        return {}
    known = set(scale.item_ids)
    found: dict[int, str] = {}
    if isinstance(columns, Mapping):
        where = {name: position for position, name in enumerate(header)}
        for name, item in columns.items():
            if str(name) not in where:
                raise ResponseError(f"columns= names {str(name)!r}, which is not a column of "
                                    "the data", file=file, column=str(name))
            found[where[str(name)]] = _item_named(item, known, str(name))
        return found
    if not callable(columns):
        raise OptionError("columns must be a mapping {file column: item id} or a function "
                          f"of a column name, got {type(columns).__name__}")
    for position, name in enumerate(header):
        item = columns(name)
        if item is not None:
            found[position] = _item_named(item, known, name)
    return found


def _item_named(item: object, known: set[str], column: str) -> str:
    if not isinstance(item, str) or item not in known:
        raise OptionError(f"columns= maps column {column!r} to {item!r}, which is not an "
                          "item of the scale")
    return item


def _assign(found: dict[int, str], owner: dict[str, int], position: int, item: str,
            header: list[str], file: str) -> None:
    """Record that column ``position`` holds ``item``, refusing an item in two columns."""
    if item in owner and owner[item] != position:
        first = owner[item]
        raise ResponseError(f"item {item!r} appears in two columns ({header[first]!r} and "
                            f"{header[position]!r})", file=file, column=header[position])
    found[position] = item
    owner[item] = position


def _text_candidates(text: str) -> list[str]:
    """A column's text and its parts that may be the item text: after the last ``" - "``
    (Qualtrics matrix rows: ``question - statement``) and inside the last brackets
    (LimeSurvey full headings: ``question [subquestion]``)."""
    candidates = [text]
    if " - " in text:
        candidates.append(text.rsplit(" - ", 1)[1])
    bracket = re.search(r"\[([^\[\]]+)\]\s*\Z", text)
    if bracket:
        candidates.append(bracket.group(1))
    return candidates


def match_items(
    header: list[str],
    scale: Scale,
    columns: Mapping[str, str] | Callable[[str], object] | None,
    file: str,
    *,
    decode: Callable[[str], str | None] | None = None,
    texts: list[str] | None = None,
) -> tuple[dict[int, str], str]:
    """Column positions of the items, and how they were matched.

    In this order: the user's ``columns=``; column names equal to item ids ignoring case;
    ``decode(name)`` (a platform's own naming, e.g. LimeSurvey's ``DTA1[A1a1]``); then, for
    the items still missing, ``texts`` (one per column: REDCap labels, Qualtrics question
    texts, SPSS variable labels) compared with the item texts of the language that matches
    most columns, after :func:`normalise_label`. One dictionary look-up per column.
    """
    found = mapped_columns(header, columns, scale, file)
    owner = {item: position for position, item in found.items()}
    if len(owner) != len(found):
        repeated = next(i for i in found.values() if list(found.values()).count(i) > 1)
        raise OptionError(f"columns= maps two columns to item {repeated!r}")
    how = ["columns="] if found else []
    by_lower = {i.lower(): i for i in scale.item_ids}
    named = False
    for position, name in enumerate(header):
        if position in found:
            continue
        item = by_lower.get(name.strip().lower())
        if item is None and decode is not None:
            item = decode(name)
        if item is not None:
            _assign(found, owner, position, item, header, file)
            named = True
    if named:
        how.append("column names")
    if texts is not None and len(owner) < len(scale.items):
        lookups = item_texts(scale)
        normal = [[normalise_label(c) for c in _text_candidates(t)] if t else []
                  for t in texts]

        def hits(language: str) -> int:
            return sum(any(c in lookups[language] for c in cs) for cs in normal)

        language = max(("fr", "en"), key=hits)
        matched = False
        for position, candidates in enumerate(normal):
            if position in found:
                continue
            item = next((lookups[language][c] for c in candidates if c in lookups[language]),
                        None)
            if item is not None and item not in owner:
                _assign(found, owner, position, item, header, file)
                matched = True
        if matched:
            how.append(f"item texts ({language})")
    return found, " and ".join(how) or "nothing"


def missing_items(found: dict[int, str], scale: Scale, file: str, hint: str = "",
                  header: list[str] | None = None) -> None:
    """Refuse a table without every item of the scale (``hint`` says what to try); with
    ``header``, the message names the file's columns that were not recognised, and the
    expected item id closest to each (difflib), e.g. ``'B3b_l' (did you mean B3b_1?)``."""
    have = set(found.values())
    missing = [i for i in scale.item_ids if i not in have]
    if missing and not have and not hint:
        hint = ("; no column is named by an item id: pass columns={file column: item id} "
                "(or a function), or the platform's source=")
    if missing:
        unrecognised = "" if header is None else _unrecognised(header, found, missing)
        raise ResponseError(
            f"{len(missing)} item column(s) of scale {scale.name!r} missing: "
            + ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
            + unrecognised + hint,
            file=file, column=missing[0],
        )


#: Columns looked at for a close item id in a message (difflib is quadratic in text length).
_SUGGESTED_COLUMNS = 2000


def closest_id(name: str, ids: list[str]) -> str | None:
    """The item id closest to a column name (difflib ratio at least 0.6, case ignored)."""
    import difflib  # imported here: only messages need it

    lowered = {i.lower(): i for i in ids}
    match = difflib.get_close_matches(name.strip().lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def _unrecognised(header: list[str], found: dict[int, str], missing: list[str]) -> str:
    """``; columns not recognised: 'B3b_l' (did you mean B3b_1?), 'age', ...``."""
    others = [name for position, name in enumerate(header) if position not in found and name]
    if not others:
        return "; every column of the file was recognised"
    suggested = [(name, closest_id(name, missing)) for name in others[:_SUGGESTED_COLUMNS]]
    close = [(name, item) for name, item in suggested if item is not None]
    far = [name for name, item in suggested if item is None]
    shown = [f"{name!r} (did you mean {item}?)" for name, item in close[:10]]
    shown += [repr(name) for name in far[:max(0, 10 - len(shown))]]
    rest = len(others) - len(shown)
    return (f"; column(s) of the file not recognised as items: {', '.join(shown)}"
            + (f" and {rest:,} more" if rest > 0 else ""))


_ITEM_SHAPE = re.compile(r"\A([A-Za-z])\d+[A-Za-z]?_\d+\Z")


def item_like(name: str, scale: Scale, letters: set[str] | None = None) -> bool:
    """A column shaped like an item of the scale (``<letter><digits>[letter]_<digits>``,
    starting with the letter of one of its items), e.g. ``A1a_9``; Qualtrics default tags
    such as ``Q9`` or ``Q3_4`` are not, unless the scale has items starting with Q.
    ``letters``: the items' first letters, lower-cased (computed when not given)."""
    match = _ITEM_SHAPE.match(name.strip())
    if letters is None:
        letters = {i[0].lower() for i in scale.item_ids}
    return bool(match) and match.group(1).lower() in letters


def refuse_unknown_items(header: list[str], found: dict[int, str], scale: Scale, file: str,
                         positions: range | None = None) -> None:
    """Refuse a column that looks like an item but is not in the scale (another version, or
    a typo: the closest expected id is suggested)."""
    known = {i.lower() for i in scale.item_ids}
    letters = {i[0].lower() for i in scale.item_ids}
    for position in positions if positions is not None else range(len(header)):
        name = header[position]
        if position not in found and name.strip().lower() not in known and item_like(
                name, scale, letters):
            have = set(found.values())
            missing = [i for i in scale.item_ids if i not in have]
            guess = closest_id(name, missing or list(scale.item_ids))
            raise ResponseError(
                f"column looks like an item but is not in scale {scale.name!r} "
                f"(version {scale.version}); "
                + (f"did you mean {guess}? " if guess else "")
                + "was the file fielded with another version?",
                file=file, column=name,
            )


def as_text(series: pd.Series) -> np.ndarray:
    """Values as stripped text (object array, None for missing): numbers without a spurious
    ``.0`` (``1001.0`` -> ``"1001"``), so ids read from Excel or SPSS stay what was typed."""
    if pd.api.types.infer_dtype(series) in ("string", "empty"):
        stripped = series.astype(object).str.strip()
        return stripped.where(stripped.notna() & (stripped != ""), None).to_numpy(dtype=object)
    values = series.to_numpy(dtype=object, na_value=None)
    out = np.empty(len(values), dtype=object)
    for k, value in enumerate(values):
        out[k] = _one_text(value)
    return out


def _one_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def map_distinct(series: pd.Series, function: Callable[[object], object]) -> np.ndarray:
    """``function`` of every value (None for a missing one), computed once per distinct
    value (``pandas.factorize``): status columns of 300,000 rows cost a few look-ups."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = np.array([function(u) for u in uniques] + [function(None)], dtype=object)
    return mapped[np.where(codes < 0, len(uniques), codes)]
