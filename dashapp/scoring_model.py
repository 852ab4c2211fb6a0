"""The scoring model: fill a client's one missing key field by a vote of the nearest training clients, then look
up the segment the tree gives the key fields.

This is the kernel behind :mod:`dashapp.scoring`, which validates and encodes the inputs (a form's, the API's,
a file's rows) and hands them here as code arrays (:class:`Encoded`); :func:`assign` answers for all of them at
once. It trusts its inputs: at most one unknown key field per row, codes in range.

How the neighbours are combined
-------------------------------
The original averaged the neighbours' ordinal codes and truncated the mean, which invents categories that
none of the neighbours holds (codes 3, 3, 5, 5, 5 average to 4.2 -> code 4). Re-running the original's
KNN imputation on the 28,831 training rows of the full file and combining the *same* neighbours both ways
(:func:`dashapp.preprocessing.compare_neighbour_combination`, neighbours chosen by distance, then time order):

=========  ======  ========================  =======================
column     filled  invented by averaging     invented by majority
=========  ======  ========================  =======================
job          249   154                       0
marital       49   2                         0
education  1,183   524 ('illiterate': 14     0 ('illiterate': 14
                   known -> 274 in all)      known -> 14 in all)
=========  ======  ========================  =======================

So scoring takes a **majority vote**. A tie (say 2-2-1) goes to the category of the nearest neighbour among
the tied ones, and the answer says so (:attr:`FilledField.tied`): a tie is an honest "could be either".

Who votes, and on what
----------------------
The voters are the training clients with all three key fields known (the build's ``scoring.joblib``, see
:mod:`dashapp.neighbours`). A client is compared with them on the inputs the form provides: the squared age
difference in units of the voters' standard deviation of age, plus one per differing category among the
context fields and the two known key fields, so that a different category weighs as much as one standard
deviation of age (about 10 years). ``unknown`` in marital, education or default is a category of its own: in
this file it is not missing at random (a client whose default is unknown is twice as often blue-collar as one
whose default is known). An unknown age leaves age out of the distance. Equal distances (a client of 40 is as
far from a voter of 39 as from one of 41, exactly) are ordered by the training clients' time order, so the 5
neighbours, and therefore the answer, never depend on the machine or on how many clients are scored at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from itertools import product
from typing import NamedTuple

import numpy as np

from dashapp import fields
from dashapp.fields import KEY_FIELDS
from dashapp.neighbours import N_NEIGHBOURS, NeighbourIndex, ranked_votes

CONTEXT_FIELDS: tuple[str, ...] = fields.CONTEXT_CATEGORY_FIELDS
#: The codes of the arrays: a key field's known categories (unknown is -1), a context field's categories
#: (unknown included, as a category of its own).
KEY_CATEGORIES = {f: fields.BY_NAME[f].known_categories for f in KEY_FIELDS}
KEY_CODE = {f: {c: i for i, c in enumerate(cats)} for f, cats in KEY_CATEGORIES.items()}
CONTEXT_CODE = {f: {c: i for i, c in enumerate(fields.BY_NAME[f].categories)} for f in CONTEXT_FIELDS}


@dataclass(frozen=True)
class ScoringModel:
    """What scoring needs from the artifacts: the voters, and the tree's answer for every key-field combination.

    The tree only ever sees the known combinations of job, housing and loan, so its segment and decision path
    are tabulated once; scoring one client or a million is then a table look-up.

    Attributes
    ----------
    neighbours : NeighbourIndex
    segment_table : ndarray of int, one axis per key field (its known categories)
        Segment number by job, housing and loan code.
    paths : dict
        ``(job, housing, loan)`` codes -> node ids from the root to the leaf (see
        :func:`dashapp.segmentation.tree_nodes`).
    """

    neighbours: NeighbourIndex
    segment_table: np.ndarray
    paths: dict[tuple[int, int, int], tuple[int, ...]]

    @classmethod
    def from_store(cls, store) -> "ScoringModel":
        """Build from an :class:`dashapp.artifacts.ArtifactStore` (prefer the cached :func:`scoring_model`)."""
        segmentation = store.segmentation_model
        encoder_categories = [list(c) for c in segmentation.encoder.categories_]
        if encoder_categories != [list(KEY_CATEGORIES[f]) for f in KEY_FIELDS]:
            raise ValueError("the tree's encoder uses other categories than dashapp.fields'; "
                             "rebuild the artifacts with `make artifacts`")
        combinations = np.array(list(product(*(range(len(KEY_CATEGORIES[f])) for f in KEY_FIELDS))))
        tree = segmentation.tree
        segments = tree.predict(combinations.astype(float)).astype(np.int64)
        path_matrix = tree.decision_path(combinations.astype(float))
        paths = {tuple(int(c) for c in combo): tuple(int(n) for n in path_matrix[i].indices)
                 for i, combo in enumerate(combinations)}
        table = segments.reshape([len(KEY_CATEGORIES[f]) for f in KEY_FIELDS])
        return cls(NeighbourIndex.from_artifact(store.scoring_index), table, paths)


@cache
def scoring_model(store) -> ScoringModel:
    """The :class:`ScoringModel` of ``store``, built once per store and process."""
    return ScoringModel.from_store(store)



@dataclass(frozen=True)
class FilledField:
    """A key field filled by the neighbour vote.

    Attributes
    ----------
    field : str
    value : str
        The winning category.
    votes : tuple of (str, int)
        Each category the neighbours hold and its votes, most votes first (ties: nearest neighbour first).
    neighbours : tuple of int
        The voters' row numbers in the data file (0-based), nearest first.
    neighbour_values : tuple of str
        The voters' categories of ``field``, nearest first.
    """

    field: str
    value: str
    votes: tuple[tuple[str, int], ...]
    neighbours: tuple[int, ...]
    neighbour_values: tuple[str, ...]

    @property
    def tied(self) -> tuple[str, ...]:
        """The categories that share the most votes, winner first, when more than one does; else empty."""
        top = self.votes[0][1]
        tied = tuple(category for category, count in self.votes if count == top)
        return tied if len(tied) > 1 else ()

    @property
    def deciding_neighbour(self) -> int | None:
        """For a tie, the voter that broke it: the nearest one holding the winning category (else None)."""
        if not self.tied:
            return None
        return self.neighbours[self.neighbour_values.index(self.value)]

    def tie_text(self) -> str:
        """``tie between admin. and services (2 votes each), broken by the nearest neighbour's job``, or ''."""
        if not self.tied:
            return ""
        return (f"tie between {' and '.join(self.tied)} ({self.votes[0][1]} votes each), broken by the nearest "
                f"neighbour's {self.field}")

    def describe(self) -> str:
        """One line for a table: ``job = admin. (5 nearest clients: admin. 3, technician 2)``, tie said."""
        votes = ", ".join(f"{category} {count}" for category, count in self.votes)
        tie = f"; {self.tie_text()}" if self.tied else ""
        return f"{self.field} = {self.value} ({len(self.neighbours)} nearest clients: {votes}{tie})"

    def to_dict(self) -> dict:
        tie = None
        if self.tied:
            tie = {"between": list(self.tied), "votes": self.votes[0][1], "broken_by": "nearest_neighbour",
                   "deciding_neighbour": self.deciding_neighbour}
        return {"field": self.field, "value": self.value,
                "votes": [{"value": c, "count": n} for c, n in self.votes], "neighbours": list(self.neighbours),
                "tie": tie}


# --- The kernel: encoded clients -> filled key fields -> segments ------------------------------------------


class Encoded(NamedTuple):
    """Clients as code arrays (see :data:`KEY_CODE`, :data:`CONTEXT_CODE`), one row per client."""

    keys: np.ndarray  # (m, n_key_fields) int, -1 for unknown
    context: np.ndarray  # (m, n_context_fields) int, positions in the field's categories (unknown included)
    age: np.ndarray  # (m,) float, years; NaN for unknown


class Assigned(NamedTuple):
    """What :func:`assign` returns: each row's segment, its key codes after filling and the votes."""

    segments: np.ndarray  # (m,) int
    keys: np.ndarray  # (m, n_key_fields) int, filled
    filled: dict[int, FilledField]  # row -> the vote that filled it


def _vote(index: NeighbourIndex, key: int, compared: np.ndarray, age: float) -> FilledField:
    """The majority vote of the nearest voters on key field ``key`` for one client."""
    mismatches = (index.profiles[key] != compared).sum(axis=1)
    # Integer age differences, squared, then scaled: equal differences give bit-equal distances, so a tie in
    # exact arithmetic is a tie here too and the time order decides it (not the rounding of a standardised age).
    age_term = None if math.isnan(age) else (index.ages - age) ** 2 / index.age_scale ** 2
    k = min(N_NEIGHBOURS, index.client_id.size)
    # A voter is at least its mismatch count away. Start with the fewest mismatches that hold k voters; their
    # k-th distance bounds the answer, so only voters with at most that many mismatches can be nearer.
    per_level = np.bincount(mismatches, weights=index.profile_sizes[key])
    level = int(np.searchsorted(np.cumsum(per_level), k))
    voter_mismatches = mismatches[index.profile_of[key]]
    for _ in range(2):
        candidates = np.flatnonzero(voter_mismatches <= level)
        distance = voter_mismatches[candidates].astype(float)
        if age_term is not None:
            distance += age_term[index.age_of[candidates]]
        bound = np.partition(distance, k - 1)[k - 1]
        if bound < level + 1:
            break
        level = int(bound)
    # Equal distances go to the voter earlier in time (lower position), whatever the batch.
    nearest = candidates[np.lexsort((candidates, distance))[:k]]
    codes = index.key_codes[nearest, key]
    categories = KEY_CATEGORIES[KEY_FIELDS[key]]
    return FilledField(KEY_FIELDS[key], categories[ranked_votes(codes)[0][0]],
                       tuple((categories[c], n) for c, n in ranked_votes(codes)),
                       tuple(int(i) for i in index.client_id[nearest]),
                       tuple(categories[c] for c in codes.tolist()))


def assign(encoded: Encoded, model: ScoringModel) -> Assigned:
    """Fill the one missing key field of each row that has one, then look up the segments.

    Rows must be valid (at most one unknown key field; :mod:`dashapp.scoring` validates them). Rows with the
    same inputs share one vote.

    Parameters
    ----------
    encoded : Encoded
        The clients' codes.
    model : ScoringModel
        From :func:`scoring_model`.

    Returns
    -------
    Assigned
        Segments and filled key codes in the rows' order; the votes by row position.
    """
    index = model.neighbours
    keys = encoded.keys.copy()
    filled: dict[int, FilledField] = {}
    for key in range(len(KEY_FIELDS)):
        rows = np.flatnonzero(encoded.keys[:, key] < 0)
        if not rows.size:
            continue
        compared = np.column_stack([np.delete(encoded.keys[rows], key, axis=1), encoded.context[rows]])
        # NaN never equals itself, so an unknown age gets a sentinel before grouping identical queries.
        queries = np.column_stack([compared, np.where(np.isnan(encoded.age[rows]), np.inf, encoded.age[rows])])
        unique, inverse = np.unique(queries, axis=0, return_inverse=True)
        votes = [_vote(index, key, q[:-1].astype(np.int8), float(q[-1]) if np.isfinite(q[-1]) else math.nan)
                 for q in unique]
        for row, which in zip(rows.tolist(), inverse.reshape(-1).tolist()):
            vote = votes[which]
            filled[row] = vote
            keys[row, key] = KEY_CODE[vote.field][vote.value]
    segments = model.segment_table[tuple(keys[:, i] for i in range(len(KEY_FIELDS)))]
    return Assigned(segments, keys, filled)

