"""Spreadsheets in and out, in a real headless Chromium against gunicorn on the full artifacts.

A workbook whose first sheet is not a table of clients is uploaded on the Score page: the page says so, offers the
workbook's sheets, scores the one chosen and downloads a workbook. A chart's data downloads as CSV and as Excel
from the Segments page, holding what the chart draws.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import plotly.io
import pytest

import app  # noqa: F401  (creates the app once, so the page modules below can be imported for their ids)
from dashapp.results import chart_data
from dashapp.scoring import scorer
from dashapp.web.components import chart_data_ids
from tests.browser_helpers import click as _click, open_page as _open, severe_console_errors, wait_until as _wait_until
from tests.layout_helpers import by_id

pytestmark = pytest.mark.browser


def _downloads(browser, folder):
    folder.mkdir()
    browser.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)})
    return folder


def _downloaded(path, timeout: float = 60) -> bytes:
    _wait_until(path.exists, timeout=timeout, message=f"{path.name} to download")
    _wait_until(lambda: path.stat().st_size > 0 and not path.with_name(path.name + ".crdownload").exists(),
                timeout=10, message="the whole file")
    return path.read_bytes()


def test_a_workbook_is_scored_from_the_sheet_chosen_and_downloads_as_a_workbook(live_server, browser, bank_csv,
                                                                              full_store, tmp_path):
    from pages.score import SCORE_DOWNLOAD_BUTTON, SCORE_SHEET, SCORE_UPLOAD, SCORE_UPLOAD_RESULT, SCORE_UPLOAD_SUMMARY

    clients = pd.read_csv(bank_csv, sep=";", nrows=200)
    path = tmp_path / "march.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"about": ["March calls of the Lisbon branch"]}).to_excel(writer, sheet_name="Read me",
                                                                               index=False)
        clients.to_excel(writer, sheet_name="Calls", index=False)
    _open(browser, live_server, "score?tab=file", f"#{SCORE_UPLOAD}")
    browser.find_element(f"#{SCORE_UPLOAD} input[type=file]").send_keys(str(path))
    browser.wait_for_contains_text(f"#{SCORE_UPLOAD_RESULT}", "its columns are 'about'", timeout=60)

    chooser = browser.find_element(f"#{SCORE_SHEET}")
    assert chooser.is_displayed()
    options = [o.text for o in chooser.find_elements("css selector", "option") if o.get_attribute("value")]
    assert options == ["Read me", "Calls"]
    chooser.find_element("css selector", "option[value='Calls']").click()
    expected = scorer.score_table(clients.astype(object), scorer.scoring_model(full_store))
    browser.wait_for_contains_text(f"#{SCORE_UPLOAD_SUMMARY}", f"{expected.scored_count:,} of 200 rows scored",
                                   timeout=60)
    assert "Read as an Excel workbook, sheet 'Calls' (2 of 2)" in browser.find_element(f"#{SCORE_UPLOAD_SUMMARY}").text

    folder = _downloads(browser, tmp_path / "scored")
    _click(browser, browser.find_element(f"#{SCORE_DOWNLOAD_BUTTON}"))
    scored = pd.read_excel(io.BytesIO(_downloaded(folder / "march-scored.xlsx")), sheet_name=None)
    assert list(scored) == ["Calls"]
    table = scored["Calls"]
    assert len(table) == 200 and list(table.columns[:21]) == list(clients.columns)
    pd.testing.assert_frame_equal(table.iloc[:, :21], clients, check_dtype=False)  # values, numbers as numbers
    assert table["segment"].fillna(0).astype(int).tolist() == expected.table["segment"].fillna(0).astype(int).tolist()
    assert severe_console_errors(browser) == []


def test_a_charts_data_downloads_as_csv_and_excel_holding_what_it_draws(live_server, browser, full_store, tmp_path):
    import pages.segments as segments

    figure = by_id(segments.layout())[segments.SEGMENTS_SIZES].figure
    expected = chart_data.figure_table(json.loads(plotly.io.to_json(figure)))
    # One row per segment and one for every segment: its training clients and its rate in each period.
    assert len(expected) == 5 and list(expected.columns) == [
        "Segment", "Training clients", "Subscribed, training period, %", "Subscribed, test period, %"]
    csv_id, xlsx_id, _download_id = chart_data_ids(segments.SEGMENTS_SIZES)
    _open(browser, live_server, "segments", f"#{csv_id}")
    folder = _downloads(browser, tmp_path / "charts")

    _click(browser, browser.find_element(f"#{csv_id}"))
    content = _downloaded(folder / "segments-sizes-and-rates.csv")
    # What the table is, then the figure as the browser holds it, as a table.
    about, table_part = content.split(b"\r\n\r\n", 1)
    assert b"/segments" in about and full_store.provenance.name.encode() in about
    assert table_part == chart_data.table_csv_bytes(expected).removeprefix("\ufeff".encode())
    _click(browser, browser.find_element(f"#{xlsx_id}"))
    workbook = pd.read_excel(io.BytesIO(_downloaded(folder / "segments-sizes-and-rates.xlsx")), sheet_name=None)
    (sheet, table), (about_sheet, _about) = workbook.items()
    assert (sheet, about_sheet) == ("Sizes and rates", "About")
    pd.testing.assert_frame_equal(table, pd.read_csv(io.BytesIO(table_part)), check_dtype=False)
    assert severe_console_errors(browser) == []
