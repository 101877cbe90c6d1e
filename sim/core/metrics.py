"""Catalogue of the metrics every replication reports: unit, meaning, kind and label.

`kind` says how a metric builds up over a run, and so what it means at a date before
the end (a record's `by:`): a `count` accumulates (read by a date: the total to that
date), a `state` is a value at a date (the state on that date), a `ratio` or a `mean`
pools over the window from the start (read by a date: over the window to that date),
and a `time_to_event` is `None` in replications where the event never happened (by a
date: where it had not happened by then; summaries also give the share of replications
in which it did). `label` is the human name that tables and figures
show; `better` says which direction is desirable ("higher", "lower", or "" where
neither is), so a comparison can colour a change as better or worse.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from sim.core.suggest import did_you_mean


class MetricInfo(NamedTuple):
    unit: str
    description: str
    kind: str = "value"
    group: str = "theatre"
    label: str = ""
    better: str = ""


class SeriesInfo(NamedTuple):
    unit: str
    label: str
    description: str = ""


_T, _R, _F, _C, _V = "theatre", "rotation", "force", "cost", "calibration"
_A, _S, _I = "accounting", "restructuring", "interoperability"

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
    "rotations": MetricInfo("rotations", "contingents sent, in which at least one person deployed (all deployments)", group=_R),
    "rotations_empty": MetricInfo("rotations", "call-ups that sent nobody (no volunteer, qualification or dwell allowed anyone); their posts count as unfilled", group=_R),
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
    "course_graduates": MetricInfo("persons", "places completed on courses, all courses (a person counts once per course finished)", group=_F),
    "course_wait_days_mean": MetricInfo("days", "mean days candidates spent in a course queue, all courses pooled (seated, left unseated, or still waiting at the end)", group=_F),
    "interoperability_end": MetricInfo("share", "interoperability index at the end: weighted mean of its parts (interoperability.weights; default the people part alone, the share of personnel meeting the NATO criteria for their grade)", group=_F),
    # cost
    "cost_total_usd": MetricInfo("USD", "all costs: person-days, course seats, vehicles, purchases", group=_C),
    "cost_home_usd": MetricInfo("USD", "person-days at home (in courses, preparing and basic training included)", group=_C),
    "cost_deployed_usd": MetricInfo("USD", "deployed person-days and theatre vehicle-days", group=_C),
    "cost_training_usd": MetricInfo("USD", "course seats filled", group=_C),
    "cost_purchases_usd": MetricInfo("USD", "one-off purchases (costs.purchases)", group=_C),
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
    # interoperability and assistance
    "interoperability.people": MetricInfo("share", "share of personnel, in grades with criteria, holding every qualification their grade's criteria list, at the end", group=_I),
    "interoperability.equipment": MetricInfo("share", "NATO-standard kit in service over the sets the deployable units need, at the end (none without equipment.sets)", group=_I),
    "interoperability.exercises": MetricInfo("share", "share of the force with combined-exercise credit, at the end (none without exercises)", group=_I),
    "exercise_participants": MetricInfo("persons", "places taken on combined exercises (a person counts once per exercise)", group=_I),
    "assistance_received_usd": MetricInfo("USD", "assistance money received by all programmes", group=_I),
    "assistance_spent_usd": MetricInfo("USD", "assistance money spent by all programmes (never more than received)", group=_I),
    "assistance_seats_bought": MetricInfo("seats", "course seats paid for by assistance programmes", group=_I),
    "assistance_seats_unbought": MetricInfo("seats", "course seats wanted (candidates waiting, up to the programme's limit) that the money left could not buy", group=_I),
    "assistance_usd_per_point": MetricInfo("USD/point", "assistance spent per percentage point of the interoperability index gained from start to end (none without a gain)", group=_I),
    # force supply and budget
    "applicants": MetricInfo("persons", "people who applied to enlist as soldiers (force.recruiting.applicants_per_month or market); none without a labour market", group=_F),
    "basic_training_washouts": MetricInfo("persons", "recruits who failed basic training and left (counted in separated); none without force.recruiting.basic_training", group=_F),
    "vacancies_unfunded": MetricInfo("posts", "soldier and officer vacancies the personnel budget could not pay, mean over the monthly intakes of the run; none without force.budget", group=_F),
    "growth_limited_by.<cause>": MetricInfo("share", "share of the growth period (first growth step to full operational capability or the end) whose days went to this cause: the first stage that held growth back, in the order applicants, selection, intake, basic_training, budget, courses, officers, else nothing; the causes sum to 1; none without growth", group=_F),
    "in_basic_training_end": MetricInfo("persons", "recruits still in basic training at the end: recruited, not yet in strength (initial strength + recruited = strength_end + in_basic_training_end + separated + killed)", group=_A),
}

# Human labels and desirable directions, kept apart from the entries above so that the
# entries stay one line each. A metric without a label here falls back to its name in
# figures; the test suite insists every catalogued metric has one.
LABELS: dict[str, tuple[str, str]] = {
    "items_cleared": ("Items cleared", "higher"),
    "items_cleared_routine": ("Items cleared on routine tasks", "higher"),
    "items_cleared_caches": ("Items cleared from caches", "higher"),
    "tips_received": ("Tips received", "higher"),
    "tips_lost": ("Tips lost", "lower"),
    "items_lost": ("Items lost with perished tips", "lower"),
    "task_wait_days_mean": ("Mean wait before work on a tip", "lower"),
    "approval_wait_days_mean": ("Mean wait for an officer's approval", "lower"),
    "team_days_worked": ("Team-days worked", ""),
    "incidents": ("Clearance incidents", "lower"),
    "killed": ("Killed", "lower"),
    "wounded": ("Wounded", "lower"),
    "water_litres": ("Water purified", "higher"),
    "vehicle_availability": ("Vehicle availability", "higher"),
    "rotations": ("Rotations sent", ""),
    "rotations_empty": ("Call-ups that sent nobody", "lower"),
    "rotation_fill_rate": ("Rotation fill rate", "higher"),
    "rotations_understrength": ("Rotations sent understrength", "lower"),
    "gap_days": ("Days below required strength", "lower"),
    "persons_deployed": ("People who deployed", ""),
    "repeat_tours": ("Repeat tours", ""),
    "dwell_days_mean": ("Mean dwell at home between tours", "higher"),
    "strength_end": ("Strength at the end", ""),
    "strength_end.officer": ("Officers at the end", ""),
    "strength_end.nco": ("NCOs at the end", ""),
    "strength_end.soldier": ("Soldiers at the end", ""),
    "officer_share_end": ("Officer share at the end", ""),
    "establishment_fill_end": ("Establishment filled at the end", "higher"),
    "days_to_foc": ("Days to full operational capability", "lower"),
    "officer_share_target_met_days": ("Days to meet the officer-share target", "lower"),
    "recruited": ("Recruited", ""),
    "separated": ("Left the force", ""),
    "promoted_to_nco": ("Promoted to NCO", ""),
    "course_graduates": ("Course places completed", ""),
    "course_wait_days_mean": ("Mean wait for a course seat", "lower"),
    "interoperability_end": ("Interoperability at the end", "higher"),
    "cost_total_usd": ("Total cost", "lower"),
    "cost_deployed_usd": ("Deployed cost", "lower"),
    "cost_home_usd": ("Cost at home", ""),
    "cost_training_usd": ("Training cost", ""),
    "cost_purchases_usd": ("Purchases", ""),
    "cost_per_item_usd": ("Cost per item cleared", "lower"),
    "first_tour.items_cleared_day120": ("Items cleared by day 120 of the first tour", "higher"),
    "first_tour.cost_deployed_usd": ("Deployed cost of the first tour", "lower"),
    "first_tour.casualties": ("Casualties in the first tour", "lower"),
    "first_tour.deployed": ("People in the first contingent", ""),
    "officer_share_start": ("Officer share at the start", ""),
    "officers_released": ("Officers released early", ""),
    "tips_acted": ("Tips acted on", "higher"),
    "tips_pending_end": ("Tips pending at the end", ""),
    "ordnance_remaining": ("Ordnance remaining", ""),
    "items_removed": ("Items carried off in lost caches", "lower"),
    "course_wait_days_mean.<course>": ("Mean wait for a seat on {}", "lower"),
    # theatre over time / tempo / harmony
    "workdays_lost": ("Team-workdays lost to security", "lower"),
    "incidents_hostile": ("Hostile incidents", "lower"),
    "killed_hostile": ("Killed in hostile incidents", "lower"),
    "bog_dwell_ratio_mean": ("Boots on ground to dwell", "lower"),
    "harmony_breach_share": ("Share breaching the harmony cap", "lower"),
    "rotation_fill_rate.<deployment>": ("Rotation fill rate, {}", "higher"),
    "output.<task>": ("Output of {}", "higher"),
    # interoperability and assistance
    "interoperability.people": ("Interoperability: people", "higher"),
    "interoperability.equipment": ("Interoperability: equipment", "higher"),
    "interoperability.exercises": ("Interoperability: exercises", "higher"),
    "exercise_participants": ("Combined-exercise places taken", ""),
    "assistance_received_usd": ("Assistance received", ""),
    "assistance_spent_usd": ("Assistance spent", ""),
    "assistance_seats_bought": ("Course seats bought by assistance", ""),
    "assistance_seats_unbought": ("Course seats assistance could not pay for", "lower"),
    "assistance_usd_per_point": ("Assistance per point of interoperability gained", "lower"),
    # force supply and budget
    "applicants": ("Applicants", "higher"),
    "basic_training_washouts": ("Basic-training washouts", "lower"),
    "vacancies_unfunded": ("Vacancies the budget could not pay", "lower"),
    "growth_limited_by.<cause>": ("Growth limited by {}", ""),
    "in_basic_training_end": ("In basic training at the end", ""),
}

# How each metric builds up over a run (see the module's docstring), kept apart like the
# labels; the test suite insists every catalogued metric has one of KIND_NAMES.
KIND_NAMES = ("count", "state", "ratio", "mean", "time_to_event")
_COUNT, _STATE, _RATIO, _MEAN = "count", "state", "ratio", "mean"
KINDS: dict[str, str] = {
    **dict.fromkeys([
        "items_cleared", "items_cleared_routine", "items_cleared_caches", "tips_received", "tips_lost",
        "items_lost", "team_days_worked", "incidents", "killed", "wounded", "water_litres",
        "rotations", "rotations_empty", "rotations_understrength", "gap_days", "persons_deployed",
        "repeat_tours", "recruited", "separated", "promoted_to_nco", "course_graduates", "cost_total_usd",
        "cost_deployed_usd", "cost_training_usd", "cost_home_usd", "cost_purchases_usd",
        "first_tour.items_cleared_day120",
        "first_tour.cost_deployed_usd", "first_tour.casualties", "officers_released", "tips_acted",
        "items_removed", "workdays_lost", "incidents_hostile", "killed_hostile", "output.<task>",
        "exercise_participants", "assistance_received_usd", "assistance_spent_usd",
        "assistance_seats_bought", "assistance_seats_unbought", "applicants",
        "basic_training_washouts"], _COUNT),
    **dict.fromkeys([
        "strength_end", "strength_end.officer", "strength_end.nco", "strength_end.soldier",
        "officer_share_end", "establishment_fill_end", "interoperability_end", "first_tour.deployed",
        "officer_share_start", "tips_pending_end", "ordnance_remaining", "interoperability.people",
        "interoperability.equipment", "interoperability.exercises", "in_basic_training_end"], _STATE),
    **dict.fromkeys([
        "vehicle_availability", "rotation_fill_rate", "rotation_fill_rate.<deployment>",
        "cost_per_item_usd", "bog_dwell_ratio_mean", "harmony_breach_share",
        "assistance_usd_per_point", "growth_limited_by.<cause>"], _RATIO),
    **dict.fromkeys([
        "task_wait_days_mean", "approval_wait_days_mean", "dwell_days_mean", "course_wait_days_mean",
        "course_wait_days_mean.<course>", "vacancies_unfunded"], _MEAN),
    **dict.fromkeys(["days_to_foc", "officer_share_target_met_days"], "time_to_event"),
}
METRICS = {name: info._replace(label=LABELS[name][0], better=LABELS[name][1])
           if name in LABELS and not info.label else info for name, info in METRICS.items()}
METRICS = {name: info._replace(kind=KINDS.get(name, info.kind)) for name, info in METRICS.items()}

# The parts that cost_total_usd is the sum of, on every replication (SPEC "Reports
# brief"); cost_per_item_usd and first_tour.* are not parts, donor money is apart.
COST_PARTS = ("cost_home_usd", "cost_deployed_usd", "cost_training_usd", "cost_purchases_usd")

# The few shown in the terminal summary, in order.
HEADLINE = [
    "items_cleared", "tips_lost", "task_wait_days_mean", "killed", "wounded",
    "rotation_fill_rate", "gap_days", "officer_share_end", "days_to_foc",
    "interoperability_end", "cost_total_usd", "cost_per_item_usd",
]

# Series: unit and label. `deployed.min`/`deployed.max` are the fewest and most people
# in theatre at any moment since the previous date, so a handover's overlap shows. A
# key with a `<placeholder>` last part is a family (`course_queue.nco_course`); `{}` in
# its label is filled with the member's name.
SERIES_INFO: dict[str, SeriesInfo] = {
    "strength.officer": SeriesInfo("persons", "Officers", "officers in the force"),
    "strength.nco": SeriesInfo("persons", "NCOs", "NCOs in the force"),
    "strength.soldier": SeriesInfo("persons", "Soldiers", "soldiers in the force"),
    "establishment.officer": SeriesInfo("posts", "Officer posts", "authorised officer posts"),
    "establishment.nco": SeriesInfo("posts", "NCO posts", "authorised NCO posts"),
    "establishment.soldier": SeriesInfo("posts", "Soldier posts", "authorised soldier posts"),
    "officer_share": SeriesInfo("share", "Officer share of strength", "officers as a share of strength"),
    "deployed": SeriesInfo("persons", "People deployed", "people in theatre (all deployments) at the date"),
    "deployed.min": SeriesInfo("persons", "Fewest people deployed in the interval", "fewest people in theatre at any moment since the previous date"),
    "deployed.max": SeriesInfo("persons", "Most people deployed in the interval", "most people in theatre at any moment since the previous date"),
    "required": SeriesInfo("persons", "Contingent required", "contingent strength required by the deployments under way"),
    "items_cleared_cum": SeriesInfo("items", "Items cleared (cumulative)", "items cleared so far, all theatres"),
    "ordnance_remaining": SeriesInfo("items", "Ordnance remaining", "ordnance left in the areas of responsibility, all theatres"),
    "trust": SeriesInfo("index 0-1", "Local trust in the contingent", "local trust, mean over theatres with a contingent present"),
    # theatre over time / tempo / harmony
    "security": SeriesInfo("level 0-1", "Security level in theatre (0 calm, 1 hostile)", "security level in theatre, mean over theatres"),
    "interoperability": SeriesInfo("share", "Interoperability index", "weighted mean of the index's parts (default: the people part alone, the share of personnel meeting the NATO criteria for their grade)"),
    "cost_cum_usd": SeriesInfo("USD", "Cost (cumulative)", "all costs so far"),
    "course_queue.<course>": SeriesInfo("persons", "Candidates waiting for {}", "candidates waiting for a seat on the course"),
    # interoperability and assistance
    "interoperability.people": SeriesInfo("share", "Interoperability: people", "share of personnel, in grades with criteria, meeting their grade's criteria"),
    "interoperability.equipment": SeriesInfo("share", "Interoperability: equipment", "NATO-standard share of the kit the deployable units need"),
    "interoperability.exercises": SeriesInfo("share", "Interoperability: exercises", "share of the force with combined-exercise credit"),
    "nco_acceptance": SeriesInfo("share", "NCO acceptance as leaders", "share of the team-leader authority doctrine grants that is used"),
    "assistance_spent_cum_usd": SeriesInfo("USD", "Assistance spent (cumulative)", "assistance money spent so far"),
    # force supply and budget
    "establishment_fill": SeriesInfo("share", "Establishment filled", "strength over establishment, all grades"),
    "budget_used_share": SeriesInfo("share", "Personnel budget used (projected for the year)", "the calendar year's projected personnel spend (spent so far plus everyone's pay to the year's end) over its budget; above 1: over budget, no intake"),
}
SERIES = list(SERIES_INFO)


def _family(name: str, catalogue: dict[str, Any]) -> Any:
    """The entry of `name`, or of its family (`course_queue.<course>` for
    `course_queue.english`) with the member's name put into its label."""
    info = catalogue.get(name)
    if info is not None:
        return info
    head, dot, part = name.rpartition(".")
    if not dot or not part:
        return None
    for key, entry in catalogue.items():
        if key.startswith(head + ".<") and key.endswith(">") and key.count(".") == name.count("."):
            return entry._replace(label=entry.label.format(part.replace("_", " ")))
    return None


def metric_info(name: str) -> MetricInfo | None:
    """Catalogue entry of a concrete metric name, families resolved; None if unknown."""
    return _family(name, METRICS)


def series_info(name: str) -> SeriesInfo | None:
    """Catalogue entry of a concrete series name, families resolved; None if unknown."""
    return _family(name, SERIES_INFO)


def label(name: str) -> str:
    """The human label of a metric or series; its name when the catalogue has none."""
    info: Any = metric_info(name) or series_info(name)
    return (info.label if info and info.label else name)


def unknown_metric(name: str, series: bool = False) -> str:
    """"unknown metric 'x'" with the near miss ("did you mean ...?") or where the names
    are listed."""
    names = [n for n in (SERIES_INFO if series else METRICS) if "<" not in n]
    what = "series" if series else "metric"
    return (f"unknown {what} '{name}'"
            + (did_you_mean(name, names) or f" (the {what} names: README, \"Reports\")"))


def unit(name: str) -> str:
    info: Any = metric_info(name) or series_info(name)
    return info.unit if info else ""


def bounds(name: str) -> tuple[float | None, float | None]:
    """What values a metric can take: a share lies in [0, 1]; every other catalogued
    metric is a count, duration, amount or ratio of such, never negative. Intervals are
    clipped to this range (and reports say so)."""
    info = metric_info(name)
    if info is None:
        return None, None
    if info.unit == "share":
        return 0.0, 1.0
    return 0.0, None


def applies(name: str, scenario: Any) -> bool:
    """Whether a metric means anything for `scenario`: the target-met time needs a
    restructuring target. A time-to-event metric that does not apply has `happened`
    null in reports, where one that never happened has 0."""
    if name == "officer_share_target_met_days":
        return scenario.restructure is not None
    return True
