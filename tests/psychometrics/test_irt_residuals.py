"""IRTResult.residuals (psychometrics/_irt/_residuals.py): mirt's LD and Q3 expectations
(tests/fixtures/mirt_expected.py, the irtflow block), and local dependence planted in
simulated data is found (the independent pairs are not flagged)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from irt_support import check, expand, mirt_expected
from support import FIXTURES

import alliance_scale as als
from alliance_scale import OptionError


@pytest.fixture(scope="module")
def science_modp3():
    """mirt's modp3 at its printed estimates (constraints our engine has not)."""
    science = pd.read_csv(FIXTURES / "mirt" / "Science.csv")
    values = np.reshape(mirt_expected.SCIENCE_MODP3_COEF, (4, 4))
    pars = pd.DataFrame(values, index=science.columns, columns=["a1", "d1", "d2", "d3"])
    return als.irt(science, pars=pars, estimate=False, se=None)


def test_ld_and_q3_against_mirt_science(science_modp3):
    ld = science_modp3.residuals("LD")
    check("science_modp3_ld", ld.to_numpy().T.ravel())  # R's column-major order
    g2 = science_modp3.residuals("LDG2")
    check("science_modp3_ldg2", g2.to_numpy().T.ravel())  # test-02:123
    q3 = science_modp3.residuals("Q3")
    check("science_modp3_q3", q3.to_numpy().T.ravel())
    # the EAP scores are mirt's default Theta: passing them explicitly changes nothing
    eap = science_modp3.scores("EAP")["theta"]
    assert np.allclose(science_modp3.residuals("Q3", theta=eap), q3)


def test_ld_against_mirt_lsat7():
    fit = als.irt(expand("LSAT7"), "2PL", se=None)
    check("lsat7_2pl_ld", fit.residuals().to_numpy().T.ravel())


def test_df_p_matrix(science_modp3):
    ld = science_modp3.residuals("LD").to_numpy()
    table = science_modp3.residuals("LD", df_p=True).to_numpy()
    lower = np.tril_indices(4, -1)
    assert np.all(table[lower] == 9)  # (4 - 1) x (4 - 1)
    from scipy.stats import chi2

    assert np.allclose(table.T[lower], chi2.sf(ld[lower], 9))
    holm = science_modp3.residuals("LD", df_p=True, p_adjust="holm").to_numpy()
    assert np.all(holm.T[lower] >= table.T[lower] - 1e-15)
    assert np.isclose(holm.T[lower].min(), min(1.0, 6 * table.T[lower].min()))


def test_planted_local_dependence_is_found():
    slopes = [1.4, 1.2, 1.0, 1.3, 1.1, 1.2, 1.5, 1.3, 1.1, 1.2]
    data = als.simulate_irt(slopes, [[1.5, 0.3, -1.2]] * 10, n=1500, seed=11)
    rng = np.random.default_rng(4)
    copy = rng.random(len(data)) < 0.3  # 30% of the respondents answer q6 as they did q5
    data.loc[copy, "q6"] = data.loc[copy, "q5"]
    fit = als.irt(data, se=None)
    pairs = np.triu_indices(10, 1)
    v = fit.residuals("LD").to_numpy()[pairs]
    q3 = fit.residuals("Q3").to_numpy()[pairs]
    planted = np.flatnonzero((pairs[0] == 4) & (pairs[1] == 5))[0]
    for values, gap in ((v, 0.1), (q3, 0.1)):
        assert np.argmax(values) == planted
        assert values[planted] > np.sort(values)[-2] + gap  # well above every other pair
    p = fit.residuals("LD", df_p=True, p_adjust="holm").to_numpy()
    assert p[4, 5] < 1e-6
    z = fit.residuals("LD", approx_z=True).to_numpy()
    x2 = fit.residuals("LD").to_numpy()
    assert np.isclose(z[5, 4], np.sqrt(2 * x2[5, 4]) - np.sqrt(2 * 9 - 1)) and z[5, 4] > 10
    assert np.array_equal(np.triu(z, 1), np.triu(x2, 1))  # V above, unchanged


def test_independent_items_are_not_flagged():
    data = als.simulate_irt([1.4, 1.2, 1.0, 1.3, 1.1], [[1.5, 0.3, -1.2]] * 5, n=1500, seed=12)
    fit = als.irt(data, se=None)
    p = fit.residuals("LD", df_p=True, p_adjust="holm").to_numpy()
    assert np.nanmin(p[np.triu_indices(5, 1)]) > 0.01
    # Q3 under local independence is negative (about -1/(J - 1), Yen 1993): judged as
    # Christensen et al.'s (2017) Q3* = Q3 - mean Q3
    q3 = fit.residuals("Q3").to_numpy()[np.triu_indices(5, 1)]
    assert q3.max() < 0 and np.max(q3 - q3.mean()) < 0.1


def test_missing_answers_pairwise(science_modp3):
    science = pd.read_csv(FIXTURES / "mirt" / "Science.csv").astype(float)
    science.iloc[100:140, 2] = np.nan
    fit = als.irt(science, se=None)
    ld = fit.residuals("LD").to_numpy()
    assert np.isfinite(ld[np.triu_indices(4, 1)]).all()
    q3 = fit.residuals("Q3").to_numpy()
    assert np.isfinite(q3).all() and np.allclose(q3, q3.T)


def test_bad_arguments(science_modp3):
    with pytest.raises(OptionError):
        science_modp3.residuals("JSI")
    with pytest.raises(OptionError, match="392"):
        science_modp3.residuals("Q3", theta=[0.0, 1.0])


def test_items_with_different_numbers_of_categories():
    data = als.simulate_irt([1.4, 1.2, 1.0, 1.3], [[1.0], [1, -1], [1.5, 0, -1.5], [0.5]], n=600,
                            seed=13)
    fit = als.irt(data, se=None)
    ld = fit.residuals("LD").to_numpy()
    df = fit.residuals("LD", df_p=True).to_numpy()
    k = np.array([2, 3, 4, 2])
    lower = np.tril_indices(4, -1)
    assert np.array_equal(df[lower], np.outer(k - 1, k - 1)[lower])
    smaller = np.minimum.outer(k, k)
    n = len(data)
    assert np.allclose(np.abs(ld.T[lower]), np.sqrt(ld[lower] / (n * (smaller[lower] - 1))))
