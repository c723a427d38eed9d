"""Tucker congruence of EFA factors with the blueprint, item retention advice, and the
blueprint as a rotation target.

The one job of this module: say how far an exploratory solution reproduces the structure
the scale was written for (facets or dimensions of the blueprint, items signed by their
key), and which items break the usual retention conventions, with the reasons. It only
advises: no item is ever dropped here. :func:`target_from_scale` turns the same
hypothesised structure into the target of a (partially specified) target rotation, the
natural confirmatory rotation of an exploratory analysis of the scale (Browne 2001);
:mod:`alliance_scale.psychometrics` cannot read a Scale, so the adapter lives here.

Why hand-written: Tucker's coefficient is one line (``psych::factor.congruence`` in R);
the blueprint's hypothesised structure and the retention table are this project's.

References
----------
Tucker, L. R. (1951). A method for synthesis of factor analysis studies (Personnel
Research Section Report No. 984). Department of the Army.
Browne, M. W. (2001). An overview of analytic rotation in exploratory factor analysis.
Multivariate Behavioral Research, 36, 111-150.
Lorenzo-Seva, U., & ten Berge, J. M. F. (2006). Tucker's congruence coefficient as a
meaningful index of factor similarity. Methodology, 2, 57-64.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_choice, check_flag, check_instance, check_matrix
from .._results import Result, result
from ..errors import AnalysisError, OptionError
from ..instrument._scale import Scale

__all__ = [
    "CongruenceResult",
    "congruence",
    "target_from_scale",
    "tucker_congruence",
]

LEVELS = ("facet", "dimension")
#: Retention conventions (psychometrics.md): primary loading, gap to the next loading,
#: communality.
MIN_PRIMARY_LOADING = 0.40
MIN_LOADING_GAP = 0.20
MIN_COMMUNALITY = 0.40


def congruence_label(value: float) -> str:
    """Lorenzo-Seva & ten Berge (2006): >= .95 equal, .85-.94 fair similarity, else not."""
    value = abs(value)
    if value >= 0.95:
        return "equal"
    if value >= 0.85:
        return "fair similarity"
    return "not similar"


def tucker_congruence(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Tucker's congruence coefficients between the columns of two loading matrices.

    ``phi(x, y) = sum(x y) / sqrt(sum(x^2) sum(y^2))`` (Tucker 1951), as
    ``psych::factor.congruence``.

    Parameters
    ----------
    first : ndarray, shape (p, k1)
    second : ndarray, shape (p, k2)

    Returns
    -------
    ndarray, shape (k1, k2)

    Examples
    --------
    >>> x = np.array([[0.8, 0.1], [0.7, 0.2], [0.1, 0.9]])
    >>> y = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> print(np.round(als.tucker_congruence(x, y), 3))  # In R: psych::factor.congruence(x, y)
    [[0.993 0.094]
     [0.229 0.97 ]]
    """
    first = check_matrix("first", first)
    second = check_matrix("second", second)
    if first.shape[0] != second.shape[0]:
        raise OptionError(f"first and second must have the same items (rows); got "
                          f"{first.shape[0]} and {second.shape[0]}")
    norms = np.sqrt((first**2).sum(axis=0))[:, None] * np.sqrt((second**2).sum(axis=0))[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        return (first.T @ second) / norms


def _hypothesis(scale: Scale, items: list[str], level: str) -> pd.DataFrame:
    """Items x targets matrix: the item's key (+1 / -1) in its facet or dimension column."""
    by_id = {item.id: item for item in scale.items}
    unknown = [i for i in items if i not in by_id]
    if unknown:
        raise AnalysisError(
            f"{len(unknown)} item(s) of the factor solution are not in the scale "
            f"{scale.name!r}: {', '.join(unknown[:10])}", column=unknown[0],
        )
    targets: list[str] = []
    for item_id in items:
        target = getattr(by_id[item_id], level)
        if target not in targets:
            targets.append(target)
    targets.sort()
    matrix = pd.DataFrame(0.0, index=items, columns=targets)
    for item_id in items:
        matrix.loc[item_id, getattr(by_id[item_id], level)] = float(by_id[item_id].keyed)
    return matrix


@result
class CongruenceResult(Result):
    """Congruence of EFA factors with the blueprint and item retention advice.

    Attributes
    ----------
    coefficients : DataFrame
        Factors x blueprint targets (facets or dimensions): Tucker's congruence.
    matches : DataFrame
        One row per factor: best matching target, its coefficient, its label
        (:func:`congruence_label`).
    items : DataFrame
        One row per item: hypothesised target, primary factor and loading, second largest
        absolute loading, gap, communality, Heywood case, ``reasons`` (text; empty when
        the item meets every convention) and ``flagged``.
    level : str
        ``"facet"`` or ``"dimension"``.

    Examples
    --------
    >>> pilot, scale = als.load_pilot(), als.draft_scale()
    >>> items = [k.lstrip("-") for f in ("A1", "B1", "C1") for k in scale.keys[f]]
    >>> fit = als.congruence(als.efa(pilot[items], 3), scale)
    >>> print(fit.coefficients.round(2))  # In R: psych::factor.congruence(f, keys)
              A1    B1    C1
    factor
    MR2     0.01  0.98  0.03
    MR1     0.98  0.00  0.05
    MR3     0.06  0.05  0.95
    """

    coefficients: pd.DataFrame
    matches: pd.DataFrame
    items: pd.DataFrame
    level: str

    def to_frame(self) -> pd.DataFrame:
        return self.matches

    @property
    def flagged(self) -> pd.DataFrame:
        """The items that break at least one retention convention, with their reasons."""
        return self.items[self.items["flagged"]]

    def advice(self) -> str:
        """Plain-text advice: factor matches, then each flagged item and why."""
        lines = [f"Congruence of factors with the blueprint's {self.level}s "
                 "(Lorenzo-Seva & ten Berge 2006: >= .95 equal, .85-.94 fair):"]
        for factor, row in self.matches.iterrows():
            lines.append(f"  {factor}: {row['target']} ({row['congruence']:.2f}, {row['label']})")
        flagged = self.flagged
        if flagged.empty:
            lines.append("Every item meets the retention conventions.")
        else:
            lines.append(f"{len(flagged)} item(s) to review (nothing was removed):")
            for item, row in flagged.iterrows():
                lines.append(f"  {item}: {row['reasons']}")
        return "\n".join(lines)

    def _summary(self) -> dict[str, Any]:
        good = int((self.matches["congruence"].abs() >= 0.95).sum())
        return {
            "level": self.level,
            "factors equal to a target (>= .95)": f"{good} of {len(self.matches)}",
            "items to review": f"{int(self.items['flagged'].sum())} of {len(self.items)}",
        }

    def __repr__(self) -> str:
        return super().__repr__() + "\n" + self.advice()


def _item_table(
    loadings: pd.DataFrame,
    communalities: pd.Series,
    heywood: list[str],
    hypothesis: pd.DataFrame,
    target_factor: dict[str, str],
) -> pd.DataFrame:
    values = loadings.to_numpy()
    absolute = np.abs(values)
    order = np.argsort(-absolute, axis=1)
    rows = np.arange(len(values))
    primary = values[rows, order[:, 0]]
    second = absolute[rows, order[:, 1]] if values.shape[1] > 1 else np.zeros(len(values))
    gap = np.abs(primary) - second
    factors = loadings.columns[order[:, 0]]
    targets = hypothesis.abs().idxmax(axis=1)
    table = pd.DataFrame({
        "target": targets,
        "primary_factor": factors,
        "primary_loading": primary,
        "second_loading": second,
        "gap": gap,
        "communality": communalities.reindex(loadings.index).to_numpy(),
        "heywood": [item in set(heywood) for item in loadings.index],
    }, index=loadings.index)
    reasons = []
    for item, row in table.iterrows():
        why = []
        if abs(row["primary_loading"]) < MIN_PRIMARY_LOADING:
            why.append(f"primary loading {row['primary_loading']:.3f} < {MIN_PRIMARY_LOADING:.2f}")
        if values.shape[1] > 1 and row["gap"] < MIN_LOADING_GAP:
            why.append(f"cross-loading: gap {row['gap']:.3f} < {MIN_LOADING_GAP:.2f}")
        if row["communality"] < MIN_COMMUNALITY:
            why.append(f"communality {row['communality']:.3f} < {MIN_COMMUNALITY:.2f}")
        if row["heywood"]:
            why.append("Heywood case (communality >= 1)")
        expected = target_factor.get(row["target"])
        if expected is not None and expected != row["primary_factor"]:
            why.append(f"loads most on {row['primary_factor']}, not on {expected} "
                       f"(the factor matching {row['target']})")
        sign = hypothesis.loc[item, row["target"]] * row["primary_loading"]
        if expected == row["primary_factor"] and sign < 0:
            why.append("loading sign opposite to the item's key")
        reasons.append("; ".join(why))
    table["reasons"] = reasons
    table["flagged"] = table["reasons"] != ""
    return table


def target_from_scale(
    scale: Scale,
    level: str = "facet",
    *,
    items: list[str] | None = None,
    specified: bool = False,
) -> pd.DataFrame:
    """The blueprint of ``scale`` as the target of a target rotation (items x facets or
    dimensions), for ``efa(..., rotation="targetQ", target=...)``.

    Each item should load on its own facet (or dimension) and on no other: the target is
    0 for the other columns and, by default, unspecified (NaN) for the item's own column,
    Browne's (2001) partially specified target (GPArotation's ``targetQ`` with NA
    entries), which leaves the size and sign of the salient loadings free. With
    ``specified=True`` the item's own column holds its key (+1, or -1 for a reverse-keyed
    item), as a target built by ``psych::make.keys``.

    Parameters
    ----------
    scale : Scale
        The scale whose items were analysed.
    level : {"facet", "dimension"}, default "facet"
        One target column per facet or per dimension (sorted by name): the number of
        factors to extract.
    items : list of str, optional
        Item ids in the order of the analysed data (default: the scale's items).
    specified : bool, default False
        Specify the salient loadings (+1 / -1) instead of leaving them free.

    Returns
    -------
    DataFrame
        Indexed by item id, one column per facet or dimension.

    Raises
    ------
    AnalysisError
        An item that is not in ``scale``.
    OptionError
        An unknown ``level``.

    Examples
    --------
    >>> scale = als.draft_scale()
    >>> target = als.target_from_scale(scale, "dimension")
    >>> target.shape
    (80, 3)
    >>> print(target.iloc[:2])  # 0: should not load; NaN: free (partially specified)
             A   B    C
    B3b_1  0.0 NaN  0.0
    B1a_3  0.0 NaN  0.0
    >>> pilot = als.load_pilot()
    >>> fit = als.efa(pilot[scale.item_ids], 3, rotation="targetQ", target=target)
    >>> # In R: psych::fa(x, 3, rotate = "TargetQ", Target = list(target))
    >>> print(als.congruence(fit, scale, level="dimension").matches.round(2))
           target  congruence            label
    factor
    MR2         B        0.97            equal
    MR3         C        0.89  fair similarity
    MR1         A        0.92  fair similarity
    """
    check_choice("level", level, LEVELS)
    check_flag("specified", specified)
    chosen = list(scale.item_ids) if items is None else [str(i) for i in items]
    hypothesis = _hypothesis(scale, chosen, level)
    if specified:
        return hypothesis
    return hypothesis.mask(hypothesis != 0)


def congruence(solution: Any, scale: Scale, *, level: str = "facet") -> CongruenceResult:
    """Tucker congruence of EFA factors with the blueprint, and item retention advice.

    The blueprint's hypothesised structure is an items x targets matrix (targets: the
    scale's facets or dimensions) holding each item's key (+1, or -1 for reverse-keyed
    items) in its own target's column. Each factor is matched to the target with the
    largest absolute congruence (Tucker 1951; Lorenzo-Seva & ten Berge 2006: >= .95 equal,
    .85-.94 fair similarity). Each item is checked against the retention conventions
    (primary loading >= .40, gap to the next loading >= .20, communality >= .40, no
    Heywood case, primary factor = the factor matching its target): the reasons are
    listed, nothing is removed.

    Parameters
    ----------
    solution : EFAResult
        A solution from :func:`alliance_scale.efa` (or any object with ``loadings``
        (items x factors DataFrame), ``communalities`` (Series) and ``heywood`` (list of
        items)).
    scale : Scale
        The scale whose items were analysed.
    level : {"facet", "dimension"}, default "facet"

    Returns
    -------
    CongruenceResult

    Raises
    ------
    AnalysisError
        An unknown ``level``; ``solution`` without a ``loadings`` DataFrame; items of the
        solution that are not in ``scale`` (named).

    Examples
    --------
    >>> pilot, scale = als.load_pilot(), als.draft_scale()
    >>> items = [k.lstrip("-") for f in ("A1", "B1", "C1") for k in scale.keys[f]]
    >>> fit = als.congruence(als.efa(pilot[items], 3), scale)  # psych::factor.congruence
    >>> print(fit.matches.round(3))
           target  congruence  label
    factor
    MR2        B1       0.981  equal
    MR1        A1       0.977  equal
    MR3        C1       0.953  equal
    """
    check_instance("scale", scale, Scale, "see draft_scale")
    check_choice("level", level, LEVELS)
    loadings = getattr(solution, "loadings", None)
    if not isinstance(loadings, pd.DataFrame):
        raise AnalysisError("solution.loadings must be a DataFrame (items x factors)")
    items = [str(i) for i in loadings.index]
    loadings = pd.DataFrame(loadings.to_numpy(dtype=float), index=items,
                            columns=[str(c) for c in loadings.columns])
    hypothesis = _hypothesis(scale, items, level)
    coefficients = pd.DataFrame(
        tucker_congruence(loadings.to_numpy(), hypothesis.to_numpy()),
        index=loadings.columns, columns=hypothesis.columns,
    )
    best = coefficients.abs().idxmax(axis=1)
    value = np.array([coefficients.loc[f, t] for f, t in best.items()])
    matches = pd.DataFrame({
        "target": best, "congruence": value, "label": [congruence_label(v) for v in value],
    }, index=loadings.columns)
    matches.index.name = "factor"
    target_factor = coefficients.abs().idxmax(axis=0).to_dict()
    communalities = pd.Series(solution.communalities, dtype=float)
    communalities.index = [str(i) for i in communalities.index]
    table = _item_table(loadings, communalities, [str(i) for i in (solution.heywood or [])],
                        hypothesis, target_factor)
    return CongruenceResult(coefficients=coefficients, matches=matches, items=table,
                            level=level)
