"""The grid as tasks: one per (configuration, k) and one map per configuration, gathered into the same results
whether they run in one process, in local processes or on a Dask cluster; one BLAS/OpenMP thread per task."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_info

from dashapp.analysis import dask_backend, grid_runner
from dashapp.analysis.clustering import (GridParameters, cluster_configuration, cluster_partition, configuration_matrix,
                                         draw_samples, one_thread, tsne_map)
from dashapp.analysis.preprocessing import fill_unknown_as_category
from dashapp.artifacts import model_folder
from dashapp.core import domain
from tests.sample_builds import SAMPLE_OPTIONS

PARAMETERS = GridParameters(k_values=(2, 3, 4), n_init=1, final_features_n_init=3, silhouette_sample=100,
                            tsne_sample=60, tsne_iterations=250, dendrogram_sample=40, stability_resamples=2)
#: Fitted: an all-features one-hot matrix (sampled silhouette) and the final feature set (exact silhouette);
#: knn-p8-final is a copy of knn-p4-final (same matrix).
FITTED = [("raw", 1, "all"), ("knn", 4, "final")]
CONFIGURATIONS = FITTED + [("knn", 8, "final")]


class CountingBar:
    """Stands in for the stage's tqdm bar: counts the updates."""

    def __init__(self):
        self.n = 0

    def update(self, n: int = 1):
        self.n += n


@pytest.fixture(scope="module")
def treated() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(3)
    n = 240
    frame = pd.DataFrame({c: rng.normal(size=n) for c in domain.NUMERIC_COLUMNS})
    for column in domain.CATEGORICAL_COLUMNS:
        frame[column] = rng.choice(domain.known_categories(column), size=n).astype(object)
    return {"raw": fill_unknown_as_category(frame), "knn": frame}


def run_grid(treated, jobs: int = 1, client=None) -> tuple[dict, int]:
    bar = CountingBar()
    samples = draw_samples(240, PARAMETERS)
    results = grid_runner.run_grid(treated, CONFIGURATIONS, FITTED, samples, PARAMETERS, jobs, bar, client)
    return results, bar.n


def assert_same_metrics(first: pd.DataFrame, second: pd.DataFrame, exact: bool = False) -> None:
    """Equal grid metrics: every label, count and list exactly; the scores exactly, or to 1e-12 of their value.

    A score's last bits can move with where in memory numpy puts its temporary arrays (vectorised sums start at
    an aligned address), and a Dask worker's memory allocator is set up differently from this process's: on a
    quick build, Davies-Bouldin differed by at most 2e-15 in a few rows. Everything else is the same bytes.
    """
    scores = [c for c in first.columns if pd.api.types.is_float_dtype(first[c])]
    pd.testing.assert_frame_equal(first.drop(columns=scores), second.drop(columns=scores), check_exact=True)
    pd.testing.assert_frame_equal(first[scores], second[scores], check_exact=exact, rtol=1e-12, atol=0)


def assert_same_results(first: dict, second: dict, exact: bool = True) -> None:
    assert set(first) == set(second)
    for config_id, result in first.items():
        other = second[config_id]
        assert other.config_id == config_id
        assert_same_metrics(result.metrics, other.metrics, exact)
        assert result.knee == other.knee
        for name in ("sample_silhouettes", "sample_labels", "tsne", "tsne_labels", "linkage"):
            assert np.array_equal(getattr(result, name), getattr(other, name), equal_nan=True), (config_id, name)


@pytest.fixture(scope="module")
def local_grid(treated):
    return run_grid(treated)


def test_the_grid_runs_a_task_per_configuration_and_k_and_a_map_per_configuration(local_grid):
    results, tasks = local_grid
    assert tasks == len(FITTED) * (len(PARAMETERS.k_values) + 1)
    assert set(results) == {domain.config_id(*c) for c in CONFIGURATIONS}
    copy, source = results["knn-p8-final"], results["knn-p4-final"]
    pd.testing.assert_frame_equal(copy.metrics, source.metrics)
    for result in results.values():
        assert result.metrics["k"].tolist() == list(PARAMETERS.k_values)
        assert set(result.seconds) == {"preprocess", "kmeans", "stability", "tsne", "dendrogram"}
        assert all(seconds >= 0 for seconds in result.seconds.values())


def test_the_tasks_gather_into_what_one_configuration_in_one_call_gives(treated, local_grid):
    results, _ = local_grid
    samples = draw_samples(240, PARAMETERS)
    for treatment, pipeline, feature_set in FITTED:
        alone = cluster_configuration(treated[treatment], treatment, pipeline, feature_set, samples, PARAMETERS)
        assert_same_results({alone.config_id: alone}, {alone.config_id: results[alone.config_id]})


def test_two_local_processes_give_the_results_of_one(treated, local_grid):
    assert_same_results(local_grid[0], run_grid(treated, jobs=2)[0])


def test_the_grid_on_a_dask_cluster_gives_the_local_results(treated, local_grid, dask_cluster):
    from distributed import Client

    with Client(dask_cluster.scheduler_address) as client:
        results, tasks = run_grid(treated, client=client)
        # The tasks ran in the workers' processes: a task there limited its threads.
        limited = client.run(lambda: __import__("dashapp.analysis.clustering", fromlist=["_"])._thread_controller
                             .cache_info().currsize)
    assert sum(limited.values()) >= 1
    assert tasks == local_grid[1]
    assert_same_results(local_grid[0], results, exact=False)


def test_on_a_cluster_every_matrix_is_computed_before_the_dask_backend_is_in_force(treated, dask_cluster,
                                                                                   monkeypatch):
    """A matrix's preprocessing calls joblib itself (scikit-learn's ColumnTransformer). Under the dask backend,
    from inside the grid's dispatch, those calls deadlock with the backend's completion callbacks: a CI run hung
    for an hour. Here a matrix computed under that backend fails at once instead."""
    from distributed import Client
    from joblib.parallel import get_active_backend

    backends = []

    def configuration_matrix_checked(*arguments, **keywords):
        backends.append(type(get_active_backend()[0]).__name__)
        assert backends[-1] != "DaskDistributedBackend", "a matrix computed under the dask backend"
        return configuration_matrix(*arguments, **keywords)

    monkeypatch.setattr(grid_runner, "configuration_matrix", configuration_matrix_checked)
    with Client(dask_cluster.scheduler_address) as client:
        results, _ = run_grid(treated, client=client)
    assert len(backends) == len(FITTED) and len(results) == len(CONFIGURATIONS)


def test_a_partition_is_the_same_whatever_order_its_k_come_in(treated):
    matrix = configuration_matrix(treated["raw"], "raw", 1, "all", PARAMETERS)
    samples = draw_samples(240, PARAMETERS)
    first = cluster_partition(matrix.X, None, None, 3, 1, samples, PARAMETERS)
    cluster_partition(matrix.X, None, None, 4, 1, samples, PARAMETERS)
    again = cluster_partition(matrix.X, None, None, 3, 1, samples, PARAMETERS)
    assert first.metrics == again.metrics
    assert np.array_equal(first.sample_labels, again.sample_labels)


def test_one_thread_limits_every_blas_and_openmp_pool_and_then_restores_them():
    before = {pool["filepath"]: pool["num_threads"] for pool in threadpool_info()}
    with one_thread():
        assert {pool["num_threads"] for pool in threadpool_info()} == {1}
    assert {pool["filepath"]: pool["num_threads"] for pool in threadpool_info()} == before


@pytest.mark.parametrize("how", ["option", "environment"])
def test_an_unreachable_scheduler_exits_1_and_leaves_the_model_as_it_was(bank_csv, tmp_path, monkeypatch, capsys,
                                                                          how):
    from scripts.build_artifacts import main
    from tests.browser_helpers import free_port

    target = tmp_path / "model"
    target.mkdir()
    (target / "manifest.json").write_text("the previous build")
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setattr(dask_backend, "CONNECT_TIMEOUT", 2)
    arguments = ["--quick", "--quiet", "--jobs", "1", "--csv", str(bank_csv), "--model-dir", str(target)]
    if how == "option":
        monkeypatch.delenv(dask_backend.ADDRESS_VARIABLE, raising=False)
        arguments += ["--dask", address]
    else:
        monkeypatch.setenv(dask_backend.ADDRESS_VARIABLE, address)
    assert main(arguments) == 1
    error = capsys.readouterr().err
    assert f"cannot reach the Dask scheduler at {address}" in error
    assert "nothing was built" in error
    assert [p.name for p in target.iterdir()] == ["manifest.json"]
    assert (target / "manifest.json").read_text() == "the previous build"
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no staging folder left behind


def test_a_quick_build_with_its_grid_on_dask_equals_the_local_one(sample_model_dir, bank_sample_csv, dask_cluster,
                                                                   tmp_path):
    # The UCI archive's 10% sample: where the grid runs is independent of the rows, and the grid is the same work.
    from scripts.build_artifacts import main

    target = tmp_path / "model"
    common = [*SAMPLE_OPTIONS, "--quiet", "--data", str(bank_sample_csv), "--model-dir", str(target)]
    assert main(common + ["--jobs", "1", "--dask", dask_cluster.scheduler_address]) == 0
    local = json.loads((sample_model_dir / model_folder.MANIFEST).read_text())
    remote = json.loads((target / model_folder.MANIFEST).read_text())
    assert (remote["grid"]["backend"], remote["grid"]["workers"], remote["grid"]["threads"]) == ("dask", 2, 2)
    assert local["grid"]["backend"] == "local"
    assert remote["grid"]["tasks"] == local["grid"]["tasks"] == 60 * (len(local["parameters"]["grid"]["k_values"]) + 1)
    assert dask_cluster.scheduler_address.split("//")[-1] not in json.dumps(remote)  # where, not which address
    for name in set(model_folder.ARTIFACT_FILES) - {model_folder.GRID_METRICS}:
        assert remote["artifacts"][name]["sha256"] == local["artifacts"][name]["sha256"], name
    assert_same_metrics(pd.read_parquet(sample_model_dir / model_folder.GRID_METRICS),
                        pd.read_parquet(target / model_folder.GRID_METRICS))
    # Where the grid ran is no reason to rebuild: the local build finds the cluster's artifacts up to date.
    assert main(common + ["--if-stale"]) == 0
    assert json.loads((target / model_folder.MANIFEST).read_text())["built_at"] == remote["built_at"]


def test_the_tsne_map_is_fixed_by_the_seed(treated):
    X = configuration_matrix(treated["raw"], "raw", 1, "all", PARAMETERS).X[:80]
    first, again = tsne_map(X, PARAMETERS), tsne_map(X, PARAMETERS)
    assert first.shape == (80, 2) and np.isfinite(first).all()
    assert np.array_equal(first, again)
