"""Helpers shared by several test modules (importable as ``support``: see pytest's
``pythonpath`` in pyproject.toml)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_scale as als
from alliance_scale import ResponseFormat, Scale, ScaleItem
from alliance_scale.psychometrics._cfa._cfa import fit_statements
from alliance_scale.psychometrics._cfa._engine import OrdinalGroup
from alliance_scale.psychometrics._cfa._model import lower_pairs
from alliance_scale.psychometrics._cfa._syntax import parse_model

LABELS_FR = ("Pas du tout d'accord", "Plutôt pas d'accord", "Ni d'accord ni pas d'accord",
             "Plutôt d'accord", "Tout à fait d'accord")
LABELS_EN = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
             "Strongly agree")
#: (id, theme, facet, dimension, keyed)
ITEMS = (
    ("A1a_1", "A1a", "A1", "A", 1),
    ("A1a_2", "A1a", "A1", "A", -1),
    ("A1b_1", "A1b", "A1", "A", 1),
    ("A2a_1", "A2a", "A2", "A", 1),
    ("C1_1", "C1", "C1", "C", 1),
    ("C1_2", "C1", "C1", "C", -1),
)
ITEM_IDS = [i[0] for i in ITEMS]


def make_scale(items=ITEMS, points: int = 5) -> Scale:
    """A small hand-built Scale (draft_scale is written elsewhere)."""
    return Scale(
        name="test-dta", version="0.0.1", language="fr", program="guided",
        items=tuple(
            ScaleItem(id=i, theme=t, facet=f, dimension=d, text_fr=f"texte {i}",
                      text_en=f"text {i}", keyed=k, applies_to="both")
            for i, t, f, d, k in items
        ),
        response_format=ResponseFormat(points=points, labels_fr=LABELS_FR[:points],
                                       labels_en=LABELS_EN[:points]),
    )


# ------------------------------------------------------------------ CFA (lavaan fixtures)

FIXTURES = Path(__file__).parent / "fixtures"
#: lavaan 0.6.14 / semTools 0.5.6 reference values (tests/fixtures/cfa_reference.R).
CFA_REFERENCE = json.loads((FIXTURES / "cfa_reference.json").read_text())

HS_MODEL = """visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"""
HS_SECOND = HS_MODEL + "\ng =~ visual + textual + speed\nx1 ~~ x4"
BFI_MODEL = "\n".join(f"{f} =~ " + " + ".join(f"{f}{i}" for i in range(1, 6)) for f in "ACENO")
SMALL_MODEL = "A =~ A1 + A2 + A3\nC =~ C1 + C2 + C3"
SMALL_ITEMS = ["A1", "A2", "A3", "C1", "C2", "C3"]
FIT_KEYS = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
            "rmsea_pvalue", "rmsea_notclose_pvalue", "srmr", "baseline_chisq", "baseline_df",
            "npar", "fmin", "nnfi", "rfi", "nfi", "pnfi", "ifi", "rni")
ML_KEYS = ("logl", "unrestricted_logl", "aic", "bic", "bic2")
ROBUST_KEYS = ("chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor",
               "baseline_chisq_scaled", "baseline_chisq_scaling_factor", "cfi_scaled",
               "tli_scaled", "rmsea_scaled", "rmsea_ci_lower_scaled", "rmsea_ci_upper_scaled",
               "rmsea_pvalue_scaled", "rmsea_notclose_pvalue_scaled", "cfi_robust",
               "tli_robust", "rmsea_robust", "rmsea_ci_lower_robust", "rmsea_ci_upper_robust",
               "rmsea_pvalue_robust", "rmsea_notclose_pvalue_robust", "nnfi_scaled",
               "rni_scaled", "nfi_scaled", "ifi_scaled", "rfi_scaled", "pnfi_scaled",
               "nnfi_robust", "rni_robust")


def _aligned(result: als.CFAResult, reference: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Our estimates and lavaan's, row for row (lhs, op, rhs, group)."""
    ours = result.estimates.copy()
    if "group" not in ours:
        ours["group"] = 1
    theirs = pd.DataFrame(reference).replace({None: np.nan})
    keys = ["lhs", "op", "rhs", "group"]
    merged = ours.merge(theirs, on=keys, how="outer", suffixes=("", "_ref"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", keys]
    return merged, theirs


def assert_estimates(result: als.CFAResult, reference: dict, tol: float = 1e-4) -> None:
    merged, _ = _aligned(result, reference)
    for column in ("est", "se", "std_all"):
        ref = merged[column + "_ref"].to_numpy(float)
        ours = merged[column].to_numpy(float)
        known = np.isfinite(ref)
        np.testing.assert_allclose(ours[known], ref[known], rtol=0, atol=tol, err_msg=column)


def assert_fit(result: als.CFAResult, reference: dict, keys: tuple[str, ...],
               tol: float = 1e-4) -> None:
    for key in keys:
        expected = reference[key]
        if expected is None:
            assert not np.isfinite(result.fit.get(key, np.nan)), key
            continue
        scale = max(1.0, abs(expected)) if key.startswith(("chisq", "baseline_chisq", "logl",
                                                           "unrestricted", "aic", "bic")) else 1
        assert result.fit[key] == pytest.approx(expected, abs=tol * scale), key


def lavaan_statistics(sampstat: dict, weights: str = "dwls") -> OrdinalGroup:
    """An ordinal group built from lavaan's own sample statistics (fixture)."""
    gamma = np.array(sampstat["gamma"])
    th, cor = np.array(sampstat["th"]), np.array(sampstat["cov"])
    p = cor.shape[0]
    per = len(th) // p
    rows, cols = lower_pairs(p)
    vector = np.concatenate([th, cor[rows, cols]])
    w = 1.0 / np.diag(gamma) if weights == "dwls" else np.ones(len(vector))
    return OrdinalGroup(int(sampstat["nobs"]), vector, gamma, w, cor,
                        tuple(th[per * j: per * (j + 1)] for j in range(p)))


def fit_small(estimator: str, groups: list[OrdinalGroup], **options: object) -> als.CFAResult:
    return fit_statements(parse_model(SMALL_MODEL), groups, estimator=estimator, ordered=True,
                          thresholds=[5] * 6, std_lv=options.pop("std_lv", False),
                          group_equal=options.pop("group_equal", ()),
                          labels=options.pop("labels", []))
