"""Interoperability in parts, combined exercises, security assistance and NCO
acceptance: each tested alone or on a tiny scenario, by direction with the mechanism
explained, and with its zero setting giving the behaviour it had before."""
from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_cases import quiet_force, run_model, scenario

from sim.model.acceptance import NcoAcceptance
from sim.model.clock import Clock
from sim.model.people import GRADE_INDEX, People
from sim.model.replication import Replication
from sim.scenario.checks import check
from sim.scenario.schema import Acceptance

SMALL: dict[str, Any] = {
    "name": "interop", "start": "2003-01-01", "end": "2007-01-01",
    "force": quiet_force(officer=20, nco=20, soldier=60),
    "training": {"courses": {
        "english": {"seats": 0, "days": 120, "every_days": 180, "eligible": ["officer"],
                    "grants": "english"}}},
    "interoperability": {"criteria": {"officer": ["english"]}},
}


def with_(**parts: Any) -> dict[str, Any]:
    data = copy.deepcopy(SMALL)
    data.update(parts)
    return data



def metrics(data: dict[str, Any], seed: int = 3) -> dict[str, Any]:
    rep = run_model(scenario(data), seed=seed)
    return rep.results()[0]


# -- the index in parts -------------------------------------------------------------------
def test_default_index_is_the_people_part():
    m = metrics(SMALL)
    assert m["interoperability_end"] == m["interoperability.people"] == 0.0
    assert m["interoperability.equipment"] is None and m["interoperability.exercises"] is None
    assert m["assistance_spent_usd"] == 0 and m["exercise_participants"] == 0


def test_index_is_the_weighted_mean_of_its_parts():
    data = with_(equipment={"sets": 10, "nato_sets": 4, "life_years": 100},
                 interoperability={"criteria": {"officer": ["english"]},
                                   "weights": {"people": 1, "equipment": 3}})
    m = metrics(data)
    people, equipment = m["interoperability.people"], m["interoperability.equipment"]
    assert equipment == 0.4
    assert m["interoperability_end"] == (people + 3 * equipment) / 4


def test_all_weights_zero_is_refused():
    sc = scenario(SMALL, interoperability__weights={"people": 0})
    assert any(p.path == "interoperability.weights" for p in check(sc))


def test_a_weight_on_a_part_the_scenario_lacks_is_a_warning():
    """Without equipment sets or exercises those parts do not exist: their weights would
    be left out of the index unseen, so validation says so."""
    sc = scenario(SMALL, interoperability__weights={"people": 1, "equipment": 2, "exercises": 1})
    warned = {p.path for p in check(sc) if p.severity == "warning"}
    assert {"interoperability.weights.equipment", "interoperability.weights.exercises"} <= warned
    assert not {p.path for p in check(scenario(SMALL)) if p.path.startswith("interoperability")}


# -- exercises --------------------------------------------------------------------------------
def exercise(every: float | None) -> dict[str, Any]:
    ex: dict[str, Any] = {"at": "2003-06-01", "days": 14, "credit_years": 1,
                          "participants": {"officer": 5, "soldier": 15}}
    if every:
        ex["every_days"] = every
    return with_(exercises={"steppe_eagle": ex},
                 interoperability={"criteria": {"officer": ["english"]},
                                   "weights": {"people": 0, "exercises": 1}})


def test_annual_exercise_keeps_credit_a_one_off_decays():
    """Credit lasts a year from the end of the exercise: the one-off's participants
    lose it in mid-2004 and the part falls to zero; an annual exercise renews it."""
    once = run_model(scenario(exercise(None)), seed=2)
    yearly = run_model(scenario(exercise(365)), seed=2)
    m_once, m_yearly = once.results()[0], yearly.results()[0]
    assert m_once["interoperability.exercises"] == 0.0
    assert m_yearly["interoperability.exercises"] > 0.15   # 20 of 100, renewed each year
    assert m_yearly["interoperability_end"] == m_yearly["interoperability.exercises"]
    assert m_once["exercise_participants"] == 20 and m_yearly["exercise_participants"] == 80
    # The one-off's part rose, then decayed.
    part = dict(zip(once.dates, once.recorder.series["interoperability.exercises"]))
    assert max(part.values()) == 0.2
    assert part[dt.date(2004, 9, 1)] == 0.0


def test_an_annual_exercise_stops_at_until():
    """Held yearly from 2003-06 but not after 2004-12-31: two exercises (40 places), and
    the credit of the second lapses in 2005, as a one-off's does."""
    data = exercise(365)
    data["exercises"]["steppe_eagle"]["until"] = "2004-12-31"
    m = run_model(scenario(data), seed=2).results()[0]
    assert m["exercise_participants"] == 40 and m["interoperability.exercises"] == 0.0


def test_exercise_draws_only_people_at_home():
    data = exercise(None)
    data["exercises"]["steppe_eagle"]["participants"] = {"nco": 50}   # 20 NCOs exist
    assert metrics(data)["exercise_participants"] == 20


# -- assistance -------------------------------------------------------------------------------
def imet(usd_per_year: float, seats: int = 4, price: float = 10_000) -> dict[str, Any]:
    return with_(assistance={"imet": {
        "start": "2003-01-01", "end": "2007-01-01", "usd_per_year": usd_per_year,
        "seats": [{"course": "english", "price_usd": price, "seats_per_cohort": seats}]}})


def test_money_on_english_raises_the_people_part_after_the_course():
    """The English course has no seats of its own: only IMET money seats anyone, and
    they count once the 120-day course ends."""
    none_ = run_model(scenario(imet(0)), seed=4)
    paid = run_model(scenario(imet(80_000)), seed=4)
    s0 = dict(zip(none_.dates, none_.recorder.series["interoperability.people"]))
    s1 = dict(zip(paid.dates, paid.recorder.series["interoperability.people"]))
    assert s1[dt.date(2003, 4, 1)] == s0[dt.date(2003, 4, 1)] == 0.0  # first cohort still in class
    assert s1[dt.date(2003, 6, 1)] == 0.2                            # 4 of 20 officers
    m0, m1 = none_.results()[0], paid.results()[0]
    assert m0["interoperability_end"] == 0.0
    assert m1["interoperability_end"] > 0.8
    assert m1["assistance_spent_usd"] == 10_000 * m1["assistance_seats_bought"]
    assert m1["assistance_usd_per_point"] == m1["assistance_spent_usd"] / (100 * m1["interoperability_end"])


def test_a_budget_cut_leaves_seats_unbought():
    full, cut = metrics(imet(120_000)), metrics(imet(15_000))
    assert full["assistance_seats_unbought"] == 0
    assert cut["assistance_seats_unbought"] > 0
    assert cut["assistance_seats_bought"] < full["assistance_seats_bought"]
    assert cut["assistance_spent_usd"] <= cut["assistance_received_usd"] == 15_000 * 4
    assert cut["interoperability_end"] < full["interoperability_end"]


def test_a_training_team_runs_its_course_only_while_paid_for():
    def team(budget: float) -> dict[str, Any]:
        data = with_(assistance={"turkey": {
            "start": "2003-01-01", "end": "2004-01-01", "usd_per_year": budget,
            "teams": [{"course": "english", "at": "2003-03-01", "months": 4, "usd": 50_000}]}})
        data["training"]["courses"]["english"]["seats"] = 6
        return data
    paid, unpaid = run_model(scenario(team(60_000)), seed=1), run_model(scenario(team(40_000)), seed=1)
    assert paid.courses["english"].trained == 6     # one cohort in four months (every 180 days)
    assert unpaid.courses["english"].trained == 0
    assert paid.results()[0]["assistance_spent_usd"] == 50_000


@settings(max_examples=15, deadline=None)
@given(budget=st.floats(0, 200_000), price=st.floats(1_000, 50_000), seats=st.integers(0, 8),
       years=st.integers(1, 4))
def test_assistance_spends_only_what_it_has(budget, price, seats, years):
    data = imet(budget, seats, price)
    data["end"] = data["assistance"]["imet"]["end"] = f"{2003 + years}-01-01"
    m = metrics(data)
    assert m["assistance_received_usd"] == pytest.approx(budget * years)
    assert m["assistance_spent_usd"] <= m["assistance_received_usd"] + 1e-6
    assert m["assistance_spent_usd"] == pytest.approx(m["assistance_seats_bought"] * price)


# -- equipment ---------------------------------------------------------------------------------
def test_equipment_purchases_raise_the_share_and_age_lowers_it():
    data = with_(equipment={"sets": 10, "nato_sets": 0, "life_years": 2},
                 assistance={"eipc": {"start": "2003-01-01", "end": "2004-01-01", "usd_per_year": 100_000,
                                      "equipment": {"price_usd": 20_000, "sets_per_year": 8,
                                                    "delivery_days": 30}}})
    rep = run_model(scenario(data), seed=1)
    part = dict(zip(rep.dates, rep.recorder.series["interoperability.equipment"]))
    assert part[dt.date(2003, 1, 1)] == 0.0
    assert part[dt.date(2003, 3, 1)] == 0.5     # 5 sets affordable, delivered after 30 days
    assert part[dt.date(2005, 3, 1)] == 0.0     # worn out two years after delivery
    assert rep.results()[0]["assistance_spent_usd"] == 100_000


# -- NCO acceptance ----------------------------------------------------------------------------
def acceptance_after_a_year(abroad_share: float) -> float:
    clock = Clock(dt.date(2003, 1, 1))
    people = People(lambda: clock.env.now)
    people.add(GRADE_INDEX["nco"], 20, 0.0, 1e9)
    people.grant("english_abroad", np.arange(int(20 * abroad_share)), np.inf)
    acc = NcoAcceptance(Acceptance(initial=0, per_year=0.1, abroad_weight=2), clock, people,
                        ("english_abroad",))
    acc.start()
    clock.env.run(until=365.25)
    return acc.value()


def test_acceptance_rises_faster_with_more_ncos_trained_abroad():
    low, high = acceptance_after_a_year(0.1), acceptance_after_a_year(0.5)
    assert 0 < low < high < 1
    # closed form: 1 - exp(-rate * t), weekly steps (52 steps of 7 days)
    assert abs(high - (1 - np.exp(-(0.1 + 2 * 0.5) * 52 * 7 / 365.25))) < 1e-9


def kazbat(*sets: str) -> Any:
    from sim.scenario.loader import load_scenario
    return load_scenario("scenarios/kazbat_2003.yaml", ["end=2004-09-01", *sets]).scenario


def theatre_metrics(*sets: str) -> dict[str, Any]:
    return run_model(kazbat(*sets), seed=5).results()[0]


def test_doctrine_on_paper_is_not_practice_until_ncos_are_accepted():
    """Acceptance 0: every tip still goes to an officer (the officer-led result);
    acceptance 1 (the default): today's team-leader result."""
    team_leader = "deployments.iraq.theatre.doctrine.authority=team_leader"
    officer_led = theatre_metrics()
    today = theatre_metrics(team_leader)
    unaccepted = theatre_metrics(team_leader, "acceptance.initial=0")
    accepted = theatre_metrics(team_leader, "acceptance.initial=1")
    assert unaccepted == officer_led
    assert accepted == today
    assert today["approval_wait_days_mean"] != officer_led["approval_wait_days_mean"]


def test_vehicles_bought_by_assistance_join_the_fleet_when_delivered():
    """Eight vehicles paid in January, delivered 31 days later: the fleet of four grows
    to twelve on 2004-02-01 and keeps them when the scenario's own vehicle settings
    change later; with too little money fewer are bought."""
    def bought(usd: float) -> Any:
        sc = kazbat("deployments.iraq.theatre.vehicles.count=4",
                    "timeline=[{at: 2004-06-01, set: {deployments.iraq.theatre.vehicles.mtbf_days: 45}}]",
                    f"assistance={{centcom: {{start: 2004-01-01, end: 2005-01-01, usd_per_year: {usd}, "
                    "vehicles: [{deployment: iraq, at: 2004-01-01, count: 8, price_usd: 50000, "
                    "delivery_days: 31}]}}")
        rep = Replication(sc, 5, 0, trace=True)
        rep.run()
        return rep
    rep = bought(400_000)
    assert len(rep.theatres["iraq"].fleet._fleet()) == 12
    grew = [row for row in rep.trace if row[1] == "assistance" and "vehicles" in row[3]]
    assert grew and grew[0][0] == "2004-01-01"
    assert rep.results()[0]["assistance_spent_usd"] == 400_000
    assert len(bought(180_000).theatres["iraq"].fleet._fleet()) == 7


def test_an_exercise_before_the_start_credits_its_participants_until_it_lapses():
    data = exercise(None)
    data["exercises"]["steppe_eagle"]["at"] = "2002-07-01"     # credit lapses mid-2003
    rep = run_model(scenario(data), seed=2)
    part = dict(zip(rep.dates, rep.recorder.series["interoperability.exercises"]))
    assert part[dt.date(2003, 1, 1)] == 0.2 and part[dt.date(2003, 8, 1)] == 0.0
    assert rep.results()[0]["exercise_participants"] == 0


def test_an_exercise_paid_by_assistance_sends_only_those_paid_for():
    data = exercise(None)
    data["assistance"] = {"uk": {"start": "2003-01-01", "end": "2004-01-01", "usd_per_year": 25_000,
                                 "exercises": [{"exercise": "steppe_eagle", "usd_per_participant": 2_000}]}}
    m = metrics(data)
    assert m["exercise_participants"] == 12 and m["assistance_spent_usd"] == 24_000


def test_a_budget_cut_from_a_date_pays_the_later_tranches_at_the_new_budget():
    """Money for 12 seats in 2003, then 2,000 a year: not enough for the 20 officers."""
    data = imet(120_000)
    data["timeline"] = [{"at": "2003-06-01", "set": {"assistance.imet.usd_per_year": 2_000}}]
    cut, full = metrics(data), metrics(imet(120_000))
    assert cut["assistance_received_usd"] == 120_000 + 3 * 2_000
    assert cut["assistance_seats_bought"] == 12 and full["assistance_seats_bought"] == 20
    assert cut["assistance_seats_unbought"] > 0 == full["assistance_seats_unbought"]


def test_assistance_naming_what_does_not_exist_is_refused():
    data = imet(1_000)
    data["assistance"]["imet"]["seats"][0]["course"] = "french"
    data["assistance"]["imet"]["vehicles"] = [{"deployment": "mali", "at": "2003-02-01", "count": 1,
                                                "price_usd": 1}]
    found = {p.path: p.message for p in check(scenario(data)) if p.severity == "error"}
    assert "expected the name of a course (english), found 'french'" in found["assistance.imet.seats.0.course"]
    assert "found 'mali'" in found["assistance.imet.vehicles.0.deployment"]
