"""The data page: exploratory charts of the campaign's clients, in the original BI dashboard's sections.

A filter bar (kept in the URL, so a link reproduces the view) selects clients; each section's callback asks
:mod:`dashapp.views.data` for small aggregates and draws them with the builders of :mod:`dashapp.figures.data`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, ctx, dcc, html, no_update

from dashapp.artifacts.current import artifact_status, current_store
from dashapp.core import catalogue, domain, i18n
from dashapp.core.i18n import N_, _, ngettext
from dashapp.figures import data as figures, empty_figure
from dashapp.views import data as view, facts, inputs, privacy, provenance as about_data, rates, url_state
from dashapp.views.data_queries import ClientEngine, QuerySelection, client_engine
from dashapp.web.components import chart_downloads, dropdown_labels, graph_card, missing_artifacts_notice, page_title
from dashapp.web.reading import closed_section, more, opener_id, page_lead, wait_until_opened

dash.register_page(__name__, path="/data", name=N_("Data"), order=4, nav_group="study",
                   title=page_title(N_("Data")))

DATA_URL = "data-url"
DATA_AGE = "data-age"
DATA_JOB = "data-job"
DATA_MARITAL = "data-marital"
DATA_EDUCATION = "data-education"
DATA_SEGMENT = "data-segment"
DATA_PERIOD = "data-period"
DATA_NO_PERIOD = "data-no-period"
DATA_RESET = "data-reset"
DATA_HEADLINE = "data-headline"

DATA_AGE_CHART = "data-age-chart"
DATA_SHARE_CHART = "data-share-chart"
DATA_MARITAL_CHART = "data-marital-chart"
DATA_JOB_CHART = "data-job-chart"
DATA_EDUCATION_CHART = "data-education-chart"
DATA_CREDIT_CHART = "data-credit-chart"
DATA_SEGMENT_CHART = "data-segment-chart"
DATA_CALLS_CHART = "data-calls-chart"
DATA_CONTACT_CHART = "data-contact-chart"
DATA_WEEKDAY_CHART = "data-weekday-chart"
DATA_DURATION_CHART = "data-duration-chart"
DATA_POUTCOME_CHART = "data-poutcome-chart"
DATA_PDAYS_CHART = "data-pdays-chart"
DATA_PREVIOUS_CHART = "data-previous-chart"
DATA_MONTHLY_CHART = "data-monthly-chart"
DATA_INDICATORS_CHART = "data-indicators-chart"
DATA_UNKNOWN_CHART = "data-unknown-chart"
chart_downloads("data", {
    DATA_AGE_CHART: N_("Age"), DATA_SHARE_CHART: N_("Outcome"), DATA_MARITAL_CHART: N_("Marital status"),
    DATA_JOB_CHART: N_("Job"), DATA_EDUCATION_CHART: N_("Education"), DATA_CREDIT_CHART: N_("Credit"),
    DATA_SEGMENT_CHART: N_("Segment"), DATA_CALLS_CHART: N_("Calls per client"),
    DATA_CONTACT_CHART: N_("Contact type"), DATA_WEEKDAY_CHART: N_("Weekday"),
    DATA_DURATION_CHART: N_("Call duration"), DATA_POUTCOME_CHART: N_("Previous outcome"),
    DATA_PDAYS_CHART: N_("Days since previous contact"), DATA_PREVIOUS_CHART: N_("Previous contacts"),
    DATA_MONTHLY_CHART: N_("Subscriptions by month"), DATA_INDICATORS_CHART: N_("Socio-economic indicators"),
    DATA_UNKNOWN_CHART: N_("Unknown values")})

#: The filter widgets, by the name :meth:`dashapp.views.data.FilterSpace.filter_from_controls` gives their value.
FILTER_IDS = {"age": DATA_AGE, "job": DATA_JOB, "marital": DATA_MARITAL, "education": DATA_EDUCATION,
              "segment": DATA_SEGMENT, "period": DATA_PERIOD}
FILTER_INPUTS = {name: Input(component, "value") for name, component in FILTER_IDS.items()}
#: Charts whose bars set a filter when clicked, and the filter they set.
CLICK_FILTERS = {DATA_JOB_CHART: "job", DATA_MARITAL_CHART: "marital", DATA_EDUCATION_CHART: "education",
                 DATA_SEGMENT_CHART: "segment"}

NO_MATCH = N_("No client matches the filter")
#: The sections drawn on demand (:func:`_section_on_demand`), by their anchors.
CAMPAIGN, PREVIOUS, ECONOMY, UNKNOWN = "data-campaign", "data-previous", "data-economy", "data-unknown"
CALLS_CAP = 10
HEIGHT = 290


# --- Layout ----------------------------------------------------------------------------------------------------


def _dropdown(component: str, column: str, value: list, placeholder: str) -> dcc.Dropdown:
    options = [{"label": catalogue.category_label(column, code), "value": code} for code in domain.CATEGORIES[column]]
    return dcc.Dropdown(id=component, options=options, value=value, multi=True, placeholder=placeholder,
                        labels=dropdown_labels(), className="mb-2")


def _month_label(month: str) -> str:
    """``'2010-11'`` -> ``'Nov 2010'`` (``'нояб. 2010'``)."""
    return i18n.month_year(date.fromisoformat(f"{month}-01"), abbreviated=True)


def _month_name(month: str) -> str:
    """``'2010-11'`` -> ``'November 2010'``."""
    return i18n.month_year(date.fromisoformat(f"{month}-01"))


def _months_between(first: str, last: str, name=_month_label) -> str:
    """``'May 2008 to Nov 2010'``: a range of ``"YYYY-MM"`` months."""
    return _("{first} to {last}").format(first=name(first), last=name(last))


# The sentences of :func:`dashapp.views.provenance.no_dates_sentence`, written out whole so that each translates
# as one sentence.
#: Said where the period filter would be when the source has no contact dates.
NO_PERIOD_FILTER = N_("The source has no contact dates, so no contact period can be filtered cannot be shown.")
#: Said in place of the month-by-month charts when the source has no contact dates.
NO_MONTHLY_CHARTS = N_("The source has no contact dates, so the contacts, subscriptions and socio-economic "
                       "indicators month by month cannot be shown.")


def _period_filter(table: ClientEngine, values: dict) -> list:
    """The contact period slider; without contact dates a sentence, the slider (an input of the callbacks)
    kept hidden at its one position."""
    months = table.months
    if not months:
        return [html.P(_(NO_PERIOD_FILTER), className="small text-muted mb-3", id=DATA_NO_PERIOD),
                html.Div(dcc.RangeSlider(id=DATA_PERIOD, min=0, max=0, step=1, value=values["period"]),
                         hidden=True)]
    # A mark every January and at both ends: enough to aim at a month without crowding a narrow column.
    month_marks = {position: _month_label(month) if month.endswith("-01") or position in (0, len(months) - 1)
                   else "" for position, month in enumerate(months)}
    return [dbc.Label(_("Contact period"), html_for=DATA_PERIOD, className="small mb-0"),
            dcc.RangeSlider(id=DATA_PERIOD, min=0, max=len(months) - 1, step=1, value=values["period"],
                            marks=month_marks, allow_direct_input=False, className="mb-3 px-3")]


def _filter_bar(table: ClientEngine, values: dict, segments: dict[int, catalogue.Segment]) -> dbc.Card:
    first_age, last_age = table.age_bounds
    segments = [{"label": _("{number}: {name}").format(number=number, name=segment.name), "value": number}
                for number, segment in segments.items()]
    return dbc.Card(dbc.CardBody([
        html.H6(_("Filter the clients"), className="mb-2"),
        html.Div(id=DATA_HEADLINE, className="small mb-3"),
        dbc.Label(_("Age"), html_for=DATA_AGE, className="small mb-0"),
        dcc.RangeSlider(id=DATA_AGE, min=first_age, max=last_age, step=1, value=values["age"],
                        marks={age: str(age) for age in range(20, last_age + 1, 20)},
                        tooltip={"placement": "bottom"}, className="mb-2"),
        _dropdown(DATA_JOB, "job", values["job"], _("Every job")),
        _dropdown(DATA_MARITAL, "marital", values["marital"], _("Every marital status")),
        _dropdown(DATA_EDUCATION, "education", values["education"], _("Every education")),
        dcc.Dropdown(id=DATA_SEGMENT, options=segments, value=values["segment"], multi=True,
                     placeholder=_("Every segment"), labels=dropdown_labels(), className="mb-2"),
        *_period_filter(table, values),
        dbc.Button(_("Reset filters"), id=DATA_RESET, color="secondary", outline=True, size="sm"),
        html.P(_("Tip: click a bar of the job, marital status, education or segment chart to filter by it; "
                 "click it again to clear."), className="text-muted small mt-3 mb-0"),
    ]), className="position-sticky shadow-sm", style={"top": "1rem"})


def _graph(title: str, component: str, height: int = HEIGHT, **kwargs) -> dbc.Card:
    return graph_card(title, component, height=height, **kwargs)


def _section(title: str, anchor: str, intro: str, rows: list) -> html.Section:
    return html.Section([html.H4(title, className="mt-2"), html.P(intro, className="text-muted small"), *rows],
                        id=anchor, className="mb-4")


def _section_on_demand(title: str, anchor: str, intro: str, rows: list) -> html.Section:
    """A section closed until its heading is clicked: its charts are drawn only once it has been opened
    (:func:`dashapp.web.reading.wait_until_opened`), so a filter change waits for the charts in view alone."""
    return html.Section(closed_section(title, [html.P(intro, className="text-muted small"), *rows],
                                       opener_id=opener_id(anchor), heading="h4"), id=anchor)


def _row(*cards: tuple[int, dbc.Card]) -> dbc.Row:
    return dbc.Row([dbc.Col(card, lg=width) for width, card in cards], className="g-3 mb-3")


def _treatments_card() -> dbc.Card:
    return dbc.Card([dbc.CardHeader(_("How the analysis treats 'unknown'")), dbc.CardBody([
        html.Ul([html.Li(_(label)) for label in domain.TREATMENTS.values()], className="small"),
        html.P(_("The segmentation uses KNN imputation; the imputed job, housing and loan of every client are "
                 "kept beside the raw values."), className="small text-muted mb-0"),
    ])], className="mb-3 h-100")


def _economy_section(table: ClientEngine) -> html.Section:
    charts = _row((6, _graph(_("Subscriptions by month"), DATA_MONTHLY_CHART, height=420)),
                  (6, _graph(_("Socio-economic indicators"), DATA_INDICATORS_CHART, height=420)))
    if table.months:
        return _section_on_demand(_("The economy, month by month"), ECONOMY, _(
            "Contacts, subscriptions and the quarterly and monthly socio-economic indicators from {months}.").format(
                months=_months_between(table.months[0], table.months[-1], name=_month_name)), [charts])
    # The charts stay in the page, hidden: they are outputs of the section's callback.
    return _section_on_demand(_("The economy, month by month"), ECONOMY, _(NO_MONTHLY_CHARTS),
                    [html.Div(charts, hidden=True)])


#: Said under the Data page's introduction when the calls have months (issue 23): its group rates are pooled, and
#: its hovers hold each value to the month.
POOLED_RATES = N_("The rates here are pooled over the months, whose rates differ far more than any group of "
                  "clients. A rate's hover gives its odds against the chart's other clients called in the same "
                  "months (above 1: likelier to subscribe), the comparison that holds; the Response page holds the "
                  "segments and the levers to the month too.")


def _rates_note(table: ClientEngine) -> list:
    """:data:`POOLED_RATES` behind "More" under the page's answer, where the calls have months to hold rates to."""
    if not table.months:
        return []
    return [more(html.P(_(POOLED_RATES)), summary=_("How to read the rates"), class_name="mb-3")]


def _intro_text(table: ClientEngine, provenance) -> str:
    """The page's answer: what the data is, and that the charts show the filtered clients."""
    clients = facts.clients_and_calls(len(table), table.calls)
    if provenance.is_uci:
        return _("A Portuguese bank's term-deposit campaign ({months}): {clients}. Every chart shows the filtered "
                 "clients; only aggregates leave the server.").format(
            months=_months_between(table.months[0], table.months[-1]), clients=clients)
    if table.months:
        rows = _("A term-deposit campaign ({months}): {clients}.").format(
            months=_months_between(table.months[0], table.months[-1]), clients=clients)
    else:
        rows = _("A term-deposit campaign: {clients}; the source has no contact dates.").format(clients=clients)
    return " ".join([rows, about_data.source_sentence(provenance),
                     _("Every chart shows the filtered clients; only aggregates leave the server.")])


def layout(**query):
    store, problem = artifact_status()
    if store is None:
        return missing_artifacts_notice(problem)
    table = client_engine(store)
    spec, problems = table.parse_query(query)
    values = table.controls(spec)
    names = rates.population_names(store.provenance)
    # The triangles' rates are of a period, or of a group of clients.
    triangles = (_("The segments of the final K-means segmentation; the triangles are each segment's rate in the "
                   "{train} (\u25c0) and the {test} (\u25b6).") if store.provenance.split_is_time_ordered else
                 _("The segments of the final K-means segmentation; the triangles are each segment's rate among the "
                   "{train} (\u25c0) and the {test} (\u25b6)."))
    triangles = triangles.format(train=_(names["train"]), test=_(names["test"]))
    sections = [
        _section(_("Client profile"), "data-profile", _("Who the bank called: age, job, education, family and "
                 "credit situation, and how many subscribed a term deposit."), [
                     _row((5, _graph(_("Age"), DATA_AGE_CHART)), (3, _graph(_("Outcome"), DATA_SHARE_CHART)),
                          (4, _graph(_("Marital status"), DATA_MARITAL_CHART))),
                     _row((6, _graph(_("Job"), DATA_JOB_CHART)), (6, _graph(_("Education"), DATA_EDUCATION_CHART))),
                     # Taller: nine bars under three group names, whose labels stand upright on a phone and
                     # would leave the rates' axis too short for its title.
                     _row((6, _graph(_("Credit: default, housing and personal loans"), DATA_CREDIT_CHART,
                                     height=HEIGHT + 90)),
                          (6, _graph(_("Segment"), DATA_SEGMENT_CHART, help_text=triangles))),
                 ]),
        _section_on_demand(_("The current campaign"), CAMPAIGN, _("Calls of this campaign: how often each client was "
                 "called, through which channel and on which weekday, and how long the last call lasted."), [
                     _row((6, _graph(_("Calls per client"), DATA_CALLS_CHART,
                                     help_text=ngettext("More than {count} call is counted together.",
                                                        "More than {count} calls are counted together.",
                                                        CALLS_CAP).format(count=CALLS_CAP))),
                          (6, _graph(_("Call duration"), DATA_DURATION_CHART,
                                     help_text=_("Boxes: quartiles; whiskers: 5th and 95th percentiles. Known only "
                                                 "after the call, so the segmentation does not use it.")))),
                     _row((6, _graph(_("Contact type"), DATA_CONTACT_CHART)),
                          (6, _graph(_("Weekday of the last call"), DATA_WEEKDAY_CHART))),
                 ]),
        _section_on_demand(_("The previous campaign"), PREVIOUS, _("What happened the last time these clients were "
                 "contacted, how long ago, and how many times before."), [
                     _row((4, _graph(_("Outcome of the previous campaign"), DATA_POUTCOME_CHART)),
                          (4, _graph(_("Days since the previous contact"), DATA_PDAYS_CHART,
                                    help_text=_("Clients contacted before only."))),
                          (4, _graph(_("Contacts before this campaign"), DATA_PREVIOUS_CHART))),
                 ]),
        _economy_section(table),
        _section_on_demand(_("Unknown values"), UNKNOWN, _("Where the file says 'unknown'. The explorer compares "
                 "keeping it as a category with KNN and iterative imputation."), [
                     _row((6, _graph(_("Audit of 'unknown' values"), DATA_UNKNOWN_CHART)), (6, _treatments_card())),
                 ]),
    ]
    notices = [dbc.Alert(" ".join(problems), color="warning", dismissable=True)] if problems else []
    return html.Div([
        dcc.Location(id=DATA_URL, refresh=False),
        html.H2(_("The data")),
        page_lead(_intro_text(table, store.provenance), class_name="text-muted mb-1"),
        *_rates_note(table),
        *notices,
        dbc.Row([dbc.Col(_filter_bar(table, values, catalogue.segments(store)), lg=3), dbc.Col(sections, lg=9)]),
    ])


# --- Callbacks -------------------------------------------------------------------------------------------------


def _table() -> ClientEngine:
    return client_engine(current_store())


def _population_names() -> dict[str, str]:
    return rates.population_names(current_store().provenance)


@callback(
    output={"controls": {name: Output(component, "value") for name, component in FILTER_IDS.items()},
            "search": Output(DATA_URL, "search")},
    inputs={"controls": FILTER_INPUTS, "search": Input(DATA_URL, "search"),
            "clicks": {component: Input(component, "clickData") for component in CLICK_FILTERS},
            "reset": Input(DATA_RESET, "n_clicks")},
    prevent_initial_call=True,
)
def sync_filter(controls, search, clicks, reset):
    """Keep the widgets and the URL in step; a bar click or the reset button changes both.

    The URL is an input too, so the browser's back and forward buttons restore earlier filters.
    """
    table = _table()
    trigger = ctx.triggered_id
    spec, search = table.filter_from_controls(**controls), inputs.search(search)
    if trigger == DATA_URL:
        spec, _problems = table.parse_query(url_state.query_parameters(search))
    elif trigger == DATA_RESET:
        spec = view.ClientFilter()
    elif trigger in CLICK_FILTERS:
        point = inputs.clicked_point(trigger, clicks[trigger])
        if point is not None:
            spec = spec.toggled(CLICK_FILTERS[trigger], inputs.customdata(trigger, point),
                                table.list_filter_values(CLICK_FILTERS[trigger]))
    wanted = table.controls(spec)
    # Send only what changed: an unchanged widget value would redraw every chart for nothing.
    new_controls = {name: value if value != (controls[name] or []) else no_update for name, value in wanted.items()}
    return {"controls": new_controls,
            "search": url_state.search_update(spec.query_string(), search, from_address=trigger == DATA_URL,
                                              unchanged=no_update)}


@callback(Output(DATA_HEADLINE, "children"), inputs=FILTER_INPUTS)
def update_headline(**controls):
    table = _table()
    spec = table.filter_from_controls(**controls)
    selected = table.selection(spec)
    numbers = table.headline(spec)
    ages = spec.age or table.age_bounds
    chosen = _("Aged {first} to {last}").format(first=ages[0], last=ages[1])
    if table.months:
        period = spec.period or (table.months[0], table.months[-1])
        chosen = _("{ages}, {months}").format(ages=chosen, months=_months_between(*period))
    # A group too small to show is not counted exactly either: "1 of 41,188" would point at a person.
    shown = (f"< {i18n.number(privacy.min_group_size())}" if privacy.too_small(selected.clients)
             else i18n.number(numbers["clients"]))
    return [html.Div([html.Span(shown, className="metric-value me-1"),
                      ngettext("of {total} client ({share})", "of {total} clients ({share})", len(table)).format(
                          total=i18n.number(len(table)), share=i18n.percent(numbers["share"]))]),
            html.Div(privacy.too_small_sentence() if privacy.too_small(selected.clients)
                     else _("Subscribed, {rate}").format(rate=selected.rate.labelled)),
            html.Div(chosen, className="text-muted")]


#: A section's drawing: the selected clients, their rate and months in, one figure per chart of the section out.
Draw = Callable[[QuerySelection], tuple]


def _charts(draw: Draw, charts: tuple[str, ...], controls: dict) -> list:
    """The figures of ``charts`` that ``draw`` makes of the clients the filter widgets select; when nobody
    matches, every chart says so instead."""
    table = _table()
    return list(_drawn(table, draw, len(charts), table.filter_from_controls(**controls)))


# The figures are a pure function of the (read-only) artifacts, the filter and the language, so each worker keeps
# the last few views of every section: the unfiltered page every visit starts with is drawn once per process and
# language, not per visit.
@i18n.cached_per_language(maxsize=8 * 5)
def _drawn(table: ClientEngine, draw: Draw, charts: int, spec: view.ClientFilter) -> tuple:
    selection = table.selection(spec)
    if not selection.clients:
        return tuple(empty_figure(_(NO_MATCH)) for _chart in range(charts))
    if privacy.too_small(selection.clients):
        return tuple(empty_figure(privacy.too_small_sentence()) for _chart in range(charts))
    return tuple(draw(selection))


# The client profile is two callbacks: building a plotly figure costs more than aggregating 41,188 rows, and
# two requests run on two workers at once.
PROFILE_CHARTS = (DATA_AGE_CHART, DATA_SHARE_CHART, DATA_MARITAL_CHART, DATA_JOB_CHART)
EDUCATION_CREDIT_SEGMENT_CHARTS = (DATA_EDUCATION_CHART, DATA_CREDIT_CHART, DATA_SEGMENT_CHART)
CAMPAIGN_CHARTS = (DATA_CALLS_CHART, DATA_CONTACT_CHART, DATA_WEEKDAY_CHART, DATA_DURATION_CHART)
PREVIOUS_CHARTS = (DATA_POUTCOME_CHART, DATA_PDAYS_CHART, DATA_PREVIOUS_CHART)
ECONOMY_CHARTS = (DATA_MONTHLY_CHART, DATA_INDICATORS_CHART)
UNKNOWN_CHARTS = (DATA_UNKNOWN_CHART,)


def _on_demand(anchor: str) -> dict:
    """The filter's inputs and the clicks on a section's heading (``opened``: see
    :func:`dashapp.web.reading.wait_until_opened`)."""
    return {**FILTER_INPUTS, "opened": Input(opener_id(anchor), "n_clicks")}


@callback([Output(chart, "figure") for chart in PROFILE_CHARTS], inputs=FILTER_INPUTS)
def update_profile(**controls):
    return _charts(_profile, PROFILE_CHARTS, controls)


def _profile(selected: QuerySelection) -> tuple:
    rate = selected.rate
    return (figures.age_figure(selected.age_counts()),
            figures.share_figure(selected.outcome_share()),
            figures.count_rate_figure(selected.outcome_by("marital"), baseline=rate,
                                      dimension=catalogue.column_label("marital")),
            figures.count_rate_figure(selected.outcome_by("job"), baseline=rate,
                                      dimension=catalogue.column_label("job")))


@callback([Output(chart, "figure") for chart in EDUCATION_CREDIT_SEGMENT_CHARTS], inputs=FILTER_INPUTS)
def update_education_credit_segments(**controls):
    return _charts(_education_credit_segments, EDUCATION_CREDIT_SEGMENT_CHARTS, controls)


def _education_credit_segments(selected: QuerySelection) -> tuple:
    rate = selected.rate
    return (figures.count_rate_figure(selected.outcome_by("education"), baseline=rate,
                                      dimension=catalogue.column_label("education")),
            figures.count_rate_figure(selected.credit_outcomes(), baseline=rate, dimension=_("Credit")),
            figures.segment_outcome_figure(
                selected.outcome_by("segment"),
                selected.subscription_rates(_population_names(), current_store().segment_numbers), baseline=rate))


@callback([Output(chart, "figure") for chart in CAMPAIGN_CHARTS], inputs=_on_demand(CAMPAIGN))
def update_campaign(opened, **controls):
    wait_until_opened(opened)
    return _charts(_campaign, CAMPAIGN_CHARTS, controls)


def _campaign(selected: QuerySelection) -> tuple:
    rate = selected.rate
    return (figures.count_rate_figure(selected.outcome_by("campaign", cap=CALLS_CAP), x_title=_("Calls"),
                                      rate_lines=True, baseline=rate),
            figures.count_rate_figure(selected.outcome_by("contact"), baseline=rate,
                                      dimension=catalogue.column_label("contact")),
            figures.count_rate_figure(selected.outcome_by("day_of_week"), rate_lines=True, baseline=rate,
                                      dimension=catalogue.column_label("day_of_week")),
            figures.duration_figure(selected.duration_summary()))


@callback([Output(chart, "figure") for chart in PREVIOUS_CHARTS], inputs=_on_demand(PREVIOUS))
def update_previous(opened, **controls):
    wait_until_opened(opened)
    return _charts(_previous, PREVIOUS_CHARTS, controls)


def _previous(selected: QuerySelection) -> tuple:
    rate = selected.rate
    contacted = selected.outcome_by("pdays", exclude=[domain.PDAYS_NEVER_RECODED])
    return (figures.count_rate_figure(selected.outcome_by("poutcome"), baseline=rate,
                                      dimension=catalogue.column_label("poutcome")),
            figures.count_rate_figure(contacted, x_title=_("Days"), baseline=rate) if len(contacted)
            else empty_figure(_("None of these clients was contacted before")),
            figures.count_rate_figure(selected.outcome_by("previous"), x_title=_("Contacts"), rate_lines=True,
                                      baseline=rate))


@callback([Output(chart, "figure") for chart in ECONOMY_CHARTS], inputs=_on_demand(ECONOMY))
def update_economy(opened, **controls):
    wait_until_opened(opened)
    return _charts(_economy, ECONOMY_CHARTS, controls)


def _economy(selected: QuerySelection) -> tuple:
    if not selected.months:  # no contact dates: the month-by-month charts are hidden
        return empty_figure(_(NO_MONTHLY_CHARTS)), empty_figure(_(NO_MONTHLY_CHARTS))
    monthly = selected.monthly_summary()
    return figures.monthly_outcome_figure(monthly, baseline=selected.rate), figures.indicators_figure(monthly)


@callback([Output(chart, "figure") for chart in UNKNOWN_CHARTS], inputs=_on_demand(UNKNOWN))
def update_unknowns(opened, **controls):
    wait_until_opened(opened)
    return _charts(_unknowns, UNKNOWN_CHARTS, controls)


def _unknowns(selected: QuerySelection) -> tuple:
    return (figures.unknown_figure(selected.unknown_audit()),)
