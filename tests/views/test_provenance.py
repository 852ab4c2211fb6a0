"""What the pages say about the data they were built from (dashapp.views.provenance and the views that read it):
the UCI file's texts unchanged, any other source named as it is, its period only when its dates are known, the
split as it was made. Each provenance is a hand-written manifest read by
dashapp.artifacts.provenance.data_provenance."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashapp.analysis.response import response_analysis
from dashapp.artifacts.current import current_store
from dashapp.artifacts.provenance import data_provenance
from dashapp.core import catalogue
from dashapp.core.settings import BANK_FULL_SHA256
from dashapp.figures.classifier import class_balance_figure
from dashapp.figures.segments import share_comparison_figure
from dashapp.figures.targeting import gain_figure
from dashapp.views import methods, provenance as about_data, response as response_view, targeting as targeting_view
from dashapp.views.data import ClientTable
from dashapp.views.explorer import client_record
from dashapp.views.rates import (PERIODS, RANDOM_SPLIT_POPULATIONS, population_names, split_explanation,
                                 subscription_rates)
from tests.analysis.test_response import GROUPS, N_TRAIN, _frame
from tests.small_clients import make_clients

#: A manifest written before the provenance keys existed: a build of the UCI file, dated by its order.
UCI = data_provenance({"data": {"file": "bank-additional-full.csv", "sha256": BANK_FULL_SHA256, "rows": 41188,
                                "train_rows": 28831, "test_rows": 12357}})
#: The UCI 10% sample as the sources build records it: no dates, so a seeded random split.
SAMPLE = data_provenance({"data": {
    "file": "bank-additional.csv", "sha256": "ab" * 32, "rows": 4119, "train_rows": 2883, "test_rows": 1236,
    "source": {"kind": "csv", "name": "bank-additional.csv"}, "uci": False, "dropped_invalid": 0,
    "dates": None, "period": None,
    "split": {"kind": "random", "order": "", "seed": 42, "train_fraction": 0.7}}})
#: A bank's own table with a date column: dated, split in time order, three bad rows dropped on request.
DATED = data_provenance({"data": {
    "file": "clients", "sha256": "cd" * 32, "rows": 500, "train_rows": 350, "test_rows": 150,
    "source": {"kind": "sql", "name": "crm.clients", "table": "clients"}, "uci": False, "dropped_invalid": 3,
    "dates": {"origin": "column", "column": "contact_date"},
    "period": {"first": "2021-01-01", "last": "2022-06-01"},
    "split": {"kind": "time", "order": "by contact_date", "seed": None, "train_fraction": 0.7}}})


def _undated(frame: pd.DataFrame) -> pd.DataFrame:
    """The same clients as a source without dates gives them: every contact date NaT."""
    return frame.assign(contact_date=pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]"))


# --- the source, its period, the split, the footer -------------------------------------------------------------


def test_the_source_is_named_with_its_kind_rows_and_the_rows_dropped_on_request():
    assert about_data.source_sentence(SAMPLE) == "Built from bank-additional.csv (a CSV file, 4,119 rows)."
    assert about_data.source_sentence(DATED) == ("Built from crm.clients (a database table, 500 rows; 3 invalid "
                                                 "rows left out at the user's request).")


def test_the_period_is_said_only_when_the_dates_are_known():
    known = about_data.data_sentence(DATED, date(2021, 1, 1), date(2022, 6, 1))
    assert "from January 2021 to June 2022" in known and "unknown" not in known
    unknown = about_data.data_sentence(SAMPLE, None, None)
    assert unknown.endswith(about_data.UNKNOWN_PERIOD)
    assert "the period of the calls is unknown" in unknown and "20" not in unknown  # no year anywhere


def test_which_clients_trained_and_tested_follows_the_split():
    assert about_data.training_clients(UCI) == "the first 70% of the calls in time order"
    assert about_data.tested_clients(UCI, 12357) == "the 12,357 later calls"
    assert about_data.training_clients(SAMPLE) == "a random 70% of the clients (seed 42)"
    assert about_data.tested_clients(SAMPLE, 1236) == "the other 1,236 clients"


def test_the_footer_credits_the_uci_data_only_on_a_build_of_it():
    assert about_data.footer_credit(UCI) == "Data: UCI Bank Marketing (Moro, Cortez and Rita, 2014), CC BY 4.0."
    assert about_data.footer_credit(SAMPLE) == "Data: bank-additional.csv."


# --- rates: periods in time order, training and test clients after a random split --------------------------------


def test_populations_are_periods_only_for_a_split_in_time_order():
    assert population_names(UCI) == PERIODS and population_names(DATED) == PERIODS
    assert population_names(SAMPLE) == RANDOM_SPLIT_POPULATIONS == {
        "all": "all clients", "train": "training clients", "test": "test clients"}


def test_rates_after_a_random_split_name_their_populations_as_clients():
    table = subscription_rates(_undated(make_clients()), names=population_names(SAMPLE))
    assert not table.time_ordered
    assert [table.of(key).population for key in ("all", "train", "test")] == [
        "all clients", "training clients", "test clients"]
    filtered = subscription_rates(make_clients(), "filtered clients", population_names(SAMPLE))
    assert filtered.of("train").population == "filtered clients, training clients"
    assert filtered.names == RANDOM_SPLIT_POPULATIONS


def test_the_split_explanation_of_the_uci_file_reads_as_before():
    frame = make_clients()
    frame["y"] = pd.Categorical(["no", "no", "no", "yes", "yes", "yes"], categories=["no", "yes"])
    table = subscription_rates(frame)
    assert table.time_ordered
    assert split_explanation(table) == (
        "The training period is the first 4 calls (May 2008 to Aug 2008), on which the segments were found; the "
        "test period the other 2 (Aug 2008 to Sep 2008). Far more of the later clients subscribed.")


def test_far_more_is_said_only_when_the_later_rate_is_far_higher():
    frame = make_clients()
    frame["y"] = pd.Categorical(["yes", "no", "yes", "no", "yes", "no"], categories=["no", "yes"])
    assert "Far" not in split_explanation(subscription_rates(frame))  # 50% and 50%


def test_the_split_explanation_after_a_random_split_has_no_periods_and_no_months():
    table = subscription_rates(_undated(make_clients()), names=population_names(SAMPLE))
    assert split_explanation(table) == ("The training clients are a random 4 of the clients, on which the "
                                        "segments were found; the test clients the other 2.")


# --- the Campaign response page --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def response() -> dict:
    clean, segments = _frame(GROUPS)
    return response_analysis(clean, segments, N_TRAIN)


def test_the_uci_response_is_shown_as_built(response):
    shown = response_view.as_built(response, UCI)
    assert shown == response
    assert response_view.driver_name(shown, "period") == "Period (training or test)"


def test_without_dates_the_response_has_no_months_no_years_and_no_period_driver(response):
    assert any(key not in ("all", "train", "test") for key in response["populations"])  # the fixture has years
    shown = response_view.as_built(response, SAMPLE)
    assert list(shown["populations"]) == ["all", "train", "test"]
    assert [option["label"] for option in response_view.populations(shown)] == [
        "All clients", "Training clients", "Test clients"]
    assert all("period" not in data["driver_tests"] for data in shown["populations"].values())
    assert all("period" not in tables for tables in shown["segment_by_driver"].values())
    assert "period" not in [option["value"] for option in response_view.driver_options(shown)]
    answer = response_view.answer(shown)
    text = " ".join([answer["headline"], *answer["sentences"], *answer["levers"], answer["calendar"]])
    assert "period" not in text and "Among the training clients" in text
    assert response["populations"]["train"]["name"] == "training period"  # the artifact is left as it is


def test_a_dated_source_keeps_its_months_and_years(response):
    shown = response_view.as_built(response, DATED)
    assert list(shown["populations"]) == list(response["populations"])
    assert response_view.populations(shown) == response_view.populations(response)


# --- the Decision tree, Targeting and Methods pages ---------------------------------------------------------------


def test_class_balance_names_periods_or_groups_of_clients():
    periods = class_balance_figure({1: 3, 2: 1}, {1: 1, 2: 1})
    assert [trace.name for trace in periods.data] == ["Training period (4)", "Test period (2)"]
    groups = class_balance_figure({1: 3, 2: 1}, {1: 1, 2: 1}, time_ordered=False)
    assert [trace.name for trace in groups.data] == ["Training clients (4)", "Test clients (2)"]
    assert groups.layout.yaxis.title.text == "% of the group's clients"


TARGETING = {"segment_rates": {"1": 0.05, "2": 0.1}, "excluded": ["duration"], "inputs": ["age", "job"],
             "train_clients": 2883, "train_base_rate": 0.11, "test_clients": 1236, "base_rate": 0.12,
             "test_subscribers": 148}


def test_targeting_context_says_periods_only_in_time_order():
    uci = " ".join(targeting_view.context_sentences(TARGETING))
    assert "clients of the training period" in uci and "training-period subscription rate" in uci
    sample = " ".join(targeting_view.context_sentences(TARGETING, time_ordered=False))
    assert "period" not in sample
    assert "2,883 clients drawn at random for training" in sample
    assert "subscription rate among the training clients" in sample


def test_the_gain_chart_names_the_test_clients_as_the_split_made_them():
    curve = {"called": [0.0, 0.5, 1.0], "reached": [0.0, 0.6, 1.0]}
    method = {"curve": curve, "at": [{"called": 0.5, "reached": 0.6, "lift": 1.2}]}
    targeting = {"methods": {key: method for key in ("logistic", "boosting", "segments")}, "called_shares": [0.5]}
    # The titles break into lines to fit a narrow chart (figures.axis_title); their words are the population's.
    def title(figure) -> str:
        return figure.layout.yaxis.title.text.replace("<br>", " ")

    assert title(gain_figure(targeting)) == "Share of the test period's subscribers reached"
    assert title(gain_figure(targeting, time_ordered=False)) == "Share of the test clients' subscribers reached"


CLASSIFIER = {"train_rows": 2883, "test_rows": 1236, "tree": {"accuracy": 1.0}, "logistic": {"accuracy": 0.99}}


def test_the_methods_differences_say_how_the_split_was_made():
    uci = methods.differences_section(CLASSIFIER).sentences[0]
    assert "earlier 2,883 clients and tested on the later 1,236" in uci and "same period" in uci
    sample = methods.differences_section(CLASSIFIER, time_ordered=False).sentences[0]
    assert "trained on a random 2,883 clients and tested on the other 1,236" in sample
    assert "period" not in sample and "earlier" not in sample


# --- the Overview's comparison with the original study ------------------------------------------------------------


def test_the_share_chart_without_the_original_study_draws_this_build_only():
    assert [trace.name for trace in share_comparison_figure({1: 0.5}, {1: 0.26}).data] == [
        "This build", "Original study"]
    assert [trace.name for trace in share_comparison_figure({1: 0.5}, {}).data] == ["This build"]


# --- the Data page and the explorer without dates -----------------------------------------------------------------


def test_a_client_table_without_dates_has_no_months_and_ignores_a_period():
    table = ClientTable(_undated(make_clients()))
    assert table.months == ()
    spec, problems = table.parse_query({"from": "2008-05", "to": "2010-11", "job": "admin."})
    assert spec.period is None and spec.job == ("admin.",)
    assert problems == ["period ignored; the source has no contact dates."]
    assert table.controls(spec)["period"] == [0, 0]
    assert table.filter_from_controls(period=[0, 0], job=["admin."]) == spec
    assert len(table.select(spec)) == 2 and table.period_months(spec) == ()


def test_a_client_card_without_a_date_shows_the_month_instead():
    dated = client_record(make_clients(), 100, catalogue.segment_names(current_store()))
    assert dict(zip(dated["field"], dated["value"]))["Month of contact"] == "May 2008"
    assert "Month of the last contact" not in dated["field"].tolist()
    undated = client_record(_undated(make_clients().assign(month="may")), 100, catalogue.segment_names(current_store()))
    fields = dict(zip(undated["field"], undated["value"]))
    assert "Month of contact" not in fields and "NaT" not in fields.values()
    assert fields["Month of the last contact"] == "May"
