"""Time the build's benchmark stage on the full data: the response models' gain and lift, and k-modes.

Goal: small against the full build (~17 minutes): under a minute on 2 cores. The stage needs the final
segmentation; this reads it from an existing full build's clients table (``BANK_MODEL_DIR``, unverified: only
its ``segment``, ``split`` and imputed key fields are used). Prints medians over --repeat runs.

    python benchmarks/bench_targeting.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashapp.analysis.categorical import categorical_benchmark  # noqa: E402
from dashapp.analysis.propensity import targeting_benchmark  # noqa: E402
from dashapp.core import domain  # noqa: E402
from dashapp.core.settings import get_settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    clients = pd.read_parquet(get_settings().model_dir / "clients.parquet")
    n_train = int((clients["split"] == "train").sum())
    keys = pd.DataFrame({c: clients[f"{c}_imputed"].astype(str).to_numpy()[:n_train]
                         for c in domain.SEGMENT_FEATURES})
    segments = clients["segment"].to_numpy()
    timings: dict[str, list[float]] = {"response models, gain and lift": [], "k-modes, k = 2..8, and rules": []}
    for _ in range(args.repeat):
        start = time.perf_counter()
        targeting_benchmark(clients, segments, n_train)
        timings["response models, gain and lift"].append(time.perf_counter() - start)
        start = time.perf_counter()
        categorical_benchmark(keys, segments[:n_train])
        timings["k-modes, k = 2..8, and rules"].append(time.perf_counter() - start)
    print(f"benchmark stage on {len(clients):,} clients (median of {args.repeat}):")
    for name, values in timings.items():
        print(f"  {name:<32} {statistics.median(values):6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
