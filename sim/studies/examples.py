"""The examples that come with kazsim: the repository's scenarios/, sweeps/, policies/ and
records/ folders. They stay the one source: a build copies them into the package as
`sim/shipped/` (setup.py), and a checkout reads its own folders. `examples` copies them
out to start from; `find_example` finds one by its bare name (`kazbat_2003`)."""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sim.core.errors import InputError, Problem
from sim.report.atomic import atomic_file

KINDS = ("scenarios", "sweeps", "policies", "records")
KIND_WORDS = {"scenarios": "scenario", "sweeps": "sweep file", "policies": "policy file",
              "records": "record file"}
_PACKAGE = Path(__file__).resolve().parents[1]
INSTALLED = _PACKAGE / "shipped"  # an installed copy (written by the build)
CHECKOUT = _PACKAGE.parent  # a checkout: the folders beside sim/


@dataclass(frozen=True)
class Example:
    kind: str  # one of KINDS
    relative: str  # its path under the examples' root, with '/' ("scenarios/brigade.yaml")
    path: Path  # where it is

    @property
    def name(self) -> str:
        return Path(self.relative).stem


def examples_root() -> Path | None:
    """Where the examples are: the installed package's copy, else the checkout's own
    folders (so that a checkout and an editable install never read a stale copy)."""
    if INSTALLED.is_dir():
        return INSTALLED
    if (CHECKOUT / "pyproject.toml").is_file() and any((CHECKOUT / k).is_dir() for k in KINDS):
        return CHECKOUT
    return None


def shipped_examples() -> list[Example]:
    """Every file of the examples, by kind then path."""
    root = examples_root()
    if root is None:
        return []
    out: list[Example] = []
    for kind in KINDS:
        if not (root / kind).is_dir():
            continue  # records/ may be absent
        for path in sorted((root / kind).rglob("*")):
            parts = path.relative_to(root).parts
            if path.is_file() and not any(p.startswith(".") or p == "__pycache__"
                                          for p in parts):
                out.append(Example(kind, "/".join(parts), path))
    return out


def is_bare_name(text: str) -> bool:
    """A name with no folder in it (`kazbat_2003`, `kazbat_2003.yaml`)."""
    seps = {os.sep, "/", *([os.altsep] if os.altsep else [])}
    return bool(text) and text not in (".", "..") and not any(s in text for s in seps)


def find_example(name: str, kinds: Sequence[str] = KINDS) -> Example | None:
    """The shipped example of a bare name (with or without .yaml), searching `kinds` in
    order; None when there is none."""
    if not is_bare_name(name):
        return None
    stem = name[:-5] if name.endswith(".yaml") else name[:-4] if name.endswith(".yml") else name
    shipped = shipped_examples()
    for kind in kinds:
        for ex in shipped:
            if ex.kind == kind and ex.path.suffix in (".yaml", ".yml") and ex.name == stem:
                return ex
    return None


def example(name: str, kind: str | None = None) -> Path:
    """The path of the shipped example `name` (e.g. `sim.example("kazbat_2003")`), a
    scenario first, then a sweep, a policy, a record; `kind` to look in one folder only.
    Raises InputError naming what is shipped when there is no such example."""
    if kind is not None and kind not in KINDS:
        raise InputError.single(f"kind: expected one of {', '.join(KINDS)}, found {kind!r}")
    found = find_example(name, [kind] if kind else KINDS)
    if found is None:
        names = sorted({e.name for e in shipped_examples() if kind in (None, e.kind)})
        raise InputError.single(f"no shipped example named {name!r}"
                                + (f" (shipped: {', '.join(names)})" if names else
                                   " (this installation ships none)"))
    return found.path


@dataclass
class CopiedExamples:
    """What `examples` did: the files written, those already there with the same content,
    and the ones replaced (only with `overwrite`)."""

    target: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    def by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for rel in self.written + self.replaced:
            kind = rel.split("/", 1)[0]
            counts[kind] = counts.get(kind, 0) + 1
        return counts


def examples(dest: str | Path = ".", overwrite: bool = False) -> CopiedExamples:
    """Copy the shipped examples into `dest` (default: here), keeping their folders
    (scenarios/, sweeps/, policies/, records/) so that the references between them hold.

    A file already there with the same content is left alone; one that differs is not
    replaced unless `overwrite`: InputError lists them and nothing is copied."""
    shipped = shipped_examples()
    if not shipped:
        raise InputError.single("this installation of kazsim has no examples to copy "
                                "(it was built without the scenarios/ folder)")
    target = Path(dest)
    if target.exists() and not target.is_dir():
        raise InputError.single(f"{dest}: not a directory")
    done = CopiedExamples(target)
    differ, blocked = [], []
    plan = []
    for ex in shipped:
        to = target.joinpath(*ex.relative.split("/"))
        data = ex.path.read_bytes()
        if _blocked(target, to):
            blocked.append(ex.relative)
        elif to.is_file():
            if to.read_bytes() == data:
                done.unchanged.append(ex.relative)
                continue
            differ.append(ex.relative)
        plan.append((ex.relative, to, data))
    if blocked:
        raise InputError([Problem(str(target / rel), None, "", "a folder or file is in the way "
                                  "of the example (nothing was copied)") for rel in blocked])
    if differ and not overwrite:
        n = len(differ)
        raise InputError.single(
            f"{n} file{'s' if n != 1 else ''} in {target} already exist{'s' if n == 1 else ''} "
            f"and differ{'s' if n == 1 else ''} from the shipped "
            f"one{'s' if n != 1 else ''}: {_listed(differ)}; nothing was copied. Replace "
            f"{'them' if n != 1 else 'it'} with --force (from Python: overwrite=True), or "
            "choose another folder")
    for rel, to, data in plan:
        with atomic_file(to, "wb") as fh:
            fh.write(data)  # type: ignore[attr-defined]
        (done.replaced if rel in differ else done.written).append(rel)
    return done


def _blocked(root: Path, to: Path) -> bool:
    """A directory where the file should go, or a file where a folder should be."""
    if to.is_dir():
        return True
    parent = to.parent
    while parent != root and parent != parent.parent:
        if parent.exists() and not parent.is_dir():
            return True
        parent = parent.parent
    return False


def _listed(items: list[str], most: int = 5) -> str:
    shown = ", ".join(items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")
