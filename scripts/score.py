"""Score a CSV file of clients of any size into a new CSV file (see dashapp.scoring).

    python scripts/score.py clients.csv scored.csv
    python scripts/score.py clients.csv scored.csv --refused refused.csv --chunk-rows 20000

The input is the UCI format (semicolon-separated) or a comma-separated file with at least the columns job,
housing and loan; every column is kept, and segment, segment_name and filled are added. Rows that cannot be
scored are left out of the output and listed, with their row number and reason, in --refused (default:
OUT with the suffix .refused.csv). The file is read in chunks, so memory stays constant.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from dashapp import artifacts, scoring
from dashapp.settings import get_settings

logger = logging.getLogger("score")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", type=Path, help="the file of clients")
    parser.add_argument("output", type=Path, help="the scored file to write")
    parser.add_argument("--refused", type=Path, default=None,
                        help="where to list refused rows (default: OUTPUT with .refused.csv)")
    parser.add_argument("--chunk-rows", type=int, default=50_000, help="rows per chunk (default 50000)")
    parser.add_argument("--model-dir", type=Path, default=None, help="default: BANK_MODEL_DIR or model/")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    if args.chunk_rows < 1:
        parser.error(f"--chunk-rows {args.chunk_rows} must be at least 1")
    if not args.input.is_file():
        parser.error(f"{args.input} is not a file")
    if args.input.resolve() == args.output.resolve():
        parser.error("the output must not overwrite the input")
    refused = args.refused or args.output.with_suffix(".refused.csv")
    try:
        store = artifacts.load_store(str(args.model_dir or get_settings().model_dir))
        summary = scoring.score_csv_stream(args.input, args.output, scoring.scoring_model(store),
                                           refused_target=refused, chunk_rows=args.chunk_rows,
                                           progress=not args.quiet)
    except (artifacts.ArtifactError, scoring.ClientFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    counts = ", ".join(f"segment {s}: {n:,}" for s, n in summary.segments.items())
    logger.info("scored %s rows into %s (%s)", f"{summary.scored:,}", args.output, counts)
    if summary.refused:
        logger.info("refused %s rows; see %s", f"{summary.refused:,}", refused)
    return 0


if __name__ == "__main__":
    sys.exit(main())
