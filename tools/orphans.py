"""Run a command and count the processes it leaves behind (Linux).

This process becomes a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so every process
the command starts that loses its parent is re-parented here instead of to init. While
the command runs, each such orphan is noted once; when it has ended, and `--grace`
seconds more, the descendants still alive are the processes left behind: they are
listed, counted and killed.

    python tools/orphans.py --grace 5 -- python tools/fuzz.py --inputs 1000 --seed 1

Prints `orphaned while running: N` (a process that outlived its parent at some moment,
however briefly: a figure server noticing its client's exit a few milliseconds late
counts) and `left behind: M` (alive after the grace); exits with the command's code.
"""
from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def _become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process on the machine."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        found[int(entry)] = (int(fields[1]), fields[0])
    return found


def _children() -> dict[int, int]:
    """pid -> parent pid of every live process (a zombie has ended: not behind)."""
    return {pid: parent for pid, (parent, state) in _processes().items() if state != "Z"}


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace").strip()[:160]
    except OSError:
        return "?"


def _descendants(root: int) -> list[int]:
    parents = _children()
    out, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == pid]
        out += kids
        frontier += kids
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grace", type=float, default=5.0,
                        help="seconds after the command ends before counting")
    parser.add_argument("--every", type=float, default=1.0,
                        help="seconds between looks for orphans while the command runs")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    _become_subreaper()
    proc = subprocess.Popen(command)
    orphans: dict[int, str] = {}
    while proc.poll() is None:
        for pid, parent in _children().items():
            if parent == os.getpid() and pid != proc.pid and pid not in orphans:
                orphans[pid] = _cmdline(pid)
        _reap_others(proc.pid)
        time.sleep(args.every)
    time.sleep(args.grace)
    _reap_others(proc.pid)
    behind = _descendants(os.getpid())
    print(f"orphaned while running: {len(orphans)}", file=sys.stderr)
    for pid, cmd in list(orphans.items())[:20]:
        print(f"  {pid} {cmd}", file=sys.stderr)
    print(f"left behind: {len(behind)}", file=sys.stderr)
    for pid in behind:
        print(f"  {pid} {_cmdline(pid)}", file=sys.stderr)
    for pid in behind:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    _reap_others(proc.pid)
    sys.exit(proc.returncode)


def _reap_others(keep: int) -> None:
    """Reap orphans that have ended (zombies now ours), never the command itself (its
    exit code is Popen's to collect)."""
    for pid, (parent, state) in _processes().items():
        if parent == os.getpid() and pid != keep and state == "Z":
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)


if __name__ == "__main__":
    main()
