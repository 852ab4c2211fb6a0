"""Targeting benchmark: do the segments tell a likely subscriber from an unlikely one, against a response model?

Gain and lift on the test period of a logistic regression, a gradient-boosted tree and the segments' own
targeting, all precomputed by the build (``targeting.json``); picking a share called (10%, 20%, 30%) words the
comparison for it and marks it on both charts.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html, no_update
from dash.exceptions import PreventUpdate

from dashapp.artifacts.current import artifact_status, current_store
from dashapp.artifacts.model_folder import ArtifactStore
from dashapp.core import i18n
from dashapp.core.i18n import N_, _, ngettext
from dashapp.figures.targeting import (calibration_figure, gain_figure, lift_figure, profit_figure,
                                       stratified_gain_figure)
from dashapp.views import inputs, rates, targeting as view
from dashapp.web.components import chart_downloads, graph_card, metric, missing_artifacts_notice, page_title
from dashapp.web.reading import closed_section, more, page_lead, with_terms

# Between Segments (3) and Decision tree (4): the segments' worth is read right after the segments.
dash.register_page(__name__, path="/targeting", name=N_("Targeting"), order=2, nav_group="decide",
                   title=page_title(N_("Targeting benchmark")))

TARGETING_SHARE = "targeting-share"
TARGETING_HEADLINE = "targeting-headline"
TARGETING_GAIN = "targeting-gain"
TARGETING_LIFT = "targeting-lift"
TARGETING_TABLE = "targeting-table"
TARGETING_CAMPAIGN_HEADLINE = "targeting-campaign-headline"
TARGETING_STRATIFIED = "targeting-stratified"
TARGETING_CAMPAIGN_TABLE = "targeting-campaign-table"
TARGETING_CALIBRATION = "targeting-calibration"
TARGETING_COST = "targeting-cost"
TARGETING_VALUE = "targeting-value"
TARGETING_PROFIT = "targeting-profit"
TARGETING_PROFIT_SENTENCE = "targeting-profit-sentence"
chart_downloads("targeting", {TARGETING_GAIN: N_("Cumulative gain"), TARGETING_LIFT: N_("Lift"),
                              TARGETING_STRATIFIED: N_("Gain month by month"),
                              TARGETING_CALIBRATION: N_("Calibration"), TARGETING_PROFIT: N_("Profit")})
#: The largest cost per call and value per subscription the profit boxes take, in euros.
MOST_EUROS = 100_000

#: The share called the page opens on.
DEFAULT_SHARE = 0.2


@i18n.cached_per_language(maxsize=8)
def _views(store: ArtifactStore, share: float) -> dict:
    """The headline and both charts for one share called (a pure function of the read-only artifact and the
    language)."""
    targeting = store.targeting
    time_ordered = store.provenance.split_is_time_ordered
    views = {"headline": view.headline(targeting, share), "gain": gain_figure(targeting, share, time_ordered),
             "lift": lift_figure(targeting, share, time_ordered)}
    if view.campaign(targeting):
        views |= {"campaign_headline": view.campaign_headline(targeting, share),
                  "stratified": stratified_gain_figure(targeting, _names(view.CAMPAIGN_METHODS), share),
                  "campaign_table": _rows_table(view.campaign_table(targeting, share), TARGETING_CAMPAIGN_TABLE)}
    return views


def _names(methods: dict[str, str]) -> dict[str, str]:
    return {key: _(name) for key, name in methods.items()}


@i18n.cached_per_language(maxsize=32)
def _profit_views(store: ArtifactStore, cost: float, value: float) -> dict:
    targeting = store.targeting
    profit = view.profit_curves(targeting, cost, value)
    return {"profit": profit_figure(profit, _names(view.PROFIT_METHODS)),
            "profit_sentence": view.profit_sentence(targeting, profit, cost, value)}


def _rows_table(table: dict, table_id: str) -> dbc.Table:
    return dbc.Table([html.Thead(html.Tr([html.Th(with_terms(cell)) for cell in table["header"]])),
                      html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in table["rows"]])],
                     id=table_id, size="sm", className="small mb-0", responsive=True)


def _euros(box_id: str, label: str, value: float) -> dbc.Col:
    return dbc.Col([html.Label(label, htmlFor=box_id, className="small text-muted"),
                    dbc.InputGroup([dbc.Input(id=box_id, type="number", min=0, max=MOST_EUROS, step=0.5, value=value,
                                              debounce=True), dbc.InputGroupText("€")], size="sm")],
                   xs=6, md=3, className="mb-2")


def _campaign_section(store: ArtifactStore, views: dict) -> list:
    """Targeting as a campaign runs it: month by month, with bands, calibration, drift and profit."""
    targeting = store.targeting
    if not view.campaign(targeting):
        return [html.P(_("Without the calls' months the targeting cannot be judged month by month, as a campaign "
                         "runs."), className="small text-muted")]
    profit = _profit_views(store, view.DEFAULT_COST_PER_CALL, view.DEFAULT_VALUE_PER_SUBSCRIPTION)
    drift_table = {"header": [_("Indicator"), _("Training period"), _("Test period"), _("Test rows outside the "
                                                                                        "training range")],
                   "rows": view.drift_rows(targeting)}
    return [
        html.H3(_("As a campaign runs: month by month"), className="h5 mt-2"),
        dbc.Alert(views["campaign_headline"], id=TARGETING_CAMPAIGN_HEADLINE, color="info", className="py-2 mb-1"),
        more(html.P(_("A bank plans its calls month by month; ranking the whole test period at once lets a model pick "
                      "the months of high rates, which no campaign can. Here every month calls the same share of its "
                      "clients. Bands and intervals come from resampling the test period's calendar months (400 "
                      "times), so they say how much the figures move with other months, not only with other "
                      "clients.")), summary=_("Why month by month"), class_name="mb-3"),
        dbc.Row([
            dbc.Col(graph_card(_("Gain month by month, with 95% bands over the months"), TARGETING_STRATIFIED,
                               figure=views["stratified"], height=460), lg=6, className="mb-3"),
            dbc.Col(dbc.Card([dbc.CardHeader(_("Every method month by month")),
                              dbc.CardBody(html.Div(views["campaign_table"], id=TARGETING_CAMPAIGN_TABLE + "-box"),
                                           className="p-2"),
                              dbc.CardFooter(view.paper_sentence(targeting), className="small")],
                             className="h-100"), lg=6, className="mb-3"),
        ]),
        closed_section(_("How sure the model is: calibration and drift"), dbc.Row([
            dbc.Col(graph_card(_("Calibration: predicted against observed, by decile"), TARGETING_CALIBRATION,
                               figure=calibration_figure(targeting, _names({key: view.CAMPAIGN_METHODS[key] for key
                                                                            in ("logistic", "boosting", "rolling")})),
                               height=400), lg=6, className="mb-3"),
            dbc.Col([html.P(view.calibration_sentence(targeting), className="small"),
                     html.P(_("The economic indicators of the test period lie outside the range the models learnt "
                              "from, so a model fitted once extrapolates:"), className="small mb-1"),
                     _rows_table(drift_table, "targeting-drift")], lg=6, className="mb-3"),
        ])),
        html.H3(_("What a campaign earns"), className="h5 mt-2"),
        html.P(_("Profit over the test period for each share of every month's clients called: the value of the "
                 "subscriptions reached less the cost of the calls. The defaults are assumptions, not the bank's "
                 "figures: set your own."), className="text-muted small"),
        dbc.Row([_euros(TARGETING_COST, _("Cost per call"), view.DEFAULT_COST_PER_CALL),
                 _euros(TARGETING_VALUE, _("Value per subscription"), view.DEFAULT_VALUE_PER_SUBSCRIPTION)]),
        html.P(profit["profit_sentence"], id=TARGETING_PROFIT_SENTENCE, className="small"),
        graph_card(_("Profit by share called"), TARGETING_PROFIT, figure=profit["profit"], height=420),
    ]


def _table(targeting: dict) -> dbc.Table:
    return _rows_table(view.gain_table(targeting), TARGETING_TABLE)


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
        page_lead(_("Would calling by segment find the subscribers of a term-deposit campaign? A response model, "
                    "trained on the {train} to predict who subscribes, sets the bar the segments must reach.").format(
                        train=_(rates.population_names(store.provenance)["train"])), class_name="text-muted"),
        html.Div([
            html.Span(_("Share of the test clients called:"), className="me-2 small text-muted"),
            dbc.RadioItems(id=TARGETING_SHARE, value=share, inline=True, className="d-inline-block",
                           options=[{"label": i18n.percent(s), "value": s} for s in view.called_shares(targeting)],
                           inputClassName="btn-check", labelClassName="btn btn-outline-secondary btn-sm",
                           labelCheckedClassName="active"),
        ], className="mb-3"),
        *_campaign_section(store, views),
        closed_section(_("Ranked over the whole test period at once"), [
            dbc.Alert(views["headline"], id=TARGETING_HEADLINE, color="info", className="py-2"),
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
        ]),
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
    return {key: _views(store, share)[key] for key in ("headline", "gain", "lift")}


@callback(
    output={"campaign_headline": Output(TARGETING_CAMPAIGN_HEADLINE, "children"),
            "stratified": Output(TARGETING_STRATIFIED, "figure"),
            "campaign_table": Output(TARGETING_CAMPAIGN_TABLE + "-box", "children")},
    inputs={"share": Input(TARGETING_SHARE, "value")},
    prevent_initial_call=True,
)
def show_campaign_share(share):
    """The month-by-month comparison at the share called."""
    store = current_store()
    if not view.campaign(store.targeting):
        raise PreventUpdate
    share = inputs.one_of(TARGETING_SHARE, share, view.called_shares(store.targeting))
    views = _views(store, share)
    return {key: views[key] for key in ("campaign_headline", "stratified", "campaign_table")}


@callback(
    output={"profit": Output(TARGETING_PROFIT, "figure"),
            "profit_sentence": Output(TARGETING_PROFIT_SENTENCE, "children")},
    inputs={"cost": Input(TARGETING_COST, "value"), "value": Input(TARGETING_VALUE, "value")},
    prevent_initial_call=True,
)
def show_profit(cost, value):
    """Profit at the cost per call and the value per subscription typed."""
    store = current_store()
    if not view.campaign(store.targeting):
        raise PreventUpdate
    cost = inputs.amount(TARGETING_COST, cost, 0, MOST_EUROS)
    value = inputs.amount(TARGETING_VALUE, value, 0, MOST_EUROS)
    if cost is None or value is None or value == 0:
        return {"profit": no_update,
                "profit_sentence": _("Enter a cost per call and a value per subscription above zero.")}
    return _profit_views(store, cost, value)
