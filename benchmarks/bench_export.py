"""Time the export of the full model's results to SQLite and to PostgreSQL (scripts/export_sql.py's work).

Goal: a few seconds for the 41,188 clients, the segments and the 1,008 grid rows. The artifacts are those of
``BANK_MODEL_DIR`` (a full build); PostgreSQL is a throwaway server from Debian's binaries, as in the tests
(skipped with a note when they are not installed). Every run after the first replaces the previous export, as
a re-export does. Prints medians over --repeat runs.

    python benchmarks/bench_export.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashapp.artifacts.model_folder import ArtifactStore  # noqa: E402
from dashapp.core.settings import get_settings  # noqa: E402
from dashapp.results.sql_export import export_results  # noqa: E402
from tests.postgres_server import PostgresServer  # noqa: E402


def _median_seconds(store: ArtifactStore, url: str, repeat: int) -> float:
    return statistics.median(export_results(store, url).seconds for _ in range(repeat))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    store = ArtifactStore(get_settings().model_dir)
    store.preload()
    print(f"export of {len(store.clients):,} clients, {len(store.grid_metrics):,} grid rows "
          f"(median of {args.repeat}, each run after the first replacing the previous export):")
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        seconds = _median_seconds(store, f"sqlite:///{Path(folder) / 'segments.sqlite'}", args.repeat)
        print(f"  {'SQLite file':<12} {seconds:6.1f} s")
    try:
        server = PostgresServer().start()
    except RuntimeError as error:
        print(f"  {'PostgreSQL':<12} skipped: {error}")
        return 0
    try:
        print(f"  {'PostgreSQL':<12} {_median_seconds(store, server.url, args.repeat):6.1f} s")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
