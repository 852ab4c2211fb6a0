"""A chart's data as a table: one row per drawn point, bar, slice or cell, for each kind of trace the app draws.

Figures are given as the browser holds them (plotly's JSON, numpy arrays as base64 typed arrays) and as
``go.Figure`` objects; the files are read back with pandas.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashapp.figures import table_hints
from dashapp.results import chart_data
from dashapp.results.chart_data import ChartDataError, figure_table


def _as_browser_holds_it(figure: go.Figure) -> dict:
    return json.loads(figure.to_json())


def test_bars_take_the_axis_titles_and_the_custom_data_their_hints_name():
    figure = go.Figure(
        [go.Bar(x=["admin.", "student"], y=np.array([120, 7]), name="Segment 1",
                customdata=np.array([[0.25, "a"], [0.01, "b"]], dtype=object), text=["25%", "1%"],
                meta=table_hints(columns={"customdata": ["Share", None]}, percent=["customdata"])),
         go.Bar(x=["admin.", "student"], y=np.array([30, 2]), name="Segment 2")],
        layout={"xaxis": {"title": {"text": "Job"}}, "yaxis": {"title": {"text": "Clients<br>(training)"}},
                "meta": table_hints(series="Segment")})
    table = figure_table(_as_browser_holds_it(figure))
    # Unnamed custom data (a click's code) and text (what the bar says) are the chart's workings: left out.
    assert list(table.columns) == ["Segment", "Job", "Clients (training)", "Share, %"]
    assert table["Segment"].tolist() == ["Segment 1", "Segment 1", "Segment 2", "Segment 2"]
    assert table["Clients (training)"].tolist() == [120, 7, 30, 2]
    assert all(isinstance(v, int) for v in table["Clients (training)"])  # numbers stay numbers
    assert table["Share, %"].tolist()[:2] == [25, 1] and table["Share, %"].tolist()[2:] == [None, None]


def test_traces_over_the_same_categories_merge_into_one_row_each_in_their_order_rates_in_percent():
    figure = go.Figure(
        [go.Bar(x=["student", "admin."], y=[7, 120], name="Clients", meta=table_hints(columns={"x": "Job"})),
         go.Scatter(x=["student", "admin.", "retired"], y=[0.31, 0.13, 0.25], name="Subscription rate", yaxis="y2",
                    meta=table_hints(columns={"x": "Job"})),
         go.Scatter(x=[0, 1], y=[0.11, 0.11], name="guide", meta=table_hints(skip=True))],
        layout={"yaxis": {"title": "Clients"}, "yaxis2": {"title": "Subscription rate", "tickformat": ".0%"},
                "meta": table_hints(merge=True)})
    table = figure_table(_as_browser_holds_it(figure))
    assert list(table.columns) == ["Job", "Clients", "Subscription rate, %"]
    assert table["Job"].tolist() == ["student", "admin.", "retired"]  # the first trace's order, not sorted
    assert table["Clients"].tolist() == [7, 120, None]
    assert table["Subscription rate, %"].tolist() == [31, 13, 25]


def test_a_single_unnamed_trace_has_no_trace_column_and_horizontal_bars_keep_their_axes():
    figure = go.Figure(go.Bar(x=[0.1, 0.5], y=["no", "yes"], orientation="h"),
                       layout={"xaxis_title": "Share", "yaxis_title": "Answer"})
    table = figure_table(figure)
    assert table.to_dict("list") == {"Share": [0.1, 0.5], "Answer": ["no", "yes"]}


def test_scatter_step_lines_and_hidden_traces():
    figure = go.Figure([go.Scatter(x=[2, 3, 4], y=[0.5, 0.4, 0.42], mode="lines", line_shape="hv", name="elbow"),
                        go.Scatter(x=[4], y=[0.42], mode="markers", name="k = 4"),
                        go.Scatter(x=[1, 2], y=[9, 9], visible=False, name="hidden")])
    table = figure_table(_as_browser_holds_it(figure))
    assert table.to_dict("list") == {"Series": ["elbow", "elbow", "elbow", "k = 4"], "x": [2, 3, 4, 4],
                                     "y": [0.5, 0.4, 0.42, 0.42]}


def test_subplots_name_each_panel_by_its_own_axes():
    figure = go.Figure([go.Bar(x=["a"], y=[1], name="left"), go.Bar(x=["b"], y=[2], name="right", xaxis="x2",
                                                                     yaxis="y2")],
                       layout={"xaxis": {"title": "Segment"}, "xaxis2": {"title": "Period"},
                               "yaxis": {"title": "Clients"}, "yaxis2": {"title": "Rate"}})
    table = figure_table(figure)
    assert table.loc[0, "Segment"] == "a" and table.loc[0, "Clients"] == 1 and table.loc[0, "Period"] is None
    assert table.loc[1, "Period"] == "b" and table.loc[1, "Rate"] == 2


def test_a_heatmap_gives_one_row_per_cell_with_its_text():
    figure = go.Figure(go.Heatmap(z=np.array([[0.5, 0.6, np.nan], [0.7, 0.8, 0.9]]), x=["P1", "P2", "P3"],
                                  y=["knn", "iterative"], text=[["a", "b", "c"], ["d", "e", "f"]],
                                  meta=table_hints(columns={"z": "Silhouette", "text": "Label"})),
                       layout={"xaxis_title": "Pipeline", "yaxis_title": "Treatment"})
    table = figure_table(_as_browser_holds_it(figure))
    assert list(table.columns) == ["Pipeline", "Treatment", "Silhouette", "Label"]
    assert len(table) == 6
    assert table.iloc[1].tolist() == ["P2", "knn", 0.6, "b"]
    assert table.iloc[5].tolist() == ["P3", "iterative", 0.9, "f"]
    assert pd.isna(table.iloc[2]["Silhouette"])  # an empty cell stays empty


def test_tick_labels_replace_positions_when_every_position_has_one():
    figure = go.Figure(go.Bar(x=[0, 1], y=[3, 4]),
                       layout={"xaxis": {"tickvals": [0, 1], "ticktext": ["May 2008", "Jun 2008"]}})
    assert figure_table(figure)["x"].tolist() == ["May 2008", "Jun 2008"]


def test_pies_polar_charts_boxes_3d_and_tables():
    pie = figure_table(go.Figure(go.Pie(labels=["no", "yes"], values=[36548, 4640])))
    assert pie.to_dict("list") == {"label": ["no", "yes"], "value": [36548, 4640]}
    radar = figure_table(go.Figure(go.Scatterpolar(r=[0.5, 1.0], theta=["housing", "loan"], name="Segment 1")))
    assert radar.to_dict("list") == {"category": ["housing", "loan"], "value": [0.5, 1.0]}
    box = figure_table(go.Figure(go.Box(x=["cellular"], q1=[100], median=[180], q3=[300], lowerfence=[20],
                                        upperfence=[700], mean=[250], name="Subscribed")))
    assert box.iloc[0].to_dict() == {"x": "cellular", "lower fence": 20, "q1": 100,
                                     "median": 180, "q3": 300, "upper fence": 700, "mean": 250}
    space = figure_table(go.Figure(go.Scatter3d(x=[1], y=[2], z=[3]),
                                   layout={"scene": {"zaxis": {"title": {"text": "Loan"}}}}))
    assert space.to_dict("list") == {"x": [1], "y": [2], "Loan": [3]}
    table = figure_table(go.Figure(go.Table(header={"values": ["Segment", "Clients"]},
                                            cells={"values": [[1, 2], [10, 20]]})))
    assert table.to_dict("list") == {"Segment": [1, 2], "Clients": [10, 20]}


@pytest.mark.parametrize("figure", [None, "zzz", 5, [], {"data": "x"}, {"data": [{"z": {"dtype": "f8",
                                                                                          "bdata": "!!"}}]}])
def test_what_is_not_a_figure_is_refused(figure):
    with pytest.raises(ChartDataError):
        figure_table(figure)


def test_an_empty_figure_gives_an_empty_table_and_a_file_that_says_so():
    assert figure_table({"data": [], "layout": {}}).empty
    content = chart_data.chart_file_bytes({"data": []}, "Age", "csv")
    assert pd.read_csv(io.BytesIO(content))["note"].tolist() == [chart_data.NO_DATA]


def test_csv_and_excel_files_keep_numbers_and_neutralise_formula_text():
    table = pd.DataFrame({"=label": ["=HYPERLINK(\"x\")", "-1,8", "plain"], "value": [-1.5, 2, 3]})
    csv = chart_data.table_csv_bytes(table)
    assert csv.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the byte-order mark
    back = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")
    assert list(back.columns) == ["'=label", "value"]
    assert back["'=label"].tolist() == ["'=HYPERLINK(\"x\")", "-1,8", "plain"]
    assert back["value"].tolist() == [-1.5, 2, 3]
    workbook = pd.read_excel(io.BytesIO(chart_data.table_xlsx_bytes(table, "Job: mix / [all]?")), sheet_name=None)
    (sheet, cells), = workbook.items()
    assert sheet == "Job  mix    all" and cells["value"].tolist() == [-1.5, 2, 3]
    assert cells["'=label"].tolist()[0] == "'=HYPERLINK(\"x\")"


def test_download_names_say_the_page_and_the_chart():
    assert chart_data.download_name("segments", "Job mix", "csv") == "segments-job-mix.csv"
    assert chart_data.download_name("explorer", "t-SNE map", "xlsx") == "explorer-t-sne-map.xlsx"


def test_custom_data_as_a_typed_array_gives_a_column_per_item():
    figure = go.Figure(go.Scatter(x=[1.5, 2.5], y=[0.1, 0.2], customdata=np.array([[101, 40], [202, 35]]),
                                  meta=table_hints(columns={"x": None, "customdata": ["Client", "Age"]})))
    table = figure_table(_as_browser_holds_it(figure))
    assert table.to_dict("list") == {"y": [0.1, 0.2], "Client": [101, 202], "Age": [40, 35]}


def test_cells_lose_the_markup_plotly_draws_them_with():
    table = figure_table(go.Figure(go.Bar(x=["Retired<br>(41%)", "<b>Student</b>"], y=[1, 2])))
    assert table["x"].tolist() == ["Retired (41%)", "Student"]


def test_a_csv_follows_its_languages_convention_and_says_first_what_it_is():
    import io

    import pandas as pd

    from dashapp.results.chart_data import table_csv_bytes

    table = pd.DataFrame({"Job": ["Retired", "=cmd"], "Rate": [0.252, 1234.5]})
    about = [("Page", "Data"), ("Address", "/data?age=25-40")]
    russian = table_csv_bytes(table, "ru", about).decode("utf-8-sig")
    assert russian.startswith("Page;Data\r\nAddress;/data?age=25-40\r\n\r\nJob;Rate\r\n")
    assert "Retired;0,252\r\n" in russian and "'=cmd;1234,5\r\n" in russian  # formula text neutralised
    back = pd.read_csv(io.StringIO(russian.split("\r\n\r\n", 1)[1]), sep=";", decimal=",")
    assert back["Rate"].tolist() == [0.252, 1234.5]
    english = table_csv_bytes(table).decode("utf-8-sig")
    assert english == "Job,Rate\r\nRetired,0.252\r\n'=cmd,1234.5\r\n"  # no header block asked, none written


def test_a_workbook_holds_control_characters_and_more_rows_than_a_sheet(monkeypatch):
    # Issue 25: a label with a control character, or more points than an Excel sheet's rows, failed the download.
    table = pd.DataFrame({"label\x07": ["bell\x07", "tab\tok", "plain", "four", "five"], "value": [1, 2, 3, 4, 5]})
    monkeypatch.setattr(chart_data, "EXCEL_ROWS", 3)  # a header and two rows a sheet
    sheets = pd.read_excel(io.BytesIO(chart_data.table_xlsx_bytes(table, "A chart named at some great length",
                                                                  about=[("Page", "Data")])), sheet_name=None)
    names = list(sheets)
    assert names == ["A chart named at some great len", "A chart named at some great (2)",
                     "A chart named at some great (3)", "About"]
    rows = pd.concat([sheets[name] for name in names[:3]], ignore_index=True)
    assert rows["value"].tolist() == [1, 2, 3, 4, 5]  # every row, in order
    assert list(rows.columns) == ["label\ufffd", "value"]
    assert rows["label\ufffd"].tolist()[:2] == ["bell\ufffd", "tab\tok"]
