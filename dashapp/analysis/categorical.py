"""A clustering made for categories: k-modes on job, housing and loan, against the published segmentation.

K-means saw the three key fields as ordinal codes, so it cut the jobs where the alphabet does. k-modes (the
``kmodes`` package, Huang's algorithm with Cao's initialisation) measures how many of the three fields two
clients share, which is what the fields mean. For k = 2..8 the build records each solution's cost, its
clusters' shares and its agreement with the published segmentation (adjusted Rand index); at k = 4 a crosstab
with the published segments; and, as the simplest baseline, the four explicit housing x loan groups.

Cao's initialisation is deterministic (the densest combination first, then the ones far from the chosen and
dense), so a solution never depends on a seed, and one start is the whole search (``kmodes`` runs Cao once).
The seed only matters if a cluster empties during the iterations, which then takes a random client.

The training clients hold few distinct combinations (44 on the UCI file), so the fit runs on the distinct
combinations weighted by their clients, which gives exactly the fit on the clients grouped by combination:
Cao's initial modes are computed on the clients themselves (by ``kmodes``' own ``init_cao``), and in Huang's
updates identical clients always move together (moving one only brings its new cluster's mode closer to the
others and its old one's farther), so a block of them moves at once, as its weight does.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
from kmodes.kmodes import KModes
from kmodes.util.dissim import matching_dissim
from kmodes.util.init_methods import init_cao
from sklearn.metrics import adjusted_rand_score

logger = logging.getLogger(__name__)

KMODES_K_VALUES: tuple[int, ...] = tuple(range(2, 9))
#: Random starts after Cao's (see the module docstring).
RANDOM_STARTS = 300


def combination_counts(keys: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct combinations of ``keys``' columns in order of first appearance, with their clients.

    Returns
    -------
    combinations : DataFrame
        One row per distinct combination, columns as ``keys``, plus ``clients``.
    row_combination : ndarray of int, shape (len(keys),)
        The position in ``combinations`` of each row's combination.
    """
    text = keys.astype(str).reset_index(drop=True)
    codes = text.groupby(list(text.columns), sort=False).ngroup().to_numpy()  # numbered by first appearance
    combinations = text.drop_duplicates().reset_index(drop=True)
    combinations["clients"] = np.bincount(codes, minlength=len(combinations))
    return combinations, codes


def fit_kmodes(keys: pd.DataFrame, k: int, n_random_starts: int = RANDOM_STARTS, random_state: int = 42) -> dict:
    """k-modes on the rows of ``keys``, fitted on their distinct combinations; the lowest cost over its starts.

    Parameters
    ----------
    keys : DataFrame
        Categorical columns (e.g. job, housing, loan) without missing values, one row per client.
    k : int
        Clusters, at least 2 and at most the number of distinct combinations.
    n_random_starts : int
        Starts from k distinct combinations drawn with ``random_state``, after Cao's start.
    random_state : int

    Returns
    -------
    dict
        ``labels`` (ndarray, cluster 0..k-1 of each row), ``cost`` (mismatches of every row with its cluster's
        mode, summed), ``modes`` (list of k dicts column -> value), ``iterations``, ``start`` (0 for Cao's,
        i for the i-th random one), ``cao_cost`` (the cost of Cao's start alone), ``tied_labels`` (every
        distinct partition the starts reached at the lowest cost, the chosen one included).
    """
    combinations, row_combination = combination_counts(keys)
    columns = list(keys.columns)
    if not 2 <= k <= len(combinations):
        raise ValueError(f"k={k} must be between 2 and the {len(combinations)} distinct combinations")
    if n_random_starts < 0:
        raise ValueError(f"n_random_starts={n_random_starts} must be 0 or more")
    values = combinations[columns].to_numpy()
    # kmodes takes an initialisation in its own codes: each column's values numbered in sorted order.
    encodings = [{value: code for code, value in enumerate(np.unique(values[:, j]))} for j in range(len(columns))]
    combination_codes = np.column_stack([[encodings[j][v] for v in values[:, j]] for j in range(len(columns))])
    rng = np.random.default_rng(random_state)
    starts = [init_cao(combination_codes[row_combination], k, matching_dissim)]
    weights = combinations["clients"].astype(int).tolist()
    # k distinct combinations, each as likely as its clients are many (as drawing k clients would be).
    probabilities = combinations["clients"].to_numpy() / len(keys)
    starts += [combination_codes[rng.choice(len(combinations), size=k, replace=False, p=probabilities)]
               for _ in range(n_random_starts)]
    models = [KModes(n_clusters=k, init=np.asarray(start, dtype=np.uint16), n_init=1,
                     random_state=random_state).fit(values, sample_weight=weights) for start in starts]
    costs = np.array([model.cost_ for model in models])
    number = int(np.argmin(costs))  # a tie keeps the earlier start
    model = models[number]
    # Other partitions of the same lowest cost: k-modes' optimum is often not unique on so few combinations.
    tied = {_canonical(m.labels_): m.labels_ for m in models if m.cost_ == costs[number]}
    return {"labels": np.asarray(model.labels_, dtype=int)[row_combination], "cost": float(model.cost_),
            "modes": [{column: str(value) for column, value in zip(columns, centroid)}
                      for centroid in model.cluster_centroids_],
            "iterations": int(model.n_iter_), "start": number, "cao_cost": float(costs[0]),
            "tied_labels": [np.asarray(labels, dtype=int)[row_combination] for labels in tied.values()]}


def _canonical(labels: np.ndarray) -> tuple[int, ...]:
    """A partition's labels renumbered by first appearance, so that equal partitions compare equal."""
    first = {}
    return tuple(first.setdefault(int(label), len(first)) for label in labels)


def housing_loan_groups(keys: pd.DataFrame) -> np.ndarray:
    """The four explicit housing x loan groups: 0 neither, 1 housing loan only, 2 personal only, 3 both."""
    return (keys["housing"].to_numpy() == "yes").astype(int) + 2 * (keys["loan"].to_numpy() == "yes")


#: How :func:`housing_loan_groups` numbers its groups, in words.
HOUSING_LOAN_GROUPS = ("no loans", "housing loan only", "personal loan only", "both loans")


def crosstab(labels: np.ndarray, segments: np.ndarray, n_clusters: int,
             segment_numbers: Sequence[int]) -> list[list[int]]:
    """Clients of each cluster (rows, 0..n_clusters-1) in each published segment (columns, ``segment_numbers``)."""
    return [[int(np.sum((labels == cluster) & (segments == s))) for s in segment_numbers]
            for cluster in range(n_clusters)]


def _solution(fit: dict, segments: np.ndarray, k: int) -> dict:
    labels = fit["labels"]
    tied_ari = [float(adjusted_rand_score(segments, tied)) for tied in fit["tied_labels"]]
    return {"k": k, "cost": fit["cost"], "cao_cost": fit["cao_cost"], "start": fit["start"],
            "iterations": fit["iterations"], "shares": (np.bincount(labels, minlength=k) / len(labels)).tolist(),
            "modes": fit["modes"], "ari": float(adjusted_rand_score(segments, labels)),
            "tied_solutions": len(tied_ari), "tied_ari_range": [min(tied_ari), max(tied_ari)]}


def categorical_benchmark(keys: pd.DataFrame, segments: np.ndarray, k_values: Sequence[int] = KMODES_K_VALUES,
                          random_state: int = 42) -> dict:
    """k-modes for each k and the housing x loan rules, against the published segmentation.

    Parameters
    ----------
    keys : DataFrame
        job, housing and loan of the training clients after imputation (the final segmentation's
        ``imputed_key_fields``).
    segments : ndarray of int
        The published segment of each of those clients.
    k_values : sequence of int
        The k of each k-modes run; the published segmentation's own k (its number of segments, at which the
        crosstab with the segments is recorded) is added when missing.
    random_state : int

    Returns
    -------
    dict
        JSON-ready: ``clients``, ``combinations``, ``segments`` (numbers), ``kmodes`` (one dict per k: ``k``,
        ``cost``, ``iterations``, ``shares``, ``modes``, ``ari``), ``crosstab`` (``k`` and ``counts``, cluster x
        segment), ``rules`` (``groups`` names, ``shares``, ``ari``, ``counts``, group x segment).
    """
    if len(segments) != len(keys):
        raise ValueError(f"{len(segments)} segments for {len(keys)} clients; expected one per client")
    segments = np.asarray(segments, dtype=int)
    numbers = sorted(int(s) for s in np.unique(segments))
    crosstab_k = len(numbers)
    solutions, crosstab_counts = [], None
    for k in sorted(set(k_values) | {crosstab_k}):
        fit = fit_kmodes(keys, k, random_state=random_state)
        solutions.append(_solution(fit, segments, k))
        if k == crosstab_k:
            crosstab_counts = crosstab(fit["labels"], segments, k, numbers)
    groups = housing_loan_groups(keys)
    return {
        "clients": int(len(keys)),
        "combinations": int(len(combination_counts(keys)[0])),
        "segments": numbers,
        "kmodes": solutions,
        "crosstab": {"k": crosstab_k, "counts": crosstab_counts},
        "rules": {"groups": list(HOUSING_LOAN_GROUPS),
                  "shares": (np.bincount(groups, minlength=len(HOUSING_LOAN_GROUPS)) / len(groups)).tolist(),
                  "ari": float(adjusted_rand_score(segments, groups)),
                  "counts": crosstab(groups, segments, len(HOUSING_LOAN_GROUPS), numbers)},
    }
