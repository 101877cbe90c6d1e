"""Hostile and absurd scenario files: every one refused early with file:line (and key path
where there is one) and exit 1, reading bounded in time and memory, nothing of a file that
is not a scenario quoted back. Each case here was a traceback, a hang or a silent
acceptance before (issue 11)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from scenario_files import BASE, cli, line_of, write

from sim.core.errors import InputError
from sim.scenario.loader import load_scenario, scenario_from_dict
from sim.scenario.yamlio import parse_yaml

ROOT = Path(__file__).resolve().parents[1]


def validate(*args: object):
    return CliRunner().invoke(cli(), ["validate", *map(str, args)])


def refused(result, where: str, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "unexpected failure" not in result.output
    assert any(line.startswith(where) and message in line for line in result.stderr.splitlines()), \
        result.stderr


def edit(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new)


LAUGHS = "".join(
    f"{a}: &{a} [{', '.join([f'*{b}'] * 9) if b else ', '.join(['lol'] * 9)}]\n"
    for a, b in zip("abcdefghi", ["", *"abcdefgh"]))

# (case, file text, fragment of the reported line, "key path: " or "", message fragment)
CASES = [
    ("impossible date", edit("start: 2003-08-01", "start: 2003-02-30"), "2003-02-30", "start: ",
     "impossible date or time 2003-02-30 (day is out of range for month)"),
    ("impossible time", edit("start: 2003-08-01", "start: 2003-08-01 25:00:00"), "25:00:00",
     "start: ", "impossible date or time 2003-08-01 25:00:00"),
    ("NUL byte", edit("name: small", "name: sm\x00all"), "name:", "",
     "character U+0000 (NUL) is not allowed"),
    ("control character", edit("name: small", "name: sm\x07all"), "name:", "",
     "character U+0007 is not allowed"),
    ("escaped NUL", edit("name: small", 'name: "sm\\0all"'), "name:", "name: ",
     "character U+0000 (NUL) is not allowed in text"),
    ("lone surrogate", edit("name: small", 'name: "\\ud800"'), "name:", "name: ",
     "character U+D800 is not allowed in text"),
    ("deep nesting", BASE + "sources: " + "[" * 1000 + "]" * 1000 + "\n", "sources:", "",
     "nested more than 32 levels deep"),
    ("recursive alias", BASE + "sources: &a [*a]\n", "sources:", "",
     "alias *a refers to a value that contains it"),
    ("integer of thousands of digits", edit("seats: 4", "seats: " + "9" * 5000), "seats:", "",
     "a number written with 5,000 characters"),
    ("integer beyond 64 bits", edit("seats: 4", "seats: " + "9" * 30), "seats:", "",
     "a whole number beyond"),
    ("NaN", BASE + "replications: .nan\n", "replications", "replications: ",
     "expected a finite number, found .nan"),
    ("infinity", edit("days: 90", "days: .inf"), "days: .inf", "training.courses.nco_course.days: ",
     "expected a finite number, found .inf"),
    ("overflow to infinity", edit("days: 90", "days: 1.0e400"), "days: 1.0e400",
     "training.courses.nco_course.days: ", "expected a finite number"),
    ("binary tag", BASE + "description: !!binary AAEC\n", "description", "description: ",
     "tag '!!binary' is not allowed"),
    ("alias bomb", LAUGHS, "e:", "", "more than 10,000 values, counting each use of an alias"),
    ("not UTF-8", edit("name: small", "name: sm\udcffall"), "name:", "", "not UTF-8 text (byte 0xff)"),
]


@pytest.mark.parametrize("case, text, fragment, key, message", CASES, ids=[c[0] for c in CASES])
def test_hostile_yaml_is_a_file_line_error(tmp_path, case, text, fragment, key, message):
    file = tmp_path / "bad.yaml"
    file.write_bytes(text.encode("utf-8", "surrogateescape"))
    began = time.perf_counter()
    result = validate(file)
    assert time.perf_counter() - began < 5
    refused(result, f"{file}:{line_of(text, fragment)}: {key}", message)


def test_a_billion_laughs_is_refused_within_a_few_hundred_megabytes(tmp_path):
    """The 9-level bomb expanded to 3.9e8 values (3 GB, 20 s, MemoryError): run under a
    512 MB address-space cap, it must answer at once."""
    file = write(tmp_path, "laughs.yaml", LAUGHS)
    code = ("import resource, sys\n"
            "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
            "from sim.cli import main\n"
            "main(['validate', sys.argv[1]])\n")
    began = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, str(file)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert time.perf_counter() - began < 20
    assert proc.returncode == 1, proc.stderr
    assert "counting each use of an alias" in proc.stderr


def test_aliases_are_fine_in_moderation_and_lines_point_at_each_key(tmp_path):
    text = BASE + "sources: &s [a, b]\ndescription: x\n"
    data, lines = parse_yaml(text + "thresholds: *s\n")
    assert data["thresholds"] == ["a", "b"]
    assert lines[("thresholds",)] == line_of(text + "thresholds: *s\n", "thresholds:")


@pytest.mark.parametrize("value, message", [
    ("[" * 100 + "]" * 100, "nested more than 32 levels deep"),
    ("sm\x07all", "character U+0007 is not allowed"),
    ("9" * 5000, "a number written with 5,000 characters"),
    (".nan", "expected a finite number"),
    ("&a [*a]", "recursive alias"),
], ids=["deep", "control", "digits", "nan", "recursive"])
def test_hostile_set_values_are_refused(tmp_path, value, message):
    file = write(tmp_path, "s.yaml", BASE)
    result = CliRunner().invoke(cli(), ["show", str(file), "--set", f"sources={value}"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "--set sources=" in result.stderr and message in result.stderr


def test_a_set_path_of_thousands_of_keys_is_refused_at_once(tmp_path):
    file = write(tmp_path, "s.yaml", BASE)
    began = time.perf_counter()
    result = CliRunner().invoke(cli(), ["show", str(file), "--set", "x." * 5000 + "y=1"])
    assert time.perf_counter() - began < 5
    assert result.exit_code == 1 and "a path of more than 32 keys" in result.stderr


# -- extends ---------------------------------------------------------------------------

def child_of(tmp_path: Path, target: str) -> Path:
    return write(tmp_path, "child.yaml", f"name: child\nextends: {target}\n")


def test_extends_path_with_a_nul_byte(tmp_path):
    child = child_of(tmp_path, '"base\\0.yaml"')
    refused(validate(child), f"{child}:2: extends: ", "character U+0000 (NUL) is not allowed")


def test_extends_path_over_4_kb(tmp_path):
    child = child_of(tmp_path, "a/" * 3000 + "base.yaml")
    refused(validate(child), f"{child}:2: extends: ", "a path of more than 4096 bytes")


def test_extends_of_a_file_name_too_long_for_the_file_system(tmp_path):
    child = child_of(tmp_path, "x" * 3000 + ".yaml")
    refused(validate(child), f"{child}:2: extends: ", "extended file not found")


def test_extends_through_a_symlink_loop(tmp_path):
    (tmp_path / "loop1.yaml").symlink_to(tmp_path / "loop2.yaml")
    (tmp_path / "loop2.yaml").symlink_to(tmp_path / "loop1.yaml")
    child = child_of(tmp_path, "loop1.yaml")
    refused(validate(child), f"{child}:2: extends: ", "a symlink loop")


def test_an_extends_chain_a_thousand_files_deep(tmp_path):
    for i in range(1000):
        write(tmp_path, f"s{i}.yaml", f"name: s{i}\nextends: s{i + 1}.yaml\n")
    write(tmp_path, "s1000.yaml", BASE)
    began = time.perf_counter()
    result = validate(tmp_path / "s0.yaml")
    assert time.perf_counter() - began < 5
    refused(result, f"{tmp_path / 's31.yaml'}:2: extends: ", "an extends chain of more than 32 files")


def test_extends_of_a_file_that_is_not_a_scenario_quotes_none_of_it(tmp_path):
    secret = write(tmp_path, "shadow", "root:$6$SECRETHASH:19000:0:99999:7:::\n"
                                       "daemon:*:19000:0:99999:7:::\nkey::::::\n")
    child = child_of(tmp_path, str(secret))
    result = validate(child)
    refused(result, f"{child}:2: extends: ", "is not a kazsim scenario")
    assert "SECRET" not in result.output and "root" not in result.output.replace(str(tmp_path), "")
    direct = validate(secret)
    assert direct.exit_code == 1 and "SECRET" not in direct.output


def test_unknown_keys_are_quoted_short_and_escaped(tmp_path):
    file = write(tmp_path, "s.yaml", BASE + "x\u202e" + "y" * 200 + ": 1\n")  # a bidi override
    result = validate(file)
    assert result.exit_code == 1
    assert "\u202e" not in result.output and "y" * 41 not in result.output
    assert "unknown key 'x\\u202eyyy" in result.stderr


@pytest.mark.parametrize("target", ["/dev/zero", "folder"])
def test_extends_of_a_device_or_a_directory(tmp_path, target):
    (tmp_path / "folder").mkdir()
    child = child_of(tmp_path, target)
    began = time.perf_counter()
    result = validate(child)
    assert time.perf_counter() - began < 5
    refused(result, f"{child}:2: extends: ", "extended file not found")


def test_validating_a_device_reads_nothing_from_it():
    began = time.perf_counter()
    result = validate("/dev/zero")
    assert time.perf_counter() - began < 5
    refused(result, "/dev/zero: ", "not a regular file")


def test_a_file_over_a_megabyte_is_refused_unread(tmp_path):
    file = write(tmp_path, "big.yaml", BASE + "# " + "x" * (1 << 20) + "\n")
    refused(validate(file), f"{file}: ", "larger than 1024 kB")


# -- signs, ranges, finite numbers, dates ------------------------------------------------

BOUNDS = [
    ("negative course-seat cost", BASE + "costs:\n  course_seat: {nco_course: -900}\n",
     "course_seat", "costs.course_seat.nco_course", "expected a number >= 0, found -900"),
    ("share above one", edit("  qualified:\n", "  foc: {qualified: {eod: 7}}\n  qualified:\n"),
     "foc:", "force.foc.qualified.eod", "expected a number <= 1, found 7"),
    ("negative shelf life", edit("    contingent:", "    theatre: {tips: {shelf_life_days: -3}}\n"
                                 "    contingent:"), "shelf_life_days",
     "deployments.iraq.theatre.tips.shelf_life_days", "expected a number >= 0, found -3"),
    ("negative constant", edit("    contingent:", "    theatre: {approval_days: {dist: constant, "
                               "value: -1}}\n    contingent:"), "approval_days",
     "deployments.iraq.theatre.approval_days.value", "expected a number >= 0, found -1"),
    ("negative uniform", edit("    contingent:", "    theatre: {approval_days: {dist: uniform, "
                              "low: -5, high: -1}}\n    contingent:"), "approval_days",
     "deployments.iraq.theatre.approval_days.low", "expected a number >= 0, found -5"),
    ("negative triangular", edit("    contingent:", "    theatre: {cache_items: {dist: triangular, "
                                 "low: -5, mode: 1, high: 9}}\n    contingent:"), "cache_items",
     "deployments.iraq.theatre.cache_items.low", "expected a number >= 0, found -5"),
    ("lognormal without a finite mean", edit("    contingent:", "    theatre: {cache_items: "
                                             "{dist: lognormal, median: 300, sigma: 40}}\n"
                                             "    contingent:"), "cache_items",
     "deployments.iraq.theatre.cache_items", "has no finite mean"),
    ("year 9999", edit("end: 2005-08-01", "end: 9999-01-01"), "end: 9999", "end",
     "expected a date from 1900-01-01 to 2200-12-31, found 9999-01-01"),
    ("year 1800", edit("    start: 2003-08-15", "    start: 1800-08-15"), "1800", "deployments.iraq.start",
     "expected a date from 1900-01-01 to 2200-12-31"),
    ("quoted number beyond 64 bits", edit("grade: officer, count: 1", f"grade: officer, count: '{'9' * 30}'"),
     "count:", "deployments.iraq.contingent.0.count", "expected a whole number within"),
]


@pytest.mark.parametrize("case, text, fragment, path, message", BOUNDS, ids=[c[0] for c in BOUNDS])
def test_out_of_range_values_are_errors_with_their_key(tmp_path, case, text, fragment, path, message):
    file = write(tmp_path, "bad.yaml", text)
    refused(validate(file), f"{file}:{line_of(text, fragment)}: {path}:", message)


def test_no_upper_bounds_beyond_signs_and_shares(tmp_path):
    """SPEC: a hazard of 50 a year, a 50-year contract and a 5,000-day tour are valid."""
    text = edit("    contingent:", "    tour_days: 5000\n    contingent:").replace(
        "  qualified:\n", "  attrition_per_year: {officer: 50}\n  contract_years: {nco: 50}\n  qualified:\n")
    assert load_scenario(write(tmp_path, "ok.yaml", text)).scenario.deployments[0].tour_days == 5000


@pytest.mark.parametrize("path, value", [
    (("deployments", 0, "theatre", "tips", "shelf_life_days"), float("nan")),
    (("deployments", 0, "tour_days"), float("inf")),
    (("force", "recruiting", "per_month"), float("-inf")),
])
def test_python_api_refuses_non_finite_numbers(path, value):
    import yaml

    data = yaml.safe_load(BASE)
    node = data
    for key in path[:-1]:
        node = node.setdefault(key, {}) if isinstance(key, str) else node[key]
    node[path[-1]] = value
    with pytest.raises(InputError) as err:
        scenario_from_dict(data)
    assert "finite" in str(err.value)
