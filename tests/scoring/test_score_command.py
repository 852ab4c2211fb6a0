"""scripts/score.py: streams a file into a scored file, and agrees with the form, the upload and the API."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask

from dashapp.scoring import client_files, scorer
from dashapp.web import api

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str | Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, str(REPO / "scripts" / "score.py"), *map(str, args), "--quiet"],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def sample(bank_csv, tmp_path_factory) -> Path:
    """The first 400 clients of the real file (UCI format, some with a missing key field) and two bad rows."""
    lines = bank_csv.read_text().splitlines()[:401]
    bad = lines[1].replace('"admin."', '"pilot"', 1).replace('"housemaid"', '"pilot"', 1)
    path = tmp_path_factory.mktemp("cli") / "clients.csv"
    path.write_text("\n".join(lines + [bad, lines[1].replace("56;", "fifty;", 1)]) + "\n")
    return path


def test_form_api_file_and_command_line_give_identical_segments(sample, full_store, tmp_path):
    out = tmp_path / "scored.csv"
    result = _run(sample, out, "--model-dir", full_store.model_dir, "--chunk-rows", "64")
    assert result.returncode == 0, result.stderr
    assert "scored 396 of 402 rows" in result.stderr and "6 rows not scored" in result.stderr  # 4 lack loans

    model = scorer.scoring_model(full_store)
    file = client_files.read_client_csv(sample.read_bytes())
    upload = scorer.score_table(file.table, model)
    # The command line writes, chunk by chunk, exactly the file the page's download holds.
    assert out.read_bytes() == client_files.client_csv_bytes(upload.table, file.dialect)
    streamed = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False)
    assert len(streamed) == 402 and streamed["status"].iloc[-2:].str.startswith("not scored: ").all()
    assert streamed["status"].iloc[-1] == ("not scored: 'fifty' is not an age; expected a whole number from 16 "
                                           "to 120")
    assert streamed["segment"].iloc[-2:].tolist() == ["", ""]

    scored = upload.table[upload.table["status"] == "scored"]
    # A key field's "unknown" is absent (to be filled); a detail's "unknown" is the file's value, given.
    clients = [{f: (None if v == "unknown" and f in scorer.KEY_FIELDS else v) for f, v in row.items()}
               for row in scored[list(scorer.CATEGORY_FIELDS)].to_dict("records")]
    for client, age in zip(clients, scored["age"]):
        client["age"] = int(age)
    form = [scorer.score_client(scorer.validate_client(c), model) for c in clients]
    app = Flask(__name__)
    app.register_blueprint(api.blueprint, url_prefix="/api/v1")
    through_api = app.test_client().post("/api/v1/score", json={"clients": clients}).get_json()["results"]

    segments = [r.segment for r in form]
    assert streamed.loc[streamed["status"] == "scored", "segment"].astype(int).tolist() == segments
    assert [r["segment"] for r in through_api] == segments
    assert streamed.loc[streamed["status"] == "scored", "filled"].tolist() == [
        r.filled[0].describe() if r.filled else "" for r in form]
    assert [r["filled"] for r in through_api] == [[f.to_dict() for f in r.filled] for r in form]
    assert (streamed["filled"] != "").sum() > 0
    assert list(streamed.columns[:21]) == list(pd.read_csv(sample, sep=";", nrows=0).columns)


def test_command_line_explains_a_file_it_cannot_read(tmp_path, full_store):
    workbook = tmp_path / "clients.xlsx"
    workbook.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    result = _run(workbook, tmp_path / "out.xlsx", "--model-dir", full_store.model_dir)
    assert result.returncode == 1
    assert "is a damaged workbook or zip archive" in result.stderr
    assert not (tmp_path / "out.xlsx").exists()


def test_command_line_refuses_to_overwrite_its_input(sample):
    result = _run(sample, sample)
    assert result.returncode == 2
    assert "must not overwrite the input" in result.stderr


@pytest.fixture(scope="module")
def workbook(sample, tmp_path_factory) -> Path:
    """The same clients as the sample, as the second sheet of a workbook (numbers as numbers)."""
    table = pd.read_csv(sample, sep=";", dtype=object, keep_default_na=False)
    table["age"] = [int(a) if a.isdigit() else a for a in table["age"]]
    table["euribor3m"] = table["euribor3m"].astype(float)
    path = tmp_path_factory.mktemp("cli-xlsx") / "clients.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"about": ["March calls"]}).to_excel(writer, sheet_name="Read me", index=False)
        table.to_excel(writer, sheet_name="Clients", index=False)
    return path


def test_command_line_scores_a_named_sheet_into_a_workbook_as_the_csv(sample, workbook, full_store, tmp_path):
    result = _run(workbook, tmp_path / "scored.xlsx", "--sheet", "Clients", "--chunk-rows", "150",
                  "--model-dir", full_store.model_dir)
    assert result.returncode == 0, result.stderr
    assert "as an Excel workbook, sheet 'Clients' (2 of 2); scored 396 of 402 rows" in result.stderr
    scored = pd.read_excel(tmp_path / "scored.xlsx", sheet_name=None)
    assert list(scored) == ["Clients"]
    table = scored["Clients"]
    assert table["age"].iloc[0] == 56 and table["euribor3m"].iloc[0] == pytest.approx(4.857)  # numbers stay so
    assert _run(sample, tmp_path / "scored.csv", "--model-dir", full_store.model_dir).returncode == 0
    streamed = pd.read_csv(tmp_path / "scored.csv", sep=";")
    assert table["status"].tolist() == streamed["status"].tolist()
    assert table["segment"].fillna(0).astype(int).tolist() == streamed["segment"].fillna(0).astype(int).tolist()
    assert list(table.columns) == list(streamed.columns)


def test_command_line_says_what_is_wrong_with_a_workbook(sample, workbook, full_store, tmp_path):
    first = _run(workbook, tmp_path / "out.xlsx", "--model-dir", full_store.model_dir)
    assert first.returncode == 1 and "sheet 'Read me' (1 of 2), its columns are 'about'" in first.stderr
    missing = _run(workbook, tmp_path / "out.xlsx", "--sheet", "April", "--model-dir", full_store.model_dir)
    assert missing.returncode == 1 and "has no sheet 'April'; its sheets are 'Read me', 'Clients'" in missing.stderr
    as_csv = _run(workbook, tmp_path / "out.csv", "--sheet", "Clients")
    assert as_csv.returncode == 2 and "name the output *.xlsx" in as_csv.stderr
    sheet_of_a_csv = _run(sample, tmp_path / "out.csv", "--sheet", "Clients", "--model-dir", full_store.model_dir)
    assert sheet_of_a_csv.returncode == 1 and "--sheet is for an Excel workbook" in sheet_of_a_csv.stderr
    assert not list(tmp_path.iterdir())


@pytest.fixture(scope="module")
def parquet_sample(sample, tmp_path_factory) -> Path:
    """The same clients as the sample, as a Parquet file (age as a number where it is one)."""
    table = pd.read_csv(sample, sep=";", dtype=object, keep_default_na=False)
    path = tmp_path_factory.mktemp("cli-parquet") / "clients.parquet"
    table.to_parquet(path, index=False)
    return path


def test_command_line_scores_parquet_into_parquet_as_the_csv(sample, parquet_sample, full_store, tmp_path):
    result = _run(parquet_sample, tmp_path / "scored.parquet", "--chunk-rows", "64", "--model-dir",
                  full_store.model_dir)
    assert result.returncode == 0, result.stderr
    assert "as a Parquet file; scored 396 of 402 rows" in result.stderr
    assert _run(sample, tmp_path / "scored.csv", "--model-dir", full_store.model_dir).returncode == 0
    scored = pd.read_parquet(tmp_path / "scored.parquet")
    streamed = pd.read_csv(tmp_path / "scored.csv", sep=";", dtype=str, keep_default_na=False)
    assert scored["status"].tolist() == streamed["status"].tolist()
    assert scored["filled"].fillna("").tolist() == streamed["filled"].tolist()
    assert list(scored.columns) == list(streamed.columns)


def test_command_line_says_what_a_parquet_input_needs(sample, parquet_sample, full_store, tmp_path):
    as_csv = _run(parquet_sample, tmp_path / "out.csv")
    assert as_csv.returncode == 2 and "is a Parquet file, so the scored file is one too: name the output " \
                                      "*.parquet" in as_csv.stderr
    csv_as_parquet = _run(sample, tmp_path / "out.parquet")
    assert csv_as_parquet.returncode == 2 and "name the output anything but *.xlsx or *.parquet" in csv_as_parquet.stderr
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(parquet_sample.read_bytes()[:200])
    result = _run(damaged, tmp_path / "out.parquet", "--model-dir", full_store.model_dir)
    assert result.returncode == 1 and "'damaged.parquet' is not a readable Parquet file" in result.stderr
    (tmp_path / "taken").mkdir()
    dataset = tmp_path / "dataset"
    dataset.mkdir()
    (dataset / "part.0.parquet").write_bytes(parquet_sample.read_bytes())
    taken = _run(dataset, tmp_path / "taken")
    assert taken.returncode == 2 and "is a Parquet dataset (a folder), so the scored dataset is a new folder" in \
        taken.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["damaged.parquet", "dataset", "taken"]
