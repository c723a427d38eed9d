"""lavaan model syntax: what the parser accepts, and the errors naming line and token."""

from __future__ import annotations

import pytest

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
