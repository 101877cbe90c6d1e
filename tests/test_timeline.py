"""Every path the timeline accepts takes effect from its date on: a change dated on the
start day gives the same metrics as the value from the start; a change dated later
leaves every series as it was before that date, and is delivered to a part of the
model that applies it. Paths the model cannot change are refused."""
from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from click.testing import CliRunner
from model_cases import scenario

from sim.execution.engine import run_replication
from sim.scenario.checks import check
from sim.scenario.paths import get_path, set_path
from sim.scenario.timeline import is_placeholder, timeline_paths

BASE: dict[str, Any] = {
    "name": "every setting", "start": "2000-01-01", "end": "2001-06-30",
    "force": {
        "establishment": {"officer": 20, "nco": 10, "soldier": 40},
        "qualified": {"eod": {"officer": 0.8, "nco": 0.6, "soldier": 0.6},
                      "interpreter": {"soldier": 0.2}, "water": {"soldier": 0.2},
                      "english": {"officer": 0.3}},
        "contract_years": {"officer": 3, "nco": 2, "soldier": 1},
        "reenlist": {"officer": 0.8, "nco": 0.6, "soldier": 0.5},
        "attrition_per_year": {"officer": 0.05, "nco": 0.05, "soldier": 0.1},
        "recruiting": {"per_month": 4,
                       "market": {"pool": 200_000, "propensity_per_year": 0.0003, "pay_elasticity": 1.0},
                       "civilian_wage_usd_per_month": 150, "selection_rate": 0.8,
                       "basic_training": {"days": 30, "seats": 6, "washout": 0.1}},
        "officer_intake_per_year": 4,
        "foc": {"fill": 0.8, "qualified": {"eod": 0.2}},
        "budget": {"personnel_usd_per_year": 250_000},
    },
    "training": {"courses": {
        "nco_course": {"seats": 3, "days": 40, "every_days": 60, "eligible": ["soldier"],
                       "min_service_days": 100, "promotes_to": "nco"},
        "eod": {"seats": 4, "days": 30, "every_days": 50, "eligible": ["nco", "soldier"],
                "grants": "eod", "valid_years": 3, "until": "2001-03-01"},
    }},
    "restructure": {"target_officer_share": 0.2, "by": "2001-01-01", "officer_release_per_year": 6},
    "deployments": [{
        "name": "op", "start": "2000-04-01", "end": "2001-06-01", "tour_days": 120,
        "select_days": 30, "predeployment_days": 10, "overlap_days": 5, "min_dwell_days": 60,
        "volunteer_prob": 0.8, "dropout_prob": 0.05, "replace_casualties": True, "replacement_days": 15,
        "contingent": [
            {"role": "commander", "grade": "officer", "count": 1},
            {"role": "team_leader", "grade": "officer", "count": 2, "requires": ["eod"]},
            {"role": "deminer", "grade": ["nco", "soldier"], "count": 4, "requires": ["eod"]},
            {"role": "interpreter", "grade": "any", "count": 1, "requires": ["interpreter"]},
            {"role": "water", "grade": "any", "count": 1, "requires": ["water"]},
        ],
        "theatre": {
            "vehicles": {"count": 2, "mtbf_days": 20, "mttr_days": 4},
            "water": {"stations": 1, "litres_per_day": 5000, "operators_per_station": 1},
            "incident_per_1000_items": {"qualified": 0.02, "unqualified": 0.05},
            "ordnance_stock": 2_000_000,
            "tasks": {"cadets": {"unit": "cadets", "team_share": 0.1, "per_team_day": 1.0,
                                 "role": "interpreter", "role_share": 0.2, "per_person_day": 2.0}},
        },
    }],
    "costs": {"person_day": {"home": {"officer": 15, "nco": 8, "soldier": 6},
                             "deployed": {"officer": 30, "nco": 20, "soldier": 18}},
              "course_seat": {"eod": 100}, "vehicle_day": 5},
    "interoperability": {"criteria": {"officer": ["english"], "nco": [], "soldier": []}},
    "assistance": {"donor": {"start": "2000-01-01", "end": "2001-06-30", "usd_per_year": 300,
                             "seats": [{"course": "eod", "price_usd": 100, "seats_per_cohort": 2}]}},
}
PLACES = {"name": "op", "course": "eod", "grade": "officer", "role": "team_leader",
          "qualification": "eod", "programme": "donor", "task": "cadets"}
LATER = "2000-09-01"
SPECIAL: dict[str, Any] = {
    "deployments.op.start": "2000-05-01", "deployments.op.end": "2000-12-01",
    "deployments.op.theatre.doctrine.leaders": "nco",
    "deployments.op.theatre.doctrine.authority": "team_leader",
    "deployments.op.theatre.leader_qualification": "english",
    "deployments.op.contingent.team_leader.grade": ["officer", "nco"],
    "deployments.op.contingent.team_leader.requires": [],
    "deployments.op.contingent": [{"role": "commander", "grade": "officer", "count": 1},
                                  {"role": "team_leader", "grade": "officer", "count": 3, "requires": ["eod"]},
                                  {"role": "deminer", "grade": "any", "count": 6, "requires": ["eod"]}],
    "training.courses.eod.eligible": ["officer", "nco", "soldier"],
    "training.courses.eod.requires": ["english"],
    "training.courses.eod.until": "2000-11-01",
    "restructure.by": "2001-05-01",
    "deployments.op.theatre.workdays_per_week": 5.0,
    "interoperability.criteria.officer": [],
    # theatre over time (issue 10): off by default, so the test value switches them on
    "deployments.op.theatre.security.level": 0.7,
    "deployments.op.theatre.security.workdays_lost_at_hostile": 0.3,
    "deployments.op.theatre.security.hostile_per_1000_person_days": 1.0,
    "deployments.op.theatre.water.litres_per_person_day": 10.0,
    "deployments.op.volunteering.per_tour_done": -0.3,
    "deployments.op.volunteering.recent_return_days": 90.0,
    "deployments.op.volunteering.after_death": 0.3,
    "deployments.op.volunteering.at_hostile": 0.3,
    "force.retention.per_tour_done": -0.5,
}


def concrete(pattern: str) -> str:
    return ".".join(PLACES[p[1:-1]] if is_placeholder(p) else p for p in pattern.split("."))


def changed(path: str, value: Any) -> Any:
    """Another valid value for `path`."""
    if path in SPECIAL:
        return SPECIAL[path]
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value * 0.5 if value <= 1 else value * 1.5
    if isinstance(value, dict) and "dist" in value:
        return {"dist": "constant", "value": 3.0}
    raise AssertionError(f"no test value for {path} = {value!r}")


# Paths that BASE leaves unset because another setting excludes them: the base they
# are tried on.
OTHER_BASE = {"force.recruiting.applicants_per_month": {
    "force.recruiting.market": None, "force.recruiting.civilian_wage_usd_per_month": None,
    "force.recruiting.applicants_per_month": 3.0}}


def base_for(path: str) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for key, value in OTHER_BASE.get(path, {}).items():
        set_path(data, key, value)
    return data


def with_value(path: str, value: Any) -> dict[str, Any]:
    data = scenario(base_for(path)).data()
    set_path(data, path, value)
    return data


def with_entry(path: str, value: Any, at: str) -> dict[str, Any]:
    data = base_for(path)
    data["timeline"] = [{"at": at, "set": {path: value}}]
    return data


def run(data: dict[str, Any], trace: bool = False):  # type: ignore[no-untyped-def]
    sc = scenario(data)
    errors = [p for p in check(sc) if p.severity == "error"]
    assert not errors, errors
    r = run_replication(sc, 0, seed=7, trace=trace)
    assert r.error is None, r.error
    return r


PATHS = [concrete(p) for p in timeline_paths()]


@pytest.fixture(scope="module")
def base():  # type: ignore[no-untyped-def]
    return run(BASE)


@pytest.mark.parametrize("path", PATHS)
def test_each_path_takes_effect_from_its_date(path, base):
    value = changed(path, get_path(scenario(base_for(path)).data(), path))
    # On the start day: exactly the scenario with that value from the start.
    from_start = run(with_value(path, value))
    on_start = run(with_entry(path, value, BASE["start"]))
    assert on_start.metrics == from_start.metrics
    # Later: nothing before the date changes, and the owner applies it on the date.
    at = "2000-02-15" if path.endswith(".start") else LATER
    later = run(with_entry(path, value, at), trace=True)
    before_change = run(base_for(path)) if path in OTHER_BASE else base
    for name, values in before_change.series.items():
        before = [v for d, v in zip(base.dates, values) if d < at]
        assert later.series[name][: len(before)] == before, name
    delivered = [row for row in later.trace if row[1] == "timeline" and path in row[3]]
    assert delivered and delivered[0][0] == at, later.trace[:5]


def test_a_path_the_model_cannot_change_is_refused():
    for path, value in [("deployments.op.theatre.ordnance_stock", 5), ("force.strength.officer", 3),
                        ("deployments.op.name", "other"), ("seed", 4)]:
        data = with_entry(path, value, LATER)
        if path == "force.strength.officer":
            data["force"]["strength"] = {"officer": 20, "nco": 10, "soldier": 40}
        problems = [p for p in check(scenario(data)) if p.severity == "error"]
        assert any("cannot change during a run" in p.message for p in problems), (path, problems)


def test_a_change_that_comes_too_late_is_refused():
    cases = [("deployments.op.start", "2000-05-01", "2000-03-20", "has been called up"),
             ("deployments.op.volunteer_prob", 0.1, "2001-06-10", "has ended by then"),
             ("deployments.op.end", "2000-08-01", LATER, "on or after this change's own date")]
    for path, value, at, message in cases:
        problems = [p for p in check(scenario(with_entry(path, value, at))) if p.severity == "error"]
        assert any(message in p.message for p in problems), (path, problems)


def test_a_mapping_whose_keys_all_change_is_accepted():
    data = with_entry("deployments.op.theatre.vehicles", {"count": 5, "mtbf_days": 40}, LATER)
    assert not [p for p in check(scenario(data)) if p.severity == "error"]
    r = run(data, trace=True)
    assert any(row[1] == "timeline" and "vehicles" in row[3] for row in r.trace)


def test_schema_lists_the_timeline_paths():
    from sim.cli import main

    out = CliRunner().invoke(main, ["schema", "--timeline-paths"])
    assert out.exit_code == 0
    lines = out.output.split()
    assert "deployments.<name>.theatre.vehicles.count" in lines
    assert "deployments.<name>.end" in lines
    assert lines == sorted(timeline_paths())
    assert dt.date.fromisoformat(LATER)
