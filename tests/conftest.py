"""Shared fixtures: the real data files, quick builds of the full file and of its 10% sample made once per
session, the full artifacts, the app.

The live server and the browser (gunicorn on a free port, Debian's Chromium) are in :mod:`tests.browser_helpers`,
loaded here as a plugin so that every test module can ask for their fixtures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashapp.core.settings import get_settings

pytest_plugins = ["tests.browser_helpers", "tests.postgres_server", "tests.dask_cluster"]


@pytest.fixture(scope="session")
def bank_csv() -> Path:
    """The verified full data file (``BANK_MARKETING_CSV`` or the cache `make data` fills)."""
    from dashapp.sources.uci_file import obtain_bank_csv

    return obtain_bank_csv(get_settings(), progress=False)


@pytest.fixture(scope="session")
def bank_sample_csv(bank_csv) -> Path:
    """The UCI archive's 10% sample, ``bank-additional.csv`` (4,119 rows, not in time order), beside the full file.

    The tests of other sources build from it; it ships in the same archive, so its absence is a failure, not a
    reason to skip them."""
    sample = Path(bank_csv).with_name("bank-additional.csv")
    assert sample.is_file(), f"the UCI 10% sample is not beside the full file: {sample} does not exist"
    return sample


def _quick_build(csv: Path, model_dir: Path, parameters=None) -> Path:
    from dashapp.analysis.build import BuildParameters, build_artifacts

    build_artifacts(csv, model_dir, parameters or BuildParameters.for_mode("quick"), jobs=os.cpu_count() or 1,
                    progress=False)
    return model_dir


def _session_build(name: str, tmp_path_factory, worker_id: str, build) -> Path:
    """``build(model_dir)`` once for the whole run, however many pytest-xdist workers share it.

    Alone (``worker_id == "master"``) the build goes in this session's temporary folder. Under xdist every worker
    is a session of its own, so the first to ask builds into the folder the workers' temporary folders share,
    under a file lock, and the others wait for it and read the same build: a build costs a worker tens of seconds
    of both cores, and no test writes into a session build (those that change one copy it first)."""
    if worker_id == "master":
        return build(tmp_path_factory.mktemp(name) / "model")
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent / f"session-{name}"
    done = shared / "built"
    with FileLock(str(shared) + ".lock"):
        if not done.exists():
            build(shared / "model")
            done.touch()
    return shared / "model"


@pytest.fixture(scope="session")
def quick_model_dir(bank_csv, tmp_path_factory, worker_id) -> Path:
    """A quick build of every artifact from the full UCI file (5,884 rows), made once per test run."""
    return _session_build("quick", tmp_path_factory, worker_id, lambda model_dir: _quick_build(bank_csv, model_dir))


@pytest.fixture(scope="session")
def sample_model_dir(bank_sample_csv, tmp_path_factory, worker_id) -> Path:
    """A quick build of every artifact from the 10% sample (589 rows, split at random), made once per test run.

    For the tests whose property holds on any bank-additional file and that need a finished build to compare with
    or to copy; they build the sample too, a tenth of the full file's rows. A test of what only the UCI file has
    (its time order and dates, the original study's figures, its row counts) uses ``quick_model_dir``."""
    from tests.sample_builds import sample_parameters

    return _session_build("sample", tmp_path_factory, worker_id,
                          lambda model_dir: _quick_build(bank_sample_csv, model_dir, sample_parameters()))


@pytest.fixture(scope="session")
def full_store():
    """The full artifacts in model/ that `make test` builds before the suite runs."""
    from dashapp.artifacts.model_folder import ArtifactStore

    store = ArtifactStore(get_settings().model_dir)
    if store.manifest["parameters"]["mode"] != "full":
        pytest.fail(f"{get_settings().model_dir} holds a {store.manifest['parameters']['mode']} build; "
                    "run `make artifacts-force` for the full one")
    return store


@pytest.fixture(scope="module")
def client(full_store):
    """The Flask test client of the app gunicorn serves (``app:server``), on the full artifacts in model/."""
    from app import server

    return server.test_client()
