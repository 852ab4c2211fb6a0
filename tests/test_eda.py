"""The data page's filter and aggregates (dashapp.eda), on a small clients table built here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashapp import catalogue, domain, eda

ROWS = [
    # age, job, marital, education, default, housing, loan, contact, day, duration, campaign, pdays, previous,
    # poutcome, y, month, segment
    (25, "admin.", "single", "university.degree", "no", "yes", "no", "cellular", "mon", 100, 1, -1, 0,
     "nonexistent", "no", "2008-05", 1),
    (35, "admin.", "married", "high.school", "unknown", "yes", "no", "cellular", "tue", 300, 2, 3, 1,
     "success", "yes", "2008-05", 1),
    (45, "technician", "married", "unknown", "no", "no", "yes", "telephone", "mon", 50, 1, -1, 0,
     "nonexistent", "no", "2008-06", 2),
    (55, "retired", "divorced", "basic.4y", "no", "no", "no", "cellular", "fri", 600, 14, 6, 2,
     "failure", "yes", "2008-08", 3),
    (65, "retired", "unknown", "basic.4y", "no", "unknown", "unknown", "telephone", "thu", 200, 3, -1, 0,
     "nonexistent", "no", "2008-08", 3),
    (30, "student", "single", "unknown", "no", "no", "no", "cellular", "wed", 400, 1, 3, 1,
     "success", "yes", "2008-09", 3),
]


def make_clients() -> pd.DataFrame:
    columns = ["age", "job", "marital", "education", "default", "housing", "loan", "contact", "day_of_week",
               "duration", "campaign", "pdays", "previous", "poutcome", "y", "month", "segment"]
    frame = pd.DataFrame(ROWS, columns=columns)
    frame["contact_date"] = pd.to_datetime(frame.pop("month") + "-01")
    for column in ("job", "marital", "education", "default", "housing", "loan", "contact", "day_of_week",
                   "poutcome", "y"):
        frame[column] = pd.Categorical(frame[column], categories=domain.CATEGORIES[column])
    frame["segment"] = frame["segment"].astype("int8")
    # The first four calls train, the last two test (as clients.parquet marks the time-ordered split).
    frame["split"] = pd.Categorical(["train"] * 4 + ["test"] * 2, categories=["train", "test"])
    for position, column in enumerate(domain.SOCIO_ECONOMIC_COLUMNS):
        frame[column] = [1.0 + position, 2.0 + position, 3.0, 4.0, 6.0, 5.0]
    frame.index = pd.RangeIndex(100, 100 + len(frame), name="client_id")
    return frame


@pytest.fixture
def clients() -> pd.DataFrame:
    return make_clients()


@pytest.fixture
def table(clients) -> eda.ClientTable:
    return eda.ClientTable(clients)


# --- The filter ------------------------------------------------------------------------------------------------


def test_table_knows_its_months_and_ages(table):
    assert table.months == ("2008-05", "2008-06", "2008-07", "2008-08", "2008-09")
    assert table.age_bounds == (25, 65)
    assert len(table) == 6


def test_empty_filter_selects_everyone(table, clients):
    assert table.mask(eda.ClientFilter()).all()
    assert table.select(eda.ClientFilter()) is table.frame
    assert eda.ClientFilter().query_string() == ""


def test_filter_combines_every_condition(table, clients):
    spec = eda.ClientFilter(age=(30, 60), job=("admin.", "retired"), segment=(1, 3))
    assert table.select(spec)["age"].tolist() == [35, 55]
    spec = eda.ClientFilter(period=("2008-06", "2008-08"), marital=("married", "divorced"))
    assert table.select(spec)["age"].tolist() == [45, 55]
    assert table.select(eda.ClientFilter(education=("unknown",))).index.tolist() == [102, 105]


def test_filter_round_trips_through_the_url(table):
    spec = eda.ClientFilter(age=(30, 60), job=("admin.", "retired"), segment=(1, 3),
                            period=("2008-06", "2008-08"))
    query = spec.query_string()
    assert query == "?age=30-60&job=admin.,retired&segment=1,3&from=2008-06&to=2008-08"
    parsed, problems = table.parse_query(eda.query_parameters(query))
    assert parsed == spec and problems == []


def test_query_with_bad_values_keeps_the_good_ones_and_says_why(table):
    spec, problems = table.parse_query({"job": "admin.,pilot", "age": "old", "segment": "2,9",
                                        "from": "2012-01"})
    assert spec == eda.ClientFilter(job=("admin.",), segment=(2,))
    assert len(problems) == 4
    assert any("'pilot'" in problem and "admin." in problem for problem in problems)
    assert any("2012-01" in problem and "2008-05" in problem for problem in problems)


def test_full_ranges_are_no_filter(table):
    spec, _ = table.parse_query({"age": "10-99", "from": "2008-05", "to": "2008-09"})
    assert spec.is_empty()
    assert table.filter_from_controls(age=[25, 65], period=[0, 4]).is_empty()


def test_controls_and_filter_are_inverse(table):
    spec = eda.ClientFilter(age=(30, 40), education=("basic.4y",), period=("2008-06", "2008-08"))
    controls = table.controls(spec)
    assert controls == {"age": [30, 40], "job": [], "marital": [], "education": ["basic.4y"], "segment": [],
                        "period": [1, 3]}
    assert table.filter_from_controls(**controls) == spec
    assert table.controls(eda.ClientFilter())["period"] == [0, 4]


def test_controls_order_values_canonically_and_accept_none(table):
    spec = table.filter_from_controls(job=["retired", "admin."], marital=None, segment=["3", 1])
    assert spec.job == ("admin.", "retired") and spec.marital == () and spec.segment == (1, 3)


def test_clicking_a_bar_sets_then_clears_its_filter():
    spec = eda.ClientFilter(job=("admin.", "student"))
    assert spec.toggled("job", "retired").job == ("retired",)
    assert spec.toggled("job", "retired").toggled("job", "retired").job == ()
    with pytest.raises(ValueError, match="age"):
        spec.toggled("age", 30)


def test_period_months(table):
    assert table.period_months(eda.ClientFilter(period=("2008-06", "2008-07"))) == ("2008-06", "2008-07")
    assert table.period_months(eda.ClientFilter()) == table.months


def test_query_parameters_parse_like_dash():
    assert eda.query_parameters("?a=1&b=x,y&b=z") == {"a": "1", "b": ["x,y", "z"]}
    assert eda.query_parameters("") == {} and eda.query_parameters(None) == {}


# --- Aggregates ----------------------------------------------------------------------------------------------


def test_outcome_by_category_counts_clients_and_rates(clients):
    counts = eda.outcome_by(clients, "job")
    assert counts["value"].tolist() == ["admin.", "retired", "student", "technician"]
    assert counts["clients"].tolist() == [2, 2, 1, 1]
    assert counts["subscribed"].tolist() == [1, 1, 1, 0]
    assert counts["rate"].tolist() == [0.5, 0.5, 1.0, 0.0]


def test_outcome_by_uses_readable_labels(clients):
    labels = eda.outcome_by(clients, "education").set_index("value")["label"]
    assert labels["basic.4y"] == "Basic (4 years)" and labels["unknown"] == "Unknown"
    assert eda.outcome_by(clients, "segment")["label"].tolist() == ["Segment 1", "Segment 2", "Segment 3"]


def test_outcome_by_caps_integers_and_excludes_values(clients):
    calls = eda.outcome_by(clients, "campaign", cap=2)
    assert calls["label"].tolist() == ["1", "2", ">2"]
    assert calls["clients"].tolist() == [3, 1, 2]
    days = eda.outcome_by(clients, "pdays", exclude=[-1])
    assert days["value"].tolist() == [3, 6] and days["clients"].tolist() == [2, 1]
    assert days["rate"].tolist() == [1.0, 1.0]


def test_outcome_by_on_no_rows_is_empty(clients):
    assert eda.outcome_by(clients.iloc[:0], "job").empty
    assert eda.outcome_by(clients.iloc[:0], "campaign", cap=10).empty


def test_credit_outcomes_stack_three_columns(clients):
    credit = eda.credit_outcomes(clients)
    assert credit["group"].unique().tolist() == list(eda.CREDIT_GROUPS.values())
    housing = credit[credit["group"] == "Housing loan"]
    assert housing["label"].tolist() == ["No", "Yes", "Unknown"]
    assert housing["value"].tolist() == ["no", "yes", "unknown"]  # the codes stay for a click
    assert housing["clients"].tolist() == [3, 2, 1]


def test_age_counts_split_by_outcome(clients):
    counts = eda.age_counts(clients)
    assert counts["age"].tolist() == [25, 30, 35, 45, 55, 65]
    assert counts["subscribed"].tolist() == [0, 1, 1, 0, 1, 0]
    assert (counts["subscribed"] + counts["not_subscribed"]).sum() == 6
    assert eda.age_counts(clients.iloc[:0]).empty


def test_outcome_share(clients):
    share = eda.outcome_share(clients)
    assert share["clients"].tolist() == [3, 3]
    assert share["share"].tolist() == [0.5, 0.5]


def test_duration_summary_gives_box_numbers_per_contact_and_outcome(clients):
    summary = eda.duration_summary(clients).set_index(["contact", "y"])
    assert summary.loc[("cellular", "yes"), "clients"] == 3
    assert summary.loc[("cellular", "yes"), "median"] == 400
    assert summary.loc[("cellular", "yes"), "mean"] == pytest.approx((300 + 600 + 400) / 3)
    assert summary.loc[("telephone", "no"), "q1"] == pytest.approx(87.5)
    assert ("telephone", "yes") not in summary.index


def test_monthly_summary_fills_months_without_contacts(clients, table):
    monthly = eda.monthly_summary(clients, table.months)
    assert monthly.index.tolist() == [pd.Timestamp(m) for m in table.months]
    assert monthly["clients"].tolist() == [2, 1, 0, 2, 1]
    assert monthly["subscribed"].tolist() == [1, 0, 0, 1, 1]
    assert np.isnan(monthly.loc["2008-07-01", "rate"]) and monthly.loc["2008-05-01", "rate"] == 0.5
    assert monthly.loc["2008-08-01", "euribor3m"] == pytest.approx(5.0)  # mean of 4.0 and 6.0
    assert eda.monthly_summary(clients).index.tolist() == [pd.Timestamp(m) for m in
                                                           ("2008-05", "2008-06", "2008-08", "2008-09")]


def test_unknown_audit_counts_each_column(clients):
    audit = eda.unknown_audit(clients).set_index("column")
    assert audit.index.tolist() == list(domain.COLUMNS_WITH_UNKNOWN)
    assert audit["unknown"].to_dict() == {"job": 0, "marital": 1, "education": 2, "default": 1, "housing": 1,
                                          "loan": 1}
    assert audit.loc["education", "share"] == pytest.approx(2 / 6)


def test_headline(clients):
    assert eda.headline(clients.iloc[:3], total=6) == {"clients": 3, "share": 0.5,
                                                        "subscription_rate": pytest.approx(1 / 3)}
    assert np.isnan(eda.headline(clients.iloc[:0], total=6)["subscription_rate"])


# --- One client ------------------------------------------------------------------------------------------


def test_client_record_is_readable(clients):
    record = eda.client_record(clients, 102).set_index("field")["value"]
    label = catalogue.column_label
    assert record[label("education")] == "Unknown" and record[label("loan")] == "Personal loan"
    assert record[label("pdays")] == "never contacted before"
    assert record[label("contact_date")] == "June 2008"
    assert record[label("contact")] == "Landline" and record[label("day_of_week")] == "Monday"
    assert record[label("poutcome")] == catalogue.category_label("poutcome", "nonexistent") != "nonexistent"
    assert record[label("y")] == "Did not subscribe"
    assert record["Employment variation rate"] == "3.0"
    assert record["Segment"].startswith("2: ")
    assert eda.client_record(clients, 999).empty


def test_client_record_shows_no_raw_code(clients):
    record = eda.client_record(clients.assign(education=pd.Categorical(
        ["basic.9y"] * len(clients), categories=domain.CATEGORIES["education"])), 100)
    assert "Basic (9 years)" in record["value"].tolist()
    raw = {"basic.9y", "emp.var.rate", "cons.price.idx", "pdays", "poutcome", "nonexistent", "cellular", "mon"}
    assert not raw & set(record["field"]) and not raw & set(record["value"])


def test_shares_are_written_short_and_small_clusters_flagged():
    assert eda.shares_text([0.26, 0.15, 0.43, 0.16]) == "26% / 15% / 43% / 16%"
    assert eda.shares_text([0.997, 0.003]) == "100% / 0.3%"
    assert eda.is_degenerate(0.019) and not eda.is_degenerate(0.02)
    assert eda.silhouette_basis(28831, 28831) == "exact, all 28,831 training clients"
    assert eda.silhouette_basis(5000, 28831) == "on the shared sample of 5,000 training clients"


def _facts_grid() -> pd.DataFrame:
    """A grid at k = 2..5 whose knn / final configurations score 0.9 at k = 2 with a 1% cluster."""
    rows = []
    for treatment in domain.TREATMENTS:
        for feature_set in domain.FEATURE_SETS:
            for pipeline in domain.PIPELINES:
                source = domain.same_matrix_pipeline(pipeline, feature_set)
                for k in (2, 3, 4, 5):
                    silhouette, shares = 0.2 + 0.01 * source + 0.01 * k, [1 / k] * k
                    if (treatment, feature_set) == ("knn", "final"):
                        silhouette = {2: 0.9, 3: 0.5, 4: 0.63, 5: 0.6}[k] - 0.01 * (4 - source) ** 2
                        shares = [0.99, 0.01] if k == 2 else shares
                    rows.append(dict(config_id=domain.config_id(treatment, pipeline, feature_set),
                                     treatment=treatment, pipeline=pipeline, feature_set=feature_set, k=k,
                                     silhouette=silhouette, silhouette_clients=100, cluster_shares=shares,
                                     smallest_share=min(shares), knee=3 if feature_set == "final" else pd.NA))
    return pd.DataFrame(rows)


def test_final_model_facts_are_read_from_the_grid_and_the_evaluation():
    evaluation = {"final": {"treatment": "knn", "pipeline": 8, "k": 4, "silhouette": 0.6301,
                            "silhouette_sampled": 0.632}}
    facts = eda.final_model_facts(_facts_grid(), evaluation)
    assert facts["config"] == "knn-p8-final" and facts["k"] == 4
    assert facts["silhouette"] == pytest.approx(0.63) and facts["evaluation_silhouette"] == 0.6301
    assert facts["shares"] == [0.25] * 4 and facts["knee"] == 3
    assert (facts["best_k"], facts["best_silhouette"]) == (4, pytest.approx(0.63))  # k = 2 has a 1% cluster
    assert facts["by_k"].query("degenerate")["k"].tolist() == [2]
    assert facts["pipelines_at_k"]["pipeline"].tolist() == [1, 2, 3, 4]  # 5-8 are the same matrices
    # 3 treatments x (8 + 8 + 4) distinct configurations; every other one scores at most 0.2 + 0.08 + 0.04.
    assert (facts["rank_at_k"], facts["configurations_at_k"]) == (1, 60)
    assert facts["distinct_values"] is None


def test_final_model_facts_count_the_distinct_key_values(clients):
    keyed = clients.assign(job_imputed=clients["job"].astype(str).replace("unknown", "admin."),
                           housing_imputed="yes", loan_imputed="no", split=["train"] * 5 + ["test"])
    evaluation = {"final": {"treatment": "knn", "pipeline": 8, "k": 4, "silhouette": 0.63,
                            "silhouette_sampled": 0.632}}
    assert eda.final_model_facts(_facts_grid(), evaluation, keyed)["distinct_values"] == 3  # admin., technician, retired


def test_tsne_points_join_hover_fields(clients):
    tsne = pd.DataFrame({"client_id": [103, 100], "x": [0.5, 1.5], "y": [2.0, 3.0], "label_k2": [1, 0],
                         "label_k3": [2, 0]})
    points = eda.tsne_points(tsne, clients, 3)
    assert points.columns.tolist() == ["client_id", "x", "y", "cluster", *eda.HOVER_FIELDS]
    assert points["cluster"].tolist() == [2, 0]
    assert points["job"].tolist() == [catalogue.category_label("job", job) for job in ("retired", "admin.")]
    assert points["age"].tolist() == ["55", "25"]
    assert points["housing"].tolist() == ["No housing loan", "Housing loan"]
    with pytest.raises(ValueError, match="k=7"):
        eda.tsne_points(tsne, clients, 7)


def test_client_table_is_cached_per_store(clients):
    class Store:
        def __init__(self):
            self.clients = clients

    store = Store()
    assert eda.client_table(store) is eda.client_table(store)


def test_eda_does_not_import_dash():
    import subprocess
    import sys

    code = "import sys, dashapp.eda; assert 'dash' not in sys.modules, 'dash imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
