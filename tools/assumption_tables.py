"""Print the tables of docs/scenarios.md "What each scenario assumes": for every shipped
scenario, its assumptions (path, distribution, nominal, reason), those inherited
unchanged from the scenario it extends named in one line instead of repeated.

    python tools/assumption_tables.py > /tmp/tables.md

`tests/test_scenarios.py` checks that the page holds exactly these tables.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.scenario.assumptions import Declared, declared  # noqa: E402
from sim.scenario.loader import load_scenario  # noqa: E402

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def _number(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return f"{x:,}" if isinstance(x, int) and not isinstance(x, bool) else f"{x:g}" if isinstance(x, float) else str(x)


def distribution(d: Declared) -> str:
    a = d.assumption
    if a.range is not None:
        return f"range {_number(a.range[0])} to {_number(a.range[1])}"
    if a.triangular is not None:
        return "triangular " + " / ".join(_number(v) for v in a.triangular)
    if a.lognormal is not None:
        return f"lognormal median {_number(a.lognormal.median)}, sigma {_number(a.lognormal.sigma)}"
    assert a.choice is not None
    return "one of " + ", ".join(_number(v) for v in a.choice)


def table(name: str) -> list[str]:
    sc = load_scenario(SCENARIOS / f"{name}.yaml").scenario
    parent = Path(sc.extends).stem if sc.extends else None
    inherited = set()
    if parent:
        inherited = {(d.path, d.key, repr(d.nominal))
                     for d in declared(load_scenario(SCENARIOS / f"{parent}.yaml").scenario)}
    rows, same = [], 0
    for d in declared(sc):
        if (d.path, d.key, repr(d.nominal)) in inherited:
            same += 1
            continue
        reason = " ".join(d.source.split()).replace("|", "/")
        rows.append(f"| `{d.path}` | {distribution(d)} | {_number(d.nominal)} | {reason} |")
    out = [f"### `{name}`", ""]
    if parent:
        out += [f"Inherits {same} assumption{'s' * (same != 1)} of `{parent}` unchanged"
                + (", and declares or changes:" if rows else "; declares none of its own."), ""]
    if rows:
        out += ["| path | distribution | nominal | reason |", "|---|---|---|---|", *rows, ""]
    return out


ORDER = ["kazbat_2003", "hmmwv", "no_volunteers_shortfall", "nco_reform", "nco_reform_fast",
         "assistance_2003", "steppe_eagle_annual", "brigade", "kazbat_2003_2008"]


def tables() -> str:
    names = ORDER + sorted({p.stem for p in SCENARIOS.glob("*.yaml")} - set(ORDER))
    return "\n".join(line for name in names for line in table(name)).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(tables())
