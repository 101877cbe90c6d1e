"""The ordnance in an area of responsibility, conserved: the stock at the start is what
was cleared, plus what was removed (lost caches carried off), plus what remains.

What remains includes the caches reported and not yet cleared: they are reserved, so
that new caches and routine work are drawn only from what nobody has claimed yet.
"""
from __future__ import annotations

from typing import ClassVar

from sim.model.record import Results


class Ordnance:
    REPORTS: ClassVar[dict[str, float | None]] = {
        "items_cleared": 0.0, "items_cleared_routine": 0.0, "items_cleared_caches": 0.0,
        "items_removed": 0.0, "ordnance_remaining": 0.0}

    def __init__(self, stock: float):
        self.stock0 = stock
        self.routine = 0.0
        self.caches = 0.0
        self.removed = 0.0
        self.reserved = 0.0  # in caches reported and not yet cleared or lost

    @property
    def cleared(self) -> float:
        return self.routine + self.caches

    @property
    def remaining(self) -> float:
        return self.stock0 - self.cleared - self.removed

    @property
    def unclaimed(self) -> float:
        return max(0.0, self.remaining - self.reserved)

    @property
    def share_left(self) -> float:
        """What remains as a share of the stock, in [0, 1]: sums of cleared items may
        round a hair below zero once the stock is cleared out (and a fractional power of
        a negative share is complex). Read at every tip candidate: worked out inline."""
        stock0 = self.stock0
        if stock0 <= 0:
            return 0.0
        share = (stock0 - (self.routine + self.caches) - self.removed) / stock0
        return 0.0 if share < 0.0 else 1.0 if share > 1.0 else share  # min(max(share, 0), 1)

    def reserve(self, size: float) -> float:
        """A cache is reported: its size, capped by what is unclaimed."""
        unclaimed = self.stock0 - (self.routine + self.caches) - self.removed - self.reserved
        size = min(max(size, 0.0), unclaimed if unclaimed > 0.0 else 0.0)
        self.reserved += size
        return size

    def clear_cache(self, items: float) -> None:
        self.reserved -= items
        self.caches += items

    def remove(self, items: float) -> None:
        """A lost cache carried off: its items leave the stock."""
        self.reserved -= items
        self.removed += items

    def clear_routine(self, items: float) -> float:
        unclaimed = self.stock0 - (self.routine + self.caches) - self.removed - self.reserved
        items = min(max(items, 0.0), unclaimed if unclaimed > 0.0 else 0.0)
        self.routine += items
        return items

    def report(self, results: Results) -> None:
        results.add("items_cleared", self.cleared)
        results.add("items_cleared_routine", self.routine)
        results.add("items_cleared_caches", self.caches)
        results.add("items_removed", self.removed)
        results.add("ordnance_remaining", self.remaining)
