"""Differential item functioning as mirt 1.47's ``DIF()`` on a multiple-group model, with
the expected-score effect sizes of mirt's ``empirical_ES()`` (Meade 2010).

For each tested item the chosen parameters (``which_par``) are made equal across the
groups (scheme ``"add"``: the base model has the item free) or freed (``"drop"``: the base
model has every item equal); the two nested models are compared by a likelihood-ratio
test (``X2 = 2 (loglik_free - loglik_equal)``, df = constraints), or, for ``"add"``, by a
Wald test of the same equalities on the base model (``W = (L b)' (L V L')^-1 (L b)``).
p-values are adjusted over the tested items (Holm by default, as mirt). Information
criteria are mirt's differences "free minus equal" (negative: the item's group-specific
parameters are worth their cost).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import check_choice, check_number
from ..._lazy import pyplot
from ..._results import Report, Result, format_table, result
from ..._warn import warn_user
from ...errors import AllianceScaleWarning, AnalysisError, OptionError
from ._engine import grid
from ._models import probabilities
from ._multigroup import Structure, _fit_result, group_data, prepare
from ._multigroup_result import MultiGroupIRTResult

__all__ = ["DIFResult", "dif", "empirical_es"]

SCHEMES = ("add", "drop")
TESTS = ("LR", "Wald")
P_ADJUST = ("holm", "fdr", "BH", "bonferroni", "hochberg", "BY", "none")
#: Adjusted p below this flags an item (the verdict printed and plotted).
ALPHA = 0.05


def _positions(which_par: Sequence[str], n_cat: int) -> list[int]:
    """Parameter slots (0 = slope, 1.. = intercepts) named by ``which_par``."""
    out: list[int] = []
    for name in which_par:
        if name == "a1":
            out.append(0)
        elif name == "d":
            out += list(range(1, n_cat))
        elif name.startswith("d") and name[1:].isdigit() and 1 <= int(name[1:]) < n_cat:
            out.append(int(name[1:]))
        else:
            raise OptionError(f"which_par has {name!r}; use 'a1', 'd' (every intercept) or "
                              f"'d1' .. 'd{n_cat - 1}'")
    return sorted(set(out))


def _expected_scores(model: str, pars: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Expected code (0 .. K-1) of one item at ``at`` (mirt's ``expected.item``, min 0)."""
    k = pars.size
    return np.arange(k) @ probabilities(model, pars[None, :], at)[0]


def _cohen_d(x: np.ndarray, y: np.ndarray) -> float:
    pooled = ((x.var(ddof=1) * (x.size - 1) + y.var(ddof=1) * (y.size - 1))
              / (x.size + y.size - 2))
    return float((x.mean() - y.mean()) / np.sqrt(pooled)) if pooled > 0 else float("nan")


def empirical_es(fit: MultiGroupIRTResult, focal: str | None = None,
                 items: Sequence[str] | None = None, test: bool = False,
                 reference: str | None = None) -> pd.DataFrame:
    """mirt's ``empirical_ES()``: expected-score differences between a focal group and the
    reference group (Meade 2010), over the focal group's EAP estimates (``S``) and over a
    normal density at their mean with SD 1 on the 61-point grid (``N``).

    Parameters
    ----------
    fit : MultiGroupIRTResult
        The multiple-group model (the items of interest free across groups).
    focal : str, optional
        Focal group (default: the second group); the reference is the first.
    items : sequence of str, optional
        Items (default: all).
    test : bool, default False
        False: one row per item, mirt's columns ``SIDS`` (signed mean difference focal -
        reference), ``UIDS`` (unsigned), ``SIDN``, ``UIDN`` (the same under the normal
        density), ``ESSD`` (Cohen's d of the expected scores), ``theta_max_D``, ``max_D``
        (largest difference and where), ``mean_ES_foc``, ``mean_ES_ref``. True: mirt's
        test-level statistics (``DIF = FALSE``): STDS, UTDS, UETSDS, ETSSD, Starks_DTFR,
        UDTFR, UETSDN, theta_max_test_D, test_max_D.
    reference : str, optional
        Reference group (default: the first group, as mirt's).

    Returns
    -------
    DataFrame
        Expected scores count categories from 0, as mirt's.

    Examples
    --------
    >>> import numpy as np
    >>> import alliance_scale as als
    >>> data = als.simulate_irt([1.2, 1.0, 1.4, 0.8], [[1.0, -0.5]] * 4, n=400, seed=2)
    >>> fit = als.irt_multigroup(data, np.repeat(["a", "b"], 200), se=None)
    >>> # In R: mirt::empirical_ES(fit)
    >>> als.empirical_es(fit).columns[:4].tolist()
    ['SIDS', 'UIDS', 'SIDN', 'UIDN']
    """
    if not isinstance(fit, MultiGroupIRTResult):
        raise OptionError("fit must be a MultiGroupIRTResult (from irt_multigroup)")
    reference = fit.groups[0] if reference is None else reference
    check_choice("reference", reference, fit.groups)
    r = fit.groups.index(reference)
    others = tuple(x for x in fit.groups if x != reference)
    focal = others[0] if focal is None else focal
    check_choice("focal", focal, others)
    g = fit.groups.index(focal)
    chosen = list(fit.items) if items is None else list(items)
    for item in chosen:
        check_choice("items", item, fit.items)
    scores = fit.scores()
    theta_focal = scores["theta"].to_numpy()[fit._group_codes == g]
    spec = fit._structure.spec
    at = grid()
    density = np.exp(-0.5 * (at - theta_focal.mean()) ** 2)
    density /= density.sum()
    foc_obs, ref_obs, foc_nrm, ref_nrm = [], [], [], []
    for item in chosen:
        j = fit.items.index(item)
        k = int(spec.n_cat[j])
        model = spec.models[j]
        foc_obs.append(_expected_scores(model, fit._pars[g, j, :k], theta_focal))
        ref_obs.append(_expected_scores(model, fit._pars[r, j, :k], theta_focal))
        foc_nrm.append(_expected_scores(model, fit._pars[g, j, :k], at))
        ref_nrm.append(_expected_scores(model, fit._pars[r, j, :k], at))
    fo, ro = np.column_stack(foc_obs), np.column_stack(ref_obs)
    fn, rn = np.column_stack(foc_nrm), np.column_stack(ref_nrm)
    diff_obs, diff_nrm = fo - ro, fn - rn

    def max_d(d: np.ndarray) -> tuple[float, float]:
        where = int(np.argmax(np.abs(d)))
        return float(theta_focal[where]), float(d[where])

    if test:
        tests = diff_obs.sum(axis=1)
        theta_max, test_max = max_d(tests)
        values = {
            "STDS": diff_obs.mean(axis=0).sum(), "UTDS": np.abs(diff_obs).mean(axis=0).sum(),
            "UETSDS": np.abs(tests).mean(), "ETSSD": _cohen_d(fo.sum(axis=1), ro.sum(axis=1)),
            "Starks_DTFR": diff_nrm.sum(axis=1) @ density,
            "UDTFR": np.abs(diff_nrm).sum(axis=1) @ density,
            "UETSDN": np.abs(diff_nrm.sum(axis=1)) @ density,
            "theta_max_test_D": theta_max, "test_max_D": test_max,
        }
        return pd.DataFrame({"value": pd.Series(values, dtype=float)})
    maxima = [max_d(diff_obs[:, i]) for i in range(len(chosen))]
    return pd.DataFrame({
        "SIDS": diff_obs.mean(axis=0), "UIDS": np.abs(diff_obs).mean(axis=0),
        "SIDN": density @ diff_nrm, "UIDN": density @ np.abs(diff_nrm),
        "ESSD": [_cohen_d(fo[:, i], ro[:, i]) for i in range(len(chosen))],
        "theta_max_D": [m[0] for m in maxima], "max_D": [m[1] for m in maxima],
        "mean_ES_foc": fo.mean(axis=0), "mean_ES_ref": ro.mean(axis=0),
    }, index=pd.Index(chosen, name="item"))


@result
class DIFResult(Result):
    """DIF tests per item, from :func:`~alliance_scale.dif` (mirt's ``DIF()``).

    Attributes
    ----------
    table : DataFrame
        One row per tested item, in the items' order (as mirt prints): ``converged``
        (LR: the refitted model converged), information-criterion differences ``AIC``,
        ``SABIC``, ``HQ``, ``BIC`` (free minus equal, LR only), ``X2`` (or ``W``), ``df``,
        ``p``, ``adj_p``, ``flagged`` (``adj_p < 0.05``), and the effect sizes of
        :func:`empirical_es` for each focal group (``SIDS``, ``UIDS``, ``SIDN``,
        ``UIDN``, ``ESSD``; suffixed ``_<group>`` with more than two groups).
    scheme, test : str
        ``"add"`` / ``"drop"``, ``"LR"`` / ``"Wald"``.
    which_par : tuple of str
        Parameters tested.
    anchors : tuple of str
        Items constrained equal in every model (not tested).
    p_adjust : str
        Adjustment over the tested items.
    base : MultiGroupIRTResult
        The base model (its log-likelihood is the reference of the LR tests).
    groups : tuple of str
        Groups (reference first).
    compared : tuple of str
        The groups compared (mirt's ``groups2test``).

    Examples
    --------
    >>> import numpy as np
    >>> import alliance_scale as als
    >>> data = als.simulate_irt([1.2, 1.0, 1.4, 0.8, 1.1], [[0.5]] * 5, n=600, seed=2)
    >>> res = als.dif(data, np.repeat(["en", "fr"], 300), "2PL", anchors=["q1", "q2"])
    >>> res.flagged
    ()
    """

    table: pd.DataFrame
    scheme: str
    test: str
    which_par: tuple[str, ...]
    anchors: tuple[str, ...]
    p_adjust: str
    base: MultiGroupIRTResult
    groups: tuple[str, ...]
    compared: tuple[str, ...]
    _free_pars: dict[str, np.ndarray]  # item -> groups x K parameters with the item free
    _models: dict[str, str]
    _lows: dict[str, float]

    @property
    def flagged(self) -> tuple[str, ...]:
        """Items whose adjusted p is below 0.05."""
        return tuple(self.table.index[self.table["flagged"]])

    def to_frame(self) -> pd.DataFrame:
        """The per-item table (:attr:`table`).

        Examples
        --------
        >>> import numpy as np
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.2, 1.0, 1.4, 0.8, 1.1], [[0.5]] * 5, n=600, seed=2)
        >>> res = als.dif(data, np.repeat(["en", "fr"], 300), "2PL", anchors=["q1", "q2"])
        >>> res.to_frame().index.tolist()
        ['q3', 'q4', 'q5']
        """
        return self.table

    def plot(self, items: Sequence[str] | None = None, *, ax: Any = None) -> Any:
        """Expected item score curves of each group (mirt's ``plot(fit, type = 'score')``
        for the DIF items), from the model where the item's parameters are free.

        Parameters
        ----------
        items : sequence of str, optional
            Items to draw (default: the flagged items, else every tested item).
        ax : matplotlib Axes, optional
            Draw every curve there (labelled item and group); default a new figure with
            one panel per item.

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import numpy as np
        >>> import alliance_scale as als
        >>> data = als.simulate_irt([1.2, 1.0, 1.4, 0.8, 1.1], [[0.5]] * 5, n=600, seed=2)
        >>> res = als.dif(data, np.repeat(["en", "fr"], 300), "2PL", anchors=["q1", "q2"])
        >>> fig = res.plot(["q3"])
        >>> len(fig.axes)
        1
        """
        chosen = list(items) if items is not None else (list(self.flagged)
                                                        or list(self.table.index))
        for item in chosen:
            check_choice("items", item, tuple(self.table.index))
        plt = pyplot()
        at = np.linspace(-4, 4, 161)
        if ax is None:
            cols = min(3, len(chosen))
            rows = -(-len(chosen) // cols)
            figure, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.9 * rows),
                                        squeeze=False, layout="constrained")
            panels = list(axes.ravel())
            for extra in panels[len(chosen):]:
                extra.remove()
        else:
            figure, panels = ax.figure, [ax] * len(chosen)
        for panel, item in zip(panels, chosen, strict=False):
            pars = self._free_pars[item]
            for g, name in enumerate(self.groups):
                curve = _expected_scores(self._models[item], pars[g], at) + self._lows[item]
                label = name if ax is None else f"{item} ({name})"
                panel.plot(at, curve, label=label, linestyle=("-", "--", ":", "-.")[g % 4])
            row = self.table.loc[item]
            stat = "X2" if "X2" in row.index else "W"
            if ax is None:
                panel.set_title(f"{item}: {stat} = {row[stat]:.2f}, adj. p = {row['adj_p']:.3g}",
                                fontsize=9)
            panel.set_xlabel("theta")
            panel.set_ylabel("expected score")
            panel.legend(fontsize=8)
        return figure

    def _report(self) -> Report:
        stat = "likelihood ratio" if self.test == "LR" else "Wald"
        lines = [
            f"Scheme: {self.scheme} (parameters {', '.join(self.which_par)} "
            + ("made equal across groups, one item at a time)" if self.scheme == "add"
               else "freed across groups, one item at a time)"),
            f"Test: {stat}; p adjusted over {len(self.table)} items ({self.p_adjust})",
            "Anchors: " + (", ".join(self.anchors) if self.anchors else "none"),
            f"Groups: {', '.join(self.groups)} (reference {self.groups[0]!r}); compared: "
            + ", ".join(self.compared),
            f"Base model log-likelihood = {self.base.loglik:.3f}",
            f"Flagged (rule: adjusted p < {ALPHA}, mirt's DIF): "
            + (", ".join(self.flagged) if self.flagged else "none"),
            "Effect sizes (mirt's empirical_ES, Meade 2010): expected item score, focal "
            "minus reference; S: over the focal group's EAPs, N: over a normal density.",
        ]
        return Report("DIF: differential item functioning (mirt)",
                      ("\n".join(lines), "", format_table(self.table)), max_rows=None)

    def _summary(self) -> dict[str, Any]:
        return {"flagged": ", ".join(self.flagged) or "none"}


def _information_criteria(d_loglik: float, d_par: int, n: int) -> dict[str, float]:
    """mirt's anova differences (free minus equal) for a loglik gain and extra parameters."""
    return {"AIC": -2 * d_loglik + 2 * d_par,
            "SABIC": -2 * d_loglik + np.log((n + 2) / 24) * d_par,
            "HQ": -2 * d_loglik + 2 * np.log(np.log(n)) * d_par,
            "BIC": -2 * d_loglik + np.log(n) * d_par}


def dif(
    data: pd.DataFrame | np.ndarray,
    group: Any,
    model: str = "graded",
    *,
    anchors: Sequence[str] | None = None,
    items: Sequence[str] | None = None,
    which_par: Sequence[str] = ("a1", "d"),
    groups: Sequence[str] | None = None,
    scheme: str = "add",
    test: str = "LR",
    p_adjust: str | None = "holm",
    free_latent: bool | None = None,
    tol: float = 1e-5,
    max_cycles: int = 500,
) -> DIFResult:
    """Test each item for differential functioning across groups, as mirt's ``DIF()``.

    The base multiple-group model (:func:`irt_multigroup`) is, for ``scheme="add"``, the
    anchors equal across groups and every other item free; for ``"drop"``, every item
    equal. Each tested item then has ``which_par`` made equal (``"add"``) or freed
    (``"drop"``) and the nested models are compared by a likelihood-ratio test, or (``"add"``
    only) by a Wald test on the base model. The focal groups' latent means and variances are
    estimated whenever anchors fix the scale (mirt's ``free_means``, ``free_var``); without
    anchors under ``"add"`` every group is ``N(0, 1)`` (mirt's configural default, which
    confounds DIF with a difference in the trait: give anchors).

    Parameters
    ----------
    data : DataFrame or 2-D array
        Respondents x items, integer answers (missing as NaN).
    group : str or sequence
        A column of ``data`` (e.g. ``"language"``) or one value per respondent.
    model : {"graded", "2PL", "gpcm", "Rasch"}, default "graded"
        Item model, as :func:`irt_multigroup`.
    anchors : sequence of str, optional
        Items assumed free of DIF (equal across groups in every model, never tested).
    items : sequence of str, optional
        Items to test (mirt's ``items2test``; default every non-anchor item).
    which_par : sequence of str, default ("a1", "d")
        Parameters tested: ``"a1"`` (slope), ``"d"`` (every intercept), ``"d1"`` ....
    groups : sequence of str, optional
        The groups compared (mirt's ``groups2test``; default all): ``which_par`` is made
        equal (or freed) among these groups only, the others keep the base model's
        parameters; effect sizes are against the first of them.
    scheme : {"add", "drop"}, default "add"
        mirt's ``scheme``.
    test : {"LR", "Wald"}, default "LR"
        Likelihood ratio (two fits per item) or Wald (one fit with Oakes standard errors;
        ``"add"`` only, as mirt). Both hold their level on items without DIF (500 per
        group, 4 anchors: 4.9% and 4.3% at .05, Monte Carlo SE 0.4%); with a few hundred
        per group and one or two anchors the LR runs up to about a point above .05 and
        the Wald test up to about two below it, as both tests' asymptotics allow (the gap
        closes with n; benchmarks/README.md, issue #21).
    p_adjust : {"holm", "fdr", "BH", "bonferroni", "hochberg", "BY"} or None, default "holm"
        Adjustment over the tested items (R's ``p.adjust``).
    free_latent : bool, optional
        Estimate the focal groups' latent means and variances (default: whenever the base
        model has anchors, i.e. ``anchors`` given or ``scheme="drop"``).
    tol : float, default 1e-5
        EM tolerance of every fit (tighter than mirt's 1e-4: a statistic that compares two
        fits needs both at their maxima; at 1e-4 the EM may stop 1e-3 away in W or X2).
    max_cycles : int, default 500
        Most EM cycles of every fit.

    Returns
    -------
    DIFResult
        Per-item statistic, df, p, adjusted p, flag and expected-score effect sizes; a
        ``plot()`` of the groups' expected score curves.

    Raises
    ------
    OptionError
        An unknown item, an anchor also tested, ``test="Wald"`` with ``scheme="drop"``.
    AnalysisError
        As :func:`irt_multigroup` (an item constant in a group, a category nobody in a
        group chose: the item cannot be free in that group; name and group in the message).

    See Also
    --------
    irt_multigroup : the multiple-group model.
    empirical_es : the effect sizes alone.

    References
    ----------
    Chalmers, R. P. (2012). mirt. Journal of Statistical Software, 48(6), 1-29.
    Meade, A. W. (2010). A taxonomy of effect size measures for the differential functioning
    of items and scales. Journal of Applied Psychology, 95, 728-743.
    Thissen, D., Steinberg, L., & Wainer, H. (1993). Detection of differential item
    functioning using the parameters of item response models. In P. W. Holland & H. Wainer
    (Eds.), Differential item functioning (pp. 67-113). Erlbaum.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> import alliance_scale as als
    >>> a = [1.2, 1.0, 1.4, 0.8, 1.1]
    >>> en = als.simulate_irt(a, [[0.5]] * 5, n=400, seed=1)
    >>> fr = als.simulate_irt(a, [[0.5]] * 4 + [[-1.0]], n=400, seed=2)  # q5 harder in fr
    >>> data = pd.concat([en, fr], ignore_index=True)
    >>> group = np.repeat(["en", "fr"], 400)
    >>> # In R: mirt::DIF(multipleGroup(data, 1, group, invariance = c(anchors,
    >>> #           "free_means", "free_var")), c("a1", "d"), items2test = 3:5)
    >>> res = als.dif(data, group, "2PL", anchors=["q1", "q2"])
    >>> res.flagged
    ('q5',)
    """
    check_choice("scheme", scheme, SCHEMES)
    check_choice("test", test, TESTS)
    adjust = "none" if p_adjust is None else p_adjust
    check_choice("p_adjust", adjust, P_ADJUST)
    tol = check_number("tol", tol, 0.0, low_open=True)
    if test == "Wald" and scheme != "add":
        raise OptionError("Wald tests are for scheme='add' (as mirt's DIF)")
    if isinstance(which_par, str):
        which_par = (which_par,)
    groups_asked = groups
    coded, groups, spec = prepare(data, group, model)
    names = coded.items
    anchors = tuple(anchors or ())
    for item in anchors:
        check_choice("anchors", item, names)
    tested = tuple(items) if items is not None else tuple(i for i in names if i not in anchors)
    for item in tested:
        check_choice("items", item, names)
        if item in anchors:
            raise OptionError(f"item {item!r} is an anchor; it cannot be tested")
    if not tested:
        raise OptionError("no item to test (every item is an anchor)")
    g_count = len(groups.levels)
    compared = list(groups.levels) if groups_asked is None else list(groups_asked)
    for level in compared:
        check_choice("groups", level, groups.levels)
    if len(set(compared)) < 2:
        raise OptionError("groups must name at least two groups to compare")
    in_test = np.array([level in compared for level in groups.levels])
    first = int(np.flatnonzero(in_test)[0])
    eq = np.zeros(spec.free.shape, dtype=bool) if scheme == "add" else spec.free.copy()
    for item in anchors:
        eq[names.index(item)] = spec.free[names.index(item)]
    if free_latent is None:
        free_latent = bool(anchors) or scheme == "drop"
    mean_free = np.zeros(g_count, dtype=bool)
    mean_free[1:] = free_latent
    var_free = mean_free.copy()
    if model == "Rasch":
        var_free[:] = True
    slots = {item: [p for p in _positions(which_par, int(spec.n_cat[names.index(item)]))
                    if spec.free[names.index(item), p]] for item in tested}
    empty = [item for item, s in slots.items() if not s]
    if empty:
        raise OptionError(f"item(s) {', '.join(map(repr, empty))} have none of the parameters "
                          f"{', '.join(which_par)} free")
    if not free_latent:
        warn_user(
            "no latent means or variances are estimated (no anchors): every group's trait is "
            "taken as N(0, 1), so a group difference in the trait shows as DIF in every item "
            "(mirt's DIF gives the same note); give anchors=[...] of items believed free of "
            "DIF", AllianceScaleWarning)
    gd = group_data(spec, coded.codes, groups)
    common = dict(model=model, invariance=(), tol=tol, max_cycles=max_cycles, gd=gd)
    base_ties = np.where(eq[..., None], 0, np.arange(g_count)[None, None, :])
    base = _fit_result(coded, groups, spec, eq, mean_free, var_free,
                       se_type="oakes" if test == "Wald" else "none", **common)
    start = (base._pars, np.asarray(base.means), np.asarray(base.variances))
    n_total = int(sum(base.n_obs))
    rows: dict[str, dict[str, Any]] = {}
    free_pars: dict[str, np.ndarray] = {}
    effects: dict[str, pd.DataFrame] = {}
    for item in tested:
        j = names.index(item)
        k = int(spec.n_cat[j])
        if test == "Wald":
            rows[item] = _wald(base, j, slots[item], in_test)
            free_fit = base
        else:
            ties = base_ties.copy()
            for p in slots[item]:
                if scheme == "add":  # the compared groups share the first one's parameter
                    ties[j, p, in_test] = first
                else:  # each compared group but the first gets its own parameter
                    ties[j, p, in_test] = np.where(np.arange(g_count) == first, 0,
                                                   np.arange(g_count) + 1)[in_test]
            other = _fit_result(coded, groups, spec, eq, mean_free, var_free,
                                se_type="none", start=start, announce=False, ties=ties,
                                **common)
            free_fit, equal_fit = (base, other) if scheme == "add" else (other, base)
            gain = free_fit.loglik - equal_fit.loglik
            d_par = free_fit.n_parameters - equal_fit.n_parameters
            from scipy.stats import chi2

            rows[item] = {"converged": bool(other.converged),
                          **_information_criteria(gain, d_par, n_total),
                          "X2": 2 * gain, "df": d_par,
                          "p": float(chi2.sf(max(2 * gain, 0.0), d_par))}
        free_pars[item] = free_fit._pars[:, j, :k].copy()
        if free_fit is not base:  # "drop": the item is free only in its own model
            effects[item] = _effects(free_fit, [item], compared).loc[item]
    if scheme == "add":  # every tested item is free in the base model
        for item, values in _effects(base, list(tested), compared).iterrows():
            effects[item] = values
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "item"
    if "converged" in table and not table["converged"].all():
        warn_user(
            f"EM did not converge within tol={tol:g} after {max_cycles} cycles for the model "
            "of item(s) " + ", ".join(map(repr, table.index[~table["converged"]]))
            + " (column 'converged'); their tests are unreliable", AllianceScaleWarning)
    if adjust == "none":
        table["adj_p"] = table["p"]
    else:
        from .._correlation._correlation_tests import adjust_p

        table["adj_p"] = adjust_p(table["p"].to_numpy(), adjust)
    table["flagged"] = table["adj_p"] < ALPHA
    effect_table = pd.DataFrame(effects).T
    if len(compared) == 2:
        effect_table.columns = [name for _, name in effect_table.columns]
    else:
        effect_table.columns = [f"{name}_{focal}" for focal, name in effect_table.columns]
    table = table.join(effect_table.astype(float))
    return DIFResult(
        table=table, scheme=scheme, test=test, which_par=tuple(which_par), anchors=anchors,
        p_adjust=adjust, base=base, groups=groups.levels, compared=tuple(compared),
        _free_pars=free_pars,
        _models={i: spec.models[names.index(i)] for i in tested},
        _lows={i: coded.categories[names.index(i)][0] for i in tested},
    )


def _effects(fit: MultiGroupIRTResult, items: list[str], compared: list[str]) -> pd.DataFrame:
    """SIDS .. ESSD of each compared group against the first compared one (columns (focal,
    statistic)), rows items."""
    return pd.concat({focal: empirical_es(fit, focal, items, reference=compared[0]).iloc[:, :5]
                      for focal in compared[1:]}, axis=1)


def _wald(base: MultiGroupIRTResult, j: int, slots: list[int], in_test: np.ndarray
          ) -> dict[str, Any]:
    """Wald test that the item's ``slots`` are equal across the compared groups (the first
    of them against each other one)."""
    from scipy.stats import chi2

    st: Structure = base._structure
    if base.vcov is None:
        raise AnalysisError("the Wald test needs the information matrix")
    vcov = base.vcov.to_numpy()
    phi = st.pack(base._pars, np.asarray(base.means), np.asarray(base.variances))
    contrasts = []
    first, *others = np.flatnonzero(in_test)
    for p in slots:
        for g in others:
            row = np.zeros(st.n_phi)
            row[st.index[first, j, p]] += 1.0
            row[st.index[g, j, p]] -= 1.0
            contrasts.append(row)
    lmat = np.array(contrasts)
    diff = lmat @ phi
    try:
        w = float(diff @ np.linalg.solve(lmat @ vcov @ lmat.T, diff))
    except np.linalg.LinAlgError:
        w = float("nan")
    df = len(contrasts)
    return {"W": w, "df": df, "p": float(chi2.sf(w, df)) if np.isfinite(w) else float("nan")}
