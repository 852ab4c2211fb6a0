"""How stable the final segmentation is: K-means refitted on bootstrap resamples of the training clients.

The three-column space (job, housing, loan) has a near-tied second K-means partition, so an analyst should
know how often the published segments come back when the clients are resampled, and how often the other
partition does instead. Per resample this module reports the adjusted Rand index with the published
segmentation, and per segment the Jaccard similarity of its best-matching refitted cluster on the resampled
clients, judged by Hennig's rules (clusterboot, 2007): above 0.75 the segment is recovered, below 0.5 it has
dissolved.

The space has a few dozen distinct rows (profiles). A resample is the number of times each profile is drawn,
and K-means on the profiles weighted by those counts solves the same problem as K-means on the drawn rows, at
a fraction of the cost; the fitted partition assigns every client through its profile.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from dashapp.analysis.segmentation import number_segments

#: Hennig's thresholds on a cluster's Jaccard similarity with its best match in a resample.
RECOVERED_JACCARD = 0.75
DISSOLVED_JACCARD = 0.5
#: A refitted partition "is" the published one (or the alternative) when their adjusted Rand index reaches this.
SAME_PARTITION_ARI = 0.9


@dataclass(frozen=True)
class StabilityParameters:
    """Options of the stability study, recorded in the manifest.

    Attributes
    ----------
    resamples : int
        Bootstrap resamples of the training clients.
    alternative_starts : int
        Single K-means++ starts on all training clients, among whose local optima the near-tied alternative
        partition is looked for.
    random_state : int
    """

    resamples: int = 100
    alternative_starts: int = 200
    random_state: int = 42

    def __post_init__(self):
        for name in ("resamples", "alternative_starts"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)} must be a positive integer")


@dataclass(frozen=True)
class _Profiles:
    """The distinct rows of the space, each row's profile, and the profiles' counts."""

    points: np.ndarray
    of_row: np.ndarray
    counts: np.ndarray
    #: The published segmentation's k.
    k: int

    @classmethod
    def of(cls, Z: np.ndarray, k: int) -> "_Profiles":
        points, of_row, counts = np.unique(Z, axis=0, return_inverse=True, return_counts=True)
        return cls(points, of_row.reshape(-1), counts, k)

    def fit(self, weights: np.ndarray, n_init: int, random_state: int) -> tuple[np.ndarray, float]:
        """K-means (the published k) on the profiles weighted by ``weights``: every profile's label, and the
        inertia."""
        drawn = np.flatnonzero(weights)
        model = KMeans(n_clusters=self.k, n_init=n_init, random_state=random_state)
        model.fit(self.points[drawn], sample_weight=weights[drawn])
        return model.predict(self.points), float(model.inertia_)

    def inertia(self, profile_labels: np.ndarray) -> float:
        """The within-cluster sum of squares over every row of a partition given per profile."""
        total = 0.0
        for label in np.unique(profile_labels):
            members = profile_labels == label
            centre = np.average(self.points[members], axis=0, weights=self.counts[members])
            total += float(np.sum(self.counts[members] * np.sum((self.points[members] - centre) ** 2, axis=1)))
        return total


def segmentation_stability(Z: np.ndarray, segments: np.ndarray, key_fields: pd.DataFrame, n_init: int,
                           parameters: StabilityParameters) -> dict:
    """Refit the final segmentation on bootstrap resamples and compare with the published one.

    Parameters
    ----------
    Z : ndarray of shape (n, d)
        The training clients in the final segmentation's space (its transformer's output).
    segments : ndarray of int, shape (n,)
        The published segment (1-k) of each training client; k is the number of distinct segments.
    key_fields : DataFrame
        Their job, housing and loan (to number the alternative partition's clusters as the segments are).
    n_init : int
        K-means starts per refit: the final segmentation's own.
    parameters : StabilityParameters

    Returns
    -------
    dict
        JSON-serialisable: ``resamples``, ``ari`` (median, min, max), ``segments`` (per segment: Jaccard median
        and min, resamples recovered and dissolved), ``published`` and ``alternative`` (inertia, shares by
        segment, and each cluster's composition by published segment), ``lands_on`` (resamples whose refit is the
        published partition, the alternative, or neither).
    """
    numbers = tuple(int(s) for s in np.unique(segments))
    profiles = _Profiles.of(Z, len(numbers))
    seed = parameters.random_state
    published = _segment_of_profile(profiles, segments)
    alternative, alternative_inertia, found_in = _alternative_partition(profiles, published, parameters)
    alternative_segments = _numbered(alternative[profiles.of_row], key_fields)
    published_inertia = profiles.inertia(published)

    rng = np.random.default_rng(seed)
    aris, lands_on = [], {"published": 0, "alternative": 0, "other": 0}
    jaccards = {s: [] for s in numbers}
    for b in range(parameters.resamples):
        drawn = rng.integers(0, len(Z), size=len(Z))
        weights = np.bincount(profiles.of_row[drawn], minlength=len(profiles.points))
        refit = profiles.fit(weights, n_init, seed + b)[0][profiles.of_row]
        ari = adjusted_rand_score(segments, refit)
        ari_alternative = adjusted_rand_score(alternative_segments, refit)
        aris.append(ari)
        lands_on[_closest(ari, ari_alternative)] += 1
        clients = np.unique(drawn)  # Hennig: the resample's distinct clients
        for segment, jaccard in _best_jaccards(segments[clients], refit[clients], numbers).items():
            jaccards[segment].append(jaccard)

    aris = np.asarray(aris)
    return {
        "resamples": parameters.resamples, "random_state": seed, "n_init": n_init, "train_clients": int(len(Z)),
        "ari": {"median": float(np.median(aris)), "min": float(aris.min()), "max": float(aris.max())},
        "jaccard_recovered": RECOVERED_JACCARD, "jaccard_dissolved": DISSOLVED_JACCARD,
        "same_partition_ari": SAME_PARTITION_ARI,
        "segments": [{"segment": s, "jaccard_median": float(np.median(values)), "jaccard_min": float(min(values)),
                      "recovered": int(np.sum(np.asarray(values) >= RECOVERED_JACCARD)),
                      "dissolved": int(np.sum(np.asarray(values) < DISSOLVED_JACCARD))}
                     for s, values in jaccards.items()],
        "published": {"inertia": published_inertia, "shares": _shares(segments, numbers)},
        "alternative": {"inertia": alternative_inertia,
                        "inertia_gap": (alternative_inertia - published_inertia) / published_inertia,
                        "shares": _shares(alternative_segments, numbers),
                        "composition": _composition(segments, alternative_segments, numbers),
                        "ari_with_published": float(adjusted_rand_score(segments, alternative_segments)),
                        "starts": parameters.alternative_starts, "found_in": found_in},
        "lands_on": lands_on,
    }


def _segment_of_profile(profiles: _Profiles, segments: np.ndarray) -> np.ndarray:
    """The published segment of each profile (K-means gives equal rows one label, so each profile has one)."""
    of_profile = np.zeros(len(profiles.points), dtype=np.int64)
    of_profile[profiles.of_row] = segments
    return of_profile


def _alternative_partition(profiles: _Profiles, published: np.ndarray,
                           parameters: StabilityParameters) -> tuple[np.ndarray, float, int]:
    """The lowest-inertia local optimum, among single K-means starts, that is not the published partition.

    Returns its label per profile, its inertia, and how many of the starts ended in it.
    """
    found: dict[tuple, list] = {}
    for start in range(parameters.alternative_starts):
        labels, inertia = profiles.fit(profiles.counts, 1, parameters.random_state + start)
        if adjusted_rand_score(published, labels) == 1.0:
            continue
        key = tuple(pd.factorize(labels)[0])  # the partition, whatever its labels' numbers
        entry = found.setdefault(key, [inertia, labels, 0])
        entry[0] = min(entry[0], inertia)
        entry[2] += 1
    if not found:
        raise ValueError(f"all {parameters.alternative_starts} K-means starts found the published partition: "
                         "there is no alternative to compare with")
    _, labels, count = min(found.values(), key=lambda entry: (entry[0], entry[1].tolist()))
    return labels, profiles.inertia(labels), count


def _numbered(labels: np.ndarray, key_fields: pd.DataFrame) -> np.ndarray:
    """A k-cluster partition's clusters renumbered by the segments' rules (see ``number_segments``)."""
    mapping = number_segments(labels, key_fields)
    return np.vectorize(mapping.get)(labels)


def _closest(ari_published: float, ari_alternative: float) -> str:
    if max(ari_published, ari_alternative) < SAME_PARTITION_ARI:
        return "other"
    return "published" if ari_published >= ari_alternative else "alternative"


def _best_jaccards(segments: np.ndarray, refit: np.ndarray, numbers: tuple[int, ...]) -> dict[int, float]:
    """Each segment's Jaccard similarity with the refitted cluster that matches it best."""
    table = pd.crosstab(segments, refit)
    overlap = table.to_numpy(dtype=np.float64)
    union = overlap.sum(axis=1, keepdims=True) + overlap.sum(axis=0, keepdims=True) - overlap
    best = (overlap / union).max(axis=1)
    found = dict(zip(table.index.tolist(), best.tolist()))
    # A segment absent from the resample (possible only for tiny data) is not recovered.
    return {s: float(found.get(s, 0.0)) for s in numbers}


def _composition(segments: np.ndarray, alternative: np.ndarray, numbers: tuple[int, ...]) -> list[dict]:
    """What each of the alternative's clusters is made of: its share of the clients and its clients by
    published segment. (Its numbers follow the segments' rules, but the rules name clusters by their members,
    and the alternative's members are cut differently: the composition says how.)"""
    table = pd.crosstab(alternative, segments).reindex(index=list(numbers), columns=list(numbers), fill_value=0)
    return [{"cluster": int(cluster), "share": float(row.sum() / len(segments)),
             "segments": {str(s): int(n) for s, n in row.items()}} for cluster, row in table.iterrows()]


def _shares(segments: np.ndarray, numbers: tuple[int, ...]) -> dict[str, float]:
    counts = np.bincount(segments, minlength=max(numbers) + 1)
    return {str(s): float(counts[s] / len(segments)) for s in numbers}
