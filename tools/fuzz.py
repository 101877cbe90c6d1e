"""Fuzz kazsim's input layer with hostile scenario files and `--set` values.

Each input (a mutated shipped scenario, a YAML trick, extreme values) goes through the
real CLI (`validate`, `show`, `run`) in a child process forked from one that has already
imported kazsim, so each costs milliseconds, not an interpreter start. The oracle: exit
0, 1, 2 or 3 only; no Python traceback in the output; within `--timeout` seconds; peak
memory under `--max-mb`. Inputs that break it are saved to `--keep` for replay. An input
still running 5 s past `--timeout` is stopped as a batch scheduler would stop it (SIGTERM,
then SIGKILL 5 s later); `tools/orphans.py` counts the processes a campaign leaves behind.

    python tools/fuzz.py --inputs 10000 --seed 1 --jobs 2

The test suite runs a few hundred inputs of the same generator (tests/test_fuzz.py).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import select
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's kazsim, whatever is installed
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))

EXTREMES = [
    ".nan", ".inf", "-.inf", "-1", "0", "1e308", "1.0e400", "-1.0e308", "9" * 5000, "9" * 25,
    "2003-02-30", "9999-12-31", "1800-01-01", "2003-08-01 25:00:00", "0x7fffffffffffffff",
    "1:2:3:4:5:6:7:8", "[" * 200 + "]" * 200, "&a [*a]", "*nowhere", "!!python/object:os.system",
    "!!binary AAEC", "null", "~", "", "{}", "[]", "'" + "x" * 3000 + "'", '"\\0"', '"\\e[31m"',
    '"\\ud800"', "yes", "{dist: uniform, low: -5, high: -1}", "{dist: constant, value: -2}",
    "{dist: lognormal, median: 1, sigma: 900}", "{dist: poisson, mean: 1e19}", "10000000",
    "1000000000", "{a: 1}", "[1, 2, 3]", "0.000000001", "-0", "2e-308",
]
CHARS = ["\x00", "\x07", "\x1b", "\t", "\n", ":", "[", "]", "{", "}", "&a ", "*a", "!", "%",
         "@", "`", "|", ">", "-", "? ", "#", "'", '"', "\ufeff", "\u202e", "\x85", "\xa0"]
PATHS = [
    "end", "start", "seed", "replications", "name", "extends", "force.establishment.officer",
    "force.recruiting.per_month", "force.qualified.eod.officer", "force.foc.qualified.eod",
    "deployments.iraq.tour_days", "deployments.iraq.overlap_days", "deployments.iraq.end",
    "deployments.iraq.contingent.0.count", "deployments.iraq.theatre.vehicles.count",
    "deployments.iraq.theatre.tips.rate_per_week_at_full_trust",
    "deployments.iraq.theatre.tips.shelf_life_days", "deployments.iraq.theatre.approval_days",
    "deployments.iraq.theatre.cache_items", "training.courses.eod.seats",
    "training.courses.eod.every_days", "costs.course_seat.eod", "timeline", "growth",
    "thresholds", "x.y.z", "deployments.99.name", "deployments.iraq.contingent.team_leader.grade",
]
LAUGHS = "".join(f"{a}: &{a} [{', '.join([f'*{b}'] * 9) if b else ', '.join(['lol'] * 9)}]\n"
                 for a, b in zip("abcdefghi", ["", *"abcdefgh"]))


@dataclass
class Case:
    """One fuzz input: files to write (name -> bytes) and the CLI arguments."""

    files: dict[str, bytes]
    args: list[str]
    kind: str


def generate(rng: random.Random) -> Case:
    kind = rng.choice(["mutate", "mutate", "mutate", "replace", "trick", "set", "extends"])
    base = rng.choice(SCENARIOS).read_text(encoding="utf-8")
    text = base
    if kind == "mutate":
        text = _mutate(rng, base)
    elif kind == "replace":
        text = _replace_values(rng, base)
    elif kind == "trick":
        text = rng.choice([LAUGHS, "a: &a [*a]\n", "[" * rng.randint(30, 5000),
                           "{" * 40 + "}" * 40, "<<: *x\n", "a: &x {b: 1}\nc: {<<: *x, d: 2}\n",
                           "--- a\n--- b\n", "%YAML 1.1\n---\nname: x\n", "? [a]\n: b\n",
                           base + "\n" + base, base.replace("\n", "\r"),
                           "name: x\n" + "k: v\n" * 3000, "\x00" * 100])
    files = {"s.yaml": text.encode("utf-8", "surrogatepass")}
    sets: list[str] = []
    if kind == "set" or rng.random() < 0.2:
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(PATHS) if rng.random() < 0.85 else _noise(rng, 20).replace("=", "")
            sets.append(f"{path}={rng.choice(EXTREMES) if rng.random() < 0.8 else _noise(rng, 30)}")
    if kind == "extends":
        target = rng.choice(["/dev/zero", "/etc/passwd", "p.yaml", "loop.yaml", "missing.yaml",
                             "a/" * 2100 + "p.yaml", ".", "s.yaml", str(rng.choice(SCENARIOS))])
        files["s.yaml"] = f"name: x\nextends: {target}\n".encode()
        files["p.yaml"] = _mutate(rng, base).encode("utf-8", "surrogatepass")
        files["loop.yaml"] = b"@symlink loop.yaml"
    command = rng.choices(["validate", "show", "run"], weights=[6, 3, 1])[0]
    args = [command, "s.yaml"]
    if command != "validate":
        args += [a for s in sets for a in ("--set", s)]
    if command == "run":
        args += ["--reps", "1", "--workers", "1", "--quiet", "--out", "out"]
        if rng.random() < 0.8:  # most runs kept short; the estimate guards the rest
            args += ["--set", "end=2003-12-01"]
    return Case(files, args, kind)


def _noise(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(CHARS + list("abc019.")) for _ in range(rng.randint(1, n)))


def _mutate(rng: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True)
    for _ in range(rng.randint(1, 6)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        op = rng.randrange(5)
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 2:
            j = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:j] + _noise(rng, 4) + lines[i][j:]
        elif op == 3:
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)] + "\n"
        else:
            lines[i] = _replace_values(rng, lines[i])
    return "".join(lines)


def _replace_values(rng: random.Random, text: str) -> str:
    """Replace some `key: value` values with extreme ones."""
    out = []
    for line in text.splitlines(keepends=True):
        if ": " in line and rng.random() < 0.3:
            key, _, _ = line.partition(": ")
            line = f"{key}: {rng.choice(EXTREMES)}\n"
        out.append(line)
    return "".join(out)


# -- running ----------------------------------------------------------------------------

@dataclass
class Outcome:
    code: int | None  # None: killed (a hang)
    seconds: float
    peak_mb: float
    text: str
    crash: bool = False  # exit 3 from an unexpected failure (a kazsim bug, logged)

    def violations(self, timeout: float, max_mb: float) -> list[str]:
        found = []
        if self.code not in (0, 1, 2, 3):
            found.append(f"exit {self.code}")
        if "Traceback" in self.text:
            found.append("traceback")
        if self.seconds > timeout:
            found.append(f"{self.seconds:.1f} s")
        if self.peak_mb > max_mb:
            found.append(f"{self.peak_mb:.0f} MB")
        return found


def _write(case: Case, folder: Path) -> None:
    for name, data in case.files.items():
        path = folder / name
        if data.startswith(b"@symlink "):
            path.symlink_to(folder / data.split(b" ", 1)[1].decode())
        else:
            path.write_bytes(data)


def run_case(case: Case, timeout: float) -> Outcome:
    """Run one case in a forked child; its exit code, time, peak memory and output."""
    from click.testing import CliRunner

    from sim.cli import main

    with tempfile.TemporaryDirectory(prefix="kazsim-fuzz-") as tmp:
        folder = Path(tmp)
        _write(case, folder)
        read, write = os.pipe()
        began = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # the child: one CLI call, its result down the pipe
            os.close(read)
            code, text = 99, ""
            try:
                os.chdir(folder)
                os.environ["TMPDIR"] = tmp  # crash logs stay in the case's folder
                tempfile.tempdir = None
                result = CliRunner().invoke(main, case.args, catch_exceptions=True)
                code, text = result.exit_code, result.output
                if result.exception is not None and not isinstance(result.exception, SystemExit):
                    code, text = 98, text + "Traceback: " + repr(result.exception)
            except BaseException as err:  # noqa: BLE001 - reported to the parent
                text = f"Traceback: {err!r}"
            finally:
                os.write(write, json.dumps({"code": code, "text": text[-4000:]}).encode())
                render = sys.modules.get("sim.report.render")
                if render is not None:  # its figure server would outlive this child
                    with contextlib.suppress(Exception):
                        render.shutdown()
                os._exit(0)
        os.close(write)
        chunks = _read_until(read, pid, began + timeout + GRACE)
        os.close(read)
        _, status, usage = os.wait4(pid, 0)
        seconds = time.perf_counter() - began
        peak = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
        if not chunks:
            return Outcome(None, seconds, peak, f"killed (status {status})")
        got = json.loads(b"".join(chunks))
        text = got["text"]
        return Outcome(got["code"], seconds, peak, text,
                       crash=got["code"] == 3 and "unexpected failure" in text)


GRACE = 5.0  # seconds past --timeout before a hung input is stopped (SIGTERM), and again
# before it is killed (SIGKILL)


def _read_until(fd: int, pid: int, deadline: float) -> list[bytes]:
    """What the child writes down the pipe until it closes it. A child still at work at
    `deadline` is stopped as a batch scheduler would stop it: SIGTERM (kazsim stops its
    workers and removes its temporaries), then SIGKILL if it has not left `GRACE`
    seconds later."""
    chunks: list[bytes] = []
    signals = [signal.SIGTERM, signal.SIGKILL]
    while True:
        ready, _, _ = select.select([fd], [], [], max(deadline - time.perf_counter(), 0))
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                return chunks
            chunks.append(chunk)
        elif signals:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signals.pop(0))
            deadline = time.perf_counter() + GRACE
        else:
            return chunks  # killed, and still the pipe is open: a grandchild holds it


@dataclass
class Summary:
    inputs: int = 0
    codes: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    crashes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")
    peak_mb: tuple[float, str] = (0.0, "")
    slowest_by: dict[str, float] = field(default_factory=dict)  # command -> seconds

    def report(self) -> str:
        lines = [f"inputs: {self.inputs}",
                 "exit codes: " + ", ".join(f"{k}: {v}" for k, v in sorted(self.codes.items(),
                                                                          key=lambda kv: str(kv[0]))),
                 "kinds: " + ", ".join(f"{k}: {v}" for k, v in sorted(self.kinds.items())),
                 f"slowest: {self.slowest[0]:.2f} s ({self.slowest[1]})",
                 "slowest by command: " + ", ".join(f"{k} {v:.2f} s"
                                                    for k, v in sorted(self.slowest_by.items())),
                 f"peak memory: {self.peak_mb[0]:.0f} MB ({self.peak_mb[1]})",
                 f"unexpected failures (exit 3 with a crash log): {len(self.crashes)}",
                 f"oracle violations: {len(self.failures)}"]
        lines += [f"  {f}" for f in self.failures[:20]]
        lines += [f"  crash: {c}" for c in self.crashes[:20]]
        return "\n".join(lines)


def warm() -> None:
    """Import what the commands import, once, before the children fork."""
    import importlib

    for name in ("sim.cli", "sim.scenario.loader", "sim.studies.sweep.spec", "sim.studies.sweep.design",
                 "sim.core.metrics", "sim.execution.engine", "sim.model.world", "sim.report", "sim.execution.runner",
                 "sim.core.stats", "rich.progress", "rich.table", "matplotlib.pyplot", "scipy.stats"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def campaign(inputs: int, seed: int, timeout: float = 10.0, max_mb: float = 500.0,
             keep: Path | None = None, progress: bool = False) -> Summary:
    warm()

    summary = Summary()
    for i in range(inputs):
        rng = random.Random(f"{seed}-{i}")
        case = generate(rng)
        outcome = run_case(case, timeout)
        label = f"seed {seed} input {i}: {case.kind}, {' '.join(case.args[:2])}"
        summary.inputs += 1
        summary.codes[outcome.code] += 1
        summary.kinds[case.kind] += 1
        if outcome.seconds > summary.slowest[0]:
            summary.slowest = (outcome.seconds, label)
        command = case.args[0]
        summary.slowest_by[command] = max(summary.slowest_by.get(command, 0.0), outcome.seconds)
        if outcome.peak_mb > summary.peak_mb[0]:
            summary.peak_mb = (outcome.peak_mb, label)
        bad = outcome.violations(timeout, max_mb)
        if bad or outcome.crash:
            first = outcome.text.strip().splitlines()[-1:] or [""]
            note = f"{label}: {', '.join(bad) or 'crash'}: {first[0][:200]}"
            (summary.failures if bad else summary.crashes).append(note)
            if keep is not None:
                folder = keep / f"{seed}-{i}"
                folder.mkdir(parents=True, exist_ok=True)
                _write(case, folder)
                (folder / "args.json").write_text(json.dumps(case.args))
        if progress and (i + 1) % 500 == 0:
            print(f"{i + 1} inputs, {len(summary.failures)} violations", file=sys.stderr, flush=True)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1, help="campaigns in parallel (seed, seed+1, ...)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds allowed per input")
    parser.add_argument("--max-mb", type=float, default=500.0, help="peak memory allowed per input")
    parser.add_argument("--keep", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    began = time.perf_counter()
    if args.jobs == 1:
        summary = campaign(args.inputs, args.seed, args.timeout, args.max_mb, args.keep, True)
    else:
        from concurrent.futures import ProcessPoolExecutor

        share = [args.inputs // args.jobs + (j < args.inputs % args.jobs) for j in range(args.jobs)]
        with ProcessPoolExecutor(args.jobs) as pool:
            parts = list(pool.map(campaign, share, [args.seed + j for j in range(args.jobs)],
                                  [args.timeout] * args.jobs, [args.max_mb] * args.jobs,
                                  [args.keep] * args.jobs))
        summary = Summary()
        for part in parts:
            summary.inputs += part.inputs
            summary.codes.update(part.codes)
            summary.kinds.update(part.kinds)
            summary.crashes += part.crashes
            summary.failures += part.failures
            summary.slowest = max(summary.slowest, part.slowest)
            for command, seconds in part.slowest_by.items():
                summary.slowest_by[command] = max(summary.slowest_by.get(command, 0.0), seconds)
            summary.peak_mb = max(summary.peak_mb, part.peak_mb)
    print(summary.report())
    print(f"wall time: {time.perf_counter() - began:.0f} s")
    sys.exit(1 if summary.failures else 0)


if __name__ == "__main__":
    main()
