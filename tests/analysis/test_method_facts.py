"""The Methods page's facts, computed from small made-up grids and clients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashapp.analysis.method_facts import elbow_facts, k_choice_facts, method_facts, unknown_imputation_facts


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
