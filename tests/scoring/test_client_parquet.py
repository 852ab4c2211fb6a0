"""Parquet files and datasets are scored like CSV files: every row in order, every column with its type, the
same statuses, segments and votes, and clear refusals."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashapp.scoring import client_files, client_parquet, scorer
from dashapp.scoring.client_files import ClientFileError
from tests.scored_inputs import clients_frame, read_dataset, typed_table, write_csv, write_dataset

NATURAL_ORDER = [f"part.{i}.parquet" for i in range(11)]


@pytest.fixture(scope="module")
def model(full_store):
    return scorer.scoring_model(full_store)


@pytest.fixture(scope="module")
def clients(bank_csv) -> pd.DataFrame:
    return clients_frame(bank_csv)


@pytest.fixture()
def parquet_file(clients, tmp_path):
    path = tmp_path / "clients.parquet"
    pq.write_table(typed_table(clients), path, row_group_size=40)
    return path


def _csv_scored(clients, tmp_path, model) -> pd.DataFrame:
    source = write_csv(clients, tmp_path / "clients.csv")
    client_files.score_csv_stream(source, tmp_path / "scored.csv", model)
    return pd.read_csv(tmp_path / "scored.csv", sep=";", dtype=str, keep_default_na=False)


def test_a_parquet_file_keeps_every_row_and_typed_column_and_scores_as_the_csv(clients, parquet_file, tmp_path,
                                                                                model):
    summary = client_parquet.score_parquet_stream(parquet_file, tmp_path / "scored.parquet", model, chunk_rows=23)
    scored = pq.read_table(tmp_path / "scored.parquet")
    typed = pq.read_table(parquet_file)
    assert scored.schema.names == typed.schema.names + ["status", "segment", "segment_name", "filled"]
    assert scored.select(typed.schema.names).equals(typed)  # values and types, timestamps and decimals too
    assert [scored.schema.field(c).type for c in ("status", "segment", "segment_name", "filled")] == [
        pa.string(), pa.int64(), pa.string(), pa.string()]

    csv = _csv_scored(clients, tmp_path, model)
    ours = scored.to_pandas()
    assert ours["status"].tolist() == csv["status"].tolist()
    assert ["" if pd.isna(s) else str(int(s)) for s in ours["segment"]] == csv["segment"].tolist()
    assert ours["filled"].fillna("").tolist() == csv["filled"].tolist()
    assert ours["segment_name"].fillna("").tolist() == csv["segment_name"].tolist()
    # The refused rows have no segment and no name (null, not an empty text); the vote's row says what it filled.
    assert ours.loc[[7, 11], "segment"].isna().all() and ours.loc[[7, 11], "segment_name"].isna().all()
    assert ours.loc[3, "filled"].startswith("job") and ours["filled"].notna().sum() == (csv["filled"] != "").sum()
    assert (summary.rows, summary.refused) == (len(clients), (csv["status"] != "scored").sum())
    assert summary.normalised[("housing", " Yes ", "yes")] == 1
    assert summary.dialect.describe() == "a Parquet file"


def test_a_dataset_is_scored_into_the_same_files_in_natural_order(clients, tmp_path, model):
    source = write_dataset(typed_table(clients), tmp_path / "clients", files=11)
    summary = client_parquet.score_parquet_stream(source, tmp_path / "scored", model, chunk_rows=9)
    assert sorted(p.name for p in (tmp_path / "scored").iterdir()) == sorted(NATURAL_ORDER)
    pq.write_table(typed_table(clients), tmp_path / "whole.parquet")
    client_parquet.score_parquet_stream(tmp_path / "whole.parquet", tmp_path / "whole-scored.parquet", model)
    # part.10 holds the last rows: read in natural order, the files are the whole file's rows in order.
    assert read_dataset(tmp_path / "scored", NATURAL_ORDER).equals(pq.read_table(tmp_path / "whole-scored.parquet"))
    assert summary.dialect.describe() == "a Parquet dataset of 11 files" and summary.rows == len(clients)


def test_scoring_a_scored_parquet_file_again_replaces_our_columns(parquet_file, tmp_path, model):
    client_parquet.score_parquet_stream(parquet_file, tmp_path / "once.parquet", model)
    client_parquet.score_parquet_stream(tmp_path / "once.parquet", tmp_path / "twice.parquet", model)
    assert pq.read_table(tmp_path / "twice.parquet").equals(pq.read_table(tmp_path / "once.parquet"))


def test_parquet_inputs_that_cannot_be_scored_are_refused_with_a_reason(clients, parquet_file, tmp_path, model):
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(parquet_file.read_bytes()[:-100])
    with pytest.raises(ClientFileError, match="'broken.parquet' is not a readable Parquet file"):
        client_parquet.score_parquet_stream(broken, tmp_path / "out.parquet", model)
    no_loan = tmp_path / "no-loan.parquet"
    pq.write_table(typed_table(clients).drop_columns(["loan"]), no_loan)
    with pytest.raises(ClientFileError, match=r"has no column 'loan' \(read as a Parquet file"):
        client_parquet.score_parquet_stream(no_loan, tmp_path / "out.parquet", model)
    mixed = write_dataset(typed_table(clients), tmp_path / "mixed", files=2)
    pq.write_table(typed_table(clients).drop_columns(["note"]), mixed / "part.2.parquet")
    with pytest.raises(ClientFileError, match="the files of 'mixed' have different columns: no note in "
                                              "'part.2.parquet' against 'part.0.parquet'"):
        client_parquet.score_parquet_stream(mixed, tmp_path / "out", model)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ClientFileError, match="a folder with no Parquet files"):
        client_parquet.score_parquet_stream(tmp_path / "empty", tmp_path / "out", model)
    (mixed / "part.2.parquet").unlink()
    with pytest.raises(ClientFileError, match="exists; a scored dataset is written into a new folder"):
        client_parquet.score_parquet_stream(mixed, tmp_path / "empty", model)
    assert not (tmp_path / "out.parquet").exists() and not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_a_column_that_would_unpack_past_the_limit_is_refused_from_the_footer(tmp_path, model):
    # A parquet bomb: one zstd-compressed value of 70 MB is a file of a few KB; the footer says what it unpacks to.
    bomb = tmp_path / "bomb.parquet"
    pq.write_table(pa.table({"job": ["admin."], "housing": ["yes"], "loan": ["no"], "note": ["x" * 70_000_000]}),
                   bomb, compression="zstd")
    assert bomb.stat().st_size < 100_000
    with pytest.raises(ClientFileError, match=r"column 'note' of row group 1 unpacks to 66\.8 MB; the limit is 64 MB"):
        client_parquet.read_layout(bomb)
    with pytest.raises(ClientFileError, match="unpacks to"):
        client_parquet.score_parquet_stream(bomb, tmp_path / "out.parquet", model)
    assert not (tmp_path / "out.parquet").exists()
    # The command line may raise the limit for a file it trusts.
    summary = client_parquet.score_parquet_stream(bomb, tmp_path / "out.parquet", model, max_chunk_bytes=80 * 2**20)
    assert summary.rows == 1
