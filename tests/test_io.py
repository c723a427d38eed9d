"""Files in and out (_io): regular files only, hashed once, atomic writes, same-file test."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from alliance_scale import _io
from alliance_scale.errors import ItemBankError, OptionError, ResponseError


def _error(message: str) -> ResponseError:
    return ResponseError(message, file="f")


@pytest.mark.parametrize("kind", ["directory", "fifo", "device", "missing"])
def test_only_regular_files_are_opened(tmp_path: Path, kind: str) -> None:
    path = {"directory": tmp_path, "device": Path("/dev/zero"),
            "missing": tmp_path / "nothing.csv", "fifo": tmp_path / "pipe"}[kind]
    if kind == "fifo":
        os.mkfifo(path)  # opening it would block forever: it must not be opened
    expected = {"directory": "a directory, not a file", "fifo": "FIFO",
                "device": "a device", "missing": "no such file"}[kind]
    with pytest.raises(ResponseError, match=expected):
        _io.read_bytes(path, _error)
    with pytest.raises(ResponseError, match=expected):
        _io.file_sha256(path, _error)


def test_bytes_are_hashed_while_read(tmp_path: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 17)  # several chunks
    path = tmp_path / "data.bin"
    path.write_bytes(data)
    raw, digest = _io.read_bytes(path, _error)
    assert raw == data and digest == hashlib.sha256(data).hexdigest()
    assert _io.file_sha256(path, _error) == digest
    with pytest.raises(ResponseError, match="at most 1,000 are read"):
        _io.read_bytes(path, _error, max_bytes=1000)


def test_write_atomic_replaces_or_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text("old", encoding="utf-8")
    os.chmod(path, 0o640)
    with pytest.raises(UnicodeEncodeError):
        _io.write_atomic(path, "caf\udce9")  # a lone surrogate cannot be encoded
    assert path.read_text(encoding="utf-8") == "old"
    assert _io.write_atomic(path, "new") == path
    assert path.read_text(encoding="utf-8") == "new"
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o640)  # kept its permissions
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no temporary


def test_write_atomic_interrupted_leaves_no_partial_file(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("kept", encoding="utf-8")

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_io.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _io.write_atomic(path, "x" * 100_000)
    assert path.read_text(encoding="utf-8") == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["scores.csv"]


def test_write_atomic_through_a_symlink_writes_its_target(tmp_path: Path) -> None:
    target = tmp_path / "real.md"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    _io.write_atomic(link, "new")
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "new"


def test_same_file_follows_symlinks_and_hard_links(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("a\n", encoding="utf-8")
    (tmp_path / "soft.csv").symlink_to(data)
    os.link(data, tmp_path / "hard.csv")
    (tmp_path / "other.csv").write_text("a\n", encoding="utf-8")
    assert _io.same_file(tmp_path / "soft.csv", data)
    assert _io.same_file(tmp_path / "hard.csv", data)
    assert _io.same_file(tmp_path / "sub" / ".." / "d.csv", data)
    assert not _io.same_file(tmp_path / "other.csv", data)
    assert not _io.same_file(tmp_path / "new.csv", data)
    with pytest.raises(OptionError, match="input of this command"):
        _io.refuse_overwrite(tmp_path / "hard.csv", [None, data], OptionError)


def test_budget_and_ratio_refuse_with_the_numbers() -> None:
    with pytest.raises(ItemBankError, match=r"about 3\.0 GiB of memory; at most 2\.0 GiB"):
        _io.check_budget("a table", 3 * 1024**3, ItemBankError)
    _io.check_budget("a table", 1024**3, ItemBankError)  # within the budget: nothing
    with pytest.raises(ResponseError, match=r"1,000 times; at most 100 times"):
        _io.check_ratio(100_000, 100_000_000, _error, "the workbook")
    _io.check_ratio(10, 10_000_000, _error, "a small archive")  # below the floor: harmless


# ---------------------------------------------------------------- the library's writers
def _tiny_report(title: str):
    from alliance_scale.report._report import Figure, Section, ValidationReport

    figure = Figure(caption="A figure", svg="<svg xmlns='http://www.w3.org/2000/svg'/>",
                    name="scree")
    section = Section(key="items", title="Items", paragraphs=("text",), figures=(figure,))
    return ValidationReport(title=title, sections=(section,), criteria=(), advice=(),
                            notes=(), results={}, footer={"seed": 0})


@pytest.mark.parametrize("suffix", [".md", ".html", ".json"])
def test_a_report_that_cannot_be_encoded_leaves_the_old_one_and_no_figures(
        tmp_path: Path, suffix: str) -> None:
    """A lone surrogate (a non-UTF-8 byte of a file name) in the text: nothing written,
    the existing report kept whole (it was truncated to 0 bytes), no figures folder."""
    path = tmp_path / f"report{suffix}"
    path.write_text("the previous report", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        _tiny_report("scale r\udce9").save(path)
    assert path.read_text(encoding="utf-8") == "the previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    _tiny_report("scale").save(path)
    assert "scale" in path.read_text(encoding="utf-8")
    if suffix == ".md":
        assert (tmp_path / "report_figures" / "scree.svg").is_file()


def test_a_report_suffix_that_says_no_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match=r"print it \(it has a print layout\)"):
        _tiny_report("scale").save(tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()
    assert _tiny_report("scale").save(tmp_path / "r.txt", format="md").is_file()


def test_scales_and_exports_are_written_atomically(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from alliance_scale import draft_scale
    from alliance_scale.instrument._exports import write_export

    scale = draft_scale(items_per_facet=1)
    saved = scale.save(tmp_path / "scale.yaml")
    before = saved.read_bytes()
    export = write_export(scale, "redcap", tmp_path / "dictionary.csv")
    exported = export.read_bytes()

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_io.os, "replace", interrupted)
    for write in (lambda: draft_scale(items_per_facet=2).save(saved),
                  lambda: write_export(draft_scale(items_per_facet=2), "redcap", export)):
        with pytest.raises(KeyboardInterrupt):
            write()
    assert saved.read_bytes() == before and export.read_bytes() == exported
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dictionary.csv", "scale.yaml"]


def test_write_atomic_respects_a_read_only_file(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "kept.html"
    path.write_text("old", encoding="utf-8")
    real = os.access  # root may write anything: the permission is simulated
    monkeypatch.setattr(_io.os, "access", lambda p, mode: False if Path(p) == path
                        else real(p, mode))
    with pytest.raises(PermissionError, match="read-only"):
        _io.write_atomic(path, "new")
    assert path.read_text(encoding="utf-8") == "old"
