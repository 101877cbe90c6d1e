"""Atomic writes: build in a temporary sibling, then rename into place."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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


def check_dir_target(target: str | Path, marker: str) -> None:
    """Raise TargetError unless `target` may become (or be replaced by) an output directory:
    absent, empty, or holding `marker` (an earlier output of the same kind). A directory
    is replaced as a whole, so one holding anything else is never touched."""
    target = Path(os.path.abspath(target))
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
    An existing `target` is moved aside first and deleted only after the new one is in
    place, so at every moment either the old or the new report is complete. A `target`
    that holds files but no `marker` is refused (TargetError), never deleted.
    """
    target = Path(os.path.abspath(target))
    check_dir_target(target, marker)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; a report is not
    old = None
    try:
        yield tmp
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.rmdir(old)
            os.replace(target, old)
        os.replace(tmp, target)
    except BaseException:
        if old is not None and old.exists() and not target.exists():
            os.replace(old, target)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def atomic_file(target: str | Path, mode: str = "w", **kwargs: object) -> Iterator[object]:
    """Open a temporary sibling of `target` for writing; rename it over `target` on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.tmp-", dir=target.parent)
    os.close(fd)
    os.chmod(name, 0o666 & ~_umask())  # mkstemp makes it private; a trace is not
    try:
        with open(name, mode, **kwargs) as fh:  # type: ignore[call-overload]
            yield fh
        os.replace(name, target)
    except BaseException:
        if os.path.exists(name):
            os.unlink(name)
        raise
