"""Where work runs: in this process, a process pool, or a Dask cluster.

Runners only move `(key, result)` pairs around; results never depend on where they were
computed, because every task carries its own seed.
"""
from __future__ import annotations

import itertools
import os
import signal
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from sim.core.errors import InputError
from sim.core.lifetime import stop_workers, terminating, worker_started

T = TypeVar("T")
R = TypeVar("R")
CHUNK_SECONDS = 0.25  # Dask: as many tasks a Dask task as take about this long
MAX_CHUNK = 64


class ExecutorError(RuntimeError):
    """Dask is missing or its scheduler cannot be reached: a set-up problem, not the model's."""


def require_dask() -> None:
    """Raise ExecutorError unless the `distributed` extra is installed."""
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        raise ExecutorError("--scheduler needs Dask: pip install 'kazsim[distributed]'") from None


def _client(scheduler: str) -> Any:
    """A client of the Dask scheduler at `scheduler` (an address)."""
    from dask.distributed import Client

    try:
        return Client(scheduler)
    except (OSError, ValueError) as exc:  # a bad address, refused, timed out
        raise ExecutorError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None


@contextmanager
def _no_sigint() -> Iterator[None]:
    """Start worker processes that ignore Ctrl-C: this process stops them on its own, and
    otherwise each prints its KeyboardInterrupt traceback."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def default_workers() -> int:
    return os.cpu_count() or 1


def imap_unordered(
    func: Callable[[T], R],
    tasks: Iterable[T],
    workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[tuple[T, R]]:
    """Yield `(task, func(task))` as each finishes, all tasks submitted at once.

    `workers=1` runs in-process (no pickling, easy to debug); more uses a process pool;
    `scheduler` (an address, or "local" for a local Dask cluster) uses Dask.
    """
    tasks = list(tasks)
    n = max(len(tasks), 1)
    yield from imap_window(func, tasks, min(workers or default_workers(), n), scheduler, n)


def imap_window(
    func: Callable[[T], R],
    tasks: Iterable[T],
    workers: int | None = None,
    scheduler: str | None = None,
    window: int | None = None,
) -> Generator[tuple[T, R], None, None]:
    """Like `imap_unordered`, but takes `tasks` lazily and keeps at most `window` of them
    in flight (default: 4 per worker), so memory stays flat however many tasks there are.
    Closing the iterator early (Ctrl-C) cancels the tasks not yet started."""
    workers = workers or default_workers()
    window = window or 4 * workers
    if scheduler:
        yield from _dask_window(func, iter(tasks), scheduler, workers, window)
        return
    if workers <= 1:
        for task in tasks:
            yield task, func(task)
        return
    from concurrent.futures import FIRST_COMPLETED, wait

    # workers leave Ctrl-C to this process (which cancels what they have not begun) and
    # end with it, however it ends
    pool = ProcessPoolExecutor(max_workers=workers, initializer=worker_started,
                               initargs=(os.getpid(),))
    pending: dict[Any, Any] = {}
    source = iter(tasks)
    try:
        while True:
            for task in source:
                pending[pool.submit(func, task)] = task
                if len(pending) >= window:
                    break
            if not pending:
                return
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                yield pending.pop(fut), fut.result()
    finally:
        if terminating():  # SIGTERM: what the workers have begun is not waited for
            stop_workers(pool)
        with _no_sigint():  # a second Ctrl-C must not abandon the workers mid-shutdown
            pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _local_cluster(workers: int) -> Iterator[Any]:
    """A Dask cluster of `workers` single-threaded processes on this machine."""
    require_dask()
    import dask
    from dask.distributed import LocalCluster

    # Diagnostics off or slowed: the workers' statistical profiler samples every 10 ms and
    # holds the GIL (tens of per cent on a pure-Python model); the event-loop tick, memory
    # and system monitors cost an idle 2-worker cluster 8% of a core, 1% with these.
    quiet = {"distributed.worker.profile.enabled": False,
             "distributed.admin.tick.interval": "1s",
             "distributed.worker.memory.monitor-interval": "1s",
             "distributed.admin.system-monitor.interval": "5s"}
    with dask.config.set(quiet), _no_sigint():
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
    try:
        yield cluster
    finally:
        cluster.close()


@contextmanager
def shared_scheduler(scheduler: str | None, workers: int | None) -> Iterator[str | None]:
    """For a command that runs several batches: "local" starts one local cluster for all
    of them and stands for its address; any other value passes through."""
    if scheduler != "local":
        yield scheduler
        return
    with _local_cluster(workers or default_workers()) as cluster:
        yield cluster.scheduler_address


@contextmanager
def command_scheduler(scheduler: str | None, workers: int | None) -> Iterator[str | None]:
    """`shared_scheduler` for a command or an API call: a missing Dask or an unreachable
    scheduler is the user's input error (exit 1), not a crash."""
    try:
        with shared_scheduler(scheduler, workers) as shared:
            yield shared
    except ExecutorError as err:
        raise InputError.single(str(err)) from None


@contextmanager
def _dask_client(scheduler: str, workers: int) -> Iterator[Any]:
    """A Dask client of the scheduler at `scheduler`, or of a local cluster started (and
    closed) here."""
    require_dask()
    from dask.distributed import Client

    if scheduler == "local":
        with _local_cluster(workers) as cluster, Client(cluster) as client:
            yield client
        return
    client = _client(scheduler)
    try:
        yield client
    finally:
        client.close()


def _run_chunk(func: Callable[[Any], Any], chunk: list[Any]) -> tuple[list[Any], float]:
    """Several tasks as one Dask task: their results, and the seconds they took."""
    began = time.perf_counter()
    return [func(task) for task in chunk], time.perf_counter() - began


def _dask_window(func: Callable[[Any], Any], source: Iterator[Any], scheduler: str,
                 workers: int, window: int) -> Iterator[tuple[Any, Any]]:
    """As `imap_window`, on Dask. Short tasks go several to a Dask task (a chunk of about
    CHUNK_SECONDS, sized from the chunks done so far), so that the scheduler's cost a
    task, milliseconds on the same cores on one machine, is shared; at least two chunks
    a worker are kept in flight, and the window counts chunks of more than one task."""
    with _dask_client(scheduler, workers) as client:
        from dask.distributed import as_completed

        threads = sum(client.nthreads().values()) or workers
        if scheduler != "local":
            window = max(window, 4 * threads)
        pending: dict[Any, list[Any]] = {}
        queue = as_completed()
        size, done, seconds = 1, 0, 0.0

        def submit() -> bool:
            chunk = list(itertools.islice(source, size))
            if chunk:
                fut = client.submit(_run_chunk, func, chunk, pure=False)
                pending[fut.key] = chunk
                queue.add(fut)
            return bool(chunk)

        while len(pending) < window and submit():
            pass
        for fut in queue:
            chunk = pending.pop(fut.key)
            results, took = fut.result()
            fut.release()
            done, seconds = done + len(chunk), seconds + took
            size = max(1, min(MAX_CHUNK, int(CHUNK_SECONDS * done / seconds))) if seconds > 0 \
                else MAX_CHUNK
            while len(pending) < max(2 * threads, window // size) and submit():
                pass
            yield from zip(chunk, results)
