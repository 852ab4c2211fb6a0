"""Scoring on a Dask cluster (a LocalCluster of two worker processes) writes exactly what scoring here writes, and
an unreachable scheduler is a clear error."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dashapp.analysis import dask_backend
from dashapp.scoring import client_files, client_parquet, scorer
from dashapp.scoring.dask_scoring import score_file_on_cluster
from tests.browser_helpers import free_port
from tests.scored_inputs import clients_frame, read_dataset, typed_table, write_csv, write_dataset

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model(full_store):
    return scorer.scoring_model(full_store)


@pytest.fixture(scope="module")
def clients(bank_csv):
    return clients_frame(bank_csv)


def test_a_csv_scored_on_the_cluster_is_byte_for_byte_the_local_file(clients, dask_cluster, model, tmp_path):
    source = write_csv(clients, tmp_path / "clients.csv")
    here = client_files.score_csv_stream(source, tmp_path / "here.csv", model)
    # Small blocks, so that the file is cut into many partitions scored by both workers.
    there = score_file_on_cluster(source, tmp_path / "there.csv", model, dask_cluster.scheduler_address,
                                  chunk_rows=40)
    assert (tmp_path / "there.csv").read_bytes() == (tmp_path / "here.csv").read_bytes()
    assert (there.rows, there.scored, there.segments, there.dialect) == (here.rows, here.scored, here.segments,
                                                                        here.dialect)
    assert there.refused >= 2 and b";'=call 0;" in (tmp_path / "there.csv").read_bytes()  # neutralised


def test_a_windows_csv_is_read_and_written_on_the_cluster_in_its_own_dialect(clients, dask_cluster, model,
                                                                               tmp_path):
    source = tmp_path / "clients.csv"
    text = clients.assign(note=[f"клиент {i}" for i in range(len(clients))]).to_csv(index=False, lineterminator="\r\n")
    source.write_bytes(text.encode("cp1251"))
    client_files.score_csv_stream(source, tmp_path / "here.csv", model)
    there = score_file_on_cluster(source, tmp_path / "there.csv", model, dask_cluster.scheduler_address,
                                  chunk_rows=64)
    assert there.dialect.encoding == "cp1251" and there.dialect.line_terminator == "\r\n"
    assert (tmp_path / "there.csv").read_bytes() == (tmp_path / "here.csv").read_bytes()


def test_a_parquet_file_and_a_dataset_scored_on_the_cluster_equal_the_local_ones(clients, dask_cluster, model,
                                                                                  tmp_path):
    file = tmp_path / "clients.parquet"
    pq.write_table(typed_table(clients), file, row_group_size=50)  # six row groups, six partitions
    here = client_parquet.score_parquet_stream(file, tmp_path / "here.parquet", model)
    there = score_file_on_cluster(file, tmp_path / "there.parquet", model, dask_cluster.scheduler_address)
    assert pq.read_table(tmp_path / "there.parquet").equals(pq.read_table(tmp_path / "here.parquet"))
    assert (there.rows, there.refused, there.segments) == (here.rows, here.refused, here.segments)

    dataset = write_dataset(typed_table(clients), tmp_path / "clients", files=11)
    client_parquet.score_parquet_stream(dataset, tmp_path / "here", model)
    score_file_on_cluster(dataset, tmp_path / "there", model, dask_cluster.scheduler_address)
    names = [f"part.{i}.parquet" for i in range(11)]
    assert sorted(p.name for p in (tmp_path / "there").iterdir()) == sorted(names)
    assert read_dataset(tmp_path / "there", names).equals(read_dataset(tmp_path / "here", names))


def test_a_malformed_csv_on_the_cluster_is_refused_and_leaves_no_file(dask_cluster, model, tmp_path):
    source = tmp_path / "clients.csv"
    source.write_bytes(b"job;housing;loan\nadmin.;yes;no\nadmin.;yes;no;extra;cells\n")
    with pytest.raises(client_files.ClientFileError, match="'clients.csv' is not a well-formed CSV file"):
        score_file_on_cluster(source, tmp_path / "out.csv", model, dask_cluster.scheduler_address)
    assert [p.name for p in tmp_path.iterdir()] == ["clients.csv"]


def _score_cli():
    spec = importlib.util.spec_from_file_location("score_cli", REPO / "scripts" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_unreachable_scheduler_exits_1_saying_so(clients, full_store, tmp_path, monkeypatch, capsys):
    source = write_csv(clients, tmp_path / "clients.csv")
    monkeypatch.setattr(dask_backend, "CONNECT_TIMEOUT", 2)  # nobody listens: no need to wait 30 s
    address = f"tcp://127.0.0.1:{free_port()}"
    monkeypatch.setenv(dask_backend.ADDRESS_VARIABLE, address)  # the variable, when --dask is not given
    code = _score_cli().main([str(source), str(tmp_path / "out.csv"), "--model-dir", str(full_store.model_dir),
                              "--quiet"])
    assert code == 1
    assert f"error: cannot reach the Dask scheduler at {address}" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["clients.csv"]


def test_the_command_line_scores_on_the_cluster_it_is_given(clients, dask_cluster, full_store, tmp_path):
    dataset = write_dataset(typed_table(clients), tmp_path / "clients", files=3)
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "score.py"), str(dataset), str(tmp_path / "scored"),
                             "--model-dir", str(full_store.model_dir), "--quiet", "--dask",
                             dask_cluster.scheduler_address],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "as a Parquet dataset of 3 files; scored " in result.stderr
    assert f" of {len(clients)} rows on the Dask cluster at {dask_cluster.scheduler_address}" in result.stderr
    assert sorted(p.name for p in (tmp_path / "scored").iterdir()) == [f"part.{i}.parquet" for i in range(3)]
