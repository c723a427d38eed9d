"""Every numeric expectation of mirt's test-01-mirtOne.R (T1) and test-02-mirtTwo.R (T2)
(github philchalmers/mirt, commit 2fc2b236), with where our suite checks it or why it is out
of scope (issue 21 asks for the graded family, 2PL, Rasch/PCM, rsm, grsm; Oakes, crossprod and
sandwich SEs; constrain=; missing data; scores; M2/C2; S-X2; LD/Q3), and the tests of the lines
no other module checked.

Statuses: ``checked`` (at mirt's tolerance), ``looser`` (checked at a stated looser bound, the
reason and the numbers in that test's docstring), ``partly`` (part of the expression cannot
be computed here: the test says which), ``same:N`` (mirt repeats line N), ``no-number`` (no
reference value), ``out`` (a model, method or SE type the issue does not ask for). A
checked / looser / partly row names the test (``module.py::name``, this module when bare)
that uses an entry of tests/fixtures/mirt_expected.py whose ``source`` names the line (or
the call just before it); ``test_coverage_table_matches_the_expectations`` holds the table
to those sources and tests, so it cannot rot.

==== ==== =========== =============================================================================
file line status      where (the test) or why not
==== ==== =========== =============================================================================
T1   7    checked     test_irt.py::test_lsat7_2pl
T1   9    checked     test_irt.py::test_lsat7_2pl
T1   16   no-number   mod2values round trip (test_irt_pars.py)
T1   20   out         SE.type='SEM' condnum
T1   21   out         SE.type='SEM' intervals
T1   26   out         SE.type='Richardson' condnum
T1   27   checked     test_irt.py::test_lsat7_2pl
T1   31   out         SE.type='Fisher' condnum
T1   34   checked     test_irt.py::test_lsat7_rasch
T1   35   checked     test_irt.py::test_lsat7_rasch
T1   37   out         lagrange()
T1   39   out         lagrange()
T1   44   checked     test_irt.py::test_lsat6_rasch_with_latent_variance
T1   49   looser      test_lsat6_equal_slopes_m2
T1   50   checked     test_lsat6_equal_slopes_m2
T1   54   checked     test_lsat7_equal_slopes_crossprod
T1   56   checked     test_lsat7_equal_slopes_crossprod
T1   65   out         4PL df
T1   68   out         4PL coefficients
T1   71   checked     test_lsat7_two_missing_answers_df
T1   74   checked     test_irt.py::test_lsat7_missing_answers_full_information
T1   77   out         itemtype='ideal'
T1   81   out         itemtype='spline'
T1   82   out         itemtype='spline' logLik
T1   86   out         itemtype='monospline'
T1   87   out         itemtype='monospline' logLik
T1   91   out         method='QMCEM' (one dimension)
T1   93   out         QMCEM scores
T1   95   out         QMCEM M2
T1   97   out         QMCEM S-X2
T1   99   out         QMCEM residuals
T1   103  checked     test_irt.py::test_lsat7_scores
T1   107  checked     test_irt.py::test_lsat7_scores
T1   111  checked     test_lsat7_equal_slopes_ml_scores
T1   112  checked     test_lsat7_equal_slopes_ml_scores
T1   122  checked     test_irt.py::test_lsat7_scores
T1   123  checked     test_irt.py::test_lsat7_scores
T1   126  checked     test_irt_residuals.py::test_ld_against_mirt_lsat7
T1   141  checked     test_irt_personfit.py::test_item_zh_against_mirt_lsat7
T1   143  checked     test_irt_personfit.py::test_bock_x2_against_mirt_lsat7
T1   144  checked     test_irt.py::test_sx2_against_mirt
T1   146  checked     test_irt_personfit.py::test_bock_x2_against_mirt_lsat7
T1   147  checked     test_irt.py::test_sx2_against_mirt
T1   151  checked     test_irt.py::test_m2_binary_against_mirt
T1   152  checked     test_irt.py::test_m2_binary_against_mirt
T1   155  checked     test_irt.py::test_m2_binary_against_mirt
T1   156  checked     test_irt.py::test_m2_binary_against_mirt
T1   162  checked     test_lsat7_two_orthogonal_factors_df
T1   165  out         itemtype='PC2PL' coefficients
T1   167  out         itemtype='PC2PL' df
T1   181  checked     test_irt.py::test_m2_binary_against_mirt
T1   182  checked     test_irt_personfit.py::test_sx2_with_na_rm_against_mirt
T1   183  checked     test_lsat7_missing_answer_eapsum
T1   200  partly      test_lsat7_missing_rasch_equals_equal_slopes
T2   6    checked     test_irt.py::test_science_graded_coefficients_and_df
T2   8    checked     test_irt.py::test_science_graded_coefficients_and_df
T2   11   looser      test_irt.py::test_c2_against_mirt
T2   12   looser      test_irt.py::test_c2_against_mirt
T2   15   out         itemtype='sequential' df
T2   17   out         itemtype='sequential' coefficients
T2   19   out         itemtype='sequential' logLik
T2   24   checked     test_irt.py::test_science_louis_and_sandwich_at_mirt_estimates
T2   26   looser      test_science_condition_numbers
T2   30   out         SE.type='sandwich.Louis'
T2   32   out         SE.type='sandwich.Louis' condnum
T2   36   checked     test_irt.py::test_science_louis_and_sandwich_at_mirt_estimates
T2   38   checked     test_science_condition_numbers
T2   40   looser      test_science_condition_numbers
T2   43   same:6      mirt refits modp1
T2   45   same:8      mirt refits modp1
T2   51   same:8      large='return' (cached data)
T2   55   out         SE.type='SEM' condnum
T2   57   out         SE.type='SEM' intervals
T2   61   checked     test_irt_exploratory.py::test_science_two_factors_against_mirt
T2   63   checked     test_irt_exploratory.py::test_science_two_factors_against_mirt
T2   68   checked     test_irt_priors.py::test_constrain_and_priors_against_mirt
T2   76   checked     test_irt_priors.py::test_constrain_and_priors_against_mirt
T2   79   looser      test_irt_priors.py::test_oakes_condition_number_with_prior_at_mirt_estimates
T2   84   out         itemtype='nominal'
T2   89   checked     test_irt.py::test_science_mixed_graded_gpcm
T2   94   out         dentype='empiricalhist'
T2   98   checked     test_irt.py::test_science_scores
T2   101  checked     test_irt.py::test_science_scores
T2   103  checked     test_irt.py::test_science_scores
T2   106  checked     test_irt_exploratory.py::test_science_two_factors_against_mirt
T2   113  out         itemtype='nominal' scores
T2   116  checked     test_irt.py::test_science_mixed_graded_gpcm
T2   119  checked     test_irt_residuals.py::test_ld_and_q3_against_mirt_science
T2   121  checked     test_irt_residuals.py::test_ld_and_q3_against_mirt_science
T2   123  checked     test_irt_residuals.py::test_ld_and_q3_against_mirt_science
T2   133  checked     test_irt_exploratory.py::test_science_two_factors_against_mirt
T2   134  checked     test_irt_exploratory.py::test_science_two_factors_against_mirt
T2   136  checked     test_irt.py::test_science_scores
T2   157  checked     test_irt.py::test_graded_rating_scale_model_against_mirt
T2   160  checked     test_irt.py::test_rating_scale_model_against_mirt
T2   162  checked     test_irt.py::test_rating_scale_model_against_mirt
T2   163  checked     test_irt.py::test_graded_rating_scale_model_against_mirt
T2   166  looser      test_irt.py::test_m2_star_polytomous_against_mirt
T2   167  checked     test_irt.py::test_m2_star_polytomous_against_mirt
T2   168  checked     test_irt.py::test_m2_star_polytomous_against_mirt
T2   169  looser      test_irt.py::test_m2_star_polytomous_against_mirt
T2   182  checked     test_irt_exploratory.py::test_science_two_factors_against_mirt
T2   184  checked     test_irt_exploratory.py::test_science_two_factors_against_mirt
==== ==== =========== =============================================================================

Lines 59-63, 104-108, 132-134 and 181-184 of T2 are mirt's exploratory two-factor ``modp2``
(``mirt(Science, 2)``), tested in test_irt_exploratory.py. T1:26's value is
kept in mirt_expected.py but not checked (Richardson: our Oakes information gives 30.313
against 30.24068, relative 2.4e-3 for mirt's 1e-3; Richardson is a numerical
approximation of the same matrix).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from irt_support import check, expand, helpers, mirt_expected
from support import FIXTURES

import alliance_scale as als

EXPECTED = mirt_expected.EXPECTED
ROW = re.compile(r"^(T[12]) +(\d+) +(\S+) +(.+)$")
STATUSES = ("checked", "looser", "partly", "no-number", "out")
CHECKED = ("checked", "looser", "partly")
FILES = {"T1": mirt_expected.T1, "T2": mirt_expected.T2}


def equal_slopes(data: pd.DataFrame) -> list[list[str]]:
    """mirt's ``CONSTRAIN = (1-5, a1)``: every item's slope one parameter."""
    return [[f"{item}.a1" for item in data.columns]]


@pytest.fixture(scope="module")
def lsat7() -> pd.DataFrame:
    return expand("LSAT7")


@pytest.fixture(scope="module")
def lsat7_equal_slopes(lsat7):
    return als.irt(lsat7, "2PL", constrain=equal_slopes(lsat7), se="crossprod")


# ----------------------------------------------------------------------- test-01-mirtOne.R
def test_lsat6_equal_slopes_m2():
    """T1:49-50, M2 of the 2PL with equal slopes on LSAT6 (the Rasch model, reparameterised):
    df 9 as mirt. The statistic cannot be reproduced at mirt's closeEnough 1e-4: mirt's
    5.292566 is a point on the EM path, not the maximum. Ours moves along the path towards
    the maximum's 5.291349 (tol 1e-3: 5.292876, 3e-4: 5.291695, 1e-4: 5.291427, 1e-7:
    5.291349), and mirt's own Rasch fit of the same model gives 5.291576 (T1:155). mirt's
    value lies between our tol 1e-3 and 3e-4 points; held here at 2e-3 (ours at tol 1e-4 is
    1.14e-3 below mirt's), with the model checked to be the Rasch model (same maximum)."""
    data = expand("LSAT6")
    path = [als.irt(data, "2PL", constrain=equal_slopes(data), se=None, tol=tol)
            for tol in (1e-3, 1e-4)]
    stats = path[1].m2()
    check("lsat6_constrained_m2_df", stats["df"])
    entry = EXPECTED["lsat6_constrained_m2"]
    target = entry["values"][0]
    assert abs(stats["M2"].iloc[0] - target) < 2e-3
    early = path[0].m2()["M2"].iloc[0]
    assert stats["M2"].iloc[0] < target < early  # mirt stopped between these two points
    rasch = als.irt(data, "Rasch", se=None, tol=1e-7)
    assert abs(path[1].loglik - rasch.loglik) < 1e-4


def test_lsat7_equal_slopes_crossprod(lsat7_equal_slopes):
    """T1:54-56: the equal-slopes 2PL on LSAT7 with cross-product SEs: the condition number
    of the information (6 parameters: the common slope, five intercepts) and the intervals
    (every item's a1 the common slope, with its SE)."""
    fit = lsat7_equal_slopes
    assert fit.vcov.shape == (6, 6)
    eig = np.linalg.eigvalsh(np.linalg.inv(fit.vcov.to_numpy()))
    check("lsat7_constrained_crossprod_condnum", [eig[-1] / eig[0]])
    check("lsat7_constrained_crossprod_ci",
          [*helpers.mirt_ci(fit), 0, np.nan, np.nan, 1, np.nan, np.nan])


def test_lsat7_equal_slopes_ml_scores(lsat7, lsat7_equal_slopes):
    """T1:109-113: ML scores of every respondent; the all-wrong first row and all-right last
    one have no maximum: -inf / +inf, as mirt."""
    ml = lsat7_equal_slopes.scores("ML")
    assert lsat7.iloc[0].sum() == 0 and lsat7.iloc[999].sum() == 5
    extremes = ml["theta"].to_numpy()[[0, 999]]
    assert np.array_equal(extremes, EXPECTED["lsat7_constrained_ml_extremes"]["values"])
    assert np.isnan(ml["se"].to_numpy()[[0, 999]]).all()
    check("lsat7_constrained_ml_rows", ml["theta"].to_numpy()[[12, 33, 39]])


def test_lsat7_two_missing_answers_df(lsat7):
    """T1:69-71: two missing answers leave the table's df (2^5 - 1 - 10) unchanged."""
    data = lsat7.astype(float)
    data.iloc[0, 0] = np.nan
    data.iloc[1, 1] = np.nan
    check("lsat7_2pl_missing2_df", [als.irt(data, "2PL", se=None).df])


def test_lsat7_two_orthogonal_factors_df(lsat7):
    """T1:158-162: ``F1 = 1-3, F2 = 3-5`` without ``COV`` has orthogonal factors in mirt:
    11 parameters (item 3 loads on both), df 31 - 11 = 20 (``correlated=False``); the
    correlated model has one more parameter."""
    factors = {"F1": list(lsat7.columns[:3]), "F2": list(lsat7.columns[2:])}
    fit = als.irt(lsat7, factors=factors, correlated=False, se=None)
    check("lsat7_two_factor_df", [fit.df])
    assert fit.n_parameters == 11 and fit.latent_corr[0, 1] == 0
    with pytest.raises(als.OptionError, match="correlated=False"):
        als.irt(lsat7, correlated=False)


def test_lsat7_missing_answer_eapsum(lsat7):
    """T1:183: EAPsum's expected count of sum score 0 with item 1 of row 1 missing (mirt's
    ``na.rm=TRUE``: the incomplete row leaves the table). It moves along the EM path by
    2e-3 (tol 1e-3: 9.92746, 3e-4: 9.93179, 1e-4: 9.93002, relative 1.08e-4 from mirt's
    9.931098), so the maximum is taken (tol 1e-7: 9.93023, relative 8.7e-5)."""
    data = lsat7.astype(float)
    data.iloc[0, 0] = np.nan
    table = als.irt(data, "2PL", se=None, tol=1e-7).sum_score_table()
    assert table["observed"].sum() == 999
    check("lsat7_2pl_missing_eapsum_expected_1", [table["expected"].iloc[0]])


def test_lsat7_missing_rasch_equals_equal_slopes(lsat7):
    """T1:186-201 on LSAT7 with R's ``set.seed(1234); sample(1:5000, 500)`` answers missing
    (tests/fixtures/mirt_missing_pick.R): the Rasch model (latent variance free) and the 2PL
    with equal slopes (variance 1) are one model, so their maxima agree within 1e-2 (here
    1.9e-5). mirt's expression also holds ``mod2``: the Rasch model with item 1's intercept
    fixed at 0 and the latent mean free. That term cannot be computed here: ``irt()`` has no
    free latent mean in one group and fixes parameters only all together (``pars=``,
    ``estimate=False``); ``constrain=`` only equates estimated parameters. The expectation
    is therefore checked without ``mod2`` (``L(Rasch) - L(equal slopes)`` against 0)."""
    pick = json.loads((FIXTURES / "mirt_missing_pick.json").read_text())
    values = lsat7.to_numpy(dtype=float)
    values[pick["row"], pick["column"]] = np.nan
    data = pd.DataFrame(values, columns=lsat7.columns)
    assert int(np.isnan(values).sum()) == 500
    rasch = als.irt(data, "Rasch", se=None)
    equal = als.irt(data, "2PL", constrain=equal_slopes(data), se=None)
    check("lsat7_missing_rasch_identity", [rasch.loglik - equal.loglik])
    assert rasch.n_obs == equal.n_obs == 1000  # nobody dropped


# ----------------------------------------------------------------------- test-02-mirtTwo.R
def test_science_condition_numbers():
    """T2:26, 38, 40: condition numbers of the Louis, sandwich and Oakes information on
    Science. The condition number follows the least determined direction (item 3's
    intercepts) and moves with the estimates: at our fit (tol 1e-4) it is 99.548 (Oakes =
    Louis, computed exactly) and 144.69 (sandwich); along our EM path 98.87 (tol 1e-3),
    99.43 (3e-4). At mirt's printed estimates (the SE runs' 5 decimals, where our SEs equal
    mirt's to 2e-5) it is 97.256 and 140.49. The sandwich's 140.49 is within mirt's 1e-2 of
    141.5346 (7.4e-3). Louis and Oakes are one matrix, yet mirt reports 98.26492 (Louis) and
    97.8644 (Oakes, a numerical derivative): they differ by 4e-3 from each other, so mirt's
    1e-4 (Oakes) cannot be met: 97.256 is 6.2e-3 below Oakes' value and 1.03e-2 below
    Louis' (mirt: 1e-2). Held at 1.1e-2 at mirt's estimates."""
    science = pd.read_csv(FIXTURES / "mirt" / "Science.csv")
    values = np.asarray(EXPECTED["science_graded_louis"]["values"][:32]).reshape(4, 4, 2)
    pars = pd.DataFrame(values[:, :, 0], index=science.columns,
                        columns=["a1", "d1", "d2", "d3"])

    def condnum(se: str) -> float:
        fit = als.irt(science, "graded", pars=pars, estimate=False, se=se)
        eig = np.linalg.eigvalsh(np.linalg.inv(fit.vcov.to_numpy()))
        return eig[-1] / eig[0]

    check("science_graded_sandwich_condnum", [condnum("sandwich")])
    oakes = condnum("oakes")
    assert oakes == pytest.approx(condnum("louis"), rel=1e-12)
    for key in ("science_graded_oakes_condnum", "science_graded_louis_condnum"):
        assert helpers.all_equal(EXPECTED[key]["values"], [oakes]) < 1.1e-2, key


# ----------------------------------------------------------------------- the table
def table_rows() -> list[tuple[str, int, str, str]]:
    rows = [ROW.match(line) for line in __doc__.splitlines()]
    return [(m[1], int(m[2]), m[3], m[4]) for m in rows if m]


def source_lines(source: str) -> tuple[str, int, int]:
    """``"file:line"`` or ``"file:first-last"`` -> (file, first, last)."""
    path, _, lines = source.rpartition(":")
    first, _, last = lines.partition("-")
    return path, int(first), int(last or first)


def function_text(text: str, name: str) -> str:
    """The source of test function ``name`` in a module's text ('' when absent)."""
    start = text.find(f"\ndef {name}(")
    if start < 0:
        return ""
    end = text.find("\ndef ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def test_coverage_table_matches_the_expectations():
    """Each checked / looser / partly row names a test that exists and uses an entry of
    mirt_expected.py whose source is that line of that file (or ends on the line before it:
    the call just above the expectation); every source of T1 / T2 in mirt_expected.py has
    its row; the table is sorted, without duplicates, and covers both files."""
    rows = table_rows()
    assert len(rows) > 100
    keys = [(f, line) for f, line, *_ in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    tests_dir = FIXTURES.parent / "psychometrics"
    by_line = {(f, line): status for f, line, status, _ in rows}
    for f, line, status, where in rows:
        assert status in STATUSES or status.startswith("same:"), (f, line, status)
        if status.startswith("same:"):
            assert by_line[(f, int(status[5:]))] in CHECKED, (f, line)
            continue
        if status not in CHECKED:
            continue
        module, _, name = where.rpartition("::")
        body = function_text((tests_dir / (module or "test_irt_mirt_coverage.py")).read_text(),
                             name)
        assert body, (f, line, where)
        used = []
        for key, entry in EXPECTED.items():
            path, first, last = source_lines(entry["source"])
            if path == FILES[f] and first <= line <= last + 1 and f'"{key}"' in body:
                used.append(key)
        assert used, (f, line, where)
    for key, entry in EXPECTED.items():
        path, first, last = source_lines(entry["source"])
        for f, name in FILES.items():
            if path == name:
                assert any((f, n) in by_line for n in range(first, last + 2)), key


def test_coverage_table_detects_a_missing_source(monkeypatch):
    """The check above fails when a checked row's entry no longer names that line."""
    moved = dict(EXPECTED["rst_rsm_df"], source=f"{mirt_expected.T2}:170")
    monkeypatch.setitem(EXPECTED, "rst_rsm_df", moved)
    with pytest.raises(AssertionError):
        test_coverage_table_matches_the_expectations()
