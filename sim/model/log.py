"""The event log of one replication (`run --trace`): who was selected, deployed,
trained, promoted; which tasks started, waited, were lost; which changes applied."""
from __future__ import annotations

from sim.model.clock import Clock

Row = tuple[str, str, str, str]  # date, event, who, details


class EventLog:
    def __init__(self, clock: Clock, enabled: bool = False):
        self.clock = clock
        self.rows: list[Row] | None = [] if enabled else None
        self.enabled = enabled  # frequent callers test it before formatting their details

    def __call__(self, event: str, who: str, details: str = "") -> None:
        if self.rows is not None:
            self.rows.append((self.clock.date(self.clock.now).isoformat(), event, who, details))
