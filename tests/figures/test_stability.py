"""The silhouette plot, the stability curve and heatmap (explorer) and the segments' stability (Segments page):
figure builders and views on small hand-made frames and dicts (no browser, no artifacts)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dashapp.artifacts.current import current_store
from dashapp.core import catalogue
from dashapp.figures import SEGMENT_COLOURS, TEMPLATE_NAME, explorer as explorer_figures
from dashapp.figures.segments import segment_stability_figure
from dashapp.views import explorer as explorer_view
from dashapp.views.segments import stability_summary
from tests.figures.test_data_explorer import _grid, _row

# --- The silhouette plot ---------------------------------------------------------------------------------------


def _samples() -> pd.DataFrame:
    """Three clusters of a 9-client sample, in the artifact's order (cluster, then ascending silhouette);
    cluster 2 (label 1) has one negative silhouette, label 3 of k = 4 has no sampled client."""
    return pd.DataFrame({"cluster": [0, 0, 0, 0, 1, 1, 1, 2, 2],
                         "silhouette": np.array([0.25, 0.5, 0.5, 0.75, -0.125, 0.375, 0.625, 0.0, 0.875],
                                                dtype=np.float32)})


def test_knife_draws_one_filled_step_band_per_cluster_sorted_highest_first():
    figure = explorer_figures.silhouette_knife_figure(_samples(), 0.4, k=4, negative_shares=[0.0, 1 / 3, 0.0, None])
    assert len(figure.data) == 3  # one trace per cluster with sampled clients; label 3 has none
    first, second, third = figure.data
    assert all(trace.fill == "tozerox" and trace.line.shape == "vh" and trace.mode == "lines"
               for trace in figure.data)
    assert list(first.x) == [0.75, 0.5, 0.5, 0.25] and list(second.x) == [0.625, 0.375, -0.125]
    assert list(third.x) == [0.875, 0.0]
    # Cluster 1 on top (a reversed axis), its rows first, then a gap before the next cluster's.
    assert figure.layout.yaxis.autorange == "reversed"
    gap = second.y[0] - first.y[-1] - 1
    assert list(first.y) == [0, 1, 2, 3] and gap >= 1 and list(second.y) == [4 + gap, 5 + gap, 6 + gap]
    assert third.y[0] == second.y[-1] + 1 + gap
    assert list(second.customdata) == [1, 2, 3]  # each client's rank in its cluster, highest first
    assert "rank %{customdata:,} of 3" in second.hovertemplate and "silhouette %{x:.3f}" in second.hovertemplate
    assert second.hovertemplate.startswith("Cluster 2<br>")
    assert figure.layout.template.layout.font.family == pio.templates[TEMPLATE_NAME].layout.font.family


def test_knife_colours_clusters_as_the_tsne_map_does():
    figure = explorer_figures.silhouette_knife_figure(_samples(), 0.4, k=3, negative_shares=[0.0, 1 / 3, 0.0])
    points = pd.DataFrame({"client_id": [1, 2, 3], "x": [0.0, 1.0, 2.0], "y": [0.0, 1.0, 2.0], "cluster": [0, 1, 2]})
    tsne = explorer_figures.tsne_figure(points, k=3)
    assert [trace.fillcolor for trace in figure.data] == [trace.marker.color for trace in tsne.data] \
        == list(explorer_figures.CLUSTER_COLOURS[:3])
    numbers = [a for a in figure.layout.annotations if a.text.startswith("<b>")]
    assert [(a.text, a.font.color) for a in numbers] == [
        (f"<b>{n}</b>", explorer_figures.CLUSTER_COLOURS[n - 1]) for n in (1, 2, 3)]
    # Each number sits at its band's middle row.
    assert [a.y for a in numbers] == [(trace.y[0] + trace.y[-1]) / 2 for trace in figure.data]


def test_knife_marks_the_average_and_names_sizes_and_negative_shares():
    figure = explorer_figures.silhouette_knife_figure(_samples(), 0.4123, k=3, negative_shares=[0.0, 1 / 3, 0.0004])
    (line,) = figure.layout.shapes
    assert (line.x0, line.x1, line.line.dash) == (0.4123, 0.4123, "dash")
    assert any(a.text == "average 0.412" for a in figure.layout.annotations)
    assert [trace.name for trace in figure.data] == ["Cluster 1: 4 sampled, none below 0",
                                                      "Cluster 2: 3 sampled, 33% below 0",
                                                      "Cluster 3: 2 sampled, under 0.1% below 0"]
    assert figure.layout.xaxis.range[0] <= -0.125 - 0.05 and figure.layout.xaxis.range[1] == 1


def test_knife_leaves_out_undefined_silhouettes():
    """The build stores NaN where a silhouette is undefined (a sample of one cluster): nothing to draw there."""
    samples = pd.DataFrame({"cluster": [0, 0, 1], "silhouette": np.array([np.nan, 0.5, np.nan], dtype=np.float32)})
    figure = explorer_figures.silhouette_knife_figure(samples, float("nan"), k=2, negative_shares=[0.0, 0.0])
    assert [list(trace.x) for trace in figure.data] == [[0.5]]
    assert explorer_view.negative_share_text(float("nan")) == "undefined"
    assert not figure.layout.shapes


def test_knife_of_a_full_sample_stays_small():
    """5,000 clients as one trace per cluster: binary arrays on the wire, well under 150 kB."""
    rng = np.random.default_rng(0)
    samples = pd.DataFrame({"cluster": rng.integers(0, 15, 5000),
                            "silhouette": rng.uniform(-0.3, 1, 5000).astype(np.float32)})
    figure = explorer_figures.silhouette_knife_figure(samples, 0.4, k=15, negative_shares=[0.1] * 15)
    assert len(figure.data) == 15 and sum(len(trace.x) for trace in figure.data) == 5000
    assert len(pio.to_json(figure)) < 150_000


# --- The stability curve and heatmap ---------------------------------------------------------------------------


def test_stability_curve_draws_the_median_and_the_range_band_over_measured_k():
    metrics = _grid().query("config_id == 'iterative-p2-all'")
    figure = explorer_figures.metric_curve_figure(metrics, "stability", k=4)
    curve, lower, upper = figure.data
    assert list(curve.x) == [2, 3, 4] and curve.y[0] == pytest.approx(0.3) and np.isnan(curve.y[1])
    # The band leaves out k = 3, whose stability was not measured.
    assert list(lower.x) == list(upper.x) == [2, 4]
    assert list(lower.y) == pytest.approx([0.25, 0.9]) and list(upper.y) == pytest.approx([0.35, 1.0])
    assert (lower.fill, upper.fill) == (None, "tonexty")
    assert curve.customdata[2].startswith(" (range 0.90-1.00)") and "cluster sizes" in curve.customdata[2]
    assert not curve.customdata[1].startswith(" (range")
    assert figure.layout.yaxis.title.text == "Median adjusted Rand index"


def test_overview_coloured_by_stability_at_k_shows_it_and_leaves_unmeasured_cells_blank():
    figure = explorer_figures.overview_figure(_grid(), k=3, metric="stability", resamples=5, train_rows=1000)
    heatmap = figure.data[0]
    assert heatmap.colorscale != explorer_figures.overview_figure(_grid(), k=3).data[0].colorscale
    row = _row("knn", "all")
    assert heatmap.z[row][0] == pytest.approx(0.8) and heatmap.text[row][0] == "0.80"
    iterative = _row("iterative", "all")
    assert heatmap.z[iterative][1] is None and heatmap.text[iterative][1] == ""
    assert "stability not measured" in heatmap.hovertext[iterative][1]
    hover = heatmap.hovertext[row][0]
    # The chosen score first, then the other.
    assert hover.index("stability (median adjusted Rand index) 0.80, range 0.75-0.85 over 5 resamples") \
        < hover.index("<br>silhouette 0.04")


def test_overview_best_over_k_of_stability_takes_the_most_stable_k():
    figure = explorer_figures.overview_figure(_grid(), metric="stability")
    heatmap = figure.data[0]
    # Stability falls with k, so k = 2 wins, except for raw / all / P1, whose k = 2 has a 1% cluster...
    assert heatmap.text[_row("knn", "all")][0] == "0.90<br>k=2"
    assert heatmap.text[_row("raw", "all")][0] == "0.80<br>k=3"
    # ... and iterative / P2, most stable at k = 4 (its k = 3 unmeasured ranks last).
    assert heatmap.text[_row("iterative", "final")][1] == "0.95<br>k=4"
    silhouette = explorer_figures.overview_figure(_grid()).data[0]
    assert silhouette.text[_row("knn", "all")][0].endswith("k=4")  # the silhouette's best is another k


def test_overview_rejects_an_unknown_metric():
    with pytest.raises(ValueError, match="inertia"):
        explorer_figures.overview_figure(_grid(), metric="inertia")


# --- The explorer's words ----------------------------------------------------------------------------------------


def test_stability_text_gives_the_median_range_and_resamples_or_says_it_is_missing():
    row = {"stability": 0.7612, "stability_min": 0.7, "stability_max": 0.8149}
    assert explorer_view.stability_text(row, 5).startswith(
        "Stability: median ARI 0.76 over 5 resamples (range 0.70-0.81); 1 = the same clusters")
    missing = {"stability": float("nan"), "stability_min": float("nan"), "stability_max": float("nan")}
    assert explorer_view.stability_text(missing, 5) == "Stability: not measured for this solution."


def test_negative_silhouette_sentences_name_each_cluster_with_negatives():
    sentences = explorer_view.negative_silhouette_sentences([0.0, 0.12, 0.0004, float("nan")], [1300, 600, 2000, 0])
    assert sentences == ["cluster 2: 12% of its 600 sampled clients sit closer to another cluster",
                         "cluster 3: under 0.1% of its 2,000 sampled clients sit closer to another cluster",
                         "cluster 4: none of its clients is in the sample"]
    assert explorer_view.negative_silhouette_sentences([0.0, 0.0], [10, 20])[0].startswith("none: every sampled")


def test_knife_basis_says_when_the_average_is_exact_and_the_plot_a_sample():
    exact = explorer_view.knife_basis(28831, 5000, 28831)
    assert "5,000 clients of the shared silhouette sample" in exact
    assert "exact, all 28,831 training clients" in exact and "differ a little" in exact
    sampled = explorer_view.knife_basis(5000, 5000, 28831)
    assert "their average, the grid's silhouette" in sampled and "exact" not in sampled


def test_configuration_details_carry_the_stability():
    metrics = explorer_view.configuration_metrics(_grid(), "knn-p8-all")
    evaluation = {"final": {"treatment": "knn", "pipeline": 8, "k": 4, "segment_of_label": {}}}
    details = explorer_view.configuration_details("knn-p8-all", metrics, 3, evaluation, 1000, resamples=5)
    assert details["stability"].startswith("Stability: median ARI 0.80 over 5 resamples (range 0.75-0.85)")


# --- The segments' stability -------------------------------------------------------------------------------------


def _stability(lands_on: dict | None = None) -> dict:
    """``evaluation.json``'s ``stability`` of 10 resamples, as the build writes it (segment keys as strings)."""
    segments = [{"segment": number, "jaccard_median": median, "jaccard_min": lowest, "recovered": recovered,
                 "dissolved": dissolved}
                for number, median, lowest, recovered, dissolved in ((2, 0.99, 0.97, 10, 0), (1, 0.9, 0.4, 8, 1),
                                                                     (3, 0.95, 0.6, 9, 0), (4, 0.7, 0.3, 4, 3))]
    return {"resamples": 10, "random_state": 42, "n_init": 10, "train_clients": 28831,
            "ari": {"median": 0.981, "min": 0.613, "max": 1.0}, "same_partition_ari": 0.9,
            "jaccard_recovered": 0.75, "jaccard_dissolved": 0.5, "segments": segments,
            "published": {"inertia": 100.0, "shares": {"1": 0.262, "2": 0.151, "3": 0.427, "4": 0.160}},
            "alternative": {"inertia": 100.6, "inertia_gap": 0.006,
                            "shares": {"1": 0.268, "2": 0.151, "3": 0.159, "4": 0.422}, "ari_with_published": 0.6,
                            "composition": [
                                {"cluster": 2, "share": 0.151, "segments": {"1": 0, "2": 4363, "3": 0, "4": 0}},
                                {"cluster": 1, "share": 0.268, "segments": {"1": 0, "2": 0, "3": 7727, "4": 0}},
                                {"cluster": 3, "share": 0.159, "segments": {"1": 0, "2": 0, "3": 4581, "4": 0}},
                                {"cluster": 4, "share": 0.422, "segments": {"1": 7553, "2": 0, "3": 0, "4": 4607}}],
                            "starts": 200, "found_in": 37},
            "lands_on": lands_on or {"published": 7, "alternative": 2, "other": 1}}


def test_stability_summary_says_what_the_refits_came_back_as():
    words = stability_summary(_stability(), catalogue.segment_names(current_store()))
    assert words["outcome"] == (
        "Refitted on 10 bootstrap resamples of the 28,831 training clients, the final segmentation came back as "
        "published in 7, as the near-tied alternative in 2 and as something else in 1 (K-means, 10 starts each, seed "
        "42; a refit counts as a partition when their adjusted Rand index reaches 0.90).")
    assert words["agreement"].startswith("Agreement with the published segments: median adjusted Rand index 0.98 "
                                         "(range 0.61-1.00)")
    assert "at least 75%" in words["rule"] and "under 50%" in words["rule"] and "clusterboot" in words["rule"]


@pytest.mark.parametrize("lands_on, expected", [
    ({"published": 10, "alternative": 0, "other": 0},
     "as published in all 10, as the near-tied alternative in none and as something else in none ("),
    ({"published": 9, "alternative": 1, "other": 0},
     "as published in 9, as the near-tied alternative in 1 and as something else in none ("),
    ({"published": 0, "alternative": 4, "other": 6},
     "as published in none, as the near-tied alternative in 4 and as something else in 6 ("),
])
def test_stability_summary_words_none_one_many_and_all(lands_on, expected):
    assert expected in stability_summary(_stability(lands_on), catalogue.segment_names(current_store()))["outcome"]


def test_stability_summary_gives_each_segment_in_order_and_the_alternative():
    words = stability_summary(_stability(), catalogue.segment_names(current_store()))
    assert [sentence.split(",")[0] for sentence in words["segments"]] == [f"Segment {n}" for n in (1, 2, 3, 4)]
    assert words["segments"][3] == (f"Segment 4, {catalogue.segments(current_store())[4].name}, is recovered in "
                                    "4 of 10 resamples and dissolved in 3; median Jaccard 0.70, lowest 0.30.")
    assert "recovered in 10 of 10 resamples and dissolved in none" in words["segments"][1]
    alternative = words["alternative"]
    assert alternative.startswith("The near-tied alternative has an inertia only 0.6% above the published "
                                  "segmentation's (37 of 200 single K-means starts")
    # Its clusters in order, each by the published segments it holds: whole, a part, or several joined.
    assert ("its cluster 1 (26.8%) holds 7,727 of segment 3's 12,308 clients; cluster 2 (15.1%) is segment 2; "
            "cluster 3 (15.9%) holds 4,581 of segment 3's 12,308 clients; cluster 4 (42.2%) joins segments 1 and 4 "
            "(7,553 and 4,607 clients).") in alternative
    assert alternative.endswith("adjusted Rand index with the published segments is 0.60.")


def test_an_alternative_cluster_mixing_parts_of_segments_says_so():
    stability = _stability()
    stability["alternative"]["composition"] = [
        {"cluster": 1, "share": 0.5, "segments": {"1": 10, "2": 5}},
        {"cluster": 2, "share": 0.5, "segments": {"1": 5, "2": 10}}]
    assert "its cluster 1 (50.0%) mixes clients of segments 1 and 2 (10 and 5)" in \
        stability_summary(stability, catalogue.segment_names(current_store()))["alternative"]


def test_segment_stability_figure_draws_medians_down_to_the_lowest_and_the_thresholds():
    figure = segment_stability_figure(_stability(), catalogue.segment_names(current_store()))
    assert [trace.y[0] for trace in figure.data] == [f"Segment {n}" for n in (1, 2, 3, 4)]
    fourth = figure.data[3]
    assert isinstance(fourth, go.Scatter) and fourth.x[0] == 0.7 and fourth.marker.color == SEGMENT_COLOURS[4]
    assert fourth.error_x.arrayminus[0] == pytest.approx(0.4) and fourth.error_x.array[0] == 0
    assert "recovered in 4 of 10 resamples, dissolved in 3" in fourth.hovertemplate
    assert sorted(shape.x0 for shape in figure.layout.shapes) == [0.5, 0.75]
    assert {a.text for a in figure.layout.annotations} == {"recovered 0.75", "dissolved below 0.50"}
    assert figure.layout.yaxis.autorange == "reversed"

