"""Make a bigger client file for the scale benchmarks: N times the UCI file, its joint distribution and time order
kept. Output is generated, never committed: write it under /tmp (or a git-ignored folder such as data/).

For each month of the file, in the file's order (May 2008 .. November 2010), N times its rows are drawn with
replacement (whole rows: every column of a client and its call comes together, so the joint distribution is the
file's), each drawn client's age moved by up to two years and its call count (``campaign``) by up to one, both
kept within the file's range; each row gets a ``contact_date`` within its month on its own weekday
(``day_of_week``), and a month's rows are written in date order. A build given ``--date-column contact_date``
therefore splits the generated file in time, as it splits the UCI file (without it, a file that is not the UCI
file gets a random split). Deterministic for ``--seed``; written a block at a time, so a 100x file (4,118,800
rows) needs little memory.

    python benchmarks/make_clients.py --factor 10 --out /tmp/clients-10x.csv      # the UCI layout (;, quoted)
    python benchmarks/make_clients.py --factor 100 --out /tmp/clients-100x.parquet
"""

from __future__ import annotations

import argparse
import calendar
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashapp.sources import bank_table  # noqa: E402

#: Rows formatted and written at a time (memory: a few hundred bytes per row).
BLOCK_ROWS = 200_000
#: How far an age and a call count move, at most (years, calls).
AGE_JITTER, CAMPAIGN_JITTER = 2, 1
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class SourceRows:
    """The UCI file as the generator draws from it: typed rows, each row's text fields, and its month."""

    table: pd.DataFrame
    header: str
    #: Each row's text between ``age`` and ``campaign``, and after ``campaign`` (as the file writes them).
    before_campaign: np.ndarray
    after_campaign: np.ndarray
    #: Each row's contact month (first day), from the file's month order
    #: (:func:`dashapp.sources.bank_table.contact_dates`).
    months: pd.Series

    @classmethod
    def read(cls, path: Path) -> "SourceRows":
        lines = path.read_text(encoding="utf-8").splitlines()
        header, rows = lines[0], [line for line in lines[1:] if line]
        names = [name.strip('"') for name in header.split(";")]
        age, campaign = names.index("age"), names.index("campaign")
        if (age, campaign) != (0, 11):
            raise ValueError(f"{path} is not in the bank-additional layout (age first, campaign 12th)")
        fields = [row.split(";") for row in rows]
        table = pd.read_csv(path, sep=";")
        return cls(table=table, header=header,
                   before_campaign=np.array([";".join(f[1:11]) for f in fields], dtype=object),
                   after_campaign=np.array([";".join(f[12:]) for f in fields], dtype=object),
                   months=bank_table.contact_dates(table["month"]))


@dataclass(frozen=True)
class GeneratedBlock:
    """Rows of the generated file: which source row each copies, and its new age, call count and date."""

    source_row: np.ndarray
    age: np.ndarray
    campaign: np.ndarray
    contact_date: np.ndarray  # datetime64[D]


def generate(source: SourceRows, factor: int, seed: int, block_rows: int = BLOCK_ROWS) -> Iterator[GeneratedBlock]:
    """The generated rows, month by month in the file's order, in blocks of at most ``block_rows``.

    Parameters
    ----------
    source : SourceRows
    factor : int
        Rows per source row (the generated file has ``factor`` times the rows), at least 1.
    seed : int
    block_rows : int

    Yields
    ------
    GeneratedBlock
    """
    if factor < 1:
        raise ValueError(f"factor={factor} must be at least 1")
    rng = np.random.default_rng(seed)
    ages = source.table["age"].to_numpy()
    calls = source.table["campaign"].to_numpy()
    weekdays = source.table["day_of_week"].map({d: i for i, d in enumerate(_WEEKDAYS)}).to_numpy()
    month_starts = source.months.to_numpy()
    # Runs of equal months, in file order (the file runs forward in time, one run per month).
    boundaries = np.flatnonzero(np.concatenate([[True], month_starts[1:] != month_starts[:-1], [True]]))
    for start, stop in zip(boundaries[:-1], boundaries[1:]):
        first_day = pd.Timestamp(month_starts[start])
        drawn = start + rng.integers(0, stop - start, size=factor * (stop - start))
        dates = _dates_on_weekday(first_day, weekdays[drawn], rng)
        order = np.lexsort((drawn, dates))
        drawn, dates = drawn[order], dates[order]
        age = np.clip(ages[drawn] + rng.integers(-AGE_JITTER, AGE_JITTER + 1, size=len(drawn)),
                      ages.min(), ages.max())
        campaign = np.clip(calls[drawn] + rng.integers(-CAMPAIGN_JITTER, CAMPAIGN_JITTER + 1, size=len(drawn)),
                           calls.min(), calls.max())
        for lo in range(0, len(drawn), block_rows):
            part = slice(lo, lo + block_rows)
            yield GeneratedBlock(drawn[part], age[part], campaign[part], dates[part])


def _dates_on_weekday(first_day: pd.Timestamp, weekdays: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each row, a day of ``first_day``'s month on the row's weekday (0 = Monday), drawn uniformly."""
    n_days = calendar.monthrange(first_day.year, first_day.month)[1]
    days = np.arange(n_days)
    weekday_of_day = (first_day.weekday() + days) % 7
    choices = [days[weekday_of_day == w] for w in range(7)]
    counts = np.array([len(c) for c in choices])
    pick = np.floor(rng.random(len(weekdays)) * counts[weekdays]).astype(np.int64)
    offsets = np.zeros(len(weekdays), dtype=np.int64)
    for w in np.unique(weekdays):
        rows = weekdays == w
        offsets[rows] = choices[w][pick[rows]]
    return np.datetime64(first_day.date(), "D") + offsets


def write_csv(source: SourceRows, blocks: Iterator[GeneratedBlock], path: Path) -> int:
    """Write the blocks in the UCI file's layout (``;``, text quoted) plus ``contact_date``; return the rows."""
    rows = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(f'{source.header};"{bank_table.CONTACT_DATE}"\n')
        for block in blocks:
            before, after = source.before_campaign[block.source_row], source.after_campaign[block.source_row]
            dates = block.contact_date.astype(str)
            out.write("".join(f'{a};{b};{c};{d};"{e}"\n' for a, b, c, d, e in
                              zip(block.age.tolist(), before, block.campaign.tolist(), after, dates)))
            rows += len(block.source_row)
    return rows


def write_parquet(source: SourceRows, blocks: Iterator[GeneratedBlock], path: Path) -> int:
    """Write the blocks as a parquet file of the bank-additional columns (typed) plus ``contact_date``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows, writer = 0, None
    try:
        for block in blocks:
            table = source.table.iloc[block.source_row].reset_index(drop=True)
            table["age"] = block.age
            table["campaign"] = block.campaign
            table[bank_table.CONTACT_DATE] = block.contact_date
            arrow = pa.Table.from_pandas(table, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, arrow.schema)
            writer.write_table(arrow)
            rows += len(table)
    finally:
        if writer is not None:
            writer.close()
    return rows


def make_clients(source_csv: Path, factor: int, out: Path, seed: int = 0) -> int:
    """Write ``factor`` times ``source_csv``'s rows to ``out`` (.csv or .parquet); return the rows written."""
    source = SourceRows.read(source_csv)
    blocks = generate(source, factor, seed)
    if out.suffix == ".parquet":
        return write_parquet(source, blocks, out)
    if out.suffix != ".csv":
        raise ValueError(f"{out.name}: the output must end in .csv or .parquet")
    return write_csv(source, blocks, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=int, required=True, help="times the UCI file's rows (10: 411,880)")
    parser.add_argument("--out", type=Path, required=True, help="the file to write: .csv or .parquet")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", type=Path, default=None,
                        help="a file of the UCI layout (default: BANK_MARKETING_CSV)")
    args = parser.parse_args(argv)
    source = args.source or os.environ.get("BANK_MARKETING_CSV")
    if source is None:
        parser.error("give --source or set BANK_MARKETING_CSV")
    start = time.perf_counter()
    rows = make_clients(Path(source), args.factor, args.out, args.seed)
    print(f"wrote {rows:,} rows to {args.out} in {time.perf_counter() - start:.1f} s "
          f"({args.out.stat().st_size / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
