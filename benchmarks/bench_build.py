"""Time the artifact build on the full data, stage by stage, and the silhouette sample's error.

Goals (2 cores): the full build within 10 minutes with --jobs 2; the quick build within 60 seconds.
Builds into temporary folders; model/ is not touched. Prints medians over --repeat runs.

    python benchmarks/bench_build.py [--repeat 1] [--jobs 2] [--skip-full]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashapp import data, domain  # noqa: E402
from dashapp.build import BuildParameters, build_artifacts  # noqa: E402
from dashapp.datasource import obtain_bank_csv  # noqa: E402
from dashapp.preprocessing import UnknownValueImputer, build_pipeline  # noqa: E402
from dashapp.settings import get_settings  # noqa: E402


def time_build(csv: Path, mode: str, jobs: int, repeat: int) -> None:
    totals, stages, grid = [], {}, {}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as scratch:
            start = time.perf_counter()
            manifest = build_artifacts(csv, Path(scratch) / "model", BuildParameters.for_mode(mode), jobs=jobs,
                                       progress=False)
            totals.append(time.perf_counter() - start)
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


def silhouette_sample_error(csv: Path, sample_size: int = 5000) -> None:
    """Exact silhouette of the final configuration vs the shared-sample estimate (k = 2..8)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    frame = data.modelling_frame(data.clean_bank_table(data.read_bank_csv(csv)))
    train = frame.iloc[data.time_split(len(frame)).train]
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
