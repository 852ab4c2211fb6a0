"""An early build (what ``make run`` starts): every artifact but the K-means grid's is swapped in first and
served, the pages that need the grid say how far it has got, and the complete folder that follows is the same as
an ordinary build's; ``scripts/run_studio.py`` serves as soon as there is something to serve.

Every build here is of the UCI archive's 10% sample: what is served when, and what an early build ends as, is the
build's and the server's, whatever the file.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from dashapp.analysis import build
from dashapp.analysis.build import build_artifacts
from dashapp.artifacts import model_folder
from dashapp.artifacts.current import current_store
from dashapp.artifacts.model_folder import ArtifactStore, GridPending
from dashapp.core.settings import get_settings
from dashapp.views.grid_status import grid_status_sentence
from tests.browser_helpers import free_port
from tests.layout_helpers import text as text_of
from tests.sample_builds import SAMPLE_OPTIONS, sample_parameters

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def served_from(monkeypatch):
    """Point this process's settings at a model folder, as BANK_MODEL_DIR does for the app."""
    def serve(model_dir: Path) -> None:
        monkeypatch.setenv("BANK_MODEL_DIR", str(model_dir))
        get_settings.cache_clear()
        model_folder.load_store.cache_clear()

    yield serve
    get_settings.cache_clear()
    model_folder.load_store.cache_clear()


def _layout_text(page: str) -> str:
    import dash

    import app  # noqa: F401  (creates the app, so the page modules import as gunicorn loads them)

    return text_of(dash.page_registry[f"pages.{page}"]["layout"]())


def test_an_early_build_serves_all_but_the_grid_first_and_ends_as_an_ordinary_build(
        bank_sample_csv, sample_model_dir, tmp_path, monkeypatch, served_from):
    model_dir = tmp_path / "model"
    seen = {}
    swap_in, cluster_grid = build._swap_in, build.run_grid

    def watching_swap_in(staging, target):
        swap_in(staging, target)
        if "early" in seen:
            return
        # The early folder is being served: check it as the app sees it, before the grid has started.
        served_from(target)
        store = current_store()
        seen["early"] = store
        assert not store.grid_ready and store.manifest["grid"]["pending"]
        assert set(store.manifest["artifacts"]) == set(model_folder.ARTIFACT_FILES) - set(model_folder.GRID_FILES)
        with pytest.raises(GridPending):
            store.grid_metrics
        assert "methods" not in store.evaluation
        assert len(store.clients) == store.manifest["data"]["rows"]
        store.preload()  # what gunicorn's master does: everything there is, without the grid
        explorer = _layout_text("explorer")
        assert "still computing the K-means grid" in explorer and "t-SNE" not in explorer
        methods = _layout_text("methods")
        assert "still computing the K-means grid" in methods and "How stable the segments are" in methods
        assert "Where the unknown loans go" not in methods

    def watching_grid(*args, **kwargs):
        seen["progress at the grid's start"] = model_folder.read_grid_progress(model_dir)
        return cluster_grid(*args, **kwargs)

    monkeypatch.setattr(build, "_swap_in", watching_swap_in)
    monkeypatch.setattr(build, "run_grid", watching_grid)
    manifest = build_artifacts(bank_sample_csv, model_dir, sample_parameters(), jobs=os.cpu_count() or 1,
                               progress=False, early=True)

    assert seen["progress at the grid's start"]["done"] == 0 and seen["progress at the grid's start"]["total"] > 0
    assert not model_folder.grid_progress_path(model_dir).exists()
    assert "pending" not in manifest["grid"]
    ordinary = model_folder.read_manifest(sample_model_dir)["artifacts"]
    assert {name: entry["sha256"] for name, entry in manifest["artifacts"].items()} == \
        {name: entry["sha256"] for name, entry in ordinary.items()}
    # The app's store, still the early one, is replaced by the complete folder on its next use.
    store = current_store()
    assert store is not seen["early"] and store.grid_ready and len(store.grid_metrics)
    assert "Where the unknown loans go" in _layout_text("methods")
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "model"]
    assert leftovers == [], leftovers


def test_a_failed_grid_leaves_the_early_folder_served_and_says_why(bank_sample_csv, tmp_path, monkeypatch,
                                                                   served_from):
    model_dir = tmp_path / "model"

    def failing_grid(*args, **kwargs):
        raise MemoryError("the grid ran out of memory")

    with monkeypatch.context() as patch, pytest.raises(MemoryError):
        patch.setattr(build, "run_grid", failing_grid)
        build_artifacts(bank_sample_csv, model_dir, sample_parameters(), jobs=1, progress=False, early=True)
    assert model_folder.read_grid_progress(model_dir) == {"failed": "MemoryError: the grid ran out of memory"}
    served_from(model_dir)
    assert not current_store().grid_ready
    assert "failed (MemoryError: the grid ran out of memory)" in _layout_text("explorer")
    # make artifacts (--if-stale) completes it.
    from scripts import build_artifacts as script

    assert model_folder.grid_pending(model_folder.read_manifest(model_dir))
    assert script.main([*SAMPLE_OPTIONS, "--if-stale", "--jobs", "1", "--quiet", "--csv", str(bank_sample_csv),
                        "--model-dir", str(model_dir)]) == 0
    assert ArtifactStore(model_dir).grid_ready


@pytest.mark.parametrize("progress, expected", [
    (None, "no progress reported yet; if no build is running, run `make artifacts`"),
    ({"done": 3, "total": 12}, "(25% done)"),
    ({"done": 12.0, "total": 12.0}, "(100% done)"),
    ({"failed": "stopped before it was complete"}, "failed (stopped before it was complete)"),
])
def test_the_grid_status_sentence(progress, expected):
    sentence = grid_status_sentence(progress)
    assert expected in sentence and "scoring are ready" in sentence


def _get_json(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())
    except OSError:
        return None


def _run_studio(model_dir: Path, port: int, *options: str) -> subprocess.Popen:
    env = {**os.environ, "BANK_MODEL_DIR": str(model_dir), "HOST": "127.0.0.1", "PORT": str(port),
           "WEB_CONCURRENCY": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "scripts/run_studio.py", "--quiet", *options], cwd=ROOT, env=env)


def _stop(process: subprocess.Popen) -> None:
    """Stop run_studio as a supervisor does (SIGTERM), and check that it took the server and the build with it."""
    if process.poll() is not None:
        return
    started = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        for child in [*started, psutil.Process(process.pid)]:
            child.kill()
        raise AssertionError("run_studio did not stop within 90 s of SIGTERM") from None
    _, alive = psutil.wait_procs(started, timeout=30)
    assert not alive, f"run_studio left {[p.pid for p in alive]} running"


def test_make_run_serves_up_to_date_artifacts_at_once(bank_sample_csv, sample_model_dir, tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(sample_model_dir, model_dir)
    port = free_port()
    studio = _run_studio(model_dir, port, *SAMPLE_OPTIONS, "--jobs", "1", "--csv", str(bank_sample_csv))
    try:
        deadline = time.monotonic() + 120
        while (health := _get_json(f"http://127.0.0.1:{port}/healthz")) is None:
            assert studio.poll() is None, "run_studio ended without serving"
            assert time.monotonic() < deadline, "no healthy server within 2 minutes"
            time.sleep(0.2)
        assert health["status"] == "ok" and health["grid"] == "complete"
    finally:
        _stop(studio)
    assert studio.returncode is not None


def test_make_run_serves_while_the_grid_is_computed(bank_sample_csv, tmp_path):
    """A fresh folder: the app answers once the early folder is in, while the build is held in the grid (stopped
    with SIGSTOP the moment the early manifest appears, so the test does not race the grid), then serves the
    complete folder once the build goes on."""
    model_dir = tmp_path / "model"
    port = free_port()
    studio = _run_studio(model_dir, port, *SAMPLE_OPTIONS, "--jobs", "1", "--csv", str(bank_sample_csv))
    held = []
    try:
        deadline = time.monotonic() + 1800  # generous: a quick build on a loaded 2-core machine took 15 minutes
        while not (model_dir / model_folder.MANIFEST).exists():
            assert studio.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        builds = [p for p in psutil.Process(studio.pid).children() if "build_artifacts.py" in " ".join(p.cmdline())]
        assert len(builds) == 1
        held = [builds[0], *builds[0].children(recursive=True)]
        for process in held:
            process.suspend()
        assert model_folder.grid_pending(model_folder.read_manifest(model_dir))
        while (health := _get_json(f"http://127.0.0.1:{port}/healthz")) is None:
            assert studio.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        assert health["status"] == "ok" and health["grid"] == "pending"
        for process in held:
            process.resume()
        held = []
        while (health := _get_json(f"http://127.0.0.1:{port}/healthz")) is None or health["grid"] != "complete":
            assert studio.poll() is None and time.monotonic() < deadline
            time.sleep(0.5)
        assert ArtifactStore(model_dir).grid_ready
    finally:
        for process in held:
            process.resume()
        _stop(studio)
