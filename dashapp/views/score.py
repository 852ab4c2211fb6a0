"""What the Score page shows, as plain data: form options, a scored client and an uploaded file, summarised.

The page (``pages/score.py``) only turns these into components; everything here is testable without Dash.
Scoring itself is :mod:`dashapp.scoring.scorer`'s and reading and writing files :mod:`dashapp.scoring.client_files`'
(CSV) and :mod:`dashapp.scoring.client_workbooks`' (.xlsx), so the
page answers exactly as the API and the command line do; the command line also prints
:func:`normalised_summary`'s lines.
Over 450 lines because every text the Score page shows is here, as messages in the catalogue's form (named
fields, counts with their plural forms), beside the data they say.
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashapp.artifacts.client_queries import client_queries, quoted
from dashapp.core import catalogue, domain, fields, i18n
from dashapp.core.i18n import N_, _, ngettext
from dashapp.scoring import client_files, client_workbooks, scorer
from dashapp.scoring.client_files import ClientFile, ClientFileError

#: The form's fields in the order the page shows them, with the names an analyst reads (dashapp.core.fields), in
#: English: :func:`field_label` says them in the current language.
FIELD_LABELS: dict[str, str] = dict(fields.LABELS)
PREVIEW_ROWS = 20
#: The distinct reasons for refusing rows that the page lists, those of the most rows first; each lists its
#: first rows (:data:`dashapp.scoring.scorer.REFUSAL_ROWS_LISTED`), so the page's size never grows with the file.
REFUSALS_LISTED = 20
#: The columns of the list of refusals (translated where shown: :func:`refusals_header`).
REFUSALS_HEADER = (N_("Problem"), N_("Rows"), N_("First rows"))
#: The preview's columns besides the fields': status and segment first, so a phone shows them (translated in
#: :attr:`UploadView.preview_columns`; :data:`SEGMENT_LABEL` finds the segment's column among them).
STATUS_LABEL, SEGMENT_LABEL, ROW_LABEL, FILLED_LABEL = N_("Status"), N_("Segment"), N_("Row"), N_("Filled by the vote")
_MIB = 1024 * 1024


def field_label(field: str) -> str:
    """A field's name as the page shows it, in the current language (``Job``)."""
    return fields.label(field)


def refusals_header() -> list[str]:
    """The columns of the list of refusals, in the current language."""
    return [_(header) for header in REFUSALS_HEADER]


def value_label(field: str, value: str | None) -> str:
    """A category as the page shows it: ``housing='yes'`` -> ``'Housing loan'``, ``unknown`` -> ``'Unknown'``."""
    if value is None or value == domain.UNKNOWN:
        return _("Unknown")
    return _(catalogue.category_label(field, value))


def category_options(field: str) -> list[dict[str, str]]:
    """Options of one category field for a dropdown, ``unknown`` last, with readable labels; a context field's
    first option is "Not given" (the empty value), which leaves it out of the vote's comparison."""
    options = [{"label": value_label(field, value), "value": value} for value in fields.BY_NAME[field].categories]
    if field not in fields.KEY_FIELDS:
        options.insert(0, {"label": _("Not given"), "value": ""})
    return options


def age_rule_text() -> str:
    """The age rule as the form's hint states it, in the words of the validation's message."""
    rule = fields.BY_NAME["age"].rule
    return _("{rule}; leave empty if not known.").format(rule=rule[:1].upper() + rule[1:])


def age_placeholder() -> str:
    low, high = fields.AGE_RANGE
    return _("{low} to {high}").format(low=low, high=high)


def typical_client(clients: pd.DataFrame) -> dict[str, object]:
    """The form's defaults: the most common known category of every field and the median age.

    Parameters
    ----------
    clients : DataFrame
        The store's clients (columns of :data:`dashapp.core.fields.NAMES`).

    Returns
    -------
    dict
        Field -> value, ready for :func:`dashapp.scoring.scorer.validate_client`.
    """
    typical: dict[str, object] = {}
    for field in fields.CATEGORY_FIELDS:
        known = clients[field][clients[field] != domain.UNKNOWN]
        typical[field] = str(known.mode().iloc[0])
    typical["age"] = int(clients["age"].median())
    return typical


def queried_typical_client(queries) -> dict[str, object]:
    """:func:`typical_client` counted by SQL (:class:`dashapp.artifacts.client_queries.ClientQueries`): per field, the
    clients of each known category; per age, its clients, whose middle gives the median as pandas counts it."""
    typical: dict[str, object] = {}
    for field in fields.CATEGORY_FIELDS:
        counts = queries.frame(f"SELECT {quoted(field)}::VARCHAR AS value, count(*) AS clients FROM clients "
                               f"WHERE {quoted(field)} <> ? GROUP BY ALL", [domain.UNKNOWN])
        counts = counts.set_index("value")["clients"]
        # Of equally common categories, pandas' mode gives the first in the categories' order.
        typical[field] = next(value for value in domain.CATEGORIES[field] if counts.get(value) == counts.max())
    ages = queries.frame("SELECT age, count(*) AS clients FROM clients GROUP BY age ORDER BY age")
    ranks = ages["clients"].cumsum().to_numpy()
    total = int(ranks[-1])
    middle = [int(ages["age"].iloc[np.searchsorted(ranks, rank, side="right")]) for rank in ((total - 1) // 2,
                                                                                              total // 2)]
    typical["age"] = int(sum(middle) / 2)
    return typical


@functools.lru_cache(maxsize=2)
def store_typical_client(store) -> dict[str, object]:
    """:func:`queried_typical_client` of an artifact store's clients, once per process."""
    return queried_typical_client(client_queries(store))


def form_input(values: Mapping[str, object]) -> dict[str, object]:
    """The form's values as :func:`dashapp.scoring.scorer.validate_client` takes them.

    An empty key field's dropdown is ``unknown`` (the vote fills it), an empty context dropdown is not given
    (None: left out of the vote's comparison) and an empty age is unknown (None). A browser's number input sends
    a float; a whole one becomes an int, anything else is passed on for the validation to name.
    """
    result: dict[str, object] = {}
    for field in fields.CATEGORY_FIELDS:
        value = values.get(field)
        if value in (None, ""):
            value = domain.UNKNOWN if field in fields.KEY_FIELDS else None
        result[field] = value
    age = values.get("age")
    if isinstance(age, str):
        age = age.strip() or None
    if isinstance(age, float) and math.isfinite(age) and age.is_integer():
        age = int(age)
    result["age"] = age
    return result


def errors_by_field(errors: Sequence[scorer.FieldError]) -> tuple[dict[str, str], list[str]]:
    """Validation errors grouped for the form: one message per field, and the ones no field owns."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for error in errors:
        if error.field in FIELD_LABELS:
            if error.reason not in by_field.setdefault(error.field, []):
                by_field[error.field].append(error.reason)
        else:
            general.append(error.reason)
    return {field: "; ".join(reasons) for field, reasons in by_field.items()}, general


# --- One client ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownValue:
    """One input as the scoring read it: the field, the value and where the value came from."""

    field: str
    label: str
    value: str
    source: str


@dataclass(frozen=True)
class FilledView:
    """A key field the neighbour vote filled: the winner, every category's votes and the voters."""

    field: str
    label: str
    value: str
    votes: tuple[tuple[str, int], ...]
    neighbours: tuple[int, ...]
    tied: tuple[str, ...] = ()
    deciding_neighbour: int | None = None
    voters: int = 0
    share: float = 1.0
    uncertain: bool = False
    alternative: str | None = None
    alternative_segment: int | None = None
    segment: int | None = None

    @property
    def sentence(self) -> str:
        votes = ", ".join(f"{label} {i18n.number(count)}" for label, count in self.votes)
        count = self.voters or len(self.neighbours)
        if count > len(self.neighbours):
            voted = _("The {count} training clients most similar on the fields given (the {nearest} nearest and "
                      "every one as near as the {nearest}th) voted {votes}").format(
                count=i18n.number(count), nearest=len(self.neighbours), votes=votes)
        else:
            voted = _("The {count} most similar training clients voted {votes}").format(count=count, votes=votes)
        if self.tied:
            return _("{field} was not known. {voted}: no majority.").format(field=self.label, voted=voted)
        return _("{field} was not known. {voted}; the majority's choice, {value}, was used.").format(
            field=self.label, voted=voted, value=_quoted(self.value))

    @property
    def uncertainty_sentence(self) -> str:
        """How close the vote was, when it was (under 60%): the share and the segment the other way; else ''."""
        if not self.uncertain:
            return ""
        share = i18n.percent(self.share)
        if self.alternative is None or self.alternative_segment is None:
            return _("Uncertain: only {share} of the votes went to {value}.").format(share=share,
                                                                                   value=_quoted(self.value))
        if self.alternative_segment == self.segment:
            return _("Uncertain: only {share} of the votes went to {value}; with {alternative} the segment would be "
                     "the same.").format(share=share, value=_quoted(self.value),
                                         alternative=_quoted(self.alternative))
        return _("Uncertain: only {share} of the votes went to {value}; with {alternative} the client would be in "
                 "segment {segment}. Treat the segment as a coin flip between the two.").format(
            share=share, value=_quoted(self.value), alternative=_quoted(self.alternative),
            segment=self.alternative_segment)

    @property
    def tie_sentence(self) -> str:
        """How a tie was broken, or '' when the vote had a majority."""
        if not self.tied:
            return ""
        between = _(" and ").join(_quoted(t) for t in self.tied)
        return ngettext(
            "A tie between {between} ({count} votes each): it went to {value}, the {field} of the nearest of the "
            "tied clients (client {client}). Another equally near client could have tipped it, so treat the "
            "segment as uncertain.",
            "A tie between {between} ({count} votes each): it went to {value}, the {field} of the nearest of the "
            "tied clients (client {client}). Another equally near client could have tipped it, so treat the "
            "segment as uncertain.", self.votes[0][1]).format(
            between=between, count=self.votes[0][1], value=_quoted(self.value), field=self.label.lower(),
            client=i18n.number(self.deciding_neighbour))


def _quoted(label: str) -> str:
    """A label quoted in a sentence: ``'Administrative'`` in English, «Administrative» in Russian."""
    return _("'{label}'").format(label=label)


@dataclass(frozen=True)
class ResultView:
    """A scored client, ready to show (see :func:`result_view`)."""

    segment: int
    name: str
    description: str
    products: tuple[str, ...]
    colour: str
    clients: int
    share: float
    values: tuple[ShownValue, ...]
    filled: tuple[FilledView, ...]
    decision_path: tuple[int, ...]


def result_view(result: scorer.ScoreResult, client: scorer.Client, profiles: Mapping,
                segments: Mapping[int, catalogue.Segment]) -> ResultView:
    """A scored client with its segment's profile and the values the tree saw, for the page.

    Parameters
    ----------
    result : ScoreResult
        From :func:`dashapp.scoring.scorer.score_client`.
    client : Client
        The validated input.
    profiles : mapping
        The store's ``profiles`` (per-segment ``clients`` and ``share``). Subscription rates are not part of
        the view: the page takes them, with their periods, from :mod:`dashapp.views.rates` as every page does.
    segments : mapping
        The store's segments (:func:`dashapp.core.catalogue.segments`), by number.

    Returns
    -------
    ResultView
    """
    info = segments[result.segment]
    profile = next(p for p in profiles["segments"] if int(p["segment"]) == result.segment)
    filled = {f.field: f for f in result.filled}
    values = []
    for field in FIELD_LABELS:
        if field in filled:
            value = result.key_fields[field]
            source = (_("filled by a tied vote of the most similar clients (see below)") if filled[field].tied
                      else _("filled by the vote of the most similar clients"))
        elif field == "age":
            value = _("Unknown") if client.age is None else str(client.age)
            source = _("left out of the comparison") if client.age is None else _("given")
        else:
            value = getattr(client, field)
            if value is None:
                value, source = "", _("not given: left out of the comparison")
            else:
                source = _("given") if value != domain.UNKNOWN else _("compared as a category of its own")
        shown = value if field == "age" else (_("Not given") if value == "" else value_label(field, value))
        values.append(ShownValue(field, field_label(field), shown, source))
    filled_views = tuple(
        FilledView(f.field, field_label(f.field), value_label(f.field, f.value),
                   tuple((value_label(f.field, category), count) for category, count in f.votes), f.neighbours,
                   tuple(value_label(f.field, category) for category in f.tied), f.deciding_neighbour,
                   f.voters or len(f.neighbours), f.share, f.uncertain,
                   None if f.alternative is None else value_label(f.field, f.alternative), f.alternative_segment,
                   result.segment)
        for f in result.filled)
    return ResultView(
        segment=result.segment, name=info.name, description=info.description, products=info.products,
        colour=info.colour, clients=int(profile["clients"]), share=float(profile["share"]),
        values=tuple(values), filled=filled_views, decision_path=tuple(result.decision_path))


def neighbour_table(clients: pd.DataFrame, neighbours: Sequence[int]) -> tuple[list[str], list[list[str]]]:
    """The voters' client fields, nearest first: column labels and rows of text.

    Parameters
    ----------
    clients : DataFrame
        The store's clients, indexed by client id (the data file's 0-based row number).
    neighbours : sequence of int
        :attr:`dashapp.scoring.scorer.FilledField.neighbours`.
    """
    fields = list(FIELD_LABELS)
    rows = clients.loc[list(neighbours), fields]
    header = [_("Client")] + [field_label(f) for f in fields]
    body = [[i18n.number(client_id)] + [str(row["age"]) if f == "age" else value_label(f, row[f]) for f in fields]
            for client_id, row in rows.iterrows()]
    return header, body


# --- A file of clients -----------------------------------------------------------------------------------


def decode_upload(contents: str) -> bytes:
    """The bytes of a file as the browser's upload sends it (``data:<type>;base64,<data>``).

    Raises
    ------
    ClientFileError
        If the contents are not a base64 data URL.
    """
    # Only text ever arrives from the upload widget; anything else is a crafted request, answered the same way.
    header, separator, data = (contents if isinstance(contents, str) else "").partition(",")
    if not separator or not header.startswith("data:") or not header.endswith(";base64"):
        raise ClientFileError(_("The upload did not arrive as a file; please choose the file again"))
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ClientFileError(_("The upload arrived damaged; please choose the file again")) from error


def read_upload(contents: str, filename: str | None, sheet: str | None = None) -> tuple[ClientFile, str]:
    """Decode and read an uploaded file of clients, CSV or an .xlsx workbook (its first sheet, or ``sheet``);
    also return how messages name it.

    Raises
    ------
    ClientFileError
        If the file is too large, empty, binary, not a file of clients, or has no such sheet.
    """
    name = client_files.file_name(filename) if filename else _("The file")
    return client_workbooks.read_client_file(decode_upload(contents), name=name, sheet=sheet), name


def upload_sheets(contents: str) -> list[str]:
    """The sheets of an uploaded workbook (none for anything else): what the chooser offers when the sheet read
    could not be scored."""
    try:
        return list(client_workbooks.sheet_names(decode_upload(contents)))
    except ClientFileError:
        return []


def sheet_choice(file: ClientFile) -> tuple[list[str], str | None]:
    """The sheets a chooser offers for an uploaded file, and the one read: none for a CSV file or a workbook of
    one sheet (nothing to choose)."""
    written = file.dialect
    if isinstance(written, client_workbooks.WorkbookSheet) and len(written.sheets) > 1:
        return list(written.sheets), written.sheet
    return [], None


def upload_limit_text() -> str:
    """The upload limits as the page states them: ``50 MB, 200,000 rows and 500 columns``."""
    return _("{megabytes} MB, {rows} rows and {columns} columns").format(
        megabytes=i18n.number(client_files.MAX_UPLOAD_BYTES / _MIB), rows=i18n.number(client_files.MAX_UPLOAD_ROWS),
        columns=i18n.number(client_files.MAX_UPLOAD_COLUMNS))


@dataclass(frozen=True)
class UploadView:
    """An uploaded file, scored: the counts, how it was read, a preview and the refused rows (see
    :func:`upload_view`)."""

    name: str
    rows: int
    scored: int
    refused: int
    columns: int
    added_columns: tuple[str, ...]
    read_as: str
    normalised: tuple[str, ...]
    segments: tuple[tuple[int, str, str, int], ...]  # number, name, colour, clients
    preview_columns: tuple[str, ...]
    preview: tuple[tuple[str, ...], ...]  # status and segment ('' when not scored) first
    refusals: tuple[tuple[str, str, str], ...]  # reason, rows, first rows (REFUSALS_HEADER)
    refusals_note: str  # what the list leaves out, and where every row's reason is


def normalised_summary(normalised: Sequence[scorer.Normalised] | dict, limit: int = 12) -> list[str]:
    """Lines such as ``housing: 'Yes' read as 'yes' (3 rows)`` for the values read leniently, most rows first."""
    items = (sorted(normalised.items(), key=lambda item: -item[1]) if isinstance(normalised, dict) else
             sorted((((n.column, n.written, n.read_as), n.rows) for n in normalised), key=lambda item: -item[1]))
    lines = [ngettext("{column}: {written} read as {read_as} ({count} row)",
                      "{column}: {written} read as {read_as} ({count} rows)", count).format(
        column=column, written=repr(written), read_as=repr(read_as), count=i18n.number(count))
             for (column, written, read_as), count in items[:limit]]
    if len(items) > limit:
        more = len(items) - limit
        lines.append(ngettext("... and {count} more value", "... and {count} more values", more).format(
            count=i18n.number(more)))
    return lines


def _preview_cell(field: str, cell: object) -> str:
    """A field's cell as the preview shows it: the readable label of the value it was read as."""
    text = "" if cell is None or (isinstance(cell, float) and math.isnan(cell)) else str(cell)
    if field == "age":
        return text.strip() or _("Unknown")
    category = scorer.read_category(field, text)
    return text if category is None else value_label(field, category)


def _refusal_row(refusal: scorer.Refusal) -> tuple[str, str, str]:
    rows = ", ".join(i18n.number(row) for row in refusal.first_rows)
    return refusal.reason, i18n.number(refusal.rows), rows + (", ..." if refusal.rows > len(refusal.first_rows) else "")


def _refusals_note(result: scorer.TableScore, listed: int) -> str:
    if not result.refused_count:
        return ""
    more = result.problems - listed
    note = (ngettext("... and {count} more distinct problem. ", "... and {count} more distinct problems. ",
                     more).format(count=i18n.number(more)) if more > 0 else "")
    several = _("A row with several problems is counted under each. ") if result.problems > 1 else ""
    return note + several + _("The scored file's status column says, for every row, why it was not scored.")


def upload_view(name: str, file: ClientFile, result: scorer.TableScore, segments: Mapping[int, catalogue.Segment],
                preview_rows: int = PREVIEW_ROWS, refusals_listed: int = REFUSALS_LISTED) -> UploadView:
    """Summarise a scored file for the page.

    Parameters
    ----------
    name : str
        How the page names the file.
    file : ClientFile
        The file as read (its dialect).
    result : TableScore
        From :func:`dashapp.scoring.scorer.score_table` on the whole file.
    segments : mapping
        The store's segments (:func:`dashapp.core.catalogue.segments`), by number.
    preview_rows, refusals_listed : int
        Rows in the preview (scored or not); distinct reasons for refusing rows listed, the most rows first,
        each with its row count and its first rows.

    Returns
    -------
    UploadView
        The preview holds the status, the segment, the row number, the client fields the file has (readable
        labels) and the vote.
    """
    table = result.table
    n_added = len(scorer.OUTPUT_COLUMNS)
    status, segment, _name, filled = (table.iloc[:, -n_added + i] for i in range(n_added))
    head = table.head(preview_rows)
    fields_present = [f for f in FIELD_LABELS if f in result.columns]
    preview = []
    for position in range(len(head)):
        scored = status.iat[position] == scorer.SCORED
        preview.append((
            _("scored") if scored else _("not scored"),
            str(segment.iat[position]) if scored else "",
            # read_client_csv numbers rows from 0, so the spreadsheet row is the position plus the header's row.
            i18n.number(position + scorer.FIRST_DATA_ROW),
            *(_preview_cell(f, head[result.columns[f]].iat[position]) for f in fields_present),
            filled.iat[position],
        ))
    headers = [_("column {header} read as {field}").format(header=repr(header), field=field)
               for field, header in result.columns.items() if header != field]
    counts = scorer.segment_counts(result, segments)
    return UploadView(
        name=name, rows=len(table), scored=result.scored_count, refused=result.refused_count,
        columns=len(table.columns) - n_added, added_columns=tuple(str(c) for c in table.columns[-n_added:]),
        read_as=client_files.describe_dialect(file.dialect),
        normalised=tuple(headers + normalised_summary(result.normalised)),
        segments=tuple((n, s.name, s.colour, counts[n]) for n, s in segments.items()),
        preview_columns=(_(STATUS_LABEL), _(SEGMENT_LABEL), _(ROW_LABEL), *(field_label(f) for f in fields_present),
                         _(FILLED_LABEL)),
        preview=tuple(preview),
        refusals=tuple(_refusal_row(r) for r in result.refusals[:refusals_listed]),
        refusals_note=_refusals_note(result, min(refusals_listed, len(result.refusals))))


def scored_filename(filename: str | None, file: ClientFile | None = None) -> str:
    """The download's name: ``clients.csv`` -> ``clients-scored.csv``; a workbook's ``...-scored.xlsx``."""
    return client_workbooks.scored_filename(filename, None if file is None else file.dialect)


def scored_file_bytes(file: ClientFile, result: scorer.TableScore) -> bytes:
    """The download: every row and column of the upload plus scoring's, written as the upload was (a CSV file's
    encoding, byte-order mark, delimiter, line ending and quoting; a workbook's sheet, numbers as numbers),
    cells a spreadsheet would run as formulas neutralised."""
    return client_workbooks.scored_file_bytes(result.table, file.dialect)
