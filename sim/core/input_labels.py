"""Human labels of scenario input paths, for the factors of a sweep and the levers of a
policy search: "volunteer probability", "EOD course seats", "re-enlistment, soldiers",
"IMET budget (USD a year)", never `deployments.iraq.volunteer_prob`. Each label carries
its unit where the path names one; the full path stays in the tables beside it.
"""
from __future__ import annotations

from collections.abc import Sequence

GRADES = {"officer": "officers", "nco": "NCOs", "soldier": "soldiers"}
ACRONYMS = {"eod", "nco", "imet", "eipc", "uk", "us", "usd", "foc", "nato", "sf", "ied"}
# the words of a key; a unit in brackets after them
KEYS = {
    "volunteer_prob": "volunteer probability",
    "dropout_prob": "drop-out probability",
    "tour_days": "tour length (days)",
    "select_days": "selection lead time (days)",
    "predeployment_days": "pre-deployment training (days)",
    "overlap_days": "handover overlap (days)",
    "min_dwell_days": "minimum dwell (days)",
    "replacement_days": "replacement delay (days)",
    "reenlist": "re-enlistment",
    "attrition_per_year": "attrition a year",
    "contract_years": "contract (years)",
    "per_month": "a month",
    "officer_intake_per_year": "officer intake a year",
    "target_officer_share": "target officer share",
    "officer_release_per_year": "officers released a year",
    "usd_per_year": "budget (USD a year)",
    "budget_usd_per_year": "budget (USD a year)",
    "personnel_usd_per_year": "personnel budget (USD a year)",
    "seats": "seats",
    "days": "length (days)",
    "every_days": "interval (days)",
    "count": "count",
    "mtbf_days": "mean time between failures (days)",
    "mttr_days": "mean time to repair (days)",
    "rate_per_week_at_full_trust": "tips a week at full trust",
    "deminers_per_team": "deminers a team",
    "workdays_per_week": "workdays a week",
    "items_per_team_day": "items a team-day",
    "ordnance_stock": "ordnance stock (items)",
    "selection_rate": "selection rate",
    "applicants_per_month": "applicants a month",
}


def words(key: str) -> str:
    """A key in words: its entry in KEYS, else underscores as spaces, acronyms upper."""
    if key in KEYS:
        return KEYS[key]
    return " ".join(w.upper() if w in ACRONYMS else w for w in key.split("_"))


def course_name(course: str) -> str:
    """`nco_course` -> "NCO course", `eod` -> "EOD course", `english` -> "English course"."""
    text = words(course)
    text = text[0].upper() + text[1:] if course == "english" else text
    return text if text.endswith("course") else f"{text} course"


def input_label(path: str, deployment: bool = True) -> str:
    """The label of one dotted input path (`deployment`: name the deployment in brackets,
    as "(iraq)", when the path is inside one)."""
    parts = path.split(".")
    head, rest = parts[0], parts[1:]
    if head == "deployments" and len(rest) >= 2:
        name, inner = rest[0], rest[1:]
        if inner[0] == "theatre":
            inner = inner[1:] or inner
        if inner[0] == "contingent" and len(inner) >= 3:
            text = f"{words(inner[1])} {words(inner[2])}".replace(" count", " posts")
        elif len(inner) >= 2 and inner[-1] == "count":
            text = words(inner[-2])
        else:
            text = words(inner[-1])
        return f"{text} ({name})" if deployment else text
    if head == "training" and len(rest) >= 3 and rest[0] == "courses":
        return f"{course_name(rest[1])} {words(rest[2])}"
    if head == "force" and rest:
        if rest[-1] in GRADES and len(rest) >= 2:
            group = rest[:-1]
            if group[0] == "qualified" and len(group) == 2:
                return f"{words(group[1])}-qualified share, {GRADES[rest[-1]]}"
            return f"{' '.join(words(k) for k in group)}, {GRADES[rest[-1]]}"
        if rest == ["recruiting", "per_month"]:
            return "recruits a month"
        return words(rest[-1])
    if head == "assistance" and len(rest) >= 2:
        return f"{words(rest[0])} {words(rest[-1])}"
    if len(parts) >= 2 and parts[-1] in ("count", "seats", "days"):
        return f"{words(parts[-2])} {words(parts[-1])}"
    return words(parts[-1])


def input_labels(paths: Sequence[str]) -> dict[str, str]:
    """Labels of several paths, each unique: the deployment is named only when the paths
    lie in more than one; labels that still clash get the path's distinguishing part."""
    deployments = {p.split(".")[1] for p in paths
                   if p.startswith("deployments.") and p.count(".") >= 2}
    out = {p: input_label(p, deployment=len(deployments) > 1) for p in paths}
    for text in list(out.values()):
        clash = [q for q in paths if out[q] == text]
        if len(clash) > 1:
            for q in clash:
                out[q] = f"{text} ({q})"
    return out
