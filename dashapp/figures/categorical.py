"""Figures of the explorer's card "A clustering made for categories": ARI by k, and the k = 4 crosstab.

Builders take the plain data of :mod:`dashapp.views.categorical`.
"""

from __future__ import annotations

import plotly.graph_objects as go


def ari_by_k_figure(ari: dict) -> go.Figure:
    """k-modes' agreement with the published segments for each k, its tied range, and the rules' baseline.

    Parameters
    ----------
    ari : dict
        From :func:`dashapp.views.categorical.ari_by_k`.
    """
    figure = go.Figure()
    figure.add_trace(go.Scatter(
        x=ari["k"], y=ari["ari"], mode="lines+markers", name="k-modes",
        error_y=dict(type="data", symmetric=False, array=[h - a for h, a in zip(ari["high"], ari["ari"])],
                     arrayminus=[a - lo for a, lo in zip(ari["ari"], ari["low"])], color="#adb5bd"),
        customdata=list(zip(ari["tied"], ari["cost"])),
        hovertemplate="k = %{x}: ARI %{y:.2f}<br>cost %{customdata[1]:,.0f} mismatches; "
                      "%{customdata[0]} partition(s) of that cost<extra></extra>"))
    figure.add_hline(y=ari["rules"], line=dict(color="#e07a5f", dash="dash"),
                     annotation_text=f"housing x loan rules: {ari['rules']:.2f}", annotation_position="bottom right")
    figure.add_vline(x=ari["published_k"], line=dict(color="#adb5bd", dash="dot"))
    figure.update_xaxes(title="k (clusters)", dtick=1)
    figure.update_yaxes(title="Adjusted Rand index with the published segments", range=[0, 1])
    figure.update_layout(showlegend=False, margin=dict(t=20))
    return figure


def crosstab_figure(crosstab: dict) -> go.Figure:
    """Heatmap of the k-modes clusters (rows) against the published segments (columns).

    Parameters
    ----------
    crosstab : dict
        From :func:`dashapp.views.categorical.crosstab_view`: cells coloured by the share of each segment's
        clients in each cluster, labelled with the clients.
    """
    figure = go.Figure(go.Heatmap(
        z=crosstab["shares"], x=crosstab["segments"], y=crosstab["clusters"], zmin=0, zmax=1,
        colorscale="Blues", colorbar=dict(title="Share of the segment", tickformat=".0%"),
        text=[[f"{n:,}" for n in row] for row in crosstab["counts"]], texttemplate="%{text}",
        hovertemplate="%{y}<br>%{x}: %{text} clients (%{z:.0%} of the segment)<extra></extra>"))
    figure.update_yaxes(autorange="reversed", automargin=True)
    figure.update_xaxes(side="top")
    figure.update_layout(margin=dict(t=30, l=10))
    return figure
