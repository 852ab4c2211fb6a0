"""The scale table of issue 14: the build, the app and scoring at 1x, 10x and 100x the UCI clients.

    python benchmarks/bench_scale.py                       # 1x and 10x (about 20 minutes on 2 cores)
    python benchmarks/bench_scale.py --factors 1,10,100    # and 100x (an hour more)
    make bench-scale FACTORS=1,10,100

For each factor: the clients (1x: the UCI file; N x: benchmarks/make_clients.py's N-times file, with its
contact dates), a full build of them with `--jobs 2` (wall time and the peak memory of the build's processes
together), gunicorn on the result (start to a healthy /healthz, a worker's memory after every page), the Data
page's filter changes (p95 of the callback), and scripts/score.py on the same file (read to written, peak
memory). Generated files and models go under --work (default /tmp/bench-scale), never into the repository.
Prints the table with the issue's goals, and writes it as JSON beside the work files.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
UCI_ROWS = 41_188


@dataclass
class Measured:
    """One command's wall time and the peak of its processes' memory together (itself and its children)."""

    seconds: float
    peak_mb: float
    returncode: int
    output: str = ""


def run_measured(command: list[str], env: dict | None = None, interval: float = 0.1) -> Measured:
    """Run ``command`` to its end, sampling the resident memory of it and every process it starts."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        try:
            root = psutil.Process(process.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            total = 0
            try:
                for member in [root, *root.children(recursive=True)]:
                    try:
                        total += member.memory_info().rss
                    except psutil.NoSuchProcess:
                        pass
            except psutil.NoSuchProcess:
                break
            peak[0] = max(peak[0], total / 2**20)
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return Measured(seconds, peak[0], process.returncode, output)


#: What :func:`build` measures: ``--reuse`` keeps these from the earlier run's record.
BUILD_FIGURES = ("build_minutes", "build_peak_gb", "stage_seconds")

#: The issue's goals per factor (None: no goal at that size).
GOALS = {
    "build_minutes": {1: 5, 10: 10, 100: 30},
    "build_peak_gb": {1: None, 10: 3, 100: 8},
    "boot_seconds": {1: 2, 10: 3, 100: 4},
    "filter_change_p95_ms": {1: 100, 10: 150, 100: 400},
    "worker_rss_mb": {1: 250, 10: 300, 100: 400},
    "scoring_seconds": {1: 0.5, 10: 4, 100: 40},
}


def clients_file(factor: int, work: Path, seed: int) -> Path:
    """The clients to build from: the UCI file itself at 1x, else make_clients.py's ``factor``-times file."""
    if factor == 1:
        return Path(os.environ["BANK_MARKETING_CSV"])
    path = work / f"clients-{factor}x.csv"
    if not path.exists():
        made = run_measured([sys.executable, str(HERE / "make_clients.py"), "--factor", str(factor), "--out",
                             str(path), "--seed", str(seed)])
        if made.returncode:
            raise RuntimeError(made.output)
        print(f"  generated {path.name} in {made.seconds:.0f} s", flush=True)
    return path


def build(factor: int, clients: Path, model_dir: Path, jobs: int) -> dict:
    """A full build of ``clients`` into ``model_dir``: wall time, the processes' peak memory, and the stages'."""
    command = [sys.executable, "scripts/build_artifacts.py", "--jobs", str(jobs), "--model-dir", str(model_dir),
               "--quiet"]
    if factor != 1:  # the UCI file is found and verified as make does it; a generated one is named, with its dates
        command += ["--data", str(clients), "--date-column", "contact_date"]
    measured = run_measured(command)
    if measured.returncode:
        raise RuntimeError(measured.output[-4000:])
    manifest = json.loads((model_dir / "manifest.json").read_text())
    return {"build_minutes": measured.seconds / 60, "build_peak_gb": measured.peak_mb / 1024,
            "stage_seconds": manifest["stage_seconds"]}


def serve(model_dir: Path, work: Path, rounds: int) -> dict:
    """bench_pages.py against ``model_dir``: boot to healthy, the Data page's filter change, workers' memory."""
    figures = work / f"{model_dir.name}-pages.json"
    run = subprocess.run([sys.executable, str(HERE / "bench_pages.py"), "--model-dir", str(model_dir), "--rounds",
                          str(rounds), "--json", str(figures)], cwd=ROOT, capture_output=True, text=True)
    if run.returncode:
        raise RuntimeError(run.stdout[-2000:] + run.stderr[-2000:])
    pages = json.loads(figures.read_text())
    return {"boot_seconds": pages["boot_seconds"], "filter_change_p95_ms": pages.get("filter_change_p95_ms"),
            "worker_rss_mb": max(pages["worker_rss_mb"], default=float("nan")),
            "page_p95_ms": max((max(v["first_render_p95_ms"], v["callback_p95_ms"] or 0)
                                for v in pages["pages"].values()), default=float("nan"))}


def score(clients: Path, model_dir: Path, work: Path, repeat: int) -> dict:
    """scripts/score.py's work on the same file, read to written, in a fresh process each time (medians)."""
    sys.path.insert(0, str(HERE))
    from bench_scoring import score_in_a_fresh_process

    runs = []
    for _ in range(repeat):
        target = work / "scored.csv"
        runs.append(score_in_a_fresh_process(model_dir, clients, target))
        target.unlink()
    return {"scoring_seconds": statistics.median(r["score"] for r in runs),
            "scoring_peak_mb": statistics.median(r["peak_mb"] for r in runs),
            "scoring_command_seconds": statistics.median(r["total"] for r in runs)}


def table(results: dict[int, dict]) -> str:
    """The issue's table, measured, with each goal and whether it is met."""
    factors = sorted(results)
    rows = [("full build, minutes", "build_minutes", "{:.1f}"), ("build peak memory, GB", "build_peak_gb", "{:.2f}"),
            ("boot to healthy, s", "boot_seconds", "{:.2f}"),
            ("Data page filter change p95, ms", "filter_change_p95_ms", "{:.0f}"),
            ("worker memory (RSS), MB", "worker_rss_mb", "{:.0f}"),
            ("scoring a file, read to written, s", "scoring_seconds", "{:.2f}")]
    lines = ["| measure | " + " | ".join(f"{f}x ({f * UCI_ROWS:,})" for f in factors) + " |",
             "| --- |" + " --- |" * len(factors)]
    for label, key, form in rows:
        cells = []
        for factor in factors:
            value, goal = results[factor].get(key), GOALS[key].get(factor)
            if value is None:
                cells.append("-")
                continue
            mark = "" if goal is None else (" (goal <= %g: %s)" % (goal, "met" if value <= goal else "missed"))
            cells.append(form.format(value) + mark)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factors", default="1,10", help="comma-separated multiples of the UCI file (default 1,10)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-scale"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=20, help="page rounds per factor (bench_pages.py)")
    parser.add_argument("--reuse", action="store_true",
                        help="serve and score the models already in --work, keeping their recorded build figures")
    args = parser.parse_args(argv)
    factors = [int(f) for f in args.factors.split(",")]
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; work files in {args.work}", flush=True)
    record = args.work / "bench-scale.json"
    # --reuse serves and scores the models built before: their build figures come from that run's record.
    earlier = {int(factor): figures for factor, figures in json.loads(record.read_text()).items()} \
        if args.reuse and record.exists() else {}
    results: dict[int, dict] = {}
    for factor in factors:
        print(f"{factor}x:", flush=True)
        clients = clients_file(factor, args.work, args.seed)
        model_dir = args.work / f"model-{factor}x"
        figures: dict = {key: value for key, value in earlier.get(factor, {}).items() if key in BUILD_FIGURES}
        if not (args.reuse and (model_dir / "manifest.json").exists()):
            figures.update(build(factor, clients, model_dir, args.jobs))
            print(f"  built in {figures['build_minutes']:.1f} min, peak {figures['build_peak_gb']:.2f} GB; stages "
                  f"{figures['stage_seconds']}", flush=True)
        figures.update(serve(model_dir, args.work, args.rounds))
        figures.update(score(clients, model_dir, args.work, repeat=1 if factor >= 100 else 3))
        print(f"  {figures}", flush=True)
        results[factor] = figures
        record.write_text(json.dumps({**earlier, **results}, indent=1))
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
