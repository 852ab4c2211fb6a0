"""What an analyst waits for, measured in Debian's headless Chromium against gunicorn (2 workers, the Procfile's
settings) on the artifacts in model/: from the action to the answer drawn on the screen, the browser's own work
(receiving the JSON, building the page, drawing the charts) included.

- **Score one client** (goal p95 <= 300 ms): a different age each round, then "Score the client", until the new
  result and its decision path are drawn.
- **A Data-page filter change** (goal p95 <= 1 s): a different age range each round, until every chart in view
  has redrawn and no callback is pending; once with the page as it opens (the key charts) and once with every
  section opened (all 17 charts).
- **Opening a page** from the navigation, until its charts are drawn: the Overview, the Data page, the Response
  page and the Targeting page (no goal of its own: the server's part is bench_pages.py's first render).

Times are taken inside the page (``performance.now()`` before the action, polled every animation frame after),
so the WebDriver's own round trips are not counted. Prints medians and p95.

    python benchmarks/bench_browser.py [--rounds 20] [--lang en|ru]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: In the page, before each script: poll every animation frame until ``ready()``, then call ``done`` with the
#: milliseconds since ``started``; past 30 s, with -1.
_UNTIL = """
const until = (ready, started, done) => {
    const look = () => {
        if (ready()) {
            done(performance.now() - started);
        } else if (performance.now() - started > 30000) {
            done(-1);
        } else {
            requestAnimationFrame(look);
        }
    };
    requestAnimationFrame(look);
};
const pending = () => document.querySelector('._dash-loading, [data-dash-is-loading="true"]');
// In view: drawn, not inside a closed section (whose charts are drawn only once it opens).
const chartsInView = () => Array.from(document.querySelectorAll('#page-content .js-plotly-plot'))
    .filter(g => g.checkVisibility());
"""

#: In the page: set the age field (the form keeps what it is given), press "Score the client", and resolve with the
#: milliseconds until the result is new, its tree drawn and no callback pending.
SCORE_ONE = _UNTIL + """
const [age, done] = [arguments[0], arguments[arguments.length - 1]];
window.dash_clientside.set_props('score-age', {value: age});
setTimeout(() => {
    const result = document.getElementById('score-result');
    for (const child of result.children) child.dataset.old = '1';
    const started = performance.now();
    document.getElementById('score-submit').click();
    until(() => result.firstElementChild && !result.firstElementChild.dataset.old
                 && result.querySelector('#score-tree .js-plotly-plot .main-svg') && !pending()
                 && result.textContent.includes(String(age)), started, done);
}, 50);
"""

#: In the page: listen for every chart in view to redraw, change the age filter, and resolve with the milliseconds
#: until they all have and no callback is pending, and how many charts that was.
FILTER_CHANGE = _UNTIL + """
const [ages, done] = [arguments[0], arguments[arguments.length - 1]];
const charts = chartsInView();
const waiting = new Set(charts);
for (const chart of charts) {
    const drawn = () => { waiting.delete(chart); chart.removeListener('plotly_afterplot', drawn); };
    chart.on('plotly_afterplot', drawn);
}
const started = performance.now();
window.dash_clientside.set_props('data-age', {value: ages});
until(() => !waiting.size && !pending(), started, ms => done([ms, charts.length]));
"""

#: In the page: follow a navigation link and resolve with the milliseconds until the new page's chart (a selector)
#: is drawn and every chart in view with it, no callback pending.
OPEN_PAGE = _UNTIL + """
const [href, ready, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const link = Array.from(document.querySelectorAll('a')).find(a => a.getAttribute('href') === href);
const started = performance.now();
link.click();
until(() => document.querySelector(ready) && chartsInView().every(g => g.querySelector('.main-svg')) && !pending(),
      started, done);
"""
#: The pages timed from the navigation, and the chart that shows each has drawn.
PAGES_OPENED = {"/": "#overview-shares .main-svg", "/data": "#data-job-chart .main-svg",
                "/response": "#response-rates .main-svg", "/targeting": "#targeting-stratified .main-svg"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _summary(name: str, values: list[float], goal: float | None = None) -> str:
    if any(value < 0 for value in values):
        return f"  {name:<52}   did not finish within 30 s in {sum(value < 0 for value in values)} rounds"
    median, p95 = statistics.median(values), _percentile(values, 0.95)
    if goal is None:
        return f"  {name:<52}{median:8.0f} / {p95:6.0f} ms"
    verdict = "meets" if p95 <= goal else "misses"
    return f"  {name:<52}{median:8.0f} / {p95:6.0f} ms   ({verdict} the goal: p95 <= {goal:.0f} ms)"


def _browser(profile: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1440,900",
                     f"--user-data-dir={profile}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                              options=options)
    driver.set_script_timeout(60)
    return driver


def _settle(driver, selector: str) -> None:
    """Wait until ``selector`` is drawn and no callback is pending."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if driver.execute_script(
                "return !!document.querySelector(arguments[0]) && "
                "!document.querySelector('._dash-loading, [data-dash-is-loading=\"true\"]') && "
                "Array.from(document.querySelectorAll('.js-plotly-plot')).filter(g => g.checkVisibility())"
                ".every(g => g.querySelector('.main-svg'))", selector):
            time.sleep(0.3)
            return
        time.sleep(0.05)
    raise TimeoutError(f"{selector} was not drawn within 60 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--lang", choices=["en", "ru"], default="en")
    args = parser.parse_args()
    if not shutil.which("chromium"):
        print("skipped: no chromium (Debian's chromium and chromium-driver packages)")
        return 0
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "2"}
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {args.rounds} rounds; median / p95")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "app:server", "--config", "gunicorn.conf.py"],
                              cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    profile = tempfile.mkdtemp(prefix="bench-browser-")
    driver = None
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "healthz", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError("gunicorn did not become healthy within 120 s") from None
                time.sleep(0.05)
        driver = _browser(profile)
        query = f"?lang={args.lang}"

        driver.get(base + "score" + query)
        _settle(driver, "#score-submit")
        driver.execute_async_script(SCORE_ONE, 40)  # the first result draws the tree card once
        scores = [driver.execute_async_script(SCORE_ONE, 25 + round_number) for round_number in range(args.rounds)]
        print(_summary("score one client: click to result drawn", scores, 300))

        driver.get(base + "data" + query)
        _settle(driver, "#data-job-chart .js-plotly-plot")
        ages = [[18 + round_number % 40, 60 + round_number % 30] for round_number in range(args.rounds)]
        changes = [driver.execute_async_script(FILTER_CHANGE, age) for age in ages]
        print(_summary(f"Data page filter change, charts in view ({changes[0][1]})", [c[0] for c in changes], 1000))
        in_view = [c[0] for c in changes]
        for summary in driver.find_elements("css selector", "details.section-on-demand > summary"):
            driver.execute_script("arguments[0].click()", summary)
        _settle(driver, "#data-unknown-chart .js-plotly-plot .main-svg")
        changes = [driver.execute_async_script(FILTER_CHANGE, [age[0] + 1, age[1]]) for age in ages]
        print(_summary(f"Data page filter change, every section open ({changes[0][1]})", [c[0] for c in changes],
                       1000))

        timings = [scores, in_view, [c[0] for c in changes]]
        for page, ready in PAGES_OPENED.items():
            opened = []
            for _round in range(max(3, args.rounds // 4)):
                driver.get(base + "methods" + query)  # a page of text: the next page's charts are all new
                _settle(driver, "#page-content .card")
                opened.append(driver.execute_async_script(OPEN_PAGE, page, ready))
            print(_summary(f"open {page} from the navigation", opened))
            timings.append(opened)
        return 1 if any(value < 0 for values in timings for value in values) else 0
    finally:
        if driver is not None:
            driver.quit()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
