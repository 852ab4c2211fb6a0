"""Score a file of clients of any size (CSV, Parquet or an .xlsx workbook) into a new file of the same format (see
dashapp.scoring.scorer, dashapp.scoring.client_files, dashapp.scoring.client_parquet and
dashapp.scoring.client_workbooks).

    python scripts/score.py clients.csv scored.csv
    python scripts/score.py clients.csv scored.csv --chunk-rows 20000
    python scripts/score.py clients.parquet scored.parquet
    python scripts/score.py clients/ scored/                  # a Parquet dataset (a folder of Parquet files)
    python scripts/score.py clients.xlsx scored.xlsx --sheet "March calls"
    python scripts/score.py clients.csv scored.csv --dask tcp://scheduler:8786

The input is a CSV file with at least the columns job, housing and loan (headers and values in any case),
separated by semicolons (the UCI format), commas or tabs, in UTF-8 (with or without a byte-order mark),
Windows-1251 or Windows-1252. The output keeps every row, in order, with every column as it was, and adds
status ("scored", or "not scored: " and why), segment (empty when not scored), segment_name and filled (the
key field a vote filled, the votes, and a tie if there was one); it is written in the input's encoding,
byte-order mark, delimiter and line ending. The file is read in chunks, so memory stays constant.

A Parquet file (told by its content) is scored into a Parquet file (the output's name must end in .parquet); a
folder is read as a Parquet dataset (its *.parquet files at any depth, in natural order: part.2 before part.10)
and scored into a new folder (which must not exist yet) holding one scored file per input file, at the same
relative path. Every column keeps its type; status, segment_name and filled are text, segment an int64, null
where the CSV file has an empty cell. Parquet is read a record batch at a time, so memory stays constant.

An .xlsx workbook (told by its content, not its name) is read from its first sheet, or the one --sheet names,
and scored into a workbook (the output's name must end in .xlsx) of that sheet: every row and column in order,
numbers and dates as they were, text a spreadsheet would run as a formula neutralised. A workbook is read whole
(a sheet holds at most 1,048,576 rows); an .xls (Excel 97-2003) or a password-protected workbook is refused.

--lang en|ru sets the language of the messages and of the text the scored file holds for a person (the reasons
after "not scored: ", the vote in filled, segment_name); column names and the status codes "scored" and "not
scored" stay as they are. The default is the environment's (LANG=ru_RU.UTF-8 is Russian), else English.

--dask ADDRESS (or the environment variable DASK_SCHEDULER_ADDRESS) scores a CSV or Parquet input on that Dask
cluster (the [dask] extra): the workers read the input, which must be at the same path on storage they all see,
and score its partitions; this machine writes the same output the local path writes.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from dashapp.analysis import dask_backend
from dashapp.artifacts import model_folder
from dashapp.core import i18n
from dashapp.core.i18n import N_, _
from dashapp.core.settings import get_settings
from dashapp.scoring import client_files, client_parquet, client_workbooks, scorer
from dashapp.views.score import normalised_summary

logger = logging.getLogger("score")


CSV, WORKBOOK, PARQUET_FILE, PARQUET_DATASET = ("CSV", N_("an Excel workbook"), N_("a Parquet file"),
                                               N_("a Parquet dataset"))
#: The output's name each kind of input needs, and how to say it.
_SUFFIXES = {WORKBOOK: client_workbooks.XLSX_SUFFIX, PARQUET_FILE: client_parquet.PARQUET_SUFFIX}


def _input_kind(path: Path) -> str:
    """What the input is, told by what it holds (a folder is a Parquet dataset), never by its name."""
    if path.is_dir():
        return PARQUET_DATASET
    with path.open("rb") as handle:
        head = handle.read(8)
    if client_workbooks.is_workbook(head):
        return WORKBOOK
    return PARQUET_FILE if head.startswith(client_parquet.PARQUET_MAGIC) else CSV


def _output_name_problem(kind: str, source: Path, target: Path) -> str | None:
    """Why the output's name does not fit the input (the scored file is written as the input is, so a name
    promising another format would mislead), or None."""
    suffix = target.suffix.lower()
    if kind in _SUFFIXES and suffix != _SUFFIXES[kind]:
        return _("{source} is {kind}, so the scored file is one too: name the output *{suffix}").format(
            source=source, kind=_(kind), suffix=_SUFFIXES[kind])
    if kind == CSV and suffix in _SUFFIXES.values():
        return _("{source} is read as CSV, so the scored file is CSV too: name the output anything but "
                 "{suffixes}").format(source=source, suffixes=_(" or ").join("*" + s for s in _SUFFIXES.values()))
    if kind == PARQUET_DATASET and target.exists():
        return _("{source} is a Parquet dataset (a folder), so the scored dataset is a new folder: {target} "
                 "exists; name one that does not").format(source=source, target=target)
    return None


def _language(argv: list[str] | None) -> str:
    """The language ``--lang`` asks for, else the environment's; read before the parser is built, so that its help
    and its errors are in that language too."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang", choices=i18n.LANGUAGES, default=None)
    known, _rest = early.parse_known_args(argv)
    return known.lang or i18n.language_from_environment()


def main(argv: list[str] | None = None) -> int:
    i18n.set_language(_language(argv))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", type=Path, help=_("the file of clients"))
    parser.add_argument("output", type=Path, help=_("the scored file to write"))
    parser.add_argument("--chunk-rows", type=int, default=50_000, help=_("rows per chunk (default 50000)"))
    parser.add_argument("--model-dir", type=Path, default=None, help=_("default: BANK_MODEL_DIR or model/"))
    parser.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    parser.add_argument("--sheet", default=None, help=_("the workbook's sheet to score (an .xlsx input; default: "
                                                        "its first sheet)"))
    parser.add_argument("--max-parquet-chunk-mb", type=int, metavar="MB",
                        default=client_parquet.MAX_PARQUET_CHUNK_BYTES // 2**20,
                        help=_("the most one column of one row group of a Parquet input may unpack to (default "
                               "{default} MB): a larger one is refused before it is read").format(
                            default=client_parquet.MAX_PARQUET_CHUNK_BYTES // 2**20))
    parser.add_argument("--dask", metavar="ADDRESS", default=None,
                        help=_("score on this Dask scheduler (default: DASK_SCHEDULER_ADDRESS, else this machine)"))
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=None,
                        help=_("the language of the messages and of the scored file's reasons (default: from LANG, "
                               "else English)"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    if args.chunk_rows < 1:
        parser.error(_("--chunk-rows {rows} must be at least 1").format(rows=args.chunk_rows))
    if args.max_parquet_chunk_mb < 1:
        parser.error(_("--max-parquet-chunk-mb {mb} must be at least 1").format(mb=args.max_parquet_chunk_mb))
    if not args.input.exists():
        parser.error(_("{path} does not exist").format(path=args.input))
    if args.input.resolve() == args.output.resolve():
        parser.error(_("the output must not overwrite the input"))
    kind = _input_kind(args.input)
    problem = _output_name_problem(kind, args.input, args.output)
    if problem:
        parser.error(problem)
    if args.sheet is not None and kind in (PARQUET_FILE, PARQUET_DATASET):
        parser.error(_("{path} is {kind}, which has no sheets; --sheet is for an Excel workbook (.xlsx)").format(
            path=args.input, kind=_(kind)))
    address = dask_backend.scheduler_address(args.dask)
    if address and args.sheet is not None:
        parser.error(_("--sheet is for an Excel workbook, which --dask does not take: score it without --dask"))
    try:
        store = model_folder.load_store(str(args.model_dir or get_settings().model_dir))
        model = scorer.scoring_model(store)
        if address:
            from dashapp.scoring.dask_scoring import score_file_on_cluster

            summary = score_file_on_cluster(args.input, args.output, model, address, chunk_rows=args.chunk_rows,
                                            progress=not args.quiet)
        elif kind in (PARQUET_FILE, PARQUET_DATASET):
            summary = client_parquet.score_parquet_stream(
                args.input, args.output, model, chunk_rows=args.chunk_rows, progress=not args.quiet,
                max_chunk_bytes=args.max_parquet_chunk_mb * 2**20)
        else:
            summary = client_workbooks.score_client_file(args.input, args.output, model, sheet=args.sheet,
                                                         chunk_rows=args.chunk_rows, progress=not args.quiet)
    except (model_folder.ArtifactError, client_files.ClientFileError, dask_backend.DaskUnavailable) as error:
        print(_("error: {error}").format(error=error), file=sys.stderr)
        return 1
    for line in summary_lines(args.input, args.output, summary, address):
        logger.info("%s", line)
    return 0


def summary_lines(source: Path, target: Path, summary, address: str | None = None) -> list[str]:
    """What the command says once a file is scored, in the current language."""
    counts = ", ".join(_("segment {number}: {count}").format(number=s, count=i18n.number(n))
                       for s, n in summary.segments.items())
    read_as = client_files.describe_dialect(summary.dialect)
    if address:
        done = _("read {source} as {dialect}; scored {scored} of {rows} rows on the Dask cluster at {address} into "
                 "{target} ({counts})")
    else:
        done = _("read {source} as {dialect}; scored {scored} of {rows} rows into {target} ({counts})")
    lines = [done.format(source=source, dialect=read_as, scored=i18n.number(summary.scored),
                         rows=i18n.number(summary.rows), address=address, target=target, counts=counts)]
    if summary.refused:
        lines.append(i18n.ngettext("{count} rows not scored: their status column says why",
                                   "{count} rows not scored: their status column says why", summary.refused).format(
            count=i18n.number(summary.refused)))
    lines += [_("read leniently: {line}").format(line=line) for line in normalised_summary(summary.normalised)]
    return lines


if __name__ == "__main__":
    sys.exit(main())
