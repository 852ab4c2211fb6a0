"""Less to read (issue 24, item 2): every page says its answer first, in about 60 words, shows at most 700 words
on first load at 1440 x 900, and keeps the details, the method and the rest of the evidence one click away."""

from __future__ import annotations

import pytest

import app  # noqa: F401  (creates the app once, so the page modules below can be imported for their ids)
from dashapp.web.reading import PAGE_LEAD_CLASS, opener_id
from pages.data import CAMPAIGN, DATA_CALLS_CHART, DATA_JOB_CHART
from tests.browser_helpers import (PAGE_READY, click, open_page, registered_pages, severe_console_errors, wait_settled,
                                   wait_until)

pytestmark = pytest.mark.browser

#: The issue's bounds: words in view on a page's first load (its ``innerText``, navigation and footer included),
#: and words in its answer.
MOST_WORDS = 700
MOST_LEAD_WORDS = 60
SCREEN = (1440, 900)
#: A page this short (the Score page's form) needs nothing behind "More".
SHORT_PAGE = 300

_VISIBLE_WORDS = "return document.body.innerText.split(/\\s+/).filter(Boolean).length"


@pytest.mark.parametrize("path", registered_pages())
def test_each_page_leads_with_its_answer_and_keeps_the_rest_one_click_away(live_server, browser, path):
    browser.driver.set_window_size(*SCREEN)
    open_page(browser, live_server, f"{path}?lang=en", PAGE_READY)
    wait_settled(browser)
    words = browser.driver.execute_script(_VISIBLE_WORDS)
    assert words <= MOST_WORDS, f"/{path} shows {words} words"
    leads = browser.find_elements(f".{PAGE_LEAD_CLASS}")
    assert len(leads) == 1, f"/{path} has {len(leads)} answers"
    lead = leads[0]
    assert 0 < len(lead.text.split()) <= MOST_LEAD_WORDS
    assert lead.rect["y"] + lead.rect["height"] <= SCREEN[1], "the answer is on the first screen"
    # A page with more to say than a short one keeps it in the page, closed ("More", or a closed section).
    closed = browser.driver.execute_script(
        "return Array.from(document.querySelectorAll('details')).filter(d => !d.open && d.offsetParent).length")
    assert closed > 0 or words < SHORT_PAGE
    assert severe_console_errors(browser) == []


def test_the_data_page_draws_its_other_sections_when_opened(live_server, browser):
    browser.driver.set_window_size(*SCREEN)
    open_page(browser, live_server, "data?lang=en", f"#{DATA_JOB_CHART} .js-plotly-plot")
    wait_settled(browser)
    calls_traces = f"return (document.querySelector('#{DATA_CALLS_CHART} .js-plotly-plot').data || []).length"
    assert browser.driver.execute_script(calls_traces) == 0, "a closed section's charts are not drawn"
    calls_chart = browser.find_element(f"#{DATA_CALLS_CHART}")
    assert not calls_chart.is_displayed()
    click(browser, browser.find_element(f"#{opener_id(CAMPAIGN)}"))
    wait_until(lambda: browser.driver.execute_script(calls_traces) > 0, message="the calls chart drawn on opening")
    assert calls_chart.is_displayed()
    # Drawn open, it takes its card's width (not plotly's 700 px default of a chart drawn out of sight).
    width = browser.driver.execute_script(
        f"return document.querySelector('#{DATA_CALLS_CHART} .main-svg').getBoundingClientRect().width")
    card = browser.driver.execute_script(
        f"return document.querySelector('#{DATA_CALLS_CHART}').parentElement.getBoundingClientRect().width")
    assert width > 0.9 * card - 40
    assert severe_console_errors(browser) == []
