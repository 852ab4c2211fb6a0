"""Files of clients as Excel workbooks (.xlsx), and the entry points that take a file of clients in either format.

A workbook is read with pandas' documented engine for .xlsx, openpyxl (``pd.ExcelFile`` / ``pd.read_excel``):
one sheet (the first, or a named one), every cell with its type as the spreadsheet stored it (a number stays a
number, a date a date, text text, even "0012"), a formula as the value the spreadsheet last computed. The scored
file is a workbook again: that sheet's rows and columns in order, values as they were, scoring's columns added
(see :func:`dashapp.scoring.scorer.score_table`), text a spreadsheet would run as a formula neutralised as the CSV path
does (:func:`dashapp.scoring.client_files.neutralise_cell`). The file's format is told by its first bytes, not its name:
:func:`read_client_file`, :func:`scored_file_bytes` and :func:`score_client_file` choose between this module and
:mod:`dashapp.scoring.client_files`.

Limits (the upload's :data:`~dashapp.scoring.client_files.MAX_UPLOAD_BYTES`, rows and columns) are checked before any
scoring: the columns on the header row, read alone first; the rows by reading at most one more than the limit.
A workbook's sheet is packed; unpacked it may be far larger, so a sheet that unpacks to more than
:data:`~dashapp.scoring.workbook_limits.MAX_UNPACKED_SHEET_BYTES` is refused before it is parsed, as are shared
strings, sheets too wide and zips of too many parts (:mod:`dashapp.scoring.workbook_limits`).
"""

from __future__ import annotations

import datetime
import io
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from tqdm import tqdm

from dashapp.core import i18n
from dashapp.core.i18n import N_, _
from dashapp.scoring import client_files, score_jobs, scorer, workbook_limits
from dashapp.scoring.client_files import (MAX_UPLOAD_BYTES, MAX_UPLOAD_COLUMNS, MAX_UPLOAD_ROWS, ClientFile,
                                          ClientFileError, checked_field_columns, neutralise_cell)
from dashapp.scoring.client_streams import StreamSummary
from dashapp.sources.csv_dialect import Dialect

logger = logging.getLogger(__name__)

XLSX_SUFFIX = ".xlsx"
#: A zip archive (every .xlsx is one) and an OLE2 compound file (an Excel 97-2003 .xls, or an .xlsx that a
#: password encrypted: Excel wraps those in OLE2).
_ZIP, _OLE2 = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_ODS_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"
#: How many rows the header is looked for in (rows above it that are wholly empty are skipped).
HEADER_SEARCH_ROWS = 50
_SAVE_AS = N_("save it as an Excel workbook (.xlsx) or as CSV and try again")


@dataclass(frozen=True)
class WorkbookSheet:
    """Which sheet of an .xlsx workbook a file of clients was read from; the scored workbook's one sheet is
    named after it. Takes the place of a CSV file's :class:`~dashapp.sources.csv_dialect.Dialect`."""

    sheet: str
    sheets: tuple[str, ...]

    def describe(self) -> str:
        """``an Excel workbook, sheet 'Clients' (1 of 3)`` as the page says it."""
        if len(self.sheets) > 1:
            return _("an Excel workbook, sheet '{sheet}' ({number} of {count})").format(
                sheet=self.sheet, number=self.sheets.index(self.sheet) + 1, count=len(self.sheets))
        return _("an Excel workbook, sheet '{sheet}'").format(sheet=self.sheet)


def is_workbook(head: bytes) -> bool:
    """Whether a file's first bytes are those of a workbook (a zip archive or an OLE2 file), not of text."""
    return head.startswith((_ZIP, _OLE2))


# --- Reading ----------------------------------------------------------------------------------------------


def _opened(content: bytes, name: str, max_columns: int | None = MAX_UPLOAD_COLUMNS) -> pd.ExcelFile:
    """The workbook, opened by openpyxl through pandas; a clear message for what is not an .xlsx workbook."""
    if content.startswith(_OLE2):
        if _ENCRYPTED_STREAM in content:
            raise ClientFileError(_("{name} is a password-protected workbook, which cannot be read; remove the "
                                    "password (in Excel: File > Info > Protect Workbook > Encrypt with Password) "
                                    "and try again").format(name=name))
        raise ClientFileError(_("{name} is an Excel 97-2003 workbook (.xls), an old format that is not read here; "
                                "{advice}").format(name=name, advice=_(_SAVE_AS)))
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = {info.filename: info.file_size for info in archive.infolist()}
    except (zipfile.BadZipFile, ValueError) as error:
        raise ClientFileError(_("{name} is a damaged workbook or zip archive ({error}); {advice}").format(
            name=name, error=error, advice=_(_SAVE_AS))) from error
    if "xl/workbook.xml" not in parts:
        kind = (_("an OpenDocument spreadsheet (.ods)") if content[30:30 + len(_ODS_MIMETYPE)] == _ODS_MIMETYPE
                else _("a zip archive, not an Excel workbook"))
        raise ClientFileError(_("{name} is {kind}; {advice}").format(name=name, kind=kind, advice=_(_SAVE_AS)))
    workbook_limits.check_unpacked(content, parts, name, max_columns)
    try:
        return pd.ExcelFile(io.BytesIO(content), engine="openpyxl")
    except Exception as error:  # openpyxl raises many kinds for a damaged part (KeyError, XML errors, ...)
        raise ClientFileError(_("{name} is a damaged workbook ({error}); {advice}").format(
            name=name, error=f"{type(error).__name__}: {str(error)[:200]}", advice=_(_SAVE_AS))) from error


def _sheet_name(book: pd.ExcelFile, sheet: object, name: str) -> str:
    """The sheet to read: the first when ``sheet`` is None, else the one of that name (in any case)."""
    names = [str(n) for n in book.sheet_names]
    if not names:
        raise ClientFileError(_("{name} has no sheets").format(name=name))
    if sheet is None:
        return names[0]
    if not isinstance(sheet, str):
        raise ClientFileError(_("No sheet was chosen for {name}; choose the sheet again").format(name=name))
    if sheet in names:
        return sheet
    same = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
    if len(same) == 1:
        return same[0]
    listed = ", ".join(repr(n) for n in names[:20]) + (", ..." if len(names) > 20 else "")
    raise ClientFileError(_("{name} has no sheet {sheet}; its sheets are {sheets}").format(
        name=name, sheet=scorer.shown(sheet), sheets=listed))


def _cells(book: pd.ExcelFile, sheet: str, **kwargs) -> pd.DataFrame:
    """A sheet's cells as stored (no header, no type guessing, no missing-value words): an empty cell is ''."""
    return pd.read_excel(book, sheet_name=sheet, header=None, dtype=object, na_filter=False, **kwargs)


def _header_row(head: pd.DataFrame, name: str, sheet: str) -> int:
    filled = (head != "").any(axis=1).to_numpy()
    if not filled.any():
        if len(head) >= HEADER_SEARCH_ROWS:
            raise ClientFileError(_("Sheet '{sheet}' of {name} is empty: it has no header row in its first {count} "
                                    "rows").format(sheet=sheet, name=name, count=HEADER_SEARCH_ROWS))
        raise ClientFileError(_("Sheet '{sheet}' of {name} is empty: it has no header row at all").format(
            sheet=sheet, name=name))
    return int(filled.argmax())


def read_client_workbook(content: bytes, name: str | None = None, sheet: str | None = None,
                         max_bytes: int | None = MAX_UPLOAD_BYTES, max_columns: int | None = MAX_UPLOAD_COLUMNS,
                         max_rows: int | None = MAX_UPLOAD_ROWS) -> ClientFile:
    """Read one sheet of an .xlsx workbook of clients.

    Parameters
    ----------
    content : bytes
        The workbook.
    name : str
        How messages name the file.
    sheet : str, optional
        The sheet's name (matched exactly, else ignoring case); default the first sheet.
    max_bytes, max_columns, max_rows : int or None
        Larger files are refused (None: no limit), as :func:`dashapp.scoring.client_files.read_client_csv` does: the
        size before anything is read, the columns on the header row, the rows before any scoring.

    Returns
    -------
    ClientFile
        ``table``: the rows under the header row (the first row with a cell in it), every cell as stored (int,
        float, bool, datetime, text; an empty cell ''), the header's cells as its columns; ``dialect``: a
        :class:`WorkbookSheet`; ``columns``: the fields' columns.

    Raises
    ------
    ClientFileError
        If the file is too large, empty, not an .xlsx workbook (an .xls, an encrypted workbook, a damaged file),
        has no such sheet, the sheet is empty, lacks a key column or has no client rows.
    """
    name = name or _("The file")
    client_files.check_size(content, max_bytes, name)
    with _opened(content, name, max_columns) as book:
        sheet_name = _sheet_name(book, sheet, name)
        where = WorkbookSheet(sheet_name, tuple(str(n) for n in book.sheet_names))
        # The first rows alone first, so that the header's columns are counted before the rows are parsed.
        head = _cells(book, sheet_name, nrows=HEADER_SEARCH_ROWS)
        header_at = _header_row(head, name, sheet_name)
        checked_field_columns(list(head.iloc[header_at]), name, where.describe(), max_columns)
        limit = None if max_rows is None else header_at + max_rows + 2  # one row more than the limit
        cells = _cells(book, sheet_name, nrows=limit).iloc[header_at:]
    # Rows below may be wider than those above: the columns are counted again on the whole sheet.
    headers = list(cells.iloc[0])
    columns = checked_field_columns(headers, name, where.describe(), max_columns)
    client_files.check_rows(len(cells) - 1, max_rows, name)
    table = cells.iloc[1:].reset_index(drop=True)
    table.columns = headers
    return ClientFile(table, where, columns)


def sheet_names(content: bytes) -> tuple[str, ...]:
    """The sheets of a workbook, in order; none when ``content`` is not a readable .xlsx workbook (so that a
    page can offer the other sheets when the first is not a table of clients)."""
    if not is_workbook(content[:8]):
        return ()
    try:
        with _opened(content, _("The file")) as book:
            return tuple(str(name) for name in book.sheet_names)
    except ClientFileError:
        return ()


# --- Writing ----------------------------------------------------------------------------------------------


def _excel_cell(value: object) -> object:
    """A cell as the workbook writer takes it: '' empty, a date at midnight a date, formulas neutralised."""
    if isinstance(value, str):
        if not value:
            return None
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", neutralise_cell(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time() and value.tzinfo is None:
        return value.date()
    return value


def excel_ready(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` as a workbook should hold it: text that a spreadsheet would run as a formula neutralised (in
    the headers too), empty text as empty cells, dates at midnight as dates; numbers, booleans and missing
    values (pandas' NA) as they are."""
    columns = {}
    for i in range(table.shape[1]):
        column = table.iloc[:, i]
        text_or_objects = pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)
        columns[i] = (pd.Series([_excel_cell(v) for v in column.tolist()], index=table.index, dtype=object)
                      if text_or_objects else column)
    ready = pd.DataFrame(columns, index=table.index)
    ready.columns = [_excel_cell(c) if isinstance(c, str) else c for c in table.columns]
    return ready


def workbook_bytes(table: pd.DataFrame, sheet: str) -> bytes:
    """A table as an .xlsx workbook of one sheet (openpyxl through pandas), cells as :func:`excel_ready` makes
    them; dates written as ``YYYY-MM-DD``, dates with a time as ``YYYY-MM-DD HH:MM:SS``.

    Raises
    ------
    ClientFileError
        If the table does not fit a sheet (1,048,576 rows, 16,384 columns).
    """
    rows, columns = table.shape
    if rows + 1 > 1_048_576 or columns > 16_384:
        raise ClientFileError(_("The scored table ({rows} rows, {columns} columns with the header) does not fit an "
                                "Excel sheet ({most_rows} rows, {most_columns} columns); score it as CSV").format(
            rows=i18n.number(rows), columns=i18n.number(columns), most_rows=i18n.number(1_048_576),
            most_columns=i18n.number(16_384)))
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl", date_format="YYYY-MM-DD",
                        datetime_format="YYYY-MM-DD HH:MM:SS") as writer:
        excel_ready(table).to_excel(writer, sheet_name=sheet, index=False)
    return buffer.getvalue()


# --- Either format ------------------------------------------------------------------------------------------


def read_client_file(content: bytes, name: str | None = None, sheet: str | None = None, **limits) -> ClientFile:
    """A file of clients in either format, told by its first bytes: an .xlsx workbook
    (:func:`read_client_workbook`, one sheet) or a CSV file (:func:`dashapp.scoring.client_files.read_client_csv`).

    Parameters
    ----------
    content : bytes
    name : str
        How messages name the file.
    sheet : str, optional
        A workbook's sheet (default its first); for a CSV file it must be None.
    **limits
        ``max_bytes``, ``max_columns``, ``max_rows`` (default the upload's limits).

    Raises
    ------
    ClientFileError
        As the two readers do; and for a sheet named for a CSV file.
    """
    name = name or _("The file")
    if is_workbook(content[:8]):
        return read_client_workbook(content, name, sheet, **limits)
    if sheet is not None:
        raise ClientFileError(_("{name} is read as a CSV file, which has no sheets; a sheet can be chosen only in "
                                "an Excel workbook (.xlsx)").format(name=name))
    return client_files.read_client_csv(content, name=name, **limits)


def scored_file_bytes(table: pd.DataFrame, written: Dialect | WorkbookSheet) -> bytes:
    """A scored table written as its input was: a workbook of the sheet it came from, or CSV in its dialect."""
    if isinstance(written, WorkbookSheet):
        return workbook_bytes(table, written.sheet)
    return client_files.client_csv_bytes(table, written)


def scored_filename(filename: str | None, written: Dialect | WorkbookSheet | None = None) -> str:
    """The scored file's name: ``clients.csv`` -> ``clients-scored.csv``, a workbook's -> ``...-scored.xlsx``."""
    stem = PurePath(filename or "clients").stem or "clients"
    return f"{stem}-scored{XLSX_SUFFIX if isinstance(written, WorkbookSheet) else '.csv'}"


def score_workbook_file(source: Path, target: Path, model: scorer.ScoringModel, sheet: str | None = None,
                        chunk_rows: int = 50_000, progress: bool = False) -> StreamSummary:
    """Score one sheet of a workbook of any length into a new workbook (what ``scripts/score.py`` does).

    A workbook is read whole (a sheet holds at most 1,048,576 rows), then scored in chunks of ``chunk_rows``
    with a progress bar of the rows; the scored workbook is written beside ``target`` and renamed onto it, so a
    failure leaves no half file.

    Returns
    -------
    StreamSummary
        As :func:`dashapp.scoring.client_files.score_csv_stream` gives it; ``dialect`` is the :class:`WorkbookSheet`.
    """
    source, target = Path(source), Path(target)
    # No limit on the size or the rows, but on the width: openpyxl pads every row to the widest (see
    # _widest_column); a table of clients this wide is better read as CSV, which the command line streams.
    file = read_client_workbook(source.read_bytes(), client_files.file_name(source.name), sheet, max_bytes=None,
                                max_columns=MAX_UPLOAD_COLUMNS, max_rows=None)
    with tqdm(total=len(file.table), desc="scoring", unit="rows", disable=not progress) as bar:
        result = score_jobs.score_table_in_chunks(file.table, model, chunk_rows,
                                                  lambda done, _total: bar.update(done - bar.n))
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_bytes(workbook_bytes(result.table, file.dialect.sheet))
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    normalised = {(n.column, n.written, n.read_as): n.rows for n in result.normalised}
    logger.debug("scored %d of %d rows of %s", result.scored_count, len(result.table), source)
    return StreamSummary(len(result.table), result.scored_count, result.refused_count,
                         scorer.segment_counts(result, model.segment_names), file.dialect, normalised)


def score_client_file(source: Path, target: Path, model: scorer.ScoringModel, sheet: str | None = None,
                      chunk_rows: int = 50_000, progress: bool = False) -> StreamSummary:
    """Score a file of clients of any size in either format into ``target``, written as the input is: a sheet
    of a workbook (:func:`score_workbook_file`) or a CSV file (:func:`dashapp.scoring.client_files.score_csv_stream`).

    Raises
    ------
    ClientFileError
        As the two do; and for a sheet named for a CSV file.
    """
    with Path(source).open("rb") as handle:
        head = handle.read(8)
    if is_workbook(head):
        return score_workbook_file(source, target, model, sheet, chunk_rows, progress)
    if sheet is not None:
        raise ClientFileError(_("{name} is read as a CSV file, which has no sheets; --sheet is for an Excel "
                                "workbook (.xlsx)").format(name=client_files.file_name(Path(source).name)))
    return client_files.score_csv_stream(source, target, model, chunk_rows, progress)
