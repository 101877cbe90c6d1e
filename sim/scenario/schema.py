"""The scenario format: every key, its type, its limits and its default.

This is the one place where defaults live. Models are frozen: a scenario is an input,
never run state. Cross-field checks (prerequisites, dates, timeline paths) live in
`checks.py`, where they can name the exact key path.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.scenario.dists import Constant, Dist, Exponential, Lognormal

Grade = Literal["officer", "nco", "soldier"]
GRADES: tuple[Grade, ...] = ("officer", "nco", "soldier")
Role = Literal["commander", "staff", "team_leader", "deminer", "interpreter", "water",
               "driver", "support"]
Share = float  # documented as [0, 1] where used


FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2200, 12, 31)
MAX_INT = 2**63 - 1  # what SQLite, numpy and JSON readers all hold exactly


class Model(BaseModel):
    """Every number finite (NaN and infinity refused) and every whole number within 64
    bits; every date in 1900-2200 (SPEC "Scenario files")."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _in_range(cls, value: Any) -> Any:
        if isinstance(value, dt.date) and not FIRST_DATE <= value <= LAST_DATE:
            raise ValueError(f"expected a date from {FIRST_DATE} to {LAST_DATE}, found {value}")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            raise ValueError(f"expected a whole number within ±{MAX_INT:,} (64 bits), "
                             f"found one of {len(str(abs(value)))} digits")
        return value


class GradeCounts(Model):
    """People or posts by grade."""

    officer: int = Field(0, ge=0)
    nco: int = Field(0, ge=0)
    soldier: int = Field(0, ge=0)

    @property
    def total(self) -> int:
        return self.officer + self.nco + self.soldier


class GradeShares(Model):
    officer: float = Field(0.0, ge=0, le=1)
    nco: float = Field(0.0, ge=0, le=1)
    soldier: float = Field(0.0, ge=0, le=1)


class GradeRates(Model):
    """Non-negative numbers by grade (rates, years, dollars)."""

    officer: float = Field(0.0, ge=0)
    nco: float = Field(0.0, ge=0)
    soldier: float = Field(0.0, ge=0)


# -- force supply and budget (issue 21): every key off by default --
class Market(Model):
    """Applicants a month = pool x propensity_per_year / 12 x (pay / civilian wage) ^
    pay_elasticity, pay being costs.person_day.home.soldier x 365 / 12."""

    pool: float = Field(ge=0, le=1e10, description="people the force recruits from (young men of enlistment age)")
    propensity_per_year: float = Field(ge=0, le=1, description=(
        "share of the pool who apply in a year when soldier pay equals the civilian wage"))
    pay_elasticity: float = Field(1.0, ge=0, le=10, description=(
        "applicants scale with (pay / civilian wage) to this power"))


class BasicTraining(Model):
    """Recruits are soldiers, in strength, only after basic training."""

    days: float = Field(gt=0, le=3650, description="length of basic training")
    seats: int = Field(ge=0, le=10_000_000, description="recruits in basic training at once")
    washout: float = Field(0.0, ge=0, le=1, description="share of recruits who fail and leave at the end")


class Recruiting(Model):
    per_month: float = Field(10, ge=0, description="contract soldiers recruited a month, into vacancies only (the intake ceiling)")
    source: str = "35th air assault brigade"
    applicants_per_month: float | None = Field(None, ge=0, le=1e7, description=(
        "mean applicants a month (Poisson); none: as many as the intake takes (no labour market)"))
    market: Market | None = Field(None, description="applicants from a labour market instead of applicants_per_month")
    civilian_wage_usd_per_month: float | None = Field(None, gt=0, le=1e7, description=(
        "what the pool earns outside the army; needed by market"))
    selection_rate: float = Field(1.0, ge=0, le=1, description="share of applicants accepted (below 1 needs applicants)")
    basic_training: BasicTraining | None = Field(None, description="none: recruits are soldiers on the day they join")

    @model_validator(mode="after")
    def _one_supply(self) -> Recruiting:
        if self.applicants_per_month is not None and self.market is not None:
            raise ValueError("give applicants_per_month or market, not both")
        if self.market is not None and self.civilian_wage_usd_per_month is None:
            raise ValueError("market needs civilian_wage_usd_per_month (pay is compared with it)")
        if self.market is None and self.civilian_wage_usd_per_month is not None:
            raise ValueError("civilian_wage_usd_per_month is used only by market, which is not given")
        if self.selection_rate < 1 and not self.has_applicants:
            raise ValueError("selection_rate selects among applicants: give applicants_per_month or market")
        return self

    @property
    def has_applicants(self) -> bool:
        return self.applicants_per_month is not None or self.market is not None


class Budget(Model):
    personnel_usd_per_year: float = Field(ge=0, le=1e13, description=(
        "a calendar year's money for pay at home and deployed, course seats and basic training; "
        "no new intake starts when the year's projected spend would exceed it"))


class Foc(Model):
    fill: float = Field(0.9, ge=0, le=1, description="strength / establishment needed in every grade")
    qualified: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=dict, description="share of the whole force holding each qualification")


# -- tempo and people (issue 10): every default switches its mechanism off --
class Retention(Model):
    per_tour_done: float = Field(0.0, ge=-1, le=1, description=(
        "relative change of the re-enlistment chance per tour done (allowances and experience "
        "> 0, strain < 0); the chance is capped at 1"))


class Volunteering(Model):
    """Volunteering with memory: the chance a person volunteers at a call-up is
    `volunteer_prob` times the factors below (capped at 1); all neutral by default, when
    the draw is the baseline's independent coin."""

    per_tour_done: float = Field(0.0, ge=-1, le=1, description="relative change per tour already done")
    recent_return_days: float = Field(0.0, ge=0, le=3650, description="people back for less than this count as recently returned")
    recent_return_factor: float = Field(1.0, ge=0, le=1, description="factor for the recently returned")
    after_death: float = Field(0.0, ge=0, le=1, description="relative drop per person of the deployment killed within death_memory_days")
    death_memory_days: float = Field(365, gt=0, le=3650, description="how long a death in theatre weighs on call-ups")
    at_hostile: float = Field(0.0, ge=0, le=1, description="relative drop with the theatre's security at level 1 (linear in the level)")

    @property
    def neutral(self) -> bool:
        return (self.per_tour_done == 0 and (self.recent_return_days == 0 or self.recent_return_factor == 1)
                and self.after_death == 0 and self.at_hostile == 0)


class Harmony(Model):
    """The separated-service cap that `harmony_breach_share` reports against."""

    cap_days: float = Field(415, gt=0, le=36_500, description="most days in theatre allowed within any window")
    window_days: float = Field(913, gt=0, le=36_500, description="the window (913 days: 30 months)")


class Force(Model):
    establishment: GradeCounts
    strength: GradeCounts | None = Field(None, description="initial actual strength; default = establishment")
    qualified: dict[str, GradeShares] = Field(default_factory=dict)
    contract_years: GradeRates = GradeRates(officer=5, nco=3, soldier=3)
    reenlist: GradeShares = GradeShares(officer=0.85, nco=0.7, soldier=0.55)
    attrition_per_year: GradeRates = GradeRates(officer=0.03, nco=0.05, soldier=0.08)
    recruiting: Recruiting = Recruiting()
    officer_intake_per_year: float = Field(12, ge=0)
    foc: Foc = Foc()
    retention: Retention = Retention()
    qualification_valid_years: dict[str, float] = Field(
        default_factory=dict, description=(
            "years a qualification held at the start stays valid (remaining validity drawn uniformly); "
            "a course re-grants it for its own valid_years; unlisted: never expires"))
    medically_non_deployable: float = Field(
        0.0, ge=0, le=1, description="chance a person is medically non-deployable at a call-up")
    budget: Budget | None = Field(None, description="a personnel budget a year; none: money never limits intake")

    @field_validator("qualification_valid_years")
    @classmethod
    def _valid_years(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: x for k, x in v.items() if not (0 < x <= 100)}
        if bad:
            raise ValueError(f"validity must be in (0, 100] years, found {bad}")
        return v
    initial_service_years: GradeRates = Field(
        GradeRates(officer=8, nco=6, soldier=2),
        description="mean years already served by the initial force (exponential)")

    @property
    def initial(self) -> GradeCounts:
        return self.strength if self.strength is not None else self.establishment


class Course(Model):
    seats: int = Field(ge=0)
    days: float = Field(gt=0)
    every_days: float = Field(gt=0)
    first_at: dt.date | None = Field(None, description="first cohort; default the scenario start")
    until: dt.date | None = Field(None, description="no cohort after this date (a programme that ends)")
    eligible: list[Grade] = Field(min_length=1)
    min_service_days: float = Field(0, ge=0)
    requires: list[str] = Field(default_factory=list)
    grants: str | None = None
    promotes_to: Grade | None = None
    valid_years: float | None = Field(None, gt=0, description="granted qualification expires after this")
    abroad: bool = Field(False, description=(
        "held abroad (IMET, partner courses); NCOs holding what it grants count for acceptance.abroad_weight"))


class Training(Model):
    courses: dict[str, Course] = Field(default_factory=dict)


class Restructure(Model):
    target_officer_share: float = Field(ge=0, le=1)
    by: dt.date
    officer_release_per_year: float = Field(0, ge=0)
    begin: dt.date | None = Field(None, description="conversion of posts starts here; default the scenario start")


class GrowthStep(Model):
    at: dt.date
    establishment: GradeCounts


class Slot(Model):
    role: Role
    grade: Grade | Literal["any"] | list[Grade] = "any"
    count: int = Field(ge=0)
    requires: list[str] = Field(default_factory=list)

    @property
    def grades(self) -> tuple[Grade, ...]:
        if self.grade == "any":
            return GRADES
        if isinstance(self.grade, list):
            return tuple(self.grade)
        return (self.grade,)


class Doctrine(Model):
    leaders: Literal["officer", "nco"] = Field("officer", description="who may lead a clearance team")
    authority: Literal["officer", "team_leader"] = Field(
        "officer", description="who may start a task: an approving officer, or the team leader")
    approval_threshold_items: float = Field(500, ge=0, description="caches above this go up for approval under team_leader authority")


class Tips(Model):
    rate_per_week_at_full_trust: float = Field(10, ge=0)
    shelf_life_days: Dist = Exponential(mean_=7)


class Trust(Model):
    initial: float = Field(0.2, ge=0, le=1)
    growth_per_day: float = Field(0.01, ge=0)
    handover_loss: float = Field(0.3, ge=0, le=1, description="share of trust lost at a handover with no overlap")
    overlap_halving_days: float = Field(7, gt=0, description="overlap days that halve the handover loss")
    incident_loss: float = Field(0.2, ge=0, le=1)
    without_interpreters: float = Field(0.5, ge=0, le=1, description="growth factor with no interpreter present")


class IncidentRates(Model):
    qualified: float = Field(0.0005, ge=0, description="incidents per 1000 items under a leader who holds leader_qualification")
    unqualified: float = Field(0.003, ge=0)


class IncidentHarm(Model):
    people: Dist = Field(Constant(value=1), description=(
        "people of the team a clearance incident strikes (drawn, rounded to a whole number, "
        "capped at the team); each struck is killed or wounded with the chances below"))
    killed: float = Field(0.1, ge=0, le=1, description="chance each team member struck is killed in an incident")
    wounded: float = Field(0.3, ge=0, le=1, description="chance each struck member not killed is wounded")


class Water(Model):
    stations: int = Field(0, ge=0)
    litres_per_day: float = Field(0, ge=0)
    operators_per_station: int = Field(2, ge=1)
    people_served: int = Field(0, ge=0, le=10_000_000, description="people drinking the water; 0: stations run at capacity")
    litres_per_person_day: float = Field(0.0, ge=0, le=10_000, description="demand per person served a day")


class Vehicles(Model):
    count: int = Field(0, ge=0)
    mtbf_days: float = Field(30, gt=0)
    mttr_days: float = Field(5, gt=0)


# -- theatre over time / tempo / harmony (issue 10): every default switches its mechanism off --
class SecurityRegime(Model):
    """One state of the security regime process."""

    level: float = Field(ge=0, le=1, description="security level in this regime (0 calm, 1 hostile)")
    mean_days: float = Field(gt=0, le=36_500, description="mean days the regime lasts (exponential)")
    next: dict[str, float] = Field(default_factory=dict,
                                   description="probability of each regime that follows (they sum to 1)")


class HostileHarm(Model):
    people: Dist = Field(Constant(value=1), description=(
        "people a hostile incident strikes (drawn, rounded to a whole number, capped at those "
        "in theatre); each struck is killed or wounded with the chances below"))
    killed: float = Field(0.2, ge=0, le=1, description="chance a person struck by a hostile incident is killed")
    wounded: float = Field(0.6, ge=0, le=1, description="chance a person struck and not killed is wounded and evacuated")


class Security(Model):
    """Security in theatre: a level in [0, 1] set at dates (`level`, timeline) or by a
    regime process (`regimes`), with its costs stated at level 1 and scaled linearly."""

    level: float = Field(0.0, ge=0, le=1, description="security level (0 calm, 1 hostile); the timeline may set it")
    regimes: dict[str, SecurityRegime] = Field(default_factory=dict,
                                               description="a regime process; empty: the level is set by `level` and the timeline")
    initial_regime: str | None = Field(None, description="regime at the start; default the first listed")
    workdays_lost_at_hostile: float = Field(0.0, ge=0, le=0.95,
                                            description="share of workdays lost to movement restrictions and force protection at level 1")
    tips_at_hostile: float = Field(1.0, ge=0, le=10, description="tip rate multiplier at level 1 (1: no effect)")
    hostile_per_1000_person_days: float = Field(
        0.0, ge=0, le=1000, description="hostile incidents (IEDs, indirect fire) per 1000 person-days in theatre at level 1")
    hostile_harm: HostileHarm = HostileHarm()

    @model_validator(mode="after")
    def _regimes_known(self) -> Security:
        names = set(self.regimes)
        if self.initial_regime is not None and self.initial_regime not in names:
            raise ValueError(f"initial_regime '{self.initial_regime}' is not one of the regimes {sorted(names)}")
        for name, r in self.regimes.items():
            unknown = sorted(set(r.next) - names)
            if unknown:
                raise ValueError(f"regime '{name}' leads to unknown regimes {unknown}")
            if any(not (0 <= p <= 1) for p in r.next.values()):
                raise ValueError(f"regime '{name}': probabilities in next must be in [0, 1]")
            if r.next and abs(sum(r.next.values()) - 1) > 1e-6:
                raise ValueError(f"regime '{name}': probabilities in next sum to {sum(r.next.values())}, not 1")
        return self


class TheatreTask(Model):
    """A task besides clearance and water: a share of team-days, or of the time of the
    people in one role (outside the clearance teams), each with its output rate."""

    unit: str = Field(min_length=1, description="unit of the task's output (cadets trained, metres built, patients)")
    team_share: float = Field(0.0, ge=0, le=0.95, description="share of the clearance teams' workdays the task takes")
    per_team_day: float = Field(0.0, ge=0, le=1e9, description="output per team-workday on the task")
    role: Literal["commander", "staff", "interpreter", "water", "driver", "support"] | None = Field(
        None, description="a role whose people give part of their time to the task")
    role_share: float = Field(0.0, ge=0, le=1, description="share of the role's workdays the task takes")
    per_person_day: float = Field(0.0, ge=0, le=1e9, description="output per person-workday of the role")


class Theatre(Model):
    doctrine: Doctrine = Doctrine()
    deminers_per_team: int = Field(2, ge=1)
    workdays_per_week: float = Field(6, gt=0, le=7)
    approval_days: Dist = Lognormal(mean_=1.5, sd=1.0)
    routine_items_per_team_day: Dist = Lognormal(mean_=40, sd=30)
    routine_task_days: float = Field(3, gt=0, description="workdays a routine tasking runs before teams look again")
    tips: Tips = Tips()
    cache_items: Dist = Lognormal(median=300, sigma=2.2)
    items_per_team_day: float = Field(2000, gt=0)
    trust: Trust = Trust()
    ordnance_stock: float = Field(8_000_000, ge=0)
    incident_per_1000_items: IncidentRates = IncidentRates()
    leader_qualification: str = Field(
        "eod", min_length=1,
        description="the qualification that makes a team leader 'qualified' in incident_per_1000_items")
    incident_harm: IncidentHarm = IncidentHarm()
    water: Water = Water()
    vehicles: Vehicles = Vehicles()
    tip_needs_interpreter_days: float = Field(1, ge=0, description="workdays an interpreter goes with a team on a tip")
    security: Security = Security()
    tasks: dict[str, TheatreTask] = Field(default_factory=dict, description="other tasks besides clearance and water")
    ordnance_access_exponent: float = Field(
        0.0, ge=0, le=10, description="routine yields scale with (ordnance left / stock)^this: the easy items go first (0: no effect)")

    @field_validator("tasks")
    @classmethod
    def _team_share(cls, v: dict[str, TheatreTask]) -> dict[str, TheatreTask]:
        total = sum(t.team_share for t in v.values())
        if total > 0.95:
            raise ValueError(f"tasks take {total:g} of the teams' workdays together; at most 0.95")
        return v


class Deployment(Model):
    name: str
    start: dt.date
    end: dt.date
    tour_days: float = Field(182, gt=0)
    select_days: float = Field(60, ge=0)
    predeployment_days: float = Field(30, ge=0)
    overlap_days: float = Field(7, ge=0)
    min_dwell_days: float = Field(365, ge=0)
    volunteer_prob: float = Field(1.0, ge=0, le=1)
    dropout_prob: float = Field(0.0, ge=0, le=1, description="chance a selected person drops out in pre-deployment training")
    replace_casualties: bool = False
    replacement_days: float = Field(30, ge=0, description="days from a casualty to the replacement's arrival")
    contingent: list[Slot] = Field(min_length=1)
    theatre: Theatre = Theatre()
    volunteering: Volunteering = Volunteering()
    priority: int = Field(0, ge=0, le=1000, description=(
        "deployments whose call-ups fall at the same moment select in this order (0 first; ties: as listed)"))

    @property
    def required(self) -> int:
        return sum(s.count for s in self.contingent)


class PersonDay(Model):
    home: GradeRates = GradeRates()
    deployed: GradeRates = GradeRates()


class Purchase(Model):
    at: dt.date
    item: str
    count: int = Field(1, ge=0)
    usd: float = Field(0, ge=0, description="total price of the purchase")


class Costs(Model):
    person_day: PersonDay = PersonDay()
    course_seat: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
    vehicle_day: float = Field(0, ge=0)
    purchases: list[Purchase] = Field(default_factory=list)


# -- interoperability and assistance -----------------------------------------------------
# Every part below is off or neutral by default: a scenario that does not mention it
# behaves exactly as before (the index is the people component alone).

def _finite(default: Any, **bounds: Any) -> Any:
    return Field(default, allow_inf_nan=False, **bounds)


class InteropWeights(Model):
    """How the index combines its components (a weighted mean of those that exist)."""

    people: float = _finite(1.0, ge=0, description="weight of the share meeting the NATO criteria of their grade")
    equipment: float = _finite(0.0, ge=0, description="weight of the NATO-standard share of kit (equipment:)")
    exercises: float = _finite(0.0, ge=0, description="weight of the share of the force with combined-exercise credit")


class Interoperability(Model):
    criteria: dict[Grade, list[str]] = Field(
        default_factory=dict,
        description="qualifications a person of each grade needs; grades with none are left out of the index")
    weights: InteropWeights = InteropWeights()


class Equipment(Model):
    """NATO-standard kit of the units that would deploy, in sets."""

    sets: int = Field(0, ge=0, description="kit sets the deployable units need; 0: no equipment component")
    nato_sets: int = Field(0, ge=0, description="NATO-standard sets held at the start")
    life_years: float = _finite(10.0, gt=0, description="a set wears out this long after delivery; "
                                "sets held at the start wear out evenly over one life")


class Exercise(Model):
    """A combined exercise: participants drawn from the people at home on its first day,
    away for its length, credited for `credit_years`."""

    at: dt.date
    every_days: float | None = _finite(None, gt=0, description="repeat interval; none: held once")
    until: dt.date | None = Field(None, description="no repetition after this date")
    days: float = _finite(14.0, gt=0)
    participants: GradeCounts
    credit_years: float = _finite(2.0, gt=0, description="participation counts this long")


class SeatBuy(Model):
    course: str
    price_usd: float = _finite(..., gt=0, description="price of one seat")
    seats_per_cohort: int = Field(ge=0, description="most seats bought in one cohort")


class TeamBuy(Model):
    """A training team: the course runs (with its own seats) only while the team is paid for."""

    course: str
    at: dt.date
    months: float = _finite(..., gt=0)
    usd: float = _finite(..., ge=0, description="price of the whole stay")


class VehicleBuy(Model):
    deployment: str
    at: dt.date
    count: int = Field(ge=0)
    price_usd: float = _finite(..., ge=0, description="price of one vehicle")
    delivery_days: float = _finite(0.0, ge=0)


class EquipmentBuy(Model):
    price_usd: float = _finite(..., gt=0, description="price of one set of NATO-standard kit")
    sets_per_year: int = Field(ge=0, description="most sets bought at each yearly tranche")
    delivery_days: float = _finite(0.0, ge=0)


class ExerciseBuy(Model):
    exercise: str
    usd_per_participant: float = _finite(..., gt=0)


class Programme(Model):
    """A budget from abroad: `usd_per_year` arrives at `start` and each anniversary before
    `end` (the last part-year pro rata); its purchases draw on it first come first served
    and stop when it is empty."""

    start: dt.date
    end: dt.date
    usd_per_year: float = _finite(0.0, ge=0)
    seats: list[SeatBuy] = Field(default_factory=list)
    teams: list[TeamBuy] = Field(default_factory=list)
    vehicles: list[VehicleBuy] = Field(default_factory=list)
    equipment: EquipmentBuy | None = None
    exercises: list[ExerciseBuy] = Field(default_factory=list)


class Acceptance(Model):
    """NCO acceptance as leaders: the share of the team-leader authority that doctrine
    grants which is used in theatre. Grows as (per_year + nco_share_weight x NCO share +
    abroad_weight x share of NCOs trained abroad) x (1 - acceptance)."""

    initial: float = _finite(1.0, ge=0, le=1, description="1: doctrine is practice (today's behaviour)")
    per_year: float = _finite(0.0, ge=0)
    nco_share_weight: float = _finite(0.0, ge=0)
    abroad_weight: float = _finite(0.0, ge=0)


class LognormalBelief(Model):
    median: float = Field(gt=0, description="the median of the believed values")
    sigma: float = Field(gt=0, le=5, description="the spread of their logarithm")


Scalar = bool | int | float | str | dt.date


class Assumption(Model):
    """A number nobody knows, as the distribution of values a careful analyst could
    defend (exactly one of `range`, `triangular`, `lognormal`, `choice`) and why. The
    scenario's own value at the path is the nominal and lies inside it."""

    range: tuple[float, float] | None = Field(None, description="[low, high]: uniform")
    triangular: tuple[float, float, float] | None = Field(None, description="[low, mode, high]")
    lognormal: LognormalBelief | None = None
    choice: list[Scalar] | None = Field(None, min_length=2, description="equally likely values")
    source: str = Field(min_length=1, description="why this range: a citation, or ASSUMPTION and the reasoning")

    @model_validator(mode="after")
    def _one_distribution(self) -> Assumption:
        given = [k for k in ("range", "triangular", "lognormal", "choice")
                 if getattr(self, k) is not None]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ValueError("expected exactly one of range, triangular, lognormal, choice; "
                             f"found {found}")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range needs low < high, found {list(self.range)}")
        if self.triangular is not None:
            low, mode, high = self.triangular
            if not (low <= mode <= high and low < high):
                raise ValueError("triangular needs low <= mode <= high and low < high, "
                                 f"found {list(self.triangular)}")
        if self.choice is not None and len({repr(v) for v in self.choice}) < len(self.choice):
            raise ValueError("choice lists a value twice")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("range", "triangular", "lognormal", "choice")
                    if getattr(self, k) is not None)

    def distribution(self) -> dict[str, Any]:
        """The distribution alone, as written (JSON-safe): `{"range": [low, high]}`."""
        return self.model_dump(mode="json", include={self.kind})


class TimelineEntry(Model):
    at: dt.date
    set: dict[str, Any] = Field(min_length=1)
    note: str = ""


class Expectation(Model):
    """A lever and the way it should move a metric: `verify` runs the scenario as it is
    and with `set` applied, paired with common random numbers, and checks the direction."""

    set: dict[str, Any] = Field(min_length=1, description="dotted paths and values, as --set takes them")
    metric: str = Field(min_length=1, description="a metric of the catalogue")
    direction: Literal["up", "down", "same"] = Field(description="how the change moves the metric")
    note: str = ""


class Scenario(Model):
    name: str = Field(min_length=1)
    description: str = ""
    question: str = Field("", description=(
        "the question the scenario answers, in one sentence; reports open with findings "
        "that answer it (default: the description)"))
    sources: list[str] = Field(default_factory=list)
    extends: str | None = None
    start: dt.date
    end: dt.date
    replications: int = Field(30, ge=1)
    seed: int = Field(20040128, ge=0)
    force: Force
    training: Training = Training()
    restructure: Restructure | None = None
    growth: list[GrowthStep] = Field(default_factory=list)
    deployments: list[Deployment] = Field(default_factory=list)
    costs: Costs = Costs()
    interoperability: Interoperability = Interoperability()
    equipment: Equipment = Equipment()
    exercises: dict[str, Exercise] = Field(default_factory=dict)
    assistance: dict[str, Programme] = Field(default_factory=dict)
    acceptance: Acceptance = Acceptance()
    harmony: Harmony = Harmony()
    timeline: list[TimelineEntry] = Field(default_factory=list)
    assumptions: dict[str, Assumption] = Field(
        default_factory=dict, description=(
            "numbers nobody knows: a dotted path (as --set takes) to the distribution of its "
            "value and a source; `run --draws` propagates them"))
    thresholds: list[str] = Field(default_factory=list,
                                  description='e.g. "rotation_fill_rate >= 0.95"')
    expectations: list[Expectation] = Field(
        default_factory=list, description="the expected effect of each lever, checked by `verify`")

    @field_validator("deployments")
    @classmethod
    def _unique_names(cls, v: list[Deployment]) -> list[Deployment]:
        names = [d.name for d in v]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"deployment names must be unique, found {sorted(dup)} twice")
        return v

    @property
    def horizon_days(self) -> float:
        return float((self.end - self.start).days)

    def day(self, date: dt.date) -> float:
        """Simulation time (days since start) of a calendar date."""
        return float((date - self.start).days)

    def date(self, day: float) -> dt.date:
        return self.start + dt.timedelta(days=int(day))

    def deployment(self, name: str) -> Deployment:
        return next(d for d in self.deployments if d.name == name)

    def resolved(self) -> dict[str, Any]:
        """Plain data of the scenario with defaults filled in (JSON-safe); unset
        optional keys are left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def data(self) -> dict[str, Any]:
        """Plain data with every key, unset optional ones as None: what dotted paths
        (timeline entries, sweep factors) address."""
        return self.model_dump(mode="json", by_alias=True)


__all__ = ["Scenario", "Constant", "GRADES"]
