"""What the README's main command costs beyond the model, next to a bare SimPy loop
measured in the same run (machines and their load differ: trust the ratio).

    python benchmarks/bench_overhead.py [--rounds 5] [--reps 1]

End to end: `python cli.py run scenarios/brigade.yaml --reps 1 --draws 0` in a fresh
process with the default worker count, its report and figures written (the nominal
scenario alone: what its draws cost is `bench_draws.py`'s, the whole job on 1 and 2
workers `bench_workers.py`'s). Its overhead is that time
minus the replication's own, timed alone in this process (so that whatever the command
does beside the model, slowing it included, counts as overhead): imports, loading,
statistics, the report and the figures. Target: at most 2x the bare loop of one million
`timeout(1)` events. The three are timed alternately, `rounds` times each, and taken at
their best (the least disturbed by other work). Then one run's phases, timed in a fresh
process.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_model import bare_loop  # noqa: E402 - the same loop, measured the same way

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "scenarios/brigade.yaml"



def model_alone(reps: int) -> float:
    """The replications of the command, in this process, imports done."""
    from sim.execution.engine import run_replication
    from sim.scenario.loader import load_scenario

    scenario = load_scenario(ROOT / SCENARIO).scenario
    began = time.perf_counter()
    for i in range(reps):
        run_replication(scenario, i)
    return time.perf_counter() - began


def end_to_end(reps: int, out: Path) -> tuple[float, float]:
    """(wall seconds of the whole command, seconds its replications took)."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "cli.py", "run", SCENARIO, "--reps", str(reps),
                    "--draws", "0", "--out", str(out), "-q"], cwd=ROOT, check=True)
    wall = time.perf_counter() - began
    report = json.loads((out / "report.json").read_text())
    model = sum(r["wall_seconds"] for r in report["replications"])
    return wall, model


PHASES = r"""
import sys, time, tempfile, shutil
from pathlib import Path
t = [time.perf_counter()]
marks = {}
def mark(name):
    now = time.perf_counter(); marks[name] = now - t[0]; t[0] = now
if __name__ == "__main__":
    from sim import api
    import sim.cli
    mark("imports (sim.cli, sim.api)")
    from sim.report.render import prewarm
    prewarm()
    loaded = api.load_scenario(SCENARIO)
    plan = api.plan_run(loaded, REPS, draws=0)
    mark("loading and checking the scenario")
    res = plan.execute()
    model = sum(r.wall_seconds for r in res.results)
    marks["replications (the model)"] = model
    marks["statistics and report model"] = time.perf_counter() - t[0] - model
    t[0] = time.perf_counter()
    from sim.report.figures import report_figures
    from sim.report.render import render
    tmp = Path(tempfile.mkdtemp())
    jobs = report_figures(res.report)
    drawn = render(jobs, tmp / "figures")
    mark(f"figures ({len(drawn.drawn)} as PNG and SVG, in parallel)")
    from sim.report.content import report_blocks
    from sim.report.tables import write_metrics_csv, write_series_csv
    from sim.report.writer import write_documents
    (tmp / "report.json").write_text(res.report.dump())
    write_metrics_csv(tmp / "metrics.csv", res.results, res.name)
    write_series_csv(tmp / "series.csv", res.results)
    write_documents(tmp, "report", "t", report_blocks(res.report, [(f"{j.name}.png", "") for j in drawn.drawn]))
    mark("report.json, CSVs, Markdown and HTML")
    shutil.rmtree(tmp)
    import json
    print(json.dumps(marks))
"""


def phases(reps: int) -> dict[str, float]:
    code = PHASES.replace("SCENARIO", repr(SCENARIO)).replace("REPS", str(reps))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reps", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    loops, models, runs = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        end_to_end(args.reps, Path(tmp) / "warm")  # disk caches, byte-compiled files
        model_alone(1)  # this process's imports
        for k in range(args.rounds):
            loops.append(bare_loop())
            models.append(model_alone(args.reps))
            runs.append(end_to_end(args.reps, Path(tmp) / f"r{k}"))
    loop, model = min(loops), min(models)
    wall, inside = min(runs)
    overhead = wall - model
    print(f"bare SimPy loop, 1e6 timeouts            {loop:6.3f} s (best of {args.rounds})")
    print(f"the model alone ({args.reps} replication(s))       {model:6.3f} s (best of "
          f"{args.rounds}; {inside:.3f} s inside the command)")
    print(f"cli.py run {SCENARIO} --reps {args.reps} --draws 0   {wall:6.3f} s end to end (best of "
          f"{args.rounds})")
    print(f"overhead                                 {overhead:6.3f} s = "
          f"{overhead / loop:.2f} x the bare loop (target: <= 2)")
    print("one run by phase (a fresh process):")
    for name, seconds in phases(args.reps).items():
        print(f"  {name:48s} {seconds:6.3f} s")


if __name__ == "__main__":
    main()
