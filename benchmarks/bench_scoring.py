"""How fast scoring is: one client, the whole file, the original's per-row approach, and the API under load.

    PYTHONPATH=. python benchmarks/bench_scoring.py                 # everything, on model/
    PYTHONPATH=. python benchmarks/bench_scoring.py --skip-api      # in-process figures only
    PYTHONPATH=. python benchmarks/bench_scoring.py --only-scales   # 1x, 10x, 100x as CSV and Parquet (issue 14)

Targets on the 2-core machine (the issue): one client with a filled key field <= 2 ms (median); the 41,188-row
file read, scored and written <= 1 s; the API under gunicorn -w 2 >= 500 requests/s with p99 <= 50 ms at 16
concurrent clients; >= 20 times faster than the original's per-row approach. Prints figures; asserts nothing.
The load comes from `wrk` (Debian package) in a second process when it is installed, else from a
multi-process Python client.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dashapp.artifacts import model_folder  # noqa: E402
from dashapp.core import domain
from dashapp.core.settings import get_settings  # noqa: E402
from dashapp.scoring import client_files, scorer

#: A client whose job is unknown, so every call runs the neighbour vote.
CLIENT = {"job": "unknown", "housing": "yes", "loan": "no", "age": 41, "marital": "married",
          "education": "high.school", "default": "no"}


def _median_ms(function, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3, float(np.percentile(times, 99)) * 1e3


def bench_one_client(model: scorer.ScoringModel, repeat: int = 3000) -> float:
    for _ in range(50):
        scorer.score_client(scorer.validate_client(CLIENT), model)
    median, p99 = _median_ms(lambda: scorer.score_client(scorer.validate_client(CLIENT), model), repeat)
    print(f"one client, job filled by vote (validate + score): median {median:.3f} ms, p99 {p99:.3f} ms "
          f"[target <= 2 ms]")
    return median


def bench_whole_file(csv_path: Path, model: scorer.ScoringModel, repeat: int = 5) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "scored.csv"

        def write(result, upload):
            with out.open("wb") as handle:
                client_files.write_client_csv(result.table, handle, upload.dialect)

        def read_score_write():
            upload = client_files.read_client_csv(csv_path.read_bytes())
            write(scorer.score_table(upload.table, model), upload)

        read_score_write()
        stages = {}
        start = time.perf_counter()
        upload = client_files.read_client_csv(csv_path.read_bytes())
        stages["read"] = time.perf_counter() - start
        start = time.perf_counter()
        result = scorer.score_table(upload.table, model)
        stages["score"] = time.perf_counter() - start
        start = time.perf_counter()
        write(result, upload)
        stages["write"] = time.perf_counter() - start
        median, _ = _median_ms(read_score_write, repeat)
        print(f"whole file ({len(upload.table):,} rows: {result.scored_count:,} scored, {result.refused_count:,} not "
              f"scored, all written) read -> scored -> written: median {median:.0f} ms [target <= 1000 ms] "
              f"({', '.join(f'{k} {v * 1e3:.0f} ms' for k, v in stages.items())})")


def bench_command_line(csv_path: Path, model_dir: Path, chunk_rows: int = 50_000) -> None:
    """The CLI on the file and on ten copies of it: time, and peak memory of the child (constant if streaming)."""
    lines = csv_path.read_text().splitlines(keepends=True)
    code = ("import resource, runpy, sys; sys.argv = sys.argv[1:]; "
            "exec('try:\\n runpy.run_path(sys.argv[0], run_name=\"__main__\")\\nexcept SystemExit: pass'); "
            "print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    with tempfile.TemporaryDirectory() as folder:
        for copies in (1, 10):
            big = Path(folder) / f"clients-x{copies}.csv"
            with big.open("w") as handle:
                handle.write(lines[0])
                for _ in range(copies):
                    handle.writelines(lines[1:])
            start = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-c", code, str(REPO / "scripts" / "score.py"), str(big), str(Path(folder) / "o.csv"),
                 "--model-dir", str(model_dir), "--quiet", "--chunk-rows", str(chunk_rows)],
                capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
            seconds = time.perf_counter() - start
            rss = re.search(r"MAXRSS (\d+)", result.stdout)
            print(f"command line, {(len(lines) - 1) * copies:,} rows ({big.stat().st_size / 1e6:.0f} MB) in chunks of "
                  f"{chunk_rows:,}: {seconds:.1f} s including start-up, peak memory "
                  f"{int(rss.group(1)) / 1024 if rss else float('nan'):.0f} MB")


# --- Issue 14: a file of 1x, 10x and 100x the clients, as CSV and as Parquet -------------------------------------

#: The issue's goals for scoring a file, read to written, by how many times the UCI clients it holds.
SCALE_GOALS = {1: 0.5, 10: 4.0, 100: 40.0}

_SCALE_CHILD = """
import json, resource, sys, time
from pathlib import Path
start = time.perf_counter()
from dashapp.artifacts import model_folder
from dashapp.scoring import client_parquet, client_workbooks, scorer
imported = time.perf_counter()
model = scorer.scoring_model(model_folder.load_store(sys.argv[1]))
loaded = time.perf_counter()
source, target = Path(sys.argv[2]), Path(sys.argv[3])
if client_parquet.is_parquet(source):
    summary = client_parquet.score_parquet_stream(source, target, model)
else:
    summary = client_workbooks.score_client_file(source, target, model)
written = time.perf_counter()
print(json.dumps({"import": imported - start, "load": loaded - imported, "score": written - loaded,
                  "rows": summary.rows, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def scaled_inputs(csv_path: Path, folder: Path, scale: int) -> dict[str, Path]:
    """The UCI file's rows repeated ``scale`` times, as CSV (its own dialect) and as one Parquet file (a row group
    per copy), written in constant memory under ``folder`` (a temporary folder: never committed)."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    lines = csv_path.read_bytes().split(b"\n", 1)
    csv = folder / f"clients-x{scale}.csv"
    with csv.open("wb") as handle:
        handle.write(lines[0] + b"\n")
        for _ in range(scale):
            handle.write(lines[1])
    parquet = folder / f"clients-x{scale}.parquet"
    table = pacsv.read_csv(csv_path, parse_options=pacsv.ParseOptions(delimiter=";"))
    with pq.ParquetWriter(parquet, table.schema) as writer:
        for _ in range(scale):
            writer.write_table(table)
    return {"CSV": csv, "Parquet": parquet}


def score_in_a_fresh_process(model_dir: Path, source: Path, target: Path) -> dict:
    """Score ``source`` into ``target`` as scripts/score.py does, in a new process: ``rows``, ``import``,
    ``load`` and ``score`` (read to written) seconds, ``peak_mb``, and the whole command's ``total`` seconds."""
    start = time.perf_counter()
    child = subprocess.run([sys.executable, "-c", _SCALE_CHILD, str(model_dir), str(source), str(target)],
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    if child.returncode:
        raise RuntimeError(child.stderr)
    return {**json.loads(child.stdout.strip().splitlines()[-1]), "total": time.perf_counter() - start}


def bench_scales(csv_path: Path, model_dir: Path, scales=(1, 10, 100), repeat: int = 3) -> None:
    """scripts/score.py's work on 1x, 10x and 100x the UCI clients, CSV and Parquet, each run in a fresh process:
    read to written (the goal's measure), and beside it the start-up (imports, loading and verifying the model),
    the whole command's time and the process's peak memory (constant if streaming). Medians of ``repeat`` runs
    (one at 100x)."""
    print("scoring a file, read to written (the issue's goals), in a fresh process each time; medians:")
    with tempfile.TemporaryDirectory(prefix="bench-scoring-") as folder:
        for scale in scales:
            inputs = scaled_inputs(csv_path, Path(folder), scale)
            for kind, source in inputs.items():
                runs = []
                for _ in range(1 if scale >= 100 else repeat):
                    target = Path(folder) / f"scored{source.suffix}"
                    runs.append(score_in_a_fresh_process(model_dir, source, target))
                    target.unlink()
                median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
                print(f"  {scale:>3}x {kind:<7} ({median['rows']:>9,.0f} rows, {source.stat().st_size / 1e6:5.1f} MB): "
                      f"read to written {median['score']:6.2f} s [goal <= {SCALE_GOALS.get(scale, float('nan')):g} s]; "
                      f"start-up {median['import']:.2f} s imports + {median['load']:.2f} s model; command "
                      f"{median['total']:.1f} s; peak memory {median['peak_mb']:.0f} MB (n={len(runs)})")
            for source in inputs.values():
                source.unlink()


# --- The largest uploads: the bound of one request --------------------------------------------------------------


def _uci_like(csv_path: Path, rows: int) -> bytes:
    """The UCI file's lines repeated to ``rows`` rows (a bank's ordinary export)."""
    lines = csv_path.read_bytes().split(b"\r\n")
    header, body = lines[0], [line for line in lines[1:] if line]
    return b"\r\n".join([header] + [body[i % len(body)] for i in range(rows)]) + b"\r\n"


def _every_field_refused(rows: int) -> bytes:
    """Every row refused for every field (one bad letter each): the longest status per input byte."""
    return b"job,housing,loan,age,marital,education,default\n" + b"x,x,x,x,x,x,x\n" * rows


def _distinct_bad_values(rows: int) -> bytes:
    """Every cell of every field a different bad value: a reason per cell, none shared."""
    lines = [f"j{i},h{i},l{i},a{i},m{i},e{i},d{i}" for i in range(rows)]
    return ("job,housing,loan,age,marital,education,default\n" + "\n".join(lines) + "\n").encode()


def _distinct_votes(rows: int) -> bytes:
    """Every row needs a vote, cycling through every profile the vote can compare, at every age."""
    from itertools import product

    from dashapp.core import fields

    profiles = []
    for missing in fields.KEY_FIELDS:
        known = [fields.BY_NAME[f].known_categories if f != missing else (domain.UNKNOWN,) for f in fields.KEY_FIELDS]
        context = [fields.BY_NAME[f].categories for f in fields.CONTEXT_CATEGORY_FIELDS]
        profiles += [",".join(p) for p in product(*known, *context)]
    low, high = fields.AGE_RANGE
    lines = [f"{profiles[i % len(profiles)]},{low + (i * 7) % (high - low + 1)}" for i in range(rows)]
    header = ",".join(fields.KEY_FIELDS + fields.CONTEXT_CATEGORY_FIELDS) + ",age"
    return (header + "\n" + "\n".join(lines) + "\n").encode()


def _widest(columns: int, max_bytes: int) -> bytes:
    """As many columns as allowed, and as many rows of one-digit cells as the size limit holds."""
    header = ",".join(["job", "housing", "loan"] + [f"c{i}" for i in range(columns - 3)]) + "\n"
    line = ",".join(["admin.", "yes", "no"] + ["1"] * (columns - 3)) + "\n"
    return (header + line * ((max_bytes - len(header)) // len(line))).encode()


_UPLOAD_CHILD = """
import base64, json, statistics, sys, time
from dashapp.artifacts import model_folder
from dashapp.scoring import client_files, scorer
from dashapp.views import score as view
model = scorer.scoring_model(model_folder.ArtifactStore(sys.argv[1]))
content = open(sys.argv[2], "rb").read()
contents = "data:text/csv;base64," + base64.b64encode(content).decode()
def status_mb(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field)) / 1024
# Linux: reset the peak (VmHWM) to the present size, so the peak below is the request's, not the model's loading.
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
before = status_mb("VmRSS")
times, out = [], {}
for _ in range(int(sys.argv[3])):
    file = result = shown = download = None
    start = time.perf_counter()
    try:
        # What the Score page does: read the upload, score it, summarise it; then the download.
        file, name = view.read_upload(contents, "clients.csv")
        result = scorer.score_table(file.table, model)
        shown = view.upload_view(name, file, result)
        download = view.scored_file_bytes(file, result)
        out = {"rows": shown.rows, "refused": shown.refused, "problems": result.problems,
               "download_mb": len(download) / 2**20, "view_kb": len(repr(shown)) / 1024}
    except client_files.ClientFileError as error:
        out = {"refused_file": str(error)[:90]}
    times.append(time.perf_counter() - start)
    del file, result, shown, download
out.update(seconds=statistics.median(times), peak_mb=status_mb("VmHWM") - before)
print(json.dumps(out))
"""


def bench_upload_bounds(csv_path: Path, model_dir: Path, repeat: int = 3) -> None:
    """The Score page's work for the largest uploads the limits allow, each in a fresh process: read, score,
    summarise and write the download (median time; peak memory above the process with the model loaded)."""
    limit_rows, limit_columns = client_files.MAX_UPLOAD_ROWS, client_files.MAX_UPLOAD_COLUMNS
    uci_rows = min(limit_rows, client_files.MAX_UPLOAD_BYTES // 142)  # the UCI file's lines are ~140 bytes
    cases = {
        "the UCI file": csv_path.read_bytes(),
        f"UCI-like, {uci_rows:,} rows": _uci_like(csv_path, uci_rows),
        f"{limit_rows:,} rows, every field refused": _every_field_refused(limit_rows),
        f"{limit_rows:,} rows, every cell a distinct bad value": _distinct_bad_values(limit_rows),
        f"{limit_rows:,} rows, each needing a vote, all profiles and ages": _distinct_votes(limit_rows),
        f"{limit_columns} columns, 50 MB": _widest(limit_columns, client_files.MAX_UPLOAD_BYTES),
        "100,000 columns (refused)": _widest(100_000, 900_000),
        f"{limit_rows + 1:,} rows (refused)": _every_field_refused(limit_rows + 1),
    }
    print(f"uploads at the limits ({client_files.MAX_UPLOAD_BYTES // 2**20} MB, {limit_rows:,} rows, "
          f"{limit_columns} columns), read -> scored -> summarised -> download written, median of {repeat}:")
    with tempfile.TemporaryDirectory() as folder:
        for label, content in cases.items():
            path = Path(folder) / "upload.csv"
            path.write_bytes(content)
            child = subprocess.run([sys.executable, "-c", _UPLOAD_CHILD, str(model_dir), str(path), str(repeat)],
                                   capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
            if child.returncode:
                print(f"  {label}: failed: {child.stderr.strip().splitlines()[-1]}")
                continue
            out = json.loads(child.stdout.strip().splitlines()[-1])
            what = (f"refused: {out['refused_file']}" if "refused_file" in out else
                    f"{out['refused']:,} of {out['rows']:,} rows refused ({out['problems']:,} distinct problems), "
                    f"download {out['download_mb']:.0f} MB, page view {out['view_kb']:.0f} KB")
            print(f"  {label} ({len(content) / 2**20:.1f} MB): median {out['seconds']:.2f} s, peak memory "
                  f"+{out['peak_mb']:.0f} MB; {what}")


def original_score(client: dict, segmentation, fill_values: dict) -> int:
    """The original app's per-client path, for comparison only (benchmark code, not product code).

    One-row DataFrame -> ordinal-encode + standard-scale -> KNNImputer.transform over the training rows ->
    decode (truncated codes) -> pipeline 8 transform -> tree predict on the encoder's codes.
    """
    imputer = segmentation.imputer
    row = {column: fill_values[column] for column in imputer.numeric_ + imputer.categorical_}
    row["age"] = float(client["age"])
    for column in scorer.CATEGORY_FIELDS:
        row[column] = np.nan if client[column] == domain.UNKNOWN else client[column]
    frame = pd.DataFrame([row]).astype({c: object for c in imputer.categorical_})
    codes = imputer.encoder_.transform(frame[imputer.categorical_])
    matrix = np.hstack([imputer.scaler_.transform(frame[imputer.numeric_]), codes])
    imputed = imputer.imputer_.transform(matrix)[:, len(imputer.numeric_):]
    decoded = frame.copy()
    for j, column in enumerate(imputer.categorical_):
        categories = imputer.encoder_.categories_[j]
        decoded[column] = categories[int(np.clip(np.trunc(imputed[0, j]), 0, len(categories) - 1))]
    keys = decoded[list(domain.SEGMENT_FEATURES)]
    segmentation.transformer.transform(keys)
    return int(segmentation.tree.predict(segmentation.encoder.transform(keys))[0])


def bench_original(store: model_folder.ArtifactStore, ours_ms: float, repeat: int = 60) -> None:
    segmentation = store.segmentation_model
    clients = store.clients
    train = clients[clients["split"] == "train"]
    # Inputs the form does not ask for get the training rows' typical values, as the original app did.
    fill_values = {c: float(train[c].median()) for c in domain.NUMERIC_COLUMNS}
    fill_values.update({c: train[c].astype(str).replace(domain.UNKNOWN, np.nan).mode().iat[0]
                        for c in domain.CATEGORICAL_COLUMNS})
    original_score(CLIENT, segmentation, fill_values)
    median, _ = _median_ms(lambda: original_score(CLIENT, segmentation, fill_values), repeat)
    print(f"original per-row approach (pandas, encode, scale, KNNImputer, decode, pipeline, tree): "
          f"median {median:.1f} ms per client -> ours is {median / ours_ms:.0f} times faster [target >= 20]")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, timeout: float = 60.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the API did not come up at {url}")


_WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = '%s'
wrk.headers["Content-Type"] = "application/json"
"""


def _load_with_wrk(url: str, seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT % json.dumps(CLIENT))
    try:
        output = subprocess.run(["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--latency",
                                 "-s", script.name, url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)

    def milliseconds(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", output).groups()
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "median_ms": milliseconds("50%"), "p99_ms": milliseconds("99%"),
            "errors": int(non_2xx.group(1)) if non_2xx else 0, "tool": "wrk"}


def _python_client(url: str, seconds: float, queue) -> None:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    body = json.dumps(CLIENT)
    latencies, errors = [], 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request("POST", parts.path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        connection.close()
        errors += response.status != 200
        latencies.append(time.perf_counter() - start)
    queue.put((latencies, errors))


def _load_with_python(url: str, seconds: int, connections: int) -> dict:
    queue = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_python_client, args=(url, seconds, queue))
               for _ in range(connections)]
    for worker in workers:
        worker.start()
    results = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    latencies = np.concatenate([r[0] for r in results])
    return {"requests_per_second": len(latencies) / seconds, "median_ms": float(np.median(latencies)) * 1e3,
            "p99_ms": float(np.percentile(latencies, 99)) * 1e3, "errors": sum(r[1] for r in results),
            "tool": "python clients"}


def bench_api(model_dir: Path, seconds: int = 10, connections: int = 16) -> None:
    port = _free_port()
    # The production entry point and settings (Procfile, gunicorn.conf.py), with 2 workers.
    env = {**os.environ, "PYTHONPATH": str(REPO), "BANK_MODEL_DIR": str(model_dir), "HOST": "127.0.0.1",
           "PORT": str(port), "WEB_CONCURRENCY": "2"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "app:server", "--config", "gunicorn.conf.py", "--log-level",
                               "warning"], cwd=REPO, env=env)
    try:
        url = f"http://127.0.0.1:{port}/api/v1/score"
        _wait_until_up(f"http://127.0.0.1:{port}/api/v1/segments")
        # Warm both workers: the first score in a worker loads the artifacts.
        (_load_with_wrk if shutil.which("wrk") else _load_with_python)(url, 2, 4)
        result = (_load_with_wrk if shutil.which("wrk") else _load_with_python)(url, seconds, connections)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"API, gunicorn app:server (2 workers), {connections} concurrent clients ({result['tool']}, {seconds} s): "
          f"{result['requests_per_second']:.0f} requests/s [target >= 500], median {result['median_ms']:.1f} ms, "
          f"p99 {result['p99_ms']:.1f} ms [target <= 50], non-200 responses {result['errors']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=None, help="default: BANK_MODEL_DIR or model/")
    parser.add_argument("--csv", type=Path, default=None, help="default: BANK_MARKETING_CSV")
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument("--skip-bounds", action="store_true", help="skip the uploads at the limits")
    parser.add_argument("--only-bounds", action="store_true", help="only the uploads at the limits")
    parser.add_argument("--only-scales", action="store_true",
                        help="only scoring 1x, 10x and 100x the UCI clients as CSV and Parquet (issue 14)")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100], help="default: 1 10 100")
    args = parser.parse_args(argv)
    settings = get_settings()
    model_dir = (args.model_dir or settings.model_dir).resolve()
    csv_path = args.csv or settings.data_csv or settings.cached_csv
    store = model_folder.ArtifactStore(model_dir)
    model = scorer.scoring_model(store)
    print(f"artifacts: {model_dir} ({store.manifest['parameters']['mode']} build, "
          f"{len(model.neighbours.client_id):,} voters); {os.cpu_count()} cores")
    if args.only_bounds:
        bench_upload_bounds(csv_path, model_dir)
        return 0
    if args.only_scales:
        bench_scales(csv_path, model_dir, args.scales)
        return 0
    ours = bench_one_client(model)
    bench_original(store, ours)
    bench_whole_file(csv_path, model)
    if not args.skip_bounds:
        bench_upload_bounds(csv_path, model_dir)
    if not args.skip_cli:
        bench_command_line(csv_path, model_dir)
        bench_scales(csv_path, model_dir, args.scales)
    if not args.skip_api:
        bench_api(model_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
