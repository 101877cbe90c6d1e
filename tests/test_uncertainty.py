"""Assumptions as ranges: the `assumptions:` key, draws on the one execution path, the
drivers estimator on analytic cases, prediction intervals, robust comparisons."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_cases import invoke, nominal_baseline, short
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.cli.run import summary_json
from sim.core.errors import InputError
from sim.core.uncertainty import (
    DriverShare,
    PredictionInterval,
    crossed_mean_ci,
    first_order_shares,
    robust_share,
    share_floor,
    standing_out,
    standout_floor,
)
from sim.execution.limits import estimate_run
from sim.report.model import Report
from sim.scenario.assumptions import declared
from sim.scenario.loader import load_scenario
from sim.studies.compare.comparison import build_comparison
from sim.studies.draws import plan_draws, summarise, unit_column

STOCK = "deployments.iraq.theatre.ordnance_stock"
VOLUNTEER = "deployments.iraq.volunteer_prob"
VEHICLE_DAY = "costs.vehicle_day"


def assumed(tmp_path, body: str, name: str = "assumed.yaml", end: str = "2004-02-01",
            reps: int = 2):
    """The shipped baseline, short, with `body` under `assumptions:`."""
    return short(tmp_path, name, f"assumptions:\n{body}", end=end, reps=reps)


# -- the assumptions: key ----------------------------------------------------------------

def test_assumptions_are_read_inherited_removed_and_shown(tmp_path):
    path = assumed(tmp_path, f"  {STOCK}: {{range: [2000000, 16000000], source: 'ASSUMPTION: a'}}\n"
                             f"  {VOLUNTEER}: {{triangular: [0.2, 0.6, 0.9], source: 'b'}}\n")
    found = declared(load_scenario(path).scenario)
    assert [(a.path, a.nominal, a.integer) for a in found] == [
        (STOCK, 8_000_000.0, False), (VOLUNTEER, 0.6, False)]
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {path.name}\nassumptions:\n  {STOCK}: null\n")
    assert list(load_scenario(child).scenario.assumptions) == [VOLUNTEER]
    shown = sim.show(path)
    assert f"{STOCK}:" in shown and "ASSUMPTION: a" in shown
    schema = json.dumps(sim.scenario_schema())
    assert '"assumptions"' in schema and '"triangular"' in schema


@pytest.mark.parametrize("body, line, words", [
    ("  deployments.iraq.theatre.ordnance_stok: {range: [1, 2], source: x}\n", 6,
     "did you mean 'ordnance_stock'"),
    (f"  {VOLUNTEER}: {{range: [0.7, 0.9], source: x}}\n", 6, "0.6, lies outside the range"),
    (f"  {VOLUNTEER}: {{range: [0.5, 1.2], source: x}}\n", 6, "expected a number <= 1, found 1.2"),
    ("  deployments.iraq.theatre.vehicles.count: {range: [-2, 8], source: x}\n", 6,
     "expected an integer >= 0"),
    ("  deployments.iraq.theatre.vehicles.count: {range: [2.5, 8], source: x}\n", 6,
     "holds whole numbers"),
    ("  deployments.iraq.theatre.trust.initial: {lognormal: {median: 0.2, sigma: 1}, source: x}\n",
     6, "expected a number <= 1"),
    ("  deployments.iraq.theatre.approval_days: {range: [1, 2], source: x}\n", 6,
     "found a mapping (address one of its keys: dist, mean, sd)"),
    ("  seed: {range: [1, 2], source: x}\n", 6, "not an input a run draws"),
    (f"  {VOLUNTEER}: {{range: [0.2, 0.9]}}\n", 6, "source: required key missing"),
    (f"  {VOLUNTEER}: {{range: [0.2, 0.9], choice: [0.6, 0.7], source: x}}\n", 6,
     "exactly one of range, triangular, lognormal, choice"),
    ("  deployments.iraqq.volunteer_prob: {range: [0.2, 0.9], source: x}\n", 6,
     "did you mean 'iraq'"),
    (f"  {VOLUNTEER}: {{range: [0.2, 0.9], source: x}}\n"
     "  deployments.0.volunteer_prob: {range: [0.3, 0.9], source: x}\n", 7,
     f"the same value as assumption '{VOLUNTEER}'"),
])
def test_an_assumption_that_makes_no_sense_is_refused_at_its_line(tmp_path, body, line, words):
    path = assumed(tmp_path, body)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    text = str(err.value)
    assert f"{path}:{line}:" in text and words in text, text


def test_a_timeline_entry_on_the_first_day_would_replace_the_draws(tmp_path):
    first = (f"timeline:\n  - {{at: 2003-08-01, set: {{{VOLUNTEER}: 0.5}}}}\n"
             f"assumptions:\n  {VOLUNTEER}: {{range: [0.2, 0.9], source: x}}\n")
    with pytest.raises(InputError, match="replaces every drawn value on the first day"):
        load_scenario(short(tmp_path, "first.yaml", first))
    later = first.replace("2003-08-01", "2003-12-01")  # takes over from its date
    assert load_scenario(short(tmp_path, "later.yaml", later)).scenario.assumptions


def test_a_drawn_combination_that_is_no_scenario_is_refused_before_anything_runs(tmp_path):
    # each range is valid alone; together some draws select fewer days than training takes
    path = assumed(tmp_path, "  deployments.iraq.select_days: {range: [31, 60], source: x}\n"
                             "  deployments.iraq.predeployment_days: {range: [10, 58], "
                             "source: x}\n")
    [check] = sim.validate(path)
    assert not check.ok
    text = str(check.errors[0])
    assert "draw " in text and "select_days=" in text and "expected at least" in text
    with pytest.raises(InputError, match="narrow the ranges"):
        sim.run(path, draws=32)


@settings(max_examples=60, deadline=None)
@given(low=st.floats(0, 1e6), width=st.floats(1e-3, 1e6), mode=st.floats(0, 1),
       us=st.lists(st.floats(0, 1, exclude_max=True), min_size=2, max_size=20),
       kind=st.sampled_from(["range", "triangular", "lognormal"]), integer=st.booleans())
def test_a_drawn_value_lies_in_its_distribution_and_grows_with_its_quantile(
        low, width, mode, us, kind, integer):
    from sim.scenario.assumptions import LOGNORMAL_TAIL, Declared
    from sim.scenario.schema import Assumption

    high = low + width
    if integer:
        low, high = float(round(low)), float(round(low) + max(1, round(width)))
    spec = {"range": [low, high], "triangular": [low, low + mode * (high - low), high],
            "lognormal": {"median": low + 1, "sigma": 0.1 + mode}}[kind]
    a = Declared("p", Assumption.model_validate({kind: spec, "source": "s"}), low, integer)
    values = [a.value_at(u) for u in sorted(us)]
    assert values == sorted(values)
    if kind == "lognormal":
        lo, hi = a.value_at(0.0), a.value_at(1.0)
        assert lo > 0 or integer
        assert all(lo <= v <= hi for v in values) and lo == a.value_at(LOGNORMAL_TAIL / 2)
    else:
        assert all(low <= v <= high for v in values)
    assert all(isinstance(v, int) for v in values) == integer


@settings(max_examples=40, deadline=None)
@given(st.integers(4, 40), st.integers(1, 3), st.integers(0, 10_000))
def test_shares_are_in_zero_one_and_sorted_on_any_grid(draws, reps, seed):
    rng = np.random.default_rng(seed)
    x = {"a": lhs(rng, draws), "b": rng.choice([1, 2, 3], draws)}
    y = rng.lognormal(0, 1, (draws, reps)) * (1 + x["a"][:, None])
    shares = first_order_shares(x, y, categorical={"b"}, nominal_var=1.0)
    assert [s.share for s in shares] == sorted((s.share for s in shares), reverse=True)
    assert all(0 <= s.share <= 1 for s in shares)
    assert {s.assumption for s in shares} == {"a", "b", "noise"}


def test_the_design_is_a_latin_hypercube_and_integer_paths_are_whole(tmp_path):
    u = unit_column("key", 32, 7)
    assert sorted(np.floor(u * 32).astype(int)) == list(range(32))  # one point per stratum
    assert np.array_equal(u, unit_column("key", 32, 7))
    assert not np.array_equal(u, unit_column("key", 32, 8))
    sc = load_scenario(assumed(tmp_path, "  deployments.iraq.theatre.vehicles.count: "
                                         "{range: [2, 12], source: x}\n")).scenario
    plan = plan_draws(sc, 16, 1, 3)
    counts = [v["deployments.iraq.theatre.vehicles.count"] for v in plan.values]
    assert all(isinstance(c, int) and 2 <= c <= 12 for c in counts) and len(set(counts)) > 5
    assert [s.deployments[0].theatre.vehicles.count for s in plan.scenarios] == counts


# -- statistics on analytic cases ------------------------------------------------------------

def lhs(rng, n):
    return (rng.permutation(n) + rng.random(n)) / n


def test_drivers_recover_the_shares_of_an_additive_model():
    # Y = a + 2b (+ noise) with a, b independent uniforms on [0, 1): var(a) = 1/12 and
    # var(2b) = 4/12, so a explains 0.2 and b 0.8 of var(a + 2b); with noise of variance
    # s2 the shares are (1/12, 4/12, s2) / (5/12 + s2). c is drawn and ignored. Stated
    # tolerance: 0.05 at 1024 draws (the estimator's spread there is about 0.02).
    rng = np.random.default_rng(1)
    a, b, c = lhs(rng, 1024), lhs(rng, 1024), lhs(rng, 1024)
    for s in (0.0, 0.3):
        y = (a + 2 * b)[:, None] + rng.normal(0, s, (1024, 2))
        total = 5 / 12 + s ** 2
        shares = {d.assumption: d.share
                  for d in first_order_shares({"a": a, "b": b, "c": c}, y)}
        assert shares["a"] == pytest.approx(1 / 12 / total, abs=0.05)
        assert shares["b"] == pytest.approx(4 / 12 / total, abs=0.05)
        assert shares["c"] < 0.02
        assert shares["noise"] == pytest.approx(s ** 2 / total, abs=0.02)


def test_an_assumption_the_model_ignores_stays_under_the_share_floor_in_95_percent_of_designs():
    # the floor the drivers figure keeps shares above: at 32 and at 128 draws, over 400
    # designs each, an ignored assumption's share exceeds it in about 5% of them
    rng = np.random.default_rng(3)
    for draws in (32, 128):
        above = [{d.assumption: d.share for d in first_order_shares(
                     {"x": lhs(rng, draws)}, rng.normal(size=(draws, 1)))}.get("x", 0.0) > share_floor(draws)
                 for _ in range(400)]
        assert 0.02 <= np.mean(above) <= 0.09, (draws, np.mean(above))
    assert share_floor(32) == pytest.approx(0.19, abs=0.01) and share_floor(128) == pytest.approx(0.065, abs=0.005)


def test_the_largest_of_many_ignored_assumptions_stays_under_the_standout_floor():
    # naming "what a metric rests on" picks the largest of many shares: with 36 ignored
    # assumptions and 32 draws, one usually passes the per-assumption floor by chance;
    # the largest passes the standout floor in about 5% of designs
    rng = np.random.default_rng(5)
    draws, names = 32, [f"a{i}" for i in range(36)]
    largest = []
    for _ in range(150):
        shares = first_order_shares({n: lhs(rng, draws) for n in names},
                                    rng.normal(size=(draws, 1)))
        largest.append(max((d.share for d in shares if d.assumption != "noise"), default=0))
    assert np.mean(np.array(largest) > share_floor(draws)) > 0.5
    assert np.mean(np.array(largest) > standout_floor(draws, len(names))) <= 0.1
    assert standout_floor(32, 1) == pytest.approx(share_floor(32), rel=1e-4)
    assert standout_floor(32, 36) > standout_floor(128, 36) > standout_floor(128, 5)


def test_only_drivers_that_stand_out_are_named_largest_first():
    noise, stock, vol = (DriverShare("noise", 0.3), DriverShare("stock", 0.6),
                         DriverShare("vol", 0.1))
    assert standing_out([noise, vol, stock], 0.2) == [stock, noise]  # vol could be chance
    assert standing_out([DriverShare("stock", 0.4), noise], 0.5) == []  # none stands out
    assert standing_out([DriverShare("noise", 0.7), DriverShare("stock", 0.2)], 0.5) == [
        DriverShare("noise", 0.7)]
    # few draws: every assumption estimated at 0, a little noise, the rest unexplained
    assert standing_out([DriverShare("noise", 0.035), DriverShare("stock", 0.0)], 2.5) == []
    # noise smaller than the unexplained rest is not named, and does not hide what follows
    small, vol = DriverShare("noise", 0.06), DriverShare("vol", 0.055)
    assert standing_out([small, vol, DriverShare("stock", 0.5)], 0.05) == [
        DriverShare("stock", 0.5), vol]


def test_a_report_with_few_draws_names_no_assumption_it_cannot_tell_from_chance(tmp_path):
    # 8 draws of the baseline's dozens of assumptions: no share can be told from chance,
    # so neither the table nor the findings name one
    out = tmp_path / "r"
    result = invoke("run", "kazbat_2003", "--set", "end=2004-02-01", "--draws", "8",
                    "--reps", "1", "--workers", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    report = Report.model_validate_json((out / "report.json").read_text())
    assert report.uncertainty is not None and report.uncertainty.standout_floor() > 1
    assert "none stands out" in result.output
    md = (out / "report.md").read_text()
    named = {a.path.split(".")[-1] for a in report.uncertainty.assumptions}
    rests = [line for line in md.splitlines() if "rests mostly on" in line and "expected" in line]
    assert rests and not any(f"rests mostly on {n}" in line for line in rests for n in named)
    assert "no assumption's share can be told from chance" in md


def test_a_choice_assumption_is_grouped_by_its_values():
    rng = np.random.default_rng(2)
    kind = rng.choice(["x", "y"], 2000)
    y = np.where(kind == "x", 0.0, 1.0)[:, None] + rng.normal(0, 0.5, (2000, 2))
    shares = {d.assumption: d.share
              for d in first_order_shares({"kind": kind}, y, categorical={"kind"})}
    assert shares["kind"] == pytest.approx(0.25 / 0.5, abs=0.05)  # 0.25 / (0.25 + 0.25)


def test_the_mean_interval_covers_over_draws_and_shared_replications():
    # Y[d, r] = A_d + B_r + E: draws and the replications they share are crossed random
    # factors; the interval must cover the true mean (0) about 95% of the time.
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(300):
        y = rng.normal(0, 1, (32, 1)) + rng.normal(0, 0.7, (1, 2)) + rng.normal(0, 0.5, (32, 2))
        nominal = rng.normal(0, 0.7, 30) + rng.normal(0, 0.5, 30)
        _, ci = crossed_mean_ci(y, float(nominal.var(ddof=1)), 30)
        hits += ci[0] <= 0 <= ci[1]
    assert 0.90 <= hits / 300 <= 0.99


def test_robust_share_counts_the_draws_that_keep_the_sign():
    assert robust_share(np.full((8, 2), 3.0), 3.0) == 1.0
    assert robust_share(np.zeros((8, 2)), 0.0) == 0.0
    mixed = np.array([[1.0], [2.0], [-1.0], [0.0]])
    assert robust_share(mixed, 0.5) == 0.5


# -- runs with draws --------------------------------------------------------------------------

def test_without_draws_the_assumptions_change_nothing(tmp_path):
    plain = sim.run(short(tmp_path, "plain.yaml", reps=2), workers=1)
    with_block = sim.run(assumed(tmp_path, f"  {STOCK}: {{range: [2000000, 16000000], "
                                           "source: x}\n"), workers=1, draws=0)
    assert with_block.report.run.draws == 0 and with_block.report.uncertainty is None
    assert plain.metrics.drop(columns="scenario").equals(
        with_block.metrics.drop(columns="scenario"))


def test_draws_share_the_nominal_random_numbers_and_any_executor(tmp_path):
    # costs.vehicle_day moves the cost and nothing else: with common random numbers every
    # run of draw d gives the nominal replication's items exactly, and its share of the
    # variance of items cleared is 0 (an assumption the model ignores for that metric).
    path = assumed(tmp_path, f"  {VEHICLE_DAY}: {{range: [2, 20], source: x}}\n",
                   end="2003-10-15")
    runs = [sim.run(path, workers=w, draws=4, reps_per_draw=2, scheduler=s)
            for w, s in ((1, None), (2, None), (2, "local"))]
    frames = [r.metrics for r in runs]
    assert frames[0].equals(frames[1]) and frames[0].equals(frames[2])
    m = frames[0]
    nominal = m[m.draw.isna()].set_index("replication").items_cleared
    drawn = m[m.draw.notna()]
    assert list(drawn.draw) == [0, 0, 1, 1, 2, 2, 3, 3]
    assert all(row.items_cleared == nominal[row.replication] for row in drawn.itertuples())
    assert drawn.cost_total_usd.nunique() == 8
    res = runs[0]
    assert list(res.draws.columns) == ["draw", VEHICLE_DAY] and len(res.draws) == 4
    drivers = res.drivers.set_index(["metric", "assumption"]).share
    assert drivers["items_cleared", VEHICLE_DAY] == 0
    assert drivers["cost_total_usd", VEHICLE_DAY] > 0.5
    p = res.prediction.set_index("metric").loc["cost_total_usd"]
    assert p.p05 <= p.p50 <= p.p95
    # what another study (a hindcast) reads of any value of a run, the same way
    found = summarise(res.results, res.report.uncertainty, lambda r: r.metrics["cost_total_usd"])
    assert found.prediction == PredictionInterval(p.p05, p.p50, p.p95)
    assert found.mean == res.report.metrics["cost_total_usd"].mean


def test_the_stock_drives_items_cleared_and_volunteering_drives_fill(tmp_path):
    # The brief's check: on kazbat_2003.yaml with the stock in [2 M, 16 M] and the
    # volunteer probability in [0.2, 0.9], and no other assumption, the stock is the top
    # driver of items cleared and the volunteer probability that of the fill rate. The
    # horizon is cut to 18 months (three rotations) to keep the test short.
    path = tmp_path / "kazbat_ranges.yaml"
    path.write_text(f"extends: {nominal_baseline(tmp_path).name}\nend: 2005-02-01\nassumptions:\n"
                    f"  {STOCK}: {{range: [2000000, 16000000], source: 'ASSUMPTION'}}\n"
                    f"  {VOLUNTEER}: {{range: [0.2, 0.9], source: 'ASSUMPTION'}}\n")
    res = sim.run(path, reps=4, draws=32, reps_per_draw=1, workers=2)
    top = {m: res.report.metrics[m].drivers[0] for m in ("items_cleared", "rotation_fill_rate")}
    assert top["items_cleared"].assumption == STOCK and top["items_cleared"].share > 0.5
    assert top["rotation_fill_rate"].assumption == VOLUNTEER


def test_reps_auto_concerns_the_nominal_and_the_draws_follow(tmp_path):
    path = assumed(tmp_path, f"  {VEHICLE_DAY}: {{range: [2, 20], source: x}}\n",
                   end="2003-10-15")
    res = sim.run(path, reps="auto", max_reps=2, draws=3, reps_per_draw=1, workers=1)
    assert res.report.run.reps_auto is not None and res.report.run.replications == 2
    assert res.metrics.draw.tolist()[2:] == [0, 1, 2]


def test_run_cli_with_draws_writes_the_uncertainty(tmp_path):
    path = assumed(tmp_path, f"  {VEHICLE_DAY}: {{range: [2, 20], source: 'ASSUMPTION: fuel'}}\n"
                             f"  {STOCK}: {{choice: [4000000, 8000000], source: x}}\n",
                   end="2003-12-01")
    out = tmp_path / "rep"
    res = invoke("run", path, "--out", out, "--workers", "2", "--draws", "6",
                 "--reps-per-draw", "1")
    assert res.exit_code == 0, res.output
    assert "90% prediction" in res.stdout and "rests mostly on" in res.stdout
    summary = summary_json(sim.load_report(out / "report.json"), out)  # --format json
    assert summary["uncertainty"]["draws"] == 6 and "draw_values" not in summary["uncertainty"]
    assert set(summary["metrics"]["items_cleared"]) >= {"prediction", "drivers", "nominal"}
    report = json.loads((out / "report.json").read_text())
    assert report["run"]["draws"] == 6 and report["run"]["replications_per_draw"] == 1
    assert report["run"]["replications"] == 2
    u = report["uncertainty"]
    assert [a["path"] for a in u["assumptions"]] == [VEHICLE_DAY, STOCK]
    assert u["assumptions"][0] == {"path": VEHICLE_DAY, "distribution": {"range": [2.0, 20.0]},
                                   "nominal": 5.0, "source": "ASSUMPTION: fuel"}
    m = report["metrics"]["cost_total_usd"]
    assert set(m) >= {"nominal", "prediction", "drivers", "mean", "ci95"}
    assert [d["assumption"] for d in m["drivers"]][0] == VEHICLE_DAY
    assert all(0 <= d["share"] <= 1 for d in m["drivers"])
    assert [r["draw"] for r in report["replications"]] == [None, None, 0, 1, 2, 3, 4, 5]
    metrics = pd.read_csv(out / "metrics.csv")
    assert metrics.draw.tolist() == ["nominal", "nominal", "0", "1", "2", "3", "4", "5"]
    draws = pd.read_csv(out / "draws.csv")
    assert list(draws.columns) == ["draw", VEHICLE_DAY, STOCK]
    assert set(draws[STOCK]) <= {4000000, 8000000}
    assert "draw" in pd.read_csv(out / "series.csv").columns
    md = (out / "report.md").read_text()
    assert "## What the answer rests on" in md and "figures/drivers.png" in md
    assert "ASSUMPTION: fuel" in md and (out / "figures" / "drivers.png").is_file()


def test_too_few_draws_to_name_an_assumption_are_said_so():
    from sim.report.content import standout_rule, times

    assert standout_rule(standout_floor(32, 36), 32) == (
        "an assumption only at 47% or more: less could be chance")
    assert standout_floor(4, 46) > 1  # no share can pass it
    assert standout_rule(standout_floor(4, 46), 4) == (
        "at 4 draws none can be told from chance: more draws name one")
    assert [times(n) for n in (1, 2, 32)] == ["once", "twice", "32 times"]


def test_draws_on_a_scenario_without_assumptions_are_refused(tmp_path):
    res = invoke("run", short(tmp_path), "--out", tmp_path / "r", "--draws", "4")
    assert res.exit_code == 1 and "declares no `assumptions:`" in res.stderr


def test_the_work_estimate_counts_the_draws(tmp_path):
    sc = load_scenario(assumed(tmp_path, f"  {STOCK}: {{range: [2000000, 16000000], "
                                         "source: x}\n")).scenario
    plan = plan_draws(sc, 32, 2, 1)
    alone, drawn = estimate_run(sc, 10, 1), estimate_run(sc, 10, 1, plan.scenarios, 2)
    assert drawn.seconds == pytest.approx(alone.seconds * 7.4, rel=0.05)  # (10 + 64) / 10
    assert "32 draws x 2" in drawn.what


# -- comparisons over draws -------------------------------------------------------------------

def drawn_report(name: str, values: dict[int, list[float]], x: list[float],
                 nominal: list[float]) -> Report:
    """A saved report with draws: `values[d]` are draw d's runs of items_cleared, `x` the
    assumption's value in each draw."""
    reps = [{"index": i, "seed": [1, i], "draw": None, "metrics": {"items_cleared": v}}
            for i, v in enumerate(nominal)]
    reps += [{"index": r, "seed": [1, r], "draw": d, "metrics": {"items_cleared": v}}
             for d, runs in values.items() for r, v in enumerate(runs)]
    k = len(values[0])
    return Report.model_validate({
        "format": "kazsim-report/1",
        "scenario": {"name": name, "resolved": {"name": name, "start": "2003-08-01",
                                                "end": "2005-08-01"}},
        "run": {"replications": len(nominal), "seed": 1, "draws": len(values),
                "replications_per_draw": k},
        "metrics": {"items_cleared": {"mean": float(np.mean([v for r in values.values()
                                                              for v in r]))}},
        "replications": reps,
        "uncertainty": {"draws": len(values), "replications_per_draw": k,
                        "assumptions": [{"path": "x", "distribution": {"range": [-1, 1]},
                                         "nominal": 0.0, "source": "s"}],
                        "draw_values": [{"draw": d, "values": {"x": v}}
                                        for d, v in enumerate(x)]}})


def test_a_difference_that_changes_sign_over_the_draws_depends_on_the_assumption():
    # other - base = x + 0.3 with x uniform on [-1, 1]: on average better (items up), but
    # not in the draws where x < -0.3 (35% of them): "depends on x".
    rng = np.random.default_rng(4)
    x = list(lhs(rng, 32) * 2 - 1)
    base = {d: [100.0, 101.0] for d in range(32)}
    other = {d: [100.0 + xd + 0.3, 101.0 + xd + 0.3] for d, xd in enumerate(x)}
    steady = {d: [104.0, 105.0] for d in range(32)}
    c = build_comparison([drawn_report("base", base, x, [100.0, 101.0, 99.0]),
                          drawn_report("mixed", other, x, [100.3, 101.3, 99.3]),
                          drawn_report("steady", steady, x, [104.0, 105.0, 103.0])],
                         ["a", "b", "c"])
    mixed, steady_diff = c.differences
    assert mixed.significant and mixed.depends_on == "x"
    assert mixed.robust_share == pytest.approx(0.65, abs=0.05)
    assert mixed.verdict == "depends on x"
    assert steady_diff.robust_share == 1.0 and steady_diff.verdict == "better"


def test_compare_with_draws_robust_where_a_lever_dominates_and_not_where_it_does_nothing(
        tmp_path):
    # Doubling the vehicle-day rate raises the cost in every draw and leaves the items
    # alone (common random numbers): robust_share 1 ("worse") and 0 ("no clear difference").
    base = assumed(tmp_path, f"  {STOCK}: {{range: [2000000, 16000000], source: x}}\n",
                   end="2003-12-01")
    dear = tmp_path / "dear.yaml"
    dear.write_text(f"extends: {base.name}\nname: dear vehicles\ncosts: {{vehicle_day: 50}}\n")
    out = tmp_path / "cmp"
    res = invoke("compare", base, dear, "--out", out, "--workers", "2", "--draws", "6",
                 "--reps-per-draw", "1")
    assert res.exit_code == 0, res.output
    assert "robust" in res.stdout and "no clear" in res.stdout
    doc = json.loads((out / "comparison.json").read_text())
    diffs = {d["metric"]: d for d in doc["differences"]}
    assert diffs["cost_total_usd"]["robust_share"] == 1.0
    assert diffs["cost_total_usd"]["verdict"] == "worse"
    assert diffs["items_cleared"]["robust_share"] == 0.0
    assert diffs["items_cleared"]["verdict"] == "no clear difference"
    assert [s["draws"] for s in doc["scenarios"]] == [6, 6]
    table = pd.read_csv(out / "comparison.csv")
    assert {"robust_share", "depends_on"} <= set(table.columns)
    assert "| robust | verdict |" in (out / "comparison.md").read_text()


def test_old_reports_without_draws_still_compare(tmp_path):
    old = sim.run(short(tmp_path, reps=2), workers=1).report.to_dict()
    for r in old["replications"]:
        r.pop("draw")
    old["run"].pop("draws")
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    c = sim.compare([str(path), str(path)])
    assert c.comparison.paired and c.differences.robust_share.isna().all()
