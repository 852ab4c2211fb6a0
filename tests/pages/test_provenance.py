"""The Overview's data card and comparison with the original study, and the Data page's dates, for a build of the
UCI file and for a source without dates (small frames, hand-written manifests; no artifacts)."""

from __future__ import annotations

import sys

import pytest

import app  # noqa: F401  (creates the app, so the page modules import as gunicorn loads them)
from dashapp.artifacts.current import current_store
from dashapp.core import catalogue
from dashapp.views import provenance as about_data
from dashapp.views.data import ClientTable
from dashapp.views.provenance import UNKNOWN_PERIOD
from dashapp.views.rates import population_names, subscription_rates
from tests.layout_helpers import by_id, components, text
from tests.small_clients import make_clients
from tests.views.test_provenance import DATED, SAMPLE, UCI, _undated

FINAL = {"silhouette": 0.6304, "reference_silhouette": 0.63, "k": 4}
SHARES, REFERENCE = {1: 0.3, 2: 0.2, 3: 0.4, 4: 0.1}, {1: 0.26, 2: 0.15, 3: 0.43, 4: 0.16}


@pytest.fixture(scope="module")
def overview():
    return sys.modules["pages.overview"]


@pytest.fixture(scope="module")
def data_page():
    return sys.modules["pages.data"]


def _data_card(overview, provenance, clients):
    return overview._data_card(ClientTable(clients), subscription_rates(clients, names=population_names(provenance)),
                               provenance)


def test_the_uci_data_card_reads_as_before(overview):
    card = text(_data_card(overview, UCI, make_clients()))
    assert ("The UCI Bank Marketing data, a Portuguese bank's telemarketing from May 2008 to September 2008: 6 clients, "
            "one row each, called 22 times in this campaign (3.67 calls a client).") in card
    assert "S. Moro, P. Cortez and P. Rita" in card and "CC BY 4.0" in card and "UCI Machine Learning" in card
    assert "May 2008" in card and "Sep 2008" in card and "Training period" in card
    assert overview.OVERVIEW_SPLIT not in by_id(_data_card(overview, UCI, make_clients()))


def test_a_source_without_dates_is_named_its_period_unknown_and_its_split_said(overview):
    layout = _data_card(overview, SAMPLE, _undated(make_clients()))
    card = text(layout)
    for claim in ("UCI", "Portuguese", "Moro", "CC BY", "NaT", "2008", "Training period", "Both periods"):
        assert claim not in card
    assert text(by_id(layout)[overview.OVERVIEW_SOURCE]) == "Built from bank-additional.csv (a CSV file, 4,119 rows)."
    assert text(by_id(layout)[overview.OVERVIEW_SPLIT]) == about_data.split_sentence(SAMPLE)
    assert UNKNOWN_PERIOD in card and "unknown" in card
    assert "Training clients" in card and "a random 4 of the clients" in card


def test_a_dated_source_says_its_period_but_no_uci_claim(overview):
    card = text(_data_card(overview, DATED, make_clients()))
    assert "from May 2008 to September 2008" in card and "first call" in card
    assert "UCI" not in card and "Portuguese" not in card
    assert "Built from crm.clients (a database table, 500 rows; 3 invalid rows left out" in card


def test_the_original_study_stands_beside_the_uci_build_only(overview):
    uci = overview._quality_card(FINAL, SHARES, REFERENCE, UCI)
    assert "silhouette, original study" in text(uci) and "the first 70% of the calls in time order" in text(uci)
    figure = by_id(uci)[overview.OVERVIEW_SHARES].figure
    assert [trace.name for trace in figure.data] == ["This build", "Original study"]
    sample = overview._quality_card(FINAL, SHARES, {}, SAMPLE)
    said = text(sample)
    assert "silhouette, original study" not in said and "0.63 " not in said and "beside" not in said
    assert "a random 70% of the clients (seed 42)" in said and "time order" not in said
    assert [trace.name for trace in by_id(sample)[overview.OVERVIEW_SHARES].figure.data] == ["This build"]


def test_a_segment_card_leaves_out_the_original_share_without_one(overview):
    segment = catalogue.segments(current_store())[1]
    assert "Original study: 26%" in text(overview._segment_card(segment, 0.3, 0.26))
    assert "Original study" not in text(overview._segment_card(segment, 0.3, None))


def test_the_data_page_without_dates_hides_the_period_filter_and_the_monthly_charts(data_page):
    table = ClientTable(_undated(make_clients()))
    intro = data_page._intro_text(table, SAMPLE)
    assert "Portuguese" not in intro and "NaT" not in intro and "the source has no contact dates" in intro
    assert data_page._rates_note(table) == []  # no months, nothing to hold
    filter_parts = data_page._period_filter(table, table.controls(table.parse_query({})[0]))
    assert text(filter_parts) == data_page.NO_PERIOD_FILTER
    assert filter_parts[1].hidden and by_id(filter_parts)[data_page.DATA_PERIOD].value == [0, 0]
    economy = data_page._economy_section(table)
    assert data_page.NO_MONTHLY_CHARTS in text(economy) and "2008" not in text(economy)
    charts = [part for part in components(economy) if getattr(part, "hidden", False)]
    assert charts and data_page.DATA_MONTHLY_CHART in by_id(charts[0])  # kept hidden for the callback's outputs


def test_the_data_page_of_the_uci_file_keeps_its_dates(data_page):
    table = ClientTable(make_clients())
    assert data_page._intro_text(table, UCI).startswith(
        "A Portuguese bank's term-deposit campaign (May 2008 to Sep 2008): 6 clients, one row each, called 22 times in "
        "this campaign (3.67 calls a client).")
    assert text(data_page._rates_note(table)).endswith(
        "the Response page holds the segments and the levers to the month too.")
    assert "from May 2008 to September 2008." in text(data_page._economy_section(table))
    assert by_id(data_page._period_filter(table, table.controls(table.parse_query({})[0])))[
        data_page.DATA_PERIOD].max == 4
