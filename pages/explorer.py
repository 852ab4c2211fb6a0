"""The clustering explorer: every configuration of the K-means grid, its scores, t-SNE map and dendrogram.

The selection (treatment, pipeline, feature set, k) lives in the URL query string, so a link reproduces the
view; the browser's back and forward buttons step through earlier selections.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, ctx, dcc, html, no_update

from dashapp import domain, eda
from dashapp.artifacts import config_label
from dashapp.components import graph_card, missing_artifacts_notice
from dashapp.figures import clustering as figures
from dashapp.store import artifact_status, current_store

dash.register_page(__name__, path="/explorer", name="Clustering explorer", order=2,
                   title="Clustering explorer | Bank client segmentation studio")

EXPLORER_URL = "explorer-url"
EXPLORER_TREATMENT = "explorer-treatment"
EXPLORER_PIPELINE = "explorer-pipeline"
EXPLORER_FEATURES = "explorer-features"
EXPLORER_K = "explorer-k"
EXPLORER_CONFIG = "explorer-config"
EXPLORER_OVERVIEW = "explorer-overview"
EXPLORER_ELBOW = "explorer-elbow"
EXPLORER_SILHOUETTE = "explorer-silhouette"
EXPLORER_CALINSKI_HARABASZ = "explorer-calinski-harabasz"
EXPLORER_DAVIES_BOULDIN = "explorer-davies-bouldin"
EXPLORER_TSNE = "explorer-tsne"
EXPLORER_CLIENT = "explorer-client"
EXPLORER_DENDROGRAM = "explorer-dendrogram"

#: The widgets of a selection, by their name in the URL query.
SELECTION_IDS = {"treatment": EXPLORER_TREATMENT, "pipeline": EXPLORER_PIPELINE, "features": EXPLORER_FEATURES,
                 "k": EXPLORER_K}
SELECTION_INPUTS = {name: Input(component, "value") for name, component in SELECTION_IDS.items()}
#: The metric curves, in the order they are shown.
METRIC_GRAPHS = {"inertia": EXPLORER_ELBOW, "silhouette": EXPLORER_SILHOUETTE,
                 "calinski_harabasz": EXPLORER_CALINSKI_HARABASZ, "davies_bouldin": EXPLORER_DAVIES_BOULDIN}
DEFAULT_SELECTION = {"treatment": domain.FINAL_TREATMENT, "pipeline": domain.FINAL_PIPELINE, "features": "all",
                     "k": domain.FINAL_K}


def _k_values(store) -> list[int]:
    return [int(k) for k in store.manifest["parameters"]["grid"]["k_values"]]


def selection_from_query(query: dict, k_values: list[int]) -> tuple[dict, list[str]]:
    """The selection a URL asks for, with the default in place of anything invalid (and a sentence why)."""
    selection, problems = dict(DEFAULT_SELECTION), []
    selection["k"] = min(k_values, key=lambda k: abs(k - domain.FINAL_K))
    choices = {"treatment": list(domain.TREATMENTS), "pipeline": [str(n) for n in domain.PIPELINES],
               "features": list(domain.FEATURE_SETS), "k": [str(k) for k in k_values]}
    for name, allowed in choices.items():
        value = query.get(name)
        if value is None:
            continue
        if str(value) in allowed:
            selection[name] = int(value) if name in ("pipeline", "k") else str(value)
        else:
            problems.append(f"{name}={value!r} ignored; expected one of {', '.join(allowed)}.")
    return selection, problems


def selection_query_string(selection: dict) -> str:
    """``?treatment=knn&pipeline=8&features=all&k=4``: the URL query of a selection."""
    return "?" + urlencode({name: selection[name] for name in SELECTION_IDS})


def _config(selection: dict) -> str:
    return domain.config_id(selection["treatment"], int(selection["pipeline"]), selection["features"])


# --- Layout ----------------------------------------------------------------------------------------------------


def _controls(selection: dict, k_values: list[int]) -> dbc.Card:
    return dbc.Card([dbc.CardHeader("Configuration"), dbc.CardBody([
        dbc.Label("Unknown-value treatment", html_for=EXPLORER_TREATMENT, className="small fw-semibold mb-1"),
        dbc.RadioItems(id=EXPLORER_TREATMENT, value=selection["treatment"], className="small mb-2",
                       options=[{"label": label, "value": name} for name, label in domain.TREATMENTS.items()]),
        dbc.Label("Preprocessing pipeline", html_for=EXPLORER_PIPELINE, className="small fw-semibold mb-1"),
        dcc.Dropdown(id=EXPLORER_PIPELINE, value=selection["pipeline"], clearable=False, className="mb-2",
                     options=[{"label": spec.name, "value": number} for number, spec in domain.PIPELINES.items()]),
        dbc.Label("Feature set", html_for=EXPLORER_FEATURES, className="small fw-semibold mb-1"),
        dbc.RadioItems(id=EXPLORER_FEATURES, value=selection["features"], className="small mb-2",
                       options=[{"label": label, "value": name} for name, label in domain.FEATURE_SETS.items()]),
        dbc.Label("Number of clusters k", html_for=EXPLORER_K, className="small fw-semibold mb-1"),
        dcc.Slider(id=EXPLORER_K, min=k_values[0], max=k_values[-1], step=1, value=selection["k"],
                   marks={k: str(k) for k in k_values}, allow_direct_input=False),
        html.Div(id=EXPLORER_CONFIG, className="small text-muted mt-3"),
    ])], className="mb-3 h-100")


def layout(**query):
    store, problem = artifact_status()
    if store is None:
        return missing_artifacts_notice(problem)
    k_values = _k_values(store)
    selection, problems = selection_from_query(query, k_values)
    grid = store.manifest["parameters"]["grid"]
    configurations = len(domain.TREATMENTS) * len(domain.PIPELINES) * len(domain.FEATURE_SETS)
    notices = [dbc.Alert(" ".join(problems), color="warning", dismissable=True)] if problems else []
    return html.Div([
        dcc.Location(id=EXPLORER_URL, refresh=False),
        html.H2("Clustering explorer"),
        html.P([
            f"K-means was fitted on the training clients for {configurations} configurations "
            f"({len(domain.TREATMENTS)} treatments of 'unknown' x {len(domain.PIPELINES)} pipelines x "
            f"{len(domain.FEATURE_SETS)} feature sets) and k from "
            f"{k_values[0]} to {k_values[-1]}. ",
            html.Strong(f"Silhouette scores are computed on a fixed sample of {grid['silhouette_sample']:,} "
                        f"training clients, the t-SNE maps on {grid['tsne_sample']:,} and the dendrograms on "
                        f"{grid['dendrogram_sample']:,}"),
            "; the same samples for every configuration, so their scores compare. The address bar keeps the "
            "selection: copy it to share this view.",
        ], className="text-muted"),
        *notices,
        dbc.Row([
            dbc.Col(_controls(selection, k_values), lg=4),
            dbc.Col(graph_card("All configurations: best silhouette over k", EXPLORER_OVERVIEW, height=400,
                               help_text="Click a cell to pick that configuration; the outlined cell is on show."),
                    lg=8),
        ], className="g-3 mb-3"),
        dbc.Row([dbc.Col(graph_card(figures.METRICS[metric]["title"], component, height=250), lg=3)
                 for metric, component in METRIC_GRAPHS.items()], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(graph_card("t-SNE map coloured by the K-means clusters", EXPLORER_TSNE, height=480,
                               help_text=f"{grid['tsne_sample']:,} training clients; click a point to see the "
                                         "client."), lg=8),
            dbc.Col(dbc.Card([dbc.CardHeader("Selected client"), dbc.CardBody(
                html.Div("Click a point of the map to see the client's full record.", id=EXPLORER_CLIENT,
                         className="small text-muted"),
                className="p-2", style={"maxHeight": "520px", "overflowY": "auto"})], className="mb-3 h-100"),
                lg=4),
        ], className="g-3 mb-3"),
        dbc.Row(dbc.Col(graph_card("Dendrogram", EXPLORER_DENDROGRAM, height=360,
                                   help_text=f"Ward linkage of {grid['dendrogram_sample']:,} sampled training "
                                             "clients, truncated to the last 30 merges (leaf labels in brackets "
                                             "count the clients under a leaf); the dashed line cuts it into k "
                                             "clusters."))),
    ])


# --- Callbacks -------------------------------------------------------------------------------------------------


@callback(
    output={"selection": {name: Output(component, "value") for name, component in SELECTION_IDS.items()},
            "search": Output(EXPLORER_URL, "search")},
    inputs={"selection": SELECTION_INPUTS, "search": Input(EXPLORER_URL, "search"),
            "click": Input(EXPLORER_OVERVIEW, "clickData")},
    prevent_initial_call=True,
)
def sync_selection(selection, search, click):
    """Keep the widgets and the URL in step; a click on the overview picks that configuration.

    The URL is an input too, so the browser's back and forward buttons restore earlier selections.
    """
    trigger = ctx.triggered_id
    if trigger == EXPLORER_URL:
        wanted, _ = selection_from_query(eda.query_parameters(search), _k_values(current_store()))
    else:
        wanted = dict(selection)
        if trigger == EXPLORER_OVERVIEW and click:
            point = click["points"][0]
            treatment, pipeline, features = figures.overview_cell(point["x"], point["y"])
            wanted.update(treatment=treatment, features=features, pipeline=pipeline)
    query = selection_query_string(wanted)
    # A URL the browser went back to is never rewritten (not even into canonical order): pushing a new entry
    # there would trap the back button.
    write_url = trigger != EXPLORER_URL and query != (search or "")
    return {"selection": {name: value if value != selection[name] else no_update for name, value in wanted.items()},
            "search": query if write_url else no_update}


@callback(Output(EXPLORER_OVERVIEW, "figure"), Input(EXPLORER_TREATMENT, "value"),
          Input(EXPLORER_PIPELINE, "value"), Input(EXPLORER_FEATURES, "value"))
def update_overview(treatment, pipeline, features):
    return figures.silhouette_overview_figure(current_store().grid_metrics, selected=(treatment, pipeline, features))


@callback(output={"curves": {metric: Output(component, "figure") for metric, component in METRIC_GRAPHS.items()},
                  "label": Output(EXPLORER_CONFIG, "children")},
          inputs=SELECTION_INPUTS)
def update_curves(**selection):
    return _curves(_config(selection), selection["k"])


# The curves and maps are pure functions of the read-only artifacts and the selection: each worker keeps the
# last few, so going back and forth between configurations, or many visitors on the default one, cost nothing.
@lru_cache(maxsize=16)
def _curves(config: str, k: int) -> dict:
    metrics = current_store().grid_metrics.query("config_id == @config")
    knee = metrics["knee"].iloc[0]
    knee = None if pd.isna(knee) else int(knee)
    chosen = metrics.loc[metrics["k"] == k].iloc[0]
    label = [html.Div(config_label(config)),
             html.Div(f"k={k}: silhouette {chosen['silhouette']:.3f}, Calinski-Harabasz "
                      f"{chosen['calinski_harabasz']:,.0f}, Davies-Bouldin {chosen['davies_bouldin']:.3f}. "
                      + (f"Elbow knee at k={knee}." if knee else "The elbow curve has no clear knee."))]
    return {"curves": {metric: figures.metric_curve_figure(metrics, metric, k=k, knee=knee)
                       for metric in METRIC_GRAPHS},
            "label": label}


@callback(Output(EXPLORER_TSNE, "figure"), Output(EXPLORER_DENDROGRAM, "figure"), inputs=SELECTION_INPUTS)
def update_map(**selection):
    return _maps(_config(selection), selection["k"])


@lru_cache(maxsize=16)
def _maps(config: str, k: int) -> tuple:
    store = current_store()
    points = eda.tsne_points(store.tsne(config), store.clients, k)
    return figures.tsne_figure(points, k), figures.dendrogram_figure(store.dendrogram_linkage(config), k=k)


@callback(Output(EXPLORER_CLIENT, "children"), Input(EXPLORER_TSNE, "clickData"), prevent_initial_call=True)
def show_client(click):
    if not click:
        return no_update
    client_id = int(click["points"][0]["customdata"][0])
    record = eda.client_record(current_store().clients, client_id)
    if record.empty:
        return f"Client {client_id} is not in the clients table."
    return [html.H6(f"Client {client_id}", className="mb-2"),
            dbc.Table([html.Tbody([html.Tr([html.Th(field, className="fw-normal text-muted"), html.Td(value)])
                                   for field, value in zip(record["field"], record["value"])])],
                      size="sm", striped=True, className="mb-0")]
