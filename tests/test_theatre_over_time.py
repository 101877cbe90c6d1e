"""The theatre over time (issue 10): security, other tasks, water to demand, accessible
ordnance. Each mechanism moves its outputs the way its mechanism says, with common
random numbers, and its zero setting (the default) gives exactly today's numbers."""
from __future__ import annotations

import statistics
from typing import Any

import pytest
from model_cases import scenario

from sim.execution.engine import run_replication
from sim.scenario.loader import load_scenario

KAZBAT = "scenarios/kazbat_2003.yaml"
T = "deployments.iraq.theatre"


def means(overrides: list[str], reps: int = 6, names: tuple[str, ...] = ()) -> dict[str, float]:
    sc = load_scenario(KAZBAT, overrides).scenario
    runs = [run_replication(sc, i, seed=11).metrics for i in range(reps)]
    keys = names or tuple(k for k, v in runs[0].items() if v is not None)
    return {k: statistics.fmean(float(r[k] or 0.0) for r in runs) for k in keys}


@pytest.fixture(scope="module")
def calm() -> dict[str, float]:
    return means([])


def test_zero_settings_give_todays_numbers() -> None:
    """Every new key at its default value, spelled out, changes nothing."""
    sc = load_scenario(KAZBAT).scenario
    spelled = load_scenario(KAZBAT, [
        f"{T}.security.level=0", f"{T}.security.workdays_lost_at_hostile=0",
        f"{T}.security.tips_at_hostile=1", f"{T}.security.hostile_per_1000_person_days=0",
        f"{T}.ordnance_access_exponent=0", f"{T}.tasks={{}}",
        f"{T}.water.people_served=0"]).scenario
    for i in range(2):
        assert run_replication(sc, i, seed=3).metrics == run_replication(spelled, i, seed=3).metrics


def test_a_hostile_theatre_clears_less_and_strikes_more(calm: dict[str, float]) -> None:
    """Mechanism: at level 1 a third of the workdays go to force protection (teams clear
    more slowly), tips come at half the rate, and hostile incidents strike people in
    theatre whatever they do."""
    hostile = means([f"{T}.security.level=1", f"{T}.security.workdays_lost_at_hostile=0.33",
                     f"{T}.security.tips_at_hostile=0.5",
                     f"{T}.security.hostile_per_1000_person_days=0.5"])
    assert calm["incidents_hostile"] == 0 and calm["workdays_lost"] == 0
    assert hostile["items_cleared"] < 0.85 * calm["items_cleared"]
    assert hostile["tips_received"] < calm["tips_received"]
    assert hostile["incidents_hostile"] > 5
    assert hostile["workdays_lost"] > 0.2 * hostile["team_days_worked"]
    assert hostile["killed"] + hostile["wounded"] > calm["killed"] + calm["wounded"]


def test_a_dated_hostile_period_costs_only_from_its_date() -> None:
    data = load_scenario(KAZBAT).scenario.data()
    data["timeline"] = [{"at": "2004-09-01", "set": {f"{T}.security.level": 1,
                                                     f"{T}.security.hostile_per_1000_person_days": 2}}]
    sc = scenario(data)
    r = run_replication(sc, 0, seed=2)
    dates = list(r.dates)
    level = dict(zip(dates, r.series["security"]))
    assert level["2004-08-01"] == 0 and level["2004-10-01"] == 1
    assert r.metrics["incidents_hostile"] > 0
    hits = [row for row in (run_replication(sc, 0, seed=2, trace=True).trace or [])
            if row[1] == "hostile incident"]
    assert hits and min(row[0] for row in hits) >= "2004-09-01"


def test_a_regime_process_moves_the_level_between_its_regimes() -> None:
    regimes = ("{calm: {level: 0, mean_days: 60, next: {hostile: 1}}, "
               "hostile: {level: 0.8, mean_days: 60, next: {calm: 1}}}")
    sc = load_scenario(KAZBAT, [f"{T}.security.regimes={regimes}",
                                f"{T}.security.workdays_lost_at_hostile=0.5"]).scenario
    r = run_replication(sc, 0, seed=4)
    seen = {v for v in r.series["security"] if v is not None}
    assert seen == {0.0, 0.8}
    assert r.metrics["workdays_lost"] > 0


def test_other_tasks_take_team_days_from_clearance_and_give_their_output(calm: dict[str, float]) -> None:
    """Mechanism: training local forces takes 30% of the teams' workdays (they clear
    more slowly); medical aid takes half the staff officer's time (no teams lost)."""
    tasked = means([f"{T}.tasks={{training: {{unit: cadets, team_share: 0.3, per_team_day: 0.5}}, "
                    "medical: {unit: patients, role: staff, role_share: 0.5, per_person_day: 4}}"])
    assert tasked["items_cleared"] < 0.9 * calm["items_cleared"]
    assert tasked["team_days_worked"] < 0.8 * calm["team_days_worked"]
    # output = 0.3 of the six teams' workdays (6 a week, about 700 days in theatre) at
    # 0.5 cadets each; teams waiting for one of the four vehicles still train cadets
    assert 0.3 * 0.5 * 6 * 6 / 7 * 650 < tasked["output.training"] < 0.3 * 0.5 * 6 * 6 / 7 * 720
    assert tasked["team_days_worked"] / 0.7 <= tasked["output.training"] / 0.5 / 0.3
    # one staff officer, half time, 6 workdays a week, for about 700 days in theatre
    assert 700 * 6 / 7 * 0.5 * 4 * 0.9 < tasked["output.medical"] < 740 * 6 / 7 * 0.5 * 4


def test_a_task_begun_by_the_timeline_gives_output_only_from_its_date() -> None:
    """Cadet training from 2004-08-01 takes a fifth of the teams' workdays from then:
    output accrues only after the date, and clearance slows only after it."""
    tasks = f"{T}.tasks={{cadets: {{unit: cadets, team_share: 0.0, per_team_day: 1}}}}"
    data = load_scenario(KAZBAT, [tasks]).scenario.data()
    plain = run_replication(scenario(data), 0, seed=5)
    data["timeline"] = [{"at": "2004-08-01", "set": {f"{T}.tasks.cadets.team_share": 0.2}}]
    later = run_replication(scenario(data), 0, seed=5)
    assert plain.metrics["output.cadets"] == 0
    # six teams x 6/7 workdays x 0.2 x about a year in theatre after the date
    assert 6 * 6 / 7 * 0.2 * 300 < later.metrics["output.cadets"] < 6 * 6 / 7 * 0.2 * 366
    cut = list(plain.dates).index("2004-08-01")
    assert later.series["items_cleared_cum"][:cut] == plain.series["items_cleared_cum"][:cut]
    assert later.metrics["items_cleared"] < plain.metrics["items_cleared"]


def test_water_follows_demand_up_to_capacity(calm: dict[str, float]) -> None:
    """Mechanism: stations produce what the people served need, never above capacity."""
    low = means([f"{T}.water.people_served=500", f"{T}.water.litres_per_person_day=10"], reps=2)
    high = means([f"{T}.water.people_served=5000", f"{T}.water.litres_per_person_day=10"], reps=2)
    assert low["water_litres"] == pytest.approx(calm["water_litres"] / 4, rel=1e-9)
    assert high["water_litres"] == calm["water_litres"]  # 50,000 litres wanted, 20,000 possible


def test_hard_to_reach_ordnance_yields_less_as_the_stock_runs_down(calm: dict[str, float]) -> None:
    """Mechanism: routine yields scale with (left / stock)^k; with a small stock, the
    easy items go first and routine work finds less and less."""
    small = [f"{T}.ordnance_stock=3000000"]
    easy = means(small)
    hard = means([*small, f"{T}.ordnance_access_exponent=3"])
    assert hard["items_cleared_routine"] < 0.9 * easy["items_cleared_routine"]
    assert hard["ordnance_remaining"] > easy["ordnance_remaining"]


def test_bad_security_inputs_are_refused() -> None:
    base: dict[str, Any] = load_scenario(KAZBAT).scenario.data()
    from sim.scenario.paths import set_path
    for path, value in [(f"{T}.security.level", 1.5), (f"{T}.security.initial_regime", "nowhere"),
                        (f"{T}.security.regimes", {"a": {"level": 0.5, "mean_days": 10, "next": {"a": 0.5}}}),
                        (f"{T}.tasks", {"x": {"unit": "u", "team_share": 0.6}, "y": {"unit": "u", "team_share": 0.6}})]:
        data = dict(base)
        set_path(data, path, value)
        with pytest.raises(ValueError):
            scenario(data)


def test_a_tasks_output_is_reported_in_the_unit_its_entry_names() -> None:
    """`unit:` is no comment: the report and a comparison show it (not 'task units')."""
    import sim
    from sim.studies.compare.comparison import difference

    sets = ["end=2003-10-01", f"{T}.tasks={{medical: {{unit: patients, role: staff, role_share: 0.5, "
            "per_person_day: 4}}"]
    report = sim.run(KAZBAT, reps=2, workers=1, set=sets, draws=0).report
    assert report.metrics["output.medical"].unit == "patients"
    assert difference(report, report, "output.medical", paired=True).unit == "patients"
