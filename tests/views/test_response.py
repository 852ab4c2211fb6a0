"""The Campaign response page's view (dashapp/views/response.py) on a response computed from a small frame."""

from __future__ import annotations

import copy

import pytest

from dashapp.analysis.response import response_analysis
from dashapp.views import response as view
from tests.analysis.test_response import GROUPS, N_TRAIN, _frame


@pytest.fixture(scope="module")
def response() -> dict:
    """Training period: segments 1 and 2 at 10% each (no difference); test period: 20%, 40%, 60% (segments
    1-3, a large difference)."""
    clean, segments = _frame(GROUPS)
    return response_analysis(clean, segments, N_TRAIN)


def _test(p: float, v: float, min_expected: float = 100.0) -> dict:
    return {"chi2": 1.0, "dof": 1, "p_value": p, "cramers_v": v, "clients": 1000, "levels": 2,
            "min_expected": min_expected}


@pytest.mark.parametrize("p, v, expected", [
    (0.19, 0.013, view.DO_NOT_DIFFER), (0.06, 0.5, view.DO_NOT_DIFFER),
    (7e-7, 0.05, view.DIFFER_SLIGHTLY), (0.049, 0.099, view.DIFFER_SLIGHTLY),
    (0.01, 0.10, view.DIFFER), (0.0, 0.23, view.DIFFER),
])
def test_verdict_needs_the_test_and_the_effect_size(p, v, expected):
    assert view.verdict(_test(p, v)).key == expected


def test_verdict_says_its_evidence_and_when_it_is_approximate():
    assert view.verdict(_test(0.19, 0.0128)).evidence == "p = 0.19, Cramér's V 0.013"
    assert "approximate" in view.verdict(_test(0.19, 0.0128, min_expected=2.8)).evidence
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
    assert sentence.endswith("the segments differ (p = " + view.format_p(
        response["populations"]["test"]["segment_test"]["p_value"]) + ", Cramér's V 0.33).")


def test_a_period_where_segments_do_not_differ_says_so_with_the_range(response):
    sentence = view.segment_sentence(response, "train")
    assert sentence == ("In the training period the segments do not differ (p = 1, Cramér's V 0): 10.0% to 10.0% "
                        "subscribed, against 10.0% of all its clients.")


def test_a_slight_difference_is_called_real_but_small(response):
    slight = copy.deepcopy(response)
    slight["populations"]["test"]["segment_test"] = _test(7e-7, 0.05)
    sentence = view.segment_sentence(slight, "test")
    assert "a real difference, but a small one (p = 7e-7, Cramér's V 0.05; worth a campaign's attention from 0.10)" \
        in sentence


def test_headline_answers_per_period(response):
    assert view.headline(response) == ("Partly. In the training period they do not differ; in the test period "
                                       "they differ.")
    both = copy.deepcopy(response)
    both["populations"]["train"]["segment_test"] = _test(0.3, 0.01)
    both["populations"]["test"]["segment_test"] = _test(0.001, 0.05)
    assert view.headline(both).startswith("No. In the training period they do not differ; in the test period they "
                                          "differ only slightly")
    both["populations"]["train"]["segment_test"] = both["populations"]["test"]["segment_test"] = _test(0.001, 0.2)
    assert view.headline(both) == "Yes. In every period they differ."
    both["populations"]["train"]["segment_test"] = both["populations"]["test"]["segment_test"] = _test(0.5, 0.01)
    assert view.headline(both) == "No. In every period they do not differ."


def test_answer_compares_the_period_with_the_segments(response):
    answer = view.answer(response)
    assert len(answer["sentences"]) == 2
    period = answer["drivers"][0]
    assert period.startswith("Over all clients the period (training or test) splits response")
    assert "10.0% subscribed in the training period, 40.0% in the test period" in period


def test_driver_sentence_says_when_a_driver_splits_no_more_than_the_segments(response):
    sentence = view.driver_sentence(response, "test", "contact")
    assert "splits response no more than the segments" in sentence or "times as strongly" in sentence
    assert view.driver_sentence(response, "train", "period") == ""


def test_population_options_name_each_population_and_its_months(response):
    options = view.populations(response)
    assert [option["value"] for option in options] == ["all", "train", "test", "2008", "2009"]
    assert options[1]["label"] == "Training period (May 2008 to Jun 2008)"
    assert options[3]["label"] == "Calls in 2008 (May 2008 to Jun 2008)"


def test_segment_table_lists_every_segment_and_the_base_rate(response):
    table = view.segment_table(response, "train")
    assert table["rows"][0] == ["Segment 1", "200", "20", "10.0%", table["rows"][0][4], "1.00", ""]
    assert table["rows"][2] == ["Segment 3", "0", "0", "-", "-", "-", "few clients"]
    assert table["rows"][-1][:4] == ["All segments", "400", "40", "10.0%"]


def test_comparison_table_puts_the_strongest_split_first(response):
    rows = view.comparison_table(response, "all")["rows"]
    values = [float(row[1]) for row in rows if row[1] != "-"]
    assert values == sorted(values, reverse=True)
    assert {row[0] for row in rows} == {"Segment", *view.DRIVER_NAMES.values()}
    train = view.comparison_table(response, "train")["rows"]
    assert ["Period (training or test)", "-", "-", "one level only"] in train


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
        "In the test period, by month of the call: the segments differ within April; within the other groups "
        "they do not differ.")
    assert view.driver_sentence_within(response, "train", "month").endswith(
        "within every group the segments do not differ; the group, not the segment, sets the rate.")


def test_segment_rates_leave_out_segments_without_clients(response):
    rates = view.segment_rates(response, "train")
    assert [row["segment"] for row in rates["segments"]] == [1, 2]
    assert rates["population"] == "training period" and rates["base"]["rate"] == pytest.approx(0.1)


def test_driver_options_follow_the_artifact(response):
    assert [option["value"] for option in view.driver_options(response)] == ["month", "contact", "poutcome",
                                                                             "campaign"]
    assert view.level_label("poutcome", "nonexistent") == "Not contacted before"
    assert view.level_label("period", "train") == "Training period"
