"""Capacity's answer across seeds at its default replications (issue 22's check).

    python benchmarks/bench_capacity.py [--seeds 1 2 3] [--workers N]

Runs `sim.find_capacity` on scenarios/kazbat_2003.yaml at its defaults (the scenario's
30 replications a size, up to 120 near the boundary) for each seed and prints the
answer, the range, how sure, the replications it took and the wall time. The aim: the
answers lie within one person of each other.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.studies.capacity import find_capacity  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    answers = []
    for seed in args.seeds:
        began = time.perf_counter()
        cap = find_capacity(str(ROOT / "scenarios" / "kazbat_2003.yaml"), seed=seed,
                            workers=args.workers)
        b = cap.boundary
        assert b is not None
        reps = sum(p.replications for p in cap.probe_list)
        sure = "—" if b.sure is None else f"{b.sure:.1%}"
        print(f"seed {seed}: {cap.largest_contingent} persons (range {b.low}-{b.high}, "
              f"{sure} sure), binds {cap.binding_constraint}; {len(cap.probe_list)} sizes, "
              f"{reps} replications, {time.perf_counter() - began:.0f} s", flush=True)
        answers.append(cap.largest_contingent)
    spread = max(answers) - min(answers)
    print(f"answers {answers}: spread {spread} ({'within' if spread <= 1 else 'NOT within'} "
          "one person)")


if __name__ == "__main__":
    main()
