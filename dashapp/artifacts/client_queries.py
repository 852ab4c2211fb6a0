"""SQL over the clients artifact (``clients.parquet``) where it lies, so that no web worker holds the clients table.

Dash-free. DuckDB reads the columns and row groups a query needs from the file and returns a small frame (counts,
sums, a few rows by id); the operating system's page cache, shared by every worker, keeps the file's bytes.
Each process opens its own connection on first use (a DuckDB connection does not survive a fork: gunicorn's
master closes its own before forking, :meth:`ClientQueries.close`) and each thread its own cursor, as DuckDB
asks for concurrent use. gunicorn's greenlets share their worker's one thread; a query never yields, so a
greenlet never sees another's cursor mid-query.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from dashapp.artifacts.model_folder import CLIENTS as CLIENTS_FILE

logger = logging.getLogger(__name__)

#: The name queries use for the clients; ``client_id`` is the row's position in the file, as the pandas index
#: the build wrote (a range from 0).
CLIENTS = "clients"


def _filled(values: np.ndarray) -> np.ndarray:
    """A column DuckDB gave as a masked array (it holds NULLs) with the NULLs as NaN, NaT or None."""
    if not isinstance(values, np.ma.MaskedArray):
        return values
    if values.dtype.kind in "iub":
        values = values.astype(np.float64)
    elif values.dtype.kind not in "fmM":
        values = values.astype(object)
    return values.filled({"f": np.nan, "m": np.timedelta64("NaT"), "M": np.datetime64("NaT")}.get(
        values.dtype.kind))


def _client_id_select(path: Path, source: str) -> str:
    """The clients with their ``client_id`` as pandas wrote the index: a range (start, step; the file's rows in
    order, not stored) or a column of its own."""
    import pyarrow.parquet as pq

    metadata = json.loads((pq.read_schema(path).metadata or {}).get(b"pandas", b"{}"))
    index = (metadata.get("index_columns") or [None])[0]
    if isinstance(index, dict) and index.get("kind") == "range":
        start, step = int(index["start"]), int(index["step"])
        return (f"SELECT * EXCLUDE (file_row_number), {start} + file_row_number * {step} AS client_id "
                f"FROM read_parquet({source}, file_row_number = true)")
    if isinstance(index, str):
        return f"SELECT * EXCLUDE ({quoted(index)}), {quoted(index)} AS client_id FROM read_parquet({source})"
    raise ValueError(f"{path} has no client_id index (pandas metadata {index!r}); rebuild the artifacts")


def quoted(name: str) -> str:
    """A column name as SQL reads it (``"emp.var.rate"``, ``"default"``)."""
    return '"' + name.replace('"', '""') + '"'


class ClientQueries:
    """Queries over one ``clients.parquet``, safe across forks and threads.

    Parameters
    ----------
    path : Path
        The clients artifact (``model/clients.parquet``).
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._connection_pid: int | None = None
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []

    def _connect(self) -> duckdb.DuckDBPyConnection:
        connection = duckdb.connect(":memory:")
        source = "'" + str(self.path).replace("'", "''") + "'"
        # A view, not a table: the rows stay in the file; DuckDB caches only the file's metadata.
        connection.execute("SET parquet_metadata_cache = true")
        connection.execute(f"CREATE VIEW {CLIENTS} AS {_client_id_select(self.path, source)}")
        return connection

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on this process's connection (both opened on first use)."""
        pid = os.getpid()
        local = self._local
        if getattr(local, "pid", None) != pid:
            with self._lock:
                if self._connection_pid != pid:
                    self._connection, self._connection_pid = self._connect(), pid
                local.cursor, local.pid = self._connection.cursor(), pid
                self._cursors.append(local.cursor)
        return local.cursor

    def close(self) -> None:
        """Close this process's connection (gunicorn's master, before it forks the workers)."""
        with self._lock:
            if self._connection is not None and self._connection_pid == os.getpid():
                # The cursors first: each keeps the in-memory database, and its threads, alive.
                for cursor in self._cursors:
                    cursor.close()
                self._connection.close()
            self._connection, self._connection_pid, self._cursors = None, None, []
            self._local = threading.local()

    def arrays(self, sql: str, parameters: Sequence = ()) -> dict[str, np.ndarray]:
        """The result of one query as numpy arrays by column name (NULLs as NaN, NaT or None)."""
        # By numpy arrays: DuckDB's own .df() spends some 8 ms a query on its pandas conversion, more than
        # the query itself takes on the UCI file.
        columns = self.cursor().execute(sql, list(parameters)).fetchnumpy()
        return {name: _filled(values) for name, values in columns.items()}

    def frame(self, sql: str, parameters: Sequence = ()) -> pd.DataFrame:
        """The result of one query as a pandas frame (NULLs as NaN or NaT)."""
        return pd.DataFrame(self.arrays(sql, parameters))

    def rows(self, client_ids: Sequence[int], columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Some clients' ``columns`` (default: every column), indexed by ``client_id`` in the order asked (unknown
        ids left out).

        Categories come back as text, numbers as numbers and dates as Timestamps, as the clients table holds them.
        """
        ids = np.asarray(list(client_ids), dtype=np.int64)
        selected = "* EXCLUDE (client_id)" if columns is None else ", ".join(quoted(column) for column in columns)
        found = self.frame(f"SELECT client_id, {selected} FROM {CLIENTS} "
                           "WHERE client_id IN (SELECT UNNEST(?::BIGINT[]))", [ids.tolist()])
        found = found.set_index("client_id")
        return found.reindex([i for i in ids.tolist() if i in found.index])

    def distinct(self, columns: Sequence[str]) -> pd.DataFrame:
        """The distinct combinations of ``columns`` among the clients (as text and numbers)."""
        return self.frame(f"SELECT DISTINCT {', '.join(quoted(column) for column in columns)} FROM {CLIENTS}")


@functools.lru_cache(maxsize=4)
def client_queries(store) -> ClientQueries:
    """The :class:`ClientQueries` of an artifact store's clients, one per store and process."""
    return ClientQueries(store.model_dir / CLIENTS_FILE)
