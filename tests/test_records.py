"""Record files (SPEC "Records and hindcasts"): their shape, every problem with
file:line and key path, and their checks against a scenario; the shipped records hold
sourced calibration data only."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim.core.errors import InputError
from sim.scenario.loader import load_scenario
from sim.scenario.records import check_record, load_record

ROOT = Path(__file__).resolve().parent.parent
RECORDS = sorted((ROOT / "records").glob("*.yaml"))


def write(tmp_path: Path, observations: str, name: str = "r.yaml") -> Path:
    path = tmp_path / name
    path.write_text("name: test record\nobservations:\n" + observations)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as err:
        load_record(path)
    return [str(p) for p in err.value.problems]


def test_shipped_records_are_sourced_calibration_data_the_mission_scenario_can_read():
    assert len(RECORDS) >= 2
    sc = load_scenario(ROOT / "scenarios" / "kazbat_2003_2008.yaml").scenario
    for path in RECORDS:
        loaded = load_record(path)
        assert check_record(loaded, sc, "kazbat_2003_2008.yaml") == [], path
        for o in loaded.record.observations:
            assert o.use == "calibration", (path, o.metric)  # validation data is kept back
            assert len(o.source) > 20, (path, o.metric)
            assert not (o.by is not None and o.by.year > 2005), (path, o.metric)  # nothing after the in-sample period...
    # ...except the other tasks' mission totals, which MODEL.md allows for calibration
    late = {o.metric for p in RECORDS for o in load_record(p).record.observations if o.by is None}
    assert {m for m in late if m.startswith("output.")} == {
        "output.cadet_training", "output.blast_barriers", "output.medical_aid"}
    for banned in ("killed", "wounded", "water_litres", "persons_deployed"):
        assert banned not in late


def test_unknown_metric_names_its_line(tmp_path):
    path = write(tmp_path, "  - {metric: items_cleared, at_least: 1, use: calibration, source: s}\n"
                           "  - metric: items_clered\n    at_least: 1\n    use: calibration\n    source: s\n")
    assert problems(path) == [f"{path}:4: observations.1.metric: unknown metric 'items_clered' "
                              "(see the metric names in the README)"]


@pytest.mark.parametrize("observation, expected", [
    ("{metric: killed, at_least: 1, at_most: 2, use: calibration, source: s}", "exactly one of"),
    ("{metric: killed, use: calibration, source: s}", "found none"),
    ("{metric: killed, between: [5, 1], use: calibration, source: s}", "low end (5) is above"),
    ("{metric: killed, at_most: 1, tolerance: 1, use: calibration, source: s}", "tolerance goes with equals"),
    ("{metric: killed, at_most: 1, use: forecast, source: s}", "'calibration' or 'validation'"),
    ("{metric: killed, at_most: 1, use: calibration}", "source"),
    ("{metric: killed, at_lest: 1, use: calibration, source: s}", "at_lest"),
    ("{metric: killed, at_most: .nan, use: calibration, source: s}", "observations.0.at_most"),
    ("{metric: killed, by: 2005-02-30, at_most: 1, use: calibration, source: s}", ":3"),
])
def test_bad_shapes_are_input_errors_with_file_line_and_key(tmp_path, observation, expected):
    path = write(tmp_path, f"  - {observation}\n")
    found = problems(path)
    assert found and all(p.startswith(f"{path}:") for p in found), found
    assert any(expected in p for p in found), found


def test_a_record_is_checked_against_the_scenario(tmp_path):
    path = write(tmp_path, "  - {metric: items_cleared, by: 2009-01-01, at_least: 1, use: calibration, source: s}\n"
                           "  - {metric: output.cadets, equals: 5, use: calibration, source: s}\n"
                           "  - {metric: rotation_fill_rate.iraq, by: 2004-01-01, at_least: 0.9, use: validation, source: s}\n"
                           "  - {metric: officer_share_target_met_days, at_most: 900, use: validation, source: s}\n")
    sc = load_scenario(ROOT / "scenarios" / "kazbat_2003.yaml").scenario
    found = [str(p) for p in check_record(load_record(path), sc, "kazbat_2003.yaml")]
    assert found == [
        f"{path}:3: observations.0.by: 2009-01-01 is outside the run of kazbat_2003.yaml (2003-08-01 to 2005-08-01)",
        f"{path}:4: observations.1.metric: kazbat_2003.yaml cannot produce 'output.cadets': it has no task 'cadets' (its tasks: none)",
        f"{path}:6: observations.3.metric: kazbat_2003.yaml cannot produce 'officer_share_target_met_days': "
        "it does not apply (no restructuring target)",
    ]


def test_what_agrees_with_an_observation(tmp_path):
    path = write(tmp_path, "  - {metric: killed, at_least: 2, use: calibration, source: s}\n"
                           "  - {metric: killed, at_most: 2, use: calibration, source: s}\n"
                           "  - {metric: killed, equals: 10, tolerance: 1, use: calibration, source: s}\n"
                           "  - {metric: killed, between: [3, 4], use: calibration, source: s}\n"
                           "  - {metric: killed, equals: 7, use: calibration, source: s}\n")
    least, most, equals, between, exact = load_record(path).record.observations
    assert least.interval == (2, math.inf) and least.agrees(2) and not least.agrees(1.9)
    assert most.interval == (-math.inf, 2) and most.agrees(-5) and not most.agrees(None)
    assert equals.interval == (9, 11) and equals.agrees(11) and not equals.agrees(11.01)
    assert between.agrees(3.5) and not between.agrees(4.5)
    assert exact.agrees(7) and not exact.agrees(7.0001)
    assert [o.record() for o in (least, equals, between)] == [
        {"at_least": 2}, {"equals": 10, "tolerance": 1}, {"between": [3, 4]}]
