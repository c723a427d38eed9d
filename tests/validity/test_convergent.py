"""convergent_validity: agreement with R (psych::corr.test, correct.cor, r.test, alpha; see
tests/fixtures/convergent_reference.R), the blueprint's hypotheses on simulated data with a
known truth (and with a truth violating two of them), hypothesis formats, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_scale as als
from alliance_scale import (
    ConvergentValidityResult,
    Hypothesis,
    blueprint_hypotheses,
    convergent_validity,
    parse_hypothesis,
    score_items,
)
from alliance_scale.errors import AnalysisError, ItemBankError, OptionError, ResponseError
from alliance_scale.validity._convergent import DIRECTION_ONLY

TOL = 1e-10
WAI = list(als.WAI_COLUMNS)
SCALE = als.draft_scale()


@pytest.fixture(scope="module")
def reference(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "convergent_reference.json").read_text())


@pytest.fixture(scope="module")
def bfi_scores(bfi, reference) -> pd.DataFrame:
    keys = reference["keys"]
    return score_items(bfi, keys, min_value=1, max_value=6)[list(keys)]


@pytest.fixture(scope="module")
def xy(bfi, bfi_scores, reference) -> tuple[pd.DataFrame, pd.DataFrame]:
    ref = reference["corr_test"]
    x = bfi_scores[ref["x"]]
    y = pd.DataFrame({"neuroticism": bfi_scores["neuroticism"],
                      "openness": bfi_scores["openness"], "education": bfi["education"]})
    return x, y


@pytest.fixture(scope="module")
def pilot() -> pd.DataFrame:
    return als.load_pilot()


@pytest.fixture(scope="module")
def pilot_scores(pilot) -> als.ScoreResult:
    return als.score(pilot, SCALE)


ONE = ["agree ~ openness > agree ~ neuroticism"]


def _column_major(result: ConvergentValidityResult, x: pd.DataFrame,
                  y: pd.DataFrame) -> pd.DataFrame:
    """The table in corr.test's $ci row order (x varies fastest)."""
    order = pd.MultiIndex.from_product([y.columns, x.columns])
    return result.table.reorder_levels([1, 0]).loc[order]


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_table_is_psych_corr_test(xy, reference, method: str) -> None:
    x, y = xy
    ref = reference["corr_test"][method]
    table = _column_major(convergent_validity(x, y, method=method, hypotheses=ONE), x, y)
    np.testing.assert_array_equal(table["n"], ref["n"])  # pairwise n: education has NAs
    for ours, theirs in (("r", "r"), ("p", "p"), ("p_adjusted", "p_adj"),
                         ("ci_lower", "lower"), ("ci_upper", "upper")):
        np.testing.assert_allclose(table[ours], ref[theirs], atol=TOL, rtol=0, err_msg=ours)


def test_confidence_and_every_adjustment_are_psych(xy, reference) -> None:
    x, y = xy
    ref = reference["corr_test"]
    table = _column_major(convergent_validity(x, y, confidence=0.9, hypotheses=ONE), x, y)
    np.testing.assert_allclose(table["ci_lower"], ref["pearson"]["lower90"], atol=TOL, rtol=0)
    np.testing.assert_allclose(table["ci_upper"], ref["pearson"]["upper90"], atol=TOL, rtol=0)
    np.testing.assert_allclose(table["t"], ref["pearson"]["t"], rtol=1e-12)
    for method, expected in ref["p_adjusted"].items():
        result = convergent_validity(x, y, adjust=method, hypotheses=ONE)
        np.testing.assert_allclose(_column_major(result, x, y)["p_adjusted"], expected,
                                   atol=TOL, rtol=0, err_msg=method)


@pytest.mark.parametrize("case, scores, criterion, hypothesis", [
    ("overlapping", ["conscientious"], ["agree", "extraversion"],
     "conscientious ~ agree > conscientious ~ extraversion"),
    ("nonoverlapping", ["agree", "extraversion"], ["conscientious", "openness"],
     "agree ~ conscientious > extraversion ~ openness"),
])
@pytest.mark.parametrize("suffix, rows", [("", slice(None)), ("_small", slice(0, 60))])
def test_comparisons_are_psych_r_test_with_zou_intervals(
    bfi_scores, reference, case, scores, criterion, hypothesis, suffix, rows
) -> None:
    ref = reference["r_test"][case + suffix]
    data = bfi_scores.iloc[rows]
    row = convergent_validity(data[scores], data[criterion],
                              hypotheses=[hypothesis]).hypotheses.iloc[0]
    statistic = ref["t"] if "t" in ref else ref["z"]
    assert row["n"] == ref["n"]
    assert abs(row["statistic"] - statistic) < 1e-12 and abs(row["p"] - ref["p"]) < TOL
    assert abs(row["ci_lower"] - ref["zou"][0]) < TOL
    assert abs(row["ci_upper"] - ref["zou"][1]) < TOL
    assert row["test"] == ("Williams's t" if case == "overlapping" else "Steiger's z")
    if row["r"] <= row["versus"]:
        expected = "not confirmed"
    else:  # the default rule asks the interval to exclude 0 as well
        expected = "confirmed" if row["ci_lower"] > 0 else DIRECTION_ONLY
    assert row["verdict"] == expected


def test_disattenuated_r_is_psych_correct_cor(bfi_scores, reference) -> None:
    ref = reference["correct_cor"]
    names = ref["names"]
    rel = dict(zip(names, ref["reliabilities"], strict=True))
    corrected = pd.DataFrame(np.array(ref["corrected"]).T, index=names, columns=names)
    x, y = bfi_scores[names[:3]], bfi_scores[names[3:]]
    table = convergent_validity(
        x, y, hypotheses=["agree ~ openness > agree ~ neuroticism"],
        reliabilities={k: rel[k] for k in names[:3]},
        criterion_reliabilities={k: rel[k] for k in names[3:]}).table
    for (s, c), value in table["r_disattenuated"].items():
        assert abs(value - corrected.loc[s, c]) < TOL  # upper triangle: corrected
    assert table.loc[("agree", "openness"), "reliability_criterion"] == rel["openness"]


def test_item_level_criterion_is_scored_with_psych_alphas(bfi, bfi_scores, reference) -> None:
    keys = {k: reference["keys"][k] for k in ("neuroticism", "openness")}
    result = convergent_validity(bfi_scores[["agree"]], bfi.iloc[:, :25], criterion_keys=keys,
                                 hypotheses=["agree ~ openness > agree ~ neuroticism"])
    rel = dict(zip(reference["correct_cor"]["names"], reference["correct_cor"]["reliabilities"],
                   strict=True))
    table = result.table.loc["agree"]
    assert abs(table.loc["openness", "reliability_criterion"] - rel["openness"]) < 1e-12
    assert abs(table.loc["neuroticism", "reliability_criterion"] - rel["neuroticism"]) < 1e-12
    expected = bfi_scores[["agree", "openness"]].corr().iloc[0, 1]
    assert abs(table.loc["openness", "r"] - expected) < 1e-12
    # a total of all the criterion items is added, with its alpha
    all_items = [i.lstrip("-") for listed in keys.values() for i in listed]
    reverse = [i.lstrip("-") for listed in keys.values() for i in listed if i.startswith("-")]
    alpha = als.cronbach_alpha(bfi[all_items], reverse=reverse, min_value=1, max_value=6,
                               ci=None).alpha
    assert abs(table.loc["total", "reliability_criterion"] - alpha) < 1e-12


def test_blueprint_hypotheses_on_the_pilot_confirmed_by_estimate_and_interval(
        pilot, pilot_scores) -> None:
    """H4 and H5 are in the hypothesised direction but Zou's interval includes 0 (p = .064,
    .150): counted apart, not confirmed; the estimate-only reading confirms all 12."""
    result = convergent_validity(pilot_scores, pilot[WAI])
    assert (result.confirmed, result.direction_only, result.testable) == (10, 2, 12)
    assert result.rule == "interval" and result.meets_cosmin  # 10/12 = 83%
    apart = result.hypotheses[result.hypotheses["verdict"] == DIRECTION_ONLY]
    assert list(apart.index) == ["H4", "H5"]
    assert ((apart["ci_lower"] < 0) & (apart["difference"] > 0)).all()
    assert "10 of 12 testable hypotheses confirmed" in result.conclusion
    assert "2 more in the hypothesised direction" in result.conclusion
    assert "is met" in result.conclusion
    lenient = convergent_validity(pilot_scores, pilot[WAI], rule="estimate")
    assert (lenient.confirmed, lenient.direction_only) == (12, 0)
    assert "on the estimate only" in lenient.conclusion
    assert list(result.hypotheses["hypothesis"]) == [h.text for h in blueprint_hypotheses()]
    high = result.table.index[result.table["hypothesised"]]
    assert set(high) == {("A", "task"), ("B", "task"), ("B", "bond"), ("C", "bond"),
                         ("B2", "goal"), ("C3", "goal"), ("total", "total")}
    assert set(result.criterion_columns) == {"goal", "task", "bond", "total"}
    assert result.criterion_columns["goal"] == "wai_goal"


@pytest.mark.parametrize("seed", [1, 2])
def test_simulated_truth_confirms_and_a_violated_truth_rejects_exactly_two(seed: int) -> None:
    truth = als.simulate(SCALE, 1500, seed=seed)
    held = convergent_validity(als.score(truth.data, SCALE), truth.data[WAI])
    # true hypotheses: none is contradicted; the interval rule may lack the power to
    # confirm a small true difference at n = 1,500 (counted apart, never rejected)
    assert held.confirmed + held.direction_only == held.testable == 12
    assert held.confirmed >= 11 and held.meets_cosmin
    # A related to goal and bond instead of task: "A ~ task > A ~ goal" and "A ~ task > A ~
    # bond" are false in this population, and only they
    violated = als.simulate(SCALE, 1500, seed=seed, bordin={"A": ["goal", "bond"]})
    result = convergent_validity(als.score(violated.data, SCALE), violated.data[WAI])
    rejected = result.hypotheses[result.hypotheses["verdict"] == "not confirmed"]
    assert list(rejected.index) == ["H1", "H2"]
    assert list(rejected["hypothesis"]) == ["A ~ task > A ~ goal", "A ~ task > A ~ bond"]
    assert (rejected["ci_upper"] < 0).all()  # the intervals reject them too
    assert result.confirmed + result.direction_only == 10


def test_a_weak_criterion_fails_the_total_threshold_and_the_cosmin_rule() -> None:
    weak = als.simulate(SCALE, 800, seed=3, wai_validity=0.3)
    result = convergent_validity(als.score(weak.data, SCALE), weak.data[WAI],
                                 hypotheses=["total ~ total >= .50", "A ~ task > A ~ goal"])
    assert result.hypotheses.loc["H1", "verdict"] == "not confirmed"
    assert result.hypotheses.loc["H1", "ci_supports"] == False  # noqa: E712
    assert result.testable == 2 and not result.meets_cosmin
    assert "is not met" in result.conclusion


def test_share_rule_is_at_least_three_quarters(pilot, pilot_scores) -> None:
    hypotheses = ["A ~ task > A ~ goal", "C ~ bond > C ~ task", "B ~ task > B ~ goal",
                  "A ~ goal > A ~ task"]  # the last is false on the pilot
    result = convergent_validity(pilot_scores, pilot[WAI], hypotheses=hypotheses)
    assert (result.confirmed, result.testable, result.share) == (3, 4, 0.75)
    assert result.meets_cosmin
    result = convergent_validity(pilot_scores, pilot[WAI], hypotheses=hypotheses[2:])
    assert not result.meets_cosmin and result.share == 0.5


def test_blueprint_hypotheses_on_absent_subscales_are_not_testable(pilot, pilot_scores) -> None:
    dimensions = pilot_scores.scores[["A", "B", "C", "total"]]
    result = convergent_validity(dimensions, pilot[WAI])
    untestable = result.hypotheses[result.hypotheses["verdict"] == "not testable"]
    assert list(untestable.index) == ["H7", "H8", "H9", "H10", "H11"]
    assert untestable["reason"].str.contains("not in the data").all()
    assert result.testable == 7
    assert "5 hypothesis(es) not testable" in result.conclusion


def test_hypotheses_are_taken_as_string_list_mapping_objects_or_yaml(
    pilot, pilot_scores, tmp_path: Path
) -> None:
    criterion = pilot[WAI]
    one = convergent_validity(pilot_scores, criterion, hypotheses="C ~ bond >= .40")
    assert list(one.hypotheses.index) == ["H1"] and one.confirmed == 1
    mapping = {"convergent": "total ~ total >= .50", "task_side": "A ~ task > A ~ bond"}
    by_map = convergent_validity(pilot_scores, criterion, hypotheses=mapping)
    assert list(by_map.hypotheses.index) == ["convergent", "task_side"]
    objects = [parse_hypothesis("A ~ task > A ~ bond", "mine")]
    assert convergent_validity(pilot_scores, criterion,
                               hypotheses=objects).hypotheses.index[0] == "mine"
    file = tmp_path / "hypotheses.yaml"
    file.write_text('hypotheses:\n  convergent: "total ~ total >= .50"\n'
                    '  task_side: "A ~ task > A ~ bond"  # A is about the means\n')
    from_file = convergent_validity(pilot_scores, criterion, hypotheses=file)
    pd.testing.assert_frame_equal(from_file.hypotheses, by_map.hypotheses)
    listed = tmp_path / "list.yaml"
    listed.write_text("hypotheses:\n  - C ~ bond > C ~ task\n  - C ~ bond >= .4\n")
    assert list(convergent_validity(pilot_scores, criterion, hypotheses=str(listed))
                .hypotheses["hypothesis"]) == ["C ~ bond > C ~ task", "C ~ bond >= .4"]


def test_hypothesis_objects_know_their_pairs() -> None:
    h = parse_hypothesis("A ~ task < C ~ bond")
    assert isinstance(h, Hypothesis) and h.kind == "comparison"
    assert h.predicted_high == (("C", "bond"),)
    assert parse_hypothesis("A ~ goal <= -.1").predicted_high == ()
    assert parse_hypothesis("total~total>=0.5").text == "total ~ total >= 0.5"


@pytest.mark.parametrize("text, named", [
    ("A ~ task >> A ~ bond", "unexpected '>' at position 10"),
    ("A task > A ~ bond", "unexpected 'task'"),
    ("A ~ task > ", "ends early"),
    ("A ~ task = .5", "unexpected '='"),
    ("A ~ task > 1.5", "threshold '1.5'"),
    ("A ~ task > A ~ task", "with itself"),
    ("A ~ task > .5 and more", "unexpected 'and'"),
    ("A > B", "unexpected '>' at position 2; expected '~'"),
])
def test_malformed_hypotheses_name_the_string_and_the_token(text: str, named: str) -> None:
    with pytest.raises(OptionError) as error:
        parse_hypothesis(text)
    assert f"hypothesis {text!r}" in str(error.value) and named in str(error.value)
    pilot = als.load_pilot().iloc[:20]
    with pytest.raises(OptionError) as error:  # the same words through convergent_validity
        convergent_validity(pilot[WAI], pilot[WAI], hypotheses=text)
    assert named in str(error.value)


def test_unknown_names_in_a_user_hypothesis_are_refused(pilot, pilot_scores) -> None:
    with pytest.raises(OptionError, match="names subscale 'D'"):
        convergent_validity(pilot_scores, pilot[WAI], hypotheses=["D ~ task > A ~ bond"])
    with pytest.raises(OptionError, match="criterion subscale 'trust'"):
        convergent_validity(pilot_scores, pilot[WAI], hypotheses=["A ~ trust >= .3"])


def test_bad_hypothesis_files_name_the_file(pilot, pilot_scores, tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("other: 1\n")
    with pytest.raises(ItemBankError, match=r"empty.yaml.*'hypotheses'"):
        convergent_validity(pilot_scores, pilot[WAI], hypotheses=empty)
    broken = tmp_path / "broken.yaml"
    broken.write_text("hypotheses:\n  - A ~ task >> A ~ bond\n")
    with pytest.raises(ItemBankError, match=r"broken.yaml.*unexpected '>'"):
        convergent_validity(pilot_scores, pilot[WAI], hypotheses=broken)
    with pytest.raises(ItemBankError, match="cannot read"):
        convergent_validity(pilot_scores, pilot[WAI], hypotheses=tmp_path / "absent.yaml")
    with pytest.raises(OptionError, match="used twice"):
        convergent_validity(pilot_scores, pilot[WAI],
                            hypotheses=[parse_hypothesis("A ~ task >= .1", "H1"),
                                        parse_hypothesis("B ~ task >= .1", "H1")])


def test_rows_are_matched_by_id_not_by_position(pilot, pilot_scores) -> None:
    shuffled = pilot[WAI].sample(frac=1.0, random_state=1)
    a = convergent_validity(pilot_scores, pilot[WAI])
    b = convergent_validity(pilot_scores, shuffled)
    pd.testing.assert_frame_equal(a.table, b.table)
    with_column = pilot[WAI].reset_index()  # ids in a 'respondent' column
    c = convergent_validity(pilot_scores, with_column)
    pd.testing.assert_frame_equal(a.table, c.table)


def test_mismatched_ids_are_refused_and_named(pilot, pilot_scores) -> None:
    criterion = pilot[WAI].drop(index=[7, 12])
    with pytest.raises(ResponseError, match="in scores only: 7, 12") as error:
        convergent_validity(pilot_scores, criterion)
    assert error.value.rows == [7, 12]
    extra = pd.concat([pilot[WAI], pilot[WAI].loc[[5]].set_axis([999])])
    with pytest.raises(ResponseError, match="in criterion only: 999"):
        convergent_validity(pilot_scores, extra)


def test_duplicated_ids_are_refused_and_named(pilot, pilot_scores) -> None:
    criterion = pilot[WAI].rename(index={4: 3})
    with pytest.raises(ResponseError, match="duplicate respondent id") as error:
        convergent_validity(pilot_scores, criterion)
    assert error.value.rows == [3, 3]
    scores = pilot_scores.scores.rename(index={4: 3})
    with pytest.raises(ResponseError, match=r"scores.*duplicate"):
        convergent_validity(scores, pilot[WAI])


def test_constant_and_non_numeric_columns_are_named(pilot, pilot_scores) -> None:
    criterion = pilot[WAI].assign(wai_bond=4.0)
    with pytest.raises(AnalysisError, match=r"column 'wai_bond'.*constant"):
        convergent_validity(pilot_scores, criterion)
    scores = pilot_scores.scores.assign(A="high")
    with pytest.raises(AnalysisError, match=r"column 'A'.*non-numeric value\(s\) such as 'high'"):
        convergent_validity(scores, pilot[WAI])


def test_too_few_respondents_are_refused(pilot, pilot_scores) -> None:
    few = pilot_scores.scores.iloc[:3]
    with pytest.raises(AnalysisError, match=r"3 row.*at least 4"):
        convergent_validity(few, pilot[WAI].iloc[:3])
    sparse = pilot[WAI].copy()
    sparse.loc[sparse.index[3:], "wai_goal"] = np.nan
    with pytest.raises(AnalysisError, match="'A1' and criterion 'goal' have 3 respondent"):
        convergent_validity(pilot_scores, sparse)


def test_criterion_columns_meaning_the_same_subscale_are_refused(pilot, pilot_scores) -> None:
    criterion = pilot[WAI].assign(goal=pilot["wai_goal"])
    with pytest.raises(ResponseError, match="wai_goal, goal all mean 'goal'"):
        convergent_validity(pilot_scores, criterion)


@pytest.mark.parametrize("options, name", [
    ({"method": "kendall"}, "method"), ({"adjust": "Holm"}, "adjust"),
    ({"confidence": 1.5}, "confidence"), ({"reliabilities": {"A": 1.3}}, "reliabilities"),
    ({"reliabilities": {"Z": 0.8}}, "'Z'"), ({"criterion_reliabilities": [0.8]},
                                            "criterion_reliabilities"),
    ({"hypotheses": 3}, "hypotheses"),
])
def test_bad_options_are_named(pilot, pilot_scores, options: dict, name: str) -> None:
    with pytest.raises(OptionError, match=name):
        convergent_validity(pilot_scores, pilot[WAI], **options)


@pytest.mark.slow
def test_reliabilities_from_a_reliability_result(pilot, pilot_scores) -> None:
    rel = als.reliability(pilot, SCALE)
    result = convergent_validity(pilot_scores, pilot[WAI], reliabilities=rel,
                                 criterion_reliabilities={"wai_goal": 0.85, "task": 0.86,
                                                          "bond": 0.88})
    row = result.table.loc[("A", "task")]
    assert row["reliability_subscale"] == rel.table.loc["A", "alpha"]
    assert row["r_disattenuated"] == pytest.approx(
        row["r"] / np.sqrt(rel.table.loc["A", "alpha"] * 0.86), abs=1e-15)
    # the computed total gets the stratified alpha of goal, task and bond
    total_rel = result.table.loc[("A", "total"), "reliability_criterion"]
    parts = pilot[WAI]
    error = (parts.var() * (1 - np.array([0.85, 0.86, 0.88]))).sum()
    assert total_rel == pytest.approx(1 - error / parts.sum(axis=1).var(), abs=1e-12)


def test_result_prints_fixed_point_and_escapes_html(pilot, pilot_scores) -> None:
    result = convergent_validity(pilot_scores, pilot[WAI])
    text = repr(result)
    assert "COSMIN: 10 of 12" in text and "H2: A ~ task > A ~ bond: confirmed (0.590 vs" in text
    assert "e-" not in text.split("\n", 5)[-1]  # no scientific notation in the table
    assert "<table" in result._repr_html_() and "A ~ task &gt; A ~ bond" in \
        result._repr_html_()
    assert result.to_frame() is result.table
    r = result.r
    assert list(r.index)[:2] == ["A1", "A2"] and list(r.columns) == ["goal", "task", "bond",
                                                                      "total"]
    with pytest.raises(AttributeError):
        result.confirmed = 0  # type: ignore[misc]


def test_respondents_left_out_by_score_keep_are_left_out_of_the_criterion():
    # issue #17: score(..., keep="complete") dropped rows from the scores but not from
    # responses[wai], and convergent_validity refused the mismatch
    scale = als.draft_scale()
    pilot = als.load_pilot()
    pilot.index = pilot.index.astype(int).astype(str).rename("respondent")
    pilot["status"] = "complete"
    pilot.loc[["9", "31"], "status"] = "incomplete"
    responses = als.read_responses(pilot, scale)
    scores = als.score(responses, scale, keep="complete")
    wai = responses[["wai_goal", "wai_task", "wai_bond"]]
    with pytest.warns(als.AllianceScaleWarning, match=r"2 respondent\(s\).*incomplete: 2\): "
                                                      r"9, 31"):
        result = als.convergent_validity(scores, wai)
    assert result.left_out == ("9", "31") and result.n_obs == 318
    assert "318 (2 left out, as score(keep=) left them out: 9, 31)" in repr(result)
    # the same numbers as matching the tables by hand
    by_hand = als.convergent_validity(scores.scores, wai.drop(index=["9", "31"]))
    assert by_hand.left_out == ()
    pd.testing.assert_frame_equal(result.table, by_hand.table)
    # any other mismatch is still refused, naming the ids
    with pytest.raises(ResponseError, match="in criterion only: 999"):
        als.convergent_validity(scores, wai.drop(index=["9", "31"]).rename(index={"1": "999"}))
    with pytest.raises(ResponseError, match="in criterion only: 9, 31"):
        als.convergent_validity(scores.scores, wai)


def test_a_long_hypothesis_or_a_device_is_never_opened_as_a_file(pilot, pilot_scores,
                                                                 tmp_path: Path) -> None:
    """A string longer than a file name is a (bad) hypothesis, not an OSError; a directory
    or a device given as the hypotheses file is refused by name, never read."""
    with pytest.raises(OptionError, match="hypothesis"):
        convergent_validity(pilot_scores, pilot[WAI], hypotheses="A" * 5000)
    with pytest.raises(ItemBankError, match="a directory, not a file"):
        convergent_validity(pilot_scores, pilot[WAI], hypotheses=tmp_path)
    with pytest.raises(ItemBankError, match="a device, not a regular file"):
        convergent_validity(pilot_scores, pilot[WAI], hypotheses=Path("/dev/zero"))


def test_a_difference_whose_interval_includes_0_is_not_confirmed() -> None:
    """Constructed data: x1 and x2 correlate with the criterion at nearly the same r, so the
    estimate is on the hypothesised side while Zou's interval of the difference includes 0."""
    rng = np.random.default_rng(1)  # difference .044, Zou interval -.097 to .19
    n = 200
    criterion = rng.standard_normal(n)
    x1 = 0.52 * criterion + np.sqrt(1 - 0.52**2) * rng.standard_normal(n)
    x2 = 0.48 * criterion + np.sqrt(1 - 0.48**2) * rng.standard_normal(n)
    index = pd.Index([f"r{i}" for i in range(n)], name="id")
    scores = pd.DataFrame({"x1": x1, "x2": x2}, index=index)
    wai = pd.DataFrame({"goal": criterion, "task": rng.standard_normal(n),
                        "bond": rng.standard_normal(n)}, index=index)
    hypotheses = ["x1 ~ goal > x2 ~ goal", "x1 ~ goal > x1 ~ task"]
    result = convergent_validity(scores, wai, hypotheses=hypotheses, id_column=False)
    close, clear = result.hypotheses.loc["H1"], result.hypotheses.loc["H2"]
    assert close["difference"] > 0 and close["ci_lower"] < 0 < close["ci_upper"]
    assert close["verdict"] == DIRECTION_ONLY and not close["ci_supports"]
    assert clear["ci_lower"] > 0 and clear["verdict"] == "confirmed"
    assert (result.confirmed, result.direction_only, result.testable) == (1, 1, 2)
    assert result.share == 0.5 and not result.meets_cosmin
    lenient = convergent_validity(scores, wai, hypotheses=hypotheses, id_column=False,
                                  rule="estimate")
    assert lenient.hypotheses.loc["H1", "verdict"] == "confirmed"
    assert lenient.confirmed == 2 and lenient.meets_cosmin
    with pytest.raises(OptionError, match="rule"):
        convergent_validity(scores, wai, hypotheses=hypotheses, id_column=False, rule="ci")


def test_hypotheses_may_name_the_criterion_by_the_user_s_column(pilot, pilot_scores) -> None:
    """'A ~ wai_bond > A ~ wai_task' is 'A ~ bond > A ~ task' (the columns are renamed to
    the Bordin names); the text stays as written."""
    criterion = pilot[WAI]
    own = ["A ~ wai_bond > A ~ wai_task", "C ~ wai_bond >= .40", "total ~ total >= .50"]
    bordin = ["A ~ bond > A ~ task", "C ~ bond >= .40", "total ~ total >= .50"]
    mine = convergent_validity(pilot_scores, criterion, hypotheses=own)
    theirs = convergent_validity(pilot_scores, criterion, hypotheses=bordin)
    columns = ["r", "versus", "difference", "verdict"]
    pd.testing.assert_frame_equal(mine.hypotheses[columns], theirs.hypotheses[columns])
    assert list(mine.hypotheses["hypothesis"]) == own
    pd.testing.assert_frame_equal(mine.table, theirs.table)  # hypothesised cells too
    mixed = convergent_validity(pilot_scores, criterion, hypotheses=["A ~ wai_bond > A ~ task"])
    assert mixed.hypotheses["verdict"].iloc[0] == theirs.hypotheses["verdict"].iloc[0]
    with pytest.raises(OptionError, match="wai_alliance"):
        convergent_validity(pilot_scores, criterion, hypotheses=["A ~ wai_alliance >= .3"])
    matrix = als.mtmm(pilot_scores, criterion, hypotheses=own)
    same = als.mtmm(pilot_scores, criterion, hypotheses=bordin)
    pd.testing.assert_frame_equal(matrix.criteria, same.criteria)
