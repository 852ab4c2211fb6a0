"""Widgets shared by several pages (pages/ must hold page modules only, since Dash executes every file there)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashapp.artifacts import REBUILD_COMMAND

#: Mode-bar buttons that would send a chart, and the client records some charts carry, off the server.
#: plotly.js 4 (as bundled with Dash 4) shows "Share chart..." (``sendChartToCloud``, an upload to Plotly
#: Cloud) unless ``showSendToCloud`` is false; the other names are the cloud buttons of older plotly.js.
OFF_SERVER_BUTTONS: tuple[str, ...] = ("sendChartToCloud", "sendDataToCloud", "editInChartStudio")

#: The one configuration of every chart in the app: no plotly logo and nothing that uploads a chart.
#: An empty ``plotlyServerURL`` leaves the upload nowhere to go even if a button came back.
GRAPH_CONFIG: dict = {
    "displaylogo": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "plotlyServerURL": "",
    "modeBarButtonsToRemove": list(OFF_SERVER_BUTTONS),
}


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


def graph_config(**overrides) -> dict:
    """:data:`GRAPH_CONFIG` with a chart's own settings (e.g. ``displayModeBar=False``) on top.

    The settings that keep a chart on the server cannot be overridden: a page may remove more mode-bar
    buttons, never bring back an upload.

    Parameters
    ----------
    **overrides
        plotly.js config keys.

    Returns
    -------
    dict
        A new dict, safe to change.
    """
    removed = list(GRAPH_CONFIG["modeBarButtonsToRemove"])
    removed += [button for button in overrides.pop("modeBarButtonsToRemove", []) if button not in removed]
    return {**overrides, **GRAPH_CONFIG, "modeBarButtonsToRemove": removed}


def graph(graph_id: str, figure=None, height: int | None = None, config: dict | None = None,
          **graph_kwargs) -> dcc.Graph:
    """A ``dcc.Graph`` with the app's :func:`graph_config`: the only way pages make a chart.

    Parameters
    ----------
    graph_id : str
        The component id.
    figure : plotly Figure, optional
    height : int, optional
        Pixel height (default: plotly's).
    config : dict, optional
        The chart's own plotly.js config keys, merged by :func:`graph_config`.
    **graph_kwargs
        Other ``dcc.Graph`` properties.
    """
    style = graph_kwargs.pop("style", None)
    if height:
        style = {"height": f"{height}px", **(style or {})}
    return dcc.Graph(id=graph_id, figure=figure, style=style, config=graph_config(**(config or {})),
                     **graph_kwargs)


def graph_card(title: str, graph_id: str, figure=None, height: int | None = None, help_text: str | None = None,
               **graph_kwargs) -> dbc.Card:
    """A titled card holding one plotly graph (made by :func:`graph`)."""
    body = [graph(graph_id, figure, height, **graph_kwargs)]
    if help_text:
        body.insert(0, html.P(help_text, className="text-muted small mb-1"))
    return dbc.Card([dbc.CardHeader(title), dbc.CardBody(body, className="p-2")], className="mb-3 h-100")

