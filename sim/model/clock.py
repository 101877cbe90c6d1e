"""Simulation time: the SimPy environment, calendar dates, and timers that can move.

Subsystems schedule their own state changes as plain callbacks rather than as generator
processes: a `Timer` can be moved or cancelled (a stale wake-up is ignored when it
comes), which is what a plan that changes under a timeline entry needs, and it costs
one event where a process costs two.

The events are SimPy's queue entries (time, priority, id, event), so `env.run` and
`env.step` process them as any other; but they are lighter than `Timeout`s (a slotted
object with no value), and `Clock.run` steps through them without SimPy's per-event
bookkeeping: a replication's cost is mostly the cost of its events. (Components read
`env._now`, the attribute behind SimPy's `now` property, on their hot paths.)
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.core import NORMAL, URGENT


class Wake:
    """A triggered event that calls `fn()` when SimPy processes it."""

    __slots__ = ("callbacks", "fn")
    _ok = True  # never fails (SimPy's step checks it)

    def __init__(self, fn: Callable[[], None]):
        self.callbacks: list[Callable[[Wake], None]] | None = [_call]
        self.fn = fn


def _call(ev: Wake) -> None:
    ev.fn()


class Clock:
    """Days since the scenario's start (`now`) and the calendar dates they stand for."""

    def __init__(self, start: dt.date, env: simpy.Environment | None = None):
        self.start = start
        self.env = env if env is not None else simpy.Environment()

    @property
    def now(self) -> float:
        return self.env._now

    def day(self, date: dt.date) -> float:
        return float((date - self.start).days)

    def date(self, day: float) -> dt.date:
        return self.start + dt.timedelta(days=int(day))

    def call_at(self, at: float, fn: Callable[[], None]) -> None:
        """Call `fn` at time `at` (or now, if `at` has passed)."""
        env = self.env
        now = env._now
        delay = at - now
        queue: list[Any] = env._queue  # SimPy's (time, priority, id, event) heap
        heappush(queue, (now + delay if delay > 0 else now, NORMAL, next(env._eid), Wake(fn)))

    def call_first_at(self, at: float, fn: Callable[[], None]) -> None:
        """Call `fn` at time `at` before any ordinary event of that instant: dated
        changes are in force from the start of their day."""
        env = self.env
        now = env._now
        delay = at - now
        queue: list[Any] = env._queue
        heappush(queue, (now + delay if delay > 0 else now, URGENT, next(env._eid), Wake(fn)))

    def run(self, until: float) -> None:
        """Process every event before `until` (those of that instant that come first
        included, as `env.run(until)` does), then stand at `until`."""
        env = self.env
        if until <= env._now:
            raise ValueError(f"until ({until}) must be greater than the current simulation time")
        queue: list[Any] = env._queue
        stop = (until, URGENT, next(env._eid))  # where SimPy would schedule its stop event
        while queue and queue[0] < stop:
            env._now, _, _, ev = heappop(queue)
            kind = type(ev)
            # this module's own events inline (most of a run's): no callback list to walk
            if kind is _TimerWake:
                timer = ev.timer
                ev.callbacks = None
                if timer._event is ev:  # not moved or cancelled since
                    timer._event = timer.at = None
                    timer.fn()
                continue
            if kind is Wake:
                ev.callbacks = None
                ev.fn()
                continue
            callbacks, ev.callbacks = ev.callbacks, None
            for callback in callbacks:
                callback(ev)
            if not ev._ok and not hasattr(ev, "_defused"):  # a failed SimPy event, as SimPy does
                exc = type(ev._value)(*ev._value.args)
                exc.__cause__ = ev._value
                raise exc
        env._now = until


class Timer:
    """One pending call of `fn` that can be set again or cancelled."""

    __slots__ = ("env", "fn", "at", "_event")

    def __init__(self, clock: Clock, fn: Callable[[], None]):
        self.env, self.fn = clock.env, fn
        self.at: float | None = None
        self._event: _TimerWake | None = None

    def set(self, at: float) -> None:
        env = self.env
        now = env._now
        if at < now:
            at = now
        self.at = at
        self._event = ev = _TimerWake(self)
        queue: list[Any] = env._queue
        heappush(queue, (now + (at - now), NORMAL, next(env._eid), ev))

    def cancel(self) -> None:
        self._event = self.at = None

    @property
    def pending(self) -> bool:
        return self.at is not None


class _TimerWake:
    """A timer's wake-up; stale (ignored) once the timer moved or was cancelled."""

    __slots__ = ("callbacks", "timer")
    _ok = True

    def __init__(self, timer: Timer):
        self.callbacks: list[Callable[[_TimerWake], None]] | None = [_fire]
        self.timer = timer


def _fire(ev: _TimerWake) -> None:
    timer = ev.timer
    if timer._event is ev:  # not moved or cancelled since
        timer._event = timer.at = None
        timer.fn()


class Meter:
    """The time integral of a level that changes at discrete instants (vehicle-days,
    litres, days below strength): `set` the level when it changes, read `total`."""

    __slots__ = ("clock", "level", "_total", "_t")

    def __init__(self, clock: Clock, level: float = 0.0):
        self.clock, self.level = clock, level
        self._total, self._t = 0.0, clock.now

    def set(self, level: float) -> None:
        now = self.clock.env._now
        self._total += self.level * (now - self._t)
        self._t, self.level = now, level

    def total(self, until: float | None = None) -> float:
        now = self.clock.env._now if until is None else until
        return self._total + self.level * (now - self._t)
