"""Metrics of one finished replication (names and meanings in `sim.metrics`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model.world import World


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def collect(w: World) -> dict[str, float | None]:
    rot = list(w.rotations.values())
    th = [r.theatre.stats for r in rot]
    force = w.force
    strength = w.people.strength()
    est = force.establishment(w.env.now)
    items = sum(r.theatre.items_cleared for r in rot)
    waits = [x for s in th for x in s.waits]
    approval = [x for s in th for x in s.approval_waits]
    vdays = sum(s.vehicle_days for s in th)
    course_waits = [x for c in w.courses.values() for x in c.waits]
    required = sum(r.required for r in rot)
    ledger = w.ledger
    m: dict[str, float | None] = {
        "items_cleared": items,
        "items_cleared_routine": sum(s.items_routine for s in th),
        "items_cleared_caches": sum(s.items_caches for s in th),
        "tips_received": sum(s.tips_received for s in th),
        "tips_lost": sum(s.tips_lost for s in th),
        "items_lost": sum(s.items_lost for s in th),
        "task_wait_days_mean": _mean(waits),
        "approval_wait_days_mean": _mean(approval),
        "team_days_worked": sum(s.team_days for s in th),
        "incidents": sum(s.incidents for s in th),
        "killed": sum(s.killed for s in th),
        "wounded": sum(s.wounded for s in th),
        "water_litres": sum(s.water_litres for s in th),
        "vehicle_availability": (1 - sum(s.vehicle_down_days for s in th) / vdays) if vdays else None,
        "rotations": sum(r.rotations for r in rot),
        "rotation_fill_rate": (sum(r.filled for r in rot) / required) if required else None,
        "rotations_understrength": sum(r.understrength for r in rot),
        "gap_days": sum(r.gap_days for r in rot),
        "persons_deployed": int(w.deployed_ever.sum()),
        "repeat_tours": w.repeat_tours,
        "dwell_days_mean": _mean(w.dwell_days),
        "strength_end": int(strength.sum()),
        "strength_end.officer": int(strength[0]),
        "strength_end.nco": int(strength[1]),
        "strength_end.soldier": int(strength[2]),
        "officer_share_end": force.officer_share(),
        "establishment_fill_end": float(strength.sum() / est.sum()) if est.sum() else None,
        "days_to_foc": force.foc_day,
        "officer_share_target_met_days": force.target_met_day,
        "recruited": int(force.recruited.sum()),
        "separated": int(force.separated.sum()),
        "promoted_to_nco": int(force.promoted_in[1]),
        "course_wait_days_mean": _mean(course_waits),
        "interoperability_end": w.interoperability(),
        "cost_total_usd": ledger.total,
        "cost_deployed_usd": ledger.deployed_total,
        "cost_training_usd": ledger.training_usd,
        "cost_per_item_usd": ledger.total / items if items else None,
        "officer_share_start": (float(force.start_strength[0] / force.start_strength.sum())
                                if force.start_strength.sum() else None),
    }
    m.update(_first_tour(w))
    return {k: None if v is None else float(v) for k, v in m.items()}


def _first_tour(w: World) -> dict[str, float | None]:
    empty: dict[str, float | None] = {
        "first_tour.items_cleared_day120": None, "first_tour.cost_deployed_usd": None,
        "first_tour.casualties": None, "first_tour.deployed": None}
    if not w.rotations:
        return empty
    r = next(iter(w.rotations.values()))
    c = r.first
    if c is None:
        return empty
    return {
        "first_tour.items_cleared_day120": r.first_items_day120,
        "first_tour.cost_deployed_usd": c.deployed_usd + r.first_vehicle_days * w.sc.costs.vehicle_day,
        "first_tour.casualties": r.first_casualties,
        "first_tour.deployed": c.arrived,
    }
