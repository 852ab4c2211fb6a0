"""The Data and Clustering explorer pages in a real headless Chromium against gunicorn and the full artifacts."""

from __future__ import annotations


import pytest
from selenium.webdriver.common.action_chains import ActionChains

from dashapp.settings import get_settings
from tests.conftest import severe_console_errors
from tests.browser_helpers import open_page as _open, wait_until as _wait_until

pytestmark = pytest.mark.browser

ELBOW = "#explorer-elbow .js-plotly-plot"
OVERVIEW = "#explorer-overview .js-plotly-plot"
JOB_CHART = "#data-job-chart .js-plotly-plot"


@pytest.fixture(scope="module")
def store():
    from dashapp.artifacts import ArtifactStore

    return ArtifactStore(get_settings().model_dir)


def _trace(browser, selector: str, index: int = 0) -> dict:
    # _fullData: plotly sends numpy arrays base64-encoded, and only the full data holds them decoded.
    return browser.driver.execute_script(
        "const gd = document.querySelector(arguments[0]);"
        "if (!gd || !gd._fullData || !gd._fullData[arguments[1]]) return null;"
        "const t = gd._fullData[arguments[1]]; return {x: Array.from(t.x), y: Array.from(t.y), name: t.name};",
        selector, index)


def _shapes(browser, selector: str) -> list[dict]:
    return browser.driver.execute_script(
        "const gd = document.querySelector(arguments[0]); return (gd.layout.shapes || []).map("
        "s => ({x0: s.x0, x1: s.x1, y0: s.y0, y1: s.y1}));", selector)


def _click_at(browser, script: str, *arguments) -> None:
    """A real mouse click at the viewport point ``script`` returns (what plotly turns into clickData)."""
    x, y = browser.driver.execute_script(script, *arguments)
    ActionChains(browser.driver).move_to_location(int(x), int(y)).click().perform()


def _checked_radio(browser, component: str) -> str:
    return browser.driver.execute_script(
        "const input = document.querySelector(`#${arguments[0]} input:checked`); return input && input.value;",
        component)


# --- Explorer ------------------------------------------------------------------------------------------------


def test_shared_explorer_link_restores_the_view_and_the_heatmap_picks_a_configuration(live_server, browser, store):
    _open(browser, live_server, "explorer?treatment=raw&pipeline=3&features=all&k=6", ELBOW)
    assert _checked_radio(browser, "explorer-treatment") == "raw"
    assert _checked_radio(browser, "explorer-features") == "all"
    assert "3: numeric Standard" in browser.find_element("#explorer-pipeline").text
    expected = store.grid_metrics.query("config_id == 'raw-p3-all'").sort_values("k")
    _wait_until(lambda: _trace(browser, ELBOW)["y"] == pytest.approx(expected["inertia"].tolist()),
                message="the elbow curve of raw-p3-all")
    assert _shapes(browser, ELBOW)[0]["x0"] == 6  # the chosen k
    assert "k=6: silhouette" in browser.find_element("#explorer-config").text
    # The heatmap outlines the configuration on show: raw/all is row 0, P3 column 2.
    _wait_until(lambda: _shapes(browser, OVERVIEW)[0]["x0"] == 1.5, message="the outlined cell")
    tsne_before = _trace(browser, "#explorer-tsne .js-plotly-plot")

    # Click the KNN / no socio-economic / P8 cell (row 3, column 7).
    _click_at(browser, """
        const gd = document.querySelector(arguments[0]), layout = gd._fullLayout, box = gd.getBoundingClientRect();
        return [box.left + layout._size.l + layout.xaxis.l2p(7), box.top + layout._size.t + layout.yaxis.l2p(3)];
        """, OVERVIEW)
    expected = store.grid_metrics.query("config_id == 'knn-p8-no_socio'").sort_values("k")
    _wait_until(lambda: _trace(browser, ELBOW)["y"] == pytest.approx(expected["inertia"].tolist()),
                message="the elbow curve of knn-p8-no_socio")
    assert _checked_radio(browser, "explorer-treatment") == "knn"
    assert _checked_radio(browser, "explorer-features") == "no_socio"
    _wait_until(lambda: browser.driver.current_url.endswith("explorer?treatment=knn&pipeline=8&features=no_socio&k=6"),
                message="the URL to follow the click")
    _wait_until(lambda: _trace(browser, "#explorer-tsne .js-plotly-plot")["x"] != tsne_before["x"],
                message="a new t-SNE map")
    assert severe_console_errors(browser) == []


def test_explorer_controls_update_the_url_and_back_restores_them(live_server, browser, store):
    _open(browser, live_server, "explorer", ELBOW)
    assert _checked_radio(browser, "explorer-treatment") == "knn"  # the original's choice by default
    browser.driver.execute_script(
        "document.querySelector('#explorer-treatment input[value=\"iterative\"]').click();")
    expected = store.grid_metrics.query("config_id == 'iterative-p8-all'").sort_values("k")
    _wait_until(lambda: _trace(browser, ELBOW)["y"] == pytest.approx(expected["inertia"].tolist()),
                message="the elbow curve of iterative-p8-all")
    _wait_until(lambda: "treatment=iterative" in browser.driver.current_url, message="the URL to change")

    browser.driver.back()
    _wait_until(lambda: _checked_radio(browser, "explorer-treatment") == "knn", message="back to KNN")
    expected = store.grid_metrics.query("config_id == 'knn-p8-all'").sort_values("k")
    _wait_until(lambda: _trace(browser, ELBOW)["y"] == pytest.approx(expected["inertia"].tolist()),
                message="the elbow curve of knn-p8-all again")
    assert severe_console_errors(browser) == []


def test_clicking_a_tsne_point_shows_the_client(live_server, browser):
    _open(browser, live_server, "explorer", "#explorer-tsne .js-plotly-plot")
    browser.driver.execute_script(
        "document.getElementById('explorer-tsne').scrollIntoView({block: 'center', behavior: 'instant'});")
    # The most isolated point of the map, so that the click cannot land on a neighbour.
    client_id, x, y = browser.driver.execute_script("""
        const gd = document.querySelector(arguments[0]), layout = gd._fullLayout, box = gd.getBoundingClientRect();
        const points = gd._fullData.flatMap(t => Array.from(t.x, (x, i) => ({
            id: t.customdata[i][0], x: box.left + layout._size.l + layout.xaxis.d2p(x),
            y: box.top + layout._size.t + layout.yaxis.d2p(t.y[i])})));
        let best = null, bestGap = -1;
        for (const p of points) {
            let gap = Infinity;
            for (const q of points) if (q !== p) gap = Math.min(gap, Math.hypot(p.x - q.x, p.y - q.y));
            if (gap > bestGap) { best = p; bestGap = gap; }
        }
        return [best.id, best.x, best.y];
        """, "#explorer-tsne .js-plotly-plot")
    ActionChains(browser.driver).move_to_location(int(x), int(y)).click().perform()
    _wait_until(lambda: "Client " in browser.find_element("#explorer-client").text, message="the client card")
    text = browser.find_element("#explorer-client").text
    assert text.splitlines()[0] == f"Client {client_id}"
    assert "segment" in text and "job" in text
    assert severe_console_errors(browser) == []


# --- Data page -----------------------------------------------------------------------------------------------


def _job_bar_position_script() -> str:
    return """
        const gd = document.querySelector(arguments[0]), layout = gd._fullLayout, box = gd.getBoundingClientRect();
        const bars = gd._fullData[0], i = Array.from(bars.x).indexOf(arguments[1]);
        return [box.left + layout._size.l + layout.xaxis.d2p(bars.x[i]),
                box.top + layout._size.t + layout.yaxis.d2p(bars.y[i] / 2)];
        """


def test_data_filter_changes_every_chart_and_a_bar_click_filters_by_job(live_server, browser, store):
    _open(browser, live_server, "data", JOB_CHART)
    _wait_until(lambda: len(_trace(browser, JOB_CHART)["x"]) == 12, message="every job")
    age_before = _trace(browser, "#data-age-chart .js-plotly-plot", 1)
    assert f"{len(store.clients):,}" in browser.find_element("#data-headline").text

    browser.driver.execute_script(
        "document.getElementById('data-job-chart').scrollIntoView({block: 'center', behavior: 'instant'});")
    # The bars are labelled in words ("Student"); the filter and the URL keep the code.
    _click_at(browser, _job_bar_position_script(), JOB_CHART, "Student")
    _wait_until(lambda: _trace(browser, JOB_CHART)["x"] == ["Student"], message="the job chart to show students")
    _wait_until(lambda: browser.driver.current_url.endswith("data?job=student"), message="the URL to follow")
    students = int((store.clients["job"] == "student").sum())
    _wait_until(lambda: f"{students:,}" in browser.find_element("#data-headline").text, message="the headline")
    # Every section's callback follows the filter (each one answers on its own).
    contacted_before = int(((store.clients["job"] == "student") & (store.clients["pdays"] >= 0)).sum())
    for chart, clients in (("data-calls-chart", students), ("data-monthly-chart", students),
                           ("data-segment-chart", students), ("data-pdays-chart", contacted_before)):
        _wait_until(lambda: sum(_trace(browser, f"#{chart} .js-plotly-plot")["y"]) == clients, message=chart)
    assert _trace(browser, "#data-age-chart .js-plotly-plot", 1)["y"] != age_before["y"]

    # Clicking the bar again clears the filter.
    _click_at(browser, _job_bar_position_script(), JOB_CHART, "Student")
    _wait_until(lambda: len(_trace(browser, JOB_CHART)["x"]) == 12, message="every job again")
    _wait_until(lambda: browser.driver.current_url.endswith("/data"), message="the URL to clear")
    assert severe_console_errors(browser) == []


def test_shared_data_link_restores_the_filter(live_server, browser, store):
    _open(browser, live_server, "data?job=retired,student&marital=single&age=20-40", JOB_CHART)
    _wait_until(lambda: _trace(browser, JOB_CHART)["x"] == ["Retired", "Student"], message="the job filter")
    clients = store.clients
    selected = clients[clients["job"].isin(["retired", "student"]) & (clients["marital"] == "single")
                       & clients["age"].between(20, 40)]
    _wait_until(lambda: f"{len(selected):,}" in browser.find_element("#data-headline").text, message="headline")
    marital = _trace(browser, "#data-marital-chart .js-plotly-plot")
    assert marital["x"] == ["Single"] and marital["y"] == [len(selected)]
    assert "Retired" in browser.find_element("#data-job").text
    # The reset button clears the filter and the URL.
    browser.driver.execute_script("document.getElementById('data-reset').click();")
    _wait_until(lambda: len(_trace(browser, JOB_CHART)["x"]) == 12, message="every job after the reset")
    _wait_until(lambda: browser.driver.current_url.endswith("/data"), message="the URL to clear")
    assert severe_console_errors(browser) == []


def test_data_page_full_view_for_the_screenshot(live_server, browser):
    """Not an assertion-heavy test: renders the whole page tall enough that the saved screenshot shows it all."""
    browser.driver.set_window_size(1400, 4000)
    _open(browser, live_server, "data", "#data-unknown-chart .js-plotly-plot")
    _wait_until(lambda: _trace(browser, "#data-unknown-chart .js-plotly-plot") is not None, message="charts")
    assert not browser.find_elements(".artifact-problem")
    assert severe_console_errors(browser) == []
