"""Targeting benchmark: do the segments tell a likely subscriber from an unlikely one, against a response model?

Gain and lift on the test period of a logistic regression, a gradient-boosted tree and the segments' own
targeting, all precomputed by the build (``targeting.json``); picking a share called (10%, 20%, 30%) words the
comparison for it and marks it on both charts.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashapp.artifacts.current import artifact_status, current_store
from dashapp.artifacts.model_folder import ArtifactStore
from dashapp.core import i18n
from dashapp.core.i18n import N_, _, ngettext
from dashapp.figures.targeting import gain_figure, lift_figure
from dashapp.views import inputs, rates, targeting as view
from dashapp.web.components import chart_downloads, graph_card, metric, missing_artifacts_notice, page_title

# Between Segments (3) and Decision tree (4): the segments' worth is read right after the segments.
dash.register_page(__name__, path="/targeting", name=N_("Targeting"), order=3.6,
                   title=page_title(N_("Targeting benchmark")))

TARGETING_SHARE = "targeting-share"
TARGETING_HEADLINE = "targeting-headline"
TARGETING_GAIN = "targeting-gain"
TARGETING_LIFT = "targeting-lift"
TARGETING_TABLE = "targeting-table"
chart_downloads("targeting", {TARGETING_GAIN: N_("Cumulative gain"), TARGETING_LIFT: N_("Lift")})

#: The share called the page opens on.
DEFAULT_SHARE = 0.2


@i18n.cached_per_language(maxsize=8)
def _views(store: ArtifactStore, share: float) -> dict:
    """The headline and both charts for one share called (a pure function of the read-only artifact and the
    language)."""
    targeting = store.targeting
    time_ordered = store.provenance.split_is_time_ordered
    return {"headline": view.headline(targeting, share), "gain": gain_figure(targeting, share, time_ordered),
            "lift": lift_figure(targeting, share, time_ordered)}


def _table(targeting: dict) -> dbc.Table:
    table = view.gain_table(targeting)
    return dbc.Table([html.Thead(html.Tr([html.Th(cell) for cell in table["header"]])),
                      html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in table["rows"]])],
                     id=TARGETING_TABLE, size="sm", className="small mb-0", responsive=True)


def layout(**_query):
    store, problem = artifact_status()
    if store is None:
        return missing_artifacts_notice(problem)
    targeting = store.targeting
    share = DEFAULT_SHARE if DEFAULT_SHARE in view.called_shares(targeting) else view.called_shares(targeting)[0]
    views = _views(store, share)
    quality = view.quality_rows(targeting)
    return html.Div([
        html.H2(_("Targeting benchmark"), className="h3"),
        html.P(_("Would calling by segment find the subscribers of a term-deposit campaign? A response model, "
                 "trained on the {train} to predict who subscribes, sets the bar the segments must reach.").format(
                     train=_(rates.population_names(store.provenance)["train"])),
               className="text-muted"),
        dbc.Alert(views["headline"], id=TARGETING_HEADLINE, color="info", className="py-2"),
        html.Div([
            html.Span(_("Share of the test clients called:"), className="me-2 small text-muted"),
            dbc.RadioItems(id=TARGETING_SHARE, value=share, inline=True, className="d-inline-block",
                           options=[{"label": i18n.percent(s), "value": s} for s in view.called_shares(targeting)],
                           inputClassName="btn-check", labelClassName="btn btn-outline-secondary btn-sm",
                           labelCheckedClassName="active"),
        ], className="mb-3"),
        dbc.Row([
            dbc.Col(graph_card(_("Cumulative gain: subscribers reached"), TARGETING_GAIN, figure=views["gain"],
                               height=420), lg=6, className="mb-3"),
            dbc.Col(graph_card(_("Lift over random calls"), TARGETING_LIFT, figure=views["lift"], height=420),
                    lg=6, className="mb-3"),
        ]),
        dbc.Card([dbc.CardHeader(_("Subscribers reached at each share called (lift)")),
                  dbc.CardBody(_table(targeting), className="p-2")], className="mb-3"),
        dbc.Row([metric(f"{i18n.number(row['roc_auc'], 3)} / {i18n.number(row['average_precision'], 3)}",
                        ngettext("{method}: test ROC AUC / average precision ({count} distinct score)",
                                 "{method}: test ROC AUC / average precision ({count} distinct scores)",
                                 row["distinct_scores"]).format(method=row["method"],
                                                                count=i18n.number(row["distinct_scores"])),
                        md=4) for row in quality], className="mb-3 g-2"),
        html.Ul([html.Li(sentence)
                 for sentence in view.context_sentences(targeting, store.provenance.split_is_time_ordered)],
                className="small ps-3"),
    ])


@callback(
    output={"headline": Output(TARGETING_HEADLINE, "children"), "gain": Output(TARGETING_GAIN, "figure"),
            "lift": Output(TARGETING_LIFT, "figure")},
    inputs={"share": Input(TARGETING_SHARE, "value")},
    prevent_initial_call=True,
)
def show_share(share):
    """Word the comparison for the share called and mark it on both charts."""
    store = current_store()
    share = inputs.one_of(TARGETING_SHARE, share, view.called_shares(store.targeting))
    return _views(store, share)
