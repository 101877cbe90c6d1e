"""Scenario discovery: a synthetic sweep whose outcome happens exactly inside a box of two
factors, with two noise factors beside them; the CLI's refusals; the report."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.core.input_labels import input_labels
from sim.studies.discover.discovery import discover, read_sweep_store

VP, RECRUITS = "deployments.iraq.volunteer_prob", "force.recruiting.per_month"
NOISE = ["deployments.iraq.select_days", "force.attrition_per_year.soldier"]
WHERE = "rotation_fill_rate < 0.95"
SWEEP = """scenario: {base}
design: grid
levels: 11
replications: 1
seed: 1
factors:
  deployments.iraq.volunteer_prob: {{low: 0, high: 1}}
  force.recruiting.per_month: {{low: 0, high: 100, integer: true}}
  deployments.iraq.select_days: [30, 90]
  force.attrition_per_year.soldier: [0.05, 0.15]
outputs: [rotation_fill_rate]
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The stand-in model `boxed`: short rotations exactly where volunteer_prob is in
    [0.3, 0.6] and recruiting in [20, 50] a month (grid steps 0.1 and 10)."""
    from pathlib import Path

    tmp = tmp_path_factory.mktemp("discover")
    base = Path(__file__).parent.parent / "scenarios" / "kazbat_2003.yaml"
    (tmp / "box.yaml").write_text(SWEEP.format(base=base))
    db = tmp / "box.db"
    result = CliRunner().invoke(main, ["sweep", str(tmp / "box.yaml"), "--out", str(db),
                                       "--workers", "1", "--quiet",
                                       "--model", "explore_models:boxed"])
    assert result.exit_code == 0, result.output
    return str(db)


def test_store_reads_as_experiments_and_outcomes(store):
    experiments, outcomes = read_sweep_store(store)
    assert experiments.shape == (11 * 11 * 2 * 2, 4)
    assert list(experiments.columns) == [VP, RECRUITS, *NOISE]
    assert len(outcomes) == len(experiments)
    assert outcomes["rotation_fill_rate"].dtype.kind == "f"


def test_prim_returns_the_box_within_one_design_step_and_leaves_noise_out(store, tmp_path):
    result = CliRunner().invoke(main, ["discover", store, "--where", WHERE, "--format", "json",
                                       "--out", str(tmp_path / "rep")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["where"] == WHERE
    best = data["boxes"][0]
    assert set(best["restrictions"]) == {VP, RECRUITS}
    vp, rec = best["restrictions"][VP], best["restrictions"][RECRUITS]
    assert abs(vp["low"] - 0.3) <= 0.1 and abs(vp["high"] - 0.6) <= 0.1
    assert abs(rec["low"] - 20) <= 10 and abs(rec["high"] - 50) <= 10
    assert sorted(best["unrestricted"]) == sorted(NOISE)
    assert best["coverage"] >= 0.95 and best["density"] >= 0.95
    # the report: json, md, self-contained html, figures
    rep = tmp_path / "rep"
    for name in ("discover.json", "discover.md", "discover.html", "points.csv",
                 "trajectory.csv", "figures/trajectory.png", "figures/tree.png"):
        assert (rep / name).is_file(), name
    html = (rep / "discover.html").read_text()
    assert "data:image/png;base64," in html and 'src="http' not in html


def test_classification_tree_finds_the_same_factors(store):
    d = discover(store, WHERE, method="cart")
    assert d.boxes and set(d.boxes[0]["restrictions"]) <= {VP, RECRUITS}
    assert not any(label in d.tree_rules for label in input_labels(NOISE).values())
    assert "volunteer probability" in d.tree_rules
    assert d.boxes[0]["coverage"] == 1.0


def test_a_box_is_chosen_by_its_trajectory_index(store):
    d = discover(store, WHERE)
    first = d.boxes[0]["index"]
    chosen = discover(store, WHERE, box=first - 3)
    assert chosen.boxes[0]["index"] == first - 3
    frame = d.box(first - 3)
    assert list(frame.columns) == ["factor", "low", "high", "qp", "significant"]
    assert chosen.boxes[0]["coverage"] == pytest.approx(d.trajectory.coverage[first - 3])


def test_boxes_are_typed_records_also_read_by_key(store):
    for method in ("prim", "cart"):
        d = discover(store, WHERE, method=method)
        best = d.boxes[0]
        assert best["coverage"] == best.coverage and best["index"] == best.index
        assert best["restrictions"] == {k: r.to_json() for k, r in best.restrictions.items()}
        assert set(best.restrictions) <= {VP, RECRUITS}
        assert (best.qp is None) == (method == "cart")  # PRIM's every limit, with its qp
        assert all((r.qp is None) == (method == "cart") for r in best.restrictions.values())
        assert d.to_json()["boxes"][0] == best.to_json(qp=False)


@pytest.mark.parametrize("args,message", [
    (["--where", "no_metric < 1"], "no metric 'no_metric'"),
    (["--where", "rotation_fill_rate is low"], "METRIC OP VALUE"),
    (["--where", "rotation_fill_rate < 5"], "every design point"),
    (["--where", WHERE, "--box", "999"], "boxes 0 to"),
    (["--where", WHERE, "--box", "1", "--method", "cart"], "--method prim"),
])
def test_mistakes_exit_1_with_a_message(store, args, message):
    result = CliRunner().invoke(main, ["discover", store, *args])
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output


def test_a_file_that_is_not_a_sweep_store_is_refused(tmp_path):
    bogus = tmp_path / "x.db"
    bogus.write_text("not sqlite")
    result = CliRunner().invoke(main, ["discover", str(bogus), "--where", WHERE])
    assert result.exit_code == 1 and "not a kazsim sweep database" in result.output


def test_boxes_as_a_dataframe(store):
    frame = discover(store, WHERE).boxes_frame()
    first = frame[frame["rank"] == 0]
    assert set(first["factor"]) == {VP, RECRUITS}
    assert (first["qp"] < 0.05).all()


def test_noisy_outcome_keeps_only_significant_restrictions(tmp_path):
    """Cases are likely (0.9) inside a <= 0.4, b >= 0.5 and rare (0.05) outside; c and d
    are noise. Whatever PRIM peels from c and d must fail the quasi-p test."""
    import numpy as np

    from sim.studies.sweep.store import Run, Store

    rng = np.random.default_rng(3)
    names = ["a", "b", "c", "d"]
    unit = rng.uniform(size=(400, 4))
    db = tmp_path / "noisy.db"
    with Store(db) as store:
        store.initialise({"spec": "{}"}, names, unit.tolist(), unit.tolist())
        for p, (a, b, _, _) in enumerate(unit):
            case = rng.uniform() < (0.9 if a <= 0.4 and b >= 0.5 else 0.05)
            store.add(Run(p, 0, 1, {}, {"rotation_fill_rate": 0.9 if case else 1.0},
                          "ok", None, 0.0))
    d = discover(db, WHERE)
    for b in d.boxes:
        assert all(r["qp"] < 0.05 for r in b["restrictions"].values())
        assert all(q["qp"] >= 0.05 for f, q in b["qp"].items() if f not in b["restrictions"])
    best = d.boxes[0]["restrictions"]
    assert set(best) == {"a", "b"}
    assert best["a"]["high"] == pytest.approx(0.4, abs=0.05)
    assert best["b"]["low"] == pytest.approx(0.5, abs=0.05)


def test_the_report_records_the_command_that_made_it(store, tmp_path):
    """Like every other report: the command line given, not the Python process's argv."""
    rep = tmp_path / "rep"
    result = CliRunner().invoke(main, ["discover", store, "--where", WHERE, "--quiet",
                                       "--out", str(rep)])
    assert result.exit_code == 0, result.output
    command = json.loads((rep / "discover.json").read_text())["command"]
    assert command.startswith(f"kazsim discover {store} --where") and "--quiet" in command


# -- the report briefs (issue 24) -----------------------------------------------------------

TESTED_VP = {round(0.1 * k, 1) for k in range(11)}  # the grid's levels: 0, 0.1, ..., 1
TESTED_RECRUITS = set(range(0, 101, 10))


def test_the_tree_reads_at_tested_values_in_words(store):
    """Every threshold of the tree is a value the sweep ran (not sklearn's midpoint), in
    the factor's label; no "value = [206, 34]"; each line indented under its parent."""
    import re

    d = discover(store, WHERE)
    lines = d.tree_rules.splitlines()
    assert lines[0].startswith("all design points: 484 points, ")
    assert "value" not in d.tree_rules and "<=" not in d.tree_rules
    for line in lines[1:]:
        depth = (len(line) - len(line.lstrip(" "))) // 4
        assert depth >= 1 and line.startswith("    " * depth)
        found = re.match(r"\s*(volunteer probability|recruits a month) at (most|least) "
                         r"([\d.]+):", line)
        assert found, line
        value = float(found.group(3))
        assert value in (TESTED_VP if found.group(1).startswith("volunteer") else TESTED_RECRUITS)
    leaves = [n for n in d.tree_nodes if n["leaf"]]
    assert sum(n["points"] for n in leaves) == 484
    assert sum(n["cases"] for n in leaves) == int((d.cases >= d.share).sum())


def test_the_report_opens_with_findings_and_records_how_it_was_made(store, tmp_path):
    rep = tmp_path / "rep"
    result = CliRunner().invoke(main, ["discover", store, "--where", WHERE, "--quiet",
                                       "--out", str(rep)])
    assert result.exit_code == 0, result.output
    md = (rep / "discover.md").read_text()
    assert md.index("## Findings") < md.index("## How it was made") < md.index("Recommended box")
    assert "volunteer probability" in md and "deployments.iraq.volunteer_prob |" not in md
    # the tree as text stays a block of indented lines, not a Markdown table or paragraphs
    block = md.split("The same tree as text")[1]
    assert "```\nall design points" in block and "\n    recruits a month at" in block
    html = (rep / "discover.html").read_text()
    assert "<pre><code>all design points" in html
    # figures under figures/
    assert (rep / "figures" / "tree.png").is_file() and (rep / "figures" / "trajectory.png").is_file()
    assert not (rep / "tree.png").exists()
    # provenance, as report.json has it
    data = json.loads((rep / "discover.json").read_text())
    run = data["run"]
    assert run["command"].startswith(f"kazsim discover {store} --where")
    assert run["store"] == store and run["seed"] == 1 and run["replications"] == 1
    assert run["version"] and "commit" in run and run["started"]
    assert data["scenario"] == {"name": "KAZBAT 2003-04 baseline",
                                "file": str(Path(__file__).parent.parent / "scenarios"
                                            / "kazbat_2003.yaml")}
    assert run["sweep"]["command"].startswith("kazsim sweep")


def test_the_api_records_its_call_and_shows_in_a_notebook(store):
    import sim

    d = sim.discover(store, WHERE)
    assert d.provenance["command"] == f"sim.discover({store!r}, where={WHERE!r})"
    assert "<p>" in d._repr_html_() and "volunteer probability" in d._repr_html_()
    assert len(repr(d)) < 200 and "\n" not in repr(d)
    assert d.plot().axes and d.plot_trajectory().axes
