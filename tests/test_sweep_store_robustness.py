"""The sweep store under a full disk, a read-only location and two processes at once:
one-line messages naming the file, nothing lost, the resume command where there is one,
and a lock so that two sweeps cannot both do the work."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import sim.studies.sweep.store as store_module
from sim.cli.sweep import sweep, sweep_report
from sim.core.errors import InputError, OutputError
from sim.studies.sweep.store import Run, Store

ROOT = Path(__file__).resolve().parents[1]
GRID = f"""scenario: {ROOT / 'scenarios' / 'kazbat_2003.yaml'}
design: grid
levels: 3
replications: 10
seed: 4
factors:
  force.recruiting.per_month: {{low: 5, high: 15, integer: true}}
  deployments.iraq.volunteer_prob: [0.4, 0.6, 0.8]
outputs: [items_cleared]
"""


def run_cli(*args: object):
    return CliRunner().invoke(sweep, [*map(str, args), "--quiet", "--workers", "1",
                                      "--model", "test_sweep_models:linear"])


def count(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]


def test_a_second_process_on_one_store_is_refused(tmp_path):
    db = tmp_path / "s.db"
    held = Store(db)
    try:
        with pytest.raises(InputError, match="in use by another kazsim process"):
            Store(db)
        path = tmp_path / "grid.yaml"
        path.write_text(GRID)
        code = (f"import sys; sys.path[:0] = {[str(ROOT), str(ROOT / 'tests')]!r}\n"
                "from sim.cli import main\n"
                f"main(['sweep', {str(path)!r}, '--out', {str(db)!r}, '--resume', '--quiet', "
                "'--model', 'test_sweep_models:linear'])\n")
        other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               timeout=60)
        assert other.returncode == 1, other.stderr
        assert f"pid {os.getpid()}" in other.stderr and "Traceback" not in other.stderr
    finally:
        held.close()
    assert not Path(str(db) + ".lock").exists()
    Store(db).close()  # free again


def test_a_full_disk_is_a_one_line_error_with_the_resume_command(tmp_path, monkeypatch):
    path = tmp_path / "grid.yaml"
    path.write_text(GRID)
    db = tmp_path / "s.db"
    real_init = Store.__init__

    def small_disk(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages + 3}")  # SQLite's own "disk is full"

    monkeypatch.setattr(Store, "__init__", small_disk)
    result = run_cli(path, "--out", db)
    assert result.exit_code == 3, result.output
    assert f"cannot write {db}: the disk is full" in result.output
    resume = result.output.splitlines()[-1]
    assert f"--out {db}" in resume and "--resume" in resume and "Traceback" not in result.output
    kept = count(db)
    assert 0 < kept < 90
    monkeypatch.setattr(Store, "__init__", real_init)
    assert run_cli(path, "--out", db, "--resume").exit_code == 0
    assert count(db) == 90


def test_disk_full_and_read_only_from_sqlite_are_told_apart(tmp_path):
    db = tmp_path / "s.db"
    with Store(db) as s:
        s.db.execute("PRAGMA max_page_count = 1")
        with pytest.raises(OutputError, match="the disk is full"):
            for i in range(200):
                s.add(Run(i, 0, 1, {}, {"x": 1.0}, "ok", "y" * 500, 0.0))
    with pytest.raises(OutputError, match="the disk is full"), Store(db) as s, s.writing():
        raise OSError(28, "No space left on device")


def test_a_read_only_store_is_reported_as_read_only_and_still_reported(tmp_path, monkeypatch):
    path = tmp_path / "grid.yaml"
    path.write_text(GRID)
    db = tmp_path / "s.db"
    assert run_cli(path, "--out", db).exit_code == 0
    real_access = os.access
    monkeypatch.setattr(store_module.os, "access",
                        lambda p, mode: False if mode == os.W_OK else real_access(p, mode))
    again = run_cli(path, "--out", db, "--resume")
    assert again.exit_code == 1
    assert f"cannot write {db}: it is read-only" in again.output
    assert "not a kazsim sweep database" not in again.output
    report = CliRunner().invoke(sweep_report, [str(db), "--quiet"])
    assert report.exit_code == 0, report.output
    # SQLite's own refusal to write is read as read-only too, never as "not a store"
    ro = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as err:
        ro.execute("INSERT INTO meta VALUES ('x', 'y')")
    assert "read-only" in str(store_module._unwritable(str(db), err.value))
