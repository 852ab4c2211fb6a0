"""The scoring model: fill a client's one missing key field by a vote of the nearest training clients, then look
up the segment the tree gives the key fields.

This is the kernel behind :mod:`dashapp.scoring.scorer`, which validates and encodes the inputs (a form's, the API's,
a file's rows) and hands them here as code arrays (:class:`Encoded`); :func:`assign` answers for all of them at
once. It trusts its inputs: at most one unknown key field per row, codes in range.

How the neighbours are combined
-------------------------------
The original averaged the neighbours' ordinal codes and truncated the mean, which invents categories that
none of the neighbours holds (codes 3, 3, 5, 5, 5 average to 4.2 -> code 4). Re-running the original's
KNN imputation on the 28,831 training rows of the full file and combining the *same* neighbours both ways
(:func:`dashapp.analysis.preprocessing.compare_neighbour_combination`, neighbours chosen by distance, then time order):

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
:mod:`dashapp.artifacts.neighbours`). A client is compared with them on the inputs the form provides: the squared age
difference in units of the voters' standard deviation of age, plus one per differing category among the
context fields and the two known key fields, so that a different category weighs as much as one standard
deviation of age (about 10 years). ``unknown`` in marital, education or default is a category of its own: in
this file it is not missing at random (a client whose default is unknown is twice as often blue-collar as one
whose default is known). An unknown age leaves age out of the distance. Equal distances (a client of 40 is as
far from a voter of 39 as from one of 41, exactly) are ordered by the training clients' time order, so the 5
neighbours, and therefore the answer, never depend on the machine or on how many clients are scored at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from itertools import product
from typing import NamedTuple

import numpy as np

from dashapp.artifacts.neighbours import N_NEIGHBOURS, NeighbourIndex, ranked_votes
from dashapp.core import fields, i18n
from dashapp.core.catalogue import segment_names
from dashapp.core.fields import KEY_FIELDS
from dashapp.core.i18n import _

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
        :func:`dashapp.analysis.segmentation.tree_nodes`).
    segment_names : dict
        Segment number (1 to k, the artifacts') -> its name (:func:`dashapp.core.catalogue.segment_names`), as a
        scored file writes it.
    """

    neighbours: NeighbourIndex
    segment_table: np.ndarray
    paths: dict[tuple[int, int, int], tuple[int, ...]]
    segment_names: dict[int, str] = field(default_factory=dict)

    @classmethod
    def from_store(cls, store) -> "ScoringModel":
        """Build from an :class:`dashapp.artifacts.model_folder.ArtifactStore` (prefer the cached
        :func:`scoring_model`)."""
        segmentation = store.segmentation_model
        encoder_categories = [list(c) for c in segmentation.encoder.categories_]
        if encoder_categories != [list(KEY_CATEGORIES[f]) for f in KEY_FIELDS]:
            raise ValueError("the tree's encoder uses other categories than dashapp.core.fields'; "
                             "rebuild the artifacts with `make artifacts`")
        combinations = np.array(list(product(*(range(len(KEY_CATEGORIES[f])) for f in KEY_FIELDS))))
        tree = segmentation.tree
        segments = tree.predict(combinations.astype(float)).astype(np.int64)
        path_matrix = tree.decision_path(combinations.astype(float))
        paths = {tuple(int(c) for c in combo): tuple(int(n) for n in path_matrix[i].indices)
                 for i, combo in enumerate(combinations)}
        table = segments.reshape([len(KEY_CATEGORIES[f]) for f in KEY_FIELDS])
        return cls(NeighbourIndex.from_artifact(store.scoring_index), table, paths, segment_names(store))

    @cached_property
    def voter_groups(self) -> tuple["VoterGroups", ...]:
        """The voters grouped by compared profile and age, one :class:`VoterGroups` per key field (built on
        first use: a model made with ``dataclasses.replace`` gets its own)."""
        return tuple(_voter_groups(self.neighbours, key) for key in range(len(KEY_FIELDS)))


@cache
def _store_model(store) -> ScoringModel:
    return ScoringModel.from_store(store)


@i18n.cached_per_language(maxsize=4)
def scoring_model(store) -> ScoringModel:
    """The :class:`ScoringModel` of ``store``, built once per store and process, with the segments' names in the
    current language (a scored file writes them). The languages' models share one neighbour index and, once
    built, its voter groups."""
    base = _store_model(store)
    model = replace(base, segment_names=segment_names(store))
    # The voter groups depend on the neighbours only: built once for the store, whatever the language.
    vars(model)["voter_groups"] = base.voter_groups
    return model


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
        """``tie between admin. and services (2 votes each), broken by the nearest neighbour's job``, or ''
        (in the current language; categories and the field stay codes)."""
        if not self.tied:
            return ""
        # English says "votes" whatever the count, as it always has; ngettext gives Russian its three forms.
        return i18n.ngettext("tie between {categories} ({count} votes each), broken by the nearest neighbour's "
                             "{field}",
                             "tie between {categories} ({count} votes each), broken by the nearest neighbour's "
                             "{field}", self.votes[0][1]).format(
            categories=_(" and ").join(self.tied), count=self.votes[0][1], field=self.field)

    def describe(self) -> str:
        """One line for a table: ``job = admin. (5 nearest clients: admin. 3, technician 2)``, tie said (in the
        current language: a scored file's ``filled`` column is read by a person)."""
        votes = ", ".join(f"{category} {count}" for category, count in self.votes)
        tie = f"; {self.tie_text()}" if self.tied else ""
        nearest = i18n.ngettext("{count} nearest clients", "{count} nearest clients", len(self.neighbours)).format(
            count=len(self.neighbours))
        return f"{self.field} = {self.value} ({nearest}: {votes}{tie})"

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


class Votes(NamedTuple):
    """The neighbour votes of the rows that had a key field missing: one row per vote."""

    rows: np.ndarray  # (q,) int, positions of the voted rows in the input
    key: np.ndarray  # (q,) int, the voted key field (position in KEY_FIELDS)
    nearest: np.ndarray  # (q, k) int, the voters' positions in the index, nearest first


class Assigned(NamedTuple):
    """What :func:`assign` returns: each row's segment, its key codes after filling and the votes."""

    segments: np.ndarray  # (m,) int
    keys: np.ndarray  # (m, n_key_fields) int, filled
    votes: Votes


def _filled_field(index: NeighbourIndex, key: int, nearest: np.ndarray) -> FilledField:
    codes = index.key_codes[nearest, key]
    categories = KEY_CATEGORIES[KEY_FIELDS[key]]
    ranked = ranked_votes(codes)
    return FilledField(KEY_FIELDS[key], categories[ranked[0][0]], tuple((categories[c], n) for c, n in ranked),
                       tuple(int(i) for i in index.client_id[nearest]),
                       tuple(categories[c] for c in codes.tolist()))


class VoterGroups(NamedTuple):
    """The voters of one key field's vote grouped by (compared profile, age): the voters of a group are equally
    far from any client, so only the first k of each (in time order) can ever be among its k nearest."""

    profile: np.ndarray  # (g,) int, the group's row in NeighbourIndex.profiles[key]
    age: np.ndarray  # (g,) int, the group's position in NeighbourIndex.ages
    size: np.ndarray  # (g,) int, voters in the group
    first: np.ndarray  # (g, k) int, the group's first k voters in time order (n_voters where it has fewer)


def _voter_groups(index: NeighbourIndex, key: int) -> VoterGroups:
    k = min(N_NEIGHBOURS, index.client_id.size)
    n_voters = index.client_id.size
    order = np.lexsort((np.arange(n_voters), index.age_of, index.profile_of[key]))
    group_key = index.profile_of[key][order].astype(np.int64) * index.ages.size + index.age_of[order]
    starts = np.flatnonzero(np.r_[True, group_key[1:] != group_key[:-1]])
    sizes = np.diff(np.r_[starts, n_voters])
    positions = starts[:, None] + np.arange(k)
    first = np.where(np.arange(k) < sizes[:, None], order[np.minimum(positions, n_voters - 1)], n_voters)
    return VoterGroups(index.profile_of[key][order][starts], index.age_of[order][starts], sizes, first)


def distinct_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first row of each distinct row of a non-negative integer matrix, and each row's distinct row.

    Rows are packed into one integer each, so the grouping is one sort of integers (``np.unique`` with
    ``axis=0`` sorts rows as byte strings, about twenty times slower on a large file).
    """
    if matrix.shape[1] == 0:
        return np.zeros(min(len(matrix), 1), dtype=np.int64), np.zeros(len(matrix), dtype=np.int64)
    radix = matrix.max(axis=0).astype(np.int64) + 1 if len(matrix) else np.ones(matrix.shape[1], dtype=np.int64)
    if float(np.prod(radix.astype(float))) >= 2.0 ** 62:  # pragma: no cover - far beyond the fields' categories
        _, first, inverse = np.unique(matrix, axis=0, return_index=True, return_inverse=True)
        return first, inverse.reshape(-1)
    packed = np.zeros(len(matrix), dtype=np.int64)
    for column, size in zip(matrix.T.astype(np.int64), radix.tolist()):
        packed = packed * size + column
    _, first, inverse = np.unique(packed, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)


def _group_starts(sorted_groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Where each group starts in an array sorted by group, and the end (n_groups + 1 bounds)."""
    return np.searchsorted(sorted_groups, np.arange(n_groups + 1))


def _nearest(model: ScoringModel, key: int, compared: np.ndarray, age: np.ndarray) -> np.ndarray:
    """The nearest voters of clients missing key field ``key``, nearest first (equal distances: earlier voter).

    A voter's distance is its mismatch count plus its scaled squared age difference, so it depends only on the
    voter's *cell*: (mismatches, age). Clients with the same compared categories (one profile) see the same
    mismatch count for every voter group (:class:`VoterGroups`); per profile, each client (one per age) takes
    the k-th nearest cell's distance as a bound, and only the first k voters of the groups within it are
    ranked. The work is one pass over the voter groups per distinct profile (a few thousand profiles exist at
    most), plus a small one per client, never one over all voters per client.

    Parameters
    ----------
    compared : ndarray of int, shape (q, n_compared)
        The clients' compared codes (the other key fields, then the context fields).
    age : ndarray of float, shape (q,)
        NaN where unknown (age then stays out of the distance).

    Returns
    -------
    ndarray of int, shape (q, k)
    """
    index, groups = model.neighbours, model.voter_groups[key]
    k = groups.first.shape[1]
    n_voters, n_ages = index.client_id.size, index.ages.size
    n_cells = (compared.shape[1] + 1) * n_ages
    # Integer age differences, squared, then scaled: equal differences give bit-equal distances, so a tie in
    # exact arithmetic is a tie here too and the time order decides it (not the rounding of a standardised age).
    scale = index.age_scale ** 2
    cell_type = np.int16 if n_cells < np.iinfo(np.int16).max else np.int64  # int16 is sorted by radix: linear
    group_age = groups.age.astype(cell_type)
    first_of_profile, inverse = distinct_rows(compared)
    by_profile = np.argsort(inverse, kind="stable")
    starts = _group_starts(inverse[by_profile], len(first_of_profile))
    nearest = np.empty((len(compared), k), dtype=np.int64)
    first_k = np.arange(k)
    for number, profile in enumerate(compared[first_of_profile]):
        queries = by_profile[starts[number]:starts[number + 1]]
        mismatches = (index.profiles[key] != profile).sum(axis=1).astype(cell_type)
        group_cell = mismatches[groups.profile] * cell_type(n_ages) + group_age
        by_cell = np.argsort(group_cell, kind="stable")
        counts = np.bincount(group_cell, weights=groups.size, minlength=n_cells)
        cells = np.flatnonzero(counts)
        group_starts = _group_starts(group_cell[by_cell], n_cells)
        client_age = age[queries][:, None]
        age_term = (index.ages[cells % n_ages][None, :] - client_age) ** 2 / scale
        distance = (cells // n_ages).astype(float)[None, :] + np.where(np.isnan(client_age), 0.0, age_term)
        # The k-th nearest voter's distance: every voter as near or nearer is a candidate.
        by_distance = np.argsort(distance, axis=1)
        reached = (np.cumsum(counts[cells][by_distance], axis=1) >= k).argmax(axis=1)
        clients = np.arange(len(queries))
        bound = distance[clients, by_distance[clients, reached]]
        client, candidate = np.nonzero(distance <= bound[:, None])
        # Every voter group of each candidate cell, then its first k voters.
        cell = cells[candidate]
        lengths = group_starts[cell + 1] - group_starts[cell]
        owner = np.repeat(np.arange(len(cell)), lengths)
        offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        member = by_cell[group_starts[cell][owner] + offsets]
        voters = groups.first[member].reshape(-1)
        owners = np.repeat(client[owner], k)
        distances = np.repeat(distance[client, candidate][owner], k)
        real = voters < n_voters
        voters, owners, distances = voters[real], owners[real], distances[real]
        ranked = np.lexsort((voters, distances, owners))
        nearest[queries] = voters[ranked][_group_starts(owners[ranked], len(queries))[:-1, None] + first_k]
    return nearest


def assign(encoded: Encoded, model: ScoringModel) -> Assigned:
    """Fill the one missing key field of each row that has one, then look up the segments.

    Rows must be valid (at most one unknown key field; :mod:`dashapp.scoring.scorer` validates them). Rows with the
    same inputs share one vote, and rows with the same compared categories share the ordering of the voters
    (see :func:`_nearest`), so the cost grows with the distinct profiles, not with the rows.

    Parameters
    ----------
    encoded : Encoded
        The clients' codes.
    model : ScoringModel
        From :func:`scoring_model`.

    Returns
    -------
    Assigned
        Segments and filled key codes in the rows' order, and the votes (see :func:`filled_fields` and
        :func:`vote_descriptions`).
    """
    index = model.neighbours
    keys = encoded.keys.copy()
    voted_rows, voted_keys, voted_nearest = [], [], []
    for key in range(len(KEY_FIELDS)):
        rows = np.flatnonzero(encoded.keys[:, key] < 0)
        if not rows.size:
            continue
        compared = np.column_stack([np.delete(encoded.keys[rows], key, axis=1), encoded.context[rows]])
        # Identical queries share one vote (NaN never equals itself: np.unique puts every NaN in one group).
        ages, age_code = np.unique(encoded.age[rows], return_inverse=True, equal_nan=True)
        first, inverse = distinct_rows(np.column_stack([compared, age_code.reshape(-1)]))
        nearest = _nearest(model, key, compared[first].astype(np.int8), encoded.age[rows][first])[inverse]
        # The winner once per distinct sequence of the neighbours' categories (ties: the nearest's category).
        codes = index.key_codes[nearest, key]
        first, which = distinct_rows(codes)
        winners = np.array([ranked_votes(c)[0][0] for c in codes[first]], dtype=np.int64)
        keys[rows, key] = winners[which]
        voted_rows.append(rows)
        voted_keys.append(np.full(rows.size, key, dtype=np.int64))
        voted_nearest.append(nearest)
    k = min(N_NEIGHBOURS, index.client_id.size)
    votes = Votes(np.concatenate(voted_rows) if voted_rows else np.zeros(0, dtype=np.int64),
                  np.concatenate(voted_keys) if voted_keys else np.zeros(0, dtype=np.int64),
                  np.concatenate(voted_nearest) if voted_nearest else np.zeros((0, k), dtype=np.int64))
    segments = model.segment_table[tuple(keys[:, i] for i in range(len(KEY_FIELDS)))]
    return Assigned(segments, keys, votes)


def filled_fields(votes: Votes, model: ScoringModel) -> dict[int, FilledField]:
    """Each voted row's :class:`FilledField` (row position -> vote); identical votes share one object."""
    shared: dict[tuple[int, bytes], FilledField] = {}
    filled = {}
    for row, key, nearest in zip(votes.rows.tolist(), votes.key.tolist(), votes.nearest):
        token = (key, nearest.tobytes())
        if token not in shared:
            shared[token] = _filled_field(model.neighbours, key, nearest)
        filled[row] = shared[token]
    return filled


def vote_descriptions(votes: Votes, model: ScoringModel) -> tuple[np.ndarray, list[str]]:
    """:meth:`FilledField.describe` of every vote, each distinct text built once.

    The text depends only on the field and the neighbours' categories in order, so a file of any size has at
    most a few hundred of them.

    Returns
    -------
    which : ndarray of int, shape (q,)
        The position of each vote's text (one per row of ``votes``).
    texts : list of str
    """
    index = model.neighbours
    if not len(votes.rows):
        return np.zeros(0, dtype=np.int64), []
    codes = index.key_codes[votes.nearest, votes.key[:, None]]
    first, which = distinct_rows(np.column_stack([votes.key, codes]))
    texts = [_filled_field(index, int(votes.key[i]), votes.nearest[i]).describe() for i in first.tolist()]
    return which, texts
