"""Metrics read by a date inside a run (a record's `by:`): every metric has a `kind`
that says what it means at a date; a reading by a date is exactly what a run ended
that day reports (counts to the date, states on it, ratios and means over the window
to it), reading changes nothing of the run, and a reading by the end date is the
end-of-run metric."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_model_invariants import scenarios, valid

from sim.core.metrics import KIND_NAMES, METRICS
from sim.model.replication import Replication, month_dates
from sim.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def test_every_metric_has_a_kind():
    assert {name: info.kind for name, info in METRICS.items() if info.kind not in KIND_NAMES} == {}


def ran(sc, seed: int, index: int, reads=()):  # type: ignore[no-untyped-def]
    rep = Replication(sc, seed, index)
    rep.run(reads)
    return rep


@pytest.mark.parametrize("name", ["kazbat_2003.yaml", "kazbat_2003_2008.yaml"])
def test_a_reading_by_a_date_is_the_run_ended_that_day(name):
    sc = load_scenario(SCENARIOS / name).scenario
    dates = [dt.date(2003, 8, 1), dt.date(2004, 2, 17), dt.date(2005, 9, 10), sc.end]
    dates = [d for d in dates if d <= sc.end]
    full = ran(sc, 5, 1, dates)
    for d in dates:
        ended = ran(sc.model_copy(update={"end": d}), 5, 1)
        assert full.readings[d.isoformat()] == ended.results()[0], d
    assert full.readings[sc.end.isoformat()] == full.results()[0]


def test_reading_changes_nothing_and_counts_accumulate():
    sc = load_scenario(SCENARIOS / "kazbat_2003.yaml").scenario
    plain, read = ran(sc, 3, 0), ran(sc, 3, 0, month_dates(sc.start, sc.end))
    assert read.results()[0] == plain.results()[0]
    assert read.recorder.series == plain.recorder.series
    readings = [read.readings[d] for d in sorted(read.readings)]
    for name, info in METRICS.items():
        if info.kind == "count" and "<" not in name and readings[-1][name] is not None:
            values = [r[name] for r in readings if r[name] is not None]
            assert values == sorted(values), name
    # a state read on the first day is the series' first point
    assert [r["strength_end"] for r in readings][0] == sum(
        plain.recorder.series[f"strength.{g}"][0] for g in ("officer", "nco", "soldier"))
    # the seed's fact of day 120 has no value before it
    assert readings[1]["first_tour.items_cleared_day120"] is None
    assert readings[-1]["first_tour.items_cleared_day120"] > 0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 2**31), st.floats(0, 1))
def test_a_reading_is_the_run_ended_that_day_on_random_scenarios(data, seed, where):
    sc = valid(data)
    day = sc.start + dt.timedelta(days=int(where * sc.horizon_days))
    full = ran(sc, seed, 0, [day, sc.end])
    ended = ran(sc.model_copy(update={"end": day}), seed, 0)
    assert full.readings[day.isoformat()] == ended.results()[0]
    assert full.readings[sc.end.isoformat()] == full.results()[0]
