"""Atomic writes: build in a temporary sibling, then rename into place.

A directory is replaced in steps, each a rename, with siblings named for the process
that made them (`.NAME.tmp-OWNER`, `.NAME.done-OWNER`, `.NAME.old-OWNER`; OWNER is the
host and process id): the next write to the same target recovers from a kill in any
window. A `tmp` of a dead process was unfinished and is deleted; a `done` is a finished
report and is put in place; an `old` is the report it replaced, restored if the target is
missing and deleted otherwise. Nothing of a live process is touched.
"""
from __future__ import annotations

import errno
import hashlib
import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sim.core.errors import OutputError, output_reason

_HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


class TargetError(ValueError):
    """An output path kazsim cannot write, or must not replace."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_parent(target: Path) -> None:
    """The nearest existing ancestor of `target` must be a writable directory."""
    parent = target.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise TargetError(f"cannot write {target}: {parent} is not a directory")
    if not os.access(parent, os.W_OK):
        raise TargetError(f"cannot write {target}: {parent} is not writable")


def _owner() -> str:
    return f"{_HOST}-{os.getpid()}"


def _dead(owner: str) -> bool:
    """Whether the process that made a sibling named for `owner` has ended (on this host;
    one on another host, sharing the disk, is never judged)."""
    host, _, rest = owner.partition("-")
    pid = rest.split("-", 1)[0]
    if host != _HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, another user's
    return False


def recover(target: str | Path) -> None:
    """Finish or undo what a killed write to `target` left beside it (see the module)."""
    target = Path(os.path.abspath(target))
    parent = target.parent
    if not parent.is_dir():
        return
    left: dict[str, dict[str, Path]] = {}
    prefix = f".{target.name}."
    try:
        entries = list(parent.iterdir())
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        kind, _, owner = entry.name[len(prefix):].partition("-")
        if kind in ("tmp", "done", "old") and owner and _dead(owner):
            left.setdefault(owner, {})[kind] = entry
    for parts in left.values():
        with suppress(OSError):
            _finish(target, parts)


def _finish(target: Path, parts: dict[str, Path]) -> None:
    if "tmp" in parts:
        _remove(parts["tmp"])
    done, old = parts.get("done"), parts.get("old")
    if done is not None:
        if target.exists() or target.is_symlink():
            aside = old or done.with_name(done.name.replace(".done-", ".old-", 1))
            if old is not None:
                _remove(old)
            os.replace(target, aside)
            old = aside
        os.replace(done, target)
    if old is not None:
        if target.exists():
            _remove(old)
        else:
            os.replace(old, target)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with suppress(OSError):
            path.unlink()


def check_dir_target(target: str | Path, marker: str) -> None:
    """Raise TargetError unless `target` may become (or be replaced by) an output directory:
    absent, empty, or holding `marker` (an earlier output of the same kind). A directory
    is replaced as a whole, so one holding anything else is never touched. What a killed
    earlier write left is recovered first."""
    target = Path(os.path.abspath(target))
    recover(target)
    if target.exists() and not target.is_dir():
        raise TargetError(f"cannot write {target}: it is not a directory")
    if target.is_dir() and any(target.iterdir()) and not (target / marker).is_file():
        raise TargetError(f"{target} holds files but no {marker}; kazsim replaces its output "
                          "directory as a whole, so give a new or empty directory")
    _check_parent(target)


def check_file_target(target: str | Path) -> None:
    """Raise TargetError unless a file can be written at `target`."""
    target = Path(os.path.abspath(target))
    if target.is_dir():
        raise TargetError(f"cannot write {target}: it is a directory")
    _check_parent(target)


@contextmanager
def atomic_dir(target: str | Path, marker: str) -> Iterator[Path]:
    """Yield a fresh temporary directory; on success it replaces `target` as a whole.

    On an exception the temporary directory is removed and `target` is left untouched.
    The finished directory is renamed `done` first, then an existing `target` is moved
    aside and the new one put in place, so at every moment either the old or the new
    report is complete, and a kill in any window is recovered by the next write. A
    `target` that holds files but no `marker` is refused (TargetError), never deleted.
    A full disk or a read-only location is an OutputError naming the target.
    """
    target = Path(os.path.abspath(target))
    check_dir_target(target, marker)
    owner = f"{_owner()}-{os.urandom(4).hex()}"
    sibling = {kind: target.with_name(f".{target.name}.{kind}-{owner}")
               for kind in ("tmp", "done", "old")}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.mkdir(sibling["tmp"])
        os.chmod(sibling["tmp"], 0o777 & ~_umask())
    except OSError as err:
        raise _output(target, err) from None
    try:
        yield sibling["tmp"]
        os.replace(sibling["tmp"], sibling["done"])
        if target.exists():
            os.replace(target, sibling["old"])
        os.replace(sibling["done"], target)
    except BaseException as err:  # Ctrl-C or SIGTERM too: no temporary is left
        placed = not sibling["tmp"].exists() and not sibling["done"].exists() \
            and target.exists()  # stopped just after the new report was put in place
        if sibling["old"].exists() and not target.exists():
            os.replace(sibling["old"], target)
        for kind in ("tmp", "done", *(("old",) if placed else ())):
            _remove(sibling[kind])
        if isinstance(err, OSError) and err.errno in _OUTPUT_ERRNOS:
            raise _output(target, err) from None
        raise
    _remove(sibling["old"])


def _output(target: Path, err: OSError) -> OutputError:
    return OutputError(str(target), output_reason(err))


@contextmanager
def atomic_file(target: str | Path, mode: str = "w", **kwargs: object) -> Iterator[object]:
    """Open a temporary sibling of `target` for writing; rename it over `target` on success."""
    target = Path(os.path.abspath(target))
    recover(target)
    name = target.with_name(f".{target.name}.tmp-{_owner()}-{os.urandom(4).hex()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
        os.close(fd)
    except OSError as err:
        raise _output(target, err) from None
    try:
        with open(name, mode, **kwargs) as fh:  # type: ignore[call-overload]
            yield fh
        os.replace(name, target)
    except BaseException as err:
        if os.path.exists(name):
            os.unlink(name)
        if isinstance(err, OSError) and err.errno in _OUTPUT_ERRNOS:
            raise _output(target, err) from None
        raise
