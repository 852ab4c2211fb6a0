"""Inputs for the Parquet and Dask scoring tests: the first clients of the real file with refused rows, unknown
key values and an extra column, as CSV, as a typed Parquet table, and as a dataset of files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

#: Rows taken from the real file (its first ones).
ROWS = 300


def clients_frame(bank_csv: Path) -> pd.DataFrame:
    """The first :data:`ROWS` clients, typed as pandas reads the file, with rows a scorer must refuse or fill
    (an unknown job, two unknown key fields, a job that is no category) and an extra column (a note, some of
    which a spreadsheet would run as a formula)."""
    frame = pd.read_csv(bank_csv, sep=";", nrows=ROWS)
    frame.loc[3, "job"] = "unknown"          # filled by the neighbours' vote
    frame.loc[7, ["job", "loan"]] = "unknown"  # two unknown key fields: refused
    frame.loc[11, "job"] = "pilot"           # not a category: refused
    frame.loc[13, "housing"] = " Yes "       # read leniently
    frame["note"] = [f"=call {i}" if i % 5 == 0 else f"client {i}" for i in range(len(frame))]
    return frame


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, sep=";", index=False)
    return path


def typed_table(frame: pd.DataFrame) -> pa.Table:
    """The clients as Arrow, with types a CSV cannot carry: a dictionary-encoded job, a timestamp, a decimal."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.set_column(table.schema.get_field_index("job"), "job",
                             table.column("job").dictionary_encode())
    called = pa.array(pd.Timestamp("2008-05-05") + pd.to_timedelta(range(len(frame)), unit="h"),
                      type=pa.timestamp("ms", tz="Europe/Lisbon"))
    return table.append_column("called_at", called).append_column(
        "balance", pa.array([round(i * 1.25, 2) for i in range(len(frame))]).cast(pa.decimal128(12, 2)))


def write_dataset(table: pa.Table, folder: Path, files: int) -> Path:
    """``table`` as ``files`` files named part.0.parquet ... part.N.parquet (part.10 after part.9), plus the
    marker files Spark writes beside them."""
    folder.mkdir(parents=True)
    size = -(-table.num_rows // files)
    for i in range(files):
        pq.write_table(table.slice(i * size, size), folder / f"part.{i}.parquet", row_group_size=17)
    (folder / "_SUCCESS").write_bytes(b"")
    return folder


def read_dataset(folder: Path, names: list[str]) -> pa.Table:
    """The files ``names`` of a dataset, in that order, as one table."""
    return pa.concat_tables([pq.read_table(folder / name) for name in names])
