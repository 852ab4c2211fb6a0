"""Steps the browser tests share: open a page on the live server, click reliably, wait for a condition."""

from __future__ import annotations

import time


def open_page(browser, live_server, path: str, ready: str) -> None:
    """Open ``path`` on ``live_server`` and wait for ``ready`` (a CSS selector) and for Dash to stop loading."""
    browser.server_url = live_server.url
    browser.driver.get(live_server.url + path)
    browser.wait_for_element(ready, timeout=20)
    browser.wait_for_no_elements("._dash-loading", timeout=20)


def click(browser, element) -> None:
    """Click ``element`` once it is centred in the viewport."""
    # Centre it instantly first: Bootstrap's smooth scrolling makes chromedriver click before it arrives.
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
    element.click()


def wait_until(condition, timeout: float = 20, message: str = "condition") -> None:
    """Poll ``condition()`` until it is true; raise AssertionError naming ``message`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:  # a graph is being replaced by a callback; look again
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message}")
