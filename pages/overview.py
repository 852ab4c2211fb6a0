"""Overview: what the data supports about whom to call first, then what the studio is, its data and the segments."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashapp.analysis.segmentation import numbering_rule
from dashapp.artifacts.current import artifact_status
from dashapp.artifacts.provenance import DataProvenance
from dashapp.core import catalogue, domain, i18n
from dashapp.core.i18n import N_, _, ngettext
from dashapp.figures.segments import share_comparison_figure
from dashapp.views import facts, provenance as about_data
from dashapp.views.data import FilterSpace
from dashapp.views.data_queries import client_engine
from dashapp.views.explorer import pipeline_name
from dashapp.views.rates import SubscriptionRates, split_explanation, store_rates
from dashapp.views.response import whom_to_call
from dashapp.web.app import nav_pages
from dashapp.web.components import (APP_TITLE, chart_downloads, graph, metric, missing_artifacts_notice,
                                    original_recommendation, original_study_link, page_title, product_suggestions,
                                    subscription_table)
from dashapp.web.reading import more, page_lead

dash.register_page(__name__, path="/", name=N_("Overview"), order=0, nav_group="decide",
                   title=page_title(N_("Overview")))

OVERVIEW_DATA = "overview-data"
OVERVIEW_ANSWER = "overview-answer"
OVERVIEW_LEVERS_LINK = "overview-levers-link"
OVERVIEW_SEGMENTS = "overview-segments"
OVERVIEW_SHARES = "overview-shares"
chart_downloads("overview", {OVERVIEW_SHARES: N_("Segment shares")})
OVERVIEW_QUALITY = "overview-quality"
OVERVIEW_SOURCE = "overview-source"
OVERVIEW_SPLIT = "overview-split"


def segment_link_id(number: int) -> str:
    """The id of the link from a segment's card to its details on the Segments page."""
    return f"overview-segment-{number}-link"


CITATION = ("S. Moro, P. Cortez and P. Rita. A Data-Driven Approach to Predict the Success of Bank "
            "Telemarketing. Decision Support Systems 62 (2014) 22-31.")
DOI_URL = "https://doi.org/10.1016/j.dss.2014.03.001"
DATASET_URL = "https://archive.ics.uci.edu/dataset/222/bank+marketing"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"



def _uci_credit() -> html.P:
    return html.P([
        _("The data's own paper (it predicts subscriptions; it is not the segmentation study): "),
        CITATION, " ", html.A("doi:10.1016/j.dss.2014.03.001", href=DOI_URL, target="_blank"),
        _(". Data from the "), html.A("UCI Machine Learning Repository", href=DATASET_URL, target="_blank"),
        _(", licensed "), html.A("CC BY 4.0", href=LICENCE_URL, target="_blank"), ".",
    ], className="small text-muted mb-0")


def _source_text(provenance: DataProvenance, first, last, clients: FilterSpace) -> list:
    """What the data is: the UCI file's description, or the source named as it is, its period only when its
    dates are known, and how it was split."""
    if provenance.is_uci:
        return [html.P(
            _("The UCI Bank Marketing data, a Portuguese bank's telemarketing from {first} to {last}: {clients}. "
              "Each row has the client's age, job, marital status, education, credit default, housing and personal "
              "loans, the campaign's contacts, five socio-economic indicators, and whether the client subscribed "
              "a term deposit (the outcome y).").format(
                first=about_data.month_name(first, long=True), last=about_data.month_name(last, long=True),
                clients=facts.clients_and_calls(len(clients), clients.calls)))]
    return [html.P(about_data.source_sentence(provenance), id=OVERVIEW_SOURCE, className="mb-1"),
            html.P(about_data.data_sentence(provenance, first, last), className="mb-1"),
            html.P(about_data.split_sentence(provenance), id=OVERVIEW_SPLIT)]


def _period_metrics(provenance: DataProvenance, first, last) -> list:
    if provenance.period_known:
        return [metric(about_data.month_name(first), _("first call"), xs=6, md=3),
                metric(about_data.month_name(last), _("last call"), xs=6, md=3)]
    return [metric(_("unknown"), _("period of the calls (the source has no dates)"), xs=12, md=6)]


def _data_card(clients: FilterSpace, rates: SubscriptionRates, provenance: DataProvenance) -> dbc.Card:
    """``clients``: how many there are and their first and last contact (the Data page's filter space)."""
    first, last = (clients.first_contact, clients.last_contact) if provenance.period_known else (None, None)
    return dbc.Card([
        dbc.CardHeader(_("The data")),
        dbc.CardBody([
            dbc.Row([
                metric(i18n.number(len(clients)), _("clients, one row each"), xs=6, md=3),
                *_period_metrics(provenance, first, last),
                metric(rates.of("all").percent, _("of all clients subscribed a term deposit"), xs=6, md=3),
            ], className="mb-3 g-2"),
            html.Div(subscription_table(rates, explain=False), className="mb-2"),
            more([
                html.P(split_explanation(rates)),
                *_source_text(provenance, first, last, clients),
                dbc.Alert([html.Strong(_("Where the outcome is used. ")), facts.outcome_use()],
                          color="info", className="small py-2"),
                *([_uci_credit()] if provenance.is_uci else []),
            ], summary=_("About the data")),
        ]),
    ], className="h-100", id=OVERVIEW_DATA)


def _segment_card(segment: catalogue.Segment, share: float, reference: float | None) -> dbc.Col:
    number = segment.number
    href = f"{dash.get_relative_path('/segments')}?segment={number}"
    card = dbc.Card([
        dbc.CardHeader([
            html.Span(_("Segment {number}").format(number=number), className="badge me-2",
                      style={"backgroundColor": segment.colour}),
            html.Span(_("{share} of the clients").format(share=i18n.percent(share)),
                      className="text-muted small fw-normal"),
        ]),
        dbc.CardBody([
            html.H6(segment.name, className="card-title"),
            html.P(segment.description, className="small"),
            more([
                *product_suggestions(segment.products),
                html.Div(original_recommendation(segment, link=False), className="mb-2"),
                *([html.Div(_("Original study: {share} of the clients").format(share=i18n.percent(reference)),
                            className="small text-muted")]
                  if reference is not None else []),
            ], summary=_("Products and the original study's advice")),
        ]),
        dbc.CardFooter(dcc.Link(_("Profile, job mix and 3-D view"), href=href, id=segment_link_id(number),
                                className="small")),
    ], className="segment-card h-100", style={"borderTopColor": segment.colour})
    return dbc.Col(card, xs=12, md=6, xl=3, className="mb-3")


def _quality_card(final: dict, shares: dict[int, float], reference: dict[int, float],
                  provenance: DataProvenance) -> dbc.Card:
    """The final segmentation's silhouette and shares; beside the original study's only on the UCI file, the
    data the original study segmented (``reference`` is then empty)."""
    silhouettes = [metric(i18n.number(final["silhouette"], 3), _("silhouette, this build"), xs=6, md=3)]
    if reference:
        silhouettes.append(metric(i18n.number(final["reference_silhouette"], 2), _("silhouette, original study"),
                                  xs=6, md=3))
    return dbc.Card([
        dbc.CardHeader(_("The final segmentation beside the original study's") if reference
                       else _("The final segmentation")),
        dbc.CardBody([
            dbc.Row(silhouettes, className="mb-2 g-2"),
            more(html.P([
                _("The original study is "), original_study_link(), ". ",
                _("K-means with k = {k} on ").format(k=final["k"]),
                html.Strong(_("job, housing loan and personal loan")),
                _(" after {treatment} of the unknown values and pipeline {pipeline}, fitted on {clients}. The "
                  "silhouette (from -1 to 1, higher is better separated) is computed on all training clients.")
                .format(treatment=_(domain.TREATMENTS[domain.FINAL_TREATMENT]),
                        pipeline=pipeline_name(domain.FINAL_PIPELINE),
                        clients=about_data.training_clients(provenance)),
                *([] if reference else [_(" The original study's shares and silhouette are of its four segments "
                                          "of the UCI file, so they are not compared with this build's.")
                                        if provenance.is_uci else
                                        _(" The original study's shares and silhouette are of the UCI file, so "
                                          "they are not compared with this data's.")]),
            ], className="mb-1"), summary=_("How it was fitted")),
            graph(OVERVIEW_SHARES, share_comparison_figure(shares, reference), height=230,
                  config={"displayModeBar": False}),
        ], className="pb-1"),
    ], className="h-100", id=OVERVIEW_QUALITY)


def _capitalised(text: str) -> str:
    # A heading may start with a number word ("четыре сегмента"); only its first letter is raised.
    return text[:1].upper() + text[1:]


#: The page groups' headings in the Overview's list of pages (the navigation's groups, named for what they do).
PAGE_GROUP_HEADINGS: dict[str, str] = {"decide": N_("Decide whom to call"), "study": N_("The original study")}


def _page_links() -> html.Div:
    # Built from the registry, grouped as the navigation is, so that a page added later is listed without editing
    # this one.
    return html.Div([html.Div([html.Div(_(heading), className="small fw-semibold"),
                               html.Ul([html.Li(dcc.Link(_(page["name"]), href=page["relative_path"]))
                                        for page in nav_pages(group) if page["path"] != "/"], className="mb-2")])
                     for group, heading in PAGE_GROUP_HEADINGS.items()], className="small")


def _whom_to_call(response: dict) -> dbc.Card | None:
    """The page's opening: what the data supports about whom to call, and where the evidence is."""
    answer = whom_to_call(response)
    if answer is None:
        return None
    return dbc.Card(dbc.CardBody([
        html.H2(_("Whom to call"), className="h5"),
        page_lead(answer["levers"], class_name="mb-1"),
        html.P(answer["segments"], className="mb-1"),
        html.P(answer["not_uplift"], className="mb-2"),
        html.P([_("The evidence: "),
                dcc.Link(_("the levers, month by month"), href=dash.get_relative_path("/response") + "#response-levers",
                         id=OVERVIEW_LEVERS_LINK),
                " · ", dcc.Link(_("targeting as a campaign runs"), href=dash.get_relative_path("/targeting"))],
               className="small mb-0"),
    ]), className="mb-3 border-primary", id=OVERVIEW_ANSWER)


def layout(**_query):
    store, problem = artifact_status()
    if store is None:
        return missing_artifacts_notice(problem)
    final = store.evaluation["final"]
    shares = {int(number): share for number, share in final["shares"].items()}
    # The original study segmented the UCI file into four: its figures stand beside a build of that file at its k.
    comparable = store.provenance.is_uci and store.final_k == domain.FINAL_K
    reference = ({int(number): share for number, share in final["reference_shares"].items()}
                 if comparable else {})
    answer = _whom_to_call(store.response)
    return html.Div([
        html.H1(_(APP_TITLE), className="h3"),
        dbc.Row([
            dbc.Col([
                *([answer] if answer is not None else []),
                html.P([
                    _("The studio reproduces the original study, "), original_study_link(),
                    _(": its segments of job, housing and personal loan, and the tree that assigns a new client to "
                      "one. Score a client to see its segment.")],
                    className="lead fs-6"),
            ], lg=8),
            dbc.Col(_page_links(), lg=4),
        ], className="mb-2"),
        dbc.Row([
            dbc.Col(_data_card(client_engine(store), store_rates(store), store.provenance), lg=7, className="mb-3"),
            dbc.Col(_quality_card(final, shares, reference, store.provenance), lg=5, className="mb-3"),
        ]),
        html.H4(_capitalised(ngettext("The {number} segment", "The {number} segments", len(shares)).format(
            number=catalogue.number_word(len(shares)))), className="h5 mt-2"),
        html.P(_("Shares are of the training clients. Each card links to the segment's profile on the Segments "
                 "page."), className="text-muted small mb-1"),
        more(html.P(" ".join([catalogue.k_choice_sentence(store.final_k), numbering_rule()])),
             summary=_("How the segments are numbered"), class_name="mb-2"),
        dbc.Row([_segment_card(catalogue.segments(store)[number], shares[number], reference.get(number))
                 for number in sorted(shares)],
                id=OVERVIEW_SEGMENTS),
    ])
