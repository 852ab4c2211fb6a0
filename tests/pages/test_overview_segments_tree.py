"""The Overview, Segments and Decision tree pages through Flask's test client and their layouts (real artifacts)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import dash
import pytest

import app  # noqa: F401  (creates the app, so the page modules below import as gunicorn loads them)
from dashapp.artifacts.current import current_store
from dashapp.core import catalogue, domain
from dashapp.views import facts
from tests.layout_helpers import by_id as _by_id, components as _components, text as _text

OVERVIEW, SEGMENTS, TREE = "pages.overview", "pages.segments", "pages.tree"


def _layout(name: str, **query):
    return dash.page_registry[name]["layout"](**query)


# --- Routes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/segments", "/segments?segment=2", "/tree"])
def test_pages_answer(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "_dash-config" in response.get_data(as_text=True)


def test_registry_orders_names_and_groups_the_pages():
    from dashapp.web.app import NAV_GROUPS, nav_pages

    pages = {name: dash.page_registry[name] for name in (OVERVIEW, SEGMENTS, TREE)}
    assert [(p["path"], p["name"], p["nav_group"]) for p in pages.values()] == [
        ("/", "Overview", "decide"), ("/segments", "Segments", "study"), ("/tree", "Decision tree", "study")]
    # What decides whom to call first, then the original study's reproduction; every page in a group but the 404.
    assert [page["path"] for page in nav_pages("decide")] == ["/", "/response", "/targeting", "/score"]
    assert [page["path"] for page in nav_pages("study")] == ["/data", "/explorer", "/segments", "/tree", "/methods"]
    grouped = {page["path"] for group in NAV_GROUPS for page in nav_pages(group)}
    assert grouped == {page["path"] for page in dash.page_registry.values()} - {"/404"}


def test_shell_layout_links_the_pages_in_order(client):
    response = client.get("/_dash-layout")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    positions = [body.index(f'"{name}"') for name in ("Overview", "Segments", "Decision tree")]
    assert positions == sorted(positions)


def test_dependencies_list_the_pages_callbacks(client):
    response = client.get("/_dash-dependencies")
    assert response.status_code == 200
    callbacks = json.loads(response.data)
    outputs = " ".join(callback["output"] for callback in callbacks)
    from pages.segments import SEGMENTS_URL

    for output in ("segments-space.figure", f"{SEGMENTS_URL}.search", "segments-picker.value",
                   "tree-graph.figure", "tree-confusion.figure", "tree-download.data"):
        assert outputs.count(output) == 1, output  # each written by one callback only


def test_rules_download_callback_answers_over_http(client, full_store):
    from pages import tree

    payload = {"output": "tree-download.data", "outputs": {"id": "tree-download", "property": "data"},
               "inputs": [{"id": "tree-download-button", "property": "n_clicks", "value": 1}],
               "changedPropIds": ["tree-download-button.n_clicks"], "state": []}
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200
    data = response.get_json()["response"]["tree-download"]["data"]
    nodes = full_store.evaluation["tree_nodes"]
    names = catalogue.segment_names(current_store())
    # The download keeps the data file's codes, to apply the rules to the data; the page says them in words.
    assert data["filename"] == "tree_rules.txt" and data["content"] == tree.rules_text(nodes, names, codes=True)
    assert "if housing = " in data["content"] and "if housing = " not in tree.rules_text(nodes, names)


# --- Overview -------------------------------------------------------------------------------------------


def test_overview_tells_the_data_period_subscription_share_and_citation(full_store):
    layout = _layout(OVERVIEW)
    text = _text(layout)
    assert "May 2008" in text and "Nov 2010" in text
    clients = full_store.clients
    assert f"{len(clients):,}" in text
    assert f"{(clients['y'] == 'yes').mean():.1%}" in text
    assert "Decision Support Systems 62 (2014) 22-31" in text and "CC BY 4.0" in text
    assert facts.outcome_use() in text  # where the outcome is used, said as every page says it
    assert f"{len(clients):,} clients, one row each, called {int(clients['campaign'].sum()):,} times" in text
    links = [c.href for c in _components(layout) if getattr(c, "href", None)]
    assert "https://doi.org/10.1016/j.dss.2014.03.001" in links


def test_overview_opens_with_whom_to_call_read_from_the_build(full_store):
    from pages.overview import OVERVIEW_ANSWER, OVERVIEW_LEVERS_LINK

    layout = _layout(OVERVIEW)
    text = _text(layout)
    ids = _by_id(layout)
    answer = _text(ids[OVERVIEW_ANSWER])
    # The answer is the page's first paragraph after its title, and with what the studio is, within 140 words.
    assert text.index(answer[:40]) < text.index("The studio reproduces the original study")
    opening = text[:text.index("Score a client to see its segment.")]
    assert len(opening.split()) <= 140, len(opening.split())
    levers = full_store.response["calendar"]["populations"]["test"]["levers"]
    for key in ("previous_success", "cellular", "many_calls", "retired_or_student"):
        assert f"{levers[key]['adjusted']['rate_ratio']:.2f} times as often" in answer, key
    assert "do not pick whom to call" in answer and "only a holdout would show" in answer
    assert ids[OVERVIEW_LEVERS_LINK].href == "/response#response-levers"


def test_overview_cards_link_to_each_segment_with_its_share(full_store):
    from pages.overview import segment_link_id

    layout = _layout(OVERVIEW)
    ids = _by_id(layout)
    shares = full_store.evaluation["final"]["shares"]
    text = _text(layout)
    for number, segment in catalogue.segments(current_store()).items():
        link = ids[segment_link_id(number)]
        assert link.href == f"/segments?segment={number}"
        assert segment.name in text and segment.products[0] in text
        assert f"{shares[str(number)]:.0%} of the clients" in text


def test_overview_compares_shares_and_silhouette_with_the_original(full_store):
    from pages.overview import OVERVIEW_QUALITY, OVERVIEW_SHARES

    final = full_store.evaluation["final"]
    ids = _by_id(_layout(OVERVIEW))
    figure = ids[OVERVIEW_SHARES].figure
    assert [trace.name for trace in figure.data] == ["This build", "Original study"]
    assert list(figure.data[1].y) == pytest.approx([100 * domain.REFERENCE_SHARES[n] for n in (1, 2, 3, 4)])
    quality = _text(ids[OVERVIEW_QUALITY])
    assert f"{final['silhouette']:.3f}" in quality and f"{domain.REFERENCE_SILHOUETTE:.2f}" in quality


# --- Segments -------------------------------------------------------------------------------------------


def test_segments_layout_has_every_chart_with_data():
    from pages import segments

    ids = _by_id(_layout(SEGMENTS))
    for graph in (segments.SEGMENTS_SPACE, segments.SEGMENTS_RADAR, segments.SEGMENTS_SIZES,
                  segments.SEGMENTS_JOBS):
        assert ids[graph].figure.data, graph
    space = ids[segments.SEGMENTS_SPACE].figure
    assert [trace.type for trace in space.data] == ["scatter3d"] * 4
    assert ids[segments.SEGMENTS_PICKER].value == segments.ALL_SEGMENTS


def test_segments_space_counts_every_training_client_once(full_store):
    from pages import segments

    space = _by_id(_layout(SEGMENTS))[segments.SEGMENTS_SPACE].figure
    total = sum(point[1] for trace in space.data for point in trace.customdata)
    assert total == full_store.evaluation["classifier"]["train_rows"]


def test_segments_query_selects_and_highlights_a_segment():
    from dashapp.figures.segments import FADED_OPACITY
    from pages import segments

    ids = _by_id(_layout(SEGMENTS, segment="2"))
    assert ids[segments.SEGMENTS_PICKER].value == 2
    opacity = {trace.name: trace.marker.opacity for trace in ids[segments.SEGMENTS_SPACE].figure.data}
    assert opacity["Segment 2"] == 1.0 and opacity["Segment 3"] == FADED_OPACITY
    detail = _text(ids[segments.SEGMENTS_DETAIL])
    segment = catalogue.segments(current_store())[2]
    assert segment.name in detail and segment.products[0] in detail


def test_segments_query_with_no_such_segment_shows_all_and_says_so():
    from pages import segments

    layout = _layout(SEGMENTS, segment="nine")
    assert _by_id(layout)[segments.SEGMENTS_PICKER].value == segments.ALL_SEGMENTS
    assert "There is no segment 'nine'" in _text(layout)


def _select(monkeypatch, trigger: str, picked=None, click=None, search=""):
    from pages import segments

    monkeypatch.setattr(segments, "ctx", SimpleNamespace(triggered_id=trigger))
    return segments.show_segment(picked, click, search)


def test_picking_a_segment_updates_the_charts_and_the_address(monkeypatch):
    from pages.segments import ALL_SEGMENTS, SEGMENTS_PICKER

    shown = _select(monkeypatch, SEGMENTS_PICKER, picked=4)
    assert shown["search"] == "?segment=4" and shown["picker"] is dash.no_update
    assert next(t for t in shown["radar"].data if t.name == "Segment 4").fill == "toself"
    assert catalogue.segments(current_store())[4].name in _text(shown["detail"])
    search = _select(monkeypatch, SEGMENTS_PICKER, picked=ALL_SEGMENTS, search="?segment=4")["search"]
    assert search == ""


def test_clicking_a_point_in_3d_selects_its_segment(monkeypatch):
    from pages.segments import SEGMENTS_SPACE

    click = {"points": [{"customdata": [3, 120]}]}
    shown = _select(monkeypatch, SEGMENTS_SPACE, picked=1, click=click)
    assert shown["picker"] == 3 and shown["search"] == "?segment=3"
    assert next(t for t in shown["space"].data if t.name == "Segment 3").marker.opacity == 1.0


def test_going_back_in_history_sets_the_picker_from_the_address(monkeypatch):
    from pages.segments import ALL_SEGMENTS, SEGMENTS_URL

    shown = _select(monkeypatch, SEGMENTS_URL, picked=4, search="?segment=1")
    assert shown["picker"] == 1 and shown["search"] is dash.no_update
    picker = _select(monkeypatch, SEGMENTS_URL, picked=4, search="")["picker"]
    assert picker == ALL_SEGMENTS


# --- Decision tree -------------------------------------------------------------------------------------


def test_tree_layout_draws_the_tree_matrix_balance_and_rules(full_store):
    from pages import tree

    layout = _layout(TREE)
    ids = _by_id(layout)
    nodes = next(t for t in ids[tree.TREE_GRAPH].figure.data if t.name == "nodes")
    assert len(nodes.customdata) == len(full_store.evaluation["tree_nodes"])
    heatmap = ids[tree.TREE_CONFUSION].figure.data[0]
    assert [list(row) for row in heatmap.z] == full_store.evaluation["classifier"]["tree"]["confusion_matrix"]
    assert len(ids[tree.TREE_BALANCE].figure.data) == 2
    # The page says what the job split means above the tree; the rules leave it to the download.
    assert ids[tree.TREE_RULES_TEXT].children == tree.rules_text(full_store.evaluation["tree_nodes"],
                                                                 catalogue.segment_names(current_store()), notes=False)
    metrics = _text(ids[tree.TREE_METRICS])
    classifier = full_store.evaluation["classifier"]
    assert f"{classifier['logistic']['accuracy']:.3f}" in metrics and "Segment 4" in metrics


def test_clicking_a_tree_node_highlights_the_way_to_it(full_store, monkeypatch):
    from pages import tree

    monkeypatch.setattr(tree, "ctx", SimpleNamespace(triggered_id=tree.TREE_GRAPH))
    leaf = max(node["id"] for node in full_store.evaluation["tree_nodes"] if node["is_leaf"])
    for viewport in (None, {"width": 1400}, {"width": 390}):
        figure, style = tree.draw_tree({"points": [{"customdata": leaf, "x": 0, "y": 0}]}, viewport)
        path = next(t for t in figure.data if t.name == "decision path")
        assert len([x for x in path.x if x is None]) == full_store.evaluation["tree_nodes"][leaf]["depth"]


def test_the_tree_is_stacked_for_a_phone_and_left_as_drawn_on_a_wide_screen(full_store, monkeypatch):
    from dash.exceptions import PreventUpdate

    from dashapp.figures.tree import WIDE_HEIGHT
    from pages import tree

    monkeypatch.setattr(tree, "ctx", SimpleNamespace(triggered_id=None))  # the page has just been drawn
    with pytest.raises(PreventUpdate):  # the layout's classic tree fits a wide screen: nothing to redraw
        tree.draw_tree(None, {"width": 1400})
    figure, style = tree.draw_tree(None, {"width": 390})
    assert not figure.layout.annotations  # the stacked tree writes its rules in the boxes
    assert int(style["height"].removesuffix("px")) > WIDE_HEIGHT


def test_switching_the_confusion_matrix_to_the_logistic_regression(full_store):
    from pages import tree

    figure = tree.show_confusion_matrix("logistic")
    expected = full_store.evaluation["classifier"]["logistic"]["confusion_matrix"]
    assert [list(row) for row in figure.data[0].z] == expected


# --- Without artifacts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [OVERVIEW, SEGMENTS, TREE])
def test_pages_without_artifacts_say_what_to_run(monkeypatch, name):
    module = __import__(name, fromlist=["layout"])
    monkeypatch.setattr(module, "artifact_status", lambda: (None, "No artifacts in /nowhere."))
    layout = _layout(name)
    assert "artifact-problem" in layout.className
    # The reason names the server's model folder: for the operator's log, not for the page.
    assert "make artifacts" in _text(layout) and "/nowhere" not in _text(layout)


def test_page_ids_are_prefixed_by_their_page():
    for name, prefix in ((OVERVIEW, "overview-"), (SEGMENTS, "segments-"), (TREE, "tree-")):
        ids = _by_id(_layout(name))
        assert ids and all(component_id.startswith(prefix) for component_id in ids), name
