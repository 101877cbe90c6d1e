"""Tips from local people: when they arrive, what they reveal, and their accounting.

Tips arrive as a Poisson stream whose rate is `rate_per_week_at_full_trust x trust x
(ordnance left / initial stock)`, while a contingent that can talk with local people
(an interpreter present) is in theatre. The rate changes
continuously (trust grows between events), so arrivals are drawn by thinning: candidate
times at the highest rate the stream can have from now on (trust 1; ordnance only
decreases), each kept with probability rate/bound. That is exact for any rate below
the bound, and costs one event per candidate instead of a daily loop.

Every tip is accounted for: received = acted on + lost + pending at the end. Waits
count every tip: a tip lost while waiting counts until it perished, one still
waiting at the end counts until the end (censored), so a queue that loses most tips
cannot show a short wait.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sim.model.clock import Clock, Timer
from sim.model.draws import Ahead, sampler
from sim.model.log import EventLog
from sim.model.record import Results
from sim.model.theatre.ordnance import Ordnance
from sim.scenario.dists import Dist
from sim.scenario.schema import Tips as TipsSpec


@dataclass(eq=False, slots=True)
class Tip:
    reported: float
    size: float            # items in the cache
    expires: float
    queued: float = 0.0    # entered the approval queue
    started: bool = False  # a team began work: it no longer perishes
    left: float = 0.0      # items not yet cleared
    interpreter_days: float = 0.0  # workdays an interpreter is still needed for


class TipBook:
    """The accounting of one theatre's tips."""

    REPORTS: ClassVar[dict[str, float | None]] = {
        "tips_received": 0.0, "tips_lost": 0.0, "tips_acted": 0.0, "tips_pending_end": 0.0,
        "items_lost": 0.0, "task_wait_days_mean": None, "approval_wait_days_mean": None}

    def __init__(self, clock: Clock, ordnance: Ordnance, log: EventLog, name: str):
        self.clock, self.ordnance, self.log, self.name = clock, ordnance, log, name
        self.env = clock.env
        self.received = self.acted = self.lost = self.pending = 0
        self.items_lost = 0.0
        self.wait = [0.0, 0.0]          # report to start (sum, count)
        self.approval_wait = [0.0, 0.0]

    def receive(self, tip: Tip) -> None:
        self.received += 1

    def start(self, tip: Tip) -> None:
        """A team begins work on a tip (once; a resumed cache is not a new start)."""
        if not tip.started:
            tip.started = True
            self.acted += 1
            self._add(self.wait, self.env._now - tip.reported)
            if self.log.enabled:
                self.log("task started", self.name, f"cache of {tip.size:.0f} items, waited "
                         f"{self.env._now - tip.reported:.1f} d")

    def approval_began(self, tip: Tip) -> None:
        self._add(self.approval_wait, self.env._now - tip.queued)

    def lose(self, tip: Tip, in_approval_queue: bool = False) -> None:
        """A tip perished before anyone started on it: the cache is carried off."""
        self._count_lost(tip, in_approval_queue)
        self.ordnance.remove(tip.size)
        if self.log.enabled:
            self.log("tip lost", self.name, f"cache of {tip.size:.0f} items, reported "
                     f"{tip.expires - tip.reported:.1f} d before it perished")

    def _count_lost(self, tip: Tip, in_approval_queue: bool) -> None:
        self.lost += 1
        self.items_lost += tip.size
        self._add(self.wait, tip.expires - tip.reported)
        if in_approval_queue:
            self._add(self.approval_wait, tip.expires - tip.queued)

    def close(self, waiting: list[Tip], awaiting_approval: list[Tip], in_approval: int) -> None:
        """At the end: tips that perished while nobody looked are lost, the rest pending
        (their waits censored at the end)."""
        self._close(waiting, awaiting_approval, in_approval, self.lose)

    def as_closed(self, waiting: list[Tip], awaiting_approval: list[Tip], in_approval: int,
                  ordnance: Ordnance) -> TipBook:
        """A copy of the books as closing them now would leave them, its lost caches
        carried off `ordnance` (a copy too); nothing of the run changes (a reading of
        the metrics at a date before the end)."""
        books = copy.copy(self)
        books.wait, books.approval_wait = list(self.wait), list(self.approval_wait)

        def lose(tip: Tip, in_approval_queue: bool) -> None:
            books._count_lost(tip, in_approval_queue)
            ordnance.remove(tip.size)
        books._close(waiting, awaiting_approval, in_approval, lose)
        return books

    def _close(self, waiting: list[Tip], awaiting_approval: list[Tip], in_approval: int,
               lose: Callable[[Tip, bool], None]) -> None:
        now = self.env._now
        for tip, queued in [(t, False) for t in waiting] + [(t, True) for t in awaiting_approval]:
            if tip.started:
                continue  # an unfinished cache: acted on already
            if tip.expires <= now:
                lose(tip, queued)
            else:
                self.pending += 1
                self._add(self.wait, now - tip.reported)
                if queued:
                    self._add(self.approval_wait, now - tip.queued)
        self.pending += in_approval

    @staticmethod
    def _add(acc: list[float], value: float) -> None:
        acc[0] += value
        acc[1] += 1

    def report(self, results: Results) -> None:
        results.add("tips_received", self.received)
        results.add("tips_lost", self.lost)
        results.add("tips_acted", self.acted)
        results.add("tips_pending_end", self.pending)
        results.add("items_lost", self.items_lost)
        results.mean("task_wait_days_mean", *self.wait)
        results.mean("approval_wait_days_mean", *self.approval_wait)


class TipSource:
    """Arrivals of tips while a contingent is present."""

    TIMELINE: ClassVar[tuple[str, ...]] = (
        "tips.rate_per_week_at_full_trust", "tips.shelf_life_days", "cache_items")

    def __init__(self, spec: TipsSpec, cache_items: Dist, clock: Clock, ordnance: Ordnance,
                 trust: Callable[[], float], book: TipBook, route: Callable[[Tip], None],
                 rng: np.random.Generator, caches: np.random.Generator):
        self.spec, self.cache_items = spec, cache_items
        self.clock, self.ordnance, self.trust, self.book, self.route = clock, ordnance, trust, book, route
        self.env = clock.env
        self.rng, self.caches = rng, Ahead(caches)
        self.on = False
        self.factor = 1.0  # the security level's effect on the rate
        self._bound = 0.0
        self._next = Timer(clock, self._candidate)
        self._settings()

    def _settings(self) -> None:
        self._per_day = self.spec.rate_per_week_at_full_trust / 7.0  # at full trust
        self._size = sampler(self.cache_items, self.caches)
        self._shelf = sampler(self.spec.shelf_life_days, self.rng)

    def _draw(self) -> None:
        self._bound = bound = self._per_day * self.ordnance.share_left * self.factor if self.on else 0.0
        if bound > 0:
            self._next.set(self.env._now + self.rng.exponential(1.0 / bound))
        else:
            self._next.cancel()

    def switch(self, on: bool) -> None:
        """Tips come only while a contingent with an interpreter is present."""
        if on != self.on:
            self.on = on
            self._draw()

    def set_factor(self, factor: float) -> None:
        """The security level scales the rate from now on."""
        if factor != self.factor:
            self.factor = factor
            if self.on:
                self._draw()  # memoryless: a fresh candidate at the new bound is exact

    def retune(self, spec: TipsSpec, cache_items: Dist) -> None:
        self.spec, self.cache_items = spec, cache_items
        self._settings()
        self._draw()  # memoryless: a fresh candidate at the new bound is exact

    def _candidate(self) -> None:
        rate = self._per_day * self.trust() * self.ordnance.share_left * self.factor
        if self.rng.random() * self._bound < rate:
            now = self.env._now
            size = self.ordnance.reserve(self._size())
            shelf = self._shelf()
            tip = Tip(now, size, now + shelf, now, False, size)
            self.book.receive(tip)
            self.route(tip)
        self._draw()
