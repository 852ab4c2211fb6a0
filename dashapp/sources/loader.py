"""Where the build's data comes from: a CSV or parquet file, or a table in a SQL database, read, validated and
fingerprinted before anything is built.

A source is named by one string (:func:`parse_source`): a path ending ``.csv``, ``.txt`` or ``.tsv`` (``;`` as
UCI ships it, ``,`` or tab; UTF-8 with or without a byte-order mark, Windows-1251 or Windows-1252/Latin-1, as
:mod:`dashapp.sources.csv_dialect` finds them for the scoring upload), a path ending ``.parquet``, or an SQLAlchemy URL
(``postgresql+psycopg://user:password@host/db``, ``sqlite:///clients.db``) with a table name. Every source is
validated as the UCI file is (:func:`dashapp.sources.bank_table.validate_rows`). A password is never shown: URLs are
masked in every message and in the manifest. Knows nothing of Dash.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashapp.sources import bank_table
from dashapp.sources.uci_file import sha256_of

logger = logging.getLogger(__name__)

#: File suffixes and the kind of source they name.
FILE_KINDS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".parquet": "parquet"}
#: Seconds a database server has to answer a connection before the build gives up on it.
CONNECT_TIMEOUT = 10
#: Rows hashed at a time by :func:`content_sha256`.
HASH_BLOCK_ROWS = 100_000


class SourceError(RuntimeError):
    """The source cannot be read (missing file, unsupported type, unreachable database, no such table)."""


@dataclass(frozen=True)
class DataSource:
    """One source of bank-marketing rows.

    Attributes
    ----------
    kind : {"csv", "parquet", "sql"}
    location : str
        The file's path, or the database URL (with its password: show :attr:`shown` instead).
    table : str or None
        The SQL table (``schema.table`` or ``table``); None for a file.
    """

    kind: str
    location: str
    table: str | None = None

    @property
    def name(self) -> str:
        """The short name the pages and the manifest use: the file's name, or the table's."""
        return self.table if self.kind == "sql" else Path(self.location).name

    @property
    def shown(self) -> str:
        """The location as messages show it: a URL with its password masked."""
        return _masked(self.location) if self.kind == "sql" else self.location

    def describe(self) -> str:
        return f"table '{self.table}' at {self.shown}" if self.kind == "sql" else f"'{self.name}'"


@dataclass(frozen=True)
class LoadedSource:
    """A source read and validated: the table the build uses, its fingerprint and what the manifest records.

    Attributes
    ----------
    source : DataSource
    table : DataFrame
        The valid rows, typed, in the source's order, indexed by their 0-based position in the source.
    fingerprint : str
        A file's sha256; for a SQL table, the sha256 of its name, row count, dropped rows and content hash.
    details : dict
        The manifest's ``data.source`` section (kind, name and the kind's details; no password).
    rows_read : int
    dropped_rows : list of int
        The row numbers left out with ``drop_invalid`` (as messages number them).
    problems : list of str
        The first problems of the dropped rows.
    date_column : str or None
        The source's column the contact dates came from.
    seconds : float
        Time spent reading and validating.
    """

    source: DataSource
    table: pd.DataFrame
    fingerprint: str
    details: dict
    rows_read: int
    dropped_rows: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    date_column: str | None = None
    seconds: float = 0.0


def _masked(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("://", 1)[0] + "://***"


def parse_source(spec: str | Path, table: str | None = None) -> DataSource:
    """The source a ``--data`` value names.

    Parameters
    ----------
    spec : str or Path
        A path ending ``.csv``, ``.txt``, ``.tsv`` or ``.parquet``, or an SQLAlchemy URL (it contains ``://``).
    table : str or None
        The table to read; required for a URL, refused for a file.

    Raises
    ------
    SourceError
        For a missing file, an unsupported file type, a URL without a table or a table given with a file.
    """
    text = str(spec).strip()
    if "://" in text:
        if not table or not table.strip():
            raise SourceError(f"{_masked(text)} is a database: name the table to read with --table NAME "
                              "(TABLE=NAME with make)")
        return DataSource("sql", text, table.strip())
    if table:
        raise SourceError(f"--table {table} names a table, but '{text}' is a file, not a database URL")
    path = Path(text).expanduser()
    kind = FILE_KINDS.get(path.suffix.lower())
    if kind is None:
        raise SourceError(f"'{path.name}' is not a file type the build reads ({path.suffix or 'no suffix'}); "
                          f"expected {', '.join(FILE_KINDS)} or a database URL with --table")
    if not path.is_file():
        raise SourceError(f"the data file {path} does not exist")
    return DataSource(kind, str(path.resolve()))


def load_source(source: DataSource, drop_invalid: bool = False, date_column: str | None = None) -> LoadedSource:
    """Read ``source`` and validate it as the UCI file is.

    Parameters
    ----------
    source : DataSource
    drop_invalid : bool
        Leave out the rows with a bad cell (reported in :attr:`LoadedSource.dropped_rows`) instead of refusing
        the source.
    date_column : str or None
        The column holding each call's date; by default a ``contact_date`` column, when the source has one.

    Returns
    -------
    LoadedSource

    Raises
    ------
    SourceError
        If the source cannot be read.
    dashapp.sources.bank_table.DataValidationError
        If it is empty, lacks a column, or (without ``drop_invalid``) has a bad cell; naming rows and columns.
    """
    import time

    start = time.perf_counter()
    if source.kind == "sql":
        raw, details = _read_sql(source)
        first_row, fingerprint = 1, None
    else:
        raw, details = _read_file(source)
        first_row, fingerprint = (2 if source.kind == "csv" else 1), sha256_of(source.location)
    if date_column is None and any(str(c).strip().lower() == bank_table.CONTACT_DATE for c in raw.columns):
        date_column = bank_table.CONTACT_DATE
    validated = bank_table.validate_rows(raw, source=source.describe(), first_row=first_row, date_column=date_column,
                                   drop_invalid=drop_invalid)
    content = content_sha256(validated.table)
    details.update({"rows_read": int(len(raw)), "content_sha256": content,
                    "ignored_columns": validated.ignored_columns})
    if fingerprint is None:
        fingerprint = hashlib.sha256(
            f"{source.table}\n{len(raw)}\n{validated.dropped_rows}\n{content}".encode()).hexdigest()
    return LoadedSource(source, validated.table, fingerprint, {"kind": source.kind, "name": source.name, **details},
                        int(len(raw)), validated.dropped_rows, validated.problems, date_column,
                        time.perf_counter() - start)


def file_fingerprint(source: DataSource) -> str:
    """A file source's fingerprint (its sha256), without reading it as a table: what ``--if-stale`` compares."""
    if source.kind == "sql":
        raise ValueError("a table's fingerprint needs its rows: use load_source")
    return sha256_of(source.location)


def source_changes(manifest: dict, source: DataSource, date_column: str | None, drop_invalid: bool) -> list[str]:
    """Why artifacts built from the manifest's source are not those ``source`` would give today, beyond its
    fingerprint: another kind of source or table, another date column, or rows dropped that are now refused.

    Parameters
    ----------
    manifest : dict
        From :func:`dashapp.artifacts.model_folder.read_manifest`.
    source : DataSource
    date_column : str or None
        The date column asked for (None: ``contact_date`` when the source has one).
    drop_invalid : bool
        Whether invalid rows may be dropped today.
    """
    section = manifest.get("data", {})
    recorded = section.get("source", {"kind": "csv"})
    reasons = []
    if recorded.get("kind") != source.kind or (source.kind == "sql" and recorded.get("table") != source.table):
        reasons.append(f"the artifacts were built from {recorded.get('kind')} source "
                       f"'{recorded.get('name', section.get('file'))}', not {source.describe()}")
    dates = section.get("dates") or {}
    used = dates.get("column") if dates.get("origin") == "column" else None
    if date_column is not None and (used or "").lower() != date_column.strip().lower():
        reasons.append(f"the date column asked for is '{date_column}', the build used {used or 'none'}")
    if date_column is None and used is not None and used.lower() != bank_table.CONTACT_DATE:
        reasons.append(f"the build took its dates from column '{used}', which is no longer asked for")
    if section.get("dropped_invalid", 0) and not drop_invalid:
        reasons.append(f"the build dropped {section['dropped_invalid']} invalid rows, and --drop-invalid is not "
                       "given now")
    return reasons


def content_sha256(table: pd.DataFrame) -> str:
    """A hash of a validated table's values (not of how they were stored): equal for a CSV, a parquet file and a
    SQL table holding the same rows in the same order."""
    digest = hashlib.sha256()
    # A block of rows at a time: the same text as the whole table's, without holding it all at once.
    for start in range(0, max(len(table), 1), HASH_BLOCK_ROWS):
        digest.update(table.iloc[start:start + HASH_BLOCK_ROWS].to_csv(
            index=False, header=start == 0, sep=";", lineterminator="\n", date_format="%Y-%m-%d").encode())
    return digest.hexdigest()


def _read_file(source: DataSource) -> tuple[pd.DataFrame, dict]:
    path = Path(source.location)
    if not path.is_file():
        raise SourceError(f"the data file {path} does not exist")
    if source.kind == "parquet":
        import pyarrow

        try:
            return pd.read_parquet(path), {"path": str(path)}
        except (OSError, pyarrow.ArrowException) as error:
            raise SourceError(f"'{path.name}' is not a readable parquet file ({error})") from error
    text, dialect = bank_table.read_csv_text(path)
    table = bank_table.parse_csv_text(text, dialect.delimiter, source=source.describe())
    return table, {"path": str(path), "encoding": dialect.encoding, "delimiter": dialect.delimiter}


def _table_parts(name: str) -> tuple[str | None, str]:
    schema, _, table = name.rpartition(".")
    return (schema or None), table


def _read_sql(source: DataSource) -> tuple[pd.DataFrame, dict]:
    """The table's rows in a deterministic order: by its primary key when it has one, else by every column."""
    from sqlalchemy import MetaData, Table, create_engine, select
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, NoSuchTableError, SQLAlchemyError

    try:
        url = make_url(source.location)
    except ArgumentError as error:
        raise SourceError(f"{source.shown} is not a database URL SQLAlchemy understands ({error})") from error
    where = _place(url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not Path(url.database).is_file():  # SQLite would create an empty database there
            raise SourceError(f"the SQLite database {url.database} does not exist")
    connect_args = {"connect_timeout": CONNECT_TIMEOUT} if url.get_backend_name() == "postgresql" else {}
    try:
        engine = create_engine(url, connect_args=connect_args)
    except (NoSuchModuleError, ArgumentError, ImportError) as error:
        raise SourceError(f"{source.shown}: no database driver for '{url.drivername}' ({error})") from error
    schema, name = _table_parts(source.table)
    try:
        with engine.connect() as connection:
            try:
                table = Table(name, MetaData(), schema=schema, autoload_with=connection)
            except NoSuchTableError:
                raise SourceError(f"table '{source.table}' does not exist in {where}") from None
            key = list(table.primary_key.columns)
            order_by = key or list(table.columns)
            frame = pd.read_sql(select(table).order_by(*order_by), connection)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        if url.password:
            reason = reason.replace(str(url.password), "***")
        raise SourceError(f"cannot read table '{source.table}' from {where}: {reason}") from error
    finally:
        engine.dispose()
    order = (f"primary key ({', '.join(c.name for c in key)})" if key else
             "every column, in the table's column order (it has no primary key)")
    return frame, {"url": _masked(source.location), "table": source.table, "order": order}


def _place(url) -> str:
    """Where a database is, as a message names it: host, port and database (no user, no password)."""
    if url.get_backend_name() == "sqlite":
        return f"the SQLite database {url.database or ':memory:'}"
    host = url.host or "localhost"
    port = f":{url.port}" if url.port else ""
    return f"database '{url.database}' on host {host}{port}"
