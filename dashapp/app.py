"""The Dash app factory: the shell (navigation, footer), the Flask routes around it, and the artifact store.

The top-level ``app.py`` calls :func:`create_app` with its own module name so that Dash finds ``pages/`` and
``assets/`` beside it and names the page modules ``pages.<name>``, exactly as gunicorn imports them.
"""

from __future__ import annotations

import logging
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import flask_bootstrap
from dash import Dash, html
from flask import jsonify, send_from_directory

from dashapp import api
from dashapp.settings import PROJECT_ROOT, Settings, get_settings
from dashapp.store import artifact_status

logger = logging.getLogger(__name__)

APP_TITLE = "Bank client segmentation studio"
#: Bootstrap 5's compiled CSS as the bootstrap-flask package ships it: served by us, never from a CDN.
_BOOTSTRAP_CSS_DIR = Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5" / "css"
_VENDOR_ROUTE = "vendor/bootstrap.min.css"

NAV_ID = "shell-nav"
FOOTER_ID = "shell-footer"
PAGE_CONTENT_ID = "page-content"


def _navbar() -> dbc.NavbarSimple:
    links = [
        dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], active="exact"))
        for page in dash.page_registry.values()
        if page.get("order") is not None
    ]
    # NavbarSimple collapses the links behind a toggler below 1200 px (six links and the title need about that)
    # without a callback of ours.
    return dbc.NavbarSimple(links, brand=APP_TITLE, brand_href=dash.get_relative_path("/"), color="primary",
                            dark=True, fluid=True, expand="xl", className="mb-3", id=NAV_ID)


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
        _navbar(),
        dbc.Container(dash.page_container, fluid=True, className="px-4", id=PAGE_CONTENT_ID),
        _footer(),
    ])


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
    server = app.server

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
