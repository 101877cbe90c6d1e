"""Rendering figure jobs to PNG and SVG files, in parallel worker processes.

Drawing is most of the cost of a report, and matplotlib's import alone takes a third of
a second: workers import it once (`prewarm` starts them while the model runs) and each
draws whole figures. A job that fails is reported, not raised, so the caller still
writes everything else.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.core.lifetime import stop_workers, terminating, worker_started
from sim.report.provenance import git_commit


@dataclass(frozen=True)
class FigureJob:
    """One figure: `name` is the file stem (name.png, name.svg), `kind` a drawer of
    `sim.report.draw.DRAWERS`, `spec` its plain-data specification."""

    name: str
    caption: str
    kind: str
    spec: dict[str, Any] = field(repr=False)


@dataclass
class Rendered:
    drawn: list[FigureJob]
    failed: list[tuple[FigureJob, BaseException]]


ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding the `sim` package
_pool: ProcessPoolExecutor | None = None
_ctx: Any = None
_lifeline: Any = None  # (read, write): the workers end when the writing end closes
_lock = threading.Lock()


def _context() -> Any:
    """Fork workers from a server that has already imported the drawing code (POSIX);
    spawn fresh interpreters elsewhere. Never plain fork: the parent may hold threads.
    The server is started once, by `start_server` or the first pool."""
    global _ctx
    if _ctx is None:
        # workers find this package by absolute path, whatever the current directory
        # (a relative entry such as '' means another folder once a caller has moved)
        if ROOT not in sys.path:
            sys.path.append(ROOT)
        if "forkserver" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["sim.report.draw_server"])
            _start_server(ctx)
            _ctx = ctx
        else:
            _ctx = multiprocessing.get_context("spawn")
    return _ctx


def start_server(workers: int | None = None) -> None:
    """Start the figure workers' fork server now, at a command's very beginning: it
    imports matplotlib and warms up (about half a second of the other core) while this
    process reads the scenario and runs the model, instead of after. Costs a few
    milliseconds here; harmless if never used (the server exits with this process).
    `workers`: the command's processes (1: figures are drawn in this process)."""
    if not _in_workers(workers):
        return
    # no server here (a sandbox): `prewarm` and `render` find out again
    with _lock, contextlib.suppress(OSError, RuntimeError):
        _context()


def _start_server(ctx: Any) -> None:
    """Start the fork server with this package first on its path: it imports the
    preloaded modules before it learns the parent's sys.path (Python < 3.13), and would
    otherwise preload whichever `sim` an installed copy provides."""
    from multiprocessing import forkserver

    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, old) if p)
    try:
        forkserver.ensure_running()
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old


def default_workers() -> int:
    return min(4, os.cpu_count() or 1)


def _in_workers(workers: int | None) -> bool:
    """Whether figures are drawn in worker processes: not for `workers` 1 (the command's
    own process does everything), nor on a machine with one core."""
    return (workers or default_workers()) > 1 and default_workers() > 1


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            # workers leave Ctrl-C to this process and end with it, however it ends
            ctx = _context()
            global _lifeline
            if _lifeline is None:
                _lifeline = ctx.Pipe(duplex=False)  # this process holds the writing end
            _pool = ProcessPoolExecutor(max_workers=default_workers(), mp_context=ctx,
                                        initializer=worker_started,
                                        initargs=(None, _lifeline[0]))
        return _pool


def _drop_pool() -> None:
    global _pool, _ctx
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None
        _ctx = None  # the next pool checks the server again (restarted if it died)


def _ready() -> int:
    # the point: matplotlib is imported in each figure worker, never in the command's process
    import sim.report.draw  # noqa: F401

    return os.getpid()


def prewarm(workers: int | None = None) -> None:
    """Start the drawing workers in the background, so that their start-up and
    matplotlib's import overlap with the model's run (starting them blocks until the
    first has imported matplotlib: a thread does the waiting); look up the git commit
    for the report's provenance meanwhile too. Harmless if never used. `workers`: the
    command's processes (1: figures are drawn in this process, no workers)."""
    threading.Thread(target=git_commit, name="kazsim-commit", daemon=True).start()
    if not _in_workers(workers):
        return
    threading.Thread(target=_start_workers, name="kazsim-figure-workers", daemon=True).start()


def _start_workers() -> None:
    try:
        pool = _get_pool()
        for _ in range(default_workers()):
            pool.submit(_ready)
    except (OSError, EOFError, RuntimeError, BrokenProcessPool):
        _drop_pool()  # no workers here (a sandbox, a daemon process, a stopped server)


def _draw(job: FigureJob, folder: str) -> None:
    from sim.report.draw import draw_and_save  # in the figure worker: matplotlib stays there

    draw_and_save(job.kind, job.spec, Path(folder) / job.name)


class Drawing:
    """Figures being drawn: in the figure workers from `start_render` on, or, without
    them, here when `wait` is called (so that the caller's other work comes first)."""

    def __init__(self, folder: Path, futures: list[tuple[FigureJob, Future[None] | None]]):
        self.folder, self._futures = folder, futures

    def wait(self) -> Rendered:
        """Every figure drawn or failed (a failure is reported, not raised)."""
        out = Rendered([], [])
        for job, fut in self._futures:
            try:
                if fut is None:
                    _draw(job, str(self.folder))
                else:
                    fut.result()
                out.drawn.append(job)
            except BrokenProcessPool as err:
                _drop_pool()
                out.failed.append((job, err))
            except Exception as err:  # noqa: BLE001 - a figure lost, the report kept
                out.failed.append((job, err))
        return out


def _size(job: FigureJob) -> int:
    """How much drawing a figure takes, roughly: its panels, or the rows of a bar chart
    (a driver chart's 11 rows cost about what 11 panels do)."""
    return max(1, len(job.spec.get("panels", ())) + len(job.spec.get("rows", ())))


def start_render(jobs: Sequence[FigureJob], folder: Path, workers: int | None = None) -> Drawing:
    """Start drawing `jobs` into `folder` (PNG and SVG each): in the figure workers unless
    `workers` is 1, there is one job, or this machine has one core; `Drawing.wait` for
    them."""
    folder.mkdir(parents=True, exist_ok=True)
    if _in_workers(workers) and len(jobs) > 1:
        try:
            pool = _get_pool()
            # the biggest first, so that no worker is left with one at the end
            order = sorted(jobs, key=lambda j: -_size(j))
            submitted = {id(job): pool.submit(_draw, job, str(folder)) for job in order}
            return Drawing(folder, [(job, submitted[id(job)]) for job in jobs])
        except (OSError, EOFError, RuntimeError, BrokenProcessPool):
            _drop_pool()
    return Drawing(folder, [(job, None) for job in jobs])


def render(jobs: Sequence[FigureJob], folder: Path, workers: int | None = None) -> Rendered:
    """Draw `jobs` into `folder` (PNG and SVG each); in parallel unless `workers` is 1,
    there is one job, or this machine has one core."""
    return start_render(jobs, folder, workers).wait()


def shutdown() -> None:
    """Stop the drawing workers (waiting for them, unless after SIGTERM), as the
    interpreter's exit would."""
    global _pool
    if terminating():
        # the server first: a worker being started waits on it (it may still be importing
        # matplotlib), and the pool's shutdown on that start
        _stop_server()
    with _lock:
        if _pool is not None:
            if terminating():
                stop_workers(_pool)
            _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


def _stop_server() -> None:
    """End the fork server now rather than when it notices this process's exit (it
    would, through its lifeline, but a busy machine makes that seconds)."""
    from multiprocessing import forkserver

    pid = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if isinstance(pid, int):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
