"""Any source in the bank-additional layout: CSV (';', ',' or tab, any encoding the upload reads), parquet, a SQL
table (a real PostgreSQL); validation with row numbers; bad input refused by the build with the previous
artifacts untouched; and quick builds that never invent dates."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy

from dashapp.analysis import build, training_data
from dashapp.artifacts import provenance
from dashapp.artifacts.model_folder import ArtifactStore
from dashapp.core import domain
from dashapp.sources import bank_table, loader
from dashapp.sources.bank_table import DataValidationError
from scripts import build_artifacts as cli
from tests.sample_builds import SAMPLE_OPTIONS, sample_parameters

SAMPLE_ROWS = 4119


@pytest.fixture(scope="module")
def sample_path(bank_sample_csv) -> Path:
    return bank_sample_csv


@pytest.fixture(scope="module")
def sample_raw(sample_path) -> pd.DataFrame:
    """The sample as pandas reads it (typed): what the copies are written from."""
    return pd.read_csv(sample_path, sep=";")


@pytest.fixture(scope="module")
def sample_loaded(sample_path) -> loader.LoadedSource:
    return loader.load_source(loader.parse_source(sample_path))


@pytest.fixture(scope="module")
def pg_table(postgres_server, sample_raw) -> str:
    """The sample in PostgreSQL as table ``bank_clients``, with a primary key ``row_id`` in the file's order."""
    engine = sqlalchemy.create_engine(postgres_server.url)
    with engine.begin() as connection:
        sample_raw.to_sql("bank_clients", connection, index=True, index_label="row_id", if_exists="replace")
        connection.execute(sqlalchemy.text("ALTER TABLE bank_clients ADD PRIMARY KEY (row_id)"))
        sample_raw.head(50).to_sql("no_key", connection, index=False, if_exists="replace")
        sample_raw.head(0).to_sql("empty_clients", connection, index=False, if_exists="replace")
    engine.dispose()
    return "bank_clients"


def _copy_with_other_order(sample_raw: pd.DataFrame, path: Path, **to_csv) -> Path:
    columns = list(reversed(sample_raw.columns))
    copy = sample_raw[columns].copy()
    copy.insert(3, "adviser", ["José Müller", "Zoë Brontë"] * (len(copy) // 2) + ["Renée"] * (len(copy) % 2))
    copy.to_csv(path, index=False, **to_csv)
    return path


# --- reading every kind of source -------------------------------------------------------------------------------

def test_sample_csv_reads_as_the_uci_layout(sample_loaded, sample_path):
    table = sample_loaded.table
    assert table.shape == (SAMPLE_ROWS, 21) and list(table.columns) == list(domain.RAW_COLUMNS)
    assert table.index.equals(pd.RangeIndex(SAMPLE_ROWS))
    assert sample_loaded.fingerprint == loader.file_fingerprint(loader.parse_source(sample_path))
    assert sample_loaded.details["delimiter"] == ";" and sample_loaded.details["encoding"] == "utf-8"
    assert sample_loaded.date_column is None


def test_comma_copy_in_another_column_order_with_an_extra_column_gives_the_same_table(sample_raw, sample_loaded,
                                                                                      tmp_path):
    path = _copy_with_other_order(sample_raw, tmp_path / "export.csv", sep=",")
    loaded = loader.load_source(loader.parse_source(path))
    pd.testing.assert_frame_equal(loaded.table, sample_loaded.table)
    assert loaded.details["content_sha256"] == sample_loaded.details["content_sha256"]
    assert loaded.details["delimiter"] == "," and loaded.details["ignored_columns"] == ["adviser"]
    assert loaded.fingerprint != sample_loaded.fingerprint  # another file: another sha256


def test_tab_separated_cp1252_copy_gives_the_same_table(sample_raw, sample_loaded, tmp_path):
    path = _copy_with_other_order(sample_raw, tmp_path / "export.tsv", sep="\t", encoding="cp1252")
    assert "é".encode("cp1252") in path.read_bytes()  # not UTF-8: the encoding has to be detected
    loaded = loader.load_source(loader.parse_source(path))
    pd.testing.assert_frame_equal(loaded.table, sample_loaded.table)
    assert (loaded.details["encoding"], loaded.details["delimiter"]) == ("cp1252", "\t")
    assert loaded.details["content_sha256"] == sample_loaded.details["content_sha256"]


def test_parquet_copy_gives_the_same_table(sample_raw, sample_loaded, tmp_path):
    path = tmp_path / "clients.parquet"
    sample_raw.to_parquet(path)
    loaded = loader.load_source(loader.parse_source(path))
    pd.testing.assert_frame_equal(loaded.table, sample_loaded.table)
    assert loaded.details["content_sha256"] == sample_loaded.details["content_sha256"]
    assert loaded.details["kind"] == "parquet"


def test_postgresql_table_reads_in_primary_key_order_and_gives_the_same_table(postgres_server, pg_table,
                                                                              sample_loaded):
    loaded = loader.load_source(loader.parse_source(postgres_server.url, pg_table))
    pd.testing.assert_frame_equal(loaded.table, sample_loaded.table)
    assert loaded.details["content_sha256"] == sample_loaded.details["content_sha256"]
    assert loaded.details["order"] == "primary key (row_id)"
    assert loaded.details["ignored_columns"] == ["row_id"]
    assert postgres_server.url_with().split("@")[0].split(":")[-1] not in json.dumps(loaded.details)
    assert "***" in loaded.details["url"]
    # The fingerprint is the table's name, row count and content: the same rows read again give the same one.
    again = loader.load_source(loader.parse_source(postgres_server.url, pg_table))
    assert again.fingerprint == loaded.fingerprint != loaded.details["content_sha256"]


def test_table_without_a_primary_key_is_read_in_the_order_of_every_column(postgres_server, pg_table, sample_loaded):
    loaded = loader.load_source(loader.parse_source(postgres_server.url, "no_key"))
    assert loaded.details["order"].startswith("every column")
    columns = list(domain.RAW_COLUMNS)
    expected = sample_loaded.table.head(50).sort_values(columns, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(loaded.table.sort_values(columns, kind="stable").reset_index(drop=True), expected)
    first = loaded.table.iloc[0]
    assert first["age"] == loaded.table["age"].min()  # ordered by the first column first


def test_sqlite_url_reads_a_table(tmp_path, sample_raw, sample_loaded):
    database = tmp_path / "clients.db"
    engine = sqlalchemy.create_engine(f"sqlite:///{database}")
    sample_raw.head(100).to_sql("clients", engine, index=True, index_label="id")
    engine.dispose()
    loaded = loader.load_source(loader.parse_source(f"sqlite:///{database}", "clients"))
    # SQLite makes no primary key from to_sql: ordered by every column, the id first, which is the file's order.
    pd.testing.assert_frame_equal(loaded.table, sample_loaded.table.head(100))


# --- validation -------------------------------------------------------------------------------------------------

def _bad_ages(sample_raw: pd.DataFrame, path: Path, rows: int) -> Path:
    copy = sample_raw.astype({"age": object})
    copy.loc[: rows - 1, "age"] = "forty"
    copy.to_csv(path, sep=";", index=False)
    return path


def test_more_than_twenty_problems_lists_twenty_then_a_count(sample_raw, tmp_path):
    path = _bad_ages(sample_raw, tmp_path / "ages.csv", 25)
    with pytest.raises(DataValidationError) as caught:
        loader.load_source(loader.parse_source(path))
    error = caught.value
    assert len(error.problems) == bank_table.MAX_PROBLEMS_SHOWN and error.more == 5
    assert error.problems[0] == "column 'age' has a value that is not a whole number ('forty') in row 2"
    assert error.problems[-1].endswith("in row 21")
    assert str(error).endswith("; and 5 more problems")


def test_problems_are_listed_in_row_order_across_columns(sample_raw, tmp_path):
    copy = sample_raw.astype({"euribor3m": object})
    copy.loc[3, "job"] = "pilot"
    copy.loc[1, "euribor3m"] = "high"
    copy.to_csv(tmp_path / "two.csv", sep=";", index=False)
    with pytest.raises(DataValidationError) as caught:
        loader.load_source(loader.parse_source(tmp_path / "two.csv"))
    assert caught.value.problems[0] == "column 'euribor3m' has a value that is not a number ('high') in row 3"
    assert caught.value.problems[1].startswith("column 'job' has an unknown value 'pilot' in row 5; expected one of")


def test_drop_invalid_leaves_out_the_bad_rows_and_says_which(sample_raw, sample_loaded, tmp_path):
    path = _bad_ages(sample_raw, tmp_path / "ages.csv", 25)
    loaded = loader.load_source(loader.parse_source(path), drop_invalid=True)
    assert len(loaded.table) == SAMPLE_ROWS - 25 and loaded.rows_read == SAMPLE_ROWS
    assert loaded.dropped_rows == list(range(2, 27))
    # client ids stay the rows' positions in the source
    assert loaded.table.index[0] == 25
    pd.testing.assert_frame_equal(loaded.table, sample_loaded.table.iloc[25:])
    assert len(loaded.problems) == bank_table.MAX_PROBLEMS_SHOWN


def test_a_date_column_is_validated_with_its_rows(sample_raw, tmp_path):
    copy = sample_raw.copy()
    months = {m: i + 1 for i, m in enumerate(domain.CATEGORIES["month"])}
    copy["call_date"] = [f"2012-{months[m]:02d}-{1 + i % 28:02d}" for i, m in enumerate(copy["month"])]
    copy.loc[4, "call_date"] = "someday"
    copy.loc[6, "call_date"] = "2012-01-15" if copy.loc[6, "month"] != "jan" else "2012-02-15"
    copy.to_csv(tmp_path / "dated.csv", index=False)
    with pytest.raises(DataValidationError) as caught:
        loader.load_source(loader.parse_source(tmp_path / "dated.csv"), date_column="call_date")
    assert caught.value.problems[0] == "column 'call_date' has a value that is not a date ('someday') in row 6"
    assert "in row 8, in another month than the column 'month' says" in caught.value.problems[1]
    loaded = loader.load_source(loader.parse_source(tmp_path / "dated.csv"), date_column="call_date",
                                 drop_invalid=True)
    assert loaded.dropped_rows == [6, 8] and loaded.table["contact_date"].notna().all()


# --- dates and the split ----------------------------------------------------------------------------------------

def test_a_source_with_dates_is_split_in_date_order_and_written_back_in_source_order(sample_raw, tmp_path):
    copy = sample_raw.head(700).copy()
    months = {m: i + 1 for i, m in enumerate(domain.CATEGORIES["month"])}
    years = np.where(np.arange(len(copy)) % 2 == 0, 2013, 2012)  # not in date order
    copy["contact_date"] = [f"{y}-{months[m]:02d}-01" for y, m in zip(years, copy["month"])]
    copy.to_csv(tmp_path / "dated.csv", index=False)
    loaded = loader.load_source(loader.parse_source(tmp_path / "dated.csv"))
    assert loaded.date_column == "contact_date"
    bank = training_data.prepare_bank_data(loaded, "full", 42)
    dates = bank.clean["contact_date"]
    assert dates.is_monotonic_increasing and bank.n_train == len(bank_table.time_split(700).train) == 489
    assert dates.iloc[:489].max() <= dates.iloc[489:].min()
    assert bank.section["split"]["kind"] == provenance.SPLIT_TIME and bank.section["split"]["seed"] is None
    assert bank.section["dates"] == {"origin": provenance.DATES_FROM_COLUMN, "column": "contact_date"}
    assert bank.section["period"]["first"][:4] == "2012" and bank.section["period"]["last"][:4] == "2013"
    assert sorted(bank.clean.index) == list(range(700))  # every row kept, client_id = source position


def test_a_source_without_dates_gets_none_and_a_seeded_random_split(sample_loaded):
    bank = training_data.prepare_bank_data(sample_loaded, "full", 42)
    assert bank.clean["contact_date"].isna().all()
    assert bank.section["dates"] is None and bank.section["period"] is None and not bank.section["uci"]
    assert bank.section["split"]["kind"] == provenance.SPLIT_RANDOM and bank.section["split"]["seed"] == 42
    train_ids = bank.clean.index[:bank.n_train]
    assert list(train_ids) == sorted(train_ids)  # each part in the source's order
    assert train_ids.max() > bank.n_train  # drawn from the whole file, not its first rows
    again = training_data.prepare_bank_data(sample_loaded, "full", 42)
    assert again.clean.index.equals(bank.clean.index)
    other = training_data.prepare_bank_data(sample_loaded, "full", 7)
    assert not other.clean.index.equals(bank.clean.index)


def test_only_the_uci_full_file_is_dated_from_its_order(bank_csv):
    loaded = loader.load_source(loader.parse_source(bank_csv))
    bank = training_data.prepare_bank_data(loaded, "quick", 42)
    assert bank.section["uci"] and bank.section["dates"]["origin"] == provenance.DATES_FROM_UCI_ORDER
    assert bank.section["period"] == {"first": "2008-05-01", "last": "2010-11-01"}
    assert bank.section["split"] == {"kind": "time", "order": training_data.UCI_ORDER, "seed": None,
                                     "train_fraction": domain.TRAIN_FRACTION}
    assert bank.clean.index.equals(pd.RangeIndex(0, 41188, build.QUICK_ROW_STEP))


# --- bad input: a message naming the place, exit 1, the previous artifacts untouched ---------------------------

@pytest.fixture
def previous_model(tmp_path) -> Path:
    model = tmp_path / "model"
    model.mkdir()
    (model / "manifest.json").write_text('{"previous": true}\n')
    return model


def _fails(previous_model: Path, capsys, *arguments: str) -> str:
    before = {p.name: p.read_bytes() for p in previous_model.iterdir()}
    code = cli.main([*arguments, "--quick", "--jobs", "1", "--quiet", "--model-dir", str(previous_model)])
    assert code == 1
    assert {p.name: p.read_bytes() for p in previous_model.iterdir()} == before
    assert sorted(p.name for p in previous_model.parent.iterdir() if p.name.startswith(".model")) == []
    return capsys.readouterr().err


def test_build_refuses_a_missing_column(sample_raw, tmp_path, previous_model, capsys):
    sample_raw.drop(columns="loan").to_csv(tmp_path / "no-loan.csv", sep=";", index=False)
    err = _fails(previous_model, capsys, "--data", str(tmp_path / "no-loan.csv"))
    assert "'no-loan.csv' cannot be used" in err and "missing column 'loan'" in err


def test_build_refuses_an_unknown_category_and_a_non_numeric_age(sample_raw, tmp_path, previous_model, capsys):
    copy = sample_raw.astype({"age": object})
    copy.loc[9, "job"] = "pilot"
    copy.loc[11, "age"] = "forty"
    copy.to_csv(tmp_path / "bad.csv", sep=";", index=False)
    err = _fails(previous_model, capsys, "--data", str(tmp_path / "bad.csv"))
    assert "  - column 'job' has an unknown value 'pilot' in row 11" in err
    assert "  - column 'age' has a value that is not a whole number ('forty') in row 13" in err


def test_build_refuses_a_missing_file_and_an_unsupported_type(tmp_path, previous_model, capsys):
    err = _fails(previous_model, capsys, "--data", str(tmp_path / "nowhere.csv"))
    assert f"the data file {tmp_path / 'nowhere.csv'} does not exist" in err
    (tmp_path / "clients.xls").write_bytes(b"\xd0\xcf")
    err = _fails(previous_model, capsys, "--data", str(tmp_path / "clients.xls"))
    assert "'clients.xls' is not a file type the build reads (.xls)" in err


def test_build_refuses_an_empty_table_and_one_that_does_not_exist(postgres_server, pg_table, previous_model, capsys):
    err = _fails(previous_model, capsys, "--data", postgres_server.url, "--table", "empty_clients")
    assert "table 'empty_clients' at postgresql+psycopg://studio:***@127.0.0.1" in err and "no data rows" in err
    err = _fails(previous_model, capsys, "--data", postgres_server.url, "--table", "nothing_here")
    assert f"table 'nothing_here' does not exist in database 'studio' on host 127.0.0.1:{postgres_server.port}" in err


def test_build_refuses_a_wrong_password_without_showing_it(postgres_server, pg_table, previous_model, capsys):
    err = _fails(previous_model, capsys, "--data", postgres_server.url_with(password="not-the-S3cret"),
                 "--table", pg_table)
    assert f"cannot read table 'bank_clients' from database 'studio' on host 127.0.0.1:{postgres_server.port}" in err
    assert "password authentication failed" in err
    assert "not-the-S3cret" not in err


def test_build_refuses_an_unreachable_host(postgres_server, previous_model, capsys):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    err = _fails(previous_model, capsys, "--data", postgres_server.url_with(port=port), "--table", "bank_clients")
    assert f"cannot read table 'bank_clients' from database 'studio' on host 127.0.0.1:{port}" in err
    assert postgres_server.url.split(":")[2].split("@")[0] not in err  # the password


def test_a_url_needs_a_table_and_a_file_takes_none(postgres_server, sample_path):
    with pytest.raises(loader.SourceError, match="name the table to read with --table"):
        loader.parse_source(postgres_server.url)
    with pytest.raises(loader.SourceError, match="is a file, not a database URL"):
        loader.parse_source(sample_path, "clients")


# --- quick builds from the sample CSV and from PostgreSQL ------------------------------------------------------

@pytest.fixture(scope="module")
def sample_build(sample_model_dir) -> Path:
    """The session's quick build of the sample (``tests/conftest.py``), made by the build's command line with
    ``--data``, as a user makes it."""
    return sample_model_dir


@pytest.fixture(scope="module")
def postgres_build(postgres_server, pg_table, tmp_path_factory) -> Path:
    model = tmp_path_factory.mktemp("postgres") / "model"
    assert cli.main(["--data", postgres_server.url, "--table", pg_table, *SAMPLE_OPTIONS, "--jobs", "1", "--quiet",
                     "--model-dir", str(model)]) == 0
    return model


def test_quick_build_from_the_sample_says_period_unknown_and_random_split(sample_build, sample_loaded):
    store = ArtifactStore(sample_build)
    facts = store.provenance
    assert (facts.name, facts.kind, facts.is_uci) == ("bank-additional.csv", "csv", False)
    assert not facts.period_known and facts.first_month is None
    assert facts.split_kind == provenance.SPLIT_RANDOM and facts.split_seed == 42
    assert facts.fingerprint == sample_loaded.fingerprint
    section = store.manifest["data"]
    assert section["rows"] == len(range(0, SAMPLE_ROWS, build.QUICK_ROW_STEP)) == facts.train_rows + facts.test_rows
    clients = store.clients
    assert list(clients.index) == list(range(0, SAMPLE_ROWS, build.QUICK_ROW_STEP))  # source order, source ids
    assert clients["contact_date"].isna().all()
    assert (clients["split"] == "train").sum() == facts.train_rows
    assert store.response["dates_known"] is False and store.response["split"] == "random"
    assert list(store.response["populations"]) == ["all", "train", "test"]
    assert store.response["populations"]["train"]["name"] == "training clients"
    assert store.targeting["split"] == "random"
    # Positional artifacts name the right clients: the t-SNE map's clients are training clients.
    tsne = store.tsne("knn-p8-final")
    assert clients.loc[tsne["client_id"], "split"].eq("train").all()


def test_quick_build_from_postgresql_matches_the_csv_build_and_masks_the_password(postgres_build, sample_build,
                                                                                postgres_server):
    store = ArtifactStore(postgres_build)
    facts = store.provenance
    assert (facts.name, facts.kind, facts.period_known, facts.split_kind) == ("bank_clients", "sql", False, "random")
    manifest_text = (postgres_build / "manifest.json").read_text()
    assert postgres_server.url.split(":")[2].split("@")[0] not in manifest_text
    assert store.manifest["data"]["source"]["order"] == "primary key (row_id)"
    csv_store = ArtifactStore(sample_build)
    # The same rows in the same order give the same analysis, whichever source held them.
    pd.testing.assert_frame_equal(store.clients, csv_store.clients)
    assert store.evaluation["final"] == csv_store.evaluation["final"]


def test_if_stale_compares_the_source_fingerprint(sample_build, sample_path, tmp_path, caplog):
    arguments = ["--data", str(sample_path), *SAMPLE_OPTIONS, "--jobs", "1", "--quiet", "--if-stale",
                 "--model-dir", str(sample_build)]
    with caplog.at_level("INFO", logger="build_artifacts"):
        assert cli.main(arguments) == 0
    assert "up to date" in caplog.text
    reasons, _ = cli._stale_reasons(sample_build, loader.parse_source(sample_path),
                                    sample_parameters(),
                                    cli._arguments(arguments + ["--date-column", "call_date"]))
    assert reasons == ["the date column asked for is 'call_date', the build used none"]


def test_the_content_hash_is_the_same_hashed_in_blocks(sample_loaded, monkeypatch):
    whole = loader.content_sha256(sample_loaded.table)
    monkeypatch.setattr(loader, "HASH_BLOCK_ROWS", 1_000)
    assert loader.content_sha256(sample_loaded.table) == whole == sample_loaded.details["content_sha256"]


def test_category_cells_share_one_string_per_category(sample_loaded):
    jobs = sample_loaded.table["job"]
    assert jobs.dtype == object and len({id(value) for value in jobs}) == jobs.nunique()
