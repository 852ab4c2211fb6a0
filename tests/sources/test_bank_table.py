"""Reading and validating the bank-marketing table: real file, exports, and the errors an analyst sees."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashapp.core import domain
from dashapp.sources import bank_table
from dashapp.sources.bank_table import DataValidationError


@pytest.fixture(scope="module")
def raw(bank_csv):
    return bank_table.read_bank_csv(bank_csv)


def _head_lines(bank_csv, n: int) -> list[str]:
    with open(bank_csv, encoding="utf-8") as handle:
        return [next(handle) for _ in range(n)]


def test_real_file_has_every_row_and_column(raw):
    assert raw.shape == (41188, 21)
    assert list(raw.columns) == list(domain.RAW_COLUMNS)
    assert raw["age"].dtype == np.int64 and raw["euribor3m"].dtype == np.float64
    assert set(raw["job"]) <= set(domain.CATEGORIES["job"])


def test_contact_dates_run_from_may_2008_to_november_2010(raw):
    dates = bank_table.contact_dates(raw["month"])
    assert dates.iloc[0] == pd.Timestamp("2008-05-01")
    assert dates.iloc[-1] == pd.Timestamp("2010-11-01")
    assert dates.is_monotonic_increasing
    assert dates.dt.year.value_counts().sort_index().index.tolist() == [2008, 2009, 2010]


def test_contact_dates_wrap_into_next_year():
    months = pd.Series(["nov", "dec", "jan", "mar", "mar", "feb"])
    years = bank_table.contact_dates(months).dt.year.tolist()
    assert years == [2008, 2008, 2009, 2009, 2009, 2010]


def test_clean_recodes_pdays_and_keeps_call_columns(raw):
    clean = bank_table.clean_bank_table(raw)
    assert (clean["pdays"] == domain.PDAYS_NEVER).sum() == 0
    assert (clean["pdays"] == -1).sum() == (raw["pdays"] == 999).sum()
    assert {"duration", "contact", "month", "day_of_week", "contact_date"} <= set(clean.columns)


def test_modelling_frame_drops_call_columns_and_marks_unknown(raw):
    frame = bank_table.modelling_frame(bank_table.clean_bank_table(raw))
    assert not set(domain.CALL_COLUMNS) & set(frame.columns)
    assert frame["job"].isna().sum() == (raw["job"] == "unknown").sum() == 330


def test_comma_separated_export_reads_the_same(raw, bank_csv, tmp_path):
    path = tmp_path / "export.csv"
    raw.head(200).to_csv(path, index=False)
    again = bank_table.read_bank_csv(path)
    pd.testing.assert_frame_equal(again, raw.head(200))


def test_missing_column_is_named(bank_csv, tmp_path):
    path = tmp_path / "no-loan.csv"
    bank_table.read_bank_csv(bank_csv).head(20).drop(columns=["loan"]).to_csv(path, sep=";", index=False)
    with pytest.raises(DataValidationError, match="missing column 'loan'"):
        bank_table.read_bank_csv(path)


def test_wrong_category_names_column_value_row_and_choices(bank_csv, tmp_path):
    lines = _head_lines(bank_csv, 15)
    lines[12] = lines[12].replace('"services"', '"pilot"').replace('"housemaid"', '"pilot"')
    path = tmp_path / "pilot.csv"
    path.write_text("".join(lines))
    with pytest.raises(DataValidationError) as caught:
        bank_table.read_bank_csv(path)
    message = str(caught.value)
    assert "column 'job' has an unknown value 'pilot' in row 13" in message
    assert "expected one of admin., blue-collar" in message


def test_non_numeric_age_is_reported_with_its_row(bank_csv, tmp_path):
    lines = _head_lines(bank_csv, 10)
    lines[4] = "forty" + lines[4][lines[4].index(";"):]
    path = tmp_path / "age.csv"
    path.write_text("".join(lines))
    with pytest.raises(DataValidationError, match=r"column 'age' has a value that is not a whole number \('forty'\) in row 5"):
        bank_table.read_bank_csv(path)


def test_truncated_file_is_refused(bank_csv, tmp_path):
    text = "".join(_head_lines(bank_csv, 50))
    path = tmp_path / "truncated.csv"
    path.write_text(text[: len(text) - 40])  # cut inside the last row
    with pytest.raises(DataValidationError, match="truncated|well-formed|incomplete"):
        bank_table.read_bank_csv(path)


def test_empty_and_header_only_files_are_refused(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataValidationError, match="empty"):
        bank_table.read_bank_csv(empty)
    header = tmp_path / "header.csv"
    header.write_text(";".join(domain.RAW_COLUMNS) + "\n")
    with pytest.raises(DataValidationError, match="no data rows"):
        bank_table.read_bank_csv(header)


def test_time_split_is_ordered_and_70_30():
    split = bank_table.time_split(41188)
    assert len(split.train) == 28831 and len(split.test) == 12357
    assert split.train[-1] + 1 == split.test[0]
    with pytest.raises(ValueError, match="train_fraction=1.5"):
        bank_table.time_split(10, 1.5)
