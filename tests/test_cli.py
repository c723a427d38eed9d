"""The alliance-scale command line (draft)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from alliance_scale import AllianceScaleWarning, Scale, draft_scale, read_qualtrics_txt
from alliance_scale.cli import main


def test_default_prints_the_bundled_scale_in_markdown(capsys: pytest.CaptureFixture) -> None:
    assert main(["draft"]) == 0
    out = capsys.readouterr().out
    scale = draft_scale()
    assert out.startswith("# ") and out == scale.to_markdown()
    assert all(f"`{item_id}`" in out for item_id in scale.item_ids)


def test_options_are_passed_on(capsys: pytest.CaptureFixture) -> None:
    assert main(["draft", "--language", "en", "--points", "7", "--items-per-facet", "2",
                 "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert out == draft_scale(language="en", points=7, items_per_facet=2, seed=3).to_markdown()
    assert "7 = Strongly agree" in out


@pytest.mark.parametrize("fmt", ["markdown", "html", "redcap", "limesurvey", "qualtrics",
                                 "yaml", "json"])
def test_every_format_writes_a_file(tmp_path: Path, fmt: str,
                                    capsys: pytest.CaptureFixture) -> None:
    suffix = {"markdown": ".md", "html": ".html", "redcap": ".csv", "yaml": ".yaml",
              "json": ".json"}.get(fmt, ".txt")
    path = tmp_path / f"scale{suffix}"
    assert main(["draft", "--items-per-facet", "2", "--format", fmt, "--output",
                 str(path)]) == 0
    assert "wrote" in capsys.readouterr().err
    scale = draft_scale(items_per_facet=2)
    if fmt in ("yaml", "json"):
        assert Scale.load(path) == scale
    elif fmt == "qualtrics":
        questions = read_qualtrics_txt(path)
        assert [q for q in questions.index if q != "instructions"] == scale.item_ids
    elif fmt == "redcap":
        with path.open(encoding="utf-8", newline="") as handle:
            assert len(list(csv.reader(handle))) == len(scale.items) + 2
    elif fmt == "limesurvey":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    else:
        assert scale.item_ids[0] in path.read_text("utf-8") or fmt == "html"
        assert scale.items[0].text_fr.split()[0] in path.read_text("utf-8")


def test_automated_program_warns_on_one_line(capsys: pytest.CaptureFixture) -> None:
    assert main(["draft", "--program", "automated"]) == 0
    err = capsys.readouterr().err
    assert "alliance-scale: warning:" in err and "C2" in err


@pytest.mark.parametrize("argv", [["--help"], ["draft", "--help"]])
def test_help(argv: list[str], capsys: pytest.CaptureFixture) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "draft" in out
    if "draft" in argv:
        assert "--items-per-facet" in out and "--format" in out


@pytest.mark.parametrize("argv", [["draft", "--points", "9"], ["draft", "--format", "spss"],
                                  [], ["nonsense"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture) -> None:
    assert main(argv) == 2
    assert "usage" in capsys.readouterr().err


def test_library_error_is_one_line_exit_2(capsys: pytest.CaptureFixture) -> None:
    assert main(["draft", "--items-per-facet", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("alliance-scale: error:") and "items_per_facet" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.slow
def test_console_module_runs_in_a_subprocess() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "alliance_scale.cli", "draft", "--program", "automated",
         "--language", "en", "--items-per-facet", "1"],
        capture_output=True, text=True, encoding="utf-8", check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "Strongly agree" in run.stdout
    assert "alliance-scale: warning:" in run.stderr and "Traceback" not in run.stderr


def test_unwritable_output_is_one_line_exit_2(tmp_path: Path,
                                              capsys: pytest.CaptureFixture) -> None:
    target = tmp_path / "no" / "such" / "dir" / "scale.md"
    assert main(["draft", "--output", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("alliance-scale: error:") and "scale.md" in err
    assert len(err.strip().splitlines()) == 1


# --------------------------------------------------------------------------- score
@pytest.fixture
def saved_scale(tmp_path: Path) -> Path:
    from support import make_scale

    return make_scale().save(tmp_path / "fielded.yaml")


def test_score_reads_any_platform_and_writes_scores_with_status(
        saved_scale: Path, fixtures_dir: Path, capsys: pytest.CaptureFixture) -> None:
    data = fixtures_dir / "responses" / "qualtrics_utf16.tsv"
    assert main(["score", str(data), "--scale", str(saved_scale)]) == 0
    captured = capsys.readouterr()
    assert "as qualtrics (UTF-16 text, tab-separated" in captured.err
    assert "complete 1, incomplete 1, preview 1, spam 1" in captured.err
    lines = captured.out.splitlines()
    assert lines[0].split(",")[:3] == ["ResponseId", "A1", "A2"]
    assert "status" in lines[0] and len(lines) == 5
    assert lines[2].split(",")[0] == "R_2b3c4d5e6f7g8h9" and ",preview," in lines[2]


def test_score_keep_complete_and_output_file(saved_scale: Path, fixtures_dir: Path,
                                             tmp_path: Path,
                                             capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "scores.csv"
    data = fixtures_dir / "responses" / "limesurvey_codes.csv"
    assert main(["score", str(data), "--scale", str(saved_scale), "--keep", "complete",
                 "-o", str(out)]) == 0
    assert "excluded by --keep complete: 1" in capsys.readouterr().err
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [row[0] for row in rows[1:]] == ["1", "2", "4"]


def test_score_neutralises_ids_that_a_spreadsheet_would_run(saved_scale: Path, tmp_path: Path,
                                                            capsys) -> None:
    data = tmp_path / "r.csv"
    data.write_text("respondent,A1a_1,A1a_2,A1b_1,A2a_1,C1_1,C1_2\n"
                    '"=HYPERLINK(""http://x"")",4,2,5,4,5,1\n', encoding="utf-8")
    assert main(["score", str(data), "--scale", str(saved_scale)]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith('"\'=HYPERLINK(')


@pytest.mark.parametrize(("argv", "fragment"), [
    (["score", "absent.csv"], "no such file"),
    (["score", "{fixtures}/plain.csv", "--scale", "{fixtures}/plain.csv"], ".yaml"),
    (["score", "{fixtures}/plain.csv", "--keep", "complete", "--scale", "{scale}"],
     "needs a completion status"),
])
def test_score_bad_input_is_one_line_exit_2(argv: list[str], fragment: str,
                                            saved_scale: Path, fixtures_dir: Path,
                                            capsys: pytest.CaptureFixture) -> None:
    argv = [a.format(fixtures=fixtures_dir / "responses", scale=saved_scale) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("alliance-scale: error:") and fragment in err
    assert len(err.strip().splitlines()) == 1


def test_score_help_lists_the_sources(capsys: pytest.CaptureFixture) -> None:
    assert main(["score", "--help"]) == 0
    out = capsys.readouterr().out
    assert "limesurvey" in out and "--keep" in out


# --------------------------------------------------------------------------- simulate, validate
def test_version(capsys: pytest.CaptureFixture) -> None:
    assert main(["--version"]) == 0
    version = __import__("alliance_scale").__version__
    assert capsys.readouterr().out.strip() == f"alliance-scale {version}"


def test_simulate_writes_integer_codes_and_the_criterion(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    scale = draft_scale(items_per_facet=2)
    saved = scale.save(tmp_path / "s.yaml")
    out = tmp_path / "sim.csv"
    assert main(["simulate", "--scale", str(saved), "-n", "30", "--seed", "4", "-o", str(out)]) == 0
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 30 and rows[0]["respondent"] == "1"
    assert {row[scale.item_ids[0]] for row in rows} <= {"1", "2", "3", "4", "5"}
    assert {"wai_goal", "wai_task", "wai_bond"} <= set(rows[0])
    expected = __import__("alliance_scale").simulate(scale, 30, seed=4).data
    assert [float(r[scale.item_ids[1]]) for r in rows] == expected[scale.item_ids[1]].tolist()
    assert "SYNTHETIC" in capsys.readouterr().err


@pytest.mark.slow
def test_validate_writes_a_report_from_a_file(tmp_path: Path,
                                              capsys: pytest.CaptureFixture) -> None:
    scale = draft_scale(items_per_facet=3, language="en")
    saved = scale.save(tmp_path / "s.json")
    data = tmp_path / "sim.csv"
    assert main(["simulate", "--scale", str(saved), "-n", "250", "--seed", "2", "-o",
                 str(data)]) == 0
    report = tmp_path / "out.json"
    capsys.readouterr()
    code = main(["validate", str(data), "--scale", str(saved), "--report", str(report),
                 "--holdout", "0.5", "--seed", "1", "--quiet"])
    assert code == 0
    # --quiet: no progress or summary; only criteria that could not be judged or a sample
    # below what an analysis needs (125 respondents explore 27 items: 135 needed)
    err = capsys.readouterr().err.splitlines()
    assert err and all(": not met: Sample size: " in line or ": not testable: " in line
                       for line in err)
    parsed = __import__("json").loads(report.read_text(encoding="utf-8"))
    keys = [section["key"] for section in parsed["sections"]]
    assert {"reliability", "efa", "cfa", "convergent"} <= set(keys)
    assert parsed["footer"]["seed"] == 1


@pytest.mark.parametrize(("argv", "fragment"), [
    (["validate", "missing.csv"], "no such file"),
    (["validate", "--holdout", "2"], "holdout"),
    (["validate", "--criterion", "nope"], "criterion"),
])
def test_validate_bad_input_is_one_line_exit_2(argv: list[str], fragment: str,
                                               capsys: pytest.CaptureFixture) -> None:
    assert main([*argv, "--quiet"]) == 2
    error = capsys.readouterr().err.strip()
    assert fragment in error and "Traceback" not in error and len(error.splitlines()) == 1


# --------------------------------------------------------------------------- issues #17, #18
def _one_line_error(capsys: pytest.CaptureFixture, *fragments: str) -> str:
    err = capsys.readouterr().err
    assert err.startswith("alliance-scale: error:"), err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err
    return err


@pytest.fixture
def data_file(tmp_path: Path, fixtures_dir: Path) -> Path:
    path = tmp_path / "d.csv"
    path.write_bytes((fixtures_dir / "responses" / "plain.csv").read_bytes())
    return path


@pytest.fixture
def refuse_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any computation is a failure: the output paths must be refused before it."""
    import alliance_scale.cli as cli

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed before checking the output path")

    import alliance_scale.fielding as fielding
    import alliance_scale.instrument as instrument
    import alliance_scale.report as report

    # the commands import the analysis stack when they run (a fast --help): patch its faces
    monkeypatch.setattr(cli, "_load_scale", forbidden)
    for module, name in ((report, "validate"), (fielding, "read_responses"),
                         (fielding, "simulate"), (instrument, "draft_scale")):
        monkeypatch.setattr(module, name, forbidden)


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "dotted"])
def test_an_output_that_is_an_input_is_refused_and_the_input_kept(
        how: str, data_file: Path, saved_scale: Path, tmp_path: Path, refuse_work: None,
        capsys: pytest.CaptureFixture) -> None:
    before = data_file.read_bytes()
    scale_before = saved_scale.read_bytes()
    out = {"same": data_file, "symlink": tmp_path / "link.csv",
           "hardlink": tmp_path / "hard.csv",
           "dotted": tmp_path / "sub" / ".." / "d.csv"}[how]
    report = {"same": data_file.with_suffix(".html"), "symlink": tmp_path / "link.html",
              "hardlink": tmp_path / "hard.html", "dotted": tmp_path / "d.html"}[how]
    if how == "symlink":
        out.symlink_to(data_file)
        report.symlink_to(data_file)
    elif how == "hardlink":
        os.link(data_file, out)
        os.link(data_file, report)
    elif how == "same":
        os.link(data_file, report)
    elif how == "dotted":
        (tmp_path / "sub").mkdir()
        os.link(data_file, report)
    assert main(["score", str(data_file), "--scale", str(saved_scale), "-o", str(out)]) == 2
    _one_line_error(capsys, "is an input of this command")
    assert main(["validate", str(data_file), "--scale", str(saved_scale), "--report",
                 str(report)]) == 2
    _one_line_error(capsys, "is an input of this command")
    scale_link = tmp_path / "scale_link.csv"
    scale_link.symlink_to(saved_scale)
    assert main(["simulate", "--scale", str(saved_scale), "-o", str(scale_link)]) == 2
    _one_line_error(capsys, "is an input of this command")
    assert main(["validate", str(data_file), "--retest", str(data_file), "--scale",
                 str(saved_scale), "--report", str(report)]) == 2
    _one_line_error(capsys, "is an input")
    assert data_file.read_bytes() == before and saved_scale.read_bytes() == scale_before


@pytest.mark.parametrize(("argv", "fragments"), [
    (["validate", "--report", "/missing/dir/r.html"], ["folder /missing/dir does not exist"]),
    (["validate", "--report", "{tmp}/r.pdf"], ["'.pdf'", "print it from a browser"]),
    (["validate", "--report", "{tmp}/r.md", "--format", "html"], ["contradicts the suffix"]),
    (["validate", "--report", "{tmp}/d.csv"], ["cannot tell the report format"]),
    (["validate", "--report", "{tmp}"], ["cannot tell"]),
    (["validate", "--report", "{tmp}/folder.html"], ["a directory, not a file"]),
    (["validate", "--report", "{tmp}/locked/r.html"], ["is not writable"]),
    (["validate", "--report", "{tmp}/locked.html"], ["the file is read-only"]),
    (["draft", "-o", "{tmp}/scale.pdf"], ["'.pdf'", ".yaml", ".tsv"]),
    (["draft", "-o", "{tmp}/scale.yaml", "--format", "markdown"], ["contradicts"]),
    (["draft", "-o", "{tmp}/scale"], ["(none)"]),
    (["score", "{tmp}/d.csv", "-o", "{tmp}/scores.xlsx"], ["'.xlsx'", ".csv"]),
    (["score", "{tmp}/d.csv", "-o", "/missing/scores.csv"], ["does not exist"]),
    (["simulate", "-o", "{tmp}/sim.json"], ["'.json'"]),
    (["simulate", "-o", "{tmp}/null.csv"], ["a device"]),
])
def test_output_paths_are_checked_before_any_computation(
        argv: list[str], fragments: list[str], tmp_path: Path, data_file: Path,
        refuse_work: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "folder.html").mkdir()
    (tmp_path / "locked").mkdir()
    (tmp_path / "null.csv").symlink_to("/dev/null")
    (tmp_path / "locked.html").write_text("kept", encoding="utf-8")
    if "locked" in " ".join(argv):  # (root may write anywhere: the permission is simulated)
        real = os.access
        monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path).name in
                            ("locked", "locked.html") else real(path, mode))
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    _one_line_error(capsys, *fragments)


@pytest.mark.parametrize(("suffix", "check"), [
    (".yaml", "scale"), (".yml", "scale"), (".json", "scale"), (".md", "# "),
    (".html", "<!DOCTYPE html"), (".csv", "Variable / Field Name"), (".tsv", "class\t"),
    (".txt", "[[AdvancedFormat]]"),
])
def test_draft_infers_the_format_from_the_suffix(suffix: str, check: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / f"dta{suffix}"
    assert main(["draft", "--items-per-facet", "1", "-o", str(path)]) == 0
    capsys.readouterr()
    if check == "scale":  # the case: the file is then usable as --scale
        assert Scale.load(path) == draft_scale(items_per_facet=1)
        assert main(["simulate", "--scale", str(path), "-n", "3"]) == 0
    else:
        assert check in path.read_text(encoding="utf-8-sig")[:2000]


def test_limesurvey_can_be_written_to_a_txt_when_asked(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "survey.txt"
    assert main(["draft", "--format", "limesurvey", "-o", str(path)]) == 0
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and "limesurvey" in capsys.readouterr(
        ).err


@pytest.mark.parametrize("where", ["data", "scale", "retest"])
@pytest.mark.parametrize("kind", ["directory", "device", "fifo"])
def test_inputs_that_are_not_regular_files_are_refused_by_name(
        where: str, kind: str, tmp_path: Path, data_file: Path, saved_scale: Path,
        capsys: pytest.CaptureFixture) -> None:
    path = {"directory": tmp_path, "device": Path("/dev/zero"), "fifo": tmp_path / "p.csv"}[
        kind]
    if kind == "fifo":
        os.mkfifo(path)
    argv = {"data": ["score", str(path), "--scale", str(saved_scale)],
            "scale": ["score", str(data_file), "--scale", str(path)],
            "retest": ["validate", str(data_file), "--scale", str(saved_scale), "--retest",
                       str(path), "--report", str(tmp_path / "r.json"), "--quiet"]}[where]
    assert main(argv) == 2
    _one_line_error(capsys, {"directory": "a directory, not a file", "device": "a device",
                             "fifo": "a pipe"}[kind])


def test_source_lists_every_layout_auto_can_decide(capsys: pytest.CaptureFixture) -> None:
    from alliance_scale.fielding._responses import SOURCES

    for command in ("score", "validate"):
        assert main([command, "--help"]) == 0
        out = " ".join(capsys.readouterr().out.split())
        assert "{" + ",".join(SOURCES) + "}" in out and "stata" in SOURCES


def test_a_simulation_too_large_is_refused_at_once(capsys: pytest.CaptureFixture) -> None:
    assert main(["simulate", "-n", "2000000000"]) == 2
    _one_line_error(capsys, "2,000,000,000 respondents", "GiB")


def test_ctrl_c_exits_130_with_one_line_and_no_partial_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    import alliance_scale.fielding as fielding
    import alliance_scale.report as report_stage

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(report_stage, "validate", interrupted)
    report = tmp_path / "r.html"
    assert main(["validate", "--report", str(report), "--quiet"]) == 130
    assert capsys.readouterr().err == "alliance-scale: interrupted\n"
    assert not report.exists()
    monkeypatch.setattr(fielding, "simulate", lambda *a, **k: (_ for _ in ()).throw(MemoryError))
    assert main(["simulate", "-n", "10"]) == 2
    _one_line_error(capsys, "out of memory")


def test_ctrl_c_says_interrupted_last_and_no_resource_warning(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    """A read cut by Ctrl-C leaves its file to the garbage collector: Python ignores that
    ResourceWarning by default, so does the command line, and "interrupted" stays the last
    line after the warnings gathered before the interrupt (a race seen once in CI)."""
    import warnings

    import alliance_scale.report as report_stage

    def interrupted(*args: object, **kwargs: object) -> None:
        warnings.warn("unclosed file <_io.BufferedReader name='x.csv'>", ResourceWarning,
                      stacklevel=1)
        warnings.warn("a statistical warning", AllianceScaleWarning, stacklevel=1)
        raise KeyboardInterrupt

    monkeypatch.setattr(report_stage, "validate", interrupted)
    assert main(["validate", "--quiet"]) == 130
    assert capsys.readouterr().err.splitlines() == [
        "alliance-scale: warning: a statistical warning", "alliance-scale: interrupted"]


@pytest.mark.slow
def test_sigint_in_a_running_validate_exits_130_without_a_traceback(tmp_path: Path) -> None:
    import signal

    report = tmp_path / "r.html"
    run = subprocess.Popen(
        [sys.executable, "-m", "alliance_scale.cli", "validate", "--report", str(report)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, encoding="utf-8")
    first = run.stderr.readline()  # printed once the command runs (imports done)
    assert "validating the bundled SYNTHETIC pilot" in first
    run.send_signal(signal.SIGINT)
    rest = run.stderr.read()
    assert run.wait(timeout=60) == 130
    assert rest.strip().splitlines()[-1] == "alliance-scale: interrupted"
    assert "Traceback" not in rest and not report.exists()
    assert [p.name for p in tmp_path.iterdir()] == []


@pytest.mark.slow
def test_validate_strict_exits_1_and_not_testable_criteria_reach_stderr(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """Fewer respondents than items: the factor analyses are not testable, said on stderr
    even with --quiet; --strict turns any criterion not met or not testable into exit 1."""
    scale = draft_scale(items_per_facet=2, language="en")
    saved = scale.save(tmp_path / "s.json")
    data = tmp_path / "sim.csv"
    assert main(["simulate", "--scale", str(saved), "-n", "15", "--seed", "2", "-o",
                 str(data)]) == 0
    report = tmp_path / "out.json"
    capsys.readouterr()
    argv = ["validate", str(data), "--scale", str(saved), "--report", str(report), "--quiet"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if ": not testable: " in line]
    assert any("Factor structure" in line and "singular" in line for line in lines)
    assert any(": not met: Sample size: sample for the factor analyses" in line
               and "n = 15 for 18 items" in line for line in err.splitlines())
    assert main([*argv, "--strict"]) == 1
    assert "--strict:" in capsys.readouterr().err
    assert report.exists()


# --- shorten ------------------------------------------------------------------------------

def _shorten_inputs(tmp_path: Path) -> tuple[Path, Path]:
    """A two-facet scale (C1, C2) and the pilot's answers to it, as files."""
    from dataclasses import replace

    import alliance_scale as als

    draft = als.draft_scale()
    scale = replace(draft, items=tuple(i for i in draft.items if i.facet in ("C1", "C2")),
                    content_hash="")
    scale.save(tmp_path / "c.yaml")
    pilot = als.load_pilot()
    pilot[[*scale.item_ids, "wai_goal", "wai_task", "wai_bond"]].to_csv(tmp_path / "c.csv")
    return tmp_path / "c.csv", tmp_path / "c.yaml"


def test_shorten_writes_a_scale(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data, scale = _shorten_inputs(tmp_path)
    out = tmp_path / "short.yaml"
    page = tmp_path / "short.html"
    code = main(["shorten", str(data), "--scale", str(scale), "--per-facet", "3", "-o",
                 str(out), "--report", str(page)])
    assert code == 0
    assert "Short form" in page.read_text(encoding="utf-8")
    short = Scale.load(out)
    assert len(short.items) == 6 and short.version.endswith(
        "+short." + Scale.load(scale).content_hash[:12])
    printed = capsys.readouterr()
    assert "Short form" in printed.out and "Held-out check" in printed.out
    assert f"wrote {out}" in printed.err


@pytest.mark.parametrize(("extra", "message"), [
    (["--per-facet", "9"], "per_facet: facet C1 keeps 9 items but has 5"),
    (["--holdout", "0.9"], "each needs at least 50"),
    (["--budget", "0"], "budget"),
    (["--per-theme", "9"], "per_theme: theme C1 of facet C1 keeps 9 items"),
    (["--folds", "9"], "folds=9: 320 respondents give folds of 35"),
    (["--report", "r.pdf"], "the short-form report is an .html page"),
])
def test_shorten_bad_input_one_line(tmp_path: Path, capsys: pytest.CaptureFixture,
                                    extra: list[str], message: str) -> None:
    data, scale = _shorten_inputs(tmp_path)
    code = main(["shorten", str(data), "--scale", str(scale), "-o",
                 str(tmp_path / "s.yaml"), *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_shorten_refuses_a_non_scale_suffix(tmp_path: Path,
                                             capsys: pytest.CaptureFixture) -> None:
    code = main(["shorten", "-o", str(tmp_path / "short.csv")])
    assert code == 2 and ".yaml, .yml or .json" in capsys.readouterr().err
