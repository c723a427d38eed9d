"""``alliance-scale --help`` as argparse prints it, precomputed (GENERATED: do not edit).

:mod:`._console` prints one of these texts, without importing argparse, when the terminal's
width (``COLUMNS``, else the terminal's size, else 80 columns: as :func:`shutil.get_terminal_size`
decides it, which argparse uses) falls in a text's range of columns and Python's version is
the one the texts were generated with; otherwise the parser prints its help. After changing
the command line, regenerate this file with ``python -m alliance_scale._help_text``
(tests/test_console.py fails until it is regenerated).
"""

from __future__ import annotations

#: The (major, minor) version of Python whose argparse printed the texts.
PYTHON = (3, 11)

#: ``(first column, last column or None for no limit, text)``: the help printed by a
#: terminal of that many columns.
TEXTS: tuple[tuple[int, int | None, str], ...] = (
    (80, 82, (
        'usage: alliance-scale [-h] [--version] COMMAND ...\n'
        '\n'
        'Build and validate a questionnaire of the digital therapeutic alliance.\n'
        '\n'
        'positional arguments:\n'
        '  COMMAND\n'
        '    draft     draft the scale from the bundled blueprint and item bank\n'
        '    score     score a response export (REDCap, LimeSurvey, Qualtrics, CSV,\n'
        '              Excel, SPSS)\n'
        '    simulate  simulate an administration with a known truth (SYNTHETIC data)\n'
        '    validate  validate an administration and write the report\n'
        '    shorten   choose a short form of the scale from a pilot\n'
        '    plan      how many respondents: power of the model test (analytic or Monte\n'
        '              Carlo)\n'
        '\n'
        'options:\n'
        '  -h, --help  show this help message and exit\n'
        "  --version   show program's version number and exit\n"
    )),
    (89, None, (
        'usage: alliance-scale [-h] [--version] COMMAND ...\n'
        '\n'
        'Build and validate a questionnaire of the digital therapeutic alliance.\n'
        '\n'
        'positional arguments:\n'
        '  COMMAND\n'
        '    draft     draft the scale from the bundled blueprint and item bank\n'
        '    score     score a response export (REDCap, LimeSurvey, Qualtrics, CSV, Excel, SPSS)\n'
        '    simulate  simulate an administration with a known truth (SYNTHETIC data)\n'
        '    validate  validate an administration and write the report\n'
        '    shorten   choose a short form of the scale from a pilot\n'
        '    plan      how many respondents: power of the model test (analytic or Monte Carlo)\n'
        '\n'
        'options:\n'
        '  -h, --help  show this help message and exit\n'
        "  --version   show program's version number and exit\n"
    )),
)


def _generate() -> str:
    """This module's source, the texts printed by the current command-line parser."""
    import os
    import sys
    from pathlib import Path

    from . import cli

    def printed(columns: int) -> str:
        saved = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = str(columns)
        try:
            return cli.build_parser().format_help()
        finally:
            if saved is None:
                del os.environ["COLUMNS"]
            else:
                os.environ["COLUMNS"] = saved

    def span(columns: int, widest: int) -> tuple[int, int]:
        text, first, last = printed(columns), columns, columns
        while first > 1 and printed(first - 1) == text:
            first -= 1
        while last < widest and printed(last + 1) == text:
            last += 1
        return first, last

    widest = 400
    texts = []
    first, last = span(80, widest)  # the fallback: pipes, files, most terminals
    texts.append((first, last, printed(80)))
    wide_first, wide_last = span(widest, widest)  # no line wrapped any more
    if wide_last == widest and printed(10 * widest) == printed(widest) and wide_first > last:
        texts.append((wide_first, None, printed(widest)))
    source = Path(__file__).read_text(encoding="utf-8")
    head = source[:source.index("PYTHON = ")]
    tail = source[source.index("\n\ndef _generate"):]
    body = "".join(f"    ({a}, {b}, (\n"
                   + "".join(f"        {line!r}\n" for line in t.splitlines(keepends=True))
                   + "    )),\n" for a, b, t in texts)
    return (f"{head}PYTHON = {tuple(sys.version_info[:2])}\n\n"
            "#: ``(first column, last column or None for no limit, text)``: the help printed "
            "by a\n#: terminal of that many columns.\n"
            f"TEXTS: tuple[tuple[int, int | None, str], ...] = (\n{body})\n{tail}")


if __name__ == "__main__":  # python -m alliance_scale._help_text: regenerate this file
    from pathlib import Path

    Path(__file__).write_text(_generate(), encoding="utf-8")
