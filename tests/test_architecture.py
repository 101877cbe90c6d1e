"""The house: no import circle anywhere in `sim` (every import counts: module level, in
functions, type-only), only the CLI talks to the terminal, the CLI reaches only the API
and presentation helpers, and docs/ARCHITECTURE.md names every module."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIM = ROOT / "sim"


def _modules() -> dict[str, Path]:
    out = {}
    for path in SIM.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


MODULES = _modules()
# Package faces (`__init__.py` that re-export names lazily) are set aside: importing a
# name from a face is an arrow to the face, and the face's own arrows are not followed.
FACES = {name for name, path in MODULES.items() if path.name == "__init__.py"}


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every `sim` module this file imports, anywhere in it, with the line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # `from sim.cli import run` names a module
                sub = f"{node.module}.{alias.name}"
                found.append((sub if sub in MODULES else node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
    return [(m, line) for m, line in found if m in MODULES]


def _graph() -> dict[str, set[str]]:
    return {name: {m for m, _ in _imports(path) if m != name}
            for name, path in MODULES.items() if name not in FACES}


def test_no_import_circle_in_sim():
    graph = _graph()
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        if state.get(node) == 1:
            raise AssertionError("import circle: " + " -> ".join([*trail[trail.index(node):], node]))
        if state.get(node) == 2 or node not in graph:
            return
        state[node] = 1
        for dep in sorted(graph[node]):
            visit(dep, [*trail, node])
        state[node] = 2

    for node in sorted(graph):
        visit(node, [])


def _outside_cli(name: str) -> bool:
    # sim/bootstrap.py runs before click is installed and may print its one-line notices
    return not name.startswith("sim.cli") and name != "sim.bootstrap"


def test_only_the_cli_talks_to_the_terminal():
    offenders = []
    for name, path in MODULES.items():
        if not _outside_cli(name):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                        else [node.module or ""])
                offenders += [f"{name}:{node.lineno} imports {m}" for m in mods
                              if m.split(".")[0] in ("click", "rich")]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in ("print", "input"):
                offenders.append(f"{name}:{node.lineno} calls {node.func.id}()")
            elif isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr") \
                    and isinstance(node.value, ast.Name) and node.value.id == "sys":
                offenders.append(f"{name}:{node.lineno} uses sys.{node.attr}")
    assert offenders == []


def _presentation_or_api(module: str) -> bool:
    parts = module.split(".")
    return (module in ("sim", "sim.api") or parts[:2] in (["sim", "cli"], ["sim", "core"],
                                                           ["sim", "report"])
            or (parts[:2] == ["sim", "studies"] and parts[-1] == "report"))


def test_the_cli_reaches_only_the_api_and_presentation_helpers():
    reached = sorted({f"{name} -> {m}" for name, path in MODULES.items()
                      if name.startswith("sim.cli") for m, _ in _imports(path)
                      if not _presentation_or_api(m)})
    assert reached == []


def test_architecture_md_names_every_module():
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = sorted(str(path.relative_to(ROOT)) for path in MODULES.values()
                     if str(path.relative_to(ROOT)) not in text
                     and not (path.name == "__init__.py" and not path.read_text().strip()))
    assert missing == [], ("docs/ARCHITECTURE.md does not name these modules; add each to "
                           "the table of its wing ('Where to add' says how)")
