"""Every docstring Examples section in the package runs and prints what it shows.

The numpydoc Examples are the users' first contact with a function (``help(als.efa)``), so
they are executed here, module by module, on the installed package (``--doctest-modules``
would import ``src/`` a second time beside the installed copy). Floating output is compared
with ``NORMALIZE_WHITESPACE`` and ``ELLIPSIS``; examples print rounded numbers.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import matplotlib
import pytest

import alliance_scale

matplotlib.use("Agg")

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(alliance_scale.__path__, "alliance_scale.")
)
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


#: Modules whose examples run whole validations or draw many figures (seconds each).
SLOW = {"alliance_scale.report._report", "alliance_scale.report._validate",
        "alliance_scale.validity._reliability", "alliance_scale.psychometrics._cfa._plots",
        "alliance_scale.psychometrics._correlation._plots",
        "alliance_scale.psychometrics._factor._plots",
        "alliance_scale.psychometrics._reliability._plots", "alliance_scale.validity._irt",
        "alliance_scale.validity._cfa", "alliance_scale.psychometrics._irt._dif"}


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in MODULES])
def test_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    globs = {"als": alliance_scale, "pd": __import__("pandas"), "np": __import__("numpy")}
    for test in finder.find(module, name, extraglobs=globs):
        if test.filename is None or not test.examples:
            continue
        runner.run(test, out=lambda text: pytest.fail(text, pytrace=False))
    assert runner.failures == 0


def test_every_public_function_has_an_example() -> None:
    missing = []
    for name in alliance_scale.__all__:
        obj = getattr(alliance_scale, name)
        if callable(obj) and not isinstance(obj, type(alliance_scale)):
            doc = obj.__doc__ or ""
            if "Examples\n" not in doc or ">>>" not in doc:
                missing.append(name)
    assert missing == [], f"public names without a runnable Examples section: {missing}"
