"""The README's main job as a user runs it, on 2 workers against 1, measured in one run.

    python benchmarks/bench_workers.py [--rounds 2] [--scenario scenarios/brigade.yaml]

Times the whole command `python cli.py run SCENARIO --out DIR -q --workers N` (the
scenario's default draws included: start-up, loading, draw planning, the runs,
statistics, figures and writing) by the wall clock, for N = 1 and N = 2 in alternation,
`rounds` times each. `--workers 1` is one process (the figures drawn in it too);
`--workers 2` runs the replications and draws the figures in two worker processes.
Prints each time, the best and median of each, and the speed-up, best against best and
median against median (aim: at least 1.8x on a 2-core machine). The wall clock is what
a user waits for, so measure on a machine with nothing else running.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(scenario: str, workers: int, out: Path) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "run", scenario, "--out", str(out),
                    "-q", "--workers", str(workers)], check=True, cwd=ROOT)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--scenario", default="scenarios/brigade.yaml")
    args = parser.parse_args()
    times: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as folder:
        for r in range(args.rounds):
            for workers in (2, 1) if r % 2 else (1, 2):
                t = timed(args.scenario, workers, Path(folder) / f"w{workers}-{r}")
                times[workers].append(t)
                print(f"round {r + 1}, --workers {workers}: {t:6.2f} s", flush=True)
    one, two = times[1], times[2]
    for n, ts in times.items():
        print(f"--workers {n}: best {min(ts):6.2f} s, median {statistics.median(ts):6.2f} s")
    print(f"speed-up of 2 workers over 1: {min(one) / min(two):.2f}x best against best, "
          f"{statistics.median(one) / statistics.median(two):.2f}x median against median "
          "(aim: >= 1.8x)")


if __name__ == "__main__":
    main()
