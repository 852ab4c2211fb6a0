"""Scoring clients: validate, fill one missing key field by a neighbour vote, assign the segment.

One core serves the form, the file upload, the API and the command line, so all four give the same answer:
:func:`score_clients` and :func:`score_table` encode their inputs into the same code arrays and hand them to
the same private function, which fills and looks up the segment.

The rules (from the original app): of the key fields job, housing and loan at least two must be known; a
missing one is filled from the 5 nearest training clients, and the depth-3 tree assigns the segment.

How the neighbours are combined
-------------------------------
The original averaged the neighbours' ordinal codes and truncated the mean, which invents categories that
none of the neighbours holds (codes 3, 3, 5, 5, 5 average to 4.2 -> code 4). Re-running the original's
KNN imputation on the 28,831 training rows of the full file and combining the *same* neighbours both ways
(:func:`compare_neighbour_combination`):

=========  ======  ========================  =======================
column     filled  invented by averaging     invented by majority
=========  ======  ========================  =======================
job          249   156                       0
marital       49   2                         0
education  1,183   528 ('illiterate': 14     0 ('illiterate': 14
                   known -> 277 in all)      known -> 14 in all)
=========  ======  ========================  =======================

So scoring takes a **majority vote**; a tie goes to the category of the nearest neighbour among the tied ones.

Who votes, and on what
----------------------
The voters are the training clients with all three key fields known (the build's ``scoring.joblib``). A
client is compared with them on the inputs the form provides: age standardised by the voters' mean and
standard deviation, and one mismatch per differing category among marital, education, default and the two
known key fields, so that a different category weighs as much as one standard deviation of age (about 10
years). ``unknown`` in marital, education or default is a category of its own: in this file it is not missing
at random (a client whose default is unknown is twice as often blue-collar as one whose default is known).
An unknown age leaves age out of the distance. Equal distances are ordered by the training clients' time
order, so the 5 neighbours, and therefore the answer, never depend on how many clients are scored at once.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import product
from pathlib import Path
from typing import IO, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from tqdm import tqdm

from dashapp import catalogue, domain
from dashapp.data import sniff_delimiter

logger = logging.getLogger(__name__)

KEY_FIELDS: tuple[str, ...] = domain.SEGMENT_FEATURES
#: The form's other categorical inputs; the neighbour vote compares clients on them.
CONTEXT_FIELDS: tuple[str, ...] = ("marital", "education", "default")
CATEGORY_FIELDS: tuple[str, ...] = KEY_FIELDS + ("education", "marital", "default")
CLIENT_FIELDS: tuple[str, ...] = CATEGORY_FIELDS + ("age",)
#: Ages outside this range are typos rather than clients.
AGE_RANGE: tuple[int, int] = (16, 120)
N_NEIGHBOURS = 5

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
#: Columns :func:`score_table` adds (an input column of the same name is replaced).
SEGMENT_COLUMN, SEGMENT_NAME_COLUMN, FILLED_COLUMN = "segment", "segment_name", "filled"
OUTPUT_COLUMNS = (SEGMENT_COLUMN, SEGMENT_NAME_COLUMN, FILLED_COLUMN)
#: Spreadsheet row of the first client: the header is row 1.
FIRST_DATA_ROW = 2

_KEY_CATEGORIES = {f: domain.known_categories(f) for f in KEY_FIELDS}
_KEY_CODE = {f: {c: i for i, c in enumerate(cats)} for f, cats in _KEY_CATEGORIES.items()}
_CONTEXT_CODE = {f: {c: i for i, c in enumerate(domain.CATEGORIES[f])} for f in CONTEXT_FIELDS}
#: A cell a spreadsheet would run as a formula starts with one of these ...
_FORMULA_STARTS = pa.array(["=", "+", "-", "@", "\t", "\r"])
#: ... unless it is a plain number such as -1.8, which stays a number.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_BINARY_SIGNATURES = {b"PK\x03\x04": "an Excel workbook or a zip archive",
                      b"\xd0\xcf\x11\xe0": "an Excel 97 workbook", b"%PDF": "a PDF document",
                      b"\x1f\x8b": "a gzip archive"}


# --- Validation ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Client:
    """One client's inputs, validated (categories as in :data:`dashapp.domain.CATEGORIES`, age or None)."""

    job: str
    housing: str
    loan: str
    education: str = domain.UNKNOWN
    marital: str = domain.UNKNOWN
    default: str = domain.UNKNOWN
    age: int | None = None


@dataclass(frozen=True)
class FieldError:
    """Why one input cannot be scored: the field and a reason an analyst can act on."""

    field: str
    reason: str


def _shown(value: object) -> str:
    """A value as a message quotes it: short, and never failing on whatever JSON can hold."""
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print
        return "a very large number"
    return text if len(text) <= 40 else text[:37] + "..."


def _category_reason(field_name: str, value: object) -> str:
    return (f"{_shown(value)} is not a {field_name} category; expected one of "
            f"{', '.join(domain.CATEGORIES[field_name])}")


def _age_reason(value: object) -> str:
    return f"{_shown(value)} is not an age; expected a whole number from {AGE_RANGE[0]} to {AGE_RANGE[1]}"


def _too_few_keys_reason(unknown: Sequence[str]) -> str:
    verb = "is" if len(unknown) == 1 else "are"
    return (f"{' and '.join(unknown)} {verb} unknown; at least two of the key fields "
            f"{', '.join(KEY_FIELDS)} must be known")


def validate_client(values: object) -> Client | list[FieldError]:
    """Check one client's inputs, as the form or the API sends them.

    Parameters
    ----------
    values : mapping
        Any of the fields job, housing, loan, education, marital, default (a category of
        :data:`dashapp.domain.CATEGORIES` or None) and age (a whole number or None). A missing field or None is
        ``unknown``. Values are taken as they are: no trimming or case folding.

    Returns
    -------
    Client or list of FieldError
        The client, or every problem found (a field that is not a client field, a value outside its
        categories, an age that is not a whole number in :data:`AGE_RANGE`, fewer than two known key fields).
    """
    if not isinstance(values, Mapping):
        return [FieldError("", f"a client must be an object with some of the fields {', '.join(CLIENT_FIELDS)}; "
                               f"got {type(values).__name__}")]
    errors = [FieldError(str(name)[:40], f"{_shown(name)} is not a client field; expected some of "
                                    f"{', '.join(CLIENT_FIELDS)}")
              for name in values if name not in CLIENT_FIELDS]
    fields: dict[str, object] = {}
    for name in CATEGORY_FIELDS:
        value = values.get(name)
        if value is None:
            fields[name] = domain.UNKNOWN
        elif isinstance(value, str) and value in domain.CATEGORIES[name]:
            fields[name] = value
        else:
            errors.append(FieldError(name, _category_reason(name, value)))
    age = values.get("age")
    if age is not None:
        whole = isinstance(age, int) and not isinstance(age, bool) or isinstance(age, float) and age.is_integer()
        if whole and AGE_RANGE[0] <= age <= AGE_RANGE[1]:
            fields["age"] = int(age)
        else:
            errors.append(FieldError("age", _age_reason(age)))
    unknown = [k for k in KEY_FIELDS if fields.get(k) == domain.UNKNOWN]
    if len(unknown) >= 2:
        errors.extend(FieldError(k, _too_few_keys_reason(unknown)) for k in unknown)
    return errors if errors else Client(**fields)


# --- The model ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeighbourIndex:
    """The voters of :func:`score_clients` (from the build's ``scoring.joblib``), grouped for fast distances.

    A voter's distance to a client depends only on the voter's compared categories (its *profile*) and its
    age, and the voters share a few thousand profiles and a few dozen ages; distances are computed per profile
    and per age, then gathered per voter.

    Attributes
    ----------
    key_codes : ndarray of int8, shape (n, 3)
        Positions of job, housing, loan in :func:`dashapp.domain.known_categories`.
    profiles : tuple of ndarray of int8, shape (p_k, 5)
        For each key field, the distinct codes the vote compares when that field is missing: the two other key
        fields, then marital, education, default (positions in :data:`dashapp.domain.CATEGORIES`, ``unknown``
        included).
    profile_of : tuple of ndarray of int, shape (n,)
        Each voter's row in ``profiles[k]``.
    profile_sizes : tuple of ndarray of int, shape (p_k,)
        Voters per profile.
    ages_z : ndarray of float, shape (a,)
        The distinct standardised ages.
    age_of : ndarray of int, shape (n,)
        Each voter's position in ``ages_z``.
    age_mean, age_scale : float
    client_id : ndarray of int, shape (n,)
        The voters' row numbers in the data file (0-based), in time order.
    """

    key_codes: np.ndarray
    profiles: tuple[np.ndarray, ...]
    profile_of: tuple[np.ndarray, ...]
    profile_sizes: tuple[np.ndarray, ...]
    ages_z: np.ndarray
    age_of: np.ndarray
    age_mean: float
    age_scale: float
    client_id: np.ndarray

    @classmethod
    def from_artifact(cls, index: dict) -> "NeighbourIndex":
        expected = {f: list(_KEY_CATEGORIES[f]) for f in KEY_FIELDS}
        expected.update({f: list(domain.CATEGORIES[f]) for f in CONTEXT_FIELDS})
        if list(index["fields"]) != list(expected) or dict(index["categories"]) != expected:
            raise ValueError("scoring.joblib was built for other fields or categories than dashapp.domain's; "
                             "rebuild the artifacts with `make artifacts`")
        codes = np.asarray(index["codes"], dtype=np.int8)
        key_codes, context = codes[:, :len(KEY_FIELDS)], codes[:, len(KEY_FIELDS):]
        profiles, profile_of = [], []
        for key in range(len(KEY_FIELDS)):
            unique, inverse = np.unique(np.column_stack([np.delete(key_codes, key, axis=1), context]), axis=0,
                                        return_inverse=True)
            profiles.append(unique)
            profile_of.append(inverse.reshape(-1))
        age_mean, age_scale = float(index["age_mean"]), float(index["age_scale"])
        ages, age_of = np.unique(np.asarray(index["age"], dtype=float), return_inverse=True)
        return cls(key_codes=np.ascontiguousarray(key_codes), profiles=tuple(profiles),
                   profile_of=tuple(profile_of), profile_sizes=tuple(np.bincount(p) for p in profile_of),
                   ages_z=(ages - age_mean) / age_scale,
                   age_of=age_of.reshape(-1), age_mean=age_mean, age_scale=age_scale,
                   client_id=np.asarray(index["client_id"]))


@dataclass(frozen=True)
class ScoringModel:
    """What scoring needs from the artifacts: the voters, and the tree's answer for every key-field combination.

    The tree only ever sees the 11 x 2 x 2 known combinations of job, housing and loan, so its segment and
    decision path are tabulated once; scoring one client or a million is then a table look-up.

    Attributes
    ----------
    neighbours : NeighbourIndex
    segment_table : ndarray of int, shape (11, 2, 2)
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
        if encoder_categories != [list(_KEY_CATEGORIES[f]) for f in KEY_FIELDS]:
            raise ValueError("the tree's encoder uses other categories than dashapp.domain's; "
                             "rebuild the artifacts with `make artifacts`")
        combinations = np.array(list(product(*(range(len(_KEY_CATEGORIES[f])) for f in KEY_FIELDS))))
        tree = segmentation.tree
        segments = tree.predict(combinations.astype(float)).astype(np.int64)
        path_matrix = tree.decision_path(combinations.astype(float))
        paths = {tuple(int(c) for c in combo): tuple(int(n) for n in path_matrix[i].indices)
                 for i, combo in enumerate(combinations)}
        table = segments.reshape([len(_KEY_CATEGORIES[f]) for f in KEY_FIELDS])
        return cls(NeighbourIndex.from_artifact(store.scoring_index), table, paths)


@cache
def scoring_model(store) -> ScoringModel:
    """The :class:`ScoringModel` of ``store``, built once per store and process."""
    return ScoringModel.from_store(store)


# --- Results ------------------------------------------------------------------------------------------


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
    """

    field: str
    value: str
    votes: tuple[tuple[str, int], ...]
    neighbours: tuple[int, ...]

    def describe(self) -> str:
        """One line for a table or a page: ``job = admin. (5 nearest clients: admin. 3, technician 2)``."""
        votes = ", ".join(f"{category} {count}" for category, count in self.votes)
        return f"{self.field} = {self.value} ({len(self.neighbours)} nearest clients: {votes})"

    def to_dict(self) -> dict:
        return {"field": self.field, "value": self.value,
                "votes": [{"value": c, "count": n} for c, n in self.votes], "neighbours": list(self.neighbours)}


@dataclass(frozen=True)
class ScoreResult:
    """The answer for one client.

    Attributes
    ----------
    segment : int
        1-4, see :data:`dashapp.catalogue.SEGMENTS`.
    key_fields : dict
        job, housing and loan as the tree saw them (after filling).
    filled : tuple of FilledField
        The filled key field, if any.
    decision_path : tuple of int
        Tree node ids from the root to the leaf.
    """

    segment: int
    key_fields: dict[str, str]
    filled: tuple[FilledField, ...] = ()
    decision_path: tuple[int, ...] = ()

    @property
    def info(self) -> catalogue.Segment:
        return catalogue.SEGMENTS[self.segment]

    def to_dict(self) -> dict:
        """The result as JSON-ready data (the API's ``ScoreResult``)."""
        info = self.info
        return {"segment": self.segment, "name": info.name, "description": info.description,
                "products": list(info.products), "key_fields": dict(self.key_fields),
                "filled": [f.to_dict() for f in self.filled], "decision_path": list(self.decision_path)}


# --- The core: encoded clients -> filled key fields -> segments ---------------------------------------------


class _Encoded(NamedTuple):
    keys: np.ndarray  # (m, 3) int, -1 for unknown
    context: np.ndarray  # (m, 3) int, positions in domain.CATEGORIES (unknown included)
    age: np.ndarray  # (m,) float, NaN for unknown


class _Assigned(NamedTuple):
    segments: np.ndarray  # (m,) int
    keys: np.ndarray  # (m, 3) int, filled
    filled: dict[int, FilledField]  # row -> the vote that filled it


def _ranked_votes(codes: np.ndarray) -> list[tuple[int, int]]:
    """Each code of neighbours ordered nearest first, with its votes, most first; ties keep the nearest first."""
    counts: dict[int, int] = {}
    for code in codes.tolist():
        counts[code] = counts.get(code, 0) + 1
    # sorted() is stable and dicts keep first-seen order, so a tie goes to the nearest neighbour's category.
    return sorted(counts.items(), key=lambda item: -item[1])


def _vote(index: NeighbourIndex, key: int, compared: np.ndarray, age_z: float) -> FilledField:
    """The majority vote of the nearest voters on key field ``key`` for one client."""
    mismatches = (index.profiles[key] != compared).sum(axis=1)
    age_term = None if math.isnan(age_z) else (index.ages_z - age_z) ** 2
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
    ranked = _ranked_votes(index.key_codes[nearest, key])
    categories = _KEY_CATEGORIES[KEY_FIELDS[key]]
    return FilledField(KEY_FIELDS[key], categories[ranked[0][0]],
                       tuple((categories[c], n) for c, n in ranked),
                       tuple(int(i) for i in index.client_id[nearest]))


def _assign(encoded: _Encoded, model: ScoringModel) -> _Assigned:
    """Fill the one missing key field of each row that has one, then look up the segments.

    Rows must be valid (at most one unknown key field). Rows with the same inputs share one vote.
    """
    index = model.neighbours
    keys = encoded.keys.copy()
    age_z = (encoded.age - index.age_mean) / index.age_scale
    filled: dict[int, FilledField] = {}
    for key in range(len(KEY_FIELDS)):
        rows = np.flatnonzero(encoded.keys[:, key] < 0)
        if not rows.size:
            continue
        compared = np.column_stack([np.delete(encoded.keys[rows], key, axis=1), encoded.context[rows]])
        # NaN never equals itself, so an unknown age gets a sentinel before grouping identical queries.
        queries = np.column_stack([compared, np.where(np.isnan(age_z[rows]), np.inf, age_z[rows])])
        unique, inverse = np.unique(queries, axis=0, return_inverse=True)
        votes = [_vote(index, key, q[:-1].astype(np.int8), float(q[-1]) if np.isfinite(q[-1]) else math.nan)
                 for q in unique]
        for row, which in zip(rows.tolist(), inverse.reshape(-1).tolist()):
            vote = votes[which]
            filled[row] = vote
            keys[row, key] = _KEY_CODE[vote.field][vote.value]
    segments = model.segment_table[keys[:, 0], keys[:, 1], keys[:, 2]]
    return _Assigned(segments, keys, filled)


def _encode_clients(clients: Sequence[Client]) -> _Encoded:
    keys = np.array([[_KEY_CODE[f].get(getattr(c, f), -1) for f in KEY_FIELDS] for c in clients],
                    dtype=np.int64).reshape(-1, len(KEY_FIELDS))
    context = np.array([[_CONTEXT_CODE[f][getattr(c, f)] for f in CONTEXT_FIELDS] for c in clients],
                       dtype=np.int64).reshape(-1, len(CONTEXT_FIELDS))
    age = np.array([math.nan if c.age is None else float(c.age) for c in clients], dtype=float)
    return _Encoded(keys, context, age)


def score_clients(clients: Sequence[Client], model: ScoringModel) -> list[ScoreResult]:
    """Score validated clients (the API's lists); identical inputs share one neighbour vote.

    Parameters
    ----------
    clients : sequence of Client
        From :func:`validate_client`.
    model : ScoringModel
        From :func:`scoring_model`.

    Returns
    -------
    list of ScoreResult
        In the order of ``clients``.
    """
    assigned = _assign(_encode_clients(clients), model)
    results = []
    for row, codes in enumerate(assigned.keys.tolist()):
        vote = assigned.filled.get(row)
        results.append(ScoreResult(
            segment=int(assigned.segments[row]),
            key_fields={f: _KEY_CATEGORIES[f][c] for f, c in zip(KEY_FIELDS, codes)},
            filled=(vote,) if vote is not None else (),
            decision_path=model.paths[tuple(codes)],
        ))
    return results


def score_client(client: Client, model: ScoringModel) -> ScoreResult:
    """Score one validated client (the form); see :func:`score_clients`."""
    return score_clients([client], model)[0]


# --- Tables: files and their rows -------------------------------------------------------------------------


class TableScore(NamedTuple):
    """What :func:`score_table` returns.

    Attributes
    ----------
    scored : DataFrame
        The scorable rows in file order: every input column, then ``segment``, ``segment_name`` and ``filled``
        (:meth:`FilledField.describe`, empty when nothing was filled).
    refused : DataFrame
        ``row`` (the spreadsheet row number: the header is row 1) and ``reason``, one row per refused client.
    """

    scored: pd.DataFrame
    refused: pd.DataFrame


def _cell_text(value: object) -> str:
    """A cell as the validation compares it: trimmed of spaces and quotes; an empty cell is ``unknown``."""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return text.strip().strip('"').strip() or domain.UNKNOWN


def _factorised(table: pd.DataFrame, name: str) -> tuple[np.ndarray, list[str]]:
    """Each row's position in the column's distinct cell texts, and those texts (``unknown`` if no column)."""
    if name not in table.columns:
        return np.zeros(len(table), dtype=np.int64), [domain.UNKNOWN]
    # Cells repeat a few categories, so each distinct cell is read once and the rows index into them.
    positions, distinct = pd.factorize(table[name], use_na_sentinel=False)
    return positions.astype(np.int64), [_cell_text(v) for v in distinct]


def _parse_age(text: str) -> float:
    """An age cell as a number: NaN when unknown, -inf when it is not a whole number in AGE_RANGE."""
    if text == domain.UNKNOWN:
        return math.nan
    if _PLAIN_NUMBER.fullmatch(text):
        age = float(text)
        if age.is_integer() and AGE_RANGE[0] <= age <= AGE_RANGE[1]:
            return age
    return -math.inf


def _validate_table(table: pd.DataFrame) -> tuple[_Encoded, dict[int, list[str]]]:
    """Encode every row and collect each refused row's reasons (row position -> reasons)."""
    n = len(table)
    problems: dict[int, list[str]] = {}
    codes: dict[str, np.ndarray] = {}
    unknown_keys = np.zeros((n, len(KEY_FIELDS)), dtype=bool)
    for name in CATEGORY_FIELDS:
        positions, distinct = _factorised(table, name)
        allowed = domain.CATEGORIES[name]
        # Key fields are coded among the known categories only; unknown gets -1, as the core expects.
        lookup = _KEY_CODE[name] if name in _KEY_CODE else _CONTEXT_CODE[name]
        distinct_codes = np.array([lookup.get(text, -1) for text in distinct], dtype=np.int64)
        invalid = np.array([text not in allowed for text in distinct])
        for row in np.flatnonzero(invalid[positions]).tolist():
            problems.setdefault(row, []).append(f"{name}: {_category_reason(name, distinct[positions[row]])}")
        if name in _KEY_CODE:
            unknown_keys[:, KEY_FIELDS.index(name)] = np.array([t == domain.UNKNOWN for t in distinct])[positions]
        codes[name] = distinct_codes[positions]
    positions, distinct = _factorised(table, "age")
    age = np.array([_parse_age(text) for text in distinct], dtype=float)[positions]
    for row in np.flatnonzero(age == -math.inf).tolist():
        problems.setdefault(row, []).append(f"age: {_age_reason(distinct[positions[row]])}")
    age[age == -math.inf] = math.nan
    for row in np.flatnonzero(unknown_keys.sum(axis=1) >= 2).tolist():
        problems.setdefault(row, []).append(
            _too_few_keys_reason([f for f, unknown in zip(KEY_FIELDS, unknown_keys[row]) if unknown]))
    keys = np.column_stack([codes[f] for f in KEY_FIELDS]).reshape(n, len(KEY_FIELDS))
    context = np.column_stack([codes[f] for f in CONTEXT_FIELDS]).reshape(n, len(CONTEXT_FIELDS))
    return _Encoded(keys, context, age), problems


def score_table(table: pd.DataFrame, model: ScoringModel, first_row: int = FIRST_DATA_ROW) -> TableScore:
    """Validate and score every row of a table of clients, vectorised.

    Parameters
    ----------
    table : DataFrame
        Rows as read from a file (any dtype; cells are compared as trimmed text). Columns job, housing, loan
        and optionally education, marital, default, age; others are kept. An empty cell is ``unknown``.
    model : ScoringModel
        From :func:`scoring_model`.
    first_row : int
        The spreadsheet row number of ``table``'s first row (2 for a whole file; more for a later chunk).

    Returns
    -------
    TableScore
        The scored rows, and the refused ones with their row numbers and reasons.
    """
    encoded, problems = _validate_table(table)
    refused_rows = np.array(sorted(problems), dtype=np.int64)
    valid = np.ones(len(table), dtype=bool)
    valid[refused_rows] = False
    valid_rows = np.flatnonzero(valid)
    assigned = _assign(_Encoded(encoded.keys[valid], encoded.context[valid], encoded.age[valid]), model)
    scored = table.iloc[valid_rows].copy()
    names = np.array([""] + [catalogue.SEGMENTS[s].name for s in sorted(catalogue.SEGMENTS)], dtype=object)
    scored[SEGMENT_COLUMN] = assigned.segments
    scored[SEGMENT_NAME_COLUMN] = names[assigned.segments]
    filled = np.full(len(valid_rows), "", dtype=object)
    for row, vote in assigned.filled.items():
        filled[row] = vote.describe()
    scored[FILLED_COLUMN] = filled
    refused = pd.DataFrame({"row": (refused_rows + first_row).astype(np.int64),
                            "reason": ["; ".join(problems[r]) for r in refused_rows.tolist()]})
    return TableScore(scored, refused)


def segment_counts(scored: pd.DataFrame) -> dict[int, int]:
    """Clients per segment (every segment listed, zero included) of :attr:`TableScore.scored`."""
    counts = scored[SEGMENT_COLUMN].value_counts()
    return {s: int(counts.get(s, 0)) for s in sorted(catalogue.SEGMENTS)}


# --- Files ------------------------------------------------------------------------------------------------


class ClientFileError(ValueError):
    """A file of clients cannot be read; the message says why and what to do."""


class ClientFile(NamedTuple):
    """A file of clients as read: every cell as text, and the file's delimiter (kept for the download)."""

    table: pd.DataFrame
    delimiter: str


def _check_head(head: bytes, name: str) -> None:
    for signature, kind in _BINARY_SIGNATURES.items():
        if head.startswith(signature):
            raise ClientFileError(f"{name} looks like {kind}, not a CSV file; save it as CSV (UTF-8) and try again")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ClientFileError(f"{name} is UTF-16 text; save it as CSV (UTF-8) and try again")
    if b"\x00" in head:
        raise ClientFileError(f"{name} is a binary file, not a CSV file; save it as CSV (UTF-8) and try again")


def _check_columns(columns: Sequence[str], name: str) -> None:
    missing = [c for c in KEY_FIELDS if c not in columns]
    if missing:
        raise ClientFileError(
            f"{name} has no column {', '.join(repr(c) for c in missing)}; a file of clients needs at least the "
            f"columns {', '.join(KEY_FIELDS)} (and may have {', '.join(CLIENT_FIELDS[3:])} and any others)")
    duplicated = sorted({c for c in columns if list(columns).count(c) > 1})
    if duplicated:
        raise ClientFileError(f"{name} has the column {', '.join(repr(c) for c in duplicated)} more than once")


def _clean_header(columns) -> list[str]:
    return [str(c).strip().strip('"').strip() for c in columns]


def _header(text: str, name: str) -> tuple[list[str], str]:
    """The header's column names (checked) and the delimiter, from the start of the file's text."""
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    # Read the header ourselves: pandas renames a repeated column ('job.1') instead of saying so.
    columns = _clean_header(next(csv.reader([first_line.rstrip("\r")], delimiter=delimiter)))
    _check_columns(columns, name)
    return columns, delimiter


# Python strings (dtype object) read three times faster than pandas' string dtype and are all scoring needs.
_READ_OPTIONS = {"dtype": object, "keep_default_na": False, "skipinitialspace": True, "quoting": csv.QUOTE_MINIMAL}


def read_client_csv(content: bytes, max_bytes: int = MAX_UPLOAD_BYTES, name: str = "The file") -> ClientFile:
    """Read an uploaded file of clients (UCI semicolon format or comma-separated).

    Parameters
    ----------
    content : bytes
        The file.
    max_bytes : int
        Larger files are refused (default 50 MB).
    name : str
        How messages name the file.

    Returns
    -------
    ClientFile
        Every cell as text, header names trimmed.

    Raises
    ------
    ClientFileError
        If the file is too large, empty, binary, not UTF-8, not a well-formed CSV, lacks a key column or has
        no client rows.
    """
    if len(content) > max_bytes:
        # MB as spreadsheets and file browsers count them (2**20 bytes), so "50 MB" is the limit people see.
        raise ClientFileError(f"{name} is {len(content) / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB. "
                              "Score larger files with scripts/score.py, or split the file")
    if not content.strip():
        raise ClientFileError(f"{name} is empty")
    _check_head(content[:65536], name)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ClientFileError(f"{name} is not UTF-8 text (the byte at position {error.start} cannot be read); "
                              "save it as CSV (UTF-8) and try again") from error
    columns, delimiter = _header(text, name)
    try:
        table = pd.read_csv(io.StringIO(text), sep=delimiter, **_READ_OPTIONS)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as error:
        raise ClientFileError(f"{name} is not a well-formed CSV file ({error})") from error
    table.columns = columns if len(columns) == len(table.columns) else _clean_header(table.columns)
    if table.empty:
        raise ClientFileError(f"{name} has a header but no client rows")
    return ClientFile(table, delimiter)


def _neutralised(cells: pa.Array) -> pa.Array:
    # Comparing first characters is cheap; the number pattern runs only on columns that have a risky cell.
    risky = pc.fill_null(pc.is_in(pc.utf8_slice_codeunits(cells, 0, 1), value_set=_FORMULA_STARTS), False)
    if not pc.any(risky).as_py():
        return cells
    number = pc.fill_null(pc.match_substring_regex(cells, f"^(?:{_PLAIN_NUMBER.pattern})$"), False)
    return pc.if_else(pc.and_(risky, pc.invert(number)), pc.binary_join_element_wise("'", cells, ""), cells)


def _as_text(values: pd.Series) -> pa.Array | None:
    """The column as Arrow strings, or None when it is not text (numbers, booleans, dates)."""
    if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
        return None
    try:
        return pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # A column mixing text with other objects.
        return pa.array(values.astype("string"), type=pa.string(), from_pandas=True)


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Make text cells that a spreadsheet would run as a formula inert, for a download.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single
    quote (the OWASP advice against CSV injection), unless it is a plain number such as ``-1.8``. Numeric
    columns are left as they are.

    Parameters
    ----------
    table : DataFrame

    Returns
    -------
    DataFrame
        A copy with the risky cells prefixed.
    """
    result = table.copy()
    for column in result.columns:
        cells = _as_text(result[column])
        if cells is None:
            continue
        neutralised = _neutralised(cells)
        if not neutralised.equals(cells):
            result[column] = pd.Series(neutralised.to_numpy(zero_copy_only=False), index=result.index,
                                       dtype=object)
    return result


def write_scored_csv(scored: pd.DataFrame, target: str | Path | IO[bytes], delimiter: str = ",",
                     header: bool = True) -> None:
    """Write scored rows as UTF-8 CSV with formula cells neutralised (see :func:`neutralise_formulas`).

    Text cells are quoted, as in the UCI file.

    Parameters
    ----------
    scored : DataFrame
        :attr:`TableScore.scored`.
    target : path or binary file
        Where to write; an open file is appended to, so chunks can follow one another.
    delimiter : str
        The input file's delimiter, so the download reads like the upload.
    header : bool
        Write the header line (the first chunk only).
    """
    columns = {}
    for column in scored.columns:
        cells = _as_text(scored[column])
        columns[str(column)] = (pa.array(scored[column], from_pandas=True) if cells is None
                                else _neutralised(cells))
    # Arrow writes a large frame about ten times faster than DataFrame.to_csv.
    pacsv.write_csv(pa.table(columns), target, pacsv.WriteOptions(
        include_header=header, delimiter=delimiter, quoting_style="needed"))


class StreamSummary(NamedTuple):
    """Counts of :func:`score_csv_stream`: rows scored, rows refused, and clients per segment."""

    scored: int
    refused: int
    segments: dict[int, int]


def score_csv_stream(source: Path, target: Path, model: ScoringModel, refused_target: Path | None = None,
                     chunk_rows: int = 50_000, progress: bool = False) -> StreamSummary:
    """Score a CSV file of any size in chunks, in constant memory, into a new CSV file.

    Parameters
    ----------
    source : Path
        A file of clients (see :func:`read_client_csv`; no size limit).
    target : Path
        The scored file (written to a temporary file beside it, then renamed: a failure leaves no half file).
    model : ScoringModel
    refused_target : Path or None
        Where to write the refused rows (``row``, ``reason``); None: not written.
    chunk_rows : int
        Rows per chunk.
    progress : bool
        Show a progress bar of the bytes read.

    Returns
    -------
    StreamSummary

    Raises
    ------
    ClientFileError
        If the file is empty, binary, not UTF-8, malformed or lacks a key column.
    """
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows={chunk_rows} must be at least 1")
    source, target = Path(source), Path(target)
    name = f"'{source.name}'"
    with source.open("rb") as handle:
        head = handle.read(65536)
    if not head.strip():
        raise ClientFileError(f"{name} is empty")
    _check_head(head, name)
    columns, delimiter = _header(head.decode("utf-8-sig", errors="replace"), name)
    partial = target.with_name(f".{target.name}.partial")
    scored_rows, refused_rows = 0, 0
    segments = dict.fromkeys(sorted(catalogue.SEGMENTS), 0)
    next_row = FIRST_DATA_ROW
    try:
        with source.open("rb") as reader, \
                tqdm(total=source.stat().st_size, desc="scoring", unit="B", unit_scale=True,
                     disable=not progress) as bar, \
                partial.open("wb") as out, \
                (refused_target.open("w", encoding="utf-8", newline="") if refused_target else io.StringIO()) \
                as refused_out:
            chunks = pd.read_csv(reader, sep=delimiter, encoding="utf-8-sig", chunksize=chunk_rows, **_READ_OPTIONS)
            for number, chunk in enumerate(chunks):
                chunk.columns = columns if len(columns) == len(chunk.columns) else _clean_header(chunk.columns)
                result = score_table(chunk, model, first_row=next_row)
                write_scored_csv(result.scored, out, delimiter=delimiter, header=number == 0)
                result.refused.to_csv(refused_out, index=False, header=number == 0, lineterminator="\n")
                next_row += len(chunk)
                # The parser reads ahead, so the file position is the progress to within one buffer.
                bar.update(reader.tell() - bar.n)
                scored_rows += len(result.scored)
                refused_rows += len(result.refused)
                for segment, count in segment_counts(result.scored).items():
                    segments[segment] += count
        if next_row == FIRST_DATA_ROW:
            raise ClientFileError(f"{name} has a header but no client rows")
        partial.replace(target)
    except UnicodeDecodeError as error:
        raise ClientFileError(f"{name} is not UTF-8 text (a byte near row {next_row} cannot be read); "
                              "save it as CSV (UTF-8) and try again") from error
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as error:
        raise ClientFileError(f"{name} is not a well-formed CSV file ({error})") from error
    finally:
        partial.unlink(missing_ok=True)
    logger.debug("scored %d rows of %s, refused %d", scored_rows, source, refused_rows)
    return StreamSummary(scored_rows, refused_rows, segments)


# --- Measuring how neighbours' categories are combined ---------------------------------------------------------


def compare_neighbour_combination(frame: pd.DataFrame, columns: Sequence[str] = domain.COLUMNS_WITH_UNKNOWN,
                                  n_neighbours: int = N_NEIGHBOURS, chunk_rows: int = 500) -> pd.DataFrame:
    """Fill each missing category the original's way twice, averaging codes and by majority vote, and compare.

    The neighbours are the original's: :class:`dashapp.preprocessing.UnknownValueImputer` (ordinal codes and
    standardised numerics, ``nan_euclidean`` distance, ``n_neighbours`` donors that know the column). Only how
    their categories are combined differs. A category is *invented* when none of the neighbours holds it.

    Parameters
    ----------
    frame : DataFrame
        A modelling frame (:func:`dashapp.data.modelling_frame`), ``unknown`` as NaN, e.g. the training rows.
    columns : sequence of str
        Categorical columns to fill.
    n_neighbours : int
    chunk_rows : int
        Rows per block of the distance matrix (memory: ``chunk_rows`` x rows x 8 bytes).

    Returns
    -------
    DataFrame
        One row per (column, category): ``known`` (clients with it before filling), ``by_average`` and
        ``by_vote`` (clients with it after filling), ``invented_by_average`` and ``invented_by_vote`` (filled
        cells that got it though no neighbour holds it).
    """
    from sklearn.metrics.pairwise import nan_euclidean_distances

    from dashapp.preprocessing import UnknownValueImputer

    imputer = UnknownValueImputer("knn")
    # Only the encoder and scaler are needed; fitting the KNNImputer too is cheap (it stores the rows).
    imputer.fit(frame)
    matrix = imputer._matrix(frame)
    n_numeric = len(imputer.numeric_)
    rows = []
    for column in columns:
        j = imputer.categorical_.index(column)
        categories = list(imputer.encoder_.categories_[j])
        codes = matrix[:, n_numeric + j]
        missing = np.isnan(codes)
        donors = np.flatnonzero(~missing)
        averaged, voted, invented_average, invented_vote = (np.zeros(len(categories), dtype=np.int64)
                                                            for _ in range(4))
        for start in range(0, int(missing.sum()), chunk_rows):
            receivers = np.flatnonzero(missing)[start:start + chunk_rows]
            distance = nan_euclidean_distances(matrix[receivers], matrix[donors])
            # The same selection as sklearn's KNNImputer, then ordered by distance for the vote's tie-break.
            nearest = np.argpartition(distance, n_neighbours - 1, axis=1)[:, :n_neighbours]
            order = np.argsort(np.take_along_axis(distance, nearest, axis=1), axis=1, kind="stable")
            neighbour_codes = codes[donors][np.take_along_axis(nearest, order, axis=1)].astype(np.int64)
            average = np.clip(np.trunc(neighbour_codes.mean(axis=1)), 0, len(categories) - 1).astype(np.int64)
            vote = np.array([_ranked_votes(row)[0][0] for row in neighbour_codes], dtype=np.int64)
            for filled, counts, invented in ((average, averaged, invented_average), (vote, voted, invented_vote)):
                np.add.at(counts, filled, 1)
                held = (neighbour_codes == filled[:, None]).any(axis=1)
                np.add.at(invented, filled[~held], 1)
        known = np.bincount(codes[~missing].astype(np.int64), minlength=len(categories))
        for i, category in enumerate(categories):
            rows.append({"column": column, "category": category, "known": int(known[i]),
                         "by_average": int(known[i] + averaged[i]), "by_vote": int(known[i] + voted[i]),
                         "invented_by_average": int(invented_average[i]), "invented_by_vote": int(invented_vote[i])})
    return pd.DataFrame(rows)

