"""Decision tree: the depth-3 tree that assigns a client to a segment, and how well it does on the test clients."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashapp.artifacts.current import artifact_status, current_store
from dashapp.core import catalogue, i18n
from dashapp.core.i18n import N_, _
from dashapp.figures.classifier import class_balance_figure, confusion_matrix_figure
from dashapp.figures.tree import WIDE_HEIGHT, is_stacked, tree_figure, tree_height
from dashapp.views import inputs, provenance as about_data
from dashapp.views.caveats import ACCURACY_HEADLINE, accuracy_explanation, job_splits
from dashapp.views.methods import DIFFERENCES
from dashapp.views.tree import node_path, rules_text
from dashapp.web.components import (VIEWPORT_STORE, chart_downloads, graph, graph_card, graph_width, job_split_note,
                                    methods_link, missing_artifacts_notice, page_title)
from dashapp.web.reading import more, page_lead, with_terms

dash.register_page(__name__, path="/tree", name=N_("Decision tree"), order=7, nav_group="study",
                   title=page_title(N_("Decision tree")))

TREE_GRAPH = "tree-graph"
TREE_CONFUSION = "tree-confusion"
TREE_CONFUSION_MODEL = "tree-confusion-model"
TREE_METRICS = "tree-metrics"
TREE_BALANCE = "tree-balance"
TREE_RULES_TEXT = "tree-rules-text"
TREE_ACCURACY_NOTE = "tree-accuracy-note"
TREE_DOWNLOAD_BUTTON = "tree-download-button"
TREE_DOWNLOAD = "tree-download"
chart_downloads("tree", {TREE_GRAPH: N_("Tree"), TREE_CONFUSION: N_("Confusion matrix"),
                         TREE_BALANCE: N_("Class balance")})
#: The name of the rules' download.
RULES_FILE_NAME = "tree_rules.txt"

#: The two classifiers of evaluation.json's "classifier", as the page names them.
MODELS = {"tree": N_("Decision tree (depth 3)"), "logistic": N_("Logistic regression (balanced)")}


def _metrics_table(classifier: dict) -> dbc.Table:
    """Accuracy and per-segment precision, recall and F1 of both models on the test rows."""
    header = html.Thead([
        html.Tr([html.Th("", rowSpan=2), html.Th(_("Decision tree"), colSpan=3, className="text-center"),
                 html.Th(_("Logistic regression"), colSpan=3, className="text-center border-start"),
                 html.Th(_("Test rows"), rowSpan=2, className="text-end")]),
        html.Tr([html.Th(with_terms(name), className="text-end" + (" border-start" if i == 3 else ""))
                 for i, name in enumerate([_("Precision"), _("Recall"), "F1"] * 2)]),
    ])
    rows = []
    by_model = {model: {c["segment"]: c for c in classifier[model]["per_class"]} for model in MODELS}
    for number in sorted(by_model["tree"]):  # every segment: the report lists each, with its scores
        cells = [html.Td(_("Segment {number}").format(number=number))]
        for model in MODELS:
            scores = by_model[model][number]
            cells += [html.Td(i18n.number(scores[key], 3), className="text-end" + (
                " border-start" if model == "logistic" and key == "precision" else ""))
                      for key in ("precision", "recall", "f1")]
        cells.append(html.Td(i18n.number(by_model["tree"][number]["support"]), className="text-end"))
        rows.append(html.Tr(cells))
    rows.append(html.Tr([
        html.Th(_("Accuracy")),
        html.Th(i18n.number(classifier["tree"]["accuracy"], 3), colSpan=3, className="text-center"),
        html.Th(i18n.number(classifier["logistic"]["accuracy"], 3), colSpan=3, className="text-center border-start"),
        html.Th(i18n.number(classifier["test_rows"]), className="text-end"),
    ]))
    # Seven columns are wider than a phone: the table scrolls inside its card, not the page.
    return dbc.Table([header, html.Tbody(rows)], size="sm", bordered=False, className="small mb-0",
                     responsive=True, id=TREE_METRICS)


def _accuracy_note(classifier: dict) -> dbc.Alert:
    why, not_meant = accuracy_explanation(classifier["tree"]["accuracy"], classifier["logistic"]["accuracy"])
    return dbc.Alert([html.Strong(_(ACCURACY_HEADLINE)),
                      more([html.P(why, className="mb-1"), html.P(not_meant, className="mb-0")])],
                     color="info", className="small py-2", id=TREE_ACCURACY_NOTE)


def layout(**_query):
    store, problem = artifact_status()
    if store is None:
        return missing_artifacts_notice(problem)
    evaluation = store.evaluation
    classifier = evaluation["classifier"]
    provenance = store.provenance
    return html.Div([
        html.H2(_("Decision tree"), className="h3"),
        page_lead(_("A decision tree of depth 3 learns the segment from job, housing loan and personal loan on the "
                 "{train_rows} training clients ({training_clients}) and is tested on {tested_clients}, whose "
                 "segments the K-means model assigned. A client with an unknown key field is imputed first.").format(
                     train_rows=i18n.number(classifier["train_rows"]),
                     training_clients=about_data.training_clients(provenance),
                     tested_clients=about_data.tested_clients(provenance, classifier["test_rows"]))),
        *[job_split_note(split, uci=provenance.is_uci) for split in job_splits(evaluation["tree_nodes"])],
        # The classic tree; draw_tree stacks it on a screen too narrow for its leaves side by side.
        dbc.Row(dbc.Col(graph_card(
            _("The tree"), TREE_GRAPH, figure=tree_figure(evaluation["tree_nodes"], catalogue.segment_names(store)),
            height=WIDE_HEIGHT,
            help_text=_("Each box asks a question and each edge answers it; a leaf is coloured by its segment. "
                        "Click a box to highlight the way to it."),
        ), width=12), className="mb-3"),
        dbc.Row([
            dbc.Col(dbc.Card([
                dbc.CardHeader(_("Confusion matrix on the test rows")),
                dbc.CardBody([
                    dbc.RadioItems(id=TREE_CONFUSION_MODEL, value="tree", inline=True, className="small mb-1",
                                   options=[{"label": _(label), "value": model} for model, label in MODELS.items()]),
                    graph(TREE_CONFUSION,
                          confusion_matrix_figure(classifier["tree"]["confusion_matrix"], store.segment_numbers),
                          height=320),
                ], className="p-2"),
            ], className="h-100"), lg=5, className="mb-3"),
            dbc.Col(dbc.Card([
                dbc.CardHeader(_("Precision, recall and F1 on the test rows: the tree and a logistic regression")),
                dbc.CardBody([
                    _metrics_table(classifier),
                    html.Div(_accuracy_note(classifier), className="mt-2"),
                    html.Div([_("How the studio's test differs from the original's:") + " ",
                              methods_link("tree", DIFFERENCES, _("where the studio differs from the original")),
                              "."], className="small mt-2"),
                    more(html.P(_("The tree reaches {accuracy} accuracy on its own training rows. The logistic "
                                  "regression (one-hot key fields, balanced class weights) is the comparison: the "
                                  "tree's advantage is that its rules can be read.").format(
                                      accuracy=i18n.percent(classifier["tree_train_accuracy"], 1)),
                                className="text-muted mb-0"), summary=_("The comparison"), class_name="mt-2"),
                ], className="p-2"),
            ], className="h-100"), lg=7, className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(graph_card(_("Class balance: training and test periods") if provenance.split_is_time_ordered
                               else _("Class balance: training and test clients"), TREE_BALANCE,
                               figure=class_balance_figure(classifier["class_balance_train"],
                                                           classifier["class_balance_test"],
                                                           provenance.split_is_time_ordered),
                               height=330), lg=4, className="mb-3"),
            dbc.Col(dbc.Card([
                dbc.CardHeader(dbc.Row([
                    dbc.Col(_("The rules in words"), className="align-self-center"),
                    dbc.Col(dbc.Button(_("Download the rules with the data file's codes (.txt)"),
                                       id=TREE_DOWNLOAD_BUTTON, size="sm", color="primary", outline=True),
                            width="auto"),
                ], className="g-2")),
                dbc.CardBody(html.Pre(rules_text(store.evaluation["tree_nodes"], catalogue.segment_names(store),
                                                 notes=False),
                                      id=TREE_RULES_TEXT, className="small mb-0 rules-text")),
                dcc.Download(id=TREE_DOWNLOAD),
            ], className="h-100"), lg=8, className="mb-3"),
        ]),
    ])


@callback(Output(TREE_GRAPH, "figure"), Output(TREE_GRAPH, "style"), Input(TREE_GRAPH, "clickData"),
          Input(VIEWPORT_STORE, "data"))
def draw_tree(click, viewport):
    """The tree for the graph's width, with the way to a clicked node highlighted."""
    store = current_store()
    nodes = store.evaluation["tree_nodes"]
    width = graph_width(inputs.viewport(viewport))
    point = inputs.clicked_point(TREE_GRAPH, click) or {}
    if ctx.triggered_id is None and not is_stacked(nodes, width):
        raise PreventUpdate  # the page has just been drawn with the classic tree, which fits
    # Only the node trace carries customdata (the node id).
    path = (node_path(nodes, inputs.one_of("node", point["customdata"], [node["id"] for node in nodes]))
            if "customdata" in point else None)
    return (tree_figure(nodes, catalogue.segment_names(store), highlight_path=path, width=width),
            {"height": f"{tree_height(nodes, width)}px"})


@callback(Output(TREE_CONFUSION, "figure"), Input(TREE_CONFUSION_MODEL, "value"), prevent_initial_call=True)
def show_confusion_matrix(model):
    model = inputs.one_of(TREE_CONFUSION_MODEL, model, list(MODELS))
    store = current_store()
    return confusion_matrix_figure(store.evaluation["classifier"][model]["confusion_matrix"], store.segment_numbers)


@callback(Output(TREE_DOWNLOAD, "data"), Input(TREE_DOWNLOAD_BUTTON, "n_clicks"), prevent_initial_call=True)
def download_rules(_clicks):
    store = current_store()
    return dcc.send_string(rules_text(store.evaluation["tree_nodes"], catalogue.segment_names(store), codes=True),
                           RULES_FILE_NAME)
