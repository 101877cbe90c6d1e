"""What draws of the assumptions cost beside the same number of plain replications,
measured in one run (machines and their load differ: trust the ratio).

    python benchmarks/bench_draws.py [--rounds 3] [--workers 2]

On kazbat_2003.yaml with the ordnance stock in [2 M, 16 M] and the volunteer
probability in [0.2, 0.9], through the API a command uses (plan, replications on the
process pool, report, report files with figures):

- with draws: `--draws 32 --reps-per-draw 2 --reps 2` (66 runs),
- without: `--draws 0 --reps 66` (66 runs).

Target: with draws at most 1.15x without. The two are timed alternately, `rounds` times
each, and taken at their best (the least disturbed by other work).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ASSUMPTIONS = """\
assumptions:
  deployments.iraq.theatre.ordnance_stock:
    range: [2000000, 16000000]
    source: "ASSUMPTION: benchmark"
  deployments.iraq.volunteer_prob: {range: [0.2, 0.9], source: "ASSUMPTION: benchmark"}
"""


def timed(path: Path, out: Path, workers: int, **options: object
          ) -> tuple[float, float, float]:
    """(seconds of the whole command's work, seconds of the runs and the report alone,
    seconds the model itself took in all its replications, summed over the workers)."""
    import sim  # the checkout's, put first on the path above

    began = time.perf_counter()
    res = sim.run(path, workers=workers, **options)  # type: ignore[arg-type]
    ran = time.perf_counter() - began
    res.write_report(out)
    return time.perf_counter() - began, ran, sum(r.wall_seconds for r in res.results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    path = folder / "kazbat_ranges.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'kazbat_2003.yaml'}\n{ASSUMPTIONS}")
    cases = {"--draws 32 --reps-per-draw 2 --reps 2": {"draws": 32, "reps_per_draw": 2,
                                                      "reps": 2},
             "--draws 0 --reps 66": {"draws": 0, "reps": 66}}
    best: dict[str, tuple[float, float, float]] = {}
    try:
        timed(path, folder / "warm", args.workers, draws=0, reps=2)  # imports, figure server
        for r in range(args.rounds):
            for name, options in cases.items():
                out = folder / f"out{r}-{len(best)}"
                total, ran, model = timed(path, out, args.workers, **options)
                shutil.rmtree(out, ignore_errors=True)
                print(f"round {r + 1}: {name}: {total:.2f} s ({ran:.2f} s before the files; "
                      f"the model {model:.2f} s of worker time)", flush=True)
                old = best.get(name)
                best[name] = ((min(total, old[0]), min(ran, old[1]), min(model, old[2])) if old
                              else (total, ran, model))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    drawn, plain = best.values()
    print(f"best of {args.rounds}, {args.workers} workers:")
    for name, (total, ran, model) in best.items():
        print(f"  {name}: {total:.2f} s ({ran:.2f} s before the files; the model "
              f"{model:.2f} s of worker time)")
    ratio = drawn[0] / plain[0]
    print(f"ratio with draws / without: {ratio:.3f} (runs and report: "
          f"{drawn[1] / plain[1]:.3f}; the model's own work: {drawn[2] / plain[2]:.3f}, the "
          "drawn scenarios differ in cost); "
          f"target <= 1.15: {'met' if ratio <= 1.15 else 'NOT met'}")


if __name__ == "__main__":
    main()
