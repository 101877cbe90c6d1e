"""Loading good scenario files: extends, --set, defaults, origins, and the input commands."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from scenario_files import BASE, cli, line_of, write

from sim.core.errors import InputError
from sim.scenario.loader import deep_merge, load_scenario, scenario_from_dict
from sim.scenario.yamlio import parse_yaml

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

CHILD = """\
name: child
extends: parent/base.yaml
force:
  establishment: {officer: 12}
deployments:
  - name: syria
    start: 2004-01-01
    end: 2004-12-31
    contingent:
      - {role: support, grade: soldier, count: 2}
"""


def test_minimal_file_gets_defaults_and_keeps_raw_data(tmp_path):
    path = write(tmp_path, "s.yaml", BASE)
    loaded = load_scenario(path)
    sc = loaded.scenario
    assert sc.start == dt.date(2003, 8, 1)
    assert sc.replications == 30  # a schema default
    assert sc.deployment("iraq").contingent[1].grades == ("nco", "soldier")
    assert "replications" not in loaded.raw  # raw is before defaults
    assert loaded.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert loaded.warnings == []


def test_extends_merges_mappings_and_replaces_lists(tmp_path):
    write(tmp_path, "parent/base.yaml", BASE)
    sc = load_scenario(write(tmp_path, "child.yaml", CHILD)).scenario
    assert sc.name == "child"
    assert (sc.force.establishment.officer, sc.force.establishment.nco) == (12, 5)
    assert sc.force.qualified["eod"].nco == 0.5  # inherited
    assert [d.name for d in sc.deployments] == ["syria"]  # list replaced whole
    assert "nco_course" in sc.training.courses


def test_origins_point_into_the_file_where_each_key_was_written(tmp_path):
    parent = write(tmp_path, "parent/base.yaml", BASE)
    child = write(tmp_path, "child.yaml", CHILD)
    origins = load_scenario(child).origins
    assert origins[("force", "establishment", "officer")] == (str(child), line_of(CHILD, "officer: 12"))
    assert origins[("training", "courses", "nco_course")] == (str(parent), line_of(BASE, "nco_course"))
    assert origins[("start",)] == (str(parent), line_of(BASE, "start:"))
    # The parent's deployments were replaced: none of their lines survive.
    assert origins[("deployments", 0)][0] == str(child)
    assert not any(k[:1] == ("deployments",) and f == str(parent) for k, (f, _) in origins.items())


def test_error_in_an_inherited_key_names_the_parent_file_and_line(tmp_path):
    parent_text = BASE.replace("seats: 4", "seats: -4")
    parent = write(tmp_path, "parent/base.yaml", parent_text)
    with pytest.raises(InputError) as err:
        load_scenario(write(tmp_path, "child.yaml", CHILD))
    [p] = err.value.problems
    assert (p.file, p.line, p.path) == (str(parent), line_of(parent_text, "seats: -4"),
                                        "training.courses.nco_course.seats")
    assert p.message == "expected an integer >= 0, found -4"


def test_extends_chain_of_three_files(tmp_path):
    write(tmp_path, "a/base.yaml", BASE)
    write(tmp_path, "a/mid.yaml", "extends: base.yaml\nseed: 7\n")
    sc = load_scenario(write(tmp_path, "top.yaml", "extends: a/mid.yaml\nreplications: 3\n")).scenario
    assert (sc.name, sc.seed, sc.replications) == ("small", 7, 3)


def test_deep_merge_reports_what_it_replaced():
    replaced: set = set()
    out = deep_merge({"a": {"b": 1, "c": [1, 2]}, "d": 1}, {"a": {"c": [3]}, "e": 2}, (), replaced)
    assert out == {"a": {"b": 1, "c": [3]}, "d": 1, "e": 2}
    assert replaced == {("a", "c"), ("e",)}


@pytest.mark.parametrize("override, check", [
    ("deployments.iraq.tour_days=90", lambda sc: sc.deployments[0].tour_days == 90),
    ("deployments.0.contingent.1.count=9", lambda sc: sc.deployments[0].contingent[1].count == 9),
    ("deployments.iraq.contingent.deminer.requires=[eod, english]",
     lambda sc: sc.deployments[0].contingent[1].requires == ["eod", "english"]),
    ("force.recruiting.per_month=2.5", lambda sc: sc.force.recruiting.per_month == 2.5),
    ("end=2006-01-01", lambda sc: sc.end == dt.date(2006, 1, 1)),
])
def test_set_overrides_by_name_role_and_index(tmp_path, override, check):
    text = BASE.replace("  qualified:", "  qualified:\n    english: {officer: 0.1}")
    loaded = load_scenario(write(tmp_path, "s.yaml", text), overrides=[override])
    assert check(loaded.scenario)
    assert (f"--set {override}", None) in loaded.origins.values()


def test_later_set_wins_and_error_names_the_override(tmp_path):
    path = write(tmp_path, "s.yaml", BASE)
    sc = load_scenario(path, ["seed=1", "seed=2"]).scenario
    assert sc.seed == 2
    with pytest.raises(InputError) as err:
        load_scenario(path, ["deployments.iraq.contingent.deminer.count=-1"])
    [p] = err.value.problems
    assert p.file == "--set deployments.iraq.contingent.deminer.count=-1"
    assert p.path == "deployments.iraq.contingent.1.count"
    assert "found -1" in p.message


def test_scenario_from_dict_validates_and_uses_the_line_map(tmp_path):
    data, lines = parse_yaml(BASE, "b.yaml")
    assert scenario_from_dict(data).name == "small"
    data["force"]["establishment"]["nco"] = -1
    with pytest.raises(InputError) as err:
        scenario_from_dict(data, "b.yaml", lines)
    [p] = err.value.problems
    assert (p.file, p.line, p.path) == ("b.yaml", line_of(BASE, "establishment"),
                                        "force.establishment.nco")


def test_line_map_of_yaml():
    data, lines = parse_yaml("a: 1\nb:\n  - {x: 2}\n  - y: 3\n    z: 2003-01-02\n")
    assert data == {"a": 1, "b": [{"x": 2}, {"y": 3, "z": dt.date(2003, 1, 2)}]}
    assert lines[("b", 0, "x")] == 3
    assert lines[("b", 1)] == 4
    assert lines[("b", 1, "z")] == 5


# -- commands ------------------------------------------------------------------------

def test_validate_accepts_every_shipped_scenario():
    files = sorted(str(p) for p in SCENARIOS.glob("*.yaml"))
    result = CliRunner().invoke(cli(), ["validate", *files])
    assert result.exit_code == 0, result.output
    assert [line for line in result.stdout.splitlines()] == [f"OK {f}" for f in files]


def test_show_prints_the_resolved_scenario_that_loads_back(tmp_path):
    write(tmp_path, "parent/base.yaml", BASE)
    child = write(tmp_path, "child.yaml", CHILD)
    result = CliRunner().invoke(cli(), ["show", str(child), "--set", "seed=11"])
    assert result.exit_code == 0, result.output
    assert "start: 2003-08-01\n" in result.stdout  # ISO date, unquoted
    shown = yaml.safe_load(result.stdout)
    assert "extends" not in shown
    assert (shown["seed"], shown["replications"], shown["force"]["establishment"]["nco"]) == (11, 30, 5)
    again = load_scenario(write(tmp_path, "shown.yaml", result.stdout)).scenario
    assert again == load_scenario(child, ["seed=11"]).scenario.model_copy(update={"extends": None})


def test_schema_prints_json_schema():
    result = CliRunner().invoke(cli(), ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert {"name", "start", "end", "force", "deployments", "timeline"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_validate_hands_sweep_files_to_the_sweep_loader(tmp_path):
    scenario = Path(__file__).resolve().parents[1] / "scenarios" / "kazbat_2003.yaml"
    head = f"scenario: {scenario}\ndesign: grid\nreplications: 1\nseed: 1\noutputs: [items_cleared]\n"
    good = write(tmp_path, "good.yaml", head + "factors:\n  deployments.iraq.volunteer_prob: [0.5, 0.7]\n")
    bad = write(tmp_path, "bad.yaml", head + "factors:\n  deployments.iraq.no_such_key: [1, 2]\n")
    result = CliRunner().invoke(cli(), ["validate", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"OK {good}" in result.stdout
    assert f"{bad}:7: factors.deployments.iraq.no_such_key" in result.stderr


def test_copy_data_is_a_deep_copy_of_plain_data():
    import datetime as dt

    from sim.scenario.paths import copy_data, set_path

    shared = {"x": [1, {"y": 2.5}]}
    data = {"a": shared, "b": [shared, None, True, "s"], "when": dt.date(2004, 1, 1)}
    out = copy_data(data)
    assert out == data
    set_path(out, "a.x.1.y", 9.0)
    out["b"][0]["x"].append(3)
    assert data == {"a": {"x": [1, {"y": 2.5}]}, "b": [shared, None, True, "s"],
                    "when": dt.date(2004, 1, 1)}  # the original untouched
    assert out["a"] is not out["b"][0]  # shared parts copied apart
