"""The bigger-clients generator (benchmarks/make_clients.py): deterministic for a seed, the file's months in their
order, its mix of jobs and loans kept, dates a build splits in time. Its input is every 20th row of the UCI file
(time order kept); its output goes to a temporary folder, never into the repository."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashapp.analysis import training_data
from dashapp.artifacts import provenance
from dashapp.sources import bank_table, loader

FACTOR = 4


@pytest.fixture(scope="module")
def make_clients():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "make_clients.py"
    spec = importlib.util.spec_from_file_location("make_clients", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_clients"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def small_source(bank_csv, tmp_path_factory) -> Path:
    lines = Path(bank_csv).read_text(encoding="utf-8").splitlines()
    path = tmp_path_factory.mktemp("generator") / "every-20th.csv"
    path.write_text("\n".join([lines[0]] + lines[1::20]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def generated(make_clients, small_source, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "clients.csv"
    make_clients.make_clients(small_source, FACTOR, out, seed=3)
    return out


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";") if path.suffix == ".csv" else pd.read_parquet(path)


def test_the_generator_is_deterministic_for_a_seed(make_clients, small_source, generated, tmp_path):
    make_clients.make_clients(small_source, FACTOR, tmp_path / "same.csv", seed=3)
    make_clients.make_clients(small_source, FACTOR, tmp_path / "other.csv", seed=4)
    assert (tmp_path / "same.csv").read_bytes() == generated.read_bytes()
    assert (tmp_path / "other.csv").read_bytes() != generated.read_bytes()


def test_the_generated_file_keeps_the_uci_layout_and_adds_contact_date(small_source, generated):
    source_header = small_source.read_text().splitlines()[0]
    header, first = generated.read_text().splitlines()[:2]
    assert header == source_header + ';"contact_date"'
    assert first.split(";")[1].startswith('"') and not first.split(";")[0].startswith('"')  # text quoted, numbers not


def test_every_month_comes_factor_times_in_the_files_order(small_source, generated):
    source, out = _read(small_source), _read(generated)
    assert len(out) == FACTOR * len(source)
    dates = pd.to_datetime(out["contact_date"])
    assert dates.is_monotonic_increasing
    source_months = pd.Series(bank_table.contact_dates(source["month"]))
    assert (dates.dt.to_period("M").value_counts().sort_index().to_numpy()
            == FACTOR * source_months.dt.to_period("M").value_counts().sort_index().to_numpy()).all()
    assert (dates.dt.strftime("%b").str.lower() == out["month"]).all()
    assert (dates.dt.strftime("%a").str.lower() == out["day_of_week"]).all()


def test_the_mix_of_jobs_and_loans_is_kept_and_ages_and_calls_move_within_range(small_source, generated):
    source, out = _read(small_source), _read(generated)
    for column in ("job", "housing", "loan"):
        expected = source[column].value_counts(normalize=True)
        got = out[column].value_counts(normalize=True).reindex(expected.index, fill_value=0.0)
        assert (got - expected).abs().max() < 0.03, column
    for column in ("age", "campaign"):
        assert out[column].between(source[column].min(), source[column].max()).all()
    assert out["campaign"].min() >= 1
    assert abs(out["age"].mean() - source["age"].mean()) < 1.0
    assert not out["age"].isin([]).any() and out[["age", "campaign"]].drop_duplicates().shape[0] > 1


def test_parquet_holds_the_same_rows_as_csv(make_clients, small_source, generated, tmp_path):
    make_clients.make_clients(small_source, FACTOR, tmp_path / "clients.parquet", seed=3)
    from_csv, from_parquet = _read(generated), _read(tmp_path / "clients.parquet")
    from_csv["contact_date"] = pd.to_datetime(from_csv["contact_date"])
    from_parquet["contact_date"] = pd.to_datetime(from_parquet["contact_date"])
    pd.testing.assert_frame_equal(from_csv, from_parquet, check_dtype=False)


def test_a_build_splits_a_generated_file_in_time(generated):
    loaded = loader.load_source(loader.parse_source(generated), date_column="contact_date")
    bank = training_data.prepare_bank_data(loaded, "full", 42)
    assert bank.section["split"]["kind"] == provenance.SPLIT_TIME
    dates = bank.clean["contact_date"]
    assert dates.iloc[:bank.n_train].max() <= dates.iloc[bank.n_train:].min()
    assert np.array_equal(bank.clean.index, np.arange(len(bank.clean)))  # already in time order
