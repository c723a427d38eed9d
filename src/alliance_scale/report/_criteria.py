"""The criteria a validation is judged by: each a number, its cut-off and its source.

A criterion is a convention, not a law (``shared/reference/psychometrics.md``): the report
states each one with the number it was applied to, says whether it is met, and cites where
the cut-off comes from. Nothing here filters data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Criterion"]

#: Sources cited by the criteria (short form -> full reference).
SOURCES = {
    "Kaiser 1974": "Kaiser, H. F. (1974). An index of factorial simplicity. Psychometrika, "
                   "39, 31-36.",
    "Bartlett 1951": "Bartlett, M. S. (1951). The effect of standardization on a chi square "
                     "approximation in factor analysis. Biometrika, 38, 337-344.",
    "COSMIN": "Prinsen, C. A. C., et al. (2018). COSMIN guideline for systematic reviews of "
              "patient-reported outcome measures. Quality of Life Research, 27, 1147-1157.",
    "Terwee 2007": "Terwee, C. B., et al. (2007). Quality criteria were proposed for "
                   "measurement properties of health status questionnaires. J Clin "
                   "Epidemiol, 60, 34-42.",
    "Lorenzo-Seva & ten Berge 2006": "Lorenzo-Seva, U., & ten Berge, J. M. F. (2006). "
                                     "Tucker's congruence coefficient as a meaningful index "
                                     "of factor similarity. Methodology, 2, 57-64.",
    "Hu & Bentler 1999": "Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes "
                         "in covariance structure analysis. Structural Equation Modeling, 6, "
                         "1-55.",
    "Henseler 2015": "Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for "
                     "assessing discriminant validity in variance-based structural equation "
                     "modeling. J Acad Market Sci, 43, 115-135.",
    "Koo & Li 2016": "Koo, T. K., & Li, M. Y. (2016). A guideline of selecting and reporting "
                     "intraclass correlation coefficients for reliability research. J "
                     "Chiropr Med, 15, 155-163.",
    "Horn 1965": "Horn, J. L. (1965). A rationale and test for the number of factors in "
                 "factor analysis. Psychometrika, 30, 179-185.",
    "Fornell & Larcker 1981": "Fornell, C., & Larcker, D. F. (1981). Evaluating structural "
                              "equation models with unobservable variables and measurement "
                              "error. J Marketing Res, 18, 39-50.",
    "Savalei 2021": "Savalei, V. (2021). Improving fit indices in structural equation "
                    "modeling with categorical data. Multivariate Behavioral Research, 56, "
                    "390-407.",
    "Brosseau-Liard & Savalei 2014": "Brosseau-Liard, P. E., & Savalei, V. (2014). "
                                     "Adjusting incremental fit indices for nonnormality. "
                                     "Multivariate Behavioral Research, 49, 460-470.",
    "Xia & Yang 2019": "Xia, Y., & Yang, Y. (2019). RMSEA, CFI, and TLI in structural "
                       "equation modeling with ordered categorical data: The story they tell "
                       "depends on the estimation methods. Behavior Research Methods, 51, "
                       "409-428.",
    "Kline 2016": "Kline, R. B. (2016). Principles and practice of structural equation "
                  "modeling (4th ed.). Guilford.",
    "Mokkink 2018": "Mokkink, L. B., et al. (2018). COSMIN Risk of Bias checklist for "
                    "systematic reviews of patient-reported outcome measures. Quality of Life "
                    "Research, 27, 1171-1179.",
    "Bentler & Chou 1987": "Bentler, P. M., & Chou, C.-P. (1987). Practical issues in "
                           "structural modeling. Sociological Methods & Research, 16, 78-117.",
    "Cochran 1954": "Cochran, W. G. (1954). Some methods for strengthening the common chi-"
                    "square tests. Biometrics, 10, 417-451.",
    "Satorra & Bentler 2001": "Satorra, A., & Bentler, P. M. (2001). A scaled difference "
                              "chi-square test statistic for moment structure analysis. "
                              "Psychometrika, 66, 507-514.",
    "Satorra 2000": "Satorra, A. (2000). Scaled and adjusted restricted tests in multi-sample "
                    "analysis of moment structures. In R. D. H. Heijmans, D. S. G. Pollock, & "
                    "A. Satorra (Eds.), Innovations in multivariate statistical analysis "
                    "(pp. 233-247). Kluwer.",
    "Chen 2007": "Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of "
                 "measurement invariance. Structural Equation Modeling, 14, 464-504.",


    "Zumbo et al. 2007": "Zumbo, B. D., Gadermann, A. M., & Zeisser, C. (2007). Ordinal "
                         "versions of coefficients alpha and theta for Likert rating scales. "
                         "Journal of Modern Applied Statistical Methods, 6, 21-29.",
    "Cohen 1988": "Cohen, J. (1988). Statistical power analysis for the behavioral sciences "
                  "(2nd ed.). Erlbaum.",
    # irtflow: the IRT section of validate
    "Baker 2001": "Baker, F. B. (2001). The basics of item response theory (2nd ed.). ERIC "
                  "Clearinghouse on Assessment and Evaluation.",
    "Orlando & Thissen 2000": "Orlando, M., & Thissen, D. (2000). Likelihood-based item-fit "
                              "indices for dichotomous item response theory models. Applied "
                              "Psychological Measurement, 24, 50-64.",
    "Reise & Yu 1990": "Reise, S. P., & Yu, J. (1990). Parameter recovery in the graded "
                       "response model using MULTILOG. Journal of Educational Measurement, 27, "
                       "133-144.",
}


@dataclass(frozen=True)
class Criterion:
    """One judged number of the validation.

    Attributes
    ----------
    section : str
        Part of the report (``"Reliability"``, ``"Factor structure"``...).
    name : str
        What is judged, in words (``"alpha of facet A1"``).
    value : float
        The number, as the library call returned it.
    rule : str
        The cut-off in words (``">= .70"``).
    met : bool or None
        Whether the number meets the cut-off (None: not testable, or inconclusive).
    source : str
        Short citation of the cut-off (a key of :data:`SOURCES`).
    reason : str, default ""
        Why the criterion is not testable or inconclusive (or what decided), in words.
    inconclusive : bool, default False
        The rule cannot decide (e.g. scaled and robust fit indices disagree): never "met".

    Examples
    --------
    >>> criterion = als.Criterion.at_least("Reliability", "alpha of facet A1", 0.856, 0.70,
    ...                                    "COSMIN")
    >>> criterion.rule, criterion.verdict
    ('>= .70', 'met')
    >>> als.Criterion.not_testable("Reliability", "alpha of facet A1", "3 respondents",
    ...                            "COSMIN").verdict
    'not testable'
    """

    section: str
    name: str
    value: float
    rule: str
    met: bool | None
    source: str
    reason: str = ""
    inconclusive: bool = False

    @classmethod
    def at_least(cls, section: str, name: str, value: float, bound: float, source: str,
                 ) -> Criterion:
        """``value >= bound`` (None when the value is missing)."""
        met = None if not np.isfinite(value) else bool(value >= bound)
        return cls(section, name, float(value), f">= {_bound(bound)}", met, source)

    @classmethod
    def at_most(cls, section: str, name: str, value: float, bound: float, source: str,
                ) -> Criterion:
        """``value <= bound`` (None when the value is missing)."""
        met = None if not np.isfinite(value) else bool(value <= bound)
        return cls(section, name, float(value), f"<= {_bound(bound)}", met, source)

    @classmethod
    def below(cls, section: str, name: str, value: float, bound: float, source: str,
              ) -> Criterion:
        """``value < bound`` (a p value, say)."""
        met = None if not np.isfinite(value) else bool(value < bound)
        return cls(section, name, float(value), f"< {_bound(bound)}", met, source)

    @classmethod
    def not_testable(cls, section: str, name: str, reason: str, source: str = "",
                     rule: str = "") -> Criterion:
        """A criterion that could not be judged, with the reason (never dropped)."""
        return cls(section, name, float("nan"), rule, None, source, reason)

    @property
    def verdict(self) -> str:
        """``"met"``, ``"not met"``, ``"inconclusive"`` or ``"not testable"``."""
        if self.inconclusive:
            return "inconclusive"
        return {True: "met", False: "not met", None: "not testable"}[self.met]


def _bound(bound: float) -> str:
    """Cut-offs as psychometricians write them: ``.70``, ``.05``, ``2``."""
    text = f"{bound:.2f}" if abs(bound) < 1 else f"{bound:g}"
    return text[1:] if text.startswith("0.") else text


def criteria_frame(criteria: list[Criterion]) -> pd.DataFrame:
    """One row per criterion: section, name, value, rule, verdict, source, reason."""
    return pd.DataFrame(
        [{"section": c.section, "criterion": c.name, "value": c.value, "rule": c.rule,
          "verdict": c.verdict, "source": c.source, "reason": c.reason} for c in criteria],
        columns=["section", "criterion", "value", "rule", "verdict", "source", "reason"],
    )
