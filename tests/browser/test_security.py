"""Every page under the Content-Security-Policy in a real headless Chromium: nothing the studio does is refused.

The policy allows scripts from the server and Dash's inline scripts by their hashes only; a script, style,
image or worker it refused would show as a console error and a ``securitypolicyviolation`` event.
"""

from __future__ import annotations

import urllib.request

import pytest

import app  # noqa: F401  (creates the app once, so the page modules below can be imported for their ids)
from tests.browser_helpers import (PAGE_READY, click as _click, open_page as _open, registered_pages,
                                   severe_console_errors, wait_until as _wait_until)

pytestmark = pytest.mark.browser

#: Collects the policy's refusals in the page from the moment it is installed.
_LISTEN = """
window.__cspViolations = window.__cspViolations || [];
document.addEventListener('securitypolicyviolation',
    e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _violations(browser) -> list[str]:
    """What the policy refused: the page's violation events and the console's CSP messages."""
    events = browser.driver.execute_script("return window.__cspViolations || [];")
    console = [entry["message"] for entry in browser.driver.get_log("browser")
               if "Content Security Policy" in entry["message"] or "Content-Security-Policy" in entry["message"]]
    return events + console


def _visit(browser, live_server, path: str, ready: str) -> None:
    _open(browser, live_server, path, ready)
    browser.driver.execute_script(_LISTEN)


def test_every_page_works_under_the_policy(live_server, browser):
    from pages.data import DATA_AGE_CHART
    from pages.explorer import EXPLORER_OVERVIEW, EXPLORER_TSNE
    from pages.overview import OVERVIEW_SHARES
    from pages.score import SCORE_RESULT_SEGMENT, SCORE_SUBMIT, SCORE_TREE
    from pages.segments import SEGMENTS_SPACE
    from pages.tree import TREE_GRAPH

    with urllib.request.urlopen(live_server.url, timeout=10) as response:
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]

    # Every page of the registry; where a page's chart takes a moment, the page counts as drawn once it is.
    drawn = {"": f"#{OVERVIEW_SHARES} .js-plotly-plot", "data": f"#{DATA_AGE_CHART} .js-plotly-plot",
             "explorer": f"#{EXPLORER_OVERVIEW} .js-plotly-plot, #{EXPLORER_TSNE} .js-plotly-plot",
             "tree": f"#{TREE_GRAPH} .js-plotly-plot"}
    further = {"segments", "score"}  # visited below, with what they do beyond drawing
    assert set(drawn) | further <= set(registered_pages())
    for path in registered_pages():
        if path not in further:
            _visit(browser, live_server, path, drawn.get(path, PAGE_READY))
            assert _violations(browser) == [], path
            assert severe_console_errors(browser) == [], path

    # The segments' 3-D map is plotly's WebGL chart: its canvas must be drawn, not refused.
    _visit(browser, live_server, "segments", f"#{SEGMENTS_SPACE} .js-plotly-plot")
    _wait_until(lambda: browser.driver.execute_script(
        "const gd = document.querySelector(arguments[0]);"
        "return !!(gd && gd._fullLayout && gd._fullLayout.scene && gd.querySelector('canvas'));",
        f"#{SEGMENTS_SPACE} .js-plotly-plot"), message="the 3-D map's WebGL canvas")
    assert _violations(browser) == [], "segments"
    assert severe_console_errors(browser) == [], "segments"

    # The Score page's form: a callback round trip that draws the client's path on the tree.
    _visit(browser, live_server, "score", f"#{SCORE_SUBMIT}")
    _click(browser, browser.find_element(f"#{SCORE_SUBMIT}"))
    browser.wait_for_element(f"#{SCORE_RESULT_SEGMENT}", timeout=20)
    browser.wait_for_element(f"#{SCORE_TREE} .js-plotly-plot", timeout=20)
    assert _violations(browser) == [], "score"
    assert severe_console_errors(browser) == [], "score"
