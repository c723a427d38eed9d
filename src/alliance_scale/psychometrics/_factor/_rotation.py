"""Factor rotations as R's psych applies them, with GPArotation's numbers.

Orthogonal: ``varimax`` (``stats::varimax``), ``quartimax``, ``equamax`` (psych's: the
Crawford-Ferguson family with ``kappa = k / (2p)``), ``bentlerT``, ``geominT``, ``bifactor``
(Jennrich & Bentler 2011, psych's ``bifactor``), ``targetT``. Oblique: ``oblimin`` (with
``gamma``), ``quartimin``, ``geomin`` (``geominQ``), ``bentlerQ``, ``biquartimin`` (psych's
oblique bifactor), ``simplimax``, ``targetQ``, and ``promax`` (psych's Kaiser-normalised
Hendrickson & White).

Why our own gradient projection code instead of statsmodels: statsmodels'
``factor_rotation`` module implements the same algorithm (Bernaards & Jennrich 2005), but
its public entry point ``rotate_factors`` offers neither geomin, Bentler's criterion,
simplimax nor psych's bifactor criterion, and it drops the iteration table, so a rotation
that stopped at its iteration limit cannot be told from one that converged; the module
that has them (``_gpa_rotation``) is private and may vanish. The algorithm is 40 lines:
it is written here (:func:`gpa`) step for step as GPArotation's ``GPForth`` / ``GPFoblq``
(2022.10: step doubling, up to 11 halvings, stop when the Frobenius norm of the
projected gradient is below ``eps = 1e-5``, at most ``maxit = 1000`` iterations after the
first), with each criterion a small function returning its value and gradient, as
GPArotation's ``vgQ.*``. Because GPA stops at a gradient of 1e-5, its result depends
slightly (about 1e-5 to 1e-4 in a loading) on the starting point: psych starts from the
identity on the loadings it is given, and so do we.

References
----------
Bernaards, C. A., & Jennrich, R. I. (2005). Gradient projection algorithms and software
for arbitrary rotation criteria in factor analysis. Educational and Psychological
Measurement, 65, 676-696.
Jennrich, R. I., & Bentler, P. M. (2011). Exploratory bi-factor analysis. Psychometrika,
76, 537-549.
Browne, M. W. (2001). An overview of analytic rotation in exploratory factor analysis.
Multivariate Behavioral Research, 36, 111-150.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ..._checks import check_array, check_choice, check_integer, check_matrix, check_number
from ..._warn import warn_user
from ...errors import AllianceScaleWarning, AnalysisError, OptionError

__all__ = [
    "ROTATIONS",
    "rotate",
]

#: GPArotation's defaults (``eps``, ``maxit``).
_GPA_TOLERANCE = 1e-5
_GPA_MAX_ITER = 1000
#: GPArotation's ``geominQ`` / ``geominT`` default ``delta``.
_GEOMIN_DELTA = 0.01

Criterion = Callable[[np.ndarray], tuple[float, np.ndarray]]


# --------------------------------------------------------------------------- criteria
# Each returns (f, Gq): the criterion at L and its gradient in L (GPArotation's vgQ.*).


def _oblimin_criterion(L: np.ndarray, gamma: float = 0.0) -> tuple[float, np.ndarray]:
    """Oblimin (Carroll 1953; ``vgQ.oblimin``); gamma 0 is quartimin, .5 biquartimin."""
    k = L.shape[1]
    cross = (L**2) @ (1.0 - np.eye(k))
    if gamma != 0:
        cross = cross - gamma * cross.mean(axis=0)
    return float(np.sum(L**2 * cross) / 4.0), L * cross


def _geomin_criterion(L: np.ndarray, delta: float = _GEOMIN_DELTA) -> tuple[float, np.ndarray]:
    """Geomin (Yates 1987; ``vgQ.geomin``)."""
    k = L.shape[1]
    squared = L**2 + delta
    product = np.exp(np.mean(np.log(squared), axis=1))
    return float(product.sum()), (2.0 / k) * (L / squared) * product[:, None]


def _quartimax_criterion(L: np.ndarray) -> tuple[float, np.ndarray]:
    """Quartimax (Carroll 1953; ``vgQ.quartimax``)."""
    return float(-np.sum(L**4) / 4.0), -(L**3)


def _bentler_criterion(L: np.ndarray) -> tuple[float, np.ndarray]:
    """Bentler's (1977) invariant pattern simplicity (``vgQ.bentler``)."""
    squared = L**2
    cross = squared.T @ squared
    diagonal = np.diag(np.diag(cross))
    _, log_det = np.linalg.slogdet(cross)
    value = -(log_det - float(np.sum(np.log(np.diag(cross))))) / 4.0
    return value, -L * (squared @ (np.linalg.inv(cross) - np.linalg.inv(diagonal)))


def _varimax_criterion(L: np.ndarray) -> tuple[float, np.ndarray]:
    """Varimax as a GPA criterion (``vgQ.varimax``, GPArotation's ``Varimax``: no Kaiser
    normalisation, unlike ``stats::varimax``)."""
    centred = L**2 - np.mean(L**2, axis=0)
    return float(-np.sum(centred**2) / 4.0), -L * centred


def _crawford_ferguson_criterion(L: np.ndarray, kappa: float) -> tuple[float, np.ndarray]:
    """Crawford & Ferguson (1970) family (``vgQ.cf``); psych's equamax is kappa = k / 2p."""
    squared = L**2
    row_other = squared.sum(axis=1, keepdims=True) - squared  # L2 %*% (1 - I_k)
    column_other = squared.sum(axis=0, keepdims=True) - squared  # (1 - I_p) %*% L2
    value = ((1 - kappa) * np.sum(squared * row_other)
             + kappa * np.sum(squared * column_other)) / 4.0
    return float(value), (1 - kappa) * L * row_other + kappa * L * column_other


def _target_criterion(L: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Least squares distance to a (partially specified) target (``vgQ.target``).

    NaN entries of ``target`` are free: they add nothing to the criterion.
    """
    difference = L - target
    free = np.isnan(difference)
    difference = np.where(free, 0.0, difference)
    return float(np.sum(difference**2)), 2.0 * difference


def _simplimax_criterion(L: np.ndarray, k: int) -> tuple[float, np.ndarray]:
    """Simplimax (Kiers 1994; ``vgQ.simplimax``): the ``k`` smallest squared loadings."""
    squared = L**2
    small = squared <= np.sort(squared, axis=None)[k - 1]
    return float(np.sum(small * squared)), 2.0 * small * L


def _bifactor_criterion(L: np.ndarray) -> tuple[float, np.ndarray]:
    """psych's ``vgQ.bimin``: 4 x quartimin on the group factors, none on the first
    (Jennrich & Bentler 2011); orthogonal for ``bifactor``, oblique for ``biquartimin``."""
    group = L[:, 1:]
    squared = group**2
    cross = squared.sum(axis=1, keepdims=True) - squared
    gradient = np.zeros_like(L)
    gradient[:, 1:] = 4.0 * group * cross
    return float(np.sum(squared * cross)), gradient


# --------------------------------------------------------------------------- algorithm


class GPAResult(NamedTuple):
    """What :func:`gpa` returns."""

    #: Rotated (pattern) loadings, p x k.
    loadings: np.ndarray
    #: Factor correlations ``T'T`` (None for an orthogonal rotation).
    phi: np.ndarray | None
    #: Rotation matrix ``T`` (GPArotation's ``Th``).
    rotation: np.ndarray
    #: Whether the projected gradient fell below the tolerance.
    converged: bool
    #: Iterations done (GPArotation's last ``iter``).
    iterations: int
    #: Criterion value at the solution.
    criterion: float


def gpa(
    loadings: np.ndarray,
    criterion: Criterion,
    orthogonal: bool,
    start: np.ndarray | None = None,
    eps: float = _GPA_TOLERANCE,
    max_iter: int = _GPA_MAX_ITER,
) -> GPAResult:
    """Gradient projection rotation (Bernaards & Jennrich 2005), as GPArotation's
    ``GPForth`` (``orthogonal``) and ``GPFoblq``, without normalisation.

    Parameters
    ----------
    loadings : ndarray, shape (p, k)
        Loadings ``A`` to rotate.
    criterion : callable
        ``L -> (f, gradient)``, the criterion to minimise and its gradient in ``L``.
    orthogonal : bool
        ``L = A T`` with ``T`` orthogonal; else ``L = A (T')^-1`` with ``diag(T'T) = 1``.
    start : ndarray, shape (k, k), optional
        Starting ``T``; the identity by default (psych's).
    eps : float, default 1e-5
        Stop when the Frobenius norm of the projected gradient is below ``eps``.
    max_iter : int, default 1000
        Iterations after the first evaluation (GPArotation's ``maxit``).

    Returns
    -------
    GPAResult
    """
    A = np.asarray(loadings, dtype=float)
    T = np.eye(A.shape[1]) if start is None else np.array(start, dtype=float)
    alpha = 1.0
    if orthogonal:
        L = A @ T
        f, gradient = criterion(L)
        G = A.T @ gradient
    else:
        inverse = np.linalg.inv(T)
        L = A @ inverse.T
        f, gradient = criterion(L)
        G = -(L.T @ gradient @ inverse).T
    s = np.inf
    iteration = -1
    while iteration < max_iter:
        iteration += 1
        if orthogonal:
            M = T.T @ G
            projected = G - T @ ((M + M.T) / 2)
        else:
            projected = G - T @ np.diag(np.sum(T * G, axis=0))
        s = float(np.linalg.norm(projected, "fro"))
        if s < eps:
            break
        alpha = 2 * alpha
        for _ in range(11):
            X = T - alpha * projected
            if orthogonal:
                u, _, vt = np.linalg.svd(X, full_matrices=False)
                trial = u @ vt
                L = A @ trial
            else:
                trial = X @ np.diag(1 / np.sqrt(np.sum(X**2, axis=0)))
                inverse = np.linalg.inv(trial)
                L = A @ inverse.T
            trial_f, gradient = criterion(L)
            if trial_f < f - 0.5 * s**2 * alpha:
                break
            alpha = alpha / 2
        T, f = trial, trial_f
        G = A.T @ gradient if orthogonal else -(L.T @ gradient @ inverse).T
    if orthogonal:
        return GPAResult(A @ T, None, T, s < eps, iteration, float(f))
    return GPAResult(A @ np.linalg.inv(T.T), T.T @ T, T, s < eps, iteration, float(f))


# --------------------------------------------------------------------------- varimax, promax


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


def promax(
    loadings: np.ndarray, power: int = 4, kaiser: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Promax (Hendrickson & White 1964) as psych's ``fa(rotate = "promax")``.

    psych Kaiser-normalises the rows (``kaiser``), applies its ``Promax``: varimax, target
    ``Q = X |X|^(m-1)``, least squares transformation rescaled so that the factors have unit
    variance, and returns the loadings de-normalised. ``kaiser=False`` is R's
    ``stats::promax``, which ``psych::principal`` uses.

    Parameters
    ----------
    loadings : ndarray, shape (p, k)
    power : int, default 4
        Exponent ``m`` of the target.
    kaiser : bool, default True
        Normalise the rows before (psych's ``kaiser``) and de-normalise after.

    Returns
    -------
    rotated : ndarray, shape (p, k)
        Pattern loadings.
    phi : ndarray, shape (k, k)
        Factor correlations.
    """
    loadings = np.asarray(loadings, dtype=float)
    row_norm = np.sqrt(np.sum(loadings**2, axis=1)) if kaiser else np.ones(len(loadings))
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


# --------------------------------------------------------------------------- dispatch

#: GPA rotations: name -> (orthogonal, criterion builder from the options).
_GPA: dict[str, tuple[bool, Callable[..., Criterion]]] = {
    "oblimin": (False, lambda o: lambda L: _oblimin_criterion(L, o["gamma"])),
    "quartimin": (False, lambda o: lambda L: _oblimin_criterion(L, 0.0)),
    "biquartimin": (False, lambda o: _bifactor_criterion),
    "geomin": (False, lambda o: lambda L: _geomin_criterion(L, o["delta"])),
    "geominT": (True, lambda o: lambda L: _geomin_criterion(L, o["delta"])),
    "bentlerQ": (False, lambda o: _bentler_criterion),
    "bentlerT": (True, lambda o: _bentler_criterion),
    "quartimax": (True, lambda o: _quartimax_criterion),
    "equamax": (True, lambda o: lambda L: _crawford_ferguson_criterion(L, o["kappa"])),
    "bifactor": (True, lambda o: _bifactor_criterion),
    "simplimax": (False, lambda o: lambda L: _simplimax_criterion(L, o["k"])),
    "targetQ": (False, lambda o: lambda L: _target_criterion(L, o["target"])),
    "targetT": (True, lambda o: lambda L: _target_criterion(L, o["target"])),
}
#: Other spellings accepted (psych's names) -> the name used here.
_ALIASES = {"geominQ": "geomin", "TargetQ": "targetQ", "TargetT": "targetT"}

#: Rotations accepted by :func:`rotate` (and ``efa`` / ``principal``): ``"none"``,
#: ``"varimax"``, ``"promax"`` and the GPA rotations, with psych's spellings ``"geominQ"``,
#: ``"TargetQ"`` and ``"TargetT"`` as synonyms of ``"geomin"``, ``"targetQ"``, ``"targetT"``.
ROTATIONS = ("none", "varimax", "promax", *_GPA, *_ALIASES)
#: Rotations whose factors are correlated (a ``phi`` is returned).
OBLIQUE = frozenset({"promax"} | {name for name, (orth, _) in _GPA.items() if not orth}
                    | {alias for alias, name in _ALIASES.items() if not _GPA[name][0]})


def canonical_rotation(rotation: str) -> str:
    """The name :func:`rotate` uses for ``rotation`` (``"geominQ"`` -> ``"geomin"``...).

    Raises
    ------
    OptionError
        An unknown rotation.
    """
    check_choice("rotation", rotation, ROTATIONS)
    return _ALIASES.get(rotation, rotation)


def _target_matrix(target, shape: tuple[int, int]) -> np.ndarray:
    """The target as a float array of the loadings' shape (NaN = unspecified)."""
    if target is None:
        raise OptionError("target rotation needs a target matrix (target=...)")
    matrix = np.asarray(target, dtype=float)
    if matrix.shape != shape:
        raise OptionError(
            f"the target is {' x '.join(map(str, matrix.shape))}; it must be items x factors "
            f"({shape[0]} x {shape[1]})"
        )
    if np.isnan(matrix).all():
        raise OptionError("the target has no specified entry (all NaN)")
    return matrix


def _options(
    rotation: str, shape: tuple[int, int], gamma: float, delta: float, k: int | None, target
) -> dict[str, object]:
    """Check the rotation's own options and fill in psych's defaults."""
    p, n_factors = shape
    options: dict[str, object] = {
        "gamma": check_number("gamma", gamma),
        "delta": check_number("delta", delta, 0.0, low_open=True),
        "kappa": n_factors / (2 * p),  # psych's equamax
        "k": p if k is None else check_integer("simplimax_k", k, 1, p * n_factors),
        "target": None,
    }
    if rotation in ("targetQ", "targetT"):
        options["target"] = _target_matrix(target, shape)
    elif target is not None:
        raise OptionError(f"target= is used by rotation='targetQ' or 'targetT', not {rotation!r}")
    if rotation == "bifactor" or rotation == "biquartimin":
        if n_factors < 3:
            raise OptionError(f"{rotation} needs at least 3 factors (a general factor and 2 "
                              f"group factors), got {n_factors}")
    return options


#: mirt's ``Rotate()`` names (GPArotation's functions at their defaults, and mirt's own
#: promax, i.e. ``stats::promax``) -> (orthogonal, criterion), None for promax.
_MIRT: dict[str, tuple[bool, Criterion] | None] = {
    "oblimin": (False, _oblimin_criterion),
    "quartimin": (False, _oblimin_criterion),
    "varimax": (True, _varimax_criterion),
    "quartimax": (True, _quartimax_criterion),
    "geominT": (True, _geomin_criterion),
    "geominQ": (False, _geomin_criterion),
    "bentlerT": (True, _bentler_criterion),
    "bentlerQ": (False, _bentler_criterion),
    "promax": None,
}
#: Rotations of an exploratory IRT model, as mirt's ``summary(fit, rotate = )``.
MIRT_ROTATIONS = ("none", *_MIRT)


def mirt_rotate(loadings: np.ndarray, rotation: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Rotate standardized loadings as mirt's ``Rotate(F, rotate)``: GPArotation's
    ``oblimin`` / ``quartimin`` / ``Varimax`` / ``quartimax`` / ``geominT`` / ``geominQ`` /
    ``bentlerT`` / ``bentlerQ`` at their defaults (no normalisation, identity start,
    ``eps = 1e-5``), ``promax`` as ``stats::promax`` (m = 4); then, as mirt, each factor
    reflected so that its largest loading in absolute value is positive (``"none"`` is
    left as it is). Returns the rotated loadings and the factor correlations (None for an
    orthogonal rotation or ``"none"``)."""
    check_choice("rotate", rotation, MIRT_ROTATIONS)
    loadings = np.asarray(loadings, dtype=float)
    if rotation == "none" or loadings.shape[1] < 2:
        return loadings.copy(), None
    entry = _MIRT[rotation]
    if entry is None:
        rotated, phi = promax(loadings, kaiser=False)
    else:
        orthogonal, criterion = entry
        with np.errstate(all="ignore"):
            fit = gpa(loadings, criterion, orthogonal)
        if not np.isfinite(fit.loadings).all():
            raise AnalysisError(f"the {rotation} rotation gave non-finite loadings; try "
                                "another rotation")
        if not fit.converged:
            warn_user(f"the {rotation} rotation did not converge in {_GPA_MAX_ITER} "
                      "iterations (as GPArotation, the last solution is kept); try another "
                      "rotation", AllianceScaleWarning)
        rotated, phi = fit.loadings, fit.phi
    largest = rotated[np.argmax(np.abs(rotated), axis=0), np.arange(rotated.shape[1])]
    sign = np.where(largest < 0, -1.0, 1.0)
    return rotated * sign, None if phi is None else phi * np.outer(sign, sign)


def rotate(
    loadings: np.ndarray,
    rotation: str,
    *,
    gamma: float = 0.0,
    delta: float = _GEOMIN_DELTA,
    target: np.ndarray | None = None,
    simplimax_k: int | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Rotate loadings as psych::fa does (GPArotation's numbers for the GPA rotations).

    Parameters
    ----------
    loadings : ndarray, shape (p, k)
        Unrotated loadings.
    rotation : str
        One of :data:`ROTATIONS`. Orthogonal: ``"varimax"`` (``stats::varimax``, Kaiser
        normalised), ``"quartimax"``, ``"equamax"`` (psych's: Crawford-Ferguson with
        kappa = k / 2p), ``"bentlerT"``, ``"geominT"``, ``"bifactor"`` (psych's),
        ``"targetT"``. Oblique: ``"oblimin"`` (gamma ``gamma``; GPArotation's, not
        normalised), ``"quartimin"``, ``"geomin"`` (``geominQ``), ``"bentlerQ"``,
        ``"biquartimin"`` (psych's), ``"simplimax"``, ``"targetQ"``, ``"promax"``
        (psych's, power 4). ``"none"`` leaves the loadings as they are.
    gamma : float, default 0
        Oblimin's gamma (0 quartimin, .5 biquartimin, 1 covarimin).
    delta : float, default 0.01
        Geomin's delta.
    target : array_like, shape (p, k), optional
        Target of ``"targetQ"`` / ``"targetT"`` (Browne 2001): the loadings hoped for;
        NaN marks an unspecified entry (a partially specified target).
    simplimax_k : int, optional
        Simplimax's number of near-zero loadings; default ``p`` (GPArotation's ``k``).

    Returns
    -------
    rotated : ndarray, shape (p, k)
        Pattern loadings, in the order and with the signs the rotation gives (``efa``
        reflects and orders them as psych).
    phi : ndarray or None
        Factor correlations; None for orthogonal rotations and single factors.

    Raises
    ------
    OptionError
        An unknown rotation or a bad option (a target of the wrong shape, bifactor with
        fewer than 3 factors...).
    AnalysisError
        Promax on exactly uncorrelated factors.

    Warns
    -----
    AllianceScaleWarning
        A GPA rotation that did not converge in 1000 iterations (as GPArotation, the last
        solution is returned).

    Examples
    --------
    >>> loadings = np.array([[.8, .3], [.7, .4], [.6, .3], [.3, .7], [.2, .8], [.4, .6]])
    >>> pattern, phi = als.rotate(loadings, "oblimin")  # In R: GPArotation::oblimin(L)
    >>> print(np.round(pattern, 3))
    [[ 0.892 -0.059]
     [ 0.725  0.116]
     [ 0.639  0.047]
     [ 0.097  0.694]
     [-0.07   0.869]
     [ 0.264  0.519]]
    >>> print(np.round(phi, 3))
    [[1.    0.659]
     [0.659 1.   ]]
    >>> rotated, none = als.rotate(loadings, "varimax")  # In R: stats::varimax(L)
    >>> print(np.round(rotated[:2], 3)), none
    [[0.813 0.262]
     [0.718 0.366]]
    (None, None)
    """
    name = canonical_rotation(rotation)
    loadings = check_matrix("loadings", loadings)
    if target is not None:
        target = check_array("target", target)
    options = _options(name, loadings.shape, gamma, delta, simplimax_k, target)
    if name == "none" or loadings.shape[1] < 2:
        return loadings.copy(), None
    if name == "varimax":
        return varimax(loadings)[0], None
    if name == "promax":
        return promax(loadings)
    orthogonal, build = _GPA[name]
    try:
        with np.errstate(all="ignore"):
            fit = gpa(loadings, build(options), orthogonal)
    except np.linalg.LinAlgError as error:  # e.g. an extreme gamma: singular steps
        raise AnalysisError(f"the {rotation} rotation failed ({error}); check its options "
                            "(gamma, delta, target) or try another rotation") from error
    if not np.isfinite(fit.loadings).all():
        raise AnalysisError(f"the {rotation} rotation gave non-finite loadings; check its "
                            "options (gamma, delta, target) or try another rotation")
    if not fit.converged:
        warn_user(
            f"the {rotation} rotation did not converge in {_GPA_MAX_ITER} iterations (as "
            "GPArotation, the last solution is kept); try another rotation",
            AllianceScaleWarning,
        )
    return fit.loadings, fit.phi

