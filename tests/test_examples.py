"""The shipped examples from a checkout: `kazsim examples` / `sim.examples` copy them out
(never replacing a file that differs unless asked), and a bare name that is not a file
here finds the shipped scenario, sweep or policy and says which file it used."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import sim
from sim.cli import main
from sim.core.errors import InputError
from sim.studies import examples as ex

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p.relative_to(ROOT).as_posix() for folder in ex.KINDS if (ROOT / folder).is_dir()
                 for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_a_checkout_ships_its_own_folders():
    assert ex.examples_root() == ROOT  # one source: no copy in the checkout
    assert sorted(e.relative for e in ex.shipped_examples()) == SHIPPED
    assert "scenarios/kazbat_2003.yaml" in SHIPPED and "sweeps/fill_discovery.yaml" in SHIPPED


def test_examples_are_copied_with_their_folders_and_identical(tmp_path):
    done = sim.examples(tmp_path / "study")
    assert sorted(done.written) == SHIPPED and not done.unchanged and not done.replaced
    assert _files(tmp_path / "study") == SHIPPED
    for rel in SHIPPED:
        assert (tmp_path / "study" / rel).read_bytes() == (ROOT / rel).read_bytes()
    again = sim.examples(tmp_path / "study")
    assert again.written == [] and sorted(again.unchanged) == SHIPPED


def test_a_file_that_differs_is_not_replaced_unless_asked(tmp_path):
    sim.examples(tmp_path)
    mine = tmp_path / "scenarios" / "brigade.yaml"
    mine.write_text("name: my own brigade\n")
    (tmp_path / "sweeps" / "nco_reform_nolh.yaml").unlink()
    with pytest.raises(InputError, match=r"1 file in .* differs from the shipped one: "
                                         r"scenarios/brigade.yaml; nothing was copied"):
        sim.examples(tmp_path)
    assert mine.read_text() == "name: my own brigade\n"
    assert not (tmp_path / "sweeps" / "nco_reform_nolh.yaml").exists()  # nothing copied
    done = sim.examples(tmp_path, overwrite=True)
    assert done.replaced == ["scenarios/brigade.yaml"]
    assert done.written == ["sweeps/nco_reform_nolh.yaml"]
    assert mine.read_bytes() == (ROOT / "scenarios" / "brigade.yaml").read_bytes()


def test_something_in_the_way_is_refused_even_with_overwrite(tmp_path):
    (tmp_path / "scenarios" / "kazbat_2003.yaml").mkdir(parents=True)
    (tmp_path / "sweeps").write_text("a file where a folder should be")
    with pytest.raises(InputError) as err:
        sim.examples(tmp_path, overwrite=True)
    text = str(err.value)
    assert "kazbat_2003.yaml: a folder or file is in the way" in text
    assert "fill_discovery.yaml: a folder or file is in the way" in text
    assert _files(tmp_path) == ["sweeps"]
    with pytest.raises(InputError, match="not a directory"):
        sim.examples(tmp_path / "sweeps")


def test_an_absent_folder_is_left_out(tmp_path, monkeypatch):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "a.yaml").write_text("name: a\n")
    monkeypatch.setattr(ex, "examples_root", lambda: tmp_path)
    assert [e.relative for e in ex.shipped_examples()] == ["scenarios/a.yaml"]
    assert sim.examples(tmp_path / "out").written == ["scenarios/a.yaml"]
    monkeypatch.setattr(ex, "examples_root", lambda: None)
    with pytest.raises(InputError, match="has no examples"):
        sim.examples(tmp_path / "none")


def test_example_by_name():
    assert sim.example("kazbat_2003") == ROOT / "scenarios" / "kazbat_2003.yaml"
    assert sim.example("fill_discovery.yaml") == ROOT / "sweeps" / "fill_discovery.yaml"
    assert sim.example("nco_reform_cheapest", kind="policies").parent.name == "policies"
    with pytest.raises(InputError, match=r"no shipped example named 'kazbat_2004' \(shipped: "):
        sim.example("kazbat_2004")
    with pytest.raises(InputError, match="kind: expected one of"):
        sim.example("kazbat_2003", kind="scenario")
    assert ex.find_example("scenarios/kazbat_2003.yaml") is None  # a path is not a name
    assert ex.find_example("kazbat_2003", ["sweeps"]) is None


def test_cli_examples(tmp_path):
    runner = CliRunner()
    done = runner.invoke(main, ["examples", str(tmp_path / "s")])
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"Copied {len(SHIPPED)} files into {tmp_path / 's'} (")
    assert "Start with: cd" in done.output
    (tmp_path / "s" / "scenarios" / "hmmwv.yaml").write_text("name: mine\n")
    refused = runner.invoke(main, ["examples", str(tmp_path / "s")])
    assert refused.exit_code == 1
    assert "scenarios/hmmwv.yaml; nothing was copied. Replace it with --force" in refused.output
    forced = runner.invoke(main, ["examples", str(tmp_path / "s"), "--force"])
    assert forced.exit_code == 0 and "1 of them replaced a file that differed" in forced.output
    listed = runner.invoke(main, ["examples", "--list"])
    assert listed.exit_code == 0
    assert sorted(line.split("\t")[0] for line in listed.output.splitlines()) == SHIPPED


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """A working directory with no kazsim files in it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("args,used", [
    (["validate", "kazbat_2003"], "scenario scenarios/kazbat_2003.yaml"),
    (["validate", "fill_discovery.yaml"], "sweep file sweeps/fill_discovery.yaml"),
    (["validate", "nco_reform_cheapest"], "policy file policies/nco_reform_cheapest.yaml"),
    (["show", "hmmwv"], "scenario scenarios/hmmwv.yaml"),
])
def test_a_bare_name_uses_the_shipped_file_and_says_so(elsewhere, args, used):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    kind, rel = used.rsplit(" ", 1)
    name = args[1]
    assert (f"kazsim: no file '{name}' here; using the shipped {kind} {ROOT / rel}"
            in result.stderr)


def test_every_command_that_takes_a_scenario_takes_a_bare_name(elsewhere, monkeypatch):
    """run, compare, capacity (and show, validate above): each reaches its API function
    with the shipped file's path; sweep and optimize take their files by name too."""
    from sim import api

    seen: list[object] = []

    def stop(*args, **kwargs):
        seen.append(args[0])
        raise InputError.single("stopped here")

    for name in ("plan_run", "plan_compare", "plan_capacity", "find_capacity", "sweep",
                 "optimize"):
        monkeypatch.setattr(api, name, stop)
    monkeypatch.setattr(api, "load_scenario", stop)
    for args in (["run", "kazbat_2003"], ["compare", "kazbat_2003", "nco_reform"],
                 ["capacity", "kazbat_2003"], ["sweep", "nco_reform_nolh"],
                 ["optimize", "nco_reform_cheapest"]):
        result = CliRunner().invoke(main, args)
        assert "using the shipped" in result.stderr, (args, result.output)
        assert result.exit_code == 1 and "stopped here" in result.stderr, (args, result.output)
    flat = [str(s) for item in seen for s in (item if isinstance(item, list) else [item])]
    for rel in ("scenarios/kazbat_2003.yaml", "scenarios/nco_reform.yaml",
                "sweeps/nco_reform_nolh.yaml", "policies/nco_reform_cheapest.yaml"):
        assert any(s.endswith(rel) and Path(s).is_absolute() for s in flat), (rel, flat)


def test_a_file_here_wins_over_a_shipped_name(elsewhere):
    (elsewhere / "kazbat_2003").write_text((ROOT / "scenarios" / "hmmwv.yaml").read_text()
                                           .replace("extends: kazbat_2003.yaml",
                                                    f"extends: {ROOT / 'scenarios' / 'kazbat_2003.yaml'}"))
    result = CliRunner().invoke(main, ["show", "kazbat_2003"])
    assert result.exit_code == 0, result.output
    assert "using the shipped" not in result.stderr
    assert result.stdout.startswith("name: Eight HMMWVs")


def test_unknown_names_and_paths(elsewhere):
    result = CliRunner().invoke(main, ["run", "kazbat_2004"])  # a near miss is named
    assert result.exit_code == 2
    assert "no file 'kazbat_2004' here, and no shipped example of that name (did you mean " \
           "'kazbat_2003'?)" in result.output
    result = CliRunner().invoke(main, ["run", "warlord"])  # nothing near: what is shipped
    assert result.exit_code == 2
    assert "no file 'warlord' here, and no shipped example of that name (shipped: " \
           "assistance_2003, brigade," in result.output
    result = CliRunner().invoke(main, ["sweep", "kazbat_2003"])  # a scenario, not a sweep
    assert result.exit_code == 2 and "(shipped: fill_discovery, nco_reform_nolh)" in result.output
    result = CliRunner().invoke(main, ["run", "elsewhere/kazbat_2003"])  # a path: not a name
    assert result.exit_code == 2 and "there is no folder 'elsewhere'" in result.output
