"""Dated changes to a scenario (`timeline:` entries with dotted-path `set:`)."""
from __future__ import annotations

from sim.scenario.paths import set_path
from sim.scenario.schema import Scenario, TimelineEntry


def apply_entry(scenario: Scenario, entry: TimelineEntry) -> Scenario:
    """The scenario as it stands after `entry`; the timeline itself is kept as it was."""
    data = scenario.data()
    for path, value in entry.set.items():
        set_path(data, path, value, create=False)
    return Scenario.model_validate(data)
