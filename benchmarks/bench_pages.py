"""Page speed through HTTP against gunicorn with 2 workers, on the artifacts in model/ (or --model-dir).

Measures, as a browser would ask for them:
- what gunicorn's boot spends (in a process of its own: importing the app, loading the artifacts, the master's
  counts of the clients, Dash's set-up), and its start to the first 200 from /healthz (goal <= 2 s at 1x,
  3 s at 10x, 4 s at 100x);
- each page's first render: the HTML, /_dash-layout, /_dash-dependencies and the page-content callback in
  sequence, then the page's initial callbacks together, as Dash's renderer sends them (goal p95 <= 100 ms),
  and the JSON they carry (goal <= 1.5 MB);
- interactive callbacks: each callback that a page's control drives, fired with a new value every round (a
  different age range, configuration or k, segment, confusion matrix), so no worker has it cached
  (goal p95 <= 100 ms);
- the Data page's filter change: every callback a new age range drives, sent together as the browser sends
  them, until the last answer (goal p95 <= 100 ms at 1x, 150 ms at 10x, 400 ms at 100x);
- each worker's resident memory afterwards (goal <= 250 MB at 1x, 300 MB at 10x, 400 MB at 100x).

    python benchmarks/bench_pages.py [--rounds 60] [--lang en|ru] [--model-dir DIR] [--app-dir CHECKOUT]

``--lang ru`` asks for every page and callback in Russian (as a browser's Accept-Language). ``--model-dir`` serves other artifacts, e.g. the 10x or 100x clients of ``bench_data_engine.py``
(``replicate_model``); ``--app-dir`` serves another checkout of the app (e.g. main's, for a before/after).

Each worker draws a page's default view once and keeps it (see the pages' lru caches), so the first one or
two renders of a page after a restart are the slow ones: the max column shows them.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGES = ["/", "/data", "/explorer", "/segments", "/tree", "/score", "/response", "/targeting"]
_TREATMENTS = ("raw", "knn", "iterative")
#: Per page: the control an analyst changes, and its value in round i (all different within 40 rounds).
INTERACTIONS = {
    "/data": ("data-age", "value", lambda i: [18 + i % 40, 60 + i // 40 % 30]),
    "/explorer": ("explorer-pipeline", "value", lambda i: 1 + i % 8),
    "/segments": ("segments-picker", "value", lambda i: i % 5),
    "/tree": ("tree-confusion-model", "value", lambda i: ("tree", "logistic")[i % 2]),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: The language every request asks for (``--lang``): a browser's Accept-Language, which callbacks carry too.
LANGUAGE = {"value": "en"}


def _request(url: str, payload: dict | None = None) -> tuple[int, bytes]:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json",
                                                              "Accept-Language": LANGUAGE["value"]})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _components(node, found: dict) -> None:
    """Collect {id: props} from a serialised Dash layout."""
    if isinstance(node, list):
        for child in node:
            _components(child, found)
    elif isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict):
            if isinstance(props.get("id"), str):
                found[props["id"]] = props
            _components(props.get("children"), found)
            for value in props.values():
                if isinstance(value, dict) and "props" in value:
                    _components(value, found)


def _callback_payload(callback: dict, props: dict, trigger_all: bool) -> dict | None:
    def value(item):
        return {"id": item["id"], "property": item["property"],
                "value": props.get(item["id"], {}).get(item["property"])}

    if any(item["id"] not in props for item in callback["inputs"]):
        return None
    output = callback["output"]
    if output.startswith(".."):
        outputs = [dict(zip(("id", "property"), part.rsplit(".", 1)))
                   for part in output.strip(".").split("...")]
    else:
        outputs = dict(zip(("id", "property"), output.rsplit(".", 1)))
    inputs = [value(item) for item in callback["inputs"]]
    return {"output": output, "outputs": outputs, "inputs": inputs,
            "state": [value(item) for item in callback.get("state", [])],
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs] if trigger_all else []}


def first_render(base: str, page: str, dependencies: list) -> tuple[float, int, list[tuple[dict, dict]]]:
    """Seconds and JSON bytes of one page's first render; returns the callbacks it can fire."""
    start = time.perf_counter()
    size = 0
    status, body = _request(base + page.lstrip("/"))
    assert status == 200, (page, status)
    for route in ("_dash-layout", "_dash-dependencies"):
        status, body = _request(base + route)
        size += len(body)
    container = next(c for c in dependencies if c["output"].startswith(".._pages_content"))
    payload = {"output": container["output"],
               "outputs": [{"id": "_pages_content", "property": "children"},
                           {"id": "_pages_store", "property": "data"}],
               "inputs": [{"id": "_pages_location", "property": "pathname", "value": page},
                          {"id": "_pages_location", "property": "search", "value": ""}],
               "state": [], "changedPropIds": ["_pages_location.pathname"]}
    status, body = _request(base + "_dash-update-component", payload)
    assert status == 200, (page, status, body[:300])
    size += len(body)
    props: dict = {}
    _components(json.loads(body)["response"]["_pages_content"]["children"], props)
    props["_pages_location"] = {"pathname": page, "search": ""}
    fired, initial = [], []
    for callback in dependencies:
        if callback.get("clientside_function") or callback["output"].startswith(".._pages_content"):
            continue
        payload = _callback_payload(callback, props, trigger_all=False)
        if payload is None:
            continue
        fired.append((callback, payload))
        if not callback.get("prevent_initial_call"):
            initial.append(payload)
    # Dash's renderer sends a page's initial callbacks together; a browser keeps up to 6 connections a host.
    with ThreadPoolExecutor(max_workers=6) as pool:
        for status, body in pool.map(lambda p: _request(base + "_dash-update-component", p), initial):
            size += len(body)
    return time.perf_counter() - start, size, fired


def _memory_mb(pid: str) -> dict[str, float]:
    """Rss, Pss and private memory of a process, in MB, from /proc/PID/smaps_rollup."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    return fields


#: Run in the served checkout, in a fresh interpreter: what each step of gunicorn's boot costs, as its master
#: does them (gunicorn.conf.py's when_ready). A checkout before issue 14 has no preload_for_workers.
BOOT_PROBE = """
import json, sys, time
def now():
    return time.perf_counter(), time.process_time()
marks = [("start", now())]
import app
marks.append(("import the app (Dash, pages, plotly, pandas, scikit-learn)", now()))
from dashapp.artifacts.current import artifact_status
store, problem = artifact_status()
marks.append(("read the manifest, verify every artifact's checksum", now()))
try:
    from dashapp.web.warmup import preload_for_workers
except ImportError:
    store.preload()
    marks.append(("load every artifact (store.preload)", now()))
else:
    store.preload()
    marks.append(("load every artifact but the clients (store.preload)", now()))
    preload_for_workers(store)  # preload again is a no-op: this times the clients' counts
    marks.append(("count the clients' aggregates by SQL", now()))
from dashapp.scoring.model import scoring_model
scoring_model(store)
marks.append(("tabulate the scoring model", now()))
app.server.test_client().get("/")
marks.append(("Dash's set-up (one request)", now()))
print(json.dumps([(name, later[0] - earlier[0], later[1] - earlier[1])
                  for (_, earlier), (name, later) in zip(marks, marks[1:])]))
"""


def boot_steps(app_dir: Path, env: dict) -> list[tuple[str, float, float]]:
    """Seconds of each step of the boot, on the clock and of CPU, measured in a fresh interpreter in ``app_dir``.

    The CPU seconds are what the step costs on an idle machine; the clock's are longer when others share it."""
    result = subprocess.run([sys.executable, "-c", BOOT_PROBE], cwd=app_dir, env=env, capture_output=True, text=True,
                            timeout=300)
    if result.returncode:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def _summary(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f} / {_percentile(values, 0.95) * 1000:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--lang", choices=["en", "ru"], default="en", help="the language the pages are asked in")
    parser.add_argument("--model-dir", type=Path, help="the artifacts to serve (default: the app's settings)")
    parser.add_argument("--app-dir", type=Path, default=REPO, help="the checkout to serve (default: this one)")
    parser.add_argument("--json", type=Path, default=None,
                        help="also write the figures to this file (benchmarks/bench_scale.py reads them)")
    args = parser.parse_args()
    LANGUAGE["value"] = args.lang
    figures: dict = {"pages": {}, "worker_rss_mb": []}
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "2",
           "PYTHONPATH": str(args.app_dir)}
    if args.model_dir:
        env["BANK_MODEL_DIR"] = str(args.model_dir.resolve())
    print(f"app {args.app_dir}, artifacts {env.get('BANK_MODEL_DIR', 'model/ (default)')}")
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores: clock times grow with it, CPU times much less")
    for step, seconds, cpu in boot_steps(args.app_dir, env):
        print(f"  boot: {step:<58}{seconds:6.2f} s ({cpu:.2f} s CPU)")
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "app:server", "--config", "gunicorn.conf.py"],
                              cwd=args.app_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        while True:
            try:
                if _request(base + "healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() - started > 120:
                raise TimeoutError("gunicorn did not become healthy within 120 s")
            time.sleep(0.02)
        ready = time.perf_counter() - started
        figures["boot_seconds"] = ready
        print(f"gunicorn start to first 200 from /healthz: {ready:.2f} s (goal <= 2 s at 1x)")
        dependencies = json.loads(_request(base + "_dash-dependencies")[1])
        print(f"{'page':<11}{'first render p50':>17}{'p95':>9}{'max':>9}{'JSON':>10}   "
              "slowest interactive callback p50 / p95")
        filter_changes: list[float] = []
        for page in PAGES:
            if _request(base + page.lstrip("/"))[0] != 200:
                continue
            renders, sizes, callback_times = [], [], {}
            for round_number in range(args.rounds):
                seconds, size, fired = first_render(base, page, dependencies)
                renders.append(seconds)
                sizes.append(size)
                if page not in INTERACTIONS:
                    continue
                control, prop, value_of = INTERACTIONS[page]
                driven = []
                for callback, payload in fired:
                    if not any(i["id"] == control and i["property"] == prop for i in payload["inputs"]):
                        continue
                    for item in payload["inputs"]:
                        if item["id"] == control and item["property"] == prop:
                            item["value"] = value_of(round_number)
                    payload["changedPropIds"] = [f"{control}.{prop}"]
                    driven.append((callback, payload))
                    start = time.perf_counter()
                    status, _ = _request(base + "_dash-update-component", payload)
                    callback_times.setdefault(callback["output"], []).append(time.perf_counter() - start)
                if page == "/data":
                    # The same change again, with another value, its callbacks together as the browser sends them.
                    for _, payload in driven:
                        for item in payload["inputs"]:
                            if item["id"] == control and item["property"] == prop:
                                item["value"] = value_of(round_number + 1000)
                    start = time.perf_counter()
                    with ThreadPoolExecutor(max_workers=6) as pool:
                        list(pool.map(lambda p: _request(base + "_dash-update-component", p),
                                      [payload for _, payload in driven]))
                    filter_changes.append(time.perf_counter() - start)
            slowest = max(callback_times.items(), key=lambda item: _percentile(item[1], 0.95), default=None)
            figures["pages"][page] = {"first_render_p95_ms": _percentile(renders, 0.95) * 1000,
                                      "callback_p95_ms": None if slowest is None
                                      else _percentile(slowest[1], 0.95) * 1000}
            slow_text = "-" if slowest is None else f"{_summary(slowest[1])}  ({slowest[0][:48]})"
            print(f"{page:<11}{statistics.median(renders) * 1000:14.1f} ms{_percentile(renders, 0.95) * 1000:6.1f} ms"
                  f"{max(renders) * 1000:6.1f} ms{max(sizes) / 1e6:7.2f} MB   {slow_text}")
        if filter_changes:
            figures["filter_change_p95_ms"] = _percentile(filter_changes, 0.95) * 1000
            print(f"Data page filter change (every callback an age change drives, together) p50 / p95: "
                  f"{_summary(filter_changes)}")
        workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        for pid in workers:
            memory = _memory_mb(pid)
            figures["worker_rss_mb"].append(memory["Rss"])
            print(f"worker {pid}: resident memory {memory['Rss']:.0f} MB (goal <= 250 MB at 1x); of which "
                  f"{memory['Private_Clean'] + memory['Private_Dirty']:.0f} MB its own, the rest shared "
                  f"with the preloaded master (proportional share {memory['Pss']:.0f} MB)")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
