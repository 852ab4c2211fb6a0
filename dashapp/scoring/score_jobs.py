"""Scoring a file as a job: in chunks that report progress, and the scored file kept a while for its download.

The Score page scores an uploaded file in a Dash background callback: a process of its own per job, which reports
the rows scored so far and can be cancelled, so a large file never holds a web worker's thread. The jobs' state and
the scored files live in a diskcache folder shared by the web workers and the jobs (no server needed). Its place
is read here, from ``BANK_JOB_CACHE_DIR``, because the settings module belongs to the build; the default is a
folder in the system's temporary directory, never inside the repository (the code and ``model/`` may be read-only).

Dash-free, like the rest of the core: the page and the app factory wire these into Dash.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import diskcache
import numpy as np
import pandas as pd

from dashapp.core.environment import positive_whole_number
from dashapp.core.fields import CATEGORY_FIELDS
from dashapp.scoring import scorer

JOB_CACHE_ENV = "BANK_JOB_CACHE_DIR"
CHUNK_ROWS_ENV = "BANK_SCORE_CHUNK_ROWS"
#: How many files this machine scores at once (default: its cores); a job beyond them waits for a free place.
MAX_JOBS_ENV = "BANK_MAX_SCORING_JOBS"
#: How often a waiting job looks for a free place (seconds).
SLOT_POLL_SECONDS = 0.5
#: Rows per chunk: small enough for a progress bar that moves on a file of tens of thousands of rows, large
#: enough that the chunks' fixed costs stay a few per cent of the time.
DEFAULT_CHUNK_ROWS = 10_000
#: How long a scored file is kept for its download after scoring (seconds since it was stored).
SCORED_FILE_SECONDS = 60 * 60
#: Disk kept for scored files: the oldest are dropped first beyond it (a download then scores the upload again).
SCORED_FILES_BYTES = 2 * 1024**3


def job_cache_dir(environ: dict[str, str] | None = None) -> Path:
    """The folder of the jobs' state and the scored files: ``BANK_JOB_CACHE_DIR``, or one in the temp dir."""
    env = os.environ if environ is None else environ
    configured = env.get(JOB_CACHE_ENV, "").strip()
    # One folder per user by default: it holds Dash's signing secret and users' scored files (see _folder).
    return Path(configured) if configured else Path(tempfile.gettempdir()) / f"bank-segmentation-jobs-{os.getuid()}"


def _folder(name: str) -> str:
    # Readable by the app's user only: Dash signs its job handles with a secret kept here, and the scored files
    # are clients' data.
    folder = job_cache_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return str(folder / name)


def chunk_rows(environ: dict[str, str] | None = None) -> int:
    """Rows per chunk: ``BANK_SCORE_CHUNK_ROWS`` (a positive whole number) or :data:`DEFAULT_CHUNK_ROWS`.

    Raises
    ------
    ValueError
        If the variable is set to anything but a positive whole number.
    """
    return positive_whole_number(CHUNK_ROWS_ENV, DEFAULT_CHUNK_ROWS, "rows", environ)


def max_jobs(environ: dict[str, str] | None = None) -> int:
    """Files scored at once: ``BANK_MAX_SCORING_JOBS`` (a positive whole number) or the machine's cores.

    Each job holds its file and its scored copy in memory (a worst-case 10 MB CSV about 1.3 GB), so this bounds
    the memory the jobs take, whoever starts them.
    """
    return positive_whole_number(MAX_JOBS_ENV, max(1, os.cpu_count() or 1), "jobs", environ)


@contextmanager
def job_slot(waiting: Callable[[int], None] | None = None, poll: float = SLOT_POLL_SECONDS) -> Iterator[None]:
    """Hold one of the machine's :func:`max_jobs` places for scoring while the block runs.

    Every place is a lock file in the job folder (``flock``), shared by the web workers and the job processes,
    and released by the system when its process ends, cancelled or killed: none is ever lost. When every place
    is taken the job waits, telling ``waiting`` how many files are being scored, until one frees.
    """
    folder = Path(_folder("slots"))
    folder.mkdir(mode=0o700, exist_ok=True)
    places = max_jobs()
    while True:
        for place in range(places):
            handle = open(folder / f"place-{place}", "a+b")  # noqa: SIM115 (held while the job runs)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
            return
        if waiting is not None:
            waiting(places)
        time.sleep(poll)


@cache
def callback_cache() -> diskcache.Cache:
    """The cache Dash's background callback manager keeps its jobs' progress and results in.

    Apart from the scored files, so that their size limit never evicts a job's result or Dash's signing secret.
    """
    return diskcache.Cache(_folder("callbacks"))


@cache
def _scored_files() -> diskcache.Cache:
    return diskcache.Cache(_folder("scored-files"), size_limit=SCORED_FILES_BYTES)


def keep_scored_file(content: bytes) -> str:
    """Store a scored file for :data:`SCORED_FILE_SECONDS`; return the token that fetches it.

    The token is random (it names one user's file, so it must not be guessable) and the only way to the file.
    """
    token = secrets.token_urlsafe(16)
    _scored_files().set(token, content, expire=SCORED_FILE_SECONDS)
    return token


def scored_file(token: object) -> bytes | None:
    """The scored file stored under ``token``, or None when it expired, was dropped, or the token is not ours."""
    if not isinstance(token, str) or not token:
        return None
    content = _scored_files().get(token)
    return content if isinstance(content, bytes) else None


# --- Scoring in chunks ---------------------------------------------------------------------------------------


def score_table_in_chunks(table: pd.DataFrame, model: scorer.ScoringModel, rows_per_chunk: int = DEFAULT_CHUNK_ROWS,
                          progress: Callable[[int, int], None] | None = None) -> scorer.TableScore:
    """:func:`dashapp.scoring.scorer.score_table` on consecutive chunks of rows, telling ``progress`` after each.

    Every row is scored on its own, so the result is the one scoring the table in one go gives (the tests
    compare them); the chunks only let a job report how far it got and be stopped between two of them.

    Parameters
    ----------
    table : DataFrame
        Rows as read from a file (see :func:`dashapp.scoring.scorer.score_table`).
    model : ScoringModel
    rows_per_chunk : int
        Rows scored at a time (at least 1).
    progress : callable, optional
        Called with (rows scored so far, rows in the table) after every chunk.

    Returns
    -------
    TableScore
        As :func:`dashapp.scoring.scorer.score_table` returns it for the whole table.
    """
    if rows_per_chunk < 1:
        raise ValueError(f"rows_per_chunk={rows_per_chunk} must be at least 1")
    total = len(table)
    parts = []
    for start in range(0, max(total, 1), rows_per_chunk):
        chunk = table.iloc[start:start + rows_per_chunk]
        # Every distinct refusal kept, so that merging the chunks' gives exactly the whole table's.
        parts.append(scorer.score_table(chunk, model, first_row=scorer.FIRST_DATA_ROW + start,
                                         refusals_kept=None))
        if progress is not None:
            progress(start + len(chunk), total)
    return _combined(parts)


def _combined(parts: Sequence[scorer.TableScore]) -> scorer.TableScore:
    """The chunks' results as one: rows in order, refusals merged, lenient readings counted together."""
    first = parts[0]
    # score_table lists what it read leniently field by field, each value where it first appears; a value first
    # seen in a later chunk first appears after every value of the earlier chunks, so merging in chunk order and
    # then ordering by field gives the same list.
    rows: dict[tuple[str, str, str], int] = {}
    for part in parts:
        for item in part.normalised:
            key = (item.column, item.written, item.read_as)
            rows[key] = rows.get(key, 0) + item.rows
    field_of = {str(first.columns[f]): i for i, f in enumerate(CATEGORY_FIELDS) if f in first.columns}
    ordered = sorted(rows.items(), key=lambda item: field_of.get(item[0][0], len(field_of)))
    refusals, problems = scorer.merged_refusals([part.refusals for part in parts])
    return scorer.TableScore(
        table=pd.concat([part.table for part in parts]) if len(parts) > 1 else first.table,
        refusals=refusals,
        problems=problems,
        refused_rows=np.concatenate([part.refused_rows for part in parts]),
        normalised=tuple(scorer.Normalised(column, written, read_as, count)
                         for (column, written, read_as), count in ordered),
        columns=first.columns)
