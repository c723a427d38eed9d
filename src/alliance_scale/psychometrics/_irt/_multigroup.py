"""Multiple-group unidimensional IRT by marginal ML (EM), as mirt 1.47's ``multipleGroup()``.

Every group has its own latent density ``N(mu_g, sigma2_g)`` over the common quadrature
grid (61 points on [-6, 6]); the first group (the first level of the grouping variable) is
the reference, ``N(0, 1)``. Item parameters are either shared by the groups (an equality
constraint: mirt's ``invariance`` and ``constrain``) or group-specific. The EM reuses the
single-group engine's building blocks (:func:`._engine.estep` per group with the group's
prior, :func:`._engine.log_prob_table`, :func:`._models.item_arrays`): the expected counts
of the groups are combined in a batched Newton M-step on the estimated parameters (a
shared parameter collects the gradients and Hessians of every group; one Newton step per
cycle, a generalised EM), the latent means and variances are updated in closed form
(posterior first and second moments). SQUAREM acceleration; mirt's convergence rule (every
estimated parameter changes by less than ``tol`` over one EM cycle).

Standard errors: ``"oakes"`` is the observed information, obtained as mirt's Oakes
(1999) estimate is, by differentiating the observed-data gradient (Fisher's identity:
the posterior-expected complete-data gradient, exact and analytic here) numerically
(central differences); ``"crossprod"`` is the cross-product of the respondents' gradients.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import check_choice, check_integer, check_number
from ..._warn import warn_user
from ...errors import AllianceScaleWarning, AnalysisError, OptionError
from .._blas import single_threaded_blas
from ._data import SMALL_N, Coded, code_responses, collapse, one_hot
from ._engine import Spec, estep, grid, log_prob_table, valid
from ._models import item_arrays, probabilities
from ._multigroup_result import MultiGroupIRTResult, log_normal_prior
from ._start import start_values

__all__ = ["irt_multigroup"]

MODELS = ("graded", "2PL", "gpcm", "Rasch")
SE_TYPES = ("oakes", "crossprod", "none")
INVARIANCE = ("slopes", "intercepts", "free_means", "free_var")
#: Fewer respondents than this in a group: an error (no stable estimate is possible).
MIN_GROUP = 20
_SMALLEST_PROB = 1e-300


# ----------------------------------------------------------------------------- input
@dataclass(frozen=True)
class Groups:
    """Group membership: level names (reference first) and each respondent's group code."""

    levels: tuple[str, ...]
    codes: np.ndarray  # respondent -> 0 .. G-1


def split_group(
    data: pd.DataFrame | np.ndarray, group: Any,
) -> tuple[pd.DataFrame | np.ndarray, Groups]:
    """The item data and the groups (``group``: a column name of ``data`` or a sequence)."""
    if isinstance(group, str) and isinstance(data, pd.DataFrame):
        if group not in data.columns:
            raise OptionError(f"group {group!r} is not a column of data")
        values = data[group]
        data = data.drop(columns=[group])
    else:
        if isinstance(group, str):
            raise OptionError("group names a column, but data is not a DataFrame")
        values = group
    n_rows = data.shape[0]
    index = data.index if isinstance(data, pd.DataFrame) else pd.RangeIndex(n_rows)
    if isinstance(values, pd.Series) and isinstance(data, pd.DataFrame) and \
            not values.index.equals(index):
        if len(values) != n_rows or not values.index.sort_values().equals(
                index.sort_values()) or not index.is_unique:
            raise OptionError("group is a Series whose index does not match the data's rows "
                              "(pass one value per row, in the data's order)")
        values = values.reindex(index)  # aligned by row label, as pandas does
    series = (values.reset_index(drop=True) if isinstance(values, pd.Series)
              else pd.Series(np.asarray(values, dtype=object).ravel()))
    if len(series) != n_rows:
        raise OptionError(f"group has {len(series)} values for {n_rows} respondents")
    missing = series.isna().to_numpy()
    if missing.any():
        raise AnalysisError("respondent(s) without a group; give every respondent one",
                            column="group", rows=list(index[missing]))
    if isinstance(series.dtype, pd.CategoricalDtype):
        levels = [c for c in series.cat.categories if (series == c).any()]
    else:
        levels = sorted(series.unique(), key=lambda v: (str(type(v)), v))
    if len(levels) < 2:
        raise AnalysisError(
            f"group has {len(levels)} level(s) ({', '.join(map(repr, levels))}); a "
            "multiple-group model needs at least 2")
    codes = np.full(n_rows, -1, dtype=np.int64)
    for g, level in enumerate(levels):
        codes[(series == level).to_numpy()] = g
    sizes = np.bincount(codes, minlength=len(levels))
    small = [f"{levels[g]!r} ({sizes[g]})" for g in range(len(levels)) if sizes[g] < MIN_GROUP]
    if small:
        raise AnalysisError(
            f"group(s) with fewer than {MIN_GROUP} respondents cannot be estimated: "
            + ", ".join(small))
    few = [f"{levels[g]!r} ({sizes[g]})" for g in range(len(levels)) if sizes[g] < SMALL_N]
    if few:
        warn_user(f"group(s) with fewer than {SMALL_N} respondents give unstable estimates: "
                  + ", ".join(few), AllianceScaleWarning)
    return data, Groups(tuple(str(v) for v in levels), codes)


def equality_table(
    spec: Spec, items: tuple[str, ...], invariance: Sequence[str],
    equal: Mapping[str, Sequence[str]] | None,
) -> np.ndarray:
    """Items x k_max: True where the parameter is shared by every group."""
    eq = np.zeros(spec.free.shape, dtype=bool)
    slots = np.arange(spec.k_max)[None, :] < spec.n_cat[:, None]
    for token in invariance:
        if token == "slopes":
            eq[:, 0] = True
        elif token == "intercepts":
            eq[:, 1:] = True
        elif token in items:
            eq[items.index(token)] = True
        elif token not in ("free_means", "free_var"):
            raise OptionError(
                f"invariance has {token!r}; use 'slopes', 'intercepts', 'free_means', "
                "'free_var' or item names")
    for item, names in (equal or {}).items():
        if item not in items:
            raise OptionError(f"equal names {item!r}, which is not an item")
        j = items.index(item)
        for name in [names] if isinstance(names, str) else names:
            if name == "a1":
                eq[j, 0] = True
            elif name == "d":
                eq[j, 1:] = True
            elif (name.startswith("d") and name[1:].isdigit()
                  and 1 <= int(name[1:]) < spec.n_cat[j]):
                eq[j, int(name[1:])] = True
            else:
                raise OptionError(f"equal[{item!r}] has {name!r}; use 'a1', 'd' or 'd1' .. "
                                  f"'d{spec.n_cat[j] - 1}'")
    return eq & slots


# ----------------------------------------------------------------------------- structure
@dataclass
class Structure:
    """The estimated parameters of a multiple-group model and where each one goes."""

    spec: Spec
    n_groups: int
    eq: np.ndarray  # items x k_max, shared by every group
    mean_free: np.ndarray  # groups
    var_free: np.ndarray  # groups
    #: items x k_max x groups: groups with the same label share the parameter (default from
    #: ``eq``: all or none); a subset of the groups shares it with mirt's ``groups2test``
    ties: np.ndarray | None = None
    index: np.ndarray = field(init=False)  # groups x items x k_max -> phi position, -1
    n_item_par: int = field(init=False)
    mean_at: np.ndarray = field(init=False)  # groups -> phi position, -1 when fixed
    var_at: np.ndarray = field(init=False)
    local: dict[Any, Any] = field(default_factory=dict)  # M-step index cache

    def __post_init__(self) -> None:
        spec, g_count = self.spec, self.n_groups
        if self.ties is None:
            self.ties = np.where(self.eq[..., None], 0, np.arange(g_count)[None, None, :])
        self.eq = (self.ties == self.ties[..., :1]).all(axis=-1)
        index = np.full((g_count, *spec.free.shape), -1, dtype=np.int64)
        count = 0
        for j, p in zip(*np.nonzero(spec.free), strict=True):
            _, label = np.unique(self.ties[j, p], return_inverse=True)
            index[:, j, p] = count + label.ravel()
            count += int(label.max()) + 1
        self.index, self.n_item_par = index, count
        self.mean_at = np.where(self.mean_free, count + np.cumsum(self.mean_free) - 1, -1)
        count += int(self.mean_free.sum())
        self.var_at = np.where(self.var_free, count + np.cumsum(self.var_free) - 1, -1)

    @property
    def n_phi(self) -> int:
        return self.n_item_par + int(self.mean_free.sum()) + int(self.var_free.sum())

    def pack(self, pars: np.ndarray, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
        phi = np.empty(self.n_phi)
        mask = self.index >= 0
        phi[self.index[mask]] = pars[mask]
        phi[self.mean_at[self.mean_free]] = mean[self.mean_free]
        phi[self.var_at[self.var_free]] = var[self.var_free]
        return phi

    def unpack(self, phi: np.ndarray, pars: np.ndarray, mean: np.ndarray, var: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pars, mean, var = pars.copy(), mean.copy(), var.copy()
        mask = self.index >= 0
        pars[mask] = phi[self.index[mask]]
        mean[self.mean_free] = phi[self.mean_at[self.mean_free]]
        var[self.var_free] = phi[self.var_at[self.var_free]]
        return pars, mean, var

    def names(self, items: tuple[str, ...], levels: tuple[str, ...]) -> list[str]:
        labels = ["a1"] + [f"d{k}" for k in range(1, self.spec.k_max)]
        out = [""] * self.n_phi
        for g in range(self.n_groups):
            for j, p in zip(*np.nonzero(self.index[g] >= 0), strict=True):
                at = self.index[g, j, p]
                sharing = [levels[h] for h in np.flatnonzero(self.index[:, j, p] == at)]
                prefix = "" if len(sharing) == self.n_groups else "+".join(sharing) + "."
                out[at] = f"{prefix}{items[j]}.{labels[p]}"
            if self.mean_free[g]:
                out[self.mean_at[g]] = f"{levels[g]}.MEAN_1"
            if self.var_free[g]:
                out[self.var_at[g]] = f"{levels[g]}.COV_11"
        return out


@dataclass
class GroupData:
    """Each group's distinct patterns and their one-hot coding."""

    patterns: list[Any]
    onehot: list[np.ndarray]
    sizes: np.ndarray


def group_data(spec: Spec, codes: np.ndarray, groups: Groups) -> GroupData:
    patterns, onehots = [], []
    for g in range(len(groups.levels)):
        pat = collapse(codes[groups.codes == g])
        patterns.append(pat)
        onehots.append(one_hot(pat.codes, spec.offsets, spec.n_columns))
    return GroupData(patterns, onehots, np.bincount(groups.codes, minlength=len(groups.levels)))


# ----------------------------------------------------------------------------- EM
def _estep_all(st: Structure, gd: GroupData, pars: np.ndarray, mean: np.ndarray,
               var: np.ndarray, theta: np.ndarray) -> list[Any]:
    return [estep(gd.onehot[g], gd.patterns[g].counts, log_prob_table(st.spec, pars[g], theta),
                  log_normal_prior(theta, mean[g], var[g])) for g in range(st.n_groups)]


def _block_loglik(model: str, pars: np.ndarray, r: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Expected complete-data log-likelihood per item (pars: groups x items x K)."""
    g_count, n_items, k = pars.shape
    prob = probabilities(model, pars.reshape(-1, k), theta).reshape(g_count, n_items, k, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(r > 0, r * np.log(prob), 0.0).sum(axis=(0, 2, 3))
    bad = ~np.all(prob > 0, axis=(0, 2, 3)) | ~np.isfinite(out)
    out[bad] = -np.inf
    return out


def _local_index(st: Structure, items: np.ndarray, k: int) -> tuple[np.ndarray, int]:
    """items x groups x K positions of each parameter among the item's estimated ones."""
    key = (k, items.tobytes())
    if key not in st.local:
        st.local[key] = _build_local_index(st, items, k)
    return st.local[key]


def _build_local_index(st: Structure, items: np.ndarray, k: int) -> tuple[np.ndarray, int]:
    glob = st.index[:, items, :k].transpose(1, 0, 2)  # items x G x K
    local = np.full(glob.shape, -1, dtype=np.int64)
    for i in range(len(items)):
        used = glob[i][glob[i] >= 0]
        uniq = np.unique(used)
        local[i][glob[i] >= 0] = np.searchsorted(uniq, used)
    return local, st.n_groups * k


def _block_newton(
    st: Structure, model: str, k: int, items: np.ndarray, pars: np.ndarray,
    r: np.ndarray, theta: np.ndarray, max_iter: int = 1, tol: float = 1e-9,
) -> np.ndarray:
    """Newton steps on the estimated parameters of a batch of items across the groups
    (pars: groups x items x K, r: groups x items x K x points)."""
    local, m = _local_index(st, items, k)
    if not np.any(local >= 0):
        return pars
    g_count, n_items = pars.shape[:2]
    pars = pars.copy()
    current = _block_loglik(model, pars, r, theta)
    active = np.ones(n_items, dtype=bool)
    dump = m  # slot of fixed parameters
    for _ in range(max_iter):
        rows = np.flatnonzero(active)
        if rows.size == 0:
            break
        sub = pars[:, rows]
        prob, dprob, d2prob = item_arrays(model, sub.reshape(-1, k), theta)
        rr = r[:, rows].reshape(-1, k, theta.size)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(prob > 0, rr / prob, 0.0)
        grad = np.einsum("ikq,ikpq->ip", ratio, dprob).reshape(g_count, rows.size, k)
        hess = (np.einsum("ikq,ikpsq->ips", ratio, d2prob) - np.einsum(
            "ikq,ikpq,iksq->ips", ratio / np.where(prob > 0, prob, 1.0), dprob, dprob)
        ).reshape(g_count, rows.size, k, k)
        loc = np.where(local[rows] >= 0, local[rows], dump)  # rows x G x K
        gl = np.zeros((rows.size, m + 1))
        hl = np.zeros((rows.size, m + 1, m + 1))
        ri = np.arange(rows.size)[:, None, None]
        np.add.at(gl, (ri, loc), grad.transpose(1, 0, 2))
        np.add.at(hl, (ri[..., None], loc[..., :, None], loc[..., None, :]),
                  hess.transpose(1, 0, 2, 3))
        gl, hl = gl[:, :m], -hl[:, :m, :m]
        n_used = local[rows].max(axis=(1, 2)) + 1
        unused = np.arange(m)[None, :] >= n_used[:, None]
        hl[:, np.arange(m), np.arange(m)] += unused
        gl[unused] = 0.0
        lowest = np.linalg.eigvalsh(hl)[:, 0]
        shift = np.where(lowest < 1e-8, 1e-6 - lowest + 1e-3 * np.abs(hl).max(axis=(1, 2)), 0.0)
        hl = hl + shift[:, None, None] * np.eye(m)
        step = np.linalg.solve(hl, gl[:, :, None])[:, :, 0]
        padded = np.concatenate([step, np.zeros((rows.size, 1))], axis=1)  # dump slot: 0
        delta = np.take_along_axis(padded, loc.reshape(rows.size, -1), axis=1)
        delta = delta.reshape(loc.shape).transpose(1, 0, 2)  # G x rows x K
        scale = np.ones(rows.size)
        improved = np.zeros(rows.size, dtype=bool)
        for _half in range(30):
            trial = sub + scale[None, :, None] * delta
            new = _block_loglik(model, trial, r[:, rows], theta)
            ok = new >= current[rows] - 1e-12 * np.abs(current[rows])
            take = ok & ~improved
            sub[:, take] = trial[:, take]
            current[rows[take]] = new[take]
            improved |= ok
            if improved.all():
                break
            scale = np.where(improved, scale, scale / 2)
        pars[:, rows] = sub
        done = (np.abs(scale[:, None] * step).max(axis=1) < tol) | ~improved
        active[rows[done]] = False
    return pars


def _mstep(st: Structure, pars: np.ndarray, steps: list[Any], theta: np.ndarray) -> np.ndarray:
    spec = st.spec
    new = pars.copy()
    for model, k, items in spec.blocks:
        cols = spec.offsets[items][:, None] + np.arange(k)[None, :]
        r = np.stack([s.expected[cols] for s in steps])  # G x items x K x Q
        new[:, items, :k] = _block_newton(st, model, k, items, pars[:, items, :k], r, theta)
    return new


@dataclass
class MultiFit:
    pars: np.ndarray  # groups x items x k_max
    mean: np.ndarray
    var: np.ndarray
    loglik: float
    iterations: int
    converged: bool
    steps: list[Any]


def em_multigroup(
    st: Structure, gd: GroupData, pars: np.ndarray, mean: np.ndarray, var: np.ndarray,
    theta: np.ndarray, tol: float = 1e-4, max_cycles: int = 500,
) -> MultiFit:
    """EM over the groups, accelerated by SQUAREM (Varadhan & Roland 2008, scheme S3 with
    a monotone fallback): two EM cycles give the extrapolation ``x - 2 alpha r + alpha^2 v``,
    kept when its log-likelihood is not below the plain EM path's. Converged, as mirt, when
    every estimated parameter changes by less than ``tol`` over one EM cycle. (The latent
    mean and variance of a focal group creep along a ridge under plain EM: 100+ cycles
    with four anchor items; mirt's Ramsay step, which the single-group engine uses, helps
    less there.)"""
    pars, mean, var = pars.copy(), mean.astype(float), var.astype(float)
    cycles = 0

    def em_map(vec: np.ndarray) -> tuple[np.ndarray, float]:
        """One EM cycle from ``vec``: the new parameters and the log-likelihood at ``vec``."""
        nonlocal cycles
        cycles += 1
        p, m, v = st.unpack(vec, pars, mean, var)
        steps = _estep_all(st, gd, p, m, v, theta)
        p = _mstep(st, p, steps, theta)
        for g, s in enumerate(steps):
            n = s.marginal.sum()
            if st.mean_free[g]:
                m[g] = float(s.marginal @ theta / n)
            if st.var_free[g]:
                v[g] = float(s.marginal @ (theta - m[g]) ** 2 / n)
        return st.pack(p, m, v), float(sum(s.loglik for s in steps))

    def admissible(vec: np.ndarray) -> bool:
        p, _, v = st.unpack(vec, pars, mean, var)
        return bool(np.all(v > 1e-4)) and all(valid(st.spec, p[g], theta)
                                              for g in range(st.n_groups))

    x = st.pack(pars, mean, var)
    converged = max_cycles == 0
    while cycles < max_cycles:
        x1, _ = em_map(x)
        if np.all(np.abs(x1 - x) < tol):
            x, converged = x1, True
            break
        if cycles >= max_cycles:
            x = x1
            break
        x2, ll1 = em_map(x1)
        if np.all(np.abs(x2 - x1) < tol):
            x, converged = x2, True
            break
        r, v = x1 - x, x2 - 2 * x1 + x
        denom = v @ v
        alpha = -np.sqrt((r @ r) / denom) if denom > 0 else -1.0
        alpha = min(alpha, -1.0)
        x = x2
        for _ in range(6):  # shrink the extrapolation until it is admissible and no worse
            if alpha == -1.0:
                break
            trial = (x1 - r) - 2 * alpha * r + alpha**2 * v
            if admissible(trial) and cycles < max_cycles:
                stabilised, ll_trial = em_map(trial)
                if np.isfinite(ll_trial) and ll_trial >= ll1 - 1e-8 * abs(ll1) and \
                        admissible(stabilised):
                    x = stabilised
                    break
            alpha = (alpha - 1.0) / 2.0
            if alpha > -1.0 + 1e-3:
                break
    pars, mean, var = st.unpack(x, pars, mean, var)
    steps = _estep_all(st, gd, pars, mean, var, theta)
    return MultiFit(pars, mean, var, float(sum(s.loglik for s in steps)), cycles, converged,
                    steps)


# ----------------------------------------------------------------------------- information
def _latent_scores(theta: np.ndarray, mean: float, var: float) -> tuple[np.ndarray, np.ndarray]:
    """d log w_q / d mean and d log w_q / d var of the grid-normalised normal weights."""
    w = np.exp(log_normal_prior(theta, mean, var))
    s_mean = (theta - mean) / var
    s_var = 0.5 * (theta - mean) ** 2 / var**2
    return s_mean - w @ s_mean, s_var - w @ s_var


def gradient(st: Structure, gd: GroupData, phi: np.ndarray, pars: np.ndarray, mean: np.ndarray,
             var: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Observed-data gradient at ``phi`` (Fisher's identity: the posterior-expected
    complete-data gradient)."""
    pars, mean, var = st.unpack(phi, pars, mean, var)
    steps = _estep_all(st, gd, pars, mean, var, theta)
    spec = st.spec
    out = np.zeros(st.n_phi)
    for model, k, items in spec.blocks:
        cols = spec.offsets[items][:, None] + np.arange(k)[None, :]
        for g, s in enumerate(steps):
            prob, dprob, _ = item_arrays(model, pars[g, items, :k], theta, second=False)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(prob > 0, s.expected[cols] / prob, 0.0)
            grad = np.einsum("ikq,ikpq->ip", ratio, dprob)
            where = st.index[g, items, :k]
            np.add.at(out, where[where >= 0], grad[where >= 0])
    for g, s in enumerate(steps):
        s_mean, s_var = _latent_scores(theta, mean[g], var[g])
        if st.mean_free[g]:
            out[st.mean_at[g]] += s.marginal @ s_mean
        if st.var_free[g]:
            out[st.var_at[g]] += s.marginal @ s_var
    return out


def observed_information(st: Structure, gd: GroupData, fit: MultiFit, theta: np.ndarray
                         ) -> np.ndarray:
    """Minus the Jacobian of the observed-data gradient, by central differences."""
    phi = st.pack(fit.pars, fit.mean, fit.var)
    out = np.empty((phi.size, phi.size))
    for i in range(phi.size):
        h = 1e-5 * max(1.0, abs(phi[i]))
        up, down = phi.copy(), phi.copy()
        up[i] += h
        down[i] -= h
        out[:, i] = -(gradient(st, gd, up, fit.pars, fit.mean, fit.var, theta)
                      - gradient(st, gd, down, fit.pars, fit.mean, fit.var, theta)) / (2 * h)
    return (out + out.T) / 2


def crossprod_information(st: Structure, gd: GroupData, fit: MultiFit, theta: np.ndarray
                          ) -> np.ndarray:
    """Cross-product of the respondents' (patterns') observed-data gradients."""
    spec = st.spec
    k_max, n_items, n_points = spec.k_max, len(spec.models), theta.size
    out = np.zeros((st.n_phi, st.n_phi))
    for g, s in enumerate(fit.steps):
        table = np.zeros((n_items, k_max + 1, k_max, n_points))  # d log P / d par
        for model, k, items in spec.blocks:
            prob, dprob, _ = item_arrays(model, fit.pars[g, items, :k], theta, second=False)
            with np.errstate(divide="ignore", invalid="ignore"):
                table[items[:, None], np.arange(k)[None, :], :k] = np.where(
                    prob[:, :, None] > 0, dprob / prob[:, :, None], 0.0)
        pat = gd.patterns[g]
        n_pat = len(pat.counts)
        codes = np.where(pat.codes >= 0, pat.codes, k_max)
        mean_table = (s.posterior @ table.transpose(3, 0, 1, 2).reshape(n_points, -1)
                      ).reshape(n_pat, n_items, k_max + 1, k_max)
        per = mean_table[np.arange(n_pat)[:, None], np.arange(n_items)[None, :], codes]
        scores = np.zeros((n_pat, st.n_phi))
        where = st.index[g]
        mask = where >= 0
        scores[:, where[mask]] += per[:, mask]
        s_mean, s_var = _latent_scores(theta, fit.mean[g], fit.var[g])
        if st.mean_free[g]:
            scores[:, st.mean_at[g]] += s.posterior @ s_mean
        if st.var_free[g]:
            scores[:, st.var_at[g]] += s.posterior @ s_var
        out += (scores * pat.counts[:, None]).T @ scores
    return out


# ----------------------------------------------------------------------------- fitting
def check_identified(st: Structure, coded: Coded, groups: Groups) -> None:
    """mirt's identification checks: free latent means need shared intercepts, free
    variances shared slopes; a group-specific intercept needs all of the item's categories
    in that group (else mirt stops: the parameter is not identified)."""
    spec = st.spec
    if st.mean_free.any() and not np.any(np.all(st.eq[:, 1:] | ~spec.free[:, 1:], axis=1)):
        raise OptionError("free_means needs anchor items (items whose intercepts are equal "
                          "across groups: 'intercepts' or item names in invariance)")
    if st.var_free[1:].any() and not spec.slope_fixed and not st.eq[:, 0].any():
        raise OptionError("free_var needs anchor items (items whose slopes are equal across "
                          "groups: 'slopes' or item names in invariance)")
    problems = []
    for g, level in enumerate(groups.levels):
        codes = coded.codes[groups.codes == g]
        for j, item in enumerate(coded.items):
            k = int(spec.n_cat[j])
            sharing = (st.index[:, j, :k] == st.index[g, j, :k]).sum(axis=0)
            specific = spec.free[j, :k] & (sharing == 1)
            if not specific.any():
                continue
            seen = np.unique(codes[:, j][codes[:, j] >= 0])
            if seen.size < k:
                lacking = [coded.categories[j][c] for c in range(k) if c not in seen]
                problems.append(
                    f"item {item!r} in group {level!r}: "
                    + ("no answer" if seen.size == 0 else
                       "constant" if seen.size == 1 else "no answer in category")
                    + ("" if seen.size <= 1 else " " + ", ".join(f"{v:g}" for v in lacking)))
    if problems:
        raise AnalysisError(
            "group-specific parameters are not identified (mirt stops here too): "
            + "; ".join(problems)
            + ". Make the item equal across groups (invariance=[item]; in dif(), an anchor) "
            "or merge its categories")


def fit_structure(
    st: Structure, coded: Coded, groups: Groups, gd: GroupData, *, tol: float,
    max_cycles: int, start: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    announce: bool = True,
) -> MultiFit:
    theta = grid()
    if start is None:
        patterns = coded.distinct()
        base = start_values(st.spec, patterns.codes, patterns.counts)
        pars = np.repeat(base[None], st.n_groups, axis=0)
        mean, var = np.zeros(st.n_groups), np.ones(st.n_groups)
    else:
        pars, mean, var = (x.copy() for x in start)
        # shared parameters start from the groups' average (a constraint being added)
        phi = np.zeros(st.n_phi)
        count = np.zeros(st.n_phi)
        mask = st.index >= 0
        np.add.at(phi, st.index[mask], pars[mask])
        np.add.at(count, st.index[mask], 1.0)
        phi[: st.n_item_par] /= np.maximum(count[: st.n_item_par], 1.0)
        phi[st.mean_at[st.mean_free]] = mean[st.mean_free]
        phi[st.var_at[st.var_free]] = var[st.var_free]
        pars, mean, var = st.unpack(phi, pars, mean, var)
        for g in range(st.n_groups):
            if not valid(st.spec, pars[g], theta):
                pars[g] = start[0][g]
    fit = em_multigroup(st, gd, pars, mean, var, theta, tol=tol, max_cycles=max_cycles)
    if announce and not fit.converged:
        warn_user(f"EM did not converge within tol={tol:g} after {max_cycles} cycles; the "
                  "result is flagged (converged=False)", AllianceScaleWarning)
    return fit


def prepare(data: pd.DataFrame | np.ndarray, group: Any, model: str
            ) -> tuple[Coded, Groups, Spec]:
    check_choice("model", model, MODELS)
    data, groups = split_group(data, group)
    coded = code_responses(data)
    n_cat = coded.n_categories
    if model == "2PL" and np.any(n_cat > 2):
        bad = [coded.items[j] for j in np.flatnonzero(n_cat > 2)]
        raise AnalysisError(f"the 2PL is for binary items; {', '.join(map(repr, bad))} have "
                            "more than two categories (use model='graded')")
    kinds = tuple("gpcm" if model in ("gpcm", "Rasch") else "graded" for _ in coded.items)
    rasch = model == "Rasch"
    spec = Spec(kinds, n_cat, slope_fixed=rasch, variance_free=rasch)
    return coded, groups, spec


def irt_multigroup(
    data: pd.DataFrame | np.ndarray,
    group: Any,
    model: str = "graded",
    *,
    invariance: Sequence[str] = (),
    equal: Mapping[str, Sequence[str]] | None = None,
    se: str | None = "oakes",
    tol: float = 1e-4,
    max_cycles: int = 500,
) -> MultiGroupIRTResult:
    """Fit a unidimensional IRT model in several groups at once, as mirt's ``multipleGroup()``.

    Marginal ML by EM over mirt's quadrature (61 points on [-6, 6]); each group has its own
    normal latent density, the reference group (the first level of ``group``: the first
    category of a categorical, else the smallest value) ``N(0, 1)``. Item parameters are
    group-specific unless ``invariance`` / ``equal`` make them equal across groups. Only the
    answers given enter the likelihood (missing answers are full-information, never
    listwise, as in :func:`irt`).

    Parameters
    ----------
    data : DataFrame or 2-D array
        Respondents x items, integer answers (missing as NaN), coded as :func:`irt` codes
        them (categories over all groups).
    group : str or sequence
        A column of ``data`` (removed from the items) or one value per respondent (no
        missing values). At least 2 levels, each with at least 20 respondents.
    model : {"graded", "2PL", "gpcm", "Rasch"}, default "graded"
        As in :func:`irt`; ``"Rasch"`` estimates the latent variance of every group (as
        mirt's ``itemtype = 'Rasch'``).
    invariance : sequence of str, default ()
        mirt's ``invariance``: ``"slopes"`` (every item's slope equal across groups),
        ``"intercepts"`` (every intercept), item names (all of that item's parameters: an
        anchor item), ``"free_means"`` / ``"free_var"`` (estimate the latent means /
        variances of the non-reference groups; they need anchors). Empty: the configural
        model (every parameter group-specific, every group ``N(0, 1)``).
    equal : mapping of str to sequence of str, optional
        Per-item equality constraints (mirt's ``constrain``): ``{"q3": ["a1"], "q4":
        ["d"]}``; names ``"a1"``, ``"d"`` (every intercept) or ``"d1"`` ....
    se : {"oakes", "crossprod", "none"} or None, default "oakes"
        ``"oakes"``: observed information (mirt's default ``SE.type``), by central
        differences of the exact observed-data gradient; ``"crossprod"``: cross-product of
        the respondents' gradients.
    tol : float, default 1e-4
        EM convergence tolerance (mirt's ``TOL``).
    max_cycles : int, default 500
        Most EM cycles; a model that has not converged is flagged with a warning.

    Returns
    -------
    MultiGroupIRTResult
        Per-group coefficients (``coef()``), latent means and variances with SEs
        (``latent()``), log-likelihood, AIC, BIC.

    Raises
    ------
    AnalysisError
        A group with one level or fewer than 20 respondents, a respondent without a group,
        or a group-specific parameter that is not identified (an item constant in a group,
        or a category nobody in the group chose: the message names item and group; mirt
        stops there too).
    OptionError
        Free latent means or variances without anchor items; an unknown invariance token.

    See Also
    --------
    irt : one group.
    dif : differential item functioning tests built on this model.

    References
    ----------
    Bock, R. D., & Zimowski, M. F. (1997). Multiple group IRT. In W. J. van der Linden & R.
    K. Hambleton (Eds.), Handbook of Modern Item Response Theory (pp. 433-448). Springer.
    Chalmers, R. P. (2012). mirt: A multidimensional item response theory package for the
    R environment. Journal of Statistical Software, 48(6), 1-29.

    Examples
    --------
    >>> import numpy as np
    >>> import alliance_scale as als
    >>> a, d = [1.2, 1.0, 1.4, 0.8, 1.1], [[1.0, -0.5]] * 5
    >>> data = als.simulate_irt(a, d, n=600, seed=1)
    >>> group = np.repeat(["en", "fr"], 300)
    >>> # In R: mirt::multipleGroup(data, 1, group, invariance = c("slopes", "intercepts",
    >>> #           "free_means", "free_var"))
    >>> fit = als.irt_multigroup(data, group, invariance=("slopes", "intercepts",
    ...                                                   "free_means", "free_var"))
    >>> fit.latent().round(2)["mean"].tolist()
    [0.0, 0.13]
    """
    se_type = "none" if se is None else se
    check_choice("se", se_type, SE_TYPES)
    tol = check_number("tol", tol, 0.0, low_open=True)
    max_cycles = check_integer("max_cycles", max_cycles, minimum=1)
    if isinstance(invariance, str):
        invariance = (invariance,)
    invariance = tuple("free_means" if t == "free_mean" else t for t in invariance)
    coded, groups, spec = prepare(data, group, model)
    eq = equality_table(spec, coded.items, invariance, equal)
    g_count = len(groups.levels)
    mean_free = np.zeros(g_count, dtype=bool)
    var_free = np.zeros(g_count, dtype=bool)
    mean_free[1:] = "free_means" in invariance
    var_free[1:] = "free_var" in invariance
    var_free[:] |= model == "Rasch"
    return _fit_result(coded, groups, spec, eq, mean_free, var_free, model=model,
                       invariance=invariance, se_type=se_type, tol=tol, max_cycles=max_cycles)


def _fit_result(
    coded: Coded, groups: Groups, spec: Spec, eq: np.ndarray, mean_free: np.ndarray,
    var_free: np.ndarray, *, model: str, invariance: tuple[str, ...], se_type: str, tol: float,
    max_cycles: int, start: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    gd: GroupData | None = None, announce: bool = True, ties: np.ndarray | None = None,
) -> MultiGroupIRTResult:
    st = Structure(spec, len(groups.levels), eq, mean_free, var_free, ties)
    check_identified(st, coded, groups)
    if gd is None:
        gd = group_data(spec, coded.codes, groups)
    with single_threaded_blas():
        fit = fit_structure(st, coded, groups, gd, tol=tol, max_cycles=max_cycles, start=start,
                            announce=announce)
        vcov = None
        if se_type != "none":
            theta = grid()
            info = (observed_information(st, gd, fit, theta) if se_type == "oakes"
                    else crossprod_information(st, gd, fit, theta))
            try:
                inverse = np.linalg.inv(info)
            except np.linalg.LinAlgError:
                inverse = np.full(info.shape, np.nan)
                warn_user("the information matrix is singular: no standard errors",
                          AllianceScaleWarning)
            names = st.names(coded.items, groups.levels)
            vcov = pd.DataFrame(inverse, index=names, columns=names)
    return MultiGroupIRTResult(
        model=model, items=coded.items, groups=groups.levels, categories=coded.categories,
        invariance=invariance, loglik=fit.loglik,
        n_obs=tuple(int(n) for n in gd.sizes), n_parameters=st.n_phi,
        means=tuple(float(m) for m in fit.mean), variances=tuple(float(v) for v in fit.var),
        iterations=fit.iterations, converged=fit.converged, tol=tol,
        se_type=None if se_type == "none" else se_type, vcov=vcov,
        _structure=st, _pars=fit.pars, _codes=coded.codes, _group_codes=groups.codes,
        _index=coded.index,
    )
