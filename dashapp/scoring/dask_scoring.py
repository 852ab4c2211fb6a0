"""Scoring a file on a Dask cluster (``scripts/score.py --dask ADDRESS``): the workers read and score, this
process writes.

The input is read with ``dask.dataframe``: a CSV file in blocks of about ``chunk_rows`` rows (at most
:data:`dashapp.scoring.client_files.STREAM_BLOCK_BYTES`), in the dialect and encoding
:func:`dashapp.scoring.client_files.csv_file_header` finds, as the local stream does; a Parquet file by row group; a
Parquet dataset one partition per file. ``map_partitions`` runs :func:`dashapp.scoring.client_streams.score_chunk`, the
step the local streams take, on every partition. Each worker then renders its scored partition (CSV text in the
input's dialect, or an Arrow table in the scored schema) and counts it; this process takes the parts back in
order, a few at a time, and writes one CSV file, or the Parquet file or dataset, as the local path does. So the
workers and this process hold only a few partitions at a time, whatever the file's size.

What runs where: the workers must see the input at the same path (a shared file system); the scored file is
written here, beside the target, and moved into place when complete. The scoring model (the voters' codes and
the tree's table, about 1.2 MB pickled on the UCI build) is scattered to every worker once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from dashapp.analysis.dask_backend import dask_client
from dashapp.core import i18n
from dashapp.core.i18n import _
from dashapp.scoring import client_files, client_parquet, client_workbooks, scorer
from dashapp.scoring.client_files import ClientFileError, file_name
from dashapp.scoring.client_streams import StreamSummary, StreamTally, score_chunk

#: Partitions in flight per worker thread: enough to keep every worker busy while this process writes.
PARTS_AHEAD_PER_THREAD = 2


def _positional(count: int) -> list[str]:
    # A CSV header may repeat a name; Dask's frames need distinct ones, so columns travel by position.
    return [f"column_{i}" for i in range(count)]


def score_partition(partition: pd.DataFrame, headers: list, model: scorer.ScoringModel,
                    language: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """:func:`dashapp.scoring.client_streams.score_chunk` on one partition, its columns named by position, its reasons
    in ``language``."""
    with i18n.use_language(language):
        table = score_chunk(partition, headers, model).table
    return table.set_axis(_positional(table.shape[1]), axis=1)


def _counts(scored: pd.DataFrame) -> tuple[int, int, dict[int, int]]:
    segment = scored.iloc[:, -len(scorer.OUTPUT_COLUMNS) + 1]
    return len(scored), int(segment.notna().sum()), {int(s): int(n) for s, n in segment.value_counts().items()}


def _csv_part(scored: pd.DataFrame, headers: list, dialect) -> tuple[bytes, tuple]:
    """A scored partition as the lines of the CSV file (no header), and its counts (on a worker)."""
    return client_files.client_csv_bytes(scored.set_axis(headers, axis=1), dialect, header=False), _counts(scored)


def _parquet_part(scored: pd.DataFrame, schema: pa.Schema) -> tuple[pa.Table, tuple]:
    """A scored partition as Arrow in the scored schema, and its counts (on a worker)."""
    return client_parquet.scored_arrow(scored.set_axis(schema.names, axis=1), schema), _counts(scored)


def _in_order(client, parts: list, ahead: int) -> Iterator:
    """The parts' results in order, with at most ``ahead`` computed or being computed at any time."""
    pending: deque = deque()
    for part in parts:
        pending.append(client.compute(part))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _read_error(source: Path, error: Exception, parquet: bool) -> ClientFileError:
    name = file_name(Path(source).name)
    if isinstance(error, FileNotFoundError):
        return ClientFileError(_("the Dask workers cannot read {source} ({error}); the input must be on storage "
                                 "every worker sees at the same path").format(source=source, error=error))
    if parquet:
        return ClientFileError(_("{name} is not a readable Parquet file or dataset ({error})").format(
            name=name, error=str(error).strip()[:300]))
    return ClientFileError(_("{name} is not a well-formed CSV file ({error})").format(
        name=name, error=str(error).strip()[:300]))


def score_file_on_cluster(source: Path, target: Path, model: scorer.ScoringModel, address: str,
                          chunk_rows: int = 50_000, progress: bool = False) -> StreamSummary:
    """Score a CSV file, a Parquet file or a Parquet dataset on the Dask cluster at ``address``.

    The scored output is the one the local path writes (:func:`dashapp.scoring.client_files.score_csv_stream`,
    :func:`dashapp.scoring.client_parquet.score_parquet_stream`): every row in order, every column as it was, scoring's
    columns added. The values read leniently are not gathered (the summary's ``normalised`` is empty).

    Parameters
    ----------
    source, target : Path
    model : ScoringModel
    address : str
        The scheduler (``tcp://host:8786``).
    chunk_rows : int
        About this many rows per CSV partition (a Parquet file's partitions are its row groups).
    progress : bool
        Show a progress bar of the partitions.

    Raises
    ------
    ClientFileError
        As the local paths do; and for a workbook (scored on this machine only).
    dashapp.analysis.dask_backend.DaskUnavailable
        If the extra is missing or the scheduler cannot be reached.
    """
    source, target = Path(source), Path(target)
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows={chunk_rows} must be at least 1")
    parquet = client_parquet.is_parquet(source)
    if not parquet:
        with source.open("rb") as handle:
            if client_workbooks.is_workbook(handle.read(8)):
                raise ClientFileError(_("{name} is an Excel workbook; --dask scores CSV and Parquet files: score a "
                                        "workbook without it, or save it as CSV").format(name=file_name(source.name)))
    with dask_client(address) as client:
        model_on_workers = client.scatter(model, broadcast=True)
        try:
            if parquet:
                return _score_parquet(client, source, target, model, model_on_workers, progress)
            return _score_csv(client, source, target, model, model_on_workers, chunk_rows, progress)
        except (pd.errors.ParserError, pa.ArrowInvalid, UnicodeDecodeError, OSError) as error:
            raise _read_error(source, error, parquet) from error


def _scored_parts(client, frame, headers: list, model, model_on_workers, render, *render_args) -> list:
    """One delayed (rendered part, counts) per partition of ``frame``, scored by :func:`score_partition`."""
    from dask import delayed

    meta = score_partition(frame._meta, headers, model)
    # The workers write the reasons in this command's language: they have no context of their own.
    scored = frame.map_partitions(score_partition, headers, model_on_workers, i18n.current_language(), meta=meta)
    return [delayed(render, pure=True)(part, *render_args) for part in scored.to_delayed()]


def _gathered(client, parts: list, progress: bool) -> Iterable:
    ahead = PARTS_AHEAD_PER_THREAD * max(1, sum(client.nthreads().values()))
    with tqdm(total=len(parts), desc="scoring", unit="parts", disable=not progress) as bar:
        for result in _in_order(client, parts, ahead):
            yield result
            bar.update(1)


def _score_csv(client, source, target, model, model_on_workers, chunk_rows, progress) -> StreamSummary:
    import dask.dataframe as dd

    headers, dialect, head = client_files.csv_file_header(source)
    frame = dd.read_csv(str(source), sep=dialect.delimiter, encoding=dialect.encoding, header=0,
                        names=_positional(len(headers)), dtype=str, keep_default_na=False, na_filter=False,
                        blocksize=client_files.stream_block_bytes(head, chunk_rows, smallest=1024))
    scored_headers = list(score_chunk(frame._meta, headers, model).table.columns)
    parts = _scored_parts(client, frame, headers, model, model_on_workers, _csv_part, scored_headers, dialect)
    tally = StreamTally(model.segment_names)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with partial.open("wb") as out:
            out.write(client_files.client_csv_bytes(pd.DataFrame(columns=scored_headers), dialect))
            for text, counts in _gathered(client, parts, progress):
                out.write(text)
                tally.add_counts(*counts, {})
        if tally.rows == 0:
            raise ClientFileError(_("{name} has a header but no client rows").format(name=file_name(source.name)))
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return tally.summary(dialect)


def _score_parquet(client, source, target, model, model_on_workers, progress) -> StreamSummary:
    import dask.dataframe as dd

    layout = client_parquet.read_layout(source)
    client_parquet.check_target(layout, target)
    # A dataset: one partition per file, so each scored file mirrors its input; a file: one per row group.
    frame = dd.read_parquet([str(layout.path(f)) for f in layout.files], dtype_backend="pyarrow", index=False,
                            split_row_groups=not layout.dataset, calculate_divisions=False)
    if layout.dataset and frame.npartitions != len(layout.files):
        raise ClientFileError(_("Dask read {partitions} partitions from the {files} files of {name}; expected one per "
                                "file").format(partitions=frame.npartitions, files=len(layout.files),
                                               name=file_name(source.name)))
    frame = frame.rename(columns=dict(zip(frame.columns, _positional(len(frame.columns)))))
    tally = StreamTally(model.segment_names)
    with client_parquet.ScoredParquetWriter(layout, target) as writer:
        parts = _scored_parts(client, frame, layout.schema.names, model, model_on_workers, _parquet_part,
                              writer.schema)
        for i, (table, counts) in enumerate(_gathered(client, parts, progress)):
            writer.write(layout.files[i] if layout.dataset else layout.files[0], table)
            tally.add_counts(*counts, {})
        if tally.rows == 0:
            raise ClientFileError(_("{name} has columns but no client rows").format(name=file_name(source.name)))
        writer.commit()
    return tally.summary(layout)
