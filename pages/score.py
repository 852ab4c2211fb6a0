"""Score a client: one client from a form, or a file of clients, with the same core as the API and the CLI.

The form shows the segment, why (the values the tree saw, a filled key field and its vote, a tied vote and
how it was broken) and the client's path through the tree; its inputs come from the table of client fields
(``dashapp.core.fields``). An uploaded file is scored in a background job (:mod:`dashapp.scoring.score_jobs`: a process
of its own, a progress bar of the rows scored, a Cancel button); a CSV file or an .xlsx workbook, whose sheet a
chooser picks when it has several (the first by default). Its rows never go into the browser's state: the
scored file is kept on the server for a while under a random token, which the download asks for (an expired
one is scored again from the upload, in the background too).
Over 450 lines: one page of two tabs (the form and its result card, the upload with its job, preview and
download), each callback thin.
"""

from __future__ import annotations

import logging
import secrets

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from dashapp.artifacts.client_queries import client_queries
from dashapp.artifacts.current import artifact_status, current_store
from dashapp.artifacts.model_folder import ArtifactError, ArtifactStore
from dashapp.artifacts.neighbours import N_NEIGHBOURS
from dashapp.core import catalogue, fields, i18n
from dashapp.core.i18n import N_, _, ngettext
from dashapp.figures.tree import tree_figure, tree_height
from dashapp.scoring import score_jobs, scorer
from dashapp.scoring.client_files import MAX_UPLOAD_BYTES, ClientFileError
from dashapp.views import inputs
from dashapp.views.caveats import job_splits
from dashapp.views.rates import store_rates
from dashapp.views.score import (FIELD_LABELS, SEGMENT_LABEL, ResultView, UploadView, age_placeholder, age_rule_text,
                                 category_options, errors_by_field, field_label, form_input, neighbour_table,
                                 read_upload, refusals_header, result_view, scored_file_bytes, scored_filename,
                                 sheet_choice, store_typical_client, upload_limit_text, upload_sheets, upload_view)
from dashapp.web.components import (VIEWPORT_STORE, chart_downloads, graph, graph_width, job_split_note, metric,
                                    missing_artifacts_notice, original_recommendation, page_title, product_suggestions,
                                    subscription_table)
from dashapp.web.reading import page_lead

logger = logging.getLogger(__name__)

dash.register_page(__name__, path="/score", name=N_("Score a client"), order=3, nav_group="decide",
                   title=page_title(N_("Score a client")))

SCORE_TABS = "score-tabs"
SCORE_SUBMIT = "score-submit"
SCORE_RESULT = "score-result"
#: The last client scored, kept in the tab's session storage: a reload or a language switch shows its result again.
SCORE_LAST = "score-last"
SCORE_JOB_TOKEN = "score-job-token"
SCORE_RESULT_SEGMENT = "score-result-segment"
SCORE_RESULT_VOTE = "score-result-vote"
SCORE_RESULT_TIE = "score-result-tie"
SCORE_RESULT_UNCERTAIN = "score-result-uncertain"
SCORE_TREE = "score-tree"
SCORE_UPLOAD = "score-upload"
SCORE_UPLOAD_RESULT = "score-upload-result"
SCORE_UPLOAD_SUMMARY = "score-upload-summary"
SCORE_UPLOAD_PREVIEW = "score-upload-preview"
SCORE_UPLOAD_REFUSED = "score-upload-refused"
SCORE_UPLOAD_READ_AS = "score-upload-read-as"
SCORE_DOWNLOAD_BUTTON = "score-download-button"
SCORE_DOWNLOAD = "score-download"
SCORE_DOWNLOAD_MESSAGE = "score-download-message"
SCORE_DOWNLOAD_AREA = "score-download-area"
#: The token and name of the scored file kept on the server (score_jobs.keep_scored_file), never its rows.
SCORE_SCORED_FILE = "score-scored-file"
SCORE_PROGRESS = "score-progress"
SCORE_PROGRESS_BAR = "score-progress-bar"
SCORE_PROGRESS_TEXT = "score-progress-text"
SCORE_CANCEL = "score-cancel"
SCORE_UPLOAD_TOO_LARGE = "score-upload-too-large"
#: A workbook's sheet to score: shown only when the uploaded workbook has several.
SCORE_SHEET = "score-sheet"
SCORE_SHEET_AREA = "score-sheet-area"
chart_downloads("score", {SCORE_TREE: N_("Decision path")})

TAB_CLIENT, TAB_FILE = "client", "file"
FIELDS = fields.NAMES
#: The browser keeps a file above the limit (dcc.Upload's max_size): the request would be refused anyway (the
#: app's MAX_CONTENT_LENGTH is sized for this limit). Dash's Upload drops such a file without a word, so
#: assets/upload_limit.js says so, reading the limit from the wrapper's data-max-bytes.
BROWSER_UPLOAD_LIMIT = MAX_UPLOAD_BYTES
HIDDEN, SHOWN = {"display": "none"}, {"display": "block"}
#: Translated where shown, in the language of the request (a job inherits it: see _scored_upload).
READING = N_("Reading the file\u2026")
#: How often the browser asks a running job for its progress (milliseconds).
PROGRESS_INTERVAL = 500
UNEXPECTED = N_("Something went wrong on our side; the problem has been logged. Please try again, and tell the "
                "analytics team if it happens again.")


def field_id(field: str) -> str:
    """The form input of ``field`` (``score-job``)."""
    return f"score-{field}"


def feedback_id(field: str) -> str:
    """The inline message under ``field``'s input."""
    return f"score-{field}-feedback"


def _form_defaults(store: ArtifactStore) -> dict:
    # The key fields start as a typical client's (the most common categories), so the first click gives a result
    # and the page says they are an example; every other detail starts as not given, so nothing the user did not
    # choose decides who votes.
    typical = store_typical_client(store)
    return {field: typical[field] if field in fields.KEY_FIELDS else ("" if field != "age" else None)
            for field in FIELDS}


def _model():
    return scorer.scoring_model(current_store())


# --- Layout ------------------------------------------------------------------------------------------------


def _field(field: str, value) -> html.Div:
    label = dbc.Label(field_label(field), html_for=field_id(field), className="small mb-1")
    if fields.BY_NAME[field].kind == fields.NUMBER:
        # No min/max attributes: the browser would send an out-of-range age as empty, and the client would be
        # scored as "age unknown" without a word. validate_client names the problem, with the same rule.
        # persistence: what the user typed survives a reload and a language switch (the tab's session).
        control = dbc.Input(id=field_id(field), type="number", value=value, size="sm",
                            placeholder=age_placeholder(), persistence=True, persistence_type="session")
        hint = dbc.FormText(age_rule_text())
    else:
        control = dbc.Select(id=field_id(field), options=category_options(field), value=value, size="sm",
                             persistence=True, persistence_type="session")
        hint = None
    return html.Div([label, control, dbc.FormFeedback(id=feedback_id(field), type="invalid"), hint],
                    className="mb-2")


def _form(defaults: dict) -> dbc.Card:
    return dbc.Card([
        dbc.CardHeader(_("The client")),
        dbc.CardBody([
            html.Div(_("Key fields"), className="fw-semibold small"),
            html.P(_("At least two of the three must be known; a missing one is filled by the vote of the "
                     "{count} most similar training clients.").format(count=N_NEIGHBOURS),
                   className="text-muted small mb-2"),
            *[_field(f, defaults[f]) for f in fields.KEY_FIELDS],
            html.Div(_("Other details"), className="fw-semibold small mt-3"),
            html.P(_("Optional; they decide which clients are most similar when a key field is missing."),
                   className="text-muted small mb-2"),
            *[_field(f, defaults[f]) for f in FIELDS if f not in fields.KEY_FIELDS],
            dbc.Button(_("Score the client"), id=SCORE_SUBMIT, color="primary", className="mt-2 w-100"),
        ]),
    ], className="mb-3")


def _upload_tab() -> html.Div:
    limit = upload_limit_text()
    return html.Div([
        html.P([_("A CSV file (separated by semicolons, commas or tabs; UTF-8, Windows-1251 or Windows-1252) or "
                  "an Excel workbook (.xlsx; its first sheet, or the one you choose) with at least the columns "),
                *_code_list(fields.KEY_FIELDS), _(" and, if known, "),
                *_code_list([f for f in FIELDS if f not in fields.KEY_FIELDS]),
                _(" (headers and values in any case). Every row and column is kept, in the file's own format (a "
                  "CSV file's encoding and delimiter; a workbook's sheet, numbers as numbers), with a status and "
                  "the segment added. Up to {limit}.").format(limit=limit)],
               className="small text-muted mt-3"),
        html.Div(dcc.Upload(
            id=SCORE_UPLOAD, max_size=BROWSER_UPLOAD_LIMIT, className="score-upload mb-3",
            children=html.Div([_("Drag and drop a CSV file or an .xlsx workbook here, or "),
                               html.Span(_("choose one"), className="link-primary text-decoration-underline"),
                               _(" (up to {limit})").format(limit=limit)]),
            style={"borderWidth": "2px", "borderStyle": "dashed", "borderRadius": "0.5rem", "borderColor": "#adb5bd",
                   "padding": "1.5rem", "textAlign": "center", "backgroundColor": "#fff", "cursor": "pointer"}),
            **{"data-max-bytes": str(BROWSER_UPLOAD_LIMIT), "data-message": SCORE_UPLOAD_TOO_LARGE}),
        html.Div(id=SCORE_UPLOAD_TOO_LARGE),
        html.Div([dbc.Label(_("The workbook's sheet to score"), html_for=SCORE_SHEET, className="small mb-1"),
                  dbc.Select(id=SCORE_SHEET, options=[], size="sm", placeholder=_("Choose a sheet"))],
                 id=SCORE_SHEET_AREA, className="mb-3", style=HIDDEN),
        html.Div([
            html.Div(_(READING), id=SCORE_PROGRESS_TEXT, className="small text-muted mb-1"),
            dbc.Progress(id=SCORE_PROGRESS_BAR, value=0, max=1, striped=True, animated=True, className="mb-2"),
            dbc.Button(_("Cancel"), id=SCORE_CANCEL, color="secondary", outline=True, size="sm"),
        ], id=SCORE_PROGRESS, className="mb-3", style=HIDDEN),
        html.Div([
            dbc.Button(_("Download the scored file"), id=SCORE_DOWNLOAD_BUTTON, color="primary", size="sm",
                       disabled=True, className="me-2"),
            dcc.Download(id=SCORE_DOWNLOAD),
            html.Div(id=SCORE_DOWNLOAD_MESSAGE),
        ], id=SCORE_DOWNLOAD_AREA, className="mb-3"),
        dcc.Store(id=SCORE_SCORED_FILE),
        html.Div(id=SCORE_UPLOAD_RESULT),
    ])


def _code_list(names) -> list:
    items: list = []
    for i, name in enumerate(names):
        if i:
            items.append(_(" and ") if i == len(names) - 1 else ", ")
        items.append(html.Code(name))
    return items


def layout(tab: str | None = None, **_query):
    store, problem = artifact_status()
    if store is None:
        return missing_artifacts_notice(problem)
    defaults = _form_defaults(store)
    placeholder = dbc.Alert(_("The key fields start with the data's most common values, as an example; the other "
                              "details start as not given. Change what you know and press \u201cScore the "
                              "client\u201d."), color="light", className="small")
    return html.Div([
        dcc.Store(id=SCORE_LAST, storage_type="session"),
        dcc.Store(id=SCORE_JOB_TOKEN, data=secrets.token_urlsafe(16)),
        html.H2(_("Score a client"), className="h3"),
        page_lead(_("Assign a client, or a file of clients, to one of the {count} segments with the decision tree "
                    "of the Decision tree page. The API and the command line give the same answers.").format(
                        count=catalogue.number_word(len(store.segment_numbers))), class_name="text-muted"),
        dbc.Tabs(id=SCORE_TABS, active_tab=TAB_FILE if tab == TAB_FILE else TAB_CLIENT, children=[
            dbc.Tab(label=_("One client"), tab_id=TAB_CLIENT, children=dbc.Row([
                dbc.Col(_form(defaults), lg=4, xl=3, className="mt-3"),
                dbc.Col(dcc.Loading(html.Div(placeholder, id=SCORE_RESULT), type="default"), lg=8, xl=9,
                        className="mt-3"),
            ])),
            dbc.Tab(label=_("A file of clients"), tab_id=TAB_FILE, children=_upload_tab()),
        ]),
    ])


# --- One client --------------------------------------------------------------------------------------------


def _segment_card(view: ResultView) -> dbc.Card:
    store = current_store()
    splits = [split for split in job_splits(store.evaluation["tree_nodes"]) if view.segment in split.segments]
    return dbc.Card([
        dbc.CardHeader([html.Span(_("Segment {number}").format(number=view.segment), id=SCORE_RESULT_SEGMENT,
                                  className="badge me-2", style={"backgroundColor": view.colour}), view.name]),
        dbc.CardBody([
            html.P(view.description, className="small"),
            dbc.Row([
                metric(i18n.number(view.clients),
                       _("training clients in this segment ({share})").format(share=i18n.percent(view.share)), sm=6),
            ], className="mb-2 g-2"),
            html.Div(subscription_table(store_rates(store), [view.segment]), className="mb-3"),
            *[job_split_note(split, view.segment, uci=store.provenance.is_uci) for split in splits],
            *product_suggestions(view.products),
            original_recommendation(catalogue.segments(store)[view.segment]),
        ]),
    ], className="segment-card h-100", style={"borderTopColor": view.colour})


def _table(header: list[str], rows: list[list], **kwargs) -> dbc.Table:
    # Responsive: a table wider than a phone (Russian words run longer) scrolls inside its card, not the page.
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in header])),
                      html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in rows])],
                     size="sm", className="small mb-0", responsive=True, **kwargs)


def _values_card(view: ResultView) -> dbc.Card:
    rows = [[v.label, v.value, v.source] for v in view.values]
    return dbc.Card([dbc.CardHeader(_("How the client was read")),
                     dbc.CardBody(_table([_("Field"), _("Value"), _("Source")], rows))], className="mb-3 h-100")


def _vote_card(view: ResultView) -> dbc.Card | None:
    """Why a missing key field got its value: the votes and the voters (None when nothing was filled)."""
    if not view.filled:
        return None
    queries = client_queries(current_store())
    body = []
    for filled in view.filled:
        header, rows = neighbour_table(queries.rows(filled.neighbours, list(FIELD_LABELS)), filled.neighbours)
        tie = (dbc.Alert(filled.tie_sentence, id=SCORE_RESULT_TIE, color="warning", className="small py-2 mb-2")
               if filled.tied else None)
        uncertain = (dbc.Alert(filled.uncertainty_sentence, id=SCORE_RESULT_UNCERTAIN, color="warning",
                               className="small py-2 mb-2") if filled.uncertain else None)
        body += [
            html.P(filled.sentence, className="small mb-2"),
            uncertain,
            tie,
            html.Div([dbc.Badge(f"{label}: {count}", color="primary" if label == filled.value else "secondary",
                                className="me-1") for label, count in filled.votes], className="mb-2"),
            html.Div(_("The {count} most similar training clients, nearest first").format(
                count=len(filled.neighbours)) if filled.voters <= len(filled.neighbours) else
                _("The {count} nearest of them (equally near ones in file order)").format(count=len(filled.neighbours)),
                className="small text-muted"),
            _table(header, rows, striped=True),
        ]
    return dbc.Card([dbc.CardHeader(_("{field} was filled by a vote of similar clients").format(
                        field=view.filled[0].label)),
                     dbc.CardBody(body)], id=SCORE_RESULT_VOTE, className="mb-3")


def _tree_card(view: ResultView, viewport: dict | None = None) -> dbc.Card:
    # Drawn for the width of the result's column (lg=8, xl=9 in the layout): stacked on a phone.
    store = current_store()
    nodes, width = store.evaluation["tree_nodes"], graph_width(viewport, lg=8, xl=9)
    figure = tree_figure(nodes, catalogue.segment_names(store), highlight_path=list(view.decision_path), width=width)
    return dbc.Card([
        dbc.CardHeader(_("The tree's decision")),
        dbc.CardBody([
            html.P(_("The bold path is the way this client took from the root to the leaf of its segment."),
                       className="text-muted small mb-1"),
            graph(SCORE_TREE, figure, height=tree_height(nodes, width)),
        ], className="p-2"),
    ], className="mb-3")


def _client_result(form: dict, viewport: dict | None = None) -> tuple[object, dict[str, str]]:
    """The result area's content and the messages per field for the form's values."""
    validated = scorer.validate_client(form_input(form))
    if isinstance(validated, list):
        by_field, general = errors_by_field(validated)
        message = [_("This client cannot be scored yet: correct the fields marked in red.")] + general
        return dbc.Alert([html.Div(m) for m in message], color="danger", className="small"), by_field
    result = scorer.score_client(validated, _model())
    store = current_store()
    view = result_view(result, validated, store.profiles, catalogue.segments(store))
    return html.Div([
        dbc.Row([dbc.Col(_segment_card(view), lg=6, className="mb-3"),
                 dbc.Col(_values_card(view), lg=6, className="mb-3")]),
        _vote_card(view),
        _tree_card(view, viewport),
    ]), {}


@callback(
    output={"result": Output(SCORE_RESULT, "children"),
            "invalid": {f: Output(field_id(f), "invalid") for f in FIELDS},
            "feedback": {f: Output(feedback_id(f), "children") for f in FIELDS},
            "last": Output(SCORE_LAST, "data")},
    inputs={"clicks": Input(SCORE_SUBMIT, "n_clicks"), "submits": Input(field_id("age"), "n_submit")},
    state={"form": {f: State(field_id(f), "value") for f in FIELDS}, "viewport": State(VIEWPORT_STORE, "data"),
           "last": State(SCORE_LAST, "data")},
)
def score_one_client(clicks, submits, form, viewport=None, last=None):
    """The result for the form's values, and each field's flag and message; the tree is drawn for the window's
    width (``viewport``; a wide tree when unknown).

    Called once when the page opens too: the last client scored in this tab (``last``, the session's store)
    is shown again, in the page's language, so a reload or a language switch keeps the result.
    """
    viewport = inputs.viewport(viewport)
    if clicks is None and submits is None:  # the page opened: nothing pressed yet
        if not last:
            raise PreventUpdate  # nothing kept: the page's placeholder stays
        form = inputs.form_values("last", last, FIELDS)
    try:
        content, errors = _client_result(form, viewport)
    except ArtifactError as error:
        content, errors = missing_artifacts_notice(str(error)), {}
    except Exception:
        logger.exception("scoring a client from the form failed: %r", form)
        content, errors = dbc.Alert(_(UNEXPECTED), color="danger"), {}
    return {"result": content, "invalid": {f: f in errors for f in FIELDS},
            "feedback": {f: errors.get(f, "") for f in FIELDS}, "last": form}


# --- A file of clients -------------------------------------------------------------------------------------


def _segment_badge(number: int, colour: str) -> html.Span:
    return html.Span(str(number), className="badge", style={"backgroundColor": colour})


def _upload_summary(view: UploadView) -> html.Div:
    # English says "rows" whatever the count, as it always has; ngettext gives Russian its three forms.
    refused = (ngettext("{count} rows could not be scored; they are in the scored file too, with the reason in "
                        "the status column and an empty segment.",
                        "{count} rows could not be scored; they are in the scored file too, with the reason in "
                        "the status column and an empty segment.", view.refused).format(
                   count=i18n.number(view.refused)) if view.refused else _("Every row was scored."))
    counts = dbc.Table([
        html.Thead(html.Tr([html.Th(""), html.Th(_("Segment")), html.Th(_("Clients"), className="text-end"),
                            html.Th(_("Share"), className="text-end")])),
        html.Tbody([html.Tr([html.Td(_segment_badge(number, colour)), html.Td(name),
                             html.Td(i18n.number(clients), className="text-end"),
                             html.Td(i18n.percent(clients / view.scored) if view.scored else "-",
                                     className="text-end")])
                    for number, name, colour, clients in view.segments]),
    ], size="sm", className="small mb-0")
    read_as = [html.Div(_("Read as {dialect}; the scored file is written the same way.").format(
        dialect=view.read_as))]
    if view.normalised:
        read_as += [html.Div(_("Read leniently (case, spaces):"), className="mt-1"),
                    html.Ul([html.Li(line) for line in view.normalised], className="ps-3 mb-0")]
    summary = dbc.Card([
        dbc.CardHeader(ngettext("{name}: {scored} of {rows} rows scored", "{name}: {scored} of {rows} rows scored",
                                view.rows).format(name=view.name, scored=i18n.number(view.scored),
                                                  rows=i18n.number(view.rows))),
        dbc.CardBody([html.P(refused + " " + ngettext(
            "The scored file holds the file's {count} columns plus {added} (which key field the vote filled, and "
            "how the neighbours voted).",
            "The scored file holds the file's {count} columns plus {added} (which key field the vote filled, and "
            "how the neighbours voted).", view.columns).format(count=i18n.number(view.columns),
                                                                added=", ".join(view.added_columns)),
            className="small"),
                      html.Div(read_as, id=SCORE_UPLOAD_READ_AS, className="small text-muted mb-2"), counts]),
    ], id=SCORE_UPLOAD_SUMMARY, className="mb-3 h-100")
    refused_card = None
    if view.refused:
        more = html.P(view.refusals_note, className="small text-muted mb-0 mt-2")
        refused_card = dbc.Card([
            dbc.CardHeader(_("Rows that could not be scored ({count})").format(count=i18n.number(view.refused))),
            dbc.CardBody([html.Div(_table(refusals_header(), [list(r) for r in view.refusals]),
                                   style={"maxHeight": "22rem", "overflowY": "auto"}), more], className="p-2"),
        ], id=SCORE_UPLOAD_REFUSED, className="mb-3 h-100")
    parts = [dbc.Row([dbc.Col(summary, lg=5, className="mb-3"), dbc.Col(refused_card, lg=7, className="mb-3")])]
    if view.preview:
        segment = view.preview_columns.index(_(SEGMENT_LABEL))
        colours = {number: colour for number, _name, colour, _clients in view.segments}
        rows = [[_segment_badge(int(cell), colours[int(cell)]) if i == segment and cell else cell
                 for i, cell in enumerate(row)] for row in view.preview]
        parts.append(dbc.Card([
            dbc.CardHeader(ngettext("Preview: the first {count} rows (the download holds every row and column)",
                                    "Preview: the first {count} rows (the download holds every row and column)",
                                    len(view.preview)).format(count=len(view.preview))),
            # The table scrolls inside its card on a phone; status and segment come first, so they show.
            dbc.CardBody(html.Div(_table(list(view.preview_columns), rows, striped=True),
                                  className="table-responsive"), className="p-2"),
        ], id=SCORE_UPLOAD_PREVIEW, className="mb-3"))
    return html.Div(parts)


def _score_upload(contents: str, filename: str | None, sheet: str | None, set_progress):
    """Read and score an upload (a workbook's ``sheet``, default its first) in chunks, telling the progress bar;
    also return the file and its name."""
    def waiting(places: int) -> None:
        set_progress([0, 1, ngettext("Waiting for a free place: {count} file is being scored",
                                     "Waiting for a free place: {count} files are being scored",
                                     places).format(count=i18n.number(places))])

    def progress(done: int, total: int) -> None:
        set_progress([done, total, ngettext("{done} of {total} rows scored", "{done} of {total} rows scored",
                                            total).format(done=i18n.number(done), total=i18n.number(total))])

    # Reading and scoring hold one of the machine's places (score_jobs.job_slot): at most that many files in
    # memory at once, whoever uploads them.
    with score_jobs.job_slot(waiting):
        set_progress([0, 1, _(READING)])
        file, name = read_upload(contents, filename, sheet)
        result = score_jobs.score_table_in_chunks(file.table, _model(), score_jobs.chunk_rows(), progress)
    return file, name, result


#: While a job runs: its progress and Cancel button shown, the previous file's result and download hidden.
_RUNNING = [(Output(SCORE_PROGRESS, "style"), SHOWN, HIDDEN),
            (Output(SCORE_UPLOAD_RESULT, "style"), HIDDEN, SHOWN),
            (Output(SCORE_DOWNLOAD_AREA, "style"), HIDDEN, SHOWN)]
_PROGRESS = [Output(SCORE_PROGRESS_BAR, "value"), Output(SCORE_PROGRESS_BAR, "max"),
             Output(SCORE_PROGRESS_TEXT, "children")]
_PROGRESS_START = [0, 1, READING]  # progress_default: shown as set, before a job reports


def _scored_upload(set_progress, contents, filename, sheet: str | None) -> dict:
    """The outputs of scoring an upload (a workbook's ``sheet``, default its first): the summary, the download's
    token, and the sheet chooser (shown when the workbook has several sheets, on the sheet read)."""
    # After a failure the chooser stays as it was when a sheet was picked, so that another can be; a new
    # workbook whose first sheet fails offers its others (none chosen).
    no_sheets = ({"sheets": dash.no_update, "sheet": dash.no_update, "sheet_area": dash.no_update}
                 if sheet is not None else {"sheets": [], "sheet": None, "sheet_area": HIDDEN})
    refused = {"disabled": True, "message": None, "scored": None, **no_sheets}
    try:
        file, name, result = _score_upload(contents, filename, sheet, set_progress)
        view = upload_view(name, file, result, catalogue.segments(current_store()))
        set_progress([view.rows, view.rows, _("Writing the scored file\u2026")])
        token = score_jobs.keep_scored_file(scored_file_bytes(file, result))
    except ClientFileError as error:
        others = upload_sheets(contents) if sheet is None else []
        if len(others) > 1:
            refused.update(sheets=[{"label": name, "value": name} for name in others], sheet_area=SHOWN)
        return {"result": dbc.Alert(str(error), color="warning", className="upload-problem"), **refused}
    except ArtifactError as error:
        return {"result": missing_artifacts_notice(str(error)), **refused}
    except Exception:
        logger.exception("scoring the uploaded file %r failed", filename)
        return {"result": dbc.Alert(_(UNEXPECTED), color="danger", className="upload-problem"), **refused}
    sheets, read = sheet_choice(file)
    return {"result": _upload_summary(view), "disabled": False, "message": None,
            "scored": {"token": token, "filename": scored_filename(filename, file), "sheet": read},
            "sheets": [{"label": name, "value": name} for name in sheets], "sheet": read,
            "sheet_area": SHOWN if sheets else HIDDEN}


def _upload_outputs(duplicate: bool = False) -> dict:
    return {"result": Output(SCORE_UPLOAD_RESULT, "children", allow_duplicate=duplicate),
            "disabled": Output(SCORE_DOWNLOAD_BUTTON, "disabled", allow_duplicate=duplicate),
            "message": Output(SCORE_DOWNLOAD_MESSAGE, "children", allow_duplicate=duplicate),
            "scored": Output(SCORE_SCORED_FILE, "data", allow_duplicate=duplicate),
            "sheets": Output(SCORE_SHEET, "options", allow_duplicate=duplicate),
            "sheet": Output(SCORE_SHEET, "value", allow_duplicate=duplicate),
            "sheet_area": Output(SCORE_SHEET_AREA, "style", allow_duplicate=duplicate)}


#: How both scoring callbacks run: in the background, with the progress bar, the Cancel button and the result
#: hidden while they run.
_BACKGROUND = {"background": True, "progress": _PROGRESS, "progress_default": _PROGRESS_START, "running": _RUNNING,
               "cancel": [Input(SCORE_CANCEL, "n_clicks")], "interval": PROGRESS_INTERVAL,
               "prevent_initial_call": True}


#: Each page view's own token, a state of every background callback: Dash keys a job by its inputs, so two people
#: uploading the same file under the same name shared one job, and the second got no result.
_JOB_TOKEN = {"job_token": State(SCORE_JOB_TOKEN, "data")}


@callback(output=_upload_outputs(), inputs={"contents": Input(SCORE_UPLOAD, "contents")},
          state={"filename": State(SCORE_UPLOAD, "filename"), **_JOB_TOKEN}, **_BACKGROUND)
def score_file(set_progress, contents, filename, job_token=None):
    """A new file, read from its first sheet if it is a workbook."""
    return _scored_upload(set_progress, contents, filename, None)


@callback(output=_upload_outputs(duplicate=True), inputs={"sheet": Input(SCORE_SHEET, "value")},
          state={"contents": State(SCORE_UPLOAD, "contents"), "filename": State(SCORE_UPLOAD, "filename"),
                 "scored": State(SCORE_SCORED_FILE, "data"), **_JOB_TOKEN},
          **_BACKGROUND)
def score_sheet(set_progress, sheet, contents, filename, scored=None, job_token=None):
    """Another sheet of the same workbook, picked in the chooser (which score_file fills and shows)."""
    # score_file setting the chooser to the sheet it read triggers this too: that sheet is scored already.
    already = scored.get("sheet") if isinstance(scored, dict) else None
    if contents is None or not sheet or not isinstance(sheet, str) or sheet == already:
        raise PreventUpdate
    return _scored_upload(set_progress, contents, filename, sheet)


@callback(
    output={"result": Output(SCORE_UPLOAD_RESULT, "children", allow_duplicate=True),
            "disabled": Output(SCORE_DOWNLOAD_BUTTON, "disabled", allow_duplicate=True),
            "scored": Output(SCORE_SCORED_FILE, "data", allow_duplicate=True),
            "message": Output(SCORE_DOWNLOAD_MESSAGE, "children", allow_duplicate=True)},
    inputs={"_clicks": Input(SCORE_CANCEL, "n_clicks")}, state={"result_style": State(SCORE_UPLOAD_RESULT, "style")},
    prevent_initial_call=True,
)
def cancelled(_clicks, result_style):
    # Dash stops the job (the Cancel button is both background callbacks' cancel input); this says so. The
    # result is hidden while a file is scored (_RUNNING), shown while a download scores it again.
    if result_style == HIDDEN:
        stopped = dbc.Alert(_("Scoring stopped. Choose the file again to score it."), color="secondary",
                            className="small upload-cancelled")
        return {"result": stopped, "disabled": True, "scored": None, "message": None}
    return {"result": dash.no_update, "disabled": dash.no_update, "scored": dash.no_update,
            "message": dbc.Alert(_("Download stopped."), color="secondary", className="small mt-2")}


@callback(
    output={"download": Output(SCORE_DOWNLOAD, "data"),
            "message": Output(SCORE_DOWNLOAD_MESSAGE, "children", allow_duplicate=True)},
    inputs={"_clicks": Input(SCORE_DOWNLOAD_BUTTON, "n_clicks")},
    state={"scored": State(SCORE_SCORED_FILE, "data"), "contents": State(SCORE_UPLOAD, "contents"),
           "filename": State(SCORE_UPLOAD, "filename"), **_JOB_TOKEN},
    background=True, progress=_PROGRESS, progress_default=_PROGRESS_START,
    running=[_RUNNING[0], (Output(SCORE_DOWNLOAD_BUTTON, "disabled"), True, False)],
    cancel=[Input(SCORE_CANCEL, "n_clicks")], interval=PROGRESS_INTERVAL, prevent_initial_call=True,
)
def download_file(set_progress, _clicks, scored, contents, filename, job_token=None):
    # The file scored for the summary is kept for a while; once it is gone, the upload is scored again.
    content = score_jobs.scored_file((scored or {}).get("token"))
    if content is not None:
        return {"download": dcc.send_bytes(content, scored["filename"]), "message": None}
    if contents is None:
        raise PreventUpdate
    sheet = (scored or {}).get("sheet")
    try:
        file, _name, result = _score_upload(contents, filename, sheet if isinstance(sheet, str) else None,
                                            set_progress)
        return {"download": dcc.send_bytes(scored_file_bytes(file, result), scored_filename(filename, file)),
                "message": None}
    except Exception:
        logger.exception("preparing the download of %r failed", filename)
        return {"download": dash.no_update, "message": dbc.Alert(_(UNEXPECTED), color="danger", className="small mt-2")}
