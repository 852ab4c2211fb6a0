"""The Targeting benchmark page and the explorer's k-modes card in a real headless Chromium (any build)."""

from __future__ import annotations

import pytest

import app  # noqa: F401  (creates the app once, so the page modules below can be imported for their ids)
from tests.browser_helpers import (click as _click, open_details, open_page as _open, severe_console_errors,
                                   wait_until as _wait_until)

pytestmark = pytest.mark.browser


def _line_names(browser, graph_id: str) -> list[str]:
    return browser.driver.execute_script(
        "return document.querySelector(arguments[0]).data.filter(t => t.mode === 'lines').map(t => t.name);",
        f"#{graph_id} .js-plotly-plot")


def _annotations(browser, graph_id: str) -> list[str]:
    return browser.driver.execute_script(
        "return (document.querySelector(arguments[0]).layout.annotations || []).map(a => a.text);",
        f"#{graph_id} .js-plotly-plot")


def test_targeting_page_compares_models_and_segments_and_follows_the_share(live_server, browser):
    from pages.targeting import TARGETING_GAIN, TARGETING_HEADLINE, TARGETING_LIFT, TARGETING_SHARE

    _open(browser, live_server, "targeting", f"#{TARGETING_GAIN} .js-plotly-plot")
    browser.wait_for_element(f"#{TARGETING_LIFT} .js-plotly-plot", timeout=20)
    open_details(browser, "#page-content")  # the ranking over the whole period is a closed section
    headline = browser.find_element(f"#{TARGETING_HEADLINE}").text
    assert headline.startswith("Calling the 20% of test clients") and "calling by segment reaches" in headline
    for graph in (TARGETING_GAIN, TARGETING_LIFT):
        assert _line_names(browser, graph) == ["Gradient-boosted tree", "Logistic regression", "Segments",
                                               "Random calls"]
        assert _annotations(browser, graph) == ["20% called"]
    nav = [link.text for link in browser.find_elements(".navbar .nav-link")]
    assert nav.index("Overview") + 2 == nav.index("Response") + 1 == nav.index("Targeting")

    label = next(e for e in browser.find_elements(f"#{TARGETING_SHARE} label") if e.text.strip() == "30%")
    _click(browser, label)
    browser.wait_for_contains_text(f"#{TARGETING_HEADLINE}", "Calling the 30% of test clients", timeout=20)
    _wait_until(lambda: _annotations(browser, TARGETING_GAIN) == ["30% called"], message="the 30% mark")
    assert severe_console_errors(browser) == []


def test_the_month_by_month_view_follows_the_share_and_the_profit_follows_the_inputs(live_server, browser):
    from pages.targeting import (TARGETING_CAMPAIGN_HEADLINE, TARGETING_COST, TARGETING_PROFIT,
                                 TARGETING_PROFIT_SENTENCE, TARGETING_SHARE, TARGETING_STRATIFIED)

    _open(browser, live_server, "targeting", f"#{TARGETING_STRATIFIED} .js-plotly-plot")
    browser.wait_for_element(f"#{TARGETING_PROFIT} .js-plotly-plot", timeout=20)
    assert browser.find_element(f"#{TARGETING_CAMPAIGN_HEADLINE}").text.startswith(
        "Calling 20% of each month's clients")
    label = next(e for e in browser.find_elements(f"#{TARGETING_SHARE} label") if e.text.strip() == "10%")
    _click(browser, label)
    browser.wait_for_contains_text(f"#{TARGETING_CAMPAIGN_HEADLINE}", "Calling 10% of each month's clients",
                                   timeout=20)
    cost = browser.find_element(f"#{TARGETING_COST}")
    cost.clear()
    cost.send_keys("12\n")
    browser.wait_for_contains_text(f"#{TARGETING_PROFIT_SENTENCE}", "At 12.00 a call", timeout=20)
    assert severe_console_errors(browser) == []


def test_explorer_ends_with_the_categorical_card(live_server, browser):
    from dashapp.web.components import CATEGORICAL_ARI, CATEGORICAL_CARD, CATEGORICAL_CROSSTAB

    _open(browser, live_server, "explorer", f"#{CATEGORICAL_ARI} .js-plotly-plot")
    browser.wait_for_element(f"#{CATEGORICAL_CROSSTAB} .js-plotly-plot", timeout=20)
    open_details(browser, "#page-content")
    card = browser.find_element(f"#{CATEGORICAL_CARD}").text
    assert "k-modes at k = 4 agrees with the published segments at ARI" in card
    assert "housing loan x personal loan" in card
    ks = browser.driver.execute_script("return document.querySelector(arguments[0]).data[0].x;",
                                       f"#{CATEGORICAL_ARI} .js-plotly-plot")
    assert list(ks) == [2, 3, 4, 5, 6, 7, 8]
    assert severe_console_errors(browser) == []
