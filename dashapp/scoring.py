"""Scoring clients: validate, fill one missing key field by a neighbour vote, assign the segment.

One core serves the form, the file upload, the API and the command line, so all four give the same answer:
:func:`score_clients` and :func:`score_table` validate their inputs, encode them into the same code arrays
and hand them to :func:`dashapp.scoring_model.assign`, which fills and looks up the segment (how the vote
works, and why a majority, is said there). :class:`ScoringModel`, :func:`scoring_model` and
:class:`FilledField` come from that module and are named here too, so a caller needs this module only.
Reading and writing files is :mod:`dashapp.client_files`'s; the fields themselves are :mod:`dashapp.fields`'
table.

The rules (from the original app): of the key fields job, housing and loan at least two must be known; a
missing one is filled from the 5 nearest training clients, and the depth-3 tree assigns the segment.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from dashapp import catalogue, domain, fields
from dashapp.fields import AGE_RANGE, CATEGORY_FIELDS, KEY_FIELDS
# FilledField, ScoringModel and scoring_model are also this module's API (see the docstring).
from dashapp.scoring_model import (CONTEXT_CODE, CONTEXT_FIELDS, KEY_CATEGORIES, KEY_CODE, Encoded, FilledField,
                                   ScoringModel, assign, filled_fields, scoring_model,
                                   vote_descriptions)

#: The fields a client may have, in the form's order.
CLIENT_FIELDS: tuple[str, ...] = fields.NAMES

#: Columns :func:`score_table` adds after the input's own.
STATUS_COLUMN, SEGMENT_COLUMN, SEGMENT_NAME_COLUMN, FILLED_COLUMN = "status", "segment", "segment_name", "filled"
OUTPUT_COLUMNS = (STATUS_COLUMN, SEGMENT_COLUMN, SEGMENT_NAME_COLUMN, FILLED_COLUMN)
#: The status of a row that was scored; a refused row's status starts with NOT_SCORED and gives the reasons.
SCORED, NOT_SCORED = "scored", "not scored"
#: Spreadsheet row of the first client: the header is row 1.
FIRST_DATA_ROW = 2

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


# --- Results ------------------------------------------------------------------------------------------


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


# --- Scoring encoded clients ---------------------------------------------------------------------------


def _encode_clients(clients: Sequence[Client]) -> Encoded:
    keys = np.array([[KEY_CODE[f].get(getattr(c, f), -1) for f in KEY_FIELDS] for c in clients],
                    dtype=np.int64).reshape(-1, len(KEY_FIELDS))
    context = np.array([[CONTEXT_CODE[f][getattr(c, f)] for f in CONTEXT_FIELDS] for c in clients],
                       dtype=np.int64).reshape(-1, len(CONTEXT_FIELDS))
    age = np.array([math.nan if c.age is None else float(c.age) for c in clients], dtype=float)
    return Encoded(keys, context, age)


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
    assigned = assign(_encode_clients(clients), model)
    filled = filled_fields(assigned.votes, model)
    results = []
    for row, codes in enumerate(assigned.keys.tolist()):
        vote = filled.get(row)
        results.append(ScoreResult(
            segment=int(assigned.segments[row]),
            key_fields={f: KEY_CATEGORIES[f][c] for f, c in zip(KEY_FIELDS, codes)},
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
                    ) -> tuple[Encoded, dict[int, list[str]], list[Normalised]]:
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
        lookup = KEY_CODE[name] if name in KEY_CODE else CONTEXT_CODE[name]
        distinct_codes = np.array([lookup.get(v, -1) if v is not None else -1 for v in values], dtype=np.int64)
        invalid = np.array([v is None for v in values])
        for row in np.flatnonzero(invalid[positions]).tolist():
            problems.setdefault(row, []).append(_category_reason(name, texts[positions[row]]))
        if name in KEY_CODE:
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
    return Encoded(keys, context, age), problems, normalised


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
    assigned = assign(Encoded(encoded.keys[valid], encoded.context[valid], encoded.age[valid]), model)

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
