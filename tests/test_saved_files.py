"""Saved files a command accepts are read under bounds and checked before they are
trusted: a report.json given to `compare` (size, values, a regular file), sweep stores
(`sweep-report`, `discover`, `sweep --resume`) and policy stores (`optimize --resume`).
A damaged, truncated or hostile file is exit 1 with one message naming it, never a
traceback and never a long wait."""
from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
import test_optimize
from click.testing import CliRunner

from sim.cli import main
from sim.report.model import ReportFormatError, load_report

ROOT = Path(__file__).resolve().parents[1]
SWEEP = f"""scenario: {ROOT / "scenarios" / "kazbat_2003.yaml"}
design: grid
levels: 3
replications: 2
seed: 1
factors:
  force.recruiting.per_month: {{low: 1, high: 30, integer: true}}
outputs: [items_cleared]
"""


def cli(*args: object):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output and "unexpected failure" not in result.output, \
        result.output
    return result


# -- report.json ----------------------------------------------------------------------------

def test_a_200_mb_report_given_to_compare_is_refused_at_once(tmp_path):
    big = tmp_path / "report.json"
    with open(big, "wb") as fh:  # a real 200 MB file, a report at its start
        fh.write(b'{"format": "kazsim-report/1", "padding": "')
        chunk = b"x" * (1 << 20)
        for _ in range(200):
            fh.write(chunk)
        fh.write(b'"}')
    began = time.perf_counter()
    result = cli("compare", big, big, "--out", tmp_path / "cmp")
    assert time.perf_counter() - began < 3
    assert result.exit_code == 1
    assert f"{big}: larger than 64 MB" in result.output and "KAZSIM_LIMIT_REPORT_MB" in result.output
    assert not (tmp_path / "cmp").exists()


@pytest.mark.parametrize("content,message", [
    ("[" + "{}," * 300_000 + "{}]", "more than 65,536 values"),  # small, but unpacks big
    ("[" * 5_000 + "]" * 5_000, "not a readable JSON report"),  # nested beyond reading
    ('{"format": "kazsim-report/1", "scenario": 5}', "damaged"),
    ('\xff{"format"', "not a readable JSON report"),
])
def test_a_hostile_report_is_refused_with_its_reason(tmp_path, monkeypatch, content, message):
    monkeypatch.setenv("KAZSIM_LIMIT_REPORT_MB", "1")
    path = tmp_path / "r.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape") if content[0] != "\xff"
                     else b"\xff" + content[1:].encode())
    with pytest.raises(ReportFormatError, match=message):
        load_report(path)


def test_a_pipe_named_like_a_report_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "r.json"
    os.mkfifo(fifo)
    result = cli("compare", fifo, fifo)
    assert result.exit_code == 1 and "not a regular file" in result.output


# -- stores ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """A sweep store and a policy store, each written by kazsim."""
    tmp = tmp_path_factory.mktemp("stores")
    sweep = tmp / "s.yaml"
    sweep.write_text(SWEEP)
    made = cli("sweep", sweep, "--out", tmp / "sweep.db", "--workers", "1", "--quiet",
               "--model", "test_sweep_models:linear")
    assert made.exit_code == 0, made.output
    policy = test_optimize._two_lever_policy(tmp, budget=12, rerun_candidates=1,
                                             rerun_replications=4)
    made = cli("optimize", policy, "--out", tmp / "policy.db", "--workers", "1", "--quiet",
               "--model", "explore_models:two_levers")
    assert made.exit_code == 0, made.output
    return {"sweep": sweep, "sweep.db": tmp / "sweep.db", "policy": policy,
            "policy.db": tmp / "policy.db"}


def _sql(statement: str):
    def damage(path: Path) -> None:
        con = sqlite3.connect(path)
        con.executescript(statement)
        con.commit()
        con.close()  # the last connection: the write-ahead log is folded into the file
    return damage


def _cut(keep: float):
    def damage(path: Path) -> None:
        data = path.read_bytes()
        path.write_bytes(data[:int(len(data) * keep)])
    return damage


def _zero_middle(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:4096] + bytes(len(data) - 8192) + data[-4096:])


SWEEP_DAMAGE = {
    "truncated": (_cut(0.5), "a damaged kazsim sweep database"),
    "pages zeroed": (_zero_middle, "a damaged kazsim sweep database"),
    "a table missing": (_sql("DROP TABLE design"), "no table 'design'"),
    "a trigger": (_sql("CREATE TRIGGER t AFTER INSERT ON runs BEGIN DELETE FROM runs; END;"),
                  "it holds 't'"),
    "wrong types": (_sql("UPDATE metric_values SET value = 'many' WHERE (point, replication, "
                         "metric) IN (SELECT point, replication, metric FROM metric_values "
                         "LIMIT 1)"),
                    "a row of 'metric_values' holds values of the wrong type"),
    "a name's number missing": (_sql("DELETE FROM names WHERE kind = 'metric' AND id = "
                                     "(SELECT MIN(metric) FROM metric_values)"),
                                "numbers it does not hold"),
    "an oversized value": (_sql("UPDATE meta SET value = printf('%.*c', 5000000, 'x') "
                                "WHERE key = 'command'"), "a row of 'meta' holds"),
    "damaged JSON": (_sql("UPDATE design SET parameters = '[1' WHERE point = 1"),
                     "design point 1 is not what kazsim writes"),
    "a later layout": (_sql("UPDATE meta SET value = '4' WHERE key = 'layout'"),
                       "was written by a later kazsim (store layout 4"),
    "another layout": (_sql("UPDATE meta SET value = 'x' WHERE key = 'layout'"),
                       "a sweep store of layout x"),
    "empty": (lambda p: p.write_bytes(b""), "not a kazsim sweep database"),
}


@pytest.mark.parametrize("damage", SWEEP_DAMAGE)
def test_a_damaged_sweep_store_is_refused_by_every_command_that_reads_it(stores, tmp_path,
                                                                         damage):
    make, message = SWEEP_DAMAGE[damage]
    db = tmp_path / "s.db"
    shutil.copy(stores["sweep.db"], db)
    make(db)
    before = db.read_bytes()
    for args in (["sweep-report", db, "--format", "json"],
                 ["discover", db, "--where", "items_cleared < 10", "--format", "json"],
                 ["sweep", stores["sweep"], "--out", db, "--resume", "--workers", "1",
                  "--quiet", "--model", "test_sweep_models:linear"]):
        if damage == "empty" and args[0] == "sweep":
            continue  # an empty file is a new store to write
        result = cli(*args)
        assert result.exit_code == 1, (args[0], result.output)
        assert str(db) in result.output and message in result.output, (args[0], result.output)
    assert db.read_bytes() == before  # refused, not touched


POLICY_DAMAGE = {
    "truncated": (_cut(0.5), "not a kazsim policy-search database"),
    "pages zeroed": (_zero_middle, "a damaged kazsim policy-search database"),
    "wrong types": (_sql("UPDATE evaluations SET replication = 'x' WHERE rowid = 1"),
                    "a row of 'evaluations' holds values of the wrong type"),
    "damaged JSON": (_sql("UPDATE evaluations SET metrics = '[1, 2]'"),
                     "are not what kazsim writes"),
    "another kind": (_sql("UPDATE meta SET value = 'a spreadsheet' WHERE key = 'kind'"),
                     "it says it holds a spreadsheet"),
}


@pytest.mark.parametrize("damage", POLICY_DAMAGE)
def test_a_damaged_policy_store_is_refused_on_resume(stores, tmp_path, damage):
    make, message = POLICY_DAMAGE[damage]
    db = tmp_path / "p.db"
    shutil.copy(stores["policy.db"], db)
    make(db)
    result = cli("optimize", stores["policy"], "--out", db, "--resume", "--workers", "1",
                 "--quiet", "--model", "explore_models:two_levers")
    assert result.exit_code == 1, result.output
    assert str(db) in result.output and message in result.output, result.output


def test_the_stores_kazsim_writes_pass_the_checks(stores):
    assert cli("sweep-report", stores["sweep.db"], "--format", "json").exit_code == 0
    resumed = cli("optimize", stores["policy"], "--out", stores["policy.db"], "--resume",
                  "--workers", "1", "--quiet", "--model", "explore_models:two_levers")
    assert resumed.exit_code == 0, resumed.output
