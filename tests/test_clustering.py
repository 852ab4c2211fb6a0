"""The per-configuration grid on a small frame: metrics, knee, t-SNE map, dendrogram."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashapp import domain
from dashapp.clustering import GridParameters, cluster_configuration, draw_samples, find_knee
from dashapp.preprocessing import fill_unknown_as_category


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
