"""The full grid's cost, estimated without a full build: a few configurations' tasks timed at full size.

Every task of the grid runs on one thread, so the grid's wall time on N cores is about the sum of its tasks'
seconds over N (hundreds of tasks of a few seconds each pack well). This times every task of one
configuration per (feature set, encoder) pair on the UCI file's full training rows (the "raw" treatment: the
imputed ones have the same shapes) and extrapolates to the 60 fitted configurations: 3 treatments x (4
pipelines of each encoder on "all" and on "no_socio", 2 of each on "final": pipelines 5-8 of the final set are
copies). CPU seconds are reported beside wall seconds: on a busy machine they are the better guide to what a
quiet one takes. Goal: a full build within 5 minutes on 2 cores (the grid's share of it: about 4).

    python benchmarks/bench_grid.py [--cores 2] [--repeat 1]
"""

from __future__ import annotations

import argparse
import statistics
import time

from grid_inputs import matrix

from dashapp.analysis.clustering import GridParameters, cluster_partition, draw_samples, map_configuration

#: One measured configuration per (feature set, encoder), and how many fitted configurations it stands for.
MEASURED = {"raw-p1-all": 12, "raw-p3-all": 12, "raw-p1-no_socio": 12, "raw-p3-no_socio": 12,
            "raw-p1-final": 6, "raw-p3-final": 6}


def time_configuration(config_id: str, parameters: GridParameters) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds of one configuration's steps: its matrix, its K-means tasks, its map."""
    steps = {}
    wall, cpu = time.perf_counter(), time.process_time()
    configuration = matrix(config_id, parameters)
    steps["matrix"] = (time.perf_counter() - wall, time.process_time() - cpu)
    samples = draw_samples(len(configuration.X), parameters)
    wall, cpu = time.perf_counter(), time.process_time()
    for k in parameters.k_values:
        cluster_partition(configuration.X, configuration.distinct, configuration.inverse, k, configuration.n_init,
                          samples, parameters)
    steps["k-means tasks"] = (time.perf_counter() - wall, time.process_time() - cpu)
    wall, cpu = time.perf_counter(), time.process_time()
    map_configuration(configuration.X, samples, parameters)
    steps["map task"] = (time.perf_counter() - wall, time.process_time() - cpu)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    parameters = GridParameters()
    totals = {"wall": 0.0, "cpu": 0.0}
    print(f"full-size grid tasks, one thread; medians over {args.repeat} run(s); seconds wall / CPU")
    for config_id, stands_for in MEASURED.items():
        runs = [time_configuration(config_id, parameters) for _ in range(args.repeat)]
        steps = {step: tuple(statistics.median(run[step][i] for run in runs) for i in (0, 1)) for step in runs[0]}
        wall, cpu = sum(s[0] for s in steps.values()), sum(s[1] for s in steps.values())
        totals["wall"] += wall * stands_for
        totals["cpu"] += cpu * stands_for
        print(f"  {config_id:<16} " + "  ".join(f"{step} {w:.1f}/{c:.1f}" for step, (w, c) in steps.items())
              + f"  total {wall:.1f}/{cpu:.1f}  (x{stands_for})", flush=True)
    fitted = sum(MEASURED.values())
    for kind in ("wall", "cpu"):
        print(f"the {fitted} fitted configurations ({kind} seconds): {totals[kind]:.0f} s of work -> about "
              f"{totals[kind] / args.cores:.0f} s of grid on {args.cores} cores (goal: the full build within 300 s)")


if __name__ == "__main__":
    main()
