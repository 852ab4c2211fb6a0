"""Figures of the clustering explorer: the grid's scores, a configuration's curves, its t-SNE map and dendrogram.

Pure builders over the artifact store's frames (``grid_metrics``, ``tsne(config)``, ``silhouette_samples``) and
the Ward linkage matrix; the dendrogram's layout comes from scipy, the drawing from plotly. Over 450 lines because
the explorer draws five kinds of chart (heatmap, curves, t-SNE map, silhouette plot, dendrogram) that share the
cluster colours, the small-cluster marks and the figure conventions; apart they would import each other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy.cluster.hierarchy import dendrogram

from dashapp.core import catalogue, domain, i18n
from dashapp.core.i18n import N_, _, ngettext
from dashapp.figures import table_hints
from dashapp.figures.data import COMPACT_MODEBAR
from dashapp.views.explorer import (FLAG, SMALL_CLUSTER_SHARE, STAR, is_degenerate, negative_share_text, pipeline_name,
                                    share_text, shares_text, silhouette_basis)

LINE_COLOUR = "#2a6f97"
HIGHLIGHT_COLOUR = "#e07a5f"
#: Cluster colours for up to 15 clusters (plotly's D3 and Set2 palettes, which stay apart on white).
CLUSTER_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                   "#bcbd22", "#17becf", "#66c2a5", "#fc8d62", "#8da0cb", "#a6d854", "#ffd92f")


#: The scores of one configuration as the explorer shows them: title, axis label, and which way is better
#: (marked for the catalogue; translated where shown).
METRICS: dict[str, dict[str, str]] = {
    "inertia": {"title": N_("Elbow: inertia"), "axis": N_("Inertia (within-cluster sum of squares)"),
                "better": N_("lower; look for the knee")},
    "silhouette": {"title": N_("Silhouette"), "axis": N_("Silhouette score"), "better": N_("higher")},
    "calinski_harabasz": {"title": "Calinski-Harabasz", "axis": N_("Calinski-Harabasz index"),
                          "better": N_("higher")},
    "davies_bouldin": {"title": "Davies-Bouldin", "axis": N_("Davies-Bouldin index"), "better": N_("lower")},
    "stability": {"title": N_("Stability"), "axis": N_("Median adjusted Rand index"),
                  "better": N_("higher; 1 = the same clusters on every resample")},
}
#: What the overview heatmap can colour by: the grid's column, its words, and its colour scale (a second scale
#: tells at a glance which score is on show).
OVERVIEW_METRICS: dict[str, dict[str, str]] = {
    "silhouette": {"name": "silhouette", "colorscale": "Blues"},
    "stability": {"name": "stability (median adjusted Rand index)", "colorscale": "Greens"},
}
#: The overview's scores as its download names them.
OVERVIEW_SCORES = {"silhouette": N_("Silhouette"), "stability": N_("Stability")}
BAND_COLOUR = "rgba(42, 111, 151, 0.18)"
#: The stability band's edges, as its download names them.
BAND_EDGES = {"stability_min": N_("Lowest adjusted Rand index over the resamples"),
              "stability_max": N_("Highest adjusted Rand index over the resamples")}

#: Short row labels of the overview heatmap (two lines, so that the heatmap keeps its width on a phone).
_TREATMENT_SHORT = {"raw": N_("Keep 'unknown'"), "knn": "KNN", "iterative": N_("Iterative")}
_FEATURES_SHORT = {"all": N_("all features"), "no_socio": N_("no socio-econ."), "final": N_("job, housing, loan")}
FLAG_COLOUR = "#b02a37"
#: The dendrogram shows the last merges only: this many leaves stay readable as rows of text on a phone.
DENDROGRAM_LEAVES = 30


def overview_row_label(treatment: str, feature_set: str) -> str:
    """The heatmap's row label of a (treatment, feature set) pair, e.g. ``"KNN<br>all features"``, in the current
    language (a click is decoded in the language it was drawn in: the page's)."""
    return f"{_(_TREATMENT_SHORT[treatment])}<br>{_(_FEATURES_SHORT[feature_set])}"


def overview_cell(x_label: str, y_label: str) -> tuple[str, int, str]:
    """The configuration of a heatmap cell from its axis labels: ``("P8", "KNN<br>all features")`` ->
    ``("knn", 8, "all")``.

    Dash's ``clickData`` leaves out a heatmap's 2-D ``customdata``, so a click is decoded from the labels.
    """
    rows = {overview_row_label(t, f): (t, f) for t in domain.TREATMENTS for f in domain.FEATURE_SETS}
    if y_label not in rows or not x_label.startswith("P") or int(x_label[1:]) not in domain.PIPELINES:
        raise ValueError(f"({x_label!r}, {y_label!r}) is not a cell of the overview heatmap")
    treatment, feature_set = rows[y_label]
    return treatment, int(x_label[1:]), feature_set


def _overview_cells(grid_metrics: pd.DataFrame, k: int | None, metric: str) -> pd.DataFrame:
    """The solution each heatmap cell shows: at ``k``, or the best over k by ``metric`` among those without a small
    cluster (an unmeasured score ranks last, a tie goes to the smaller k)."""
    if k is not None:
        return grid_metrics[grid_metrics["k"] == k]
    ranked = grid_metrics.assign(small=grid_metrics["smallest_share"] < SMALL_CLUSTER_SHARE).sort_values(
        ["small", metric, "k"], ascending=[True, False, True], na_position="last")
    return ranked.drop_duplicates(["treatment", "pipeline", "feature_set"])


def _stability_hover(row, resamples: int | None) -> str:
    if pd.isna(row["stability"]):
        return _("stability not measured")
    over = "" if resamples is None else ngettext(" over {count} resamples", " over {count} resamples",
                                                 int(resamples)).format(count=int(resamples))
    return _("stability (median adjusted Rand index) {median}, range {low}-{high}{over}").format(
        median=i18n.number(row["stability"], 2), low=i18n.number(row["stability_min"], 2),
        high=i18n.number(row["stability_max"], 2), over=over)


def _cell_hover(row, metric: str, train_rows: int | None, resamples: int | None) -> str:
    """A cell's solution in words: the score on show first, then the other, the cluster sizes and any flag."""
    basis = "" if train_rows is None else f" ({silhouette_basis(row['silhouette_clients'], train_rows)})"
    scores = [_("silhouette {silhouette}").format(silhouette=i18n.number(row["silhouette"], 3)) + basis]
    if "stability" in row:
        scores.insert(0 if metric == "stability" else 1, _stability_hover(row, resamples))
    text = (f"k={int(row['k'])}: " + "<br>".join(scores) + "<br>"
            + _("cluster sizes {shares}").format(shares=shares_text(row["cluster_shares"])))
    if is_degenerate(row["smallest_share"]):
        text += f"<br>{FLAG} " + _small_cluster_text(share_text(row["smallest_share"]))
    return text


def _small_cluster_text(share: str) -> str:
    """``"a cluster holds 0.3% of the clients (under 2%)"``; ``share`` may be a plotly placeholder."""
    return _("a cluster holds {share} of the clients (under {threshold})").format(
        share=share, threshold=i18n.percent(SMALL_CLUSTER_SHARE))


def _under_threshold_text() -> str:
    return _("a cluster holds under {threshold} of the clients").format(threshold=i18n.percent(SMALL_CLUSTER_SHARE))


def overview_figure(grid_metrics: pd.DataFrame, selected: tuple[str, int, str] | None = None, k: int | None = None,
                    reference: tuple[str, int, str] = (domain.FINAL_TREATMENT, domain.FINAL_PIPELINE, "final"),
                    train_rows: int | None = None, title: str | None = None, metric: str = "silhouette",
                    resamples: int | None = None) -> go.Figure:
    """Heatmap of every configuration's silhouette or stability: rows treatment x feature set, columns pipelines.

    Parameters
    ----------
    grid_metrics : DataFrame
        The artifact store's grid: ``treatment``, ``pipeline``, ``feature_set``, ``k``, ``silhouette``,
        ``silhouette_clients``, ``cluster_shares``, ``smallest_share``; for ``metric="stability"`` also
        ``stability``, ``stability_min`` and ``stability_max``.
    selected : (treatment, pipeline, feature_set), optional
        The configuration on show, outlined.
    k : int, optional
        Show each configuration's score at this k. Default: its best over k by ``metric``, leaving out solutions
        with a cluster under :data:`dashapp.views.explorer.SMALL_CLUSTER_SHARE` of the clients (unless every k has
        one).
    reference : (treatment, pipeline, feature_set)
        The final model, starred in the top left corner of its cell.
    train_rows : int, optional
        Training clients; when given, the hover says whether a silhouette is exact or sampled.
    title : str, optional
    metric : {"silhouette", "stability"}
        The score the cells show and are coloured by (:data:`OVERVIEW_METRICS`); the hover gives it first.
    resamples : int, optional
        The bootstrap resamples the stability is over, for the hover.

    Returns
    -------
    Figure
        One ``Heatmap``, x labels ``P1``, ``P2`` ... (one per pipeline), y labels from :func:`overview_row_label` (which
        :func:`overview_cell` decodes); the cell text is the score (and, over k, the k), empty where it was not
        measured. Annotations: the star, a flag in the top right corner of every cell whose solution has a small
        cluster, and a key.
    """
    if metric not in OVERVIEW_METRICS:
        raise ValueError(f"metric={metric!r} must be one of {', '.join(OVERVIEW_METRICS)}")
    cells = _overview_cells(grid_metrics, k, metric).set_index(["treatment", "feature_set", "pipeline"])
    rows = [(treatment, feature_set) for treatment in domain.TREATMENTS for feature_set in domain.FEATURE_SETS]
    pipelines = list(domain.PIPELINES)
    z, text, hover, flagged = [], [], [], []
    for row_number, (treatment, feature_set) in enumerate(rows):
        z_row, text_row, hover_row = [], [], []
        for column, pipeline in enumerate(pipelines):
            name = (f"{_(domain.TREATMENTS[treatment])}<br>{_(domain.FEATURE_SETS[feature_set])}<br>"
                    + _("Pipeline {pipeline}").format(pipeline=pipeline_name(pipeline)))
            same = domain.same_matrix_pipeline(pipeline, feature_set)
            if same != pipeline:
                name += _(" (no numeric column here: the same as pipeline {pipeline})").format(pipeline=same)
            key = (treatment, feature_set, pipeline)
            if key not in cells.index:
                z_row.append(None)
                text_row.append("")
                hover_row.append(name)
                continue
            cell = cells.loc[key]
            measured = not pd.isna(cell[metric])
            z_row.append(float(cell[metric]) if measured else None)
            text_row.append(i18n.number(cell[metric], 2) + ("" if k is not None else f"<br>k={int(cell['k'])}")
                            if measured else "")
            hover_row.append(f"{name}<br>{_cell_hover(cell, metric, train_rows, resamples)}")
            if is_degenerate(cell["smallest_share"]):
                flagged.append((column, row_number))
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)
    figure = go.Figure(go.Heatmap(
        z=z, x=[f"P{number}" for number in pipelines], y=[overview_row_label(*row) for row in rows], text=text,
        texttemplate="%{text}", textfont=dict(size=9), hovertext=hover,
        colorscale=OVERVIEW_METRICS[metric]["colorscale"], zmin=0, zmax=1,
        showscale=False, hovertemplate="%{hovertext}<extra></extra>", xgap=2, ygap=2,
        meta=table_hints(columns={"x": _("Pipeline"), "y": _("Configuration"),
                                  "z": _(OVERVIEW_SCORES[metric])}),
    ), layout=dict(title=dict(text=title) if title else None, modebar=COMPACT_MODEBAR,
                   # Small fonts and short labels keep the cells wide enough for "0.63" on a 390 px phone.
                   yaxis=dict(autorange="reversed", tickfont=dict(size=9), automargin=True),
                   xaxis=dict(side="top", title=None, tickfont=dict(size=10)),
                   # The top margin leaves the mode bar above the pipelines' labels.
                   margin=dict(l=5, r=5, t=80 if title else 50, b=45)))
    # Corner marks in the axes' own units (a category's number, cell edges at +-0.5), anchored to the corner:
    # they stay in their cell at any width, where a pixel shift from the centre would cross into the next one.
    treatment, pipeline, feature_set = reference
    figure.add_annotation(x=pipelines.index(pipeline) - 0.5, y=rows.index((treatment, feature_set)) - 0.5,
                          text=STAR, showarrow=False, xanchor="left", yanchor="top",
                          font=dict(size=13, color=HIGHLIGHT_COLOUR))
    for column, row_number in flagged:
        figure.add_annotation(x=column + 0.5, y=row_number - 0.5, text=FLAG, showarrow=False, xanchor="right",
                              yanchor="top", font=dict(size=10, color=FLAG_COLOUR))
    figure.add_annotation(
        text=(f"{STAR} " + _("the final model") + f"<br>{FLAG} " + _under_threshold_text()
              + ("" if k is not None else "<br>" + _("(best over k leaves those solutions out)"))),
        showarrow=False, xref="paper", yref="paper", x=0, y=-0.02, yanchor="top", xanchor="left", align="left",
        font=dict(size=10, color="#495057"))
    if selected is not None:
        treatment, pipeline, feature_set = selected
        row = rows.index((treatment, feature_set))
        column = pipelines.index(int(pipeline))
        figure.add_shape(type="rect", x0=column - 0.5, x1=column + 0.5, y0=row - 0.5, y1=row + 0.5,
                         line=dict(color=HIGHLIGHT_COLOUR, width=3))
    return figure


def metric_curve_figure(metrics: pd.DataFrame, metric: str, k: int | None = None, knee: int | None = None,
                        title: str | None = None) -> go.Figure:
    """One score of one configuration against k (the elbow curve when ``metric="inertia"``).

    Parameters
    ----------
    metrics : DataFrame
        The configuration's rows of the grid: ``k`` and the ``metric`` column.
    metric : {"inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "stability"}
        For ``"stability"``, ``metrics`` also needs ``stability_min`` and ``stability_max``: the range over the
        resamples is drawn as a band around the median.
    k : int, optional
        The chosen number of clusters, marked with a vertical line.
    knee : int, optional
        The elbow's knee (Kneedle), marked with a diamond.
    title : str, optional
        Default none: the explorer's card header names the metric.

    Returns
    -------
    Figure
        Trace 0: the curve, whose hover gives the cluster sizes when ``metrics`` has ``cluster_shares`` (and the
        range, for the stability); for the stability, the band: two traces named ``"range over the resamples"``
        (its lower then its upper edge, filled between, over the k where both are measured); then, when some k has
        a cluster under :data:`dashapp.views.explorer.SMALL_CLUSTER_SHARE` of the clients, a trace named
        ``"small cluster"`` marking those k with a cross; then (when ``knee`` is on the curve) the knee marker.
    """
    if metric not in METRICS:
        raise ValueError(f"metric={metric!r} must be one of {', '.join(METRICS)}")
    spec = METRICS[metric]
    ordered = metrics.sort_values("k")
    has_shares = "cluster_shares" in ordered
    sizes = ["<br>" + _("cluster sizes {shares}").format(shares=shares_text(shares))
             for shares in ordered["cluster_shares"]] if has_shares else [""] * len(ordered)
    if metric == "stability":
        sizes = [_(" (range {low}-{high})").format(low=i18n.number(low, 2), high=i18n.number(high, 2)) + size
                 if not (pd.isna(low) or pd.isna(high)) else size
                 for low, high, size in zip(ordered["stability_min"], ordered["stability_max"], sizes)]
    figure = go.Figure(go.Scatter(
        x=ordered["k"], y=ordered[metric], mode="lines+markers", name=_(spec["title"]),
        line=dict(color=LINE_COLOUR, width=2), marker=dict(size=6), customdata=sizes,
        hovertemplate="k=%{x}: %{y:.4g}%{customdata}<extra></extra>",
        meta=table_hints(columns={"customdata": _("Cluster sizes")}),
    ), layout=dict(title=dict(text=title) if title else None, showlegend=False,
                   modebar=COMPACT_MODEBAR,
                   # A fixed range: the markers of the knee and the crosses would otherwise pad it past the ks.
                   xaxis=dict(title=dict(text=_("k (clusters)")), dtick=1, tickangle=0, tickfont=dict(size=10),
                              range=[float(ordered["k"].min()) - 0.5, float(ordered["k"].max()) + 0.5]),
                   yaxis=dict(title=dict(text=_(spec["axis"]) if metric != "inertia" else _("Inertia"))),
                   margin=dict(l=60, r=15, t=40 if title else 25, b=40)))
    if metric == "stability":
        _add_range_band(figure, ordered)
    small = ordered[ordered["smallest_share"] < SMALL_CLUSTER_SHARE] if "smallest_share" in ordered \
        else ordered.iloc[:0]
    if len(small):
        figure.add_trace(go.Scatter(
            x=small["k"], y=small[metric], mode="markers", name=_("small cluster"),
            marker=dict(symbol="x-thin-open", size=12, line=dict(width=2, color=FLAG_COLOUR)),
            customdata=[share_text(share) for share in small["smallest_share"]],
            hovertemplate="k=%{x}: " + _small_cluster_text("%{customdata}") + "<extra></extra>",
            meta=table_hints(skip=True)))  # the curve's own points, marked
    if knee is not None and knee in set(ordered["k"]):
        value = float(ordered.loc[ordered["k"] == knee, metric].iloc[0])
        figure.add_trace(go.Scatter(x=[knee], y=[value], mode="markers", name=_("knee"),
                                    marker=dict(symbol="diamond", size=13, color=HIGHLIGHT_COLOUR),
                                    hovertemplate=_("knee at k={k}").format(k="%{x}") + "<extra></extra>",
                                    meta=table_hints(skip=True)))
        # An annotation rather than marker text: text would widen the axis range past the last k.
        figure.add_annotation(x=knee, y=value, text=_("knee k={k}").format(k=knee), showarrow=False, yshift=14,
                              font=dict(size=10, color=HIGHLIGHT_COLOUR))
    if k is not None:
        figure.add_vline(x=k, line=dict(color="#6c757d", dash="dash", width=1))
    # The key of the crosses goes under the "better" line, on the left: a narrow card has no room beside it.
    key = (f"<br><span style='color:{FLAG_COLOUR}'>\u2715 " + _under_threshold_text() + "</span>") \
        if len(small) else ""
    figure.add_annotation(text=_("better: {direction}").format(direction=_(spec["better"])) + key,
                          xref="paper", yref="paper", x=0, y=1,
                          xanchor="left", yanchor="bottom", align="left", showarrow=False,
                          font=dict(size=10, color="#6c757d"))
    if key:
        figure.update_layout(margin_t=figure.layout.margin.t + 14)
    return figure


def _add_range_band(figure: go.Figure, ordered: pd.DataFrame) -> None:
    """The stability's range over the resamples as a band: the lower edge, then the upper filled down to it."""
    measured = ordered.dropna(subset=["stability_min", "stability_max"])
    figure.update_layout(meta=table_hints(merge=True))  # one row per k: the median, then the band's edges
    for edge, fill in (("stability_min", None), ("stability_max", "tonexty")):
        figure.add_trace(go.Scatter(x=measured["k"], y=measured[edge], mode="lines", name=_("range over the resamples"),
                                    line=dict(width=0, color=BAND_COLOUR), fill=fill, fillcolor=BAND_COLOUR,
                                    hoverinfo="skip", meta=table_hints(value=_(BAND_EDGES[edge]))))


def _clusters(k: int, segments: dict[int, int] | None = None) -> list[tuple[int, str, str, str]]:
    """Each cluster as the explorer draws it: ``(label, name, number shown, colour)``, by label; or, where the
    solution is the final segmentation (``segments``: label -> segment, from
    :func:`dashapp.views.explorer.segments_of_clusters`), by segment, named and coloured as every page shows the
    segments."""
    if segments is None:
        return [(label, _("Cluster {cluster}").format(cluster=label + 1), str(label + 1), cluster_colour(label))
                for label in range(k)]
    return [(label, _("Segment {number}").format(number=number), str(number), catalogue.segment_colour(number))
            for label, number in sorted(segments.items(), key=lambda item: item[1])]


def tsne_figure(points: pd.DataFrame, k: int, shares=None, title: str | None = None,
                segments: dict[int, int] | None = None) -> go.Figure:
    """The t-SNE map coloured by the K-means clusters for ``k``, one trace per cluster.

    Parameters
    ----------
    points : DataFrame
        ``client_id``, ``x``, ``y``, ``cluster`` (0-based label) and optionally the hover fields of
        :data:`dashapp.views.explorer.HOVER_FIELDS` (as text).
    k : int
        The number of clusters.
    shares : sequence of float, optional
        Each cluster's share of the training clients (by 0-based label), shown in the legend:
        ``Cluster 1 (26%)``.
    title : str, optional
    segments : dict, optional
        Label -> segment number where the solution is the final segmentation: its clusters are then named and
        coloured as the segments (``Segment 1`` ...), in the segments' order.

    Returns
    -------
    Figure
        ``Scatter`` traces named ``Cluster 1`` ... (or ``Segment 1`` ...); ``customdata[:, 0]`` is the client id.
    """
    extra = [column for column in ("age", "job", "housing", "loan") if column in points]
    # Age and job are named; the loans' labels ("No personal loan") say what they are.
    named = {"age": _("Age: "), "job": _("Job: ")}
    hover = _("Client {client}").format(client="%{customdata[0]}") + "".join(
        f"<br>{named.get(column, '')}%{{customdata[{position}]}}" for position, column in enumerate(extra, start=1))
    traces = []
    for label, cluster, _number, colour in _clusters(k, segments):
        members = points[points["cluster"] == label]
        if members.empty:
            continue
        customdata = np.column_stack([members["client_id"].to_numpy()] + [members[c].to_numpy() for c in extra])
        name = cluster + ("" if shares is None else f" ({share_text(float(shares[label]))})")
        traces.append(go.Scatter(
            x=members["x"].round(2), y=members["y"].round(2), mode="markers", name=name,
            marker=dict(size=5, color=colour, opacity=0.8),
            customdata=customdata, hovertemplate=hover + f"<extra>{cluster}</extra>",
            meta=table_hints(columns={"x": _("t-SNE 1"), "y": _("t-SNE 2"),
                                      "customdata": [_("Client"), *map(catalogue.column_label, extra)]}),
        ))
    return go.Figure(traces, layout=dict(
        title=dict(text=title) if title else None,
        xaxis=dict(visible=False), yaxis=dict(visible=False, scaleanchor="x"), hovermode="closest",
        # A legend under the map, in rows, leaves the map the card's whole width (on a phone too), and the mode
        # bar the top.
        legend=dict(itemsizing="constant", orientation="h", x=0, xanchor="left", y=0, yanchor="top",
                    title=dict(text=f"k={k}" + ("" if shares is None else _(" (share of clients)")), side="top")),
        meta=table_hints(series=_("Cluster")),
        margin=dict(l=10, r=10, t=40 if title else 30, b=10)))


#: The space left between two clusters of the silhouette plot, as a share of the sample's clients.
KNIFE_GAP = 0.02


def cluster_colour(label: int) -> str:
    """The colour of a 0-based K-means label, the same on the t-SNE map and the silhouette plot."""
    return CLUSTER_COLOURS[label % len(CLUSTER_COLOURS)]


def silhouette_knife_figure(samples: pd.DataFrame, average: float, k: int, negative_shares,
                            title: str | None = None, segments: dict[int, int] | None = None) -> go.Figure:
    """The silhouette plot of one solution: each sampled client's silhouette, cluster by cluster, sorted.

    Parameters
    ----------
    samples : DataFrame
        ``cluster`` (0-based K-means label) and ``silhouette``, one row per client of the silhouette sample
        (``ArtifactStore.silhouette_samples(config, k)``), in any order; an undefined silhouette (NaN: the
        sample held one cluster only) is left out.
    average : float
        The solution's average silhouette (the grid's), drawn as a dashed vertical line unless NaN.
    k : int
        The number of clusters.
    negative_shares : sequence of float
        By 0-based label, the share of the cluster's sampled clients with a negative silhouette (the grid's
        ``negative_shares``, from the exact values: the drawn ones are rounded).
    title : str, optional
        Default none: the explorer's card header names the chart.
    segments : dict, optional
        As in :func:`tsne_figure`: the final segmentation's clusters named, ordered and coloured as the segments.

    Returns
    -------
    Figure
        One filled step line per cluster with sampled clients, named ``"Cluster 1: 1,300 sampled, 2.0% below
        0"`` and coloured as :func:`tsne_figure` colours it: x the silhouettes, highest first, y the clients'
        rows (cluster 1 on top, a gap of :data:`KNIFE_GAP` of the sample between clusters), ``customdata`` each
        client's rank in its cluster; the average as a dashed line with its value; the cluster numbers in the
        left margin, beside their bands.
    """
    gap = max(1, round(KNIFE_GAP * len(samples)))
    figure = go.Figure(layout=dict(
        title=dict(text=title) if title else None, modebar=COMPACT_MODEBAR, meta=table_hints(series=_("Cluster")),
        # One client per row: "y" finds the row under the pointer wherever it is across the band.
        hovermode="y",
        xaxis=dict(title=dict(text=_("Silhouette")), range=[min(-0.1, float(samples["silhouette"].min()) - 0.05), 1],
                   zeroline=True, zerolinecolor="#adb5bd"),
        yaxis=dict(autorange="reversed", showticklabels=False, showgrid=False, zeroline=False),
        legend=dict(orientation="h", x=0, xanchor="left", y=-0.18, yanchor="top", itemsizing="constant",
                    title=dict(text=_("Cluster: clients in the sample, share with a silhouette below 0")
                               if segments is None else
                               _("Segment: clients in the sample, share with a silhouette below 0"), side="top")),
        margin=dict(l=30, r=10, t=50 if title else 30, b=50)))
    top = 0
    for label, cluster, number, colour in _clusters(k, segments):
        # Highest first: with cluster 1 on top, each band tapers down to its worst-placed clients, a knife.
        values = np.sort(samples.loc[samples["cluster"] == label, "silhouette"].dropna().to_numpy())[::-1]
        if not len(values):
            continue
        figure.add_trace(go.Scatter(
            x=values, y=np.arange(top, top + len(values), dtype=np.int32), mode="lines",
            # "vh": each client's value holds over its own row, a step; filled to x = 0 as a horizontal bar.
            line=dict(shape="vh", width=1, color=colour), fill="tozerox", fillcolor=colour,
            name=_("{cluster}: {count} sampled, {share} below 0").format(
                cluster=cluster, count=i18n.number(len(values)),
                share=negative_share_text(float(negative_shares[label]))),
            customdata=np.arange(1, len(values) + 1, dtype=np.int32),
            meta=table_hints(columns={"y": None, "customdata": _("Rank in its cluster (highest first)")}),
            hovertemplate=_("{cluster}<br>rank {rank} of {count} (highest first)<br>silhouette {silhouette}")
            .format(cluster=cluster, rank="%{customdata:,}", count=i18n.number(len(values)),
                    silhouette="%{x:.3f}") + "<extra></extra>"))
        figure.add_annotation(x=0, xref="paper", xanchor="right", xshift=-4, y=top + (len(values) - 1) / 2,
                              text=f"<b>{number}</b>", showarrow=False, font=dict(size=11, color=colour))
        top += len(values) + gap
    if not np.isnan(average):
        figure.add_vline(x=average, line=dict(color="#212529", dash="dash", width=1.5))
        # Above the plot, where no band can hide it.
        figure.add_annotation(x=average, y=1, yref="paper", yanchor="bottom", showarrow=False,
                              text=_("average {average}").format(average=i18n.number(average, 3)),
                              font=dict(size=11))
    return figure


def dendrogram_leaf_labels(linkage: np.ndarray, leaves, client_ids=None) -> list[str]:
    """Readable labels of a truncated dendrogram's leaves: ``"client 282"`` for one client, ``"6 clients"``.

    Parameters
    ----------
    linkage : ndarray
        A scipy linkage matrix of n observations: one row per merge (the two clusters merged, their distance,
        the observations under them).
    leaves : sequence of int
        scipy's ``dendrogram(...)["leaves"]``: an observation (below n) or a merged cluster (n and above).
    client_ids : sequence of int, optional
        The client id of each observation; without it a single client is labelled ``"1 client"``.
    """
    n = len(linkage) + 1
    labels = []
    for leaf in leaves:
        if leaf < n:
            labels.append(ngettext("{count} client", "{count} clients", 1).format(count=1) if client_ids is None
                          else _("client {client}").format(client=int(client_ids[leaf])))
        else:
            clients = int(linkage[leaf - n, 3])
            # Ungrouped, as the leaf labels always were ("1234 clients").
            labels.append(ngettext("{count} client", "{count} clients", clients).format(count=clients))
    return labels


def dendrogram_figure(linkage: np.ndarray, k: int | None = None, leaves: int = DENDROGRAM_LEAVES, client_ids=None,
                      title: str | None = None) -> go.Figure:
    """The Ward dendrogram of a configuration's sample, truncated to its last ``leaves`` merges.

    Parameters
    ----------
    linkage : ndarray
        A scipy linkage matrix: one row per merge (the two clusters merged, their distance, the observations
        under them).
    k : int, optional
        Draw the cut that leaves ``k`` clusters.
    leaves : int
        ``p`` of scipy's ``truncate_mode="lastp"``.
    client_ids : sequence of int, optional
        The client id of each observation, to name single-client leaves (see :func:`dendrogram_leaf_labels`).
    title : str, optional

    Returns
    -------
    Figure
        One ``Scatter`` of line segments (U shapes separated by gaps), drawn sideways: leaves on the y axis
        (``yaxis.ticktext``), Ward distance on the x axis; with ``k``, a vertical cut line.
    """
    tree = dendrogram(linkage, no_plot=True, truncate_mode="lastp", p=leaves)
    xs, ys = [], []
    # Drawn sideways (leaves down the left, merges growing to the right) so that the leaf labels are rows of
    # text: a few dozen of them stay readable at any width, where a row of rotated labels overlaps on a phone.
    # All U shapes in one trace, separated by None: one trace instead of one per merge keeps the figure small.
    for icoord, dcoord in zip(tree["icoord"], tree["dcoord"]):
        xs.extend([*dcoord, None])
        ys.extend([*icoord, None])
    ticks = [5 + 10 * position for position in range(len(tree["ivl"]))]
    figure = go.Figure(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=LINE_COLOUR, width=1.5),
                                  hoverinfo="skip", name="merges",
                                  meta=table_hints(columns={"y": _("Position among the leaves")})),
                       layout=dict(showlegend=False,
                                   title=dict(text=title) if title else None,
                                   yaxis=dict(tickvals=ticks,
                                              ticktext=dendrogram_leaf_labels(linkage, tree["leaves"], client_ids),
                                              tickfont=dict(size=9), automargin=True, showgrid=False,
                                              range=[0, 10 * len(ticks)]),
                                   xaxis=dict(title=dict(text=_("Ward distance")), rangemode="tozero"),
                                   margin=dict(l=10, r=15, t=40 if title else 25, b=45)))
    if k is not None and 2 <= k <= len(linkage):
        heights = np.sort(linkage[:, 2])
        # Cutting between the (k-1)-th and k-th highest merges leaves exactly k clusters.
        cut = (heights[-k] + heights[-k + 1]) / 2
        figure.add_vline(x=cut, line=dict(color=HIGHLIGHT_COLOUR, dash="dash", width=1.5),
                         annotation=dict(text=_("cut for k={k}").format(k=k),
                                         font=dict(color=HIGHLIGHT_COLOUR, size=11)),
                         annotation_position="top right")
    return figure
