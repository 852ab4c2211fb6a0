"""A chart's data as a table: what a plotly figure draws, one row per point, bar, slice or cell, for download.

Dash-free: :func:`figure_table` takes a figure as the browser holds it (a dict; arrays as lists or as plotly's
base64 typed arrays) or a ``go.Figure``, and gives a tidy DataFrame a spreadsheet reader can use: the trace's name
(when there are several), then x, y, z (or a pie's label and value, a polar chart's category and value, a box's
quartiles, a table's own columns) named by the axes' titles, and the custom data, text and hover text the figure
names. Rates drawn as fractions on a percent axis come out in percent, their column saying ", %". A figure says how
it reads as a table in its ``meta`` (:func:`dashapp.figures.table_hints`): names of its columns, a trace that is only
a drawing aid, traces over the same categories side by side in one row each.
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
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from dashapp.core.i18n import N_, _
from dashapp.scoring.client_files import neutralise_cell

#: The column naming a point's trace (its legend entry), unless the figure names it (``series``).
SERIES = N_("Series")
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


def _categories(value: object) -> list:
    """A flat attribute, or a multicategory axis's pairs (``[[group, ...], [category, ...]]``) as
    ``"group: category"``."""
    if (isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, (list, tuple)) for v in value)
            and len(value[0]) == len(value[1]) and all(isinstance(v, str) for v in [*value[0], *value[1]])):
        return [f"{group}: {category}" for group, category in zip(*value)]
    return _flat(value)


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
    # Custom data keeps one item per point (a list of several values each), the other attributes are flat; a
    # category drawn under its group (plotly's multicategory axis: [groups, categories]) reads "group: category".
    arrays = {key: _items(trace.get(key)) if key == "customdata" else _categories(trace.get(key))
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


def _hints(owner: Mapping) -> Mapping:
    """What a trace or the layout says about its table: ``meta={"table": {...}}`` (see :func:`figure_table`)."""
    meta = owner.get("meta")
    hints = meta.get("table") if isinstance(meta, Mapping) else None
    return hints if isinstance(hints, Mapping) else {}


def _percent_axis(axis: Mapping) -> tuple[bool, bool]:
    """(its values are fractions shown as percents, its values are percents already): from the axis's tick
    format (``.0%``) or suffix (``%``)."""
    tickformat, ticksuffix = axis.get("tickformat"), axis.get("ticksuffix")
    fractions = isinstance(tickformat, str) and tickformat.endswith("%")
    return fractions, not fractions and ticksuffix == "%"


def _as_percent(values: list) -> list:
    return [round(100 * v, 6) if isinstance(v, (int, float, np.number)) and not isinstance(v, bool) else v
            for v in values]


def _with_unit(name: str) -> str:
    return name if "%" in name else f"{name}, %"


def _named(columns: dict[str, list], trace: Mapping, layout: Mapping) -> dict[str, list]:
    """Columns as a spreadsheet reader reads them: x, y and z named by the trace's hints or their axes' titles,
    positions shown by tick labels as those labels, fractions drawn as percents in percent; custom data, text and
    hover text kept only where the trace names them (unnamed, they are the chart's own workings: a bar's code
    for a click, the words of a hover)."""
    names = _hints(trace).get("columns")
    names = names if isinstance(names, Mapping) else {}
    fraction_columns = _hints(trace).get("percent") or ()
    named: dict[str, list] = {}
    for key, values in columns.items():
        base = key.split(" ")[0]
        if key in names and names[key] is None:
            continue  # a position that means nothing off the chart (a drawn tree's coordinates)
        if base in ("x", "y", "z") and key == base:
            axis = _axis(layout, trace, key)
            values = _labelled(values, axis)
            fractions, percents = _percent_axis(axis)
            fractions = fractions or key in fraction_columns
            key = names.get(key) or _title(axis) or key
            if fractions:
                values, key = _as_percent(values), _with_unit(key)
            elif percents:
                key = _with_unit(key)
        elif base in ("customdata", "text", "hovertext"):
            given = names.get(base)
            if isinstance(given, list):  # one name per item of each point's custom data (None: left out)
                position = int(key.split(" ")[1]) - 1 if " " in key else 0
                given = given[position] if position < len(given) else None
            if not isinstance(given, str):
                continue
            if base in fraction_columns:
                values, given = _as_percent(values), _with_unit(given)
            key = given
        elif isinstance(names.get(key), str):
            key = names[key]
        named[key if key not in named else f"{key} ({len(named)})"] = values
    return named


def _merged(parts: list[tuple[Mapping, pd.DataFrame]]) -> pd.DataFrame:
    """One row per value of the traces' first column (the categories or months they share), one column per
    trace's values, named by its hint's ``value`` or else by its name: a chart's clients and their rate, drawn as
    a bar and a line over the same categories, side by side."""
    merged: pd.DataFrame | None = None
    by = parts[0][1].columns[0]
    for trace, part in parts:
        part = part.copy()
        value_name = _hints(trace).get("value")
        if len(part.columns) == 2 and (isinstance(value_name, str) or merged is not None
                                       and part.columns[1] in merged.columns):
            # Named by its hint, or else (its axis's title being taken by an earlier trace) by its legend name.
            name = value_name if isinstance(value_name, str) else _TAG.sub(" ", str(trace.get("name"))).strip()
            part.columns = [part.columns[0], _with_unit(name) if "%" in part.columns[1] else name]
        part.columns = [by, *part.columns[1:]]
        if merged is None:
            merged = part
            continue
        # In the order the first trace draws its categories (pandas' outer merge would sort them), then any the
        # later traces add.
        keys = list(dict.fromkeys([*merged[by], *part[by]]))
        merged = (merged.drop_duplicates(by).set_index(by).reindex(keys)
                  .join(part.drop_duplicates(by).set_index(by).reindex(keys)).reset_index(names=by))
    return merged if merged is not None else pd.DataFrame()


def figure_table(figure: object) -> pd.DataFrame:
    """The data a figure draws, as a tidy table: one row per point, bar, slice or cell.

    Parameters
    ----------
    figure : dict or plotly Figure
        ``{"data": [trace, ...], "layout": {...}}`` as ``dcc.Graph`` holds it, arrays as lists or typed arrays.

    Returns
    -------
    DataFrame
        A column naming each point's trace (its legend name; "Series" unless the layout's hints name it) when
        the figure has several traces, then the points' columns, in the order of the traces and their points; or,
        when the layout's hints merge the traces, one row per category of the first column with one column per
        trace. Hints or axis titles name x, y and z; custom data, text and hover text appear only where named; a
        trace hidden by the figure (``visible: false``) or marked ``skip`` is left out. Empty when nothing is
        drawn.

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
    layout_hints = _hints(layout)
    series = layout_hints.get("series") if isinstance(layout_hints.get("series"), str) else _(SERIES)
    traces = [t for t in figure.get("data", []) if isinstance(t, Mapping) and t.get("visible", True) is not False
              and not _hints(t).get("skip")]
    named_trace = len(traces) > 1
    parts = []
    for number, trace in enumerate(traces, start=1):
        columns = _named(_points(trace, layout), trace, layout)
        if not columns:
            continue
        part = pd.DataFrame({key: pd.Series([_plain(v) for v in values], dtype=object)
                             for key, values in columns.items()})
        parts.append((trace, part, number))
    if not parts:
        return pd.DataFrame()
    if layout_hints.get("merge") and len(parts) > 1:
        table = _merged([(trace, part) for trace, part, _number in parts])
    else:
        for trace, part, number in parts:
            if named_trace and series not in part.columns:
                name = trace.get("name")
                part.insert(0, series, _TAG.sub(" ", name).strip() if isinstance(name, str) and name
                            else f"{series} {number}")
        table = pd.concat([part for _trace, part, _number in parts], ignore_index=True, sort=False)
    # A row with nothing in it is a gap plotly breaks a line at (the None between a dendrogram's links), not data.
    data_columns = [column for column in table.columns if column != series]
    table = table.dropna(how="all", subset=data_columns).reset_index(drop=True)
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


#: The rows of an Excel sheet, its header's included.
EXCEL_ROWS = 1_048_576


def _cell_for_excel(value: object) -> object:
    """Text without the control characters an .xlsx file cannot hold (openpyxl refuses them), each shown as
    the replacement character."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value


def table_xlsx_bytes(table: pd.DataFrame, sheet: str = "data", about: Sequence[tuple[str, str]] = (),
                     about_sheet: str = "About") -> bytes:
    """A chart's table as an .xlsx workbook (openpyxl through pandas), numbers as numbers: the table's sheet,
    then, with ``about``, a second sheet of (field, value) rows saying what the table is.

    A table longer than a sheet (:data:`EXCEL_ROWS`) goes on as many sheets as it needs, named ``sheet (2)``
    and so on, every row kept in order; text loses the control characters a workbook cannot hold."""
    safe = _safe(table)
    if len(safe.columns):
        safe = safe.map(_cell_for_excel).set_axis([_cell_for_excel(c) for c in safe.columns], axis=1)
    per_sheet = EXCEL_ROWS - 1
    parts = [safe.iloc[start:start + per_sheet] for start in range(0, max(len(safe), 1), per_sheet)]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for number, part in enumerate(parts, start=1):
            suffix = "" if number == 1 else f" ({number})"
            name = sheet_title(sheet)[:_SHEET_LENGTH - len(suffix)].strip() + suffix
            part.to_excel(writer, sheet_name=name, index=False)
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
