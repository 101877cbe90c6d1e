"""The model's parts on their own: each built from what it uses (a clock, a people
store, its random streams, a callback or two), without a replication around it; the
metric catalogue against what the parts produce; no import cycle among the modules."""
from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from model_cases import quiet_force, scenario

from sim.core.metrics import METRICS, SERIES_INFO, metric_info, series_info
from sim.execution.engine import run_replication
from sim.model.clock import Clock, Meter, Timer
from sim.model.contingent import Contingent
from sim.model.courses import Course
from sim.model.establishment import Establishment
from sim.model.force import HomeForce
from sim.model.ledger import Ledger
from sim.model.log import EventLog
from sim.model.people import DEPLOYED, HOME, IN_COURSE, People
from sim.model.record import Results
from sim.model.replication import REPORTERS
from sim.model.rotation import RotationSchedule
from sim.model.streams import Streams
from sim.model.theatre.approvals import Approvals
from sim.model.theatre.fleet import Fleet
from sim.model.theatre.ordnance import Ordnance
from sim.model.theatre.tips import Tip, TipBook
from sim.model.theatre.trust import Trust
from sim.model.theatre.water import Water
from sim.scenario.dists import Constant
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Costs, Deployment, Force, Theatre, Vehicles
from sim.scenario.schema import Course as CourseSpec
from sim.scenario.schema import Water as WaterSpec

ROOT = Path(__file__).resolve().parent.parent


def parts():  # type: ignore[no-untyped-def]
    clock = Clock(dt.date(2000, 1, 1))
    return clock, People(lambda: clock.env.now), EventLog(clock, enabled=True)


# -- each part alone --------------------------------------------------------------
def test_timer_moves_and_cancels():
    clock, _, _ = parts()
    fired: list[float] = []
    t = Timer(clock, lambda: fired.append(clock.now))
    t.set(5)
    t.set(3)  # moved: the call at 5 is stale
    clock.env.run(until=10)
    t.set(12)
    t.cancel()
    clock.env.run(until=20)
    assert fired == [3.0]


def test_trust_grows_linearly_to_one_and_drops_at_handover_and_incident():
    clock, _, _ = parts()
    trust = Trust(Theatre().trust, clock)  # initial 0.2, 0.01 a day, 0.5 without interpreters
    trust.set_cover(0.0)
    clock.env.run(until=10)
    assert trust.value() == pytest.approx(0.2 + 10 * 0.01 * 0.5)
    trust.set_cover(1.0)
    clock.env.run(until=200)
    assert trust.value() == 1.0
    assert trust.handover(overlap_days=7) == pytest.approx(1 - 0.3 * 0.5)
    trust.incident()
    assert trust.value() == pytest.approx(0.85 * 0.8)


def test_ordnance_reserves_caches_and_conserves_the_stock():
    o = Ordnance(1000)
    assert o.reserve(700) == 700 and o.reserve(700) == 300  # capped by what nobody claimed
    o.clear_cache(500)
    o.remove(300)
    assert o.clear_routine(400) == 0  # the rest is in a reported cache
    assert o.cleared + o.removed + o.remaining == 1000
    assert o.remaining == 200 and o.unclaimed == 0


def test_fleet_charges_vehicle_days_only_in_service_and_repairs_failures():
    clock, _, _ = parts()
    fleet = Fleet(Vehicles(count=3, mtbf_days=10, mttr_days=2), clock, np.random.default_rng(1))
    clock.env.run(until=50)
    assert fleet.days.total() == 0  # stored: no contingent yet
    fleet.serve(True)
    clock.env.run(until=150)
    fleet.serve(False)
    clock.env.run(until=300)
    assert fleet.days.total() == pytest.approx(300.0)
    assert 0 < fleet.down.total() < 300  # some repairs, not all the time


def test_water_flows_while_operators_are_there():
    clock, _, _ = parts()
    water = Water(WaterSpec(stations=2, litres_per_day=100, operators_per_station=2), clock)
    water.set_operators(3)  # one station manned
    clock.env.run(until=10)
    water.set_operators(0)
    clock.env.run(until=20)
    assert water.litres.total() == pytest.approx(1000)


def test_approvals_lose_tips_that_perish_in_the_queue_and_count_their_wait():
    clock, _, log = parts()
    book = TipBook(clock, Ordnance(1e6), log, "op")
    ready: list[Tip] = []
    spec = Theatre(approval_days=Constant(value=10.0))
    approvals = Approvals(spec, clock, book, ready.append, np.random.default_rng(0))
    approvals.set_approvers(1)
    for k in range(3):
        tip = Tip(reported=0.0, size=1.0, expires=5.0 if k else 50.0, left=1.0)
        book.ordnance.reserve(1.0)
        book.receive(tip)
        approvals.submit(tip)
    clock.env.run(until=30)
    assert len(ready) == 1 and book.lost == 2
    assert book.approval_wait == [0.0 + 5 + 5, 3]  # the lost waited until they perished


def test_course_seats_the_longest_waiting_and_charges_seats():
    clock, people, log = parts()
    people.add(2, 10, joined=-1000.0, contract_end=1e9)
    charged: list[tuple[str, int]] = []
    spec = CourseSpec(seats=4, days=30, every_days=100, eligible=["soldier"], grants="eod")
    course = Course("eod", spec, clock, people, Streams(1, 0), log,
                    lambda name, n: charged.append((name, n)), vacancies=lambda g: 0)
    course.start()
    clock.env.run(until=10)
    assert (people.state[:10] == IN_COURSE).sum() == 4 and charged == [("eod", 4)]
    clock.env.run(until=250)
    assert course.trained == 10 and int(people.holds("eod", 250).sum()) == 10  # cohorts at 0, 100, 200


def test_home_force_applies_attrition_to_people_away_too():
    clock, people, log = parts()
    force_spec = Force.model_validate({**quiet_force(soldier=100),
                                       "attrition_per_year": {"officer": 0, "nco": 0, "soldier": 50}})
    est = Establishment(force_spec.establishment, [], None, clock.day)
    force = HomeForce(force_spec, est, clock, people, Streams(1, 0), log)
    force.build_initial()
    people.move(np.arange(50), IN_COURSE)
    people.move(np.arange(50, 60), DEPLOYED)
    force.step(30.0)
    assert people.strength().sum() <= 12  # at 50 a year nearly everyone goes in a month
    assert (people.state[50:60] == DEPLOYED).sum() >= 9  # the deployed go on return
    force.came_home(np.arange(50, 60))
    assert people.strength().sum() <= 2


def test_ledger_prices_person_days_at_the_rate_in_force():
    clock, people, log = parts()
    people.add(0, 2, joined=0.0, contract_end=1e9)
    costs = Costs.model_validate({"person_day": {"home": {"officer": 10}}})
    ledger = Ledger(costs, clock, people, log)
    clock.env.run(until=10)
    ledger.retune(Costs.model_validate({"person_day": {"home": {"officer": 20}}}))
    clock.env.run(until=15)
    assert ledger.total() == pytest.approx(2 * 10 * 10 + 2 * 5 * 20)


class FakeTheatre:
    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def arrive(self, c: Contingent) -> None:
        self.events.append(("arrive", c.rotation))

    def depart(self, c: Contingent) -> None:
        self.events.append(("depart", c.rotation))

    def member_lost(self, pid: int) -> None: ...
    def roster_changed(self) -> None: ...


class FakeForce:
    def separate(self, ids: np.ndarray, reason: str) -> None: ...
    def came_home(self, ids: np.ndarray) -> None: ...


def test_rotation_schedule_alone_and_its_end_moved_earlier():
    clock, people, log = parts()
    people.add(2, 20, joined=0.0, contract_end=1e9)
    spec = Deployment.model_validate({
        "name": "op", "start": "2000-01-11", "end": "2000-12-01", "tour_days": 100, "select_days": 10,
        "predeployment_days": 5, "overlap_days": 0, "min_dwell_days": 0,
        "contingent": [{"role": "support", "grade": "soldier", "count": 5}]})
    theatre = FakeTheatre()
    schedule = RotationSchedule(spec, clock, people, Streams(1, 0), log, theatre, FakeForce())
    schedule.start()
    clock.env.run(until=150)
    schedule.retune(spec.model_copy(update={"end": dt.date(2000, 6, 1)}))  # day 152
    clock.env.run(until=330)
    assert theatre.events == [("arrive", 0), ("depart", 0), ("arrive", 1), ("depart", 1)]
    assert schedule.rotations == 2 and (people.state[:20] == HOME).all()


# -- the catalogue ------------------------------------------------------------------
def test_every_part_reports_only_catalogued_metrics():
    for kind in REPORTERS:
        for name in kind.REPORTS:
            assert metric_info(name) is not None, (kind.__name__, name)
    with pytest.raises(KeyError):
        Results().add("happiness", 1.0)


@pytest.fixture(scope="module")
def produced():  # type: ignore[no-untyped-def]
    out = []
    for name in ("kazbat_2003.yaml", "brigade.yaml"):
        sc = load_scenario(ROOT / "scenarios" / name).scenario
        r = run_replication(sc, 0)
        assert r.error is None
        out.append((sc, r))
    bare = scenario({"name": "no deployment, no course", "start": "2000-01-01", "end": "2000-06-01",
                     "force": quiet_force(soldier=10)})
    out.append((bare, run_replication(bare, 0)))
    return out


def test_metrics_produced_and_catalogued_agree_both_ways(produced):
    for sc, r in produced:
        for name in r.metrics:
            assert metric_info(name) is not None, name
        families = {k for k in METRICS if "<" in k}
        assert set(METRICS) - families <= set(r.metrics), set(METRICS) - families - set(r.metrics)
        courses = set(sc.training.courses)
        assert {f"course_wait_days_mean.{c}" for c in courses} <= set(r.metrics)
        assert {k.rpartition(".")[2] for k in r.metrics if k.startswith("course_wait_days_mean.")} == courses


def test_series_produced_and_catalogued_agree_both_ways(produced):
    for sc, r in produced:
        for name, values in r.series.items():
            assert series_info(name) is not None, name
            assert len(values) == len(r.dates)
        families = {k for k in SERIES_INFO if "<" in k}
        assert set(SERIES_INFO) - families <= set(r.series)
        assert {f"course_queue.{c}" for c in sc.training.courses} <= set(r.series)


# -- no import cycle ----------------------------------------------------------------
def test_no_import_cycle_among_model_modules():
    base = ROOT / "sim" / "model"
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts): p for p in base.rglob("*.py")}
    modules = {k.removesuffix(".__init__"): v for k, v in modules.items()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):  # type-only imports count too
            if isinstance(node, ast.ImportFrom) and node.module:
                deps.add(node.module)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
        graph[name] = {d for d in deps if d in modules and d != name}
    seen: dict[str, int] = {}

    def visit(n: str, trail: list[str]) -> None:
        if seen.get(n) == 1:
            raise AssertionError("import cycle: " + " -> ".join([*trail[trail.index(n):], n]))
        if seen.get(n) == 2:
            return
        seen[n] = 1
        for d in sorted(graph[n]):
            visit(d, [*trail, n])
        seen[n] = 2

    for n in sorted(graph):
        visit(n, [])
    assert Meter  # the clock's meter is imported by the parts above
