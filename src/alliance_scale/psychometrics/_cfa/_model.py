"""The parameter table of a CFA and its LISREL matrices, implied moments and derivatives.

As lavaan (``lavaanify`` / ``lav_model``), a model is a parameter table: one row per
parameter and group (``lhs op rhs``), fixed or free, with the defaults of lavaan's
``cfa()`` added (residual and latent variances, covariances of exogenous factors,
thresholds, intercepts and scaling factors when needed; the first loading of each factor
fixed at 1 unless ``std_lv``). Each row lives in one matrix of the all-y LISREL model::

    Sigma = Lambda A Psi A' Lambda' + Theta,   A = (I - B)^-1
    mu    = nu + Lambda A alpha

(``B`` holds the loadings of factors on second-order factors). For ordered items
(lavaan's delta parameterization) the model gives the polychoric correlations
``delta_i delta_j Sigma*_ij`` and thresholds ``(tau - mu*) delta``, the residual variances
being ``1 / delta^2 - (Lambda Phi Lambda')_jj``.

Every free parameter changes ``Sigma`` by a symmetric rank-2 matrix ``x y' + y x'``;
keeping the pairs ``(x, y)`` instead of the ``p x p`` derivatives makes the information
matrix ``O(p^2 q + p q^2)`` instead of ``O(q p^3)`` (see :mod:`._engine`). Hand-written:
no Python package builds lavaan's parameter tables.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse

from ...errors import AnalysisError, OptionError
from ._syntax import Statement, shorten

__all__ = ["GROUP_EQUAL", "Model", "build_model", "lower_pairs", "variable_names"]

#: Parameter kinds accepted by ``group_equal`` (lavaan's names) and their test.
GROUP_EQUAL = ("loadings", "intercepts", "means", "thresholds", "residuals",
               "residual.covariances", "lv.variances", "lv.covariances", "regressions")


@dataclass
class Row:
    lhs: str
    op: str
    rhs: str
    group: int
    user: bool
    fixed: bool
    value: float  # fixed value or start (nan: computed)
    label: str
    mat: str = ""
    row: int = 0
    col: int = 0
    free: int = -1  # index into the parameter vector, -1 when fixed
    derived: bool = False  # residual variance of an ordered item (delta parameterization)
    equal: str = ""  # lavaan's equal("f=~x2") modifier as written
    tie: str = ""  # label shared with the parameter named by ``equal``


def _pick(values: tuple | None, group: int, ngroups: int, line: int) -> object:
    """The modifier of ``group`` (``c()`` has one per group)."""
    if values is None:
        return _ABSENT
    if len(values) == 1:
        return values[0]
    if len(values) != ngroups:
        raise OptionError(f"model syntax, line {line}: c() has {len(values)} values for "
                          f"{ngroups} group(s)")
    return values[group]


_ABSENT = object()


class Model:
    """Parameter table + matrix layout of a CFA (see module docstring).

    Attributes
    ----------
    rows : list of Row
        Every parameter of every group, lavaan's order.
    ov, lv : list of str
        Observed and latent variable names (model order).
    ngroups, n_free : int
    ordered : bool
        All items ordered (delta parameterization).
    meanstructure : bool
    thresholds : list of int
        Thresholds per item (ordered models).
    """

    def __init__(self, rows: list[Row], ov: list[str], lv: list[str], ngroups: int,
                 ordered: bool, meanstructure: bool, thresholds: Sequence[int],
                 parameterization: str = "delta") -> None:
        self.rows, self.ov, self.lv = rows, ov, lv
        self.parameterization = parameterization
        self.ngroups, self.ordered, self.meanstructure = ngroups, ordered, meanstructure
        self.thresholds = list(thresholds)
        self.p, self.m = len(ov), len(lv)
        self.n_free = 1 + max((r.free for r in rows), default=-1)
        self.nth = int(sum(self.thresholds))
        self.th_item = (np.repeat(np.arange(self.p), self.thresholds) if ordered
                        else np.zeros(0, int))
        self.has_beta = any(r.mat == "beta" for r in rows)
        self._index()

    # ---------------------------------------------------------------- layout
    def _index(self) -> None:
        """Per group and matrix: positions, fixed values and parameter indices."""
        mats = ("lambda", "beta", "theta", "psi", "nu", "alpha", "tau", "delta")
        grouped: list[dict[str, list[Row]]] = [{mat: [] for mat in mats}
                                               for _ in range(self.ngroups)]
        self.free_rows = [[] for _ in range(self.ngroups)]
        for r in self.rows:  # one pass: linear in the rows
            if r.mat in grouped[r.group] and not r.derived:
                grouped[r.group][r.mat].append(r)
            if r.free >= 0:
                self.free_rows[r.group].append(r)
        self.layout = [{mat: (np.array([r.row for r in rows], int),
                              np.array([r.col for r in rows], int),
                              np.array([r.free for r in rows], int),
                              np.array([r.value for r in rows], float))
                        for mat, rows in entries.items()} for entries in grouped]
        self.sparse_map = [
            scipy.sparse.csr_matrix((np.ones(len(free)), ([*range(len(free))],
                                                           [r.free for r in free])),
                                    shape=(len(free), self.n_free))
            for free in self.free_rows]

    @property
    def entry_map(self) -> list[np.ndarray]:
        """Free rows of each group x parameters, 1 where a row is that parameter (dense;
        computed once per ``sparse_map``: read it, do not write into it)."""
        cached = self.__dict__.get("_entry_map")
        if cached is None or cached[0] is not self.sparse_map:
            cached = (self.sparse_map, [m.toarray() for m in self.sparse_map])
            self.__dict__["_entry_map"] = cached
        return cached[1]

    def values(self, x: np.ndarray) -> np.ndarray:
        """The value of every row (fixed value or estimate; derived rows filled later)."""
        return np.array([x[r.free] if r.free >= 0 else r.value for r in self.rows])

    def matrices(self, x: np.ndarray, g: int) -> dict[str, np.ndarray]:
        """LISREL matrices of group ``g`` at parameters ``x``."""
        out = {}
        for mat, shape, r, c, is_free, index, fixed in self._matrix_plan(g):
            matrix = np.ones(shape) if mat == "delta" else np.zeros(shape)
            if len(r):
                values = np.where(is_free, x[index], fixed)
                matrix[r, c] = values
                if mat in ("theta", "psi"):
                    matrix[c, r] = values
            out[mat] = matrix
        return out

    def _matrix_plan(self, g: int) -> list[tuple]:
        """:meth:`matrices`' per-matrix shapes and index arrays of group ``g`` (cached per
        ``layout``)."""
        cache = self.__dict__.get("_matrix_plans")
        if cache is None or cache[0] is not self.layout:
            cache = (self.layout, {})
            self.__dict__["_matrix_plans"] = cache
        if g not in cache[1]:
            p, m = self.p, self.m
            shapes = {"lambda": (p, m), "beta": (m, m), "theta": (p, p), "psi": (m, m),
                      "nu": (p, 1), "alpha": (m, 1), "tau": (self.nth, 1), "delta": (p, 1)}
            cache[1][g] = [(mat, shapes[mat], r, c, free >= 0, np.maximum(free, 0), fixed)
                           for mat, (r, c, free, fixed) in self.layout[g].items()]
        return cache[1][g]

    # ---------------------------------------------------------------- moments
    def implied(self, x: np.ndarray, g: int) -> dict[str, np.ndarray]:
        """Implied moments of group ``g``: ``sigma``, ``mu`` (continuous) or ``cor``,
        ``th`` (ordered), with the pieces the derivatives need."""
        mats = self.matrices(x, g)
        lam, psi, theta = mats["lambda"], mats["psi"], mats["theta"]
        a = np.linalg.inv(np.eye(self.m) - mats["beta"]) if self.has_beta else np.eye(self.m)
        phi = a @ psi @ a.T
        loading_a = lam @ a
        lam_phi = lam @ phi
        common = lam_phi @ lam.T
        a_alpha = (a @ mats["alpha"])[:, 0]
        mu = mats["nu"][:, 0] + loading_a @ a_alpha
        out = {"mats": mats, "A": a, "phi": phi, "L": loading_a, "LF": lam_phi,
               "a_alpha": a_alpha}
        if self.ordered and self.parameterization == "theta":
            star = common + theta  # residual variances are parameters, scales follow
            delta = 1.0 / np.sqrt(np.maximum(np.diag(star), 1e-12))
            out.update(sigma_star=star, theta=theta, delta=delta, mu_star=mu,
                       cor=star * np.outer(delta, delta),
                       th=(mats["tau"][:, 0] - mu[self.th_item]) * delta[self.th_item])
        elif self.ordered:
            delta = mats["delta"][:, 0]
            star = common + theta
            np.fill_diagonal(star, 1.0 / delta ** 2)
            theta = theta.copy()
            np.fill_diagonal(theta, 1.0 / delta ** 2 - np.diag(common))
            out.update(sigma_star=star, theta=theta, delta=delta, mu_star=mu,
                       cor=star * np.outer(delta, delta),
                       th=(mats["tau"][:, 0] - mu[self.th_item]) * delta[self.th_item])
        else:
            out.update(sigma=common + theta, mu=mu, theta=theta)
        return out

    def derivative_factors(self, x: np.ndarray, g: int, implied: dict | None = None,
                           rows: list[Row] | None = None) -> dict[str, np.ndarray]:
        """Rank-2 factors of the derivatives of group ``g``'s moments, one column per row.

        ``dSigma_e = X[:, e] Y[:, e]' + Y[:, e] X[:, e]'`` and ``dmu_e = M[:, e]`` for
        each row ``e`` of ``rows`` (default: the free rows of the group); for ordered
        models also ``T`` (threshold derivatives, nth x E) and ``D`` (derivatives with
        respect to the scaling factors, an index per column or -1).
        """
        imp = implied if implied is not None else self.implied(x, g)
        rows = self.free_rows[g] if rows is None else rows
        p, count = self.p, len(rows)
        big_x, big_y, big_m = np.zeros((p, count)), np.zeros((p, count)), np.zeros((p, count))
        tau_col, delta_col = np.full(count, -1), np.full(count, -1)
        loading_a, lam_phi, a_alpha = imp["L"], imp["LF"], imp["a_alpha"]
        plan = self._row_plan(rows)
        used = plan["used"]
        if "lambda" in used:
            e, i, j = plan["lambda"]
            big_x[i, e] = 1.0
            big_y[:, e] = lam_phi[:, j]
            big_m[i, e] = a_alpha[j]
        if "psi" in used:
            e, i, j = plan["psi"]
            big_x[:, e] = loading_a[:, i]
            big_y[:, e] = loading_a[:, j] * np.where(i == j, 0.5, 1.0)
        if "beta" in used:
            e, i, j = plan["beta"]
            big_x[:, e] = loading_a[:, i]
            big_y[:, e] = lam_phi[:, j]
            big_m[:, e] = loading_a[:, i] * a_alpha[j]
        if "theta" in used:
            e, i, j = plan["theta"]
            big_x[i, e] = 1.0
            big_y[j, e] = np.where(i == j, 0.5, 1.0)
        if "nu" in used:
            e, i, _j = plan["nu"]
            big_m[i, e] = 1.0
        if "alpha" in used:
            e, i, _j = plan["alpha"]
            big_m[:, e] = loading_a[:, i]
        if "tau" in used:
            e, i, _j = plan["tau"]
            tau_col[e] = i
        if "delta" in used:
            e, i, _j = plan["delta"]
            delta_col[e] = i
        return {"X": big_x, "Y": big_y, "M": big_m, "tau": tau_col, "delta": delta_col,
                "implied": imp}

    def _row_plan(self, rows: list[Row]) -> dict[str, tuple[np.ndarray, ...]]:
        """Per matrix: the columns, row and column positions of ``rows`` (the index arrays
        :meth:`derivative_factors` fills its factors with), cached per list of rows."""
        cache = self.__dict__.setdefault("_plans", {})
        key = (id(rows), len(rows))
        hit = cache.get(key)
        if hit is not None and hit[0] is rows:
            return hit[1]
        mats = ("lambda", "psi", "beta", "theta", "nu", "alpha", "tau", "delta")
        picked: dict[str, list[tuple[int, int, int]]] = {mat: [] for mat in mats}
        for e, r in enumerate(rows):
            if r.mat in picked:
                picked[r.mat].append((e, r.row, r.col))
        plan = {mat: tuple(np.array(v, int).reshape(-1, 3).T) for mat, v in picked.items()}
        plan["used"] = {mat for mat, v in picked.items() if v}
        cache[key] = (rows, plan)
        return plan

    # ---------------------------------------------------------------- ordered models
    def wls_jacobian(self, factors: dict[str, np.ndarray]) -> np.ndarray:
        """Derivatives of (thresholds, polychorics) with respect to the rows: nstat x E."""
        imp = factors["implied"]
        delta, star = imp["delta"], imp["sigma_star"]
        low_r, low_c = lower_pairs(self.p)
        big_x, big_y, big_m = factors["X"], factors["Y"], factors["M"]
        if self.parameterization == "theta":
            return self._theta_jacobian(factors)
        scale = (delta[low_r] * delta[low_c])[:, None]
        item = self.th_item
        out = np.zeros((len(item) + len(low_r), big_x.shape[1]))
        d_th, d_cor = out[:len(item)], out[len(item):]
        # dcor_ij / de = (X_ie Y_je + Y_ie X_je) d_i d_j: 0 where a factor's column is 0
        # (thresholds, most of the columns): only the others are computed
        active = np.flatnonzero(big_x.any(axis=0) & big_y.any(axis=0))
        part_x, part_y = big_x[:, active], big_y[:, active]
        d_cor[:, active] = (part_x[low_r] * part_y[low_c] + part_y[low_r] * part_x[low_c]) \
            * scale
        d_th[...] = -big_m[item] * delta[item][:, None]
        columns = np.flatnonzero(factors["tau"] >= 0)  # one threshold each: no repeats
        d_th[factors["tau"][columns], columns] += delta[item[factors["tau"][columns]]]
        mats_tau = imp["mats"]["tau"][:, 0]
        for e in np.flatnonzero(factors["delta"] >= 0):
            j = factors["delta"][e]
            d_th[item == j, e] += mats_tau[item == j] - imp["mu_star"][j]
            d_cor[:, e] += ((low_r == j) * delta[low_c] + (low_c == j) * delta[low_r]) * \
                star[low_r, low_c]
        return out

    def _theta_jacobian(self, factors: dict[str, np.ndarray]) -> np.ndarray:
        """:meth:`wls_jacobian` of the theta parameterization: ``cor_ij = s_ij d_i d_j``
        and ``th_k = (tau_k - mu_j) d_j`` with ``d_j = s_jj^(-1/2)``, so each derivative
        adds the change of the scales, ``dd_j / d_j = -ds_jj / (2 s_jj)``."""
        imp = factors["implied"]
        delta, star, cor = imp["delta"], imp["sigma_star"], imp["cor"]
        low_r, low_c = lower_pairs(self.p)
        big_x, big_y, big_m = factors["X"], factors["Y"], factors["M"]
        relative = -big_x * big_y / np.diag(star)[:, None]  # dd_j / d_j, p x E
        d_cor = (big_x[low_r] * big_y[low_c] + big_y[low_r] * big_x[low_c]) * \
            (delta[low_r] * delta[low_c])[:, None]
        d_cor += cor[low_r, low_c][:, None] * (relative[low_r] + relative[low_c])
        item = self.th_item
        d_th = -big_m[item] * delta[item][:, None] + imp["th"][:, None] * relative[item]
        for e in np.flatnonzero(factors["tau"] >= 0):
            d_th[factors["tau"][e], e] += delta[item[factors["tau"][e]]]
        return np.vstack([d_th, d_cor])

    def wls_vector(self, imp: dict[str, np.ndarray]) -> np.ndarray:
        low_r, low_c = lower_pairs(self.p)
        return np.concatenate([imp["th"], imp["cor"][low_r, low_c]])

    # ---------------------------------------------------------------- bookkeeping
    def ndat(self) -> int:
        """Sample statistics per group times groups (lavaan's ``ndat``)."""
        p = self.p
        per = self.nth + p * (p - 1) // 2 if self.ordered else \
            p * (p + 1) // 2 + (p if self.meanstructure else 0)
        return per * self.ngroups

    def start_vector(self) -> np.ndarray:
        x = np.full(self.n_free, np.nan)
        for r in self.rows:
            if r.free >= 0 and np.isnan(x[r.free]):
                x[r.free] = r.value
        return x

    def label(self, r: Row) -> str:
        return f"{r.lhs} {r.op} {r.rhs}".strip() + (f" (group {r.group + 1})"
                                                      if self.ngroups > 1 else "")


def lower_pairs(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of lavaan's ``vech(R, diagonal = FALSE)`` (column-wise)."""
    cols, rows = np.triu_indices(p, k=1)
    return rows, cols


# ============================================================================ building


def variable_names(statements: list[Statement]) -> tuple[list[str], list[str]]:
    """Observed and latent variable names in model order (lavaan's ``ov`` and ``lv``)."""
    latent = list(dict.fromkeys(s.lhs for s in statements if s.op == "=~"))
    is_latent = set(latent)
    seen: dict[str, None] = {}  # insertion-ordered set: linear in the statements
    for s in statements:
        for name in ((s.lhs,) if s.op == "|" else (s.lhs, s.rhs)):
            if name and name not in is_latent:
                seen.setdefault(name)
    observed = list(seen)
    latent_set = is_latent
    _check_cycles(statements, latent_set)
    for s in statements:
        if s.op == "~" and (s.lhs not in latent_set or s.rhs not in latent_set):
            raise OptionError(f"model syntax, line {s.line}: '{s.lhs} ~ {s.rhs}': only "
                              "regressions among factors are supported in a CFA")
        if s.op == "~~" and (s.lhs in latent_set) != (s.rhs in latent_set):
            raise OptionError(f"model syntax, line {s.line}: '{s.lhs} ~~ {s.rhs}' mixes a "
                              "factor and an observed variable")
        if s.op in ("|", "~*~") and s.lhs in latent_set:
            raise OptionError(f"model syntax, line {s.line}: {s.op!r} applies to observed "
                              f"ordered items, not to factor {s.lhs!r}")
    return observed, latent


def _check_cycles(statements: list[Statement], latent: set[str]) -> None:
    """Refuse a factor measured or predicted by itself, directly or through others."""
    edges: dict[str, list[tuple[str, Statement]]] = defaultdict(list)
    for s in statements:
        if s.op == "=~" and s.rhs in latent:
            edges[s.lhs].append((s.rhs, s))  # the factor s.lhs explains s.rhs
        elif s.op == "~" and s.lhs in latent and s.rhs in latent:
            edges[s.rhs].append((s.lhs, s))
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in list(edges):
        if state.get(root):
            continue
        path: list[tuple[str, Statement | None]] = [(root, None)]
        stack = [iter(edges[root])]
        state[root] = 1
        while stack:
            step = next(stack[-1], None)
            if step is None:
                state[path.pop()[0]] = 2
                stack.pop()
                continue
            node, statement = step
            if state.get(node) == 1:
                names = [n for n, _ in path]
                loop = [st for _, st in path[names.index(node) + 1:]] + [statement]
                shown = "; ".join(f"'{st.lhs} {st.op} {st.rhs}' (line {st.line})"
                                  for st in loop if st is not None)
                raise OptionError(f"model syntax: factor {node!r} explains itself through "
                                  f"{shorten(shown)}: a CFA needs factors without cycles")
            if not state.get(node):
                state[node] = 1
                path.append((node, statement))
                stack.append(iter(edges.get(node, ())))


_PARAMETER = re.compile(r"\s*([^\s=~|]+)\s*(=~|~~|~\*~|~|\|)\s*([^\s=~|]*)\s*")


def _tie_equal(rows: list[Row]) -> None:
    """lavaan's ``equal("f=~x2")``: share the parameter named (first group) or label."""
    first: dict[tuple[str, str, str], int] = {}
    for n, r in enumerate(rows):
        first.setdefault((r.lhs, r.op, r.rhs), n)
    labels = {r.label for r in rows if r.label}
    for r in rows:
        if not r.equal:
            continue
        match = _PARAMETER.fullmatch(r.equal)
        target = None
        if match:
            lhs, op, rhs = match.groups()
            if op == "~" and rhs == "1":
                op, rhs = "~1", ""
            target = first.get((lhs, op, rhs))
        if target is not None:
            row = rows[target]
            if not row.label:
                row.label = f".p{target + 1}."  # lavaan's plabel
            r.tie = row.label
        elif r.equal in labels:
            r.tie = r.equal
        else:
            raise OptionError(f"model syntax: '{r.lhs} {r.op} {r.rhs}': "
                              f"equal({shorten(repr(r.equal), 60)}) names no parameter of "
                              "the model (write it as \"f=~x2\") nor a label")
        r.label = r.equal


def build_model(
    statements: list[Statement],
    *,
    ngroups: int = 1,
    ordered: bool = False,
    thresholds: Sequence[int] | None = None,
    std_lv: bool = False,
    meanstructure: bool = False,
    group_equal: Sequence[str] = (),
    orthogonal: bool = False,
    parameterization: str = "delta",
) -> Model:
    """The parameter table of ``statements`` with lavaan's ``cfa()`` defaults.

    Ordered items use lavaan's ``parameterization``: "delta" (scaling factors are the
    parameters, residual variances follow) or "theta" (residual variances are the
    parameters, fixed at 1 unless freed, and the scaling factors follow).

    Multi-group ordered models follow Wu & Estabrook (2016) as
    ``semTools::measEq.syntax(ID.cat = "Wu.Estabrook.2016")``: with equal thresholds
    the intercepts and scaling factors of groups 2+ are freed, with equal intercepts
    they are 0 again and the factor means of groups 2+ are free; with equal loadings
    (and ``std_lv``) the factor variances of groups 2+ are free.

    Raises
    ------
    OptionError
        Bad syntax content (regression of an observed variable, thresholds of a
        continuous item, residual equality with ordered items...).
    AnalysisError
        A factor that is not identified (one indicator, no constraint).
    """
    observed, latent = variable_names(statements)
    latent_set = set(latent)
    if ordered:
        thresholds = list(thresholds or [])
    equal = set(group_equal)
    user_keys = {(s.lhs, s.op, s.rhs) for s in statements}
    user_keys |= {(s.rhs, s.op, s.lhs) for s in statements if s.op == "~~"}
    indicators: dict[str, list[str]] = defaultdict(list)
    for s in statements:
        if s.op == "=~":
            indicators[s.lhs].append(s.rhs)
    # lavaan's auto.fix.single: the only indicator of a factor (and of no other factor)
    # has its residual variance fixed at 0
    loads = Counter(s.rhs for s in statements if s.op == "=~")
    single = {items[0] for f, items in indicators.items()
              if len(items) == 1 and items[0] != f and loads[items[0]] == 1}
    endogenous = {s.rhs for s in statements if s.op == "=~" and s.rhs in latent_set}
    endogenous |= {s.lhs for s in statements if s.op == "~"}
    theta_param = ordered and parameterization == "theta"
    if ordered and "residuals" in equal and not theta_param:
        raise OptionError("group_equal 'residuals' cannot be tested with ordered items in the "
                          "delta parameterization (as semTools::measEq.syntax); leave it out")
    rows: list[Row] = []
    for g in range(ngroups):
        first_seen: set[str] = set()
        for s in statements:
            fixed = _pick(s.fixed, g, ngroups, s.line)
            label = _pick(s.label, g, ngroups, s.line)
            start = _pick(s.start, g, ngroups, s.line)
            tied = _pick(s.equal, g, ngroups, s.line)
            row = Row(s.lhs, s.op, s.rhs, g, True, False, np.nan,
                      "" if label is _ABSENT or label is None else str(label),
                      equal="" if tied is _ABSENT or tied is None else str(tied))
            if s.op == "=~":
                marker = s.lhs not in first_seen and not std_lv
                first_seen.add(s.lhs)
                if fixed is _ABSENT and marker:
                    row.fixed, row.value = True, 1.0
            elif s.op == "~*~":
                row.fixed, row.value = True, 1.0
            elif s.op == "~1" and s.lhs in latent_set:
                row.fixed, row.value = True, 0.0
            if fixed is not _ABSENT:
                row.fixed = fixed is not None
                row.value = float(fixed) if fixed is not None else np.nan
            if start is not _ABSENT and start is not None and not row.fixed:
                row.value = float(start)
            rows.append(row)
        added: list[Row] = []
        if ordered:
            for j, name in enumerate(observed):
                for k in range(thresholds[j]):
                    if (name, "|", f"t{k + 1}") not in user_keys:
                        added.append(Row(name, "|", f"t{k + 1}", g, False, False, np.nan, ""))
        for name in observed:
            if (name, "~~", name) not in user_keys:
                zero = name in single and not ordered
                added.append(Row(name, "~~", name, g, False, ordered or zero,
                                 1.0 if theta_param else 0.0 if zero else np.nan, ""))
        for name in latent:
            if (name, "~~", name) not in user_keys:
                free_var = (not std_lv or (g > 0 and "loadings" in equal)) and name not in single
                added.append(Row(name, "~~", name, g, False, not free_var,
                                 np.nan if free_var else (0.0 if name in single else 1.0), ""))
        exogenous = [f for f in latent if f not in endogenous]
        for a_index, a in enumerate(exogenous):
            for b in exogenous[a_index + 1:]:
                if (a, "~~", b) not in user_keys:
                    added.append(Row(a, "~~", b, g, False, orthogonal,
                                     0.0 if orthogonal else np.nan, ""))
        if ordered:
            for name in observed:
                if (name, "~*~", name) not in user_keys:
                    added.append(Row(name, "~*~", name, g, False, True, 1.0, ""))
        if meanstructure:
            for name in observed:
                if (name, "~1", "") not in user_keys:
                    added.append(Row(name, "~1", "", g, False, ordered,
                                     0.0 if ordered else np.nan, ""))
            for name in latent:
                if (name, "~1", "") not in user_keys:
                    free_mean = g > 0 and "intercepts" in equal
                    added.append(Row(name, "~1", "", g, False, not free_mean,
                                     np.nan if free_mean else 0.0, ""))
        rows += added
    _place(rows, observed, latent, thresholds if ordered else [])
    if ordered:
        _wu_estabrook(rows, observed, thresholds, ngroups, equal, theta_param)
        for r in rows:
            if theta_param:
                if r.mat == "delta":
                    if r.user:
                        raise OptionError(f"'{r.lhs} ~*~ {r.lhs}': scaling factors are not "
                                          "parameters in the theta parameterization "
                                          "(residual variances are)")
                    r.fixed, r.derived = True, True
                continue
            if r.mat == "theta" and r.row == r.col:
                if r.user and not r.fixed:
                    raise OptionError(f"'{r.lhs} ~~ {r.lhs}': the residual variance of an "
                                      "ordered item is not a free parameter (delta "
                                      "parameterization)")
                r.fixed, r.derived = True, True
    _check_identified(rows, observed, latent, indicators, statements)
    _tie_equal(rows)
    _number(rows, equal, observed, latent)
    return Model(rows, observed, latent, ngroups, ordered, meanstructure,
                 thresholds if ordered else [], parameterization if ordered else "delta")


def _place(rows: list[Row], observed: list[str], latent: list[str],
           thresholds: Sequence[int]) -> None:
    ov = {n: i for i, n in enumerate(observed)}
    lv = {n: i for i, n in enumerate(latent)}
    offsets = np.concatenate([[0], np.cumsum(thresholds)]).astype(int) if thresholds else []
    for r in rows:
        if r.op == "=~":
            r.mat, r.row, r.col = ("lambda", ov[r.rhs], lv[r.lhs]) if r.rhs in ov else \
                ("beta", lv[r.rhs], lv[r.lhs])
        elif r.op == "~":
            r.mat, r.row, r.col = "beta", lv[r.lhs], lv[r.rhs]
        elif r.op == "~~":
            if r.lhs in ov:
                r.mat, r.row, r.col = "theta", ov[r.lhs], ov[r.rhs]
            else:
                r.mat, r.row, r.col = "psi", lv[r.lhs], lv[r.rhs]
        elif r.op == "~1":
            r.mat, r.row, r.col = ("nu", ov[r.lhs], 0) if r.lhs in ov else \
                ("alpha", lv[r.lhs], 0)
        elif r.op == "|":
            if not len(offsets):
                raise OptionError(f"'{r.lhs} | {r.rhs}': thresholds belong to ordered items; "
                                  "give ordered=True (or the ordered items) with an ordinal "
                                  "estimator, or leave the statement out")
            k = int(r.rhs[1:]) - 1
            j = ov[r.lhs]
            if k >= thresholds[j]:
                raise OptionError(f"'{r.lhs} | {r.rhs}': item {r.lhs!r} has "
                                  f"{thresholds[j]} threshold(s)")
            r.mat, r.row, r.col = "tau", int(offsets[j]) + k, 0
        elif r.op == "~*~":
            if not len(offsets):
                raise OptionError(f"scaling factors ('{r.lhs} ~*~ {r.lhs}') need ordered items")
            r.mat, r.row, r.col = "delta", ov[r.lhs], 0


def _wu_estabrook(rows: list[Row], observed: list[str], thresholds: Sequence[int],
                  ngroups: int, equal: set[str], theta: bool = False) -> None:
    """Free intercepts and scaling factors (theta: residual variances) of groups 2+ as
    Wu & Estabrook (2016)."""
    if ngroups < 2:
        return
    eq_thr = "thresholds" in equal
    eq_int = "intercepts" in equal
    by_key = {(r.lhs, r.op, r.rhs, r.group): r for r in rows}
    for j, name in enumerate(observed):
        n_equal = thresholds[j] if eq_thr else 0
        for g in range(1, ngroups):
            intercept = by_key.get((name, "~1", "", g))
            scale = by_key.get((name, "~~" if theta else "~*~", name, g))
            if intercept is not None and not intercept.user:
                free = n_equal >= 1 and not eq_int
                intercept.fixed, intercept.value = (not free), (np.nan if free else 0.0)
            if scale is not None and not scale.user:
                free = n_equal >= 2 or (n_equal >= 1 and eq_int)
                scale.fixed, scale.value = (not free), (np.nan if free else 1.0)


def _check_identified(rows: list[Row], observed: list[str], latent: list[str],
                      indicators: dict[str, list[str]], statements: list[Statement]) -> None:
    observed_set = set(observed)
    for factor in latent:
        items = indicators[factor]
        if len(items) == 1 and items[0] in observed_set:
            residual = [r for r in rows if r.mat == "theta" and r.lhs == items[0]
                        and r.rhs == items[0]]
            loading = [r for r in rows if r.op == "=~" and r.lhs == factor]
            variance = [r for r in rows if r.mat == "psi" and r.lhs == factor and r.rhs == factor]
            if not all(r.fixed for r in residual) and not (
                all(r.fixed for r in loading) and all(r.fixed for r in variance)
            ):
                raise AnalysisError(
                    f"factor {factor!r} has a single indicator ({items[0]!r}) and no "
                    f"constraint, so it is not identified: fix the residual variance "
                    f"('{items[0]} ~~ 0*{items[0]}') or give the factor more items")
    del statements


def _equal_kind(r: Row, observed: set[str] | list[str], latent: list[str]) -> str:
    if r.op == "=~":
        return "loadings"
    if r.op == "~":
        return "regressions"
    if r.op == "|":
        return "thresholds"
    if r.op == "~1":
        return "intercepts" if r.lhs in observed else "means"
    if r.op == "~~":
        if r.lhs in observed:
            return "residuals" if r.lhs == r.rhs else "residual.covariances"
        return "lv.variances" if r.lhs == r.rhs else "lv.covariances"
    return ""


def _number(rows: list[Row], equal: set[str], observed: list[str], latent: list[str]) -> None:
    """Give free rows their parameter index; equal labels (and group_equal) share one."""
    observed_set = set(observed)
    keys = []
    for n, r in enumerate(rows):
        if r.tie or r.label:
            keys.append("label:" + (r.tie or r.label))
        elif _equal_kind(r, observed_set, latent) in equal:
            keys.append(f"equal:{r.lhs}{r.op}{r.rhs}")
        else:
            keys.append(f"row:{n}")
    fixed_value: dict[str, float] = {}
    for key, r in zip(keys, rows, strict=True):
        if r.fixed and not r.derived and key not in fixed_value:
            fixed_value[key] = r.value
    index: dict[str, int] = {}
    for key, r in zip(keys, rows, strict=True):
        if r.derived:
            continue
        if key in fixed_value and not key.startswith("row:"):
            if not r.fixed:
                r.fixed, r.value = True, fixed_value[key]
            continue
        if r.fixed:
            continue
        if key not in index:
            index[key] = len(index)
        r.free = index[key]
