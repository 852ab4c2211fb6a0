"""Figure builders of the data page and the clustering explorer, on small hand-made frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from scipy.cluster.hierarchy import linkage

from dashapp.core import domain, i18n
from dashapp.figures import TEMPLATE_NAME, data as data_figures, explorer as explorer_figures
from dashapp.views.rates import Rate


def _counts(**extra) -> pd.DataFrame:
    return pd.DataFrame({"value": ["admin.", "student"], "label": ["admin.", "student"], "clients": [10, 4],
                         "subscribed": [1, 2], "rate": [0.1, 0.5], **extra})


def _uses_template(figure: go.Figure) -> bool:
    # The template is embedded; its colourway identifies ours.
    import plotly.io as pio

    return figure.layout.template.layout.colorway == pio.templates[TEMPLATE_NAME].layout.colorway


# --- Data page -------------------------------------------------------------------------------------------------


def test_count_rate_figure_has_client_bars_and_rate_markers():
    figure = data_figures.count_rate_figure(_counts(), baseline=Rate("all clients", 10, 2))
    bars, rates = figure.data
    assert isinstance(bars, go.Bar) and list(bars.x) == ["admin.", "student"] and list(bars.y) == [10, 4]
    assert list(bars.customdata) == ["admin.", "student"]  # what a click filters by
    assert isinstance(rates, go.Scatter) and rates.yaxis == "y2" and list(rates.y) == [0.1, 0.5]
    assert rates.mode == "markers"
    assert figure.layout.yaxis2.tickformat == ".0%" and figure.layout.yaxis2.overlaying == "y"
    assert figure.layout.yaxis2.range[1] == pytest.approx(0.55)
    assert figure.layout.shapes[0].y0 == 0.2  # the rate of every client shown
    assert figure.layout.annotations[0].text == "all clients: 20.0%"  # named after its population
    assert _uses_template(figure)


def test_count_rate_figure_gives_each_rates_month_adjusted_odds_in_its_hover():
    counts = _counts(odds_ratio=[0.8123, np.nan], odds_low=[0.61, np.nan], odds_high=[1.0849, np.nan])
    rates = data_figures.count_rate_figure(counts).data[1]
    assert rates.hovertemplate == "%{y:.1%} subscribed%{text}<extra></extra>"
    assert list(rates.text) == ["<br>Odds against the others<br>called in the same months: ×0.81<br>95% confidence "
                                "interval: 0.61–1.08", ""]  # nothing to compare the second value with
    with i18n.use_language("ru"):
        assert data_figures.count_rate_figure(counts).data[1].text[0] == (
            "<br>Шансы относительно остальных,<br>кому звонили в те же месяцы: ×0,81<br>95%-й доверительный "
            "интервал: 0,61–1,08")
    assert data_figures.count_rate_figure(_counts()).data[1].text is None  # no months, no odds


def test_count_rate_figure_names_a_filtered_reference_line_as_such():
    figure = data_figures.count_rate_figure(_counts(), baseline=Rate("filtered clients", 14, 3))
    assert figure.layout.annotations[0].text == "filtered clients: 21.4%"
    assert not any("overall" in (a.text or "") for a in figure.layout.annotations)


def test_segment_outcome_figure_adds_each_periods_rate_per_segment():
    from dashapp.views.rates import FILTERED, subscription_rates

    clients = pd.DataFrame({"segment": [1, 1, 1, 2, 2], "split": ["train", "train", "test", "train", "test"],
                            "y": ["yes", "no", "yes", "no", "no"]})
    counts = pd.DataFrame({"value": [1, 2], "label": ["Segment 1", "Segment 2"], "clients": [3, 2],
                           "subscribed": [2, 0], "rate": [2 / 3, 0.0]})
    figure = data_figures.segment_outcome_figure(counts, subscription_rates(clients, FILTERED),
                                                 baseline=Rate(FILTERED, 5, 2))
    bars, selected, train, test = figure.data
    assert [selected.name, train.name, test.name] == ["filtered clients", "training period", "test period"]
    assert list(train.y) == pytest.approx([0.5, 0.0]) and list(test.y) == pytest.approx([1.0, 0.0])
    assert list(train.customdata) == [1, 2]  # a click on a period's marker filters by its segment too
    assert test.hovertemplate.startswith("filtered clients, test period: ")
    assert figure.layout.annotations[0].text == "filtered clients: 40.0%"
    assert figure.layout.yaxis2.range[1] == pytest.approx(1.0)


def test_count_rate_figure_groups_and_lines():
    counts = _counts(group=["Housing loan", "Personal loan"])
    figure = data_figures.count_rate_figure(counts, x_title="Calls", rate_lines=True)
    assert [list(level) for level in figure.data[0].x] == [["Housing loan", "Personal loan"],
                                                           ["admin.", "student"]]
    assert figure.data[1].mode == "lines+markers"
    assert figure.layout.xaxis.title.text == "Calls"
    assert not figure.layout.shapes  # no baseline asked for


def test_count_rate_figure_ignores_the_baseline_of_nobody():
    assert not data_figures.count_rate_figure(_counts(), baseline=Rate("filtered clients", 0, 0)).layout.shapes


def test_monthly_outcome_figure_is_a_time_series():
    monthly = pd.DataFrame({"clients": [5, 0], "subscribed": [1, 0], "rate": [0.2, np.nan]},
                           index=pd.DatetimeIndex(["2008-05-01", "2008-06-01"], name="month"))
    figure = data_figures.monthly_outcome_figure(monthly)
    assert figure.layout.xaxis.type == "date"
    assert list(figure.data[0].y) == [5, 0] and figure.data[1].mode == "lines+markers"


def test_age_figure_stacks_outcomes():
    counts = pd.DataFrame({"age": [30, 31], "not_subscribed": [5, 6], "subscribed": [1, 2]})
    figure = data_figures.age_figure(counts)
    assert figure.layout.barmode == "stack"
    assert [trace.name for trace in figure.data] == ["Did not subscribe", "Subscribed"]
    assert list(figure.data[1].y) == [1, 2]


def test_share_figure_is_a_donut():
    share = pd.DataFrame({"value": ["no", "yes"], "label": ["Did not subscribe", "Subscribed"],
                          "clients": [9, 1], "share": [0.9, 0.1]})
    pie = data_figures.share_figure(share).data[0]
    assert isinstance(pie, go.Pie) and pie.hole > 0 and list(pie.values) == [9, 1]


def test_duration_figure_draws_boxes_from_quartiles():
    summary = pd.DataFrame({"contact": ["cellular", "telephone", "cellular"], "y": ["no", "no", "yes"],
                            "clients": [3, 2, 1], "mean": [100.0, 90, 300], "p05": [10.0, 5, 50],
                            "q1": [50.0, 40, 200], "median": [80.0, 70, 300], "q3": [120.0, 100, 400],
                            "p95": [300.0, 200, 800]})
    figure = data_figures.duration_figure(summary)
    no, yes = figure.data
    assert isinstance(no, go.Box) and list(no.x) == ["Mobile phone", "Landline"]  # not cellular, telephone
    assert list(no.q1) == [50, 40] and list(no.upperfence) == [300, 200]
    assert list(yes.median) == [300] and figure.layout.boxmode == "group"


def test_indicators_figure_stacks_five_panels_on_one_time_axis():
    index = pd.DatetimeIndex(["2008-05-01", "2008-06-01", "2008-07-01"], name="month")
    monthly = pd.DataFrame({column: [1.0, np.nan, 3.0] for column in domain.SOCIO_ECONOMIC_COLUMNS},
                           index=index)
    monthly["nr.employed"] = [5191.0, np.nan, 5228.1]
    figure = data_figures.indicators_figure(monthly)
    assert len(figure.data) == 5
    assert [trace.yaxis for trace in figure.data] == ["y", "y2", "y3", "y4", "y5"]
    assert {trace.xaxis or "x" for trace in figure.data} == {"x"}
    domains = [figure.layout[f"yaxis{n if n > 1 else ''}"].domain for n in range(1, 6)]
    assert domains[0][1] == 1 and domains[-1][0] == 0
    assert all(upper[0] > lower[1] for upper, lower in zip(domains, domains[1:]))  # panels do not overlap
    assert list(figure.data[4].y)[0] == pytest.approx(5.191)  # employees in thousands


def test_unknown_figure_labels_counts_and_shares():
    audit = pd.DataFrame({"column": ["job", "default"], "unknown": [330, 8597], "share": [0.008, 0.209]})
    bar = data_figures.unknown_figure(audit).data[0]
    assert bar.orientation == "h" and list(bar.x) == [330, 8597]
    assert list(bar.y) == ["Job", "Credit in default"]  # the columns' names, not their codes
    assert list(bar.text) == ["330 (0.8%)", "8,597 (20.9%)"]


# --- Clustering explorer -------------------------------------------------------------------------------------


def _grid() -> pd.DataFrame:
    """A grid of every configuration for k = 2, 3, 4; raw / all / P1 has a 1% cluster at k = 2 (its best).

    Stability falls with k (0.9, 0.8, 0.7; range +-0.05), but iterative / P2 is most stable at k = 4 and its
    stability at k = 3 was not measured (NaN).
    """
    rows = []
    for treatment in domain.TREATMENTS:
        for feature_set in domain.FEATURE_SETS:
            for pipeline in domain.PIPELINES:
                for k in (2, 3, 4):
                    silhouette = 0.1 * pipeline / 8 + (0.5 if (treatment, pipeline, k) == ("knn", 4, 3) else 0)
                    shares = [1 / k] * k
                    if (treatment, feature_set, pipeline, k) == ("raw", "all", 1, 2):
                        silhouette, shares = 0.9, [0.99, 0.01]
                    stability = 1.1 - 0.1 * k if (treatment, pipeline) != ("iterative", 2) else \
                        {2: 0.3, 3: np.nan, 4: 0.95}[k]
                    rows.append(dict(config_id=domain.config_id(treatment, pipeline, feature_set),
                                     treatment=treatment, pipeline=pipeline, feature_set=feature_set, k=k,
                                     inertia=100.0 / k, silhouette=silhouette + 0.01 * k,
                                     silhouette_clients=1000 if feature_set == "final" else 500,
                                     calinski_harabasz=50.0 * k, davies_bouldin=2.0 - 0.1 * k,
                                     cluster_shares=shares, smallest_share=min(shares), knee=3,
                                     stability=stability, stability_min=stability - 0.05,
                                     stability_max=stability + 0.05))
    return pd.DataFrame(rows)


def _row(treatment: str, feature_set: str) -> int:
    return [(t, f) for t in domain.TREATMENTS for f in domain.FEATURE_SETS].index((treatment, feature_set))


def _marks(figure: go.Figure, text: str) -> list:
    return [a for a in figure.layout.annotations if a.text == text]


def test_overview_heatmap_shows_each_configurations_best_silhouette_without_small_clusters():
    figure = explorer_figures.overview_figure(_grid(), selected=("raw", 3, "no_socio"))
    heatmap = figure.data[0]
    assert isinstance(heatmap, go.Heatmap)
    assert list(heatmap.x) == [f"P{n}" for n in range(1, 9)]
    assert len(heatmap.y) == 9 and heatmap.y[_row("knn", "all")] == explorer_figures.overview_row_label("knn", "all")
    z = np.array(heatmap.z, dtype=float)
    assert z.shape == (9, 8)
    knn_all = _row("knn", "all")
    assert z[knn_all, 3] == pytest.approx(0.1 * 4 / 8 + 0.5 + 0.03)  # knn, all, P4: best at k=3
    assert explorer_figures.overview_cell(heatmap.x[3], heatmap.y[knn_all]) == ("knn", 4, "all")  # a click
    assert heatmap.text[knn_all][3].endswith("k=3")
    # raw / all / P1 scores 0.92 at k = 2, with a cluster of 1%: best over k leaves it out (k = 4 wins).
    assert z[_row("raw", "all"), 0] == pytest.approx(0.1 / 8 + 0.04)
    assert heatmap.text[_row("raw", "all")][0].endswith("k=4")
    assert not _marks(figure, explorer_figures.FLAG)
    outline = figure.layout.shapes[0]
    row = _row("raw", "no_socio")
    assert (outline.x0, outline.x1, outline.y0, outline.y1) == (1.5, 2.5, row - 0.5, row + 0.5)  # P3


def test_overview_heatmap_at_k_flags_small_clusters_and_gives_sizes_in_the_hover():
    figure = explorer_figures.overview_figure(_grid(), k=2, train_rows=1000)
    heatmap = figure.data[0]
    raw_all = _row("raw", "all")
    assert heatmap.z[raw_all][0] == pytest.approx(0.92) and heatmap.text[raw_all][0] == "0.92"
    flags = _marks(figure, explorer_figures.FLAG)
    # The flag sits in the top right corner of that one cell, in the axes' units.
    assert [(a.x, a.y, a.xanchor, a.yanchor) for a in flags] == [(0.5, raw_all - 0.5, "right", "top")]
    hover = heatmap.hovertext[raw_all][0]
    assert "cluster sizes 99% / 1.0%" in hover and "a cluster holds 1.0% of the clients (under 2%)" in hover
    assert "on the shared sample of 500 training clients" in hover
    final = heatmap.hovertext[_row("knn", "final")][7]
    assert "exact, all 1,000 training clients" in final and "the same as pipeline 4" in final
    assert "cluster sizes 50% / 50%" in final


@pytest.mark.parametrize("k", [None, 4])
def test_overview_star_is_anchored_in_the_final_models_cell(k):
    """The star's place is in data units from the cell's corner, so no width can push it into P7."""
    figure = explorer_figures.overview_figure(_grid(), k=k)
    (star,) = _marks(figure, explorer_figures.STAR)
    column = list(figure.data[0].x).index(f"P{domain.FINAL_PIPELINE}")
    row = _row(domain.FINAL_TREATMENT, "final")
    assert (star.x, star.y, star.xanchor, star.yanchor) == (column - 0.5, row - 0.5, "left", "top")
    assert not star.xshift and not star.yshift
    assert figure.data[0].y[row] == explorer_figures.overview_row_label("knn", "final")


@pytest.mark.parametrize("metric", list(explorer_figures.METRICS))
def test_metric_curve_figure_plots_any_metric_against_k(metric):
    metrics = _grid().query("config_id == 'knn-p8-all'")
    figure = explorer_figures.metric_curve_figure(metrics, metric, k=2, knee=3)
    curve, knee = figure.data[0], figure.data[-1]
    assert [trace.name for trace in figure.data[1:-1]] == (["range over the resamples"] * 2
                                                          if metric == "stability" else [])
    assert list(curve.x) == [2, 3, 4] and list(curve.y) == metrics[metric].tolist()
    assert list(knee.x) == [3] and knee.y[0] == metrics.loc[metrics["k"] == 3, metric].iloc[0]
    assert figure.layout.shapes[0].x0 == 2  # the chosen k
    assert _uses_template(figure)


def test_metric_curve_hover_gives_cluster_sizes_and_small_clusters_are_marked():
    metrics = _grid().query("config_id == 'raw-p1-all'")
    figure = explorer_figures.metric_curve_figure(metrics, "silhouette", k=4)
    curve, small = figure.data
    assert list(curve.customdata) == ["<br>cluster sizes 99% / 1.0%", "<br>cluster sizes 33% / 33% / 33%",
                                      "<br>cluster sizes 25% / 25% / 25% / 25%"]
    assert "%{customdata}" in curve.hovertemplate
    assert small.name == "small cluster" and list(small.x) == [2] and list(small.y) == [pytest.approx(0.92)]
    assert "1.0%" in small.customdata[0]
    assert any("\u2715 a cluster holds under 2% of the clients" in a.text for a in figure.layout.annotations)
    clean = explorer_figures.metric_curve_figure(_grid().query("config_id == 'knn-p8-final'"), "silhouette")
    assert [trace.name for trace in clean.data] == ["Silhouette"]


def test_metric_curve_figure_without_knee_and_with_unknown_metric():
    metrics = _grid().query("config_id == 'knn-p8-all'")
    assert len(explorer_figures.metric_curve_figure(metrics, "inertia", knee=None).data) == 1
    with pytest.raises(ValueError, match="accuracy"):
        explorer_figures.metric_curve_figure(metrics, "accuracy")


def test_tsne_figure_has_one_trace_per_cluster_with_client_ids():
    points = pd.DataFrame({"client_id": [7, 8, 9], "x": [0.0, 1.0, 2.0], "y": [0.0, 1.0, 0.5],
                           "cluster": [0, 2, 0], "age": ["30", "40", "50"], "job": ["admin.", "student", "retired"],
                           "housing": ["yes", "no", "no"], "loan": ["no", "no", "yes"]})
    figure = explorer_figures.tsne_figure(points, k=3)
    assert [trace.name for trace in figure.data] == ["Cluster 1", "Cluster 3"]  # empty cluster 2 left out
    first = figure.data[0]
    assert [row[0] for row in first.customdata] == [7, 9] and list(first.customdata[1][1:]) == ["50", "retired",
                                                                                                "no", "yes"]
    assert "Client %{customdata[0]}" in first.hovertemplate and "Job: %{customdata[2]}" in first.hovertemplate
    assert figure.data[0].marker.color != figure.data[1].marker.color
    assert figure.layout.yaxis.scaleanchor == "x"
    with_shares = explorer_figures.tsne_figure(points, k=3, shares=[0.5, 0.004, 0.496])
    assert [trace.name for trace in with_shares.data] == ["Cluster 1 (50%)", "Cluster 3 (50%)"]


def test_dendrogram_figure_draws_the_truncated_tree_and_the_cut():
    rng = np.random.default_rng(0)
    points = np.vstack([rng.normal(centre, 0.1, size=(20, 2)) for centre in (0, 5, 10)])
    tree = linkage(points, method="ward")
    figure = explorer_figures.dendrogram_figure(tree, k=3, leaves=10)
    lines = figure.data[0]
    assert lines.mode == "lines"
    assert sum(value is None for value in lines.x) == 9  # 10 leaves: 9 merges, one U each
    assert len(figure.layout.yaxis.tickvals) == 10  # leaves down the side
    cut = figure.layout.shapes[0].x0
    heights = np.sort(tree[:, 2])
    assert heights[-3] < cut < heights[-2]  # between the 3rd and 2nd highest merges: three clusters


def test_dendrogram_leaves_say_client_or_clients():
    rng = np.random.default_rng(0)
    points = np.vstack([rng.normal(0, 0.1, size=(8, 2)), [[50.0, 50.0]]])  # one far client stays a leaf
    tree = linkage(points, method="ward")
    ids = np.arange(100, 109)
    figure = explorer_figures.dendrogram_figure(tree, leaves=3, client_ids=ids)
    labels = list(figure.layout.yaxis.ticktext)
    assert "client 108" in labels
    counts = [label for label in labels if label.endswith(" clients")]
    assert counts and sum(int(label.split()[0]) for label in counts) == 8
    assert explorer_figures.dendrogram_leaf_labels(tree, [8, 9]) == ["1 client", f"{int(tree[0, 3])} clients"]


def test_dendrogram_figure_without_cut():
    tree = linkage(np.arange(10, dtype=float).reshape(5, 2), method="ward")
    assert not explorer_figures.dendrogram_figure(tree).layout.shapes


def test_overview_cell_decodes_every_cell_and_rejects_others():
    for treatment in domain.TREATMENTS:
        for feature_set in domain.FEATURE_SETS:
            label = explorer_figures.overview_row_label(treatment, feature_set)
            assert explorer_figures.overview_cell("P5", label) == (treatment, 5, feature_set)
    with pytest.raises(ValueError, match="P9"):
        explorer_figures.overview_cell("P9", explorer_figures.overview_row_label("raw", "all"))


def test_long_titles_and_category_names_break_into_lines():
    from dashapp.figures import axis_title

    assert axis_title("Share of the test period's subscribers reached") == (
        "Share of the test period's<br>subscribers reached")
    assert axis_title("Клиенты") == "Клиенты" and axis_title("a-very-long-single-word-title", 5) == (
        "a-very-long-single-word-title")
    counts = _counts()
    counts["label"] = ["Divorced or widowed", "Single"]
    bars = data_figures.count_rate_figure(counts).data[0]
    assert list(bars.x) == ["Divorced or<br>widowed", "Single"] and list(bars.customdata) == ["admin.", "student"]
