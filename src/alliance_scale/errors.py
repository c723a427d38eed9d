"""The library's one exception family and its warnings.

Every refusal raised by alliance-scale derives from :class:`AllianceScaleError`, so a
notebook can catch them all with one ``except``. Each subclass is also a ``ValueError``
because each is a refusal of a value the user passed. Messages name the file, the column
(item) and the row(s) when they are known; the same facts are kept as attributes so
code can act on them.

Statistical trouble that does not make a result meaningless (a Heywood case, a
correlation matrix that had to be smoothed) is a warning, never silence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "AllianceScaleError",
    "AllianceScaleWarning",
    "AnalysisError",
    "EmptyCellWarning",
    "HeywoodWarning",
    "ItemBankError",
    "NotPositiveDefiniteWarning",
    "OptionError",
    "ResponseError",
]


def _format_rows(rows: Sequence[object], limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in list(rows)[:limit])
    more = len(rows) - limit
    return shown + (f" (and {more} more)" if more > 0 else "")


def _locate(
    file: str | None = None,
    column: str | None = None,
    rows: Iterable[object] | None = None,
) -> str:
    """Return a human-readable location such as ``file 'a.csv', column 'A1a_1', rows 3, 7``.

    Parameters
    ----------
    file : str, optional
        Path or name of the file (or ``"<DataFrame>"``).
    column : str, optional
        Column (item) name.
    rows : iterable, optional
        Row labels, as the user sees them (1-based data rows of a file, or the index).

    Returns
    -------
    str
        The parts given, joined by commas ("" when none).
    """
    parts = []
    if file is not None:
        parts.append(f"file {file!r}")
    if column is not None:
        parts.append(f"column {column!r}")
    if rows is not None:
        rows = list(rows)
        if rows:
            parts.append(("row " if len(rows) == 1 else "rows ") + _format_rows(rows))
    return ", ".join(parts)


class AllianceScaleError(ValueError):
    """Base class of every error raised by alliance-scale.

    Parameters
    ----------
    message : str
        What is wrong and, where possible, how to fix it.
    file, column : str, optional
        Where the problem is; prefixed to the message.
    rows : sequence, optional
        Offending rows; prefixed to the message (first ten shown).

    Examples
    --------
    >>> import alliance_scale as als
    >>> try:
    ...     als.efa(als.load_pilot()[["A1a_1"]], 1)
    ... except als.AllianceScaleError as error:  # every refusal of the library
    ...     print(type(error).__name__, "-", error)
    AnalysisError - data has 1 item(s); at least 2 are needed
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        rows: Iterable[object] | None = None,
    ) -> None:
        self.file = file
        self.column = column
        self.rows = list(rows) if rows is not None else []
        where = _locate(file, column, self.rows if rows is not None else None)
        self.reason = message
        super().__init__(f"{where}: {message}" if where else message)


class OptionError(AllianceScaleError):
    """An argument is not one the function accepts (unknown option, wrong type, out of range).

    Raised wherever the argument is checked, whichever module checks it: a bad ``seed``,
    ``method`` or ``confidence`` is an ``OptionError`` in scoring, simulation and factor
    analysis alike.

    Examples
    --------
    >>> import alliance_scale as als
    >>> try:
    ...     als.draft_scale(language="de")
    ... except als.OptionError as error:
    ...     print(error)
    language must be one of 'fr', 'en'; got 'de'
    """


class ItemBankError(AllianceScaleError):
    """A blueprint, item bank or saved scale file is invalid (names the file and entry).

    Examples
    --------
    >>> import alliance_scale as als
    >>> try:
    ...     als.load_blueprint("no-such-blueprint.yaml")
    ... except als.ItemBankError as error:
    ...     print(error.file)
    no-such-blueprint.yaml
    """


class ResponseError(AllianceScaleError):
    """Response data (a survey export or a DataFrame) cannot be read or scored as given.

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_scale as als
    >>> scale = als.draft_scale(items_per_facet=1)
    >>> answers = pd.DataFrame(3, index=[1, 2], columns=scale.item_ids)
    >>> answers.loc[2, scale.item_ids[0]] = 9  # outside 1-5
    >>> try:
    ...     als.read_responses(answers, scale)
    ... except als.ResponseError as error:
    ...     print(error.column, error.rows)
    B2a_5 [2]
    """


class AnalysisError(AllianceScaleError):
    """Data cannot be analysed as asked (too few items, constant item, singular matrix...).

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_scale as als
    >>> try:
    ...     als.cronbach_alpha(pd.DataFrame({"q1": [1, 2, 3], "q2": [4, 4, 4]}))
    ... except als.AnalysisError as error:
    ...     print(error)
    column 'q2': item is constant (every answer is 4); its variance is 0
    """


class AllianceScaleWarning(UserWarning):
    """Base class of the statistical warnings of alliance-scale.

    Examples
    --------
    >>> import warnings
    >>> import alliance_scale as als
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = als.draft_scale(program="automated")
    >>> [type(w.message).__name__ for w in caught]
    ['AllianceScaleWarning']
    """


class HeywoodWarning(AllianceScaleWarning):
    """A communality reached or passed 1 (uniqueness <= 0) in a factor solution.

    Examples
    --------
    >>> import numpy as np
    >>> import alliance_scale as als
    >>> loadings = np.array([1.02, .8, .7, .6, .5, .4])  # the first item loads above 1
    >>> r = np.outer(loadings, loadings)
    >>> np.fill_diagonal(r, 1)
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = als.efa(cor_matrix=r, n_factors=1, n_obs=200)
    >>> any(isinstance(w.message, als.HeywoodWarning) for w in caught)
    True
    """


class NotPositiveDefiniteWarning(AllianceScaleWarning):
    """A correlation matrix was not positive definite and was smoothed.

    Examples
    --------
    >>> import numpy as np
    >>> import alliance_scale as als
    >>> r = np.array([[1, .9, -.9], [.9, 1, .9], [-.9, .9, 1]])  # not positive definite
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = als.efa(cor_matrix=r, n_factors=1, n_obs=100)
    >>> any(isinstance(w.message, als.NotPositiveDefiniteWarning) for w in caught)
    True
    """


class EmptyCellWarning(AllianceScaleWarning):
    """Some pairs of ordinal items have an empty cell where the polychoric model expects
    answers (at least ``empty_cell_expected``, default 10): one summary per analysis.

    Polychoric correlations of such pairs rest on few answers; lavaan is silent about it by
    default, psych adds a correction in local mode only.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> import alliance_scale as als
    >>> from alliance_scale.psychometrics._cfa._ordinal import ordinal_statistics
    >>> data = pd.DataFrame({"a": [1, 1, 2, 2, 3, 3], "b": [1, 2, 1, 2, 3, 3]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = ordinal_statistics(data, min_expected=0)  # every empty cell
    >>> any(isinstance(w.message, als.EmptyCellWarning) for w in caught)
    True
    """
