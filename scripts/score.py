"""Score a file of clients of any size (CSV or an .xlsx workbook) into a new file of the same format (see
dashapp.scoring, dashapp.client_files and dashapp.client_workbooks).

    python scripts/score.py clients.csv scored.csv
    python scripts/score.py clients.csv scored.csv --chunk-rows 20000
    python scripts/score.py clients.xlsx scored.xlsx --sheet "March calls"

The input is a CSV file with at least the columns job, housing and loan (headers and values in any case),
separated by semicolons (the UCI format), commas or tabs, in UTF-8 (with or without a byte-order mark),
Windows-1251 or Windows-1252. The output keeps every row, in order, with every column as it was, and adds
status ("scored", or "not scored: " and why), segment (empty when not scored), segment_name and filled (the
key field a vote filled, the votes, and a tie if there was one); it is written in the input's encoding,
byte-order mark, delimiter and line ending. The file is read in chunks, so memory stays constant.

An .xlsx workbook (told by its content, not its name) is read from its first sheet, or the one --sheet names,
and scored into a workbook (the output's name must end in .xlsx) of that sheet: every row and column in order,
numbers and dates as they were, text a spreadsheet would run as a formula neutralised. A workbook is read whole
(a sheet holds at most 1,048,576 rows); an .xls (Excel 97-2003) or a password-protected workbook is refused.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from dashapp import artifacts, client_files, client_workbooks, scoring
from dashapp.settings import get_settings
from dashapp.views.score import normalised_summary

logger = logging.getLogger("score")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", type=Path, help="the file of clients")
    parser.add_argument("output", type=Path, help="the scored file to write")
    parser.add_argument("--chunk-rows", type=int, default=50_000, help="rows per chunk (default 50000)")
    parser.add_argument("--model-dir", type=Path, default=None, help="default: BANK_MODEL_DIR or model/")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--sheet", default=None, help="the workbook's sheet to score (an .xlsx input; default: "
                                                      "its first sheet)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    if args.chunk_rows < 1:
        parser.error(f"--chunk-rows {args.chunk_rows} must be at least 1")
    if not args.input.is_file():
        parser.error(f"{args.input} is not a file")
    if args.input.resolve() == args.output.resolve():
        parser.error("the output must not overwrite the input")
    with args.input.open("rb") as handle:
        workbook = client_workbooks.is_workbook(handle.read(8))
    if workbook != (args.output.suffix.lower() == client_workbooks.XLSX_SUFFIX):
        # The scored file is written as the input is; a name promising the other format would mislead.
        parser.error(f"{args.input} is {'an Excel workbook' if workbook else 'read as CSV'}, so the scored file "
                     f"is one too: name the output {'*.xlsx' if workbook else 'anything but *.xlsx'}")
    try:
        store = artifacts.load_store(str(args.model_dir or get_settings().model_dir))
        summary = client_workbooks.score_client_file(args.input, args.output, scoring.scoring_model(store),
                                                     sheet=args.sheet, chunk_rows=args.chunk_rows,
                                                     progress=not args.quiet)
    except (artifacts.ArtifactError, client_files.ClientFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    counts = ", ".join(f"segment {s}: {n:,}" for s, n in summary.segments.items())
    logger.info("read %s as %s; scored %s of %s rows into %s (%s)", args.input, summary.dialect.describe(),
                f"{summary.scored:,}", f"{summary.rows:,}", args.output, counts)
    if summary.refused:
        logger.info("%s rows not scored: their status column says why", f"{summary.refused:,}")
    for line in normalised_summary(summary.normalised):
        logger.info("read leniently: %s", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
