"""The mirt helpers of tests/psychometrics/test_irt.py (``check``, ``expand``, the fixture
module ``mirt_expected``) for the other IRT test modules, loaded once (the test modules
are not importable by name under ``--import-mode=importlib``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_path = Path(__file__).parent / "psychometrics" / "test_irt.py"
_spec = importlib.util.spec_from_file_location("irt_helpers", _path)
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)
check = helpers.check
expand = helpers.expand
mirt_expected = helpers._module
