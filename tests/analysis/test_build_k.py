"""k is a build parameter: quick builds with --k 3 and --k 5, whose pages render and whose API scores.

One quick build per k (module-scoped), made through the command line as an analyst would run it: k = 3 of the
UCI archive's 10% sample, as k flows through the build, the pages and the API whatever the file; k = 5 of the UCI
file, the only file whose overview may set the original study's shares beside its own, to check that it does not
at a k other than the study's.
"""

from __future__ import annotations

from types import SimpleNamespace

import dash
import pytest

import app  # noqa: F401  (creates the app, so the page modules import as gunicorn loads them)
from dashapp.analysis.build import BuildParameters
from dashapp.artifacts.current import current_store
from dashapp.artifacts.model_folder import ArtifactStore
from dashapp.core import catalogue, domain
from dashapp.core.settings import get_settings
from dashapp.scoring import scorer
from scripts import build_artifacts
from tests.layout_helpers import by_id, text
from tests.sample_builds import SAMPLE_OPTIONS

CLIENT = {"job": "technician", "housing": "yes", "loan": "no", "education": "university.degree",
          "marital": "married", "default": "no", "age": 41}


@pytest.fixture(scope="module", params=[(3, "bank_sample_csv"), (5, "bank_csv")], ids=["k3-sample", "k5-uci"])
def built(request, tmp_path_factory):
    """A quick build with ``--k`` set, served as this process's artifacts while the module's tests run."""
    k, csv_fixture = request.param
    csv = request.getfixturevalue(csv_fixture)
    model_dir = tmp_path_factory.mktemp(f"quick-k{k}") / "model"
    # Both as the suite's builds of the sample are (tests/sample_builds.py: t-SNE maps of 50 clients): what is
    # checked here is k's way through the build, the pages and the API, which the maps' size does not touch.
    assert build_artifacts.main([*SAMPLE_OPTIONS, "--k", str(k), "--jobs", "1", "--quiet", "--csv", str(csv),
                                 "--model-dir", str(model_dir)]) == 0
    patch = pytest.MonkeyPatch()
    patch.setenv("BANK_MODEL_DIR", str(model_dir))
    get_settings.cache_clear()
    yield SimpleNamespace(k=k, store=ArtifactStore(model_dir), model_dir=model_dir)
    patch.undo()
    get_settings.cache_clear()


def test_the_build_records_k_and_numbers_k_segments(built):
    store, k = built.store, built.k
    assert store.manifest["parameters"]["final_k"] == k and store.final_k == k
    assert store.segment_numbers == tuple(range(1, k + 1))
    assert [p["segment"] for p in store.profiles["segments"]] == list(range(1, k + 1))
    assert sorted(int(s) for s in store.clients["segment"].unique()) == list(range(1, k + 1))
    assert [s["segment"] for s in store.evaluation["stability"]["segments"]] == list(range(1, k + 1))
    assert store.response["segments"] == list(range(1, k + 1))
    assert store.targeting["categorical"]["crosstab"]["k"] == k
    assert len(store.evaluation["classifier"]["tree"]["confusion_matrix"]) == k
    # The grid's run of the final configuration at this k is the final segmentation.
    row = store.grid_metrics.query("config_id == 'knn-p8-final' and k == @k").iloc[0]
    assert row["silhouette"] == pytest.approx(store.evaluation["final"]["silhouette"], abs=1e-9)


def test_every_segment_has_a_name_a_description_products_and_its_own_colour(built):
    segments = catalogue.segments(built.store)
    assert list(segments) == list(range(1, built.k + 1))
    assert len({s.colour for s in segments.values()}) == built.k
    for segment in segments.values():
        assert segment.name and segment.description.endswith(".") and segment.products
        assert segment.kind in domain.SEGMENT_KINDS


@pytest.mark.parametrize("page", ["pages.overview", "pages.data", "pages.explorer", "pages.segments", "pages.tree",
                                  "pages.response", "pages.targeting", "pages.score", "pages.methods"])
def test_every_page_renders(built, page):
    layout = dash.page_registry[page]["layout"]()
    assert "not available" not in text(layout)


def test_the_overview_says_how_k_was_chosen_and_shows_k_cards(built):
    from pages.overview import OVERVIEW_SEGMENTS, segment_link_id

    layout = dash.page_registry["pages.overview"]["layout"]()
    shown = text(layout)
    assert catalogue.k_choice_sentence(built.k) in shown and f"--k {built.k}" in shown
    assert f"The {catalogue.number_word(built.k)} segments" in shown
    ids = by_id(layout)
    assert len(ids[OVERVIEW_SEGMENTS].children) == built.k and segment_link_id(built.k) in ids
    # The original study's shares are of its four segments: not set beside another k's. Only a build of the UCI
    # file could show them at all, so the k = 5 build is what checks this.
    assert "Original study: " not in text(ids[OVERVIEW_SEGMENTS])


def test_the_explorer_opens_on_the_builds_k(built):
    from pages.explorer import EXPLORER_K

    assert by_id(dash.page_registry["pages.explorer"]["layout"]())[EXPLORER_K].value == built.k


def test_the_segments_page_shows_the_last_segment(built, monkeypatch):
    from pages import segments as page

    layout = dash.page_registry["pages.segments"]["layout"](segment=str(built.k))
    assert catalogue.segment_names(current_store())[built.k] in text(layout)
    monkeypatch.setattr(page, "ctx", SimpleNamespace(triggered_id=page.SEGMENTS_PICKER))
    shown = page.show_segment(built.k, None, "")
    assert shown["search"] == f"?segment={built.k}"
    assert catalogue.segment_names(current_store())[built.k] in text(shown["detail"])


def test_the_api_scores_and_lists_k_segments(built):
    from app import server

    client = server.test_client()
    listed = client.get("/api/v1/segments").get_json()["segments"]
    assert [s["segment"] for s in listed] == list(range(1, built.k + 1))
    assert set(listed[0]) == {"segment", "name", "description", "products", "original_recommendation", "colour"}
    answer = client.post("/api/v1/score", json=CLIENT)
    assert answer.status_code == 200
    result = answer.get_json()
    names = catalogue.segment_names(current_store())
    assert 1 <= result["segment"] <= built.k and result["name"] == names[result["segment"]]
    schema = client.get("/api/v1/openapi.json").get_json()
    assert schema["components"]["schemas"]["ScoreResult"]["properties"]["segment"]["enum"] == list(
        range(1, built.k + 1))


def test_a_scored_file_names_the_builds_segments(built):
    import pandas as pd

    model = scorer.scoring_model(built.store)
    result = scorer.score_table(pd.DataFrame([CLIENT, {**CLIENT, "loan": "yes"}]), model)
    names = catalogue.segment_names(built.store)
    assert list(result.table["segment_name"]) == [names[s] for s in result.table["segment"]]
    assert sum(scorer.segment_counts(result, names).values()) == 2


def test_k_outside_the_grid_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        build_artifacts.main(["--quick", "--k", "7", "--model-dir", "/nonexistent"])
    assert exit_.value.code == 2
    assert "--k 7" in capsys.readouterr().err
    with pytest.raises(ValueError, match="final_k=16 must be one of the grid's k values 2..15"):
        BuildParameters(final_k=16)


def test_a_build_at_another_k_is_stale_for_if_stale():
    from dashapp.artifacts.model_folder import staleness

    built_at_4 = {"parameters": BuildParameters.for_mode("quick").to_json()}
    asked_for_3 = BuildParameters.for_mode("quick", final_k=3).to_json()
    assert "the build parameters differ" in staleness(built_at_4, None, asked_for_3)
    assert "the build parameters differ" not in staleness(built_at_4, None, built_at_4["parameters"])
