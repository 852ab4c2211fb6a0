"""The app as a whole: every page and Dash route answers, layers stay apart, component ids are unique."""

from __future__ import annotations

import json
import subprocess
import sys

import dash
import pytest

from tests.browser_helpers import REPO
from tests.layout_helpers import callback_rendered_layouts, components as _walk


@pytest.fixture(scope="module")
def dash_app():
    # gunicorn imports `app:server`; so do we. The page registry is global, so one app per test session.
    from app import app

    return app


@pytest.fixture(scope="module")
def client(dash_app):
    return dash_app.server.test_client()


def _page_layouts():
    for module, page in dash.page_registry.items():
        layout = page["layout"]
        yield module, layout() if callable(layout) else layout


def test_pages_are_the_expected_modules(dash_app):
    modules = set(dash.page_registry)
    assert {"pages.overview", "pages.data", "pages.explorer", "pages.segments", "pages.tree"} <= modules


def test_every_page_and_dash_route_answers(client):
    for page in dash.page_registry.values():
        assert client.get(page["relative_path"]).status_code == 200, page["relative_path"]
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200 and "page-content" in layout.get_data(as_text=True)
    dependencies = client.get("/_dash-dependencies")
    assert dependencies.status_code == 200 and len(json.loads(dependencies.data)) > 0
    assert client.get("/vendor/bootstrap.min.css").status_code == 200


def test_healthz_reports_the_manifest(client, full_store):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["artifacts"]["data_sha256"] == full_store.manifest["data"]["sha256"]
    assert body["artifacts"]["mode"] == "full"


def test_component_ids_are_unique_across_pages(dash_app):
    seen: dict[str, str] = {}
    for module, layout in _page_layouts():
        for component in _walk(layout):
            component_id = getattr(component, "id", None)
            if isinstance(component_id, str):
                assert component_id not in seen, f"{component_id} in {module} and {seen[component_id]}"
                seen[component_id] = module


def test_every_callback_id_exists_in_a_layout(dash_app, client, full_store):
    # suppress_callback_exceptions is on (pages mount their components later), so typos must be caught here.
    layouts = [layout for _, layout in _page_layouts()] + [dash_app.layout()] + callback_rendered_layouts(full_store)
    # String ids; pattern-matching ids (dicts, e.g. the menu's links) are skipped below.
    known = {c.id for layout in layouts for c in _walk(layout) if isinstance(getattr(c, "id", None), str)}
    for callback in json.loads(client.get("/_dash-dependencies").data):
        ids = [item["id"] for item in callback["inputs"] + callback.get("state", [])]
        output = callback["output"].lstrip(".")
        ids += [part.split(".")[0] for part in output.split("...")]
        for component_id in ids:
            if component_id.startswith("{"):  # pattern-matching ids
                continue
            assert component_id in known, f"callback refers to missing id {component_id!r}"


def test_no_chart_on_any_page_offers_to_send_it_off_the_server(dash_app, full_store):
    # Plotly's "Share chart..." uploads a chart, and the data it carries (the t-SNE map: client records), to
    # Plotly Cloud. Every chart, on every page and in the shell, gets the app's one graph config.
    from dash import dcc

    from dashapp.web.components import OFF_SERVER_BUTTONS

    graphs = {}
    for module, layout in [*_page_layouts(), ("shell", dash_app.layout())]:
        graphs[module] = [c for c in _walk(layout) if isinstance(c, dcc.Graph)]
    assert all(graphs[page] for page in ("pages.data", "pages.explorer", "pages.segments", "pages.tree",
                                         "pages.overview")), {module: len(found) for module, found in graphs.items()}
    for module, found in graphs.items():
        for chart in found:
            config = chart.config
            assert config["showSendToCloud"] is False and config["plotlyServerURL"] == "", (module, chart.id)
            assert set(OFF_SERVER_BUTTONS) <= set(config["modeBarButtonsToRemove"]), (module, chart.id)


def test_creating_the_app_loads_no_artifact():
    # Importing app (and so every page) must not touch model/: a missing artifact gives a clear page, not a
    # crashed worker, and gunicorn's master decides when to load.
    code = "import app, dashapp.artifacts.model_folder as a; print(a.load_store.cache_info().currsize)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0"


def test_gunicorn_master_finishes_dash_setup_before_forking():
    # Regression: Dash marks its first-request set-up done before registering callbacks and script paths; two
    # first requests on two threads of a fresh worker got a 500. gunicorn.conf.py's when_ready does the set-up
    # in the master, so forked workers inherit it complete. A fresh interpreter, as gunicorn's master is.
    code = """
import importlib.util, logging
import app
spec = importlib.util.spec_from_file_location("gunicorn_settings", "gunicorn.conf.py")
settings = importlib.util.module_from_spec(spec)
spec.loader.exec_module(settings)
before = app.app._got_first_request["setup_server"]
settings.when_ready(type("Arbiter", (), {"log": logging.getLogger("test")})())
print(before, app.app._got_first_request["setup_server"], sorted(app.app.registered_paths),
      len(app.app.callback_map) > 5)
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False True ['dash', 'dash_bootstrap_components', 'plotly'] True"
