"""Requests the UI never sends get no update or a 4xx, never a 500, and at most one line in the log.

Every server callback of the app (``app.callback_map``, the pages' and Dash's page router) is posted crafted
values, one input at a time, the others as the page's layout starts them, through the Flask test client of
``app:server`` on the full artifacts; malformed envelopes and unknown component-suite files are posted too.
"""

from __future__ import annotations

import logging

import pytest

from tests.layout_helpers import layout_start_values

DISPATCH = "/_dash-update-component"

#: Values no widget of the studio sends: wrong types, out-of-range and huge numbers, unknown strings, lists for
#: scalars, objects, clicks on points that are not drawn.
CRAFTED = [
    ["a", "b"], 5, -1, 999, 99999, 10**30, 1.5, 1e308, float("inf"), True, "zzz", "", "x" * 10_000,
    [], [None, None], [1, 2, 3], [[1, 2]], {}, {"width": "wide"}, {"points": []}, {"points": "x"},
    {"points": [{"customdata": 99999}]}, {"points": [{"customdata": [99999, "x"]}]},
    {"points": [{"customdata": ["x"], "x": 1, "y": {}}]}, {"points": [{"x": "P99", "y": "nowhere"}]},
    "?age=a-b&job=5&k=999&treatment=zzz&segment=99&tab=x&from=2099-01&to=1999-01&pipeline=P&features=[]",
    "?segment=1&segment=2&age=1&age=2&" + "k=1&" * 500,
]


@pytest.fixture(scope="module")
def dash_app(full_store):
    from app import app

    return app


@pytest.fixture(scope="module")
def client(dash_app):
    client = dash_app.server.test_client()
    # Dash registers the pages' callbacks and its page router on the first request.
    assert client.get("/").status_code == 200
    return client


@pytest.fixture(scope="module")
def start_values(dash_app) -> dict:
    """``{(component id, property): value}`` as the shell and every page's layout start them."""
    return layout_start_values(dash_app)


#: The Score page's file download, which helper work on issue 13 (finding 1) rewrites as a background callback:
#: it still logs a traceback for crafted upload contents (the UI enables it only after a good upload).
REWRITTEN_ELSEWHERE = {"download_file"}


def _server_callbacks(dash_app) -> dict:
    return {output: spec for output, spec in dash_app.callback_map.items() if "callback" in spec}


def _envelope(spec: dict, output: str, values: dict, changed: str | None = None) -> dict:
    """A request body as Dash's renderer builds it for the callback of ``output``."""
    declared = spec["output"] if isinstance(spec["output"], (list, tuple)) else [spec["output"]]
    outputs = [{"id": o.component_id, "property": o.component_property} for o in declared]

    def entries(key):
        return [{**item, "value": values.get((item["id"], item["property"]))} for item in spec[key]]

    first = spec["inputs"][0]
    return {"output": output, "outputs": outputs if isinstance(spec["output"], (list, tuple)) else outputs[0],
            "inputs": entries("inputs"), "state": entries("state"),
            "changedPropIds": [changed or f"{first['id']}.{first['property']}"]}


def _output_of(dash_app, function_name: str) -> tuple[str, dict]:
    return next((output, spec) for output, spec in _server_callbacks(dash_app).items()
                if spec["callback"].__name__ == function_name)


def _tracebacks(caplog) -> list[str]:
    return [f"{r.name}: {r.getMessage()[:200]}" for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_every_callback_answers_crafted_inputs_without_a_500_or_a_traceback(dash_app, client, start_values, caplog):
    caplog.set_level(logging.WARNING)
    callbacks = _server_callbacks(dash_app)
    assert len(callbacks) >= 18  # every page's callbacks and Dash's page router
    callbacks = {output: spec for output, spec in callbacks.items()
                 if spec["callback"].__name__ not in REWRITTEN_ELSEWHERE}
    failures = []
    for output, spec in callbacks.items():
        start = client.post(DISPATCH, json=_envelope(spec, output, start_values))
        assert start.status_code in (200, 204), (spec["callback"].__name__, start.status_code)
        for position, item in enumerate(spec["inputs"] + spec["state"]):
            is_input = position < len(spec["inputs"])
            for value in CRAFTED:
                values = {**start_values, (item["id"], item["property"]): value}
                changed = f"{item['id']}.{item['property']}" if is_input else None
                response = client.post(DISPATCH, json=_envelope(spec, output, values, changed))
                if response.status_code >= 500:
                    failures.append((spec["callback"].__name__, item["id"], item["property"], str(value)[:60]))
    assert not failures, failures[:20]
    assert not _tracebacks(caplog)


@pytest.mark.parametrize("page", ["/", "/data", "/explorer", "/segments", "/tree", "/score", "/nowhere"])
def test_every_page_layout_answers_a_crafted_address(dash_app, client, start_values, caplog, page):
    caplog.set_level(logging.WARNING)
    output, spec = _output_of(dash_app, "update")  # Dash's page router calls the page's layout(**query)
    for search in [value for value in CRAFTED if isinstance(value, str)] + ["?" + "%ff%00=%zz&" * 50]:
        values = {**start_values, ("_pages_location", "pathname"): page, ("_pages_location", "search"): search}
        response = client.post(DISPATCH, json=_envelope(spec, output, values, "_pages_location.search"))
        assert response.status_code == 200, (page, search[:60])
    assert not _tracebacks(caplog)


@pytest.mark.parametrize("function_name, component, prop, value, says", [
    ("sync_filter", "data-age", "value", ["a", "b"], "age='a'"),
    ("update_profile", "data-age", "value", ["a", "b"], "age='a'"),
    ("update_headline", "data-job", "value", 5, "job=5"),
    ("update_economy", "data-economy-open", "n_clicks", "x", "opened='x'"),
    ("sync_selection", "explorer-treatment", "value", "zzz", "treatment='zzz'"),
    ("update_curves", "explorer-treatment", "value", "zzz", "treatment='zzz'"),
    ("update_map", "explorer-k", "value", 999, "k=999"),
    ("update_overview", "explorer-k", "value", 999, "k=999"),
    ("show_segment", "segments-picker", "value", 99, "segments-picker=99"),
    ("draw_tree", "tree-graph", "clickData", {"points": [{"customdata": 99999, "x": 0, "y": 0}]}, "node=99999"),
    ("show_confusion_matrix", "tree-confusion-model", "value", "forest", "'forest'"),
    ("show_client", "explorer-tsne", "clickData", {"points": [{"customdata": [99999, "40"]}]}, "99999"),
    ("score_one_client", "shell-viewport", "data", "wide", "viewport='wide'"),
])
def test_the_named_crafted_inputs_get_no_update_and_one_log_line(dash_app, client, start_values, caplog,
                                                                  function_name, component, prop, value, says):
    caplog.set_level(logging.WARNING)
    output, spec = _output_of(dash_app, function_name)
    changed = f"{component}.{prop}" if any(i["id"] == component for i in spec["inputs"]) else None
    body = _envelope(spec, output, {**start_values, (component, prop): value}, changed)
    response = client.post(DISPATCH, json=body)
    assert response.status_code == 204 and not response.data  # Dash's "no update"
    assert [(r.name, r.levelname, r.exc_info) for r in caplog.records] == [("dashapp.web.app", "WARNING", None)]
    assert says in caplog.records[0].getMessage() and "\n" not in caplog.records[0].getMessage()


@pytest.mark.parametrize("body", [
    [], {}, "text", 5, [{"output": "data-headline.children"}], {"output": "nowhere.children"}, {"output": 5},
    {"output": "shell-nav-collapse.is_open", "outputs": {"id": "shell-nav-collapse", "property": "is_open"},
     "inputs": [], "changedPropIds": []},  # a clientside callback: nothing on the server to run
])
def test_a_malformed_envelope_gets_400(client, body, caplog):
    caplog.set_level(logging.WARNING)
    response = client.post(DISPATCH, json=body)
    assert response.status_code == 400
    assert not _tracebacks(caplog)
    assert client.post(DISPATCH, data="null", content_type="application/json").status_code == 400


def test_an_envelope_that_does_not_match_its_callback_gets_400(dash_app, client, start_values, caplog):
    caplog.set_level(logging.WARNING)
    output, spec = _output_of(dash_app, "update_map")
    good = _envelope(spec, output, start_values)
    broken = [
        {**good, "inputs": good["inputs"][:-1]},  # an input missing
        {**good, "inputs": good["inputs"] + good["inputs"][:1]},  # one too many
        {**good, "inputs": [{"id": "explorer-k"}] * len(good["inputs"])},  # no property
        {**good, "inputs": [5] * len(good["inputs"])},  # not objects
        {**good, "inputs": list(reversed(good["inputs"]))},  # out of order
        {**good, "outputs": good["outputs"][:1]},
        {**good, "outputs": {"id": "explorer-tsne", "property": "figure"}},
        {**good, "changedPropIds": "explorer-k.value"},
        {**good, "changedPropIds": ["data-age.value"]},
        {**good, "changedPropIds": ['{"bad json.value']},
        {**good, "state": [{"id": "explorer-k", "property": "value", "value": 4}]},
        {key: value for key, value in good.items() if key != "outputs"},
    ]
    assert client.post(DISPATCH, json=good).status_code == 200
    for body in broken:
        assert client.post(DISPATCH, json=body).status_code == 400, body
    for text in ["[" * 100_000, "{", "not json"]:
        assert client.post(DISPATCH, data=text, content_type="application/json").status_code == 400
    assert client.post(DISPATCH, data="{}", content_type="text/plain").status_code == 415
    assert not _tracebacks(caplog)


def test_the_page_router_refuses_an_address_that_is_not_text(dash_app, client, start_values, caplog):
    caplog.set_level(logging.WARNING)
    output, spec = _output_of(dash_app, "update")
    for prop, value in [("pathname", 5), ("pathname", ["/data"]), ("search", {"age": 1})]:
        values = {**start_values, ("_pages_location", prop): value}
        assert client.post(DISPATCH, json=_envelope(spec, output, values)).status_code == 400
    assert not _tracebacks(caplog)


@pytest.mark.parametrize("path", [
    "/_dash-component-suites/no_such_package/bundle.js",
    "/_dash-component-suites/dash/no_such_file.js",
    "/_dash-component-suites/dash/dcc/no_such_chunk.v9_9_9m1.js",
    "/_dash-component-suites/dash/../../../etc/passwd",
    "/_dash-component-suites/dash_bootstrap_components/_components/nothing.min.js",
])
def test_an_unknown_component_suite_file_is_404(client, path, caplog):
    caplog.set_level(logging.WARNING)
    assert client.get(path).status_code == 404
    assert not _tracebacks(caplog)


def test_a_real_error_in_a_callback_still_logs_its_traceback(dash_app, client, start_values, caplog, monkeypatch):
    from pages import tree

    def broken(_matrix, _numbers):
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(tree, "confusion_matrix_figure", broken)
    caplog.set_level(logging.WARNING)
    output, spec = _output_of(dash_app, "show_confusion_matrix")
    body = _envelope(spec, output, {**start_values, ("tree-confusion-model", "value"): "logistic"})
    assert client.post(DISPATCH, json=body).status_code == 500
    assert any(r.exc_info and "a bug of ours" in str(r.exc_info[1]) for r in caplog.records)
