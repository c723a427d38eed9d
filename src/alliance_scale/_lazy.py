"""Deferred imports: the package's faces resolve their names on first use (PEP 562), and
matplotlib's pyplot is imported only when a figure is drawn.

Why: ``import alliance_scale`` and ``alliance-scale --help`` must not pay for the analysis
stack (pandas, scipy, matplotlib: seconds on a small machine) before anything is asked of
them. A face (a stage's ``__init__.py``) names its public names and the private module each
comes from; :func:`attach` gives it a module ``__getattr__`` that imports that module the
first time one of its names is read (then caches the value in the face), and a ``__dir__``
that lists every public name. ``__all__`` stays the complete, explicit list, so
``from alliance_scale import *``, ``dir()`` and the architecture test see every name. This
is the pattern of SPEC 1 (scientific-python's ``lazy_loader``), hand-written in a few lines
rather than added as a dependency.
"""

from __future__ import annotations

import importlib
import sys

TYPE_CHECKING = False  # typing itself is not imported: it costs --help a tenth of its time
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any

__all__: list[str] = []


def attach(
    package: str, exports: Mapping[str, Sequence[str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``__getattr__``, ``__dir__`` and ``__all__`` of a face whose names load on first use.

    Parameters
    ----------
    package : str
        The face's ``__name__``.
    exports : mapping of str to sequence of str
        Private module (relative name, e.g. ``"._efa"``, or an absolute one) -> the public
        names it gives the face.

    Returns
    -------
    (__getattr__, __dir__, __all__)
        To assign in the face: ``__getattr__, __dir__, __all__ = attach(__name__, {...})``.
        ``__all__`` is sorted as the faces' lists are (constants, classes, then functions).

    Examples
    --------
    >>> from alliance_scale._lazy import attach
    >>> getattr_, dir_, all_ = attach("alliance_scale.fielding", {"._scoring": ["score"]})
    >>> all_, getattr_("score").__name__
    (['score'], 'score')
    """
    where = {name: module for module, names in exports.items() for name in names}
    face = sys.modules.get(package)

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        if face is not None:
            setattr(face, name, value)  # later reads skip __getattr__
        return value

    names = sorted(where, key=lambda name: (not name.isupper(), not name[:1].isupper(), name))

    def __dir__() -> list[str]:
        return sorted(set(names) | set(vars(face) if face is not None else ()))

    return __getattr__, __dir__, names


def pyplot() -> Any:
    """``matplotlib.pyplot``, imported on first use; the Agg backend unless one was chosen.

    When pyplot is not loaded yet and nobody chose a backend (no ``MPLBACKEND``, no
    ``matplotlib.use``, no ``backend`` in a matplotlibrc), the non-interactive Agg backend
    is selected: matplotlib's automatic choice would try GUI toolkits first, which costs
    seconds and is pointless for figures saved to files. A backend the user chose, or an
    already-loaded pyplot (a notebook's inline backend), is left as it is.

    Examples
    --------
    >>> from alliance_scale._lazy import pyplot
    >>> pyplot().__name__
    'matplotlib.pyplot'
    """
    if "matplotlib.pyplot" not in sys.modules:
        import matplotlib
        from matplotlib import rcsetup

        if dict.__getitem__(matplotlib.rcParams, "backend") is rcsetup._auto_backend_sentinel:
            matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
