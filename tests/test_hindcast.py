"""`hindcast` (SPEC "Records and hindcasts"): an observation the model cannot meet is
outside its 90% prediction, one it meets is inside; a reading by the end date is the
end-of-run metric; a `by:` outside the run or an unknown metric is exit 1 with
file:line and nothing written; the shipped records run end to end against the mission
scenario and the report draws the record on the series."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from cli_cases import nominal_baseline
from click.testing import CliRunner

import sim
from sim.cli.app import main

ROOT = Path(__file__).resolve().parent.parent
BASELINE = str(ROOT / "scenarios" / "kazbat_2003.yaml")
RECORDS = sorted(str(p) for p in (ROOT / "records").glob("*.yaml"))


def record(tmp_path: Path, observations: str) -> str:
    path = tmp_path / "record.yaml"
    path.write_text("name: a test record\nobservations:\n" + observations)
    return str(path)


@pytest.fixture(scope="module")
def baseline_hindcast(tmp_path_factory):  # type: ignore[no-untyped-def]
    path = record(tmp_path_factory.mktemp("r"),
                  "  - {metric: items_cleared, by: 2004-06-30, at_least: 1, use: calibration, source: s}\n"
                  "  - {metric: items_cleared, by: 2004-06-30, at_most: 10, use: validation, source: s}\n"
                  "  - {metric: strength_end, by: 2005-08-01, between: [0, 100000], use: validation, source: s}\n"
                  "  - {metric: tips_received, at_least: 0, use: calibration, source: s}\n")
    return sim.hindcast(BASELINE, path, reps=3, workers=1, draws=0)


def test_inside_and_outside_the_prediction(baseline_hindcast):
    met, unmet, _, _ = baseline_hindcast.observations
    assert met["inside"] is True and met["share_consistent"] == 1.0
    assert unmet["inside"] is False and unmet["share_consistent"] == 0.0
    assert unmet["prediction"]["p05"] > 10
    assert baseline_hindcast.summary == {"calibration": {"observations": 2, "inside": 2},
                                         "validation": {"observations": 2, "inside": 1}}


def test_a_reading_by_the_end_date_is_the_end_of_run_metric(baseline_hindcast):
    _, _, by_end, at_end = baseline_hindcast.observations
    runs = baseline_hindcast.runs
    for obs, metric in ((by_end, "strength_end"), (at_end, "tips_received")):
        values = [r.metrics[metric] for r in runs]
        expected = np.percentile(values, [5, 50, 95])
        assert [obs["prediction"][k] for k in ("p05", "p50", "p95")] == pytest.approx(expected, rel=1e-12)
    assert by_end["read_at"] == at_end["read_at"] == "2005-08-01" and at_end["by"] is None
    # the counts read across the run grow to the end-of-run value
    over = at_end["over_time"]
    assert over["dates"][-1] == "2005-08-01" and over["p50"] == sorted(over["p50"])


@pytest.mark.parametrize("observation, message", [
    ("{metric: items_cleared, by: 2009-01-01, at_least: 1, use: calibration, source: s}",
     ":3: observations.0.by: 2009-01-01 is outside the run of"),
    ("{metric: items_clered, at_least: 1, use: calibration, source: s}",
     ":3: observations.0.metric: unknown metric 'items_clered'"),
    ("{metric: output.cadets, at_least: 1, use: calibration, source: s}",
     ":3: observations.0.metric: " + BASELINE + " cannot produce 'output.cadets'"),
])
def test_input_errors_are_exit_1_with_file_line_and_nothing_written(tmp_path, observation, message):
    path = record(tmp_path, f"  - {observation}\n")
    out = tmp_path / "h"
    r = CliRunner().invoke(main, ["hindcast", BASELINE, path, "--reps", "2", "--draws", "0", "--out", str(out)])
    assert r.exit_code == 1, r.output
    assert path + message in r.stderr
    assert not out.exists()


def test_validate_takes_record_files(tmp_path):
    bad = record(tmp_path, "  - {metric: killed, at_most: 0, use: calibration}\n")
    r = CliRunner().invoke(main, ["validate", *RECORDS, bad])
    assert r.exit_code == 1
    assert [f"OK {p}" for p in RECORDS] == r.stdout.splitlines()
    assert f"{bad}:3: observations.0.source: required key missing" in r.stderr


def test_the_shipped_records_against_the_mission_end_to_end(tmp_path):
    out = tmp_path / "h"
    r = CliRunner().invoke(main, ["hindcast", str(ROOT / "scenarios" / "kazbat_2003_2008.yaml"), *RECORDS,
                                  "--reps", "2", "--draws", "0", "--workers", "1", "--out", str(out),
                                  "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["format"] == "kazsim-hindcast/1" and data["run"]["command"].startswith("kazsim hindcast")
    assert [x["file"] for x in data["records"]] == RECORDS and all(len(x["sha256"]) == 64 for x in data["records"])
    assert data["summary"]["calibration"]["observations"] == 10 and data["summary"]["validation"]["observations"] == 0
    saved = json.loads((out / "hindcast.json").read_text())
    assert all(o["over_time"]["dates"] for o in saved["observations"])
    html = (out / "hindcast.html").read_text()
    assert "data:image/png;base64" in html and "Annex: reporting checklist (STRESS-DES)" in html
    assert f"Python {data['run']['python']}" in html  # the shared annex, from the run
    assert (out / "figures" / "observations.png").stat().st_size > 10_000


def test_with_draws_the_prediction_holds_what_the_assumptions_leave_open(tmp_path):
    """The prediction is taken over the draws' runs, and the stock's range widens it."""
    scenario = tmp_path / "stock.yaml"
    scenario.write_text(
        f"extends: {nominal_baseline(tmp_path)}\nname: stock unknown\nend: 2004-02-01\n"
        "assumptions:\n  deployments.iraq.theatre.ordnance_stock:\n"
        "    {range: [2000000, 16000000], source: test}\n")
    path = record(tmp_path, "  - {metric: ordnance_remaining, by: 2004-01-15, at_least: 1, "
                            "use: calibration, source: s}\n")
    nominal = sim.hindcast(str(scenario), path, reps=2, workers=1, draws=0)
    drawn = sim.hindcast(str(scenario), path, reps=2, workers=1, draws=6, reps_per_draw=1)
    assert [r.draw for r in drawn.runs] == list(range(6))
    assert all(r.draw is None for r in nominal.runs)
    spread = {name: h.observations[0]["prediction"]["p95"] - h.observations[0]["prediction"]["p05"]
              for name, h in (("nominal", nominal), ("drawn", drawn))}
    assert spread["nominal"] < 1e6 < spread["drawn"]  # the stock ranges over millions
    saved = drawn.to_dict()
    assert saved["run"]["draws"] == 6 and saved["run"]["replications"] == 2
    assert saved["uncertainty"]["assumptions"][0]["path"] == "deployments.iraq.theatre.ordnance_stock"
