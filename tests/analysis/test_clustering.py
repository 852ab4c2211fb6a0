"""The per-configuration grid on a small frame: metrics, knee, t-SNE map, dendrogram."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_samples, silhouette_score

from dashapp.analysis.clustering import GridParameters, cluster_configuration, draw_samples, find_knee
from dashapp.analysis.partition_quality import (bootstrap_stability, cluster_shares, distinct_rows, negative_shares,
                                                silhouette_of_distinct_rows, silhouette_samples_of_distinct_rows)
from dashapp.analysis.preprocessing import fill_unknown_as_category
from dashapp.core import domain


def test_knee_of_a_clear_elbow():
    ks = list(range(2, 11))
    inertia = [1000, 400, 150, 120, 100, 90, 82, 76, 71]
    assert find_knee(ks, inertia) == 4


def test_no_knee_for_too_short_a_curve():
    assert find_knee([2, 3], [10, 5]) is None


def test_samples_are_fixed_by_the_seed_and_shared():
    parameters = GridParameters(silhouette_sample=50, tsne_sample=30, dendrogram_sample=10)
    first, second = draw_samples(200, parameters), draw_samples(200, parameters)
    assert np.array_equal(first.silhouette, second.silhouette)
    assert len(first.tsne) == 30 and len(np.unique(first.tsne)) == 30


def test_grid_parameters_are_validated():
    with pytest.raises(ValueError, match="k_values"):
        GridParameters(k_values=(1, 2))
    with pytest.raises(ValueError, match="n_init=0"):
        GridParameters(n_init=0)


def test_one_configuration_scores_every_k_and_maps_the_sample():
    rng = np.random.default_rng(3)
    n = 240
    frame = pd.DataFrame({c: rng.normal(size=n) for c in domain.NUMERIC_COLUMNS})
    for column in domain.CATEGORICAL_COLUMNS:
        frame[column] = rng.choice(domain.known_categories(column), size=n).astype(object)
    parameters = GridParameters(k_values=(2, 3, 4, 5), n_init=1, silhouette_sample=100, tsne_sample=60,
                                dendrogram_sample=40)
    samples = draw_samples(n, parameters)
    result = cluster_configuration(fill_unknown_as_category(frame), "raw", 6, "no_socio", samples, parameters)
    assert result.config_id == "raw-p6-no_socio"
    assert result.metrics["k"].tolist() == [2, 3, 4, 5]
    assert (result.metrics["inertia"].diff().dropna() < 0).all()
    assert result.metrics["silhouette"].between(-1, 1).all()
    assert result.tsne.shape == (60, 2) and result.tsne_labels.shape == (60, 4)
    assert result.tsne_labels[:, 2].max() == 3  # k = 4 -> labels 0..3
    assert result.linkage.shape == (39, 4)  # n - 1 merges


def _frame(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({c: rng.normal(size=n) for c in domain.NUMERIC_COLUMNS})
    for column in domain.CATEGORICAL_COLUMNS:
        frame[column] = rng.choice(domain.known_categories(column), size=n).astype(object)
    return frame


@pytest.mark.parametrize("k", [2, 3, 5])
def test_silhouette_of_distinct_rows_equals_scikit_learns(k):
    rng = np.random.default_rng(k)
    X = rng.integers(0, 3, size=(15, 3)).astype(float)[rng.integers(0, 15, size=600)]
    labels = rng.integers(0, k, size=600)
    labels[0] = k  # a cluster of one row: its silhouette is 0, as scikit-learn has it
    distinct = distinct_rows(X, limit=100)
    assert len(distinct[0]) <= 15
    assert silhouette_of_distinct_rows(*distinct, labels) == pytest.approx(silhouette_score(X, labels), abs=1e-12)
    assert np.isnan(silhouette_of_distinct_rows(*distinct, np.zeros(600, dtype=int)))


def test_distinct_rows_gives_up_above_the_limit():
    X = np.arange(40, dtype=float).reshape(20, 2)
    assert distinct_rows(X, limit=19) is None
    distinct, inverse = distinct_rows(np.vstack([X, X]), limit=20)
    assert len(distinct) == 20 and np.array_equal(distinct[inverse], np.vstack([X, X]))


def test_cluster_shares_count_every_label_even_an_empty_one():
    assert cluster_shares(np.array([0, 0, 2, 0]), 3).tolist() == [0.75, 0.0, 0.25]


def test_final_feature_set_scores_every_client_exactly_and_stores_shares():
    n = 240
    frame = _frame(n)
    parameters = GridParameters(k_values=(2, 3, 4), n_init=1, final_features_n_init=3, silhouette_sample=100,
                                tsne_sample=60, dendrogram_sample=40)
    samples = draw_samples(n, parameters)
    result = cluster_configuration(frame, "knn", 8, "final", samples, parameters)
    assert result.config_id == "knn-p8-final"
    assert result.metrics["silhouette_clients"].tolist() == [n] * 3
    X = np.column_stack([pd.Categorical(frame[c], categories=domain.known_categories(c)).codes
                         for c in domain.SEGMENT_FEATURES]).astype(float)
    X = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))  # pipeline 8: ordinal codes, then MinMax
    labels = KMeans(n_clusters=4, n_init=3, random_state=parameters.random_state).fit_predict(X)
    assert result.metrics["silhouette"].iloc[2] == pytest.approx(silhouette_score(X, labels), abs=1e-9)
    for row in result.metrics.itertuples():
        assert len(row.cluster_shares) == row.k and sum(row.cluster_shares) == pytest.approx(1)
        assert row.smallest_share == min(row.cluster_shares)


def test_many_distinct_rows_keep_the_shared_silhouette_sample():
    n = 240
    parameters = GridParameters(k_values=(2, 3), n_init=1, silhouette_sample=100, exact_silhouette_rows=150,
                                tsne_sample=60, dendrogram_sample=40)
    result = cluster_configuration(fill_unknown_as_category(_frame(n)), "raw", 2, "all", draw_samples(n, parameters),
                                   parameters)
    assert result.metrics["silhouette_clients"].tolist() == [100, 100]


def test_same_matrix_pipeline_pairs_the_pipelines_only_without_numeric_columns():
    assert [domain.same_matrix_pipeline(p, "final") for p in domain.PIPELINES] == [1, 2, 3, 4, 1, 2, 3, 4]
    assert [domain.same_matrix_pipeline(p, "all") for p in domain.PIPELINES] == list(domain.PIPELINES)


def test_each_rows_silhouette_on_distinct_rows_equals_scikit_learns():
    rng = np.random.default_rng(5)
    X = rng.integers(0, 3, size=(400, 3)).astype(float)
    labels = KMeans(n_clusters=4, n_init=3, random_state=0).fit_predict(X)
    distinct = distinct_rows(X, 100)
    values = silhouette_samples_of_distinct_rows(*distinct, labels)
    assert values == pytest.approx(silhouette_samples(X, labels), abs=1e-9)
    assert np.mean(values) == pytest.approx(silhouette_of_distinct_rows(*distinct, labels), abs=1e-12)
    assert np.isnan(silhouette_samples_of_distinct_rows(*distinct, np.zeros(400, dtype=int))).all()


def test_negative_shares_count_each_clusters_rows_below_zero():
    values = np.array([0.5, -0.1, 0.0, -0.2, -0.3, 0.4])
    labels = np.array([0, 0, 0, 2, 2, 2])
    shares = negative_shares(values, labels, 3)
    assert shares[0] == pytest.approx(1 / 3) and shares[2] == pytest.approx(2 / 3)
    assert np.isnan(shares[1])  # no rows: undefined, not 0


def _blobs(separation: float, n: int = 300, seed: int = 1):
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0], [separation, 0], [0, separation]])
    labels = np.repeat([0, 1, 2], n // 3)
    return centres[labels] + rng.normal(size=(n, 2)), labels


def test_well_separated_clusters_are_stable_and_overlapping_ones_are_not():
    X, labels = _blobs(separation=20)
    stable = bootstrap_stability(X, labels, 3, n_init=2, resamples=5, random_state=0)
    assert stable.shape == (5,) and np.all(stable == pytest.approx(1.0))
    X, _ = _blobs(separation=0)  # one blob cut in three: the cuts move with the resample
    cuts = KMeans(n_clusters=3, n_init=2, random_state=0).fit_predict(X)
    assert np.median(bootstrap_stability(X, cuts, 3, n_init=2, resamples=5, random_state=0)) < 0.9


def test_stability_is_fixed_by_the_seed_and_undefined_for_one_cluster():
    X, labels = _blobs(separation=2)
    first = bootstrap_stability(X, labels, 3, n_init=1, resamples=4, random_state=7)
    assert np.array_equal(first, bootstrap_stability(X, labels, 3, n_init=1, resamples=4, random_state=7))
    assert np.isnan(bootstrap_stability(X, np.zeros(len(X), dtype=int), 3, 1, 4, 7)).all()


def test_the_grid_keeps_every_sampled_clients_silhouette():
    frame = fill_unknown_as_category(_frame(240))
    parameters = GridParameters(k_values=(2, 3), n_init=1, silhouette_sample=100, exact_silhouette_rows=150,
                                tsne_sample=60, dendrogram_sample=40, stability_resamples=2)
    samples = draw_samples(len(frame), parameters)
    result = cluster_configuration(frame, "raw", 1, "all", samples, parameters)
    assert result.sample_silhouettes.shape == result.sample_labels.shape == (100, 2)
    assert result.sample_silhouettes.dtype == np.float32
    # silhouette_score is the mean of silhouette_samples: the average the grid reports is the sample's mean
    assert result.metrics["silhouette"].tolist() == pytest.approx(result.sample_silhouettes.mean(axis=0), abs=1e-6)
    assert result.metrics["sample_sizes"].map(sum).tolist() == [100, 100]
    assert set(result.seconds) >= {"kmeans", "stability", "tsne"}
