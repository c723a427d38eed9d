"""htmt against semTools 0.5.6 (tests/fixtures/convergent_reference.R), the Scale adapter
(reverse-keyed items reversed), the .85 / .90 flags and bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import alliance_scale as als
from alliance_scale import HTMTResult, htmt
from alliance_scale.errors import AllianceScaleWarning, AnalysisError, OptionError
from alliance_scale.psychometrics import reverse_keyed

SCALE = als.draft_scale()


@pytest.fixture(scope="module")
def reference(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "convergent_reference.json").read_text())


@pytest.fixture(scope="module")
def plain_model(reference) -> dict[str, list[str]]:
    return {k: [i.lstrip("-") for i in v] for k, v in reference["keys"].items()}


def _r_matrix(columns) -> np.ndarray:
    return np.array(columns, dtype=float).T


@pytest.mark.parametrize("label, options, tol", [
    ("arithmetic", {}, 1e-12),                       # htmt2 = FALSE (Henseler et al. 2015)
    ("geometric", {"mean": "geometric"}, 1e-12),     # htmt2 = TRUE, semTools' default
    ("polychoric", {"cor": "polychoric"}, 1e-7),     # lavCor polychoric vs ours
])
def test_htmt_is_semtools(bfi_items, reference, plain_model, label, options, tol) -> None:
    result = htmt(bfi_items, plain_model, missing="listwise", **options)
    np.testing.assert_allclose(result.matrix.to_numpy(), _r_matrix(reference["htmt"][label]),
                               atol=tol, rtol=0)
    assert result.n_obs == reference["htmt"]["n_complete"]  # listwise, as semTools
    assert list(result.matrix.index) == reference["htmt"]["factors"]


def test_signed_model_equals_semtools_on_reversed_items(bfi_items, reference) -> None:
    # semTools never reverses: the R script reversed the keyed items (7 - x) by hand
    result = htmt(bfi_items, reference["keys"], absolute=False, missing="listwise")
    np.testing.assert_allclose(result.matrix.to_numpy(),
                               _r_matrix(reference["htmt"]["reversed_signed"]),
                               atol=1e-12, rtol=0)
    assert result.model["agree"][0] == "-A1"


def test_a_scale_is_reversed_first_like_reversing_by_hand() -> None:
    pilot = als.load_pilot()
    for level in ("dimension", "facet"):
        result = htmt(pilot, SCALE, level=level, absolute=False)
        reversed_ids = [i.id for i in SCALE.items if i.keyed < 0]
        by_hand = reverse_keyed(pilot[SCALE.item_ids], reversed_ids, 1, 5)
        groups = {g: [i.id for i in SCALE.items if getattr(i, level) == g]
                  for g in result.matrix.index}
        plain = htmt(by_hand, groups, absolute=False)
        np.testing.assert_allclose(result.matrix.to_numpy(), plain.matrix.to_numpy(),
                                   atol=1e-12)
    assert list(htmt(pilot, SCALE).matrix.index) == ["A", "B", "C"]
    assert len(htmt(pilot, SCALE, level="facet").matrix) == 9


def test_constructs_that_are_one_are_flagged() -> None:
    # the items of one facet split in two "constructs": their HTMT is near 1
    pilot = als.load_pilot()
    a1 = [i.id for i in SCALE.items if i.facet == "A1" and i.keyed > 0]
    c4 = [i.id for i in SCALE.items if i.facet == "C4" and i.keyed > 0]
    model = {"first": a1[: len(a1) // 2], "second": a1[len(a1) // 2:], "other": c4}
    result = htmt(pilot, model)
    assert result.pairs.loc[("first", "second"), "htmt"] > 0.9
    assert result.pairs.loc[("first", "second"), ["above_85", "above_90"]].all()
    assert not result.pairs.loc[("first", "other"), "above_85"]
    assert "1 of 3 (first-second)" in repr(result)


def test_pairwise_by_default_listwise_on_request_and_a_matrix_as_data() -> None:
    pilot = als.load_pilot()
    pairwise = htmt(pilot, SCALE)
    listwise = htmt(pilot, SCALE, missing="listwise")
    assert (pairwise.n_obs, pairwise.n_rows) == (320, 320)
    assert listwise.n_obs == int(pilot[SCALE.item_ids].notna().all(axis=1).sum()) < 320
    assert "142 of 320" in repr(listwise)
    # the pairwise correlation matrix given as data gives the same ratios
    matrix = als.correlation_matrix(pilot[SCALE.item_ids]).matrix
    from_matrix = htmt(cor_matrix=matrix, model=SCALE)
    np.testing.assert_allclose(from_matrix.matrix, pairwise.matrix, atol=1e-14)
    assert from_matrix.n_obs is None and "correlation matrix given" in repr(from_matrix)
    with pytest.raises(AnalysisError, match="row and column names differ"):
        htmt(cor_matrix=matrix.reset_index(drop=True), model=SCALE)
    with pytest.raises(OptionError, match="looks like a correlation matrix"):
        htmt(matrix, SCALE)


def test_result_layout_and_rendering(bfi_items, plain_model) -> None:
    result = htmt(bfi_items, plain_model, missing="listwise")
    assert isinstance(result, HTMTResult)
    assert np.allclose(np.diag(result.matrix), 1.0)
    assert len(result.pairs) == 10 and result.to_frame() is result.matrix
    text = repr(result)
    assert "pairs >= .85 (strict bound): 0 of 10" in text and "e-" not in text
    assert "<table" in result._repr_html_()


def test_bad_models_and_options_are_named(bfi_items, plain_model) -> None:
    with pytest.raises(AnalysisError, match="construct 'solo' has 1 item"):
        htmt(bfi_items, {**plain_model, "solo": ["A1"]})
    with pytest.raises(AnalysisError, match="column 'Z9'"):
        htmt(bfi_items, {"agree": ["A1", "Z9"], "other": ["C1", "C2"]})
    with pytest.raises(OptionError, match="model"):
        htmt(bfi_items, ["A1", "A2"])
    with pytest.raises(OptionError, match="model\\['agree'\\]"):
        htmt(bfi_items, {"agree": "A1 A2"})
    with pytest.raises(OptionError, match="reverse-keyed in one construct only"):
        htmt(bfi_items, {"x": ["A1", "A2"], "y": ["-A1", "A3"]})
    for options, name in (({"mean": "harmonic"}, "mean"), ({"cor": "kendall"}, "cor"),
                          ({"missing": "fiml"}, "missing"), ({"absolute": "yes"}, "absolute")):
        with pytest.raises(OptionError, match=name):
            htmt(bfi_items, plain_model, **options)
    with pytest.raises(OptionError, match="level"):
        htmt(als.load_pilot(), SCALE, level="theme")
    with pytest.raises(OptionError, match="DataFrame"):
        htmt(bfi_items.to_numpy(), plain_model)


def test_a_construct_with_negative_mean_correlation_warns(bfi_items) -> None:
    # E1 and E2 are reverse keyed: with signed correlations the mean within {E1, E3} is < 0
    model = {"mixed": ["E1", "E3"], "agree": ["A2", "A3"]}
    with pytest.warns(AllianceScaleWarning, match=r"mixed.*not positive"):
        result = htmt(bfi_items, model, absolute=False)
    assert np.isnan(result.matrix.loc["mixed", "agree"])


def test_constant_item_is_named() -> None:
    data = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 3, 3, 5, 4], "c": [3, 3, 3, 3, 3],
                         "d": [1, 3, 2, 5, 4]}, dtype=float)
    with pytest.raises(AnalysisError, match=r"column 'c'.*constant"):
        htmt(data, {"x": ["a", "b"], "y": ["c", "d"]})


def test_the_printed_result_names_which_htmt_it_computed(bfi_items, reference,
                                                         plain_model) -> None:
    """semTools 0.5-6 defaults to HTMT2; ours to Henseler's: the print says which."""
    default = htmt(bfi_items, plain_model, missing="listwise")
    assert default.mean == "arithmetic"
    np.testing.assert_allclose(default.matrix.to_numpy(),
                               _r_matrix(reference["htmt"]["arithmetic"]), atol=1e-12)
    text = repr(default)
    assert "arithmetic means (Henseler et al. 2015; semTools::htmt(htmt2 = FALSE)" in text
    assert "mean='geometric'" in text
    second = htmt(bfi_items, plain_model, missing="listwise", mean="geometric")
    assert "HTMT2: geometric means" in repr(second) and "htmt2 = TRUE" in repr(second)
    assert "HTMT2" in htmt.__doc__ and "arithmetic" in htmt.__doc__
