"""Reading, validating and cleaning the bank-marketing table.

Reads the UCI format (semicolon-separated, quoted) and comma- or tab-separated exports of the same columns in
any encoding the scoring upload accepts (:mod:`dashapp.sources.csv_dialect`), and validates any table of them (a parquet
file's, a SQL table's: :mod:`dashapp.sources.loader`) cell by cell: columns in any order and case, numbers, categories,
dates, each problem with its row and column. Dates are given only where the data holds them. Knows nothing of Dash.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dashapp.core import domain
from dashapp.sources import csv_dialect

logger = logging.getLogger(__name__)

#: How many problems a message lists before it says "and N more".
MAX_PROBLEMS_SHOWN = 20
#: The cleaned table's column of each call's date (the first of its month when derived from the UCI file's order).
CONTACT_DATE = "contact_date"


class DataValidationError(ValueError):
    """The table is not a bank-marketing table; ``problems`` lists the first reasons for an analyst.

    Attributes
    ----------
    problems : list of str
        At most :data:`MAX_PROBLEMS_SHOWN` problems, in row order (table-wide problems, such as a missing column,
        first).
    more : int
        How many further problems were found and not listed.
    source : str
        How the messages name the table (a file, a SQL table).
    """

    def __init__(self, problems: list[str], source: str = "the file", more: int = 0):
        self.problems = problems
        self.source = source
        self.more = more
        tail = f"; and {more} more problem{'s' if more != 1 else ''}" if more else ""
        super().__init__(f"{source} cannot be used: " + "; ".join(problems) + tail)


@dataclass(frozen=True)
class TimeSplit:
    """Positional indices of the time-ordered train and test rows."""

    train: np.ndarray
    test: np.ndarray


@dataclass(frozen=True)
class ValidatedTable:
    """A validated table and the rows left out of it (only when the caller asked to drop invalid rows).

    Attributes
    ----------
    table : DataFrame
        The valid rows, typed, with the columns of :data:`dashapp.core.domain.RAW_COLUMNS` in that order (plus
        ``contact_date`` when a date column was validated), indexed by their 0-based position in the source.
    dropped_rows : list of int
        The row numbers (as the messages number them) of the rows left out.
    problems : list of str
        The first problems of the dropped rows, as :class:`DataValidationError` would list them.
    more : int
        How many problems of the dropped rows were not listed.
    ignored_columns : list of str
        The source's columns the analysis does not use (kept in the source, not in the table).
    """

    table: pd.DataFrame
    dropped_rows: list[int]
    problems: list[str]
    more: int
    ignored_columns: list[str]


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


def _text(values: pd.Series) -> pd.Series:
    # Missing cells (SQL NULL, an empty parquet cell) read as empty text, which no column accepts.
    return values.astype("string").fillna("").str.strip()


def _numbers(values: pd.Series, integer: bool) -> tuple[pd.Series, pd.Series]:
    """A column as numbers and the mask of cells that are not (whole) numbers."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype("float64")
    else:
        numbers = pd.to_numeric(_text(values), errors="coerce")
    bad = numbers.isna()
    if integer:
        bad |= numbers.notna() & (numbers != np.floor(numbers))
    return numbers, bad


def _interned(text: pd.Series, allowed: tuple[str, ...]) -> pd.Series:
    """A category column as Python strings, one shared object per category rather than one per cell: 8 bytes a
    cell instead of about 60, which is most of a 4-million-row table's memory. A cell that is not one of
    ``allowed`` keeps its text (its row is refused or dropped)."""
    codes = pd.Categorical(text.where(text.isin(allowed)), categories=list(allowed)).codes
    shared = np.array(list(allowed), dtype=object)[codes]
    outside = codes < 0
    if outside.any():
        shared[outside] = text.to_numpy(dtype=object)[outside]
    return pd.Series(shared, index=text.index, dtype=object)


def _dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A date column as dates (midnight, no time zone) and the mask of cells that are not dates."""
    if pd.api.types.is_datetime64_any_dtype(values):
        dates = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
    else:
        text = _text(values)
        dates = pd.to_datetime(text.where(text != ""), errors="coerce", format="mixed", dayfirst=False)
    dates = pd.to_datetime(dates).dt.normalize().astype("datetime64[ns]")
    return dates, dates.isna()


class _Problems:
    """Every bad cell found, and the first :data:`MAX_PROBLEMS_SHOWN` of them in row order as sentences."""

    def __init__(self, first_row: int):
        self.first_row = first_row
        self.table_wide: list[str] = []
        self.cells: list[tuple[np.ndarray, int, pd.Series, str]] = []

    def add(self, bad: pd.Series, column_order: int, values: pd.Series, sentence: str) -> None:
        """``sentence`` is formatted with ``{value}`` and ``{row}`` for each bad cell."""
        positions = np.flatnonzero(bad.to_numpy())
        if len(positions):
            self.cells.append((positions, column_order, values, sentence))

    def invalid(self, n_rows: int) -> np.ndarray:
        mask = np.zeros(n_rows, dtype=bool)
        for positions, *_ in self.cells:
            mask[positions] = True
        return mask

    def listed(self) -> tuple[list[str], int]:
        """The sentences of the first problems, and how many more there are."""
        if not self.cells:
            return list(self.table_wide), 0
        positions = np.concatenate([p for p, *_ in self.cells])
        which = np.concatenate([np.full(len(p), i) for i, (p, *_) in enumerate(self.cells)])
        orders = np.array([self.cells[i][1] for i in which])
        first = np.lexsort((orders, positions))[:max(MAX_PROBLEMS_SHOWN - len(self.table_wide), 0)]
        sentences = list(self.table_wide)
        for i in first:
            _, _, values, sentence = self.cells[which[i]]
            value = str(values.iloc[positions[i]])
            sentences.append(sentence.format(value=value, row=int(positions[i]) + self.first_row))
        return sentences, len(positions) + len(self.table_wide) - len(sentences)


def _canonical_names(table: pd.DataFrame, date_column: str | None) -> tuple[pd.DataFrame, list[str]]:
    """The table with its columns named as the analysis names them (case and spaces ignored), and the others."""
    wanted = {c.lower(): c for c in domain.RAW_COLUMNS}
    if date_column is not None:
        wanted[date_column.strip().lower()] = CONTACT_DATE
    renamed, ignored = {}, []
    for column in table.columns:
        key = str(column).strip().strip('"').strip().lower()
        if key in wanted and wanted[key] not in renamed.values():
            renamed[column] = wanted[key]
        else:
            ignored.append(str(column))
    return table.rename(columns=renamed)[list(renamed.values())], ignored


def validate_rows(table: pd.DataFrame, required: tuple[str, ...] = domain.RAW_COLUMNS, source: str = "the file",
                  first_row: int = 2, date_column: str | None = None, drop_invalid: bool = False) -> ValidatedTable:
    """Check columns, numeric types, category sets and dates, cell by cell; return the typed valid rows.

    Parameters
    ----------
    table : DataFrame
        The table as read: text columns (a CSV) or typed ones (parquet, SQL); columns in any order and case,
        extra columns ignored.
    required : tuple of str
        Columns that must be present (default: all 21 UCI columns).
    source : str
        How messages name the table.
    first_row : int
        The number messages give the first row: 2 for a file a spreadsheet shows under its header line, 1 for
        a parquet file or a SQL table (the first row read).
    date_column : str or None
        A column holding each call's date, validated and returned as ``contact_date``.
    drop_invalid : bool
        Leave out the rows with a bad cell instead of raising (a missing column or an empty table still raise).

    Returns
    -------
    ValidatedTable

    Raises
    ------
    DataValidationError
        Listing the first :data:`MAX_PROBLEMS_SHOWN` problems (missing columns, then bad cells in row order,
        each with its row number and column) and how many more there are.
    """
    if table.empty:
        raise DataValidationError(["it has no data rows"], source)
    table, ignored = _canonical_names(table, date_column)
    problems = _Problems(first_row)
    wanted = list(required) + ([CONTACT_DATE] if date_column is not None else [])
    missing = [c if c != CONTACT_DATE else date_column for c in wanted if c not in table.columns]
    if missing:
        problems.table_wide.append(
            "missing column" + ("s " if len(missing) > 1 else " ") + ", ".join(f"'{c}'" for c in missing)
            + f"; expected the columns {', '.join(required)}")
    typed = pd.DataFrame(index=pd.RangeIndex(len(table)))
    order = {column: i for i, column in enumerate(domain.RAW_COLUMNS + (CONTACT_DATE,))}
    for column in domain.RAW_COLUMNS:
        if column not in table.columns:
            continue
        values = table[column].reset_index(drop=True)
        if column in domain.INTEGER_COLUMNS or column in domain.FLOAT_COLUMNS:
            integer = column in domain.INTEGER_COLUMNS
            numbers, bad = _numbers(values, integer)
            kind = "a whole number" if integer else "a number"
            problems.add(bad, order[column], _text(values),
                         f"column '{column}' has a value that is not {kind} ('{{value}}') in row {{row}}")
            typed[column] = numbers.where(~bad, 0).astype("int64" if integer else "float64")
        elif column in domain.CATEGORIES:
            allowed = domain.CATEGORIES[column]
            text = _text(values).str.strip('"')
            bad = ~text.isin(allowed)
            problems.add(bad, order[column], text, f"column '{column}' has an unknown value '{{value}}' in row "
                         f"{{row}}; expected one of {', '.join(allowed)}")
            typed[column] = _interned(text, allowed)
        else:
            typed[column] = values
    if CONTACT_DATE in table.columns:
        dates, bad = _dates(table[CONTACT_DATE].reset_index(drop=True))
        problems.add(bad, order[CONTACT_DATE], _text(table[CONTACT_DATE].reset_index(drop=True)),
                     f"column '{date_column}' has a value that is not a date ('{{value}}') in row {{row}}")
        if "month" in typed.columns:
            month_codes = np.array(domain.CATEGORIES["month"], dtype=object)[
                dates.dt.month.fillna(1).astype(int).to_numpy() - 1]
            disagree = ~bad & typed["month"].isin(domain.CATEGORIES["month"]) & (typed["month"] != month_codes)
            problems.add(disagree, order[CONTACT_DATE], dates.dt.strftime("%Y-%m-%d"),
                         f"column '{date_column}' has the date {{value}} in row {{row}}, in another month than the "
                         "column 'month' says")
        typed[CONTACT_DATE] = dates
    listed, more = problems.listed()
    if problems.table_wide or (listed and not drop_invalid):
        raise DataValidationError(listed, source, more)
    invalid = problems.invalid(len(typed))
    if invalid.all():
        raise DataValidationError(["every row has a problem: none is left to build from"] + listed[:-1], source,
                                  more + 1)
    # The index is each row's 0-based position in the source, gaps where rows were dropped.
    kept = typed if not invalid.any() else typed.loc[~invalid]
    dropped = (np.flatnonzero(invalid) + first_row).tolist()
    return ValidatedTable(kept, dropped, listed, more, ignored)


def validate_bank_table(
    table: pd.DataFrame, required: tuple[str, ...] = domain.RAW_COLUMNS, source: str = "the file",
    first_row: int = 2,
) -> pd.DataFrame:
    """Check columns, numeric types and category sets; return the typed table (see :func:`validate_rows`).

    Raises
    ------
    DataValidationError
        Listing the first problems, with row numbers, and how many more there are.
    """
    return validate_rows(table, required=required, source=source, first_row=first_row).table


def read_bank_csv(path: str | Path, required: tuple[str, ...] = domain.RAW_COLUMNS) -> pd.DataFrame:
    """Read and validate a bank-marketing CSV (UCI semicolon format, or comma- or tab-separated).

    Parameters
    ----------
    path : str or Path
        The file, in any encoding :func:`dashapp.sources.csv_dialect.file_encoding` recognises.
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
    text, dialect = read_csv_text(path)
    return validate_bank_table(parse_csv_text(text, dialect.delimiter, required=required, source=source),
                               required=required, source=source)


def read_csv_text(path: Path) -> tuple[str, csv_dialect.Dialect]:
    """A CSV file's text, decoded as :mod:`dashapp.sources.csv_dialect` finds it written, and its dialect."""
    encoding, bom = csv_dialect.file_encoding(path)
    text = path.read_bytes().decode(encoding)
    text = text.removeprefix("\ufeff") if bom else text
    first_line = text.split("\n", 1)[0] + ("\n" if "\n" in text else "")
    return text, csv_dialect.sniff_dialect(first_line, encoding, bom)


def parse_csv_text(text: str, delimiter: str, required: tuple[str, ...] = domain.RAW_COLUMNS,
                   source: str = "the file") -> pd.DataFrame:
    """CSV text as a table of text cells, refusing an empty, malformed or truncated file (not yet validated)."""
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise DataValidationError(["it is empty"], source)
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
    return table


def parse_bank_text(text: str, required: tuple[str, ...] = domain.RAW_COLUMNS,
                    source: str = "the file") -> pd.DataFrame:
    """Parse and validate CSV text; see :func:`read_bank_csv`."""
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    return validate_bank_table(parse_csv_text(text, delimiter, required=required, source=source),
                               required=required, source=source)


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


def clean_bank_table(raw: pd.DataFrame, dates_from_order: bool = False) -> pd.DataFrame:
    """Recode ``pdays`` and give every row its ``contact_date``; the cleaned table the EDA and the analysis share.

    Parameters
    ----------
    raw : DataFrame
        A validated table (:func:`read_bank_csv`, :func:`validate_rows`), indexed by source position.
    dates_from_order : bool
        Derive each row's contact month from the ``month`` column's order (:func:`contact_dates`): true only of
        the UCI full file, whose rows run in time order from May 2008. A table with a ``contact_date`` column
        keeps its own dates; any other table gets none (``NaT``): a date is never invented.

    Returns
    -------
    DataFrame
        All raw columns, ``pdays`` with 999 recoded to -1, plus ``contact_date``, with the ``client_id`` index
        (the row's 0-based position in the source).
    """
    clean = raw.copy()
    clean["pdays"] = clean["pdays"].replace(domain.PDAYS_NEVER, domain.PDAYS_NEVER_RECODED)
    if CONTACT_DATE in clean.columns:
        clean[CONTACT_DATE] = clean.pop(CONTACT_DATE)  # last, where the derived dates go
    elif dates_from_order:
        clean[CONTACT_DATE] = contact_dates(clean["month"])
    else:
        clean[CONTACT_DATE] = pd.Series(pd.NaT, index=clean.index, dtype="datetime64[ns]")
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
