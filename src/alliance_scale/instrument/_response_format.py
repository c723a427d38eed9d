"""Response formats: the Likert anchors (4 to 7 points, French and English) and the wording
around the items in exports, both data in ``items/response_formats.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .._checks import check_choice, check_integer
from .._resources import bundled_path
from ..errors import ItemBankError
from ._item_bank import LANGUAGES
from ._yaml import load_data_file

__all__ = ["ResponseFormat", "agreement_format"]


@dataclass(frozen=True)
class ResponseFormat:
    """A Likert response format: ``points`` (4-7) codes 1..points with labels in both languages.

    Examples
    --------
    >>> fmt = als.agreement_format(4)
    >>> fmt.min_value, fmt.max_value, fmt.labels("en")[-1]
    (1, 4, 'Strongly agree')
    """

    points: int
    labels_fr: tuple[str, ...]
    labels_en: tuple[str, ...]

    @property
    def min_value(self) -> int:
        return 1

    @property
    def max_value(self) -> int:
        return self.points

    def labels(self, language: str) -> tuple[str, ...]:
        """Anchor labels in ``"fr"`` or ``"en"``, from code 1 to ``points``.

        Raises
        ------
        ItemBankError
            For any other language (no silent fall back to English).
        """
        check_choice("language", language, LANGUAGES)
        return self.labels_fr if language == "fr" else self.labels_en


@lru_cache(maxsize=4)
def _read_response_formats(path: str) -> dict[str, Any]:
    data = load_data_file(path, "yaml")
    if not isinstance(data, dict) or not isinstance(data.get("agreement"), dict):
        raise ItemBankError("expected a mapping with an 'agreement' entry", file=path)
    wording = data.get("wording")
    if not isinstance(wording, dict) or any(
        not isinstance(wording.get(language), dict)
        or not all(isinstance(v, str) for v in wording[language].values())
        for language in LANGUAGES
    ):
        raise ItemBankError("expected a 'wording' mapping of texts for each language", file=path)
    return data


def response_formats_data() -> dict[str, Any]:
    """The parsed bundled ``items/response_formats.yaml`` (anchors and export wording).

    Returns
    -------
    dict
        ``agreement`` (points -> language -> labels) and ``wording`` (language -> the
        texts around the items in exports: title, instructions, headings). Read once and
        cached: do not modify it.

    Raises
    ------
    ItemBankError
        If the file is not a mapping with an ``agreement`` entry.
    """
    return _read_response_formats(str(bundled_path("items", "response_formats.yaml")))


def agreement_format(points: int = 5) -> ResponseFormat:
    """The agreement response format with ``points`` anchors (4 to 7), in French and English.

    Labels come from ``items/response_formats.yaml``. 4-7 points is the useful range
    (Lozano, Garcia-Cueto & Muniz, 2008, Methodology 4:73-79).

    Parameters
    ----------
    points : int, default 5
        Number of anchors (response codes 1..points), an integer from 4 to 7.

    Returns
    -------
    ResponseFormat
        The codes' labels in French and English, from "strongly disagree" to "strongly
        agree".

    Raises
    ------
    ItemBankError
        If ``points`` is not an integer from 4 to 7, or if the file's labels for it are
        missing or not ``points`` long.

    Examples
    --------
    >>> als.agreement_format(5).labels("fr")[2]
    "Ni en désaccord ni d'accord"
    """
    points = check_integer("points", points, minimum=4, maximum=7)
    path = str(bundled_path("items", "response_formats.yaml"))
    entry = _read_response_formats(path)["agreement"].get(points)
    labels = {}
    for language in LANGUAGES:
        values = (entry or {}).get(language)
        if not isinstance(values, list) or len(values) != points:
            raise ItemBankError(
                f"agreement.{points}.{language} must list {points} labels", file=path
            )
        labels[language] = tuple(str(v) for v in values)
    return ResponseFormat(points=points, labels_fr=labels["fr"], labels_en=labels["en"])
