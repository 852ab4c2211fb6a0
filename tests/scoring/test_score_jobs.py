"""Scoring a file as a job: chunks give the answer of one go, progress is told, scored files are kept a while."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashapp.scoring import client_files, score_jobs, scorer

REPO = Path(__file__).resolve().parents[2]

#: Rows refused for different reasons, values read leniently (first seen in different chunks), a vote to fill.
MIXED = ("client;Job;HOUSING;loan;age;education\n"
         "1;admin.;yes;no;40;Basic.9Y\n"
         "2;unknown;unknown;no;41;\n"
         "3;pilot;yes;no;33;basic.9y\n"
         "4; Technician;Yes;no;abc;university.degree\n"
         "5;unknown;no;yes;29;BASIC.9Y\n"
         "6;ADMIN.;yes ;No;;basic.9y\n"
         "7;student;no;no;22;Basic.9Y\n"
         "8; Technician;no;unknown;51;\n"
         "9;retired;Yes;no;70;university.degree\n").encode()


@pytest.fixture(scope="module")
def model(full_store):
    return scorer.scoring_model(full_store)


def _assert_same(chunked: scorer.TableScore, whole: scorer.TableScore) -> None:
    pd.testing.assert_frame_equal(chunked.table, whole.table)
    assert chunked.refusals == whole.refusals and chunked.problems == whole.problems
    assert chunked.refused_rows.tolist() == whole.refused_rows.tolist()
    assert chunked.normalised == whole.normalised
    assert chunked.columns == whole.columns


@pytest.mark.parametrize("rows_per_chunk", [1, 2, 3, 4, 8, 9, 1000])
def test_chunks_give_exactly_what_one_go_gives(model, rows_per_chunk):
    file = client_files.read_client_csv(MIXED)
    whole = scorer.score_table(file.table, model)
    assert whole.refused_count == 3 and whole.normalised  # the file exercises both merges
    chunked = score_jobs.score_table_in_chunks(file.table, model, rows_per_chunk)
    _assert_same(chunked, whole)
    assert client_files.client_csv_bytes(chunked.table, file.dialect) == \
        client_files.client_csv_bytes(whole.table, file.dialect)


@pytest.mark.parametrize("rows_per_chunk", [7, 50, 1000])
def test_chunks_give_the_refusals_one_go_gives_beyond_those_it_lists(model, rows_per_chunk):
    """More distinct reasons than a table keeps, some repeated in later chunks: counts, order and first rows."""
    jobs = [f"pilot{i % 130}" if i % 4 else "pilot7" for i in range(400)]
    text = "job;housing;loan\n" + "".join(f"{job};yes;no\n" for job in jobs)
    file = client_files.read_client_csv(text.encode())
    whole = scorer.score_table(file.table, model)
    assert whole.problems > len(whole.refusals) == scorer.REFUSALS_KEPT
    _assert_same(score_jobs.score_table_in_chunks(file.table, model, rows_per_chunk), whole)


def test_chunks_of_the_real_data_give_what_one_go_gives(bank_csv, model):
    lines = bank_csv.read_bytes().splitlines(keepends=True)
    file = client_files.read_client_csv(b"".join(lines[:5001]))
    _assert_same(score_jobs.score_table_in_chunks(file.table, model, 777), scorer.score_table(file.table, model))


def test_progress_is_told_after_every_chunk_up_to_every_row(model):
    file = client_files.read_client_csv(MIXED)
    told: list[tuple[int, int]] = []
    score_jobs.score_table_in_chunks(file.table, model, 4, lambda done, total: told.append((done, total)))
    assert told == [(4, 9), (8, 9), (9, 9)]


def test_a_chunk_size_below_one_is_refused(model):
    with pytest.raises(ValueError, match="rows_per_chunk=0 must be at least 1"):
        score_jobs.score_table_in_chunks(pd.DataFrame({"job": ["admin."]}), model, 0)


def test_chunk_rows_come_from_the_environment_and_are_checked():
    assert score_jobs.chunk_rows({}) == score_jobs.DEFAULT_CHUNK_ROWS
    assert score_jobs.chunk_rows({score_jobs.CHUNK_ROWS_ENV: " 250 "}) == 250
    for bad in ("0", "-3", "ten", "2.5"):
        with pytest.raises(ValueError, match="must be a positive whole number"):
            score_jobs.chunk_rows({score_jobs.CHUNK_ROWS_ENV: bad})


def test_the_job_folder_is_outside_the_repository_unless_configured(tmp_path):
    default = score_jobs.job_cache_dir({})
    assert REPO not in default.parents and default.is_relative_to(Path(__import__("tempfile").gettempdir()))
    assert score_jobs.job_cache_dir({score_jobs.JOB_CACHE_ENV: str(tmp_path)}) == tmp_path


def test_a_scored_file_is_kept_under_a_random_token_in_a_private_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(score_jobs.JOB_CACHE_ENV, str(tmp_path / "jobs"))
    score_jobs._scored_files.cache_clear()
    try:
        first, second = score_jobs.keep_scored_file(b"a;b\n1;2\n"), score_jobs.keep_scored_file(b"other")
        assert first != second and len(first) >= 20
        assert score_jobs.scored_file(first) == b"a;b\n1;2\n" and score_jobs.scored_file(second) == b"other"
        for unknown in ("not-a-token", "", None, 42, {"token": first}):
            assert score_jobs.scored_file(unknown) is None
        assert (tmp_path / "jobs").stat().st_mode & 0o077 == 0
    finally:
        score_jobs._scored_files.cache_clear()
