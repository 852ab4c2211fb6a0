"""Reading, validating and cleaning the bank-marketing table.

Reads the UCI format (semicolon-separated, quoted) and comma-separated exports of the same columns, checks
columns, types and category sets once, and reports every problem by column and row. Knows nothing of Dash.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dashapp import domain

logger = logging.getLogger(__name__)

#: How many offending rows a message lists before it says "and N more".
_MAX_ROWS_IN_MESSAGE = 5


class DataValidationError(ValueError):
    """The file is not a bank-marketing table; ``problems`` lists each reason for an analyst."""

    def __init__(self, problems: list[str], source: str = "the file"):
        self.problems = problems
        self.source = source
        super().__init__(f"{source} cannot be used: " + "; ".join(problems))


@dataclass(frozen=True)
class TimeSplit:
    """Positional indices of the time-ordered train and test rows."""

    train: np.ndarray
    test: np.ndarray


def sniff_delimiter(first_line: str) -> str:
    """Return ``;`` for the UCI format and ``,`` for a comma-separated export.

    Parameters
    ----------
    first_line : str
        The header line of the file.

    Returns
    -------
    str
        The delimiter that splits the header into the most fields.
    """
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _row_numbers(mask: pd.Series) -> str:
    # Row numbers as a spreadsheet shows them: the header is row 1, the first client row 2.
    rows = (np.flatnonzero(mask.to_numpy()) + 2).tolist()
    shown = ", ".join(str(r) for r in rows[:_MAX_ROWS_IN_MESSAGE])
    more = len(rows) - _MAX_ROWS_IN_MESSAGE
    return shown + (f" and {more} more" if more > 0 else "")


def validate_bank_table(
    table: pd.DataFrame, required: tuple[str, ...] = domain.RAW_COLUMNS, source: str = "the file"
) -> pd.DataFrame:
    """Check columns, numeric types and category sets; return the table with typed columns.

    Parameters
    ----------
    table : DataFrame
        The table as read, every column as text.
    required : tuple of str
        Columns that must be present (default: all 21 UCI columns).
    source : str
        How messages name the file.

    Returns
    -------
    DataFrame
        The same rows, numeric columns converted to numbers, categories stripped of quotes and spaces.

    Raises
    ------
    DataValidationError
        Listing every missing column, every non-numeric value and every unknown category, with row numbers.
    """
    problems: list[str] = []
    if table.empty:
        raise DataValidationError(["it has no data rows"], source)
    missing = [c for c in required if c not in table.columns]
    if missing:
        problems.append(
            "missing column" + ("s " if len(missing) > 1 else " ") + ", ".join(f"'{c}'" for c in missing)
            + f"; expected the columns {', '.join(required)}"
        )
    typed = table.copy()
    for column in domain.INTEGER_COLUMNS + domain.FLOAT_COLUMNS:
        if column not in typed.columns:
            continue
        text = typed[column].astype("string").str.strip()
        numbers = pd.to_numeric(text, errors="coerce")
        bad = numbers.isna()
        if column in domain.INTEGER_COLUMNS:
            bad |= numbers.notna() & (numbers != np.floor(numbers))
        if bad.any():
            example = text[bad].iloc[0]
            kind = "a whole number" if column in domain.INTEGER_COLUMNS else "a number"
            problems.append(f"column '{column}' has a value that is not {kind} ('{example}') "
                            f"in row {_row_numbers(bad)}")
            continue
        typed[column] = numbers.astype("int64" if column in domain.INTEGER_COLUMNS else "float64")
    for column, allowed in domain.CATEGORIES.items():
        if column not in typed.columns:
            continue
        values = typed[column].astype("string").str.strip().str.strip('"')
        bad = ~values.isin(allowed)
        if bad.any():
            example = values[bad].iloc[0]
            problems.append(f"column '{column}' has an unknown value '{example}' in row {_row_numbers(bad)}; "
                            f"expected one of {', '.join(allowed)}")
            continue
        typed[column] = values.astype(object)
    if problems:
        raise DataValidationError(problems, source)
    return typed


def read_bank_csv(path: str | Path, required: tuple[str, ...] = domain.RAW_COLUMNS) -> pd.DataFrame:
    """Read and validate a bank-marketing CSV (UCI semicolon format or a comma-separated export).

    Parameters
    ----------
    path : str or Path
        The file.
    required : tuple of str
        The columns that must be present.

    Returns
    -------
    DataFrame
        Validated, typed rows in file order, with the file's columns.

    Raises
    ------
    DataValidationError
        If the file is empty, malformed, truncated, or has wrong columns, types or categories.
    """
    path = Path(path)
    source = f"'{path.name}'"
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError as error:
        raise DataValidationError([f"it is not UTF-8 text (byte {error.start})"], source) from error
    return parse_bank_text(text, required=required, source=source)


def parse_bank_text(text: str, required: tuple[str, ...] = domain.RAW_COLUMNS,
                    source: str = "the file") -> pd.DataFrame:
    """Parse and validate CSV text; see :func:`read_bank_csv`."""
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise DataValidationError(["it is empty"], source)
    delimiter = sniff_delimiter(first_line)
    try:
        table = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                            quoting=csv.QUOTE_MINIMAL, skipinitialspace=True)
    except (pd.errors.ParserError, csv.Error) as error:
        raise DataValidationError([f"it is not a well-formed CSV ({error})"], source) from error
    table.columns = [str(c).strip().strip('"') for c in table.columns]
    # A truncated file ends in a partial row: its missing trailing cells read as empty strings.
    present = [c for c in required if c in table.columns]
    if present and len(table):
        last = table.iloc[-1][present]
        if (last == "").any():
            empty = [c for c in present if last[c] == ""]
            raise DataValidationError(
                [f"row {len(table) + 1} is incomplete (no value for {', '.join(empty)}): "
                 "the file looks truncated"], source)
    return validate_bank_table(table, required=required, source=source)


def contact_dates(months: pd.Series) -> pd.Series:
    """The first day of each row's contact month, from the time-ordered ``month`` column.

    The file has no year: its rows run in time order from May 2008, so the year advances whenever the
    month number goes down from one row to the next.

    Parameters
    ----------
    months : Series of str
        ``jan`` .. ``dec``, in file order.

    Returns
    -------
    Series of datetime64
        The first day of each row's month.
    """
    month_numbers = months.map({m: i + 1 for i, m in enumerate(domain.CATEGORIES["month"])}).to_numpy()
    wraps = np.concatenate([[0], (np.diff(month_numbers) < 0).astype(int)]).cumsum()
    years = domain.FIRST_CONTACT_YEAR + wraps
    return pd.Series(pd.to_datetime({"year": years, "month": month_numbers, "day": 1}),
                     index=months.index, name="contact_date")


def clean_bank_table(raw: pd.DataFrame) -> pd.DataFrame:
    """Add ``contact_date`` and recode ``pdays``; the cleaned table the EDA and the analysis share.

    Parameters
    ----------
    raw : DataFrame
        A validated table from :func:`read_bank_csv`.

    Returns
    -------
    DataFrame
        All raw columns, ``pdays`` with 999 recoded to -1, plus ``contact_date``, with a 0-based
        ``client_id`` index in file order.
    """
    clean = raw.reset_index(drop=True).copy()
    clean["pdays"] = clean["pdays"].replace(domain.PDAYS_NEVER, domain.PDAYS_NEVER_RECODED)
    clean["contact_date"] = contact_dates(clean["month"])
    clean.index.name = "client_id"
    return clean


def modelling_frame(clean: pd.DataFrame) -> pd.DataFrame:
    """The columns the clustering uses (call-level columns dropped), ``unknown`` as NaN.

    Returns
    -------
    DataFrame
        Numeric columns as float and categorical columns as object with ``NaN`` for ``unknown``.
    """
    frame = clean[list(domain.NUMERIC_COLUMNS + domain.CATEGORICAL_COLUMNS)].copy()
    frame[list(domain.NUMERIC_COLUMNS)] = frame[list(domain.NUMERIC_COLUMNS)].astype(float)
    for column in domain.CATEGORICAL_COLUMNS:
        frame[column] = frame[column].where(frame[column] != domain.UNKNOWN, np.nan)
    return frame


def time_split(n_rows: int, train_fraction: float = domain.TRAIN_FRACTION) -> TimeSplit:
    """Split ``n_rows`` time-ordered rows: the first ``train_fraction`` train, the rest test (no shuffle).

    Parameters
    ----------
    n_rows : int
        Number of rows, at least 2.
    train_fraction : float
        Share of rows for training, strictly between 0 and 1.
    """
    if n_rows < 2:
        raise ValueError(f"n_rows={n_rows} must be at least 2 to split into train and test")
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction={train_fraction} must be strictly between 0 and 1")
    n_train = int(n_rows * train_fraction)
    return TimeSplit(train=np.arange(n_train), test=np.arange(n_train, n_rows))
