"""Segments: the final segments in the job x housing x loan space, their profiles, sizes and job mix.

The selected segment lives in the URL (``?segment=2``), so the Overview's cards can link to it and a view can
be shared; picking another one updates the charts in place and the address bar with it.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, ctx, dcc, html, no_update

from dashapp.artifacts.current import artifact_status, current_store
from dashapp.artifacts.model_folder import ArtifactStore
from dashapp.core import catalogue, i18n
from dashapp.core.i18n import N_, _, ngettext
from dashapp.figures.segments import (segment_job_mix_figure, segment_radar_figure, segment_size_figure,
                                      segment_space_figure, segment_stability_figure)
from dashapp.views import inputs, segments as view, url_state
from dashapp.views.caveats import job_splits
from dashapp.views.methods import UNKNOWN_LOANS
from dashapp.views.rates import SubscriptionRates, store_rates
from dashapp.web.components import (chart_downloads, graph, graph_card, job_split_note, methods_link, metric,
                                    missing_artifacts_notice, original_recommendation, page_title, product_suggestions,
                                    subscription_table)
from dashapp.web.reading import more, page_lead

dash.register_page(__name__, path="/segments", name=N_("Segments"), order=6, nav_group="study",
                   title=page_title(N_("Segments")))

SEGMENTS_URL = "segments-url"
SEGMENTS_PICKER = "segments-picker"
SEGMENTS_SPACE = "segments-space"
SEGMENTS_DETAIL = "segments-detail"
SEGMENTS_RADAR = "segments-radar"
SEGMENTS_SIZES = "segments-sizes"
SEGMENTS_JOBS = "segments-jobs"
SEGMENTS_RESPONSE_LINK = "segments-response-link"
SEGMENTS_STABILITY = "segments-stability"
SEGMENTS_STABILITY_CHART = "segments-stability-chart"
chart_downloads("segments", {
    SEGMENTS_SPACE: N_("Job housing loan space"), SEGMENTS_RADAR: N_("Profile"), SEGMENTS_SIZES: N_("Sizes and rates"),
    SEGMENTS_JOBS: N_("Job mix"), SEGMENTS_STABILITY_CHART: N_("Stability")})

#: The picker's value for "no segment selected".
ALL_SEGMENTS = 0


def _picker_options(segments: dict[int, catalogue.Segment]) -> list[dict]:
    options = [{"label": _("All segments"), "value": ALL_SEGMENTS}]
    for number, segment in segments.items():
        options.append({"label": html.Span([html.Span("\u25cf ", style={"color": segment.colour}),
                                            _("Segment {number}").format(number=number)]),
                        "value": number})
    return options


def _detail(segments: dict[int, catalogue.Segment], profiles: dict, rates: SubscriptionRates,
            number: int) -> html.Div:
    """The selected segment in words; with no selection, the four side by side in a short table."""
    if number == ALL_SEGMENTS:
        rows = [html.Tr([
            html.Td(html.Span(f"{p['segment']}", className="badge",
                              style={"backgroundColor": segments[p["segment"]].colour})),
            html.Td(segments[p["segment"]].name),
            html.Td(f"{i18n.number(p['clients'])} ({i18n.percent(p['share'])})", className="text-end"),
        ]) for p in profiles["segments"]]
        return html.Div([
            html.P(_("Pick a segment above, or click a point in the 3-D chart, to read its description and "
                     "product suggestions."), className="text-muted small"),
            dbc.Table([html.Thead(html.Tr([html.Th(""), html.Th(_("Segment")),
                                           html.Th(_("Training clients"), className="text-end")])),
                       html.Tbody(rows)], size="sm", className="small mb-3", responsive=True),
            subscription_table(rates, sorted(segments)),
        ])
    segment, profile = segments[number], view.segment_profile(profiles, number)
    return html.Div([
        html.H5(segment.name, style={"color": segment.colour}, className="h6"),
        html.P(segment.description, className="small"),
        dbc.Row([
            metric(i18n.number(profile["clients"]),
                   ngettext("client ({share} of the training clients)", "clients ({share} of the training clients)",
                                 profile["clients"]).format(share=i18n.percent(profile["share"])), width=6),
            metric(i18n.number(profile["mean_age"]), _("mean age of the training clients"), width=6),
        ], className="mb-3 g-2"),
        html.Div(subscription_table(rates, [number]), className="mb-3"),
        *product_suggestions(segment.products),
        original_recommendation(segment),
    ])


def _stability_card(stability: dict, names: dict[int, str]) -> dbc.Card:
    """How stable the segments are under bootstrap refits, as :func:`dashapp.views.segments.stability_summary`
    words it, beside each segment's Jaccard index."""
    words = view.stability_summary(stability, names)
    return dbc.Card([dbc.CardHeader(_("How stable are the segments?")), dbc.CardBody(dbc.Row([
        dbc.Col([
            html.P(words["outcome"]),
            more([
                html.P(words["agreement"]),
                html.P(words["rule"], className="text-muted mb-1"),
                html.Ul([html.Li(sentence) for sentence in words["segments"]], className="ps-3 mb-2"),
                html.P(words["alternative"]),
            ]),
            html.P([methods_link("segments", UNKNOWN_LOANS, _("Where the unknown loans go")),
                    _(": segment 3 also holds most clients whose loans the bank does not know.")],
                   className="mb-0 mt-2"),
        ], lg=7, className="small", id=SEGMENTS_STABILITY),
        # No mode bar: four points need no zoom, and its buttons would sit on the thresholds' labels.
        dbc.Col(graph(SEGMENTS_STABILITY_CHART, segment_stability_figure(stability, names), height=260,
                      config={"displayModeBar": False}), lg=5),
    ]))], className="mb-3")


@i18n.cached_per_language(maxsize=8)
def _views(store: ArtifactStore, number: int) -> dict:
    """Everything that depends on the selection: the 3-D space, the detail, the radar, the sizes, the job mix.

    A pure function of the read-only artifacts, the segment and the language, so each worker draws each of the
    five views once per language and serves it from memory after.
    """
    highlight = None if number == ALL_SEGMENTS else number
    profiles, rates = store.profiles, store_rates(store)
    return {"space": segment_space_figure(view.training_space_counts(store), catalogue.segment_names(store),
                                          highlight),
            "detail": _detail(catalogue.segments(store), profiles, rates, number),
            "radar": segment_radar_figure(profiles, highlight),
            "sizes": segment_size_figure(profiles, rates, highlight),
            "jobs": segment_job_mix_figure(profiles, highlight)}


def layout(segment: str | None = None, **_query):
    store, problem = artifact_status()
    if store is None:
        return missing_artifacts_notice(problem)
    number = view.parse_segment(segment, store.segment_numbers) or ALL_SEGMENTS
    notice = None
    if segment is not None and number == ALL_SEGMENTS:
        notice = dbc.Alert(_("There is no segment {segment}; the segments are numbered {first} to {last}. Showing "
                             "all of them.").format(segment=repr(segment), first=min(store.segment_numbers),
                                                    last=max(store.segment_numbers)),
                           color="warning", className="py-2 small")
    views = _views(store, number)
    train_rows = store.evaluation["classifier"]["train_rows"]
    time_ordered = store.provenance.split_is_time_ordered  # the training and test clients are two periods
    return html.Div([
        # refresh=False: writing the query here changes the address without re-rendering the page.
        dcc.Location(id=SEGMENTS_URL, refresh=False),
        html.H2(_("Segments"), className="h3"),
        page_lead(_("The {number} segments of the {clients} training clients in the space they were found in: job, "
                    "housing loan and personal loan (unknown values imputed). Each point is one combination, sized "
                    "by its clients; every combination belongs to exactly one segment.").format(
                        number=catalogue.number_word(len(store.segment_numbers)), clients=i18n.number(train_rows))),
        *[job_split_note(split, uci=store.provenance.is_uci)
          for split in job_splits(store.evaluation["tree_nodes"])],
        notice,
        html.Div([
            html.Span(_("Highlight:"), className="me-2 small text-muted"),
            dbc.RadioItems(id=SEGMENTS_PICKER, options=_picker_options(catalogue.segments(store)), value=number,
                           inline=True, className="d-inline-block", inputClassName="btn-check",
                           labelClassName="btn btn-outline-secondary btn-sm",
                           labelCheckedClassName="active"),
        ], className="mb-3"),
        dbc.Row([
            # Its height follows its width (assets/style.css), so that a phone sees the whole scene.
            dbc.Col(graph_card(_("Job x housing loan x personal loan"), SEGMENTS_SPACE, figure=views["space"],
                               className="segments-space-graph",
                               help_text=_("Drag to turn, scroll to zoom; click a point to select its segment.")),
                    lg=7, className="mb-3"),
            dbc.Col([
                dbc.Card([dbc.CardHeader(_("Selected segment")), dbc.CardBody(views["detail"], id=SEGMENTS_DETAIL)],
                         className="mb-3"),
                # Under the selected segment's card: as tall as its content, or the column would overflow.
                graph_card(_("Profile: share of the segment's training clients with each property"), SEGMENTS_RADAR,
                           figure=views["radar"], height=330, fill=False),
            ], lg=5, className="mb-3"),
        ]),
        html.P([_("Before targeting a campaign by segment: do their subscription rates really differ? "),
                dcc.Link(_("Campaign response"), href=dash.get_relative_path("/response"), id=SEGMENTS_RESPONSE_LINK),
                _(" answers per period, with intervals, tests and what splits response more.") if time_ordered else
                _(" answers for the training and test clients, with intervals, tests and what splits response more.")],
               className="small"),
        dbc.Row([
            dbc.Col(graph_card(_("Training clients, and the subscription rate of each period") if time_ordered
                               else _("Training clients, and the subscription rate of the training and test clients"),
                               SEGMENTS_SIZES,
                               figure=views["sizes"], height=360),
                    lg=5, className="mb-3"),
            dbc.Col(graph_card(_("Job mix: share of the segment's clients in each job"), SEGMENTS_JOBS,
                               figure=views["jobs"], height=360), lg=7, className="mb-3"),
        ]),
        _stability_card(store.evaluation["stability"], catalogue.segment_names(store)),
    ])


#: What the callback writes, by the name :func:`_views` gives each view.
VIEW_OUTPUTS = {"space": Output(SEGMENTS_SPACE, "figure"), "detail": Output(SEGMENTS_DETAIL, "children"),
                "radar": Output(SEGMENTS_RADAR, "figure"), "sizes": Output(SEGMENTS_SIZES, "figure"),
                "jobs": Output(SEGMENTS_JOBS, "figure")}


@callback(
    output={**VIEW_OUTPUTS, "picker": Output(SEGMENTS_PICKER, "value"), "search": Output(SEGMENTS_URL, "search")},
    inputs={"picked": Input(SEGMENTS_PICKER, "value"), "click": Input(SEGMENTS_SPACE, "clickData"),
            "search": Input(SEGMENTS_URL, "search")},
    prevent_initial_call=True,
)
def show_segment(picked, click, search):
    """Show the segment picked, clicked in the 3-D chart, or named by the address; keep the three in step.

    One callback for every way to select (Dash forbids two writing the picker, or a loop across two): the
    picker and a click in the 3-D chart write the address; back and forward change the address and set the
    picker.
    """
    trigger, store = ctx.triggered_id, current_store()
    search = inputs.search(search)
    number = ALL_SEGMENTS if picked is None else inputs.one_of(SEGMENTS_PICKER, picked,
                                                                [ALL_SEGMENTS, *store.segment_numbers])
    if trigger == SEGMENTS_URL:
        number = view.segment_from_search(search, store.segment_numbers) or ALL_SEGMENTS
    elif trigger == SEGMENTS_SPACE:
        point = inputs.clicked_point(SEGMENTS_SPACE, click)
        if point is not None:  # every 3-D point's customdata starts with its segment
            number = inputs.one_of("segment", inputs.customdata(SEGMENTS_SPACE, point, 0),
                                   list(store.segment_numbers))
    query = view.segment_query_string(None if number == ALL_SEGMENTS else number)
    return {**_views(store, number),
            "picker": no_update if trigger == SEGMENTS_PICKER else number,
            "search": url_state.search_update(query, search, from_address=trigger == SEGMENTS_URL,
                                              unchanged=no_update)}
