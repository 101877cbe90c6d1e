"""Policy search: the rotation arithmetic's exact minimum, chance constraints judged on
the estimated probability, kill-and-resume, shares, Pareto fronts, the CLI."""
from __future__ import annotations

import json
import math

import explore_models
import pytest
import yaml
from click.testing import CliRunner
from model_cases import rotation_case

from sim.cli import main
from sim.studies.optimize.policy import Objective, load_policy, parse_constraint
from sim.studies.optimize.search import Candidate, pareto_front, search, split_total
from sim.studies.optimize.store import EvaluationStore

POOL = "force.establishment.soldier"
FILL = "P(rotation_fill_rate >= 1) >= 0.9"


def pool_needed(contingent: int, tour: float, dwell: float) -> int:
    """A person back from tour k can next go on tour k + 1 + ceil(dwell / tour)."""
    return contingent * (1 + math.ceil(dwell / tour))


def write_policy(tmp_path, scenario: dict, name: str = "policy.yaml", **keys) -> str:
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(scenario))
    policy = {"scenario": "base.yaml", "seed": 1, **keys}
    (tmp_path / name).write_text(yaml.safe_dump(policy, sort_keys=False))
    return str(tmp_path / name)


def run_search(path: str, db, model=None):
    policy = load_policy(path)
    with EvaluationStore(db) as store:
        store.initialise(policy.digest(), {})
        kwargs = {"model": model} if model else {}
        return search(policy, store, workers=1, **kwargs)


# -- known answer: the rotation arithmetic ------------------------------------------------
@pytest.mark.parametrize("contingent,tour,dwell,budget", [(5, 100, 150, 40), (3, 182, 365, 60)])
def test_search_finds_the_rotation_arithmetics_exact_minimum_pool(tmp_path, contingent, tour,
                                                                  dwell, budget):
    # the search space (5..40) is larger than the budget allows: TPE, not enumeration
    path = write_policy(tmp_path, rotation_case(10, contingent, tour, dwell, 6),
                        levers={POOL: {"low": 3, "high": 40, "integer": True}},
                        objectives=[{"minimize": POOL}], constraints=[FILL],
                        replications=2, budget=budget, rerun_candidates=2,
                        rerun_replications=3)
    result = run_search(path, tmp_path / "s.db")
    assert result.sampler == "tpe"
    assert result.best is not None
    assert result.best.settings == {POOL: pool_needed(contingent, tour, dwell)}
    assert result.evaluations <= budget
    # the arithmetic's minimum is tight: the pool one below was tried and failed
    below = [c for c in result.candidates
             if c.settings[POOL] == pool_needed(contingent, tour, dwell) - 1]
    assert below and not below[0].feasible(result.policy.spec.parsed_constraints(),
                                           result.policy.spec.objectives)


def test_a_budget_covering_every_candidate_enumerates_them(tmp_path):
    path = write_policy(tmp_path, rotation_case(10, 4, 120, 100, 6),
                        levers={POOL: {"low": 4, "high": 12, "integer": True}},
                        objectives=[{"minimize": POOL}], constraints=[FILL],
                        replications=1, budget=20, rerun_candidates=1, rerun_replications=2)
    result = run_search(path, tmp_path / "s.db")
    assert result.sampler == "exhaustive"
    assert sorted(c.settings[POOL] for c in result.candidates) == list(range(4, 13))
    assert result.best is not None and result.best.settings[POOL] == pool_needed(4, 120, 100)


# -- chance constraints ------------------------------------------------------------------------
def test_constraint_estimate_is_the_share_meeting_it_and_a_null_fails_it():
    c = parse_constraint("P(officer_share_end <= 0.16) >= 0.8")
    runs = [{"officer_share_end": 0.1}] * 7 + [{"officer_share_end": 0.2},
                                                {"officer_share_end": None}, None]
    est = Candidate(0, {}, runs).constraints([c])[0]
    assert (est.met, est.replications, est.estimate) == (7, 10, 0.7)
    assert not est.ok
    # Wilson score interval for 7 of 10, from its formula
    z, n, p = 1.959963984540054, 10, 0.7
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert est.ci95 == pytest.approx((centre - half, centre + half), abs=1e-9)


@pytest.mark.parametrize("text", ["P(x <= 1)", "P(x << 1) >= 0.9", "P(x <= 1) >= 1.5",
                                  "officer_share_end <= 0.2"])
def test_malformed_constraints_are_refused(text):
    with pytest.raises(ValueError):
        parse_constraint(text)


# -- kill and resume ------------------------------------------------------------------------
def _two_lever_policy(tmp_path, **keys):
    from model_cases import quiet_force

    base = {"name": "two levers", "start": "2000-01-01", "end": "2001-01-01",
            "force": quiet_force(soldier=10),
            "training": {"courses": {"nco_course": {"seats": 5, "days": 30, "every_days": 60,
                                                    "eligible": ["soldier"],
                                                    "promotes_to": "nco"}}}}
    spec = {"levers": {explore_models.SEATS: {"low": 0, "high": 60, "integer": True},
                       explore_models.RECRUITS: {"low": 0, "high": 60, "integer": True}},
            "objectives": [{"minimize": "cost_total_usd"}],
            "constraints": ["P(officer_share_end >= 0.2) >= 0.75"],
            "replications": 4, "budget": 120, "rerun_candidates": 2,
            "rerun_replications": 8, **keys}
    return write_policy(tmp_path, base, **spec)


def test_killed_search_resumes_losing_nothing_redoing_nothing_same_answer(tmp_path):
    path = _two_lever_policy(tmp_path)
    explore_models.CALLS.clear()
    whole = run_search(path, tmp_path / "whole.db", explore_models.two_levers)
    whole_calls = list(explore_models.CALLS)

    explore_models.CALLS.clear()
    explore_models.KILL_AFTER[:] = [37]
    try:
        with pytest.raises(KeyboardInterrupt):
            run_search(path, tmp_path / "cut.db", explore_models.two_levers)
    finally:
        explore_models.KILL_AFTER.clear()
    with EvaluationStore(tmp_path / "cut.db") as store:
        kept = store.count()
    assert kept == 36  # every replication finished before the kill is stored
    before = list(explore_models.CALLS[:kept])
    explore_models.CALLS.clear()
    resumed = run_search(path, tmp_path / "cut.db", explore_models.two_levers)
    after = list(explore_models.CALLS)

    assert not set(before) & set(after)  # nothing redone
    assert before + after == whole_calls  # the same runs, in the same order
    assert resumed.to_json() == whole.to_json()
    assert resumed.best is not None


# -- shares and several objectives ------------------------------------------------------------
@pytest.mark.parametrize("weights,total,integer,expected", [
    ([1, 1, 2], 100.0, False, [25.0, 25.0, 50.0]),
    ([0, 0, 0], 90.0, False, [30.0, 30.0, 30.0]),
    ([1, 1, 1], 10.0, True, [4, 3, 3]),
])
def test_shares_split_the_total(weights, total, integer, expected):
    got = split_total(weights, total, integer)
    assert got == pytest.approx(expected)
    assert sum(got) == pytest.approx(total)


def test_pareto_front_keeps_only_undominated_candidates():
    objs = [Objective(minimize="a"), Objective(maximize="b")]
    cands = [Candidate(i, {"a": a, "b": b}) for i, (a, b) in
             enumerate([(1, 1), (2, 3), (2, 2), (3, 3), (4, 5), (1, 0)])]
    assert [c.number for c in pareto_front(cands, objs)] == [0, 1, 4]


def test_shares_lever_and_two_objectives_give_a_front_through_the_cli(tmp_path):
    path = _two_lever_policy(
        tmp_path,
        levers={"split": {"shares": [explore_models.SEATS, explore_models.RECRUITS],
                          "total": 60, "integer": True}},
        objectives=[{"minimize": "cost_total_usd"}, {"maximize": "items_cleared"}],
        constraints=[], budget=48, replications=2, rerun_replications=3)
    result = CliRunner().invoke(main, [
        "optimize", path, "--out", str(tmp_path / "s.db"), "--workers", "1", "--format",
        "json", "--model", "explore_models:two_levers", "--report", str(tmp_path / "rep")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["evaluations"] <= 48 and data["pareto"]
    for p in data["pareto"]:
        assert p["levers"][explore_models.SEATS] + p["levers"][explore_models.RECRUITS] == 60
    # cost 1000 s + 3000 r and items r - s trade off along s + r = 60: every split is on it
    assert len(data["pareto"]) >= 3
    assert (tmp_path / "rep" / "figures" / "pareto.png").is_file()
    assert "Pareto front" in (tmp_path / "rep" / "optimize.md").read_text()


# -- the CLI ------------------------------------------------------------------------------
def test_cli_json_shape_and_refusals(tmp_path):
    path = _two_lever_policy(tmp_path)
    args = ["optimize", path, "--out", str(tmp_path / "s.db"), "--workers", "1",
            "--model", "explore_models:two_levers"]
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"best", "pareto", "evaluations"}
    best = data["best"]
    assert set(best["levers"]) == {explore_models.SEATS, explore_models.RECRUITS}
    assert set(best["objectives"]) == {"cost_total_usd"}
    (con,) = best["constraints"]
    assert con["expr"] == "P(officer_share_end >= 0.2) >= 0.75"
    assert con["estimate"] >= 0.75 and con["ci95"][0] <= con["estimate"] <= con["ci95"][1]
    assert con["replications"] == 8  # re-run with more replications before declared best
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1 and "--resume" in again.output


def test_policy_file_mistakes_are_reported_with_file_and_line(tmp_path):
    path = _two_lever_policy(tmp_path, constraints=["P(no_such_metric > 1) >= 0.9"],
                             objectives=[{"minimize": "nothing"}])
    result = CliRunner().invoke(main, ["optimize", path, "--out", str(tmp_path / "s.db")])
    assert result.exit_code == 1
    assert "policy.yaml:" in result.output and "constraints.0" in result.output
    assert "objectives.0" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "s.db").exists()


def test_optimize_killed_by_sigkill_resumes_to_the_same_answer(tmp_path):
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).parent.parent
    path = _two_lever_policy(tmp_path, budget=40, replications=4, rerun_candidates=1)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(root / "tests")])}
    db = tmp_path / "killed.db"
    cmd = [sys.executable, str(root / "cli.py"), "optimize", path, "--out", str(db),
           "--workers", "1", "--quiet", "--format", "json",
           "--model", "explore_models:slow_two_levers"]

    def count() -> int:
        with sqlite3.connect(db) as con:
            if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'evaluations'"
                               ).fetchone():
                return 0
            return con.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0]

    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while time.time() < deadline and not (db.exists() and count() >= 10):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db) as con:
        before = set(con.execute("SELECT * FROM evaluations"))
    assert 10 <= len(before) < 40
    resumed = subprocess.run([*cmd, "--resume"], env=env, capture_output=True, timeout=60)
    assert resumed.returncode == 0, resumed.stderr
    with sqlite3.connect(db) as con:
        after = set(con.execute("SELECT * FROM evaluations"))
    assert before <= after  # stored evaluations untouched (wall times too): none redone
    whole = CliRunner().invoke(main, [*cmd[2:5], str(tmp_path / "whole.db"), *cmd[6:]])
    assert whole.exit_code == 0, whole.output
    assert json.loads(resumed.stdout) == json.loads(whole.output)


def test_choices_levers_and_candidates_the_scenario_refuses(tmp_path):
    # volunteer_prob 2.0 is not a probability: those candidates fail validation, are
    # stored as failed and are infeasible; the search goes on around them
    path = write_policy(tmp_path, rotation_case(10, 5, 100, 150, 6),
                        levers={POOL: {"low": 12, "high": 18, "integer": True},
                                "deployments.op.volunteer_prob": [2.0, 1.0]},
                        objectives=[{"minimize": POOL}], constraints=[FILL],
                        replications=1, budget=20, rerun_candidates=1, rerun_replications=2)
    result = run_search(path, tmp_path / "s.db")
    assert result.sampler == "exhaustive" and len(result.candidates) == 14
    assert result.best is not None
    assert result.best.settings == {POOL: 15, "deployments.op.volunteer_prob": 1.0}
    refused = [c for c in result.candidates if c.settings["deployments.op.volunteer_prob"] == 2.0]
    assert refused and all(c.runs == [None] for c in refused)
    with EvaluationStore(tmp_path / "s.db") as store:
        assert "invalid scenario for this candidate" in (store.first_error() or "")


def test_same_answer_on_any_worker_count(tmp_path):
    path = _two_lever_policy(tmp_path, budget=40, replications=4, rerun_candidates=1)
    outs = []
    for workers in ("1", "2"):
        result = CliRunner().invoke(main, [
            "optimize", path, "--out", str(tmp_path / f"w{workers}.db"), "--workers", workers,
            "--format", "json", "--model", "explore_models:two_levers"])
        assert result.exit_code == 0, result.output
        outs.append(json.loads(result.output))
    assert outs[0] == outs[1] and outs[0]["best"] is not None


def test_validate_checks_policy_files(tmp_path):
    good = _two_lever_policy(tmp_path)
    bad = _two_lever_policy(tmp_path, name="bad.yaml",
                            constraints=["P(officer_share_end <= 0.16) >= 1.5"])
    assert CliRunner().invoke(main, ["validate", good]).exit_code == 0
    result = CliRunner().invoke(main, ["validate", bad])
    assert result.exit_code == 1 and "bad.yaml" in result.output
    assert "constraints" in result.output and "Traceback" not in result.output


def test_python_api_returns_the_search_and_its_table(tmp_path):
    from sim.api import optimize

    path = _two_lever_policy(tmp_path, budget=40)
    result = optimize(path, str(tmp_path / "s.db"), workers=1,
                      model=explore_models.two_levers)
    table = result.table()
    assert len(table) == len(result.candidates)
    assert {"cost_total_usd", "feasible", "replications", explore_models.SEATS} <= set(table)
    again = optimize(path, str(tmp_path / "s.db"), workers=1,
                     model=explore_models.two_levers)  # resumed: nothing left to run
    assert again.to_json() == result.to_json()


def test_ctrl_c_exits_130_naming_the_resume_command(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).parent.parent
    path = _two_lever_policy(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(root / "tests")])}
    db = tmp_path / "s.db"
    proc = subprocess.Popen([sys.executable, str(root / "cli.py"), "optimize", path, "--out",
                             str(db), "--workers", "1", "--quiet",
                             "--model", "explore_models:slow_two_levers"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while time.time() < deadline and not db.exists():
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert b"--resume" in err and b"Traceback" not in err


def test_a_file_that_is_not_a_policy_store_is_refused(tmp_path):
    from sim.studies.sweep.store import Store

    path = _two_lever_policy(tmp_path)
    with Store(tmp_path / "sweep.db"):
        pass
    result = CliRunner().invoke(main, ["optimize", path, "--out", str(tmp_path / "sweep.db"),
                                       "--resume", "--model", "explore_models:two_levers"])
    assert result.exit_code == 1 and "not a kazsim policy-search database" in result.output
    other = _two_lever_policy(tmp_path, name="other.yaml", seed=2)
    first = CliRunner().invoke(main, ["optimize", path, "--out", str(tmp_path / "p.db"),
                                      "--workers", "1", "--quiet",
                                      "--model", "explore_models:two_levers"])
    assert first.exit_code == 0, first.output
    result = CliRunner().invoke(main, ["optimize", other, "--out", str(tmp_path / "p.db"),
                                       "--resume", "--model", "explore_models:two_levers"])
    assert result.exit_code == 1 and "holds another search" in result.output


def test_a_date_lever_is_a_date_in_the_scenario_and_iso_text_in_the_store_and_report(tmp_path):
    import datetime as dt

    levels = [dt.date(2000, 10, 1), dt.date(2001, 3, 1)]  # written as YAML dates
    path = write_policy(tmp_path, rotation_case(10, 3, 100, 150, 6),
                        levers={"deployments.op.end": levels},
                        objectives=[{"minimize": "cost_total_usd"}], replications=1,
                        budget=2, rerun_candidates=0)
    policy = load_policy(path)
    assert policy.scenario({"deployments.op.end": "2000-10-01"}).deployments[0].end == levels[0]
    result = CliRunner().invoke(main, ["optimize", path, "--out", str(tmp_path / "p.db"),
                                       "--workers", "1", "--format", "json"])
    assert result.exit_code == 0, result.output
    tried = {c["levers"]["deployments.op.end"] for c in json.loads(result.output)["pareto"]}
    assert tried <= {"2000-10-01", "2001-03-01"} and tried


# -- ties, close contenders, the base scenario's policy, the report (issue 24) ----------------
def test_candidates_that_cannot_be_told_apart_tie_and_the_report_names_no_one_winner(tmp_path):
    path = _two_lever_policy(
        tmp_path, levers={explore_models.SEATS: {"low": 6, "high": 8, "integer": True},
                          explore_models.RECRUITS: {"low": 5, "high": 6, "integer": True}},
        replications=2, rerun_replications=4, rerun_candidates=1, budget=40)
    result = CliRunner().invoke(main, [
        "optimize", path, "--out", str(tmp_path / "s.db"), "--workers", "1", "--format",
        "json", "--model", "explore_models:seats_cost_nothing", "--report",
        str(tmp_path / "rep")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["best"]["levers"][explore_models.RECRUITS] == 5
    tied = data["tied_with_best"]
    assert sorted(t["levers"][explore_models.SEATS] for t in tied) == sorted(
        {6, 7, 8} - {data["best"]["levers"][explore_models.SEATS]})
    assert all(t["tied_with_best"] and t["versus_best"]["difference"] == 0 for t in tied)
    assert all(t["replications"] == 4 for t in tied)  # close contenders re-run too
    md = (tmp_path / "rep" / "optimize.md").read_text()
    assert "These 3 candidates tie for the lowest total cost" in md
    assert "The best policy found" not in md


def test_close_contenders_are_re_run_before_one_is_declared_best(tmp_path):
    """Every candidate is as good as any other; with two replications some look better
    than the best's four. Each that looks as good is re-run while the budget lasts, so
    none left at two replications beats the declared best, and they tie."""
    path = _two_lever_policy(
        tmp_path, levers={explore_models.SEATS: {"low": 10, "high": 12, "integer": True},
                          explore_models.RECRUITS: {"low": 50, "high": 51, "integer": True}},
        objectives=[{"maximize": "items_cleared"}], replications=2, rerun_replications=4,
        rerun_candidates=1, budget=40)
    result = run_search(path, tmp_path / "s.db", model=explore_models.luck_only)
    best = result.best
    assert best is not None and len(best.runs) == 4
    for c in result.candidates:
        if c is best:
            continue
        assert c.objective("items_cleared") <= best.objective("items_cleared") or \
            len(c.runs) == 4, c.number
        assert c.versus_best is not None and (c.tied_with_best or c.versus_best.ci95[1] < 0)
    assert len(result.ties) >= 2 and result.evaluations <= 40


def test_the_report_explains_feasibility_and_compares_with_the_base_scenario(tmp_path):
    path = _two_lever_policy(tmp_path)
    rep = tmp_path / "rep"
    result = CliRunner().invoke(main, [
        "optimize", path, "--out", str(tmp_path / "s.db"), "--workers", "1", "--quiet",
        "--model", "explore_models:two_levers", "--report", str(rep)])
    assert result.exit_code == 0, result.output
    md = (rep / "optimize.md").read_text()
    assert md.index("## Findings") < md.index("## How it was made")
    assert "A candidate is feasible when" in md and "Wilson interval" in md
    assert "Against the policy the base scenario already has (NCO course seats 5; " in md
    data = json.loads((rep / "optimize.json").read_text())
    ref = data["reference"]
    assert ref["reference"] and ref["levers"][explore_models.SEATS] == 5
    assert ref["replications"] == 8  # on the same seeds as the re-run best, at their length
    # provenance, as report.json has it
    run = data["run"]
    assert run["command"].startswith("kazsim optimize") and run["seed"] == 1
    assert run["store"] == str(tmp_path / "s.db") and run["version"] and run["started"]
    assert data["scenario"]["name"] == "two levers" and data["scenario"]["file"]
    assert len(data["evaluated"]) == data["candidates"]
    # candidates.csv is for people: labelled columns, whole dollars
    import csv

    with open(rep / "candidates.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {"NCO course seats", "recruits a month", "Total cost (mean)",
            "share of replications with officer share at the end ≥ 20%", "feasible",
            "tied with best"} <= set(rows[0])
    assert not any(k.startswith("P(") or "_" in k for k in rows[0])
    assert all(r["Total cost (mean)"].isdigit() for r in rows if r["Total cost (mean)"])
    assert (rep / "figures" / "levers.png").is_file() and (rep / "figures" / "search.png").is_file()


def test_the_api_result_shows_in_a_notebook_and_records_its_call(tmp_path):
    import sim

    path = _two_lever_policy(tmp_path)
    res = sim.optimize(path, tmp_path / "s.db", workers=1, model=explore_models.two_levers)
    assert res.provenance["command"] == (f"sim.optimize({path!r}, "
                                         f"store={str(tmp_path / 's.db')!r})")
    assert "<table" in res._repr_html_() and "Findings" not in res._repr_html_()
    assert "\n" not in repr(res) and len(repr(res)) < 240
    assert res.plot().axes
