"""The K-means grid: 3 treatments x 8 pipelines x 3 feature sets x k = 2..15, with maps for choosing k.

For each of the 72 configurations :func:`cluster_configuration` fits the pipeline, runs K-means for every k,
scores each partition (inertia, silhouette, Calinski-Harabasz, Davies-Bouldin, the share of the clients in
each cluster, and its stability: see :mod:`dashapp.analysis.partition_quality`), keeps the silhouette of every client of
the fixed silhouette sample (the explorer's knife plot), finds the knee of the elbow curve, embeds a fixed sample of
clients with t-SNE and builds a Ward linkage of a smaller sample for the dendrogram.

The silhouette is quadratic in the rows, so it is computed on a fixed sample shared by every configuration,
except where the rows take few distinct values (the final feature set: job, housing and loan take at most a
few dozen combinations): there it is exact over every training client, computed on the distinct rows
weighted by their counts.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from kneed import KneeLocator
from scipy.cluster.hierarchy import linkage
from sklearn.cluster import KMeans
from sklearn.manifold import TSNE
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score
from threadpoolctl import ThreadpoolController

from dashapp.analysis.partition_quality import (bootstrap_stability, cluster_shares, distinct_rows, negative_shares,
                                                safe_score, safe_silhouettes, silhouette_of_distinct_rows,
                                                silhouette_samples_of_distinct_rows)
from dashapp.analysis.preprocessing import build_pipeline, feature_columns
from dashapp.core import domain

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GridParameters:
    """Build options of the grid, recorded in the manifest.

    Attributes
    ----------
    k_values : tuple of int
        The k of every K-means run (default 2..15).
    n_init : int
        K-means++ starts per k; the best inertia is kept.
    final_features_n_init : int
        K-means++ starts on the final feature set (job, housing, loan). Its space has a near-tied second
        partition; with the final segmentation's starts (and seed), the grid's KNN / pipeline 8 / k = 4 run is
        the final segmentation itself. Three columns make the extra starts cheap.
    silhouette_sample : int
        Size of the fixed sample the silhouette is computed on when the rows are not few enough to score
        them all (see ``exact_silhouette_rows``).
    exact_silhouette_rows : int
        When a configuration's rows take at most this many distinct values, its silhouette is exact over
        every training client.
    tsne_sample : int
        Training clients embedded by t-SNE per configuration.
    tsne_iterations : int
        t-SNE's iterations, the first 250 of them early exaggeration (scikit-learn's ``max_iter``: at least 250;
        its default 1,000). The quick build (for tests) takes 250.
    dendrogram_sample : int
        Training clients in each Ward linkage.
    stability_resamples : int
        Bootstrap resamples of the silhouette sample per (configuration, k) for the stability figure (see
        :func:`bootstrap_stability`). A few: it is a cheap screen across the grid, where the final
        segmentation's own stability (:mod:`dashapp.analysis.stability`) takes a hundred.
    random_state : int
        Seed of every random step.
    """

    k_values: tuple[int, ...] = domain.K_RANGE
    n_init: int = 2
    final_features_n_init: int = 10
    silhouette_sample: int = 5000
    exact_silhouette_rows: int = 2000
    tsne_sample: int = 2000
    tsne_iterations: int = 1000
    dendrogram_sample: int = 300
    stability_resamples: int = 3
    random_state: int = 42

    def __post_init__(self):
        if not self.k_values or min(self.k_values) < 2:
            raise ValueError(f"k_values={self.k_values} must be non-empty with every k >= 2")
        for name in ("n_init", "final_features_n_init", "silhouette_sample", "exact_silhouette_rows",
                     "tsne_sample", "tsne_iterations", "dendrogram_sample", "stability_resamples"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)} must be a positive integer")
        if self.tsne_iterations < 250:
            raise ValueError(f"tsne_iterations={self.tsne_iterations} must be at least 250 (its early exaggeration)")


@dataclass(frozen=True)
class SampleIndices:
    """Positions in the training rows of the fixed samples shared by every configuration."""

    silhouette: np.ndarray
    tsne: np.ndarray
    dendrogram: np.ndarray


@dataclass
class ConfigurationResult:
    """Everything the grid computes for one configuration."""

    config_id: str
    metrics: pd.DataFrame  # k, inertia, silhouette, silhouette_clients, calinski_harabasz, davies_bouldin,
    #                        cluster_shares (list, by 0-based label), smallest_share, stability, stability_min,
    #                        stability_max, negative_shares and sample_sizes (lists, by 0-based label)
    knee: int | None
    sample_silhouettes: np.ndarray  # (n_silhouette_sample, len(k_values)) float32, each sampled client's silhouette
    sample_labels: np.ndarray  # (n_silhouette_sample, len(k_values)), 0-based K-means labels
    tsne: np.ndarray  # (n_tsne, 2)
    tsne_labels: np.ndarray  # (n_tsne, len(k_values)), 0-based K-means labels
    linkage: np.ndarray  # scipy linkage matrix of the dendrogram sample
    seconds: dict[str, float] = field(default_factory=dict)


def draw_samples(n_rows: int, parameters: GridParameters) -> SampleIndices:
    """Draw the fixed samples (sorted positions), deterministic in ``parameters.random_state``."""
    rng = np.random.default_rng(parameters.random_state)

    def sample(size: int) -> np.ndarray:
        return np.sort(rng.choice(n_rows, size=min(size, n_rows), replace=False))

    return SampleIndices(silhouette=sample(parameters.silhouette_sample), tsne=sample(parameters.tsne_sample),
                         dendrogram=sample(parameters.dendrogram_sample))


def find_knee(k_values, inertia) -> int | None:
    """The knee of an elbow curve (Kneedle, convex and decreasing), or None when the curve has none."""
    if len(k_values) < 3:
        return None
    knee = KneeLocator(list(k_values), list(inertia), curve="convex", direction="decreasing").knee
    return None if knee is None else int(knee)


def cluster_configuration(treated: pd.DataFrame, treatment: str, pipeline: int, feature_set: str,
                          samples: SampleIndices, parameters: GridParameters) -> ConfigurationResult:
    """Run the grid for one configuration on the treated training rows, one step after the other.

    The build runs the same steps as separate tasks (:func:`configuration_matrix` once, then
    :func:`cluster_partition` for every k and :func:`map_configuration`, in parallel) and gathers them with
    :func:`assemble_configuration`; this is that sequence in one call, with the same results.

    Parameters
    ----------
    treated : DataFrame
        Training rows after ``treatment`` (no missing categories).
    treatment : str
        Key of :data:`dashapp.core.domain.TREATMENTS`.
    pipeline : int
        1..8, see :data:`dashapp.core.domain.PIPELINES`.
    feature_set : str
        Key of :data:`dashapp.core.domain.FEATURE_SETS`.
    samples : SampleIndices
        The shared samples from :func:`draw_samples`.
    parameters : GridParameters

    Returns
    -------
    ConfigurationResult
    """
    matrix = configuration_matrix(treated, treatment, pipeline, feature_set, parameters)
    partitions = [cluster_partition(matrix.X, matrix.distinct, matrix.inverse, k, matrix.n_init, samples, parameters)
                  for k in parameters.k_values]
    return assemble_configuration(matrix.config_id, partitions, map_configuration(matrix.X, samples, parameters),
                                  preprocess_seconds=matrix.seconds)


@dataclass(frozen=True)
class ConfigurationMatrix:
    """One configuration's preprocessed training rows, computed once and shared by all of its tasks."""

    config_id: str
    X: np.ndarray  # (n_train, n_features) float64, C order
    #: The distinct rows of X and each row's position among them, when they are few enough for the exact
    #: silhouette (``GridParameters.exact_silhouette_rows``); else None.
    distinct: np.ndarray | None
    inverse: np.ndarray | None
    n_init: int
    seconds: float


def configuration_matrix(treated: pd.DataFrame, treatment: str, pipeline: int, feature_set: str,
                         parameters: GridParameters) -> ConfigurationMatrix:
    """Fit the configuration's pipeline on the treated training rows and transform them.

    Parameters
    ----------
    treated : DataFrame
        Training rows after ``treatment``.
    treatment, pipeline, feature_set
        The configuration (see :func:`cluster_configuration`).
    parameters : GridParameters

    Returns
    -------
    ConfigurationMatrix
    """
    start = time.perf_counter()
    numeric, categorical = feature_columns(feature_set)
    transformer = build_pipeline(domain.PIPELINES[pipeline], numeric, categorical,
                                 with_unknown=treatment == "raw")
    X = np.ascontiguousarray(transformer.fit_transform(treated), dtype=np.float64)
    distinct = distinct_rows(X, parameters.exact_silhouette_rows)
    n_init = parameters.final_features_n_init if feature_set == "final" else parameters.n_init
    return ConfigurationMatrix(config_id=domain.config_id(treatment, pipeline, feature_set), X=X,
                               distinct=None if distinct is None else distinct[0],
                               inverse=None if distinct is None else distinct[1], n_init=n_init,
                               seconds=time.perf_counter() - start)


@dataclass
class PartitionResult:
    """What the grid computes for one (configuration, k): the metrics row and the sampled clients' labels."""

    k: int
    metrics: dict  # one row of ConfigurationResult.metrics
    sample_labels: np.ndarray  # (n_silhouette_sample,) int16
    sample_silhouettes: np.ndarray  # (n_silhouette_sample,) float32
    tsne_labels: np.ndarray  # (n_tsne,) int16
    seconds: dict[str, float] = field(default_factory=dict)


def cluster_partition(X: np.ndarray, distinct: np.ndarray | None, inverse: np.ndarray | None, k: int, n_init: int,
                      samples: SampleIndices, parameters: GridParameters) -> PartitionResult:
    """K-means with ``k`` clusters on one configuration's rows, and every score of the partition.

    The scores: inertia, the silhouette (exact over every row when ``distinct`` is given, else on the shared
    silhouette sample), Calinski-Harabasz, Davies-Bouldin, each cluster's share, the bootstrap stability and
    each cluster's share of negative silhouettes. Runs on one BLAS/OpenMP thread (see :func:`one_thread`).

    Parameters
    ----------
    X : ndarray of shape (n, d)
        The configuration's matrix (:attr:`ConfigurationMatrix.X`).
    distinct, inverse : ndarray or None
        Its distinct rows and each row's position among them (:class:`ConfigurationMatrix`), or None.
    k, n_init : int
        Clusters and K-means++ starts.
    samples : SampleIndices
    parameters : GridParameters

    Returns
    -------
    PartitionResult
    """
    with one_thread():
        start = time.perf_counter()
        model = KMeans(n_clusters=k, n_init=n_init, random_state=parameters.random_state)
        labels = model.fit_predict(X)
        sampled = labels[samples.silhouette]
        shares = cluster_shares(labels, k)
        silhouette_X = X[samples.silhouette]
        if distinct is None:
            values = safe_silhouettes(silhouette_X, sampled)
            # scikit-learn's silhouette_score is this mean, so the average is the one the grid always reported.
            silhouette = float(np.mean(values))
            silhouette_clients = len(samples.silhouette)
        else:
            values = silhouette_samples_of_distinct_rows(distinct, inverse, labels)[samples.silhouette]
            silhouette = silhouette_of_distinct_rows(distinct, inverse, labels)
            silhouette_clients = len(X)
        stability_start = time.perf_counter()
        stability = bootstrap_stability(silhouette_X, sampled, k, n_init, parameters.stability_resamples,
                                        parameters.random_state)
        stability_seconds = time.perf_counter() - stability_start
        row = {
            "k": k,
            "inertia": float(model.inertia_),
            "silhouette": silhouette,
            "silhouette_clients": silhouette_clients,
            "calinski_harabasz": safe_score(calinski_harabasz_score, X, labels),
            "davies_bouldin": safe_score(davies_bouldin_score, X, labels),
            "cluster_shares": [float(share) for share in shares],
            "smallest_share": float(shares.min()),
            "stability": float(np.median(stability)),
            "stability_min": float(stability.min()),
            "stability_max": float(stability.max()),
            "negative_shares": negative_shares(values, sampled, k),
            "sample_sizes": [int(n) for n in np.bincount(sampled, minlength=k)[:k]],
        }
        seconds = {"kmeans": time.perf_counter() - start - stability_seconds, "stability": stability_seconds}
    return PartitionResult(k=k, metrics=row, sample_labels=sampled.astype(np.int16),
                           sample_silhouettes=np.asarray(values, dtype=np.float32),
                           tsne_labels=labels[samples.tsne].astype(np.int16), seconds=seconds)


@dataclass
class ConfigurationMap:
    """One configuration's t-SNE map of the t-SNE sample and Ward linkage of the dendrogram sample."""

    tsne: np.ndarray  # (n_tsne, 2) float32
    linkage: np.ndarray  # scipy linkage matrix
    seconds: dict[str, float] = field(default_factory=dict)


def map_configuration(X: np.ndarray, samples: SampleIndices, parameters: GridParameters) -> ConfigurationMap:
    """The t-SNE map and the Ward linkage of one configuration's rows ``X``, on one BLAS/OpenMP thread."""
    with one_thread():
        start = time.perf_counter()
        embedding = tsne_map(X[samples.tsne], parameters)
        tsne_seconds = time.perf_counter() - start
        start = time.perf_counter()
        ward = linkage(X[samples.dendrogram], method="ward")
        seconds = {"tsne": tsne_seconds, "dendrogram": time.perf_counter() - start}
    return ConfigurationMap(tsne=embedding.astype(np.float32), linkage=ward, seconds=seconds)


def tsne_map(X: np.ndarray, parameters: GridParameters) -> np.ndarray:
    """A two-dimensional t-SNE map of the rows ``X`` (scikit-learn, Barnes-Hut, PCA start), shape (n, 2).

    scikit-learn's ``TSNE`` rather than openTSNE: measured on the grid's 2,000-client samples on one thread
    (``benchmarks/bench_tsne.py``), openTSNE was not clearly faster (from twice as fast to a quarter slower,
    depending on the configuration and the machine's load), for maps as good; scikit-learn's keeps the maps
    of the builds before it.
    """
    perplexity = float(min(30, max(2, (len(X) - 1) // 3)))
    return TSNE(n_components=2, init="pca", perplexity=perplexity, max_iter=parameters.tsne_iterations,
                random_state=parameters.random_state, n_jobs=1).fit_transform(X)


def assemble_configuration(config_id: str, partitions: list[PartitionResult], configuration_map: ConfigurationMap,
                           preprocess_seconds: float) -> ConfigurationResult:
    """Gather one configuration's tasks into its :class:`ConfigurationResult` (the knee needs every k).

    ``partitions`` may come in any order: they are put in the order of k. ``preprocess_seconds`` is the time
    :func:`configuration_matrix` took.
    """
    partitions = sorted(partitions, key=lambda partition: partition.k)
    metrics = pd.DataFrame([partition.metrics for partition in partitions])
    seconds = {"preprocess": preprocess_seconds,
               "stability": sum(partition.seconds["stability"] for partition in partitions),
               "kmeans": sum(partition.seconds["kmeans"] for partition in partitions),
               **configuration_map.seconds}
    return ConfigurationResult(
        config_id=config_id, metrics=metrics, knee=find_knee(metrics["k"], metrics["inertia"]),
        sample_silhouettes=np.column_stack([partition.sample_silhouettes for partition in partitions]),
        sample_labels=np.column_stack([partition.sample_labels for partition in partitions]),
        tsne=configuration_map.tsne, tsne_labels=np.column_stack([partition.tsne_labels for partition in partitions]),
        linkage=configuration_map.linkage, seconds=seconds)


@contextmanager
def one_thread() -> Iterator[None]:
    """One BLAS and one OpenMP thread for the enclosed work.

    The grid's tasks run side by side, one per core (or per Dask worker thread); K-means and the BLAS would
    otherwise each start a thread per core inside every task, and the machine would run cores x cores threads.
    """
    with _thread_controller().limit(limits=1):
        yield


@functools.cache
def _thread_controller() -> ThreadpoolController:
    # Finding the loaded BLAS/OpenMP libraries walks the process's shared objects: once per process, not per task.
    return ThreadpoolController()
