"""Approval of tips before a team may act on them.

Under `authority: officer` every tip goes up to an approving officer (the officers in
`commander` and `staff` roles); under `authority: team_leader` only caches above
`approval_threshold_items` do, to the commander and staff of any grade. Approvers work
one tip at a time, first come first served; a tip that perished in the queue is lost
when an approver reaches it (its wait counts until it perished).

NCO acceptance (`acceptance`, 1 unless the scenario sets it) is how much of the
team-leader authority is used: below 1 only officers approve, and a small cache skips
approval with a chance equal to acceptance; at 0 every tip goes up, as under officer
authority.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable
from functools import partial
from typing import ClassVar

import numpy as np

from sim.model.clock import Clock
from sim.model.draws import Ahead, sampler
from sim.model.theatre.tips import Tip, TipBook
from sim.scenario.schema import Theatre as TheatreSpec


class Approvals:
    TIMELINE: ClassVar[tuple[str, ...]] = (
        "doctrine.authority", "doctrine.approval_threshold_items", "approval_days")

    def __init__(self, spec: TheatreSpec, clock: Clock, book: TipBook,
                 ready: Callable[[Tip], None], rng: np.random.Generator):
        self.spec, self.clock, self.book, self.ready, self.rng = spec, clock, book, ready, Ahead(rng)
        self.env = clock.env
        self.queue: deque[Tip] = deque()
        self.approvers = 0
        self.busy = 0
        # NCO acceptance: the share of team-leader authority used in practice (1: all).
        self.acceptance: Callable[[], float] = lambda: 1.0
        self._days = sampler(spec.approval_days, self.rng)

    @property
    def officers_only(self) -> bool:
        """Only officers approve, unless team-leader authority is fully accepted."""
        return self.spec.doctrine.authority == "officer" or self.acceptance() < 1

    def needs_approval(self, tip: Tip) -> bool:
        """Under team-leader authority a small cache skips approval with chance equal
        to NCO acceptance (no draw at 0 or 1)."""
        d = self.spec.doctrine
        if d.authority == "officer" or tip.size > d.approval_threshold_items:
            return True
        accepted = self.acceptance()
        if accepted >= 1:
            return False
        return accepted <= 0 or bool(self.rng.random() >= accepted)

    def submit(self, tip: Tip) -> None:
        tip.queued = self.env._now
        self.queue.append(tip)
        self._pull()

    def set_approvers(self, n: int) -> None:
        """Approvers present now; one who leaves mid-approval finishes it first."""
        self.approvers = n
        self._pull()

    def retune(self, spec: TheatreSpec) -> None:
        self.spec = spec
        self._days = sampler(spec.approval_days, self.rng)

    def _pull(self) -> None:
        now, queue = self.env._now, self.queue
        while queue and self.busy < self.approvers:
            tip = queue.popleft()
            if tip.expires <= now:
                self.book.lose(tip, in_approval_queue=True)
                continue
            self.book.approval_began(tip)
            self.busy += 1
            self.clock.call_at(now + self._days(), partial(self._done, tip))

    def _done(self, tip: Tip) -> None:
        self.busy -= 1
        self.ready(tip)
        self._pull()
