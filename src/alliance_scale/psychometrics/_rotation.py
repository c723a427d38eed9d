"""Factor rotations as R's psych::fa applies them (varimax, promax, oblimin, geomin).

Oblique rotations use the gradient projection algorithm of Bernaards & Jennrich (2005)
from ``statsmodels.multivariate.factor_rotation`` (the GPArotation algorithm, without
Kaiser normalisation, as psych calls it). Varimax and promax are written here because
psych uses ``stats::varimax`` (Kaiser-normalised, stopping when the criterion gains less
than 1e-5) and its own ``Promax`` (Hendrickson & White 1964 on the Kaiser-normalised
varimax solution); the GPA varimax converges to a slightly different point.
"""

from __future__ import annotations

import numpy as np

# A private statsmodels module (the public ``rotate_factors`` does not report convergence);
# tests/test_factor.py fails loudly if it moves.
from statsmodels.multivariate.factor_rotation import _gpa_rotation as gpa

from .._checks import check_choice
from ..errors import AnalysisError

__all__ = [
    "ROTATIONS",
    "rotate",
]

#: Rotations accepted by :func:`rotate`.
ROTATIONS = ("none", "varimax", "promax", "oblimin", "quartimin", "geomin")
#: GPArotation's defaults (``eps``, ``maxit``) for the GPA oblique rotations.
_GPA_TOLERANCE = 1e-5
_GPA_MAX_ITER = 1000
#: GPArotation's ``geominQ`` default ``delta``.
_GEOMIN_DELTA = 0.01


def varimax(
    loadings: np.ndarray, normalize: bool = True, eps: float = 1e-5
) -> tuple[np.ndarray, np.ndarray]:
    """Varimax rotation (Kaiser 1958), step for step as R's ``stats::varimax``.

    Parameters
    ----------
    loadings : ndarray, shape (p, k)
        Unrotated loadings.
    normalize : bool, default True
        Kaiser normalisation (rows scaled to unit length during the rotation).
    eps : float, default 1e-5
        Stop when the criterion (sum of singular values) grows by a factor below ``1 + eps``.

    Returns
    -------
    rotated : ndarray, shape (p, k)
    rotation : ndarray, shape (k, k)
        Orthogonal matrix with ``rotated = loadings @ rotation``.
    """
    x = np.asarray(loadings, dtype=float)
    p, k = x.shape
    if k < 2:
        return x.copy(), np.eye(k)
    scale = np.sqrt(np.sum(x**2, axis=1)) if normalize else np.ones(p)
    x = x / scale[:, None]
    rotation = np.eye(k)
    criterion = 0.0
    for _ in range(1000):
        z = x @ rotation
        b = x.T @ (z**3 - z * (np.sum(z**2, axis=0) / p))
        u, singular, vt = np.linalg.svd(b)
        rotation = u @ vt
        previous, criterion = criterion, singular.sum()
        if criterion < previous * (1 + eps):
            break
    return (x @ rotation) * scale[:, None], rotation


def promax(loadings: np.ndarray, power: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Promax (Hendrickson & White 1964) as psych's ``fa(rotate = "promax")``.

    psych Kaiser-normalises the rows (``kaiser``), applies its ``Promax``: varimax, target
    ``Q = X |X|^(m-1)``, least squares transformation rescaled so that the factors have unit
    variance, and returns the loadings de-normalised.

    Parameters
    ----------
    loadings : ndarray, shape (p, k)
    power : int, default 4
        Exponent ``m`` of the target.

    Returns
    -------
    rotated : ndarray, shape (p, k)
        Pattern loadings.
    phi : ndarray, shape (k, k)
        Factor correlations.
    """
    loadings = np.asarray(loadings, dtype=float)
    row_norm = np.sqrt(np.sum(loadings**2, axis=1))
    x, varimax_rotation = varimax(loadings / row_norm[:, None])
    target = x * np.abs(x) ** (power - 1)
    transform = np.linalg.lstsq(x, target, rcond=None)[0]
    try:
        d = np.diag(np.linalg.inv(transform.T @ transform))
    except np.linalg.LinAlgError as error:
        raise AnalysisError("promax failed: the factors are exactly uncorrelated") from error
    transform = transform * np.sqrt(d)
    rotated = (x @ transform) * row_norm[:, None]
    inverse = np.linalg.inv(varimax_rotation @ transform)
    return rotated, inverse @ inverse.T


def _geomin_criterion(L: np.ndarray, delta: float = _GEOMIN_DELTA, **_: object):
    """Geomin criterion and gradient (Yates 1987; GPArotation ``vgQ.geomin``)."""
    k = L.shape[1]
    squared = L**2 + delta
    product = np.exp(np.mean(np.log(squared), axis=1))
    return float(product.sum()), (2.0 / k) * (L / squared) * product[:, None]


def _oblimin_criterion(L: np.ndarray, gamma: float = 0.0, **_: object):
    """Oblimin criterion and gradient (Carroll 1953; GPArotation ``vgQ.oblimin``)."""
    k = L.shape[1]
    cross = (L**2) @ (1.0 - np.eye(k))
    if gamma != 0:
        cross = cross - gamma * cross.mean(axis=0)
    return float(np.sum(L**2 * cross) / 4.0), L * cross


def _gpa_oblique(loadings: np.ndarray, criterion) -> tuple[np.ndarray, np.ndarray]:
    """Oblique GPA from the identity (statsmodels ``GPA``); returns pattern and Phi."""
    rotated, phi, _, table = gpa.GPA(
        loadings,
        vgQ=criterion,
        rotation_method="oblique",
        max_tries=_GPA_MAX_ITER,
        tol=_GPA_TOLERANCE,
    )
    if 10 ** table[-1][2] >= _GPA_TOLERANCE:
        raise AnalysisError(
            f"the oblique rotation did not converge in {_GPA_MAX_ITER} iterations; "
            "try rotation='promax'"
        )
    return rotated, phi


def rotate(loadings: np.ndarray, rotation: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Rotate loadings as psych::fa does.

    Parameters
    ----------
    loadings : ndarray, shape (p, k)
        Unrotated loadings.
    rotation : {"none", "varimax", "promax", "oblimin", "quartimin", "geomin"}
        ``"oblimin"`` is GPArotation's default (gamma 0, i.e. quartimin), not normalised;
        ``"geomin"`` is GPArotation's ``geominQ`` (oblique, delta .01).

    Returns
    -------
    rotated : ndarray, shape (p, k)
        Pattern loadings.
    phi : ndarray or None
        Factor correlations; None for orthogonal rotations and single factors.

    Raises
    ------
    AnalysisError
        An unknown rotation; an oblique rotation that does not converge; promax on exactly
        uncorrelated factors.
    """
    check_choice("rotation", rotation, ROTATIONS)
    loadings = np.asarray(loadings, dtype=float)
    if rotation == "none" or loadings.shape[1] < 2:
        return loadings.copy(), None
    if rotation == "varimax":
        return varimax(loadings)[0], None
    if rotation == "promax":
        return promax(loadings)
    criterion = _geomin_criterion if rotation == "geomin" else _oblimin_criterion
    return _gpa_oblique(loadings, criterion)
