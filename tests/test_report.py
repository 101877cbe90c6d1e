"""The report set: complete, loadable, self-contained, and written atomically."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from sim.core.results import ReplicationResult, UnfilledPosts
from sim.report import build_report, load_report, write_report
from sim.report.inputs import diff_inputs, flatten, non_defaults
from sim.report.json_report import FORMAT, ReportFormatError
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DATES = ["2003-08-01", "2003-09-01", "2003-10-01"]


def fake_results(n: int = 4) -> list[ReplicationResult]:
    out = []
    for i in range(n):
        r = ReplicationResult(index=i, seed=[7, i], dates=list(DATES))
        r.metrics = {"items_cleared": 1000.0 + i, "killed": 0.0, "rotation_fill_rate": (0.9, 0.94, 0.96, 1.0)[i % 4],
                     "days_to_foc": None if i % 2 else 30.0, "officer_share_end": 0.4}
        r.series = {"strength.officer": [140.0, 139.0 - i, 138.0], "strength.nco": [35.0] * 3,
                    "strength.soldier": [175.0] * 3, "officer_share": [0.4, 0.4, 0.39],
                    "deployed": [0.0, 25.0, 25.0 - i], "required": [0.0, 25.0, 25.0],
                    "items_cleared_cum": [0.0, 500.0, 1000.0 + i], "trust": [None, 0.3, 0.5],
                    "cost_cum_usd": [0.0, 1e4, 2e4]}
        r.unfilled = [UnfilledPosts("iraq", 1, "deminer", 1, "no volunteer")] if i == 0 else []
        out.append(r)
    return out


@pytest.fixture(scope="module")
def loaded():
    return load_scenario(ROOT / "scenarios" / "kazbat_2003.yaml")


def make(loaded, results=None):
    results = results or fake_results()
    return build_report(loaded, results, 7, "2026-01-01T00:00:00+00:00", 1.5), results


def test_report_json_keys_and_values(loaded):
    report, _ = make(loaded)
    report = json.loads(report.dump())
    assert report["format"] == FORMAT
    assert set(report["scenario"]) == {"name", "file", "sha256", "start", "end", "resolved"}
    assert {"replications", "seed", "version", "started", "wall_seconds", "failed",
            "command", "overrides", "commit"} <= set(report["run"])
    m = report["metrics"]["items_cleared"]
    assert m["mean"] == 1001.5 and m["min"] == 1000 and m["unit"] == "items"
    assert report["metrics"]["days_to_foc"]["happened"] == 0.5
    assert report["replications"][2] == {"index": 2, "seed": [7, 2], "draw": None,
                                         "metrics": fake_results()[2].metrics,
                                         "wall_seconds": 0.0, "events": 0}
    assert report["run"]["draws"] == 0 and "uncertainty" not in report
    assert report["series"]["trust"]["mean"][0] is None
    assert report["unfilled"][0]["missing_per_replication"] == 0.25
    th = {t["threshold"]: t for t in report["thresholds"]}
    assert th["rotation_fill_rate >= 0.95"]["breach_share"] == 0.5  # 0.90 and 0.94 breach
    assert report["assumptions"]["sources"] == list(loaded.scenario.sources)


def test_target_met_time_does_not_apply_without_a_restructuring_target(loaded):
    # Never met (0%) and not applicable (null) are different answers.
    results = fake_results()
    for r in results:
        r.metrics["officer_share_target_met_days"] = None
    assert loaded.scenario.restructure is None
    report, _ = make(loaded, results)
    assert report.metrics["officer_share_target_met_days"].happened is None
    reform = load_scenario(ROOT / "scenarios" / "nco_reform.yaml")
    report, _ = make(reform, results)
    assert report.metrics["officer_share_target_met_days"].happened == 0.0


def test_non_default_inputs_are_those_that_differ_from_the_schema(loaded):
    paths = {i["path"]: i["value"] for i in non_defaults(loaded.scenario)}
    assert paths["start"] == "2003-08-01" and paths["name"] == loaded.scenario.name
    assert "force.establishment.officer" in paths
    assert "replications" not in paths  # 30 is the schema default
    assert not any(p.startswith("growth") for p in paths)  # empty, the default


def test_inputs_diff_addresses_named_list_items():
    a = {"deployments": [{"name": "iraq", "theatre": {"doctrine": {"authority": "officer"}}}],
         "timeline": []}
    b = {"deployments": [{"name": "iraq", "theatre": {"doctrine": {"authority": "team_leader"}}}]}
    assert flatten(a)["deployments.iraq.theatre.doctrine.authority"] == "officer"
    assert diff_inputs(a, b) == [{"path": "deployments.iraq.theatre.doctrine.authority",
                                  "baseline": "officer", "value": "team_leader"}]


def test_report_set_complete_and_loadable(loaded, tmp_path):
    report, results = make(loaded)
    out = write_report(tmp_path / "rep", report, results)
    for f in ("report.json", "report.md", "report.html", "metrics.csv", "series.csv"):
        assert (out / f).is_file(), f
    pngs = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert {"strength.png", "officer_share.png", "deployed.png", "items_cleared.png",
            "trust.png", "cost.png", "histograms.png"} <= set(pngs)
    svgs = sorted(p.name for p in (out / "figures").glob("*.svg"))
    assert [s.replace(".svg", ".png") for s in svgs] == pngs
    metrics = pd.read_csv(out / "metrics.csv")
    assert list(metrics.columns[:3]) == ["scenario", "replication", "seed"]
    assert set(metrics["scenario"]) == {loaded.scenario.name}
    assert metrics["items_cleared"].tolist() == [1000, 1001, 1002, 1003]
    assert metrics["days_to_foc"].isna().tolist() == [False, True, False, True]
    series = pd.read_csv(out / "series.csv")
    assert list(series.columns) == ["series", "date", "replication", "value"]
    row = series[(series.series == "deployed") & (series.date == "2003-10-01")
                 & (series.replication == 3)]
    assert row.value.item() == 22
    assert load_report(out / "report.json").metrics["killed"].ci95 == [0, 0]
    md = (out / "report.md").read_text()
    assert "rotation_fill_rate >= 0.95" in md and "figures/strength.png" in md


def test_html_self_contained_one_image_per_figure(loaded, tmp_path):
    report, results = make(loaded)
    out = write_report(tmp_path / "rep", report, results)
    html = (out / "report.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "http://" not in html and "https://" not in html
    assert html.count("data:image/png;base64,") == len(list((out / "figures").glob("*.png")))


def test_failure_mid_write_leaves_target_untouched(loaded, tmp_path, monkeypatch):
    report, results = make(loaded)
    target = tmp_path / "rep"
    write_report(target, report, results)
    before = {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()}

    def boom(*_a, **_k):
        raise RuntimeError("disk full")

    import sim.report.writer as writer

    monkeypatch.setattr(writer, "write_documents", boom)
    report.run.seed = 99
    with pytest.raises(RuntimeError, match="disk full"):
        write_report(target, report, results)
    after = {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]  # no temp dir left behind


def test_rewrite_replaces_old_report(loaded, tmp_path):
    report, results = make(loaded)
    target = tmp_path / "rep"
    write_report(target, report, results)
    (target / "stale.txt").write_text("old")
    write_report(target, report, results)
    assert not (target / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_load_report_rejects_other_formats(tmp_path):
    other = tmp_path / "r.json"
    other.write_text(json.dumps({"format": "kazsim-report/2"}))
    with pytest.raises(ReportFormatError, match="not supported"):
        load_report(other)
    other.write_text(json.dumps({"hello": 1}))
    with pytest.raises(ReportFormatError, match="not a kazsim report"):
        load_report(other)
    other.write_text("{not json")
    with pytest.raises(ReportFormatError, match="not a readable JSON"):
        load_report(other)
