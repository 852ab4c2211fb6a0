"""Figures of the explorer's card "A clustering made for categories": ARI by k, and the k = 4 crosstab.

Builders take the plain data of :mod:`dashapp.views.categorical`.
"""

from __future__ import annotations

import plotly.graph_objects as go

from dashapp.core import i18n
from dashapp.core.i18n import _
from dashapp.figures import table_hints


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
        meta=table_hints(columns={"customdata": [_("Partitions of the lowest cost"), _("Cost (mismatches)")]}),
        hovertemplate=_("k = {k}: ARI {ari}<br>cost {cost} mismatches; {tied} partition(s) of that cost").format(
            k="%{x}", ari="%{y:.2f}", cost="%{customdata[1]:,.0f}", tied="%{customdata[0]}") + "<extra></extra>"))
    figure.add_hline(y=ari["rules"], line=dict(color="#e07a5f", dash="dash"),
                     annotation_text=_("housing x loan rules: {ari}").format(ari=i18n.number(ari["rules"], 2)),
                     annotation_position="bottom right")
    figure.add_vline(x=ari["published_k"], line=dict(color="#adb5bd", dash="dot"))
    figure.update_xaxes(title=_("k (clusters)"), dtick=1)
    figure.update_yaxes(title=_("Adjusted Rand index with the published segments"), range=[0, 1])
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
        colorscale="Blues", colorbar=dict(title=_("Share of the segment"), tickformat=".0%"),
        text=[[i18n.number(n) for n in row] for row in crosstab["counts"]], texttemplate="%{text}",
        customdata=crosstab["counts"],
        meta=table_hints(columns={"x": _("Published segment"), "y": _("k-modes cluster"),
                                  "z": _("Share of the segment"), "customdata": _("Clients")}, percent=["z"]),
        hovertemplate="%{y}<br>%{x}: " + _("{clients} clients ({share} of the segment)").format(
            clients="%{text}", share="%{z:.0%}") + "<extra></extra>"))
    figure.update_yaxes(autorange="reversed", automargin=True)
    figure.update_xaxes(side="top")
    figure.update_layout(margin=dict(t=30, l=10))
    return figure
