"""Reports that brief (issue 23): numbers for people, the answer first, like compared with
like, the forest plot's every significant difference, cost parts that add up, the
time-to-event headline, and the reporting-checklist annex."""
from __future__ import annotations

import json
import math
import re

import pytest
from cli_cases import ROOT, invoke, short

import sim
from sim.core.metrics import COST_PARTS
from sim.report.content import metric_rows, report_blocks
from sim.report.document import fmt, interval, to_html, to_markdown
from sim.report.draw import TickFormatter, compact
from sim.report.figures import drivers_figure, forest_figure
from sim.report.findings import amount, ranked_topics, run_findings
from sim.report.model import Report
from sim.studies.compare.comparison import build_comparison
from sim.studies.compare.report import comparison_blocks, forest_rows

# -- numbers for people ----------------------------------------------------------------------


def test_ticks_never_read_in_scientific_notation():
    assert compact(600_000) == "600k"  # was "6e+02k"
    ticks = TickFormatter()
    locs = [0, 600_000, 1_200_000, 1_800_000, 2_400_000, 3_000_000]
    ticks.set_locs(locs)
    assert [ticks(v) for v in locs] == ["0", "0.6M", "1.2M", "1.8M", "2.4M", "3M"]
    money = TickFormatter("USD")
    money.set_locs([3.030e6, 3.035e6, 3.040e6])
    assert [money(v) for v in (3.030e6, 3.035e6, 3.040e6)] == ["$3.03M", "$3.035M", "$3.04M"]
    for v in (1e-5, 0.000123, 42.0, 999.0, 12_345.0, 6e5, 7.5e8, 2e10):
        assert "e" not in compact(v).lower().replace("$", ""), (v, compact(v))


@pytest.mark.parametrize("value, unit, shown", [
    (0.9989, "share", "99.9%"), (0.1431, "share", "14.3%"), (1.0, "share", "100%"),
    (48_088_832, "USD", "48.1 M"), (6_552_640, "", "6.55 M"), (0.3987, "", "0.399"),
    (1.401, "", "1.4"), (379.2, "", "379"), (45_581.4, "", "45,581"), (1.234e-5, "", "0.0000123"),
    (0, "", "0"), (None, "", "—"), (math.nan, "", "—"), (2.4e9, "", "2.4 B")])
def test_numbers_have_about_three_figures_and_shares_are_percentages(value, unit, shown):
    assert fmt(value, unit=unit) == shown


def test_killed_reads_as_a_person_would_write_it():
    assert f"{fmt(0.9)} {interval([0.3987, 1.401])}" == "0.9 [0.399, 1.4]"
    assert amount(48_088_832, "USD") == "$48.1 million"
    assert amount(398_687, "USD") == "$399,000"


# -- synthetic reports ------------------------------------------------------------------------

def report(name: str, metrics: dict[str, list[float | None]], resolved: dict | None = None,
           seed: int = 1, start: str = "2003-08-01", end: str = "2005-08-01") -> Report:
    n = len(next(iter(metrics.values())))
    reps = [{"index": i, "seed": [seed, i], "metrics": {m: v[i] for m, v in metrics.items()}}
            for i in range(n)]
    summaries = {}
    for m, values in metrics.items():
        got = [v for v in values if v is not None]
        summaries[m] = {"mean": sum(got) / len(got) if got else None, "n": len(got),
                        "unit": {"wounded": "persons", "killed": "persons",
                                 "days_to_foc": "days"}.get(m, "items")}
        if m == "days_to_foc":
            summaries[m]["happened"] = len(got) / n
    data = {"format": "kazsim-report/1",
            "scenario": {"name": name, "file": f"{name}.yaml", "sha256": "", "start": start,
                         "end": end, "resolved": {"name": name, "start": start, "end": end,
                                                  **(resolved or {})}},
            "run": {"replications": n, "seed": seed, "failed": []},
            "metrics": summaries, "series": {}, "replications": reps}
    return Report.model_validate(data)


def test_the_forest_plot_shows_a_significant_change_in_casualties():
    """Wounded (a rare count: no relative change) used to be left out of the plot."""
    base = report("base", {"items_cleared": [100.0, 110, 120, 130],
                           "wounded": [0.0, 1, 0, 1], "killed": [0.0, 0, 1, 0]})
    worse = report("worse", {"items_cleared": [150.0, 160, 170, 181],
                             "wounded": [2.0, 3, 2, 4], "killed": [0.0, 0, 1, 0]})
    c = build_comparison([base, worse], ["a", "b"])
    shown = {d.metric: d for d in forest_rows(c)}
    assert shown["wounded"].verdict == "worse" and not shown["wounded"].relative_shown
    job = forest_figure([d.model_dump() for d in forest_rows(c)], several=False)
    assert job is not None
    rows = {r["label"]: r for r in job.spec["rows"]}
    assert rows["Wounded"]["axis"] == "change in persons (95% CI)"
    assert rows["Wounded"]["value"] == pytest.approx(2.25) and rows["Wounded"]["verdict"] == "worse"
    assert rows["Items cleared"]["axis"].startswith("change from the baseline mean, %")
    from sim.report.draw import VERDICT_STYLE

    markers = {v: style[1] for v, style in VERDICT_STYLE.items()}
    assert len(set(markers.values())) == len(markers)  # the marker says it without colour


def test_totals_over_different_horizons_get_no_verdict():
    base = report("base", {"items_cleared": [100.0, 110, 120]})
    longer = report("longer", {"items_cleared": [300.0, 320, 330]}, end="2008-10-20")
    c = build_comparison([base, longer], ["a", "b"], mode="own")
    d = c.differences[0]
    assert d.significant and d.verdict == "horizons differ"
    assert c.horizon is not None and not c.horizon.alike and c.horizon.mode == "own"
    assert any("not like for like" in w for w in c.warnings)
    assert forest_rows(c) == []


FOC_GROWTH = {"growth": [{"at": "2004-01-01", "establishment": {}}],
              "force": {"foc": {"fill": 0.9}}}


def test_time_to_event_reads_as_a_probability_by_the_end_and_a_time_when_it_happens():
    r = report("grows", {"days_to_foc": [400.0, None, None, 500.0, None, None, None, None,
                                         None, None]}, FOC_GROWTH)
    happened, when = metric_rows(r, "days_to_foc")
    assert str(happened[0]) == "Full operational capability reached by the end"
    assert happened[1] == "20%" and happened[2] == "[5.67%, 51%]"  # Wilson, 2 of 10
    assert str(when[0]) == "Days to full operational capability" and when[1] == "450"
    assert when[-1] == "where reached (20% of runs)"
    _, sentences = run_findings(r)
    assert any("reached by the end in 20% of runs (95% CI 5.67% to 51%)" in s
               and "after 450 days" in s for s in sentences), sentences


def test_a_scenario_without_growth_says_so_instead_of_zero_days():
    r = report("steady", {"days_to_foc": [0.0, 0.0, 0.0]})
    (row,) = metric_rows(r, "days_to_foc")
    assert row[1] == "no growth step" and "0" not in row[1:5]
    c = build_comparison([r, report("steady too", {"days_to_foc": [0.0, 0.0, 0.0]})], ["a", "b"])
    assert c.differences[0].verdict == "" and c.scenarios[0].not_applicable == {
        "days_to_foc": "no growth step"}
    table = next(b for b in comparison_blocks(c, []) if b[0] == "table" and b[1][0] == "metric")
    assert table[2][0][2:] == ["no growth step", "no growth step", "—", "—", "—", "—"]


def test_findings_put_what_the_question_asks_first():
    assert ranked_topics("What limits the growth, and what does it cost?")[:2] == [
        "growth", "cost"]
    assert ranked_topics("")[0] == "clearance"


# -- end to end --------------------------------------------------------------------------------

def _markdown(result) -> str:
    """A run's report.md without drawing its figures."""
    return to_markdown(report_blocks(result.report, []))


def test_cost_parts_add_up_on_every_replication_and_home_pay_is_reported(tmp_path):
    extra = ("costs:\n  vehicle_day: 5\n  purchases:\n    - {at: 2003-09-01, item: trucks, "
             "count: 2, usd: 40000}\n")
    result = sim.run(short(tmp_path, reps=2, extra=extra), workers=1)
    doc = json.loads(result.report.dump())
    assert doc["cost_parts"] == list(COST_PARTS)
    for rep in doc["replications"]:
        m = rep["metrics"]
        assert m["cost_total_usd"] == pytest.approx(sum(m[p] for p in COST_PARTS), rel=1e-12)
        assert m["cost_home_usd"] > 0 and m["cost_purchases_usd"] == 40000
    md = _markdown(result)
    assert "## Cost" in md and "Cost at home" in md
    assert "The parts add up to the total on every replication." in md


def test_the_brigade_report_opens_with_findings_and_ends_with_the_annex(tmp_path):
    res = invoke("run", ROOT / "scenarios" / "brigade.yaml", "--reps", "1", "--draws", "0", "--out",
                 tmp_path / "b", "--workers", "1", "-q")  # the nominal only: its 32 x 2 draws took 30-50 s
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "b" / "report.json").read_text())
    run = doc["run"]
    assert run["python"] and run["platform"] and run["cores"] and run["libraries"]["simpy"]
    md = (tmp_path / "b" / "report.md").read_text()
    heads = re.findall(r"^## (.*)$", md, re.M)
    assert heads[0] == "Findings" and heads[-1] == "Annex: reporting checklist (STRESS-DES)"
    findings = md.split("## Findings")[1].split("\n## ")[0]
    assert "What limits the growth" in findings  # the scenario's question
    assert "Growth was held back most by" in findings  # ... answered first
    annex = md.split("## Annex: reporting checklist (STRESS-DES)")[1]
    assert f"seed {run['seed']}" in annex and "1 replications" in annex
    assert f"kazsim {run['version']}" in annex and f"Python {run['python']}" in annex
    assert f"numpy {run['libraries']['numpy']}" in annex
    assert (run["commit"] or "not known") in annex
    assert "for the analyst to write" in annex
    assert "growth of the establishment in 3 steps" in annex  # a mechanism switched on
    for item in ("1.1 Purpose", "2.2 Mechanisms switched on", "3.1 Data sources",
                 "4.3 Estimation", "5.1 Software", "6 Code access"):
        assert item in annex


def test_a_question_key_is_the_question_the_findings_answer(tmp_path):
    result = sim.run(short(tmp_path, reps=2, extra="question: Can the battalion keep its "
                           "contingent in Iraq, and at what cost?\n"), workers=1)
    md = _markdown(result)
    assert "The question: Can the battalion keep its contingent in Iraq, and at what cost?" in md
    findings = md.split("## Findings")[1].split("\n## ")[0]
    bullets = [line for line in findings.splitlines() if line.startswith("- ")]
    assert bullets[0].startswith("- Contingents left with") and "total cost" in bullets[1]


def test_every_page_has_a_viewport_and_tables_scroll_in_their_own_box(tmp_path):
    page = to_html([("h1", "t"), ("table", ["a"], [["1"]], "a note")], "t", tmp_path)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<div class="scroll"><table>' in page and "@page{size:A4" in page


def test_report_blocks_begin_with_findings():
    r = report("r", {"items_cleared": [1.0, 2.0]})
    kinds = [b[:2] for b in report_blocks(r, [])[:3]]
    assert kinds[0][0] == "h1" and kinds[1] == ("h2", "Findings")


def test_findings_with_draws_give_the_prediction_and_what_the_answer_rests_on():
    r = report("drawn", {"items_cleared": [100.0, 120.0, 110.0]},
               {"deployments": [{"name": "iraq"}]})
    data = r.to_dict()
    data["metrics"]["items_cleared"] |= {
        "ci95": [90.0, 130.0], "prediction": {"p05": 80.0, "p50": 110.0, "p95": 140.0},
        "drivers": [{"assumption": "deployments.iraq.theatre.ordnance_stock", "share": 0.78},
                    {"assumption": "noise", "share": 0.2}]}
    data["run"] |= {"draws": 8, "replications_per_draw": 2}
    data["uncertainty"] = {"draws": 8, "replications_per_draw": 2, "assumptions": [
        {"path": "deployments.iraq.theatre.ordnance_stock", "distribution": {"range": [1, 9]},
         "nominal": 5, "source": "ASSUMPTION"}]}
    drawn = Report.model_validate(data)
    _, sentences = run_findings(drawn)
    assert any("cleared 110 items (95% CI 90 to 130 items; 90% of histories 80 to 140 items)"
               in s for s in sentences), sentences
    assert any("items cleared on ordnance_stock (78% of its variance)" in s
               for s in sentences), sentences
    assert any("8 draws of the assumptions" in s for s in sentences)


def test_the_drivers_figure_shows_the_shares_the_draws_tell_from_none_with_names_that_say_what():
    # 128 draws tell a share of 7% or more from none: the stock (60%) and the cache size
    # (20%) get their segments and legend entries; the harm (3%) is left in the white
    # rest with the interactions, which the caption says
    paths = {"stock": "deployments.iraq.theatre.ordnance_stock",
             "median": "deployments.iraq.theatre.cache_items.median",
             "people": "deployments.iraq.theatre.incident_harm.people.value"}
    r = report("drawn", {"items_cleared": [100.0, 120.0, 110.0]}, {"deployments": [{"name": "iraq"}]})
    data = r.to_dict()
    data["metrics"]["items_cleared"]["drivers"] = [
        {"assumption": paths["stock"], "share": 0.6}, {"assumption": paths["median"], "share": 0.2},
        {"assumption": "noise", "share": 0.1}, {"assumption": paths["people"], "share": 0.03}]
    data["run"] |= {"draws": 128, "replications_per_draw": 2}
    data["uncertainty"] = {"draws": 128, "replications_per_draw": 2, "assumptions": [
        {"path": p, "distribution": {"range": [1, 9]}, "nominal": 5, "source": "ASSUMPTION"}
        for p in paths.values()]}
    drawn = Report.model_validate(data)
    assert drawn.uncertainty is not None
    assert list(drawn.uncertainty.short_names().values()) == [
        "ordnance_stock", "cache_items.median", "incident_harm.people.value"]
    job = drivers_figure(drawn)
    assert job is not None and "Shares under 7%, which 128 draws cannot tell from none" in job.caption
    (row,) = job.spec["rows"]
    assert [(seg["name"], round(seg["share"], 2)) for seg in row["segments"]] == [
        ("ordnance_stock", 0.6), ("cache_items.median", 0.2), ("noise", 0.1),
        ("smaller shares, interactions and estimation error", 0.1)]
    assert job.spec["names"][:2] == ["ordnance_stock", "cache_items.median"]
    assert "incident_harm.people.value" not in job.spec["names"]
