"""The build on the real data: a complete, consistent, reproducible, atomic set of artifacts, and a loader
that refuses what it should."""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashapp.analysis import build, grid_runner
from dashapp.analysis.build import BuildParameters, build_artifacts
from dashapp.artifacts import model_folder
from dashapp.artifacts.model_folder import ArtifactError, ArtifactStore
from dashapp.core.settings import BANK_FULL_SHA256
from tests.sample_builds import sample_parameters


def test_quick_manifest_lists_every_artifact_with_its_checksum(quick_model_dir):
    manifest = json.loads((quick_model_dir / model_folder.MANIFEST).read_text())
    assert set(manifest["artifacts"]) == set(model_folder.ARTIFACT_FILES)
    assert sorted(p.name for p in quick_model_dir.iterdir()) == sorted((*model_folder.ARTIFACT_FILES,
                                                                        model_folder.MANIFEST))
    for name, entry in manifest["artifacts"].items():
        assert model_folder.file_sha256(quick_model_dir / name) == entry["sha256"]
    assert manifest["data"]["sha256"] == BANK_FULL_SHA256
    assert manifest["code_version"] == model_folder.code_version()
    assert {"scikit-learn", "pandas", "numpy"} <= set(manifest["versions"])
    assert manifest["parameters"]["mode"] == "quick"
    assert set(manifest["stage_seconds"]) == {"data", "treatments", "grid", "segmentation", "stability", "benchmarks",
                                               "write"}


def test_quick_artifacts_are_consistent_with_each_other(quick_model_dir):
    store = ArtifactStore(quick_model_dir)
    k_values = BuildParameters.for_mode("quick").grid.k_values
    assert len(store.clients) == math.ceil(41188 / build.QUICK_ROW_STEP)
    assert len(store.grid_metrics) == 72 * len(k_values)
    assert store.grid_metrics["config_id"].nunique() == 72
    grid = store.manifest["grid"]
    assert (grid["configurations"], grid["fitted"]) == (72, 60)
    assert set(grid["work_seconds"]) == {"preprocess", "kmeans", "stability", "tsne", "dendrogram"}
    tsne = store.tsne("knn-p8-all")
    assert len(tsne) == 300 and set(tsne["client_id"]) <= set(store.clients.index)
    assert store.clients.loc[tsne["client_id"], "split"].eq("train").all()
    assert store.dendrogram_linkage("raw-p1-all").shape == (99, 4)
    assert store.clients["segment"].isin([1, 2, 3, 4]).all()
    profiles = store.profiles["segments"]
    assert sum(p["clients"] for p in profiles) == (store.clients["split"] == "train").sum()
    nodes = store.evaluation["tree_nodes"]
    assert nodes[0]["samples"] == store.evaluation["classifier"]["train_rows"]
    assert store.segmentation_model.tree.get_depth() <= 3


def test_knife_plots_hold_every_sampled_client_and_agree_with_the_grid(quick_model_dir):
    store = ArtifactStore(quick_model_dir)
    sample = store.manifest["parameters"]["grid"]["silhouette_sample"]
    for row in store.grid_metrics[store.grid_metrics["config_id"].isin(["raw-p1-all", "knn-p8-final"])].itertuples():
        knife = store.silhouette_samples(row.config_id, row.k)
        assert len(knife) == sample and knife["silhouette"].dtype == "float32"
        assert knife["cluster"].is_monotonic_increasing
        assert all(group.is_monotonic_increasing for _, group in knife.groupby("cluster")["silhouette"])
        assert np.bincount(knife["cluster"], minlength=row.k).tolist() == list(row.sample_sizes)
        step = 1 / model_folder.SILHOUETTE_STEPS
        if row.silhouette_clients == sample:  # the grid's average is this sample's mean
            assert knife["silhouette"].mean() == pytest.approx(row.silhouette, abs=step)
        # Values within half a step of 0 round to 0, so the exact share (the grid's) lies between the shares of
        # drawn values below 0 and at or below 0.
        by_cluster = knife.groupby("cluster")["silhouette"]
        below = by_cluster.apply(lambda values: (values < 0).mean()).reindex(range(row.k)).to_numpy()
        at_most = by_cluster.apply(lambda values: (values <= 0).mean()).reindex(range(row.k)).to_numpy()
        exact = np.asarray(row.negative_shares, dtype=float)
        drawn = ~np.isnan(below)
        assert np.all(below[drawn] - 1e-12 <= exact[drawn]) and np.all(exact[drawn] <= at_most[drawn] + 1e-12)
        assert np.isnan(exact[~drawn]).all()
        assert row.stability_min <= row.stability <= row.stability_max <= 1


def test_the_final_segmentations_stability_is_reported(quick_model_dir):
    store = ArtifactStore(quick_model_dir)
    stability = store.evaluation["stability"]
    resamples = store.manifest["parameters"]["stability"]["resamples"]
    assert stability["resamples"] == resamples
    assert sum(stability["lands_on"].values()) == resamples
    assert stability["ari"]["min"] <= stability["ari"]["median"] <= stability["ari"]["max"] <= 1
    assert [s["segment"] for s in stability["segments"]] == [1, 2, 3, 4]
    assert all(s["recovered"] + s["dissolved"] <= resamples for s in stability["segments"])
    shares = {s: v for s, v in store.evaluation["final"]["shares"].items()}
    assert stability["published"]["shares"] == pytest.approx(shares)
    assert stability["alternative"]["ari_with_published"] < 1


def test_quick_targeting_benchmark_agrees_with_the_clients_table(quick_model_dir):
    store = ArtifactStore(quick_model_dir)
    targeting, clients = store.targeting, store.clients
    train, test = clients[clients["split"] == "train"], clients[clients["split"] == "test"]
    assert targeting["test_clients"] == len(test) and targeting["train_clients"] == len(train)
    assert targeting["base_rate"] == pytest.approx((test["y"] == "yes").mean())
    for segment, rate in targeting["segment_rates"].items():
        assert rate == pytest.approx((train.loc[train["segment"] == int(segment), "y"] == "yes").mean())
    assert "duration" not in targeting["inputs"]
    assert targeting["methods"]["segments"]["distinct_scores"] <= 4
    categorical = targeting["categorical"]
    assert categorical["clients"] == len(train)
    by_segment = [sum(column) for column in zip(*categorical["crosstab"]["counts"])]
    assert by_segment == [int((train["segment"] == s).sum()) for s in categorical["segments"]]
    assert [s["k"] for s in categorical["kmodes"]] == list(range(2, 9))


def test_grid_stores_every_solutions_cluster_shares(quick_model_dir):
    grid = ArtifactStore(quick_model_dir).grid_metrics
    for row in grid.itertuples():
        shares = list(row.cluster_shares)
        assert len(shares) == row.k and sum(shares) == pytest.approx(1, abs=1e-5)
        assert row.smallest_share == pytest.approx(min(shares), abs=1e-6)


def test_final_feature_set_reproduces_the_final_segmentation_exactly(quick_model_dir):
    """The grid's KNN / pipeline 8 / job, housing, loan / k = 4 run is the final segmentation: same shares, and its
    silhouette is the exact one of the report (not the sampled one)."""
    store = ArtifactStore(quick_model_dir)
    final = store.evaluation["final"]
    grid = store.grid_metrics
    row = grid[(grid["config_id"] == "knn-p8-final") & (grid["k"] == final["k"])].iloc[0]
    assert row["silhouette_clients"] == store.evaluation["classifier"]["train_rows"]
    assert row["silhouette"] == pytest.approx(final["silhouette"], abs=1e-9)
    by_segment = {final["segment_of_label"][str(label)]: share for label, share in enumerate(row["cluster_shares"])}
    assert by_segment == pytest.approx({int(s): v for s, v in final["shares"].items()}, abs=1e-6)
    # The other feature sets keep the shared sample.
    assert (grid.loc[grid["feature_set"] != "final", "silhouette_clients"] == store.manifest["parameters"]["grid"]
            ["silhouette_sample"]).all()


def test_final_feature_set_pipelines_5_to_8_are_copies_of_1_to_4(quick_model_dir):
    store = ArtifactStore(quick_model_dir)
    grid = store.grid_metrics.set_index(["config_id", "k"])
    columns = ["inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "smallest_share"]
    for treatment in ("raw", "knn", "iterative"):
        for pipeline in (5, 6, 7, 8):
            copy, source = f"{treatment}-p{pipeline}-final", f"{treatment}-p{pipeline - 4}-final"
            assert grid.loc[copy, columns].equals(grid.loc[source, columns])
            assert store.tsne(copy)[["x", "y"]].equals(store.tsne(source)[["x", "y"]])
    # With numeric columns the numeric scaler matters: P8 and P4 differ on all features.
    assert not grid.loc["knn-p8-all", "inertia"].equals(grid.loc["knn-p4-all", "inertia"])


def test_dendrogram_sample_client_ids_are_training_clients(quick_model_dir):
    store = ArtifactStore(quick_model_dir)
    ids = store.dendrogram_client_ids
    assert len(ids) == len(store.dendrogram_linkage("knn-p8-final")) + 1
    assert store.clients.loc[ids, "split"].eq("train").all()


def test_build_parameters_keep_the_final_feature_sets_starts_with_the_final_segmentations():
    from dashapp.analysis.clustering import GridParameters

    with pytest.raises(ValueError, match="final_features_n_init=3 must equal final_n_init=10"):
        BuildParameters(grid=GridParameters(final_features_n_init=3))


def test_rebuild_gives_identical_numbers(sample_model_dir, bank_sample_csv, tmp_path):
    # Reproducibility is the code's, not the data's: the 10% sample shows it in a tenth of the rows, and, split at
    # random, shows the seeded split reproduced too (the UCI file's split is its row order).
    again = tmp_path / "model"
    build_artifacts(bank_sample_csv, again, sample_parameters(), jobs=os.cpu_count() or 1, progress=False)
    first, second = ArtifactStore(sample_model_dir), ArtifactStore(again)
    pd.testing.assert_frame_equal(first.grid_metrics, second.grid_metrics)
    pd.testing.assert_frame_equal(first._tsne, second._tsne)
    pd.testing.assert_frame_equal(first.clients, second.clients)
    assert first.evaluation == second.evaluation
    assert first.profiles == second.profiles
    for name in (model_folder.GRID_METRICS, model_folder.TSNE, model_folder.CLIENTS, model_folder.EVALUATION):
        assert first.manifest["artifacts"][name]["sha256"] == second.manifest["artifacts"][name]["sha256"]


def test_failed_build_leaves_previous_artifacts_intact(sample_model_dir, bank_sample_csv, tmp_path, monkeypatch):
    # Atomicity is the build's, whatever the source: a build of the sample reaches the grid (and the crash) sooner.
    target = tmp_path / "model"
    shutil.copytree(sample_model_dir, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # as if Ctrl-C arrived in the middle of the grid

    monkeypatch.setattr(grid_runner, "cluster_partition", crash)
    with pytest.raises(KeyboardInterrupt):
        build_artifacts(bank_sample_csv, target, sample_parameters(), jobs=1, progress=False)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no staging folder left behind


def test_if_stale_skips_a_current_build(quick_model_dir, bank_csv):
    from scripts.build_artifacts import main

    built_at = json.loads((quick_model_dir / model_folder.MANIFEST).read_text())["built_at"]
    assert main(["--quick", "--if-stale", "--quiet", "--csv", str(bank_csv), "--model-dir", str(quick_model_dir)]) == 0
    assert json.loads((quick_model_dir / model_folder.MANIFEST).read_text())["built_at"] == built_at


@pytest.fixture
def copied_model(quick_model_dir, tmp_path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(quick_model_dir, target)
    return target


def _edit_manifest(model_dir: Path, edit) -> None:
    path = model_dir / model_folder.MANIFEST
    manifest = json.loads(path.read_text())
    edit(manifest)
    path.write_text(json.dumps(manifest))


def test_loader_refuses_a_changed_artifact(copied_model):
    with (copied_model / model_folder.PROFILES).open("a") as handle:
        handle.write(" ")
    with pytest.raises(ArtifactError, match="profiles.json does not match its checksum.*make artifacts"):
        ArtifactStore(copied_model)


def test_loader_refuses_a_missing_artifact(copied_model):
    (copied_model / model_folder.TSNE).unlink()
    with pytest.raises(ArtifactError, match="tsne.parquet is missing.*make artifacts"):
        ArtifactStore(copied_model)


def test_loader_refuses_another_scikit_learn_version(copied_model):
    _edit_manifest(copied_model, lambda m: m["versions"].update({"scikit-learn": "0.24.2"}))
    with pytest.raises(ArtifactError, match="scikit-learn 0.24.2 at build.*make artifacts"):
        ArtifactStore(copied_model)


def test_loader_refuses_artifacts_from_other_code(copied_model):
    _edit_manifest(copied_model, lambda m: m.update({"code_version": "0000"}))
    with pytest.raises(ArtifactError, match="stale.*analysis code changed"):
        ArtifactStore(copied_model)


def test_loader_says_what_to_run_when_nothing_is_built(tmp_path):
    with pytest.raises(ArtifactError, match=r"No artifacts in .*Build them with `make artifacts`"):
        ArtifactStore(tmp_path)


def test_staleness_names_data_and_parameter_changes(quick_model_dir):
    manifest = model_folder.read_manifest(quick_model_dir)
    assert model_folder.staleness(manifest, BANK_FULL_SHA256, BuildParameters.for_mode("quick").to_json()) == []
    reasons = model_folder.staleness(manifest, "f" * 64, BuildParameters.for_mode("full").to_json())
    assert any("checksum differs" in r for r in reasons) and any("parameters differ" in r for r in reasons)


def test_code_version_covers_every_module_the_build_imports_and_not_the_wording():
    from dashapp.artifacts.model_folder import build_modules

    modules = build_modules()
    for name in ("analysis/build.py", "core/domain.py", "sources/bank_table.py", "analysis/preprocessing.py",
                 "analysis/clustering.py", "analysis/segmentation.py", "artifacts/model_folder.py", "core/fields.py",
                 "artifacts/neighbours.py", "analysis/__init__.py"):
        assert name in modules
    # Segment names and product suggestions are presentation: rewording them must not force a rebuild.
    assert "core/catalogue.py" not in modules


def test_changing_the_table_of_client_fields_changes_the_code_version(tmp_path):
    """The neighbour index is written from dashapp/core/fields.py: editing it must make the artifacts stale."""
    import subprocess
    import sys

    package = Path(build.__file__).resolve().parent.parent  # dashapp/, above analysis/build.py
    shutil.copytree(package, tmp_path / "dashapp", ignore=shutil.ignore_patterns("__pycache__"))
    code = "from dashapp.artifacts.model_folder import code_version; print(code_version())"

    def version() -> str:
        return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONPATH": str(tmp_path)}).stdout.strip()

    assert version() == model_folder.code_version()
    fields_module = tmp_path / "dashapp" / "core" / "fields.py"
    fields_module.write_text(fields_module.read_text().replace('"Credit in default"', '"Defaulted"'))
    assert version() != model_folder.code_version()


def test_knife_rows_round_trip_in_steps_and_keep_missing_values(tmp_path):
    knife = pd.DataFrame({"config_id": ["a-p1-all"] * 4 + ["b-p2-all"] * 2, "k": [2, 2, 2, 3, 2, 2],
                          "cluster": [0, 0, 1, 0, 0, 1],
                          "silhouette": [-0.2004, 0.5, 0.91, 0.3, np.nan, np.nan]})
    model_folder.write_silhouettes(tmp_path / model_folder.SILHOUETTES, knife)
    store = object.__new__(ArtifactStore)  # the reader, without a manifest to verify (an empty one: grid complete)
    store.model_dir, store.manifest = tmp_path, {}
    rows = store.silhouette_samples("a-p1-all", 2)
    assert rows["cluster"].tolist() == [0, 0, 1]
    assert rows["silhouette"].to_numpy() == pytest.approx([-0.2004, 0.5, 0.91], abs=0.5 / model_folder.SILHOUETTE_STEPS)
    assert store.silhouette_samples("a-p1-all", 3)["silhouette"].tolist() == [pytest.approx(0.3, abs=1e-3)]
    assert store.silhouette_samples("b-p2-all", 2)["silhouette"].isna().all()
    with pytest.raises(KeyError):
        store.silhouette_samples("a-p1-all", 4)
