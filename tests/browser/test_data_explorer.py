"""The Data and Clustering explorer pages in a real headless Chromium against gunicorn and the full artifacts."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains

from dashapp.core.settings import get_settings
from tests.browser_helpers import open_details, open_page as _open, severe_console_errors, wait_until as _wait_until

pytestmark = pytest.mark.browser

ELBOW = "#explorer-elbow .js-plotly-plot"
OVERVIEW = "#explorer-overview .js-plotly-plot"
JOB_CHART = "#data-job-chart .js-plotly-plot"


@pytest.fixture(scope="module")
def store():
    from dashapp.artifacts.model_folder import ArtifactStore

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

    # Click the KNN / no socio-economic / P8 cell (row 4, column 7).
    browser.driver.execute_script(
        "document.getElementById('explorer-overview').scrollIntoView({block: 'center', behavior: 'instant'});")
    _click_at(browser, """
        const gd = document.querySelector(arguments[0]), layout = gd._fullLayout, box = gd.getBoundingClientRect();
        return [box.left + layout._size.l + layout.xaxis.l2p(7), box.top + layout._size.t + layout.yaxis.l2p(4)];
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
    assert _checked_radio(browser, "explorer-treatment") == "knn"  # the final model by default
    assert _checked_radio(browser, "explorer-features") == "final"
    browser.driver.execute_script(
        "document.querySelector('#explorer-treatment input[value=\"iterative\"]').click();")
    expected = store.grid_metrics.query("config_id == 'iterative-p8-final'").sort_values("k")
    _wait_until(lambda: _trace(browser, ELBOW)["y"] == pytest.approx(expected["inertia"].tolist()),
                message="the elbow curve of iterative-p8-final")
    _wait_until(lambda: "treatment=iterative" in browser.driver.current_url, message="the URL to change")

    browser.driver.back()
    _wait_until(lambda: _checked_radio(browser, "explorer-treatment") == "knn", message="back to KNN")
    expected = store.grid_metrics.query("config_id == 'knn-p8-final'").sort_values("k")
    _wait_until(lambda: _trace(browser, ELBOW)["y"] == pytest.approx(expected["inertia"].tolist()),
                message="the elbow curve of knn-p8-final again")
    assert severe_console_errors(browser) == []


def test_clicking_a_tsne_point_shows_the_client(live_server, browser):
    _open(browser, live_server, "explorer", "#explorer-tsne .js-plotly-plot")
    open_details(browser, "#page-content")  # the map is in a closed section
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
    assert "Segment" in text and "Job" in text and "Education" in text
    assert "emp.var.rate" not in text and "day_of_week" not in text
    assert severe_console_errors(browser) == []


# --- The explorer on a phone -----------------------------------------------------------------------------------

#: Pixel boxes (viewport coordinates) of the heatmap's cell texts, the star, and the final model's cell.
_HEATMAP_GEOMETRY = """
    const gd = document.querySelector(arguments[0]), layout = gd._fullLayout, box = gd.getBoundingClientRect();
    const x = i => box.left + layout._size.l + layout.xaxis.l2p(i);
    const y = i => box.top + layout._size.t + layout.yaxis.l2p(i);
    const rect = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top,
                                                                     bottom: r.bottom}; };
    const star = Array.from(gd.querySelectorAll('g.annotation')).find(a => a.textContent === '\u2605');
    return {labels: Array.from(gd.querySelectorAll('.heatmap-label')).map(t => ({text: t.textContent, ...rect(t)})),
            star: rect(star), cell: {left: x(arguments[1] - 0.5), right: x(arguments[1] + 0.5),
                                     top: y(arguments[2] - 0.5), bottom: y(arguments[2] + 0.5)}};
"""


def test_explorer_at_390_px_keeps_the_heatmap_readable_and_the_star_on_the_final_model(live_server, browser, store):
    browser.driver.set_window_size(390, 844)
    _open(browser, live_server, "explorer", OVERVIEW)
    # Nothing scrolls sideways.
    assert browser.driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    browser.driver.execute_script(
        "document.getElementById('explorer-overview').scrollIntoView({block: 'start', behavior: 'instant'});")
    row = 5  # raw all / no socio / final, knn all / no socio / final: the final model's row
    column = 7  # P8
    _wait_until(lambda: len(browser.driver.execute_script(_HEATMAP_GEOMETRY, OVERVIEW, column, row)["labels"]) == 72,
                message="the heatmap's 72 cells")
    geometry = browser.driver.execute_script(_HEATMAP_GEOMETRY, OVERVIEW, column, row)
    star, cell = geometry["star"], geometry["cell"]
    assert cell["left"] <= star["left"] and star["right"] <= cell["right"], (star, cell)
    assert cell["top"] <= star["top"] and star["bottom"] <= cell["bottom"], (star, cell)
    # No cell's value overlaps its neighbour's: texts in a row are ordered left to right with a gap.
    labels = sorted(geometry["labels"], key=lambda label: (round(label["top"]), label["left"]))
    rows = {}
    for label in labels:
        rows.setdefault(round(label["top"]), []).append(label)
    assert len(rows) == 9 and all(len(cells) == 8 for cells in rows.values())
    for cells in rows.values():
        for left, right in zip(cells, cells[1:]):
            assert left["right"] < right["left"], (left, right)
    final = store.evaluation["final"]["silhouette"]
    assert [label["text"] for label in rows[sorted(rows)[row]]][column] == f"{final:.2f}"
    # The chosen cell's details give the exact silhouette and the cluster sizes.
    details = browser.find_element("#explorer-config").text
    assert f"silhouette {final:.3f} (exact, all 28,831 training clients)" in details
    assert "Cluster sizes" in details
    assert severe_console_errors(browser) == []
    # The screenshot the fixture saves shows the heatmap at phone size.


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
    open_details(browser, "#page-content")  # every section, so that every chart follows the filter
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


def _reference_line(browser, chart: str) -> str:
    """The text plotly drew beside a chart's dashed reference line."""
    return browser.driver.execute_script(
        "const label = document.querySelector(arguments[0] + ' .annotation-text');"
        "return label ? label.textContent : null;", f"#{chart} .js-plotly-plot")


def test_the_reference_line_names_all_clients_then_the_filtered_ones(live_server, browser, store):
    segment_chart = "data-segment-chart"
    _open(browser, live_server, "data", f"#{segment_chart} .js-plotly-plot")
    _wait_until(lambda: _reference_line(browser, segment_chart) == "all clients: 11.3%", message="all clients")
    assert "Subscribed, all clients: 11.3%" in browser.find_element("#data-headline").text

    # A filter in the URL: the line is now the filtered clients' rate, and says so.
    _open(browser, live_server, "data?segment=2", f"#{segment_chart} .js-plotly-plot")
    open_details(browser, "#page-content")
    in_segment = store.clients[store.clients["segment"] == 2]
    expected = f"filtered clients: {(in_segment['y'] == 'yes').mean():.1%}"
    for chart in (segment_chart, "data-job-chart", "data-monthly-chart"):
        _wait_until(lambda: _reference_line(browser, chart) == expected, message=f"{chart}: {expected}")
    assert f"Subscribed, {expected}" in browser.find_element("#data-headline").text
    names = [_trace(browser, f"#{segment_chart} .js-plotly-plot", i)["name"] for i in (1, 2, 3)]
    assert names == ["filtered clients", "training period", "test period"]
    assert severe_console_errors(browser) == []


def test_data_page_full_view_for_the_screenshot(live_server, browser):
    """Not an assertion-heavy test: renders the whole page tall enough that the saved screenshot shows it all."""
    browser.driver.set_window_size(1400, 4000)
    _open(browser, live_server, "data", "#data-unknown-chart .js-plotly-plot")
    open_details(browser, "#page-content")
    _wait_until(lambda: _trace(browser, "#data-unknown-chart .js-plotly-plot") is not None, message="charts")
    assert not browser.find_elements(".artifact-problem")
    assert severe_console_errors(browser) == []
