"""The full build in model/ (what `make test` builds first) reproduces the original study."""

from __future__ import annotations

import pytest

from dashapp.core import domain


def test_grid_has_every_configuration_and_k(full_store):
    grid = full_store.grid_metrics
    assert len(grid) == 3 * 8 * 3 * 14
    combos = grid.groupby(["treatment", "pipeline", "feature_set"]).size()
    assert len(combos) == 72 and (combos == 14).all()
    assert sorted(grid["k"].unique()) == list(range(2, 16))
    assert grid[["inertia", "calinski_harabasz", "davies_bouldin"]].notna().all().all()
    assert (grid["cluster_shares"].map(len) == grid["k"]).all()


def test_the_grid_holds_the_final_segmentation_with_its_exact_silhouette(full_store):
    final = full_store.evaluation["final"]
    row = full_store.grid_metrics.query("config_id == 'knn-p8-final' and k == 4").iloc[0]
    assert row["silhouette"] == pytest.approx(final["silhouette"], abs=1e-9)
    assert f"{row['silhouette']:.3f}" == "0.630" and row["silhouette_clients"] == 28831
    assert sorted(round(share, 2) for share in row["cluster_shares"]) == sorted(domain.REFERENCE_SHARES.values())


def test_final_shares_and_silhouette_match_the_original(full_store):
    final = full_store.evaluation["final"]
    for segment, reference in domain.REFERENCE_SHARES.items():
        assert final["shares"][str(segment)] == pytest.approx(reference, abs=0.02)
    assert final["silhouette"] >= 0.6
    # The shared 5,000-client sample estimates the exact silhouette closely.
    assert abs(final["silhouette_sampled"] - final["silhouette"]) < 0.01


def test_tree_assigns_test_clients_accurately(full_store):
    evaluation = full_store.evaluation["classifier"]
    assert evaluation["tree"]["accuracy"] >= 0.99
    assert evaluation["test_rows"] == 12357 and evaluation["train_rows"] == 28831


def test_tsne_maps_cover_every_configuration(full_store):
    parameters = full_store.manifest["parameters"]["grid"]
    assert parameters["tsne_sample"] >= 2000
    assert len(full_store.tsne("knn-p8-all")) == parameters["tsne_sample"]
    assert full_store.tsne("iterative-p1-no_socio")[["x", "y"]].notna().all().all()
