"""The Score page in a real headless Chromium against gunicorn on the full artifacts: the form and an upload."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.support.ui import Select

import app  # noqa: F401  (creates the app once, so the page module below can be imported for its ids)
from dashapp.artifacts.current import current_store
from dashapp.core import catalogue
from tests.browser_helpers import (SCREENSHOTS, click as _click, open_page as _open, severe_console_errors,
                                   wait_until as _wait_until)

pytestmark = pytest.mark.browser


def _decision_path_edges(browser, graph_id: str) -> int:
    """Edges of the highlighted path in the tree graph (its segments are separated by nulls)."""
    return browser.driver.execute_script(
        "const gd = document.querySelector(arguments[0]);"
        "const t = gd && gd.data && gd.data.find(t => t.name === 'decision path');"
        "return t ? Array.from(t.x).filter(x => x === null).length : -1;", f"#{graph_id} .js-plotly-plot")


def test_scoring_the_default_client_then_one_with_an_unknown_job(live_server, browser):
    from pages.score import (SCORE_RESULT, SCORE_RESULT_SEGMENT, SCORE_RESULT_TIE, SCORE_RESULT_VOTE, SCORE_SUBMIT,
                             SCORE_TREE, feedback_id, field_id)

    _open(browser, live_server, "score", f"#{SCORE_SUBMIT}")
    assert "the other details start as not given" in browser.find_element(f"#{SCORE_RESULT}").text

    _click(browser, browser.find_element(f"#{SCORE_SUBMIT}"))
    browser.wait_for_element(f"#{SCORE_RESULT_SEGMENT}", timeout=20)
    browser.wait_for_element(f"#{SCORE_TREE} .js-plotly-plot", timeout=20)
    result = browser.find_element(f"#{SCORE_RESULT}").text
    assert any(segment.name in result for segment in catalogue.segments(current_store()).values())
    assert browser.find_element(f"#{SCORE_RESULT_SEGMENT}").text.startswith("Segment ")
    _wait_until(lambda: _decision_path_edges(browser, SCORE_TREE) >= 2, message="the client's path on the tree")
    assert severe_console_errors(browser) == []

    Select(browser.find_element(f"#{field_id('job')}")).select_by_value("unknown")
    _click(browser, browser.find_element(f"#{SCORE_SUBMIT}"))
    browser.wait_for_contains_text(f"#{SCORE_RESULT_VOTE}", "Job was not known", timeout=20)
    vote = browser.find_element(f"#{SCORE_RESULT_VOTE}").text
    # Only housing and loan were given: every training client with the same two votes, and the split is said.
    assert "training clients most similar on the fields given" in vote
    assert "filled by" in browser.find_element(f"#{SCORE_RESULT}").text

    # A second unknown key field: both fields are marked, with the reason under them, and no result.
    Select(browser.find_element(f"#{field_id('loan')}")).select_by_value("unknown")
    _click(browser, browser.find_element(f"#{SCORE_SUBMIT}"))
    browser.wait_for_contains_text(f"#{SCORE_RESULT}", "cannot be scored yet", timeout=20)
    assert "is-invalid" in browser.find_element(f"#{field_id('job')}").get_attribute("class")
    assert "at least two of Job, Housing loan and Personal loan" in browser.find_element(
        f"#{feedback_id('loan')}").text
    assert not browser.find_elements(f"#{SCORE_RESULT_SEGMENT}")

    # Back to a scorable client for the screenshot: a tied vote (age 23, single, university, no default; found on
    # the full build: management 2, admin. 2, unemployed 1), said as a tie.
    Select(browser.find_element(f"#{field_id('loan')}")).select_by_value("no")
    Select(browser.find_element(f"#{field_id('education')}")).select_by_value("university.degree")
    Select(browser.find_element(f"#{field_id('marital')}")).select_by_value("single")
    Select(browser.find_element(f"#{field_id('default')}")).select_by_value("no")
    age = browser.find_element(f"#{field_id('age')}")
    age.clear()
    age.send_keys("23")
    _click(browser, browser.find_element(f"#{SCORE_SUBMIT}"))
    browser.wait_for_contains_text(f"#{SCORE_RESULT_TIE}", "A tie between", timeout=20)
    assert "treat the segment as uncertain" in browser.find_element(f"#{SCORE_RESULT_TIE}").text
    assert "is-invalid" not in browser.find_element(f"#{field_id('job')}").get_attribute("class")
    browser.driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
    assert severe_console_errors(browser) == []

    # The form and its last result survive the language switch (and so a reload): the tab's session keeps them.
    segment = browser.find_element(f"#{SCORE_RESULT_SEGMENT}").text.removeprefix("Segment ")
    switch = browser.driver.find_element("css selector", "a[hreflang='ru']")
    browser.driver.get(switch.get_attribute("href"))
    browser.wait_for_element(f"#{SCORE_RESULT_SEGMENT}", timeout=20)
    assert browser.find_element(f"#{SCORE_RESULT_SEGMENT}").text == f"Сегмент {segment}"
    assert browser.find_element(f"#{field_id('age')}").get_attribute("value") == "23"
    assert browser.find_element(f"#{field_id('job')}").get_attribute("value") == "unknown"
    assert browser.find_element(f"#{field_id('marital')}").get_attribute("value") == "single"
    assert severe_console_errors(browser) == []


UCI_FILE = "\n".join([
    '"age";"job";"marital";"education";"default";"housing";"loan";"contact";"note"',
    '56;"housemaid";"married";"basic.4y";"no";"no";"no";"telephone";"ok"',
    '37;"services";"married";"high.school";"no";"yes";"no";"telephone";"=HYPERLINK(""http://x.test"",""y"")"',
    '40;"unknown";"married";"basic.6y";"no";"unknown";"no";"telephone";"two keys unknown"',
    '41;"unknown";"married";"university.degree";"no";"yes";"no";"cellular";"job filled"',
    '33;"pilot";"single";"high.school";"no";"yes";"no";"cellular";"no such job"',
]) + "\n"


def test_uploading_a_file_shows_the_summary_and_downloads_the_scored_file(live_server, browser, tmp_path):
    from pages.score import (SCORE_DOWNLOAD_BUTTON, SCORE_UPLOAD, SCORE_UPLOAD_PREVIEW, SCORE_UPLOAD_REFUSED,
                             SCORE_UPLOAD_RESULT, SCORE_UPLOAD_SUMMARY)

    _open(browser, live_server, "score?tab=file", f"#{SCORE_UPLOAD}")
    upload_dir = tmp_path / "upload"
    upload_dir.mkdir()
    bad = upload_dir / "empty.csv"
    bad.write_bytes(b"")
    browser.find_element(f"#{SCORE_UPLOAD} input[type=file]").send_keys(str(bad))
    browser.wait_for_contains_text(f"#{SCORE_UPLOAD_RESULT}", "'empty.csv' is empty", timeout=20)
    assert not browser.find_element(f"#{SCORE_DOWNLOAD_BUTTON}").is_enabled()

    path = upload_dir / "march clients.csv"
    path.write_text(UCI_FILE, encoding="utf-8")
    browser.find_element(f"#{SCORE_UPLOAD} input[type=file]").send_keys(str(path))
    browser.wait_for_contains_text(f"#{SCORE_UPLOAD_SUMMARY}", "3 of 5 rows scored", timeout=20)
    assert "2 rows could not be scored" in browser.find_element(f"#{SCORE_UPLOAD_SUMMARY}").text
    preview = browser.find_element(f"#{SCORE_UPLOAD_PREVIEW}").text
    assert "Filled by the vote" in preview and "job = " in preview and "not scored" in preview
    assert "Basic (4 years)" in preview and "basic.4y" not in preview
    refused = browser.find_element(f"#{SCORE_UPLOAD_REFUSED}").text
    assert "'pilot' is not a category of Job" in refused and "Job and Housing loan are unknown" in refused

    download_dir = tmp_path / "scored"
    download_dir.mkdir()
    browser.driver.execute_cdp_cmd("Page.setDownloadBehavior",
                                   {"behavior": "allow", "downloadPath": str(download_dir)})
    button = browser.find_element(f"#{SCORE_DOWNLOAD_BUTTON}")
    _wait_until(button.is_enabled, message="the download button to be enabled")
    _click(browser, button)
    downloaded = Path(download_dir) / "march clients-scored.csv"
    _wait_until(downloaded.exists, message="the scored file to download")
    _wait_until(lambda: len(downloaded.read_text().splitlines()) == 6, timeout=5, message="the whole file")
    lines = downloaded.read_text(encoding="utf-8").splitlines()
    assert lines[0] == UCI_FILE.splitlines()[0] + ';"status";"segment";"segment_name";"filled"'
    assert "'=HYPERLINK" in lines[2]
    assert lines[3].startswith(UCI_FILE.splitlines()[3] + ';"not scored: ')  # refused rows are kept
    browser.driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
    assert severe_console_errors(browser) == []


def test_the_upload_preview_shows_status_and_segment_on_a_phone(live_server, browser, tmp_path):
    """At 390 x 844 the preview's table scrolls inside its card, and its first columns are status and segment."""
    from pages.score import SCORE_UPLOAD, SCORE_UPLOAD_PREVIEW, SCORE_UPLOAD_SUMMARY

    browser.driver.set_window_size(390, 844)
    _open(browser, live_server, "score?tab=file", f"#{SCORE_UPLOAD}")
    path = tmp_path / "clients.csv"
    path.write_text(UCI_FILE, encoding="utf-8")
    browser.find_element(f"#{SCORE_UPLOAD} input[type=file]").send_keys(str(path))
    browser.wait_for_contains_text(f"#{SCORE_UPLOAD_SUMMARY}", "3 of 5 rows scored", timeout=20)
    browser.driver.execute_script("document.querySelector(arguments[0]).scrollIntoView({block: 'start', behavior: 'instant'})",
                                  f"#{SCORE_UPLOAD_PREVIEW}")
    geometry = browser.driver.execute_script(
        "const th = Array.from(document.querySelectorAll(arguments[0] + ' th'));"
        "const segment = th.find(h => h.textContent === 'Segment').getBoundingClientRect();"
        "return {segmentRight: segment.right, viewport: window.innerWidth,"
        "        page: document.documentElement.scrollWidth};", f"#{SCORE_UPLOAD_PREVIEW}")
    assert geometry["segmentRight"] <= geometry["viewport"], geometry
    assert geometry["page"] <= geometry["viewport"], geometry  # the page itself does not scroll sideways
    assert severe_console_errors(browser) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.driver.save_screenshot(str(SCREENSHOTS / "score-upload-preview-390px.png"))
