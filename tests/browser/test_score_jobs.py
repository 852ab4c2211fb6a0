"""The Score page's file jobs in a real headless Chromium against gunicorn on the full artifacts.

A file of real rows is scored in the background with a progress bar, its result shown and its scored file
downloaded; a long job is cancelled and its process is gone; a file over the limit stays in the browser with a
message. The server scores in chunks of two rows (``BANK_SCORE_CHUNK_ROWS``), so a job lasts long enough to be
watched and stopped: the product has no sleep for tests to lean on.
"""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest

import app  # noqa: F401  (creates the app once, so the page module below can be imported for its ids)
from dashapp.scoring import client_files, score_jobs, scorer
from dashapp.views.score import scored_file_bytes
from tests.browser_helpers import (LiveServer, click as _click, open_page as _open, severe_console_errors,
                                   wait_until as _wait_until)

pytestmark = pytest.mark.browser

#: Records every text the progress line shows while the progress area is visible (installed after a page opens).
WATCH_PROGRESS = """
window.progressSeen = [];
const area = document.getElementById(arguments[0]), line = document.getElementById(arguments[1]);
new MutationObserver(function () {
    if (area.style.display !== "none") { window.progressSeen.push(line.textContent); }
}).observe(area, {subtree: true, childList: true, characterData: true, attributes: true});
"""


@pytest.fixture(scope="module")
def job_server(tmp_path_factory, full_store):
    server = LiveServer({score_jobs.JOB_CACHE_ENV: str(tmp_path_factory.mktemp("jobs")),
                         score_jobs.CHUNK_ROWS_ENV: "2"})
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def _real_rows(bank_csv: Path, rows: int | None) -> bytes:
    lines = bank_csv.read_bytes().splitlines(keepends=True)
    return b"".join(lines if rows is None else lines[:rows + 1])


def _jobs(server: LiveServer) -> list[psutil.Process]:
    """The background jobs alive now: the processes the gunicorn workers started (zombies are over)."""
    jobs = []
    for worker in psutil.Process(server.process.pid).children():
        for job in worker.children(recursive=True):
            try:
                if job.status() != psutil.STATUS_ZOMBIE:
                    jobs.append(job)
            except psutil.NoSuchProcess:
                pass
    return jobs


def test_a_file_of_real_rows_is_scored_with_progress_and_its_scored_file_downloads(job_server, browser, bank_csv,
                                                                                   full_store, tmp_path):
    from pages.score import (SCORE_DOWNLOAD_BUTTON, SCORE_PROGRESS, SCORE_PROGRESS_TEXT, SCORE_UPLOAD,
                             SCORE_UPLOAD_SUMMARY)

    content = _real_rows(bank_csv, 3000)
    path = tmp_path / "three thousand.csv"
    path.write_bytes(content)
    _open(browser, job_server, "score?tab=file", f"#{SCORE_UPLOAD}")
    browser.driver.execute_script(WATCH_PROGRESS, SCORE_PROGRESS, SCORE_PROGRESS_TEXT)
    browser.find_element(f"#{SCORE_UPLOAD} input[type=file]").send_keys(str(path))

    file = client_files.read_client_csv(content)
    expected = scorer.score_table(file.table, scorer.scoring_model(full_store))
    browser.wait_for_contains_text(f"#{SCORE_UPLOAD_SUMMARY}", f"{expected.scored_count:,} of 3,000 rows scored",
                                   timeout=120)
    seen = browser.driver.execute_script("return window.progressSeen;")
    partial = [text for text in seen if text.endswith(" of 3,000 rows scored") and not text.startswith("3,000 ")]
    assert partial, seen  # the bar moved while the job ran
    counts = [int(text.split(" of ")[0].replace(",", "")) for text in partial]
    assert counts == sorted(counts)
    assert not browser.find_element(f"#{SCORE_PROGRESS}").is_displayed()

    download_dir = tmp_path / "scored"
    download_dir.mkdir()
    browser.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)})
    _click(browser, browser.find_element(f"#{SCORE_DOWNLOAD_BUTTON}"))
    downloaded = download_dir / "three thousand-scored.csv"
    _wait_until(downloaded.exists, timeout=60, message="the scored file to download")
    expected_bytes = scored_file_bytes(file, expected)
    _wait_until(lambda: downloaded.stat().st_size == len(expected_bytes), timeout=10, message="the whole file")
    assert downloaded.read_bytes() == expected_bytes  # what scoring the file in one go writes
    again = client_files.read_client_csv(downloaded.read_bytes())  # and it reads back: every row and column
    assert again.dialect == file.dialect
    assert again.table.iloc[:, :len(file.table.columns)].equals(file.table)
    assert list(again.table.columns[len(file.table.columns):]) == list(scorer.OUTPUT_COLUMNS)
    assert severe_console_errors(browser) == []


def test_cancel_stops_a_long_job_and_its_process(job_server, browser, bank_csv, tmp_path):
    from pages.score import (SCORE_CANCEL, SCORE_DOWNLOAD_BUTTON, SCORE_PROGRESS, SCORE_PROGRESS_TEXT, SCORE_UPLOAD,
                             SCORE_UPLOAD_RESULT)

    path = tmp_path / "every client.csv"
    path.write_bytes(_real_rows(bank_csv, None))  # 41,188 rows in chunks of two: far longer than the test waits
    _open(browser, job_server, "score?tab=file", f"#{SCORE_UPLOAD}")
    browser.find_element(f"#{SCORE_UPLOAD} input[type=file]").send_keys(str(path))
    browser.wait_for_contains_text(f"#{SCORE_PROGRESS_TEXT}", " of 41,188 rows scored", timeout=60)
    assert len(_jobs(job_server)) == 1
    _click(browser, browser.find_element(f"#{SCORE_CANCEL}"))

    browser.wait_for_contains_text(f"#{SCORE_UPLOAD_RESULT}", "Scoring stopped", timeout=20)
    _wait_until(lambda: not _jobs(job_server), timeout=20, message="the job's process to end")
    _wait_until(lambda: not browser.find_element(f"#{SCORE_PROGRESS}").is_displayed(), timeout=10,
                message="the progress bar to go")
    assert not browser.find_element(f"#{SCORE_DOWNLOAD_BUTTON}").is_enabled()
    assert severe_console_errors(browser) == []


def test_a_file_over_the_limit_stays_in_the_browser_with_a_message(job_server, browser, tmp_path):
    from pages.score import SCORE_UPLOAD, SCORE_UPLOAD_RESULT, SCORE_UPLOAD_TOO_LARGE

    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:  # sparse: the size the browser sees, without the disk
        handle.truncate(client_files.MAX_UPLOAD_BYTES + 3 * 1024 * 1024)
    _open(browser, job_server, "score?tab=file", f"#{SCORE_UPLOAD}")
    browser.find_element(f"#{SCORE_UPLOAD} input[type=file]").send_keys(str(path))
    browser.wait_for_contains_text(f"#{SCORE_UPLOAD_TOO_LARGE}", "'huge.csv' is 53.0 MB; the limit is 50 MB",
                                   timeout=20)
    assert browser.find_element(f"#{SCORE_UPLOAD_RESULT}").text == ""  # nothing was sent
    assert severe_console_errors(browser) == []
