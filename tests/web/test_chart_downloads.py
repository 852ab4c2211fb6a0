"""Every chart of every page carries "Data: CSV · Excel", and each download serves the chart's figure as a table.

The layouts are walked on the full artifacts, with what the Score page draws only in a callback's answer; the
downloads are posted through the Flask test client of ``app:server`` as Dash's renderer posts them, with the
figures the pages draw (the largest, the explorer's t-SNE map, included and measured).
"""

from __future__ import annotations

import base64
import io
import json
import re
import sys

import dash
import pandas as pd
import plotly.io
import pytest
from dash import dcc

from dashapp.results.chart_data import CSV_CONVENTIONS, figure_table
from dashapp.web.app import MAX_REQUEST_BYTES
from dashapp.web.components import CHART_DOWNLOADS, LOCATION_ID, chart_data_ids
from dashapp.web.reading import OPENERS
from tests.layout_helpers import by_id, callback_rendered_layouts, components
# The app, its test client (after the first request, which registers the pages' callbacks), the start values of
# every callback input and the request Dash's renderer posts, as the crafted-input test builds them.
from tests.web.test_callback_inputs import _envelope, client, dash_app, start_values  # noqa: F401 (fixtures)

DISPATCH = "/_dash-update-component"


@pytest.fixture(scope="module")
def layouts(dash_app, full_store) -> dict:
    pages = {module: page["layout"]() for module, page in dash.page_registry.items()}
    return {**pages, "pages.score (result)": callback_rendered_layouts(full_store)[0]}


def _parents(component, parent=None):
    """(component, its parent) for every component below ``component``."""
    if component is None or isinstance(component, (str, int, float)):
        return
    if isinstance(component, (list, tuple)):
        for child in component:
            yield from _parents(child, parent)
        return
    yield component, parent
    yield from _parents(getattr(component, "children", None), component)


def test_every_graph_of_every_page_has_its_data_controls_and_a_download_callback(dash_app, client, layouts):
    callbacks = dash_app.callback_map
    drawn = set()
    for module, layout in layouts.items():
        for component, parent in _parents(layout):
            if not isinstance(component, dcc.Graph):
                continue
            drawn.add(component.id)
            csv_id, xlsx_id, download_id = chart_data_ids(component.id)
            beside = by_id(parent)
            assert {csv_id, xlsx_id, download_id} <= set(beside), (module, component.id)
            assert beside[csv_id].children == "CSV" and beside[xlsx_id].children == "Excel"
            assert isinstance(beside[download_id], dcc.Download)
            assert component.id in CHART_DOWNLOADS, f"{module} draws {component.id} without registering it"
            spec = callbacks[f"{download_id}.data"]
            assert [i["id"] for i in spec["inputs"]] == [csv_id, xlsx_id]
            assert spec["state"] == [{"id": component.id, "property": "figure"},
                                     {"id": LOCATION_ID, "property": "pathname"},
                                     {"id": LOCATION_ID, "property": "search"}]
    assert len(drawn) >= 40
    assert drawn == set(CHART_DOWNLOADS), "registered charts no page draws: " + str(set(CHART_DOWNLOADS) - drawn)


def _download(client, graph_id: str, figure, excel: bool = False, pathname: str = "/", search: str = "",
              language: str = "en"):
    csv_id, xlsx_id, download_id = chart_data_ids(graph_id)
    clicked = xlsx_id if excel else csv_id
    body = {"output": f"{download_id}.data", "outputs": {"id": download_id, "property": "data"},
            "inputs": [{"id": csv_id, "property": "n_clicks", "value": 0 if excel else 1},
                       {"id": xlsx_id, "property": "n_clicks", "value": 1 if excel else 0}],
            "state": [{"id": graph_id, "property": "figure", "value": figure},
                      {"id": LOCATION_ID, "property": "pathname", "value": pathname},
                      {"id": LOCATION_ID, "property": "search", "value": search}],
            "changedPropIds": [f"{clicked}.n_clicks"]}
    return client.post(DISPATCH, data=json.dumps(body), content_type="application/json",
                       headers={"Accept-Language": language})


def csv_parts(content: bytes, language: str = "en") -> tuple[dict[str, str], pd.DataFrame]:
    """A downloaded CSV's lines saying what it is (field -> value) and its table, read as a spreadsheet of the
    language reads it (Russian: ``;`` and decimal commas)."""
    text = content.decode("utf-8-sig")
    about, table = text.split("\r\n\r\n", 1)
    convention = CSV_CONVENTIONS[language]
    fields = pd.read_csv(io.StringIO(about), sep=convention["sep"], header=None, dtype=str, keep_default_na=False)
    return dict(zip(fields[0], fields[1])), pd.read_csv(io.StringIO(table), **convention)


def _file(response) -> tuple[str, bytes]:
    data = next(iter(response.get_json()["response"].values()))["data"]
    return data["filename"], base64.b64decode(data["content"]) if data["base64"] else data["content"].encode()


def _callback_figures(dash_app, client, values: dict) -> dict:
    """Graph id -> figure, as every server callback drawing a figure answers for ``values`` (JSON, as the
    browser holds it: typed arrays)."""
    figures = {}
    for output, spec in dash_app.callback_map.items():
        if "callback" not in spec or ".figure" not in output:
            continue
        response = client.post(DISPATCH, json=_envelope(spec, output, values))
        assert response.status_code in (200, 204), output
        if response.status_code == 200:
            for component, props in response.get_json()["response"].items():
                if isinstance(props, dict) and isinstance(props.get("figure"), dict):
                    figures[component] = props["figure"]
    return figures


def test_every_drawn_chart_downloads_as_csv_and_excel_within_the_request_limit(dash_app, client, layouts,
                                                                                 start_values, full_store):
    figures = {c.id: json.loads(plotly.io.to_json(c.figure)) for layout in layouts.values()
               for c in components(layout) if isinstance(c, dcc.Graph) and c.figure is not None}
    opened = {(opener, "n_clicks"): 1 for opener in OPENERS}  # the sections drawn on opening, opened
    figures.update(_callback_figures(dash_app, client, {**start_values, **opened}))
    assert set(figures) == set(CHART_DOWNLOADS)  # every chart, as the pages draw it first
    sizes = {}
    for graph_id, figure in figures.items():
        expected = figure_table(figure)
        sizes[graph_id] = len(json.dumps(figure))
        page, _chart = CHART_DOWNLOADS[graph_id]
        name, content = _file(_download(client, graph_id, figure))
        assert name.startswith(f"{page}-") and name.endswith(".csv")
        about, table = csv_parts(content)
        assert len(table) == max(len(expected), 1) and list(table.columns) == [str(c) for c in expected.columns]
        assert about["Chart"] and about["Data"] == full_store.provenance.name
        name, content = _file(_download(client, graph_id, figure, excel=True))
        assert name.endswith(".xlsx")
        sheets = pd.read_excel(io.BytesIO(content), sheet_name=None, header=None)
        assert list(sheets)[1] == "About" and len(sheets) == 2
        assert len(pd.read_excel(io.BytesIO(content))) == max(len(expected), 1), graph_id
        _assert_tidy(graph_id, expected)
        # In Russian: read back as Russian Excel reads it (";", decimal commas), the same numbers.
        name, content = _file(_download(client, graph_id, figure, search="?lang=ru", language="ru"))
        russian = csv_parts(content, "ru")[1]
        assert russian.shape == table.shape, graph_id
        pd.testing.assert_frame_equal(russian.select_dtypes("number"), table.select_dtypes("number"))
        name, content = _file(_download(client, graph_id, figure, excel=True, search="?lang=ru", language="ru"))
        assert list(pd.read_excel(io.BytesIO(content), sheet_name=None))[1] == "О данных"
    largest = max(sizes, key=sizes.get)
    # The t-SNE map (2,000 clients with their records) is the largest figure a page sends back; the request
    # limit (sized for a 50 MB upload) leaves it far more room than it needs.
    print(f"largest figure: {largest}, {sizes[largest]:,} bytes of JSON")
    assert largest == "explorer-tsne" and sizes[largest] < MAX_REQUEST_BYTES / 20, sizes
    assert len(figure_table(figures["explorer-tsne"])) == full_store.manifest["parameters"]["grid"]["tsne_sample"]


#: Column names that are plotly's, not a reader's: a download names every column for what it holds.
PLOTLY_NAMES = re.compile(r"^(x|y|z|text|hovertext|label|value|category|trace|Series|customdata.*|Series \d+)$")


def _assert_tidy(graph_id: str, table: pd.DataFrame) -> None:
    """A chart's table as a spreadsheet reader wants it: every column named for what it holds, no markup in a
    cell, rates in percent (a column of percents says so with ", %" and holds 0-100)."""
    assert not [c for c in table.columns if PLOTLY_NAMES.match(str(c))], (graph_id, list(table.columns))
    assert len(set(table.columns)) == len(table.columns), graph_id
    for column in table.columns:
        cells = table[column].dropna()
        assert not any(isinstance(cell, str) and "<" in cell for cell in cells), (graph_id, column)
        numbers = [cell for cell in cells if isinstance(cell, (int, float)) and not isinstance(cell, bool)]
        if str(column).endswith(", %") and numbers:
            assert -100 <= min(numbers) and max(numbers) <= 100, (graph_id, column)
            if "rate" in str(column).lower() or "share" in str(column).lower():
                assert max(numbers) > 1 or all(n == 0 for n in numbers), (graph_id, column)  # not fractions


def test_a_filtered_chart_downloads_what_it_shows(dash_app, client, start_values, full_store):
    data = sys.modules["pages.data"]
    figures = _callback_figures(dash_app, client, {**start_values, (data.DATA_JOB, "value"): ["admin."]})
    name, content = _file(_download(client, data.DATA_JOB_CHART, figures[data.DATA_JOB_CHART], excel=True,
                                    pathname="/data", search="?job=admin."))
    assert name == "data-job.xlsx"
    about = pd.read_excel(io.BytesIO(content), sheet_name="About", header=None)
    assert dict(zip(about[0], about[1]))["Address (its query is the filter or view shown)"] == "/data?job=admin."
    table = pd.read_excel(io.BytesIO(content))
    # One row per job shown: its name, its clients and its rate in percent.
    assert list(table.columns) == ["Job", "Clients", "Subscription rate, %"]
    admin = full_store.clients[full_store.clients["job"] == "admin."]
    assert table["Job"].tolist() == ["Administrative"] and table["Clients"].tolist() == [len(admin)]
    assert table["Subscription rate, %"].iloc[0] == pytest.approx(100 * (admin["y"] == "yes").mean())


@pytest.mark.parametrize("figure", ["zzz", 5, [], {"data": "x"}])
def test_a_crafted_figure_gets_no_update_and_one_log_line(client, figure, caplog):
    response = _download(client, "data-age-chart", figure)
    assert response.status_code == 204
    assert [r.levelname for r in caplog.records if r.name == "dashapp.web.app"] == ["WARNING"]


def test_a_russian_download_opens_in_columns_in_russian_excel(dash_app, client, start_values):
    data = sys.modules["pages.data"]
    figure = _callback_figures(dash_app, client, start_values)[data.DATA_JOB_CHART]
    name, content = _file(_download(client, data.DATA_JOB_CHART, figure, pathname="/data", search="?lang=ru",
                                    language="ru"))
    assert content.startswith("\ufeff".encode()) and b";" in content.split(b"\r\n")[-2]
    about, table = csv_parts(content, "ru")
    assert about["Страница"] == "Данные" and about["График"] == "Профессия"
    english = csv_parts(_file(_download(client, data.DATA_JOB_CHART, figure))[1])[1]
    # The same numbers, read back with the Russian convention: no value lost to the decimal comma.
    assert table.shape == english.shape
    pd.testing.assert_frame_equal(table.select_dtypes("number"), english.select_dtypes("number"))
