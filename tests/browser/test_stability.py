"""The explorer's silhouette plot, stability curve and heatmap control, and the Segments page's stability words,
in a real headless Chromium against gunicorn; every expected number is read from the artifacts on show."""

from __future__ import annotations

import pytest

import app  # noqa: F401  (creates the app once, so the page modules below can be imported for their ids)
from dashapp.core import domain
from dashapp.core.settings import get_settings
from tests.browser_helpers import (click as _click, open_details, open_page as _open, severe_console_errors,
                                   wait_until as _wait_until)

pytestmark = pytest.mark.browser

KNIFE = "#explorer-knife .js-plotly-plot"
STABILITY = "#explorer-stability .js-plotly-plot"
OVERVIEW = "#explorer-overview .js-plotly-plot"
FINAL_CONFIG = domain.config_id(domain.FINAL_TREATMENT, domain.FINAL_PIPELINE, "final")


@pytest.fixture(scope="module")
def store():
    from dashapp.artifacts.model_folder import ArtifactStore

    return ArtifactStore(get_settings().model_dir)


def _traces(browser, selector: str) -> list[dict]:
    # _fullData: plotly sends numpy arrays base64-encoded, and only the full data holds them decoded.
    return browser.driver.execute_script(
        "const gd = document.querySelector(arguments[0]); if (!gd || !gd._fullData) return null;"
        "return gd._fullData.map(t => ({name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || []),"
        " text: t.text ? Array.from(t.text, row => Array.from(row)) : null}));", selector)


def test_explorer_draws_the_knife_and_the_stability_curve_and_the_heatmap_switches_to_stability(
        live_server, browser, store):
    _open(browser, live_server, "explorer", KNIFE)
    open_details(browser, "#page-content")
    row = store.grid_metrics.query("config_id == @FINAL_CONFIG and k == @domain.FINAL_K").iloc[0]
    samples = store.silhouette_samples(FINAL_CONFIG, domain.FINAL_K)
    _wait_until(lambda: sum(len(t["x"]) for t in _traces(browser, KNIFE)) == len(samples),
                message="every sampled client on the knife")
    knife = _traces(browser, KNIFE)
    # The final configuration at the final k is the final segmentation: its bands are the segments.
    assert [t["name"].split(":")[0] for t in knife] == [f"Segment {number}" for number in
                                                        range(1, 1 + sum(size > 0 for size in row["sample_sizes"]))]
    assert f"average {row['silhouette']:.3f}" in browser.find_element("#explorer-knife").text
    assert "Negative silhouettes" in browser.find_element("#explorer-knife-text").text

    metrics = store.grid_metrics.query("config_id == @FINAL_CONFIG").sort_values("k")
    _wait_until(lambda: _traces(browser, STABILITY)[0]["x"] == metrics["k"].tolist(), message="the stability curve")
    assert "Stability: " in browser.find_element("#explorer-config").text

    header = browser.find_element("#explorer-overview-title")
    assert header.text == "All configurations: silhouette"
    _click(browser, browser.find_element("#explorer-overview-metric input[value='stability']"))
    _wait_until(lambda: header.text == "All configurations: stability", message="the heatmap's header")
    rows = [(t, f) for t in domain.TREATMENTS for f in domain.FEATURE_SETS]
    cell = rows.index((domain.FINAL_TREATMENT, "final")), domain.FINAL_PIPELINE - 1
    _wait_until(lambda: _traces(browser, OVERVIEW)[0]["text"][cell[0]][cell[1]] == f"{row['stability']:.2f}",
                message="the final model's stability in its heatmap cell")
    assert severe_console_errors(browser) == []


def test_segments_page_says_how_stable_the_segments_are(live_server, browser, store):
    from pages.segments import SEGMENTS_STABILITY, SEGMENTS_STABILITY_CHART

    stability = store.evaluation["stability"]
    _open(browser, live_server, "segments", f"#{SEGMENTS_STABILITY_CHART} .js-plotly-plot")
    open_details(browser, f"#{SEGMENTS_STABILITY}")
    text = browser.find_element(f"#{SEGMENTS_STABILITY}").text
    assert f"Refitted on {stability['resamples']} bootstrap resamples" in text
    assert f"median adjusted Rand index {stability['ari']['median']:.2f}" in text
    for entry in stability["segments"]:
        assert f"is recovered in {entry['recovered']} of {stability['resamples']} resamples" in text
    assert len(_traces(browser, f"#{SEGMENTS_STABILITY_CHART} .js-plotly-plot")) == len(stability["segments"])
    assert severe_console_errors(browser) == []
