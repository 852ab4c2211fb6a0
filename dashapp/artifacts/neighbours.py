"""The voters of the neighbour vote: the build writes them (:func:`voters_artifact`) and scoring reads them
(:meth:`NeighbourIndex.from_artifact`). :func:`ranked_votes` ranks five neighbours' votes for the build's
comparison of a vote with the imputation's average
(:func:`dashapp.analysis.preprocessing.compare_neighbour_combination`); scoring's own vote, over the five
nearest and every client tied with the fifth, is :mod:`dashapp.scoring.model`'s.

Writer and reader sit together because they share one format, and both follow the table of client fields
(:mod:`dashapp.core.fields`): a field added there is written by the next build and expected by the reader, and
the build imports this module, so a change here (or in the fields) changes the artifacts' code version.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashapp.core import domain, fields

#: How many training clients vote on a missing key field.
N_NEIGHBOURS = 5


def ranked_votes(codes: np.ndarray) -> list[tuple[int, int]]:
    """The neighbours' categories with their votes, most votes first.

    Parameters
    ----------
    codes : ndarray of int, shape (k,)
        The neighbours' category codes, nearest neighbour first.

    Returns
    -------
    list of (code, votes)
        Most votes first; categories with equal votes in the order their nearest holder comes, so a tie goes
        to the category of the nearest neighbour among the tied ones.
    """
    counts: dict[int, int] = {}
    for code in codes.tolist():
        counts[code] = counts.get(code, 0) + 1
    # sorted() is stable and dicts keep first-seen order.
    return sorted(counts.items(), key=lambda item: -item[1])


def _fields_and_categories() -> dict[str, list[str]]:
    """The compared fields in the artifact's order (key fields, then context categories) and their codes."""
    by_field = {f: list(fields.BY_NAME[f].known_categories) for f in fields.KEY_FIELDS}
    by_field.update({f: list(fields.BY_NAME[f].categories) for f in fields.CONTEXT_CATEGORY_FIELDS})
    return by_field


def voters_artifact(train_clean: pd.DataFrame) -> dict:
    """The training clients that vote on a scored client's missing key field (the build's ``scoring.joblib``).

    Only clients with all three key fields known can vote: the voted field must be known, and the other two
    are compared. ``unknown`` in the context fields stays a category code of its own, because in this file it is
    not missing at random (a client whose default is unknown is twice as often blue-collar).

    Parameters
    ----------
    train_clean : DataFrame
        The cleaned training rows, indexed by their row number in the data file.

    Returns
    -------
    dict
        ``fields`` (key fields, then context fields), ``categories`` ({field: list}), ``codes`` (int8, one row
        per voter, one column per field: positions in ``categories``), ``age`` (float, one per voter),
        ``age_mean`` and ``age_scale`` (mean and population standard deviation of ``age``), ``client_id``
        (int64, one per voter).
    """
    categories = _fields_and_categories()
    keys = list(fields.KEY_FIELDS)
    voters = train_clean[(train_clean[keys] != domain.UNKNOWN).all(axis=1)]
    codes = np.column_stack([pd.Categorical(voters[f], categories=c).codes for f, c in categories.items()])
    age = voters["age"].to_numpy(dtype=float)
    return {"fields": list(categories), "categories": categories, "codes": codes.astype(np.int8), "age": age,
            "age_mean": float(age.mean()), "age_scale": float(age.std()),
            "client_id": voters.index.to_numpy(dtype=np.int64)}


@dataclass(frozen=True)
class NeighbourIndex:
    """The voters, grouped for fast distances (see :func:`dashapp.scoring.scorer.score_clients`).

    A voter's distance to a client depends only on the voter's compared categories (its *profile*) and its
    age, and the voters share a few thousand profiles and a few dozen ages; distances are computed per profile
    and per age, then gathered per voter.

    Attributes
    ----------
    key_codes : ndarray of int8, shape (n_voters, n_key_fields)
        Positions of the key fields' values in their known categories.
    profiles : tuple of ndarray of int8, one per key field, shape (n_profiles, n_compared)
        For each key field, the distinct codes the vote compares when that field is missing: the other key
        fields, then the context categories (positions in :data:`dashapp.core.domain.CATEGORIES`, ``unknown``
        included).
    profile_of : tuple of ndarray of int, shape (n_voters,)
        Each voter's row in ``profiles[k]``.
    profile_sizes : tuple of ndarray of int, shape (n_profiles,)
        Voters per profile.
    ages : ndarray of float, shape (n_ages,)
        The distinct ages, in years.
    age_of : ndarray of int, shape (n_voters,)
        Each voter's position in ``ages``.
    age_mean, age_scale : float
        The voters' mean age and its standard deviation (one standard deviation weighs as much as a mismatch).
    client_id : ndarray of int, shape (n_voters,)
        The voters' row numbers in the data file (0-based), in time order.
    """

    key_codes: np.ndarray
    profiles: tuple[np.ndarray, ...]
    profile_of: tuple[np.ndarray, ...]
    profile_sizes: tuple[np.ndarray, ...]
    ages: np.ndarray
    age_of: np.ndarray
    age_mean: float
    age_scale: float
    client_id: np.ndarray

    @classmethod
    def from_artifact(cls, index: dict) -> "NeighbourIndex":
        """Read :func:`voters_artifact`'s output, checking it was written for today's fields and categories."""
        expected = _fields_and_categories()
        if list(index["fields"]) != list(expected) or dict(index["categories"]) != expected:
            raise ValueError("scoring.joblib was built for other fields or categories than dashapp.core.fields'; "
                             "rebuild the artifacts with `make artifacts`")
        n_keys = len(fields.KEY_FIELDS)
        codes = np.asarray(index["codes"], dtype=np.int8)
        key_codes, context = codes[:, :n_keys], codes[:, n_keys:]
        profiles, profile_of = [], []
        for key in range(n_keys):
            unique, inverse = np.unique(np.column_stack([np.delete(key_codes, key, axis=1), context]), axis=0,
                                        return_inverse=True)
            profiles.append(unique)
            profile_of.append(inverse.reshape(-1))
        ages, age_of = np.unique(np.asarray(index["age"], dtype=float), return_inverse=True)
        return cls(key_codes=np.ascontiguousarray(key_codes), profiles=tuple(profiles),
                   profile_of=tuple(profile_of), profile_sizes=tuple(np.bincount(p) for p in profile_of),
                   ages=ages, age_of=age_of.reshape(-1), age_mean=float(index["age_mean"]),
                   age_scale=float(index["age_scale"]), client_id=np.asarray(index["client_id"]))
