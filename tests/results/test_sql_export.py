"""dashapp.results.sql_export and scripts/export_sql.py: the results in SQLite and in a real PostgreSQL, typed and
keyed, and a re-export that replaces the previous one atomically or not at all."""

from __future__ import annotations

import itertools
import logging
import sqlite3
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from dashapp.artifacts.model_folder import ArtifactStore
from dashapp.results import sql_export, sql_tables
from dashapp.views.rates import store_rates
from scripts import export_sql

_database_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def store(quick_model_dir) -> ArtifactStore:
    return ArtifactStore(quick_model_dir)


@pytest.fixture(scope="module")
def small_store(quick_model_dir) -> ArtifactStore:
    """The same artifacts as an earlier, smaller export would have had them: 1,000 clients, another build time."""
    earlier = ArtifactStore(quick_model_dir)
    earlier.clients = earlier.clients.iloc[:1000]
    earlier.manifest = {**earlier.manifest, "built_at": "2001-02-03T04:05:06+00:00"}
    return earlier


def _admin(server) -> sa.Engine:
    return sa.create_engine(server.url, isolation_level="AUTOCOMMIT")


@contextmanager
def _new_postgres_database(server):
    """A new, empty database on the test PostgreSQL server, dropped afterwards; yields its URL."""
    name = f"export_test_{next(_database_numbers)}"
    admin = _admin(server)
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield server.url_with(database=name)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """An empty database of each kind: a SQLite file, or a new database on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'results.sqlite'}"
    else:
        with _new_postgres_database(request.getfixturevalue("postgres_server")) as url:
            yield url


@pytest.fixture
def postgres_database(postgres_server):
    with _new_postgres_database(postgres_server) as url:
        yield url


def _read(url: str, query: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql(query)]
    finally:
        engine.dispose()


def _utc_text(moment) -> str:
    """A stored time as ``YYYY-MM-DD HH:MM:SS`` in UTC (SQLite gives text, PostgreSQL an aware datetime)."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
    return str(moment)[:19]


def _state(url: str) -> dict:
    """What a reader finds: the tables, their row counts and the export's build time."""
    engine = sa.create_engine(url)
    try:
        names = set(sa.inspect(engine).get_table_names())
        with engine.connect() as connection:
            counts = {name: connection.exec_driver_sql(f"SELECT COUNT(*) FROM {name}").scalar_one()
                      for name in sorted(names)}
            built = connection.exec_driver_sql("SELECT built_at FROM export_info").scalar_one()
        return {"tables": names, "rows": counts, "built_at": _utc_text(built)}
    finally:
        engine.dispose()


def _fail_after(monkeypatch, calls: int, failure) -> None:
    """Make the export's inserts run ``failure(connection)`` once ``calls`` chunks have gone in."""
    original, seen = sql_export._insert_rows, []

    def insert(connection, table, rows):
        if len(seen) == calls:
            failure(connection)
        seen.append(table.name)
        original(connection, table, rows)

    monkeypatch.setattr(sql_export, "_insert_rows", insert)


OLD_EXPORT = {"tables": set(sql_export.TABLES), "built_at": "2001-02-03 04:05:06"}


def _assert_old_export_intact(url: str) -> None:
    state = _state(url)
    assert state["tables"] == OLD_EXPORT["tables"]  # no staging table left behind
    assert state["built_at"] == OLD_EXPORT["built_at"]
    assert state["rows"]["clients"] == 1000 and state["rows"]["export_info"] == 1


# --- What the export holds -------------------------------------------------------------------------------------


def test_every_client_is_exported_with_the_segment_the_app_shows(store, database):
    summary = sql_export.export_results(store, database)
    assert "studio-test-password" not in summary.database
    rows = _read(database, "SELECT client_id, segment, job, job_used, job_filled, loan, loan_used, loan_filled "
                           "FROM clients ORDER BY client_id")
    exported = pd.DataFrame(rows, columns=["client_id", "segment", "job", "job_used", "job_filled", "loan",
                                           "loan_used", "loan_filled"]).set_index("client_id")
    clients = store.clients
    assert len(exported) == len(clients) == summary.rows["clients"]
    assert exported.index.tolist() == clients.index.tolist()
    assert (exported["segment"].to_numpy() == clients["segment"].to_numpy()).all()
    for field in ("job", "loan"):
        unknown = clients[field].astype(str).to_numpy() == "unknown"
        assert unknown.sum() > 0
        assert (exported[f"{field}_filled"].to_numpy() == np.where(unknown, "knn", "given")).all()
        assert (exported[field].to_numpy() == clients[field].astype(str).to_numpy()).all()
        assert (exported[f"{field}_used"].to_numpy() == clients[f"{field}_imputed"].astype(str).to_numpy()).all()
        assert "unknown" not in set(exported[f"{field}_used"])


def test_columns_are_typed_and_keyed_with_an_index_on_segment(store, database):
    sql_export.export_results(store, database)
    engine = sa.create_engine(database)
    try:
        inspector = sa.inspect(engine)
        columns = {column["name"]: column for column in inspector.get_columns("clients")}
        expected = {"client_id": sa.Integer, "age": sa.Integer, "segment": sa.Integer, "emp_var_rate": sa.Float,
                    "nr_employed": sa.Float, "contact_date": sa.Date, "job": sa.Text, "credit_default": sa.Text,
                    "job_filled": sa.Text}
        for name, kind in expected.items():
            assert isinstance(columns[name]["type"], kind), (name, columns[name]["type"])
            assert columns[name]["nullable"] is False
        assert not any("." in name for name in columns) and "default" not in columns
        grid = {column["name"]: column["type"] for column in inspector.get_columns("grid_metrics")}
        assert isinstance(grid["cluster_shares"], sa.JSON) and isinstance(grid["k"], sa.Integer)
        assert inspector.get_pk_constraint("clients")["constrained_columns"] == ["client_id"]
        assert inspector.get_pk_constraint("segments")["constrained_columns"] == ["segment"]
        assert inspector.get_pk_constraint("grid_metrics")["constrained_columns"] == ["config_id", "k"]
        assert inspector.get_pk_constraint("export_info")["constrained_columns"] == ["exported_at"]
        indexes = {index["name"]: index["column_names"] for index in inspector.get_indexes("clients")}
        assert indexes[sql_export.SEGMENT_INDEX] == ["segment"]
    finally:
        engine.dispose()


def test_segments_and_the_sample_query_give_the_segments_page_numbers(store, database):
    sql_export.export_results(store, database)
    rates, texts = store_rates(store), sql_export.segment_texts(store)
    rows = _read(database, "SELECT segment, name, products, clients, share, training_share, subscription_rate, "
                           "training_subscription_rate, test_subscription_rate FROM segments ORDER BY segment")
    assert [row[0] for row in rows] == sorted(texts)
    profiles = {profile["segment"]: profile for profile in store.profiles["segments"]}
    for number, name, products, clients, share, training_share, rate, training_rate, test_rate in rows:
        assert name == texts[number].name and products.split("; ") == list(texts[number].products)
        assert clients == rates.of("all", number).clients
        assert training_share == pytest.approx(profiles[number]["share"])
        assert (rate, training_rate, test_rate) == pytest.approx(
            (rates.of("all", number).value, rates.of("train", number).value, rates.of("test", number).value))
    sample = _read(database, sql_export.SHARE_AND_RATE_QUERY)
    assert [(number, clients) for number, clients, _, _ in sample] == [(row[0], row[3]) for row in rows]
    # PostgreSQL's AVG of a numeric is a Decimal.
    assert [float(value) for _, _, share, rate in sample for value in (share, rate)] == pytest.approx(
        [value for row in rows for value in (row[4], row[6])])
    grid = _read(database, "SELECT COUNT(*) FROM grid_metrics")
    assert grid == [(len(store.grid_metrics),)]


def test_sql_column_names_are_safe_to_type():
    assert sql_tables.sql_column_name("emp.var.rate") == "emp_var_rate"
    assert sql_tables.sql_column_name("cons.conf.idx") == "cons_conf_idx"
    assert sql_tables.sql_column_name("default") == "credit_default"
    assert sql_tables.sql_column_name("Day of Week") == "day_of_week"
    assert sql_tables.sql_column_name("3m") == "c_3m"


# --- Replacing an export ---------------------------------------------------------------------------------------


def test_a_second_export_replaces_the_first(store, small_store, database):
    sql_export.export_results(small_store, database)
    first = _state(database)
    assert first["rows"]["clients"] == 1000 and first["built_at"] == OLD_EXPORT["built_at"]
    sql_export.export_results(store, database)
    second = _state(database)
    assert second["tables"] == set(sql_export.TABLES)
    assert second["rows"] == {"clients": len(store.clients), "segments": first["rows"]["segments"],
                              "grid_metrics": first["rows"]["grid_metrics"], "export_info": 1}
    assert second["built_at"] == store.manifest["built_at"][:19].replace("T", " ")
    info = _read(database, "SELECT clients_rows, data_fingerprint, code_version FROM export_info")
    assert info == [(len(store.clients), store.provenance.fingerprint, store.manifest["code_version"])]


class _Reader:
    """A reader holding one transaction open: SQLite's own driver with an explicit BEGIN (so that its read lock
    is held between statements), or a PostgreSQL connection (its transaction holds the tables it read)."""

    def __init__(self, url: str):
        parsed = sa.make_url(url)
        if parsed.get_backend_name() == "sqlite":
            self._sqlite = sqlite3.connect(parsed.database, isolation_level=None)
            self._sqlite.execute("BEGIN")
        else:
            self._engine = sa.create_engine(url)
            self._connection = self._engine.connect()
            self._sqlite = None

    def read(self) -> tuple[int, str]:
        query = "SELECT (SELECT COUNT(*) FROM clients), (SELECT built_at FROM export_info)"
        row = (self._sqlite.execute(query) if self._sqlite else self._connection.exec_driver_sql(query)).fetchone()
        return row[0], _utc_text(row[1])

    def end(self) -> None:
        if self._sqlite:
            self._sqlite.execute("COMMIT")
            self._sqlite.close()
        else:
            self._connection.commit()
            self._connection.close()
            self._engine.dispose()


def _wait_for_blocked_exporter(url: str) -> None:
    """Until PostgreSQL shows a lock request waiting (the export's DROP waiting for the reader's transaction)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            for _ in range(600):
                waiting = connection.exec_driver_sql("SELECT COUNT(*) FROM pg_locks WHERE NOT granted").scalar_one()
                connection.rollback()
                if waiting:
                    return
                threading.Event().wait(0.1)
        raise AssertionError("the export never waited for the reader's lock")
    finally:
        engine.dispose()


def test_a_reader_in_a_transaction_sees_the_old_complete_tables_during_a_re_export(store, small_store, database,
                                                                                   monkeypatch):
    sql_export.export_results(small_store, database)
    reader = _Reader(database)
    assert reader.read() == (1000, OLD_EXPORT["built_at"])
    writing = threading.Event()
    _fail_after(monkeypatch, 1, lambda connection: writing.set())
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(sql_export.export_results, store, database, lock_timeout=300, chunk_rows=1000)
        try:
            assert writing.wait(300), future.exception(timeout=1)
            assert reader.read() == (1000, OLD_EXPORT["built_at"])  # mid-way through the new clients
            if database.startswith("postgresql"):
                _wait_for_blocked_exporter(database)
                assert reader.read() == (1000, OLD_EXPORT["built_at"])  # the swap waits for the reader
        finally:
            reader.end()
        future.result(timeout=300)
    assert _state(database)["rows"]["clients"] == len(store.clients)


def _raise_database_error(connection):
    raise sa.exc.OperationalError("INSERT", None, RuntimeError("could not extend file: No space left on device"))


def test_a_failure_mid_way_leaves_the_previous_export_intact(store, small_store, database, monkeypatch):
    sql_export.export_results(small_store, database)
    _fail_after(monkeypatch, 2, _raise_database_error)
    with pytest.raises(sql_export.ExportError, match=r"inserting rows 2,001 to 3,000 into clients__new: could not "
                                                 r"extend file.*previous export.*intact"):
        sql_export.export_results(store, database, chunk_rows=1000)
    _assert_old_export_intact(database)


def test_a_connection_lost_mid_way_leaves_the_previous_export_intact(store, small_store, postgres_server,
                                                                     postgres_database, monkeypatch):
    database = postgres_database
    sql_export.export_results(small_store, database)
    admin = _admin(postgres_server)

    def terminate(connection):
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        with admin.connect() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")

    _fail_after(monkeypatch, 2, terminate)
    try:
        with pytest.raises(sql_export.ExportError,
                           match=r"failed while inserting rows 2,001 to 3,000 into clients__new"):
            sql_export.export_results(store, database, chunk_rows=1000)
    finally:
        admin.dispose()
    _assert_old_export_intact(database)


def test_a_full_sqlite_file_leaves_the_previous_export_intact(store, small_store, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'small.sqlite'}"
    sql_export.export_results(small_store, url)
    original = sql_export._engine

    def engine_with_a_size_limit(target, lock_timeout):
        engine = original(target, lock_timeout)

        @sa.event.listens_for(engine, "connect")
        def _limit(dbapi_connection, _record):
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 100}")

        return engine

    monkeypatch.setattr(sql_export, "_engine", engine_with_a_size_limit)
    with pytest.raises(sql_export.ExportError, match="database or disk is full.*previous export.*intact"):
        sql_export.export_results(store, url)
    _assert_old_export_intact(url)


# --- Refusals and bad input ------------------------------------------------------------------------------------


def test_a_read_only_postgresql_role_is_refused_and_the_previous_export_stays(store, small_store, postgres_server,
                                                                               postgres_database):
    database = postgres_database
    sql_export.export_results(small_store, database)
    name = sa.make_url(database).database
    engine = sa.create_engine(database, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'reader') "
                                   "THEN CREATE ROLE reader LOGIN PASSWORD 'reader-password'; END IF; END $$")
        connection.exec_driver_sql(f"GRANT CONNECT ON DATABASE {name} TO reader")
        connection.exec_driver_sql("GRANT USAGE ON SCHEMA public TO reader")
        connection.exec_driver_sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
    engine.dispose()
    reader_url = postgres_server.url_with(user="reader", password="reader-password", database=name)
    assert _state(reader_url)["rows"]["clients"] == 1000  # the role can read
    with pytest.raises(sql_export.ExportError) as refused:
        sql_export.export_results(store, reader_url)
    message = str(refused.value)
    assert "permission denied" in message and "clients__new" in message and "127.0.0.1" in message
    assert "reader-password" not in message and "previous export" in message
    _assert_old_export_intact(database)


def test_a_read_only_sqlite_file_is_refused_and_the_previous_export_stays(store, small_store, tmp_path):
    path = tmp_path / "results.sqlite"
    sql_export.export_results(small_store, f"sqlite:///{path}")
    with pytest.raises(sql_export.ExportError, match=r"readonly database.*previous export.*intact"):
        sql_export.export_results(store, f"sqlite:///file:{path}?mode=ro&uri=true")
    _assert_old_export_intact(f"sqlite:///{path}")


def test_a_wrong_password_or_an_unreachable_host_names_the_host_and_masks_the_password(store, postgres_server,
                                                                                       tmp_path, capsys):
    wrong = postgres_server.url_with(password="not-the-password")
    assert export_sql.main([wrong, "--model-dir", str(store.model_dir)]) == 1
    error = capsys.readouterr().err
    assert "password authentication failed" in error and f"127.0.0.1:{postgres_server.port}" in error
    assert "not-the-password" not in error
    with pytest.raises(sql_export.ExportError, match=r"on 127\.0\.0\.1:1 .*failed while connecting"):
        sql_export.export_results(store, postgres_server.url_with(port=1))
    with pytest.raises(sql_export.ExportError, match="folder .* does not exist"):
        sql_export.export_results(store, f"sqlite:///{tmp_path / 'missing' / 'results.sqlite'}")
    with pytest.raises(sql_export.ExportError, match="mysql is not supported.*half a table"):
        sql_export.export_results(store, "mysql://user:secret@host/db")
    assert sql_export.masked_url("mysql://user:secret@host/db") == "mysql://user:***@host/db"


def test_the_command_line_writes_the_default_sqlite_file(store, tmp_path, monkeypatch, caplog):
    default = tmp_path / "export" / "segments.sqlite"
    monkeypatch.setattr(export_sql, "DEFAULT_SQLITE", default)
    with caplog.at_level(logging.INFO, logger="export_sql"):
        assert export_sql.main(["--model-dir", str(store.model_dir)]) == 0
    assert _state(f"sqlite:///{default}")["rows"]["clients"] == len(store.clients)
    assert f"clients ({len(store.clients):,} rows)" in caplog.text and str(default) in caplog.text


def test_the_default_export_folder_is_ignored_by_git():
    repo = Path(__file__).resolve().parents[2]
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "export/segments.sqlite"], cwd=repo)
    assert ignored.returncode == 0


def test_a_missing_number_in_a_list_column_is_stored_as_json_null():
    # A cluster the silhouette sample left empty has no share below 0: NaN in the grid, null in JSON (which has
    # no NaN; PostgreSQL refuses the NaN Python's json module writes).
    frame = pd.DataFrame({"key": [1, 2], "shares": [np.array([0.5, np.nan]), np.array([0.25, 0.75])]})
    table, values = sql_tables.typed_table(sa.MetaData(), "t", frame, ("key",), None)
    assert isinstance(table.c.shares.type, sa.JSON)
    assert values["shares"] == [[0.5, None], [0.25, 0.75]]
