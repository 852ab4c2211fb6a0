"""Run every benchmark (benchmarks/bench_*.py) in turn, each in its own process; each prints its medians.

    python benchmarks/run.py              # all
    python benchmarks/run.py build pages  # only bench_build.py and bench_pages.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = set(argv)
    failures = 0
    for script in sorted(HERE.glob("bench_*.py")):
        name = script.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        print(f"\n=== {name} ===", flush=True)
        failures += subprocess.call([sys.executable, str(script)], cwd=HERE.parent) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
