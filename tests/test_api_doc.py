"""docs/api.md's session runs as written (doctest), in a folder holding the project's
scenarios and sweeps; and the API's own promises."""
from __future__ import annotations

import doctest
import os
import subprocess
import sys

from cli_cases import ROOT


def test_the_api_page_session_runs(tmp_path, monkeypatch):
    for name in ("scenarios", "sweeps", "records"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {}, "docs/api.md", str(ROOT / "docs" / "api.md"), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert test.examples and runner.failures == 0


def test_import_sim_is_light_and_exposes_the_api():
    # the studies' modules share no name with the API's functions: importing them hides nothing
    code = ("import sys, sim; assert callable(sim.run) and callable(sim.compare); "
            "import sim.studies.sweep.spec, sim.studies.compare.comparison; "
            "assert callable(sim.sweep) and callable(sim.compare); "
            "assert all(callable(getattr(sim, n)) for n in ('validate', 'show', 'discover', "
            "'optimize', 'find_capacity', 'open_sweep'))")
    out = subprocess.run([sys.executable, "-c", "import sim; import sys; "
                          "print(sorted(m for m in ('pandas', 'matplotlib', 'scipy', 'pydantic')"
                          " if m in sys.modules))"], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_python_dash_m_sim_is_the_cli():
    done = subprocess.run([sys.executable, "-m", "sim", "--help"], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ})
    assert done.returncode == 0 and "run" in done.stdout and "sweep" in done.stdout


def test_a_path_where_a_scenario_is_expected_is_loaded_and_a_wrong_type_is_named(tmp_path):
    import pytest
    from cli_cases import short

    import sim

    res = sim.run(str(short(tmp_path, reps=2)), workers=1)
    assert len(res.metrics) == 2 and not res.failed
    with pytest.raises(TypeError, match="scenario file path"):
        sim.run(42)  # type: ignore[arg-type]


def test_the_api_names_load_their_study_on_first_use():
    code = ("import sys, sim.api as api\n"
            "assert 'sim.studies.capacity.study' not in sys.modules\n"
            "api.plan_run\n"
            "assert 'sim.studies.capacity.study' not in sys.modules  # run needs none of it\n"
            "assert sorted(api._WHERE) == sorted(api.__all__)\n"
            "import importlib\n"
            "for name, (module, attr) in api._WHERE.items():\n"
            "    assert getattr(api, name) is getattr(importlib.import_module(module), attr)\n"
            "try:\n"
            "    api.no_such_name\n"
            "except AttributeError as err:\n"
            "    assert 'no_such_name' in str(err)\n"
            "else:\n"
            "    raise AssertionError('an unknown name was found')\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr


def test_the_api_names_for_type_checkers_are_the_names_it_serves():
    import ast

    import sim.api

    tree = ast.parse((ROOT / "sim" / "api.py").read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If))  # `if TYPE_CHECKING:`
    typed = {(a.asname or a.name): (node.module, a.name) for node in block.body
             if isinstance(node, ast.ImportFrom) for a in node.names}
    assert typed == sim.api._WHERE
