"""Every page on a phone (390 x 844) in a real headless Chromium, and no chart offering to leave the server.

Each test saves full-page screenshots under ``test-artifacts/screenshots/phone-*.png``: look at them.
"""

from __future__ import annotations

import base64

import pytest

import app  # noqa: F401  (creates the app once, so the page modules below can be imported for their ids)
from dashapp.web.app import NAV_COLLAPSE_ID, NAV_TOGGLER_ID
from tests.browser_helpers import (PAGE_READY, SCREENSHOTS, click as _click, open_page as _open, registered_pages,
                                   severe_console_errors, wait_settled, wait_until as _wait_until)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
#: What shows a page has drawn, where waiting for its layout is not enough (any other page: PAGE_READY, then
#: every chart drawn).
_DRAWN = {"": "#overview-shares .js-plotly-plot", "data": "#data-job-chart .js-plotly-plot",
          "explorer": "#explorer-tsne .js-plotly-plot", "segments": "#segments-space .js-plotly-plot",
          "tree": "#tree-graph .js-plotly-plot", "score": "#score-submit",
          "response": "#response-rates .js-plotly-plot", "targeting": "#targeting-gain .js-plotly-plot",
          "methods": "#methods-sections"}
#: Every page of the registry: (path, name of the screenshot, a selector to wait for).
PAGES = [(path, path or "overview", _DRAWN.get(path, PAGE_READY)) for path in registered_pages()]
#: What a mode-bar button that sends a chart away is titled (plotly.js 4: "Share chart...").
_OFF_SERVER_TITLES = ("share", "cloud", "chart studio", "edit in")


def _as_phone(browser) -> None:
    """Emulate a phone's screen: 390 x 844 CSS pixels, touch-sized and mobile (the page's viewport tag counts)."""
    browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {**PHONE, "deviceScaleFactor": 2, "mobile": True})


def _screenshot(browser, name: str) -> None:
    """The whole page, top to bottom, as the phone shows it (the screen grown to the page's height)."""
    driver = browser.driver
    driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {**PHONE, "height": height, "deviceScaleFactor": 2, "mobile": True})
    try:
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    finally:
        _as_phone(browser)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"phone-{name}.png").write_bytes(base64.b64decode(shot["data"]))


def _horizontal_overflow(browser) -> dict:
    """The document's width beside the screen's, and the elements that stick out to the right, if any.

    A phone's browser widens its layout to a page that is too wide (``innerWidth`` grows past the screen's 390
    pixels) and shows it zoomed out: both widths are checked.
    """
    return browser.driver.execute_script("""
        const width = document.documentElement.clientWidth;
        const wide = Array.from(document.querySelectorAll('body *')).filter(e => {
            const box = e.getBoundingClientRect();
            if (box.width === 0 || box.right <= width + 1) return false;
            // Inside a scrolling box (a wide table in .table-responsive) is fine: only that box scrolls.
            for (let p = e.parentElement; p; p = p.parentElement) {
                const style = getComputedStyle(p);
                if (['auto', 'scroll', 'hidden'].includes(style.overflowX) && p.getBoundingClientRect().right <= width + 1)
                    return false;
            }
            return true;
        }).slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
        return {scroll: document.documentElement.scrollWidth, screen: width, layout: window.innerWidth,
                wide: wide};
    """)


def _menu_state(browser) -> dict:
    return browser.driver.execute_script("""
        const menu = document.getElementById(arguments[0]);
        return {open: menu.classList.contains('show'), moving: menu.classList.contains('collapsing'),
                height: menu.getBoundingClientRect().height,
                navbar: document.querySelector('nav.navbar').getBoundingClientRect().height};
    """, NAV_COLLAPSE_ID)


def _mode_bar_titles(browser) -> list[str]:
    return browser.driver.execute_script(
        "return Array.from(document.querySelectorAll('.modebar-btn')).map(b => b.getAttribute('data-title') || '');")


def _assert_no_upload_button(browser) -> None:
    titles = _mode_bar_titles(browser)
    assert not [t for t in titles if any(word in t.lower() for word in _OFF_SERVER_TITLES)], titles


@pytest.mark.parametrize("path, name, ready", PAGES, ids=[name for _, name, _ in PAGES])
@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_page_fits_a_phone(live_server, browser, path, name, ready, language):
    _as_phone(browser)
    _open(browser, live_server, f"{path}?lang={language}", ready)
    name = name if language == "en" else f"{name}-{language}"
    wait_settled(browser)
    if path == "score":
        from pages.score import SCORE_RESULT_SEGMENT, SCORE_SUBMIT, SCORE_TREE

        _click(browser, browser.find_element(f"#{SCORE_SUBMIT}"))
        browser.wait_for_element(f"#{SCORE_RESULT_SEGMENT}", timeout=20)
        browser.wait_for_element(f"#{SCORE_TREE} .js-plotly-plot", timeout=20)
        wait_settled(browser)
    overflow = _horizontal_overflow(browser)
    assert overflow["scroll"] <= overflow["screen"] == PHONE["width"], overflow
    assert overflow["layout"] == PHONE["width"] and not overflow["wide"], overflow
    # The menu is folded behind its toggler, which shows.
    assert not _menu_state(browser)["open"]
    assert browser.find_element(f"#{NAV_TOGGLER_ID}").is_displayed()
    _assert_no_upload_button(browser)
    _screenshot(browser, name)
    assert severe_console_errors(browser) == []


def _study_link(browser, name: str):
    """A page's link in the original study's menu, the menu opened first (it is a group of the navigation)."""
    _click(browser, browser.find_element(f"#{NAV_COLLAPSE_ID} .dropdown-toggle"))
    _wait_until(lambda: any(a.text == name and a.is_displayed()
                            for a in browser.find_elements(f"#{NAV_COLLAPSE_ID} .dropdown-menu a")),
                message=f"{name} in the open menu")
    return next(a for a in browser.find_elements(f"#{NAV_COLLAPSE_ID} .dropdown-menu a") if a.text == name)


def test_the_menu_closes_when_a_page_is_picked(live_server, browser):
    _as_phone(browser)
    _open(browser, live_server, "", "#overview-shares .js-plotly-plot")
    closed = _menu_state(browser)
    _click(browser, browser.find_element(f"#{NAV_TOGGLER_ID}"))
    _wait_until(lambda: _menu_state(browser)["open"] and not _menu_state(browser)["moving"], message="the menu open")
    opened = _menu_state(browser)
    assert opened["height"] > 200  # the links and the original study's menu, one under the other
    _screenshot(browser, "menu-open")

    _click(browser, _study_link(browser, "Segments"))
    _wait_until(lambda: browser.driver.current_url.endswith("/segments"), message="the Segments page")
    _wait_until(lambda: not _menu_state(browser)["open"] and not _menu_state(browser)["moving"],
                message="the menu closed")
    assert _menu_state(browser)["navbar"] == pytest.approx(closed["navbar"], abs=1)

    # Picking the page already shown closes the menu too, and the toggler still opens it.
    _click(browser, browser.find_element(f"#{NAV_TOGGLER_ID}"))
    _wait_until(lambda: _menu_state(browser)["open"], message="the menu open again")
    _click(browser, _study_link(browser, "Segments"))
    _wait_until(lambda: not _menu_state(browser)["open"], message="the menu closed on the same page")
    assert severe_console_errors(browser) == []


def _node_text_boxes(browser, graph_id: str) -> dict:
    """The drawn text of every tree node and the plot area, in page pixels."""
    return browser.driver.execute_script("""
        const gd = document.querySelector(arguments[0]);
        const plot = gd.querySelector('.cartesianlayer .bg, .plot .bglayer rect, .draglayer .nsewdrag')
            .getBoundingClientRect();
        const texts = Array.from(gd.querySelectorAll('.textpoint text')).map(t => {
            const box = t.getBoundingClientRect();
            return {left: box.left, right: box.right, top: box.top, bottom: box.bottom, text: t.textContent};
        });
        return {plot: {left: plot.left, right: plot.right}, texts: texts, height: gd.getBoundingClientRect().height};
    """, f"#{graph_id} .js-plotly-plot")


def test_the_tree_on_a_phone_is_stacked_and_its_texts_stay_in_the_chart(live_server, browser):
    from dashapp.figures.tree import WIDE_HEIGHT
    from pages.tree import TREE_GRAPH

    _as_phone(browser)
    _open(browser, live_server, "tree", f"#{TREE_GRAPH} .js-plotly-plot")
    _wait_until(lambda: _node_text_boxes(browser, TREE_GRAPH)["height"] > WIDE_HEIGHT, message="the stacked tree")
    wait_settled(browser)
    drawn = _node_text_boxes(browser, TREE_GRAPH)
    assert len(drawn["texts"]) >= 7
    for text in drawn["texts"]:
        assert drawn["plot"]["left"] - 1 <= text["left"] and text["right"] <= drawn["plot"]["right"] + 1, text
    rows = sorted(drawn["texts"], key=lambda t: t["top"])
    assert all(upper["bottom"] <= lower["top"] for upper, lower in zip(rows, rows[1:])), "node texts overlap"
    assert not [t for t in drawn["texts"] if "admin." in t["text"] or " = " in t["text"]]  # words, not codes

    # Tapping a node highlights the way to it, in the stacked layout too: a tap at the right end of its row.
    from tests.browser.test_overview_segments_tree import _figure_data

    nodes = next(t for t in _figure_data(browser, TREE_GRAPH) if t["name"] == "nodes")
    _tap_row(browser, TREE_GRAPH, max(nodes["customdata"]))
    _wait_until(lambda: len(next(t for t in _figure_data(browser, TREE_GRAPH)
                                 if t["name"] == "decision path")["x"]) > 0, message="the highlighted path")
    wait_settled(browser)
    _screenshot(browser, "tree-highlighted")
    assert severe_console_errors(browser) == []


def _tap_row(browser, graph_id: str, node_id: int) -> None:
    """Click near the right end of a stacked tree node's row, scrolled to the middle of the screen."""
    from selenium.webdriver.common.action_chains import ActionChains

    x, y = browser.driver.execute_script("""
        const gd = document.querySelector(arguments[0]);
        const nodes = gd.data.find(t => t.name === 'nodes');
        const i = nodes.customdata.indexOf(arguments[1]);
        const layout = gd._fullLayout;
        const top = gd.getBoundingClientRect().top + window.scrollY + layout._size.t + layout.yaxis.d2p(nodes.y[i]);
        window.scrollTo({top: top - window.innerHeight / 2, behavior: 'instant'});
        const box = gd.getBoundingClientRect();
        return [box.left + layout._size.l + layout._size.w - 20, box.top + layout._size.t + layout.yaxis.d2p(nodes.y[i])];
    """, f"#{graph_id} .js-plotly-plot", node_id)
    ActionChains(browser.driver).move_to_location(int(x), int(y)).click().perform()


def test_the_3d_legend_leaves_the_mode_bar_free_on_a_phone(live_server, browser):
    from pages.segments import SEGMENTS_SPACE

    _as_phone(browser)
    _open(browser, live_server, "segments", f"#{SEGMENTS_SPACE} .js-plotly-plot")
    wait_settled(browser)
    boxes = browser.driver.execute_script("""
        const gd = document.querySelector(arguments[0]);
        const rect = e => { const b = e.getBoundingClientRect();
                            return {left: b.left, right: b.right, top: b.top, bottom: b.bottom}; };
        return {legend: rect(gd.querySelector('.legend')), modebar: rect(gd.querySelector('.modebar'))};
    """, f"#{SEGMENTS_SPACE} .js-plotly-plot")
    legend, modebar = boxes["legend"], boxes["modebar"]
    apart = (legend["right"] <= modebar["left"] or modebar["right"] <= legend["left"]
             or legend["bottom"] <= modebar["top"] or modebar["bottom"] <= legend["top"])
    assert apart, boxes


def test_the_upload_preview_on_a_phone(live_server, browser, tmp_path):
    # The preview's layout is the scoring page's; this keeps a screenshot of it at phone size.
    from pages.score import SCORE_UPLOAD, SCORE_UPLOAD_SUMMARY
    from tests.browser.test_score import UCI_FILE

    _as_phone(browser)
    _open(browser, live_server, "score?tab=file", f"#{SCORE_UPLOAD}")
    path = tmp_path / "clients.csv"
    path.write_text(UCI_FILE, encoding="utf-8")
    browser.find_element(f"#{SCORE_UPLOAD} input[type=file]").send_keys(str(path))
    browser.wait_for_element(f"#{SCORE_UPLOAD_SUMMARY}", timeout=20)
    wait_settled(browser)
    _screenshot(browser, "score-upload")
    assert severe_console_errors(browser) == []


@pytest.mark.parametrize("path, name, ready", PAGES, ids=[name for _, name, _ in PAGES])
def test_no_chart_offers_to_share_it_on_a_wide_screen(live_server, browser, path, name, ready):
    _open(browser, live_server, path, ready)
    wait_settled(browser)
    titles = _mode_bar_titles(browser)
    # The overview's one chart has no mode bar; the score page's is below; the Methods page has no chart.
    if name not in ("overview", "score", "methods"):
        assert "Download plot as a PNG" in titles  # the mode bars are there, without the upload
    _assert_no_upload_button(browser)


def test_the_tree_is_redrawn_when_the_window_narrows(live_server, browser):
    # A phone turned, or a window made narrow: assets/viewport.js tells the app, and the tree stacks.
    from dashapp.figures.tree import WIDE_HEIGHT
    from pages.tree import TREE_GRAPH

    _open(browser, live_server, "tree", f"#{TREE_GRAPH} .js-plotly-plot")
    wait_settled(browser)
    assert _node_text_boxes(browser, TREE_GRAPH)["height"] == pytest.approx(WIDE_HEIGHT, abs=1)
    _as_phone(browser)
    _wait_until(lambda: _node_text_boxes(browser, TREE_GRAPH)["height"] > WIDE_HEIGHT, message="the stacked tree")
    assert severe_console_errors(browser) == []


#: Text cut by its box or covered by another element: every visible paragraph, heading, list item, table cell
#: and card whose content is wider than its box, or whose first line lies, at its start, middle or end, under an
#: element that is neither inside it nor around it (outside the charts, which clip their own text).
_CUT_OR_COVERED = """
const problems = [];
for (const element of document.querySelectorAll('p, h1, h2, h3, h4, h5, h6, li, td, th, label, .card, table')) {
    if (!element.offsetParent || element.closest('.js-plotly-plot')) continue;
    const box = element.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue;
    const name = element.tagName + ' "' + element.innerText.slice(0, 50) + '"';
    if (element.scrollWidth > element.clientWidth + 1 && getComputedStyle(element).overflowX === 'visible'
            && !element.closest('.table-responsive')) {
        problems.push('wider than its box: ' + name + ' ' + element.scrollWidth + ' > ' + element.clientWidth);
    }
    if (element.matches('p, h1, h2, h3, h4, h5, h6, li') && element.innerText.trim()) {
        element.scrollIntoView({block: 'center', behavior: 'instant'});
        const shown = element.getBoundingClientRect();
        const y = shown.top + Math.min(6, shown.height / 2);
        for (const x of [shown.left + 4, shown.left + shown.width / 2, shown.right - 4]) {
            const top = document.elementFromPoint(x, y);
            if (top && !element.contains(top) && !top.contains(element)) {
                problems.push('covered: ' + name + ' by ' + top.tagName + '.' + top.className);
                break;
            }
        }
    }
}
return problems;
"""


@pytest.mark.parametrize("path, ready", [("", "#overview-shares .js-plotly-plot"),
                                         ("segments", "#segments-radar .js-plotly-plot")])
@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_no_text_is_cut_or_covered(live_server, browser, path, ready, language, screen):
    if screen == "phone":
        _as_phone(browser)
    else:
        browser.driver.set_window_size(1440, 900)
    _open(browser, live_server, f"{path}?lang={language}", ready)
    wait_settled(browser)
    assert browser.driver.execute_script(_CUT_OR_COVERED) == []
    assert severe_console_errors(browser) == []


#: Every axis title of every chart drawn, and whether it lies inside its chart's drawing (a rotated title
#: longer than the plot is clipped at the chart's edge).
_AXIS_TITLES_CUT = """
const cut = [];
for (const chart of document.querySelectorAll('.js-plotly-plot')) {
    const svg = chart.querySelector('svg.main-svg');
    if (!svg || !chart.offsetParent) continue;
    const frame = svg.getBoundingClientRect();
    for (const title of chart.querySelectorAll('.g-xtitle text, .g-ytitle text, .g-y2title text, .g-x2title text')) {
        const box = title.getBoundingClientRect();
        if (!box.width || !title.textContent.trim()) continue;
        if (box.top < frame.top - 1 || box.bottom > frame.bottom + 1 || box.left < frame.left - 1
                || box.right > frame.right + 1) {
            cut.push((chart.parentElement.id || chart.id) + ': ' + title.textContent);
        }
    }
}
return cut;
"""


@pytest.mark.parametrize("path, ready", [("data", "#data-job-chart .js-plotly-plot"),
                                         ("targeting", "#targeting-gain .js-plotly-plot"),
                                         ("response", "#response-rates .js-plotly-plot")])
@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_no_axis_title_is_cut(live_server, browser, path, ready, language, screen):
    if screen == "phone":
        _as_phone(browser)
    else:
        browser.driver.set_window_size(1440, 900)
    _open(browser, live_server, f"{path}?lang={language}", ready)
    wait_settled(browser)
    assert browser.driver.execute_script(_AXIS_TITLES_CUT) == []
