"""Overview, Segments and Decision tree in a real headless Chromium against gunicorn on the full artifacts."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains

import app  # noqa: F401  (creates the app once, so the page modules below can be imported for their ids)
from dashapp.artifacts.current import current_store
from dashapp.core import catalogue
from dashapp.views import facts
from dashapp.web.app import PAGE_CONTENT_ID
from tests.browser_helpers import (click as _click, open_details, open_page as _open, severe_console_errors,
                                   wait_until as _wait_until)

pytestmark = pytest.mark.browser


def _figure_data(browser, graph_id: str) -> list[dict]:
    """The traces plotly holds for a graph (only the few fields the tests read)."""
    return browser.driver.execute_script(
        "return document.querySelector(arguments[0]).data.map(t => ({name: t.name, x: t.x, y: t.y,"
        " customdata: t.customdata, opacity: t.marker ? t.marker.opacity : null}));",
        f"#{graph_id} .js-plotly-plot")


def _label(browser, selector: str, text: str):
    """The label under ``selector`` whose text ends with ``text`` (picker labels start with a colour dot)."""
    return next(element for element in browser.find_elements(f"{selector} label")
                if element.text.strip().endswith(text))


def test_overview_tells_the_story_and_its_cards_open_a_segment(live_server, browser):
    from pages.overview import OVERVIEW_DATA, OVERVIEW_SHARES, segment_link_id
    from pages.segments import SEGMENTS_DETAIL, SEGMENTS_PICKER

    _open(browser, live_server, "", f"#{OVERVIEW_SHARES} .js-plotly-plot")
    assert "Decision Support Systems" not in browser.find_element(f"#{OVERVIEW_DATA}").text  # behind "About the data"
    open_details(browser, f"#{OVERVIEW_DATA}")
    data = browser.find_element(f"#{OVERVIEW_DATA}").text
    assert "May 2008" in data and "Nov 2010" in data and "Decision Support Systems 62" in data
    assert facts.outcome_use() in data
    # Every rate with its clients: all clients, and the two periods side by side.
    assert "of all clients subscribed a term deposit" in data
    assert "Training period Test period Both periods" in data and "All segments 5.6% 24.6% 11.3%" in data
    study = browser.find_element(f"a[href='{catalogue.ORIGINAL_STUDY_URL}']")
    assert study.text == catalogue.ORIGINAL_STUDY_NAME
    assert len(_figure_data(browser, OVERVIEW_SHARES)) == 2
    assert severe_console_errors(browser) == []

    _click(browser, browser.find_element(f"#{segment_link_id(2)}"))
    browser.wait_for_contains_text(f"#{SEGMENTS_DETAIL}", catalogue.segments(current_store())[2].name, timeout=20)
    assert browser.driver.current_url == live_server.url + "segments?segment=2"
    assert browser.find_element(f"#{SEGMENTS_PICKER} label.active").text.strip().endswith("Segment 2")
    assert severe_console_errors(browser) == []


def test_picking_a_segment_highlights_it_and_updates_the_address(live_server, browser):
    from dashapp.figures.segments import FADED_OPACITY
    from pages.segments import (SEGMENTS_DETAIL, SEGMENTS_JOBS, SEGMENTS_PICKER, SEGMENTS_RADAR, SEGMENTS_SIZES,
                                SEGMENTS_SPACE)

    _open(browser, live_server, "segments", f"#{SEGMENTS_SPACE} .js-plotly-plot")
    for graph in (SEGMENTS_RADAR, SEGMENTS_SIZES, SEGMENTS_JOBS):
        browser.wait_for_element(f"#{graph} .js-plotly-plot", timeout=20)
    space = _figure_data(browser, SEGMENTS_SPACE)
    assert [trace["opacity"] for trace in space] == [1, 1, 1, 1]
    assert sum(point[1] for trace in space for point in trace["customdata"]) > 0

    page = browser.find_element(f"#{PAGE_CONTENT_ID}").text
    assert "Segments 1 and 4 differ by an alphabetical cut of the job" in page

    _click(browser, _label(browser, f"#{SEGMENTS_PICKER}", "Segment 3"))
    browser.wait_for_contains_text(f"#{SEGMENTS_DETAIL}", catalogue.segments(current_store())[3].products[0],
                                   timeout=20)
    detail = browser.find_element(f"#{SEGMENTS_DETAIL}").text
    assert "The original study's recommendation" in detail
    assert catalogue.segments(current_store())[3].original_recommendation in detail
    assert "Segment 3" in detail and "All segments 5.6% 24.6% 11.3%" in detail
    _wait_until(lambda: [t["opacity"] for t in _figure_data(browser, SEGMENTS_SPACE)]
                == [FADED_OPACITY, FADED_OPACITY, 1, FADED_OPACITY], message="segment 3 highlighted")
    assert browser.driver.current_url.endswith("segments?segment=3")

    # Back in history restores the previous selection: the address is the page's state.
    browser.driver.back()
    _wait_until(lambda: browser.driver.current_url.endswith("segments"), message="the address without a query")
    browser.wait_for_contains_text(f"#{SEGMENTS_DETAIL}", "Pick a segment", timeout=20)
    assert severe_console_errors(browser) == []


def test_segments_page_with_a_bad_query_says_so(live_server, browser):
    _open(browser, live_server, "segments?segment=12", "#segments-space .js-plotly-plot")
    assert "There is no segment '12'" in browser.find_element(f"#{PAGE_CONTENT_ID}").text
    assert severe_console_errors(browser) == []


def _click_node(browser, graph_id: str, node_id: int) -> None:
    """Click a tree node where plotly draws it (a real mouse click, which is what sets clickData)."""
    x, y = browser.driver.execute_script(
        """
        const gd = document.querySelector(arguments[0]);
        const nodes = gd.data.find(t => t.name === 'nodes');
        const i = nodes.customdata.indexOf(arguments[1]);
        gd.scrollIntoView({block: "start", behavior: "instant"});
        const layout = gd._fullLayout, box = gd.getBoundingClientRect();
        return [box.left + layout._size.l + layout.xaxis.d2p(nodes.x[i]),
                box.top + layout._size.t + layout.yaxis.d2p(nodes.y[i])];
        """, f"#{graph_id} .js-plotly-plot", node_id)
    ActionChains(browser.driver).move_to_location(int(x), int(y)).click().perform()


def test_tree_page_draws_the_tree_highlights_a_clicked_path_and_downloads_the_rules(
        live_server, browser, tmp_path):
    from pages.tree import (TREE_ACCURACY_NOTE, TREE_BALANCE, TREE_CONFUSION, TREE_CONFUSION_MODEL,
                            TREE_DOWNLOAD_BUTTON, TREE_GRAPH, TREE_METRICS, TREE_RULES_TEXT)

    _open(browser, live_server, "tree", f"#{TREE_GRAPH} .js-plotly-plot")
    for graph in (TREE_CONFUSION, TREE_BALANCE):
        browser.wait_for_element(f"#{graph} .js-plotly-plot", timeout=20)
    nodes = next(t for t in _figure_data(browser, TREE_GRAPH) if t["name"] == "nodes")
    assert len(nodes["customdata"]) >= 7  # a depth-3 tree on these fields has at least 7 nodes
    assert "Accuracy" in browser.find_element(f"#{TREE_METRICS}").text
    open_details(browser, f"#{TREE_ACCURACY_NOTE}")
    note = browser.find_element(f"#{TREE_ACCURACY_NOTE}").text
    assert "by construction" in note and "not a prediction of anything about a client" in note
    assert "Segments 1 and 4 differ by an alphabetical cut of the job" in browser.find_element(
        f"#{PAGE_CONTENT_ID}").text
    rules = browser.find_element(f"#{TREE_RULES_TEXT}").text
    assert rules.startswith(("if housing loan:", "if no housing loan:")) and " = " not in rules  # words, not codes

    leaf = max(nodes["customdata"])
    _click_node(browser, TREE_GRAPH, leaf)
    _wait_until(lambda: len(next(t for t in _figure_data(browser, TREE_GRAPH)
                                 if t["name"] == "decision path")["x"]) > 0, message="the highlighted path")

    _click(browser, _label(browser, f"#{TREE_CONFUSION_MODEL}", "Logistic regression (balanced)"))
    browser.wait_for_element(f"#{TREE_CONFUSION} .js-plotly-plot", timeout=10)

    browser.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    _click(browser, browser.find_element(f"#{TREE_DOWNLOAD_BUTTON}"))
    downloaded = Path(tmp_path) / "tree_rules.txt"
    _wait_until(downloaded.exists, message="tree_rules.txt to download")
    # The download keeps the data file's codes, one line for each line of the page's rules, then what the job
    # split means (the page says it above the tree).
    _wait_until(lambda: "Note: " in downloaded.read_text(), timeout=5, message="the full rules text")
    assert len(downloaded.read_text().split("\n\nNote: ")[0].splitlines()) == len(rules.splitlines())
    assert downloaded.read_text().startswith("if housing = ")
    browser.driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")  # the screenshot shows the tree
    assert severe_console_errors(browser) == []
