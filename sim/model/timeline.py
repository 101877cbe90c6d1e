"""Dated changes delivered to the parts of the model that own the settings.

Each component declares the paths it accepts (`TIMELINE`, with placeholders); the
replication subscribes each component instance with its placeholders bound (which
deployment, which course) and a handler that hands it its new settings. At each date
of the timeline, before anything else happens that day, every subscriber whose paths
changed receives the new state of the input and applies it from then on.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

from sim.model.clock import Clock
from sim.model.log import EventLog
from sim.scenario.paths import get_path
from sim.scenario.schema import Scenario
from sim.scenario.timeline import DatedState, relation


@dataclass(frozen=True)
class Subscription:
    owner: str                          # for the event log: "fleet iraq", "course eod"
    patterns: tuple[str, ...]           # placeholders bound where the owner is one instance
    handler: Callable[[Scenario], None]

    def wants(self, path: str) -> bool:
        return any(relation(p, path) is not None for p in self.patterns)


@lru_cache(maxsize=1024)
def _bind(patterns: tuple[str, ...], bound: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The patterns with their placeholders bound (the same for every replication)."""
    values = dict(bound)

    def bind(pattern: str) -> str:
        return ".".join(values.get(part[1:-1], part) if part.startswith("<") else part
                        for part in pattern.split("."))
    return tuple(bind(p) for p in patterns)


class ChangeBus:
    def __init__(self, clock: Clock, log: EventLog):
        self.clock, self.log = clock, log
        self.subscriptions: list[Subscription] = []

    def subscribe(self, owner: str, patterns: tuple[str, ...], handler: Callable[[Scenario], None],
                  **bound: str) -> None:
        """`bound` gives placeholder values: name="iraq" turns `<name>` into `iraq`."""
        self.subscriptions.append(Subscription(owner, _bind(patterns, tuple(sorted(bound.items()))), handler))

    def schedule(self, states: list[DatedState]) -> None:
        for dated in states:
            subs = [s for s in self.subscriptions if any(s.wants(p) for p in dated.paths)]
            orphans = [p for p in dated.paths if not any(s.wants(p) for s in subs)]
            if orphans:  # validation refuses these; reaching here is a model bug
                raise RuntimeError(f"timeline change with no owner in the model: {', '.join(orphans)}")
            self.clock.call_first_at(self.clock.day(dated.at), partial(self._deliver, dated, subs))

    def _deliver(self, dated: DatedState, subs: list[Subscription]) -> None:
        data = dated.state.data() if self.log.enabled else None
        for sub in subs:
            sub.handler(dated.state)
            if data is not None:
                mine = [p for p in dated.paths if sub.wants(p)]
                self.log("timeline", sub.owner, ", ".join(f"{p}={get_path(data, p)}" for p in mine))
