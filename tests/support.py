"""Helpers shared by several test modules (importable as ``support``: see pytest's
``pythonpath`` in pyproject.toml)."""

from __future__ import annotations

from alliance_scale import ResponseFormat, Scale, ScaleItem

LABELS_FR = ("Pas du tout d'accord", "Plutôt pas d'accord", "Ni d'accord ni pas d'accord",
             "Plutôt d'accord", "Tout à fait d'accord")
LABELS_EN = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
             "Strongly agree")
#: (id, theme, facet, dimension, keyed)
ITEMS = (
    ("A1a_1", "A1a", "A1", "A", 1),
    ("A1a_2", "A1a", "A1", "A", -1),
    ("A1b_1", "A1b", "A1", "A", 1),
    ("A2a_1", "A2a", "A2", "A", 1),
    ("C1_1", "C1", "C1", "C", 1),
    ("C1_2", "C1", "C1", "C", -1),
)
ITEM_IDS = [i[0] for i in ITEMS]


def make_scale(items=ITEMS, points: int = 5) -> Scale:
    """A small hand-built Scale (draft_scale is written elsewhere)."""
    return Scale(
        name="test-dta", version="0.0.1", language="fr", program="guided",
        items=tuple(
            ScaleItem(id=i, theme=t, facet=f, dimension=d, text_fr=f"texte {i}",
                      text_en=f"text {i}", keyed=k, applies_to="both")
            for i, t, f, d, k in items
        ),
        response_format=ResponseFormat(points=points, labels_fr=LABELS_FR[:points],
                                       labels_en=LABELS_EN[:points]),
    )
