"""lavaan model syntax: what the parser accepts, and the errors naming line and token."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from support import FIXTURES

import alliance_scale as als
from alliance_scale import OptionError
from alliance_scale.psychometrics._cfa._model import build_model
from alliance_scale.psychometrics._cfa._syntax import model_statements, parse_model


def _triples(model):
    return [(s.lhs, s.op, s.rhs) for s in parse_model(model)]


def test_measurement_model_with_comments_and_continuation() -> None:
    model = """
    # three factors
    visual  =~ x1 + x2 +
               x3          ! continued on the next line
    textual =~ x4 + x5 + x6; speed =~ x7 + x8
             + x9
    """
    assert _triples(model) == [
        ("visual", "=~", "x1"), ("visual", "=~", "x2"), ("visual", "=~", "x3"),
        ("textual", "=~", "x4"), ("textual", "=~", "x5"), ("textual", "=~", "x6"),
        ("speed", "=~", "x7"), ("speed", "=~", "x8"), ("speed", "=~", "x9"),
    ]


def test_modifiers_fixed_free_label_start_and_groups() -> None:
    statements = parse_model("f =~ NA*x1 + a*x2 + 0.5*x3 + start(.7)*x4 + c(b, b)*x5\n"
                             "x1 ~~ 0*x2\nx1 ~ 1\nf ~ c(0, NA)*1\nx1 | t1")
    by_rhs = {(s.lhs, s.op, s.rhs): s for s in statements}
    assert by_rhs[("f", "=~", "x1")].fixed == (None,)
    assert by_rhs[("f", "=~", "x2")].label == ("a",)
    assert by_rhs[("f", "=~", "x3")].fixed == (0.5,)
    assert by_rhs[("f", "=~", "x4")].start == (0.7,)
    assert by_rhs[("f", "=~", "x5")].label == ("b", "b")
    assert by_rhs[("x1", "~~", "x2")].fixed == (0.0,)
    assert ("x1", "~1", "") in by_rhs
    assert by_rhs[("f", "~1", "")].fixed == (0.0, None)
    assert ("x1", "|", "t1") in by_rhs


def test_repeated_terms_merge_their_modifiers() -> None:
    (statement, *_rest) = parse_model("f =~ NA*x1 + lam*x1 + x2 + x3")
    assert (statement.rhs, statement.fixed, statement.label) == ("x1", (None,), ("lam",))
    assert len(parse_model("f =~ x1 + x2 + x3\nx2 ~~ x1\nx1 ~~ x2")) == 4


def test_mapping_puts_a_positively_keyed_marker_first() -> None:
    statements = model_statements({"f": ["-a", "-b", "c", "d"], "g": ["e", "-h"]})
    assert [(s.lhs, s.rhs) for s in statements] == [
        ("f", "c"), ("f", "a"), ("f", "b"), ("f", "d"), ("g", "e"), ("g", "h")]


def test_second_order_mapping() -> None:
    model = build_model(model_statements({"f1": ["a", "b", "c"], "f2": ["d", "e", "h"],
                                          "g": ["f1", "f2"]}))
    assert model.lv == ["f1", "f2", "g"]
    assert {(r.lhs, r.rhs, r.mat) for r in model.rows if r.op == "=~" and r.lhs == "g"} == {
        ("g", "f1", "beta"), ("g", "f2", "beta")}


@pytest.mark.parametrize(("model", "pieces"), [
    ("f =~ x1 x2", ["line 1", "'x2'", "expected '+'"]),
    ("f =~ x1 + x2\ng =~ x3 + + x4", ["line 2", "'+'"]),
    ("f =~ x1 + x2\nf =~~ x3", ["line 2", "'~'"]),
    ("f =~ x1 + x2\nx1 := x2", ["line 2", "':='", "not supported"]),
    ("f =~ x1 + $x2", ["line 1", "'$'", "unexpected character"]),
    ("f =~ x1 + c(1, a)*x2", ["line 1", "c() mixes"]),
    ("f =~", ["line 1", "missing a variable"]),
    ("x1 ~~ x2", ["no '=~'"]),
    ("f =~ x1 + x2\nx1 | w1", ["line 2", "t1, t2"]),
])
def test_syntax_errors_name_the_line_and_token(model: str, pieces: list[str]) -> None:
    with pytest.raises(OptionError) as error:
        parse_model(model)
    for piece in pieces:
        assert piece in str(error.value)


@pytest.mark.parametrize("model", [42, None, {"f": "x1"}, {"f": []}, {"f": ["x1", "x1"]},
                                   {"1f": ["a", "b"]}])
def test_bad_model_objects_are_refused(model: object) -> None:
    with pytest.raises(OptionError):
        model_statements(model)  # type: ignore[arg-type]


def test_regression_of_an_observed_variable_is_refused() -> None:
    with pytest.raises(OptionError, match="line 2"):
        build_model(parse_model("f =~ x1 + x2 + x3\nx1 ~ f"))


def test_per_group_modifiers_must_match_the_groups() -> None:
    with pytest.raises(OptionError, match="3 values for 2 group"):
        build_model(parse_model("f =~ x1 + c(a, b, c)*x2 + x3"), ngroups=2)


# ============================================================================ against lavaan
# tests/fixtures/cfa_syntax_reference.R (lavaan 0.6.14, HolzingerSwineford1939)

SYNTAX_REF = json.loads((FIXTURES / "cfa_syntax_reference.json").read_text())


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "HolzingerSwineford1939.csv")


def _compare(fit: als.CFAResult, reference: dict) -> pd.DataFrame:
    ours = fit.estimates.copy()
    if "group" not in ours:
        ours["group"] = 1
    theirs = pd.DataFrame({k: reference[k] for k in ("lhs", "op", "rhs", "group", "label",
                                                     "est", "se")}).replace({None: np.nan})
    merged = ours.merge(theirs, on=["lhs", "op", "rhs", "group"], suffixes=("", "_ref"))
    assert len(merged) == len(theirs) == len(ours)
    np.testing.assert_allclose(merged["est"], merged["est_ref"], atol=1e-4)
    known = merged["se_ref"].notna()
    np.testing.assert_allclose(merged.loc[known, "se"], merged.loc[known, "se_ref"], atol=1e-4)
    assert fit.fit["df"] == reference["df"]
    assert fit.fit["chisq"] == pytest.approx(reference["chisq"], rel=1e-5)
    return merged


@pytest.mark.parametrize(("key", "options", "ties"), [
    ("equal", {}, 1), ("equal_group", {"group": "school"}, 2)])  # group 2's x3 also tied
def test_equal_modifier_matches_lavaan(hs: pd.DataFrame, key: str, options: dict,
                                       ties: int) -> None:
    merged = _compare(als.cfa(hs, SYNTAX_REF["models"][key], **options), SYNTAX_REF[key])
    # the labels lavaan prints: the target's plabel and the equal() string
    loadings = merged[(merged["op"] == "=~") & (merged["group"] == 1)]
    assert list(loadings["label"]) == list(loadings["label_ref"])
    # the equality binds: dropping it frees one parameter
    free = als.cfa(hs, SYNTAX_REF["models"][key].replace('equal("visual=~x2")*', ""), **options)
    assert free.fit["df"] == SYNTAX_REF[key]["df"] - ties


def test_equal_names_a_label_or_is_refused(hs: pd.DataFrame) -> None:
    by_label = als.cfa(hs, 'visual =~ x1 + a*x2 + equal("a")*x3\ntextual =~ x4 + x5 + x6')
    by_name = als.cfa(hs, 'visual =~ x1 + x2 + equal("visual =~ x2")*x3\ntextual =~ x4 + x5 + x6')
    assert by_label.fit["chisq"] == pytest.approx(by_name.fit["chisq"], rel=1e-9)
    with pytest.raises(OptionError, match=r"'visual =~ x3'.*names no parameter"):
        als.cfa(hs, 'visual =~ x1 + x2 + equal("visual=~x7")*x3')
    with pytest.raises(OptionError, match="equal"):
        parse_model("f =~ x1 + x2 + equal(2)*x3")


def test_single_indicator_factor_matches_lavaan(hs: pd.DataFrame) -> None:
    fit = als.cfa(hs, SYNTAX_REF["models"]["single"])
    merged = _compare(fit, SYNTAX_REF["single"])
    residual = merged[(merged["lhs"] == "x4") & (merged["op"] == "~~")]
    assert float(residual["est"].iloc[0]) == 0.0  # lavaan's auto.fix.single
    # a written residual variance wins over the default
    free = build_model(parse_model("f =~ x1 + x2 + x3\ng =~ x4\nx4 ~~ 0.5*x4"))
    assert [r.value for r in free.rows if r.lhs == "x4" and r.op == "~~"] == [0.5]
    # the only indicator of a second-order factor: its disturbance is fixed at 0
    second = build_model(parse_model("f =~ x1 + x2 + x3\ng =~ f"))
    assert [(r.fixed, r.value) for r in second.rows if r.lhs == "f" and r.op == "~~"] == [
        (True, 0.0)]


@pytest.mark.parametrize(("model", "pieces"), [
    ("f =~ x1 + x2 + x3\nx1 | t0", ["line 2", "'x1 | t0'", "t1, t2"]),
    ("f =~ x1 + 1e999*x2 + x3", ["line 1", "'1e999'", "finite"]),
    ("f =~ x1 + Inf*x2 + x3", ["line 1", "'Inf'", "finite"]),
    ("f =~ x1 + NaN*x2 + x3", ["line 1", "'NaN'", "finite"]),
    ("f =~ x1 + start(-1e400)*x2 + x3", ["line 1", "finite"]),
    ("f =~ x1 + start(Inf)*x2 + x3", ["line 1", "finite"]),
    ("f =~ x1 + c(1, 1e999)*x2 + x3", ["line 1", "finite"]),
    ('f =~ x1 + x2 + ""', ["line 1", "empty quoted name"]),
    ('"" =~ x1 + x2', ["line 1", "empty quoted name"]),
    ("f =~ x1 + x2\n\ng =~ x1 + ''", ["line 3", "empty quoted name"]),
])
def test_bad_values_and_names_are_refused_naming_the_statement(model: str,
                                                               pieces: list[str]) -> None:
    with pytest.raises(OptionError) as error:
        parse_model(model)
    for piece in pieces:
        assert piece in str(error.value)


@pytest.mark.parametrize(("model", "pieces"), [
    ("f =~ x1 + x2 + g\ng =~ x3 + x4 + f", ["'f =~ g' (line 1)", "'g =~ f' (line 2)"]),
    ("f =~ x1 + x2 + f", ["'f =~ f' (line 1)"]),
    ("f =~ x1 + x2\ng =~ x3 + x4\nh =~ x5 + x6\ng ~ f\nh ~ g\nf ~ h",
     ["'g ~ f' (line 4)", "'h ~ g' (line 5)", "'f ~ h' (line 6)"]),
    ("f =~ x1 + x2\ng =~ x3 + x4\nf ~ f", ["'f ~ f' (line 3)"]),
])
def test_factor_cycles_are_refused_naming_the_statements(model: str, pieces: list[str]) -> None:
    with pytest.raises(OptionError, match="explains itself") as error:
        build_model(parse_model(model))
    for piece in pieces:
        assert piece in str(error.value)
    # and refused by cfa() before any data are read
    with pytest.raises(OptionError, match="explains itself"):
        als.cfa(pd.DataFrame({"y": [1.0, 2.0]}), model)


def test_thresholds_of_continuous_items_are_refused(hs: pd.DataFrame) -> None:
    with pytest.raises(OptionError, match=r"'x1 \| t1'.*ordered=True"):
        als.cfa(hs, "f =~ x1 + x2 + x3\nx1 | t1")


@pytest.mark.slow
def test_large_models_parse_in_linear_time_and_keep_every_statement() -> None:
    n = 10_000
    model = ("f =~ " + " + ".join(f"x{i}" for i in range(n)) + "\n"
             + "\n".join(f"x{i + 1} ~~ x{i}" for i in range(n - 1)) + "\nx1 ~~ x0")
    statements = parse_model(model)
    assert len(statements) == 2 * n - 1  # 'x1 ~~ x0' written twice: merged
    assert [(s.lhs, s.rhs) for s in statements[n:n + 2]] == [("x1", "x0"), ("x2", "x1")]
    built = build_model(statements)
    assert built.n_free == (n - 1) + n + (n - 1) + 1


@pytest.mark.slow
def test_error_messages_stay_readable_for_huge_models() -> None:
    model = "f =~ x1 + " + "x2 " * 400_000
    with pytest.raises(OptionError) as error:
        parse_model(model)
    message = str(error.value)
    assert len(message) < 400 and "more characters" in message and "line 1" in message
    with pytest.raises(OptionError) as error:
        parse_model("f =~ x1 + " + "$" * 100_000)
    assert len(str(error.value)) < 400
