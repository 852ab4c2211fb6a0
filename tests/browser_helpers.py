"""The live server and the browser the browser tests share, and the steps they take.

A real gunicorn serving ``app:server`` on 127.0.0.1 and a free port (:class:`LiveServer`): ``live_server``, one for
the whole session, shared by every test that only reads the full artifacts, and ``start_server`` for a test that
needs its own (another URL prefix, another model folder), stopped by that test. Debian's headless Chromium through
dash.testing: one per test module (``chromium``), which ``browser`` hands each test fresh (no cookies, no emulated
screen, the default window) and screenshots when it ends. Then the steps: open a page, click reliably, wait for a
condition. ``tests/conftest.py`` loads this module as a pytest plugin.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
#: The window every test starts with (the ``--window-size`` the browser is started with).
WINDOW = (1400, 1000)
_BROWSER_PROFILES: list[str] = []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """gunicorn serving ``app:server`` on 127.0.0.1, as the Procfile starts it; stopped by :meth:`stop`."""

    def __init__(self, env: dict[str, str], workers: int = 2):
        self.port = free_port()
        self.prefix = env.get("URL_PREFIX", "/")
        self.url = f"http://127.0.0.1:{self.port}{self.prefix}"
        full_env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(self.port),
                    "WEB_CONCURRENCY": str(workers)}
        self.log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False)
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "app:server", "--config", "gunicorn.conf.py"],
            cwd=REPO, env=full_env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 30) -> float:
        """Wait for /healthz to answer (200 or 503); return the seconds since start."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + "healthz", timeout=2):
                    return time.perf_counter() - self.started
            except urllib.error.HTTPError:
                return time.perf_counter() - self.started
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"gunicorn did not answer within {timeout} s:\n{self.output()}")

    def output(self, since: int = 0) -> str:
        """What gunicorn has logged, from byte ``since`` on (a test that shares the server reads its own part)."""
        with open(self.log.name, "rb") as log:
            log.seek(since)
            return log.read().decode(errors="replace")

    def log_position(self) -> int:
        """Where the log ends now: pass it to :meth:`output` to read what comes after."""
        return Path(self.log.name).stat().st_size

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


@pytest.fixture
def start_server():
    """Start gunicorn with extra environment: ``start_server({"URL_PREFIX": "/x/"})``; all stopped at teardown."""
    servers: list[LiveServer] = []

    def start(env: dict[str, str] | None = None, workers: int = 2) -> LiveServer:
        server = LiveServer(env or {}, workers=workers)
        servers.append(server)
        server.wait_ready()
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def live_server():
    """gunicorn with 2 workers on the full artifacts in model/, shared by every browser test that only reads them
    (each start preloads the artifacts: once for the session, not once per module)."""
    server = LiveServer({})
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def pytest_setup_options():
    """Selenium options for dash.testing: Debian's Chromium, headless, no network chatter, a fresh profile."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    chromium = shutil.which("chromium")
    if chromium:
        options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    _BROWSER_PROFILES.append(profile)
    for argument in (f"--window-size={WINDOW[0]},{WINDOW[1]}", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", f"--user-data-dir={profile}"):
        options.add_argument(argument)
    return options


def pytest_sessionfinish(session, exitstatus):
    for profile in _BROWSER_PROFILES:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def chromium(request, tmp_path_factory):
    """One headless Chromium for a test module, made as dash.testing's ``dash_br`` makes one per test: starting
    a browser costs seconds, and a module's tests only need it clean (:func:`browser`)."""
    from dash.testing.browser import Browser

    option = request.config.getoption
    with Browser(browser=option("webdriver"), remote=option("remote"), remote_url=option("remote_url"),
                 headless=option("headless"), options=request.config.hook.pytest_setup_options(),
                 download_path=str(tmp_path_factory.mktemp("download")), percy_assets_root=option("percy_assets"),
                 percy_finalize=option("nopercyfinalize"), pause=option("pause")) as shared:
        yield shared


@pytest.fixture
def browser(chromium, request):
    """The module's Chromium, as a new one would be: a blank page, no cookies (the language's) or site data, no
    emulated phone screen, the default window and an empty console log; a screenshot when the test ends."""
    driver = chromium.driver
    driver.get("about:blank")
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": "*", "storageTypes": "all"})
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.set_window_size(*WINDOW)
    driver.get_log("browser")  # read, so that the test's console checks see only its own entries
    yield chromium
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


#: What every page shows once its layout is there: a chart or a card in the page's content.
PAGE_READY = "#page-content .js-plotly-plot, #page-content .card"


def registered_pages() -> list[str]:
    """Every page of the navigation, as its path under the server's URL (``""`` for the Overview, ``"data"``, ...),
    in the navigation's order: read from Dash's page registry, so that a new page is visited by every test that
    visits them all (the not-found page, which has no place in the navigation, is not one of them)."""
    import dash

    import app  # noqa: F401  (creating the app registers the pages)

    pages = sorted((page for page in dash.page_registry.values() if page.get("order") is not None),
                   key=lambda page: page["order"])
    return [page["path"].strip("/") for page in pages]


def severe_console_errors(dash_br) -> list[dict]:
    """Console entries of level SEVERE since the last call (favicon misses excluded)."""
    return [entry for entry in dash_br.driver.get_log("browser")
            if entry["level"] == "SEVERE" and "favicon" not in entry["message"]]


def open_page(browser, live_server, path: str, ready: str) -> None:
    """Open ``path`` on ``live_server`` and wait for ``ready`` (a CSS selector) and for Dash to stop loading."""
    browser.server_url = live_server.url
    browser.driver.get(live_server.url + path)
    browser.wait_for_element(ready, timeout=20)
    browser.wait_for_no_elements("._dash-loading", timeout=20)


def wait_settled(browser) -> None:
    """Wait until no Dash callback is running and every chart has been drawn."""
    wait_until(lambda: browser.driver.execute_script(
        "return !document.querySelector('._dash-loading, [data-dash-is-loading=\"true\"]')"
        " && Array.from(document.querySelectorAll('.js-plotly-plot')).every(g => g.querySelector('.main-svg'));"),
        message="the page's callbacks and charts")


def open_details(browser, selector: str) -> None:
    """Open every closed ``<details>`` ("More", a closed section) in ``selector`` (itself included) by clicking its
    heading, as a reader does; the outer first, so that one inside it can be reached."""
    closed = f"{selector} details:not([open]) > summary, details{selector}:not([open]) > summary"
    while True:
        summaries = [summary for summary in browser.find_elements(closed) if summary.is_displayed()]
        if not summaries:
            return
        click(browser, summaries[0])


def click(browser, element, timeout: float = 15) -> None:
    """Click ``element`` once it is centred in the viewport and has stopped moving."""
    from selenium.common.exceptions import ElementClickInterceptedException

    deadline = time.monotonic() + timeout
    while True:
        # Centre it instantly: Bootstrap's smooth scrolling makes chromedriver click before it arrives. Charts
        # still being drawn above it can move it after that, under another element, so wait until its place holds
        # still and, if the click still lands on something else, centre it and try again.
        browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
                                      element)
        _wait_still(element, deadline)
        try:
            element.click()
            return
        except ElementClickInterceptedException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _wait_still(element, deadline: float) -> None:
    """Wait until ``element``'s place on the page is the same twice, 100 ms apart (or the deadline passes)."""
    place = element.rect
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = element.rect
        if now == place:
            return
        place = now


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
