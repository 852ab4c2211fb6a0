"""What every response says to a browser: the security headers, and no library versions or server paths."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from flask import Flask

from dashapp.artifacts.model_folder import ArtifactError

#: What a missing model folder's reason names: a path and a library version no browser should see.
SECRET_PATH = "/srv/secret-place/model"
REASON = (f"The artifacts in {SECRET_PATH} are stale (scikit-learn 1.8.0 at build, 1.9.1 now). "
          "Rebuild with `make artifacts`.")

CLIENT = {"job": "admin.", "housing": "yes", "loan": "no", "age": 41}


def _requests(client):
    """One request of every kind the server answers: pages, Dash's routes and scripts, assets, health, API."""
    import dash

    index = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="(/_dash-component-suites/[^"]+)"', index)
    assert scripts
    yield "GET", "/", None
    for page in dash.page_registry.values():
        yield "GET", page["relative_path"], None
    yield "GET", "/_dash-layout", None
    yield "GET", "/_dash-dependencies", None
    yield "GET", scripts[0], None
    yield "GET", "/assets/viewport.js", None
    yield "GET", "/vendor/bootstrap.min.css", None
    yield "GET", "/healthz", None
    yield "GET", "/api/v1/segments", None
    yield "POST", "/api/v1/score", CLIENT
    yield "GET", "/api/v1/nowhere", None


def test_every_response_carries_the_security_headers(client):
    for method, path, body in _requests(client):
        response = client.open(path, method=method, json=body)
        assert response.status_code in (200, 404), (path, response.status_code)
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        assert headers["X-Frame-Options"] == "DENY", path
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy, path
        assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS only ever comes over HTTPS


def _inline_scripts(html: str) -> list[str]:
    """The bodies of the scripts a page runs inline (JSON data blocks are not run)."""
    return [body for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
            if "src=" not in attributes and "application/json" not in attributes]


def test_the_policy_allows_exactly_the_scripts_dash_sends(client):
    # Every inline script of every page (the renderer's start, clientside callbacks of the shell and pages) is
    # allowed by its hash; nothing else runs inline, and nothing from another origin.
    import dash

    for path in ["/", *(page["relative_path"] for page in dash.page_registry.values())]:
        response = client.get(path)
        directives = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
        sources = directives["script-src"].split()
        assert sources[0] == "'self'" and all(s.startswith("'sha256-") for s in sources[1:])
        for script in _inline_scripts(response.get_data(as_text=True)):
            if "does not support Internet Explorer" in script:
                continue  # inside an "if IE" comment: no browser we support runs it
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in sources, (path, script[:80])
        assert directives["object-src"] == "'none'" and directives["base-uri"] == "'self'"


class _FakeDash:
    """The two things the headers need from a Dash app: its Flask server and its inline scripts' hashes."""

    def __init__(self):
        self.server = Flask(__name__)
        self.server.route("/page")(lambda: "page")

    def csp_hashes(self):
        return ["'sha256-abc='"]


@pytest.mark.parametrize(("value", "expected"), [("", False), ("0", False), ("no", False), ("1", True),
                                                 ("true", True), (" Yes ", True)])
def test_force_https_is_off_unless_the_setting_says_so(value, expected):
    from dashapp.web.app import force_https_from_env

    assert force_https_from_env({"FORCE_HTTPS": value}) is expected
    assert force_https_from_env({}) is False


def test_force_https_redirects_plain_http_but_not_what_the_router_forwarded_from_https():
    from dashapp.web.app import _add_security_headers

    plain = _FakeDash()
    _add_security_headers(plain, force_https=False)
    assert plain.server.test_client().get("/page").status_code == 200

    forced = _FakeDash()
    _add_security_headers(forced, force_https=True)
    client = forced.server.test_client()
    redirect = client.get("/page")
    assert redirect.status_code == 302 and redirect.headers["Location"].startswith("https://")
    # A PaaS router ends TLS and forwards plain HTTP, saying where the request came from.
    forwarded = client.get("/page", headers={"X-Forwarded-Proto": "https"})
    assert forwarded.status_code == 200
    assert forwarded.headers["Strict-Transport-Security"].startswith("max-age=")


# --- No versions or paths where a browser can see them ------------------------------------------------------


def test_no_page_or_header_names_a_software_version(client):
    # Issue 25: Dash's page config and its scripts' addresses named the Python, Dash and plotly versions.
    import sys

    import dash
    import dash_bootstrap_components
    import plotly

    versions = [dash.__version__, plotly.__version__, dash_bootstrap_components.__version__, sys.version.split()[0]]
    versions += [version.replace(".", "_") for version in versions]
    for method, path, body in _requests(client):
        response = client.open(path, method=method, json=body)
        if path.endswith(".js") or path.endswith(".css"):
            continue  # a library's own file may name itself inside
        text = response.get_data(as_text=True) + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        assert not [version for version in versions if version in text], path
    index = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="(/_dash-component-suites/[^"]+)"', index)
    assert all(client.get(script).status_code == 200 for script in scripts)  # still served, under the new names


def test_healthz_names_no_library_version(client, full_store):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert "versions" not in body["artifacts"]
    assert body["artifacts"]["data_sha256"] == full_store.manifest["data"]["sha256"]


def test_without_artifacts_healthz_the_notice_and_the_footer_say_what_to_ask_for_without_a_path(
        client, monkeypatch, caplog):
    import dashapp.web.app as dash_app
    from dashapp.artifacts import current
    from dashapp.web.components import missing_artifacts_notice
    from tests.layout_helpers import strings

    monkeypatch.setattr(dash_app, "artifact_status", lambda: (None, REASON))
    current.log_unavailable.cache_clear()
    with caplog.at_level("WARNING"):
        response = client.get("/healthz")
        notice = " ".join(strings(missing_artifacts_notice(REASON)))
        footer = " ".join(strings(dash_app._footer()))
    assert response.status_code == 503
    for text in (response.get_data(as_text=True), notice, footer):
        assert "make artifacts" in text and "operator" in text
        assert SECRET_PATH not in text and "1.9.1" not in text
    assert caplog.text.count(SECRET_PATH) == 1  # the operator's log has the reason, once


def test_the_api_says_what_to_ask_for_without_a_path(client, monkeypatch):
    from dashapp.artifacts import current

    def unavailable():
        raise ArtifactError(REASON)

    monkeypatch.setattr(current, "current_store", unavailable)
    response = client.post("/api/v1/score", json=CLIENT)
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "make artifacts" in text and SECRET_PATH not in text and "1.9.1" not in text
