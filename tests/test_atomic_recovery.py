"""Atomic replacement of a report directory recovers from a kill in any window: the next
write (or pre-run check) restores or finishes what a killed one left, and leaves no
`.tmp-`, `.done-` or `.old-` siblings. A full disk is a one-line OutputError naming the
target, with nothing half-written."""
from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest

from sim.core.errors import OutputError
from sim.report.atomic import atomic_dir, atomic_file, check_dir_target, recover

ROOT = Path(__file__).resolve().parents[1]

KILLER = """
import os, sys
sys.path.insert(0, {root!r})
from pathlib import Path
import sim.report.atomic as atomic
window = int(sys.argv[2])
renames = 0
real = os.replace
def replace(a, b):
    global renames
    real(a, b)
    renames += 1
    if renames == window:
        os._exit(9)  # killed: no handler, no finally
atomic.os.replace = replace
with atomic.atomic_dir(sys.argv[1], "report.json") as tmp:
    (tmp / "report.json").write_text("new")
    if window == 0:
        os._exit(9)  # killed while the report is being written
"""


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".report."))


@pytest.mark.parametrize("window, expected", [(0, "old"), (1, "new"), (2, "new"), (3, "new")],
                         ids=["writing", "finished", "old-moved-aside", "new-in-place"])
def test_a_kill_in_any_window_is_recovered_by_the_next_write(tmp_path, window, expected):
    target = tmp_path / "report"
    target.mkdir()
    (target / "report.json").write_text("old")
    proc = subprocess.run([sys.executable, "-c", KILLER.format(root=str(ROOT)), str(target),
                           str(window)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 9, proc.stderr
    assert leftovers(tmp_path)  # the kill left something behind
    check_dir_target(target, "report.json")  # what every run does before it starts
    assert (target / "report.json").read_text() == expected
    assert leftovers(tmp_path) == []
    with atomic_dir(target, "report.json") as tmp:
        (tmp / "report.json").write_text("next")
    assert (target / "report.json").read_text() == "next" and leftovers(tmp_path) == []


def test_a_live_process_siblings_are_left_alone(tmp_path):
    target = tmp_path / "report"
    with atomic_dir(target, "report.json") as tmp:
        (tmp / "report.json").write_text("x")
        recover(target)  # another run starting meanwhile
        assert tmp.exists()
    assert (target / "report.json").read_text() == "x"


def test_a_full_disk_is_an_output_error_and_leaves_the_old_report(tmp_path):
    target = tmp_path / "report"
    target.mkdir()
    (target / "report.json").write_text("old")
    with pytest.raises(OutputError) as err, atomic_dir(target, "report.json") as tmp:
        (tmp / "report.json").write_text("partial")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert str(err.value) == f"error: cannot write {target}: the disk is full"
    assert err.value.exit_code == 3
    assert (target / "report.json").read_text() == "old" and leftovers(tmp_path) == []


def test_a_file_written_to_a_full_device_is_an_output_error(tmp_path):
    with pytest.raises(OutputError, match="the disk is full"), \
            atomic_file(tmp_path / "trace.csv") as fh:
        fh.write("x")  # type: ignore[attr-defined]
        raise OSError(errno.ENOSPC, "No space left on device")
    assert list(tmp_path.iterdir()) == []
