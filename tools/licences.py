"""The licences of kazsim's run-time dependencies: pyproject.toml's `dependencies` and,
recursively, what each installed distribution requires (importlib.metadata), each
judged by the licence it declares. GPL and AGPL are refused: kazsim is MIT, and a
program that needs a GPL library at run time cannot be handed on under MIT terms alone.
LGPL, MPL and permissive licences are fine, and so is GPL with a linking exception
(the GCC runtime library that SciPy's wheels carry).

    python tools/licences.py        # the table; exit 1 if a dependency is refused

What a distribution declares, most authoritative first: its SPDX `License-Expression`
(PEP 639; `OR` offers a choice, `AND` needs both); otherwise its licence classifiers and
its `License` field (a full licence text is judged by its title), any of which naming
GPL or AGPL refuses it; a distribution that declares nothing is refused too, until
someone reads its licence and records it in REVIEWED with the reason.
"""
from __future__ import annotations

import importlib.metadata
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]

# distribution (normalised name) -> its licence as read by hand, and where
REVIEWED: dict[str, str] = {}

# exceptions that let GPL code be linked into programs under any licence
LINKING_EXCEPTIONS = re.compile(r"^(GCC-exception-\d|Classpath-exception-|LLVM-exception)", re.I)
_SPDX_COPYLEFT = re.compile(r"^A?GPL-\d", re.I)  # GPL-3.0-only, AGPL-3.0-or-later; not LGPL
_TEXT_COPYLEFT = re.compile(r"(?<![\w-])A?GPL(?![\w-]*\s+compatible)|GNU\s+(AFFERO\s+)?GENERAL\s+PUBLIC",
                            re.I)


@dataclass(frozen=True)
class Verdict:
    name: str
    version: str
    licence: str  # as declared, shortened
    refused: str | None  # why it is refused, None when it is fine
    via: tuple[str, ...]  # the chain of requirements from kazsim to it


def key(name: str) -> str:
    """A distribution's normalised name (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """pyproject.toml's `[project] dependencies` (not the optional extras)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the list kept in step with pyproject by a test
        from sim.bootstrap import REQUIREMENTS

        return list(REQUIREMENTS)
    with pyproject.open("rb") as f:
        return list(tomllib.load(f)["project"]["dependencies"])


def walk(requirements: Iterable[str],
         distribution: Callable[[str], Any] = importlib.metadata.distribution
         ) -> list[Verdict]:
    """Every distribution the requirements need, recursively, with its verdict (sorted by
    name). `distribution(name)` returns an object with `.metadata` (an email message) and
    `.requires` (importlib.metadata's interface)."""
    found: dict[str, Verdict] = {}
    todo = [(Requirement(r), ("kazsim",)) for r in requirements]
    while todo:
        req, via = todo.pop(0)
        name = key(req.name)
        if name in found:
            continue
        try:
            dist = distribution(req.name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = Verdict(req.name, "?", "?", "not installed: its licence cannot be read",
                                  via)
            continue
        meta = dist.metadata
        licence, refused = judge(meta)
        if name in REVIEWED:
            licence, refused = REVIEWED[name], None
        found[name] = Verdict(meta["Name"] or req.name, meta["Version"] or "?", licence,
                              refused, via)
        for text in dist.requires or []:
            sub = Requirement(text)
            extras = [""] + sorted(req.extras)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras):
                todo.append((sub, (*via, meta["Name"] or req.name)))
    return sorted(found.values(), key=lambda v: key(v.name))


def judge(meta: Any) -> tuple[str, str | None]:
    """(the licence declared, why it is refused or None)."""
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        try:
            ok = _spdx_ok(_tokens(expression))
        except ValueError as err:
            return expression, f"unreadable License-Expression ({err})"
        return expression, None if ok else "GPL or AGPL without a permissive alternative"
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::") and c.count("::") >= 2]
    field = (meta.get("License") or "").strip()
    title = next((line.strip() for line in field.splitlines() if line.strip()), "")
    if title.upper() == "UNKNOWN":
        title = ""
    declared = [*classifiers, *([title] if title else [])]
    shown = "; ".join(declared)[:80]
    if not declared:
        return "none declared", "declares no licence: read it and record it in REVIEWED"
    if any(_TEXT_COPYLEFT.search(d) for d in declared):
        return shown, "GPL or AGPL"
    return shown, None


def _tokens(expression: str) -> list[str]:
    return re.findall(r"\(|\)|[^\s()]+", expression)


def _spdx_ok(tokens: list[str]) -> bool:
    """Whether an SPDX expression can be met without GPL or AGPL (precedence: WITH, then
    AND, then OR)."""
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError("ends too soon")
        pos += 1
        return tokens[pos - 1]

    def either() -> bool:
        ok = both()
        while (peek() or "").upper() == "OR":
            take()
            ok = both() or ok
        return ok

    def both() -> bool:
        ok = one()
        while (peek() or "").upper() == "AND":
            take()
            ok = one() and ok
        return ok

    def one() -> bool:
        token = take()
        if token == "(":
            ok = either()
            if take() != ")":
                raise ValueError("unbalanced parentheses")
        elif token in (")",) or token.upper() in ("AND", "OR", "WITH"):
            raise ValueError(f"unexpected {token!r}")
        else:
            ok = not _SPDX_COPYLEFT.match(token)
        if (peek() or "").upper() == "WITH":
            take()
            ok = ok or bool(LINKING_EXCEPTIONS.match(take()))
        return ok

    result = either()
    if pos != len(tokens):
        raise ValueError(f"unexpected {tokens[pos]!r}")
    return result


def main(requirements: Iterable[str] | None = None,
         distribution: Callable[[str], Any] = importlib.metadata.distribution) -> int:
    verdicts = walk(runtime_requirements() if requirements is None else requirements,
                    distribution)
    width = max(len(v.name) for v in verdicts)
    for v in verdicts:
        status = f"REFUSED: {v.refused} (via {' -> '.join(v.via)})" if v.refused else "ok"
        print(f"{v.name:<{width}}  {v.version:<12}  {v.licence[:50]:<50}  {status}")
    refused = [v for v in verdicts if v.refused]
    print(f"{len(verdicts)} run-time dependencies, {len(refused)} refused")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
