"""A chart's data as a table: what a plotly figure draws, one row per point, bar, slice or cell, for download.

Dash-free: :func:`figure_table` takes a figure as the browser holds it (a dict; arrays as lists or as plotly's
base64 typed arrays) or a ``go.Figure``, and gives a tidy DataFrame: the trace's name, then x, y, z (or a pie's
label and value, a polar chart's category and value, a box's quartiles, a table's own columns), the text drawn
and the custom data where a trace has them per point. Columns take the axis titles where the figure gives them.
The figure is the one on the screen, so the table holds exactly the aggregates the chart shows under the page's
current filter. :func:`table_csv_bytes` and :func:`table_xlsx_bytes` write it for a spreadsheet.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from dashapp.scoring.client_files import neutralise_cell

#: The one column naming a point's trace (its legend entry).
TRACE_COLUMN = "trace"
#: Per-point attributes of each kind of trace, in the order the table shows them, with their default column
#: names (an axis title replaces the name of x, y or z).
_POINT_KEYS: dict[str, tuple[str, ...]] = {
    "pie": ("labels", "values", "text", "customdata"),
    "scatterpolar": ("theta", "r", "text", "customdata"),
    "box": ("x", "y", "lowerfence", "q1", "median", "q3", "upperfence", "mean", "text", "customdata"),
}
_DEFAULT_KEYS = ("x", "y", "z", "text", "hovertext", "customdata")
_NAMES = {"labels": "label", "values": "value", "theta": "category", "r": "value", "lowerfence": "lower fence",
          "upperfence": "upper fence"}
_TAG = re.compile(r"<[^>]+>")
#: A sheet name's forbidden characters in Excel, and its length limit.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_LENGTH = 31


class ChartDataError(ValueError):
    """What was given is not a plotly figure."""


def _array(value: object) -> np.ndarray | list | None:
    """A per-point attribute as an array: a list, or plotly's typed array ``{"dtype", "bdata", "shape"}``."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, Mapping) and isinstance(value.get("bdata"), str) and isinstance(value.get("dtype"), str):
        try:
            data = np.frombuffer(base64.b64decode(value["bdata"], validate=True), dtype=np.dtype(value["dtype"]))
            shape = value.get("shape")
            if isinstance(shape, str) and shape.strip():
                data = data.reshape([int(part) for part in shape.split(",")])
        except (binascii.Error, TypeError, ValueError) as error:
            raise ChartDataError(f"a typed array of the figure cannot be read ({error})") from error
        return data
    return None


def _title(axis: object) -> str | None:
    """An axis's title as plain text (``{"title": {"text": ...}}`` or a bare string), or None."""
    if not isinstance(axis, Mapping):
        return None
    title = axis.get("title")
    text = title.get("text") if isinstance(title, Mapping) else title
    if not isinstance(text, str):
        return None
    return _TAG.sub(" ", text.replace("<br>", " ")).strip() or None


def _axis(layout: Mapping, trace: Mapping, letter: str) -> Mapping:
    """The layout axis a trace's ``x``/``y``/``z`` is drawn on (``xaxis2`` for ``"x2"``; a 3-D scene's axes)."""
    if trace.get("type") == "scatter3d":
        scene = layout.get(trace.get("scene") or "scene")
        return (scene or {}).get(f"{letter}axis") or {} if isinstance(scene, Mapping) else {}
    reference = trace.get(f"{letter}axis") or letter
    axis = layout.get(f"{letter}axis{reference[1:]}") if isinstance(reference, str) else None
    return axis if isinstance(axis, Mapping) else {}


def _labelled(values: list, axis: Mapping) -> list:
    """Positions drawn with tick labels (``tickvals``/``ticktext``) as their labels, when every one has one."""
    tickvals, ticktext = axis.get("tickvals"), axis.get("ticktext")
    if not isinstance(tickvals, list) or not isinstance(ticktext, list) or len(tickvals) != len(ticktext):
        return values
    labels = {value: text for value, text in zip(tickvals, ticktext) if isinstance(value, (int, float, str))}
    try:
        if values and all(value in labels for value in values):
            return [labels[value] for value in values]
    except TypeError:  # unhashable values
        pass
    return values


def _plain(value: object) -> object:
    """A cell as a spreadsheet takes it: numpy scalars as Python numbers, lists as text, text without the markup
    plotly draws it with (``<br>`` a space, ``<b>`` and the like dropped)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, str) and "<" in value:
        return " ".join(_TAG.sub(" ", value).split())
    if isinstance(value, (list, tuple, np.ndarray)):
        return ", ".join(str(_plain(v)) for v in value)
    if isinstance(value, Mapping):
        return str(dict(value))
    return value


def _customdata_columns(values: list, prefix: str = "customdata") -> dict[str, list]:
    """Custom data per point: one column, or one per item when each point holds several."""
    widths = {len(v) for v in values if isinstance(v, (list, tuple, np.ndarray))}
    if len(widths) == 1 and all(isinstance(v, (list, tuple, np.ndarray)) for v in values):
        width = widths.pop()
        return {f"{prefix} {i + 1}": [v[i] for v in values] for i in range(width)}
    return {prefix: values}


def _flat(value: object) -> list:
    array = _array(value)
    if array is None:
        return []
    return np.asarray(array, dtype=object).ravel().tolist() if isinstance(array, np.ndarray) else list(array)


def _items(value: object) -> list:
    """An attribute's items, one per point (a 2-D typed array gives its rows)."""
    array = _array(value)
    return [] if array is None else list(array)


def _heatmap(trace: Mapping, layout: Mapping) -> dict[str, list]:
    """One row per cell of a heatmap: its x and y (labels or positions) and z, its text and custom data."""
    z = _array(trace.get("z"))
    if z is None:
        return {}
    rows = [list(row) if isinstance(row, (list, tuple, np.ndarray)) else [row] for row in z]
    width = max((len(row) for row in rows), default=0)
    x = _flat(trace.get("x")) or list(range(width))
    y = _flat(trace.get("y")) or list(range(len(rows)))
    cells = [(i, j) for i in range(len(rows)) for j in range(len(rows[i]))]
    columns = {"x": [x[j] if j < len(x) else j for _i, j in cells],
               "y": [y[i] if i < len(y) else i for i, _j in cells],
               "z": [rows[i][j] for i, j in cells]}
    for key in ("text", "customdata"):
        grid = _array(trace.get(key))
        if grid is not None and len(grid) == len(rows):
            grid_rows = [list(row) if isinstance(row, (list, tuple, np.ndarray)) else [row] for row in grid]
            if all(len(grid_rows[i]) == len(rows[i]) for i in range(len(rows))):
                values = [grid_rows[i][j] for i, j in cells]
                columns.update(_customdata_columns(values) if key == "customdata" else {key: values})
    return columns


def _table_trace(trace: Mapping) -> dict[str, list]:
    """A ``go.Table``'s own columns, headed as it heads them."""
    header = trace.get("header") if isinstance(trace.get("header"), Mapping) else {}
    cells = trace.get("cells") if isinstance(trace.get("cells"), Mapping) else {}
    values = [_flat(column) for column in (_array(cells.get("values")) or [])]
    names = [_TAG.sub(" ", str(_plain(h))).strip() for h in (_flat(header.get("values")) or [])]
    names += [f"column {i + 1}" for i in range(len(names), len(values))]
    return {name: column for name, column in zip(names, values)}


def _points(trace: Mapping, layout: Mapping) -> dict[str, list]:
    """One list per column for a trace's points, named by the trace's kind (before axis titles)."""
    kind = trace.get("type") or "scatter"
    if kind == "heatmap":
        return _heatmap(trace, layout)
    if kind == "table":
        return _table_trace(trace)
    # Custom data keeps one item per point (a list of several values each), the other attributes are flat.
    arrays = {key: _items(trace.get(key)) if key == "customdata" else _flat(trace.get(key))
              for key in _POINT_KEYS.get(kind, _DEFAULT_KEYS)}
    arrays = {key: values for key, values in arrays.items() if values}
    lengths = [len(values) for key, values in arrays.items() if key not in ("text", "hovertext", "customdata")]
    if not lengths:
        return {}
    n = max(lengths)
    columns: dict[str, list] = {}
    for key, values in arrays.items():
        if len(values) != n:
            continue  # a single text for the whole trace, or an attribute not given per point
        columns.update(_customdata_columns(values) if key == "customdata" else {_NAMES.get(key, key): values})
    return columns


def _named(columns: dict[str, list], trace: Mapping, layout: Mapping) -> dict[str, list]:
    """x, y, z renamed by their axes' titles, positions shown by tick labels as those labels."""
    named: dict[str, list] = {}
    for key, values in columns.items():
        if key in ("x", "y", "z"):
            axis = _axis(layout, trace, key)
            values = _labelled(values, axis)
            key = _title(axis) or key
        named[key if key not in named else f"{key} ({len(named)})"] = values
    return named


def figure_table(figure: object) -> pd.DataFrame:
    """The data a figure draws, as a tidy table: one row per point, bar, slice or cell.

    Parameters
    ----------
    figure : dict or plotly Figure
        ``{"data": [trace, ...], "layout": {...}}`` as ``dcc.Graph`` holds it, arrays as lists or typed arrays.

    Returns
    -------
    DataFrame
        A ``trace`` column (the legend name, or ``trace N``) when the figure has several traces or a named one,
        then the points' columns, in the order of the traces and their points. Axis titles name x, y and z;
        a trace hidden by the figure (``visible: false``) is left out. Empty when nothing is drawn.

    Raises
    ------
    ChartDataError
        If ``figure`` is not a figure.
    """
    if hasattr(figure, "to_plotly_json"):
        figure = figure.to_plotly_json()
    if not isinstance(figure, Mapping) or not isinstance(figure.get("data", []), list):
        raise ChartDataError("a figure is a mapping with a list of traces under 'data'")
    layout = figure.get("layout") if isinstance(figure.get("layout"), Mapping) else {}
    traces = [t for t in figure.get("data", []) if isinstance(t, Mapping) and t.get("visible", True) is not False]
    named_trace = len(traces) > 1 or any(isinstance(t.get("name"), str) and t.get("name") for t in traces)
    parts = []
    for number, trace in enumerate(traces, start=1):
        columns = _named(_points(trace, layout), trace, layout)
        if not columns:
            continue
        part = pd.DataFrame({key: pd.Series([_plain(v) for v in values], dtype=object)
                             for key, values in columns.items()})
        if named_trace:
            name = trace.get("name")
            part.insert(0, TRACE_COLUMN, _TAG.sub(" ", name).strip() if isinstance(name, str) and name
                        else f"trace {number}")
        parts.append(part)
    if not parts:
        return pd.DataFrame()
    table = pd.concat(parts, ignore_index=True, sort=False)
    return table.astype(object).where(table.notna(), None)


# --- Writing --------------------------------------------------------------------------------------------


def _safe(table: pd.DataFrame) -> pd.DataFrame:
    """Text a spreadsheet would run as a formula neutralised (headers too); numbers stay numbers."""
    safe = table.map(neutralise_cell) if len(table.columns) else table
    return safe.set_axis([neutralise_cell(str(c)) for c in table.columns], axis=1)


#: How a spreadsheet of each language reads a CSV: English Excel a comma between fields and a decimal point;
#: Russian Excel a semicolon and a decimal comma (the list and decimal separators of its regional settings), or
#: it opens the whole file as one column.
CSV_CONVENTIONS: dict[str, dict[str, str]] = {"en": {"sep": ",", "decimal": "."}, "ru": {"sep": ";", "decimal": ","}}


def table_csv_bytes(table: pd.DataFrame, language: str = "en", about: Sequence[tuple[str, str]] = ()) -> bytes:
    """A chart's table as CSV for a spreadsheet of ``language``: UTF-8 with a byte-order mark (so Excel reads
    accents and Cyrillic right), the language's separator and decimal mark (:data:`CSV_CONVENTIONS`), formula
    text neutralised, numbers written as numbers. ``about``: (field, value) lines written first, each as a row
    of two cells, then an empty row, then the table (``pandas.read_csv(skiprows=len(about) + 1)`` reads it)."""
    convention = CSV_CONVENTIONS.get(language, CSV_CONVENTIONS["en"])
    header = pd.DataFrame([[field, value] for field, value in about])
    lines = header.map(neutralise_cell).to_csv(index=False, header=False, sep=convention["sep"],
                                               lineterminator="\r\n") + "\r\n" if about else ""
    body = _safe(table).to_csv(index=False, lineterminator="\r\n", **convention)
    return (lines + body).encode("utf-8-sig")


def sheet_title(name: str) -> str:
    """``name`` as an Excel sheet may be named: without ``[]:*?/\\`` and at most 31 characters."""
    return _SHEET_FORBIDDEN.sub(" ", name).strip()[:_SHEET_LENGTH].strip() or "data"


def table_xlsx_bytes(table: pd.DataFrame, sheet: str = "data", about: Sequence[tuple[str, str]] = (),
                     about_sheet: str = "About") -> bytes:
    """A chart's table as an .xlsx workbook (openpyxl through pandas), numbers as numbers: the table's sheet,
    then, with ``about``, a second sheet of (field, value) rows saying what the table is."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _safe(table).to_excel(writer, sheet_name=sheet_title(sheet), index=False)
        if about:
            pd.DataFrame(list(about)).map(neutralise_cell).to_excel(
                writer, sheet_name=sheet_title(about_sheet) if sheet_title(about_sheet) != sheet_title(sheet)
                else "about", index=False, header=False)
    return buffer.getvalue()


def download_name(page: str, chart: str, suffix: str) -> str:
    """A download's file name saying the page and the chart: ``segments-job-mix.csv``."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{page} {chart}".lower()).strip("-")
    return f"{slug or 'chart'}.{suffix}"


#: What a downloaded file says when the chart draws nothing (e.g. a filter that leaves no client).
NO_DATA = "The chart shows no data under the current filter"


def chart_file_bytes(figure: object, chart: str, suffix: str, language: str = "en",
                     about: Sequence[tuple[str, str]] = (), about_sheet: str = "About") -> bytes:
    """A figure's data (:func:`figure_table`) as a file: ``csv`` (in ``language``'s convention) or ``xlsx`` (a
    sheet named after ``chart``); ``about``: what the table is (page, filter, data), as the CSV's first lines or
    the workbook's second sheet (``about_sheet``). A chart that draws nothing gives a file that says so.

    Raises
    ------
    ChartDataError
        If ``figure`` is not a figure.
    """
    table = figure_table(figure)
    if table.empty:
        table = pd.DataFrame({"note": [NO_DATA]})
    if suffix == "xlsx":
        return table_xlsx_bytes(table, sheet=chart, about=about, about_sheet=about_sheet)
    return table_csv_bytes(table, language, about)
