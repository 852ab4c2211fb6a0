"""The clustering explorer: every configuration of the K-means grid, its scores, t-SNE map and dendrogram.

The selection (treatment, pipeline, feature set, k) lives in the URL query string, so a link reproduces the
view; the browser's back and forward buttons step through earlier selections. A little over 450 lines: one page
of nine linked charts and their controls, each callback thin (the texts are in dashapp/views/explorer.py).
"""

from __future__ import annotations

from functools import lru_cache

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashapp.artifacts.client_queries import client_queries
from dashapp.artifacts.current import artifact_status, current_store
from dashapp.artifacts.model_folder import ArtifactStore
from dashapp.core import catalogue, domain, i18n
from dashapp.core.i18n import N_, _, ngettext
from dashapp.figures import explorer as figures
from dashapp.views import explorer as view, inputs, methods as methods_view, url_state
from dashapp.web.components import (CATEGORICAL_ARI, CATEGORICAL_CROSSTAB, categorical_card, chart_downloads,
                                    dropdown_labels, graph, graph_card, grid_pending_notice, methods_link,
                                    missing_artifacts_notice, page_title)
from dashapp.web.reading import closed_section, more, page_lead

dash.register_page(__name__, path="/explorer", name=N_("Clustering explorer"), order=5, nav_group="study",
                   title=page_title(N_("Clustering explorer")))

EXPLORER_URL = "explorer-url"
EXPLORER_TREATMENT = "explorer-treatment"
EXPLORER_PIPELINE = "explorer-pipeline"
EXPLORER_FEATURES = "explorer-features"
EXPLORER_K = "explorer-k"
EXPLORER_CONFIG = "explorer-config"
EXPLORER_OVERVIEW = "explorer-overview"
EXPLORER_OVERVIEW_MODE = "explorer-overview-mode"
EXPLORER_OVERVIEW_METRIC = "explorer-overview-metric"
EXPLORER_OVERVIEW_TITLE = "explorer-overview-title"
EXPLORER_METHODS = "explorer-methods"
EXPLORER_ELBOW = "explorer-elbow"
EXPLORER_SILHOUETTE = "explorer-silhouette"
EXPLORER_CALINSKI_HARABASZ = "explorer-calinski-harabasz"
EXPLORER_DAVIES_BOULDIN = "explorer-davies-bouldin"
EXPLORER_STABILITY = "explorer-stability"
EXPLORER_KNIFE = "explorer-knife"
EXPLORER_KNIFE_TEXT = "explorer-knife-text"
EXPLORER_TSNE = "explorer-tsne"
EXPLORER_CLIENT = "explorer-client"
EXPLORER_DENDROGRAM = "explorer-dendrogram"

#: The widgets of a selection, by their name in the URL query.
SELECTION_IDS = {"treatment": EXPLORER_TREATMENT, "pipeline": EXPLORER_PIPELINE, "features": EXPLORER_FEATURES,
                 "k": EXPLORER_K}
SELECTION_INPUTS = {name: Input(component, "value") for name, component in SELECTION_IDS.items()}
#: The metric curves, in the order they are shown.
METRIC_GRAPHS = {"inertia": EXPLORER_ELBOW, "silhouette": EXPLORER_SILHOUETTE,
                 "calinski_harabasz": EXPLORER_CALINSKI_HARABASZ, "davies_bouldin": EXPLORER_DAVIES_BOULDIN,
                 "stability": EXPLORER_STABILITY}
chart_downloads("explorer", {
    EXPLORER_OVERVIEW: N_("Configurations"), EXPLORER_ELBOW: N_("Elbow"), EXPLORER_SILHOUETTE: N_("Silhouette"),
    EXPLORER_CALINSKI_HARABASZ: "Calinski-Harabasz", EXPLORER_DAVIES_BOULDIN: "Davies-Bouldin",
    EXPLORER_STABILITY: N_("Stability"), EXPLORER_KNIFE: N_("Client silhouettes"), EXPLORER_TSNE: N_("t-SNE map"),
    EXPLORER_DENDROGRAM: N_("Dendrogram"), CATEGORICAL_ARI: N_("k-modes agreement"),
    CATEGORICAL_CROSSTAB: N_("k-modes crosstab")})
#: What the heatmap's cells show: the score at the chosen k, or each configuration's best over k.
OVERVIEW_MODES = {"k": N_("at the chosen k"), "best": N_("best over k")}
#: Which score the heatmap's cells show and are coloured by.
OVERVIEW_METRICS = {"silhouette": N_("silhouette"), "stability": N_("stability")}


# --- Layout ----------------------------------------------------------------------------------------------------


def _controls(selection: dict, k_values: list[int]) -> dbc.Card:
    return dbc.Card([dbc.CardHeader(_("Configuration")), dbc.CardBody([
        dbc.Label(_("Unknown-value treatment"), html_for=EXPLORER_TREATMENT, className="small fw-semibold mb-1"),
        dbc.RadioItems(id=EXPLORER_TREATMENT, value=selection["treatment"], className="small mb-2",
                       options=[{"label": _(label), "value": name} for name, label in domain.TREATMENTS.items()]),
        dbc.Label(_("Preprocessing pipeline"), html_for=EXPLORER_PIPELINE, className="small fw-semibold mb-1"),
        dcc.Dropdown(id=EXPLORER_PIPELINE, value=selection["pipeline"], clearable=False, className="mb-2",
                     labels=dropdown_labels(),
                     options=[{"label": view.pipeline_name(number), "value": number} for number in domain.PIPELINES]),
        dbc.Label(_("Feature set"), html_for=EXPLORER_FEATURES, className="small fw-semibold mb-1"),
        dbc.RadioItems(id=EXPLORER_FEATURES, value=selection["features"], className="small mb-2",
                       options=[{"label": _(label), "value": name} for name, label in domain.FEATURE_SETS.items()]),
        dbc.Label(_("Number of clusters k"), html_for=EXPLORER_K, className="small fw-semibold mb-1"),
        dcc.Slider(id=EXPLORER_K, min=k_values[0], max=k_values[-1], step=1, value=selection["k"],
                   marks={k: str(k) for k in k_values}, allow_direct_input=False),
        dbc.Label(_("The heatmap shows each configuration's"), html_for=EXPLORER_OVERVIEW_METRIC,
                  className="small fw-semibold mb-1 mt-2"),
        dbc.RadioItems(id=EXPLORER_OVERVIEW_METRIC, value="silhouette", inline=True, className="small",
                       options=[{"label": _(label), "value": metric} for metric, label in OVERVIEW_METRICS.items()]),
        dbc.RadioItems(id=EXPLORER_OVERVIEW_MODE, value="k", inline=True, className="small",
                       options=[{"label": _(label), "value": mode} for mode, label in OVERVIEW_MODES.items()]),
        html.Div(id=EXPLORER_CONFIG, className="small text-muted mt-3"),
    ])], className="mb-3 h-100")


ORIGINAL_STUDY = "batchatilionus/ML_OPS-Banking-lustering-and-Classification"


def _overview_title(metric: str) -> str:
    return _("All configurations: {score}").format(score=_(OVERVIEW_METRICS[metric]))


def _compose(text: str, **parts) -> list:
    """A translated sentence with components (a link, a bold number) in place of its ``{name}`` fields, so that
    the translation decides where they go."""
    pieces: list = [text]
    for name, part in parts.items():
        field, placed = "{" + name + "}", []
        for piece in pieces:
            if isinstance(piece, str) and field in piece:
                before, after = piece.split(field, 1)
                placed.extend([before, part, after])
            else:
                placed.append(piece)
        pieces = placed
    return [piece for piece in pieces if piece != ""]


def methods_card(facts: dict, train_rows: int) -> dbc.Card:
    """Why the final model is KNN imputation, pipeline 8 and k = 4, every number taken from ``facts``.

    Parameters
    ----------
    facts : dict
        :func:`dashapp.views.explorer.final_model_facts` of the artifacts.
    train_rows : int
        Training clients (the exact silhouette's population).
    """
    k, pipeline = facts["k"], domain.FINAL_PIPELINE
    reasons = view.methods_reasons(facts)
    kept = (_("We keep it so that the segments compare with the study's; ") if k == domain.FINAL_K
            else _("This build sets k = {k} (`--k {k}`); the study chose {study_k}; ").format(k=k,
                                                                                             study_k=domain.FINAL_K))
    clusters_hold = (_("Its clusters hold {shares} of the training clients.") if view.is_degenerate(
        facts["smallest_share"]) else _("Its clusters hold {shares} of the training clients: none is small."))
    picked = (_("Both scores point to it: {knee}, and {silhouette}. ") if reasons["picked_by_scores"]
              else _("No score picks it: {knee}, and {silhouette}. "))
    items = [
        html.Li([
            html.Strong(_("Whose choice. ")),
            *_compose(_("The final model is the original study's ({link}): KNN imputation of 'unknown', pipeline "
                        "{pipeline} ({pipeline_name}) on job, housing and loan, K-means with k = {k}. ").format(
                link="{link}", pipeline=pipeline, pipeline_name=view.pipeline_name(pipeline).split(": ", 1)[1], k=k)
                + kept + _("the grid shows how it compares with the alternatives (the starred cell)."),
                link=html.A(ORIGINAL_STUDY, href=f"https://github.com/{ORIGINAL_STUDY}", target="_blank",
                            rel="noopener")),
        ]),
        html.Li([
            html.Strong(_("Its scores. ")),
            *_compose(_("At k = {k} its silhouette is {silhouette} ({basis}; the final segmentation's report gives "
                        "{reported}, and {reported_sampled} on the shared sample the other feature sets are scored "
                        "on). ").format(
                k=k, silhouette="{silhouette}", basis=view.silhouette_basis(facts["silhouette_clients"], train_rows),
                reported=i18n.number(facts["evaluation_silhouette"], 3),
                reported_sampled=i18n.number(facts["evaluation_silhouette_sampled"], 3))
                + clusters_hold.format(shares=view.shares_text(sorted(facts["shares"], reverse=True))) + " "
                + ngettext("Among the grid's {count} distinct configurations at k = {k} without a small cluster, "
                           "{rank}.", "Among the grid's {count} distinct configurations at k = {k} without a small "
                           "cluster, {rank}.", facts["configurations_at_k"]).format(
                    count=facts["configurations_at_k"], k=k, rank=reasons["rank"]),
                silhouette=html.Strong(i18n.number(facts["silhouette"], 3))),
        ]),
        html.Li([
            html.Strong(_("Why pipeline {pipeline}. ").format(pipeline=pipeline)),
            _("On these three columns, at k = {k}: {scores}. Pipelines 5-8 differ from 1-4 only in the scaler of "
              "numeric columns, and there are none here, so pipeline {pipeline} is pipeline {same} under the "
              "original's name. Its ordinal codes, scaled to 0-1, weigh job as much as each loan; job's codes are in "
              "alphabetical order, so where job separates two clusters it does so by an alphabetical cut (see the "
              "Decision tree page), not by a business meaning.").format(
                k=k, scores=reasons["pipeline_scores"], pipeline=pipeline, same=reasons["same_pipeline"]),
        ]),
        html.Li([
            html.Strong(_("Why k = {k}. ").format(k=k)),
            picked.format(knee=reasons["knee"], silhouette=reasons["silhouette"])
            + (_("k = {k} is the original's choice for what the clusters mean: a housing loan (split in two by "
                 "job), a personal loan, no loan, each a group a campaign can address.").format(k=k)
               if k == domain.FINAL_K else catalogue.k_choice_sentence(k)),
        ]),
        html.Li(_compose(_("The Methods page says what these choices do: {k_choice}, {elbows}, {unknown_loans}."),
                         k_choice=methods_link("explorer", methods_view.K_CHOICE,
                                               _("why the silhouette rises with k here")),
                         elbows=methods_link("explorer", methods_view.ELBOWS, _("elbow curves that rise")),
                         unknown_loans=methods_link("explorer", methods_view.UNKNOWN_LOANS,
                                                    _("where the unknown loans go")))),
    ]
    return dbc.Card([dbc.CardHeader(_("Methods: why KNN, pipeline {pipeline} and k = {k}").format(pipeline=pipeline,
                                                                                                    k=k)),
                     # The first reason is the answer (whose choice it is); the scores and the reasons follow on demand.
                     dbc.CardBody([html.Ul(items[:1], className="small mb-1 ps-3"),
                                   more(html.Ul(items[1:], className="mb-0 ps-3"),
                                        summary=_("Its scores, and why this pipeline and k"))],
                                  id=EXPLORER_METHODS)],
                    className="mb-3")


def layout(**query):
    store, problem = artifact_status()
    if store is None:
        return missing_artifacts_notice(problem)
    if not store.grid_ready:
        return html.Div([html.H2(_("Clustering explorer")), grid_pending_notice(store.model_dir)])
    k_values = view.grid_k_values(store.manifest)
    selection, problems = view.selection_from_query(query, k_values, store.final_k)
    grid = store.manifest["parameters"]["grid"]
    train_rows = store.manifest["data"]["train_rows"]
    configurations = len(domain.TREATMENTS) * len(domain.PIPELINES) * len(domain.FEATURE_SETS)
    notices = [dbc.Alert(" ".join(problems), color="warning", dismissable=True)] if problems else []
    return html.Div([
        dcc.Location(id=EXPLORER_URL, refresh=False),
        html.H2(_("Clustering explorer")),
        page_lead(
            # The counts of treatments, pipelines and feature sets are the domain's (3, 8, 3): the translation
            # may word them for those numbers.
            ngettext("K-means was fitted on the {train} training clients for {configurations} configurations "
                     "({treatments} treatments of 'unknown' x {pipelines} pipelines x {feature_sets} feature sets) "
                     "and k from {first_k} to {last_k}. ",
                     "K-means was fitted on the {train} training clients for {configurations} configurations "
                     "({treatments} treatments of 'unknown' x {pipelines} pipelines x {feature_sets} feature sets) "
                     "and k from {first_k} to {last_k}. ", train_rows).format(
                train=i18n.number(train_rows), configurations=configurations, treatments=len(domain.TREATMENTS),
                pipelines=len(domain.PIPELINES), feature_sets=len(domain.FEATURE_SETS), first_k=k_values[0],
                last_k=k_values[-1]), class_name="text-muted mb-1"),
        more(html.P([
            html.Strong(ngettext("Silhouette scores are computed on a fixed sample of {silhouette} training clients, "
                                 "the t-SNE maps on {tsne} and the dendrograms on {dendrogram}",
                                 "Silhouette scores are computed on a fixed sample of {silhouette} training clients, "
                                 "the t-SNE maps on {tsne} and the dendrograms on {dendrogram}",
                                 int(grid["silhouette_sample"])).format(
                silhouette=i18n.number(grid["silhouette_sample"]), tsne=i18n.number(grid["tsne_sample"]),
                dendrogram=i18n.number(grid["dendrogram_sample"]))),
            _("; the same samples for every configuration, so their scores compare. On the final feature set "
              "(job, housing and loan take a few dozen distinct values) the silhouette is exact, over every "
              "training client. A solution with a cluster under {threshold} of the clients is flagged ({flag}): "
              "its scores mostly measure one small group's distance from the rest. The address bar keeps the "
              "selection: copy it to share this view.").format(threshold=i18n.percent(view.SMALL_CLUSTER_SHARE),
                                                              flag=figures.FLAG),
        ]), summary=_("How the configurations are scored"), class_name="mb-3"),
        *notices,
        methods_card(_final_model_facts(store), train_rows),
        dbc.Row([
            dbc.Col(_controls(selection, k_values), lg=4),
            dbc.Col(graph_card(html.Span(_overview_title("silhouette"), id=EXPLORER_OVERVIEW_TITLE),
                               EXPLORER_OVERVIEW, height=440,
                               help_text=_("Click a cell to pick that configuration; the outlined cell is on "
                                           "show; darker is higher.")), lg=8),
        ], className="g-3 mb-3"),
        dbc.Row([dbc.Col(graph_card(_(figures.METRICS[metric]["title"]), component, height=250), lg=3)
                 for metric, component in METRIC_GRAPHS.items() if metric != "stability"], className="g-3 mb-3"),
        # The fifth score beside the chosen solution's silhouettes: both say how well its clusters hold, and the
        # stability's band needs more room than a quarter of the row.
        closed_section(_("Stability, and each client's silhouette"), dbc.Row([
            dbc.Col(graph_card(_(figures.METRICS["stability"]["title"]), EXPLORER_STABILITY, height=420,
                               help_text=view.stability_help(grid)), lg=5),
            dbc.Col(dbc.Card([dbc.CardHeader(_("Silhouette of each sampled client")), dbc.CardBody([
                graph(EXPLORER_KNIFE, height=460),
                html.Div(id=EXPLORER_KNIFE_TEXT, className="small text-muted mt-2"),
            ], className="p-2")], className="mb-3 h-100"), lg=7),
        ], className="g-3 mb-3")),
        closed_section(_("The clients on a t-SNE map"), dbc.Row([
            dbc.Col(graph_card(_("t-SNE map coloured by the K-means clusters"), EXPLORER_TSNE, height=480,
                               help_text=ngettext("{count} training clients; the legend gives each cluster's share "
                                                  "of all training clients; click a point to see the client.",
                                                  "{count} training clients; the legend gives each cluster's share "
                                                  "of all training clients; click a point to see the client.",
                                                  int(grid["tsne_sample"])).format(
                                   count=i18n.number(grid["tsne_sample"]))), lg=8),
            dbc.Col(dbc.Card([dbc.CardHeader(_("Selected client")), dbc.CardBody(
                html.Div(_("Click a point of the map to see the client's full record."), id=EXPLORER_CLIENT,
                         className="small text-muted"),
                className="p-2", style={"maxHeight": "520px", "overflowY": "auto"})], className="mb-3 h-100"),
                lg=4),
        ], className="g-3 mb-3")),
        closed_section(_("Dendrogram"), dbc.Row(dbc.Col(graph_card(
            _("Dendrogram"), EXPLORER_DENDROGRAM, height=520,
            help_text=view.dendrogram_help(grid["dendrogram_sample"], figures.DENDROGRAM_LEAVES))))),
        closed_section(_("A clustering made for categories"),
                       categorical_card(store.targeting["categorical"], catalogue.segment_names(store))),
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
    wanted, search = _checked(selection), inputs.search(search)
    if trigger == EXPLORER_URL:
        store = current_store()
        wanted, _ = view.selection_from_query(url_state.query_parameters(search), view.grid_k_values(store.manifest),
                                              store.final_k)
    elif trigger == EXPLORER_OVERVIEW:
        wanted.update(_clicked_cell(click))
    return {"selection": {name: value if value != selection[name] else no_update for name, value in wanted.items()},
            "search": url_state.search_update(view.selection_query_string(wanted), search,
                                              from_address=trigger == EXPLORER_URL, unchanged=no_update)}


def _checked(selection: dict) -> dict:
    """The widgets' selection, checked against what they offer (:func:`view.selection_from_controls`)."""
    return view.selection_from_controls(selection, view.grid_k_values(current_store().manifest))


def _clicked_cell(click) -> dict:
    """The configuration of the heatmap cell a click reports; nothing before the first click."""
    point = inputs.clicked_point(EXPLORER_OVERVIEW, click)
    if point is None:
        return {}
    x, y = point.get("x"), point.get("y")
    try:
        if not (isinstance(x, str) and isinstance(y, str)):
            raise ValueError
        treatment, pipeline, features = figures.overview_cell(x, y)
    except ValueError:  # overview_cell's answer to labels that are no cell's
        raise inputs.InvalidInput(f"{EXPLORER_OVERVIEW} click at ({inputs.shown(x)}, {inputs.shown(y)}) is on no "
                                  "cell of the heatmap") from None
    return {"treatment": treatment, "pipeline": pipeline, "features": features}


@callback(Output(EXPLORER_OVERVIEW, "figure"), Input(EXPLORER_TREATMENT, "value"),
          Input(EXPLORER_PIPELINE, "value"), Input(EXPLORER_FEATURES, "value"), Input(EXPLORER_K, "value"),
          Input(EXPLORER_OVERVIEW_MODE, "value"), Input(EXPLORER_OVERVIEW_METRIC, "value"))
def update_overview(treatment, pipeline, features, k, mode="k", metric="silhouette"):
    checked = _checked({"treatment": treatment, "pipeline": pipeline, "features": features, "k": k})
    return _overview(current_store(), checked["treatment"], checked["pipeline"], checked["features"], checked["k"],
                     inputs.one_of(EXPLORER_OVERVIEW_MODE, mode, list(OVERVIEW_MODES)),
                     inputs.one_of(EXPLORER_OVERVIEW_METRIC, metric, list(OVERVIEW_METRICS)))


@i18n.cached_per_language(maxsize=16)
def _overview(store: ArtifactStore, treatment: str, pipeline: int, features: str, k: int, mode: str,
              metric: str = "silhouette"):
    return figures.overview_figure(store.grid_metrics, selected=(treatment, pipeline, features),
                                   k=k if mode == "k" else None, train_rows=store.manifest["data"]["train_rows"],
                                   metric=metric, resamples=store.manifest["parameters"]["grid"]["stability_resamples"])


@callback(Output(EXPLORER_OVERVIEW_TITLE, "children"), Input(EXPLORER_OVERVIEW_METRIC, "value"),
          prevent_initial_call=True)
def name_overview(metric):
    """The heatmap's card header names the score on show."""
    return _overview_title(inputs.one_of(EXPLORER_OVERVIEW_METRIC, metric, list(OVERVIEW_METRICS)))


@lru_cache(maxsize=2)
def _final_model_facts(store: ArtifactStore) -> dict:
    # The distinct key values and split of the clients are all the facts need of them.
    keys = client_queries(store).distinct([f"{column}_imputed" for column in domain.SEGMENT_FEATURES] + ["split"])
    return view.final_model_facts(store.grid_metrics, store.evaluation, keys)


@callback(output={"curves": {metric: Output(component, "figure") for metric, component in METRIC_GRAPHS.items()},
                  "label": Output(EXPLORER_CONFIG, "children")},
          inputs=SELECTION_INPUTS)
def update_curves(**selection):
    selection = _checked(selection)
    return _curves(current_store(), view.config_of(selection), selection["k"])


# The curves and maps are pure functions of the read-only artifacts and the selection: each worker keeps the last
# few, so going back and forth between configurations, or many visitors on the default one, cost nothing. Each cache
# is keyed by the store too: a process whose store is replaced (an early build's complete folder) draws afresh.
@i18n.cached_per_language(maxsize=16)
def _curves(store: ArtifactStore, config: str, k: int) -> dict:
    metrics = view.configuration_metrics(store.grid_metrics, config)
    knee = view.knee_of(metrics)
    details = view.configuration_details(config, metrics, k, store.evaluation, store.manifest["data"]["train_rows"],
                                         store.manifest["parameters"]["grid"]["stability_resamples"])
    return {"curves": {metric: figures.metric_curve_figure(metrics, metric, k=k, knee=knee)
                       for metric in METRIC_GRAPHS},
            "label": _details(details)}


def _details(details: dict) -> list:
    """The chosen (configuration, k) as :func:`dashapp.views.explorer.configuration_details` words it."""
    shown = [
        html.Div(details["label"]),
        html.Div(details["scores"]),
        html.Div([_("Cluster sizes (share of the training clients): "),
                  html.Span(details["sizes"], className="explorer-cluster-sizes")]),
    ]
    if details["degenerate"]:
        shown.append(html.Div(f"{figures.FLAG} {details['degenerate']}", className="text-danger fw-semibold"))
    if details["final"]:
        shown.append(html.Div(f"{figures.STAR} {details['final']}", className="fw-semibold"))
    shown.append(more(html.Div(details["stability"], className="explorer-stability"), summary=_("Stability")))
    return shown


@callback(Output(EXPLORER_TSNE, "figure"), Output(EXPLORER_DENDROGRAM, "figure"), inputs=SELECTION_INPUTS)
def update_map(**selection):
    selection = _checked(selection)
    return _maps(current_store(), view.config_of(selection), selection["k"])


@callback(Output(EXPLORER_KNIFE, "figure"), Output(EXPLORER_KNIFE_TEXT, "children"), inputs=SELECTION_INPUTS)
def update_knife(**selection):
    selection = _checked(selection)
    return _knife(current_store(), view.config_of(selection), selection["k"])


@i18n.cached_per_language(maxsize=16)
def _knife(store: ArtifactStore, config: str, k: int) -> tuple:
    """The silhouette plot of (config, k), and what it shows in words: the average's basis, the negative shares."""
    chosen = view.configuration_metrics(store.grid_metrics, config).set_index("k").loc[k]
    samples = store.silhouette_samples(config, k)
    words = [html.P(view.knife_basis(chosen["silhouette_clients"], len(samples), store.manifest["data"]["train_rows"]),
                    className="mb-1"),
             html.Div(_("Negative silhouettes (clients closer to another cluster than to their own):"),
                      className="fw-semibold"),
             html.Ul([html.Li(sentence) for sentence in view.negative_silhouette_sentences(
                 chosen["negative_shares"], chosen["sample_sizes"])], className="ps-3 mb-0")]
    return (figures.silhouette_knife_figure(samples, float(chosen["silhouette"]), k, chosen["negative_shares"],
                                            segments=_segments_of_clusters(store, config, k)),
            words)


def _segments_of_clusters(store: ArtifactStore, config: str, k: int) -> dict[int, int] | None:
    """Label -> segment where (config, k) is the final segmentation (:func:`view.segments_of_clusters`), read
    from the t-SNE map's clients."""
    if config != view.FINAL_CONFIG or k != store.final_k:
        return None
    tsne = store.tsne(config)
    segments = client_queries(store).rows(tsne["client_id"], ("segment",)).loc[tsne["client_id"], "segment"]
    return view.segments_of_clusters(config, k, store.final_k, tsne[f"label_k{k}"], segments)


@i18n.cached_per_language(maxsize=16)
def _maps(store: ArtifactStore, config: str, k: int) -> tuple:
    tsne = store.tsne(config)
    points = view.tsne_points(tsne, client_queries(store).rows(tsne["client_id"], view.HOVER_FIELDS), k)
    shares = view.cluster_shares(view.configuration_metrics(store.grid_metrics, config), k)
    return (figures.tsne_figure(points, k, shares=shares, segments=_segments_of_clusters(store, config, k)),
            figures.dendrogram_figure(store.dendrogram_linkage(config), k=k,
                                      client_ids=store.dendrogram_client_ids))


@callback(Output(EXPLORER_CLIENT, "children"), inputs={"click": Input(EXPLORER_TSNE, "clickData")},
          state={"selection": {name: State(component, "value") for name, component in SELECTION_IDS.items()}},
          prevent_initial_call=True)
def show_client(click, selection):
    """The record of the client clicked on the map on show; only the map's clients have one to show."""
    point = inputs.clicked_point(EXPLORER_TSNE, click)
    if point is None:
        return no_update
    store = current_store()
    # The t-SNE map's first customdata of a point is its client's id.
    client_id = view.mapped_client(store.tsne(view.config_of(_checked(selection))),
                                   inputs.customdata(EXPLORER_TSNE, point, 0))
    record = view.client_record(client_queries(store).rows([client_id]), client_id,
                                catalogue.segment_names(store))
    return [html.H6(_("Client {client}").format(client=client_id), className="mb-2"),
            dbc.Table([html.Tbody([html.Tr([html.Th(field, className="fw-normal text-muted"), html.Td(value)])
                                   for field, value in zip(record["field"], record["value"])])],
                      size="sm", striped=True, className="mb-0")]
