"""Response held to the calendar month: each test against a computation of its own on small tables, built here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2, chi2_contingency

from dashapp.analysis import calendar_response


def _rows(cells: dict[tuple[str, bool, bool], int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(month, in group, subscribed) -> count, as the three row arrays."""
    months, groups, subscribed = [], [], []
    for (month, group, outcome), count in cells.items():
        months += [month] * count
        groups += [group] * count
        subscribed += [outcome] * count
    return np.array(months, dtype=object), np.array(groups), np.array(subscribed)


#: Two months in which the group subscribes more often than the rest; the later month's rates are far higher.
TWO_MONTHS = {("2009-04", True, True): 12, ("2009-04", True, False): 38, ("2009-04", False, True): 20,
              ("2009-04", False, False): 130, ("2010-06", True, True): 45, ("2010-06", True, False): 35,
              ("2010-06", False, True): 18, ("2010-06", False, False): 22}


def _by_hand(cells: dict) -> dict:
    """The Mantel-Haenszel odds ratio and the Cochran-Mantel-Haenszel statistic from their textbook formulas."""
    numerator = denominator = deviation = variance = 0.0
    for month in sorted({m for m, _, _ in cells}):
        a, b = cells[(month, True, True)], cells[(month, True, False)]
        c, d = cells[(month, False, True)], cells[(month, False, False)]
        n = a + b + c + d
        numerator += a * d / n
        denominator += b * c / n
        deviation += a - (a + b) * (a + c) / n
        variance += (a + b) * (c + d) * (a + c) * (b + d) / (n * n * (n - 1))
    return {"odds_ratio": numerator / denominator, "cmh": deviation ** 2 / variance}


def test_the_stratified_odds_ratio_and_its_test_are_the_textbook_mantel_haenszel_ones():
    months, group, subscribed = _rows(TWO_MONTHS)
    result = calendar_response.stratified_odds(group, subscribed, months)
    expected = _by_hand(TWO_MONTHS)
    assert result["odds_ratio"] == pytest.approx(expected["odds_ratio"], rel=1e-12)
    # statsmodels' CMH statistic has the n - 1 of the hypergeometric variance: the textbook (Agresti) form.
    assert result["p_value"] == pytest.approx(chi2.sf(expected["cmh"], 1), rel=1e-9)
    assert result["interval"][0] < result["odds_ratio"] < result["interval"][1]
    assert (result["strata"], result["clients"]) == (2, sum(TWO_MONTHS.values()))


def test_a_month_without_a_subscriber_or_without_the_group_informs_nothing_and_is_left_out():
    cells = dict(TWO_MONTHS)
    cells |= {("2008-05", True, False): 30, ("2008-05", False, False): 70,  # nobody subscribed
              ("2008-06", False, True): 5, ("2008-06", False, False): 20}  # nobody of the group was called
    months, group, subscribed = _rows(cells)
    two_months, two_group, two_subscribed = _rows(TWO_MONTHS)
    alone = calendar_response.stratified_odds(two_group, two_subscribed, two_months)
    result = calendar_response.stratified_odds(group, subscribed, months)
    assert result["odds_ratio"] == pytest.approx(alone["odds_ratio"], rel=1e-12)
    assert result["strata"] == 2 and result["clients"] == sum(TWO_MONTHS.values())
    test = calendar_response.month_adjusted_test(group, subscribed, months)
    assert test["months"] == 3 and test["left_out"] == 100  # 2008-05 has one outcome only


def test_with_one_month_the_adjusted_test_is_the_likelihood_ratio_test_of_independence():
    cells = {("2009-05", g, y): n for (m, g, y), n in TWO_MONTHS.items() if m == "2009-04"}
    months, group, subscribed = _rows(cells)
    table = np.array([[cells[("2009-05", True, True)], cells[("2009-05", True, False)]],
                      [cells[("2009-05", False, True)], cells[("2009-05", False, False)]]])
    g_test = chi2_contingency(table, correction=False, lambda_="log-likelihood")
    result = calendar_response.month_adjusted_test(group, subscribed, months)
    assert result["statistic"] == pytest.approx(g_test.statistic, rel=1e-8)
    assert result["p_value"] == pytest.approx(g_test.pvalue, rel=1e-7)
    assert result["dof"] == 1


def test_a_difference_that_is_only_the_calendars_vanishes_once_the_month_is_held():
    # Within each month both groups subscribe at the same rate; the group is called mostly in the good month,
    # so the pooled rates differ (14% against 30%) and the month-adjusted comparison finds nothing.
    cells = {("2008-05", True, True): 5, ("2008-05", True, False): 95, ("2008-05", False, True): 20,
             ("2008-05", False, False): 380, ("2010-05", True, True): 200, ("2010-05", True, False): 200,
             ("2010-05", False, True): 50, ("2010-05", False, False): 50}
    months, group, subscribed = _rows(cells)
    pooled = chi2_contingency(pd.crosstab(group, subscribed).to_numpy(), correction=False)
    assert pooled.pvalue < 1e-20
    test = calendar_response.month_adjusted_test(group, subscribed, months)
    assert test["statistic"] == pytest.approx(0.0, abs=1e-8) and test["p_value"] == pytest.approx(1.0)
    odds = calendar_response.stratified_odds(group, subscribed, months)
    assert odds["odds_ratio"] == pytest.approx(1.0, rel=1e-12)
    rate_ratio = calendar_response.adjusted_rate_ratio(group, subscribed, months)
    assert rate_ratio["rate_ratio"] == pytest.approx(1.0, rel=1e-6)


def test_with_one_month_the_rate_ratio_and_its_robust_interval_are_the_textbook_ones():
    cells = {("2009-05", True, True): 30, ("2009-05", True, False): 70, ("2009-05", False, True): 40,
             ("2009-05", False, False): 360}
    months, exposed, subscribed = _rows(cells)
    result = calendar_response.adjusted_rate_ratio(exposed, subscribed, months)
    p1, n1, p0, n0 = 0.3, 100, 0.1, 400
    assert result["rate_ratio"] == pytest.approx(p1 / p0, rel=1e-8)
    # The log rate ratio's variance (Katz): (1 - p1) / (n1 p1) + (1 - p0) / (n0 p0); the sandwich gives it here.
    half = 1.959963984540054 * np.sqrt((1 - p1) / (n1 * p1) + (1 - p0) / (n0 * p0))
    assert result["interval"] == pytest.approx([p1 / p0 * np.exp(-half), p1 / p0 * np.exp(half)], rel=1e-6)


def test_group_comparison_gives_every_level_its_pooled_rate_and_its_adjusted_odds():
    months, group, subscribed = _rows(TWO_MONTHS)
    levels = np.where(group, "a", "b")
    result = calendar_response.group_comparison(levels, subscribed, months, ["a", "b", "c"])
    assert [entry["level"] for entry in result["levels"]] == ["a", "b"]  # c has no clients
    a, b = result["levels"]
    assert a["rate"] == pytest.approx(57 / 130) and b["clients"] == 190
    assert a["adjusted"]["odds_ratio"] == pytest.approx(1 / b["adjusted"]["odds_ratio"], rel=1e-12)
    assert result["test"]["dof"] == 1


def test_calendar_months_name_year_and_month_and_need_every_date():
    dates = pd.Series(pd.to_datetime(["2008-05-01", "2009-05-01", "2010-11-01"]))
    assert calendar_response.calendar_months(dates).tolist() == ["2008-05", "2009-05", "2010-11"]
    with pytest.raises(ValueError, match="1 rows have no contact date"):
        calendar_response.calendar_months(pd.Series(pd.to_datetime(["2008-05-01", None])))


def test_the_levers_compare_each_group_with_its_stated_comparison():
    clean = pd.DataFrame({"poutcome": ["success", "nonexistent", "failure", "nonexistent"],
                          "job": ["retired", "student", "unknown", "admin."],
                          "contact": ["cellular", "telephone", "cellular", "telephone"],
                          "campaign": [1, 6, 9, 2]})
    groups = calendar_response.lever_groups(clean)
    assert list(groups) == list(calendar_response.LEVERS)
    assert groups["previous_success"][0].tolist() == [True, False, False, False]
    assert groups["previous_success"][1].tolist() == [False, True, False, True]
    assert groups["retired_or_student"][1].tolist() == [False, False, False, True]  # unknown job: neither side
    assert groups["many_calls"][0].tolist() == [False, True, True, False]
    assert groups["many_calls"][1].tolist() == [True, False, False, False]
