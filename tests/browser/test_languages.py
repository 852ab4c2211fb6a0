"""Every page in Russian and in English, in a real headless Chromium against gunicorn on the full artifacts.

A page in Russian may show Latin letters only in proper names and codes (:data:`KEPT`); a page in English shows
no Cyrillic but the switch's «Русский». The text read is what a person can see or hover: the page's text, the
charts' SVG text (titles, ticks, legends, annotations) and the tips and placeholders. A screenshot of each page
in each language is saved (``test-artifacts/screenshots``).
"""

from __future__ import annotations

import re
import time

import dash
import pytest

import app  # noqa: F401  (creates the app once, so the page registry is filled)
from dashapp.core import catalogue, domain
from tests.browser_helpers import severe_console_errors, wait_until

pytestmark = pytest.mark.browser

#: Latin words a Russian page may show: proper names (of methods and measures, libraries, formats, the data, the
#: study, its authors and the paper's title and journal, which are cited as published), the conventional letters
#: of statistics (k clusters, p value, Cramér's V, F1, AUC, ALIFT), and the language switch's «English».
KEPT_NAMES = (
    "K-means", "k-modes", "k-means", "t-SNE", "KNN", "BayesianRidge", "MinMax", "one-hot", "Kneedle", "Jaccard",
    "Rand", "Davies-Bouldin", "Calinski-Harabasz", "Wilson", "Gini", "ARI", "AUC", "ALIFT", "ROC", "F1", "V", "p", "k",
    "clusterboot", "random_state", "UCI", "Bank", "Marketing", "Machine", "Learning", "Repository", "CSV",
    "Excel", "Parquet", "JSON", "API", "SQL", "DuckDB", "GitHub", "PNG", "CC", "BY", "Euribor", "English", "Moro",
    "Cortez", "Rita", "doi", "seed", "sha256", "make", "run", "scikit-learn", "Data-Driven", "Approach", "to",
    "Predict", "the", "Success", "of", "Telemarketing", "Decision", "Support", "Systems", "S", "P", "and",
)
#: Codes shown as codes: pipelines (P1-P8), the k-modes clusters (A, B, ...), configuration keys (raw-p4-no_socio).
_CODE_PATTERNS = re.compile(r"P\d+|[A-O]|(?:raw|knn|iterative)-p\d+-(?:all|no_socio|final)")


def _codes() -> set[str]:
    columns = {*domain.RAW_COLUMNS, "y", "segment", "client_id", "split", "contact_date"}
    categories = {value for values in domain.CATEGORIES.values() for value in values}
    return {word for text in columns | categories for word in re.split(r"[^A-Za-z0-9._-]+", text) if word}


KEPT = frozenset(KEPT_NAMES) | _codes() | set(catalogue.ORIGINAL_STUDY_NAME.replace("/", " ").split())

_LATIN_WORD = re.compile(r"(?<![\w.-])[A-Za-z][A-Za-z0-9._'-]*[A-Za-z0-9.]|(?<![\w.-])[A-Za-z](?![\w])")
_ADDRESS = re.compile(r"https?://\S+|doi:\S+")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]+")

#: Everything a person reads on the page, or sees when hovering.
_VISIBLE_TEXT = """
// The page's text without the charts (innerText would run a chart label's lines together), then the charts'.
const charts = [...document.querySelectorAll("svg")];
charts.forEach(svg => { svg.dataset.display = svg.style.display; svg.style.display = "none"; });
const texts = [document.body.innerText];
charts.forEach(svg => { svg.style.display = svg.dataset.display; });
// A chart's label of several lines is one <text> of <tspan>s: each line is read on its own.
document.querySelectorAll("svg text").forEach(node => {
    const lines = node.querySelectorAll("tspan");
    texts.push(lines.length ? [...lines].map(line => line.textContent).join("\\n") : node.textContent);
});
// Dash's range slider names its two handles "Minimum" and "Maximum" for screen readers and takes no other names.
document.querySelectorAll("[title], [data-title], [placeholder], [aria-label]:not([role=slider])").forEach(node => {
    for (const name of ["title", "data-title", "placeholder", "aria-label"]) {
        if (node.getAttribute(name)) texts.push(node.getAttribute(name));
    }
});
texts.push(document.title);
return texts.join("\\n");
"""


def _pages() -> list[str]:
    ordered = sorted((page for page in dash.page_registry.values() if page.get("order") is not None),
                     key=lambda page: page["order"])
    return [page["path"].strip("/") for page in ordered]


def _settled_text(browser) -> str:
    """The page's text once every chart has drawn and two reads half a second apart agree."""
    driver = browser.driver
    wait_until(lambda: driver.execute_script(
        "return [...document.querySelectorAll('.js-plotly-plot')].every(p => p.querySelector('.main-svg'))"),
        timeout=60, message="every chart to draw")
    browser.wait_for_no_elements("._dash-loading", timeout=30)
    previous = None
    for _attempt in range(60):
        text = driver.execute_script(_VISIBLE_TEXT)
        if text == previous:
            return text
        previous = text
        time.sleep(0.5)
    raise AssertionError("the page's text kept changing for 30 s")


def untranslated(text: str) -> list[str]:
    """The Latin words of a Russian page's text that are neither proper names nor codes."""
    words = _LATIN_WORD.findall(_ADDRESS.sub(" ", text))
    return sorted({word for word in words if word not in KEPT and word.rstrip(".") not in KEPT
                   and not _CODE_PATTERNS.fullmatch(word)})


@pytest.mark.parametrize("page", _pages())
@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_page_reads_in_its_language(live_server, browser, language, page):
    browser.server_url = live_server.url
    browser.driver.get(f"{live_server.url}{page}?lang={language}")
    browser.wait_for_element("#page-content", timeout=20)
    text = _settled_text(browser)
    assert browser.driver.execute_script("return document.documentElement.lang") == language
    if language == "ru":
        left = untranslated(text)
        assert left == [], f"/{page}: English left on the Russian page: {left}"
        assert "Русский" in text and "Студия сегментации клиентов банка" in text
    else:
        assert _CYRILLIC.findall(text.replace("Русский", "")) == [], f"/{page}: Cyrillic on the English page"
    assert severe_console_errors(browser) == []


def test_the_switch_changes_the_language_and_it_is_remembered(live_server, browser):
    browser.server_url = live_server.url
    browser.driver.get(f"{live_server.url}segments?segment=2")
    browser.wait_for_element("#page-content", timeout=20)
    browser.find_element("#shell-nav-toggler")  # the bar is there
    switch = browser.driver.find_element("css selector", "a[hreflang='ru']")
    wait_until(lambda: "segment=2" in switch.get_attribute("href"), message="the switch to follow the address")
    browser.driver.get(switch.get_attribute("href"))
    browser.wait_for_element("#page-content", timeout=20)
    wait_until(lambda: browser.driver.execute_script("return document.documentElement.lang") == "ru")
    assert "segment=2" in browser.driver.current_url and "lang=ru" in browser.driver.current_url
    # Another page, opened without ?lang, is Russian too: the cookie remembers the choice.
    browser.driver.get(f"{live_server.url}data")
    browser.wait_for_element("#page-content", timeout=20)
    assert browser.driver.execute_script("return document.documentElement.lang") == "ru"
    wait_until(lambda: "Данные" in browser.driver.title, message="the page's title in Russian")
    browser.driver.delete_cookie("lang")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_navigation_fits_one_line_at_1280_px_and_marks_the_open_group(live_server, browser, language):
    from dashapp.web.app import NAV_ID

    browser.driver.set_window_size(1280, 900)
    browser.server_url = live_server.url
    for path, study in (("", False), ("data", True), ("targeting", False), ("methods", True)):
        browser.driver.get(f"{live_server.url}{path}?lang={language}")
        browser.wait_for_element("#page-content .card", timeout=20)
        bar = browser.driver.execute_script("""
            const nav = document.getElementById(arguments[0]);
            const items = [...nav.querySelectorAll('.navbar-nav > .nav-item, .navbar-brand')];
            const tops = items.map(item => item.getBoundingClientRect().top);
            const toggle = nav.querySelector('.dropdown-toggle');
            return {height: nav.getBoundingClientRect().height, spread: Math.max(...tops) - Math.min(...tops),
                    width: window.innerWidth,
                    toggle: toggle.textContent, active: toggle.classList.contains('active')};
        """, NAV_ID)
        # One line: the bar as tall as one row of links, every link and the title side by side.
        assert bar["width"] <= 1280 and bar["height"] <= 60 and bar["spread"] < 20, (path, bar)
        assert bar["toggle"] == ("The original study" if language == "en" else "Исходное исследование")
        wait_until(lambda: browser.driver.execute_script(
            "return document.querySelector('#%s .dropdown-toggle').classList.contains('active')" % NAV_ID) == study,
            message=f"the original study's menu marked on /{path} only if it is one of its pages")
    assert severe_console_errors(browser) == []


def test_coming_back_through_the_menu_restores_the_pages_last_state(live_server, browser):
    from dashapp.web.app import NAV_ID
    from pages.data import DATA_HEADLINE

    browser.server_url = live_server.url
    browser.driver.get(f"{live_server.url}data?age=25-40&job=student")
    browser.wait_for_contains_text(f"#{DATA_HEADLINE}", "25", timeout=30)
    filtered = browser.find_element(f"#{DATA_HEADLINE}").text
    # Away to the Overview, then back through the original study's menu: the filter comes back with the page.
    browser.driver.find_element("css selector", f"#{NAV_ID} a.nav-link[href='/']").click()
    browser.wait_for_element("#overview-answer", timeout=20)
    browser.driver.find_element("css selector", f"#{NAV_ID} .dropdown-toggle").click()
    link = next(a for a in browser.driver.find_elements("css selector", f"#{NAV_ID} .dropdown-menu a")
                if a.text == "Data")
    wait_until(lambda: link.get_attribute("href").endswith("/data?age=25-40&job=student"),
               message="the menu's Data link to carry the last filter")
    link.click()
    wait_until(lambda: browser.driver.current_url.endswith("/data?age=25-40&job=student"), message="the filter back")
    browser.wait_for_contains_text(f"#{DATA_HEADLINE}", filtered.splitlines()[0], timeout=30)
    assert severe_console_errors(browser) == []
