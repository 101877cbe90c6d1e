"""Other tasks a theatre may define besides clearance and water (training local forces,
construction, medical aid, escort). A task takes a share of the clearance teams'
workdays (`team_share`: time not spent clearing, the teams' pace slows by it) or a share
of the workdays of the people in one role outside the teams (`role`, `role_share`), and
turns them into output at its rate, in its own unit (`output.<task>`).

Both are integrals of levels that change at discrete instants (the teams formed, the
people in the role, the security level), so they are metered, not ticked.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from sim.model.clock import Clock, Meter
from sim.model.record import Results
from sim.scenario.schema import TheatreTask


class Tasks:
    REPORTS: ClassVar[dict[str, float | None]] = {}  # output.<task>: declared per task

    def __init__(self, specs: dict[str, TheatreTask], clock: Clock, team_workdays: Meter):
        """`team_workdays`: the teams' workdays left after security, all uses."""
        self.specs, self.team_workdays = specs, team_workdays
        self.role_workdays = {name: Meter(clock) for name, t in specs.items() if t.role is not None}

    @property
    def team_share(self) -> float:
        """Share of the teams' workdays the tasks take together."""
        return sum(t.team_share for t in self.specs.values())

    def recount(self, in_role: Callable[[str], int], workdays_per_day: float) -> None:
        """People in each task's role now, and the workdays a day each has left."""
        for name, meter in self.role_workdays.items():
            t = self.specs[name]
            assert t.role is not None
            meter.set(in_role(t.role) * workdays_per_day * t.role_share)

    def output(self, name: str) -> float:
        t = self.specs[name]
        out = self.team_workdays.total() * t.team_share * t.per_team_day
        if name in self.role_workdays:
            out += self.role_workdays[name].total() * t.per_person_day
        return out

    def report(self, results: Results) -> None:
        results.declare({f"output.{name}": 0.0 for name in self.specs})
        for name in self.specs:
            results.add(f"output.{name}", self.output(name))
