"""The Data page's filter and aggregates (dashapp.views.data), on a small clients table built here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashapp.core import domain
from dashapp.views import data as view, url_state
from dashapp.views.inputs import InvalidInput
from tests.small_clients import make_clients


@pytest.fixture
def clients() -> pd.DataFrame:
    return make_clients()


@pytest.fixture
def table(clients) -> view.ClientTable:
    return view.ClientTable(clients)


# --- The filter ------------------------------------------------------------------------------------------------


def test_table_knows_its_months_and_ages(table):
    assert table.months == ("2008-05", "2008-06", "2008-07", "2008-08", "2008-09")
    assert table.age_bounds == (25, 65)
    assert len(table) == 6


def test_empty_filter_selects_everyone(table, clients):
    assert table.mask(view.ClientFilter()).all()
    assert table.select(view.ClientFilter()) is table.frame
    assert view.ClientFilter().query_string() == ""


def test_filter_combines_every_condition(table, clients):
    spec = view.ClientFilter(age=(30, 60), job=("admin.", "retired"), segment=(1, 3))
    assert table.select(spec)["age"].tolist() == [35, 55]
    spec = view.ClientFilter(period=("2008-06", "2008-08"), marital=("married", "divorced"))
    assert table.select(spec)["age"].tolist() == [45, 55]
    assert table.select(view.ClientFilter(education=("unknown",))).index.tolist() == [102, 105]


def test_filter_round_trips_through_the_url(table):
    spec = view.ClientFilter(age=(30, 60), job=("admin.", "retired"), segment=(1, 3),
                             period=("2008-06", "2008-08"))
    query = spec.query_string()
    assert query == "?age=30-60&job=admin.,retired&segment=1,3&from=2008-06&to=2008-08"
    parsed, problems = table.parse_query(url_state.query_parameters(query))
    assert parsed == spec and problems == []


def test_query_with_bad_values_keeps_the_good_ones_and_says_why(table):
    spec, problems = table.parse_query({"job": "admin.,pilot", "age": "old", "segment": "2,9",
                                        "from": "2012-01"})
    assert spec == view.ClientFilter(job=("admin.",), segment=(2,))
    assert len(problems) == 4
    assert any("'pilot'" in problem and "admin." in problem for problem in problems)
    assert any("2012-01" in problem and "2008-05" in problem for problem in problems)


def test_full_ranges_are_no_filter(table):
    spec, _ = table.parse_query({"age": "10-99", "from": "2008-05", "to": "2008-09"})
    assert spec.is_empty()
    assert table.filter_from_controls(age=[25, 65], period=[0, 4]).is_empty()


def test_controls_and_filter_are_inverse(table):
    spec = view.ClientFilter(age=(30, 40), education=("basic.4y",), period=("2008-06", "2008-08"))
    controls = table.controls(spec)
    assert controls == {"age": [30, 40], "job": [], "marital": [], "education": ["basic.4y"], "segment": [],
                        "period": [1, 3]}
    assert table.filter_from_controls(**controls) == spec
    assert table.controls(view.ClientFilter())["period"] == [0, 4]


def test_controls_order_values_canonically_and_accept_none(table):
    spec = table.filter_from_controls(job=["retired", "admin."], marital=None, segment=[3, 1])
    assert spec.job == ("admin.", "retired") and spec.marital == () and spec.segment == (1, 3)


@pytest.mark.parametrize("controls, named", [
    ({"age": ["a", "b"]}, "age"), ({"age": [40, 30]}, "age"), ({"age": [10, 200]}, "age"), ({"age": 30}, "age"),
    ({"job": 5}, "job"), ({"job": ["pilot"]}, "job"), ({"job": [["admin."]]}, "job"), ({"segment": ["3"]}, "segment"),
    ({"segment": [9]}, "segment"), ({"segment": [True]}, "segment"), ({"period": [0, 99]}, "period"),
    ({"period": [0.5, 2]}, "period"), ({"marital": {"a": 1}}, "marital"),
])
def test_controls_the_widgets_never_send_are_refused_by_name(table, controls, named):
    with pytest.raises(InvalidInput, match=named):
        table.filter_from_controls(**controls)


def test_clicking_a_bar_sets_then_clears_its_filter():
    spec, jobs = view.ClientFilter(job=("admin.", "student")), domain.CATEGORIES["job"]
    assert spec.toggled("job", "retired", jobs).job == ("retired",)
    assert spec.toggled("job", "retired", jobs).toggled("job", "retired", jobs).job == ()
    with pytest.raises(ValueError, match="age"):
        spec.toggled("age", 30, (30,))
    with pytest.raises(InvalidInput, match="pilot"):  # a bar the chart does not draw
        spec.toggled("job", "pilot", jobs)


def test_period_months(table):
    assert table.period_months(view.ClientFilter(period=("2008-06", "2008-07"))) == ("2008-06", "2008-07")
    assert table.period_months(view.ClientFilter()) == table.months


# --- Aggregates ----------------------------------------------------------------------------------------------


def test_outcome_by_category_counts_clients_and_rates(clients):
    counts = view.outcome_by(clients, "job")
    assert counts["value"].tolist() == ["admin.", "retired", "student", "technician"]
    assert counts["clients"].tolist() == [2, 2, 1, 1]
    assert counts["subscribed"].tolist() == [1, 1, 1, 0]
    assert counts["rate"].tolist() == [0.5, 0.5, 1.0, 0.0]


def test_outcome_by_uses_readable_labels(clients):
    labels = view.outcome_by(clients, "education").set_index("value")["label"]
    assert labels["basic.4y"] == "Basic (4 years)" and labels["unknown"] == "Unknown"
    assert view.outcome_by(clients, "segment")["label"].tolist() == ["Segment 1", "Segment 2", "Segment 3"]


def test_outcome_by_caps_integers_and_excludes_values(clients):
    calls = view.outcome_by(clients, "campaign", cap=2)
    assert calls["label"].tolist() == ["1", "2", ">2"]
    assert calls["clients"].tolist() == [3, 1, 2]
    days = view.outcome_by(clients, "pdays", exclude=[-1])
    assert days["value"].tolist() == [3, 6] and days["clients"].tolist() == [2, 1]
    assert days["rate"].tolist() == [1.0, 1.0]


def test_outcome_by_on_no_rows_is_empty(clients):
    assert view.outcome_by(clients.iloc[:0], "job").empty
    assert view.outcome_by(clients.iloc[:0], "campaign", cap=10).empty


def test_credit_outcomes_stack_three_columns(clients):
    credit = view.credit_outcomes(clients)
    assert credit["group"].unique().tolist() == list(view.CREDIT_GROUPS.values())
    housing = credit[credit["group"] == "Housing loan"]
    assert housing["label"].tolist() == ["No", "Yes", "Unknown"]
    assert housing["value"].tolist() == ["no", "yes", "unknown"]  # the codes stay for a click
    assert housing["clients"].tolist() == [3, 2, 1]


def test_age_counts_split_by_outcome(clients):
    counts = view.age_counts(clients)
    assert counts["age"].tolist() == [25, 30, 35, 45, 55, 65]
    assert counts["subscribed"].tolist() == [0, 1, 1, 0, 1, 0]
    assert (counts["subscribed"] + counts["not_subscribed"]).sum() == 6
    assert view.age_counts(clients.iloc[:0]).empty


def test_outcome_share(clients):
    share = view.outcome_share(clients)
    assert share["clients"].tolist() == [3, 3]
    assert share["share"].tolist() == [0.5, 0.5]


def test_duration_summary_gives_box_numbers_per_contact_and_outcome(clients):
    summary = view.duration_summary(clients).set_index(["contact", "y"])
    assert summary.loc[("cellular", "yes"), "clients"] == 3
    assert summary.loc[("cellular", "yes"), "median"] == 400
    assert summary.loc[("cellular", "yes"), "mean"] == pytest.approx((300 + 600 + 400) / 3)
    assert summary.loc[("telephone", "no"), "q1"] == pytest.approx(87.5)
    assert ("telephone", "yes") not in summary.index


def test_monthly_summary_fills_months_without_contacts(clients, table):
    monthly = view.monthly_summary(clients, table.months)
    assert monthly.index.tolist() == [pd.Timestamp(m) for m in table.months]
    assert monthly["clients"].tolist() == [2, 1, 0, 2, 1]
    assert monthly["subscribed"].tolist() == [1, 0, 0, 1, 1]
    assert np.isnan(monthly.loc["2008-07-01", "rate"]) and monthly.loc["2008-05-01", "rate"] == 0.5
    assert monthly.loc["2008-08-01", "euribor3m"] == pytest.approx(5.0)  # mean of 4.0 and 6.0
    assert view.monthly_summary(clients).index.tolist() == [pd.Timestamp(m) for m in
                                                           ("2008-05", "2008-06", "2008-08", "2008-09")]


def test_unknown_audit_counts_each_column(clients):
    audit = view.unknown_audit(clients).set_index("column")
    assert audit.index.tolist() == list(domain.COLUMNS_WITH_UNKNOWN)
    assert audit["unknown"].to_dict() == {"job": 0, "marital": 1, "education": 2, "default": 1, "housing": 1,
                                          "loan": 1}
    assert audit.loc["education", "share"] == pytest.approx(2 / 6)


def test_headline(clients):
    assert view.headline(clients.iloc[:3], total=6) == {"clients": 3, "share": 0.5,
                                                        "subscription_rate": pytest.approx(1 / 3)}
    assert np.isnan(view.headline(clients.iloc[:0], total=6)["subscription_rate"])


def test_client_table_is_cached_per_store(clients):
    class Store:
        def __init__(self):
            self.clients = clients

    store = Store()
    assert view.client_table(store) is view.client_table(store)
