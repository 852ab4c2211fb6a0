"""The Campaign response page's view (dashapp/views/response.py) on a response computed from a small frame."""

from __future__ import annotations

import copy

import pytest

from dashapp.analysis.response import response_analysis
from dashapp.views import response as view, url_state
from tests.analysis.test_response import GROUPS, N_TRAIN, _frame


@pytest.fixture(scope="module")
def response() -> dict:
    """Training period: segments 1 and 2 at 10% each (no difference); test period: 20%, 40%, 60% (segments
    1-3, a large difference)."""
    clean, segments = _frame(GROUPS)
    return response_analysis(clean, segments, N_TRAIN)


def _test(p: float, v: float = 0.05, min_expected: float = 100.0) -> dict:
    return {"chi2": 1.0, "dof": 1, "p_value": p, "cramers_v": v, "clients": 1000, "levels": 2,
            "min_expected": min_expected}


def _within(p: float, odds: tuple[float, ...] = (0.96, 1.05)) -> dict:
    """A calendar section's comparison of the segments: the test within the month and each segment's odds."""
    return {"pooled": _test(0.5), "test": {"statistic": 1.0, "dof": 3, "p_value": p, "clients": 1000, "months": 18,
                                           "left_out": 0},
            "levels": [{"level": str(number), "adjusted": {"odds_ratio": ratio, "interval": [ratio - 0.1, ratio + 0.1],
                                                           "p_value": 0.5, "strata": 18, "clients": 1000}}
                       for number, ratio in enumerate(odds, start=1)]}


def _with_calendar(response: dict, train: float, test: float) -> dict:
    """``response`` with a calendar section whose segments' tests within the month give ``train`` and ``test``."""
    held = copy.deepcopy(response)
    held["calendar"] = {"months": [], "segments_by_month": [],
                        "populations": {key: {"groupings": {"segment": _within(p)}, "levers": {}, "summary": None}
                                        for key, p in (("train", train), ("test", test))}}
    return held


@pytest.mark.parametrize("pooled, within, expected", [
    (0.19, None, view.DO_NOT_DIFFER), (7e-7, None, view.DIFFER),
    (7e-7, 0.80, view.CALENDAR_ONLY), (7e-7, 0.01, view.DIFFER), (0.3, 0.2, view.DO_NOT_DIFFER),
    (0.3, 0.01, view.DIFFER),
])
def test_the_verdict_follows_the_test_within_the_month_when_there_is_one(pooled, within, expected):
    adjusted = None if within is None else _within(within)["test"]
    assert view.verdict(_test(pooled), adjusted).key == expected


def test_verdict_says_its_evidence_and_when_it_is_approximate():
    assert view.verdict(_test(0.19, 0.0128)).evidence == "p = 0.19"
    assert view.verdict(_test(8e-7), _within(0.8)["test"]).evidence == (
        "pooled over the months p = 8e-7; within the calendar month p = 0.8")
    assert view.verdict(_test(0.19, min_expected=0.4)).evidence == (
        "p = 0.19, approximate: fewer than 5 clients expected in some cells")
    assert view.verdict(None).key == view.UNTESTED


@pytest.mark.parametrize("p, text", [(0.193, "0.19"), (0.0307, "0.031"), (0.001, "0.001"), (7.47e-7, "7e-7"),
                                     (1.2e-190, "1e-190"), (0.0, "< 1e-300")])
def test_p_values_read_as_an_analyst_reads_them(p, text):
    assert view.format_p(p) == text


def test_a_period_where_segments_differ_names_the_best_and_worst_with_lift_and_interval(response):
    sentence = view.segment_sentence(response, "test")
    lo, hi = response["populations"]["test"]["segments"][2]["interval"]
    assert sentence.startswith("In the test period segment 3 subscribes 1.50 times as often as the average client "
                               f"(60.0%, 95% interval {100 * lo:.1f}-{100 * hi:.1f}%), segment 1 0.50 times (20.0%")
    # Without the months, only the pooled test: the sentence says the calendar could not be held.
    assert sentence.endswith("the pooled rates differ (p = " + view.format_p(
        response["populations"]["test"]["segment_test"]["p_value"]) + "); without the calls' months the calendar "
        "cannot be held fixed, and the months' rates differ far more than any grouping of clients.")


def test_a_period_where_segments_do_not_differ_says_so_with_the_range(response):
    sentence = view.segment_sentence(response, "train")
    assert sentence == ("In the training period the segments do not differ (p = 1): 10.0% to 10.0% subscribed, "
                        "against 10.0% of all its clients.")


def test_a_pooled_difference_the_month_explains_is_said_to_be_the_calendars(response):
    held = _with_calendar(response, train=0.9, test=0.8)
    sentence = view.segment_sentence(held, "test")
    assert ("a difference of the pooled rates (p = " + view.format_p(
        response["populations"]["test"]["segment_test"]["p_value"]) + "), which the calendar explains: within the "
        "same month the segments do not differ (p = 0.8; month-adjusted odds ratios against the other segments "
        "0.96 to 1.05)") in sentence
    assert view.segment_sentence(_with_calendar(response, 0.9, 0.001), "test").endswith(
        "; the difference holds within the calendar month (p = 0.001; month-adjusted odds ratios against the "
        "other segments 0.96 to 1.05).")


def test_headline_answers_per_period_held_to_the_month(response):
    assert view.headline(response) == ("Partly. In the training period they do not differ; in the test period "
                                       "they differ.")
    assert view.headline(_with_calendar(response, 0.9, 0.8)) == (
        "No. In the training period they do not differ; in the test period they differ only as the calendar does.")
    both = _with_calendar(response, 0.001, 0.001)
    both["populations"]["train"]["segment_test"] = _test(0.001)
    assert view.headline(both) == "Yes. In every period they differ."


def test_the_levers_and_the_calendar_are_said_from_the_calendar_section(response):
    held = _with_calendar(response, 0.9, 0.8)
    cell = {"clients": 100, "subscribers": 67, "rate": 0.67, "interval": [0.57, 0.75], "few_clients": False}
    held["calendar"]["populations"]["test"]["levers"] = {
        "previous_success": {"exposed": cell, "comparison": cell | {"rate": 0.207}, "reach": 0.107,
                             "adjusted": {"rate_ratio": 1.93, "interval": [1.81, 2.06], "p_value": 1e-80,
                                          "clients": 9000}},
        "cellular": {"exposed": cell, "comparison": cell, "reach": 0.9, "adjusted": None}}
    summary = {"months": 9, "calls_per_month": 3616.0, "euribor3m": 4.69, "called_before": 0.035,
               "lowest": {"month": "2008-05", "rate": 0.031}, "highest": {"month": "2008-10", "rate": 0.63}}
    held["calendar"]["populations"]["train"]["summary"] = summary
    held["calendar"]["populations"]["test"]["summary"] = summary | {
        "calls_per_month": 265.5, "euribor3m": 1.14, "called_before": 0.37, "lowest": {"month": "2009-05",
                                                                                       "rate": 0.09},
        "highest": {"month": "2010-05", "rate": 0.575}}
    answer = view.answer(held)
    # A lever without a month-adjusted ratio (no month with both sides) is left out.
    assert answer["levers"] == ["The previous campaign succeeded: 67.0% subscribed, against 20.7% of clients never "
                                "called before; within the same month 1.93 times as likely (95% interval "
                                "1.81-2.06); 10.7% of the clients."]
    assert answer["calendar"].startswith("Between the periods the market and the calls changed: the three-month "
                                         "Euribor averaged 4.7% in the training period and 1.1% in the test period; "
                                         "a month's calls fell from about 3,616 to 266 (medians)")
    assert "averages months from 9.0% (May 2009) to 57.5% (May 2010)" in answer["calendar"]
    assert view.answer(response)["levers"] == [] and view.answer(response)["calendar"] == ""


def test_population_options_name_each_population_and_its_months(response):
    options = view.populations(response)
    assert [option["value"] for option in options] == ["all", "train", "test", "2008", "2009"]
    assert options[1]["label"] == "Training period (May 2008 to Jun 2008)"
    assert options[3]["label"] == "Calls in 2008 (May 2008 to Jun 2008)"


def test_segment_table_lists_every_segment_and_the_base_rate(response):
    table = view.segment_table(response, "train")
    assert table["rows"][0] == ["Segment 1", "200", "20", "10.0%", table["rows"][0][4], "1.00", "-", ""]
    assert table["rows"][2] == ["Segment 3", "0", "0", "-", "-", "-", "-", "few clients"]
    assert table["rows"][-1][:4] == ["All segments", "400", "40", "10.0%"]
    held = view.segment_table(_with_calendar(response, 0.9, 0.8), "train")
    assert held["rows"][0][6] == "0.96 (0.86-1.06)"


def test_comparison_table_gives_each_split_its_pooled_test_and_its_test_within_the_month(response):
    rows = view.comparison_table(response, "all")["rows"]
    assert [row[0] for row in rows] == ["Segment", "Contact channel", "Outcome of the previous campaign",
                                        "Calls in this campaign", "Month of the call (the years pooled)",
                                        "Period (training or test)"]
    assert all(row[2] == "-" for row in rows)  # no calendar section: nothing held to the month
    train = view.comparison_table(response, "train")["rows"]
    assert ["Period (training or test)", "-", "-", "one level only"] in train
    held = view.comparison_table(_with_calendar(response, 0.9, 0.8), "test")["rows"]
    assert held[0] == ["Segment", view.format_p(response["populations"]["test"]["segment_test"]["p_value"]), "0.8",
                       "differ only as the calendar does"]


def test_driver_cells_label_levels_and_leave_out_empty_cells(response):
    table = view.driver_cells(response, "test", "month")
    assert [level["label"] for level in table["levels"]] == ["April", "May"]
    assert table["levels"][0]["subscribers"] == 60 and table["levels"][0]["verdict"].key == view.DIFFER
    assert {(cell["segment"], cell["label"]) for cell in table["cells"]} == {(1, "April"), (2, "April"),
                                                                             (3, "May")}
    calls = view.driver_cells(response, "all", "campaign")
    assert [level["label"] for level in calls["levels"]] == ["1 call", "2 calls", "3 calls", "4-5 calls"]
    with pytest.raises(KeyError):
        view.driver_cells(response, "2008", "month")
    with pytest.raises(KeyError):
        view.segment_rates(response, "1999")


def test_driver_sentence_within_names_the_groups_where_segments_differ(response):
    assert view.driver_sentence_within(response, "test", "month") == (
        "In the test period, by month of the call (the years pooled): the segments' rates differ within April and "
        "not within the other groups (pooled over the months of each group, not held to the calendar month).")
    assert view.driver_sentence_within(response, "train", "month").endswith(
        "within every group the segments' rates do not differ; the group, not the segment, sets the rate.")


def test_segment_rates_leave_out_segments_without_clients(response):
    rates = view.segment_rates(response, "train")
    assert [row["segment"] for row in rates["segments"]] == [1, 2]
    assert rates["population"] == "training period" and rates["base"]["rate"] == pytest.approx(0.1)


def test_driver_options_follow_the_artifact(response):
    assert [option["value"] for option in view.driver_options(response)] == ["month", "contact", "poutcome",
                                                                             "campaign"]
    assert view.level_label("poutcome", "nonexistent") == "Not contacted before"
    assert view.level_label("period", "train") == "Training period"


def test_the_pages_state_round_trips_through_its_address(response):
    default = ("test", "month")
    assert view.state_query("test", "month", default) == ""
    assert view.state_query("train", "month", default) == "?clients=train"
    assert view.state_query("train", "job", default) == "?clients=train&driver=job"
    drivers = [option["value"] for option in view.driver_options(response)]
    for population, driver in (("train", drivers[-1]), ("all", drivers[0]), ("test", "month")):
        query = url_state.query_parameters(view.state_query(population, driver, default))
        assert view.state_from_query(response, query, default) == (population, driver)
    # An unknown or mistyped value opens the default view of that part, the rest as asked.
    assert view.state_from_query(response, {"clients": "2031", "driver": drivers[-1]}, default) == ("test", drivers[-1])
    assert view.state_from_query(response, {"clients": ["train", "all"], "lang": "ru"}, default) == default
