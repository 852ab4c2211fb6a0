"""The Data and Clustering explorer pages: routes, layouts read from the URL, callbacks (real artifacts)."""

from __future__ import annotations

import base64
import json

import dash
import numpy as np
import plotly.io as pio
import pytest

import app  # noqa: F401  (creates the app, so the page modules below import as gunicorn loads them)
from dashapp.core import domain
from dashapp.figures import explorer as figures
from dashapp.views import privacy
from dashapp.views.explorer import SMALL_CLUSTER_SHARE, final_model_facts, share_text, shares_text
from dashapp.views.inputs import InvalidInput
from pages import data as data_page, explorer as explorer_page
from tests.layout_helpers import by_id as _by_id, components as _components, text as _text

DATA, EXPLORER = "pages.data", "pages.explorer"
NO_FILTER = {"age": None, "job": [], "marital": [], "education": [], "segment": [], "period": None}


def _values(array) -> list:
    """A figure array as JSON carries it: a list, or plotly's base64 form of a numpy array."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def _update(client, output: str, inputs: list[tuple[str, str, object]], changed: list[str],
            status: int = 200) -> dict:
    """POST one callback as the browser does; returns ``{component id: {property: value}}`` (``status`` 204, Dash's
    "no update": an empty dict)."""
    outputs = [dict(zip(("id", "property"), part.split("."))) for part in output.strip(".").split("...")]
    payload = {"output": output, "outputs": outputs if output.startswith("..") else outputs[0],
               "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
               "changedPropIds": changed, "state": []}
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_json()["response"] if status == 200 else {}


def _filter_inputs(**values) -> list[tuple[str, str, object]]:
    controls = {**NO_FILTER, **values}
    return [(component, "value", controls[name]) for name, component in data_page.FILTER_IDS.items()]


# --- Routes and registry ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/data", "/data?job=student&age=20-30", "/explorer",
                                  "/explorer?treatment=raw&pipeline=3&features=all&k=6"])
def test_pages_answer(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "_dash-config" in response.get_data(as_text=True)


def test_dash_layout_and_dependencies_list_the_callbacks(client):
    assert client.get("/_dash-layout").status_code == 200
    outputs = " ".join(d["output"] for d in client.get("/_dash-dependencies").get_json())
    for component in (data_page.DATA_JOB_CHART, data_page.DATA_URL, explorer_page.EXPLORER_ELBOW,
                      explorer_page.EXPLORER_TSNE, explorer_page.EXPLORER_URL, explorer_page.EXPLORER_CLIENT):
        assert component in outputs


def test_registry_names_the_pages_and_groups_them_with_the_original_study():
    assert [(dash.page_registry[name]["path"], dash.page_registry[name]["name"],
             dash.page_registry[name]["nav_group"]) for name in (DATA, EXPLORER)] == [
        ("/data", "Data", "study"), ("/explorer", "Clustering explorer", "study")]


def test_component_ids_are_unique_and_prefixed():
    for name, prefix in ((DATA, "data-"), (EXPLORER, "explorer-")):
        ids = [c.id for c in _components(dash.page_registry[name]["layout"]()) if getattr(c, "id", None)]
        assert len(ids) == len(set(ids))
        assert all(component.startswith(prefix) for component in ids)


# --- Explorer ------------------------------------------------------------------------------------------------


def test_explorer_layout_reads_the_selection_from_the_url():
    layout = dash.page_registry[EXPLORER]["layout"](treatment="raw", pipeline="3", k="5", features="no_socio")
    ids = _by_id(layout)
    assert ids[explorer_page.EXPLORER_TREATMENT].value == "raw"
    assert ids[explorer_page.EXPLORER_PIPELINE].value == 3
    assert ids[explorer_page.EXPLORER_FEATURES].value == "no_socio"
    assert ids[explorer_page.EXPLORER_K].value == 5
    assert ids[explorer_page.EXPLORER_URL].refresh is False


def test_explorer_defaults_to_the_original_choice_and_names_bad_values():
    layout = dash.page_registry[EXPLORER]["layout"](treatment="magic", k="99")
    ids = _by_id(layout)
    assert ids[explorer_page.EXPLORER_TREATMENT].value == domain.FINAL_TREATMENT
    assert ids[explorer_page.EXPLORER_PIPELINE].value == domain.FINAL_PIPELINE
    assert ids[explorer_page.EXPLORER_K].value == domain.FINAL_K
    assert ids[explorer_page.EXPLORER_FEATURES].value == "final"
    text = _text(layout)
    assert "treatment='magic' ignored" in text and "k='99' ignored" in text


def test_explorer_pipeline_options_use_readable_names():
    options = _by_id(dash.page_registry[EXPLORER]["layout"]())[explorer_page.EXPLORER_PIPELINE].options
    assert [option["label"] for option in options] == [spec.name for spec in domain.PIPELINES.values()]


def test_explorer_states_the_sample_sizes_from_the_manifest(full_store):
    grid = full_store.manifest["parameters"]["grid"]
    text = _text(dash.page_registry[EXPLORER]["layout"]())
    assert f"fixed sample of {grid['silhouette_sample']:,} training clients" in text
    assert f"t-SNE maps on {grid['tsne_sample']:,}" in text


def test_explorer_curves_callback(client, full_store):
    output = "..explorer-elbow.figure...explorer-silhouette.figure...explorer-calinski-harabasz.figure..." \
             "explorer-davies-bouldin.figure...explorer-stability.figure...explorer-config.children.."
    response = _update(client, output, [(explorer_page.EXPLORER_TREATMENT, "value", "raw"),
                                        (explorer_page.EXPLORER_PIPELINE, "value", 3),
                                        (explorer_page.EXPLORER_FEATURES, "value", "all"),
                                        (explorer_page.EXPLORER_K, "value", 6)], ["explorer-k.value"])
    metrics = full_store.grid_metrics.query("config_id == 'raw-p3-all'").sort_values("k")
    elbow = response[explorer_page.EXPLORER_ELBOW]["figure"]
    assert _values(elbow["data"][0]["x"]) == metrics["k"].tolist()
    assert _values(elbow["data"][0]["y"]) == pytest.approx(metrics["inertia"].tolist())
    silhouette = response[explorer_page.EXPLORER_SILHOUETTE]["figure"]
    assert _values(silhouette["data"][0]["y"]) == pytest.approx(metrics["silhouette"].tolist())
    assert silhouette["layout"]["shapes"][0]["x0"] == 6


def test_explorer_heatmap_click_moves_the_selection_and_the_url(client):
    output = "..explorer-treatment.value...explorer-pipeline.value...explorer-features.value..." \
             "explorer-k.value...explorer-url.search.."
    click = {"points": [{"x": "P5", "y": "Iterative<br>no socio-econ.", "z": 0.4}]}
    response = _update(client, output, [(explorer_page.EXPLORER_TREATMENT, "value", "knn"),
                                        (explorer_page.EXPLORER_PIPELINE, "value", 8),
                                        (explorer_page.EXPLORER_FEATURES, "value", "all"),
                                        (explorer_page.EXPLORER_K, "value", 4),
                                        (explorer_page.EXPLORER_URL, "search",
                                         "?treatment=knn&pipeline=8&features=all&k=4"),
                                        (explorer_page.EXPLORER_OVERVIEW, "clickData", click)],
                       ["explorer-overview.clickData"])
    assert response[explorer_page.EXPLORER_TREATMENT]["value"] == "iterative"
    assert response[explorer_page.EXPLORER_PIPELINE]["value"] == 5
    assert response[explorer_page.EXPLORER_FEATURES]["value"] == "no_socio"
    assert explorer_page.EXPLORER_K not in response  # k is kept
    assert response[explorer_page.EXPLORER_URL]["search"] == "?treatment=iterative&pipeline=5&features=no_socio&k=4"


def test_explorer_map_sends_only_the_sample(full_store):
    tsne, dendrogram = explorer_page.update_map(treatment="knn", pipeline=8, features="all", k=4)
    points = sum(len(trace.x) for trace in tsne.data)
    assert points == full_store.manifest["parameters"]["grid"]["tsne_sample"]
    assert len(tsne.data) == 4
    assert dendrogram.layout.shapes  # the cut for k=4


def test_explorer_page_stays_under_one_and_a_half_megabytes(client):
    selection = {"treatment": "knn", "pipeline": 8, "features": "all", "k": 15}
    sizes = [len(client.get("/explorer").get_data()), len(client.get("/_dash-layout").get_data())]
    sizes += [len(pio.to_json(explorer_page.update_overview("knn", 8, "all", 15, mode, metric)))
              for mode in explorer_page.OVERVIEW_MODES for metric in explorer_page.OVERVIEW_METRICS]
    curves = explorer_page.update_curves(**selection)["curves"]
    sizes += [len(pio.to_json(figure)) for figure in curves.values()]
    sizes += [len(pio.to_json(figure)) for figure in explorer_page.update_map(**selection)]
    sizes.append(len(pio.to_json(explorer_page.update_knife(**selection)[0])))
    assert sum(sizes) < 1.5e6


def test_clicking_a_tsne_point_shows_the_client_in_readable_labels(full_store):
    clients = full_store.clients
    tsne_ids = full_store.tsne("knn-p8-all")["client_id"]
    client_id = int(tsne_ids[clients.loc[tsne_ids, "education"].eq("basic.9y").to_numpy()].iloc[0])
    shown = explorer_page.show_client({"points": [{"customdata": [client_id, "40", "admin.", "no", "no"]}]},
                                      {"treatment": "knn", "pipeline": 8, "features": "all", "k": 4})
    text = _text(shown)
    assert f"Client {client_id}" in text
    assert str(clients.loc[client_id, "age"]) in text and "Segment" in text
    assert "Basic (9 years)" in text and "Employment variation rate" in text
    assert "basic.9y" not in text and "emp.var.rate" not in text


def test_the_client_card_serves_only_the_clients_on_the_map_on_show(client, full_store):
    """Any of the 41,188 ids used to get its record; now only the points drawn on the t-SNE map have one."""
    selection = {"treatment": "knn", "pipeline": 8, "features": "all", "k": 4}
    on_map = set(full_store.tsne("knn-p8-all")["client_id"].tolist())
    not_on_map = next(client_id for client_id in full_store.clients.index if client_id not in on_map)
    drawn = next(iter(on_map))
    with pytest.raises(InvalidInput, match=str(not_on_map)):
        explorer_page.show_client({"points": [{"customdata": [int(not_on_map), "40"]}]}, selection)
    payload = {"output": "explorer-client.children", "outputs": {"id": "explorer-client", "property": "children"},
               "inputs": [{"id": "explorer-tsne", "property": "clickData", "value": None}],
               "state": [{"id": component, "property": "value", "value": selection[name]}
                         for name, component in explorer_page.SELECTION_IDS.items()],
               "changedPropIds": ["explorer-tsne.clickData"]}
    for client_id, status in [(not_on_map, 204), (41187, 204 if 41187 not in on_map else 200), (drawn, 200)]:
        payload["inputs"][0]["value"] = {"points": [{"customdata": [int(client_id), "40"]}]}
        response = client.post("/_dash-update-component", json=payload)
        assert response.status_code == status, client_id
    assert f"Client {drawn}" in response.get_data(as_text=True)


# --- Explorer: the final model, cluster sizes, small clusters, the methods --------------------------------


FINAL = {"treatment": domain.FINAL_TREATMENT, "pipeline": domain.FINAL_PIPELINE, "features": "final",
         "k": domain.FINAL_K}


def test_explorer_offers_the_final_feature_set():
    options = _by_id(dash.page_registry[EXPLORER]["layout"]())[explorer_page.EXPLORER_FEATURES].options
    assert [option["value"] for option in options] == ["all", "no_socio", "final"]


def test_final_configuration_shows_the_exact_silhouette_and_its_sizes(full_store):
    final = full_store.evaluation["final"]
    text = _text(explorer_page.update_curves(**FINAL)["label"])
    assert f"k={domain.FINAL_K}: silhouette {final['silhouette']:.3f} (exact, all 28,831 training clients)" in text
    assert "silhouette 0.630 (exact" in text  # the original study's 0.63, to the page's three digits
    shares = full_store.grid_metrics.query("config_id == 'knn-p8-final' and k == 4")["cluster_shares"].iloc[0]
    assert "Cluster sizes (share of the training clients):" in text
    assert ", ".join(f"{n}: {share:.0%}" for n, share in enumerate(shares, start=1)) in text
    for label, segment in final["segment_of_label"].items():
        assert f"cluster {int(label) + 1} is segment {segment}" in text
    assert sorted(round(share, 2) for share in shares) == [0.15, 0.16, 0.26, 0.43]  # the Overview's shares
    assert "The final segmentation" in text and "Degenerate" not in text


def test_every_configuration_and_k_shows_its_cluster_sizes(full_store):
    grid = full_store.grid_metrics
    for config in ("raw-p1-all", "iterative-p6-no_socio", "knn-p3-final"):
        for k in (2, 9, 15):
            shares = grid.query("config_id == @config and k == @k")["cluster_shares"].iloc[0]
            curves = explorer_page._curves(full_store, config, k)
            assert ", ".join(f"{n}: {share_text(s)}" for n, s in enumerate(shares, start=1)) in _text(
                curves["label"])
            assert curves["curves"]["silhouette"].data[0].customdata[k - 2].endswith(shares_text(shares))


def test_a_degenerate_solution_is_flagged_in_the_details_curves_and_heatmap(full_store):
    grid = full_store.grid_metrics
    small = grid[grid["smallest_share"] < SMALL_CLUSTER_SHARE].sort_values(["config_id", "k"]).iloc[0]
    treatment, pipeline, features = small["treatment"], int(small["pipeline"]), small["feature_set"]
    selection = {"treatment": treatment, "pipeline": pipeline, "features": features, "k": int(small["k"])}
    text = _text(explorer_page.update_curves(**selection)["label"])
    assert "Degenerate: cluster" in text and f"holds {share_text(small['smallest_share'])} of the clients" in text
    curve = explorer_page.update_curves(**selection)["curves"]["silhouette"]
    assert int(small["k"]) in list(curve.data[1].x) and curve.data[1].name == "small cluster"
    heatmap = explorer_page.update_overview(treatment, pipeline, features, int(small["k"]), "k")
    rows = [(t, f) for t in domain.TREATMENTS for f in domain.FEATURE_SETS]
    flags = {(a.x, a.y) for a in heatmap.layout.annotations if a.text == figures.FLAG}
    assert (pipeline - 1 + 0.5, rows.index((treatment, features)) - 0.5) in flags


def test_heatmap_at_k4_shows_the_final_models_silhouette_under_the_star(full_store):
    heatmap = explorer_page.update_overview(**FINAL, mode="k")
    rows = [(t, f) for t in domain.TREATMENTS for f in domain.FEATURE_SETS]
    row, column = rows.index((domain.FINAL_TREATMENT, "final")), domain.FINAL_PIPELINE - 1
    assert heatmap.data[0].text[row][column] == f"{full_store.evaluation['final']['silhouette']:.2f}" == "0.63"
    (star,) = [a for a in heatmap.layout.annotations if a.text == figures.STAR]
    assert (star.x, star.y) == (column - 0.5, row - 0.5)


def test_tsne_legend_and_dendrogram_leaves_say_how_many_clients(full_store):
    tsne, dendrogram = explorer_page.update_map(**FINAL)
    # The final configuration's clusters are the segments: named, ordered and counted as the segments.
    shares = full_store.evaluation["final"]["shares"]
    assert [trace.name for trace in tsne.data] == [f"Segment {n} ({float(shares[str(n)]):.0%})" for n in range(1, 5)]
    other, _dendrogram = explorer_page.update_map(**{**FINAL, "k": 5})
    shares = full_store.grid_metrics.query("config_id == 'knn-p8-final' and k == 5")["cluster_shares"].iloc[0]
    assert [trace.name for trace in other.data] == [f"Cluster {n} ({share:.0%})" for n, share in
                                                    enumerate(shares, start=1)]
    leaves = list(dendrogram.layout.yaxis.ticktext)
    assert all(label.endswith(" clients") or label.startswith("client ") for label in leaves)
    assert not any(label.startswith("(") or label.isdigit() for label in leaves)


def test_methods_card_reads_its_numbers_from_the_artifacts(full_store):
    text = " ".join(_text(dash.page_registry[EXPLORER]["layout"]()).split())
    facts = final_model_facts(full_store.grid_metrics, full_store.evaluation)
    assert "Methods: why KNN, pipeline 8 and k = 4" in text
    assert f"At k = 4 its silhouette is {facts['silhouette']:.3f} (exact, all 28,831 training clients" in text
    assert "0.630" in text
    assert f"gives {full_store.evaluation['final']['silhouette']:.3f}" in text
    assert f"{full_store.evaluation['final']['silhouette_sampled']:.3f} on the shared sample" in text
    assert "batchatilionus/ML_OPS-Banking-lustering-and-Classification" in text
    # Change the numbers: the text follows (nothing is typed in).
    changed = dict(facts, silhouette=0.123, knee=7, best_k=9, best_silhouette=0.456, rank_at_k=5)
    changed_text = _text(explorer_page.methods_card(changed, 28831))
    for number in ("0.123", "k = 7", "0.456 at k = 9", "ranks 5"):
        assert number in changed_text


# --- Data page -----------------------------------------------------------------------------------------------


def test_data_layout_reads_the_filter_from_the_url():
    layout = dash.page_registry[DATA]["layout"](job="student,admin.", age="20-30", segment="3",
                                                **{"from": "2009-01", "to": "2009-12"})
    ids = _by_id(layout)
    assert ids[data_page.DATA_JOB].value == ["admin.", "student"]
    assert ids[data_page.DATA_AGE].value == [20, 30]
    assert ids[data_page.DATA_SEGMENT].value == [3]
    period = ids[data_page.DATA_PERIOD]
    assert period.marks[period.value[0]] == "Jan 2009"
    assert period.value[1] - period.value[0] == 11
    assert ids[data_page.DATA_MARITAL].value == []


def test_data_layout_defaults_to_everyone_and_names_bad_values():
    layout = dash.page_registry[DATA]["layout"](job="pilot")
    ids = _by_id(layout)
    assert ids[data_page.DATA_JOB].value == []
    assert ids[data_page.DATA_AGE].value == [17, 98]
    assert "'pilot' ignored" in _text(layout)


def test_data_profile_follows_the_filter(full_store):
    age, share, marital, job = data_page.update_profile(
        **{**NO_FILTER, "job": ["student", "retired"], "age": [17, 98], "period": [0, 30]})
    assert list(job.data[0].x) == ["Retired", "Student"]  # the jobs' labels
    assert list(job.data[0].customdata) == ["retired", "student"]  # and their codes, which a click filters by
    clients = full_store.clients
    students = clients[clients["job"] == "student"]
    assert job.data[0].y[1] == len(students)
    assert job.data[1].y[1] == pytest.approx((students["y"] == "yes").mean())
    assert sum(age.data[0].y) + sum(age.data[1].y) == len(students) + (clients["job"] == "retired").sum()


def test_data_filter_that_matches_nobody_says_so():
    figures = data_page.update_previous(1, **{**NO_FILTER, "job": ["student"], "age": [90, 98]})
    assert all("No client matches" in figure.layout.annotations[0].text for figure in figures)


@pytest.mark.parametrize("chart, widget, value, query", [
    (data_page.DATA_JOB_CHART, data_page.DATA_JOB, "technician", "?job=technician"),
    (data_page.DATA_SEGMENT_CHART, data_page.DATA_SEGMENT, 3, "?segment=3"),
])
def test_data_bar_click_sets_the_filter_and_the_url(client, chart, widget, value, query):
    output = "..data-age.value...data-job.value...data-marital.value...data-education.value...data-segment.value..." \
             "data-period.value...data-url.search.."
    clicks = {component: None for component in data_page.CLICK_FILTERS}
    clicks[chart] = {"points": [{"customdata": value, "x": str(value)}]}
    inputs = _filter_inputs(age=[17, 98], period=[0, 30]) + [(data_page.DATA_URL, "search", "")] + [
        (component, "clickData", click) for component, click in clicks.items()] + [
        (data_page.DATA_RESET, "n_clicks", None)]
    response = _update(client, output, inputs, [f"{chart}.clickData"])
    assert response[widget]["value"] == [value]
    assert response[data_page.DATA_URL]["search"] == query
    assert data_page.DATA_AGE not in response  # unchanged widgets are not sent


def test_data_url_change_sets_the_widgets(client):
    """The browser's back button changes the URL; the widgets follow."""
    output = "..data-age.value...data-job.value...data-marital.value...data-education.value...data-segment.value..." \
             "data-period.value...data-url.search.."
    inputs = _filter_inputs(age=[17, 98], job=["technician"], period=[0, 30]) + [
        (data_page.DATA_URL, "search", "?marital=single&age=30-40")] + [
        (component, "clickData", None) for component in data_page.CLICK_FILTERS] + [
        (data_page.DATA_RESET, "n_clicks", None)]
    response = _update(client, output, inputs, ["data-url.search"])
    assert response[data_page.DATA_JOB]["value"] == []
    assert response[data_page.DATA_MARITAL]["value"] == ["single"]
    assert response[data_page.DATA_AGE]["value"] == [30, 40]
    assert data_page.DATA_URL not in response  # never rewritten, even into canonical order: back must work


def test_data_economy_and_unknowns_callbacks_over_http_draw_once_opened(client):
    filters = _filter_inputs(age=[17, 98], period=[0, 30])
    economy = "..data-monthly-chart.figure...data-indicators-chart.figure.."
    # A closed section draws nothing.
    _update(client, economy, filters + [(data_page.opener_id(data_page.ECONOMY), "n_clicks", 0)], ["data-age.value"],
            status=204)
    response = _update(client, economy, filters + [(data_page.opener_id(data_page.ECONOMY), "n_clicks", 1)],
                       ["data-economy-open.n_clicks"])
    monthly = response[data_page.DATA_MONTHLY_CHART]["figure"]
    assert len(_values(monthly["data"][0]["x"])) == 31  # May 2008 to November 2010, months without calls too
    assert sum(_values(monthly["data"][0]["y"])) == 41188
    response |= _update(client, "..data-unknown-chart.figure..",
                        filters + [(data_page.opener_id(data_page.UNKNOWN), "n_clicks", 1)], ["data-age.value"])
    unknown = response[data_page.DATA_UNKNOWN_CHART]["figure"]["data"][0]
    assert dict(zip(_values(unknown["y"]), _values(unknown["x"])))["Credit in default"] == 8597  # the column by its name
    sizes = json.dumps(response)
    assert len(sizes) < 200_000  # aggregates only


def test_a_filter_that_selects_fewer_clients_than_a_group_may_hold_shows_none_of_them(monkeypatch):
    # Ages 95 to 98: three clients (issue 25: a filter to one age picked out one client and drew 17 charts of them).
    few = {**NO_FILTER, "age": [95, 98]}
    figures = [*data_page.update_profile(**few), *data_page.update_campaign(1, **few)]
    assert all(figure.layout.annotations[0].text.startswith("Fewer than 10 clients match") for figure in figures)
    assert all(not figure.data for figure in figures)
    headline = _text(data_page.update_headline(**few))
    assert "< 10" in headline and "Subscribed" not in headline and "3 of" not in headline
    # Ten clients (ages 90 to 98) are a group that may be shown; and the size is configurable.
    assert data_page.update_profile(**{**NO_FILTER, "age": [90, 98]})[0].data
    monkeypatch.setenv(privacy.MIN_GROUP_ENV, "2")
    assert "Subscribed" in _text(data_page.update_headline(**few))
    monkeypatch.setenv(privacy.MIN_GROUP_ENV, "zero")
    with pytest.raises(ValueError, match=privacy.MIN_GROUP_ENV):
        privacy.min_group_size()
