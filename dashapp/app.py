"""The Dash app factory: the shell (navigation, footer) and the Flask routes around the pages.

The routes are the locally served Bootstrap CSS, ``/healthz`` and the scoring API (:func:`dashapp.api.mount`).
The artifact store is not held here: pages and API ask :func:`dashapp.store.current_store`, loaded on first use.

The top-level ``app.py`` calls :func:`create_app` with its own module name so that Dash finds ``pages/`` and
``assets/`` beside it and names the page modules ``pages.<name>``, exactly as gunicorn imports them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import flask_bootstrap
from dash import ALL, Dash, Input, Output, State, dcc, html
from flask import jsonify, send_from_directory
from flask_talisman import Talisman

from dashapp import api
from dashapp.artifacts import REBUILD_COMMAND
from dashapp.components import VIEWPORT_STORE
from dashapp.settings import PROJECT_ROOT, Settings, get_settings
from dashapp.store import UNAVAILABLE, artifact_status, log_unavailable, public_summary

logger = logging.getLogger(__name__)

APP_TITLE = "Bank client segmentation studio"
#: Bootstrap 5's compiled CSS as the bootstrap-flask package ships it: served by us, never from a CDN.
_BOOTSTRAP_CSS_DIR = Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5" / "css"
_VENDOR_ROUTE = "vendor/bootstrap.min.css"

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
    # What was built and from which data; the library versions and the server's paths stay in the log.
    store, problem = artifact_status()
    if store is None:
        log_unavailable(problem)
        text = f"Artifacts not loaded: ask the operator to run `{REBUILD_COMMAND}`."
    else:
        summary = public_summary(store)
        text = (f"Artifacts built {summary['built_at']} ({summary['mode']} build) from data sha256 "
                f"{summary['data_sha256'][:12]}. Data: UCI Bank Marketing (Moro, Cortez and Rita, 2014), CC BY 4.0.")
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
    )
    app.layout = _shell_layout
    _register_shell_callbacks(app)
    server = app.server

    @server.route(prefix + _VENDOR_ROUTE)
    def bootstrap_css():
        return send_from_directory(_BOOTSTRAP_CSS_DIR, "bootstrap.min.css", max_age=86400)

    @server.route(prefix + "healthz")
    def healthz():
        store, problem = artifact_status()
        if store is None:
            log_unavailable(problem)
            return jsonify({"status": "unavailable", "reason": UNAVAILABLE}), 503
        return jsonify({"status": "ok", "artifacts": public_summary(store)})

    api.mount(server, prefix)
    _add_security_headers(app, force_https=force_https_from_env())
    return app


def force_https_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """``FORCE_HTTPS`` (``1``/``true``/``yes``): redirect plain-HTTP requests to HTTPS; off by default.

    A PaaS ends TLS at its router and forwards plain HTTP with ``X-Forwarded-Proto: https``, which counts as
    HTTPS here; turn it on only behind such a router, since locally and in tests there is no HTTPS to go to.
    """
    value = (os.environ if environ is None else environ).get("FORCE_HTTPS", "")
    return value.strip().lower() in {"1", "true", "yes", "on"}


def content_security_policy(script_hashes: Sequence[str]) -> dict[str, str | list[str]]:
    """The Content-Security-Policy of every response: everything from this server, nothing else.

    Parameters
    ----------
    script_hashes : sequence of str
        Dash's ``app.csp_hashes()``: its inline scripts (the renderer's start, clientside callbacks).

    Returns
    -------
    dict
        Directive -> sources, as flask-talisman takes it.
    """
    return {
        "default-src": "'self'",
        "script-src": ["'self'", *script_hashes],
        # plotly.js and Dash's components add <style> elements and style attributes as they draw.
        "style-src": ["'self'", "'unsafe-inline'"],
        # Bootstrap's icons are data: SVGs; plotly's downloads (PNG, SVG) pass through data: and blob: URLs.
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        # plotly.js's WebGL charts (the 3-D scatter) may start web workers from blob: URLs.
        "worker-src": ["'self'", "blob:"],
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def _add_security_headers(app: Dash, force_https: bool) -> Talisman:
    """Content-Security-Policy, nosniff, Referrer-Policy, no framing on every response (flask-talisman)."""
    talisman = Talisman(
        app.server,
        content_security_policy=content_security_policy(app.csp_hashes()),
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        force_https=force_https,
        # HSTS is sent only on HTTPS requests (or X-Forwarded-Proto: https), so it is safe to leave on.
        strict_transport_security=True,
        session_cookie_secure=force_https,
    )

    @app.server.before_request
    def _hash_inline_scripts():
        # The pages' clientside callbacks become inline scripts during Dash's set-up on a process's first request
        # (a before_request hook registered before this one), so the hashes are taken again on every request:
        # a few microseconds.
        talisman.content_security_policy["script-src"] = ["'self'", *app.csp_hashes()]

    return talisman
