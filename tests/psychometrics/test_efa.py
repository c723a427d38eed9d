"""Tests of alliance_scale.psychometrics._factor._efa (efa, extract_factors) against R psych::fa.

Reference values: tests/fixtures/efa_reference.R (psych 2.2.9, GPArotation 2022.10.2) on
psychTools::bfi, written to efa_reference.json.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from alliance_scale import AnalysisError, HeywoodWarning, NotPositiveDefiniteWarning
from alliance_scale.errors import AllianceScaleWarning, OptionError
from alliance_scale.psychometrics._factor._efa import EFAResult, efa, extract_factors

matplotlib.use("Agg")

#: Loadings must match psych to 0.01 (the issue); measured agreement is ~1e-14.
LOADING_TOLERANCE = 1e-6
FIT_RELATIVE = 1e-6

CASES = {
    "minres_oblimin": ("minres", "oblimin", 5),
    "minres_none": ("minres", "none", 5),
    "ml_varimax": ("ml", "varimax", 5),
    "pa_promax": ("pa", "promax", 5),
    "minres_geomin": ("minres", "geomin", 5),
    "minres_one": ("minres", "oblimin", 1),
}


def _array(values) -> np.ndarray:
    """JSON numbers (jsonlite writes NA as "NA") to a float array."""
    if not isinstance(values, list):
        return np.array([values], dtype=float)
    return np.array(
        [_array(v) if isinstance(v, list) else (np.nan if v == "NA" else v) for v in values],
        dtype=float,
    )


@pytest.fixture(scope="module")
def reference(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "efa_reference.json").read_text())


@pytest.fixture(scope="module")
def fitted(bfi_items) -> dict[str, EFAResult]:
    return {
        key: efa(bfi_items, k, method=method, rotation=rotation)
        for key, (method, rotation, k) in CASES.items()
    }


def _columns(ref: dict) -> list[str]:
    columns = ref["columns"]
    return [columns] if isinstance(columns, str) else columns


@pytest.mark.parametrize("key", CASES)
def test_loadings_phi_and_communalities_match_psych(fitted, reference, key):
    res, ref = fitted[key], reference[key]
    k = res.loadings.shape[1]
    assert list(res.loadings.columns) == _columns(ref)
    assert list(res.loadings.index) == reference["items"]
    loadings = _array(ref["loadings"]).reshape(25, k)
    assert np.abs(res.loadings.to_numpy() - loadings).max() < LOADING_TOLERANCE
    np.testing.assert_allclose(res.communalities, _array(ref["communality"]), atol=1e-6)
    np.testing.assert_allclose(res.uniquenesses, _array(ref["uniquenesses"]), atol=1e-6)
    np.testing.assert_allclose(res.complexity, _array(ref["complexity"]), atol=1e-5)
    variance = _array(ref["vaccounted"]).reshape(res.variance.shape)
    np.testing.assert_allclose(res.variance.to_numpy(), variance, atol=1e-6)
    rows = ref["vaccounted_rows"]
    assert list(res.variance.index) == ([rows] if isinstance(rows, str) else rows)
    if "phi" in ref:
        phi = _array(ref["phi"]).reshape(k, k)
        np.testing.assert_allclose(res.phi.to_numpy(), phi, atol=LOADING_TOLERANCE)
    else:
        assert res.phi is None


@pytest.mark.parametrize("key", CASES)
def test_fit_statistics_match_psych(fitted, reference, key):
    fit, ref = fitted[key].fit, reference[key]
    pairs = {
        "objective": "objective",
        "chi2": "statistic",
        "dof": "dof",
        "tli": "tli",
        "bic": "bic",
        "rmsr": "rms",
        "empirical_chi2": "chi",
        "null_chi2": "null_chisq",
        "null_dof": "null_dof",
    }
    for ours, theirs in pairs.items():
        assert fit[ours] == pytest.approx(ref[theirs], rel=FIT_RELATIVE), ours
    assert fit["p_value"] == pytest.approx(ref["pval"], rel=1e-4)
    assert fit["empirical_p_value"] == pytest.approx(ref["epval"], rel=1e-4)
    rmsea, lower, upper = ref["rmsea"]
    assert fit["rmsea"] == pytest.approx(rmsea, rel=FIT_RELATIVE)
    # R's uniroot stops at a tolerance of ~1e-4 on the noncentrality.
    assert fit["rmsea_ci"][0] == pytest.approx(lower, rel=1e-5)
    assert fit["rmsea_ci"][1] == pytest.approx(upper, rel=1e-5)


@pytest.mark.parametrize("key", ["minres_oblimin", "ml_varimax", "pa_promax", "minres_one"])
def test_regression_scores_match_psych(fitted, reference, bfi_items, key):
    rows = np.array(reference["score_rows"]) - 1
    scores = fitted[key].scores(bfi_items)
    assert scores.index.equals(bfi_items.index)
    expected = _array(reference[key]["scores"]).reshape(len(rows), -1)
    np.testing.assert_allclose(scores.iloc[rows].to_numpy(), expected, atol=1e-8)


@pytest.mark.parametrize(("method", "name"), [("bartlett", "scores_bartlett"),
                                              ("tenberge", "scores_tenberge")])
def test_bartlett_and_ten_berge_scores_match_psych(fitted, reference, bfi_items, method, name):
    rows = np.array(reference["score_rows"]) - 1
    scores = fitted["minres_oblimin"].scores(bfi_items, method=method)
    expected = _array(reference[name]).reshape(len(rows), -1)
    np.testing.assert_allclose(scores.iloc[rows].to_numpy(), expected, atol=1e-8)


def test_correlation_matrix_input_uses_n_obs(reference, bfi_items):
    ref = reference["matrix_minres_oblimin"]
    res = efa(bfi_items.corr(), 5, n_obs=reference["n_obs"])
    assert res.n_obs == 2800 and res.cor == "correlation matrix"
    loadings = _array(ref["loadings"]).reshape(25, 5)
    assert np.abs(res.loadings.to_numpy() - loadings).max() < LOADING_TOLERANCE
    assert res.fit["empirical_chi2"] == pytest.approx(ref["chi"], rel=FIT_RELATIVE)
    assert res.fit["rmsr"] == pytest.approx(ref["rms"], rel=FIT_RELATIVE)
    assert res.fit["chi2"] == pytest.approx(ref["statistic"], rel=FIT_RELATIVE)
    without_n = efa(cor_matrix=bfi_items.corr(), n_factors=5)
    assert np.isnan(without_n.fit["chi2"]) and np.isfinite(without_n.fit["rmsr"])


def test_heywood_case_warns_and_names_the_item(reference):
    matrix = _array(reference["heywood_matrix"]).reshape(4, 4)
    frame = pd.DataFrame(matrix, index=list("wxyz"), columns=list("wxyz"))
    with pytest.warns(HeywoodWarning, match="'w'"):
        res = efa(frame, 1, n_obs=200)
    assert res.heywood == ["w"]
    ref = reference["heywood"]
    np.testing.assert_allclose(res.loadings["MR1"], _array(ref["loadings"]), atol=1e-6)
    np.testing.assert_allclose(res.communalities, _array(ref["communality"]), atol=1e-6)
    assert res.fit["chi2"] == pytest.approx(ref["statistic"], rel=FIT_RELATIVE)
    assert "heywood" in res._summary()


def test_oblique_communalities_are_diag_l_phi_lt(fitted):
    res = fitted["minres_oblimin"]
    pattern, phi = res.loadings.to_numpy(), res.phi.to_numpy()
    np.testing.assert_allclose(res.communalities, np.diag(pattern @ phi @ pattern.T), atol=1e-12)
    np.testing.assert_allclose(res.structure.to_numpy(), pattern @ phi, atol=1e-12)
    assert not np.allclose(res.communalities, (pattern**2).sum(axis=1), atol=1e-3)
    np.testing.assert_allclose(np.diag(phi), 1.0, atol=1e-12)


def test_orthogonal_rotations_have_no_phi(fitted):
    assert fitted["ml_varimax"].phi is None
    assert fitted["minres_none"].phi is None
    assert fitted["minres_one"].phi is None


def test_quartimin_is_oblimin_with_gamma_zero(fitted, bfi_items):
    quartimin = efa(bfi_items, 5, rotation="quartimin")
    np.testing.assert_allclose(quartimin.loadings, fitted["minres_oblimin"].loadings, atol=1e-12)


def test_recovers_a_known_factor_structure():
    rng = np.random.default_rng(20261122)
    truth = np.zeros((12, 3))
    for f in range(3):
        truth[4 * f : 4 * f + 4, f] = [0.8, 0.7, 0.6, 0.7]
    phi = np.array([[1, 0.3, 0.2], [0.3, 1, 0.25], [0.2, 0.25, 1]])
    factors = rng.multivariate_normal(np.zeros(3), phi, size=5000)
    noise = rng.normal(size=(5000, 12)) * np.sqrt(1 - np.diag(truth @ phi @ truth.T))
    data = pd.DataFrame(factors @ truth.T + noise, columns=[f"i{j}" for j in range(12)])
    for method in ("minres", "ml", "pa"):
        res = efa(data, 3, method=method, rotation="oblimin")
        pattern = res.loadings.to_numpy()
        order = np.argmax(np.abs(pattern[[0, 4, 8]]), axis=1)
        assert sorted(order) == [0, 1, 2]
        assert np.abs(pattern[:, order] - truth).max() < 0.05
        assert np.abs(res.phi.to_numpy()[np.ix_(order, order)] - phi).max() < 0.05
        assert res.fit["p_value"] > 0.001


def test_extract_factors_contract(bfi_items):
    correlation = bfi_items.corr().to_numpy()
    for method in ("minres", "ml", "pa"):
        loadings, uniquenesses = extract_factors(correlation, 3, method=method, n_obs=2800)
        assert loadings.shape == (25, 3) and uniquenesses.shape == (25,)
        assert np.all(loadings.sum(axis=0) > 0)
        np.testing.assert_allclose(uniquenesses, 1 - (loadings**2).sum(axis=1))
    with pytest.raises(OptionError, match="method"):
        extract_factors(correlation, 2, method="principal")
    with pytest.raises(AnalysisError, match="between 1 and 24"):
        extract_factors(correlation, 25)


def test_table_repr_and_plot(fitted, reference):
    res = fitted["minres_oblimin"]
    table = res.to_frame()
    assert list(table.columns) == ["MR2", "MR1", "MR3", "MR5", "MR4", "h2", "u2", "complexity"]
    ordered = res.to_frame(sort=True)
    assert list(ordered.index) == reference["minres_oblimin"]["sorted_items"]
    assert "RMSEA index = 0.056" in repr(res) and "<table" in res._repr_html_()
    ax = res.plot()
    assert len(ax.texts) == 25 * 5
    matplotlib.pyplot.close("all")


def test_listwise_deletion_counts_complete_rows(bfi_items):
    res = efa(bfi_items, 5, missing="listwise")
    assert res.n_obs == len(bfi_items.dropna())
    assert res.fit["chi2"] > 0


# ---------------------------------------------------------------------------- bad input


def test_bad_n_factors(bfi_items):
    with pytest.raises(OptionError, match=">= 1"):
        efa(bfi_items, 0)
    with pytest.raises(OptionError, match="integer"):
        efa(bfi_items, 2.5)
    with pytest.raises(AnalysisError, match=r"degrees of freedom.*at most 18"):
        efa(bfi_items, 19)


def test_constant_and_empty_items_are_refused(bfi_items):
    data = bfi_items.iloc[:, :6].copy()
    data["A3"] = 4.0
    with pytest.raises(AnalysisError, match=r"'A3'.*constant"):
        efa(data, 1)
    data["A3"] = np.nan
    with pytest.raises(AnalysisError, match=r"'A3'.*no observed value"):
        efa(data, 1)


def test_unknown_options_are_refused(bfi_items):
    for option in ({"method": "principal"}, {"rotation": "oblique"}, {"cor": "spearman"},
                   {"missing": "mean"}):
        with pytest.raises(OptionError, match=str(next(iter(option.values())))):
            efa(bfi_items.iloc[:, :6], 1, **option)
    with pytest.raises(AnalysisError, match="n_obs"):
        efa(bfi_items.iloc[:, :6], 1, n_obs=100)


def test_singular_matrix_warns_and_ml_refuses(bfi_items):
    data = bfi_items.iloc[:, :8].copy()
    data["A1_copy"] = data["A1"]
    with pytest.warns(NotPositiveDefiniteWarning, match="'A1' and 'A1_copy'"):
        res = efa(data, 2)
    assert np.isfinite(res.fit["chi2"])
    with pytest.raises(AnalysisError, match="'A1' and 'A1_copy'"):
        efa(data, 2, method="ml")


def test_fewer_respondents_than_items_warns(bfi_items):
    data = bfi_items.dropna().iloc[:20]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        efa(data, 2)
    messages = [str(w.message) for w in caught if issubclass(w.category, AllianceScaleWarning)]
    assert any("20 respondents for 25 items" in m for m in messages)
    assert any("singular" in m for m in messages)


def test_items_never_answered_together_are_named():
    data = pd.DataFrame({
        "a": [1, 2, 3, 4, np.nan, np.nan, np.nan, np.nan],
        "b": [np.nan, np.nan, np.nan, np.nan, 1, 2, 3, 5],
        "c": [1, 3, 2, 4, 2, 1, 5, 3],
        "d": [2, 3, 1, 4, 1, 2, 4, 3],
    })
    with pytest.raises(AnalysisError, match="'a' and 'b'"):
        efa(data, 1)


def test_scores_need_the_items(fitted, bfi_items):
    with pytest.raises(AnalysisError, match="A1"):
        fitted["minres_one"].scores(bfi_items.drop(columns="A1"))
    with pytest.raises(OptionError, match="score method"):
        fitted["minres_one"].scores(bfi_items, method="anderson")


def test_polychoric_solution_matches_psych(reference, bfi_items):
    ref = reference["poly_minres_oblimin"]
    res = efa(bfi_items, 5, cor="polychoric")
    assert res.cor == "polychoric"
    assert list(res.loadings.columns) == _columns(ref)
    # Polychoric correlations agree with psych to ~1e-4 (psych's optimize tolerance).
    loadings = _array(ref["loadings"]).reshape(25, 5)
    assert np.abs(res.loadings.to_numpy() - loadings).max() < 1e-3  # measured 4.6e-5
    assert res.fit["rmsr"] == pytest.approx(ref["rms"], rel=1e-3)
    assert res.fit["tli"] == pytest.approx(ref["tli"], rel=1e-3)
    assert res.fit["chi2"] == pytest.approx(ref["statistic"], rel=1e-3)


def test_saturated_model_has_no_tli_instead_of_crashing() -> None:
    """dof = 0 (one factor, three variables): fit indices that divide by dof are NaN."""
    import math

    import numpy as np

    from alliance_scale import efa

    phi = np.array([[1.0, 0.4, 0.3], [0.4, 1.0, 0.35], [0.3, 0.35, 1.0]])
    result = efa(phi, 1, n_obs=500)
    assert result.fit["dof"] == 0
    assert math.isnan(result.fit["tli"]) and math.isnan(result.fit["rmsea"])
    assert result.loadings.shape == (3, 1)


def test_text_in_the_data_is_refused_by_name_in_every_analysis(bfi_items):
    """Non-numeric answers give an AnalysisError naming the item and row (not a bare
    ValueError from a float conversion) in each analysis that also accepts a matrix."""
    import pytest

    from alliance_scale import (
        AnalysisError,
        bartlett,
        efa,
        kmo,
        map_test,
        omega,
        parallel_analysis,
    )

    data = bfi_items.astype(object)
    data.iloc[3, 4] = "x"
    row = data.index[3]
    analyses = [
        lambda: efa(data, 5), lambda: kmo(data), lambda: bartlett(data),
        lambda: parallel_analysis(data, n_iter=2, seed=1), lambda: map_test(data),
        lambda: omega(data, 3),
    ]
    for analysis in analyses:
        with pytest.raises(AnalysisError, match=rf"column 'A5', row {row}"):
            analysis()


def test_n_obs_with_a_non_correlation_matrix_says_why():
    import numpy as np
    import pytest

    from alliance_scale import AnalysisError, efa

    asymmetric = np.array([[1, 0.9, 0.9], [0.5, 1, -0.9], [0.9, -0.9, 1]])
    with pytest.raises(AnalysisError, match="not symmetric"):
        efa(asymmetric, 1, n_obs=100)


# ------------------------------------------------------------------ refactoring guards


def test_rotation_does_not_import_statsmodels_private_modules():
    """Issue #8: rotations use the project's own GPA, not statsmodels' private module."""
    import alliance_scale.psychometrics._factor._rotation as rotation_module

    source = Path(rotation_module.__file__).read_text()
    assert "import statsmodels" not in source and "from statsmodels" not in source
    assert "_gpa_rotation import" not in source and "import _gpa_rotation" not in source


def test_singular_matrix_fit_matches_psych(bfi_items, fixtures_dir):
    """psych smooths a singular matrix before the fit statistics; so must efa (the warning
    says so). Reference: tests/fixtures/singular_fit_reference.R."""
    ref = json.loads((fixtures_dir / "singular_fit_reference.json").read_text())
    data = bfi_items[["A1", "A2", "A3", "A4", "A5", "C1", "C2", "C3"]].copy()
    data["A1_copy"] = data["A1"]
    with pytest.warns(NotPositiveDefiniteWarning, match="smoothed"):
        res = efa(data, 2)
    # The solution of a singular matrix is loosely determined: psych's agree to ~1e-6.
    assert res.fit["objective"] == pytest.approx(ref["objective"], rel=1e-5)
    assert res.fit["chi2"] == pytest.approx(ref["statistic"], rel=1e-5)
    assert res.fit["rmsea"] == pytest.approx(ref["rmsea"], rel=1e-5)
    assert res.fit["tli"] == pytest.approx(ref["tli"], rel=1e-5)
    assert res.fit["null_chi2"] == pytest.approx(ref["null_chisq"], rel=1e-5)
    assert res.fit["rmsr"] == pytest.approx(ref["rms"], rel=1e-5)


def _nearly_singular(smallest: float) -> np.ndarray:
    """A 6 x 6 correlation matrix whose smallest eigenvalue is ``smallest`` (by hand:
    a singular matrix mixed with the identity keeps its unit diagonal)."""
    loadings = np.array([0.8, 0.7, 0.6, 0.5, 0.4])
    one_factor = np.outer(loadings, loadings)
    np.fill_diagonal(one_factor, 1.0)
    duplicated = [0, 1, 2, 3, 4, 4]  # the sixth item copies the fifth: rank 5
    singular = one_factor[np.ix_(duplicated, duplicated)]
    return (1 - smallest) * singular + smallest * np.eye(6)


def test_a_matrix_announced_as_smoothed_is_smoothed():
    """Confirmed review bug: smallest eigenvalue ~7e-15 (between eps and 10 p eps) made efa
    warn that it smoothed a matrix that nothing changed. One definition now."""
    from alliance_scale.psychometrics._correlation._correlation import (
        is_positive_definite,
        smooth_correlation,
    )

    matrix = _nearly_singular(7e-15)
    smallest = np.linalg.eigvalsh(matrix)[0]
    assert np.finfo(float).eps < smallest < 10 * 6 * np.finfo(float).eps
    assert not is_positive_definite(matrix)
    smoothed, done = smooth_correlation(matrix)
    assert done and not np.array_equal(smoothed, matrix)
    with pytest.warns(NotPositiveDefiniteWarning, match="smoothed"):
        efa(matrix, 1, n_obs=500)
    assert is_positive_definite(_nearly_singular(1e-3))


def test_fit_is_read_only_and_results_pickle(fitted):
    import pickle
    from collections.abc import Mapping

    res = fitted["minres_oblimin"]
    assert isinstance(res.fit, Mapping) and "empirical_bic" in res.fit
    with pytest.raises(TypeError):
        res.fit["chi2"] = 0.0
    copy = pickle.loads(pickle.dumps(res))
    assert dict(copy.fit) == dict(res.fit)
    with pytest.raises(TypeError):
        copy.fit["chi2"] = 0.0
    pd.testing.assert_frame_equal(copy.loadings, res.loadings)


def test_derived_attributes_follow_loadings_and_phi(fitted):
    oblique, orthogonal = fitted["minres_oblimin"], fitted["ml_varimax"]
    np.testing.assert_allclose(oblique.structure.to_numpy(),
                               oblique.loadings.to_numpy() @ oblique.phi.to_numpy())
    pd.testing.assert_frame_equal(orthogonal.structure, orthogonal.loadings)
    np.testing.assert_allclose(oblique.uniquenesses + oblique.communalities, 1.0)
    assert oblique.uniquenesses.name == "u2"
    np.testing.assert_allclose(orthogonal.variance.loc["SS loadings"].to_numpy(),
                               (orthogonal.loadings**2).sum().to_numpy())


def test_integer_options_are_checked_alike(bfi_items):
    with pytest.raises(OptionError, match="n_factors must be an integer"):
        efa(bfi_items, 3.0)
    with pytest.raises(OptionError, match="n_obs must be an integer >= 2"):
        efa(bfi_items.corr(), 2, n_obs=1)
    res = efa(bfi_items.iloc[:, :10], np.int64(2))
    assert res.loadings.shape == (10, 2)


# ------------------------------------------------------------------ printed output (issue #12)


@pytest.fixture(scope="module")
def output_reference(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "efa_output_reference.json").read_text())


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def _numbers(lines: list[str]) -> list[float]:
    return [float(token) for line in lines for token in NUMBER.findall(line)]


def _columns_by_position(header: str, row: str) -> dict[str, str]:
    """Cells of a right-aligned printed row, keyed by the header above their last digit."""
    ends = {match.end(): match.group() for match in re.finditer(r"\S+", header)}
    cells = {}
    for match in re.finditer(r"\S+", row):
        if match.end() in ends:
            cells[ends[match.end()]] = match.group()
    return cells


def test_summary_numbers_equal_psych_printout(fitted, output_reference):
    """summary(cut=.3, sort=True) of fa(bfi, 5) against psych's print(f, cut=.3, sort=TRUE):
    every loading cell (row order, blanks, column), h2, u2, com, the variance table, Phi,
    every number of the fit lines and the score adequacy, to psych's printed digits."""
    report = fitted["minres_oblimin"].summary(cut=0.3, sort=True)
    ours = str(report).splitlines()
    theirs = output_reference["fa_print"]
    header_theirs = next(i for i, line in enumerate(theirs) if line.lstrip().startswith("item"))
    header_ours = next(i for i, line in enumerate(ours) if line.lstrip().startswith("item"))
    for k in range(1, 26):
        mine = _columns_by_position(ours[header_ours], ours[header_ours + k])
        psych = _columns_by_position(theirs[header_theirs], theirs[header_theirs + k])
        assert ours[header_ours + k].split()[0] == theirs[header_theirs + k].split()[0]
        assert mine == psych, ours[header_ours + k]
    start_theirs = header_theirs + 26
    start_ours = header_ours + 26
    assert _numbers(ours[start_ours:]) == _numbers(theirs[start_theirs:])
    assert "Measures of factor score adequacy" in ours


@pytest.mark.parametrize("key", ["minres_oblimin", "ml_varimax", "pa_promax"])
def test_new_fit_entries_and_score_adequacy_equal_psych(fitted, output_reference, key):
    ref = output_reference["stats"][key]
    fit = fitted[key].fit
    for ours, theirs in (("crms", "crms"), ("fit", "fit"), ("fit_off", "fit_off"),
                         ("harmonic_n", "nh"), ("null_objective", "null_objective")):
        assert fit[ours] == pytest.approx(ref[theirs], rel=1e-9), ours
    np.testing.assert_allclose(fitted[key].score_adequacy.loc["r2"], ref["R2"], atol=1e-9)


@pytest.mark.slow
def test_bootstrap_intervals_are_seeded_and_cover_a_known_structure():
    rng = np.random.default_rng(8)
    truth = np.zeros((8, 2))
    truth[:4, 0], truth[4:, 1] = 0.7, 0.6
    n = 400
    latent = rng.standard_normal((n, 2))
    data = pd.DataFrame(latent @ truth.T + rng.standard_normal((n, 8)) * np.sqrt(
        1 - (truth**2).sum(axis=1)), columns=[f"x{i}" for i in range(8)])
    first = efa(data, 2, rotation="varimax", n_boot=60, seed=3)
    again = efa(data, 2, rotation="varimax", n_boot=60, seed=3)
    pd.testing.assert_frame_equal(first.bootstrap, again.bootstrap)
    table = first.bootstrap
    assert list(table.columns) == ["item", "factor", "estimate", "mean", "sd", "lower", "upper"]
    assert len(table) == 16 and table.attrs["n_boot"] == 60
    # sampling SD of a loading of .7 with n = 400 is about .03-.05
    assert table["sd"].between(0.01, 0.1).all()
    assert ((table["lower"] < table["estimate"]) & (table["estimate"] < table["upper"])).all()
    main = np.abs(first.loadings.to_numpy()).argmax(axis=1)
    for item, column in zip(first.loadings.index, main, strict=True):
        row = table[(table["item"] == item) & (table["factor"] == first.loadings.columns[column])]
        assert row["lower"].iloc[0] > 0.4
    text = str(first.summary())
    assert "bootstrapped 95% confidence intervals (60 resamples" in text
    oblique = efa(data, 2, n_boot=20, seed=1)
    assert oblique.phi_bootstrap is not None and len(oblique.phi_bootstrap) == 1


@pytest.mark.slow
def test_bootstrap_of_a_correlation_matrix_simulates_normal_data(bfi_items):
    r = bfi_items.iloc[:, :10].corr()
    fit = efa(r, 2, n_obs=500, n_boot=10, seed=2)
    assert fit.bootstrap["sd"].between(0.005, 0.2).all()
    with pytest.raises(OptionError, match="n_boot"):
        efa(r, 2, n_obs=500, n_boot=-1)


def test_cor_poly_is_psychs_spelling(bfi_items):
    small = bfi_items.iloc[:300, :6]
    a = efa(small, 1, cor="poly")
    b = efa(small, 1, cor="polychoric")
    np.testing.assert_array_equal(a.loadings, b.loadings)
    assert a.cor == "polychoric"
    with pytest.raises(OptionError, match="'pearson', 'polychoric', 'cor', 'poly'"):
        efa(small, 1, cor="spearman")


def test_an_item_constant_on_a_pairs_rows_is_refused_by_name():
    """A pairwise correlation used to come out as +-inf (an item constant on the rows that
    answered both): efa crashed inside scipy. R gives NA; here the pair is named."""
    data = pd.DataFrame({
        "a": [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 2, 3],
        "b": [2, 2, 2, 2, 2, np.nan, np.nan, np.nan, np.nan, np.nan, 3, 4],
        "c": [1, 3, 2, 5, 4, 2, 3, 1, 5, 4, np.nan, np.nan],
        "d": [2, 1, 4, 3, 5, 5, 4, 3, 2, 1, 1, 2],
    }, dtype=float)
    with pytest.raises(AnalysisError, match="'b' and 'c'"):
        efa(data, 1)
