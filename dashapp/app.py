"""The Dash app factory: the shell (navigation, footer) and the Flask routes around the pages.

The routes are the locally served Bootstrap CSS, ``/healthz`` and the scoring API (:func:`dashapp.api.mount`).
Two limits on work per request live here: the largest request body (:data:`MAX_REQUEST_BYTES`) and the manager of
background callbacks (the Score page scores a file in a process of its own; :mod:`dashapp.score_jobs`).
The artifact store is not held here: pages and API ask :func:`dashapp.store.current_store`, loaded on first use.

The top-level ``app.py`` calls :func:`create_app` with its own module name so that Dash finds ``pages/`` and
``assets/`` beside it and names the page modules ``pages.<name>``, exactly as gunicorn imports them.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import flask_bootstrap
from dash import ALL, Dash, DiskcacheManager, Input, Output, State, dcc, html
from flask import jsonify, send_from_directory

from dashapp import api, score_jobs
from dashapp.client_files import MAX_UPLOAD_BYTES
from dashapp.components import VIEWPORT_STORE
from dashapp.settings import PROJECT_ROOT, Settings, get_settings
from dashapp.store import artifact_status

logger = logging.getLogger(__name__)

APP_TITLE = "Bank client segmentation studio"
#: Bootstrap 5's compiled CSS as the bootstrap-flask package ships it: served by us, never from a CDN.
_BOOTSTRAP_CSS_DIR = Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5" / "css"
_VENDOR_ROUTE = "vendor/bootstrap.min.css"

#: Room for a callback's JSON around an upload: ids, the file's name, the other inputs and states.
CALLBACK_ENVELOPE_BYTES = 64 * 1024
#: The largest request body the app reads (Flask's MAX_CONTENT_LENGTH). The largest request is a Score page
#: callback carrying an upload: the file as a base64 data URL (4 bytes for every 3, plus a short header) in the
#: envelope. Werkzeug refuses a larger body with 413 from its Content-Length, before reading any of it; the API
#: keeps its own, smaller limit and its JSON 413 (dashapp.api.MAX_BODY_BYTES).
MAX_REQUEST_BYTES = 4 * math.ceil(MAX_UPLOAD_BYTES / 3) + CALLBACK_ENVELOPE_BYTES

NAV_ID = "shell-nav"
NAV_TOGGLER_ID = "shell-nav-toggler"
NAV_COLLAPSE_ID = "shell-nav-collapse"
#: Pattern of the navigation links' ids: ``{"type": NAV_LINK_TYPE, "page": <page path>}``.
NAV_LINK_TYPE = "shell-nav-link"
LOCATION_ID = "shell-location"
FOOTER_ID = "shell-footer"
PAGE_CONTENT_ID = "page-content"


def _navbar() -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], active="exact",
                                id={"type": NAV_LINK_TYPE, "page": page["path"]}))
        for page in dash.page_registry.values()
        if page.get("order") is not None
    ]
    # The links collapse behind a toggler below 1200 px (six links and the title need about that). A callback
    # closes the menu when a page is picked: open, it would cover a phone's screen.
    return dbc.Navbar(dbc.Container([
        dbc.NavbarBrand(APP_TITLE, href=dash.get_relative_path("/"), className="text-wrap"),
        dbc.NavbarToggler(id=NAV_TOGGLER_ID, n_clicks=0),
        dbc.Collapse(dbc.Nav(links, navbar=True, className="ms-auto"), id=NAV_COLLAPSE_ID, is_open=False,
                     navbar=True),
    ], fluid=True), color="primary", dark=True, expand="xl", className="mb-3", id=NAV_ID)


def _footer() -> html.Footer:
    store, problem = artifact_status()
    if store is None:
        text = "Artifacts not loaded: " + (problem or "")
    else:
        summary = store.summary()
        versions = summary["versions"]
        text = (f"Artifacts built {summary['built_at']} ({summary['mode']} build) from data sha256 "
                f"{summary['data_sha256'][:12]}; scikit-learn {versions['scikit-learn']}, pandas "
                f"{versions['pandas']}, numpy {versions['numpy']}. Data: UCI Bank Marketing (Moro, Cortez and "
                "Rita, 2014), CC BY 4.0.")
    return html.Footer(dbc.Container(html.Small(text, className="text-muted"), fluid=True),
                       className="border-top mt-4 py-3", id=FOOTER_ID)


def _shell_layout():
    # A function, so the footer reflects the artifacts at request time (e.g. after a rebuild and restart).
    return html.Div([
        dcc.Location(id=LOCATION_ID, refresh=False),
        dcc.Store(id=VIEWPORT_STORE),
        _navbar(),
        # Bootstrap's own padding on a phone (less would let the rows' negative margins stick out of the page).
        dbc.Container(dash.page_container, fluid=True, className="px-md-4", id=PAGE_CONTENT_ID),
        _footer(),
    ])


def _register_shell_callbacks(app: Dash) -> None:
    # In the browser: a menu that opens and closes, and the window's width, need no round trip to the server.
    app.clientside_callback(
        """
        function(togglerClicks, pathname, linkClicks, isOpen) {
            const trigger = window.dash_clientside.callback_context.triggered_id;
            return trigger === "%s" ? !isOpen : false;
        }
        """ % NAV_TOGGLER_ID,
        Output(NAV_COLLAPSE_ID, "is_open"),
        Input(NAV_TOGGLER_ID, "n_clicks"), Input(LOCATION_ID, "pathname"),
        Input({"type": NAV_LINK_TYPE, "page": ALL}, "n_clicks"),
        State(NAV_COLLAPSE_ID, "is_open"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        "function(pathname) { return {width: window.innerWidth}; }",
        Output(VIEWPORT_STORE, "data"), Input(LOCATION_ID, "pathname"),
    )


def create_app(name: str, settings: Settings | None = None) -> Dash:
    """Create the Dash app with its pages, the local theme and the Flask routes.

    Parameters
    ----------
    name : str
        The calling module's ``__name__``; Dash looks for ``pages/`` and ``assets/`` beside that module.
    settings : Settings, optional
        Default :func:`dashapp.settings.get_settings`.

    Returns
    -------
    Dash
        The app; its Flask server is ``app.server``.
    """
    settings = settings or get_settings()
    prefix = settings.url_prefix
    app = Dash(
        name,
        use_pages=True,
        pages_folder=str(PROJECT_ROOT / "pages"),
        assets_folder=str(PROJECT_ROOT / "assets"),
        url_base_pathname=prefix,
        external_stylesheets=[prefix + _VENDOR_ROUTE],
        title=APP_TITLE,
        update_title=None,
        # Pages add their own components; the id-coverage test guards against typos this would hide.
        suppress_callback_exceptions=True,
        serve_locally=True,
        # Jobs run in a process each (multiprocess, forked from the worker); their progress and results pass
        # through a diskcache folder every worker shares, so any worker answers a job's polls.
        background_callback_manager=DiskcacheManager(score_jobs.callback_cache()),
    )
    app.layout = _shell_layout
    _register_shell_callbacks(app)
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES

    @server.route(prefix + _VENDOR_ROUTE)
    def bootstrap_css():
        return send_from_directory(_BOOTSTRAP_CSS_DIR, "bootstrap.min.css", max_age=86400)

    @server.route(prefix + "healthz")
    def healthz():
        store, problem = artifact_status()
        if store is None:
            return jsonify({"status": "unavailable", "reason": problem}), 503
        return jsonify({"status": "ok", "artifacts": store.summary()})

    api.mount(server, prefix)
    return app
