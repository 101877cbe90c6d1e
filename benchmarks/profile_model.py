"""Where a replication's time goes: each kind of event, the series sampling, set-up and
results, in real time (a script, not a test).

    python benchmarks/profile_model.py [--scenario benchmarks/frozen/brigade.yaml]
                                       [--reps 5] [--mechanisms] [--top 15]

Runs `reps` replications of the scenario nominally (as `--draws 0`; the frozen brigade by
default, `--mechanisms` switches on those of bench_model.py) after one to warm up, and
times every callback the model's clock calls, by the function it calls (a course's
cohort, a team's timer, a tip candidate, the monthly home-force step, ...), and the
phases outside the events. Prints, a replication: each kind's share of the time, its
count, and its cost each. Each callback is timed through a wrapper (about half a
microsecond each), so the total is a little above bench_model.py's.

A profile by function (`cProfile`) inflates cheap calls several times over; this one
answers "which events cost the time" in the same units a user waits in.
"""
from __future__ import annotations

import argparse
import collections
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sim.model.clock as clock_module  # noqa: E402
import sim.model.record as record_module  # noqa: E402
from sim.model.replication import Replication  # noqa: E402
from sim.scenario.loader import load_scenario  # noqa: E402

spent: collections.defaultdict[str, float] = collections.defaultdict(float)
calls: collections.Counter[str] = collections.Counter()
clock = time.perf_counter


def _name(fn: Callable[[], None]) -> str:
    """The function a callback ends in: a partial's, a bound method's; a lambda by the
    function it is written in and the names it calls."""
    fn = getattr(fn, "func", fn)
    name = getattr(fn, "__qualname__", type(fn).__name__)
    code = getattr(fn, "__code__", None)
    if name.endswith("<lambda>") and code is not None and code.co_names:
        name += f" ({', '.join(code.co_names)})"  # what the lambda calls
    return name


def timed(fn: Callable[[], None], name: str | None = None) -> Callable[[], None]:
    key = name or _name(fn)

    def call() -> None:
        began = clock()
        try:
            fn()
        finally:
            spent[key] += clock() - began
            calls[key] += 1
    return call


def instrument() -> None:
    """Wrap every callback the clock is given (timers, `call_at`, `call_first_at`) and the
    series sampling; the clock's loop itself is untouched."""
    Clock, Timer, Recorder = clock_module.Clock, clock_module.Timer, record_module.Recorder
    call_at, call_first_at, timer_init = Clock.call_at, Clock.call_first_at, Timer.__init__
    Clock.call_at = lambda self, at, fn: call_at(self, at, timed(fn))  # type: ignore[method-assign]
    Clock.call_first_at = lambda self, at, fn: call_first_at(self, at, timed(fn))  # type: ignore[method-assign]
    Timer.__init__ = lambda self, clock, fn: timer_init(self, clock, timed(fn))  # type: ignore[method-assign]
    sample = Recorder.sample
    Recorder.sample = lambda self: timed(lambda: sample(self), "(series sampling)")()  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default=str(Path(__file__).resolve().parent / "frozen" / "brigade.yaml"))
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--mechanisms", action="store_true", help="the issue-10 mechanisms of bench_model.py on")
    parser.add_argument("--top", type=int, default=15, help="kinds of event listed")
    args = parser.parse_args()
    sets: list[str] = []
    if args.mechanisms:
        from bench_model import MECHANISMS
        sets = MECHANISMS
    scenario = load_scenario(Path(args.scenario), sets).scenario
    instrument()
    phases: collections.defaultdict[str, float] = collections.defaultdict(float)
    events = 0
    for i in range(args.reps + 1):  # the first warms up (lazy imports, first allocations)
        if i == 1:
            spent.clear()
            calls.clear()
            phases.clear()
            events = 0
        began = clock()
        rep = Replication(scenario, scenario.seed, i)
        built = clock()
        rep.run(())
        ran = clock()
        rep.results()
        phases["(set-up)"] += built - began
        phases["(run)"] += ran - built
        phases["(results)"] += clock() - ran
        events += rep.events
    n = args.reps
    total = sum(phases.values())
    in_events = sum(v for k, v in spent.items() if k != "(series sampling)")
    spent["(set-up)"], spent["(results)"] = phases["(set-up)"], phases["(results)"]
    calls["(set-up)"] = calls["(results)"] = n
    spent["(the event loop, SimPy's own events, the start)"] = phases["(run)"] - in_events - spent["(series sampling)"]
    calls["(the event loop, SimPy's own events, the start)"] = events
    print(f"{Path(args.scenario).name}{' with the issue-10 mechanisms' if sets else ''}: "
          f"{total / n * 1e3:.1f} ms a replication, {events / n:,.0f} events, "
          f"mean of {n} replications")
    print(f"{'share':>6} {'ms a rep':>9} {'count':>8} {'us each':>9}  what")
    shown = sorted(spent.items(), key=lambda kv: -kv[1])[: args.top]
    for key, seconds in shown:
        count = calls[key] / n
        print(f"{seconds / total:6.1%} {seconds / n * 1e3:9.2f} {count:8,.0f} "
              f"{seconds / calls[key] * 1e6:9.1f}  {key}")
    rest = total - sum(s for _, s in shown)
    if len(spent) > len(shown):
        print(f"{rest / total:6.1%} {rest / n * 1e3:9.2f} {'':8} {'':9}  ({len(spent) - len(shown)} other kinds)")


if __name__ == "__main__":
    main()
