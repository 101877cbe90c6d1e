"""Catalogue of the metrics every replication reports: unit, meaning and kind.

`kind` is "value" for ordinary metrics and "time_to_event" for metrics that are `None`
in replications where the event never happened (their summaries also give the share
of replications in which it did).
"""
from __future__ import annotations

from typing import Any, NamedTuple


class MetricInfo(NamedTuple):
    unit: str
    description: str
    kind: str = "value"
    group: str = "theatre"


_T, _R, _F, _C, _V = "theatre", "rotation", "force", "cost", "calibration"
_A, _S = "accounting", "restructuring"

METRICS: dict[str, MetricInfo] = {
    # theatre
    "items_cleared": MetricInfo("items", "explosive items cleared in all theatres", group=_T),
    "items_cleared_routine": MetricInfo("items", "items cleared on routine area-clearance tasks", group=_T),
    "items_cleared_caches": MetricInfo("items", "items cleared from caches reported by tips", group=_T),
    "tips_received": MetricInfo("tips", "tips on ordnance caches received from local people", group=_T),
    "tips_lost": MetricInfo("tips", "tips that perished (cache moved, looted or used) before a team started", group=_T),
    "items_lost": MetricInfo("items", "items in caches whose tips perished", group=_T),
    "task_wait_days_mean": MetricInfo("days", "mean days from a tip's report to the start of work on it; a lost tip counts until it perished, a pending one until the end", group=_T),
    "approval_wait_days_mean": MetricInfo("days", "mean days a tip queued for approval before approval began; a tip that perished in the queue counts until it perished, one still queued until the end", group=_T),
    "team_days_worked": MetricInfo("team-days", "workdays clearance teams spent on tasks", group=_T),
    "incidents": MetricInfo("incidents", "clearance incidents (detonations) during tasks", group=_T),
    "killed": MetricInfo("persons", "personnel killed in theatre", group=_T),
    "wounded": MetricInfo("persons", "personnel wounded and evacuated", group=_T),
    "water_litres": MetricInfo("litres", "drinking water purified", group=_T),
    "vehicle_availability": MetricInfo("share", "time-average share of the theatre fleet that is serviceable", group=_T),
    # rotation
    "rotations": MetricInfo("rotations", "contingents sent (all deployments)", group=_R),
    "rotation_fill_rate": MetricInfo("share", "posts filled at departure over posts required, all rotations", group=_R),
    "rotations_understrength": MetricInfo("rotations", "rotations that left with unfilled posts", group=_R),
    "gap_days": MetricInfo("days", "deployment days on which the contingent in theatre was below its required strength", group=_R),
    "persons_deployed": MetricInfo("persons", "distinct people who deployed at least once", group=_R),
    "repeat_tours": MetricInfo("tours", "tours served by people on their second or later tour", group=_R),
    "dwell_days_mean": MetricInfo("days", "mean days at home between tours (people with repeat tours)", group=_R),
    # force
    "strength_end": MetricInfo("persons", "force strength at the end", group=_F),
    "strength_end.officer": MetricInfo("persons", "officers at the end", group=_F),
    "strength_end.nco": MetricInfo("persons", "NCOs at the end", group=_F),
    "strength_end.soldier": MetricInfo("persons", "soldiers at the end", group=_F),
    "officer_share_end": MetricInfo("share", "officers as a share of strength at the end", group=_F),
    "establishment_fill_end": MetricInfo("share", "strength over establishment at the end", group=_F),
    "days_to_foc": MetricInfo("days", "days from the start to full operational capability (on or after the last growth step)", "time_to_event", _F),
    "officer_share_target_met_days": MetricInfo("days", "days from the start until the officer share first met the restructuring target", "time_to_event", _F),
    "recruited": MetricInfo("persons", "soldiers recruited plus officers taken in", group=_F),
    "separated": MetricInfo("persons", "people who left the force alive (contract ends, attrition, release, the wounded who leave); the killed are counted apart", group=_F),
    "promoted_to_nco": MetricInfo("persons", "soldiers promoted to NCO through the NCO course", group=_F),
    "course_wait_days_mean": MetricInfo("days", "mean days candidates spent in a course queue, all courses pooled (seated, left unseated, or still waiting at the end)", group=_F),
    "interoperability_end": MetricInfo("share", "share of personnel meeting the NATO criteria for their grade, at the end", group=_F),
    # cost
    "cost_total_usd": MetricInfo("USD", "all costs: person-days, course seats, vehicles, purchases", group=_C),
    "cost_deployed_usd": MetricInfo("USD", "deployed person-days and theatre vehicle-days", group=_C),
    "cost_training_usd": MetricInfo("USD", "course seats filled", group=_C),
    "cost_per_item_usd": MetricInfo("USD/item", "total cost over items cleared", group=_C),
    # seed calibration (first deployment, first tour)
    "first_tour.items_cleared_day120": MetricInfo("items", "items cleared by day 120 of the first tour of the first deployment", group=_V),
    "first_tour.cost_deployed_usd": MetricInfo("USD", "deployed cost of the first tour of the first deployment", group=_V),
    "first_tour.casualties": MetricInfo("persons", "killed plus wounded in the first tour of the first deployment", group=_V),
    "first_tour.deployed": MetricInfo("persons", "people in the first contingent of the first deployment", group=_V),
    "officer_share_start": MetricInfo("share", "officers as a share of strength at the start", group=_V),
    # restructuring
    "officers_released": MetricInfo("persons", "surplus officers released ahead of contract end by restructure.officer_release_per_year", group=_S),
    # accounting: what the model conserves
    "tips_acted": MetricInfo("tips", "tips on which a team started work", group=_A),
    "tips_pending_end": MetricInfo("tips", "tips neither acted on nor lost at the end (awaiting approval or a team)", group=_A),
    "ordnance_remaining": MetricInfo("items", "ordnance left in the areas of responsibility at the end (reported caches not yet cleared included)", group=_A),
    "items_removed": MetricInfo("items", "items in lost caches, carried off (they leave the stock)", group=_A),
    "course_wait_days_mean.<course>": MetricInfo("days", "mean days candidates spent in the course's queue (seated, left unseated, or still waiting at the end)", group=_A),
    # theatre over time / tempo / harmony
    "workdays_lost": MetricInfo("team-days", "clearance team-workdays lost to security restrictions (movement, force protection)", group=_T),
    "incidents_hostile": MetricInfo("incidents", "hostile incidents (IEDs, indirect fire) striking people in theatre, apart from clearance work", group=_T),
    "killed_hostile": MetricInfo("persons", "personnel killed in hostile incidents (also counted in killed)", group=_T),
    "bog_dwell_ratio_mean": MetricInfo("ratio", "boots on ground to dwell: days in theatre over days at home, pooled over the people who deployed, each from their first arrival", group=_R),
    "harmony_breach_share": MetricInfo("share", "share of people who deployed with more than harmony.cap_days in theatre within any harmony.window_days", group=_R),
    "rotation_fill_rate.<deployment>": MetricInfo("share", "posts filled at departure over posts required, the deployment's rotations", group=_R),
    "output.<task>": MetricInfo("task units", "output of another theatre task, in the unit its scenario entry names (deployments[].theatre.tasks.<task>.unit)", group=_T),
}

# The few shown in the terminal summary, in order.
HEADLINE = [
    "items_cleared", "tips_lost", "task_wait_days_mean", "killed", "wounded",
    "rotation_fill_rate", "gap_days", "officer_share_end", "days_to_foc",
    "interoperability_end", "cost_total_usd", "cost_per_item_usd",
]

SERIES_INFO: dict[str, MetricInfo] = {
    "strength.officer": MetricInfo("persons", "officers in the force", group=_F),
    "strength.nco": MetricInfo("persons", "NCOs in the force", group=_F),
    "strength.soldier": MetricInfo("persons", "soldiers in the force", group=_F),
    "establishment.officer": MetricInfo("posts", "authorised officer posts", group=_F),
    "establishment.nco": MetricInfo("posts", "authorised NCO posts", group=_F),
    "establishment.soldier": MetricInfo("posts", "authorised soldier posts", group=_F),
    "officer_share": MetricInfo("share", "officers as a share of strength", group=_F),
    "deployed": MetricInfo("persons", "people in theatre (all deployments) at the date", group=_R),
    "deployed.min": MetricInfo("persons", "fewest people in theatre at any moment since the previous date", group=_R),
    "deployed.max": MetricInfo("persons", "most people in theatre at any moment since the previous date", group=_R),
    "required": MetricInfo("persons", "contingent strength required by the deployments under way", group=_R),
    "items_cleared_cum": MetricInfo("items", "items cleared so far, all theatres", group=_T),
    "ordnance_remaining": MetricInfo("items", "ordnance left in the areas of responsibility, all theatres", group=_A),
    "trust": MetricInfo("share", "local trust, mean over theatres with a contingent present", group=_T),
    # theatre over time / tempo / harmony
    "security": MetricInfo("level", "security level in theatre (0 calm, 1 hostile), mean over theatres", group=_T),
    "interoperability": MetricInfo("share", "share of personnel meeting the NATO criteria for their grade", group=_F),
    "cost_cum_usd": MetricInfo("USD", "all costs so far", group=_C),
    "course_queue.<course>": MetricInfo("persons", "candidates waiting for a seat on the course", group=_F),
}

SERIES = list(SERIES_INFO)


def _family(name: str, catalogue: dict[str, MetricInfo]) -> MetricInfo | None:
    """The catalogue entry of `name`, or of its family (`course_wait_days_mean.<course>`
    for `course_wait_days_mean.english`)."""
    info = catalogue.get(name)
    if info is not None:
        return info
    head, dot, tail = name.rpartition(".")
    if not dot or not tail:
        return None
    return next((v for k, v in catalogue.items()
                 if k.startswith(head + ".<") and k.endswith(">") and k.count(".") == name.count(".")),
                None)


def metric_info(name: str) -> MetricInfo | None:
    """Catalogue entry of a concrete metric name, families resolved; None if unknown."""
    return _family(name, METRICS)


def series_info(name: str) -> MetricInfo | None:
    """Catalogue entry of a concrete series name, families resolved; None if unknown."""
    return _family(name, SERIES_INFO)


def applies(name: str, scenario: Any) -> bool:
    """Whether a metric means anything for `scenario`: the target-met time needs a
    restructuring target. A time-to-event metric that does not apply has `happened`
    null in reports, where one that never happened has 0."""
    if name == "officer_share_target_met_days":
        return scenario.restructure is not None
    return True
