"""How kazsim's processes end: SIGTERM handled as Ctrl-C is, and helper processes that
cannot outlive the process that started them.

A batch scheduler, `kill` or a container runtime ends a job with SIGTERM. The command's
process turns it into `Terminated` (a KeyboardInterrupt, so that every path that stops
cleanly after Ctrl-C stops the same way: finished runs kept, temporaries removed, the
resume command printed) and remembers it, so that pools stop their workers at once
instead of letting them finish what they have begun.

Worker processes (the process pool's, the figure workers') call `worker_started` first:
Ctrl-C is their parent's business, SIGTERM ends them, and they die with the command's
process however it ends, even by SIGKILL: a pool's forks with their parent (Linux:
PR_SET_PDEATHSIG; elsewhere a thread that watches the parent pid), the figure workers
(children of a fork server, which lives as long as any of its children holds the end of
its own lifeline that multiprocessing hands them) when a pipe from the command's
process closes. Dask's worker processes end with the command's process on their own
(distributed's nanny pipe).
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sim.core.errors import Terminated

PR_SET_PDEATHSIG = 1  # linux/prctl.h
_terminating = threading.Event()


def terminating() -> bool:
    """Whether this process has been asked to stop by SIGTERM."""
    return _terminating.is_set()


def _on_sigterm(signum: int, frame: Any) -> None:
    _terminating.set()
    # nothing more interrupts the clean-up: a second SIGTERM or a Ctrl-C would cut it short
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise Terminated()


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within this block, SIGTERM raises `Terminated` in the main thread (elsewhere, and
    in a block nested in another, nothing changes); the earlier handler comes back after."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is _on_sigterm:
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        if signal.getsignal(signal.SIGTERM) is _on_sigterm:
            signal.signal(signal.SIGTERM, previous)


def worker_started(parent: int | None = None, lifeline: Any = None) -> None:
    """The first thing a worker process does: Ctrl-C left to the parent (which stops the
    workers itself; otherwise each would print its own traceback), SIGTERM fatal (a
    fork inherits the parent's handler), and an end with the process that started the
    pool: with `lifeline` (the reading end of a `multiprocessing.Pipe` whose writing end
    that process holds), when it closes; otherwise with the parent (`parent`: its pid,
    when known; otherwise the parent at this moment)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if lifeline is not None:
        threading.Thread(target=_hold, args=(lifeline,), name="kazsim-lifeline",
                         daemon=True).start()
    else:
        die_with_parent(parent)


def _hold(lifeline: Any) -> None:
    """Nothing is ever sent: the read ends when the last writer (the pool's owner, and
    its forks, which die with it) has gone."""
    with suppress(EOFError, OSError):
        lifeline.recv()
    os._exit(1)


def die_with_parent(parent: int | None = None) -> None:
    """End this process (SIGKILL) when its parent process ends, however that ends."""
    parent = os.getppid() if parent is None else parent
    if sys.platform.startswith("linux") and _pdeathsig():
        if os.getppid() != parent:  # the parent ended before the signal was armed
            os._exit(1)
        return
    threading.Thread(target=_watch, args=(parent,), name="kazsim-parent-watch",
                     daemon=True).start()


def _pdeathsig() -> bool:
    import ctypes  # here: only worker processes need it, the command's start-up does not

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
    except (OSError, AttributeError):  # no libc or no prctl: watch instead
        return False


def _watch(parent: int, every: float = 0.5) -> None:
    """The portable way: an orphan is re-parented, so its parent pid changes."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


def stop_workers(pool: Any) -> None:
    """End the worker processes of a ProcessPoolExecutor now, abandoning what they have
    begun (after SIGTERM, nobody waits for a replication or a figure to finish); a
    `shutdown` afterwards returns at once."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with suppress(OSError, ValueError, AttributeError):  # already ended, or closed
            process.terminate()
