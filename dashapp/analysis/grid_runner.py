"""The K-means grid as tasks: one per (configuration, k) and one map per configuration, on local processes or
on a Dask cluster, gathered into each configuration's results and written as the grid's four artifacts.

:func:`run_grid` is the build's grid stage (:mod:`dashapp.analysis.build` calls it last, so that an early build can
serve everything else meanwhile); the tasks themselves are :mod:`dashapp.analysis.clustering`'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from tqdm import tqdm

from dashapp.analysis.clustering import (ConfigurationMap, GridParameters, PartitionResult, assemble_configuration,
                                         cluster_partition, configuration_matrix, map_configuration)
from dashapp.artifacts import model_folder
from dashapp.core import domain


def grid_configurations() -> tuple[list[tuple[str, int, str]], list[tuple[str, int, str]]]:
    """Every (treatment, pipeline, feature set) of the grid, and the ones that are fitted.

    Pipelines that give a feature set the same matrix (5-8 and 1-4 on the final feature set, which has no numeric
    column to scale) give the same results: each such group is fitted once, and copied.
    """
    configurations = [(t, p, f) for t in domain.TREATMENTS for p in domain.PIPELINES for f in domain.FEATURE_SETS]
    fitted = [(t, p, f) for t, p, f in configurations if domain.same_matrix_pipeline(p, f) == p]
    return configurations, fitted


def run_grid(treated: dict[str, pd.DataFrame], configurations: list, fitted: list, samples,
             grid_parameters: GridParameters, jobs: int, bar: tqdm, client=None) -> dict:
    """The grid's results by configuration id: the fitted ones, and copies for the configurations they stand for.

    One joblib ``Parallel`` over the tasks of :func:`_grid_tasks`, on ``jobs`` local processes, or on the Dask
    cluster of ``client`` (a ``distributed.Client``) through joblib's dask backend. Each task advances ``bar``;
    a configuration is assembled as soon as its last task is in.

    For a cluster, every configuration's matrix is computed here first, before the dask backend is in force.
    Drawn from the generator during the run, a matrix's preprocessing (scikit-learn's ``ColumnTransformer``
    calls joblib itself) would send its own tasks to the cluster from inside joblib's dispatch, which holds the
    lock that the backend's completion callbacks wait for on the client's event loop: a deadlock, which hung a
    CI run of the tests for an hour. The price is every matrix in memory at once (318 MB for the UCI file).
    """
    preprocess_seconds: dict[str, float] = {}
    done: dict[str, list] = {}
    results = {}
    per_configuration = len(grid_parameters.k_values) + 1
    tasks = _grid_tasks(treated, fitted, samples, grid_parameters, preprocess_seconds)
    if client is not None:
        tasks = list(tasks)
    with _grid_backend(client):
        parallel = Parallel(n_jobs=-1 if client is not None else jobs, return_as="generator_unordered")
        for config_id, outcome in parallel(tasks):
            done.setdefault(config_id, []).append(outcome)
            bar.update()
            if len(done[config_id]) == per_configuration:
                outcomes = done.pop(config_id)
                partitions = [o for o in outcomes if isinstance(o, PartitionResult)]
                configuration_map = next(o for o in outcomes if isinstance(o, ConfigurationMap))
                results[config_id] = assemble_configuration(config_id, partitions, configuration_map,
                                                            preprocess_seconds[config_id])
    for t, p, f in configurations:
        source = results[domain.config_id(t, domain.same_matrix_pipeline(p, f), f)]
        results.setdefault(domain.config_id(t, p, f), replace(source, config_id=domain.config_id(t, p, f)))
    return results


def _grid_tasks(treated: dict[str, pd.DataFrame], fitted: list, samples, grid_parameters: GridParameters,
                preprocess_seconds: dict[str, float]) -> Iterator:
    """The grid's tasks, configuration by configuration: K-means and its scores for each k, then the maps.

    A generator, so that local processes (``Parallel`` draws a few tasks ahead of them) have only a few
    configurations' matrices alive at a time; a cluster's are all computed first (:func:`run_grid`). Each
    matrix is computed here once and handed to its tasks as the same array object: loky memory-maps it for the
    worker processes, the dask backend scatters it once.
    """
    for t, p, f in fitted:
        matrix = configuration_matrix(treated[t], t, p, f, grid_parameters)
        preprocess_seconds[matrix.config_id] = matrix.seconds
        for k in grid_parameters.k_values:
            yield delayed(_grid_task)(matrix.config_id, cluster_partition, matrix.X, matrix.distinct, matrix.inverse,
                                      k, matrix.n_init, samples, grid_parameters)
        yield delayed(_grid_task)(matrix.config_id, map_configuration, matrix.X, samples, grid_parameters)


def _grid_task(config_id: str, step, *arguments):
    """Run one step of the grid (``cluster_partition`` or ``map_configuration``), labelled by its configuration."""
    return config_id, step(*arguments)


@contextmanager
def _grid_backend(client) -> Iterator[None]:
    """joblib's dask backend on ``client``'s cluster; without a client, joblib's default (local processes)."""
    if client is None:
        yield
        return
    with joblib.parallel_config(backend="dask", client=client):
        yield


def grid_section(configurations: list, fitted: list, results: dict, grid_parameters: GridParameters, jobs: int,
                 client) -> dict:
    """The manifest's ``grid`` section: its size, its work by step and where it ran (never an address: one may
    hold a password; and not a build parameter: the results are the same wherever it runs)."""
    if client is None:
        where = {"backend": "local", "workers": jobs}
    else:
        threads = client.nthreads()
        where = {"backend": "dask", "workers": len(threads), "threads": int(sum(threads.values()))}
    return {"configurations": len(configurations), "fitted": len(fitted),
            "tasks": len(fitted) * (len(grid_parameters.k_values) + 1),
            "work_seconds": _grid_work_seconds(results, fitted), **where}


def _grid_work_seconds(results: dict, fitted: list) -> dict[str, float]:
    """The grid's work by step (preprocessing, K-means, stability, t-SNE, dendrogram), summed over the fitted
    configurations: process seconds, which the parallel jobs share out, so the steps' proportions are what
    tell what each costs."""
    totals: dict[str, float] = {}
    for t, p, f in fitted:
        for step, seconds in results[domain.config_id(t, p, f)].seconds.items():
            totals[step] = totals.get(step, 0.0) + seconds
    return {step: round(seconds, 2) for step, seconds in totals.items()}


def write_grid(out: Path, results: dict, configurations: list, samples, train_client_ids: np.ndarray) -> None:
    metrics, maps, linkages, silhouettes = [], [], {}, []
    for treatment, pipeline, feature_set in configurations:
        result = results[domain.config_id(treatment, pipeline, feature_set)]
        table = result.metrics.copy()
        table.insert(0, "config_id", result.config_id)
        table.insert(1, "treatment", treatment)
        table.insert(2, "pipeline", pipeline)
        table.insert(3, "feature_set", feature_set)
        table["knee"] = pd.array([result.knee] * len(table), dtype="Int64")
        metrics.append(table)
        tsne = pd.DataFrame({"config_id": result.config_id, "client_id": train_client_ids[samples.tsne],
                             "x": result.tsne[:, 0], "y": result.tsne[:, 1]})
        for j, k in enumerate(result.metrics["k"]):
            tsne[f"label_k{k}"] = result.tsne_labels[:, j]
        maps.append(tsne)
        linkages[result.config_id] = result.linkage
        silhouettes.append(_knife_rows(result))
    pd.concat(metrics, ignore_index=True).to_parquet(out / model_folder.GRID_METRICS)
    pd.concat(maps, ignore_index=True).to_parquet(out / model_folder.TSNE)
    # The sampled clients' ids label the dendrograms' single-client leaves.
    np.savez_compressed(out / model_folder.DENDROGRAMS, **linkages,
                        **{model_folder.DENDROGRAM_CLIENT_IDS: train_client_ids[samples.dendrogram]})
    model_folder.write_silhouettes(out / model_folder.SILHOUETTES, pd.concat(silhouettes, ignore_index=True))


def _knife_rows(result) -> pd.DataFrame:
    """One configuration's per-client silhouettes on the silhouette sample, as the knife plot draws them: by k,
    by cluster, in ascending order (which client a value belongs to is not kept: the plot does not need it)."""
    ks = result.metrics["k"].to_numpy()
    n = len(result.sample_labels)
    frame = pd.DataFrame({"k": np.repeat(ks, n), "cluster": result.sample_labels.T.reshape(-1),
                          "silhouette": result.sample_silhouettes.T.reshape(-1)})
    frame = frame.sort_values(["k", "cluster", "silhouette"], kind="stable", ignore_index=True)
    frame.insert(0, "config_id", result.config_id)
    return frame
