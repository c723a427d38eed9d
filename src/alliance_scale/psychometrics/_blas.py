"""One BLAS thread for the analyses that run many small matrix products (parallel analysis,
the CFA's optimiser, IRT's EM), shared by the families so none imports another for it."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

__all__: list[str] = []

#: threadpoolctl's controller, made once: finding the loaded BLAS libraries reads
#: /proc/self/maps, about 2 ms a call, more than a small IRT fit's whole EM step.
_CONTROLLER: list[Any] = []


def single_threaded_blas() -> AbstractContextManager:
    """Limit BLAS to one thread: the many small eigen-decompositions of parallel analysis
    run 10-30x slower when two BLAS threads compete with other work on a small machine.

    Returns
    -------
    contextlib.AbstractContextManager
        threadpoolctl's limit (a no-op context when threadpoolctl is not installed).

    Examples
    --------
    >>> import numpy as np
    >>> from alliance_scale.psychometrics._blas import single_threaded_blas
    >>> with single_threaded_blas():
    ...     float(np.linalg.eigvalsh(np.eye(3)).sum())
    3.0
    """
    if not _CONTROLLER:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
            return nullcontext()
        import scipy.linalg  # noqa: F401  (its own BLAS, when it bundles one, is then seen)

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="blas")
