"""The response analysis (dashapp/analysis/response.py) on small frames built here: known counts give known numbers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest, chi2_contingency
from scipy.stats.contingency import association

from dashapp.analysis import response
from dashapp.analysis.response import campaign_bin, independence_test, response_analysis, wilson_interval


def _frame(groups: list[tuple[int, str, int, int, str, str, str, int]]) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows from (segment, split-free month, clients, subscribers, contact, poutcome, date, campaign) groups, in
    the given (time) order; returns the cleaned-table-like frame and each row's segment."""
    rows, segments = [], []
    for segment, month, clients, subscribers, contact, poutcome, date, calls in groups:
        for i in range(clients):
            rows.append({"y": "yes" if i < subscribers else "no", "month": month, "contact": contact,
                         "poutcome": poutcome, "campaign": calls, "contact_date": pd.Timestamp(date)})
            segments.append(segment)
    return pd.DataFrame(rows), np.array(segments)


# Training period (the first 400 rows, 2008): segments 1 and 2 at 10% each, no segment 3 or 4.
# Test period (the next 300 rows, 2009): segment 1 at 20% of 100, segment 2 at 40% of 100, segment 3 at 60%
# of 100 (the last one called by telephone, 4 calls).
GROUPS = [
    (1, "may", 200, 20, "cellular", "nonexistent", "2008-05-01", 1),
    (2, "jun", 200, 20, "cellular", "failure", "2008-06-01", 2),
    (1, "apr", 100, 20, "cellular", "nonexistent", "2009-04-01", 1),
    (2, "apr", 100, 40, "cellular", "success", "2009-04-01", 3),
    (3, "may", 100, 60, "telephone", "success", "2009-05-01", 4),
]
N_TRAIN = 400
FOUR_SEGMENTS = (1, 2, 3, 4)


@pytest.fixture(scope="module")
def analysis() -> dict:
    clean, segments = _frame(GROUPS)
    # Four segments, the fourth without a client in any population.
    return response_analysis(clean, segments, N_TRAIN, FOUR_SEGMENTS)


def _segment(population: dict, number: int) -> dict:
    return next(row for row in population["segments"] if row["segment"] == number)


def test_known_counts_give_known_rates_and_lifts(analysis):
    test = analysis["populations"]["test"]
    assert (test["clients"], test["subscribers"], test["rate"]) == (300, 120, pytest.approx(0.4))
    assert [(_segment(test, n)["clients"], _segment(test, n)["subscribers"]) for n in (1, 2, 3)] == [
        (100, 20), (100, 40), (100, 60)]
    assert _segment(test, 1)["rate"] == pytest.approx(0.2)
    assert _segment(test, 3)["lift"] == pytest.approx(0.6 / 0.4)
    assert _segment(test, 1)["lift"] == pytest.approx(0.5)
    everyone = analysis["populations"]["all"]
    assert (everyone["clients"], everyone["subscribers"]) == (700, 160)
    assert _segment(everyone, 1)["lift"] == pytest.approx((40 / 300) / (160 / 700))


def test_intervals_are_scipys_wilson_intervals(analysis):
    cell = _segment(analysis["populations"]["test"], 2)
    expected = binomtest(40, 100).proportion_ci(confidence_level=0.95, method="wilson")
    assert cell["interval"] == [pytest.approx(expected.low), pytest.approx(expected.high)]
    assert cell["interval"][0] < cell["rate"] < cell["interval"][1]
    base = analysis["populations"]["test"]["interval"]
    expected = binomtest(120, 300).proportion_ci(method="wilson")
    assert base == [pytest.approx(expected.low), pytest.approx(expected.high)]


def test_a_segment_without_clients_has_no_rate_interval_or_lift(analysis):
    train = analysis["populations"]["train"]
    empty = _segment(train, 4)
    assert empty == {"segment": 4, "clients": 0, "subscribers": 0, "rate": None, "interval": None,
                     "few_clients": True, "lift": None}


def test_segment_test_is_scipys_chi_square_and_cramers_v(analysis):
    table = np.array([[80, 20], [60, 40], [40, 60]])
    expected = chi2_contingency(table, correction=False)
    result = analysis["populations"]["test"]["segment_test"]
    assert result["chi2"] == pytest.approx(expected.statistic)
    assert result["p_value"] == pytest.approx(expected.pvalue)
    assert result["dof"] == 2 and result["levels"] == 3 and result["clients"] == 300
    assert result["cramers_v"] == pytest.approx(association(table, method="cramer"))
    assert result["min_expected"] == pytest.approx(40.0)


def test_equal_rates_give_no_association(analysis):
    # Segments 1 and 2 both subscribe at 10% in the training period.
    result = analysis["populations"]["train"]["segment_test"]
    assert result["chi2"] == pytest.approx(0.0) and result["p_value"] == pytest.approx(1.0)
    assert result["cramers_v"] == pytest.approx(0.0)


def test_two_by_two_tables_are_tested_without_continuity_correction(analysis):
    # Period x outcome over all clients: 40 of 400 against 120 of 300.
    table = np.array([[360, 40], [180, 120]])
    result = analysis["populations"]["all"]["driver_tests"]["period"]
    assert result["chi2"] == pytest.approx(chi2_contingency(table, correction=False).statistic)
    assert result["chi2"] != pytest.approx(chi2_contingency(table).statistic)


def test_a_population_with_one_segment_or_one_level_has_no_test():
    clean, segments = _frame([(2, "may", 30, 3, "cellular", "nonexistent", "2008-05-01", 1),
                              (2, "may", 30, 9, "cellular", "nonexistent", "2008-05-01", 2)])
    result = response_analysis(clean, segments, 30, FOUR_SEGMENTS)
    population = result["populations"]["all"]
    assert population["segment_test"] is None
    assert population["driver_tests"]["month"] is None and population["driver_tests"]["contact"] is None
    assert population["driver_tests"]["campaign"]["levels"] == 2
    assert [row["clients"] for row in population["segments"]] == [0, 60, 0, 0]
    assert _segment(population, 2)["lift"] == pytest.approx(1.0)


def test_a_population_where_no_one_subscribed_has_no_test_and_zero_rates():
    clean, segments = _frame([(1, "may", 10, 0, "cellular", "nonexistent", "2008-05-01", 1),
                              (2, "may", 10, 0, "cellular", "nonexistent", "2008-05-01", 1)])
    population = response_analysis(clean, segments, 20)["populations"]["train"]
    assert population["rate"] == 0.0 and population["segment_test"] is None
    assert _segment(population, 1)["rate"] == 0.0 and _segment(population, 1)["lift"] is None
    assert _segment(population, 1)["interval"][0] == pytest.approx(0.0)


def test_populations_are_the_periods_then_each_contact_year(analysis):
    populations = analysis["populations"]
    assert list(populations) == ["all", "train", "test", "2008", "2009"]
    assert populations["2008"]["clients"] == 400 and populations["2009"]["clients"] == 300
    assert (populations["test"]["first_month"], populations["test"]["last_month"]) == ("Apr 2009", "May 2009")
    assert populations["2009"]["name"] == "calls in 2009"


def test_no_years_are_invented_without_contact_dates():
    clean, segments = _frame(GROUPS)
    for dates_missing in (clean.drop(columns="contact_date"), clean.assign(contact_date=pd.NaT)):
        result = response_analysis(dates_missing, segments, N_TRAIN)
        # The month column alone says nothing of the year: no "calls in 2008", no first or last month.
        assert list(result["populations"]) == ["all", "train", "test"]
        assert result["dates_known"] is False
        assert result["populations"]["test"]["first_month"] is None


def test_a_random_split_names_its_parts_clients_and_tests_no_period():
    clean, segments = _frame(GROUPS)
    result = response_analysis(clean.assign(contact_date=pd.NaT), segments, N_TRAIN, time_ordered=False)
    assert result["split"] == "random"
    assert [result["populations"][key]["name"] for key in ("train", "test")] == ["training clients", "test clients"]
    assert result["populations"]["all"]["driver_tests"]["period"] is None
    assert result["populations"]["all"]["driver_tests"]["month"] is not None
    timed = response_analysis(clean, segments, N_TRAIN)
    assert timed["split"] == "time" and timed["dates_known"] is True
    assert timed["populations"]["all"]["driver_tests"]["period"] is not None


def test_segment_by_driver_counts_each_segment_and_level(analysis):
    months = analysis["segment_by_driver"]["test"]["month"]
    assert [entry["level"] for entry in months] == ["apr", "may"]  # calendar order, levels present only
    april = months[0]
    assert (april["clients"], april["subscribers"]) == (200, 60)
    cells = {cell["segment"]: cell for cell in april["segments"]}
    assert (cells[2]["clients"], cells[2]["subscribers"], cells[2]["rate"]) == (100, 40, pytest.approx(0.4))
    assert cells[3]["clients"] == 0 and cells[3]["rate"] is None and cells[3]["interval"] is None
    assert april["segment_test"]["levels"] == 2
    # May in the test period holds segment 3 only: nothing to compare.
    assert months[1]["segment_test"] is None
    calls = [entry["level"] for entry in analysis["segment_by_driver"]["all"]["campaign"]]
    assert calls == ["1", "2", "3", "4-5"]
    assert set(analysis["segment_by_driver"]) == {"all", "train", "test"}
    assert set(analysis["segment_by_driver"]["all"]) == {"month", "contact", "poutcome", "campaign"}


def test_cells_with_few_clients_are_kept_and_flagged():
    clean, segments = _frame([(1, "may", 49, 5, "cellular", "nonexistent", "2008-05-01", 1),
                              (2, "may", 50, 5, "cellular", "nonexistent", "2008-05-01", 1)])
    result = response_analysis(clean, segments, 99, FOUR_SEGMENTS)
    flags = {row["segment"]: row["few_clients"] for row in result["populations"]["all"]["segments"]}
    assert flags == {1: True, 2: False, 3: True, 4: True}
    cells = result["segment_by_driver"]["all"]["month"][0]["segments"]
    assert cells[0]["clients"] == 49 and cells[0]["few_clients"] is True


def test_campaign_bins():
    calls = pd.Series([1, 2, 3, 4, 5, 6, 56])
    assert campaign_bin(calls).tolist() == ["1", "2", "3", "4-5", "4-5", "6+", "6+"]
    with pytest.raises(ValueError, match="campaign=0"):
        campaign_bin(pd.Series([0, 1]))


def test_wilson_interval_of_no_clients_is_none():
    assert wilson_interval(0, 0) is None
    assert independence_test(np.array([1, 1]), np.array([True, False])) is None


def test_result_is_json_and_the_same_whatever_the_row_dtypes(analysis):
    clean, segments = _frame(GROUPS)
    typed = clean.astype({"y": "category", "month": "category", "contact": "category", "poutcome": "category"})
    again = response_analysis(typed, segments.astype(np.int8), N_TRAIN, FOUR_SEGMENTS)
    assert json.dumps(again, sort_keys=True) == json.dumps(analysis, sort_keys=True)
    assert json.loads(json.dumps(analysis)) == analysis


def test_bad_inputs_are_refused_with_the_value():
    clean, segments = _frame(GROUPS)
    with pytest.raises(ValueError, match="lacks the column"):
        response_analysis(clean.drop(columns="poutcome"), segments, N_TRAIN)
    with pytest.raises(ValueError, match="one segment per row"):
        response_analysis(clean, segments[:-1], N_TRAIN)
    with pytest.raises(ValueError, match="n_train=701"):
        response_analysis(clean, segments, 701)


def test_constants_say_what_the_artifact_holds(analysis):
    assert analysis["confidence"] == response.CONFIDENCE == 0.95
    assert analysis["interval_method"] == "wilson"
    assert analysis["campaign_bins"][-1] == ["6+", 6, None]


def test_without_segment_numbers_the_segments_reported_are_those_the_rows_have():
    clean, segments = _frame(GROUPS)
    assert response_analysis(clean, segments, N_TRAIN)["segments"] == [1, 2, 3]
