"""Widgets shared by several pages (pages/ must hold page modules only, since Dash executes every file there)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashapp.artifacts import REBUILD_COMMAND


def missing_artifacts_notice(reason: str) -> dbc.Alert:
    """What a page shows instead of its charts when the artifacts cannot be loaded."""
    return dbc.Alert([
        html.H4("The analysis artifacts are not available", className="alert-heading"),
        html.P(reason),
        html.P(["Build them with ", html.Code(REBUILD_COMMAND), " (or ", html.Code("make run"),
                ", which builds what is missing), then restart the app."], className="mb-0"),
    ], color="warning", className="artifact-problem")


def metric(value: str, caption: str, **column_widths) -> dbc.Col:
    """A big number with a small caption under it, as a grid column (``column_widths``: dbc.Col's xs, md, ...)."""
    return dbc.Col([html.Div(value, className="metric-value"), html.Div(caption, className="text-muted small")],
                   **column_widths)


def graph_card(title: str, graph_id: str, figure=None, height: int | None = None, help_text: str | None = None,
               **graph_kwargs) -> dbc.Card:
    """A titled card holding one plotly graph."""
    style = {"height": f"{height}px"} if height else None
    config = {"displaylogo": False, **graph_kwargs.pop("config", {})}
    body = [dcc.Graph(id=graph_id, figure=figure, style=style, config=config, **graph_kwargs)]
    if help_text:
        body.insert(0, html.P(help_text, className="text-muted small mb-1"))
    return dbc.Card([dbc.CardHeader(title), dbc.CardBody(body, className="p-2")], className="mb-3 h-100")
