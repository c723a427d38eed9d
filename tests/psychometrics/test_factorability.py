"""KMO and Bartlett against psych (factor_selection_reference.R) and factor_analyzer."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from factor_analyzer.factor_analyzer import calculate_bartlett_sphericity, calculate_kmo

from alliance_scale import AnalysisError, OptionError, bartlett, kmo, polychoric
from alliance_scale.psychometrics._correlation._correlation import pairwise_pearson
from alliance_scale.psychometrics._factor._factorability import kaiser_label


@pytest.fixture(scope="module")
def reference(fixtures_dir):
    with open(fixtures_dir / "factor_selection_reference.json") as handle:
        return json.load(handle)


def test_kmo_matches_psych(bfi_items, reference):
    result = kmo(bfi_items)
    assert result.overall == pytest.approx(reference["kmo"]["overall"], abs=1e-6)
    np.testing.assert_allclose(result.items.to_numpy(), reference["kmo"]["per_item"],
                               atol=1e-6)
    assert list(result.items.index) == list(bfi_items.columns)
    assert result.label == kaiser_label(reference["kmo"]["overall"]) == "meritorious"
    assert set(result.to_frame().columns) == {"MSA", "label"}


def test_kmo_of_a_correlation_matrix(bfi_items, reference):
    matrix = polychoric(bfi_items).correlation
    result = kmo(matrix, n_obs=len(bfi_items))
    # Polychoric values differ from psych's by up to ~2e-5 (its optimize tolerance).
    assert result.overall == pytest.approx(reference["kmo_polychoric"]["overall"], abs=1e-4)
    np.testing.assert_allclose(result.items.to_numpy(),
                               reference["kmo_polychoric"]["per_item"], atol=1e-4)
    assert kmo(bfi_items, cor="polychoric").overall == pytest.approx(result.overall)


def test_bartlett_matches_psych(bfi_items, reference):
    result = bartlett(bfi_items)
    ref = reference["bartlett"]
    assert result.chi2 == pytest.approx(ref["chi2"], rel=1e-9)
    assert result.dof == ref["dof"]
    assert result.n_obs == ref["n"]
    assert result.p_value == pytest.approx(ref["p_value"], abs=1e-12)


def test_bartlett_small_matches_psych(bfi_items, reference):
    ref = reference["bartlett_small"]
    data = bfi_items.iloc[: ref["rows"], :5]
    result = bartlett(data)
    assert result.chi2 == pytest.approx(ref["chi2"], abs=1e-6)
    assert result.dof == ref["dof"]
    assert result.p_value == pytest.approx(ref["p_value"], rel=1e-6)
    matrix = data.corr()
    assert bartlett(matrix, n_obs=ref["rows"]).chi2 == pytest.approx(ref["chi2"], abs=1e-6)


def test_complete_data_agrees_with_factor_analyzer(bfi_items):
    complete = bfi_items.dropna()
    per_item, overall = calculate_kmo(complete)
    result = kmo(complete)
    assert result.overall == pytest.approx(overall, abs=1e-10)
    np.testing.assert_allclose(result.items.to_numpy(), per_item, atol=1e-10)
    statistic, p_value = calculate_bartlett_sphericity(complete.iloc[:100, :6])
    ours = bartlett(complete.iloc[:100, :6])
    assert ours.chi2 == pytest.approx(statistic, rel=1e-10)
    assert ours.p_value == pytest.approx(p_value, rel=1e-8)


def test_pairwise_pearson_matches_pandas(bfi_items):
    correlation, counts = pairwise_pearson(bfi_items.to_numpy())
    np.testing.assert_allclose(correlation, bfi_items.corr().to_numpy(), atol=1e-12)
    observed = bfi_items.notna().astype(int)
    np.testing.assert_array_equal(counts, (observed.T @ observed).to_numpy())


@pytest.mark.parametrize(
    ("value", "label"),
    [(0.95, "marvelous"), (0.90, "marvelous"), (0.85, "meritorious"), (0.75, "middling"),
     (0.65, "mediocre"), (0.55, "miserable"), (0.49, "unacceptable")],
)
def test_kaiser_labels(value, label):
    assert kaiser_label(value) == label


def test_n_not_above_p_is_refused(bfi_items):
    small = bfi_items.dropna().iloc[:20]
    with pytest.raises(AnalysisError, match="n <= p"):
        kmo(small)
    with pytest.raises(AnalysisError, match="n <= p"):
        bartlett(small)


def test_correlation_matrix_needs_n(bfi_items):
    with pytest.raises(OptionError, match="n_obs"):
        bartlett(cor_matrix=bfi_items.corr())


def test_singular_matrix_is_refused(bfi_items):
    data = bfi_items.iloc[:, :4].dropna().copy()
    data["copy"] = data["A1"] + data["A2"]
    data["copy2"] = data["A1"] + data["A2"]
    with pytest.raises(AnalysisError, match="singular"):
        kmo(data)
    with pytest.raises(AnalysisError, match="singular"):
        bartlett(data)


def test_constant_item_is_named():
    data = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "b": [2.0] * 5, "c": [5.0, 3, 2, 1, 4]})
    with pytest.raises(AnalysisError, match=r"'b'.*constant"):
        kmo(data)


def test_singular_and_indefinite_matrices_are_refused_with_their_cause(bfi_items):
    """KMO and Bartlett must not return numbers from a singular matrix (psych does)."""
    import numpy as np
    import pytest

    from alliance_scale import AnalysisError, bartlett, kmo

    doubled = bfi_items.assign(A6=bfi_items["A1"])
    for analysis in (kmo, bartlett):
        with pytest.raises(AnalysisError, match="'A1' and 'A6' are perfectly correlated"):
            analysis(doubled)
    indefinite = np.array([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]])
    with pytest.raises(AnalysisError, match="not positive definite"):
        kmo(indefinite, n_obs=100)


def test_every_analysis_counts_the_same_respondents(bfi_items):
    """Fully empty rows are not respondents: efa, bartlett and alpha agree on n."""
    import numpy as np
    import pandas as pd

    from alliance_scale import bartlett, cronbach_alpha, efa

    items = bfi_items.iloc[:200, :10].dropna()
    empty = pd.DataFrame(np.nan, index=[f"empty{i}" for i in range(5)], columns=items.columns)
    padded = pd.concat([items, empty])
    n = len(items)
    assert efa(padded, 2).n_obs == n
    assert bartlett(padded).n_obs == n
    assert cronbach_alpha(padded, reverse=["A1", "C4", "C5"]).n_obs == n
