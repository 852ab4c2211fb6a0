"""The build's stages on a bigger client file (benchmarks/make_clients.py), with the quick grid so that a run
measures what grows with the rows: data read and validation, imputation, segmentation, stability, benchmarks,
write. The grid sees only the fit sample's rows (BuildParameters.fit_sample), so its cost at 10x or 100x is
its cost at 1x (bench_build.py measures it there).

Goals (2 cores, issue 14): the full build of 10x (411,880 rows) within 10 minutes and 3 GB, of 100x (4,118,800)
within 30 minutes and 8 GB. Run it under `/usr/bin/time -v` for the process's peak memory (this script prints
its own and its workers' high-water marks too), one run at a time, with `nice -n 10`:

    python benchmarks/make_clients.py --factor 10 --out /tmp/clients-10x.parquet
    nice -n 10 /usr/bin/time -v python benchmarks/bench_build_scale.py /tmp/clients-10x.parquet --jobs 2
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashapp.analysis.build import FIT_SAMPLE, BuildParameters, build_artifacts  # noqa: E402
from dashapp.analysis.stability import StabilityParameters  # noqa: E402
from dashapp.sources import loader  # noqa: E402


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports kB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="a generated client file (.csv or .parquet)")
    parser.add_argument("--date-column", default="contact_date")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--fit-sample", type=int, default=FIT_SAMPLE)
    args = parser.parse_args(argv)
    quick = BuildParameters.for_mode("quick")
    parameters = BuildParameters(mode="full", grid=quick.grid, stability=StabilityParameters(),
                                 fit_sample=args.fit_sample)
    start = time.perf_counter()
    loaded = loader.load_source(loader.parse_source(args.data), date_column=args.date_column)
    print(f"read and validated {len(loaded.table):,} rows in {time.perf_counter() - start:.1f} s "
          f"(peak so far {_peak_mb(resource.RUSAGE_SELF):.0f} MB)", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-build-scale-") as scratch:
        manifest = build_artifacts(loaded, Path(scratch) / "model", parameters, jobs=args.jobs, progress=False)
        sizes = {name: entry["bytes"] for name, entry in manifest["artifacts"].items()}
    total = time.perf_counter() - start
    print(f"{'stage':<14} {'seconds':>8}")
    for stage, seconds in manifest["stage_seconds"].items():
        print(f"{stage:<14} {seconds:>8.1f}")
    print(f"{'total':<14} {total:>8.1f}   (data includes the read and validation)")
    print(f"peak memory: build process {_peak_mb(resource.RUSAGE_SELF):.0f} MB, largest worker "
          f"{_peak_mb(resource.RUSAGE_CHILDREN):.0f} MB")
    print(f"rows {manifest['data']['rows']:,} (train {manifest['data']['train_rows']:,}), split "
          f"{manifest['data']['split']['kind']}, fit sample {args.fit_sample:,}; clients.parquet "
          f"{sizes['clients.parquet'] / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
