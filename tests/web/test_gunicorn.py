"""gunicorn as the Procfile starts it: a worker model that slow clients cannot exhaust, recycled workers, root.

The settings are read from ``gunicorn.conf.py`` itself; the held connections are tried on a live gunicorn.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.browser_helpers import REPO
from tests.held_connections import held_connections

CLIENT = {"job": "admin.", "housing": "yes", "loan": "no", "age": 41}


def _load_config(monkeypatch, **environ):
    """``gunicorn.conf.py`` as gunicorn reads it, under ``environ``."""
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gunicorn_settings", REPO / "gunicorn.conf.py")
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    return config


def _get(url: str, body: dict | None = None, timeout: float = 10) -> int:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_workers_are_recycled_with_jitter_and_the_environment_can_change_it(monkeypatch):
    config = _load_config(monkeypatch)
    assert config.max_requests > 0 and 0 < config.max_requests_jitter < config.max_requests
    config = _load_config(monkeypatch, GUNICORN_MAX_REQUESTS="50", GUNICORN_MAX_REQUESTS_JITTER="5")
    assert (config.max_requests, config.max_requests_jitter) == (50, 5)


def test_the_worker_is_gevents_and_leaves_the_standard_library_unpatched():
    # A Dash background callback's job is forked from a worker; had the worker monkey-patched time, sockets and
    # threads, the job's first sleep would wake the worker's loop in the job's process, which then exits.
    code = """
import importlib.util
from gevent import monkey
from gunicorn.workers.ggevent import GeventWorker
spec = importlib.util.spec_from_file_location("gunicorn_settings", "gunicorn.conf.py")
config = importlib.util.module_from_spec(spec)
spec.loader.exec_module(config)
worker = config.worker_class.__new__(config.worker_class)
worker.sockets = []
worker.patch()
print(issubclass(config.worker_class, GeventWorker), [m for m in ("time", "socket", "thread", "os")
      if monkey.is_module_patched(m)])
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True []"


@pytest.mark.parametrize(("uid", "warned"), [(0, True), (1000, False)])
def test_starting_as_root_is_warned_about(monkeypatch, caplog, uid, warned):
    config = _load_config(monkeypatch)
    server = type("Arbiter", (), {"cfg": type("Config", (), {"uid": uid})(), "log": logging.getLogger("arbiter")})()
    with caplog.at_level(logging.WARNING, logger="arbiter"):
        config.on_starting(server)
    assert (config.ROOT_WARNING in caplog.text) is warned
    assert "README" in config.ROOT_WARNING


def test_the_app_answers_while_50_connections_are_held(start_server):
    # Regression: with 2 threaded workers of 2 threads, 4 clients sending their headers slowly, or 32 idle ones,
    # left /healthz unanswered. A long keep-alive here keeps gunicorn from closing the held connections during
    # the test, so it is the worker model that keeps the app answering.
    server = start_server({"GUNICORN_KEEPALIVE": "120"})
    with held_connections(server.port, slow=25, idle=25) as held:
        assert _get(server.url + "healthz") == 200
        assert _get(server.url + "segments") == 200
        assert _get(server.url + "_dash-layout") == 200
        assert _get(server.url + "api/v1/score", CLIENT) == 200
    assert held["open"] == 50  # none was answered or dropped: all were still held while the app answered


def test_the_library_versions_go_to_the_log_and_not_to_healthz(start_server, full_store):
    server = start_server()
    with urllib.request.urlopen(server.url + "healthz", timeout=10) as response:
        body = response.read().decode()
    versions = full_store.manifest["versions"]
    assert "versions" not in json.loads(body)["artifacts"]
    assert versions["scikit-learn"] not in body and versions["pandas"] not in body
    assert f"scikit-learn {versions['scikit-learn']}" in server.output()
