"""Bad input: exit 1, every problem with file, line, key path, expected and found; no
traceback, no code run. Warnings do not fail a file."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from scenario_files import BASE, cli, line_of, write

from sim.core.errors import InputError
from sim.scenario.loader import load_scenario


def edit(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new)


# (case, file text, fragment on the reported line, key path, message fragment)
CASES = [
    ("unknown key", BASE + "colour: green\n", "colour:", "colour",
     "unknown key 'colour' (allowed: name, description,"),
    ("unknown nested key", edit("    end: 2005-01-01", "    end: 2005-01-01\n    tour_dayz: 90"),
     "tour_dayz", "deployments.iraq.tour_dayz", "unknown key 'tour_dayz' (did you mean 'tour_days'?)"),
    ("wrong type", edit("seats: 4", "seats: many"), "seats: many",
     "training.courses.nco_course.seats", "expected an integer, found 'many'"),
    ("wrong date", edit("end: 2005-08-01", "end: next year"), "end: next year", "end",
     "expected an ISO date (YYYY-MM-DD), found 'next year'"),
    ("negative count", edit("grade: officer, count: 1", "grade: officer, count: -3"), "count: -3",
     "deployments.iraq.contingent.0.count", "expected an integer >= 0, found -3"),
    ("establishment below zero", edit("officer: 10,", "officer: -10,"), "establishment:",
     "force.establishment.officer", "expected an integer >= 0, found -10"),
    ("missing required key", edit("name: small\n", ""), "start:", "name", "required key missing"),
    ("unknown grade", edit("[nco, soldier]", "[nco, sergeant]"), "sergeant",
     "deployments.iraq.contingent.1.grade.1", "expected one of 'officer', 'nco' or 'soldier', found 'sergeant'"),
    ("end before start", edit("end: 2005-08-01", "end: 2003-01-01"), "end: 2003-01-01", "end",
     "expected a date after start (2003-08-01), found 2003-01-01"),
    ("deployment end before start", edit("    end: 2005-01-01", "    end: 2003-08-01"), "end: 2003-08-01",
     "deployments.iraq.end", "expected a date after the deployment's start"),
    ("selection shorter than preparation",
     edit("    end: 2005-01-01", "    end: 2005-01-01\n    select_days: 10\n    predeployment_days: 30"),
     "select_days", "deployments.iraq.select_days", "expected at least predeployment_days (30)"),
    ("promotion cycle",
     edit("promotes_to: nco}", "promotes_to: nco}\n    demotion: {seats: 1, days: 9, every_days: 99, "
          "eligible: [nco], promotes_to: soldier}"),
     "nco_course", "training.courses.nco_course.promotes_to",
     "promotion cycle: nco -> soldier (demotion) -> nco (nco_course)"),
    ("prerequisite nobody grants",
     edit("promotes_to: nco}", "promotes_to: nco}\n    imet: {seats: 1, days: 9, every_days: 99, "
          "eligible: [officer], requires: [english], grants: nato}"),
     "imet", "training.courses.imet.requires.0", "prerequisite 'english' can never be met"),
    ("course grants and promotes",
     edit("promotes_to: nco}", "promotes_to: nco, grants: eod}"), "nco_course",
     "training.courses.nco_course", "either grants a qualification or promotes to a grade, found both"),
    ("growth step before start",
     BASE + "growth:\n  - {at: 2002-01-01, establishment: {officer: 20}}\n", "2002-01-01",
     "growth.0.at", "expected a date on or after start (2003-08-01), found 2002-01-01"),
    ("seat cost of no course", BASE + "costs:\n  course_seat: {eod_course: 100}\n", "eod_course",
     "costs.course_seat.eod_course", "expected the name of a course (nco_course), found 'eod_course'"),
    ("timeline date after end",
     BASE + "timeline:\n  - {at: 2009-01-01, set: {seed: 3}}\n", "2009-01-01", "timeline.0.at",
     "expected a date on or before the scenario's end (2005-08-01), found 2009-01-01"),
    ("timeline path that does not exist",
     BASE + "timeline:\n  - at: 2004-01-01\n    set:\n      deployments.iraq.theatre.vehicles.colour: red\n",
     "vehicles.colour", "timeline.0.set.deployments.iraq.theatre.vehicles.colour", "no such key"),
    ("timeline value that breaks the scenario",
     BASE + "timeline:\n  - at: 2004-01-01\n    set:\n      deployments.iraq.theatre.vehicles.count: -2\n",
     "vehicles.count", "timeline.0.set.deployments.iraq.theatre.vehicles.count",
     "after this change, deployments.iraq.theatre.vehicles.count: expected an integer >= 0, found -2"),
    ("threshold on an unknown metric", BASE + "thresholds: ['items_cleared > 1', 'happiness > 1']\n",
     "thresholds", "thresholds.1", "unknown metric 'happiness'"),
    ("duplicate key", edit("name: small\n", "name: small\nname: again\n"), "name: again", "",
     "duplicate key 'name'"),
    ("yaml syntax error", edit("eligible: [soldier]", "eligible: [soldier"), "eligible: [soldier", "",
     "YAML syntax error"),
]


@pytest.mark.parametrize("case, text, fragment, path, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_exits_1_naming_file_line_and_key(tmp_path, case, text, fragment, path, message):
    file = write(tmp_path, "bad.yaml", text)
    result = CliRunner().invoke(cli(), ["validate", str(file)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""  # no "OK"
    where = f"{file}:{line_of(text, fragment)}:"
    key = f" {path}:" if path else ""
    assert any(line.startswith(where + key) and message in line
               for line in result.stderr.splitlines()), result.stderr


def test_python_tag_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "hacked"
    text = BASE + f'description: !!python/object/apply:os.system ["touch {marker}"]\n'
    file = write(tmp_path, "evil.yaml", text)
    result = CliRunner().invoke(cli(), ["validate", str(file)])
    assert result.exit_code == 1
    assert not marker.exists()
    assert f"{file}:{line_of(text, 'description')}: description: tag '!!python/object/apply:os.system' " \
        "is not allowed" \
        in result.stderr
    assert "Traceback" not in result.output


def test_extends_cycle_names_the_chain(tmp_path):
    a = write(tmp_path, "a.yaml", "extends: b.yaml\nname: a\n")
    write(tmp_path, "b.yaml", "name: b\n\nextends: a.yaml\n")
    result = CliRunner().invoke(cli(), ["validate", str(a)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'b.yaml'}:3: extends: extends cycle: a.yaml -> b.yaml -> a.yaml" in result.stderr


def test_missing_extended_file_names_the_file_that_extends_it(tmp_path):
    child = write(tmp_path, "child.yaml", "name: c\n# base\nextends: nowhere/base.yaml\n")
    result = CliRunner().invoke(cli(), ["validate", str(child)])
    assert result.exit_code == 1
    assert f"{child}:3: extends: extended file not found: {tmp_path / 'nowhere' / 'base.yaml'}" \
        in result.stderr


def test_every_schema_error_is_reported_at_once(tmp_path):
    text = edit("seats: 4", "seats: -4").replace("count: 1}", "count: x}") + "colour: red\n"
    with pytest.raises(InputError) as err:
        load_scenario(write(tmp_path, "bad.yaml", text))
    assert sorted(p.path for p in err.value.problems) == [
        "colour", "deployments.iraq.contingent.0.count", "training.courses.nco_course.seats"]


def test_union_branches_merge_into_one_message(tmp_path):
    with pytest.raises(InputError) as err:
        load_scenario(write(tmp_path, "bad.yaml", edit("grade: officer, count: 1", "grade: 7, count: 1")))
    [p] = err.value.problems
    assert p.message == "expected one of 'officer', 'nco' or 'soldier' or 'any' or a list, found 7"


def test_show_fails_cleanly_and_prints_nothing_on_stdout(tmp_path):
    file = write(tmp_path, "bad.yaml", edit("end: 2005-08-01", "end: 2003-01-01"))
    result = CliRunner().invoke(cli(), ["show", str(file)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{file}:3: end: expected a date after start" in result.stderr


@pytest.mark.parametrize("override, message", [
    ("seed", "expected PATH=VALUE"),
    ("deployments.syria.tour_days=3", "no list item named or numbered 'syria'"),
    ("force.establishment.officer.x=3", "not a mapping or list at 'force.establishment.officer'"),
    ("name=[unclosed", "value refused: YAML syntax error"),
    ("force.colour=red", "unknown key 'colour'"),
    # a typo'd mapping the override created is the override's, not the file's parent line
    ("force.recruting.per_month=3", "force.recruting: unknown key 'recruting'"),
])
def test_bad_override_names_the_override(tmp_path, override, message):
    file = write(tmp_path, "s.yaml", BASE)
    result = CliRunner().invoke(cli(), ["show", str(file), "--set", override])
    assert result.exit_code == 1
    assert f"--set {override}" in result.stderr and message in result.stderr
    assert "Traceback" not in result.output


def test_unfillable_slot_is_a_warning_naming_deployment_and_role(tmp_path):
    text = edit("      - {role: commander", "      - {role: interpreter, grade: any, count: 3, "
                "requires: [interpreter]}\n      - {role: commander")
    file = write(tmp_path, "s.yaml", text)
    result = CliRunner().invoke(cli(), ["validate", str(file)])
    assert result.exit_code == 0
    assert result.stdout == f"OK {file}\n"
    assert result.stderr.splitlines() == [
        f"{file}:{line_of(text, 'interpreter')}: deployments.iraq.contingent.0.requires: warning: "
        "slot 'interpreter' of deployment 'iraq' needs 'interpreter', which nobody holds at the "
        "start and no course grants: it will stay unfilled"]
    assert [w.path for w in load_scenario(file).warnings] == ["deployments.iraq.contingent.0.requires"]


def test_team_leader_grade_against_doctrine_is_a_warning(tmp_path):
    text = edit("      - {role: commander", "      - {role: team_leader, grade: nco, count: 2}\n"
                "      - {role: commander")
    [w] = load_scenario(write(tmp_path, "s.yaml", text)).warnings
    assert w.path == "deployments.iraq.contingent.0.grade"
    assert "doctrine.leaders: officer" in w.message
    allowed = text.replace("    contingent:", "    theatre: {doctrine: {leaders: nco}}\n    contingent:")
    assert load_scenario(write(tmp_path, "ok.yaml", allowed)).warnings == []


def test_bad_input_writes_nothing(tmp_path: Path):
    """The CLI writes nothing for bad input: the folder holds only the input file."""
    file = write(tmp_path, "bad.yaml", BASE + "colour: red\n")
    CliRunner().invoke(cli(), ["show", str(file)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]
