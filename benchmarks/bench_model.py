"""Model speed next to a bare SimPy loop, measured in the same run (ratios matter most).

    python benchmarks/bench_model.py [--reps 10]

Prints: a bare loop of one million `timeout(1)` events; one replication of the baseline
(kazbat_2003.yaml, two years) and one 10-year replication of the brigade scenario, each
as a share of the bare loop's time (aims: <= 0.065 and <= 0.3), and the brigade again
with the mechanisms of issue 10 switched on (security regimes with hostile incidents,
other tasks, hard-to-reach ordnance, volunteering with memory, retention by tours,
expiring skills, a medical share; aim: <= 0.3 too). The four are timed in
alternation, five rounds, each taken at its best (as timeit does): the least disturbed
by other work on a shared machine.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import simpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.execution.engine import run_replication  # noqa: E402
from sim.scenario.loader import load_scenario  # noqa: E402

T = "deployments.iraq.theatre"
MECHANISMS = [
    f"{T}.security.regimes={{calm: {{level: 0.2, mean_days: 120, next: {{hostile: 1}}}}, "
    "hostile: {level: 0.8, mean_days: 90, next: {calm: 1}}}",
    f"{T}.security.workdays_lost_at_hostile=0.3", f"{T}.security.tips_at_hostile=0.6",
    f"{T}.security.hostile_per_1000_person_days=0.05",
    f"{T}.tasks={{training: {{unit: cadets, role: staff, role_share: 0.3, per_person_day: 1}}, "
    "barriers: {unit: metres, team_share: 0.05, per_team_day: 10}}",
    f"{T}.ordnance_access_exponent=1",
    "deployments.iraq.volunteering.after_death=0.3", "deployments.iraq.volunteering.per_tour_done=-0.1",
    "deployments.iraq.volunteering.at_hostile=0.2", "force.retention.per_tour_done=-0.05",
    "force.qualification_valid_years={eod: 3}", "force.medically_non_deployable=0.05",
]


def bare_loop(n: int = 1_000_000) -> float:
    env = simpy.Environment()

    def tick(env: simpy.Environment):  # type: ignore[no-untyped-def]
        for _ in range(n):
            yield env.timeout(1)

    env.process(tick(env))
    began = time.perf_counter()
    env.run()
    return time.perf_counter() - began


def timed(scenario, reps: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    began, events = time.perf_counter(), 0
    for i in range(reps):
        result = run_replication(scenario, i)
        assert result.error is None, result.error
        events += result.events
    return time.perf_counter() - began, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=5, help="baseline replications a round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    baseline = load_scenario(ROOT / "scenarios" / "kazbat_2003.yaml").scenario
    brigade = load_scenario(ROOT / "scenarios" / "brigade.yaml").scenario
    busy = load_scenario(ROOT / "scenarios" / "brigade.yaml", MECHANISMS).scenario
    timed(baseline, 1)  # warm up: lazy imports, first allocations
    loops, bases, brigs, busies = [], [], [], []
    for _ in range(args.rounds):
        loops.append(bare_loop())
        t, events = timed(baseline, args.reps)
        bases.append((t / args.reps, events / args.reps))
        brigs.append(timed(brigade, 1))
        busies.append(timed(busy, 1))
    loop = min(loops)
    base_t, base_events = min(bases)
    brig_t, brig_events = min(brigs)
    busy_t, busy_events = min(busies)
    print(f"bare SimPy loop, 1e6 timeouts     {loop:7.3f} s   {1e6 / loop:>10,.0f} events/s")
    print(f"baseline (2 years), 1 rep         {base_t:7.3f} s   {base_events:>10,.0f} events"
          f"   = {base_t / loop:.3f} x the bare loop's time (aim: <= 0.065)")
    print(f"brigade (10 years), 1 rep         {brig_t:7.3f} s   {brig_events:>10,.0f} events"
          f"   = {brig_t / loop:.3f} x the bare loop's time (aim: <= 0.3)")
    print(f"brigade, issue-10 mechanisms on   {busy_t:7.3f} s   {busy_events:>10,.0f} events"
          f"   = {busy_t / loop:.3f} x the bare loop's time (aim: <= 0.3)")


if __name__ == "__main__":
    main()
