"""Obtain and verify bank-additional-full.csv; print its path.

Source order: BANK_MARKETING_CSV, the cache in data/raw/, the UCI archive (downloaded with a progress bar).
"""

from __future__ import annotations

import argparse
import logging
import sys

from dashapp.core.settings import get_settings
from dashapp.sources.uci_file import DataSourceError, obtain_bank_csv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        path = obtain_bank_csv(get_settings(), progress=not args.quiet)
    except DataSourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
