"""The Data page's filter change at 1x, 10x and 100x the clients: pandas, Polars and DuckDB side by side.

A filter change asks for every aggregate the page draws (the counts and subscriptions per value of 15 columns,
the call durations' boxes, the month-by-month sums, the rates per segment and period). Each engine answers them
for a round of filters (ages, jobs, segments, periods; a new filter every time, so nothing is cached):

- pandas: the clients in memory as numpy codes (:class:`dashapp.views.data.ClientTable`, the page until issue
  14), every aggregate by ``np.bincount``;
- Polars: the clients in memory as a Polars frame, each section's counts by ``group_by``;
- DuckDB: nothing in memory, SQL over ``clients.parquet`` (:class:`dashapp.views.data_queries.ClientEngine`,
  the page now).

The 10x and 100x clients are the artifact's rows repeated with new client ids (written to ``--scratch``,
``/tmp`` by default, never committed); :func:`replicate_model` also makes a whole model folder of them for
``bench_pages.py --model-dir``.

    python benchmarks/bench_data_engine.py [--model-dir model] [--factors 1 10 100] [--rounds 20]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dashapp.artifacts import model_folder  # noqa: E402
from dashapp.artifacts.client_queries import ClientQueries  # noqa: E402
from dashapp.core import domain
from dashapp.views import rates  # noqa: E402
from dashapp.views import data as view  # noqa: E402
from dashapp.views.data_queries import COUNTED_TOGETHER, ClientEngine  # noqa: E402


def replicate_model(model_dir: Path, factor: int, out_dir: Path) -> Path:
    """A copy of ``model_dir`` whose clients are its clients ``factor`` times, with new ids (0 .. n*factor-1).

    The other artifacts are linked, not copied; the manifest records the new file's checksum and rows and this
    code's version, so the app loads the folder as it would a build.
    """
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    for path in Path(model_dir).iterdir():
        if path.name not in (model_folder.CLIENTS, model_folder.MANIFEST):
            (out_dir / path.name).symlink_to(path.resolve())
    clients = pd.read_parquet(Path(model_dir) / model_folder.CLIENTS)
    many = pd.concat([clients] * factor, ignore_index=True)
    many.index.name = clients.index.name
    many.to_parquet(out_dir / model_folder.CLIENTS)
    manifest = json.loads((Path(model_dir) / model_folder.MANIFEST).read_text())
    manifest["artifacts"][model_folder.CLIENTS]["sha256"] = model_folder.file_sha256(out_dir / model_folder.CLIENTS)
    manifest["data"]["rows"] = len(many)
    manifest["code_version"] = model_folder.code_version()
    (out_dir / model_folder.MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return out_dir


def filters(space: view.FilterSpace, rounds: int) -> list[view.ClientFilter]:
    """A different filter every round: an age range, and in turn a job, a segment or a period."""
    jobs, months = domain.CATEGORIES["job"], space.months
    specs = []
    for i in range(rounds):
        extra = ({"job": (jobs[i % len(jobs)],)} if i % 3 == 0 else {"segment": (1 + i % 4,)} if i % 3 == 1
                 else {"period": (months[i % 8], months[-1 - i % 8])} if months else {})
        specs.append(view.ClientFilter(age=(20 + i % 15, 50 + i % 20), **extra))
    return specs


def _every_aggregate(selected, names: dict, segments: tuple) -> None:
    """What the page's callbacks ask of one filter, on :class:`view.Selection` or :class:`QuerySelection`."""
    for group in COUNTED_TOGETHER:
        for column in group:
            selected.outcome_by(column)
    selected.duration_summary(), selected.monthly_summary(), selected.unknown_audit()
    selected.subscription_rates(names, segments)


def _polars_round(frame, spec: view.ClientFilter) -> None:
    """The same questions with Polars: a filter, then each section's counts by ``group_by``."""
    import polars as pl

    condition = pl.lit(True)
    if spec.age:
        condition &= pl.col("age").is_between(*spec.age)
    for name in ("job", "marital", "education"):
        if getattr(spec, name):
            condition &= pl.col(name).is_in(list(getattr(spec, name)))
    if spec.segment:
        condition &= pl.col("segment").is_in(list(spec.segment))
    if spec.period:
        first, last = (pd.Period(month, freq="M") for month in spec.period)
        condition &= pl.col("contact_date").is_between(first.start_time, (last + 1).start_time, closed="left")
    selected = frame.filter(condition)
    subscribed = (pl.col("y") == "yes").sum().alias("subscribed")
    for group in COUNTED_TOGETHER:
        for column in group:
            selected.group_by(column).agg(pl.len().alias("clients"), subscribed)
    selected.group_by("contact", "y", "duration").agg(pl.len())
    selected.group_by(pl.col("contact_date").dt.truncate("1mo")).agg(
        pl.len(), subscribed, *[pl.col(column).sum() for column in domain.SOCIO_ECONOMIC_COLUMNS])
    selected.select([(pl.col(column) == domain.UNKNOWN).sum() for column in domain.COLUMNS_WITH_UNKNOWN])
    selected.group_by("segment", "split").agg(pl.len(), subscribed, pl.col("contact_date").min().alias("first"),
                                              pl.col("contact_date").max().alias("last"))


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _timed(label: str, rows: int, run, specs: list, held_mb: float) -> None:
    times, cpu = [], []
    for spec in specs:
        start, start_cpu = time.perf_counter(), time.process_time()
        run(spec)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    print(f"{rows:>11,}  {label:<8}{statistics.median(times) * 1000:9.1f} ms{p95 * 1000:9.1f} ms"
          f"{statistics.median(cpu) * 1000:9.1f} ms{held_mb:10.0f} MB")


def bench(path: Path, rounds: int, segments: tuple, names: dict) -> None:
    queries = ClientQueries(path)
    engine = ClientEngine(queries)
    specs = filters(engine, rounds)
    _timed("DuckDB", len(engine), lambda spec: _every_aggregate(engine._selection(spec), names, segments), specs, 0)
    queries.close()
    gc.collect()
    try:
        import polars as pl  # not a dependency of the app: only compared here
    except ImportError:
        print(f"{len(engine):>11,}  Polars  not installed (pip install polars to compare)")
    else:
        before = _rss_mb()
        frame = pl.read_parquet(path, columns=list(view._DATA_COLUMNS))
        _timed("Polars", frame.height, lambda spec: _polars_round(frame, spec), specs, _rss_mb() - before)
        del frame
    gc.collect()
    before = _rss_mb()
    table = view.ClientTable(pd.read_parquet(path, columns=list(view._DATA_COLUMNS)))
    _timed("pandas", len(table), lambda spec: _every_aggregate(view.selection(table, spec), names, segments), specs,
           _rss_mb() - before)
    del table
    gc.collect()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=REPO / "model")
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/bench-data-engine"))
    args = parser.parse_args()
    store = model_folder.ArtifactStore(args.model_dir, verify=False)
    names, segments = rates.population_names(store.provenance), store.segment_numbers
    print("A Data page filter change: every aggregate the page draws, for a new filter each round "
          f"({args.rounds} rounds; goals p95 1x <= 100 ms, 10x <= 150 ms, 100x <= 400 ms)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: clock times grow with it")
    print(f"{'clients':>11}  {'engine':<8}{'median':>12}{'p95':>12}{'CPU p50':>12}{'held':>13}")
    for factor in args.factors:
        path = args.model_dir / model_folder.CLIENTS
        if factor != 1:
            path = replicate_model(args.model_dir, factor, args.scratch / f"model-{factor}x") / model_folder.CLIENTS
        bench(path, args.rounds, segments, names)
    print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
