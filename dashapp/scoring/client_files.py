"""Files of clients: read them as a spreadsheet user wrote them, and write the scored file back the same way.

Reading finds how the file is written (its :class:`~dashapp.sources.csv_dialect.Dialect`: encoding, byte-order mark,
delimiter, line ending, quoting; see :mod:`dashapp.sources.csv_dialect`) and which columns hold the client fields;
writing uses the same dialect, keeps every row and column of the input as it was and adds scoring's columns
(see :func:`dashapp.scoring.scorer.score_table`). Cells a spreadsheet would run as a formula are neutralised in the
output, numbers in either decimal convention never are. :func:`score_csv_stream` does the same for a file of
any size, in chunks, with :func:`dashapp.scoring.client_streams.score_chunk`, the step the Parquet
(:mod:`dashapp.scoring.client_parquet`) and Dask (:mod:`dashapp.scoring.dask_scoring`) paths take too. It is longer than
most modules because reading, writing and streaming a CSV share the dialect and the cell rules, and belong side by
side.

Why not defusedcsv (measured on the full UCI file, under load on the 2-core machine): defusedcsv 3.0
neutralises as we do (it keeps "-1,8" and "1.234,5") but writes through Python's csv module: 7.1 s for the
41,188 rows against about 1 s for the Arrow writer here, and it cannot quote text cells the way the UCI file
does while leaving numbers bare.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from pathlib import Path
from typing import IO, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm

from dashapp.core import fields, i18n
from dashapp.core.i18n import N_, _
from dashapp.scoring import scorer
from dashapp.scoring.client_streams import StreamSummary, StreamTally, score_chunk
from dashapp.scoring.text_cells import text_cells
from dashapp.sources.csv_dialect import (SAMPLE_BYTES, SINGLE_BYTE_ENCODINGS, UTF8_BOM, Dialect, detect_encoding,
                                         file_encoding, sniff_dialect)

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
#: Columns and rows an upload may have. A bank's export has tens of columns (the UCI file: 21) and, at
#: about 250 bytes a row, the 50 MB limit holds some 200,000 of its rows: the row limit meets the size limit
#: there, and cuts off the narrow files (three short columns) that would otherwise hold millions. Within
#: these, the largest upload's work is bounded (benchmarks/bench_scoring.py; docs/scoring.md gives the figures).
#: The command line (scripts/score.py) streams a file of any length in chunks and caps neither.
MAX_UPLOAD_COLUMNS = 500
MAX_UPLOAD_ROWS = 200_000
_BINARY_SIGNATURES = {b"PK\x03\x04": N_("an Excel workbook or a zip archive"),
                      b"\xd0\xcf\x11\xe0": N_("an Excel 97 workbook"), b"%PDF": N_("a PDF document"),
                      b"\x1f\x8b": "a gzip archive"}
_SAVE_AS = N_("save it as CSV (UTF-8, Windows-1251 or Windows-1252) and try again")

#: A cell a spreadsheet would run as a formula starts with one of these ...
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: ... unless it is a number, in either decimal convention and with thousands separators: -1.8, -1,8,
#: 1.234,5, 1,234.5, 1 234,5, 12%, 1e5.
_NUMBER = (r"[+-]?(?:\d{1,3}(?:[ ,.'" "\u00a0\u202f" r"]\d{3})+(?:[.,]\d*)?|\d+(?:[.,]\d*)?|[.,]\d+)"
           r"(?:[eE][+-]?\d+)?%?")
NUMBER_PATTERN = re.compile(_NUMBER)


class ClientFileError(ValueError):
    """A file of clients cannot be read; the message says why and what to do (in the current language)."""


def file_name(filename: object) -> str:
    """How messages name a file: ``'clients.csv'`` (Файл «clients.csv» in Russian)."""
    return _("'{name}'").format(name=filename)


def describe_dialect(dialect) -> str:
    """How a file was read, as the page and the command line say it, in the current language: a CSV file's
    ``UTF-8 with a byte-order mark, ';'-separated`` (:meth:`Dialect.describe`'s words, which the build module
    keeps in English), a workbook's sheet, a Parquet file."""
    if not isinstance(dialect, Dialect):
        return dialect.describe()
    encoding = _(SINGLE_BYTE_ENCODINGS.get(dialect.encoding, "UTF-8"))
    if dialect.bom:
        encoding = _("{encoding} with a byte-order mark").format(encoding=encoding)
    if dialect.delimiter == "\t":
        return _("{encoding}, tab-separated").format(encoding=encoding)
    return _("{encoding}, {delimiter}-separated").format(encoding=encoding, delimiter=repr(dialect.delimiter))


#: :data:`dashapp.sources.csv_dialect.SINGLE_BYTE_ENCODINGS`' names, marked for the catalogue (the build module's are
#: not).
_ENCODING_NAMES = (N_("Windows-1251 (Cyrillic)"), N_("Windows-1252 (Western European)"), N_("Latin-1 (ISO 8859-1)"))


class ClientFile(NamedTuple):
    """A file of clients as read: every cell as text, how it was written, and which column holds which field."""

    table: pd.DataFrame
    dialect: Dialect
    columns: dict[str, object]


# --- Reading --------------------------------------------------------------------------------------------------


def _check_head(head: bytes, name: str) -> None:
    for signature, kind in _BINARY_SIGNATURES.items():
        if head.startswith(signature):
            raise ClientFileError(_("{name} looks like {kind}, not a CSV file; {advice}").format(
                name=name, kind=_(kind), advice=_(_SAVE_AS)))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ClientFileError(_("{name} is UTF-16 text; {advice}").format(name=name, advice=_(_SAVE_AS)))
    if b"\x00" in head:
        raise ClientFileError(_("{name} is a binary file, not a CSV file; {advice}").format(name=name,
                                                                                           advice=_(_SAVE_AS)))


def _first_line(text: str) -> str:
    end = text.find("\n")
    return text if end < 0 else text[:end + 1]


def _header(text: str, name: str, encoding: str, bom: bool, max_columns: int | None = None
            ) -> tuple[list[str], Dialect, dict[str, object]]:
    """The header's cells as written, the dialect, and which column holds which field (see
    :func:`checked_field_columns`)."""
    first_line = _first_line(text.lstrip("\r\n"))
    dialect = sniff_dialect(first_line, encoding, bom)
    # Read the header ourselves: pandas renames a repeated column ('job.1') instead of keeping it.
    headers = next(csv.reader([first_line.rstrip("\r\n")], delimiter=dialect.delimiter))
    return headers, dialect, checked_field_columns(headers, name, describe_dialect(dialect), max_columns)


def checked_field_columns(headers: list, name: str, read_as: str, max_columns: int | None = None
                          ) -> dict[str, object]:
    """Which column holds which field, for a file's header cells; each check one pass over the header.

    Parameters
    ----------
    headers : list
        The header's cells as written.
    name : str
        How messages name the file.
    read_as : str
        How the file was read (``UTF-8, ';'-separated``; ``an Excel workbook, sheet 'Clients'``), for messages.
    max_columns : int, optional
        More columns are refused before anything else.

    Raises
    ------
    ClientFileError
        If there are too many columns, a key field has no column, or a field has more than one.
    """
    if max_columns is not None and len(headers) > max_columns:
        raise ClientFileError(_("{name} has {count} columns (read as {read_as}); the limit is {limit}. Keep the "
                                "columns you need, or score it with scripts/score.py").format(
            name=name, count=i18n.number(len(headers)), read_as=read_as, limit=i18n.number(max_columns)))
    columns, repeated = fields.field_columns(headers)
    missing = [f for f in fields.KEY_FIELDS if f not in columns]
    if missing:
        shown = ", ".join(scorer.shown(h) for h in headers[:12]) + (", ..." if len(headers) > 12 else "")
        raise ClientFileError(_(
            "{name} has no column {missing} (read as {read_as}, its columns are {columns}); a file of clients "
            "needs at least the columns {keys}, in any case (and may have {others} and any others)").format(
            name=name, missing=", ".join(repr(c) for c in missing), read_as=read_as, columns=shown,
            keys=", ".join(fields.KEY_FIELDS),
            others=", ".join(f for f in fields.NAMES if f not in fields.KEY_FIELDS)))
    if repeated:
        raise ClientFileError(_("{name} has more than one column for ").format(name=name) + "; ".join(
            f"{field} ({', '.join(scorer.shown(h) for h in headers[:5])}{', ...' if len(headers) > 5 else ''})"
            for field, headers in repeated.items()))
    return columns


def _arrow_options(headers: list[str], dialect: Dialect, block_size: int | None = None):
    """pyarrow's CSV options for a file of clients: every cell as text exactly as written, never null."""
    import pyarrow.csv as pacsv

    names = [f"column_{i}" for i in range(len(headers))]
    read = pacsv.ReadOptions(column_names=names, skip_rows=1, encoding="utf-8",
                             **({"block_size": block_size} if block_size else {}))
    # Quoted cells may hold line breaks; a cell is never trimmed or turned into a missing value.
    parse = pacsv.ParseOptions(delimiter=dialect.delimiter, newlines_in_values=True)
    convert = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
                                   quoted_strings_can_be_null=False)
    return read, parse, convert


def _frame(batch, headers: list[str]) -> pd.DataFrame:
    """Arrow text columns as a DataFrame with the file's headers (Arrow-backed: no copy into Python strings)."""
    frame = batch.to_pandas(types_mapper={pa.string(): pd.ArrowDtype(pa.string())}.get)
    frame.columns = headers
    return frame


def _malformed(name: str, error: Exception) -> ClientFileError:
    return ClientFileError(_("{name} is not a well-formed CSV file ({error})").format(
        name=name, error=str(error).strip()[:300]))


def check_size(content: bytes, max_bytes: int | None, name: str) -> None:
    """Refuse a file larger than ``max_bytes`` (None: any size) or empty, before anything is read."""
    if max_bytes is not None and len(content) > max_bytes:
        # MB as spreadsheets and file browsers count them (2**20 bytes), so "50 MB" is the limit people see.
        raise ClientFileError(_("{name} is {size} MB; the limit is {limit} MB. Score larger files with "
                                "scripts/score.py, or split the file").format(
            name=name, size=i18n.number(len(content) / 2**20, 1), limit=i18n.number(max_bytes / 2**20)))
    if not content.strip():
        raise ClientFileError(_("{name} is empty").format(name=name))


def check_rows(rows: int, max_rows: int | None, name: str) -> None:
    """Refuse a file with no client rows, or more than ``max_rows`` (None: any number), before any scoring."""
    if rows == 0:
        raise ClientFileError(_("{name} has a header but no client rows").format(name=name))
    if max_rows is not None and rows > max_rows:
        raise ClientFileError(_("{name} has {count} rows of clients; the limit is {limit}. Score larger files with "
                                "scripts/score.py, or split the file").format(
            name=name, count=i18n.number(rows), limit=i18n.number(max_rows)))


def read_client_csv(content: bytes, max_bytes: int = MAX_UPLOAD_BYTES, name: str | None = None,
                    max_columns: int = MAX_UPLOAD_COLUMNS, max_rows: int = MAX_UPLOAD_ROWS) -> ClientFile:
    """Read a file of clients as a spreadsheet wrote it.

    Parameters
    ----------
    content : bytes
        The file.
    max_bytes, max_columns, max_rows : int
        Larger files are refused (default :data:`MAX_UPLOAD_BYTES`, :data:`MAX_UPLOAD_COLUMNS`,
        :data:`MAX_UPLOAD_ROWS`): the size before anything is read, the columns from the header line, the rows
        once parsed, before any scoring.
    name : str
        How messages name the file.

    Returns
    -------
    ClientFile
        Every cell as text exactly as written (headers too), the dialect, and the fields' columns (headers
        matched ignoring case and surrounding spaces).

    Raises
    ------
    ClientFileError
        If the file is too large (bytes, columns or rows), empty, binary, not a well-formed CSV, lacks a key
        column or has no rows.
    """
    name = name or _("The file")
    check_size(content, max_bytes, name)
    _check_head(content[:SAMPLE_BYTES], name)
    import pyarrow.csv as pacsv

    encoding, bom = detect_encoding(content)
    body = content[len(UTF8_BOM) if bom else 0:]
    text = body.decode(encoding)
    headers, dialect, columns = _header(text, name, encoding, bom, max_columns)
    # pyarrow reads UTF-8; a single-byte file is transcoded once (every byte of those encodings decodes).
    data = body if encoding == "utf-8" else text.encode("utf-8")
    try:
        table = pacsv.read_csv(io.BytesIO(data.lstrip(b"\r\n")), *_arrow_options(headers, dialect))
    except pa.ArrowInvalid as error:
        raise _malformed(name, error) from error
    check_rows(table.num_rows, max_rows, name)
    return ClientFile(_frame(table, headers), dialect, columns)


# --- Writing ------------------------------------------------------------------------------------------------


def _is_number(cells: pa.Array) -> pa.Array:
    return pc.match_substring_regex(cells, f"^(?:{_NUMBER})$")


def _neutralised(cells: pa.Array) -> pa.Array:
    """Cells a spreadsheet would run as a formula, prefixed with a quote; numbers and other cells as they are."""
    # Comparing first characters is cheap; the number pattern runs only on columns that have a risky cell.
    risky = pc.is_in(pc.utf8_slice_codeunits(cells, 0, 1), value_set=pa.array(_FORMULA_STARTS))
    if not pc.any(risky).as_py():
        return cells
    return pc.if_else(pc.and_(risky, pc.invert(_is_number(cells))), pc.binary_join_element_wise("'", cells, ""),
                      cells)


def neutralise_cell(value: object) -> object:
    """One cell as :func:`neutralise_formulas` writes it, keeping its type: text a spreadsheet would run as a
    formula gets a leading quote; numbers, dates, text that is a number and anything else stay as they are
    (what the .xlsx writers use, where a number must stay a number)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not NUMBER_PATTERN.fullmatch(value):
        return "'" + value
    return value


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Make cells that a spreadsheet would run as a formula inert (what the download does to every cell).

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single quote
    (the OWASP advice against CSV injection), unless it is a number in either decimal convention (``-1.8``,
    ``-1,8``, ``1.234,5``).

    Parameters
    ----------
    table : DataFrame

    Returns
    -------
    DataFrame
        A copy, every column as text, with the risky cells prefixed.
    """
    return pd.DataFrame({i: _neutralised(text_cells(table.iloc[:, i])).to_pylist()
                         for i in range(table.shape[1])}).set_axis(table.columns, axis=1).set_axis(table.index)


def _quoted(cells: pa.Array, dialect: Dialect) -> pa.Array:
    """Cells as the file writes them: quoted when they hold a delimiter, quote or line break, or when the
    input quoted every text cell and this one is text."""
    special = pc.match_substring_regex(cells, "[" + re.escape(dialect.delimiter + '"\r\n') + "]")
    if dialect.quote_text:
        special = pc.or_(special, pc.and_(pc.invert(_is_number(cells)), pc.not_equal(cells, "")))
    if not pc.any(special).as_py():
        return cells
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(cells, '"', '""'), '"', "")
    return pc.if_else(special, quoted, cells)


def _rendered(columns: list[pa.Array], dialect: Dialect) -> list[pa.Array]:
    """Columns of cells neutralised and quoted. The work is done once per distinct cell of each column (a column
    repeats a few values), on every column's distinct cells at once: each pattern is then compiled once per
    chunk, not once per column (which cost a chunk about 0.1 s whatever its rows)."""
    encoded = [pc.dictionary_encode(cells) for cells in columns]
    rendered = _quoted(_neutralised(pa.concat_arrays([e.dictionary for e in encoded])), dialect)
    starts = np.cumsum([0] + [len(e.dictionary) for e in encoded])
    return [pc.take(rendered.slice(start, len(e.dictionary)), e.indices) for start, e in zip(starts.tolist(), encoded)]


def _csv_parts(table: pd.DataFrame, dialect: Dialect, header: bool) -> list:
    """The bytes of a table written in ``dialect``, as a few buffers (the rows are one Arrow buffer, not one
    Python string per row)."""
    parts: list = []
    if header:
        if dialect.bom:
            parts.append(UTF8_BOM)
        names = _quoted(_neutralised(pa.array([str(c) for c in table.columns], type=pa.string())), dialect)
        parts.append((dialect.delimiter.join(names.to_pylist()) + dialect.line_terminator)
                     .encode(dialect.encoding, errors="replace"))
    if table.shape[1] and len(table):
        columns = _rendered([text_cells(table.iloc[:, i]) for i in range(table.shape[1])], dialect)
        # Arrow joins the cells of a row about ten times faster than Python's csv module writes them; with the
        # line ending on the last cell, the rows' text is the joined array's one data buffer.
        columns[-1] = pc.binary_join_element_wise(columns[-1], dialect.line_terminator, "")
        lines = pc.binary_join_element_wise(*columns, dialect.delimiter)
        _validity, offsets, data = lines.buffers()
        start, end = np.frombuffer(offsets, dtype=np.int32)[[lines.offset, lines.offset + len(lines)]].tolist()
        text = data[start:end]
        parts.append(memoryview(text) if dialect.encoding == "utf-8" else
                     text.to_pybytes().decode("utf-8").encode(dialect.encoding, errors="replace"))
    return parts


def write_client_csv(table: pd.DataFrame, target: IO[bytes], dialect: Dialect, header: bool = True) -> None:
    """Write a table of clients (e.g. :attr:`dashapp.scoring.scorer.TableScore.table`) in the input file's dialect.

    Every cell and header a spreadsheet would run as a formula is neutralised (see :func:`neutralise_formulas`);
    nothing else changes, so a file read by :func:`read_client_csv` and written back holds the same cells.

    Parameters
    ----------
    table : DataFrame
        Cells as text (numbers and missing values are written as text, missing as empty).
    target : binary file
        Written to from its current position, so chunks can follow one another.
    dialect : Dialect
        The input's encoding, BOM, delimiter, line ending and quoting.
    header : bool
        Write the BOM (if any) and the header line: the first chunk only.
    """
    for part in _csv_parts(table, dialect, header):
        target.write(part)


def client_csv_bytes(table: pd.DataFrame, dialect: Dialect, header: bool = True) -> bytes:
    """:func:`write_client_csv` into bytes (the page's download; a Dask worker's part of a file), copied once."""
    return b"".join(_csv_parts(table, dialect, header=header))


# --- Any size, in chunks -------------------------------------------------------------------------------------


#: The most bytes of a CSV file the stream parses at a time (see :func:`score_csv_stream`): the reader's
#: read-ahead holds a few such blocks; each chunk costs a fixed few tens of milliseconds, so not much smaller.
STREAM_BLOCK_BYTES = 8 << 20


def stream_block_bytes(head: bytes, chunk_rows: int, smallest: int = 1 << 16) -> int:
    """Bytes to parse at a time for chunks of about ``chunk_rows`` rows, from the lines of the file's first bytes
    (``head``): at least ``smallest`` (Arrow's reader needs a block to hold a whole row), at most
    :data:`STREAM_BLOCK_BYTES`."""
    line_bytes = max(len(head) // max(head.count(b"\n"), 1), 16)
    return min(max(chunk_rows * line_bytes, smallest), STREAM_BLOCK_BYTES)


def csv_file_header(source: Path) -> tuple[list[str], Dialect, bytes]:
    """How a CSV file of any size is written, from its first bytes: its header's cells, its dialect, and those
    bytes (for the line length). Shared by the stream below and the Dask path, so both read a file alike.

    Raises
    ------
    ClientFileError
        If the file is empty or binary, or its header lacks a key column or repeats a field.
    """
    name = file_name(Path(source).name)
    with Path(source).open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if not head.strip():
        raise ClientFileError(_("{name} is empty").format(name=name))
    _check_head(head, name)
    encoding, bom = file_encoding(Path(source))
    headers, dialect, _columns = _header(head[len(UTF8_BOM) if bom else 0:].decode(encoding, errors="replace"),
                                         name, encoding, bom)
    return headers, dialect, head


def score_csv_stream(source: Path, target: Path, model: scorer.ScoringModel, chunk_rows: int = 50_000,
                     progress: bool = False) -> StreamSummary:
    """Score a CSV file of any size in chunks, in constant memory, into a new file written the same way.

    Parameters
    ----------
    source : Path
        A file of clients (see :func:`read_client_csv`; no size limit).
    target : Path
        The scored file: every row and column of ``source`` plus scoring's columns (written to a temporary
        file beside it, then renamed: a failure leaves no half file).
    model : ScoringModel
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
        If the file is empty, binary, malformed or lacks a key column.
    """
    import pyarrow.csv as pacsv

    if chunk_rows < 1:
        raise ValueError(f"chunk_rows={chunk_rows} must be at least 1")
    source, target = Path(source), Path(target)
    name = file_name(source.name)
    headers, dialect, head = csv_file_header(source)
    encoding, bom = dialect.encoding, dialect.bom
    partial = target.with_name(f".{target.name}.partial")
    tally = StreamTally(model.segment_names)
    # Blocks of about chunk_rows rows, each scored in slices of chunk_rows. The reader keeps several blocks read
    # ahead, so a block is at most STREAM_BLOCK_BYTES: with 20 MB blocks the read-ahead alone held 160 MB, and
    # the 100x file peaked at 958 MB.
    block_size = stream_block_bytes(head, chunk_rows)
    try:
        with source.open("rb") as raw, \
                tqdm(total=source.stat().st_size, desc="scoring", unit="B", unit_scale=True,
                     disable=not progress) as bar, \
                partial.open("wb") as out:
            read, parse, convert = _arrow_options(headers, dialect, block_size)
            if bom:
                raw.seek(len(UTF8_BOM))
            reader = pacsv.open_csv(raw, pacsv.ReadOptions(column_names=read.column_names, skip_rows=1,
                                                           block_size=block_size, encoding=encoding), parse, convert)
            for batch in reader:
                for start in range(0, batch.num_rows, chunk_rows):
                    result = score_chunk(_frame(batch.slice(start, chunk_rows), headers), headers, model,
                                         first_row=scorer.FIRST_DATA_ROW + tally.rows)
                    write_client_csv(result.table, out, dialect, header=tally.rows == 0)
                    tally.add(result)
                # The reader reads ahead, so the file position is the progress to within one block.
                bar.update(raw.tell() - bar.n)
        if tally.rows == 0:
            raise ClientFileError(_("{name} has a header but no client rows").format(name=name))
        partial.replace(target)
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise _malformed(name, error) from error
    finally:
        partial.unlink(missing_ok=True)
    logger.debug("scored %d of %d rows of %s", tally.scored, tally.rows, source)
    return tally.summary(dialect)

