"""The app served by gunicorn, in a real headless Chromium: every page, the URL prefix, missing artifacts."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.browser_helpers import PAGE_READY, registered_pages, severe_console_errors


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize("page", registered_pages())
def test_every_page_renders_charts_without_console_errors(live_server, browser, page):
    browser.server_url = live_server.url
    browser.driver.get(live_server.url + page)
    browser.wait_for_element("#page-content", timeout=20)
    browser.wait_for_element(PAGE_READY, timeout=20)
    browser.wait_for_no_elements("._dash-loading", timeout=20)
    assert not browser.find_elements(".artifact-problem")
    assert severe_console_errors(browser) == []


def test_app_works_under_a_url_prefix(start_server, browser):
    server = start_server({"URL_PREFIX": "/studio/"})
    status, body = _get(server.url + "healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    assert _get(server.url + "vendor/bootstrap.min.css")[0] == 200
    assert _get(f"http://127.0.0.1:{server.port}/healthz")[0] == 404  # nothing outside the prefix
    browser.server_url = server.url
    browser.driver.get(server.url + "segments")
    browser.wait_for_element("#page-content .js-plotly-plot", timeout=20)
    hrefs = [a.get_attribute("href") for a in browser.find_elements("nav a")]
    assert hrefs and all("/studio/" in href for href in hrefs)
    assert severe_console_errors(browser) == []


def test_app_starts_without_artifacts_and_says_what_to_run(start_server, browser, tmp_path):
    server = start_server({"BANK_MODEL_DIR": str(tmp_path / "empty")})
    status, body = _get(server.url + "healthz")
    assert status == 503
    assert "make artifacts" in json.loads(body)["reason"]
    # The server's paths are for the operator's log, not for a browser.
    assert str(tmp_path) not in body.decode() and str(tmp_path) in server.output()
    browser.server_url = server.url
    for page in registered_pages():
        browser.driver.get(server.url + page)
        notice = browser.wait_for_element(".artifact-problem", timeout=20)
        assert "make artifacts" in notice.text
        assert str(tmp_path) not in browser.find_element("body").text
