"""Invariants over randomly generated valid scenarios (hypothesis)."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_cases import scenario

from sim.model.people import SEPARATED
from sim.model.world import World

grades = st.fixed_dictionaries({"officer": st.integers(2, 25), "nco": st.integers(0, 20),
                                "soldier": st.integers(5, 60)})
rates = st.fixed_dictionaries({g: st.floats(0, 0.3) for g in ("officer", "nco", "soldier")})
shares = st.fixed_dictionaries({g: st.floats(0, 1) for g in ("officer", "nco", "soldier")})


@st.composite
def scenarios(draw):
    years = draw(st.integers(1, 3))
    deployments = []
    for k in range(draw(st.integers(1, 2))):
        deployments.append({
            "name": f"op{k}", "start": f"2001-0{draw(st.integers(1, 9))}-01",
            "end": f"{2001 + years}-01-01",
            "tour_days": draw(st.sampled_from([90, 120, 182])),
            "select_days": draw(st.sampled_from([0, 30, 60])),
            "predeployment_days": draw(st.sampled_from([0, 20])),
            "overlap_days": draw(st.sampled_from([0, 7])),
            "min_dwell_days": draw(st.sampled_from([0, 100, 365])),
            "volunteer_prob": draw(st.floats(0.3, 1)),
            "dropout_prob": draw(st.sampled_from([0, 0.1])),
            "replace_casualties": draw(st.booleans()),
            "replacement_days": 10,
            "contingent": [
                {"role": "commander", "grade": "officer", "count": 1},
                {"role": "team_leader", "grade": ["officer", "nco"], "count": draw(st.integers(1, 3)),
                 "requires": ["eod"]},
                {"role": "deminer", "grade": ["nco", "soldier"], "count": draw(st.integers(2, 6)),
                 "requires": ["eod"]},
                {"role": "interpreter", "grade": "any", "count": 1},
            ],
            "theatre": {
                "doctrine": {"leaders": "nco", "authority": draw(st.sampled_from(["officer", "team_leader"]))},
                "vehicles": {"count": draw(st.integers(0, 4))},
                "cache_items": {"dist": "lognormal", "median": 500, "sigma": 1.0},
                # High incident rates so that casualties, evacuations and replacements happen.
                "incident_per_1000_items": {"qualified": 0.2, "unqualified": 0.5},
            },
        })
    est = draw(grades)
    return {
        "name": "random", "start": "2001-01-01", "end": f"{2001 + years}-01-01",
        "force": {
            "establishment": est,
            "qualified": {"eod": draw(shares)},
            "contract_years": {"officer": draw(st.sampled_from([1, 3])), "nco": 2, "soldier": 1},
            "reenlist": draw(shares),
            "attrition_per_year": draw(rates),
            "recruiting": {"per_month": draw(st.integers(0, 5))},
            "officer_intake_per_year": draw(st.integers(0, 6)),
        },
        "training": {"courses": {
            "nco_course": {"seats": draw(st.integers(1, 8)), "days": 30, "every_days": 60,
                           "eligible": ["soldier"], "min_service_days": 90, "promotes_to": "nco"},
            "eod": {"seats": draw(st.integers(1, 8)), "days": 20, "every_days": 45,
                    "eligible": ["officer", "nco", "soldier"], "grants": "eod"},
        }},
        "deployments": deployments,
    }


def run(data, seed):
    world = World(scenario(data), seed=seed, index=0)
    world.run()
    return world


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 2**31))
def test_people_are_neither_created_nor_lost(data, seed):
    w = run(data, seed)
    f = w.force
    end = w.people.strength()
    non_casualty_exits = f.separated - f.killed
    assert np.array_equal(
        f.start_strength + f.recruited + f.promoted_in - f.promoted_out - non_casualty_exits - f.killed,
        end)
    assert int((w.people.state[: w.people.n] != SEPARATED).sum()) == end.sum()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 2**31))
def test_nobody_is_in_two_places_and_dwell_holds(data, seed):
    w = run(data, seed)
    dwell = {d["name"]: d["min_dwell_days"] for d in data["deployments"]}
    by_person: dict[int, list[tuple]] = {}
    for pid, dep, _rot, selected, arrived, left in w.tour_log:
        assert selected <= arrived <= left
        by_person.setdefault(pid, []).append((selected, left, dep))
    for tours in by_person.values():
        tours.sort()
        for (_s0, l0, _), (s1, _l1, dep1) in zip(tours, tours[1:]):
            assert s1 >= l0, "in two contingents at once"
            assert s1 - l0 >= dwell[dep1] - 1e-9, "deployed again before the dwell rule allows"
    for course in w.courses.values():
        for ids, start, end in course.cohorts:
            for pid in ids.tolist():
                for selected, left, _ in by_person.get(pid, []):
                    assert end <= selected or start >= left, "in a course while deployed"
