"""How good one K-means partition is: cluster shares, the silhouette (exact on distinct rows where the rows
take few distinct values), each cluster's share of negative silhouettes, and bootstrap stability.

The grid (:mod:`dashapp.analysis.clustering`) scores every (configuration, k) with these.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_samples


def cluster_shares(labels: np.ndarray, k: int) -> np.ndarray:
    """The share of the rows in each of ``k`` clusters, by 0-based label (an empty cluster has share 0)."""
    return np.bincount(labels, minlength=k)[:k] / len(labels)


def distinct_rows(X: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray] | None:
    """``(distinct rows, position of each row among them)`` when ``X`` has at most ``limit`` distinct rows."""
    # A cheap look first: a matrix with many distinct values in one column has many distinct rows.
    if any(len(np.unique(X[:, j])) > limit for j in range(X.shape[1])):
        return None
    distinct, inverse = np.unique(X, axis=0, return_inverse=True)
    if len(distinct) > limit:
        return None
    return distinct, inverse.reshape(-1)


def silhouette_of_distinct_rows(distinct: np.ndarray, inverse: np.ndarray, labels: np.ndarray) -> float:
    """The exact silhouette of every row, computed on the distinct (row, label) pairs weighted by their counts.

    Equal to ``sklearn.metrics.silhouette_score(distinct[inverse], labels)`` (to rounding: scikit-learn's
    distances between equal rows are not always exactly zero) at a cost quadratic in the distinct rows only.

    Parameters
    ----------
    distinct : ndarray of shape (m, d)
        The distinct rows.
    inverse : ndarray of int, shape (n,)
        Each row's position in ``distinct``.
    labels : ndarray of int, shape (n,)
        Each row's cluster.

    Returns
    -------
    float
        NaN when the rows form a single cluster.
    """
    pairs = _distinct_pair_silhouettes(distinct, inverse, labels)
    if pairs is None:
        return float("nan")
    scores, weights, _ = pairs
    return float(np.sum(scores * weights) / weights.sum())


def silhouette_samples_of_distinct_rows(distinct: np.ndarray, inverse: np.ndarray,
                                        labels: np.ndarray) -> np.ndarray:
    """Each row's silhouette, as :func:`silhouette_of_distinct_rows` computes it (shape (n,)).

    Equal to ``sklearn.metrics.silhouette_samples(distinct[inverse], labels)`` to rounding; all NaN when the
    rows form a single cluster.
    """
    pairs = _distinct_pair_silhouettes(distinct, inverse, labels)
    if pairs is None:
        return np.full(len(labels), np.nan)
    scores, _, pair_of_row = pairs
    return scores[pair_of_row]


def _distinct_pair_silhouettes(distinct: np.ndarray, inverse: np.ndarray, labels: np.ndarray):
    """``(silhouette of each distinct (row, label) pair, its count, each row's pair)``, or None for one cluster."""
    clusters, cluster_of = np.unique(labels, return_inverse=True)
    if len(clusters) < 2:
        return None
    pairs, pair_of_row, counts = np.unique(np.column_stack([inverse, cluster_of.reshape(-1)]), axis=0,
                                           return_inverse=True, return_counts=True)
    points, members = distinct[pairs[:, 0]], pairs[:, 1]
    weights = counts.astype(np.float64)
    sizes = np.bincount(members, weights=weights, minlength=len(clusters))
    # Distance sums from each pair to every cluster: sum over v in cluster c of count(v) * d(u, v).
    sums = cdist(points, points) @ (np.eye(len(clusters))[members] * weights[:, None])
    position = np.arange(len(points))
    with np.errstate(divide="ignore", invalid="ignore"):
        # The row itself is at distance 0 from its own copies, so only the denominator leaves it out.
        intra = sums[position, members] / (sizes[members] - 1)
        mean_to = sums / sizes
        mean_to[position, members] = np.inf
        inter = mean_to.min(axis=1)
        scores = (inter - intra) / np.maximum(intra, inter)
    # As scikit-learn: 0 for a cluster of one row (and for 0/0).
    return np.nan_to_num(scores), weights, pair_of_row.reshape(-1)


def negative_shares(silhouettes: np.ndarray, labels: np.ndarray, k: int) -> list[float]:
    """The share of each cluster's rows (by 0-based label) whose silhouette is below 0: closer to another
    cluster than to their own. NaN for a cluster without rows."""
    sizes = np.bincount(labels, minlength=k)[:k]
    negatives = np.bincount(labels, weights=silhouettes < 0, minlength=k)[:k]
    with np.errstate(divide="ignore", invalid="ignore"):
        return [float(share) for share in negatives / sizes]


def bootstrap_stability(X: np.ndarray, labels: np.ndarray, k: int, n_init: int, resamples: int,
                        random_state: int) -> np.ndarray:
    """How well K-means refitted on bootstrap resamples of ``X`` recovers the partition ``labels`` of ``X``.

    Each resample draws ``len(X)`` rows with replacement; K-means (the same k and starts as the partition's) is
    fitted on it and assigns every row of ``X``; the adjusted Rand index of that assignment with ``labels`` is
    the resample's figure. The resamples depend only on ``random_state`` and the number of rows, so every
    configuration of the grid is tested on the same draws.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        The rows (the grid's silhouette sample).
    labels : ndarray of int, shape (n,)
        Their cluster in the partition under test.
    k, n_init : int
        K-means' clusters and starts.
    resamples : int
    random_state : int

    Returns
    -------
    ndarray of float, shape (resamples,)
        One adjusted Rand index per resample: 1 for the same partition, about 0 for agreement by chance. NaN
        when ``labels`` has a single cluster.
    """
    if len(np.unique(labels)) < 2:
        return np.full(resamples, np.nan)
    rng = np.random.default_rng(random_state)
    indices = rng.integers(0, len(X), size=(resamples, len(X)))
    figures = np.empty(resamples)
    for b in range(resamples):
        # A row drawn m times counts m times: fitting the drawn rows once each with weight m is the same
        # K-means problem at a third less work (a bootstrap resample holds about 63% of the rows).
        counts = np.bincount(indices[b], minlength=len(X))
        drawn = np.flatnonzero(counts)
        model = KMeans(n_clusters=min(k, len(drawn)), n_init=n_init, random_state=random_state + b)
        model.fit(X[drawn], sample_weight=counts[drawn])
        figures[b] = adjusted_rand_score(labels, model.predict(X))
    return figures


def safe_silhouettes(X: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each row's silhouette (``sklearn.metrics.silhouette_samples``), all NaN when ``labels`` has one cluster."""
    # A sample can contain a single cluster for large k on degenerate data; its silhouettes are undefined there.
    if len(np.unique(labels)) < 2:
        return np.full(len(labels), np.nan)
    return silhouette_samples(X, labels)


def safe_score(score, X: np.ndarray, labels: np.ndarray) -> float:
    """``score(X, labels)`` (Calinski-Harabasz, Davies-Bouldin) as a float, NaN when ``labels`` has one cluster."""
    # A sample can contain a single cluster for large k on degenerate data; the score is undefined there.
    if len(np.unique(labels)) < 2:
        return float("nan")
    return float(score(X, labels))
