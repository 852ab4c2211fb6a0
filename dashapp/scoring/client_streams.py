"""A file of clients scored chunk by chunk, whatever its format: the one scoring step and the running counts.

Dash-free. The CSV stream (:func:`dashapp.scoring.client_files.score_csv_stream`), the Parquet stream
(:mod:`dashapp.scoring.client_parquet`) and each partition on a Dask cluster (:mod:`dashapp.scoring.dask_scoring`) read
their rows their own way, then all score them with :func:`score_chunk` and count them with :class:`StreamTally`, so
their answers and summaries (:class:`StreamSummary`, which a workbook's scoring gives too) cannot drift apart.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from dashapp.scoring import scorer


class StreamSummary(NamedTuple):
    """Counts of a scored file (by :func:`dashapp.scoring.client_files.score_csv_stream`, or the Parquet, workbook and
    Dask paths): rows, rows scored, rows not scored, clients per segment, how the file is written (a
    :class:`~dashapp.sources.csv_dialect.Dialect`, or what :mod:`dashapp.scoring.client_parquet` and
    :mod:`dashapp.scoring.client_workbooks` read), and the values read leniently (column, as written, read as) ->
    rows."""

    rows: int
    scored: int
    refused: int
    segments: dict[int, int]
    dialect: object
    normalised: dict[tuple[str, str, str], int]


def score_chunk(chunk: pd.DataFrame, headers: list, model: scorer.ScoringModel,
                first_row: int = scorer.FIRST_DATA_ROW) -> scorer.TableScore:
    """Score consecutive rows of a file: the one step every path takes over a file of any size (the CSV and
    Parquet streams in :mod:`dashapp.scoring.client_files` and :mod:`dashapp.scoring.client_parquet`, each partition on
    a Dask cluster in :mod:`dashapp.scoring.dask_scoring`), so that they cannot drift apart.

    Parameters
    ----------
    chunk : DataFrame
        The rows as read (CSV cells as text; Parquet columns with their types), columns in the file's order.
    headers : list
        The file's column names, in order (a CSV header may repeat a name, which pandas would not keep).
    model : ScoringModel
    first_row : int
        The spreadsheet row number of the chunk's first row (what the refusals list).

    Returns
    -------
    TableScore
        As :func:`dashapp.scoring.scorer.score_table` gives it for these rows.
    """
    return scorer.score_table(chunk.set_axis(headers, axis=1), model, first_row=first_row)


class StreamTally:
    """The running counts of a file scored chunk by chunk, for its :class:`StreamSummary`."""

    def __init__(self, segment_numbers):
        self.rows = self.scored = 0
        self.segments = dict.fromkeys(sorted(segment_numbers), 0)
        self.normalised: dict[tuple[str, str, str], int] = {}

    def add(self, result: scorer.TableScore) -> None:
        """Count one scored chunk."""
        self.add_counts(len(result.table), result.scored_count, scorer.segment_counts(result, self.segments),
                        {(n.column, n.written, n.read_as): n.rows for n in result.normalised})

    def add_counts(self, rows: int, scored: int, segments: dict[int, int],
                   normalised: dict[tuple[str, str, str], int]) -> None:
        """Count one chunk from its counts (what a Dask worker sends back instead of the chunk)."""
        self.rows += rows
        self.scored += scored
        for segment, count in segments.items():
            self.segments[segment] = self.segments.get(segment, 0) + count
        for key, count in normalised.items():
            self.normalised[key] = self.normalised.get(key, 0) + count

    def summary(self, written: object) -> StreamSummary:
        return StreamSummary(self.rows, self.scored, self.rows - self.scored, self.segments, written,
                             self.normalised)
