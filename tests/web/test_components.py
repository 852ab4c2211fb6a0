"""Shared widgets: the one chart configuration that keeps every chart on the server, and a graph's width."""

from __future__ import annotations

import re
from pathlib import Path

import plotly
import pytest

from dashapp.web.components import GRAPH_CONFIG, OFF_SERVER_BUTTONS, graph, graph_card, graph_config, graph_width
from tests.browser_helpers import REPO


def _keeps_the_chart_on_the_server(config: dict) -> bool:
    return (config["showSendToCloud"] is False and config["plotlyServerURL"] == ""
            and set(OFF_SERVER_BUTTONS) <= set(config["modeBarButtonsToRemove"]))


def test_the_graph_config_removes_every_upload_button():
    assert _keeps_the_chart_on_the_server(GRAPH_CONFIG)
    assert GRAPH_CONFIG["displaylogo"] is False


def test_a_chart_may_remove_more_buttons_but_never_bring_back_the_upload():
    config = graph_config(displayModeBar=False, showSendToCloud=True, plotlyServerURL="https://x.test",
                          modeBarButtonsToRemove=["zoom2d"])
    assert _keeps_the_chart_on_the_server(config)
    assert config["displayModeBar"] is False and "zoom2d" in config["modeBarButtonsToRemove"]
    assert "zoom2d" not in GRAPH_CONFIG["modeBarButtonsToRemove"]  # the shared config is not changed


def test_graph_and_graph_card_use_the_config():
    chart = graph("g", height=300).children[0]
    assert _keeps_the_chart_on_the_server(chart.config)
    assert chart.style == {"height": "300px"}
    card = graph_card("Title", "g2", config={"displayModeBar": False})
    chart = card.children[1].children[0].children[0]
    assert chart.id == "g2" and _keeps_the_chart_on_the_server(chart.config)
    assert chart.config["displayModeBar"] is False


def test_the_bundled_plotly_js_names_its_upload_button_as_we_remove_it():
    # Dash serves plotly.js from the plotly package; an upgrade that renames the button or the switch must fail
    # here rather than bring "Share chart..." back unnoticed.
    bundle = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")
    buttons = set(re.findall(r'name:"(\w*[Cc]loud\w*|\w*ChartStudio\w*)"', bundle))
    assert buttons and buttons <= set(OFF_SERVER_BUTTONS), buttons
    assert "showSendToCloud" in bundle


def test_no_module_makes_a_chart_but_the_shared_widget():
    # A dcc.Graph made anywhere else would miss the configuration (and offer the upload again).
    offenders = [str(path.relative_to(REPO)) for folder in ("pages", "dashapp")
                 for path in sorted((REPO / folder).rglob("*.py"))
                 if path.name != "components.py" and re.search(r"\bGraph\(", path.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.parametrize("window, spans, expected", [
    (390, {}, 390 - 24 - 18),                       # a phone: the page's 12-pixel padding, the card's 18
    (1400, {}, 1400 - 48 - 18),                     # full width
    (1400, {"lg": 8, "xl": 9}, int((1400 - 48) * 9 / 12 - 24 - 18)),
    (1000, {"lg": 8, "xl": 9}, int((1000 - 48) * 8 / 12 - 24 - 18)),
    (800, {"lg": 8, "xl": 9}, 800 - 48 - 18),       # below lg the column takes the whole row
])
def test_graph_width_follows_the_columns_of_bootstrap(window, spans, expected):
    assert graph_width({"width": window}, **spans) == expected


def test_graph_width_is_unknown_before_the_browser_says():
    assert graph_width(None) is None and graph_width({}) is None
