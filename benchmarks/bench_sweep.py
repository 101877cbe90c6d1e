"""Sweep overheads and speed-ups (a script, not a test).

    python benchmarks/bench_sweep.py [--scenario scenarios/nco_reform.yaml] [--reps 8]

Prints: bookkeeping (design, scenario building, scheduling, SQLite commits) as a share of
model time; 2 workers against 1; a local Dask cluster against the process pool (start-up
and shutdown included). Targets (issue 5): < 5%, >= 1.8x, within 10%.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.execution.engine import run_replication  # noqa: E402
from sim.studies.sweep.execute import prepare, run_sweep  # noqa: E402


def sweep_file(tmp: Path, scenario: str, reps: int) -> Path:
    path = tmp / "bench.yaml"
    path.write_text(f"""scenario: {(ROOT / scenario).resolve()}
design: grid
levels: 3
replications: {reps}
seed: 1
factors:
  deployments.iraq.volunteer_prob: {{low: 0.4, high: 0.8}}
  force.recruiting.per_month: {{low: 5, high: 15, integer: true}}
outputs: [items_cleared, officer_share_end, cost_total_usd, rotation_fill_rate]
""")
    return path


def timed(path: Path, db: Path, **executor: object) -> tuple[float, float, int]:
    """(wall seconds, summed model seconds, runs) of a whole sweep into a fresh store."""
    began = time.perf_counter()
    prepared = prepare(path)
    with prepared.open_store(str(db), resume=False) as opened:
        n = run_sweep(prepared, opened.store, **executor)  # type: ignore[arg-type]
        model = sum(r.wall_seconds for r in opened.store.runs())
    return time.perf_counter() - began, model, n


def cluster_overhead() -> float:
    """Seconds to start and close a 2-worker local Dask cluster running nothing."""
    from sim.execution.executor import imap_window

    began = time.perf_counter()
    list(imap_window(abs, [], workers=2, scheduler="local"))
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default="scenarios/nco_reform.yaml")
    parser.add_argument("--reps", type=int, default=6, help="replications per point (9 points)")
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        path = sweep_file(tmp, args.scenario, args.reps)
        from sim.scenario.loader import load_scenario

        run_replication(load_scenario(ROOT / args.scenario).scenario, 0, 1)  # warm the imports
        print(f"load average before: {os.getloadavg()[0]:.2f} (other work on the cores "
              "skews the ratios)")
        one, model, n = timed(path, tmp / "w1.db", workers=1)
        print(f"{n} runs, {args.scenario}, model {model / n * 1000:.0f} ms/run")
        print(f"1 worker: {one:.2f} s wall, {model:.2f} s in the model; bookkeeping "
              f"{(one - model) / model * 100:.1f}% of model time (target < 5%)")
        two, model2, _ = timed(path, tmp / "w2.db", workers=2)
        print(f"2 workers: {two:.2f} s ({model2:.2f} s in the model); speed-up "
              f"{one / two:.2f}x (target >= 1.8x); workers busy {model2 / 2 / two:.0%} of "
              "the wall time (model seconds above the 1-worker run mean CPU contention)")
        if not args.no_dask:
            dask, model3, _ = timed(path, tmp / "dask.db", workers=2, scheduler="local")
            fixed = cluster_overhead()
            print(f"Dask local (2 workers, start-up included): {dask:.2f} s "
                  f"({model3:.2f} s in the model); "
                  f"{dask / two:.2f}x the process pool's time (target <= 1.10)")
            print(f"  of which starting and closing the local cluster: {fixed:.2f} s; "
                  f"without it {(dask - fixed) / two:.2f}x (a longer sweep amortises it: "
                  "--reps 20)")


if __name__ == "__main__":
    main()
