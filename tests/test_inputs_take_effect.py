"""Every input takes effect: the scenario keys and command-line options of the wave that
no other test changes, each shown to change the result (small stand-ins, few runs)."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import numpy as np
import yaml
from click.testing import CliRunner
from model_cases import quiet_force, rotation_case, run_model, scenario

from sim.cli import main
from sim.execution.engine import run_replication
from sim.model.acceptance import NcoAcceptance
from sim.model.clock import Clock
from sim.model.people import GRADE_INDEX, People
from sim.model.tempo import Willingness
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Acceptance

ROOT = Path(__file__).resolve().parents[1]
KAZBAT = ROOT / "scenarios" / "kazbat_2003.yaml"
D = "deployments.iraq"


# -- scenario keys ----------------------------------------------------------------------
def test_death_memory_days_sets_how_long_a_death_weighs_on_call_ups() -> None:
    """A death on day 50 halves the chance on day 100 with the default year's memory,
    and not at all once the memory is 30 days."""
    people = People(lambda: 100.0, 2)
    people.add(2, 2, 0.0, 1000.0)
    chances = []
    for memory in (365, 30):
        d = load_scenario(KAZBAT, [f"{D}.volunteer_prob=0.5", f"{D}.volunteering.after_death=0.5",
                                   f"{D}.volunteering.death_memory_days={memory}"]).scenario.deployment("iraq")
        w = Willingness(people, lambda: 0.0)
        w.killed(50.0)
        chances.append(w.chance(d, 100.0))
    assert np.allclose(chances[0], 0.25) and np.allclose(chances[1], 0.5)


def test_harmony_window_days_is_the_window_the_cap_is_counted_in() -> None:
    """Three 200-day tours back to back: 600 days in 913 breaches a 415-day cap; in any
    300-day window there are at most 300 days, within it."""
    data = rotation_case(pool=10, contingent=10, tour=200, dwell=0, rotations=3)
    assert run_replication(scenario(data), 0, seed=1).metrics["harmony_breach_share"] == 1.0
    short = run_replication(scenario(data, harmony__window_days=300), 0, seed=1)
    assert short.metrics["harmony_breach_share"] == 0.0


def _acceptance_after_a_year(ncos: int, soldiers: int) -> float:
    clock = Clock(dt.date(2003, 1, 1))
    people = People(lambda: clock.env.now)
    people.add(GRADE_INDEX["nco"], ncos, 0.0, 1e9)
    people.add(GRADE_INDEX["soldier"], soldiers, 0.0, 1e9)
    acc = NcoAcceptance(Acceptance(initial=0, nco_share_weight=1.0), clock, people, ())
    acc.start()
    clock.env.run(until=365.25)
    return acc.value()


def test_acceptance_grows_with_the_nco_share_at_nco_share_weight() -> None:
    """rate = nco_share_weight x NCOs / strength, stepped weekly (52 steps of 7 days)."""
    low, high = _acceptance_after_a_year(10, 30), _acceptance_after_a_year(30, 10)
    assert 0 < low < high < 1
    assert abs(high - (1 - np.exp(-0.75 * 52 * 7 / 365.25))) < 1e-9


def test_hostile_harm_wounded_sets_the_wounded() -> None:
    """Hostile incidents that kill nobody wound everyone struck at wounded=1, nobody at 0."""
    base = {"name": "hostile", "start": "2000-01-01", "end": "2001-01-01", "force": quiet_force(soldier=40),
            "deployments": [{"name": "op", "start": "2000-01-01", "end": "2000-12-01", "tour_days": 300,
                             "select_days": 0, "predeployment_days": 0, "overlap_days": 0,
                             "contingent": [{"role": "support", "grade": "soldier", "count": 20}],
                             "theatre": {"security": {"level": 1, "hostile_per_1000_person_days": 1,
                                                      "hostile_harm": {"killed": 0.0, "wounded": 0.0}}}}]}
    none = run_replication(scenario(base), 0, seed=1).metrics
    every = run_replication(scenario(base, deployments__0__theatre__security__hostile_harm__wounded=1.0),
                            0, seed=1).metrics
    assert none["wounded"] == 0 and none["killed"] == 0
    assert every["wounded"] > 0


# -- sweep --seed, --reps, --set, --format ------------------------------------------------
SWEEP = """scenario: {base}
design: grid
levels: 2
replications: 2
seed: 7
factors:
  force.recruiting.per_month: {{low: 5, high: 15, integer: true}}
outputs: [items_cleared]
"""


def _sweep(tmp_path: Path, name: str, *args: str) -> dict[tuple[int, int], float]:
    path = tmp_path / "s.yaml"
    path.write_text(SWEEP.format(base=KAZBAT))
    db = tmp_path / f"{name}.db"
    result = CliRunner().invoke(main, ["sweep", str(path), "--out", str(db), "--workers", "1", "--quiet",
                                       "--model", "test_sweep_models:linear", *args])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT point, replication, value FROM metrics WHERE metric = 'items_cleared'")
        return {(p, r): v for p, r, v in rows}


def test_sweep_seed_reps_and_set_take_effect(tmp_path: Path) -> None:
    """linear: items = recruiting + 20 x volunteer_prob + noise(seed, replication)."""
    plain = _sweep(tmp_path, "plain")
    assert len(plain) == 2 * 2
    assert len(_sweep(tmp_path, "reps", "--reps", "3")) == 2 * 3
    seeded = _sweep(tmp_path, "seed", "--seed", "8")
    assert seeded.keys() == plain.keys() and all(seeded[k] != plain[k] for k in plain)
    vp = load_scenario(KAZBAT).scenario.deployment("iraq").volunteer_prob
    moved = _sweep(tmp_path, "set", "--set", f"{D}.volunteer_prob=0.1")
    assert all(abs(moved[k] - (plain[k] + 20 * (0.1 - vp))) < 1e-9 for k in plain)


def test_sweep_format_json_prints_json(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SWEEP.format(base=KAZBAT))
    result = CliRunner().invoke(main, ["sweep", str(path), "--out", str(tmp_path / "j.db"), "--workers", "1",
                                       "--quiet", "--format", "json", "--model", "test_sweep_models:linear"])
    assert result.exit_code == 0, result.output
    json.loads(result.output)


# -- discover --share ---------------------------------------------------------------------
def test_discover_share_decides_which_points_are_cases(tmp_path: Path) -> None:
    """Two replications a point (items 17.0 and 17.3, 20.0 and 20.3, 22.0 ...): with the
    threshold between the second point's two, it is a case at share 0.5, not at share 1."""
    path = tmp_path / "s.yaml"
    path.write_text(SWEEP.format(base=KAZBAT).replace("levels: 2", "levels: 5"))
    db = tmp_path / "d.db"
    result = CliRunner().invoke(main, ["sweep", str(path), "--out", str(db), "--workers", "1", "--quiet",
                                       "--model", "test_sweep_models:linear"])
    assert result.exit_code == 0, result.output
    cases = []
    for share in ("0.5", "1"):
        out = CliRunner().invoke(main, ["discover", str(db), "--where", "items_cleared < 20.2",
                                        "--share", share, "--format", "json"])
        assert out.exit_code == 0, out.output
        cases.append(json.loads(out.output)["cases"])
    assert cases == [2, 1]


# -- optimize --reps, --seed, --set --------------------------------------------------------
def _policy(tmp_path: Path) -> str:
    base = {"name": "two levers", "start": "2000-01-01", "end": "2001-01-01", "force": quiet_force(soldier=10),
            "training": {"courses": {"nco_course": {"seats": 5, "days": 30, "every_days": 60,
                                                    "eligible": ["soldier"], "promotes_to": "nco"}}}}
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base))
    spec = {"scenario": "base.yaml", "seed": 1,
            "levers": {"training.courses.nco_course.seats": {"low": 0, "high": 3, "integer": True}},
            "objectives": [{"minimize": "cost_total_usd"}],
            "constraints": ["P(officer_share_end >= 0.1) >= 0.5"],
            "replications": 2, "budget": 100, "rerun_candidates": 1, "rerun_replications": 3}
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(spec))
    return str(tmp_path / "p.yaml")


def _optimize(tmp_path: Path, name: str, *args: str) -> list[tuple[str, int, list[int], str]]:
    db = tmp_path / f"{name}.db"
    result = CliRunner().invoke(main, ["optimize", _policy(tmp_path), "--out", str(db), "--workers", "1",
                                       "--quiet", "--model", "explore_models:two_levers", *args])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as con:
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        table = next(t for t in tables if t in ("evaluations", "runs"))
        return sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def test_optimize_reps_seed_and_set_take_effect(tmp_path: Path) -> None:
    plain = _optimize(tmp_path, "plain")
    assert len(_optimize(tmp_path, "reps", "--reps", "3")) > len(plain)
    assert _optimize(tmp_path, "seed", "--seed", "2") != plain
    # recruiting is no lever: --set reaches every candidate (two_levers reads it)
    assert _optimize(tmp_path, "set", "--set", "force.recruiting.per_month=7") != plain


# -- capacity --seed, --set -----------------------------------------------------------------
def _capacity(tmp_path: Path, *args: str) -> dict:
    path = tmp_path / "rot.yaml"
    path.write_text(yaml.safe_dump(rotation_case(30, 1, 100, 150, 6)))
    out = CliRunner().invoke(main, ["capacity", str(path), "--reps", "1", "--workers", "1",
                                    "--fill", "1", "--confidence", "1", "--format", "json", "-q", *args])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def test_capacity_set_takes_effect(tmp_path: Path) -> None:
    """Pool 30, tour 100: a dwell of 150 needs three groups (10 each), a dwell of 50 two (15)."""
    assert _capacity(tmp_path)["largest_contingent"] == 10
    assert _capacity(tmp_path, "--set", "deployments.op.min_dwell_days=50")["largest_contingent"] == 15


def test_a_course_held_abroad_counts_for_acceptance() -> None:
    """IMET (abroad: true) grants nato_course; with acceptance growing only through NCOs
    holding it, marking the course as held at home leaves acceptance at 0 and every tip
    with an officer, so the approval wait changes."""
    def approval_wait(*sets: str) -> float:
        sc = load_scenario(KAZBAT, ["end=2004-09-01", f"{D}.theatre.doctrine.authority=team_leader",
                                    "acceptance={initial: 0, abroad_weight: 20}",
                                    "force.qualified.nato_course.nco=0.5", *sets]).scenario
        return run_model(sc, seed=5).results()[0]["approval_wait_days_mean"]

    assert approval_wait() != approval_wait("training.courses.imet.abroad=false")


def test_initial_service_years_decide_who_has_served_long_enough() -> None:
    """A course open only after 1000 days of service: a force recruited yesterday sends
    nobody in its first year; one with long service fills every cohort."""
    force = {**quiet_force(soldier=40, nco=10), "strength": {"officer": 0, "nco": 0, "soldier": 40}}
    base = {"name": "service", "start": "2000-01-01", "end": "2001-01-01", "force": force,
            "training": {"courses": {"nco_course": {"seats": 5, "days": 30, "every_days": 60,
                                                    "eligible": ["soldier"], "promotes_to": "nco",
                                                    "min_service_days": 1000}}}}
    new = run_replication(scenario(base, force__initial_service_years__soldier=0.01), 0, seed=1)
    old = run_replication(scenario(base, force__initial_service_years__soldier=50), 0, seed=1)
    assert new.metrics["promoted_to_nco"] == 0 and old.metrics["promoted_to_nco"] > 0
