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
:mod:`dashapp.artifacts.neighbours`). A client is compared with them on the fields the client *gave*: the squared
age difference in units of the voters' standard deviation of age, plus one per differing category among the
given context fields and the two known key fields, so that a different category weighs as much as one standard
deviation of age (about 10 years). A field the client did not give (:data:`NOT_GIVEN`: absent from the API's
object, an empty cell or a missing column of a file, a form field left unset) is left out of the distance; it is
not the value ``unknown``. ``unknown`` *given* in marital, education or default is a category of its own: in
this file it is not missing at random (a client whose default is unknown is twice as often blue-collar as one
whose default is known). An unknown age leaves age out of the distance.

The vote takes the 5 nearest voters **and every voter as near as the fifth**: when the given fields leave
thousands of training clients equally near (a client who gave only job and loan), all of them vote, never the
first five in file order. The answer says how sure it is: the winner's share of the votes (under
:data:`UNCERTAIN_SHARE` it is "uncertain") and the segment the runner-up category would give. A tie between
categories goes to the category of the nearest voter among the tied ones (distance, then time order), and the
answer says so. Nothing depends on the machine or on how many clients are scored at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from itertools import product
from typing import NamedTuple

import numpy as np

from dashapp.artifacts.neighbours import N_NEIGHBOURS, NeighbourIndex
from dashapp.core import fields, i18n
from dashapp.core.catalogue import segment_names
from dashapp.core.fields import KEY_FIELDS
from dashapp.core.i18n import _

CONTEXT_FIELDS: tuple[str, ...] = fields.CONTEXT_CATEGORY_FIELDS
#: The context code of a field the client did not give: left out of the distance (see the module's docstring).
NOT_GIVEN = -1
#: Under this share of the votes for the winning category, a filled key field is called uncertain.
UNCERTAIN_SHARE = 0.6
#: The widest key field's categories: the vote counts' width.
_MOST_CATEGORIES = max(len(fields.BY_NAME[f].known_categories) for f in KEY_FIELDS)
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
        The 5 nearest voters' row numbers in the data file (0-based), nearest first (equal distances: time order);
        every voter as near as the fifth votes too (``voters``).
    neighbour_values : tuple of str
        Those voters' categories of ``field``, nearest first.
    voters : int
        How many training clients voted: the 5 nearest and every one as near as the fifth.
    alternative : str or None
        The runner-up category (None when every voter held the winner).
    alternative_segment : int or None
        The segment the client would be in with ``alternative`` filled in.
    """

    field: str
    value: str
    votes: tuple[tuple[str, int], ...]
    neighbours: tuple[int, ...]
    neighbour_values: tuple[str, ...]
    voters: int = 0
    alternative: str | None = None
    alternative_segment: int | None = None

    @property
    def share(self) -> float:
        """The winner's share of the votes."""
        return self.votes[0][1] / self.voters if self.voters else 1.0

    @property
    def uncertain(self) -> bool:
        """Whether the vote is too close to rely on: the winner holds under :data:`UNCERTAIN_SHARE` of it."""
        return self.share < UNCERTAIN_SHARE

    @property
    def tied(self) -> tuple[str, ...]:
        """The categories that share the most votes, winner first, when more than one does; else empty."""
        top = self.votes[0][1]
        tied = tuple(category for category, count in self.votes if count == top)
        return tied if len(tied) > 1 else ()

    @property
    def deciding_neighbour(self) -> int | None:
        """For a tie, the voter that broke it: the nearest one holding the winning category (else None)."""
        if not self.tied or self.value not in self.neighbour_values:
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

    def uncertainty_text(self) -> str:
        """``uncertain: 52% for technician; with admin. the segment would be 1``, or '' for a clear vote (in the
        current language; categories stay codes)."""
        if not self.uncertain:
            return ""
        share = i18n.percent(self.share)
        if self.alternative is None or self.alternative_segment is None:
            return _("uncertain: {share} for {value}").format(share=share, value=self.value)
        return _("uncertain: {share} for {value}; with {alternative} the segment would be {segment}").format(
            share=share, value=self.value, alternative=self.alternative, segment=self.alternative_segment)

    def describe(self) -> str:
        """One line for a table: ``job = admin. (5 nearest clients: admin. 3, technician 2)``, tie and uncertainty
        said (in the current language: a scored file's ``filled`` column is read by a person)."""
        votes = ", ".join(f"{category} {i18n.number(count)}" for category, count in self.votes)
        tie = f"; {self.tie_text()}" if self.tied else ""
        uncertain = f"; {self.uncertainty_text()}" if self.uncertain else ""
        voters = self.voters or len(self.neighbours)
        nearest = i18n.ngettext("{count} nearest clients", "{count} nearest clients", voters).format(
            count=i18n.number(voters))
        return f"{self.field} = {self.value} ({nearest}: {votes}{tie}{uncertain})"

    def to_dict(self) -> dict:
        tie = None
        if self.tied:
            tie = {"between": list(self.tied), "votes": self.votes[0][1], "broken_by": "nearest_neighbour",
                   "deciding_neighbour": self.deciding_neighbour}
        alternative = (None if self.alternative is None else
                       {"value": self.alternative, "segment": self.alternative_segment})
        return {"field": self.field, "value": self.value,
                "votes": [{"value": c, "count": n} for c, n in self.votes], "voters": self.voters or
                len(self.neighbours), "share": self.share, "uncertain": self.uncertain, "alternative": alternative,
                "neighbours": list(self.neighbours), "tie": tie}


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
    nearest: np.ndarray  # (q, k) int, the k nearest voters' positions in the index, nearest first
    counts: np.ndarray  # (q, _MOST_CATEGORIES) int, votes per category code: the k nearest and all as near


class Assigned(NamedTuple):
    """What :func:`assign` returns: each row's segment, its key codes after filling and the votes."""

    segments: np.ndarray  # (m,) int
    keys: np.ndarray  # (m, n_key_fields) int, filled
    votes: Votes


def _ranked(counts: np.ndarray, nearest_codes: np.ndarray) -> list[tuple[int, int]]:
    """The voted categories with their votes, most first; equal votes in the order their nearest holder comes
    (then by code, for a category no listed voter holds): the first is the winner."""
    first_seen = {}
    for position, code in enumerate(nearest_codes.tolist()):
        first_seen.setdefault(code, position)
    held = [code for code in np.flatnonzero(counts).tolist()]
    order = sorted(held, key=lambda code: (-int(counts[code]), first_seen.get(code, len(nearest_codes)), code))
    return [(code, int(counts[code])) for code in order]


def _winners(counts: np.ndarray, nearest_codes: np.ndarray) -> np.ndarray:
    """The winning category code of each vote (:func:`_ranked`), once per distinct vote."""
    first, which = distinct_rows(np.column_stack([counts, nearest_codes]))
    winners = np.array([_ranked(counts[i], nearest_codes[i])[0][0] for i in first.tolist()], dtype=np.int64)
    return winners[which]


def _filled_field(model: ScoringModel, key: int, nearest: np.ndarray, counts: np.ndarray,
                  keys: np.ndarray) -> FilledField:
    """One vote as a :class:`FilledField`; ``keys`` are the row's key codes after filling (for the segment the
    runner-up would give)."""
    index = model.neighbours
    codes = index.key_codes[nearest, key]
    categories = KEY_CATEGORIES[KEY_FIELDS[key]]
    ranked = _ranked(counts, codes)
    alternative = alternative_segment = None
    if len(ranked) > 1:
        other = np.array(keys, dtype=np.int64).copy()
        other[key] = ranked[1][0]
        alternative, alternative_segment = categories[ranked[1][0]], int(model.segment_table[tuple(other)])
    return FilledField(KEY_FIELDS[key], categories[ranked[0][0]], tuple((categories[c], n) for c, n in ranked),
                       tuple(int(i) for i in index.client_id[nearest]),
                       tuple(categories[c] for c in codes.tolist()), int(counts.sum()), alternative,
                       alternative_segment)


class VoterGroups(NamedTuple):
    """The voters of one key field's vote grouped by (compared profile, age): the voters of a group are equally
    far from any client, so only the first k of each (in time order) can ever be among its k nearest."""

    profile: np.ndarray  # (g,) int, the group's row in NeighbourIndex.profiles[key]
    age: np.ndarray  # (g,) int, the group's position in NeighbourIndex.ages
    size: np.ndarray  # (g,) int, voters in the group
    first: np.ndarray  # (g, k) int, the group's first k voters in time order (n_voters where it has fewer)
    counts: np.ndarray  # (g, _MOST_CATEGORIES) int, the group's voters per category code of the key field


def _voter_groups(index: NeighbourIndex, key: int) -> VoterGroups:
    k = min(N_NEIGHBOURS, index.client_id.size)
    n_voters = index.client_id.size
    order = np.lexsort((np.arange(n_voters), index.age_of, index.profile_of[key]))
    group_key = index.profile_of[key][order].astype(np.int64) * index.ages.size + index.age_of[order]
    starts = np.flatnonzero(np.r_[True, group_key[1:] != group_key[:-1]])
    sizes = np.diff(np.r_[starts, n_voters])
    positions = starts[:, None] + np.arange(k)
    first = np.where(np.arange(k) < sizes[:, None], order[np.minimum(positions, n_voters - 1)], n_voters)
    counts = np.zeros((len(starts), _MOST_CATEGORIES), dtype=np.int64)
    np.add.at(counts, (np.repeat(np.arange(len(starts)), sizes), index.key_codes[order, key].astype(np.int64)), 1)
    return VoterGroups(index.profile_of[key][order][starts], index.age_of[order][starts], sizes, first, counts)


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


def _nearest(model: ScoringModel, key: int, compared: np.ndarray, age: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The nearest voters of clients missing key field ``key``, nearest first (equal distances: earlier voter),
    and the votes of every voter as near as the k-th.

    A voter's distance is its mismatch count plus its scaled squared age difference, so it depends only on the
    voter's *cell*: (mismatches, age). Clients with the same compared categories (one profile) see the same
    mismatch count for every voter group (:class:`VoterGroups`); per profile, each client (one per age) takes
    the k-th nearest cell's distance as a bound, and only the first k voters of the groups within it are
    ranked. The work is one pass over the voter groups per distinct profile (a few thousand profiles exist at
    most), plus a small one per client, never one over all voters per client.

    Parameters
    ----------
    compared : ndarray of int, shape (q, n_compared)
        The clients' compared codes (the other key fields, then the context fields; :data:`NOT_GIVEN` for a
        context field the client did not give, which stays out of the distance).
    age : ndarray of float, shape (q,)
        NaN where unknown (age then stays out of the distance).

    Returns
    -------
    nearest : ndarray of int, shape (q, k)
        The k nearest voters (their positions in the index).
    counts : ndarray of int, shape (q, _MOST_CATEGORIES)
        Votes per category code of the key field, of every voter as near as the k-th.
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
    votes = np.zeros((len(compared), _MOST_CATEGORIES), dtype=np.int64)
    first_k = np.arange(k)
    for number, profile in enumerate(compared[first_of_profile]):
        queries = by_profile[starts[number]:starts[number + 1]]
        given = profile != NOT_GIVEN
        mismatches = (index.profiles[key][:, given] != profile[given]).sum(axis=1).astype(cell_type)
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
        # Every voter of every group within the bound votes (the k nearest and all as near as the k-th).
        query_counts = np.zeros((len(queries), _MOST_CATEGORIES), dtype=np.int64)
        np.add.at(query_counts, client[owner], groups.counts[member])
        votes[queries] = query_counts
        voters = groups.first[member].reshape(-1)
        owners = np.repeat(client[owner], k)
        distances = np.repeat(distance[client, candidate][owner], k)
        real = voters < n_voters
        voters, owners, distances = voters[real], owners[real], distances[real]
        ranked = np.lexsort((voters, distances, owners))
        nearest[queries] = voters[ranked][_group_starts(owners[ranked], len(queries))[:-1, None] + first_k]
    return nearest, votes


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
    voted_rows, voted_keys, voted_nearest, voted_counts = [], [], [], []
    for key in range(len(KEY_FIELDS)):
        rows = np.flatnonzero(encoded.keys[:, key] < 0)
        if not rows.size:
            continue
        compared = np.column_stack([np.delete(encoded.keys[rows], key, axis=1), encoded.context[rows]])
        # Identical queries share one vote (NaN never equals itself: np.unique puts every NaN in one group).
        ages, age_code = np.unique(encoded.age[rows], return_inverse=True, equal_nan=True)
        # Shifted by one, so that NOT_GIVEN (-1) packs as a non-negative code.
        first, inverse = distinct_rows(np.column_stack([compared + 1, age_code.reshape(-1)]))
        nearest, counts = _nearest(model, key, compared[first].astype(np.int8), encoded.age[rows][first])
        nearest, counts = nearest[inverse], counts[inverse]
        keys[rows, key] = _winners(counts, index.key_codes[nearest, key].astype(np.int64))
        voted_rows.append(rows)
        voted_keys.append(np.full(rows.size, key, dtype=np.int64))
        voted_nearest.append(nearest)
        voted_counts.append(counts)
    k = min(N_NEIGHBOURS, index.client_id.size)
    votes = Votes(np.concatenate(voted_rows) if voted_rows else np.zeros(0, dtype=np.int64),
                  np.concatenate(voted_keys) if voted_keys else np.zeros(0, dtype=np.int64),
                  np.concatenate(voted_nearest) if voted_nearest else np.zeros((0, k), dtype=np.int64),
                  np.concatenate(voted_counts) if voted_counts else np.zeros((0, _MOST_CATEGORIES), dtype=np.int64))
    segments = model.segment_table[tuple(keys[:, i] for i in range(len(KEY_FIELDS)))]
    return Assigned(segments, keys, votes)


def filled_fields(votes: Votes, model: ScoringModel, keys: np.ndarray) -> dict[int, FilledField]:
    """Each voted row's :class:`FilledField` (row position -> vote); identical votes share one object.

    ``keys`` are the rows' key codes after filling (:attr:`Assigned.keys`), for the segment the runner-up
    category would give."""
    shared: dict[tuple[int, bytes, bytes, bytes], FilledField] = {}
    filled = {}
    for row, key, nearest, counts in zip(votes.rows.tolist(), votes.key.tolist(), votes.nearest, votes.counts):
        token = (key, nearest.tobytes(), counts.tobytes(), keys[row].tobytes())
        if token not in shared:
            shared[token] = _filled_field(model, key, nearest, counts, keys[row])
        filled[row] = shared[token]
    return filled


def vote_descriptions(votes: Votes, model: ScoringModel, keys: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """:meth:`FilledField.describe` of every vote, each distinct text built once (``keys``: the rows' key codes
    after filling, :attr:`Assigned.keys`).

    The text depends only on the field, the votes, the nearest voters' categories in order and the row's other
    key fields, so a file of any size has at most a few thousand of them.

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
    row_keys = keys[votes.rows]
    first, which = distinct_rows(np.column_stack([votes.key, votes.counts, codes, row_keys]))
    texts = [_filled_field(model, int(votes.key[i]), votes.nearest[i], votes.counts[i], row_keys[i]).describe()
             for i in first.tolist()]
    return which, texts
