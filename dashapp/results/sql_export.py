"""Results back in SQL: the segmented clients, the segments and the grid's metrics, written to a database.

:func:`export_results` writes four tables from an :class:`~dashapp.artifacts.model_folder.ArtifactStore` to any database
SQLAlchemy reaches whose DDL is transactional (SQLite and PostgreSQL; tested on both):

- ``clients``: every row of ``clients.parquet``, primary key ``client_id``, indexed on ``segment``; each key
  field (job, housing, loan) three times: as the file gave it (``job``, may be ``unknown``), the value the
  segmentation used (``job_used``) and how that value came about (``job_filled``: :data:`FILLED_GIVEN` or
  :data:`FILLED_KNN`, the KNN imputation of the final model);
- ``segments``: one row per segment (primary key ``segment``, its number): name, description, our product
  suggestions, the original study's recommendation, its clients and shares, and its subscription rates by
  period as the Segments page shows them;
- ``grid_metrics``: the clustering grid's scores, primary key (``config_id``, ``k``); the per-cluster lists
  (``cluster_shares``, ``negative_shares``, ``sample_sizes``) as JSON arrays;
- ``export_info``: one row saying what was exported: the manifest's build time, the data's name and
  fingerprint, the code version, the build mode, each table's row count and when the export ran.

Column names are made safe to type unquoted in SQL (:mod:`dashapp.results.sql_tables`): ``emp.var.rate`` ->
``emp_var_rate``, ``cons.price.idx`` -> ``cons_price_idx``, ``cons.conf.idx`` -> ``cons_conf_idx``,
``nr.employed`` -> ``nr_employed``, ``default`` (an SQL keyword) -> ``credit_default``; and the clients table's
``job_imputed``, ``housing_imputed`` and ``loan_imputed`` become ``job_used``, ``housing_used`` and
``loan_used``. Every other name is kept. Column types come from SQLAlchemy Core ``Table`` definitions made from
each column's pandas dtype (integers, double-precision floats, dates, text, JSON), never from pandas' ``to_sql``
guesses; a column without a missing value is ``NOT NULL``.

A re-export replaces the previous one atomically: everything happens in ONE transaction that writes the new
tables under staging names (``clients__new`` ...), drops the old tables, renames the new ones into place and
indexes them, then commits. A reader sees the old complete tables until the commit and the new complete ones
after it; any failure (refused, read-only, full, connection lost) rolls the whole transaction back and leaves
the previous export as it was. On SQLite this needs SQLAlchemy's documented work-around for the ``sqlite3``
driver's legacy transaction mode, which would otherwise autocommit each CREATE/DROP/ALTER on its own (see
:func:`_engine`).
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine

from dashapp.core import catalogue, domain
from dashapp.results import sql_tables
from dashapp.views.rates import store_rates

logger = logging.getLogger(__name__)

CLIENTS_TABLE = "clients"
SEGMENTS_TABLE = "segments"
GRID_METRICS_TABLE = "grid_metrics"
EXPORT_INFO_TABLE = "export_info"
#: The tables an export writes, in the order it writes them.
TABLES = (CLIENTS_TABLE, SEGMENTS_TABLE, GRID_METRICS_TABLE, EXPORT_INFO_TABLE)
#: New tables are written under their name plus this suffix, then renamed into place.
STAGING_SUFFIX = "__new"
SEGMENT_INDEX = "ix_clients_segment"

#: ``<field>_filled``: the file gave the value.
FILLED_GIVEN = "given"
#: ``<field>_filled``: the file said ``unknown``; the final model's KNN imputation filled it.
FILLED_KNN = "knn"

#: The sample query for a BI tool (docs/data.md, "Results in SQL"): each segment's clients, share and subscription
#: rate, counted from the clients table (the segments table holds the same numbers ready-made). Standard SQL: SQLite
#: and PostgreSQL.
SHARE_AND_RATE_QUERY = """\
SELECT segment,
       COUNT(*) AS clients,
       COUNT(*) * 1.0 / SUM(COUNT(*)) OVER () AS share,
       AVG(CASE WHEN y = 'yes' THEN 1.0 ELSE 0.0 END) AS subscription_rate
FROM clients
GROUP BY segment
ORDER BY segment"""

#: Dialects whose DDL is transactional, so that the drop-and-rename swap commits or rolls back as one.
TRANSACTIONAL_DDL_DIALECTS = ("postgresql", "sqlite")
_PRIMARY_KEYS = {CLIENTS_TABLE: ("client_id",), SEGMENTS_TABLE: ("segment",),
                 GRID_METRICS_TABLE: ("config_id", "k"), EXPORT_INFO_TABLE: ("exported_at",)}


class ExportError(RuntimeError):
    """The export could not be written; the message names the database (password masked) and the step."""


@dataclass(frozen=True)
class ExportSummary:
    """What :func:`export_results` wrote: the database (password masked), rows per table, seconds taken."""

    database: str
    rows: dict[str, int]
    seconds: float


@dataclass(frozen=True)
class SegmentText:
    """How a segment reads: its name, description, our product suggestions and the original study's advice."""

    name: str
    description: str
    products: tuple[str, ...]
    original_recommendation: str


def segment_texts(store) -> dict[int, SegmentText]:
    """Each segment's name, description, products and the original study's recommendation, by number.

    The one place the export reads segment wording: :func:`dashapp.core.catalogue.segments` of ``store``, names and
    descriptions from the build's profiles, products from the product catalogue file, as the pages show them.
    """
    return {number: SegmentText(segment.name, segment.description, tuple(segment.products),
                                segment.original_recommendation)
            for number, segment in catalogue.segments(store).items()}


# --- The tables as frames ----------------------------------------------------------------------------------


def clients_frame(store) -> pd.DataFrame:
    """Every client with SQL-safe column names, its segment and, per key field, the value used and how it was
    filled (``job``, ``job_used``, ``job_filled`` ...). One row per row of ``store.clients``, same order."""
    clients = store.clients
    frame = clients.reset_index()
    if "client_id" not in frame.columns:
        raise ValueError(f"the clients table has no client_id (index {clients.index.name!r})")
    renames = {f"{field}_imputed": f"{field}_used" for field in domain.SEGMENT_FEATURES}
    for field in domain.SEGMENT_FEATURES:
        given = clients[field].astype(str).to_numpy() != domain.UNKNOWN
        frame[f"{field}_filled"] = np.where(given, FILLED_GIVEN, FILLED_KNN)
    frame = sql_tables.safe_column_names(frame, renames)
    frame["segment"] = frame["segment"].astype(np.int64)
    return frame


def segments_frame(store) -> pd.DataFrame:
    """One row per segment: number, wording (:func:`segment_texts`), sizes, shares and subscription rates.

    ``clients``/``share`` are over all clients; ``training_clients``/``training_share`` over the training period
    (the profiles the Segments page shows, the shares the original study published); the rates are the Segments
    page's (:func:`dashapp.views.rates.store_rates`), NULL for a period where the segment has no client.
    """
    texts, rates = segment_texts(store), store_rates(store)
    profiles = {int(profile["segment"]): profile for profile in store.profiles["segments"]}
    total = rates.overall["all"].clients
    rows = []
    for number in sorted(int(number) for number in store.clients["segment"].unique()):
        text, profile = texts[number], profiles[number]
        row = {"segment": number, "name": text.name, "description": text.description,
               "products": "; ".join(text.products), "original_recommendation": text.original_recommendation,
               "clients": rates.of("all", number).clients, "share": rates.of("all", number).clients / total,
               "training_clients": int(profile["clients"]), "training_share": float(profile["share"]),
               "test_clients": rates.of("test", number).clients}
        for period, prefix in (("all", ""), ("train", "training_"), ("test", "test_")):
            rate = rates.of(period, number)
            row[f"{prefix}subscribed"] = rate.subscribed
            row[f"{prefix}subscription_rate"] = rate.value if rate.clients else None
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in ("subscription_rate", "training_subscription_rate", "test_subscription_rate"):
        frame[column] = frame[column].astype(np.float64)
    return frame


def grid_metrics_frame(store) -> pd.DataFrame:
    """The grid's metrics, one row per (configuration, k), with SQL-safe names."""
    return sql_tables.safe_column_names(store.grid_metrics.reset_index(drop=True))


def export_info_frame(store, rows: dict[str, int], exported_at: datetime) -> pd.DataFrame:
    """The one row of ``export_info``: what was exported (from the manifest) and when."""
    manifest, provenance = store.manifest, store.provenance
    return pd.DataFrame([{
        "exported_at": exported_at, "built_at": pd.Timestamp(manifest["built_at"]).to_pydatetime(),
        "data_source": provenance.name, "data_kind": provenance.kind, "data_fingerprint": provenance.fingerprint,
        "data_rows": provenance.rows, "code_version": manifest["code_version"],
        "build_mode": manifest.get("parameters", {}).get("mode", ""),
        **{f"{name}_rows": count for name, count in rows.items()},
    }])


# --- Writing ------------------------------------------------------------------------------------------------


def masked_url(url: str | URL) -> str:
    """The URL as it may be shown: the password replaced by ``***``."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<not a database URL>"


def _where(url: URL) -> str:
    """The database in words for a message: its file for SQLite, else host, port and database."""
    if url.get_backend_name() == "sqlite":
        return f"the SQLite file {url.database}"
    place = f"{url.host or 'localhost'}{f':{url.port}' if url.port else ''}"
    return f"the database {url.database!r} on {place} (as {url.username!r})"


def _engine(url: URL, lock_timeout: float) -> Engine:
    """An engine whose transactions include DDL, waiting at most ``lock_timeout`` seconds for a lock.

    SQLite: the ``sqlite3`` driver's legacy transaction mode (the default before Python 3.16) emits no BEGIN
    before CREATE, DROP or ALTER, so each would commit on its own; as SQLAlchemy's SQLite documentation
    ("Transactions with SQLite and the sqlite3 driver") prescribes for Python < 3.12, the driver's own BEGIN is
    switched off and SQLAlchemy's begin event emits it (IMMEDIATE: the write lock is taken at once, so a second
    writer waits or fails before anything is written).
    """
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=False)
    engine = sa.create_engine(url, connect_args={"timeout": lock_timeout})

    @sa.event.listens_for(engine, "connect")
    def _no_driver_begin(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _target(url: str | URL) -> URL:
    """The URL, checked before connecting: parseable, a dialect with transactional DDL, an existing folder."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as error:
        # Not echoed: an unparseable URL cannot have its password masked.
        raise ExportError(f"The database URL is not one SQLAlchemy can read ({error}); expected e.g. "
                          "sqlite:///export/segments.sqlite or postgresql+psycopg://user:password@host/db") from None
    backend = parsed.get_backend_name()
    if backend not in TRANSACTIONAL_DDL_DIALECTS:
        raise ExportError(f"{masked_url(parsed)}: exporting to {backend} is not supported: its CREATE, DROP and "
                          "RENAME commit one by one, so a failed re-export could leave half a table. Supported: "
                          f"{', '.join(TRANSACTIONAL_DDL_DIALECTS)}.")
    uri = str(parsed.query.get("uri", "")).lower() == "true"
    if backend == "sqlite" and parsed.database and parsed.database != ":memory:" and not uri:
        folder = Path(parsed.database).expanduser().resolve().parent
        if not folder.is_dir():
            raise ExportError(f"{_where(parsed)}: its folder {folder} does not exist")
    return parsed


def _insert_rows(connection: Connection, table: sa.Table, rows: list[tuple]) -> None:
    """Insert one chunk of rows (from :func:`dashapp.results.sql_tables.bound_rows`) in the connection's transaction.

    With psycopg 3, PostgreSQL's COPY: its executemany sends one statement per row (8 s for the clients, against
    under one with COPY). Elsewhere the driver's executemany of SQLAlchemy's compiled INSERT.
    """
    dialect = connection.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        quote = dialect.identifier_preparer.quote
        statement = (f"COPY {quote(table.name)} ({', '.join(quote(column.name) for column in table.columns)}) "
                     "FROM STDIN")
        try:
            with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except dialect.loaded_dbapi.Error as error:
            # As SQLAlchemy wraps what it executes itself, so that callers catch one family of errors.
            raise sa.exc.DBAPIError.instance(statement, None, error, dialect.loaded_dbapi.Error) from error
        return
    compiled = table.insert().compile(dialect=dialect)
    names = [column.name for column in table.columns]
    if compiled.positiontup is not None:
        order = [names.index(name) for name in compiled.positiontup]
        connection.exec_driver_sql(compiled.string, [tuple(row[i] for i in order) for row in rows])
    else:
        connection.exec_driver_sql(compiled.string, [dict(zip(names, row)) for row in rows])


def _reason(error: Exception) -> str:
    """The driver's own words, first line, without SQLAlchemy's echo of the statement and its parameters."""
    original = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    text = lines[0] if lines else type(original).__name__
    return re.sub(r"^connection failed: ", "", text)


def export_results(store, url: str | URL, *, lock_timeout: float = 60.0, chunk_rows: int = 10_000,
                   ) -> ExportSummary:
    """Write (or replace, atomically) the clients, segments, grid metrics and export info tables at ``url``.

    Parameters
    ----------
    store : ArtifactStore
        The artifacts to export.
    url : str or sqlalchemy.engine.URL
        Any SQLAlchemy URL of SQLite or PostgreSQL (``sqlite:///export/segments.sqlite``,
        ``postgresql+psycopg://user:password@host:5432/database``).
    lock_timeout : float
        Seconds to wait for readers or another writer to let go of a table before giving up (default 60);
        giving up leaves the previous export intact.
    chunk_rows : int
        Rows per insert statement batch (default 10,000).

    Returns
    -------
    ExportSummary

    Raises
    ------
    ExportError
        The URL is unusable, the connection fails (wrong password, unreachable host) or the database refuses a
        step (read-only, permission denied, full, connection lost). The message names the database (password
        masked), the step and the table; nothing of this export is left behind and the previous one is intact.
    """
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows={chunk_rows} must be at least 1")
    target = _target(url)
    started = time.perf_counter()
    frames = {CLIENTS_TABLE: clients_frame(store), SEGMENTS_TABLE: segments_frame(store),
              GRID_METRICS_TABLE: grid_metrics_frame(store)}
    rows = {name: len(frame) for name, frame in frames.items()}
    frames[EXPORT_INFO_TABLE] = export_info_frame(store, rows, datetime.now(timezone.utc).replace(microsecond=0))
    rows[EXPORT_INFO_TABLE] = 1
    engine, step = None, "connecting"
    try:
        engine = _engine(target, lock_timeout)
        with engine.begin() as connection:
            postgres = connection.dialect.name == "postgresql"
            if postgres:
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(lock_timeout * 1000)}")
            quote = connection.dialect.identifier_preparer.quote
            metadata = sa.MetaData()
            for name, frame in frames.items():
                staging = name + STAGING_SUFFIX
                step = f"creating table {staging}"
                table, values = sql_tables.typed_table(metadata, staging, frame, _PRIMARY_KEYS[name],
                                       f"{staging}_pkey" if postgres else None)
                table.drop(connection, checkfirst=True)
                table.create(connection)
                records = sql_tables.bound_rows(connection.dialect, table, values)
                for start in range(0, len(records), chunk_rows):
                    step = f"inserting rows {start + 1:,} to {min(start + chunk_rows, len(records)):,} into {staging}"
                    _insert_rows(connection, table, records[start:start + chunk_rows])
            for name in TABLES:
                step = f"replacing table {name} (dropping the previous one)"
                sa.Table(name, sa.MetaData()).drop(connection, checkfirst=True)
            for name in TABLES:
                step = f"replacing table {name} (renaming {name + STAGING_SUFFIX})"
                connection.exec_driver_sql(f"ALTER TABLE {quote(name + STAGING_SUFFIX)} RENAME TO {quote(name)}")
                if postgres:
                    connection.exec_driver_sql(f"ALTER TABLE {quote(name)} RENAME CONSTRAINT "
                                               f"{quote(name + STAGING_SUFFIX + '_pkey')} TO {quote(name + '_pkey')}")
            step = f"creating index {SEGMENT_INDEX} on {CLIENTS_TABLE}"
            segment = sa.Table(CLIENTS_TABLE, sa.MetaData(), sa.Column("segment", sa.Integer)).c.segment
            sa.Index(SEGMENT_INDEX, segment).create(connection)
            step = "committing"
    except sa.exc.SQLAlchemyError as error:
        raise ExportError(f"Export to {_where(target)} failed while {step}: {_reason(error)}. Nothing was "
                          f"changed there: the previous export, if any, is intact.") from error
    finally:
        if engine is not None:
            engine.dispose()
    seconds = time.perf_counter() - started
    logger.debug("exported %s to %s in %.1f s", ", ".join(f"{name} ({count:,} rows)" for name, count in rows.items()),
                masked_url(target), seconds)
    return ExportSummary(masked_url(target), rows, seconds)
