"""Build every artifact of model/ from the bank-marketing data (see dashapp.build).

    python scripts/build_artifacts.py                 # full build, one process
    python scripts/build_artifacts.py --jobs 2        # use both cores
    python scripts/build_artifacts.py --if-stale      # only when missing or stale (what `make` runs)
    python scripts/build_artifacts.py --quick --model-dir /tmp/m   # small grid, for tests
    python scripts/build_artifacts.py --k 5           # five segments instead of the original study's four
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from dashapp import artifacts, domain
from dashapp.build import BuildParameters, build_artifacts
from dashapp.datasource import DataSourceError, obtain_bank_csv, sha256_of
from dashapp.settings import get_settings

logger = logging.getLogger("build_artifacts")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small grid and samples (for tests)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)")
    parser.add_argument("--tsne-sample", type=int, default=None,
                        help="training clients per t-SNE map (default 2000; 300 with --quick)")
    parser.add_argument("--model-dir", type=Path, default=None, help="default: BANK_MODEL_DIR or model/")
    parser.add_argument("--csv", type=Path, default=None, help="the data file (default: obtained as configured)")
    parser.add_argument("--k", type=int, default=domain.FINAL_K, dest="final_k",
                        help=f"segments of the final segmentation (default {domain.FINAL_K}, the original study's); "
                             "one of the grid's k values (2-15; 2-6 with --quick)")
    parser.add_argument("--if-stale", action="store_true", help="build only if missing or stale")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    if args.jobs < 1:
        parser.error(f"--jobs {args.jobs} must be at least 1")
    if args.tsne_sample is not None and args.tsne_sample < 50:
        parser.error(f"--tsne-sample {args.tsne_sample} must be at least 50")
    try:
        parameters = BuildParameters.for_mode("quick" if args.quick else "full", tsne_sample=args.tsne_sample,
                                              final_k=args.final_k)
    except ValueError as error:
        parser.error(f"--k {args.final_k}: {error}")
    settings = get_settings()
    model_dir = args.model_dir or settings.model_dir
    try:
        csv_path = args.csv or obtain_bank_csv(settings, progress=not args.quiet)
    except DataSourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    if args.if_stale:
        try:
            manifest = artifacts.read_manifest(model_dir)
            reasons = artifacts.staleness(manifest, sha256_of(csv_path), parameters.to_json())
        except artifacts.ArtifactError as error:
            reasons = [str(error)]
        if not reasons:
            logger.info("artifacts in %s are up to date", model_dir)
            return 0
        logger.info("rebuilding artifacts: %s", "; ".join(reasons))

    manifest = build_artifacts(csv_path, model_dir, parameters, jobs=args.jobs, progress=not args.quiet)
    logger.info("wrote %d artifacts to %s in %.0f s", len(manifest["artifacts"]), model_dir,
                sum(manifest["stage_seconds"].values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
