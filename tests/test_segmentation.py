"""Naming the segments, the tree's readable rules and its nodes, on small frames built here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashapp.segmentation import (fit_segment_classifier, number_segments, segment_profiles, tree_nodes,
                                  tree_rules_text)


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
    rules = tree_rules_text(nodes, {1: "one", 2: "two", 3: "three", 4: "four"})
    assert "<=" not in rules and "0.5" not in rules
    assert any(r in rules for r in ("housing = yes", "loan = yes", "job = "))
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
