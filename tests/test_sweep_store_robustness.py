"""The sweep store under a full disk, a read-only location and two processes at once:
one-line messages naming the file, nothing lost, the resume command where there is one,
and a lock so that two sweeps cannot both do the work. Stores of the earlier layout are
read as they are and converted when resumed; a later layout is refused."""
from __future__ import annotations

import json
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
    path.write_text(GRID.replace("replications: 10", "replications: 40"))  # > a page of runs
    db = tmp_path / "s.db"
    real_init = Store.__init__

    def small_disk(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages + 1}")  # SQLite's own "disk is full"

    monkeypatch.setattr(Store, "__init__", small_disk)
    result = run_cli(path, "--out", db)
    assert result.exit_code == 3, result.output
    assert f"cannot write {db}: the disk is full" in result.output
    resume = result.output.splitlines()[-1]
    assert f"--out {db}" in resume and "--resume" in resume and "Traceback" not in result.output
    kept = count(db)
    assert 0 < kept < 360
    monkeypatch.setattr(Store, "__init__", real_init)
    assert run_cli(path, "--out", db, "--resume").exit_code == 0
    assert count(db) == 360


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


LAYOUT_2 = """
CREATE TABLE runs2 (
    point INTEGER NOT NULL, replication INTEGER NOT NULL, seed INTEGER NOT NULL,
    status TEXT NOT NULL, error TEXT, wall_seconds REAL, PRIMARY KEY (point, replication));
CREATE TABLE metrics2 (
    point INTEGER NOT NULL, replication INTEGER NOT NULL, metric TEXT NOT NULL, value REAL,
    PRIMARY KEY (point, replication, metric));
CREATE TABLE series2 (
    point INTEGER NOT NULL, replication INTEGER NOT NULL, series TEXT NOT NULL,
    date TEXT NOT NULL, value REAL, PRIMARY KEY (point, replication, series, date));
INSERT INTO runs2 SELECT * FROM runs;
INSERT INTO metrics2 SELECT * FROM metrics;
INSERT INTO metrics2 SELECT point, replication, 'days_to_foc', NULL FROM runs WHERE status = 'ok';
INSERT INTO series2 SELECT * FROM series;
DROP VIEW outcomes; DROP VIEW metrics; DROP VIEW series;
DROP TABLE runs; DROP TABLE metric_values; DROP TABLE series_values; DROP TABLE names;
ALTER TABLE runs2 RENAME TO runs; ALTER TABLE metrics2 RENAME TO metrics;
ALTER TABLE series2 RENAME TO series;
CREATE VIEW outcomes AS SELECT r.point, r.replication, r.seed, r.status,
    MAX(CASE WHEN m.metric = 'items_cleared' THEN m.value END) AS "items_cleared"
    FROM runs r LEFT JOIN metrics m ON m.point = r.point AND m.replication = r.replication
    GROUP BY r.point, r.replication;
UPDATE meta SET value = '2' WHERE key = 'layout';
"""


def as_layout_2(db: Path) -> None:
    """Rewrite a store as kazsim 0.3 wrote it (names in every row, a NULL row for a
    metric without a value)."""
    with sqlite3.connect(db) as con:
        con.executescript(LAYOUT_2)


def test_a_store_of_the_earlier_layout_reads_as_it_is_and_resumes_converted(tmp_path):
    path = tmp_path / "grid.yaml"
    path.write_text(GRID)
    db, fresh = tmp_path / "old.db", tmp_path / "new.db"
    assert run_cli(path, "--out", fresh).exit_code == 0
    expected = CliRunner().invoke(sweep_report, [str(fresh), "--format", "json"])
    assert run_cli(path, "--out", db).exit_code == 0
    with sqlite3.connect(db) as con:  # as if killed after 50 runs
        con.execute("DELETE FROM metric_values WHERE point * 10 + replication >= 50")
        con.execute("DELETE FROM runs WHERE point * 10 + replication >= 50")
    as_layout_2(db)
    before = db.read_bytes()
    with Store(db, readonly=True) as store:  # read through a converted copy, not written
        runs = list(store.runs())
    assert len(runs) == 50 and runs[0].metrics["days_to_foc"] is None
    assert set(runs[0].metrics) == {"cost_total_usd", "days_to_foc", "items_cleared"}
    assert db.read_bytes() == before
    resumed = run_cli(path, "--out", db, "--resume")
    assert resumed.exit_code == 0, resumed.output
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'layout'").fetchone() == ("3",)
        tables = {n for (n,) in con.execute("SELECT name FROM sqlite_master")}
        assert {"metric_values", "names", "metrics", "outcomes"} <= tables
        assert con.execute("SELECT COUNT(*) FROM metric_values WHERE metric = "
                           "(SELECT id FROM names WHERE name = 'days_to_foc')").fetchone() == (0,)
    assert count(db) == 90
    report = CliRunner().invoke(sweep_report, [str(db), "--format", "json"])
    assert report.exit_code == 0
    assert report.output.replace(str(db), str(fresh)) == expected.output


def test_a_store_of_a_later_layout_is_refused_by_name(tmp_path):
    path = tmp_path / "grid.yaml"
    path.write_text(GRID)
    db = tmp_path / "later.db"
    assert run_cli(path, "--out", db).exit_code == 0
    with sqlite3.connect(db) as con:
        con.execute("UPDATE meta SET value = '4' WHERE key = 'layout'")
    for result in (CliRunner().invoke(sweep_report, [str(db), "--quiet"]),
                   run_cli(path, "--out", db, "--resume")):
        assert result.exit_code == 1, result.output
        assert f"{db} was written by a later kazsim (store layout 4" in result.output
        assert "Traceback" not in result.output
    assert not Path(str(db) + ".lock").exists()


def test_a_store_of_the_first_layout_reads_and_resumes(tmp_path):
    """Layout 1 kept the seed as "[s, r]" and the metrics as JSON text in `runs`."""
    path = tmp_path / "grid.yaml"
    path.write_text(GRID)
    db = tmp_path / "first.db"
    assert run_cli(path, "--out", db).exit_code == 0
    with Store(db, readonly=True) as store:
        runs = [r for r in store.runs() if r.point < 4]
    with sqlite3.connect(db) as con:
        con.executescript("""
            DROP VIEW outcomes; DROP VIEW metrics; DROP VIEW series; DROP TABLE runs;
            DROP TABLE metric_values; DROP TABLE series_values; DROP TABLE names;
            DROP TABLE experiments; DELETE FROM meta WHERE key = 'layout';
            CREATE TABLE runs (
                point INTEGER NOT NULL, replication INTEGER NOT NULL, seed TEXT NOT NULL,
                parameters TEXT NOT NULL, metrics TEXT, status TEXT NOT NULL, error TEXT,
                wall_seconds REAL, PRIMARY KEY (point, replication));""")
        con.executemany("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [(r.point, r.replication, json.dumps([r.seed, r.replication]),
                          json.dumps(r.parameters), json.dumps(r.metrics), r.status, r.error,
                          r.wall_seconds) for r in runs])
    with Store(db, readonly=True) as store:
        assert list(store.runs()) == runs
    assert run_cli(path, "--out", db, "--resume").exit_code == 0
    with Store(db, readonly=True) as store:
        assert [r for r in store.runs() if r.point < 4] == runs and count(db) == 90
