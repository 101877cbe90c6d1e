"""Measure the costs behind the work estimate (sim/execution/limits.py) on this machine.

Runs one replication of the baseline and of variants that each scale one cost driver
(tips, vehicles, routine tasks, course cycles, establishment), and prints, for each, the
events SimPy counted, the wall time, the peak memory, and the costs per unit that
sim/execution/limits.py uses (seconds per event, events per tip, per vehicle cycle, per routine
task, per cohort; seconds per person-month and bytes per person). Each variant runs in
its own process so its peak memory is its own.

    python benchmarks/calibrate_limits.py

Compare the printed costs with the constants at the top of sim/execution/limits.py; the estimate
should stay at or above what is measured (it is a guard, not a forecast).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "kazbat_2003.yaml"

VARIANTS = {
    "baseline": [],
    "tips x100": ["deployments.iraq.theatre.tips.rate_per_week_at_full_trust=1000"],
    "vehicles 1000": ["deployments.iraq.theatre.vehicles.count=1000"],
    "routine 0.1 d": ["deployments.iraq.theatre.routine_task_days=0.1"],
    "eod course daily": ["training.courses.eod.every_days=1"],
    "establishment x1000": ["force.establishment={officer: 140000, nco: 35000, soldier: 175000}"],
}

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from sim.execution.engine import run_replication
from sim.execution.limits import replication_cost
from sim.scenario.loader import load_scenario
sc = load_scenario({base!r}, json.loads(sys.argv[1])).scenario
run_replication(sc, 1)  # warm up imports and caches
began = time.perf_counter()
result = run_replication(sc, 0)
seconds = time.perf_counter() - began
estimate = replication_cost(sc)
print(json.dumps({{"events": result.events, "seconds": seconds, "error": result.error,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "estimated_events": estimate.events, "estimated_seconds": estimate.seconds,
                  "estimated_mb": estimate.memory / 2**20}}))
"""


def measure(overrides: list[str]) -> dict:
    code = CHILD.format(root=str(ROOT), base=str(BASE))
    out = subprocess.run([sys.executable, "-c", code, json.dumps(overrides)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    rows = {name: measure(sets) for name, sets in VARIANTS.items()}
    base = rows["baseline"]
    print(f"{'variant':22s} {'events':>9s} {'est.':>9s} {'s':>7s} {'est. s':>7s} "
          f"{'MB':>6s} {'est. MB':>7s}")
    for name, r in rows.items():
        print(f"{name:22s} {r['events']:9,d} {r['estimated_events']:9,.0f} {r['seconds']:7.2f} "
              f"{r['estimated_seconds']:7.2f} {r['peak_mb']:6.0f} {r['estimated_mb']:7.0f}"
              + ("  FAILED" if r["error"] else ""))
    window = 715  # days the baseline's deployment works within its two-year horizon

    def extra(name: str) -> tuple[float, float]:
        r = rows[name]
        return r["events"] - base["events"], r["seconds"] - base["seconds"]

    tips_events, tips_s = extra("tips x100")
    print(f"seconds per event (tips): {tips_s / tips_events * 1e6:.1f} us")
    print(f"events per tip: {tips_events / (990 / 7 * window):.2f}")
    veh_events, _ = extra("vehicles 1000")
    print(f"events per vehicle cycle: {veh_events / (996 * window / 35):.2f}")
    est = rows["establishment x1000"]
    people = 350_000 - 350
    print(f"seconds per person-month: {(est['seconds'] - base['seconds']) / people / 25 * 1e6:.2f} us")
    print(f"bytes per person: {(est['peak_mb'] - base['peak_mb']) * 2**20 / people:.0f}")


if __name__ == "__main__":
    main()
