"""Campaign response: do the segments tell a likely subscriber from an unlikely one, and what does instead.

The plain answer first (per period, with the test and effect size behind it), then the rates by segment with
their 95% intervals and segment x driver, for a population and a driver picked above them. Every number is read
from ``response.json``.
"""

from __future__ import annotations

from functools import lru_cache

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, ctx, dcc, html, no_update

from dashapp.artifacts.current import artifact_status, current_store
from dashapp.artifacts.model_folder import ArtifactStore
from dashapp.core import i18n
from dashapp.core.i18n import N_, _, ngettext, pgettext
from dashapp.figures.response import calendar_figure, segment_driver_figure, segment_month_figure, segment_rate_figure
from dashapp.views import facts, inputs, response as view, url_state
from dashapp.views.methods import OUTCOME_IN_GRID
from dashapp.web.components import chart_downloads, graph_card, methods_link, missing_artifacts_notice, page_title
from dashapp.web.reading import closed_section, more, page_lead, with_terms

dash.register_page(__name__, path="/response", name=N_("Response"), order=1, nav_group="decide",
                   title=page_title(N_("Campaign response")))

RESPONSE_URL = "response-url"
RESPONSE_ANSWER = "response-answer"
#: The levers card's id: the Overview links to it (``/response#response-levers``).
RESPONSE_LEVERS = "response-levers"
RESPONSE_MONTHS = "response-months"
RESPONSE_CALENDAR = "response-calendar"
RESPONSE_POPULATION = "response-population"
RESPONSE_DRIVER = "response-driver"
RESPONSE_RATES = "response-rates"
RESPONSE_RATES_TABLE = "response-rates-table"
RESPONSE_COMPARISON = "response-comparison"
RESPONSE_DRIVER_GRAPH = "response-driver-graph"
RESPONSE_DRIVER_SENTENCE = "response-driver-sentence"
chart_downloads("response", {RESPONSE_RATES: N_("Rate by segment"),
                             RESPONSE_DRIVER_GRAPH: N_("Rate by segment and group"),
                             RESPONSE_MONTHS: N_("Rate by segment and month"),
                             RESPONSE_CALENDAR: N_("The calendar month by month")})

DEFAULT_POPULATION, DEFAULT_DRIVER = "test", "month"
DEFAULT_STATE = (DEFAULT_POPULATION, DEFAULT_DRIVER)


def _table(table: dict) -> dbc.Table:
    """A view's ``columns`` and ``rows`` as a small table (numbers right-aligned)."""
    head = html.Thead(html.Tr([html.Th(with_terms(column), className="text-end" if i else "")
                               for i, column in enumerate(table["columns"])]))
    body = html.Tbody([html.Tr([html.Td(cell, className="text-end" if i else "") for i, cell in enumerate(row)])
                       for row in table["rows"]])
    return dbc.Table([head, body], size="sm", className="small mb-2", responsive=True)


def _answer(response: dict) -> dbc.Card:
    answer = view.answer(response)
    return dbc.Card([
        dbc.CardHeader(_(view.QUESTION), className="fw-semibold"),
        dbc.CardBody([
            html.P(answer["headline"], className="lead mb-2"),
            more([html.Ul([html.Li(sentence) for sentence in answer["sentences"]], className="mb-2"),
                  html.P(_("How to read it: the subscription rate moved with the calendar far more than with anything "
                     "about the client, and the segments were not called evenly over the months. So the segments "
                     "are compared within the calendar month (year and month): a likelihood-ratio test of month "
                     "and segment against month alone, and each segment's Mantel-Haenszel odds ratio against the "
                     "other segments called in the same months. A difference is called one at p < {significance}. "
                     "Rates come with 95% Wilson intervals; lift is a segment's rate over its population's.").format(
                         significance=i18n.number(view.SIGNIFICANCE, 2)),
                         className="text-muted mb-0")], summary=_("Period by period, and how to read it")),
        ]),
    ], className="mb-3", id=RESPONSE_ANSWER)


def _levers(response: dict) -> dbc.Card:
    """What the data supports, said first: the levers with their month-adjusted rate ratios, and what no group
    of this file can show."""
    levers, calendar = view.lever_sentences(response), view.calendar_sentence(response)
    body = [html.P(_("In the test period, against the clients called in the same month:"), className="mb-1")
            if levers else html.P(_("Without the calls' months the levers cannot be held to the calendar."),
                                  className="mb-1"),
            html.Ul([html.Li(sentence) for sentence in levers], className="mb-2") if levers else None,
            html.P(_(view.NOT_UPLIFT), className="small mb-1"),
            html.P(_(view.SEGMENTS_DESCRIBE), className="small mb-0")]
    if calendar:  # said again, with its chart, in "Why the periods differ"
        body.append(more(html.P(calendar, className="mb-0"), summary=_("Why the test period's rate is no forecast"),
                         class_name="mt-1"))
    return dbc.Card([dbc.CardHeader(_("What the data supports"), className="fw-semibold"),
                     dbc.CardBody([part for part in body if part is not None])],
                    className="mb-3", id=RESPONSE_LEVERS)


@lru_cache(maxsize=2)
def _response(store: ArtifactStore) -> dict:
    """``response.json`` as this build's data allows it to be shown (:func:`dashapp.views.response.as_built`)."""
    return view.as_built(store.response, store.provenance)


@i18n.cached_per_language(maxsize=16)
def _population_views(store: ArtifactStore, population: str) -> dict:
    """What depends on the population: the rate chart, its table and sentence, what splits response there."""
    response = _response(store)
    table = view.segment_table(response, population)
    return {"rates": segment_rate_figure(view.segment_rates(response, population)),
            "rates_table": html.Div([html.P(table["sentence"], className="small"), _table(table)]),
            "comparison": _table(view.comparison_table(response, population))}


@i18n.cached_per_language(maxsize=32)
def _driver_views(store: ArtifactStore, population: str, driver: str) -> dict:
    response = _response(store)
    return {"driver_graph": segment_driver_figure(view.driver_cells(response, population, driver)),
            "driver_sentence": view.driver_sentence_within(response, population, driver)}


@i18n.cached_per_language(maxsize=4)
def _calendar_figures(store: ArtifactStore) -> dict:
    response = _response(store)
    return {"months": segment_month_figure(view.segment_months(response)),
            "calendar": calendar_figure(view.calendar_story(response))}


def _calendar_section(store: ArtifactStore, response: dict) -> list:
    """The segments' rates month by month, and the calendar's story; nothing without the calls' months."""
    if not response.get("calendar"):
        return []
    figures = _calendar_figures(store)
    return [
        closed_section(_("The segments month by month"), [
            html.P(_("Each segment's subscription rate in each calendar month, with 95% intervals (hollow: few "
                     "clients); grey: every client. Within a month the segments' rates overlap; what moves is the "
                     "month."), className="text-muted small"),
            graph_card(_("Subscription rate by segment and calendar month"), RESPONSE_MONTHS,
                       figure=figures["months"], height=420)]),
        closed_section(_("Why the periods differ"), [
            html.P(view.calendar_sentence(response), className="small"),
            graph_card(_("Calls and subscription rate (above); three-month Euribor and clients called before "
                         "(below)"), RESPONSE_CALENDAR, figure=figures["calendar"], height=460)]),
    ]


def _driver_populations(response: dict) -> list[dict]:
    return [option for option in view.populations(response) if option["value"] in response["segment_by_driver"]]


def _in_which(store: ArtifactStore) -> str:
    return _("in which period") if store.provenance.split_is_time_ordered else _("among which clients")


def layout(**query):
    store, problem = artifact_status()
    if store is None:
        return missing_artifacts_notice(problem)
    response = _response(store)
    # The address keeps the population and driver picked (``?clients=train&driver=job``): a reload, a shared link
    # and the language switch open the same view.
    population, driver = view.state_from_query(response, query, DEFAULT_STATE)
    population_views = _population_views(store, population)
    driver_views = _driver_views(store, _driver_population(response, population), driver)
    return html.Div([
        dcc.Location(id=RESPONSE_URL, refresh=False),
        html.H2(pgettext("page heading", "Campaign response"), className="h3"),
        page_lead(_("The segments exist to target a term-deposit campaign. Before spending a budget on them: how "
                    "far apart are their subscription rates, {in_which}, and what splits response more?")
                  .format(in_which=_in_which(store)), class_name="text-muted mb-1"),
        more(html.P([facts.outcome_use(), " (",
                     methods_link("response", OUTCOME_IN_GRID, _("the outcome y in the grid")), ")"]),
             summary=_("Where the outcome is used"), class_name="mb-3"),
        _levers(response),
        _answer(response),
        dbc.Row([
            dbc.Col([html.Label(_("Clients"), htmlFor=RESPONSE_POPULATION, className="small text-muted"),
                     dbc.Select(id=RESPONSE_POPULATION, options=view.populations(response),
                                value=population)], md=6, className="mb-2"),
        ]),
        dbc.Row([
            dbc.Col(graph_card(_("Subscription rate by segment, with 95% intervals; dashed: every client of "
                                 "the population"), RESPONSE_RATES, figure=population_views["rates"], height=340),
                    lg=6, className="mb-3"),
            dbc.Col(dbc.Card([dbc.CardHeader(_("Rates, lift and what splits response")),
                              dbc.CardBody([html.Div(population_views["rates_table"], id=RESPONSE_RATES_TABLE),
                                            html.Div(population_views["comparison"], id=RESPONSE_COMPARISON)])],
                             className="h-100"), lg=6, className="mb-3"),
        ]),
        *_calendar_section(store, response),
        closed_section(_("Where a segment matters, and where the call does"), [
            html.P(ngettext("Each segment's rate within each group of calls (hollow: fewer than {few} client, read "
                            "the interval first); the grey bar is the group's rate over every segment. By month, "
                            "channel, previous outcome or number of calls.",
                            "Each segment's rate within each group of calls (hollow: fewer than {few} clients, read "
                            "the interval first); the grey bar is the group's rate over every segment. By month, "
                            "channel, previous outcome or number of calls.",
                            response["few_clients"]).format(few=i18n.number(response["few_clients"])),
                   className="text-muted small"),
            dbc.Row([
                dbc.Col(dbc.Select(id=RESPONSE_DRIVER, options=view.driver_options(response), value=driver),
                        md=6, className="mb-2"),
            ]),
            html.P(driver_views["driver_sentence"], id=RESPONSE_DRIVER_SENTENCE, className="small"),
            graph_card(_("Subscription rate by segment within each group"), RESPONSE_DRIVER_GRAPH,
                       figure=driver_views["driver_graph"], height=420),
        ]),
    ])


def _driver_population(response: dict, population: str) -> str:
    """The segment x driver tables exist for all clients and the two periods; a contact year's chart is all
    clients' (and its sentence says so)."""
    return population if population in response["segment_by_driver"] else "all"


@callback(
    output={"rates": Output(RESPONSE_RATES, "figure"), "rates_table": Output(RESPONSE_RATES_TABLE, "children"),
            "comparison": Output(RESPONSE_COMPARISON, "children"),
            "driver_graph": Output(RESPONSE_DRIVER_GRAPH, "figure"),
            "driver_sentence": Output(RESPONSE_DRIVER_SENTENCE, "children"),
            "population": Output(RESPONSE_POPULATION, "value"), "driver": Output(RESPONSE_DRIVER, "value"),
            "search": Output(RESPONSE_URL, "search")},
    inputs={"population": Input(RESPONSE_POPULATION, "value"), "driver": Input(RESPONSE_DRIVER, "value"),
            "search": Input(RESPONSE_URL, "search")},
    prevent_initial_call=True,
)
def show_response(population, driver, search):
    """Show the picked population's rates and what splits response there, and its segment x driver chart; keep
    the pickers and the address in step (one callback: the pickers write the address, back and forward set the
    pickers)."""
    store = current_store()
    response = _response(store)
    trigger, search = ctx.triggered_id, inputs.search(search)
    if trigger == RESPONSE_URL:
        population, driver = view.state_from_query(response, url_state.query_parameters(search), DEFAULT_STATE)
    else:
        population = inputs.one_of(RESPONSE_POPULATION, population, list(response["populations"]))
        driver = inputs.one_of(RESPONSE_DRIVER, driver,
                               [option["value"] for option in view.driver_options(response)])
    query = view.state_query(population, driver, DEFAULT_STATE)
    return {**_population_views(store, population),
            **_driver_views(store, _driver_population(response, population), driver),
            "population": no_update if trigger == RESPONSE_POPULATION else population,
            "driver": no_update if trigger == RESPONSE_DRIVER else driver,
            "search": url_state.search_update(query, search, from_address=trigger == RESPONSE_URL,
                                              unchanged=no_update)}
