"""Small scenarios built in code for model tests (plain dicts, validated on use)."""
from __future__ import annotations

import copy
from typing import Any

from sim.scenario.paths import set_path
from sim.scenario.schema import Scenario


def quiet_force(**grades: int) -> dict[str, Any]:
    """A force with no flows at all: no exits, no contract ends, no intake."""
    est = {"officer": 0, "nco": 0, "soldier": 0, **grades}
    return {
        "establishment": est,
        "contract_years": {"officer": 1000, "nco": 1000, "soldier": 1000},
        "reenlist": {"officer": 1, "nco": 1, "soldier": 1},
        "attrition_per_year": {"officer": 0, "nco": 0, "soldier": 0},
        "recruiting": {"per_month": 0},
        "officer_intake_per_year": 0,
    }


def scenario(data: dict[str, Any], **sets: Any) -> Scenario:
    """Validate `data` after applying dotted-path `sets` (use __ for dots)."""
    data = copy.deepcopy(data)
    for key, value in sets.items():
        set_path(data, key.replace("__", "."), value)
    return Scenario.model_validate(data)


def rotation_case(pool: int, contingent: int, tour: float, dwell: float,
                  rotations: int) -> dict[str, Any]:
    """One deployment, all volunteers, no preparation, no overlap, no losses."""
    return {
        "name": "rotation arithmetic",
        "start": "2000-01-01",
        "end": f"{2000 + int(tour * rotations // 365) + 2}-01-01",
        "force": quiet_force(soldier=pool),
        "deployments": [{
            "name": "op", "start": "2000-01-01",
            "end": _date_after("2000-01-01", tour * rotations),
            "tour_days": tour, "select_days": 0, "predeployment_days": 0,
            "overlap_days": 0, "min_dwell_days": dwell, "volunteer_prob": 1.0,
            "contingent": [{"role": "support", "grade": "soldier", "count": contingent}],
        }],
    }


def _date_after(start: str, days: float) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(start) + dt.timedelta(days=int(days))).isoformat()


def approval_case(arrivals_per_day: float, approval_mean: float, approvers: int,
                  days: int) -> dict[str, Any]:
    """Tips arrive as a Poisson stream at a constant rate; `approvers` officers approve
    each in an exponential time; tips never perish and nobody works them off."""
    end = _date_after("2000-01-01", days)
    return {
        "name": "approval queue",
        "start": "2000-01-01",
        "end": end,
        "force": quiet_force(officer=approvers, soldier=1),
        "deployments": [{
            "name": "op", "start": "2000-01-01", "end": end, "tour_days": days,
            "select_days": 0, "predeployment_days": 0, "overlap_days": 0,
            "contingent": [{"role": "commander", "grade": "officer", "count": 1},
                           {"role": "staff", "grade": "officer", "count": approvers - 1},
                           {"role": "interpreter", "grade": "soldier", "count": 1}],  # tips need one
            "theatre": {
                "doctrine": {"authority": "officer"},
                "approval_days": {"dist": "exponential", "mean": approval_mean},
                "tips": {"rate_per_week_at_full_trust": 7 * arrivals_per_day,
                         "shelf_life_days": 1e9},
                "cache_items": 1,
                "ordnance_stock": 1e15,
                "trust": {"initial": 1.0, "growth_per_day": 0},
            },
        }],
    }


def run_model(sc: Scenario, seed: int = 1, index: int = 0, trace: bool = False,
              audit: bool = False):  # type: ignore[no-untyped-def]
    """A replication run to the end, its parts open for inspection."""
    from sim.model.replication import Replication

    rep = Replication(sc, seed, index, trace=trace, audit=audit)
    rep.run()
    return rep
