"""The Methods page's facts, computed from small made-up grids and clients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashapp.analysis.method_facts import (elbow_facts, k_choice_facts, method_facts, outcome_in_imputation_facts,
                                           unknown_imputation_facts)
from dashapp.analysis.preprocessing import UnknownValueImputer
from dashapp.analysis.segmentation import fit_final_segmentation


def _metrics(inertia, silhouette=None):
    ks = list(range(2, 2 + len(inertia)))
    return pd.DataFrame({"k": ks, "inertia": inertia, "silhouette": silhouette or [0.1] * len(ks)})


def test_unknown_values_are_counted_by_what_they_became():
    raw = pd.Series(["yes", "no", "unknown", "unknown", "yes", "unknown"])
    imputed = pd.Series(["yes", "no", "no", "yes", "yes", "no"])
    facts = unknown_imputation_facts(raw, imputed, np.array([1, 3, 3, 1, 4, 3]))
    assert (facts["unknown"], facts["became_no"], facts["became_yes"]) == (3, 2, 1)
    assert facts["known_yes_rate"] == pytest.approx(2 / 3)
    # The segments the rows have (segment 2 has none here), each with its count of formerly unknown rows.
    assert facts["segments"] == {"1": 1, "3": 2, "4": 0}


def test_a_rising_elbow_is_counted_with_its_largest_rise():
    grid = {"raw-p1-all": _metrics([100, 80, 84, 60, 50]), "raw-p2-all": _metrics([100, 80, 70, 60, 50]),
            "knn-p8-final": _metrics([10, 12, 5, 4, 3])}  # the final feature set is not among the 48 curves
    facts = elbow_facts(grid, grid_n_init=2)
    assert (facts["curves"], facts["rising"], facts["rising_configurations"]) == (2, 1, ["raw-p1-all"])
    assert facts["largest_rise"] == pytest.approx(0.05)
    assert (facts["final_curves"], facts["final_rising"]) == (1, 1)


def test_k_choice_reads_the_final_space_and_the_others_knees():
    grid = {"knn-p8-final": _metrics([50, 30, 20, 15, 12], [0.5, 0.6, 0.63, 0.7, 0.75]),
            "raw-p1-all": _metrics([1000, 400, 150, 120, 100], [0.2, 0.25, 0.3, 0.2, 0.1]),
            "knn-p1-all": _metrics([1000, 900, 800, 700, 600], [0.1, 0.1, 0.35, 0.1, 0.1])}
    facts = k_choice_facts(grid)
    assert facts["final_silhouette_by_k"]["4"] == pytest.approx(0.63)
    assert facts["knees"]["configurations"] == 2 and facts["knees"]["min"] == 4
    assert facts["best_other_at_final_k"] == {"config_id": "knn-p1-all", "silhouette": pytest.approx(0.35)}


def test_the_outcome_is_a_grid_feature_but_not_a_segment_feature():
    clean = pd.DataFrame({"housing": ["yes", "unknown"], "loan": ["no", "unknown"]})
    keys = pd.DataFrame({"housing": ["yes", "no"], "loan": ["no", "no"]})
    facts = method_facts(clean, keys, np.array([1, 3]), {"knn-p8-final": _metrics([3, 2, 1])}, grid_n_init=2)
    assert facts["outcome_in_grid"] == {"all": True, "no_socio": True, "final": False}
    assert facts["unknown_loans"]["loan"]["became_no"] == 1


def _outcome_decides_frame() -> pd.DataFrame:
    """Students who subscribed, aged 25, and administrators who did not, aged 35; then one client of each
    period whose job is unknown, aged 29 (nearer the students) and subscribed."""
    known = pd.DataFrame({"age": [25] * 10 + [35] * 10, "job": ["student"] * 10 + ["admin."] * 10,
                          "housing": "no", "loan": "no", "y": ["yes"] * 10 + ["no"] * 10})
    unknown = pd.DataFrame({"age": [29], "job": [np.nan], "housing": ["no"], "loan": ["no"], "y": ["yes"]})
    return pd.concat([known, unknown], ignore_index=True)


def test_a_clients_own_outcome_is_counted_when_it_decides_its_segment():
    # Flipped to "did not subscribe", the unknown client's nearest clients are the administrators: the outcome
    # weighs more than four years of age. Without y among the features, age alone makes it a student again.
    train, test = _outcome_decides_frame(), _outcome_decides_frame()
    imputer = UnknownValueImputer("knn").fit(train)
    segmentation = fit_final_segmentation(imputer, imputer.transform(train), imputer.transform(test),
                                          np.arange(len(train)), n_init=2, random_state=0, k=2)
    student = segmentation.segments_of(pd.DataFrame({"job": ["student"], "housing": ["no"], "loan": ["no"]}))[0]
    assert segmentation.train_segments[-1] == student  # imputed a student, as built
    facts = outcome_in_imputation_facts(segmentation, train, test, np.arange(len(train)), sampled=False)
    assert facts == {"population": "all",
                     "train": {"clients": 21, "with_gaps": 1, "flipped": 1, "without_outcome": 0},
                     "test": {"clients": 21, "with_gaps": 1, "flipped": 1, "without_outcome": 0}}
    # A sample of the training rows: only those are counted, and the test rows not at all.
    sampled = outcome_in_imputation_facts(segmentation, train, test, np.arange(5, 21), sampled=True)
    assert sampled == {"population": "fit_sample",
                       "train": {"clients": 16, "with_gaps": 1, "flipped": 1, "without_outcome": 0}}
    assert outcome_in_imputation_facts(segmentation, train.drop(columns="y"), test, np.arange(21), False) is None
