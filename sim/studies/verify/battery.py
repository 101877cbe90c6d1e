"""The checks `verify` runs on a scenario (SPEC "Verification battery", after Sargent's
verification and validation of simulation models): what each expects, and how the
replications' metrics are judged against it.

- **Extreme and degenerate conditions**: the scenario with one thing taken away (no
  ordnance, no volunteers, no interpreter, no vehicles, no recruiting or leaving, every
  course closed), each with what must then hold on every replication. A timeline change
  to a setting that a variant takes away is dropped with it (a fleet delivered later
  would put the vehicles back).
- **Accounting identities** on every replication of the scenario as it is: people,
  ordnance, tips and money (the cost parts sum to the total).
- **Determinism** and the scenario's own **expectations** are judged in `study.py`
  from runs made there; their statuses come from here.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sim.core.metrics import COST_PARTS
from sim.scenario.paths import PathError, set_path
from sim.scenario.problems import key_path
from sim.scenario.schema import GRADES, Scenario
from sim.scenario.timeline import initial_scenario

Metrics = dict[str, float | None]
PASS, FAIL, INCONCLUSIVE = "pass", "fail", "inconclusive"


@dataclass(frozen=True)
class Check:
    """One row of the verification table."""

    name: str
    kind: str        # extreme | accounting | determinism | expectation
    expected: str
    observed: str
    status: str      # pass | fail | inconclusive

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "kind": self.kind, "expected": self.expected,
                "observed": self.observed, "status": self.status}


# -- extreme and degenerate conditions ---------------------------------------------------

@dataclass(frozen=True)
class Extreme:
    """A scenario with something taken away (`sets`, dotted paths as --set takes them;
    `clear`, top-level keys emptied), and what must then hold on every replication:
    `broken(metrics)` says how a replication breaks it (None when it holds)."""

    name: str
    expected: str
    sets: dict[str, Any]
    broken: Callable[[Metrics], str | None]
    clear: tuple[str, ...] = ()


def _zero(*names: str) -> Callable[[Metrics], str | None]:
    def broken(m: Metrics) -> str | None:
        bad = [f"{n} = {_show(m.get(n))}" for n in names if m.get(n) != 0]
        return ", ".join(bad) or None
    return broken


def _show(value: float | None) -> str:
    return "none" if value is None else f"{value:,.6g}"


def extremes(sc: Scenario) -> list[Extreme]:
    """The extreme conditions that mean something for `sc` (the theatre's need a
    deployment; the courses' need a course)."""
    deps = [d.name for d in sc.deployments]
    out = []
    if deps:
        out += [
            Extreme("no ordnance", "no item cleared and no clearance incident",
                    {f"deployments.{d}.theatre.ordnance_stock": 0 for d in deps},
                    _zero("items_cleared", "incidents")),
            Extreme("no volunteers", "nobody deployed and no contingent counted as sent",
                    {f"deployments.{d}.volunteer_prob": 0 for d in deps},
                    _zero("persons_deployed", "rotations")),
            Extreme("no interpreter in a contingent", "no tip received, none acted on",
                    {f"deployments.{d.name}.contingent.{i}.count": 0
                     for d in sc.deployments for i, s in enumerate(d.contingent) if s.role == "interpreter"},
                    _zero("tips_received", "tips_acted")),
            Extreme("no vehicles", "no vehicle in service and no vehicle cost (deployed pay set to 0 "
                    "to show it: the deployed cost is then 0)",
                    {**{f"deployments.{d}.theatre.vehicles.count": 0 for d in deps},
                     **{f"costs.person_day.deployed.{g}": 0 for g in GRADES}},
                    _no_vehicle_cost, clear=("assistance",)),
        ]
    initial = initial_scenario(sc).force.initial.total
    out.append(Extreme(
        "no recruiting and no leaving", f"strength constant at {initial:,} (nobody recruited, "
        "separated or killed)",
        {"force.recruiting.per_month": 0, "force.officer_intake_per_year": 0,
         **{f"force.attrition_per_year.{g}": 0 for g in GRADES},
         **{f"force.contract_years.{g}": 1e9 for g in GRADES},
         **{f"force.reenlist.{g}": 1 for g in GRADES},
         "restructure": None,  # a cut in posts would send people home at their contract's end
         **{f"deployments.{d}.theatre.incident_per_1000_items": {"qualified": 0, "unqualified": 0}
            for d in deps},
         **{f"deployments.{d}.theatre.security.hostile_per_1000_person_days": 0 for d in deps}},
        _constant(initial)))
    if sc.training.courses:
        out.append(Extreme(
            "every course closed", "nobody completes a course, nobody promoted by one",
            {f"training.courses.{c}.seats": 0 for c in sc.training.courses},
            _zero("course_graduates", "promoted_to_nco"), clear=("assistance",)))
    return out


def _no_vehicle_cost(m: Metrics) -> str | None:
    bad = _zero("cost_deployed_usd")(m)
    if m.get("vehicle_availability") is not None:
        bad = ", ".join(filter(None, [bad, f"vehicle_availability = {_show(m['vehicle_availability'])}"]))
    return bad or None


def _constant(initial: int) -> Callable[[Metrics], str | None]:
    def broken(m: Metrics) -> str | None:
        moved = _zero("recruited", "separated", "killed")(m)
        if m.get("strength_end") != initial:
            moved = ", ".join(filter(None, [f"strength_end = {_show(m.get('strength_end'))}", moved]))
        return moved or None
    return broken


def variant(data: dict[str, Any], sets: dict[str, Any], clear: Sequence[str] = (),
            strip: bool = True) -> dict[str, Any]:
    """The scenario's data with `sets` applied and `clear` emptied; with `strip`, timeline
    changes to a setting that `sets` fixes (or to what holds it) are dropped, so that
    they cannot undo it (without: as `--set` would leave them)."""
    out = copy.deepcopy(data)
    fixed = []
    for path, value in sets.items():
        fixed.append(key_path(out, path))
        set_path(out, path, value, create=False)
    for key in clear:
        out[key] = type(out[key])()
    if not strip:
        return out
    timeline = []
    for entry in out.get("timeline") or []:
        kept = {p: v for p, v in entry["set"].items() if not any(_overlap(_keys(out, p), f) for f in fixed)}
        if kept:
            timeline.append({**entry, "set": kept})
    out["timeline"] = timeline
    return out


def _keys(data: dict[str, Any], path: str) -> tuple[Any, ...]:
    try:
        return key_path(data, path)
    except (PathError, StopIteration):
        return tuple(path.split("."))


def _overlap(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def judge(extreme: Extreme, runs: Sequence[Metrics | None]) -> Check:
    """An extreme condition holds when it holds on every replication that ran."""
    broken = [(i, extreme.broken(m)) for i, m in enumerate(runs) if m is not None]
    bad = [(i, why) for i, why in broken if why]
    failed = sum(m is None for m in runs)
    if bad:
        i, why = bad[0]
        observed = f"broken in {len(bad)} of {len(broken)} replications (replication {i}: {why})"
    else:
        observed = f"holds in {len(broken)} of {len(broken)} replications"
    if failed:
        observed += f"; {failed} failed inside the model"
    status = FAIL if bad or failed or not broken else PASS
    return Check(extreme.name, "extreme", extreme.expected, observed, status)


# -- accounting identities -----------------------------------------------------------------

@dataclass(frozen=True)
class Identity:
    name: str
    expected: str
    gap: Callable[[Metrics], float]   # relative gap between the two sides (0 when it holds)


def identities(sc: Scenario) -> list[Identity]:
    initial = initial_scenario(sc).force.initial.total
    stock = sum(d.theatre.ordnance_stock for d in sc.deployments)

    def people(m: Metrics) -> float:
        left = initial + _v(m, "recruited")
        right = (_v(m, "strength_end") + _v(m, "in_basic_training_end") + _v(m, "separated")
                 + _v(m, "killed"))
        return abs(left - right) / max(left, 1.0)

    def ordnance(m: Metrics) -> float:
        found = _v(m, "items_cleared") + _v(m, "items_removed") + _v(m, "ordnance_remaining")
        return abs(stock - found) / max(stock, 1.0)

    def tips(m: Metrics) -> float:
        received = _v(m, "tips_received")
        return abs(received - (_v(m, "tips_acted") + _v(m, "tips_lost") + _v(m, "tips_pending_end"))) / max(received, 1.0)

    def money(m: Metrics) -> float:
        total = _v(m, "cost_total_usd")
        return abs(total - sum(_v(m, p) for p in COST_PARTS)) / max(abs(total), 1.0)

    return [
        Identity("people conserved", f"initial strength ({initial:,}) + recruited = strength at the end "
                 "+ in basic training at the end + separated + killed", people),
        Identity("ordnance conserved", f"the stock ({stock:,.0f}) = cleared + removed + remaining", ordnance),
        Identity("tips accounted for", "received = acted on + lost + pending at the end", tips),
        Identity("cost parts sum to the total", f"cost_total_usd = {' + '.join(COST_PARTS)}", money),
    ]


def _v(m: Metrics, name: str) -> float:
    value = m.get(name)
    return math.nan if value is None else float(value)


TOLERANCE = 1e-9  # relative: sums of floats in a different order


def audit(identity: Identity, runs: Sequence[Metrics | None]) -> Check:
    gaps = [(i, identity.gap(m)) for i, m in enumerate(runs) if m is not None]
    bad = [(i, g) for i, g in gaps if not g <= TOLERANCE]  # NaN (a missing metric) fails
    if bad:
        i, g = bad[0]
        observed = f"broken in {len(bad)} of {len(gaps)} replications (replication {i}: off by {g:.3g} of the total)"
    else:
        worst = max((g for _, g in gaps), default=0.0)
        observed = f"holds in {len(gaps)} of {len(gaps)} replications" + (
            f" (largest rounding gap {worst:.1g})" if worst > 0 else "")
    return Check(identity.name, "accounting", identity.expected, observed,
                 FAIL if bad or not gaps else PASS)


# -- expectations ---------------------------------------------------------------------------

def direction_status(direction: str, ci: Sequence[float] | None) -> str:
    """`up`/`down` pass when the paired 95% interval lies on their side of 0 and fail
    when it lies wholly on the wrong side; `same` fails when the interval excludes 0."""
    if ci is None:
        return INCONCLUSIVE
    low, high = ci
    if direction == "same":
        return FAIL if low > 0 or high < 0 else PASS
    if direction == "up":
        return PASS if low > 0 else FAIL if high < 0 else INCONCLUSIVE
    return PASS if high < 0 else FAIL if low > 0 else INCONCLUSIVE
