"""The Campaign response page in a real headless Chromium against gunicorn: the answer, the figures, the
selectors, and the way in from the Segments page. Expectations are read from the page's own words, not from the
full data's numbers."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import Select

import app  # noqa: F401  (creates the app once, so the page modules below can be imported for their ids)
from dashapp.views import response as view
from tests.browser_helpers import (click as _click, open_details, open_page as _open, severe_console_errors,
                                   wait_until as _wait_until)

pytestmark = pytest.mark.browser


def _figure(browser, graph_id: str) -> dict:
    """The trace names and x values and the annotations' texts plotly holds for a graph."""
    return browser.driver.execute_script(
        "const gd = document.querySelector(arguments[0]);"
        "return {names: gd.data.map(t => t.name), x: gd.data.map(t => t.x),"
        " annotations: (gd.layout.annotations || []).map(a => a.text),"
        " axis: gd.layout.xaxis.title ? gd.layout.xaxis.title.text : null};",
        f"#{graph_id} .js-plotly-plot")


def test_response_page_answers_first_and_switches_population_and_driver(live_server, browser):
    from pages.response import (RESPONSE_ANSWER, RESPONSE_DRIVER, RESPONSE_DRIVER_GRAPH, RESPONSE_DRIVER_SENTENCE,
                                RESPONSE_POPULATION, RESPONSE_RATES, RESPONSE_RATES_TABLE)

    _open(browser, live_server, "response", f"#{RESPONSE_RATES} .js-plotly-plot")
    browser.wait_for_element(f"#{RESPONSE_DRIVER_GRAPH} .js-plotly-plot", timeout=20)
    assert "In the test period" not in browser.find_element(f"#{RESPONSE_ANSWER}").text  # the answer, then "More"
    open_details(browser, "#page-content")
    answer = browser.find_element(f"#{RESPONSE_ANSWER}").text
    assert view.QUESTION in answer
    assert answer.splitlines()[1].split(".")[0] in ("Yes", "No", "Partly")
    assert "In the training period" in answer and "In the test period" in answer
    rates = _figure(browser, RESPONSE_RATES)
    assert rates["names"][0].startswith("Segment ") and rates["annotations"][0].startswith("test period: ")
    assert _figure(browser, RESPONSE_DRIVER_GRAPH)["axis"] == view.DRIVER_NAMES["month"]

    Select(browser.find_element(f"#{RESPONSE_POPULATION}")).select_by_value("train")
    _wait_until(lambda: _figure(browser, RESPONSE_RATES)["annotations"][0].startswith("training period: "),
                message="the training period's base rate")
    browser.wait_for_contains_text(f"#{RESPONSE_RATES_TABLE}", "In the training period", timeout=20)
    browser.wait_for_contains_text(f"#{RESPONSE_DRIVER_SENTENCE}", "In the training period", timeout=20)

    Select(browser.find_element(f"#{RESPONSE_DRIVER}")).select_by_value("contact")
    _wait_until(lambda: _figure(browser, RESPONSE_DRIVER_GRAPH)["axis"] == view.DRIVER_NAMES["contact"],
                message="the contact channel chart")
    assert set(_figure(browser, RESPONSE_DRIVER_GRAPH)["x"][0]) == {"Mobile phone", "Landline"}
    browser.wait_for_contains_text(f"#{RESPONSE_DRIVER_SENTENCE}", "contact channel", timeout=20)
    assert severe_console_errors(browser) == []

    # The view is in the address: a reload keeps it, the language switch keeps it, and back steps through it.
    _wait_until(lambda: browser.driver.current_url.endswith("/response?clients=train&driver=contact"),
                message="the address to say the view")
    browser.driver.refresh()
    browser.wait_for_element(f"#{RESPONSE_DRIVER_GRAPH} .js-plotly-plot", timeout=20)
    assert browser.find_element(f"#{RESPONSE_POPULATION}").get_attribute("value") == "train"
    assert _figure(browser, RESPONSE_DRIVER_GRAPH)["axis"] == view.DRIVER_NAMES["contact"]
    switch = browser.driver.find_element("css selector", "a[hreflang='ru']")
    _wait_until(lambda: "clients=train&driver=contact" in switch.get_attribute("href"),
                message="the switch to keep the view")
    browser.driver.back()
    _wait_until(lambda: browser.find_element(f"#{RESPONSE_DRIVER}").get_attribute("value") == "month",
                message="back to the driver before")
    _wait_until(lambda: _figure(browser, RESPONSE_DRIVER_GRAPH)["axis"] == view.DRIVER_NAMES["month"],
                message="the month chart again")
    assert severe_console_errors(browser) == []


def test_the_levers_come_first_and_the_segments_are_drawn_month_by_month(live_server, browser):
    from pages.response import RESPONSE_ANSWER, RESPONSE_CALENDAR, RESPONSE_LEVERS, RESPONSE_MONTHS

    _open(browser, live_server, "response", f"#{RESPONSE_MONTHS} .js-plotly-plot")
    browser.wait_for_element(f"#{RESPONSE_CALENDAR} .js-plotly-plot", timeout=20)
    levers = browser.find_element(f"#{RESPONSE_LEVERS}")
    answer = browser.find_element(f"#{RESPONSE_ANSWER}")
    assert levers.location["y"] < answer.location["y"]
    assert "The previous campaign succeeded" in levers.text and "Response is not uplift" in levers.text
    months = _figure(browser, RESPONSE_MONTHS)
    assert months["names"][0] == "All segments" and months["names"][1] == "Segment 1"
    assert months["x"][0][0] == "May 2008"
    assert severe_console_errors(browser) == []


def test_the_overview_links_to_what_the_data_supports(live_server, browser):
    from pages.overview import OVERVIEW_LEVERS_LINK
    from pages.response import RESPONSE_LEVERS

    _open(browser, live_server, "", f"#{OVERVIEW_LEVERS_LINK}")
    _click(browser, browser.find_element(f"#{OVERVIEW_LEVERS_LINK}"))
    browser.wait_for_element(f"#{RESPONSE_LEVERS}", timeout=20)
    assert browser.driver.current_url.endswith("/response#response-levers")


def test_segments_page_leads_to_the_response_page(live_server, browser):
    from pages.response import RESPONSE_ANSWER
    from pages.segments import SEGMENTS_RESPONSE_LINK, SEGMENTS_SPACE

    _open(browser, live_server, "segments", f"#{SEGMENTS_SPACE} .js-plotly-plot")
    _click(browser, browser.find_element(f"#{SEGMENTS_RESPONSE_LINK}"))
    browser.wait_for_contains_text(f"#{RESPONSE_ANSWER}", view.QUESTION, timeout=20)
    assert browser.driver.current_url == live_server.url + "response"
    assert severe_console_errors(browser) == []
