"""k-modes on the key fields and the housing x loan rules, against a published segmentation (small frames)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kmodes.kmodes import KModes
from sklearn.metrics import adjusted_rand_score

from dashapp.analysis.categorical import categorical_benchmark, combination_counts, fit_kmodes, housing_loan_groups


def _keys(n: int = 900, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    jobs = rng.choice(["admin.", "blue-collar", "technician", "retired", "student"], size=n,
                      p=[0.3, 0.3, 0.2, 0.1, 0.1])
    housing = rng.choice(["no", "yes"], size=n, p=[0.45, 0.55])
    loan = rng.choice(["no", "yes"], size=n, p=[0.85, 0.15])
    return pd.DataFrame({"job": jobs, "housing": housing, "loan": loan})


def _published(keys: pd.DataFrame) -> np.ndarray:
    """A segmentation shaped as the published one: personal loan 2; else no housing 3; else by job 1 or 4."""
    early = keys["job"].isin(["admin.", "blue-collar"]).to_numpy()
    return np.where(keys["loan"] == "yes", 2, np.where(keys["housing"] == "no", 3, np.where(early, 1, 4)))


def test_combinations_are_counted_in_order_of_first_appearance():
    keys = pd.DataFrame({"job": ["b", "a", "b", "a", "c"], "housing": ["no", "no", "no", "yes", "no"],
                         "loan": ["no"] * 5})
    combinations, codes = combination_counts(keys)
    assert combinations[["job", "housing"]].values.tolist() == [["b", "no"], ["a", "no"], ["a", "yes"], ["c", "no"]]
    assert combinations["clients"].tolist() == [2, 1, 1, 1] and codes.tolist() == [0, 1, 0, 2, 3]


@pytest.mark.parametrize("k", [2, 3, 4, 6])
def test_a_cao_fit_on_the_combinations_equals_kmodes_on_the_rows(k):
    keys = _keys()
    fit = fit_kmodes(keys, k, n_random_starts=0)
    on_rows = KModes(n_clusters=k, init="Cao", n_init=1, random_state=0).fit(keys.to_numpy())
    assert fit["cost"] == on_rows.cost_
    assert adjusted_rand_score(on_rows.labels_, fit["labels"]) == 1.0


def test_kmodes_is_deterministic_and_keeps_the_lowest_cost_of_its_starts():
    keys = _keys()
    first, again = (fit_kmodes(keys, 4, n_random_starts=30, random_state=7),
                    fit_kmodes(keys, 4, n_random_starts=30, random_state=7))
    assert np.array_equal(first["labels"], again["labels"]) and first["cost"] == again["cost"]
    assert first["cost"] <= first["cao_cost"]
    # The cost is the mismatches of every row with its cluster's mode.
    modes = pd.DataFrame(first["modes"]).iloc[first["labels"]].reset_index(drop=True)
    assert first["cost"] == (modes != keys.reset_index(drop=True)).to_numpy().sum()
    assert any(adjusted_rand_score(first["labels"], tied) == 1.0 for tied in first["tied_labels"])


def test_kmodes_refuses_more_clusters_than_combinations():
    keys = pd.DataFrame({"job": ["a", "b", "a"], "housing": ["no"] * 3, "loan": ["no"] * 3})
    with pytest.raises(ValueError, match="k=3 must be between 2 and the 2 distinct combinations"):
        fit_kmodes(keys, 3)


def test_housing_loan_rules_are_four_groups_and_their_ari():
    keys = _keys()
    groups = housing_loan_groups(keys)
    expected = (keys["housing"] == "yes").astype(int) + 2 * (keys["loan"] == "yes")
    assert groups.tolist() == expected.tolist()
    result = categorical_benchmark(keys, _published(keys), k_values=(2, 4))
    assert result["rules"]["ari"] == pytest.approx(adjusted_rand_score(_published(keys), groups))
    assert sum(result["rules"]["shares"]) == pytest.approx(1.0)
    assert sum(map(sum, result["rules"]["counts"])) == len(keys)


def test_benchmark_records_each_k_and_the_crosstab_at_four():
    keys, published = _keys(), _published(_keys())
    result = categorical_benchmark(keys, published, k_values=(2, 3, 4))
    assert [s["k"] for s in result["kmodes"]] == [2, 3, 4]
    four = result["kmodes"][2]
    fit = fit_kmodes(keys, 4)
    assert four["ari"] == pytest.approx(adjusted_rand_score(published, fit["labels"]))
    assert four["tied_ari_range"][0] <= four["ari"] <= four["tied_ari_range"][1]
    counts = np.array(result["crosstab"]["counts"])
    assert counts.shape == (4, 4) and counts.sum() == len(keys)
    assert counts.sum(axis=0).tolist() == [int((published == s).sum()) for s in (1, 2, 3, 4)]
    assert result["combinations"] == len(combination_counts(keys)[0])
    # The segmentation's own k (its number of segments) is added when the k values leave it out.
    without_four = categorical_benchmark(keys, published, k_values=(2, 3))
    assert [s["k"] for s in without_four["kmodes"]] == [2, 3, 4]
    assert without_four["crosstab"] == result["crosstab"]
