"""A long sweep's footprint: the parent's peak memory, the store's size a run, and Dask
against the process pool (a script, not a test).

    python benchmarks/bench_sweep_scale.py [--points 200] [--reps 10] [--scale 10]
                                           [--workers 2] [--no-dask]

A sweep file over the frozen baseline (benchmarks/frozen/kazbat_2003.yaml) with its end
moved to four months after the start (a short replication, so that the bookkeeping
shows): an lhs design of `points` points over three factors. Each sweep runs as the
command does (`cli.py sweep ... --workers W -q`), in a fresh process that reports its
own peak memory (the parent's: the pool's workers are other processes).

Prints, for `reps` and `scale` x `reps` replications a point (2,000 and 20,000 runs by
default): the wall time, the parent's peak memory and the store's bytes a run; then the
ratio of the peaks (target: at most 1.2) and the store a run (target: under 2 KB); then
the same long sweep on a local Dask cluster, start-up included, against the process
pool (target: within 10%).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = Path(__file__).resolve().parent / "frozen" / "kazbat_2003.yaml"

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
sys.argv = ["kazsim", *json.loads(sys.argv[1])]
from sim.cli.app import main
from sim.core.gc_policy import lighter_gc
lighter_gc()  # as the command's entry point does
began = time.perf_counter()
try:
    main(standalone_mode=False)
finally:
    print(json.dumps({{"wall": time.perf_counter() - began,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}),
          file=sys.stderr)
"""


def sweep_file(tmp: Path, points: int) -> Path:
    path = tmp / "scale.yaml"
    path.write_text(f"""scenario: {BASE}
design: lhs
points: {points}
replications: 10
seed: 1
factors:
  deployments.iraq.volunteer_prob: {{low: 0.4, high: 0.8}}
  force.recruiting.per_month: {{low: 5, high: 15, integer: true}}
  training.courses.eod.seats: {{low: 6, high: 24, integer: true}}
outputs: [items_cleared, rotation_fill_rate, cost_total_usd]
""")
    return path


def run(path: Path, db: Path, reps: int, workers: int, scheduler: str | None = None) -> dict:
    args = ["sweep", str(path), "--out", str(db), "--reps", str(reps), "--workers", str(workers),
            "--set", "end=2003-12-01", "-q"]
    if scheduler:
        args += ["--scheduler", scheduler]
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT)), json.dumps(args)],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"sweep failed ({out.returncode}):\n{out.stderr[-2000:]}")
    info = json.loads(out.stderr.strip().splitlines()[-1])
    runs = reps * int(path.read_text().split("points: ")[1].split()[0])
    info["runs"] = runs
    info["bytes_per_run"] = sum(f.stat().st_size for f in db.parent.glob(db.name + "*")) / runs
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--reps", type=int, default=10, help="replications a point, short sweep")
    parser.add_argument("--scale", type=int, default=10, help="the long sweep's replications x")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (other work on the cores skews times)")
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        path = sweep_file(tmp, args.points)
        short = run(path, tmp / "short.db", args.reps, args.workers)
        long = run(path, tmp / "long.db", args.reps * args.scale, args.workers)
        for name, r in (("short", short), ("long", long)):
            print(f"{name}: {r['runs']:,} runs, {r['wall']:.1f} s, parent peak {r['peak_mb']:.0f} MB, "
                  f"store {r['bytes_per_run']:,.0f} bytes a run")
        print(f"parent peak, long over short: {long['peak_mb'] / short['peak_mb']:.2f}x "
              "(target <= 1.2)")
        print(f"store a run: {long['bytes_per_run'] / 1024:.2f} KB (target < 2 KB)")
        if not args.no_dask:
            began = time.perf_counter()
            dask = run(path, tmp / "dask.db", args.reps * args.scale, args.workers, "local")
            wall = time.perf_counter() - began
            print(f"Dask local cluster ({args.workers} workers, start-up included): {dask['wall']:.1f} s "
                  f"({wall:.1f} s with the interpreter), {dask['wall'] / long['wall']:.2f}x the "
                  "process pool's time (target <= 1.10)")


if __name__ == "__main__":
    main()
