"""Parquet files and datasets of clients: read them in record batches, score them, write them back as they came.

A Parquet *file* is scored into one Parquet file; a *dataset* (a folder of Parquet files, found at any depth and
taken in natural order: ``part.2`` before ``part.10``, as Dask and Spark name them) into a folder of the same
files, each scored file at the same relative path as its input. Every row is kept, in order; every column keeps
its name, values and Arrow type; scoring's columns follow (:func:`scored_schema`): ``status`` (text),
``segment`` (int64, null when not scored), ``segment_name`` and ``filled`` (text, null when not scored or
nothing was filled; the CSV file writes those nulls as empty cells). Files are read a record batch at a time
(``ParquetFile.iter_batches``) and written a row group per batch, so memory stays constant at any size.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm import tqdm

from dashapp.core import i18n
from dashapp.core.i18n import _, ngettext
from dashapp.scoring import scorer
from dashapp.scoring.client_files import ClientFileError, checked_field_columns, file_name
from dashapp.scoring.client_streams import StreamSummary, StreamTally, score_chunk

#: The first (and last) bytes of every Parquet file.
PARQUET_MAGIC = b"PAR1"
PARQUET_SUFFIX = ".parquet"
#: The Arrow type of each column scoring adds.
SCORED_TYPES = {scorer.STATUS_COLUMN: pa.string(), scorer.SEGMENT_COLUMN: pa.int64(),
                scorer.SEGMENT_NAME_COLUMN: pa.string(), scorer.FILLED_COLUMN: pa.string()}
#: Columns whose empty text means "nothing": written as null in Parquet.
_NULL_WHEN_EMPTY = (scorer.SEGMENT_NAME_COLUMN, scorer.FILLED_COLUMN)
#: The most one column of one row group may unpack to: Arrow unpacks a column chunk's pages whole, so one
#: compressed value of 256 MB (a 9 KB file) took the reader to 2.9 GB. A row group of the 100x file's clients
#: (50,000 rows) unpacks to a few MB a column; ``scripts/score.py --max-parquet-chunk-mb`` raises it.
MAX_PARQUET_CHUNK_BYTES = 64 * 1024 * 1024
#: pandas' note of its own index and dtypes, which would describe the input's columns only.
_PANDAS_METADATA = b"pandas"


class ParquetLayout(NamedTuple):
    """What a Parquet input is: the folder (or file), its files relative to it in reading order, their schema."""

    root: Path
    files: tuple[Path, ...]
    dataset: bool
    schema: pa.Schema
    rows: int

    def describe(self) -> str:
        """``a Parquet file`` or ``a Parquet dataset of 12 files``, as the command line says it."""
        if not self.dataset:
            return _("a Parquet file")
        return ngettext("a Parquet dataset of {count} file", "a Parquet dataset of {count} files",
                        len(self.files)).format(count=i18n.number(len(self.files)))

    def path(self, file: Path) -> Path:
        return self.root / file if self.dataset else self.root


def is_parquet(path: Path) -> bool:
    """Whether ``path`` is a Parquet file (told by its first bytes, not its name) or a folder (a dataset)."""
    path = Path(path)
    if path.is_dir():
        return True
    with path.open("rb") as handle:
        return handle.read(len(PARQUET_MAGIC)) == PARQUET_MAGIC


def natural_key(path: Path) -> list:
    """Order file names as people and Dask do: the numbers in them compared as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.as_posix())]


def dataset_files(folder: Path) -> tuple[Path, ...]:
    """The Parquet files of a dataset folder, relative to it, in natural order; hidden files and those Spark and
    Hadoop write beside the data (``_SUCCESS``, ``_metadata``) are left out."""
    files = [p.relative_to(folder) for p in Path(folder).rglob("*") if p.is_file()]
    visible = [f for f in files if not any(part.startswith((".", "_")) for part in f.parts)]
    return tuple(sorted((f for f in visible if f.suffix.lower() in (PARQUET_SUFFIX, ".parq", ".pq")),
                        key=natural_key))


def read_layout(source: Path, max_chunk_bytes: int | None = MAX_PARQUET_CHUNK_BYTES) -> ParquetLayout:
    """Find a Parquet input's files and check them from their footers, before any row is read.

    ``max_chunk_bytes``: the most one column of one row group may unpack to, as the footer records it (None: no
    limit); see :data:`MAX_PARQUET_CHUNK_BYTES`.

    Raises
    ------
    ClientFileError
        If a file is not Parquet, a folder holds none, the files' columns differ, a key column is missing, a
        field has more than one column, or a column of a row group would unpack past ``max_chunk_bytes``.
    """
    source = Path(source)
    name = file_name(source.name)
    dataset = source.is_dir()
    files = dataset_files(source) if dataset else (Path(source.name),)
    if not files:
        raise ClientFileError(_("{name} is a folder with no Parquet files (*.parquet) in it").format(name=name))
    schema, rows = None, 0
    for file in files:
        path = source / file if dataset else source
        try:
            metadata = pq.read_metadata(path)
        except (pa.ArrowInvalid, OSError) as error:
            raise _unreadable(path, error) from error
        _check_chunks(metadata, path, max_chunk_bytes)
        file_schema = metadata.schema.to_arrow_schema().remove_metadata()
        if schema is None:
            schema = file_schema
        elif not file_schema.equals(schema):
            raise ClientFileError(_("the files of {name} have different columns: {difference} in '{file}' against "
                                    "'{first}'; every file of a dataset needs the same").format(
                name=name, difference=_difference(file_schema, schema), file=file, first=files[0]))
        rows += metadata.num_rows
    layout = ParquetLayout(source, files, dataset, schema, rows)
    checked_field_columns(schema.names, name, layout.describe())
    return layout


def _check_chunks(metadata: pq.FileMetaData, path: Path, max_chunk_bytes: int | None) -> None:
    """Refuse a file one of whose column chunks would unpack past ``max_chunk_bytes`` (from its footer)."""
    if max_chunk_bytes is None:
        return
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for column in range(row_group.num_columns):
            chunk = row_group.column(column)
            if chunk.total_uncompressed_size > max_chunk_bytes:
                raise ClientFileError(_("{name}: column {column} of row group {group} unpacks to {size} MB; the "
                                        "limit is {limit} MB (scripts/score.py --max-parquet-chunk-mb raises it)")
                                      .format(name=file_name(path.name), column=repr(chunk.path_in_schema),
                                              group=i18n.number(group + 1),
                                              size=i18n.number(chunk.total_uncompressed_size / 2**20, 1),
                                              limit=i18n.number(max_chunk_bytes / 2**20)))


def _difference(schema: pa.Schema, first: pa.Schema) -> str:
    """How ``schema`` differs from ``first``, in a few words."""
    lacks = [n for n in first.names if n not in schema.names]
    adds = [n for n in schema.names if n not in first.names]
    retyped = [_("{column} ({type}, not {first_type})").format(column=f.name, type=f.type,
                                                              first_type=first.field(f.name).type) for f in schema
               if f.name in first.names and not f.type.equals(first.field(f.name).type)]
    parts = ([_("no {columns}").format(columns=", ".join(lacks))] if lacks else []) + \
        ([_("also {columns}").format(columns=", ".join(adds))] if adds else []) + \
        ([f"{', '.join(retyped)}"] if retyped else [])
    return "; ".join(parts) or _("the same columns in another order")


def _unreadable(path: Path, error: Exception) -> ClientFileError:
    return ClientFileError(_("{name} is not a readable Parquet file ({error})").format(
        name=file_name(path.name), error=str(error).strip()[:200]))


def scored_schema(schema: pa.Schema) -> pa.Schema:
    """The scored file's schema: the input's columns (less any scored columns it replaces), then scoring's."""
    names, replaced = scorer.output_column_names(schema.names)
    kept = [field for field in schema if field.name not in set(replaced)]
    return pa.schema(kept + [pa.field(names[column], kind) for column, kind in SCORED_TYPES.items()])


def scored_arrow(table: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """A scored chunk (:attr:`TableScore.table`) as Arrow in ``schema`` (from :func:`scored_schema`)."""
    arrow = pa.Table.from_pandas(table, schema=schema, preserve_index=False)
    for column in _NULL_WHEN_EMPTY:
        i = len(schema) - len(SCORED_TYPES) + list(SCORED_TYPES).index(column)
        values = arrow.column(i)
        arrow = arrow.set_column(i, schema.field(i), pc.if_else(pc.equal(values, ""), None, values))
    return arrow


def frame(batch: pa.RecordBatch | pa.Table) -> pd.DataFrame:
    """Arrow rows as pandas with every column Arrow-backed, so they go back to Parquet with their own types."""
    return batch.to_pandas(types_mapper=pd.ArrowDtype)


class ScoredParquetWriter:
    """Writes a scored Parquet file, or one scored file per input file of a dataset, beside the target, and
    moves it into place on :meth:`commit`; leaving without a commit removes what was written."""

    def __init__(self, layout: ParquetLayout, target: Path):
        self.layout, self.target = layout, Path(target)
        self.schema = scored_schema(layout.schema)
        self.partial = self.target.with_name(f".{self.target.name}.partial")
        self._writers: dict[Path, pq.ParquetWriter] = {}

    def __enter__(self) -> "ScoredParquetWriter":
        _remove(self.partial)
        if self.layout.dataset:
            self.partial.mkdir(parents=True)
        return self

    def write(self, file: Path, table: pa.Table) -> None:
        """Append scored rows (in ``self.schema``) to the output of input ``file``."""
        writer = self._writers.get(file)
        if writer is None:
            path = self.partial / file if self.layout.dataset else self.partial
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = self._writers[file] = pq.ParquetWriter(path, self.schema)
        writer.write_table(table)

    def commit(self) -> None:
        for file in self.layout.files:  # an input file without rows still gets its (empty) scored file
            if file not in self._writers:
                self.write(file, self.schema.empty_table())
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        if self.target.is_file():
            self.target.unlink()  # a file is replaced, as the CSV path does; a folder never (checked before)
        self.partial.rename(self.target)

    def __exit__(self, *exc) -> None:
        for writer in self._writers.values():
            writer.close()
        _remove(self.partial)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def check_target(layout: ParquetLayout, target: Path) -> None:
    """Refuse a target that would hide what was written: a dataset's into an existing folder or file, a file's
    onto a folder."""
    target = Path(target)
    if layout.dataset and target.exists():
        raise ClientFileError(_("'{target}' exists; a scored dataset is written into a new folder: name one that "
                                "does not exist yet").format(target=target))
    if not layout.dataset and target.is_dir():
        raise ClientFileError(_("'{target}' is a folder; a scored Parquet file is written as one file").format(
            target=target))


def score_parquet_stream(source: Path, target: Path, model: scorer.ScoringModel, chunk_rows: int = 50_000,
                         progress: bool = False,
                         max_chunk_bytes: int | None = MAX_PARQUET_CHUNK_BYTES) -> StreamSummary:
    """Score a Parquet file or dataset of any size, a record batch at a time, into a new one of the same kind.

    Parameters
    ----------
    source : Path
        A Parquet file, or a folder of them (see :func:`dataset_files`).
    target : Path
        The scored file (replaced if it exists), or the scored dataset's folder (must not exist yet); written
        beside it and moved into place, so a failure leaves nothing half written.
    model : ScoringModel
    chunk_rows : int
        Rows per record batch.
    progress : bool
        Show a progress bar of the rows.

    Returns
    -------
    StreamSummary
        ``dialect`` is the :class:`ParquetLayout`.

    Raises
    ------
    ClientFileError
        If the input is not Parquet, its files differ, a key column is missing, or the target is taken.
    """
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows={chunk_rows} must be at least 1")
    layout = read_layout(source, max_chunk_bytes)
    check_target(layout, target)
    tally = StreamTally(model.segment_names)
    headers = layout.schema.names
    with tqdm(total=layout.rows, desc="scoring", unit="rows", disable=not progress) as bar, \
            ScoredParquetWriter(layout, target) as writer:
        for file in layout.files:
            path = layout.path(file)
            try:
                with pq.ParquetFile(path) as parquet:
                    for batch in parquet.iter_batches(batch_size=chunk_rows):
                        result = score_chunk(frame(batch), headers, model,
                                             first_row=scorer.FIRST_DATA_ROW + tally.rows)
                        writer.write(file, scored_arrow(result.table, writer.schema))
                        tally.add(result)
                        bar.update(batch.num_rows)
            except (pa.ArrowException, OSError) as error:  # a damaged page, or one too large to unpack
                raise _unreadable(path, error) from error
        if tally.rows == 0:
            raise ClientFileError(_("{name} has columns but no client rows").format(name=file_name(Path(source).name)))
        writer.commit()
    return tally.summary(layout)
