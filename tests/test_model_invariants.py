"""Accounting invariants over randomly generated valid scenarios (hypothesis): people,
ordnance, tips and money are conserved; nobody is in two places; no item is cleared
outside a deployment's window or by a contingent that has left (MODEL.md, "Accounting
invariants")."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_cases import run_model, scenario

from sim.core.metrics import COST_PARTS
from sim.model.people import DEPLOYED, IN_BASIC, SEPARATED, STATE_NAMES

grades = st.fixed_dictionaries({"officer": st.integers(2, 25), "nco": st.integers(0, 20),
                                "soldier": st.integers(5, 60)})
rates = st.fixed_dictionaries({g: st.floats(0, 0.3) for g in ("officer", "nco", "soldier")})
shares = st.fixed_dictionaries({g: st.floats(0, 1) for g in ("officer", "nco", "soldier")})
RATES = {"home": {"officer": 15, "nco": 8, "soldier": 6}, "deployed": {"officer": 30, "nco": 20, "soldier": 18}}


@st.composite
def scenarios(draw):
    years = draw(st.integers(1, 3))
    deployments = []
    for k in range(draw(st.integers(1, 2))):
        deployments.append({
            "name": f"op{k}", "start": f"2001-0{draw(st.integers(1, 9))}-01",
            "end": f"{2001 + years}-0{draw(st.integers(1, 9))}-01",
            "tour_days": draw(st.sampled_from([90, 120, 182])),
            "select_days": draw(st.sampled_from([0, 30, 60])),
            "predeployment_days": draw(st.sampled_from([0, 20])),
            "overlap_days": draw(st.sampled_from([0, 7])),
            "min_dwell_days": draw(st.sampled_from([0, 100, 365])),
            "volunteer_prob": draw(st.sampled_from([0.0, 0.3, 0.7, 1.0])),
            "dropout_prob": draw(st.sampled_from([0, 0.1])),
            "replace_casualties": draw(st.booleans()),
            "replacement_days": 10,
            "contingent": [
                {"role": "commander", "grade": "officer", "count": 1},
                {"role": "team_leader", "grade": ["officer", "nco"], "count": draw(st.integers(1, 3)),
                 "requires": ["eod"]},
                {"role": "deminer", "grade": ["nco", "soldier"], "count": draw(st.integers(2, 6)),
                 "requires": ["eod"]},
                {"role": "interpreter", "grade": "any", "count": draw(st.integers(0, 2))},
                {"role": "water", "grade": "any", "count": draw(st.integers(0, 2))},
            ],
            "theatre": {
                "doctrine": {"leaders": "nco", "authority": draw(st.sampled_from(["officer", "team_leader"]))},
                "vehicles": {"count": draw(st.integers(0, 4)), "mtbf_days": 20, "mttr_days": 5},
                "cache_items": {"dist": "lognormal", "median": 500, "sigma": 1.0},
                "ordnance_stock": draw(st.sampled_from([3000, 50_000, 8_000_000])),
                "tips": {"rate_per_week_at_full_trust": draw(st.sampled_from([5, 20])),
                         "shelf_life_days": draw(st.sampled_from([2, 7, 30]))},
                "water": {"stations": 1, "litres_per_day": 1000, "operators_per_station": 1},
                # High incident rates so that casualties, evacuations and replacements happen.
                "incident_per_1000_items": {"qualified": 0.2, "unqualified": 0.5},
                # one, the whole team, or a drawn number struck by an incident
                "incident_harm": {"people": draw(st.sampled_from([1, 3, {"dist": "poisson", "mean": 1.5}]))},
                # Security moving between regimes (pace, tips, hostile casualties among
                # anyone in theatre), another task, hard-to-reach ordnance: off or on.
                **draw(st.sampled_from([{}, {
                    "security": {"regimes": {
                        "calm": {"level": 0.1, "mean_days": 60, "next": {"hostile": 1}},
                        "hostile": {"level": 0.9, "mean_days": 45, "next": {"calm": 1}}},
                        "workdays_lost_at_hostile": 0.5, "tips_at_hostile": 0.5,
                        "hostile_per_1000_person_days": 3,
                        "hostile_harm": {"people": {"dist": "uniform", "low": 0, "high": 6}}},
                    "tasks": {"training": {"unit": "cadets", "team_share": 0.3, "per_team_day": 1}},
                    "ordnance_access_exponent": 1.0}])),
            },
        })
    timeline = []
    if draw(st.booleans()):  # the first deployment ended early, or its fleet changed
        at = f"{2001 + draw(st.integers(0, years - 1))}-11-15"
        change = draw(st.sampled_from([
            {"deployments.op0.end": f"{2001 + years - 1}-12-20"},
            {"deployments.op0.theatre.vehicles.count": draw(st.integers(0, 6))},
            {"deployments.op0.volunteer_prob": 0.0},
            {"deployments.op0.theatre.security.level": 1.0,
             "deployments.op0.theatre.security.hostile_per_1000_person_days": 2.0}]))
        timeline.append({"at": at, "set": change})
    est = draw(grades)
    recruiting = {"per_month": draw(st.integers(0, 5)), **draw(st.sampled_from([{}, {
        # force supply (issue 21): a labour market, selection, basic training
        "applicants_per_month": draw(st.sampled_from([0, 2, 8])),
        "selection_rate": draw(st.sampled_from([0.3, 1.0]))}, {
        "market": {"pool": 100_000, "propensity_per_year": draw(st.sampled_from([0.0002, 0.001])),
                   "pay_elasticity": 1.5},
        "civilian_wage_usd_per_month": 150}]))}
    if draw(st.booleans()):
        recruiting["basic_training"] = {"days": draw(st.sampled_from([20, 90])),
                                        "seats": draw(st.integers(0, 10)),
                                        "washout": draw(st.sampled_from([0.0, 0.3]))}
    budget = draw(st.sampled_from([None, 20_000, 150_000]))
    extras = {}
    if draw(st.booleans()):  # exercises, assistance and NCO acceptance
        extras = {
            "exercises": {"ex": {"at": "2001-03-01", "every_days": draw(st.sampled_from([120, 365])),
                                 "days": 10, "credit_years": 1,
                                 "participants": {"officer": draw(st.integers(0, 3)), "nco": draw(st.integers(0, 3)),
                                                  "soldier": draw(st.integers(0, 6))}}},
            "assistance": {"donor": {
                "start": "2001-01-01", "end": f"{2001 + years}-01-01",
                "usd_per_year": draw(st.sampled_from([0, 500, 5000])),
                "seats": [{"course": "eod", "price_usd": 100, "seats_per_cohort": draw(st.integers(0, 4))}],
                "vehicles": [{"deployment": "op0", "at": "2001-05-01", "count": draw(st.integers(0, 3)),
                              "price_usd": 1000, "delivery_days": 20}],
                "exercises": [{"exercise": "ex", "usd_per_participant": 50}]}},
            "acceptance": {"initial": draw(st.sampled_from([0.0, 0.5])), "per_year": 0.5},
        }
    return {
        **extras,
        "name": "random", "start": "2001-01-01", "end": f"{2001 + years}-01-01",
        "force": {
            "establishment": est,
            "qualified": {"eod": draw(shares)},
            "contract_years": {"officer": draw(st.sampled_from([1, 3])), "nco": 2, "soldier": 1},
            "reenlist": draw(shares),
            "attrition_per_year": draw(rates),
            "recruiting": recruiting,
            "officer_intake_per_year": draw(st.integers(0, 6)),
            **({} if budget is None else {"budget": {"personnel_usd_per_year": budget}}),
        },
        "training": {"courses": {
            "nco_course": {"seats": draw(st.integers(1, 8)), "days": 30, "every_days": 60,
                           "eligible": ["soldier"], "min_service_days": 90, "promotes_to": "nco"},
            "eod": {"seats": draw(st.integers(1, 8)), "days": 20, "every_days": 45,
                    "eligible": ["officer", "nco", "soldier"], "grants": "eod"},
        }},
        "deployments": deployments,
        "costs": {"person_day": RATES, "course_seat": {"eod": 100}, "vehicle_day": 7,
                  "purchases": [{"at": "2001-06-01", "item": "kit", "usd": 1000}]},
        "timeline": timeline,
    }


def valid(data):
    """Drop timeline changes that validation refuses (an end before its own date...)."""
    from sim.scenario.checks import check

    sc = scenario(data)
    if any(p.severity == "error" for p in check(sc)):
        data = {**data, "timeline": []}
        sc = scenario(data)
    return sc


SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios(), st.integers(0, 2**31))
def test_people_are_neither_created_nor_lost(data, seed):
    sc = valid(data)
    rep = run_model(sc, seed)
    m = rep.results()[0]
    start = sc.force.initial.total
    # recruits count from their first day of basic training, in strength once they finish it
    assert start + m["recruited"] == (m["strength_end"] + m["in_basic_training_end"]
                                      + m["separated"] + m["killed"])
    # The census by state and grade matches the rows, and nobody is in two states.
    p = rep.people
    for state in range(len(STATE_NAMES)):
        rows = np.bincount(p.grade[: p.n][p.state[: p.n] == state], minlength=3)
        assert np.array_equal(rows, p.counts[state]), STATE_NAMES[state]
    assert int((p.state[: p.n] < SEPARATED).sum()) == m["strength_end"]
    assert int((p.state[: p.n] == IN_BASIC).sum()) == m["in_basic_training_end"]
    assert (m["vacancies_unfunded"] is None) == (sc.force.budget is None)


@SETTINGS
@given(scenarios(), st.integers(0, 2**31))
def test_nobody_is_in_two_places_and_dwell_holds(data, seed):
    sc = valid(data)
    rep = run_model(sc, seed)
    dwell = {d.name: d.min_dwell_days for d in sc.deployments}
    by_person: dict[int, list[tuple]] = {}
    for pid, dep, _rot, selected, arrived, left in rep.tours.log:
        assert selected <= arrived <= left
        by_person.setdefault(pid, []).append((selected, left, dep))
    for tours in by_person.values():
        tours.sort()
        for (_s0, l0, _), (s1, _l1, dep1) in zip(tours, tours[1:]):
            assert s1 >= l0, "in two contingents at once"
            assert s1 - l0 >= dwell[dep1] - 1e-9, "deployed again before the dwell rule allows"
    for course in rep.courses.values():
        for ids, start, end in course.cohorts:
            for pid in ids.tolist():
                for selected, left, _ in by_person.get(pid, []):
                    assert end <= selected or start >= left, "in a course while deployed"


@SETTINGS
@given(scenarios(), st.integers(0, 2**31))
def test_ordnance_and_tips_are_conserved(data, seed):
    sc = valid(data)
    m = run_model(sc, seed).results()[0]
    stock = sum(d.theatre.ordnance_stock for d in sc.deployments)
    cleared, removed, remaining = m["items_cleared"], m["items_removed"], m["ordnance_remaining"]
    assert cleared + removed + remaining == pytest.approx(stock, rel=1e-9)
    assert cleared + removed <= stock * (1 + 1e-9)
    assert min(cleared, removed, remaining) >= -1e-6 * stock
    assert m["items_cleared_routine"] + m["items_cleared_caches"] == pytest.approx(m["items_cleared"], rel=1e-9)
    assert m["tips_received"] == m["tips_acted"] + m["tips_lost"] + m["tips_pending_end"]


@SETTINGS
@given(scenarios(), st.integers(0, 2**31))
def test_nothing_is_cleared_outside_a_window_or_by_a_contingent_that_has_left(data, seed):
    sc = valid(data)
    rep = run_model(sc, seed, audit=True)
    start = sc.start
    for d in sc.deployments:
        end = rep.schedules[d.name].spec.end  # the end in force at the close (timeline included)
        lo, hi = (max(0.0, float((d.start - start).days)), float((min(end, sc.end) - start).days))
        present: dict[int, tuple[float, float]] = {}
        spans = [(dep, rot, arrived, left) for _p, dep, rot, _s, arrived, left in rep.tours.log]
        spans += [(dep, rot, arrived, sc.horizon_days) for (dep, rot, _p), (_s, arrived) in rep.tours._open.items()]
        for dep, rot, arrived, left in spans:
            if dep == d.name:
                a, b = present.get(rot, (arrived, left))
                present[rot] = (min(a, arrived), max(b, left))
        credits = rep.theatres[d.name].work.credits
        assert credits is not None
        for when, items, rot in credits:
            assert lo - 1e-6 <= when <= hi + 1e-6, (d.name, when, items, (lo, hi))
            a, b = present.get(rot, (None, None))
            assert a is not None and a - 1e-6 <= when <= b + 1e-6, (rot, when, (a, b))


@SETTINGS
@given(scenarios(), st.integers(0, 2**31))
def test_money_is_spent_only_while_its_cause_exists(data, seed):
    sc = valid(data)
    rep = run_model(sc, seed)
    m = rep.results()[0]
    people, deployed = rep.ledger.person_day_usd()
    vehicles = rep.ledger.vehicle_usd()
    assert m["cost_total_usd"] == pytest.approx(people + vehicles + rep.ledger.training_usd + 1000, rel=1e-9)
    # The total is the sum of its reported parts (home, deployed, training, purchases).
    assert m["cost_total_usd"] == pytest.approx(sum(m[part] for part in COST_PARTS), rel=1e-9)
    assert m["cost_purchases_usd"] == 1000 and m["cost_home_usd"] >= 0
    # Deployed person-days are exactly the tours served (tours open at the end to the
    # end), and they are priced at the deployed rates.
    tour_days = sum(left - arrived for _p, _d, _r, _s, arrived, left in rep.tours.log)
    p = rep.people
    away = np.flatnonzero(p.state[: p.n] == DEPLOYED)
    tour_days += sum(sc.horizon_days - a for (_d, _r, pid), (_s, a) in rep.tours._open.items())
    days = p.person_days(sc.horizon_days)
    assert days[DEPLOYED].sum() == pytest.approx(tour_days, rel=1e-9, abs=1e-6)
    rate = np.array([RATES["deployed"][g] for g in ("officer", "nco", "soldier")])
    assert deployed == pytest.approx(float(days[DEPLOYED] @ rate), rel=1e-9, abs=1e-6)
    # Vehicles cost only while someone is in theatre.
    for d in sc.deployments:
        fleet = rep.theatres[d.name].fleet
        in_theatre = _days_present(rep, d.name, sc.horizon_days)
        most = max([d.theatre.vehicles.count] + [int(v) for e in sc.timeline for k, v in e.set.items()
                                                  if k.endswith("vehicles.count")]) + fleet.donated
        assert fleet.days.total() <= most * in_theatre + 1e-6
    if not rep.tours.log and not len(away):
        assert m["cost_deployed_usd"] == 0.0
    # Assistance spends only what it has received, and is not a cost of the ministry's.
    assert m["assistance_spent_usd"] <= m["assistance_received_usd"] + 1e-6
    for w in rep.assistance.wallets.values():
        assert w.spent <= w.received + 1e-6


def _days_present(rep, name, horizon):
    """Days on which anyone of deployment `name` was in theatre."""
    spans = sorted((a, b) for _p, dep, _r, _s, a, b in rep.tours.log if dep == name)
    p = rep.people
    for (dep, _rot, pid), (_s, a) in rep.tours._open.items():
        if dep == name and p.state[pid] == DEPLOYED:
            spans.append((a, horizon))
    total, cur = 0.0, None
    for a, b in sorted(spans):
        if cur is None or a > cur[1]:
            if cur is not None:
                total += cur[1] - cur[0]
            cur = [a, b]
        else:
            cur[1] = max(cur[1], b)
    if cur is not None:
        total += cur[1] - cur[0]
    return total


@st.composite
def scenarios_with_expiring_skills(draw):
    """The random scenarios, with qualifications that expire, a course that requires one,
    a course that grants nothing, recruits in basic training and a dated change of who
    may take a course: what a course's queue must follow."""
    data = draw(scenarios())
    years = int(data["end"][:4]) - 2001
    data["force"]["qualification_valid_years"] = {"eod": draw(st.sampled_from([0.3, 1.0]))}
    data["training"]["courses"]["eod"]["valid_years"] = draw(st.sampled_from([0.5, 2.0]))
    data["training"]["courses"]["advanced"] = {
        "seats": draw(st.integers(1, 4)), "days": 15, "every_days": 75, "eligible": ["officer", "nco"],
        "requires": ["eod"], "grants": "advanced", "valid_years": 0.4}
    data["training"]["courses"]["drill"] = {  # grants nothing: its graduates queue again
        "seats": draw(st.integers(1, 4)), "days": 10, "every_days": 40, "eligible": ["nco", "soldier"]}
    data["interoperability"] = {"criteria": {"officer": ["eod", "advanced"], "nco": ["eod"]}}
    if draw(st.booleans()):  # recruits outside strength until basic training ends
        data["force"]["recruiting"]["basic_training"] = {"days": 45, "seats": 8, "washout": 0.2}
    at = f"{2001 + draw(st.integers(0, years - 1))}-0{draw(st.integers(2, 9))}-10"
    data["timeline"] = [*data["timeline"], {"at": at, "set": {
        "training.courses.advanced.eligible": draw(st.sampled_from([["soldier"], ["officer", "nco", "soldier"]])),
        "training.courses.nco_course.min_service_days": draw(st.sampled_from([0, 200]))}}]
    return data


@SETTINGS
@given(scenarios_with_expiring_skills(), st.integers(0, 2**31))
def test_course_queues_kept_up_to_date_from_the_journal_match_a_look_at_everyone(data, seed):
    """A course brings its queue up to date, and the interoperability index its people
    part, by looking only at who may have changed (the people journal); with `check`
    on, every update is compared with a look at everyone, and a difference fails."""
    from sim.model.courses import Course
    from sim.model.interoperability import Interoperability

    sc = valid(data)
    Course.check = Interoperability.check = True
    try:
        rep = run_model(sc, seed)
    finally:
        Course.check = Interoperability.check = False
    assert sum(c.arrivals for c in rep.courses.values()) > 0
    assert any(v is not None for v in rep.recorder.series["interoperability.people"])
