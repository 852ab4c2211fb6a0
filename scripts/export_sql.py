"""Export the segmented clients, the segments and the grid metrics to a database (see dashapp.results.sql_export).

    python scripts/export_sql.py                                   # export/segments.sqlite in the project
    python scripts/export_sql.py sqlite:////srv/bi/segments.sqlite
    python scripts/export_sql.py postgresql+psycopg://user:password@host:5432/database

Writes the tables clients, segments, grid_metrics and export_info; a second export replaces the first in one
transaction (readers see the old tables or the new ones, never half of either), and a failed one leaves the
previous export as it was. The password is never printed. Exits 1 when the export fails, saying where and why.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from dashapp.artifacts import model_folder
from dashapp.core.settings import PROJECT_ROOT, get_settings
from dashapp.results import sql_export

logger = logging.getLogger("export_sql")

#: The default database: a SQLite file in the project's ``export/`` folder (ignored by git).
DEFAULT_SQLITE = PROJECT_ROOT / "export" / "segments.sqlite"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", default=None,
                        help=f"an SQLAlchemy URL (default: sqlite:///{DEFAULT_SQLITE}, its folder created)")
    parser.add_argument("--model-dir", type=Path, default=None, help="default: BANK_MODEL_DIR or model/")
    parser.add_argument("--lock-timeout", type=float, default=60.0,
                        help="seconds to wait for readers holding the tables (default 60)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    if args.lock_timeout <= 0:
        parser.error(f"--lock-timeout {args.lock_timeout} must be positive")

    url = args.url
    if url is None:
        DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DEFAULT_SQLITE}"
    try:
        store = model_folder.load_store(str(args.model_dir or get_settings().model_dir))
        summary = sql_export.export_results(store, url, lock_timeout=args.lock_timeout)
    except (model_folder.ArtifactError, sql_export.ExportError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    tables = ", ".join(f"{name} ({count:,} rows)" for name, count in summary.rows.items())
    logger.info("wrote %s to %s in %.1f s", tables, summary.database, summary.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
