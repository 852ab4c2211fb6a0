"""Build every artifact of model/ from the bank-marketing data, or from any source in its layout (see
dashapp.analysis.build and dashapp.sources.loader).

    python scripts/build_artifacts.py                 # full build of the UCI file, one process
    python scripts/build_artifacts.py --jobs 2        # use both cores
    python scripts/build_artifacts.py --if-stale      # only when missing or stale (what `make` runs)
    python scripts/build_artifacts.py --early         # serve-able before the grid is done (`make run`)
    python scripts/build_artifacts.py --quick --model-dir /tmp/m   # small grid, for tests
    python scripts/build_artifacts.py --data clients.csv           # a CSV (';', ',' or tab), or .parquet
    python scripts/build_artifacts.py --data postgresql+psycopg://user:pw@host/db --table clients
    python scripts/build_artifacts.py --data clients.csv --drop-invalid --date-column call_date

The source is read and validated before anything is written: a source that cannot be used exits with status 1,
naming the row, column, table or host, and leaves the previous artifacts as they were.
    python scripts/build_artifacts.py --k 5           # five segments instead of the original study's four
    python scripts/build_artifacts.py --dask tcp://scheduler:8786   # the grid's tasks on a Dask cluster

With --dask ADDRESS (or DASK_SCHEDULER_ADDRESS) the grid's K-means, scores and maps run on the Dask cluster
(the [dask] extra; the workers need this package installed); everything else runs here. A scheduler that
cannot be reached exits with status 1 before anything is written.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from dashapp.analysis import dask_backend
from dashapp.analysis.build import FIT_SAMPLE, BuildParameters, build_artifacts
from dashapp.artifacts import model_folder
from dashapp.core import domain
from dashapp.core.settings import get_settings
from dashapp.sources import loader
from dashapp.sources.bank_table import DataValidationError
from dashapp.sources.uci_file import DataSourceError, obtain_bank_csv

logger = logging.getLogger("build_artifacts")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small grid and samples (for tests)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)")
    parser.add_argument("--tsne-sample", type=int, default=None,
                        help="training clients per t-SNE map (default 2000; 300 with --quick)")
    parser.add_argument("--model-dir", type=Path, default=None, help="default: BANK_MODEL_DIR or model/")
    parser.add_argument("--data", "--csv", dest="data", default=None, metavar="SOURCE",
                        help="a .csv/.txt/.tsv or .parquet file, or an SQLAlchemy URL with --table "
                             "(default: the UCI file, obtained and checksum-verified as configured)")
    parser.add_argument("--table", default=None, help="the table to read when --data is a database URL")
    parser.add_argument("--drop-invalid", action="store_true",
                        help="leave out the rows with a bad value (reported) instead of refusing the source")
    parser.add_argument("--date-column", default=None, metavar="NAME",
                        help="the source's column holding each call's date (default: contact_date if present)")
    parser.add_argument("--k", type=int, default=domain.FINAL_K, dest="final_k",
                        help=f"segments of the final segmentation (default {domain.FINAL_K}, the original study's); "
                             "one of the grid's k values (2-15; 2-6 with --quick)")
    parser.add_argument("--fit-sample", type=int, default=FIT_SAMPLE, metavar="N",
                        help=f"the most training rows any fit uses; above it a seeded sample is fitted and every row "
                             f"assigned (default {FIT_SAMPLE:,}, above the UCI file's training rows)")
    parser.add_argument("--if-stale", action="store_true", help="build only if missing or stale")
    parser.add_argument("--early", action="store_true",
                        help="swap in every artifact but the grid's first, so an app serves them while the grid "
                             "runs (what `make run` does); then the complete folder, as without it")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--dask", default=None, metavar="ADDRESS",
                        help="run the grid on the Dask scheduler at ADDRESS, e.g. tcp://10.0.0.5:8786 (default: "
                             f"{dask_backend.ADDRESS_VARIABLE} if set, else this machine's --jobs processes)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs {args.jobs} must be at least 1")
    if args.tsne_sample is not None and args.tsne_sample < 50:
        parser.error(f"--tsne-sample {args.tsne_sample} must be at least 50")
    if args.data is None and (args.table or args.drop_invalid or args.date_column):
        parser.error("--table, --drop-invalid and --date-column apply to a source given with --data")
    try:
        _parameters(args)
    except ValueError as error:
        parser.error(f"--k {args.final_k} --fit-sample {args.fit_sample}: {error}")
    return args


def _parameters(args: argparse.Namespace) -> BuildParameters:
    return BuildParameters.for_mode("quick" if args.quick else "full", tsne_sample=args.tsne_sample,
                                    final_k=args.final_k, fit_sample=args.fit_sample)


def _source(args: argparse.Namespace) -> loader.DataSource:
    """The source --data names; without it the UCI file, obtained and checksum-verified as configured."""
    if args.data is None:
        return loader.DataSource("csv", str(obtain_bank_csv(get_settings(), progress=not args.quiet)))
    return loader.parse_source(args.data, args.table)


def _load(source: loader.DataSource, args: argparse.Namespace) -> loader.LoadedSource:
    """The source read and validated; the rows --drop-invalid left out are reported."""
    loaded = loader.load_source(source, drop_invalid=args.drop_invalid, date_column=args.date_column)
    if loaded.dropped_rows:
        shown = ", ".join(str(row) for row in loaded.dropped_rows[:20])
        more = len(loaded.dropped_rows) - 20
        logger.warning("dropped %d of %d rows with a bad value (--drop-invalid): rows %s%s",
                       len(loaded.dropped_rows), loaded.rows_read, shown, f" and {more} more" if more > 0 else "")
        for problem in loaded.problems:
            logger.warning("  %s", problem)
    return loaded


def _stale_reasons(model_dir: Path, source: loader.DataSource, parameters: BuildParameters,
                   args: argparse.Namespace) -> tuple[list[str], loader.LoadedSource | None]:
    """Why the artifacts must be rebuilt (none: up to date). A file is compared by its sha256 alone; a table
    has to be read for its content hash, and is returned so that it is not read twice."""
    loaded = None
    try:
        manifest = model_folder.read_manifest(model_dir)
    except model_folder.ArtifactError as error:
        return [str(error)], loaded
    if source.kind == "sql":
        loaded = _load(source, args)
    fingerprint = loaded.fingerprint if loaded is not None else loader.file_fingerprint(source)
    reasons = (model_folder.staleness(manifest, fingerprint, parameters.to_json())
               + loader.source_changes(manifest, source, args.date_column, args.drop_invalid))
    if model_folder.grid_pending(manifest):
        reasons.append("the grid of an early build was not completed")
    return reasons, loaded


def _print_error(error: Exception) -> None:
    if isinstance(error, DataValidationError):
        print(f"error: {error.source} cannot be used:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        if error.more:
            print(f"  and {error.more} more problem{'s' if error.more != 1 else ''}", file=sys.stderr)
    else:
        print(f"error: {error}", file=sys.stderr)


def _build(loaded: loader.LoadedSource, model_dir: Path, parameters: BuildParameters,
           args: argparse.Namespace) -> dict:
    """The build, its grid on the Dask cluster that --dask or DASK_SCHEDULER_ADDRESS names, if any."""
    address = dask_backend.scheduler_address(args.dask)
    if address is None:
        return build_artifacts(loaded, model_dir, parameters, jobs=args.jobs, progress=not args.quiet,
                               early=args.early)
    with dask_backend.dask_client(address) as client:
        logger.info("the grid runs on the Dask cluster at %s (%d workers)", client.scheduler.address,
                    len(client.nthreads()))
        return build_artifacts(loaded, model_dir, parameters, jobs=args.jobs, progress=not args.quiet,
                               early=args.early, grid_client=client)


def main(argv: list[str] | None = None) -> int:
    # Ctrl-C (or scripts/run_studio.py's SIGINT) stops the build cleanly, its staging folder removed, even when the
    # process was started in the background by a non-interactive shell, which leaves SIGINT ignored.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
    args = _arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    model_dir = args.model_dir or get_settings().model_dir
    parameters = _parameters(args)
    try:
        source = _source(args)
        loaded = None
        if args.if_stale:
            reasons, loaded = _stale_reasons(model_dir, source, parameters, args)
            if not reasons:
                logger.info("artifacts in %s are up to date", model_dir)
                return 0
            logger.info("rebuilding artifacts: %s", "; ".join(reasons))
        loaded = loaded or _load(source, args)
    except (DataSourceError, loader.SourceError, DataValidationError) as error:
        _print_error(error)
        return 1
    try:
        manifest = _build(loaded, model_dir, parameters, args)
    except dask_backend.DaskUnavailable as error:
        _print_error(error)
        print(f"error: nothing was built; {model_dir} is as it was", file=sys.stderr)
        return 1
    logger.info("wrote %d artifacts from %s to %s in %.0f s", len(manifest["artifacts"]), loaded.source.describe(),
                model_dir, sum(manifest["stage_seconds"].values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
