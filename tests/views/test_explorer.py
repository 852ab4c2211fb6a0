"""The clustering explorer's view (dashapp.views.explorer): one client's record, the t-SNE points, the share
texts and small-cluster rule, the final model's facts and the selection's URL query."""

from __future__ import annotations

import pandas as pd
import pytest

from dashapp.artifacts.current import current_store
from dashapp.core import catalogue, domain
from dashapp.views import explorer as view
from dashapp.views.inputs import InvalidInput
from tests.small_clients import make_clients


@pytest.fixture
def clients() -> pd.DataFrame:
    return make_clients()



# --- One client ------------------------------------------------------------------------------------------


def test_client_record_is_readable(clients):
    record = view.client_record(clients, 102, catalogue.segment_names(current_store())).set_index("field")["value"]
    label = catalogue.column_label
    assert record[label("education")] == "Unknown" and record[label("loan")] == "Personal loan"
    assert record[label("pdays")] == "never contacted before"
    assert record[label("contact_date")] == "June 2008"
    assert record[label("contact")] == "Landline" and record[label("day_of_week")] == "Monday"
    assert record[label("poutcome")] == catalogue.category_label("poutcome", "nonexistent") != "nonexistent"
    assert record[label("y")] == "Did not subscribe"
    assert record["Employment variation rate"] == "3.0"
    assert record["Segment"].startswith("2: ")
    assert view.client_record(clients, 999, catalogue.segment_names(current_store())).empty


def test_client_record_shows_no_raw_code(clients):
    record = view.client_record(clients.assign(education=pd.Categorical(
        ["basic.9y"] * len(clients), categories=domain.CATEGORIES["education"])), 100,
                                catalogue.segment_names(current_store()))
    assert "Basic (9 years)" in record["value"].tolist()
    raw = {"basic.9y", "emp.var.rate", "cons.price.idx", "pdays", "poutcome", "nonexistent", "cellular", "mon"}
    assert not raw & set(record["field"]) and not raw & set(record["value"])


def test_shares_are_written_short_and_small_clusters_flagged():
    assert view.shares_text([0.26, 0.15, 0.43, 0.16]) == "26% / 15% / 43% / 16%"
    assert view.shares_text([0.997, 0.003]) == "100% / 0.3%"
    assert view.is_degenerate(0.019) and not view.is_degenerate(0.02)
    assert view.silhouette_basis(28831, 28831) == "exact, all 28,831 training clients"
    assert view.silhouette_basis(5000, 28831) == "on the shared sample of 5,000 training clients"


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
    facts = view.final_model_facts(_facts_grid(), evaluation)
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
    assert view.final_model_facts(_facts_grid(), evaluation, keyed)["distinct_values"] == 3  # admin., technician, retired


def test_tsne_points_join_hover_fields(clients):
    tsne = pd.DataFrame({"client_id": [103, 100], "x": [0.5, 1.5], "y": [2.0, 3.0], "label_k2": [1, 0],
                         "label_k3": [2, 0]})
    points = view.tsne_points(tsne, clients, 3)
    assert points.columns.tolist() == ["client_id", "x", "y", "cluster", *view.HOVER_FIELDS]
    assert points["cluster"].tolist() == [2, 0]
    assert points["job"].tolist() == [catalogue.category_label("job", job) for job in ("retired", "admin.")]
    assert points["age"].tolist() == ["55", "25"]
    assert points["housing"].tolist() == ["No housing loan", "Housing loan"]
    with pytest.raises(ValueError, match="k=7"):
        view.tsne_points(tsne, clients, 7)


def test_only_a_client_on_the_map_has_a_record_to_show():
    tsne = pd.DataFrame({"client_id": [103, 100], "x": [0.5, 1.5], "y": [2.0, 3.0], "label_k2": [1, 0]})
    assert view.mapped_client(tsne, 103) == 103 and view.mapped_client(tsne, 100.0) == 100
    for not_drawn in (101, 102, 41187, -1, "103", [103], None, True, 10**30):
        with pytest.raises(InvalidInput):
            view.mapped_client(tsne, not_drawn)


# --- The selection ---------------------------------------------------------------------------------------


def test_selection_query_round_trip():
    selection = {"treatment": "iterative", "pipeline": 2, "features": "no_socio", "k": 7}
    query = view.selection_query_string(selection)
    assert query == "?treatment=iterative&pipeline=2&features=no_socio&k=7"
    parsed, problems = view.selection_from_query(
        {"treatment": "iterative", "pipeline": "2", "features": "no_socio", "k": "7"}, list(domain.K_RANGE))
    assert parsed == selection and problems == []


def test_selection_from_the_widgets_is_checked_like_one_from_the_address():
    k_values = list(domain.K_RANGE)
    good = {"treatment": "knn", "pipeline": 8, "features": "final", "k": 4}
    assert view.selection_from_controls(good, k_values) == good
    for name, bad in [("treatment", "zzz"), ("k", 999), ("k", "4"), ("pipeline", 9), ("pipeline", [8]),
                      ("features", None), ("k", 4.5)]:
        with pytest.raises(InvalidInput, match=name):
            view.selection_from_controls({**good, name: bad}, k_values)


def test_the_final_configurations_clusters_are_the_segments_only_where_they_are_its_partition():
    labels, segments = [0, 0, 1, 2, 3, 1], [3, 3, 1, 4, 2, 1]
    final = view.FINAL_CONFIG
    assert view.segments_of_clusters(final, 4, 4, labels, segments) == {0: 3, 1: 1, 2: 4, 3: 2}
    # Another configuration or k, or a partition that is not the segments' (a label across two segments).
    assert view.segments_of_clusters("raw-p8-final", 4, 4, labels, segments) is None
    assert view.segments_of_clusters(final, 5, 4, labels, segments) is None
    assert view.segments_of_clusters(final, 4, 4, [0, 0, 1, 2, 3, 1], [3, 1, 1, 4, 2, 1]) is None
