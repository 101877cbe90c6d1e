"""Model speed next to a bare SimPy loop, measured in the same run (ratios matter most).

    python benchmarks/bench_model.py [--reps 10]

Prints: a bare loop of one million `timeout(1)` events; one replication of the baseline
(kazbat_2003.yaml, two years) and one 10-year replication of the brigade scenario, each
as a share of the bare loop's time (aims: <= 0.03 and <= 0.13), and the brigade again
with the mechanisms of issue 10 switched on (security regimes with hostile incidents,
other tasks, hard-to-reach ordnance, volunteering with memory, retention by tours,
expiring skills, a medical share; aim: <= 0.15). The four are timed in
alternation, five rounds, each taken at its best (as timeit does): the least disturbed
by other work on a shared machine. Times are the process's CPU time, not the wall
clock: on a machine shared with other work, time spent waiting for a core is not the
model's (on a quiet machine the two agree). Beside the best of the rounds, the median and
largest of each round's ratio to that round's own bare loop.

The scenarios are the frozen copies in benchmarks/frozen/ (main's as of 2026-12-04),
run nominally (every assumption at its stated value, as `--draws 0`), so that the
figures compare like with like while the shipped scenarios change.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import simpy

ROOT = Path(__file__).resolve().parent.parent
FROZEN = Path(__file__).resolve().parent / "frozen"
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
    began = time.process_time()
    env.run()
    return time.process_time() - began


def timed(scenario, reps: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    began, events = time.process_time(), 0
    for i in range(reps):
        result = run_replication(scenario, i)
        assert result.error is None, result.error
        events += result.events
    return time.process_time() - began, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=5, help="baseline replications a round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    baseline = load_scenario(FROZEN / "kazbat_2003.yaml").scenario
    brigade = load_scenario(FROZEN / "brigade.yaml").scenario
    busy = load_scenario(FROZEN / "brigade.yaml", MECHANISMS).scenario
    timed(baseline, 1)  # warm up: lazy imports, first allocations
    loops, bases, brigs, busies = [], [], [], []
    for _ in range(args.rounds):
        loops.append(bare_loop())
        t, events = timed(baseline, args.reps)
        bases.append((t / args.reps, events / args.reps))
        brigs.append(timed(brigade, 1))
        busies.append(timed(busy, 1))
    loop = min(loops)
    print(f"bare SimPy loop, 1e6 timeouts     {loop:7.3f} s   {1e6 / loop:>10,.0f} events/s")
    for name, rounds, aim in (("baseline (2 years), 1 rep      ", bases, 0.03),
                              ("brigade (10 years), 1 rep      ", brigs, 0.13),
                              ("brigade, issue-10 mechanisms on", busies, 0.15)):
        t, events = min(rounds)
        ratios = sorted(r[0] / lp for r, lp in zip(rounds, loops))  # each round's own
        print(f"{name}   {t:7.3f} s   {events:>10,.0f} events   = {t / loop:.3f} x the bare "
              f"loop's time (aim: <= {aim}); a round's own ratio: median "
              f"{statistics.median(ratios):.3f}, max {ratios[-1]:.3f}")


if __name__ == "__main__":
    main()
