"""The explorer's silhouette plot, stability curve and heatmap control, and the Segments page's stability card:
layouts and callbacks on the artifacts in ``BANK_MODEL_DIR`` (every expected number is read from them)."""

from __future__ import annotations

import dash
import numpy as np
import pytest

import app  # noqa: F401  (creates the app, so the page modules below import as gunicorn loads them)
from dashapp.artifacts.current import current_store
from dashapp.core import domain
from dashapp.views.inputs import InvalidInput
from pages import explorer as explorer_page, segments as segments_page
from tests.layout_helpers import by_id as _by_id, text as _text

FINAL = {"treatment": domain.FINAL_TREATMENT, "pipeline": domain.FINAL_PIPELINE, "features": "final",
         "k": domain.FINAL_K}
OTHER = {"treatment": "raw", "pipeline": 3, "features": "all", "k": 3}


@pytest.fixture(scope="module")
def store():
    return current_store()


def _grid_row(store, selection: dict):
    config = domain.config_id(selection["treatment"], selection["pipeline"], selection["features"])
    return store.grid_metrics.query("config_id == @config and k == @selection['k']").iloc[0]


def test_explorer_layout_has_the_knife_the_stability_curve_and_opens_on_the_silhouette():
    ids = _by_id(dash.page_registry["pages.explorer"]["layout"]())
    for component in (explorer_page.EXPLORER_KNIFE, explorer_page.EXPLORER_KNIFE_TEXT,
                      explorer_page.EXPLORER_STABILITY):
        assert component in ids, component
    assert ids[explorer_page.EXPLORER_OVERVIEW_METRIC].value == "silhouette"
    assert ids[explorer_page.EXPLORER_OVERVIEW_MODE].value == "k"
    assert _text(ids[explorer_page.EXPLORER_OVERVIEW_TITLE]) == "All configurations: silhouette"


@pytest.mark.parametrize("selection", [FINAL, OTHER])
def test_knife_draws_every_sampled_client_by_cluster_with_the_grids_average(store, selection):
    row = _grid_row(store, selection)
    figure, words = explorer_page.update_knife(**selection)
    samples = store.silhouette_samples(row["config_id"], selection["k"])
    assert sum(len(trace.x) for trace in figure.data) == len(samples) == sum(row["sample_sizes"])
    assert len(figure.data) == sum(size > 0 for size in row["sample_sizes"])
    # The final segmentation's bands are the segments, in their order; another solution's, its clusters'.
    segments = explorer_page._segments_of_clusters(store, row["config_id"], selection["k"])
    labels = ([label for label, _number in sorted(segments.items(), key=lambda item: item[1])] if segments
              else range(len(figure.data)))
    for label, trace in zip(labels, figure.data):
        values = samples.loc[samples["cluster"] == label, "silhouette"].to_numpy()
        assert list(trace.x) == pytest.approx(sorted(values, reverse=True))
    (average,) = figure.layout.shapes
    assert average.x0 == pytest.approx(row["silhouette"])
    text = _text(words)
    train_rows = store.manifest["data"]["train_rows"]
    if row["silhouette_clients"] >= train_rows:
        assert f"exact, all {train_rows:,} training clients" in text
    else:
        assert "their average, the grid's silhouette" in text
    negative = [label for label, share in enumerate(row["negative_shares"]) if share > 0]
    for label in negative:
        assert f"cluster {label + 1}: " in text
    if not negative:
        assert "every silhouette is 0 or above" in text


def test_stability_curve_and_details_read_the_grid(store):
    row = _grid_row(store, OTHER)
    shown = explorer_page.update_curves(**OTHER)
    metrics = store.grid_metrics.query("config_id == @row['config_id']").sort_values("k")
    curve = shown["curves"]["stability"]
    np.testing.assert_allclose(np.asarray(curve.data[0].y, dtype=float), metrics["stability"].to_numpy(dtype=float))
    resamples = store.manifest["parameters"]["grid"]["stability_resamples"]
    text = _text(shown["label"])
    if np.isnan(row["stability"]):
        assert "Stability: not measured" in text
    else:
        assert (f"Stability: median ARI {row['stability']:.2f} over {resamples} resamples (range "
                f"{row['stability_min']:.2f}-{row['stability_max']:.2f})") in text


def test_heatmap_colours_by_stability_on_request_and_its_header_follows(store):
    silhouette = explorer_page.update_overview(**FINAL, mode="k")
    stability = explorer_page.update_overview(**FINAL, mode="k", metric="stability")
    rows = [(t, f) for t in domain.TREATMENTS for f in domain.FEATURE_SETS]
    row, column = rows.index((domain.FINAL_TREATMENT, "final")), domain.FINAL_PIPELINE - 1
    final = _grid_row(store, FINAL)
    assert silhouette.data[0].text[row][column] == f"{final['silhouette']:.2f}"
    assert stability.data[0].text[row][column] == f"{final['stability']:.2f}"
    assert stability.data[0].colorscale != silhouette.data[0].colorscale
    assert explorer_page.name_overview("stability") == "All configurations: stability"
    assert explorer_page.name_overview("silhouette") == "All configurations: silhouette"
    with pytest.raises(InvalidInput):
        explorer_page.name_overview("inertia")
    with pytest.raises(InvalidInput):
        explorer_page.update_overview(**FINAL, mode="k", metric="zzz")


def test_segments_page_says_how_stable_the_segments_are(store):
    stability = store.evaluation["stability"]
    ids = _by_id(dash.page_registry["pages.segments"]["layout"]())
    text = _text(ids[segments_page.SEGMENTS_STABILITY])
    lands_on = stability["lands_on"]
    assert (f"Refitted on {stability['resamples']} bootstrap resamples of the {stability['train_clients']:,} "
            "training clients") in text
    assert sum(lands_on.values()) == stability["resamples"]
    assert f"median adjusted Rand index {stability['ari']['median']:.2f}" in text
    for entry in stability["segments"]:
        assert f"Segment {entry['segment']}, " in text
        assert f"is recovered in {entry['recovered']} of {stability['resamples']} resamples" in text
    assert f"only {stability['alternative']['inertia_gap']:.1%} above the published segmentation's" in text
    chart = ids[segments_page.SEGMENTS_STABILITY_CHART].figure
    assert [trace.x[0] for trace in chart.data] == pytest.approx(
        [entry["jaccard_median"] for entry in sorted(stability["segments"], key=lambda e: e["segment"])])
