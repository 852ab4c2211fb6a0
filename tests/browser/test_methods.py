"""The Methods page in a real headless Chromium against gunicorn on the full artifacts."""

from __future__ import annotations

import pytest

import app  # noqa: F401  (creates the app once, so the page modules below can be imported for their ids)
from tests.browser_helpers import (click as _click, open_details, open_page as _open, severe_console_errors,
                                   wait_until as _wait_until)

pytestmark = pytest.mark.browser


def test_the_methods_page_states_the_builds_facts_and_each_section_has_an_address(live_server, browser, full_store):
    from dashapp.views import methods
    from pages.methods import METHODS_SECTIONS

    _open(browser, live_server, "methods", f"#{METHODS_SECTIONS}")
    open_details(browser, f"#{METHODS_SECTIONS}")
    facts = full_store.evaluation["methods"]
    housing = facts["unknown_loans"]["housing"]
    text = browser.find_element(f"#{methods.UNKNOWN_LOANS}").text
    assert f"{housing['unknown']:,} clients whose housing loan is unknown, {housing['became_no']:,} become 'no'" in text
    # How many segments a client's own outcome decides through the imputation, as the build counted them.
    outcome = facts["outcome_in_imputation"]
    gaps, flipped = (outcome["train"][key] + outcome["test"][key] for key in ("with_gaps", "flipped"))
    assert f"{gaps:,} have an unknown job, housing or loan: {flipped:,} of them would be in another segment" in (
        browser.find_element(f"#{methods.OUTCOME_IN_GRID}").text)
    elbows = browser.find_element(f"#{methods.ELBOWS}").text
    assert f"{facts['elbows']['rising']} of the {facts['elbows']['curves']} elbow curves" in elbows
    for section in methods.methods_sections(full_store.evaluation):
        assert browser.find_element(f"#{section.anchor}").text.startswith(section.title)
    assert severe_console_errors(browser) == []

    # A section's address opens the page at that section.
    _open(browser, live_server, f"methods#{methods.K_CHOICE}", f"#{METHODS_SECTIONS}")
    assert browser.driver.execute_script("return location.hash") == f"#{methods.K_CHOICE}"


@pytest.mark.parametrize("page, anchor", [("explorer", "k-choice"), ("segments", "unknown-loans"),
                                          ("response", "outcome-in-grid"), ("tree", "differences")])
def test_the_pages_that_rely_on_a_method_link_to_its_section(live_server, browser, page, anchor):
    from pages.methods import METHODS_SECTIONS

    _open(browser, live_server, page, f"#{page}-methods-{anchor}")
    link = browser.find_element(f"#{page}-methods-{anchor}")
    assert link.get_attribute("href") == f"{live_server.url}methods#{anchor}"
    # The link's own click handler (the pages' charts keep resizing after the load, so a click at a point of
    # the screen can land on whatever has just moved there).
    browser.driver.execute_script("arguments[0].click();", link)
    browser.wait_for_element(f"#{METHODS_SECTIONS}", timeout=20)
    assert browser.driver.current_url == f"{live_server.url}methods#{anchor}"


def test_every_page_links_to_the_glossary_which_opens_at_its_address(live_server, browser):
    from dashapp.views import glossary

    _open(browser, live_server, "targeting", "#page-content .card")
    link = browser.find_element(f"footer a[href$='#{glossary.GLOSSARY}']")
    _click(browser, link)
    # The glossary is a closed section; the address names it, so it opens.
    _wait_until(lambda: browser.driver.execute_script(
        f"const g = document.getElementById('{glossary.GLOSSARY}'); return !!g && g.open"), message="the glossary")
    text = browser.find_element(f"#{glossary.GLOSSARY}").text
    for term, definition in glossary.terms():
        assert term in text and definition in text
    # A term on a page carries its definition.
    _open(browser, live_server, "targeting", "#page-content .card")
    definitions = {abbr.get_attribute("title") for abbr in browser.find_elements("abbr.term")}
    assert dict(glossary.terms())["AUC"] in definitions
    assert severe_console_errors(browser) == []
