"""Time the artifact build on the full data, stage by stage, and the silhouette sample's error.

Goals (2 cores): the full build within 10 minutes with --jobs 2; the quick build within 60 seconds; the
explorer's depth (per-client silhouettes, stability) adds under 10% to the build's time and to its size.
Builds into temporary folders; model/ is not touched. Prints medians over --repeat runs.

    python benchmarks/bench_build.py [--repeat 1] [--jobs 2] [--skip-full]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashapp.analysis.build import BuildParameters, build_artifacts  # noqa: E402
from dashapp.analysis.preprocessing import UnknownValueImputer, build_pipeline  # noqa: E402
from dashapp.artifacts import model_folder  # noqa: E402
from dashapp.core import domain
from dashapp.core.settings import get_settings  # noqa: E402
from dashapp.sources import bank_table
from dashapp.sources.uci_file import obtain_bank_csv  # noqa: E402


def time_build(csv: Path, mode: str, jobs: int, repeat: int) -> None:
    totals, stages, grid, depth = [], {}, {}, []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as scratch:
            start = time.perf_counter()
            manifest = build_artifacts(csv, Path(scratch) / "model", BuildParameters.for_mode(mode), jobs=jobs,
                                       progress=False)
            totals.append(time.perf_counter() - start)
            depth.append(explorer_depth_cost(manifest, Path(scratch) / "model"))
        for stage, seconds in manifest["stage_seconds"].items():
            stages.setdefault(stage, []).append(seconds)
        grid = manifest["grid"]
    goal = 600 if mode == "full" else 60
    total = statistics.median(totals)
    print(f"{mode} build, --jobs {jobs}: median {total:.1f} s over {repeat} run(s) (goal <= {goal} s: "
          f"{'met' if total <= goal else 'MISSED'})")
    for stage, values in stages.items():
        print(f"  {stage:<13} {statistics.median(values):7.1f} s")
    print(f"  the grid: {grid['configurations']} configurations, {grid['fitted']} fitted (the rest are copies: "
          "pipelines 5-8 of the final feature set give the matrices of 1-4)")
    seconds, share_of_time = (statistics.median(d[0] for d in depth), statistics.median(d[1] for d in depth))
    size, share_of_size = depth[-1][2], depth[-1][3]
    print(f"  explorer's depth: {seconds:.1f} s ({share_of_time:.1%} of the build; goal < 10%: "
          f"{'met' if share_of_time < 0.10 else 'MISSED'}), {size / 1e6:.2f} MB ({share_of_size:.1%} of the "
          f"other artifacts; goal < 10%: {'met' if share_of_size < 0.10 else 'MISSED'})")


#: The grid's columns that the per-client silhouettes and the stability added.
DEPTH_COLUMNS = ["stability", "stability_min", "stability_max", "negative_shares", "sample_sizes"]


def _grid_columns_bytes(path: Path) -> int:
    """What :data:`DEPTH_COLUMNS` add to the grid's file: its size less the same table written without them."""
    import io

    import pandas as pd

    buffer = io.BytesIO()
    pd.read_parquet(path).drop(columns=DEPTH_COLUMNS).to_parquet(buffer)
    return path.stat().st_size - buffer.tell()


def explorer_depth_cost(manifest: dict, model_dir: Path) -> tuple[float, float, int, float]:
    """What the per-client silhouettes and the stability figures add: ``(seconds, share of the build's time,
    bytes, share of the other artifacts' bytes)``.

    The grid's stability runs inside each configuration's job, so its wall time is the grid's wall time in the
    proportion of the grid's work it took (``manifest["grid"]["work_seconds"]``); the per-client silhouettes
    cost nothing extra (the average was always their mean). The bytes are the knife plots' file, the
    stability's part of the evaluation and what the grid's new columns add to its file.
    """
    stages = manifest["stage_seconds"]
    work = manifest["grid"]["work_seconds"]
    seconds = stages["grid"] * work["stability"] / sum(work.values()) + stages["stability"]
    total = sum(stages.values())
    sizes = {name: entry["bytes"] for name, entry in manifest["artifacts"].items()}
    evaluation = json.loads((model_dir / model_folder.EVALUATION).read_text())
    added = (sizes[model_folder.SILHOUETTES] + len(json.dumps(evaluation["stability"], indent=1))
             + _grid_columns_bytes(model_dir / model_folder.GRID_METRICS))
    return seconds, seconds / (total - seconds), added, added / (sum(sizes.values()) - added)


def silhouette_sample_error(csv: Path, sample_size: int = 5000) -> None:
    """Exact silhouette of the final configuration vs the shared-sample estimate (k = 2..8)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    frame = bank_table.modelling_frame(bank_table.clean_bank_table(bank_table.read_bank_csv(csv)))
    train = frame.iloc[bank_table.time_split(len(frame)).train]
    treated = UnknownValueImputer("knn").fit_transform(train)
    X = build_pipeline(domain.PIPELINES[8], [], list(domain.SEGMENT_FEATURES), False).fit_transform(treated)
    sample = np.sort(np.random.default_rng(42).choice(len(X), size=sample_size, replace=False))
    errors = []
    for k in range(2, 9):
        labels = KMeans(k, n_init=2, random_state=42).fit_predict(X)
        start = time.perf_counter()
        exact = silhouette_score(X, labels)
        exact_seconds = time.perf_counter() - start
        start = time.perf_counter()
        sampled = silhouette_score(X[sample], labels[sample])
        sample_seconds = time.perf_counter() - start
        errors.append(abs(exact - sampled))
        print(f"  k={k:<2} exact {exact:.4f} ({exact_seconds:.1f} s)  sample {sampled:.4f} "
              f"({sample_seconds:.2f} s)  error {abs(exact - sampled):.4f}")
    print(f"silhouette on a {sample_size}-client sample: median error {statistics.median(errors):.4f}, "
          f"max {max(errors):.4f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-full", action="store_true")
    args = parser.parse_args()
    csv = obtain_bank_csv(get_settings(), progress=False)
    time_build(csv, "quick", args.jobs, max(args.repeat, 3))
    if not args.skip_full:
        time_build(csv, "full", args.jobs, args.repeat)
    silhouette_sample_error(csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
