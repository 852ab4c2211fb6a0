"""Every page of a build of the UCI 10% sample ``bank-additional.csv`` in a real headless Chromium, and its API.

The sample is not in time order and has no dates: no page may invent a period ("Nov 3700"), call it the UCI
Bank Marketing data, or set it beside the original study's shares and silhouette, and every page that names
the training and test clients says how they were drawn.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from dashapp.artifacts.model_folder import read_manifest
from dashapp.artifacts.provenance import data_provenance
from dashapp.views.provenance import split_sentence
from tests.browser_helpers import LiveServer, open_details, open_page, severe_console_errors, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Every page, with an element that is there once its layout is (charts may still be drawing: WebGL is slow).
PAGES = {"": "#overview-data", "data": "#data-headline", "explorer": "#page-content .js-plotly-plot",
         "segments": "#segments-detail", "tree": "#page-content .card", "response": "#response-answer",
         "targeting": "#targeting-headline", "score": "#page-content .card", "methods": "#methods-sections"}
#: What only the UCI file (or a time-ordered split of it) can claim.
UCI_ONLY = ("3700", "UCI Bank Marketing", "May 2008", "November 2010", "Portuguese bank",
            "silhouette, original study", "Original study:", "in time order")


@pytest.fixture(scope="module")
def sample_server(sample_model_dir):
    server = LiveServer({"BANK_MODEL_DIR": str(sample_model_dir)})
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def test_the_build_of_the_sample_records_what_it_is(sample_model_dir):
    provenance = data_provenance(read_manifest(sample_model_dir))
    assert not provenance.is_uci and not provenance.period_known
    assert provenance.name == "bank-additional.csv" and not provenance.split_is_time_ordered


def test_every_page_of_the_sample_says_only_what_is_true_of_it(sample_server, sample_model_dir, browser):
    provenance = data_provenance(read_manifest(sample_model_dir))
    for page, ready in PAGES.items():
        open_page(browser, sample_server, page, ready)
        open_details(browser, "#page-content")  # what is behind "More" must be true of it too
        text = browser.find_element("body").text
        for claim in UCI_ONLY:
            assert claim not in text, f"/{page} says {claim!r}"
        assert "NaT" not in text and "training period" not in text.lower(), f"/{page}"
        assert severe_console_errors(browser) == [], f"/{page}"
        if page == "":
            assert browser.find_element("#overview-split").text == split_sentence(provenance)
            assert "Built from bank-additional.csv" in browser.find_element("#overview-source").text
            # The chart is drawn by plotly.js after the page's layout is there: read it once it has drawn its axes.
            drawn = "return document.querySelector('#overview-shares .xtick') ? " \
                    "document.getElementById('overview-shares').textContent : ''"
            wait_until(lambda: browser.driver.execute_script(drawn), message="the segment shares chart to be drawn")
            shares = browser.driver.execute_script(drawn)
            assert "Segment 1" in shares and "Original study" not in shares
        if page == "data":
            assert browser.find_element("#data-no-period").is_displayed()
            assert not browser.find_element("#data-period").is_displayed()


def test_the_api_scores_a_client_on_the_sample_build(sample_server):
    body = json.dumps({"job": "admin.", "housing": "yes", "loan": "no", "education": "university.degree",
                       "marital": "married", "default": "no", "age": 41}).encode()
    request = urllib.request.Request(sample_server.url + "api/v1/score", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    assert response.status == 200 and answer["status"] == "scored" and answer["segment"] in range(1, 16)
