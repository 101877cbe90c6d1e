"""The components that accept dated changes (`timeline:` entries), and the paths they
accept: each declares its own in `TIMELINE`, with placeholders (`<name>`, `<course>`)."""
from __future__ import annotations

from sim.model.assistance import Assistance
from sim.model.budget import PersonnelBudget
from sim.model.courses import Course
from sim.model.force import HomeForce
from sim.model.interoperability import Interoperability
from sim.model.ledger import Ledger
from sim.model.rotation import RotationSchedule
from sim.model.theatre.theatre import Theatre

TIMELINE_OWNERS = (HomeForce, PersonnelBudget, Ledger, Course, Interoperability, RotationSchedule,
                   Theatre, Assistance)


def timeline_patterns() -> list[str]:
    return [p for owner in TIMELINE_OWNERS for p in owner.TIMELINE]
