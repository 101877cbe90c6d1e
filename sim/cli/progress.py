"""Progress of a command on stderr: a bar with an ETA on a terminal; in a pipe or a log,
plain lines at a modest rate (the first result, then at most one every few seconds, and
the last); nothing with --quiet. It is the API's `progress(done, total)` callback."""
from __future__ import annotations

import sys
import time
from typing import IO, Any


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {s:02d} s"
    hours, m = divmod(minutes, 60)
    return f"{hours} h {m:02d} min"


class ProgressDisplay:
    def __init__(self, label: str, unit: str, quiet: bool = False,
                 stream: IO[str] | None = None, every: float = 5.0):
        self.label, self.unit, self.quiet, self.every = label, unit, quiet, every
        self.stream = stream if stream is not None else sys.stderr
        self.bar: Any = None
        self.began = time.monotonic()
        self.last = -float("inf")
        self.done = 0

    @property
    def on_terminal(self) -> bool:
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())

    def __enter__(self) -> ProgressDisplay:
        self.began = time.monotonic()
        if not self.quiet and self.on_terminal:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("ETA"),
                                TimeRemainingColumn(), console=Console(file=self.stream),
                                transient=True)
            self.task = self.bar.add_task(self.label, total=None)
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, done: int, total: int) -> None:
        self.done = done
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=total)
            return
        now = time.monotonic()
        if done == 1 or done >= total or now - self.last >= self.every:
            self.last = now
            elapsed = now - self.began
            left = (f", about {_duration(elapsed / done * (total - done))} left"
                    if 0 < done < total else "")
            print(f"{self.label}: {done}/{total} {self.unit} done, {_duration(elapsed)} "
                  f"elapsed{left}", file=self.stream, flush=True)
