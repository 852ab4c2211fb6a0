"""Widgets shared by several pages (pages/ must hold page modules only, since Dash executes every file there)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashapp.artifacts.current import artifact_status, log_unavailable, public_summary
from dashapp.artifacts.model_folder import REBUILD_COMMAND, read_grid_progress
from dashapp.core import catalogue, i18n
from dashapp.core.i18n import N_, _
from dashapp.figures.categorical import ari_by_k_figure, crosstab_figure
from dashapp.results import chart_data
from dashapp.views import categorical as categorical_view, inputs
from dashapp.views.caveats import JobSplit
from dashapp.views.grid_status import grid_status_sentence
from dashapp.views.inputs import InvalidInput
from dashapp.views.methods import methods_href
from dashapp.views.rates import SubscriptionRates, split_explanation
from dashapp.web.reading import more, with_terms

APP_TITLE = N_("Bank client segmentation studio")


def page_title(name: str):
    """A page's title in the browser's tab, in the request's language: Dash calls it for each page it serves."""
    return lambda **_path_variables: _("{page} | {studio}").format(page=_(name), studio=_(APP_TITLE))

#: The shell's store of the browser window's width, ``{"width": <window.innerWidth>}``: written in the browser
#: on every page change and after a resize (``assets/viewport.js``), read by callbacks that draw a figure for
#: the width it gets (see :func:`graph_width`).
VIEWPORT_STORE = "shell-viewport"
#: The shell's address (a ``dcc.Location``): the page and its query, which a chart's download records.
LOCATION_ID = "shell-location"

#: Mode-bar buttons that would send a chart, and the client records some charts carry, off the server.
#: plotly.js 4 (as bundled with Dash 4) shows "Share chart..." (``sendChartToCloud``, an upload to Plotly
#: Cloud) unless ``showSendToCloud`` is false; the other names are the cloud buttons of older plotly.js.
OFF_SERVER_BUTTONS: tuple[str, ...] = ("sendChartToCloud", "sendDataToCloud", "editInChartStudio")

#: The one configuration of every chart in the app: no plotly logo and nothing that uploads a chart.
#: An empty ``plotlyServerURL`` leaves the upload nowhere to go even if a button came back.
GRAPH_CONFIG: dict = {
    "displaylogo": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "plotlyServerURL": "",
    "modeBarButtonsToRemove": list(OFF_SERVER_BUTTONS),
}


def missing_artifacts_notice(reason: str) -> dbc.Alert:
    """What a page shows instead of its charts when the artifacts cannot be loaded.

    ``reason`` (from :func:`dashapp.artifacts.current.artifact_status` or an ``ArtifactError``) names the server's paths
    and library versions: it goes to the log, and the page says only what to ask the operator for.
    """
    log_unavailable(reason)
    return dbc.Alert([
        html.H4(_("The analysis artifacts are not available"), className="alert-heading"),
        html.P([_("Ask the operator to build them with "), html.Code(REBUILD_COMMAND), _(" (or "),
                html.Code("make run"),
                _(", which builds what is missing) and to restart the app; the server's log says what is wrong.")],
               className="mb-0"),
    ], color="warning", className="artifact-problem")


def grid_pending_notice(model_dir) -> dbc.Alert:
    """What a page that needs the K-means grid shows while an early build (``make run``) computes it."""
    return dbc.Alert(grid_status_sentence(read_grid_progress(model_dir)), color="info", className="grid-pending")


def dropdown_labels() -> dict[str, str]:
    """A ``dcc.Dropdown``'s own texts (its search box, select-all and clear buttons) in the page's language: Dash
    writes them in English (these are its words) unless a page passes them as ``labels``."""
    return {"select_all": _("Select All"), "deselect_all": _("Deselect All"),
            "selected_count": _("{num_selected} selected"), "search": _("Search"), "clear_search": _("Clear search"),
            "clear_selection": _("Clear selection"), "no_options_found": _("No options found")}


def metric(value: str, caption: str, **column_widths) -> dbc.Col:
    """A big number with a small caption under it, as a grid column (``column_widths``: dbc.Col's xs, md, ...)."""
    return dbc.Col([html.Div(value, className="metric-value"), html.Div(caption, className="text-muted small")],
                   **column_widths)


def graph_config(**overrides) -> dict:
    """:data:`GRAPH_CONFIG` with a chart's own settings (e.g. ``displayModeBar=False``) on top.

    The settings that keep a chart on the server cannot be overridden: a page may remove more mode-bar
    buttons, never bring back an upload.

    Parameters
    ----------
    **overrides
        plotly.js config keys.

    Returns
    -------
    dict
        A new dict, safe to change.
    """
    removed = list(GRAPH_CONFIG["modeBarButtonsToRemove"])
    removed += [button for button in overrides.pop("modeBarButtonsToRemove", []) if button not in removed]
    # The page's language: plotly.js's month names, separators and mode-bar tips (dashapp.web.plotly_locale).
    return {"locale": i18n.current_language(), **overrides, **GRAPH_CONFIG, "modeBarButtonsToRemove": removed}


def graph(graph_id: str, figure=None, height: int | None = None, config: dict | None = None,
          **graph_kwargs) -> html.Div:
    """A ``dcc.Graph`` with the app's :func:`graph_config` and its "Data: CSV · Excel" downloads: the only way
    pages make a chart. The page registers the downloads' callback once, at import (:func:`chart_downloads`).

    Parameters
    ----------
    graph_id : str
        The component id.
    figure : plotly Figure, optional
    height : int, optional
        Pixel height (default: plotly's).
    config : dict, optional
        The chart's own plotly.js config keys, merged by :func:`graph_config`.
    **graph_kwargs
        Other ``dcc.Graph`` properties.

    Returns
    -------
    html.Div
        The graph, then its data controls and their ``dcc.Download`` (ids from :func:`chart_data_ids`).
    """
    style = graph_kwargs.pop("style", None)
    if height:
        style = {"height": f"{height}px", **(style or {})}
    chart = dcc.Graph(id=graph_id, figure=figure, style=style, config=graph_config(**(config or {})),
                      **graph_kwargs)
    return html.Div([chart, _data_controls(graph_id)], className="chart")


# --- Every chart's data, as CSV or Excel -------------------------------------------------------------------

#: Graph id -> (page, chart name) of every chart whose downloads a page registered (:func:`chart_downloads`).
CHART_DOWNLOADS: dict[str, tuple[str, str]] = {}


def chart_data_ids(graph_id: str) -> tuple[str, str, str]:
    """The ids of a chart's CSV button, Excel button and download (the graph's, so they carry its page's prefix)."""
    return f"{graph_id}-data-csv", f"{graph_id}-data-xlsx", f"{graph_id}-data-download"


def _data_controls(graph_id: str) -> html.Div:
    csv_id, xlsx_id, download_id = chart_data_ids(graph_id)
    button = "btn btn-link btn-sm p-0 align-baseline chart-data-button"
    return html.Div([
        _("Data: "),
        html.Button("CSV", id=csv_id, n_clicks=0, className=button, title=_("Download this chart's data as CSV")),
        " \u00b7 ",
        html.Button("Excel", id=xlsx_id, n_clicks=0, className=button,
                    title=_("Download this chart's data as Excel")),
        dcc.Download(id=download_id),
    ], className="chart-data small text-muted text-end")


def _page_name(page: str) -> str:
    """A page's name in the current language, from its files' name (``overview`` is the page at ``/``)."""
    path = "/" if page == "overview" else f"/{page}"
    return next((_(entry["name"]) for entry in dash.page_registry.values() if entry["path"] == path), page)


def chart_about(page: str, chart: str, address: str) -> list[tuple[str, str]]:
    """What a chart's downloaded table is, in the page's language: the page, the chart, the address it was taken
    at (its query holds the page's filter or view) and the data it was built from (source, period, build)."""
    rows = [(_("Page"), _page_name(page)), (_("Chart"), _(chart)),
            (_("Address (its query is the filter or view shown)"), address)]
    store, _problem = artifact_status()
    if store is not None:
        summary = public_summary(store)
        provenance = store.provenance
        rows.append((_("Data"), provenance.name))
        if provenance.period_known:
            rows.append((_("Calls"), f"{i18n.month_year(provenance.first_month)} – "
                                     f"{i18n.month_year(provenance.last_month)}"))
        rows.append((_("Artifacts built"), f"{summary['built_at']} (sha256 {summary['data_sha256'][:12]})"))
    return rows


def chart_file(page: str, chart: str, figure: object, excel: bool, address: str = "") -> dict:
    """The download of a figure's data (:func:`dashapp.results.chart_data.figure_table`) as ``dcc.Download`` takes it:
    a CSV in the page's language's convention (Russian: ``;`` and decimal commas) or a workbook, each saying what
    it is (:func:`chart_about`: first lines of the CSV, the workbook's second sheet).

    Raises
    ------
    PreventUpdate
        Before the chart has a figure.
    InvalidInput
        When ``figure`` is not a figure (a crafted request).
    """
    if figure is None:
        raise PreventUpdate
    suffix = "xlsx" if excel else "csv"
    try:
        # The sheet is named in the page's language; the file keeps the chart's English name, a stable address.
        content = chart_data.chart_file_bytes(figure, _(chart), suffix, language=i18n.current_language(),
                                              about=chart_about(page, chart, address), about_sheet=_("About"))
    except chart_data.ChartDataError as error:
        raise InvalidInput(f"{chart} figure: {error}") from None
    return dcc.send_bytes(content, chart_data.download_name(page, chart, suffix))


def chart_downloads(page: str, charts: Mapping[str, str]) -> None:
    """Serve each chart's data as CSV or Excel: one callback per chart, registered when the page is imported
    (Dash cannot add callbacks while it answers a request). Call it at a page module's top level with every
    graph id the page (or its callbacks) draws.

    Parameters
    ----------
    page : str
        The page's name as the files say it (``segments``).
    charts : mapping
        Graph id -> the chart's name as the files and the workbook's sheet say it (``Job mix``), marked with
        ``N_``: the sheet is named in the page's language, the file in English.
    """
    for graph_id, chart in charts.items():
        if graph_id in CHART_DOWNLOADS:
            raise ValueError(f"the downloads of chart {graph_id!r} are registered twice")
        CHART_DOWNLOADS[graph_id] = (page, chart)
        _register_chart_download(page, graph_id, chart)


def _register_chart_download(page: str, graph_id: str, chart: str) -> None:
    csv_id, xlsx_id, download_id = chart_data_ids(graph_id)

    @dash.callback(Output(download_id, "data"), Input(csv_id, "n_clicks"), Input(xlsx_id, "n_clicks"),
                   State(graph_id, "figure"), State(LOCATION_ID, "pathname"), State(LOCATION_ID, "search"),
                   prevent_initial_call=True)
    def download_chart_data(_csv_clicks, _xlsx_clicks, figure, pathname=None, search=None):
        # The figure comes from the browser as drawn: the chart's data under the page's current filter, which the
        # address records.
        address = inputs.search(pathname) + inputs.search(search)
        return chart_file(page, chart, figure, excel=dash.ctx.triggered_id == xlsx_id, address=address)


def graph_card(title: str, graph_id: str, figure=None, height: int | None = None, help_text: str | None = None,
               fill: bool = True, **graph_kwargs) -> dbc.Card:
    """A titled card holding one plotly graph (made by :func:`graph`); ``fill``: as tall as its column, so the
    cards of a row line up (not for a card under another in the same column, which would then overflow it)."""
    body = [graph(graph_id, figure, height, **graph_kwargs)]
    if help_text:
        body.insert(0, html.P(help_text, className="text-muted small mb-1"))
    return dbc.Card([dbc.CardHeader(with_terms(title)), dbc.CardBody(body, className="p-2")],
                    className="mb-3 h-100" if fill else "mb-3")


# --- What the pages say about the segments: rates with their populations, the original study, the job split ---


def original_study_link(text: str | None = None) -> html.A:
    """A link to the original study, named (by default) as its GitHub project is."""
    return html.A(text or catalogue.ORIGINAL_STUDY_NAME, href=catalogue.ORIGINAL_STUDY_URL, target="_blank",
                  className="original-study")


#: The columns of :func:`subscription_table`: period key and heading.
RATE_COLUMNS = (("train", N_("Training period")), ("test", N_("Test period")), ("all", N_("Both periods")))
#: The same columns when the split was random: two groups of clients, not two periods.
RANDOM_SPLIT_RATE_COLUMNS = (("train", N_("Training clients")), ("test", N_("Test clients")),
                             ("all", N_("All clients")))
#: The name of the row of every segment together.
ALL_SEGMENTS_ROW = N_("All segments")


def subscription_table(rates: SubscriptionRates, segments: Sequence[int] = (), explain: bool = True) -> html.Div:
    """Subscription rates by period, side by side: one row per segment of ``segments``, then every segment.

    The last row's "Both periods" cell is the rate of all clients. With ``explain``, a line under the table
    says which calls each period holds. A random split's parts are named as clients, not periods
    (:data:`RANDOM_SPLIT_RATE_COLUMNS`).
    """
    columns = RATE_COLUMNS if rates.time_ordered else RANDOM_SPLIT_RATE_COLUMNS
    header = html.Thead(html.Tr([html.Th(_("Subscribed a term deposit"))]
                                + [html.Th(_(name), className="text-end") for _period, name in columns]))
    rows = [(_("Segment {number}").format(number=number), number) for number in segments]
    rows.append((_(ALL_SEGMENTS_ROW), None))
    body = html.Tbody([html.Tr([html.Td(name)] + [html.Td(rates.of(period, number).percent, className="text-end")
                                                  for period, _name in columns]) for name, number in rows])
    parts = [dbc.Table([header, body], size="sm", responsive=True, className="small mb-1 subscription-rates")]
    if explain:
        parts.append(html.Div(split_explanation(rates), className="text-muted small"))
    return html.Div(parts)


#: Said under every list of our suggestions: they are a judgement; this data observes one product.
SUGGESTIONS_NOTE = N_("Our judgement, not a finding: this data observes one product, the term deposit (see the "
                      "Response page for whom it supports calling).")


def product_suggestions(products: Sequence[str]) -> list:
    """Our product suggestions for a segment, under their heading and over the note that they are a judgement."""
    return [html.Div(_("Our product suggestions"), className="fw-semibold small"),
            html.Ul([html.Li(product) for product in products], className="small ps-3 mb-1"),
            html.P(_(SUGGESTIONS_NOTE), className="text-muted small mb-2 suggestions-note")]


def original_recommendation(segment: catalogue.Segment, link: bool = True) -> html.Div:
    """The original study's recommendation for one segment, named as theirs, for beside our suggestions.

    ``link=False`` leaves out the study's name, for a page that names and links it once above several cards.
    """
    named = [" (", original_study_link(), ")"] if link else []
    return html.Div([
        html.Div([_("The original study's recommendation (its judgement)"), *named], className="fw-semibold small"),
        html.P(segment.original_recommendation, className="small mb-0"),
    ], className="original-recommendation")


def job_split_note(split: JobSplit, segment: int | None = None, job: str | None = None,
                   uci: bool = True) -> dbc.Alert:
    """Say that ``split`` is an alphabetical cut of the job and why; for a client of ``segment``, say in
    short what it means for them (their ``job`` when known) and leave the why to the Decision tree page.

    The original study found the same cut on the UCI file: only a build of that file (``uci``) says so."""
    sentence = None if segment is None else split.client_sentence(segment, job)
    if sentence is None and uci:
        body = [split.explanation, _(" The original study ("), original_study_link(), ") ", split.kept_because]
    elif sentence is None:
        body = [split.explanation, _(" The difference between these segments carries no business meaning, and "
                                     "our suggestions for them follow the loans, not the job.")]
    elif uci:
        body = [sentence, _(" The original study ("), original_study_link(),
                _(") found the same cut; the Decision tree page says why it carries no business meaning.")]
    else:
        body = [sentence, _(" The Decision tree page says why it carries no business meaning.")]
    if segment is None:  # the page's own note: the headline, and why behind "More"
        body = [more(html.Span(body), summary=_("Why"), class_name="d-inline")]
    return dbc.Alert([html.Strong(f"{split.headline}. "), *body], color="light",
                     className="small py-2 job-split-note")
#: Bootstrap 5's breakpoints (px) in increasing order, as dbc.Col's keyword arguments name them.
BREAKPOINTS: dict[str, int] = {"xs": 0, "sm": 576, "md": 768, "lg": 992, "xl": 1200, "xxl": 1400}
#: The shell's horizontal padding on each side (Bootstrap's 12 pixels, ``px-md-4`` from md on) and a card's
#: borders and ``p-2`` padding.
_PAGE_PADDING = {"xs": 12, "md": 24}
_CARD_CHROME = 2 + 2 * 8
_GUTTER = 24


def graph_width(viewport: dict | None, **spans: int) -> int | None:
    """The width in pixels of a graph in a card, in a column of the page, for a window's width.

    For the few figures the server lays out for their width (the decision tree); plotly sizes the others.

    Parameters
    ----------
    viewport : dict or None
        The shell's viewport store (``{"width": <window.innerWidth>}``); None before the browser wrote it.
    **spans : int
        The column's span out of 12 from a breakpoint on, as dbc.Col takes them (``lg=8, xl=9``); a full-width
        column by default.

    Returns
    -------
    int or None
        None when the window's width is not known.
    """
    if not viewport or not viewport.get("width"):
        return None
    window = int(viewport["width"])
    span = 12
    padding = 0
    for name, minimum in BREAKPOINTS.items():
        if window >= minimum:
            span = spans.get(name, span)
            padding = _PAGE_PADDING.get(name, padding)
    content = window - 2 * padding
    column = content * span / 12 - (_GUTTER if span < 12 else 0)
    return max(0, int(column - _CARD_CHROME))


# --- The explorer's card on k-modes (its view and figures: dashapp/views/categorical.py, figures/categorical.py) ---

CATEGORICAL_CARD = "explorer-categorical"
CATEGORICAL_ARI = "explorer-categorical-ari"
CATEGORICAL_CROSSTAB = "explorer-categorical-crosstab"


def categorical_card(categorical: dict, names: Mapping[int, str]) -> dbc.Card:
    """The card "A clustering made for categories": k-modes' agreement with the published segments by k, its
    k = 4 crosstab with them, and what that means in words (``categorical``: that section of targeting.json;
    ``names``: the segments' names, :func:`dashapp.core.catalogue.segment_names`)."""
    sentences = categorical_view.agreement_sentences(categorical, names)
    k = categorical["crosstab"]["k"]
    return dbc.Card([dbc.CardHeader(_("A clustering made for categories")), dbc.CardBody([
        html.P(_("K-means saw job as a code numbered in alphabetical order; k-modes counts how many of job, "
                 "housing loan and personal loan two clients share, which is what the fields mean."),
               className="small"),
        html.Ul([html.Li(sentence) for sentence in sentences], className="small ps-3"),
        dbc.Row([
            dbc.Col([html.Div(_("Agreement with the published segments by k (bars: tied partitions)"),
                              className="small fw-semibold"),
                     graph(CATEGORICAL_ARI, ari_by_k_figure(categorical_view.ari_by_k(categorical)), height=320)],
                    lg=5),
            dbc.Col([html.Div(_("k-modes at k = {k} (rows) against the published segments (columns): clients")
                              .format(k=k), className="small fw-semibold"),
                     graph(CATEGORICAL_CROSSTAB, crosstab_figure(categorical_view.crosstab_view(categorical)),
                           height=320)],
                    lg=7),
        ], className="g-3"),
    ], id=CATEGORICAL_CARD)], className="mb-3")


def methods_link(page: str, anchor: str, text: str) -> dcc.Link:
    """A link from ``page`` to one section of the Methods page (:mod:`dashapp.views.methods` names the sections);
    its id, ``<page>-methods-<anchor>``, carries the page's prefix like the page's other ids."""
    return dcc.Link(text, href=dash.get_relative_path(methods_href(anchor)), id=f"{page}-methods-{anchor}")
