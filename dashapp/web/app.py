"""The Dash app factory: the shell (navigation, footer) and the Flask routes around the pages.

The routes are the locally served Bootstrap CSS, ``/healthz`` and the scoring API (:func:`dashapp.web.api.mount`).
Dash's own routes answer requests its renderer never sends with a 4xx, not a 500
(:func:`_refuse_what_the_ui_never_sends`). Two limits on work per request live here: the largest request body
(:data:`MAX_REQUEST_BYTES`) and the manager of background callbacks (the Score page scores a file in a process of
its own; :mod:`dashapp.scoring.score_jobs`).
The artifact store is not held here: pages and API ask :func:`dashapp.artifacts.current.current_store`, loaded on first
use.

The top-level ``app.py`` calls :func:`create_app` with its own module name so that Dash finds ``pages/`` and
``assets/`` beside it and names the page modules ``pages.<name>``, exactly as gunicorn imports them.
A little over 450 lines: the shell, each request's language, the refusal of requests the renderer never sends
and the security headers are the app's one Flask layer, in sections of their own.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import flask_bootstrap
from dash import ALL, Dash, DiskcacheManager, Input, Output, State, dcc, html
from dash._callback import GLOBAL_CALLBACK_MAP
from dash.exceptions import DependencyException, PreventUpdate
from flask import Response, abort, jsonify, request, send_from_directory
from flask_talisman import Talisman

from dashapp.artifacts.current import UNAVAILABLE, artifact_status, log_unavailable, public_summary
from dashapp.artifacts.model_folder import REBUILD_COMMAND
from dashapp.core import i18n
from dashapp.core.i18n import _
from dashapp.core.settings import PROJECT_ROOT, Settings, get_settings
from dashapp.scoring import score_jobs
from dashapp.scoring.client_files import MAX_UPLOAD_BYTES
from dashapp.views import glossary
from dashapp.views.inputs import InvalidInput, shown
from dashapp.views.methods import METHODS_PATH
from dashapp.views.provenance import footer_credit
from dashapp.web import api, body_limits, plotly_locale
from dashapp.web.components import APP_TITLE, LOCATION_ID, VIEWPORT_STORE

logger = logging.getLogger(__name__)

#: Bootstrap 5's compiled CSS as the bootstrap-flask package ships it: served by us, never from a CDN.
_BOOTSTRAP_CSS_DIR = Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5" / "css"
_VENDOR_ROUTE = "vendor/bootstrap.min.css"
#: The script that gives plotly.js the studio's languages (dashapp.web.plotly_locale).
_PLOTLY_LOCALES_ROUTE = "plotly-locales.js"

#: Room for a callback's JSON around an upload: ids, the file's name, the other inputs and states.
CALLBACK_ENVELOPE_BYTES = 64 * 1024
#: The largest request body the app reads (Flask's MAX_CONTENT_LENGTH). The largest request is a Score page
#: callback carrying an upload: the file as a base64 data URL (4 bytes for every 3, plus a short header) in the
#: envelope. Werkzeug refuses a larger body with 413 from its Content-Length, before reading any of it; the API
#: keeps its own, smaller limit and its JSON 413 (dashapp.web.api.MAX_BODY_BYTES).
MAX_REQUEST_BYTES = 4 * math.ceil(MAX_UPLOAD_BYTES / 3) + CALLBACK_ENVELOPE_BYTES

NAV_ID = "shell-nav"
NAV_TOGGLER_ID = "shell-nav-toggler"
NAV_COLLAPSE_ID = "shell-nav-collapse"
#: Pattern of the navigation links' ids: ``{"type": NAV_LINK_TYPE, "page": <page path>}``.
NAV_LINK_TYPE = "shell-nav-link"
#: Pattern of the language switch's links' ids: ``{"type": LANGUAGE_LINK_TYPE, "language": <code>}``.
LANGUAGE_LINK_TYPE = "shell-language"
#: How long the browser remembers a language chosen with the switch.
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600
#: Each page's last address query in this tab (``{"/data": "?age=25-40", ...}``, the language left out): the
#: original study's menu links to a page with it, so coming back through the menu restores the page's state.
PAGE_QUERIES_STORE = "shell-page-queries"
FOOTER_ID = "shell-footer"
PAGE_CONTENT_ID = "page-content"


#: The navigation's groups, by the ``nav_group`` each page registers with: the pages that decide whom to call are
#: links of their own; the original study's reproduction sits behind one menu, so the bar fits one line from
#: 1200 px in both languages.
NAV_GROUPS: dict[str, str | None] = {"decide": None, "study": i18n.N_("The original study")}
#: The menu of a group (``{"type": NAV_GROUP_TYPE, "group": <group>}``) and its links
#: (``{"type": NAV_GROUP_LINK_TYPE, "group": <group>, "page": <page path>}``).
NAV_GROUP_TYPE = "shell-nav-group"
NAV_GROUP_LINK_TYPE = "shell-nav-group-link"


def nav_pages(group: str) -> list[dict]:
    """The registered pages of a navigation group, in their order."""
    return sorted((page for page in dash.page_registry.values() if page.get("nav_group") == group),
                  key=lambda page: page["order"])


def _navbar() -> dbc.Navbar:
    items = []
    for group, label in NAV_GROUPS.items():
        if label is None:
            items += [dbc.NavItem(dbc.NavLink(_(page["name"]), href=page["relative_path"], active="exact",
                                              id={"type": NAV_LINK_TYPE, "page": page["path"]}))
                      for page in nav_pages(group)]
        else:
            # The menu's toggle and the current page's item are marked by a clientside callback on the address.
            items.append(dbc.DropdownMenu(
                [dbc.DropdownMenuItem(_(page["name"]), href=page["relative_path"],
                                      id={"type": NAV_GROUP_LINK_TYPE, "group": group, "page": page["path"]})
                 for page in nav_pages(group)],
                label=_(label), nav=True, in_navbar=True, align_end=True,
                id={"type": NAV_GROUP_TYPE, "group": group}))
    # The links collapse behind a toggler below 1200 px. A callback closes the menu when a page is picked: open, it
    # would cover a phone's screen.
    return dbc.Navbar(dbc.Container([
        dbc.NavbarBrand(_(APP_TITLE), href=dash.get_relative_path("/"), className="text-wrap"),
        # A plain button in Bootstrap's toggler style: dbc's NavbarToggler labels itself in English only.
        html.Button(html.Span(className="navbar-toggler-icon"), id=NAV_TOGGLER_ID, n_clicks=0, type="button",
                    className="navbar-toggler", **{"aria-label": _("Show or hide the pages")}),
        dbc.Collapse(dbc.Nav([*items, _language_switch()], navbar=True, className="ms-auto"), id=NAV_COLLAPSE_ID,
                     is_open=False, navbar=True),
    ], fluid=True), color="primary", dark=True, expand="xl", className="mb-3", id=NAV_ID)


def _language_switch() -> dbc.NavItem:
    """One link per language, the current one marked; each reloads the page in its language (``?lang=``), which
    the server remembers in a cookie. A clientside callback keeps each link on the page and query shown."""
    current = i18n.current_language()
    return dbc.NavItem(html.Div([
        html.A(i18n.LANGUAGE_NAMES[language], href=f"?{i18n.LANGUAGE_PARAMETER}={language}", lang=language,
               hrefLang=language, id={"type": LANGUAGE_LINK_TYPE, "language": language},
               className="nav-link px-2" + (" active fw-semibold" if language == current else ""),
               **{"aria-current": "true" if language == current else "false"})
        for language in i18n.LANGUAGES
    ], className="d-flex ms-xl-3 border-start border-light-subtle", role="group", title=_("Language"),
        **{"aria-label": _("Language")}))


#: The footer's words for the build modes of the manifest.
_BUILD_MODES = {"full": i18n.N_("full build"), "quick": i18n.N_("quick build")}


def _footer() -> html.Footer:
    # What was built and from which data; the library versions and the server's paths stay in the log.
    store, problem = artifact_status()
    if store is None:
        log_unavailable(problem)
        text = _("Artifacts not loaded: ask the operator to run `{command}`.").format(command=REBUILD_COMMAND)
    else:
        summary = public_summary(store)
        mode = _BUILD_MODES.get(summary["mode"])
        built = _("Artifacts built {built_at} ({mode}) from data sha256 {sha}.").format(
            built_at=summary["built_at"], mode=_(mode) if mode else summary["mode"], sha=summary["data_sha256"][:12])
        text = f"{built} {footer_credit(store.provenance)}"
    glossary_link = dcc.Link(_("Glossary"), href=dash.get_relative_path(METHODS_PATH) + "#" + glossary.GLOSSARY,
                             className="me-3")
    return html.Footer(dbc.Container(html.Small([glossary_link, text], className="text-muted"), fluid=True),
                       className="border-top mt-4 py-3", id=FOOTER_ID)


def _shell_layout():
    # A function, so the footer reflects the artifacts at request time (e.g. after a rebuild and restart).
    return html.Div([
        dcc.Location(id=LOCATION_ID, refresh=False),
        dcc.Store(id=VIEWPORT_STORE),
        dcc.Store(id=PAGE_QUERIES_STORE, storage_type="session", data={}),
        _navbar(),
        # Bootstrap's own padding on a phone (less would let the rows' negative margins stick out of the page).
        dbc.Container(dash.page_container, fluid=True, className="px-md-4", id=PAGE_CONTENT_ID),
        _footer(),
    ])


def _register_shell_callbacks(app: Dash) -> None:
    # In the browser: a menu that opens and closes, and the window's width, need no round trip to the server.
    app.clientside_callback(
        """
        function(togglerClicks, pathname, linkClicks, groupLinkClicks, isOpen) {
            const trigger = window.dash_clientside.callback_context.triggered_id;
            return trigger === "%s" ? !isOpen : false;
        }
        """ % NAV_TOGGLER_ID,
        Output(NAV_COLLAPSE_ID, "is_open"),
        Input(NAV_TOGGLER_ID, "n_clicks"), Input(LOCATION_ID, "pathname"),
        Input({"type": NAV_LINK_TYPE, "page": ALL}, "n_clicks"),
        Input({"type": NAV_GROUP_LINK_TYPE, "group": ALL, "page": ALL}, "n_clicks"),
        State(NAV_COLLAPSE_ID, "is_open"),
        prevent_initial_call=True,
    )
    # The page an address shows, as the registry's paths say it ("/data"): the address without the app's URL prefix.
    prefix = json.dumps(app.config.requests_pathname_prefix.rstrip("/"))
    page_path = ("const prefix = " + prefix + ";"
                 " let here = (pathname || '/').startsWith(prefix) ? pathname.slice(prefix.length) : pathname;"
                 r" here = '/' + here.replace(/^\/+|\/+$/g, '');")
    # A menu's toggle is marked active while one of its pages is shown, and that page's item too (the plain links
    # mark themselves: dbc's NavLink active="exact").
    app.clientside_callback(
        "function(pathname, itemIds, groupIds) {" + page_path + """
            const active = itemIds.map(id => id.page === here);
            const groups = groupIds.map(group => itemIds.some(id => id.group === group.group && id.page === here)
                                                 ? "active" : "");
            return [active, groups];
        }""",
        Output({"type": NAV_GROUP_LINK_TYPE, "group": ALL, "page": ALL}, "active"),
        Output({"type": NAV_GROUP_TYPE, "group": ALL}, "toggle_class_name"),
        Input(LOCATION_ID, "pathname"),
        State({"type": NAV_GROUP_LINK_TYPE, "group": ALL, "page": ALL}, "id"),
        State({"type": NAV_GROUP_TYPE, "group": ALL}, "id"),
    )
    # Each page's last query, remembered as the address changes (a page writes its state there), and the original
    # study's menu items pointing at their page with it. The address stays the one place a page's state lives.
    app.clientside_callback(
        "function(pathname, search, memory) {" + page_path + """
            const parameters = new URLSearchParams(search || "");
            parameters.delete(%s);  // the language is the cookie's, and the switch's
            const query = parameters.toString();
            const remembered = Object.assign({}, memory || {});
            remembered[here] = query ? "?" + query : "";
            return remembered;
        }""" % json.dumps(i18n.LANGUAGE_PARAMETER),
        Output(PAGE_QUERIES_STORE, "data"),
        Input(LOCATION_ID, "pathname"), Input(LOCATION_ID, "search"), State(PAGE_QUERIES_STORE, "data"),
    )
    app.clientside_callback(
        "function(memory, itemIds) { return itemIds.map(id => " + prefix
        + " + id.page + ((memory || {})[id.page] || '')); }",
        Output({"type": NAV_GROUP_LINK_TYPE, "group": ALL, "page": ALL}, "href"),
        Input(PAGE_QUERIES_STORE, "data"), State({"type": NAV_GROUP_LINK_TYPE, "group": ALL, "page": ALL}, "id"),
    )
    # Each language's link goes to the page and query shown, in that language; Dash's page changes do not reload.
    app.clientside_callback(
        """
        function(href) {
            const url = new URL(href || window.location.href);
            return %s.map(function(language) {
                url.searchParams.set("%s", language);
                return url.pathname + url.search + url.hash;
            });
        }
        """ % (json.dumps(list(i18n.LANGUAGES)), i18n.LANGUAGE_PARAMETER),
        Output({"type": LANGUAGE_LINK_TYPE, "language": ALL}, "href"), Input(LOCATION_ID, "href"),
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
        Default :func:`dashapp.core.settings.get_settings`.

    Returns
    -------
    Dash
        The app; its Flask server is ``app.server``.
    """
    settings = settings or get_settings()
    prefix = settings.url_prefix
    app = _StudioDash(
        name,
        use_pages=True,
        pages_folder=str(PROJECT_ROOT / "pages"),
        assets_folder=str(PROJECT_ROOT / "assets"),
        url_base_pathname=prefix,
        external_stylesheets=[prefix + _VENDOR_ROUTE],
        external_scripts=[prefix + _PLOTLY_LOCALES_ROUTE],
        title=APP_TITLE,
        update_title=None,
        # Pages add their own components; the id-coverage test guards against typos this would hide.
        suppress_callback_exceptions=True,
        serve_locally=True,
        on_error=_answer_invalid_input,
        # Jobs run in a process each (multiprocess, forked from the worker); their progress and results pass
        # through a diskcache folder every worker shares, so any worker answers a job's polls.
        background_callback_manager=DiskcacheManager(score_jobs.callback_cache()),
    )
    app.layout = _shell_layout
    _register_shell_callbacks(app)
    server = app.server
    _answer_in_the_chosen_language(server, prefix, secure_cookie=force_https_from_env())
    _refuse_what_the_ui_never_sends(app)
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    server.wsgi_app = body_limits.CallbackBodyLimits(
        server.wsgi_app, app.config.routes_pathname_prefix + "_dash-update-component",
        lambda output: _body_limit(app, output), largest=MAX_REQUEST_BYTES)

    @server.route(prefix + _VENDOR_ROUTE)
    def bootstrap_css():
        return send_from_directory(_BOOTSTRAP_CSS_DIR, "bootstrap.min.css", max_age=86400)

    @server.route(prefix + _PLOTLY_LOCALES_ROUTE)
    def plotly_locales():
        return Response(plotly_locale.locale_script(), mimetype="text/javascript", headers={
            "Cache-Control": "public, max-age=3600"})

    @server.route(prefix + "healthz")
    def healthz():
        store, problem = artifact_status()
        if store is None:
            log_unavailable(problem)
            return jsonify({"status": "unavailable", "reason": UNAVAILABLE}), 503
        return jsonify({"status": "ok", "artifacts": public_summary(store),
                        "grid": "complete" if store.grid_ready else "pending"})

    api.mount(server, prefix)
    _add_security_headers(app, force_https=force_https_from_env())
    return app


# --- Languages ------------------------------------------------------------------------------------------


#: What Dash's page config tells every visitor about the server's software, which only its developer tools read
#: (they are off): a version is a map to the known weaknesses of that version.
_VERSION_KEYS = ("dash_version", "python_version", "plotly_version", "ddk_version", "dash_version_url")


def _fingerprint_without_versions(path: str, version: str, hash_value: int) -> str:
    """Dash's cache-busting address of a script (``react@18.v4_4_1m1796652887.js``) with a digest of the library's
    version in place of the version itself: still new for every release, no longer saying which one."""
    return _dash_fingerprint(path, hashlib.sha256(str(version).encode()).hexdigest()[:10], hash_value)


_dash_fingerprint = dash.dash.build_fingerprint
# Dash builds every script's address with this module-level function and offers no setting for it.
dash.dash.build_fingerprint = _fingerprint_without_versions


class _StudioDash(Dash):
    """Dash with the page's language on its ``<html>`` element (for screen readers, spelling and hyphenation) and
    the studio's name in it as the first title, and no software versions in its page config."""

    def _config(self):
        config = super()._config()
        for key in _VERSION_KEYS:
            config.pop(key, None)
        return config

    def interpolate_index(self, **kwargs):
        kwargs["title"] = _(APP_TITLE)  # until the page router sets the page's own title
        page = super().interpolate_index(**kwargs).replace("<html>", f'<html lang="{i18n.current_language()}">', 1)
        return page.replace(f"_favicon.ico?v={dash.__version__}", "_favicon.ico", 1)  # Dash's version, again


def _answer_in_the_chosen_language(server, prefix: str, secure_cookie: bool) -> None:
    """Set each request's language before anything answers it, and remember one chosen with ``?lang=``.

    A page (and every callback it sends, which carry no query of their own) speaks the language of ``?lang=``,
    else the cookie the switch left, else the browser's ``Accept-Language``. The API is a machine's: it answers in
    its request's ``Accept-Language`` alone, whatever a browser on the same host chose.
    """
    api_prefix = prefix + "api/"  # dashapp.web.api.mount serves the API, and answers the rest, under it

    @server.before_request
    def choose_language():
        accepted = [tag for tag, _quality in request.accept_languages]
        if request.path.startswith(api_prefix):
            i18n.set_language(i18n.choose_language(accepted=accepted))
        else:
            i18n.set_language(i18n.choose_language(request.args.get(i18n.LANGUAGE_PARAMETER),
                                                   request.cookies.get(i18n.LANGUAGE_COOKIE), accepted))

    @server.after_request
    def remember_language(response):
        chosen = i18n.normalise_language(request.args.get(i18n.LANGUAGE_PARAMETER))
        if chosen is not None and chosen != request.cookies.get(i18n.LANGUAGE_COOKIE):
            response.set_cookie(i18n.LANGUAGE_COOKIE, chosen, max_age=LANGUAGE_COOKIE_SECONDS, samesite="Lax",
                                httponly=True, secure=secure_cookie, path=prefix)
        return response


# --- Requests the renderer never sends ---------------------------------------------------------------------


def _answer_invalid_input(error: Exception):
    """Dash's ``on_error`` hook: a callback input the page's widgets never send gets no update (204, no body) and
    one line in the log; any other exception is an error of ours and goes on to Flask, which logs its traceback
    and answers 500."""
    if isinstance(error, InvalidInput):
        logger.warning("callback input refused: %s", error)
        raise PreventUpdate from None
    raise error


#: Properties whose value the browser always sends as text (a ``dcc.Location``'s); Dash's own page router reads
#: them unchecked.
_TEXT_PROPERTIES = frozenset({"pathname", "search", "hash", "href"})


def _names(item: object, component: str, prop: str) -> bool:
    """Whether a request's entry (``{"id": ..., "property": ..., "value": ...}``, a list of them for a pattern)
    names the declared ``component.prop``; a pattern id (JSON text) is matched by any object id."""
    pattern = component.startswith("{")
    entries = item if pattern and isinstance(item, list) else [item]
    return all(
        isinstance(entry, dict)
        and (isinstance(entry.get("id"), dict) if pattern else entry.get("id") == component)
        and isinstance(entry.get("property"), str) and entry["property"].split("@")[0] == prop.split("@")[0]
        for entry in entries)


def _address_is_text(entry: dict, path_prefix: str) -> bool:
    """Whether an address property holds what a browser sends: text, and a path under the app's prefix."""
    value = entry.get("value")
    if entry["property"] not in _TEXT_PROPERTIES or value is None:
        return True
    return isinstance(value, str) and (entry["property"] != "pathname" or value.startswith(path_prefix))


def _changed_problem(changed: object, declared: list[dict]) -> str | None:
    if not isinstance(changed, list) or not all(isinstance(prop_id, str) for prop_id in changed):
        return "changedPropIds must be a list of strings"
    plain = {f"{item['id']}.{item['property']}" for item in declared}
    patterns = {item["property"] for item in declared if item["id"].startswith("{")}
    for prop_id in changed:
        component, _, prop = prop_id.rpartition(".")
        if prop_id in plain or prop in patterns and component.startswith("{") and _is_json_object(component):
            continue
        return f"{shown(prop_id)} is not an input of this callback"
    return None


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def callback_request_problem(body: object, callback_map: dict, path_prefix: str = "/") -> str | None:
    """What is wrong with the body of a ``POST _dash-update-component``, or None when Dash's renderer could
    have sent it: an object naming a server callback's output, with its outputs, inputs and states in their
    declared order (the values are the callback's to check) and the inputs that changed.

    Dash itself indexes these without checking, so a crafted body (``[]``, a missing key, a list for an input)
    would end in a 500 and a traceback. The one kind of value checked here is an address (a path outside
    ``path_prefix``, a number for a query), which Dash's page router would choke on.
    """
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    output = body.get("output")
    spec = callback_map.get(output) if isinstance(output, str) else None
    if spec is None or "callback" not in spec:  # clientside callbacks have no server function
        return f"no server callback has the output {shown(output)}"
    declared_outputs = [] if spec.get("no_output") else spec["output"]
    multi = isinstance(declared_outputs, (list, tuple))
    outputs = body.get("outputs")
    sent_outputs = outputs if multi and isinstance(outputs, list) else [outputs]
    declared_outputs = declared_outputs if multi else [declared_outputs]
    if len(sent_outputs) != len(declared_outputs) or not all(
            _names(item, dependency.component_id_str(), dependency.component_property)
            for item, dependency in zip(sent_outputs, declared_outputs)):
        return "outputs do not match the callback's"
    for key in ("inputs", "state"):
        sent, declared = body.get(key, []), spec[key]
        if not isinstance(sent, list) or len(sent) != len(declared) or not all(
                _names(item, dependency["id"], dependency["property"]) for item, dependency in zip(sent, declared)):
            return f"{key} do not match the callback's"
        entries = [entry for item in sent for entry in (item if isinstance(item, list) else [item])]
        if not all(_address_is_text(entry, path_prefix) for entry in entries):
            return f"{key} hold an address that is no browser's"
    return _changed_problem(body.get("changedPropIds", []), spec["inputs"])


def _body_limit(app: Dash, output: str) -> int:
    """The largest body the callback of ``output`` takes: an upload's (the Score page's file), a figure's (a
    chart's data download), or the small one every other callback's inputs fit in."""
    # Before the first request Dash has not yet moved the pages' callbacks into the app's map.
    spec = app.callback_map.get(output) or GLOBAL_CALLBACK_MAP.get(output)
    if spec is None:
        return body_limits.SMALL_BODY_BYTES
    carried = {(item["id"], item["property"]) for item in spec["inputs"] + spec["state"]}
    if any(prop == "contents" for _id, prop in carried):
        return MAX_REQUEST_BYTES
    if any(prop == "figure" for _id, prop in carried):
        return body_limits.FIGURE_BODY_BYTES
    return body_limits.SMALL_BODY_BYTES


def _refuse_what_the_ui_never_sends(app: Dash) -> None:
    """A 4xx, not a 500 and a traceback, for requests to Dash's routes that its renderer never makes.

    A malformed ``_dash-update-component`` body gets 400 (Flask already answers 400 to text that is not JSON
    and 415 to another content type); a file under ``_dash-component-suites/`` that no package registered gets
    404. A well-formed request whose values the page never sends is the callbacks' to refuse (see
    :mod:`dashapp.views.inputs` and :func:`_answer_invalid_input`).
    """
    dispatch = app.config.routes_pathname_prefix + "_dash-update-component"

    # Registered after Dash's own before-request functions, so the page callbacks are in callback_map by now.
    @app.server.before_request
    def refuse_malformed_callback_requests():
        if request.endpoint != dispatch:
            return None
        try:
            body = request.get_json()
        except RecursionError:  # nested deeper than the parser goes
            abort(400)
        problem = callback_request_problem(body, app.callback_map, app.config.requests_pathname_prefix)
        if problem is None:
            return None
        logger.warning("callback request refused: %s", problem)
        return jsonify({"error": problem}), 400

    app.server.register_error_handler(DependencyException, lambda _error: ("Not found", 404))


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
