"""Scoring clients: validate, fill one missing key field by a neighbour vote, assign the segment.

One core serves the form, the file upload, the API and the command line, so all four give the same answer:
:func:`score_clients` and :func:`score_table` encode their inputs into the same code arrays and hand them to
the same private function, which fills and looks up the segment. Reading and writing files is
:mod:`dashapp.client_files`'s; the fields themselves are :mod:`dashapp.fields`' table. (The module is longer
than most because the validation of one client, of a table, the vote and the look-up share private code
arrays; split, they would have to export them.)

The rules (from the original app): of the key fields job, housing and loan at least two must be known; a
missing one is filled from the 5 nearest training clients, and the depth-3 tree assigns the segment.

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
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import product
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from dashapp import catalogue, domain, fields
from dashapp.fields import AGE_RANGE, CATEGORY_FIELDS, KEY_FIELDS
from dashapp.neighbours import N_NEIGHBOURS, NeighbourIndex, ranked_votes

#: The fields a client may have, in the form's order.
CLIENT_FIELDS: tuple[str, ...] = fields.NAMES
CONTEXT_FIELDS: tuple[str, ...] = fields.CONTEXT_CATEGORY_FIELDS

#: Columns :func:`score_table` adds after the input's own.
STATUS_COLUMN, SEGMENT_COLUMN, SEGMENT_NAME_COLUMN, FILLED_COLUMN = "status", "segment", "segment_name", "filled"
OUTPUT_COLUMNS = (STATUS_COLUMN, SEGMENT_COLUMN, SEGMENT_NAME_COLUMN, FILLED_COLUMN)
#: The status of a row that was scored; a refused row's status starts with NOT_SCORED and gives the reasons.
SCORED, NOT_SCORED = "scored", "not scored"
#: Spreadsheet row of the first client: the header is row 1.
FIRST_DATA_ROW = 2

_KEY_CATEGORIES = {f: fields.BY_NAME[f].known_categories for f in KEY_FIELDS}
_KEY_CODE = {f: {c: i for i, c in enumerate(cats)} for f, cats in _KEY_CATEGORIES.items()}
_CONTEXT_CODE = {f: {c: i for i, c in enumerate(fields.BY_NAME[f].categories)} for f in CONTEXT_FIELDS}
_LENIENT = {f: {c.casefold(): c for c in fields.BY_NAME[f].categories} for f in CATEGORY_FIELDS}
#: A whole number, possibly written with a decimal point or comma ("40", "40.0", "40,0").
_AGE_NUMBER = re.compile(r"[+-]?\d+(?:[.,]0*)?")


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


def shown(value: object) -> str:
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


def _category_reason(name: str, value: object) -> str:
    field = fields.BY_NAME[name]
    return f"{shown(value)} is not a category of {field.label}; expected {field.rule}"


def _age_reason(value: object) -> str:
    return f"{shown(value)} is not an age; expected {fields.BY_NAME['age'].rule}"


@cache
def _too_few_keys_reason(unknown: tuple[str, ...]) -> str:
    verb = "is" if len(unknown) == 1 else "are"
    return (f"{fields.label_list(unknown)} {verb} unknown; at least two of "
            f"{fields.label_list(KEY_FIELDS)} must be known")


def validate_client(values: object) -> Client | list[FieldError]:
    """Check one client's inputs, as the form or the API sends them.

    Parameters
    ----------
    values : mapping
        Any of the fields of :data:`dashapp.fields.FIELDS`: a category (or None) for each categorical field,
        a whole number (or None) for age. A missing field or None is ``unknown``. Values are taken exactly as
        they are: no trimming or case folding (the API documents its categories; files are read leniently by
        :func:`score_table`).

    Returns
    -------
    Client or list of FieldError
        The client, or every problem found (a field that is not a client field, a value outside its
        categories, an age that is not a whole number in :data:`dashapp.fields.AGE_RANGE`, fewer than two
        known key fields).
    """
    if not isinstance(values, Mapping):
        return [FieldError("", f"a client must be an object with some of the fields {', '.join(CLIENT_FIELDS)}; "
                               f"got {type(values).__name__}")]
    errors = [FieldError(str(name)[:40], f"{shown(name)} is not a client field; expected some of "
                                    f"{', '.join(CLIENT_FIELDS)}")
              for name in values if name not in fields.BY_NAME]
    checked: dict[str, object] = {}
    for name in CATEGORY_FIELDS:
        value = values.get(name)
        if value is None:
            checked[name] = domain.UNKNOWN
        elif isinstance(value, str) and value in fields.BY_NAME[name].categories:
            checked[name] = value
        else:
            errors.append(FieldError(name, _category_reason(name, value)))
    age = values.get("age")
    if age is not None:
        whole = isinstance(age, int) and not isinstance(age, bool) or isinstance(age, float) and age.is_integer()
        if whole and AGE_RANGE[0] <= age <= AGE_RANGE[1]:
            checked["age"] = int(age)
        else:
            errors.append(FieldError("age", _age_reason(age)))
    unknown = [k for k in KEY_FIELDS if checked.get(k) == domain.UNKNOWN]
    if len(unknown) >= 2:
        errors.extend(FieldError(k, _too_few_keys_reason(tuple(unknown))) for k in unknown)
    return errors if errors else Client(**checked)


# --- The model ----------------------------------------------------------------------------------------


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
        if encoder_categories != [list(_KEY_CATEGORIES[f]) for f in KEY_FIELDS]:
            raise ValueError("the tree's encoder uses other categories than dashapp.fields'; "
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
    keys: np.ndarray  # (m, n_key_fields) int, -1 for unknown
    context: np.ndarray  # (m, n_context_fields) int, positions in the field's categories (unknown included)
    age: np.ndarray  # (m,) float, years; NaN for unknown


class _Assigned(NamedTuple):
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
    categories = _KEY_CATEGORIES[KEY_FIELDS[key]]
    return FilledField(KEY_FIELDS[key], categories[ranked_votes(codes)[0][0]],
                       tuple((categories[c], n) for c, n in ranked_votes(codes)),
                       tuple(int(i) for i in index.client_id[nearest]),
                       tuple(categories[c] for c in codes.tolist()))


def _assign(encoded: _Encoded, model: ScoringModel) -> _Assigned:
    """Fill the one missing key field of each row that has one, then look up the segments.

    Rows must be valid (at most one unknown key field). Rows with the same inputs share one vote.
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
            keys[row, key] = _KEY_CODE[vote.field][vote.value]
    segments = model.segment_table[tuple(keys[:, i] for i in range(len(KEY_FIELDS)))]
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


# --- Tables: the rows of a file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Normalised:
    """A cell text read as a field's value after trimming spaces and quotes or folding case."""

    column: str
    written: str
    read_as: str
    rows: int


class TableScore(NamedTuple):
    """What :func:`score_table` returns.

    Attributes
    ----------
    table : DataFrame
        Every input row in input order, every input column unchanged, then ``status`` (``scored`` or
        ``not scored: <reasons>``), ``segment`` (nullable integer, empty when not scored), ``segment_name``
        and ``filled`` (:meth:`FilledField.describe`, empty when nothing was filled). An input column with one
        of these names keeps its values; ours then get the prefix ``scored_`` (a file this studio scored
        before, holding all four, has them replaced).
    refused : DataFrame
        ``row`` (the spreadsheet row number: the header is row 1) and ``reason``, one row per refused client.
    normalised : tuple of Normalised
        The cell texts that were read leniently (``'Yes'`` as ``yes``), with how many rows hold each.
    columns : dict
        Field name -> the input column read for it (matched ignoring case and surrounding spaces).
    """

    table: pd.DataFrame
    refused: pd.DataFrame
    normalised: tuple[Normalised, ...]
    columns: dict[str, object]

    @property
    def scored_mask(self) -> np.ndarray:
        """Which rows were scored (bool, one per row)."""
        return self.table.iloc[:, -len(OUTPUT_COLUMNS)].eq(SCORED).to_numpy()

    @property
    def scored_count(self) -> int:
        return int(self.scored_mask.sum())


def output_column_names(columns: Sequence[object]) -> tuple[dict[str, str], list[object]]:
    """Our added columns' names for a table with ``columns``, and the input columns they replace.

    Ours keep their names unless the input uses them (compared ignoring case and spaces); then they get the
    prefix ``scored_``, so the input's column keeps its values. A file this studio scored before holds all
    four of ours: those are replaced, so scoring a scored file again does not pile up columns.

    Returns
    -------
    names : dict
        ``status``/``segment``/``segment_name``/``filled`` -> the name to write.
    replaced : list
        The input columns that are dropped (empty unless the file was scored before).
    """
    taken = {fields.header_key(c) for c in columns}
    if set(OUTPUT_COLUMNS) <= taken:
        return {c: c for c in OUTPUT_COLUMNS}, [c for c in columns if fields.header_key(c) in OUTPUT_COLUMNS]
    names = {}
    for column in OUTPUT_COLUMNS:
        name = column
        while name in taken:
            name = f"scored_{name}"
        names[column] = name
    return names, []


def read_category(name: str, cell: object) -> str | None:
    """A file's cell as a category of field ``name``, read leniently (case, spaces and quotes ignored; an empty
    cell is ``unknown``), or None when it is none of the field's categories."""
    text = _cell_text(cell)
    return _LENIENT[name].get(text.casefold())


def _cell_text(value: object) -> str:
    """A cell as the validation compares it: trimmed of spaces and quotes; an empty cell is ``unknown``."""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return text.strip().strip('"').strip() or domain.UNKNOWN


def _factorised(table: pd.DataFrame, column: object | None) -> tuple[np.ndarray, list[object]]:
    """Each row's position in the column's distinct cells, and those cells (``unknown`` if no column)."""
    if column is None:
        return np.zeros(len(table), dtype=np.int64), [domain.UNKNOWN]
    # Cells repeat a few categories, so each distinct cell is read once and the rows index into them.
    positions, distinct = pd.factorize(table[column], use_na_sentinel=False)
    return positions.astype(np.int64), list(distinct)


def _parse_age(text: str) -> float:
    """An age cell as a number: NaN when unknown, -inf when it is not a whole number in AGE_RANGE."""
    if text == domain.UNKNOWN:
        return math.nan
    if _AGE_NUMBER.fullmatch(text):
        age = float(text.replace(",", "."))
        if AGE_RANGE[0] <= age <= AGE_RANGE[1]:
            return age
    return -math.inf


def _validate_table(table: pd.DataFrame, columns: dict[str, object]
                    ) -> tuple[_Encoded, dict[int, list[str]], list[Normalised]]:
    """Encode every row, collect each refused row's reasons (row position -> reasons) and what was normalised."""
    n = len(table)
    problems: dict[int, list[str]] = {}
    normalised: list[Normalised] = []
    codes: dict[str, np.ndarray] = {}
    unknown_keys = np.zeros((n, len(KEY_FIELDS)), dtype=bool)
    for name in CATEGORY_FIELDS:
        positions, distinct = _factorised(table, columns.get(name))
        texts = [_cell_text(cell) for cell in distinct]
        values = [_LENIENT[name].get(text.casefold()) for text in texts]
        counts = np.bincount(positions, minlength=len(distinct))
        for cell, text, value, count in zip(distinct, texts, values, counts.tolist()):
            if value is not None and isinstance(cell, str) and cell != value and cell.strip() != "":
                normalised.append(Normalised(str(columns[name]), cell, value, count))
        # Key fields are coded among the known categories only; unknown gets -1, as the core expects.
        lookup = _KEY_CODE[name] if name in _KEY_CODE else _CONTEXT_CODE[name]
        distinct_codes = np.array([lookup.get(v, -1) if v is not None else -1 for v in values], dtype=np.int64)
        invalid = np.array([v is None for v in values])
        for row in np.flatnonzero(invalid[positions]).tolist():
            problems.setdefault(row, []).append(_category_reason(name, texts[positions[row]]))
        if name in _KEY_CODE:
            unknown_keys[:, KEY_FIELDS.index(name)] = np.array([v == domain.UNKNOWN for v in values])[positions]
        codes[name] = distinct_codes[positions]
    positions, distinct = _factorised(table, columns.get("age"))
    texts = [_cell_text(cell) for cell in distinct]
    age = np.array([_parse_age(text) for text in texts], dtype=float)[positions]
    for row in np.flatnonzero(age == -math.inf).tolist():
        problems.setdefault(row, []).append(_age_reason(texts[positions[row]]))
    age[age == -math.inf] = math.nan
    for row in np.flatnonzero(unknown_keys.sum(axis=1) >= 2).tolist():
        problems.setdefault(row, []).append(
            _too_few_keys_reason(tuple(f for f, unknown in zip(KEY_FIELDS, unknown_keys[row]) if unknown)))
    keys = np.column_stack([codes[f] for f in KEY_FIELDS]).reshape(n, len(KEY_FIELDS))
    context = np.column_stack([codes[f] for f in CONTEXT_FIELDS]).reshape(n, len(CONTEXT_FIELDS))
    return _Encoded(keys, context, age), problems, normalised


def score_table(table: pd.DataFrame, model: ScoringModel, first_row: int = FIRST_DATA_ROW) -> TableScore:
    """Validate and score every row of a table of clients, vectorised, keeping every row and column.

    Parameters
    ----------
    table : DataFrame
        Rows as read from a file (cells as text). Its columns for the fields of :data:`dashapp.fields.FIELDS`
        are found ignoring case and surrounding spaces (``" Job"``); their cells are read ignoring case,
        surrounding spaces and quotes (``"Yes"`` is ``yes``), an empty cell as ``unknown``. Other columns are
        kept as they are.
    model : ScoringModel
        From :func:`scoring_model`.
    first_row : int
        The spreadsheet row number of ``table``'s first row (2 for a whole file; more for a later chunk).

    Returns
    -------
    TableScore
        Every row with its status, segment and vote; the refused rows' numbers and reasons; what was read
        leniently.
    """
    columns, _repeated = fields.field_columns(table.columns)
    encoded, problems, normalised = _validate_table(table, columns)
    n = len(table)
    refused_rows = np.array(sorted(problems), dtype=np.int64)
    valid = np.ones(n, dtype=bool)
    valid[refused_rows] = False
    valid_rows = np.flatnonzero(valid)
    assigned = _assign(_Encoded(encoded.keys[valid], encoded.context[valid], encoded.age[valid]), model)

    reasons = ["; ".join(problems[r]) for r in refused_rows.tolist()]
    status = np.full(n, SCORED, dtype=object)
    status[refused_rows] = [f"{NOT_SCORED}: {reason}" for reason in reasons]
    segment = np.zeros(n, dtype=np.int64)
    segment[valid_rows] = assigned.segments
    names = np.array([""] + [catalogue.SEGMENTS[s].name for s in sorted(catalogue.SEGMENTS)], dtype=object)
    filled = np.full(n, "", dtype=object)
    for row, vote in assigned.filled.items():
        filled[valid_rows[row]] = vote.describe()

    out_names, replaced = output_column_names(list(table.columns))
    kept = [i for i, c in enumerate(table.columns) if c not in replaced]
    result = table.iloc[:, kept].copy()
    result[out_names[STATUS_COLUMN]] = _text_column(status)
    result[out_names[SEGMENT_COLUMN]] = pd.arrays.IntegerArray(segment, ~valid)
    result[out_names[SEGMENT_NAME_COLUMN]] = _text_column(names[segment])
    result[out_names[FILLED_COLUMN]] = _text_column(filled)
    refused = pd.DataFrame({"row": (refused_rows + first_row).astype(np.int64), "reason": reasons})
    return TableScore(result, refused, tuple(normalised), columns)


def _text_column(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    # Arrow-backed like the columns read from a file, so the writer takes them without a conversion.
    return pd.arrays.ArrowExtensionArray(pa.array(values, type=pa.string()))


def segment_counts(result: TableScore) -> dict[int, int]:
    """Scored clients per segment (every segment listed, zero included)."""
    counts = result.table.iloc[:, -len(OUTPUT_COLUMNS) + 1].value_counts()
    return {s: int(counts.get(s, 0)) for s in sorted(catalogue.SEGMENTS)}
