"""Naming the segments, the tree's readable rules and its nodes, on small frames built here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashapp.analysis.segmentation import (fit_final_segmentation, fit_segment_classifier, key_combinations,
                                           number_segments, predict_by_combination, segment_profiles, tree_nodes)


def _clients(n_each: int = 30) -> tuple[pd.DataFrame, np.ndarray]:
    """Four obvious groups, in scrambled K-means label order."""
    groups = [
        # (label, job, housing, loan)  -> expected segment
        (2, "admin.", "yes", "no"),       # 1
        (0, "services", "no", "yes"),     # 2
        (3, "retired", "no", "no"),       # 3
        (1, "technician", "yes", "no"),   # 4
    ]
    rows, labels = [], []
    for label, job, housing, loan in groups:
        rows += [{"job": job, "housing": housing, "loan": loan}] * n_each
        labels += [label] * n_each
    return pd.DataFrame(rows), np.array(labels)


def test_segments_are_numbered_by_their_members():
    keys, labels = _clients()
    assert number_segments(labels, keys) == {2: 1, 0: 2, 3: 3, 1: 4}


def test_numbering_needs_one_label_per_client():
    keys, labels = _clients()
    with pytest.raises(ValueError, match="one label per row"):
        number_segments(labels[:-1], keys)


def test_tree_rules_are_words_not_thresholds():
    keys, labels = _clients()
    segments = np.vectorize(number_segments(labels, keys).get)(labels)
    classifier = fit_segment_classifier(keys, segments, keys, segments)
    assert classifier.evaluation["tree"]["accuracy"] == 1.0
    nodes = tree_nodes(classifier.tree)
    assert nodes[0]["parent"] is None and nodes[0]["samples"] == len(keys)
    rules = [node["rule"] for node in nodes[1:]]
    assert not any("<=" in rule or "0.5" in rule for rule in rules)
    assert any(r in rule for rule in rules for r in ("housing = yes", "loan = yes", "job = "))
    leaves = [n for n in nodes if n["is_leaf"]]
    assert sum(n["samples"] for n in leaves) == len(keys)
    assert {n["segment"] for n in leaves} == {1, 2, 3, 4}


def test_profiles_report_sizes_rates_and_job_mix():
    keys, labels = _clients(10)
    segments = np.vectorize(number_segments(labels, keys).get)(labels)
    clean = pd.DataFrame({"y": ["yes", "no"] * 20, "marital": "married", "education": "basic.4y",
                          "previous": 0, "age": 40})
    profiles = segment_profiles(clean, keys, segments)
    first = profiles["segments"][0]
    assert first["segment"] == 1 and first["clients"] == 10 and first["share"] == 0.25
    assert first["radar"]["housing_loan"] == 1.0 and first["radar"]["personal_loan"] == 0.0
    assert first["job_counts"]["admin."] == 10
    assert set(profiles["radar_axes"]) == set(first["radar"])


def _keys_with_variety(seed: int, n: int) -> pd.DataFrame:
    """Clients of the four obvious groups, a few with another job, shuffled."""
    keys, _ = _clients(n // 4)
    rng = np.random.default_rng(seed)
    other = rng.random(len(keys)) < 0.2
    keys.loc[other, "job"] = rng.choice(["blue-collar", "management", "student"], size=int(other.sum()))
    return keys.iloc[rng.permutation(len(keys))].reset_index(drop=True)


def test_the_segmentation_on_weighted_combinations_equals_the_one_on_rows():
    train, test = _keys_with_variety(0, 400), _keys_with_variety(1, 120)
    sample = np.arange(0, 400, 3)
    on_rows = fit_final_segmentation(None, train, test, sample, n_init=10, random_state=0)
    on_combinations = fit_final_segmentation(None, train, test, sample, n_init=10, random_state=0,
                                             on_combinations=True)
    np.testing.assert_array_equal(on_combinations.all_segments, on_rows.all_segments)
    assert on_combinations.shares() == on_rows.shares()
    assert on_combinations.silhouette == pytest.approx(on_rows.silhouette, abs=1e-9)
    assert on_combinations.silhouette_sampled == pytest.approx(on_rows.silhouette_sampled, abs=1e-9)
    assert on_combinations.kmeans.inertia_ == pytest.approx(on_rows.kmeans.inertia_, rel=1e-9)
    pd.testing.assert_frame_equal(on_combinations.imputed_key_fields, on_rows.imputed_key_fields)


def test_combinations_are_found_and_predicted_once_each():
    keys = _keys_with_variety(2, 200)
    combinations, of_row = key_combinations(keys)
    assert len(combinations) == len(keys.drop_duplicates())
    pd.testing.assert_frame_equal(combinations.iloc[of_row].reset_index(drop=True), keys, check_dtype=False)
    fitted = fit_final_segmentation(None, keys, keys.iloc[:0], np.arange(10), random_state=0)
    Z = fitted.transformer.transform(keys)
    np.testing.assert_array_equal(predict_by_combination(fitted.kmeans, fitted.transformer, keys),
                                  fitted.kmeans.predict(Z))
    with pytest.raises(ValueError, match="outside their known categories"):
        key_combinations(keys.assign(job="unknown"))
