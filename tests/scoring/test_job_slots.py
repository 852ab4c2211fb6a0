"""Scoring jobs as a bounded resource (issue 25, item 2): at most BANK_MAX_SCORING_JOBS files scored at once on a
machine, the others waiting for a free place, and no place lost when a job's process ends."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest

from dashapp.scoring import score_jobs


@pytest.fixture()
def one_place(tmp_path, monkeypatch):
    monkeypatch.setenv(score_jobs.JOB_CACHE_ENV, str(tmp_path / "jobs"))
    monkeypatch.setenv(score_jobs.MAX_JOBS_ENV, "1")
    return tmp_path / "jobs"


def test_the_places_default_to_the_cores_and_refuse_nonsense():
    assert score_jobs.max_jobs({}) >= 1
    assert score_jobs.max_jobs({score_jobs.MAX_JOBS_ENV: "3"}) == 3
    for text in ("0", "-1", "two"):
        with pytest.raises(ValueError, match=score_jobs.MAX_JOBS_ENV):
            score_jobs.max_jobs({score_jobs.MAX_JOBS_ENV: text})


def test_a_job_waits_while_every_place_is_taken_and_runs_once_one_frees(one_place):
    waited: list[int] = []
    order: list[str] = []
    first_in = threading.Event()
    release = threading.Event()

    def first():
        with score_jobs.job_slot():
            order.append("first in")
            first_in.set()
            release.wait(10)
            order.append("first out")

    def second():
        first_in.wait(10)
        with score_jobs.job_slot(waited.append, poll=0.02):
            order.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while not waited and time.monotonic() < deadline:
        time.sleep(0.01)
    assert waited and waited[0] == 1  # told how many files are being scored
    assert order == ["first in"]  # the second waits
    release.set()
    for thread in threads:
        thread.join(10)
    assert order == ["first in", "first out", "second in"]
    assert (one_place / "slots").stat().st_mode & 0o777 == 0o700


def _hold_a_place_and_die(ready):
    with score_jobs.job_slot():
        ready.set()
        time.sleep(60)


def test_a_place_held_by_a_job_that_is_killed_frees_with_it(one_place):
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    job = context.Process(target=_hold_a_place_and_die, args=(ready,))
    job.start()
    try:
        assert ready.wait(30)
        waited: list[int] = []
        done = threading.Event()
        waiter = threading.Thread(target=lambda: (score_jobs.job_slot(waited.append, poll=0.02).__enter__(),
                                                  done.set()))
        waiter.start()
        time.sleep(0.3)
        assert waited and not done.is_set()
        job.kill()  # as Dash's Cancel does
        assert done.wait(10)
    finally:
        job.kill()
        job.join(10)
