"""Other tasks a theatre may define besides clearance and water (training local forces,
construction, medical aid, escort). A task takes a share of the clearance teams'
workdays (`team_share`: time not spent clearing, the teams' pace slows by it) or a share
of the workdays of the people in one role outside the teams (`role`, `role_share`), and
turns them into output at its rate, in its own unit (`output.<task>`).

Output a day is a level that changes at discrete instants (the teams formed, the people
in the role, the security level, a timeline change of a share or rate), so it is
metered, not ticked.
"""
from __future__ import annotations

from typing import ClassVar

from sim.model.clock import Clock, Meter
from sim.model.record import Results
from sim.scenario.schema import TheatreTask


class Tasks:
    TIMELINE: ClassVar[tuple[str, ...]] = tuple(
        f"tasks.<task>.{k}" for k in ("team_share", "per_team_day", "role_share", "per_person_day"))
    REPORTS: ClassVar[dict[str, float | None]] = {}  # output.<task>: declared per task

    def __init__(self, specs: dict[str, TheatreTask], clock: Clock):
        self.specs = specs
        self.out = {name: Meter(clock) for name in specs}  # output a day
        self._team_workdays = 0.0                 # the teams' workdays a day after security
        self._in_role: dict[str, int] = {}        # people present in each task's role
        self._person_workdays = 0.0               # a person's workdays a day after security

    @property
    def team_share(self) -> float:
        """Share of the teams' workdays the tasks take together."""
        return sum(t.team_share for t in self.specs.values())

    @property
    def roles(self) -> set[str]:
        return {t.role for t in self.specs.values() if t.role is not None}

    def teams(self, workdays_per_day: float) -> None:
        """The teams formed now have this many workdays a day, all uses."""
        self._team_workdays = workdays_per_day
        self._update()

    def people(self, in_role: dict[str, int], workdays_per_day: float) -> None:
        """People present in each task's role now, and each one's workdays a day."""
        self._in_role, self._person_workdays = in_role, workdays_per_day
        self._update()

    def _update(self) -> None:
        for name, t in self.specs.items():
            rate = self._team_workdays * t.team_share * t.per_team_day
            if t.role is not None:
                rate += self._in_role.get(t.role, 0) * self._person_workdays * t.role_share * t.per_person_day
            self.out[name].set(rate)

    def retune(self, specs: dict[str, TheatreTask]) -> None:
        """New shares or rates from now on (the tasks themselves stay those defined)."""
        self.specs = specs
        self._update()

    def output(self, name: str) -> float:
        return self.out[name].total()

    def report(self, results: Results) -> None:
        results.declare({f"output.{name}": 0.0 for name in self.specs})
        for name in self.specs:
            results.add(f"output.{name}", self.output(name))
