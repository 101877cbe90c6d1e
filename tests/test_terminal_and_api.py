"""A terminal that helps and an API that fits a notebook (issue 24): near misses named
instead of lists of every key, error headings without "1 error in input:", the command
named one way, names never cut short; Python warnings, re-runnable recorded calls,
`_repr_html_`, `plot()`, short reprs, `summary()` by metric; sweep designs without float
noise."""
from __future__ import annotations

import io
import subprocess
import sys
import warnings

import pytest
from cli_cases import ROOT, invoke, short
from click.testing import CliRunner
from scenario_files import BASE, write

import sim
from sim.cli import main
from sim.core.errors import InputError, Problem

VP = "deployments.iraq.volunteer_prob"


# -- errors ------------------------------------------------------------------------------------
def test_a_misspelt_key_names_the_near_one_instead_of_every_key(tmp_path):
    file = write(tmp_path, "bad.yaml",
                 BASE.replace("    end: 2005-01-01", "    end: 2005-01-01\n    volunter_prob: 0.5"))
    result = CliRunner().invoke(main, ["validate", str(file)])
    assert result.exit_code == 1
    assert "unknown key 'volunter_prob' (did you mean 'volunteer_prob'?)" in result.stderr
    assert "allowed:" not in result.stderr
    # the same through --set, and nothing near: every key, as before
    ok = write(tmp_path, "ok.yaml", BASE)
    result = CliRunner().invoke(main, ["show", str(ok), "--set",
                                       "deployments.iraq.volunter_prob=0.5"])
    assert result.exit_code == 1 and "did you mean 'volunteer_prob'?" in result.stderr
    result = CliRunner().invoke(main, ["validate", str(write(tmp_path, "far.yaml",
                                                             BASE + "colour: green\n"))])
    assert "unknown key 'colour' (allowed: name, description," in result.stderr


def test_near_misses_in_paths_metrics_and_sweep_factors(tmp_path):
    ok = write(tmp_path, "ok.yaml", BASE)
    result = CliRunner().invoke(main, ["show", str(ok), "--set",
                                       "deployments.irak.volunteer_prob=0.5"])
    assert "no list item named or numbered 'irak' at 'deployments' (did you mean 'iraq'?)" \
        in result.stderr
    result = CliRunner().invoke(main, ["validate", str(write(
        tmp_path, "t.yaml", BASE + "thresholds: ['items_clearde > 1']\n"))])
    assert "unknown metric 'items_clearde' (did you mean 'items_cleared'" in result.stderr
    sweep = write(tmp_path, "s.yaml", "scenario: ok.yaml\ndesign: grid\nlevels: 2\n"
                  "factors:\n  deployments.iraq.volunter_prob: {low: 0.2, high: 0.8}\n"
                  "outputs: [items_cleared]\n")
    result = CliRunner().invoke(main, ["validate", str(sweep)])
    assert "(did you mean 'volunteer_prob'?)" in result.stderr


def test_a_missing_file_gets_its_near_name(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["validate", "scenarios/kazbat_2003.yml"])
    assert result.exit_code == 2
    assert "no file 'scenarios/kazbat_2003.yml' (did you mean 'scenarios/kazbat_2003.yaml'?)" \
        in result.output
    result = CliRunner().invoke(main, ["validate", "scenarioz/kazbat_2003.yaml"])
    assert "there is no folder 'scenarioz' (did you mean 'scenarios'?)" in result.output


def test_errors_read_without_an_input_heading():
    one = InputError([Problem("a.yaml", 3, "force.x", "unknown key 'x'")])
    assert str(one) == "error: a.yaml:3: force.x: unknown key 'x'"
    unplaced = InputError([Problem(None, None, "deployments.iraq", "no contingent")])
    assert str(unplaced) == "error: deployments.iraq: no contingent"
    assert str(InputError.single("no such store")) == "error: no such store"
    two = InputError([Problem("a.yaml", 3, "x", "bad"), Problem("a.yaml", 5, "y", "worse")])
    assert str(two).splitlines() == ["2 errors in a.yaml:", "  a.yaml:3: x: bad",
                                     "  a.yaml:5: y: worse"]
    for err in (one, unplaced, two):
        assert "in input" not in str(err) and "<input>" not in str(err)


# -- help and tables ---------------------------------------------------------------------------
def test_help_names_the_command_one_way_and_validate_names_every_kind():
    done = subprocess.run([sys.executable, "cli.py", "validate", "--help"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("Usage: kazsim validate")
    assert "python cli.py" not in done.stdout.split("\n\n", 1)[0]
    assert "policy" in done.stdout and "record" in done.stdout


def test_terminal_tables_fold_long_names_instead_of_cutting_them(monkeypatch):
    from rich.console import Console

    from sim.cli import tables

    out = io.StringIO()
    monkeypatch.setattr(tables, "stdout_console", lambda: Console(file=out, width=40))
    tables.print_tables("", [("t", ["factor", "low"], [["EOD-qualified share, soldiers",
                                                         "0.1005"]])])
    text = " ".join(out.getvalue().split())
    assert "…" not in out.getvalue() and "0.1005" in text
    assert all(w in text for w in ("EOD-qualified", "share,", "soldiers"))


# -- sweeps ------------------------------------------------------------------------------------
def test_dry_run_levels_carry_no_float_noise(tmp_path):
    sweep = write(tmp_path, "grid.yaml", f"""scenario: {ROOT / 'scenarios' / 'kazbat_2003.yaml'}
design: grid
levels: 5
replications: 1
factors:
  {VP}: {{low: 0.1, high: 0.5}}
  force.reenlist.soldier: {{low: 0.1, high: 0.7}}
outputs: [items_cleared]
""")
    result = invoke("sweep", sweep, "--dry-run")
    assert result.exit_code == 0, result.output
    values = {float(v) for line in result.output.splitlines()[1:] for v in line.split(",")}
    assert {0.1, 0.2, 0.3, 0.4, 0.5, 0.25, 0.55} <= values
    assert "0000000" not in result.output and "9999999" not in result.output
    assert sim.sweep_design(sweep)[VP].tolist()[::5] == [0.1, 0.2, 0.3, 0.4, 0.5]


# -- the API -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("api")
    a = sim.load_scenario(short(tmp, reps=2), set={"end": "2004-01-01"})
    b = sim.load_scenario(short(tmp, "b.yaml", reps=2), set={"end": "2004-02-01"})
    return tmp, sim.run(a, workers=1), sim.run(b, workers=1)


def test_compares_over_different_horizons_warn_in_python(runs):
    tmp, a, b = runs
    a.write_report(tmp / "a")
    b.write_report(tmp / "b")
    with pytest.warns(sim.KazsimWarning, match="horizon|runs 2003-08-01 to"):
        sim.compare([str(tmp / "a" / "report.json"), str(tmp / "b" / "report.json")])


def test_the_recorded_call_is_python_that_runs_again(runs):
    tmp, a, _ = runs
    command = a.report.run.command
    assert command.startswith("sim.run(sim.load_scenario(") and "python:" not in command
    again = eval(command, {"sim": sim})  # noqa: S307 - the test is that it runs
    assert again.metrics["items_cleared"].tolist() == a.metrics["items_cleared"].tolist()
    files = [str(tmp / "short.yaml"), str(tmp / "b.yaml")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cmp = sim.compare(files, reps=1, workers=1)
    assert cmp.comparison.command == f"sim.compare({files!r}, reps=1)"


def test_results_show_in_a_notebook_with_a_short_repr_and_a_figure(runs):
    _, a, b = runs
    assert repr(a) == ("<RunResult 'short baseline': 2 replications, 2003-08-01 to "
                       "2004-01-01, seed 20040128>")
    html = a._repr_html_()
    assert html.count("<tr>") >= 5 and "Items cleared" in html
    assert a.plot().axes and a.plot("deployed").axes
    with pytest.raises(ValueError, match="this run has"):
        a.plot("no such figure")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cmp = sim.compare([a, b])
    assert "\n" not in repr(cmp) and repr(cmp).startswith("<CompareResult against")
    assert "<table" in cmp._repr_html_()


def test_summary_is_indexed_by_metric(runs):
    _, a, _ = runs
    summary = a.summary()
    assert summary.index.name == "metric" and "items_cleared" in summary.index
    row = summary.loc["items_cleared"]
    assert row["label"] == "Items cleared" and row.ci_low <= row["mean"] <= row.ci_high


def test_a_sweep_shows_its_findings_and_plots_its_main_effects(tmp_path):
    import test_sweep_models

    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    sweep = write(tmp_path, "sweeps/lhs.yaml", f"""scenario: ../scenarios/kazbat_2003.yaml
design: lhs
points: 8
replications: 2
factors:
  {VP}: {{low: 0.3, high: 0.9}}
  force.recruiting.per_month: {{low: 5, high: 15}}
outputs: [items_cleared, cost_total_usd]
""")
    sw = sim.sweep(sweep, store=tmp_path / "s.db", workers=1, model=test_sweep_models.linear)
    assert repr(sw).endswith("2 factors, 16 runs ok, 0 failed>")
    html = sw._repr_html_()
    assert "<li>Items cleared ranges from" in html and "volunteer probability" in html
    fig = sw.plot("cost_total_usd")
    assert len(fig.axes) == 2 and fig.axes[0].get_ylim() == fig.axes[1].get_ylim()
    with pytest.raises(ValueError, match="outputs: items_cleared, cost_total_usd"):
        sw.plot("killed")
    md = (sw.write_report(tmp_path / "rep") / "sweep.md").read_text()
    assert md.index("## Findings") < md.index("## Factors") < md.index("## Results per design")
    assert "sweeps/../" not in md and f"({tmp_path / 'scenarios' / 'kazbat_2003.yaml'})" in md
    assert "| volunteer probability | deployments.iraq.volunteer_prob | 0.3 to 0.9 | 0.6 |" in md
