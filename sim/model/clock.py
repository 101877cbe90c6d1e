"""Simulation time: the SimPy environment, calendar dates, and timers that can move.

Subsystems schedule their own state changes as plain callbacks on SimPy timeouts
rather than as generator processes: a `Timer` can be moved or cancelled (a stale
timeout is ignored when it fires), which is what a plan that changes under a timeline
entry needs, and it costs one event where a process costs two.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import simpy
from simpy.core import URGENT
from simpy.events import Timeout


class Clock:
    """Days since the scenario's start (`now`) and the calendar dates they stand for."""

    def __init__(self, start: dt.date, env: simpy.Environment | None = None):
        self.start = start
        self.env = env if env is not None else simpy.Environment()

    @property
    def now(self) -> float:
        return self.env.now

    def day(self, date: dt.date) -> float:
        return float((date - self.start).days)

    def date(self, day: float) -> dt.date:
        return self.start + dt.timedelta(days=int(day))

    def call_at(self, at: float, fn: Callable[[], None]) -> None:
        """Call `fn` at time `at` (or now, if `at` has passed)."""
        ev = self.env.timeout(max(0.0, at - self.env.now))
        ev.callbacks.append(lambda _ev: fn())

    def call_first_at(self, at: float, fn: Callable[[], None]) -> None:
        """Call `fn` at time `at` before any ordinary event of that instant: dated
        changes are in force from the start of their day."""
        ev = simpy.Event(self.env)
        ev._ok, ev._value = True, None  # a triggered event, as Timeout makes one
        ev.callbacks.append(lambda _ev: fn())
        self.env.schedule(ev, URGENT, max(0.0, at - self.env.now))


class Timer:
    """One pending call of `fn` that can be set again or cancelled."""

    __slots__ = ("env", "fn", "at", "_event")

    def __init__(self, clock: Clock, fn: Callable[[], None]):
        self.env, self.fn = clock.env, fn
        self.at: float | None = None
        self._event: Timeout | None = None

    def set(self, at: float) -> None:
        now = self.env.now
        if at < now:
            at = now
        self.at = at
        self._event = ev = Timeout(self.env, at - now)
        ev.callbacks.append(self._fire)

    def cancel(self) -> None:
        self._event = self.at = None

    @property
    def pending(self) -> bool:
        return self.at is not None

    def _fire(self, ev: simpy.Event) -> None:
        if ev is self._event:  # not moved or cancelled since
            self._event = self.at = None
            self.fn()


class Meter:
    """The time integral of a level that changes at discrete instants (vehicle-days,
    litres, days below strength): `set` the level when it changes, read `total`."""

    __slots__ = ("clock", "level", "_total", "_t")

    def __init__(self, clock: Clock, level: float = 0.0):
        self.clock, self.level = clock, level
        self._total, self._t = 0.0, clock.now

    def set(self, level: float) -> None:
        now = self.clock.now
        self._total += self.level * (now - self._t)
        self._t, self.level = now, level

    def total(self, until: float | None = None) -> float:
        now = self.clock.now if until is None else until
        return self._total + self.level * (now - self._t)
