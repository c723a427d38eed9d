"""Reading back a Qualtrics Advanced TXT file: refusals of malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from alliance_scale import ItemBankError, read_qualtrics_txt


@pytest.mark.parametrize("tag", ["[[Choices]]", "[[ID:A1a_1]]", "[[Answers]]",
                                 "[[AdvancedChoices]]", "[[Choice:1]]"])
def test_a_question_part_before_any_question_is_refused_with_its_line(
        tmp_path: Path, tag: str) -> None:
    path = tmp_path / "survey.txt"
    path.write_text(f"[[AdvancedFormat]]\n\n{tag}\nAgree\nDisagree\n", encoding="utf-8")
    with pytest.raises(ItemBankError, match=r"survey\.txt.*line 3: \[\[") as caught:
        read_qualtrics_txt(path)
    assert "before any [[Question" in str(caught.value)


def test_a_block_and_a_page_break_before_the_first_question_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "survey.txt"
    path.write_text("[[AdvancedFormat]]\n[[Block:B]]\n[[PageBreak]]\n"
                    "[[Question:MC]]\n[[ID:Q9]]\nHow?\n[[Choices]]\nYes\nNo\n", encoding="utf-8")
    questions = read_qualtrics_txt(path)
    assert questions.loc["Q9"].tolist() == ["MC", "How?", ("Yes", "No"), "B", 2]
