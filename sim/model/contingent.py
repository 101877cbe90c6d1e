"""One rotation's contingent: who was selected for which slot, and who is in theatre."""
from __future__ import annotations

from dataclasses import dataclass, field

from sim.scenario.schema import Slot

CALLED, IN_THEATRE, GONE, STOOD_DOWN = "called", "in theatre", "gone", "stood down"


@dataclass(eq=False)
class Contingent:
    deployment: str
    rotation: int
    arrive: float
    depart: float                                           # planned; the deployment's end may cut it
    slots: list[Slot]
    roles: dict[int, str] = field(default_factory=dict)     # everyone selected: pid -> role
    slot_of: dict[int, int] = field(default_factory=dict)   # pid -> index of their slot
    excluded: set[int] = field(default_factory=set)         # dropped out: not to be re-selected
    present: set[int] = field(default_factory=set)          # in theatre now
    arrived: int = 0
    joined: dict[int, float] = field(default_factory=dict)  # late arrivals (replacements)
    selected_at: dict[int, float] = field(default_factory=dict)
    status: str = CALLED
    _counts: dict[str, int] | None = None

    @property
    def required(self) -> int:
        return sum(s.count for s in self.slots)

    def in_role(self, role: str) -> list[int]:
        return sorted(p for p in self.present if self.roles[p] == role)

    def count_role(self, role: str) -> int:
        if self._counts is None:  # the roster changes rarely
            self._counts = {}
            for p in self.present:
                self._counts[self.roles[p]] = self._counts.get(self.roles[p], 0) + 1
        return self._counts.get(role, 0)

    def required_in_role(self, role: str) -> int:
        return sum(s.count for s in self.slots if s.role == role)

    def enter(self, ids: list[int]) -> None:
        self.present.update(ids)
        self._counts = None

    def leave(self, pid: int) -> None:
        self.present.discard(pid)
        self._counts = None

    def leave_all(self) -> None:
        self.present = set()
        self._counts = None
