"""The checks on callback requests (dashapp.web.app, dashapp.views.inputs) refuse nothing a real browser sends."""

from __future__ import annotations

import time

from tests.browser_helpers import PAGE_READY, registered_pages, severe_console_errors

#: The widgets clicked on a page (CSS selector, which match), each firing server callbacks; every page is
#: visited, with these clicks or none.
CLICKS = {
    "data": [("#data-reset", 0)],
    "explorer": [("#explorer-overview-mode label", 1), ("#explorer-overview-metric label", 1),
                 ("#explorer-treatment label", 0)],
    "segments": [("#segments-picker label", 2)],
    "tree": [("#tree-confusion-model label", 1)],
    "score": [("#score-submit", 0)],
}


def test_the_browser_sends_nothing_the_checks_refuse(live_server, browser):
    browser.server_url, start = live_server.url, live_server.log_position()
    assert set(CLICKS) <= set(registered_pages())
    for page in registered_pages():
        clicks = CLICKS.get(page, [])
        browser.driver.get(live_server.url + page)
        browser.wait_for_element(PAGE_READY, timeout=20)
        browser.wait_for_no_elements("._dash-loading", timeout=20)
        for selector, position in clicks:
            # A script's click, as a user's would be, without scrolling the widget clear of the sticky bars.
            browser.driver.execute_script("arguments[0].click()", browser.find_elements(selector)[position])
            time.sleep(0.5)  # let the callbacks start; then wait for them to finish
            browser.wait_for_no_elements("._dash-loading", timeout=20)
        assert severe_console_errors(browser) == [], page
    log = live_server.output(since=start)
    assert "refused" not in log and "Traceback" not in log, log[-2000:]
