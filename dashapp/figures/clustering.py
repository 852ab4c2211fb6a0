"""Figures of the clustering explorer: the grid's scores, a configuration's curves, its t-SNE map and dendrogram.

Pure builders over the artifact store's frames (``grid_metrics``, ``tsne(config)``) and the Ward linkage
matrix; the dendrogram's layout comes from scipy, the drawing from plotly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy.cluster.hierarchy import dendrogram

from dashapp import domain
from dashapp.figures import TEMPLATE_NAME
from dashapp.figures.eda import COMPACT_MODEBAR

LINE_COLOUR = "#2a6f97"
HIGHLIGHT_COLOUR = "#e07a5f"
#: Cluster colours for up to 15 clusters (plotly's D3 and Set2 palettes, which stay apart on white).
CLUSTER_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                   "#bcbd22", "#17becf", "#66c2a5", "#fc8d62", "#8da0cb", "#a6d854", "#ffd92f")


#: The scores of one configuration as the explorer shows them: title, axis label, and which way is better.
METRICS: dict[str, dict[str, str]] = {
    "inertia": {"title": "Elbow: inertia", "axis": "Inertia (within-cluster sum of squares)",
                "better": "lower; look for the knee"},
    "silhouette": {"title": "Silhouette", "axis": "Silhouette score", "better": "higher"},
    "calinski_harabasz": {"title": "Calinski-Harabasz", "axis": "Calinski-Harabasz index", "better": "higher"},
    "davies_bouldin": {"title": "Davies-Bouldin", "axis": "Davies-Bouldin index", "better": "lower"},
}

#: Short row labels of the overview heatmap.
_TREATMENT_SHORT = {"raw": "Keep 'unknown'", "knn": "KNN imputation", "iterative": "Iterative imputation"}
_FEATURES_SHORT = {"all": "all features", "no_socio": "no socio-economic"}


def overview_row_label(treatment: str, feature_set: str) -> str:
    """The heatmap's row label of a (treatment, feature set) pair, e.g. ``"KNN imputation, all features"``."""
    return f"{_TREATMENT_SHORT[treatment]}, {_FEATURES_SHORT[feature_set]}"


def overview_cell(x_label: str, y_label: str) -> tuple[str, int, str]:
    """The configuration of a heatmap cell from its axis labels: ``("P8", "KNN imputation, all features")`` ->
    ``("knn", 8, "all")``.

    Dash's ``clickData`` leaves out a heatmap's 2-D ``customdata``, so a click is decoded from the labels.
    """
    rows = {overview_row_label(t, f): (t, f) for t in domain.TREATMENTS for f in domain.FEATURE_SETS}
    if y_label not in rows or not x_label.startswith("P") or int(x_label[1:]) not in domain.PIPELINES:
        raise ValueError(f"({x_label!r}, {y_label!r}) is not a cell of the overview heatmap")
    treatment, feature_set = rows[y_label]
    return treatment, int(x_label[1:]), feature_set


def silhouette_overview_figure(grid_metrics: pd.DataFrame, selected: tuple[str, int, str] | None = None,
                               reference: tuple[str, int] = (domain.FINAL_TREATMENT, domain.FINAL_PIPELINE),
                               title: str | None = None) -> go.Figure:
    """Heatmap of each configuration's best silhouette over k: rows treatment x feature set, columns pipelines.

    Parameters
    ----------
    grid_metrics : DataFrame
        The artifact store's grid: ``treatment``, ``pipeline``, ``feature_set``, ``k``, ``silhouette``.
    selected : (treatment, pipeline, feature_set), optional
        The configuration on show, outlined.
    reference : (treatment, pipeline)
        The original study's choice, starred in both feature-set rows.
    title : str, optional

    Returns
    -------
    Figure
        One ``Heatmap``, x labels ``P1`` .. ``P8``, y labels from :func:`overview_row_label` (which
        :func:`overview_cell` decodes), the best k of each cell in its text.
    """
    best = (grid_metrics.sort_values(["silhouette", "k"], ascending=[False, True])
            .drop_duplicates(["treatment", "pipeline", "feature_set"]))
    rows = [(treatment, feature_set) for treatment in domain.TREATMENTS for feature_set in domain.FEATURE_SETS]
    pipelines = list(domain.PIPELINES)
    lookup = best.set_index(["treatment", "feature_set", "pipeline"])
    z, text = [], []
    for treatment, feature_set in rows:
        z_row, text_row = [], []
        for pipeline in pipelines:
            key = (treatment, feature_set, pipeline)
            score = float(lookup.at[key, "silhouette"]) if key in lookup.index else None
            k = int(lookup.at[key, "k"]) if key in lookup.index else None
            z_row.append(score)
            text_row.append("" if score is None else f"{score:.2f}<br>k={k}")
        z.append(z_row)
        text.append(text_row)
    x_labels = [f"P{number}" for number in pipelines]
    y_labels = [overview_row_label(*row) for row in rows]
    hover = [[f"{domain.TREATMENTS[t]}<br>{domain.FEATURE_SETS[f]}<br>Pipeline {domain.PIPELINES[p].name}"
              for p in pipelines] for t, f in rows]
    figure = go.Figure(go.Heatmap(
        z=z, x=x_labels, y=y_labels, text=text, texttemplate="%{text}", textfont=dict(size=10),
        hovertext=hover, colorscale="Blues", zmin=0, zmax=1,
        colorbar=dict(title=dict(text="Best<br>silhouette"), thickness=12),
        hovertemplate="%{hovertext}<br>best silhouette %{z:.3f}<extra></extra>", xgap=2, ygap=2,
    ), layout=dict(template=TEMPLATE_NAME, title=dict(text=title) if title else None, modebar=COMPACT_MODEBAR,
                   yaxis=dict(autorange="reversed"), xaxis=dict(side="top", title=None),
                   margin=dict(l=190, r=10, t=70 if title else 30, b=40)))
    for treatment, feature_set in rows:
        if treatment == reference[0]:
            figure.add_annotation(x=f"P{reference[1]}", y=overview_row_label(treatment, feature_set),
                                  text="\u2605", showarrow=False, xshift=-22, yshift=10,
                                  font=dict(size=14, color=HIGHLIGHT_COLOUR))
    figure.add_annotation(text="\u2605 the original's choice (KNN, pipeline 8)", showarrow=False,
                          xref="paper", yref="paper", x=0, y=-0.02, yanchor="top", xanchor="left",
                          font=dict(size=11, color="#495057"))
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
    metric : {"inertia", "silhouette", "calinski_harabasz", "davies_bouldin"}
    k : int, optional
        The chosen number of clusters, marked with a vertical line.
    knee : int, optional
        The elbow's knee (Kneedle), marked with a diamond.
    title : str, optional
        Default none: the explorer's card header names the metric.

    Returns
    -------
    Figure
        Trace 0: the curve; trace 1 (when ``knee`` is on the curve): the knee marker.
    """
    if metric not in METRICS:
        raise ValueError(f"metric={metric!r} must be one of {', '.join(METRICS)}")
    spec = METRICS[metric]
    ordered = metrics.sort_values("k")
    figure = go.Figure(go.Scatter(
        x=ordered["k"], y=ordered[metric], mode="lines+markers", name=spec["title"],
        line=dict(color=LINE_COLOUR, width=2), marker=dict(size=6),
        hovertemplate="k=%{x}: %{y:.4g}<extra></extra>",
    ), layout=dict(template=TEMPLATE_NAME, title=dict(text=title) if title else None, showlegend=False,
                   modebar=COMPACT_MODEBAR,
                   xaxis=dict(title=dict(text="k (clusters)"), dtick=1, tickangle=0, tickfont=dict(size=10)),
                   yaxis=dict(title=dict(text=spec["axis"] if metric != "inertia" else "Inertia")),
                   margin=dict(l=60, r=15, t=40 if title else 25, b=40)))
    if knee is not None and knee in set(ordered["k"]):
        value = float(ordered.loc[ordered["k"] == knee, metric].iloc[0])
        figure.add_trace(go.Scatter(x=[knee], y=[value], mode="markers", name="knee",
                                    marker=dict(symbol="diamond", size=13, color=HIGHLIGHT_COLOUR),
                                    hovertemplate="knee at k=%{x}<extra></extra>"))
        # An annotation rather than marker text: text would widen the axis range past the last k.
        figure.add_annotation(x=knee, y=value, text=f"knee k={knee}", showarrow=False, yshift=14,
                              font=dict(size=10, color=HIGHLIGHT_COLOUR))
    if k is not None:
        figure.add_vline(x=k, line=dict(color="#6c757d", dash="dash", width=1))
    figure.add_annotation(text=f"better: {spec['better']}", xref="paper", yref="paper", x=0, y=1,
                          xanchor="left", yanchor="bottom", showarrow=False, font=dict(size=10, color="#6c757d"))
    return figure


def tsne_figure(points: pd.DataFrame, k: int, title: str | None = None) -> go.Figure:
    """The t-SNE map coloured by the K-means clusters for ``k``, one trace per cluster.

    Parameters
    ----------
    points : DataFrame
        ``client_id``, ``x``, ``y``, ``cluster`` (0-based label) and optionally the hover fields of
        :data:`dashapp.eda.HOVER_FIELDS` (as text).
    k : int
        The number of clusters.
    title : str, optional

    Returns
    -------
    Figure
        ``Scatter`` traces named ``Cluster 1`` ... ; ``customdata[:, 0]`` is the client id.
    """
    extra = [column for column in ("age", "job", "housing", "loan") if column in points]
    hover = "Client %{customdata[0]}" + "".join(
        f"<br>{column}: %{{customdata[{position}]}}" for position, column in enumerate(extra, start=1))
    traces = []
    for label in range(k):
        members = points[points["cluster"] == label]
        if members.empty:
            continue
        customdata = np.column_stack([members["client_id"].to_numpy()] + [members[c].to_numpy() for c in extra])
        traces.append(go.Scatter(
            x=members["x"].round(2), y=members["y"].round(2), mode="markers", name=f"Cluster {label + 1}",
            marker=dict(size=5, color=CLUSTER_COLOURS[label % len(CLUSTER_COLOURS)], opacity=0.8),
            customdata=customdata, hovertemplate=hover + f"<extra>Cluster {label + 1}</extra>",
        ))
    return go.Figure(traces, layout=dict(
        template=TEMPLATE_NAME, title=dict(text=title) if title else None,
        xaxis=dict(visible=False), yaxis=dict(visible=False, scaleanchor="x"), hovermode="closest",
        legend=dict(itemsizing="constant", title=dict(text=f"k={k} clusters")),
        margin=dict(l=10, r=10, t=40 if title else 30, b=10)))


def dendrogram_figure(linkage: np.ndarray, k: int | None = None, leaves: int = 30,
                      title: str | None = None) -> go.Figure:
    """The Ward dendrogram of a configuration's sample, truncated to its last ``leaves`` merges.

    Parameters
    ----------
    linkage : ndarray of shape (n - 1, 4)
        A scipy linkage matrix.
    k : int, optional
        Draw the cut that leaves ``k`` clusters.
    leaves : int
        ``p`` of scipy's ``truncate_mode="lastp"``.
    title : str, optional

    Returns
    -------
    Figure
        One ``Scatter`` of line segments (U shapes separated by gaps) and, with ``k``, a horizontal cut line.
    """
    tree = dendrogram(linkage, no_plot=True, truncate_mode="lastp", p=leaves)
    xs, ys = [], []
    # All U shapes in one trace, separated by None: one trace instead of ~30 keeps the figure small.
    for icoord, dcoord in zip(tree["icoord"], tree["dcoord"]):
        xs.extend([*icoord, None])
        ys.extend([*dcoord, None])
    ticks = [5 + 10 * position for position in range(len(tree["ivl"]))]
    figure = go.Figure(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=LINE_COLOUR, width=1.5),
                                  hoverinfo="skip", name="merges"),
                       layout=dict(template=TEMPLATE_NAME, showlegend=False,
                                   title=dict(text=title) if title else None,
                                   xaxis=dict(tickvals=ticks, ticktext=tree["ivl"], tickangle=-60,
                                              tickfont=dict(size=9), title=dict(text="Clients under each leaf")),
                                   yaxis=dict(title=dict(text="Ward distance"), rangemode="tozero"),
                                   margin=dict(l=60, r=15, t=40 if title else 25, b=70)))
    if k is not None and 2 <= k <= len(linkage):
        heights = np.sort(linkage[:, 2])
        # Cutting between the (k-1)-th and k-th highest merges leaves exactly k clusters.
        cut = (heights[-k] + heights[-k + 1]) / 2
        figure.add_hline(y=cut, line=dict(color=HIGHLIGHT_COLOUR, dash="dash", width=1.5),
                         annotation=dict(text=f"cut for k={k}", font=dict(color=HIGHLIGHT_COLOUR, size=11)),
                         annotation_position="top right")
    return figure
