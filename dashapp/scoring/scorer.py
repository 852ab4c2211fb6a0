"""Scoring clients: validate, fill one missing key field by a neighbour vote, assign the segment.

One core serves the form, the file upload, the API and the command line, so all four give the same answer:
:func:`score_clients` and :func:`score_table` validate their inputs, encode them into the same code arrays
and hand them to :func:`dashapp.scoring.model.assign`, which fills and looks up the segment (how the vote
works, and why a majority, is said there). :class:`ScoringModel`, :func:`scoring_model` and
:class:`FilledField` come from that module and are named here too, so a caller needs this module only.
Reading and writing files is :mod:`dashapp.scoring.client_files`'s; the fields themselves are
:mod:`dashapp.core.fields`' table.

The rules (from the original app): of the key fields job, housing and loan at least two must be known; a
missing one is filled by the vote of the 5 nearest training clients and every one as near as the fifth, on the
fields the client gave, and the depth-3 tree assigns the segment.

A table's rows are checked in bulk (once per distinct cell, in Arrow: a file may be crafted to make every
cell distinct), their refusals grouped per distinct reason (:class:`Refusal`), and the status column built
once per distinct combination of reasons. That is why this module is longer than most: the table's checks
must say exactly what :func:`validate_client` says for one client, in the same words, so they sit together.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashapp.core import catalogue, domain, fields, i18n
from dashapp.core.fields import AGE_RANGE, CATEGORY_FIELDS, KEY_FIELDS
from dashapp.core.i18n import _
# FilledField, ScoringModel and scoring_model are also this module's API (see the docstring).
from dashapp.scoring.model import (CONTEXT_CODE, CONTEXT_FIELDS, KEY_CATEGORIES, KEY_CODE, NOT_GIVEN, Encoded,
                                   FilledField, ScoringModel, assign, distinct_rows, filled_fields, scoring_model,
                                   vote_descriptions)
# shown is also this module's API (messages quote values with it).
from dashapp.scoring.text_cells import cell_text, compared_texts, distinct_cells, shown, shown_texts, stripped

#: The fields a client may have, in the form's order.
CLIENT_FIELDS: tuple[str, ...] = fields.NAMES

#: Columns :func:`score_table` adds after the input's own.
STATUS_COLUMN, SEGMENT_COLUMN, SEGMENT_NAME_COLUMN, FILLED_COLUMN = "status", "segment", "segment_name", "filled"
OUTPUT_COLUMNS = (STATUS_COLUMN, SEGMENT_COLUMN, SEGMENT_NAME_COLUMN, FILLED_COLUMN)
#: The status of a row that was scored; a refused row's status starts with NOT_SCORED and gives the reasons.
SCORED, NOT_SCORED = "scored", "not scored"
#: Spreadsheet row of the first client: the header is row 1.
FIRST_DATA_ROW = 2
#: A refusal (one distinct reason) lists this many of its rows; the scored file's status column says it for every
#: row. Enough to find the rows in a spreadsheet, and a constant size whatever the file.
REFUSAL_ROWS_LISTED = 10
#: A table's score keeps this many distinct reasons, those of the most rows first (a file of distinct bad values
#: has one per row); it counts them all.
REFUSALS_KEPT = 50

_LENIENT = {f: {c.casefold(): c for c in fields.BY_NAME[f].categories} for f in CATEGORY_FIELDS}
#: A whole number, possibly written with a decimal point or comma ("40", "40.0", "40,0").
_AGE_NUMBER = re.compile(r"[+-]?\d+(?:[.,]0*)?")


# --- Validation ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Client:
    """One client's inputs, validated (categories as in :data:`dashapp.core.domain.CATEGORIES`, age or None).

    A key field the client did not give is ``unknown`` (the vote fills it); a context field the client did not
    give is None, "not given", which the vote leaves out of the distance, unlike the category ``unknown``."""

    job: str
    housing: str
    loan: str
    education: str | None = None
    marital: str | None = None
    default: str | None = None
    age: int | None = None


@dataclass(frozen=True)
class FieldError:
    """Why one input cannot be scored: the field and a reason an analyst can act on."""

    field: str
    reason: str


def _category_words(name: str) -> str:
    """The words after the value in a category's reason: `` is not a category of Job; expected one of ...``."""
    return _(" is not a category of {field}; expected {rule}").format(field=fields.label(name),
                                                                        rule=fields.BY_NAME[name].rule)


def _age_words() -> str:
    return _(" is not an age; expected {rule}").format(rule=fields.BY_NAME["age"].rule)


def _category_reason(name: str, value: object) -> str:
    return shown(value) + _category_words(name)


def _age_reason(value: object) -> str:
    return shown(value) + _age_words()


@i18n.cached_per_language(maxsize=16)
def _too_few_keys_reason(unknown: tuple[str, ...]) -> str:
    return i18n.ngettext("{fields} is unknown; at least two of {keys} must be known",
                         "{fields} are unknown; at least two of {keys} must be known",
                         len(unknown)).format(fields=fields.label_list(unknown), keys=fields.label_list(KEY_FIELDS))


def validate_client(values: object) -> Client | list[FieldError]:
    """Check one client's inputs, as the form or the API sends them.

    Parameters
    ----------
    values : mapping
        Any of the fields of :data:`dashapp.core.fields.FIELDS`: a category (or None) for each categorical field,
        a whole number (or None) for age. A missing key field or None is ``unknown`` (to be filled); a missing
        context field or None is not given (left out of the vote's distance). Values are taken exactly as they
        are: no trimming or case folding (the API documents its categories; files are read leniently by
        :func:`score_table`).

    Returns
    -------
    Client or list of FieldError
        The client, or every problem found (a field that is not a client field, a value outside its
        categories, an age that is not a whole number in :data:`dashapp.core.fields.AGE_RANGE`, fewer than two
        known key fields).
    """
    if not isinstance(values, Mapping):
        return [FieldError("", _("a client must be an object with some of the fields {fields}; got {type}").format(
            fields=", ".join(CLIENT_FIELDS), type=type(values).__name__))]
    errors = [FieldError(str(name)[:40], _("{name} is not a client field; expected some of {fields}").format(
                  name=shown(name), fields=", ".join(CLIENT_FIELDS)))
              for name in values if name not in fields.BY_NAME]
    checked: dict[str, object] = {}
    for name in CATEGORY_FIELDS:
        value = values.get(name)
        if value is None:
            # Absent: a key field is to be filled by the vote; a context field is not given.
            checked[name] = domain.UNKNOWN if name in KEY_FIELDS else None
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
        1 to k, see :func:`dashapp.core.catalogue.segments`.
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

    def to_dict(self, segments: Mapping[int, catalogue.Segment]) -> dict:
        """The result as JSON-ready data (the API's ``ScoreResult``), its segment described as ``segments``
        (:func:`dashapp.core.catalogue.segments` of the store that scored it) describes it."""
        info = segments[self.segment]
        return {"segment": self.segment, "name": info.name, "description": info.description,
                "products": list(info.products), "key_fields": dict(self.key_fields),
                "filled": [f.to_dict() for f in self.filled], "decision_path": list(self.decision_path)}


# --- Scoring encoded clients ---------------------------------------------------------------------------


def _encode_clients(clients: Sequence[Client]) -> Encoded:
    keys = np.array([[KEY_CODE[f].get(getattr(c, f), -1) for f in KEY_FIELDS] for c in clients],
                    dtype=np.int64).reshape(-1, len(KEY_FIELDS))
    context = np.array([[NOT_GIVEN if getattr(c, f) is None else CONTEXT_CODE[f][getattr(c, f)]
                         for f in CONTEXT_FIELDS] for c in clients], dtype=np.int64).reshape(-1, len(CONTEXT_FIELDS))
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
    filled = filled_fields(assigned.votes, model, assigned.keys)
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


@dataclass(frozen=True)
class Refusal:
    """One distinct reason why rows were not scored, with how many rows have it and the first of them.

    Attributes
    ----------
    reason : str
        As the status column says it (``'pilot' is not a category of Job; expected one of ...``).
    rows : int
        How many rows have this problem (a row with two problems counts in both reasons).
    first_rows : tuple of int
        The spreadsheet row numbers of the first :data:`REFUSAL_ROWS_LISTED` of them.
    """

    reason: str
    rows: int
    first_rows: tuple[int, ...]


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
    refusals : tuple of Refusal
        The distinct reasons rows were refused, most rows first (then the earliest row): at most
        :data:`REFUSALS_KEPT` of them, each listing its first :data:`REFUSAL_ROWS_LISTED` rows.
    problems : int
        How many distinct reasons there are in all.
    refused_rows : ndarray of int
        The spreadsheet row number of every refused row (the header is row 1).
    normalised : tuple of Normalised
        The cell texts that were read leniently (``'Yes'`` as ``yes``), with how many rows hold each.
    columns : dict
        Field name -> the input column read for it (matched ignoring case and surrounding spaces).
    """

    table: pd.DataFrame
    refusals: tuple[Refusal, ...]
    problems: int
    refused_rows: np.ndarray
    normalised: tuple[Normalised, ...]
    columns: dict[str, object]

    @property
    def refused_count(self) -> int:
        return len(self.refused_rows)

    @property
    def scored_count(self) -> int:
        return len(self.table) - self.refused_count

    @property
    def scored_mask(self) -> np.ndarray:
        """Which rows were scored (bool, one per row)."""
        return self.table.iloc[:, -len(OUTPUT_COLUMNS) + 1].notna().to_numpy()


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
    return _LENIENT[name].get(cell_text(cell).casefold())


def _parse_age(text: str) -> float:
    """An age cell as a number: NaN when unknown, -inf when it is not a whole number in AGE_RANGE."""
    if text == domain.UNKNOWN:
        return math.nan
    if _AGE_NUMBER.fullmatch(text):
        age = float(text.replace(",", "."))
        if AGE_RANGE[0] <= age <= AGE_RANGE[1]:
            return age
    return -math.inf


class _Problem(NamedTuple):
    """One check over every row: which of its distinct reasons each row has (-1: none), and the reasons."""

    codes: np.ndarray
    reasons: pa.Array


def _problem(positions: np.ndarray, bad: np.ndarray, shown_values: pa.Array, reason: str) -> _Problem:
    """A check's problem from the rows' positions among the distinct cells, which distinct cells are bad, how
    the bad ones are shown (one per bad cell, in order) and the reason's words after them. A reason is built
    once per distinct shown value (``'pilot'`` and ``' pilot'`` are one)."""
    encoded = pc.dictionary_encode(shown_values)
    code_of_cell = np.full(len(bad), -1, dtype=np.int64)
    code_of_cell[np.flatnonzero(bad)] = encoded.indices.to_numpy(zero_copy_only=False)
    return _Problem(code_of_cell[positions] if len(bad) else np.full(len(positions), -1, dtype=np.int64),
                    pc.binary_join_element_wise(encoded.dictionary, reason, ""))


def _field_cells(table: pd.DataFrame, column: object | None) -> tuple[np.ndarray, pa.Array, pa.Array]:
    """The rows' positions among a field's distinct cells, the cells and their :func:`cell_text` (a missing
    column is one distinct ``unknown``). Cells repeat a few values, so each distinct one is read once."""
    if column is None:
        unknown = pa.array([domain.UNKNOWN], type=pa.string())
        return np.zeros(len(table), dtype=np.int64), unknown, unknown
    positions, cells = distinct_cells(table[column])
    return positions, cells, compared_texts(cells)


def _lenient_values(name: str, texts: pa.Array) -> list[str | None]:
    """The category each text is read as (case folded), None when none. Python's ``casefold`` decides, but only
    for the texts that can match: ASCII ones whose lower case is a category, and short non-ASCII ones
    (``casefold`` never shortens a text; the Kelvin sign folds to ``k``)."""
    lenient = _LENIENT[name]
    longest = max(len(c) for c in lenient)
    can_match = pc.or_(pc.is_in(pc.ascii_lower(texts), value_set=pa.array(list(lenient), type=pa.string())),
                       pc.and_(pc.invert(pc.string_is_ascii(texts)),
                               pc.less_equal(pc.utf8_length(texts), longest)))
    values: list[str | None] = [None] * len(texts)
    which = np.flatnonzero(can_match.to_numpy(zero_copy_only=False))
    for i, text in zip(which.tolist(), pc.take(texts, pa.array(which, type=pa.int64())).to_pylist()):
        values[i] = lenient.get(text.casefold())
    return values


def _category_field(name: str, table: pd.DataFrame, column: object | None
                    ) -> tuple[np.ndarray, np.ndarray, _Problem, list[Normalised]]:
    """One category field: each row's code (-1 unknown or invalid), whether it is unknown, its problem, and the
    values read leniently."""
    positions, cells, texts = _field_cells(table, column)
    values = _lenient_values(name, texts)
    bad = np.array([v is None for v in values], dtype=bool).reshape(-1)
    problem = _problem(positions, bad, shown_texts(pc.filter(texts, pa.array(bad))), _category_words(name))
    normalised = []
    lenient = [i for i, v in enumerate(values) if v is not None]
    if lenient and column is not None:
        counts = np.bincount(positions, minlength=len(values))
        as_written = pc.take(cells, pa.array(lenient, type=pa.int64()))
        blank = pc.equal(stripped(as_written), "").to_pylist()
        for i, cell, empty in zip(lenient, as_written.to_pylist(), blank):
            if cell != values[i] and not empty:
                normalised.append(Normalised(str(column), cell, values[i], int(counts[i])))
    # Key fields are coded among the known categories only; unknown gets -1, as the core expects. A context
    # field's empty cell, or a missing column, is not given (NOT_GIVEN, also -1: left out of the distance);
    # its cell "unknown" is the category of that name.
    lookup = KEY_CODE[name] if name in KEY_CODE else CONTEXT_CODE[name]
    codes = np.array([lookup.get(v, -1) if v is not None else -1 for v in values], dtype=np.int64).reshape(-1)
    if name not in KEY_CODE:
        blank = (np.ones(len(values), dtype=bool) if column is None
                 else pc.equal(stripped(cells), "").to_numpy(zero_copy_only=False).astype(bool))
        codes[blank] = NOT_GIVEN
    unknown = np.array([v == domain.UNKNOWN for v in values], dtype=bool).reshape(-1)
    return codes[positions], unknown[positions], problem, normalised


def _age_field(table: pd.DataFrame, column: object | None) -> tuple[np.ndarray, _Problem]:
    """Each row's age (NaN when unknown or invalid) and the age's problem."""
    positions, _cells, texts = _field_cells(table, column)
    # Only a text of digits (ASCII or not) can be an age: Python parses those, Arrow rejects the rest.
    candidate = pc.or_(pc.match_substring_regex(texts, r"^[+-]?[0-9]+(?:[.,]0*)?$"),
                       pc.invert(pc.string_is_ascii(texts)))
    ages = np.full(len(texts), -math.inf)
    ages[pc.equal(texts, domain.UNKNOWN).to_numpy(zero_copy_only=False)] = math.nan
    which = np.flatnonzero(candidate.to_numpy(zero_copy_only=False))
    ages[which] = [_parse_age(text) for text in pc.take(texts, pa.array(which, type=pa.int64())).to_pylist()]
    bad = ages == -math.inf
    problem = _problem(positions, bad, shown_texts(pc.filter(texts, pa.array(bad))), _age_words())
    age = ages[positions]
    age[age == -math.inf] = math.nan
    return age, problem


def _validate_table(table: pd.DataFrame, columns: dict[str, object]
                    ) -> tuple[Encoded, list[_Problem], list[Normalised]]:
    """Encode every row, find each row's problems (one :class:`_Problem` per check, in the order the status
    says them) and what was normalised. Every text is built once per distinct cell, in Arrow, never per row."""
    n = len(table)
    problems: list[_Problem] = []
    normalised: list[Normalised] = []
    codes: dict[str, np.ndarray] = {}
    unknown_keys = np.zeros((n, len(KEY_FIELDS)), dtype=bool)
    for name in CATEGORY_FIELDS:
        codes[name], unknown, problem, lenient = _category_field(name, table, columns.get(name))
        problems.append(problem)
        normalised += lenient
        if name in KEY_CODE:
            unknown_keys[:, KEY_FIELDS.index(name)] = unknown
    age, problem = _age_field(table, columns.get("age"))
    problems.append(problem)
    # Which key fields are unknown, as bits: eight combinations, a reason for those with two or more.
    unknown = (unknown_keys * (1 << np.arange(len(KEY_FIELDS)))).sum(axis=1).astype(np.int64)
    bits = np.arange(1 << len(KEY_FIELDS))
    too_few = np.array([bin(b).count("1") >= 2 for b in bits.tolist()])
    problems.append(_problem(unknown, too_few, pa.array(
        [_too_few_keys_reason(tuple(f for i, f in enumerate(KEY_FIELDS) if b >> i & 1)) for b in bits[too_few]],
        type=pa.string()), ""))
    keys = np.column_stack([codes[f] for f in KEY_FIELDS]).reshape(n, len(KEY_FIELDS))
    context = np.column_stack([codes[f] for f in CONTEXT_FIELDS]).reshape(n, len(CONTEXT_FIELDS))
    return Encoded(keys, context, age), problems, normalised


def _refusals(problems: list[_Problem], first_row: int,
              kept_at_most: int | None = REFUSALS_KEPT) -> tuple[tuple[Refusal, ...], int]:
    """The distinct reasons of every check, most rows first (then the earliest row), the first ``kept_at_most``
    of them (all for None) with their first rows; and how many distinct reasons there are."""
    counts = [np.bincount(p.codes[p.codes >= 0], minlength=len(p.reasons)) for p in problems]
    firsts = []
    for problem in problems:
        first = np.full(len(problem.reasons), np.iinfo(np.int64).max, dtype=np.int64)
        rows = np.flatnonzero(problem.codes >= 0)
        np.minimum.at(first, problem.codes[rows], rows)
        firsts.append(first)
    check = np.concatenate([np.full(len(c), i, dtype=np.int64) for i, c in enumerate(counts)])
    reason = np.concatenate([np.arange(len(c), dtype=np.int64) for c in counts])
    count, first = np.concatenate(counts), np.concatenate(firsts)
    present = np.flatnonzero(count > 0)  # the reasons of every combination of unknown key fields exist
    kept = present[np.lexsort((first[present], -count[present]))[:kept_at_most]]
    refusals = []
    for i in kept.tolist():
        codes = problems[check[i]].codes
        rows = np.flatnonzero(codes == reason[i])[:REFUSAL_ROWS_LISTED]
        refusals.append(Refusal(problems[check[i]].reasons[int(reason[i])].as_py(), int(count[i]),
                                tuple((rows + first_row).tolist())))
    return tuple(refusals), len(present)


def _status(problems: list[_Problem], refused: np.ndarray) -> pa.Array:
    """``scored``, or ``not scored: `` and the row's reasons joined by ``; ``, built in Arrow once per distinct
    combination of reasons (a file repeats a few), never as a Python string per row."""
    matrix = np.column_stack([p.codes for p in problems]) + 1
    first, combination = distinct_rows(matrix)
    separator = "; "
    # Each reason with the separator before it (empty where the row has none), joined, the first separator cut.
    # (Not null_handling="skip": pyarrow 26 then drops the rows where every part is null.)
    parts = [pc.fill_null(pc.binary_join_element_wise(
        separator, pc.take(p.reasons, pa.array(p.codes[first], mask=p.codes[first] < 0)), ""), "")
        for p in problems]
    joined = pc.utf8_slice_codeunits(pc.binary_join_element_wise(*parts, ""), len(separator))
    texts = pc.if_else(pa.array(refused[first]), pc.binary_join_element_wise(f"{NOT_SCORED}: ", joined, ""),
                       SCORED)
    return pc.take(texts, pa.array(combination))


def score_table(table: pd.DataFrame, model: ScoringModel, first_row: int = FIRST_DATA_ROW,
                refusals_kept: int | None = REFUSALS_KEPT) -> TableScore:
    """Validate and score every row of a table of clients, vectorised, keeping every row and column.

    Parameters
    ----------
    table : DataFrame
        Rows as read from a file (cells as text). Its columns for the fields of :data:`dashapp.core.fields.FIELDS`
        are found ignoring case and surrounding spaces (``" Job"``); their cells are read ignoring case,
        surrounding spaces and quotes (``"Yes"`` is ``yes``), an empty cell as ``unknown``. Other columns are
        kept as they are.
    model : ScoringModel
        From :func:`scoring_model`.
    first_row : int
        The spreadsheet row number of ``table``'s first row (2 for a whole file; more for a later chunk).
    refusals_kept : int or None
        How many distinct refusal reasons to keep (None: all of them, as a chunk must keep them for
        :func:`merged_refusals` to give exactly what the whole table gives).

    Returns
    -------
    TableScore
        Every row with its status, segment and vote; the refused rows' numbers and reasons; what was read
        leniently.
    """
    columns, _repeated = fields.field_columns(table.columns)
    encoded, problems, normalised = _validate_table(table, columns)
    n = len(table)
    valid = np.all([p.codes < 0 for p in problems], axis=0).reshape(n)
    valid_rows = np.flatnonzero(valid)
    assigned = assign(Encoded(encoded.keys[valid], encoded.context[valid], encoded.age[valid]), model)

    segment = np.zeros(n, dtype=np.int64)
    segment[valid_rows] = assigned.segments
    names = pa.array([""] + [model.segment_names[s] for s in sorted(model.segment_names)], type=pa.string())
    # The vote's text once per distinct text, then taken per row (most rows have none: null, then empty).
    which, texts = vote_descriptions(assigned.votes, model, assigned.keys)
    text_of_row = np.full(n, -1, dtype=np.int64)
    text_of_row[valid_rows[assigned.votes.rows]] = which
    filled = pc.fill_null(pc.take(pa.array(texts, type=pa.string()), pa.array(text_of_row, mask=text_of_row < 0)),
                          "")

    out_names, replaced = output_column_names(list(table.columns))
    replaced_set = set(replaced)
    kept = [i for i, c in enumerate(table.columns) if c not in replaced_set]
    result = table.iloc[:, kept].copy()
    result[out_names[STATUS_COLUMN]] = _text_column(_status(problems, ~valid))
    result[out_names[SEGMENT_COLUMN]] = pd.arrays.IntegerArray(segment, ~valid)
    result[out_names[SEGMENT_NAME_COLUMN]] = _text_column(pc.take(names, pa.array(segment)))
    result[out_names[FILLED_COLUMN]] = _text_column(filled)
    refusals, distinct_problems = _refusals(problems, first_row, refusals_kept)
    refused_rows = np.flatnonzero(~valid).astype(np.int64) + first_row
    return TableScore(result, refusals, distinct_problems, refused_rows, tuple(normalised), columns)


def merged_refusals(parts: Sequence[Sequence[Refusal]]) -> tuple[tuple[Refusal, ...], int]:
    """The refusals of consecutive chunks of one table, each scored with ``refusals_kept=None``, as
    :func:`score_table` gives them for the whole table: the same order, rows and first rows, and the number of
    distinct reasons."""
    rows: dict[str, int] = {}
    first_rows: dict[str, list[int]] = {}
    for part in parts:  # chunks in order, so first rows arrive in order
        for refusal in part:
            rows[refusal.reason] = rows.get(refusal.reason, 0) + refusal.rows
            listed = first_rows.setdefault(refusal.reason, [])
            listed += refusal.first_rows[:REFUSAL_ROWS_LISTED - len(listed)]
    order = sorted(rows, key=lambda reason: (-rows[reason], first_rows[reason][0]))
    return (tuple(Refusal(reason, rows[reason], tuple(first_rows[reason])) for reason in order[:REFUSALS_KEPT]),
            len(rows))


def _text_column(values: pa.Array) -> pd.api.extensions.ExtensionArray:
    # Arrow-backed like the columns read from a file, so the writer takes them without a conversion.
    return pd.arrays.ArrowExtensionArray(values)
def segment_counts(result: TableScore, segment_numbers) -> dict[int, int]:
    """Scored clients per segment of ``segment_numbers`` (the model's, every one listed, zero included)."""
    counts = result.table.iloc[:, -len(OUTPUT_COLUMNS) + 1].value_counts()
    return {s: int(counts.get(s, 0)) for s in sorted(segment_numbers)}
